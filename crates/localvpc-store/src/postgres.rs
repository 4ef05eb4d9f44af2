//! The PostgreSQL store: one database shared by any number of servers (`serve --store postgres://…`).
//!
//! Records and meta live in the same two tables as SQLite's (see [`crate::migrations`]); a third, `world_version`,
//! holds one number: how many batches were ever committed. It is what makes several servers one:
//! - **Writes are serialised on it.** [`Store::apply_at`] locks the row (`SELECT … FOR UPDATE`), and writes only if
//!   the version is still the one the batch was computed on; otherwise it writes nothing and answers
//!   [`StoreError::Stale`], and the server reloads the world and applies its mutations again. Every batch committed
//!   was therefore computed on the world every batch before it left — the same guarantee one process gives.
//! - **Readers learn they are behind by reading it** ([`Store::latest_version`]: one indexed row), and every commit
//!   `NOTIFY`s the new version on [`CHANNEL`], which [`follow`] turns into [`Store::versions`].
//!
//! - **Readers behind catch up by the change log** ([`Store::changes_since`], `postgres/changes.rs`): what the
//!   recent batches wrote, so a server applies those records to its world rather than loading every record.
//!
//! Durability: the batch's transaction is committed (PostgreSQL's WAL flushed, `synchronous_commit` as the server
//! is configured — on by default) before `apply_at` returns.

mod changes;
mod follow;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Row, Transaction};
use tokio::sync::watch;

use crate::batch_log::NetEffect;
use crate::{BoxFuture, Changes, Record, Snapshot, Store, StoreError, Write};

/// The channel every commit notifies, with the new world version as its payload.
pub(crate) const CHANNEL: &str = "localvpc_world";

/// How long a request waits for a database connection before it is answered "unavailable": long enough for a busy
/// pool, short enough that a client retrying against a stopped database hears back quickly.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// A store in a PostgreSQL database.
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    versions: watch::Receiver<u64>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore").finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://USER:PASS@HOST:PORT/DB`), creates or migrates the schema, and starts
    /// following the versions other servers commit.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            // A connection to a database that restarted is found dead here rather than by the request using it.
            .test_before_acquire(true)
            .connect_with(options)
            .await?;
        crate::migrations::migrator(crate::migrations::POSTGRES).await?.run(&pool).await.map_err(sqlx::Error::from)?;
        let version = select_version(&pool).await?;
        let (sender, versions) = watch::channel(version);
        tokio::spawn(follow::follow(pool.clone(), sender));
        Ok(PostgresStore { pool, versions })
    }

    /// Writes `writes` in one transaction if the world version is `base` (any version if `None`): the new version.
    async fn write(&self, base: Option<u64>, writes: &[Write<'_>], reset: bool) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let current = lock_version(&mut tx).await?;
        if base.is_some_and(|base| base != current) {
            return Err(StoreError::Stale { current });
        }
        if reset {
            sqlx::query("DELETE FROM records").execute(&mut *tx).await?;
            sqlx::query("DELETE FROM meta").execute(&mut *tx).await?;
        }
        let mut effect = NetEffect::default();
        effect.add(writes);
        write_effect(&mut tx, &effect).await?;
        let next = current + 1;
        if reset {
            changes::forget(&mut tx, next).await?;
        } else {
            changes::log(&mut tx, next, &effect).await?;
        }
        sqlx::query("UPDATE world_version SET version = $1").bind(next as i64).execute(&mut *tx).await?;
        // Delivered to the listeners when (and only if) the transaction commits.
        sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(next.to_string()).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(next)
    }
}

/// The world version, read without a lock.
async fn select_version(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let version: i64 = sqlx::query_scalar("SELECT version FROM world_version").fetch_one(pool).await?;
    Ok(version as u64)
}

/// The world version, locked until the transaction ends: writers take their turns here.
async fn lock_version(tx: &mut Transaction<'_, Postgres>) -> Result<u64, sqlx::Error> {
    let version: i64 = sqlx::query_scalar("SELECT version FROM world_version FOR UPDATE").fetch_one(&mut **tx).await?;
    Ok(version as u64)
}

/// Writes a batch's net effect: one statement per kind of change, whatever the batch's size (arrays, unnested).
async fn write_effect(tx: &mut Transaction<'_, Postgres>, effect: &NetEffect<'_>) -> Result<(), sqlx::Error> {
    let mut puts: [Vec<&str>; 5] = Default::default();
    let mut deletes: [Vec<&str>; 4] = Default::default();
    for ((kind, account, region, id), body) in &effect.records {
        match body {
            Some(body) => {
                for (column, value) in puts.iter_mut().zip([*kind, *account, *region, *id, *body]) {
                    column.push(value);
                }
            }
            None => {
                for (column, value) in deletes.iter_mut().zip([*kind, *account, *region, *id]) {
                    column.push(value);
                }
            }
        }
    }
    if !puts[0].is_empty() {
        let [kinds, accounts, regions, ids, bodies] = puts;
        sqlx::query(
            "INSERT INTO records (kind, account, region, id, body)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
             ON CONFLICT (kind, account, region, id) DO UPDATE SET body = EXCLUDED.body",
        )
        .bind(kinds)
        .bind(accounts)
        .bind(regions)
        .bind(ids)
        .bind(bodies)
        .execute(&mut **tx)
        .await?;
    }
    if !deletes[0].is_empty() {
        let [kinds, accounts, regions, ids] = deletes;
        sqlx::query(
            "DELETE FROM records AS r USING UNNEST($1::text[], $2::text[], $3::text[], $4::text[]) AS d(kind, account, region, id)
             WHERE r.kind = d.kind AND r.account = d.account AND r.region = d.region AND r.id = d.id",
        )
        .bind(kinds)
        .bind(accounts)
        .bind(regions)
        .bind(ids)
        .execute(&mut **tx)
        .await?;
    }
    if !effect.meta.is_empty() {
        let (keys, values): (Vec<&str>, Vec<&str>) = effect.meta.iter().map(|(key, value)| (*key, *value)).unzip();
        sqlx::query(
            "INSERT INTO meta (key, value) SELECT * FROM UNNEST($1::text[], $2::text[])
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        )
        .bind(keys)
        .bind(values)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Store for PostgresStore {
    fn load(&self) -> BoxFuture<'_, Result<Snapshot, StoreError>> {
        Box::pin(async move {
            // One snapshot of the database: the version read names exactly the records read.
            let mut tx = self.pool.begin().await?;
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
            let version: i64 = sqlx::query_scalar("SELECT version FROM world_version").fetch_one(&mut *tx).await?;
            let records =
                sqlx::query("SELECT kind, account, region, id, body FROM records ORDER BY kind, account, region, id")
                    .fetch_all(&mut *tx)
                    .await?
                    .into_iter()
                    .map(|row| Record {
                        kind: row.get(0),
                        account: row.get(1),
                        region: row.get(2),
                        id: row.get(3),
                        body: row.get(4),
                    })
                    .collect();
            let meta: BTreeMap<String, String> = sqlx::query("SELECT key, value FROM meta")
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(|row| (row.get(0), row.get(1)))
                .collect();
            tx.commit().await?;
            Ok(Snapshot { records, meta: meta.into_iter().collect(), version: version as u64 })
        })
    }

    fn apply<'a>(&'a self, writes: &'a [Write<'a>]) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { self.write(None, writes, false).await.map(drop) })
    }

    fn apply_at<'a>(&'a self, base: u64, writes: &'a [Write<'a>]) -> BoxFuture<'a, Result<u64, StoreError>> {
        Box::pin(self.write(Some(base), writes, false))
    }

    fn reset(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(async move { self.write(None, &[], true).await.map(drop) })
    }

    fn latest_version(&self) -> BoxFuture<'_, Result<Option<u64>, StoreError>> {
        Box::pin(async move { Ok(Some(select_version(&self.pool).await?)) })
    }

    fn changes_since(&self, version: u64) -> BoxFuture<'_, Result<Option<Changes>, StoreError>> {
        Box::pin(async move { Ok(changes::since(&self.pool, version).await?) })
    }

    fn versions(&self) -> Option<watch::Receiver<u64>> {
        Some(self.versions.clone())
    }
}
