//! Internet gateway actions: Create, Describe, Attach, Detach, Delete.

use localvpc_model::filter::{matches, validate};
use localvpc_model::ids::IdKind;
use localvpc_model::internet_gateway::{self, InternetGateway};
use localvpc_model::{Ec2Error, Tx, World};

use super::{return_true, select, Ctx};
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

/// `<internetGateway>` content; the attachment state is `available` (spec §2.4 [D]).
fn render_igw(x: &mut Xml, igw: &InternetGateway) {
    x.text("internetGatewayId", &igw.id)
        .text("ownerId", &igw.owner_id)
        .list("attachmentSet", igw.attached_vpc.iter(), |x, vpc_id| {
            x.text("vpcId", vpc_id).text("state", "available");
        })
        .tag_set(&igw.tags);
}

pub(crate) fn create_internet_gateway(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let igw = internet_gateway::create(tx, &ctx.scope, params.tag_specifications("internet-gateway")?)?;
    x.nested("internetGateway", |x| render_igw(x, &igw));
    Ok(())
}

pub(crate) fn describe_internet_gateways(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = params.list("InternetGatewayId")?;
    let filters = params.filters()?;
    validate::<InternetGateway>(&filters)?;
    let page = params.page(5, 1000)?;
    let region = world.region(&ctx.scope);
    let found = select(
        &region.internet_gateways,
        &ids,
        IdKind::InternetGateway,
        Ec2Error::InternetGatewayNotFound,
        &page,
        |igw| matches(igw, &filters),
    )?;
    x.list("internetGatewaySet", &found.items, |x, igw| render_igw(x, igw));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn attach_internet_gateway(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let igw_id = params.required("InternetGatewayId")?;
    internet_gateway::attach(tx, &ctx.scope, igw_id, params.required("VpcId")?)?;
    return_true(x);
    Ok(())
}

pub(crate) fn detach_internet_gateway(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let igw_id = params.required("InternetGatewayId")?;
    internet_gateway::detach(tx, &ctx.scope, igw_id, params.required("VpcId")?)?;
    return_true(x);
    Ok(())
}

pub(crate) fn delete_internet_gateway(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    internet_gateway::delete(tx, &ctx.scope, params.required("InternetGatewayId")?)?;
    return_true(x);
    Ok(())
}
