//! Egress-only internet gateway actions (part 2 §16.2): Create, Describe, Delete.

use localvpc_model::egress_only_internet_gateway::{
    self, CreateEgressOnlyInternetGateway, EgressOnlyInternetGateway, ATTACHMENT_STATE,
};
use localvpc_model::filter::{matches, validate};
use localvpc_model::ids::IdKind;
use localvpc_model::{Ec2Error, Ipv6Error, Tx, World};

use super::{select, Ctx};
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

/// `<egressOnlyInternetGateway>` content (botocore `EgressOnlyInternetGateway`).
fn render_gateway(x: &mut Xml, gateway: &EgressOnlyInternetGateway) {
    x.text("egressOnlyInternetGatewayId", &gateway.id)
        .list("attachmentSet", [&gateway.vpc_id], |x, vpc_id| {
            x.text("state", ATTACHMENT_STATE).text("vpcId", vpc_id);
        })
        .tag_set(&gateway.tags);
}

pub(crate) fn create_egress_only_internet_gateway(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let request = CreateEgressOnlyInternetGateway {
        vpc_id: params.required("VpcId")?.to_string(),
        client_token: params.get("ClientToken").map(str::to_string),
        tags: params.tag_specifications("egress-only-internet-gateway")?,
    };
    let gateway = egress_only_internet_gateway::create(tx, &ctx.scope, request)?;
    x.optional("clientToken", gateway.client_token.as_deref());
    x.nested("egressOnlyInternetGateway", |x| render_gateway(x, &gateway));
    Ok(())
}

fn not_found(ids: Vec<String>) -> Ec2Error {
    Ipv6Error::EgressOnlyGatewayNotFound(ids).into()
}

pub(crate) fn describe_egress_only_internet_gateways(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = params.list("EgressOnlyInternetGatewayId")?;
    let filters = params.filters()?;
    validate::<EgressOnlyInternetGateway>(&filters)?;
    // botocore: MaxResults 5..255.
    let page = params.page(5, 255)?;
    let region = world.region(&ctx.scope);
    let found = select(
        &region.egress_only_internet_gateways,
        &ids,
        IdKind::EgressOnlyInternetGateway,
        not_found,
        &page,
        |gateway| matches(gateway, &filters),
    )?;
    x.list("egressOnlyInternetGatewaySet", &found.items, |x, gateway| render_gateway(x, gateway));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn delete_egress_only_internet_gateway(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    egress_only_internet_gateway::delete(tx, &ctx.scope, params.required("EgressOnlyInternetGatewayId")?)?;
    x.value("returnCode", true);
    Ok(())
}
