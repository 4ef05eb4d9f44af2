//! VPC peering connections (spec §2.6): the lifecycle, who may do what, field visibility and the DNS options.
//!
//! A connection joins two VPCs that may live in different accounts and regions, so it is stored once at world
//! level ([`World::peerings`]) and is visible from both sides' scopes. Time-driven transitions (expiry after 7 days
//! pending, terminal states dropping out of Describe) are computed from stored timestamps when asked
//! ([`VpcPeeringConnection::status_at`]), never by a background timer: the model receives time, it does not keep it.

mod lifecycle;

use serde::{Deserialize, Serialize};

use crate::availability_zone::REGIONS;
use crate::cidr;
use crate::error::PeeringError;
use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::tags::{Tag, Tags};
use crate::vpc::Vpc;
use crate::world::{Scope, Timestamp, Tx, World};
use crate::{Ec2Error, Result};

pub use lifecycle::{accept, delete, reject};

/// One connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcPeeringConnection {
    /// `pcx-…`.
    pub id: String,
    /// The side that asked.
    pub requester: PeeringSide,
    /// The side that must accept.
    pub accepter: PeeringSide,
    /// The stored status; see [`Self::status_at`] for the time-driven ones.
    pub status: PeeringStatus,
    /// When the stored status was entered.
    pub status_since: Timestamp,
    /// When the request was made.
    pub created_at: Timestamp,
    /// The account that rejected or deleted it (for the status message).
    pub ended_by: Option<String>,
}

/// One side of a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeeringSide {
    /// The VPC's account.
    pub account: String,
    /// The VPC's region.
    pub region: String,
    /// The VPC.
    pub vpc_id: String,
    /// `allowDnsResolutionFromRemoteVpc` of this side's options: the *other* VPC may resolve this side's public
    /// names to private addresses (spec §4.4).
    pub allow_dns_resolution_from_remote_vpc: bool,
    /// This side's tags (spec §2.6 [D]: each account/region tags its own view).
    pub tags: Tags,
}

impl PeeringSide {
    /// The side's scope.
    pub fn scope(&self) -> Scope {
        Scope::new(&self.account, &self.region)
    }

    fn is(&self, scope: &Scope) -> bool {
        self.account == scope.account && self.region == scope.region
    }
}

/// The `status/code` values (spec §2.6 table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PeeringStatus {
    /// In the Create response only.
    InitiatingRequest,
    /// Waiting for the accepter.
    PendingAcceptance,
    /// In the Accept response only.
    Provisioning,
    /// Carrying traffic.
    Active,
    /// Being deleted (inter-region; not used: deletion is immediate here).
    Deleting,
    /// Deleted by either owner.
    Deleted,
    /// Rejected by the accepter.
    Rejected,
    /// Overlapping CIDRs or a missing peer VPC.
    Failed,
    /// Not accepted within 7 days.
    Expired,
}

impl PeeringStatus {
    /// The wire spelling.
    pub fn code(self) -> &'static str {
        match self {
            PeeringStatus::InitiatingRequest => "initiating-request",
            PeeringStatus::PendingAcceptance => "pending-acceptance",
            PeeringStatus::Provisioning => "provisioning",
            PeeringStatus::Active => "active",
            PeeringStatus::Deleting => "deleting",
            PeeringStatus::Deleted => "deleted",
            PeeringStatus::Rejected => "rejected",
            PeeringStatus::Failed => "failed",
            PeeringStatus::Expired => "expired",
        }
    }

    /// Failed, rejected, expired or deleted: nothing more can happen to it.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            PeeringStatus::Deleted | PeeringStatus::Rejected | PeeringStatus::Failed | PeeringStatus::Expired
        )
    }
}

/// Spec §2.6 "Field visibility": what a connection in a status shows of each side. A side shown in full carries
/// its VPC's CIDR blocks and peering options; a reduced side only its owner, VPC and Region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldVisibility {
    /// The requester side in full.
    pub requester_full: bool,
    /// The accepter side in full.
    pub accepter_full: bool,
    /// `expirationTime` present.
    pub expiration_time: bool,
}

impl PeeringStatus {
    /// What a connection in this status shows (the same for both sides' callers).
    pub fn field_visibility(self) -> FieldVisibility {
        let (requester_full, accepter_full, expiration_time) = match self {
            PeeringStatus::Provisioning | PeeringStatus::Active => (true, true, false),
            PeeringStatus::Deleting | PeeringStatus::Deleted => (false, false, false),
            // ASSUMPTION (spec §2.6 [I]): failed/rejected/expired are shaped like pending (no public output seen).
            _ => (true, false, true),
        };
        FieldVisibility { requester_full, accepter_full, expiration_time }
    }
}

const HOUR_MS: u64 = 3_600_000;
/// Spec §2.6 [D]: an unaccepted request expires after 168 hours (not adjustable).
pub const EXPIRY_MS: u64 = 168 * HOUR_MS;

impl VpcPeeringConnection {
    /// The status at `now`: a pending request older than 7 days is `expired`.
    pub fn status_at(&self, now: Timestamp) -> PeeringStatus {
        if self.status == PeeringStatus::PendingAcceptance && now >= self.expiration_time() {
            PeeringStatus::Expired
        } else {
            self.status
        }
    }

    /// When the status returned by [`Self::status_at`] was entered.
    fn status_since_at(&self, now: Timestamp) -> Timestamp {
        match self.status_at(now) {
            PeeringStatus::Expired if self.status == PeeringStatus::PendingAcceptance => self.expiration_time(),
            _ => self.status_since,
        }
    }

    /// `expirationTime`: creation + 7 days, to the second (spec §2.6 [O]).
    pub fn expiration_time(&self) -> Timestamp {
        Timestamp(self.created_at.0 / 1000 * 1000 + EXPIRY_MS)
    }

    /// The status message for `status` (spec §2.6 table; `[I]` texts are guesses, see the assumption below).
    pub fn status_message(&self, status: PeeringStatus) -> String {
        let ended_by = self.ended_by.as_deref().unwrap_or(&self.accepter.account);
        // ASSUMPTION (spec §2.6 [I]): no public output shows the rejected/deleted/expired/deleting messages; these
        // follow the shape of the observed "Initiating Request to <acct>" / "Pending Acceptance by <acct>".
        match status {
            PeeringStatus::InitiatingRequest => format!("Initiating Request to {}", self.accepter.account),
            PeeringStatus::PendingAcceptance => format!("Pending Acceptance by {}", self.accepter.account),
            PeeringStatus::Provisioning => "Provisioning".into(),
            PeeringStatus::Active => "Active".into(),
            PeeringStatus::Deleting => "Deleting".into(),
            PeeringStatus::Deleted => format!("Deleted by {ended_by}"),
            PeeringStatus::Rejected => format!("Rejected by {ended_by}"),
            PeeringStatus::Failed => "Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range".into(),
            PeeringStatus::Expired => "Expired".into(),
        }
    }

    /// Whether `scope` is one of the two sides.
    pub fn involves(&self, scope: &Scope) -> bool {
        self.requester.is(scope) || self.accepter.is(scope)
    }

    /// Whether the connection is inter-region.
    pub fn is_inter_region(&self) -> bool {
        self.requester.region != self.accepter.region
    }

    /// Spec §2.6 table "visible": a side sees a terminal connection for 2 hours if it ended it (or for failed and
    /// same-account connections), for 2 days otherwise.
    pub fn visible_to(&self, scope: &Scope, now: Timestamp) -> bool {
        if !self.involves(scope) {
            return false;
        }
        let status = self.status_at(now);
        if !status.is_terminal() {
            return true;
        }
        let same_account = self.requester.account == self.accepter.account;
        let ended_by_caller = self.ended_by.as_deref() == Some(scope.account.as_str());
        let window_hours = match status {
            PeeringStatus::Failed => 2,
            PeeringStatus::Expired => 48,
            _ if same_account || ended_by_caller => 2,
            _ => 48,
        };
        now.0 < self.status_since_at(now).0 + window_hours * HOUR_MS
    }

    /// The tags `scope` sees.
    pub fn tags_for(&self, scope: &Scope) -> &Tags {
        if self.requester.is(scope) {
            &self.requester.tags
        } else {
            &self.accepter.tags
        }
    }

    /// The side whose VPC is `vpc_id` in `scope`, and the other side.
    pub fn sides_of(&self, scope: &Scope, vpc_id: &str) -> Option<(&PeeringSide, &PeeringSide)> {
        if self.requester.is(scope) && self.requester.vpc_id == vpc_id {
            Some((&self.requester, &self.accepter))
        } else if self.accepter.is(scope) && self.accepter.vpc_id == vpc_id {
            Some((&self.accepter, &self.requester))
        } else {
            None
        }
    }
}

/// Spec §2.5/§3.2: a route to a connection carries traffic only while the connection is `active`.
pub fn carries_traffic(world: &World, pcx_id: &str) -> bool {
    world.peerings().get(pcx_id).is_some_and(|pcx| pcx.status == PeeringStatus::Active)
}

/// The active connection joining VPC `a` (in scope `a_scope`) and VPC `b` (in `b_scope`), if any.
pub fn active_between<'w>(
    world: &'w World,
    a_scope: &Scope,
    a_vpc: &str,
    b_scope: &Scope,
    b_vpc: &str,
) -> Option<&'w VpcPeeringConnection> {
    world.peerings().values().map(|pcx| &**pcx).find(|pcx| {
        pcx.status == PeeringStatus::Active
            && pcx.sides_of(a_scope, a_vpc).is_some_and(|(_, other)| other.is(b_scope) && other.vpc_id == b_vpc)
    })
}

/// A connection seen from a scope at a time, so filters use the caller's tags and the current status.
pub struct PeeringView<'a> {
    /// The connection.
    pub pcx: &'a VpcPeeringConnection,
    /// The caller's scope.
    pub scope: &'a Scope,
    /// The emulator time.
    pub now: Timestamp,
    /// The world, for the VPCs' CIDR blocks.
    pub world: &'a World,
}

impl PeeringView<'_> {
    /// The current IPv4 blocks of a side's VPC, if it still exists.
    pub fn side_cidrs(&self, side: &PeeringSide) -> Vec<cidr::Ipv4Net> {
        side_vpc(self.world, side).map(|vpc| vpc.cidr_blocks().copied().collect()).unwrap_or_default()
    }
}

fn side_vpc<'w>(world: &'w World, side: &PeeringSide) -> Option<&'w Vpc> {
    world.region(&side.scope()).vpcs.get(side.vpc_id.as_str()).map(|vpc| &**vpc)
}

impl Filterable for PeeringView<'_> {
    const FILTERS: &'static [&'static str] = &[
        "accepter-vpc-info.cidr-block",
        "accepter-vpc-info.owner-id",
        "accepter-vpc-info.vpc-id",
        "expiration-time",
        "requester-vpc-info.cidr-block",
        "requester-vpc-info.owner-id",
        "requester-vpc-info.vpc-id",
        "status-code",
        "status-message",
        "vpc-peering-connection-id",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let pcx = self.pcx;
        let status = pcx.status_at(self.now);
        match name {
            "accepter-vpc-info.cidr-block" => out.extend(self.side_cidrs(&pcx.accepter).iter().map(|c| c.to_string())),
            "accepter-vpc-info.owner-id" => out.push(pcx.accepter.account.clone()),
            "accepter-vpc-info.vpc-id" => out.push(pcx.accepter.vpc_id.clone()),
            "expiration-time" => out.push(pcx.expiration_time().to_iso8601()),
            "requester-vpc-info.cidr-block" => {
                out.extend(self.side_cidrs(&pcx.requester).iter().map(|c| c.to_string()))
            }
            "requester-vpc-info.owner-id" => out.push(pcx.requester.account.clone()),
            "requester-vpc-info.vpc-id" => out.push(pcx.requester.vpc_id.clone()),
            "status-code" => out.push(status.code().into()),
            "status-message" => out.push(pcx.status_message(status)),
            "vpc-peering-connection-id" => out.push(pcx.id.clone()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(self.pcx.tags_for(self.scope))
    }
}

/// CreateVpcPeeringConnection parameters.
#[derive(Debug, Clone, Default)]
pub struct CreatePeering {
    /// `VpcId` (the caller's).
    pub vpc_id: String,
    /// `PeerVpcId`.
    pub peer_vpc_id: String,
    /// `PeerOwnerId` (default: the caller's account).
    pub peer_owner_id: Option<String>,
    /// `PeerRegion` (default: the caller's region).
    pub peer_region: Option<String>,
    /// Tags from `TagSpecification`.
    pub tags: Vec<Tag>,
}

fn overlapping(world: &World, a: &PeeringSide, b: &PeeringSide) -> bool {
    match (side_vpc(world, a), side_vpc(world, b)) {
        (Some(a), Some(b)) => a.cidr_blocks().any(|x| b.cidr_blocks().any(|y| cidr::overlaps(x, y))),
        _ => false,
    }
}

/// CreateVpcPeeringConnection (spec §2.6). Returns the connection and whether it is new (a same-direction
/// duplicate of a pending or active connection returns the existing one, spec §2.6 [O]).
pub fn create(tx: &mut Tx, scope: &Scope, request: CreatePeering) -> Result<(VpcPeeringConnection, bool)> {
    let vpc = crate::vpc::find(tx.region(scope), &request.vpc_id)?;
    IdKind::Vpc.check(&request.peer_vpc_id)?;
    let peer_account = request.peer_owner_id.unwrap_or_else(|| scope.account.clone());
    let peer_region = request.peer_region.unwrap_or_else(|| scope.region.clone());
    if !REGIONS.iter().any(|region| region.name == peer_region) {
        return Err(Ec2Error::InvalidParameterValue(format!("Invalid region: {peer_region}")));
    }
    let peer_scope = Scope::new(&peer_account, &peer_region);
    if peer_scope == *scope && request.peer_vpc_id == vpc.id {
        // ASSUMPTION (spec §2.6 [I]): self-peering is refused with InvalidParameterValue.
        return Err(Ec2Error::InvalidParameterValue(format!(
            "The requester VPC ({}) and the accepter VPC ({}) must be different.",
            vpc.id, request.peer_vpc_id
        )));
    }
    let peer_exists = tx.region(&peer_scope).vpcs.contains_key(request.peer_vpc_id.as_str());
    if peer_scope == *scope && !peer_exists {
        // Spec §2.6 [O]: same account and region, missing peer → synchronous NotFound.
        return Err(Ec2Error::VpcNotFound(vec![request.peer_vpc_id.clone()]));
    }
    let now = tx.now();
    let existing = tx.world().peerings().values().find(|pcx| {
        matches!(pcx.status_at(now), PeeringStatus::PendingAcceptance | PeeringStatus::Active)
            && pcx.requester.is(scope)
            && pcx.requester.vpc_id == vpc.id
            && pcx.accepter.is(&peer_scope)
            && pcx.accepter.vpc_id == request.peer_vpc_id
    });
    if let Some(existing) = existing {
        return Ok(((**existing).clone(), false));
    }
    crate::tags::validate(&request.tags)?;
    // Spec §5: outstanding (pending-acceptance) requests made by the account, counted in the calling Region as
    // every VPC quota is [D: amazon-vpc-limits.md]. A request that fails at once is never outstanding, but the
    // check comes first: whether AWS counts a request that would fail is not known.
    let outstanding = tx
        .world()
        .peerings()
        .values()
        .filter(|pcx| pcx.requester.is(scope) && pcx.status_at(now) == PeeringStatus::PendingAcceptance)
        .count();
    crate::quotas::check(tx.quotas().outstanding_peering_requests, outstanding, 1, || {
        Ec2Error::PendingVpcPeeringConnectionLimitExceeded
    })?;
    let requester = PeeringSide {
        account: scope.account.clone(),
        region: scope.region.clone(),
        vpc_id: vpc.id.clone(),
        allow_dns_resolution_from_remote_vpc: false,
        tags: Tags(request.tags),
    };
    let accepter = PeeringSide {
        account: peer_account,
        region: peer_region,
        vpc_id: request.peer_vpc_id,
        allow_dns_resolution_from_remote_vpc: false,
        tags: Tags::default(),
    };
    // Spec §2.6 [D/O]: a missing peer or overlapping IPv4 blocks never fail the call; the request fails.
    let status = if !peer_exists || overlapping(tx.world(), &requester, &accepter) {
        PeeringStatus::Failed
    } else {
        PeeringStatus::PendingAcceptance
    };
    let pcx = VpcPeeringConnection {
        id: tx.next_id(IdKind::VpcPeeringConnection),
        requester,
        accepter,
        status,
        status_since: now,
        created_at: now,
        ended_by: None,
    };
    tx.put_peering(pcx.clone());
    Ok((pcx, true))
}

/// Finds a connection the caller may see.
pub fn find(world: &World, scope: &Scope, pcx_id: &str, now: Timestamp) -> Result<VpcPeeringConnection> {
    IdKind::VpcPeeringConnection.check(pcx_id)?;
    world
        .peerings()
        .get(pcx_id)
        .filter(|pcx| pcx.visible_to(scope, now))
        .map(|pcx| (**pcx).clone())
        .ok_or_else(|| Ec2Error::VpcPeeringConnectionNotFound(pcx_id.to_string()))
}

/// The options of one side in a ModifyVpcPeeringConnectionOptions request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SideOptions {
    /// `AllowDnsResolutionFromRemoteVpc`.
    pub allow_dns_resolution_from_remote_vpc: Option<bool>,
    /// Either ClassicLink flag was sent.
    pub classic_link: bool,
}

/// ModifyVpcPeeringConnectionOptions (spec §2.6): returns the options of the sides that were in the request.
pub fn modify_options(
    tx: &mut Tx,
    scope: &Scope,
    pcx_id: &str,
    requester: Option<SideOptions>,
    accepter: Option<SideOptions>,
) -> Result<(Option<bool>, Option<bool>)> {
    let now = tx.now();
    let mut pcx = find(tx.world(), scope, pcx_id, now)?;
    if pcx.status_at(now) != PeeringStatus::Active {
        return Err(Ec2Error::from(PeeringError::NotActive(pcx.id.clone())));
    }
    let inter_region = pcx.is_inter_region();
    for (options, side, side_name) in [(requester, &pcx.requester, "requester"), (accepter, &pcx.accepter, "accepter")]
    {
        let Some(options) = options else { continue };
        // Each account changes only the side it owns; inter-region, only from that side's region (spec §2.6 [D]).
        if side.account != scope.account || (inter_region && side.region != scope.region) {
            return Err(Ec2Error::from(PeeringError::OptionsNotPermitted {
                account: scope.account.clone(),
                side: side_name,
            }));
        }
        if inter_region && options.classic_link {
            return Err(Ec2Error::from(PeeringError::ClassicLinkCrossRegion));
        }
    }
    let wants_dns =
        [requester, accepter].iter().flatten().any(|o| o.allow_dns_resolution_from_remote_vpc == Some(true));
    if wants_dns {
        let dns_ready = |side: &PeeringSide| {
            side_vpc(tx.world(), side).is_some_and(|vpc| vpc.enable_dns_support && vpc.enable_dns_hostnames)
        };
        if !dns_ready(&pcx.requester) || !dns_ready(&pcx.accepter) {
            return Err(Ec2Error::from(PeeringError::DnsHostnamesDisabled));
        }
    }
    if let Some(value) = requester.and_then(|o| o.allow_dns_resolution_from_remote_vpc) {
        pcx.requester.allow_dns_resolution_from_remote_vpc = value;
    }
    if let Some(value) = accepter.and_then(|o| o.allow_dns_resolution_from_remote_vpc) {
        pcx.accepter.allow_dns_resolution_from_remote_vpc = value;
    }
    let result = (
        requester.map(|_| pcx.requester.allow_dns_resolution_from_remote_vpc),
        accepter.map(|_| pcx.accepter.allow_dns_resolution_from_remote_vpc),
    );
    tx.put_peering(pcx);
    Ok(result)
}

/// Tags on a connection, from the caller's side (CreateTags/DeleteTags with a `pcx-` ID).
pub fn edit_tags(
    tx: &mut Tx,
    scope: &Scope,
    pcx_id: &str,
    change: &mut dyn FnMut(&mut Tags) -> Result<()>,
) -> Result<()> {
    let now = tx.now();
    let mut pcx = find(tx.world(), scope, pcx_id, now)?;
    let side = if pcx.requester.is(scope) { &mut pcx.requester } else { &mut pcx.accepter };
    change(&mut side.tags)?;
    tx.put_peering(pcx);
    Ok(())
}

/// DeleteVpc's peering rule (spec §2.2): an active connection, or a pending request from another account to this
/// VPC, keeps the VPC from being deleted.
pub fn blocks_vpc_deletion(world: &World, scope: &Scope, vpc_id: &str, now: Timestamp) -> bool {
    world.peerings().values().any(|pcx| {
        let status = pcx.status_at(now);
        let Some((own, other)) = pcx.sides_of(scope, vpc_id) else { return false };
        status == PeeringStatus::Active
            || (status == PeeringStatus::PendingAcceptance
                && std::ptr::eq(own, &pcx.accepter)
                && other.account != own.account)
    })
}

/// AssociateVpcCidrBlock's peering rules (spec §2.2 [D]): with an active connection the new block must not overlap
/// the peer; with a pending one the requester may not add blocks, and an accepter block that overlaps fails the
/// request. Returns the connections to mark failed.
pub fn check_new_cidr(
    world: &World,
    scope: &Scope,
    vpc_id: &str,
    block: &cidr::Ipv4Net,
    now: Timestamp,
) -> Result<Vec<String>> {
    let mut to_fail = Vec::new();
    for pcx in world.peerings().values() {
        let Some((own, other)) = pcx.sides_of(scope, vpc_id) else { continue };
        let other_overlaps =
            side_vpc(world, other).is_some_and(|vpc| vpc.cidr_blocks().any(|b| cidr::overlaps(b, block)));
        match pcx.status_at(now) {
            PeeringStatus::Active if other_overlaps => {
                return Err(Ec2Error::InvalidVpcRange(block.to_string()));
            }
            PeeringStatus::PendingAcceptance if std::ptr::eq(own, &pcx.requester) => {
                // ASSUMPTION (spec §2.2 [I] code): OperationNotPermitted, the code AWS uses for other
                // "not allowed in this peering state" refusals.
                return Err(Ec2Error::from(PeeringError::PendingBlocksCidr {
                    vpc_id: vpc_id.to_string(),
                    pcx_id: pcx.id.clone(),
                }));
            }
            PeeringStatus::PendingAcceptance if other_overlaps => to_fail.push(pcx.id.clone()),
            _ => {}
        }
    }
    Ok(to_fail)
}

/// Marks connections failed (an accepter's overlapping block while pending).
pub fn fail(tx: &mut Tx, pcx_ids: &[String]) {
    let now = tx.now();
    for id in pcx_ids {
        if let Some(pcx) = tx.get_peering(id) {
            let mut pcx = (*pcx).clone();
            pcx.status = PeeringStatus::Failed;
            pcx.status_since = now;
            tx.put_peering(pcx);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(account: &str, region: &str, vpc: &str) -> PeeringSide {
        PeeringSide {
            account: account.into(),
            region: region.into(),
            vpc_id: vpc.into(),
            allow_dns_resolution_from_remote_vpc: false,
            tags: Tags::default(),
        }
    }

    fn pending(created: u64) -> VpcPeeringConnection {
        VpcPeeringConnection {
            id: "pcx-1".into(),
            requester: side("111111111111", "us-east-1", "vpc-a"),
            accepter: side("222222222222", "us-east-1", "vpc-b"),
            status: PeeringStatus::PendingAcceptance,
            status_since: Timestamp(created),
            created_at: Timestamp(created),
            ended_by: None,
        }
    }

    #[test]
    fn pending_expires_after_seven_days_and_stays_visible_two_more() {
        let pcx = pending(1_000_500);
        let expiry = pcx.expiration_time();
        assert_eq!(expiry.0, 1_000_000 + EXPIRY_MS, "expiration is to the second");
        assert_eq!(pcx.status_at(Timestamp(expiry.0 - 1)), PeeringStatus::PendingAcceptance);
        assert_eq!(pcx.status_at(expiry), PeeringStatus::Expired);
        let requester = Scope::new("111111111111", "us-east-1");
        assert!(pcx.visible_to(&requester, Timestamp(expiry.0 + 47 * HOUR_MS)));
        assert!(!pcx.visible_to(&requester, Timestamp(expiry.0 + 49 * HOUR_MS)));
        assert!(!pcx.visible_to(&Scope::new("333333333333", "us-east-1"), Timestamp(0)));
    }

    #[test]
    fn messages_name_the_accepter() {
        let pcx = pending(0);
        assert_eq!(pcx.status_message(PeeringStatus::PendingAcceptance), "Pending Acceptance by 222222222222");
        assert_eq!(pcx.status_message(PeeringStatus::InitiatingRequest), "Initiating Request to 222222222222");
    }
}
