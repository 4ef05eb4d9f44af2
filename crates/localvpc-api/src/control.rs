//! The control plane's commit path: mutations applied one at a time to the world, persisted in batches before they
//! are published (group commit, see [`commit`]).
//!
//! Invariants:
//! - A mutation is acknowledged only after its changes are committed to the store (durable before the response).
//! - A mutation that fails — in validation or in the store — leaves both the published world and the store as
//!   they were; a mutation that fails in validation does not affect the others of its batch.
//! - Readers never wait for writers: they take the current `Arc<World>` and work on that snapshot.
//! - With a store shared by several servers, a request is answered from a world no older than the store was when
//!   the request arrived ([`Control::sync`]): a write acknowledged by any server is seen by every later request on
//!   any server.

mod commit;
#[cfg(test)]
mod shared_tests;
#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use localvpc_engine::Topology;
use localvpc_model::{Ec2Error, Timestamp, Tx, World};
use localvpc_store::{Store, StoreError};

use commit::{world_of, Commits, Settled};

use crate::id_source::IdSource;

/// The quotas a server enforces (spec §5), re-exported for the binary's `--quotas` flag.
pub use localvpc_model::Quotas;

/// The emulated cloud behind the API: the published world and the store it is persisted in.
pub struct Control {
    /// Rendered XML reused across requests (see [`crate::render_cache`]).
    pub renders: crate::render_cache::RenderCache,
    /// The VPC flow log records of the probes this server answered (see [`crate::flow_records`]).
    pub flow_records: crate::flow_records::FlowRecords,
    commits: Arc<Commits>,
    topology: Mutex<Option<Arc<Topology>>>,
    compiling: AtomicBool,
    quotas: Quotas,
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
        let world = world_of(&snapshot)?;
        let commits = Arc::new(Commits::new(world, snapshot.version, Arc::clone(&store)));
        if let Some(versions) = store.versions() {
            tokio::spawn(follow_store(Arc::downgrade(&commits), versions));
        }
        Ok(Control {
            renders: Default::default(),
            flow_records: Default::default(),
            commits,
            topology: Mutex::new(None),
            compiling: AtomicBool::new(false),
            quotas,
            id_source: IdSource::Seeded(0),
        })
    }

    /// Where the ID key of an empty world comes from (default: seed 0, deterministic for tests); applied at once if
    /// the loaded world has issued no ID yet, and at every reset.
    pub fn with_id_source(mut self, id_source: IdSource) -> Self {
        self.id_source = id_source;
        self.commits.key_fresh_ids(id_source.key());
        self
    }

    /// Keeps flow log records under `dir` too, so they survive a restart (`serve --store sqlite:PATH`).
    pub fn with_flow_log_dir(mut self, dir: std::path::PathBuf) -> Self {
        self.flow_records = crate::flow_records::FlowRecords::new(Some(dir));
        self
    }

    /// The quotas every mutation enforces.
    pub fn quotas(&self) -> Quotas {
        self.quotas
    }

    /// The current world, for reads.
    pub fn snapshot(&self) -> Arc<World> {
        self.commits.published().world.clone()
    }

    /// The compiled topology of the current world (compiled here if the background compilation of
    /// [`Control::refresh_topology`] has not caught up yet), cached per world version.
    pub fn topology(&self) -> Arc<Topology> {
        let (world, version) = {
            let published = self.commits.published();
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

    /// The version of the published world (it changes on every publication).
    pub fn version(&self) -> u64 {
        self.commits.published().version
    }

    /// Wakes on every published world version: the hook a data plane realises topologies from.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.commits.subscribe()
    }

    /// The emulator's clock: real time plus the admin offset of `world`.
    pub fn now(world: &World) -> Timestamp {
        let real = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default();
        Timestamp(real.saturating_add(world.clock_offset_ms()).max(0) as u64)
    }

    /// Runs `mutation` on a clone of the world as the mutations before it left it, and answers once what the answer
    /// depends on is committed (see [`commit`]). If it fails, nothing changes; if the store refuses its batch, it
    /// fails with `InternalError` (`ServiceUnavailable` if the store cannot be reached) and nothing changes either.
    /// It may run more than once: when a batch before it is refused, it is applied again to the world without that
    /// batch; when another server committed first to a shared store, it is applied again to the world that left.
    pub async fn mutate<R>(&self, mut mutation: impl FnMut(&mut Tx) -> Result<R, Ec2Error>) -> Result<R, Ec2Error> {
        loop {
            let mut writer = self.commits.lock().await;
            let mut world = writer.tip.clone();
            let mut tx = Tx::with_quotas(&mut world, Self::now(&writer.tip), self.quotas);
            let result = mutation(&mut tx);
            if !self.commits.store().is_durable() {
                // A store that keeps nothing past the process has nothing to wait for, and needs no records: encoding
                // them was a fifth of a CreateVpc (BENCHMARKS.md). The world itself is the state.
                if result.is_ok() {
                    writer.tip = world.clone();
                    self.commits.publish(world);
                }
                return result;
            }
            let pending = match &result {
                Ok(_) => {
                    let changes = tx.finish();
                    writer.tip = world;
                    self.commits.join(&mut writer, changes)
                }
                Err(_) => Commits::behind(&writer),
            };
            drop(writer);
            match pending.settled().await {
                Settled::Answer => return result,
                Settled::Refused => return Err(Ec2Error::InternalError),
                Settled::Unavailable => return Err(Ec2Error::ServiceUnavailable),
                Settled::ApplyAgain => continue,
            }
        }
    }

    /// Brings the published world up to the store's latest version if other servers committed since (one cheap
    /// read of a shared store; nothing for a store kept by this server alone). Requests call it first, so a write
    /// acknowledged by any server is seen by every request that arrives after it, on any server.
    pub async fn sync(&self) -> Result<(), Ec2Error> {
        if !self.commits.is_shared() {
            return Ok(());
        }
        let latest = self.commits.store().latest_version().await.map_err(|error| OpenError::from(error).ec2_error())?;
        match latest {
            Some(version) => self.commits.catch_up_to(version).await.map_err(|error| error.ec2_error()),
            None => Ok(()),
        }
    }

    /// Runs `mutation` on a throwaway clone (DryRun): nothing is stored or published.
    pub fn try_mutation<R>(&self, mutation: impl FnOnce(&mut Tx) -> Result<R, Ec2Error>) -> Result<R, Ec2Error> {
        let snapshot = self.snapshot();
        let mut world = (*snapshot).clone();
        let mut tx = Tx::with_quotas(&mut world, Self::now(&snapshot), self.quotas);
        mutation(&mut tx)
    }

    /// Wipes everything (the reset endpoints). Mutations applied before it are committed (and answered) first.
    pub async fn reset(&self) -> Result<(), OpenError> {
        let mut writer = self.commits.lock_drained().await;
        self.commits.store().reset().await?;
        self.flow_records.clear();
        if self.commits.is_shared() {
            // The other servers load the empty world when they hear of the reset's version; this one now.
            self.commits.set_fresh_id_key(self.id_source.key());
            return self.commits.reload_locked(&mut writer).await;
        }
        let mut world = World::default();
        world.key_fresh_ids(self.id_source.key());
        writer.tip = world.clone();
        self.commits.publish(world);
        Ok(())
    }
}

/// Follows the versions other servers commit to a shared store: each one is loaded and published as soon as it is
/// heard of (a failed load is tried again, every [`RETRY_CATCH_UP`], until it succeeds or a newer version comes),
/// so the published world — and the topology and kernel data plane that follow it — trail a commit anywhere by
/// one notification and one load. Ends with the commit path.
async fn follow_store(commits: std::sync::Weak<Commits>, mut versions: tokio::sync::watch::Receiver<u64>) {
    loop {
        let version = *versions.borrow_and_update();
        let Some(strong) = commits.upgrade() else { return };
        let caught_up = strong.catch_up_to(version).await;
        drop(strong);
        let waited = match caught_up {
            Ok(()) => versions.changed().await.map_err(drop),
            Err(error) => {
                tracing::warn!(%error, version, "cannot load the shared store's world yet; retrying");
                tokio::time::timeout(RETRY_CATCH_UP, versions.changed()).await.unwrap_or(Ok(())).map_err(drop)
            }
        };
        if waited.is_err() {
            return;
        }
    }
}

/// How often a failed catch-up with a shared store is tried again.
const RETRY_CATCH_UP: std::time::Duration = std::time::Duration::from_millis(250);

/// How long writes must pause before the background compilation of [`Control::refresh_topology`] starts.
const QUIET_BEFORE_COMPILE: std::time::Duration = std::time::Duration::from_millis(25);

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
