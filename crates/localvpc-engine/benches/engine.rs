//! Engine benchmarks (issue 4): one probe, topology compilation after a mutation, and the all-pairs ICMP matrix
//! over a full peering mesh — 126 VPCs × 80 instances (10,080 instances, 7,875 peering connections: AWS's per-VPC
//! quota of 125 active peerings, fully used).
//!
//! The generator (`common/mesh.rs`) builds the world through the model's own rules, as the API would. The matrix group
//! times every form of the reachability answer: the groups (the default), the summary and pair lists derived from
//! them, and the expanded matrix.

// Not `benches/mesh.rs`: cargo would take a file there for a benchmark of its own.
#[path = "common/mesh.rs"]
mod mesh;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use localvpc_engine::reachability::{groups, matrix, pairs, summary};
use localvpc_engine::{trace, Mode, Probe, Protocol, Topology, Vantage};
use localvpc_model::{Timestamp, Tx, World};

/// The mesh of `vpcs` VPCs of `instances` instances each (see `common/mesh.rs`).
fn mesh(vpcs: usize, instances: i64) -> World {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(1_767_225_600_000));
    mesh::build(&mut tx, vpcs, instances);
    tx.finish();
    world
}

/// Adds NAT egress to VPC 0 of a mesh, through the model's own rules.
fn with_nat_egress(mut world: World) -> World {
    use localvpc_model::route_table::{self, AssociationTarget, RouteRequest};
    use localvpc_model::{address, internet_gateway, nat_gateway, subnet, Scope};
    let mut tx = Tx::new(&mut world, Timestamp(1_767_225_600_000));
    let scope = Scope::new(mesh::ACCOUNT, "us-east-1");
    let vpc =
        tx.region(&scope).vpcs.values().find(|vpc| vpc.cidr_block.to_string() == "10.0.0.0/16").unwrap().id.clone();
    let request =
        subnet::CreateSubnet { vpc_id: vpc.clone(), cidr_block: Some("10.0.0.0/24".into()), ..Default::default() };
    let public = subnet::create_subnet(&mut tx, &scope, request).expect("subnet").id.clone();
    let igw = internet_gateway::create(&mut tx, &scope, Vec::new()).expect("igw").id.clone();
    internet_gateway::attach(&mut tx, &scope, &igw, &vpc).expect("attach");
    let table = route_table::create(&mut tx, &scope, &vpc, Vec::new()).expect("table").id.clone();
    route_table::associate(&mut tx, &scope, &table, AssociationTarget::Subnet(public.clone())).expect("associate");
    let to_igw = RouteRequest {
        route_table_id: table,
        destination: "0.0.0.0/0".into(),
        gateway_id: Some(igw),
        ..Default::default()
    };
    route_table::create_route(&mut tx, &scope, &to_igw).expect("route");
    let eip = address::allocate(&mut tx, &scope, Vec::new()).expect("eip").allocation_id.clone();
    let request = nat_gateway::CreateNatGateway { subnet_id: public, allocation_id: Some(eip), ..Default::default() };
    let nat = nat_gateway::create(&mut tx, &scope, request).expect("nat").id.clone();
    let main = tx.region(&scope).route_tables.values().find(|t| t.vpc_id == vpc && t.is_main()).unwrap().id.clone();
    let to_nat = RouteRequest {
        route_table_id: main,
        destination: "0.0.0.0/0".into(),
        nat_gateway_id: Some(nat),
        ..Default::default()
    };
    route_table::create_route(&mut tx, &scope, &to_nat).expect("route");
    tx.finish();
    world
}

/// Attaches VPC 0 and VPC 9 of a 10-VPC mesh to one transit gateway (AWS's defaults: the default table, associated
/// and propagated) and sends each one's instance subnet (10.n.1.0/24) to the gateway from the other's main table —
/// more specific than the peering's /16, so the gateway carries that pair both ways.
fn with_transit_pair(mut world: World) -> World {
    use localvpc_model::route_table::{self, RouteRequest};
    use localvpc_model::transit_gateway::{self, vpc_attachment};
    use localvpc_model::Scope;
    let mut tx = Tx::new(&mut world, Timestamp(1_767_225_600_000));
    let scope = Scope::new(mesh::ACCOUNT, "us-east-1");
    let gateway =
        transit_gateway::create(&mut tx, &scope, None, Default::default(), Vec::new()).expect("tgw").id.clone();
    let ends: Vec<(String, String, String)> = [0, 9]
        .iter()
        .map(|n| {
            let region = tx.region(&scope);
            let vpc = region.vpcs.values().find(|vpc| vpc.cidr_block.to_string() == format!("10.{n}.0.0/16")).unwrap();
            let subnet = region.subnets.values().find(|subnet| subnet.vpc_id == vpc.id).unwrap().id.clone();
            let main = region.route_tables.values().find(|t| t.vpc_id == vpc.id && t.is_main()).unwrap().id.clone();
            (vpc.id.clone(), subnet, main)
        })
        .collect();
    for (vpc, subnet, _) in &ends {
        let request = vpc_attachment::CreateVpcAttachment {
            transit_gateway_id: gateway.clone(),
            vpc_id: vpc.clone(),
            subnet_ids: vec![subnet.clone()],
            ..Default::default()
        };
        vpc_attachment::create(&mut tx, &scope, request).expect("attachment");
    }
    for (from, to) in [(0, 9), (9, 0)] {
        let route = RouteRequest {
            route_table_id: ends[if from == 0 { 0 } else { 1 }].2.clone(),
            destination: format!("10.{to}.1.0/24"),
            transit_gateway_id: Some(gateway.clone()),
            ..Default::default()
        };
        route_table::create_route(&mut tx, &scope, &route).expect("route");
    }
    tx.finish();
    world
}

/// Gives VPC 0 and VPC 9 of a 10-VPC mesh IPv6 /56s (part 2 §16.1), their subnets a /64 each and one new
/// dual-stack instance each (t3.micro: the mesh's default type takes no IPv6), admits ICMPv6 into VPC 9's group and
/// routes each one's IPv6 block over their peering: one ping6 across it. Returns the world and the two instances.
fn with_ipv6_pair(mut world: World) -> (World, [String; 2]) {
    use localvpc_model::instance::{run_instances, RunInstances};
    use localvpc_model::network_interface::AssignIpv6Addresses;
    use localvpc_model::route_table::{self, RouteRequest};
    use localvpc_model::security_group::{RulePeer, SecurityGroup, SecurityGroupRule};
    use localvpc_model::{subnet, vpc, Scope};
    let mut tx = Tx::new(&mut world, Timestamp(1_767_225_600_000));
    let scope = Scope::new(mesh::ACCOUNT, "us-east-1");
    let mut ends = Vec::new();
    for n in [0, 9] {
        let region = tx.region(&scope);
        let vpc = region.vpcs.values().find(|vpc| vpc.cidr_block.to_string() == format!("10.{n}.0.0/16")).unwrap();
        let (vpc_id, subnet_id) =
            (vpc.id.clone(), region.subnets.values().find(|subnet| subnet.vpc_id == vpc.id).unwrap().id.clone());
        let block = vpc::associate_ipv6_cidr_block(&mut tx, &scope, &vpc_id, None).expect("ipv6 block").ipv6_cidr_block;
        let subnet_block = format!("{}/64", block.network());
        subnet::associate_cidr_block(&mut tx, &scope, &subnet_id, &subnet_block).expect("subnet block");
        let request = RunInstances {
            image_id: "ami-12345678".into(),
            min_count: 1,
            max_count: 1,
            subnet_id: Some(subnet_id),
            instance_type: Some("t3.micro".into()),
            ipv6: AssignIpv6Addresses { count: Some(1), addresses: Vec::new() },
            ..Default::default()
        };
        let instance = run_instances(&mut tx, &scope, request).expect("instance").instances[0].id.clone();
        let region = tx.region(&scope);
        let main = region.route_tables.values().find(|t| t.vpc_id == vpc_id && t.is_main()).unwrap().id.clone();
        let group = region.security_groups.values().find(|g| g.vpc_id == vpc_id).unwrap().id.clone();
        ends.push((vpc_id, block, main, group, instance));
    }
    let pcx = tx
        .world()
        .peerings()
        .values()
        .find(|pcx| {
            let sides = [pcx.requester.vpc_id.as_str(), pcx.accepter.vpc_id.as_str()];
            sides.contains(&ends[0].0.as_str()) && sides.contains(&ends[1].0.as_str())
        })
        .unwrap()
        .id
        .clone();
    for (from, to) in [(0, 1), (1, 0)] {
        let route = RouteRequest {
            route_table_id: ends[from].2.clone(),
            destination_ipv6: Some(ends[to].1.to_string()),
            vpc_peering_connection_id: Some(pcx.clone()),
            ..Default::default()
        };
        route_table::create_route(&mut tx, &scope, &route).expect("route");
    }
    let rule_id = tx.next_id(localvpc_model::ids::IdKind::SecurityGroupRule);
    tx.update::<SecurityGroup>(&scope, &ends[1].3, |group| {
        group.ingress.push(SecurityGroupRule {
            id: rule_id,
            protocol: "58".into(),
            from_port: Some(-1),
            to_port: Some(-1),
            peer: RulePeer::Ipv6Cidr("::/0".parse().unwrap()),
            description: None,
            tags: Default::default(),
        })
    });
    tx.finish();
    let instances = [ends[0].4.clone(), ends[1].4.clone()];
    (world, instances)
}

/// The first instance interface of the VPC whose primary block is `cidr`.
fn instance_in(topology: &Topology, cidr: &str) -> usize {
    (0..topology.enis.len())
        .find(|&eni| {
            let node = &topology.enis[eni];
            node.instance_id.is_some() && topology.vpcs[node.vpc].primary_cidr.to_string() == cidr
        })
        .expect("an instance in the VPC")
}

fn benches(c: &mut Criterion) {
    let small = mesh(10, 20);
    let topology = Topology::compile(&small, 1);
    let from = Vantage::Eni(0);
    let destination =
        std::net::IpAddr::V4(topology.enis[topology.enis.len() - 1].private_ip.expect("an IPv4 interface"));
    c.bench_function("probe/icmp_across_peering (10 VPCs x 20)", |b| {
        b.iter(|| trace(&topology, black_box(&Probe { from, destination, protocol: Protocol::Icmp }), Mode::FirstDrop))
    });

    // The same small mesh with VPC 0 given a public subnet, an internet gateway and a NAT gateway that its instances'
    // main table sends 0.0.0.0/0 to: one probe out through the NAT gateway and back.
    // The same mesh with VPC 0 and VPC 9 also attached to a transit gateway that carries their instance subnets:
    // one probe out through the gateway's attachment, its table and the other attachment, and back.
    let transit = with_transit_pair(small.clone());
    let topology = Topology::compile(&transit, 1);
    let (from_0, to_9) = (Vantage::Eni(instance_in(&topology, "10.0.0.0/16")), instance_in(&topology, "10.9.0.0/16"));
    let destination_9 = std::net::IpAddr::V4(topology.enis[to_9].private_ip.expect("an IPv4 interface"));
    c.bench_function("probe/icmp_across_transit_gateway (10 VPCs x 20)", |b| {
        b.iter(|| {
            let probe = Probe { from: from_0, destination: destination_9, protocol: Protocol::Icmp };
            let trace = trace(&topology, black_box(&probe), Mode::FirstDrop);
            assert_eq!(trace.verdict, localvpc_engine::Verdict::Reachable);
            trace
        })
    });

    // The same mesh with VPC 0 and VPC 9 dual-stack and their IPv6 blocks routed over their peering: one ping6.
    let (dual, [from_6, to_6]) = with_ipv6_pair(small.clone());
    let topology = Topology::compile(&dual, 1);
    let (from_6, to_6) = (topology.instance_eni(&from_6).unwrap(), topology.instance_eni(&to_6).unwrap());
    let destination_6 = std::net::IpAddr::V6(topology.enis[to_6].ipv6_addresses[0]);
    c.bench_function("probe/icmp6_across_peering (10 VPCs x 20)", |b| {
        b.iter(|| {
            let probe = Probe { from: Vantage::Eni(from_6), destination: destination_6, protocol: Protocol::Icmp };
            let trace = trace(&topology, black_box(&probe), Mode::FirstDrop);
            assert_eq!(trace.verdict, localvpc_engine::Verdict::Reachable);
            trace
        })
    });

    let egress = with_nat_egress(small);
    let topology = Topology::compile(&egress, 1);
    let destination = "8.8.8.8".parse().unwrap();
    // An instance of VPC 0 (interfaces are ordered by ID, not by VPC).
    let private = instance_in(&topology, "10.0.0.0/16");
    let from_private = Vantage::Eni(private);
    c.bench_function("probe/icmp_private_to_internet_via_nat (10 VPCs x 20)", |b| {
        b.iter(|| {
            let probe = Probe { from: from_private, destination, protocol: Protocol::Icmp };
            let trace = trace(&topology, black_box(&probe), Mode::FirstDrop);
            assert_eq!(trace.verdict, localvpc_engine::Verdict::Reachable);
            trace
        })
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
    let destination =
        std::net::IpAddr::V4(topology.enis[topology.enis.len() - 1].private_ip.expect("an IPv4 interface"));
    group.bench_function("probe/icmp_across_peering", |b| {
        b.iter(|| trace(&topology, black_box(&Probe { from, destination, protocol: Protocol::Icmp }), Mode::FirstDrop))
    });
    // The default answer of `localvpc reachability`: 10,080 instances in one group that reaches itself.
    group.bench_function("all_pairs_icmp_groups", |b| {
        b.iter(|| {
            let result = groups(black_box(&topology), None);
            assert_eq!((result.len(), result.reachable_pairs()), (1, 10_080 * 10_079), "one group reaching itself");
            result
        })
    });
    let grouped = groups(&topology, None);
    group.bench_function("summary_from_groups", |b| {
        b.iter(|| {
            let rows = summary(black_box(&topology), black_box(&grouped));
            assert_eq!(rows.len(), 126 * 126);
            rows
        })
    });
    group.bench_function("first_100_reachable_pairs_from_groups", |b| b.iter(|| pairs(black_box(&grouped), true, 100)));
    group.bench_function("no_unreachable_pair_from_groups", |b| {
        b.iter(|| {
            let listed = pairs(black_box(&grouped), false, 100);
            assert_eq!(listed.total, 0);
            listed
        })
    });
    // The expanded form (`--full`): the groups, then one bit per ordered pair.
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
