//! NAT64 through a NAT gateway (part 2 §13.2, §16.4): one test per rule — an IPv6 packet to `64:ff9b::/96` leaves
//! the gateway as IPv4 (its private address, the Elastic IP beyond the internet gateway, the embedded destination)
//! and the answer comes back as IPv6; no route, a gateway gone, no internet route in its subnet, the sender's
//! group, a private gateway at an internet gateway and an IPv6 destination outside the prefix each stop it; the
//! gateway's interface logs the translated legs.

use std::net::IpAddr;

use localvpc_model::route_table::{self, RouteRequest};
use localvpc_model::security_group::RulePeer;

use super::codes;
use super::lab::{Lab, Target};
use crate::flow_log::records;
use crate::packet::{proto, Code, HopKind, Protocol, Verdict};

/// 203.0.113.7, a host of the emulated internet, in the NAT64 prefix.
const HOST6: &str = "64:ff9b::cb00:7107";
const HOST: &str = "203.0.113.7";

struct Nat64 {
    lab: Lab,
    vpc: String,
    private_table: String,
    host: String,
    host_ip6: IpAddr,
    nat: String,
    eip: Option<std::net::Ipv4Addr>,
}

impl Lab {
    /// An IPv6 route in the table `table_id` to the NAT gateway `nat_id`.
    fn route6_to_nat(&mut self, table_id: &str, destination: &str, nat_id: &str) {
        let request = RouteRequest {
            route_table_id: table_id.into(),
            destination_ipv6: Some(destination.into()),
            nat_gateway_id: Some(nat_id.into()),
            ..RouteRequest::default()
        };
        self.tx(|tx, scope| route_table::create_route(tx, scope, &request));
    }
}

/// A dual-stack VPC: an IPv4 subnet (0.0.0.0/0 → IGW) holding a NAT gateway, and a subnet with an IPv6 /64 and its
/// own table, whose instance has an IPv6 address; with `route`, that table sends `64:ff9b::/96` to the gateway.
fn nat64(public: bool, route: bool) -> Nat64 {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.20.0.0/16");
    let block = lab.ipv6_block(&vpc);
    let nat_subnet = lab.subnet(&vpc, "10.20.0.0/24");
    let private = lab.subnet(&vpc, "10.20.1.0/24");
    lab.ipv6_subnet_block(&private, block, 1);
    let igw = lab.igw(&vpc);
    lab.route(&vpc, "0.0.0.0/0", Target::Gateway(igw));
    let (nat, eip) = lab.nat_gateway(&nat_subnet, public);
    let private_table = lab.own_table(&vpc, &private);
    if route {
        lab.route6_to_nat(&private_table, "64:ff9b::/96", &nat);
    }
    let host = lab.instance(&private, "10.20.1.10");
    let host_ip6 = lab.ipv6_address(&host).parse().unwrap();
    Nat64 { lab, vpc, private_table, host, host_ip6, nat, eip }
}

fn nat_hops(leg: &crate::Leg, nat: &str) -> Vec<String> {
    leg.hops.iter().filter(|h| h.kind == HopKind::NatGateway && h.id == nat).map(|h| h.detail.clone()).collect()
}

#[test]
fn nat64_an_ipv6_ping_to_64_ff9b_leaves_as_the_nat_gateways_elastic_ip_and_comes_back_as_ipv6() {
    let net = nat64(true, true);
    let trace = net.lab.probe(&net.host, HOST6, Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable, "{trace:#?}");
    let (_, arrived) = trace.forward.delivered.expect("arrived");
    let eip = net.eip.expect("public");
    assert_eq!((arrived.src, arrived.dst), (IpAddr::V4(eip), HOST.parse().unwrap()), "the internet sees the EIP");
    assert_eq!((arrived.protocol, arrived.icmp), (proto::ICMP, (8, 0)), "an ICMP echo request on the IPv4 side");
    let reply = trace.reply.as_ref().unwrap();
    let (_, answered) = reply.delivered.expect("answered");
    assert_eq!((answered.src, answered.dst), (HOST6.parse().unwrap(), net.host_ip6));
    assert_eq!((answered.protocol, answered.icmp), (proto::ICMPV6, (129, 0)), "an ICMPv6 echo reply");
    // The translation shows as the NAT gateway's hop both ways (NGW_SOURCE_ADDRESS_REASSIGN).
    let topology = net.lab.topology();
    let nat_ip = topology.enis[topology.nat_gateway(&net.nat).unwrap().eni.unwrap()].private_ip.unwrap();
    assert_eq!(
        nat_hops(&trace.forward, &net.nat),
        vec![format!("{} -> {nat_ip} (icmpv6 type 128 code 0), NAT64 {HOST6} -> {HOST}", net.host_ip6)]
    );
    assert_eq!(nat_hops(reply, &net.nat), vec![format!("{nat_ip} -> {}, NAT64 {HOST} -> {HOST6}", net.host_ip6)]);
    // TCP: the source port is remapped on the IPv4 side and restored on the way back.
    let tcp = net.lab.probe(&net.host, HOST6, Protocol::Tcp(443));
    assert_eq!(tcp.verdict, Verdict::Reachable, "{tcp:#?}");
    let (_, arrived) = tcp.forward.delivered.unwrap();
    assert_eq!((arrived.src, arrived.dst, arrived.dst_port), (IpAddr::V4(eip), HOST.parse().unwrap(), 443));
    assert!(arrived.src_port >= 1024 && arrived.src_port != crate::packet::EPHEMERAL_PORT);
    let (_, answered) = tcp.reply.unwrap().delivered.unwrap();
    assert_eq!((answered.dst, answered.dst_port), (net.host_ip6, crate::packet::EPHEMERAL_PORT));
}

#[test]
fn nat64_without_a_64_ff9b_route_nothing_reaches_the_nat_gateway() {
    let mut net = nat64(true, false);
    let trace = net.lab.probe(&net.host, HOST6, Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Dropped);
    assert_eq!(codes(&trace), vec![Code::NoRouteToDestination]);
    assert!(nat_hops(&trace.forward, &net.nat).is_empty());
    // Positive control: the route makes the same probe reachable.
    let table = net.private_table.clone();
    let nat = net.nat.clone();
    net.lab.route6_to_nat(&table, "64:ff9b::/96", &nat);
    assert_eq!(net.lab.probe(&net.host, HOST6, Protocol::Icmp).verdict, Verdict::Reachable);
}

#[test]
fn nat64_through_a_deleted_nat_gateway_is_a_blackhole_route() {
    let mut net = nat64(true, true);
    assert_eq!(net.lab.probe(&net.host, HOST6, Protocol::Icmp).verdict, Verdict::Reachable);
    net.lab.delete_nat_gateway(&net.nat);
    let trace = net.lab.probe(&net.host, HOST6, Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::BadStateRoute]);
    let all = net.lab.explain(&net.host, HOST6, Protocol::Icmp);
    assert_eq!(codes(&all), vec![Code::BadStateRoute, Code::BadState], "route and gateway both named");
}

#[test]
fn nat64_needs_the_nat_gateways_subnet_to_route_ipv4_to_the_internet_gateway() {
    let mut net = nat64(true, true);
    assert_eq!(net.lab.probe(&net.host, HOST6, Protocol::Icmp).verdict, Verdict::Reachable);
    net.lab.delete_route(&net.vpc, "0.0.0.0/0");
    let trace = net.lab.probe(&net.host, HOST6, Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::NoRouteToDestination]);
    // The packet was already IPv4, from the gateway to the embedded address, when its subnet found no route.
    let finding = trace.findings().next().unwrap();
    assert_eq!(finding.packet.dst, HOST.parse::<IpAddr>().unwrap());
    let nat_subnet: ipnet::Ipv4Net = "10.20.0.0/24".parse().unwrap();
    let IpAddr::V4(source) = finding.packet.src else { panic!("{:?}", finding.packet) };
    assert!(nat_subnet.contains(&source), "{:?}", finding.packet);
    assert!(finding.fix.contains("0.0.0.0/0"), "{}", finding.fix);
}

#[test]
fn nat64_still_needs_the_senders_group_to_allow_ipv6_egress() {
    let mut net = nat64(true, true);
    net.lab.clear_egress(&net.host);
    let trace = net.lab.probe(&net.host, HOST6, Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::EniSgRulesMismatch]);
    // An IPv4 0.0.0.0/0 rule does not cover an IPv6 destination; ::/0 does.
    net.lab.allow(&net.host, true, "-1", None, RulePeer::Cidr("0.0.0.0/0".parse().unwrap()));
    assert_eq!(codes(&net.lab.probe(&net.host, HOST6, Protocol::Icmp)), vec![Code::EniSgRulesMismatch]);
    net.lab.allow(&net.host, true, "-1", None, RulePeer::Ipv6Cidr("::/0".parse().unwrap()));
    assert_eq!(net.lab.probe(&net.host, HOST6, Protocol::Icmp).verdict, Verdict::Reachable);
}

#[test]
fn nat64_through_a_private_nat_gateway_has_no_public_address_at_the_internet_gateway() {
    let net = nat64(false, true);
    let trace = net.lab.probe(&net.host, HOST6, Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::NoPublicAddress]);
    // It did translate: the internet gateway met the gateway's IPv4 packet.
    assert_eq!(nat_hops(&trace.forward, &net.nat).len(), 1);
    assert_eq!(trace.findings().next().unwrap().packet.dst, HOST.parse::<IpAddr>().unwrap());
}

#[test]
fn nat64_through_a_private_nat_gateway_follows_its_subnets_routes_to_a_peered_ipv4_host() {
    let mut net = nat64(false, true);
    let other = net.lab.vpc("10.30.0.0/16");
    let other_subnet = net.lab.subnet(&other, "10.30.1.0/24");
    let other_host = net.lab.instance(&other_subnet, "10.30.1.10");
    net.lab.allow_in(&other_host, "icmp", Some((-1, -1)), "10.20.0.0/16");
    let pcx = net.lab.peer(&net.vpc, &other, None);
    // The NAT gateway's subnet uses the main table; the peer routes back to the gateway's address.
    net.lab.route(&net.vpc, "10.30.0.0/16", Target::Peering(pcx.clone()));
    let peer_ip6 = crate::dns::dns64_address("10.30.1.10".parse().unwrap()).to_string();
    let one_way = net.lab.probe(&net.host, &peer_ip6, Protocol::Icmp);
    assert_eq!(codes(&one_way), vec![Code::NoRouteToDestination], "no route back from the peer yet");
    net.lab.route(&other, "10.20.0.0/16", Target::Peering(pcx));
    let trace = net.lab.probe(&net.host, &peer_ip6, Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable, "{trace:#?}");
    let topology = net.lab.topology();
    let nat_ip = topology.enis[topology.nat_gateway(&net.nat).unwrap().eni.unwrap()].private_ip.unwrap();
    let (_, arrived) = trace.forward.delivered.unwrap();
    assert_eq!(
        (arrived.src, arrived.dst),
        (IpAddr::V4(nat_ip), "10.30.1.10".parse().unwrap()),
        "the peer sees the NAT"
    );
    let (_, answered) = trace.reply.unwrap().delivered.unwrap();
    assert_eq!((answered.src, answered.dst), (peer_ip6.parse().unwrap(), net.host_ip6));
}

#[test]
fn nat64_an_ipv6_destination_outside_64_ff9b_routed_to_a_nat_gateway_is_dropped_there() {
    let mut net = nat64(true, true);
    let (table, nat) = (net.private_table.clone(), net.nat.clone());
    net.lab.route6_to_nat(&table, "2001:db8::/32", &nat);
    let trace = net.lab.probe(&net.host, "2001:db8:1::1", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Dropped);
    assert_eq!(codes(&trace), vec![Code::CannotRoute]);
    let finding = trace.findings().next().unwrap();
    assert_eq!(finding.component, net.nat);
    assert!(finding.detail.contains("64:ff9b::/96"), "{}", finding.detail);
    assert!(nat_hops(&trace.forward, &net.nat).is_empty(), "nothing was translated");
    // Positive control: the prefix through the same gateway passes.
    assert_eq!(net.lab.probe(&net.host, HOST6, Protocol::Icmp).verdict, Verdict::Reachable);
}

#[test]
fn nat64_the_nat_gateways_interface_logs_the_translated_legs_with_its_ipv4_address() {
    let net = nat64(true, true);
    let trace = net.lab.probe(&net.host, HOST6, Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable);
    let topology = net.lab.topology();
    let nat_eni = topology.nat_gateway(&net.nat).unwrap().eni.unwrap();
    let nat_ip = topology.enis[nat_eni].private_ip.unwrap().to_string();
    let host = net.host_ip6.to_string();
    let at_nat: Vec<(bool, [String; 4], i32)> = records(&topology, &trace)
        .into_iter()
        .filter(|r| r.eni == nat_eni)
        .map(|r| (r.ingress, [r.srcaddr, r.dstaddr, r.pkt_src, r.pkt_dst].map(|a| a.to_string()), r.protocol))
        .collect();
    let line = |ingress, addresses: [&str; 4], protocol| (ingress, addresses.map(String::from), protocol);
    assert_eq!(
        at_nat,
        vec![
            // In from the host over IPv6 (the gateway has no IPv6 address: the packet's own destination).
            line(true, [&host, HOST6, &host, HOST6], proto::ICMPV6),
            // Out as IPv4 from the gateway's private address; pkt-srcaddr keeps the original host.
            line(false, [&nat_ip, HOST, &host, HOST], proto::ICMP),
            // The answer in over IPv4, to the gateway's address.
            line(true, [HOST, &nat_ip, HOST, &nat_ip], proto::ICMP),
            // Back out to the host over IPv6, from the NAT64 address of the answering host.
            line(false, [HOST6, &host, HOST6, &host], proto::ICMPV6),
        ]
    );
}
