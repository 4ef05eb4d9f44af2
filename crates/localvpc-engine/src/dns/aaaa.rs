//! DNS for IPv6 (part 2 §16.4): the query type, resource-name hostnames (`i-….<region>.compute.internal`) that
//! answer A and/or AAAA, and DNS64's synthesized `64:ff9b::<ipv4>` answers.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use localvpc_model::dns_name;
use localvpc_model::instance::Instance;
use localvpc_model::subnet::Subnet;

use super::{peering_allows, rfc1918, Answer};
use crate::topology::{EniIx, Topology};

/// The record type a query asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum QueryType {
    /// An IPv4 address.
    #[default]
    A,
    /// An IPv6 address.
    Aaaa,
}

impl QueryType {
    /// `A` or `AAAA`, as dig prints it and the JSON API takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            QueryType::A => "A",
            QueryType::Aaaa => "AAAA",
        }
    }

    /// Parses `A` / `AAAA` in any case.
    pub fn parse(text: &str) -> Option<QueryType> {
        match text.to_ascii_uppercase().as_str() {
            "A" => Some(QueryType::A),
            "AAAA" => Some(QueryType::Aaaa),
            _ => None,
        }
    }
}

/// A subnet's DNS settings for IPv6 (part 2 §16.4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SubnetDns {
    /// `enableDns64`: the Amazon resolver synthesizes AAAA answers for its instances' questions.
    pub dns64: bool,
}

impl SubnetDns {
    /// The settings of `subnet`.
    pub fn of(subnet: &Subnet) -> SubnetDns {
        SubnetDns { dns64: subnet.enable_dns64 }
    }
}

/// The records an instance's resource name answers: its own `privateDnsNameOptions` (part 2 §16.4 [D]), fixed at
/// launch from its subnet's `…OnLaunch` options and changed by ModifyPrivateDnsNameOptions only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResourceNameRecords {
    /// `enableResourceNameDnsARecord`.
    pub a: bool,
    /// `enableResourceNameDnsAAAARecord`.
    pub aaaa: bool,
}

impl ResourceNameRecords {
    /// The records of `instance`; an interface of no instance has no resource name.
    pub fn of(instance: Option<&Instance>) -> ResourceNameRecords {
        let Some(options) = instance.map(|instance| &instance.private_dns_name_options) else {
            return ResourceNameRecords::default();
        };
        ResourceNameRecords {
            a: options.enable_resource_name_dns_a_record,
            aaaa: options.enable_resource_name_dns_aaaa_record,
        }
    }
}

/// The DNS64 address of `address` in the well-known prefix `64:ff9b::/96` (part 2 §16.4 [D]).
pub fn dns64_address(address: Ipv4Addr) -> Ipv6Addr {
    Ipv6Addr::from((0x0064_ff9b_u128 << 96) | u128::from(u32::from(address)))
}

/// An A-only name's answer to a `qtype` query: its address for A; for AAAA, no data where the name exists.
pub(super) fn a_only(answer: Answer, qtype: QueryType) -> Answer {
    match (qtype, answer) {
        (QueryType::Aaaa, Answer::Address(_)) => Answer::NoData,
        (_, answer) => answer,
    }
}

/// Part 2 §16.4 [D]: with DNS64 on the asker's subnet, a name with no AAAA answers its A address in
/// `64:ff9b::/96`; a name that has AAAA is returned unchanged, and a name that does not exist stays NXDOMAIN.
// ASSUMPTION (part 2 §16.4 [D] is unqualified): private IPv4 answers are synthesized too.
pub(super) fn dns64(topology: &Topology, eni: EniIx, aaaa: Answer, a: impl FnOnce() -> Answer) -> Answer {
    if aaaa != Answer::NoData || !topology.subnets[topology.enis[eni].subnet].dns.dns64 {
        return aaaa;
    }
    match a() {
        Answer::Address(address) => Answer::Ipv6Address(dns64_address(address)),
        _ => aaaa,
    }
}

/// What a resource name answers `asker` (an instance of a VPC with DNS support on), or `None` when `name` is not a
/// resource name. The instance's primary interface answers — A with its private address, AAAA with its first IPv6
/// address — each only while the instance's options enable that record (part 2 §16.4 [D]); an instance that has the name
/// but not the record answers no data.
pub(super) fn resource_name(topology: &Topology, asker: EniIx, name: &str, qtype: QueryType) -> Option<Answer> {
    let (instance_id, region) = dns_name::parse_resource_name(name)?;
    let asker_vpc = topology.enis[asker].vpc;
    // ASSUMPTION (spec §4.3/§4.4, as for the IP names): without enableDnsHostnames NXDOMAIN; other VPCs see the
    // name under the IP name's rules — same region and an RFC 1918 address, or a peering allowing remote resolution.
    let owner = topology.instance_eni(&instance_id).filter(|&eni| topology.enis[eni].scope.region == region);
    let Some(owner) = owner.filter(|_| topology.vpcs[asker_vpc].dns_hostnames) else {
        return Some(Answer::NxDomain);
    };
    let node = &topology.enis[owner];
    let same_region = topology.enis[asker].scope.region == region;
    let visible = node.vpc == asker_vpc
        || (node.private_ip.is_some_and(rfc1918) && same_region)
        || peering_allows(topology, asker_vpc, node.vpc);
    if !visible {
        return Some(Answer::NxDomain);
    }
    let records = node.resource_name_records;
    let address = match qtype {
        QueryType::A => node.private_ip.map(IpAddr::V4).filter(|_| records.a),
        QueryType::Aaaa => node.ipv6_addresses.first().map(|&v6| IpAddr::V6(v6)).filter(|_| records.aaaa),
    };
    Some(match address {
        Some(IpAddr::V4(address)) => Answer::Address(address),
        Some(IpAddr::V6(address)) => Answer::Ipv6Address(address),
        None => Answer::NoData,
    })
}
