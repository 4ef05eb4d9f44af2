//! Benchmarks of the shared store (`serve --store postgres://…`): how soon a write committed through one replica is
//! published by another, and what committing costs with one replica and with three on one database.
//!
//! Needs a PostgreSQL where it may create databases: `LOCALVPC_BENCH_POSTGRES` (or `LOCALVPC_TEST_POSTGRES`, as
//! `.ci/run` sets it) `=postgres://USER@HOST:PORT/DB`. Without one it says so and measures nothing. Run with
//! `cargo bench -p localvpc-api --bench replicas`.
//!
//! - `replicas/visibility/{1,5000}_groups`: a CreateSecurityGroup committed through replica `a`, until replica `b` (a
//!   second control plane on the same database, which hears of the commit by `LISTEN`/`NOTIFY` and loads it) has
//!   published a world holding it — no request reaches `b` meanwhile. This is the delay after which `b`'s topology
//!   (probes, explain, the kernel data plane) follows a write made elsewhere; requests to `b` never wait for it
//!   (they catch up first). In a region of 1 or 5,000 groups, since `b` loads the world whole. The 50th and 99th
//!   percentiles of every sample taken are printed after the group.
//! - `replicas/commit/{1,3}_replicas/32_writers`: CreateSecurityGroup through `Control::mutate` by 32 concurrent
//!   tasks spread over 1 or 3 replicas; the time per mutation (each acknowledged only once PostgreSQL committed it).
//!   Three replicas race on one world version, so the losers of a race catch up and apply again.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use localvpc_api::control::Control;
use localvpc_model::security_group::{self, CreateSecurityGroup};
use localvpc_model::vpc::{self, CreateVpc};
use localvpc_model::Scope;
use localvpc_store::{PostgresStore, Store};
use sqlx::PgPool;

fn scope() -> Scope {
    Scope::new("123456789012", "us-east-1")
}

fn request(vpc_id: &str, name: String) -> CreateSecurityGroup {
    CreateSecurityGroup { name, description: "bench".into(), vpc_id: Some(vpc_id.into()), tags: Vec::new() }
}

/// The server's URL, or `None` (said loudly) when no PostgreSQL is configured.
fn server_url() -> Option<String> {
    let url = std::env::var("LOCALVPC_BENCH_POSTGRES").or_else(|_| std::env::var("LOCALVPC_TEST_POSTGRES")).ok();
    if url.is_none() {
        eprintln!("SKIPPED: set LOCALVPC_BENCH_POSTGRES=postgres://… to benchmark the shared store");
    }
    url
}

/// A fresh, empty database on the server at `url`, and its URL.
async fn fresh_database(url: &str, name: &str) -> String {
    let admin = PgPool::connect(url).await.expect("the PostgreSQL server answers");
    let database = format!("localvpc_bench_{name}_{}", std::process::id());
    sqlx::query(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")).execute(&admin).await.expect("drop");
    sqlx::query(&format!("CREATE DATABASE {database}")).execute(&admin).await.expect("create");
    let (base, _) = url.rsplit_once('/').expect("a URL with a database");
    format!("{base}/{database}")
}

/// `count` control planes on one fresh database, with a VPC holding `groups` security groups; the VPC's ID.
async fn replicas(url: &str, name: &str, count: usize, groups: usize) -> (Vec<Arc<Control>>, String) {
    let database = fresh_database(url, name).await;
    let mut controls = Vec::new();
    for _ in 0..count {
        let store: Arc<dyn Store> = Arc::new(PostgresStore::open(&database).await.expect("open the store"));
        controls.push(Arc::new(Control::open(store).await.expect("open the control plane")));
    }
    let vpc_id = controls[0]
        .mutate(|tx| {
            vpc::ensure_initialized(tx, &scope());
            vpc::create_vpc(tx, &scope(), CreateVpc { cidr_block: "10.0.0.0/16".into(), ..Default::default() })
                .map(|vpc| vpc.id.clone())
        })
        .await
        .expect("create the VPC");
    for chunk in (0..groups).collect::<Vec<_>>().chunks(500) {
        controls[0]
            .mutate(|tx| {
                for n in chunk {
                    security_group::create(tx, &scope(), request(&vpc_id, format!("seed-{n}")))?;
                }
                Ok(())
            })
            .await
            .expect("seed the groups");
    }
    for control in &controls {
        control.sync().await.expect("catch up");
    }
    (controls, vpc_id)
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * fraction).round() as usize]
}

fn visibility(c: &mut Criterion) {
    let Some(url) = server_url() else { return };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let mut group = c.benchmark_group("replicas/visibility");
    group.sample_size(50).measurement_time(Duration::from_secs(10));
    for groups in [1usize, 5000] {
        let (controls, vpc_id) = runtime.block_on(replicas(&url, &format!("visibility{groups}"), 2, groups));
        let (a, b) = (controls[0].clone(), controls[1].clone());
        let names = AtomicU64::new(0);
        let samples = Mutex::new(Vec::new());
        group.bench_function(BenchmarkId::from_parameter(format!("{groups}_groups")), |bench| {
            bench.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let name = format!("v-{}", names.fetch_add(1, Ordering::Relaxed));
                    let waited = runtime.block_on(async {
                        let mut published = b.subscribe();
                        published.borrow_and_update();
                        let request = request(&vpc_id, name.clone());
                        a.mutate(|tx| security_group::create(tx, &scope(), request.clone())).await.expect("create");
                        let acknowledged = Instant::now();
                        let holds = || b.snapshot().region(&scope()).security_groups.values().any(|g| g.name == name);
                        while !holds() {
                            published.changed().await.expect("b publishes");
                        }
                        acknowledged.elapsed()
                    });
                    samples.lock().expect("samples").push(waited);
                    total += waited;
                }
                total
            })
        });
        let mut sorted = samples.into_inner().expect("samples");
        sorted.sort();
        eprintln!(
            "replicas/visibility/{groups}_groups: {} samples, p50 {:.2?}, p99 {:.2?}, max {:.2?}",
            sorted.len(),
            percentile(&sorted, 0.50),
            percentile(&sorted, 0.99),
            sorted[sorted.len() - 1]
        );
    }
    group.finish();
}

fn commit(c: &mut Criterion) {
    let Some(url) = server_url() else { return };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let mut group = c.benchmark_group("replicas/commit");
    group.throughput(Throughput::Elements(1)).measurement_time(Duration::from_secs(10));
    const WRITERS: u64 = 32;
    for count in [1usize, 3] {
        let (controls, vpc_id) = runtime.block_on(replicas(&url, &format!("commit{count}"), count, 0));
        let names = Arc::new(AtomicU64::new(0));
        group.bench_function(BenchmarkId::from_parameter(format!("{count}_replicas/{WRITERS}_writers")), |b| {
            b.iter_custom(|iters| {
                let started = Instant::now();
                runtime.block_on(async {
                    let tasks: Vec<_> = (0..WRITERS)
                        .map(|writer| {
                            let control = controls[writer as usize % controls.len()].clone();
                            let (names, vpc_id) = (names.clone(), vpc_id.clone());
                            let count = iters / WRITERS + u64::from(writer < iters % WRITERS);
                            tokio::spawn(async move {
                                for _ in 0..count {
                                    let name = format!("w-{}", names.fetch_add(1, Ordering::Relaxed));
                                    let request = request(&vpc_id, name);
                                    control
                                        .mutate(|tx| security_group::create(tx, &scope(), request.clone()))
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
    group.finish();
}

criterion_group!(benches, visibility, commit);
criterion_main!(benches);
