//! Transit gateway attachment actions (part 2 §14.1, §14.3): VPC attachments (Create, Describe, Modify, Accept,
//! Reject, Delete), peering attachments (Create, Describe, Accept, Reject, Delete) and
//! DescribeTransitGatewayAttachments over every kind.

use localvpc_model::filter::{matches, paginate, validate, Filter};
use localvpc_model::transit_gateway::attachment::{self, AttachmentView};
use localvpc_model::transit_gateway::peering::{self, CreatePeeringAttachment};
use localvpc_model::transit_gateway::vpc_attachment::{self, CreateVpcAttachment, OptionsRequest};
use localvpc_model::transit_gateway::{parse_switch, AttachmentResource, TransitGatewayAttachment};
use localvpc_model::{Ec2Error, Scope, Timestamp, Tx, World};

use super::super::Ctx;
use crate::control::Control;
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

/// `TransitGatewayVpcAttachment`, in `state`.
fn render_vpc_attachment(x: &mut Xml, attachment: &TransitGatewayAttachment, state: &str, scope: &Scope) {
    let Some(vpc) = attachment.vpc() else { return };
    x.text("transitGatewayAttachmentId", &attachment.id)
        .text("transitGatewayId", &attachment.transit_gateway_id)
        .text("vpcId", &vpc.vpc_id)
        .text("vpcOwnerId", &vpc.account)
        .text("state", state)
        .string_list("subnetIds", &vpc.subnet_ids)
        .text("creationTime", &attachment.created_at.to_iso8601())
        .nested("options", |x| {
            x.text("dnsSupport", switch(vpc.options.dns_support))
                .text("securityGroupReferencingSupport", switch(vpc.options.security_group_referencing_support))
                .text("ipv6Support", switch(vpc.options.ipv6_support))
                .text("applianceModeSupport", switch(vpc.options.appliance_mode_support));
        })
        .tag_set(attachment.tags_for(scope));
}

fn vpc_options(params: &Params) -> Result<OptionsRequest> {
    let switch = |name: &'static str| parse_switch(name, params.get(&format!("Options.{name}")));
    Ok(OptionsRequest {
        dns_support: switch("DnsSupport")?,
        security_group_referencing_support: switch("SecurityGroupReferencingSupport")?,
        ipv6_support: switch("Ipv6Support")?,
        appliance_mode_support: switch("ApplianceModeSupport")?,
    })
}

pub(crate) fn create_transit_gateway_vpc_attachment(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let request = CreateVpcAttachment {
        transit_gateway_id: params.required("TransitGatewayId")?.to_string(),
        vpc_id: params.required("VpcId")?.to_string(),
        subnet_ids: params.list("SubnetIds")?,
        options: vpc_options(params)?,
        tags: params.tag_specifications_at("TagSpecifications", "transit-gateway-attachment")?,
    };
    let attachment = vpc_attachment::create(tx, &ctx.scope, request)?;
    let state = attachment.created_state();
    x.nested("transitGatewayVpcAttachment", |x| render_vpc_attachment(x, &attachment, state, &ctx.scope));
    Ok(())
}

pub(crate) fn modify_transit_gateway_vpc_attachment(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let id = params.required("TransitGatewayAttachmentId")?;
    let (add, remove) = (params.list("AddSubnetIds")?, params.list("RemoveSubnetIds")?);
    let attachment = vpc_attachment::modify(tx, &ctx.scope, id, &add, &remove, vpc_options(params)?)?;
    x.nested("transitGatewayVpcAttachment", |x| render_vpc_attachment(x, &attachment, "modifying", &ctx.scope));
    Ok(())
}

fn attachment_id(params: &Params) -> Result<&str> {
    params.required("TransitGatewayAttachmentId")
}

pub(crate) fn accept_transit_gateway_vpc_attachment(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let attachment = vpc_attachment::accept(tx, &ctx.scope, attachment_id(params)?)?;
    x.nested("transitGatewayVpcAttachment", |x| render_vpc_attachment(x, &attachment, "pending", &ctx.scope));
    Ok(())
}

pub(crate) fn reject_transit_gateway_vpc_attachment(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let attachment = vpc_attachment::reject(tx, &ctx.scope, attachment_id(params)?)?;
    x.nested("transitGatewayVpcAttachment", |x| render_vpc_attachment(x, &attachment, "rejecting", &ctx.scope));
    Ok(())
}

pub(crate) fn delete_transit_gateway_vpc_attachment(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let attachment = vpc_attachment::delete(tx, &ctx.scope, attachment_id(params)?)?;
    x.nested("transitGatewayVpcAttachment", |x| render_vpc_attachment(x, &attachment, "deleting", &ctx.scope));
    Ok(())
}

/// Refuses a filter outside `allowed` (each Describe accepts its own subset of [`attachment::ATTACHMENT_FILTERS`]).
fn validate_subset(filters: &[Filter], allowed: &[&str]) -> Result {
    validate::<AttachmentView>(filters)?;
    let tag_filter = |name: &str| name.starts_with("tag:") || name == "tag-key" || name == "tag-value";
    match filters.iter().find(|filter| !tag_filter(&filter.name) && !allowed.contains(&filter.name.as_str())) {
        Some(filter) => Err(Ec2Error::InvalidFilter(filter.name.clone())),
        None => Ok(()),
    }
}

/// The Describe pattern of the three attachment actions: explicit IDs must be visible attachments of the kind,
/// then filters and paging.
fn describe_attachments(
    world: &World,
    ctx: &Ctx,
    params: &Params,
    allowed_filters: &[&str],
    find: fn(&World, &Scope, &str, Timestamp) -> Result<TransitGatewayAttachment>,
    kind: fn(&TransitGatewayAttachment) -> bool,
) -> Result<localvpc_model::Page<std::sync::Arc<TransitGatewayAttachment>>> {
    let ids = params.list("TransitGatewayAttachmentIds")?;
    let filters = params.filters()?;
    validate_subset(&filters, allowed_filters)?;
    let page = params.page(5, 1000)?;
    let now = Control::now(world);
    let scope = &ctx.scope;
    for id in &ids {
        find(world, scope, id, now)?;
    }
    paginate(world.spanning::<TransitGatewayAttachment>(), &page, |attachment| {
        attachment.visible_to(scope, now)
            && kind(attachment)
            && (ids.is_empty() || ids.contains(&attachment.id))
            && matches(&AttachmentView { attachment, scope, world }, &filters)
    })
}

pub(crate) fn describe_transit_gateway_vpc_attachments(
    world: &World,
    ctx: &Ctx,
    params: &Params,
    x: &mut Xml,
) -> Result {
    let allowed = ["state", "transit-gateway-attachment-id", "transit-gateway-id", "vpc-id"];
    let found = describe_attachments(world, ctx, params, &allowed, attachment::find_vpc, |a| a.vpc().is_some())?;
    x.list("transitGatewayVpcAttachments", &found.items, |x, attachment| {
        render_vpc_attachment(x, attachment, attachment.state.code(), &ctx.scope)
    });
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn describe_transit_gateway_attachments(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let allowed = [
        "association.state",
        "association.transit-gateway-route-table-id",
        "resource-id",
        "resource-owner-id",
        "resource-type",
        "state",
        "transit-gateway-attachment-id",
        "transit-gateway-id",
        "transit-gateway-owner-id",
    ];
    let found = describe_attachments(world, ctx, params, &allowed, attachment::find_visible, |_| true)?;
    let scope = &ctx.scope;
    x.list("transitGatewayAttachments", &found.items, |x, attachment| {
        let view = AttachmentView { attachment, scope, world };
        let gateway_id = view.gateway_id();
        let (resource_owner, gateway_owner) = attachment.owners_from(gateway_id);
        x.text("transitGatewayAttachmentId", &attachment.id)
            .text("transitGatewayId", gateway_id)
            .text("transitGatewayOwnerId", gateway_owner)
            .text("resourceOwnerId", resource_owner)
            .text("resourceType", attachment.resource_type())
            .text("resourceId", attachment.resource_id_from(gateway_id))
            .text("state", attachment.state.code());
        if let Some(table_id) = view.association() {
            x.nested("association", |x| {
                x.text("transitGatewayRouteTableId", table_id).text("state", "associated");
            });
        }
        x.text("creationTime", &attachment.created_at.to_iso8601()).tag_set(attachment.tags_for(scope));
    });
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

/// `TransitGatewayPeeringAttachment`, in `state`.
fn render_peering(x: &mut Xml, attachment: &TransitGatewayAttachment, state: &str, scope: &Scope) {
    let AttachmentResource::Peering(peer) = &attachment.resource else { return };
    x.text("transitGatewayAttachmentId", &attachment.id)
        .nested("requesterTgwInfo", |x| {
            x.text("transitGatewayId", &attachment.transit_gateway_id)
                .text("ownerId", &attachment.transit_gateway_account)
                .text("region", &attachment.region);
        })
        .nested("accepterTgwInfo", |x| {
            x.text("transitGatewayId", &peer.transit_gateway_id)
                .text("ownerId", &peer.account)
                .text("region", &peer.region);
        })
        .nested("options", |x| {
            x.text("dynamicRouting", "disable");
        })
        .nested("status", |x| {
            x.text("code", state).text("message", &peering::status_message(attachment, state));
        })
        .text("state", state)
        .text("creationTime", &attachment.created_at.to_iso8601())
        .tag_set(attachment.tags_for(scope));
}

pub(crate) fn create_transit_gateway_peering_attachment(
    tx: &mut Tx,
    ctx: &Ctx,
    params: &Params,
    x: &mut Xml,
) -> Result {
    let request = CreatePeeringAttachment {
        transit_gateway_id: params.required("TransitGatewayId")?.to_string(),
        peer_transit_gateway_id: params.required("PeerTransitGatewayId")?.to_string(),
        peer_account_id: params.required("PeerAccountId")?.to_string(),
        peer_region: params.required("PeerRegion")?.to_string(),
        tags: params.tag_specifications("transit-gateway-attachment")?,
    };
    let attachment = peering::create(tx, &ctx.scope, request)?;
    let state = attachment.created_state();
    x.nested("transitGatewayPeeringAttachment", |x| render_peering(x, &attachment, state, &ctx.scope));
    Ok(())
}

pub(crate) fn accept_transit_gateway_peering_attachment(
    tx: &mut Tx,
    ctx: &Ctx,
    params: &Params,
    x: &mut Xml,
) -> Result {
    let attachment = peering::accept(tx, &ctx.scope, attachment_id(params)?)?;
    x.nested("transitGatewayPeeringAttachment", |x| render_peering(x, &attachment, "pending", &ctx.scope));
    Ok(())
}

pub(crate) fn reject_transit_gateway_peering_attachment(
    tx: &mut Tx,
    ctx: &Ctx,
    params: &Params,
    x: &mut Xml,
) -> Result {
    let attachment = peering::reject(tx, &ctx.scope, attachment_id(params)?)?;
    x.nested("transitGatewayPeeringAttachment", |x| render_peering(x, &attachment, "rejecting", &ctx.scope));
    Ok(())
}

pub(crate) fn delete_transit_gateway_peering_attachment(
    tx: &mut Tx,
    ctx: &Ctx,
    params: &Params,
    x: &mut Xml,
) -> Result {
    let attachment = peering::delete(tx, &ctx.scope, attachment_id(params)?)?;
    x.nested("transitGatewayPeeringAttachment", |x| render_peering(x, &attachment, "deleting", &ctx.scope));
    Ok(())
}

pub(crate) fn describe_transit_gateway_peering_attachments(
    world: &World,
    ctx: &Ctx,
    params: &Params,
    x: &mut Xml,
) -> Result {
    let allowed = ["transit-gateway-attachment-id", "local-owner-id", "remote-owner-id", "state", "transit-gateway-id"];
    let is_peering = |a: &TransitGatewayAttachment| matches!(a.resource, AttachmentResource::Peering(_));
    let found = describe_attachments(world, ctx, params, &allowed, attachment::find_peering, is_peering)?;
    x.list("transitGatewayPeeringAttachments", &found.items, |x, attachment| {
        render_peering(x, attachment, attachment.state.code(), &ctx.scope)
    });
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}
