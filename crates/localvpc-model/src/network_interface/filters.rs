//! DescribeNetworkInterfaces' filters (part 2 §11.1 [D bc]): an interface seen with its region, so a filter can
//! read its groups, instance and public address.

use super::*;

/// An interface seen with its region, for filters that need its groups, instance and public address.
pub struct NetworkInterfaceView<'a> {
    /// The interface.
    pub interface: &'a NetworkInterface,
    /// Its region.
    pub region: &'a RegionState,
}

impl Filterable for NetworkInterfaceView<'_> {
    const FILTERS: &'static [&'static str] = &[
        "addresses.private-ip-address",
        "addresses.primary",
        "addresses.association.public-ip",
        "addresses.association.owner-id",
        "association.association-id",
        "association.allocation-id",
        "association.ip-owner-id",
        "association.public-ip",
        "association.public-dns-name",
        "attachment.attachment-id",
        "attachment.attach-time",
        "attachment.delete-on-termination",
        "attachment.device-index",
        "attachment.instance-id",
        "attachment.instance-owner-id",
        "attachment.status",
        "availability-zone",
        "availability-zone-id",
        "description",
        "group-id",
        "group-name",
        "interface-type",
        "ipv6-addresses.ipv6-address",
        "mac-address",
        "network-interface-id",
        "owner-id",
        "private-dns-name",
        "private-ip-address",
        "requester-managed",
        "source-dest-check",
        "status",
        "subnet-id",
        "vpc-id",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let interface = self.interface;
        let public = public_address(self.region, interface);
        let attachment = interface.attachment.as_ref();
        match name {
            "addresses.private-ip-address" | "private-ip-address" => {
                out.extend(interface.private_ips().map(|address| address.to_string()))
            }
            "addresses.primary" => out.push("true".into()),
            "ipv6-addresses.ipv6-address" => out.extend(interface.ipv6_addresses.iter().map(|a| a.to_string())),
            "addresses.association.public-ip" | "association.public-ip" => {
                out.extend(public.map(|public| public.ip.to_string()))
            }
            // `addresses.association.ip-owner-id` is DescribeInstances' name (`network-interface.` + it).
            "addresses.association.owner-id" | "addresses.association.ip-owner-id" | "association.ip-owner-id" => {
                out.extend(public.map(|public| public.ip_owner_id().to_string()))
            }
            "association.association-id" => out.extend(
                public.and_then(|public| public.elastic?.association.as_ref()).map(|a| a.association_id.clone()),
            ),
            "association.allocation-id" => {
                out.extend(public.and_then(|public| public.elastic).map(|address| address.allocation_id.clone()))
            }
            "association.public-dns-name" => out.extend(public_dns_name(self.region, interface)),
            "attachment.attachment-id" => out.extend(attachment.map(|a| a.attachment_id.clone())),
            "attachment.attach-time" => out.extend(attachment.map(|a| a.attach_time.to_iso8601())),
            "attachment.delete-on-termination" => out.extend(attachment.map(|a| a.delete_on_termination.to_string())),
            "attachment.device-index" => out.extend(attachment.map(|a| a.device_index.to_string())),
            "attachment.instance-id" => out.extend(attachment.map(|a| a.instance_id.clone())),
            "attachment.instance-owner-id" => out.extend(attachment.map(|_| interface.owner_id.clone())),
            "attachment.status" => out.extend(attachment.map(|_| "attached".to_string())),
            "availability-zone" => out.push(interface.availability_zone.clone()),
            "availability-zone-id" => out.push(interface.availability_zone_id.clone()),
            "description" => out.push(interface.description.clone()),
            "group-id" => out.extend(interface.security_group_ids.iter().cloned()),
            "group-name" => out.extend(
                interface
                    .security_group_ids
                    .iter()
                    .filter_map(|id| self.region.security_groups.get(id.as_str()))
                    .map(|group| group.name.clone()),
            ),
            "interface-type" => out.push(interface.interface_type().into()),
            "mac-address" => out.push(interface.mac_address.clone()),
            "network-interface-id" => out.push(interface.id.clone()),
            "owner-id" => out.push(interface.owner_id.clone()),
            "private-dns-name" => out.extend(interface.private_dns_name()),
            "requester-managed" => out.push(interface.managed_by.is_some().to_string()),
            "source-dest-check" => out.push(interface.source_dest_check.to_string()),
            "status" => out.push(interface.status().into()),
            "subnet-id" => out.push(interface.subnet_id.clone()),
            "vpc-id" => out.push(interface.vpc_id.clone()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.interface.tags)
    }
}
