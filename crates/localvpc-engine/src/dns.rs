//! The Amazon-provided resolver (spec §4): private and public names, split horizon, the peering DNS option.
//!
//! Read first: spec §4.1 (where the resolver is), §4.2 (names), §4.3 (attribute effects), §4.4 (split horizon and
//! `allowDnsResolutionFromRemoteVpc`), §4.5 (the resolution matrix, which the tests replay row by row), and part 2
//! §12.2 (what a VPC's DHCP options change: the search domain, and which server an instance asks).
//!
//! Two sides of one model:
//! - Asking ([`Resolver`], [`ask`], [`resolve`]): the server a vantage's question goes to. An instance asks the
//!   first `domain-name-servers` entry of its VPC's DHCP options — the Amazon resolver for `AmazonProvidedDNS` (and
//!   for base + 2 or 169.254.169.253 named explicitly), otherwise a server reached by an ordinary UDP datagram to
//!   port 53, which answers only if the packet walk delivers it to a host of the emulated internet (a public
//!   resolver, with the internet's view of names). The internet vantage asks [`PUBLIC_RESOLVER`].
//! - Serving ([`Server`], [`answer`]): what a server localvpc runs answers a query that reached it from a source
//!   address — the kernel data plane's DNS sockets ask this for every query.
//!
//! Both sides answer through the same two views: the Amazon resolver's for an instance of its VPC, and the
//! internet's. A query asks for A or AAAA ([`QueryType`], part 2 §16.4: see [`aaaa`]).

mod aaaa;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use localvpc_model::dhcp_options::NameServer;
use localvpc_model::dns_name::{self, NameKind};
use localvpc_model::prefix_list::aws_managed;

use crate::packet::{Endpoint, Probe, Protocol, Vantage, Verdict};
use crate::topology::{EniIx, Topology, VpcIx};
use crate::walk::{trace, Mode};

pub use aaaa::{dns64_address, QueryType, ResourceNameRecords, SubnetDns};

/// What the resolver answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// An A record.
    Address(Ipv4Addr),
    /// An AAAA record (part 2 §16.4).
    Ipv6Address(Ipv6Addr),
    /// The name exists but has no record of the type asked (NOERROR, empty answer): an IP name asked AAAA.
    NoData,
    /// The name does not exist (NXDOMAIN).
    NxDomain,
    /// No answer: the vantage's VPC has DNS support off, so nothing listens at the resolver (spec §4.3).
    Timeout,
}

/// The public resolver of the emulated internet, which the internet vantage asks (TEST-NET-2, like the internet
/// host itself: never a real host).
pub const PUBLIC_RESOLVER: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 53);

/// The link-local address of the Amazon-provided resolver, reachable from every instance (spec §4.1).
pub const AMAZON_LINK_LOCAL: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 253);

/// The Amazon-provided resolver's IPv6 address (part 2 §16.4 [D]: `fd00:ec2::253`, for Nitro instances).
pub const AMAZON_IPV6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x253);

/// Spec §4.1 [D]: a VPC's Amazon resolver is at its primary block's base + 2 (secondary blocks do not move it).
pub fn amazon_resolver_address(topology: &Topology, vpc: VpcIx) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(topology.vpcs[vpc].primary_cidr.network()) + 2)
}

/// Every address a VPC's Amazon resolver serves at: base + 2, and `fd00:ec2::253` once the VPC has an IPv6 block
/// (part 2 §16.4) — where the kernel data plane runs its servers. (169.254.169.253 is asked by name only.)
pub fn amazon_resolver_addresses(topology: &Topology, vpc: VpcIx) -> Vec<IpAddr> {
    let mut addresses = vec![IpAddr::V4(amazon_resolver_address(topology, vpc))];
    if !topology.vpcs[vpc].ipv6_cidrs.is_empty() {
        addresses.push(IpAddr::V6(AMAZON_IPV6));
    }
    addresses
}

/// The search domain of a VPC's instances: the first `domain-name` of its DHCP options, lowercased (spec §4.1,
/// part 2 §12.2: the default set's is the region's private domain); none when the options give no domain name.
pub fn search_domain(topology: &Topology, vpc: VpcIx) -> Option<String> {
    let domain = topology.vpcs[vpc].domain_name.as_deref()?;
    domain.split(' ').find(|word| !word.is_empty()).map(str::to_ascii_lowercase)
}

/// The server a vantage's question goes to, and how it gets there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolver {
    /// The Amazon-provided resolver of the instance's VPC, at this address (spec §4.1: never filtered).
    Amazon(IpAddr),
    /// The internet vantage's public resolver.
    Public(IpAddr),
    /// Another server, asked by a UDP datagram to port 53 like any packet.
    Network(IpAddr),
    /// No server: the VPC's DHCP options give none (part 2 §12.2, "no DHCP options").
    None,
}

impl Resolver {
    /// The server's address, when there is one.
    pub fn address(self) -> Option<IpAddr> {
        match self {
            Resolver::Amazon(address) | Resolver::Public(address) | Resolver::Network(address) => Some(address),
            Resolver::None => None,
        }
    }
}

/// The server `from` asks: `server` when named (as `nslookup NAME SERVER` does), else the vantage's own — for an
/// instance, the first `domain-name-servers` entry of its VPC's DHCP options (part 2 §12.2).
pub fn resolver(topology: &Topology, from: Vantage, server: Option<IpAddr>) -> Resolver {
    match from {
        // ASSUMPTION (part 2 §15.5 [I]): an on-premises host asks a public resolver, as an internet host does.
        Vantage::Internet | Vantage::OnPremises(_) | Vantage::AwsService(_) => match server {
            None => Resolver::Public(IpAddr::V4(PUBLIC_RESOLVER)),
            Some(address) if address == IpAddr::V4(PUBLIC_RESOLVER) => Resolver::Public(address),
            Some(address) => Resolver::Network(address),
        },
        Vantage::Eni(eni) => {
            let vpc = topology.enis[eni].vpc;
            // Part 2 §16.4 [D]: an IPv6-only interface asks the resolver at fd00:ec2::253 (it has no IPv4 address
            // to reach base + 2 from).
            let amazon = match topology.enis[eni].private_ip {
                Some(_) => IpAddr::V4(amazon_resolver_address(topology, vpc)),
                None => IpAddr::V6(AMAZON_IPV6),
            };
            let chosen = match server {
                Some(address) => address,
                None => match topology.vpcs[vpc].name_servers.first() {
                    Some(NameServer::AmazonProvided) => amazon,
                    Some(NameServer::Address(address)) => IpAddr::V4(*address),
                    None => return Resolver::None,
                },
            };
            if chosen == amazon || chosen == IpAddr::V4(AMAZON_LINK_LOCAL) || amazon_ipv6_reaches(topology, eni, chosen)
            {
                Resolver::Amazon(chosen)
            } else {
                Resolver::Network(chosen)
            }
        }
    }
}

/// Part 2 §16.4 [D]: the resolver answers at `fd00:ec2::253` too. ASSUMPTION (the spec says only "Nitro
/// instances"): an interface reaches it when it has an IPv6 address to ask from; one without sends nothing IPv6,
/// so the question goes out as an ordinary datagram that no route carries (no answer), as for any IPv6 server.
fn amazon_ipv6_reaches(topology: &Topology, eni: EniIx, server: IpAddr) -> bool {
    server == IpAddr::V6(AMAZON_IPV6) && !topology.enis[eni].ipv6_addresses.is_empty()
}

/// The address of the resolver a vantage asks by default: what `nslookup` prints as its server and what an
/// instance's `resolv.conf` names. `None` when the VPC's DHCP options give no server.
pub fn resolver_address(topology: &Topology, from: Vantage) -> Option<IpAddr> {
    resolver(topology, from, None).address()
}

/// A DNS server localvpc runs, answering the queries that reach it over the network (the kernel data plane's
/// sockets): which one it is decides what it answers whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server<'a> {
    /// The Amazon-provided resolver of the VPC with this ID, at its [`amazon_resolver_address`].
    Amazon(&'a str),
    /// The public resolver of the emulated internet ([`PUBLIC_RESOLVER`]).
    Public,
}

/// What `server` answers a query for `name` sent from `source`. A VPC's Amazon resolver serves only that VPC's
/// own interfaces: a query from anywhere else — a peer VPC sending to this VPC's base + 2, an unknown address —
/// gets no answer (spec §4.5, last row), and neither does any query while the VPC has DNS support off (spec §4.3).
/// The public resolver answers anyone with the internet's view.
pub fn answer(topology: &Topology, server: Server<'_>, source: Ipv4Addr, name: &str) -> Answer {
    answer_query(topology, server, IpAddr::V4(source), name, QueryType::A)
}

/// [`answer`] for a query of type `qtype`.
pub fn answer_query(topology: &Topology, server: Server<'_>, source: IpAddr, name: &str, qtype: QueryType) -> Answer {
    let name = normalized(name);
    match server {
        Server::Public => aaaa::a_only(internet_view(topology, &name), qtype),
        Server::Amazon(vpc_id) => {
            let vpc = topology.vpcs.iter().position(|vpc| vpc.id == vpc_id);
            // An IPv6 question (to `fd00:ec2::253`) comes from one of the VPC's interfaces' IPv6 addresses.
            let asker = vpc.and_then(|vpc| match source {
                IpAddr::V4(_) => topology.vpcs[vpc].eni_by_private_ip.get(&source).copied(),
                IpAddr::V6(_) => topology.eni_by_public_ip(source).filter(|&eni| topology.enis[eni].vpc == vpc),
            });
            match asker {
                Some(eni) => amazon_query(topology, eni, &name, qtype),
                None => Answer::Timeout,
            }
        }
    }
}

/// A name as the views compare it: without the root's dot, in lower case.
fn normalized(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
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

/// [`resolve`] for a query of type `qtype`.
pub fn resolve_query(topology: &Topology, from: Vantage, name: &str, qtype: QueryType) -> Answer {
    ask_query(topology, from, None, name, qtype).1
}

/// Asks `name` of `server` (the vantage's own resolver when `None`): who answered, and the answer.
pub fn ask(topology: &Topology, from: Vantage, server: Option<IpAddr>, name: &str) -> (Resolver, Answer) {
    ask_query(topology, from, server, name, QueryType::A)
}

/// [`ask`] for a query of type `qtype`.
pub fn ask_query(
    topology: &Topology,
    from: Vantage,
    server: Option<IpAddr>,
    name: &str,
    qtype: QueryType,
) -> (Resolver, Answer) {
    let resolver = resolver(topology, from, server);
    let name = normalized(name);
    let answer = match (resolver, from) {
        (Resolver::None, _) => Answer::Timeout,
        (Resolver::Amazon(_), Vantage::Eni(eni)) => amazon_query(topology, eni, &name, qtype),
        (Resolver::Public(_), _)
        | (Resolver::Amazon(_), Vantage::Internet | Vantage::OnPremises(_) | Vantage::AwsService(_)) => {
            aaaa::a_only(internet_view(topology, &name), qtype)
        }
        (Resolver::Network(address), _) => {
            // Part 2 §12.2 [D]: traffic to a custom server is ordinary traffic — routed and filtered — and only a
            // host of the emulated internet (a public resolver) answers; it knows the internet's view of names.
            let probe = Probe { from, destination: address, protocol: Protocol::Udp(53) };
            let result = trace(topology, &probe, Mode::FirstDrop);
            let answered = result.verdict == Verdict::Reachable
                && matches!(result.forward.delivered, Some((Endpoint::Internet(host), _)) if host == address);
            if answered {
                aaaa::a_only(internet_view(topology, &qualified(topology, from, &name)), qtype)
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
    let Vantage::Eni(eni) = from else { return name.to_string() };
    match search_domain(topology, topology.enis[eni].vpc) {
        Some(domain) if !name.contains('.') => format!("{name}.{domain}"),
        _ => name.to_string(),
    }
}

/// Part 2 §17.4–17.5: the names of AWS services — S3's and DynamoDB's public names answer an address in their
/// prefix list's blocks; an interface endpoint's names answer its interfaces' addresses (its private DNS name only
/// inside its VPC, `asker`).
fn service_name(topology: &Topology, asker: Option<VpcIx>, name: &str) -> Option<Answer> {
    if let Some(addresses) = topology.interface_endpoint_addresses(asker, name) {
        return addresses.first().map(|address| Answer::Address(*address));
    }
    aws_managed::resolve_service_name(name).map(Answer::Address)
}

/// What the public resolver answers: public names of instances (spec §4.4) and of AWS services.
fn internet_view(topology: &Topology, name: &str) -> Answer {
    if let Some(answer) = service_name(topology, None, name) {
        return answer;
    }
    match dns_name::parse(name) {
        Some((address, region, NameKind::Public)) => resolve_public(topology, None, address, &region),
        _ => Answer::NxDomain,
    }
}

/// What the Amazon resolver answers an instance of its VPC asking `qtype`: the name's own records, then DNS64's
/// synthesis where the asker's subnet has it on (part 2 §16.4).
fn amazon_query(topology: &Topology, eni: EniIx, name: &str, qtype: QueryType) -> Answer {
    let answer = amazon_view(topology, eni, name, qtype);
    match qtype {
        QueryType::A => answer,
        QueryType::Aaaa => aaaa::dns64(topology, eni, answer, || amazon_view(topology, eni, name, QueryType::A)),
    }
}

/// What the Amazon resolver's records say to an instance of its VPC. Part 2 §16.4: only resource names have AAAA
/// records; every other name answers A only (public `ec2-…` names included [I]).
fn amazon_view(topology: &Topology, eni: EniIx, name: &str, qtype: QueryType) -> Answer {
    let vpc = topology.enis[eni].vpc;
    if !topology.vpcs[vpc].dns_support {
        return Answer::Timeout;
    }
    let asker = Some((eni, vpc));
    let qualified = qualified(topology, Vantage::Eni(eni), name);
    if let Some(answer) = aaaa::resource_name(topology, eni, &qualified, qtype) {
        return answer;
    }
    let answer = if let Some(answer) = custom_domain_name(topology, eni, &qualified) {
        answer
    } else if let Some(answer) = service_name(topology, Some(vpc), &qualified) {
        answer
    } else {
        let Some((address, region, kind)) = dns_name::parse(&qualified) else { return Answer::NxDomain };
        match kind {
            NameKind::Public => resolve_public(topology, asker, address, &region),
            NameKind::Private => resolve_private(topology, asker, address, &region),
        }
    };
    aaaa::a_only(answer, qtype)
}

/// `ip-10-0-0-5.<domain>` where `<domain>` is the asker's VPC's custom DHCP `domain-name`: the name its instances
/// carry (part 2 §12.2 [O]: the guest hostname follows the option set).
// ASSUMPTION (part 2 §12.2 [I]): the Amazon resolver answers these names for instances of the asker's own VPC, as
// it answers the Amazon-provided private names (enableDnsHostnames applies alike); the Amazon names keep resolving.
fn custom_domain_name(topology: &Topology, eni: EniIx, name: &str) -> Option<Answer> {
    let node = &topology.enis[eni];
    let domain = search_domain(topology, node.vpc)?;
    let private_domain = dns_name::private_domain(&node.scope.region);
    if domain == private_domain {
        return None;
    }
    let label = name.strip_suffix(&format!(".{domain}"))?;
    let (address, _, _) = dns_name::parse(&format!("{label}.{private_domain}"))?;
    let vpc = &topology.vpcs[node.vpc];
    let held = vpc.eni_by_private_ip.contains_key(&IpAddr::V4(address));
    Some(if held && vpc.dns_hostnames { Answer::Address(address) } else { Answer::NxDomain })
}

fn resolve_public(topology: &Topology, asker: Option<(EniIx, VpcIx)>, address: Ipv4Addr, region: &str) -> Answer {
    let Some(target) = topology.eni_by_public_ip(IpAddr::V4(address)) else { return Answer::NxDomain };
    let node = &topology.enis[target];
    // The name exists only while the instance has this public address and its VPC has both DNS attributes.
    if node.scope.region != region || node.public_dns_name.is_none() {
        return Answer::NxDomain;
    }
    match asker {
        // Spec §4.4 [D]: inside its own VPC the public name answers the private address…
        // (A public address implies a private IPv4 one: only an IPv6-only interface lacks it, and it has no public
        // IPv4 address either.)
        Some((_, vpc)) if vpc == node.vpc => node.private_ip.map_or(Answer::NxDomain, Answer::Address),
        // …and from a peer whose owner side allows remote resolution, too.
        Some((_, vpc)) if peering_allows(topology, vpc, node.vpc) => {
            node.private_ip.map_or(Answer::NxDomain, Answer::Address)
        }
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
    let holders = || {
        topology
            .enis
            .iter()
            .enumerate()
            .filter(|(_, eni)| eni.private_ip == Some(address) && eni.scope.region == region)
    };
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
