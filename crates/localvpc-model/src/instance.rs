//! Instances (spec §2.9): RunInstances with its subnet, group and address rules, the state machine of Stop/Start/
//! Terminate, reservations, and the DescribeInstances filters.
//!
//! Instances carry no guest: what matters to the VPC is the primary network interface
//! ([`crate::network_interface`]), which holds the subnet, the groups and the addresses. A terminated instance
//! stays describable, but its interface is deleted with it, so it no longer holds an address or blocks its subnet.
//!
//! States (spec §2.9 [D]): RunInstances and StartInstances answer `pending`; every later Describe sees `running`
//! (the instance is stored as running at once, only the response shows the transition). Stop answers `stopping`
//! and Terminate `shutting-down` in the same way. Launching from an image, key pairs, volumes and user data are
//! accepted and not modelled.

use std::net::Ipv4Addr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::filter::{Filterable, PageRequest};
use crate::ids::IdKind;
use crate::network_interface::{self, NetworkInterface, PrimaryInterface};
use crate::subnet::{self, Subnet};
use crate::tags::{Tag, Tags};
use crate::world::{RegionState, Resource, Scope, Table, Timestamp, Tx};
use crate::{Ec2Error, Result};

/// An instance's state; the codes are the low byte AWS reports (spec §2.9 [D]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InstanceState {
    /// `pending`, 0.
    Pending,
    /// `running`, 16.
    Running,
    /// `shutting-down`, 32.
    ShuttingDown,
    /// `terminated`, 48.
    Terminated,
    /// `stopping`, 64.
    Stopping,
    /// `stopped`, 80.
    Stopped,
}

impl InstanceState {
    /// The state code.
    pub fn code(self) -> u8 {
        match self {
            InstanceState::Pending => 0,
            InstanceState::Running => 16,
            InstanceState::ShuttingDown => 32,
            InstanceState::Terminated => 48,
            InstanceState::Stopping => 64,
            InstanceState::Stopped => 80,
        }
    }

    /// The state name.
    pub fn name(self) -> &'static str {
        match self {
            InstanceState::Pending => "pending",
            InstanceState::Running => "running",
            InstanceState::ShuttingDown => "shutting-down",
            InstanceState::Terminated => "terminated",
            InstanceState::Stopping => "stopping",
            InstanceState::Stopped => "stopped",
        }
    }

    /// Pending or running: the instance carries traffic (spec §2.5: otherwise routes to it are `blackhole`).
    pub fn is_running(self) -> bool {
        matches!(self, InstanceState::Pending | InstanceState::Running)
    }
}

/// Why an instance is in its state (`stateReason`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateReason {
    /// e.g. `Client.UserInitiatedShutdown`.
    pub code: String,
    /// e.g. `Client.UserInitiatedShutdown: User initiated shutdown`.
    pub message: String,
}

/// An instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    /// `i-…`.
    pub id: String,
    /// `r-…`: the RunInstances call that made it.
    pub reservation_id: String,
    /// Owning account.
    pub owner_id: String,
    /// `ImageId`, any `ami-…`.
    pub image_id: String,
    /// `InstanceType`.
    pub instance_type: String,
    /// `KeyName`.
    pub key_name: Option<String>,
    /// Zone name (kept after termination, when the interface is gone).
    pub availability_zone: String,
    /// Zone ID.
    pub availability_zone_id: String,
    /// The primary interface; `None` once terminated.
    pub network_interface_id: Option<String>,
    /// The stored state (never a transitional one: see the module doc).
    pub state: InstanceState,
    /// Launch time (updated by StartInstances, as on AWS).
    pub launch_time: Timestamp,
    /// Position in its reservation.
    pub ami_launch_index: u32,
    /// `ClientToken` of the RunInstances call.
    pub client_token: Option<String>,
    /// `reason`, e.g. `User initiated (2026-01-02 03:04:05 GMT)`.
    pub state_transition_reason: String,
    /// `stateReason`.
    pub state_reason: Option<StateReason>,
    /// Tags.
    pub tags: Tags,
}

impl Resource for Instance {
    const KIND: &'static str = "instance";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.instances
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.instances
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
}

impl Instance {
    /// The primary interface, while the instance has one.
    pub fn interface<'a>(&self, region: &'a RegionState) -> Option<&'a Arc<NetworkInterface>> {
        region.network_interfaces.get(self.network_interface_id.as_deref()?)
    }
}

/// Looks an instance up, checking the ID's shape first.
pub fn find(region: &RegionState, instance_id: &str) -> Result<Arc<Instance>> {
    IdKind::Instance.check(instance_id)?;
    region.instances.get(instance_id).cloned().ok_or_else(|| Ec2Error::InstanceNotFound(vec![instance_id.to_string()]))
}

/// The `NetworkInterface.N` form of RunInstances (spec §1.1: what `aws ec2 run-instances
/// --associate-public-ip-address` sends).
#[derive(Debug, Clone, Default)]
pub struct InterfaceSpecification {
    /// `DeviceIndex`.
    pub device_index: Option<i64>,
    /// `NetworkInterfaceId` (attaching an existing interface: not modelled).
    pub network_interface_id: Option<String>,
    /// `SubnetId`.
    pub subnet_id: Option<String>,
    /// `SecurityGroupId.N`.
    pub security_group_ids: Vec<String>,
    /// `PrivateIpAddress`, or the primary of `PrivateIpAddresses.N`.
    pub private_ip_address: Option<String>,
    /// Further private addresses (secondary addresses: not modelled).
    pub secondary_private_ip_addresses: Vec<String>,
    /// `SecondaryPrivateIpAddressCount` (not modelled).
    pub secondary_private_ip_address_count: Option<i64>,
    /// `AssociatePublicIpAddress`.
    pub associate_public_ip_address: Option<bool>,
    /// `Description`.
    pub description: Option<String>,
}

/// RunInstances parameters.
#[derive(Debug, Clone, Default)]
pub struct RunInstances {
    /// `ImageId`.
    pub image_id: String,
    /// `InstanceType`; AWS's default is `m1.small`.
    pub instance_type: Option<String>,
    /// `KeyName`.
    pub key_name: Option<String>,
    /// `MinCount`.
    pub min_count: i64,
    /// `MaxCount`.
    pub max_count: i64,
    /// `SubnetId` (flat form).
    pub subnet_id: Option<String>,
    /// `SecurityGroupId.N` (flat form).
    pub security_group_ids: Vec<String>,
    /// `SecurityGroup.N`: group names, resolved in the default VPC.
    pub security_group_names: Vec<String>,
    /// `PrivateIpAddress` (flat form).
    pub private_ip_address: Option<String>,
    /// `NetworkInterface.N`.
    pub network_interfaces: Vec<InterfaceSpecification>,
    /// `Placement.AvailabilityZone`.
    pub availability_zone: Option<String>,
    /// `ClientToken`.
    pub client_token: Option<String>,
    /// `TagSpecification` type `instance`.
    pub instance_tags: Vec<Tag>,
    /// `TagSpecification` type `network-interface`.
    pub interface_tags: Vec<Tag>,
}

/// What RunInstances answers: a reservation whose instances show the state they were launched in (`pending`).
#[derive(Debug, Clone)]
pub struct Reservation {
    /// `r-…`.
    pub id: String,
    /// Owning account.
    pub owner_id: String,
    /// The instances, in launch order.
    pub instances: Vec<Arc<Instance>>,
}

/// The interface RunInstances builds, after the two parameter forms are merged.
struct Placement {
    subnet: Arc<Subnet>,
    group_ids: Vec<String>,
    private_ip: Option<String>,
    associate_public_ip: Option<bool>,
    description: String,
}

/// RunInstances (spec §2.9).
pub fn run_instances(tx: &mut Tx, scope: &Scope, request: RunInstances) -> Result<Reservation> {
    if let Some(token) = request.client_token.as_deref().filter(|token| !token.is_empty()) {
        if let Some(existing) = reservation_for_token(tx.region(scope), token) {
            return Ok(existing);
        }
    }
    check_image_id(&request.image_id)?;
    check_counts(request.min_count, request.max_count)?;
    crate::tags::validate(&request.instance_tags)?;
    crate::tags::validate(&request.interface_tags)?;
    let placement = place(tx.region(scope), scope, &request)?;
    let subnet = placement.subnet.clone();
    let mut used = network_interface::used_addresses(tx.region(scope), &subnet.id);
    let requested = match &placement.private_ip {
        Some(text) => {
            // ASSUMPTION (spec §2.9 [I]): one fixed address cannot serve several instances; AWS refuses the
            // combination, the exact text is unverified.
            if request.max_count > 1 {
                return Err(Ec2Error::InvalidParameterCombination(
                    "A private IP address can only be specified when launching a single instance.".into(),
                ));
            }
            Some(network_interface::check_requested_address(&subnet, &used, text)?)
        }
        None => None,
    };
    let free = subnet.available_ip_address_count(tx.region(scope));
    // Spec §2.9 [O]: as many as fit up to MaxCount, at least MinCount, else nothing.
    let count = (request.max_count as u64).min(free);
    if count < request.min_count as u64 {
        return Err(Ec2Error::InsufficientFreeAddressesInSubnet(subnet.id.clone()));
    }
    // Spec §2.9 [D]: `AssociatePublicIpAddress` on device 0 overrides the subnet's `mapPublicIpOnLaunch`.
    let assign_public_ip = placement.associate_public_ip.unwrap_or(subnet.map_public_ip_on_launch);
    let reservation_id = tx.next_id(IdKind::Reservation);
    let mut launched = Vec::new();
    for index in 0..count as u32 {
        let private_ip: Ipv4Addr = match requested {
            Some(address) => address,
            None => network_interface::first_free_address(&subnet, &used)
                .ok_or_else(|| Ec2Error::InsufficientFreeAddressesInSubnet(subnet.id.clone()))?,
        };
        used.insert(private_ip);
        let instance_id = tx.next_id(IdKind::Instance);
        let interface = network_interface::create_primary(
            tx,
            scope,
            &subnet,
            PrimaryInterface {
                instance_id: instance_id.clone(),
                private_ip,
                security_group_ids: placement.group_ids.clone(),
                assign_public_ip,
                description: placement.description.clone(),
                tags: Tags(request.interface_tags.clone()),
            },
        )?;
        let instance = Instance {
            id: instance_id,
            reservation_id: reservation_id.clone(),
            owner_id: scope.account.clone(),
            image_id: request.image_id.clone(),
            instance_type: request.instance_type.clone().unwrap_or_else(|| "m1.small".into()),
            key_name: request.key_name.clone(),
            availability_zone: subnet.availability_zone.clone(),
            availability_zone_id: subnet.availability_zone_id.clone(),
            network_interface_id: Some(interface.id.clone()),
            state: InstanceState::Running,
            launch_time: tx.now(),
            ami_launch_index: index,
            client_token: request.client_token.clone().filter(|token| !token.is_empty()),
            state_transition_reason: String::new(),
            state_reason: None,
            tags: Tags(request.instance_tags.clone()),
        };
        tx.put(scope, instance.clone());
        launched.push(Arc::new(Instance { state: InstanceState::Pending, ..instance }));
    }
    Ok(Reservation { id: reservation_id, owner_id: scope.account.clone(), instances: launched })
}

/// Spec §1.1: a repeated `ClientToken` answers the reservation it made, creating nothing.
fn reservation_for_token(region: &RegionState, token: &str) -> Option<Reservation> {
    let instances: Vec<Arc<Instance>> =
        region.instances.values().filter(|instance| instance.client_token.as_deref() == Some(token)).cloned().collect();
    let first = instances.first()?.clone();
    let mut members: Vec<Arc<Instance>> =
        instances.into_iter().filter(|instance| instance.reservation_id == first.reservation_id).collect();
    members.sort_by_key(|instance| instance.ami_launch_index);
    Some(Reservation { id: first.reservation_id.clone(), owner_id: first.owner_id.clone(), instances: members })
}

/// Any `ami-…` is accepted: images are not modelled.
fn check_image_id(image_id: &str) -> Result<()> {
    if image_id.len() > "ami-".len() && image_id.starts_with("ami-") {
        return Ok(());
    }
    Err(Ec2Error::MalformedId { code: "InvalidAMIID.Malformed", id: image_id.to_string(), prefix: "ami" })
}

fn check_counts(min_count: i64, max_count: i64) -> Result<()> {
    if min_count < 1 {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "Value ({min_count}) for parameter minCount is invalid. Expected a positive integer."
        )));
    }
    if max_count < min_count {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "Value ({max_count}) for parameter maxCount is invalid. Expected a value greater than or equal to \
             minCount ({min_count})."
        )));
    }
    Ok(())
}

/// Merges the flat and the `NetworkInterface.N` forms, then resolves the subnet and the groups.
fn place(region: &RegionState, scope: &Scope, request: &RunInstances) -> Result<Placement> {
    let (subnet_id, group_ids, private_ip, associate_public_ip, description) = match request.network_interfaces.as_slice()
    {
        [] => (request.subnet_id.clone(), request.security_group_ids.clone(), request.private_ip_address.clone(), None, None),
        [interface] => {
            // AWS refuses instance-level network settings next to interface specifications.
            let clashes = [
                (request.subnet_id.is_some(), "subnet ID"),
                (!request.security_group_ids.is_empty() || !request.security_group_names.is_empty(), "security groups"),
                (request.private_ip_address.is_some(), "private IP address"),
            ];
            if let Some((_, what)) = clashes.iter().find(|(clash, _)| *clash) {
                return Err(Ec2Error::InvalidParameterCombination(format!(
                    "Network interfaces and an instance-level {what} may not be specified on the same request"
                )));
            }
            if interface.device_index != Some(0) {
                return Err(Ec2Error::InvalidParameterValue(
                    "Each network interface requires a device index, and the primary network interface must have \
                     device index 0."
                        .into(),
                ));
            }
            let secondary = !interface.secondary_private_ip_addresses.is_empty()
                || interface.secondary_private_ip_address_count.unwrap_or(0) > 0;
            if interface.network_interface_id.is_some() || secondary {
                return Err(Ec2Error::InvalidParameterValue(
                    "Attaching an existing network interface or secondary private addresses at launch is not \
                     supported by localvpc"
                        .into(),
                ));
            }
            (
                interface.subnet_id.clone(),
                interface.security_group_ids.clone(),
                interface.private_ip_address.clone(),
                interface.associate_public_ip_address,
                interface.description.clone(),
            )
        }
        _ => {
            return Err(Ec2Error::InvalidParameterValue(
                "Launching with more than one network interface is not supported by localvpc".into(),
            ))
        }
    };
    let subnet = match subnet_id {
        Some(subnet_id) => subnet::find(region, &subnet_id)?,
        None => default_subnet(region, scope, request.availability_zone.as_deref())?,
    };
    if let Some(zone) = &request.availability_zone {
        if *zone != subnet.availability_zone {
            return Err(Ec2Error::InvalidParameterValue(format!(
                "Value ({zone}) for parameter availabilityZone is invalid. Subnet '{}' is in availability zone '{}'.",
                subnet.id, subnet.availability_zone
            )));
        }
    }
    let group_ids = resolve_groups(region, &subnet, &group_ids, &request.security_group_names)?;
    Ok(Placement {
        subnet,
        group_ids,
        private_ip,
        associate_public_ip,
        description: description.unwrap_or_default(),
    })
}

/// Spec §2.9 [D]: without a subnet, the default subnet of the default VPC — of the requested zone, else of the
/// first zone that has one.
fn default_subnet(region: &RegionState, scope: &Scope, zone: Option<&str>) -> Result<Arc<Subnet>> {
    let vpc = region.vpcs.values().find(|vpc| vpc.is_default).ok_or(Ec2Error::NoDefaultVpc)?;
    let mut candidates: Vec<&Arc<Subnet>> = region
        .subnets
        .values()
        .filter(|subnet| subnet.vpc_id == vpc.id && subnet.default_for_az)
        .filter(|subnet| zone.is_none_or(|zone| subnet.availability_zone == zone))
        .collect();
    candidates.sort_by(|a, b| a.availability_zone.cmp(&b.availability_zone));
    let _ = scope;
    candidates.first().map(|subnet| (*subnet).clone()).ok_or_else(|| Ec2Error::NoDefaultSubnet(vpc.id.clone()))
}

/// Spec §2.7/§2.9: groups by ID must exist and belong to the subnet's VPC; names resolve in the default VPC only;
/// none means the VPC's `default` group.
fn resolve_groups(region: &RegionState, subnet: &Subnet, ids: &[String], names: &[String]) -> Result<Vec<String>> {
    let mut resolved: Vec<String> = Vec::new();
    for group_id in ids {
        IdKind::SecurityGroup.check(group_id)?;
        let group =
            region.security_groups.get(group_id).ok_or_else(|| Ec2Error::SecurityGroupNotFound(vec![group_id.clone()]))?;
        if group.vpc_id != subnet.vpc_id {
            return Err(Ec2Error::SecurityGroupInOtherNetwork { group_id: group.id.clone(), subnet_id: subnet.id.clone() });
        }
        resolved.push(group.id.clone());
    }
    if !names.is_empty() {
        let default_vpc = region.vpcs.values().find(|vpc| vpc.is_default).ok_or(Ec2Error::NoDefaultVpc)?;
        // ASSUMPTION (spec §2.7 [D] "names resolve in the default VPC only"): a subnet of another VPC cannot use
        // group names, with the message AWS gives when both are sent for a non-default VPC.
        if subnet.vpc_id != default_vpc.id {
            return Err(Ec2Error::InvalidParameterCombination(
                "The parameter groupName cannot be used with the parameter subnet".into(),
            ));
        }
        for name in names {
            let group = region
                .security_groups
                .values()
                .find(|group| &group.name == name && group.vpc_id == default_vpc.id)
                .ok_or_else(|| Ec2Error::SecurityGroupNameNotFound(name.clone(), default_vpc.id.clone()))?;
            resolved.push(group.id.clone());
        }
    }
    if resolved.is_empty() {
        let default_group = region
            .security_groups
            .values()
            .find(|group| group.vpc_id == subnet.vpc_id && group.name == "default")
            .ok_or_else(|| Ec2Error::SecurityGroupNameNotFound("default".into(), subnet.vpc_id.clone()))?;
        resolved.push(default_group.id.clone());
    }
    let mut unique = Vec::new();
    for id in resolved {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    Ok(unique)
}

/// One item of a Stop/Start/Terminate response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateChange {
    /// The instance.
    pub instance_id: String,
    /// `currentState` as the response shows it.
    pub current: InstanceState,
    /// `previousState`.
    pub previous: InstanceState,
}

/// Checks every ID (shape, then existence, naming every missing one) before anything changes.
fn find_all(region: &RegionState, instance_ids: &[String]) -> Result<Vec<Arc<Instance>>> {
    if instance_ids.is_empty() {
        return Err(Ec2Error::MissingParameter("InstanceId".into()));
    }
    for id in instance_ids {
        IdKind::Instance.check(id)?;
    }
    let missing: Vec<String> = instance_ids.iter().filter(|id| !region.instances.contains_key(*id)).cloned().collect();
    if !missing.is_empty() {
        return Err(Ec2Error::InstanceNotFound(missing));
    }
    Ok(instance_ids.iter().filter_map(|id| region.instances.get(id).cloned()).collect())
}

fn user_initiated(now: Timestamp) -> (String, StateReason) {
    let iso = now.to_iso8601();
    let reason = format!("User initiated ({} {} GMT)", &iso[..10], &iso[11..19]);
    let state_reason = StateReason {
        code: "Client.UserInitiatedShutdown".into(),
        message: "Client.UserInitiatedShutdown: User initiated shutdown".into(),
    };
    (reason, state_reason)
}

/// StopInstances (spec §2.9): the dynamic public address is released; an Elastic IP stays.
pub fn stop_instances(tx: &mut Tx, scope: &Scope, instance_ids: &[String]) -> Result<Vec<StateChange>> {
    let instances = find_all(tx.region(scope), instance_ids)?;
    if let Some(instance) = instances.iter().find(|instance| instance.state == InstanceState::Terminated) {
        return Err(Ec2Error::InstanceCannotBeStopped(instance.id.clone()));
    }
    let (reason, state_reason) = user_initiated(tx.now());
    let mut changes = Vec::new();
    for instance in instances {
        let previous = instance.state;
        if previous.is_running() {
            if let Some(interface_id) = &instance.network_interface_id {
                network_interface::release_dynamic_public_ip(tx, scope, interface_id);
            }
            tx.update::<Instance>(scope, &instance.id, |instance| {
                instance.state = InstanceState::Stopped;
                instance.state_transition_reason = reason.clone();
                instance.state_reason = Some(state_reason.clone());
            });
        }
        let current = if previous.is_running() { InstanceState::Stopping } else { previous };
        changes.push(StateChange { instance_id: instance.id.clone(), current, previous });
    }
    Ok(changes)
}

/// StartInstances (spec §2.9): an eligible interface gets a new dynamic public address.
pub fn start_instances(tx: &mut Tx, scope: &Scope, instance_ids: &[String]) -> Result<Vec<StateChange>> {
    let instances = find_all(tx.region(scope), instance_ids)?;
    if let Some(instance) = instances.iter().find(|instance| instance.state == InstanceState::Terminated) {
        return Err(Ec2Error::InstanceCannotBeStarted(instance.id.clone()));
    }
    let now = tx.now();
    let mut changes = Vec::new();
    for instance in instances {
        let previous = instance.state;
        let current = if previous.is_running() { previous } else { InstanceState::Pending };
        if !previous.is_running() {
            tx.update::<Instance>(scope, &instance.id, |instance| {
                instance.state = InstanceState::Running;
                instance.launch_time = now;
                instance.state_transition_reason = String::new();
                instance.state_reason = None;
            });
            if let Some(interface_id) = &instance.network_interface_id {
                network_interface::assign_dynamic_public_ip(tx, scope, interface_id)?;
            }
        }
        changes.push(StateChange { instance_id: instance.id.clone(), current, previous });
    }
    Ok(changes)
}

/// TerminateInstances (spec §2.9): idempotent; the interface is deleted (freeing its address and its subnet) and
/// an Elastic IP on it is disassociated.
pub fn terminate_instances(tx: &mut Tx, scope: &Scope, instance_ids: &[String]) -> Result<Vec<StateChange>> {
    let instances = find_all(tx.region(scope), instance_ids)?;
    let (reason, state_reason) = user_initiated(tx.now());
    let mut changes = Vec::new();
    for instance in instances {
        let previous = instance.state;
        if previous == InstanceState::Terminated {
            changes.push(StateChange { instance_id: instance.id.clone(), current: previous, previous });
            continue;
        }
        if let Some(interface_id) = &instance.network_interface_id {
            network_interface::delete_with_instance(tx, scope, interface_id);
        }
        tx.update::<Instance>(scope, &instance.id, |instance| {
            instance.state = InstanceState::Terminated;
            instance.network_interface_id = None;
            instance.state_transition_reason = reason.clone();
            instance.state_reason = Some(state_reason.clone());
        });
        changes.push(StateChange { instance_id: instance.id.clone(), current: InstanceState::ShuttingDown, previous });
    }
    Ok(changes)
}

/// Spec §1.5 [D]: DescribeInstances takes MaxResults 5–1000, but not together with explicit IDs.
pub fn check_describe_paging(instance_ids: &[String], page: &PageRequest) -> Result<()> {
    if !instance_ids.is_empty() && page.max_results.is_some() {
        return Err(Ec2Error::InvalidParameterCombination(
            "The parameter instancesSet cannot be used with the parameter maxResults".into(),
        ));
    }
    Ok(())
}

/// Groups instances into their reservations, in order of first appearance.
pub fn group_by_reservation(instances: &[Arc<Instance>]) -> Vec<Reservation> {
    let mut reservations: Vec<Reservation> = Vec::new();
    for instance in instances {
        match reservations.iter_mut().find(|reservation| reservation.id == instance.reservation_id) {
            Some(reservation) => reservation.instances.push(instance.clone()),
            None => reservations.push(Reservation {
                id: instance.reservation_id.clone(),
                owner_id: instance.owner_id.clone(),
                instances: vec![instance.clone()],
            }),
        }
    }
    reservations
}

/// An instance seen with its region, for the filters that look at its interface, groups and addresses.
pub struct InstanceView<'a> {
    /// The instance.
    pub instance: &'a Instance,
    /// Its region.
    pub region: &'a RegionState,
}

impl Filterable for InstanceView<'_> {
    const FILTERS: &'static [&'static str] = &[
        "availability-zone",
        "client-token",
        "dns-name",
        "group-id",
        "group-name",
        "image-id",
        "instance-id",
        "instance-state-code",
        "instance-state-name",
        "instance-type",
        "instance.group-id",
        "instance.group-name",
        "ip-address",
        "key-name",
        "launch-time",
        "network-interface.addresses.association.public-ip",
        "network-interface.addresses.private-ip-address",
        "network-interface.association.public-ip",
        "network-interface.attachment.attachment-id",
        "network-interface.attachment.device-index",
        "network-interface.attachment.instance-id",
        "network-interface.attachment.status",
        "network-interface.description",
        "network-interface.group-id",
        "network-interface.group-name",
        "network-interface.mac-address",
        "network-interface.network-interface-id",
        "network-interface.owner-id",
        "network-interface.private-dns-name",
        "network-interface.source-dest-check",
        "network-interface.status",
        "network-interface.subnet-id",
        "network-interface.vpc-id",
        "owner-id",
        "placement-availability-zone",
        "private-dns-name",
        "private-ip-address",
        "reservation-id",
        "subnet-id",
        "tenancy",
        "vpc-id",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let instance = self.instance;
        let interface = instance.interface(self.region);
        let interface_filter = |field: &str, out: &mut Vec<String>| {
            if let Some(interface) = interface {
                let view = network_interface::NetworkInterfaceView { interface, region: self.region };
                view.filter_values(field, out);
            }
        };
        match name {
            "availability-zone" | "placement-availability-zone" => out.push(instance.availability_zone.clone()),
            "client-token" => out.extend(instance.client_token.clone()),
            "dns-name" => out.extend(interface.and_then(|i| network_interface::public_dns_name(self.region, i))),
            "group-id" | "instance.group-id" => interface_filter("group-id", out),
            "group-name" | "instance.group-name" => interface_filter("group-name", out),
            "image-id" => out.push(instance.image_id.clone()),
            "instance-id" => out.push(instance.id.clone()),
            "instance-state-code" => out.push(instance.state.code().to_string()),
            "instance-state-name" => out.push(instance.state.name().to_string()),
            "instance-type" => out.push(instance.instance_type.clone()),
            "ip-address" => interface_filter("association.public-ip", out),
            "key-name" => out.extend(instance.key_name.clone()),
            "launch-time" => out.push(instance.launch_time.to_iso8601()),
            "owner-id" => out.push(instance.owner_id.clone()),
            "private-dns-name" => out.extend(interface.map(|i| i.private_dns_name())),
            "private-ip-address" => out.extend(interface.map(|i| i.private_ip.to_string())),
            "reservation-id" => out.push(instance.reservation_id.clone()),
            "subnet-id" => out.extend(interface.map(|i| i.subnet_id.clone())),
            "tenancy" => out.push("default".into()),
            "vpc-id" => out.extend(interface.map(|i| i.vpc_id.clone())),
            other => {
                if let Some(field) = other.strip_prefix("network-interface.") {
                    interface_filter(field, out);
                }
            }
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.instance.tags)
    }
}
