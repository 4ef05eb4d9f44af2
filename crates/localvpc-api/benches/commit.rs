//! Benchmarks of the write path: what one CreateSecurityGroup costs in the model as the region grows, and what the
//! commit path (`Control::mutate`: apply, group commit, publish) sustains with one writer and with many.
//!
//! Groups (run with `cargo bench -p localvpc-api --bench commit`; filter with e.g. `-- model`):
//!
//! - `model/create_security_group/{0,20000}_groups`: the model rule plus `Tx::finish` (the record encoding) on an
//!   O(1) clone of a world whose VPC already holds 0 or 20,000 groups. The two must be close: a write may cost
//!   O(log n) in the size of the world, not O(n).
//! - `commit/{memory,sqlite}/{1,32}_writers`: CreateSecurityGroup through `Control::mutate` on a multi-threaded
//!   runtime, by 1 or 32 concurrent tasks; the time per mutation. On SQLite (WAL, `synchronous=FULL`) every commit
//!   waits for an fsync, so 1 writer pays one per mutation and 32 writers share one per batch (group commit). Set
//!   `LOCALVPC_BENCH_TMP` to put the SQLite files elsewhere than the system temporary folder (the folder's file
//!   system decides what an fsync costs).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use localvpc_api::control::Control;
use localvpc_model::security_group::{self, CreateSecurityGroup};
use localvpc_model::vpc::{self, CreateVpc};
use localvpc_model::{Scope, Timestamp, Tx, World};
use localvpc_store::{MemoryStore, SqliteStore, Store};

fn scope() -> Scope {
    Scope::new("123456789012", "us-east-1")
}

fn request(vpc_id: &str, name: String) -> CreateSecurityGroup {
    CreateSecurityGroup { name, description: "bench".into(), vpc_id: Some(vpc_id.into()), tags: Vec::new() }
}

/// A world with one VPC holding `groups` security groups (plus its default group), and the VPC's ID.
fn world_with_groups(groups: usize) -> (World, String) {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    vpc::ensure_initialized(&mut tx, &scope());
    let vpc_id =
        vpc::create_vpc(&mut tx, &scope(), CreateVpc { cidr_block: "10.0.0.0/16".into(), ..Default::default() })
            .expect("create the VPC")
            .id
            .clone();
    for n in 0..groups {
        security_group::create(&mut tx, &scope(), request(&vpc_id, format!("seed-{n}"))).expect("seed a group");
    }
    drop(tx);
    (world, vpc_id)
}

fn model(c: &mut Criterion) {
    let mut group = c.benchmark_group("model/create_security_group");
    group.throughput(Throughput::Elements(1));
    for groups in [0, 20_000] {
        let (world, vpc_id) = world_with_groups(groups);
        let mut n = 0u64;
        group.bench_function(BenchmarkId::from_parameter(format!("{groups}_groups")), |b| {
            b.iter(|| {
                n += 1;
                let mut clone = world.clone();
                let mut tx = Tx::new(&mut clone, Timestamp(0));
                security_group::create(&mut tx, &scope(), request(&vpc_id, format!("bench-{n}"))).expect("create");
                tx.finish()
            })
        });
    }
    group.finish();
}

/// A folder removed on drop.
struct TempFolder(PathBuf);

impl TempFolder {
    fn new() -> Self {
        let base = std::env::var_os("LOCALVPC_BENCH_TMP").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let path = base.join(format!("localvpc-bench-commit-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).expect("create the temporary folder");
        TempFolder(path)
    }
}

impl Drop for TempFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn commit(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let mut group = c.benchmark_group("commit");
    group.throughput(Throughput::Elements(1)).measurement_time(Duration::from_secs(5));
    for sqlite in [false, true] {
        let folder = TempFolder::new();
        let store: Arc<dyn Store> = if sqlite {
            Arc::new(runtime.block_on(SqliteStore::open(&folder.0.join("state.db"))).expect("open the SQLite store"))
        } else {
            Arc::new(MemoryStore::new())
        };
        let control = Arc::new(runtime.block_on(Control::open(store)).expect("open the control plane"));
        let vpc_id = runtime
            .block_on(control.mutate(|tx| {
                vpc::ensure_initialized(tx, &scope());
                vpc::create_vpc(tx, &scope(), CreateVpc { cidr_block: "10.0.0.0/16".into(), ..Default::default() })
                    .map(|vpc| vpc.id.clone())
            }))
            .expect("create the VPC");
        let names = Arc::new(AtomicU64::new(0));
        for writers in [1u64, 32] {
            let label = format!("{}/{writers}_writers", if sqlite { "sqlite" } else { "memory" });
            group.bench_function(BenchmarkId::from_parameter(label), |b| {
                b.iter_custom(|iters| {
                    let started = Instant::now();
                    runtime.block_on(async {
                        let tasks: Vec<_> = (0..writers)
                            .map(|writer| {
                                let (control, names, vpc_id) = (control.clone(), names.clone(), vpc_id.clone());
                                // Spread `iters` mutations over the writers.
                                let count = iters / writers + u64::from(writer < iters % writers);
                                tokio::spawn(async move {
                                    for _ in 0..count {
                                        let name = format!("w-{}", names.fetch_add(1, Ordering::Relaxed));
                                        control
                                            .mutate(|tx| {
                                                security_group::create(tx, &scope(), request(&vpc_id, name.clone()))
                                            })
                                            .await
                                            .expect("create");
                                    }
                                })
                            })
                            .collect();
                        for task in tasks {
                            task.await.expect("writer task");
                        }
                    });
                    started.elapsed()
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, model, commit);
criterion_main!(benches);
