//! The instance type table: AWS's own DescribeInstanceTypes answer for us-east-1, one type per line of
//! `types.jsonl`, with the members localvpc renders under AWS's names (botocore's `InstanceTypeInfo`).
//!
//! The file is written by `scripts/instance-types.py` from `aws ec2 describe-instance-types` output (the copy in
//! the tree comes from the recording moto 5.2.5 ships as `moto/ec2/resources/instance_types.json`). No figure is
//! written by hand: a type AWS did not answer is not in the table. It is parsed once, on first use.

use std::sync::LazyLock;

use serde::Deserialize;

/// The table, in name order.
static TABLE: LazyLock<Vec<InstanceType>> = LazyLock::new(|| {
    include_str!("types.jsonl")
        .lines()
        .map(|line| serde_json::from_str(line).expect("types.jsonl holds one InstanceTypeInfo per line"))
        .collect()
});

/// Every type of the table, in name order.
pub fn rows() -> &'static [InstanceType] {
    &TABLE
}

/// One instance type as AWS describes it (`InstanceTypeInfo`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceType {
    /// `t3.micro`.
    pub instance_type: String,
    /// `currentGeneration`.
    pub current_generation: bool,
    /// `freeTierEligible`.
    pub free_tier_eligible: bool,
    /// `supportedUsageClasses`.
    pub supported_usage_classes: Vec<String>,
    /// `supportedRootDeviceTypes`.
    pub supported_root_device_types: Vec<String>,
    /// `supportedVirtualizationTypes`.
    pub supported_virtualization_types: Vec<String>,
    /// `bareMetal`.
    pub bare_metal: bool,
    /// `nitro` or `xen`; none for bare metal.
    #[serde(default)]
    pub hypervisor: Option<String>,
    /// `processorInfo`.
    pub processor_info: ProcessorInfo,
    /// `vCpuInfo`.
    #[serde(rename = "VCpuInfo")]
    pub vcpu_info: VCpuInfo,
    /// `memoryInfo`.
    pub memory_info: MemoryInfo,
    /// `instanceStorageSupported`.
    pub instance_storage_supported: bool,
    /// `instanceStorageInfo`, for the types with instance store volumes.
    #[serde(default)]
    pub instance_storage_info: Option<InstanceStorageInfo>,
    /// `ebsInfo`.
    pub ebs_info: EbsInfo,
    /// `networkInfo`.
    pub network_info: NetworkInfo,
    /// `gpuInfo`, for the GPU types.
    #[serde(default)]
    pub gpu_info: Option<GpuInfo>,
    /// `placementGroupInfo`.
    pub placement_group_info: PlacementGroupInfo,
    /// `hibernationSupported`.
    pub hibernation_supported: bool,
    /// `burstablePerformanceSupported`.
    pub burstable_performance_supported: bool,
    /// `dedicatedHostsSupported`.
    pub dedicated_hosts_supported: bool,
    /// `autoRecoverySupported`.
    pub auto_recovery_supported: bool,
    /// `supportedBootModes`.
    pub supported_boot_modes: Vec<String>,
    /// `nitroEnclavesSupport`.
    pub nitro_enclaves_support: String,
    /// `nitroTpmSupport`.
    pub nitro_tpm_support: String,
}

/// `processorInfo`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProcessorInfo {
    /// `supportedArchitectures`.
    pub supported_architectures: Vec<String>,
    /// `sustainedClockSpeedInGhz` (AWS gives none for a few types).
    #[serde(default)]
    pub sustained_clock_speed_in_ghz: Option<f64>,
    /// `manufacturer`.
    pub manufacturer: String,
}

/// `vCpuInfo`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VCpuInfo {
    /// `defaultVCpus`.
    pub default_v_cpus: u32,
    /// `defaultCores`.
    pub default_cores: u32,
    /// `defaultThreadsPerCore`.
    pub default_threads_per_core: u32,
    /// `validCores`: the core counts CPU options may choose (none where CPU options do not apply).
    #[serde(default)]
    pub valid_cores: Vec<u32>,
    /// `validThreadsPerCore`.
    #[serde(default)]
    pub valid_threads_per_core: Vec<u32>,
}

/// `memoryInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MemoryInfo {
    /// `sizeInMiB`.
    #[serde(rename = "SizeInMiB")]
    pub size_in_mib: u64,
}

/// `instanceStorageInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceStorageInfo {
    /// `totalSizeInGB`.
    #[serde(rename = "TotalSizeInGB")]
    pub total_size_in_gb: u64,
    /// `disks`.
    pub disks: Vec<Disk>,
    /// `nvmeSupport`.
    pub nvme_support: String,
    /// `encryptionSupport`.
    pub encryption_support: String,
}

/// One kind of instance store disk.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Disk {
    /// `sizeInGB`.
    #[serde(rename = "SizeInGB")]
    pub size_in_gb: u64,
    /// `count`.
    pub count: u32,
    /// `ssd` or `hdd`.
    #[serde(rename = "Type")]
    pub kind: String,
}

/// `ebsInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EbsInfo {
    /// `ebsOptimizedSupport`.
    pub ebs_optimized_support: String,
    /// `encryptionSupport`.
    pub encryption_support: String,
    /// `nvmeSupport`.
    pub nvme_support: String,
}

/// `networkInfo`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkInfo {
    /// `networkPerformance`.
    pub network_performance: String,
    /// `maximumNetworkInterfaces`: the primary interface counts as one.
    pub maximum_network_interfaces: u32,
    /// `maximumNetworkCards`.
    pub maximum_network_cards: u32,
    /// `defaultNetworkCardIndex`.
    pub default_network_card_index: u32,
    /// `networkCards`.
    pub network_cards: Vec<NetworkCard>,
    /// `ipv4AddressesPerInterface`: the primary private address counts as one.
    pub ipv4_addresses_per_interface: u32,
    /// `ipv6AddressesPerInterface`.
    pub ipv6_addresses_per_interface: u32,
    /// `ipv6Supported`.
    pub ipv6_supported: bool,
    /// `unsupported`, `supported` or `required`.
    pub ena_support: String,
    /// `efaSupported`.
    pub efa_supported: bool,
    /// `encryptionInTransitSupported`.
    pub encryption_in_transit_supported: bool,
}

/// One network card.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkCard {
    /// `networkCardIndex`.
    pub network_card_index: u32,
    /// `networkPerformance`.
    pub network_performance: String,
    /// `maximumNetworkInterfaces`.
    pub maximum_network_interfaces: u32,
    /// `baselineBandwidthInGbps`.
    #[serde(default)]
    pub baseline_bandwidth_in_gbps: Option<f64>,
    /// `peakBandwidthInGbps`.
    #[serde(default)]
    pub peak_bandwidth_in_gbps: Option<f64>,
}

/// `gpuInfo`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GpuInfo {
    /// `gpus`.
    pub gpus: Vec<Gpu>,
    /// `totalGpuMemoryInMiB`.
    #[serde(rename = "TotalGpuMemoryInMiB")]
    pub total_gpu_memory_in_mib: u64,
}

/// One kind of GPU of a type.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Gpu {
    /// `name` (`T4`, `V100`, …).
    pub name: String,
    /// `manufacturer`.
    pub manufacturer: String,
    /// `count`.
    pub count: u32,
    /// `logicalGpuCount`.
    #[serde(default)]
    pub logical_gpu_count: Option<u32>,
    /// `gpuPartitionSize`.
    #[serde(default)]
    pub gpu_partition_size: Option<f64>,
    /// `workloads`.
    #[serde(default)]
    pub workloads: Vec<String>,
    /// `memoryInfo`.
    pub memory_info: MemoryInfo,
}

/// `placementGroupInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PlacementGroupInfo {
    /// `supportedStrategies`.
    pub supported_strategies: Vec<String>,
}
