//! Group commit against a store that the test holds and fails at will: batches form while a commit is in flight,
//! a refused batch fails exactly its requests and changes nothing, a refused mutation fails alone.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use localvpc_model::security_group::{self, CreateSecurityGroup};
use localvpc_model::vpc::ensure_initialized;
use localvpc_model::{Ec2Error, Scope};
use localvpc_store::{BoxFuture, MemoryStore, Snapshot, Store, StoreError, Write};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use super::Control;

/// A durable-looking store whose commits wait for a permit, and fail while `fail` is set.
struct HeldStore {
    records: MemoryStore,
    permits: Semaphore,
    fail: AtomicBool,
    /// Commits started (waiting for a permit or done).
    started: AtomicUsize,
    /// The number of writes of each commit that got its permit.
    batches: Mutex<Vec<usize>>,
}

impl Default for HeldStore {
    fn default() -> Self {
        HeldStore {
            records: MemoryStore::new(),
            permits: Semaphore::new(0),
            fail: AtomicBool::new(false),
            started: AtomicUsize::new(0),
            batches: Mutex::new(Vec::new()),
        }
    }
}

impl Store for HeldStore {
    fn load(&self) -> BoxFuture<'_, Result<Snapshot, StoreError>> {
        self.records.load()
    }

    fn apply<'a>(&'a self, writes: &'a [Write<'a>]) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            self.started.fetch_add(1, Ordering::SeqCst);
            self.permits.acquire().await.expect("semaphore open").forget();
            self.batches.lock().unwrap().push(writes.len());
            if self.fail.load(Ordering::SeqCst) {
                return Err(StoreError::Location { path: "held".into(), reason: "disk full".into() });
            }
            self.records.apply(writes).await
        })
    }

    fn reset(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        self.records.reset()
    }
}

fn scope() -> Scope {
    Scope::new("123456789012", "us-east-1")
}

async fn open() -> (Arc<Control>, Arc<HeldStore>) {
    let store = Arc::new(HeldStore::default());
    let control = Arc::new(Control::open(store.clone()).await.unwrap());
    store.permits.add_permits(1);
    control
        .mutate(|tx| {
            ensure_initialized(tx, &scope());
            Ok(())
        })
        .await
        .unwrap();
    (control, store)
}

/// CreateSecurityGroup `name` in the default VPC, on its own task.
fn create(control: &Arc<Control>, name: &str) -> JoinHandle<Result<String, Ec2Error>> {
    let control = Arc::clone(control);
    let request = CreateSecurityGroup { name: name.into(), description: "d".into(), ..Default::default() };
    tokio::spawn(async move { control.mutate(|tx| security_group::create(tx, &scope(), request)).await.map(|g| g.id) })
}

/// Lets every spawned task run until it waits (the test runtime has one thread, and runs tasks in spawn order).
async fn settle() {
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
}

fn group_names(control: &Control) -> Vec<String> {
    let world = control.snapshot();
    let mut names: Vec<String> = world.region(&scope()).security_groups.values().map(|g| g.name.clone()).collect();
    names.sort();
    names
}

async fn stored_group_ids(store: &HeldStore) -> Vec<String> {
    let snapshot = store.load().await.unwrap();
    let mut ids: Vec<String> =
        snapshot.records.into_iter().filter(|r| r.kind == "security_group").map(|r| r.id).collect();
    ids.sort();
    ids
}

/// Holds batch 1 (`first`) in the store, queues `names` behind it, lets batch 1 commit, and waits until the queued
/// mutations have been applied and their batch 2 is at the store.
async fn queue_behind_held_batch(
    control: &Arc<Control>,
    store: &HeldStore,
    names: &[&str],
) -> (JoinHandle<Result<String, Ec2Error>>, Vec<JoinHandle<Result<String, Ec2Error>>>) {
    let before = store.started.load(Ordering::SeqCst);
    let first = create(control, "first");
    settle().await;
    assert_eq!(store.started.load(Ordering::SeqCst), before + 1, "batch 1 is at the store");
    let queued: Vec<_> = names.iter().map(|name| create(control, name)).collect();
    settle().await;
    assert_eq!(store.started.load(Ordering::SeqCst), before + 1, "nothing is applied while batch 1 commits");
    store.permits.add_permits(1);
    settle().await;
    assert_eq!(store.started.load(Ordering::SeqCst), before + 2, "the queued mutations are one batch");
    (first, queued)
}

#[tokio::test]
async fn group_commit_store_refusal_fails_every_request_of_the_batch_and_changes_nothing() {
    let (control, store) = open().await;
    let (first, queued) = queue_behind_held_batch(&control, &store, &["b1", "b2", "b3", "b1", "b4"]).await;
    let first_id = first.await.unwrap().expect("batch 1 committed");
    // Positive control of the batch: batch 1 is published and stored.
    assert_eq!(group_names(&control), ["default", "first"]);
    let world_before = control.snapshot();
    let stored_before = stored_group_ids(&store).await;
    assert!(stored_before.contains(&first_id));

    store.fail.store(true, Ordering::SeqCst);
    store.permits.add_permits(1);
    let mut answers = Vec::new();
    for handle in queued {
        answers.push(handle.await.unwrap());
    }
    // The duplicate was refused by the model when it was applied, before the store was asked anything.
    assert!(matches!(&answers[3], Err(Ec2Error::SecurityGroupDuplicate { name, .. }) if name == "b1"), "{answers:?}");
    for answer in [&answers[0], &answers[1], &answers[2], &answers[4]] {
        assert!(matches!(answer, Err(Ec2Error::InternalError)), "{answers:?}");
    }
    assert_eq!(
        *store.batches.lock().unwrap().last().unwrap(),
        4 * 3,
        "b1..b4, each its group, the ID counter and the ID key"
    );
    // Nothing of the refused batch anywhere: not published, not stored, and the next mutation starts from the
    // world as batch 1 left it.
    assert_eq!(group_names(&control), ["default", "first"]);
    assert_eq!(stored_group_ids(&store).await, stored_before);
    store.fail.store(false, Ordering::SeqCst);
    store.permits.add_permits(1);
    let again = create(&control, "b1").await.unwrap().expect("b1 can be created once the store works");
    assert_eq!(group_names(&control), ["b1", "default", "first"]);
    assert!(stored_group_ids(&store).await.contains(&again));
    assert!(world_before.region(&scope()).security_groups.get(&again).is_none());
}

#[tokio::test]
async fn group_commit_failing_mutation_fails_alone_and_its_neighbours_commit_in_one_batch() {
    let (control, store) = open().await;
    let commits_before = store.batches.lock().unwrap().len();
    let (first, queued) = queue_behind_held_batch(&control, &store, &["b1", "b2", "b1", "default", "b3"]).await;
    first.await.unwrap().expect("batch 1 committed");
    store.permits.add_permits(1);
    let mut answers = Vec::new();
    for handle in queued {
        answers.push(handle.await.unwrap());
    }
    assert!(matches!(&answers[2], Err(Ec2Error::SecurityGroupDuplicate { name, .. }) if name == "b1"), "{answers:?}");
    assert!(matches!(&answers[3], Err(Ec2Error::SecurityGroupNameReserved(name)) if name == "default"));
    let ids: Vec<&String> = [&answers[0], &answers[1], &answers[4]].map(|a| a.as_ref().expect("committed")).into();
    assert_eq!(group_names(&control), ["b1", "b2", "b3", "default", "first"]);
    let stored = stored_group_ids(&store).await;
    assert!(ids.iter().all(|id| stored.contains(id)), "{ids:?} in {stored:?}");
    // Two commits for six mutations: batch 1 and everything that queued behind it.
    assert_eq!(store.batches.lock().unwrap().len(), commits_before + 2);
}

#[tokio::test]
async fn group_commit_reset_commits_the_open_batch_first() {
    let (control, store) = open().await;
    store.permits.add_permits(1000);
    let created = create(&control, "kept-until-reset");
    let reset = {
        let control = Arc::clone(&control);
        tokio::spawn(async move { control.reset().await })
    };
    assert!(created.await.unwrap().is_ok());
    reset.await.unwrap().unwrap();
    assert!(control.snapshot().scopes().next().is_none());
    assert_eq!(stored_group_ids(&store).await, Vec::<String>::new());
}
