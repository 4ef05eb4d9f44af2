//! Persistence for localvpc: the [`Store`] trait and its backends.
//!
//! A store keeps *records* — `(kind, account, region, id) → JSON body` — and a few world-level values (`meta`).
//! It applies one batch of [`Write`]s atomically ([`Store::apply`]) and hands everything back at start-up
//! ([`Store::load`]). It knows nothing of AWS: validation happens before a batch reaches it, and the bodies are
//! opaque text.
//!
//! Backends: [`SqliteStore`] (the default: an append-only batch log, `fdatasync`ed before `apply` returns, folded
//! in the background into one SQLite file — an acknowledged batch survives a crash of the process or the machine),
//! [`PostgresStore`] (`--store postgres://…`: one database shared by several servers, which serialise their batches
//! on its world version) and [`MemoryStore`] (`--store memory`, for tests and labs).
//!
//! A store shared by several servers is told apart by [`Store::versions`]: it numbers its batches, refuses one
//! computed on an older world ([`Store::apply_at`], [`StoreError::Stale`]), and says when others committed.
#![warn(missing_docs)]

mod batch_log;
mod memory;
mod migrations;
mod postgres;
mod sqlite;

use std::future::Future;
use std::pin::Pin;

use tokio::sync::watch;

pub use memory::MemoryStore;
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// A boxed future, so [`Store`] can be used as `Arc<dyn Store>`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One change in a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write<'a> {
    /// Insert or replace a record.
    Put {
        /// Record kind.
        kind: &'a str,
        /// Account.
        account: &'a str,
        /// Region.
        region: &'a str,
        /// Resource ID.
        id: &'a str,
        /// Opaque body.
        body: &'a str,
    },
    /// Remove a record (no error if absent).
    Delete {
        /// Record kind.
        kind: &'a str,
        /// Account.
        account: &'a str,
        /// Region.
        region: &'a str,
        /// Resource ID.
        id: &'a str,
    },
    /// Set a world-level value.
    Meta {
        /// Key.
        key: &'a str,
        /// Value.
        value: &'a str,
    },
}

/// One stored record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Record kind.
    pub kind: String,
    /// Account.
    pub account: String,
    /// Region.
    pub region: String,
    /// Resource ID.
    pub id: String,
    /// Opaque body.
    pub body: String,
}

/// Everything a store holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// All records.
    pub records: Vec<Record>,
    /// All world-level values.
    pub meta: Vec<(String, String)>,
    /// The world version these records are (0 for a store kept by one server, which does not number its batches).
    pub version: u64,
}

/// One record a batch wrote: its new body, or `None` if the batch removed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedRecord {
    /// Record kind.
    pub kind: String,
    /// Account.
    pub account: String,
    /// Region.
    pub region: String,
    /// Resource ID.
    pub id: String,
    /// Opaque body; `None`: removed.
    pub body: Option<String>,
}

/// What the batches a shared store committed after some version wrote, in commit order (see
/// [`Store::changes_since`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// The version the batches bring a world to.
    pub version: u64,
    /// The records they wrote, oldest batch first.
    pub records: Vec<ChangedRecord>,
    /// The world-level values they wrote, oldest batch first.
    pub meta: Vec<(String, String)>,
}

/// A store failure. Never caused by request content; the API reports it as an internal error.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The batch log could not be written or read.
    #[error("batch log: {0}")]
    Log(#[from] std::io::Error),
    /// A shared store's world moved on to `current` since the batch's world was read: nothing was written; the
    /// batch must be computed again on the current world.
    #[error("the stored world is at version {current}, newer than the batch's")]
    Stale {
        /// The version the store is at.
        current: u64,
    },
    /// The store location is unusable.
    #[error("store location {path}: {reason}")]
    Location {
        /// The path given.
        path: String,
        /// Why it cannot be used.
        reason: String,
    },
}

impl StoreError {
    /// Whether the store cannot be reached for now (the database is down or restarting, no connection is free):
    /// the request may succeed if retried, and is answered as such.
    pub fn is_unavailable(&self) -> bool {
        let StoreError::Database(error) = self else { return false };
        match error {
            sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => {
                true
            }
            // Class 08: connection exceptions; 57P0x: the server is shutting down or starting up; 53300: too many
            // connections.
            sqlx::Error::Database(database) => {
                database.code().is_some_and(|code| code.starts_with("08") || code.starts_with("57P") || code == "53300")
            }
            _ => false,
        }
    }
}

/// A persistence backend.
pub trait Store: Send + Sync {
    /// Reads everything back.
    fn load(&self) -> BoxFuture<'_, Result<Snapshot, StoreError>>;
    /// Applies a batch atomically: after `Ok`, the batch is durable; after `Err`, none of it is applied.
    fn apply<'a>(&'a self, writes: &'a [Write<'a>]) -> BoxFuture<'a, Result<(), StoreError>>;
    /// Applies a batch computed on world version `base`, and returns the version it made. A shared store refuses
    /// it with [`StoreError::Stale`] (writing nothing) if another server committed since; a store kept by one
    /// server has nobody to race and does not number its batches (it answers 0).
    fn apply_at<'a>(&'a self, base: u64, writes: &'a [Write<'a>]) -> BoxFuture<'a, Result<u64, StoreError>> {
        let _ = base;
        Box::pin(async move { self.apply(writes).await.map(|()| 0) })
    }
    /// Removes everything.
    fn reset(&self) -> BoxFuture<'_, Result<(), StoreError>>;
    /// A shared store's current world version (one cheap read); `None` for a store kept by one server.
    fn latest_version(&self) -> BoxFuture<'_, Result<Option<u64>, StoreError>> {
        Box::pin(std::future::ready(Ok(None)))
    }
    /// What a shared store's batches after `version` wrote, so a server whose world is at `version` can bring it
    /// forward without loading every record: `None` when the store does not keep its batches back that far (a
    /// reset or pruning came between) — and for a store kept by one server, which never has to catch up.
    fn changes_since(&self, version: u64) -> BoxFuture<'_, Result<Option<Changes>, StoreError>> {
        let _ = version;
        Box::pin(std::future::ready(Ok(None)))
    }
    /// A shared store's world version as other servers commit (raised within milliseconds of each commit);
    /// `None` for a store kept by one server.
    fn versions(&self) -> Option<watch::Receiver<u64>> {
        None
    }
    /// Whether anything outlives the process. A store that keeps nothing (`--store memory`) lets the caller skip
    /// encoding records nobody will read.
    fn is_durable(&self) -> bool {
        true
    }
}
