//! IPv6 (part 2 §16.2): one test per rule — IPv4 and IPv6 routes as independent longest-prefix matches in one
//! table, an interface without an IPv6 address sending nothing, and (with addresses) an egress-only internet
//! gateway passing the answers of outbound flows only.

use std::net::IpAddr;

use localvpc_model::egress_only_internet_gateway::{self, CreateEgressOnlyInternetGateway};
use localvpc_model::route_table::{self, RouteRequest};
use localvpc_model::{subnet, vpc};

use super::codes;
use super::lab::Lab;
use crate::packet::{Code, Protocol, Verdict};
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

    /// An IPv6 route in `vpc_id`'s main table, to an egress-only gateway or (otherwise) an internet gateway.
    pub fn route6(&mut self, vpc_id: &str, destination: &str, gateway: &str) {
        let mut request = RouteRequest {
            route_table_id: self.main_table(vpc_id),
            destination_ipv6: Some(destination.into()),
            ..RouteRequest::default()
        };
        if gateway.starts_with("eigw-") {
            request.egress_only_internet_gateway_id = Some(gateway.into());
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
