//! `dig [@SERVER] NAME [A|AAAA] [+short]`, printed in BIND 9.18's layout.
//!
//! Exit status as dig's: 0 whenever a server answered (NOERROR — with or without a record of the type asked — or
//! NXDOMAIN: the status is in the header line), 9 when no server answered, 10 for a server that is not an address.

use std::fmt::Write as _;
use std::net::IpAddr;

use crate::calendar::UtcTime;
use crate::cli::{DigArgs, DigQuery};
use crate::client::{Client, DnsStatus};
use crate::tools::resolver::{self, Lookup};
use crate::tools::{mix, Printed, Ran};

/// The version dig's banner names.
const VERSION: &str = "9.18.33";

/// The TTL of Amazon-provided EC2 host records.
const RECORD_TTL: u32 = 60;

/// Asks and formats.
pub fn run(client: &Client, vantage: &str, args: &DigArgs) -> anyhow::Result<Ran> {
    let query = match args.query() {
        Ok(query) => query,
        Err(message) => return Ok(Ran { printed: Printed::err(format!("{message}\n"), 1), sent: None }),
    };
    let server = match &query.server {
        Some(text) => match text.parse::<IpAddr>() {
            Ok(address) => Some(address),
            Err(_) => {
                let message = format!("dig: couldn't get address for '{text}': not found\n");
                return Ok(Ran { printed: Printed::err(message, 10), sent: None });
            }
        },
        None => None,
    };
    let lookup = resolver::lookup(client, vantage, &query.name, server, query.record)?;
    let printed = format(&args.words.join(" "), &query, &lookup, UtcTime::now());
    Ok(Ran { printed, sent: lookup.sent })
}

/// What dig prints; `command_line` is echoed in the banner, `when` is the `WHEN` line.
pub fn format(command_line: &str, query: &DigQuery, lookup: &Lookup, when: UtcTime) -> Printed {
    let server = lookup.server;
    let fqdn = format!("{}.", query.name.trim_end_matches('.'));
    if lookup.status == DnsStatus::Timeout {
        let mut out = String::new();
        for _ in 0..3 {
            let _ = writeln!(out, ";; communications error to {server}#53: timed out");
        }
        if !query.short {
            let _ = writeln!(out, "\n; <<>> DiG {VERSION} <<>> {command_line}\n;; global options: +cmd");
        }
        let _ = writeln!(out, ";; no servers could be reached\n");
        return Printed::out(out, 9);
    }
    let answer = match (lookup.status, lookup.address) {
        (DnsStatus::NoError, Some(address)) => Some(address),
        _ => None,
    };
    if query.short {
        return Printed::out(answer.map(|address| format!("{address}\n")).unwrap_or_default(), 0);
    }
    // NOERROR without an address: the name exists without a record of the type asked (part 2 §16.4).
    let status = if lookup.status == DnsStatus::NoError { "NOERROR" } else { "NXDOMAIN" };
    let record = query.record.as_str();
    let id =
        mix(query.name.bytes().fold(0u64, |hash, byte| hash.wrapping_mul(31).wrapping_add(u64::from(byte)))) % 65_536;
    let answers = usize::from(answer.is_some());
    // Header, question (name + type + class), one compressed A (16 bytes) or AAAA (28) record, the EDNS OPT record.
    let record_size = match answer {
        Some(IpAddr::V6(_)) => 28,
        _ => 16,
    };
    let size = 12 + (fqdn.len() + 1 + 4) + answers * record_size + 11;
    let mut out = String::new();
    let _ = writeln!(out, "\n; <<>> DiG {VERSION} <<>> {command_line}");
    let _ = writeln!(out, ";; global options: +cmd");
    let _ = writeln!(out, ";; Got answer:");
    let _ = writeln!(out, ";; ->>HEADER<<- opcode: QUERY, status: {status}, id: {id}");
    let _ = writeln!(out, ";; flags: qr rd ra; QUERY: 1, ANSWER: {answers}, AUTHORITY: 0, ADDITIONAL: 1\n");
    let _ = writeln!(out, ";; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags:; udp: 4096");
    let _ = writeln!(out, ";; QUESTION SECTION:\n;{fqdn}\t\t\tIN\t{record}\n");
    if let Some(address) = answer {
        let _ = writeln!(out, ";; ANSWER SECTION:\n{fqdn}\t{RECORD_TTL}\tIN\t{record}\t{address}\n");
    }
    let _ = writeln!(out, ";; Query time: 0 msec");
    let _ = writeln!(out, ";; SERVER: {server}#53({server}) (UDP)");
    let _ = writeln!(out, ";; WHEN: {when}");
    let _ = writeln!(out, ";; MSG SIZE  rcvd: {size}\n");
    Printed::out(out, 0)
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;
    use crate::client::RecordType;

    const NAME: &str = "ip-10-7-1-4.ap-northeast-2.compute.internal";

    fn query(short: bool) -> DigQuery {
        DigQuery { name: NAME.into(), server: None, short, record: RecordType::A }
    }

    fn lookup(status: DnsStatus, address: Option<Ipv4Addr>) -> Lookup {
        Lookup { server: IpAddr::V4(Ipv4Addr::new(10, 6, 0, 2)), status, address: address.map(IpAddr::V4), sent: None }
    }

    fn when() -> UtcTime {
        UtcTime::from_unix(1_763_779_327)
    }

    #[test]
    fn an_answer() {
        let printed =
            format(NAME, &query(false), &lookup(DnsStatus::NoError, Some(Ipv4Addr::new(10, 7, 1, 4))), when());
        let text = printed.stdout;
        assert!(
            text.starts_with(&format!("\n; <<>> DiG 9.18.33 <<>> {NAME}\n;; global options: +cmd\n;; Got answer:\n"))
        );
        assert!(text.contains(";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: "));
        assert!(text.contains(";; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1\n"));
        assert!(text.contains(&format!(";; QUESTION SECTION:\n;{NAME}.\t\t\tIN\tA\n")));
        assert!(text.contains(&format!(";; ANSWER SECTION:\n{NAME}.\t60\tIN\tA\t10.7.1.4\n")));
        assert!(text.contains(";; SERVER: 10.6.0.2#53(10.6.0.2) (UDP)\n;; WHEN: Sat Nov 22 02:42:07 UTC 2025\n"));
        assert!(text.contains(";; MSG SIZE  rcvd: 88\n"), "{text}");
        assert_eq!(printed.status, 0);
    }

    #[test]
    fn nxdomain_is_a_status_not_a_failure() {
        let printed = format(NAME, &query(false), &lookup(DnsStatus::NxDomain, None), when());
        assert!(printed.stdout.contains("status: NXDOMAIN"));
        assert!(printed.stdout.contains("ANSWER: 0,"));
        assert!(!printed.stdout.contains("ANSWER SECTION"));
        assert_eq!(printed.status, 0);
    }

    #[test]
    fn an_aaaa_answer_and_a_name_without_one() {
        let query = DigQuery { record: RecordType::Aaaa, ..query(false) };
        let mut found = lookup(DnsStatus::NoError, None);
        found.address = Some("2600:1f18:0:100::10".parse().unwrap());
        let text = format(NAME, &query, &found, when()).stdout;
        assert!(text.contains(&format!(";; QUESTION SECTION:\n;{NAME}.\t\t\tIN\tAAAA\n")), "{text}");
        assert!(text.contains(&format!(";; ANSWER SECTION:\n{NAME}.\t60\tIN\tAAAA\t2600:1f18:0:100::10\n")));
        assert!(text.contains(";; MSG SIZE  rcvd: 100\n"), "{text}");
        let printed = format(NAME, &query, &lookup(DnsStatus::NoError, None), when());
        assert!(printed.stdout.contains("status: NOERROR") && printed.stdout.contains("ANSWER: 0,"));
        assert!(!printed.stdout.contains("ANSWER SECTION"));
        assert_eq!(printed.status, 0);
    }

    #[test]
    fn short_and_timeout() {
        let short = format(NAME, &query(true), &lookup(DnsStatus::NoError, Some(Ipv4Addr::new(10, 7, 1, 4))), when());
        assert_eq!((short.stdout.as_str(), short.status), ("10.7.1.4\n", 0));
        let timeout = format(NAME, &query(false), &lookup(DnsStatus::Timeout, None), when());
        assert!(timeout.stdout.starts_with(";; communications error to 10.6.0.2#53: timed out\n"));
        assert!(timeout.stdout.ends_with(";; no servers could be reached\n\n"));
        assert_eq!(timeout.status, 9);
    }
}
