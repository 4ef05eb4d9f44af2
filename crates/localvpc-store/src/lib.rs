//! Persistence for localvpc: the [`Store`] trait and its backends.
//!
//! A store keeps *records* — `(kind, account, region, id) → JSON body` — and a few world-level values (`meta`).
//! It applies one batch of [`Write`]s atomically ([`Store::apply`]) and hands everything back at start-up
//! ([`Store::load`]). It knows nothing of AWS: validation happens before a batch reaches it, and the bodies are
//! opaque text.
//!
//! Backends: [`SqliteStore`] (the default: an append-only batch log, `fdatasync`ed before `apply` returns, folded
//! in the background into one SQLite file — an acknowledged batch survives a crash of the process or the machine) and [`MemoryStore`] (`--store memory`, for tests and labs).
#![warn(missing_docs)]

mod batch_log;
mod memory;
mod sqlite;

use std::future::Future;
use std::pin::Pin;

pub use memory::MemoryStore;
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
    /// The store location is unusable.
    #[error("store location {path}: {reason}")]
    Location {
        /// The path given.
        path: String,
        /// Why it cannot be used.
        reason: String,
    },
}

/// A persistence backend.
pub trait Store: Send + Sync {
    /// Reads everything back.
    fn load(&self) -> BoxFuture<'_, Result<Snapshot, StoreError>>;
    /// Applies a batch atomically: after `Ok`, the batch is durable; after `Err`, none of it is applied.
    fn apply<'a>(&'a self, writes: &'a [Write<'a>]) -> BoxFuture<'a, Result<(), StoreError>>;
    /// Removes everything.
    fn reset(&self) -> BoxFuture<'_, Result<(), StoreError>>;
    /// Whether anything outlives the process. A store that keeps nothing (`--store memory`) lets the caller skip
    /// encoding records nobody will read.
    fn is_durable(&self) -> bool {
        true
    }
}
