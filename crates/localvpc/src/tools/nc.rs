//! `nc -z [-v] [-w S] HOST PORT`, printed as OpenBSD netcat prints it (always in its verbose style).
//!
//! Spec §3.7: everything allows and something listens → connected; everything allows and nothing listens → a reset
//! comes back → "Connection refused"; anything drops → no answer → a timeout (with `-w`, netcat's own "timed out";
//! without, the kernel's "Connection timed out"). Exit status: 0 connected, 1 otherwise.

use crate::cli::NcArgs;
use crate::client::{Client, DnsStatus, ProbeResult, Protocol, RecordType, Verdict};
use crate::tools::{Printed, Ran, Sent};

/// Connects (one TCP probe) and formats.
pub fn run(client: &Client, vantage: &str, args: &NcArgs) -> anyhow::Result<Ran> {
    if !args.zero_io {
        let message = "nc: localvpc runs netcat only as a port check: add -z (nc -z HOST PORT)\n".to_string();
        return Ok(Ran { printed: Printed::err(message, 1), sent: None });
    }
    let protocol = Protocol::Tcp(args.port);
    let record = RecordType::of_family(args.ipv6);
    let result = client.probe_resolving(vantage, &args.host, protocol, record)?;
    let printed = format(args, &result);
    Ok(Ran { printed, sent: Some(Sent { to: args.host.clone(), record, protocol, result }) })
}

/// What netcat prints for a connection attempt's result.
pub fn format(args: &NcArgs, result: &ProbeResult) -> Printed {
    let (host, port) = (&args.host, args.port);
    let Some(address) = result.address.filter(|_| result.verdict != Verdict::Unresolved) else {
        let reason = match result.resolution.as_ref().map(|resolution| resolution.status) {
            Some(DnsStatus::Timeout) => "Temporary failure in name resolution",
            _ => "Name or service not known",
        };
        return Printed::err(format!("nc: getaddrinfo for host \"{host}\" port {port}: {reason}\n"), 1);
    };
    if (args.ipv4 && address.is_ipv6()) || (args.ipv6 && address.is_ipv4()) {
        return Printed::err(
            format!("nc: getaddrinfo for host \"{host}\" port {port}: Address family for hostname not supported\n"),
            1,
        );
    }
    // netcat names the address next to a host given by name.
    let target = if host.parse::<std::net::IpAddr>().is_ok() { host.clone() } else { format!("{host} ({address})") };
    match result.verdict {
        Verdict::Reachable => {
            Printed::err(format!("Connection to {target} {port} port [tcp/{}] succeeded!\n", service(port)), 0)
        }
        Verdict::Refused => {
            Printed::err(format!("nc: connect to {target} port {port} (tcp) failed: Connection refused\n"), 1)
        }
        _ if args.timeout.is_some() => {
            Printed::err(format!("nc: connect to {target} port {port} (tcp) timed out: Operation now in progress\n"), 1)
        }
        _ => Printed::err(format!("nc: connect to {target} port {port} (tcp) failed: Connection timed out\n"), 1),
    }
}

/// The `/etc/services` name of a TCP port, `*` when it has none.
fn service(port: u16) -> &'static str {
    match port {
        21 => "ftp",
        22 => "ssh",
        23 => "telnet",
        25 => "smtp",
        53 => "domain",
        80 => "http",
        110 => "pop3",
        143 => "imap2",
        443 => "https",
        3306 => "mysql",
        5432 => "postgresql",
        6379 => "redis",
        8080 => "http-alt",
        _ => "*",
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::tools::fixtures;

    fn nc(args: &[&str], result: &ProbeResult) -> Printed {
        let argv: Vec<&str> = std::iter::once("nc").chain(args.iter().copied()).collect();
        format(&NcArgs::try_parse_from(argv).unwrap(), result)
    }

    #[test]
    fn connected_refused_and_timed_out() {
        let mut result = fixtures::reachable_over_peering();
        let connected = nc(&["-zv", "10.7.1.4", "22"], &result);
        assert_eq!(
            (connected.stderr.as_str(), connected.status),
            ("Connection to 10.7.1.4 22 port [tcp/ssh] succeeded!\n", 0)
        );
        result.verdict = Verdict::Refused;
        let refused = nc(&["-z", "10.7.1.4", "23"], &result);
        assert_eq!(
            (refused.stderr.as_str(), refused.status),
            ("nc: connect to 10.7.1.4 port 23 (tcp) failed: Connection refused\n", 1)
        );
        let dropped = fixtures::dropped_at_route();
        let waited = nc(&["-vz", "-w", "2", "10.7.1.4", "22"], &dropped);
        assert_eq!(waited.stderr, "nc: connect to 10.7.1.4 port 22 (tcp) timed out: Operation now in progress\n");
        assert_eq!(waited.status, 1);
        let kernel = nc(&["-z", "10.7.1.4", "22"], &dropped);
        assert_eq!(kernel.stderr, "nc: connect to 10.7.1.4 port 22 (tcp) failed: Connection timed out\n");
    }

    #[test]
    fn names() {
        let connected = nc(&["-z", "web", "8081"], &fixtures::reachable_over_peering());
        assert_eq!(connected.stderr, "Connection to web (10.7.1.4) 8081 port [tcp/*] succeeded!\n");
        let unknown = nc(&["-z", "nowhere", "22"], &fixtures::unresolved(DnsStatus::NxDomain));
        assert_eq!(
            (unknown.stderr.as_str(), unknown.status),
            ("nc: getaddrinfo for host \"nowhere\" port 22: Name or service not known\n", 1)
        );
    }
}
