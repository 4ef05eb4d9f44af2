//! The world the kernel benchmarks realise, built through the model's own rules as the API would: 20 VPCs
//! 10.n.0.0/16, each with two /24 subnets of 5 instances (200 in all), an internet gateway with a default route and
//! an Elastic IP on the first instance, a custom network ACL on the second subnet (numbered allow rules and one
//! deny), security-group rules by CIDR and by group reference, and a ring of active peerings (VPC n with n + 1)
//! with routes both ways.

use std::net::Ipv4Addr;

use localvpc_model::instance::{run_instances, RunInstances};
use localvpc_model::network_acl::{self, EntryRequest};
use localvpc_model::route_table::{create_route, RouteRequest};
use localvpc_model::security_group::permission::{Described, GroupPair, PermissionRequest};
use localvpc_model::security_group::rules::{authorize, RuleChange};
use localvpc_model::security_group::{Direction, GroupRef};
use localvpc_model::subnet::{create_subnet, CreateSubnet};
use localvpc_model::vpc::{create_vpc, CreateVpc};
use localvpc_model::{address, internet_gateway, vpc_peering, Scope, Timestamp, Tx, World};

/// The number of VPCs and instances per subnet (two subnets per VPC).
pub const VPCS: usize = 20;
const PER_SUBNET: i64 = 5;

/// The account and region the world lives in.
pub fn scope() -> Scope {
    Scope::new("111111111111", "us-east-1")
}

/// Runs one transaction on `world`.
pub fn tx<R>(world: &mut World, change: impl FnOnce(&mut Tx, &Scope) -> localvpc_model::Result<R>) -> R {
    let scope = scope();
    let mut tx = Tx::new(world, Timestamp(1_767_225_600_000));
    let result = change(&mut tx, &scope).expect("benchmark world steps are valid");
    tx.finish();
    result
}

/// The first instance of the first and the second VPC (peered), with their private addresses.
pub struct Ends {
    /// The default security group of VPC 1, the one the rule-change benchmark authorizes a rule in.
    pub group: String,
    /// Instance 0 of VPC 0 and its address.
    pub a: (String, Ipv4Addr),
    /// Instance 0 of VPC 1 and its address.
    pub b: (String, Ipv4Addr),
}

/// Builds the world.
pub fn build() -> (World, Ends) {
    let mut world = World::default();
    let mut vpcs = Vec::new();
    let mut tables = Vec::new();
    let mut groups = Vec::new();
    let mut firsts = Vec::new();
    for n in 0..VPCS {
        let vpc = tx(&mut world, |tx, scope| {
            create_vpc(tx, scope, CreateVpc { cidr_block: format!("10.{n}.0.0/16"), ..Default::default() })
        })
        .id
        .clone();
        let mut subnets = Vec::new();
        for s in 1..=2 {
            let request = CreateSubnet {
                vpc_id: vpc.clone(),
                cidr_block: Some(format!("10.{n}.{s}.0/24")),
                ..Default::default()
            };
            let subnet = tx(&mut world, |tx, scope| create_subnet(tx, scope, request)).id.clone();
            let request = RunInstances {
                image_id: "ami-12345678".into(),
                min_count: PER_SUBNET,
                max_count: PER_SUBNET,
                subnet_id: Some(subnet.clone()),
                ..Default::default()
            };
            let launched = tx(&mut world, |tx, scope| run_instances(tx, scope, request));
            if s == 1 {
                let first = &launched.instances[0];
                let eni = first.network_interface_id.clone().unwrap();
                let address =
                    world.region(&scope()).network_interfaces[eni.as_str()].private_ip.expect("an IPv4 interface");
                firsts.push((first.id.clone(), address));
            }
            subnets.push(subnet);
        }
        let region = world.region(&scope());
        let group = region.security_groups.values().find(|g| g.vpc_id == vpc).unwrap().id.clone();
        let table = region.route_tables.values().find(|t| t.vpc_id == vpc && t.is_main()).unwrap().id.clone();
        // Rules: ICMP from the 10/8 blocks, TCP/22 from members of the same group.
        let permissions = vec![
            PermissionRequest {
                protocol: Some("icmp".into()),
                from_port: Some(-1),
                to_port: Some(-1),
                ip_ranges: vec![Described { value: "10.0.0.0/8".into(), description: None }],
                ..Default::default()
            },
            PermissionRequest {
                protocol: Some("tcp".into()),
                from_port: Some(22),
                to_port: Some(22),
                groups: vec![GroupPair { group_id: Some(group.clone()), ..Default::default() }],
                ..Default::default()
            },
        ];
        let change = RuleChange {
            group: GroupRef::Id(group.clone()),
            direction: Direction::Ingress,
            permissions,
            tags: Vec::new(),
            rule_ids: Vec::new(),
        };
        tx(&mut world, |tx, scope| authorize(tx, scope, change));
        // A custom network ACL on the second subnet.
        let acl_vpc = vpc.clone();
        let second = subnets[1].clone();
        tx(&mut world, move |tx, scope| {
            let acl = network_acl::create(tx, scope, &acl_vpc, Vec::new())?;
            for (number, action, egress, cidr) in [
                (100, "allow", false, "10.0.0.0/8"),
                (110, "deny", false, "0.0.0.0/0"),
                (100, "allow", true, "0.0.0.0/0"),
            ] {
                let entry = EntryRequest {
                    network_acl_id: acl.id.clone(),
                    rule_number: number,
                    protocol: "-1".into(),
                    rule_action: action.into(),
                    egress,
                    cidr_block: Some(cidr.into()),
                    ..Default::default()
                };
                network_acl::create_entry(tx, scope, &entry)?;
            }
            let association = tx
                .region(scope)
                .network_acls
                .values()
                .flat_map(|acl| acl.associations.iter())
                .find(|association| association.subnet_id == second)
                .unwrap()
                .id
                .clone();
            network_acl::replace_association(tx, scope, &association, &acl.id)
        });
        // An internet gateway, a default route to it and an Elastic IP on the first instance.
        let (igw_vpc, instance) = (vpc.clone(), firsts[n].0.clone());
        let igw = tx(&mut world, move |tx, scope| {
            let igw = internet_gateway::create(tx, scope, Vec::new())?;
            internet_gateway::attach(tx, scope, &igw.id, &igw_vpc)?;
            let allocated = address::allocate(tx, scope, Vec::new())?;
            let request = address::AssociateAddress {
                address: address::AddressRef::Allocation(allocated.allocation_id.clone()),
                instance_id: Some(instance),
                network_interface_id: None,
                private_ip_address: None,
                allow_reassociation: None,
            };
            address::associate(tx, scope, &request)?;
            Ok(igw.id.clone())
        });
        let route = RouteRequest {
            route_table_id: table.clone(),
            destination: "0.0.0.0/0".into(),
            gateway_id: Some(igw),
            ..Default::default()
        };
        tx(&mut world, |tx, scope| create_route(tx, scope, &route));
        vpcs.push(vpc);
        tables.push(table);
        groups.push(group);
    }
    for a in 0..VPCS {
        let b = (a + 1) % VPCS;
        let request =
            vpc_peering::CreatePeering { vpc_id: vpcs[a].clone(), peer_vpc_id: vpcs[b].clone(), ..Default::default() };
        let pcx = tx(&mut world, |tx, scope| {
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
            tx(&mut world, |tx, scope| create_route(tx, scope, &route));
        }
    }
    let ends = Ends { group: groups[1].clone(), a: firsts[0].clone(), b: firsts[1].clone() };
    (world, ends)
}
