//! `nslookup NAME [SERVER]`, printed as BIND's nslookup prints it.
//!
//! Exit status: 0 when answered, 1 for NXDOMAIN or no answer (as BIND's nslookup).

use std::fmt::Write as _;
use std::net::Ipv4Addr;

use crate::cli::NslookupArgs;
use crate::client::{Client, DnsStatus};
use crate::tools::resolver::{self, Lookup};
use crate::tools::{Printed, Ran};

/// Asks and formats.
pub fn run(client: &Client, vantage: &str, args: &NslookupArgs) -> anyhow::Result<Ran> {
    let server = match &args.server {
        Some(text) => match text.parse::<Ipv4Addr>() {
            Ok(address) => Some(address),
            Err(_) => {
                let message = format!("nslookup: couldn't get address for '{text}': not found\n");
                return Ok(Ran { printed: Printed::err(message, 1), sent: None });
            }
        },
        None => None,
    };
    let lookup = resolver::lookup(client, vantage, &args.name, server)?;
    Ok(Ran { printed: format(&args.name, &lookup), sent: lookup.sent })
}

/// The text nslookup prints for an answer.
pub fn format(name: &str, lookup: &Lookup) -> Printed {
    if lookup.status == DnsStatus::Timeout {
        return Printed::out(";; connection timed out; no servers could be reached\n\n".to_string(), 1);
    }
    let mut out = String::new();
    let _ = writeln!(out, "Server:\t\t{}", lookup.server);
    let _ = writeln!(out, "Address:\t{}#53\n", lookup.server);
    match (lookup.status, lookup.address) {
        (DnsStatus::NoError, Some(address)) => {
            let _ = writeln!(out, "Non-authoritative answer:");
            let _ = writeln!(out, "Name:\t{}", name.trim_end_matches('.'));
            let _ = writeln!(out, "Address: {address}\n");
            Printed::out(out, 0)
        }
        _ => {
            let _ = writeln!(out, "** server can't find {}: NXDOMAIN\n", asked(name));
            Printed::out(out, 1)
        }
    }
}

/// The name as the query carried it: an address is asked in reverse (`4.1.7.10.in-addr.arpa`).
fn asked(name: &str) -> String {
    match name.parse::<Ipv4Addr>() {
        Ok(address) => {
            let [a, b, c, d] = address.octets();
            format!("{d}.{c}.{b}.{a}.in-addr.arpa")
        }
        Err(_) => name.trim_end_matches('.').to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(status: DnsStatus, address: Option<Ipv4Addr>) -> Lookup {
        Lookup { server: Ipv4Addr::new(10, 6, 0, 2), status, address, sent: None }
    }

    #[test]
    fn an_answer() {
        let printed = format(
            "ec2-3-4-5-6.ap-northeast-2.compute.amazonaws.com",
            &lookup(DnsStatus::NoError, Some(Ipv4Addr::new(10, 7, 1, 4))),
        );
        assert_eq!(
            printed.stdout,
            "Server:\t\t10.6.0.2\nAddress:\t10.6.0.2#53\n\nNon-authoritative answer:\n\
             Name:\tec2-3-4-5-6.ap-northeast-2.compute.amazonaws.com\nAddress: 10.7.1.4\n\n"
        );
        assert_eq!(printed.status, 0);
    }

    #[test]
    fn nxdomain_and_timeout() {
        let printed = format("ip-10-7-1-4.ap-northeast-2.compute.internal", &lookup(DnsStatus::NxDomain, None));
        assert_eq!(
            printed.stdout,
            "Server:\t\t10.6.0.2\nAddress:\t10.6.0.2#53\n\n** server can't find ip-10-7-1-4.ap-northeast-2.compute.internal: NXDOMAIN\n\n"
        );
        assert_eq!(printed.status, 1);
        let reverse = format("10.7.1.4", &lookup(DnsStatus::NxDomain, None));
        assert!(reverse.stdout.contains("** server can't find 4.1.7.10.in-addr.arpa: NXDOMAIN"));
        let timeout = format("x", &lookup(DnsStatus::Timeout, None));
        assert_eq!(
            (timeout.stdout.as_str(), timeout.status),
            (";; connection timed out; no servers could be reached\n\n", 1)
        );
    }
}
