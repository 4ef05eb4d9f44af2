//! What the security group and network ACL pages share: the AWS console's rule *types* ("SSH", "Custom TCP",
//! "All ICMP - IPv4", …) — how a stored rule is named in the Type, Protocol and Port range columns, and how a rule
//! row of an editor turns back into the protocol and ports of an EC2 request — and the rows of those editors as a
//! submitted form carries them.
//!
//! Nothing here checks a value: a port range that is not a number is sent as typed, and AWS's refusal is what the
//! page shows.

use maud::{html, Markup};

/// One entry of the console's Type select.
pub(crate) struct Kind {
    /// The form value (`ssh`, `custom-tcp`, …).
    pub(crate) key: &'static str,
    /// What the console shows (`SSH`, `Custom TCP`, …).
    pub(crate) label: &'static str,
    /// The protocol it stands for: `tcp`, `udp`, `icmp`, `icmpv6`, `-1`, or `None` for "Custom protocol".
    pub(crate) protocol: Option<&'static str>,
    /// Its fixed ports, or `None` when the row's Port range field says (custom TCP/UDP/ICMP) or there are none.
    pub(crate) ports: Option<(i32, i32)>,
}

const fn kind(
    key: &'static str,
    label: &'static str,
    protocol: Option<&'static str>,
    ports: Option<(i32, i32)>,
) -> Kind {
    Kind { key, label, protocol, ports }
}

/// The Type select, in the AWS console's order (the custom entries first, then the named services).
pub(crate) const KINDS: &[Kind] = &[
    kind("custom-tcp", "Custom TCP", Some("tcp"), None),
    kind("custom-udp", "Custom UDP", Some("udp"), None),
    kind("custom-icmp", "Custom ICMP - IPv4", Some("icmp"), None),
    kind("custom-protocol", "Custom protocol", None, None),
    kind("all-tcp", "All TCP", Some("tcp"), Some((0, 65535))),
    kind("all-udp", "All UDP", Some("udp"), Some((0, 65535))),
    kind("all-icmp", "All ICMP - IPv4", Some("icmp"), Some((-1, -1))),
    kind("all-icmpv6", "All ICMP - IPv6", Some("icmpv6"), Some((-1, -1))),
    kind("all-traffic", "All traffic", Some("-1"), None),
    kind("ssh", "SSH", Some("tcp"), Some((22, 22))),
    kind("smtp", "SMTP", Some("tcp"), Some((25, 25))),
    kind("dns-udp", "DNS (UDP)", Some("udp"), Some((53, 53))),
    kind("dns-tcp", "DNS (TCP)", Some("tcp"), Some((53, 53))),
    kind("http", "HTTP", Some("tcp"), Some((80, 80))),
    kind("https", "HTTPS", Some("tcp"), Some((443, 443))),
    kind("mysql", "MYSQL/Aurora", Some("tcp"), Some((3306, 3306))),
    kind("rdp", "RDP", Some("tcp"), Some((3389, 3389))),
    kind("postgresql", "PostgreSQL", Some("tcp"), Some((5432, 5432))),
];

/// The kind a form value names (an unknown value reads as "Custom TCP", the console's first entry).
pub(crate) fn kind_of_key(key: &str) -> &'static Kind {
    KINDS.iter().find(|kind| kind.key == key).unwrap_or(&KINDS[0])
}

/// A protocol by name (`tcp`) or number (`6`), as the security group API (names) and the network ACL API (numbers)
/// store it, in the security group API's form.
pub(crate) fn protocol_name(protocol: &str) -> String {
    match protocol {
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        "58" => "icmpv6".into(),
        "all" => "-1".into(),
        other => other.to_ascii_lowercase(),
    }
}

/// A protocol's number, as network ACL entries take it.
pub(crate) fn protocol_number(protocol: &str) -> String {
    match protocol {
        "tcp" => "6".into(),
        "udp" => "17".into(),
        "icmp" => "1".into(),
        "icmpv6" => "58".into(),
        other => other.to_string(),
    }
}

/// A stored rule as the console shows it: Type, Protocol and Port range, and the row the editor starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shown {
    pub(crate) kind: &'static str,
    pub(crate) type_label: &'static str,
    pub(crate) protocol: String,
    pub(crate) ports: String,
    /// The editor's Port range field (`22`, `1024-2048`, `8/0`); empty for fixed ranges.
    pub(crate) ports_field: String,
    /// The editor's Protocol field ("Custom protocol" only: the number).
    pub(crate) protocol_field: String,
}

/// Names a rule (protocol by name or number; ports or ICMP type/code, `None` when the protocol has none).
pub(crate) fn show(protocol: &str, from: Option<i32>, to: Option<i32>) -> Shown {
    let protocol = protocol_name(protocol);
    let named = KINDS.iter().find(|kind| {
        kind.protocol == Some(protocol.as_str())
            && match kind.ports {
                Some(ports) => (from, to) == (Some(ports.0), Some(ports.1)),
                None => protocol == "-1",
            }
    });
    let custom = |key: &str| kind_of_key(key);
    let kind = match (named, protocol.as_str()) {
        (Some(kind), _) => kind,
        (None, "tcp") => custom("custom-tcp"),
        (None, "udp") => custom("custom-udp"),
        (None, "icmp") => custom("custom-icmp"),
        _ => custom("custom-protocol"),
    };
    let protocol_label = match protocol.as_str() {
        "tcp" => "TCP".to_string(),
        "udp" => "UDP".to_string(),
        "icmp" => "ICMP".to_string(),
        "icmpv6" => "IPv6 ICMP".to_string(),
        "-1" => "All".to_string(),
        number => number.to_string(),
    };
    let (ports, ports_field) = match protocol.as_str() {
        "tcp" | "udp" => match (from, to) {
            (Some(from), Some(to)) if from == to => (from.to_string(), from.to_string()),
            (Some(from), Some(to)) => (format!("{from} - {to}"), format!("{from}-{to}")),
            _ => ("All".to_string(), String::new()),
        },
        "icmp" | "icmpv6" => match (from, to) {
            (None | Some(-1), _) => ("All".to_string(), String::new()),
            (Some(icmp_type), None | Some(-1)) => (icmp_type.to_string(), icmp_type.to_string()),
            (Some(icmp_type), Some(code)) => (format!("{icmp_type}/{code}"), format!("{icmp_type}/{code}")),
        },
        _ => ("All".to_string(), String::new()),
    };
    let ports_field = if kind.ports.is_some() { String::new() } else { ports_field };
    let protocol_field = if kind.key == "custom-protocol" { protocol.clone() } else { String::new() };
    Shown { kind: kind.key, type_label: kind.label, protocol: protocol_label, ports, ports_field, protocol_field }
}

/// What an editor row asks for, as the EC2 request will carry it: the protocol (security group form: `tcp`, `-1`,
/// or the number typed), and the from/to values — ports, or ICMP type and code — as text, absent when the row has
/// none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Asked {
    pub(crate) protocol: String,
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
}

/// An editor row's Type, Protocol and Port range fields as request values.
pub(crate) fn ask(kind_key: &str, protocol_field: &str, ports_field: &str) -> Asked {
    let kind = kind_of_key(kind_key);
    let protocol = kind.protocol.map_or_else(|| protocol_field.trim().to_string(), str::to_string);
    let text = ports_field.trim();
    let (from, to) = match (kind.ports, protocol.as_str()) {
        (Some((from, to)), _) => (Some(from.to_string()), Some(to.to_string())),
        (None, "tcp" | "udp") if text.is_empty() => (None, None),
        (None, "tcp" | "udp") => match text.split_once('-') {
            Some((from, to)) if !from.trim().is_empty() => (Some(from.trim().into()), Some(to.trim().into())),
            _ => (Some(text.into()), Some(text.into())),
        },
        // Custom ICMP: `type` (every code) or `type/code`; empty means every type.
        (None, "icmp" | "icmpv6") if text.is_empty() => (Some("-1".into()), Some("-1".into())),
        (None, "icmp" | "icmpv6") => match text.split_once('/') {
            Some((icmp_type, code)) => (Some(icmp_type.trim().into()), Some(code.trim().into())),
            None => (Some(text.into()), Some("-1".into())),
        },
        _ => (None, None),
    };
    Asked { protocol, from, to }
}

impl Asked {
    /// The request's values as numbers, for comparing a row with a stored rule; `None` if one is not a number.
    pub(crate) fn numbers(&self) -> Option<(Option<i32>, Option<i32>)> {
        let number = |text: &Option<String>| match text {
            None => Some(None),
            Some(text) => text.parse::<i32>().ok().map(Some),
        };
        Some((number(&self.from)?, number(&self.to)?))
    }
}

/// What a kind fixes in the Protocol and Port range columns (labels), `None` where the row's field says.
fn fixed(kind: &Kind) -> (Option<String>, Option<String>) {
    match kind.protocol {
        None => (None, Some("All".into())),
        Some(protocol) => {
            let shown = show(protocol, kind.ports.map(|p| p.0), kind.ports.map(|p| p.1));
            let ports_fixed = kind.ports.is_some() || !matches!(protocol, "tcp" | "udp" | "icmp" | "icmpv6");
            (Some(shown.protocol), ports_fixed.then_some(shown.ports))
        }
    }
}

/// The Type select of an editor row, with the Protocol and Port range fields beside it (read-only where the type
/// fixes them; the script switches them when the type changes, and a round trip of the form does without it).
pub(crate) fn type_cells(prefix: &str, row: usize, kind_key: &str, protocol_field: &str, ports_field: &str) -> Markup {
    let id = |field: &str| format!("{prefix}-{row}-{field}");
    let name = |field: &str| format!("{prefix}.{row}.{field}");
    let kind = kind_of_key(kind_key);
    let (fixed_protocol, fixed_ports) = fixed(kind);
    html! {
        td {
            label class="visually-hidden" for=(id("type")) { "Type" }
            select id=(id("type")) name=(name("type")) data-rule-type=(prefix) {
                @for option in KINDS {
                    @let (protocol, ports) = fixed(option);
                    option value=(option.key) selected[option.key == kind.key] data-protocol=[protocol] data-ports=[ports] { (option.label) }
                }
            }
        }
        td {
            label class="visually-hidden" for=(id("protocol")) { "Protocol" }
            @match &fixed_protocol {
                Some(label) => { input id=(id("protocol")) name=(name("protocol")) type="text" size="6" value=(label) readonly; }
                None => { input id=(id("protocol")) name=(name("protocol")) type="text" size="6" value=(protocol_field) placeholder="0-255"; }
            }
        }
        td {
            label class="visually-hidden" for=(id("ports")) { "Port range" }
            @match &fixed_ports {
                Some(label) => { input id=(id("ports")) name=(name("ports")) type="text" size="11" value=(label) readonly; }
                None => { input id=(id("ports")) name=(name("ports")) type="text" size="11" value=(ports_field) placeholder="0 - 65535"; }
            }
        }
    }
}

/// A submitted form's fields in order, with the repeated ones (checkbox lists) and the numbered rows of an editor
/// (`rule.0.type`, `rule.0.ports`, `rule.1.type`, …).
pub(crate) struct Fields(Vec<(String, String)>);

impl Fields {
    pub(crate) fn parse(body: &[u8]) -> Fields {
        Fields(form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
    }

    /// The first value of `name`, or "".
    pub(crate) fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name` (a checkbox list), in order.
    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    /// The row numbers of `prefix.N.*` fields, in the order the rows appear.
    pub(crate) fn rows(&self, prefix: &str) -> Vec<usize> {
        let mut rows = Vec::new();
        for (key, _) in &self.0 {
            let Some(rest) = key.strip_prefix(prefix).and_then(|rest| rest.strip_prefix('.')) else { continue };
            let Some(number) = rest.split('.').next().and_then(|n| n.parse::<usize>().ok()) else { continue };
            if !rows.contains(&number) {
                rows.push(number);
            }
        }
        rows
    }

    /// The field `prefix.row.field`, or "".
    pub(crate) fn row(&self, prefix: &str, row: usize, field: &str) -> &str {
        self.get(&format!("{prefix}.{row}.{field}"))
    }
}

/// Request parameters built from owned pairs, borrowed as [`crate::ec2::run`] takes them.
pub(crate) fn borrowed(params: &[(String, String)]) -> Vec<(&str, &str)> {
    params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// "1 Permission entry", "2 Permission entries" (AWS's rule counts in the lists).
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_rules_are_named_as_the_console_names_them() {
        let ssh = show("tcp", Some(22), Some(22));
        assert_eq!((ssh.type_label, ssh.protocol.as_str(), ssh.ports.as_str()), ("SSH", "TCP", "22"));
        let custom = show("6", Some(1024), Some(2048));
        assert_eq!(
            (custom.type_label, custom.ports.as_str(), custom.ports_field.as_str()),
            ("Custom TCP", "1024 - 2048", "1024-2048")
        );
        let icmp = show("icmp", Some(-1), Some(-1));
        assert_eq!((icmp.type_label, icmp.protocol.as_str(), icmp.ports.as_str()), ("All ICMP - IPv4", "ICMP", "All"));
        let echo = show("1", Some(8), Some(-1));
        assert_eq!((echo.type_label, echo.ports_field.as_str()), ("Custom ICMP - IPv4", "8"));
        let all = show("-1", None, None);
        assert_eq!((all.type_label, all.protocol.as_str(), all.ports.as_str()), ("All traffic", "All", "All"));
        let gre = show("47", None, None);
        assert_eq!((gre.type_label, gre.protocol_field.as_str()), ("Custom protocol", "47"));
    }

    #[test]
    fn rows_become_request_values_and_round_trip() {
        let ask_of = |shown: &Shown| ask(shown.kind, &shown.protocol_field, &shown.ports_field);
        for (protocol, from, to) in [
            ("tcp", Some(22), Some(22)),
            ("tcp", Some(1024), Some(2048)),
            ("udp", Some(0), Some(65535)),
            ("icmp", Some(-1), Some(-1)),
            ("icmp", Some(3), Some(4)),
            ("icmp", Some(8), Some(-1)),
            ("-1", None, None),
            ("47", None, None),
        ] {
            let asked = ask_of(&show(protocol, from, to));
            assert_eq!(asked.protocol, protocol);
            assert_eq!(asked.numbers(), Some((from, to)), "{protocol} {from:?} {to:?}");
        }
        assert_eq!(ask("custom-tcp", "", "x").from.as_deref(), Some("x"));
        assert_eq!(ask("custom-tcp", "", "").from, None);
    }

    #[test]
    fn rows_are_found_in_order() {
        let fields = Fields::parse(b"rule.2.type=ssh&rule.0.type=http&rule.2.source=a&x=1&rule.10.type=https");
        assert_eq!(fields.rows("rule"), [2, 0, 10]);
        assert_eq!(fields.row("rule", 2, "source"), "a");
        assert_eq!(fields.row("rule", 3, "source"), "");
    }
}
