//! Secondary indexes of the world: the questions rules ask on every write, answered by lookup instead of by a walk
//! over a whole table.
//!
//! Why they exist: RunInstances looked for each instance's private address by collecting every interface of the
//! region and walking the subnet from its first address (quadratic in the instances launched), and gave each
//! instance its public address after collecting every public address of every region; CreateSubnet walked every
//! subnet and network ACL of the region. With these indexes each of those questions costs a logarithmic lookup,
//! so a launch is linear in the instances it launches.
//!
//! What they are: derived data, never persisted. [`crate::Tx`] keeps them true — `Tx::put` and `Tx::remove` hand
//! each resource's [`crate::Resource::reindex`] the value replaced and the value stored — and loading rebuilds them
//! record by record. They live inside the cloned [`crate::World`] as persistent maps, so a dropped transaction drops
//! its index changes with it, and a reader's snapshot has the indexes of its own version.
//!
//! This module knows keys and IDs, not resource types: each resource module says what it contributes, so the
//! resources import this module and it imports none of them.

mod security_groups;

use std::net::Ipv4Addr;

use crate::cidr::Ipv4Net;

use imbl::{OrdMap, OrdSet};

pub use security_groups::SecurityGroupIndex;
use security_groups::{count, Text};

/// The indexes of one `(account, region)` scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionIndex {
    /// Subnet ID → private address → ID of the interface holding it.
    private_addresses: OrdMap<String, OrdMap<Ipv4Addr, String>>,
    /// Subnet ID → IDs of the interfaces without a private IPv4 address (an IPv6-only subnet's).
    ipv6_only_interfaces: OrdMap<String, OrdSet<String>>,
    /// VPC ID → first address of each subnet block → (last address, subnet ID).
    subnet_blocks: OrdMap<String, OrdMap<u32, (u32, String)>>,
    /// VPC ID → IDs of its IPv6-only subnets (no IPv4 block to file them under, but they count as subnets).
    ipv6_only_subnets: OrdMap<String, OrdSet<String>>,
    /// VPC ID → ID of its default network ACL.
    default_network_acls: OrdMap<String, String>,
    /// Interface ID → allocation ID of the Elastic IP associated with it.
    elastic_ips_by_interface: OrdMap<String, String>,
    /// `ClientToken` → IDs of the instances launched with it.
    instances_by_client_token: OrdMap<String, OrdSet<String>>,
    /// Every instance by (launch sequence, ID): the order DescribeInstances lists them in.
    instances_in_launch_order: OrdSet<(u64, String)>,
    /// The security groups by name and by rule, and which ones interfaces use.
    pub(crate) security_groups: SecurityGroupIndex,
    /// The ID of the scope's default VPC (at most one).
    default_vpc: Option<String>,
    /// Instance ID → IDs of the volumes attached to it.
    volumes_by_instance: OrdMap<String, OrdSet<String>>,
    /// Instance ID → device index → ID of the interface attached there.
    interfaces_by_instance: OrdMap<String, OrdMap<u32, String>>,
    /// Interface attachment ID (`eni-attach-…`) → ID of its interface.
    interfaces_by_attachment: OrdMap<String, String>,
    /// Subnet ID → reserved range (subnet CIDR reservation) → the reservation's ID.
    reserved_ranges: OrdMap<String, OrdMap<Ipv4Net, String>>,
    /// Launch template name → ID (names are unique in a scope).
    launch_templates_by_name: OrdMap<String, String>,
}

/// The indexes that span every scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorldIndex {
    /// Every public address held — Elastic IPs and dynamic addresses of interfaces alike — with its number of
    /// holders (one, unless stored data says otherwise: a count keeps a release from freeing another's address).
    public_addresses: OrdMap<Ipv4Addr, u32>,
    /// Group ID → how many rules of *other* groups (any account) name it.
    referencing_rules: OrdMap<Text, u32>,
    /// VPC ID → IDs of the transit gateway attachments of that VPC that are not deleted, rejected or failed.
    live_vpc_attachments: OrdMap<String, OrdSet<String>>,
    /// Transit gateway ID → IDs of its route tables.
    transit_gateway_route_tables: OrdMap<String, OrdSet<String>>,
}

/// What a resource's `reindex` may change: its scope's indexes and the world's.
#[derive(Debug)]
pub struct Indexes<'a> {
    /// The indexes of the resource's scope.
    pub region: &'a mut RegionIndex,
    /// The indexes that span every scope.
    pub world: &'a mut WorldIndex,
}

impl RegionIndex {
    /// Records that interface `interface_id` holds `address` in subnet `subnet_id`.
    pub fn add_private_address(&mut self, subnet_id: &str, address: Ipv4Addr, interface_id: &str) {
        self.private_addresses.entry(subnet_id.to_string()).or_default().insert(address, interface_id.to_string());
    }

    /// Forgets `address` of subnet `subnet_id`, if interface `interface_id` is the one holding it.
    pub fn remove_private_address(&mut self, subnet_id: &str, address: Ipv4Addr, interface_id: &str) {
        let Some(addresses) = self.private_addresses.get_mut(subnet_id) else {
            return;
        };
        if addresses.get(&address).is_some_and(|holder| holder == interface_id) {
            addresses.remove(&address);
        }
        if addresses.is_empty() {
            self.private_addresses.remove(subnet_id);
        }
    }

    /// How many private addresses of subnet `subnet_id` are held.
    pub fn private_address_count(&self, subnet_id: &str) -> usize {
        self.private_addresses.get(subnet_id).map_or(0, OrdMap::len)
    }

    /// Whether `address` of subnet `subnet_id` is held.
    pub fn private_address_in_use(&self, subnet_id: &str, address: Ipv4Addr) -> bool {
        self.private_addresses.get(subnet_id).is_some_and(|addresses| addresses.contains_key(&address))
    }

    /// The interface holding private address `address` of subnet `subnet_id`.
    pub fn private_address_holder(&self, subnet_id: &str, address: Ipv4Addr) -> Option<&str> {
        self.private_addresses.get(subnet_id).and_then(|addresses| addresses.get(&address)).map(String::as_str)
    }

    /// The held private addresses of subnet `subnet_id` from `from` on, in ascending order, with their interfaces.
    pub fn private_addresses_from(
        &self,
        subnet_id: &str,
        from: Ipv4Addr,
    ) -> impl Iterator<Item = (Ipv4Addr, &str)> + '_ {
        self.private_addresses
            .get(subnet_id)
            .into_iter()
            .flat_map(move |addresses| addresses.range(from..))
            .map(|(address, interface_id)| (*address, interface_id.as_str()))
    }

    /// Files (or unfiles) interface `interface_id` among subnet `subnet_id`'s IPv6-only interfaces.
    pub fn set_ipv6_only_interface(&mut self, subnet_id: &str, interface_id: &str, present: bool) {
        set_member(&mut self.ipv6_only_interfaces, subnet_id, interface_id, present);
    }

    /// The IDs of subnet `subnet_id`'s interfaces without a private IPv4 address.
    pub fn ipv6_only_interfaces(&self, subnet_id: &str) -> impl Iterator<Item = &str> + '_ {
        self.ipv6_only_interfaces.get(subnet_id).into_iter().flatten().map(String::as_str)
    }

    /// Records subnet `subnet_id` of VPC `vpc_id` with the IPv4 block `first..=last` (none: an IPv6-only subnet).
    pub fn add_subnet_block(&mut self, vpc_id: &str, range: Option<(u32, u32)>, subnet_id: &str) {
        match range {
            Some((first, last)) => {
                self.subnet_blocks.entry(vpc_id.to_string()).or_default().insert(first, (last, subnet_id.to_string()));
            }
            None => set_member(&mut self.ipv6_only_subnets, vpc_id, subnet_id, true),
        }
    }

    /// Forgets subnet `subnet_id` of VPC `vpc_id`, filed under the IPv4 block starting at `first` (none: an
    /// IPv6-only subnet).
    pub fn remove_subnet_block(&mut self, vpc_id: &str, first: Option<u32>, subnet_id: &str) {
        let Some(first) = first else {
            return set_member(&mut self.ipv6_only_subnets, vpc_id, subnet_id, false);
        };
        let Some(blocks) = self.subnet_blocks.get_mut(vpc_id) else {
            return;
        };
        if blocks.get(&first).is_some_and(|(_, holder)| holder == subnet_id) {
            blocks.remove(&first);
        }
        if blocks.is_empty() {
            self.subnet_blocks.remove(vpc_id);
        }
    }

    /// A subnet of VPC `vpc_id` whose block overlaps `first..=last`, if any. The blocks of one VPC never overlap
    /// each other, so only the block starting last at or before `first` and the block starting first after it
    /// can overlap.
    pub fn overlapping_subnet(&self, vpc_id: &str, first: u32, last: u32) -> Option<&str> {
        let blocks = self.subnet_blocks.get(vpc_id)?;
        if let Some((_, (end, subnet_id))) = blocks.range(..=first).next_back() {
            if *end >= first {
                return Some(subnet_id);
            }
        }
        match blocks.range(first..).next() {
            Some((start, (_, subnet_id))) if *start <= last => Some(subnet_id),
            _ => None,
        }
    }

    /// How many subnets VPC `vpc_id` has.
    pub fn subnet_count(&self, vpc_id: &str) -> usize {
        self.subnet_blocks.get(vpc_id).map_or(0, OrdMap::len)
            + self.ipv6_only_subnets.get(vpc_id).map_or(0, OrdSet::len)
    }

    /// Records `network_acl_id` as VPC `vpc_id`'s default network ACL.
    pub fn set_default_network_acl(&mut self, vpc_id: &str, network_acl_id: &str) {
        self.default_network_acls.insert(vpc_id.to_string(), network_acl_id.to_string());
    }

    /// Forgets VPC `vpc_id`'s default network ACL, if it is `network_acl_id`.
    pub fn remove_default_network_acl(&mut self, vpc_id: &str, network_acl_id: &str) {
        if self.default_network_acls.get(vpc_id).is_some_and(|holder| holder == network_acl_id) {
            self.default_network_acls.remove(vpc_id);
        }
    }

    /// The ID of VPC `vpc_id`'s default network ACL.
    pub fn default_network_acl(&self, vpc_id: &str) -> Option<&str> {
        self.default_network_acls.get(vpc_id).map(String::as_str)
    }

    /// Records that Elastic IP `allocation_id` is associated with interface `interface_id`.
    pub fn add_elastic_ip_association(&mut self, interface_id: &str, allocation_id: &str) {
        self.elastic_ips_by_interface.insert(interface_id.to_string(), allocation_id.to_string());
    }

    /// Forgets the association of interface `interface_id`, if it is Elastic IP `allocation_id`'s.
    pub fn remove_elastic_ip_association(&mut self, interface_id: &str, allocation_id: &str) {
        if self.elastic_ips_by_interface.get(interface_id).is_some_and(|holder| holder == allocation_id) {
            self.elastic_ips_by_interface.remove(interface_id);
        }
    }

    /// The allocation ID of the Elastic IP associated with interface `interface_id`.
    pub fn elastic_ip_of_interface(&self, interface_id: &str) -> Option<&str> {
        self.elastic_ips_by_interface.get(interface_id).map(String::as_str)
    }

    /// Records that instance `instance_id` was launched with `client_token`.
    pub fn add_client_token(&mut self, client_token: &str, instance_id: &str) {
        self.instances_by_client_token.entry(client_token.to_string()).or_default().insert(instance_id.to_string());
    }

    /// Forgets that instance `instance_id` was launched with `client_token`.
    pub fn remove_client_token(&mut self, client_token: &str, instance_id: &str) {
        let Some(instances) = self.instances_by_client_token.get_mut(client_token) else {
            return;
        };
        instances.remove(instance_id);
        if instances.is_empty() {
            self.instances_by_client_token.remove(client_token);
        }
    }

    /// Records instance `instance_id`, launched `sequence`-th.
    pub fn add_launched_instance(&mut self, sequence: u64, instance_id: &str) {
        self.instances_in_launch_order.insert((sequence, instance_id.to_string()));
    }

    /// Forgets instance `instance_id`, launched `sequence`-th.
    pub fn remove_launched_instance(&mut self, sequence: u64, instance_id: &str) {
        self.instances_in_launch_order.remove(&(sequence, instance_id.to_string()));
    }

    /// The IDs of the instances in launch order, from (`sequence`, `instance_id`) on when given.
    pub fn instances_in_launch_order(&self, from: Option<(u64, &str)>) -> impl Iterator<Item = &str> + '_ {
        let start = from.map(|(sequence, id)| (sequence, id.to_string()));
        let items: Box<dyn Iterator<Item = &(u64, String)>> = match start {
            Some(start) => Box::new(self.instances_in_launch_order.range(start..)),
            None => Box::new(self.instances_in_launch_order.iter()),
        };
        items.map(|(_, id)| id.as_str())
    }

    /// Records that volume `volume_id` is attached to instance `instance_id`.
    pub fn add_instance_volume(&mut self, instance_id: &str, volume_id: &str) {
        self.volumes_by_instance.entry(instance_id.to_string()).or_default().insert(volume_id.to_string());
    }

    /// Forgets that volume `volume_id` is attached to instance `instance_id`.
    pub fn remove_instance_volume(&mut self, instance_id: &str, volume_id: &str) {
        let Some(volumes) = self.volumes_by_instance.get_mut(instance_id) else {
            return;
        };
        volumes.remove(volume_id);
        if volumes.is_empty() {
            self.volumes_by_instance.remove(instance_id);
        }
    }

    /// The IDs of the volumes attached to instance `instance_id`, in ID order.
    pub fn volumes_of_instance(&self, instance_id: &str) -> impl Iterator<Item = &str> + '_ {
        self.volumes_by_instance.get(instance_id).into_iter().flat_map(|volumes| volumes.iter().map(String::as_str))
    }

    /// Records that interface `interface_id` is attached to instance `instance_id` at `device_index` by attachment
    /// `attachment_id`.
    pub fn add_interface_attachment(
        &mut self,
        instance_id: &str,
        device_index: u32,
        attachment_id: &str,
        interface_id: &str,
    ) {
        self.interfaces_by_instance
            .entry(instance_id.to_string())
            .or_default()
            .insert(device_index, interface_id.to_string());
        self.interfaces_by_attachment.insert(attachment_id.to_string(), interface_id.to_string());
    }

    /// Forgets the attachment [`RegionIndex::add_interface_attachment`] recorded.
    pub fn remove_interface_attachment(&mut self, instance_id: &str, device_index: u32, attachment_id: &str) {
        if let Some(devices) = self.interfaces_by_instance.get_mut(instance_id) {
            devices.remove(&device_index);
            if devices.is_empty() {
                self.interfaces_by_instance.remove(instance_id);
            }
        }
        self.interfaces_by_attachment.remove(attachment_id);
    }

    /// The interfaces attached to instance `instance_id`: device index and interface ID, by device index.
    pub fn interfaces_of_instance(&self, instance_id: &str) -> impl Iterator<Item = (u32, &str)> + '_ {
        self.interfaces_by_instance
            .get(instance_id)
            .into_iter()
            .flat_map(|devices| devices.iter().map(|(device, id)| (*device, id.as_str())))
    }

    /// The interface of attachment `attachment_id`.
    pub fn interface_of_attachment(&self, attachment_id: &str) -> Option<&str> {
        self.interfaces_by_attachment.get(attachment_id).map(String::as_str)
    }

    /// Records reservation `id` of `range` in subnet `subnet_id`.
    pub fn add_reserved_range(&mut self, subnet_id: &str, range: &Ipv4Net, id: &str) {
        self.reserved_ranges.entry(subnet_id.to_string()).or_default().insert(*range, id.to_string());
    }

    /// Forgets the reservation of `range` in subnet `subnet_id`.
    pub fn remove_reserved_range(&mut self, subnet_id: &str, range: &Ipv4Net) {
        if let Some(ranges) = self.reserved_ranges.get_mut(subnet_id) {
            ranges.remove(range);
            if ranges.is_empty() {
                self.reserved_ranges.remove(subnet_id);
            }
        }
    }

    /// The reserved ranges of subnet `subnet_id`, in address order, with their reservations' IDs.
    pub fn reserved_ranges(&self, subnet_id: &str) -> impl Iterator<Item = (Ipv4Net, &str)> + '_ {
        self.reserved_ranges
            .get(subnet_id)
            .into_iter()
            .flat_map(|ranges| ranges.iter().map(|(r, id)| (*r, id.as_str())))
    }

    /// Records launch template `template_id` under `name`.
    pub fn add_launch_template_name(&mut self, name: &str, template_id: &str) {
        self.launch_templates_by_name.insert(name.to_string(), template_id.to_string());
    }

    /// Forgets `name`, if it is launch template `template_id`'s.
    pub fn remove_launch_template_name(&mut self, name: &str, template_id: &str) {
        if self.launch_templates_by_name.get(name).is_some_and(|holder| holder == template_id) {
            self.launch_templates_by_name.remove(name);
        }
    }

    /// The ID of the launch template named `name`.
    pub fn launch_template_by_name(&self, name: &str) -> Option<&str> {
        self.launch_templates_by_name.get(name).map(String::as_str)
    }

    /// The security group lookups.
    pub fn security_groups(&self) -> &SecurityGroupIndex {
        &self.security_groups
    }

    /// Records `vpc_id` as the default VPC.
    pub fn set_default_vpc(&mut self, vpc_id: &str) {
        self.default_vpc = Some(vpc_id.to_string());
    }

    /// Forgets the default VPC, if it is `vpc_id`.
    pub fn remove_default_vpc(&mut self, vpc_id: &str) {
        if self.default_vpc.as_deref() == Some(vpc_id) {
            self.default_vpc = None;
        }
    }

    /// The ID of the default VPC.
    pub fn default_vpc(&self) -> Option<&str> {
        self.default_vpc.as_deref()
    }

    /// The IDs of the instances launched with `client_token`, in ID order.
    pub fn instances_with_client_token(&self, client_token: &str) -> impl Iterator<Item = &str> + '_ {
        self.instances_by_client_token.get(client_token).into_iter().flat_map(|ids| ids.iter().map(String::as_str))
    }
}

impl WorldIndex {
    /// Records one more holder of public address `address`.
    pub fn hold_public_address(&mut self, address: Ipv4Addr) {
        *self.public_addresses.entry(address).or_insert(0) += 1;
    }

    /// Records one holder fewer of public address `address`.
    pub fn release_public_address(&mut self, address: Ipv4Addr) {
        let Some(holders) = self.public_addresses.get_mut(&address) else {
            return;
        };
        *holders -= 1;
        if *holders == 0 {
            self.public_addresses.remove(&address);
        }
    }

    /// One rule of another group more (`delta` 1) or fewer (−1) names group `group_id`.
    pub fn count_group_reference(&mut self, group_id: &str, delta: i64) {
        count(&mut self.referencing_rules, group_id, delta);
    }

    /// Whether a rule of another group (any account) names group `group_id`.
    pub fn is_group_referenced(&self, group_id: &str) -> bool {
        self.referencing_rules.get(group_id).is_some_and(|count| *count > 0)
    }

    /// Records (`live`) or forgets a live transit gateway attachment of VPC `vpc_id`.
    pub fn set_live_vpc_attachment(&mut self, vpc_id: &str, attachment_id: &str, live: bool) {
        set_member(&mut self.live_vpc_attachments, vpc_id, attachment_id, live);
    }

    /// The live transit gateway attachments of VPC `vpc_id` (VPC IDs are unique across scopes).
    pub fn live_vpc_attachments(&self, vpc_id: &str) -> impl Iterator<Item = &str> {
        self.live_vpc_attachments.get(vpc_id).into_iter().flatten().map(String::as_str)
    }

    /// Records (`present`) or forgets route table `table_id` of transit gateway `gateway_id`.
    pub fn set_transit_gateway_route_table(&mut self, gateway_id: &str, table_id: &str, present: bool) {
        set_member(&mut self.transit_gateway_route_tables, gateway_id, table_id, present);
    }

    /// The route tables of transit gateway `gateway_id`.
    pub fn transit_gateway_route_tables(&self, gateway_id: &str) -> impl Iterator<Item = &str> {
        self.transit_gateway_route_tables.get(gateway_id).into_iter().flatten().map(String::as_str)
    }

    /// Whether some Elastic IP or interface of any scope holds public address `address`.
    pub fn public_address_in_use(&self, address: Ipv4Addr) -> bool {
        self.public_addresses.contains_key(&address)
    }
}

/// Adds `member` to (or removes it from) the set under `key`, dropping a set that becomes empty.
fn set_member(map: &mut OrdMap<String, OrdSet<String>>, key: &str, member: &str, present: bool) {
    if present {
        map.entry(key.to_string()).or_default().insert(member.to_string());
    } else if let Some(members) = map.get_mut(key) {
        members.remove(member);
        if members.is_empty() {
            map.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> Ipv4Addr {
        text.parse().unwrap()
    }

    #[test]
    fn private_addresses_are_counted_and_walked_in_order() {
        let mut index = RegionIndex::default();
        index.add_private_address("subnet-1", ip("10.0.0.6"), "eni-b");
        index.add_private_address("subnet-1", ip("10.0.0.4"), "eni-a");
        index.add_private_address("subnet-2", ip("10.0.1.4"), "eni-c");
        assert_eq!(index.private_address_count("subnet-1"), 2);
        let walked: Vec<_> = index.private_addresses_from("subnet-1", ip("10.0.0.5")).collect();
        assert_eq!(walked, vec![(ip("10.0.0.6"), "eni-b")]);
        // Only the holder can forget an address.
        index.remove_private_address("subnet-1", ip("10.0.0.4"), "eni-other");
        assert!(index.private_address_in_use("subnet-1", ip("10.0.0.4")));
        index.remove_private_address("subnet-1", ip("10.0.0.4"), "eni-a");
        index.remove_private_address("subnet-1", ip("10.0.0.6"), "eni-b");
        assert_eq!(index.private_address_count("subnet-1"), 0);
        assert!(index.private_addresses.get("subnet-1").is_none(), "an emptied subnet leaves no entry behind");
    }

    #[test]
    fn overlaps_are_found_on_both_sides() {
        let mut index = RegionIndex::default();
        let block = |text: &str| {
            let net: ipnet::Ipv4Net = text.parse().unwrap();
            (u32::from(net.network()), u32::from(net.broadcast()))
        };
        let (first, last) = block("10.0.1.0/24");
        index.add_subnet_block("vpc-1", Some((first, last)), "subnet-a");
        let (first, last) = block("10.0.4.0/22");
        index.add_subnet_block("vpc-1", Some((first, last)), "subnet-b");
        let overlap = |text: &str| {
            let (first, last) = block(text);
            index.overlapping_subnet("vpc-1", first, last).map(str::to_string)
        };
        assert_eq!(overlap("10.0.1.128/25").as_deref(), Some("subnet-a"));
        assert_eq!(overlap("10.0.0.0/16").as_deref(), Some("subnet-a"));
        assert_eq!(overlap("10.0.6.0/24").as_deref(), Some("subnet-b"));
        assert_eq!(overlap("10.0.2.0/23").as_deref(), None);
        assert_eq!(overlap("10.0.8.0/24").as_deref(), None);
        assert_eq!(index.overlapping_subnet("vpc-2", first, last), None);
        assert_eq!(index.subnet_count("vpc-1"), 2);
    }

    #[test]
    fn a_public_address_stays_held_while_it_has_a_holder() {
        let mut index = WorldIndex::default();
        index.hold_public_address(ip("198.18.0.1"));
        index.hold_public_address(ip("198.18.0.1"));
        index.release_public_address(ip("198.18.0.1"));
        assert!(index.public_address_in_use(ip("198.18.0.1")));
        index.release_public_address(ip("198.18.0.1"));
        assert!(!index.public_address_in_use(ip("198.18.0.1")));
        index.release_public_address(ip("198.18.0.1"));
        assert!(!index.public_address_in_use(ip("198.18.0.1")));
    }

    #[test]
    fn instances_list_in_launch_order_from_any_instance() {
        let mut index = RegionIndex::default();
        index.add_launched_instance(7, "i-a");
        index.add_launched_instance(3, "i-z");
        index.add_launched_instance(5, "i-m");
        assert_eq!(index.instances_in_launch_order(None).collect::<Vec<_>>(), vec!["i-z", "i-m", "i-a"]);
        assert_eq!(index.instances_in_launch_order(Some((5, "i-m"))).collect::<Vec<_>>(), vec!["i-m", "i-a"]);
        index.remove_launched_instance(5, "i-m");
        assert_eq!(index.instances_in_launch_order(None).collect::<Vec<_>>(), vec!["i-z", "i-a"]);
    }

    #[test]
    fn client_tokens_list_their_instances_in_id_order() {
        let mut index = RegionIndex::default();
        index.add_client_token("token", "i-2");
        index.add_client_token("token", "i-1");
        assert_eq!(index.instances_with_client_token("token").collect::<Vec<_>>(), vec!["i-1", "i-2"]);
        index.remove_client_token("token", "i-1");
        index.remove_client_token("token", "i-2");
        assert_eq!(index.instances_with_client_token("token").count(), 0);
        assert!(index.instances_by_client_token.is_empty());
    }
}
