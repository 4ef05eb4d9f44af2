//! Group commit against a store that the test holds and fails at will: batches form while a commit is in flight,
//! a refused batch fails exactly its requests and changes nothing, a refused mutation fails alone, and whatever was
//! computed on top of a refused batch is computed again.

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
    tokio::spawn(async move {
        control.mutate(|tx| security_group::create(tx, &scope(), request.clone())).await.map(|g| g.id)
    })
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
    assert_eq!(store.started.load(Ordering::SeqCst), before + 1, "nothing more is written while batch 1 commits");
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
    let mut pending_duplicate = None;
    let mut answers = Vec::new();
    for (index, handle) in queued.into_iter().enumerate() {
        if index == 3 {
            answers.push(Err(Ec2Error::InternalError));
            pending_duplicate = Some(handle);
        } else {
            answers.push(handle.await.unwrap());
        }
    }
    for answer in [&answers[0], &answers[1], &answers[2], &answers[4]] {
        assert!(matches!(answer, Err(Ec2Error::InternalError)), "{answers:?}");
    }
    assert_eq!(
        *store.batches.lock().unwrap().last().unwrap(),
        4 * 3,
        "b1..b4, each its group, the ID counter and the ID key"
    );
    // Nothing of the refused batch anywhere: not published, not stored.
    assert_eq!(group_names(&control), ["default", "first"]);
    assert_eq!(stored_group_ids(&store).await, stored_before);
    // The second b1 was refused by the model as a duplicate of the first — a b1 the store then refused. That
    // answer described a world that never existed, so it is not given: the mutation is applied again on the world
    // without the refused batch, where it creates b1, and it is answered once that commits.
    settle().await;
    let duplicate = pending_duplicate.expect("the duplicate's request");
    assert!(!duplicate.is_finished(), "answered only after its new batch commits");
    store.fail.store(false, Ordering::SeqCst);
    store.permits.add_permits(1);
    let again = duplicate.await.unwrap().expect("b1 is created once the store works");
    assert_eq!(group_names(&control), ["b1", "default", "first"]);
    assert!(stored_group_ids(&store).await.contains(&again));
    assert!(world_before.region(&scope()).security_groups.get(again.as_str()).is_none());
}

#[tokio::test]
async fn group_commit_refused_batch_sends_the_batch_applied_on_top_of_it_to_apply_again() {
    let (control, store) = open().await;
    let before = store.started.load(Ordering::SeqCst);
    let first = create(&control, "first");
    settle().await;
    assert_eq!(store.started.load(Ordering::SeqCst), before + 1, "batch 1 is at the store");
    // Applied while batch 1 is being written: batch 2, on top of it.
    let stacked: Vec<_> = ["b1", "b2"].iter().map(|name| create(&control, name)).collect();
    settle().await;
    assert!(stacked.iter().all(|handle| !handle.is_finished()));
    store.fail.store(true, Ordering::SeqCst);
    store.permits.add_permits(1);
    assert!(matches!(first.await.unwrap(), Err(Ec2Error::InternalError)), "batch 1 is refused");
    // b1 and b2 were not in batch 1: they are applied again, without it, and written as a new batch.
    settle().await;
    assert_eq!(store.started.load(Ordering::SeqCst), before + 2, "the stacked mutations went to the store again");
    assert_eq!(group_names(&control), ["default"], "nothing of batch 1 is published");
    store.fail.store(false, Ordering::SeqCst);
    store.permits.add_permits(1);
    let mut ids = Vec::new();
    for handle in stacked {
        ids.push(handle.await.unwrap().expect("applied again and committed"));
    }
    assert_eq!(group_names(&control), ["b1", "b2", "default"]);
    assert_eq!(stored_group_ids(&store).await.len(), 3, "default, b1, b2: nothing of batch 1 is stored");
    assert!(ids.iter().all(|id| control.snapshot().region(&scope()).security_groups.contains_key(id.as_str())));
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
