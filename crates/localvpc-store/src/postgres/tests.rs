//! The PostgreSQL store against a real server: `LOCALVPC_TEST_POSTGRES=postgres://…` names a database the tests
//! may fill (each test makes its own schema-less database by name and drops it). Without it they say so loudly and
//! pass vacuously: `.ci/run` sets it.

use super::*;
use crate::ChangedRecord;

/// A fresh database on the test server, and its URL; `None` (with a loud message) when no server is configured.
async fn fresh_database(name: &str) -> Option<String> {
    let Ok(url) = std::env::var("LOCALVPC_TEST_POSTGRES") else {
        eprintln!("SKIPPED: LOCALVPC_TEST_POSTGRES is not set, so the PostgreSQL store is not tested here");
        return None;
    };
    let admin = PgPool::connect(&url).await.expect("the test PostgreSQL server answers");
    let database = format!("localvpc_test_{name}_{}", std::process::id());
    sqlx::query(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")).execute(&admin).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {database}")).execute(&admin).await.unwrap();
    let (base, _) = url.rsplit_once('/').expect("a URL with a database");
    Some(format!("{base}/{database}"))
}

fn put<'a>(id: &'a str, body: &'a str) -> Write<'a> {
    Write::Put { kind: "vpc", account: "1", region: "r", id, body }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trips_numbers_batches_and_survives_reopen() {
    let Some(url) = fresh_database("round_trip").await else { return };
    let store = PostgresStore::open(&url).await.unwrap();
    assert_eq!(store.load().await.unwrap(), Snapshot::default());
    let writes = [
        put("vpc-1", "{}"),
        put("vpc-2", "{\"a\":1}"),
        Write::Delete { kind: "vpc", account: "1", region: "r", id: "vpc-1" },
        Write::Meta { key: "next_id", value: "7" },
        put("vpc-2", "{\"a\":2}"),
    ];
    assert_eq!(store.apply_at(0, &writes).await.unwrap(), 1);
    let snapshot = store.load().await.unwrap();
    assert_eq!(snapshot.version, 1);
    assert_eq!(snapshot.records.len(), 1);
    assert_eq!((snapshot.records[0].id.as_str(), snapshot.records[0].body.as_str()), ("vpc-2", "{\"a\":2}"));
    assert_eq!(snapshot.meta, vec![("next_id".to_string(), "7".to_string())]);
    drop(store);
    // A second open migrates nothing and sees the same.
    let reopened = PostgresStore::open(&url).await.unwrap();
    assert_eq!(reopened.load().await.unwrap(), snapshot);
    reopened.reset().await.unwrap();
    let wiped = reopened.load().await.unwrap();
    assert_eq!((wiped.records.len(), wiped.meta.len(), wiped.version), (0, 0, 2), "a reset is a numbered batch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_computed_on_an_older_world_is_refused_whole() {
    let Some(url) = fresh_database("stale").await else { return };
    let (first, second) = (PostgresStore::open(&url).await.unwrap(), PostgresStore::open(&url).await.unwrap());
    assert_eq!(first.apply_at(0, &[put("vpc-a", "{}")]).await.unwrap(), 1);
    let refused = second.apply_at(0, &[put("vpc-b", "{}"), Write::Meta { key: "next_id", value: "2" }]).await;
    assert!(matches!(refused, Err(StoreError::Stale { current: 1 })), "{refused:?}");
    let snapshot = second.load().await.unwrap();
    assert_eq!(snapshot.records.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["vpc-a"]);
    assert!(snapshot.meta.is_empty(), "nothing of the refused batch");
    // Positive control: the same batch on the current version is written.
    assert_eq!(second.apply_at(1, &[put("vpc-b", "{}")]).await.unwrap(), 2);
    assert_eq!(first.latest_version().await.unwrap(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_writers_on_one_version_exactly_one_wins() {
    let Some(url) = fresh_database("race").await else { return };
    let store = PostgresStore::open(&url).await.unwrap();
    let ids: Vec<String> = (0..8).map(|n| format!("vpc-{n}")).collect();
    let results = futures_join_all(ids.iter().map(|id| {
        let store = store.clone();
        let id = id.clone();
        async move { store.apply_at(0, &[put(&id, "{}")]).await }
    }))
    .await;
    assert_eq!(results.iter().filter(|result| result.is_ok()).count(), 1, "{results:?}");
    assert!(results.iter().all(|result| matches!(result, Ok(1) | Err(StoreError::Stale { current: 1 }))));
    assert_eq!(store.load().await.unwrap().records.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_servers_commits_are_notified() {
    let Some(url) = fresh_database("notify").await else { return };
    let (writer, follower) = (PostgresStore::open(&url).await.unwrap(), PostgresStore::open(&url).await.unwrap());
    let mut versions = follower.versions().expect("a shared store numbers its batches");
    // Let the follower's LISTEN take effect before the commit it must hear.
    tokio::time::sleep(Duration::from_millis(200)).await;
    writer.apply(&[put("vpc-n", "{}")]).await.unwrap();
    let seen = tokio::time::timeout(Duration::from_secs(2), versions.wait_for(|version| *version >= 1)).await;
    assert!(matches!(seen, Ok(Ok(_))), "the follower heard of version 1");
}

#[tokio::test]
async fn an_unreachable_database_is_unavailable_not_an_internal_error() {
    // Nothing listens on port 1: the connection is refused.
    let error = PostgresStore::open("postgres://nobody:x@127.0.0.1:1/none").await.unwrap_err();
    assert!(error.is_unavailable(), "{error:?}");
    let stale = StoreError::Stale { current: 3 };
    assert!(!stale.is_unavailable(), "positive control: a stale batch is not an outage");
}

/// Runs the futures concurrently (each spawned), in order of the input.
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut outputs = Vec::new();
    for handle in handles {
        outputs.push(handle.await.expect("task"));
    }
    outputs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_change_log_gives_what_each_batch_since_a_version_wrote_until_a_reset() {
    let Some(url) = fresh_database("changes").await else { return };
    let store = PostgresStore::open(&url).await.unwrap();
    let changed = |id: &str, body: Option<&str>| ChangedRecord {
        kind: "vpc".into(),
        account: "1".into(),
        region: "r".into(),
        id: id.into(),
        body: body.map(str::to_string),
    };
    assert_eq!(store.apply_at(0, &[put("vpc-a", "{}"), Write::Meta { key: "next_id", value: "1" }]).await.unwrap(), 1);
    let second = [put("vpc-b", "{\"b\":1}"), Write::Delete { kind: "vpc", account: "1", region: "r", id: "vpc-a" }];
    assert_eq!(store.apply_at(1, &second).await.unwrap(), 2);
    let all = store.changes_since(0).await.unwrap().expect("the log reaches back to the first batch");
    assert_eq!(all.version, 2);
    assert_eq!(
        all.records,
        [changed("vpc-a", Some("{}")), changed("vpc-a", None), changed("vpc-b", Some("{\"b\":1}"))]
    );
    assert_eq!(all.meta, [("next_id".to_string(), "1".to_string())]);
    let last = store.changes_since(1).await.unwrap().unwrap();
    assert_eq!(last.records, [changed("vpc-a", None), changed("vpc-b", Some("{\"b\":1}"))]);
    assert_eq!(store.changes_since(2).await.unwrap(), Some(Changes { version: 2, ..Changes::default() }));
    // A reset: a world from before it can only be loaded; one from after it is brought forward again.
    store.reset().await.unwrap();
    assert_eq!(store.changes_since(2).await.unwrap(), None);
    assert_eq!(store.apply_at(3, &[put("vpc-c", "{}")]).await.unwrap(), 4);
    let after = store.changes_since(3).await.unwrap().unwrap();
    assert_eq!((after.version, after.records), (4, vec![changed("vpc-c", Some("{}"))]));
}
