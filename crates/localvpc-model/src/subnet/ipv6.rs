//! A subnet's IPv6 block and the attributes that need one (part 2 §16.1): CreateSubnet `Ipv6CidrBlock`,
//! Associate/DisassociateSubnetCidrBlock, and ModifySubnetAttribute `AssignIpv6AddressOnCreation`, `EnableDns64`
//! and `EnableResourceNameDnsAAAARecordOnLaunch`.

use serde::{Deserialize, Serialize};

use crate::error::Ipv6Error;
use crate::ids::IdKind;
use crate::ipv6::{self, Ipv6Net};
use crate::vpc::Vpc;
use crate::world::{RegionState, Scope, Tx};
use crate::Result;

use super::{find, Subnet};

/// A subnet's IPv6 block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubnetIpv6CidrAssociation {
    /// `subnet-cidr-assoc-…`.
    pub association_id: String,
    /// The /64.
    pub ipv6_cidr_block: Ipv6Net,
}

/// Checks a subnet IPv6 block as sent (part 2 §16.1): exactly a /64 (`InvalidParameterValue`), inside one of the
/// VPC's /56s (`InvalidSubnet.Range`), held by no other subnet of the VPC (`InvalidSubnet.Conflict`).
pub(super) fn check_new_block(region: &RegionState, vpc: &Vpc, text: &str) -> Result<Ipv6Net> {
    let block = ipv6::parse_canonical(text)
        .filter(|block| block.prefix_len() == ipv6::SUBNET_PREFIX_LEN)
        .ok_or_else(|| Ipv6Error::InvalidSubnetBlock(text.to_string()))?;
    if !vpc.ipv6_cidr_blocks().any(|vpc_block| vpc_block.contains(&block)) {
        return Err(Ipv6Error::SubnetBlockOutsideVpc(text.to_string()).into());
    }
    let taken = region
        .subnets
        .values()
        .filter(|subnet| subnet.vpc_id == vpc.id)
        .filter_map(|subnet| subnet.ipv6_cidr_block())
        .any(|other| ipv6::overlaps(&other, &block));
    if taken {
        return Err(Ipv6Error::SubnetBlockConflict(text.to_string()).into());
    }
    Ok(block)
}

/// A new association of `block`, for CreateSubnet and AssociateSubnetCidrBlock.
pub(super) fn new_association(tx: &mut Tx, block: Ipv6Net) -> SubnetIpv6CidrAssociation {
    SubnetIpv6CidrAssociation { association_id: tx.next_id(IdKind::SubnetCidrAssociation), ipv6_cidr_block: block }
}

/// AssociateSubnetCidrBlock (part 2 §16.1): a /64 for a subnet that has none.
pub fn associate_cidr_block(
    tx: &mut Tx,
    scope: &Scope,
    subnet_id: &str,
    text: &str,
) -> Result<SubnetIpv6CidrAssociation> {
    let region = tx.region(scope);
    let subnet = find(region, subnet_id)?;
    let vpc = crate::vpc::find(region, &subnet.vpc_id)?;
    if subnet.ipv6_cidr_association.is_some() {
        return Err(Ipv6Error::SubnetHasBlock(subnet.id.clone()).into());
    }
    let block = check_new_block(region, &vpc, text)?;
    let association = new_association(tx, block);
    let added = association.clone();
    tx.update::<Subnet>(scope, subnet_id, |subnet| subnet.ipv6_cidr_association = Some(added));
    Ok(association)
}

/// DisassociateSubnetCidrBlock (part 2 §16.1): refused while the subnet assigns IPv6 addresses on creation.
pub fn disassociate_cidr_block(
    tx: &mut Tx,
    scope: &Scope,
    association_id: &str,
) -> Result<(String, SubnetIpv6CidrAssociation)> {
    IdKind::SubnetCidrAssociation.check(association_id)?;
    let region = tx.region(scope);
    let subnet = region
        .subnets
        .values()
        .find(|subnet| subnet.ipv6_cidr_association.as_ref().is_some_and(|a| a.association_id == association_id))
        .cloned()
        .ok_or_else(|| Ipv6Error::SubnetAssociationNotFound(association_id.to_string()))?;
    if subnet.assign_ipv6_address_on_creation {
        return Err(Ipv6Error::SubnetBlockAssignsOnCreation(association_id.to_string()).into());
    }
    let association = subnet.ipv6_cidr_association.clone().expect("found by it");
    tx.update::<Subnet>(scope, &subnet.id, |subnet| {
        subnet.ipv6_cidr_association = None;
        subnet.enable_dns64 = false;
        subnet.private_dns_name_options.enable_resource_name_dns_aaaa_record = false;
    });
    Ok((subnet.id.clone(), association))
}

/// The subnet attributes that may be true only while the subnet has an IPv6 block (part 2 §16.1 [O]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ipv6Attribute {
    /// `AssignIpv6AddressOnCreation`.
    AssignIpv6AddressOnCreation,
    /// `EnableDns64`.
    EnableDns64,
    /// `EnableResourceNameDnsAAAARecordOnLaunch`.
    EnableResourceNameDnsAaaaRecordOnLaunch,
}

impl Ipv6Attribute {
    /// The attribute's name in AWS's refusal.
    fn name(self) -> &'static str {
        match self {
            Ipv6Attribute::AssignIpv6AddressOnCreation => "assign-ipv6-address-on-creation",
            Ipv6Attribute::EnableDns64 => "enable-dns64",
            Ipv6Attribute::EnableResourceNameDnsAaaaRecordOnLaunch => "enable-resource-name-dns-aaaa-record-on-launch",
        }
    }
}

/// ModifySubnetAttribute of an [`Ipv6Attribute`]: setting it to true needs an IPv6 block.
pub fn set_ipv6_attribute(
    tx: &mut Tx,
    scope: &Scope,
    subnet_id: &str,
    attribute: Ipv6Attribute,
    value: bool,
) -> Result<()> {
    let subnet = find(tx.region(scope), subnet_id)?;
    if value && subnet.ipv6_cidr_association.is_none() {
        return Err(Ipv6Error::AttributeNeedsBlock { attribute: attribute.name(), subnet_id: subnet.id.clone() }.into());
    }
    super::ipv6_only::refuse_attribute(&subnet, attribute.name(), &value.to_string())?;
    tx.update::<Subnet>(scope, subnet_id, |subnet| match attribute {
        Ipv6Attribute::AssignIpv6AddressOnCreation => subnet.assign_ipv6_address_on_creation = value,
        Ipv6Attribute::EnableDns64 => subnet.enable_dns64 = value,
        Ipv6Attribute::EnableResourceNameDnsAaaaRecordOnLaunch => {
            subnet.private_dns_name_options.enable_resource_name_dns_aaaa_record = value
        }
    });
    Ok(())
}
