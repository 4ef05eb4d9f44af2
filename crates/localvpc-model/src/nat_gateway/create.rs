//! CreateNatGateway (part 2 §13.1): what AWS refuses at once, what it finds only after answering (the gateway's
//! `failureCode`), and what a working gateway holds — a requester-managed interface in its subnet with its
//! private address(es), and for a public gateway its Elastic IP(s) associated with that interface.

use std::net::Ipv4Addr;
use std::sync::Arc;

use super::{Connectivity, NatAddress, NatFailure, NatGateway, MAX_ADDRESSES};
use crate::address;
use crate::ids::IdKind;
use crate::network_interface::{self, ManagingService, NetworkInterface};
use crate::subnet::{self, Subnet};
use crate::tags::{self, Tags};
use crate::world::{RegionState, Scope, Tx};
use crate::{Ec2Error, NatGatewayError, Result};

/// CreateNatGateway, decoded.
#[derive(Debug, Clone, Default)]
pub struct CreateNatGateway {
    /// `SubnetId`.
    pub subnet_id: String,
    /// `ConnectivityType` as sent.
    pub connectivity: Option<String>,
    /// `AllocationId`.
    pub allocation_id: Option<String>,
    /// `PrivateIpAddress` as sent.
    pub private_ip: Option<String>,
    /// `SecondaryAllocationId.N` (public gateways).
    pub secondary_allocation_ids: Vec<String>,
    /// `SecondaryPrivateIpAddress.N` as sent.
    pub secondary_private_ips: Vec<String>,
    /// `SecondaryPrivateIpAddressCount`.
    pub secondary_private_ip_count: Option<usize>,
    /// `ClientToken`.
    pub client_token: Option<String>,
    /// Tags from `TagSpecification` type `natgateway`.
    pub tags: Tags,
}

/// Part 2 §13.1: the new gateway, as the Create answer shows it (the caller renders it `pending`).
pub fn create(tx: &mut Tx, scope: &Scope, request: CreateNatGateway) -> Result<Arc<NatGateway>> {
    let now = tx.now();
    if let Some(token) = &request.client_token {
        let earlier = tx.region(scope).nat_gateways.values().find(|nat| {
            nat.client_token.as_deref() == Some(token.as_str())
                && nat.visible_at(now)
                && nat.subnet_id == request.subnet_id
        });
        if let Some(earlier) = earlier {
            return Ok(earlier.clone());
        }
    }
    let region = tx.region(scope);
    let subnet = subnet::find(region, &request.subnet_id)?;
    // Part 2 §16.1: a NAT gateway holds a private IPv4 address of its subnet.
    subnet::ipv6_only::refuse_for_service(&subnet, "NAT gateway")?;
    let connectivity = Connectivity::parse(request.connectivity.as_deref())?;
    let allocations: Vec<String> =
        request.allocation_id.iter().chain(&request.secondary_allocation_ids).cloned().collect();
    match connectivity {
        Connectivity::Public if request.allocation_id.is_none() => {
            return Err(NatGatewayError::AllocationIdRequired.into())
        }
        Connectivity::Private if !allocations.is_empty() => return Err(NatGatewayError::AllocationIdWithPrivate.into()),
        _ => {}
    }
    for allocation_id in &allocations {
        IdKind::ElasticIpAllocation.check(allocation_id)?;
    }
    // A public gateway pairs each Elastic IP with one private address; a private one has the addresses asked for.
    let secondary_count = match connectivity {
        Connectivity::Public => request.secondary_allocation_ids.len().max(request.secondary_private_ips.len()),
        Connectivity::Private => {
            request.secondary_private_ips.len().max(request.secondary_private_ip_count.unwrap_or(0))
        }
    };
    if 1 + secondary_count > MAX_ADDRESSES {
        return Err(NatGatewayError::TooManyAddresses.into());
    }
    let in_use = |address| region.index.private_address_in_use(&subnet.id, address);
    let requested_primary = request
        .private_ip
        .as_deref()
        .map(|text| network_interface::check_requested_address(&subnet, in_use, text))
        .transpose()?;
    let requested_secondary = request
        .secondary_private_ips
        .iter()
        .map(|text| network_interface::check_requested_address(&subnet, in_use, text))
        .collect::<Result<Vec<Ipv4Addr>>>()?;
    // Part 2 §20 [D]: pending, available and deleting gateways count against the zone's quota.
    let in_zone = region
        .nat_gateways
        .values()
        .filter(|nat| nat.is_available())
        .filter(|nat| {
            region.subnets.get(nat.subnet_id.as_str()).is_some_and(|s| s.availability_zone == subnet.availability_zone)
        })
        .count();
    crate::quotas::check(tx.quotas().nat_gateways_per_zone, in_zone, 1, || NatGatewayError::LimitExceeded.into())?;
    tags::validate(&request.tags.0)?;

    let id = tx.next_id(IdKind::NatGateway);
    let mut nat = NatGateway {
        id: id.clone(),
        subnet_id: subnet.id.clone(),
        vpc_id: subnet.vpc_id.clone(),
        connectivity,
        created: now,
        deleted: None,
        failure: None,
        addresses: Vec::new(),
        client_token: request.client_token.clone(),
        tags: request.tags.clone(),
    };
    if let Some(failure) =
        asynchronous_failure(tx.region(scope), &subnet, connectivity, &allocations, 1 + secondary_count)
    {
        // What the failed gateway still shows: the Elastic IPs it was asked to take.
        nat.addresses = allocations
            .iter()
            .enumerate()
            .map(|(index, allocation_id)| NatAddress {
                allocation_id: Some(allocation_id.clone()),
                network_interface_id: None,
                private_ip: None,
                public_ip: None,
                association_id: None,
                is_primary: index == 0,
            })
            .collect();
        nat.failure = Some(failure);
        tx.put(scope, nat.clone());
        return Ok(Arc::new(nat));
    }

    let description = format!("Interface for NAT Gateway {id}");
    let interface = network_interface::create_requester_managed(
        tx,
        scope,
        &subnet,
        ManagingService::NatGateway,
        &id,
        description,
        requested_primary,
    )
    // Free addresses were counted above; the error only guards that count.
    .ok_or_else(|| Ec2Error::InsufficientFreeAddressesInSubnet(subnet.id.clone()))?;
    let secondary_ips = take_secondary_addresses(tx, scope, &subnet, &interface, requested_secondary, secondary_count);
    let private_ips: Vec<Ipv4Addr> = interface.private_ip.into_iter().chain(secondary_ips).collect();
    for (index, private_ip) in private_ips.iter().enumerate() {
        let allocation_id = allocations.get(index);
        let (public_ip, association_id) = match allocation_id {
            Some(allocation_id) => {
                let public_ip = tx.region(scope).addresses.get(allocation_id.as_str()).map(|a| a.public_ip);
                let association = address::associate_with_service(tx, scope, allocation_id, &interface.id, *private_ip);
                (public_ip, Some(association))
            }
            None => (None, None),
        };
        nat.addresses.push(NatAddress {
            allocation_id: allocation_id.cloned(),
            network_interface_id: Some(interface.id.clone()),
            private_ip: Some(*private_ip),
            public_ip,
            association_id,
            is_primary: index == 0,
        });
    }
    tx.put(scope, nat.clone());
    Ok(Arc::new(nat))
}

/// Part 2 §13.1 [D bc, O]: the problems AWS reports on the gateway (`state=failed`) rather than in the answer, in
/// the order it meets them.
fn asynchronous_failure(
    region: &RegionState,
    subnet: &Subnet,
    connectivity: Connectivity,
    allocations: &[String],
    addresses_needed: usize,
) -> Option<NatFailure> {
    if connectivity == Connectivity::Public {
        let attached = region.internet_gateways.values().any(|igw| igw.attached_vpc.as_deref() == Some(&subnet.vpc_id));
        if !attached {
            return Some(NatFailure::no_internet_gateway(&subnet.vpc_id));
        }
    }
    for allocation_id in allocations {
        match region.addresses.get(allocation_id.as_str()) {
            None => return Some(NatFailure::allocation_not_found(allocation_id)),
            Some(address) if address.association.is_some() => {
                return Some(NatFailure::allocation_in_use(allocation_id))
            }
            Some(_) => {}
        }
    }
    if (network_interface::assignable_address_count(region, subnet) as usize) < addresses_needed {
        return Some(NatFailure::subnet_full());
    }
    None
}

/// The gateway's secondary private addresses: the requested ones, then free ones up to `count`, held by its
/// interface.
fn take_secondary_addresses(
    tx: &mut Tx,
    scope: &Scope,
    subnet: &Subnet,
    interface: &NetworkInterface,
    requested: Vec<Ipv4Addr>,
    count: usize,
) -> Vec<Ipv4Addr> {
    let mut taken = requested;
    tx.update::<NetworkInterface>(scope, &interface.id, |interface| interface.secondary_private_ips = taken.clone());
    while taken.len() < count {
        let Some(free) = network_interface::first_free_address(tx.region(scope), subnet, None) else { break };
        taken.push(free);
        tx.update::<NetworkInterface>(scope, &interface.id, |interface| interface.secondary_private_ips.push(free));
    }
    taken
}
