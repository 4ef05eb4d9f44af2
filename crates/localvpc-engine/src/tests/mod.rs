//! Engine tests: one test per rule of spec §3, the worked scenario of §3.8, the DNS matrix of §4.5, and
//! properties over random topologies. Every fixture is built through the model's own rules (see `lab.rs`).

mod dhcp_dns;
mod dns_ipv6;
mod dns_matrix;
mod flow;
mod flow_log;
mod ipv6;
mod ipv6_only;
mod lab;
mod nat;
mod nat64;
mod prefix_list;
mod properties;
mod properties_ipv6;
mod reachability;
mod transit;
mod transit_ipv6;
mod visibility;
mod vpc_endpoint;
mod vpn;

use localvpc_model::security_group::RulePeer;
use localvpc_model::tags::Tag;

use crate::packet::{Code, HopKind, Protocol, Verdict};
use lab::{Lab, Target};

/// Two VPCs (A 10.6.0.0/16 and B 10.7.0.0/16, the seed tutorial's) with one instance each (10.6.1.10, 10.7.1.10).
fn two_vpcs() -> (Lab, [String; 2], [String; 2], [String; 2]) {
    let mut lab = Lab::new();
    let a = lab.vpc("10.6.0.0/16");
    let b = lab.vpc("10.7.0.0/16");
    let sa = lab.subnet(&a, "10.6.1.0/24");
    let sb = lab.subnet(&b, "10.7.1.0/24");
    let ia = lab.instance(&sa, "10.6.1.10");
    let ib = lab.instance(&sb, "10.7.1.10");
    (lab, [a, b], [sa, sb], [ia, ib])
}

/// The tutorial's end state: peered, routes both ways, ICMP allowed into B from A's block.
fn peered() -> (Lab, [String; 2], [String; 2], [String; 2], String) {
    let (mut lab, [a, b], subnets, [ia, ib]) = two_vpcs();
    let pcx = lab.peer(&a, &b, None);
    lab.route(&a, "10.7.0.0/16", Target::Peering(pcx.clone()));
    lab.route(&b, "10.6.0.0/16", Target::Peering(pcx.clone()));
    lab.allow_in(&ib, "icmp", Some((-1, -1)), "10.6.0.0/16");
    (lab, [a, b], subnets, [ia, ib], pcx)
}

fn codes(trace: &crate::Trace) -> Vec<Code> {
    trace.findings().map(|finding| finding.code).collect()
}

#[test]
fn peered_vpcs_answer_ping_and_the_pcx_is_crossed_both_ways() {
    let (lab, _, _, [ia, _], pcx) = peered();
    let trace = lab.probe(&ia, "10.7.1.10", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable, "{trace:#?}");
    let crossed = |leg: &crate::Leg| leg.hops.iter().any(|h| h.kind == HopKind::PeeringConnection && h.id == pcx);
    assert!(crossed(&trace.forward));
    assert!(crossed(trace.reply.as_ref().unwrap()));
}

#[test]
fn no_route_drops_with_no_route_to_destination() {
    let (lab, _, _, [ia, _]) = two_vpcs();
    let trace = lab.probe(&ia, "10.7.1.10", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Dropped);
    assert_eq!(codes(&trace), vec![Code::NoRouteToDestination]);
}

#[test]
fn route_to_pending_peering_is_blackhole() {
    let (mut lab, [a, b], _, [ia, _]) = two_vpcs();
    let request =
        localvpc_model::vpc_peering::CreatePeering { vpc_id: a.clone(), peer_vpc_id: b, ..Default::default() };
    let pcx = lab.tx(|tx, scope| localvpc_model::vpc_peering::create(tx, scope, request)).0.id;
    lab.route(&a, "10.7.0.0/16", Target::Peering(pcx));
    assert_eq!(codes(&lab.probe(&ia, "10.7.1.10", Protocol::Icmp)), vec![Code::BadStateRoute]);
}

#[test]
fn security_group_ingress_is_required_and_the_reply_is_tracked() {
    let (mut lab, [a, b], _, [ia, ib]) = two_vpcs();
    let pcx = lab.peer(&a, &b, None);
    lab.route(&a, "10.7.0.0/16", Target::Peering(pcx.clone()));
    lab.route(&b, "10.6.0.0/16", Target::Peering(pcx));
    assert_eq!(codes(&lab.probe(&ia, "10.7.1.10", Protocol::Icmp)), vec![Code::EniSgRulesMismatch]);
    lab.allow_in(&ib, "icmp", Some((8, -1)), "10.6.0.0/16");
    // A's group has no inbound rule for the echo reply: the reply is tracked and passes anyway.
    assert_eq!(lab.probe(&ia, "10.7.1.10", Protocol::Icmp).verdict, Verdict::Reachable);
}

#[test]
fn security_group_egress_blocks_the_sender() {
    let (mut lab, _, _, [ia, _], _) = peered();
    lab.clear_egress(&ia);
    let trace = lab.probe(&ia, "10.7.1.10", Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::EniSgRulesMismatch]);
    assert!(trace.forward.hops.iter().all(|hop| hop.kind != HopKind::RouteTable));
}

#[test]
fn group_references_match_private_addresses_over_peering_only() {
    let (mut lab, [a, b], _, [ia, ib]) = two_vpcs();
    let pcx = lab.peer(&a, &b, None);
    lab.route(&a, "10.7.0.0/16", Target::Peering(pcx.clone()));
    lab.route(&b, "10.6.0.0/16", Target::Peering(pcx));
    let group_a = lab.group_of(&ia);
    lab.allow(
        &ib,
        false,
        "-1",
        None,
        RulePeer::Group { user_id: lab.scope.account.clone(), group_id: group_a, vpc_id: Some(a.clone()) },
    );
    assert_eq!(lab.probe(&ia, "10.7.1.10", Protocol::Icmp).verdict, Verdict::Reachable);
    // Through the gateways (public addresses) the same reference does not match: the source is A's public address.
    lab.igw(&a);
    lab.igw(&b);
    lab.route(&a, "0.0.0.0/0", Target::Gateway(lab_igw(&lab, &a)));
    lab.route(&b, "0.0.0.0/0", Target::Gateway(lab_igw(&lab, &b)));
    lab.eip(&ia);
    let public_b = lab.eip(&ib).to_string();
    assert_eq!(codes(&lab.probe(&ia, &public_b, Protocol::Icmp)), vec![Code::EniSgRulesMismatch]);
}

fn lab_igw(lab: &Lab, vpc_id: &str) -> String {
    let region = lab.world.region(&lab.scope);
    region.internet_gateways.values().find(|igw| igw.attached_vpc.as_deref() == Some(vpc_id)).unwrap().id.clone()
}

#[test]
fn same_subnet_traffic_skips_route_table_and_network_acl() {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.0.0.0/16");
    let subnet = lab.subnet(&vpc, "10.0.1.0/24");
    let first = lab.instance(&subnet, "10.0.1.10");
    let second = lab.instance(&subnet, "10.0.1.11");
    lab.custom_acl(&vpc, &subnet); // deny everything at the subnet boundary
    lab.allow_in(&second, "icmp", None, "10.0.0.0/16");
    let trace = lab.probe(&first, "10.0.1.11", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable, "{trace:#?}");
    assert!(trace.forward.hops.iter().all(|hop| !matches!(hop.kind, HopKind::RouteTable | HopKind::AclOutbound)));
}

#[test]
fn network_acl_first_matching_rule_wins() {
    let (mut lab, [_, b], [_, sb], [ia, _], _) = peered();
    lab.custom_acl(&b, &sb);
    lab.acl_entry(&sb, 100, false, false, "1", "10.6.0.0/16", None);
    lab.acl_entry(&sb, 200, false, true, "-1", "0.0.0.0/0", None);
    lab.acl_entry(&sb, 100, true, true, "-1", "0.0.0.0/0", None);
    assert_eq!(codes(&lab.probe(&ia, "10.7.1.10", Protocol::Icmp)), vec![Code::SubnetAclRestriction]);
}

#[test]
fn network_acl_is_stateless_so_the_reply_needs_its_own_rule() {
    // Spec §3.8 steps 6 and 7.
    let (mut lab, [_, b], [_, sb], [ia, _], _) = peered();
    lab.custom_acl(&b, &sb);
    lab.acl_entry(&sb, 100, false, true, "1", "10.6.0.0/16", None);
    let trace = lab.probe(&ia, "10.7.1.10", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Dropped);
    assert!(trace.forward.findings.is_empty(), "the request arrives");
    assert_eq!(trace.reply.as_ref().unwrap().findings[0].code, Code::SubnetAclRestriction);
    lab.acl_entry(&sb, 100, true, true, "1", "10.6.0.0/16", None);
    assert_eq!(lab.probe(&ia, "10.7.1.10", Protocol::Icmp).verdict, Verdict::Reachable);
}

#[test]
fn tcp_replies_need_the_ephemeral_ports_in_the_acl() {
    let (mut lab, [_, b], [_, sb], [ia, ib], _) = peered();
    lab.allow_in(&ib, "tcp", Some((22, 22)), "10.6.0.0/16");
    lab.custom_acl(&b, &sb);
    lab.acl_entry(&sb, 100, false, true, "6", "10.6.0.0/16", Some((22, 22)));
    lab.acl_entry(&sb, 100, true, true, "6", "10.6.0.0/16", Some((22, 22)));
    assert_eq!(lab.probe(&ia, "10.7.1.10", Protocol::Tcp(22)).verdict, Verdict::Dropped);
    lab.acl_entry(&sb, 110, true, true, "6", "10.6.0.0/16", Some((32768, 60999)));
    assert_eq!(lab.probe(&ia, "10.7.1.10", Protocol::Tcp(22)).verdict, Verdict::Reachable);
}

#[test]
fn longest_prefix_wins_over_a_shorter_route() {
    let (mut lab, [a, _], _, [ia, _], _) = peered();
    let igw = lab.igw(&a);
    // A more specific route to the gateway beats the /16 to the peering connection.
    lab.route(&a, "10.7.1.0/24", Target::Gateway(igw));
    let trace = lab.probe(&ia, "10.7.1.10", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Dropped);
    assert!(trace
        .forward
        .hops
        .iter()
        .any(|hop| hop.kind == HopKind::RouteTable && hop.detail.starts_with("10.7.1.0/24")));
}

#[test]
fn one_sided_routes_lose_the_reply() {
    let (mut lab, [_, b], _, [ia, _], _) = peered();
    lab.delete_route(&b, "10.6.0.0/16");
    let trace = lab.probe(&ia, "10.7.1.10", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Dropped);
    assert!(trace.forward.findings.is_empty());
    assert_eq!(trace.reply.as_ref().unwrap().findings[0].code, Code::NoRouteToDestination);
}

#[test]
fn peering_is_not_transitive() {
    let (mut lab, [a, b], _, [ia, _], pcx_ab) = peered();
    let c = lab.vpc("10.8.0.0/16");
    let sc = lab.subnet(&c, "10.8.1.0/24");
    let ic = lab.instance(&sc, "10.8.1.10");
    let pcx_bc = lab.peer(&b, &c, None);
    lab.route(&c, "10.6.0.0/16", Target::Peering(pcx_bc.clone()));
    lab.route(&b, "10.8.0.0/16", Target::Peering(pcx_bc));
    lab.route(&a, "10.8.0.0/16", Target::Peering(pcx_ab));
    lab.allow_in(&ia, "icmp", None, "0.0.0.0/0");
    let trace = lab.probe(&ic, "10.6.1.10", Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::CannotRoute]);
}

#[test]
fn no_edge_to_edge_through_the_peer_gateway() {
    let (mut lab, [a, b], _, [ia, ib], pcx) = peered();
    let igw = lab.igw(&a);
    lab.route(&a, "0.0.0.0/0", Target::Gateway(igw));
    lab.eip(&ia);
    lab.route(&b, "0.0.0.0/0", Target::Peering(pcx));
    assert_eq!(lab.probe(&ia, "8.8.8.8", Protocol::Icmp).verdict, Verdict::Reachable);
    assert_eq!(codes(&lab.probe(&ib, "8.8.8.8", Protocol::Icmp)), vec![Code::CannotRoute]);
}

#[test]
fn internet_gateway_translates_both_ways_and_needs_a_public_address() {
    let (mut lab, [a, _], _, [ia, _]) = two_vpcs();
    let igw = lab.igw(&a);
    lab.route(&a, "0.0.0.0/0", Target::Gateway(igw));
    assert_eq!(codes(&lab.probe(&ia, "8.8.8.8", Protocol::Icmp)), vec![Code::NoPublicAddress]);
    let public = lab.eip(&ia).to_string();
    assert_eq!(lab.probe(&ia, "8.8.8.8", Protocol::Icmp).verdict, Verdict::Reachable);
    // From the internet: SSH needs an inbound rule; then it connects.
    assert_eq!(codes(&lab.probe("internet", &public, Protocol::Tcp(22))), vec![Code::EniSgRulesMismatch]);
    lab.allow_in(&ia, "tcp", Some((22, 22)), "0.0.0.0/0");
    assert_eq!(lab.probe("internet", &public, Protocol::Tcp(22)).verdict, Verdict::Reachable);
}

#[test]
fn inbound_without_the_return_route_fails_on_the_reply() {
    // Spec §3.4: the tutorial's "SSH only after 0.0.0.0/0 -> igw".
    let (mut lab, [a, _], _, [ia, _]) = two_vpcs();
    lab.igw(&a);
    let public = lab.eip(&ia).to_string();
    lab.allow_in(&ia, "tcp", Some((22, 22)), "0.0.0.0/0");
    let trace = lab.probe("internet", &public, Protocol::Tcp(22));
    assert_eq!(trace.verdict, Verdict::Dropped);
    assert!(trace.forward.findings.is_empty());
    assert_eq!(trace.reply.as_ref().unwrap().findings[0].code, Code::NoRouteToDestination);
}

#[test]
fn a_permitted_syn_to_a_closed_port_is_refused_and_the_listen_tag_opens_ports() {
    let (mut lab, [_, _], [_, sb], [ia, ib], _) = peered();
    lab.allow_in(&ib, "tcp", Some((0, 65535)), "10.6.0.0/16");
    assert_eq!(lab.probe(&ia, "10.7.1.10", Protocol::Tcp(22)).verdict, Verdict::Reachable);
    assert_eq!(lab.probe(&ia, "10.7.1.10", Protocol::Tcp(80)).verdict, Verdict::Refused);
    let tags = vec![Tag { key: "localvpc:listen".into(), value: "80,443".into() }];
    let web = lab.instance_tagged(&sb, "10.7.1.20", tags);
    lab.allow_in(&web, "tcp", Some((0, 65535)), "10.6.0.0/16");
    assert_eq!(lab.probe(&ia, "10.7.1.20", Protocol::Tcp(80)).verdict, Verdict::Reachable);
    assert_eq!(lab.probe(&ia, "10.7.1.20", Protocol::Tcp(22)).verdict, Verdict::Refused);
}

#[test]
fn a_stopped_instance_does_not_answer() {
    let (mut lab, _, _, [ia, ib], _) = peered();
    lab.stop(&ib);
    assert_eq!(codes(&lab.probe(&ia, "10.7.1.10", Protocol::Icmp)), vec![Code::BadState]);
}

#[test]
fn deleting_the_peering_turns_ping_off_again() {
    let (mut lab, _, _, [ia, _], pcx) = peered();
    lab.delete_peering(&pcx);
    assert_eq!(codes(&lab.probe(&ia, "10.7.1.10", Protocol::Icmp)), vec![Code::BadStateRoute]);
}

#[test]
fn explain_lists_every_blocking_setting_with_a_fix() {
    let (mut lab, [a, b], _, [ia, _]) = two_vpcs();
    let pcx = lab.peer(&a, &b, None);
    let trace = lab.explain(&ia, "10.7.1.10", Protocol::Icmp);
    let found: Vec<(Code, String)> = trace.findings().map(|f| (f.code, f.fix.clone())).collect();
    assert!(
        found.iter().any(|(code, fix)| *code == Code::NoRouteToDestination
            && fix.contains(&pcx)
            && fix.contains("10.7.0.0/16")),
        "{found:#?}"
    );
    assert!(found.iter().any(|(code, _)| *code == Code::EniSgRulesMismatch), "{found:#?}");
    // The reply leg has its own missing route.
    assert!(trace
        .reply
        .as_ref()
        .unwrap()
        .findings
        .iter()
        .any(|f| f.code == Code::NoRouteToDestination && f.fix.contains("10.6.0.0/16")));
}

#[test]
fn worked_scenario_of_spec_3_8() {
    let (mut lab, [a, b], [_, sb], [ia, ib]) = two_vpcs();
    let ping = |lab: &Lab| lab.probe(&ia, "10.7.1.10", Protocol::Icmp).verdict;
    assert_eq!(ping(&lab), Verdict::Dropped, "step 0");
    let request =
        localvpc_model::vpc_peering::CreatePeering { vpc_id: a.clone(), peer_vpc_id: b.clone(), ..Default::default() };
    let pcx = lab.tx(|tx, scope| localvpc_model::vpc_peering::create(tx, scope, request)).0.id;
    lab.route(&a, "10.7.0.0/16", Target::Peering(pcx.clone()));
    assert_eq!(ping(&lab), Verdict::Dropped, "step 2: blackhole");
    let id = pcx.clone();
    lab.tx(|tx, scope| localvpc_model::vpc_peering::accept(tx, scope, &id));
    assert_eq!(ping(&lab), Verdict::Dropped, "step 3: no return route");
    lab.route(&b, "10.6.0.0/16", Target::Peering(pcx.clone()));
    assert_eq!(ping(&lab), Verdict::Dropped, "step 4: no ICMP ingress");
    lab.allow_in(&ib, "icmp", Some((-1, -1)), "10.6.0.0/16");
    assert_eq!(ping(&lab), Verdict::Reachable, "step 5");
    lab.custom_acl(&b, &sb);
    lab.acl_entry(&sb, 100, false, true, "1", "10.6.0.0/16", None);
    assert_eq!(ping(&lab), Verdict::Dropped, "step 6");
    lab.acl_entry(&sb, 100, true, true, "1", "10.6.0.0/16", None);
    assert_eq!(ping(&lab), Verdict::Reachable, "step 7");
    lab.delete_route(&b, "10.6.0.0/16");
    assert_eq!(ping(&lab), Verdict::Dropped, "step 9");
    lab.delete_peering(&pcx);
    assert_eq!(ping(&lab), Verdict::Dropped, "step 10");
}

#[test]
fn cross_account_peering_carries_traffic() {
    let mut lab = Lab::new();
    let a = lab.vpc("10.6.0.0/16");
    let sa = lab.subnet(&a, "10.6.1.0/24");
    let ia = lab.instance(&sa, "10.6.1.10");
    lab.in_scope("222222222222", "us-east-1");
    let b = lab.vpc("10.7.0.0/16");
    let sb = lab.subnet(&b, "10.7.1.0/24");
    let ib = lab.instance(&sb, "10.7.1.10");
    lab.allow_in(&ib, "icmp", None, "10.6.0.0/16");
    let accepter = lab.scope.clone();
    lab.in_scope("111111111111", "us-east-1");
    let pcx = lab.peer(&a, &b, Some(accepter.clone()));
    lab.route(&a, "10.7.0.0/16", Target::Peering(pcx.clone()));
    lab.scope = accepter;
    lab.route(&b, "10.6.0.0/16", Target::Peering(pcx));
    assert_eq!(lab.probe(&ia, "10.7.1.10", Protocol::Icmp).verdict, Verdict::Reachable);
}
