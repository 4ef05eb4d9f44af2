//! The control plane's commit path: one writer, a mutation on a clone of the world, persisted before it is
//! published.
//!
//! Invariants:
//! - A mutation is acknowledged only after its changes are committed to the store (durable before the response).
//! - A mutation that fails — in validation or in the store — leaves both the published world and the store as
//!   they were.
//! - Readers never wait for writers: they take the current `Arc<World>` and work on that snapshot.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use localvpc_engine::Topology;
use localvpc_model::{Change, Ec2Error, Timestamp, Tx, World};
use localvpc_store::{Store, StoreError, Write};

use crate::id_source::IdSource;

/// The quotas a server enforces (spec §5), re-exported for the binary's `--quotas` flag.
pub use localvpc_model::Quotas;

/// The emulated cloud behind the API: the published world and the store it is persisted in.
pub struct Control {
    /// Rendered XML reused across requests (see [`crate::render_cache`]).
    pub renders: crate::render_cache::RenderCache,
    world: RwLock<Published>,
    topology: Mutex<Option<Arc<Topology>>>,
    compiling: AtomicBool,
    writer: tokio::sync::Mutex<()>,
    store: Arc<dyn Store>,
    quotas: Quotas,
    versions: tokio::sync::watch::Sender<u64>,
    id_source: IdSource,
}

impl Control {
    /// Loads the world from `store`; no quota is enforced (the DESIGN default).
    pub async fn open(store: Arc<dyn Store>) -> Result<Self, OpenError> {
        Self::open_with_quotas(store, Quotas::none()).await
    }

    /// Loads the world from `store`; every mutation enforces `quotas` (`serve --quotas aws`).
    pub async fn open_with_quotas(store: Arc<dyn Store>, quotas: Quotas) -> Result<Self, OpenError> {
        let snapshot = store.load().await?;
        let world = World::load(
            snapshot.records.iter().map(|record| {
                (
                    record.kind.as_str(),
                    localvpc_model::Scope::new(&record.account, &record.region),
                    record.id.as_str(),
                    record.body.as_str(),
                )
            }),
            snapshot.meta.iter().map(|(key, value)| (key.as_str(), value.as_str())),
        )?;
        Ok(Control {
            renders: Default::default(),
            world: RwLock::new(Published { world: Arc::new(world), version: 0 }),
            topology: Mutex::new(None),
            compiling: AtomicBool::new(false),
            writer: tokio::sync::Mutex::new(()),
            store,
            quotas,
            versions: tokio::sync::watch::Sender::new(0),
            id_source: IdSource::Seeded(0),
        })
    }

    /// Where the ID key of an empty world comes from (default: seed 0, deterministic for tests); applied at once if
    /// the loaded world has issued no ID yet, and at every reset.
    pub fn with_id_source(mut self, id_source: IdSource) -> Self {
        self.id_source = id_source;
        let published = self.world.get_mut().expect("world lock");
        let mut world = (*published.world).clone();
        world.key_fresh_ids(id_source.key());
        published.world = Arc::new(world);
        self
    }

    /// The quotas every mutation enforces.
    pub fn quotas(&self) -> Quotas {
        self.quotas
    }

    /// The current world, for reads.
    pub fn snapshot(&self) -> Arc<World> {
        self.world.read().expect("world lock").world.clone()
    }

    /// The compiled topology of the current world (compiled here if the background compilation of
    /// [`Control::refresh_topology`] has not caught up yet), cached per world version.
    pub fn topology(&self) -> Arc<Topology> {
        let (world, version) = {
            let published = self.world.read().expect("world lock");
            (published.world.clone(), published.version)
        };
        let mut cached = self.topology.lock().expect("topology lock");
        if let Some(topology) = cached.as_ref().filter(|topology| topology.version == version) {
            return topology.clone();
        }
        let topology = Arc::new(Topology::compile(&world, version));
        *cached = Some(topology.clone());
        topology
    }

    /// After a commit: once writes have paused for [`QUIET_BEFORE_COMPILE`], compiles and publishes the new
    /// world's topology in the background, so the write's answer never waits for it and the next probe finds it
    /// ready. While writes keep coming nothing is compiled (a busy writer does not pay for topologies nobody asks
    /// for; a probe meanwhile compiles its version itself), and one task serves any number of commits.
    pub fn refresh_topology(self: &Arc<Self>) {
        if self.compiling.swap(true, Ordering::AcqRel) {
            return;
        }
        let control = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                let seen = control.version();
                tokio::time::sleep(QUIET_BEFORE_COMPILE).await;
                if control.version() != seen {
                    continue;
                }
                let compiler = Arc::clone(&control);
                let compiled = tokio::task::spawn_blocking(move || compiler.topology().version).await.ok();
                control.compiling.store(false, Ordering::Release);
                if compiled == Some(control.version()) || control.compiling.swap(true, Ordering::AcqRel) {
                    break;
                }
            }
        });
    }

    /// The version of the published world (it changes on every commit).
    pub fn version(&self) -> u64 {
        self.world.read().expect("world lock").version
    }

    /// Wakes on every published world version: the hook a data plane realises topologies from.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.versions.subscribe()
    }

    fn publish(&self, world: World) {
        let mut published = self.world.write().expect("world lock");
        published.version += 1;
        published.world = Arc::new(world);
        self.versions.send_replace(published.version);
    }

    /// The emulator's clock: real time plus the admin offset of `world`.
    pub fn now(world: &World) -> Timestamp {
        let real = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default();
        Timestamp(real.saturating_add(world.clock_offset_ms()).max(0) as u64)
    }

    /// Runs `mutation` on a clone of the world; commits it to the store and publishes it only if it succeeds.
    pub async fn mutate<R>(&self, mutation: impl FnOnce(&mut Tx) -> Result<R, Ec2Error>) -> Result<R, Ec2Error> {
        let _writer = self.writer.lock().await;
        let mut world = (*self.snapshot()).clone();
        let mut tx = Tx::with_quotas(&mut world, Self::now(&self.snapshot()), self.quotas);
        let result = mutation(&mut tx)?;
        // A store that keeps nothing past the process needs no records: encoding them was a fifth of a CreateVpc
        // (BENCHMARKS.md). The world itself is the state; the store is only its copy on disk.
        let changes = if self.store.is_durable() { tx.finish() } else { Vec::new() };
        if !changes.is_empty() {
            let writes: Vec<Write> = changes.iter().map(to_write).collect();
            self.store.apply(&writes).await.map_err(|error| {
                tracing::error!(%error, "store refused a batch; the mutation is dropped");
                Ec2Error::InternalError
            })?;
        }
        self.publish(world);
        Ok(result)
    }

    /// Runs `mutation` on a throwaway clone (DryRun): nothing is stored or published.
    pub fn try_mutation<R>(&self, mutation: impl FnOnce(&mut Tx) -> Result<R, Ec2Error>) -> Result<R, Ec2Error> {
        let snapshot = self.snapshot();
        let mut world = (*snapshot).clone();
        let mut tx = Tx::with_quotas(&mut world, Self::now(&snapshot), self.quotas);
        mutation(&mut tx)
    }

    /// Wipes everything (the reset endpoints).
    pub async fn reset(&self) -> Result<(), StoreError> {
        let _writer = self.writer.lock().await;
        self.store.reset().await?;
        let mut world = World::default();
        world.key_fresh_ids(self.id_source.key());
        self.publish(world);
        Ok(())
    }
}

/// How long writes must pause before the background compilation of [`Control::refresh_topology`] starts.
const QUIET_BEFORE_COMPILE: std::time::Duration = std::time::Duration::from_millis(25);

/// The world readers see, with a version that changes on every commit.
struct Published {
    world: Arc<World>,
    version: u64,
}

fn to_write(change: &Change) -> Write<'_> {
    match change {
        Change::Put { kind, scope, id, body } => {
            Write::Put { kind, account: &scope.account, region: &scope.region, id, body }
        }
        Change::Delete { kind, scope, id } => {
            Write::Delete { kind, account: &scope.account, region: &scope.region, id }
        }
        Change::Meta { key, value } => Write::Meta { key, value },
    }
}

/// The store could not be read at start-up.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A record could not be decoded.
    #[error(transparent)]
    Load(#[from] localvpc_model::LoadError),
}
