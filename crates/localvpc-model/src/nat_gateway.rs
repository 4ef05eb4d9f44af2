//! NAT gateways (part 2 §13): public ones with an Elastic IP, private ones without; the requester-managed
//! interface each holds in its subnet; AWS's asynchronous life (`pending → available | failed`,
//! `deleting → deleted`); and what a route to one means (`route_state`).
//!
//! Time is derived, not stored as a state: a gateway records when it was created, deleted, or why it failed, and
//! [`NatGateway::state_at`] says what AWS would show at a given instant. Creation answers `pending`; every read after
//! it sees `available` (or `failed`), so waiters succeed at once. Failed and deleted gateways stay listed for an
//! hour, as on AWS, then no read shows them.

mod addresses;
mod create;

pub use addresses::{assign, associate, disassociate, unassign, NatAddressChange, NatAddressRequest};
pub use create::{create, CreateNatGateway};

use std::net::Ipv4Addr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::tags::Tags;
use crate::world::{RegionState, Resource, Scope, Table, Timestamp, Tx};
use crate::{NatGatewayError, Result};

/// Part 2 §13.1 [D]: a gateway holds at most 8 private addresses (the primary and 7 secondary).
const MAX_ADDRESSES: usize = 8;

/// Part 2 §13.1 [D]: failed and deleted gateways stay visible for about an hour.
pub const LINGER_MS: u64 = 60 * 60 * 1000;

/// A NAT gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NatGateway {
    /// `nat-…`.
    pub id: String,
    /// Its subnet.
    pub subnet_id: String,
    /// The subnet's VPC.
    pub vpc_id: String,
    /// `public` (internet through an internet gateway, with an Elastic IP) or `private`.
    pub connectivity: Connectivity,
    /// `createTime`.
    pub created: Timestamp,
    /// `deleteTime`, once DeleteNatGateway ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<Timestamp>,
    /// Why creation failed (part 2 §13.1: found after the answer, shown on the resource).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<NatFailure>,
    /// Its addresses, the primary first.
    pub addresses: Vec<NatAddress>,
    /// `ClientToken` of the CreateNatGateway that made it (a repeat with the same token answers this gateway).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// Tags.
    pub tags: Tags,
}

/// `connectivityType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Connectivity {
    /// Reaches the internet through the VPC's internet gateway, which maps its private address to an Elastic IP.
    Public,
    /// Reaches other networks (transit gateway, VPN) from its private address only.
    Private,
}

impl Connectivity {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Connectivity::Public => "public",
            Connectivity::Private => "private",
        }
    }

    /// Reads `ConnectivityType` (absent: `public`, AWS's default).
    pub fn parse(text: Option<&str>) -> Result<Connectivity> {
        match text {
            None | Some("public") => Ok(Connectivity::Public),
            Some("private") => Ok(Connectivity::Private),
            Some(other) => Err(NatGatewayError::InvalidConnectivityType(other.to_string()).into()),
        }
    }
}

/// One address of a NAT gateway (`natGatewayAddressSet/item`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NatAddress {
    /// The Elastic IP, for a public gateway.
    pub allocation_id: Option<String>,
    /// The gateway's interface holding the private address (absent when creation failed before making it).
    pub network_interface_id: Option<String>,
    /// The private address.
    pub private_ip: Option<Ipv4Addr>,
    /// The Elastic IP's address.
    pub public_ip: Option<Ipv4Addr>,
    /// The Elastic IP's association with the interface.
    pub association_id: Option<String>,
    /// The gateway's primary address.
    pub is_primary: bool,
}

/// Why a gateway failed, in AWS's words (part 2 §13.1 table [D bc, O]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NatFailure {
    /// `failureCode`.
    pub code: String,
    /// `failureMessage`.
    pub message: String,
}

impl NatFailure {
    /// `Gateway.NotAttached` [O giantswarm/aws-operator#1234].
    pub fn no_internet_gateway(vpc_id: &str) -> Self {
        NatFailure {
            code: "Gateway.NotAttached".into(),
            message: format!("Network {vpc_id} has no Internet gateway attached"),
        }
    }

    /// `InvalidAllocationID.NotFound` [D bc].
    pub fn allocation_not_found(allocation_id: &str) -> Self {
        NatFailure {
            code: "InvalidAllocationID.NotFound".into(),
            message: format!("Elastic IP address {allocation_id} could not be associated with this NAT gateway"),
        }
    }

    /// `Resource.AlreadyAssociated` [O hashicorp/terraform#13836].
    pub fn allocation_in_use(allocation_id: &str) -> Self {
        NatFailure {
            code: "Resource.AlreadyAssociated".into(),
            message: format!("Elastic IP address {allocation_id} is already associated"),
        }
    }

    /// `InsufficientFreeAddressesInSubnet` [D bc].
    pub fn subnet_full() -> Self {
        NatFailure {
            code: "InsufficientFreeAddressesInSubnet".into(),
            message: "Subnet has insufficient free addresses to create this NAT gateway".into(),
        }
    }
}

/// `state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NatGatewayState {
    /// Being created (only the Create answer shows it).
    Pending,
    /// Working.
    Available,
    /// Creation failed; see `failureCode`.
    Failed,
    /// Deleted.
    Deleted,
}

impl NatGatewayState {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            NatGatewayState::Pending => "pending",
            NatGatewayState::Available => "available",
            NatGatewayState::Failed => "failed",
            NatGatewayState::Deleted => "deleted",
        }
    }
}

impl NatGateway {
    /// What AWS shows at `now` (a gateway is never `pending` to a read: see the module doc).
    pub fn state_at(&self, _now: Timestamp) -> NatGatewayState {
        if self.deleted.is_some() {
            NatGatewayState::Deleted
        } else if self.failure.is_some() {
            NatGatewayState::Failed
        } else {
            NatGatewayState::Available
        }
    }

    /// Whether reads still list it at `now`: failed and deleted gateways linger for [`LINGER_MS`].
    pub fn visible_at(&self, now: Timestamp) -> bool {
        let gone_since = self.deleted.or(self.failure.as_ref().map(|_| self.created));
        gone_since.is_none_or(|since| now.0 < since.0.saturating_add(LINGER_MS))
    }

    /// Carries traffic: available (a route to it is `active`).
    pub fn is_available(&self) -> bool {
        self.deleted.is_none() && self.failure.is_none()
    }

    /// The interface holding its primary address.
    pub fn network_interface_id(&self) -> Option<&str> {
        self.addresses.iter().find(|address| address.is_primary).and_then(|a| a.network_interface_id.as_deref())
    }

    /// The primary private address.
    pub fn private_ip(&self) -> Option<Ipv4Addr> {
        self.addresses.iter().find(|address| address.is_primary).and_then(|address| address.private_ip)
    }
}

impl Resource for NatGateway {
    const KIND: &'static str = "nat_gateway";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.nat_gateways
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.nat_gateways
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
}

/// A gateway reads still show at `now`, checking the ID's shape first.
pub fn find(region: &RegionState, nat_gateway_id: &str, now: Timestamp) -> Result<Arc<NatGateway>> {
    IdKind::NatGateway.check(nat_gateway_id)?;
    region
        .nat_gateways
        .get(nat_gateway_id)
        .filter(|nat| nat.visible_at(now))
        .cloned()
        .ok_or_else(|| NatGatewayError::NotFound(nat_gateway_id.to_string()).into())
}

/// DeleteNatGateway (part 2 §13.1 [D]): the gateway is `deleted` (listed for an hour), its interface goes, and its
/// Elastic IPs are disassociated but stay allocated; routes to it turn `blackhole`.
///
/// ASSUMPTION (part 2 §13.1 [I]): deleting a gateway that is already deleted or failed, while it still shows,
/// answers its ID again and changes nothing, as repeated deletes of other EC2 resources do.
pub fn delete(tx: &mut Tx, scope: &Scope, nat_gateway_id: &str) -> Result<()> {
    let nat = find(tx.region(scope), nat_gateway_id, tx.now())?;
    if !nat.is_available() {
        return Ok(());
    }
    for interface_id in nat.addresses.iter().filter_map(|address| address.network_interface_id.as_deref()) {
        crate::address::forget_interface(tx, scope, interface_id);
        tx.remove::<crate::network_interface::NetworkInterface>(scope, interface_id);
    }
    let now = tx.now();
    tx.update::<NatGateway>(scope, nat_gateway_id, |nat| nat.deleted = Some(now));
    Ok(())
}

/// The available NAT gateways of a VPC's subnet (the engine forwards through them).
pub fn available_in(region: &RegionState) -> impl Iterator<Item = &Arc<NatGateway>> {
    region.nat_gateways.values().filter(|nat| nat.is_available())
}

/// A NAT gateway seen at an instant, for filters that depend on its state.
pub struct NatGatewayView<'a> {
    /// The gateway.
    pub nat: &'a NatGateway,
    /// The instant of the read.
    pub now: Timestamp,
}

impl Filterable for NatGatewayView<'_> {
    const FILTERS: &'static [&'static str] = &["nat-gateway-id", "state", "subnet-id", "vpc-id"];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        match name {
            "nat-gateway-id" => out.push(self.nat.id.clone()),
            "state" => out.push(self.nat.state_at(self.now).as_str().to_string()),
            "subnet-id" => out.push(self.nat.subnet_id.clone()),
            "vpc-id" => out.push(self.nat.vpc_id.clone()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.nat.tags)
    }
}
