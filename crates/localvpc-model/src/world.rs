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
use crate::customer_gateway::CustomerGateway;
use crate::dhcp_options::DhcpOptions;
use crate::egress_only_internet_gateway::EgressOnlyInternetGateway;
use crate::flow_log::FlowLog;
use crate::ids::{format_id, IdKind};
use crate::index::{Indexes, RegionIndex, WorldIndex};
use crate::instance::Instance;
use crate::internet_gateway::InternetGateway;
use crate::key_pair::KeyPair;
use crate::launch_template::LaunchTemplate;
use crate::nat_gateway::NatGateway;
use crate::network_acl::NetworkAcl;
use crate::network_insights::{NetworkInsightsAnalysis, NetworkInsightsPath};
use crate::network_interface::NetworkInterface;
use crate::prefix_list::ManagedPrefixList;
use crate::quotas::Quotas;
use crate::route_table::RouteTable;
use crate::security_group::SecurityGroup;
use crate::subnet::Subnet;
use crate::subnet_cidr_reservation::SubnetCidrReservation;
use crate::tags::Tags;
use crate::transit_gateway::{TransitGateway, TransitGatewayAttachment, TransitGatewayRouteTable};
use crate::volume::Volume;
use crate::vpc::Vpc;
use crate::vpc_endpoint::VpcEndpoint;
use crate::vpc_peering::VpcPeeringConnection;
use crate::vpn_connection::VpnConnection;
use crate::vpn_gateway::VpnGateway;

mod records;

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
///
/// Keyed by shared text: every write copies the B-tree nodes on its path (up to 64 keys each) and a later
/// publication frees the copies, so with `String` keys each write paid hundreds of allocations and frees; copying an
/// `Arc<str>` is a count.
pub type Table<T> = OrdMap<Arc<str>, Arc<T>>;

/// Per-scope facts that are not resources.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionMeta {
    /// The scope has been set up (default VPC created once, as AWS accounts come with one).
    pub initialized: bool,
    /// The region's default DHCP options set, which every VPC references.
    pub dhcp_options_id: String,
}

/// Everything one account owns in one region.
#[derive(Debug, Clone, Default, PartialEq)]
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
    /// DHCP options sets (the region's default set included).
    pub dhcp_options: Table<DhcpOptions>,
    /// Key pairs, by `key-…` ID.
    pub key_pairs: Table<KeyPair>,
    /// EBS volumes.
    pub volumes: Table<Volume>,
    /// Launch templates.
    pub launch_templates: Table<LaunchTemplate>,
    /// Subnet CIDR reservations.
    pub subnet_cidr_reservations: Table<SubnetCidrReservation>,
    /// NAT gateways (failed and deleted ones included).
    pub nat_gateways: Table<NatGateway>,
    /// Customer gateways (deleted ones while still listed).
    pub customer_gateways: Table<CustomerGateway>,
    /// Virtual private gateways (deleted ones while still listed).
    pub vpn_gateways: Table<VpnGateway>,
    /// Site-to-site VPN connections (deleted ones while still listed).
    pub vpn_connections: Table<VpnConnection>,
    /// Customer-managed prefix lists (the AWS-managed ones are a catalog, `prefix_list::aws_managed`).
    pub managed_prefix_lists: Table<ManagedPrefixList>,
    /// Egress-only internet gateways (part 2 §16.2).
    pub egress_only_internet_gateways: Table<EgressOnlyInternetGateway>,
    /// VPC endpoints (part 2 §17.4–17.5).
    pub vpc_endpoints: Table<VpcEndpoint>,
    /// VPC flow logs (part 2 §18).
    pub flow_logs: Table<FlowLog>,
    /// Lookups derived from the tables above (see [`crate::index`]); kept true by [`Tx`].
    pub(crate) index: RegionIndex,
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
    /// Keeps the [`crate::index`] lookups this kind contributes to true when its table changes: `old` is the value
    /// replaced or removed, `new` the value stored. Most kinds contribute to none.
    fn reindex(_index: &mut Indexes<'_>, _old: Option<&Self>, _new: Option<&Self>) {}
}

/// A resource kept beside the regions rather than in one ([`World`]'s spanning tables): it is seen from, or used
/// by, more than one scope (a transit gateway shared with other accounts, an attachment between two accounts or
/// Regions). Each value names the scopes it belongs to; the rules decide who sees it.
pub trait SpanningResource: Clone + Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The record kind in the store.
    const KIND: &'static str;
    /// The resource ID.
    fn id(&self) -> &str;
    /// The table holding this kind.
    fn table(world: &World) -> &Table<Self>;
    /// The table holding this kind, mutably.
    fn table_mut(world: &mut World) -> &mut Table<Self>;
    /// Keeps the world's [`crate::index`] lookups true, as [`Resource::reindex`] does for a scope's kinds.
    fn reindex(_index: &mut WorldIndex, _old: Option<&Self>, _new: Option<&Self>) {}
}

/// The whole emulated cloud.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct World {
    /// Each scope's state behind its own `Arc`: a mutation copies the path to its scope in this map, and a node of
    /// `Arc`s is a few hundred bytes where a node of inline `RegionState`s was kilobytes.
    regions: OrdMap<Scope, Arc<RegionState>>,
    /// Peering connections span two scopes, so they live beside the regions, not in one.
    peerings: Table<VpcPeeringConnection>,
    /// Transit gateways: shared across accounts, so beside the regions like peerings (part 2 §14.3).
    pub(crate) transit_gateways: Table<TransitGateway>,
    /// Transit gateway route tables, beside their gateways.
    pub(crate) transit_gateway_route_tables: Table<TransitGatewayRouteTable>,
    /// Transit gateway attachments, which join a gateway to a VPC or a peer gateway of another scope.
    pub(crate) transit_gateway_attachments: Table<TransitGatewayAttachment>,
    next_id: u64,
    /// Which ID sequence this world issues (see [`crate::ids`]); persisted with the counter.
    id_key: u64,
    clock_offset_ms: i64,
    /// Where the public address allocator (`address::allocate_public_ip`) resumes.
    public_ip_cursor: u64,
    /// How many Amazon-provided IPv6 blocks were ever issued (`ipv6::allocate_vpc_block`).
    pub(crate) ipv6_blocks_issued: u64,
    /// Lookups that span every scope (see [`crate::index`]); kept true by [`Tx`].
    index: WorldIndex,
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
const ID_KEY_KEY: &str = "id_key";
const CLOCK_OFFSET_KEY: &str = "clock_offset_ms";
const PUBLIC_IP_CURSOR_KEY: &str = "public_ip_cursor";
const IPV6_BLOCKS_ISSUED_KEY: &str = "ipv6_blocks_issued";

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

    /// Every resource of a spanning kind, whatever its scopes.
    pub fn spanning<T: SpanningResource>(&self) -> &Table<T> {
        T::table(self)
    }

    /// Every scope that holds state.
    pub fn scopes(&self) -> impl Iterator<Item = (&Scope, &RegionState)> {
        self.regions.iter().map(|(scope, region)| (scope, &**region))
    }

    /// The state of one scope, to change (created empty if the scope was never used); for [`Resource::reindex`].
    pub(crate) fn region_mut(&mut self, scope: &Scope) -> &mut RegionState {
        Arc::make_mut(self.regions.entry(scope.clone()).or_default())
    }

    /// Where `id` stands in this world's one ID sequence (every resource of every scope draws from it, so a resource
    /// created later has a larger number), read back from the ID itself ([`crate::ids::sequence_of`]): IDs look
    /// random, and front ends that lay resources out in creation order need this. `None` for an ID this world did
    /// not issue (a literal, or one from before a reset).
    pub fn creation_order(&self, id: &str) -> Option<u64> {
        crate::ids::sequence_of(id, self.id_key).filter(|&n| (1..=self.next_id).contains(&n))
    }

    /// The lookups that span every scope.
    pub(crate) fn index(&self) -> &WorldIndex {
        &self.index
    }

    /// The emulator clock offset in milliseconds (moved forward by the admin clock endpoint).
    pub fn clock_offset_ms(&self) -> i64 {
        self.clock_offset_ms
    }

    /// Sets the key of the ID sequence if this world has issued no ID yet (a fresh store or a reset). A world that
    /// has issued IDs keeps its key — a stored world without one (from before keys) keeps key 0 — so a restart
    /// never reissues an ID.
    pub fn key_fresh_ids(&mut self, key: u64) {
        if self.next_id == 0 {
            self.id_key = key;
        }
    }
}

/// Puts a spanning `value` in its table and tells the world's indexes what it replaced.
fn store_spanning<T: SpanningResource>(world: &mut World, value: Arc<T>) {
    let old = T::table_mut(world).insert(Arc::from(value.id()), value.clone());
    T::reindex(&mut world.index, old.as_deref(), Some(&value));
}

fn serialize_spanning<T: SpanningResource>(world: &World, _scope: &Scope, id: &str) -> Option<String> {
    T::table(world).get(id).map(|value| serde_json::to_string(&**value).expect("model types serialize"))
}

/// Puts `value` in its table and tells the indexes what it replaced.
fn store<T: Resource>(region: &mut RegionState, world: &mut WorldIndex, value: Arc<T>) {
    let old = T::table_mut(region).insert(Arc::from(value.id()), value.clone());
    T::reindex(&mut Indexes { region: &mut region.index, world }, old.as_deref(), Some(&value));
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

/// The store scope of world-level records (peering connections, the spanning resources).
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
    dirty_ipv6_blocks_issued: bool,
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
            dirty_ipv6_blocks_issued: false,
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
        let world = &mut *self.world;
        let region = Arc::make_mut(world.regions.entry(scope.clone()).or_default());
        store(region, &mut world.index, Arc::new(value));
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
        let world = &mut *self.world;
        // Look before taking the scope mutably: that copies the scope's state even when there is nothing to remove.
        let present = T::table(world.region(scope)).contains_key(id);
        if let Some(region) = world.regions.get_mut(scope).filter(|_| present).map(Arc::make_mut) {
            if let Some(old) = T::table_mut(region).remove(id) {
                T::reindex(&mut Indexes { region: &mut region.index, world: &mut world.index }, Some(&old), None);
            }
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
        self.world.peerings.insert(Arc::from(id.as_str()), Arc::new(pcx));
        self.dirty.insert((PEERING_KIND, global_scope(), id), serialize_peering);
    }

    /// Looks a spanning resource up by ID.
    pub fn get_spanning<T: SpanningResource>(&self, id: &str) -> Option<Arc<T>> {
        T::table(self.world).get(id).cloned()
    }

    /// Inserts or replaces a spanning resource.
    pub fn put_spanning<T: SpanningResource>(&mut self, value: T) {
        let id = value.id().to_string();
        store_spanning(self.world, Arc::new(value));
        self.dirty.insert((T::KIND, global_scope(), id), serialize_spanning::<T>);
    }

    /// Removes a spanning resource.
    pub fn remove_spanning<T: SpanningResource>(&mut self, id: &str) {
        if let Some(old) = T::table_mut(self.world).remove(id) {
            T::reindex(&mut self.world.index, Some(&old), None);
        }
        self.dirty.insert((T::KIND, global_scope(), id.to_string()), serialize_spanning::<T>);
    }

    /// Replaces the per-scope facts.
    pub fn set_meta(&mut self, scope: &Scope, meta: RegionMeta) {
        self.world.region_mut(scope).meta = meta;
        self.dirty.insert((META_KIND, scope.clone(), META_ID.to_string()), serialize_meta);
    }

    /// The sequence number of the last ID issued: it orders resources by creation, which their random IDs do not.
    pub fn id_sequence(&self) -> u64 {
        self.world.next_id
    }

    /// Issues a fresh ID of `kind`.
    pub fn next_id(&mut self, kind: IdKind) -> String {
        self.world.next_id += 1;
        self.dirty_next_id = true;
        format_id(kind, self.world.next_id, self.world.id_key)
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

    /// Takes the next number of the Amazon-provided IPv6 block sequence (never one issued before); persisted with
    /// the mutation.
    pub fn next_ipv6_block_number(&mut self) -> u64 {
        let number = self.world.ipv6_blocks_issued;
        self.world.ipv6_blocks_issued += 1;
        self.dirty_ipv6_blocks_issued = true;
        number
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
            // Written with every counter so the first ID of a fresh store persists its key in the same batch.
            changes.push(Change::Meta { key: ID_KEY_KEY, value: self.world.id_key.to_string() });
        }
        if self.dirty_clock {
            changes.push(Change::Meta { key: CLOCK_OFFSET_KEY, value: self.world.clock_offset_ms.to_string() });
        }
        if self.dirty_public_ip_cursor {
            changes.push(Change::Meta { key: PUBLIC_IP_CURSOR_KEY, value: self.world.public_ip_cursor.to_string() });
        }
        if self.dirty_ipv6_blocks_issued {
            let value = self.world.ipv6_blocks_issued.to_string();
            changes.push(Change::Meta { key: IPV6_BLOCKS_ISSUED_KEY, value });
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_world_takes_the_key_and_a_used_one_keeps_its_own() {
        let first_vpc_id = |key| {
            let mut world = World::default();
            world.key_fresh_ids(key);
            let mut tx = Tx::new(&mut world, Timestamp(0));
            tx.next_id(IdKind::Vpc)
        };
        assert_ne!(first_vpc_id(1), first_vpc_id(2));
        assert_eq!(first_vpc_id(3), first_vpc_id(3));

        let mut world = World::default();
        world.key_fresh_ids(5);
        let mut tx = Tx::new(&mut world, Timestamp(0));
        let issued = tx.next_id(IdKind::Vpc);
        let changes = tx.finish();
        assert!(changes.contains(&Change::Meta { key: ID_KEY_KEY, value: "5".into() }));
        let metas: Vec<(&str, String)> = changes
            .iter()
            .filter_map(|change| match change {
                Change::Meta { key, value } => Some((*key, value.clone())),
                _ => None,
            })
            .collect();
        let mut reloaded =
            World::load(std::iter::empty(), metas.iter().map(|(key, value)| (*key, value.as_str()))).unwrap();
        reloaded.key_fresh_ids(6); // ignored: this world has issued IDs
        let mut tx = Tx::new(&mut reloaded, Timestamp(0));
        let next = tx.next_id(IdKind::Vpc);
        assert_ne!(next, issued);
        assert_eq!(next, format_id(IdKind::Vpc, 2, 5));
    }

    #[test]
    fn creation_order_reads_back_from_ids_across_kinds_and_reloads() {
        let mut world = World::default();
        world.key_fresh_ids(11);
        let mut tx = Tx::new(&mut world, Timestamp(0));
        let ids = [tx.next_id(IdKind::Vpc), tx.next_id(IdKind::Subnet), tx.next_id(IdKind::Vpc)];
        tx.finish();
        let order: Vec<Option<u64>> = ids.iter().map(|id| world.creation_order(id)).collect();
        assert_eq!(order, [Some(1), Some(2), Some(3)]);
        // Not issued by this world: another key's ID, a literal, a number beyond the counter.
        assert_eq!(world.creation_order(&format_id(IdKind::Vpc, 1, 12)), None);
        assert_eq!(world.creation_order("vpc-1234abcd"), None);
        assert_eq!(world.creation_order(&format_id(IdKind::Vpc, 4, 11)), None);
    }

    #[test]
    fn timestamps_render_like_ec2() {
        assert_eq!(Timestamp(0).to_iso8601(), "1970-01-01T00:00:00.000Z");
        assert_eq!(Timestamp(1_767_323_045_123).to_iso8601(), "2026-01-02T03:04:05.123Z");
        assert_eq!(Timestamp(951_782_400_000).to_iso8601(), "2000-02-29T00:00:00.000Z");
    }
}
