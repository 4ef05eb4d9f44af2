//! The SQLite store: one file, one table of records, one of world-level values.
//!
//! Durability: WAL journal with `synchronous=FULL`, so `apply` returns only after the batch's commit is on disk.
//! One connection: the control plane has a single writer, and SQLite serialises writers anyway. A batch is one
//! transaction of a few multi-row statements sent as one script (see [`Rows`]): the control plane hands over many
//! requests' changes at once (group commit), and what one `fsync` covers should not cost a round trip per row.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use crate::{BoxFuture, Record, Snapshot, Store, StoreError, Write};

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS records (
        kind TEXT NOT NULL, account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
        PRIMARY KEY (kind, account, region, id)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID",
];

/// Rows per multi-row statement: SQLite allows 999 bound parameters in a statement on its oldest supported builds.
const PUTS_PER_STATEMENT: usize = 999 / 5;
const DELETES_PER_STATEMENT: usize = 999 / 4;

type Key<'a> = (&'a str, &'a str, &'a str, &'a str);

/// A batch reduced to its net effect: the last write to each record and to each meta key. With each key once, the
/// puts and deletes commute, so each kind can go to the database as a few multi-row statements — a batch of a few
/// hundred writes costs a handful of round trips to SQLite's thread instead of one per write.
struct Rows<'a> {
    puts: Vec<(Key<'a>, &'a str)>,
    deletes: Vec<Key<'a>>,
    meta: Vec<(&'a str, &'a str)>,
}

impl<'a> Rows<'a> {
    fn coalesce(writes: &'a [Write<'a>]) -> Self {
        let mut records: HashMap<Key<'a>, Option<&'a str>> = HashMap::with_capacity(writes.len());
        let mut meta: HashMap<&'a str, &'a str> = HashMap::new();
        for write in writes {
            match *write {
                Write::Put { kind, account, region, id, body } => {
                    records.insert((kind, account, region, id), Some(body));
                }
                Write::Delete { kind, account, region, id } => {
                    records.insert((kind, account, region, id), None);
                }
                Write::Meta { key, value } => {
                    meta.insert(key, value);
                }
            }
        }
        let mut rows = Rows { puts: Vec::new(), deletes: Vec::new(), meta: meta.into_iter().collect() };
        for (key, body) in records {
            match body {
                Some(body) => rows.puts.push((key, body)),
                None => rows.deletes.push(key),
            }
        }
        rows
    }
}

impl Rows<'_> {
    /// The whole batch as one SQL script — `BEGIN`, multi-row statements whose `?`s take the bound values in
    /// order (puts, then deletes, then meta), `COMMIT` — so the batch costs one round trip to the connection's
    /// thread. Each hop to that thread and back waits for the scheduler, which on a busy machine cost more than the
    /// fsync itself; the commit then holds the writer lock for as short a time as the disk allows.
    fn script(&self) -> String {
        let mut sql = String::from("BEGIN;");
        for chunk in self.puts.chunks(PUTS_PER_STATEMENT) {
            statement(&mut sql, "INSERT OR REPLACE INTO records VALUES ", "(?, ?, ?, ?, ?)", chunk.len(), "");
        }
        for chunk in self.deletes.chunks(DELETES_PER_STATEMENT) {
            let prefix = "DELETE FROM records WHERE (kind, account, region, id) IN (VALUES ";
            statement(&mut sql, prefix, "(?, ?, ?, ?)", chunk.len(), ")");
        }
        if !self.meta.is_empty() {
            statement(&mut sql, "INSERT OR REPLACE INTO meta VALUES ", "(?, ?)", self.meta.len(), "");
        }
        sql.push_str("COMMIT;");
        sql
    }
}

/// Appends `prefix`, `count` comma-separated copies of `row`, `suffix` and a `;` to `sql`.
fn statement(sql: &mut String, prefix: &str, row: &str, count: usize, suffix: &str) {
    sql.push_str(prefix);
    for index in 0..count {
        if index > 0 {
            sql.push_str(", ");
        }
        sql.push_str(row);
    }
    sql.push_str(suffix);
    sql.push(';');
}

/// A store in one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed, with its parent folder) the database at `path`.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| StoreError::Location { path: path.display().to_string(), reason: e.to_string() })?;
        }
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full);
        // One connection, never pinged before use: a ping is one more hop to the connection's thread per batch.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        for statement in SCHEMA {
            sqlx::query(statement).execute(&pool).await?;
        }
        Ok(SqliteStore { pool })
    }
}

impl Store for SqliteStore {
    fn load(&self) -> BoxFuture<'_, Result<Snapshot, StoreError>> {
        Box::pin(async move {
            let rows = sqlx::query("SELECT kind, account, region, id, body FROM records").fetch_all(&self.pool).await?;
            let records = rows
                .into_iter()
                .map(|row| Record {
                    kind: row.get(0),
                    account: row.get(1),
                    region: row.get(2),
                    id: row.get(3),
                    body: row.get(4),
                })
                .collect();
            let meta = sqlx::query("SELECT key, value FROM meta")
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(|row| (row.get(0), row.get(1)))
                .collect();
            Ok(Snapshot { records, meta })
        })
    }

    fn apply<'a>(&'a self, writes: &'a [Write<'a>]) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let rows = Rows::coalesce(writes);
            let sql = rows.script();
            let mut query = sqlx::query(&sql);
            for ((kind, account, region, id), body) in &rows.puts {
                query = query.bind(*kind).bind(*account).bind(*region).bind(*id).bind(*body);
            }
            for (kind, account, region, id) in &rows.deletes {
                query = query.bind(*kind).bind(*account).bind(*region).bind(*id);
            }
            for (key, value) in &rows.meta {
                query = query.bind(*key).bind(*value);
            }
            if let Err(error) = query.execute(&self.pool).await {
                // The script stopped after its BEGIN: end the transaction, or the next batch would join it.
                let _ = sqlx::query("ROLLBACK").execute(&self.pool).await;
                return Err(error.into());
            }
            Ok(())
        })
    }

    fn reset(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(async move {
            let mut transaction = self.pool.begin().await?;
            sqlx::query("DELETE FROM records").execute(&mut *transaction).await?;
            sqlx::query("DELETE FROM meta").execute(&mut *transaction).await?;
            transaction.commit().await?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryStore;

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

    #[tokio::test]
    async fn sqlite_round_trips_and_survives_reopen() {
        let dir = std::env::temp_dir().join(format!("localvpc-store-test-{}", std::process::id()));
        let path = dir.join("nested").join("state.db");
        let store = SqliteStore::open(&path).await.unwrap();
        round_trip(&store).await;
        store.apply(&[Write::Meta { key: "k", value: "v" }]).await.unwrap();
        drop(store);
        let reopened = SqliteStore::open(&path).await.unwrap();
        assert_eq!(reopened.load().await.unwrap().meta, vec![("k".to_string(), "v".to_string())]);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn sqlite_batch_keeps_the_last_write_of_each_record_and_spans_statements() {
        let dir = std::env::temp_dir().join(format!("localvpc-store-batch-{}", std::process::id()));
        let store = SqliteStore::open(&dir.join("state.db")).await.unwrap();
        let ids: Vec<String> = (0..1000).map(|n| format!("sg-{n:04}")).collect();
        let mut writes: Vec<Write> =
            ids.iter().map(|id| Write::Put { kind: "sg", account: "1", region: "r", id, body: "old" }).collect();
        // Put then delete, delete then put, put twice: only the last write of each record counts.
        writes.push(Write::Delete { kind: "sg", account: "1", region: "r", id: "sg-0001" });
        writes.push(Write::Delete { kind: "sg", account: "1", region: "r", id: "sg-0002" });
        writes.push(Write::Put { kind: "sg", account: "1", region: "r", id: "sg-0002", body: "back" });
        writes.push(Write::Put { kind: "sg", account: "1", region: "r", id: "sg-0003", body: "new" });
        writes.push(Write::Meta { key: "next_id", value: "1" });
        writes.push(Write::Meta { key: "next_id", value: "2" });
        store.apply(&writes).await.unwrap();
        let deletes: Vec<Write> = ids[500..]
            .iter()
            .map(|id| Write::Delete { kind: "sg", account: "1", region: "r", id })
            .chain([Write::Delete { kind: "sg", account: "1", region: "r", id: "sg-absent" }])
            .collect();
        store.apply(&deletes).await.unwrap();
        let snapshot = store.load().await.unwrap();
        let bodies: std::collections::BTreeMap<&str, &str> =
            snapshot.records.iter().map(|record| (record.id.as_str(), record.body.as_str())).collect();
        assert_eq!(bodies.len(), 499, "sg-0000..sg-0499 without sg-0001");
        assert_eq!(bodies.get("sg-0001"), None);
        assert_eq!(bodies.get("sg-0002"), Some(&"back"));
        assert_eq!(bodies.get("sg-0003"), Some(&"new"));
        assert_eq!(bodies.get("sg-0499"), Some(&"old"));
        assert_eq!(bodies.get("sg-0500"), None);
        assert_eq!(snapshot.meta, vec![("next_id".to_string(), "2".to_string())]);
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn sqlite_batch_failing_midway_leaves_nothing_and_no_open_transaction() {
        let dir = std::env::temp_dir().join(format!("localvpc-store-midway-{}", std::process::id()));
        let store = SqliteStore::open(&dir.join("state.db")).await.unwrap();
        // The meta statement runs after the records' statement in the batch's script; without its table it fails.
        sqlx::query("DROP TABLE meta").execute(&store.pool).await.unwrap();
        let batch = [
            Write::Put { kind: "sg", account: "1", region: "r", id: "sg-lost", body: "{}" },
            Write::Meta { key: "next_id", value: "9" },
        ];
        assert!(store.apply(&batch).await.is_err());
        sqlx::query(SCHEMA[1]).execute(&store.pool).await.unwrap();
        let next = [Write::Put { kind: "sg", account: "1", region: "r", id: "sg-kept", body: "{}" }];
        store.apply(&next).await.unwrap();
        drop(store);
        // Reopened from the file: what the refused batch wrote before failing is not there.
        let reopened = SqliteStore::open(&dir.join("state.db")).await.unwrap();
        let snapshot = reopened.load().await.unwrap();
        assert_eq!(snapshot.records.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["sg-kept"]);
        assert_eq!(snapshot.meta, Vec::new());
        drop(reopened);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn memory_round_trips() {
        round_trip(&MemoryStore::new()).await;
    }
}
