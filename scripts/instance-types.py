#!/usr/bin/env python3
"""Writes localvpc's instance type table from AWS's own DescribeInstanceTypes answer.

    aws ec2 describe-instance-types --region us-east-1 --output json > types.json
    scripts/instance-types.py types.json > crates/localvpc-model/src/instance_type/types.jsonl

The input is the CLI's output (`{"InstanceTypes": [...]}`) or a JSON object of such items keyed by type name (the
form moto keeps its recording of the same answer in, `moto/ec2/resources/instance_types.json`). Only the members
localvpc renders are kept, with AWS's names and values unchanged; one type per line, sorted by name, so a refresh
is a readable diff. localvpc never invents a figure: a type that is not in the input is not in the table.
"""
import json
import sys

KEEP = {
    "InstanceType": None,
    "CurrentGeneration": None,
    "FreeTierEligible": None,
    "SupportedUsageClasses": None,
    "SupportedRootDeviceTypes": None,
    "SupportedVirtualizationTypes": None,
    "BareMetal": None,
    "Hypervisor": None,
    "ProcessorInfo": {"SupportedArchitectures": None, "SustainedClockSpeedInGhz": None, "Manufacturer": None},
    "VCpuInfo": {"DefaultVCpus": None, "DefaultCores": None, "DefaultThreadsPerCore": None, "ValidCores": None,
                 "ValidThreadsPerCore": None},
    "MemoryInfo": {"SizeInMiB": None},
    "InstanceStorageSupported": None,
    "InstanceStorageInfo": {"TotalSizeInGB": None, "Disks": None, "NvmeSupport": None, "EncryptionSupport": None},
    "EbsInfo": {"EbsOptimizedSupport": None, "EncryptionSupport": None, "NvmeSupport": None},
    "NetworkInfo": {
        "NetworkPerformance": None, "MaximumNetworkInterfaces": None, "MaximumNetworkCards": None,
        "DefaultNetworkCardIndex": None,
        "NetworkCards": {"NetworkCardIndex": None, "NetworkPerformance": None, "MaximumNetworkInterfaces": None,
                         "BaselineBandwidthInGbps": None, "PeakBandwidthInGbps": None},
        "Ipv4AddressesPerInterface": None, "Ipv6AddressesPerInterface": None, "Ipv6Supported": None,
        "EnaSupport": None, "EfaSupported": None, "EncryptionInTransitSupported": None,
    },
    "GpuInfo": {"Gpus": None, "TotalGpuMemoryInMiB": None},
    "PlacementGroupInfo": {"SupportedStrategies": None},
    "HibernationSupported": None,
    "BurstablePerformanceSupported": None,
    "DedicatedHostsSupported": None,
    "AutoRecoverySupported": None,
    "SupportedBootModes": None,
    "NitroEnclavesSupport": None,
    "NitroTpmSupport": None,
}


def trim(value, keep):
    """The members of `value` that `keep` names, recursively (a list is trimmed item by item)."""
    if keep is None:
        return value
    if isinstance(value, list):
        return [trim(item, keep) for item in value]
    return {key: trim(value[key], sub) for key, sub in keep.items() if key in value}


def main() -> None:
    with open(sys.argv[1]) as source:
        answer = json.load(source)
    items = answer["InstanceTypes"] if "InstanceTypes" in answer else list(answer.values())
    for item in sorted(items, key=lambda item: item["InstanceType"]):
        print(json.dumps(trim(item, KEEP), separators=(",", ":")))


if __name__ == "__main__":
    main()
