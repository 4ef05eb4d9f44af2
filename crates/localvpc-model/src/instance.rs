//! Instances (spec §2.9): the state machine of Stop/Start/Terminate, reservations, and the DescribeInstances
//! filters. RunInstances, with its subnet, group and address rules, is in `instance/launch.rs`; scenario tests of
//! the whole life cycle are in `instance/tests.rs`.
//!
//! Instances carry no guest: what matters to the VPC is the primary network interface
//! ([`crate::network_interface`]), which holds the subnet, the groups and the addresses. A terminated instance
//! stays describable, but its interface is deleted with it, so it no longer holds an address or blocks its subnet.
//!
//! States (spec §2.9 [D]): RunInstances and StartInstances answer `pending`; every later Describe sees `running`
//! (the instance is stored as running at once, only the response shows the transition). Stop answers `stopping`
//! and Terminate `shutting-down` in the same way. Launching from an image and key pairs are accepted and not
//! modelled; the EBS volumes an instance gets are ([`crate::volume`]). Attributes (`instance/attribute.rs`), status
//! checks and reboots (`instance/status.rs`) and CPU credits (`instance/credit.rs`) have modules of their own.

pub mod attribute;
pub mod credit;
pub mod dns_options;
mod launch;
pub mod status;
#[cfg(test)]
mod tests;
pub mod user_data;

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use attribute::InstanceAttributes;
pub use dns_options::{modify_private_dns_name_options, PrivateDnsNameChange, PrivateDnsNameOptions};
pub use launch::{run_instances, InterfaceSpecification, LaunchSettings, RunInstances};

use crate::filter::{self, Filterable, Page, PageRequest};
use crate::ids::IdKind;
use crate::index::Indexes;
use crate::network_interface::{self, NetworkInterface};
use crate::tags::Tags;
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
    /// Where its launch falls among the region's (IDs are random, so they do not tell): DescribeInstances lists
    /// instances in this order. Records stored before it existed read 0 and list first, in ID order.
    #[serde(default)]
    pub launch_sequence: u64,
    /// `ClientToken` of the RunInstances call.
    pub client_token: Option<String>,
    /// `reason`, e.g. `User initiated (2026-01-02 03:04:05 GMT)`.
    pub state_transition_reason: String,
    /// `stateReason`.
    pub state_reason: Option<StateReason>,
    /// Tags.
    pub tags: Tags,
    /// `UserData` as RunInstances received it (base64, as AWS keeps and returns it); run at launch by the kernel
    /// data plane.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_data: Option<String>,
    /// The attributes ModifyInstanceAttribute changes (spec §10.3); records written before they existed load
    /// with AWS's launch defaults.
    #[serde(default)]
    pub attributes: InstanceAttributes,
    /// The root device name (`rootDeviceName`); `None` in records stored before volumes were modelled, which
    /// read as the default.
    #[serde(default)]
    pub root_device_name: Option<String>,
    /// `privateDnsNameOptions` (part 2 §16.4), fixed at launch from the subnet's; records written before they were
    /// stored load with AWS's defaults.
    #[serde(default)]
    pub private_dns_name_options: PrivateDnsNameOptions,
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
    /// The `ClientToken` it was launched with (a repeated RunInstances answers from it), and its place in launch
    /// order.
    fn reindex(index: &mut Indexes<'_>, old: Option<&Self>, new: Option<&Self>) {
        let order = |instance: Option<&Self>| instance.map(|instance| (instance.launch_sequence, instance.id.clone()));
        if order(old) != order(new) {
            if let Some((sequence, id)) = order(old) {
                index.region.remove_launched_instance(sequence, &id);
            }
            if let Some((sequence, id)) = order(new) {
                index.region.add_launched_instance(sequence, &id);
            }
        }
        let token = |instance: Option<&Self>| instance.and_then(|instance| instance.client_token.clone());
        if token(old) == token(new) {
            return;
        }
        if let (Some(old), Some(token)) = (old, token(old)) {
            index.region.remove_client_token(&token, &old.id);
        }
        if let (Some(new), Some(token)) = (new, token(new)) {
            index.region.add_client_token(&token, &new.id);
        }
    }
}

impl Instance {
    /// The root device name: the image's, where its root volume is attached.
    pub fn root_device_name(&self) -> &str {
        self.root_device_name.as_deref().unwrap_or_else(|| crate::volume::root_device_name(&self.image_id))
    }

    /// Every interface attached to the instance, by device index (the primary first).
    pub fn interfaces<'a>(&self, region: &'a RegionState) -> impl Iterator<Item = &'a Arc<NetworkInterface>> + 'a {
        let ids: Vec<&'a str> = region.index.interfaces_of_instance(&self.id).map(|(_, id)| id).collect();
        ids.into_iter().filter_map(|id| region.network_interfaces.get(id))
    }

    /// The primary interface, while the instance has one.
    pub fn interface<'a>(&self, region: &'a RegionState) -> Option<&'a Arc<NetworkInterface>> {
        region.network_interfaces.get(self.network_interface_id.as_deref()?)
    }

    /// `privateDnsName` (EC2 User Guide, "Amazon EC2 instance hostname types" [D]): the hostname its hostname type
    /// gives — the resource name (`i-….ec2.internal`, the only one an IPv6-only instance has) or the primary
    /// interface's IP name. None once the instance has no interface (terminated: AWS shows it empty).
    pub fn private_dns_name(&self, region: &RegionState) -> Option<String> {
        let interface = self.interface(region)?;
        if self.private_dns_name_options.hostname_type == crate::subnet::HOSTNAME_TYPES[1] {
            return Some(crate::dns_name::resource_dns_name(&interface.region, &self.id));
        }
        interface.private_dns_name()
    }
}

/// Looks an instance up, checking the ID's shape first.
pub fn find(region: &RegionState, instance_id: &str) -> Result<Arc<Instance>> {
    IdKind::Instance.check(instance_id)?;
    region.instances.get(instance_id).cloned().ok_or_else(|| Ec2Error::InstanceNotFound(vec![instance_id.to_string()]))
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

/// Every ID well formed, then every one present (an error names all the missing ones at once).
fn check_ids(region: &RegionState, instance_ids: &[String]) -> Result<()> {
    for id in instance_ids {
        IdKind::Instance.check(id)?;
    }
    let missing: Vec<String> =
        instance_ids.iter().filter(|id| !region.instances.contains_key(id.as_str())).cloned().collect();
    if !missing.is_empty() {
        return Err(Ec2Error::InstanceNotFound(missing));
    }
    Ok(())
}

/// Checks every ID (shape, then existence, naming every missing one) before anything changes.
pub(crate) fn find_all(region: &RegionState, instance_ids: &[String]) -> Result<Vec<Arc<Instance>>> {
    if instance_ids.is_empty() {
        return Err(Ec2Error::MissingParameter("InstanceId".into()));
    }
    check_ids(region, instance_ids)?;
    Ok(instance_ids.iter().filter_map(|id| region.instances.get(id.as_str()).cloned()).collect())
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
    for instance in &instances {
        attribute::check_may_stop(instance)?;
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

/// TerminateInstances (spec §2.9): idempotent; the interface is deleted (freeing its address and its subnet, an
/// Elastic IP on it disassociated) — or only detached if its attachment says not to delete it (part 2 §11.2).
pub fn terminate_instances(tx: &mut Tx, scope: &Scope, instance_ids: &[String]) -> Result<Vec<StateChange>> {
    // Spec §2.9 [O]: TerminateInstances names the missing IDs differently from Stop and Start.
    if instance_ids.is_empty() {
        return Err(Ec2Error::NoInstancesSpecified);
    }
    let instances = find_all(tx.region(scope), instance_ids)?;
    for instance in &instances {
        attribute::check_may_terminate(instance)?;
    }
    let (reason, state_reason) = user_initiated(tx.now());
    let mut changes = Vec::new();
    for instance in instances {
        let previous = instance.state;
        if previous == InstanceState::Terminated {
            changes.push(StateChange { instance_id: instance.id.clone(), current: previous, previous });
            continue;
        }
        let attached: Vec<String> =
            tx.region(scope).index.interfaces_of_instance(&instance.id).map(|(_, id)| id.to_string()).collect();
        for interface_id in attached {
            network_interface::release_with_instance(tx, scope, &interface_id);
        }
        crate::volume::release_for_instance(tx, scope, &instance.id);
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

/// DescribeInstances' selection: the instances named (each must exist) or all of them, those `keep` passes, in
/// launch order — a reservation's instances by launch index, reservations as they were launched, as AWS lists them
/// — one page at a time. A page token names the first instance of the next page (instances are never removed, so
/// it stays valid).
pub fn describe(
    region: &RegionState,
    instance_ids: &[String],
    page: &PageRequest,
    mut keep: impl FnMut(&Instance) -> bool,
) -> Result<Page<Arc<Instance>>> {
    check_ids(region, instance_ids)?;
    if !instance_ids.is_empty() {
        // Named instances are never paged (`check_describe_paging`): one answer, in launch order.
        let mut named: Vec<Arc<Instance>> =
            instance_ids.iter().filter_map(|id| region.instances.get(id.as_str())).cloned().collect();
        named.sort_by(|a, b| (a.launch_sequence, &a.id).cmp(&(b.launch_sequence, &b.id)));
        named.dedup_by(|a, b| a.id == b.id);
        named.retain(|instance| keep(instance));
        return Ok(Page { items: named, next_token: None });
    }
    let start = match filter::resume_at(page)? {
        Some(id) => {
            let instance = region
                .instances
                .get(id.as_str())
                .ok_or_else(|| Ec2Error::InvalidNextToken(page.next_token.clone().unwrap_or_default()))?;
            Some((instance.launch_sequence, instance.id.clone()))
        }
        None => None,
    };
    let ordered = region
        .index
        .instances_in_launch_order(start.as_ref().map(|(sequence, id)| (*sequence, id.as_str())))
        .filter_map(|id| region.instances.get_key_value(id));
    Ok(filter::one_page(ordered, page, keep))
}

/// Groups instances into their reservations, in order of first appearance.
pub fn group_by_reservation(instances: &[Arc<Instance>]) -> Vec<Reservation> {
    let mut reservations: Vec<Reservation> = Vec::new();
    // Reservation ID → position in `reservations`: a page of instances launched one by one has as many
    // reservations as instances, and a search of the list per instance would make the page quadratic.
    let mut positions: HashMap<&str, usize> = HashMap::new();
    for instance in instances {
        match positions.get(instance.reservation_id.as_str()) {
            Some(&position) => reservations[position].instances.push(instance.clone()),
            None => {
                positions.insert(&instance.reservation_id, reservations.len());
                reservations.push(Reservation {
                    id: instance.reservation_id.clone(),
                    owner_id: instance.owner_id.clone(),
                    instances: vec![instance.clone()],
                });
            }
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
        "architecture",
        "availability-zone",
        "availability-zone-id",
        "client-token",
        "dns-name",
        "ebs-optimized",
        "ena-support",
        "group-id",
        "group-name",
        "hypervisor",
        "image-id",
        "instance-id",
        "instance-state-code",
        "instance-state-name",
        "instance-type",
        "instance.group-id",
        "instance.group-name",
        "ip-address",
        "ipv6-address",
        "key-name",
        "launch-index",
        "launch-time",
        "monitoring-state",
        "network-interface.addresses.association.ip-owner-id",
        "network-interface.addresses.association.public-ip",
        "network-interface.addresses.primary",
        "network-interface.addresses.private-ip-address",
        "network-interface.association.allocation-id",
        "network-interface.association.association-id",
        "network-interface.association.ip-owner-id",
        "network-interface.association.public-dns-name",
        "network-interface.association.public-ip",
        "network-interface.attachment.attach-time",
        "network-interface.attachment.attachment-id",
        "network-interface.attachment.delete-on-termination",
        "network-interface.attachment.device-index",
        "network-interface.attachment.instance-id",
        "network-interface.attachment.instance-owner-id",
        "network-interface.attachment.status",
        "network-interface.availability-zone",
        "network-interface.description",
        "network-interface.group-id",
        "network-interface.group-name",
        "network-interface.ipv6-addresses.ipv6-address",
        "network-interface.mac-address",
        "network-interface.network-interface-id",
        "network-interface.owner-id",
        "network-interface.private-dns-name",
        "network-interface.private-ip-address",
        "network-interface.requester-managed",
        "network-interface.source-dest-check",
        "network-interface.status",
        "network-interface.subnet-id",
        "network-interface.vpc-id",
        "owner-id",
        "placement-availability-zone",
        "platform-details",
        "private-dns-name",
        "private-ip-address",
        "reason",
        "reservation-id",
        "root-device-name",
        "root-device-type",
        "source-dest-check",
        "state-reason-code",
        "state-reason-message",
        "subnet-id",
        "tenancy",
        "usage-operation",
        "virtualization-type",
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
            // The launch facts DescribeInstances shows for every instance (localvpc runs x86_64 HVM EBS-backed
            // Linux on Xen-reported hosts).
            "architecture" => out.push("x86_64".into()),
            "ebs-optimized" => out.push(instance.attributes.ebs_optimized.to_string()),
            "ena-support" => out.push(instance.attributes.ena_support.to_string()),
            "hypervisor" => out.push("xen".into()),
            "monitoring-state" => out.push(status::monitoring_state(instance).into()),
            "platform-details" => out.push("Linux/UNIX".into()),
            "root-device-name" => out.push(instance.root_device_name().into()),
            "root-device-type" => out.push("ebs".into()),
            "usage-operation" => out.push("RunInstances".into()),
            "virtualization-type" => out.push("hvm".into()),
            "availability-zone-id" => out.push(instance.availability_zone_id.clone()),
            "launch-index" => out.push(instance.ami_launch_index.to_string()),
            "reason" => out.push(instance.state_transition_reason.clone()),
            "source-dest-check" => interface_filter("source-dest-check", out),
            "state-reason-code" => out.extend(instance.state_reason.as_ref().map(|reason| reason.code.clone())),
            "state-reason-message" => out.extend(instance.state_reason.as_ref().map(|reason| reason.message.clone())),
            "availability-zone" | "placement-availability-zone" => out.push(instance.availability_zone.clone()),
            "client-token" => out.extend(instance.client_token.clone()),
            // ASSUMPTION (spec §1.1 [I]): a filter matches the value the answer shows, and DescribeInstances shows
            // `dnsName` and `privateDnsName` as empty strings when there is no name (as `reason`), so `""` matches
            // those instances; `stateReason`, absent instead, matches nothing.
            "dns-name" => {
                out.push(interface.and_then(|i| network_interface::public_dns_name(self.region, i)).unwrap_or_default())
            }
            "group-id" | "instance.group-id" => interface_filter("group-id", out),
            "group-name" | "instance.group-name" => interface_filter("group-name", out),
            "image-id" => out.push(instance.image_id.clone()),
            "instance-id" => out.push(instance.id.clone()),
            "instance-state-code" => out.push(instance.state.code().to_string()),
            "instance-state-name" => out.push(instance.state.name().to_string()),
            "instance-type" => out.push(instance.instance_type.clone()),
            "ip-address" => interface_filter("association.public-ip", out),
            "ipv6-address" => interface_filter("ipv6-addresses.ipv6-address", out),
            "key-name" => out.extend(instance.key_name.clone()),
            "launch-time" => out.push(instance.launch_time.to_iso8601()),
            "owner-id" => out.push(instance.owner_id.clone()),
            "private-dns-name" => out.extend(instance.private_dns_name(self.region)),
            "private-ip-address" => out.extend(interface.and_then(|i| i.private_ip).map(|ip| ip.to_string())),
            "reservation-id" => out.push(instance.reservation_id.clone()),
            "subnet-id" => out.extend(interface.map(|i| i.subnet_id.clone())),
            "tenancy" => out.push("default".into()),
            "vpc-id" => out.extend(interface.map(|i| i.vpc_id.clone())),
            // The `network-interface.*` filters match any interface of the instance, not only the primary one.
            other => {
                if let Some(field) = other.strip_prefix("network-interface.") {
                    for interface in instance.interfaces(self.region) {
                        let view = network_interface::NetworkInterfaceView { interface, region: self.region };
                        view.filter_values(field, out);
                    }
                }
            }
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.instance.tags)
    }
}
