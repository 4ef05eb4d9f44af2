//! The SQLite store: a batch log in front of one SQLite file.
//!
//! A batch is durable once its frame is appended to the log and `fdatasync`ed ([`crate::batch_log`]) — about the
//! cost of the `fsync` alone. When the current log file passes [`FOLD_AT`], appends move to a new file; once the
//! older files hold enough (see `worth_folding`), their net effect is written to SQLite in the background as one
//! transaction, after which they are deleted. Start-up folds whatever logs a stop or crash left, oldest first, so
//! the SQLite file alone is the state whenever no server runs on it.
//!
//! Invariants:
//! - The state is the SQLite file plus the log files, in generation order; every acknowledged batch is in one of them.
//! - Log files are deleted only after their content is committed to SQLite, and only oldest first.
//! - Nothing of a batch is kept in memory after its append: a fold, and a load, read the log files back (from the
//!   page cache, usually) — an acknowledged write costs its frame, not a copy of every record it wrote.

mod tables;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sqlx::SqlitePool;
use tokio::sync::Mutex;

use crate::batch_log::{self, Current, NetEffect};
use crate::{BoxFuture, Record, Snapshot, Store, StoreError, Write};

/// Log bytes after which the current file is rotated (and the smallest amount of log folded into SQLite at once).
///
/// A mebibyte below the preallocation: the append that crosses it rarely has to grow the file, and the next file is
/// made ahead of time (`spare`), so a rotation waits for neither.
const FOLD_AT: u64 = batch_log::PREALLOCATE - (1 << 20);

/// A store in one SQLite file with its batch log.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    database: PathBuf,
    pool: SqlitePool,
    /// Held while a frame is appended and its effect added to `unfolded`: appends in order, one at a time.
    appending: Mutex<()>,
    /// The current log file (a blocking thread appends to it while `appending` is held).
    log: Arc<std::sync::Mutex<Current>>,
    /// The next log file, made (zeros written) in the background so a rotation does not wait for it. Locked
    /// before `log` when both are needed.
    spare: Arc<std::sync::Mutex<Option<Current>>>,
    /// Held by the fold in progress: one fold at a time, oldest first; reads and resets wait for it.
    folding: Arc<Mutex<()>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("database", &self.inner.database).finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed, with its parent folder) the database at `path`, folding into it the batch logs
    /// a previous server left.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let pool = tables::open(path).await?;
        let left = batch_log::files(path)?;
        let generation = left.last().map_or(1, |(generation, _)| generation + 1);
        fold_below(&pool, path, generation).await?;
        let current = Current::create(path, generation)?;
        let store = SqliteStore {
            inner: Arc::new(Inner {
                database: path.to_path_buf(),
                pool,
                appending: Mutex::new(()),
                log: Arc::new(std::sync::Mutex::new(current)),
                spare: Default::default(),
                folding: Default::default(),
            }),
        };
        store.prepare_spare();
        Ok(store)
    }

    /// Makes the next log file in the background, unless it is there already.
    fn prepare_spare(&self) {
        let (database, log, spare) =
            (self.inner.database.clone(), Arc::clone(&self.inner.log), Arc::clone(&self.inner.spare));
        tokio::task::spawn_blocking(move || {
            let mut spare = spare.lock().expect("spare lock");
            let next = log.lock().expect("log lock").generation + 1;
            if spare.as_ref().is_none_or(|made| made.generation != next) {
                // A failure here is not an error yet: the rotation makes the file itself, and reports it.
                *spare = Current::create(&database, next).ok();
            }
        });
    }

    /// Appends one frame (a batch, or a reset) and makes it durable, then adds its effect to `unfolded`.
    async fn append(&self, writes: &[Write<'_>], reset: bool) -> Result<(), StoreError> {
        if writes.is_empty() && !reset {
            return Ok(()); // Nothing to keep, and an empty frame would read as the end of the log.
        }
        let frame = batch_log::encode(writes, reset);
        let _turn = self.inner.appending.lock().await;
        let log = Arc::clone(&self.inner.log);
        // The disk wait on a blocking thread: the runtime's workers keep serving requests meanwhile.
        let length = tokio::task::spawn_blocking(move || {
            let mut log = log.lock().expect("log lock");
            log.append(&frame).map(|()| log.length())
        })
        .await
        .map_err(|join| std::io::Error::other(join.to_string()))??;
        if length >= FOLD_AT {
            self.rotate().await?;
        }
        Ok(())
    }

    /// Starts a new log file, and folds the older ones into SQLite in the background once they are worth it (see
    /// [`worth_folding`]) and no fold is running. Call with `appending` held.
    async fn rotate(&self) -> Result<(), StoreError> {
        let (database, log, spare) =
            (self.inner.database.clone(), Arc::clone(&self.inner.log), Arc::clone(&self.inner.spare));
        let current = tokio::task::spawn_blocking(move || {
            let mut spare = spare.lock().expect("spare lock");
            let mut log = log.lock().expect("log lock");
            let next = log.generation + 1;
            *log = match spare.take() {
                Some(made) if made.generation == next => made,
                _ => Current::create(&database, next)?,
            };
            Ok::<_, std::io::Error>(log.generation)
        })
        .await
        .map_err(|join| std::io::Error::other(join.to_string()))??;
        self.prepare_spare();
        let Ok(turn) = Arc::clone(&self.inner.folding).try_lock_owned() else { return Ok(()) };
        if !worth_folding(&self.inner.database, current)? {
            return Ok(());
        }
        let inner = Arc::clone(&self.inner);
        tokio::spawn(async move {
            let _turn = turn;
            if let Err(error) = fold_below(&inner.pool, &inner.database, current).await {
                // Nothing is lost: the old files stay, and the next fold takes them with the newer ones.
                tracing::warn!(%error, "folding the batch log into SQLite failed; it is retried at the next fold");
            }
        });
        Ok(())
    }
}

/// Whether the log files older than `generation` are worth a fold: at least [`FOLD_AT`] of them, and at least half
/// as many bytes as the SQLite file holds.
///
/// Why the ratio: record IDs are random, so a fold's inserts land all over the table's B-tree and rewrite most of its
/// pages whatever their number — a fold costs about the size of the table. Folding after a fixed amount of log made
/// each write cost more the bigger the table grew (a fold per 8 MiB rewrote a 100 MB table); folding after a
/// constant *fraction* of the table keeps the cost per write constant, the way an LSM tree sizes its levels. The
/// price is a longer log to replay at start-up: at most about half the table, decoded at memory speed.
fn worth_folding(database: &Path, generation: u64) -> std::io::Result<bool> {
    let mut unfolded = 0;
    for (older, file) in batch_log::files(database)? {
        if older < generation {
            unfolded += std::fs::metadata(file)?.len();
        }
    }
    let table = std::fs::metadata(database).map_or(0, |meta| meta.len());
    Ok(unfolded >= FOLD_AT.max(table / 2))
}

/// Folds the log files older than `generation` into SQLite as one transaction, oldest first, then deletes them
/// durably. A crash between the two folds them again at the next start, to the same state (entries hold absolute
/// values).
///
/// All of it runs on a blocking thread: reading and decoding megabytes of log and binding every row is CPU work
/// that, on the runtime's workers, delayed the requests they serve.
async fn fold_below(pool: &SqlitePool, database: &Path, generation: u64) -> Result<(), StoreError> {
    let (pool, database, runtime) = (pool.clone(), database.to_path_buf(), tokio::runtime::Handle::current());
    tokio::task::spawn_blocking(move || {
        let older: Vec<PathBuf> =
            batch_log::files(&database)?.into_iter().filter(|(g, _)| *g < generation).map(|(_, file)| file).collect();
        if older.is_empty() {
            return Ok(());
        }
        let contents = older.iter().map(|file| batch_log::read(file)).collect::<std::io::Result<Vec<Vec<u8>>>>()?;
        let mut effect = NetEffect::default();
        for bytes in &contents {
            batch_log::replay(bytes, &mut effect);
        }
        runtime.block_on(tables::commit(&pool, &effect))?;
        for file in older {
            std::fs::remove_file(file)?;
        }
        batch_log::sync_directory(&database)?;
        Ok(())
    })
    .await
    .map_err(|join| std::io::Error::other(join.to_string()))?
}

impl Store for SqliteStore {
    fn load(&self) -> BoxFuture<'_, Result<Snapshot, StoreError>> {
        Box::pin(async move {
            let _fold = self.inner.folding.lock().await;
            let _appends = self.inner.appending.lock().await;
            let (stored, stored_meta) = tables::select(&self.inner.pool).await?;
            // Every log file not folded yet, the current one included (the spare reads as empty).
            let mut contents = Vec::new();
            for (_, file) in batch_log::files(&self.inner.database)? {
                contents.push(batch_log::read(&file)?);
            }
            let mut unfolded = NetEffect::default();
            for bytes in &contents {
                batch_log::replay(bytes, &mut unfolded);
            }
            let mut records: HashMap<(String, String, String, String), Option<String>> = HashMap::new();
            let mut meta: HashMap<String, String> = HashMap::new();
            if !unfolded.reset {
                for record in stored {
                    records.insert((record.kind, record.account, record.region, record.id), Some(record.body));
                }
                meta.extend(stored_meta);
            }
            for ((kind, account, region, id), body) in &unfolded.records {
                let key = (kind.to_string(), account.to_string(), region.to_string(), id.to_string());
                records.insert(key, body.map(str::to_string));
            }
            meta.extend(unfolded.meta.iter().map(|(key, value)| (key.to_string(), value.to_string())));
            let mut records: Vec<Record> = records
                .into_iter()
                .filter_map(|((kind, account, region, id), body)| {
                    Some(Record { kind, account, region, id, body: body? })
                })
                .collect();
            records
                .sort_by(|a, b| (&a.kind, &a.account, &a.region, &a.id).cmp(&(&b.kind, &b.account, &b.region, &b.id)));
            let mut meta: Vec<(String, String)> = meta.into_iter().collect();
            meta.sort();
            Ok(Snapshot { records, meta, version: 0 })
        })
    }

    fn apply<'a>(&'a self, writes: &'a [Write<'a>]) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.append(writes, false))
    }

    fn reset(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        // A reset is a frame like any batch: durable and atomic in one append. SQLite forgets the older records at
        // the next fold.
        Box::pin(self.append(&[], true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryStore;

    fn folder(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("localvpc-store-{name}-{}", std::process::id()))
    }

    async fn round_trip(store: &dyn Store) {
        let writes = [
            Write::Put { kind: "vpc", account: "1", region: "r", id: "vpc-1", body: "{}" },
            Write::Put { kind: "vpc", account: "1", region: "r", id: "vpc-2", body: "{\"a\":1}" },
            Write::Delete { kind: "vpc", account: "1", region: "r", id: "vpc-1" },
            Write::Meta { key: "next_id", value: "7" },
        ];
        store.apply(&writes).await.unwrap();
        let snapshot = store.load().await.unwrap();
        assert_eq!(snapshot.records.len(), 1);
        assert_eq!(snapshot.records[0].id, "vpc-2");
        assert_eq!(snapshot.records[0].body, "{\"a\":1}");
        assert_eq!(snapshot.meta, vec![("next_id".to_string(), "7".to_string())]);
        store.reset().await.unwrap();
        assert_eq!(store.load().await.unwrap(), Snapshot::default());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_round_trips_and_survives_reopen() {
        let dir = folder("reopen");
        let path = dir.join("nested").join("state.db");
        let store = SqliteStore::open(&path).await.unwrap();
        round_trip(&store).await;
        store.apply(&[Write::Meta { key: "k", value: "v" }]).await.unwrap();
        drop(store);
        let reopened = SqliteStore::open(&path).await.unwrap();
        assert_eq!(reopened.load().await.unwrap().meta, vec![("k".to_string(), "v".to_string())]);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_reset_survives_reopen_over_records_already_folded() {
        let dir = folder("reset");
        let path = dir.join("state.db");
        let store = SqliteStore::open(&path).await.unwrap();
        store.apply(&[Write::Put { kind: "vpc", account: "1", region: "r", id: "vpc-old", body: "{}" }]).await.unwrap();
        drop(store);
        // Reopening folded vpc-old into SQLite; the reset after it must hide it, before and after the next fold.
        let store = SqliteStore::open(&path).await.unwrap();
        assert_eq!(store.load().await.unwrap().records.len(), 1, "positive control: the record was folded");
        store.reset().await.unwrap();
        store.apply(&[Write::Put { kind: "vpc", account: "1", region: "r", id: "vpc-new", body: "{}" }]).await.unwrap();
        let ids = |snapshot: Snapshot| snapshot.records.into_iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(store.load().await.unwrap()), ["vpc-new"]);
        drop(store);
        let reopened = SqliteStore::open(&path).await.unwrap();
        assert_eq!(ids(reopened.load().await.unwrap()), ["vpc-new"]);
        let current = reopened.inner.log.lock().unwrap().generation;
        let left = batch_log::files(&path).unwrap();
        assert!(left.iter().all(|(generation, _)| *generation >= current), "no older log is left: {left:?}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_folds_in_the_background_past_the_threshold_and_loses_nothing() {
        let dir = folder("fold");
        let path = dir.join("state.db");
        let store = SqliteStore::open(&path).await.unwrap();
        let body = "x".repeat(64 << 10);
        let ids: Vec<String> = (0..200).map(|n| format!("sg-{n:04}")).collect();
        for id in &ids {
            store.apply(&[Write::Put { kind: "sg", account: "1", region: "r", id, body: &body }]).await.unwrap();
        }
        store.apply(&[Write::Delete { kind: "sg", account: "1", region: "r", id: "sg-0000" }]).await.unwrap();
        // 200 × 64 KiB is past FOLD_AT: at least one fold happened, and its logs are gone once it finished.
        let snapshot = store.load().await.unwrap();
        assert_eq!(snapshot.records.len(), 199);
        let (folded, _) = tables::select(&store.inner.pool).await.unwrap();
        assert!(!folded.is_empty(), "some records reached SQLite");
        assert!(
            batch_log::files(&path).unwrap().len() <= 3,
            "the current log, its spare, and one being folded at most"
        );
        drop(store);
        let reopened = SqliteStore::open(&path).await.unwrap();
        let snapshot = reopened.load().await.unwrap();
        assert_eq!(snapshot.records.len(), 199);
        assert!(snapshot.records.iter().all(|record| record.id != "sg-0000" && record.body == body));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn memory_round_trips() {
        round_trip(&MemoryStore::new()).await;
    }
}
