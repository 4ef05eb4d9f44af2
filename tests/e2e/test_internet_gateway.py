"""§2.4 Internet gateways."""
import pytest

from helpers import (DEFAULT_ACCOUNT, UNKNOWN, assert_id, cli_error, create_igw, create_vpc, ec2_error, ids,
                     tag_spec, tags_of)


def not_found(igw_id):
    return f"The internetGateway ID '{igw_id}' does not exist"


def test_create_internet_gateway(ec2):
    igw = ec2.create_internet_gateway(TagSpecifications=tag_spec("internet-gateway", Name="gw"))["InternetGateway"]
    assert_id(igw["InternetGatewayId"], "igw")
    assert igw["OwnerId"] == DEFAULT_ACCOUNT
    assert igw.get("Attachments", []) == []
    assert tags_of(igw) == {"Name": "gw"}
    (d,) = ec2.describe_internet_gateways(InternetGatewayIds=[igw["InternetGatewayId"]])["InternetGateways"]
    assert d["InternetGatewayId"] == igw["InternetGatewayId"]
    assert d["OwnerId"] == DEFAULT_ACCOUNT
    assert d["Attachments"] == []
    assert tags_of(d) == {"Name": "gw"}


def test_attach_detach_delete_lifecycle(ec2):
    vid = create_vpc(ec2)["VpcId"]
    igw = create_igw(ec2)["InternetGatewayId"]
    r = ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    (d,) = ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"]
    assert d["Attachments"] == [{"State": "available", "VpcId": vid}]

    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
    (d,) = ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"]
    assert d["Attachments"] == []

    # can be attached again (to another VPC, too)
    other = create_vpc(ec2, "10.1.0.0/16")["VpcId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=other)
    (d,) = ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"]
    assert d["Attachments"] == [{"State": "available", "VpcId": other}]
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=other)

    ec2.delete_internet_gateway(InternetGatewayId=igw)
    with ec2_error("InvalidInternetGatewayID.NotFound", not_found(igw)):
        ec2.describe_internet_gateways(InternetGatewayIds=[igw])


def test_lifecycle_cli(aws):
    vid = aws("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16").ok()["Vpc"]["VpcId"]
    igw = aws("ec2", "create-internet-gateway", "--tag-specifications",
              "ResourceType=internet-gateway,Tags=[{Key=Name,Value=cli-gw}]").ok()["InternetGateway"]
    igw_id = igw["InternetGatewayId"]
    assert_id(igw_id, "igw")
    assert tags_of(igw) == {"Name": "cli-gw"}
    assert aws("ec2", "attach-internet-gateway", "--internet-gateway-id", igw_id, "--vpc-id", vid).rc == 0
    got = aws("ec2", "describe-internet-gateways", "--filters", f"Name=attachment.vpc-id,Values={vid}").ok()
    assert [g["InternetGatewayId"] for g in got["InternetGateways"]] == [igw_id]
    assert got["InternetGateways"][0]["Attachments"] == [{"State": "available", "VpcId": vid}]
    # delete while attached
    cli_error(aws("ec2", "delete-internet-gateway", "--internet-gateway-id", igw_id), "DependencyViolation",
              f"The internetGateway '{igw_id}' has dependencies and cannot be deleted.")
    assert aws("ec2", "detach-internet-gateway", "--internet-gateway-id", igw_id, "--vpc-id", vid).rc == 0
    assert aws("ec2", "delete-internet-gateway", "--internet-gateway-id", igw_id).rc == 0
    cli_error(aws("ec2", "describe-internet-gateways", "--internet-gateway-ids", igw_id),
              "InvalidInternetGatewayID.NotFound", not_found(igw_id))


def test_attach_already_attached_igw(ec2):
    v1 = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    v2 = create_vpc(ec2, "10.1.0.0/16")["VpcId"]
    igw = create_igw(ec2)["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=v1)
    with ec2_error("Resource.AlreadyAssociated", f"resource {igw} is already attached to network {v1}"):
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=v2)
    with ec2_error("Resource.AlreadyAssociated", f"resource {igw} is already attached to network {v1}"):
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=v1)
    (d,) = ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"]
    assert d["Attachments"] == [{"State": "available", "VpcId": v1}]


def test_attach_second_igw_to_vpc(ec2):
    vid = create_vpc(ec2)["VpcId"]
    first = create_igw(ec2)["InternetGatewayId"]
    second = create_igw(ec2)["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=first, VpcId=vid)
    with ec2_error("InvalidParameterValue", f"Network {vid} already has an internet gateway attached"):
        ec2.attach_internet_gateway(InternetGatewayId=second, VpcId=vid)
    (d,) = ec2.describe_internet_gateways(InternetGatewayIds=[second])["InternetGateways"]
    assert d["Attachments"] == []


def test_attach_second_igw_to_vpc_cli(aws, ec2):
    vid = create_vpc(ec2)["VpcId"]
    first = create_igw(ec2)["InternetGatewayId"]
    second = create_igw(ec2)["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=first, VpcId=vid)
    cli_error(aws("ec2", "attach-internet-gateway", "--internet-gateway-id", second, "--vpc-id", vid),
              "InvalidParameterValue", f"Network {vid} already has an internet gateway attached")


def test_attach_to_unknown_vpc(ec2):
    igw = create_igw(ec2)["InternetGatewayId"]
    vid = UNKNOWN["vpc"]
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{vid}' does not exist"):
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vid)


def test_detach_not_attached(ec2):
    v1 = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    v2 = create_vpc(ec2, "10.1.0.0/16")["VpcId"]
    igw = create_igw(ec2)["InternetGatewayId"]
    # not attached at all
    with ec2_error("Gateway.NotAttached", f"resource {igw} is not attached to network {v1}"):
        ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=v1)
    # attached to another VPC
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=v1)
    with ec2_error("Gateway.NotAttached", f"resource {igw} is not attached to network {v2}"):
        ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=v2)
    # a VPC that does not exist is one the gateway is not attached to; a malformed ID is still malformed
    with ec2_error("Gateway.NotAttached", f"resource {igw} is not attached to network vpc-deadbeef"):
        ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId="vpc-deadbeef")
    with ec2_error("InvalidVpcID.Malformed"):
        ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId="deadbeef")
    (d,) = ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"]
    assert d["Attachments"] == [{"State": "available", "VpcId": v1}]
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=v1)
    (d,) = ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"]
    assert d["Attachments"] == []


def test_detach_not_attached_cli(aws, ec2):
    vid = create_vpc(ec2)["VpcId"]
    igw = create_igw(ec2)["InternetGatewayId"]
    cli_error(aws("ec2", "detach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vid),
              "Gateway.NotAttached", f"resource {igw} is not attached to network {vid}")


def test_delete_attached_igw(ec2):
    vid = create_vpc(ec2)["VpcId"]
    igw = create_igw(ec2)["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
    with ec2_error("DependencyViolation", f"The internetGateway '{igw}' has dependencies and cannot be deleted."):
        ec2.delete_internet_gateway(InternetGatewayId=igw)
    (d,) = ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"]
    assert d["Attachments"] == [{"State": "available", "VpcId": vid}]


def test_delete_default_vpc_igw_while_attached(ec2):
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    (igw,) = ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [default_vpc]}])["InternetGateways"]
    gid = igw["InternetGatewayId"]
    with ec2_error("DependencyViolation", f"The internetGateway '{gid}' has dependencies and cannot be deleted."):
        ec2.delete_internet_gateway(InternetGatewayId=gid)


@pytest.mark.parametrize("op", ["describe", "attach", "detach", "delete"])
def test_unknown_igw(ec2, op):
    igw = UNKNOWN["igw"]
    vid = create_vpc(ec2)["VpcId"]
    with ec2_error("InvalidInternetGatewayID.NotFound", not_found(igw)):
        if op == "describe":
            ec2.describe_internet_gateways(InternetGatewayIds=[igw])
        elif op == "attach":
            ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
        elif op == "detach":
            ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
        else:
            ec2.delete_internet_gateway(InternetGatewayId=igw)


def test_describe_internet_gateways_filters(ec2):
    v1 = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    v2 = create_vpc(ec2, "10.1.0.0/16")["VpcId"]
    a = create_igw(ec2, Name="edge-a", env="prod")["InternetGatewayId"]
    b = create_igw(ec2, Name="edge-b")["InternetGatewayId"]
    c = create_igw(ec2, Name="spare", env="dev")["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=a, VpcId=v1)
    ec2.attach_internet_gateway(InternetGatewayId=b, VpcId=v2)

    def match(*filters):
        return ids(ec2.describe_internet_gateways(Filters=list(filters))["InternetGateways"], "InternetGatewayId")

    f = lambda name, *values: {"Name": name, "Values": list(values)}  # noqa: E731
    mine = f("internet-gateway-id", a, b, c)
    assert match(mine) == {a, b, c}
    assert match(f("attachment.vpc-id", v1)) == {a}
    assert match(f("attachment.vpc-id", v1, v2)) == {a, b}
    assert match(f("attachment.state", "available"), mine) == {a, b}
    assert match(f("owner-id", DEFAULT_ACCOUNT), mine) == {a, b, c}
    assert match(f("owner-id", "000000000000")) == set()
    assert match(f("tag:Name", "edge-*")) == {a, b}
    assert match(f("tag:env", "prod", "dev")) == {a, c}
    assert match(f("tag-key", "env")) == {a, c}
    assert match(f("tag:Name", "edge-?"), f("attachment.vpc-id", v2)) == {b}
    assert len(ec2.describe_internet_gateways()["InternetGateways"]) == 4  # ours + the default VPC's


def test_describe_internet_gateways_unknown_filter(ec2):
    with ec2_error("InvalidParameterValue", "The filter 'attachment.bogus' is invalid"):
        ec2.describe_internet_gateways(Filters=[{"Name": "attachment.bogus", "Values": ["x"]}])
