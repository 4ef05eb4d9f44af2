//! The answer per VPC pair: of the ordered instance pairs from one VPC to another (or within one), how many
//! reach — counted from the groups, group pair by group pair, never pair by pair.

use std::collections::{BTreeMap, HashMap};

use super::Groups;
use crate::topology::{Topology, VpcIx};

/// How much of a VPC pair reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Every instance pair.
    Reachable,
    /// Some instance pairs, not all.
    Partial,
    /// No instance pair.
    Unreachable,
}

impl Status {
    /// `reachable`, `partial` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Reachable => "reachable",
            Status::Partial => "partial",
            Status::Unreachable => "none",
        }
    }
}

/// The instance pairs from one VPC to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpcPair {
    /// The sources' VPC.
    pub from: VpcIx,
    /// The destinations' VPC.
    pub to: VpcIx,
    /// Ordered pairs of distinct selected instances from `from` to `to`.
    pub pairs: usize,
    /// How many of them reach.
    pub reachable: usize,
}

impl VpcPair {
    /// All, some or none.
    pub fn status(&self) -> Status {
        match self.reachable {
            0 => Status::Unreachable,
            reachable if reachable == self.pairs => Status::Reachable,
            _ => Status::Partial,
        }
    }
}

/// Every ordered pair of the selection's VPCs that holds at least one instance pair (a VPC with one selected
/// instance has none with itself), ordered by the VPCs' order in the topology.
pub fn summary(topology: &Topology, groups: &Groups) -> Vec<VpcPair> {
    // Instances per VPC, overall and per group.
    let mut per_vpc: BTreeMap<VpcIx, usize> = BTreeMap::new();
    let mut per_group: Vec<BTreeMap<VpcIx, usize>> = vec![BTreeMap::new(); groups.len()];
    for (index, &eni) in groups.enis.iter().enumerate() {
        let vpc = topology.enis[eni].vpc;
        *per_vpc.entry(vpc).or_default() += 1;
        *per_group[groups.group_of(index)].entry(vpc).or_default() += 1;
    }
    let mut reachable: HashMap<(VpcIx, VpcIx), usize> = HashMap::new();
    for (from, to) in groups.group_pairs(true) {
        for (&from_vpc, &sources) in &per_group[from] {
            for (&to_vpc, &destinations) in &per_group[to] {
                // Within one group and one VPC, an instance is never its own destination.
                let same = from == to && from_vpc == to_vpc;
                *reachable.entry((from_vpc, to_vpc)).or_default() +=
                    if same { sources * (sources - 1) } else { sources * destinations };
            }
        }
    }
    let mut answer = Vec::new();
    for (&from, &sources) in &per_vpc {
        for (&to, &destinations) in &per_vpc {
            let pairs = if from == to { sources * (sources - 1) } else { sources * destinations };
            if pairs > 0 {
                let reachable = reachable.get(&(from, to)).copied().unwrap_or(0);
                answer.push(VpcPair { from, to, pairs, reachable });
            }
        }
    }
    answer
}
