//! Rendered XML of resources whose answer depends on nothing but the resource itself (a VPC's `<item>`), reused
//! across requests.
//!
//! Why it exists: DescribeVpcs over 100 VPCs spent most of its time formatting and escaping the same text again
//! (BENCHMARKS.md). Resources whose rendering reads other state (a subnet's free addresses, a route's state) are not
//! cached here.
//!
//! Why it is never stale: the world is immutable and a changed resource is a new `Arc`, so an entry answers only
//! for the very `Arc` it was rendered from (it holds that `Arc`, so the address cannot be reused meanwhile).
//!
//! Why it stays small: it holds current versions only. Each VPC ID has at most one entry, and a new version
//! replaces the old one, so a VPC changed a million times costs one entry. Every so many renderings a sweep drops
//! the entries that are not the current version in the world of the request that sweeps — deleted VPCs, versions a
//! reader of an older snapshot brought back — so what is left is the live VPCs that were described. A sweep runs
//! after as many renderings as it left entries the time before (at least [`MIN_SWEEP_PERIOD`]): its cost is
//! constant per rendering, and at most that many dead entries wait for it. [`MAX_BYTES`] bounds the whole as a
//! last resort. (Without the replacement, every old version stayed until a cap of 50,000 entries: about 700 MB
//! under a load of tag changes.)
//!
//! Why entries are found by address: a hit, the common case, hashes one integer, as it did before entries were
//! bounded; the VPC ID is looked at only on a miss, to find the version it replaces.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use localvpc_model::vpc::Vpc;
use localvpc_model::{Scope, World};

/// Renderings between two sweeps when the cache is small.
const MIN_SWEEP_PERIOD: usize = 64;
/// Rendered bytes kept before the cache starts over (a miss only costs a render).
const MAX_BYTES: usize = 32 << 20;

/// One cached rendering.
#[derive(Debug)]
struct Entry {
    /// Where the VPC lives, to find its current version at a sweep.
    scope: Scope,
    /// The version it was rendered from (held, so its address is not reused while the entry lives).
    vpc: Arc<Vpc>,
    /// The rendering.
    text: Arc<str>,
}

/// The entries, and the bookkeeping of their sweeps.
#[derive(Debug)]
struct Entries {
    /// Address of the rendered `Arc<Vpc>` → its entry.
    by_address: HashMap<usize, Entry>,
    /// VPC ID → the address of its entry.
    address_of: HashMap<String, usize>,
    renders_since_sweep: usize,
    sweep_period: usize,
    bytes: usize,
}

impl Default for Entries {
    fn default() -> Self {
        Entries {
            by_address: HashMap::new(),
            address_of: HashMap::new(),
            renders_since_sweep: 0,
            sweep_period: MIN_SWEEP_PERIOD,
            bytes: 0,
        }
    }
}

fn address(vpc: &Arc<Vpc>) -> usize {
    Arc::as_ptr(vpc) as usize
}

impl Entries {
    fn get(&self, vpc: &Arc<Vpc>) -> Option<Arc<str>> {
        self.by_address.get(&address(vpc)).map(|entry| entry.text.clone())
    }

    fn insert(&mut self, world: &World, scope: &Scope, vpc: &Arc<Vpc>, text: Arc<str>) {
        self.renders_since_sweep += 1;
        if self.renders_since_sweep >= self.sweep_period {
            self.sweep(world);
        }
        if self.bytes + text.len() > MAX_BYTES {
            self.by_address.clear();
            self.address_of.clear();
            self.bytes = 0;
        }
        let at = address(vpc);
        if let Some(previous) = self.address_of.insert(vpc.id.clone(), at) {
            if let Some(replaced) = self.by_address.remove(&previous) {
                self.bytes -= replaced.text.len();
            }
        }
        self.bytes += text.len();
        self.by_address.insert(at, Entry { scope: scope.clone(), vpc: vpc.clone(), text });
    }

    /// Keeps the entries of current versions in `world` only, and sets the next period.
    fn sweep(&mut self, world: &World) {
        let mut bytes = 0;
        self.by_address.retain(|_, entry| {
            let current = world
                .region(&entry.scope)
                .vpcs
                .get(entry.vpc.id.as_str())
                .is_some_and(|vpc| Arc::ptr_eq(vpc, &entry.vpc));
            if current {
                bytes += entry.text.len();
            }
            current
        });
        let by_address = &self.by_address;
        self.address_of.retain(|_, at| by_address.contains_key(at));
        self.bytes = bytes;
        self.renders_since_sweep = 0;
        self.sweep_period = self.by_address.len().max(MIN_SWEEP_PERIOD);
    }
}

/// The cache; one per server.
#[derive(Debug, Default)]
pub struct RenderCache {
    vpcs: Mutex<Entries>,
}

impl RenderCache {
    /// The rendered `vpc` of `scope` in `world` (the snapshot the request reads), from the cache or from `render`.
    pub fn vpc(&self, world: &World, scope: &Scope, vpc: &Arc<Vpc>, render: impl FnOnce(&Vpc) -> String) -> Arc<str> {
        if let Some(text) = self.vpcs.lock().expect("render cache lock").get(vpc) {
            return text;
        }
        let text: Arc<str> = render(vpc).into();
        self.vpcs.lock().expect("render cache lock").insert(world, scope, vpc, text.clone());
        text
    }

    /// How many renderings the cache holds, and their bytes.
    pub fn size(&self) -> (usize, usize) {
        let entries = self.vpcs.lock().expect("render cache lock");
        (entries.by_address.len(), entries.bytes)
    }
}

#[cfg(test)]
mod tests {
    use localvpc_model::vpc::{self, CreateVpc};
    use localvpc_model::{Timestamp, Tx};

    use super::*;

    fn scope() -> Scope {
        Scope::new("123456789012", "us-east-1")
    }

    fn render(vpc: &Vpc) -> String {
        format!("<vpcId>{}</vpcId><tagCount>{}</tagCount>", vpc.id, vpc.tags.iter().count())
    }

    fn create(world: &mut World, block: &str) -> String {
        let mut tx = Tx::new(world, Timestamp(0));
        vpc::create_vpc(&mut tx, &scope(), CreateVpc { cidr_block: block.into(), ..Default::default() })
            .unwrap()
            .id
            .clone()
    }

    fn current(world: &World, id: &str) -> Arc<Vpc> {
        world.region(&scope()).vpcs[id].clone()
    }

    fn retag(world: &mut World, id: &str, n: usize) {
        let mut tx = Tx::new(world, Timestamp(0));
        tx.update::<Vpc>(&scope(), id, |vpc| {
            vpc.tags.0 = vec![localvpc_model::Tag { key: "n".into(), value: n.to_string() }]
        });
    }

    #[test]
    fn a_version_is_rendered_once_and_a_new_version_replaces_it() {
        let mut world = World::default();
        let id = create(&mut world, "10.0.0.0/16");
        let cache = RenderCache::default();
        let mut renders = 0;
        for _ in 0..3 {
            cache.vpc(&world, &scope(), &current(&world, &id), |vpc| {
                renders += 1;
                render(vpc)
            });
        }
        assert_eq!(renders, 1);
        retag(&mut world, &id, 1);
        let text = cache.vpc(&world, &scope(), &current(&world, &id), render);
        assert_eq!(&*text, format!("<vpcId>{id}</vpcId><tagCount>1</tagCount>"));
        assert_eq!(cache.size(), (1, text.len()));
    }

    #[test]
    fn versions_of_a_changing_vpc_never_pile_up() {
        let mut world = World::default();
        let id = create(&mut world, "10.0.0.0/16");
        let cache = RenderCache::default();
        for n in 0..5_000 {
            retag(&mut world, &id, n);
            cache.vpc(&world, &scope(), &current(&world, &id), render);
        }
        assert_eq!(cache.size().0, 1);
    }

    #[test]
    fn entries_of_deleted_vpcs_go_at_the_next_sweep_and_live_ones_stay() {
        let mut world = World::default();
        let live: Vec<String> = (0..200).map(|n| create(&mut world, &format!("10.{n}.0.0/16"))).collect();
        let cache = RenderCache::default();
        for round in 0..50 {
            // One VPC created, described and deleted per round, beside 200 that are described every round.
            let id = create(&mut world, "172.16.0.0/16");
            cache.vpc(&world, &scope(), &current(&world, &id), render);
            vpc::delete_vpc(&mut Tx::new(&mut world, Timestamp(0)), &scope(), &id).unwrap();
            for id in &live {
                cache.vpc(&world, &scope(), &current(&world, id), render);
            }
            assert!(
                cache.size().0 <= live.len() + MIN_SWEEP_PERIOD.max(live.len()),
                "round {round}: {:?}",
                cache.size()
            );
        }
        let mut renders = 0;
        for id in &live {
            cache.vpc(&world, &scope(), &current(&world, id), |vpc| {
                renders += 1;
                render(vpc)
            });
        }
        assert_eq!(renders, 0, "every live VPC is still cached");
    }
}
