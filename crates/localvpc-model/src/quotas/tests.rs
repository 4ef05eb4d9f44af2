//! Scenario tests of the quotas on a real [`World`]: each limit through the rule that enforces it, with
//! `Quotas::aws()` (refused one past the limit, the failed call changing nothing) and with `Quotas::none()`.

use super::*;
use crate::address;
use crate::instance::{run_instances, RunInstances};
use crate::internet_gateway;
use crate::network_acl::{self, EntryRequest};
use crate::route_table::{self, RouteRequest};
use crate::subnet::{self, CreateSubnet};
use crate::vpc::{self, CreateVpc};
use crate::vpc_peering::{self, CreatePeering, PeeringStatus};
use crate::world::{Scope, Timestamp, Tx, World};

fn scope() -> Scope {
    Scope::new("123456789012", "us-east-1")
}

fn new_vpc(tx: &mut Tx, block: &str) -> Result<String> {
    let request = CreateVpc { cidr_block: block.into(), ..Default::default() };
    vpc::create_vpc(tx, &scope(), request).map(|vpc| vpc.id.clone())
}

/// Only the one limit a test is about, so the others do not get in its way.
fn only(set: impl FnOnce(&mut Quotas)) -> Quotas {
    let mut quotas = Quotas::none();
    set(&mut quotas);
    quotas
}

#[test]
fn the_default_vpc_counts_against_five_vpcs() {
    let mut world = World::default();
    let mut tx = Tx::with_quotas(&mut world, Timestamp(0), Quotas::aws());
    vpc::ensure_initialized(&mut tx, &scope());
    for n in 0..4 {
        new_vpc(&mut tx, &format!("10.{n}.0.0/16")).unwrap();
    }
    let over = new_vpc(&mut tx, "10.9.0.0/16").unwrap_err();
    assert_eq!(
        (over.code(), over.to_string().as_str()),
        ("VpcLimitExceeded", "The maximum number of VPCs has been reached.")
    );
    assert_eq!(tx.region(&scope()).vpcs.len(), 5);
}

#[test]
fn create_default_vpc_needs_room_for_the_vpc_and_its_gateway() {
    let mut world = World::default();
    let mut tx = Tx::with_quotas(&mut world, Timestamp(0), Quotas::aws());
    // A region without a default VPC (as after DeleteVpc): four VPCs and five gateways.
    for n in 0..4 {
        new_vpc(&mut tx, &format!("10.{n}.0.0/16")).unwrap();
    }
    for _ in 0..5 {
        internet_gateway::create(&mut tx, &scope(), Vec::new()).unwrap();
    }
    let over = vpc::create_default_vpc(&mut tx, &scope()).unwrap_err();
    assert_eq!(over.code(), "InternetGatewayLimitExceeded");
    let spare = tx.region(&scope()).internet_gateways.keys().next().unwrap().clone();
    internet_gateway::delete(&mut tx, &scope(), &spare).unwrap();
    let default_vpc = vpc::create_default_vpc(&mut tx, &scope()).unwrap();
    assert!(default_vpc.is_default);
    let over = vpc::create_default_vpc(&mut tx, &scope()).unwrap_err();
    assert_eq!(over.code(), "DefaultVpcAlreadyExists");
    let over = new_vpc(&mut tx, "10.9.0.0/16").unwrap_err();
    assert_eq!(over.code(), "VpcLimitExceeded");
}

#[test]
fn without_quotas_nothing_is_counted() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    assert_eq!(tx.quotas(), Quotas::none());
    vpc::ensure_initialized(&mut tx, &scope());
    for n in 0..10 {
        new_vpc(&mut tx, &format!("10.{n}.0.0/16")).unwrap();
        internet_gateway::create(&mut tx, &scope(), Vec::new()).unwrap();
        address::allocate(&mut tx, &scope(), Vec::new()).unwrap();
    }
    let vpc_id = new_vpc(&mut tx, "10.100.0.0/16").unwrap();
    for n in 1..=6 {
        vpc::associate_cidr_block(&mut tx, &scope(), &vpc_id, &format!("10.{}.0.0/16", 100 + n)).unwrap();
    }
    assert_eq!(tx.region(&scope()).vpcs.len(), 12);
    assert_eq!(tx.region(&scope()).vpcs[vpc_id.as_str()].cidr_associations.len(), 7);
}

#[test]
fn the_default_vpc_gateway_counts_against_five_gateways() {
    let mut world = World::default();
    let mut tx = Tx::with_quotas(&mut world, Timestamp(0), Quotas::aws());
    vpc::ensure_initialized(&mut tx, &scope());
    for _ in 0..4 {
        internet_gateway::create(&mut tx, &scope(), Vec::new()).unwrap();
    }
    let over = internet_gateway::create(&mut tx, &scope(), Vec::new()).unwrap_err();
    assert_eq!(over.code(), "InternetGatewayLimitExceeded");
    assert_eq!(over.to_string(), "The maximum number of internet gateways has been reached.");
}

#[test]
fn five_elastic_ips_and_five_cidr_blocks() {
    let mut world = World::default();
    let mut tx = Tx::with_quotas(&mut world, Timestamp(0), Quotas::aws());
    vpc::ensure_initialized(&mut tx, &scope());
    for _ in 0..5 {
        address::allocate(&mut tx, &scope(), Vec::new()).unwrap();
    }
    let over = address::allocate(&mut tx, &scope(), Vec::new()).unwrap_err();
    assert_eq!(over.to_string(), "The maximum number of addresses has been reached.");
    assert_eq!(tx.region(&scope()).addresses.len(), 5);
    let vpc_id = new_vpc(&mut tx, "10.0.0.0/16").unwrap();
    for n in 1..5 {
        vpc::associate_cidr_block(&mut tx, &scope(), &vpc_id, &format!("10.{n}.0.0/16")).unwrap();
    }
    let over = vpc::associate_cidr_block(&mut tx, &scope(), &vpc_id, "10.5.0.0/16").unwrap_err();
    assert_eq!(over, Ec2Error::CidrLimitExceeded(vpc_id));
}

#[test]
fn fifty_routes_not_counting_the_local_ones() {
    let mut world = World::default();
    let mut tx = Tx::with_quotas(&mut world, Timestamp(0), Quotas::aws());
    vpc::ensure_initialized(&mut tx, &scope());
    let vpc_id = new_vpc(&mut tx, "10.0.0.0/16").unwrap();
    vpc::associate_cidr_block(&mut tx, &scope(), &vpc_id, "10.1.0.0/16").unwrap();
    let igw = internet_gateway::create(&mut tx, &scope(), Vec::new()).unwrap();
    internet_gateway::attach(&mut tx, &scope(), &igw.id, &vpc_id).unwrap();
    let table = route_table::create(&mut tx, &scope(), &vpc_id, Vec::new()).unwrap();
    let route = |destination: String| RouteRequest {
        route_table_id: table.id.clone(),
        destination,
        gateway_id: Some(igw.id.clone()),
        ..Default::default()
    };
    for n in 0..50 {
        route_table::create_route(&mut tx, &scope(), &route(format!("192.168.{n}.0/24"))).unwrap();
    }
    let over = route_table::create_route(&mut tx, &scope(), &route("192.168.99.0/24".into())).unwrap_err();
    assert_eq!(over.code(), "RouteLimitExceeded");
    assert_eq!(tx.region(&scope()).route_tables[table.id.as_str()].routes.len(), 52);
}

#[test]
fn twenty_acl_entries_per_direction_including_the_final_deny() {
    let mut world = World::default();
    let mut tx = Tx::with_quotas(&mut world, Timestamp(0), Quotas::aws());
    vpc::ensure_initialized(&mut tx, &scope());
    let vpc_id = new_vpc(&mut tx, "10.0.0.0/16").unwrap();
    let acl = network_acl::create(&mut tx, &scope(), &vpc_id, Vec::new()).unwrap();
    let entry = |rule_number: i64, egress: bool| EntryRequest {
        network_acl_id: acl.id.clone(),
        rule_number,
        protocol: "-1".into(),
        rule_action: "allow".into(),
        egress,
        cidr_block: Some("0.0.0.0/0".into()),
        ..Default::default()
    };
    for n in 1..=19 {
        network_acl::create_entry(&mut tx, &scope(), &entry(n, false)).unwrap();
    }
    let over = network_acl::create_entry(&mut tx, &scope(), &entry(100, false)).unwrap_err();
    assert_eq!(over.code(), "NetworkAclEntryLimitExceeded");
    // The other direction has its own twenty.
    network_acl::create_entry(&mut tx, &scope(), &entry(100, true)).unwrap();
}

#[test]
fn subnets_route_tables_and_acls_per_vpc() {
    let quotas = only(|q| {
        q.subnets_per_vpc = Some(2);
        q.route_tables_per_vpc = Some(2);
        q.network_acls_per_vpc = Some(2);
    });
    let mut world = World::default();
    let mut tx = Tx::with_quotas(&mut world, Timestamp(0), quotas);
    vpc::ensure_initialized(&mut tx, &scope());
    let vpc_id = new_vpc(&mut tx, "10.0.0.0/16").unwrap();
    let subnet =
        |block: &str| CreateSubnet { vpc_id: vpc_id.clone(), cidr_block: Some(block.into()), ..Default::default() };
    subnet::create_subnet(&mut tx, &scope(), subnet("10.0.1.0/24")).unwrap();
    subnet::create_subnet(&mut tx, &scope(), subnet("10.0.2.0/24")).unwrap();
    let over = subnet::create_subnet(&mut tx, &scope(), subnet("10.0.3.0/24")).unwrap_err();
    assert_eq!(over.code(), "SubnetLimitExceeded");
    // The main table and the default ACL count: one more of each fits.
    route_table::create(&mut tx, &scope(), &vpc_id, Vec::new()).unwrap();
    let over = route_table::create(&mut tx, &scope(), &vpc_id, Vec::new()).unwrap_err();
    assert_eq!(over.code(), "RouteTableLimitExceeded");
    network_acl::create(&mut tx, &scope(), &vpc_id, Vec::new()).unwrap();
    let over = network_acl::create(&mut tx, &scope(), &vpc_id, Vec::new()).unwrap_err();
    assert_eq!(over.code(), "NetworkAclLimitExceeded");
}

fn request(vpc_id: &str, peer_vpc_id: &str) -> CreatePeering {
    CreatePeering { vpc_id: vpc_id.into(), peer_vpc_id: peer_vpc_id.into(), ..Default::default() }
}

#[test]
fn outstanding_requests_are_the_pending_ones() {
    let mut world = World::default();
    let mut tx = Tx::with_quotas(&mut world, Timestamp(0), only(|q| q.outstanding_peering_requests = Some(2)));
    vpc::ensure_initialized(&mut tx, &scope());
    let vpcs: Vec<String> = (0..4).map(|n| new_vpc(&mut tx, &format!("10.{n}.0.0/16")).unwrap()).collect();
    let (first, _) = vpc_peering::create(&mut tx, &scope(), request(&vpcs[0], &vpcs[1])).unwrap();
    vpc_peering::create(&mut tx, &scope(), request(&vpcs[0], &vpcs[2])).unwrap();
    // A same-direction duplicate returns the existing request, so it is not refused.
    let (again, new) = vpc_peering::create(&mut tx, &scope(), request(&vpcs[0], &vpcs[1])).unwrap();
    assert_eq!((again.id.as_str(), new), (first.id.as_str(), false));
    let over = vpc_peering::create(&mut tx, &scope(), request(&vpcs[0], &vpcs[3])).unwrap_err();
    assert_eq!(over.code(), "PendingVpcPeeringConnectionLimitExceeded");
    assert_eq!(over.to_string(), "Vpc peering connection request limit exceeded.");
    // An accepted request is no longer outstanding.
    vpc_peering::accept(&mut tx, &scope(), &first.id).unwrap();
    let (third, _) = vpc_peering::create(&mut tx, &scope(), request(&vpcs[0], &vpcs[3])).unwrap();
    assert_eq!(third.status, PeeringStatus::PendingAcceptance);
}

#[test]
fn active_peerings_per_vpc_are_checked_on_accept_for_both_vpcs() {
    let mut world = World::default();
    let mut tx = Tx::with_quotas(&mut world, Timestamp(0), only(|q| q.active_peerings_per_vpc = Some(1)));
    vpc::ensure_initialized(&mut tx, &scope());
    let vpcs: Vec<String> = (0..3).map(|n| new_vpc(&mut tx, &format!("10.{n}.0.0/16")).unwrap()).collect();
    let (first, _) = vpc_peering::create(&mut tx, &scope(), request(&vpcs[0], &vpcs[1])).unwrap();
    let (second, _) = vpc_peering::create(&mut tx, &scope(), request(&vpcs[2], &vpcs[1])).unwrap();
    vpc_peering::accept(&mut tx, &scope(), &first.id).unwrap();
    // vpcs[2] has no active peering, but the accepter vpcs[1] has one already.
    let over = vpc_peering::accept(&mut tx, &scope(), &second.id).unwrap_err();
    assert_eq!(over, Ec2Error::ActiveVpcPeeringConnectionPerVpcLimitExceeded(vpcs[1].clone()));
    assert_eq!(tx.world().peerings()[second.id.as_str()].status, PeeringStatus::PendingAcceptance);
    vpc_peering::delete(&mut tx, &scope(), &first.id).unwrap();
    vpc_peering::accept(&mut tx, &scope(), &second.id).unwrap();
}

#[test]
fn security_groups_per_region() {
    let mut world = World::default();
    let mut tx = Tx::with_quotas(&mut world, Timestamp(0), only(|q| q.security_groups_per_region = Some(3)));
    vpc::ensure_initialized(&mut tx, &scope());
    // The default VPC's and the new VPC's default groups count: one more fits.
    let vpc_id = new_vpc(&mut tx, "10.0.0.0/16").unwrap();
    let group = |name: &str| crate::security_group::CreateSecurityGroup {
        name: name.into(),
        description: name.into(),
        vpc_id: Some(vpc_id.clone()),
        tags: Vec::new(),
    };
    crate::security_group::create(&mut tx, &scope(), group("web")).unwrap();
    let over = crate::security_group::create(&mut tx, &scope(), group("db")).unwrap_err();
    assert_eq!(over.code(), "SecurityGroupLimitExceeded");
}

#[test]
fn groups_per_interface_and_interfaces_per_region_at_launch() {
    let quotas = only(|q| {
        q.security_groups_per_interface = Some(SECURITY_GROUPS_PER_INTERFACE);
        q.network_interfaces_per_region = Some(3);
    });
    let mut world = World::default();
    let mut tx = Tx::with_quotas(&mut world, Timestamp(0), quotas);
    vpc::ensure_initialized(&mut tx, &scope());
    let vpc_id = new_vpc(&mut tx, "10.0.0.0/16").unwrap();
    let subnet = CreateSubnet { vpc_id: vpc_id.clone(), cidr_block: Some("10.0.1.0/24".into()), ..Default::default() };
    let subnet_id = subnet::create_subnet(&mut tx, &scope(), subnet).unwrap().id.clone();
    let groups: Vec<String> = (0..6)
        .map(|n| {
            let request = crate::security_group::CreateSecurityGroup {
                name: format!("g{n}"),
                description: "g".into(),
                vpc_id: Some(vpc_id.clone()),
                tags: Vec::new(),
            };
            crate::security_group::create(&mut tx, &scope(), request).unwrap().id
        })
        .collect();
    let launch = |min_count: i64, max_count: i64, group_ids: &[String]| RunInstances {
        image_id: "ami-12345678".into(),
        min_count,
        max_count,
        subnet_id: Some(subnet_id.clone()),
        security_group_ids: group_ids.to_vec(),
        ..Default::default()
    };
    let over = run_instances(&mut tx, &scope(), launch(1, 1, &groups)).unwrap_err();
    assert_eq!(over.code(), "SecurityGroupsPerInterfaceLimitExceeded");
    run_instances(&mut tx, &scope(), launch(2, 2, &groups[..5])).unwrap();
    // One interface is left: MaxCount is trimmed to it, and a MinCount above it is refused.
    let over = run_instances(&mut tx, &scope(), launch(2, 4, &[])).unwrap_err();
    assert_eq!(over.code(), "NetworkInterfaceLimitExceeded");
    let reservation = run_instances(&mut tx, &scope(), launch(1, 4, &[])).unwrap();
    assert_eq!(reservation.instances.len(), 1);
    assert_eq!(tx.region(&scope()).network_interfaces.len(), 3);
}

#[test]
fn none_enforces_nothing_and_aws_everything() {
    assert!(!Quotas::none().is_enforced());
    assert_eq!(Quotas::default(), Quotas::none());
    assert!(Quotas::aws().is_enforced());
    assert_eq!(Quotas::aws().vpcs_per_region, Some(5));
    assert_eq!(Quotas::aws().outstanding_peering_requests, Some(25));
}

#[test]
fn check_refuses_only_past_the_limit() {
    let over = || Ec2Error::VpcLimitExceeded;
    assert!(check(Some(5), 4, 1, over).is_ok());
    assert_eq!(check(Some(5), 5, 1, over), Err(Ec2Error::VpcLimitExceeded));
    assert_eq!(check(Some(5), 3, 3, over), Err(Ec2Error::VpcLimitExceeded));
    assert!(check(None, 5000, 1, over).is_ok());
}

#[test]
fn vpn_connections_per_gateway_and_customer_gateways_per_region_count_live_ones() {
    use crate::customer_gateway::{self, CreateCustomerGateway};
    use crate::vpn_connection::{self, CreateVpnConnection};
    use crate::vpn_gateway;
    let mut world = World::default();
    let quotas = only(|q| {
        q.vpn_connections_per_vpn_gateway = Some(2);
        q.customer_gateways_per_region = Some(3);
    });
    let mut tx = Tx::with_quotas(&mut world, Timestamp(0), quotas);
    let new_cgw = |tx: &mut Tx, n: u8| {
        let request = CreateCustomerGateway {
            gateway_type: "ipsec.1".into(),
            ip_address: Some(format!("203.0.113.{n}")),
            ..Default::default()
        };
        customer_gateway::create(tx, &scope(), request).map(|gateway| gateway.id.clone())
    };
    let cgws: Vec<String> = (1..=3).map(|n| new_cgw(&mut tx, n).unwrap()).collect();
    assert_eq!(new_cgw(&mut tx, 4).unwrap_err().code(), "CustomerGatewayLimitExceeded");
    let vgw = vpn_gateway::create(&mut tx, &scope(), "ipsec.1", None, None, Vec::new()).unwrap();
    let connect = |tx: &mut Tx, cgw: &str| {
        let request = CreateVpnConnection {
            customer_gateway_id: cgw.into(),
            connection_type: "ipsec.1".into(),
            vpn_gateway_id: Some(vgw.id.clone()),
            ..Default::default()
        };
        vpn_connection::create(tx, &scope(), request).map(|connection| connection.id.clone())
    };
    let first = connect(&mut tx, &cgws[0]).unwrap();
    connect(&mut tx, &cgws[1]).unwrap();
    assert_eq!(connect(&mut tx, &cgws[2]).unwrap_err().code(), "VpnConnectionLimitExceeded");
    // A deleted connection no longer counts, and neither does a deleted customer gateway.
    vpn_connection::delete(&mut tx, &scope(), &first).unwrap();
    connect(&mut tx, &cgws[2]).unwrap();
    customer_gateway::delete(&mut tx, &scope(), &cgws[0]).unwrap();
    new_cgw(&mut tx, 4).unwrap();
}
