"""§2.1 DescribeRegions / DescribeAvailabilityZones."""
import pytest

from helpers import AZ_TABLE

KNOWN_REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-northeast-2"]


def test_describe_regions_lists_known_regions(ec2):
    regions = ec2.describe_regions()["Regions"]
    by_name = {r["RegionName"]: r for r in regions}
    for name in KNOWN_REGIONS:
        assert name in by_name, f"{name} missing from DescribeRegions"
        r = by_name[name]
        assert r["Endpoint"] == f"ec2.{name}.amazonaws.com"
        assert r["OptInStatus"] == "opt-in-not-required"
    assert len(by_name) == len(regions), "duplicate region names"


def test_describe_regions_by_name(ec2):
    regions = ec2.describe_regions(RegionNames=["eu-west-1"])["Regions"]
    assert [r["RegionName"] for r in regions] == ["eu-west-1"]
    assert regions[0]["Endpoint"] == "ec2.eu-west-1.amazonaws.com"


def test_describe_regions_filter_region_name_values_are_ored(ec2):
    regions = ec2.describe_regions(Filters=[{"Name": "region-name", "Values": ["us-west-2", "eu-west-1"]}])
    assert sorted(r["RegionName"] for r in regions["Regions"]) == ["eu-west-1", "us-west-2"]


def test_describe_regions_filter_endpoint(ec2):
    regions = ec2.describe_regions(Filters=[{"Name": "endpoint", "Values": ["ec2.ap-northeast-2.amazonaws.com"]}])
    assert [r["RegionName"] for r in regions["Regions"]] == ["ap-northeast-2"]


def test_describe_regions_filter_opt_in_status_and_wildcard(ec2):
    regions = ec2.describe_regions(Filters=[{"Name": "opt-in-status", "Values": ["opt-in-not-required"]},
                                            {"Name": "region-name", "Values": ["us-*"]}])["Regions"]
    names = {r["RegionName"] for r in regions}
    assert {"us-east-1", "us-west-2"} <= names
    assert all(n.startswith("us-") for n in names)


def test_describe_regions_cli(aws):
    res = aws("ec2", "describe-regions", "--region-names", "us-west-2", "us-east-1").ok()
    assert sorted(r["RegionName"] for r in res["Regions"]) == ["us-east-1", "us-west-2"]
    for r in res["Regions"]:
        assert r["Endpoint"] == f"ec2.{r['RegionName']}.amazonaws.com"


@pytest.mark.parametrize("region", sorted(AZ_TABLE))
def test_describe_availability_zones_table(client_factory, region):
    ec2 = client_factory(region=region)
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    assert {z["ZoneName"]: z["ZoneId"] for z in zones} == AZ_TABLE[region]
    for z in zones:
        assert z["State"] == "available"
        assert z["RegionName"] == region
        assert z["ZoneType"] == "availability-zone"


@pytest.mark.parametrize("region,prefix", [("us-gov-west-1", "usgw1"), ("us-gov-east-1", "usge1"),
                                           ("eu-central-1", "euc1")])
def test_zone_ids_of_regions_outside_the_table(client_factory, region, prefix):
    """AWS's zone-ID prefix: `gov` is shortened to `g` as `east` to `e` (usgw1-az1, not usgovw1-az1)."""
    zones = client_factory(region=region).describe_availability_zones()["AvailabilityZones"]
    assert [z["ZoneId"] for z in zones] == [f"{prefix}-az1", f"{prefix}-az2", f"{prefix}-az3"]
    assert [z["ZoneName"] for z in zones] == [f"{region}a", f"{region}b", f"{region}c"]


def test_describe_availability_zones_by_names_and_ids(ec2):
    zones = ec2.describe_availability_zones(ZoneNames=["us-east-1c", "us-east-1a"])["AvailabilityZones"]
    assert sorted((z["ZoneName"], z["ZoneId"]) for z in zones) == [("us-east-1a", "use1-az6"),
                                                                      ("us-east-1c", "use1-az2")]
    zones = ec2.describe_availability_zones(ZoneIds=["use1-az1"])["AvailabilityZones"]
    assert [z["ZoneName"] for z in zones] == ["us-east-1b"]


@pytest.mark.parametrize("flt,expected", [
    ({"Name": "zone-name", "Values": ["us-east-1d"]}, {"us-east-1d"}),
    ({"Name": "zone-id", "Values": ["use1-az3", "use1-az5"]}, {"us-east-1e", "us-east-1f"}),
    ({"Name": "state", "Values": ["available"]}, set(AZ_TABLE["us-east-1"])),
    ({"Name": "region-name", "Values": ["us-east-1"]}, set(AZ_TABLE["us-east-1"])),
    ({"Name": "zone-type", "Values": ["availability-zone"]}, set(AZ_TABLE["us-east-1"])),
    ({"Name": "zone-name", "Values": ["us-east-1?"]}, set(AZ_TABLE["us-east-1"])),
    ({"Name": "state", "Values": ["unavailable"]}, set()),
])
def test_describe_availability_zones_filters(ec2, flt, expected):
    zones = ec2.describe_availability_zones(Filters=[flt])["AvailabilityZones"]
    assert {z["ZoneName"] for z in zones} == expected


def test_describe_availability_zones_filters_are_anded(ec2):
    zones = ec2.describe_availability_zones(Filters=[
        {"Name": "zone-name", "Values": ["us-east-1a", "us-east-1b"]},
        {"Name": "zone-id", "Values": ["use1-az1"]},
    ])["AvailabilityZones"]
    assert [z["ZoneName"] for z in zones] == ["us-east-1b"]


def test_describe_availability_zones_cli_other_region(aws):
    res = aws("ec2", "describe-availability-zones", region="ap-northeast-2").ok()
    assert {z["ZoneName"]: z["ZoneId"] for z in res["AvailabilityZones"]} == AZ_TABLE["ap-northeast-2"]
    res = aws("ec2", "describe-availability-zones", "--filters", "Name=zone-id,Values=euw1-az1",
              region="eu-west-1").ok()
    assert [z["ZoneName"] for z in res["AvailabilityZones"]] == ["eu-west-1b"]


def test_zones_show_aws_zone_group_names(client_factory):
    """Issue 9 (response fidelity): every zone of a Region is in its one zone group, `REGION-zg-1`, whose long name
    is the Region's name and the group's number (DescribeAvailabilityZones reference and its filters)."""
    ec2 = client_factory(region="us-west-2")
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    assert {(z["GroupName"], z["GroupLongName"]) for z in zones} == {("us-west-2-zg-1", "US West (Oregon) 1")}
    assert all(z["NetworkBorderGroup"] == "us-west-2" for z in zones)
    by_group = ec2.describe_availability_zones(Filters=[{"Name": "group-name", "Values": ["us-west-2-zg-1"]}])
    assert len(by_group["AvailabilityZones"]) == len(zones)
    by_long = ec2.describe_availability_zones(Filters=[{"Name": "group-long-name", "Values": ["US West (Oregon) 1"]}])
    assert len(by_long["AvailabilityZones"]) == len(zones)
    # The Region's name alone is no longer a group name.
    assert ec2.describe_availability_zones(Filters=[{"Name": "group-name", "Values": ["us-west-2"]}])[
        "AvailabilityZones"] == []
