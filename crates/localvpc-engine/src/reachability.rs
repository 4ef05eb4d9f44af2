//! The all-pairs reachability of running instances: for every ordered pair, whether ICMP echo succeeds (or, with
//! [`groups_for`], whether a TCP connection or a UDP datagram to a port gets its answer).
//!
//! Why classes: 10,000 instances make 10^8 ordered pairs, too many to walk one by one in seconds. Interfaces in
//! the same subnet with the same security groups are treated alike by every rule *unless* a rule's CIDR splits a
//! subnet (covers part of it). So the walk runs once per (source class, destination class), after checking that
//! every CIDR the walk compares with the destination's address is uniform over the destination's subnet and every
//! CIDR compared with the source's address is uniform over the source's subnet; pairs of non-uniform classes are
//! walked one by one.
//!
//! Why groups: 10^8 answers are not what anyone reads either. [`Groups`] is the answer itself, compressed: the
//! instances split into groups whose members every instance treats alike (same row, same column), and whether each
//! group reaches each group — a full peering mesh of 10,080 instances is one group that reaches itself. The other
//! forms derive from it without expanding it: [`summary`] (per VPC pair: reachable, partial or none, with counts),
//! [`pairs`] (the first N reachable or unreachable pairs, with the total), and [`Matrix`] (one bit per pair, for
//! whoever asks for every cell).

mod groups;
mod pairs;
mod summary;

use std::collections::BTreeMap;

use std::net::IpAddr;

use ipnet::Ipv4Net;

pub use groups::Groups;
pub use pairs::{pairs, Pairs};
pub use summary::{summary, Status, VpcPair};

use crate::packet::{Probe, Protocol, Vantage, Verdict};
use crate::topology::{ipv4_block, EniIx, SgPeer, SubnetIx, Topology};
use crate::walk::{trace, Mode};

/// A square of bits, one row per source.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Bits {
    size: usize,
    words: usize,
    bits: Vec<u64>,
}

impl Bits {
    fn new(size: usize) -> Bits {
        let words = size.div_ceil(64);
        Bits { size, words, bits: vec![0; words * size] }
    }

    fn set(&mut self, from: usize, to: usize) {
        self.bits[from * self.words + to / 64] |= 1 << (to % 64);
    }

    fn get(&self, from: usize, to: usize) -> bool {
        self.bits[from * self.words + to / 64] & (1 << (to % 64)) != 0
    }

    fn count(&self) -> usize {
        self.bits.iter().map(|word| word.count_ones() as usize).sum()
    }
}

/// The expanded matrix: one bit per ordered pair of interfaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    /// The interfaces considered, in order.
    pub enis: Vec<EniIx>,
    bits: Bits,
}

impl Matrix {
    fn new(enis: Vec<EniIx>) -> Matrix {
        Matrix { bits: Bits::new(enis.len()), enis }
    }

    /// Whether `enis[from]` reaches `enis[to]`.
    pub fn reaches(&self, from: usize, to: usize) -> bool {
        self.bits.get(from, to)
    }

    /// The indexes (into `enis`) that `enis[from]` reaches.
    pub fn row(&self, from: usize) -> Vec<usize> {
        (0..self.enis.len()).filter(|&to| self.reaches(from, to)).collect()
    }

    /// Number of reachable ordered pairs.
    pub fn count(&self) -> usize {
        self.bits.count()
    }
}

/// Either a CIDR contains the whole block or misses it entirely.
fn uniform(cidr: &Ipv4Net, block: &Ipv4Net) -> bool {
    cidr.contains(block) || !(cidr.contains(&block.network()) || block.contains(&cidr.network()))
}

/// Whether every CIDR of `cidrs` (whose longest prefix is `longest`) is uniform over `block`. Only a CIDR with a
/// longer prefix than the block's can split it (a shorter or equal one contains it or misses it), so the common
/// case — routes, ACL entries and rules no narrower than the subnets — is decided without a scan.
fn all_uniform(cidrs: &[Ipv4Net], longest: u8, block: &Ipv4Net) -> bool {
    longest <= block.prefix_len() || cidrs.iter().all(|cidr| uniform(cidr, block))
}

/// The CIDRs a walk from or to one class compares with the *other* end's address — route destinations, network ACL
/// blocks, security group blocks. A class pair may share one walk when every one of them is uniform over the other
/// end's subnet.
struct Compared {
    /// As the source: its routes, both directions of its ACL and its egress groups, against the destination.
    as_source: Vec<Ipv4Net>,
    /// As the destination: its routes (for the reply), both directions of its ACL and its ingress groups, against
    /// the source.
    as_destination: Vec<Ipv4Net>,
    /// The longest prefix of each list.
    longest: (u8, u8),
}

impl Compared {
    fn of(topology: &Topology, class: &Class) -> Compared {
        let subnet = &topology.subnets[class.subnet];
        let group_cidrs = |egress: bool| {
            class
                .groups
                .iter()
                .flat_map(move |&g| if egress { &topology.groups[g].egress } else { &topology.groups[g].ingress })
                .filter_map(|rule| match rule.peer {
                    SgPeer::Cidr(block) => ipv4_block(block),
                    _ => None,
                })
        };
        let common = || {
            subnet
                .route_table
                .routes
                .iter()
                .map(|r| r.destination)
                .chain(subnet.acl.outbound.iter().map(|r| r.cidr))
                .chain(subnet.acl.inbound.iter().map(|r| r.cidr))
                // The all-pairs answer is the IPv4 one (ICMP echo between private IPv4 addresses): IPv6 blocks
                // split no class.
                .filter_map(ipv4_block)
                .chain(topology.transit_cidrs().iter().copied())
        };
        let as_source: Vec<Ipv4Net> = common().chain(group_cidrs(true)).collect();
        let as_destination: Vec<Ipv4Net> = common().chain(group_cidrs(false)).collect();
        let longest = |cidrs: &[Ipv4Net]| cidrs.iter().map(Ipv4Net::prefix_len).max().unwrap_or(0);
        Compared { longest: (longest(&as_source), longest(&as_destination)), as_source, as_destination }
    }
}

/// One walk can stand for every pair of the two classes.
fn classes_are_uniform(topology: &Topology, source: (&Class, &Compared), destination: (&Class, &Compared)) -> bool {
    // An IPv6-only subnet has no IPv4 block to be uniform over: its pairs are walked one by one.
    let (Some(source_block), Some(destination_block)) =
        (&topology.subnets[source.0.subnet].cidr, &topology.subnets[destination.0.subnet].cidr)
    else {
        return false;
    };
    all_uniform(&source.1.as_source, source.1.longest.0, destination_block)
        && all_uniform(&destination.1.as_destination, destination.1.longest.1, source_block)
}

/// Interfaces every rule treats alike. For TCP whether the instance listens on the port is part of the class: it
/// decides between an answer and a reset, which no CIDR tells apart.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Class {
    subnet: SubnetIx,
    groups: Vec<usize>,
    listens: bool,
}

fn reachable(topology: &Topology, from: EniIx, to: EniIx, protocol: Protocol) -> bool {
    // The matrix is of IPv4 reachability: an IPv6-only interface has no IPv4 address to reach.
    let Some(destination) = topology.enis[to].private_ip else { return false };
    let probe = Probe { from: Vantage::Eni(from), destination: IpAddr::V4(destination), protocol };
    trace(topology, &probe, Mode::FirstDrop).verdict == Verdict::Reachable
}

/// What the walks found for one (source class, destination class).
#[derive(Debug, Clone)]
enum Block {
    /// One walk stood for every pair of distinct members (`false` when there is no such pair).
    Uniform(bool),
    /// Walked pair by pair: `bits[s * width + d]` for the source class's `s`-th and the destination class's `d`-th
    /// members (`false` where they are the same interface).
    Pairs { width: usize, bits: Vec<bool> },
}

impl Block {
    /// The answer for the source class's `s`-th and the destination class's `d`-th members.
    fn at(&self, s: usize, d: usize) -> bool {
        match self {
            Block::Uniform(reaches) => *reaches,
            Block::Pairs { width, bits } => bits[s * width + d],
        }
    }
}

/// The classes (members as indexes into the selection, ascending) and one block per ordered class pair.
#[derive(Debug)]
struct Walked {
    classes: Vec<Vec<usize>>,
    blocks: Vec<Block>,
}

impl Walked {
    fn block(&self, source: usize, destination: usize) -> &Block {
        &self.blocks[source * self.classes.len() + destination]
    }
}

/// Walks one pair per uniform class pair and every pair of the others.
fn walk_classes(topology: &Topology, enis: &[EniIx], protocol: Protocol) -> Walked {
    let mut by_class: BTreeMap<Class, Vec<usize>> = BTreeMap::new();
    for (index, &eni) in enis.iter().enumerate() {
        let node = &topology.enis[eni];
        let mut groups = node.groups.clone();
        groups.sort_unstable();
        let listens = matches!(protocol, Protocol::Tcp(port) if node.listening.contains(&port));
        by_class.entry(Class { subnet: node.subnet, groups, listens }).or_default().push(index);
    }
    let classes: Vec<(Class, Vec<usize>)> = by_class.into_iter().collect();
    let compared: Vec<Compared> = classes.iter().map(|(class, _)| Compared::of(topology, class)).collect();
    let mut blocks = Vec::with_capacity(classes.len() * classes.len());
    for ((source_class, sources), source_compared) in classes.iter().zip(&compared) {
        for ((destination_class, destinations), destination_compared) in classes.iter().zip(&compared) {
            let uniform = classes_are_uniform(
                topology,
                (source_class, source_compared),
                (destination_class, destination_compared),
            );
            let block = if uniform {
                // One walk stands for the class pair; pick two distinct members when the classes are the same.
                let pair =
                    sources.iter().flat_map(|&s| destinations.iter().map(move |&d| (s, d))).find(|(s, d)| s != d);
                Block::Uniform(pair.is_some_and(|(s, d)| reachable(topology, enis[s], enis[d], protocol)))
            } else {
                let bits = sources
                    .iter()
                    .flat_map(|&s| destinations.iter().map(move |&d| (s, d)))
                    .map(|(s, d)| s != d && reachable(topology, enis[s], enis[d], protocol))
                    .collect();
                Block::Pairs { width: destinations.len(), bits }
            };
            blocks.push(block);
        }
    }
    Walked { classes: classes.into_iter().map(|(_, members)| members).collect(), blocks }
}

/// The running interfaces of the topology, in order: the selection when the caller names none.
fn selection(topology: &Topology, enis: Option<Vec<EniIx>>) -> Vec<EniIx> {
    enis.unwrap_or_else(|| (0..topology.enis.len()).filter(|&eni| topology.enis[eni].running).collect())
}

/// The grouped answer over `enis` (every running interface when `None`), for ICMP echo.
pub fn groups(topology: &Topology, enis: Option<Vec<EniIx>>) -> Groups {
    groups_for(topology, enis, Protocol::Icmp)
}

/// The grouped answer over `enis` (every running interface when `None`) for `protocol`: a pair is reachable when
/// the probe's verdict is [`Verdict::Reachable`] (for TCP a port nothing listens on is refused, not reachable).
pub fn groups_for(topology: &Topology, enis: Option<Vec<EniIx>>, protocol: Protocol) -> Groups {
    let enis = selection(topology, enis);
    let walked = walk_classes(topology, &enis, protocol);
    groups::compress(enis, &walked)
}

/// The expanded matrix over `enis` (every running interface when `None`).
pub fn matrix(topology: &Topology, enis: Option<Vec<EniIx>>) -> Matrix {
    groups(topology, enis).expand()
}

/// The matrix computed pair by pair, with no classes: the reference the class shortcut is tested against.
pub fn matrix_pairwise(topology: &Topology, enis: &[EniIx]) -> Matrix {
    matrix_pairwise_for(topology, enis, Protocol::Icmp)
}

/// [`matrix_pairwise`] for `protocol`.
pub fn matrix_pairwise_for(topology: &Topology, enis: &[EniIx], protocol: Protocol) -> Matrix {
    let mut result = Matrix::new(enis.to_vec());
    for (s, &from) in enis.iter().enumerate() {
        for (d, &to) in enis.iter().enumerate() {
            if s != d && reachable(topology, from, to, protocol) {
                result.bits.set(s, d);
            }
        }
    }
    result
}
