//! Virtual private gateways (part 2 §15.2): the VPC's end of a site-to-site VPN. Created `available` with an
//! Amazon-side ASN; attached to one VPC at a time (AttachVpnGateway answers `attaching`, any read after shows
//! `attached`); a detached attachment stays listed as `detached`; deleted only when no VPC is attached, then listed
//! as `deleted` for a while (`vpn_state`). Routes and propagation that use it are `route_table`'s.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::filter::{Filter, Filterable};
use crate::ids::IdKind;
use crate::tags::{Tag, Tags};
use crate::vpn_state::{self, Lifecycle, VpnState};
use crate::world::{RegionState, Resource, Scope, Table, Timestamp, Tx};
use crate::{Result, VpnError};

/// Part 2 §15.2 [D bc]: the Amazon-side ASN when the request names none.
pub const DEFAULT_AMAZON_SIDE_ASN: i64 = 64512;

/// One `<attachments><item>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcAttachment {
    /// The VPC.
    pub vpc_id: String,
    /// Whether it is still attached (`attached`) or was detached (`detached`, still listed).
    pub attached: bool,
}

/// botocore `AttachmentStatus` as AttachVpnGateway answers it: the attachment is made asynchronously on AWS.
pub const ATTACH_ANSWER_STATE: &str = "attaching";

impl VpcAttachment {
    /// The state a read shows.
    pub fn state(&self) -> &'static str {
        if self.attached {
            "attached"
        } else {
            "detached"
        }
    }
}

/// A virtual private gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpnGateway {
    /// `vgw-…`.
    pub id: String,
    /// `AmazonSideAsn`.
    pub amazon_side_asn: i64,
    /// `AvailabilityZone` as sent (legacy: AWS ignores it and does not show it; only the `availability-zone`
    /// filter reads it).
    pub availability_zone: Option<String>,
    /// Every VPC it was attached to, the current one last; detached ones stay listed (part 2 §15.2 [O]).
    pub attachments: Vec<VpcAttachment>,
    /// Creation and deletion times.
    pub lifecycle: Lifecycle,
    /// Tags.
    pub tags: Tags,
}

impl VpnGateway {
    /// The state at `now`.
    pub fn state_at(&self, now: Timestamp) -> VpnState {
        self.lifecycle.state_at(now)
    }

    /// The VPC it is attached to now.
    pub fn attached_vpc(&self) -> Option<&str> {
        self.attachments.iter().find(|attachment| attachment.attached).map(|attachment| attachment.vpc_id.as_str())
    }
}

impl Resource for VpnGateway {
    const KIND: &'static str = "vpn_gateway";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.vpn_gateways
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.vpn_gateways
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
}

/// A gateway seen at a moment, so the `state` filter reads the derived state.
pub struct VpnGatewayView<'a> {
    /// The gateway.
    pub gateway: &'a VpnGateway,
    /// The moment of the read.
    pub now: Timestamp,
}

impl Filterable for VpnGatewayView<'_> {
    const FILTERS: &'static [&'static str] = &[
        "amazon-side-asn",
        "attachment.state",
        "attachment.vpc-id",
        "availability-zone",
        "state",
        "type",
        "vpn-gateway-id",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let gateway = self.gateway;
        match name {
            "amazon-side-asn" => out.push(gateway.amazon_side_asn.to_string()),
            "attachment.state" => out.extend(gateway.attachments.iter().map(|a| a.state().to_string())),
            "attachment.vpc-id" => out.extend(gateway.attachments.iter().map(|a| a.vpc_id.clone())),
            "availability-zone" => out.extend(gateway.availability_zone.clone()),
            "state" => out.push(gateway.state_at(self.now).as_str().to_string()),
            "type" => out.push(crate::customer_gateway::IPSEC_1.to_string()),
            "vpn-gateway-id" => out.push(gateway.id.clone()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.gateway.tags)
    }
}

/// Looks a gateway up (a deleted one too, while listed), checking the ID's shape first.
pub fn find(region: &RegionState, id: &str, now: Timestamp) -> Result<Arc<VpnGateway>> {
    IdKind::VpnGateway.check(id)?;
    region
        .vpn_gateways
        .get(id)
        .filter(|gateway| gateway.lifecycle.listed_at(now))
        .cloned()
        .ok_or_else(|| VpnError::VpnGatewayNotFound(vec![id.to_string()]).into())
}

/// Looks a gateway up for a change: a deleted one is `InvalidVpnGatewayState`.
pub fn find_live(region: &RegionState, id: &str, now: Timestamp) -> Result<Arc<VpnGateway>> {
    let gateway = find(region, id, now)?;
    if !gateway.lifecycle.is_live() {
        return Err(VpnError::VpnGatewayNotAvailable(gateway.id.clone()).into());
    }
    Ok(gateway)
}

/// The live gateway attached to `vpc_id`, if any (one per VPC, part 2 §15.2 [D]).
pub fn attached_to<'r>(region: &'r RegionState, vpc_id: &str) -> Option<&'r Arc<VpnGateway>> {
    region.vpn_gateways.values().find(|gateway| gateway.lifecycle.is_live() && gateway.attached_vpc() == Some(vpc_id))
}

/// DescribeVpnGateways.
pub fn describe(
    region: &RegionState,
    ids: &[String],
    filters: &[Filter],
    now: Timestamp,
) -> Result<Vec<Arc<VpnGateway>>> {
    crate::filter::validate::<VpnGatewayView>(filters)?;
    vpn_state::describe(
        &region.vpn_gateways,
        ids,
        IdKind::VpnGateway,
        |ids| VpnError::VpnGatewayNotFound(ids).into(),
        |gateway| gateway.lifecycle.listed_at(now),
        |gateway| crate::filter::matches(&VpnGatewayView { gateway, now }, filters),
    )
}

/// Part 2 §15.2 [D bc]: a private ASN of 64512–65534 or 4200000000–4294967294.
fn check_amazon_side_asn(asn: i64) -> Result<()> {
    if (64512..=65534).contains(&asn) || (4_200_000_000..=4_294_967_294).contains(&asn) {
        Ok(())
    } else {
        Err(VpnError::InvalidAmazonSideAsn(asn).into())
    }
}

/// CreateVpnGateway (part 2 §15.2).
pub fn create(
    tx: &mut Tx,
    scope: &Scope,
    gateway_type: &str,
    amazon_side_asn: Option<i64>,
    availability_zone: Option<String>,
    tags: Vec<Tag>,
) -> Result<Arc<VpnGateway>> {
    if gateway_type != crate::customer_gateway::IPSEC_1 {
        return Err(VpnError::InvalidGatewayType(gateway_type.to_string()).into());
    }
    let amazon_side_asn = amazon_side_asn.unwrap_or(DEFAULT_AMAZON_SIDE_ASN);
    check_amazon_side_asn(amazon_side_asn)?;
    crate::tags::validate(&tags)?;
    let live = tx.region(scope).vpn_gateways.values().filter(|gateway| gateway.lifecycle.is_live()).count();
    crate::quotas::check(tx.quotas().vpn_gateways_per_region, live, 1, || VpnError::VpnGatewayLimitExceeded.into())?;
    let gateway = VpnGateway {
        id: tx.next_id(IdKind::VpnGateway),
        amazon_side_asn,
        availability_zone,
        attachments: Vec::new(),
        lifecycle: Lifecycle::new(tx.now()),
        tags: Tags(tags),
    };
    let id = gateway.id.clone();
    tx.put(scope, gateway);
    Ok(tx.get(scope, &id).expect("just inserted"))
}

/// AttachVpnGateway (part 2 §15.2): one VPC per gateway and one gateway per VPC at a time.
pub fn attach(tx: &mut Tx, scope: &Scope, id: &str, vpc_id: &str) -> Result<()> {
    let now = tx.now();
    let region = tx.region(scope);
    let gateway = find_live(region, id, now)?;
    let vpc = crate::vpc::find(region, vpc_id)?;
    if gateway.attached_vpc() == Some(vpc.id.as_str()) {
        // ASSUMPTION (part 2 §15.2 [I]): attaching again to the same VPC is the "VPC already attached" refusal.
        return Err(VpnError::VpcAlreadyHasVpnGateway(vpc.id.clone()).into());
    }
    if attached_to(region, &vpc.id).is_some() {
        return Err(VpnError::VpcAlreadyHasVpnGateway(vpc.id.clone()).into());
    }
    if gateway.attached_vpc().is_some() {
        return Err(VpnError::VpnGatewayAttachmentLimitExceeded(gateway.id.clone()).into());
    }
    tx.update::<VpnGateway>(scope, id, |gateway| {
        gateway.attachments.retain(|attachment| attachment.vpc_id != vpc.id);
        gateway.attachments.push(VpcAttachment { vpc_id: vpc.id.clone(), attached: true });
    });
    Ok(())
}

/// DetachVpnGateway (part 2 §15.2): the attachment stays listed as `detached`; routes to the gateway turn
/// `blackhole` and its propagated routes leave the VPC's tables (both derived at read time).
pub fn detach(tx: &mut Tx, scope: &Scope, id: &str, vpc_id: &str) -> Result<()> {
    let now = tx.now();
    let region = tx.region(scope);
    let gateway = find(region, id, now)?;
    IdKind::Vpc.check(vpc_id)?;
    if gateway.attached_vpc() != Some(vpc_id) {
        return Err(
            VpnError::AttachmentNotFound { vpn_gateway_id: gateway.id.clone(), vpc_id: vpc_id.to_string() }.into()
        );
    }
    tx.update::<VpnGateway>(scope, id, |gateway| {
        for attachment in &mut gateway.attachments {
            if attachment.vpc_id == vpc_id {
                attachment.attached = false;
            }
        }
    });
    Ok(())
}

/// DeleteVpnGateway (part 2 §15.2): refused while attached, and while a VPN connection that is not deleted ends
/// on it (ASSUMPTION, part 2 §15.2 [I]: the same "in use" answer); a deleted gateway stays listed as `deleted`.
/// Route tables that propagated its routes stop listing it (derived at read time, `route_table::propagation`).
pub fn delete(tx: &mut Tx, scope: &Scope, id: &str) -> Result<()> {
    let now = tx.now();
    let gateway = find(tx.region(scope), id, now)?;
    if !gateway.lifecycle.is_live() {
        return Ok(());
    }
    // The connections table is read field by field: this module sits below `vpn_connection`, which imports it.
    let has_connections = tx.region(scope).vpn_connections.values().any(|connection| {
        connection.vpn_gateway_id.as_deref() == Some(gateway.id.as_str()) && connection.lifecycle.is_live()
    });
    if gateway.attached_vpc().is_some() || has_connections {
        return Err(VpnError::VpnGatewayInUse.into());
    }
    tx.update::<VpnGateway>(scope, id, |gateway| gateway.lifecycle.deleted_at = Some(now));
    Ok(())
}
