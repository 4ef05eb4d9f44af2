//! VPN attachments (part 2 §15.3): CreateVpnConnection with `TransitGatewayId` attaches the connection to the
//! gateway as an attachment of `resourceType` `vpn`, which follows the gateway's default association and
//! propagation; the prefixes the connection learns over BGP propagate into the tables it propagates to, and a static
//! connection is reached through `CreateTransitGatewayRoute` to the attachment. DeleteVpnConnection ends it.
//!
//! The connection is read from its region's table by field: this module does not import `vpn_connection`, which
//! calls it.

use ipnet::Ipv4Net;

use super::attachment::{self, AttachmentResource, AttachmentState, TransitGatewayAttachment, VpnResource};
use super::route_table;
use crate::ids::IdKind;
use crate::tags::Tags;
use crate::world::{Scope, Tx, World};
use crate::Result;

/// Attaches VPN connection `vpn_connection_id` of `scope` to gateway `gateway_id`, which `scope` may use (checked by
/// the caller with `transit_gateway::find_usable`). ASSUMPTION (part 2 §15.3 [I]): the attachment is `available` at
/// once (its Create answer says `pending`), even across accounts — a VPN attachment needs no acceptance.
pub(crate) fn attach(tx: &mut Tx, scope: &Scope, gateway_id: &str, vpn_connection_id: &str) -> Result<String> {
    let gateway = super::find_usable(tx.world(), scope, gateway_id)?;
    let now = tx.now();
    let attachment = TransitGatewayAttachment {
        id: tx.next_id(IdKind::TransitGatewayAttachment),
        transit_gateway_id: gateway.id.clone(),
        transit_gateway_account: gateway.account.clone(),
        region: gateway.region.clone(),
        resource: AttachmentResource::Vpn(VpnResource {
            vpn_connection_id: vpn_connection_id.to_string(),
            account: scope.account.clone(),
        }),
        state: AttachmentState::Available,
        state_since: now,
        created_at: now,
        requester_tags: Tags::default(),
        accepter_tags: Tags::default(),
    };
    let id = attachment.id.clone();
    tx.put_spanning(attachment);
    route_table::apply_defaults(tx, &gateway.id, &id);
    Ok(id)
}

/// Ends the live attachment of VPN connection `vpn_connection_id` (the connection was deleted).
pub(crate) fn detach(tx: &mut Tx, vpn_connection_id: &str) {
    let live = tx.world().transit_gateway_attachments.values().find(|attachment| {
        attachment.is_live()
            && matches!(&attachment.resource, AttachmentResource::Vpn(vpn) if vpn.vpn_connection_id == vpn_connection_id)
    });
    if let Some(live) = live.map(|attachment| (**attachment).clone()) {
        attachment::end(tx, live, AttachmentState::Deleted);
    }
}

/// What a VPN attachment propagates: the prefixes its connection learns (its customer gateway's BGP prefixes while
/// a tunnel is up).
pub(super) fn propagated_prefixes(world: &World, region: &str, vpn: &VpnResource) -> Vec<Ipv4Net> {
    let region = world.region(&Scope::new(&vpn.account, region));
    region
        .vpn_connections
        .get(vpn.vpn_connection_id.as_str())
        .filter(|connection| !connection.options.static_routes_only)
        .map(|connection| connection.learned_prefixes(region))
        .unwrap_or_default()
}
