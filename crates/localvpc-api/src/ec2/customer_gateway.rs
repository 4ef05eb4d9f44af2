//! Customer gateway actions (part 2 §15.1): Create, Describe, Delete.

use localvpc_model::customer_gateway::{self, CreateCustomerGateway, CustomerGateway};
use localvpc_model::{Ec2Error, Timestamp, Tx, World};

use super::{return_true, Ctx};
use crate::control::Control;
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

/// `<customerGateway>` content; `bgpAsn` is a string on the wire (botocore `CustomerGateway.BgpAsn`).
/// ASSUMPTION (part 2 §15.1 [I]): like CreateVpnGateway's recorded answer, CreateCustomerGateway's carries no empty
/// `tagSet` (the aws CLI reference's example shows none), while Describe does.
fn render_customer_gateway(x: &mut Xml, gateway: &CustomerGateway, now: Timestamp, create_answer: bool) {
    x.text("customerGatewayId", &gateway.id)
        .text("state", gateway.state_at(now).as_str())
        .text("type", customer_gateway::IPSEC_1)
        .value("ipAddress", gateway.ip_address)
        .value("bgpAsn", gateway.bgp_asn);
    if gateway.bgp_asn_extended {
        x.value("bgpAsnExtended", gateway.bgp_asn);
    }
    x.optional("deviceName", gateway.device_name.as_deref())
        .optional("certificateArn", gateway.certificate_arn.as_deref());
    if create_answer {
        x.tag_set_if_any(&gateway.tags);
    } else {
        x.tag_set(&gateway.tags);
    }
}

pub(crate) fn create_customer_gateway(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let request = CreateCustomerGateway {
        gateway_type: params.required("Type")?.to_string(),
        ip_address: params.get("IpAddress").or(params.get("PublicIp")).map(str::to_string),
        bgp_asn: params.int("BgpAsn")?,
        bgp_asn_extended: params.int("BgpAsnExtended")?,
        device_name: params.get("DeviceName").map(str::to_string),
        certificate_arn: params.get("CertificateArn").map(str::to_string),
        tags: params.tag_specifications("customer-gateway")?,
    };
    let gateway = customer_gateway::create(tx, &ctx.scope, request)?;
    let now = tx.now();
    x.nested("customerGateway", |x| render_customer_gateway(x, &gateway, now, true));
    Ok(())
}

pub(crate) fn describe_customer_gateways(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let now = Control::now(world);
    let ids = params.list("CustomerGatewayId")?;
    let found = customer_gateway::describe(world.region(&ctx.scope), &ids, &params.filters()?, now)?;
    x.list("customerGatewaySet", &found, |x, gateway| render_customer_gateway(x, gateway, now, false));
    Ok(())
}

pub(crate) fn delete_customer_gateway(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    customer_gateway::delete(tx, &ctx.scope, params.required("CustomerGatewayId")?)?;
    return_true(x);
    Ok(())
}
