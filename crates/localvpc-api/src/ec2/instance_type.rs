//! DescribeInstanceTypes and DescribeInstanceTypeOfferings over the model's table (spec part 2 §10.2).

use std::sync::Arc;

use localvpc_model::filter::{matches, paginate, validate};
use localvpc_model::instance_type::{self, InstanceType, LocationType, Offering};
use localvpc_model::{Ec2Error, Table, World};

use super::Ctx;
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

/// `<tag><item>n</item>…</tag>`, left out when empty (AWS omits the member rather than answer an empty list).
fn numbers(x: &mut Xml, tag: &str, values: &[u32]) {
    if !values.is_empty() {
        x.list(tag, values, |x, value| {
            x.content(&value.to_string());
        });
    }
}

/// One `<instanceTypeSet><item>` (botocore's `InstanceTypeInfo`), member by member from the table.
fn render_instance_type(x: &mut Xml, instance_type: &InstanceType) {
    let processor = &instance_type.processor_info;
    let vcpu = &instance_type.vcpu_info;
    let network = &instance_type.network_info;
    let ebs = &instance_type.ebs_info;
    x.text("instanceType", instance_type.name())
        .value("currentGeneration", instance_type.current_generation)
        .value("freeTierEligible", instance_type.free_tier_eligible)
        .string_list("supportedUsageClasses", &instance_type.supported_usage_classes)
        .string_list("supportedRootDeviceTypes", &instance_type.supported_root_device_types)
        .string_list("supportedVirtualizationTypes", &instance_type.supported_virtualization_types)
        .value("bareMetal", instance_type.bare_metal)
        .optional("hypervisor", instance_type.hypervisor.as_deref())
        .nested("processorInfo", |x| {
            x.string_list("supportedArchitectures", &processor.supported_architectures);
            if let Some(ghz) = processor.sustained_clock_speed_in_ghz {
                x.value("sustainedClockSpeedInGhz", ghz);
            }
            x.text("manufacturer", &processor.manufacturer);
        })
        .nested("vCpuInfo", |x| {
            x.value("defaultVCpus", vcpu.default_v_cpus)
                .value("defaultCores", vcpu.default_cores)
                .value("defaultThreadsPerCore", vcpu.default_threads_per_core);
            numbers(x, "validCores", &vcpu.valid_cores);
            numbers(x, "validThreadsPerCore", &vcpu.valid_threads_per_core);
        })
        .nested("memoryInfo", |x| {
            x.value("sizeInMiB", instance_type.memory_info.size_in_mib);
        })
        .value("instanceStorageSupported", instance_type.instance_storage_supported);
    if let Some(storage) = &instance_type.instance_storage_info {
        x.nested("instanceStorageInfo", |x| {
            x.value("totalSizeInGB", storage.total_size_in_gb)
                .list("disks", &storage.disks, |x, disk| {
                    x.value("sizeInGB", disk.size_in_gb).value("count", disk.count).text("type", &disk.kind);
                })
                .text("nvmeSupport", &storage.nvme_support)
                .text("encryptionSupport", &storage.encryption_support);
        });
    }
    x.nested("ebsInfo", |x| {
        x.text("ebsOptimizedSupport", &ebs.ebs_optimized_support)
            .text("encryptionSupport", &ebs.encryption_support)
            .text("nvmeSupport", &ebs.nvme_support);
    })
    .nested("networkInfo", |x| {
        x.text("networkPerformance", &network.network_performance)
            .value("maximumNetworkInterfaces", network.maximum_network_interfaces)
            .value("maximumNetworkCards", network.maximum_network_cards)
            .value("defaultNetworkCardIndex", network.default_network_card_index)
            .list("networkCards", &network.network_cards, |x, card| {
                x.value("networkCardIndex", card.network_card_index)
                    .text("networkPerformance", &card.network_performance)
                    .value("maximumNetworkInterfaces", card.maximum_network_interfaces);
                if let Some(baseline) = card.baseline_bandwidth_in_gbps {
                    x.value("baselineBandwidthInGbps", baseline);
                }
                if let Some(peak) = card.peak_bandwidth_in_gbps {
                    x.value("peakBandwidthInGbps", peak);
                }
            })
            .value("ipv4AddressesPerInterface", network.ipv4_addresses_per_interface)
            .value("ipv6AddressesPerInterface", network.ipv6_addresses_per_interface)
            .value("ipv6Supported", network.ipv6_supported)
            .text("enaSupport", &network.ena_support)
            .value("efaSupported", network.efa_supported)
            .value("encryptionInTransitSupported", network.encryption_in_transit_supported);
    });
    if let Some(gpu_info) = &instance_type.gpu_info {
        x.nested("gpuInfo", |x| {
            x.list("gpus", &gpu_info.gpus, |x, gpu| {
                x.text("name", &gpu.name).text("manufacturer", &gpu.manufacturer).value("count", gpu.count);
                if let Some(logical) = gpu.logical_gpu_count {
                    x.value("logicalGpuCount", logical);
                }
                if let Some(partition) = gpu.gpu_partition_size {
                    x.value("gpuPartitionSize", partition);
                }
                if !gpu.workloads.is_empty() {
                    x.string_list("workloadSet", &gpu.workloads);
                }
                x.nested("memoryInfo", |x| {
                    x.value("sizeInMiB", gpu.memory_info.size_in_mib);
                });
            })
            .value("totalGpuMemoryInMiB", gpu_info.total_gpu_memory_in_mib);
        });
    }
    x.nested("placementGroupInfo", |x| {
        x.string_list("supportedStrategies", &instance_type.placement_group_info.supported_strategies);
    })
    .value("hibernationSupported", instance_type.hibernation_supported)
    .value("burstablePerformanceSupported", instance_type.burstable_performance_supported)
    .value("dedicatedHostsSupported", instance_type.dedicated_hosts_supported)
    .value("autoRecoverySupported", instance_type.auto_recovery_supported)
    .string_list("supportedBootModes", &instance_type.supported_boot_modes)
    .text("nitroEnclavesSupport", &instance_type.nitro_enclaves_support)
    .text("nitroTpmSupport", &instance_type.nitro_tpm_support);
}

pub(crate) fn describe_instance_types(_world: &World, _ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let filters = params.filters()?;
    validate::<InstanceType>(&filters)?;
    params.bool("IncludeUnsupportedInRegion")?;
    let page = params.page(5, 100)?;
    let found =
        instance_type::describe(&params.list("InstanceType")?, |instance_type| matches(instance_type, &filters))?;
    let table: Table<&InstanceType> =
        found.into_iter().map(|instance_type| (Arc::from(instance_type.name()), Arc::new(instance_type))).collect();
    let page = paginate(&table, &page, |_| true)?;
    x.list("instanceTypeSet", &page.items, |x, instance_type| render_instance_type(x, instance_type));
    x.optional("nextToken", page.next_token.as_deref());
    Ok(())
}

pub(crate) fn describe_instance_type_offerings(_world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let location_type = LocationType::parse(params.get("LocationType"))?;
    let filters = params.filters()?;
    validate::<Offering>(&filters)?;
    let page = params.page(5, 1000)?;
    let table: Table<Offering> = instance_type::offerings(&ctx.scope.region, location_type)
        .into_iter()
        .filter(|offering| matches(offering, &filters))
        .map(|offering| (format!("{}/{}", offering.location, offering.instance_type), Arc::new(offering)))
        .collect();
    let page = paginate(&table, &page, |_| true)?;
    x.list("instanceTypeOfferingSet", &page.items, |x, offering| {
        x.text("instanceType", &offering.instance_type)
            .text("locationType", offering.location_type.name())
            .text("location", &offering.location);
    });
    x.optional("nextToken", page.next_token.as_deref());
    Ok(())
}
