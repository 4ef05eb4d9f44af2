//! Network interfaces as resources of their own (spec part 2 §11.1, §11.3): CreateNetworkInterface,
//! DeleteNetworkInterface and ModifyNetworkInterfaceAttribute (attaching is `attach.rs`, secondary addresses
//! `addresses.rs`).

use std::sync::Arc;

use super::{
    check_requested_address, first_free_address, replace_security_groups, set_source_dest_check, NetworkInterface,
};
use crate::address;
use crate::ids::IdKind;
use crate::subnet;
use crate::tags::{self, Tags};
use crate::world::{Scope, Tx};
use crate::{Ec2Error, NetworkInterfaceError, Result};

/// CreateNetworkInterface, decoded.
#[derive(Debug, Clone, Default)]
pub struct CreateNetworkInterface {
    /// `SubnetId`.
    pub subnet_id: String,
    /// `Description` (empty when absent, as AWS shows it).
    pub description: String,
    /// `PrivateIpAddress`, as sent.
    pub private_ip: Option<String>,
    /// `PrivateIpAddresses.N`: each address as sent, and whether it is marked `Primary`.
    pub private_ips: Vec<(String, bool)>,
    /// `SecurityGroupId.N`.
    pub group_ids: Vec<String>,
    /// `SecondaryPrivateIpAddressCount`.
    pub secondary_count: u32,
    /// Tags from `TagSpecification` type `network-interface`.
    pub tags: Tags,
    /// `Ipv6AddressCount` / `Ipv6Addresses.N` (part 2 §16.1).
    pub ipv6: super::AssignIpv6Addresses,
}

/// Spec §11.1: a new interface in the subnet, `available` (no attachment), with the requested or the first free
/// private address, and the given groups or else the VPC's default group.
pub fn create(tx: &mut Tx, scope: &Scope, request: CreateNetworkInterface) -> Result<Arc<NetworkInterface>> {
    let subnet = subnet::find(tx.region(scope), &request.subnet_id)?;
    tags::validate(&request.tags.0)?;
    // The primary address: `PrivateIpAddress`, else the `PrivateIpAddresses.N` entry marked primary, else the
    // first of them; the other entries become secondary addresses.
    let listed_primary = request.private_ips.iter().position(|(_, primary)| *primary).unwrap_or(0);
    let primary_text =
        request.private_ip.clone().or_else(|| request.private_ips.get(listed_primary).map(|e| e.0.clone()));
    let secondary_texts: Vec<String> = request
        .private_ips
        .iter()
        .map(|(text, _)| text.clone())
        .filter(|text| Some(text) != primary_text.as_ref())
        .collect();
    let region = tx.region(scope);
    // Part 2 §16.1: an IPv6-only subnet's interface has no IPv4 address and at least one IPv6 address.
    let ipv4_setting = match (&primary_text, request.secondary_count) {
        (Some(_), _) => Some("privateIpAddress"),
        (None, 1..) => Some("secondaryPrivateIpAddressCount"),
        (None, 0) => None,
    };
    subnet::ipv6_only::refuse_ipv4_setting(&subnet, ipv4_setting)?;
    let ipv6 = super::ipv6_for_launch(region, &subnet.id, &request.ipv6);
    let private_ip = match &primary_text {
        Some(text) => {
            let in_use = |address| region.index.private_address_in_use(&subnet.id, address);
            Some(check_requested_address(&subnet, in_use, text)?)
        }
        None if subnet.ipv6_native() => None,
        None => Some(
            first_free_address(region, &subnet, None)
                .ok_or_else(|| Ec2Error::InsufficientFreeAddressesInSubnet(subnet.id.clone()))?,
        ),
    };
    // Spec §5: network interfaces per Region (under `--quotas aws`).
    crate::quotas::check(tx.quotas().network_interfaces_per_region, region.network_interfaces.len(), 1, || {
        Ec2Error::NetworkInterfaceLimitExceeded
    })?;
    // ASSUMPTION (spec §11.1 [I]): without `SecurityGroupId.N` the interface gets the VPC's default group, as an
    // instance launched without groups does.
    // Spec §11.1: a group of another VPC is refused in RunInstances' words (the subnet decides the VPC).
    let foreign = request
        .group_ids
        .iter()
        .find(|id| region.security_groups.get(id.as_str()).is_some_and(|group| group.vpc_id != subnet.vpc_id));
    if let Some(group_id) = foreign {
        return Err(Ec2Error::SecurityGroupInOtherNetwork { group_id: group_id.clone(), subnet_id: subnet.id.clone() });
    }
    let group_ids = if request.group_ids.is_empty() {
        let default = region.index.security_groups.by_name(&subnet.vpc_id, "default");
        default.map(|id| vec![id.to_string()]).unwrap_or_default()
    } else {
        request.group_ids.clone()
    };
    let id = tx.next_id(IdKind::NetworkInterface);
    let interface = NetworkInterface {
        // Spec §11.1 [D]: the interface keeps the subnet's public-IP-on-launch setting current at its creation.
        assign_public_ip: subnet.map_public_ip_on_launch,
        tags: request.tags,
        ..NetworkInterface::new_in(scope, &subnet, id.clone(), request.description, private_ip)
    };
    tx.put(scope, interface.clone());
    if !group_ids.is_empty() {
        // The same checks as ModifyNetworkInterfaceAttribute's: each group exists, in the interface's VPC, within
        // the per-interface quota. An error here drops the whole mutation, the interface with it.
        replace_security_groups(tx, scope, &interface, &group_ids)?;
    }
    if !secondary_texts.is_empty() {
        let named = super::AssignPrivateAddresses { addresses: secondary_texts, ..Default::default() };
        super::assign(tx, scope, &id, named)?;
    }
    if request.secondary_count > 0 {
        let secondary = super::AssignPrivateAddresses { count: Some(request.secondary_count), ..Default::default() };
        super::assign(tx, scope, &id, secondary)?;
    }
    // Part 2 §16.1 [D]: the addresses asked for, else one when the subnet assigns IPv6 addresses on creation.
    if !ipv6.is_empty() {
        super::assign_ipv6(tx, scope, &id, &ipv6)?;
    }
    Ok(tx.get(scope, &id).expect("just inserted"))
}

/// Spec §11.1: deletes an interface that no instance uses; an Elastic IP associated with it is disassociated.
pub fn delete(tx: &mut Tx, scope: &Scope, interface_id: &str) -> Result<()> {
    let interface = super::find(tx.region(scope), interface_id)?;
    super::refuse_if_managed(&interface, super::ManagedChange::DeleteOrAttach)?;
    if interface.attachment.is_some() {
        return Err(NetworkInterfaceError::InUse(interface.id.clone()).into());
    }
    address::forget_interface(tx, scope, interface_id);
    tx.remove::<NetworkInterface>(scope, interface_id);
    Ok(())
}

/// The one attribute a ModifyNetworkInterfaceAttribute changes (spec §11.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterfaceChange {
    /// `Description.Value`.
    Description(String),
    /// `SourceDestCheck.Value`.
    SourceDestCheck(bool),
    /// `SecurityGroupId.N`: the whole set.
    Groups(Vec<String>),
    /// `Attachment.AttachmentId` with `Attachment.DeleteOnTermination`.
    DeleteOnTermination {
        /// The attachment named.
        attachment_id: String,
        /// The new flag.
        delete: bool,
    },
}

/// Spec §11.3: ModifyNetworkInterfaceAttribute — exactly one attribute per call.
pub fn modify_attribute(tx: &mut Tx, scope: &Scope, interface_id: &str, changes: Vec<InterfaceChange>) -> Result<()> {
    let interface = super::find(tx.region(scope), interface_id)?;
    super::refuse_if_managed(&interface, super::ManagedChange::Modify)?;
    // ASSUMPTION (spec §11.3 [D] "one attribute per call"; the refusals' codes and texts are [I]).
    let change = match <[InterfaceChange; 1]>::try_from(changes) {
        Ok([change]) => change,
        Err(changes) if changes.is_empty() => {
            return Err(Ec2Error::MissingParameter(
                "Either description, sourceDestCheck, groupSet or attachment must be specified.".into(),
            ))
        }
        Err(_) => {
            return Err(Ec2Error::InvalidParameterCombination("Only one attribute may be modified at a time.".into()))
        }
    };
    match change {
        InterfaceChange::Description(description) => {
            tx.update::<NetworkInterface>(scope, interface_id, |interface| interface.description = description);
        }
        InterfaceChange::SourceDestCheck(enabled) => set_source_dest_check(tx, scope, interface_id, enabled),
        InterfaceChange::Groups(group_ids) => replace_security_groups(tx, scope, &interface, &group_ids)?,
        InterfaceChange::DeleteOnTermination { attachment_id, delete } => {
            IdKind::NetworkInterfaceAttachment.check(&attachment_id)?;
            if interface.attachment.as_ref().is_none_or(|attachment| attachment.attachment_id != attachment_id) {
                return Err(NetworkInterfaceError::AttachmentNotFound(attachment_id).into());
            }
            tx.update::<NetworkInterface>(scope, interface_id, |interface| {
                if let Some(attachment) = &mut interface.attachment {
                    attachment.delete_on_termination = delete;
                }
            });
        }
    }
    Ok(())
}

/// The attribute a DescribeNetworkInterfaceAttribute asks for (spec §11.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterfaceAttribute {
    /// `description`.
    Description,
    /// `groupSet`.
    GroupSet,
    /// `sourceDestCheck`.
    SourceDestCheck,
    /// `attachment`.
    Attachment,
    /// `associatePublicIpAddress`.
    AssociatePublicIpAddress,
}

impl InterfaceAttribute {
    /// Parses `Attribute`; AWS's enum (botocore `NetworkInterfaceAttribute`), refused otherwise.
    pub fn parse(text: &str) -> Result<Self> {
        Ok(match text {
            "description" => InterfaceAttribute::Description,
            "groupSet" => InterfaceAttribute::GroupSet,
            "sourceDestCheck" => InterfaceAttribute::SourceDestCheck,
            "attachment" => InterfaceAttribute::Attachment,
            "associatePublicIpAddress" => InterfaceAttribute::AssociatePublicIpAddress,
            other => return Err(Ec2Error::UnknownEnumValue { parameter: "Attribute", value: other.to_string() }),
        })
    }
}
