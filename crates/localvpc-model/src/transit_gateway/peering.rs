//! Transit gateway peering attachments (part 2 §14.3), control plane only: Create by the requesting gateway's
//! owner, Accept and Reject by the peer gateway's owner from the peer's Region only, Delete by either side. A
//! peering joins two gateways that may be in different accounts and Regions, hence the spanning table. Nothing is
//! associated or propagated by default: each side associates a table and adds its own static routes (§14.3 [D]).

use super::attachment::{self, AttachmentResource, AttachmentState, PeerGateway, TransitGatewayAttachment};
use super::find_owned;
use crate::availability_zone::REGIONS;
use crate::ids::IdKind;
use crate::tags::{Tag, Tags};
use crate::world::{Scope, Tx};
use crate::{Result, TransitGatewayError};

/// CreateTransitGatewayPeeringAttachment parameters.
#[derive(Debug, Clone, Default)]
pub struct CreatePeeringAttachment {
    /// `TransitGatewayId` (the caller's).
    pub transit_gateway_id: String,
    /// `PeerTransitGatewayId`.
    pub peer_transit_gateway_id: String,
    /// `PeerAccountId`.
    pub peer_account_id: String,
    /// `PeerRegion`.
    pub peer_region: String,
    /// Tags from `TagSpecification.N`.
    pub tags: Vec<Tag>,
}

/// CreateTransitGatewayPeeringAttachment (part 2 §14.3 [D]): the request waits in `pendingAcceptance` for the
/// peer's owner. A peer gateway that does not exist where the request says fails the attachment rather than the
/// call, as a VPC peering request to a missing VPC does (ASSUMPTION part 2 §14.3 [I]). One live peering per
/// gateway pair, whichever side asked.
pub fn create(tx: &mut Tx, scope: &Scope, request: CreatePeeringAttachment) -> Result<TransitGatewayAttachment> {
    let gateway = find_owned(tx.world(), scope, &request.transit_gateway_id)?;
    IdKind::TransitGateway.check(&request.peer_transit_gateway_id)?;
    if !REGIONS.iter().any(|region| region.name == request.peer_region) {
        return Err(TransitGatewayError::InvalidPeerRegion(request.peer_region.clone()).into());
    }
    let peer = PeerGateway {
        transit_gateway_id: request.peer_transit_gateway_id.clone(),
        account: request.peer_account_id.clone(),
        region: request.peer_region.clone(),
    };
    let duplicate = tx.world().transit_gateway_attachments.values().any(|attachment| {
        attachment.is_live()
            && matches!(attachment.resource, AttachmentResource::Peering(_))
            && attachment.touches(&gateway.id)
            && attachment.touches(&peer.transit_gateway_id)
    });
    if duplicate {
        return Err(TransitGatewayError::DuplicatePeeringAttachment(gateway.id.clone()).into());
    }
    crate::tags::validate(&request.tags)?;
    let peer_exists =
        tx.world().transit_gateways.get(peer.transit_gateway_id.as_str()).is_some_and(|other| {
            other.account == peer.account && other.region == peer.region && other.id != gateway.id
        });
    let now = tx.now();
    let attachment = TransitGatewayAttachment {
        id: tx.next_id(IdKind::TransitGatewayAttachment),
        transit_gateway_id: gateway.id.clone(),
        transit_gateway_account: gateway.account.clone(),
        region: gateway.region.clone(),
        resource: AttachmentResource::Peering(peer),
        state: if peer_exists { AttachmentState::PendingAcceptance } else { AttachmentState::Failed },
        state_since: now,
        created_at: now,
        requester_tags: Tags(request.tags),
        accepter_tags: Tags::default(),
    };
    tx.put_spanning(attachment.clone());
    Ok(attachment)
}

/// The attachment if `scope` may accept or reject it: the peer's side (its account *and* Region, even within one
/// account, §14.3 [D]), while it waits. The requester's side is refused with InvalidParameterValue (§14.3 [M]).
fn pending_for_accepter(tx: &Tx, scope: &Scope, id: &str, verb: &'static str) -> Result<TransitGatewayAttachment> {
    attachment::find_peering(tx.world(), scope, id, tx.now())?.pending_for(scope, verb)
}

/// AcceptTransitGatewayPeeringAttachment.
pub fn accept(tx: &mut Tx, scope: &Scope, id: &str) -> Result<TransitGatewayAttachment> {
    let mut attachment = pending_for_accepter(tx, scope, id, "accept")?;
    attachment.state = AttachmentState::Available;
    attachment.state_since = tx.now();
    tx.put_spanning(attachment.clone());
    Ok(attachment)
}

/// RejectTransitGatewayPeeringAttachment.
pub fn reject(tx: &mut Tx, scope: &Scope, id: &str) -> Result<TransitGatewayAttachment> {
    let attachment = pending_for_accepter(tx, scope, id, "reject")?;
    attachment::end(tx, attachment.clone(), AttachmentState::Rejected);
    Ok(tx.get_spanning::<TransitGatewayAttachment>(&attachment.id).map(|a| (*a).clone()).unwrap_or(attachment))
}

/// DeleteTransitGatewayPeeringAttachment: either side.
pub fn delete(tx: &mut Tx, scope: &Scope, id: &str) -> Result<TransitGatewayAttachment> {
    let now = tx.now();
    let attachment = attachment::find_peering(tx.world(), scope, id, now)?;
    if !attachment.is_live() {
        return Err(attachment.incorrect_state());
    }
    attachment::end(tx, attachment.clone(), AttachmentState::Deleted);
    Ok(tx.get_spanning::<TransitGatewayAttachment>(&attachment.id).map(|a| (*a).clone()).unwrap_or(attachment))
}

/// `status/message` of a peering attachment in `state` (the code is the state). ASSUMPTION (part 2 §14.3 [I]): no
/// public output shows the messages; these follow the VPC peering connection's.
pub fn status_message(attachment: &TransitGatewayAttachment, state: &str) -> String {
    let peer_account = match &attachment.resource {
        AttachmentResource::Peering(peer) => peer.account.as_str(),
        AttachmentResource::Vpc(_) | AttachmentResource::Vpn(_) => "",
    };
    match state {
        "initiatingRequest" => format!("Initiating Request to {peer_account}"),
        "pendingAcceptance" => format!("Pending Acceptance by {peer_account}"),
        "pending" => "Pending".into(),
        "available" => "Available".into(),
        "rejecting" | "rejected" => "Rejected".into(),
        "deleting" | "deleted" => "Deleted".into(),
        "failed" => "Failed: the peer transit gateway does not exist".into(),
        other => other.to_string(),
    }
}
