//! Routing loops through transit gateways. A packet that comes over a peering attachment is looked up again in the
//! table associated with the peering on that side (part 2 §14.4 step 4 [D]), and one the gateway sends into a VPC
//! that does not hold its destination is routed on by the route table of the attachment's subnet — to a transit
//! gateway again, maybe (transitive by design, part 2 §14.4). So gateways whose tables send a block to each other, or
//! to a VPC that sends it back, would pass a packet round for ever: the hidden routers give back the TTL (and the
//! IPv6 hop limit) at every hop (`firewall::ttl_table`), so neither ends it. The engine calls such a packet a routing
//! loop after a few crossings and drops it; the kernel drops it at once, as a blackhole for the blocks that circle in
//! every gateway table of the ring. The blocks are found per elementary range (one that no route of the tables
//! involved splits), so only the addresses that really circle are cut; what ends in a VPC or at a VPN attachment is
//! untouched. Each family is searched on its own (part 2 §16.2 [D]: IPv4 and IPv6 lookups are independent).

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Subnets, Ipv6Subnets};
use localvpc_engine::topology::{Target, TgwAttachmentKind, TgwAttachmentNode};
use localvpc_engine::Topology;

use super::transit::arrival_subnet;

/// Per gateway route table (its index in `Topology::tgw_tables`), the blocks of either family that would circle;
/// empty when nothing can go round (no available peering, no attachment subnet that routes to a gateway).
pub(super) fn transit_loops(topology: &Topology) -> BTreeMap<usize, Vec<IpNet>> {
    let attachments = topology.tgw_attachments();
    let onward: Vec<&TgwAttachmentNode> = attachments
        .iter()
        .copied()
        .filter(|attachment| attachment.available)
        .filter(|attachment| match &attachment.kind {
            TgwAttachmentKind::Peering { .. } => true,
            TgwAttachmentKind::Vpc { .. } => arrival_subnet(attachment).is_some_and(|(subnet, _)| {
                let routes = &topology.subnets[subnet].route_table.routes;
                routes.iter().any(|route| matches!(route.target, Target::TransitGateway(_)))
            }),
            TgwAttachmentKind::Vpn { .. } => false,
        })
        .collect();
    let mut loops = BTreeMap::new();
    if onward.is_empty() {
        return loops;
    }
    // Part 2 §16.2 [D]: the families are routed apart, so each has rings of its own.
    for ipv6 in [false, true] {
        for (table, blocks) in family_loops(topology, &onward, ipv6) {
            loops.entry(table).or_insert_with(Vec::new).extend(blocks);
        }
    }
    loops
}

/// [`transit_loops`] for one family. Addresses are `u128` in both (an IPv4 one below 2^32); a range is its first
/// and last address, since the end of the IPv6 space does not fit one past it.
fn family_loops(topology: &Topology, onward: &[&TgwAttachmentNode], ipv6: bool) -> BTreeMap<usize, Vec<IpNet>> {
    let tables = topology.tgw_tables();
    let last_address = if ipv6 { u128::MAX } else { u128::from(u32::MAX) };
    let as_number = |address: IpAddr| match address {
        IpAddr::V4(address) => u128::from(u32::from(address)),
        IpAddr::V6(address) => u128::from(address),
    };
    let as_address = |number: u128| -> IpAddr {
        if ipv6 {
            Ipv6Addr::from(number).into()
        } else {
            Ipv4Addr::from(number as u32).into()
        }
    };
    // Every edge of a route a ring can look at cuts the address space into ranges that every table routes alike:
    // the first address of each range.
    let mut starts: Vec<u128> = vec![0];
    let mut cut = |block: IpNet| {
        if block.addr().is_ipv6() != ipv6 {
            return;
        }
        starts.push(as_number(block.network()));
        if let Some(after) = as_number(block.broadcast()).checked_add(1).filter(|&after| after <= last_address) {
            starts.push(after);
        }
    };
    for table in tables {
        if ipv6 {
            table.ipv6_routes.iter().for_each(|route| cut(route.destination.into()));
        } else {
            table.routes.iter().for_each(|route| cut(route.destination.into()));
        }
    }
    for attachment in onward {
        if let Some((subnet, _)) = arrival_subnet(attachment) {
            topology.subnets[subnet].route_table.routes.iter().for_each(|route| cut(route.destination));
        }
    }
    starts.sort_unstable();
    starts.dedup();
    let index: HashMap<&str, usize> = tables.iter().enumerate().map(|(at, table)| (table.id.as_str(), at)).collect();
    let mut ranges: BTreeMap<usize, Vec<(u128, u128)>> = BTreeMap::new();
    for (at, &low) in starts.iter().enumerate() {
        let high = starts.get(at + 1).map_or(last_address, |next| next - 1);
        let address = as_address(low);
        let next: Vec<Option<usize>> =
            (0..tables.len()).map(|table| next_table(topology, &index, table, address)).collect();
        for table in on_rings(&next) {
            let of_table = ranges.entry(table).or_default();
            match of_table.last_mut() {
                Some(last) if last.1 + 1 == low => last.1 = high,
                _ => of_table.push((low, high)),
            }
        }
    }
    ranges
        .into_iter()
        .map(|(table, ranges)| {
            let blocks = ranges
                .into_iter()
                .flat_map(|(low, high)| -> Vec<IpNet> {
                    if ipv6 {
                        Ipv6Subnets::new(low.into(), high.into(), 0).map(IpNet::V6).collect()
                    } else {
                        let (low, high) = (Ipv4Addr::from(low as u32), Ipv4Addr::from(high as u32));
                        Ipv4Subnets::new(low, high, 0).map(IpNet::V4).collect()
                    }
                })
                .collect();
            (table, blocks)
        })
        .collect()
}

fn table_index(topology: &Topology, index: &HashMap<&str, usize>, gateway: &str, attachment: &str) -> Option<usize> {
    let associated = topology.tgw_associated_table(gateway, attachment)?;
    index.get(associated.id.as_str()).copied()
}

/// Which gateway table a packet to `address` looked up in `table` is looked up in next, if the kernel carries it to
/// one: over a peering, the table associated with it on the far side; into a VPC that routes it to a gateway again
/// (by the route table of the attachment's first-zone subnet, as the router looks it up, and only if that gateway's
/// attachment serves the subnet's zone, as the router's filter demands), the table associated with that attachment.
/// An IPv6 packet goes on only by attachments that carry IPv6 (the gateway's `carries_ipv6`).
fn next_table(topology: &Topology, index: &HashMap<&str, usize>, table: usize, address: IpAddr) -> Option<usize> {
    let node = &topology.tgw_tables()[table];
    let route = node.lookup(address).filter(|route| route.active)?;
    let carried = |attachment: &TgwAttachmentNode| {
        attachment.available && (address.is_ipv4() || super::transit::carries_ipv6(attachment))
    };
    let attachment = topology.tgw_attachment(route.attachment.as_deref()?).filter(|attachment| carried(attachment))?;
    match &attachment.kind {
        TgwAttachmentKind::Peering { requester, accepter } => {
            let far = if *requester == node.gateway { accepter } else { requester };
            table_index(topology, index, far, &attachment.id)
        }
        TgwAttachmentKind::Vpc { vpc, .. } => {
            let (subnet, _) = arrival_subnet(attachment)?;
            let subnet = &topology.subnets[subnet];
            let route = subnet.route_table.lookup(address).filter(|route| route.active)?;
            let Target::TransitGateway(gateway) = &route.target else { return None };
            let next = topology.vpc_attachment(*vpc, gateway).filter(|next| carried(next))?;
            next.in_zone(&subnet.zone)?;
            table_index(topology, index, gateway, &next.id)
        }
        TgwAttachmentKind::Vpn { .. } => None,
    }
}

/// The tables on a ring of `next` (each table's successor for one address, if any), each once, in order.
fn on_rings(next: &[Option<usize>]) -> Vec<usize> {
    const UNSEEN: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![UNSEEN; next.len()];
    let mut ring = Vec::new();
    for start in 0..next.len() {
        let mut path = Vec::new();
        let mut at = Some(start);
        while let Some(table) = at {
            if state[table] == ON_PATH {
                let from = path.iter().position(|&on| on == table).unwrap_or(path.len());
                ring.extend_from_slice(&path[from..]);
            }
            if state[table] != UNSEEN {
                break;
            }
            state[table] = ON_PATH;
            path.push(table);
            at = next[table];
        }
        path.iter().for_each(|&table| state[table] = DONE);
    }
    ring.sort_unstable();
    ring
}

#[cfg(test)]
mod tests {
    use super::on_rings;

    #[test]
    fn the_tables_on_a_ring_are_found_once_and_those_leading_into_it_are_not() {
        // 0 → 1 → 2 → 1 (a ring of 1 and 2 that 0 leads into), 3 → 3 (a table that sends back to itself), 4 ends.
        assert_eq!(on_rings(&[Some(1), Some(2), Some(1), Some(3), None]), vec![1, 2, 3]);
        assert_eq!(on_rings(&[None, Some(0)]), Vec::<usize>::new());
    }
}
