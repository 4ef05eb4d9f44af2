//! Where a RunInstances goes (spec §2.9): the flat and the `NetworkInterface.N` parameter forms merged into one
//! placement — subnet, groups, addresses, an existing interface — with the default subnet and the default group
//! filled in.

use std::sync::Arc;

use super::{InterfaceSpecification, RunInstances};
use crate::ids::IdKind;
use crate::network_interface;
use crate::subnet::{self, Subnet};
use crate::world::RegionState;
use crate::{Ec2Error, Result};

/// The interface RunInstances builds, after the two parameter forms are merged.
pub(super) struct Placement {
    pub(super) subnet: Arc<Subnet>,
    pub(super) group_ids: Vec<String>,
    pub(super) private_ip: Option<String>,
    pub(super) associate_public_ip: Option<bool>,
    pub(super) description: String,
    /// Secondary addresses: named ones, or how many to take from the subnet.
    pub(super) secondary: network_interface::AssignPrivateAddresses,
    pub(super) delete_on_termination: bool,
    /// `NetworkInterfaceId`: an existing interface becomes device 0 instead of a new one.
    pub(super) existing_interface: Option<String>,
}

impl Placement {
    /// The subnet addresses each instance takes: its primary and its secondary ones.
    pub(super) fn addresses_per_instance(&self) -> u64 {
        1 + self.secondary.count.map_or(self.secondary.addresses.len() as u64, u64::from)
    }
}

/// Merges the flat and the `NetworkInterface.N` forms, then resolves the subnet and the groups.
pub(super) fn place(region: &RegionState, request: &RunInstances) -> Result<Placement> {
    let (subnet_id, group_ids, private_ip, associate_public_ip, description) = match request
        .network_interfaces
        .as_slice()
    {
        [] => (
            request.subnet_id.clone(),
            request.security_group_ids.clone(),
            request.private_ip_address.clone(),
            None,
            None,
        ),
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
            if let Some(interface_id) = &interface.network_interface_id {
                return existing_interface(region, request, interface, interface_id);
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
        None => default_subnet(region, request.availability_zone.as_deref())?,
    };
    check_zone(request, &subnet)?;
    let group_ids = resolve_groups(region, &subnet, &group_ids, &request.security_group_names)?;
    let interface = request.network_interfaces.first();
    let secondary = secondary_addresses(interface)?;
    let delete_on_termination = interface.and_then(|interface| interface.delete_on_termination).unwrap_or(true);
    Ok(Placement {
        subnet,
        group_ids,
        private_ip,
        associate_public_ip,
        description: description.unwrap_or_default(),
        secondary,
        delete_on_termination,
        existing_interface: None,
    })
}

/// `Placement.AvailabilityZone` must be the subnet's.
fn check_zone(request: &RunInstances, subnet: &Subnet) -> Result<()> {
    match &request.availability_zone {
        Some(zone) if *zone != subnet.availability_zone => Err(Ec2Error::InvalidParameterValue(format!(
            "Value ({zone}) for parameter availabilityZone is invalid. Subnet '{}' is in availability zone '{}'.",
            subnet.id, subnet.availability_zone
        ))),
        _ => Ok(()),
    }
}

/// API reference, InstanceNetworkInterfaceSpecification [D]: an existing `available` interface brings its own
/// subnet, groups and addresses, so the settings that apply "only if creating a network interface" are refused
/// next to it, and it gets no public address at launch.
fn existing_interface(
    region: &RegionState,
    request: &RunInstances,
    specification: &InterfaceSpecification,
    interface_id: &str,
) -> Result<Placement> {
    let addresses = specification.private_ip_address.is_some()
        || !specification.secondary_private_ip_addresses.is_empty()
        || specification.secondary_private_ip_address_count.is_some();
    let creating_only = [
        (specification.subnet_id.is_some(), "a subnet ID"),
        (!specification.security_group_ids.is_empty(), "security groups"),
        (addresses, "private IP addresses"),
        (specification.associate_public_ip_address.is_some(), "a public IP address association"),
        (specification.delete_on_termination == Some(true), "delete on termination"),
    ];
    if let Some((_, what)) = creating_only.iter().find(|(given, _)| *given) {
        // ASSUMPTION (API reference [D] that these apply only to a new interface; the code and text are unverified).
        return Err(Ec2Error::InvalidParameterCombination(format!(
            "A network interface ID and {what} may not be specified for the same network interface"
        )));
    }
    // Observed answer (kubernetes-sigs/cluster-api-provider-aws#5594).
    if !request.interface_tags.is_empty() {
        return Err(Ec2Error::InvalidParameterValue(
            "You cannot specify tags for network interfaces if there are no network interfaces being created by the \
             request."
                .into(),
        ));
    }
    let interface = network_interface::find(region, interface_id)?;
    if interface.attachment.is_some() {
        return Err(crate::NetworkInterfaceError::AlreadyAttached(interface.id.clone()).into());
    }
    let subnet = subnet::find(region, &interface.subnet_id)?;
    check_zone(request, &subnet)?;
    Ok(Placement {
        subnet,
        group_ids: interface.security_group_ids.clone(),
        private_ip: None,
        associate_public_ip: Some(false),
        description: interface.description.clone(),
        secondary: Default::default(),
        delete_on_termination: false,
        existing_interface: Some(interface.id.clone()),
    })
}

/// Part 2 §11.4: the secondary addresses of an interface specification — the non-primary `PrivateIpAddresses.N`,
/// or `SecondaryPrivateIpAddressCount` of them — checked as AssignPrivateIpAddresses checks them.
fn secondary_addresses(
    interface: Option<&InterfaceSpecification>,
) -> Result<network_interface::AssignPrivateAddresses> {
    let Some(interface) = interface else {
        return Ok(Default::default());
    };
    let count = match interface.secondary_private_ip_address_count {
        None => None,
        Some(count) if count >= 1 => Some(u32::try_from(count).unwrap_or(u32::MAX)),
        Some(count) => {
            return Err(Ec2Error::InvalidParameterValue(format!(
                "Value ({count}) for parameter secondaryPrivateIpAddressCount is invalid. Expected a positive integer."
            )))
        }
    };
    if count.is_some() && !interface.secondary_private_ip_addresses.is_empty() {
        // ASSUMPTION (part 2 §11.4 [I]): the same refusal as AssignPrivateIpAddresses with both forms.
        return Err(Ec2Error::InvalidParameterCombination(
            "Specify either private IP addresses or a secondary private IP address count, not both.".into(),
        ));
    }
    Ok(network_interface::AssignPrivateAddresses {
        addresses: interface.secondary_private_ip_addresses.clone(),
        count,
        allow_reassignment: false,
    })
}

/// Spec §2.9 [D]: without a subnet, the default subnet of the default VPC — of the requested zone, else of the
/// first zone that has one.
/// The default VPC without default subnets is told apart from a zone that lacks one.
fn default_subnet(region: &RegionState, zone: Option<&str>) -> Result<Arc<Subnet>> {
    let vpc = region.vpcs.values().find(|vpc| vpc.is_default).ok_or(Ec2Error::NoDefaultVpcForLaunch)?;
    let mut candidates: Vec<&Arc<Subnet>> =
        region.subnets.values().filter(|subnet| subnet.vpc_id == vpc.id && subnet.default_for_az).collect();
    if candidates.is_empty() {
        return Err(Ec2Error::NoDefaultSubnet(vpc.id.clone()));
    }
    candidates.retain(|subnet| zone.is_none_or(|zone| subnet.availability_zone == zone));
    candidates.sort_by(|a, b| a.availability_zone.cmp(&b.availability_zone));
    match (candidates.first(), zone) {
        (Some(subnet), _) => Ok((*subnet).clone()),
        (None, Some(zone)) => Err(Ec2Error::NoDefaultSubnetInZone(zone.to_string())),
        (None, None) => Err(Ec2Error::NoDefaultSubnet(vpc.id.clone())),
    }
}

/// Spec §2.7/§2.9: groups by ID must exist and belong to the subnet's VPC; names resolve in the default VPC only;
/// none means the VPC's `default` group.
fn resolve_groups(region: &RegionState, subnet: &Subnet, ids: &[String], names: &[String]) -> Result<Vec<String>> {
    let mut resolved: Vec<String> = Vec::new();
    for group_id in ids {
        IdKind::SecurityGroup.check(group_id)?;
        let group = region
            .security_groups
            .get(group_id.as_str())
            .ok_or_else(|| Ec2Error::SecurityGroupNotFound(vec![group_id.clone()]))?;
        if group.vpc_id != subnet.vpc_id {
            return Err(Ec2Error::SecurityGroupInOtherNetwork {
                group_id: group.id.clone(),
                subnet_id: subnet.id.clone(),
            });
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
