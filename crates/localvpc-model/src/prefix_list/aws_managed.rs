//! The AWS-managed prefix lists of a Region (part 2 §17.1): data, not stored — like the AMI catalog, a Region's
//! lists are derived from its name. This module is the one place that says which addresses are AWS's S3 and
//! DynamoDB services: whatever treats traffic to an AWS service (gateway endpoints, the service address space)
//! reads the ranges from here.

use std::net::IpAddr;

use ipnet::IpNet;

/// A service AWS publishes a prefix list for, and the address blocks the list holds.
struct Service {
    /// The last part of the list's name (`com.amazonaws.<region>.<service>`).
    name: &'static str,
    /// The blocks, in the order Describe and GetManagedPrefixListEntries list them (by text, as entries are).
    cidrs: &'static [&'static str],
}

/// Part 2 §17.1 [O 2018 recording]: us-east-1's S3 and DynamoDB blocks. ASSUMPTION (§17.1: current lists are
/// longer [I] and the emulator's service address space only needs to be self-consistent): every Region's list
/// holds these blocks; only the IDs and names differ by Region.
const SERVICES: [Service; 2] = [
    Service { name: "s3", cidrs: &["52.216.0.0/15", "54.231.0.0/17"] },
    Service { name: "dynamodb", cidrs: &["52.119.224.0/20", "52.94.0.0/22"] },
];

/// Part 2 §17.1 [O 2018 recording]: the real IDs per Region and service. IDs are per Region, not globally unique
/// (`pl-6ea54007` is us-west-1's DynamoDB list and eu-central-1's S3 list).
const KNOWN_IDS: [(&str, &str, &str); 12] = [
    ("us-east-1", "s3", "pl-63a5400a"),
    ("us-east-1", "dynamodb", "pl-02cd2c6b"),
    ("us-east-2", "s3", "pl-7ba54012"),
    ("us-east-2", "dynamodb", "pl-4ca54025"),
    ("us-west-1", "s3", "pl-6ba54002"),
    ("us-west-1", "dynamodb", "pl-6ea54007"),
    ("us-west-2", "s3", "pl-68a54001"),
    ("us-west-2", "dynamodb", "pl-00a54069"),
    ("eu-west-1", "s3", "pl-6da54004"),
    ("eu-west-1", "dynamodb", "pl-6fa54006"),
    ("eu-central-1", "s3", "pl-6ea54007"),
    ("eu-central-1", "dynamodb", "pl-66a5400f"),
];

/// An AWS-managed prefix list as a Region shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsManagedList {
    /// `pl-` and 8 hex digits.
    pub id: String,
    /// `com.amazonaws.<region>.<service>`.
    pub name: String,
    /// The blocks the list holds.
    pub cidrs: Vec<String>,
}

/// The Region's AWS-managed lists, in the order DescribePrefixLists shows them (by ID).
pub fn lists(region: &str) -> Vec<AwsManagedList> {
    let mut lists: Vec<AwsManagedList> = SERVICES
        .iter()
        .map(|service| {
            let name = format!("com.amazonaws.{region}.{}", service.name);
            AwsManagedList {
                id: id_of(region, service.name, &name),
                name,
                cidrs: service.cidrs.iter().map(|cidr| cidr.to_string()).collect(),
            }
        })
        .collect();
    lists.sort_by(|a, b| a.id.cmp(&b.id));
    lists
}

/// The Region's AWS-managed list with this ID, if there is one.
pub fn find(region: &str, id: &str) -> Option<AwsManagedList> {
    lists(region).into_iter().find(|list| list.id == id)
}

/// Whether `address` is in one of the Region's AWS service blocks (the S3 and DynamoDB lists).
pub fn is_service_address(region: &str, address: IpAddr) -> bool {
    lists(region)
        .iter()
        .flat_map(|list| &list.cidrs)
        .any(|cidr| cidr.parse::<IpNet>().is_ok_and(|net| net.contains(&address)))
}

/// Whether `address` is in any Region's AWS service blocks — the emulated internet's view, which knows no Region.
/// Every Region's lists hold the same blocks (see [`SERVICES`]).
pub fn is_service_address_anywhere(address: IpAddr) -> bool {
    is_service_address("us-east-1", address)
}

/// ASSUMPTION (§17.4: "S3 names resolve to the public CIDRs in the list"; which address is AWS's business): the one
/// address a service's names resolve to, the tenth of its list's first block — e.g. `s3.<region>.amazonaws.com` →
/// 52.216.0.10. `None` for a service with no list.
pub fn service_address(service: &str) -> Option<std::net::Ipv4Addr> {
    let block = SERVICES.iter().find(|s| s.name == service)?.cidrs.first()?;
    match block.parse::<IpNet>().ok()? {
        IpNet::V4(block) => Some(std::net::Ipv4Addr::from(u32::from(block.network()) + 10)),
        IpNet::V6(_) => None,
    }
}

/// The address a public name of an S3 or DynamoDB endpoint resolves to, inside the VPC and from the internet alike
/// (part 2 §17.4): `s3.<region>.amazonaws.com`, `<bucket>.s3.<region>.amazonaws.com`, `s3.amazonaws.com` and
/// `<bucket>.s3.amazonaws.com` (us-east-1's global name), `dynamodb.<region>.amazonaws.com`. `name` is lowercase
/// without the root's dot.
pub fn resolve_service_name(name: &str) -> Option<std::net::Ipv4Addr> {
    let rest = name.strip_suffix(".amazonaws.com")?;
    let labels: Vec<&str> = rest.split('.').collect();
    let service = match labels.as_slice() {
        ["s3"] | [_, "s3"] => "s3",
        ["s3", region] | [_, "s3", region] if !region.is_empty() => "s3",
        ["dynamodb", region] if !region.is_empty() => "dynamodb",
        _ => return None,
    };
    service_address(service)
}

/// The recorded ID, or — ASSUMPTION (§17.1 lists six Regions only) — for any other Region a stable one derived
/// from the list's name: `pl-` and the 8 hex digits of its 32-bit FNV-1a hash, the short form AWS's own IDs have.
fn id_of(region: &str, service: &str, name: &str) -> String {
    if let Some((_, _, id)) = KNOWN_IDS.iter().find(|(r, s, _)| *r == region && *s == service) {
        return id.to_string();
    }
    let hash = name.bytes().fold(0x811c_9dc5_u32, |hash, byte| (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193));
    format!("pl-{hash:08x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_regions_keep_aws_ids_and_others_get_a_stable_derived_one() {
        let east: Vec<(String, String)> = lists("us-east-1").into_iter().map(|l| (l.id, l.name)).collect();
        assert_eq!(
            east,
            vec![
                ("pl-02cd2c6b".to_string(), "com.amazonaws.us-east-1.dynamodb".to_string()),
                ("pl-63a5400a".to_string(), "com.amazonaws.us-east-1.s3".to_string()),
            ]
        );
        let far = lists("ap-southeast-2");
        assert_eq!(far, lists("ap-southeast-2"));
        assert!(far.iter().all(|l| l.id.len() == 11 && crate::ids::IdKind::PrefixList.check(&l.id).is_ok()));
        assert_ne!(far[0].id, far[1].id);
    }

    #[test]
    fn service_names_resolve_to_one_address_inside_their_list() {
        let s3 = resolve_service_name("s3.us-east-1.amazonaws.com").unwrap();
        assert_eq!(s3, std::net::Ipv4Addr::new(52, 216, 0, 10));
        assert!(is_service_address("us-east-1", s3.into()));
        assert_eq!(resolve_service_name("my-bucket.s3.eu-west-1.amazonaws.com"), Some(s3));
        assert_eq!(resolve_service_name("s3.amazonaws.com"), Some(s3));
        let ddb = resolve_service_name("dynamodb.us-west-2.amazonaws.com").unwrap();
        assert!(is_service_address("us-west-2", ddb.into()));
        assert_eq!(resolve_service_name("ec2.us-east-1.amazonaws.com"), None);
        assert_eq!(resolve_service_name("s3.example.com"), None);
    }

    #[test]
    fn service_addresses_are_the_lists_blocks() {
        assert!(is_service_address("us-east-1", "54.231.10.1".parse().unwrap()));
        assert!(is_service_address("eu-west-1", "52.119.230.7".parse().unwrap()));
        assert!(!is_service_address("us-east-1", "8.8.8.8".parse().unwrap()));
    }
}
