//! `traceroute [-I] [-n] [-m MAX] [-p PORT] HOST`, printed as Linux traceroute prints it.
//!
//! Spec §3.7: the VPC router and peering connections never answer and do not decrement the TTL, so a destination in
//! the VPC or a peer is hop 1; beyond an internet gateway an AWS edge router shows first. The server lists the
//! visible hops; when the probes (or their answers) are dropped, every hop up to the maximum is `* * *`. Probes are
//! UDP to port 33434 by default (they need UDP allowed to the target, spec §3.5), ICMP echo with `-I`. Exit status 0.

use std::fmt::Write as _;

use crate::cli::TracerouteArgs;
use crate::client::{Client, ProbeResult, Protocol, RecordType, Verdict};
use crate::tools::{family_refused, host_has_no_route, millis, round_trip_us, Printed, Ran, Sent};

/// Linux traceroute's probe size: 60 bytes over IPv4, 80 over IPv6, UDP or ICMP alike.
const PACKET_BYTES: u32 = 60;
const PACKET_BYTES_V6: u32 = 80;

/// Probes per hop.
const QUERIES: u32 = 3;

/// Sends the probes (one probe answers for all of them) and formats.
pub fn run(client: &Client, vantage: &str, args: &TracerouteArgs) -> anyhow::Result<Ran> {
    let protocol = if args.icmp { Protocol::Icmp } else { Protocol::Udp(args.port) };
    let record = RecordType::of_family(args.ipv6);
    let result = client.probe_resolving(vantage, &args.host, protocol, record)?;
    let printed = format(args, &result);
    Ok(Ran { printed, sent: Some(Sent { to: args.host.clone(), record, protocol, result }) })
}

/// What traceroute prints for a probe's result.
pub fn format(args: &TracerouteArgs, result: &ProbeResult) -> Printed {
    let host = &args.host;
    let Some(address) = result.address.filter(|_| result.verdict != Verdict::Unresolved) else {
        let message = format!(
            "{host}: Name or service not known\nCannot handle \"host\" cmdline arg `{host}' on position 1 (argc 1)\n"
        );
        return Printed::err(message, 2);
    };
    if let Some(refused) = family_refused("traceroute", host, address, args.ipv4, args.ipv6) {
        return refused;
    }
    let max_hops = usize::from(args.max_hops);
    let mut out = String::new();
    let bytes = if address.is_ipv6() { PACKET_BYTES_V6 } else { PACKET_BYTES };
    let _ = writeln!(out, "traceroute to {host} ({address}), {max_hops} hops max, {bytes} byte packets");
    // traceroute: connect() on a host with no route of the family fails after the header, exit 1.
    if host_has_no_route(result) {
        return Printed { stdout: out, stderr: "connect: Network is unreachable\n".into(), status: 1 };
    }
    let visible = if result.verdict == Verdict::Dropped { &[][..] } else { &result.traceroute[..] };
    for (index, hop) in visible.iter().take(max_hops).enumerate() {
        let name = if args.numeric { hop.to_string() } else { format!("{hop} ({hop})") };
        let times: Vec<String> = (0..QUERIES)
            .map(|query| format!("{} ms", millis(round_trip_us(result, index + 1, visible.len(), query + 1))))
            .collect();
        let _ = writeln!(out, "{:2}  {name}  {}", index + 1, times.join("  "));
    }
    if visible.is_empty() {
        for ttl in 1..=max_hops {
            let _ = writeln!(out, "{ttl:2}  * * *");
        }
    }
    Printed::out(out, 0)
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use clap::Parser;

    use super::*;
    use crate::client::DnsStatus;
    use crate::tools::fixtures;

    fn traceroute(args: &[&str], result: &ProbeResult) -> Printed {
        let argv: Vec<&str> = std::iter::once("traceroute").chain(args.iter().copied()).collect();
        format(&TracerouteArgs::try_parse_from(argv).unwrap(), result)
    }

    #[test]
    fn one_hop_across_a_peering() {
        let printed = traceroute(&["-I", "10.7.1.4"], &fixtures::reachable_over_peering());
        let lines: Vec<&str> = printed.stdout.lines().collect();
        assert_eq!(lines[0], "traceroute to 10.7.1.4 (10.7.1.4), 30 hops max, 60 byte packets");
        assert!(lines[1].starts_with(" 1  10.7.1.4 (10.7.1.4)  0."), "{}", lines[1]);
        assert_eq!(lines[1].matches(" ms").count(), 3);
        assert_eq!(lines.len(), 2);
        assert_eq!(printed.status, 0);
        let numeric = traceroute(&["-n", "10.7.1.4"], &fixtures::reachable_over_peering());
        assert!(numeric.stdout.lines().nth(1).unwrap().starts_with(" 1  10.7.1.4  0."));
    }

    #[test]
    fn an_edge_router_then_the_host() {
        let mut result = fixtures::reachable_over_peering();
        result.address = Some(Ipv4Addr::new(8, 8, 8, 8).into());
        result.traceroute = vec![Ipv4Addr::new(100, 65, 0, 1).into(), Ipv4Addr::new(8, 8, 8, 8).into()];
        let printed = traceroute(&["8.8.8.8"], &result);
        let lines: Vec<&str> = printed.stdout.lines().collect();
        assert!(lines[1].starts_with(" 1  100.65.0.1 (100.65.0.1)  "));
        assert!(lines[2].starts_with(" 2  8.8.8.8 (8.8.8.8)  "));
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn ipv6_probes_are_80_bytes() {
        let mut result = fixtures::reachable_over_peering();
        let host: std::net::IpAddr = "2600:1f10:0:100::10".parse().unwrap();
        (result.address, result.traceroute) = (Some(host), vec![host]);
        let printed = traceroute(&["-6", "2600:1f10:0:100::10"], &result);
        let lines: Vec<&str> = printed.stdout.lines().collect();
        assert_eq!(lines[0], "traceroute to 2600:1f10:0:100::10 (2600:1f10:0:100::10), 30 hops max, 80 byte packets");
        assert!(lines[1].starts_with(" 1  2600:1f10:0:100::10 (2600:1f10:0:100::10)  0."), "{}", lines[1]);
        assert_eq!(traceroute(&["-4", "2600:1f10:0:100::10"], &result).status, 2);
    }

    #[test]
    fn a_drop_is_stars_up_to_the_maximum() {
        let printed = traceroute(&["10.7.1.4"], &fixtures::dropped_at_route());
        let lines: Vec<&str> = printed.stdout.lines().collect();
        assert_eq!(lines.len(), 31);
        assert_eq!(lines[1], " 1  * * *");
        assert_eq!(lines[30], "30  * * *");
        let short = traceroute(&["-m", "5", "10.7.1.4"], &fixtures::dropped_at_route());
        assert_eq!(
            short.stdout,
            "traceroute to 10.7.1.4 (10.7.1.4), 5 hops max, 60 byte packets\n 1  * * *\n 2  * * *\n 3  * * *\n 4  * * *\n 5  * * *\n"
        );
    }

    #[test]
    fn unknown_names() {
        let printed = traceroute(&["nowhere"], &fixtures::unresolved(DnsStatus::NxDomain));
        assert_eq!(printed.status, 2);
        assert!(printed.stderr.starts_with("nowhere: Name or service not known\n"));
    }
}
