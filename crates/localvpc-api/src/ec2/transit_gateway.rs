//! Transit gateway actions (part 2 §14): the gateway (Create, Describe, Modify, Delete), its route tables,
//! associations and propagations. Attachments (VPC, peering, all kinds) are `transit_gateway/attachment.rs`, routes
//! `transit_gateway/routes.rs`.

pub(crate) mod attachment;
pub(crate) mod routes;

use localvpc_model::filter::{matches, paginate, validate};
use localvpc_model::transit_gateway::route_table::{self, AttachmentRow, RouteTableView};
use localvpc_model::transit_gateway::{
    self, parse_switch, GatewayView, OptionsRequest, TransitGateway, TransitGatewayAttachment, TransitGatewayRouteTable,
};
use localvpc_model::{Ec2Error, Scope, Tx, World};

use super::Ctx;
use crate::params::Params;
use crate::xml::Xml;

type Result<T = ()> = std::result::Result<T, Ec2Error>;

fn switch(value: bool) -> &'static str {
    if value {
        "enable"
    } else {
        "disable"
    }
}

/// `TransitGateway`, in `state` (the Create/Modify/Delete answers show the transition they start).
fn render_gateway(x: &mut Xml, gateway: &TransitGateway, state: &str, scope: &Scope) {
    let options = &gateway.options;
    x.text("transitGatewayId", &gateway.id)
        .text("transitGatewayArn", &gateway.arn())
        .text("state", state)
        .text("ownerId", &gateway.account)
        .text("description", &gateway.description)
        .text("creationTime", &gateway.created_at.to_iso8601())
        .nested("options", |x| {
            x.value("amazonSideAsn", options.amazon_side_asn);
            if !options.cidr_blocks.is_empty() {
                x.string_list("transitGatewayCidrBlocks", &options.cidr_blocks);
            }
            x.text("autoAcceptSharedAttachments", switch(options.auto_accept_shared_attachments))
                .text("defaultRouteTableAssociation", switch(options.default_route_table_association))
                .optional("associationDefaultRouteTableId", options.association_default_route_table_id.as_deref())
                .text("defaultRouteTablePropagation", switch(options.default_route_table_propagation))
                .optional("propagationDefaultRouteTableId", options.propagation_default_route_table_id.as_deref())
                .text("vpnEcmpSupport", switch(options.vpn_ecmp_support))
                .text("dnsSupport", switch(options.dns_support))
                .text("securityGroupReferencingSupport", switch(options.security_group_referencing_support))
                .text("multicastSupport", switch(options.multicast_support));
        })
        .tag_set(gateway.tags_for(scope));
}

/// The `Options.*` of CreateTransitGateway and ModifyTransitGateway; `cidr_list` names the list of blocks to add.
fn options_request(params: &Params, cidr_list: &str) -> Result<OptionsRequest> {
    let switch = |name: &'static str| parse_switch(name, params.get(&format!("Options.{name}")));
    Ok(OptionsRequest {
        amazon_side_asn: params.int("Options.AmazonSideAsn")?,
        auto_accept_shared_attachments: switch("AutoAcceptSharedAttachments")?,
        default_route_table_association: switch("DefaultRouteTableAssociation")?,
        association_default_route_table_id: params.get("Options.AssociationDefaultRouteTableId").map(str::to_string),
        default_route_table_propagation: switch("DefaultRouteTablePropagation")?,
        propagation_default_route_table_id: params.get("Options.PropagationDefaultRouteTableId").map(str::to_string),
        vpn_ecmp_support: switch("VpnEcmpSupport")?,
        dns_support: switch("DnsSupport")?,
        security_group_referencing_support: switch("SecurityGroupReferencingSupport")?,
        multicast_support: switch("MulticastSupport")?,
        add_cidr_blocks: params.list(&format!("Options.{cidr_list}"))?,
        remove_cidr_blocks: params.list("Options.RemoveTransitGatewayCidrBlocks")?,
    })
}

pub(crate) fn create_transit_gateway(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let options = options_request(params, "TransitGatewayCidrBlocks")?;
    let description = params.get("Description").map(str::to_string);
    let tags = params.tag_specifications("transit-gateway")?;
    let gateway = transit_gateway::create(tx, &ctx.scope, description, options, tags)?;
    x.nested("transitGateway", |x| render_gateway(x, &gateway, "pending", &ctx.scope));
    Ok(())
}

pub(crate) fn modify_transit_gateway(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let id = params.required("TransitGatewayId")?;
    let options = options_request(params, "AddTransitGatewayCidrBlocks")?;
    let description = params.get("Description").map(str::to_string);
    let gateway = transit_gateway::modify(tx, &ctx.scope, id, description, options)?;
    x.nested("transitGateway", |x| render_gateway(x, &gateway, "modifying", &ctx.scope));
    Ok(())
}

pub(crate) fn delete_transit_gateway(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let gateway = transit_gateway::delete(tx, &ctx.scope, params.required("TransitGatewayId")?)?;
    x.nested("transitGateway", |x| render_gateway(x, &gateway, "deleting", &ctx.scope));
    Ok(())
}

pub(crate) fn describe_transit_gateways(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = params.list("TransitGatewayIds")?;
    let filters = params.filters()?;
    validate::<GatewayView>(&filters)?;
    let page = params.page(5, 1000)?;
    let scope = &ctx.scope;
    for id in &ids {
        transit_gateway::find_usable(world, scope, id)?;
    }
    let found = paginate(world.spanning::<TransitGateway>(), &page, |gateway| {
        gateway.usable_by(scope)
            && (ids.is_empty() || ids.contains(&gateway.id))
            && matches(&GatewayView { gateway, scope }, &filters)
    })?;
    x.list("transitGatewaySet", &found.items, |x, gateway| render_gateway(x, gateway, "available", scope));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

/// `TransitGatewayRouteTable`, in `state`.
fn render_route_table(x: &mut Xml, table: &TransitGatewayRouteTable, state: &str, world: &World) {
    x.text("transitGatewayRouteTableId", &table.id)
        .text("transitGatewayId", &table.transit_gateway_id)
        .text("state", state)
        .value("defaultAssociationRouteTable", table.is_default_association(world))
        .value("defaultPropagationRouteTable", table.is_default_propagation(world))
        .text("creationTime", &table.created_at.to_iso8601())
        .tag_set(&table.tags);
}

pub(crate) fn create_transit_gateway_route_table(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let gateway_id = params.required("TransitGatewayId")?;
    let tags = params.tag_specifications_at("TagSpecifications", "transit-gateway-route-table")?;
    let table = route_table::create(tx, &ctx.scope, gateway_id, tags)?;
    x.nested("transitGatewayRouteTable", |x| render_route_table(x, &table, "pending", tx.world()));
    Ok(())
}

pub(crate) fn delete_transit_gateway_route_table(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let table = route_table::delete(tx, &ctx.scope, params.required("TransitGatewayRouteTableId")?)?;
    x.nested("transitGatewayRouteTable", |x| render_route_table(x, &table, "deleting", tx.world()));
    Ok(())
}

pub(crate) fn describe_transit_gateway_route_tables(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = params.list("TransitGatewayRouteTableIds")?;
    let filters = params.filters()?;
    validate::<RouteTableView>(&filters)?;
    let page = params.page(5, 1000)?;
    let scope = &ctx.scope;
    for id in &ids {
        route_table::find(world, scope, id)?;
    }
    let found = paginate(world.spanning::<TransitGatewayRouteTable>(), &page, |table| {
        table.is_owned_by(scope)
            && (ids.is_empty() || ids.contains(&table.id))
            && matches(&RouteTableView { table, world }, &filters)
    })?;
    x.list("transitGatewayRouteTables", &found.items, |x, table| render_route_table(x, table, "available", world));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

/// The table and attachment IDs every association and propagation action takes.
fn table_and_attachment_ids(params: &Params) -> Result<(&str, &str)> {
    Ok((params.required("TransitGatewayRouteTableId")?, params.required("TransitGatewayAttachmentId")?))
}

/// `TransitGatewayAssociation` (the Associate/Disassociate answer).
fn render_association(
    x: &mut Xml,
    table: &TransitGatewayRouteTable,
    attachment: &TransitGatewayAttachment,
    state: &str,
) {
    x.nested("association", |x| {
        x.text("transitGatewayRouteTableId", &table.id)
            .text("transitGatewayAttachmentId", &attachment.id)
            .text("resourceId", attachment.resource_id_from(&table.transit_gateway_id))
            .text("resourceType", attachment.resource_type())
            .text("state", state);
    });
}

/// `TransitGatewayPropagation` (the Enable/Disable answer).
fn render_propagation(
    x: &mut Xml,
    table: &TransitGatewayRouteTable,
    attachment: &TransitGatewayAttachment,
    state: &str,
) {
    x.nested("propagation", |x| {
        x.text("transitGatewayAttachmentId", &attachment.id)
            .text("resourceId", attachment.resource_id_from(&table.transit_gateway_id))
            .text("resourceType", attachment.resource_type())
            .text("transitGatewayRouteTableId", &table.id)
            .text("state", state);
    });
}

pub(crate) fn associate_transit_gateway_route_table(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let (table_id, attachment_id) = table_and_attachment_ids(params)?;
    let (table, attachment) = route_table::associate(tx, &ctx.scope, table_id, attachment_id)?;
    render_association(x, &table, &attachment, "associating");
    Ok(())
}

pub(crate) fn disassociate_transit_gateway_route_table(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let (table_id, attachment_id) = table_and_attachment_ids(params)?;
    let (table, attachment) = route_table::disassociate(tx, &ctx.scope, table_id, attachment_id)?;
    render_association(x, &table, &attachment, "disassociating");
    Ok(())
}

pub(crate) fn enable_transit_gateway_route_table_propagation(
    tx: &mut Tx,
    ctx: &Ctx,
    params: &Params,
    x: &mut Xml,
) -> Result {
    let (table_id, attachment_id) = table_and_attachment_ids(params)?;
    let (table, attachment) = route_table::enable_propagation(tx, &ctx.scope, table_id, attachment_id)?;
    render_propagation(x, &table, &attachment, "enabling");
    Ok(())
}

pub(crate) fn disable_transit_gateway_route_table_propagation(
    tx: &mut Tx,
    ctx: &Ctx,
    params: &Params,
    x: &mut Xml,
) -> Result {
    let (table_id, attachment_id) = table_and_attachment_ids(params)?;
    let (table, attachment) = route_table::disable_propagation(tx, &ctx.scope, table_id, attachment_id)?;
    render_propagation(x, &table, &attachment, "disabling");
    Ok(())
}

/// GetTransitGatewayRouteTableAssociations and …Propagations: the table's rows that pass the filters, with
/// `state` and the list element of each.
fn attachment_rows(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml, propagations: bool) -> Result {
    let table = route_table::find(world, &ctx.scope, params.required("TransitGatewayRouteTableId")?)?;
    let filters = params.filters()?;
    validate::<AttachmentRow>(&filters)?;
    params.page(5, 1000)?;
    let ids = if propagations { &table.propagations } else { &table.associations };
    let rows = route_table::rows(world, &table, ids);
    let (tag, state) =
        if propagations { ("transitGatewayRouteTablePropagations", "enabled") } else { ("associations", "associated") };
    x.list(tag, rows.iter().filter(|row| matches(*row, &filters)), |x, row| {
        x.text("transitGatewayAttachmentId", &row.attachment.id)
            .text("resourceId", row.attachment.resource_id_from(row.gateway_id))
            .text("resourceType", row.attachment.resource_type())
            .text("state", state);
    });
    Ok(())
}

pub(crate) fn get_transit_gateway_route_table_associations(
    world: &World,
    ctx: &Ctx,
    params: &Params,
    x: &mut Xml,
) -> Result {
    attachment_rows(world, ctx, params, x, false)
}

pub(crate) fn get_transit_gateway_route_table_propagations(
    world: &World,
    ctx: &Ctx,
    params: &Params,
    x: &mut Xml,
) -> Result {
    attachment_rows(world, ctx, params, x, true)
}
