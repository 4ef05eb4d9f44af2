//! A DNS question as `nslookup` and `dig` ask it: the vantage's resolver by default, or a server named on the
//! command line.
//!
//! Spec §4.1: an instance's resolver is its VPC's base + 2 (also 169.254.169.253), never filtered by security groups
//! or network ACLs. Any other server is reached by a UDP datagram to port 53 like any packet: a host of the emulated
//! internet answers with the internet's view (a public resolver), anything else — a peer VPC's base + 2 (spec §3.3),
//! an instance, an unreachable address — does not answer, and the tool times out.

use std::net::Ipv4Addr;

use crate::client::{Client, DnsStatus, Protocol, Verdict};
use crate::tools::Sent;

/// The link-local address of the Amazon-provided resolver, reachable from every instance (spec §4.1).
pub const AMAZON_DNS: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 253);

/// The answer to one question.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// The server asked.
    pub server: Ipv4Addr,
    /// Its status.
    pub status: DnsStatus,
    /// The A record, when there is one.
    pub address: Option<Ipv4Addr>,
    /// The datagram sent to a server other than the vantage's resolver.
    pub sent: Option<Sent>,
}

/// Asks `name` from `vantage`, of `server` when given.
pub fn lookup(client: &Client, vantage: &str, name: &str, server: Option<Ipv4Addr>) -> anyhow::Result<Lookup> {
    let resolved = client.resolve(vantage, name)?;
    let own = Lookup { server: resolved.server, status: resolved.status, address: resolved.address, sent: None };
    let Some(server) = server else { return Ok(own) };
    if server == resolved.server || (vantage != "internet" && server == AMAZON_DNS) {
        return Ok(Lookup { server, ..own });
    }
    let result = client.probe(vantage, &server.to_string(), Protocol::Udp(53))?;
    let forward = result.forward.as_ref();
    let answered_by_internet_host = result.verdict == Verdict::Reachable
        && forward.is_some_and(|leg| leg.delivered_instance.is_none() && leg.delivered_to == Some(server.to_string()));
    let sent = Some(Sent { to: server.to_string(), protocol: Protocol::Udp(53), result });
    if answered_by_internet_host {
        let public = client.resolve("internet", name)?;
        return Ok(Lookup { server, status: public.status, address: public.address, sent });
    }
    Ok(Lookup { server, status: DnsStatus::Timeout, address: None, sent })
}
