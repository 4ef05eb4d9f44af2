//! Properties over random topologies (proptest; some VPCs reach the internet through a NAT gateway, some are
//! attached to a transit gateway with 10.0.0.0/8 routed to it, some of its routes blackholed): the engine
//! never panics, allowing more never blocks, removing a route never opens a path, adding one never closes one, an
//! answered probe's reply crosses the same gateways, NAT gateways, VPN gateways and connections (from instances and
//! from on-premises sites), adding a VPN to a VPC never closes a path, and every form
//! of the reachability answer (groups, matrix, summary, pair lists) agrees with pair-by-pair walks.

use std::collections::BTreeMap;

use proptest::prelude::*;

use localvpc_model::vpn_connection::TunnelChoice;

use super::lab::{Lab, Target};
use crate::packet::{HopKind, Protocol, Verdict};
use crate::walk::Mode;

/// A random network: up to four VPCs 10.<n>.0.0/16 with two instances each, some peerings, some routes, some
/// ingress rules (some for one host's address, which splits its subnet), some ACL denies.
#[derive(Debug, Clone)]
struct Plan {
    vpcs: usize,
    peerings: Vec<(usize, usize)>,
    routes: Vec<(usize, usize)>,
    ingress: Vec<(usize, bool)>,
    acl_denies: Vec<(usize, usize)>,
    internet_routes: Vec<usize>,
    /// (instance whose group gets the rule, instance whose /32 it allows).
    host_ingress: Vec<(usize, usize)>,
    /// VPCs whose instances reach the internet through a NAT gateway in a public subnet of their own.
    nat_vpcs: Vec<usize>,
    /// VPCs with a virtual private gateway and a BGP connection to a site 172.16.<n>.0/24: (VPC, routes propagated
    /// (else a static route), tunnels forced down: 0, 1 or 2).
    vpn_vpcs: Vec<(usize, bool, u8)>,
    /// VPCs attached to the one transit gateway, routing 10.0.0.0/8 to it.
    transit_vpcs: Vec<usize>,
    /// VPCs whose block the transit gateway's table blackholes.
    transit_blackholes: Vec<usize>,
}

fn plan() -> impl Strategy<Value = Plan> {
    (2usize..=4).prop_flat_map(|vpcs| {
        (
            Just(vpcs),
            prop::collection::vec((0..vpcs, 0..vpcs), 0..5),
            prop::collection::vec((0..vpcs, 0..vpcs), 0..8),
            prop::collection::vec((0..vpcs * 2, any::<bool>()), 0..8),
            prop::collection::vec((0..vpcs, 0..vpcs), 0..3),
            prop::collection::vec(0..vpcs, 0..3),
            prop::collection::vec((0..vpcs * 2, 0..vpcs * 2), 0..3),
            prop::collection::vec(0..vpcs, 0..3),
            (
                prop::collection::vec(0..vpcs, 0..4),
                prop::collection::vec(0..vpcs, 0..2),
                prop::collection::vec((0..vpcs, any::<bool>(), 0u8..3), 0..3),
            ),
        )
            .prop_map(
                |(
                    vpcs,
                    peerings,
                    routes,
                    ingress,
                    acl_denies,
                    internet_routes,
                    host_ingress,
                    nat_vpcs,
                    (transit_vpcs, transit_blackholes, vpn_vpcs),
                )| Plan {
                    vpcs,
                    peerings,
                    routes,
                    ingress,
                    acl_denies,
                    internet_routes,
                    host_ingress,
                    nat_vpcs,
                    transit_vpcs,
                    transit_blackholes,
                    vpn_vpcs,
                },
            )
    })
}

/// A plan whose VPCs are all peered with routes both ways, so rules for one host's address decide real paths.
fn meshed_plan() -> impl Strategy<Value = Plan> {
    plan().prop_map(|mut plan| {
        let vpcs = plan.vpcs;
        plan.peerings = (0..vpcs).flat_map(|a| (a + 1..vpcs).map(move |b| (a, b))).collect();
        plan.routes = (0..vpcs).flat_map(|a| (0..vpcs).map(move |b| (a, b))).filter(|(a, b)| a != b).collect();
        plan
    })
}

struct Built {
    lab: Lab,
    vpcs: Vec<String>,
    instances: Vec<String>,
    routes: Vec<(usize, String)>,
    /// (VPC, customer gateway) of each VPN.
    sites: Vec<(usize, String)>,
}

fn build(plan: &Plan) -> Built {
    let mut lab = Lab::new();
    let mut vpcs = Vec::new();
    let mut subnets = Vec::new();
    let mut instances = Vec::new();
    for n in 0..plan.vpcs {
        let vpc = lab.vpc(&format!("10.{n}.0.0/16"));
        let subnet = lab.subnet_in(&vpc, &format!("10.{n}.1.0/24"), "us-east-1a");
        instances.push(lab.instance(&subnet, &format!("10.{n}.1.10")));
        instances.push(lab.instance(&subnet, &format!("10.{n}.1.11")));
        vpcs.push(vpc);
        subnets.push(subnet);
    }
    let mut pcx_of = std::collections::BTreeMap::new();
    for &(a, b) in &plan.peerings {
        let key = (a.min(b), a.max(b));
        if a != b && !pcx_of.contains_key(&key) {
            pcx_of.insert(key, lab.peer(&vpcs[key.0], &vpcs[key.1], None));
        }
    }
    let mut routes = Vec::new();
    for &(from, to) in &plan.routes {
        let key = (from.min(to), from.max(to));
        if let Some(pcx) = pcx_of.get(&key) {
            let destination = format!("10.{to}.0.0/16");
            let exists = routes.iter().any(|(v, d): &(usize, String)| *v == from && *d == destination);
            if from != to && !exists {
                lab.route(&vpcs[from], &destination, Target::Peering(pcx.clone()));
                routes.push((from, destination));
            }
        }
    }
    for &vpc in &plan.internet_routes {
        if !routes.iter().any(|(v, d)| *v == vpc && d == "0.0.0.0/0") {
            let igw = lab.igw(&vpcs[vpc]);
            lab.route(&vpcs[vpc], "0.0.0.0/0", Target::Gateway(igw));
            routes.push((vpc, "0.0.0.0/0".into()));
        }
    }
    for &vpc in &plan.nat_vpcs {
        if !routes.iter().any(|(v, d)| *v == vpc && d == "0.0.0.0/0") {
            let public = lab.subnet(&vpcs[vpc], &format!("10.{vpc}.0.0/24"));
            let igw = lab.igw(&vpcs[vpc]);
            let public_table = lab.own_table(&vpcs[vpc], &public);
            lab.route_in(&public_table, "0.0.0.0/0", Target::Gateway(igw));
            let (nat, _) = lab.nat_gateway(&public, true);
            lab.route(&vpcs[vpc], "0.0.0.0/0", Target::Nat(nat));
            routes.push((vpc, "0.0.0.0/0".into()));
        }
    }
    let mut transit: Option<(String, String)> = None;
    let mut attached = Vec::new();
    for &vpc in &plan.transit_vpcs {
        if !attached.contains(&vpc) {
            let (gateway, _) = transit.get_or_insert_with(|| lab.transit_gateway()).clone();
            lab.attach(&gateway, &vpcs[vpc], &[&subnets[vpc]]);
            lab.route(&vpcs[vpc], "10.0.0.0/8", Target::TransitGateway(gateway));
            routes.push((vpc, "10.0.0.0/8".into()));
            attached.push(vpc);
        }
    }
    if let Some((_, table)) = &transit {
        let mut blackholed = Vec::new();
        for &vpc in &plan.transit_blackholes {
            if !blackholed.contains(&vpc) {
                lab.tgw_route(table, &format!("10.{vpc}.0.0/16"), None);
                blackholed.push(vpc);
            }
        }
    }
    let mut sites = Vec::new();
    for &(vpc, propagate, down) in &plan.vpn_vpcs {
        if sites.iter().any(|(v, _)| *v == vpc) {
            continue;
        }
        sites.push((vpc, add_vpn(&mut lab, &vpcs[vpc], vpc, propagate, down)));
        if !propagate {
            routes.push((vpc, site_prefix(vpc)));
        }
    }
    for &(instance, all) in &plan.ingress {
        let cidr = if all { "0.0.0.0/0" } else { "10.0.0.0/8" };
        lab.allow_in(&instances[instance], "icmp", None, cidr);
    }
    for &(instance, host) in &plan.host_ingress {
        lab.allow_in(&instances[instance], "icmp", None, &format!("{}/32", address(host)));
    }
    for (number, &(vpc, from)) in plan.acl_denies.iter().enumerate() {
        lab.acl_entry(&subnets[vpc], 10 + number as i64, false, false, "1", &format!("10.{from}.0.0/16"), None);
    }
    Built { lab, vpcs, instances, routes, sites }
}

/// The site of the VPN of VPC `n`.
fn site_prefix(n: usize) -> String {
    format!("172.16.{n}.0/24")
}

/// A VGW on `vpc_id` with a BGP connection to a site advertising [`site_prefix`], its routes propagated into the
/// main table or a static route there; returns the customer gateway.
fn add_vpn(lab: &mut Lab, vpc_id: &str, n: usize, propagate: bool, down: u8) -> String {
    let vgw = lab.vpn_gateway(vpc_id);
    let cgw = lab.customer_gateway(&format!("203.0.113.{}", n + 1), &site_prefix(n));
    let vpn = lab.vpn_connection(&cgw, &vgw, None);
    if propagate {
        let table = lab.main_table(vpc_id);
        lab.propagate(&vgw, &table);
    } else {
        lab.route(vpc_id, &site_prefix(n), Target::Gateway(vgw));
    }
    match down {
        0 => {}
        1 => lab.tunnels(&vpn, TunnelChoice::One(1), false),
        _ => lab.tunnels(&vpn, TunnelChoice::Both, false),
    }
    cgw
}

/// The IDs of the gateways and connections a leg crosses, sorted: a reply must cross the request's.
fn crossings(leg: &crate::Leg) -> Vec<String> {
    let mut ids: Vec<String> = leg
        .hops
        .iter()
        .filter(|h| {
            matches!(
                h.kind,
                HopKind::PeeringConnection
                    | HopKind::InternetGateway
                    | HopKind::NatGateway
                    | HopKind::VpnGateway
                    | HopKind::VpnConnection
            )
        })
        .map(|h| h.id.clone())
        .collect();
    ids.sort();
    ids
}

/// The private address of the plan's `instance`-th instance.
fn address(instance: usize) -> String {
    format!("10.{}.1.{}", instance / 2, 10 + instance % 2)
}

fn reachable_pairs(built: &Built) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for (i, from) in built.instances.iter().enumerate() {
        for j in 0..built.instances.len() {
            if i != j && built.lab.probe(from, &address(j), Protocol::Icmp).verdict == Verdict::Reachable {
                pairs.push((i, j));
            }
        }
    }
    pairs
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn random_topologies_never_panic_and_answers_mirror_requests(plan in plan()) {
        let built = build(&plan);
        for from in &built.instances {
            for to in ["10.0.1.10", "10.1.1.11", "8.8.8.8", "10.3.1.10", "198.18.0.1"] {
                for protocol in [Protocol::Icmp, Protocol::Tcp(22), Protocol::Udp(33434)] {
                    let trace = built.lab.probe(from, to, protocol);
                    if trace.verdict == Verdict::Reachable {
                        // A VPC that reaches another both by peering and through the transit gateway may send the
                        // answer by the other way (AWS routes each direction on its own): then only the gateways
                        // that translate addresses must mirror.
                        let both_ways = !plan.peerings.is_empty() && !plan.transit_vpcs.is_empty();
                        let crossings = |leg: &crate::Leg| {
                            let mut ids: Vec<String> = leg.hops.iter()
                                .filter(|h| match h.kind {
                                    HopKind::InternetGateway | HopKind::NatGateway | HopKind::VpnGateway | HopKind::VpnConnection => true,
                                    HopKind::PeeringConnection | HopKind::TransitGateway => !both_ways,
                                    _ => false,
                                })
                                .map(|h| h.id.clone()).collect();
                            ids.sort();
                            ids
                        };
                        prop_assert_eq!(crossings(&trace.forward), crossings(trace.reply.as_ref().unwrap()));
                    }
                }
            }
        }
    }

    #[test]
    fn probes_to_and_from_sites_never_panic_and_answers_mirror_requests(plan in plan()) {
        let built = build(&plan);
        let hosts: Vec<String> = (0..plan.vpcs).map(|n| format!("172.16.{n}.9")).collect();
        for from in &built.instances {
            for to in &hosts {
                let trace = built.lab.probe(from, to, Protocol::Icmp);
                if trace.verdict == Verdict::Reachable {
                    prop_assert_eq!(crossings(&trace.forward), crossings(trace.reply.as_ref().unwrap()));
                }
            }
        }
        for (_, cgw) in &built.sites {
            for to in (0..built.instances.len()).map(address).chain(hosts.iter().cloned()) {
                for protocol in [Protocol::Icmp, Protocol::Tcp(22)] {
                    let trace = built.lab.probe_from_site(cgw, &to, protocol, Mode::FirstDrop);
                    if trace.verdict == Verdict::Reachable {
                        prop_assert_eq!(crossings(&trace.forward), crossings(trace.reply.as_ref().unwrap()));
                    }
                }
            }
        }
    }

    #[test]
    fn adding_a_vpn_never_makes_a_reachable_pair_unreachable(plan in plan(), pick in 0usize..4, propagate: bool) {
        let mut built = build(&plan);
        let vpc = pick % built.vpcs.len();
        prop_assume!(!built.sites.iter().any(|(v, _)| *v == vpc));
        let internet = |built: &Built| -> Vec<bool> {
            built.instances.iter()
                .map(|from| built.lab.probe(from, "8.8.8.8", Protocol::Icmp).verdict == Verdict::Reachable)
                .collect()
        };
        let (pairs_before, internet_before) = (reachable_pairs(&built), internet(&built));
        let vpc_id = built.vpcs[vpc].clone();
        add_vpn(&mut built.lab, &vpc_id, vpc, propagate, 0);
        let pairs_after = reachable_pairs(&built);
        for pair in pairs_before {
            prop_assert!(pairs_after.contains(&pair), "{:?} lost", pair);
        }
        for (i, (before, after)) in internet_before.into_iter().zip(internet(&built)).enumerate() {
            prop_assert!(!before || after, "instance {} lost the internet", i);
        }
    }

    #[test]
    fn allowing_more_never_blocks_a_reachable_pair(plan in plan(), extra in 0usize..8) {
        let mut built = build(&plan);
        let before = reachable_pairs(&built);
        let target = built.instances[extra % built.instances.len()].clone();
        built.lab.allow_in(&target, "-1", None, "0.0.0.0/0");
        let after = reachable_pairs(&built);
        for pair in before {
            prop_assert!(after.contains(&pair), "{:?} lost", pair);
        }
    }

    #[test]
    fn the_class_matrix_equals_the_pairwise_matrix(plan in prop_oneof![plan(), meshed_plan()]) {
        let built = build(&plan);
        let topology = built.lab.topology();
        let enis: Vec<usize> = (0..topology.enis.len()).collect();
        let fast = crate::reachability::matrix(&topology, Some(enis.clone()));
        let slow = crate::reachability::matrix_pairwise(&topology, &enis);
        prop_assert_eq!(fast, slow);
    }

    #[test]
    fn every_form_of_the_grouped_answer_agrees_with_pairwise_walks(
        plan in prop_oneof![plan(), meshed_plan()],
        limit in 0usize..12,
    ) {
        let built = build(&plan);
        let topology = built.lab.topology();
        let enis: Vec<usize> = (0..topology.enis.len()).collect();
        let slow = crate::reachability::matrix_pairwise(&topology, &enis);
        let grouped = crate::reachability::groups(&topology, Some(enis.clone()));
        let count = enis.len();
        let ordered: Vec<(usize, usize)> =
            (0..count).flat_map(|s| (0..count).map(move |d| (s, d))).filter(|(s, d)| s != d).collect();
        for &(s, d) in &ordered {
            prop_assert_eq!(grouped.reaches_pair(s, d), slow.reaches(s, d), "pair {:?}", (s, d));
        }
        prop_assert_eq!(grouped.reachable_pairs(), slow.count());
        prop_assert_eq!(grouped.ordered_pairs(), ordered.len());

        let mut expected: BTreeMap<(usize, usize), (usize, usize)> = BTreeMap::new();
        for &(s, d) in &ordered {
            let entry = expected.entry((topology.enis[s].vpc, topology.enis[d].vpc)).or_default();
            entry.0 += usize::from(slow.reaches(s, d));
            entry.1 += 1;
        }
        let summary: BTreeMap<(usize, usize), (usize, usize)> = crate::reachability::summary(&topology, &grouped)
            .into_iter()
            .map(|pair| ((pair.from, pair.to), (pair.reachable, pair.pairs)))
            .collect();
        prop_assert_eq!(summary, expected);

        for reaches in [true, false] {
            let all: Vec<(usize, usize)> =
                ordered.iter().copied().filter(|&(s, d)| slow.reaches(s, d) == reaches).collect();
            let listed = crate::reachability::pairs(&grouped, reaches, limit);
            prop_assert_eq!(listed.total, all.len());
            prop_assert_eq!(&listed.pairs[..], &all[..limit.min(all.len())]);
        }
    }

    #[test]
    fn no_two_groups_could_be_one(plan in prop_oneof![plan(), meshed_plan()]) {
        let built = build(&plan);
        let topology = built.lab.topology();
        let grouped = crate::reachability::groups(&topology, None);
        let r = |from: usize, to: usize| grouped.reaches(from, to);
        for g in 0..grouped.len() {
            for h in g + 1..grouped.len() {
                let outside_alike = (0..grouped.len())
                    .filter(|&x| x != g && x != h)
                    .all(|x| r(g, x) == r(h, x) && r(x, g) == r(x, h));
                let mut inside = vec![r(g, h), r(h, g)];
                for group in [g, h] {
                    if grouped.members(group).len() > 1 {
                        inside.push(r(group, group));
                    }
                }
                let inside_alike = inside.iter().all(|&answer| answer == inside[0]);
                prop_assert!(!(outside_alike && inside_alike), "groups {} and {} could be one", g, h);
            }
        }
    }

    #[test]
    fn adding_a_nat_route_never_makes_a_reachable_pair_unreachable(plan in plan(), pick in 0usize..4) {
        let mut built = build(&plan);
        let vpc = pick % built.vpcs.len();
        prop_assume!(!built.routes.iter().any(|(v, d)| *v == vpc && d == "0.0.0.0/0"));
        let internet = |built: &Built| -> Vec<(usize, bool)> {
            built.instances.iter().enumerate()
                .map(|(i, from)| (i, built.lab.probe(from, "8.8.8.8", Protocol::Icmp).verdict == Verdict::Reachable))
                .collect()
        };
        let (pairs_before, internet_before) = (reachable_pairs(&built), internet(&built));
        let vpc_id = built.vpcs[vpc].clone();
        let public = built.lab.subnet(&vpc_id, &format!("10.{vpc}.0.0/24"));
        let igw = built.lab.igw(&vpc_id);
        let table = built.lab.own_table(&vpc_id, &public);
        built.lab.route_in(&table, "0.0.0.0/0", Target::Gateway(igw));
        let (nat, _) = built.lab.nat_gateway(&public, true);
        built.lab.route(&vpc_id, "0.0.0.0/0", Target::Nat(nat));
        let pairs_after = reachable_pairs(&built);
        for pair in pairs_before {
            prop_assert!(pairs_after.contains(&pair), "{:?} lost", pair);
        }
        for ((i, before), (_, after)) in internet_before.into_iter().zip(internet(&built)) {
            prop_assert!(!before || after, "instance {} lost the internet", i);
            // Without ACL denies (the VPC's default ACL also governs the new public subnet) the VPC's own
            // instances now reach it: their groups allow all outbound, and the answers pass as tracked replies.
            if i / 2 == vpc && plan.acl_denies.is_empty() {
                prop_assert!(after, "instance {} of the NAT gateway's VPC has no internet", i);
            }
        }
    }

    #[test]
    fn attaching_a_vpc_to_the_transit_gateway_never_makes_a_reachable_pair_unreachable(
        plan in plan(),
        pick in 0usize..4,
    ) {
        let mut built = build(&plan);
        let vpc = pick % built.vpcs.len();
        prop_assume!(!plan.transit_vpcs.contains(&vpc));
        let before = reachable_pairs(&built);
        let vpc_id = built.vpcs[vpc].clone();
        let subnet = built.lab.subnet_in(&vpc_id, &format!("10.{vpc}.2.0/24"), "us-east-1a");
        let (gateway, _) = built.lab.transit_gateway();
        built.lab.attach(&gateway, &vpc_id, &[&subnet]);
        built.lab.route(&vpc_id, "10.0.0.0/8", Target::TransitGateway(gateway));
        let after = reachable_pairs(&built);
        for pair in before {
            prop_assert!(after.contains(&pair), "{:?} lost", pair);
        }
    }

    #[test]
    fn removing_a_route_never_opens_a_path(plan in plan(), pick in 0usize..16) {
        let mut built = build(&plan);
        prop_assume!(!built.routes.is_empty());
        let before = reachable_pairs(&built);
        let (vpc, destination) = built.routes[pick % built.routes.len()].clone();
        let vpc_id = built.vpcs[vpc].clone();
        built.lab.delete_route(&vpc_id, &destination);
        let after = reachable_pairs(&built);
        for pair in after {
            prop_assert!(before.contains(&pair), "{:?} appeared", pair);
        }
    }
}
