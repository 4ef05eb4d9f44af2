//! Secondary private addresses (spec part 2 §11.4): AssignPrivateIpAddresses and UnassignPrivateIpAddresses.
//! They come from the interface's subnet like a primary address, count against the instance type's addresses per
//! interface once attached, and are delivered to like the primary one.

use std::net::Ipv4Addr;

use super::{check_requested_address, find, first_free_address, NetworkInterface};
use crate::instance_type;
use crate::subnet;
use crate::world::{Scope, Tx};
use crate::{Ec2Error, NetworkInterfaceError, Result};

/// AssignPrivateIpAddresses, decoded.
#[derive(Debug, Clone, Default)]
pub struct AssignPrivateAddresses {
    /// `PrivateIpAddress.N`, as sent.
    pub addresses: Vec<String>,
    /// `SecondaryPrivateIpAddressCount`.
    pub count: Option<u32>,
    /// `AllowReassignment`: take an address another interface of the subnet holds as a secondary one.
    pub allow_reassignment: bool,
}

impl AssignPrivateAddresses {
    /// Addresses by name or by count, not both (AssignPrivateIpAddresses, and an interface specification of
    /// RunInstances).
    // ASSUMPTION (spec §11.4 [D bc] "PrivateIpAddress.N or SecondaryPrivateIpAddressCount"; the code and text [I]).
    pub(crate) fn check_one_form(&self) -> Result<()> {
        if self.count.is_some() && !self.addresses.is_empty() {
            return Err(Ec2Error::InvalidParameterCombination(
                "Specify either private IP addresses or a secondary private IP address count, not both.".into(),
            ));
        }
        Ok(())
    }
}

/// AssignPrivateIpAddresses: the addresses assigned, in order.
pub fn assign(
    tx: &mut Tx,
    scope: &Scope,
    interface_id: &str,
    request: AssignPrivateAddresses,
) -> Result<Vec<Ipv4Addr>> {
    let interface = find(tx.region(scope), interface_id)?;
    super::refuse_if_managed(&interface, super::ManagedChange::Modify)?;
    let subnet = subnet::find(tx.region(scope), &interface.subnet_id)?;
    request.check_one_form()?;
    // Part 2 §16.1: an IPv6-only subnet has no IPv4 addresses to give.
    subnet::ipv6_only::refuse_ipv4_setting(&subnet, Some("privateIpAddress"))?;
    let wanted = match (request.addresses.is_empty(), request.count) {
        (true, None) => {
            return Err(Ec2Error::MissingParameter(
                "Either privateIpAddress or secondaryPrivateIpAddressCount must be specified.".into(),
            ))
        }
        (true, Some(count)) => count as usize,
        (false, _) => request.addresses.len(),
    };
    if let Some(limits) = interface
        .attachment
        .as_ref()
        .and_then(|attachment| tx.region(scope).instances.get(attachment.instance_id.as_str()))
        .and_then(|instance| instance_type::limits(&instance.instance_type))
    {
        if 1 + interface.secondary_private_ips.len() + wanted > limits.ipv4_per_interface as usize {
            return Err(NetworkInterfaceError::PrivateAddressLimitExceeded.into());
        }
    }
    let mut assigned = Vec::with_capacity(wanted);
    if request.addresses.is_empty() {
        for _ in 0..wanted {
            let region = tx.region(scope);
            let address = first_free_address(region, &subnet, None)
                .ok_or_else(|| Ec2Error::InsufficientFreeAddressesInSubnet(subnet.id.clone()))?;
            add_secondary(tx, scope, &interface.id, address);
            assigned.push(address);
        }
        return Ok(assigned);
    }
    for text in &request.addresses {
        let region = tx.region(scope);
        let holder = text.trim().parse().ok().and_then(|address| {
            region.index.private_address_holder(&subnet.id, address).map(|id| (address, id.to_string()))
        });
        match holder {
            // Already this interface's: nothing to do, but it is reported as assigned.
            Some((address, holder)) if holder == interface.id && Some(address) != interface.private_ip => {
                assigned.push(address);
                continue;
            }
            Some((address, holder)) if request.allow_reassignment && holder != interface.id => {
                let other = find(region, &holder)?;
                if other.private_ip == Some(address) {
                    return Err(Ec2Error::IpAddressInUse(address.to_string()));
                }
                tx.update::<NetworkInterface>(scope, &holder, |other| {
                    other.secondary_private_ips.retain(|held| *held != address)
                });
            }
            _ => {}
        }
        let region = tx.region(scope);
        let in_use = |address| region.index.private_address_in_use(&subnet.id, address);
        let address = check_requested_address(&subnet, in_use, text)?;
        add_secondary(tx, scope, &interface.id, address);
        assigned.push(address);
    }
    Ok(assigned)
}

fn add_secondary(tx: &mut Tx, scope: &Scope, interface_id: &str, address: Ipv4Addr) {
    tx.update::<NetworkInterface>(scope, interface_id, |interface| interface.secondary_private_ips.push(address));
}

/// UnassignPrivateIpAddresses: each address must be a secondary address of the interface.
pub fn unassign(tx: &mut Tx, scope: &Scope, interface_id: &str, addresses: &[String]) -> Result<()> {
    let interface = find(tx.region(scope), interface_id)?;
    super::refuse_if_managed(&interface, super::ManagedChange::Modify)?;
    if addresses.is_empty() {
        return Err(Ec2Error::MissingParameter("The request must contain the parameter privateIpAddress".into()));
    }
    let mut parsed = Vec::with_capacity(addresses.len());
    for text in addresses {
        match text.trim().parse::<Ipv4Addr>() {
            Ok(address) if interface.secondary_private_ips.contains(&address) => parsed.push(address),
            _ => return Err(NetworkInterfaceError::AddressNotAssigned(interface.id.clone()).into()),
        }
    }
    tx.update::<NetworkInterface>(scope, interface_id, |interface| {
        interface.secondary_private_ips.retain(|held| !parsed.contains(held))
    });
    Ok(())
}
