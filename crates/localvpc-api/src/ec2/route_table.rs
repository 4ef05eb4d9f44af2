//! Route table actions: Create/Describe/Delete RouteTable, Associate/Disassociate/ReplaceRouteTableAssociation,
//! Create/Replace/DeleteRoute.

use localvpc_model::filter::{matches, validate};
use localvpc_model::ids::IdKind;
use localvpc_model::route_table::{
    self, AssociationTarget, Ipv6Route, Ipv6RouteTarget, PrefixListRoute, RouteRequest, RouteState, RouteTable,
    RouteTableView, RouteTarget,
};
use localvpc_model::{Ec2Error, RegionState, Tx, World};

use super::{return_true, select, Ctx};
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

/// One item of `routeSet`: a route to a block (stored or propagated), or a route to a prefix list with its state.
enum RouteItem<'t> {
    Cidr(route_table::EffectiveRoute),
    PrefixList(&'t PrefixListRoute, RouteState),
    Ipv6(&'t Ipv6Route, RouteState),
}

/// The routes Describe lists: stored and propagated ones, and each prefix-list route once, by its list (part 2
/// §17.3 [D bc]: `destinationPrefixListId`) — not the blocks it stands for.
fn route_items<'t>(world: &World, region: &RegionState, table: &'t RouteTable) -> Vec<RouteItem<'t>> {
    let mut items = Vec::new();
    for effective in route_table::effective_routes(world, region, table) {
        if effective.prefix_list_id.is_none() {
            items.push(RouteItem::Cidr(effective));
        }
    }
    for route in &table.prefix_list_routes {
        let state = route_table::prefix_list_route_state(world, region, table, route);
        items.push(RouteItem::PrefixList(route, state));
    }
    // Part 2 §16.2: the IPv6 routes, `destinationIpv6CidrBlock`.
    for route in &table.ipv6_routes {
        items.push(RouteItem::Ipv6(route, route_table::ipv6_route_state(world, region, table, route)));
    }
    items
}

/// A route's target elements. Spec §2.5: a route to an instance also names its interface, and a route to an
/// attached interface its instance.
fn render_target(x: &mut Xml, table: &RouteTable, region: &RegionState, target: &RouteTarget) {
    match target {
        RouteTarget::Local => x.text("gatewayId", "local"),
        RouteTarget::InternetGateway(id) => x.text("gatewayId", id),
        RouteTarget::VpcPeeringConnection(id) => x.text("vpcPeeringConnectionId", id),
        RouteTarget::NatGateway(id) => x.text("natGatewayId", id),
        RouteTarget::TransitGateway(id) => x.text("transitGatewayId", id),
        RouteTarget::VpnGateway(id) => x.text("gatewayId", id),
        // Part 2 §17.4 [D bc]: the `Route` shape has no endpoint member; the endpoint shows as the gateway.
        RouteTarget::VpcEndpoint(id) => x.text("gatewayId", id),
        RouteTarget::Instance(id) => x.text("instanceId", id).text("instanceOwnerId", &table.owner_id).optional(
            "networkInterfaceId",
            region.instances.get(id.as_str()).and_then(|i| i.network_interface_id.as_deref()),
        ),
        RouteTarget::NetworkInterface(id) => {
            let attachment = region.network_interfaces.get(id.as_str()).and_then(|i| i.attachment.as_ref());
            if let Some(attachment) = attachment {
                x.text("instanceId", &attachment.instance_id).text("instanceOwnerId", &table.owner_id);
            }
            x.text("networkInterfaceId", id)
        }
    };
}

/// `<routeTable>` content (spec §2.5, Appendix A): the stored routes, those propagated from virtual private
/// gateways (part 2 §15.4), which the model derives, and the routes to prefix lists (part 2 §17.3).
fn render_route_table(x: &mut Xml, table: &RouteTable, world: &World, region: &RegionState) {
    x.text("routeTableId", &table.id)
        .text("vpcId", &table.vpc_id)
        .text("ownerId", &table.owner_id)
        .list("routeSet", route_items(world, region, table), |x, item| match item {
            RouteItem::Cidr(effective) => {
                x.value("destinationCidrBlock", effective.route.destination);
                render_target(x, table, region, &effective.route.target);
                x.text("state", effective.state.as_str()).text("origin", effective.route.origin.as_str());
            }
            RouteItem::PrefixList(route, state) => {
                x.text("destinationPrefixListId", &route.prefix_list_id);
                render_target(x, table, region, &route.target);
                x.text("state", state.as_str()).text("origin", "CreateRoute");
            }
            RouteItem::Ipv6(route, state) => {
                x.value("destinationIpv6CidrBlock", route.destination);
                match &route.target {
                    Ipv6RouteTarget::Shared(target) => render_target(x, table, region, target),
                    Ipv6RouteTarget::EgressOnlyInternetGateway(id) => {
                        x.text("egressOnlyInternetGatewayId", id);
                    }
                }
                x.text("state", state.as_str()).text("origin", route.origin.as_str());
            }
        })
        .list("associationSet", &table.associations, |x, association| {
            x.text("routeTableAssociationId", &association.id)
                .text("routeTableId", &table.id)
                .value("main", association.main)
                .optional("subnetId", association.subnet_id.as_deref())
                .optional("gatewayId", association.gateway_id.as_deref())
                .nested("associationState", |x| {
                    x.text("state", "associated");
                });
        })
        .list("propagatingVgwSet", route_table::propagating_vgws(region, table), |x, gateway_id| {
            x.text("gatewayId", gateway_id);
        })
        .tag_set(&table.tags);
}

pub(crate) fn create_route_table(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let tags = params.tag_specifications("route-table")?;
    let table = route_table::create(tx, &ctx.scope, params.required("VpcId")?, tags)?;
    let region = tx.region(&ctx.scope);
    x.nested("routeTable", |x| render_route_table(x, &table, tx.world(), region));
    x.optional("clientToken", params.get("ClientToken"));
    Ok(())
}

pub(crate) fn describe_route_tables(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = params.list("RouteTableId")?;
    let filters = params.filters()?;
    validate::<RouteTableView>(&filters)?;
    let page = params.page(5, 100)?;
    let region = world.region(&ctx.scope);
    let found = select(&region.route_tables, &ids, IdKind::RouteTable, Ec2Error::RouteTableNotFound, &page, |table| {
        matches(&RouteTableView { table, world, region }, &filters)
    })?;
    x.list("routeTableSet", &found.items, |x, table| render_route_table(x, table, world, region));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn delete_route_table(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    route_table::delete(tx, &ctx.scope, params.required("RouteTableId")?)?;
    return_true(x);
    Ok(())
}

pub(crate) fn associate_route_table(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let route_table_id = params.required("RouteTableId")?;
    let target = match (params.get("SubnetId"), params.get("GatewayId")) {
        (Some(subnet_id), None) => AssociationTarget::Subnet(subnet_id.to_string()),
        (None, Some(gateway_id)) => AssociationTarget::Gateway(gateway_id.to_string()),
        (None, None) => return Err(Ec2Error::MissingParameter("SubnetId".into())),
        (Some(_), Some(_)) => {
            return Err(Ec2Error::InvalidParameterCombination(
                "Only one of SubnetId or GatewayId may be specified.".into(),
            ))
        }
    };
    let association_id = route_table::associate(tx, &ctx.scope, route_table_id, target)?;
    x.text("associationId", &association_id).nested("associationState", |x| {
        x.text("state", "associated");
    });
    Ok(())
}

pub(crate) fn disassociate_route_table(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    route_table::disassociate(tx, &ctx.scope, params.required("AssociationId")?)?;
    return_true(x);
    Ok(())
}

pub(crate) fn replace_route_table_association(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let association_id = params.required("AssociationId")?;
    let new_id = route_table::replace_association(tx, &ctx.scope, association_id, params.required("RouteTableId")?)?;
    x.text("newAssociationId", &new_id).nested("associationState", |x| {
        x.text("state", "associated");
    });
    Ok(())
}

/// The parameters CreateRoute and ReplaceRoute share.
fn route_request(params: &Params) -> std::result::Result<RouteRequest, Ec2Error> {
    let route_table_id = params.required("RouteTableId")?.to_string();
    let (destination, destination_ipv6, destination_prefix_list_id) = match (
        params.get("DestinationCidrBlock"),
        params.get("DestinationIpv6CidrBlock"),
        params.get("DestinationPrefixListId"),
    ) {
        (Some(cidr), None, None) => (cidr.to_string(), None, None),
        // Part 2 §17.3: a route to every block of a managed prefix list.
        (None, None, Some(prefix_list_id)) => (String::new(), None, Some(prefix_list_id.to_string())),
        // Part 2 §16.2: an IPv6 route.
        (None, Some(ipv6), None) => (String::new(), Some(ipv6.to_string()), None),
        (None, None, None) => return Err(Ec2Error::MissingParameter("destinationCidrBlock".into())),
        _ => return Err(Ec2Error::InvalidParameterCombination(
            "Only one of DestinationCidrBlock, DestinationIpv6CidrBlock or DestinationPrefixListId may be specified."
                .into(),
        )),
    };
    let unsupported = ["LocalGatewayId", "CarrierGatewayId", "CoreNetworkArn", "OdbNetworkArn"];
    Ok(RouteRequest {
        route_table_id,
        destination,
        destination_ipv6,
        egress_only_internet_gateway_id: params.get("EgressOnlyInternetGatewayId").map(str::to_string),
        destination_prefix_list_id,
        gateway_id: params.get("GatewayId").map(str::to_string),
        vpc_peering_connection_id: params.get("VpcPeeringConnectionId").map(str::to_string),
        nat_gateway_id: params.get("NatGatewayId").map(str::to_string),
        transit_gateway_id: params.get("TransitGatewayId").map(str::to_string),
        instance_id: params.get("InstanceId").map(str::to_string),
        network_interface_id: params.get("NetworkInterfaceId").map(str::to_string),
        vpc_endpoint_id: params.get("VpcEndpointId").map(str::to_string),
        unsupported_targets: unsupported.into_iter().filter(|key| params.get(key).is_some()).collect(),
        local_target: params.bool("LocalTarget")?.unwrap_or(false),
    })
}

pub(crate) fn create_route(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    route_table::create_route(tx, &ctx.scope, &route_request(params)?)?;
    return_true(x);
    Ok(())
}

pub(crate) fn replace_route(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    route_table::replace_route(tx, &ctx.scope, &route_request(params)?)?;
    return_true(x);
    Ok(())
}

pub(crate) fn delete_route(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let route_table_id = params.required("RouteTableId")?;
    if let Some(prefix_list_id) = params.get("DestinationPrefixListId") {
        route_table::delete_prefix_list_route(tx, &ctx.scope, route_table_id, prefix_list_id)?;
        return_true(x);
        return Ok(());
    }
    if let Some(destination) = params.get("DestinationIpv6CidrBlock") {
        route_table::delete_ipv6_route(tx, &ctx.scope, route_table_id, destination)?;
        return_true(x);
        return Ok(());
    }
    let destination =
        params.get("DestinationCidrBlock").ok_or_else(|| Ec2Error::MissingParameter("destinationCidrBlock".into()))?;
    route_table::delete_route(tx, &ctx.scope, route_table_id, destination)?;
    return_true(x);
    Ok(())
}
