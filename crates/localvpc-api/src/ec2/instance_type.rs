//! DescribeInstanceTypes and DescribeInstanceTypeOfferings over the model's table (spec part 2 §10.2).

use std::sync::Arc;

use localvpc_model::filter::{matches, paginate, validate};
use localvpc_model::instance_type::{self, InstanceType, LocationType, Offering};
use localvpc_model::{Ec2Error, Table, World};

use super::Ctx;
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

fn strings<'a>(x: &mut Xml, tag: &str, items: impl IntoIterator<Item = &'a &'static str>) {
    x.list(tag, items, |x, item| {
        x.raw(item);
    });
}

/// One `<instanceTypeSet><item>` (botocore's `InstanceTypeInfo`).
fn render_instance_type(x: &mut Xml, instance_type: &InstanceType) {
    let family = instance_type.family;
    let size = instance_type.size;
    let limits = instance_type.limits();
    x.text("instanceType", &instance_type.name())
        .value("currentGeneration", true)
        .value("freeTierEligible", instance_type.free_tier_eligible());
    strings(x, "supportedUsageClasses", &["on-demand", "spot"]);
    strings(x, "supportedRootDeviceTypes", &["ebs"]);
    strings(x, "supportedVirtualizationTypes", &["hvm"]);
    x.value("bareMetal", instance_type.bare_metal()).optional("hypervisor", instance_type.hypervisor());
    x.nested("processorInfo", |x| {
        strings(x, "supportedArchitectures", family.architectures_of(size));
        x.value("sustainedClockSpeedInGhz", family.clock_ghz).text("manufacturer", family.manufacturer);
    });
    x.nested("vCpuInfo", |x| {
        x.value("defaultVCpus", size.vcpus)
            .value("defaultCores", instance_type.default_cores())
            .value("defaultThreadsPerCore", instance_type.threads_per_core());
        if family.nitro {
            x.list("validCores", [instance_type.default_cores()], |x, cores| {
                x.raw(&cores.to_string());
            })
            .list("validThreadsPerCore", instance_type.valid_threads_per_core(), |x, threads| {
                x.raw(&threads.to_string());
            });
        }
    });
    x.nested("memoryInfo", |x| {
        x.value("sizeInMiB", size.memory_mib);
    })
    .value("instanceStorageSupported", false)
    .nested("ebsInfo", |x| {
        x.text("ebsOptimizedSupport", if family.nitro { "default" } else { "unsupported" })
            .text("encryptionSupport", "supported")
            .text("nvmeSupport", if family.nitro { "required" } else { "unsupported" });
    })
    .nested("networkInfo", |x| {
        x.text("networkPerformance", size.network_performance)
            .value("maximumNetworkInterfaces", limits.max_network_interfaces)
            .value("maximumNetworkCards", 1)
            .value("defaultNetworkCardIndex", 0)
            .list("networkCards", [()], |x, ()| {
                x.value("networkCardIndex", 0)
                    .text("networkPerformance", size.network_performance)
                    .value("maximumNetworkInterfaces", limits.max_network_interfaces);
            })
            .value("ipv4AddressesPerInterface", limits.ipv4_per_interface)
            .value("ipv6AddressesPerInterface", limits.ipv6_per_interface)
            .value("ipv6Supported", true)
            .text("enaSupport", instance_type.ena_support())
            .value("efaSupported", false)
            .value("encryptionInTransitSupported", family.nitro && !family.burstable);
    })
    .nested("placementGroupInfo", |x| strings(x, "supportedStrategies", instance_type.placement_strategies()))
    .value("hibernationSupported", family.hibernation)
    .value("burstablePerformanceSupported", family.burstable)
    .value("dedicatedHostsSupported", !family.burstable)
    .value("autoRecoverySupported", true);
    strings(x, "supportedBootModes", instance_type.boot_modes());
    x.text("nitroEnclavesSupport", if family.nitro && !family.burstable { "supported" } else { "unsupported" })
        .text("nitroTpmSupport", if family.nitro { "supported" } else { "unsupported" });
}

pub(crate) fn describe_instance_types(_world: &World, _ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let filters = params.filters()?;
    validate::<InstanceType>(&filters)?;
    params.bool("IncludeUnsupportedInRegion")?;
    let page = params.page(5, 100)?;
    let found =
        instance_type::describe(&params.list("InstanceType")?, |instance_type| matches(instance_type, &filters))?;
    let table: Table<InstanceType> =
        found.into_iter().map(|instance_type| (instance_type.name(), Arc::new(instance_type))).collect();
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
