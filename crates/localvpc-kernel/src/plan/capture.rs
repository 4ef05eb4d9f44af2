//! VPC flow log capture (part 2 §18.3): netfilter log (NFLOG) statements where the plan knows which interface a
//! packet belongs to and what was decided for it, only for interfaces some flow log covers (a world without flow
//! logs gets no rule at all). `flow_capture.rs` reads the groups and turns the packets into records.
//!
//! - An instance's security groups: a second base chain per direction after the groups' chain (priority 10) logs
//!   every packet the groups let through on the interface's link — new flows and conntrack's answers alike —
//!   as ACCEPT; a last rule of the groups' chain, before its default drop, logs what they refuse as REJECT.
//! - A router's network ACL chains: before each deny (a rule's and the implicit one), one rule per covered
//!   interface of the subnet, matching its address as the packet's source (outbound) or destination (inbound),
//!   logs an ACL REJECT: the packet the sender's groups already logged as ACCEPT is a REJECT at that interface
//!   (the engine's rule, `localvpc_engine::flow_log`), and one the receiver never sees is a REJECT at it.
//! - A NAT gateway's interface (§18.3 [D]: it logs both legs it forwards): packets of tracked flows are logged
//!   arriving in prerouting before conntrack restores an answer's destination (the engine's answer record keeps the
//!   gateway's address as `pkt-dstaddr`), a new flow's first packet after the forward filter; what leaves, after the
//!   forward filter before the source is translated (the record keeps the host as `pkt-srcaddr`), judged by the
//!   subnet's outbound ACL; the API puts the gateway's own address on its side of each record.
//! - A transit gateway's VPC attachment (§18.3 [D], the engine's `transit_records`): in the router, after its forward
//!   filter, what leaves by the attachment's link from a subnet of the VPC is logged arriving at the attachment's
//!   interface in the sender's zone, and what comes in by the link from any subnet is logged leaving by the
//!   interface in that sender's zone — both ACCEPT (IPv4); what the attachment subnet's outbound ACL denies of the
//!   latter is a REJECT there.
//! - Never captured (§18.3 [D]): traffic with the Amazon resolver, metadata, time sync and the VPC router
//!   (`localvpc_engine::flow_log::unlogged_peers`); loopback never matches a link. There is no DHCP in the kernel
//!   plane (addresses are configured, not leased), so none to leave out.

use std::net::IpAddr;

use ipnet::IpNet;
use localvpc_engine::dns;
use localvpc_engine::flow_log::unlogged_peers;
use localvpc_engine::topology::{EniIx, SubnetIx, TgwAttachmentNode, Topology, VpcIx};

use crate::firewall::{Chain, Firewall, Hook, Match, Rule, Verdict};
use crate::flow_capture::{self, Seen};
use crate::plan::rules;

/// After the security groups' chains (priority 0): a packet reaches it only if they accepted it.
const AFTER_GROUPS: i32 = 10;

/// Adds capture to an instance's security group table (`interfaces`: `(interface, link)`, the primary first).
pub fn instance(topology: &Topology, interfaces: &[(EniIx, String)], firewall: &mut Firewall) {
    let covered: Vec<&(EniIx, String)> =
        interfaces.iter().filter(|(eni, _)| topology.flow_logged.contains(eni)).collect();
    if covered.is_empty() {
        return;
    }
    for (chain_name, ingress) in [("input", true), ("output", false)] {
        // Neighbour discovery is the link's own business, no flow of the interface's (AWS logs none of it); nor is
        // the resolver's IPv6 address logged, as its IPv4 ones are not (`unlogged_peers`).
        let resolver = IpNet::from(IpAddr::V6(dns::AMAZON_IPV6));
        let mut accepted = vec![
            rules::neighbour_discovery(Verdict::Accept),
            Rule { matches: vec![Match::Source(resolver)], verdict: Verdict::Accept },
            Rule { matches: vec![Match::Destination(resolver)], verdict: Verdict::Accept },
        ];
        for (eni, link) in &covered {
            let node = &topology.enis[*eni];
            let peers = unlogged_peers(topology, *eni);
            let on_link =
                if ingress { Match::InputInterface(link.clone()) } else { Match::OutputInterface(link.clone()) };
            // An `ip` address match holds for IPv4 packets only (the table is `inet`), so IPv6 has a rule of its own.
            let peers = if ingress { Match::SourceNotIn(peers) } else { Match::DestinationNotIn(peers) };
            let mut families = vec![vec![on_link.clone(), peers]];
            if !node.ipv6_addresses.is_empty() {
                // The interface's own addresses only: link-local and multicast (MLD reports) are no flow of it.
                let own: Vec<IpAddr> = node.ipv6_addresses.iter().copied().map(IpAddr::V6).collect();
                families.push(vec![on_link, if ingress { Match::DestinationIn(own) } else { Match::SourceIn(own) }]);
            }
            for matches in families {
                accepted.push(log(matches.clone(), &node.id, ingress, Seen::Accepted));
                if let Some(chain) = firewall.chains.iter_mut().find(|chain| chain.name == chain_name) {
                    chain.rules.push(log(matches, &node.id, ingress, Seen::Refused));
                }
            }
        }
        let hook = Hook { hook: chain_name, kind: "filter", priority: AFTER_GROUPS, drop_by_default: false };
        firewall.chains.push(Chain { name: format!("flow_log_{chain_name}"), hook: Some(hook), rules: accepted });
    }
}

/// Between conntrack (-200) and destination NAT (-100): the answer still carries the gateway's address.
const BEFORE_DNAT: i32 = -150;

/// Adds capture to a NAT gateway's table: its interface `eni` on `link`.
pub fn nat_gateway(topology: &Topology, (eni, link): (EniIx, &str), firewall: &mut Firewall) {
    if !topology.flow_logged.contains(&eni) {
        return;
    }
    let id = &topology.enis[eni].id;
    let arriving = Match::InputInterface(link.into());
    // Packets of tracked flows (answers above all) as they arrive, before conntrack restores the host's address.
    let received = vec![log(vec![arriving.clone(), Match::Tracked], id, true, Seen::Accepted)];
    let prerouting = Hook { hook: "prerouting", kind: "filter", priority: BEFORE_DNAT, drop_by_default: false };
    firewall.chains.push(Chain { name: "flow_log_prerouting".into(), hook: Some(prerouting), rules: received });
    // After the forward filter (priority 0, drop by default), before the postrouting source NAT (100): a new flow's
    // first packet as it arrived (nothing rewrote it yet; one to the gateway itself, or multicast, is never
    // forwarded, so never logged), and everything leaving. ASSUMPTION (part 2 §13.2): the source port is the
    // host's; Linux keeps it when it is free in the gateway's range, as it is for the hosts' ephemeral ports and
    // ICMP IDs, so it is the port the engine's record shows.
    let sent = vec![
        log(vec![arriving, Match::Untracked], id, true, Seen::Accepted),
        Rule { matches: vec![Match::OutputInterface(link.into())], verdict: Verdict::Jump(NAT_EGRESS.into()) },
    ];
    let forward = Hook { hook: "forward", kind: "filter", priority: AFTER_GROUPS, drop_by_default: false };
    firewall.chains.push(Chain { name: "flow_log_forward".into(), hook: Some(forward), rules: sent });
    // The subnet's outbound ACL decides ACCEPT or REJECT here, before translation (it matches the destination,
    // protocol and ports, which the source NAT leaves alone), so a denied packet's record keeps the host as
    // `pkt-srcaddr` as the engine's does; the router only drops it.
    let mut judged = Vec::new();
    for rule in rules::network_acl(&topology.subnets[topology.enis[eni].subnet].acl.outbound, true) {
        let seen = if rule.verdict == Verdict::Drop { Seen::AclDenied } else { Seen::Accepted };
        judged.push(log(rule.matches.clone(), id, false, seen));
        judged.push(Rule { matches: rule.matches, verdict: Verdict::Return });
    }
    firewall.chains.push(Chain { name: NAT_EGRESS.into(), hook: None, rules: judged });
}

/// The NAT gateway's egress capture, judged by its subnet's outbound ACL.
const NAT_EGRESS: &str = "flow_log_nat_egress";

/// Adds capture of `vpc`'s transit gateway attachments to its router's table.
pub fn transit_attachments(topology: &Topology, vpc: VpcIx, firewall: &mut Firewall) {
    let mut rules = Vec::new();
    for attachment in super::transit::vpc_attachments(topology, vpc) {
        let link = crate::names::attachment_link(&attachment.id);
        // The engine's record goes to the attachment's interface in the sender's zone (else its first).
        let logged_in = |zone: &str| {
            attachment.egress_in(zone).map(|(_, eni)| eni).filter(|eni| topology.flow_logged.contains(eni))
        };
        // Into the gateway: sent from one of the VPC's subnets.
        for &subnet in &topology.vpcs[vpc].subnets {
            let node = &topology.subnets[subnet];
            let (Some(block), Some(eni)) = (node.cidr, logged_in(&node.zone)) else { continue };
            let matches = vec![Match::OutputInterface(link.clone()), Match::Source(block.into())];
            rules.push(log(matches, &topology.enis[eni].id, true, Seen::Accepted));
        }
        for (matches, eni) in out_of_gateway(topology, attachment) {
            rules.push(log(matches, &topology.enis[eni].id, false, Seen::Accepted));
        }
    }
    if rules.is_empty() {
        return;
    }
    let hook = Hook { hook: "forward", kind: "filter", priority: AFTER_GROUPS, drop_by_default: false };
    firewall.chains.push(Chain { name: "flow_log_transit".into(), hook: Some(hook), rules });
}

/// What comes out of `attachment`'s gateway into its VPC, per sender subnet anywhere, and the attachment's covered
/// interface in that sender's zone that logs it leaving. ASSUMPTION: a block two VPCs share takes the first's zone
/// (one packet is logged once).
fn out_of_gateway(topology: &Topology, attachment: &TgwAttachmentNode) -> Vec<(Vec<Match>, EniIx)> {
    let link = crate::names::attachment_link(&attachment.id);
    let mut seen_blocks = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for node in &topology.subnets {
        let Some(block) = node.cidr.filter(|block| seen_blocks.insert(*block)) else { continue };
        let eni = attachment.egress_in(&node.zone).map(|(_, eni)| eni);
        let Some(eni) = eni.filter(|eni| topology.flow_logged.contains(eni)) else { continue };
        out.push((vec![Match::InputInterface(link.clone()), Match::Source(block.into())], eni));
    }
    out
}

/// A network ACL chain of `subnet` (`outbound`: packets leaving it) with capture before each deny.
pub fn network_acl(topology: &Topology, subnet: SubnetIx, outbound: bool, rules: Vec<Rule>) -> Vec<Rule> {
    // A NAT gateway never logs what its subnet's ACL keeps from it (the engine's receiver is never a NAT gateway);
    // what the ACL denies of what it sends is logged in its own namespace, before translation ([`nat_gateway`]).
    let receives = |eni: EniIx| topology.nat_of_eni(eni).is_none();
    let covered: Vec<EniIx> = topology
        .flow_logged
        .iter()
        .copied()
        .filter(|&eni| topology.enis[eni].subnet == subnet && receives(eni))
        .collect();
    // Part 2 §18.3 (the engine's `transit_records`): what the gateway brings in and this subnet's outbound ACL denies
    // (the router applies the attachment's arrival subnet's, plan/transit.rs) is a REJECT leaving its interface.
    let mut from_gateways = Vec::new();
    for attachment in super::transit::vpc_attachments(topology, topology.subnets[subnet].vpc) {
        if outbound && super::transit::arrival_subnet(attachment).is_some_and(|(at, _)| at == subnet) {
            from_gateways.extend(out_of_gateway(topology, attachment));
        }
    }
    if covered.is_empty() && from_gateways.is_empty() {
        return rules;
    }
    let mut chain = Vec::with_capacity(rules.len() * (covered.len() + 1));
    for rule in rules {
        if rule.verdict == Verdict::Drop {
            for (matches, eni) in &from_gateways {
                let matches = [rule.matches.clone(), matches.clone()].concat();
                chain.push(log(matches, &topology.enis[*eni].id, false, Seen::AclDenied));
            }
            for &eni in &covered {
                let node = &topology.enis[eni];
                let ipv4 = node.private_ip.into_iter().chain(node.secondary_ips.iter().copied()).map(IpAddr::V4);
                let ipv6 = node.ipv6_addresses.iter().copied().map(IpAddr::V6).collect::<Vec<_>>();
                // One rule per family: a set of addresses is of one family.
                for own in [ipv4.collect::<Vec<_>>(), ipv6].into_iter().filter(|own| !own.is_empty()) {
                    let mut matches = rule.matches.clone();
                    matches.push(if outbound { Match::SourceIn(own) } else { Match::DestinationIn(own) });
                    chain.push(log(matches, &node.id, !outbound, Seen::AclDenied));
                }
            }
        }
        chain.push(rule);
    }
    chain
}

fn log(matches: Vec<Match>, interface_id: &str, ingress: bool, seen: Seen) -> Rule {
    let verdict =
        Verdict::Log { group: flow_capture::GROUP, prefix: flow_capture::prefix(interface_id, ingress, seen) };
    Rule { matches, verdict }
}
