//! NAT gateway actions (part 2 §13.1): Create, Describe, Delete.

use localvpc_model::filter::{matches, paginate, validate};
use localvpc_model::ids::IdKind;
use localvpc_model::nat_gateway::{
    self, CreateNatGateway, NatAddress, NatAddressChange, NatAddressRequest, NatGateway, NatGatewayState,
    NatGatewayView,
};
use localvpc_model::tags::Tags;
use localvpc_model::{Ec2Error, NatGatewayError, Timestamp, Tx, World};

use super::Ctx;
use crate::control::Control;
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

/// `<natGateway>` content in the state `state` (botocore's `NatGateway` shape).
fn render_nat_gateway(x: &mut Xml, nat: &NatGateway, state: NatGatewayState) {
    let address_status = if state == NatGatewayState::Failed { "failed" } else { "succeeded" };
    x.text("createTime", &nat.created.to_iso8601())
        .optional("deleteTime", nat.deleted.map(Timestamp::to_iso8601).as_deref())
        .optional("failureCode", nat.failure.as_ref().map(|failure| failure.code.as_str()))
        .optional("failureMessage", nat.failure.as_ref().map(|failure| failure.message.as_str()))
        .list("natGatewayAddressSet", &nat.addresses, |x, address| render_address(x, address, address_status))
        .text("natGatewayId", &nat.id)
        .text("state", state.as_str())
        .text("subnetId", &nat.subnet_id)
        .text("vpcId", &nat.vpc_id)
        .tag_set(&nat.tags)
        .text("connectivityType", nat.connectivity.as_str());
}

/// One `natGatewayAddressSet/item` with its `status`.
fn render_address(x: &mut Xml, address: &NatAddress, status: &str) {
    x.optional("allocationId", address.allocation_id.as_deref())
        .optional("networkInterfaceId", address.network_interface_id.as_deref())
        .optional("privateIp", address.private_ip.map(|ip| ip.to_string()).as_deref())
        .optional("publicIp", address.public_ip.map(|ip| ip.to_string()).as_deref())
        .optional("associationId", address.association_id.as_deref())
        .value("isPrimary", address.is_primary)
        .text("status", status);
}

pub(crate) fn create_nat_gateway(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let secondary_count = params.int("SecondaryPrivateIpAddressCount")?;
    let request = CreateNatGateway {
        subnet_id: params.required("SubnetId")?.to_string(),
        connectivity: params.get("ConnectivityType").map(str::to_string),
        allocation_id: params.get("AllocationId").map(str::to_string),
        private_ip: params.get("PrivateIpAddress").map(str::to_string),
        secondary_allocation_ids: params.list("SecondaryAllocationId")?,
        secondary_private_ips: params.list("SecondaryPrivateIpAddress")?,
        secondary_private_ip_count: secondary_count.map(|count| count.max(0) as usize),
        client_token: params.get("ClientToken").map(str::to_string),
        tags: Tags(params.tag_specifications("natgateway")?),
    };
    let nat = nat_gateway::create(tx, &ctx.scope, request)?;
    // Part 2 §13.1 [D]: a new gateway is `pending`; a failure is only seen by the reads after this answer.
    let state = if nat.created == tx.now() { NatGatewayState::Pending } else { nat.state_at(tx.now()) };
    x.optional("clientToken", nat.client_token.as_deref());
    x.nested("natGateway", |x| render_nat_gateway(x, &nat, state));
    Ok(())
}

pub(crate) fn describe_nat_gateways(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = params.list("NatGatewayId")?;
    let filters = params.filters()?;
    validate::<NatGatewayView>(&filters)?;
    let page = params.page(5, 1000)?;
    let now = Control::now(world);
    let region = world.region(&ctx.scope);
    for id in &ids {
        IdKind::NatGateway.check(id)?;
        if !region.nat_gateways.get(id.as_str()).is_some_and(|nat| nat.visible_at(now)) {
            return Err(NatGatewayError::NotFound(id.clone()).into());
        }
    }
    let found = paginate(&region.nat_gateways, &page, |nat| {
        nat.visible_at(now)
            && (ids.is_empty() || ids.contains(&nat.id))
            && matches(&NatGatewayView { nat, now }, &filters)
    })?;
    x.list("natGatewaySet", &found.items, |x, nat| render_nat_gateway(x, nat, nat.state_at(now)));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn delete_nat_gateway(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let nat_gateway_id = params.required("NatGatewayId")?;
    nat_gateway::delete(tx, &ctx.scope, nat_gateway_id)?;
    x.text("natGatewayId", nat_gateway_id);
    Ok(())
}

/// The addresses of an address call, decoded.
fn address_request(params: &Params) -> std::result::Result<NatAddressRequest, Ec2Error> {
    Ok(NatAddressRequest {
        allocation_ids: params.list("AllocationId")?,
        private_ips: params.list("PrivateIpAddress")?,
        count: params.int("PrivateIpAddressCount")?.map(|count| count.max(0) as usize),
        association_ids: params.list("AssociationId")?,
    })
}

/// Part 2 §13.1 [D bc]: an address call answers the gateway and the addresses it touched, each in the transitional
/// status AWS reports while it works (reads show the outcome).
fn render_change(x: &mut Xml, change: &NatAddressChange, status: &str) {
    x.text("natGatewayId", &change.nat.id)
        .list("natGatewayAddressSet", &change.touched, |x, address| render_address(x, address, status));
}

type AddressAction =
    fn(&mut Tx, &localvpc_model::Scope, &str, &NatAddressRequest) -> localvpc_model::Result<NatAddressChange>;

fn address_call(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml, action: AddressAction, status: &str) -> Result {
    let nat_gateway_id = params.required("NatGatewayId")?;
    let change = action(tx, &ctx.scope, nat_gateway_id, &address_request(params)?)?;
    render_change(x, &change, status);
    Ok(())
}

pub(crate) fn associate_nat_gateway_address(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    address_call(tx, ctx, params, x, nat_gateway::associate, "associating")
}

pub(crate) fn disassociate_nat_gateway_address(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    address_call(tx, ctx, params, x, nat_gateway::disassociate, "disassociating")
}

pub(crate) fn assign_private_nat_gateway_address(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    address_call(tx, ctx, params, x, nat_gateway::assign, "assigning")
}

pub(crate) fn unassign_private_nat_gateway_address(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    address_call(tx, ctx, params, x, nat_gateway::unassign, "unassigning")
}
