//! The Amazon-provided resolver (spec §4): private and public names, split horizon, the peering DNS option.
//!
//! Read first: spec §4.1 (where the resolver is), §4.2 (names), §4.3 (attribute effects), §4.4 (split horizon and
//! `allowDnsResolutionFromRemoteVpc`), §4.5 (the resolution matrix, which the tests replay row by row).

use std::net::Ipv4Addr;

use localvpc_model::dns_name::{self, NameKind};

use crate::packet::Vantage;
use crate::topology::{EniIx, Topology, VpcIx};

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

/// The public resolver the internet vantage asks (a documentation address: never a real host).
pub const INTERNET_RESOLVER: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 53);

/// The resolver a vantage asks: the VPC's base + 2 from an instance (spec §4.1), a public resolver from the
/// internet.
pub fn resolver_address(topology: &Topology, from: Vantage) -> Ipv4Addr {
    match from {
        Vantage::Eni(eni) => vpc_resolver_address(topology, topology.enis[eni].vpc),
        Vantage::Internet => INTERNET_RESOLVER,
    }
}

/// Spec §4.1 [D]: a VPC's resolver is at its primary block's base + 2 (secondary blocks do not move it).
pub fn vpc_resolver_address(topology: &Topology, vpc: VpcIx) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(topology.vpcs[vpc].primary_cidr.network()) + 2)
}

/// The search domain an instance's resolver configuration names: the default DHCP options' `domain-name`
/// (spec §4.1), so short names like `ip-10-0-0-5` resolve.
pub fn search_domain(topology: &Topology, eni: EniIx) -> String {
    dns_name::private_domain(&topology.enis[eni].scope.region)
}

/// A resolver that answers queries arriving over the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolver<'a> {
    /// The Amazon resolver of the VPC with this ID, at its base + 2.
    Vpc(&'a str),
    /// The public resolver of the emulated internet ([`INTERNET_RESOLVER`]).
    Internet,
}

/// What `resolver` answers a query for `name` sent from `source`. A VPC's resolver serves only that VPC's own
/// interfaces: a query from anywhere else — a peer VPC sending to this VPC's base + 2, an unknown address — gets
/// no answer (spec §4.5, last row), and neither does any query while the VPC has DNS support off (spec §4.3).
pub fn answer(topology: &Topology, resolver: Resolver<'_>, source: Ipv4Addr, name: &str) -> Answer {
    match resolver {
        Resolver::Internet => resolve(topology, Vantage::Internet, name),
        Resolver::Vpc(vpc_id) => {
            let asker = topology
                .vpcs
                .iter()
                .find(|vpc| vpc.id == vpc_id)
                .and_then(|vpc| vpc.eni_by_private_ip.get(&source).copied());
            match asker {
                Some(eni) => resolve(topology, Vantage::Eni(eni), name),
                None => Answer::Timeout,
            }
        }
    }
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

/// Resolves `name` as seen from `from` (spec §4.5).
pub fn resolve(topology: &Topology, from: Vantage, name: &str) -> Answer {
    let asker = match from {
        Vantage::Eni(eni) => {
            let vpc = topology.enis[eni].vpc;
            if !topology.vpcs[vpc].dns_support {
                return Answer::Timeout;
            }
            Some((eni, vpc))
        }
        Vantage::Internet => None,
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    // Short names resolve through the search domain of the default DHCP options (spec §4.1).
    let qualified = match (asker, name.contains('.')) {
        (Some((eni, _)), false) => format!("{name}.{}", dns_name::private_domain(&topology.enis[eni].scope.region)),
        _ => name,
    };
    let Some((address, region, kind)) = dns_name::parse(&qualified) else { return Answer::NxDomain };
    match kind {
        NameKind::Public => resolve_public(topology, asker, address, &region),
        NameKind::Private => resolve_private(topology, asker, address, &region),
    }
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
