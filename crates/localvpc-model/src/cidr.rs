//! IPv4 CIDR rules shared by VPCs, subnets and routes (spec §2.2, §2.3, §2.5).
//!
//! Parsing and prefix arithmetic come from `ipnet`; this module holds only the AWS rules on top of it.

use std::net::Ipv4Addr;

pub use ipnet::Ipv4Net;

/// Parses `a.b.c.d/n` and canonicalises host bits away (`100.68.0.18/18` → `100.68.0.0/18`, spec §2.2 [D]).
/// Returns `None` for anything that is not an IPv4 CIDR block (a bare address included).
pub fn parse_canonical(text: &str) -> Option<Ipv4Net> {
    if !text.contains('/') {
        return None;
    }
    text.parse::<Ipv4Net>().ok().map(|net| net.trunc())
}

/// Spec §2.2/§2.3: VPC and subnet blocks are /16 to /28.
pub fn prefix_in_vpc_range(net: &Ipv4Net) -> bool {
    (16..=28).contains(&net.prefix_len())
}

/// True when the two blocks share at least one address.
pub fn overlaps(a: &Ipv4Net, b: &Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// Number of addresses in the block.
pub fn size(net: &Ipv4Net) -> u64 {
    1u64 << (32 - net.prefix_len())
}

/// Spec §2.2 [D]: link-local 169.254.0.0/16 may not be used for a VPC.
pub fn is_link_local(net: &Ipv4Net) -> bool {
    overlaps(net, &Ipv4Net::new(Ipv4Addr::new(169, 254, 0, 0), 16).expect("valid"))
}

/// Spec §2.5 [D]: route destinations inside 169.254.168.0/22 are refused (a wider block that merely contains it,
/// such as 0.0.0.0/0, is fine).
pub fn in_reserved_route_range(net: &Ipv4Net) -> bool {
    Ipv4Net::new(Ipv4Addr::new(169, 254, 168, 0), 22).expect("valid").contains(net)
}

/// The RFC 1918 family a block belongs to, for the secondary-CIDR restrictions of spec §2.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// 10.0.0.0/8
    Ten,
    /// 172.16.0.0/12
    OneSevenTwo,
    /// 192.168.0.0/16
    OneNineTwo,
    /// 198.19.0.0/16 (reserved by AWS; only with a primary there)
    OneNineEight,
    /// 100.64.0.0/10 and publicly routable blocks: allowed with any primary.
    Other,
}

/// Classifies a block into its [`Family`].
pub fn family(net: &Ipv4Net) -> Family {
    let within = |a: u8, b: u8, len: u8| Ipv4Net::new(Ipv4Addr::new(a, b, 0, 0), len).expect("valid").contains(net);
    if within(10, 0, 8) {
        Family::Ten
    } else if within(172, 16, 12) {
        Family::OneSevenTwo
    } else if within(192, 168, 16) {
        Family::OneNineTwo
    } else if within(198, 19, 16) {
        Family::OneNineEight
    } else {
        Family::Other
    }
}

/// Spec §2.2 [D]: may a VPC whose primary block is `primary` add `secondary`?
pub fn secondary_allowed(primary: &Ipv4Net, secondary: &Ipv4Net) -> bool {
    let primary_family = family(primary);
    let secondary_family = family(secondary);
    if secondary_family == Family::Other {
        return true;
    }
    // 172.16/12 VPCs cannot add from 172.31.0.0/16 (the default-VPC range).
    let default_vpc_range = Ipv4Net::new(Ipv4Addr::new(172, 31, 0, 0), 16).expect("valid");
    if primary_family == Family::OneSevenTwo && overlaps(secondary, &default_vpc_range) {
        return false;
    }
    match primary_family {
        Family::Other => secondary_family != Family::OneNineEight,
        same => same == secondary_family,
    }
}

/// The `n`-th address of the block (0 = network address).
pub fn nth_address(net: &Ipv4Net, n: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(net.network()).wrapping_add(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(text: &str) -> Ipv4Net {
        text.parse().unwrap()
    }

    #[test]
    fn parse_canonicalises_host_bits() {
        assert_eq!(parse_canonical("100.68.0.18/18"), Some(net("100.68.0.0/18")));
        assert_eq!(parse_canonical("10.0.0.0/16"), Some(net("10.0.0.0/16")));
        assert_eq!(parse_canonical("10.0.0.0"), None);
        assert_eq!(parse_canonical("10.0.0.0/33"), None);
        assert_eq!(parse_canonical("nonsense"), None);
        assert_eq!(parse_canonical("300.0.0.0/16"), None);
    }

    #[test]
    fn vpc_range_is_16_to_28() {
        assert!(!prefix_in_vpc_range(&net("10.0.0.0/8")));
        assert!(!prefix_in_vpc_range(&net("10.0.0.0/15")));
        assert!(prefix_in_vpc_range(&net("10.0.0.0/16")));
        assert!(prefix_in_vpc_range(&net("10.0.0.0/28")));
        assert!(!prefix_in_vpc_range(&net("10.0.0.0/29")));
    }

    #[test]
    fn overlap_is_symmetric_and_exact() {
        assert!(overlaps(&net("10.0.0.0/16"), &net("10.0.5.0/24")));
        assert!(overlaps(&net("10.0.5.0/24"), &net("10.0.0.0/16")));
        assert!(!overlaps(&net("10.0.0.0/16"), &net("10.1.0.0/16")));
    }

    #[test]
    fn secondary_cidr_family_rules() {
        assert!(secondary_allowed(&net("10.0.0.0/16"), &net("10.1.0.0/16")));
        assert!(!secondary_allowed(&net("10.0.0.0/16"), &net("172.16.0.0/16")));
        assert!(!secondary_allowed(&net("10.0.0.0/16"), &net("192.168.0.0/16")));
        assert!(secondary_allowed(&net("10.0.0.0/16"), &net("100.64.0.0/16")));
        assert!(!secondary_allowed(&net("172.16.0.0/16"), &net("172.31.0.0/16")));
        assert!(secondary_allowed(&net("172.16.0.0/16"), &net("172.17.0.0/16")));
        assert!(!secondary_allowed(&net("10.0.0.0/16"), &net("198.19.0.0/16")));
        assert!(secondary_allowed(&net("198.19.0.0/16"), &net("198.19.1.0/24")));
    }

    #[test]
    fn link_local_and_reserved_route_ranges() {
        assert!(is_link_local(&net("169.254.0.0/16")));
        assert!(!is_link_local(&net("10.0.0.0/16")));
        assert!(in_reserved_route_range(&net("169.254.169.0/24")));
        assert!(in_reserved_route_range(&net("169.254.168.0/22")));
        assert!(!in_reserved_route_range(&net("169.254.0.0/24")));
        assert!(!in_reserved_route_range(&net("0.0.0.0/0")));
        assert!(!in_reserved_route_range(&net("128.0.0.0/1")));
    }
}
