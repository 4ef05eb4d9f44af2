//! The schema of both SQL stores as sqlx migrations, embedded in the binary: a store's database is created and
//! brought up to date by the server that opens it (sqlx keeps the applied versions in `_sqlx_migrations`, and
//! takes a lock while it migrates, so replicas starting together migrate once).
//!
//! The two tables every store has are one text, shared; each backend adds what only it needs (SQLite its
//! `WITHOUT ROWID` layout, PostgreSQL the world version several servers serialise their writes on).

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

/// The records table: `(kind, account, region, id) → body`.
macro_rules! records_table {
    () => {
        "CREATE TABLE IF NOT EXISTS records (
            kind TEXT NOT NULL, account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
            PRIMARY KEY (kind, account, region, id))"
    };
}

/// The world-level values table: `key → value`.
macro_rules! meta_table {
    () => {
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)"
    };
}

/// SQLite's migrations: `(version, description, SQL)`.
pub(crate) const SQLITE: &[(i64, &str, &str)] =
    &[(1, "records and meta", concat!(records_table!(), " WITHOUT ROWID;\n", meta_table!(), " WITHOUT ROWID;\n"))];

/// PostgreSQL's migrations: `(version, description, SQL)`.
///
/// `world_version` has exactly one row: the number of batches committed since the database was made. Every write
/// locks it (see `postgres.rs`), so batches from all servers form one sequence, and a server learns whether its
/// world is the latest by comparing one number.
pub(crate) const POSTGRES: &[(i64, &str, &str)] = &[
    (
        1,
        "records, meta and the world version",
        concat!(
            records_table!(),
            ";\n",
            meta_table!(),
            ";\n",
            "CREATE TABLE IF NOT EXISTS world_version (
            singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton), version BIGINT NOT NULL);\n",
            "INSERT INTO world_version (singleton, version) VALUES (TRUE, 0) ON CONFLICT DO NOTHING;\n"
        ),
    ),
    (
        2,
        "the change log of recent batches",
        // What each recent batch wrote (see `postgres/changes.rs`): a record's new body, NULL when removed; a
        // world-level value as kind '' (no record kind is empty) with its key as the ID. `changes_from` is the first
        // version whose batch is still all there: a world at version v can be brought forward iff v + 1 >= it.
        concat!(
            "CREATE TABLE IF NOT EXISTS changes (
            version BIGINT NOT NULL, kind TEXT NOT NULL, account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL,
            body TEXT, PRIMARY KEY (version, kind, account, region, id));\n",
            "ALTER TABLE world_version ADD COLUMN IF NOT EXISTS changes_from BIGINT NOT NULL DEFAULT 0;\n",
            "UPDATE world_version SET changes_from = version + 1;\n"
        ),
    ),
];

/// The migrator of one backend's list.
pub(crate) async fn migrator(list: &'static [(i64, &'static str, &'static str)]) -> Result<Migrator, sqlx::Error> {
    Migrator::new(Embedded(list)).await.map_err(|error| sqlx::Error::Migrate(Box::new(error)))
}

/// A list of migrations compiled into the binary.
#[derive(Debug)]
struct Embedded(&'static [(i64, &'static str, &'static str)]);

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 'static>> {
        let migrations = self
            .0
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(*version, Cow::Borrowed(*description), MigrationType::Simple, Cow::Borrowed(*sql), false)
            })
            .collect();
        Box::pin(std::future::ready(Ok(migrations)))
    }
}
