//! Transit gateway attachments of every kind (part 2 §14.1): the stored value, its states, who sees it and the
//! DescribeTransitGatewayAttachments filters. How VPC attachments are made is `vpc_attachment.rs`, peering
//! attachments `peering.rs`.
//!
//! An attachment has two sides: the *requester* (the VPC's owner, or the peering's requesting gateway) and the
//! *accepter* (the gateway's owner, or the peer gateway's). Both see it, each with its own tags; for an attachment
//! within one account and Region the two sides are the same scope.

use serde::{Deserialize, Serialize};

use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::index::WorldIndex;
use crate::tags::Tags;
use crate::world::{Scope, SpanningResource, Table, Timestamp, World};
use crate::{Ec2Error, Result, TransitGatewayError};

/// One attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitGatewayAttachment {
    /// `tgw-attach-…`.
    pub id: String,
    /// The gateway it attaches to (for a peering, the requester's gateway).
    pub transit_gateway_id: String,
    /// That gateway's owner.
    pub transit_gateway_account: String,
    /// That gateway's Region.
    pub region: String,
    /// What is attached.
    pub resource: AttachmentResource,
    /// The stored state (the transient ones show only in the answer of the call that starts them).
    pub state: AttachmentState,
    /// When the stored state was entered.
    pub state_since: Timestamp,
    /// When it was created.
    pub created_at: Timestamp,
    /// The requester's tags.
    pub requester_tags: Tags,
    /// The accepter's tags.
    pub accepter_tags: Tags,
}

/// What an attachment joins its gateway to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttachmentResource {
    /// A VPC in the gateway's Region.
    Vpc(VpcResource),
    /// Another transit gateway (`resourceType` `peering`).
    Peering(PeerGateway),
    /// A site-to-site VPN connection that ends on the gateway (`resourceType` `vpn`, part 2 §15.3).
    Vpn(VpnResource),
}

/// The VPN side of a VPN attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpnResource {
    /// The connection (`resourceId`).
    pub vpn_connection_id: String,
    /// Its owner (`resourceOwnerId`).
    pub account: String,
}

/// The VPC side of a VPC attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcResource {
    /// The VPC.
    pub vpc_id: String,
    /// Its owner (`vpcOwnerId`).
    pub account: String,
    /// One subnet per Availability Zone the attachment serves, in request order.
    pub subnet_ids: Vec<String>,
    /// `options`.
    pub options: VpcAttachmentOptions,
    /// The requester-managed interfaces, one per subnet (part 2 §11.5).
    pub interface_ids: Vec<String>,
}

/// The options of a VPC attachment (part 2 §14.1 [D bc], with AWS's defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcAttachmentOptions {
    /// `dnsSupport` (default enable).
    pub dns_support: bool,
    /// `securityGroupReferencingSupport` (default: the gateway's).
    pub security_group_referencing_support: bool,
    /// `ipv6Support` (default disable).
    pub ipv6_support: bool,
    /// `applianceModeSupport` (default disable).
    pub appliance_mode_support: bool,
}

/// The peer of a peering attachment: the accepter's gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerGateway {
    /// The peer gateway.
    pub transit_gateway_id: String,
    /// Its owner.
    pub account: String,
    /// Its Region.
    pub region: String,
}

/// The states an attachment is stored in (part 2 §14.1 [D bc]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttachmentState {
    /// Waiting for the accepter.
    PendingAcceptance,
    /// Carrying traffic.
    Available,
    /// Rejected by the accepter.
    Rejected,
    /// Deleted by either side.
    Deleted,
    /// A peering whose peer gateway does not exist.
    Failed,
}

impl AttachmentState {
    /// The wire spelling.
    pub fn code(self) -> &'static str {
        match self {
            AttachmentState::PendingAcceptance => "pendingAcceptance",
            AttachmentState::Available => "available",
            AttachmentState::Rejected => "rejected",
            AttachmentState::Deleted => "deleted",
            AttachmentState::Failed => "failed",
        }
    }
}

/// Part 2 §14.1 [D]: failed, rejected and deleted attachments stay visible for two hours.
const TERMINAL_VISIBLE_MS: u64 = 2 * 3_600_000;

impl SpanningResource for TransitGatewayAttachment {
    const KIND: &'static str = "transit_gateway_attachment";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(world: &World) -> &Table<Self> {
        &world.transit_gateway_attachments
    }
    fn table_mut(world: &mut World) -> &mut Table<Self> {
        &mut world.transit_gateway_attachments
    }
    fn reindex(index: &mut WorldIndex, old: Option<&Self>, new: Option<&Self>) {
        // The old value is forgotten first, so a value that stays live is recorded again by the new one.
        for (attachment, stored) in [(old, false), (new, true)] {
            let Some(attachment) = attachment else { continue };
            if let Some(vpc) = attachment.vpc() {
                index.set_live_vpc_attachment(&vpc.vpc_id, &attachment.id, stored && attachment.is_live());
            }
        }
    }
}

impl TransitGatewayAttachment {
    /// The requester's scope: the VPC's owner, or the requesting gateway's.
    pub fn requester_scope(&self) -> Scope {
        match &self.resource {
            AttachmentResource::Vpc(vpc) => Scope::new(&vpc.account, &self.region),
            AttachmentResource::Vpn(vpn) => Scope::new(&vpn.account, &self.region),
            AttachmentResource::Peering(_) => Scope::new(&self.transit_gateway_account, &self.region),
        }
    }

    /// The accepter's scope: the gateway's owner, or the peer gateway's.
    pub fn accepter_scope(&self) -> Scope {
        match &self.resource {
            AttachmentResource::Vpc(_) | AttachmentResource::Vpn(_) => {
                Scope::new(&self.transit_gateway_account, &self.region)
            }
            AttachmentResource::Peering(peer) => Scope::new(&peer.account, &peer.region),
        }
    }

    /// Whether `scope` is one of the two sides.
    pub fn involves(&self, scope: &Scope) -> bool {
        self.requester_scope() == *scope || self.accepter_scope() == *scope
    }

    /// Not rejected, deleted or failed: it still counts (duplicates, DeleteTransitGateway, DeleteVpc).
    pub fn is_live(&self) -> bool {
        matches!(self.state, AttachmentState::PendingAcceptance | AttachmentState::Available)
    }

    /// Whether `scope` sees it at `now`: a side, and not more than two hours past a terminal state.
    pub fn visible_to(&self, scope: &Scope, now: Timestamp) -> bool {
        self.involves(scope) && (self.is_live() || now.0 < self.state_since.0 + TERMINAL_VISIBLE_MS)
    }

    /// Whether it joins gateway `gateway_id` (either end of a peering).
    pub fn touches(&self, gateway_id: &str) -> bool {
        self.transit_gateway_id == gateway_id
            || matches!(&self.resource, AttachmentResource::Peering(peer) if peer.transit_gateway_id == gateway_id)
    }

    /// `resourceType`.
    pub fn resource_type(&self) -> &'static str {
        match self.resource {
            AttachmentResource::Vpc(_) => "vpc",
            AttachmentResource::Vpn(_) => "vpn",
            AttachmentResource::Peering(_) => "peering",
        }
    }

    /// The gateway `scope` sees it on: the peer gateway for a peering's accepter, else the gateway.
    pub fn local_gateway_id(&self, scope: &Scope) -> &str {
        match &self.resource {
            AttachmentResource::Peering(peer)
                if self.accepter_scope() == *scope && self.requester_scope() != *scope =>
            {
                &peer.transit_gateway_id
            }
            _ => &self.transit_gateway_id,
        }
    }

    /// `resourceId` seen from gateway `gateway_id`: the VPC, or the gateway at the other end of the peering.
    pub fn resource_id_from(&self, gateway_id: &str) -> &str {
        match &self.resource {
            AttachmentResource::Vpc(vpc) => &vpc.vpc_id,
            AttachmentResource::Vpn(vpn) => &vpn.vpn_connection_id,
            AttachmentResource::Peering(peer) if peer.transit_gateway_id == gateway_id => &self.transit_gateway_id,
            AttachmentResource::Peering(peer) => &peer.transit_gateway_id,
        }
    }

    /// `resourceOwnerId` and `transitGatewayOwnerId` seen from gateway `gateway_id`.
    pub fn owners_from(&self, gateway_id: &str) -> (&str, &str) {
        match &self.resource {
            AttachmentResource::Vpc(vpc) => (&vpc.account, &self.transit_gateway_account),
            AttachmentResource::Vpn(vpn) => (&vpn.account, &self.transit_gateway_account),
            AttachmentResource::Peering(peer) if peer.transit_gateway_id == gateway_id => {
                (&self.transit_gateway_account, &peer.account)
            }
            AttachmentResource::Peering(peer) => (&peer.account, &self.transit_gateway_account),
        }
    }

    /// The tags `scope` sees.
    pub fn tags_for(&self, scope: &Scope) -> &Tags {
        if self.requester_scope() == *scope {
            &self.requester_tags
        } else {
            &self.accepter_tags
        }
    }

    /// The tags `scope` sees, to change.
    pub fn tags_for_mut(&mut self, scope: &Scope) -> &mut Tags {
        if self.requester_scope() == *scope {
            &mut self.requester_tags
        } else {
            &mut self.accepter_tags
        }
    }

    /// The VPC side, for a VPC attachment.
    pub fn vpc(&self) -> Option<&VpcResource> {
        match &self.resource {
            AttachmentResource::Vpc(vpc) => Some(vpc),
            AttachmentResource::Peering(_) | AttachmentResource::Vpn(_) => None,
        }
    }

    /// The state the Create answer shows (part 2 §14.1, §14.3 [D bc]): a VPC attachment AWS provisions is `pending`,
    /// a peering request `initiatingRequest`; one waiting for acceptance, or failed, shows as stored.
    pub fn created_state(&self) -> &'static str {
        match (&self.resource, self.state) {
            (AttachmentResource::Vpc(_) | AttachmentResource::Vpn(_), AttachmentState::Available) => "pending",
            (AttachmentResource::Peering(_), AttachmentState::PendingAcceptance) => "initiatingRequest",
            (_, state) => state.code(),
        }
    }

    /// The refusal of an action this attachment's state does not allow.
    pub fn incorrect_state(&self) -> Ec2Error {
        TransitGatewayError::AttachmentIncorrectState { id: self.id.clone(), state: self.state.code() }.into()
    }

    /// This attachment, if `scope` may `verb` (accept or reject) it: its accepter's side (for a VPC attachment the
    /// gateway's owner; for a peering the peer's account *and* Region), while it waits for acceptance.
    pub(super) fn pending_for(self, scope: &Scope, verb: &'static str) -> Result<TransitGatewayAttachment> {
        if self.accepter_scope() != *scope {
            return Err(TransitGatewayError::NotAccepter { verb, id: self.id.clone() }.into());
        }
        if self.state != AttachmentState::PendingAcceptance {
            return Err(self.incorrect_state());
        }
        Ok(self)
    }
}

fn not_found(noun: &'static str, id: &str) -> Ec2Error {
    TransitGatewayError::AttachmentNotFound { noun, id: id.to_string() }.into()
}

/// An attachment of any kind `scope` sees.
pub fn find_visible(world: &World, scope: &Scope, id: &str, now: Timestamp) -> Result<TransitGatewayAttachment> {
    IdKind::TransitGatewayAttachment.check(id)?;
    world
        .transit_gateway_attachments
        .get(id)
        .filter(|attachment| attachment.visible_to(scope, now))
        .map(|attachment| (**attachment).clone())
        .ok_or_else(|| not_found("VPC", id))
}

/// A VPC attachment `scope` sees (the VPC-attachment actions refuse a peering attachment as unknown).
pub fn find_vpc(world: &World, scope: &Scope, id: &str, now: Timestamp) -> Result<TransitGatewayAttachment> {
    find_visible(world, scope, id, now).and_then(|attachment| match attachment.resource {
        AttachmentResource::Vpc(_) => Ok(attachment),
        AttachmentResource::Peering(_) | AttachmentResource::Vpn(_) => Err(not_found("VPC", id)),
    })
}

/// A peering attachment `scope` sees.
pub fn find_peering(world: &World, scope: &Scope, id: &str, now: Timestamp) -> Result<TransitGatewayAttachment> {
    let attachment = match find_visible(world, scope, id, now) {
        Ok(attachment) => attachment,
        Err(_) => return Err(not_found("Peering", id)),
    };
    match attachment.resource {
        AttachmentResource::Peering(_) => Ok(attachment),
        AttachmentResource::Vpc(_) | AttachmentResource::Vpn(_) => Err(not_found("Peering", id)),
    }
}

/// Tags on an attachment (CreateTags/DeleteTags with a `tgw-attach-` ID): each side tags its own view.
pub fn edit_tags(
    tx: &mut crate::Tx,
    scope: &Scope,
    id: &str,
    change: &mut dyn FnMut(&mut Tags) -> Result<()>,
) -> Result<()> {
    let mut attachment = find_visible(tx.world(), scope, id, tx.now())?;
    change(attachment.tags_for_mut(scope))?;
    tx.put_spanning(attachment);
    Ok(())
}

/// An attachment as `scope` sees it at a time, for the Describe filters of every attachment action.
pub struct AttachmentView<'a> {
    /// The attachment.
    pub attachment: &'a TransitGatewayAttachment,
    /// The caller.
    pub scope: &'a Scope,
    /// The world (for the association).
    pub world: &'a World,
}

impl AttachmentView<'_> {
    /// The gateway the caller sees the attachment on.
    pub fn gateway_id(&self) -> &str {
        self.attachment.local_gateway_id(self.scope)
    }

    /// The table of the caller's gateway the attachment is associated with.
    pub fn association(&self) -> Option<&str> {
        super::route_table::associated_table(self.world, self.gateway_id(), &self.attachment.id)
            .map(|table| table.id.as_str())
    }
}

/// DescribeTransitGatewayAttachments' filters (part 2 §14.1 [D bc]); DescribeTransitGatewayVpcAttachments and
/// …PeeringAttachments accept their own subsets, listed in the handler's validation.
pub const ATTACHMENT_FILTERS: &[&str] = &[
    "association.state",
    "association.transit-gateway-route-table-id",
    "resource-id",
    "resource-owner-id",
    "resource-type",
    "state",
    "transit-gateway-attachment-id",
    "transit-gateway-id",
    "transit-gateway-owner-id",
    "vpc-id",
    "local-owner-id",
    "remote-owner-id",
];

impl Filterable for AttachmentView<'_> {
    const FILTERS: &'static [&'static str] = ATTACHMENT_FILTERS;
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let attachment = self.attachment;
        let gateway_id = self.gateway_id();
        let (resource_owner, gateway_owner) = attachment.owners_from(gateway_id);
        match name {
            "association.state" => out.extend(self.association().map(|_| "associated".to_string())),
            "association.transit-gateway-route-table-id" => out.extend(self.association().map(str::to_string)),
            "resource-id" => out.push(attachment.resource_id_from(gateway_id).to_string()),
            "resource-owner-id" | "remote-owner-id" => out.push(resource_owner.to_string()),
            "resource-type" => out.push(attachment.resource_type().into()),
            "state" => out.push(attachment.state.code().into()),
            "transit-gateway-attachment-id" => out.push(attachment.id.clone()),
            "transit-gateway-id" => out.push(gateway_id.to_string()),
            "transit-gateway-owner-id" | "local-owner-id" => out.push(gateway_owner.to_string()),
            "vpc-id" => out.extend(attachment.vpc().map(|vpc| vpc.vpc_id.clone())),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(self.attachment.tags_for(self.scope))
    }
}

/// Ends an attachment: the state, its place in route tables, its interfaces (part 2 §14.3 [D]: either side may
/// delete; the accepter rejects).
pub(crate) fn end(tx: &mut crate::Tx, mut attachment: TransitGatewayAttachment, state: AttachmentState) {
    attachment.state = state;
    attachment.state_since = tx.now();
    super::route_table::forget_attachment(tx, &attachment.id);
    super::vpc_attachment::release_interfaces(tx, &mut attachment);
    tx.put_spanning(attachment);
}
