//! nftables rulesets as typed values, rendered to the JSON batches nftables applies in one transaction.
//!
//! Each namespace has one table, `inet localvpc` (both families, part 2 §16), replaced as a whole (`add`, `delete`, `add` and its contents in one
//! batch: nftables commits a batch atomically, so no packet ever meets a half-written ruleset). Forwarding
//! namespaces also get `ip localvpc_ttl`, which never changes (see [`ttl_table`]). No shell string is built: the
//! JSON is produced by `serde_json` from these values.

use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;
use serde_json::{json, Value};

/// The table every namespace's rules live in.
pub const TABLE: &str = "localvpc";
/// The table that undoes the routers' TTL decrement.
pub const TTL_TABLE: &str = "localvpc_ttl";

/// The family of the table every namespace's rules live in: IPv4 and IPv6 alike.
pub const FAMILY: &str = "inet";

/// A namespace's `inet localvpc` table: its chains in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Firewall {
    /// Chains (base chains carry a hook).
    pub chains: Vec<Chain>,
}

/// One chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// Name.
    pub name: String,
    /// The hook of a base chain; `None` for a chain reached by `jump`.
    pub hook: Option<Hook>,
    /// Rules in order.
    pub rules: Vec<Rule>,
}

/// Where a base chain hangs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hook {
    /// `prerouting`, `input`, `forward`, `output` or `postrouting`.
    pub hook: &'static str,
    /// `filter` or `nat`.
    pub kind: &'static str,
    /// Priority: filter 0, dstnat -100, srcnat 100 (<https://wiki.nftables.org/wiki-nftables/index.php/Netfilter_hooks>).
    pub priority: i32,
    /// Drop what no rule accepts.
    pub drop_by_default: bool,
}

/// One rule: all matches, then the verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Conditions, all of which must hold.
    pub matches: Vec<Match>,
    /// What happens then.
    pub verdict: Verdict,
}

/// A condition on a packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// Arrived on this interface.
    InputInterface(String),
    /// Leaves on this interface.
    OutputInterface(String),
    /// IP protocol number.
    Protocol(u8),
    /// The packet is IPv6 (`true`) or IPv4 (`false`): what a rule for `::/0` or `0.0.0.0/0` matches.
    Ipv6(bool),
    /// Source address in a block (of the block's family).
    Source(IpNet),
    /// Destination address in a block (of the block's family).
    Destination(IpNet),
    /// Source address one of these (all of one family).
    SourceIn(Vec<IpAddr>),
    /// Source address none of these.
    SourceNotIn(Vec<Ipv4Addr>),
    /// Destination address one of these (all of one family).
    DestinationIn(Vec<IpAddr>),
    /// Destination address none of these.
    DestinationNotIn(Vec<Ipv4Addr>),
    /// TCP (6) or UDP (17) destination port in a range.
    DestinationPort {
        /// 6 or 17.
        protocol: u8,
        /// Lowest port.
        from: u16,
        /// Highest port.
        to: u16,
    },
    /// ICMP type.
    IcmpType(u8),
    /// ICMP code.
    IcmpCode(u8),
    /// ICMPv6 type.
    Icmpv6Type(u8),
    /// ICMPv6 code.
    Icmpv6Code(u8),
    /// ICMPv6 type in a range (inclusive).
    Icmpv6TypeIn(u8, u8),
    /// Part of (or related to) a flow conntrack already accepted.
    Tracked,
    /// Not part of (nor related to) a flow conntrack already accepted: a new connection.
    Untracked,
}

/// What a matching rule does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Let the packet through this hook.
    Accept,
    /// Drop it.
    Drop,
    /// Refuse a TCP segment with a reset (`reject with tcp reset`): a closed port, as a host's kernel answers.
    RejectTcpReset,
    /// Go back to the calling chain.
    Return,
    /// Evaluate another chain.
    Jump(String),
    /// Rewrite the destination by this (public → private) map.
    DestinationNat(Vec<(Ipv4Addr, Ipv4Addr)>),
    /// Rewrite the source by this (private → public) map.
    SourceNat(Vec<(Ipv4Addr, Ipv4Addr)>),
    /// Rewrite the source to one address, and (for TCP and UDP, which a rule must match first) the source port
    /// into a range: a NAT gateway's translation.
    SourceNatTo {
        /// The new source address.
        address: Ipv4Addr,
        /// The source ports to choose from.
        ports: Option<(u16, u16)>,
    },
    /// Not a verdict: hand a copy of the packet to netfilter log (NFLOG) group `group` with `prefix`, and go on
    /// with the next rule (how flow log capture sees packets, `plan/capture.rs`).
    Log {
        /// The NFLOG group a reader listens on.
        group: u16,
        /// Says whose packet it is (at most 127 bytes).
        prefix: String,
    },
}

impl Firewall {
    /// The batch that replaces the namespace's table with this one (or removes it when there are no chains).
    pub fn batch(&self) -> Value {
        let table = json!({ "family": FAMILY, "name": TABLE });
        let mut commands = vec![json!({ "add": { "table": table } }), json!({ "delete": { "table": table } })];
        if !self.chains.is_empty() {
            commands.push(json!({ "add": { "table": table } }));
            for chain in &self.chains {
                commands.push(json!({ "add": { "chain": chain_json(FAMILY, TABLE, chain) } }));
            }
            for chain in &self.chains {
                for rule in &chain.rules {
                    commands.push(json!({ "add": { "rule": {
                        "family": FAMILY, "table": TABLE, "chain": chain.name, "expr": rule_json(rule),
                    } } }));
                }
            }
        }
        json!({ "nftables": commands })
    }
}

/// The batch that removes the table older builds kept a namespace's rules in (family `ip`, before the `inet` table
/// held both families): adding it first makes the deletion succeed whether it exists or not.
pub fn legacy_tables_removed() -> Value {
    let table = json!({ "family": "ip", "name": TABLE });
    json!({ "nftables": [{ "add": { "table": table } }, { "delete": { "table": table } }] })
}

/// The fixed tables of a forwarding namespace: AWS's routers do not decrement the TTL (a traceroute sees the
/// destination as hop 1, spec §3.7) nor the IPv6 hop limit (part 2 §16.2: IPv6 mirrors IPv4), so each forwarded
/// packet's TTL or hop limit is raised by one before routing lowers it again. nftables has no arithmetic on header
/// fields and a map as the value of `ip ttl set` is refused by the userspace of Debian 12, so a verdict map jumps to
/// one small chain per value that sets value + 1 — one table per family (`ip` and `ip6`, the same name).
pub fn ttl_table() -> Value {
    let mut commands = Vec::new();
    for (family, field) in [("ip", "ttl"), ("ip6", "hoplimit")] {
        let table = json!({ "family": family, "name": TTL_TABLE });
        commands.push(json!({ "add": { "table": table } }));
        commands.push(json!({ "delete": { "table": table } }));
        commands.push(json!({ "add": { "table": table } }));
        let key = json!({ "payload": { "protocol": family, "field": field } });
        let mut entries = Vec::new();
        for value in 1..=254u16 {
            let name = format!("ttl{value}");
            commands.push(json!({ "add": { "chain": { "family": family, "table": TTL_TABLE, "name": name } } }));
            commands.push(json!({ "add": { "rule": { "family": family, "table": TTL_TABLE, "chain": name,
                "expr": [{ "mangle": { "key": key, "value": value + 1 } }] } } }));
            entries.push(json!([value, { "jump": { "target": name } }]));
        }
        let hook = Hook { hook: "prerouting", kind: "filter", priority: -300, drop_by_default: false };
        let chain = Chain { name: "prerouting".into(), hook: Some(hook), rules: Vec::new() };
        commands.push(json!({ "add": { "chain": chain_json(family, TTL_TABLE, &chain) } }));
        commands.push(json!({ "add": { "rule": { "family": family, "table": TTL_TABLE, "chain": "prerouting",
            "expr": [{ "vmap": { "key": key, "data": { "set": entries } } }] } } }));
    }
    json!({ "nftables": commands })
}

fn chain_json(family: &str, table: &str, chain: &Chain) -> Value {
    let mut value = json!({ "family": family, "table": table, "name": chain.name });
    if let Some(hook) = chain.hook {
        value["type"] = json!(hook.kind);
        value["hook"] = json!(hook.hook);
        value["prio"] = json!(hook.priority);
        value["policy"] = json!(if hook.drop_by_default { "drop" } else { "accept" });
    }
    value
}

fn equals(left: Value, right: Value) -> Value {
    json!({ "match": { "op": "==", "left": left, "right": right } })
}

/// `ip saddr` or `ip6 saddr` (in an `inet` table the match implies the family).
fn address_field(v6: bool, field: &str) -> Value {
    json!({ "payload": { "protocol": if v6 { "ip6" } else { "ip" }, "field": field } })
}

fn block(net: &IpNet) -> Value {
    if net.prefix_len() == net.max_prefix_len() {
        json!(net.addr().to_string())
    } else {
        json!({ "prefix": { "addr": net.network().to_string(), "len": net.prefix_len() } })
    }
}

fn addresses<A: ToString>(list: &[A]) -> Value {
    json!({ "set": list.iter().map(ToString::to_string).collect::<Vec<_>>() })
}

/// Whether a list of addresses is IPv6's (a list is of one family).
fn is_v6(list: &[IpAddr]) -> bool {
    list.first().is_some_and(IpAddr::is_ipv6)
}

fn match_json(condition: &Match) -> Value {
    match condition {
        Match::InputInterface(name) => equals(json!({ "meta": { "key": "iifname" } }), json!(name)),
        Match::OutputInterface(name) => equals(json!({ "meta": { "key": "oifname" } }), json!(name)),
        Match::Protocol(number) => equals(json!({ "meta": { "key": "l4proto" } }), json!(number)),
        Match::Ipv6(v6) => equals(json!({ "meta": { "key": "nfproto" } }), json!(if *v6 { "ipv6" } else { "ipv4" })),
        Match::Source(net) => equals(address_field(net.addr().is_ipv6(), "saddr"), block(net)),
        Match::Destination(net) => equals(address_field(net.addr().is_ipv6(), "daddr"), block(net)),
        Match::SourceIn(list) => equals(address_field(is_v6(list), "saddr"), addresses(list)),
        Match::SourceNotIn(list) => {
            json!({ "match": { "op": "!=", "left": address_field(false, "saddr"), "right": addresses(list) } })
        }
        Match::DestinationIn(list) => equals(address_field(is_v6(list), "daddr"), addresses(list)),
        Match::DestinationNotIn(list) => {
            json!({ "match": { "op": "!=", "left": address_field(false, "daddr"), "right": addresses(list) } })
        }
        Match::DestinationPort { protocol, from, to } => {
            let name = if *protocol == 17 { "udp" } else { "tcp" };
            let right = if from == to { json!(from) } else { json!({ "range": [from, to] }) };
            equals(json!({ "payload": { "protocol": name, "field": "dport" } }), right)
        }
        Match::IcmpType(value) => equals(json!({ "payload": { "protocol": "icmp", "field": "type" } }), json!(value)),
        Match::IcmpCode(value) => equals(json!({ "payload": { "protocol": "icmp", "field": "code" } }), json!(value)),
        Match::Icmpv6Type(value) => {
            equals(json!({ "payload": { "protocol": "icmpv6", "field": "type" } }), json!(value))
        }
        Match::Icmpv6TypeIn(from, to) => {
            equals(json!({ "payload": { "protocol": "icmpv6", "field": "type" } }), json!({ "range": [from, to] }))
        }
        Match::Icmpv6Code(value) => {
            equals(json!({ "payload": { "protocol": "icmpv6", "field": "code" } }), json!(value))
        }
        Match::Tracked => {
            json!({ "match": { "op": "in", "left": { "ct": { "key": "state" } }, "right": ["established", "related"] } })
        }
        // Every other state as a flag test (`!=` on the flags would compare the whole value, and an established
        // packet's state is not `established|related`).
        Match::Untracked => {
            json!({ "match": { "op": "in", "left": { "ct": { "key": "state" } }, "right": ["new", "invalid", "untracked"] } })
        }
    }
}

fn nat_map(field: &str, pairs: &[(Ipv4Addr, Ipv4Addr)]) -> Value {
    let entries: Vec<Value> = pairs.iter().map(|(from, to)| json!([from.to_string(), to.to_string()])).collect();
    json!({ "map": { "key": address_field(false, field), "data": { "set": entries } } })
}

fn rule_json(rule: &Rule) -> Vec<Value> {
    let mut expressions: Vec<Value> = rule.matches.iter().map(match_json).collect();
    expressions.push(match &rule.verdict {
        Verdict::Accept => json!({ "accept": null }),
        Verdict::Drop => json!({ "drop": null }),
        Verdict::RejectTcpReset => json!({ "reject": { "type": "tcp reset" } }),
        Verdict::Return => json!({ "return": null }),
        Verdict::Jump(target) => json!({ "jump": { "target": target } }),
        Verdict::DestinationNat(pairs) => json!({ "dnat": { "family": "ip", "addr": nat_map("daddr", pairs) } }),
        Verdict::SourceNat(pairs) => json!({ "snat": { "family": "ip", "addr": nat_map("saddr", pairs) } }),
        Verdict::SourceNatTo { address, ports: Some((from, to)) } => json!({ "snat": {
            "family": "ip", "addr": address.to_string(), "port": { "range": [from, to] },
        } }),
        Verdict::SourceNatTo { address, ports: None } => {
            json!({ "snat": { "family": "ip", "addr": address.to_string() } })
        }
        Verdict::Log { group, prefix } => json!({ "log": { "prefix": prefix, "group": group } }),
    });
    expressions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_replaces_the_table_atomically() {
        let firewall = Firewall {
            chains: vec![Chain {
                name: "input".into(),
                hook: Some(Hook { hook: "input", kind: "filter", priority: 0, drop_by_default: true }),
                rules: vec![Rule {
                    matches: vec![Match::Protocol(6), Match::DestinationPort { protocol: 6, from: 22, to: 22 }],
                    verdict: Verdict::Accept,
                }],
            }],
        };
        let batch = firewall.batch();
        let commands = batch["nftables"].as_array().unwrap();
        let verbs: Vec<&str> =
            commands.iter().map(|command| command.as_object().unwrap().keys().next().unwrap().as_str()).collect();
        assert_eq!(verbs, ["add", "delete", "add", "add", "add"]);
        assert_eq!(commands[3]["add"]["chain"]["policy"], "drop");
        let expr = &commands[4]["add"]["rule"]["expr"];
        assert_eq!(expr[1]["match"]["right"], 22);
        assert_eq!(expr[2], json!({ "accept": null }));
    }

    #[test]
    fn an_empty_firewall_removes_the_table() {
        let batch = Firewall::default().batch();
        assert_eq!(batch["nftables"].as_array().unwrap().len(), 2);
        assert!(batch["nftables"][1]["delete"]["table"].is_object());
    }

    #[test]
    fn blocks_and_port_ranges_render_as_nftables_expects() {
        let net: IpNet = "10.6.0.0/16".parse().unwrap();
        assert_eq!(match_json(&Match::Source(net))["match"]["right"]["prefix"]["len"], 16);
        assert_eq!(match_json(&Match::Source(net))["match"]["left"]["payload"]["protocol"], "ip");
        let host: IpNet = "10.6.1.4/32".parse().unwrap();
        assert_eq!(match_json(&Match::Destination(host))["match"]["right"], "10.6.1.4");
        let range = match_json(&Match::DestinationPort { protocol: 17, from: 1024, to: 65535 });
        assert_eq!(range["match"]["left"]["payload"]["protocol"], "udp");
        assert_eq!(range["match"]["right"]["range"], json!([1024, 65535]));
    }

    #[test]
    fn ipv6_blocks_and_icmpv6_render_with_the_ip6_and_icmpv6_protocols() {
        let net: IpNet = "2600:1f18:6:100::/64".parse().unwrap();
        let rendered = match_json(&Match::Destination(net));
        assert_eq!(rendered["match"]["left"]["payload"]["protocol"], "ip6");
        assert_eq!(rendered["match"]["right"]["prefix"], json!({ "addr": "2600:1f18:6:100::", "len": 64 }));
        let host: IpNet = "2600:1f18:6:100::5/128".parse().unwrap();
        assert_eq!(match_json(&Match::Source(host))["match"]["right"], "2600:1f18:6:100::5");
        let kind = match_json(&Match::Icmpv6Type(128));
        assert_eq!(kind["match"]["left"]["payload"], json!({ "protocol": "icmpv6", "field": "type" }));
        assert_eq!(match_json(&Match::Ipv6(true))["match"]["right"], "ipv6");
        let members = vec!["2600:1f18:6:100::5".parse::<IpAddr>().unwrap()];
        assert_eq!(match_json(&Match::SourceIn(members))["match"]["left"]["payload"]["protocol"], "ip6");
    }

    #[test]
    fn the_table_is_one_inet_table_for_both_families() {
        let batch = Firewall { chains: vec![Chain { name: "input".into(), hook: None, rules: Vec::new() }] }.batch();
        assert_eq!(batch["nftables"][0]["add"]["table"]["family"], "inet");
        assert_eq!(batch["nftables"][3]["add"]["chain"]["family"], "inet");
    }

    #[test]
    fn a_tcp_reset_renders_as_nftables_reject() {
        let rule = Rule { matches: vec![Match::Protocol(6)], verdict: Verdict::RejectTcpReset };
        assert_eq!(rule_json(&rule)[1], json!({ "reject": { "type": "tcp reset" } }));
    }

    #[test]
    fn a_log_statement_renders_as_nflog_with_its_group_and_prefix() {
        let rule = Rule {
            matches: vec![Match::DestinationNotIn(vec![Ipv4Addr::new(10, 0, 0, 2)])],
            verdict: Verdict::Log { group: 7, prefix: "lvfl eni-1 i A".into() },
        };
        let expr = rule_json(&rule);
        assert_eq!(expr[0]["match"]["op"], "!=");
        assert_eq!(expr[0]["match"]["right"], json!({ "set": ["10.0.0.2"] }));
        assert_eq!(expr[1], json!({ "log": { "prefix": "lvfl eni-1 i A", "group": 7 } }));
    }

    #[test]
    fn the_ttl_table_maps_every_value_to_the_next() {
        let table = ttl_table();
        let commands = table["nftables"].as_array().unwrap();
        let vmap = &commands.last().unwrap()["add"]["rule"]["expr"][0]["vmap"]["data"]["set"];
        assert_eq!(vmap.as_array().unwrap().len(), 254);
        assert_eq!(commands[4]["add"]["rule"]["expr"][0]["mangle"]["value"], 2);
        // The IPv6 hop limit likewise, in an `ip6` table of the same name.
        let tables: Vec<(&Value, &Value)> = commands
            .iter()
            .filter_map(|command| command["add"]["rule"]["expr"][0]["vmap"]["key"]["payload"].as_object())
            .map(|payload| (&payload["protocol"], &payload["field"]))
            .collect();
        assert_eq!(tables, [(&json!("ip"), &json!("ttl")), (&json!("ip6"), &json!("hoplimit"))]);
    }
}
