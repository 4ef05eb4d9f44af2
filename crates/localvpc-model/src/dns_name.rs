//! Amazon-provided host names (spec §2.9, §4.2): the private IP name and the public name of an address.
//!
//! The names are pure functions of the region and an address, so the DNS engine can derive the same names the API
//! renders. Whether a public name *exists* (a public address, and both VPC DNS attributes on) is decided by the
//! caller from current state; nothing here stores a name, which is how enabling the attributes later back-fills
//! every name at once (spec §2.9 [D]).

use std::net::Ipv4Addr;

/// The region whose names use the legacy forms (`ec2.internal`, `compute-1`), spec §4.2 [D].
const LEGACY_REGION: &str = "us-east-1";

/// The private domain of a region: `ec2.internal` in us-east-1, `<region>.compute.internal` elsewhere. It is also
/// the `domain-name` of the region's default DHCP options (spec §4.1).
pub fn private_domain(region: &str) -> String {
    if region == LEGACY_REGION {
        "ec2.internal".to_string()
    } else {
        format!("{region}.compute.internal")
    }
}

/// The public domain of a region: `compute-1.amazonaws.com` in us-east-1, `<region>.compute.amazonaws.com`
/// elsewhere.
pub fn public_domain(region: &str) -> String {
    if region == LEGACY_REGION {
        "compute-1.amazonaws.com".to_string()
    } else {
        format!("{region}.compute.amazonaws.com")
    }
}

/// Spec §4.2 [D]: `ip-10-0-0-5.ec2.internal` / `ip-10-0-0-5.eu-west-1.compute.internal`.
pub fn private_dns_name(region: &str, address: Ipv4Addr) -> String {
    format!("ip-{}.{}", dashed(address), private_domain(region))
}

/// Spec §4.2 [D]: `ec2-54-1-2-3.compute-1.amazonaws.com` / `ec2-54-1-2-3.eu-west-1.compute.amazonaws.com`.
pub fn public_dns_name(region: &str, address: Ipv4Addr) -> String {
    format!("ec2-{}.{}", dashed(address), public_domain(region))
}

/// Part 2 §16.4 [D]: the resource name of an instance, `i-0123456789abcdef0.ec2.internal` /
/// `i-0123456789abcdef0.eu-west-1.compute.internal`.
pub fn resource_dns_name(region: &str, instance_id: &str) -> String {
    format!("{instance_id}.{}", private_domain(region))
}

/// Parses a resource name back to its instance ID and region; `None` for anything else.
pub fn parse_resource_name(name: &str) -> Option<(String, String)> {
    let (label, domain) = name.trim_end_matches('.').split_once('.')?;
    let digits = label.strip_prefix("i-")?;
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return None;
    }
    let region = match domain {
        "ec2.internal" => LEGACY_REGION.to_string(),
        _ => domain.strip_suffix(".compute.internal").filter(|region| !region.contains('.'))?.to_string(),
    };
    (!region.is_empty()).then(|| (label.to_string(), region))
}

/// Parses a name of either form back to its address, its region and its form, for a resolver that is asked a
/// name; `None` for anything that is not exactly a name these functions produce.
pub fn parse(name: &str) -> Option<(Ipv4Addr, String, NameKind)> {
    let name = name.trim_end_matches('.');
    let (label, domain) = name.split_once('.')?;
    let (kind, dashed_address) = if let Some(rest) = label.strip_prefix("ip-") {
        (NameKind::Private, rest)
    } else if let Some(rest) = label.strip_prefix("ec2-") {
        (NameKind::Public, rest)
    } else {
        return None;
    };
    let address: Ipv4Addr = dashed_address.replace('-', ".").parse().ok()?;
    if dashed(address) != dashed_address {
        return None;
    }
    let region = match (kind, domain) {
        (NameKind::Private, "ec2.internal") | (NameKind::Public, "compute-1.amazonaws.com") => LEGACY_REGION.into(),
        (NameKind::Private, _) => domain.strip_suffix(".compute.internal")?.to_string(),
        (NameKind::Public, _) => domain.strip_suffix(".compute.amazonaws.com")?.to_string(),
    };
    if region.is_empty() || region.contains('.') {
        return None;
    }
    Some((address, region, kind))
}

/// Which of the two name forms a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// `ip-…` (private IP name).
    Private,
    /// `ec2-…` (public name).
    Public,
}

fn dashed(address: Ipv4Addr) -> String {
    let [a, b, c, d] = address.octets();
    format!("{a}-{b}-{c}-{d}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> Ipv4Addr {
        text.parse().unwrap()
    }

    #[test]
    fn names_per_region() {
        assert_eq!(private_dns_name("us-east-1", ip("10.0.0.5")), "ip-10-0-0-5.ec2.internal");
        assert_eq!(private_dns_name("eu-west-1", ip("10.0.0.5")), "ip-10-0-0-5.eu-west-1.compute.internal");
        assert_eq!(public_dns_name("us-east-1", ip("198.18.0.5")), "ec2-198-18-0-5.compute-1.amazonaws.com");
        assert_eq!(
            public_dns_name("ap-northeast-2", ip("198.18.0.5")),
            "ec2-198-18-0-5.ap-northeast-2.compute.amazonaws.com"
        );
        assert_eq!(private_domain("us-west-2"), "us-west-2.compute.internal");
    }

    #[test]
    fn names_parse_back() {
        for region in ["us-east-1", "eu-west-1"] {
            let private = private_dns_name(region, ip("172.31.16.20"));
            assert_eq!(parse(&private), Some((ip("172.31.16.20"), region.to_string(), NameKind::Private)));
            let public = public_dns_name(region, ip("198.19.255.1"));
            assert_eq!(parse(&format!("{public}.")), Some((ip("198.19.255.1"), region.to_string(), NameKind::Public)));
        }
        assert_eq!(parse("ip-10-0-0-05.ec2.internal"), None);
        assert_eq!(parse("ip-10-0-0.ec2.internal"), None);
        assert_eq!(parse("ec2-1-2-3-4.example.com"), None);
        assert_eq!(parse("www.example.com"), None);
    }

    #[test]
    fn resource_names_per_region_parse_back() {
        let id = "i-0123456789abcdef0";
        assert_eq!(resource_dns_name("us-east-1", id), "i-0123456789abcdef0.ec2.internal");
        assert_eq!(resource_dns_name("eu-west-1", id), "i-0123456789abcdef0.eu-west-1.compute.internal");
        for region in ["us-east-1", "eu-west-1"] {
            let name = format!("{}.", resource_dns_name(region, id));
            assert_eq!(parse_resource_name(&name), Some((id.to_string(), region.to_string())));
        }
        assert_eq!(parse_resource_name("i-xyz.ec2.internal"), None);
        assert_eq!(parse_resource_name("ip-10-0-0-5.ec2.internal"), None);
        assert_eq!(parse_resource_name("i-0123.example.com"), None);
    }
}
