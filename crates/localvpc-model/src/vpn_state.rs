//! The lifecycle the three site-to-site VPN resources share (part 2 §15): botocore's `VpnState` — `pending`,
//! `available`, `deleting`, `deleted` — derived at read time from two stored timestamps, as
//! `VpcPeeringConnection::status_at` derives `expired`, never moved by a timer.
//!
//! The answer of the call that creates a resource shows its first state (`pending` for a VPN connection); any
//! later read shows the state AWS reaches a few minutes later, so waiters succeed at once. A deleted resource
//! stays listed as `deleted` for a while, then is gone from Describe (and named by ID, it is not found).

use serde::{Deserialize, Serialize};

use crate::world::Timestamp;

/// botocore `VpnState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VpnState {
    /// Being set up (only the Create answer of a VPN connection shows it).
    Pending,
    /// Ready.
    Available,
    /// Being removed.
    Deleting,
    /// Removed; still listed for [`DELETED_LISTED_MS`].
    Deleted,
}

impl VpnState {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            VpnState::Pending => "pending",
            VpnState::Available => "available",
            VpnState::Deleting => "deleting",
            VpnState::Deleted => "deleted",
        }
    }
}

/// ASSUMPTION (part 2 §15 [I]): how long a deleted customer gateway, virtual private gateway or VPN connection
/// stays listed as `deleted` — AWS says "for a while"; an hour, as a deleted NAT gateway (part 2 §9 item 8).
pub const DELETED_LISTED_MS: u64 = 3_600_000;

/// When a resource was created and, if it was, deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Lifecycle {
    /// The moment of the Create call.
    pub created_at: Timestamp,
    /// The moment of the Delete call.
    pub deleted_at: Option<Timestamp>,
}

impl Lifecycle {
    /// A resource created at `now`.
    pub fn new(now: Timestamp) -> Self {
        Lifecycle { created_at: now, deleted_at: None }
    }

    /// The state a read at `now` shows: `available` once created (a Describe comes after the Create answer),
    /// `deleted` once deleted (the Delete answer is only `true`, so `deleting` is never seen).
    pub fn state_at(&self, _now: Timestamp) -> VpnState {
        if self.deleted_at.is_some() {
            VpnState::Deleted
        } else {
            VpnState::Available
        }
    }

    /// Not deleted.
    pub fn is_live(&self) -> bool {
        self.deleted_at.is_none()
    }

    /// Whether Describe still lists it at `now`.
    pub fn listed_at(&self, now: Timestamp) -> bool {
        self.deleted_at.is_none_or(|deleted_at| now.0 < deleted_at.0.saturating_add(DELETED_LISTED_MS))
    }
}

/// The Describe of a VPN resource (these actions take no `MaxResults`): explicit IDs must name resources still
/// listed (else `not_found` naming the missing ones), then `keep` (the filters) applies; in ID order.
pub fn describe<T: crate::world::Resource>(
    table: &crate::world::Table<T>,
    ids: &[String],
    kind: crate::ids::IdKind,
    not_found: fn(Vec<String>) -> crate::Ec2Error,
    listed: impl Fn(&T) -> bool,
    mut keep: impl FnMut(&T) -> bool,
) -> crate::Result<Vec<std::sync::Arc<T>>> {
    for id in ids {
        kind.check(id)?;
    }
    let missing: Vec<String> =
        ids.iter().filter(|id| !table.get(id.as_str()).is_some_and(|item| listed(item))).cloned().collect();
    if !missing.is_empty() {
        return Err(not_found(missing));
    }
    let kept = |item: &&std::sync::Arc<T>| listed(item) && keep(item);
    if ids.is_empty() {
        return Ok(table.values().filter(kept).cloned().collect());
    }
    let mut wanted: Vec<&String> = ids.iter().collect();
    wanted.sort_unstable();
    wanted.dedup();
    Ok(wanted.into_iter().filter_map(|id| table.get(id.as_str())).filter(kept).cloned().collect())
}
