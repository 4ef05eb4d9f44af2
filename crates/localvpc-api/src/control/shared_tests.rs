//! Two control planes on one shared store, in process: a batch computed on an older world is refused by the store
//! and applied again on the caught-up world (one winner), a request catches up before it reads (read-your-writes
//! across replicas), and the follower publishes another replica's commit within 100 ms.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use localvpc_model::security_group::{self, CreateSecurityGroup};
use localvpc_model::vpc::ensure_initialized;
use localvpc_model::{Ec2Error, Scope};
use localvpc_store::{BoxFuture, MemoryStore, Snapshot, Store, StoreError, Write};
use tokio::sync::watch;

use super::Control;

/// A store shared by several control planes, numbering its batches like the PostgreSQL store. While `silent` is
/// set it sends no notifications (as if they were lost), so a replica learns of others' writes only from `Stale`
/// and from [`Control::sync`].
struct SharedStore {
    records: MemoryStore,
    version: Mutex<u64>,
    versions: watch::Sender<u64>,
    silent: AtomicBool,
    stale: AtomicUsize,
}

impl SharedStore {
    fn new() -> Arc<Self> {
        Arc::new(SharedStore {
            records: MemoryStore::new(),
            version: Mutex::new(0),
            versions: watch::Sender::new(0),
            silent: AtomicBool::new(false),
            stale: AtomicUsize::new(0),
        })
    }

    fn bump(&self, version: &mut u64) -> u64 {
        *version += 1;
        if !self.silent.load(Ordering::SeqCst) {
            self.versions.send_replace(*version);
        }
        *version
    }
}

impl Store for SharedStore {
    fn load(&self) -> BoxFuture<'_, Result<Snapshot, StoreError>> {
        let version = *self.version.lock().unwrap();
        Box::pin(async move { Ok(Snapshot { version, ..self.records.load().await? }) })
    }

    fn apply<'a>(&'a self, writes: &'a [Write<'a>]) -> BoxFuture<'a, Result<(), StoreError>> {
        let base = *self.version.lock().unwrap();
        Box::pin(async move { self.apply_at(base, writes).await.map(drop) })
    }

    fn apply_at<'a>(&'a self, base: u64, writes: &'a [Write<'a>]) -> BoxFuture<'a, Result<u64, StoreError>> {
        let mut version = self.version.lock().unwrap();
        if *version != base {
            self.stale.fetch_add(1, Ordering::SeqCst);
            return Box::pin(std::future::ready(Err(StoreError::Stale { current: *version })));
        }
        // The memory store applies synchronously: the batch and the version move together under the lock.
        drop(futures_ready(self.records.apply(writes)));
        let next = self.bump(&mut version);
        Box::pin(std::future::ready(Ok(next)))
    }

    fn reset(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        let mut version = self.version.lock().unwrap();
        drop(futures_ready(self.records.reset()));
        self.bump(&mut version);
        Box::pin(std::future::ready(Ok(())))
    }

    fn latest_version(&self) -> BoxFuture<'_, Result<Option<u64>, StoreError>> {
        Box::pin(std::future::ready(Ok(Some(*self.version.lock().unwrap()))))
    }

    fn versions(&self) -> Option<watch::Receiver<u64>> {
        Some(self.versions.subscribe())
    }
}

/// The memory store's futures are ready at once: polls one to completion without a runtime.
fn futures_ready<T>(future: BoxFuture<'_, T>) -> T {
    let mut future = future;
    let waker = std::task::Waker::noop();
    match future.as_mut().poll(&mut std::task::Context::from_waker(waker)) {
        std::task::Poll::Ready(value) => value,
        std::task::Poll::Pending => unreachable!("the memory store never waits"),
    }
}

fn scope() -> Scope {
    Scope::new("123456789012", "us-east-1")
}

async fn replica(store: &Arc<SharedStore>) -> Arc<Control> {
    Arc::new(Control::open(store.clone()).await.unwrap())
}

async fn create(control: &Control, name: &str) -> Result<String, Ec2Error> {
    let request = CreateSecurityGroup { name: name.into(), description: "d".into(), ..Default::default() };
    control.mutate(|tx| security_group::create(tx, &scope(), request.clone())).await.map(|group| group.id)
}

fn has_group(control: &Control, name: &str) -> bool {
    control.snapshot().region(&scope()).security_groups.values().any(|group| group.name == name)
}

async fn initialized_pair() -> (Arc<SharedStore>, Arc<Control>, Arc<Control>) {
    let store = SharedStore::new();
    let (a, b) = (replica(&store).await, replica(&store).await);
    a.mutate(|tx| {
        ensure_initialized(tx, &scope());
        Ok(())
    })
    .await
    .unwrap();
    b.sync().await.unwrap();
    (store, a, b)
}

#[tokio::test]
async fn a_batch_on_an_older_world_is_applied_again_and_loses_to_the_first() {
    let (store, a, b) = initialized_pair().await;
    store.silent.store(true, Ordering::SeqCst);
    let first = create(&a, "web").await.unwrap();
    assert!(!has_group(&b, "web"), "b has not heard of a's write (notifications are off)");
    // b applies on its older world, the store refuses the batch as stale, b catches up and applies again: the
    // name is taken now.
    let second = create(&b, "web").await;
    assert!(matches!(&second, Err(Ec2Error::SecurityGroupDuplicate { .. })), "{second:?}");
    assert_eq!(store.stale.load(Ordering::SeqCst), 1, "the refused batch is what made b catch up");
    assert!(has_group(&b, "web"));
    // Positive control: a free name succeeds on b, and is not stale any more.
    let third = create(&b, "db").await.unwrap();
    assert_ne!(first, third, "IDs stay unique across replicas");
    assert_eq!(store.stale.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_request_catches_up_before_it_reads() {
    let (store, a, b) = initialized_pair().await;
    store.silent.store(true, Ordering::SeqCst);
    create(&a, "web").await.unwrap();
    assert!(!has_group(&b, "web"), "positive control: b's published world is behind");
    b.sync().await.unwrap();
    assert!(has_group(&b, "web"));
    // A reset on a reaches b the same way.
    a.reset().await.unwrap();
    b.sync().await.unwrap();
    assert!(b.snapshot().scopes().next().is_none(), "b serves the reset world");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_follower_publishes_another_replicas_commit_within_100_ms() {
    let (_store, a, b) = initialized_pair().await;
    let mut versions = b.subscribe();
    versions.borrow_and_update();
    create(&a, "web").await.unwrap();
    let followed = tokio::time::timeout(Duration::from_millis(100), async {
        while !has_group(&b, "web") {
            versions.changed().await.unwrap();
        }
    })
    .await;
    assert!(followed.is_ok(), "b published a's commit within 100 ms without any request");
}
