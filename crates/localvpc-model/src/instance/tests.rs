//! Scenario tests of the instance life cycle on a real [`World`]: address allocation, public addresses and names,
//! Elastic IPs, and the dependency rules instances add to subnets, VPCs and internet gateways.

use std::net::Ipv4Addr;

use super::*;
use crate::address::{self, AddressRef, AssociateAddress, AssociationRef};
use crate::subnet::CreateSubnet;
use crate::vpc::{self, CreateVpc, VpcAttribute};
use crate::world::World;
use crate::{internet_gateway, subnet};

fn scope() -> Scope {
    Scope::new("123456789012", "us-east-1")
}

/// A world with the default VPC and a VPC 10.0.0.0/16 holding `subnet_block`; returns (vpc, subnet).
fn setup(tx: &mut Tx, subnet_block: &str) -> (String, String) {
    let scope = scope();
    vpc::ensure_initialized(tx, &scope);
    let vpc =
        vpc::create_vpc(tx, &scope, CreateVpc { cidr_block: "10.0.0.0/16".into(), ..Default::default() }).unwrap();
    let subnet = subnet::create_subnet(
        tx,
        &scope,
        CreateSubnet { vpc_id: vpc.id.clone(), cidr_block: Some(subnet_block.into()), ..Default::default() },
    )
    .unwrap();
    (vpc.id.clone(), subnet.id.clone())
}

fn launch(subnet_id: &str, count: i64) -> RunInstances {
    RunInstances {
        image_id: "ami-12345678".into(),
        min_count: count,
        max_count: count,
        subnet_id: Some(subnet_id.into()),
        ..Default::default()
    }
}

fn interface_of(tx: &Tx, instance_id: &str) -> Arc<NetworkInterface> {
    let region = tx.region(&scope());
    region.instances[instance_id].interface(region).unwrap().clone()
}

fn public_ip_of(tx: &Tx, instance_id: &str) -> Option<Ipv4Addr> {
    let interface = interface_of(tx, instance_id);
    network_interface::public_address(tx.region(&scope()), &interface).map(|public| public.ip)
}

#[test]
fn addresses_come_in_order_and_the_subnet_count_drops() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let (_, subnet_id) = setup(&mut tx, "10.0.1.0/24");
    let reservation = run_instances(&mut tx, &scope(), launch(&subnet_id, 2)).unwrap();
    assert_eq!(reservation.instances.len(), 2);
    assert!(reservation.instances.iter().all(|instance| instance.state == InstanceState::Pending));
    let first = interface_of(&tx, &reservation.instances[0].id);
    let second = interface_of(&tx, &reservation.instances[1].id);
    assert_eq!(first.private_ip.unwrap().to_string(), "10.0.1.4");
    assert_eq!(second.private_ip.unwrap().to_string(), "10.0.1.5");
    assert_eq!(first.private_dns_name().as_deref(), Some("ip-10-0-1-4.ec2.internal"));
    let region = tx.region(&scope());
    assert_eq!(region.instances[reservation.instances[0].id.as_str()].state, InstanceState::Running);
    assert_eq!(region.subnets[subnet_id.as_str()].available_ip_address_count(region), 249);

    let mut request = launch(&subnet_id, 1);
    request.private_ip_address = Some("10.0.1.5".into());
    let error = run_instances(&mut tx, &scope(), request).unwrap_err();
    assert_eq!((error.code(), error.to_string()), ("InvalidIPAddress.InUse", "Address 10.0.1.5 is in use.".into()));
}

#[test]
fn a_slash_28_takes_eleven_instances() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let (_, subnet_id) = setup(&mut tx, "10.0.0.16/28");
    let mut request = launch(&subnet_id, 1);
    request.max_count = 20;
    let reservation = run_instances(&mut tx, &scope(), request).unwrap();
    assert_eq!(reservation.instances.len(), 11);
    let error = run_instances(&mut tx, &scope(), launch(&subnet_id, 1)).unwrap_err();
    assert_eq!(error.code(), "InsufficientFreeAddressesInSubnet");
    let region = tx.region(&scope());
    assert_eq!(region.subnets[subnet_id.as_str()].available_ip_address_count(region), 0);
}

#[test]
fn cidr_reservations_shrink_what_a_launch_can_take() {
    use crate::subnet_cidr_reservation::{self, CreateSubnetCidrReservation, ReservationType};
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    // 10.0.0.16/28: eleven usable addresses, .20 to .30; the reservation .24/30 takes four of them.
    let (_, subnet_id) = setup(&mut tx, "10.0.0.16/28");
    let first = run_instances(&mut tx, &scope(), launch(&subnet_id, 1)).unwrap();
    subnet_cidr_reservation::create(
        &mut tx,
        &scope(),
        CreateSubnetCidrReservation {
            subnet_id: subnet_id.clone(),
            cidr: "10.0.0.24/30".into(),
            reservation_type: ReservationType::Explicit,
            description: String::new(),
            tags: Tags::default(),
        },
    )
    .unwrap();
    let subnet = tx.region(&scope()).subnets[subnet_id.as_str()].clone();
    assert_eq!(network_interface::assignable_address_count(tx.region(&scope()), &subnet), 6);
    // MinCount beyond what fits outside the reservation: nothing launches.
    let mut request = launch(&subnet_id, 7);
    request.max_count = 10;
    let error = run_instances(&mut tx, &scope(), request).unwrap_err();
    assert_eq!(error.code(), "InsufficientFreeAddressesInSubnet");
    assert_eq!(tx.region(&scope()).instances.len(), 1);
    // MinCount fits, MaxCount does not: as many as fit, none inside the reservation.
    let mut request = launch(&subnet_id, 2);
    request.max_count = 10;
    let reservation = run_instances(&mut tx, &scope(), request).unwrap();
    let addresses: Vec<String> =
        reservation.instances.iter().map(|i| interface_of(&tx, &i.id).private_ip.unwrap().to_string()).collect();
    assert_eq!(addresses, ["10.0.0.21", "10.0.0.22", "10.0.0.23", "10.0.0.28", "10.0.0.29", "10.0.0.30"]);
    assert_eq!(interface_of(&tx, &first.instances[0].id).private_ip.unwrap().to_string(), "10.0.0.20");
    let error = run_instances(&mut tx, &scope(), launch(&subnet_id, 1)).unwrap_err();
    assert_eq!(error.code(), "InsufficientFreeAddressesInSubnet");
}

#[test]
fn a_repeated_client_token_creates_nothing() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let (_, subnet_id) = setup(&mut tx, "10.0.1.0/24");
    let mut request = launch(&subnet_id, 2);
    request.client_token = Some("token-1".into());
    let first = run_instances(&mut tx, &scope(), request.clone()).unwrap();
    let again = run_instances(&mut tx, &scope(), request).unwrap();
    assert_eq!(first.id, again.id);
    let ids = |reservation: &Reservation| reservation.instances.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&first), ids(&again));
    assert_eq!(tx.region(&scope()).instances.len(), 2);
}

#[test]
fn groups_must_belong_to_the_subnet_vpc() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let (_, subnet_id) = setup(&mut tx, "10.0.1.0/24");
    let region = tx.region(&scope());
    let default_vpc = region.vpcs.values().find(|vpc| vpc.is_default).unwrap().id.clone();
    let foreign_group = region.security_groups.values().find(|group| group.vpc_id == default_vpc).unwrap().id.clone();
    let mut request = launch(&subnet_id, 1);
    request.security_group_ids = vec![foreign_group.clone()];
    let error = run_instances(&mut tx, &scope(), request).unwrap_err();
    assert_eq!(error.code(), "InvalidParameter");
    assert_eq!(
        error.to_string(),
        format!("Security group {foreign_group} and subnet {subnet_id} belong to different networks.")
    );

    let mut request = launch(&subnet_id, 1);
    request.security_group_ids = vec!["sg-0123456789abcdef0".into()];
    assert_eq!(run_instances(&mut tx, &scope(), request).unwrap_err().code(), "InvalidGroup.NotFound");
}

#[test]
fn without_a_subnet_the_default_subnet_of_the_first_zone_and_a_public_name() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    vpc::ensure_initialized(&mut tx, &scope());
    let request = RunInstances { image_id: "ami-1".into(), min_count: 1, max_count: 1, ..Default::default() };
    let reservation = run_instances(&mut tx, &scope(), request).unwrap();
    let instance_id = &reservation.instances[0].id;
    let interface = interface_of(&tx, instance_id);
    assert_eq!(interface.availability_zone, "us-east-1a");
    assert_eq!(interface.private_ip.unwrap().to_string(), "172.31.0.4");
    let public_ip = public_ip_of(&tx, instance_id).expect("default subnets map public addresses");
    assert!(address::PUBLIC_POOL.parse::<crate::cidr::Ipv4Net>().unwrap().contains(&public_ip));
    let name = network_interface::public_dns_name(tx.region(&scope()), &interface).unwrap();
    assert_eq!(name, crate::dns_name::public_dns_name("us-east-1", public_ip));

    let mut empty = World::default();
    let mut tx = Tx::new(&mut empty, Timestamp(0));
    let request = RunInstances { image_id: "ami-1".into(), min_count: 1, max_count: 1, ..Default::default() };
    let error = run_instances(&mut tx, &scope(), request).unwrap_err();
    assert_eq!(
        (error.code(), error.to_string()),
        (
            "VPCIdNotSpecified",
            "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.".into()
        )
    );
}

#[test]
fn public_names_appear_when_both_dns_attributes_are_on() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let (vpc_id, subnet_id) = setup(&mut tx, "10.0.1.0/24");
    let mut request = launch(&subnet_id, 1);
    request.network_interfaces = vec![InterfaceSpecification {
        device_index: Some(0),
        subnet_id: Some(subnet_id.clone()),
        associate_public_ip_address: Some(true),
        ..Default::default()
    }];
    request.subnet_id = None;
    let instance_id = run_instances(&mut tx, &scope(), request).unwrap().instances[0].id.clone();
    let public_ip = public_ip_of(&tx, &instance_id).expect("AssociatePublicIpAddress=true overrides the subnet");
    let interface = interface_of(&tx, &instance_id);
    assert_eq!(network_interface::public_dns_name(tx.region(&scope()), &interface), None);
    vpc::modify_vpc_attribute(&mut tx, &scope(), &vpc_id, VpcAttribute::EnableDnsHostnames, true).unwrap();
    assert_eq!(
        network_interface::public_dns_name(tx.region(&scope()), &interface),
        Some(crate::dns_name::public_dns_name("us-east-1", public_ip))
    );
}

#[test]
fn stop_releases_the_public_address_and_start_brings_a_new_one() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    vpc::ensure_initialized(&mut tx, &scope());
    let request = RunInstances { image_id: "ami-1".into(), min_count: 1, max_count: 1, ..Default::default() };
    let instance_id = run_instances(&mut tx, &scope(), request).unwrap().instances[0].id.clone();
    let before = public_ip_of(&tx, &instance_id).unwrap();
    let ids = [instance_id.clone()];
    let stopped = stop_instances(&mut tx, &scope(), &ids).unwrap();
    assert_eq!((stopped[0].current, stopped[0].previous), (InstanceState::Stopping, InstanceState::Running));
    assert_eq!(public_ip_of(&tx, &instance_id), None);
    let again = stop_instances(&mut tx, &scope(), &ids).unwrap();
    assert_eq!((again[0].current, again[0].previous), (InstanceState::Stopped, InstanceState::Stopped));
    let started = start_instances(&mut tx, &scope(), &ids).unwrap();
    assert_eq!((started[0].current, started[0].previous), (InstanceState::Pending, InstanceState::Stopped));
    let after = public_ip_of(&tx, &instance_id).unwrap();
    assert_ne!(before, after, "a started instance gets a new address");
    let terminated = terminate_instances(&mut tx, &scope(), &ids).unwrap();
    assert_eq!((terminated[0].current, terminated[0].previous), (InstanceState::ShuttingDown, InstanceState::Running));
    let twice = terminate_instances(&mut tx, &scope(), &ids).unwrap();
    assert_eq!((twice[0].current, twice[0].previous), (InstanceState::Terminated, InstanceState::Terminated));
    assert_eq!(start_instances(&mut tx, &scope(), &ids).unwrap_err().code(), "IncorrectInstanceState");
    assert!(tx.region(&scope()).instances[instance_id.as_str()].interface(tx.region(&scope())).is_none());
}

#[test]
fn terminated_instances_free_their_subnet() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let (vpc_id, subnet_id) = setup(&mut tx, "10.0.1.0/24");
    let instance_id = run_instances(&mut tx, &scope(), launch(&subnet_id, 1)).unwrap().instances[0].id.clone();
    stop_instances(&mut tx, &scope(), std::slice::from_ref(&instance_id)).unwrap();
    let error = subnet::delete_subnet(&mut tx, &scope(), &subnet_id).unwrap_err();
    assert_eq!(error.to_string(), format!("The subnet '{subnet_id}' has dependencies and cannot be deleted."));
    assert_eq!(vpc::delete_vpc(&mut tx, &scope(), &vpc_id).unwrap_err().code(), "DependencyViolation");
    terminate_instances(&mut tx, &scope(), std::slice::from_ref(&instance_id)).unwrap();
    subnet::delete_subnet(&mut tx, &scope(), &subnet_id).unwrap();
    assert_eq!(tx.region(&scope()).instances[instance_id.as_str()].state, InstanceState::Terminated);
}

#[test]
fn elastic_ips_replace_and_restore_the_dynamic_address() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let (vpc_id, subnet_id) = setup(&mut tx, "10.0.1.0/24");
    subnet::set_map_public_ip_on_launch(&mut tx, &scope(), &subnet_id, true).unwrap();
    let instance_id = run_instances(&mut tx, &scope(), launch(&subnet_id, 1)).unwrap().instances[0].id.clone();
    let dynamic = public_ip_of(&tx, &instance_id).unwrap();
    let eip = address::allocate(&mut tx, &scope(), Vec::new()).unwrap();
    let request = AssociateAddress {
        address: AddressRef::Allocation(eip.allocation_id.clone()),
        instance_id: Some(instance_id.clone()),
        network_interface_id: None,
        private_ip_address: None,
        allow_reassociation: None,
    };
    let error = address::associate(&mut tx, &scope(), &request).unwrap_err();
    assert_eq!(
        (error.code(), error.to_string()),
        ("Gateway.NotAttached", format!("Network {vpc_id} is not attached to any internet gateway"))
    );

    let igw = internet_gateway::create(&mut tx, &scope(), Vec::new()).unwrap();
    internet_gateway::attach(&mut tx, &scope(), &igw.id, &vpc_id).unwrap();
    let association_id = address::associate(&mut tx, &scope(), &request).unwrap();
    assert_eq!(public_ip_of(&tx, &instance_id), Some(eip.public_ip));
    assert_eq!(interface_of(&tx, &instance_id).public_ip, None, "the dynamic address went back to the pool");
    assert_ne!(eip.public_ip, dynamic);
    assert_eq!(
        address::release(&mut tx, &scope(), Some(&eip.allocation_id), None).unwrap_err().code(),
        "InvalidIPAddress.InUse"
    );
    let error = internet_gateway::detach(&mut tx, &scope(), &igw.id, &vpc_id).unwrap_err();
    assert_eq!(error.code(), "DependencyViolation");
    assert!(error.to_string().starts_with(&format!("Network {vpc_id} has some mapped public address(es).")));

    address::disassociate(&mut tx, &scope(), &AssociationRef::Association(association_id)).unwrap();
    let restored = public_ip_of(&tx, &instance_id).unwrap();
    assert_ne!(restored, eip.public_ip);
    address::release(&mut tx, &scope(), Some(&eip.allocation_id), None).unwrap();
    terminate_instances(&mut tx, &scope(), &[instance_id]).unwrap();
    internet_gateway::detach(&mut tx, &scope(), &igw.id, &vpc_id).unwrap();
}

#[test]
fn the_public_pool_cursor_is_persisted() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let first = address::allocate(&mut tx, &scope(), Vec::new()).unwrap();
    assert_eq!(first.public_ip.to_string(), "198.18.0.1");
    let changes = tx.finish();
    assert!(changes
        .iter()
        .any(|change| matches!(change, crate::Change::Meta { key: "public_ip_cursor", value } if value == "2")));
}

#[test]
fn more_instances_than_the_per_call_ceiling_are_refused_whole() {
    let mut world = World::default();
    let quotas = crate::Quotas { max_instances_per_call: 3, ..crate::Quotas::none() };
    let mut tx = Tx::with_quotas(&mut world, Timestamp(0), quotas);
    let (_, subnet_id) = setup(&mut tx, "10.0.1.0/24");
    let mut request = launch(&subnet_id, 1);
    request.max_count = 4;
    let error = run_instances(&mut tx, &scope(), request).unwrap_err();
    assert_eq!(
        (error.code(), error.to_string()),
        (
            "InstanceLimitExceeded",
            "You have requested more instances (4) than your current instance limit of 3 allows for the specified \
             instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to \
             this limit."
                .to_string()
        )
    );
    assert!(tx.region(&scope()).instances.is_empty());
    assert_eq!(run_instances(&mut tx, &scope(), launch(&subnet_id, 3)).unwrap().instances.len(), 3);
    assert_eq!(crate::Quotas::none().max_instances_per_call, 1000);
    assert_eq!(crate::Quotas::aws().max_instances_per_call, 1000);
}

#[test]
fn a_launch_fills_the_gaps_first_then_continues_in_order() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let (_, subnet_id) = setup(&mut tx, "10.0.1.0/24");
    let first = run_instances(&mut tx, &scope(), launch(&subnet_id, 10)).unwrap();
    let gone: Vec<String> = [2, 5].iter().map(|&n| first.instances[n].id.clone()).collect();
    terminate_instances(&mut tx, &scope(), &gone).unwrap();
    let second = run_instances(&mut tx, &scope(), launch(&subnet_id, 4)).unwrap();
    let addresses: Vec<String> = second
        .instances
        .iter()
        .map(|instance| interface_of(&tx, &instance.id).private_ip.unwrap().to_string())
        .collect();
    assert_eq!(addresses, ["10.0.1.6", "10.0.1.9", "10.0.1.14", "10.0.1.15"]);
    let region = tx.region(&scope());
    assert_eq!(region.subnets[subnet_id.as_str()].available_ip_address_count(region), 251 - 12);
    let in_order: Vec<String> = network_interface::in_subnet(region, &subnet_id)
        .map(|interface| interface.private_ip.unwrap().to_string())
        .collect();
    assert_eq!(in_order.len(), 12);
    assert_eq!((in_order[0].as_str(), in_order[11].as_str()), ("10.0.1.4", "10.0.1.15"));
}

#[test]
fn the_indexes_are_the_ones_a_reload_builds() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let (vpc_id, subnet_id) = setup(&mut tx, "10.0.1.0/24");
    subnet::set_map_public_ip_on_launch(&mut tx, &scope(), &subnet_id, true).unwrap();
    let mut request = launch(&subnet_id, 6);
    request.client_token = Some("token-1".into());
    let launched = run_instances(&mut tx, &scope(), request).unwrap();
    let ids: Vec<String> = launched.instances.iter().map(|instance| instance.id.clone()).collect();
    terminate_instances(&mut tx, &scope(), &ids[1..2]).unwrap();
    stop_instances(&mut tx, &scope(), &ids[2..3]).unwrap();
    let igw = internet_gateway::create(&mut tx, &scope(), Vec::new()).unwrap();
    internet_gateway::attach(&mut tx, &scope(), &igw.id, &vpc_id).unwrap();
    let eip = address::allocate(&mut tx, &scope(), Vec::new()).unwrap();
    let request = AssociateAddress {
        address: AddressRef::Allocation(eip.allocation_id.clone()),
        instance_id: Some(ids[3].clone()),
        network_interface_id: None,
        private_ip_address: None,
        allow_reassociation: None,
    };
    address::associate(&mut tx, &scope(), &request).unwrap();
    let spare = subnet::create_subnet(
        &mut tx,
        &scope(),
        CreateSubnet { vpc_id: vpc_id.clone(), cidr_block: Some("10.0.2.0/24".into()), ..Default::default() },
    )
    .unwrap();
    subnet::delete_subnet(&mut tx, &scope(), &spare.id).unwrap();
    let changes = tx.finish();
    let records: Vec<(&str, Scope, &str, &str)> = changes
        .iter()
        .filter_map(|change| match change {
            crate::Change::Put { kind, scope, id, body } => Some((*kind, scope.clone(), id.as_str(), body.as_str())),
            _ => None,
        })
        .collect();
    let loaded = World::load(records, []).unwrap();
    assert_eq!(loaded.region(&scope()).index, world.region(&scope()).index);
    assert_eq!(loaded.index(), world.index());
    let region = world.region(&scope());
    assert_eq!(region.index.instances_with_client_token("token-1").count(), 6);
    assert_eq!(region.index.subnet_count(&vpc_id), 1);
    assert_eq!(network_interface::addresses_in_use(region, &subnet_id), 5);
    assert!(world.index().public_address_in_use(eip.public_ip));
}
