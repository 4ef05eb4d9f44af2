//! IPv6 addresses of network interfaces (part 2 §16.1): `Ipv6AddressCount` / `Ipv6Addresses.N` at creation and
//! launch, AssignIpv6Addresses and UnassignIpv6Addresses. An address comes from the subnet's /64, never one of its
//! first four or its last (§16.1 [D]), is held by one interface at a time, and is released with the interface (at
//! termination); an attached interface holds at most its instance type's `ipv6AddressesPerInterface`.

use std::net::Ipv6Addr;

use super::{find, refuse_if_managed, ManagedChange, NetworkInterface};
use crate::error::Ipv6Error;
use crate::ipv6::Ipv6Net;
use crate::world::{RegionState, Scope, Tx};
use crate::{Ec2Error, Result};

/// What an assignment asks for: a number of addresses picked for it, or these addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssignIpv6Addresses {
    /// `Ipv6AddressCount`.
    pub count: Option<i64>,
    /// `Ipv6Addresses.N`, as sent.
    pub addresses: Vec<String>,
}

impl AssignIpv6Addresses {
    /// Whether the request asks for any address.
    pub fn is_empty(&self) -> bool {
        self.count.unwrap_or(0) == 0 && self.addresses.is_empty()
    }
}

/// Part 2 §16.1 [D]: the first four addresses of a /64 and its last are reserved.
fn usable(block: &Ipv6Net, address: Ipv6Addr) -> bool {
    let offset = u128::from(address) - u128::from(block.network());
    block.contains(&address) && offset >= 4 && address != block.broadcast()
}

fn in_use(region: &RegionState, subnet_id: &str, address: Ipv6Addr) -> bool {
    super::in_subnet(region, subnet_id).any(|interface| interface.ipv6_addresses.contains(&address))
}

/// The addresses `request` gives `interface`, checked.
fn pick(region: &RegionState, interface: &NetworkInterface, request: &AssignIpv6Addresses) -> Result<Vec<Ipv6Addr>> {
    if request.count.is_some() && !request.addresses.is_empty() {
        return Err(Ec2Error::InvalidParameterCombination(
            "Only one of ipv6AddressCount and ipv6Addresses may be specified.".into(),
        ));
    }
    let subnet = crate::subnet::find(region, &interface.subnet_id)?;
    let block = subnet.ipv6_cidr_block().ok_or_else(|| Ipv6Error::SubnetHasNoIpv6Block(subnet.id.clone()))?;
    let mut picked = Vec::new();
    for text in &request.addresses {
        let address: Ipv6Addr = text.parse().map_err(|_| Ipv6Error::AddressOutsideSubnet(text.clone()))?;
        if !usable(&block, address) {
            return Err(Ipv6Error::AddressOutsideSubnet(text.clone()).into());
        }
        if in_use(region, &subnet.id, address) || picked.contains(&address) {
            return Err(Ipv6Error::AddressInUse(address.to_string()).into());
        }
        picked.push(address);
    }
    let count = request.count.unwrap_or(0);
    if count < 0 {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "Value ({count}) for parameter ipv6AddressCount is invalid."
        )));
    }
    // ASSUMPTION (AWS picks addresses at random): the lowest free addresses after the reserved ones, so answers
    // are predictable.
    let mut candidate = u128::from(block.network()) + 4;
    while (picked.len() as i64) < count {
        let address = Ipv6Addr::from(candidate);
        if !in_use(region, &subnet.id, address) && !picked.contains(&address) {
            picked.push(address);
        }
        candidate += 1;
    }
    Ok(picked)
}

/// The most IPv6 addresses `interface` may hold: its instance type's limit while attached, none otherwise
/// (ASSUMPTION [I]: AWS checks the limit against the instance the interface is attached to).
fn limit(region: &RegionState, interface: &NetworkInterface) -> Option<u32> {
    let attachment = interface.attachment.as_ref()?;
    let instance = region.instances.get(attachment.instance_id.as_str())?;
    crate::instance_type::limits(&instance.instance_type).map(|limits| limits.ipv6_per_interface)
}

/// AssignIpv6Addresses (and the addresses of a creation or launch): returns the addresses assigned.
pub fn assign_ipv6(
    tx: &mut Tx,
    scope: &Scope,
    interface_id: &str,
    request: &AssignIpv6Addresses,
) -> Result<Vec<Ipv6Addr>> {
    let region = tx.region(scope);
    let interface = find(region, interface_id)?;
    refuse_if_managed(&interface, ManagedChange::Modify)?;
    let picked = pick(region, &interface, request)?;
    if let Some(limit) = limit(region, &interface) {
        if interface.ipv6_addresses.len() + picked.len() > limit as usize {
            return Err(Ipv6Error::AddressLimitExceeded { interface_id: interface.id.clone(), limit }.into());
        }
    }
    let added = picked.clone();
    tx.update::<NetworkInterface>(scope, &interface.id, |interface| interface.ipv6_addresses.extend(added));
    Ok(picked)
}

/// UnassignIpv6Addresses: every address must be the interface's; returns them.
pub fn unassign_ipv6(tx: &mut Tx, scope: &Scope, interface_id: &str, texts: &[String]) -> Result<Vec<Ipv6Addr>> {
    let interface = find(tx.region(scope), interface_id)?;
    refuse_if_managed(&interface, ManagedChange::Modify)?;
    let mut removed = Vec::new();
    for text in texts {
        let address = text.parse::<Ipv6Addr>().ok().filter(|address| interface.ipv6_addresses.contains(address));
        let Some(address) = address else {
            return Err(
                Ipv6Error::AddressNotAssigned { address: text.clone(), interface_id: interface.id.clone() }.into()
            );
        };
        removed.push(address);
    }
    // Part 2 §16.1: an interface of an IPv6-only subnet keeps one IPv6 address at least (it has no other).
    let left = interface.ipv6_addresses.iter().filter(|address| !removed.contains(address)).count();
    let subnet = crate::subnet::find(tx.region(scope), &interface.subnet_id)?;
    crate::subnet::ipv6_only::refuse_without_ipv6(&subnet, left)?;
    tx.update::<NetworkInterface>(scope, &interface.id, |interface| {
        interface.ipv6_addresses.retain(|address| !removed.contains(address))
    });
    Ok(removed)
}

/// Part 2 §16.1 [D]: what a new interface of a launch gets — the addresses asked for, else one when its subnet
/// assigns IPv6 addresses on creation.
pub fn for_launch(region: &RegionState, subnet_id: &str, request: &AssignIpv6Addresses) -> AssignIpv6Addresses {
    if !request.is_empty() {
        return request.clone();
    }
    let automatic = region.subnets.get(subnet_id).is_some_and(|subnet| subnet.assign_ipv6_address_on_creation);
    AssignIpv6Addresses { count: automatic.then_some(1), addresses: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_four_addresses_and_the_last_of_a_64_are_reserved() {
        let block: Ipv6Net = "2600:1f21:0:1::/64".parse().unwrap();
        let at = |text: &str| usable(&block, text.parse().unwrap());
        assert!(!at("2600:1f21:0:1::"));
        assert!(!at("2600:1f21:0:1::3"));
        assert!(at("2600:1f21:0:1::4"));
        assert!(at("2600:1f21:0:1:ffff:ffff:ffff:fffe"));
        assert!(!at("2600:1f21:0:1:ffff:ffff:ffff:ffff"));
        assert!(!at("2600:1f21:0:2::4"));
    }
}
