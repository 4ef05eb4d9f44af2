//! VPC peering actions: Create, Accept, Reject, Delete, Describe, ModifyVpcPeeringConnectionOptions (spec §2.6).

use localvpc_model::filter::{matches, paginate, validate};
use localvpc_model::ids::IdKind;
use localvpc_model::vpc_peering::{
    self, CreatePeering, PeeringSide, PeeringStatus, PeeringView, SideOptions, VpcPeeringConnection,
};
use localvpc_model::{Ec2Error, Scope, Timestamp, Tx, World};

use super::{return_true, Ctx};
use crate::control::Control;
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

/// How much of a side `render_side` shows (spec §2.6 "Field visibility", decided by
/// [`PeeringStatus::field_visibility`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Detail {
    /// `ownerId`, `vpcId`, `region` only.
    Reduced,
    /// Plus `cidrBlock`, `cidrBlockSet` and `peeringOptions`.
    Full,
}

fn render_side(x: &mut Xml, tag: &str, side: &PeeringSide, world: &World, detail: Detail) {
    x.nested(tag, |x| {
        x.text("ownerId", &side.account).text("vpcId", &side.vpc_id).text("region", &side.region);
        let vpc = world.region(&side.scope()).vpcs.get(side.vpc_id.as_str()).cloned();
        if let (Detail::Full, Some(vpc)) = (detail, vpc) {
            x.value("cidrBlock", vpc.cidr_block)
                .list("cidrBlockSet", vpc.cidr_blocks(), |x, block| {
                    x.value("cidrBlock", block);
                })
                .list("ipv6CidrBlockSet", [(); 0], |_, _| {})
                .nested("peeringOptions", |x| {
                    x.value("allowDnsResolutionFromRemoteVpc", side.allow_dns_resolution_from_remote_vpc)
                        .value("allowEgressFromLocalClassicLinkToRemoteVpc", false)
                        .value("allowEgressFromLocalVpcToRemoteClassicLink", false);
                });
        }
    });
}

/// One connection as `scope` sees it with status `status` (the Create and Accept responses show transient ones).
fn render_pcx(x: &mut Xml, pcx: &VpcPeeringConnection, status: PeeringStatus, scope: &Scope, world: &World) {
    let shown = status.field_visibility();
    let detail = |full: bool| if full { Detail::Full } else { Detail::Reduced };
    let (requester_detail, accepter_detail, expiration) =
        (detail(shown.requester_full), detail(shown.accepter_full), shown.expiration_time);
    x.text("vpcPeeringConnectionId", &pcx.id);
    render_side(x, "requesterVpcInfo", &pcx.requester, world, requester_detail);
    render_side(x, "accepterVpcInfo", &pcx.accepter, world, accepter_detail);
    x.nested("status", |x| {
        x.text("code", status.code()).text("message", &pcx.status_message(status));
    });
    if expiration {
        x.text("expirationTime", &pcx.expiration_time().to_iso8601());
    }
    x.tag_set(pcx.tags_for(scope));
}

fn pcx_id(params: &Params) -> std::result::Result<&str, Ec2Error> {
    params.required("VpcPeeringConnectionId")
}

pub(crate) fn create_vpc_peering_connection(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let request = CreatePeering {
        vpc_id: params.required("VpcId")?.to_string(),
        peer_vpc_id: params.required("PeerVpcId")?.to_string(),
        peer_owner_id: params.get("PeerOwnerId").map(str::to_string),
        peer_region: params.get("PeerRegion").map(str::to_string),
        tags: params.tag_specifications("vpc-peering-connection")?,
    };
    let (pcx, is_new) = vpc_peering::create(tx, &ctx.scope, request)?;
    // Spec §2.6 [O]: the Create response of a new request says `initiating-request`.
    let status = if is_new { PeeringStatus::InitiatingRequest } else { pcx.status_at(tx.now()) };
    x.nested("vpcPeeringConnection", |x| render_pcx(x, &pcx, status, &ctx.scope, tx.world()));
    Ok(())
}

pub(crate) fn accept_vpc_peering_connection(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let pcx = vpc_peering::accept(tx, &ctx.scope, pcx_id(params)?)?;
    x.nested("vpcPeeringConnection", |x| render_pcx(x, &pcx, pcx.status, &ctx.scope, tx.world()));
    Ok(())
}

pub(crate) fn reject_vpc_peering_connection(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    vpc_peering::reject(tx, &ctx.scope, pcx_id(params)?)?;
    return_true(x);
    Ok(())
}

pub(crate) fn delete_vpc_peering_connection(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    vpc_peering::delete(tx, &ctx.scope, pcx_id(params)?)?;
    return_true(x);
    Ok(())
}

pub(crate) fn describe_vpc_peering_connections(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = params.list("VpcPeeringConnectionId")?;
    let filters = params.filters()?;
    validate::<PeeringView>(&filters)?;
    let page = params.page(5, 1000)?;
    let now: Timestamp = Control::now(world);
    let scope = &ctx.scope;
    for id in &ids {
        IdKind::VpcPeeringConnection.check(id)?;
        if !world.peerings().get(id.as_str()).is_some_and(|pcx| pcx.visible_to(scope, now)) {
            return Err(Ec2Error::VpcPeeringConnectionNotFound(id.clone()));
        }
    }
    let found = paginate(world.peerings(), &page, |pcx| {
        pcx.visible_to(scope, now)
            && (ids.is_empty() || ids.contains(&pcx.id))
            && matches(&PeeringView { pcx, scope, now, world }, &filters)
    })?;
    x.list("vpcPeeringConnectionSet", &found.items, |x, pcx| render_pcx(x, pcx, pcx.status_at(now), scope, world));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

fn side_options(params: &Params, prefix: &str) -> std::result::Result<Option<SideOptions>, Ec2Error> {
    let dns = params.bool(&format!("{prefix}.AllowDnsResolutionFromRemoteVpc"))?;
    let classic_link = params.get(&format!("{prefix}.AllowEgressFromLocalClassicLinkToRemoteVpc")).is_some()
        || params.get(&format!("{prefix}.AllowEgressFromLocalVpcToRemoteClassicLink")).is_some();
    if dns.is_none() && !classic_link {
        return Ok(None);
    }
    Ok(Some(SideOptions { allow_dns_resolution_from_remote_vpc: dns, classic_link }))
}

pub(crate) fn modify_vpc_peering_connection_options(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let id = pcx_id(params)?;
    let requester = side_options(params, "RequesterPeeringConnectionOptions")?;
    let accepter = side_options(params, "AccepterPeeringConnectionOptions")?;
    let (requester_dns, accepter_dns) = vpc_peering::modify_options(tx, &ctx.scope, id, requester, accepter)?;
    for (tag, value) in
        [("requesterPeeringConnectionOptions", requester_dns), ("accepterPeeringConnectionOptions", accepter_dns)]
    {
        if let Some(value) = value {
            x.nested(tag, |x| {
                x.value("allowDnsResolutionFromRemoteVpc", value)
                    .value("allowEgressFromLocalClassicLinkToRemoteVpc", false)
                    .value("allowEgressFromLocalVpcToRemoteClassicLink", false);
            });
        }
    }
    Ok(())
}
