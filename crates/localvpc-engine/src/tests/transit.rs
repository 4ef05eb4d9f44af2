//! Transit gateways (part 2 §14.4): one test per rule — full transit between attached VPCs, a blackhole route (a
//! static route beating the propagated one of equal prefix), the contrast with non-transitive peering, the sender's
//! zone, the associated table, no route, longest prefix, the attachment subnet's network ACL, group references, the
//! answer's own route back, centralized egress through a NAT gateway, peered gateways in one Region and across two,
//! an attachment waiting for acceptance, what another account sees, and a routing loop.

use localvpc_model::security_group::RulePeer;
use localvpc_model::subnet::{self, CreateSubnet};
use localvpc_model::transit_gateway::{self, peering, route_table, routes, vpc_attachment};
use localvpc_model::Scope;

use super::codes;
use super::lab::{Lab, Target};
use crate::packet::{Code, HopKind, Place, Protocol, Verdict};
use crate::Trace;

const HOST: &str = "203.0.113.7";

impl Lab {
    pub(super) fn subnet_in(&mut self, vpc_id: &str, cidr: &str, zone: &str) -> String {
        let request = CreateSubnet {
            vpc_id: vpc_id.into(),
            cidr_block: Some(cidr.into()),
            availability_zone: Some(zone.into()),
            ..CreateSubnet::default()
        };
        self.tx(|tx, scope| subnet::create_subnet(tx, scope, request)).id.clone()
    }

    /// A transit gateway with AWS's defaults; returns it and its default route table.
    pub(super) fn transit_gateway(&mut self) -> (String, String) {
        let gateway = self.tx(|tx, scope| transit_gateway::create(tx, scope, None, Default::default(), Vec::new()));
        (gateway.id.clone(), gateway.options.association_default_route_table_id.clone().expect("default table"))
    }

    /// Attaches `vpc_id` to the gateway through `subnet_ids` (one per zone); returns the attachment.
    pub(super) fn attach(&mut self, gateway: &str, vpc_id: &str, subnet_ids: &[&str]) -> String {
        let request = vpc_attachment::CreateVpcAttachment {
            transit_gateway_id: gateway.into(),
            vpc_id: vpc_id.into(),
            subnet_ids: subnet_ids.iter().map(|id| id.to_string()).collect(),
            ..Default::default()
        };
        self.tx(|tx, scope| vpc_attachment::create(tx, scope, request)).id.clone()
    }

    /// A static route in a transit gateway table: to an attachment, or a blackhole with `None`.
    pub(super) fn tgw_route(&mut self, table: &str, destination: &str, attachment: Option<&str>) {
        let table = table.to_string();
        self.tx(|tx, scope| routes::create(tx, scope, &table, destination, attachment, attachment.is_none()));
    }
}

/// Three VPCs (10.1/16, 10.2/16, 10.3/16) with an instance each in us-east-1a, attached to one gateway with the
/// default association and propagation, and each VPC's main table sending 10.0.0.0/8 to the gateway.
struct Hub {
    lab: Lab,
    gateway: String,
    table: String,
    vpcs: [String; 3],
    subnets: [String; 3],
    hosts: [String; 3],
    attachments: [String; 3],
}

const IPS: [&str; 3] = ["10.1.1.10", "10.2.1.10", "10.3.1.10"];

fn hub() -> Hub {
    let mut lab = Lab::new();
    let (gateway, table) = lab.transit_gateway();
    let mut vpcs = Vec::new();
    let mut subnets = Vec::new();
    let mut hosts = Vec::new();
    let mut attachments = Vec::new();
    for n in 1..=3 {
        let vpc = lab.vpc(&format!("10.{n}.0.0/16"));
        let subnet = lab.subnet_in(&vpc, &format!("10.{n}.1.0/24"), "us-east-1a");
        let host = lab.instance(&subnet, IPS[n - 1]);
        lab.allow_in(&host, "-1", None, "10.0.0.0/8");
        hosts.push(host);
        attachments.push(lab.attach(&gateway, &vpc, &[&subnet]));
        lab.route(&vpc, "10.0.0.0/8", Target::TransitGateway(gateway.clone()));
        vpcs.push(vpc);
        subnets.push(subnet);
    }
    let array = |v: Vec<String>| -> [String; 3] { v.try_into().unwrap() };
    Hub {
        lab,
        gateway,
        table,
        vpcs: array(vpcs),
        subnets: array(subnets),
        hosts: array(hosts),
        attachments: array(attachments),
    }
}

fn tgw_hops(leg: &crate::Leg) -> usize {
    leg.hops.iter().filter(|hop| hop.kind == HopKind::TransitGateway).count()
}

fn reachable(trace: &Trace) -> bool {
    trace.verdict == Verdict::Reachable
}

#[test]
fn vpcs_attached_to_one_transit_gateway_reach_each_other_both_ways() {
    let net = hub();
    for from in 0..3 {
        for (to, ip) in IPS.iter().enumerate() {
            if from == to {
                continue;
            }
            let trace = net.lab.probe(&net.hosts[from], ip, Protocol::Icmp);
            assert!(reachable(&trace), "{from} -> {to}: {trace:#?}");
            assert_eq!((tgw_hops(&trace.forward), tgw_hops(trace.reply.as_ref().unwrap())), (1, 1));
        }
    }
    // The hop names the gateway, the ingress attachment, the associated table and the propagated route.
    let trace = net.lab.probe(&net.hosts[0], IPS[2], Protocol::Tcp(22));
    let hop = trace.forward.hops.iter().find(|hop| hop.kind == HopKind::TransitGateway).unwrap();
    let Place::TransitGateway { id, attachment, route_table, route } = &hop.place else { panic!("{hop:?}") };
    assert_eq!((id, attachment, route_table.as_deref()), (&net.gateway, &net.attachments[0], Some(&*net.table)));
    let route = route.as_ref().unwrap();
    assert_eq!(route.destination.to_string(), "10.3.0.0/16");
    assert_eq!((route.attachment.as_deref(), route.is_static), (Some(&*net.attachments[2]), false));
}

#[test]
fn a_blackhole_route_in_the_transit_gateway_table_drops_with_tgw_rtb_bad_state_route() {
    let mut net = hub();
    let table = net.table.clone();
    net.lab.tgw_route(&table, "10.3.0.0/16", None);
    for from in [0, 1] {
        let trace = net.lab.probe(&net.hosts[from], IPS[2], Protocol::Icmp);
        assert_eq!(codes(&trace), vec![Code::TgwRtbBadStateRoute], "{trace:#?}");
        assert_eq!(Code::TgwRtbBadStateRoute.as_str(), "TGW_RTB_BAD_STATE_ROUTE");
    }
    // Only that VPC: the other two still reach each other.
    assert!(reachable(&net.lab.probe(&net.hosts[0], IPS[1], Protocol::Icmp)));
    assert!(reachable(&net.lab.probe(&net.hosts[1], IPS[0], Protocol::Icmp)));
}

#[test]
fn transit_gateway_routing_is_transitive_where_peering_is_not() {
    // The tutorial's case over peering: A–B and B–C peered, A routes C's block to the A–B connection.
    let mut lab = Lab::new();
    let a = lab.vpc("10.1.0.0/16");
    let b = lab.vpc("10.2.0.0/16");
    let c = lab.vpc("10.3.0.0/16");
    let sa = lab.subnet_in(&a, "10.1.1.0/24", "us-east-1a");
    let sb = lab.subnet_in(&b, "10.2.1.0/24", "us-east-1a");
    let sc = lab.subnet_in(&c, "10.3.1.0/24", "us-east-1a");
    let host_a = lab.instance(&sa, "10.1.1.10");
    let host_c = lab.instance(&sc, "10.3.1.10");
    lab.allow_in(&host_c, "-1", None, "10.0.0.0/8");
    let ab = lab.peer(&a, &b, None);
    let bc = lab.peer(&b, &c, None);
    lab.route(&a, "10.3.0.0/16", Target::Peering(ab));
    lab.route(&b, "10.3.0.0/16", Target::Peering(bc));
    let trace = lab.probe(&host_a, "10.3.1.10", Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::CannotRoute]);
    // The same three over a transit gateway: A reaches C.
    let (gateway, _) = lab.transit_gateway();
    for (vpc, subnet) in [(&a, &sa), (&b, &sb), (&c, &sc)] {
        lab.attach(&gateway, vpc, &[subnet]);
    }
    lab.delete_route(&a, "10.3.0.0/16");
    lab.route(&a, "10.3.0.0/16", Target::TransitGateway(gateway.clone()));
    lab.route(&c, "10.1.0.0/16", Target::TransitGateway(gateway));
    assert!(reachable(&lab.probe(&host_a, "10.3.1.10", Protocol::Icmp)));
}

#[test]
fn the_attachment_needs_a_subnet_in_the_senders_zone() {
    let mut net = hub();
    let vpc = net.vpcs[0].clone();
    let other_zone = net.lab.subnet_in(&vpc, "10.1.2.0/24", "us-east-1b");
    let host = net.lab.instance(&other_zone, "10.1.2.10");
    let trace = net.lab.probe(&host, IPS[1], Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::TgwRouteAzRestriction]);
    assert_eq!(Code::TgwRouteAzRestriction.as_str(), "TGW_ROUTE_AZ_RESTRICTION");
    // Positive control: the sender in the attachment's zone passes.
    assert!(reachable(&net.lab.probe(&net.hosts[0], IPS[1], Protocol::Icmp)));
}

#[test]
fn an_attachment_associated_with_no_table_drops_what_enters_by_it() {
    let mut net = hub();
    let (table, attachment) = (net.table.clone(), net.attachments[0].clone());
    net.lab.tx(|tx, scope| route_table::disassociate(tx, scope, &table, &attachment));
    let trace = net.lab.probe(&net.hosts[0], IPS[1], Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::TgwAttachMissingTgwRtbAssociation]);
    // What enters by another attachment is still routed; its answer enters by the unassociated one.
    let trace = net.lab.probe(&net.hosts[1], IPS[0], Protocol::Icmp);
    assert!(trace.forward.findings.is_empty());
    assert_eq!(codes(&trace), vec![Code::TgwAttachMissingTgwRtbAssociation]);
}

#[test]
fn no_route_in_the_associated_table_drops_with_tgw_rtb_no_route_to_tgw_attachment() {
    let mut net = hub();
    let (table, attachment) = (net.table.clone(), net.attachments[2].clone());
    net.lab.tx(|tx, scope| route_table::disable_propagation(tx, scope, &table, &attachment));
    let trace = net.lab.probe(&net.hosts[0], IPS[2], Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::TgwRtbNoRouteToTgwAttachment]);
    assert!(reachable(&net.lab.probe(&net.hosts[0], IPS[1], Protocol::Icmp)));
    // A static route brings it back.
    net.lab.tgw_route(&table, "10.3.0.0/16", Some(&attachment));
    assert!(reachable(&net.lab.probe(&net.hosts[0], IPS[2], Protocol::Icmp)));
}

#[test]
fn the_longest_prefix_wins_in_the_transit_gateway_table() {
    let mut net = hub();
    let table = net.table.clone();
    // A blackhole /24 inside C's propagated /16: only that /24 is dropped.
    net.lab.tgw_route(&table, "10.3.1.0/24", None);
    let other_subnet = net.lab.subnet_in(&net.vpcs[2].clone(), "10.3.2.0/24", "us-east-1a");
    let other = net.lab.instance(&other_subnet, "10.3.2.10");
    net.lab.allow_in(&other, "-1", None, "10.0.0.0/8");
    assert_eq!(codes(&net.lab.probe(&net.hosts[0], IPS[2], Protocol::Icmp)), vec![Code::TgwRtbBadStateRoute]);
    assert!(reachable(&net.lab.probe(&net.hosts[0], "10.3.2.10", Protocol::Icmp)));
}

#[test]
fn the_attachment_subnets_network_acl_sees_the_packet_enter_and_leave() {
    let mut lab = Lab::new();
    let (gateway, _) = lab.transit_gateway();
    let a = lab.vpc("10.1.0.0/16");
    let b = lab.vpc("10.2.0.0/16");
    let hosts_a = lab.subnet_in(&a, "10.1.1.0/24", "us-east-1a");
    let tgw_a = lab.subnet_in(&a, "10.1.0.0/28", "us-east-1a");
    let hosts_b = lab.subnet_in(&b, "10.2.1.0/24", "us-east-1a");
    let tgw_b = lab.subnet_in(&b, "10.2.0.0/28", "us-east-1a");
    let host_a = lab.instance(&hosts_a, "10.1.1.10");
    let host_b = lab.instance(&hosts_b, "10.2.1.10");
    lab.allow_in(&host_b, "-1", None, "10.0.0.0/8");
    lab.attach(&gateway, &a, &[&tgw_a]);
    lab.attach(&gateway, &b, &[&tgw_b]);
    lab.route(&a, "10.2.0.0/16", Target::TransitGateway(gateway.clone()));
    lab.route(&b, "10.1.0.0/16", Target::TransitGateway(gateway));
    assert!(reachable(&lab.probe(&host_a, "10.2.1.10", Protocol::Icmp)));
    // A's attachment subnet admits nothing in: the request stops entering it.
    lab.custom_acl(&a, &tgw_a);
    lab.acl_entry(&tgw_a, 100, true, true, "-1", "0.0.0.0/0", None);
    let trace = lab.probe(&host_a, "10.2.1.10", Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::SubnetAclRestriction]);
    let finding = trace.findings().next().unwrap();
    assert!(matches!(finding.place, Place::Acl { egress: false, .. }), "{finding:?}");
    lab.acl_entry(&tgw_a, 100, false, true, "-1", "0.0.0.0/0", None);
    assert!(reachable(&lab.probe(&host_a, "10.2.1.10", Protocol::Icmp)));
    // B's attachment subnet lets nothing out: the request stops leaving it.
    lab.custom_acl(&b, &tgw_b);
    lab.acl_entry(&tgw_b, 100, false, true, "-1", "0.0.0.0/0", None);
    let trace = lab.probe(&host_a, "10.2.1.10", Protocol::Icmp);
    let finding = trace.findings().next().unwrap();
    assert!(matches!(finding.place, Place::Acl { egress: true, .. }), "{finding:?}");
}

#[test]
fn group_references_never_match_transit_gateway_traffic() {
    let mut net = hub();
    let host_b = net.hosts[1].clone();
    let target = net.lab.instance_in_new_group(&net.vpcs[2].clone(), &net.subnets[2].clone(), "10.3.1.20", "web");
    // A rule naming the sender's group: does not match across the gateway.
    let sender_group = net.lab.group_of(&host_b);
    let peer = RulePeer::Group { user_id: "111111111111".into(), group_id: sender_group, vpc_id: None };
    net.lab.allow(&target, false, "-1", None, peer);
    let trace = net.lab.probe(&host_b, "10.3.1.20", Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::EniSgRulesMismatch]);
    assert!(trace.findings().next().unwrap().detail.contains("SG_REFERENCES_NOT_PRESERVED"), "{trace:#?}");
    // An address rule does.
    net.lab.allow_in(&target, "icmp", None, "10.2.0.0/16");
    assert!(reachable(&net.lab.probe(&host_b, "10.3.1.20", Protocol::Icmp)));
}

#[test]
fn the_answer_needs_a_route_back_from_the_destinations_side() {
    let mut net = hub();
    let vpc = net.vpcs[2].clone();
    net.lab.delete_route(&vpc, "10.0.0.0/8");
    let trace = net.lab.probe(&net.hosts[0], IPS[2], Protocol::Icmp);
    assert!(trace.forward.findings.is_empty(), "the request arrives");
    assert_eq!(codes(&trace), vec![Code::NoRouteToDestination]);
}

#[test]
fn a_spoke_reaches_the_internet_through_a_nat_gateway_in_an_egress_vpc_and_back() {
    let mut lab = Lab::new();
    let (gateway, table) = lab.transit_gateway();
    let spoke = lab.vpc("10.1.0.0/16");
    let spoke_subnet = lab.subnet_in(&spoke, "10.1.1.0/24", "us-east-1a");
    let host = lab.instance(&spoke_subnet, "10.1.1.10");
    lab.attach(&gateway, &spoke, &[&spoke_subnet]);
    lab.route(&spoke, "0.0.0.0/0", Target::TransitGateway(gateway.clone()));
    // The egress VPC: a public subnet with the NAT gateway (0/0 → IGW, 10/8 → TGW) and a private subnet for the
    // attachment (0/0 → NAT).
    let egress = lab.vpc("10.9.0.0/16");
    let public = lab.subnet_in(&egress, "10.9.0.0/24", "us-east-1a");
    let private = lab.subnet_in(&egress, "10.9.1.0/24", "us-east-1a");
    let igw = lab.igw(&egress);
    lab.route(&egress, "0.0.0.0/0", Target::Gateway(igw));
    let (nat, eip) = lab.nat_gateway(&public, true);
    let private_table = lab.own_table(&egress, &private);
    lab.route_in(&private_table, "0.0.0.0/0", Target::Nat(nat.clone()));
    let egress_attachment = lab.attach(&gateway, &egress, &[&private]);
    lab.route(&egress, "10.0.0.0/8", Target::TransitGateway(gateway.clone()));
    // Without a default route in the gateway's table the spoke's packet has nowhere to go.
    let trace = lab.probe(&host, HOST, Protocol::Tcp(443));
    assert_eq!(codes(&trace), vec![Code::TgwRtbNoRouteToTgwAttachment]);
    lab.tgw_route(&table, "0.0.0.0/0", Some(&egress_attachment));
    let trace = lab.probe(&host, HOST, Protocol::Tcp(443));
    assert!(reachable(&trace), "{trace:#?}");
    let (_, arrived) = trace.forward.delivered.unwrap();
    assert_eq!(Some(arrived.src), eip.map(std::net::IpAddr::V4), "the internet sees the NAT gateway's Elastic IP");
    let reply = trace.reply.as_ref().unwrap();
    assert_eq!((tgw_hops(&trace.forward), tgw_hops(reply)), (1, 1));
    assert!(reply.hops.iter().any(|hop| hop.kind == HopKind::NatGateway && hop.id == nat));
    // The internet still cannot start a flow in.
    let inbound = lab.probe("internet", &eip.unwrap().to_string(), Protocol::Tcp(22));
    assert_eq!(codes(&inbound), vec![Code::UnsolicitedInbound]);
}

/// Two gateways joined by an accepted peering attachment, each with a VPC; `peer_scope` is the second's.
fn peered_gateways(peer_scope: Scope) -> (Lab, String) {
    let mut lab = Lab::new();
    let home = lab.scope.clone();
    let (east, east_table) = lab.transit_gateway();
    let a = lab.vpc("10.1.0.0/16");
    let sa = lab.subnet_in(&a, "10.1.1.0/24", "us-east-1a");
    let host_a = lab.instance(&sa, "10.1.1.10");
    lab.attach(&east, &a, &[&sa]);
    lab.route(&a, "10.0.0.0/8", Target::TransitGateway(east.clone()));
    lab.scope = peer_scope.clone();
    let (west, west_table) = lab.transit_gateway();
    let b = lab.vpc("10.2.0.0/16");
    let zone = format!("{}a", peer_scope.region);
    let sb = lab.subnet_in(&b, "10.2.1.0/24", &zone);
    let host_b = lab.instance(&sb, "10.2.1.10");
    lab.allow_in(&host_b, "-1", None, "10.0.0.0/8");
    lab.attach(&west, &b, &[&sb]);
    lab.route(&b, "10.0.0.0/8", Target::TransitGateway(west.clone()));
    lab.scope = home.clone();
    let request = peering::CreatePeeringAttachment {
        transit_gateway_id: east.clone(),
        peer_transit_gateway_id: west.clone(),
        peer_account_id: peer_scope.account.clone(),
        peer_region: peer_scope.region.clone(),
        tags: Vec::new(),
    };
    let pairing = lab.tx(|tx, scope| peering::create(tx, scope, request)).id;
    lab.scope = peer_scope.clone();
    lab.tx(|tx, scope| peering::accept(tx, scope, &pairing));
    // Before either side routes to the peering attachment, nothing crosses.
    lab.scope = home.clone();
    assert_eq!(codes(&lab.probe(&host_a, "10.2.1.10", Protocol::Icmp)), vec![Code::TgwRtbNoRouteToTgwAttachment]);
    // Each side associates a table with the peering attachment and adds its own static route (part 2 §14.3 [D]).
    for (scope, gateway, table, destination) in
        [(home.clone(), &east, &east_table, "10.2.0.0/16"), (peer_scope, &west, &west_table, "10.1.0.0/16")]
    {
        lab.scope = scope;
        lab.tgw_route(table, destination, Some(&pairing));
        if route_table::associated_table(&lab.world, gateway, &pairing).is_none() {
            lab.tx(|tx, scope| route_table::associate(tx, scope, table, &pairing));
        }
    }
    lab.scope = home;
    (lab, host_a)
}

#[test]
fn peered_transit_gateways_look_the_packet_up_again_in_the_same_region() {
    let (lab, host_a) = peered_gateways(Scope::new("222222222222", "us-east-1"));
    let trace = lab.probe(&host_a, "10.2.1.10", Protocol::Icmp);
    assert!(reachable(&trace), "{trace:#?}");
    assert_eq!((tgw_hops(&trace.forward), tgw_hops(trace.reply.as_ref().unwrap())), (2, 2));
}

#[test]
fn peered_transit_gateways_carry_traffic_across_regions() {
    let (lab, host_a) = peered_gateways(Scope::new("111111111111", "eu-west-1"));
    let trace = lab.probe(&host_a, "10.2.1.10", Protocol::Tcp(22));
    assert!(reachable(&trace), "{trace:#?}");
    assert_eq!(tgw_hops(&trace.forward), 2);
}

#[test]
fn explain_names_every_transit_gateway_setting_that_blocks() {
    let mut net = hub();
    let vpc = net.vpcs[0].clone();
    let other_zone = net.lab.subnet_in(&vpc, "10.1.2.0/24", "us-east-1b");
    let host = net.lab.instance(&other_zone, "10.1.2.10");
    let table = net.table.clone();
    net.lab.tgw_route(&table, "10.2.0.0/16", None);
    let all = net.lab.explain(&host, IPS[1], Protocol::Icmp);
    assert_eq!(codes(&all), vec![Code::TgwRouteAzRestriction, Code::TgwRtbBadStateRoute]);
    assert!(all.findings().all(|finding| !finding.fix.is_empty()));
}

#[test]
fn an_attachment_waiting_for_acceptance_is_bad_state_attachment() {
    // Account 2 attaches its VPC to account 1's shared gateway, routes to it once accepted, then re-attaches: the
    // route stays, the new attachment waits for the owner.
    let mut lab = Lab::new();
    let owner = lab.scope.clone();
    let shared =
        localvpc_model::tags::Tag { key: transit_gateway::SHARED_WITH_TAG.into(), value: "222222222222".into() };
    let gateway = lab.tx(|tx, scope| transit_gateway::create(tx, scope, None, Default::default(), vec![shared])).id;
    let b = lab.vpc("10.2.0.0/16");
    let sb = lab.subnet_in(&b, "10.2.1.0/24", "us-east-1a");
    let host_b = lab.instance(&sb, "10.2.1.10");
    lab.allow_in(&host_b, "-1", None, "10.0.0.0/8");
    lab.attach(&gateway, &b, &[&sb]);
    lab.route(&b, "10.0.0.0/8", Target::TransitGateway(gateway.clone()));
    lab.in_scope("222222222222", "us-east-1");
    let a = lab.vpc("10.1.0.0/16");
    let sa = lab.subnet_in(&a, "10.1.1.0/24", "us-east-1a");
    let host_a = lab.instance(&sa, "10.1.1.10");
    let first = lab.attach(&gateway, &a, &[&sa]);
    lab.scope = owner;
    lab.tx(|tx, scope| vpc_attachment::accept(tx, scope, &first));
    lab.in_scope("222222222222", "us-east-1");
    lab.route(&a, "10.0.0.0/8", Target::TransitGateway(gateway.clone()));
    assert!(reachable(&lab.probe(&host_a, "10.2.1.10", Protocol::Icmp)), "positive control");
    lab.tx(|tx, scope| vpc_attachment::delete(tx, scope, &first));
    assert_eq!(codes(&lab.probe(&host_a, "10.2.1.10", Protocol::Icmp)), vec![Code::BadStateRoute]);
    lab.attach(&gateway, &a, &[&sa]);
    let trace = lab.probe(&host_a, "10.2.1.10", Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::BadStateAttachment]);
    assert_eq!(Code::BadStateAttachment.as_str(), "BAD_STATE_ATTACHMENT");
}

#[test]
fn another_accounts_transit_gateway_shows_only_its_owner() {
    use crate::visibility::{sight, Sight};
    let peer = Scope::new("222222222222", "us-east-1");
    let (lab, host_a) = peered_gateways(peer.clone());
    let trace = lab.probe(&host_a, "10.2.1.10", Protocol::Icmp);
    let topology = lab.topology();
    let places: Vec<&Place> =
        trace.forward.hops.iter().filter(|hop| hop.kind == HopKind::TransitGateway).map(|hop| &hop.place).collect();
    assert_eq!(places.len(), 2);
    let sights: Vec<Sight> = places.iter().map(|place| sight(&topology, &lab.scope, place)).collect();
    assert_eq!(sights, vec![Sight::Full, Sight::Owner(&peer)]);
    // A third account sees whose gateways they are, and nothing of their tables.
    let stranger = Scope::new("333333333333", "us-east-1");
    assert!(places.iter().all(|place| !matches!(sight(&topology, &stranger, place), Sight::Full)));
}

#[test]
fn a_routing_loop_through_the_gateway_ends_the_walk() {
    let mut net = hub();
    let (table, b) = (net.table.clone(), net.attachments[1].clone());
    // C's block sent to B, whose table sends it back to the gateway: round and round.
    net.lab.tgw_route(&table, "10.3.0.0/16", Some(&b));
    let trace = net.lab.probe(&net.hosts[0], IPS[2], Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::CannotRoute]);
    assert!(trace.findings().next().unwrap().detail.contains("routing loop"));
    assert!(reachable(&net.lab.probe(&net.hosts[0], IPS[1], Protocol::Icmp)), "B itself is still reached");
}

#[test]
fn the_destination_subnets_acl_sees_what_the_gateway_delivers_even_into_the_attachment_subnet() {
    let mut net = hub();
    // C's instance shares its subnet with C's attachment; the subnet's ACL still judges what enters it.
    let subnet = net.subnets[2].clone();
    net.lab.acl_entry(&subnet, 10, false, false, "1", "10.1.0.0/16", None);
    let trace = net.lab.probe(&net.hosts[0], IPS[2], Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::SubnetAclRestriction]);
    assert!(trace.forward.findings.iter().any(|f| matches!(f.place, Place::Acl { egress: false, .. })));
    assert!(reachable(&net.lab.probe(&net.hosts[1], IPS[2], Protocol::Icmp)), "B is not denied");
}
