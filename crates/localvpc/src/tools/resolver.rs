//! A DNS question as `nslookup` and `dig` ask it: the vantage's resolver by default, or a server named on the
//! command line.
//!
//! The server decides who answers (spec §4.1, part 2 §12.2): an instance's resolver is its VPC's base + 2 (also
//! 169.254.169.253), never filtered by security groups or network ACLs — unless its VPC's DHCP options name other
//! servers, or none. Any other server is reached by a UDP datagram to port 53 like any packet: a host of the
//! emulated internet answers with the internet's view (a public resolver), anything else — a peer VPC's base + 2
//! (spec §3.3), an instance, an unreachable address — does not answer, and the tool times out. For such a server
//! the datagram's walk is asked too, so `--explain` can show where it went.

use std::net::{IpAddr, Ipv4Addr};

use crate::client::{Client, DnsStatus, Protocol, RecordType};
use crate::tools::Sent;

/// Where BIND's tools send questions when `resolv.conf` names no server.
const NO_SERVER: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// The answer to one question.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// The server asked.
    pub server: IpAddr,
    /// Its status.
    pub status: DnsStatus,
    /// The record asked for (A or AAAA), when there is one.
    pub address: Option<IpAddr>,
    /// The datagram sent to a server other than the Amazon or public resolver.
    pub sent: Option<Sent>,
}

/// Asks `name`'s `record` from `vantage`, of `server` when given.
pub fn lookup(
    client: &Client,
    vantage: &str,
    name: &str,
    server: Option<IpAddr>,
    record: RecordType,
) -> anyhow::Result<Lookup> {
    let resolved = client.resolve(vantage, name, server, record)?;
    let Some(asked) = resolved.server else {
        return Ok(Lookup { server: NO_SERVER, status: DnsStatus::Timeout, address: None, sent: None });
    };
    let sent = if resolved.via == "network" {
        Some(Sent {
            record: RecordType::A,
            to: asked.to_string(),
            protocol: Protocol::Udp(53),
            result: client.probe(vantage, &asked.to_string(), Protocol::Udp(53))?,
        })
    } else {
        None
    };
    Ok(Lookup { server: asked, status: resolved.status, address: resolved.address, sent })
}
