//! Network interface actions: Create/Delete/Attach/Detach/DescribeNetworkInterfaces,
//! Modify/DescribeNetworkInterfaceAttribute, Assign/UnassignIpv6Addresses,
//! and the interface XML that instances embed (spec §2.9, part 2 §11).

use localvpc_model::dns_name;
use localvpc_model::filter::{matches, validate};
use localvpc_model::ids::IdKind;
use localvpc_model::network_interface::{
    self, AssignIpv6Addresses, AssignPrivateAddresses, CreateNetworkInterface, InterfaceAttachment, InterfaceAttribute,
    InterfaceChange, ManagedBy, NetworkInterface, NetworkInterfaceView,
};
use localvpc_model::tags::Tags;
use localvpc_model::{Ec2Error, RegionState, Tx, World};

use super::{select, Ctx};
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

/// `<groupSet>` of an interface or an instance: each group's ID and name.
pub(crate) fn render_group_set(x: &mut Xml, region: &RegionState, group_ids: &[String]) {
    x.list("groupSet", group_ids, |x, group_id| {
        x.text("groupId", group_id)
            .optional("groupName", region.security_groups.get(group_id.as_str()).map(|group| group.name.as_str()));
    });
}

/// `<association>` of an interface with a public address (absent without one). The public name is empty unless
/// the VPC has both DNS attributes on (spec §2.9). `elastic_ids` adds `allocationId`/`associationId`, which only
/// the NetworkInterface shape has.
pub(crate) fn render_association(x: &mut Xml, region: &RegionState, interface: &NetworkInterface, elastic_ids: bool) {
    let Some(public) = network_interface::public_address(region, interface) else {
        return;
    };
    let dns_name = network_interface::public_dns_name(region, interface).unwrap_or_default();
    x.nested("association", |x| {
        x.value("publicIp", public.ip).text("publicDnsName", &dns_name).text("ipOwnerId", public.ip_owner_id());
        if let (true, Some(elastic)) = (elastic_ids, public.elastic) {
            x.text("allocationId", &elastic.allocation_id)
                .optional("associationId", elastic.association.as_ref().map(|a| a.association_id.as_str()));
        }
    });
}

/// `<privateIpAddressesSet>`: the primary private address, then the secondary ones.
pub(crate) fn render_private_addresses(
    x: &mut Xml,
    region: &RegionState,
    interface: &NetworkInterface,
    elastic_ids: bool,
) {
    x.list("privateIpAddressesSet", interface.private_ips(), |x, address| {
        let primary = Some(address) == interface.private_ip;
        x.value("privateIpAddress", address)
            .text("privateDnsName", &dns_name::private_dns_name(&interface.region, address))
            .value("primary", primary);
        // The public association belongs to the primary address.
        if primary {
            render_association(x, region, interface, elastic_ids);
        }
    });
}

/// `ipv6AddressesSet` (part 2 §16.1), of interfaces and of instances' interfaces alike.
pub(crate) fn render_ipv6_addresses(x: &mut Xml, interface: &NetworkInterface) {
    x.list("ipv6AddressesSet", &interface.ipv6_addresses, |x, address| {
        x.value("ipv6Address", address).value("isPrimaryIpv6", false);
    });
}

/// `<networkInterfaceSet><item>` of DescribeNetworkInterfaces and `<networkInterface>` of CreateNetworkInterface.
fn render_network_interface(x: &mut Xml, interface: &NetworkInterface, region: &RegionState) {
    x.text("networkInterfaceId", &interface.id)
        .text("subnetId", &interface.subnet_id)
        .text("vpcId", &interface.vpc_id)
        .text("availabilityZone", &interface.availability_zone)
        .text("availabilityZoneId", &interface.availability_zone_id)
        .text("description", &interface.description)
        .text("ownerId", &interface.owner_id)
        .value("requesterManaged", interface.managed_by.is_some())
        .text("status", interface.status())
        .text("macAddress", &interface.mac_address)
        .optional_value("privateIpAddress", interface.private_ip)
        .optional("privateDnsName", interface.private_dns_name().as_deref())
        .value("sourceDestCheck", interface.source_dest_check);
    render_group_set(x, region, &interface.security_group_ids);
    if let Some(attachment) = &interface.attachment {
        x.nested("attachment", |x| render_attachment(x, interface, attachment));
    }
    if let Some(managed) = &interface.managed_by {
        x.nested("attachment", |x| render_service_attachment(x, interface, managed));
    }
    render_association(x, region, interface, true);
    render_private_addresses(x, region, interface, true);
    render_ipv6_addresses(x, interface);
    x.text("interfaceType", interface.interface_type())
        .value("ipv6Native", interface.ipv6_native())
        .tag_set(&interface.tags);
}

/// The inside of an interface's `<attachment>`.
fn render_attachment(x: &mut Xml, interface: &NetworkInterface, attachment: &InterfaceAttachment) {
    x.text("attachTime", &attachment.attach_time.to_iso8601())
        .text("attachmentId", &attachment.attachment_id)
        .value("deleteOnTermination", attachment.delete_on_termination)
        .value("deviceIndex", attachment.device_index)
        .value("networkCardIndex", 0)
        .text("instanceId", &attachment.instance_id)
        .text("instanceOwnerId", &interface.owner_id)
        .text("status", "attached");
}

/// Part 2 §11.5 [O recorded DescribeNetworkInterfaces]: a service's interface shows an `ela-attach-` attachment at
/// device index 1, owned by `amazon-aws`, with no instance.
fn render_service_attachment(x: &mut Xml, interface: &NetworkInterface, managed: &ManagedBy) {
    x.text("attachTime", &managed.since.to_iso8601())
        .text("attachmentId", &ManagedBy::attachment_id(&interface.id))
        .value("deleteOnTermination", false)
        .value("deviceIndex", 1)
        .value("networkCardIndex", 0)
        .text("instanceOwnerId", "amazon-aws")
        .text("status", "attached");
}

pub(crate) fn describe_network_interfaces(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = params.list("NetworkInterfaceId")?;
    let filters = params.filters()?;
    validate::<NetworkInterfaceView>(&filters)?;
    let page = params.page(5, 1000)?;
    let region = world.region(&ctx.scope);
    let found = select(
        &region.network_interfaces,
        &ids,
        IdKind::NetworkInterface,
        Ec2Error::NetworkInterfaceNotFound,
        &page,
        |interface| matches(&NetworkInterfaceView { interface, region }, &filters),
    )?;
    x.list("networkInterfaceSet", &found.items, |x, interface| render_network_interface(x, interface, region));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn create_network_interface(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let secondary_count = params.int("SecondaryPrivateIpAddressCount")?.unwrap_or(0);
    let request = CreateNetworkInterface {
        subnet_id: params.required("SubnetId")?.to_string(),
        description: params.get("Description").unwrap_or_default().to_string(),
        private_ip: params.get("PrivateIpAddress").map(str::to_string),
        private_ips: params
            .structs("PrivateIpAddresses")?
            .iter()
            .map(|entry| {
                Ok((
                    entry.get("PrivateIpAddress").unwrap_or_default().to_string(),
                    entry.bool("Primary")?.unwrap_or(false),
                ))
            })
            .collect::<std::result::Result<_, Ec2Error>>()?,
        group_ids: params.list("SecurityGroupId")?,
        secondary_count: u32::try_from(secondary_count).unwrap_or(u32::MAX),
        tags: Tags(params.tag_specifications("network-interface")?),
        ipv6: AssignIpv6Addresses {
            count: params.int("Ipv6AddressCount")?,
            addresses: params
                .structs("Ipv6Addresses")?
                .iter()
                .map(|entry| entry.get("Ipv6Address").unwrap_or_default().to_string())
                .collect(),
        },
    };
    let interface = network_interface::create(tx, &ctx.scope, request)?;
    let region = tx.region(&ctx.scope);
    x.nested("networkInterface", |x| render_network_interface(x, &interface, region));
    x.optional("clientToken", params.get("ClientToken"));
    Ok(())
}

pub(crate) fn assign_ipv6_addresses(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let interface_id = params.required("NetworkInterfaceId")?;
    let request =
        AssignIpv6Addresses { count: params.int("Ipv6AddressCount")?, addresses: params.list("Ipv6Addresses")? };
    if request.is_empty() {
        return Err(Ec2Error::MissingParameter("ipv6AddressCount or ipv6Addresses".into()));
    }
    let assigned = network_interface::assign_ipv6(tx, &ctx.scope, interface_id, &request)?;
    x.list("assignedIpv6Addresses", &assigned, |x, address| {
        x.content(&address.to_string());
    })
    .text("networkInterfaceId", interface_id);
    Ok(())
}

pub(crate) fn unassign_ipv6_addresses(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let interface_id = params.required("NetworkInterfaceId")?;
    let addresses = params.list("Ipv6Addresses")?;
    let removed = network_interface::unassign_ipv6(tx, &ctx.scope, interface_id, &addresses)?;
    x.text("networkInterfaceId", interface_id).list("unassignedIpv6Addresses", &removed, |x, address| {
        x.content(&address.to_string());
    });
    Ok(())
}

pub(crate) fn attach_network_interface(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let interface_id = params.required("NetworkInterfaceId")?;
    let instance_id = params.required("InstanceId")?;
    let device_index = params.required("DeviceIndex")?;
    let device_index: u32 = device_index.parse().map_err(|_| {
        Ec2Error::InvalidParameterValue(format!("Value ({device_index}) for parameter deviceIndex is invalid."))
    })?;
    let attachment_id = network_interface::attach(tx, &ctx.scope, interface_id, instance_id, device_index)?;
    x.text("attachmentId", &attachment_id).value("networkCardIndex", 0);
    Ok(())
}

pub(crate) fn assign_private_ip_addresses(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let interface_id = params.required("NetworkInterfaceId")?;
    let count = params.int("SecondaryPrivateIpAddressCount")?;
    let request = AssignPrivateAddresses {
        addresses: params.list("PrivateIpAddress")?,
        count: count.map(|n| u32::try_from(n.max(0)).unwrap_or(u32::MAX)),
        allow_reassignment: params.bool("AllowReassignment")?.unwrap_or(false),
    };
    let assigned = network_interface::assign(tx, &ctx.scope, interface_id, request)?;
    x.text("networkInterfaceId", interface_id);
    x.list("assignedPrivateIpAddressesSet", assigned, |x, address| {
        x.value("privateIpAddress", address);
    });
    Ok(())
}

pub(crate) fn unassign_private_ip_addresses(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let interface_id = params.required("NetworkInterfaceId")?;
    network_interface::unassign(tx, &ctx.scope, interface_id, &params.list("PrivateIpAddress")?)?;
    x.value("return", true);
    Ok(())
}

pub(crate) fn detach_network_interface(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    network_interface::detach(tx, &ctx.scope, params.required("AttachmentId")?)?;
    x.value("return", true);
    Ok(())
}

pub(crate) fn delete_network_interface(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    network_interface::delete(tx, &ctx.scope, params.required("NetworkInterfaceId")?)?;
    x.value("return", true);
    Ok(())
}

pub(crate) fn modify_network_interface_attribute(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let interface_id = params.required("NetworkInterfaceId")?;
    let mut changes = Vec::new();
    if let Some(description) = params.get("Description.Value") {
        changes.push(InterfaceChange::Description(description.to_string()));
    }
    if let Some(enabled) = params.bool("SourceDestCheck.Value")? {
        changes.push(InterfaceChange::SourceDestCheck(enabled));
    }
    let groups = params.list("SecurityGroupId")?;
    if !groups.is_empty() {
        changes.push(InterfaceChange::Groups(groups));
    }
    if let Some(attachment_id) = params.get("Attachment.AttachmentId") {
        let delete = params.bool("Attachment.DeleteOnTermination")?.unwrap_or(false);
        changes.push(InterfaceChange::DeleteOnTermination { attachment_id: attachment_id.to_string(), delete });
    }
    network_interface::modify_attribute(tx, &ctx.scope, interface_id, changes)?;
    x.value("return", true);
    Ok(())
}

pub(crate) fn describe_network_interface_attribute(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let interface_id = params.required("NetworkInterfaceId")?;
    let attribute = InterfaceAttribute::parse(params.required("Attribute")?)?;
    let region = world.region(&ctx.scope);
    let interface = network_interface::find(region, interface_id)?;
    x.text("networkInterfaceId", &interface.id);
    match attribute {
        InterfaceAttribute::Description => {
            x.nested("description", |x| {
                x.text("value", &interface.description);
            });
        }
        InterfaceAttribute::SourceDestCheck => {
            x.nested("sourceDestCheck", |x| {
                x.value("value", interface.source_dest_check);
            });
        }
        InterfaceAttribute::GroupSet => render_group_set(x, region, &interface.security_group_ids),
        InterfaceAttribute::Attachment => {
            if let Some(attachment) = &interface.attachment {
                x.nested("attachment", |x| render_attachment(x, &interface, attachment));
            }
        }
        InterfaceAttribute::AssociatePublicIpAddress => {
            x.value("associatePublicIpAddress", interface.assign_public_ip);
        }
    }
    Ok(())
}
