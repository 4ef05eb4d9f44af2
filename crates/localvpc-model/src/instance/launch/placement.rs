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
    /// Its IPv6 addresses: the flat `Ipv6AddressCount`/`Ipv6Address.N` or device 0's own (part 2 §16.1).
    pub(super) ipv6: network_interface::AssignIpv6Addresses,
    /// `NetworkInterfaceId`: an existing interface becomes device 0 instead of a new one.
    pub(super) existing_interface: Option<String>,
    /// The interfaces at device indexes above 0, in device order.
    pub(super) extra_interfaces: Vec<ExtraInterface>,
}

/// An interface a launch attaches beyond device 0 (part 2 §11.2): a new one in a subnet of the instance's zone and
/// VPC, or an existing `available` one.
pub(super) struct ExtraInterface {
    pub(super) device_index: u32,
    /// `NetworkInterfaceId`, when it exists already.
    pub(super) existing: Option<String>,
    pub(super) subnet: Arc<Subnet>,
    pub(super) group_ids: Vec<String>,
    pub(super) private_ip: Option<String>,
    pub(super) secondary: network_interface::AssignPrivateAddresses,
    pub(super) description: String,
    pub(super) delete_on_termination: bool,
    /// `Ipv6AddressCount` / `Ipv6Addresses.N` (part 2 §16.1).
    pub(super) ipv6: network_interface::AssignIpv6Addresses,
}

impl ExtraInterface {
    /// Whether it names something only one instance can have: an interface or an address.
    pub(super) fn is_fixed(&self) -> bool {
        self.existing.is_some()
            || self.private_ip.is_some()
            || !self.secondary.addresses.is_empty()
            || !self.ipv6.addresses.is_empty()
    }

    /// The addresses of its subnet it takes per instance (none for an existing interface).
    pub(super) fn addresses_per_instance(&self) -> u64 {
        match self.existing {
            Some(_) => 0,
            // An IPv6-only subnet's interfaces take none of its (absent) IPv4 addresses.
            None if self.subnet.ipv6_native() => 0,
            None => 1 + self.secondary.count.map_or(self.secondary.addresses.len() as u64, u64::from),
        }
    }
}

impl Placement {
    /// The subnet addresses each instance takes: its primary and its secondary ones.
    pub(super) fn addresses_per_instance(&self) -> u64 {
        if self.subnet.ipv6_native() {
            // An IPv6-only subnet's interfaces take none of its (absent) IPv4 addresses.
            return 0;
        }
        1 + self.secondary.count.map_or(self.secondary.addresses.len() as u64, u64::from)
    }

    /// Part 2 §16.1: the IPv4 settings refused for a new interface in an IPv6-only subnet, and the instance types
    /// that may not launch there.
    pub(super) fn check_ipv6_only(&self, instance_type: &str) -> Result<()> {
        if self.existing_interface.is_none() {
            let ipv4 = if self.private_ip.is_some() || asks_secondary(&self.secondary) {
                Some("privateIpAddress")
            } else if self.associate_public_ip == Some(true) {
                Some("associatePublicIpAddress")
            } else {
                None
            };
            subnet::ipv6_only::refuse_ipv4_setting(&self.subnet, ipv4)?;
        }
        for extra in self.extra_interfaces.iter().filter(|extra| extra.existing.is_none()) {
            let ipv4 = (extra.private_ip.is_some() || asks_secondary(&extra.secondary)).then_some("privateIpAddress");
            subnet::ipv6_only::refuse_ipv4_setting(&extra.subnet, ipv4)?;
        }
        let mut subnets = std::iter::once(&self.subnet).chain(self.extra_interfaces.iter().map(|extra| &extra.subnet));
        subnets.try_for_each(|subnet| subnet::ipv6_only::check_instance_type(subnet, instance_type))
    }
}

/// Whether secondary private addresses are asked for, by name or by a count above zero.
fn asks_secondary(secondary: &network_interface::AssignPrivateAddresses) -> bool {
    !secondary.addresses.is_empty() || secondary.count.unwrap_or(0) > 0
}

/// Merges the flat and the `NetworkInterface.N` forms, then resolves the subnets and the groups.
pub(super) fn place(region: &RegionState, request: &RunInstances) -> Result<Placement> {
    let specifications = in_device_order(request)?;
    let Some((primary, extras)) = specifications.split_first() else {
        return new_primary(region, request, None);
    };
    // Observed answer (zalando-incubator/kubernetes-on-aws#8733); the API reference: a public address goes only to
    // a single new interface at device 0.
    if !extras.is_empty() && specifications.iter().any(|spec| spec.associate_public_ip_address == Some(true)) {
        return Err(Ec2Error::InvalidParameterCombination(
            "The associatePublicIPAddress parameter cannot be specified when launching with multiple network \
             interfaces"
                .into(),
        ));
    }
    let mut placement = match &primary.network_interface_id {
        Some(interface_id) => existing_interface(region, request, primary, interface_id)?,
        None => new_primary(region, request, Some(primary))?,
    };
    for specification in extras {
        let extra = extra_interface(region, &placement.subnet, specification)?;
        placement.extra_interfaces.push(extra);
    }
    Ok(placement)
}

/// The `NetworkInterface.N` specifications by device index, device 0 first; AWS refuses instance-level network
/// settings next to them.
fn in_device_order(request: &RunInstances) -> Result<Vec<&InterfaceSpecification>> {
    if request.network_interfaces.is_empty() {
        return Ok(Vec::new());
    }
    let clashes = [
        (request.subnet_id.is_some(), "subnet ID"),
        (!request.security_group_ids.is_empty() || !request.security_group_names.is_empty(), "security groups"),
        (request.private_ip_address.is_some(), "private IP address"),
        // ASSUMPTION (part 2 §16.1 [I]): the flat IPv6 parameters clash like the flat private address.
        (!request.ipv6.is_empty(), "IPv6 address"),
    ];
    if let Some((_, what)) = clashes.iter().find(|(clash, _)| *clash) {
        return Err(Ec2Error::InvalidParameterCombination(format!(
            "Network interfaces and an instance-level {what} may not be specified on the same request"
        )));
    }
    let mut ordered: Vec<&InterfaceSpecification> = request.network_interfaces.iter().collect();
    ordered.sort_by_key(|spec| spec.device_index);
    let indexes: Vec<Option<i64>> = ordered.iter().map(|spec| spec.device_index).collect();
    let unique = indexes.windows(2).all(|pair| pair[0] != pair[1]);
    if indexes.first() != Some(&Some(0)) || indexes.iter().any(|index| index.is_none_or(|index| index < 0)) || !unique {
        // ASSUMPTION (spec §2.9 [I]): one refusal for a missing, repeated or negative index and a missing device 0.
        return Err(Ec2Error::InvalidParameterValue(
            "Each network interface requires a device index, and the primary network interface must have device \
             index 0."
                .into(),
        ));
    }
    Ok(ordered)
}

/// Device 0 as a new interface, from the flat form (`specification` is `None`) or its specification.
fn new_primary(
    region: &RegionState,
    request: &RunInstances,
    specification: Option<&InterfaceSpecification>,
) -> Result<Placement> {
    let (subnet_id, group_ids, private_ip, associate_public_ip, description, ipv6) = match specification {
        None => (
            request.subnet_id.clone(),
            request.security_group_ids.clone(),
            request.private_ip_address.clone(),
            None,
            None,
            request.ipv6.clone(),
        ),
        Some(interface) => (
            interface.subnet_id.clone(),
            interface.security_group_ids.clone(),
            interface.private_ip_address.clone(),
            interface.associate_public_ip_address,
            interface.description.clone(),
            interface.ipv6.clone(),
        ),
    };
    let subnet = match subnet_id {
        Some(subnet_id) => subnet::find(region, &subnet_id)?,
        None => default_subnet(region, request.availability_zone.as_deref())?,
    };
    check_zone(request, &subnet)?;
    let group_ids = resolve_groups(region, &subnet, &group_ids, &request.security_group_names)?;
    let secondary = secondary_addresses(specification)?;
    let delete_on_termination = specification.and_then(|interface| interface.delete_on_termination).unwrap_or(true);
    Ok(Placement {
        subnet,
        group_ids,
        private_ip,
        associate_public_ip,
        description: description.unwrap_or_default(),
        secondary,
        delete_on_termination,
        ipv6,
        existing_interface: None,
        extra_interfaces: Vec::new(),
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
    check_creating_only(specification)?;
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
        ipv6: Default::default(),
        existing_interface: Some(interface.id.clone()),
        extra_interfaces: Vec::new(),
    })
}

/// One interface above device 0: in the primary's zone (part 2 §11.2, as AttachNetworkInterface) and, as localvpc
/// attaches only interfaces of the instance's VPC, in its VPC.
fn extra_interface(
    region: &RegionState,
    primary: &Subnet,
    specification: &InterfaceSpecification,
) -> Result<ExtraInterface> {
    let device_index = specification.device_index.unwrap_or_default() as u32;
    let (subnet, existing) = match (&specification.network_interface_id, &specification.subnet_id) {
        (Some(interface_id), _) => {
            check_creating_only(specification)?;
            let interface = network_interface::find(region, interface_id)?;
            if interface.attachment.is_some() {
                return Err(crate::NetworkInterfaceError::AlreadyAttached(interface.id.clone()).into());
            }
            (subnet::find(region, &interface.subnet_id)?, Some(interface))
        }
        (None, Some(subnet_id)) => (subnet::find(region, subnet_id)?, None),
        (None, None) => {
            // ASSUMPTION (spec §2.9 [I]): the text is unverified.
            return Err(Ec2Error::InvalidParameterValue(
                "Each network interface requires either a subnet or a network interface ID.".into(),
            ));
        }
    };
    if subnet.availability_zone != primary.availability_zone {
        return Err(crate::NetworkInterfaceError::ZoneMismatch.into());
    }
    if subnet.vpc_id != primary.vpc_id {
        // ASSUMPTION (part 2 §11.2 [I]): AttachNetworkInterface's refusal of another VPC, before any instance exists.
        return Err(Ec2Error::InvalidParameterCombination(format!(
            "The network interfaces of an instance must be in one VPC: subnet '{}' is in '{}', not '{}'.",
            subnet.id, subnet.vpc_id, primary.vpc_id
        )));
    }
    if let Some(interface) = existing {
        return Ok(ExtraInterface {
            device_index,
            existing: Some(interface.id.clone()),
            group_ids: interface.security_group_ids.clone(),
            private_ip: None,
            secondary: Default::default(),
            description: interface.description.clone(),
            delete_on_termination: false,
            ipv6: Default::default(),
            subnet,
        });
    }
    Ok(ExtraInterface {
        device_index,
        existing: None,
        group_ids: resolve_groups(region, &subnet, &specification.security_group_ids, &[])?,
        private_ip: specification.private_ip_address.clone(),
        secondary: secondary_addresses(Some(specification))?,
        description: specification.description.clone().unwrap_or_default(),
        delete_on_termination: specification.delete_on_termination.unwrap_or(true),
        ipv6: specification.ipv6.clone(),
        subnet,
    })
}

/// API reference, InstanceNetworkInterfaceSpecification [D]: these settings apply only to an interface the launch
/// creates.
fn check_creating_only(specification: &InterfaceSpecification) -> Result<()> {
    let addresses = specification.private_ip_address.is_some()
        || !specification.secondary_private_ip_addresses.is_empty()
        || specification.secondary_private_ip_address_count.is_some();
    let creating_only = [
        (specification.subnet_id.is_some(), "a subnet ID"),
        (!specification.security_group_ids.is_empty(), "security groups"),
        (addresses, "private IP addresses"),
        (!specification.ipv6.is_empty(), "IPv6 addresses"),
        (specification.associate_public_ip_address.is_some(), "a public IP address association"),
        (specification.delete_on_termination == Some(true), "delete on termination"),
    ];
    match creating_only.iter().find(|(given, _)| *given) {
        // ASSUMPTION (the code and text are unverified).
        Some((_, what)) => Err(Ec2Error::InvalidParameterCombination(format!(
            "A network interface ID and {what} may not be specified for the same network interface"
        ))),
        None => Ok(()),
    }
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
    let request = network_interface::AssignPrivateAddresses {
        addresses: interface.secondary_private_ip_addresses.clone(),
        count,
        allow_reassignment: false,
    };
    request.check_one_form()?;
    Ok(request)
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
