//! Group commit, pipelined: the mutations that arrive while one batch is being written are applied meanwhile, one
//! by one, on top of it, and written together as the next batch — one store transaction (one `fsync`) for all of
//! them. Applying (CPU) and writing (the disk) overlap, so the server is as fast as the slower of the two.
//!
//! The life of a batch is **apply → seal → persist → publish → answer**:
//! 1. *Apply.* Under the writer lock, each mutation runs its model rule on a clone of the *tip* — the published
//!    world plus every batch not yet published — and renders its answer from the world it leaves. One that
//!    succeeds becomes the new tip and adds its changes to the *open* batch. One that fails drops its clone.
//! 2. *Seal.* One committer task at a time takes the open batch with the tip as it left it (the world to publish)
//!    and writes it; mutations arriving meanwhile open the next batch on top of it.
//! 3. *Persist.* The committer writes the sealed batch's changes — records, ID counter, clock offset — as one store
//!    transaction. Batches reach the store one at a time, in the order they were applied.
//! 4. *Publish.* Only after the commit: the sealed world becomes the world readers see.
//! 5. *Answer.* Every request of the batch learns the outcome at once.
//!
//! If the store refuses a batch, its requests fail (`InternalError`) and nothing of it is published or stored.
//! The batch opened on top of it was never written: the tip goes back to the published world and that batch's
//! requests are told to *apply again* — they were not in the refused batch, so they do not fail with it; their
//! mutations run once more on the world without it. The same holds for a mutation whose answer changed nothing (a
//! model error, a no-op): its answer was computed on the tip, so it is given only once everything the tip held is
//! committed, and computed again if some of that was refused. Every answer therefore describes a world that was
//! published, and acknowledged still means durable.
//!
//! With a store that keeps nothing past the process (`--store memory`) there is nothing to wait for, and each
//! mutation is published as soon as it is applied.
//!
//! **A store shared by several servers** (PostgreSQL) numbers its batches, and *persist* writes a batch only if
//! the store is still at the version the batch was computed on (its *base*). If another server committed
//! meanwhile, the store writes nothing ([`StoreError::Stale`]); the committer then *catches up* — loads the
//! store's world and publishes it — and tells the batch's requests, and those of the batch on top of it, to apply
//! again (catching up applies the records of the batches committed since, from the store's change log, or loads
//! the store's world whole when the log no longer reaches back): on the caught-up world each rule sees what the other server did, so racing servers give exactly one legal
//! outcome, as racing requests on one server do. A catch-up also happens whenever a request or the store's
//! notifications show that the store is ahead of the published world ([`Commits::catch_up_to`]). Publication is
//! monotonic in the store's version: a catch-up never replaces a newer world with an older one.

use std::sync::{Arc, RwLock};

use localvpc_model::{Change, LoadError, World};
use localvpc_store::{Snapshot, Store, StoreError, Write};

use super::OpenError;
use tokio::sync::{watch, Mutex, Notify};

/// What the committer tells the requests waiting on a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    /// The batch is durable and published.
    Committed,
    /// The store refused the batch: its requests fail, nothing of it remains.
    Refused,
    /// The store could not be reached: its requests fail as retryable, nothing of it remains.
    Unavailable,
    /// A batch before this one was refused, so this one was never written: apply the mutation again.
    ApplyAgain,
}

/// The commit path shared by the control plane and its committer task.
pub(super) struct Commits {
    writer: Mutex<Writer>,
    published: RwLock<Published>,
    /// The published version, for whoever follows publications (the kernel data plane).
    versions: watch::Sender<u64>,
    /// Told when the committer stops (nothing is waiting to be written any more).
    idle: Notify,
    store: Arc<dyn Store>,
    /// Whether other servers write to the store too (it numbers its batches).
    shared: bool,
    /// The ID key given to a world that starts empty (see [`Commits::key_fresh_ids`]).
    fresh_id_key: std::sync::atomic::AtomicU64,
    /// Held by the catch-up in progress: one load of the store at a time.
    catching: Mutex<()>,
}

/// What only the holder of the writer lock may touch.
pub(super) struct Writer {
    /// The world after every mutation applied so far: the published world plus the batches not yet published.
    pub(super) tip: World,
    /// Mutations applied and not yet sealed; `None` when there are none.
    open: Option<Batch>,
    /// The outcome of the sealed batch being written, while the committer runs.
    writing: Option<watch::Receiver<Option<Outcome>>>,
    /// Whether the committer task runs (it seals every batch opened while it runs).
    committing: bool,
    /// The store version of the world the next sealed batch is computed on (always 0 for a store that does not
    /// number its batches).
    base: u64,
}

/// The changes of the mutations applied since the last seal, and how their requests learn its outcome.
struct Batch {
    changes: Vec<Change>,
    outcome: watch::Sender<Option<Outcome>>,
}

/// The world readers see, with a version that changes on every publication.
pub(super) struct Published {
    pub(super) world: Arc<World>,
    pub(super) version: u64,
    /// The store version this world is (0 for a store that does not number its batches).
    pub(super) store_version: u64,
}

/// A mutation applied to the tip, waiting for what its answer depends on to be committed.
pub(super) enum Pending {
    /// Its answer depends on nothing unpublished: give it.
    Done,
    /// It joined this batch (its changes are in it).
    InBatch(watch::Receiver<Option<Outcome>>),
    /// It changed nothing, but its answer was computed on the world this batch leaves.
    Behind(watch::Receiver<Option<Outcome>>),
}

/// What a mutation's request does once [`Pending::settled`] answers.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Settled {
    /// Give the answer computed.
    Answer,
    /// The store refused the mutation's batch: fail with `InternalError`.
    Refused,
    /// The store could not be reached: fail with `ServiceUnavailable`.
    Unavailable,
    /// Apply the mutation again: what its answer was computed on was refused.
    ApplyAgain,
}

impl Pending {
    /// Waits until the mutation's answer may go out, or must be computed again.
    pub(super) async fn settled(self) -> Settled {
        let (mut outcome, joined) = match self {
            Pending::Done => return Settled::Answer,
            Pending::InBatch(outcome) => (outcome, true),
            Pending::Behind(outcome) => (outcome, false),
        };
        // A closed channel means the committer ended without an answer (the runtime is shutting down): nothing was
        // published, so the request fails like a refused batch.
        let outcome = outcome.wait_for(Option::is_some).await.map(|o| *o).unwrap_or(Some(Outcome::Refused));
        match outcome {
            Some(Outcome::Committed) => Settled::Answer,
            Some(Outcome::Refused) if joined => Settled::Refused,
            Some(Outcome::Unavailable) if joined => Settled::Unavailable,
            _ => Settled::ApplyAgain,
        }
    }
}

impl Commits {
    /// The commit path of `world`, which is the store's version `store_version`.
    pub(super) fn new(world: World, store_version: u64, store: Arc<dyn Store>) -> Self {
        Commits {
            writer: Mutex::new(Writer {
                tip: world.clone(),
                open: None,
                writing: None,
                committing: false,
                base: store_version,
            }),
            published: RwLock::new(Published { world: Arc::new(world), version: 0, store_version }),
            versions: watch::Sender::new(0),
            idle: Notify::new(),
            shared: store.versions().is_some(),
            store,
            fresh_id_key: Default::default(),
            catching: Mutex::new(()),
        }
    }

    /// Whether other servers write to the store too.
    pub(super) fn is_shared(&self) -> bool {
        self.shared
    }

    /// The ID key of the empty worlds loaded from now on (a reset).
    pub(super) fn set_fresh_id_key(&self, key: u64) {
        self.fresh_id_key.store(key, std::sync::atomic::Ordering::Relaxed);
    }

    /// Gives the world a fresh-ID key if it has issued no ID yet (start-up, before anything is shared), and keeps
    /// the key for the empty worlds a catch-up may load later (after a reset on another server).
    pub(super) fn key_fresh_ids(&self, key: u64) {
        self.fresh_id_key.store(key, std::sync::atomic::Ordering::Relaxed);
        // Nothing is applied before start-up ends, but a shared store's follower may be moving the tip to a newer
        // world: it holds the lock for a few instructions, never across an await.
        let mut writer = loop {
            match self.writer.try_lock() {
                Ok(writer) => break writer,
                Err(_) => std::thread::yield_now(),
            }
        };
        writer.tip.key_fresh_ids(key);
        self.published.write().expect("world lock").world = Arc::new(writer.tip.clone());
    }

    /// Wakes on every publication.
    pub(super) fn subscribe(&self) -> watch::Receiver<u64> {
        self.versions.subscribe()
    }

    pub(super) fn store(&self) -> &dyn Store {
        &*self.store
    }

    /// The writer lock: whoever holds it may apply a mutation to the tip.
    pub(super) async fn lock(&self) -> tokio::sync::MutexGuard<'_, Writer> {
        self.writer.lock().await
    }

    /// The writer lock once nothing is waiting to be written: every mutation applied before is committed and
    /// answered (reset).
    pub(super) async fn lock_drained(&self) -> tokio::sync::MutexGuard<'_, Writer> {
        loop {
            let stopped = self.idle.notified();
            let writer = self.lock().await;
            if !writer.committing {
                return writer;
            }
            drop(writer);
            stopped.await;
        }
    }

    /// The published world and its version.
    pub(super) fn published(&self) -> std::sync::RwLockReadGuard<'_, Published> {
        self.published.read().expect("world lock")
    }

    /// Makes `world` the one readers see.
    pub(super) fn publish(&self, world: World) {
        let store_version = self.published().store_version;
        self.publish_at(world, store_version);
    }

    /// Makes `world`, the store's version `store_version`, the one readers see — unless a newer one of a shared
    /// store is published already (it contains this one).
    fn publish_at(&self, world: World, store_version: u64) {
        let mut published = self.published.write().expect("world lock");
        if self.shared && store_version <= published.store_version {
            return;
        }
        published.version += 1;
        published.world = Arc::new(world);
        published.store_version = store_version;
        self.versions.send_replace(published.version);
    }

    /// Makes sure the published world is at least the shared store's `version`, loading the store's world if it is
    /// older (at most one load at a time; whoever waited for it finds the world new enough). Also moves the tip to
    /// the loaded world when no batch is being applied or written on top of the old one; otherwise the next batch
    /// is refused as stale and applied again on it.
    pub(super) async fn catch_up_to(&self, version: u64) -> Result<(), OpenError> {
        if self.published().store_version >= version {
            return Ok(());
        }
        let _turn = self.catching.lock().await;
        if self.published().store_version >= version {
            return Ok(());
        }
        let (world, loaded) = self.forward().await?;
        self.publish_at(world.clone(), loaded);
        let mut writer = self.lock().await;
        if writer.open.is_none() && writer.writing.is_none() && writer.base < loaded {
            writer.tip = world;
            writer.base = loaded;
        }
        Ok(())
    }

    /// The store's latest world and its version: the published world brought forward by what the batches since
    /// wrote, when the store still has them (a shared store's change log), else loaded whole. Both give the same
    /// world; bringing forward costs what those batches wrote, loading costs the whole world.
    async fn forward(&self) -> Result<(World, u64), OpenError> {
        let (base, from) = {
            let published = self.published();
            (published.world.clone(), published.store_version)
        };
        let Some(changes) = self.store.changes_since(from).await? else { return self.load().await };
        let apply = move || {
            let mut world = (*base).clone();
            let records = changes.records.iter().map(|record| {
                let scope = localvpc_model::Scope::new(&record.account, &record.region);
                (record.kind.as_str(), scope, record.id.as_str(), record.body.as_deref())
            });
            let meta = changes.meta.iter().map(|(key, value)| (key.as_str(), value.as_str()));
            world.apply_records(records, meta).map(|()| (world, changes.version))
        };
        match tokio::task::spawn_blocking(apply).await {
            Ok(Ok(forwarded)) => Ok(forwarded),
            Ok(Err(error)) => {
                tracing::warn!(%error, "cannot apply the shared store's recent batches; loading its world whole");
                self.load().await
            }
            Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
            Err(join) => Err(OpenError::Store(StoreError::Log(std::io::Error::other(join.to_string())))),
        }
    }

    /// The store's world and its version (with the fresh-ID key if it is empty).
    pub(super) async fn load(&self) -> Result<(World, u64), OpenError> {
        let snapshot = self.store.load().await?;
        let key = self.fresh_id_key.load(std::sync::atomic::Ordering::Relaxed);
        // Decoding every record is CPU work proportional to the world: on the runtime's workers (one, by default) it
        // held up every request of this server meanwhile.
        let decode = move || {
            let mut world = world_of(&snapshot)?;
            world.key_fresh_ids(key);
            Ok::<_, OpenError>((world, snapshot.version))
        };
        match tokio::task::spawn_blocking(decode).await {
            Ok(decoded) => decoded,
            Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
            // The runtime is shutting down: nothing will be published anyway.
            Err(join) => Err(OpenError::Store(StoreError::Log(std::io::Error::other(join.to_string())))),
        }
    }

    /// After a reset of a shared store, with the writer lock held: the store's (empty) world becomes the tip and
    /// the published world.
    pub(super) async fn reload_locked(&self, writer: &mut Writer) -> Result<(), OpenError> {
        let (world, loaded) = self.load().await?;
        self.publish_at(world.clone(), loaded);
        writer.tip = world;
        writer.base = loaded;
        Ok(())
    }

    /// Adds a successful mutation's changes to the open batch (opening one, and starting the committer, if there
    /// is none). Call with the mutated world already made the tip.
    pub(super) fn join(self: &Arc<Self>, writer: &mut Writer, changes: Vec<Change>) -> Pending {
        if changes.is_empty() {
            return Self::behind(writer);
        }
        if let Some(batch) = &mut writer.open {
            batch.changes.extend(changes);
            return Pending::InBatch(batch.outcome.subscribe());
        }
        let (outcome, receiver) = watch::channel(None);
        writer.open = Some(Batch { changes, outcome });
        if !writer.committing {
            writer.committing = true;
            // Spawned rather than run by this request so that a client hanging up cannot strand the batch. Its
            // first seal queues for the writer lock behind the mutations already waiting, so they join this batch.
            tokio::spawn(Arc::clone(self).commit_while_open());
        }
        Pending::InBatch(receiver)
    }

    /// For a mutation that changed nothing (or failed): what its answer waits for — the last batch of the tip.
    pub(super) fn behind(writer: &Writer) -> Pending {
        match (&writer.open, &writer.writing) {
            (Some(batch), _) => Pending::Behind(batch.outcome.subscribe()),
            (None, Some(writing)) => Pending::Behind(writing.clone()),
            (None, None) => Pending::Done,
        }
    }

    /// The committer: seals and writes the open batch until there is none.
    async fn commit_while_open(self: Arc<Self>) {
        // The version the last batch made, for the base of the next one.
        let mut committed_version = None;
        loop {
            // Let the requests that are ready to run apply their mutations first, so they join this batch: on a busy
            // server a batch otherwise holds the two or three mutations applied during the last fsync, and every
            // fsync costs about as much CPU as a whole request. Idle, nothing else is ready and this returns at once.
            tokio::task::yield_now().await;
            let (batch, sealed, base) = {
                let mut writer = self.lock().await;
                if let Some(version) = committed_version.take() {
                    writer.base = version;
                }
                let Some(batch) = writer.open.take() else {
                    writer.committing = false;
                    writer.writing = None;
                    drop(writer);
                    self.idle.notify_waiters();
                    return;
                };
                writer.writing = Some(batch.outcome.subscribe());
                let sealed = writer.tip.clone();
                (batch, sealed, writer.base)
            };
            let started = std::time::Instant::now();
            let outcome = match self.persist(base, &batch.changes).await {
                Ok(version) => {
                    self.publish_at(sealed, version);
                    committed_version = Some(version);
                    Outcome::Committed
                }
                Err(StoreError::Stale { current }) => {
                    // Another server committed first: this batch's requests apply again on its world.
                    let caught_up = self.catch_up_to(current).await;
                    self.drop_unwritten().await;
                    match caught_up {
                        Ok(()) => Outcome::ApplyAgain,
                        Err(error) => error.outcome(),
                    }
                }
                Err(error) => {
                    self.drop_unwritten().await;
                    if error.is_unavailable() {
                        Outcome::Unavailable
                    } else {
                        Outcome::Refused
                    }
                }
            };
            let requests = batch.outcome.receiver_count();
            tracing::debug!(requests, changes = batch.changes.len(), ?outcome, elapsed = ?started.elapsed(), "batch");
            batch.outcome.send_replace(Some(outcome));
        }
    }

    /// After a batch was not written: the tip goes back to the published world, and the batch applied on top of
    /// the unwritten one is told to apply again.
    async fn drop_unwritten(&self) {
        let mut writer = self.lock().await;
        let published = self.published();
        writer.tip = (*published.world).clone();
        writer.base = published.store_version;
        drop(published);
        writer.writing = None;
        if let Some(stacked) = writer.open.take() {
            stacked.outcome.send_replace(Some(Outcome::ApplyAgain));
        }
    }

    /// Writes `changes`, computed on the store's version `base`, as one store transaction: the version it made,
    /// once durable.
    async fn persist(&self, base: u64, changes: &[Change]) -> Result<u64, StoreError> {
        if changes.is_empty() {
            return Ok(base);
        }
        let writes: Vec<Write> = changes.iter().map(to_write).collect();
        self.store.apply_at(base, &writes).await.inspect_err(|error| match error {
            StoreError::Stale { current } => {
                tracing::debug!(base, current, "another server committed first; the batch is applied again")
            }
            _ => tracing::error!(%error, changes = writes.len(), "store refused a batch; its mutations are dropped"),
        })
    }
}

impl OpenError {
    /// What the requests waiting on a batch are told when it fails.
    fn outcome(&self) -> Outcome {
        match self {
            OpenError::Store(error) if error.is_unavailable() => Outcome::Unavailable,
            _ => Outcome::Refused,
        }
    }

    /// The answer of a request that needed the catch-up.
    pub(super) fn ec2_error(&self) -> localvpc_model::Ec2Error {
        match self.outcome() {
            Outcome::Unavailable => localvpc_model::Ec2Error::ServiceUnavailable,
            _ => localvpc_model::Ec2Error::InternalError,
        }
    }
}

/// The world a store's snapshot holds.
pub(super) fn world_of(snapshot: &Snapshot) -> Result<World, LoadError> {
    World::load(
        snapshot.records.iter().map(|record| {
            (
                record.kind.as_str(),
                localvpc_model::Scope::new(&record.account, &record.region),
                record.id.as_str(),
                record.body.as_str(),
            )
        }),
        snapshot.meta.iter().map(|(key, value)| (key.as_str(), value.as_str())),
    )
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
