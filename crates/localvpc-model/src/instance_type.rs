//! Instance types (spec part 2 §10.2): the table of AWS's types, DescribeInstanceTypes,
//! DescribeInstanceTypeOfferings, and [`limits`], the per-type network limits RunInstances and
//! AssignPrivateIpAddresses enforce.
//!
//! Every figure is AWS's own DescribeInstanceTypes answer (`instance_type/table.rs`): vCPUs, cores and threads,
//! memory, network performance, interface and address limits, instance store, GPUs, bare metal. Every type of the
//! table is offered in every Region and zone (part 2 §10.2 [I]).

pub mod table;

use crate::availability_zone::zones;
use crate::filter::Filterable;
use crate::{Ec2Error, Result};
pub use table::InstanceType;

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
    pub fn name(&self) -> &str {
        &self.instance_type
    }

    /// The type's network limits.
    pub fn limits(&self) -> Limits {
        let network = &self.network_info;
        Limits {
            max_network_interfaces: network.maximum_network_interfaces,
            ipv4_per_interface: network.ipv4_addresses_per_interface,
            ipv6_per_interface: network.ipv6_addresses_per_interface,
        }
    }
}

/// Every type of the table, in name order.
pub fn all() -> impl Iterator<Item = &'static InstanceType> {
    table::rows().iter()
}

/// The type named `name` (`t3.micro`).
pub fn find(name: &str) -> Option<&'static InstanceType> {
    let rows = table::rows();
    rows.binary_search_by(|row| row.instance_type.as_str().cmp(name)).ok().map(|index| &rows[index])
}

/// The network limits of `name`, for RunInstances and AssignPrivateIpAddresses to enforce; `None` for a type the
/// table does not know.
pub fn limits(name: &str) -> Option<Limits> {
    find(name).map(InstanceType::limits)
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
        "instance-storage-info.disk.count",
        "instance-storage-info.disk.size-in-gb",
        "instance-storage-info.disk.type",
        "instance-storage-info.encryption-support",
        "instance-storage-info.nvme-support",
        "instance-storage-info.total-size-in-gb",
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
        let network = &self.network_info;
        let vcpu = &self.vcpu_info;
        let storage = self.instance_storage_info.as_ref();
        let disks = storage.into_iter().flat_map(|storage| storage.disks.iter());
        let all = |values: &[String]| values.to_vec();
        let numbers = |values: &[u32]| values.iter().map(u32::to_string).collect::<Vec<_>>();
        match name {
            "auto-recovery-supported" => out.push(self.auto_recovery_supported.to_string()),
            "bare-metal" => out.push(self.bare_metal.to_string()),
            "burstable-performance-supported" => out.push(self.burstable_performance_supported.to_string()),
            "current-generation" => out.push(self.current_generation.to_string()),
            "dedicated-hosts-supported" => out.push(self.dedicated_hosts_supported.to_string()),
            "ebs-info.ebs-optimized-support" => out.push(self.ebs_info.ebs_optimized_support.clone()),
            "ebs-info.encryption-support" => out.push(self.ebs_info.encryption_support.clone()),
            "ebs-info.nvme-support" => out.push(self.ebs_info.nvme_support.clone()),
            "free-tier-eligible" => out.push(self.free_tier_eligible.to_string()),
            "hibernation-supported" => out.push(self.hibernation_supported.to_string()),
            "hypervisor" => out.extend(self.hypervisor.clone()),
            "instance-storage-info.disk.count" => out.extend(disks.map(|disk| disk.count.to_string())),
            "instance-storage-info.disk.size-in-gb" => out.extend(disks.map(|disk| disk.size_in_gb.to_string())),
            "instance-storage-info.disk.type" => out.extend(disks.map(|disk| disk.kind.clone())),
            "instance-storage-info.encryption-support" => {
                out.extend(storage.map(|storage| storage.encryption_support.clone()))
            }
            "instance-storage-info.nvme-support" => out.extend(storage.map(|storage| storage.nvme_support.clone())),
            "instance-storage-info.total-size-in-gb" => {
                out.extend(storage.map(|storage| storage.total_size_in_gb.to_string()))
            }
            "instance-storage-supported" => out.push(self.instance_storage_supported.to_string()),
            "instance-type" => out.push(self.instance_type.clone()),
            "memory-info.size-in-mib" => out.push(self.memory_info.size_in_mib.to_string()),
            "network-info.efa-supported" => out.push(network.efa_supported.to_string()),
            "network-info.ena-support" => out.push(network.ena_support.clone()),
            "network-info.encryption-in-transit-supported" => {
                out.push(network.encryption_in_transit_supported.to_string())
            }
            "network-info.ipv4-addresses-per-interface" => out.push(network.ipv4_addresses_per_interface.to_string()),
            "network-info.ipv6-addresses-per-interface" => out.push(network.ipv6_addresses_per_interface.to_string()),
            "network-info.ipv6-supported" => out.push(network.ipv6_supported.to_string()),
            "network-info.maximum-network-cards" => out.push(network.maximum_network_cards.to_string()),
            "network-info.maximum-network-interfaces" => out.push(network.maximum_network_interfaces.to_string()),
            "network-info.network-performance" => out.push(network.network_performance.clone()),
            "nitro-enclaves-support" => out.push(self.nitro_enclaves_support.clone()),
            "nitro-tpm-support" => out.push(self.nitro_tpm_support.clone()),
            "placement-group-info.supported-strategy" => {
                out.extend(all(&self.placement_group_info.supported_strategies))
            }
            "processor-info.manufacturer" => out.push(self.processor_info.manufacturer.clone()),
            "processor-info.supported-architecture" => out.extend(all(&self.processor_info.supported_architectures)),
            "processor-info.sustained-clock-speed-in-ghz" => {
                out.extend(self.processor_info.sustained_clock_speed_in_ghz.map(|ghz| ghz.to_string()))
            }
            "supported-boot-mode" => out.extend(all(&self.supported_boot_modes)),
            "supported-root-device-type" => out.extend(all(&self.supported_root_device_types)),
            "supported-usage-class" => out.extend(all(&self.supported_usage_classes)),
            "supported-virtualization-type" => out.extend(all(&self.supported_virtualization_types)),
            "vcpu-info.default-cores" => out.push(vcpu.default_cores.to_string()),
            "vcpu-info.default-threads-per-core" => out.push(vcpu.default_threads_per_core.to_string()),
            "vcpu-info.default-vcpus" => out.push(vcpu.default_v_cpus.to_string()),
            "vcpu-info.valid-cores" => out.extend(numbers(&vcpu.valid_cores)),
            "vcpu-info.valid-threads-per-core" => out.extend(numbers(&vcpu.valid_threads_per_core)),
            _ => {}
        }
    }
}

/// DescribeInstanceTypes: every named type must exist (else `InvalidInstanceType` naming the unknown ones), then
/// `keep` (the filters) applies; ordered by name.
pub fn describe(names: &[String], mut keep: impl FnMut(&InstanceType) -> bool) -> Result<Vec<&'static InstanceType>> {
    let unknown: Vec<String> = names.iter().filter(|name| find(name).is_none()).cloned().collect();
    if !unknown.is_empty() {
        return Err(Ec2Error::InstanceTypeNotFound(unknown));
    }
    Ok(all()
        .filter(|instance_type| names.is_empty() || names.iter().any(|name| name == instance_type.name()))
        .filter(|instance_type| keep(instance_type))
        .collect())
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
    places
        .iter()
        .flat_map(|place| {
            all().map(move |instance_type| Offering {
                instance_type: instance_type.name().to_string(),
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
    fn limits_follow_aws_answer() {
        let limit = |name| limits(name).map(|l| (l.max_network_interfaces, l.ipv4_per_interface, l.ipv6_per_interface));
        assert_eq!(limit("t2.micro"), Some((2, 2, 2)));
        assert_eq!(limit("t3a.small"), Some((2, 4, 4)));
        assert_eq!(limit("t3.small"), Some((3, 4, 4)));
        assert_eq!(limit("t2.xlarge"), Some((3, 15, 15)));
        assert_eq!(limit("m5.large"), Some((3, 10, 10)));
        assert_eq!(limit("c5.9xlarge"), Some((8, 30, 30)));
        assert_eq!(limit("m6i.32xlarge"), Some((15, 50, 50)));
        assert_eq!(limit("m7g.medium"), Some((2, 4, 4)));
        assert_eq!(limit("t1.micro"), Some((2, 2, 0)), "previous generation: no IPv6");
        assert_eq!(limit("t9.micro"), None);
    }

    #[test]
    fn the_table_is_sorted_and_holds_what_aws_answers() {
        let names: Vec<&str> = all().map(InstanceType::name).collect();
        assert!(names.len() > 1000, "{}", names.len());
        assert!(names.windows(2).all(|pair| pair[0] < pair[1]), "sorted and unique, so find can bisect");
        let t1 = find("t1.micro").unwrap();
        assert_eq!(
            (t1.memory_info.size_in_mib, t1.current_generation, t1.network_info.ena_support.as_str()),
            (627, false, "unsupported")
        );
        let t4g = find("t4g.micro").unwrap();
        assert_eq!(
            (t4g.processor_info.supported_architectures.as_slice(), t4g.hypervisor.as_deref()),
            (&["arm64".to_string()][..], Some("nitro"))
        );
        let metal = find("a1.metal").unwrap();
        assert!(metal.bare_metal && metal.hypervisor.is_none());
        let gpus = &find("g4dn.8xlarge").unwrap().gpu_info.as_ref().unwrap().gpus;
        assert_eq!((gpus[0].name.as_str(), gpus[0].count, gpus[0].memory_info.size_in_mib), ("T4", 1, 16384));
        assert_eq!(find("r6i.large").unwrap().memory_info.size_in_mib, 16384);
        let c5 = find("c5.xlarge").unwrap();
        assert_eq!(
            (c5.vcpu_info.default_v_cpus, c5.vcpu_info.default_cores, c5.vcpu_info.valid_cores.as_slice()),
            (4, 2, &[2][..])
        );
    }

    #[test]
    fn filters_read_the_table() {
        let values = |name: &str, filter: &str| {
            let mut out = Vec::new();
            find(name).unwrap().filter_values(filter, &mut out);
            out
        };
        assert_eq!(values("m5d.xlarge", "instance-storage-info.disk.type"), ["ssd"]);
        assert_eq!(values("m5.xlarge", "instance-storage-info.disk.type"), Vec::<String>::new());
        assert_eq!(values("t3.micro", "vcpu-info.valid-threads-per-core"), ["1", "2"]);
        assert_eq!(values("t2.nano", "processor-info.supported-architecture"), ["i386", "x86_64"]);
        let ena: std::collections::BTreeSet<String> = all()
            .flat_map(|t| {
                let mut out = Vec::new();
                t.filter_values("network-info.ena-support", &mut out);
                out
            })
            .collect();
        assert_eq!(ena.into_iter().collect::<Vec<_>>(), ["required", "supported", "unsupported"]);
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
