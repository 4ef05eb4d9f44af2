//! The answers of `POST /_localvpc/v1/reachability`, one shape per form, as the tables read them (the server's
//! JSON contract is documented in `localvpc-api`'s `v1/reachability.rs` and the README).

use std::net::Ipv4Addr;

use serde::Deserialize;

/// One instance.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Node {
    /// `i-…`.
    pub instance: Option<String>,
    /// `eni-…`.
    pub interface: String,
    /// `vpc-…`.
    pub vpc: String,
    /// Its private address.
    pub private_ip: Ipv4Addr,
}

impl Node {
    /// The instance ID, else the interface's.
    pub fn name(&self) -> &str {
        self.instance.as_deref().unwrap_or(&self.interface)
    }
}

/// The counts every form opens with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Counts {
    /// Instances selected.
    pub instances: usize,
    /// Ordered pairs of distinct instances: n·(n−1).
    pub ordered_pairs: usize,
    /// How many of them ping.
    pub reachable_pairs: usize,
}

/// Instances that every instance treats alike.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Group {
    /// Its members, in node order.
    pub members: Vec<Node>,
}

/// The default form.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Groups {
    /// Counts.
    #[serde(flatten)]
    pub counts: Counts,
    /// The groups.
    pub groups: Vec<Group>,
    /// `(from, to)` group indexes: every member of `from` pings every other member of `to`.
    pub reachable: Vec<(usize, usize)>,
}

/// One ordered pair of VPCs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct VpcPair {
    /// The sources' VPC.
    pub from: String,
    /// The destinations' VPC.
    pub to: String,
    /// `reachable`, `partial` or `none`.
    pub status: String,
    /// Instance pairs that ping.
    pub reachable: usize,
    /// Instance pairs.
    pub pairs: usize,
}

/// `--summary`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Summary {
    /// Counts.
    #[serde(flatten)]
    pub counts: Counts,
    /// Every ordered VPC pair with at least one instance pair.
    pub vpc_pairs: Vec<VpcPair>,
}

/// One listed pair.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Pair {
    /// The pinging instance.
    pub from: Node,
    /// The pinged one.
    pub to: Node,
}

/// `--reachable` and `--unreachable`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Pairs {
    /// Counts.
    #[serde(flatten)]
    pub counts: Counts,
    /// Pairs with the answer asked for, listed or not.
    pub total: usize,
    /// The longest list asked for.
    pub limit: usize,
    /// The first of them.
    pub pairs: Vec<Pair>,
}

/// `--full`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Matrix {
    /// The instances, in order.
    pub nodes: Vec<Node>,
    /// `reachable[i]` lists the indexes of the nodes `nodes[i]` pings successfully.
    pub reachable: Vec<Vec<usize>>,
}
