//! Security group and network ACL rules of the topology as nftables rules, matching exactly what the engine's
//! `rules.rs` matches (spec §3.5, §3.6): a rule that can never match a packet there is left out here.

use std::net::Ipv4Addr;

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
            let mut matches = Vec::new();
            // The kernel plane realises IPv4 (IPv6 rules match no packet it carries).
            let ipnet::IpNet::V4(cidr) = rule.cidr else { return None };
            if cidr.prefix_len() > 0 {
                matches.push(if outbound { Match::Destination(cidr) } else { Match::Source(cidr) });
            }
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
                ICMP => {
                    matches.push(Match::Protocol(1));
                    if let Some((kind, code)) = rule.icmp {
                        matches.extend(icmp(kind, code)?);
                    }
                }
                other => matches.push(Match::Protocol(u8::try_from(other).ok()?)),
            }
            Some(Rule { matches, verdict: if rule.allow { Verdict::Return } else { Verdict::Drop } })
        })
        .collect();
    chain.push(Rule { matches: Vec::new(), verdict: Verdict::Drop });
    chain
}

/// ICMP type and code matches (-1 = any); `None` when a value can never match.
fn icmp(kind: i32, code: i32) -> Option<Vec<Match>> {
    let mut matches = Vec::new();
    if kind != -1 {
        matches.push(Match::IcmpType(u8::try_from(kind).ok()?));
    }
    if code != -1 {
        matches.push(Match::IcmpCode(u8::try_from(code).ok()?));
    }
    Some(matches)
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
        ]
    };
    let mut ingress = base(false);
    let mut egress = base(true);
    let Some((primary, _)) = interfaces.first() else { return Firewall::default() };
    // Spec §4.1 [D]: queries to the Amazon resolver are not filtered by security groups (their answers pass as
    // tracked flows).
    egress.extend(resolver_queries(dns::amazon_resolver_address(topology, topology.enis[*primary].vpc)));
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
                    .filter_map(|rule| security_group_rule(topology, *eni, rule, false))
                    .map(|r| on_link(r, false)),
            );
            egress.extend(
                group
                    .egress
                    .iter()
                    .filter_map(|rule| security_group_rule(topology, *eni, rule, true))
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
pub fn resolver_queries(resolver: Ipv4Addr) -> Vec<Rule> {
    [UDP as u8, TCP as u8]
        .into_iter()
        .map(|protocol| Rule {
            matches: vec![
                Match::Destination(resolver.into()),
                Match::Protocol(protocol),
                Match::DestinationPort { protocol, from: 53, to: 53 },
            ],
            verdict: Verdict::Accept,
        })
        .collect()
}

fn security_group_rule(topology: &Topology, eni: EniIx, rule: &SgRule, egress: bool) -> Option<Rule> {
    let mut matches = Vec::new();
    match &rule.peer {
        // The kernel plane realises IPv4 (IPv6 rules match no packet it carries).
        SgPeer::Cidr(ipnet::IpNet::V6(_)) => return None,
        SgPeer::Cidr(ipnet::IpNet::V4(block)) if block.prefix_len() == 0 => {}
        SgPeer::Cidr(ipnet::IpNet::V4(block)) => {
            matches.push(if egress { Match::Destination(*block) } else { Match::Source(*block) })
        }
        SgPeer::Group(Some(group)) => {
            let members = group_members(topology, eni, *group);
            if members.is_empty() {
                return None;
            }
            matches.push(if egress { Match::DestinationIn(members) } else { Match::SourceIn(members) });
        }
        SgPeer::Group(None) => return None,
    }
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
        ICMP => {
            matches.push(Match::Protocol(1));
            if let Some((kind, code)) = rule.ports {
                matches.extend(icmp(kind, code)?);
            }
        }
        // An ICMPv6 rule never matches the IPv4 packets localvpc carries.
        ICMPV6 => return None,
        other => matches.push(Match::Protocol(u8::try_from(other).ok()?)),
    }
    Some(Rule { matches, verdict: Verdict::Accept })
}

/// Spec §3.1 step 7 [D]: a group reference matches the *private* addresses of the group's members that can reach
/// the interface privately — in its own VPC or a VPC actively peered with it — never a translated public one.
fn group_members(topology: &Topology, eni: EniIx, group: usize) -> Vec<Ipv4Addr> {
    let vpc = topology.enis[eni].vpc;
    let near = |other: usize| other == vpc || topology.vpcs[vpc].active_peers.contains(&other);
    let mut members: Vec<Ipv4Addr> = topology
        .enis
        .iter()
        .filter(|member| member.groups.contains(&group) && near(member.vpc))
        .map(|member| member.private_ip)
        .collect();
    members.sort_unstable();
    members.dedup();
    members
}
