"""Instances (spec §2.9): RunInstances in both parameter forms, states, addresses and names, Describe filters and
paging, and the dependencies instances add to subnets, VPCs, gateways and routes."""
import ipaddress
import re

import pytest

from conftest import LocalVpcServer, run_aws
from helpers import (DEFAULT_ACCOUNT, assert_id, cli_error, create_igw, create_subnet, create_vpc, ec2_error,
                     route_for, route_table, tag_spec, tags_of)

AMI = "ami-0123456789abcdef0"
POOL = ipaddress.ip_network("198.18.0.0/15")
FAST = {"Delay": 1, "MaxAttempts": 10}
UNKNOWN_INSTANCE = "i-0123456789abcdef0"


def network(ec2, cidr="10.0.1.0/24", vpc_cidr="10.0.0.0/16"):
    vid = create_vpc(ec2, vpc_cidr)["VpcId"]
    sid = create_subnet(ec2, vid, cidr)["SubnetId"]
    return vid, sid


def run(ec2, subnet_id=None, count=1, **kw):
    kw.setdefault("ImageId", AMI)
    kw.setdefault("InstanceType", "t3.micro")
    if subnet_id:
        kw["SubnetId"] = subnet_id
    return ec2.run_instances(MinCount=kw.pop("MinCount", count), MaxCount=kw.pop("MaxCount", count), **kw)


def describe(ec2, instance_id):
    reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    assert len(reservations) == 1 and len(reservations[0]["Instances"]) == 1, reservations
    return reservations[0]["Instances"][0]


def default_group(ec2, vpc_id):
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                   {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    return groups[0]["GroupId"]


def available(ec2, subnet_id):
    return ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["AvailableIpAddressCount"]


def in_pool(address):
    return ipaddress.ip_address(address) in POOL


# ---------------------------------------------------------------------------------------------------------------
# RunInstances
# ---------------------------------------------------------------------------------------------------------------
def test_run_instances_response_shape(ec2):
    vid, sid = network(ec2)
    resp = run(ec2, sid, KeyName="my-key")
    assert_id(resp["ReservationId"], "r")
    assert resp["OwnerId"] == DEFAULT_ACCOUNT
    (inst,) = resp["Instances"]
    assert_id(inst["InstanceId"], "i")
    assert inst["State"] == {"Code": 0, "Name": "pending"}
    assert inst["ImageId"] == AMI
    assert inst["InstanceType"] == "t3.micro"
    assert inst["KeyName"] == "my-key"
    assert inst["AmiLaunchIndex"] == 0
    assert inst["SubnetId"] == sid and inst["VpcId"] == vid
    assert inst["PrivateIpAddress"] == "10.0.1.4"
    assert inst["PrivateDnsName"] == "ip-10-0-1-4.ec2.internal"
    assert inst["PublicDnsName"] == ""
    assert "PublicIpAddress" not in inst
    assert inst["Placement"]["AvailabilityZone"] == "us-east-1a"
    assert inst["SourceDestCheck"] is True
    assert inst["LaunchTime"].year >= 2024
    sg = default_group(ec2, vid)
    assert inst["SecurityGroups"] == [{"GroupId": sg, "GroupName": "default"}]
    (eni,) = inst["NetworkInterfaces"]
    assert_id(eni["NetworkInterfaceId"], "eni")
    assert eni["SubnetId"] == sid and eni["VpcId"] == vid
    assert eni["Status"] == "in-use"
    assert eni["OwnerId"] == DEFAULT_ACCOUNT
    assert re.fullmatch(r"0a(:[0-9a-f]{2}){5}", eni["MacAddress"]), eni["MacAddress"]
    assert eni["PrivateIpAddress"] == "10.0.1.4"
    assert eni["PrivateDnsName"] == "ip-10-0-1-4.ec2.internal"
    assert eni["Groups"] == [{"GroupId": sg, "GroupName": "default"}]
    att = eni["Attachment"]
    assert_id(att["AttachmentId"], "eni-attach")
    assert att["DeviceIndex"] == 0 and att["Status"] == "attached" and att["DeleteOnTermination"] is True
    assert eni["PrivateIpAddresses"] == [{"PrivateIpAddress": "10.0.1.4", "PrivateDnsName": "ip-10-0-1-4.ec2.internal",
                                          "Primary": True}]
    assert "Association" not in eni


def test_pending_then_running_and_the_waiter(ec2):
    _, sid = network(ec2)
    iid = run(ec2, sid)["Instances"][0]["InstanceId"]
    assert describe(ec2, iid)["State"] == {"Code": 16, "Name": "running"}
    ec2.get_waiter("instance_running").wait(InstanceIds=[iid], WaiterConfig=FAST)
    ec2.get_waiter("instance_exists").wait(InstanceIds=[iid], WaiterConfig=FAST)


def test_private_addresses_skip_the_reserved_ones_and_the_count_drops(ec2):
    _, sid = network(ec2)
    assert available(ec2, sid) == 251
    resp = run(ec2, sid, count=3)
    assert [i["PrivateIpAddress"] for i in resp["Instances"]] == ["10.0.1.4", "10.0.1.5", "10.0.1.6"]
    assert [i["AmiLaunchIndex"] for i in resp["Instances"]] == [0, 1, 2]
    assert len({i["InstanceId"] for i in resp["Instances"]}) == 3
    assert available(ec2, sid) == 248
    assert ec2.describe_subnets(Filters=[{"Name": "available-ip-address-count", "Values": ["248"]}])["Subnets"]


def test_requested_private_address(ec2):
    _, sid = network(ec2)
    inst = run(ec2, sid, PrivateIpAddress="10.0.1.100")["Instances"][0]
    assert inst["PrivateIpAddress"] == "10.0.1.100"
    assert inst["PrivateDnsName"] == "ip-10-0-1-100.ec2.internal"
    with ec2_error("InvalidIPAddress.InUse", "Address 10.0.1.100 is in use."):
        run(ec2, sid, PrivateIpAddress="10.0.1.100")
    with ec2_error("InvalidParameterValue", "Address 10.0.2.5 does not fall within the subnet's address range"):
        run(ec2, sid, PrivateIpAddress="10.0.2.5")
    for reserved in ("10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255"):
        with ec2_error("InvalidParameterValue", f"Address {reserved} is in subnet's reserved address range"):
            run(ec2, sid, PrivateIpAddress=reserved)
    # Nothing was created by the refused calls.
    assert available(ec2, sid) == 250


def test_a_full_subnet(ec2):
    _, sid = network(ec2, "10.0.0.16/28")
    assert available(ec2, sid) == 11
    resp = run(ec2, sid, MinCount=1, MaxCount=20)
    assert len(resp["Instances"]) == 11
    assert resp["Instances"][-1]["PrivateIpAddress"] == "10.0.0.30"
    assert available(ec2, sid) == 0
    with ec2_error("InsufficientFreeAddressesInSubnet",
                   f"There are not enough free addresses in subnet '{sid}' to satisfy the requested number of "
                   f"instances."):
        run(ec2, sid)
    ec2.terminate_instances(InstanceIds=[resp["Instances"][3]["InstanceId"]])
    assert available(ec2, sid) == 1
    assert run(ec2, sid)["Instances"][0]["PrivateIpAddress"] == "10.0.0.23"


def test_min_count_larger_than_the_free_addresses_launches_nothing(ec2):
    _, sid = network(ec2, "10.0.0.16/28")
    with ec2_error("InsufficientFreeAddressesInSubnet"):
        run(ec2, sid, MinCount=12, MaxCount=12)
    assert ec2.describe_instances()["Reservations"] == []


def test_default_subnet_default_group_and_public_name(ec2):
    inst = run(ec2)["Instances"][0]
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnet = ec2.describe_subnets(SubnetIds=[inst["SubnetId"]])["Subnets"][0]
    assert subnet["VpcId"] == default_vpc and subnet["DefaultForAz"] is True
    assert subnet["AvailabilityZone"] == "us-east-1a"
    assert inst["PrivateIpAddress"] == "172.31.0.4"
    assert inst["SecurityGroups"][0]["GroupName"] == "default"
    public = inst["PublicIpAddress"]
    assert in_pool(public), public
    assert inst["PublicDnsName"] == f"ec2-{public.replace('.', '-')}.compute-1.amazonaws.com"
    assert inst["NetworkInterfaces"][0]["Association"] == {
        "PublicIp": public, "PublicDnsName": inst["PublicDnsName"], "IpOwnerId": "amazon"}


def test_placement_zone_picks_that_default_subnet(ec2):
    inst = run(ec2, Placement={"AvailabilityZone": "us-east-1c"})["Instances"][0]
    assert inst["Placement"]["AvailabilityZone"] == "us-east-1c"
    assert inst["PrivateIpAddress"] == "172.31.32.4"


def test_placement_zone_of_another_region_or_without_a_default_subnet(ec2):
    with ec2_error("InvalidParameterValue", "Invalid availability zone: [us-west-1b]"):
        run(ec2, Placement={"AvailabilityZone": "us-west-1b"})
    with ec2_error("InvalidParameterValue", "Invalid availability zone: [us-east-1z]"):
        run(ec2, Placement={"AvailabilityZone": "us-east-1z"})
    assert ec2.describe_instances()["Reservations"] == []
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    zone_b = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [default_vpc]},
                                           {"Name": "availability-zone", "Values": ["us-east-1b"]}])["Subnets"][0]
    ec2.delete_subnet(SubnetId=zone_b["SubnetId"])
    with ec2_error("InvalidInput", "No default subnet for availability zone: 'us-east-1b'."):
        run(ec2, Placement={"AvailabilityZone": "us-east-1b"})
    # Positive control: another zone still has its default subnet.
    assert run(ec2, Placement={"AvailabilityZone": "us-east-1c"})["Instances"][0]["Placement"][
        "AvailabilityZone"] == "us-east-1c"


def test_no_default_vpc(client_factory):
    ec2 = client_factory(region="eu-west-1")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    with ec2_error("MissingInput", f"No subnets found for the default VPC '{vpc}'. Please specify a subnet."):
        run(ec2)
    for igw in ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}])[
            "InternetGateways"]:
        ec2.detach_internet_gateway(InternetGatewayId=igw["InternetGatewayId"], VpcId=vpc)
    ec2.delete_vpc(VpcId=vpc)
    with ec2_error("VPCIdNotSpecified",
                   "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC."):
        run(ec2)


def test_security_groups(ec2):
    vid, sid = network(ec2)
    other_default = ec2.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": ["default"]}, {"Name": "vpc-id", "Values": [
            ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]]}]
    )["SecurityGroups"][0]["GroupId"]
    with ec2_error("InvalidParameter",
                   f"Security group {other_default} and subnet {sid} belong to different networks."):
        run(ec2, sid, SecurityGroupIds=[other_default])
    with ec2_error("InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist"):
        run(ec2, sid, SecurityGroupIds=["sg-0123456789abcdef0"])
    with ec2_error("InvalidGroupId.Malformed"):
        run(ec2, sid, SecurityGroupIds=["sg-nope"])
    own = default_group(ec2, vid)
    inst = run(ec2, sid, SecurityGroupIds=[own])["Instances"][0]
    assert inst["SecurityGroups"] == [{"GroupId": own, "GroupName": "default"}]
    # Group names resolve in the default VPC only.
    inst = run(ec2, SecurityGroups=["default"])["Instances"][0]
    assert inst["SecurityGroups"] == [{"GroupId": other_default, "GroupName": "default"}]
    with ec2_error("InvalidParameterCombination"):
        run(ec2, sid, SecurityGroups=["default"])


def test_client_token_makes_run_instances_idempotent(ec2):
    _, sid = network(ec2)
    first = run(ec2, sid, count=2, ClientToken="launch-42")
    again = run(ec2, sid, count=2, ClientToken="launch-42")
    assert again["ReservationId"] == first["ReservationId"]
    assert [i["InstanceId"] for i in again["Instances"]] == [i["InstanceId"] for i in first["Instances"]]
    assert all(i["ClientToken"] == "launch-42" for i in again["Instances"])
    assert sum(len(r["Instances"]) for r in ec2.describe_instances()["Reservations"]) == 2
    # boto3 sends a fresh token on every call by itself: two plain calls make two reservations.
    assert run(ec2, sid)["ReservationId"] != run(ec2, sid)["ReservationId"]


def test_bad_parameters(ec2, ec2_raw):
    _, sid = network(ec2)
    with ec2_error("InvalidAMIID.Malformed"):
        run(ec2, sid, ImageId="img-1")
    with ec2_error("InvalidParameterValue"):
        run(ec2, sid, MinCount=2, MaxCount=1)
    with ec2_error("InvalidParameterValue"):
        run(ec2_raw, sid, MinCount=0, MaxCount=1)
    with ec2_error("InvalidSubnetID.NotFound", "The subnet ID 'subnet-0123456789abcdef0' does not exist"):
        run(ec2, "subnet-0123456789abcdef0")
    with ec2_error("MissingParameter"):
        ec2_raw.run_instances(ImageId=AMI, MaxCount=1)
    with ec2_error("DryRunOperation", status=412):
        run(ec2, sid, DryRun=True)
    assert ec2.describe_instances()["Reservations"] == []


def test_tag_specifications_for_instance_and_interface(ec2):
    _, sid = network(ec2)
    inst = run(ec2, sid, TagSpecifications=tag_spec("instance", Name="web-1", tier="web")
               + tag_spec("network-interface", Name="web-1-eth0"))["Instances"][0]
    assert tags_of(inst) == {"Name": "web-1", "tier": "web"}
    eni = inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
    eni_tags = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]["TagSet"]
    assert tags_of(eni_tags) == {"Name": "web-1-eth0"}
    with ec2_error("InvalidParameterValue"):
        run(ec2, sid, TagSpecifications=tag_spec("vpc", Name="x"))
    ec2.create_tags(Resources=[inst["InstanceId"], eni], Tags=[{"Key": "late", "Value": "yes"}])
    rows = ec2.describe_tags(Filters=[{"Name": "key", "Values": ["late"]}])["Tags"]
    assert {(r["ResourceId"], r["ResourceType"]) for r in rows} == {(inst["InstanceId"], "instance"),
                                                                  (eni, "network-interface")}
    with ec2_error("InvalidInstanceID.NotFound"):
        ec2.create_tags(Resources=[UNKNOWN_INSTANCE], Tags=[{"Key": "a", "Value": "b"}])


# ---------------------------------------------------------------------------------------------------------------
# The aws CLI's NetworkInterface.N form (spec §1.1)
# ---------------------------------------------------------------------------------------------------------------
def test_cli_associate_public_ip_address_form_and_back_filled_public_name(aws, ec2):
    vid, sid = network(ec2)
    sg = default_group(ec2, vid)
    res = aws("ec2", "run-instances", "--image-id", AMI, "--instance-type", "t2.micro", "--count", "1",
              "--subnet-id", sid, "--security-group-ids", sg, "--private-ip-address", "10.0.1.50",
              "--associate-public-ip-address")
    inst = res.ok()["Instances"][0]
    assert inst["SubnetId"] == sid
    assert inst["PrivateIpAddress"] == "10.0.1.50"
    assert inst["SecurityGroups"] == [{"GroupId": sg, "GroupName": "default"}]
    public = inst["PublicIpAddress"]
    assert in_pool(public)
    # A new VPC has DNS hostnames off: no public name yet.
    assert describe(ec2, inst["InstanceId"])["PublicDnsName"] == ""
    ec2.modify_vpc_attribute(VpcId=vid, EnableDnsHostnames={"Value": True})
    described = describe(ec2, inst["InstanceId"])
    name = f"ec2-{public.replace('.', '-')}.compute-1.amazonaws.com"
    assert described["PublicDnsName"] == name
    assert described["NetworkInterfaces"][0]["Association"]["PublicDnsName"] == name
    assert ec2.describe_instances(Filters=[{"Name": "dns-name", "Values": [name]}])["Reservations"]
    # Turning DNS support off removes it again.
    ec2.modify_vpc_attribute(VpcId=vid, EnableDnsHostnames={"Value": False})
    assert describe(ec2, inst["InstanceId"])["PublicDnsName"] == ""


def test_cli_no_associate_public_ip_address_overrides_the_subnet(aws, ec2):
    vid, sid = network(ec2)
    ec2.modify_subnet_attribute(SubnetId=sid, MapPublicIpOnLaunch={"Value": True})
    assert "PublicIpAddress" in run(ec2, sid)["Instances"][0]
    res = aws("ec2", "run-instances", "--image-id", AMI, "--count", "1", "--subnet-id", sid,
              "--no-associate-public-ip-address")
    assert "PublicIpAddress" not in res.ok()["Instances"][0]


def test_cli_errors(aws, ec2):
    vid, sid = network(ec2)
    other_vpc, _ = network(ec2, "10.9.1.0/24", "10.9.0.0/16")
    foreign = default_group(ec2, other_vpc)
    res = aws("ec2", "run-instances", "--image-id", AMI, "--count", "1", "--subnet-id", sid,
              "--security-group-ids", foreign, "--associate-public-ip-address")
    cli_error(res, "InvalidParameter", f"Security group {foreign} and subnet {sid} belong to different networks.")
    res = aws("ec2", "describe-instances", "--instance-ids", UNKNOWN_INSTANCE)
    cli_error(res, "InvalidInstanceID.NotFound", f"The instance ID '{UNKNOWN_INSTANCE}' does not exist")


def test_boto3_network_interface_form(ec2):
    vid, sid = network(ec2)
    sg = default_group(ec2, vid)
    inst = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, NetworkInterfaces=[{
        "DeviceIndex": 0, "SubnetId": sid, "Groups": [sg], "AssociatePublicIpAddress": True,
        "Description": "primary"}])["Instances"][0]
    assert in_pool(inst["PublicIpAddress"])
    eni = inst["NetworkInterfaces"][0]
    assert eni["Description"] == "primary"
    with ec2_error("InvalidParameterCombination"):
        ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=sid,
                          NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": sid}])


# ---------------------------------------------------------------------------------------------------------------
# Stop / Start / Terminate
# ---------------------------------------------------------------------------------------------------------------
def addresses_of(interface):
    return [(a["PrivateIpAddress"], a["Primary"]) for a in interface["PrivateIpAddresses"]]


def test_launch_with_secondary_private_addresses(ec2):
    _, sid = network(ec2)
    named = run(ec2, InstanceType="m5.large", NetworkInterfaces=[{
        "DeviceIndex": 0, "SubnetId": sid, "PrivateIpAddresses": [
            {"Primary": True, "PrivateIpAddress": "10.0.1.10"},
            {"Primary": False, "PrivateIpAddress": "10.0.1.11"}]}])["Instances"][0]
    assert named["PrivateIpAddress"] == "10.0.1.10"
    assert addresses_of(named["NetworkInterfaces"][0]) == [("10.0.1.10", True), ("10.0.1.11", False)]
    assert addresses_of(describe(ec2, named["InstanceId"])["NetworkInterfaces"][0]) == [
        ("10.0.1.10", True), ("10.0.1.11", False)]
    # A count takes that many per instance from the subnet, after each primary.
    before = available(ec2, sid)
    counted = run(ec2, count=2, InstanceType="m5.large", NetworkInterfaces=[
        {"DeviceIndex": 0, "SubnetId": sid, "SecondaryPrivateIpAddressCount": 2}])["Instances"]
    assert [addresses_of(i["NetworkInterfaces"][0]) for i in counted] == [
        [("10.0.1.4", True), ("10.0.1.5", False), ("10.0.1.6", False)],
        [("10.0.1.7", True), ("10.0.1.8", False), ("10.0.1.9", False)]]
    assert available(ec2, sid) == before - 6
    eni = counted[0]["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0][
        "PrivateIpAddresses"][2]["PrivateIpAddress"] == "10.0.1.6"
    # Refusals launch nothing: named secondary addresses for several instances, more addresses than the type
    # allows per interface (t3.micro: two), an address in use.
    with ec2_error("InvalidParameterCombination"):
        run(ec2, count=2, NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": sid, "PrivateIpAddresses": [
            {"Primary": False, "PrivateIpAddress": "10.0.1.30"}]}])
    with ec2_error("PrivateIpAddressLimitExceeded"):
        run(ec2, InstanceType="t3.micro", NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": sid, "SecondaryPrivateIpAddressCount": 2}])
    with ec2_error("InvalidParameterCombination", "Specify either private IP addresses or a secondary private IP "
                   "address count, not both."):
        run(ec2, InstanceType="m5.large", NetworkInterfaces=[{
            "DeviceIndex": 0, "SubnetId": sid, "SecondaryPrivateIpAddressCount": 1,
            "PrivateIpAddresses": [{"Primary": False, "PrivateIpAddress": "10.0.1.31"}]}])
    with ec2_error("InvalidIPAddress.InUse", "Address 10.0.1.11 is in use."):
        run(ec2, InstanceType="m5.large", NetworkInterfaces=[{
            "DeviceIndex": 0, "SubnetId": sid, "PrivateIpAddresses": [
                {"Primary": False, "PrivateIpAddress": "10.0.1.11"}]}])
    assert available(ec2, sid) == before - 6
    assert sum(len(r["Instances"]) for r in ec2.describe_instances()["Reservations"]) == 3


def test_launch_interface_delete_on_termination(ec2):
    _, sid = network(ec2)
    kept = run(ec2, NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": sid, "DeleteOnTermination": False}])[
        "Instances"][0]
    dropped = run(ec2, sid)["Instances"][0]
    kept_eni = kept["NetworkInterfaces"][0]
    assert kept_eni["Attachment"]["DeleteOnTermination"] is False
    assert dropped["NetworkInterfaces"][0]["Attachment"]["DeleteOnTermination"] is True
    ec2.terminate_instances(InstanceIds=[kept["InstanceId"], dropped["InstanceId"]])
    remaining = ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [sid]}])["NetworkInterfaces"]
    assert [(n["NetworkInterfaceId"], n["Status"], n["PrivateIpAddress"]) for n in remaining] == [
        (kept_eni["NetworkInterfaceId"], "available", kept["PrivateIpAddress"])]
    assert "Attachment" not in remaining[0]


def test_launch_on_an_existing_interface(ec2):
    vid, sid = network(ec2)
    sg = ec2.create_security_group(GroupName="eni-sg", Description="d", VpcId=vid)["GroupId"]
    eni = ec2.create_network_interface(SubnetId=sid, PrivateIpAddress="10.0.1.40", Groups=[sg],
                                       Description="kept")["NetworkInterface"]
    ec2.modify_subnet_attribute(SubnetId=sid, MapPublicIpOnLaunch={"Value": True})
    spec = {"DeviceIndex": 0, "NetworkInterfaceId": eni["NetworkInterfaceId"]}
    # Refusals first, each launching nothing: several instances, creation-only settings, interface tags.
    with ec2_error("InvalidParameterCombination"):
        run(ec2, count=2, NetworkInterfaces=[spec])
    with ec2_error("InvalidParameterCombination"):
        run(ec2, NetworkInterfaces=[{**spec, "SubnetId": sid}])
    with ec2_error("InvalidParameterCombination"):
        run(ec2, NetworkInterfaces=[{**spec, "DeleteOnTermination": True}])
    with ec2_error("InvalidParameterValue", "You cannot specify tags for network interfaces if there are no "
                                            "network interfaces being created by the request."):
        run(ec2, NetworkInterfaces=[spec], TagSpecifications=tag_spec("network-interface", Name="x"))
    with ec2_error("InvalidNetworkInterfaceID.NotFound"):
        run(ec2, NetworkInterfaces=[{**spec, "NetworkInterfaceId": "eni-0123456789abcdef0"}])
    assert ec2.describe_instances()["Reservations"] == []
    inst = run(ec2, NetworkInterfaces=[spec])["Instances"][0]
    assert inst["PrivateIpAddress"] == "10.0.1.40" and inst["SubnetId"] == sid
    assert [g["GroupId"] for g in inst["SecurityGroups"]] == [sg]
    (attached,) = inst["NetworkInterfaces"]
    assert attached["NetworkInterfaceId"] == eni["NetworkInterfaceId"]
    assert attached["Attachment"]["DeviceIndex"] == 0 and attached["Attachment"]["DeleteOnTermination"] is False
    # An existing interface gets no public address at launch, whatever the subnet maps.
    assert "PublicIpAddress" not in inst and "Association" not in attached
    described = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni["NetworkInterfaceId"]])[
        "NetworkInterfaces"][0]
    assert described["Status"] == "in-use" and described["Attachment"]["InstanceId"] == inst["InstanceId"]
    # In use now: a second launch on it is refused.
    with ec2_error("InvalidNetworkInterface.InUse"):
        run(ec2, NetworkInterfaces=[spec])
    # Terminating the instance keeps the interface, available again, with its address.
    ec2.terminate_instances(InstanceIds=[inst["InstanceId"]])
    described = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni["NetworkInterfaceId"]])[
        "NetworkInterfaces"][0]
    assert described["Status"] == "available" and described["PrivateIpAddress"] == "10.0.1.40"
    assert "Attachment" not in described


def test_launch_with_several_interfaces(ec2):
    vid, sid = network(ec2)
    other = create_subnet(ec2, vid, "10.0.2.0/24")["SubnetId"]
    elsewhere = create_subnet(ec2, vid, "10.0.3.0/24", az="us-east-1b")["SubnetId"]
    other_vpc_subnet = network(ec2, "10.9.1.0/24", "10.9.0.0/16")[1]
    sg = ec2.create_security_group(GroupName="second", Description="d", VpcId=vid)["GroupId"]
    spare = ec2.create_network_interface(SubnetId=sid)["NetworkInterface"]["NetworkInterfaceId"]
    ec2.modify_subnet_attribute(SubnetId=sid, MapPublicIpOnLaunch={"Value": True})
    launched = run(ec2, count=2, InstanceType="m5.large", NetworkInterfaces=[
        {"DeviceIndex": 1, "SubnetId": other, "Groups": [sg], "DeleteOnTermination": False},
        {"DeviceIndex": 0, "SubnetId": sid}])["Instances"]
    for n, inst in enumerate(launched):
        interfaces = sorted(inst["NetworkInterfaces"], key=lambda i: i["Attachment"]["DeviceIndex"])
        assert [(i["Attachment"]["DeviceIndex"], i["SubnetId"], i["PrivateIpAddress"]) for i in interfaces] == [
            (0, sid, f"10.0.1.{5 + n}"), (1, other, f"10.0.2.{4 + n}")]
        assert [g["GroupId"] for g in interfaces[1]["Groups"]] == [sg]
        assert [g["GroupName"] for g in interfaces[0]["Groups"]] == ["default"]
        assert [i["Attachment"]["DeleteOnTermination"] for i in interfaces] == [True, False]
        # Spec §2.9: no public address with more than one interface, whatever the subnet maps.
        assert "PublicIpAddress" not in inst
        assert inst["PrivateIpAddress"] == f"10.0.1.{5 + n}"
    # An existing interface joins at its device index.
    single = run(ec2, InstanceType="m5.large", NetworkInterfaces=[
        {"DeviceIndex": 0, "SubnetId": sid}, {"DeviceIndex": 1, "NetworkInterfaceId": spare}])["Instances"][0]
    assert {i["NetworkInterfaceId"]: i["Attachment"]["DeviceIndex"] for i in single["NetworkInterfaces"]}[spare] == 1
    launched_count = sum(len(r["Instances"]) for r in ec2.describe_instances()["Reservations"])
    # Refusals, each launching nothing.
    two = [{"DeviceIndex": 0, "SubnetId": sid}]
    with ec2_error("InvalidParameterCombination", "The associatePublicIPAddress parameter cannot be specified when "
                                                  "launching with multiple network interfaces"):
        run(ec2, InstanceType="m5.large", NetworkInterfaces=[
            {**two[0], "AssociatePublicIpAddress": True}, {"DeviceIndex": 1, "SubnetId": other}])
    with ec2_error("InvalidParameterValue"):
        run(ec2, InstanceType="m5.large", NetworkInterfaces=two + [{"DeviceIndex": 0, "SubnetId": other}])
    with ec2_error("InvalidParameterValue", "Each network interface requires either a subnet or a network "
                                            "interface ID."):
        run(ec2, InstanceType="m5.large", NetworkInterfaces=two + [{"DeviceIndex": 1}])
    with ec2_error("InvalidParameterCombination"):
        run(ec2, InstanceType="m5.large", NetworkInterfaces=two + [{"DeviceIndex": 1, "SubnetId": elsewhere}])
    with ec2_error("InvalidParameterCombination"):
        run(ec2, InstanceType="m5.large", NetworkInterfaces=two + [{"DeviceIndex": 1, "SubnetId": other_vpc_subnet}])
    with ec2_error("AttachmentLimitExceeded"):
        run(ec2, InstanceType="t3.micro", NetworkInterfaces=two + [
            {"DeviceIndex": d, "SubnetId": other} for d in (1, 2)])
    with ec2_error("InvalidNetworkInterface.InUse"):
        run(ec2, InstanceType="m5.large", NetworkInterfaces=two + [{"DeviceIndex": 1, "NetworkInterfaceId": spare}])
    assert sum(len(r["Instances"]) for r in ec2.describe_instances()["Reservations"]) == launched_count
    # Terminating deletes the interfaces marked so and keeps the others, detached.
    ec2.terminate_instances(InstanceIds=[i["InstanceId"] for i in launched] + [single["InstanceId"]])
    left = ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vid]}])["NetworkInterfaces"]
    assert sorted((n["PrivateIpAddress"], n["SubnetId"], n["Status"]) for n in left) == [
        ("10.0.1.4", sid, "available"), ("10.0.2.4", other, "available"), ("10.0.2.5", other, "available")]


def state(change, key):
    return (change[key]["Code"], change[key]["Name"])


def test_stop_start_terminate(ec2):
    inst = run(ec2)["Instances"][0]
    iid, first_public = inst["InstanceId"], inst["PublicIpAddress"]

    (change,) = ec2.stop_instances(InstanceIds=[iid])["StoppingInstances"]
    assert change["InstanceId"] == iid
    assert state(change, "CurrentState") == (64, "stopping")
    assert state(change, "PreviousState") == (16, "running")
    stopped = describe(ec2, iid)
    assert stopped["State"] == {"Code": 80, "Name": "stopped"}
    assert "PublicIpAddress" not in stopped and stopped["PublicDnsName"] == ""
    assert stopped["PrivateIpAddress"] == inst["PrivateIpAddress"]
    assert stopped["StateReason"]["Code"] == "Client.UserInitiatedShutdown"
    assert stopped["StateTransitionReason"].startswith("User initiated (")
    ec2.get_waiter("instance_stopped").wait(InstanceIds=[iid], WaiterConfig=FAST)
    (again,) = ec2.stop_instances(InstanceIds=[iid])["StoppingInstances"]
    assert state(again, "CurrentState") == (80, "stopped")

    (change,) = ec2.start_instances(InstanceIds=[iid])["StartingInstances"]
    assert state(change, "CurrentState") == (0, "pending")
    assert state(change, "PreviousState") == (80, "stopped")
    started = describe(ec2, iid)
    assert started["State"]["Name"] == "running"
    assert in_pool(started["PublicIpAddress"]) and started["PublicIpAddress"] != first_public
    ec2.get_waiter("instance_running").wait(InstanceIds=[iid], WaiterConfig=FAST)

    (change,) = ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"]
    assert state(change, "CurrentState") == (32, "shutting-down")
    assert state(change, "PreviousState") == (16, "running")
    gone = describe(ec2, iid)
    assert gone["State"] == {"Code": 48, "Name": "terminated"}
    assert gone["NetworkInterfaces"] == [] and "PrivateIpAddress" not in gone and "SubnetId" not in gone
    assert gone["PrivateDnsName"] == ""
    ec2.get_waiter("instance_terminated").wait(InstanceIds=[iid], WaiterConfig=FAST)
    (again,) = ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"]
    assert state(again, "CurrentState") == (48, "terminated") and state(again, "PreviousState") == (48, "terminated")
    with ec2_error("IncorrectInstanceState", f"The instance '{iid}' is not in a state from which it can be started."):
        ec2.start_instances(InstanceIds=[iid])
    with ec2_error("IncorrectInstanceState", f"The instance '{iid}' is not in a state from which it can be stopped."):
        ec2.stop_instances(InstanceIds=[iid])
    with pytest.raises(Exception):
        ec2.get_waiter("instance_running").wait(InstanceIds=[iid], WaiterConfig={"Delay": 1, "MaxAttempts": 2})


def test_state_changes_check_every_id_first(ec2):
    _, sid = network(ec2)
    iid = run(ec2, sid)["Instances"][0]["InstanceId"]
    with ec2_error("InvalidInstanceID.NotFound", f"The instance ID '{UNKNOWN_INSTANCE}' does not exist"):
        ec2.terminate_instances(InstanceIds=[iid, UNKNOWN_INSTANCE])
    assert describe(ec2, iid)["State"]["Name"] == "running"
    with ec2_error("InvalidInstanceID.Malformed"):
        ec2.stop_instances(InstanceIds=["i-xyz"])


# ---------------------------------------------------------------------------------------------------------------
# DescribeInstances
# ---------------------------------------------------------------------------------------------------------------
def test_describe_unknown_ids(ec2):
    with ec2_error("InvalidInstanceID.NotFound", f"The instance ID '{UNKNOWN_INSTANCE}' does not exist"):
        ec2.describe_instances(InstanceIds=[UNKNOWN_INSTANCE])
    other = "i-0fedcba9876543210"
    with ec2_error("InvalidInstanceID.NotFound", f"The instance IDs '{UNKNOWN_INSTANCE}, {other}' do not exist"):
        ec2.describe_instances(InstanceIds=[UNKNOWN_INSTANCE, other])
    with ec2_error("InvalidInstanceID.Malformed"):
        ec2.describe_instances(InstanceIds=["instance-1"])


def test_describe_groups_by_reservation(ec2):
    _, sid = network(ec2)
    a = run(ec2, sid, count=2)
    b = run(ec2, sid)
    reservations = {r["ReservationId"]: r for r in ec2.describe_instances()["Reservations"]}
    assert set(reservations) == {a["ReservationId"], b["ReservationId"]}
    assert {i["InstanceId"] for i in reservations[a["ReservationId"]]["Instances"]} == \
        {i["InstanceId"] for i in a["Instances"]}
    assert reservations[a["ReservationId"]]["OwnerId"] == DEFAULT_ACCOUNT


def test_describe_filters(ec2):
    vid, sid = network(ec2)
    ec2.modify_vpc_attribute(VpcId=vid, EnableDnsHostnames={"Value": True})
    web = ec2.run_instances(
        ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
        TagSpecifications=tag_spec("instance", Name="web"),
        NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": sid, "AssociatePublicIpAddress": True}])["Instances"][0]
    db = run(ec2, sid, InstanceType="m5.large", TagSpecifications=tag_spec("instance", Name="db"))["Instances"][0]
    elsewhere = run(ec2)["Instances"][0]
    ec2.stop_instances(InstanceIds=[db["InstanceId"]])
    sg = default_group(ec2, vid)
    web_public = describe(ec2, web["InstanceId"])

    def found(*filters):
        reservations = ec2.describe_instances(Filters=[{"Name": n, "Values": v} for n, v in filters])["Reservations"]
        return {i["InstanceId"] for r in reservations for i in r["Instances"]}

    w, d, e = web["InstanceId"], db["InstanceId"], elsewhere["InstanceId"]
    assert found(("instance-id", [w])) == {w}
    assert found(("instance-state-name", ["stopped"])) == {d}
    assert found(("instance-state-code", ["16"])) == {w, e}
    assert found(("subnet-id", [sid])) == {w, d}
    assert found(("vpc-id", [vid])) == {w, d}
    assert found(("private-ip-address", [db["PrivateIpAddress"]])) == {d}
    assert found(("ip-address", [web_public["PublicIpAddress"]])) == {w}
    assert found(("private-dns-name", [web["PrivateDnsName"]])) == {w}
    assert found(("dns-name", [web_public["PublicDnsName"]])) == {w}
    assert found(("dns-name", ["*.compute-1.amazonaws.com"])) == {w, e}
    # The stopped instance has no public name: its dnsName is "", and "" matches it.
    assert found(("dns-name", [""])) == {d}
    assert found(("instance.group-id", [sg])) == {w, d}
    assert found(("instance.group-name", ["default"])) == {w, d, e}
    assert found(("network-interface.network-interface-id", [web["NetworkInterfaces"][0]["NetworkInterfaceId"]])) == {w}
    assert found(("network-interface.subnet-id", [sid])) == {w, d}
    assert found(("tag:Name", ["web", "db"])) == {w, d}
    assert found(("tag:Name", ["w*"]), ("instance-state-name", ["running"])) == {w}
    assert found(("availability-zone", ["us-east-1a"])) == {w, d, e}
    assert found(("image-id", [AMI])) == {w, d, e}
    assert found(("instance-type", ["m5.large"])) == {d}
    assert found(("instance-type", ["nothing"])) == set()
    with ec2_error("InvalidParameterValue", "The filter 'public-ip' is invalid"):
        found(("public-ip", ["1.2.3.4"]))


def test_describe_paging(ec2):
    _, sid = network(ec2)
    run(ec2, sid, count=7)
    page = ec2.describe_instances(MaxResults=5)
    assert sum(len(r["Instances"]) for r in page["Reservations"]) == 5
    rest = ec2.describe_instances(MaxResults=5, NextToken=page["NextToken"])
    assert sum(len(r["Instances"]) for r in rest["Reservations"]) == 2
    assert "NextToken" not in rest
    paginator = ec2.get_paginator("describe_instances")
    ids = [i["InstanceId"] for p in paginator.paginate(PaginationConfig={"PageSize": 5})
           for r in p["Reservations"] for i in r["Instances"]]
    assert len(ids) == len(set(ids)) == 7
    iid = ids[0]
    with ec2_error("InvalidParameterCombination",
                   "The parameter instancesSet cannot be used with the parameter maxResults"):
        ec2.describe_instances(InstanceIds=[iid], MaxResults=5)
    with ec2_error("InvalidParameterValue"):
        ec2.describe_instances(MaxResults=4)


def test_describe_lists_reservations_and_their_instances_in_launch_order(ec2):
    # IDs are random, so ID order would shuffle a reservation's instances; AWS lists them as launched.
    _, sid = network(ec2)
    launches = [run(ec2, sid, count=n) for n in (8, 1, 4)]
    expected = [(r["ReservationId"], [i["InstanceId"] for i in r["Instances"]]) for r in launches]
    assert [i["AmiLaunchIndex"] for i in launches[0]["Instances"]] == list(range(8))
    assert expected[0][1] != sorted(expected[0][1]), "positive control: these IDs do not sort in launch order"
    got = [(r["ReservationId"], [i["InstanceId"] for i in r["Instances"]])
           for r in ec2.describe_instances()["Reservations"]]
    assert got == expected
    # Pages follow the same order and resume where the last one ended.
    paginator = ec2.get_paginator("describe_instances")
    paged = [i["InstanceId"] for p in paginator.paginate(PaginationConfig={"PageSize": 5})
             for r in p["Reservations"] for i in r["Instances"]]
    assert paged == [iid for _, ids in expected for iid in ids]
    # A filter keeps the order of what it keeps.
    ec2.stop_instances(InstanceIds=[expected[2][1][0], expected[0][1][3]])
    stopped = ec2.describe_instances(Filters=[{"Name": "instance-state-name", "Values": ["stopped"]}])
    assert [i["InstanceId"] for r in stopped["Reservations"] for i in r["Instances"]] == [
        expected[0][1][3], expected[2][1][0]]


def test_terminate_without_ids_is_refused(ec2):
    _, sid = network(ec2)
    iid = run(ec2, sid)["Instances"][0]["InstanceId"]
    with ec2_error("InvalidParameterCombination", "No instances specified"):
        ec2.terminate_instances(InstanceIds=[])
    assert describe(ec2, iid)["State"]["Name"] == "running"
    # Stop and Start name the missing parameter instead.
    with ec2_error("MissingParameter"):
        ec2.stop_instances(InstanceIds=[])
    assert ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"][0]["InstanceId"] == iid


def test_cli_describe_instances_auto_paginates(aws, ec2):
    _, sid = network(ec2)
    run(ec2, sid, count=6)
    res = aws("ec2", "describe-instances", "--page-size", "5", "--query", "Reservations[].Instances[].InstanceId")
    assert len(res.ok()) == 6


def test_names_in_another_region(client_factory):
    ec2 = client_factory(region="eu-west-1")
    inst = run(ec2)["Instances"][0]
    private = inst["PrivateIpAddress"].replace(".", "-")
    public = inst["PublicIpAddress"].replace(".", "-")
    assert inst["PrivateDnsName"] == f"ip-{private}.eu-west-1.compute.internal"
    assert inst["PublicDnsName"] == f"ec2-{public}.eu-west-1.compute.amazonaws.com"


def test_public_addresses_are_unique_across_accounts_and_regions(client_factory):
    seen = set()
    for region, key in (("us-east-1", "test"), ("us-west-2", "test"), ("us-east-1", "111111111111")):
        ec2 = client_factory(region=region, key=key)
        for inst in run(ec2, count=3)["Instances"]:
            seen.add(inst["PublicIpAddress"])
    assert len(seen) == 9


# ---------------------------------------------------------------------------------------------------------------
# Dependencies: subnets, VPCs, gateways, routes
# ---------------------------------------------------------------------------------------------------------------
def test_instances_hold_their_subnet_and_vpc(ec2):
    vid, sid = network(ec2)
    iid = run(ec2, sid)["Instances"][0]["InstanceId"]
    ec2.stop_instances(InstanceIds=[iid])
    with ec2_error("DependencyViolation", f"The subnet '{sid}' has dependencies and cannot be deleted."):
        ec2.delete_subnet(SubnetId=sid)
    with ec2_error("DependencyViolation", f"The vpc '{vid}' has dependencies and cannot be deleted."):
        ec2.delete_vpc(VpcId=vid)
    ec2.terminate_instances(InstanceIds=[iid])
    ec2.delete_subnet(SubnetId=sid)
    ec2.delete_vpc(VpcId=vid)
    assert describe(ec2, iid)["State"]["Name"] == "terminated"


def test_detach_gateway_with_mapped_public_addresses(ec2):
    vid, sid = network(ec2)
    igw = create_igw(ec2)["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
    iid = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, NetworkInterfaces=[
        {"DeviceIndex": 0, "SubnetId": sid, "AssociatePublicIpAddress": True}])["Instances"][0]["InstanceId"]
    with ec2_error("DependencyViolation",
                   f"Network {vid} has some mapped public address(es). Please unmap those public address(es) "
                   f"before detaching the gateway."):
        ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
    ec2.stop_instances(InstanceIds=[iid])  # releases the dynamic address
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vid)


def test_routes_to_instances_and_interfaces(ec2):
    vid, sid = network(ec2)
    inst = run(ec2, sid)["Instances"][0]
    iid, eni = inst["InstanceId"], inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
    rtb = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="192.168.0.0/16", InstanceId=iid)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="172.16.0.0/12", NetworkInterfaceId=eni)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="10.0.1.0/24", NetworkInterfaceId=eni)
    table = route_table(ec2, rtb)
    to_instance = route_for(table, "192.168.0.0/16")
    assert to_instance["InstanceId"] == iid and to_instance["InstanceOwnerId"] == DEFAULT_ACCOUNT
    assert to_instance["NetworkInterfaceId"] == eni and to_instance["State"] == "active"
    to_eni = route_for(table, "172.16.0.0/12")
    assert to_eni["NetworkInterfaceId"] == eni and to_eni["InstanceId"] == iid and to_eni["State"] == "active"
    assert {r["RouteTableId"] for r in ec2.describe_route_tables(
        Filters=[{"Name": "route.instance-id", "Values": [iid]}])["RouteTables"]} == {rtb}

    ec2.stop_instances(InstanceIds=[iid])
    table = route_table(ec2, rtb)
    assert route_for(table, "192.168.0.0/16")["State"] == "blackhole"
    assert route_for(table, "172.16.0.0/12")["State"] == "blackhole"
    ec2.start_instances(InstanceIds=[iid])
    assert route_for(route_table(ec2, rtb), "192.168.0.0/16")["State"] == "active"
    ec2.terminate_instances(InstanceIds=[iid])
    table = route_table(ec2, rtb)
    assert route_for(table, "192.168.0.0/16")["State"] == "blackhole"
    assert route_for(table, "172.16.0.0/12")["State"] == "blackhole"

    other_vpc, other_subnet = network(ec2, "10.9.1.0/24", "10.9.0.0/16")
    foreign = run(ec2, other_subnet)["Instances"][0]
    with ec2_error("InvalidParameterValue", prefix=f"route table {rtb} and instance {foreign['InstanceId']} belong"):
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="192.0.2.0/24", InstanceId=foreign["InstanceId"])
    with ec2_error("InvalidParameterValue", prefix=f"route table {rtb} and network interface "):
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="192.0.2.0/24",
                         NetworkInterfaceId=foreign["NetworkInterfaces"][0]["NetworkInterfaceId"])
    with ec2_error("InvalidInstanceID.NotFound"):
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="192.0.2.0/24", InstanceId=UNKNOWN_INSTANCE)
    with ec2_error("InvalidNetworkInterfaceID.NotFound", "The networkInterface ID 'eni-0123456789abcdef0' does not exist"):
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="192.0.2.0/24",
                         NetworkInterfaceId="eni-0123456789abcdef0")


def test_describe_instances_documented_filters_were_refused(ec2, aws):
    """Regression (issue 9): DescribeInstances refused filters the EC2 API reference lists (Terraform's and
    Ansible's lookups use several), though localvpc has their data."""
    _, sid = network(ec2)
    iid = run(ec2, sid)["Instances"][0]["InstanceId"]
    other = run(ec2, sid)["Instances"][0]["InstanceId"]
    ec2.stop_instances(InstanceIds=[other])
    shown = describe(ec2, iid)

    def matching(*filters):
        reservations = ec2.describe_instances(Filters=[{"Name": "subnet-id", "Values": [sid]}, *filters])
        return sorted(i["InstanceId"] for r in reservations["Reservations"] for i in r["Instances"])

    both = sorted([iid, other])
    assert matching({"Name": "architecture", "Values": [shown["Architecture"]]}) == both
    assert matching({"Name": "architecture", "Values": ["arm64"]}) == []
    assert matching({"Name": "hypervisor", "Values": ["xen"]}) == both
    assert matching({"Name": "root-device-type", "Values": ["ebs"]}) == both
    assert matching({"Name": "virtualization-type", "Values": ["hvm"]}) == both
    assert matching({"Name": "monitoring-state", "Values": ["disabled"]}) == both
    assert matching({"Name": "platform-details", "Values": ["Linux/UNIX"]}) == both
    assert matching({"Name": "availability-zone-id", "Values": [shown["Placement"]["AvailabilityZoneId"]]}) == both
    assert matching({"Name": "source-dest-check", "Values": ["true"]}) == both
    assert matching({"Name": "network-interface.private-ip-address",
                     "Values": [shown["PrivateIpAddress"]]}) == [iid]
    assert matching({"Name": "network-interface.addresses.primary", "Values": ["true"]}) == both
    assert matching({"Name": "instance-state-name", "Values": ["running"]},
                    {"Name": "launch-index", "Values": ["0"]}) == [iid]
    assert matching({"Name": "state-reason-code", "Values": ["Client.UserInitiatedShutdown"]}) == [other]
    res = aws("ec2", "describe-instances", "--filters", f"Name=subnet-id,Values={sid}",
              "Name=instance-state-name,Values=stopped,stopping").ok()
    assert [i["InstanceId"] for r in res["Reservations"] for i in r["Instances"]] == [other]
    with ec2_error("InvalidParameterValue", "The filter 'architectures' is invalid"):
        ec2.describe_instances(Filters=[{"Name": "architectures", "Values": ["x86_64"]}])


# ---------------------------------------------------------------------------------------------------------------
# Issue 8, defect 5: RunInstances was super-linear and unbounded (MaxCount=1000000 into a /18 launched 16,379
# instances and held every other writer for 9.1 s).
# ---------------------------------------------------------------------------------------------------------------
def instance_limit_message(requested, limit):
    return (f"You have requested more instances ({requested}) than your current instance limit of {limit} allows for "
            f"the specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an "
            f"adjustment to this limit.")


def test_run_instances_over_the_per_call_ceiling_is_refused_and_launches_nothing(ec2):
    _, sid = network(ec2, "10.0.0.0/18")
    assert available(ec2, sid) == 16379
    for max_count in (1000000, 1001):
        with ec2_error("InstanceLimitExceeded", instance_limit_message(max_count, 1000)):
            run(ec2, sid, MinCount=1, MaxCount=max_count)
    assert available(ec2, sid) == 16379
    assert ec2.describe_instances()["Reservations"] == []
    # Positive control: exactly the default ceiling launches, in address order.
    resp = run(ec2, sid, MinCount=1000, MaxCount=1000)
    assert len(resp["Instances"]) == 1000
    assert [i["PrivateIpAddress"] for i in resp["Instances"][:2]] == ["10.0.0.4", "10.0.0.5"]
    assert resp["Instances"][-1]["PrivateIpAddress"] == "10.0.3.235"
    assert len({i["NetworkInterfaces"][0]["NetworkInterfaceId"] for i in resp["Instances"]}) == 1000
    assert available(ec2, sid) == 15379
    assert describe(ec2, resp["Instances"][-1]["InstanceId"])["PrivateIpAddress"] == "10.0.3.235"
    assert len(ec2.describe_instances(MaxResults=5)["Reservations"][0]["Instances"]) == 5


def test_run_instances_ceiling_is_configurable(log_dir, client_factory):
    srv = LocalVpcServer("memory", log_dir, name="ceiling-5", extra_args=["--max-instances-per-call", "5"])
    srv.start()
    try:
        assert "max_instances_per_call=5" in srv.log_tail()
        ec2 = client_factory(endpoint=srv.endpoint)
        _, sid = network(ec2)
        with ec2_error("InstanceLimitExceeded", instance_limit_message(6, 5)):
            run(ec2, sid, MinCount=1, MaxCount=6)
        cli_error(run_aws(srv.endpoint, "ec2", "run-instances", "--image-id", AMI, "--subnet-id", sid,
                          "--count", "6"), "InstanceLimitExceeded", instance_limit_message(6, 5))
        assert ec2.describe_instances()["Reservations"] == []
        launched = run_aws(srv.endpoint, "ec2", "run-instances", "--image-id", AMI, "--subnet-id", sid,
                           "--count", "5").ok()
        assert len(launched["Instances"]) == 5
        assert available(ec2, sid) == 246
    finally:
        srv.stop()


def test_max_count_beyond_the_free_addresses_launches_what_fits_gaps_first(ec2):
    _, sid = network(ec2, "10.0.7.0/24")
    first = run(ec2, sid, count=20)["Instances"]
    gone = [first[n]["InstanceId"] for n in (0, 7, 8)]
    ec2.terminate_instances(InstanceIds=gone)
    assert available(ec2, sid) == 251 - 17
    # MaxCount above the free addresses (and at the ceiling) with a small MinCount: as many as fit (spec §2.9).
    resp = run(ec2, sid, MinCount=1, MaxCount=1000)
    addresses = [i["PrivateIpAddress"] for i in resp["Instances"]]
    assert len(addresses) == 234
    assert addresses[:4] == ["10.0.7.4", "10.0.7.11", "10.0.7.12", "10.0.7.24"]
    assert addresses[-1] == "10.0.7.254"
    assert len(set(addresses)) == 234
    assert available(ec2, sid) == 0
    # Negative: a MinCount that does not fit launches nothing, even once an address is free again.
    ec2.terminate_instances(InstanceIds=[resp["Instances"][100]["InstanceId"]])
    with ec2_error("InsufficientFreeAddressesInSubnet",
                   f"There are not enough free addresses in subnet '{sid}' to satisfy the requested number of "
                   f"instances."):
        run(ec2, sid, MinCount=2, MaxCount=5)
    assert available(ec2, sid) == 1
    assert run(ec2, sid, MinCount=1, MaxCount=5)["Instances"][0]["PrivateIpAddress"] == addresses[100]


def test_describe_with_explicit_ids_answers_exactly_those_in_launch_order(ec2):
    _, sid = network(ec2)
    launched = [i["InstanceId"] for i in run(ec2, sid, count=30)["Instances"]]
    wanted = [launched[n] for n in (17, 3, 25, 3, 9)]
    reservations = ec2.describe_instances(InstanceIds=wanted)["Reservations"]
    got = [i["InstanceId"] for r in reservations for i in r["Instances"]]
    assert got == [launched[n] for n in (3, 9, 17, 25)]
    # Filters still apply to the named instances only.
    ec2.stop_instances(InstanceIds=[launched[25]])
    reservations = ec2.describe_instances(InstanceIds=wanted,
                                          Filters=[{"Name": "instance-state-name", "Values": ["stopped"]}])
    assert [i["InstanceId"] for r in reservations["Reservations"] for i in r["Instances"]] == [launched[25]]
    # The same with paging, on the interfaces of those instances.
    enis = [ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]["NetworkInterfaces"][0]
            ["NetworkInterfaceId"] for iid in wanted]
    first = ec2.describe_network_interfaces(NetworkInterfaceIds=enis, MaxResults=5)
    assert "NextToken" not in first
    assert [n["NetworkInterfaceId"] for n in first["NetworkInterfaces"]] == sorted(set(enis))
