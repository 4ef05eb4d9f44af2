//! The full peering mesh the reachability benchmarks share (the engine's, and the JSON API's through
//! `#[path]`): `vpcs` VPCs 10.n.0.0/16 (n < 256), each with one /24 of `instances` instances in the default group
//! (which also gets an ICMP rule from 10.0.0.0/8), a peering between every pair, and routes both ways. Built
//! through the model's own rules, as the API would.

use localvpc_model::instance::{run_instances, RunInstances};
use localvpc_model::route_table::{create_route, RouteRequest};
use localvpc_model::security_group::{RulePeer, SecurityGroup, SecurityGroupRule};
use localvpc_model::subnet::{create_subnet, CreateSubnet};
use localvpc_model::vpc::{create_vpc, CreateVpc};
use localvpc_model::vpc_peering::{accept, create, CreatePeering};
use localvpc_model::{Scope, Tx};

/// The account the mesh belongs to (a 12-digit access key names it), in us-east-1.
pub const ACCOUNT: &str = "111111111111";

/// Builds the mesh in `tx`, in [`ACCOUNT`]'s us-east-1.
pub fn build(tx: &mut Tx, vpcs: usize, instances: i64) {
    let scope = Scope::new(ACCOUNT, "us-east-1");
    let mut ids = Vec::new();
    let mut tables = Vec::new();
    for n in 0..vpcs {
        let vpc = create_vpc(tx, &scope, CreateVpc { cidr_block: format!("10.{n}.0.0/16"), ..Default::default() })
            .expect("vpc");
        let subnet = create_subnet(
            tx,
            &scope,
            CreateSubnet { vpc_id: vpc.id.clone(), cidr_block: Some(format!("10.{n}.1.0/24")), ..Default::default() },
        )
        .expect("subnet");
        let request = RunInstances {
            image_id: "ami-12345678".into(),
            min_count: instances,
            max_count: instances,
            subnet_id: Some(subnet.id.clone()),
            ..Default::default()
        };
        run_instances(tx, &scope, request).expect("instances");
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
            let pcx = create(tx, &scope, request).expect("peering").0.id;
            accept(tx, &scope, &pcx).expect("accept");
            for (from, to) in [(a, b), (b, a)] {
                let route = RouteRequest {
                    route_table_id: tables[from].clone(),
                    destination: format!("10.{to}.0.0/16"),
                    vpc_peering_connection_id: Some(pcx.clone()),
                    ..Default::default()
                };
                create_route(tx, &scope, &route).expect("route");
            }
        }
    }
}
