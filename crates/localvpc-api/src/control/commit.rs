//! Group commit: the mutations that arrive while one batch is being committed are applied after it, one by one,
//! and committed together as the next batch — one store transaction (one `fsync`) for all of them.
//!
//! The order of one batch is **apply → persist → publish → answer**:
//! 1. *Apply.* Under the writer lock, each mutation runs its model rule on a clone of the *tip* — the published
//!    world plus the mutations of the open batch — and renders its answer from the world it leaves. A mutation
//!    that fails drops its clone: the tip stays as the previous successful mutation left it, and the others of the
//!    batch never see it. One that succeeds becomes the new tip and adds its changes to the open batch.
//! 2. *Persist.* A commit task takes the writer lock (it queues behind every mutation already waiting for the
//!    lock, which the fair lock serves first, so they join this batch) and writes the batch's changes — records,
//!    ID counter, clock offset — as one store transaction. It holds the lock until the transaction is over, so
//!    nothing is ever applied on top of changes that may yet be refused.
//! 3. *Publish.* Only after the commit: the tip becomes the world readers see. If the store refused, the tip goes
//!    back to the published world instead, so the refused batch leaves no trace anywhere.
//! 4. *Answer.* Every request of the batch learns the outcome at once: its own answer after a commit, the store's
//!    failure (`InternalError`) after a refusal. Acknowledged therefore still means durable.
//!
//! While the store writes one batch, the next one gathers in the lock's queue: the busier the server, the more
//! requests share one `fsync`. With a store that keeps nothing past the process (`--store memory`) there is
//! nothing to wait for, and each mutation is published as soon as it is applied.

use std::sync::{Arc, RwLock};

use localvpc_model::{Change, World};
use localvpc_store::{Store, Write};
use tokio::sync::{watch, Mutex};

/// What the commit task of a batch tells the batch's requests: `Some(true)` committed, `Some(false)` refused.
type Outcome = Option<bool>;

/// The commit path shared by the control plane and its commit tasks.
pub(super) struct Commits {
    writer: Mutex<Writer>,
    published: RwLock<Published>,
    /// The published version, for whoever follows publications (the kernel data plane).
    versions: watch::Sender<u64>,
    store: Arc<dyn Store>,
}

/// What only the holder of the writer lock may touch.
pub(super) struct Writer {
    /// The world after every mutation applied so far: the published world plus the open batch.
    pub(super) tip: World,
    /// Mutations applied and waiting for their commit; `None` when there are none.
    open: Option<Batch>,
}

/// The changes of the mutations applied since the last commit, and how their requests learn its outcome.
struct Batch {
    changes: Vec<Change>,
    outcome: watch::Sender<Outcome>,
}

/// The world readers see, with a version that changes on every publication.
pub(super) struct Published {
    pub(super) world: Arc<World>,
    pub(super) version: u64,
}

/// A mutation applied to the tip, waiting for its batch to be committed.
pub(super) enum Pending {
    /// Nothing to commit (nothing changed, and nothing applied before it is waiting either).
    Done,
    /// The batch it joined; its answer may go out once this says committed.
    Batch(watch::Receiver<Outcome>),
}

impl Pending {
    /// Waits for the batch's commit: `true` once it is durable, `false` if the store refused it.
    pub(super) async fn committed(self) -> bool {
        match self {
            Pending::Done => true,
            Pending::Batch(mut outcome) => {
                // A closed channel means the commit task ended without an answer (the runtime is shutting down):
                // nothing was published, so the request fails like a refused batch.
                outcome.wait_for(Option::is_some).await.map(|outcome| *outcome == Some(true)).unwrap_or(false)
            }
        }
    }
}

impl Commits {
    pub(super) fn new(world: World, store: Arc<dyn Store>) -> Self {
        Commits {
            writer: Mutex::new(Writer { tip: world.clone(), open: None }),
            published: RwLock::new(Published { world: Arc::new(world), version: 0 }),
            versions: watch::Sender::new(0),
            store,
        }
    }

    /// Gives the world a fresh-ID key if it has issued no ID yet (start-up, before anything is shared).
    pub(super) fn key_fresh_ids(&mut self, key: u64) {
        let writer = self.writer.get_mut();
        writer.tip.key_fresh_ids(key);
        self.published.get_mut().expect("world lock").world = Arc::new(writer.tip.clone());
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

    /// The published world and its version.
    pub(super) fn published(&self) -> std::sync::RwLockReadGuard<'_, Published> {
        self.published.read().expect("world lock")
    }

    /// Makes `world` the one readers see.
    pub(super) fn publish(&self, world: World) {
        let mut published = self.published.write().expect("world lock");
        published.version += 1;
        published.world = Arc::new(world);
        self.versions.send_replace(published.version);
    }

    /// Adds a successful mutation's changes to the open batch (opening one, and starting its commit task, if there
    /// is none). Call with the mutated world already made the tip.
    pub(super) fn join(self: &Arc<Self>, writer: &mut Writer, changes: Vec<Change>) -> Pending {
        if let Some(batch) = &mut writer.open {
            batch.changes.extend(changes);
            return Pending::Batch(batch.outcome.subscribe());
        }
        if changes.is_empty() {
            // The tip is the published world: this mutation's answer depends on nothing uncommitted.
            return Pending::Done;
        }
        let (outcome, receiver) = watch::channel(None);
        writer.open = Some(Batch { changes, outcome });
        // The task queues for the writer lock behind the mutations already waiting for it, so they join this batch.
        // It is spawned rather than run by this request so that a client hanging up cannot strand the batch.
        let commits = Arc::clone(self);
        tokio::spawn(async move {
            let mut writer = commits.lock().await;
            commits.commit_open(&mut writer).await;
        });
        Pending::Batch(receiver)
    }

    /// Commits the open batch, if any, as one store transaction; then publishes the tip (or, if the store refused,
    /// puts the tip back to the published world) and tells the batch's requests.
    pub(super) async fn commit_open(&self, writer: &mut Writer) {
        let Some(batch) = writer.open.take() else { return };
        let started = std::time::Instant::now();
        let committed = if batch.changes.is_empty() {
            true
        } else {
            let writes: Vec<Write> = batch.changes.iter().map(to_write).collect();
            match self.store.apply(&writes).await {
                Ok(()) => true,
                Err(error) => {
                    tracing::error!(%error, changes = writes.len(), "store refused a batch; its mutations are dropped");
                    false
                }
            }
        };
        if committed {
            self.publish(writer.tip.clone());
        } else {
            writer.tip = (*self.published().world).clone();
        }
        let requests = batch.outcome.receiver_count();
        tracing::debug!(requests, changes = batch.changes.len(), committed, elapsed = ?started.elapsed(), "batch");
        batch.outcome.send_replace(Some(committed));
    }
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
