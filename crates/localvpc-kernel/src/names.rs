//! Names of everything localvpc creates in the kernel: namespaces, links, routing tables, MAC addresses.
//!
//! Every namespace carries the server's prefix (`lv-` by default), so reconciliation can tell what it owns and
//! never touches anything else on the host; links live only inside those namespaces, so their names need only be
//! unique per namespace. Interface names are limited to 15 bytes (IFNAMSIZ), hence one letter and the low 12 hex
//! digits of the resource ID (IDs come from a bijective mix of a counter, so the low 48 bits tell them apart).

use std::net::{Ipv4Addr, Ipv6Addr};

/// The link of a running instance, inside its namespace (as on an AWS instance: one ENI, `eth0`).
pub const INSTANCE_LINK: &str = "eth0";
/// The link of a VPC router towards the internet namespace (its internet gateway).
pub const GATEWAY_LINK: &str = "igw";
/// A bridge with no ports in an on-premises site: its default route leads there, so what no VPN connection carries
/// is dropped silently (a lost packet, as the engine says), not refused by the sender's own kernel.
pub const VOID_LINK: &str = "void";
/// The namespace that plays the emulated internet.
pub const INTERNET: &str = "internet";
/// A next-hop address that is configured nowhere: routes over point-to-point veths (peering, internet gateway) go
/// "via" it with a permanent neighbour entry naming the far end's MAC, so those links need no addresses (and no
/// address of theirs can ever show up in a traceroute or answer a ping).
pub const NEXT_HOP: Ipv4Addr = Ipv4Addr::new(169, 254, 0, 1);
/// [`NEXT_HOP`] for IPv6 routes over the same links (part 2 §16): a link-local address no end holds, resolved by a
/// permanent neighbour entry as well.
pub const NEXT_HOP_V6: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1);

/// The prefix that marks a server's kernel objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    prefix: String,
}

impl Names {
    /// Names under `prefix` (letters, digits and `-` only; validated by the caller's flag parser).
    pub fn new(prefix: &str) -> Names {
        Names { prefix: prefix.to_string() }
    }

    /// The prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The namespace of a running instance: `lv-i-0123456789abcdef0`.
    pub fn instance(&self, instance_id: &str) -> String {
        format!("{}-{instance_id}", self.prefix)
    }

    /// The router namespace of a VPC: `lv-vpc-0123456789abcdef0`.
    pub fn router(&self, vpc_id: &str) -> String {
        format!("{}-{vpc_id}", self.prefix)
    }

    /// The namespace of a NAT gateway: `lv-nat-0123456789abcdef0`.
    pub fn nat_gateway(&self, nat_gateway_id: &str) -> String {
        format!("{}-{nat_gateway_id}", self.prefix)
    }

    /// The namespace of a transit gateway: `lv-tgw-0123456789abcdef0`.
    pub fn transit_gateway(&self, transit_gateway_id: &str) -> String {
        format!("{}-{transit_gateway_id}", self.prefix)
    }

    /// The namespace of a virtual private gateway: `lv-vgw-0123456789abcdef0`.
    pub fn vpn_gateway(&self, vpn_gateway_id: &str) -> String {
        format!("{}-{vpn_gateway_id}", self.prefix)
    }

    /// The on-premises network behind a customer gateway: `lv-cgw-0123456789abcdef0`.
    pub fn site(&self, customer_gateway_id: &str) -> String {
        format!("{}-{customer_gateway_id}", self.prefix)
    }

    /// The namespace of a gateway VPC endpoint (the AWS service behind it): `lv-vpce-0123456789abcdef0`.
    pub fn vpc_endpoint(&self, vpc_endpoint_id: &str) -> String {
        format!("{}-{vpc_endpoint_id}", self.prefix)
    }

    /// The namespace of an interface VPC endpoint's interface (the service's host in its subnet, part 2 §17.5):
    /// `lv-eni-0123456789abcdef0`.
    pub fn interface_endpoint(&self, eni_id: &str) -> String {
        format!("{}-{eni_id}", self.prefix)
    }

    /// The emulated internet: `lv-internet`.
    pub fn internet(&self) -> String {
        format!("{}-{INTERNET}", self.prefix)
    }

    /// Whether a namespace name is one of this server's.
    pub fn owns(&self, namespace: &str) -> bool {
        namespace.strip_prefix(&self.prefix).is_some_and(|rest| rest.starts_with('-'))
    }
}

/// The low 12 hex digits of an ID (`subnet-0123456789abcdef0` → `56789abcdef0`).
fn tail(id: &str) -> &str {
    let hex = id.rsplit('-').next().unwrap_or(id);
    &hex[hex.len().saturating_sub(12)..]
}

/// A subnet's bridge in its VPC router.
pub fn subnet_bridge(subnet_id: &str) -> String {
    format!("s{}", tail(subnet_id))
}

/// The router-side end of an interface's veth (a port of its subnet's bridge).
pub fn interface_port(eni_id: &str) -> String {
    format!("e{}", tail(eni_id))
}

/// The link of a peering connection, the same name in both routers.
pub fn peering_link(pcx_id: &str) -> String {
    format!("p{}", tail(pcx_id))
}

/// The link of a transit gateway's VPC attachment, the same name in the VPC router and the gateway.
pub fn attachment_link(attachment_id: &str) -> String {
    format!("t{}", tail(attachment_id))
}

/// The link between a VPC router and its virtual private gateway, the same name at both ends.
pub fn vpn_gateway_link(vpn_gateway_id: &str) -> String {
    format!("g{}", tail(vpn_gateway_id))
}

/// The link of a VPN connection (a tunnel that is up) between its gateway and the site, the same name at both ends.
pub fn vpn_link(vpn_connection_id: &str) -> String {
    format!("c{}", tail(vpn_connection_id))
}

/// The link between a VPC router and a gateway VPC endpoint's namespace, the same name at both ends (two letters:
/// `e` and 12 hex digits is an interface's port, and hex has no `p`).
pub fn endpoint_link(vpc_endpoint_id: &str) -> String {
    format!("ep{}", tail(vpc_endpoint_id))
}

/// The internet namespace's end of a VPC's gateway link.
pub fn internet_port(vpc_id: &str) -> String {
    format!("v{}", tail(vpc_id))
}

/// A stable, locally administered unicast MAC for a link that has no AWS MAC of its own.
pub fn link_mac(namespace: &str, link: &str) -> [u8; 6] {
    let hash = fnv(&[namespace.as_bytes(), b"/", link.as_bytes()]);
    let bytes = hash.to_be_bytes();
    [0x02, bytes[3], bytes[4], bytes[5], bytes[6], bytes[7]]
}

/// Parses `0a:12:34:56:78:9a` (the model's MAC addresses); a malformed one falls back to a derived MAC.
pub fn parse_mac(text: &str, fallback_seed: &str) -> [u8; 6] {
    let parts: Vec<u8> = text.split(':').filter_map(|part| u8::from_str_radix(part, 16).ok()).collect();
    match <[u8; 6]>::try_from(parts.as_slice()) {
        Ok(mac) => mac,
        Err(_) => link_mac(fallback_seed, INSTANCE_LINK),
    }
}

/// The routing table of a route table inside its router: stable under additions (a hash of the ID), probed past
/// collisions in sorted order so the answer depends only on the set of tables.
pub fn route_table_ids(route_table_ids: &[&str]) -> Vec<u32> {
    let mut sorted: Vec<(usize, &str)> = route_table_ids.iter().copied().enumerate().collect();
    sorted.sort_by_key(|(_, id)| *id);
    let mut taken = std::collections::BTreeSet::new();
    let mut result = vec![0; route_table_ids.len()];
    for (index, id) in sorted {
        let mut table = FIRST_ROUTE_TABLE + (fnv(&[id.as_bytes()]) % ROUTE_TABLE_SPAN) as u32;
        while !taken.insert(table) {
            table = FIRST_ROUTE_TABLE + (table - FIRST_ROUTE_TABLE + 1) % ROUTE_TABLE_SPAN as u32;
        }
        result[index] = table;
    }
    result
}

/// Route tables live in kernel tables 1000 … 1000 + 2^20, clear of `main` (254), `local` (255) and localvpc's
/// fixed tables below 1000.
const FIRST_ROUTE_TABLE: u32 = 1000;
const ROUTE_TABLE_SPAN: u64 = 1 << 20;

fn fnv(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in *part {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_names_fit_ifnamsiz_and_keep_the_id_tail() {
        assert_eq!(subnet_bridge("subnet-0123456789abcdef0"), "s56789abcdef0");
        assert_eq!(peering_link("pcx-0123456789abcdef0"), "p56789abcdef0");
        assert_eq!(attachment_link("tgw-attach-0123456789abcdef0"), "t56789abcdef0");
        assert_eq!(vpn_gateway_link("vgw-0123456789abcdef0"), "g56789abcdef0");
        assert_eq!(vpn_link("vpn-0123456789abcdef0"), "c56789abcdef0");
        assert_eq!(endpoint_link("vpce-0123456789abcdef0"), "ep56789abcdef0");
        for name in [
            subnet_bridge("subnet-0123456789abcdef0"),
            interface_port("eni-0123456789abcdef0"),
            endpoint_link("vpce-0123456789abcdef0"),
        ] {
            assert!(name.len() <= 15, "{name}");
        }
    }

    #[test]
    fn ownership_is_by_prefix_and_dash() {
        let names = Names::new("lv");
        assert!(names.owns(&names.instance("i-0123456789abcdef0")));
        assert!(names.owns(&names.internet()));
        assert!(!names.owns("lvx-internet"));
        assert!(!names.owns("other"));
    }

    #[test]
    fn macs_are_locally_administered_unicast_and_parsed() {
        let mac = link_mac("lv-vpc-1", "igw");
        assert_eq!(mac[0], 0x02);
        assert_eq!(mac, link_mac("lv-vpc-1", "igw"));
        assert_ne!(mac, link_mac("lv-vpc-2", "igw"));
        assert_eq!(parse_mac("0a:78:9a:bc:de:f0", "x"), [0x0a, 0x78, 0x9a, 0xbc, 0xde, 0xf0]);
    }

    #[test]
    fn route_table_ids_are_distinct_and_stable_under_additions() {
        let two = route_table_ids(&["rtb-b", "rtb-a"]);
        let three = route_table_ids(&["rtb-a", "rtb-c", "rtb-b"]);
        assert_ne!(two[0], two[1]);
        assert_eq!((two[0], two[1]), (three[2], three[0]));
        assert!(two.iter().all(|table| *table >= 1000));
    }
}
