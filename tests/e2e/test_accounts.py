"""Accounts (12-digit access key = account) and regions are isolated from each other (§1.2)."""
import pytest

from helpers import AZ_TABLE, DEFAULT_ACCOUNT, cli_error, create_igw, create_subnet, create_vpc, ec2_error, ids

ACCT_A = "111111111111"
ACCT_B = "222222222222"


def test_two_accounts_are_isolated(client_factory):
    a = client_factory(key=ACCT_A)
    b = client_factory(key=ACCT_B)
    va = create_vpc(a, "10.0.0.0/16", Name="a")
    vb = create_vpc(b, "10.0.0.0/16", Name="b")
    assert va["OwnerId"] == ACCT_A
    assert vb["OwnerId"] == ACCT_B
    assert va["VpcId"] != vb["VpcId"]

    seen_a = a.describe_vpcs()["Vpcs"]
    seen_b = b.describe_vpcs()["Vpcs"]
    assert va["VpcId"] in ids(seen_a, "VpcId") and vb["VpcId"] not in ids(seen_a, "VpcId")
    assert vb["VpcId"] in ids(seen_b, "VpcId") and va["VpcId"] not in ids(seen_b, "VpcId")
    assert {v["OwnerId"] for v in seen_a} == {ACCT_A}
    assert {v["OwnerId"] for v in seen_b} == {ACCT_B}
    # each account has its own default VPC
    da = [v for v in seen_a if v["IsDefault"]]
    db = [v for v in seen_b if v["IsDefault"]]
    assert len(da) == 1 and len(db) == 1 and da[0]["VpcId"] != db[0]["VpcId"]

    vid = va["VpcId"]
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{vid}' does not exist"):
        b.describe_vpcs(VpcIds=[vid])
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{vid}' does not exist"):
        b.delete_vpc(VpcId=vid)
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{vid}' does not exist"):
        b.create_subnet(VpcId=vid, CidrBlock="10.0.1.0/24")
    with ec2_error("InvalidVpcID.NotFound"):
        b.create_tags(Resources=[vid], Tags=[{"Key": "stolen", "Value": "yes"}])
    assert b.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["a"]}])["Vpcs"] == []
    assert b.describe_tags(Filters=[{"Name": "resource-id", "Values": [vid]}])["Tags"] == []
    # still intact for its owner
    assert a.describe_vpcs(VpcIds=[vid])["Vpcs"][0]["OwnerId"] == ACCT_A


def test_non_numeric_keys_share_the_default_account(client_factory):
    x = client_factory(key="AKIAEXAMPLEONE")
    y = client_factory(key="test")
    vid = create_vpc(x)["VpcId"]
    (v,) = y.describe_vpcs(VpcIds=[vid])["Vpcs"]
    assert v["OwnerId"] == DEFAULT_ACCOUNT


def test_account_isolation_subnets_igws_route_tables(client_factory):
    a = client_factory(key=ACCT_A)
    b = client_factory(key=ACCT_B)
    vid = create_vpc(a)["VpcId"]
    sid = create_subnet(a, vid, "10.0.1.0/24")["SubnetId"]
    igw = create_igw(a)["InternetGatewayId"]
    rtb = a.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    with ec2_error("InvalidSubnetID.NotFound", f"The subnet ID '{sid}' does not exist"):
        b.describe_subnets(SubnetIds=[sid])
    with ec2_error("InvalidInternetGatewayID.NotFound", f"The internetGateway ID '{igw}' does not exist"):
        b.describe_internet_gateways(InternetGatewayIds=[igw])
    with ec2_error("InvalidRouteTableID.NotFound", f"The routeTable ID '{rtb}' does not exist"):
        b.describe_route_tables(RouteTableIds=[rtb])
    # B cannot attach A's IGW to its own VPC
    vb = create_vpc(b)["VpcId"]
    with ec2_error("InvalidInternetGatewayID.NotFound", f"The internetGateway ID '{igw}' does not exist"):
        b.attach_internet_gateway(InternetGatewayId=igw, VpcId=vb)
    assert sid in ids(a.describe_subnets()["Subnets"], "SubnetId")
    assert sid not in ids(b.describe_subnets()["Subnets"], "SubnetId")
    assert b.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vid]}])["NetworkAcls"] == []
    assert b.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vid]}])["SecurityGroups"] == []


def test_two_regions_are_isolated(client_factory):
    east = client_factory(region="us-east-1")
    west = client_factory(region="us-west-2")
    ve = create_vpc(east, "10.0.0.0/16")["VpcId"]
    vw = create_vpc(west, "10.0.0.0/16")["VpcId"]
    assert ve != vw
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{ve}' does not exist"):
        west.describe_vpcs(VpcIds=[ve])
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{vw}' does not exist"):
        east.describe_vpcs(VpcIds=[vw])
    # a subnet in us-west-2 gets us-west-2 AZs and ARN
    s = create_subnet(west, vw, "10.0.1.0/24")
    assert s["AvailabilityZone"] in AZ_TABLE["us-west-2"]
    assert s["SubnetArn"].startswith("arn:aws:ec2:us-west-2:")
    with ec2_error("InvalidParameterValue",
                   prefix="Value (us-east-1a) for parameter availabilityZone is invalid. "):
        west.create_subnet(VpcId=vw, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1a")
    # default VPCs per region
    de = [v for v in east.describe_vpcs()["Vpcs"] if v["IsDefault"]]
    dw = [v for v in west.describe_vpcs()["Vpcs"] if v["IsDefault"]]
    assert len(de) == 1 and len(dw) == 1 and de[0]["VpcId"] != dw[0]["VpcId"]
    assert len(west.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [dw[0]["VpcId"]]}])["Subnets"]) == 4


@pytest.mark.parametrize("region", ["eu-west-1", "ap-northeast-2"])
def test_default_vpc_per_region_layout(client_factory, region):
    ec2 = client_factory(region=region, key=ACCT_A)
    (d,) = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    assert d["OwnerId"] == ACCT_A
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [d["VpcId"]]}])["Subnets"]
    assert {s["AvailabilityZone"]: s["AvailabilityZoneId"] for s in subnets} == AZ_TABLE[region]
    for s in subnets:
        assert s["SubnetArn"] == f"arn:aws:ec2:{region}:{ACCT_A}:subnet/{s['SubnetId']}"


def test_account_and_region_matrix_cli(aws):
    made = {}
    for key in (ACCT_A, ACCT_B):
        for region in ("us-east-1", "eu-west-1"):
            res = aws("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16", key=key, region=region).ok()
            assert res["Vpc"]["OwnerId"] == key
            made[(key, region)] = res["Vpc"]["VpcId"]
    assert len(set(made.values())) == 4
    for (key, region), vid in made.items():
        got = aws("ec2", "describe-vpcs", "--filters", "Name=is-default,Values=false", key=key, region=region).ok()
        assert [v["VpcId"] for v in got["Vpcs"]] == [vid]
        for (k2, r2), other in made.items():
            if (k2, r2) != (key, region):
                cli_error(aws("ec2", "describe-vpcs", "--vpc-ids", other, key=key, region=region),
                          "InvalidVpcID.NotFound", f"The vpc ID '{other}' does not exist")


def test_reset_wipes_every_account_and_region(server, client_factory):
    a = client_factory(key=ACCT_A, region="eu-west-1")
    vid = create_vpc(a)["VpcId"]
    server.reset()
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{vid}' does not exist"):
        a.describe_vpcs(VpcIds=[vid])
    # a default VPC is there again after reset
    assert len([v for v in a.describe_vpcs()["Vpcs"] if v["IsDefault"]]) == 1
