//! A NAT gateway's secondary addresses after creation (part 2 §13.1, "Secondary addresses"): Elastic IPs
//! associated with and disassociated from a public gateway, private addresses assigned to and unassigned from a
//! private one. Every address lives on the gateway's interface; the primary never goes. AWS moves each address
//! through `associating`/`assigning` (and back through `disassociating`/`unassigning` for up to the drain time)
//! — the answers show those statuses, and reads show the outcome, as with the gateway's own state.

use std::net::Ipv4Addr;
use std::sync::Arc;

use super::{find, Connectivity, NatAddress, NatGateway, MAX_ADDRESSES};
use crate::address;
use crate::error::AddressError;
use crate::network_interface::{self, NetworkInterface};
use crate::world::{Scope, Tx};
use crate::{Ec2Error, NatGatewayError, Result};

/// How the addresses of a call are named.
#[derive(Debug, Clone, Default)]
pub struct NatAddressRequest {
    /// `AllocationId.N` (associate).
    pub allocation_ids: Vec<String>,
    /// `PrivateIpAddress.N`.
    pub private_ips: Vec<String>,
    /// `PrivateIpAddressCount` (assign).
    pub count: Option<usize>,
    /// `AssociationId.N` (disassociate).
    pub association_ids: Vec<String>,
}

/// The gateway after a call and the addresses the call touched (the answer lists only those).
pub struct NatAddressChange {
    /// The gateway.
    pub nat: Arc<NatGateway>,
    /// The addresses the call changed, as they were or became.
    pub touched: Vec<NatAddress>,
}

/// A gateway that can take an address change: available, of the right kind, with its interface.
fn working(tx: &Tx, scope: &Scope, nat_gateway_id: &str, kind: Connectivity) -> Result<(Arc<NatGateway>, String)> {
    let nat = find(tx.region(scope), nat_gateway_id, tx.now())?;
    let interface_id = nat.network_interface_id().filter(|_| nat.is_available()).map(str::to_string);
    let Some(interface_id) = interface_id else {
        return Err(NatGatewayError::NotAvailable(nat.id.clone()).into());
    };
    if nat.connectivity != kind {
        return Err(NatGatewayError::WrongConnectivity { nat_gateway_id: nat.id.clone(), kind: kind.as_str() }.into());
    }
    Ok((nat, interface_id))
}

/// Adds private addresses to the gateway's interface: the named ones (checked like any requested address), then
/// free ones up to `count`.
fn take_addresses(
    tx: &mut Tx,
    scope: &Scope,
    nat: &NatGateway,
    interface_id: &str,
    named: &[String],
    count: usize,
) -> Result<Vec<Ipv4Addr>> {
    if nat.addresses.len() + named.len().max(count) > MAX_ADDRESSES {
        return Err(NatGatewayError::TooManyAddresses.into());
    }
    let subnet = crate::subnet::find(tx.region(scope), &nat.subnet_id)?;
    let mut taken = Vec::new();
    for text in named {
        let region = tx.region(scope);
        let in_use = |address| region.index.private_address_in_use(&subnet.id, address);
        let address = network_interface::check_requested_address(&subnet, in_use, text)?;
        tx.update::<NetworkInterface>(scope, interface_id, |interface| interface.secondary_private_ips.push(address));
        taken.push(address);
    }
    while taken.len() < count {
        let free = network_interface::first_free_address(tx.region(scope), &subnet, None)
            .ok_or_else(|| Ec2Error::InsufficientFreeAddressesInSubnet(subnet.id.clone()))?;
        tx.update::<NetworkInterface>(scope, interface_id, |interface| interface.secondary_private_ips.push(free));
        taken.push(free);
    }
    Ok(taken)
}

/// AssociateNatGatewayAddress: Elastic IPs (each with a new or named private address) for a public gateway.
pub fn associate(
    tx: &mut Tx,
    scope: &Scope,
    nat_gateway_id: &str,
    request: &NatAddressRequest,
) -> Result<NatAddressChange> {
    let (nat, interface_id) = working(tx, scope, nat_gateway_id, Connectivity::Public)?;
    if request.allocation_ids.is_empty() {
        return Err(Ec2Error::MissingParameter("AllocationId".into()));
    }
    for allocation_id in &request.allocation_ids {
        let elastic = address::find(tx.region(scope), allocation_id)?;
        if let Some(association) = &elastic.association {
            return Err(AddressError::AlreadyAssociated {
                allocation_id: allocation_id.clone(),
                association_id: association.association_id.clone(),
            }
            .into());
        }
    }
    let private_ips =
        take_addresses(tx, scope, &nat, &interface_id, &request.private_ips, request.allocation_ids.len())?;
    let mut touched = Vec::new();
    for (allocation_id, private_ip) in request.allocation_ids.iter().zip(private_ips) {
        let public_ip = tx.region(scope).addresses.get(allocation_id.as_str()).map(|a| a.public_ip);
        let association_id = address::associate_with_service(tx, scope, allocation_id, &interface_id, private_ip);
        touched.push(NatAddress {
            allocation_id: Some(allocation_id.clone()),
            network_interface_id: Some(interface_id.clone()),
            private_ip: Some(private_ip),
            public_ip,
            association_id: Some(association_id),
            is_primary: false,
        });
    }
    let added = touched.clone();
    Ok(store(tx, scope, &nat, |addresses| addresses.extend(added), touched))
}

/// DisassociateNatGatewayAddress: secondary Elastic IPs leave (their private addresses go with them).
pub fn disassociate(
    tx: &mut Tx,
    scope: &Scope,
    nat_gateway_id: &str,
    request: &NatAddressRequest,
) -> Result<NatAddressChange> {
    let (nat, interface_id) = working(tx, scope, nat_gateway_id, Connectivity::Public)?;
    if request.association_ids.is_empty() {
        return Err(Ec2Error::MissingParameter("AssociationId".into()));
    }
    let mut touched = Vec::new();
    for association_id in &request.association_ids {
        let found = nat.addresses.iter().find(|a| a.association_id.as_deref() == Some(association_id.as_str()));
        let Some(found) = found else { return Err(Ec2Error::AssociationNotFound(association_id.clone())) };
        if found.is_primary {
            return Err(NatGatewayError::PrimaryAddress(nat.id.clone()).into());
        }
        touched.push(found.clone());
    }
    release(tx, scope, &interface_id, &touched);
    let gone: Vec<Option<String>> = touched.iter().map(|a| a.association_id.clone()).collect();
    Ok(store(tx, scope, &nat, |addresses| addresses.retain(|a| !gone.contains(&a.association_id)), touched))
}

/// AssignPrivateNatGatewayAddress: private addresses for a private gateway.
pub fn assign(
    tx: &mut Tx,
    scope: &Scope,
    nat_gateway_id: &str,
    request: &NatAddressRequest,
) -> Result<NatAddressChange> {
    let (nat, interface_id) = working(tx, scope, nat_gateway_id, Connectivity::Private)?;
    if request.private_ips.is_empty() && request.count.unwrap_or(0) == 0 {
        return Err(Ec2Error::MissingParameter("PrivateIpAddressCount".into()));
    }
    let count = request.count.unwrap_or(0);
    let private_ips = take_addresses(tx, scope, &nat, &interface_id, &request.private_ips, count)?;
    let touched: Vec<NatAddress> = private_ips
        .into_iter()
        .map(|private_ip| NatAddress {
            allocation_id: None,
            network_interface_id: Some(interface_id.clone()),
            private_ip: Some(private_ip),
            public_ip: None,
            association_id: None,
            is_primary: false,
        })
        .collect();
    let added = touched.clone();
    Ok(store(tx, scope, &nat, |addresses| addresses.extend(added), touched))
}

/// UnassignPrivateNatGatewayAddress: secondary private addresses of a private gateway go back to the subnet.
pub fn unassign(
    tx: &mut Tx,
    scope: &Scope,
    nat_gateway_id: &str,
    request: &NatAddressRequest,
) -> Result<NatAddressChange> {
    let (nat, interface_id) = working(tx, scope, nat_gateway_id, Connectivity::Private)?;
    if request.private_ips.is_empty() {
        return Err(Ec2Error::MissingParameter("PrivateIpAddress".into()));
    }
    let mut touched = Vec::new();
    for text in &request.private_ips {
        let found = nat.addresses.iter().find(|a| a.private_ip.is_some_and(|ip| ip.to_string() == text.trim()));
        let Some(found) = found else {
            return Err(
                NatGatewayError::AddressNotOnGateway { nat_gateway_id: nat.id.clone(), address: text.clone() }.into()
            );
        };
        if found.is_primary {
            return Err(NatGatewayError::PrimaryAddress(nat.id.clone()).into());
        }
        touched.push(found.clone());
    }
    release(tx, scope, &interface_id, &touched);
    let gone: Vec<Option<Ipv4Addr>> = touched.iter().map(|a| a.private_ip).collect();
    Ok(store(tx, scope, &nat, |addresses| addresses.retain(|a| !gone.contains(&a.private_ip)), touched))
}

/// Gives the addresses' private IPs back to the subnet and frees their Elastic IPs (which stay allocated).
fn release(tx: &mut Tx, scope: &Scope, interface_id: &str, addresses: &[NatAddress]) {
    for allocation_id in addresses.iter().filter_map(|a| a.allocation_id.as_deref()) {
        tx.update::<address::Address>(scope, allocation_id, |elastic| elastic.association = None);
    }
    let private: Vec<Ipv4Addr> = addresses.iter().filter_map(|a| a.private_ip).collect();
    tx.update::<NetworkInterface>(scope, interface_id, |interface| {
        interface.secondary_private_ips.retain(|ip| !private.contains(ip))
    });
}

fn store(
    tx: &mut Tx,
    scope: &Scope,
    nat: &NatGateway,
    change: impl FnOnce(&mut Vec<NatAddress>),
    touched: Vec<NatAddress>,
) -> NatAddressChange {
    tx.update::<NatGateway>(scope, &nat.id, |nat| change(&mut nat.addresses));
    let nat = tx.get::<NatGateway>(scope, &nat.id).expect("updated above");
    NatAddressChange { nat, touched }
}
