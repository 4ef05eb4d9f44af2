"""Part 2 §12 DHCP options sets: Create/Describe/Delete/Associate with boto3 and the aws CLI, and each VPC's
`dhcpOptionsId`."""
from __future__ import annotations

from helpers import DEFAULT_ACCOUNT, assert_id, cli_error, create_vpc, ec2_error, tag_spec, tags_of

UNKNOWN_DOPT = "dopt-0123456789abcdef0"


def config(options: dict) -> list:
    return [{"Key": key, "Values": values} for key, values in options.items()]


def as_dict(dhcp_options: dict) -> dict:
    return {c["Key"]: [v["Value"] for v in c["Values"]] for c in dhcp_options["DhcpConfigurations"]}


def test_create_and_describe_dhcp_options_boto3(ec2):
    created = ec2.create_dhcp_options(
        DhcpConfigurations=config({"domain-name": ["corp.example"], "domain-name-servers": ["10.0.0.6", "10.0.0.7"],
                                   "ntp-servers": ["169.254.169.123"], "netbios-node-type": ["2"]}),
        TagSpecifications=tag_spec("dhcp-options", Name="corp"))["DhcpOptions"]
    assert_id(created["DhcpOptionsId"], "dopt")
    assert created["OwnerId"] == DEFAULT_ACCOUNT
    assert as_dict(created) == {"domain-name": ["corp.example"], "domain-name-servers": ["10.0.0.6", "10.0.0.7"],
                                "ntp-servers": ["169.254.169.123"], "netbios-node-type": ["2"]}
    assert tags_of(created) == {"Name": "corp"}
    (described,) = ec2.describe_dhcp_options(DhcpOptionsIds=[created["DhcpOptionsId"]])["DhcpOptions"]
    assert described == created
    by_value = ec2.describe_dhcp_options(Filters=[{"Name": "value", "Values": ["10.0.0.7"]}])["DhcpOptions"]
    assert [d["DhcpOptionsId"] for d in by_value] == [created["DhcpOptionsId"]]
    by_tag = ec2.describe_dhcp_options(Filters=[{"Name": "tag:Name", "Values": ["corp"]}])["DhcpOptions"]
    assert [d["DhcpOptionsId"] for d in by_tag] == [created["DhcpOptionsId"]]
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [created["DhcpOptionsId"]]}])["Tags"]
    assert tags == [{"Key": "Name", "ResourceId": created["DhcpOptionsId"], "ResourceType": "dhcp-options",
                     "Value": "corp"}]


def test_every_region_has_a_default_set_that_vpcs_start_with(ec2, client_factory):
    """Regression: DescribeDhcpOptions was an unknown action and the `dopt-` every VPC named did not exist."""
    (default_vpc,) = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    vpc = create_vpc(ec2)
    assert vpc["DhcpOptionsId"] == default_vpc["DhcpOptionsId"]
    (default_set,) = ec2.describe_dhcp_options(DhcpOptionsIds=[vpc["DhcpOptionsId"]])["DhcpOptions"]
    assert as_dict(default_set) == {"domain-name": ["ec2.internal"], "domain-name-servers": ["AmazonProvidedDNS"]}
    west = client_factory(region="eu-west-1")
    (west_set,) = west.describe_dhcp_options()["DhcpOptions"]
    assert as_dict(west_set) == {"domain-name": ["eu-west-1.compute.internal"],
                                 "domain-name-servers": ["AmazonProvidedDNS"]}
    # Sets are per account and Region.
    with ec2_error("InvalidDhcpOptionID.NotFound", f"The dhcpOption ID '{west_set['DhcpOptionsId']}' does not exist"):
        ec2.describe_dhcp_options(DhcpOptionsIds=[west_set["DhcpOptionsId"]])


def test_associate_a_set_and_default_then_delete(ec2):
    vpc = create_vpc(ec2)["VpcId"]
    dopt = ec2.create_dhcp_options(DhcpConfigurations=config({"domain-name": ["corp.example"]}))["DhcpOptions"]
    dopt_id = dopt["DhcpOptionsId"]
    assert ec2.associate_dhcp_options(DhcpOptionsId=dopt_id, VpcId=vpc)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["DhcpOptionsId"] == dopt_id
    by_filter = ec2.describe_vpcs(Filters=[{"Name": "dhcp-options-id", "Values": [dopt_id]}])["Vpcs"]
    assert [v["VpcId"] for v in by_filter] == [vpc]
    with ec2_error("DependencyViolation", f"The dhcpOptions '{dopt_id}' has dependencies and cannot be deleted."):
        ec2.delete_dhcp_options(DhcpOptionsId=dopt_id)
    assert ec2.describe_dhcp_options(DhcpOptionsIds=[dopt_id])["DhcpOptions"][0]["DhcpOptionsId"] == dopt_id
    ec2.associate_dhcp_options(DhcpOptionsId="default", VpcId=vpc)
    assert ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["DhcpOptionsId"] == "default"
    ec2.delete_dhcp_options(DhcpOptionsId=dopt_id)
    with ec2_error("InvalidDhcpOptionID.NotFound", f"The dhcpOption ID '{dopt_id}' does not exist"):
        ec2.describe_dhcp_options(DhcpOptionsIds=[dopt_id])


def test_dhcp_errors(ec2):
    vpc = create_vpc(ec2)["VpcId"]
    with ec2_error("InvalidDhcpOptionID.NotFound"):
        ec2.associate_dhcp_options(DhcpOptionsId=UNKNOWN_DOPT, VpcId=vpc)
    dopt = ec2.create_dhcp_options(DhcpConfigurations=config({"domain-name": ["a.example"]}))["DhcpOptions"]
    with ec2_error("InvalidVpcID.NotFound"):
        ec2.associate_dhcp_options(DhcpOptionsId=dopt["DhcpOptionsId"], VpcId="vpc-0123456789abcdef0")
    with ec2_error("InvalidDhcpOptionsId.Malformed"):
        ec2.delete_dhcp_options(DhcpOptionsId="foo-abcd1234")
    with ec2_error("InvalidDhcpOptionID.NotFound"):
        ec2.delete_dhcp_options(DhcpOptionsId=UNKNOWN_DOPT)
    with ec2_error("InvalidParameterValue", "Value (0) for parameter netbios-node-type is invalid."):
        ec2.create_dhcp_options(DhcpConfigurations=config({"netbios-node-type": ["0"]}))
    with ec2_error("InvalidParameterValue"):
        ec2.create_dhcp_options(DhcpConfigurations=config({"ntp-servers": ["f"] * 5}))
    with ec2_error("InvalidParameterValue", "Value (not-an-ip) for parameter domain-name-servers is invalid."):
        ec2.create_dhcp_options(DhcpConfigurations=config({"domain-name-servers": ["not-an-ip"]}))
    with ec2_error("InvalidParameterValue", "Value (routers) for parameter key is invalid. Unknown DHCP option"):
        ec2.create_dhcp_options(DhcpConfigurations=config({"routers": ["10.0.0.1"]}))
    with ec2_error("InvalidParameterValue", "The filter 'no-such-filter' is invalid"):
        ec2.describe_dhcp_options(Filters=[{"Name": "no-such-filter", "Values": ["x"]}])
    # Positive control: the same keys with valid values are accepted, and nothing refused was stored.
    ok = ec2.create_dhcp_options(DhcpConfigurations=config({"netbios-node-type": ["2"],
                                                            "domain-name-servers": ["10.0.0.2"]}))["DhcpOptions"]
    assert as_dict(ok) == {"netbios-node-type": ["2"], "domain-name-servers": ["10.0.0.2"]}
    assert len(ec2.describe_dhcp_options()["DhcpOptions"]) == 3  # the default set, a.example and this one


def test_dry_run_and_paging(ec2):
    with ec2_error("DryRunOperation", status=412):
        ec2.create_dhcp_options(DhcpConfigurations=config({"domain-name": ["x.example"]}), DryRun=True)
    assert len(ec2.describe_dhcp_options()["DhcpOptions"]) == 1
    for n in range(6):
        ec2.create_dhcp_options(DhcpConfigurations=config({"domain-name": [f"n{n}.example"]}))
    first = ec2.describe_dhcp_options(MaxResults=5)
    assert len(first["DhcpOptions"]) == 5 and first["NextToken"]
    rest = ec2.describe_dhcp_options(MaxResults=5, NextToken=first["NextToken"])
    assert len(rest["DhcpOptions"]) == 2 and "NextToken" not in rest
    seen = [d["DhcpOptionsId"] for d in first["DhcpOptions"] + rest["DhcpOptions"]]
    assert len(set(seen)) == 7


def test_dhcp_options_cli(aws):
    created = aws("ec2", "create-dhcp-options", "--dhcp-configurations",
                  "Key=domain-name,Values=corp.example", "Key=domain-name-servers,Values=10.0.0.6,10.0.0.7").ok()
    dopt_id = created["DhcpOptions"]["DhcpOptionsId"]
    assert as_dict(created["DhcpOptions"]) == {"domain-name": ["corp.example"],
                                               "domain-name-servers": ["10.0.0.6", "10.0.0.7"]}
    vpc = aws("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16").ok()["Vpc"]["VpcId"]
    assert aws("ec2", "associate-dhcp-options", "--dhcp-options-id", dopt_id, "--vpc-id", vpc).rc == 0
    listed = aws("ec2", "describe-dhcp-options", "--filters", "Name=key,Values=domain-name-servers").ok()
    assert [d["DhcpOptionsId"] for d in listed["DhcpOptions"]] == sorted(
        d["DhcpOptionsId"] for d in listed["DhcpOptions"])
    assert dopt_id in [d["DhcpOptionsId"] for d in listed["DhcpOptions"]]
    cli_error(aws("ec2", "delete-dhcp-options", "--dhcp-options-id", dopt_id), "DependencyViolation",
              f"The dhcpOptions '{dopt_id}' has dependencies and cannot be deleted.")
    assert aws("ec2", "associate-dhcp-options", "--dhcp-options-id", "default", "--vpc-id", vpc).rc == 0
    assert aws("ec2", "delete-dhcp-options", "--dhcp-options-id", dopt_id).rc == 0
    cli_error(aws("ec2", "describe-dhcp-options", "--dhcp-options-ids", dopt_id), "InvalidDhcpOptionID.NotFound",
              f"The dhcpOption ID '{dopt_id}' does not exist")
    cli_error(aws("ec2", "create-dhcp-options", "--dhcp-configurations", "Key=netbios-node-type,Values=3"),
              "InvalidParameterValue", "Value (3) for parameter netbios-node-type is invalid.")
