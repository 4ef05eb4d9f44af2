//! The Amazon-provided resolver (spec §4): private and public names, split horizon, the peering DNS option.
//!
//! Read first: spec §4.1 (where the resolver is), §4.2 (names), §4.3 (attribute effects), §4.4 (split horizon and
//! `allowDnsResolutionFromRemoteVpc`), §4.5 (the resolution matrix, which the tests replay row by row), and part 2
//! §12.2 (what a VPC's DHCP options change: the search domain, and which server an instance asks).
//!
//! Which server answers ([`Resolver`]): an instance asks the first `domain-name-servers` entry of its VPC's DHCP
//! options — the Amazon resolver for `AmazonProvidedDNS` (and for base + 2 or 169.254.169.253 named explicitly),
//! otherwise a server reached by an ordinary UDP datagram to port 53, which answers only if the packet walk
//! delivers it to a host of the emulated internet (a public resolver, with the internet's view of names).

use std::net::Ipv4Addr;

use localvpc_model::dhcp_options::NameServer;
use localvpc_model::dns_name::{self, NameKind};

use crate::packet::{Endpoint, Probe, Protocol, Vantage, Verdict};
use crate::topology::{EniIx, Topology, VpcIx};
use crate::walk::{trace, Mode};

/// What the resolver answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// An A record.
    Address(Ipv4Addr),
    /// The name does not exist (NXDOMAIN).
    NxDomain,
    /// No answer: the vantage's VPC has DNS support off, so nothing listens at the resolver (spec §4.3).
    Timeout,
}

/// The public resolver a vantage on the internet asks (TEST-NET-2, like the internet host itself).
pub const PUBLIC_RESOLVER: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 53);

/// The link-local address of the Amazon-provided resolver, reachable from every instance (spec §4.1).
pub const AMAZON_LINK_LOCAL: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 253);

/// Who answers a DNS question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolver {
    /// The Amazon-provided resolver of the instance's VPC, at this address (spec §4.1: never filtered).
    Amazon(Ipv4Addr),
    /// The internet vantage's public resolver.
    Public(Ipv4Addr),
    /// Another server, asked by a UDP datagram to port 53 like any packet.
    Network(Ipv4Addr),
    /// No server: the VPC's DHCP options give none (part 2 §12.2, "no DHCP options").
    None,
}

impl Resolver {
    /// The server's address, when there is one.
    pub fn address(self) -> Option<Ipv4Addr> {
        match self {
            Resolver::Amazon(address) | Resolver::Public(address) | Resolver::Network(address) => Some(address),
            Resolver::None => None,
        }
    }
}

/// The VPC's Amazon resolver: its primary block's base + 2 (spec §4.1).
fn amazon_address(topology: &Topology, vpc: VpcIx) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(topology.vpcs[vpc].primary_cidr.network()) + 2)
}

/// The server `from` asks: `server` when named (as `nslookup NAME SERVER` does), else the vantage's own — for an
/// instance, the first `domain-name-servers` entry of its VPC's DHCP options (part 2 §12.2).
pub fn resolver(topology: &Topology, from: Vantage, server: Option<Ipv4Addr>) -> Resolver {
    match from {
        Vantage::Internet => match server {
            None => Resolver::Public(PUBLIC_RESOLVER),
            Some(address) if address == PUBLIC_RESOLVER => Resolver::Public(address),
            Some(address) => Resolver::Network(address),
        },
        Vantage::Eni(eni) => {
            let vpc = topology.enis[eni].vpc;
            let amazon = amazon_address(topology, vpc);
            let chosen = match server {
                Some(address) => address,
                None => match topology.vpcs[vpc].name_servers.first() {
                    Some(NameServer::AmazonProvided) => amazon,
                    Some(NameServer::Address(address)) => *address,
                    None => return Resolver::None,
                },
            };
            if chosen == amazon || chosen == AMAZON_LINK_LOCAL {
                Resolver::Amazon(chosen)
            } else {
                Resolver::Network(chosen)
            }
        }
    }
}

/// The address of the resolver a vantage asks by default: what `nslookup` prints as its server. `None` when the
/// VPC's DHCP options give no server.
pub fn resolver_address(topology: &Topology, from: Vantage) -> Option<Ipv4Addr> {
    resolver(topology, from, None).address()
}

fn rfc1918(address: Ipv4Addr) -> bool {
    address.is_private()
}

fn both_dns_attributes(topology: &Topology, vpc: VpcIx) -> bool {
    topology.vpcs[vpc].dns_support && topology.vpcs[vpc].dns_hostnames
}

/// The active peering joining `a` and `b` whose side owning `owner` allows remote resolution.
fn peering_allows(topology: &Topology, asker: VpcIx, owner: VpcIx) -> bool {
    topology.peerings.values().any(|pcx| {
        pcx.active
            && pcx.peer_of(asker) == Some(owner)
            && pcx.allows_dns_from_remote(owner)
            && both_dns_attributes(topology, asker)
            && both_dns_attributes(topology, owner)
    })
}

/// Resolves `name` as seen from `from`, through the vantage's own resolver (spec §4.5, part 2 §12.2).
pub fn resolve(topology: &Topology, from: Vantage, name: &str) -> Answer {
    ask(topology, from, None, name).1
}

/// Asks `name` of `server` (the vantage's own resolver when `None`): who answered, and the answer.
pub fn ask(topology: &Topology, from: Vantage, server: Option<Ipv4Addr>, name: &str) -> (Resolver, Answer) {
    let resolver = resolver(topology, from, server);
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let answer = match (resolver, from) {
        (Resolver::None, _) => Answer::Timeout,
        (Resolver::Amazon(_), Vantage::Eni(eni)) => amazon_view(topology, eni, &name),
        (Resolver::Public(_), _) | (Resolver::Amazon(_), Vantage::Internet) => internet_view(topology, &name),
        (Resolver::Network(address), _) => {
            // Part 2 §12.2 [D]: traffic to a custom server is ordinary traffic — routed and filtered — and only a
            // host of the emulated internet (a public resolver) answers; it knows the internet's view of names.
            let probe = Probe { from, destination: address, protocol: Protocol::Udp(53) };
            let result = trace(topology, &probe, Mode::FirstDrop);
            let answered = result.verdict == Verdict::Reachable
                && matches!(result.forward.delivered, Some((Endpoint::Internet(host), _)) if host == address);
            if answered {
                internet_view(topology, &qualified(topology, from, &name))
            } else {
                Answer::Timeout
            }
        }
    };
    (resolver, answer)
}

/// A name with the vantage's search domain appended when it has no dot: an instance's resolver library does that
/// with the `domain-name` of its VPC's DHCP options (spec §4.1, part 2 §12.2).
fn qualified(topology: &Topology, from: Vantage, name: &str) -> String {
    match from {
        Vantage::Eni(eni) if !name.contains('.') => match &topology.vpcs[topology.enis[eni].vpc].domain_name {
            Some(domain) => format!("{name}.{}", domain.split(' ').next().unwrap_or(domain).to_ascii_lowercase()),
            None => name.to_string(),
        },
        _ => name.to_string(),
    }
}

/// What the public resolver answers: public names of instances only (spec §4.4).
fn internet_view(topology: &Topology, name: &str) -> Answer {
    match dns_name::parse(name) {
        Some((address, region, NameKind::Public)) => resolve_public(topology, None, address, &region),
        _ => Answer::NxDomain,
    }
}

/// What the Amazon resolver answers an instance of its VPC.
fn amazon_view(topology: &Topology, eni: EniIx, name: &str) -> Answer {
    let vpc = topology.enis[eni].vpc;
    if !topology.vpcs[vpc].dns_support {
        return Answer::Timeout;
    }
    let asker = Some((eni, vpc));
    let qualified = qualified(topology, Vantage::Eni(eni), name);
    if let Some(answer) = custom_domain_name(topology, eni, &qualified) {
        return answer;
    }
    let Some((address, region, kind)) = dns_name::parse(&qualified) else { return Answer::NxDomain };
    match kind {
        NameKind::Public => resolve_public(topology, asker, address, &region),
        NameKind::Private => resolve_private(topology, asker, address, &region),
    }
}

/// `ip-10-0-0-5.<domain>` where `<domain>` is the asker's VPC's custom DHCP `domain-name`: the name its instances
/// carry (part 2 §12.2 [O]: the guest hostname follows the option set).
// ASSUMPTION (part 2 §12.2 [I]): the Amazon resolver answers these names for instances of the asker's own VPC, as
// it answers the Amazon-provided private names (enableDnsHostnames applies alike); the Amazon names keep resolving.
fn custom_domain_name(topology: &Topology, eni: EniIx, name: &str) -> Option<Answer> {
    let node = &topology.enis[eni];
    let vpc = &topology.vpcs[node.vpc];
    let domain = vpc.domain_name.as_deref()?.split(' ').next()?.to_ascii_lowercase();
    if domain == dns_name::private_domain(&node.scope.region) {
        return None;
    }
    let label = name.strip_suffix(&format!(".{domain}"))?;
    let (address, _, _) = dns_name::parse(&format!("{label}.{}", dns_name::private_domain(&node.scope.region)))?;
    let held = vpc.eni_by_private_ip.contains_key(&address);
    Some(if held && vpc.dns_hostnames { Answer::Address(address) } else { Answer::NxDomain })
}

fn resolve_public(topology: &Topology, asker: Option<(EniIx, VpcIx)>, address: Ipv4Addr, region: &str) -> Answer {
    let Some(target) = topology.eni_by_public_ip(address) else { return Answer::NxDomain };
    let node = &topology.enis[target];
    // The name exists only while the instance has this public address and its VPC has both DNS attributes.
    if node.scope.region != region || node.public_dns_name.is_none() {
        return Answer::NxDomain;
    }
    match asker {
        // Spec §4.4 [D]: inside its own VPC the public name answers the private address…
        Some((_, vpc)) if vpc == node.vpc => Answer::Address(node.private_ip),
        // …and from a peer whose owner side allows remote resolution, too.
        Some((_, vpc)) if peering_allows(topology, vpc, node.vpc) => Answer::Address(node.private_ip),
        // Everywhere else, the public address.
        _ => Answer::Address(address),
    }
}

fn resolve_private(topology: &Topology, asker: Option<(EniIx, VpcIx)>, address: Ipv4Addr, region: &str) -> Answer {
    // Spec §4.4: the internet never resolves private names.
    let Some((asker_eni, asker_vpc)) = asker else { return Answer::NxDomain };
    // ASSUMPTION (spec §4.3 [D], response code [I]): without enableDnsHostnames the resolver cannot resolve
    // Amazon-provided private names; NXDOMAIN is assumed.
    if !topology.vpcs[asker_vpc].dns_hostnames {
        return Answer::NxDomain;
    }
    // The name encodes only an address: prefer the asker's own VPC when several VPCs use it.
    let holders =
        || topology.enis.iter().enumerate().filter(|(_, eni)| eni.private_ip == address && eni.scope.region == region);
    let owner = holders().find(|(_, eni)| eni.vpc == asker_vpc).or_else(|| holders().next()).map(|(index, _)| index);
    let Some(owner) = owner else { return Answer::NxDomain };
    let owner_vpc = topology.enis[owner].vpc;
    let same_region = topology.enis[asker_eni].scope.region == region;
    if owner_vpc == asker_vpc || (rfc1918(address) && same_region) || peering_allows(topology, asker_vpc, owner_vpc) {
        Answer::Address(address)
    } else {
        // ASSUMPTION (spec §4.4/§4.5 [I]): a non-RFC 1918 or other-region private name without the peering
        // option answers NXDOMAIN.
        Answer::NxDomain
    }
}
