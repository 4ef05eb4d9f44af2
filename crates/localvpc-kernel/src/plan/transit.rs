//! Transit gateways in the kernel (part 2 §14.4): each gateway with an available VPC, VPN or peering attachment is
//! a namespace (`lv-tgw-…`) joined by one veth per attachment — to the VPC's router, to the on-premises site of a
//! VPN connection with a tunnel up, or to the peer gateway's namespace (namespaces are global: the two gateways may
//! be of different accounts and Regions). Inside it one kernel table per gateway route table, selected by `iif` of
//! the attachments associated with it on this side: active routes go out by the target attachment's link, everything
//! else (blackhole routes, unavailable targets, no match, no association) is dropped. A packet that comes over a
//! peering is thus looked up again in the peer's table associated with the peering (step 4). Like the VPC router it
//! is no traceroute hop.
//!
//! In the VPC router a route to the gateway leaves by the attachment's link; what arrives by it is looked up in the
//! route table of the attachment's subnet, so a destination in the VPC is delivered (its `local` route) and anything
//! else is routed on (centralized egress, part 2 §14.4 step 4). The attachment subnet's network ACL applies in
//! both directions, as the engine applies it.
//!
//! IPv6 (part 2 §16.2 [D]) takes the same links and tables: the gateway tables' IPv6 routes (propagated from
//! attachments with `Ipv6Support`, static, blackhole) sit beside the IPv4 ones, the `iif` rules select the table in
//! both families (a rule without a source exists in both), and the ACL chains are `inet` ones. The links hold no
//! address of ours: an IPv6 route goes via `NEXT_HOP_V6` (fe80::1) with a permanent neighbour entry, as over a
//! peering or the internet link, so no address of a hidden router can show in a traceroute or answer a ping, and no
//! ULA block of ours could collide with a VPC's. A VPC attachment without `Ipv6Support` carries no IPv6 in either
//! direction (the engine's `carries_family`): the router's IPv6 routes to it and the gateway's to it are blackholes.

use localvpc_engine::topology::{TgwAttachmentKind, TgwAttachmentNode, VpcIx};
use localvpc_engine::Topology;

use super::net;
use crate::firewall::{Chain, Match, Rule as FirewallRule, Verdict};
use crate::names::{self, Names, NEXT_HOP, NEXT_HOP_V6};
use crate::state::{table, KernelState, Namespace, Neighbour, Role, RouteKind, Rule, Veth, VethEnd};

/// Part 2 §14.4 [D] and the quota table ("TGW MTU (VPC, DX, peering)"): the MTU of traffic between a VPC and a
/// transit gateway, and of a peering between two gateways, within a Region or across Regions alike.
pub const TGW_MTU: u32 = 8500;

/// The available attachments of `vpc` to any transit gateway: each is a link of its router.
pub(super) fn vpc_attachments(topology: &Topology, vpc: VpcIx) -> Vec<&TgwAttachmentNode> {
    topology
        .tgw_attachments()
        .into_iter()
        .filter(|attachment| attachment.available)
        .filter(|attachment| matches!(attachment.kind, TgwAttachmentKind::Vpc { vpc: of, .. } if of == vpc))
        .collect()
}

/// The link a route of `vpc` to transit gateway `gateway` leaves by (none: the route is a blackhole).
pub(super) fn route_link(topology: &Topology, vpc: VpcIx, gateway: &str) -> Option<String> {
    let attachment = topology.vpc_attachment(vpc, gateway).filter(|attachment| attachment.available)?;
    Some(names::attachment_link(&attachment.id))
}

/// The link an IPv6 route of `vpc` to transit gateway `gateway` leaves by: only an attachment with `Ipv6Support`
/// carries IPv6 (part 2 §16.2 [D], the engine's `carries_family`); none: the route is a blackhole.
pub(super) fn ipv6_route_link(topology: &Topology, vpc: VpcIx, gateway: &str) -> Option<String> {
    let attachment =
        topology.vpc_attachment(vpc, gateway).filter(|attachment| attachment.available && attachment.carries_ipv6)?;
    Some(names::attachment_link(&attachment.id))
}

/// Whether the gateway hands IPv6 to `attachment` in the kernel: a VPC attachment with `Ipv6Support`, or a peering
/// (the engine's `carries_ipv6`). ASSUMPTION: not a VPN attachment — the kernel's sites are IPv4 hosts (plan/vpn.rs)
/// and BGP propagates IPv4 prefixes only, so an IPv6 route to one is a blackhole here (the engine, whose VPN walk
/// has no family, would deliver it at the site).
pub(super) fn carries_ipv6(attachment: &TgwAttachmentNode) -> bool {
    attachment.carries_ipv6 && !matches!(attachment.kind, TgwAttachmentKind::Vpn { .. })
}

/// The VPN connection (with a tunnel up) that a VPN attachment carries traffic over, and its site's customer gateway.
pub(super) fn vpn_attachment_site<'t>(topology: &'t Topology, attachment: &TgwAttachmentNode) -> Option<&'t str> {
    let TgwAttachmentKind::Vpn { connection } = &attachment.kind else { return None };
    let link = topology.vpn.transit_links.get(connection).filter(|link| link.tunnel.is_some())?;
    attachment.available.then_some(topology.vpn.sites[link.site].id.as_str())
}

/// The link of an attachment inside its gateway's namespace (both gateways' for a peering), if it is realised.
fn gateway_link(topology: &Topology, attachment: &TgwAttachmentNode) -> Option<String> {
    match &attachment.kind {
        TgwAttachmentKind::Vpc { .. } if attachment.available => Some(names::attachment_link(&attachment.id)),
        TgwAttachmentKind::Vpn { connection } => {
            vpn_attachment_site(topology, attachment).map(|_| names::vpn_link(connection))
        }
        TgwAttachmentKind::Peering { requester, accepter }
            if attachment.available
                && topology.transit_gateway(requester).is_some()
                && topology.transit_gateway(accepter).is_some() =>
        {
            Some(names::attachment_link(&attachment.id))
        }
        _ => None,
    }
}

/// Whether `attachment` is one of `gateway`'s: its own, or a peering that names it as the accepter (a peering
/// attachment has one ID, the same on both gateways, part 2 §14.3).
fn belongs_to(attachment: &TgwAttachmentNode, gateway: &str) -> bool {
    attachment.gateway == gateway
        || matches!(&attachment.kind, TgwAttachmentKind::Peering { accepter, .. } if accepter == gateway)
}

/// The router's side of its attachments: a link to each gateway, and packets arriving by it looked up in the
/// route table of the attachment's subnet (`numbers`: the router's kernel table of each route table).
pub(super) fn router_links(
    topology: &Topology,
    names: &Names,
    vpc: VpcIx,
    numbers: &std::collections::BTreeMap<&str, u32>,
    router: &mut Namespace,
    state: &mut KernelState,
) {
    let namespace = names.router(&topology.vpcs[vpc].id);
    for attachment in vpc_attachments(topology, vpc) {
        let link = names::attachment_link(&attachment.id);
        let gateway = names.transit_gateway(&attachment.gateway);
        for address in [NEXT_HOP.into(), NEXT_HOP_V6.into()] {
            router.neighbours.insert(Neighbour {
                device: link.clone(),
                address,
                mac: names::link_mac(&gateway, &link),
            });
        }
        state.veths.insert((namespace.clone(), link.clone()), veth(&namespace, &gateway, &link, TGW_MTU));
        if let Some((subnet, _)) = arrival_subnet(attachment) {
            let route_table = topology.subnets[subnet].route_table.id.as_str();
            if let Some(&number) = numbers.get(route_table) {
                router.rules.insert(Rule { priority: 100, iif: Some(link), source: None, table: number });
            }
        }
    }
}

/// ASSUMPTION (part 2 §14.4 step 4 [D], zones): the engine sends a packet out of the gateway by the attachment's
/// interface in the packet's zone; one veth per attachment cannot tell the zone, so the kernel takes the
/// attachment's first zone (the engine's own fallback, `egress_in`) for everything arriving from the gateway: its
/// subnet's route table and network ACL. Exact for an attachment with one subnet.
pub(super) fn arrival_subnet(attachment: &TgwAttachmentNode) -> Option<(usize, usize)> {
    attachment.egress_in("")
}

/// The router's forward rules for its attachments (the chains they jump to are the subnets' ACL chains):
/// - into the gateway (part 2 §14.4 steps 1–2): only from a subnet whose zone the attachment serves, through the
///   inbound ACL of the attachment's subnet in that zone unless the sender is in it;
/// - out of the gateway (step 4): through the outbound ACL of the attachment's subnet, unless the destination is in
///   it;
/// - from a gateway back into a gateway (part 2 §14.4 step 4: the attachment subnet's route table decides what is
///   not the VPC's, and may name a gateway; the engine walks it): it leaves as a packet sent from that subnet
///   would — only by an attachment that serves its zone, through that attachment's subnet's inbound ACL unless it
///   is the same subnet (the arrival subnet's outbound ACL is `from_<link>`'s). Rings are blackholes in the
///   gateways' tables (plan/transit_loops.rs): hidden routers give back the TTL, so nothing else would end them.
pub(super) fn router_filters(topology: &Topology, vpc: VpcIx) -> (Vec<FirewallRule>, Vec<Chain>) {
    let attachments = vpc_attachments(topology, vpc);
    let links: Vec<String> = attachments.iter().map(|attachment| names::attachment_link(&attachment.id)).collect();
    let mut rules = Vec::new();
    let mut chains = Vec::new();
    for (attachment, link) in attachments.iter().zip(&links) {
        let arrival = arrival_subnet(attachment).map(|(subnet, _)| subnet);
        for (other, other_link) in attachments.iter().zip(&links) {
            let matches = vec![Match::InputInterface(link.clone()), Match::OutputInterface(other_link.clone())];
            let entry = arrival.and_then(|subnet| other.in_zone(&topology.subnets[subnet].zone));
            match (arrival, entry) {
                (Some(subnet), Some((entry, _))) if entry != subnet => {
                    let inbound = format!("in_{}", names::subnet_bridge(&topology.subnets[entry].id));
                    rules.push(FirewallRule { matches, verdict: Verdict::Jump(inbound) });
                }
                (Some(_), Some(_)) => {}
                _ => rules.push(FirewallRule { matches, verdict: Verdict::Drop }),
            }
        }
        for &subnet in &topology.vpcs[vpc].subnets {
            let node = &topology.subnets[subnet];
            let matches =
                vec![Match::InputInterface(names::subnet_bridge(&node.id)), Match::OutputInterface(link.clone())];
            match attachment.in_zone(&node.zone) {
                None => rules.push(FirewallRule { matches, verdict: Verdict::Drop }),
                Some((entry, _)) if entry != subnet => {
                    let inbound = format!("in_{}", names::subnet_bridge(&topology.subnets[entry].id));
                    rules.push(FirewallRule { matches, verdict: Verdict::Jump(inbound) });
                }
                Some(_) => {}
            }
        }
        let Some((subnet, _)) = arrival_subnet(attachment) else { continue };
        let bridge = names::subnet_bridge(&topology.subnets[subnet].id);
        let chain = format!("from_{link}");
        chains.push(Chain {
            name: chain.clone(),
            hook: None,
            rules: vec![
                FirewallRule { matches: vec![Match::OutputInterface(bridge.clone())], verdict: Verdict::Return },
                FirewallRule { matches: Vec::new(), verdict: Verdict::Jump(format!("out_{bridge}")) },
            ],
        });
        rules.push(FirewallRule { matches: vec![Match::InputInterface(link.clone())], verdict: Verdict::Jump(chain) });
    }
    (rules, chains)
}

/// A point-to-point link named `link` at both ends, from namespace `near` to `far`.
fn veth(near: &str, far: &str, link: &str, mtu: u32) -> Veth {
    let end = |namespace: &str| VethEnd {
        mac: names::link_mac(namespace, link),
        namespace: namespace.to_string(),
        name: link.to_string(),
        bridge: None,
    };
    Veth { a: end(near), b: end(far), mtu }
}

/// The namespace of every transit gateway with at least one realised attachment.
pub(super) fn transit_gateways(topology: &Topology, names: &Names, state: &mut KernelState) {
    let attachments = topology.tgw_attachments();
    let loops = super::transit_loops::transit_loops(topology);
    for gateway in topology.transit_gateways() {
        let links: Vec<(&TgwAttachmentNode, String)> = attachments
            .iter()
            .filter(|attachment| belongs_to(attachment, &gateway.id))
            .filter_map(|attachment| gateway_link(topology, attachment).map(|link| (*attachment, link)))
            .collect();
        if links.is_empty() {
            continue;
        }
        let namespace = names.transit_gateway(&gateway.id);
        let mut spec = Namespace::new(Role::TransitGateway);
        for (attachment, link) in &links {
            // The far end: the VPC router (its veth is made there), the peer gateway (made by the requester's side)
            // or the site (made here).
            let far_namespace = match &attachment.kind {
                TgwAttachmentKind::Vpc { vpc, .. } => names.router(&topology.vpcs[*vpc].id),
                TgwAttachmentKind::Peering { requester, accepter } => {
                    let peer = names.transit_gateway(if *requester == gateway.id { accepter } else { requester });
                    if *requester == gateway.id {
                        state.veths.insert((namespace.clone(), link.clone()), veth(&namespace, &peer, link, TGW_MTU));
                    }
                    peer
                }
                TgwAttachmentKind::Vpn { .. } => {
                    let site = names.site(vpn_attachment_site(topology, attachment).unwrap_or_default());
                    let tunnel = veth(&namespace, &site, link, super::INTERNET_MTU);
                    state.veths.insert((namespace.clone(), link.clone()), tunnel);
                    site
                }
            };
            for address in [NEXT_HOP.into(), NEXT_HOP_V6.into()] {
                let mac = names::link_mac(&far_namespace, link);
                spec.neighbours.insert(Neighbour { device: link.clone(), address, mac });
            }
        }
        let tables: Vec<_> =
            topology.tgw_tables().iter().enumerate().filter(|(_, table)| table.gateway == gateway.id).collect();
        let ids: Vec<&str> = tables.iter().map(|(_, table)| table.id.as_str()).collect();
        for (&(index, table), number) in tables.iter().zip(names::route_table_ids(&ids)) {
            for route in &table.routes {
                let target = route.attachment.as_deref().and_then(|id| topology.tgw_attachment(id));
                let link = target.filter(|_| route.active).and_then(|target| gateway_link(topology, target));
                let kind = match link {
                    Some(device) => RouteKind::Gateway { gateway: NEXT_HOP.into(), device, source: None },
                    None => RouteKind::Blackhole,
                };
                // Longest prefix first, as the engine looks them up; the model keeps one route per block.
                spec.routes.entry((number, route.destination.into())).or_insert(kind);
            }
            spec.routes.entry((number, net("0.0.0.0/0"))).or_insert(RouteKind::Blackhole);
            // Part 2 §16.2 [D]: the IPv6 routes, looked up apart from the IPv4 ones; out only by an attachment that
            // carries IPv6, else (as a blackhole route, or no match) dropped.
            for route in &table.ipv6_routes {
                let target = route.attachment.as_deref().and_then(|id| topology.tgw_attachment(id));
                let target = target.filter(|target| route.active && carries_ipv6(target));
                let kind = match target.and_then(|target| gateway_link(topology, target)) {
                    Some(device) => RouteKind::Gateway { gateway: NEXT_HOP_V6.into(), device, source: None },
                    None => RouteKind::Blackhole,
                };
                spec.routes.entry((number, route.destination.into())).or_insert(kind);
            }
            spec.routes.entry((number, net("::/0"))).or_insert(RouteKind::Blackhole);
            // What would circle for ever (between peered gateways, or through a VPC) is dropped here
            // (plan/transit_loops.rs).
            for block in loops.get(&index).into_iter().flatten() {
                spec.routes.insert((number, *block), RouteKind::Blackhole);
            }
            for (attachment, link) in &links {
                if topology.tgw_associated_table(&gateway.id, &attachment.id).is_some_and(|t| t.id == table.id) {
                    spec.rules.insert(Rule { priority: 100, iif: Some(link.clone()), source: None, table: number });
                }
            }
        }
        // An attachment associated with no table: everything it brings is dropped (the engine's
        // TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION).
        spec.rules.insert(Rule::all(200, table::NOWHERE));
        spec.routes.insert((table::NOWHERE, net("0.0.0.0/0")), RouteKind::Blackhole);
        spec.routes.insert((table::NOWHERE, net("::/0")), RouteKind::Blackhole);
        state.namespaces.insert(namespace, spec);
    }
}
