//! The grouped reachability answer and the forms derived from it (summary per VPC pair, pair lists) on small
//! topologies whose every answer is known.

use std::collections::BTreeSet;

use super::lab::{Lab, Target};
use crate::reachability::{groups, pairs, summary, Groups, Status};
use crate::topology::Topology;

/// Three VPCs: A (a1, a2) and B (b1 in the default group, b2 alone in a group with no inbound rule) peered with
/// routes both ways; C (c1) isolated. Every default group lets ICMP in from 10.0.0.0/8.
struct Mesh {
    lab: Lab,
    vpcs: [String; 3],
    subnets: [String; 3],
    /// a1, a2, b1, b2, c1.
    instances: [String; 5],
}

fn three_vpcs() -> Mesh {
    let mut lab = Lab::new();
    let vpcs = ["10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"].map(|cidr| lab.vpc(cidr));
    let subnets = [0, 1, 2].map(|n| lab.subnet(&vpcs[n], &format!("10.{}.1.0/24", n + 1)));
    let a1 = lab.instance(&subnets[0], "10.1.1.10");
    let a2 = lab.instance(&subnets[0], "10.1.1.11");
    let b1 = lab.instance(&subnets[1], "10.2.1.10");
    let b2 = lab.instance_in_new_group(&vpcs[1], &subnets[1], "10.2.1.11", "closed");
    let c1 = lab.instance(&subnets[2], "10.3.1.10");
    for instance in [&a1, &b1, &c1] {
        lab.allow_in(instance, "icmp", Some((-1, -1)), "10.0.0.0/8");
    }
    let pcx = lab.peer(&vpcs[0], &vpcs[1], None);
    lab.route(&vpcs[0], "10.2.0.0/16", Target::Peering(pcx.clone()));
    lab.route(&vpcs[1], "10.1.0.0/16", Target::Peering(pcx));
    Mesh { lab, vpcs, subnets, instances: [a1, a2, b1, b2, c1] }
}

/// The instance IDs of the selection's indexes.
fn names(topology: &Topology, groups: &Groups, indexes: &[usize]) -> BTreeSet<String> {
    indexes.iter().map(|&index| topology.enis[groups.enis[index]].instance_id.clone().unwrap()).collect()
}

fn index_of(topology: &Topology, groups: &Groups, instance: &str) -> usize {
    (0..groups.enis.len())
        .find(|&index| topology.enis[groups.enis[index]].instance_id.as_deref() == Some(instance))
        .expect("selected instance")
}

fn set(instances: &[&String]) -> BTreeSet<String> {
    instances.iter().map(|id| id.to_string()).collect()
}

#[test]
fn instances_treated_alike_across_vpcs_and_groups_form_one_group() {
    let mesh = three_vpcs();
    let [a1, a2, b1, b2, c1] = &mesh.instances;
    let topology = mesh.lab.topology();
    let result = groups(&topology, None);
    // a1, a2 and b1 reach each other and are reached by b2: one group although b1 is in another VPC.
    let members: Vec<BTreeSet<String>> =
        (0..result.len()).map(|g| names(&topology, &result, result.members(g))).collect();
    let group = |instance: &String| members.iter().position(|m| m.contains(instance)).unwrap();
    assert_eq!(members.len(), 3, "{members:?}");
    assert_eq!(members[group(a1)], set(&[a1, a2, b1]));
    assert_eq!(members[group(b2)], set(&[b2]));
    assert_eq!(members[group(c1)], set(&[c1]));
    let reachable: BTreeSet<(usize, usize)> = result.group_pairs(true).collect();
    assert_eq!(reachable, BTreeSet::from([(group(a1), group(a1)), (group(b2), group(a1))]));
    // A group of one has no pair with itself, whatever its answer would be.
    assert!(!result.reaches(group(c1), group(c1)));
    assert_eq!((result.ordered_pairs(), result.reachable_pairs()), (20, 9));
    assert_eq!(result.expand().count(), 9);
    let at = |instance: &String| index_of(&topology, &result, instance);
    assert!(result.reaches_pair(at(b2), at(b1)) && !result.reaches_pair(at(b1), at(b2)));
    assert!(!result.reaches_pair(at(a1), at(a1)), "an instance is never its own pair");
}

#[test]
fn summary_classifies_every_vpc_pair_with_counts() {
    let mesh = three_vpcs();
    let topology = mesh.lab.topology();
    let result = groups(&topology, None);
    let rows: Vec<(String, String, &str, usize, usize)> = summary(&topology, &result)
        .iter()
        .map(|pair| {
            let vpc = |ix: usize| topology.vpcs[ix].id.clone();
            (vpc(pair.from), vpc(pair.to), pair.status().as_str(), pair.reachable, pair.pairs)
        })
        .collect();
    let [a, b, c] = &mesh.vpcs;
    let expected = [
        (a, a, "reachable", 2, 2),
        (a, b, "partial", 2, 4),
        (a, c, "none", 0, 2),
        (b, a, "reachable", 4, 4),
        (b, b, "partial", 1, 2),
        (b, c, "none", 0, 2),
        (c, a, "none", 0, 2),
        (c, b, "none", 0, 2),
    ];
    // C with itself has no pair (one instance) and is left out.
    let rows: BTreeSet<_> = rows.into_iter().collect();
    let expected: BTreeSet<_> = expected
        .into_iter()
        .map(|(from, to, status, reachable, pairs)| (from.clone(), to.clone(), status, reachable, pairs))
        .collect();
    assert_eq!(rows, expected);
    assert_eq!(Status::Partial.as_str(), "partial");
}

#[test]
fn pair_lists_stop_at_the_limit_and_count_them_all() {
    let mesh = three_vpcs();
    let topology = mesh.lab.topology();
    let result = groups(&topology, None);
    let reachable = pairs(&result, true, 100);
    assert_eq!((reachable.total, reachable.pairs.len()), (9, 9));
    let unreachable = pairs(&result, false, 3);
    assert_eq!((unreachable.total, unreachable.pairs.len()), (11, 3));
    // Source order, then destination order: the first three of the full list.
    let everything = pairs(&result, false, usize::MAX);
    assert_eq!(everything.pairs.len(), 11);
    assert_eq!(unreachable.pairs, everything.pairs[..3]);
    let matrix = result.expand();
    for &(from, to) in &everything.pairs {
        assert!(from != to && !matrix.reaches(from, to));
    }
    for &(from, to) in &reachable.pairs {
        assert!(matrix.reaches(from, to));
    }
    assert!(pairs(&result, true, 0).pairs.is_empty());
}

#[test]
fn a_rule_for_one_host_splits_its_subnet_into_groups() {
    let mut mesh = three_vpcs();
    let [a1, a2, _, _, c1] = mesh.instances.clone();
    // C peers with A, and C's group lets ICMP in from a1's address only (it already allows 10.0.0.0/8: take a
    // fresh instance in a group of its own).
    let [a, _, c] = mesh.vpcs.clone();
    let pcx = mesh.lab.peer(&a, &c, None);
    mesh.lab.route(&a, "10.3.0.0/16", Target::Peering(pcx.clone()));
    mesh.lab.route(&c, "10.1.0.0/16", Target::Peering(pcx));
    let c2 = mesh.lab.instance_in_new_group(&c, &mesh.subnets[2], "10.3.1.11", "only-a1");
    mesh.lab.allow_in(&c2, "icmp", Some((-1, -1)), "10.1.1.10/32");
    let topology = mesh.lab.topology();
    let result = groups(&topology, None);
    let at = |instance: &String| index_of(&topology, &result, instance);
    assert!(result.reaches_pair(at(&a1), at(&c2)));
    assert!(!result.reaches_pair(at(&a2), at(&c2)));
    assert_ne!(result.group_of(at(&a1)), result.group_of(at(&a2)));
    assert!(result.reaches_pair(at(&a2), at(&c1)) && result.reaches_pair(at(&c1), at(&a1)));
    let selection: Vec<usize> = result.enis.clone();
    assert_eq!(result.expand(), crate::reachability::matrix_pairwise(&topology, &selection));
    let a_to_c = summary(&topology, &result)
        .into_iter()
        .find(|pair| topology.vpcs[pair.from].id == a && topology.vpcs[pair.to].id == c)
        .unwrap();
    // a1 and a2 reach c1; only a1 reaches c2.
    assert_eq!((a_to_c.status(), a_to_c.reachable, a_to_c.pairs), (Status::Partial, 3, 4));
}

#[test]
fn no_instances_no_groups() {
    let lab = Lab::new();
    let topology = lab.topology();
    let result = groups(&topology, None);
    assert!(result.is_empty());
    assert_eq!((result.ordered_pairs(), result.reachable_pairs()), (0, 0));
    assert!(summary(&topology, &result).is_empty());
    assert_eq!(pairs(&result, false, 10).total, 0);
}

#[test]
fn over_tcp_an_instance_that_does_not_listen_is_not_reachable() {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.1.0.0/16");
    let subnet = lab.subnet(&vpc, "10.1.1.0/24");
    let listen = |ports: &str| vec![localvpc_model::Tag { key: "localvpc:listen".into(), value: ports.into() }];
    // Same subnet, same (default) group, which lets its members in on every protocol: only listening differs.
    let web = lab.instance_tagged(&subnet, "10.1.1.10", listen("22,80"));
    let ssh = lab.instance(&subnet, "10.1.1.11");
    let other = lab.instance_tagged(&subnet, "10.1.1.12", listen("80"));
    let topology = lab.topology();
    let tcp80 = crate::Protocol::Tcp(80);
    let result = crate::reachability::groups_for(&topology, None, tcp80);
    let at = |instance: &String| index_of(&topology, &result, instance);
    assert!(result.reaches_pair(at(&ssh), at(&web)) && result.reaches_pair(at(&web), at(&other)));
    assert!(!result.reaches_pair(at(&web), at(&ssh)), "refused: nothing listens on 80");
    assert_eq!(result.expand(), crate::reachability::matrix_pairwise_for(&topology, &result.enis, tcp80));
    // Over ICMP (and on port 22, where every one of them listens but `other`) the three are alike again.
    assert_eq!(groups(&topology, None).len(), 1);
    let tcp22 = crate::reachability::groups_for(&topology, None, crate::Protocol::Tcp(22));
    assert_eq!(
        tcp22.expand(),
        crate::reachability::matrix_pairwise_for(&topology, &tcp22.enis, crate::Protocol::Tcp(22))
    );
    assert!(!tcp22.reaches_pair(at(&web), at(&other)) && tcp22.reaches_pair(at(&other), at(&ssh)));
}
