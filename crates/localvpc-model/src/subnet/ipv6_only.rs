//! IPv6-only subnets (part 2 §16.1, CreateSubnet `Ipv6Native=true`): a /64 and no IPv4 block. Their interfaces
//! hold IPv6 addresses only, so everything that needs an IPv4 address in the subnet — a private or public IPv4
//! address, a NAT gateway, a transit gateway attachment, an interface endpoint — is refused there, and only
//! instance types built on the Nitro System launch into them. Every one of those rules is here; the resources
//! that obey them call in.

use crate::error::Ipv6Error;
use crate::instance_type;
use crate::subnet::{PrivateDnsNameOptionsOnLaunch, Subnet, HOSTNAME_TYPES};
use crate::Result;

/// CreateSubnet's parameter rules for `Ipv6Native` (part 2 §16.1 [O moto's tests, checked against AWS]): an IPv6
/// block is required — asked for before the IPv4 block is refused — and an IPv4 block is refused.
pub(super) fn check_create(ipv4_block: Option<&str>, ipv6_block: Option<&str>) -> Result<()> {
    if ipv6_block.is_none() {
        return Err(Ipv6Error::Ipv6NativeNeedsBlock.into());
    }
    if ipv4_block.is_some() {
        return Err(Ipv6Error::Ipv6NativeWithIpv4Block.into());
    }
    Ok(())
}

/// What a new IPv6-only subnet starts with: it assigns an IPv6 address on creation [O moto's tests, checked
/// against AWS], and its instances get the resource name as hostname [D UG] with its AAAA record. ASSUMPTION (a
/// public DescribeSubnets record of an IPv6-only subnet: `resource-name`, A off, AAAA on): the AAAA record is on.
pub(super) fn defaults(subnet: &mut Subnet) {
    subnet.assign_ipv6_address_on_creation = true;
    subnet.private_dns_name_options = PrivateDnsNameOptionsOnLaunch {
        hostname_type: HOSTNAME_TYPES[1].into(),
        enable_resource_name_dns_a_record: false,
        enable_resource_name_dns_aaaa_record: true,
    };
}

/// ModifySubnetAttribute values an IPv6-only subnet cannot take: a public IPv4 address on launch, no IPv6 address
/// on creation, the IP-name hostname (an IP name is made of an IPv4 address).
pub(crate) fn refuse_attribute(subnet: &Subnet, attribute: &'static str, value: &str) -> Result<()> {
    let refused = match attribute {
        "map-public-ip-on-launch" => value == "true",
        "assign-ipv6-address-on-creation" => value == "false",
        "private-dns-hostname-type-on-launch" => value == HOSTNAME_TYPES[0],
        _ => false,
    };
    if subnet.ipv6_native() && refused {
        return Err(Ipv6Error::Ipv6OnlySubnetAttribute {
            attribute,
            value: value.to_string(),
            subnet_id: subnet.id.clone(),
        }
        .into());
    }
    Ok(())
}

/// The IPv4 settings of a new interface, refused in an IPv6-only subnet: `parameter` is the one sent.
pub fn refuse_ipv4_setting(subnet: &Subnet, parameter: Option<&'static str>) -> Result<()> {
    match parameter {
        Some(parameter) if subnet.ipv6_native() => {
            Err(Ipv6Error::Ipv4InIpv6OnlySubnet { parameter, subnet_id: subnet.id.clone() }.into())
        }
        _ => Ok(()),
    }
}

/// An interface of an IPv6-only subnet must keep at least one IPv6 address (it has no other). A new one always
/// gets one: the subnet assigns IPv6 addresses on creation and [`refuse_attribute`] keeps it so; only
/// UnassignIpv6Addresses can take the last away.
pub fn refuse_without_ipv6(subnet: &Subnet, addresses_left: usize) -> Result<()> {
    if subnet.ipv6_native() && addresses_left == 0 {
        return Err(Ipv6Error::Ipv6OnlyNeedsAddress(subnet.id.clone()).into());
    }
    Ok(())
}

/// Part 2 §10.2/§16.1 [D]: only Nitro types (and bare metal, which runs on Nitro) launch into IPv6-only subnets.
pub fn check_instance_type(subnet: &Subnet, name: &str) -> Result<()> {
    let nitro =
        instance_type::find(name).is_some_and(|row| row.bare_metal || row.hypervisor.as_deref() == Some("nitro"));
    if subnet.ipv6_native() && !nitro {
        return Err(Ipv6Error::NotNitroInIpv6OnlySubnet {
            instance_type: name.to_string(),
            subnet_id: subnet.id.clone(),
        }
        .into());
    }
    Ok(())
}

/// Part 2 §14.2 [D]: a transit gateway attachment (and, needing an IPv4 address there, a NAT gateway or an
/// interface endpoint) cannot use an IPv6-only subnet.
pub fn refuse_for_service(subnet: &Subnet, service: &'static str) -> Result<()> {
    if subnet.ipv6_native() {
        return Err(Ipv6Error::ServiceNeedsIpv4Subnet { subnet_id: subnet.id.clone(), service }.into());
    }
    Ok(())
}
