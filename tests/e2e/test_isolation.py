"""Accounts and regions are isolated (issue 3 item 6): an account never sees, modifies or references another's
resources except through the explicit cross-account paths (peering requests, group references over an active
peering). Every Describe action is checked from a second account in the same region and from the same account in a
second region."""
from __future__ import annotations

import pytest

from helpers import ec2_error

OWNER, OTHER = "111111111111", "222222222222"


@pytest.fixture
def world(client_factory):
    """One of everything, owned by OWNER in us-east-1."""
    ec2 = client_factory(key=OWNER)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    instance = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet,
                                 SecurityGroupIds=[sg])["Instances"][0]
    eni = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=allocation, InstanceId=instance["InstanceId"])
    peer = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "owned"}])
    return {"vpc": vpc, "subnet": subnet, "igw": igw, "rtb": rtb, "acl": acl, "sg": sg,
            "instance": instance["InstanceId"], "eni": eni, "allocation": allocation, "pcx": pcx}


def outsiders(client_factory):
    return {
        "other account": client_factory(key=OTHER),
        "other region": client_factory(key=OWNER, region="eu-west-1"),
    }


DESCRIBES = [
    # (action, id parameter, resource key, NotFound code, list key, id field)
    ("describe_vpcs", "VpcIds", "vpc", "InvalidVpcID.NotFound", "Vpcs", "VpcId"),
    ("describe_subnets", "SubnetIds", "subnet", "InvalidSubnetID.NotFound", "Subnets", "SubnetId"),
    ("describe_internet_gateways", "InternetGatewayIds", "igw", "InvalidInternetGatewayID.NotFound",
     "InternetGateways", "InternetGatewayId"),
    ("describe_route_tables", "RouteTableIds", "rtb", "InvalidRouteTableID.NotFound", "RouteTables", "RouteTableId"),
    ("describe_network_acls", "NetworkAclIds", "acl", "InvalidNetworkAclID.NotFound", "NetworkAcls", "NetworkAclId"),
    ("describe_security_groups", "GroupIds", "sg", "InvalidGroup.NotFound", "SecurityGroups", "GroupId"),
    ("describe_instances", "InstanceIds", "instance", "InvalidInstanceID.NotFound", None, None),
    ("describe_network_interfaces", "NetworkInterfaceIds", "eni", "InvalidNetworkInterfaceID.NotFound",
     "NetworkInterfaces", "NetworkInterfaceId"),
    ("describe_addresses", "AllocationIds", "allocation", "InvalidAllocationID.NotFound", "Addresses", "AllocationId"),
    ("describe_vpc_peering_connections", "VpcPeeringConnectionIds", "pcx", "InvalidVpcPeeringConnectionID.NotFound",
     "VpcPeeringConnections", "VpcPeeringConnectionId"),
]


@pytest.mark.parametrize("action,param,key,code,list_key,id_field", DESCRIBES, ids=[d[0] for d in DESCRIBES])
def test_every_describe_is_isolated(client_factory, world, action, param, key, code, list_key, id_field):
    for name, client in outsiders(client_factory).items():
        with ec2_error(code):
            getattr(client, action)(**{param: [world[key]]})
        listed = getattr(client, action)()
        if list_key is None:
            ids = [i["InstanceId"] for r in listed["Reservations"] for i in r["Instances"]]
        else:
            ids = [item[id_field] for item in listed[list_key]]
        assert world[key] not in ids, f"{name} sees {world[key]}"
    # The owner sees it.
    owner = client_factory(key=OWNER)
    assert getattr(owner, action)(**{param: [world[key]]})


def test_describe_tags_and_security_group_rules_are_isolated(client_factory, world):
    for name, client in outsiders(client_factory).items():
        assert client.describe_tags(Filters=[{"Name": "resource-id", "Values": [world["vpc"]]}])["Tags"] == [], name
        rules = client.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [world["sg"]]}])
        assert rules["SecurityGroupRules"] == [], name


def test_no_modification_or_reference_across_accounts(client_factory, world):
    other = client_factory(key=OTHER)
    with ec2_error("InvalidVpcID.NotFound"):
        other.create_tags(Resources=[world["vpc"]], Tags=[{"Key": "stolen", "Value": "yes"}])
    with ec2_error("InvalidVpcID.NotFound"):
        other.delete_vpc(VpcId=world["vpc"])
    with ec2_error("InvalidSubnetID.NotFound"):
        other.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=world["subnet"])
    with ec2_error("InvalidGroup.NotFound"):
        other.authorize_security_group_ingress(GroupId=world["sg"], IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    with ec2_error("InvalidInternetGatewayID.NotFound"):
        other.detach_internet_gateway(InternetGatewayId=world["igw"], VpcId=world["vpc"])
    with ec2_error("InvalidRouteTableID.NotFound"):
        other.create_route(RouteTableId=world["rtb"], DestinationCidrBlock="0.0.0.0/0", GatewayId=world["igw"])
    with ec2_error("InvalidAllocationID.NotFound"):
        other.release_address(AllocationId=world["allocation"])
    with ec2_error("InvalidInstanceID.NotFound"):
        other.terminate_instances(InstanceIds=[world["instance"]])
    with ec2_error("InvalidVpcPeeringConnectionID.NotFound"):
        other.delete_vpc_peering_connection(VpcPeeringConnectionId=world["pcx"])
    # Its own VPC cannot reference the owner's group without an active peering.
    own = other.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    group = other.create_security_group(GroupName="g", Description="g", VpcId=own)["GroupId"]
    with ec2_error("InvalidGroup.NotFound"):
        other.authorize_security_group_ingress(GroupId=group, IpPermissions=[
            {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": world["sg"], "UserId": OWNER}]}])
    # Nothing changed for the owner.
    owner = client_factory(key=OWNER)
    assert owner.describe_tags(Filters=[{"Name": "key", "Values": ["stolen"]}])["Tags"] == []
    assert owner.describe_instances(InstanceIds=[world["instance"]])["Reservations"][0]["Instances"][0][
        "State"]["Name"] == "running"
