//! The all-pairs reachability matrix: for every ordered pair of running instances, whether ICMP echo succeeds.

use crate::packet::{Probe, Protocol, Vantage, Verdict};
use crate::topology::{EniIx, Topology};
use crate::walk::{trace, Mode};

/// One row per source interface: the destinations it reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    /// The interfaces considered, in order.
    pub enis: Vec<EniIx>,
    /// `reachable[i]` lists the indexes (into `enis`) that `enis[i]` reaches.
    pub reachable: Vec<Vec<usize>>,
}

/// Computes the matrix over `enis` (every running interface when `None`).
pub fn matrix(topology: &Topology, enis: Option<Vec<EniIx>>) -> Matrix {
    let enis: Vec<EniIx> =
        enis.unwrap_or_else(|| (0..topology.enis.len()).filter(|&eni| topology.enis[eni].running).collect());
    let reachable = enis
        .iter()
        .map(|&source| {
            enis.iter()
                .enumerate()
                .filter(|&(_, &destination)| destination != source)
                .filter(|&(_, &destination)| {
                    let probe = Probe {
                        from: Vantage::Eni(source),
                        destination: topology.enis[destination].private_ip,
                        protocol: Protocol::Icmp,
                    };
                    trace(topology, &probe, Mode::FirstDrop).verdict == Verdict::Reachable
                })
                .map(|(index, _)| index)
                .collect()
        })
        .collect();
    Matrix { enis, reachable }
}
