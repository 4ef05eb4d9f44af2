//! Elastic IP actions: AllocateAddress, AssociateAddress, DisassociateAddress, ReleaseAddress, DescribeAddresses
//! (spec §2.10), and the reverse DNS attribute: DescribeAddressesAttribute, ModifyAddressAttribute,
//! ResetAddressAttribute.

use localvpc_model::address::{
    self, Address, AddressRef, AddressView, AllocateAddress, AssociateAddress, AssociationRef, PtrRecordUpdate,
};
use localvpc_model::filter::{matches, validate};
use localvpc_model::{Ec2Error, RegionState, Tx, World};

use super::{return_true, Ctx};
use crate::params::Params;
use crate::xml::Xml;

type Result<T = ()> = std::result::Result<T, Ec2Error>;

/// One `<addressesSet><item>` (Appendix A).
fn render_address(x: &mut Xml, address: &Address, region: &RegionState) {
    let association = address.association.as_ref();
    x.value("publicIp", address.public_ip)
        .text("allocationId", &address.allocation_id)
        .text("domain", "vpc")
        .optional("associationId", association.map(|a| a.association_id.as_str()))
        .optional("instanceId", address::instance_id(region, address))
        .optional("networkInterfaceId", association.map(|a| a.network_interface_id.as_str()))
        .optional("networkInterfaceOwnerId", association.map(|_| address.owner_id.as_str()));
    if let Some(association) = association {
        x.value("privateIpAddress", association.private_ip);
    }
    x.text("publicIpv4Pool", "amazon")
        .text("networkBorderGroup", &address.network_border_group)
        .tag_set_if_any(&address.tags);
}

/// `AllocationId`, else `PublicIp`.
fn address_ref(params: &Params) -> Result<AddressRef> {
    match (params.get("AllocationId"), params.get("PublicIp")) {
        (Some(allocation_id), _) => Ok(AddressRef::Allocation(allocation_id.to_string())),
        (None, Some(public_ip)) => Ok(AddressRef::PublicIp(public_ip.to_string())),
        (None, None) => Err(Ec2Error::MissingParameter("AllocationId".into())),
    }
}

pub(crate) fn allocate_address(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let unsupported = ["CustomerOwnedIpv4Pool", "IpamPoolId"];
    if let Some(key) = unsupported.iter().find(|key| params.get(key).is_some()) {
        return Err(Ec2Error::InvalidParameterValue(format!("The parameter {key} is not supported by localvpc")));
    }
    let request = AllocateAddress {
        address: params.get("Address").map(str::to_string),
        tags: params.tag_specifications("elastic-ip")?,
    };
    let domain = address::domain(params.get("Domain"));
    let address = address::allocate_requested(tx, &ctx.scope, request)?;
    x.value("publicIp", address.public_ip)
        .text("allocationId", &address.allocation_id)
        .text("domain", domain)
        .text("publicIpv4Pool", "amazon")
        .text("networkBorderGroup", &address.network_border_group);
    Ok(())
}

pub(crate) fn associate_address(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let request = AssociateAddress {
        address: address_ref(params)?,
        instance_id: params.get("InstanceId").map(str::to_string),
        network_interface_id: params.get("NetworkInterfaceId").map(str::to_string),
        private_ip_address: params.get("PrivateIpAddress").map(str::to_string),
        allow_reassociation: params.bool("AllowReassociation")?,
    };
    let association_id = address::associate(tx, &ctx.scope, &request)?;
    x.text("associationId", &association_id);
    Ok(())
}

pub(crate) fn disassociate_address(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let reference = match (params.get("AssociationId"), params.get("PublicIp")) {
        (Some(association_id), _) => AssociationRef::Association(association_id.to_string()),
        (None, Some(public_ip)) => AssociationRef::PublicIp(public_ip.to_string()),
        (None, None) => return Err(Ec2Error::MissingParameter("AssociationId".into())),
    };
    address::disassociate(tx, &ctx.scope, &reference)?;
    return_true(x);
    Ok(())
}

pub(crate) fn release_address(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    address::release(tx, &ctx.scope, params.get("AllocationId"), params.get("PublicIp"))?;
    return_true(x);
    Ok(())
}

/// Not paginated (spec §1.5 [D]); explicit allocation IDs and public addresses must all exist.
pub(crate) fn describe_addresses(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let allocation_ids = params.list("AllocationId")?;
    let public_ips = params.list("PublicIp")?;
    let filters = params.filters()?;
    validate::<AddressView>(&filters)?;
    let region = world.region(&ctx.scope);
    address::check_named(region, &allocation_ids, &public_ips)?;
    let shown = region.addresses.values().filter(|address| {
        (allocation_ids.is_empty() || allocation_ids.contains(&address.allocation_id))
            && (public_ips.is_empty() || public_ips.contains(&address.public_ip.to_string()))
            && matches(&AddressView { address, region }, &filters)
    });
    x.list("addressesSet", shown, |x, address| render_address(x, address, region));
    Ok(())
}

/// One `AddressAttribute`: the address and its PTR record, with the update a Modify/Reset requested.
fn render_attribute(x: &mut Xml, address: &Address, update: Option<&PtrRecordUpdate>) {
    x.value("publicIp", address.public_ip)
        .text("allocationId", &address.allocation_id)
        .optional("ptrRecord", address.ptr_record.as_deref());
    if let Some(update) = update {
        x.open("ptrRecordUpdate")
            .optional("value", update.value.as_deref())
            .text("status", "PENDING")
            .close("ptrRecordUpdate");
    }
}

/// Every address of the account, or the ones named (all must exist); `Attribute` must be `domain-name`.
pub(crate) fn describe_addresses_attribute(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let attribute = params.get("Attribute").ok_or_else(|| Ec2Error::MissingParameter("Attribute".into()))?;
    address::check_attribute(attribute)?;
    let allocation_ids = params.list("AllocationId")?;
    let region = world.region(&ctx.scope);
    let shown: Vec<_> = if allocation_ids.is_empty() {
        region.addresses.values().cloned().collect()
    } else {
        allocation_ids.iter().map(|id| address::find(region, id)).collect::<Result<_>>()?
    };
    x.list("addressSet", shown.iter(), |x, address| render_attribute(x, address, None));
    Ok(())
}

pub(crate) fn modify_address_attribute(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let allocation_id = params.required("AllocationId")?;
    let domain_name = params.required("DomainName")?;
    let update = address::set_domain_name(tx, &ctx.scope, allocation_id, domain_name)?;
    x.open("address");
    render_attribute(x, &update.before, Some(&update));
    x.close("address");
    Ok(())
}

pub(crate) fn reset_address_attribute(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let allocation_id = params.required("AllocationId")?;
    address::check_attribute(params.required("Attribute")?)?;
    let update = address::reset_domain_name(tx, &ctx.scope, allocation_id)?;
    x.open("address");
    render_attribute(x, &update.before, Some(&update));
    x.close("address");
    Ok(())
}
