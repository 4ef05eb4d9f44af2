"""botocore waiters the emulator must satisfy (§1.6)."""
import pytest
from botocore.exceptions import WaiterError

from helpers import UNKNOWN, create_igw, create_subnet, create_vpc

FAST = {"Delay": 1, "MaxAttempts": 3}


def test_vpc_available(ec2):
    vid = create_vpc(ec2)["VpcId"]
    ec2.get_waiter("vpc_available").wait(VpcIds=[vid], WaiterConfig=FAST)


def test_vpc_available_by_filter(ec2):
    vid = create_vpc(ec2, "10.0.0.0/16", Name="waited")["VpcId"]
    ec2.get_waiter("vpc_available").wait(Filters=[{"Name": "tag:Name", "Values": ["waited"]}], WaiterConfig=FAST)
    assert ec2.describe_vpcs(VpcIds=[vid])["Vpcs"][0]["State"] == "available"


def test_vpc_exists(ec2):
    vid = create_vpc(ec2)["VpcId"]
    ec2.get_waiter("vpc_exists").wait(VpcIds=[vid], WaiterConfig=FAST)


def test_vpc_exists_retries_on_not_found(ec2):
    waiter = ec2.get_waiter("vpc_exists")
    with pytest.raises(WaiterError) as ei:
        waiter.wait(VpcIds=[UNKNOWN["vpc"]], WaiterConfig={"Delay": 0.2, "MaxAttempts": 2})
    # it retried (InvalidVpcID.NotFound is a retry acceptor) until attempts ran out, not a terminal failure
    assert "Max attempts exceeded" in str(ei.value), str(ei.value)
    assert ei.value.last_response["Error"]["Code"] == "InvalidVpcID.NotFound"


def test_subnet_available(ec2):
    vid = create_vpc(ec2)["VpcId"]
    sid = create_subnet(ec2, vid, "10.0.1.0/24")["SubnetId"]
    ec2.get_waiter("subnet_available").wait(SubnetIds=[sid], WaiterConfig=FAST)


def test_internet_gateway_exists(ec2):
    igw = create_igw(ec2)["InternetGatewayId"]
    ec2.get_waiter("internet_gateway_exists").wait(InternetGatewayIds=[igw], WaiterConfig=FAST)


def test_waiter_cli(aws, ec2):
    vid = create_vpc(ec2)["VpcId"]
    res = aws("ec2", "wait", "vpc-available", "--vpc-ids", vid)
    assert res.rc == 0, res.stderr
    res = aws("ec2", "wait", "vpc-exists", "--vpc-ids", vid)
    assert res.rc == 0, res.stderr
