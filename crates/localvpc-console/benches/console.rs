//! Benchmarks of the console's page rendering, called directly (no HTTP, no session lookup): the functions the
//! handlers call once they know the scope ([`localvpc_console::bench`]).
//!
//! Two scopes of one world, built through the model's rule functions as the API would: a "large" account with
//! 100 VPCs of 10 instances (1,000 instances, two subnets in two zones per VPC, a gateway on every fifth, a ring of
//! active peerings routed both ways), and a "map" account with 20 VPCs of 20 instances (the map's design size).
//! Targets: every list page ≤ 5 ms, the map ≤ 50 ms. Run with
//! `cargo bench -p localvpc-console --bench console`.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use localvpc_engine::Topology;
use localvpc_model::instance::{run_instances, RunInstances};
use localvpc_model::route_table::{create_route, RouteRequest};
use localvpc_model::subnet::{create_subnet, CreateSubnet};
use localvpc_model::vpc::{create_vpc, CreateVpc};
use localvpc_model::{internet_gateway, vpc_peering, Scope, Tag, Timestamp, Tx, World};

const NOW: Timestamp = Timestamp(1_767_225_600_000);

fn large() -> Scope {
    Scope::new("111111111111", "us-east-1")
}

fn small() -> Scope {
    Scope::new("222222222222", "us-east-1")
}

fn tx<R>(world: &mut World, scope: &Scope, change: impl FnOnce(&mut Tx, &Scope) -> localvpc_model::Result<R>) -> R {
    let mut tx = Tx::new(world, NOW);
    let result = change(&mut tx, scope).expect("benchmark world steps are valid");
    tx.finish();
    result
}

fn name(value: String) -> Vec<Tag> {
    vec![Tag { key: "Name".into(), value }]
}

/// `vpcs` VPCs 10.n.0.0/16 of `per_vpc` instances in `scope`: two subnets in two zones each, a gateway on every
/// fifth VPC, and a ring of active peerings (n with n + 1) with routes both ways.
fn build(world: &mut World, scope: &Scope, vpcs: usize, per_vpc: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(vpcs);
    let mut tables = Vec::with_capacity(vpcs);
    for n in 0..vpcs {
        let request =
            CreateVpc { cidr_block: format!("10.{n}.0.0/16"), tags: name(format!("vpc-{n}")), ..Default::default() };
        let vpc = tx(world, scope, |tx, scope| create_vpc(tx, scope, request)).id.clone();
        for (s, zone) in ["us-east-1a", "us-east-1b"].iter().enumerate() {
            let request = CreateSubnet {
                vpc_id: vpc.clone(),
                cidr_block: Some(format!("10.{n}.{s}.0/24")),
                availability_zone: Some(zone.to_string()),
                tags: name(format!("subnet-{n}-{s}")),
                ..Default::default()
            };
            let subnet = tx(world, scope, |tx, scope| create_subnet(tx, scope, request)).id.clone();
            let count = (per_vpc / 2 + (per_vpc % 2) * (1 - s)) as i64;
            let request = RunInstances {
                image_id: "ami-12345678".into(),
                min_count: count,
                max_count: count,
                subnet_id: Some(subnet),
                instance_tags: name(format!("app-{n}-{s}")),
                ..Default::default()
            };
            tx(world, scope, |tx, scope| run_instances(tx, scope, request));
        }
        if n % 5 == 0 {
            let igw = tx(world, scope, |tx, scope| internet_gateway::create(tx, scope, Vec::new())).id.clone();
            tx(world, scope, |tx, scope| internet_gateway::attach(tx, scope, &igw, &vpc));
        }
        let table = world.region(scope).route_tables.values().find(|t| t.vpc_id == vpc).expect("main table").id.clone();
        ids.push(vpc);
        tables.push(table);
    }
    for a in 0..vpcs.saturating_sub(1) {
        let b = a + 1;
        let request =
            vpc_peering::CreatePeering { vpc_id: ids[a].clone(), peer_vpc_id: ids[b].clone(), ..Default::default() };
        let pcx = tx(world, scope, |tx, scope| {
            let pcx = vpc_peering::create(tx, scope, request)?.0.id;
            vpc_peering::accept(tx, scope, &pcx)?;
            Ok(pcx)
        });
        for (from, to) in [(a, b), (b, a)] {
            let route = RouteRequest {
                route_table_id: tables[from].clone(),
                destination: format!("10.{to}.0.0/16"),
                vpc_peering_connection_id: Some(pcx.clone()),
                ..Default::default()
            };
            tx(world, scope, |tx, scope| create_route(tx, scope, &route));
        }
    }
    ids
}

struct Fixture {
    world: Arc<World>,
    topology: Topology,
    /// The large scope's first VPC.
    first_vpc: String,
}

fn fixture() -> Fixture {
    let mut world = World::default();
    let first_vpc = build(&mut world, &large(), 100, 10).swap_remove(0);
    build(&mut world, &small(), 20, 20);
    let topology = Topology::compile(&world, 1);
    Fixture { world: Arc::new(world), topology, first_vpc }
}

/// The Instances list of the large scope: 1,000 rows.
fn instances_list(group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>, f: &Fixture) {
    use localvpc_console::bench;
    group.bench_function("instances_list_1000", |b| b.iter(|| black_box(bench::instance_list(&f.world, &large()))));
}

fn benches(c: &mut Criterion) {
    use localvpc_console::bench;
    let f = fixture();
    let mut group = c.benchmark_group("console");
    group.bench_function("vpc_list_100", |b| b.iter(|| black_box(bench::vpc_list(&f.world, &large()))));
    group.bench_function("dashboard_1000", |b| b.iter(|| black_box(bench::dashboard(&f.world, &large()))));
    instances_list(&mut group, &f);
    group.bench_function("map_20x20", |b| b.iter(|| black_box(bench::map(&f.world, &small()))));
    group.bench_function("map_100x10", |b| b.iter(|| black_box(bench::map(&f.world, &large()))));
    group.bench_function("reachability_vpc_10", |b| {
        b.iter(|| black_box(bench::reachability(&f.world, &f.topology, &large(), Some(&f.first_vpc))))
    });
    group.bench_function("reachability_region_400", |b| {
        b.iter(|| black_box(bench::reachability(&f.world, &f.topology, &small(), None)))
    });
    group.finish();
}

criterion_group!(console, benches);
criterion_main!(console);
