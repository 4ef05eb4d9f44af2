//! Properties over random dual-stack topologies (part 2 §16.2; proptest): up to four VPCs with IPv4 and IPv6 blocks,
//! peerings whose tables route some IPv4 and some IPv6 blocks, internet access through an internet gateway or an
//! egress-only one, random IPv6 group rules and IPv6 ACL denies. The engine never panics; an answer enters through
//! an egress-only gateway only into the asking host's VPC; the families are independent (IPv6 routes, rules and entries never change an IPv4
//! verdict); removing an IPv6 route never opens a path and adding an IPv6 rule never closes one; and nothing started
//! on the internet reaches an instance through an egress-only gateway. Each VPC also has an IPv6-only subnet (part
//! 2 §16.1) sharing the main route table, with one instance: it never sends IPv4, and its IPv6 verdicts towards hosts outside
//! the twin's subnet are those of its dual-stack twin (the VPC's first instance) — the family of the sender's
//! subnet decides nothing else.

use localvpc_model::security_group::RulePeer;
use proptest::prelude::*;

use super::lab::{Lab, Target};
use crate::packet::{HopKind, Place, Protocol, Verdict};

/// How a VPC reaches the internet over IPv6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Internet6 {
    None,
    Gateway,
    EgressOnly,
}

#[derive(Debug, Clone)]
struct Plan {
    vpcs: usize,
    peerings: Vec<(usize, usize)>,
    /// (from, to, IPv6 — else IPv4) routes over the peering of the two VPCs.
    routes: Vec<(usize, usize, bool)>,
    internet: Vec<Internet6>,
    /// Instances whose group admits ICMPv6 (and all IPv6) from anywhere.
    ipv6_ingress: Vec<usize>,
    /// Instances whose group admits ICMP from 10.0.0.0/8.
    ipv4_ingress: Vec<usize>,
    /// (VPC, VPC whose IPv6 block the first one's ACL denies inbound).
    acl_denies: Vec<(usize, usize)>,
}

fn internet6() -> impl Strategy<Value = Internet6> {
    prop_oneof![Just(Internet6::None), Just(Internet6::Gateway), Just(Internet6::EgressOnly)]
}

fn plan() -> impl Strategy<Value = Plan> {
    (2usize..=4).prop_flat_map(|vpcs| {
        (
            Just(vpcs),
            prop::collection::vec((0..vpcs, 0..vpcs), 0..5),
            prop::collection::vec((0..vpcs, 0..vpcs, any::<bool>()), 0..10),
            prop::collection::vec(internet6(), vpcs),
            prop::collection::vec(0..vpcs * 2, 0..6),
            prop::collection::vec(0..vpcs * 2, 0..6),
            prop::collection::vec((0..vpcs, 0..vpcs), 0..3),
        )
            .prop_map(|(vpcs, peerings, routes, internet, ipv6_ingress, ipv4_ingress, acl_denies)| Plan {
                vpcs,
                peerings,
                routes,
                internet,
                ipv6_ingress,
                ipv4_ingress,
                acl_denies,
            })
    })
}

struct Built {
    lab: Lab,
    instances: Vec<String>,
    /// Each instance's IPv6 and IPv4 address.
    ipv6: Vec<String>,
    ipv4: Vec<String>,
    /// (VPC ID, destination, target) of every IPv6 route the plan added.
    routes6: Vec<(String, String)>,
    /// Each VPC's IPv6-only instance and its address; its twin is `instances[2 * n]`.
    ipv6_only: Vec<(String, String)>,
}

/// Builds the plan; with `ipv6_extras` false, leaves out every IPv6 route, rule and ACL entry (the IPv4 world).
fn build(plan: &Plan, ipv6_extras: bool) -> Built {
    let mut lab = Lab::new();
    let (mut vpcs, mut blocks, mut subnets, mut instances, mut ipv6, mut ipv4) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut ipv6_only = Vec::new();
    for n in 0..plan.vpcs {
        let vpc = lab.vpc(&format!("10.{n}.0.0/16"));
        let block = lab.ipv6_block(&vpc);
        let subnet = lab.subnet_in(&vpc, &format!("10.{n}.1.0/24"), "us-east-1a");
        lab.ipv6_subnet_block(&subnet, block, 1);
        for host in [10, 11] {
            let instance = lab.instance(&subnet, &format!("10.{n}.1.{host}"));
            ipv6.push(lab.ipv6_address(&instance));
            ipv4.push(format!("10.{n}.1.{host}"));
            instances.push(instance);
        }
        let (only, address) = lab.ipv6_only_instance(&vpc, block, 2);
        ipv6_only.push((only, address.to_string()));
        vpcs.push(vpc);
        blocks.push(block);
        subnets.push(subnet);
    }
    let mut pcx_of = std::collections::BTreeMap::new();
    for &(a, b) in &plan.peerings {
        let key = (a.min(b), a.max(b));
        if a != b && !pcx_of.contains_key(&key) {
            pcx_of.insert(key, lab.peer(&vpcs[key.0], &vpcs[key.1], None));
        }
    }
    let mut added = std::collections::BTreeSet::new();
    let mut routes6 = Vec::new();
    for &(from, to, six) in &plan.routes {
        let Some(pcx) = pcx_of.get(&(from.min(to), from.max(to))) else { continue };
        if from == to || !added.insert((from, to, six)) || (six && !ipv6_extras) {
            continue;
        }
        if six {
            lab.route6(&vpcs[from], &blocks[to].to_string(), pcx);
            routes6.push((vpcs[from].clone(), blocks[to].to_string()));
        } else {
            lab.route(&vpcs[from], &format!("10.{to}.0.0/16"), Target::Peering(pcx.clone()));
        }
    }
    for (n, internet) in plan.internet.iter().enumerate() {
        let gateway = match internet {
            Internet6::None => continue,
            Internet6::Gateway => lab.igw(&vpcs[n]),
            Internet6::EgressOnly => lab.egress_only_gateway(&vpcs[n]),
        };
        if ipv6_extras {
            lab.route6(&vpcs[n], "::/0", &gateway);
            routes6.push((vpcs[n].clone(), "::/0".into()));
        }
    }
    for &instance in &plan.ipv4_ingress {
        lab.allow_in(&instances[instance], "icmp", None, "10.0.0.0/8");
    }
    if ipv6_extras {
        for &instance in &plan.ipv6_ingress {
            lab.allow(&instances[instance], false, "-1", None, RulePeer::Ipv6Cidr("::/0".parse().unwrap()));
        }
        // (The VPC's subnets share its default ACL: the IPv6-only one gets the same entries.)
        for (number, &(vpc, from)) in plan.acl_denies.iter().enumerate() {
            lab.acl_entry(&subnets[vpc], 10 + number as i64, false, false, "-1", &blocks[from].to_string(), None);
        }
    }
    Built { lab, instances, ipv6, ipv4, routes6, ipv6_only }
}

/// The VPCs of the egress-only gateways a leg enters by (inward: the packet is for the gateway's interface; a
/// leg may also leave by one, outward, from the answering host's VPC).
fn egress_only_entries(topology: &crate::Topology, leg: &crate::Leg) -> Vec<usize> {
    leg.hops
        .iter()
        .filter(|hop| hop.kind == HopKind::EgressOnlyInternetGateway)
        .filter_map(|hop| match hop.place {
            Place::InternetGateway { vpc, eni, .. } if topology.enis[eni].holds(hop.packet.dst) => Some(vpc),
            _ => None,
        })
        .collect()
}

/// Every (from, to) verdict of a family among the instances.
fn verdicts(built: &Built, six: bool) -> Vec<Verdict> {
    let targets = if six { &built.ipv6 } else { &built.ipv4 };
    let mut out = Vec::new();
    for from in &built.instances {
        for to in targets {
            out.push(built.lab.probe(from, to, Protocol::Icmp).verdict);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn dual_stack_topologies_never_panic_and_answers_enter_by_egress_only_gateways_only_home(plan in plan()) {
        let built = build(&plan, true);
        let internet = ["2001:db8:1::1", "8.8.8.8"];
        for from in &built.instances {
            for to in built.ipv6.iter().map(String::as_str).chain(internet) {
                for protocol in [Protocol::Icmp, Protocol::Tcp(22), Protocol::Udp(33434)] {
                    let trace = built.lab.probe(from, to, protocol);
                    // IPv6 translates nothing, so an answer may come back another way than its request (a
                    // peering one way, the internet the other: AWS routes each direction on its own); but an
                    // answer enters through an egress-only gateway only into the VPC of the host that asked.
                    if trace.verdict == Verdict::Reachable {
                        let topology = built.lab.topology();
                        let home = topology.enis[topology.instance_eni(from).unwrap()].vpc;
                        for vpc in egress_only_entries(&topology, trace.reply.as_ref().unwrap()) {
                            prop_assert_eq!(vpc, home, "{:#?}", trace);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn an_ipv6_only_host_sends_no_ipv4_and_decides_ipv6_as_its_dual_stack_twin(plan in plan()) {
        let built = build(&plan, true);
        for (n, (only, own)) in built.ipv6_only.iter().enumerate() {
            let twin = &built.instances[2 * n];
            for to in &built.ipv4 {
                let trace = built.lab.probe(only, to, Protocol::Icmp);
                prop_assert!(trace.verdict == Verdict::Dropped && trace.forward.hops.is_empty(), "{:#?}", trace);
            }
            // Every target in a subnet other than the twin's (inside its own subnet a packet meets no ACL, while
            // from the IPv6-only subnet it does).
            let others = built.ipv6_only.iter().filter(|(other, _)| other != only).map(|(_, address)| address);
            let targets = built.ipv6.iter().skip(2 * n + 2).chain(built.ipv6.iter().take(2 * n)).chain(others);
            for to in targets.map(String::as_str).chain(["2001:db8:1::1"]) {
                for protocol in [Protocol::Icmp, Protocol::Tcp(22)] {
                    let (mine, twins) = (built.lab.probe(only, to, protocol), built.lab.probe(twin, to, protocol));
                    prop_assert_eq!(mine.verdict, twins.verdict, "from {} ({}) to {}: {:#?}", only, own, to, mine);
                }
            }
        }
    }

    #[test]
    fn ipv6_routes_rules_and_entries_never_change_an_ipv4_verdict(plan in plan()) {
        prop_assert_eq!(verdicts(&build(&plan, false), false), verdicts(&build(&plan, true), false));
    }

    #[test]
    fn nothing_started_on_the_internet_enters_through_an_egress_only_gateway(plan in plan()) {
        let built = build(&plan, true);
        for (index, address) in built.ipv6.iter().enumerate() {
            let trace = built.lab.probe("internet", address, Protocol::Icmp);
            if plan.internet[index / 2] != Internet6::Gateway {
                prop_assert_ne!(trace.verdict, Verdict::Reachable, "{:#?}", trace);
            } else if plan.ipv6_ingress.contains(&index) {
                // Positive control: through an internet gateway, an instance that admits IPv6 answers.
                prop_assert_eq!(trace.verdict, Verdict::Reachable, "{:#?}", trace);
            }
            prop_assert!(trace.forward.hops.iter().all(|hop| hop.kind != HopKind::EgressOnlyInternetGateway));
        }
    }

    #[test]
    fn removing_an_ipv6_route_never_opens_a_path(plan in plan(), pick in 0usize..16) {
        let mut built = build(&plan, true);
        prop_assume!(!built.routes6.is_empty());
        let before = verdicts(&built, true);
        let (vpc, destination) = built.routes6[pick % built.routes6.len()].clone();
        built.lab.delete_route6(&vpc, &destination);
        let after = verdicts(&built, true);
        for (was, now) in before.iter().zip(&after) {
            prop_assert!(*was == Verdict::Reachable || *now != Verdict::Reachable);
        }
    }

    #[test]
    fn adding_an_ipv6_rule_never_closes_a_path(plan in plan(), pick in 0usize..8) {
        let mut built = build(&plan, true);
        let before = verdicts(&built, true);
        let instance = built.instances[pick % built.instances.len()].clone();
        built.lab.allow(&instance, false, "58", Some((-1, -1)), RulePeer::Ipv6Cidr("::/0".parse().unwrap()));
        let after = verdicts(&built, true);
        for (was, now) in before.iter().zip(&after) {
            prop_assert!(*was != Verdict::Reachable || *now == Verdict::Reachable);
        }
    }
}
