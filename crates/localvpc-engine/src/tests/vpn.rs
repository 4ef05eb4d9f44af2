//! Site-to-site VPN (part 2 §15.4, §15.5): one test per rule — propagated routes in the subnet's table and their
//! selection, the gateway forwarding only to prefixes it knows, tunnels failing over and both down, a detached
//! gateway, the source and destination checks at the gateway, no edge-to-edge routing, VPN CloudHub, and the
//! on-premises vantage's address.

use localvpc_model::customer_gateway::{self, CreateCustomerGateway};
use localvpc_model::tags::Tag;
use localvpc_model::vpn_connection::{self, CreateVpnConnection, TunnelChoice};
use localvpc_model::{route_table, vpn_gateway};

use super::codes;
use super::lab::{Lab, Target};
use crate::packet::{Code, HopKind, Packet, Protocol, Vantage, Verdict};
use crate::walk::{trace, walk, Mode};
use crate::Probe;

impl Lab {
    /// A customer gateway advertising `bgp_prefixes` (comma-separated, may be empty) over BGP.
    pub fn customer_gateway(&mut self, ip: &str, bgp_prefixes: &str) -> String {
        let tags = if bgp_prefixes.is_empty() {
            Vec::new()
        } else {
            vec![Tag { key: customer_gateway::BGP_PREFIXES_TAG.into(), value: bgp_prefixes.into() }]
        };
        let request = CreateCustomerGateway {
            gateway_type: "ipsec.1".into(),
            ip_address: Some(ip.into()),
            bgp_asn: Some(65000),
            tags,
            ..Default::default()
        };
        self.tx(|tx, scope| customer_gateway::create(tx, scope, request)).id.clone()
    }

    /// A virtual private gateway attached to `vpc_id`.
    pub fn vpn_gateway(&mut self, vpc_id: &str) -> String {
        let vpc_id = vpc_id.to_string();
        self.tx(|tx, scope| {
            let gateway = vpn_gateway::create(tx, scope, "ipsec.1", None, None, Vec::new())?;
            vpn_gateway::attach(tx, scope, &gateway.id, &vpc_id)?;
            Ok(gateway.id.clone())
        })
    }

    pub fn detach_vpn_gateway(&mut self, vgw_id: &str, vpc_id: &str) {
        let (vgw_id, vpc_id) = (vgw_id.to_string(), vpc_id.to_string());
        self.tx(|tx, scope| vpn_gateway::detach(tx, scope, &vgw_id, &vpc_id));
    }

    /// A VPN connection between the two gateways: static with these routes, or BGP when `static_routes` is `None`.
    pub fn vpn_connection(&mut self, cgw_id: &str, vgw_id: &str, static_routes: Option<&[&str]>) -> String {
        let mut request = CreateVpnConnection {
            customer_gateway_id: cgw_id.into(),
            connection_type: "ipsec.1".into(),
            vpn_gateway_id: Some(vgw_id.into()),
            ..Default::default()
        };
        request.options.static_routes_only = Some(static_routes.is_some());
        let routes: Vec<String> = static_routes.unwrap_or_default().iter().map(|route| route.to_string()).collect();
        self.tx(|tx, scope| {
            let connection = vpn_connection::create(tx, scope, request)?;
            for route in &routes {
                vpn_connection::create_route(tx, scope, &connection.id, route)?;
            }
            Ok(connection.id.clone())
        })
    }

    pub fn tunnels(&mut self, vpn_id: &str, which: TunnelChoice, up: bool) {
        let id = vpn_id.to_string();
        self.tx(|tx, scope| vpn_connection::set_tunnels(tx, scope, &id, which, up));
    }

    pub fn propagate(&mut self, vgw_id: &str, table_id: &str) {
        let (vgw_id, table_id) = (vgw_id.to_string(), table_id.to_string());
        self.tx(|tx, scope| route_table::enable_vgw_route_propagation(tx, scope, &vgw_id, &table_id));
    }

    /// Probes from the on-premises network behind `cgw_id`.
    pub fn probe_from_site(&self, cgw_id: &str, to: &str, protocol: Protocol, mode: Mode) -> crate::Trace {
        let topology = self.topology();
        let site = topology.site(&self.scope, cgw_id).expect("site");
        trace(&topology, &Probe { from: Vantage::OnPremises(site), destination: to.parse().unwrap(), protocol }, mode)
    }
}

/// The worked scenario: VPC 10.6.0.0/16 with an instance at 10.6.1.4 whose group admits the office's ICMP, a VGW
/// attached, and an office (172.16.0.0/16) behind a customer gateway on a BGP connection.
struct Office {
    lab: Lab,
    vpc: String,
    subnet: String,
    host: String,
    vgw: String,
    cgw: String,
    vpn: String,
}

fn office() -> Office {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.6.0.0/16");
    let subnet = lab.subnet(&vpc, "10.6.1.0/24");
    let host = lab.instance(&subnet, "10.6.1.4");
    lab.allow_in(&host, "icmp", Some((-1, -1)), "172.16.0.0/16");
    let vgw = lab.vpn_gateway(&vpc);
    let cgw = lab.customer_gateway("203.0.113.12", "172.16.0.0/16");
    let vpn = lab.vpn_connection(&cgw, &vgw, None);
    Office { lab, vpc, subnet, host, vgw, cgw, vpn }
}

fn with_propagation() -> Office {
    let mut net = office();
    let table = net.lab.main_table(&net.vpc);
    net.lab.propagate(&net.vgw, &table);
    net
}

#[test]
fn propagated_bgp_routes_carry_traffic_to_the_site_and_back() {
    let net = with_propagation();
    let trace = net.lab.probe(&net.host, "172.16.0.1", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable, "{trace:#?}");
    let kinds: Vec<HopKind> = trace.forward.hops.iter().map(|hop| hop.kind).collect();
    assert!(kinds.ends_with(&[HopKind::VpnGateway, HopKind::VpnConnection, HopKind::OnPremises]), "{kinds:?}");
    let route = trace.forward.hops.iter().find(|hop| hop.kind == HopKind::RouteTable).unwrap();
    assert_eq!(route.detail, format!("172.16.0.0/16 -> {}", net.vgw));
    let reply = trace.reply.unwrap();
    assert!(reply.hops.iter().any(|hop| hop.kind == HopKind::VpnConnection && hop.id == net.vpn));
}

#[test]
fn without_propagation_or_a_static_route_there_is_no_route_to_the_site() {
    let mut net = office();
    let trace = net.lab.probe(&net.host, "172.16.0.1", Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::NoRouteToDestination]);
    // A static route to the gateway does what propagation does.
    net.lab.route(&net.vpc, "172.16.0.0/16", Target::Gateway(net.vgw.clone()));
    assert_eq!(net.lab.probe(&net.host, "172.16.0.1", Protocol::Icmp).verdict, Verdict::Reachable);
}

#[test]
fn a_static_route_beats_a_propagated_route_on_the_same_prefix() {
    let mut net = with_propagation();
    let igw = net.lab.igw(&net.vpc);
    net.lab.route(&net.vpc, "172.16.0.0/16", Target::Gateway(igw.clone()));
    let trace = net.lab.probe(&net.host, "172.16.0.1", Protocol::Icmp);
    let route = trace.forward.hops.iter().find(|hop| hop.kind == HopKind::RouteTable).unwrap();
    assert_eq!(route.detail, format!("172.16.0.0/16 -> {igw}"));
    assert!(trace.forward.hops.iter().all(|hop| hop.kind != HopKind::VpnGateway));
}

#[test]
fn a_prefix_list_route_beats_a_propagated_route_on_the_same_prefix() {
    // Part 2 §17.3 [D]: on an equal block, static CIDR over prefix list over propagated.
    let mut net = with_propagation();
    let igw = net.lab.igw(&net.vpc);
    let office = super::prefix_list::list(&mut net.lab, &["172.16.0.0/16"]);
    let request = route_table::RouteRequest {
        route_table_id: net.lab.main_table(&net.vpc),
        destination_prefix_list_id: Some(office),
        gateway_id: Some(igw.clone()),
        ..Default::default()
    };
    // Positive control: before the list route, the propagated route carries the packet to the site.
    let before = net.lab.probe(&net.host, "172.16.0.1", Protocol::Icmp);
    assert_eq!(before.verdict, Verdict::Reachable, "{before:#?}");
    assert!(before.forward.hops.iter().any(|hop| hop.kind == HopKind::VpnGateway));
    net.lab.tx(|tx, scope| route_table::create_route(tx, scope, &request));
    let trace = net.lab.probe(&net.host, "172.16.0.1", Protocol::Icmp);
    let route = trace.forward.hops.iter().find(|hop| hop.kind == HopKind::RouteTable).unwrap();
    assert_eq!(route.detail, format!("172.16.0.0/16 -> {igw}"));
    assert!(trace.forward.hops.iter().all(|hop| hop.kind != HopKind::VpnGateway), "{trace:#?}");
}

#[test]
fn a_longer_propagated_prefix_beats_a_shorter_static_route() {
    let mut net = with_propagation();
    let igw = net.lab.igw(&net.vpc);
    net.lab.route(&net.vpc, "172.16.0.0/12", Target::Gateway(igw));
    let trace = net.lab.probe(&net.host, "172.16.0.1", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable);
    assert!(trace.forward.hops.iter().any(|hop| hop.kind == HopKind::VpnGateway));
}

#[test]
fn the_local_route_beats_a_more_specific_propagated_route() {
    let mut net = with_propagation();
    let cgw = net.lab.customer_gateway("203.0.113.13", "10.6.1.0/24");
    net.lab.vpn_connection(&cgw, &net.vgw, None);
    let trace = net.lab.probe(&net.host, "10.6.1.4", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable);
    let other = net.lab.instance(&net.subnet.clone(), "10.6.1.5");
    let trace = net.lab.probe(&other, "10.6.1.4", Protocol::Icmp);
    assert!(trace.forward.hops.iter().all(|hop| hop.kind != HopKind::VpnGateway), "{trace:#?}");
}

#[test]
fn the_gateway_forwards_only_to_prefixes_it_knows() {
    let mut net = office();
    // A static route in the VPC for more than the site advertises: the gateway knows only 172.16.0.0/16.
    net.lab.route(&net.vpc, "172.0.0.0/8", Target::Gateway(net.vgw.clone()));
    assert_eq!(net.lab.probe(&net.host, "172.16.0.1", Protocol::Icmp).verdict, Verdict::Reachable);
    let trace = net.lab.probe(&net.host, "172.17.0.1", Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::NoRouteToDestination]);
    assert_eq!(trace.findings().next().unwrap().component, net.vgw);
}

#[test]
fn a_static_connection_reaches_its_static_routes() {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.6.0.0/16");
    let subnet = lab.subnet(&vpc, "10.6.1.0/24");
    let host = lab.instance(&subnet, "10.6.1.4");
    lab.allow_in(&host, "icmp", Some((-1, -1)), "192.168.0.0/16");
    let vgw = lab.vpn_gateway(&vpc);
    let cgw = lab.customer_gateway("203.0.113.12", "");
    lab.vpn_connection(&cgw, &vgw, Some(&["192.168.10.0/24"]));
    let table = lab.main_table(&vpc);
    lab.propagate(&vgw, &table);
    assert_eq!(lab.probe(&host, "192.168.10.20", Protocol::Icmp).verdict, Verdict::Reachable);
    let trace = lab.probe_from_site(&cgw, "10.6.1.4", Protocol::Icmp, Mode::FirstDrop);
    assert_eq!(trace.verdict, Verdict::Reachable, "{trace:#?}");
    assert_eq!(trace.forward.delivered.unwrap().1.src, "192.168.10.1".parse::<std::net::Ipv4Addr>().unwrap());
}

#[test]
fn one_tunnel_down_the_other_carries_the_traffic() {
    let mut net = with_propagation();
    let vpn = net.vpn.clone();
    net.lab.tunnels(&vpn, TunnelChoice::One(1), false);
    let trace = net.lab.probe(&net.host, "172.16.0.1", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable);
    let hop = trace.forward.hops.iter().find(|hop| hop.kind == HopKind::VpnConnection).unwrap();
    assert!(hop.detail.contains("tunnel 2"), "{}", hop.detail);
}

#[test]
fn both_tunnels_down_is_bad_state_vpn() {
    let mut net = office();
    // A static route keeps the VPC's side in place (a BGP route would be withdrawn with the tunnels).
    net.lab.route(&net.vpc, "172.16.0.0/16", Target::Gateway(net.vgw.clone()));
    let vpn = net.vpn.clone();
    net.lab.tunnels(&vpn, TunnelChoice::Both, false);
    let trace = net.lab.probe(&net.host, "172.16.0.1", Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::BadStateVpn]);
    assert_eq!(Code::BadStateVpn.as_str(), "BAD_STATE_VPN");
    let from_site = net.lab.probe_from_site(&net.cgw, "10.6.1.4", Protocol::Icmp, Mode::FirstDrop);
    assert_eq!(codes(&from_site), vec![Code::BadStateVpn]);
    net.lab.tunnels(&vpn, TunnelChoice::One(2), true);
    assert_eq!(net.lab.probe(&net.host, "172.16.0.1", Protocol::Icmp).verdict, Verdict::Reachable);
}

#[test]
fn bgp_routes_are_withdrawn_when_both_tunnels_are_down() {
    let mut net = with_propagation();
    let vpn = net.vpn.clone();
    net.lab.tunnels(&vpn, TunnelChoice::Both, false);
    assert_eq!(codes(&net.lab.probe(&net.host, "172.16.0.1", Protocol::Icmp)), vec![Code::NoRouteToDestination]);
}

#[test]
fn a_route_to_a_detached_gateway_is_a_blackhole() {
    let mut net = office();
    net.lab.route(&net.vpc, "172.16.0.0/16", Target::Gateway(net.vgw.clone()));
    net.lab.detach_vpn_gateway(&net.vgw, &net.vpc);
    let trace = net.lab.probe(&net.host, "172.16.0.1", Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::BadStateRoute]);
    let all = net.lab.explain(&net.host, "172.16.0.1", Protocol::Icmp);
    let forward: Vec<Code> = all.forward.findings.iter().map(|finding| finding.code).collect();
    assert_eq!(forward, vec![Code::BadStateRoute, Code::BadStateAttachment], "route and gateway both named");
    let from_site = net.lab.probe_from_site(&net.cgw, "10.6.1.4", Protocol::Icmp, Mode::FirstDrop);
    assert_eq!(codes(&from_site), vec![Code::BadStateAttachment]);
}

#[test]
fn the_gateway_takes_only_the_vpcs_own_interfaces_traffic() {
    let mut net = office();
    net.lab.route(&net.vpc, "172.16.0.0/16", Target::Gateway(net.vgw.clone()));
    let topology = net.lab.topology();
    let eni = topology.instance_eni(&net.host).unwrap();
    let spoofed = Packet::request("10.9.9.9".parse().unwrap(), "172.16.0.1".parse().unwrap(), Protocol::Icmp);
    let leg = walk(&topology, Vantage::Eni(eni), spoofed, false, Mode::FirstDrop);
    let codes: Vec<Code> = leg.findings.iter().map(|finding| finding.code).collect();
    assert_eq!(codes, vec![Code::VgwPrivateIpAssociationForEgress]);
    let own = Packet::request("10.6.1.4".parse().unwrap(), "172.16.0.1".parse().unwrap(), Protocol::Icmp);
    assert!(walk(&topology, Vantage::Eni(eni), own, false, Mode::FirstDrop).findings.is_empty());
}

#[test]
fn from_the_site_only_private_addresses_of_the_vpcs_interfaces_are_reached() {
    let net = with_propagation();
    assert_eq!(
        net.lab.probe_from_site(&net.cgw, "10.6.1.4", Protocol::Icmp, Mode::FirstDrop).verdict,
        Verdict::Reachable
    );
    let trace = net.lab.probe_from_site(&net.cgw, "10.6.1.99", Protocol::Icmp, Mode::FirstDrop);
    assert_eq!(codes(&trace), vec![Code::VgwPrivateIpAssociationForIngress]);
}

#[test]
fn vpn_traffic_never_leaves_by_the_vpcs_peering_connection() {
    let mut net = with_propagation();
    let peer = net.lab.vpc("10.7.0.0/16");
    let peer_subnet = net.lab.subnet(&peer, "10.7.1.0/24");
    let peer_host = net.lab.instance(&peer_subnet, "10.7.1.10");
    net.lab.allow_in(&peer_host, "icmp", Some((-1, -1)), "0.0.0.0/0");
    let pcx = net.lab.peer(&net.vpc, &peer, None);
    net.lab.route(&net.vpc, "10.7.0.0/16", Target::Peering(pcx.clone()));
    net.lab.route(&peer, "172.16.0.0/16", Target::Peering(pcx));
    let trace = net.lab.probe_from_site(&net.cgw, "10.7.1.10", Protocol::Icmp, Mode::FirstDrop);
    assert_eq!(codes(&trace), vec![Code::VgwPrivateIpAssociationForIngress]);
}

#[test]
fn the_sites_network_acl_and_security_group_rules_apply_on_the_way_in() {
    let mut net = with_propagation();
    let trace = net.lab.probe_from_site(&net.cgw, "10.6.1.4", Protocol::Tcp(22), Mode::FirstDrop);
    assert_eq!(codes(&trace), vec![Code::EniSgRulesMismatch]);
    net.lab.allow_in(&net.host, "tcp", Some((22, 22)), "172.16.0.0/16");
    assert_eq!(
        net.lab.probe_from_site(&net.cgw, "10.6.1.4", Protocol::Tcp(22), Mode::FirstDrop).verdict,
        Verdict::Reachable
    );
    let subnet = net.subnet.clone();
    net.lab.custom_acl(&net.vpc, &subnet);
    let trace = net.lab.probe_from_site(&net.cgw, "10.6.1.4", Protocol::Tcp(22), Mode::FirstDrop);
    assert_eq!(codes(&trace), vec![Code::SubnetAclRestriction]);
}

#[test]
fn vpn_cloudhub_joins_two_sites_of_one_gateway() {
    let mut net = office();
    let branch = net.lab.customer_gateway("203.0.113.20", "172.20.0.0/16");
    net.lab.vpn_connection(&branch, &net.vgw, None);
    let trace = net.lab.probe_from_site(&net.cgw, "172.20.0.9", Protocol::Icmp, Mode::FirstDrop);
    assert_eq!(trace.verdict, Verdict::Reachable, "{trace:#?}");
    let sites: Vec<&str> =
        trace.forward.hops.iter().filter(|hop| hop.kind == HopKind::OnPremises).map(|hop| hop.id.as_str()).collect();
    assert_eq!(sites, vec![net.cgw.as_str(), branch.as_str()]);
}

#[test]
fn the_sites_probes_come_from_the_first_host_of_its_first_prefix() {
    let mut lab = Lab::new();
    let cgw = lab.customer_gateway("203.0.113.12", "172.31.0.0/16,172.16.8.0/22");
    let topology = lab.topology();
    let site = topology.site(&lab.scope, &cgw).unwrap();
    assert_eq!(topology.vpn.sites[site].source, Some("172.16.8.1".parse().unwrap()));
    // Another account has no such site.
    let other = localvpc_model::Scope::new("222222222222", "us-east-1");
    assert_eq!(topology.site(&other, &cgw), None);
    let trace = lab.probe_from_site(&cgw, "10.6.1.4", Protocol::Icmp, Mode::FirstDrop);
    assert_eq!(codes(&trace), vec![Code::NoRouteToDestination]);
}

#[test]
fn a_transit_gateway_hands_traffic_to_a_vpn_attachment_unless_both_tunnels_are_down() {
    let mut lab = Lab::new();
    let tgw = lab
        .tx(|tx, scope| localvpc_model::transit_gateway::create(tx, scope, None, Default::default(), Vec::new()))
        .id
        .clone();
    let cgw = lab.customer_gateway("203.0.113.12", "172.16.0.0/16");
    let mut request = CreateVpnConnection {
        customer_gateway_id: cgw.clone(),
        connection_type: "ipsec.1".into(),
        transit_gateway_id: Some(tgw.clone()),
        ..Default::default()
    };
    request.options.static_routes_only = Some(false);
    let vpn = lab.tx(|tx, scope| vpn_connection::create(tx, scope, request)).id.clone();
    let packet = Packet::request("10.6.1.4".parse().unwrap(), "172.16.0.1".parse().unwrap(), Protocol::Icmp);
    let leg = crate::walk::vpn_attachment_leg(&lab.topology(), &tgw, &vpn, packet);
    assert!(leg.findings.is_empty(), "{leg:#?}");
    assert!(matches!(leg.delivered, Some((crate::Endpoint::OnPremises(..), _))));
    lab.tunnels(&vpn, TunnelChoice::Both, false);
    let leg = crate::walk::vpn_attachment_leg(&lab.topology(), &tgw, &vpn, packet);
    let codes: Vec<Code> = leg.findings.iter().map(|finding| finding.code).collect();
    assert_eq!(codes, vec![Code::TgwBadStateVpn]);
    assert_eq!(Code::TgwBadStateVpn.as_str(), "TGW_BAD_STATE_VPN");
}

#[test]
fn a_vpc_reaches_a_site_through_a_transit_gateways_vpn_attachment() {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.6.0.0/16");
    let subnet = lab.subnet(&vpc, "10.6.1.0/24");
    let host = lab.instance(&subnet, "10.6.1.4");
    let (tgw, table) = lab.transit_gateway();
    lab.attach(&tgw, &vpc, &[&subnet]);
    lab.route(&vpc, "172.16.0.0/16", Target::TransitGateway(tgw.clone()));
    let cgw = lab.customer_gateway("203.0.113.12", "172.16.0.0/16");
    let mut request = CreateVpnConnection {
        customer_gateway_id: cgw.clone(),
        connection_type: "ipsec.1".into(),
        transit_gateway_id: Some(tgw.clone()),
        ..Default::default()
    };
    request.options.static_routes_only = Some(false);
    let vpn = lab.tx(|tx, scope| vpn_connection::create(tx, scope, request)).id.clone();
    // The BGP prefix propagated into the gateway's default table carries the packet into the tunnel.
    let trace = lab.probe(&host, "172.16.0.1", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable, "{trace:#?}");
    assert!(matches!(trace.forward.delivered, Some((crate::Endpoint::OnPremises(..), _))));
    assert!(trace.forward.hops.iter().any(|hop| hop.kind == HopKind::VpnConnection && hop.id == vpn));
    // And the site reaches the instance the same way back, its group admitting the site.
    lab.allow_in(&host, "icmp", Some((-1, -1)), "172.16.0.0/16");
    let from_site = lab.probe_from_site(&cgw, "10.6.1.4", Protocol::Icmp, Mode::FirstDrop);
    assert_eq!(from_site.verdict, Verdict::Reachable, "{from_site:#?}");
    // Both tunnels down: the BGP route is withdrawn; a static route to the attachment then meets the dead tunnels.
    lab.tunnels(&vpn, TunnelChoice::Both, false);
    assert_eq!(codes(&lab.probe(&host, "172.16.0.1", Protocol::Icmp)), vec![Code::TgwRtbNoRouteToTgwAttachment]);
    let attachment = lab
        .world
        .spanning::<localvpc_model::transit_gateway::TransitGatewayAttachment>()
        .values()
        .find(|attachment| attachment.resource_type() == "vpn")
        .unwrap()
        .id
        .clone();
    lab.tgw_route(&table, "172.16.0.0/16", Some(&attachment));
    assert_eq!(codes(&lab.probe(&host, "172.16.0.1", Protocol::Icmp)), vec![Code::TgwBadStateVpn]);
}
