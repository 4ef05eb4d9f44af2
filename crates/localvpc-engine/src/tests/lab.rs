//! A small builder of worlds for engine tests: it drives the real model rules (the same ones the API calls), so
//! every test topology is one a user could build with the aws CLI.

use std::net::Ipv4Addr;

use localvpc_model::address::{self, AddressRef, AssociateAddress};
use localvpc_model::instance::{self, RunInstances};
use localvpc_model::route_table::{self, RouteRequest};
use localvpc_model::security_group::{self, CreateSecurityGroup, RulePeer, SecurityGroup, SecurityGroupRule};
use localvpc_model::subnet::{self, CreateSubnet};
use localvpc_model::tags::Tag;
use localvpc_model::vpc::{self, CreateVpc, VpcAttribute};
use localvpc_model::vpc_peering::{self, CreatePeering, SideOptions};
use localvpc_model::{internet_gateway, nat_gateway, network_acl, Scope, Timestamp, Tx, World};

use crate::packet::{Probe, Protocol, Trace, Vantage};
use crate::topology::Topology;
use crate::walk::{trace, Mode};

/// A world under construction in one scope (more scopes through [`Lab::in_scope`]).
pub struct Lab {
    pub world: World,
    pub scope: Scope,
}

impl Lab {
    pub fn new() -> Lab {
        Lab { world: World::default(), scope: Scope::new("111111111111", "us-east-1") }
    }

    /// Runs `change` in the current scope and keeps its result (panics on a model error: fixtures are valid).
    pub fn tx<R>(&mut self, change: impl FnOnce(&mut Tx, &Scope) -> localvpc_model::Result<R>) -> R {
        let scope = self.scope.clone();
        let mut tx = Tx::new(&mut self.world, Timestamp(1_767_225_600_000));
        let result = change(&mut tx, &scope).expect("fixture steps are valid");
        tx.finish();
        result
    }

    /// Switches the scope later calls use.
    pub fn in_scope(&mut self, account: &str, region: &str) -> &mut Lab {
        self.scope = Scope::new(account, region);
        self
    }

    pub fn vpc(&mut self, cidr: &str) -> String {
        let request = CreateVpc { cidr_block: cidr.into(), ..CreateVpc::default() };
        self.tx(|tx, scope| vpc::create_vpc(tx, scope, request)).id.clone()
    }

    pub fn dns_hostnames(&mut self, vpc_id: &str, on: bool) {
        let id = vpc_id.to_string();
        self.tx(|tx, scope| vpc::modify_vpc_attribute(tx, scope, &id, VpcAttribute::EnableDnsHostnames, on));
    }

    pub fn dns_support(&mut self, vpc_id: &str, on: bool) {
        let id = vpc_id.to_string();
        self.tx(|tx, scope| vpc::modify_vpc_attribute(tx, scope, &id, VpcAttribute::EnableDnsSupport, on));
    }

    pub fn subnet(&mut self, vpc_id: &str, cidr: &str) -> String {
        let request = CreateSubnet { vpc_id: vpc_id.into(), cidr_block: Some(cidr.into()), ..CreateSubnet::default() };
        self.tx(|tx, scope| subnet::create_subnet(tx, scope, request)).id.clone()
    }

    /// An instance in `subnet_id` with `private_ip`, in the VPC's default group.
    pub fn instance(&mut self, subnet_id: &str, private_ip: &str) -> String {
        self.instance_tagged(subnet_id, private_ip, Vec::new())
    }

    pub fn instance_tagged(&mut self, subnet_id: &str, private_ip: &str, tags: Vec<Tag>) -> String {
        let request = RunInstances {
            image_id: "ami-12345678".into(),
            min_count: 1,
            max_count: 1,
            subnet_id: Some(subnet_id.into()),
            private_ip_address: Some(private_ip.into()),
            instance_tags: tags,
            // A current generation type: it takes IPv6 addresses (the default m1.small does not).
            instance_type: Some("t3.micro".into()),
            ..RunInstances::default()
        };
        self.tx(|tx, scope| instance::run_instances(tx, scope, request)).instances[0].id.clone()
    }

    /// An instance in `subnet_id` with `private_ip`, alone in a new group of the subnet's VPC that has no inbound
    /// rule (and AWS's default outbound rule).
    pub fn instance_in_new_group(&mut self, vpc_id: &str, subnet_id: &str, private_ip: &str, name: &str) -> String {
        let request = CreateSecurityGroup {
            name: name.into(),
            description: name.into(),
            vpc_id: Some(vpc_id.into()),
            tags: Vec::new(),
        };
        let group = self.tx(|tx, scope| security_group::create(tx, scope, request)).id;
        let request = RunInstances {
            image_id: "ami-12345678".into(),
            min_count: 1,
            max_count: 1,
            subnet_id: Some(subnet_id.into()),
            security_group_ids: vec![group],
            private_ip_address: Some(private_ip.into()),
            ..RunInstances::default()
        };
        self.tx(|tx, scope| instance::run_instances(tx, scope, request)).instances[0].id.clone()
    }

    pub fn stop(&mut self, instance_id: &str) {
        let ids = vec![instance_id.to_string()];
        self.tx(|tx, scope| instance::stop_instances(tx, scope, &ids));
    }

    /// The group the instance's interface uses first.
    pub fn group_of(&self, instance_id: &str) -> String {
        let region = self.world.region(&self.scope);
        let eni = region.instances[instance_id].network_interface_id.clone().expect("running instance");
        region.network_interfaces[eni.as_str()].security_group_ids[0].clone()
    }

    /// Adds a rule to the instance's first group.
    pub fn allow(
        &mut self,
        instance_id: &str,
        egress: bool,
        protocol: &str,
        ports: Option<(i32, i32)>,
        peer: RulePeer,
    ) {
        let group_id = self.group_of(instance_id);
        self.tx(|tx, scope| {
            let rule = SecurityGroupRule {
                id: tx.next_id(localvpc_model::ids::IdKind::SecurityGroupRule),
                protocol: protocol.into(),
                from_port: ports.map(|p| p.0),
                to_port: ports.map(|p| p.1),
                peer,
                description: None,
                tags: Default::default(),
            };
            tx.update::<SecurityGroup>(scope, &group_id, |group| {
                if egress {
                    group.egress.push(rule)
                } else {
                    group.ingress.push(rule)
                }
            });
            Ok(())
        });
    }

    /// Ingress from a CIDR for the protocol, all ports/types.
    pub fn allow_in(&mut self, instance_id: &str, protocol: &str, ports: Option<(i32, i32)>, cidr: &str) {
        self.allow(instance_id, false, protocol, ports, RulePeer::Cidr(cidr.parse().unwrap()));
    }

    /// Removes every outbound rule of the instance's first group.
    pub fn clear_egress(&mut self, instance_id: &str) {
        let group_id = self.group_of(instance_id);
        self.tx(|tx, scope| {
            tx.update::<SecurityGroup>(scope, &group_id, |group| group.egress.clear());
            Ok(())
        });
    }

    pub fn main_table(&self, vpc_id: &str) -> String {
        let region = self.world.region(&self.scope);
        region.route_tables.values().find(|t| t.vpc_id == vpc_id && t.is_main()).expect("main table").id.clone()
    }

    pub fn route(&mut self, vpc_id: &str, destination: &str, target: Target) {
        let mut request = RouteRequest {
            route_table_id: self.main_table(vpc_id),
            destination: destination.into(),
            ..RouteRequest::default()
        };
        match target {
            Target::Gateway(id) => request.gateway_id = Some(id),
            Target::Peering(id) => request.vpc_peering_connection_id = Some(id),
            Target::Nat(id) => request.nat_gateway_id = Some(id),
            Target::TransitGateway(id) => request.transit_gateway_id = Some(id),
        }
        self.tx(|tx, scope| route_table::create_route(tx, scope, &request));
    }

    /// Gives `subnet_id` a route table of its own (the VPC's local route only); returns its ID.
    pub fn own_table(&mut self, vpc_id: &str, subnet_id: &str) -> String {
        let (vpc_id, subnet_id) = (vpc_id.to_string(), subnet_id.to_string());
        self.tx(|tx, scope| {
            let table = route_table::create(tx, scope, &vpc_id, Vec::new())?;
            route_table::associate(tx, scope, &table.id, route_table::AssociationTarget::Subnet(subnet_id))?;
            Ok(table.id.clone())
        })
    }

    /// Adds a route to a route table named by ID.
    pub fn route_in(&mut self, table_id: &str, destination: &str, target: Target) {
        let mut request = RouteRequest {
            route_table_id: table_id.into(),
            destination: destination.into(),
            ..RouteRequest::default()
        };
        match target {
            Target::Gateway(id) => request.gateway_id = Some(id),
            Target::Peering(id) => request.vpc_peering_connection_id = Some(id),
            Target::Nat(id) => request.nat_gateway_id = Some(id),
            Target::TransitGateway(id) => request.transit_gateway_id = Some(id),
        }
        self.tx(|tx, scope| route_table::create_route(tx, scope, &request));
    }

    /// A NAT gateway in `subnet_id`: public with a new Elastic IP (returned), or private.
    pub fn nat_gateway(&mut self, subnet_id: &str, public: bool) -> (String, Option<Ipv4Addr>) {
        let subnet_id = subnet_id.to_string();
        self.tx(|tx, scope| {
            let address = if public { Some(address::allocate(tx, scope, Vec::new())?) } else { None };
            let request = nat_gateway::CreateNatGateway {
                subnet_id,
                connectivity: Some(if public { "public" } else { "private" }.into()),
                allocation_id: address.as_ref().map(|a| a.allocation_id.clone()),
                ..Default::default()
            };
            let nat = nat_gateway::create(tx, scope, request)?;
            assert!(nat.failure.is_none(), "{:?}", nat.failure);
            Ok((nat.id.clone(), address.map(|a| a.public_ip)))
        })
    }

    pub fn delete_nat_gateway(&mut self, nat_id: &str) {
        let id = nat_id.to_string();
        self.tx(|tx, scope| nat_gateway::delete(tx, scope, &id));
    }

    pub fn delete_route(&mut self, vpc_id: &str, destination: &str) {
        let table = self.main_table(vpc_id);
        self.tx(|tx, scope| route_table::delete_route(tx, scope, &table, destination));
    }

    /// Creates and attaches a gateway.
    pub fn igw(&mut self, vpc_id: &str) -> String {
        let vpc_id = vpc_id.to_string();
        self.tx(|tx, scope| {
            let igw = internet_gateway::create(tx, scope, Vec::new())?;
            internet_gateway::attach(tx, scope, &igw.id, &vpc_id)?;
            Ok(igw.id.clone())
        })
    }

    /// Allocates an Elastic IP and associates it with the instance; returns the address.
    pub fn eip(&mut self, instance_id: &str) -> Ipv4Addr {
        let instance_id = instance_id.to_string();
        self.tx(|tx, scope| {
            let address = address::allocate(tx, scope, Vec::new())?;
            let request = AssociateAddress {
                address: AddressRef::Allocation(address.allocation_id.clone()),
                instance_id: Some(instance_id),
                network_interface_id: None,
                private_ip_address: None,
                allow_reassociation: None,
            };
            address::associate(tx, scope, &request)?;
            Ok(address.public_ip)
        })
    }

    /// A peering request from `a` (current scope) to `b` in `peer_scope` (the current one when `None`), accepted.
    pub fn peer(&mut self, a: &str, b: &str, peer_scope: Option<Scope>) -> String {
        let requester_scope = self.scope.clone();
        let peer_scope = peer_scope.unwrap_or_else(|| requester_scope.clone());
        let request = CreatePeering {
            vpc_id: a.into(),
            peer_vpc_id: b.into(),
            peer_owner_id: Some(peer_scope.account.clone()),
            peer_region: Some(peer_scope.region.clone()),
            tags: Vec::new(),
        };
        let pcx = self.tx(|tx, scope| vpc_peering::create(tx, scope, request)).0.id;
        self.scope = peer_scope;
        let id = pcx.clone();
        self.tx(|tx, scope| vpc_peering::accept(tx, scope, &id));
        self.scope = requester_scope;
        pcx
    }

    /// Turns `allowDnsResolutionFromRemoteVpc` on for the accepter side (caller must be the accepter's scope).
    pub fn allow_remote_dns_accepter(&mut self, pcx_id: &str) {
        let id = pcx_id.to_string();
        let options = SideOptions { allow_dns_resolution_from_remote_vpc: Some(true), classic_link: false };
        self.tx(|tx, scope| vpc_peering::modify_options(tx, scope, &id, None, Some(options)));
    }

    pub fn delete_peering(&mut self, pcx_id: &str) {
        let id = pcx_id.to_string();
        self.tx(|tx, scope| vpc_peering::delete(tx, scope, &id));
    }

    /// Adds an entry to the network ACL of the subnet.
    #[allow(clippy::too_many_arguments)] // A fixture mirrors CreateNetworkAclEntry's parameters one for one.
    pub fn acl_entry(
        &mut self,
        subnet_id: &str,
        number: i64,
        egress: bool,
        allow: bool,
        protocol: &str,
        cidr: &str,
        ports: Option<(i64, i64)>,
    ) {
        let region = self.world.region(&self.scope);
        let acl =
            region.network_acls.values().find(|acl| acl.associations.iter().any(|a| a.subnet_id == subnet_id)).unwrap();
        let request = network_acl::EntryRequest {
            network_acl_id: acl.id.clone(),
            rule_number: number,
            protocol: protocol.into(),
            rule_action: if allow { "allow" } else { "deny" }.into(),
            egress,
            // An IPv6 block makes an IPv6 entry (part 2 §16.3).
            cidr_block: (!cidr.contains(':')).then(|| cidr.into()),
            ipv6_cidr_block: cidr.contains(':').then(|| cidr.into()),
            port_from: ports.map(|p| p.0),
            port_to: ports.map(|p| p.1),
            icmp_type: (protocol == "1" || protocol == "58").then_some(-1),
            icmp_code: (protocol == "1" || protocol == "58").then_some(-1),
        };
        self.tx(|tx, scope| network_acl::create_entry(tx, scope, &request));
    }

    /// Replaces the subnet's ACL with a new custom one (deny-all until entries are added); returns its ID.
    pub fn custom_acl(&mut self, vpc_id: &str, subnet_id: &str) -> String {
        let vpc_id = vpc_id.to_string();
        let subnet_id = subnet_id.to_string();
        self.tx(|tx, scope| {
            let acl = network_acl::create(tx, scope, &vpc_id, Vec::new())?;
            let association = tx
                .region(scope)
                .network_acls
                .values()
                .flat_map(|acl| acl.associations.iter())
                .find(|a| a.subnet_id == subnet_id)
                .map(|a| a.id.clone())
                .expect("every subnet has an ACL");
            network_acl::replace_association(tx, scope, &association, &acl.id)?;
            Ok(acl.id.clone())
        })
    }

    pub fn topology(&self) -> Topology {
        Topology::compile(&self.world, 1)
    }

    /// Probes from an instance (of any scope) to an address.
    pub fn probe(&self, from: &str, to: &str, protocol: Protocol) -> Trace {
        let topology = self.topology();
        let from = if from == "internet" {
            Vantage::Internet
        } else {
            Vantage::Eni(topology.instance_eni(from).expect("instance"))
        };
        trace(&topology, &Probe { from, destination: to.parse().unwrap(), protocol }, Mode::FirstDrop)
    }

    pub fn explain(&self, from: &str, to: &str, protocol: Protocol) -> Trace {
        let topology = self.topology();
        let from = if from == "internet" {
            Vantage::Internet
        } else {
            Vantage::Eni(topology.instance_eni(from).expect("instance"))
        };
        trace(&topology, &Probe { from, destination: to.parse().unwrap(), protocol }, Mode::CollectAll)
    }
}

/// A route target in fixtures.
pub enum Target {
    Gateway(String),
    Peering(String),
    Nat(String),
    TransitGateway(String),
}
