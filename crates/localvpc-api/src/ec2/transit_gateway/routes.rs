//! Transit gateway route actions (part 2 §14.1): CreateTransitGatewayRoute, DeleteTransitGatewayRoute,
//! ReplaceTransitGatewayRoute and SearchTransitGatewayRoutes.

use localvpc_model::transit_gateway::routes::{self, Route};
use localvpc_model::{Ec2Error, Tx, World};

use super::super::Ctx;
use crate::params::Params;
use crate::xml::Xml;

type Result<T = ()> = std::result::Result<T, Ec2Error>;

/// `TransitGatewayRoute` (part 2 §9 item 2: its attachments are `<transitGatewayAttachments>`).
fn render_route(x: &mut Xml, route: &Route) {
    x.value("destinationCidrBlock", route.destination);
    if let Some(attachment) = &route.attachment {
        x.list("transitGatewayAttachments", [attachment], |x, attachment| {
            x.text("resourceId", &attachment.resource_id)
                .text("transitGatewayAttachmentId", &attachment.attachment_id)
                .text("resourceType", attachment.resource_type);
        });
    }
    x.text("type", route.route_type.code()).text("state", route.state.code());
}

/// The parameters Create and Replace share.
fn route_parameters(params: &Params) -> Result<(&str, &str, Option<&str>, bool)> {
    Ok((
        params.required("TransitGatewayRouteTableId")?,
        params.required("DestinationCidrBlock")?,
        params.get("TransitGatewayAttachmentId"),
        params.bool("Blackhole")?.unwrap_or(false),
    ))
}

pub(crate) fn create_transit_gateway_route(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let (table_id, destination, attachment_id, blackhole) = route_parameters(params)?;
    let route = routes::create(tx, &ctx.scope, table_id, destination, attachment_id, blackhole)?;
    x.nested("route", |x| render_route(x, &route));
    Ok(())
}

pub(crate) fn replace_transit_gateway_route(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let (table_id, destination, attachment_id, blackhole) = route_parameters(params)?;
    let route = routes::replace(tx, &ctx.scope, table_id, destination, attachment_id, blackhole)?;
    x.nested("route", |x| render_route(x, &route));
    Ok(())
}

pub(crate) fn delete_transit_gateway_route(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let table_id = params.required("TransitGatewayRouteTableId")?;
    let route = routes::delete(tx, &ctx.scope, table_id, params.required("DestinationCidrBlock")?)?;
    x.nested("route", |x| render_route(x, &route));
    Ok(())
}

pub(crate) fn search_transit_gateway_routes(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let table_id = params.required("TransitGatewayRouteTableId")?;
    let filters = params.filters()?;
    if filters.is_empty() {
        return Err(Ec2Error::MissingParameter("Filters".into()));
    }
    let page = params.page(5, 1000)?;
    let (found, more) = routes::search(world, &ctx.scope, table_id, &filters, page.max_results.unwrap_or(1000))?;
    x.list("routeSet", &found, render_route);
    x.value("additionalRoutesAvailable", more);
    Ok(())
}
