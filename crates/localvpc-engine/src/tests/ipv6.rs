//! IPv6 (part 2 §16.2): one test per rule — IPv4 and IPv6 routes as independent longest-prefix matches in one
//! table, an interface without an IPv6 address sending nothing, and (with addresses) an egress-only internet
//! gateway passing the answers of outbound flows only.

use std::net::IpAddr;

use localvpc_model::egress_only_internet_gateway::{self, CreateEgressOnlyInternetGateway};
use localvpc_model::network_interface::{self, AssignIpv6Addresses};
use localvpc_model::route_table::{self, RouteRequest};
use localvpc_model::security_group::RulePeer;
use localvpc_model::{subnet, vpc};

use super::codes;
use super::lab::Lab;
use crate::packet::{Code, HopKind, Protocol, Verdict};
use crate::topology::Target;

impl Lab {
    /// Gives `vpc_id` an Amazon-provided /56; returns it.
    pub fn ipv6_block(&mut self, vpc_id: &str) -> ipnet::Ipv6Net {
        let id = vpc_id.to_string();
        self.tx(|tx, scope| vpc::associate_ipv6_cidr_block(tx, scope, &id, None)).ipv6_cidr_block
    }

    /// Gives `subnet_id` the `index`-th /64 of `block`; returns it.
    pub fn ipv6_subnet_block(&mut self, subnet_id: &str, block: ipnet::Ipv6Net, index: u8) -> ipnet::Ipv6Net {
        let network = u128::from(block.network()) | (u128::from(index) << 64);
        let text = format!("{}/64", std::net::Ipv6Addr::from(network));
        let id = subnet_id.to_string();
        self.tx(|tx, scope| subnet::associate_cidr_block(tx, scope, &id, &text)).ipv6_cidr_block
    }

    /// An egress-only internet gateway for `vpc_id`.
    pub fn egress_only_gateway(&mut self, vpc_id: &str) -> String {
        let request = CreateEgressOnlyInternetGateway { vpc_id: vpc_id.into(), ..Default::default() };
        self.tx(|tx, scope| egress_only_internet_gateway::create(tx, scope, request)).id.clone()
    }

    /// Assigns the instance's primary interface one IPv6 address of its subnet; returns it.
    pub fn ipv6_address(&mut self, instance_id: &str) -> String {
        let eni = self.topology().instance_eni(instance_id).expect("instance");
        let eni_id = self.topology().enis[eni].id.clone();
        let request = AssignIpv6Addresses { count: Some(1), addresses: Vec::new() };
        self.tx(|tx, scope| network_interface::assign_ipv6(tx, scope, &eni_id, &request))[0].to_string()
    }

    /// Deletes the IPv6 route to `destination` from `vpc_id`'s main table.
    pub fn delete_route6(&mut self, vpc_id: &str, destination: &str) {
        let table = self.main_table(vpc_id);
        self.tx(|tx, scope| route_table::delete_ipv6_route(tx, scope, &table, destination));
    }

    /// An IPv6 route in `vpc_id`'s main table, to an egress-only gateway, a peering connection, a transit gateway or an
    /// internet gateway.
    pub fn route6(&mut self, vpc_id: &str, destination: &str, gateway: &str) {
        let mut request = RouteRequest {
            route_table_id: self.main_table(vpc_id),
            destination_ipv6: Some(destination.into()),
            ..RouteRequest::default()
        };
        if gateway.starts_with("eigw-") {
            request.egress_only_internet_gateway_id = Some(gateway.into());
        } else if gateway.starts_with("pcx-") {
            request.vpc_peering_connection_id = Some(gateway.into());
        } else if gateway.starts_with("tgw-") {
            request.transit_gateway_id = Some(gateway.into());
        } else {
            request.gateway_id = Some(gateway.into());
        }
        self.tx(|tx, scope| route_table::create_route(tx, scope, &request));
    }
}

/// A VPC 10.6.0.0/16 with an IPv6 /56, a subnet with its first /64 and an instance at 10.6.1.10.
fn dual_stack() -> (Lab, String, String, ipnet::Ipv6Net) {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.6.0.0/16");
    let block = lab.ipv6_block(&vpc);
    let subnet = lab.subnet(&vpc, "10.6.1.0/24");
    let subnet_block = lab.ipv6_subnet_block(&subnet, block, 1);
    let instance = lab.instance(&subnet, "10.6.1.10");
    (lab, vpc, instance, subnet_block)
}

#[test]
fn ipv4_and_ipv6_routes_are_independent_longest_prefix_matches() {
    let (mut lab, vpc, _, subnet_block) = dual_stack();
    let eigw = lab.egress_only_gateway(&vpc);
    lab.route6(&vpc, "::/0", &eigw);
    let topology = lab.topology();
    let table = &topology.subnets[0].route_table;
    let internet_v6: IpAddr = "2001:db8:1::1".parse().unwrap();
    assert_eq!(
        table.lookup(internet_v6).map(|route| route.target.clone()),
        Some(Target::EgressOnlyInternetGateway(eigw))
    );
    // The IPv6 default route is no IPv4 default route.
    assert_eq!(table.lookup("8.8.8.8".parse().unwrap()), None);
    // Each family's local route matches its own addresses only.
    let inside_v6 = IpAddr::V6(subnet_block.network());
    assert_eq!(table.lookup(inside_v6).map(|route| route.target.clone()), Some(Target::Local));
    assert_eq!(table.lookup("10.6.200.1".parse().unwrap()).map(|route| route.target.clone()), Some(Target::Local));
    assert!(topology.subnets[0].contains(inside_v6) && topology.vpcs[0].contains(inside_v6));
}

#[test]
fn an_interface_without_an_ipv6_address_sends_nothing_to_an_ipv6_destination() {
    let (mut lab, vpc, instance, _) = dual_stack();
    let eigw = lab.egress_only_gateway(&vpc);
    lab.route6(&vpc, "::/0", &eigw);
    let trace = lab.probe(&instance, "2001:db8:1::1", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Dropped);
    assert_eq!(codes(&trace), vec![Code::CannotRoute]);
    assert!(trace.forward.hops.is_empty(), "{trace:#?}");
    assert!(trace.findings().next().unwrap().fix.contains("AssignIpv6Addresses"));
    // Positive control: IPv4 from the same instance leaves (and meets the missing IPv4 route, not this).
    let ipv4 = lab.probe(&instance, "8.8.8.8", Protocol::Icmp);
    assert_eq!(codes(&ipv4), vec![Code::NoRouteToDestination]);
}

/// A dual-stack instance with an IPv6 address behind `::/0 → gateway` (an egress-only gateway when `egress_only`,
/// else an internet gateway); its group admits ICMPv6 from anywhere.
fn reachable_from_the_internet(egress_only: bool) -> (Lab, String, String, String) {
    let (mut lab, vpc, instance, _) = dual_stack();
    let gateway = if egress_only { lab.egress_only_gateway(&vpc) } else { lab.igw(&vpc) };
    lab.route6(&vpc, "::/0", &gateway);
    let address = lab.ipv6_address(&instance);
    lab.allow(&instance, false, "58", Some((-1, -1)), RulePeer::Ipv6Cidr("::/0".parse().unwrap()));
    (lab, instance, address, gateway)
}

#[test]
fn an_egress_only_gateway_carries_outbound_ipv6_and_its_answers() {
    let (lab, instance, address, eigw) = reachable_from_the_internet(true);
    let trace = lab.probe(&instance, "2001:db8:1::1", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable, "{trace:#?}");
    let gateway = trace.forward.hops.iter().find(|hop| hop.kind == HopKind::EgressOnlyInternetGateway).unwrap();
    assert_eq!(gateway.id, eigw);
    // Not translated: the internet sees the instance's own address.
    let (_, arrived) = trace.forward.delivered.unwrap();
    assert_eq!(arrived.src.to_string(), address);
    assert_eq!(arrived.protocol, crate::packet::proto::ICMPV6);
    assert!(trace.reply.unwrap().hops.iter().any(|hop| hop.kind == HopKind::EgressOnlyInternetGateway));
}

#[test]
fn an_egress_only_gateway_stops_a_connection_started_on_the_internet() {
    let (lab, _, address, eigw) = reachable_from_the_internet(true);
    let trace = lab.probe("internet", &address, Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Dropped);
    assert_eq!(codes(&trace), vec![Code::EgressOnlyInbound]);
    assert_eq!(trace.findings().next().unwrap().component, eigw);
    // Positive control: through an internet gateway the same group admits it.
    let (lab, _, address, _) = reachable_from_the_internet(false);
    let trace = lab.probe("internet", &address, Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable, "{trace:#?}");
    assert!(trace.forward.hops.iter().any(|hop| hop.kind == HopKind::InternetGateway));
}

#[test]
fn ipv4_rules_never_admit_ipv6_packets() {
    let (mut lab, vpc, instance, _) = dual_stack();
    let igw = lab.igw(&vpc);
    lab.route6(&vpc, "::/0", &igw);
    let address = lab.ipv6_address(&instance);
    lab.allow_in(&instance, "-1", None, "0.0.0.0/0");
    let trace = lab.probe("internet", &address, Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::EniSgRulesMismatch]);
    // Positive control: an IPv6 rule admits it.
    lab.allow(&instance, false, "-1", None, RulePeer::Ipv6Cidr("::/0".parse().unwrap()));
    assert_eq!(lab.probe("internet", &address, Protocol::Icmp).verdict, Verdict::Reachable);
}

#[test]
fn an_ipv6_network_acl_entry_decides_for_ipv6_packets_only() {
    let (mut lab, instance, address, _) = reachable_from_the_internet(false);
    let subnet = lab.topology().subnets.iter().find(|node| node.ipv6_cidr.is_some()).unwrap().id.clone();
    lab.acl_entry(&subnet, 90, false, false, "58", "2001:db8:5100::/48", None);
    let trace = lab.probe("internet", &address, Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::SubnetAclRestriction], "{trace:#?}");
    // Positive control: IPv4 traffic from the same subnet's view is not decided by the IPv6 entry.
    let ipv4 = lab.probe(&instance, "10.6.1.10", Protocol::Icmp);
    assert_eq!(ipv4.verdict, Verdict::Reachable);
}

#[test]
fn an_active_peering_carries_ipv6_between_the_two_blocks() {
    let (mut lab, a, instance_a, _) = dual_stack();
    let b = lab.vpc("10.7.0.0/16");
    let block_b = lab.ipv6_block(&b);
    let subnet_b = lab.subnet(&b, "10.7.1.0/24");
    lab.ipv6_subnet_block(&subnet_b, block_b, 1);
    let instance_b = lab.instance(&subnet_b, "10.7.1.10");
    lab.ipv6_address(&instance_a);
    let address_b = lab.ipv6_address(&instance_b);
    lab.allow(&instance_b, false, "58", Some((-1, -1)), RulePeer::Ipv6Cidr("::/0".parse().unwrap()));
    let pcx = lab.peer(&a, &b, None);
    let topology = lab.topology();
    let block_a = topology.vpcs.iter().find(|node| node.id == a).unwrap().ipv6_cidrs[0].to_string();
    lab.route6(&b, &block_a, &pcx);
    // No IPv6 route to the peer yet: dropped at the route table.
    assert_eq!(codes(&lab.probe(&instance_a, &address_b, Protocol::Icmp)), vec![Code::NoRouteToDestination]);
    lab.route6(&a, &block_b.to_string(), &pcx);
    let trace = lab.probe(&instance_a, &address_b, Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable, "{trace:#?}");
    assert!(trace.forward.hops.iter().any(|hop| hop.kind == HopKind::PeeringConnection));
}
