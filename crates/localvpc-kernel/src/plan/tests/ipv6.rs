//! The IPv6 side of the plan (part 2 §16): addresses and default routes of dual-stack instances, the routers'
//! subnet addresses and IPv6 routes, the internet's IPv6 hosts and routes back, peering, and the egress-only
//! gateway's filter.

use std::net::Ipv6Addr;

use ipnet::Ipv6Net;
use localvpc_model::network_interface::AssignIpv6Addresses;
use localvpc_model::{egress_only_internet_gateway as eigw, subnet as subnets};

use super::*;
use crate::names::NEXT_HOP_V6;

/// A dual-stack VPC (its /56), a subnet with the /56's first /64, and an instance with one IPv6 address; the
/// VPC's /56 is returned.
fn dual_stack(lab: &mut Lab, cidr: &str) -> (String, String, Ipv6Net, Ipv6Addr) {
    let built = dual_stack_vpc(lab, cidr);
    (built.vpc, built.instance, built.block, built.address)
}

/// What [`dual_stack_vpc`] built.
pub(super) struct DualStack {
    pub(super) vpc: String,
    pub(super) subnet: String,
    pub(super) instance: String,
    pub(super) block: Ipv6Net,
    pub(super) address: Ipv6Addr,
}

/// A dual-stack VPC with an Amazon /56, a subnet (`cidr`'s .1.0/24) with the /56's first /64, and a t3.micro
/// instance with one IPv6 address.
pub(super) fn dual_stack_vpc(lab: &mut Lab, cidr: &str) -> DualStack {
    let request =
        vpc::CreateVpc { cidr_block: cidr.into(), amazon_provided_ipv6_cidr_block: true, ..Default::default() };
    let vpc = lab.tx(|tx, scope| vpc::create_vpc(tx, scope, request));
    let block = *vpc.ipv6_cidr_blocks().next().expect("an Amazon-provided /56");
    let subnet_block = Ipv6Net::new(block.network(), 64).unwrap();
    let request = subnets::CreateSubnet {
        vpc_id: vpc.id.clone(),
        cidr_block: Some(cidr.replace(".0.0/16", ".1.0/24")),
        ipv6_cidr_block: Some(subnet_block.to_string()),
        ..Default::default()
    };
    let subnet = lab.tx(|tx, scope| subnets::create_subnet(tx, scope, request)).id.clone();
    let request = instance::RunInstances {
        image_id: "ami-12345678".into(),
        min_count: 1,
        max_count: 1,
        subnet_id: Some(subnet.clone()),
        instance_type: Some("t3.micro".into()),
        ipv6: AssignIpv6Addresses { count: Some(1), addresses: Vec::new() },
        ..Default::default()
    };
    let instance = lab.tx(|tx, scope| instance::run_instances(tx, scope, request)).instances[0].id.clone();
    let region = lab.world.region(&lab.scope);
    let eni = region.instances[instance.as_str()].network_interface_id.clone().unwrap();
    let address = region.network_interfaces[eni.as_str()].ipv6_addresses[0];
    DualStack { vpc: vpc.id.clone(), subnet, instance, block, address }
}

fn route6(lab: &mut Lab, vpc_id: &str, destination: &str, target: RouteRequest) {
    let request =
        RouteRequest { route_table_id: lab.main_table(vpc_id), destination_ipv6: Some(destination.into()), ..target };
    lab.tx(|tx, scope| route_table::create_route(tx, scope, &request));
}

fn v6(text: &str) -> IpNet {
    text.parse().unwrap()
}

#[test]
fn a_dual_stack_instance_has_its_ipv6_address_on_eth0_and_a_default_route_via_the_subnets_base_plus_one() {
    let mut lab = Lab::new();
    let (_, instance, block, address) = dual_stack(&mut lab, "10.40.0.0/16");
    let spec = &lab.plan().namespaces[&format!("lv-{instance}")];
    assert!(spec.addresses.contains(&Address { device: "eth0".into(), address: address.into(), prefix: 64 }));
    let router = IpAddr::V6(Ipv6Addr::from(u128::from(block.network()) + 1));
    assert_eq!(
        spec.routes[&(table::MAIN, v6("::/0"))],
        RouteKind::Gateway { gateway: router, device: "eth0".into(), source: None }
    );
    // The IPv4 default route is untouched.
    assert!(spec.routes.contains_key(&(table::MAIN, net("0.0.0.0/0"))));
}

#[test]
fn an_interface_without_ipv6_gets_no_ipv6_address_or_route() {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.41.0.0/16");
    let subnet = lab.subnet(&vpc, "10.41.1.0/24");
    let instance = lab.instance(&subnet, "10.41.1.10");
    let spec = &lab.plan().namespaces[&format!("lv-{instance}")];
    assert!(!spec.routes.contains_key(&(table::MAIN, v6("::/0"))));
    assert!(spec.addresses.iter().all(|a| a.device != "eth0" || a.address.is_ipv4()), "{:?}", spec.addresses);
    // Positive control: the IPv4 side is there.
    assert!(spec.routes.contains_key(&(table::MAIN, net("0.0.0.0/0"))));
}

#[test]
fn the_router_bridge_holds_the_subnets_ipv6_router_address_and_each_table_has_an_ipv6_blackhole_default() {
    let mut lab = Lab::new();
    let (vpc, _, block, _) = dual_stack(&mut lab, "10.42.0.0/16");
    let router = &lab.plan().namespaces[&format!("lv-{vpc}")];
    let base = Ipv6Addr::from(u128::from(block.network()) + 1);
    assert!(router
        .addresses
        .iter()
        .any(|a| a.address == IpAddr::V6(base) && a.prefix == 64 && a.device.starts_with('s')));
    let subnet64 = IpNet::V6(Ipv6Net::new(block.network(), 64).unwrap());
    assert!(matches!(router.routes[&(table::VPC, subnet64)], RouteKind::Device { .. }));
    assert_eq!(router.routes[&(table::VPC, v6("::/0"))], RouteKind::Blackhole);
    let rule = router.rules.iter().find(|rule| rule.priority == 100).expect("a subnet rule");
    // The /56's `local` route throws to the delivery table, as the IPv4 block's does.
    assert_eq!(router.routes[&(rule.table, IpNet::V6(block))], RouteKind::Throw);
    assert_eq!(router.routes[&(rule.table, v6("::/0"))], RouteKind::Blackhole);
    assert_eq!(router.routes[&(rule.table, net("0.0.0.0/0"))], RouteKind::Blackhole);
    // Neighbour discovery reaches the router itself (else no instance resolves its gateway).
    let input = router.firewall.chains.iter().find(|chain| chain.name == "input").unwrap();
    assert_eq!(input.rules[0], rules::neighbour_discovery(Verdict::Accept));
}

#[test]
fn an_ipv6_route_to_the_internet_gateway_goes_untranslated_over_its_link_and_the_internet_routes_the_block_back() {
    let mut lab = Lab::new();
    let (vpc, _, block, _) = dual_stack(&mut lab, "10.43.0.0/16");
    let igw = lab.igw(&vpc);
    route6(&mut lab, &vpc, "::/0", RouteRequest { gateway_id: Some(igw), ..Default::default() });
    let state = lab.plan();
    let router = &state.namespaces[&format!("lv-{vpc}")];
    let rule = router.rules.iter().find(|rule| rule.priority == 100).unwrap();
    let via_igw = RouteKind::Gateway { gateway: NEXT_HOP_V6.into(), device: GATEWAY_LINK.into(), source: None };
    assert_eq!(router.routes[&(rule.table, v6("::/0"))], via_igw);
    assert!(router.neighbours.iter().any(|n| n.device == GATEWAY_LINK && n.address == IpAddr::V6(NEXT_HOP_V6)));
    // No translation of IPv6 and no egress-only filter: the NAT maps are IPv4's, the drop of unmapped sources too.
    let forward = router.firewall.chains.iter().find(|chain| chain.name == "forward").unwrap();
    let drop = forward.rules.iter().find(|r| r.matches.first() == Some(&Match::OutputInterface(GATEWAY_LINK.into())));
    assert_eq!(drop.unwrap().matches[1], Match::Ipv6(false));
    assert!(forward.rules.iter().all(|r| !r.matches.contains(&Match::Untracked)));
    let internet = &state.namespaces["lv-internet"];
    let back = &internet.routes[&(table::MAIN, IpNet::V6(block))];
    assert_eq!(
        back,
        &RouteKind::Gateway {
            gateway: NEXT_HOP_V6.into(),
            device: names::internet_port(&vpc),
            source: Some(localvpc_engine::packet::INTERNET_HOST_V6.into()),
        }
    );
    assert_eq!(internet.routes[&(table::LOCAL, v6("::/0"))], RouteKind::Local { device: "lo".into() });
    assert_eq!(internet.routes[&(table::MAIN, v6("8000::/1"))], RouteKind::Blackhole);
}

#[test]
fn an_egress_only_gateway_shares_the_internet_link_and_admits_only_tracked_ipv6_from_it() {
    let mut lab = Lab::new();
    let (vpc, _, block, _) = dual_stack(&mut lab, "10.44.0.0/16");
    let request = eigw::CreateEgressOnlyInternetGateway { vpc_id: vpc.clone(), ..Default::default() };
    let gateway = lab.tx(|tx, scope| eigw::create(tx, scope, request)).id.clone();
    route6(
        &mut lab,
        &vpc,
        "::/0",
        RouteRequest { egress_only_internet_gateway_id: Some(gateway), ..Default::default() },
    );
    let state = lab.plan();
    let router = &state.namespaces[&format!("lv-{vpc}")];
    let rule = router.rules.iter().find(|rule| rule.priority == 100).unwrap();
    let via = RouteKind::Gateway { gateway: NEXT_HOP_V6.into(), device: GATEWAY_LINK.into(), source: None };
    assert_eq!(router.routes[&(rule.table, v6("::/0"))], via);
    assert!(state.veths.contains_key(&(format!("lv-{vpc}"), GATEWAY_LINK.to_string())));
    let forward = router.firewall.chains.iter().find(|chain| chain.name == "forward").unwrap();
    let filter = FirewallRule {
        matches: vec![Match::InputInterface(GATEWAY_LINK.into()), Match::Ipv6(true), Match::Untracked],
        verdict: Verdict::Drop,
    };
    assert!(forward.rules.contains(&filter), "{forward:?}");
    assert!(matches!(
        state.namespaces["lv-internet"].routes[&(table::MAIN, IpNet::V6(block))],
        RouteKind::Gateway { .. }
    ));
}

#[test]
fn a_vpc_without_a_way_to_the_internet_has_its_ipv6_block_blackholed_there() {
    let mut lab = Lab::new();
    let (_, _, block, _) = dual_stack(&mut lab, "10.45.0.0/16");
    let internet = &lab.plan().namespaces["lv-internet"];
    assert_eq!(internet.routes[&(table::MAIN, IpNet::V6(block))], RouteKind::Blackhole);
}

#[test]
fn ipv6_routes_over_an_active_peering_go_by_its_link_with_the_ipv6_next_hop() {
    let mut lab = Lab::new();
    let (a, _, _, _) = dual_stack(&mut lab, "10.46.0.0/16");
    let (b, _, block_b, _) = dual_stack(&mut lab, "10.47.0.0/16");
    let pcx = lab.peer(&a, &b, true);
    route6(
        &mut lab,
        &a,
        &block_b.to_string(),
        RouteRequest { vpc_peering_connection_id: Some(pcx.clone()), ..Default::default() },
    );
    let router = &lab.plan().namespaces[&format!("lv-{a}")];
    let rule = router.rules.iter().find(|rule| rule.priority == 100).unwrap();
    let link = names::peering_link(&pcx);
    assert_eq!(
        router.routes[&(rule.table, IpNet::V6(block_b))],
        RouteKind::Gateway { gateway: NEXT_HOP_V6.into(), device: link.clone(), source: None }
    );
    assert!(router.neighbours.iter().any(|n| n.device == link && n.address == IpAddr::V6(NEXT_HOP_V6)));
}

#[test]
fn security_group_ipv6_rules_match_ip6_blocks_and_icmpv6_and_neighbour_discovery_always_passes() {
    let mut lab = Lab::new();
    let (_, instance, _, _) = dual_stack(&mut lab, "10.48.0.0/16");
    lab.allow_in(&instance, "58", Some((128, -1)), RulePeer::Ipv6Cidr("::/0".parse().unwrap()));
    lab.allow_in(&instance, "-1", None, RulePeer::Cidr("0.0.0.0/0".parse().unwrap()));
    let spec = &lab.plan().namespaces[&format!("lv-{instance}")];
    let input = spec.firewall.chains.iter().find(|chain| chain.name == "input").unwrap();
    assert!(input.rules.contains(&rules::neighbour_discovery(Verdict::Accept)));
    let echo = FirewallRule {
        matches: vec![Match::Ipv6(true), Match::Protocol(58), Match::Icmpv6Type(128)],
        verdict: Verdict::Accept,
    };
    assert!(input.rules.contains(&echo), "{input:?}");
    // `0.0.0.0/0` admits every IPv4 packet and no IPv6 one.
    let all_v4 = FirewallRule { matches: vec![Match::Ipv6(false)], verdict: Verdict::Accept };
    assert!(input.rules.contains(&all_v4), "{input:?}");
}

#[test]
fn a_network_acl_ipv6_rule_matches_its_block_family_and_icmpv6_type() {
    use localvpc_engine::topology::AclRule;
    let rule = |number, protocol, cidr: &str, icmp| AclRule {
        number,
        protocol,
        allow: true,
        cidr: cidr.parse().unwrap(),
        ports: None,
        icmp,
    };
    let chain = rules::network_acl(
        &[
            rule(100, 58, "::/0", Some((128, -1))),
            rule(110, -1, "2600:1f13::/56", None),
            rule(120, -1, "0.0.0.0/0", None),
        ],
        false,
    );
    assert_eq!(chain[0].matches, vec![Match::Ipv6(true), Match::Protocol(58), Match::Icmpv6Type(128)]);
    assert_eq!(chain[1].matches, vec![Match::Source(v6("2600:1f13::/56"))]);
    assert_eq!(chain[2].matches, vec![Match::Ipv6(false)]);
    assert_eq!(chain[3], FirewallRule { matches: vec![], verdict: Verdict::Drop });
}
