//! Elastic IPs (spec §2.10) and the one allocator of public IPv4 addresses.
//!
//! Every public address localvpc hands out — Elastic IPs and the dynamic addresses of instances alike — comes from
//! [`PUBLIC_POOL`], 198.18.0.0/15: the benchmarking range of RFC 2544, which never collides with a real host. The
//! allocator walks the pool from a cursor persisted with the world, so a released address is not handed out again
//! until the pool wraps (as on AWS, a stopped and started instance gets a *new* address), and an address is never
//! given to two holders in any account or region.
//!
//! An Elastic IP's association points at a network interface; the interface keeps only its dynamic address, and
//! [`crate::network_interface::public_address`] combines the two. Only the `vpc` domain exists: EC2-Classic was
//! retired in 2023, so every address is a VPC address, named by its allocation ID (the `PublicIp` forms of
//! Associate, Disassociate and Release are refused as AWS refuses them for VPC addresses).

use std::net::Ipv4Addr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::cidr::{self, Ipv4Net};
use crate::error::AddressError;
use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::index::Indexes;
use crate::instance::{self, Instance};
use crate::network_interface::{self, NetworkInterface};
use crate::tags::{Tag, Tags};
use crate::world::{RegionState, Resource, Scope, Table, Tx};
use crate::{Ec2Error, Result};

/// An Elastic IP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// `eipalloc-…`.
    pub allocation_id: String,
    /// The address.
    pub public_ip: Ipv4Addr,
    /// Owning account.
    pub owner_id: String,
    /// The region (`networkBorderGroup`).
    pub network_border_group: String,
    /// Where it is associated.
    pub association: Option<AddressAssociation>,
    /// Its reverse DNS (PTR) record, fully qualified (`mail.example.com.`), once ModifyAddressAttribute set one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ptr_record: Option<String>,
    /// Tags.
    pub tags: Tags,
}

/// The association of an Elastic IP with a network interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressAssociation {
    /// `eipassoc-…`.
    pub association_id: String,
    /// The interface.
    pub network_interface_id: String,
    /// The interface's private address it maps to.
    pub private_ip: Ipv4Addr,
}

impl Resource for Address {
    const KIND: &'static str = "address";
    fn id(&self) -> &str {
        &self.allocation_id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.addresses
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.addresses
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
    /// The address among every public address held (the one allocator), and the interface it is associated with.
    fn reindex(index: &mut Indexes<'_>, old: Option<&Self>, new: Option<&Self>) {
        let (old_ip, new_ip) = (old.map(|old| old.public_ip), new.map(|new| new.public_ip));
        if old_ip != new_ip {
            old_ip.into_iter().for_each(|ip| index.world.release_public_address(ip));
            new_ip.into_iter().for_each(|ip| index.world.hold_public_address(ip));
        }
        let interface = |address: Option<&Self>| {
            address.and_then(|address| address.association.as_ref()).map(|a| a.network_interface_id.clone())
        };
        let (old_interface, new_interface) = (interface(old), interface(new));
        if old_interface != new_interface {
            if let (Some(old), Some(interface_id)) = (old, &old_interface) {
                index.region.remove_elastic_ip_association(interface_id, &old.allocation_id);
            }
            if let (Some(new), Some(interface_id)) = (new, &new_interface) {
                index.region.add_elastic_ip_association(interface_id, &new.allocation_id);
            }
        }
    }
}

/// The pool of every public address localvpc issues: 198.18.0.0/15 (RFC 2544 benchmarking).
pub const PUBLIC_POOL: &str = "198.18.0.0/15";

fn pool() -> Ipv4Net {
    PUBLIC_POOL.parse().expect("valid")
}

/// The one public address allocator: the next free address of [`PUBLIC_POOL`] after the persisted cursor,
/// skipping addresses ending in `.0` and `.255` (valid, but they look wrong to people).
pub fn allocate_public_ip(tx: &mut Tx) -> Result<Ipv4Addr> {
    let pool = pool();
    let size = cidr::size(&pool);
    let start = tx.public_ip_cursor() % size;
    for step in 0..size {
        let offset = (start + step) % size;
        let candidate = cidr::nth_address(&pool, offset as u32);
        let last_octet = candidate.octets()[3];
        if last_octet == 0 || last_octet == 255 || tx.world().index().public_address_in_use(candidate) {
            continue;
        }
        tx.set_public_ip_cursor((offset + 1) % size);
        return Ok(candidate);
    }
    Err(AddressError::InsufficientCapacity.into())
}

/// The Elastic IP associated with an interface, if any.
pub fn associated_with<'a>(region: &'a RegionState, interface_id: &str) -> Option<&'a Address> {
    region
        .index
        .elastic_ip_of_interface(interface_id)
        .and_then(|allocation_id| region.addresses.get(allocation_id))
        .map(|address| &**address)
}

/// The instance an Elastic IP maps to, through its interface's attachment.
pub fn instance_id<'a>(region: &'a RegionState, address: &Address) -> Option<&'a str> {
    let association = address.association.as_ref()?;
    let interface = region.network_interfaces.get(association.network_interface_id.as_str())?;
    interface.attachment.as_ref().map(|attachment| attachment.instance_id.as_str())
}

/// Looks an Elastic IP up by allocation ID. AWS publishes no `InvalidAllocationID.Malformed`: an ID of any shape
/// that names no address of the account is `InvalidAllocationID.NotFound` (moto's test_eip_release_bogus_eip,
/// `bogus`, expects the same).
pub fn find(region: &RegionState, allocation_id: &str) -> Result<Arc<Address>> {
    region
        .addresses
        .get(allocation_id)
        .cloned()
        .ok_or_else(|| Ec2Error::AllocationNotFound(vec![allocation_id.to_string()]))
}

/// Looks an Elastic IP up by its address.
pub fn find_by_public_ip(region: &RegionState, public_ip: &str) -> Result<Arc<Address>> {
    region
        .addresses
        .values()
        .find(|address| address.public_ip.to_string() == public_ip)
        .cloned()
        .ok_or_else(|| Ec2Error::AddressNotFound(public_ip.to_string()))
}

/// How a request names an Elastic IP: `AllocationId` or (the older form) `PublicIp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressRef {
    /// `AllocationId`.
    Allocation(String),
    /// `PublicIp`.
    PublicIp(String),
}

/// DescribeAddresses `AllocationId.N` and `PublicIp.N`: every one named must be an address of the account
/// (unknown allocation IDs are reported together; no ID shape is checked, as in [`find`]).
pub fn check_named(region: &RegionState, allocation_ids: &[String], public_ips: &[String]) -> Result<()> {
    let missing: Vec<String> =
        allocation_ids.iter().filter(|id| !region.addresses.contains_key(id.as_str())).cloned().collect();
    if !missing.is_empty() {
        return Err(Ec2Error::AllocationNotFound(missing));
    }
    for public_ip in public_ips {
        find_by_public_ip(region, public_ip)?;
    }
    Ok(())
}

/// The `domain` of a new address, whatever AllocateAddress's `Domain` says: `vpc`.
///
/// AWS answers `vpc` for an absent, empty or unknown `Domain` (`""`, `xyz`) [O: getmoto/moto#5729, recorded
/// against AWS in 2022]. ASSUMPTION [I]: `standard` gets `vpc` too — EC2-Classic, the only platform with
/// `standard` addresses, was retired in August 2023 and no account can hold one any more.
pub fn domain(_requested: Option<&str>) -> &'static str {
    "vpc"
}

/// AllocateAddress parameters.
#[derive(Debug, Clone, Default)]
pub struct AllocateAddress {
    /// `Address`: a released address to recover.
    pub address: Option<String>,
    /// `TagSpecification.N` for `elastic-ip`.
    pub tags: Vec<Tag>,
}

/// AllocateAddress (spec §2.10): a new Elastic IP from the pool (or, through [`allocate_requested`], the one
/// `Address` asks for). The quota of 5 per Region (spec §5) holds only under `--quotas aws` (DESIGN).
pub fn allocate(tx: &mut Tx, scope: &Scope, tags: Vec<Tag>) -> Result<Arc<Address>> {
    allocate_requested(tx, scope, AllocateAddress { address: None, tags })
}

/// AllocateAddress with every parameter: see [`allocate`].
pub fn allocate_requested(tx: &mut Tx, scope: &Scope, request: AllocateAddress) -> Result<Arc<Address>> {
    let AllocateAddress { address, tags } = request;
    crate::tags::validate(&tags)?;
    let existing = tx.region(scope).addresses.len();
    crate::quotas::check(tx.quotas().elastic_ips_per_region, existing, 1, || Ec2Error::AddressLimitExceeded)?;
    let public_ip = match address {
        Some(text) => recoverable(tx, &text)?,
        None => allocate_public_ip(tx)?,
    };
    let address = Address {
        allocation_id: tx.next_id(IdKind::ElasticIpAllocation),
        public_ip,
        owner_id: scope.account.clone(),
        network_border_group: scope.region.clone(),
        association: None,
        ptr_record: None,
        tags: Tags(tags),
    };
    let id = address.allocation_id.clone();
    tx.put(scope, address);
    Ok(tx.get(scope, &id).expect("just inserted"))
}

/// AllocateAddress `Address` (EC2 UG, *Recover an Elastic IP address*): an address can be had again while no one
/// holds it. ASSUMPTION [I]: AWS gives it back only to the account that released it, and only until another
/// account takes it; localvpc keeps no record of who released what, so any free address of [`PUBLIC_POOL`] can
/// be recovered (the allocator's cursor makes a released address come round again only after the whole pool).
/// An address outside the pool is one AWS never issued (moto's test_specific_eip_allocate_vpc asks for
/// 127.38.43.222).
fn recoverable(tx: &Tx, text: &str) -> Result<Ipv4Addr> {
    let ip: Ipv4Addr = text.trim().parse().map_err(|_| AddressError::NotAvailable)?;
    if !pool().contains(&ip) || tx.world().index().public_address_in_use(ip) {
        return Err(AddressError::NotAvailable.into());
    }
    Ok(ip)
}

/// AssociateAddress parameters.
#[derive(Debug, Clone)]
pub struct AssociateAddress {
    /// The Elastic IP.
    pub address: AddressRef,
    /// `InstanceId`.
    pub instance_id: Option<String>,
    /// `NetworkInterfaceId`.
    pub network_interface_id: Option<String>,
    /// `PrivateIpAddress`.
    pub private_ip_address: Option<String>,
    /// `AllowReassociation`; absent means allowed (spec §2.10 [D]).
    pub allow_reassociation: Option<bool>,
}

/// The interface an AssociateAddress request targets.
fn target_interface(region: &RegionState, request: &AssociateAddress) -> Result<Arc<NetworkInterface>> {
    match (&request.instance_id, &request.network_interface_id) {
        (Some(_), Some(_)) => Err(Ec2Error::InvalidParameterCombination(
            "Only one of instanceId or networkInterfaceId may be specified.".into(),
        )),
        (None, None) => Err(Ec2Error::MissingParameter("InstanceId".into())),
        (None, Some(interface_id)) => network_interface::find(region, interface_id),
        (Some(instance_id), None) => {
            let instance = instance::find(region, instance_id)?;
            instance
                .network_interface_id
                .as_ref()
                .and_then(|interface_id| region.network_interfaces.get(interface_id.as_str()).cloned())
                .ok_or_else(|| Ec2Error::InstanceNotInValidState(instance.id.clone()))
        }
    }
}

/// AssociateAddress (spec §2.10): returns the new association ID. The interface's VPC must have an internet
/// gateway; the interface's dynamic address goes back to the pool; an Elastic IP associated elsewhere moves
/// unless `AllowReassociation=false`.
pub fn associate(tx: &mut Tx, scope: &Scope, request: &AssociateAddress) -> Result<String> {
    let region = tx.region(scope);
    let AddressRef::Allocation(allocation_id) = &request.address else {
        // Checked after the target's presence, before any lookup: the order is unverified.
        target_interface(region, request)?;
        return Err(AddressError::AllocationIdRequiredToAssociate.into());
    };
    let address = find(region, allocation_id)?;
    let interface = target_interface(region, request)?;
    network_interface::refuse_if_managed(&interface, network_interface::ManagedChange::Modify)?;
    // ASSUMPTION (part 2 §16.1, text unverified): an IPv6-only interface has no private IPv4 address for an Elastic
    // IP to map to; refused like an address the interface does not have.
    let Some(primary) = interface.private_ip else {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "Network interface {} has no private IPv4 address to associate an Elastic IP address with",
            interface.id
        )));
    };
    let private_ip = match &request.private_ip_address {
        None => primary,
        Some(text) if text.trim() == primary.to_string() => primary,
        // ASSUMPTION (spec §2.10, text unverified): only the primary private address exists here, so any other
        // address is one the interface does not have.
        Some(text) => {
            return Err(Ec2Error::InvalidParameterValue(format!(
                "The private IP address {text} is not assigned to network interface {}",
                interface.id
            )))
        }
    };
    let has_gateway =
        region.internet_gateways.values().any(|igw| igw.attached_vpc.as_deref() == Some(interface.vpc_id.as_str()));
    if !has_gateway {
        return Err(AddressError::VpcHasNoInternetGateway(interface.vpc_id.clone()).into());
    }
    if let Some(existing) = &address.association {
        let elsewhere = existing.network_interface_id != interface.id;
        // A service's address (a NAT gateway's) never moves: only deleting the service frees it.
        if elsewhere && (request.allow_reassociation == Some(false) || held_by_service(region, existing)) {
            return Err(AddressError::AlreadyAssociated {
                allocation_id: address.allocation_id.clone(),
                association_id: existing.association_id.clone(),
            }
            .into());
        }
    }
    // Another Elastic IP on the same interface is replaced.
    if let Some(previous) = associated_with(region, &interface.id) {
        let previous_id = previous.allocation_id.clone();
        if previous_id != address.allocation_id {
            tx.update::<Address>(scope, &previous_id, |previous| previous.association = None);
        }
    }
    let association_id = tx.next_id(IdKind::ElasticIpAssociation);
    let association = AddressAssociation {
        association_id: association_id.clone(),
        network_interface_id: interface.id.clone(),
        private_ip,
    };
    let moved_from = address.association.as_ref().map(|a| a.network_interface_id.clone());
    tx.update::<Address>(scope, &address.allocation_id, |address| address.association = Some(association));
    network_interface::release_dynamic_public_ip(tx, scope, &interface.id);
    // The interface the address moved away from gets a dynamic address back if it is eligible.
    if let Some(previous_interface) = moved_from.filter(|id| *id != interface.id) {
        reassign_if_running(tx, scope, &previous_interface)?;
    }
    Ok(association_id)
}

/// Spec §2.10 [D]: after losing its Elastic IP, an eligible interface of a running instance gets a dynamic address
/// (a stopped one gets it when it starts).
fn reassign_if_running(tx: &mut Tx, scope: &Scope, interface_id: &str) -> Result<()> {
    let region = tx.region(scope);
    let running = region
        .network_interfaces
        .get(interface_id)
        .and_then(|interface| interface.attachment.as_ref())
        .and_then(|attachment| region.instances.get(attachment.instance_id.as_str()))
        .is_some_and(|instance: &Arc<Instance>| instance.state.is_running());
    if running {
        network_interface::assign_dynamic_public_ip(tx, scope, interface_id)?;
    }
    Ok(())
}

/// ASSUMPTION (part 2 §11.5 [D] says only the service changes its interfaces; the refusal's code is unverified):
/// the user may not disassociate, release or move an address associated with a service's interface —
/// `InvalidIPAddress.InUse`, as for an address in use.
fn held_by_service(region: &RegionState, association: &AddressAssociation) -> bool {
    region.network_interfaces.get(association.network_interface_id.as_str()).is_some_and(|i| i.managed_by.is_some())
}

/// Associates `allocation_id` with a service's interface `interface_id` at `private_ip` (a NAT gateway's): the
/// caller has checked that the address is free. Returns the association ID.
pub fn associate_with_service(
    tx: &mut Tx,
    scope: &Scope,
    allocation_id: &str,
    interface_id: &str,
    private_ip: Ipv4Addr,
) -> String {
    let association_id = tx.next_id(IdKind::ElasticIpAssociation);
    let association = AddressAssociation {
        association_id: association_id.clone(),
        network_interface_id: interface_id.to_string(),
        private_ip,
    };
    tx.update::<Address>(scope, allocation_id, |address| address.association = Some(association));
    association_id
}

/// How DisassociateAddress names the association.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssociationRef {
    /// `AssociationId`.
    Association(String),
    /// `PublicIp`.
    PublicIp(String),
}

/// DisassociateAddress (spec §2.10).
pub fn disassociate(tx: &mut Tx, scope: &Scope, reference: &AssociationRef) -> Result<()> {
    let region = tx.region(scope);
    let address = match reference {
        // As for allocation IDs, AWS publishes no `InvalidAssociationID.Malformed` for addresses: `bogus` is
        // not found (moto's test_eip_disassociate_bogus_association).
        AssociationRef::Association(association_id) => region
            .addresses
            .values()
            .find(|address| address.association.as_ref().is_some_and(|a| &a.association_id == association_id))
            .cloned()
            .ok_or_else(|| Ec2Error::AssociationNotFound(association_id.clone()))?,
        AssociationRef::PublicIp(public_ip) => {
            find_by_public_ip(region, public_ip)?;
            return Err(AddressError::AssociationIdRequiredToDisassociate.into());
        }
    };
    let Some(association) = address.association.clone() else {
        return Ok(());
    };
    if held_by_service(region, &association) {
        return Err(Ec2Error::IpAddressInUse(address.public_ip.to_string()));
    }
    tx.update::<Address>(scope, &address.allocation_id, |address| address.association = None);
    reassign_if_running(tx, scope, &association.network_interface_id)
}

/// ReleaseAddress (spec §2.10; API reference): by allocation ID only. An address associated in the default VPC is
/// disassociated first ("[Default VPC] Releasing an Elastic IP address automatically disassociates it from any
/// instance that it's associated with"); in any other VPC it must be disassociated first (`InvalidIPAddress.InUse`).
pub fn release(tx: &mut Tx, scope: &Scope, allocation_id: Option<&str>, public_ip: Option<&str>) -> Result<()> {
    let region = tx.region(scope);
    let address = match (allocation_id, public_ip) {
        (Some(_), Some(_)) => return Err(AddressError::PublicIpAndAllocationId.into()),
        (Some(allocation_id), None) => find(region, allocation_id)?,
        (None, Some(public_ip)) => {
            find_by_public_ip(region, public_ip)?;
            return Err(AddressError::AllocationIdRequiredToRelease.into());
        }
        (None, None) => return Err(Ec2Error::MissingParameter("AllocationId".into())),
    };
    if let Some(association) = &address.association {
        let in_default_vpc = region
            .network_interfaces
            .get(association.network_interface_id.as_str())
            .is_some_and(|interface| region.index.default_vpc() == Some(interface.vpc_id.as_str()));
        // ASSUMPTION (spec §2.10 [D] code, text unverified): the message of the private-address InUse case. An
        // address a service holds (a NAT gateway's) is in use even in the default VPC.
        if !in_default_vpc || held_by_service(region, association) {
            return Err(Ec2Error::IpAddressInUse(address.public_ip.to_string()));
        }
        let interface_id = association.network_interface_id.clone();
        tx.update::<Address>(scope, &address.allocation_id, |address| address.association = None);
        reassign_if_running(tx, scope, &interface_id)?;
    }
    tx.remove::<Address>(scope, &address.allocation_id);
    Ok(())
}

/// The answer of ModifyAddressAttribute and ResetAddressAttribute: the address's PTR record before the call, and
/// the update the call requested (`None` for a reset, which removes the record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PtrRecordUpdate {
    /// The address, as it was before the update.
    pub before: Arc<Address>,
    /// The requested record, fully qualified; `None` when the record is removed.
    pub value: Option<String>,
}

/// ModifyAddressAttribute `DomainName`: sets the address's reverse DNS record.
///
/// ASSUMPTION [I]: AWS accepts the update as `PENDING` only if the name resolves forward to the address, and
/// applies it after a while. localvpc has no public DNS to ask and nothing to wait for: any syntactically valid
/// host name is accepted, answered `PENDING` as AWS answers, and is the record at once (the next
/// DescribeAddressesAttribute shows it, with a trailing dot as AWS writes it).
pub fn set_domain_name(tx: &mut Tx, scope: &Scope, allocation_id: &str, domain_name: &str) -> Result<PtrRecordUpdate> {
    let before = find(tx.region(scope), allocation_id)?;
    let value = fully_qualified(domain_name)?;
    tx.update::<Address>(scope, allocation_id, |address| address.ptr_record = Some(value.clone()));
    Ok(PtrRecordUpdate { before, value: Some(value) })
}

/// ResetAddressAttribute `domain-name`: removes the address's reverse DNS record (a no-op without one).
pub fn reset_domain_name(tx: &mut Tx, scope: &Scope, allocation_id: &str) -> Result<PtrRecordUpdate> {
    let before = find(tx.region(scope), allocation_id)?;
    if before.ptr_record.is_some() {
        tx.update::<Address>(scope, allocation_id, |address| address.ptr_record = None);
    }
    Ok(PtrRecordUpdate { before, value: None })
}

/// The one attribute these actions know (`AddressAttributeName`: `domain-name`).
pub fn check_attribute(attribute: &str) -> Result<()> {
    if attribute == "domain-name" {
        return Ok(());
    }
    Err(Ec2Error::InvalidParameterValue(format!(
        "Value ({attribute}) for parameter attribute is invalid. Valid values: domain-name"
    )))
}

/// `name` as a fully qualified host name (`a.example.com` → `a.example.com.`), lower case; refused unless every
/// label is 1–63 letters, digits or hyphens (not at either end) and the whole at most 253 characters.
fn fully_qualified(name: &str) -> Result<String> {
    let bare = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    if bare.is_empty() || bare.len() > 253 || !bare.contains('.') || !bare.split('.').all(label_ok) {
        return Err(Ec2Error::InvalidParameterValue(format!("Invalid domain name: {name}")));
    }
    Ok(format!("{bare}."))
}

/// An interface is deleted: the Elastic IP on it loses its association.
pub fn forget_interface(tx: &mut Tx, scope: &Scope, interface_id: &str) {
    if let Some(address) = associated_with(tx.region(scope), interface_id) {
        let allocation_id = address.allocation_id.clone();
        tx.update::<Address>(scope, &allocation_id, |address| address.association = None);
    }
}

/// An Elastic IP seen with its region, for the filters that follow its association.
pub struct AddressView<'a> {
    /// The address.
    pub address: &'a Address,
    /// Its region.
    pub region: &'a RegionState,
}

impl Filterable for AddressView<'_> {
    const FILTERS: &'static [&'static str] = &[
        "allocation-id",
        "association-id",
        "domain",
        "instance-id",
        "network-border-group",
        "network-interface-id",
        "network-interface-owner-id",
        "private-ip-address",
        "public-ip",
        "public-ipv4-pool",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let address = self.address;
        let association = address.association.as_ref();
        match name {
            "allocation-id" => out.push(address.allocation_id.clone()),
            "association-id" => out.extend(association.map(|a| a.association_id.clone())),
            "domain" => out.push("vpc".into()),
            "instance-id" => out.extend(instance_id(self.region, address).map(str::to_string)),
            "network-border-group" => out.push(address.network_border_group.clone()),
            "network-interface-id" => out.extend(association.map(|a| a.network_interface_id.clone())),
            "network-interface-owner-id" => out.extend(association.map(|_| address.owner_id.clone())),
            "private-ip-address" => out.extend(association.map(|a| a.private_ip.to_string())),
            "public-ip" => out.push(address.public_ip.to_string()),
            "public-ipv4-pool" => out.push("amazon".into()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.address.tags)
    }
}
