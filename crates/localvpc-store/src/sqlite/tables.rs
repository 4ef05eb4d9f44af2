//! The SQLite file behind the batch log: one table of records, one of world-level values.
//!
//! Durability: WAL journal with `synchronous=FULL`, so a fold returns only after its commit is on disk. One
//! connection: there is a single writer (the folds, one at a time), and SQLite serialises writers anyway. A fold is
//! one transaction of multi-row statements (see [`commit`]): what one `fsync` covers should not cost a round trip
//! per row.

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use crate::batch_log::NetEffect;
use crate::{Record, StoreError};

/// Rows per multi-row statement: SQLite allows 999 bound parameters in a statement on its oldest supported builds.
const PUTS_PER_STATEMENT: usize = 999 / 5;
const DELETES_PER_STATEMENT: usize = 999 / 4;
const META_PER_STATEMENT: usize = 999 / 2;

/// The SQL of one multi-row statement: `prefix`, `count` comma-separated copies of `row`, `suffix`. Every full
/// chunk of a fold has the same text, so the connection prepares it once and reuses it from its statement cache.
fn statement(prefix: &str, row: &str, count: usize, suffix: &str) -> String {
    let mut sql = String::with_capacity(prefix.len() + count * (row.len() + 2) + suffix.len());
    sql.push_str(prefix);
    for index in 0..count {
        if index > 0 {
            sql.push_str(", ");
        }
        sql.push_str(row);
    }
    sql.push_str(suffix);
    sql
}

/// Opens (creating if needed, with its parent folder) the database at `path`.
pub(super) async fn open(path: &Path) -> Result<SqlitePool, StoreError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| StoreError::Location { path: path.display().to_string(), reason: e.to_string() })?;
    }
    let options = SqliteConnectOptions::from_str("sqlite://")?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        // A fold writes megabytes in one transaction: with SQLite's default 2 MiB page cache it spilled dirty pages
        // to the WAL midway and re-read them, and the statement journals of its multi-row inserts went to temp files.
        .pragma("cache_size", "-32768")
        .pragma("temp_store", "memory");
    // One connection, never pinged before use: a ping is one more hop to the connection's thread per fold.
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .test_before_acquire(false)
        .connect_with(options)
        .await?;
    crate::migrations::migrator(crate::migrations::SQLITE).await?.run(&pool).await.map_err(sqlx::Error::from)?;
    Ok(pool)
}

/// Writes `effect` as one transaction (wiping everything first if it began with a reset): all of it or nothing.
///
/// The effect holds each key once, so puts and deletes commute and go as multi-row statements; its keys are sorted
/// like the table's primary key, so the inserts walk the B-tree in order instead of splitting pages at random.
pub(super) async fn commit(pool: &SqlitePool, effect: &NetEffect<'_>) -> Result<(), StoreError> {
    if effect.records.is_empty() && effect.meta.is_empty() && !effect.reset {
        return Ok(());
    }
    // Dropping the transaction without its commit (an error below) rolls it back.
    let mut tx = pool.begin().await?;
    if effect.reset {
        sqlx::query("DELETE FROM records").execute(&mut *tx).await?;
        sqlx::query("DELETE FROM meta").execute(&mut *tx).await?;
    }
    let (mut puts, mut deletes) = (Vec::new(), Vec::new());
    for (key, body) in &effect.records {
        match body {
            Some(body) => puts.push((*key, *body)),
            None => deletes.push(*key),
        }
    }
    for chunk in puts.chunks(PUTS_PER_STATEMENT) {
        let sql = statement("INSERT OR REPLACE INTO records VALUES ", "(?, ?, ?, ?, ?)", chunk.len(), "");
        let mut query = sqlx::query(&sql);
        for ((kind, account, region, id), body) in chunk {
            query = query.bind(*kind).bind(*account).bind(*region).bind(*id).bind(*body);
        }
        query.execute(&mut *tx).await?;
    }
    for chunk in deletes.chunks(DELETES_PER_STATEMENT) {
        let prefix = "DELETE FROM records WHERE (kind, account, region, id) IN (VALUES ";
        let sql = statement(prefix, "(?, ?, ?, ?)", chunk.len(), ")");
        let mut query = sqlx::query(&sql);
        for (kind, account, region, id) in chunk {
            query = query.bind(*kind).bind(*account).bind(*region).bind(*id);
        }
        query.execute(&mut *tx).await?;
    }
    let meta: Vec<(&str, &str)> = effect.meta.iter().map(|(key, value)| (*key, *value)).collect();
    for chunk in meta.chunks(META_PER_STATEMENT) {
        let sql = statement("INSERT OR REPLACE INTO meta VALUES ", "(?, ?)", chunk.len(), "");
        let mut query = sqlx::query(&sql);
        for (key, value) in chunk {
            query = query.bind(*key).bind(*value);
        }
        query.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Every record and meta value in the file.
pub(super) async fn select(pool: &SqlitePool) -> Result<(Vec<Record>, Vec<(String, String)>), StoreError> {
    let rows = sqlx::query("SELECT kind, account, region, id, body FROM records").fetch_all(pool).await?;
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
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    Ok((records, meta))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Write;

    fn folder(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("localvpc-tables-{name}-{}", std::process::id()))
    }

    #[tokio::test]
    async fn a_fold_keeps_the_last_write_of_each_record_and_spans_statements() {
        let dir = folder("batch");
        let pool = open(&dir.join("state.db")).await.unwrap();
        let ids: Vec<String> = (0..1000).map(|n| format!("sg-{n:04}")).collect();
        let mut writes: Vec<Write> =
            ids.iter().map(|id| Write::Put { kind: "sg", account: "1", region: "r", id, body: "old" }).collect();
        writes.push(Write::Delete { kind: "sg", account: "1", region: "r", id: "sg-0001" });
        writes.push(Write::Put { kind: "sg", account: "1", region: "r", id: "sg-0003", body: "new" });
        writes.push(Write::Meta { key: "next_id", value: "2" });
        let mut effect = NetEffect::default();
        effect.add(&writes);
        commit(&pool, &effect).await.unwrap();
        let mut deletes = NetEffect::default();
        let gone: Vec<Write> =
            ids[500..].iter().map(|id| Write::Delete { kind: "sg", account: "1", region: "r", id }).collect();
        deletes.add(&gone);
        commit(&pool, &deletes).await.unwrap();
        let (records, meta) = select(&pool).await.unwrap();
        let bodies: std::collections::BTreeMap<&str, &str> =
            records.iter().map(|record| (record.id.as_str(), record.body.as_str())).collect();
        assert_eq!(bodies.len(), 499, "sg-0000..sg-0499 without sg-0001");
        assert_eq!(bodies.get("sg-0003"), Some(&"new"));
        assert_eq!(bodies.get("sg-0500"), None);
        assert_eq!(meta, vec![("next_id".to_string(), "2".to_string())]);
        drop(pool);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_fold_failing_midway_leaves_nothing_and_no_open_transaction() {
        let dir = folder("midway");
        let pool = open(&dir.join("state.db")).await.unwrap();
        // The meta statement runs after the records' statement in the fold's script; without its table it fails.
        sqlx::query("DROP TABLE meta").execute(&pool).await.unwrap();
        let mut effect = NetEffect::default();
        effect.add(&[
            Write::Put { kind: "sg", account: "1", region: "r", id: "sg-lost", body: "{}" },
            Write::Meta { key: "next_id", value: "9" },
        ]);
        assert!(commit(&pool, &effect).await.is_err());
        sqlx::query("CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID")
            .execute(&pool)
            .await
            .unwrap();
        let mut next = NetEffect::default();
        next.add(&[Write::Put { kind: "sg", account: "1", region: "r", id: "sg-kept", body: "{}" }]);
        commit(&pool, &next).await.unwrap();
        let (records, meta) = select(&pool).await.unwrap();
        assert_eq!(records.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["sg-kept"]);
        assert_eq!(meta, Vec::new());
        drop(pool);
        let _ = std::fs::remove_dir_all(dir);
    }
}
