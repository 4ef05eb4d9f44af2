//! Routing loops between peered transit gateways. A packet that comes over a peering attachment is looked up again
//! in the table associated with the peering on that side (part 2 §14.4 step 4 [D]), so two gateways whose tables
//! send a block to each other over their peering — or a ring of three or more — would pass a packet round for ever:
//! the hidden gateways give back the TTL at every hop (`firewall::ttl_table`), so no TTL ends it. The engine calls
//! such a packet a routing loop after a few crossings and drops it; the kernel drops it at once, as a blackhole for
//! the blocks that circle in every table of the ring. The blocks are found per elementary range (one that no route
//! of the tables involved splits), so only the addresses that really circle are cut; what leaves the ring for a VPC
//! or a VPN attachment is untouched.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use ipnet::{Ipv4Net, Ipv4Subnets};
use localvpc_engine::topology::TgwAttachmentKind;
use localvpc_engine::Topology;

/// Per gateway route table (its index in `Topology::tgw_tables`), the blocks that would circle between peered
/// gateways; empty without an available peering attachment.
pub(super) fn peering_loops(topology: &Topology) -> BTreeMap<usize, Vec<Ipv4Net>> {
    let arrivals = arrival_tables(topology);
    if arrivals.is_empty() {
        return BTreeMap::new();
    }
    // Every ring runs through tables that peerings arrive in only: their routes' edges cut the address space into
    // ranges each of which every table of the ring routes alike.
    let tables = topology.tgw_tables();
    let mut edges: Vec<u64> = vec![0, 1 << 32];
    for &table in &arrivals {
        for route in &tables[table].routes {
            edges.push(u64::from(u32::from(route.destination.network())));
            edges.push(u64::from(u32::from(route.destination.broadcast())) + 1);
        }
    }
    edges.sort_unstable();
    edges.dedup();
    let mut ranges: BTreeMap<usize, Vec<(u64, u64)>> = BTreeMap::new();
    for range in edges.windows(2) {
        let (low, high) = (range[0], range[1]);
        let address = Ipv4Addr::from(low as u32);
        for &start in &arrivals {
            if !circles(topology, start, address, arrivals.len()) {
                continue;
            }
            let of_table = ranges.entry(start).or_default();
            match of_table.last_mut() {
                Some(last) if last.1 == low => last.1 = high,
                _ => of_table.push((low, high)),
            }
        }
    }
    ranges
        .into_iter()
        .map(|(table, ranges)| {
            let blocks = ranges
                .into_iter()
                .flat_map(|(low, high)| {
                    Ipv4Subnets::new(Ipv4Addr::from(low as u32), Ipv4Addr::from((high - 1) as u32), 0)
                })
                .collect();
            (table, blocks)
        })
        .collect()
}

/// The tables associated with an available peering attachment on either side.
fn arrival_tables(topology: &Topology) -> BTreeSet<usize> {
    let mut arrivals = BTreeSet::new();
    for attachment in topology.tgw_attachments() {
        let TgwAttachmentKind::Peering { requester, accepter } = &attachment.kind else { continue };
        if !attachment.available {
            continue;
        }
        for side in [requester, accepter] {
            if let Some(table) = table_index(topology, side, &attachment.id) {
                arrivals.insert(table);
            }
        }
    }
    arrivals
}

fn table_index(topology: &Topology, gateway: &str, attachment: &str) -> Option<usize> {
    let associated = topology.tgw_associated_table(gateway, attachment)?;
    topology.tgw_tables().iter().position(|table| table.id == associated.id)
}

/// Where a packet to `address` looked up in `table` is looked up next, if its route leads over an available peering:
/// the table associated with the peering on the far side.
fn next_table(topology: &Topology, table: usize, address: Ipv4Addr) -> Option<usize> {
    let node = &topology.tgw_tables()[table];
    let route = node.lookup(address).filter(|route| route.active)?;
    let attachment = topology.tgw_attachment(route.attachment.as_deref()?).filter(|attachment| attachment.available)?;
    let TgwAttachmentKind::Peering { requester, accepter } = &attachment.kind else { return None };
    let far = if *requester == node.gateway { accepter } else { requester };
    table_index(topology, far, &attachment.id)
}

/// Whether a packet to `address` that arrives in `start` comes back to it over peerings (a ring has at most `bound`
/// tables).
fn circles(topology: &Topology, start: usize, address: Ipv4Addr, bound: usize) -> bool {
    let mut table = start;
    for _ in 0..bound {
        match next_table(topology, table, address) {
            Some(next) if next == start => return true,
            Some(next) => table = next,
            None => return false,
        }
    }
    false
}
