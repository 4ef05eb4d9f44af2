//! Instance types (spec part 2 §10.2): the table of common families, DescribeInstanceTypes,
//! DescribeInstanceTypeOfferings, and [`limits`], the per-type network limits RunInstances and
//! AssignPrivateIpAddresses enforce.
//!
//! The figures are AWS's: vCPUs and memory from the instance type pages, maximum network interfaces and IPv4
//! addresses per interface from the EC2 user guide's "Maximum IP addresses per network interface" table (the same
//! numbers `describe-instance-types` answers, recorded in moto's `instance_types.json`). Every type of the table is
//! offered in every Region and zone (part 2 §10.2 [I]).

pub mod table;

use crate::availability_zone::zones;
use crate::filter::Filterable;
use crate::{Ec2Error, Result};
use table::{Family, Size, FAMILIES};

/// One instance type of the table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InstanceType {
    /// Its family's traits.
    pub family: &'static Family,
    /// Its size's figures.
    pub size: &'static Size,
}

/// The network limits of an instance type (part 2 §10.2: the primary interface counts as one of
/// `max_network_interfaces`, the primary private address as one of `ipv4_per_interface`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `maximumNetworkInterfaces`.
    pub max_network_interfaces: u32,
    /// `ipv4AddressesPerInterface`.
    pub ipv4_per_interface: u32,
    /// `ipv6AddressesPerInterface`.
    pub ipv6_per_interface: u32,
}

impl InstanceType {
    /// `t3.micro`.
    pub fn name(&self) -> String {
        format!("{}.{}", self.family.name, self.size.name)
    }

    /// A `metal` size: no hypervisor.
    pub fn bare_metal(&self) -> bool {
        self.size.name == "metal"
    }

    /// `nitro`, `xen`, or none for bare metal.
    pub fn hypervisor(&self) -> Option<&'static str> {
        (!self.bare_metal()).then_some(if self.family.nitro { "nitro" } else { "xen" })
    }

    /// Threads per core: one on Graviton and on t2 (one vCPU per core), two on the Intel and AMD Nitro types.
    pub fn threads_per_core(&self) -> u32 {
        if self.family.architectures.contains(&"arm64") || !self.family.nitro {
            1
        } else {
            2
        }
    }

    /// The threads per core a launch may choose (CPU options): Intel and AMD Nitro types may turn
    /// hyper-threading off; t2 has no CPU options at all.
    pub fn valid_threads_per_core(&self) -> &'static [u32] {
        match self.threads_per_core() {
            2 => &[1, 2],
            _ if self.family.nitro => &[1],
            _ => &[],
        }
    }

    /// Physical cores by default.
    pub fn default_cores(&self) -> u32 {
        (self.size.vcpus / self.threads_per_core()).max(1)
    }

    /// AWS's Free Tier types.
    pub fn free_tier_eligible(&self) -> bool {
        matches!(self.name().as_str(), "t2.micro" | "t3.micro")
    }

    /// `supported`/`required`/`unsupported`.
    pub fn ena_support(&self) -> &'static str {
        if self.family.nitro {
            "required"
        } else {
            "unsupported"
        }
    }

    /// The boot modes the type supports.
    pub fn boot_modes(&self) -> &'static [&'static str] {
        if self.family.architectures.contains(&"arm64") {
            &["uefi"]
        } else if self.family.nitro {
            &["legacy-bios", "uefi"]
        } else {
            &["legacy-bios"]
        }
    }

    /// Placement strategies (burstable types cannot be placed in cluster groups).
    pub fn placement_strategies(&self) -> &'static [&'static str] {
        if self.family.burstable {
            &["partition", "spread"]
        } else {
            &["cluster", "partition", "spread"]
        }
    }

    /// The type's network limits.
    pub fn limits(&self) -> Limits {
        Limits {
            max_network_interfaces: self.size.max_enis,
            ipv4_per_interface: self.size.ipv4_per_eni,
            ipv6_per_interface: self.size.ipv4_per_eni,
        }
    }
}

/// Every type of the table, families in table order and sizes small to large.
pub fn all() -> impl Iterator<Item = InstanceType> {
    FAMILIES.iter().flat_map(|family| family.sizes.iter().map(move |size| InstanceType { family, size }))
}

/// The type named `name` (`t3.micro`).
pub fn find(name: &str) -> Option<InstanceType> {
    let (family_name, size_name) = name.split_once('.')?;
    let family = FAMILIES.iter().find(|family| family.name == family_name)?;
    let size = family.sizes.iter().find(|size| size.name == size_name)?;
    Some(InstanceType { family, size })
}

/// The network limits of `name`, for RunInstances and AssignPrivateIpAddresses to enforce; `None` for a type the
/// table does not know.
pub fn limits(name: &str) -> Option<Limits> {
    find(name).map(|instance_type| instance_type.limits())
}

impl Filterable for InstanceType {
    const FILTERS: &'static [&'static str] = &[
        "auto-recovery-supported",
        "bare-metal",
        "burstable-performance-supported",
        "current-generation",
        "dedicated-hosts-supported",
        "ebs-info.ebs-optimized-support",
        "ebs-info.encryption-support",
        "ebs-info.nvme-support",
        "free-tier-eligible",
        "hibernation-supported",
        "hypervisor",
        "instance-storage-supported",
        "instance-type",
        "memory-info.size-in-mib",
        "network-info.efa-supported",
        "network-info.ena-support",
        "network-info.encryption-in-transit-supported",
        "network-info.ipv4-addresses-per-interface",
        "network-info.ipv6-addresses-per-interface",
        "network-info.ipv6-supported",
        "network-info.maximum-network-cards",
        "network-info.maximum-network-interfaces",
        "network-info.network-performance",
        "nitro-enclaves-support",
        "nitro-tpm-support",
        "placement-group-info.supported-strategy",
        "processor-info.manufacturer",
        "processor-info.supported-architecture",
        "processor-info.sustained-clock-speed-in-ghz",
        "supported-boot-mode",
        "supported-root-device-type",
        "supported-usage-class",
        "supported-virtualization-type",
        "vcpu-info.default-cores",
        "vcpu-info.default-threads-per-core",
        "vcpu-info.default-vcpus",
        "vcpu-info.valid-cores",
        "vcpu-info.valid-threads-per-core",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let family = self.family;
        let size = self.size;
        let flag = |value: bool| value.to_string();
        match name {
            "auto-recovery-supported" | "current-generation" | "network-info.ipv6-supported" => out.push(flag(true)),
            "bare-metal" => out.push(flag(self.bare_metal())),
            "burstable-performance-supported" => out.push(flag(family.burstable)),
            "dedicated-hosts-supported" => out.push(flag(!family.burstable)),
            "ebs-info.ebs-optimized-support" => out.push(if family.nitro { "default" } else { "unsupported" }.into()),
            "ebs-info.encryption-support" => out.push("supported".into()),
            "ebs-info.nvme-support" => out.push(if family.nitro { "required" } else { "unsupported" }.into()),
            "free-tier-eligible" => out.push(flag(self.free_tier_eligible())),
            "hibernation-supported" => out.push(flag(family.hibernation)),
            "hypervisor" => out.extend(self.hypervisor().map(str::to_string)),
            "instance-storage-supported" | "network-info.efa-supported" => out.push(flag(false)),
            "instance-type" => out.push(self.name()),
            "memory-info.size-in-mib" => out.push(size.memory_mib.to_string()),
            "network-info.ena-support" => out.push(self.ena_support().into()),
            "network-info.encryption-in-transit-supported" => out.push(flag(family.nitro && !family.burstable)),
            "network-info.ipv4-addresses-per-interface" | "network-info.ipv6-addresses-per-interface" => {
                out.push(size.ipv4_per_eni.to_string())
            }
            "network-info.maximum-network-cards" => out.push("1".into()),
            "network-info.maximum-network-interfaces" => out.push(size.max_enis.to_string()),
            "network-info.network-performance" => out.push(size.network_performance.into()),
            "nitro-enclaves-support" => {
                out.push(if family.nitro && !family.burstable { "supported" } else { "unsupported" }.into())
            }
            "nitro-tpm-support" => out.push(if family.nitro { "supported" } else { "unsupported" }.into()),
            "placement-group-info.supported-strategy" => {
                out.extend(self.placement_strategies().iter().map(|strategy| strategy.to_string()))
            }
            "processor-info.manufacturer" => out.push(family.manufacturer.into()),
            "processor-info.supported-architecture" => {
                out.extend(family.architectures_of(size).iter().map(|arch| arch.to_string()))
            }
            "processor-info.sustained-clock-speed-in-ghz" => out.push(family.clock_ghz.to_string()),
            "supported-boot-mode" => out.extend(self.boot_modes().iter().map(|mode| mode.to_string())),
            "supported-root-device-type" => out.push("ebs".into()),
            "supported-usage-class" => out.extend(["on-demand".to_string(), "spot".to_string()]),
            "supported-virtualization-type" => out.push("hvm".into()),
            "vcpu-info.default-cores" => out.push(self.default_cores().to_string()),
            "vcpu-info.valid-cores" if family.nitro => out.push(self.default_cores().to_string()),
            "vcpu-info.default-threads-per-core" => out.push(self.threads_per_core().to_string()),
            "vcpu-info.valid-threads-per-core" => {
                out.extend(self.valid_threads_per_core().iter().map(|threads| threads.to_string()))
            }
            "vcpu-info.default-vcpus" => out.push(size.vcpus.to_string()),
            _ => {}
        }
    }
}

/// DescribeInstanceTypes: every named type must exist (else `InvalidInstanceType` naming the unknown ones), then
/// `keep` (the filters) applies; ordered by name.
pub fn describe(names: &[String], mut keep: impl FnMut(&InstanceType) -> bool) -> Result<Vec<InstanceType>> {
    let unknown: Vec<String> = names.iter().filter(|name| find(name).is_none()).cloned().collect();
    if !unknown.is_empty() {
        return Err(Ec2Error::InstanceTypeNotFound(unknown));
    }
    let mut found: Vec<InstanceType> =
        all().filter(|instance_type| names.is_empty() || names.contains(&instance_type.name())).collect();
    found.retain(|instance_type| keep(instance_type));
    found.sort_by_key(InstanceType::name);
    Ok(found)
}

/// `LocationType` of DescribeInstanceTypeOfferings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocationType {
    /// `region` (the default).
    Region,
    /// `availability-zone`.
    AvailabilityZone,
    /// `availability-zone-id`.
    AvailabilityZoneId,
}

impl LocationType {
    /// Parses `LocationType` (default `region`).
    pub fn parse(value: Option<&str>) -> Result<LocationType> {
        match value.unwrap_or("region") {
            "region" => Ok(LocationType::Region),
            "availability-zone" => Ok(LocationType::AvailabilityZone),
            "availability-zone-id" => Ok(LocationType::AvailabilityZoneId),
            other => Err(Ec2Error::UnknownEnumValue { parameter: "LocationType", value: other.to_string() }),
        }
    }

    /// The name AWS shows.
    pub fn name(self) -> &'static str {
        match self {
            LocationType::Region => "region",
            LocationType::AvailabilityZone => "availability-zone",
            LocationType::AvailabilityZoneId => "availability-zone-id",
        }
    }
}

/// One row of DescribeInstanceTypeOfferings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offering {
    /// The type.
    pub instance_type: String,
    /// How `location` names the place.
    pub location_type: LocationType,
    /// The Region, a zone name or a zone ID.
    pub location: String,
}

impl Filterable for Offering {
    const FILTERS: &'static [&'static str] = &["instance-type", "location"];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        match name {
            "instance-type" => out.push(self.instance_type.clone()),
            "location" => out.push(self.location.clone()),
            _ => {}
        }
    }
}

/// DescribeInstanceTypeOfferings: every type of the table at every place of `location_type` in `region`.
pub fn offerings(region: &str, location_type: LocationType) -> Vec<Offering> {
    let places: Vec<String> = match location_type {
        LocationType::Region => vec![region.to_string()],
        LocationType::AvailabilityZone => zones(region).into_iter().map(|zone| zone.name).collect(),
        LocationType::AvailabilityZoneId => zones(region).into_iter().map(|zone| zone.zone_id).collect(),
    };
    let mut names: Vec<String> = all().map(|instance_type| instance_type.name()).collect();
    names.sort();
    places
        .iter()
        .flat_map(|place| {
            names.iter().map(move |name| Offering {
                instance_type: name.clone(),
                location_type,
                location: place.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_follow_the_ec2_user_guide_table() {
        let limit = |name| limits(name).map(|l| (l.max_network_interfaces, l.ipv4_per_interface));
        assert_eq!(limit("t2.micro"), Some((2, 2)));
        assert_eq!(limit("t3a.small"), Some((2, 4)));
        assert_eq!(limit("t3.small"), Some((3, 4)));
        assert_eq!(limit("t2.xlarge"), Some((3, 15)));
        assert_eq!(limit("t3.xlarge"), Some((4, 15)));
        assert_eq!(limit("m5.large"), Some((3, 10)));
        assert_eq!(limit("c5.9xlarge"), Some((8, 30)));
        assert_eq!(limit("m6i.32xlarge"), Some((15, 50)));
        assert_eq!(limit("m7g.medium"), Some((2, 4)));
        assert_eq!(limit("t9.micro"), None);
    }

    #[test]
    fn traits_per_family() {
        let t4g = find("t4g.micro").unwrap();
        assert_eq!(t4g.family.architectures, &["arm64"]);
        assert_eq!(t4g.hypervisor(), Some("nitro"));
        let t2 = find("t2.nano").unwrap();
        assert_eq!(t2.ena_support(), "unsupported");
        assert_eq!(t2.family.architectures_of(t2.size), &["i386", "x86_64"]);
        assert_eq!(find("t2.large").unwrap().family.architectures_of(find("t2.large").unwrap().size), &["x86_64"]);
        let metal = find("c5.metal").unwrap();
        assert!(metal.bare_metal());
        assert_eq!(metal.hypervisor(), None);
        assert_eq!(find("c7g.medium").unwrap().size.memory_mib, 2048);
        assert_eq!(find("r6i.large").unwrap().size.memory_mib, 16384);
    }

    #[test]
    fn unknown_types_are_named_and_offerings_cover_every_zone() {
        let err = describe(&["t3.micro".into(), "t9.micro".into()], |_| true).unwrap_err();
        assert_eq!(err.to_string(), "The following supplied instance types do not exist: [t9.micro]");
        let per_zone = offerings("us-east-1", LocationType::AvailabilityZone);
        assert_eq!(per_zone.len(), all().count() * 6);
        assert!(offerings("us-east-1", LocationType::AvailabilityZoneId).iter().any(|o| o.location == "use1-az6"));
    }
}
