"""DescribeAccountAttributes (a VPC-only platform, the Region's default VPC) and the ClassicLink actions, answered
as AWS answers them for accounts without EC2-Classic (`UnsupportedOperation`)."""
from __future__ import annotations

import pytest

from helpers import cli_error, create_vpc, ec2_error

CLASSIC_LINK = "The functionality you requested is not available in this region."


def values(attributes: list) -> dict:
    return {a["AttributeName"]: [v["AttributeValue"] for v in a["AttributeValues"]] for a in attributes}


def test_describe_account_attributes_names_the_default_vpc(ec2):
    """Regression: DescribeAccountAttributes was an unknown action."""
    (default_vpc,) = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    attributes = ec2.describe_account_attributes()["AccountAttributes"]
    assert [a["AttributeName"] for a in attributes] == [
        "supported-platforms", "vpc-max-security-groups-per-interface", "max-elastic-ips", "max-instances",
        "vpc-max-elastic-ips", "default-vpc"]
    assert values(attributes) == {
        "supported-platforms": ["VPC"], "vpc-max-security-groups-per-interface": ["5"], "max-elastic-ips": ["5"],
        "max-instances": ["20"], "vpc-max-elastic-ips": ["5"], "default-vpc": [default_vpc["VpcId"]]}
    only = ec2.describe_account_attributes(AttributeNames=["default-vpc"])["AccountAttributes"]
    assert values(only) == {"default-vpc": [default_vpc["VpcId"]]}
    for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [default_vpc["VpcId"]]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    (igw,) = ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [default_vpc["VpcId"]]}])["InternetGateways"]
    ec2.detach_internet_gateway(InternetGatewayId=igw["InternetGatewayId"], VpcId=default_vpc["VpcId"])
    ec2.delete_vpc(VpcId=default_vpc["VpcId"])
    gone = ec2.describe_account_attributes(AttributeNames=["default-vpc"])["AccountAttributes"]
    assert values(gone) == {"default-vpc": ["none"]}


def test_account_attribute_errors_and_cli(ec2_raw, aws):
    with ec2_error("InvalidParameterValue", "Value (bogus) for parameter attributeName is invalid."):
        ec2_raw.describe_account_attributes(AttributeNames=["bogus"])
    listed = aws("ec2", "describe-account-attributes", "--attribute-names", "supported-platforms").ok()
    assert values(listed["AccountAttributes"]) == {"supported-platforms": ["VPC"]}


@pytest.mark.parametrize("call, kwargs", [
    ("describe_vpc_classic_link", {}),
    ("describe_vpc_classic_link_dns_support", {}),
    ("describe_classic_link_instances", {}),
    ("enable_vpc_classic_link", {"VpcId": "VPC"}),
    ("disable_vpc_classic_link", {"VpcId": "VPC"}),
    ("enable_vpc_classic_link_dns_support", {"VpcId": "VPC"}),
    ("disable_vpc_classic_link_dns_support", {"VpcId": "VPC"}),
    ("attach_classic_link_vpc", {"VpcId": "VPC", "InstanceId": "i-0123456789abcdef0", "Groups": ["sg-1234abcd"]}),
    ("detach_classic_link_vpc", {"VpcId": "VPC", "InstanceId": "i-0123456789abcdef0"}),
])
def test_classic_link_actions_are_unsupported(ec2, call, kwargs):
    """Regression: the ClassicLink actions were unknown actions (`InvalidAction`) instead of AWS's answer."""
    vpc = create_vpc(ec2)["VpcId"]
    kwargs = {k: (vpc if v == "VPC" else v) for k, v in kwargs.items()}
    with ec2_error("UnsupportedOperation", CLASSIC_LINK):
        getattr(ec2, call)(**kwargs)
    # Positive control: the VPC is there and usable.
    assert ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["VpcId"] == vpc


def test_classic_link_cli(ec2, aws):
    vpc = create_vpc(ec2)["VpcId"]
    instance = ["--instance-id", "i-0123456789abcdef0"]
    for args in (["describe-vpc-classic-link"], ["describe-vpc-classic-link-dns-support"],
                 ["describe-classic-link-instances"], ["enable-vpc-classic-link", "--vpc-id", vpc],
                 ["disable-vpc-classic-link", "--vpc-id", vpc],
                 ["enable-vpc-classic-link-dns-support", "--vpc-id", vpc],
                 ["disable-vpc-classic-link-dns-support", "--vpc-id", vpc],
                 ["attach-classic-link-vpc", "--vpc-id", vpc, *instance, "--groups", "sg-1234abcd"],
                 ["detach-classic-link-vpc", "--vpc-id", vpc, *instance]):
        cli_error(aws("ec2", *args), "UnsupportedOperation", CLASSIC_LINK)
    # Positive control: the same CLI reaches the VPC.
    assert aws("ec2", "describe-vpcs", "--vpc-ids", vpc).ok()["Vpcs"][0]["VpcId"] == vpc
