"""Part 2 §10.2 DescribeInstanceTypes and DescribeInstanceTypeOfferings: the table's real figures, filters, paging
and the errors, with boto3 and the aws CLI."""
from __future__ import annotations

from helpers import AZ_TABLE, cli_error, ec2_error


def test_describe_instance_types_shows_aws_figures(ec2):
    """Regression: DescribeInstanceTypes was an unknown action (Terraform's aws_instance read fails on it)."""
    types = {t["InstanceType"]: t for t in ec2.describe_instance_types(
        InstanceTypes=["t3.micro", "t2.nano", "m5.large", "t4g.small", "c5.metal"])["InstanceTypes"]}
    assert sorted(types) == ["c5.metal", "m5.large", "t2.nano", "t3.micro", "t4g.small"]
    t3 = types["t3.micro"]
    assert (t3["VCpuInfo"]["DefaultVCpus"], t3["VCpuInfo"]["DefaultCores"], t3["VCpuInfo"]["DefaultThreadsPerCore"],
            t3["MemoryInfo"]["SizeInMiB"]) == (2, 1, 2, 1024)
    network = t3["NetworkInfo"]
    assert (network["MaximumNetworkInterfaces"], network["Ipv4AddressesPerInterface"],
            network["Ipv6AddressesPerInterface"], network["NetworkPerformance"], network["EnaSupport"]) == (
        2, 2, 2, "Up to 5 Gigabit", "required")
    assert (t3["BurstablePerformanceSupported"], t3["FreeTierEligible"], t3["CurrentGeneration"],
            t3["Hypervisor"]) == (True, True, True, "nitro")
    assert t3["ProcessorInfo"]["SupportedArchitectures"] == ["x86_64"]
    t2 = types["t2.nano"]
    assert (t2["Hypervisor"], t2["NetworkInfo"]["EnaSupport"], t2["MemoryInfo"]["SizeInMiB"]) == ("xen", "unsupported",
                                                                                                   512)
    assert t2["ProcessorInfo"]["SupportedArchitectures"] == ["i386", "x86_64"]
    m5 = types["m5.large"]
    assert (m5["NetworkInfo"]["MaximumNetworkInterfaces"], m5["NetworkInfo"]["Ipv4AddressesPerInterface"],
            m5["BurstablePerformanceSupported"], m5["NetworkInfo"]["NetworkPerformance"]) == (3, 10, False,
                                                                                           "Up to 10 Gigabit")
    t4g = types["t4g.small"]
    assert (t4g["ProcessorInfo"]["SupportedArchitectures"], t4g["ProcessorInfo"]["Manufacturer"]) == (["arm64"], "AWS")
    metal = types["c5.metal"]
    assert metal["BareMetal"] is True and "Hypervisor" not in metal


def test_instance_type_filters_and_paging(ec2):
    arm = ec2.describe_instance_types(Filters=[
        {"Name": "processor-info.supported-architecture", "Values": ["arm64"]},
        {"Name": "burstable-performance-supported", "Values": ["true"]}])["InstanceTypes"]
    assert sorted(t["InstanceType"] for t in arm) == sorted(
        f"t4g.{s}" for s in ["nano", "micro", "small", "medium", "large", "xlarge", "2xlarge"])
    free = ec2.describe_instance_types(Filters=[{"Name": "free-tier-eligible", "Values": ["true"]}])["InstanceTypes"]
    # AWS's answer since the Free Tier of July 2025: t2.micro is no longer in it.
    assert sorted(t["InstanceType"] for t in free) == [
        "c7i-flex.large", "m7i-flex.large", "t3.micro", "t3.small", "t4g.micro", "t4g.small", "t8i.micro", "t8i.small"]
    eight_enis = ec2.describe_instance_types(Filters=[
        {"Name": "network-info.maximum-network-interfaces", "Values": ["8"]},
        {"Name": "instance-type", "Values": ["c5.*"]}])["InstanceTypes"]
    assert sorted(t["InstanceType"] for t in eight_enis) == ["c5.12xlarge", "c5.4xlarge", "c5.9xlarge"]
    seen, token = [], None
    while True:
        page = ec2.describe_instance_types(MaxResults=100, **({"NextToken": token} if token else {}))
        seen += [t["InstanceType"] for t in page["InstanceTypes"]]
        token = page.get("NextToken")
        if not token:
            break
    assert len(seen) == len(set(seen)) == 1395  # every type of AWS's us-east-1 answer


def test_previous_generation_bare_metal_gpu_and_instance_store_types(ec2):
    types = {t["InstanceType"]: t for t in ec2.describe_instance_types(
        InstanceTypes=["t1.micro", "a1.metal", "g4dn.8xlarge", "p3dn.24xlarge", "m5d.xlarge"])["InstanceTypes"]}
    t1 = types["t1.micro"]
    assert (t1["CurrentGeneration"], t1["MemoryInfo"]["SizeInMiB"], t1["NetworkInfo"]["EnaSupport"],
            t1["NetworkInfo"]["Ipv6Supported"], t1["SupportedVirtualizationTypes"]) == (
        False, 627, "unsupported", False, ["hvm", "paravirtual"])
    assert "ValidCores" not in t1["VCpuInfo"] and "GpuInfo" not in t1
    metal = types["a1.metal"]
    assert (metal["BareMetal"], metal["VCpuInfo"]["DefaultVCpus"], metal["ProcessorInfo"]["Manufacturer"]) == (
        True, 16, "AWS")
    (t4,) = types["g4dn.8xlarge"]["GpuInfo"]["Gpus"]
    assert (t4["Name"], t4["Manufacturer"], t4["Count"], t4["MemoryInfo"]["SizeInMiB"], sorted(t4["Workloads"])) == (
        "T4", "NVIDIA", 1, 16384, ["graphics", "ml-ai"])
    assert types["p3dn.24xlarge"]["GpuInfo"]["TotalGpuMemoryInMiB"] == 262144
    storage = types["m5d.xlarge"]["InstanceStorageInfo"]
    assert (storage["TotalSizeInGB"], storage["Disks"]) == (150, [{"SizeInGB": 150, "Count": 1, "Type": "ssd"}])
    found = ec2.describe_instance_types(Filters=[{"Name": "instance-storage-info.disk.type", "Values": ["hdd"]},
                                                 {"Name": "instance-type", "Values": ["d3.*"]}])["InstanceTypes"]
    assert sorted(t["InstanceType"] for t in found) == ["d3.2xlarge", "d3.4xlarge", "d3.8xlarge", "d3.xlarge"]
    # ENA support takes all three of AWS's values across the table.
    ena = {t["NetworkInfo"]["EnaSupport"] for t in ec2.describe_instance_types()["InstanceTypes"]}
    assert ena == {"required", "supported", "unsupported"}


def test_instance_type_errors(ec2, ec2_raw):
    with ec2_error("InvalidInstanceType", "The following supplied instance types do not exist: [t9.micro]"):
        ec2_raw.describe_instance_types(InstanceTypes=["t3.micro", "t9.micro"])
    with ec2_error("InvalidParameterValue", "The filter 'no-such' is invalid"):
        ec2.describe_instance_types(Filters=[{"Name": "no-such", "Values": ["x"]}])
    with ec2_error("InvalidParameterValue"):
        ec2.describe_instance_types(MaxResults=101)
    with ec2_error("InvalidParameterValue", "Value (planet) for parameter LocationType is invalid."):
        ec2_raw.describe_instance_type_offerings(LocationType="planet")
    # Positive control.
    assert [t["InstanceType"] for t in ec2.describe_instance_types(InstanceTypes=["t3.micro"])["InstanceTypes"]] == [
        "t3.micro"]


def test_instance_type_offerings_per_region_zone_and_zone_id(ec2):
    region = ec2.describe_instance_type_offerings(Filters=[{"Name": "instance-type", "Values": ["t2.nano"]}])
    assert region["InstanceTypeOfferings"] == [
        {"InstanceType": "t2.nano", "LocationType": "region", "Location": "us-east-1"}]
    zones = ec2.describe_instance_type_offerings(LocationType="availability-zone",
                                                 Filters=[{"Name": "instance-type", "Values": ["t3.micro"]}])
    assert sorted(o["Location"] for o in zones["InstanceTypeOfferings"]) == sorted(AZ_TABLE["us-east-1"])
    ids = ec2.describe_instance_type_offerings(LocationType="availability-zone-id", Filters=[
        {"Name": "location", "Values": ["use1-az6"]}, {"Name": "instance-type", "Values": ["c5.9xlarge"]}])
    assert ids["InstanceTypeOfferings"] == [
        {"InstanceType": "c5.9xlarge", "LocationType": "availability-zone-id", "Location": "use1-az6"}]
    page = ec2.describe_instance_type_offerings(MaxResults=5)
    assert len(page["InstanceTypeOfferings"]) == 5 and page["NextToken"]


def test_instance_types_cli(aws):
    described = aws("ec2", "describe-instance-types", "--instance-types", "r6i.large").ok()["InstanceTypes"]
    assert [(t["InstanceType"], t["MemoryInfo"]["SizeInMiB"], t["NetworkInfo"]["Ipv4AddressesPerInterface"])
            for t in described] == [("r6i.large", 16384, 10)]
    offered = aws("ec2", "describe-instance-type-offerings", "--location-type", "availability-zone",
                  "--filters", "Name=instance-type,Values=m7g.medium", region="eu-west-1").ok()
    assert sorted(o["Location"] for o in offered["InstanceTypeOfferings"]) == sorted(AZ_TABLE["eu-west-1"])
    cli_error(aws("ec2", "describe-instance-types", "--instance-types", "t9.micro"), "InvalidInstanceType",
              "The following supplied instance types do not exist: [t9.micro]")
