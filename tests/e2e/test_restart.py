"""Persistence on a sqlite store: SIGKILL, restart on the same file, everything is identical."""
import json
import re

from helpers import create_igw, create_subnet, create_vpc, ec2_error, main_route_table, tag_spec

ACCT = "333333333333"
ID_RE = re.compile(r"\b(?:vpc-cidr-assoc|vpc|subnet|igw|rtbassoc|rtb|aclassoc|acl|sgr|sg|dopt)-[0-9a-f]{8,17}\b")


def _norm(obj):
    """Order-insensitive canonical form (lists of dicts compared as multisets)."""
    if isinstance(obj, dict):
        return {k: _norm(v) for k, v in obj.items() if k != "ResponseMetadata"}
    if isinstance(obj, list):
        items = [_norm(x) for x in obj]
        return sorted(items, key=lambda x: json.dumps(x, sort_keys=True, default=str))
    return obj


def snapshot(ec2) -> dict:
    vpcs = ec2.describe_vpcs()["Vpcs"]
    attrs = {}
    for v in vpcs:
        for attr, key in (("enableDnsSupport", "EnableDnsSupport"), ("enableDnsHostnames", "EnableDnsHostnames")):
            attrs[f"{v['VpcId']}/{attr}"] = ec2.describe_vpc_attribute(VpcId=v["VpcId"], Attribute=attr)[key]
    return _norm({
        "vpcs": vpcs,
        "attrs": attrs,
        "subnets": ec2.describe_subnets()["Subnets"],
        "igws": ec2.describe_internet_gateways()["InternetGateways"],
        "route_tables": ec2.describe_route_tables()["RouteTables"],
        "acls": ec2.describe_network_acls()["NetworkAcls"],
        "sgs": ec2.describe_security_groups()["SecurityGroups"],
        "tags": ec2.describe_tags()["Tags"],
    })


def populate(ec2, prefix: str):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=tag_spec("vpc", Name=f"{prefix}-vpc", env="prod"))
    vid = vpc["Vpc"]["VpcId"]
    ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock="10.1.0.0/16")
    ec2.modify_vpc_attribute(VpcId=vid, EnableDnsHostnames={"Value": True})
    s1 = create_subnet(ec2, vid, "10.0.1.0/24", az=None, Name=f"{prefix}-public")["SubnetId"]
    s2 = create_subnet(ec2, vid, "10.1.2.0/28", Name=f"{prefix}-private")["SubnetId"]
    doomed = create_subnet(ec2, vid, "10.0.9.0/24")["SubnetId"]
    ec2.delete_subnet(SubnetId=doomed)
    ec2.modify_subnet_attribute(SubnetId=s1, MapPublicIpOnLaunch={"Value": True})
    igw = create_igw(ec2, Name=f"{prefix}-igw")["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
    loose_igw = create_igw(ec2)["InternetGatewayId"]
    rt = ec2.create_route_table(VpcId=vid, TagSpecifications=tag_spec("route-table", Name=f"{prefix}-rt"))
    rt_id = rt["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock="192.0.2.0/24", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=rt_id, SubnetId=s1)
    # move "main" to a second custom table
    rt2 = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    old_main = main_route_table(ec2, vid)
    ec2.replace_route_table_association(AssociationId=old_main["Associations"][0]["RouteTableAssociationId"],
                                        RouteTableId=rt2)
    # a blackhole route in a second VPC
    v2 = create_vpc(ec2, "172.20.0.0/16", Name=f"{prefix}-other")["VpcId"]
    igw2 = create_igw(ec2)["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw2, VpcId=v2)
    ec2.create_route(RouteTableId=main_route_table(ec2, v2)["RouteTableId"], DestinationCidrBlock="0.0.0.0/0",
                     GatewayId=igw2)
    ec2.detach_internet_gateway(InternetGatewayId=igw2, VpcId=v2)
    ec2.create_tags(Resources=[s2, loose_igw, rt2], Tags=[{"Key": "late", "Value": prefix}])
    ec2.delete_tags(Resources=[vid], Tags=[{"Key": "env"}])
    sg = ec2.create_security_group(GroupName="web", Description="web tier", VpcId=vid)["GroupId"]
    ec2.create_tags(Resources=[sg], Tags=[{"Key": "Name", "Value": f"{prefix}-sg"}])
    return vid


def test_restart_preserves_everything(sqlite_server, client_factory):
    srv = sqlite_server().start()
    clients = {
        "default/us-east-1": client_factory(endpoint=srv.endpoint),
        "acct/eu-west-1": client_factory(endpoint=srv.endpoint, region="eu-west-1", key=ACCT),
    }
    for name, ec2 in clients.items():
        populate(ec2, name.split("/")[0])
    before = {name: snapshot(ec2) for name, ec2 in clients.items()}
    # sanity: the snapshot really holds what we made
    assert any(t["Key"] == "late" for t in before["default/us-east-1"]["tags"])
    assert any(r.get("State") == "blackhole" for rt in before["default/us-east-1"]["route_tables"]
               for r in rt["Routes"])

    srv.kill()
    srv.start()
    clients = {
        "default/us-east-1": client_factory(endpoint=srv.endpoint),
        "acct/eu-west-1": client_factory(endpoint=srv.endpoint, region="eu-west-1", key=ACCT),
    }
    after = {name: snapshot(ec2) for name, ec2 in clients.items()}
    for name in before:
        for section in before[name]:
            assert after[name][section] == before[name][section], f"{name}: {section} differs after restart"

    # new IDs after restart never collide with old ones
    old_ids = set(ID_RE.findall(json.dumps(before)))
    assert len(old_ids) > 30
    ec2 = clients["default/us-east-1"]
    new_ids = set()
    for i in range(8):
        vid = create_vpc(ec2, f"10.{50 + i}.0.0/16")["VpcId"]
        new_ids.add(vid)
        new_ids.add(create_subnet(ec2, vid, f"10.{50 + i}.1.0/24")["SubnetId"])
        new_ids.add(create_igw(ec2)["InternetGatewayId"])
        new_ids.add(ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"])
    new_ids |= set(ID_RE.findall(json.dumps(snapshot(ec2)))) - old_ids
    assert not (new_ids & old_ids)
    assert len(new_ids) >= 32

    # exactly one default VPC per (account, region) after restart
    for ec2 in clients.values():
        assert len(ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]) == 1


def test_restart_twice_keeps_post_restart_writes(sqlite_server, client_factory):
    srv = sqlite_server().start()
    ec2 = client_factory(endpoint=srv.endpoint)
    first = create_vpc(ec2, "10.0.0.0/16", Name="first")["VpcId"]
    srv.kill()
    srv.start()
    ec2 = client_factory(endpoint=srv.endpoint)
    second = create_vpc(ec2, "10.1.0.0/16", Name="second")["VpcId"]
    ec2.delete_vpc(VpcId=first)
    srv.kill()
    srv.start()
    ec2 = client_factory(endpoint=srv.endpoint)
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{first}' does not exist"):
        ec2.describe_vpcs(VpcIds=[first])
    (v,) = ec2.describe_vpcs(VpcIds=[second])["Vpcs"]
    assert {t["Key"]: t["Value"] for t in v["Tags"]} == {"Name": "second"}


def test_restart_keeps_deleted_default_vpc_deleted(sqlite_server, client_factory):
    srv = sqlite_server().start()
    ec2 = client_factory(endpoint=srv.endpoint)
    (d,) = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [d["VpcId"]]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=s["SubnetId"])
    for g in ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id",
                                                      "Values": [d["VpcId"]]}])["InternetGateways"]:
        ec2.detach_internet_gateway(InternetGatewayId=g["InternetGatewayId"], VpcId=d["VpcId"])
        ec2.delete_internet_gateway(InternetGatewayId=g["InternetGatewayId"])
    ec2.delete_vpc(VpcId=d["VpcId"])
    srv.kill()
    srv.start()
    ec2 = client_factory(endpoint=srv.endpoint)
    # "first use" of the (account, region) happened before the restart: no default VPC is re-created
    assert ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"] == []


def test_reset_on_sqlite_store_persists(sqlite_server, client_factory):
    srv = sqlite_server().start()
    ec2 = client_factory(endpoint=srv.endpoint)
    vid = create_vpc(ec2)["VpcId"]
    srv.reset()
    srv.kill()
    srv.start()
    ec2 = client_factory(endpoint=srv.endpoint)
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{vid}' does not exist"):
        ec2.describe_vpcs(VpcIds=[vid])
