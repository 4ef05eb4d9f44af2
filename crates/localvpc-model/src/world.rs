//! The emulated cloud as one value ([`World`]) and one mutation in progress ([`Tx`]).
//!
//! Why persistent maps: a request that fails validation must change nothing (spec §1, "never a half-applied
//! change"). Instead of asking every rule to validate before it mutates, a mutation runs on a cheap clone of the
//! world; the caller keeps the clone only if the rule returned `Ok` *and* the store accepted the changes.
//!
//! Cross-account and cross-region state is keyed by [`Scope`] inside the one `World`; there is no global registry.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use imbl::OrdMap;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::address::Address;
use crate::ids::{format_id, IdKind};
use crate::instance::Instance;
use crate::internet_gateway::InternetGateway;
use crate::network_acl::NetworkAcl;
use crate::network_insights::{NetworkInsightsAnalysis, NetworkInsightsPath};
use crate::network_interface::NetworkInterface;
use crate::quotas::Quotas;
use crate::route_table::RouteTable;
use crate::security_group::index::SecurityGroupIndex;
use crate::security_group::SecurityGroup;
use crate::subnet::Subnet;
use crate::tags::Tags;
use crate::vpc::Vpc;
use crate::vpc_peering::VpcPeeringConnection;

/// An `(account, region)` pair: the unit AWS isolates resources by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope {
    /// The 12-digit account ID.
    pub account: String,
    /// The region name, e.g. `us-east-1`.
    pub region: String,
}

impl Scope {
    /// Builds a scope.
    pub fn new(account: impl Into<String>, region: impl Into<String>) -> Self {
        Scope { account: account.into(), region: region.into() }
    }
}

/// Milliseconds since the Unix epoch, on the emulator's clock (real time plus the admin offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// ISO-8601 UTC with milliseconds, the form EC2 uses (`2026-01-02T03:04:05.000Z`, spec §1.3).
    pub fn to_iso8601(self) -> String {
        let millis = self.0 % 1000;
        let secs = self.0 / 1000;
        let (days, rem) = (secs / 86_400, secs % 86_400);
        let (year, month, day) = civil_from_days(days as i64);
        format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z", rem / 3600, (rem % 3600) / 60, rem % 60)
    }
}

/// Days since 1970-01-01 to a civil date `(year, month, day)` (Howard Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A table of one resource kind, ordered by ID (which is also the Describe order).
pub type Table<T> = OrdMap<String, Arc<T>>;

/// Per-scope facts that are not resources.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionMeta {
    /// The scope has been set up (default VPC created once, as AWS accounts come with one).
    pub initialized: bool,
    /// The region's default DHCP options set, which every VPC references.
    pub dhcp_options_id: String,
}

/// Everything one account owns in one region.
#[derive(Debug, Clone, Default)]
pub struct RegionState {
    /// Per-scope facts.
    pub meta: RegionMeta,
    /// VPCs.
    pub vpcs: Table<Vpc>,
    /// Subnets.
    pub subnets: Table<Subnet>,
    /// Internet gateways.
    pub internet_gateways: Table<InternetGateway>,
    /// Route tables.
    pub route_tables: Table<RouteTable>,
    /// Network ACLs.
    pub network_acls: Table<NetworkAcl>,
    /// Security groups.
    pub security_groups: Table<SecurityGroup>,
    /// Instances (terminated ones included).
    pub instances: Table<Instance>,
    /// Network interfaces.
    pub network_interfaces: Table<NetworkInterface>,
    /// Elastic IPs, by allocation ID.
    pub addresses: Table<Address>,
    /// Network Insights paths.
    pub network_insights_paths: Table<NetworkInsightsPath>,
    /// Network Insights analyses.
    pub network_insights_analyses: Table<NetworkInsightsAnalysis>,
    /// Lookups over the security groups (by name, by rule, who references or uses a group), kept in step with
    /// the tables by [`Resource::reindex`]; derived, never stored.
    pub security_group_index: SecurityGroupIndex,
    /// The default VPC's ID (at most one per scope), kept in step with `vpcs`; derived, never stored.
    pub default_vpc_id: Option<String>,
}

static EMPTY_REGION: LazyLock<RegionState> = LazyLock::new(RegionState::default);

/// A resource stored in a [`RegionState`] table and persisted as one record.
pub trait Resource: Clone + Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The record kind in the store.
    const KIND: &'static str;
    /// The resource ID.
    fn id(&self) -> &str;
    /// The table holding this kind.
    fn table(region: &RegionState) -> &Table<Self>;
    /// The table holding this kind, mutably.
    fn table_mut(region: &mut RegionState) -> &mut Table<Self>;
    /// The resource's tags.
    fn tags(&self) -> &Tags;
    /// The resource's tags, mutably.
    fn tags_mut(&mut self) -> &mut Tags;
    /// Keeps the world's derived lookups in step when a resource of this kind is stored (`old` replaced by `new`)
    /// or removed (`new` is `None`), so rules find things by index instead of walking a table. Most kinds have none.
    fn reindex(_world: &mut World, _scope: &Scope, _old: Option<&Self>, _new: Option<&Self>) {}
}

/// The whole emulated cloud.
#[derive(Debug, Clone, Default)]
pub struct World {
    /// Each scope's state behind its own `Arc`: a mutation copies the path to its scope in this map, and a node of
    /// `Arc`s is a few hundred bytes where a node of inline `RegionState`s was kilobytes.
    regions: OrdMap<Scope, Arc<RegionState>>,
    /// Peering connections span two scopes, so they live beside the regions, not in one.
    peerings: Table<VpcPeeringConnection>,
    next_id: u64,
    clock_offset_ms: i64,
    /// Where the public address allocator (`address::allocate_public_ip`) resumes.
    public_ip_cursor: u64,
}

/// One persisted change, produced by [`Tx::finish`] for the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Insert or replace a record.
    Put {
        /// Record kind.
        kind: &'static str,
        /// Owning scope.
        scope: Scope,
        /// Resource ID.
        id: String,
        /// JSON body.
        body: String,
    },
    /// Remove a record.
    Delete {
        /// Record kind.
        kind: &'static str,
        /// Owning scope.
        scope: Scope,
        /// Resource ID.
        id: String,
    },
    /// Set a world-level value (ID counter, clock offset).
    Meta {
        /// Key.
        key: &'static str,
        /// Value.
        value: String,
    },
}

const META_KIND: &str = "region_meta";
const META_ID: &str = "meta";
const NEXT_ID_KEY: &str = "next_id";
const CLOCK_OFFSET_KEY: &str = "clock_offset_ms";
const PUBLIC_IP_CURSOR_KEY: &str = "public_ip_cursor";

/// An error found while loading stored records: the store holds something this version cannot read.
#[derive(Debug, thiserror::Error)]
#[error("stored record {kind}/{id} cannot be read: {reason}")]
pub struct LoadError {
    /// Record kind.
    pub kind: String,
    /// Record ID.
    pub id: String,
    /// Why.
    pub reason: String,
}

impl World {
    /// The state of one scope; an empty one if the scope was never used.
    pub fn region(&self, scope: &Scope) -> &RegionState {
        self.regions.get(scope).map(|region| &**region).unwrap_or(&EMPTY_REGION)
    }

    /// Every VPC peering connection, whatever its scopes.
    pub fn peerings(&self) -> &Table<VpcPeeringConnection> {
        &self.peerings
    }

    /// Every scope that holds state.
    pub fn scopes(&self) -> impl Iterator<Item = (&Scope, &RegionState)> {
        self.regions.iter().map(|(scope, region)| (scope, &**region))
    }

    /// The state of one scope, to change (created empty if the scope was never used); for [`Resource::reindex`].
    pub(crate) fn region_mut(&mut self, scope: &Scope) -> &mut RegionState {
        Arc::make_mut(self.regions.entry(scope.clone()).or_default())
    }

    /// The emulator clock offset in milliseconds (moved forward by the admin clock endpoint).
    pub fn clock_offset_ms(&self) -> i64 {
        self.clock_offset_ms
    }

    /// Rebuilds a world from stored records and world-level values.
    pub fn load<'a>(
        records: impl IntoIterator<Item = (&'a str, Scope, &'a str, &'a str)>,
        meta: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<World, LoadError> {
        let mut world = World::default();
        for (kind, scope, id, body) in records {
            if kind == PEERING_KIND {
                let pcx: VpcPeeringConnection = serde_json::from_str(body).map_err(|e| LoadError {
                    kind: kind.into(),
                    id: id.into(),
                    reason: e.to_string(),
                })?;
                world.peerings.insert(pcx.id.clone(), Arc::new(pcx));
                continue;
            }
            let world = &mut world;
            let result = match kind {
                META_KIND => serde_json::from_str(body).map(|meta| world.region_mut(&scope).meta = meta),
                Vpc::KIND => load_into::<Vpc>(world, &scope, body),
                Subnet::KIND => load_into::<Subnet>(world, &scope, body),
                InternetGateway::KIND => load_into::<InternetGateway>(world, &scope, body),
                RouteTable::KIND => load_into::<RouteTable>(world, &scope, body),
                NetworkAcl::KIND => load_into::<NetworkAcl>(world, &scope, body),
                SecurityGroup::KIND => load_into::<SecurityGroup>(world, &scope, body),
                Instance::KIND => load_into::<Instance>(world, &scope, body),
                NetworkInterface::KIND => load_into::<NetworkInterface>(world, &scope, body),
                Address::KIND => load_into::<Address>(world, &scope, body),
                NetworkInsightsPath::KIND => load_into::<NetworkInsightsPath>(world, &scope, body),
                NetworkInsightsAnalysis::KIND => load_into::<NetworkInsightsAnalysis>(world, &scope, body),
                _ => Ok(()), // A kind from a newer version: ignore rather than refuse to start.
            };
            result.map_err(|e| LoadError { kind: kind.into(), id: id.into(), reason: e.to_string() })?;
        }
        for (key, value) in meta {
            match key {
                NEXT_ID_KEY => world.next_id = value.parse().unwrap_or(0),
                CLOCK_OFFSET_KEY => world.clock_offset_ms = value.parse().unwrap_or(0),
                PUBLIC_IP_CURSOR_KEY => world.public_ip_cursor = value.parse().unwrap_or(0),
                _ => {}
            }
        }
        Ok(world)
    }
}

fn load_into<T: Resource>(world: &mut World, scope: &Scope, body: &str) -> serde_json::Result<()> {
    let value: T = serde_json::from_str(body)?;
    let value = Arc::new(value);
    let old = T::table_mut(world.region_mut(scope)).insert(value.id().to_string(), value.clone());
    T::reindex(world, scope, old.as_deref(), Some(&value));
    Ok(())
}

type Serializer = fn(&World, &Scope, &str) -> Option<String>;

fn serialize_record<T: Resource>(world: &World, scope: &Scope, id: &str) -> Option<String> {
    T::table(world.region(scope)).get(id).map(|value| serde_json::to_string(&**value).expect("model types serialize"))
}

fn serialize_meta(world: &World, scope: &Scope, _id: &str) -> Option<String> {
    Some(serde_json::to_string(&world.region(scope).meta).expect("meta serializes"))
}

fn serialize_peering(world: &World, _scope: &Scope, id: &str) -> Option<String> {
    world.peerings.get(id).map(|pcx| serde_json::to_string(&**pcx).expect("model types serialize"))
}

const PEERING_KIND: &str = "vpc_peering_connection";

/// The store scope of world-level records (peering connections).
fn global_scope() -> Scope {
    Scope::new("", "")
}

/// One mutation in progress on a clone of the [`World`].
pub struct Tx<'w> {
    world: &'w mut World,
    now: Timestamp,
    quotas: Quotas,
    dirty: BTreeMap<(&'static str, Scope, String), Serializer>,
    dirty_next_id: bool,
    dirty_clock: bool,
    dirty_public_ip_cursor: bool,
}

impl<'w> Tx<'w> {
    /// Starts a mutation at emulator time `now`, enforcing no quota (the server's default, DESIGN contracts).
    pub fn new(world: &'w mut World, now: Timestamp) -> Self {
        Tx::with_quotas(world, now, Quotas::none())
    }

    /// Starts a mutation at emulator time `now` whose rules enforce `quotas` (spec §5).
    pub fn with_quotas(world: &'w mut World, now: Timestamp, quotas: Quotas) -> Self {
        Tx {
            world,
            now,
            quotas,
            dirty: BTreeMap::new(),
            dirty_next_id: false,
            dirty_clock: false,
            dirty_public_ip_cursor: false,
        }
    }

    /// The emulator time of this mutation.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The quotas this mutation's rules enforce.
    pub fn quotas(&self) -> Quotas {
        self.quotas
    }

    /// The world as this mutation has left it so far.
    pub fn world(&self) -> &World {
        self.world
    }

    /// The state of one scope.
    pub fn region(&self, scope: &Scope) -> &RegionState {
        self.world.region(scope)
    }

    /// Looks a resource up by ID.
    pub fn get<T: Resource>(&self, scope: &Scope, id: &str) -> Option<Arc<T>> {
        T::table(self.region(scope)).get(id).cloned()
    }

    /// Inserts or replaces a resource.
    pub fn put<T: Resource>(&mut self, scope: &Scope, value: T) {
        let id = value.id().to_string();
        let value = Arc::new(value);
        let old = T::table_mut(self.world.region_mut(scope)).insert(id.clone(), value.clone());
        T::reindex(self.world, scope, old.as_deref(), Some(&value));
        self.dirty.insert((T::KIND, scope.clone(), id), serialize_record::<T>);
    }

    /// Applies `change` to a copy of the resource and stores it; `false` if there is no such resource.
    pub fn update<T: Resource>(&mut self, scope: &Scope, id: &str, change: impl FnOnce(&mut T)) -> bool {
        let Some(current) = self.get::<T>(scope, id) else {
            return false;
        };
        let mut value = (*current).clone();
        change(&mut value);
        self.put(scope, value);
        true
    }

    /// Removes a resource.
    pub fn remove<T: Resource>(&mut self, scope: &Scope, id: &str) {
        // Look before taking the scope mutably: that copies the scope's state even when there is nothing to remove.
        let present = T::table(self.world.region(scope)).contains_key(id);
        let removed = if present { T::table_mut(self.world.region_mut(scope)).remove(id) } else { None };
        if let Some(old) = removed {
            T::reindex(self.world, scope, Some(&old), None);
        }
        self.dirty.insert((T::KIND, scope.clone(), id.to_string()), serialize_record::<T>);
    }

    /// Looks a peering connection up by ID.
    pub fn get_peering(&self, id: &str) -> Option<Arc<VpcPeeringConnection>> {
        self.world.peerings.get(id).cloned()
    }

    /// Inserts or replaces a peering connection.
    pub fn put_peering(&mut self, pcx: VpcPeeringConnection) {
        let id = pcx.id.clone();
        self.world.peerings.insert(id.clone(), Arc::new(pcx));
        self.dirty.insert((PEERING_KIND, global_scope(), id), serialize_peering);
    }

    /// Replaces the per-scope facts.
    pub fn set_meta(&mut self, scope: &Scope, meta: RegionMeta) {
        self.world.region_mut(scope).meta = meta;
        self.dirty.insert((META_KIND, scope.clone(), META_ID.to_string()), serialize_meta);
    }

    /// Issues a fresh ID of `kind`.
    pub fn next_id(&mut self, kind: IdKind) -> String {
        self.world.next_id += 1;
        self.dirty_next_id = true;
        format_id(kind, self.world.next_id)
    }

    /// Where the public address allocator resumes (an offset into its pool).
    pub fn public_ip_cursor(&self) -> u64 {
        self.world.public_ip_cursor
    }

    /// Moves the public address allocator's cursor; persisted with the mutation.
    pub fn set_public_ip_cursor(&mut self, cursor: u64) {
        self.world.public_ip_cursor = cursor;
        self.dirty_public_ip_cursor = true;
    }

    /// Moves the emulator clock forward.
    pub fn advance_clock(&mut self, millis: i64) {
        self.world.clock_offset_ms = self.world.clock_offset_ms.saturating_add(millis);
        self.dirty_clock = true;
    }

    /// Ends the mutation: the changes to persist, in a deterministic order.
    pub fn finish(self) -> Vec<Change> {
        let mut changes = Vec::with_capacity(self.dirty.len() + 2);
        for ((kind, scope, id), serialize) in self.dirty {
            let body = serialize(self.world, &scope, &id);
            changes.push(match body {
                Some(body) => Change::Put { kind, scope, id, body },
                None => Change::Delete { kind, scope, id },
            });
        }
        if self.dirty_next_id {
            changes.push(Change::Meta { key: NEXT_ID_KEY, value: self.world.next_id.to_string() });
        }
        if self.dirty_clock {
            changes.push(Change::Meta { key: CLOCK_OFFSET_KEY, value: self.world.clock_offset_ms.to_string() });
        }
        if self.dirty_public_ip_cursor {
            changes.push(Change::Meta { key: PUBLIC_IP_CURSOR_KEY, value: self.world.public_ip_cursor.to_string() });
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_render_like_ec2() {
        assert_eq!(Timestamp(0).to_iso8601(), "1970-01-01T00:00:00.000Z");
        assert_eq!(Timestamp(1_767_323_045_123).to_iso8601(), "2026-01-02T03:04:05.123Z");
        assert_eq!(Timestamp(951_782_400_000).to_iso8601(), "2000-02-29T00:00:00.000Z");
    }
}
