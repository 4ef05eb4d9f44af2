"""Egress-only internet gateways (part 2 §16.2, §20): Create (ClientToken, tags), Describe (IDs, tag filters,
paging), Delete (`returnCode`), the unknown-gateway error, DeleteVpc while one exists, DescribeTags, isolation
between accounts, the `--quotas aws` limit and restart survival, with boto3 and the aws CLI."""
import pytest

from conftest import LocalVpcServer
from helpers import assert_id, cli_error, create_vpc, ec2_error, tag_spec


def create_eigw(ec2, vpc_id, **kw):
    return ec2.create_egress_only_internet_gateway(VpcId=vpc_id, **kw)["EgressOnlyInternetGateway"]


def test_create_describe_delete(ec2):
    vpc_id = create_vpc(ec2)["VpcId"]
    answer = ec2.create_egress_only_internet_gateway(
        VpcId=vpc_id, TagSpecifications=tag_spec("egress-only-internet-gateway", Name="egress"))
    gateway = answer["EgressOnlyInternetGateway"]
    assert_id(gateway["EgressOnlyInternetGatewayId"], "eigw")
    assert gateway == {
        "EgressOnlyInternetGatewayId": gateway["EgressOnlyInternetGatewayId"],
        "Attachments": [{"State": "attached", "VpcId": vpc_id}],
        "Tags": [{"Key": "Name", "Value": "egress"}],
    }
    assert "ClientToken" not in answer
    listed = ec2.describe_egress_only_internet_gateways(
        EgressOnlyInternetGatewayIds=[gateway["EgressOnlyInternetGatewayId"]])["EgressOnlyInternetGateways"]
    assert listed == [gateway]

    deleted = ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=gateway["EgressOnlyInternetGatewayId"])
    assert deleted["ReturnCode"] is True
    remaining = ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"]
    assert remaining == []


def test_unknown_and_malformed_gateway(ec2):
    vpc_id = create_vpc(ec2)["VpcId"]
    real = create_eigw(ec2, vpc_id)["EgressOnlyInternetGatewayId"]
    with ec2_error("InvalidGatewayID.NotFound", "The eigw ID 'eigw-0123456789abcdef0' does not exist"):
        ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId="eigw-0123456789abcdef0")
    with ec2_error("InvalidGatewayID.NotFound", "The eigw ID 'eigw-0123456789abcdef0' does not exist"):
        ec2.describe_egress_only_internet_gateways(EgressOnlyInternetGatewayIds=["eigw-0123456789abcdef0"])
    with ec2_error("InvalidGatewayID.Malformed"):
        ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId="eigw-xyz")
    with ec2_error("InvalidVpcID.NotFound"):
        ec2.create_egress_only_internet_gateway(VpcId="vpc-0123456789abcdef0")
    # Positive control: the real one is found.
    found = ec2.describe_egress_only_internet_gateways(EgressOnlyInternetGatewayIds=[real])
    assert [g["EgressOnlyInternetGatewayId"] for g in found["EgressOnlyInternetGateways"]] == [real]


def test_client_token_makes_the_create_idempotent(ec2):
    vpc_id = create_vpc(ec2)["VpcId"]
    first = ec2.create_egress_only_internet_gateway(VpcId=vpc_id, ClientToken="token-1")
    again = ec2.create_egress_only_internet_gateway(VpcId=vpc_id, ClientToken="token-1")
    other = ec2.create_egress_only_internet_gateway(VpcId=vpc_id, ClientToken="token-2")
    assert first["ClientToken"] == "token-1"
    first_id = first["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    assert again["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"] == first_id
    assert other["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"] != first_id
    listed = ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"]
    assert len(listed) == 2


def test_tag_filters_and_paging(ec2):
    vpc_id = create_vpc(ec2)["VpcId"]
    made = []
    for n in range(7):
        tags = tag_spec("egress-only-internet-gateway", tier="web" if n % 2 else "db", n=str(n))
        made.append(create_eigw(ec2, vpc_id, TagSpecifications=tags)["EgressOnlyInternetGatewayId"])

    def ids(**kw):
        found = ec2.describe_egress_only_internet_gateways(**kw)
        return sorted(g["EgressOnlyInternetGatewayId"] for g in found["EgressOnlyInternetGateways"])

    assert ids(Filters=[{"Name": "tag:tier", "Values": ["web"]}]) == sorted(made[1::2])
    assert ids(Filters=[{"Name": "tag-key", "Values": ["tier"]}]) == sorted(made)
    assert ids(Filters=[{"Name": "tag:tier", "Values": ["none"]}]) == []
    with ec2_error("InvalidParameterValue"):
        ec2.describe_egress_only_internet_gateways(Filters=[{"Name": "vpc-idd", "Values": [vpc_id]}])

    first = ec2.describe_egress_only_internet_gateways(MaxResults=5)
    assert len(first["EgressOnlyInternetGateways"]) == 5 and first["NextToken"]
    rest = ec2.describe_egress_only_internet_gateways(MaxResults=5, NextToken=first["NextToken"])
    assert len(rest["EgressOnlyInternetGateways"]) == 2 and "NextToken" not in rest
    paged = {g["EgressOnlyInternetGatewayId"] for g in first["EgressOnlyInternetGateways"] + rest["EgressOnlyInternetGateways"]}
    assert paged == set(made)


def test_delete_vpc_is_refused_while_a_gateway_exists(ec2):
    vpc_id = create_vpc(ec2)["VpcId"]
    gateway_id = create_eigw(ec2, vpc_id)["EgressOnlyInternetGatewayId"]
    with ec2_error("DependencyViolation"):
        ec2.delete_vpc(VpcId=vpc_id)
    ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=gateway_id)
    deleted = ec2.delete_vpc(VpcId=vpc_id)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 200
    with ec2_error("InvalidVpcID.NotFound"):
        ec2.describe_vpcs(VpcIds=[vpc_id])


def test_describe_tags_and_create_tags(ec2):
    vpc_id = create_vpc(ec2)["VpcId"]
    gateway_id = create_eigw(ec2, vpc_id)["EgressOnlyInternetGatewayId"]
    ec2.create_tags(Resources=[gateway_id], Tags=[{"Key": "team", "Value": "net"}])
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [gateway_id]}])["Tags"]
    assert tags == [{"Key": "team", "ResourceId": gateway_id, "ResourceType": "egress-only-internet-gateway",
                     "Value": "net"}]
    ec2.delete_tags(Resources=[gateway_id], Tags=[{"Key": "team"}])
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [gateway_id]}])["Tags"]
    assert tags == []


def test_another_account_cannot_see_or_use_the_gateway(ec2, client_factory):
    vpc_id = create_vpc(ec2)["VpcId"]
    gateway_id = create_eigw(ec2, vpc_id)["EgressOnlyInternetGatewayId"]
    other = client_factory(key="222222222222")
    gateways = other.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"]
    assert gateways == []
    with ec2_error("InvalidGatewayID.NotFound"):
        other.describe_egress_only_internet_gateways(EgressOnlyInternetGatewayIds=[gateway_id])
    with ec2_error("InvalidGatewayID.NotFound"):
        other.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=gateway_id)
    with ec2_error("InvalidVpcID.NotFound"):
        other.create_egress_only_internet_gateway(VpcId=vpc_id)
    # Positive control: the owner still sees it.
    owned = ec2.describe_egress_only_internet_gateways(EgressOnlyInternetGatewayIds=[gateway_id])
    assert [g["EgressOnlyInternetGatewayId"] for g in owned["EgressOnlyInternetGateways"]] == [gateway_id]


def test_with_the_cli(aws):
    vpc_id = aws("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16").ok()["Vpc"]["VpcId"]
    created = aws("ec2", "create-egress-only-internet-gateway", "--vpc-id", vpc_id,
                  "--tag-specifications", "ResourceType=egress-only-internet-gateway,Tags=[{Key=Name,Value=cli}]").ok()
    gateway = created["EgressOnlyInternetGateway"]
    assert (gateway["Attachments"], gateway["Tags"]) == ([{"State": "attached", "VpcId": vpc_id}],
                                                         [{"Key": "Name", "Value": "cli"}])
    listed = aws("ec2", "describe-egress-only-internet-gateways", "--filters", "Name=tag:Name,Values=cli").ok()
    assert [g["EgressOnlyInternetGatewayId"] for g in listed["EgressOnlyInternetGateways"]] == [
        gateway["EgressOnlyInternetGatewayId"]]
    deleted = aws("ec2", "delete-egress-only-internet-gateway", "--egress-only-internet-gateway-id",
                  gateway["EgressOnlyInternetGatewayId"]).ok()
    assert deleted == {"ReturnCode": True}
    refused = aws("ec2", "delete-egress-only-internet-gateway", "--egress-only-internet-gateway-id",
                  gateway["EgressOnlyInternetGatewayId"])
    cli_error(refused, "InvalidGatewayID.NotFound", f"The eigw ID '{gateway['EgressOnlyInternetGatewayId']}' does not exist")


@pytest.fixture
def quota_ec2(log_dir, client_factory):
    srv = LocalVpcServer("memory", log_dir, name="eigw-quotas", extra_args=["--quotas", "aws"])
    srv.start()
    yield client_factory(endpoint=srv.endpoint)
    srv.stop()


def test_five_per_region_under_aws_quotas(quota_ec2, ec2):
    vpc_id = create_vpc(quota_ec2)["VpcId"]
    for _ in range(5):
        create_eigw(quota_ec2, vpc_id)
    with ec2_error("EgressOnlyInternetGatewayLimitExceeded",
                   "The maximum number of egress-only internet gateways has been reached."):
        quota_ec2.create_egress_only_internet_gateway(VpcId=vpc_id)
    # Positive control: the default server enforces no quota.
    plain_vpc = create_vpc(ec2)["VpcId"]
    for _ in range(6):
        create_eigw(ec2, plain_vpc)
    assert len(ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"]) == 6


def test_gateways_survive_a_restart(sqlite_server, client_factory):
    srv = sqlite_server().start()
    ec2 = client_factory(endpoint=srv.endpoint)
    vpc_id = create_vpc(ec2)["VpcId"]
    gateway = create_eigw(ec2, vpc_id, ClientToken="t-1",
                          TagSpecifications=tag_spec("egress-only-internet-gateway", Name="kept"))
    srv.kill()
    srv.start()
    ec2 = client_factory(endpoint=srv.endpoint)
    listed = ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"]
    assert listed == [gateway]
    again = ec2.create_egress_only_internet_gateway(VpcId=vpc_id, ClientToken="t-1")
    assert again["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"] == gateway["EgressOnlyInternetGatewayId"]
