//! `ping [-c N] [-q] HOST`, printed as iputils ping prints it.
//!
//! Spec §3.7: a reply comes back iff the whole forward and reverse walk passes, with the target's TTL (64 for
//! Linux); any block is silent — 100% packet loss, never "Destination Host Unreachable". The walk is deterministic,
//! so every echo request of a run has the same fate. Exit status: 0 when some reply came, 1 when none, 2 when the
//! name does not resolve or the host has no route of the destination's family at all (iputils).

use std::fmt::Write as _;

use crate::cli::PingArgs;
use crate::client::{Client, DnsStatus, ProbeResult, Protocol, RecordType, Verdict};
use crate::tools::{family_refused, host_has_no_route, millis, reply_ttl, round_trip_us, Printed, Ran, Sent};

/// Sends the echo requests (one probe answers for all of them) and formats.
pub fn run(client: &Client, vantage: &str, args: &PingArgs) -> anyhow::Result<Ran> {
    let record = RecordType::of_family(args.ipv6);
    let result = client.probe_resolving(vantage, &args.host, Protocol::Icmp, record)?;
    let printed = format(args, &result);
    Ok(Ran { printed, sent: Some(Sent { to: args.host.clone(), record, protocol: Protocol::Icmp, result }) })
}

/// What ping prints for a probe's result.
pub fn format(args: &PingArgs, result: &ProbeResult) -> Printed {
    let host = &args.host;
    let Some(address) = result.address.filter(|_| result.verdict != Verdict::Unresolved) else {
        return unresolved("ping", host, result);
    };
    if let Some(refused) = family_refused("ping", host, address, args.ipv4, args.ipv6) {
        return refused;
    }
    // iputils: connect() on a host with no route of the family fails before any packet, exit 2.
    if host_has_no_route(result) {
        return Printed::err("ping: connect: Network is unreachable\n".into(), 2);
    }
    let mut out = String::new();
    // iputils writes the IPv6 header line its own way: no space before the address, no total size.
    if address.is_ipv6() {
        let _ = writeln!(out, "PING {host}({address}) 56 data bytes");
    } else {
        let _ = writeln!(out, "PING {host} ({address}) 56(84) bytes of data.");
    }
    let replies = result.verdict == Verdict::Reachable;
    let times: Vec<u64> =
        if replies { (0..args.count).map(|sample| round_trip_us(result, 1, 1, sample)).collect() } else { Vec::new() };
    if !args.quiet {
        let ttl = reply_ttl(result);
        for (index, time) in times.iter().enumerate() {
            let _ = writeln!(
                out,
                "64 bytes from {address}: icmp_seq={} ttl={ttl} time={} ms",
                index + 1,
                reply_time(*time)
            );
        }
    }
    let transmitted = args.count as usize;
    let received = times.len();
    let loss = (transmitted - received) * 100 / transmitted;
    let elapsed =
        (transmitted as u64 - 1) * 1000 + (transmitted as u64 - 1) * 2 + times.last().map_or(0, |us| us / 1000);
    let _ = writeln!(out, "\n--- {host} ping statistics ---");
    let _ =
        writeln!(out, "{transmitted} packets transmitted, {received} received, {loss}% packet loss, time {elapsed}ms");
    if let (Some(min), Some(max)) = (times.iter().min(), times.iter().max()) {
        let count = times.len() as f64;
        let mean = times.iter().sum::<u64>() as f64 / count;
        let square_mean = times.iter().map(|&time| (time as f64).powi(2)).sum::<f64>() / count;
        let mdev = (square_mean - mean * mean).max(0.0).sqrt();
        let _ = writeln!(
            out,
            "rtt min/avg/max/mdev = {}/{}/{}/{} ms",
            millis(*min),
            millis(mean.round() as u64),
            millis(*max),
            millis(mdev.round() as u64)
        );
    }
    if !replies {
        out.push('\n');
    }
    Printed::out(out, if replies { 0 } else { 1 })
}

/// iputils' per-reply time: three significant digits (`0.412`, `1.23`, `12.3`, `123`).
fn reply_time(us: u64) -> String {
    match us {
        0..=999 => millis(us),
        1000..=9_994 => format!("{}.{:02}", (us + 5) / 1000, (us + 5) % 1000 / 10),
        9_995..=99_949 => format!("{}.{}", (us + 50) / 1000, (us + 50) % 1000 / 100),
        _ => format!("{}", (us + 500) / 1000),
    }
}

/// What a resolver-using tool prints when the name has no address (glibc's `gai_strerror`), exit 2.
pub fn unresolved(tool: &str, host: &str, result: &ProbeResult) -> Printed {
    let reason = match result.resolution.as_ref().map(|resolution| resolution.status) {
        Some(DnsStatus::Timeout) => "Temporary failure in name resolution",
        _ => "Name or service not known",
    };
    Printed::err(format!("{tool}: {host}: {reason}\n"), 2)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::tools::fixtures;

    fn ping(args: &[&str], result: &ProbeResult) -> Printed {
        let argv: Vec<&str> = std::iter::once("ping").chain(args.iter().copied()).collect();
        format(&PingArgs::try_parse_from(argv).unwrap(), result)
    }

    #[test]
    fn replies() {
        let printed = ping(&["-c", "3", "10.7.1.4"], &fixtures::reachable_over_peering());
        let lines: Vec<&str> = printed.stdout.lines().collect();
        assert_eq!(lines[0], "PING 10.7.1.4 (10.7.1.4) 56(84) bytes of data.");
        for (index, line) in lines[1..4].iter().enumerate() {
            let prefix = format!("64 bytes from 10.7.1.4: icmp_seq={} ttl=64 time=0.", index + 1);
            assert!(line.starts_with(&prefix) && line.ends_with(" ms"), "{line}");
        }
        assert_eq!(lines[4], "");
        assert_eq!(lines[5], "--- 10.7.1.4 ping statistics ---");
        assert!(lines[6].starts_with("3 packets transmitted, 3 received, 0% packet loss, time 20"), "{}", lines[6]);
        assert!(lines[7].starts_with("rtt min/avg/max/mdev = 0."), "{}", lines[7]);
        assert_eq!(lines.len(), 8);
        assert_eq!(printed.status, 0);
        assert_eq!(printed, ping(&["-c", "3", "10.7.1.4"], &fixtures::reachable_over_peering()), "deterministic");
    }

    #[test]
    fn total_loss() {
        let printed = ping(&["10.7.1.4"], &fixtures::dropped_at_route());
        assert_eq!(
            printed.stdout,
            "PING 10.7.1.4 (10.7.1.4) 56(84) bytes of data.\n\n--- 10.7.1.4 ping statistics ---\n\
             4 packets transmitted, 0 received, 100% packet loss, time 3006ms\n\n"
        );
        assert_eq!(printed.status, 1);
    }

    #[test]
    fn quiet_and_names() {
        let mut result = fixtures::reachable_over_peering();
        result.resolution = Some(crate::client::Resolution { status: DnsStatus::NoError, address: result.address });
        let printed = ping(&["-q", "-c", "2", "ip-10-7-1-4"], &result);
        assert!(printed
            .stdout
            .starts_with("PING ip-10-7-1-4 (10.7.1.4) 56(84) bytes of data.\n\n--- ip-10-7-1-4 ping"));
        assert!(!printed.stdout.contains("icmp_seq"));
    }

    #[test]
    fn unknown_names() {
        let printed = ping(&["nowhere"], &fixtures::unresolved(DnsStatus::NxDomain));
        assert_eq!((printed.stderr.as_str(), printed.status), ("ping: nowhere: Name or service not known\n", 2));
        let printed = ping(&["x"], &fixtures::unresolved(DnsStatus::Timeout));
        assert_eq!(printed.stderr, "ping: x: Temporary failure in name resolution\n");
    }

    #[test]
    fn ipv6_replies_and_family_flags() {
        let mut result = fixtures::reachable_over_peering();
        result.address = Some("2600:1f10:0:100::10".parse().unwrap());
        let printed = ping(&["-6", "-c", "1", "2600:1f10:0:100::10"], &result);
        let lines: Vec<&str> = printed.stdout.lines().collect();
        assert_eq!(lines[0], "PING 2600:1f10:0:100::10(2600:1f10:0:100::10) 56 data bytes");
        assert!(lines[1].starts_with("64 bytes from 2600:1f10:0:100::10: icmp_seq=1 ttl=64 time=0."), "{}", lines[1]);
        assert_eq!(printed.status, 0);
        let refused = ping(&["-4", "2600:1f10:0:100::10"], &result);
        assert_eq!(
            (refused.stderr.as_str(), refused.status),
            ("ping: 2600:1f10:0:100::10: Address family for hostname not supported\n", 2)
        );
        let refused = ping(&["-6", "10.7.1.4"], &fixtures::reachable_over_peering());
        assert_eq!(refused.status, 2);
        // Positive control: -4 with an IPv4 address pings.
        assert_eq!(ping(&["-4", "10.7.1.4"], &fixtures::reachable_over_peering()).status, 0);
    }

    #[test]
    fn reply_times_keep_three_digits() {
        assert_eq!(reply_time(412), "0.412");
        assert_eq!(reply_time(1_234), "1.23");
        assert_eq!(reply_time(12_345), "12.3");
        assert_eq!(reply_time(123_456), "123");
    }
}
