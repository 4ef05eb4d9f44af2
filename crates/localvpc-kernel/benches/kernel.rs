//! Kernel data plane benchmarks (issue 10, "Speed"). They need root (network namespaces, links, nftables) and skip
//! with a loud message otherwise.
//!
//! - `realise_200/from_empty`: 200 running instances in 20 VPCs (peering ring, security groups with CIDR and group
//!   references, custom network ACLs, internet gateways with an Elastic IP each; `world.rs`) realised from a host
//!   that holds none of its namespaces. Target ≤ 2 s.
//! - `realise_200/teardown`: removing all of it. Target ≤ 1 s.
//! - `rule_change/authorize_ingress`: one AuthorizeSecurityGroupIngress (the model rule the API calls) on a group
//!   of one VPC, then compile, plan and apply: the time until the rule is live in the kernel. Target ≤ 50 ms. The
//!   rule is revoked again after each measurement (untimed), so every iteration changes the same world.
//! - `ping_rtt/{raw_veth,peered_instances}`: ICMP echo round trip over a bare veth pair between two namespaces, and
//!   from an instance to an instance of the peered VPC, in the same run. Target: peered ≤ 1.5 × raw.
//!
//! Namespaces use the prefix `lvbench`, so a running server's (`lv`) are never touched.

// Not `benches/world.rs`: cargo would take a file there for a benchmark of its own.
#[path = "common/world.rs"]
#[allow(dead_code)]
mod world;

use std::net::Ipv4Addr;
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use localvpc_engine::Topology;
use localvpc_kernel::{plan, Names, Realizer};
use localvpc_model::security_group::permission::{Described, PermissionRequest};
use localvpc_model::security_group::rules::{authorize, revoke, RuleChange};
use localvpc_model::security_group::{Direction, GroupRef};
use localvpc_model::World;
use tokio::runtime::Runtime;

const PREFIX: &str = "lvbench";
const RAW_A: &str = "lvbench-raw-a";
const RAW_B: &str = "lvbench-raw-b";

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| status.lines().find_map(|line| line.strip_prefix("Uid:")).map(str::to_string))
        .and_then(|uids| uids.split_whitespace().nth(1).map(|effective| effective == "0"))
        .unwrap_or(false)
}

fn realise(runtime: &Runtime, realizer: &mut Realizer, world: &World, version: u64) -> Duration {
    let started = Instant::now();
    let desired = plan(&Topology::compile(world, version), realizer.names());
    runtime.block_on(realizer.apply(&desired)).expect("the benchmark world realises without errors");
    started.elapsed()
}

fn teardown(runtime: &Runtime, realizer: &mut Realizer) -> Duration {
    let started = Instant::now();
    runtime.block_on(realizer.teardown()).expect("teardown removes everything");
    started.elapsed()
}

fn run(command: &[&str]) -> String {
    let output = Command::new(command[0]).args(&command[1..]).output().expect("iproute2 and ping are installed");
    assert!(output.status.success(), "{command:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The average RTT of `count` echoes from namespace `from` to `to`, one every millisecond (an RTT is far shorter,
/// so no two are in flight at once).
fn ping(from: &str, to: Ipv4Addr, count: u64) -> Duration {
    let text = run(&[
        "ip",
        "netns",
        "exec",
        from,
        "ping",
        "-q",
        "-n",
        "-i",
        "0.001",
        "-c",
        &count.to_string(),
        &to.to_string(),
    ]);
    // `rtt min/avg/max/mdev = 0.021/0.030/0.080/0.007 ms`
    let average = text
        .lines()
        .find_map(|line| line.split(" = ").nth(1).filter(|_| line.starts_with("rtt")))
        .and_then(|values| values.split('/').nth(1).map(str::to_string))
        .and_then(|average| average.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("no rtt line in ping's output:\n{text}"));
    Duration::from_nanos((average * 1e6) as u64)
}

fn raw_veth_pair() {
    let _ = Command::new("ip").args(["netns", "delete", RAW_A]).output();
    let _ = Command::new("ip").args(["netns", "delete", RAW_B]).output();
    run(&["ip", "netns", "add", RAW_A]);
    run(&["ip", "netns", "add", RAW_B]);
    run(&["ip", "-n", RAW_A, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", RAW_B]);
    for (namespace, address) in [(RAW_A, "10.255.0.1/30"), (RAW_B, "10.255.0.2/30")] {
        run(&["ip", "-n", namespace, "address", "add", address, "dev", "eth0"]);
        run(&["ip", "-n", namespace, "link", "set", "eth0", "mtu", "9001", "up"]);
        run(&["ip", "-n", namespace, "link", "set", "lo", "up"]);
    }
}

fn benches(c: &mut Criterion) {
    if !is_root() {
        eprintln!("\n!!! SKIPPED: the kernel benchmarks need root (namespaces, links, nftables); run `sudo cargo bench -p localvpc-kernel`\n");
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let (world, ends) = world::build();
    let mut realizer = Realizer::new(Names::new(PREFIX));
    let _ = teardown(&runtime, &mut realizer);

    let mut group = c.benchmark_group("realise_200");
    group.sample_size(10).sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(20));
    group.bench_function("from_empty", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                teardown(&runtime, &mut realizer);
                total += realise(&runtime, &mut realizer, &world, 1);
            }
            total
        })
    });
    group.bench_function("teardown", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                realise(&runtime, &mut realizer, &world, 1);
                total += teardown(&runtime, &mut realizer);
            }
            total
        })
    });
    group.finish();

    realise(&runtime, &mut realizer, &world, 1);
    let mut group = c.benchmark_group("rule_change");
    group.sample_size(20).sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(10));
    let mut current = world.clone();
    let mut port = 1000;
    let mut version = 2;
    group.bench_function("authorize_ingress", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                port += 1;
                version += 1;
                let started = Instant::now();
                let change = RuleChange {
                    group: GroupRef::Id(ends.group.clone()),
                    direction: Direction::Ingress,
                    permissions: vec![PermissionRequest {
                        protocol: Some("tcp".into()),
                        from_port: Some(port),
                        to_port: Some(port),
                        ip_ranges: vec![Described { value: "10.0.0.0/8".into(), description: None }],
                        ..Default::default()
                    }],
                    tags: Vec::new(),
                    rule_ids: Vec::new(),
                };
                world::tx(&mut current, |tx, scope| authorize(tx, scope, change.clone()));
                realise(&runtime, &mut realizer, &current, version);
                total += started.elapsed();
                // Untimed: the rule goes again, so every iteration changes a group of the same size (a rule added
                // per iteration made the later ones replace ever larger tables).
                version += 1;
                world::tx(&mut current, |tx, scope| revoke(tx, scope, change).map(|_| ()));
                realise(&runtime, &mut realizer, &current, version);
            }
            total
        })
    });
    group.finish();

    raw_veth_pair();
    let peer = realizer.names().instance(&ends.a.0);
    let mut group = c.benchmark_group("ping_rtt");
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    let mut raw = Duration::ZERO;
    let mut peered = Duration::ZERO;
    group.bench_function("raw_veth", |b| {
        b.iter_custom(|iterations| {
            raw = ping(RAW_A, Ipv4Addr::new(10, 255, 0, 2), iterations.max(200));
            raw * iterations as u32
        })
    });
    group.bench_function("peered_instances", |b| {
        b.iter_custom(|iterations| {
            peered = ping(&peer, ends.b.1, iterations.max(200));
            peered * iterations as u32
        })
    });
    group.finish();
    eprintln!(
        "ping_rtt: last run raw {raw:?}, peered {peered:?}: {:.2}x",
        peered.as_secs_f64() / raw.as_secs_f64().max(1e-9)
    );
    run(&["ip", "netns", "delete", RAW_A]);
    run(&["ip", "netns", "delete", RAW_B]);
    teardown(&runtime, &mut realizer);
}

criterion_group!(kernel, benches);
criterion_main!(kernel);
