//! Benchmarks of how one request's cost grows with the state it runs against (issue 8, defect 5), through the
//! axum router in process (`tower::ServiceExt::oneshot`, memory store, no sockets).
//!
//! Run with `cargo bench -p localvpc-api --bench scale` (filter with e.g. `-- run_instances`).
//!
//! - `run_instances/1000_into_slash_18` and `run_instances/4000_into_slash_18`: one RunInstances launching 1,000 or
//!   4,000 instances into an empty /18 (the server's ceiling raised to 4,000), response rendered. Work linear in the
//!   instances launched makes the second about 4× the first; it was about 20× while every instance rescanned the
//!   subnet for a free address.
//! - `create_subnet/vpc_with_10_subnets` and `create_subnet/vpc_with_1000_subnets`: CreateSubnet of a /28 into a
//!   VPC that already holds 10 or 1,000 /26 subnets (the region holds them too); the new subnets are deleted,
//!   untimed, every 64.
//! - `describe_vpcs/10_ids_of_100`, `describe_vpcs/10_ids_of_10000` and the same for `describe_instances`: a
//!   Describe naming 10 IDs in a region of 100 or 10,000 VPCs or instances: looked up, not found by walking the
//!   table, so the two cost about the same.
//! - `describe_instances/all_1000`: DescribeInstances answering 1,000 instances (about 2.5 MB of XML).
//!
//! Set-up (seeding, resets) is never timed, and neither is the topology compilation a write schedules: it is done
//! untimed before each measurement, so it does not run on another thread meanwhile.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use http_body_util::BodyExt;
use localvpc_api::control::{Control, Quotas};
use localvpc_store::MemoryStore;
use tokio::runtime::Runtime;
use tower::ServiceExt;

/// The EC2 API version every request names.
const VERSION: &str = "Version=2016-11-15";
/// The per-call ceiling of the benchmarked server: the largest launch measured.
const CEILING: usize = 4000;

/// A router over a fresh memory store, with the runtime it runs on.
struct App {
    runtime: Runtime,
    router: Router,
    control: Arc<Control>,
}

impl App {
    fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
        let quotas = Quotas { max_instances_per_call: CEILING, ..Quotas::none() };
        let control = Arc::new(
            runtime.block_on(Control::open_with_quotas(Arc::new(MemoryStore::new()), quotas)).expect("control plane"),
        );
        let app = App { runtime, router: localvpc_api::router(control.clone()), control };
        app.post("Action=DescribeVpcs");
        app
    }

    /// Compiles the current world's topology now, so the compilation a write schedules in the background does not
    /// run on another thread during a timed request.
    fn settle(&self) {
        self.control.topology();
    }

    /// POSTs an EC2 Query body (the version added) and returns the answer; panics unless it is `200`.
    fn post(&self, body: &str) -> String {
        let bytes = self.runtime.block_on(call(&self.router, Method::POST, "/", format!("{body}&{VERSION}")));
        String::from_utf8(bytes.to_vec()).expect("UTF-8 body")
    }

    /// [`App::post`], timed.
    fn timed_post(&self, body: &str) -> Duration {
        let body = format!("{body}&{VERSION}");
        let start = Instant::now();
        self.runtime.block_on(call(&self.router, Method::POST, "/", body));
        start.elapsed()
    }

    fn reset(&self) {
        self.runtime.block_on(call(&self.router, Method::POST, "/_localvpc/reset", String::new()));
        self.post("Action=DescribeVpcs");
    }

    fn create_vpc(&self, block: &str) -> String {
        field(&self.post(&format!("Action=CreateVpc&CidrBlock={}", block.replace('/', "%2F"))), "vpcId")
    }

    fn create_subnet(&self, vpc_id: &str, block: &str) -> String {
        let body = format!("Action=CreateSubnet&VpcId={vpc_id}&CidrBlock={}", block.replace('/', "%2F"));
        field(&self.post(&body), "subnetId")
    }

    /// Launches `count` instances into `subnet_id`; returns their IDs.
    fn run_instances(&self, subnet_id: &str, count: usize) -> Vec<String> {
        let answer = self.post(&run_instances_body(subnet_id, count));
        fields(&answer, "instanceId")
    }
}

fn run_instances_body(subnet_id: &str, count: usize) -> String {
    format!("Action=RunInstances&ImageId=ami-12345678&MinCount={count}&MaxCount={count}&SubnetId={subnet_id}")
}

/// One request through the router, as hyper would make it; panics unless the answer is `200`. Returns the body.
async fn call(router: &Router, method: Method, uri: &str, body: String) -> Bytes {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("valid request");
    let response = router.clone().oneshot(request).await.expect("the router is infallible");
    let status = response.status();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    bytes
}

/// The text of every `<tag>…</tag>` in `xml`, in order.
fn fields(xml: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}>");
    xml.match_indices(&open)
        .map(|(at, _)| {
            let start = at + open.len();
            let end = xml[start..].find('<').map(|i| start + i).expect("element is closed");
            xml[start..end].to_string()
        })
        .collect()
}

/// The text of the first `<tag>…</tag>` in `xml`.
fn field(xml: &str, tag: &str) -> String {
    fields(xml, tag).into_iter().next().unwrap_or_else(|| panic!("no <{tag}> in {xml}"))
}

/// Ten IDs spread over `ids`, as a Describe's `Prefix.N` parameters.
fn ten_of(ids: &[String], prefix: &str) -> String {
    let step = ids.len() / 10;
    (0..10).map(|n| format!("&{prefix}.{}={}", n + 1, ids[n * step + step / 2])).collect()
}

fn run_instances(c: &mut Criterion) {
    let mut group = c.benchmark_group("run_instances");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(10));
    group.sampling_mode(SamplingMode::Flat);
    let app = App::new();
    for count in [1000, CEILING] {
        group.throughput(Throughput::Elements(count as u64));
        group.bench_function(format!("{count}_into_slash_18"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    app.reset();
                    let vpc_id = app.create_vpc("10.0.0.0/16");
                    let subnet_id = app.create_subnet(&vpc_id, "10.0.0.0/18");
                    app.settle();
                    total += app.timed_post(&run_instances_body(&subnet_id, count));
                    app.settle();
                }
                total
            });
        });
    }
    group.finish();
}

fn create_subnet(c: &mut Criterion) {
    let mut group = c.benchmark_group("create_subnet");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3)).sample_size(30);
    group.throughput(Throughput::Elements(1));
    for existing in [10, 1000] {
        let app = App::new();
        let vpc_id = app.create_vpc("10.0.0.0/16");
        // Up to 1,000 /26 subnets fill 10.0.0.0 to 10.0.249.255; the /28s below go into 10.0.250.0/23.
        for n in 0..existing {
            app.create_subnet(&vpc_id, &format!("10.0.{}.{}/26", n / 4, (n % 4) * 64));
        }
        app.settle();
        group.bench_function(format!("vpc_with_{existing}_subnets"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                let mut created = Vec::new();
                for i in 0..iters {
                    let k = i % 64;
                    let block = format!("10.0.{}.{}/28", 250 + k / 16, (k % 16) * 16);
                    let body = format!("Action=CreateSubnet&VpcId={vpc_id}&CidrBlock={}", block.replace('/', "%2F"));
                    let start = Instant::now();
                    let answer = app.post(&body);
                    total += start.elapsed();
                    created.push(field(&answer, "subnetId"));
                    if k == 63 || i == iters - 1 {
                        for subnet_id in created.drain(..) {
                            app.post(&format!("Action=DeleteSubnet&SubnetId={subnet_id}"));
                        }
                        app.settle();
                    }
                }
                total
            });
        });
    }
    group.finish();
}

fn describe(c: &mut Criterion) {
    let mut group = c.benchmark_group("describe");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3)).sample_size(30);
    group.throughput(Throughput::Elements(1));

    for existing in [100, 10_000] {
        let app = App::new();
        let vpc_ids: Vec<String> = (0..existing).map(|n| app.create_vpc(&format!("10.{}.0.0/16", n % 256))).collect();
        let body = format!("Action=DescribeVpcs{}", ten_of(&vpc_ids, "VpcId"));
        assert_eq!(fields(&app.post(&body), "vpcId").len(), 10);
        app.settle();
        group.bench_function(format!("describe_vpcs/10_ids_of_{existing}"), |b| b.iter(|| app.post(&body)));
    }

    for existing in [100, 10_000] {
        let app = App::new();
        let vpc_id = app.create_vpc("10.0.0.0/16");
        let subnet_id = app.create_subnet(&vpc_id, "10.0.0.0/18");
        let mut instance_ids = Vec::new();
        while instance_ids.len() < existing {
            instance_ids.extend(app.run_instances(&subnet_id, (existing - instance_ids.len()).min(CEILING)));
        }
        let body = format!("Action=DescribeInstances{}", ten_of(&instance_ids, "InstanceId"));
        assert_eq!(fields(&app.post(&body), "instanceId").len(), 10);
        app.settle();
        group.bench_function(format!("describe_instances/10_ids_of_{existing}"), |b| b.iter(|| app.post(&body)));
    }

    let app = App::new();
    let vpc_id = app.create_vpc("10.0.0.0/16");
    let subnet_id = app.create_subnet(&vpc_id, "10.0.0.0/20");
    app.run_instances(&subnet_id, 1000);
    let answer = app.post("Action=DescribeInstances");
    assert_eq!(fields(&answer, "instanceId").len(), 1000);
    eprintln!("describe: DescribeInstances answers {} bytes for 1,000 instances", answer.len());
    app.settle();
    group.sample_size(20);
    group.bench_function("describe_instances/all_1000", |b| b.iter(|| app.post("Action=DescribeInstances")));
    group.finish();
}

criterion_group!(benches, run_instances, create_subnet, describe);
criterion_main!(benches);
