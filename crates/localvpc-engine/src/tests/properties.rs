//! Properties over random topologies (proptest): the engine never panics, allowing more never blocks, removing a
//! route never opens a path, and an answered probe's reply crosses the same gateways and connections.

use proptest::prelude::*;

use super::lab::{Lab, Target};
use crate::packet::{HopKind, Protocol, Verdict};

/// A random network: up to four VPCs 10.<n>.0.0/16 with two instances each, some peerings, some routes, some
/// ingress rules, some ACL denies.
#[derive(Debug, Clone)]
struct Plan {
    vpcs: usize,
    peerings: Vec<(usize, usize)>,
    routes: Vec<(usize, usize)>,
    ingress: Vec<(usize, bool)>,
    acl_denies: Vec<(usize, usize)>,
    internet_routes: Vec<usize>,
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
        )
            .prop_map(|(vpcs, peerings, routes, ingress, acl_denies, internet_routes)| Plan {
                vpcs,
                peerings,
                routes,
                ingress,
                acl_denies,
                internet_routes,
            })
    })
}

struct Built {
    lab: Lab,
    vpcs: Vec<String>,
    instances: Vec<String>,
    routes: Vec<(usize, String)>,
}

fn build(plan: &Plan) -> Built {
    let mut lab = Lab::new();
    let mut vpcs = Vec::new();
    let mut subnets = Vec::new();
    let mut instances = Vec::new();
    for n in 0..plan.vpcs {
        let vpc = lab.vpc(&format!("10.{n}.0.0/16"));
        let subnet = lab.subnet(&vpc, &format!("10.{n}.1.0/24"));
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
    for &(instance, all) in &plan.ingress {
        let cidr = if all { "0.0.0.0/0" } else { "10.0.0.0/8" };
        lab.allow_in(&instances[instance], "icmp", None, cidr);
    }
    for (number, &(vpc, from)) in plan.acl_denies.iter().enumerate() {
        lab.acl_entry(&subnets[vpc], 10 + number as i64, false, false, "1", &format!("10.{from}.0.0/16"), None);
    }
    Built { lab, vpcs, instances, routes }
}

fn reachable_pairs(built: &Built) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for (i, from) in built.instances.iter().enumerate() {
        for j in 0..built.instances.len() {
            if i != j {
                let to = format!("10.{}.1.{}", j / 2, 10 + j % 2);
                if built.lab.probe(from, &to, Protocol::Icmp).verdict == Verdict::Reachable {
                    pairs.push((i, j));
                }
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
                        let crossings = |leg: &crate::Leg| {
                            let mut ids: Vec<String> = leg.hops.iter()
                                .filter(|h| matches!(h.kind, HopKind::PeeringConnection | HopKind::InternetGateway))
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
    fn the_class_matrix_equals_the_pairwise_matrix(plan in plan()) {
        let built = build(&plan);
        let topology = built.lab.topology();
        let enis: Vec<usize> = (0..topology.enis.len()).collect();
        let fast = crate::reachability::matrix(&topology, Some(enis.clone()));
        let slow = crate::reachability::matrix_pairwise(&topology, &enis);
        prop_assert_eq!(fast, slow);
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
