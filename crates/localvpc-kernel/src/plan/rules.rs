//! Security group and network ACL rules of the topology as nftables rules, matching exactly what the engine's
//! `rules.rs` matches (spec §3.5, §3.6): a rule that can never match a packet there is left out here.

use std::net::IpAddr;

use ipnet::IpNet;

use localvpc_engine::dns;
use localvpc_engine::topology::{AclRule, EniIx, SgPeer, SgRule, Topology};

use crate::firewall::{Chain, Firewall, Hook, Match, Rule, Verdict};

const TCP: i32 = 6;
const UDP: i32 = 17;
const ICMP: i32 = 1;
const ICMPV6: i32 = 58;

/// A network ACL direction as a chain body: rules in ascending number, the first match decides (an allow returns
/// to the forward chain, a deny drops), and nothing matching is the implicit deny. Stateless: answers are
/// evaluated again by the other direction's chain, as on AWS.
pub fn network_acl(rules: &[AclRule], outbound: bool) -> Vec<Rule> {
    let mut chain: Vec<Rule> = rules
        .iter()
        .filter_map(|rule| {
            // A block matches its own family only (`0.0.0.0/0` no IPv6 packet, `::/0` no IPv4 one).
            let mut matches = vec![block_match(rule.cidr, outbound)];
            match rule.protocol {
                -1 => {}
                TCP | UDP => {
                    matches.push(Match::Protocol(rule.protocol as u8));
                    if let Some((from, to)) = rule.ports {
                        if from > to {
                            return None;
                        }
                        matches.push(Match::DestinationPort { protocol: rule.protocol as u8, from, to });
                    }
                }
                ICMP | ICMPV6 => {
                    matches.push(Match::Protocol(rule.protocol as u8));
                    if let Some((kind, code)) = rule.icmp {
                        matches.extend(icmp(rule.protocol == ICMPV6, kind, code)?);
                    }
                }
                other => matches.push(Match::Protocol(u8::try_from(other).ok()?)),
            }
            Some(Rule { matches, verdict: if rule.allow { Verdict::Return } else { Verdict::Drop } })
        })
        .collect();
    // No neighbour discovery rule here: it is link-local (hop limit 255), never forwarded, so the forward hook
    // these chains hang on never sees it; the router's input hook and the instances' chains accept it.
    chain.push(Rule { matches: Vec::new(), verdict: Verdict::Drop });
    chain
}

/// ICMP (or ICMPv6) type and code matches (-1 = any); `None` when a value can never match.
fn icmp(v6: bool, kind: i32, code: i32) -> Option<Vec<Match>> {
    let mut matches = Vec::new();
    if kind != -1 {
        let kind = u8::try_from(kind).ok()?;
        matches.push(if v6 { Match::Icmpv6Type(kind) } else { Match::IcmpType(kind) });
    }
    if code != -1 {
        let code = u8::try_from(code).ok()?;
        matches.push(if v6 { Match::Icmpv6Code(code) } else { Match::IcmpCode(code) });
    }
    Some(matches)
}

/// The remote side of a rule's block: the whole family for a `/0`, else the block.
fn block_match(block: IpNet, towards: bool) -> Match {
    if block.prefix_len() == 0 {
        Match::Ipv6(block.addr().is_ipv6())
    } else if towards {
        Match::Destination(block)
    } else {
        Match::Source(block)
    }
}

/// ICMPv6 neighbour discovery (router/neighbour solicitation and advertisement, types 133–136) always passes: it
/// is IPv6's ARP, which no security group or network ACL filters on AWS either (they see only the VPC's traffic,
/// never its link layer); without it no IPv6 address is ever resolved.
pub fn neighbour_discovery(verdict: Verdict) -> Rule {
    Rule { matches: vec![Match::Protocol(ICMPV6 as u8), Match::Icmpv6TypeIn(133, 136)], verdict }
}

/// An instance's security groups as its namespace's table: stateful (answers and related ICMP errors of an
/// accepted flow pass both ways, spec §3.5), allow-only, for each interface the union of its groups' rules. With
/// several interfaces (`(interface, link)`, the primary first) each one's rules match only packets arriving on or
/// leaving by its link: groups belong to interfaces, not to instances.
pub fn security_groups(topology: &Topology, interfaces: &[(EniIx, String)]) -> Firewall {
    let base = |egress: bool| {
        let loopback = if egress { Match::OutputInterface("lo".into()) } else { Match::InputInterface("lo".into()) };
        vec![
            Rule { matches: vec![Match::Tracked], verdict: Verdict::Accept },
            // An instance talking to itself never leaves it (the engine delivers without asking its groups).
            Rule { matches: vec![loopback], verdict: Verdict::Accept },
            neighbour_discovery(Verdict::Accept),
        ]
    };
    let mut ingress = base(false);
    let mut egress = base(true);
    let Some((primary, _)) = interfaces.first() else { return Firewall::default() };
    // Spec §4.1 [D]: queries to the Amazon resolver are not filtered by security groups (their answers pass as
    // tracked flows).
    for resolver in dns::amazon_resolver_addresses(topology, topology.enis[*primary].vpc) {
        egress.extend(resolver_queries(resolver));
    }
    let several = interfaces.len() > 1;
    for (eni, link) in interfaces {
        let on_link = |mut rule: Rule, egress: bool| {
            if several {
                let link =
                    if egress { Match::OutputInterface(link.clone()) } else { Match::InputInterface(link.clone()) };
                rule.matches.insert(0, link);
            }
            rule
        };
        for &group in &topology.enis[*eni].groups {
            let group = &topology.groups[group];
            ingress.extend(
                group
                    .ingress
                    .iter()
                    .flat_map(|rule| security_group_rules(topology, *eni, rule, false))
                    .map(|r| on_link(r, false)),
            );
            egress.extend(
                group
                    .egress
                    .iter()
                    .flat_map(|rule| security_group_rules(topology, *eni, rule, true))
                    .map(|r| on_link(r, true)),
            );
        }
    }
    let hook = |hook: &'static str| Some(Hook { hook, kind: "filter", priority: 0, drop_by_default: true });
    Firewall {
        chains: vec![
            Chain { name: "input".into(), hook: hook("input"), rules: ingress },
            Chain { name: "output".into(), hook: hook("output"), rules: egress },
        ],
    }
}

/// Accepts DNS over UDP and TCP to `resolver`.
pub fn resolver_queries(resolver: IpAddr) -> Vec<Rule> {
    [UDP as u8, TCP as u8]
        .into_iter()
        .map(|protocol| Rule {
            matches: vec![
                Match::Destination(IpNet::from(resolver)),
                Match::Protocol(protocol),
                Match::DestinationPort { protocol, from: 53, to: 53 },
            ],
            verdict: Verdict::Accept,
        })
        .collect()
}

/// A security group rule as nftables rules: one for a block, one per family of the members' addresses for a group
/// reference (an nftables set holds one family).
fn security_group_rules(topology: &Topology, eni: EniIx, rule: &SgRule, egress: bool) -> Vec<Rule> {
    let peers: Vec<Match> = match &rule.peer {
        SgPeer::Cidr(block) => vec![block_match(*block, egress)],
        SgPeer::Group(Some(group)) => {
            let (v4, v6): (Vec<IpAddr>, Vec<IpAddr>) =
                group_members(topology, eni, *group).into_iter().partition(IpAddr::is_ipv4);
            [v4, v6]
                .into_iter()
                .filter(|members| !members.is_empty())
                .map(|members| if egress { Match::DestinationIn(members) } else { Match::SourceIn(members) })
                .collect()
        }
        SgPeer::Group(None) => Vec::new(),
    };
    peers.into_iter().filter_map(|peer| security_group_rule(rule, peer)).collect()
}

fn security_group_rule(rule: &SgRule, peer: Match) -> Option<Rule> {
    let mut matches = vec![peer];
    match rule.protocol {
        -1 => {}
        TCP | UDP => {
            matches.push(Match::Protocol(rule.protocol as u8));
            if let Some((from, to)) = rule.ports {
                let (from, to) = (from.max(0), to.min(65535));
                if from > to {
                    return None;
                }
                matches.push(Match::DestinationPort {
                    protocol: rule.protocol as u8,
                    from: from as u16,
                    to: to as u16,
                });
            }
        }
        ICMP | ICMPV6 => {
            matches.push(Match::Protocol(rule.protocol as u8));
            if let Some((kind, code)) = rule.ports {
                matches.extend(icmp(rule.protocol == ICMPV6, kind, code)?);
            }
        }
        other => matches.push(Match::Protocol(u8::try_from(other).ok()?)),
    }
    Some(Rule { matches, verdict: Verdict::Accept })
}

/// Spec §3.1 step 7 [D]: a group reference matches the *private* addresses of the group's members that can reach
/// the interface privately — in its own VPC or a VPC actively peered with it — never a translated public one; and
/// their IPv6 addresses (part 2 §16: an interface's own, never translated).
fn group_members(topology: &Topology, eni: EniIx, group: usize) -> Vec<IpAddr> {
    let vpc = topology.enis[eni].vpc;
    let near = |other: usize| other == vpc || topology.vpcs[vpc].active_peers.contains(&other);
    let mut members: Vec<IpAddr> = topology
        .enis
        .iter()
        .filter(|member| member.groups.contains(&group) && near(member.vpc))
        .flat_map(|member| {
            member.private_ip.map(IpAddr::V4).into_iter().chain(member.ipv6_addresses.iter().map(|&a| a.into()))
        })
        .collect();
    members.sort_unstable();
    members.dedup();
    members
}
