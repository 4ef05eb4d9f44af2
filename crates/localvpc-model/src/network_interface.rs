//! Elastic network interfaces (spec §2.9): the one interface each instance gets, its private address (picked from
//! the subnet, skipping the five reserved addresses), its dynamic public address, and the names of both.
//!
//! An interface holds only its *dynamic* public address; an Elastic IP associated with it lives on the
//! [`Address`](crate::address::Address), and [`public_address`] combines the two (the Elastic IP wins, spec §2.10).
//! Interfaces are created by RunInstances and deleted when their instance terminates, or on their own by
//! CreateNetworkInterface ([`manage`]), attached to and detached from instances ([`attach`]); secondary private
//! addresses are assigned at launch or by AssignPrivateIpAddresses ([`addresses`]).

mod addresses;
mod attach;
mod filters;
mod ipv6_addresses;
mod manage;
mod managed;

pub use addresses::{assign, unassign, AssignPrivateAddresses};
pub(crate) use attach::attach_at_launch;
pub use attach::{attach, detach};
pub use filters::NetworkInterfaceView;
pub use ipv6_addresses::{assign_ipv6, for_launch as ipv6_for_launch, unassign_ipv6, AssignIpv6Addresses};
pub use manage::{create, delete, modify_attribute, CreateNetworkInterface, InterfaceAttribute, InterfaceChange};
pub use managed::{create_requester_managed, refuse_if_managed, ManagedBy, ManagedChange, ManagingService};

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::address::{self, Address};
use crate::cidr;
use crate::dns_name;
use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::index::Indexes;
use crate::subnet::{Subnet, RESERVED_ADDRESSES};
use crate::tags::Tags;
use crate::world::{RegionState, Resource, Scope, Table, Timestamp, Tx};
use crate::{Ec2Error, Result};

/// A network interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkInterface {
    /// `eni-…`.
    pub id: String,
    /// Its subnet.
    pub subnet_id: String,
    /// Its subnet's VPC.
    pub vpc_id: String,
    /// Owning account.
    pub owner_id: String,
    /// The region, for its names.
    pub region: String,
    /// Zone name.
    pub availability_zone: String,
    /// Zone ID.
    pub availability_zone_id: String,
    /// `Description`.
    pub description: String,
    /// `0a:…`, derived from the ID.
    pub mac_address: String,
    /// The primary private IPv4 address; none in an IPv6-only subnet (part 2 §16.1 [D]: IPv6 addresses only).
    pub private_ip: Option<Ipv4Addr>,
    /// Secondary private addresses (AssignPrivateIpAddresses), in the order they were assigned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secondary_private_ips: Vec<Ipv4Addr>,
    /// IPv6 addresses (part 2 §16.1), in the order they were assigned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv6_addresses: Vec<Ipv6Addr>,
    /// Security groups, in request order.
    pub security_group_ids: Vec<String>,
    /// `sourceDestCheck`.
    pub source_dest_check: bool,
    /// The instance it is attached to.
    pub attachment: Option<InterfaceAttachment>,
    /// The dynamic public address (an associated Elastic IP is not stored here).
    pub public_ip: Option<Ipv4Addr>,
    /// Spec §2.9 [D]: decided at launch — the interface gets a dynamic public address whenever it has none and
    /// its instance runs (after start, after an Elastic IP is disassociated).
    pub assign_public_ip: bool,
    /// The AWS service that created and holds the interface (part 2 §11.5); `None` for the user's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<ManagedBy>,
    /// Tags.
    pub tags: Tags,
}

/// The attachment of an interface to an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterfaceAttachment {
    /// `eni-attach-…`.
    pub attachment_id: String,
    /// The instance.
    pub instance_id: String,
    /// `0` for the primary interface.
    pub device_index: u32,
    /// Deleted with the instance.
    pub delete_on_termination: bool,
    /// When it was attached.
    pub attach_time: Timestamp,
}

impl Resource for NetworkInterface {
    const KIND: &'static str = "network_interface";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.network_interfaces
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.network_interfaces
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
    /// The private address by subnet (address allocation, free counts), the dynamic public address (the one
    /// public allocator of every scope), and the attachment (an instance's interfaces by device index).
    fn reindex(index: &mut Indexes<'_>, old: Option<&Self>, new: Option<&Self>) {
        let same_private = |a: &Self, b: &Self| {
            a.subnet_id == b.subnet_id
                && a.private_ip == b.private_ip
                && a.secondary_private_ips == b.secondary_private_ips
        };
        if !matches!((old, new), (Some(old), Some(new)) if same_private(old, new)) {
            // An IPv6-only interface holds no IPv4 address to file it under; its subnet still knows it
            // (DeleteSubnet's dependency check, IPv6 address uniqueness).
            if let Some(old) = old {
                for address in old.private_ips() {
                    index.region.remove_private_address(&old.subnet_id, address, &old.id);
                }
                index.region.set_ipv6_only_interface(&old.subnet_id, &old.id, false);
            }
            if let Some(new) = new {
                for address in new.private_ips() {
                    index.region.add_private_address(&new.subnet_id, address, &new.id);
                }
                index.region.set_ipv6_only_interface(&new.subnet_id, &new.id, new.ipv6_native());
            }
        }
        let (old_public, new_public) = (old.and_then(|old| old.public_ip), new.and_then(|new| new.public_ip));
        if old_public != new_public {
            old_public.into_iter().for_each(|ip| index.world.release_public_address(ip));
            new_public.into_iter().for_each(|ip| index.world.hold_public_address(ip));
        }
        crate::security_group::index::interface_changed(index, old, new);
        fn attached(interface: Option<&NetworkInterface>) -> Option<(&str, u32, &str)> {
            interface.and_then(|interface| interface.attachment.as_ref()).map(|attachment| {
                (attachment.instance_id.as_str(), attachment.device_index, attachment.attachment_id.as_str())
            })
        }
        let (old_attachment, new_attachment) = (attached(old), attached(new));
        if old_attachment != new_attachment {
            if let Some((instance_id, device, attachment_id)) = old_attachment {
                index.region.remove_interface_attachment(instance_id, device, attachment_id);
            }
            if let (Some((instance_id, device, attachment_id)), Some(new)) = (new_attachment, new) {
                index.region.add_interface_attachment(instance_id, device, attachment_id, &new.id);
            }
        }
    }
}

impl NetworkInterface {
    /// A new interface `id` in `subnet` with its primary address: no groups, no attachment, no public address, the
    /// source/destination check on (RunInstances and CreateNetworkInterface fill in the rest).
    pub(crate) fn new_in(
        scope: &Scope,
        subnet: &Subnet,
        id: String,
        description: String,
        private_ip: Option<Ipv4Addr>,
    ) -> Self {
        NetworkInterface {
            mac_address: mac_address(&id),
            id,
            subnet_id: subnet.id.clone(),
            vpc_id: subnet.vpc_id.clone(),
            owner_id: scope.account.clone(),
            region: scope.region.clone(),
            availability_zone: subnet.availability_zone.clone(),
            availability_zone_id: subnet.availability_zone_id.clone(),
            description,
            private_ip,
            secondary_private_ips: Vec::new(),
            ipv6_addresses: Vec::new(),
            security_group_ids: Vec::new(),
            source_dest_check: true,
            attachment: None,
            public_ip: None,
            assign_public_ip: false,
            managed_by: None,
            tags: Tags::default(),
        }
    }

    /// `status`: `in-use` while an instance or a service holds it.
    pub fn status(&self) -> &'static str {
        if self.attachment.is_some() || self.managed_by.is_some() {
            "in-use"
        } else {
            "available"
        }
    }

    /// `interfaceType`: `interface` for the user's own, the service's type for a requester-managed one.
    pub fn interface_type(&self) -> &'static str {
        self.managed_by.as_ref().map_or("interface", |managed| managed.service.interface_type())
    }

    /// Every private IPv4 address: the primary, then the secondary ones (none in an IPv6-only subnet).
    pub fn private_ips(&self) -> impl Iterator<Item = Ipv4Addr> + '_ {
        self.private_ip.into_iter().chain(self.secondary_private_ips.iter().copied())
    }

    /// Spec §4.2 [D]: the private IP name, which every interface with a private IPv4 address has.
    pub fn private_dns_name(&self) -> Option<String> {
        self.private_ip.map(|ip| dns_name::private_dns_name(&self.region, ip))
    }

    /// `ipv6Native`: an interface of an IPv6-only subnet, the one kind without a private IPv4 address.
    pub fn ipv6_native(&self) -> bool {
        self.private_ip.is_none()
    }
}

/// The public address of an interface as clients see it: an associated Elastic IP, else the dynamic address.
#[derive(Debug, Clone, Copy)]
pub struct PublicAddress<'a> {
    /// The address.
    pub ip: Ipv4Addr,
    /// The Elastic IP, when the address is one.
    pub elastic: Option<&'a Address>,
}

impl PublicAddress<'_> {
    /// `ipOwnerId`: the account for an Elastic IP, `amazon` for a dynamic address.
    pub fn ip_owner_id(&self) -> &str {
        self.elastic.map_or("amazon", |address| address.owner_id.as_str())
    }
}

/// Spec §2.10 [D]: an associated Elastic IP replaces the dynamic address.
pub fn public_address<'a>(region: &'a RegionState, interface: &NetworkInterface) -> Option<PublicAddress<'a>> {
    match address::associated_with(region, &interface.id) {
        Some(elastic) => Some(PublicAddress { ip: elastic.public_ip, elastic: Some(elastic) }),
        None => interface.public_ip.map(|ip| PublicAddress { ip, elastic: None }),
    }
}

/// Spec §2.9/§4.2 [D]: the public name exists only for a public address in a VPC with both DNS attributes on. It
/// is computed from current state, so enabling the attributes later back-fills it.
pub fn public_dns_name(region: &RegionState, interface: &NetworkInterface) -> Option<String> {
    let public = public_address(region, interface)?;
    let vpc = region.vpcs.get(interface.vpc_id.as_str())?;
    (vpc.enable_dns_support && vpc.enable_dns_hostnames)
        .then(|| dns_name::public_dns_name(&interface.region, public.ip))
}

/// Looks an interface up, checking the ID's shape first.
pub fn find(region: &RegionState, interface_id: &str) -> Result<Arc<NetworkInterface>> {
    IdKind::NetworkInterface.check(interface_id)?;
    region
        .network_interfaces
        .get(interface_id)
        .cloned()
        .ok_or_else(|| Ec2Error::NetworkInterfaceNotFound(vec![interface_id.to_string()]))
}

/// The interfaces of a subnet, in address order (they hold its addresses), then its IPv6-only interfaces.
pub fn in_subnet<'a>(region: &'a RegionState, subnet_id: &'a str) -> impl Iterator<Item = &'a Arc<NetworkInterface>> {
    region
        .index
        .private_addresses_from(subnet_id, Ipv4Addr::UNSPECIFIED)
        .map(|(_, interface_id)| interface_id)
        .chain(region.index.ipv6_only_interfaces(subnet_id))
        .filter_map(|interface_id| region.network_interfaces.get(interface_id))
}

/// How many private addresses of a subnet interfaces hold.
pub fn addresses_in_use(region: &RegionState, subnet_id: &str) -> u64 {
    region.index.private_address_count(subnet_id) as u64
}

/// True when some interface uses the group (DeleteSecurityGroup's dependency rule, spec §2.7).
pub fn uses_security_group(region: &RegionState, group_id: &str) -> bool {
    region.network_interfaces.values().any(|interface| interface.security_group_ids.iter().any(|id| id == group_id))
}

/// Spec §2.3 [D]: the network address, the next three (router, DNS, future) and the broadcast address.
pub fn is_reserved(subnet: &Subnet, address: Ipv4Addr) -> bool {
    let Some(block) = &subnet.cidr_block else { return false };
    let offset = u64::from(u32::from(address).wrapping_sub(u32::from(block.network())));
    offset < RESERVED_ADDRESSES - 1 || offset == cidr::size(block) - 1
}

/// Spec §2.9: a requested private address must lie in the subnet, outside the reserved ones, and be free
/// (`in_use` says which addresses interfaces hold).
pub fn check_requested_address(subnet: &Subnet, in_use: impl Fn(Ipv4Addr) -> bool, text: &str) -> Result<Ipv4Addr> {
    let address: Ipv4Addr = text.trim().parse().map_err(|_| {
        Ec2Error::InvalidParameterValue(format!("Value ({text}) for parameter privateIpAddress is invalid."))
    })?;
    if !subnet.cidr_block.is_some_and(|block| block.contains(&address)) {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "Address {address} does not fall within the subnet's address range"
        )));
    }
    // ASSUMPTION (spec §2.9 [I]): the reserved-address text is seen only in a code comment, and its code is
    // inferred; InvalidParameterValue, as for an address outside the subnet.
    if is_reserved(subnet, address) {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "Address {address} is in subnet's reserved address range"
        )));
    }
    if in_use(address) {
        return Err(Ec2Error::IpAddressInUse(address.to_string()));
    }
    Ok(address)
}

/// How many addresses [`first_free_address`] can still give out in `subnet`: the usable addresses (spec §2.9: not
/// the first four nor the broadcast) that no interface holds and no CIDR reservation covers (part 2 §11.6 [D]).
/// RunInstances sizes a launch by it, so a launch that fits only partly is trimmed before it starts rather than
/// refused when the walk runs out half-way.
pub fn assignable_address_count(region: &RegionState, subnet: &Subnet) -> u64 {
    let Some(block) = &subnet.cidr_block else { return 0 };
    let network = u64::from(u32::from(block.network()));
    let first_usable = network + RESERVED_ADDRESSES - 1;
    let last_usable = network + cidr::size(block) - 2;
    let free = (cidr::size(block) - RESERVED_ADDRESSES).saturating_sub(addresses_in_use(region, &subnet.id));
    // Reservations do not overlap one another; their free usable addresses are the ones to take away.
    let reserved_free: u64 = region
        .index
        .reserved_ranges(&subnet.id)
        .map(|(range, _)| {
            let start = u64::from(u32::from(range.network())).max(first_usable);
            let end = u64::from(u32::from(range.broadcast())).min(last_usable);
            if start > end {
                return 0;
            }
            let held = region
                .index
                .private_addresses_from(&subnet.id, Ipv4Addr::from(start as u32))
                .take_while(|(address, _)| u64::from(u32::from(*address)) <= end)
                .count() as u64;
            (end - start + 1).saturating_sub(held)
        })
        .sum();
    free.saturating_sub(reserved_free)
}

/// Spec §2.9 [D]: without a requested address, the first free one after the reserved ones (never the broadcast).
/// `from` skips the addresses below it: a launch of many instances resumes after the address it gave last (every
/// address below that one is taken), so the launch walks the subnet once rather than once per instance.
///
/// Addresses inside the subnet's CIDR reservations are never picked (part 2 §11.6 [D]): a free address in one
/// resumes the search after the range.
pub fn first_free_address(region: &RegionState, subnet: &Subnet, from: Option<Ipv4Addr>) -> Option<Ipv4Addr> {
    let mut from = from;
    loop {
        let candidate = first_free_in(subnet, from, |start| {
            region.index.private_addresses_from(&subnet.id, start).map(|(ip, _)| ip)
        })?;
        let Some((reserved, _)) =
            region.index.reserved_ranges(&subnet.id).find(|(range, _)| range.contains(&candidate))
        else {
            return Some(candidate);
        };
        let after = u32::from(reserved.broadcast()).checked_add(1)?;
        from = Some(Ipv4Addr::from(after));
    }
}

/// [`first_free_address`] over `used_from(start)`, the taken addresses from `start` on in ascending order: the
/// first address not among them is the first gap of that walk.
fn first_free_in<I: Iterator<Item = Ipv4Addr>>(
    subnet: &Subnet,
    from: Option<Ipv4Addr>,
    used_from: impl FnOnce(Ipv4Addr) -> I,
) -> Option<Ipv4Addr> {
    let block = subnet.cidr_block.as_ref()?;
    let network = u64::from(u32::from(block.network()));
    let first_usable = network + RESERVED_ADDRESSES - 1;
    let last_usable = network + cidr::size(block) - 2;
    let mut candidate = from.map_or(first_usable, |from| u64::from(u32::from(from)).max(first_usable));
    if candidate > last_usable {
        return None;
    }
    for used in used_from(Ipv4Addr::from(candidate as u32)) {
        if u64::from(u32::from(used)) != candidate || candidate > last_usable {
            break;
        }
        candidate += 1;
    }
    (candidate <= last_usable).then(|| Ipv4Addr::from(candidate as u32))
}

/// What RunInstances decided for one instance's primary interface.
#[derive(Debug, Clone)]
pub struct LaunchedInterface {
    /// The instance it is attached to.
    pub instance_id: String,
    /// Where: 0 for the primary interface, above for the further interfaces of a launch.
    pub device_index: u32,
    /// The private IPv4 address, already checked (none in an IPv6-only subnet).
    pub private_ip: Option<Ipv4Addr>,
    /// Security groups, already resolved.
    pub security_group_ids: Vec<String>,
    /// Whether it gets a public address now and after every start.
    pub assign_public_ip: bool,
    /// `Description`.
    pub description: String,
    /// Tags from `TagSpecification` type `network-interface`.
    pub tags: Tags,
    /// `DeleteOnTermination` of its attachment (AWS's default for an interface made at launch: true).
    pub delete_on_termination: bool,
}

/// Creates and attaches an interface of an instance RunInstances launches.
pub fn create_launched(
    tx: &mut Tx,
    scope: &Scope,
    subnet: &Subnet,
    request: LaunchedInterface,
) -> Result<Arc<NetworkInterface>> {
    let id = tx.next_id(IdKind::NetworkInterface);
    let attachment = InterfaceAttachment {
        attachment_id: tx.next_id(IdKind::NetworkInterfaceAttachment),
        instance_id: request.instance_id,
        device_index: request.device_index,
        delete_on_termination: request.delete_on_termination,
        attach_time: tx.now(),
    };
    let public_ip = if request.assign_public_ip { Some(address::allocate_public_ip(tx)?) } else { None };
    let interface = NetworkInterface {
        security_group_ids: request.security_group_ids,
        attachment: Some(attachment),
        public_ip,
        assign_public_ip: request.assign_public_ip,
        tags: request.tags,
        ..NetworkInterface::new_in(scope, subnet, id.clone(), request.description, request.private_ip)
    };
    tx.put(scope, interface);
    Ok(tx.get(scope, &id).expect("just inserted"))
}

/// `0a:` and five bytes from the ID's low hex digits: stable, and distinct for distinct IDs in practice.
pub fn mac_address(id: &str) -> String {
    let hex = id.get(id.len().saturating_sub(10)..).unwrap_or_default().as_bytes();
    let pairs: Vec<&str> = hex.chunks(2).map(|pair| std::str::from_utf8(pair).unwrap_or("00")).collect();
    format!("0a:{}", pairs.join(":"))
}

/// Spec §2.9 [D]: an eligible interface gets a new dynamic public address when it has no public address at all.
pub fn assign_dynamic_public_ip(tx: &mut Tx, scope: &Scope, interface_id: &str) -> Result<()> {
    let region = tx.region(scope);
    let Some(interface) = region.network_interfaces.get(interface_id).cloned() else {
        return Ok(());
    };
    if !interface.assign_public_ip || public_address(region, &interface).is_some() {
        return Ok(());
    }
    let ip = address::allocate_public_ip(tx)?;
    tx.update::<NetworkInterface>(scope, interface_id, |interface| interface.public_ip = Some(ip));
    Ok(())
}

/// Spec §2.9 [D]: stop, terminate and Elastic IP association give the dynamic address back to the pool.
pub fn release_dynamic_public_ip(tx: &mut Tx, scope: &Scope, interface_id: &str) {
    if tx.get::<NetworkInterface>(scope, interface_id).is_some_and(|interface| interface.public_ip.is_some()) {
        tx.update::<NetworkInterface>(scope, interface_id, |interface| interface.public_ip = None);
    }
}

/// What an instance's termination does to an interface attached to it (part 2 §11.2 [D]): deleted if its attachment
/// says `deleteOnTermination` — an Elastic IP associated with it disassociated (spec §2.10 [D]) — else detached,
/// `available` again with its address, groups and Elastic IP, and without the dynamic public address it had.
pub fn release_with_instance(tx: &mut Tx, scope: &Scope, interface_id: &str) {
    let Some(interface) = tx.get::<NetworkInterface>(scope, interface_id) else { return };
    if interface.attachment.as_ref().is_none_or(|attachment| attachment.delete_on_termination) {
        address::forget_interface(tx, scope, interface_id);
        tx.remove::<NetworkInterface>(scope, interface_id);
    } else {
        tx.update::<NetworkInterface>(scope, interface_id, |interface| {
            interface.attachment = None;
            interface.public_ip = None;
        });
    }
}

/// Spec §10.3/§11.3: the interface's source/destination check flag.
pub fn set_source_dest_check(tx: &mut Tx, scope: &Scope, interface_id: &str, enabled: bool) {
    tx.update::<NetworkInterface>(scope, interface_id, |interface| interface.source_dest_check = enabled);
}

/// Spec §10.3 [D bc]: replaces every group of the interface; each must exist in the interface's VPC, and no more
/// than an interface may hold. The engine compiles the interface's groups afresh for the next world version, so
/// the change governs the next packet.
pub fn replace_security_groups(
    tx: &mut Tx,
    scope: &Scope,
    interface: &NetworkInterface,
    group_ids: &[String],
) -> Result<()> {
    if group_ids.is_empty() {
        return Err(Ec2Error::NoInstanceAttributeSpecified);
    }
    let region = tx.region(scope);
    for group_id in group_ids {
        IdKind::SecurityGroup.check(group_id)?;
    }
    let missing: Vec<String> =
        group_ids.iter().filter(|id| !region.security_groups.contains_key(id.as_str())).cloned().collect();
    if !missing.is_empty() {
        return Err(Ec2Error::SecurityGroupNotFound(missing));
    }
    // ASSUMPTION (spec §10.3 [I]): a group of another VPC gets the wording AWS uses for resources of two networks.
    if group_ids
        .iter()
        .filter_map(|id| region.security_groups.get(id.as_str()))
        .any(|group| group.vpc_id != interface.vpc_id)
    {
        return Err(Ec2Error::SecurityGroupsInDifferentNetworks);
    }
    let mut unique: Vec<String> = Vec::with_capacity(group_ids.len());
    for id in group_ids {
        if !unique.contains(id) {
            unique.push(id.clone());
        }
    }
    crate::quotas::check(tx.quotas().security_groups_per_interface, 0, unique.len(), || {
        Ec2Error::SecurityGroupsPerInterfaceLimitExceeded
    })?;
    tx.update::<NetworkInterface>(scope, &interface.id, |interface| interface.security_group_ids = unique);
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::tags::Tags;

    fn subnet(block: &str) -> Subnet {
        Subnet {
            id: "subnet-1".into(),
            vpc_id: "vpc-1".into(),
            owner_id: "123456789012".into(),
            cidr_block: Some(block.parse().unwrap()),
            availability_zone: "us-east-1a".into(),
            availability_zone_id: "use1-az6".into(),
            default_for_az: false,
            map_public_ip_on_launch: false,
            private_dns_name_options: Default::default(),
            region: "us-east-1".into(),
            tags: Tags::default(),
            ipv6_cidr_association: None,
            assign_ipv6_address_on_creation: false,
            enable_dns64: false,
        }
    }

    fn ip(text: &str) -> Ipv4Addr {
        text.parse().unwrap()
    }

    fn first_free(subnet: &Subnet, used: &BTreeSet<Ipv4Addr>, from: Option<Ipv4Addr>) -> Option<Ipv4Addr> {
        first_free_in(subnet, from, |start| used.range(start..).copied())
    }

    #[test]
    fn first_free_skips_the_reserved_addresses() {
        let subnet = subnet("10.0.1.0/24");
        let mut used = BTreeSet::new();
        assert_eq!(first_free(&subnet, &used, None), Some(ip("10.0.1.4")));
        used.insert(ip("10.0.1.4"));
        used.insert(ip("10.0.1.6"));
        assert_eq!(first_free(&subnet, &used, None), Some(ip("10.0.1.5")));
        // Resuming after an address skips the gaps below it, and a start among the reserved ones does not count.
        assert_eq!(first_free(&subnet, &used, Some(ip("10.0.1.6"))), Some(ip("10.0.1.7")));
        assert_eq!(first_free(&subnet, &used, Some(ip("10.0.1.1"))), Some(ip("10.0.1.5")));
        assert_eq!(first_free(&subnet, &used, Some(ip("10.0.1.255"))), None);
    }

    #[test]
    fn a_slash_28_holds_eleven_and_never_the_broadcast() {
        let subnet = subnet("10.0.0.16/28");
        let mut used = BTreeSet::new();
        while let Some(address) = first_free(&subnet, &used, None) {
            used.insert(address);
        }
        assert_eq!(used.len(), 11);
        assert_eq!(used.first(), Some(&ip("10.0.0.20")));
        assert_eq!(used.last(), Some(&ip("10.0.0.30")));
    }

    #[test]
    fn requested_addresses_are_checked() {
        let subnet = subnet("10.0.1.0/24");
        let used = |address: Ipv4Addr| address == ip("10.0.1.10");
        assert_eq!(check_requested_address(&subnet, used, "10.0.1.20"), Ok(ip("10.0.1.20")));
        assert_eq!(
            check_requested_address(&subnet, used, "10.0.2.5").unwrap_err().to_string(),
            "Address 10.0.2.5 does not fall within the subnet's address range"
        );
        for reserved in ["10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255"] {
            let error = check_requested_address(&subnet, used, reserved).unwrap_err();
            assert_eq!(error.to_string(), format!("Address {reserved} is in subnet's reserved address range"));
            assert_eq!(error.code(), "InvalidParameterValue");
        }
        let in_use = check_requested_address(&subnet, used, "10.0.1.10").unwrap_err();
        assert_eq!(
            (in_use.code(), in_use.to_string().as_str()),
            ("InvalidIPAddress.InUse", "Address 10.0.1.10 is in use.")
        );
        assert_eq!(check_requested_address(&subnet, used, "nonsense").unwrap_err().code(), "InvalidParameterValue");
    }

    #[test]
    fn mac_addresses_look_like_aws() {
        assert_eq!(mac_address("eni-0123456789abcdef0"), "0a:78:9a:bc:de:f0");
    }
}
