//! `nslookup [-type=A|AAAA] NAME [SERVER]`, printed as BIND's nslookup prints it.
//!
//! Exit status: 0 when answered (also NOERROR without a record of the type asked: "No answer"), 1 for NXDOMAIN or
//! no answer from any server (as BIND's nslookup).

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr};

use crate::cli::NslookupArgs;
use crate::client::{Client, DnsStatus, RecordType};
use crate::tools::resolver::{self, Lookup};
use crate::tools::{Printed, Ran};

/// Asks and formats.
pub fn run(client: &Client, vantage: &str, args: &NslookupArgs) -> anyhow::Result<Ran> {
    let (record, name, server) = match words(&args.words) {
        Ok(words) => words,
        Err(message) => return Ok(Ran { printed: Printed::err(format!("{message}\n"), 1), sent: None }),
    };
    let server = match server {
        Some(text) => match text.parse::<IpAddr>() {
            Ok(address) => Some(address),
            Err(_) => {
                let message = format!("nslookup: couldn't get address for '{text}': not found\n");
                return Ok(Ran { printed: Printed::err(message, 1), sent: None });
            }
        },
        None => None,
    };
    let lookup = resolver::lookup(client, vantage, name, server, record)?;
    Ok(Ran { printed: format(name, &lookup), sent: lookup.sent })
}

/// Sorts the command line: `-type=`/`-query=`/`-q=` options (A unless AAAA), then the name and the server.
fn words(words: &[String]) -> Result<(RecordType, &str, Option<&String>), String> {
    let mut record = RecordType::A;
    let mut positional = Vec::new();
    for word in words {
        let Some(option) = word.strip_prefix('-') else {
            positional.push(word);
            continue;
        };
        let value = ["type=", "query=", "q="].iter().find_map(|prefix| option.strip_prefix(prefix));
        record = match value.and_then(RecordType::parse) {
            Some(record) => record,
            None => return Err(format!("nslookup: localvpc supports only -type=A and -type=AAAA (got `{word}`)")),
        };
    }
    match positional.as_slice() {
        [name] => Ok((record, name, None)),
        [name, server] => Ok((record, name, Some(server))),
        _ => Err("nslookup: usage: nslookup [-type=A|AAAA] NAME [SERVER]".to_string()),
    }
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
        // The name exists without a record of the type asked (an IP name asked AAAA, part 2 §16.4).
        (DnsStatus::NoError, None) => {
            let _ = writeln!(out, "Non-authoritative answer:");
            let _ = writeln!(out, "*** Can't find {}: No answer\n", asked(name));
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
        Lookup { server: IpAddr::V4(Ipv4Addr::new(10, 6, 0, 2)), status, address: address.map(IpAddr::V4), sent: None }
    }

    #[test]
    fn aaaa_answers_and_names_without_one() {
        let mut found = lookup(DnsStatus::NoError, None);
        found.address = Some("2600:1f18:0:100::10".parse().unwrap());
        let printed = format("i-0abc.ec2.internal", &found);
        assert_eq!(
            printed.stdout,
            "Server:\t\t10.6.0.2\nAddress:\t10.6.0.2#53\n\nNon-authoritative answer:\n\
             Name:\ti-0abc.ec2.internal\nAddress: 2600:1f18:0:100::10\n\n"
        );
        let none = format("ip-10-7-1-4.ec2.internal", &lookup(DnsStatus::NoError, None));
        assert_eq!(
            (none.stdout.as_str(), none.status),
            (
                "Server:\t\t10.6.0.2\nAddress:\t10.6.0.2#53\n\nNon-authoritative answer:\n\
                 *** Can't find ip-10-7-1-4.ec2.internal: No answer\n\n",
                0
            )
        );
    }

    #[test]
    fn the_type_option_in_any_place() {
        let words = |line: &str| line.split(' ').map(str::to_string).collect::<Vec<_>>();
        let both = words("-type=AAAA name.example 10.0.0.2");
        assert_eq!(super::words(&both), Ok((RecordType::Aaaa, "name.example", Some(&both[2]))));
        let after = words("name.example -query=aaaa");
        assert_eq!(super::words(&after), Ok((RecordType::Aaaa, "name.example", None)));
        assert_eq!(super::words(&words("-q=A name.example")), Ok((RecordType::A, "name.example", None)));
        assert!(super::words(&words("-type=MX name.example")).is_err());
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
