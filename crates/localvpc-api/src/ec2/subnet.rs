//! Subnet actions: CreateSubnet, DescribeSubnets, DeleteSubnet, ModifySubnetAttribute, Associate/
//! DisassociateSubnetCidrBlock.

use localvpc_model::filter::{matches, validate};
use localvpc_model::ids::IdKind;
use localvpc_model::subnet::{self, CreateSubnet, Ipv6Attribute, Subnet, SubnetIpv6CidrAssociation, SubnetView};
use localvpc_model::{Ec2Error, RegionState, Tx, World};

use super::{return_true, select, Ctx};
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

/// `<subnet>` / `<subnetSet><item>` content (Appendix A); `ipv6_state` is the IPv6 block's state: `associating` in
/// CreateSubnet's answer, `associated` afterwards (part 2 §16.1 [D]).
fn render_subnet(x: &mut Xml, subnet: &Subnet, region: &RegionState, ipv6_state: &str) {
    x.text("subnetId", &subnet.id)
        .text("subnetArn", &subnet.arn())
        .text("vpcId", &subnet.vpc_id)
        .text("ownerId", &subnet.owner_id)
        .text("state", "available")
        .optional_value("cidrBlock", subnet.cidr_block)
        .value("availableIpAddressCount", subnet.available_ip_address_count(region))
        .text("availabilityZone", &subnet.availability_zone)
        .text("availabilityZoneId", &subnet.availability_zone_id)
        .value("defaultForAz", subnet.default_for_az)
        .value("mapPublicIpOnLaunch", subnet.map_public_ip_on_launch)
        .value("mapCustomerOwnedIpOnLaunch", false)
        .value("assignIpv6AddressOnCreation", subnet.assign_ipv6_address_on_creation)
        .list("ipv6CidrBlockAssociationSet", &subnet.ipv6_cidr_association, |x, association| {
            render_ipv6_association(x, association, ipv6_state);
        })
        .value("ipv6Native", subnet.ipv6_native())
        .value("enableDns64", subnet.enable_dns64)
        .nested("privateDnsNameOptionsOnLaunch", |x| {
            let options = &subnet.private_dns_name_options;
            x.text("hostnameType", &options.hostname_type)
                .value("enableResourceNameDnsARecord", options.enable_resource_name_dns_a_record)
                .value("enableResourceNameDnsAAAARecord", options.enable_resource_name_dns_aaaa_record);
        })
        .tag_set_if_any(&subnet.tags);
}

/// A subnet's `ipv6CidrBlockAssociationSet/item` (botocore `SubnetIpv6CidrBlockAssociation`).
fn render_ipv6_association(x: &mut Xml, association: &SubnetIpv6CidrAssociation, state: &str) {
    x.text("associationId", &association.association_id)
        .value("ipv6CidrBlock", association.ipv6_cidr_block)
        .nested("ipv6CidrBlockState", |x| {
            x.text("state", state);
        })
        .text("ipv6AddressAttribute", "public")
        .text("ipSource", "amazon");
}

pub(crate) fn create_subnet(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let request = CreateSubnet {
        ipv6_cidr_block: params.get("Ipv6CidrBlock").map(str::to_string),
        ipv6_native: params.bool("Ipv6Native")?.unwrap_or(false),
        vpc_id: params.required("VpcId")?.to_string(),
        cidr_block: params.get("CidrBlock").map(str::to_string),
        availability_zone: params.get("AvailabilityZone").map(str::to_string),
        availability_zone_id: params.get("AvailabilityZoneId").map(str::to_string),
        tags: params.tag_specifications("subnet")?,
    };
    let subnet = subnet::create_subnet(tx, &ctx.scope, request)?;
    let region = tx.region(&ctx.scope);
    x.nested("subnet", |x| render_subnet(x, &subnet, region, "associating"));
    Ok(())
}

pub(crate) fn create_default_subnet(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    if params.bool("Ipv6Native")? == Some(true) {
        return Err(Ec2Error::InvalidParameterValue("IPv6 subnets are not supported by localvpc".into()));
    }
    let zone_name = params.get("AvailabilityZone");
    let subnet = subnet::create_default_subnet_in_zone(tx, &ctx.scope, zone_name, params.get("AvailabilityZoneId"))?;
    let region = tx.region(&ctx.scope);
    x.nested("subnet", |x| render_subnet(x, &subnet, region, "associated"));
    Ok(())
}

pub(crate) fn describe_subnets(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = params.list("SubnetId")?;
    let filters = params.filters()?;
    validate::<SubnetView>(&filters)?;
    let page = params.page(5, 1000)?;
    let region = world.region(&ctx.scope);
    let found = select(&region.subnets, &ids, IdKind::Subnet, Ec2Error::SubnetNotFound, &page, |subnet| {
        matches(&SubnetView { subnet, region }, &filters)
    })?;
    x.list("subnetSet", &found.items, |x, subnet| render_subnet(x, subnet, region, "associated"));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn delete_subnet(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    subnet::delete_subnet(tx, &ctx.scope, params.required("SubnetId")?)?;
    return_true(x);
    Ok(())
}

pub(crate) fn associate_subnet_cidr_block(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let subnet_id = params.required("SubnetId")?;
    let association = subnet::associate_cidr_block(tx, &ctx.scope, subnet_id, params.required("Ipv6CidrBlock")?)?;
    x.nested("ipv6CidrBlockAssociation", |x| render_ipv6_association(x, &association, "associating"))
        .text("subnetId", subnet_id);
    Ok(())
}

pub(crate) fn disassociate_subnet_cidr_block(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let (subnet_id, association) = subnet::disassociate_cidr_block(tx, &ctx.scope, params.required("AssociationId")?)?;
    x.nested("ipv6CidrBlockAssociation", |x| render_ipv6_association(x, &association, "disassociating"))
        .text("subnetId", &subnet_id);
    Ok(())
}

/// Every attribute ModifySubnetAttribute knows, by parameter name.
const SUBNET_ATTRIBUTES: [&str; 10] = [
    "MapPublicIpOnLaunch.Value",
    "PrivateDnsHostnameTypeOnLaunch",
    "EnableResourceNameDnsARecordOnLaunch.Value",
    "AssignIpv6AddressOnCreation.Value",
    "EnableDns64.Value",
    "EnableResourceNameDnsAAAARecordOnLaunch.Value",
    "MapCustomerOwnedIpOnLaunch.Value",
    "CustomerOwnedIpv4Pool",
    "EnableLniAtDeviceIndex",
    "DisableLniAtDeviceIndex.Value",
];

pub(crate) fn modify_subnet_attribute(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let subnet_id = params.required("SubnetId")?;
    let scope = &ctx.scope;
    // Part 2 §16.1 [O]: one attribute per call. ASSUMPTION (code [I]): InvalidParameterCombination, as
    // ModifyVpcAttribute answers two attributes.
    if SUBNET_ATTRIBUTES.iter().filter(|key| params.get(key).is_some()).count() > 1 {
        return Err(Ec2Error::InvalidParameterCombination(
            "Only one subnet attribute can be modified at a time.".into(),
        ));
    }
    let ipv6_attributes = [
        ("AssignIpv6AddressOnCreation.Value", Ipv6Attribute::AssignIpv6AddressOnCreation),
        ("EnableDns64.Value", Ipv6Attribute::EnableDns64),
        ("EnableResourceNameDnsAAAARecordOnLaunch.Value", Ipv6Attribute::EnableResourceNameDnsAaaaRecordOnLaunch),
    ];
    for (key, attribute) in ipv6_attributes {
        if let Some(value) = params.bool(key)? {
            subnet::set_ipv6_attribute(tx, scope, subnet_id, attribute, value)?;
            return_true(x);
            return Ok(());
        }
    }
    if let Some(value) = params.bool("MapPublicIpOnLaunch.Value")? {
        subnet::set_map_public_ip_on_launch(tx, scope, subnet_id, value)?;
    } else if let Some(value) = params.get("PrivateDnsHostnameTypeOnLaunch") {
        subnet::set_hostname_type_on_launch(tx, scope, subnet_id, value)?;
    } else if let Some(value) = params.bool("EnableResourceNameDnsARecordOnLaunch.Value")? {
        subnet::set_resource_name_dns_a_record_on_launch(tx, scope, subnet_id, value)?;
    } else {
        subnet::find(tx.region(scope), subnet_id)?;
        if !SUBNET_ATTRIBUTES.iter().any(|key| params.get(key).is_some()) {
            return Err(Ec2Error::MissingParameter("MapPublicIpOnLaunch".into()));
        }
        return Err(Ec2Error::InvalidParameterValue(
            "Customer-owned addresses and LNI device indexes (Outposts) are not supported by localvpc".into(),
        ));
    }
    return_true(x);
    Ok(())
}
