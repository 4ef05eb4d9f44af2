//! Regions and availability zones (spec §2.1): fixed tables, no state.
//!
//! AWS shuffles zone-name → zone-id per account; a fixed table (moto's) is fine for an emulator and keeps answers
//! stable. Regions missing from the zone table get three zones `a`–`c` with IDs derived from the region name.

use crate::filter::Filterable;

/// A region as DescribeRegions lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// e.g. `us-east-1`.
    pub name: &'static str,
    /// `opt-in-not-required` or `not-opted-in`.
    pub opt_in_status: &'static str,
}

impl Region {
    /// `ec2.<region>.amazonaws.com`.
    pub fn endpoint(&self) -> String {
        format!("ec2.{}.amazonaws.com", self.name)
    }
}

/// The commercial regions localvpc lists. Opt-in regions show only with `AllRegions=true`, as on a new account.
pub const REGIONS: &[Region] = &[
    Region { name: "af-south-1", opt_in_status: "not-opted-in" },
    Region { name: "ap-east-1", opt_in_status: "not-opted-in" },
    Region { name: "ap-northeast-1", opt_in_status: "opt-in-not-required" },
    Region { name: "ap-northeast-2", opt_in_status: "opt-in-not-required" },
    Region { name: "ap-northeast-3", opt_in_status: "opt-in-not-required" },
    Region { name: "ap-south-1", opt_in_status: "opt-in-not-required" },
    Region { name: "ap-southeast-1", opt_in_status: "opt-in-not-required" },
    Region { name: "ap-southeast-2", opt_in_status: "opt-in-not-required" },
    Region { name: "ca-central-1", opt_in_status: "opt-in-not-required" },
    Region { name: "eu-central-1", opt_in_status: "opt-in-not-required" },
    Region { name: "eu-north-1", opt_in_status: "opt-in-not-required" },
    Region { name: "eu-south-1", opt_in_status: "not-opted-in" },
    Region { name: "eu-west-1", opt_in_status: "opt-in-not-required" },
    Region { name: "eu-west-2", opt_in_status: "opt-in-not-required" },
    Region { name: "eu-west-3", opt_in_status: "opt-in-not-required" },
    Region { name: "me-south-1", opt_in_status: "not-opted-in" },
    Region { name: "sa-east-1", opt_in_status: "opt-in-not-required" },
    Region { name: "us-east-1", opt_in_status: "opt-in-not-required" },
    Region { name: "us-east-2", opt_in_status: "opt-in-not-required" },
    Region { name: "us-west-1", opt_in_status: "opt-in-not-required" },
    Region { name: "us-west-2", opt_in_status: "opt-in-not-required" },
];

impl Filterable for Region {
    const FILTERS: &'static [&'static str] = &["endpoint", "opt-in-status", "region-name"];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        match name {
            "endpoint" => out.push(self.endpoint()),
            "opt-in-status" => out.push(self.opt_in_status.into()),
            "region-name" => out.push(self.name.into()),
            _ => {}
        }
    }
}

/// One availability zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailabilityZone {
    /// e.g. `us-east-1a`.
    pub name: String,
    /// e.g. `use1-az6`.
    pub zone_id: String,
    /// The region.
    pub region: String,
}

impl AvailabilityZone {
    /// The zone group: `us-east-1-zg-1` (AWS's DescribeAvailabilityZones reference: "Availability Zones -
    /// us-east-1-zg-1"; every Availability Zone of a Region is in its one group).
    pub fn group_name(&self) -> String {
        format!("{}-zg-1", self.region)
    }

    /// The zone group's long name: the Region's name and the group's number, `US East (N. Virginia) 1` (the
    /// `group-long-name` filter's documented example: "US West (Oregon) 1").
    pub fn group_long_name(&self) -> String {
        format!("{} 1", region_long_name(&self.region))
    }
}

/// A Region's name as AWS writes it (`us-east-1` → `US East (N. Virginia)`).
// ASSUMPTION: a Region outside this table (localvpc serves any well-formed name) is named by its code.
pub fn region_long_name(region: &str) -> &str {
    match region {
        "af-south-1" => "Africa (Cape Town)",
        "ap-east-1" => "Asia Pacific (Hong Kong)",
        "ap-northeast-1" => "Asia Pacific (Tokyo)",
        "ap-northeast-2" => "Asia Pacific (Seoul)",
        "ap-northeast-3" => "Asia Pacific (Osaka)",
        "ap-south-1" => "Asia Pacific (Mumbai)",
        "ap-southeast-1" => "Asia Pacific (Singapore)",
        "ap-southeast-2" => "Asia Pacific (Sydney)",
        "ca-central-1" => "Canada (Central)",
        "eu-central-1" => "Europe (Frankfurt)",
        "eu-north-1" => "Europe (Stockholm)",
        "eu-south-1" => "Europe (Milan)",
        "eu-west-1" => "Europe (Ireland)",
        "eu-west-2" => "Europe (London)",
        "eu-west-3" => "Europe (Paris)",
        "me-south-1" => "Middle East (Bahrain)",
        "sa-east-1" => "South America (São Paulo)",
        "us-east-1" => "US East (N. Virginia)",
        "us-east-2" => "US East (Ohio)",
        "us-west-1" => "US West (N. California)",
        "us-west-2" => "US West (Oregon)",
        "us-gov-east-1" => "AWS GovCloud (US-East)",
        "us-gov-west-1" => "AWS GovCloud (US-West)",
        other => other,
    }
}

impl Filterable for AvailabilityZone {
    const FILTERS: &'static [&'static str] = &[
        "group-name",
        "message",
        "opt-in-status",
        "region-name",
        "state",
        "zone-id",
        "zone-name",
        "zone-type",
        "group-long-name",
        "network-border-group",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        match name {
            "group-name" => out.push(self.group_name()),
            "group-long-name" => out.push(self.group_long_name()),
            "network-border-group" | "region-name" => out.push(self.region.clone()),
            "opt-in-status" => out.push("opt-in-not-required".into()),
            "state" => out.push("available".into()),
            "zone-id" => out.push(self.zone_id.clone()),
            "zone-name" => out.push(self.name.clone()),
            "zone-type" => out.push("availability-zone".into()),
            _ => {}
        }
    }
}

/// Spec §2.1: the fixed zone-name → zone-id tables.
const ZONE_TABLE: &[(&str, &[(char, &str)])] = &[
    (
        "us-east-1",
        &[
            ('a', "use1-az6"),
            ('b', "use1-az1"),
            ('c', "use1-az2"),
            ('d', "use1-az4"),
            ('e', "use1-az3"),
            ('f', "use1-az5"),
        ],
    ),
    ("us-west-2", &[('a', "usw2-az2"), ('b', "usw2-az1"), ('c', "usw2-az3"), ('d', "usw2-az4")]),
    ("eu-west-1", &[('a', "euw1-az3"), ('b', "euw1-az1"), ('c', "euw1-az2")]),
    ("ap-northeast-2", &[('a', "apne2-az1"), ('b', "apne2-az2"), ('c', "apne2-az3"), ('d', "apne2-az4")]),
];

/// The zones of `region`, in name order.
pub fn zones(region: &str) -> Vec<AvailabilityZone> {
    if let Some((_, table)) = ZONE_TABLE.iter().find(|(name, _)| *name == region) {
        return table
            .iter()
            .map(|(letter, id)| AvailabilityZone {
                name: format!("{region}{letter}"),
                zone_id: (*id).into(),
                region: region.into(),
            })
            .collect();
    }
    let short = short_region_code(region);
    ['a', 'b', 'c']
        .iter()
        .enumerate()
        .map(|(index, letter)| AvailabilityZone {
            name: format!("{region}{letter}"),
            zone_id: format!("{short}-az{}", index + 1),
            region: region.into(),
        })
        .collect()
}

/// `eu-central-1` → `euc1`, `ap-southeast-2` → `apse2`: AWS's zone-ID prefix convention.
fn short_region_code(region: &str) -> String {
    let parts: Vec<&str> = region.split('-').collect();
    let mut code = String::new();
    if let Some(first) = parts.first() {
        code.push_str(first);
    }
    for part in parts.iter().skip(1) {
        let abbreviation = match *part {
            "northeast" => "ne",
            "northwest" => "nw",
            "southeast" => "se",
            "southwest" => "sw",
            "north" => "n",
            "south" => "s",
            "east" => "e",
            "west" => "w",
            "central" => "c",
            // GovCloud: `us-gov-west-1` → `usgw1` (zone IDs `usgw1-az1`…, `usge1-az1`… in us-gov-east-1).
            "gov" => "g",
            other => other,
        };
        code.push_str(abbreviation);
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_and_derived_zone_tables() {
        let east = zones("us-east-1");
        assert_eq!(east.len(), 6);
        assert_eq!((east[0].name.as_str(), east[0].zone_id.as_str()), ("us-east-1a", "use1-az6"));
        assert_eq!(zones("ap-northeast-2")[3].zone_id, "apne2-az4");
        assert_eq!(zones("eu-central-1")[1].zone_id, "euc1-az2");
        assert_eq!(zones("ap-southeast-2")[0].zone_id, "apse2-az1");
        assert_eq!(zones("us-gov-west-1")[0].zone_id, "usgw1-az1");
        assert_eq!(zones("us-gov-east-1")[2].zone_id, "usge1-az3");
    }
}
