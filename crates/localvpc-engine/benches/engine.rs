//! Engine benchmarks (issue 4): one probe, topology compilation after a mutation, and the all-pairs ICMP matrix
//! over a full peering mesh — 126 VPCs × 80 instances (10,080 instances, 7,875 peering connections: AWS's per-VPC
//! quota of 125 active peerings, fully used).
//!
//! The generator builds the world through the model's own rules, as the API would.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use localvpc_engine::reachability::matrix;
use localvpc_engine::{trace, Mode, Probe, Protocol, Topology, Vantage};
use localvpc_model::instance::{run_instances, RunInstances};
use localvpc_model::route_table::{create_route, RouteRequest};
use localvpc_model::security_group::{RulePeer, SecurityGroup, SecurityGroupRule};
use localvpc_model::subnet::{create_subnet, CreateSubnet};
use localvpc_model::vpc::{create_vpc, CreateVpc};
use localvpc_model::vpc_peering::{accept, create, CreatePeering};
use localvpc_model::{Scope, Timestamp, Tx, World};

/// A full mesh: `vpcs` VPCs 10.n.0.0/16 (n < 256), each with one /24 of `instances` instances in the default
/// group (which also gets an ICMP rule from 10.0.0.0/8), a peering between every pair, and routes both ways.
fn mesh(vpcs: usize, instances: i64) -> World {
    let scope = Scope::new("111111111111", "us-east-1");
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(1_767_225_600_000));
    let mut ids = Vec::new();
    let mut tables = Vec::new();
    for n in 0..vpcs {
        let vpc = create_vpc(&mut tx, &scope, CreateVpc { cidr_block: format!("10.{n}.0.0/16"), ..Default::default() })
            .expect("vpc");
        let subnet = create_subnet(
            &mut tx,
            &scope,
            CreateSubnet { vpc_id: vpc.id.clone(), cidr_block: format!("10.{n}.1.0/24"), ..Default::default() },
        )
        .expect("subnet");
        let request = RunInstances {
            image_id: "ami-12345678".into(),
            min_count: instances,
            max_count: instances,
            subnet_id: Some(subnet.id.clone()),
            ..Default::default()
        };
        run_instances(&mut tx, &scope, request).expect("instances");
        let group = tx.region(&scope).security_groups.values().find(|g| g.vpc_id == vpc.id).unwrap().id.clone();
        let rule_id = tx.next_id(localvpc_model::ids::IdKind::SecurityGroupRule);
        tx.update::<SecurityGroup>(&scope, &group, |group| {
            group.ingress.push(SecurityGroupRule {
                id: rule_id,
                protocol: "icmp".into(),
                from_port: Some(-1),
                to_port: Some(-1),
                peer: RulePeer::Cidr("10.0.0.0/8".parse().unwrap()),
                description: None,
                tags: Default::default(),
            })
        });
        let table =
            tx.region(&scope).route_tables.values().find(|t| t.vpc_id == vpc.id && t.is_main()).unwrap().id.clone();
        ids.push(vpc.id.clone());
        tables.push(table);
    }
    for a in 0..vpcs {
        for b in a + 1..vpcs {
            let request = CreatePeering { vpc_id: ids[a].clone(), peer_vpc_id: ids[b].clone(), ..Default::default() };
            let pcx = create(&mut tx, &scope, request).expect("peering").0.id;
            accept(&mut tx, &scope, &pcx).expect("accept");
            for (from, to) in [(a, b), (b, a)] {
                let route = RouteRequest {
                    route_table_id: tables[from].clone(),
                    destination: format!("10.{to}.0.0/16"),
                    vpc_peering_connection_id: Some(pcx.clone()),
                    ..Default::default()
                };
                create_route(&mut tx, &scope, &route).expect("route");
            }
        }
    }
    tx.finish();
    world
}

fn benches(c: &mut Criterion) {
    let small = mesh(10, 20);
    let topology = Topology::compile(&small, 1);
    let from = Vantage::Eni(0);
    let destination = topology.enis[topology.enis.len() - 1].private_ip;
    c.bench_function("probe/icmp_across_peering (10 VPCs x 20)", |b| {
        b.iter(|| trace(&topology, black_box(&Probe { from, destination, protocol: Protocol::Icmp }), Mode::FirstDrop))
    });

    let full = mesh(126, 80);
    let mut group = c.benchmark_group("mesh_126x80");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.bench_function("topology_compile", |b| b.iter(|| Topology::compile(black_box(&full), 2)));
    let topology = Topology::compile(&full, 1);
    eprintln!(
        "mesh: {} instances, {} peering connections, {} VPCs",
        topology.enis.len(),
        topology.peerings.len(),
        topology.vpcs.len()
    );
    let destination = topology.enis[topology.enis.len() - 1].private_ip;
    group.bench_function("probe/icmp_across_peering", |b| {
        b.iter(|| trace(&topology, black_box(&Probe { from, destination, protocol: Protocol::Icmp }), Mode::FirstDrop))
    });
    group.bench_function("all_pairs_icmp_matrix", |b| {
        b.iter(|| {
            let result = matrix(black_box(&topology), None);
            assert_eq!(result.count(), 10_080 * 10_079, "a full mesh reaches everything");
            result
        })
    });
    group.finish();
}

criterion_group!(engine, benches);
criterion_main!(engine);
