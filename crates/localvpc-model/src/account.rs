//! Account-level answers: DescribeAccountAttributes, and the ClassicLink actions of a platform without
//! EC2-Classic.
//!
//! EC2-Classic was retired in 2023; accounts created since 2013 never had it, and AWS answers their ClassicLink
//! calls with `UnsupportedOperation` (see [`classic_link`]). An account's attributes describe that VPC-only platform.

use crate::world::RegionState;
use crate::{Ec2Error, Result};

/// One attribute of DescribeAccountAttributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountAttribute {
    /// `supported-platforms`, `default-vpc`, …
    pub name: &'static str,
    /// Its values.
    pub values: Vec<String>,
}

/// The attribute names, in the order AWS lists them when none is asked for (the EC2 API reference's example).
pub const NAMES: &[&str] = &[
    "supported-platforms",
    "vpc-max-security-groups-per-interface",
    "max-elastic-ips",
    "max-instances",
    "vpc-max-elastic-ips",
    "default-vpc",
];

/// DescribeAccountAttributes: the asked attributes (every one when `names` is empty), in AWS's order. An unknown
/// name is `InvalidParameterValue`.
// ASSUMPTION (text [I]): the refusal of an unknown name uses AWS's usual "Value (x) for parameter y is invalid."
pub fn describe(region: &RegionState, names: &[String]) -> Result<Vec<AccountAttribute>> {
    if let Some(unknown) = names.iter().find(|name| !NAMES.contains(&name.as_str())) {
        return Err(Ec2Error::UnknownEnumValue { parameter: "attributeName", value: unknown.clone() });
    }
    let default_vpc = region.vpcs.values().find(|vpc| vpc.is_default).map_or("none".to_string(), |vpc| vpc.id.clone());
    Ok(NAMES
        .iter()
        .filter(|name| names.is_empty() || names.iter().any(|asked| asked == *name))
        .map(|&name| {
            let values = match name {
                // A VPC-only platform: EC2-Classic is retired.
                "supported-platforms" => vec!["VPC".to_string()],
                // Spec §5: five groups per interface, five Elastic IPs; AWS's long-standing 20 On-Demand instances.
                "vpc-max-security-groups-per-interface" => vec!["5".to_string()],
                "max-elastic-ips" | "vpc-max-elastic-ips" => vec!["5".to_string()],
                "max-instances" => vec!["20".to_string()],
                _ => vec![default_vpc.clone()],
            };
            AccountAttribute { name, values }
        })
        .collect())
}

/// Every ClassicLink action (Enable/Disable/DescribeVpcClassicLink, …DnsSupport, Attach/DetachClassicLinkVpc,
/// DescribeClassicLinkInstances): EC2-Classic does not exist, so neither does ClassicLink.
pub fn classic_link() -> Result<()> {
    Err(Ec2Error::ClassicLinkUnsupported)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vpc::ensure_initialized;
    use crate::world::{Scope, Timestamp, Tx, World};

    #[test]
    fn default_vpc_is_the_regions_or_none() {
        let scope = Scope::new("123456789012", "us-east-1");
        let mut world = World::default();
        assert_eq!(describe(world.region(&scope), &["default-vpc".into()]).unwrap()[0].values, vec!["none"]);
        let mut tx = Tx::new(&mut world, Timestamp(0));
        ensure_initialized(&mut tx, &scope);
        let all = describe(tx.region(&scope), &[]).unwrap();
        assert_eq!(all.iter().map(|a| a.name).collect::<Vec<_>>(), NAMES);
        assert!(all[5].values[0].starts_with("vpc-"));
        assert_eq!(all[0].values, vec!["VPC"]);
        assert_eq!(describe(tx.region(&scope), &["bogus".into()]).unwrap_err().code(), "InvalidParameterValue");
    }
}
