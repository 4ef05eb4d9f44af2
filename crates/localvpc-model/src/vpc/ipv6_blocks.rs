//! A VPC's Amazon-provided IPv6 blocks (part 2 §16.1): AssociateVpcCidrBlock `AmazonProvidedIpv6CidrBlock` and
//! DisassociateVpcCidrBlock of an IPv6 association, with what a block brings along while it is associated: a
//! `local` route in every table of the VPC (§16.2), and the IPv6 rules of the default security group and network
//! ACLs (§16.3).

use crate::error::Ipv6Error;
use crate::ids::IdKind;
use crate::ipv6;
use crate::world::{RegionState, Scope, Tx};
use crate::{Ec2Error, Result};

use super::{find, Vpc, VpcIpv6CidrAssociation};

/// `Ipv6CidrBlockNetworkBorderGroup`: the Region is the only group localvpc has (ASSUMPTION in `Ipv6Error`).
pub(super) fn check_network_border_group(scope: &Scope, group: Option<&str>) -> Result<()> {
    match group {
        Some(group) if group != scope.region => Err(Ipv6Error::InvalidNetworkBorderGroup(group.to_string()).into()),
        _ => Ok(()),
    }
}

/// AssociateVpcCidrBlock `AmazonProvidedIpv6CidrBlock=true` (part 2 §16.1): a fresh /56, at most five per VPC.
pub fn associate_ipv6_cidr_block(
    tx: &mut Tx,
    scope: &Scope,
    vpc_id: &str,
    network_border_group: Option<&str>,
) -> Result<VpcIpv6CidrAssociation> {
    let vpc = find(tx.region(scope), vpc_id)?;
    check_network_border_group(scope, network_border_group)?;
    if vpc.ipv6_cidr_associations.len() >= ipv6::BLOCKS_PER_VPC {
        return Err(Ipv6Error::VpcBlockLimitExceeded(vpc.id.clone()).into());
    }
    let association = VpcIpv6CidrAssociation {
        association_id: tx.next_id(IdKind::VpcCidrAssociation),
        ipv6_cidr_block: ipv6::allocate_vpc_block(tx, &scope.region),
        network_border_group: scope.region.clone(),
    };
    let added = association.clone();
    tx.update::<Vpc>(scope, &vpc.id, |vpc| vpc.ipv6_cidr_associations.push(added));
    crate::route_table::add_local_ipv6_routes(tx, scope, &vpc.id, association.ipv6_cidr_block);
    crate::security_group::allow_ipv6_egress_in_default_group(tx, scope, &vpc.id);
    crate::network_acl::add_ipv6_defaults(tx, scope, &vpc.id);
    Ok(association)
}

/// Whether `association_id` names one of a VPC's IPv6 blocks.
pub fn is_ipv6_association(region: &RegionState, association_id: &str) -> bool {
    region.vpcs.values().any(|vpc| vpc.ipv6_cidr_associations.iter().any(|a| a.association_id == association_id))
}

/// DisassociateVpcCidrBlock of an IPv6 block (part 2 §16.1): refused while a subnet of the VPC has a /64 in it.
pub fn disassociate_ipv6_cidr_block(
    tx: &mut Tx,
    scope: &Scope,
    association_id: &str,
) -> Result<(String, VpcIpv6CidrAssociation)> {
    IdKind::VpcCidrAssociation.check(association_id)?;
    let region = tx.region(scope);
    let (vpc, association) = region
        .vpcs
        .values()
        .find_map(|vpc| {
            let association = vpc.ipv6_cidr_associations.iter().find(|a| a.association_id == association_id)?;
            Some((vpc.clone(), association.clone()))
        })
        .ok_or_else(|| Ec2Error::VpcCidrAssociationNotFound(association_id.to_string()))?;
    let block = association.ipv6_cidr_block;
    let in_use = region
        .subnets
        .values()
        .filter(|subnet| subnet.vpc_id == vpc.id)
        .filter_map(|subnet| subnet.ipv6_cidr_block())
        .any(|subnet_block| block.contains(&subnet_block));
    if in_use {
        return Err(Ipv6Error::VpcBlockInUse { vpc_id: vpc.id.clone(), block: ipv6::unabbreviated(&block) }.into());
    }
    tx.update::<Vpc>(scope, &vpc.id, |vpc| vpc.ipv6_cidr_associations.retain(|a| a.association_id != association_id));
    crate::route_table::remove_local_ipv6_routes(tx, scope, &vpc.id, block);
    Ok((vpc.id.clone(), association))
}
