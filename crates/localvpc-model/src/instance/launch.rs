//! RunInstances (spec §2.9, §1.1): the flat and the `NetworkInterface.N` parameter forms, `ClientToken`
//! idempotency, the default subnet and group, security groups of the right VPC, and private address allocation.

use std::net::Ipv4Addr;
use std::sync::Arc;

mod placement;

use super::{attribute, credit, Instance, InstanceAttributes, InstanceState, Reservation};
use crate::ids::IdKind;
use crate::network_interface::{self, LaunchedInterface};
use crate::subnet::Subnet;
use crate::tags::{Tag, Tags};
use crate::volume::{self, BlockDeviceMapping};
use crate::world::{RegionState, Scope, Tx};
use crate::{Ec2Error, Result};

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
    /// The other addresses of `PrivateIpAddresses.N`: secondary addresses.
    pub secondary_private_ip_addresses: Vec<String>,
    /// `SecondaryPrivateIpAddressCount`: that many secondary addresses from the subnet.
    pub secondary_private_ip_address_count: Option<i64>,
    /// `DeleteOnTermination` (default true for an interface made at launch).
    pub delete_on_termination: Option<bool>,
    /// `AssociatePublicIpAddress`.
    pub associate_public_ip_address: Option<bool>,
    /// `Description`.
    pub description: Option<String>,
    /// `Ipv6AddressCount` / `Ipv6Addresses.N` (part 2 §16.1).
    pub ipv6: network_interface::AssignIpv6Addresses,
}

/// The launch values of an instance's attributes (spec §10.3, §10.4, §10.6); `None` takes AWS's default.
#[derive(Debug, Clone, Default)]
pub struct LaunchSettings {
    /// `UserData`, base64 as sent.
    pub user_data: Option<String>,
    /// `DisableApiTermination`.
    pub disable_api_termination: Option<bool>,
    /// `DisableApiStop`.
    pub disable_api_stop: Option<bool>,
    /// `InstanceInitiatedShutdownBehavior`.
    pub shutdown_behavior: Option<String>,
    /// `EbsOptimized`.
    pub ebs_optimized: Option<bool>,
    /// `KernelId`.
    pub kernel_id: Option<String>,
    /// `RamdiskId`.
    pub ramdisk_id: Option<String>,
    /// `CreditSpecification.CpuCredits`.
    pub cpu_credits: Option<String>,
    /// `Monitoring.Enabled`: detailed monitoring.
    pub monitoring: Option<bool>,
}

impl LaunchSettings {
    /// Checks the values and builds the attributes an instance of `instance_type` starts with.
    fn attributes(&self, instance_type: &str) -> Result<InstanceAttributes> {
        let defaults = InstanceAttributes::default();
        if let Some(data) = &self.user_data {
            super::user_data::check(data)?;
        }
        if let Some(behavior) = &self.shutdown_behavior {
            attribute::check_shutdown_behavior(behavior)?;
        }
        Ok(InstanceAttributes {
            disable_api_termination: self.disable_api_termination.unwrap_or(defaults.disable_api_termination),
            disable_api_stop: self.disable_api_stop.unwrap_or(defaults.disable_api_stop),
            shutdown_behavior: self.shutdown_behavior.clone().unwrap_or(defaults.shutdown_behavior),
            ebs_optimized: self.ebs_optimized.unwrap_or(defaults.ebs_optimized),
            kernel_id: self.kernel_id.clone(),
            ramdisk_id: self.ramdisk_id.clone(),
            cpu_credits: credit::launch_credits(instance_type, self.cpu_credits.as_deref())?,
            detailed_monitoring: self.monitoring.unwrap_or(defaults.detailed_monitoring),
            ..defaults
        })
    }
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
    /// The launch values of the instance's attributes.
    pub settings: LaunchSettings,
    /// `TagSpecification` type `volume`.
    pub volume_tags: Vec<Tag>,
    /// `BlockDeviceMapping.N`.
    pub block_device_mappings: Vec<BlockDeviceMapping>,
    /// The launch template and version the parameters came from, if any.
    pub launch_template: Option<(String, u64)>,
    /// `Ipv6AddressCount` / `Ipv6Address.N` for the primary interface (part 2 §16.1).
    pub ipv6: network_interface::AssignIpv6Addresses,
    /// `PrivateDnsNameOptions` (part 2 §16.4): what it sends, over the subnet's `…OnLaunch` options.
    pub private_dns_name_options: super::PrivateDnsNameChange,
}

/// RunInstances (spec §2.9).
pub fn run_instances(tx: &mut Tx, scope: &Scope, request: RunInstances) -> Result<Reservation> {
    if let Some(token) = request.client_token.as_deref().filter(|token| !token.is_empty()) {
        if let Some(existing) = reservation_for_token(tx.region(scope), token) {
            return Ok(existing);
        }
    }
    check_image_id(&request.image_id)?;
    check_counts(request.min_count, request.max_count, tx.quotas().max_instances_per_call)?;
    crate::tags::validate(&request.instance_tags)?;
    crate::tags::validate(&request.interface_tags)?;
    let instance_type = request.instance_type.clone().unwrap_or_else(|| "m1.small".into());
    let attributes = request.settings.attributes(&instance_type)?;
    crate::tags::validate(&request.volume_tags)?;
    let volumes = volume::plan(scope, &request.image_id, &request.block_device_mappings)?;
    // EC2 User Guide, "Launch an instance from a launch template": AWS tags the instance with the template and
    // version it came from, under keys a caller may not set.
    let mut instance_tags = request.instance_tags.clone();
    if let Some((template_id, version)) = &request.launch_template {
        instance_tags.push(Tag { key: "aws:ec2launchtemplate:id".into(), value: template_id.clone() });
        instance_tags.push(Tag { key: "aws:ec2launchtemplate:version".into(), value: version.to_string() });
    }
    if let Some(zone) = &request.availability_zone {
        // Spec §2.9 [O]: a zone of another region (or none at all) is refused before any subnet is looked at.
        if !crate::availability_zone::zones(&scope.region).iter().any(|known| known.name == *zone) {
            return Err(Ec2Error::InvalidAvailabilityZone(zone.clone()));
        }
    }
    let placement = placement::place(tx.region(scope), &request)?;
    placement.check_ipv6_only(&instance_type)?;
    let dns_options = super::dns_options::at_launch(&placement.subnet, &request.private_dns_name_options)?;
    // Spec §5: security groups per network interface (every launched interface gets the same groups).
    let quotas = tx.quotas();
    crate::quotas::check(quotas.security_groups_per_interface, 0, placement.group_ids.len(), || {
        Ec2Error::SecurityGroupsPerInterfaceLimitExceeded
    })?;
    let subnet = placement.subnet.clone();
    // ASSUMPTION (spec part 2 §11.2 [I]): an existing interface attaches to one instance only, so a launch naming
    // one is for a single instance; the code and text are unverified.
    let existing =
        placement.existing_interface.is_some() || placement.extra_interfaces.iter().any(|e| e.existing.is_some());
    if existing && request.max_count > 1 {
        return Err(Ec2Error::InvalidParameterCombination(
            "A network interface ID can only be specified when launching a single instance.".into(),
        ));
    }
    let fixed_address = placement.private_ip.is_some()
        || !placement.secondary.addresses.is_empty()
        || !placement.ipv6.addresses.is_empty()
        || placement.extra_interfaces.iter().any(|extra| extra.is_fixed());
    // ASSUMPTION (spec §2.9 [I]): one fixed address cannot serve several instances; AWS refuses the combination,
    // the exact text is unverified.
    if fixed_address && request.max_count > 1 {
        return Err(Ec2Error::InvalidParameterCombination(
            "A private IP address can only be specified when launching a single instance.".into(),
        ));
    }
    let requested = match &placement.private_ip {
        Some(text) => {
            let region = tx.region(scope);
            let in_use = |address| region.index.private_address_in_use(&subnet.id, address);
            Some(network_interface::check_requested_address(&subnet, in_use, text)?)
        }
        None => None,
    };
    // Spec §2.9 [O]: as many as fit up to MaxCount, at least MinCount, else nothing — counting only the addresses a
    // launch can be given (none inside the subnet's CIDR reservations).
    let free = match fixed_address || existing {
        // One instance on its named address or an existing interface (its other addresses are taken when it is
        // made, or refused then if the subnet has none left).
        true => 1,
        // Each instance takes its secondary addresses, and those of its further interfaces, from their subnets
        // (part 2 §11.4).
        false => {
            let mut demand: Vec<(&Subnet, u64)> = vec![(&subnet, placement.addresses_per_instance())];
            for extra in &placement.extra_interfaces {
                match demand.iter_mut().find(|(taken, _)| taken.id == extra.subnet.id) {
                    Some((_, count)) => *count += extra.addresses_per_instance(),
                    None => demand.push((&extra.subnet, extra.addresses_per_instance())),
                }
            }
            let region = tx.region(scope);
            demand
                .iter()
                .filter(|(_, count)| *count > 0)
                .map(|(subnet, count)| network_interface::assignable_address_count(region, subnet) / count)
                .min()
                .unwrap_or(u64::MAX)
        }
    };
    // Part 2 §11.2: the instance type's interface limit holds at launch as for AttachNetworkInterface.
    let interfaces_per_instance = 1 + placement.extra_interfaces.len();
    if let Some(limits) = crate::instance_type::limits(&instance_type) {
        if interfaces_per_instance > limits.max_network_interfaces as usize {
            return Err(crate::NetworkInterfaceError::AttachmentLimitExceeded {
                count: interfaces_per_instance,
                instance_type: instance_type.clone(),
            }
            .into());
        }
    }
    let count = (request.max_count as u64).min(free);
    if count < request.min_count as u64 {
        return Err(Ec2Error::InsufficientFreeAddressesInSubnet(subnet.id.clone()));
    }
    // Spec §5: network interfaces per Region, one primary interface per instance.
    // ASSUMPTION (spec §5 [I]): like the free addresses above, the quota trims the launch to what fits and refuses
    // it only when fewer than MinCount fit.
    let created_per_instance = u64::from(placement.existing_interface.is_none())
        + placement.extra_interfaces.iter().filter(|extra| extra.existing.is_none()).count() as u64;
    let room = quotas
        .network_interfaces_per_region
        .filter(|_| created_per_instance > 0)
        .map(|limit| limit.saturating_sub(tx.region(scope).network_interfaces.len()) as u64 / created_per_instance);
    let count = count.min(room.unwrap_or(u64::MAX));
    if count < request.min_count as u64 {
        return Err(Ec2Error::NetworkInterfaceLimitExceeded);
    }
    // Spec §2.9 [D]: `AssociatePublicIpAddress` on device 0 overrides the subnet's `mapPublicIpOnLaunch`, and no
    // instance launched with more than one interface gets a public address.
    let assign_public_ip = placement.extra_interfaces.is_empty()
        && placement.associate_public_ip.unwrap_or(subnet.map_public_ip_on_launch);
    let reservation_id = tx.next_id(IdKind::Reservation);
    let mut launched = Vec::with_capacity(count as usize);
    // Where the search for the next free address resumes: every address below it is taken.
    let mut resume_at: Option<Ipv4Addr> = None;
    for index in 0..count as u32 {
        let instance_id = tx.next_id(IdKind::Instance);
        let launch_sequence = tx.id_sequence();
        let interface = match &placement.existing_interface {
            Some(interface_id) => network_interface::attach_at_launch(tx, scope, interface_id, &instance_id, 0)
                .ok_or_else(|| Ec2Error::NetworkInterfaceNotFound(vec![interface_id.clone()]))?,
            None => {
                let private_ip = match requested {
                    Some(address) => Some(address),
                    // Part 2 §16.1: an IPv6-only subnet's interface has no IPv4 address.
                    None if subnet.ipv6_native() => None,
                    None => Some(
                        network_interface::first_free_address(tx.region(scope), &subnet, resume_at)
                            .ok_or_else(|| Ec2Error::InsufficientFreeAddressesInSubnet(subnet.id.clone()))?,
                    ),
                };
                resume_at = private_ip.or(resume_at);
                network_interface::create_launched(
                    tx,
                    scope,
                    &subnet,
                    LaunchedInterface {
                        instance_id: instance_id.clone(),
                        device_index: 0,
                        private_ip,
                        security_group_ids: placement.group_ids.clone(),
                        assign_public_ip,
                        description: placement.description.clone(),
                        tags: Tags(request.interface_tags.clone()),
                        delete_on_termination: placement.delete_on_termination,
                    },
                )?
            }
        };
        let instance = Instance {
            id: instance_id,
            reservation_id: reservation_id.clone(),
            owner_id: scope.account.clone(),
            image_id: request.image_id.clone(),
            instance_type: instance_type.clone(),
            key_name: request.key_name.clone(),
            availability_zone: subnet.availability_zone.clone(),
            availability_zone_id: subnet.availability_zone_id.clone(),
            network_interface_id: Some(interface.id.clone()),
            state: InstanceState::Running,
            launch_time: tx.now(),
            ami_launch_index: index,
            launch_sequence,
            client_token: request.client_token.clone().filter(|token| !token.is_empty()),
            state_transition_reason: String::new(),
            state_reason: None,
            tags: Tags(instance_tags.clone()),
            root_device_name: Some(volume::image_root_device(&scope.region, &request.image_id).to_string()),
            user_data: request.settings.user_data.clone().filter(|data| !data.is_empty()),
            attributes: attributes.clone(),
            private_dns_name_options: dns_options.clone(),
        };
        let zone = (subnet.availability_zone.as_str(), subnet.availability_zone_id.as_str());
        volume::create_for_instance(tx, scope, &instance.id, zone, &volumes, &request.volume_tags);
        tx.put(scope, instance.clone());
        // Once the instance exists, so that its type's addresses-per-interface limit applies (part 2 §11.4).
        if placement.addresses_per_instance() > 1 {
            network_interface::assign(tx, scope, &interface.id, placement.secondary.clone())?;
        }
        // Part 2 §16.1 [D]: a new primary interface gets the IPv6 addresses asked for, else one when its subnet
        // assigns IPv6 addresses on creation.
        if placement.existing_interface.is_none() {
            let ipv6 = network_interface::ipv6_for_launch(tx.region(scope), &subnet.id, &placement.ipv6);
            if !ipv6.is_empty() {
                network_interface::assign_ipv6(tx, scope, &interface.id, &ipv6)?;
            }
        }
        for extra in &placement.extra_interfaces {
            launch_extra_interface(tx, scope, &instance.id, extra, &request.interface_tags)?;
        }
        launched.push(Arc::new(Instance { state: InstanceState::Pending, ..instance }));
    }
    Ok(Reservation { id: reservation_id, owner_id: scope.account.clone(), instances: launched })
}

/// Makes or attaches one interface above device 0 of a launched instance, with its secondary addresses.
fn launch_extra_interface(
    tx: &mut Tx,
    scope: &Scope,
    instance_id: &str,
    extra: &placement::ExtraInterface,
    tags: &[Tag],
) -> Result<()> {
    if let Some(interface_id) = &extra.existing {
        network_interface::attach_at_launch(tx, scope, interface_id, instance_id, extra.device_index)
            .ok_or_else(|| Ec2Error::NetworkInterfaceNotFound(vec![interface_id.clone()]))?;
        return Ok(());
    }
    let region = tx.region(scope);
    let private_ip = match &extra.private_ip {
        Some(text) => {
            let in_use = |address| region.index.private_address_in_use(&extra.subnet.id, address);
            Some(network_interface::check_requested_address(&extra.subnet, in_use, text)?)
        }
        // Part 2 §16.1: an IPv6-only subnet's interface has no IPv4 address.
        None if extra.subnet.ipv6_native() => None,
        None => Some(
            network_interface::first_free_address(region, &extra.subnet, None)
                .ok_or_else(|| Ec2Error::InsufficientFreeAddressesInSubnet(extra.subnet.id.clone()))?,
        ),
    };
    let interface = network_interface::create_launched(
        tx,
        scope,
        &extra.subnet,
        LaunchedInterface {
            instance_id: instance_id.to_string(),
            device_index: extra.device_index,
            private_ip,
            security_group_ids: extra.group_ids.clone(),
            assign_public_ip: false,
            description: extra.description.clone(),
            tags: Tags(tags.to_vec()),
            delete_on_termination: extra.delete_on_termination,
        },
    )?;
    if extra.addresses_per_instance() > 1 {
        network_interface::assign(tx, scope, &interface.id, extra.secondary.clone())?;
    }
    // Part 2 §16.1 [D]: as for device 0, the addresses asked for, else one when its subnet assigns them.
    let ipv6 = network_interface::ipv6_for_launch(tx.region(scope), &extra.subnet.id, &extra.ipv6);
    if !ipv6.is_empty() {
        network_interface::assign_ipv6(tx, scope, &interface.id, &ipv6)?;
    }
    Ok(())
}

/// Spec §1.1: a repeated `ClientToken` answers the reservation it made, creating nothing.
fn reservation_for_token(region: &RegionState, token: &str) -> Option<Reservation> {
    let instances: Vec<Arc<Instance>> =
        region.index.instances_with_client_token(token).filter_map(|id| region.instances.get(id)).cloned().collect();
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

/// Spec §2.9: the counts AWS accepts. `MaxCount` above the per-call ceiling is refused whole, as AWS refuses a
/// count above the account's instance quota (botocore: "Constraints: Between 1 and the quota"), so that one call
/// cannot hold the writer for the time it takes to launch an unbounded number of instances.
fn check_counts(min_count: i64, max_count: i64, max_instances_per_call: usize) -> Result<()> {
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
    if max_count as u64 > max_instances_per_call as u64 {
        return Err(Ec2Error::InstanceLimitExceeded { requested: max_count, limit: max_instances_per_call });
    }
    Ok(())
}
