//! The all-pairs reachability matrix: for every ordered pair of running instances, whether ICMP echo succeeds.
//!
//! Why classes: 10,000 instances make 10^8 ordered pairs, too many to walk one by one in seconds. Interfaces in
//! the same subnet with the same security groups are treated alike by every rule *unless* a rule's CIDR splits a
//! subnet (covers part of it). So the matrix walks one representative pair per (source class, destination class),
//! after checking that every CIDR the walk compares with the destination's address is uniform over the
//! destination's subnet and every CIDR compared with the source's address is uniform over the source's subnet;
//! pairs of non-uniform classes are walked one by one. Results are kept as one bit per pair.

use std::collections::BTreeMap;

use ipnet::Ipv4Net;

use crate::packet::{Probe, Protocol, Vantage, Verdict};
use crate::topology::{EniIx, SgPeer, SubnetIx, Topology};
use crate::walk::{trace, Mode};

/// One row of bits per source interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    /// The interfaces considered, in order.
    pub enis: Vec<EniIx>,
    words: usize,
    bits: Vec<u64>,
}

impl Matrix {
    fn new(enis: Vec<EniIx>) -> Matrix {
        let words = enis.len().div_ceil(64);
        Matrix { bits: vec![0; words * enis.len()], words, enis }
    }

    fn set(&mut self, from: usize, to: usize) {
        self.bits[from * self.words + to / 64] |= 1 << (to % 64);
    }

    /// Whether `enis[from]` reaches `enis[to]`.
    pub fn reaches(&self, from: usize, to: usize) -> bool {
        self.bits[from * self.words + to / 64] & (1 << (to % 64)) != 0
    }

    /// The indexes (into `enis`) that `enis[from]` reaches.
    pub fn row(&self, from: usize) -> Vec<usize> {
        (0..self.enis.len()).filter(|&to| self.reaches(from, to)).collect()
    }

    /// Number of reachable ordered pairs.
    pub fn count(&self) -> usize {
        self.bits.iter().map(|word| word.count_ones() as usize).sum()
    }
}

/// Either a CIDR contains the whole block or misses it entirely.
fn uniform(cidr: &Ipv4Net, block: &Ipv4Net) -> bool {
    cidr.contains(block) || !(cidr.contains(&block.network()) || block.contains(&cidr.network()))
}

/// Every CIDR a walk between the two subnets compares with an address of `remote_of` — route destinations,
/// network ACL blocks, security group blocks — must be uniform over that subnet.
fn classes_are_uniform(topology: &Topology, source: &Class, destination: &Class) -> bool {
    let s = &topology.subnets[source.subnet];
    let d = &topology.subnets[destination.subnet];
    let group_cidrs = |groups: &[usize], egress: bool| -> Vec<Ipv4Net> {
        groups
            .iter()
            .flat_map(|&g| if egress { &topology.groups[g].egress } else { &topology.groups[g].ingress })
            .filter_map(|rule| match rule.peer {
                SgPeer::Cidr(block) => Some(block),
                _ => None,
            })
            .collect()
    };
    // Compared with the destination's address: the source's routes, outbound ACL and egress groups, and the
    // destination's… nothing else; compared with the source's address: the destination's routes (for the reply),
    // both ACLs' other direction, the destination's ingress groups.
    let against_destination = s
        .route_table
        .routes
        .iter()
        .map(|r| r.destination)
        .chain(s.acl.outbound.iter().map(|r| r.cidr))
        .chain(s.acl.inbound.iter().map(|r| r.cidr))
        .chain(group_cidrs(&source.groups, true));
    let against_source = d
        .route_table
        .routes
        .iter()
        .map(|r| r.destination)
        .chain(d.acl.inbound.iter().map(|r| r.cidr))
        .chain(d.acl.outbound.iter().map(|r| r.cidr))
        .chain(group_cidrs(&destination.groups, false));
    against_destination.collect::<Vec<_>>().iter().all(|cidr| uniform(cidr, &d.cidr))
        && against_source.collect::<Vec<_>>().iter().all(|cidr| uniform(cidr, &s.cidr))
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Class {
    subnet: SubnetIx,
    groups: Vec<usize>,
}

fn reachable(topology: &Topology, from: EniIx, to: EniIx) -> bool {
    let probe = Probe { from: Vantage::Eni(from), destination: topology.enis[to].private_ip, protocol: Protocol::Icmp };
    trace(topology, &probe, Mode::FirstDrop).verdict == Verdict::Reachable
}

/// Computes the matrix over `enis` (every running interface when `None`).
pub fn matrix(topology: &Topology, enis: Option<Vec<EniIx>>) -> Matrix {
    let enis: Vec<EniIx> =
        enis.unwrap_or_else(|| (0..topology.enis.len()).filter(|&eni| topology.enis[eni].running).collect());
    let mut classes: BTreeMap<Class, Vec<usize>> = BTreeMap::new();
    for (index, &eni) in enis.iter().enumerate() {
        let node = &topology.enis[eni];
        let mut groups = node.groups.clone();
        groups.sort_unstable();
        classes.entry(Class { subnet: node.subnet, groups }).or_default().push(index);
    }
    let classes: Vec<(Class, Vec<usize>)> = classes.into_iter().collect();
    let mut result = Matrix::new(enis.clone());
    for (source_class, sources) in &classes {
        for (destination_class, destinations) in &classes {
            if classes_are_uniform(topology, source_class, destination_class) {
                // One walk stands for the class pair; pick two distinct members when the classes are the same.
                let pair =
                    sources.iter().flat_map(|&s| destinations.iter().map(move |&d| (s, d))).find(|(s, d)| s != d);
                let Some((s, d)) = pair else { continue };
                if reachable(topology, enis[s], enis[d]) {
                    for &s in sources {
                        for &d in destinations {
                            if s != d {
                                result.set(s, d);
                            }
                        }
                    }
                }
            } else {
                for &s in sources {
                    for &d in destinations {
                        if s != d && reachable(topology, enis[s], enis[d]) {
                            result.set(s, d);
                        }
                    }
                }
            }
        }
    }
    result
}

/// The matrix computed pair by pair, with no classes: the reference the class shortcut is tested against.
pub fn matrix_pairwise(topology: &Topology, enis: &[EniIx]) -> Matrix {
    let mut result = Matrix::new(enis.to_vec());
    for (s, &from) in enis.iter().enumerate() {
        for (d, &to) in enis.iter().enumerate() {
            if s != d && reachable(topology, from, to) {
                result.set(s, d);
            }
        }
    }
    result
}
