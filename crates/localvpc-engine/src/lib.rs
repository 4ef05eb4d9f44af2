//! The packet engine of localvpc: what AWS would do with a packet, computed from the resource model.
//!
//! Layers, in the order a probe uses them:
//! - [`topology`]: [`Topology::compile`] turns a `World` into an immutable, lookup-friendly value — effective
//!   route tables ready for longest-prefix match, network ACL rules sorted, interfaces by address, group rules
//!   resolved.
//! - [`packet`]: probes, packets, hops, findings (drops with explanation codes and fixes), verdicts.
//! - [`rules`]: security group and network ACL matching.
//! - [`walk`]: the packet walk of spec §3.1, forward then back; [`walk::trace`] is the core call,
//!   `trace(&Topology, &Probe, Mode) -> Trace`.
//! - [`dns`]: the Amazon-provided resolver with its split horizon (spec §4).
//! - [`reachability`]: the all-pairs matrix.
//! - [`visibility`]: what a caller may see of a walk (its own resources only), for every front end.
//! - [`flow_log`]: the VPC flow log records a walked probe leaves at each interface (part 2 §18.3).
//!
//! Architecture invariant: no I/O, no clock, no randomness. A drop is a verdict with findings, not an `Err`; the
//! engine returns its decisions as data and never logs. Engine types are not `Serialize`: the API keeps its own
//! JSON shapes.
#![warn(missing_docs)]

pub mod dns;
pub mod flow_log;
pub mod packet;
pub mod reachability;
pub mod rules;
pub mod topology;
pub mod visibility;
pub mod walk;

pub use packet::{
    Code, Endpoint, Finding, Hop, HopKind, Leg, NatMapping, Packet, Place, Probe, Protocol, Trace, Vantage, Verdict,
};
pub use topology::Topology;
pub use walk::{trace, trace_flow, Mode};

#[cfg(test)]
mod tests;
