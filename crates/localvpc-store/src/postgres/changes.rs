//! The change log: what each of the last [`KEPT`] batches wrote, in the same transaction as the batch, so a server
//! that fell behind (another server committed) reads only those batches' records and applies them to its world,
//! instead of loading every record. Loading whole costs time in proportion to the world — at every commit another
//! server makes, in every server — and made three replicas write slower than one.
//!
//! A reset empties the log (a world from before it cannot be brought forward, only loaded); old batches are pruned
//! every [`PRUNE_EVERY`] versions. `world_version.changes_from` says where the log begins.

use sqlx::{PgPool, Postgres, Row, Transaction};

use crate::batch_log::NetEffect;
use crate::{ChangedRecord, Changes};

/// How many recent batches the log keeps: a server behind by more loads the world whole.
const KEPT: u64 = 1024;
/// How often (in versions) the log drops what is older than [`KEPT`].
const PRUNE_EVERY: u64 = 64;
/// The kind that marks a world-level value in the log (no record kind is empty).
const META: &str = "";

/// Logs what the batch that makes `version` wrote (its net effect), and prunes now and then.
pub(super) async fn log(
    tx: &mut Transaction<'_, Postgres>,
    version: u64,
    effect: &NetEffect<'_>,
) -> Result<(), sqlx::Error> {
    let (mut kinds, mut accounts, mut regions, mut ids, mut bodies) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::<Option<&str>>::new());
    let records = effect.records.iter().map(|(&(kind, account, region, id), &body)| (kind, account, region, id, body));
    let meta = effect.meta.iter().map(|(&key, &value)| (META, "", "", key, Some(value)));
    for (kind, account, region, id, body) in records.chain(meta) {
        kinds.push(kind);
        accounts.push(account);
        regions.push(region);
        ids.push(id);
        bodies.push(body);
    }
    if !kinds.is_empty() {
        sqlx::query(
            "INSERT INTO changes (version, kind, account, region, id, body)
             SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])",
        )
        .bind(version as i64)
        .bind(kinds)
        .bind(accounts)
        .bind(regions)
        .bind(ids)
        .bind(bodies)
        .execute(&mut **tx)
        .await?;
    }
    if version.is_multiple_of(PRUNE_EVERY) && version > KEPT {
        let oldest_kept = version - KEPT + 1;
        sqlx::query("DELETE FROM changes WHERE version < $1").bind(oldest_kept as i64).execute(&mut **tx).await?;
        sqlx::query("UPDATE world_version SET changes_from = GREATEST(changes_from, $1)")
            .bind(oldest_kept as i64)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// After a reset at `version`: nothing before it can be brought forward.
pub(super) async fn forget(tx: &mut Transaction<'_, Postgres>, version: u64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM changes").execute(&mut **tx).await?;
    sqlx::query("UPDATE world_version SET changes_from = $1").bind((version + 1) as i64).execute(&mut **tx).await?;
    Ok(())
}

/// What the batches after `version` wrote, from one snapshot of the database; `None` if the log does not reach
/// back to `version + 1`.
pub(super) async fn since(pool: &PgPool, version: u64) -> Result<Option<Changes>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
    let row = sqlx::query("SELECT version, changes_from FROM world_version").fetch_one(&mut *tx).await?;
    let (current, from): (i64, i64) = (row.get(0), row.get(1));
    if (version as i64) + 1 < from {
        tx.commit().await?;
        return Ok(None);
    }
    let rows = sqlx::query(
        "SELECT kind, account, region, id, body FROM changes WHERE version > $1 AND version <= $2
         ORDER BY version, kind, account, region, id",
    )
    .bind(version as i64)
    .bind(current)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut changes = Changes { version: current.max(version as i64) as u64, ..Changes::default() };
    for row in rows {
        let kind: String = row.get(0);
        if kind == META {
            if let Some(value) = row.get::<Option<String>, _>(4) {
                changes.meta.push((row.get(3), value));
            }
            continue;
        }
        changes.records.push(ChangedRecord {
            kind,
            account: row.get(1),
            region: row.get(2),
            id: row.get(3),
            body: row.get(4),
        });
    }
    Ok(Some(changes))
}
