//! The Linux tools `localvpc exec` and the `ssh` shell run: `ping`, `traceroute`, `nslookup`, `dig` and `nc`.
//!
//! Each tool module has a `run` that asks the API (a probe or a resolution) and a pure `format` function that turns
//! the answer into what the Linux tool would print (unit-tested there). Nothing here decides reachability: the
//! server's verdict is the answer, and this layer only renders it. Times are synthetic — derived from the path, never
//! measured or slept — so output is instant and deterministic.

pub mod dig;
pub mod nc;
pub mod nslookup;
pub mod ping;
pub mod resolver;
pub mod traceroute;

use std::fmt::Write as _;
use std::io::Write as _;
use std::net::IpAddr;

use clap::Parser;

use crate::cli::{DigArgs, NcArgs, NslookupArgs, PingArgs, TracerouteArgs};
use crate::client::{Client, ProbeResult, Protocol, RecordType};
use crate::explain;

/// What a tool printed and its exit status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Printed {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// The exit status the Linux tool would return.
    pub status: u8,
}

impl Printed {
    /// Only standard output.
    pub fn out(stdout: String, status: u8) -> Printed {
        Printed { stdout, stderr: String::new(), status }
    }

    /// Only standard error.
    pub fn err(stderr: String, status: u8) -> Printed {
        Printed { stdout: String::new(), stderr, status }
    }

    /// Writes both streams to the process's own; returns the status.
    pub fn emit(&self) -> u8 {
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(self.stdout.as_bytes());
        let _ = stdout.flush();
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(self.stderr.as_bytes());
        self.status
    }
}

/// A probe a tool sent, kept so `--explain` can ask about the same packet.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The destination as typed (an address or a name).
    pub to: String,
    /// The record a name in `to` resolved to (a tool's `-6`: AAAA).
    pub record: RecordType,
    /// What was sent.
    pub protocol: Protocol,
    /// What happened to it.
    pub result: ProbeResult,
}

/// A tool's output, and the probe behind it when there was one.
#[derive(Debug, Clone)]
pub struct Ran {
    /// What the tool prints.
    pub printed: Printed,
    /// The probe it sent.
    pub sent: Option<Sent>,
}

/// The commands the tools answer to (`ping6` and `traceroute6` are `ping -6` and `traceroute -6`).
pub const TOOL_NAMES: [&str; 7] = ["ping", "ping6", "traceroute", "traceroute6", "nslookup", "dig", "nc"];

/// `ping6 …` as `ping -6 …` (iputils and traceroute install the `6` names as such aliases).
fn as_ipv6_alias(tool: &str, argv: &[String]) -> Vec<String> {
    std::iter::once(tool.to_string())
        .chain(std::iter::once("-6".to_string()))
        .chain(argv[1..].iter().cloned())
        .collect()
}

/// Whether the sending host has no route of the destination's family at all — an instance without an IPv6 address
/// asked for an IPv6 destination, or an IPv6-only instance for an IPv4 one (part 2 §16.1): the engine stops the
/// packet before it leaves (no hop) with CANNOT_ROUTE, and Linux refuses the socket's connect with "Network is
/// unreachable" instead of sending anything.
pub fn host_has_no_route(result: &ProbeResult) -> bool {
    result.forward.as_ref().is_some_and(|leg| leg.hops.is_empty())
        && result.findings.first().is_some_and(|finding| finding.code == "CANNOT_ROUTE")
}

/// What getaddrinfo answers a tool restricted to one family (`-4`, `-6`) for an address of the other: iputils' and
/// traceroute's "Address family for hostname not supported", exit 2 (ASSUMPTION: the same for a name whose only
/// record is of the other family).
pub fn family_refused(tool: &str, host: &str, address: IpAddr, ipv4: bool, ipv6: bool) -> Option<Printed> {
    ((ipv4 && address.is_ipv6()) || (ipv6 && address.is_ipv4()))
        .then(|| Printed::err(format!("{tool}: {host}: Address family for hostname not supported\n"), 2))
}

/// Runs one tool command line (`argv[0]` is the tool) from `vantage`; with `explain`, appends the packet's path and
/// every blocking setting. A bad tool flag is a `clap::Error` (main prints it as the tool's usage error).
pub fn run(client: &Client, vantage: &str, argv: &[String], explain: bool) -> anyhow::Result<Printed> {
    let ran = match argv.first().map(String::as_str) {
        Some("ping") => ping::run(client, vantage, &PingArgs::try_parse_from(argv)?)?,
        Some("ping6") => ping::run(client, vantage, &PingArgs::try_parse_from(as_ipv6_alias("ping", argv))?)?,
        Some("traceroute") => traceroute::run(client, vantage, &TracerouteArgs::try_parse_from(argv)?)?,
        Some("traceroute6") => {
            traceroute::run(client, vantage, &TracerouteArgs::try_parse_from(as_ipv6_alias("traceroute", argv))?)?
        }
        Some("nslookup") => nslookup::run(client, vantage, &NslookupArgs::try_parse_from(argv)?)?,
        Some("dig") => dig::run(client, vantage, &DigArgs::try_parse_from(argv)?)?,
        Some("nc") => nc::run(client, vantage, &NcArgs::try_parse_from(argv)?)?,
        Some(other) => anyhow::bail!("exec runs {} (not `{other}`)", TOOL_NAMES.join(", ")),
        None => anyhow::bail!("exec needs a command after `--`"),
    };
    let mut printed = ran.printed;
    if explain {
        // One blank line between the tool's output and the explanation (some tools already end with one).
        if !printed.stdout.is_empty() && !printed.stdout.ends_with("\n\n") {
            printed.stdout.push('\n');
        }
        printed.stdout.push_str(&explanation(client, vantage, argv, ran.sent.as_ref())?);
    }
    Ok(printed)
}

/// The `--explain` block: the real path of the probe the tool sent and every setting that blocks it.
fn explanation(client: &Client, vantage: &str, argv: &[String], sent: Option<&Sent>) -> anyhow::Result<String> {
    let mut text = String::new();
    match sent {
        Some(sent) => {
            let explained = client.explain_resolving(vantage, &sent.to, sent.protocol, sent.record)?;
            text.push_str(&explain::render(vantage, &sent.to, sent.protocol, &sent.result, &explained));
        }
        None => {
            let _ = writeln!(
                text,
                "explain: `{}` asked the Amazon-provided resolver, which security groups and network ACLs never \
                 filter: no packet path to show.",
                argv.join(" ")
            );
        }
    }
    Ok(text)
}

/// Synthetic round-trip time in microseconds of sample `sample` (0-based) of a probe that came back, to hop
/// `hop` (1-based) of `hops` on the path: a base from the components crossed (a few tenths of a millisecond inside
/// AWS, about a millisecond more through an internet gateway), a deterministic jitter, and a slower first sample
/// (the neighbour cache is cold).
pub fn round_trip_us(result: &ProbeResult, hop: usize, hops: usize, sample: u32) -> u64 {
    let mut base: u64 = 280;
    for crossed in result.forward.iter().flat_map(|leg| leg.hops.iter()) {
        base += match crossed.kind.as_str() {
            "vpc-peering-connection" => 110,
            "internet-gateway" | "egress-only-internet-gateway" => 520,
            "internet" => 640,
            _ => 6,
        };
    }
    let scaled = base * hop.max(1) as u64 / hops.max(1) as u64;
    let address = match result.address {
        Some(IpAddr::V4(address)) => u32::from(address),
        // An IPv6 address's low 32 bits seed it (an IPv4 one keeps its old seed, so its times do not change).
        Some(IpAddr::V6(address)) => address.to_bits() as u32,
        None => 0,
    };
    let seed = address as u64 ^ (u64::from(sample) << 32) ^ ((hop as u64) << 48);
    let jitter = mix(seed) % 90;
    let cold = if sample == 0 && hop == hops { scaled / 2 } else { 0 };
    scaled + jitter + cold
}

/// The TTL of an answer: Linux sends with 64, and each router that shows in traceroute takes one off (the VPC
/// router and peering connections do not, spec §3.7).
pub fn reply_ttl(result: &ProbeResult) -> u8 {
    64 - result.traceroute.len().saturating_sub(1).min(63) as u8
}

/// A 64-bit finalizer (splitmix64): cheap, deterministic scatter for the synthetic jitter.
pub(crate) fn mix(mut value: u64) -> u64 {
    value = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    value = (value ^ (value >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    value = (value ^ (value >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    value ^ (value >> 31)
}

/// Milliseconds with three decimals, from microseconds (`0.412`).
pub fn millis(us: u64) -> String {
    format!("{}.{:03}", us / 1000, us % 1000)
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Probe answers as the server writes them, for the formatting tests.

    use std::net::{IpAddr, Ipv4Addr};

    use crate::client::{DnsStatus, Finding, Hop, Leg, ProbeResult, Resolution, Verdict};

    const PEER: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 7, 1, 4));

    fn hop(kind: &str, id: &str, detail: &str) -> Hop {
        Hop { kind: kind.into(), id: Some(id.into()), account: None, detail: detail.into() }
    }

    /// A ping across a peering connection that came back.
    pub fn reachable_over_peering() -> ProbeResult {
        let forward = Leg {
            hops: vec![
                hop("network-interface", "eni-a", "10.6.1.4 sends icmp echo-request"),
                hop("security-group-egress", "sg-a", "allowed by sgr-a"),
                hop("network-acl-outbound", "acl-a", "rule 100 allow"),
                hop("route-table", "rtb-a", "10.7.0.0/16 -> pcx-1"),
                hop("vpc-peering-connection", "pcx-1", "vpc-a -> vpc-b"),
                hop("network-acl-inbound", "acl-b", "rule 100 allow"),
                hop("security-group-ingress", "sg-b", "allowed by sgr-b"),
                hop("network-interface", "eni-b", "10.7.1.4 receives icmp echo-request"),
            ],
            delivered_to: Some("eni-b".into()),
            delivered_instance: Some("i-b".into()),
            delivered_address: Some(PEER),
            findings: Vec::new(),
            withheld: false,
        };
        ProbeResult {
            verdict: Verdict::Reachable,
            address: Some(PEER),
            resolution: None,
            forward: Some(forward),
            reply: Some(Leg::default()),
            findings: Vec::new(),
            traceroute: vec![PEER],
        }
    }

    /// The finding of a missing route.
    pub fn no_route() -> Finding {
        Finding {
            code: "NO_ROUTE_TO_DESTINATION".into(),
            component: Some("rtb-a".into()),
            account: None,
            detail: "no route in rtb-a matches 10.7.1.4".into(),
            fix: "add route 10.7.0.0/16 -> pcx-1 to rtb-a".into(),
        }
    }

    /// The finding of a missing inbound rule.
    pub fn no_ingress() -> Finding {
        Finding {
            code: "ENI_SG_RULES_MISMATCH".into(),
            component: Some("sg-b".into()),
            account: None,
            detail: "no inbound rule of sg-b allows icmp echo-request from 10.6.1.4".into(),
            fix: "add an inbound rule to sg-b allowing icmp echo-request from 10.6.1.4/32".into(),
        }
    }

    /// A ping dropped at the source's route table.
    pub fn dropped_at_route() -> ProbeResult {
        let forward = Leg {
            hops: vec![
                hop("network-interface", "eni-a", "10.6.1.4 sends icmp echo-request"),
                hop("security-group-egress", "sg-a", "allowed by sgr-a"),
                hop("network-acl-outbound", "acl-a", "rule 100 allow"),
            ],
            findings: vec![no_route()],
            ..Leg::default()
        };
        ProbeResult {
            verdict: Verdict::Dropped,
            address: Some(PEER),
            resolution: None,
            forward: Some(forward),
            reply: None,
            findings: vec![no_route()],
            traceroute: Vec::new(),
        }
    }

    /// A name that did not resolve.
    pub fn unresolved(status: DnsStatus) -> ProbeResult {
        ProbeResult {
            verdict: Verdict::Unresolved,
            address: None,
            resolution: Some(Resolution { status, address: None }),
            forward: None,
            reply: None,
            findings: Vec::new(),
            traceroute: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_times_are_small_deterministic_and_grow_with_the_path() {
        let peering = fixtures::reachable_over_peering();
        let first = round_trip_us(&peering, 1, 1, 0);
        let second = round_trip_us(&peering, 1, 1, 1);
        assert_eq!(first, round_trip_us(&peering, 1, 1, 0));
        assert!(first > second, "the first sample is the slow one");
        assert!((300..1000).contains(&second), "{second}");
        assert_eq!(millis(412), "0.412");
        assert_eq!(millis(1_234), "1.234");
        assert_eq!(reply_ttl(&peering), 64);
    }
}
