//! The IPv6 side of the plan (part 2 §16): instances' addresses and default routes, the routers' subnet addresses,
//! the emulated internet's IPv6 hosts and its routes back to the VPCs' blocks, and the egress-only gateway's
//! filter. IPv6 crosses the internet gateway untranslated both ways (part 2 §16.2 [D]): no NAT here.
//!
//! An egress-only internet gateway shares the router's internet link (`igw`) rather than having a veth of its own:
//! both lead to the same emulated internet, a VPC's routes pick the gateway, and what tells the two apart is only
//! which connections may come in — a filter on that link, not a second link.

use std::net::{IpAddr, Ipv6Addr};

use ipnet::{IpNet, Ipv6Net};
use localvpc_engine::packet::INTERNET_HOST_V6;
use localvpc_engine::topology::{EniNode, SubnetNode, Topology, VpcNode};

use super::net;
use crate::firewall::{Match, Rule as FirewallRule, Verdict};
use crate::names::{self, Names, GATEWAY_LINK, NEXT_HOP_V6};
use crate::state::{table, Address, Namespace, Neighbour, RouteKind, Rule};

/// IPv6 blocks the emulated internet never answers: all but global unicast, 2000::/3 (the engine's
/// `is_internet_routable`).
const NOT_INTERNET: &[&str] = &["::/3", "4000::/2", "8000::/1"];

/// The subnet's router address: base + 1 of its /64, held by the subnet's bridge as base + 1 of the IPv4 block is
/// (ASSUMPTION: AWS's IPv6 router answers at the link-local fe80::1 from router advertisements; an address inside
/// the /64 keeps the plan one route per family and needs no advertisements).
pub fn router_address(cidr: Ipv6Net) -> Ipv6Addr {
    Ipv6Addr::from(u128::from(cidr.network()) + 1)
}

/// Whether the VPC's router has a link to the internet: an internet gateway or an egress-only one is attached.
pub fn has_internet_link(node: &VpcNode) -> bool {
    node.internet_gateway.is_some() || !node.egress_only_gateways.is_empty()
}

/// The subnet's router address on its bridge and its /64 in the delivery table.
pub fn router_subnet(subnet: &SubnetNode, bridge: &str, router: &mut Namespace) {
    let Some(cidr) = subnet.ipv6_cidr else { return };
    router.addresses.insert(Address {
        device: bridge.into(),
        address: router_address(cidr).into(),
        prefix: cidr.prefix_len(),
    });
    router.routes.insert((table::VPC, cidr.into()), RouteKind::Device { device: bridge.into(), source: None });
}

/// An interface's IPv6 addresses on its link (`nodad`, see `netlink::add_address`).
pub fn interface_addresses(node: &EniNode, subnet: &SubnetNode, link: &str, spec: &mut Namespace) {
    let Some(cidr) = subnet.ipv6_cidr else { return };
    for &address in &node.ipv6_addresses {
        spec.addresses.insert(Address { device: link.into(), address: address.into(), prefix: cidr.prefix_len() });
    }
}

/// An interface's IPv6 default route via its subnet's router in `table`; for an interface other than the primary
/// (its own table) also its /64 and the rules its IPv6 addresses send by. Part 2 §16: an interface without an IPv6
/// address sends nothing IPv6, so it gets no route.
pub fn default_route(node: &EniNode, subnet: &SubnetNode, number: u32, link: &str, spec: &mut Namespace) {
    let Some(cidr) = subnet.ipv6_cidr else { return };
    if node.ipv6_addresses.is_empty() {
        return;
    }
    let gateway = IpAddr::V6(router_address(cidr));
    spec.routes.insert((number, net("::/0")), RouteKind::Gateway { gateway, device: link.into(), source: None });
    if number != table::MAIN {
        spec.routes.insert((number, cidr.into()), RouteKind::Device { device: link.into(), source: None });
        for &address in &node.ipv6_addresses {
            spec.rules.insert(Rule { priority: 100, iif: None, source: Some(address.into()), table: number });
        }
    }
}

/// The internet's IPv6 side: `INTERNET_HOST_V6`, every other global unicast address answering (AnyIP, like the
/// IPv4 side), and each VPC's blocks routed back over its internet link — or dropped when it has none.
pub fn internet(topology: &Topology, names: &Names, internet: &mut Namespace) {
    internet.addresses.insert(Address { device: "lo".into(), address: INTERNET_HOST_V6.into(), prefix: 128 });
    internet.routes.insert((table::LOCAL, net("::/0")), RouteKind::Local { device: "lo".into() });
    for block in NOT_INTERNET {
        internet.routes.insert((table::MAIN, net(block)), RouteKind::Blackhole);
    }
    for vpc in &topology.vpcs {
        let port = names::internet_port(&vpc.id);
        let kind = if has_internet_link(vpc) {
            let router_mac = names::link_mac(&names.router(&vpc.id), GATEWAY_LINK);
            internet.neighbours.insert(Neighbour {
                device: port.clone(),
                address: NEXT_HOP_V6.into(),
                mac: router_mac,
            });
            RouteKind::Gateway { gateway: NEXT_HOP_V6.into(), device: port, source: Some(INTERNET_HOST_V6.into()) }
        } else {
            RouteKind::Blackhole
        };
        for &block in &vpc.ipv6_cidrs {
            internet.routes.insert((table::MAIN, IpNet::V6(block)), kind.clone());
        }
    }
}

/// Part 2 §16.2 [D]: a VPC whose only way to the internet is an egress-only gateway admits from it the answers of
/// connections its interfaces started (conntrack's established/related) and nothing else, whatever the security
/// groups allow. With an internet gateway attached, the engine lets connections in by that gateway, and so does
/// this plan.
pub fn egress_only_filter(node: &VpcNode) -> Option<FirewallRule> {
    if node.internet_gateway.is_some() || node.egress_only_gateways.is_empty() {
        return None;
    }
    Some(FirewallRule {
        matches: vec![Match::InputInterface(GATEWAY_LINK.into()), Match::Ipv6(true), Match::Untracked],
        verdict: Verdict::Drop,
    })
}
