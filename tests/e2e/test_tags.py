"""§2.12 CreateTags / DeleteTags / DescribeTags."""
from types import SimpleNamespace

import pytest

from helpers import UNKNOWN, create_igw, create_subnet, create_vpc, ec2_error, main_route_table, tags_of


@pytest.fixture
def res(ec2):
    vpc = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    subnet = create_subnet(ec2, vpc, "10.0.1.0/24")["SubnetId"]
    igw = create_igw(ec2)["InternetGatewayId"]
    rtb = main_route_table(ec2, vpc)["RouteTableId"]
    acl = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"][0]["NetworkAclId"]
    sg = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"][0]["GroupId"]
    return SimpleNamespace(vpc=vpc, subnet=subnet, igw=igw, rtb=rtb, acl=acl, sg=sg)


def all_tags(ec2, *filters):
    out = ec2.describe_tags(Filters=list(filters))["Tags"]
    return {(t["ResourceId"], t["ResourceType"], t["Key"], t["Value"]) for t in out}


def test_create_tags_on_every_resource_type(ec2, res):
    resources = [res.vpc, res.subnet, res.igw, res.rtb, res.acl, res.sg]
    r = ec2.create_tags(Resources=resources, Tags=[{"Key": "team", "Value": "net"}, {"Key": "empty", "Value": ""}])
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    got = all_tags(ec2, {"Name": "resource-id", "Values": resources})
    types = {res.vpc: "vpc", res.subnet: "subnet", res.igw: "internet-gateway", res.rtb: "route-table",
             res.acl: "network-acl", res.sg: "security-group"}
    expected = set()
    for rid, rtype in types.items():
        expected.add((rid, rtype, "team", "net"))
        expected.add((rid, rtype, "empty", ""))
    assert got == expected
    # and every resource's own Describe shows them
    assert tags_of(ec2.describe_vpcs(VpcIds=[res.vpc])["Vpcs"][0]) == {"team": "net", "empty": ""}
    assert tags_of(ec2.describe_subnets(SubnetIds=[res.subnet])["Subnets"][0]) == {"team": "net", "empty": ""}
    assert tags_of(ec2.describe_internet_gateways(InternetGatewayIds=[res.igw])["InternetGateways"][0]) == \
        {"team": "net", "empty": ""}
    assert tags_of(ec2.describe_route_tables(RouteTableIds=[res.rtb])["RouteTables"][0]) == \
        {"team": "net", "empty": ""}
    assert tags_of(ec2.describe_network_acls(NetworkAclIds=[res.acl])["NetworkAcls"][0]) == \
        {"team": "net", "empty": ""}
    assert tags_of(ec2.describe_security_groups(GroupIds=[res.sg])["SecurityGroups"][0]) == \
        {"team": "net", "empty": ""}


def test_create_tags_overwrites_value(ec2, res):
    ec2.create_tags(Resources=[res.vpc], Tags=[{"Key": "Name", "Value": "one"}])
    ec2.create_tags(Resources=[res.vpc], Tags=[{"Key": "Name", "Value": "two"}, {"Key": "x", "Value": "y"}])
    assert tags_of(ec2.describe_vpcs(VpcIds=[res.vpc])["Vpcs"][0]) == {"Name": "two", "x": "y"}


def test_tag_keys_are_case_sensitive(ec2, res):
    ec2.create_tags(Resources=[res.vpc], Tags=[{"Key": "Name", "Value": "a"}, {"Key": "name", "Value": "b"}])
    assert tags_of(ec2.describe_vpcs(VpcIds=[res.vpc])["Vpcs"][0]) == {"Name": "a", "name": "b"}


def test_describe_tags_filters(ec2, res):
    ec2.create_tags(Resources=[res.vpc], Tags=[{"Key": "Name", "Value": "core"}, {"Key": "env", "Value": "prod"}])
    ec2.create_tags(Resources=[res.subnet], Tags=[{"Key": "Name", "Value": "core-a"}, {"Key": "env", "Value": "dev"}])
    ec2.create_tags(Resources=[res.igw], Tags=[{"Key": "owner", "Value": "alice"}])
    f = lambda name, *values: {"Name": name, "Values": list(values)}  # noqa: E731
    assert all_tags(ec2, f("resource-id", res.vpc)) == {(res.vpc, "vpc", "Name", "core"), (res.vpc, "vpc", "env", "prod")}
    assert all_tags(ec2, f("resource-type", "subnet")) == {(res.subnet, "subnet", "Name", "core-a"),
                                                           (res.subnet, "subnet", "env", "dev")}
    assert all_tags(ec2, f("resource-type", "internet-gateway")) == {(res.igw, "internet-gateway", "owner", "alice")}
    assert all_tags(ec2, f("key", "env")) == {(res.vpc, "vpc", "env", "prod"), (res.subnet, "subnet", "env", "dev")}
    assert all_tags(ec2, f("value", "prod", "alice")) == {(res.vpc, "vpc", "env", "prod"),
                                                          (res.igw, "internet-gateway", "owner", "alice")}
    assert all_tags(ec2, f("key", "Name"), f("value", "core-*")) == {(res.subnet, "subnet", "Name", "core-a")}
    assert all_tags(ec2, f("key", "Name"), f("resource-type", "vpc")) == {(res.vpc, "vpc", "Name", "core")}
    assert all_tags(ec2, f("key", "nothing")) == set()
    assert all_tags(ec2, f("resource-id", res.rtb)) == set()
    everything = ec2.describe_tags()["Tags"]
    assert len(everything) == 5


def test_describe_tags_unknown_filter(ec2):
    with ec2_error("InvalidParameterValue", "The filter 'colour' is invalid"):
        ec2.describe_tags(Filters=[{"Name": "colour", "Values": ["red"]}])


def test_delete_tags_semantics(ec2, res):
    ec2.create_tags(Resources=[res.vpc], Tags=[{"Key": k, "Value": v} for k, v in
                                               [("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")]])
    # key only: deleted whatever the value
    ec2.delete_tags(Resources=[res.vpc], Tags=[{"Key": "a"}])
    # key + matching value: deleted
    ec2.delete_tags(Resources=[res.vpc], Tags=[{"Key": "b", "Value": "2"}])
    # key + other value: kept
    ec2.delete_tags(Resources=[res.vpc], Tags=[{"Key": "c", "Value": "nope"}])
    # unknown key: no error
    ec2.delete_tags(Resources=[res.vpc], Tags=[{"Key": "zzz"}])
    assert tags_of(ec2.describe_vpcs(VpcIds=[res.vpc])["Vpcs"][0]) == {"c": "3", "d": "4"}
    # no Tags at all: every user tag of the resource goes
    ec2.delete_tags(Resources=[res.vpc])
    assert tags_of(ec2.describe_vpcs(VpcIds=[res.vpc])["Vpcs"][0]) == {}
    assert all_tags(ec2, {"Name": "resource-id", "Values": [res.vpc]}) == set()


def test_tags_cli(aws, res):
    r = aws("ec2", "create-tags", "--resources", res.vpc, res.subnet, "--tags", "Key=Name,Value=cli", "Key=stage,Value=qa")
    assert r.rc == 0, r.stderr
    got = aws("ec2", "describe-tags", "--filters", f"Name=resource-id,Values={res.vpc},{res.subnet}").ok()
    assert {(t["ResourceId"], t["ResourceType"], t["Key"], t["Value"]) for t in got["Tags"]} == {
        (res.vpc, "vpc", "Name", "cli"), (res.vpc, "vpc", "stage", "qa"),
        (res.subnet, "subnet", "Name", "cli"), (res.subnet, "subnet", "stage", "qa")}
    r = aws("ec2", "delete-tags", "--resources", res.subnet, "--tags", "Key=stage")
    assert r.rc == 0, r.stderr
    got = aws("ec2", "describe-tags", "--filters", f"Name=resource-id,Values={res.subnet}").ok()
    assert [(t["Key"], t["Value"]) for t in got["Tags"]] == [("Name", "cli")]
    got = aws("ec2", "describe-vpcs", "--filters", "Name=tag:stage,Values=qa").ok()
    assert [v["VpcId"] for v in got["Vpcs"]] == [res.vpc]


@pytest.mark.parametrize("key", ["aws:foo", "aws:cloudformation:stack-name"])
def test_aws_prefix_refused(ec2, res, key):
    # keys may not start with aws: [D]; the spec pins no code
    with ec2_error(None):
        ec2.create_tags(Resources=[res.vpc], Tags=[{"Key": key, "Value": "x"}])
    assert tags_of(ec2.describe_vpcs(VpcIds=[res.vpc])["Vpcs"][0]) == {}


def test_aws_prefix_refused_on_create(ec2):
    with ec2_error(None):
        ec2.create_vpc(CidrBlock="10.0.0.0/16",
                       TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "aws:x", "Value": "y"}]}])
    assert ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.0.0.0/16"]}])["Vpcs"] == []


def test_aws_prefix_refused_cli(aws, res):
    r = aws("ec2", "create-tags", "--resources", res.vpc, "--tags", "Key=aws:foo,Value=x")
    assert r.rc != 0 and r.code, r.stderr


@pytest.mark.parametrize("kind,code", [
    ("vpc", "InvalidVpcID.NotFound"),
    ("subnet", "InvalidSubnetID.NotFound"),
    ("igw", "InvalidInternetGatewayID.NotFound"),
    ("rtb", "InvalidRouteTableID.NotFound"),
])
def test_create_tags_unknown_resource(ec2, kind, code):
    with ec2_error(code):
        ec2.create_tags(Resources=[UNKNOWN[kind]], Tags=[{"Key": "a", "Value": "b"}])
    assert ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [UNKNOWN[kind]]}])["Tags"] == []


def test_create_tags_unknown_resource_among_known_changes_nothing(ec2, res):
    with ec2_error("InvalidVpcID.NotFound"):
        ec2.create_tags(Resources=[res.subnet, UNKNOWN["vpc"]], Tags=[{"Key": "a", "Value": "b"}])
    assert tags_of(ec2.describe_subnets(SubnetIds=[res.subnet])["Subnets"][0]) == {}


def test_create_tags_unknown_resource_cli(aws):
    r = aws("ec2", "create-tags", "--resources", UNKNOWN["vpc"], "--tags", "Key=a,Value=b")
    assert r.rc != 0
    assert r.code == "InvalidVpcID.NotFound", r.stderr


def test_tags_of_deleted_resource_disappear(ec2, res):
    ec2.create_tags(Resources=[res.subnet], Tags=[{"Key": "gone", "Value": "soon"}])
    ec2.delete_subnet(SubnetId=res.subnet)
    assert all_tags(ec2, {"Name": "key", "Values": ["gone"]}) == set()
