//! Subnet actions: CreateSubnet, DescribeSubnets, DeleteSubnet, ModifySubnetAttribute.

use localvpc_model::filter::{matches, validate};
use localvpc_model::ids::IdKind;
use localvpc_model::subnet::{self, CreateSubnet, Subnet, SubnetView};
use localvpc_model::{Ec2Error, RegionState, Tx, World};

use super::{return_true, select, Ctx};
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

/// `<subnet>` / `<subnetSet><item>` content (Appendix A).
fn render_subnet(x: &mut Xml, subnet: &Subnet, region: &RegionState) {
    x.text("subnetId", &subnet.id)
        .text("subnetArn", &subnet.arn())
        .text("vpcId", &subnet.vpc_id)
        .text("ownerId", &subnet.owner_id)
        .text("state", "available")
        .value("cidrBlock", subnet.cidr_block)
        .value("availableIpAddressCount", subnet.available_ip_address_count(region))
        .text("availabilityZone", &subnet.availability_zone)
        .text("availabilityZoneId", &subnet.availability_zone_id)
        .value("defaultForAz", subnet.default_for_az)
        .value("mapPublicIpOnLaunch", subnet.map_public_ip_on_launch)
        .value("mapCustomerOwnedIpOnLaunch", false)
        .value("assignIpv6AddressOnCreation", false)
        .list("ipv6CidrBlockAssociationSet", [(); 0], |_, _| {})
        .value("ipv6Native", false)
        .value("enableDns64", false)
        .nested("privateDnsNameOptionsOnLaunch", |x| {
            let options = &subnet.private_dns_name_options;
            x.text("hostnameType", &options.hostname_type)
                .value("enableResourceNameDnsARecord", options.enable_resource_name_dns_a_record)
                .value("enableResourceNameDnsAAAARecord", false);
        })
        .tag_set_if_any(&subnet.tags);
}

pub(crate) fn create_subnet(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    if params.get("Ipv6CidrBlock").is_some() || params.bool("Ipv6Native")? == Some(true) {
        return Err(Ec2Error::InvalidParameterValue("IPv6 subnets are not supported by localvpc".into()));
    }
    let request = CreateSubnet {
        vpc_id: params.required("VpcId")?.to_string(),
        cidr_block: params.required("CidrBlock")?.to_string(),
        availability_zone: params.get("AvailabilityZone").map(str::to_string),
        availability_zone_id: params.get("AvailabilityZoneId").map(str::to_string),
        tags: params.tag_specifications("subnet")?,
    };
    let subnet = subnet::create_subnet(tx, &ctx.scope, request)?;
    let region = tx.region(&ctx.scope);
    x.nested("subnet", |x| render_subnet(x, &subnet, region));
    Ok(())
}

pub(crate) fn create_default_subnet(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    if params.bool("Ipv6Native")? == Some(true) {
        return Err(Ec2Error::InvalidParameterValue("IPv6 subnets are not supported by localvpc".into()));
    }
    let zone_name = params.get("AvailabilityZone");
    let subnet = subnet::create_default_subnet_in_zone(tx, &ctx.scope, zone_name, params.get("AvailabilityZoneId"))?;
    let region = tx.region(&ctx.scope);
    x.nested("subnet", |x| render_subnet(x, &subnet, region));
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
    x.list("subnetSet", &found.items, |x, subnet| render_subnet(x, subnet, region));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn delete_subnet(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    subnet::delete_subnet(tx, &ctx.scope, params.required("SubnetId")?)?;
    return_true(x);
    Ok(())
}

pub(crate) fn modify_subnet_attribute(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let subnet_id = params.required("SubnetId")?;
    let scope = &ctx.scope;
    if let Some(value) = params.bool("MapPublicIpOnLaunch.Value")? {
        subnet::set_map_public_ip_on_launch(tx, scope, subnet_id, value)?;
    } else if let Some(value) = params.get("PrivateDnsHostnameTypeOnLaunch") {
        subnet::set_hostname_type_on_launch(tx, scope, subnet_id, value)?;
    } else if let Some(value) = params.bool("EnableResourceNameDnsARecordOnLaunch.Value")? {
        subnet::set_resource_name_dns_a_record_on_launch(tx, scope, subnet_id, value)?;
    } else {
        subnet::find(tx.region(scope), subnet_id)?;
        let other_attributes = [
            "AssignIpv6AddressOnCreation.Value",
            "EnableDns64.Value",
            "MapCustomerOwnedIpOnLaunch.Value",
            "EnableResourceNameDnsAAAARecordOnLaunch.Value",
        ];
        if !other_attributes.iter().any(|key| params.get(key).is_some()) {
            return Err(Ec2Error::MissingParameter("MapPublicIpOnLaunch".into()));
        }
        return Err(Ec2Error::InvalidParameterValue(
            "Only the MapPublicIpOnLaunch, PrivateDnsHostnameTypeOnLaunch and EnableResourceNameDnsARecordOnLaunch \
             attributes are supported by localvpc"
                .into(),
        ));
    }
    return_true(x);
    Ok(())
}
