//! VPC endpoint actions (part 2 §17.4–17.5): Create, Describe, Modify, Delete, and the services of the Region.

use localvpc_model::vpc_endpoint::{
    self, interface, CreateVpcEndpoint, EndpointService, EndpointType, ModifyVpcEndpoint, VpcEndpoint,
};
use localvpc_model::{Ec2Error, RegionState, Scope, Tags, Tx, World};

use super::{return_true, Ctx};
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

/// `<vpcEndpoint>` / `<item>` content of botocore's `VpcEndpoint` in `state`. Part 2 §17.4 [O]: on the wire the
/// state is lowercase although botocore's enum is capitalised.
fn render_endpoint(x: &mut Xml, endpoint: &VpcEndpoint, region: &RegionState, scope: &Scope, state: &str) {
    let region_name = scope.region.as_str();
    let route_tables = vpc_endpoint::route_table_ids(region, &endpoint.id);
    x.text("vpcEndpointId", &endpoint.id)
        .text("vpcEndpointType", endpoint.kind.as_str())
        .text("vpcId", &endpoint.vpc_id)
        .text("serviceName", &endpoint.service_name)
        .text("state", state)
        .text("policyDocument", &endpoint.policy_document)
        .string_list("routeTableIdSet", &route_tables)
        .string_list("subnetIdSet", &endpoint.subnet_ids)
        .list("groupSet", &endpoint.group_ids, |x, group_id| {
            let name = region.security_groups.get(group_id.as_str()).map(|group| group.name.clone());
            x.text("groupId", group_id).optional("groupName", name.as_deref());
        })
        .text("ipAddressType", "ipv4")
        .nested("dnsOptions", |x| {
            x.text("dnsRecordIpType", if endpoint.kind == EndpointType::Gateway { "service-defined" } else { "ipv4" });
        })
        .value("privateDnsEnabled", endpoint.private_dns_enabled)
        .value("requesterManaged", false)
        .string_list("networkInterfaceIdSet", &endpoint.network_interface_ids)
        .list("dnsEntrySet", interface::dns_entries(endpoint, region, region_name), |x, entry| {
            x.text("dnsName", &entry.name).text("hostedZoneId", entry.hosted_zone_id);
        })
        .text("creationTimestamp", &endpoint.created.to_iso8601())
        .tag_set(&endpoint.tags)
        .text("ownerId", &scope.account);
}

pub(crate) fn create_vpc_endpoint(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let request = CreateVpcEndpoint {
        kind: params.get("VpcEndpointType").map(str::to_string),
        vpc_id: params.required("VpcId")?.to_string(),
        service_name: params.required("ServiceName")?.to_string(),
        policy_document: params.get("PolicyDocument").map(str::to_string),
        route_table_ids: params.list("RouteTableId")?,
        subnet_ids: params.list("SubnetId")?,
        security_group_ids: params.list("SecurityGroupId")?,
        private_dns_enabled: params.bool("PrivateDnsEnabled")?,
        client_token: params.get("ClientToken").map(str::to_string),
        tags: Tags(params.tag_specifications("vpc-endpoint")?),
    };
    let endpoint = vpc_endpoint::create(tx, &ctx.scope, request)?;
    // Part 2 §17.4 [O aws-cli example]: a gateway endpoint is `available` at once; ASSUMPTION (§17.4 `pending →
    // available`): an interface endpoint answers `pending` while its interfaces are made, and reads show it
    // `available`.
    let state =
        if endpoint.kind == EndpointType::Interface && endpoint.created == tx.now() { "pending" } else { "available" };
    let region = tx.region(&ctx.scope);
    x.nested("vpcEndpoint", |x| render_endpoint(x, &endpoint, region, &ctx.scope, state));
    x.optional("clientToken", endpoint.client_token.as_deref());
    Ok(())
}

pub(crate) fn describe_vpc_endpoints(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let page = params.page(5, 1000)?;
    let region = world.region(&ctx.scope);
    let found = vpc_endpoint::describe(region, &ctx.scope, &params.list("VpcEndpointId")?, &params.filters()?, &page)?;
    x.list("vpcEndpointSet", &found.items, |x, endpoint| render_endpoint(x, endpoint, region, &ctx.scope, "available"));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn modify_vpc_endpoint(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let request = ModifyVpcEndpoint {
        id: params.required("VpcEndpointId")?.to_string(),
        policy_document: params.get("PolicyDocument").map(str::to_string),
        reset_policy: params.bool("ResetPolicy")?.unwrap_or(false),
        add_route_table_ids: params.list("AddRouteTableId")?,
        remove_route_table_ids: params.list("RemoveRouteTableId")?,
        add_subnet_ids: params.list("AddSubnetId")?,
        remove_subnet_ids: params.list("RemoveSubnetId")?,
        add_security_group_ids: params.list("AddSecurityGroupId")?,
        remove_security_group_ids: params.list("RemoveSecurityGroupId")?,
        private_dns_enabled: params.bool("PrivateDnsEnabled")?,
    };
    vpc_endpoint::modify(tx, &ctx.scope, request)?;
    return_true(x);
    Ok(())
}

pub(crate) fn delete_vpc_endpoints(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = params.list("VpcEndpointId")?;
    if ids.is_empty() {
        return Err(Ec2Error::MissingParameter("VpcEndpointId".into()));
    }
    let unsuccessful = vpc_endpoint::delete(tx, &ctx.scope, &ids);
    x.list("unsuccessful", &unsuccessful, |x, (id, error)| {
        x.nested("error", |x| {
            x.text("code", error.code()).text("message", &error.to_string());
        })
        .text("resourceId", id);
    });
    Ok(())
}

/// One `serviceDetailSet` item (botocore's `ServiceDetail`).
fn render_service(x: &mut Xml, service: &EndpointService, region_name: &str) {
    x.text("serviceName", &service.name)
        .text("serviceId", &service.id)
        .list("serviceType", [service.kind], |x, kind| {
            x.text("serviceType", kind.as_str());
        })
        .text("serviceRegion", region_name)
        .string_list("availabilityZoneSet", &service.zones)
        .text("owner", "amazon")
        .string_list("baseEndpointDnsNameSet", [&service.base_dns_name])
        .optional("privateDnsName", service.private_dns_name.as_deref())
        .value("vpcEndpointPolicySupported", true)
        .value("acceptanceRequired", false)
        .value("managesVpcEndpoints", false)
        .list("supportedIpAddressTypeSet", ["ipv4"], |x, kind| {
            x.content(kind);
        });
}

pub(crate) fn describe_vpc_endpoint_services(_world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    // botocore: a MaxResults above 1,000 returns 1,000 items. ASSUMPTION (undocumented): below 1 is refused with
    // the usual range message.
    let mut page = params.page(1, 1000).or_else(|refused| match params.int("MaxResults")? {
        Some(above) if above > 1000 => params.page(1, above as usize),
        _ => Err(refused),
    })?;
    page.max_results = page.max_results.map(|max| max.min(1000));
    let found = vpc_endpoint::describe_services(&ctx.scope, &params.list("ServiceName")?, &params.filters()?, &page)?;
    let names: Vec<String> = found.items.iter().map(|service| service.name.clone()).collect();
    x.string_list("serviceNameSet", &names);
    x.list("serviceDetailSet", &found.items, |x, service| render_service(x, service, &ctx.scope.region));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}
