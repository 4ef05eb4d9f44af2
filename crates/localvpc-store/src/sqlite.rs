//! The SQLite store: one file, one table of records, one of world-level values.
//!
//! Durability: WAL journal with `synchronous=FULL`, so `apply` returns only after the batch's commit is on disk.
//! One connection: the control plane has a single writer, and SQLite serialises writers anyway.

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
        let pool = SqlitePoolOptions::new().max_connections(1).min_connections(1).connect_with(options).await?;
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
            let mut transaction = self.pool.begin().await?;
            for write in writes {
                match *write {
                    Write::Put { kind, account, region, id, body } => {
                        sqlx::query("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?)")
                            .bind(kind)
                            .bind(account)
                            .bind(region)
                            .bind(id)
                            .bind(body)
                            .execute(&mut *transaction)
                            .await?;
                    }
                    Write::Delete { kind, account, region, id } => {
                        sqlx::query("DELETE FROM records WHERE kind = ? AND account = ? AND region = ? AND id = ?")
                            .bind(kind)
                            .bind(account)
                            .bind(region)
                            .bind(id)
                            .execute(&mut *transaction)
                            .await?;
                    }
                    Write::Meta { key, value } => {
                        sqlx::query("INSERT OR REPLACE INTO meta VALUES (?, ?)")
                            .bind(key)
                            .bind(value)
                            .execute(&mut *transaction)
                            .await?;
                    }
                }
            }
            transaction.commit().await?;
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
    async fn memory_round_trips() {
        round_trip(&MemoryStore::new()).await;
    }
}
