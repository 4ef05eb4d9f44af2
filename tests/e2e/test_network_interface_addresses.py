"""Secondary private addresses (spec part 2 §11.4): AssignPrivateIpAddresses by address or count (with
AllowReassignment), UnassignPrivateIpAddresses, CreateNetworkInterface's SecondaryPrivateIpAddressCount, the
instance type's addresses-per-interface limit, and delivery: an instance answers at its secondary address."""
import subprocess

from helpers import create_subnet, create_vpc, ec2_error
from test_exec import binary, tool_env

AMI = "ami-12345678"


def network(ec2):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    return vid, create_subnet(ec2, vid, "10.0.1.0/24", az="us-east-1b")["SubnetId"]


def addresses(ec2, eni_id):
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    return [(a["PrivateIpAddress"], a["Primary"]) for a in eni["PrivateIpAddresses"]]


def free(ec2, sid):
    return ec2.describe_subnets(SubnetIds=[sid])["Subnets"][0]["AvailableIpAddressCount"]


def ping_from(server, source_id, address):
    argv = [binary(), "--endpoint", server.endpoint, "exec", source_id, "--", "ping", "-c", "1", address]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=tool_env(region="us-east-1"))
    return run.returncode, run.stdout


def test_create_with_secondary_count_and_unassign(ec2):
    _, sid = network(ec2)
    before = free(ec2, sid)
    eni = ec2.create_network_interface(SubnetId=sid, SecondaryPrivateIpAddressCount=2)["NetworkInterface"]
    assert [(a["PrivateIpAddress"], a["Primary"]) for a in eni["PrivateIpAddresses"]] == [
        ("10.0.1.4", True), ("10.0.1.5", False), ("10.0.1.6", False)]
    assert eni["PrivateIpAddresses"][1]["PrivateDnsName"] == "ip-10-0-1-5.ec2.internal"
    assert free(ec2, sid) == before - 3
    found = ec2.describe_network_interfaces(Filters=[{"Name": "private-ip-address", "Values": ["10.0.1.6"]}])
    assert [e["NetworkInterfaceId"] for e in found["NetworkInterfaces"]] == [eni["NetworkInterfaceId"]]

    with ec2_error("InvalidParameterValue",
                   f"Some of the specified addresses are not assigned to interface {eni['NetworkInterfaceId']}"):
        ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni["NetworkInterfaceId"], PrivateIpAddresses=["10.0.1.4"])
    ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni["NetworkInterfaceId"], PrivateIpAddresses=["10.0.1.5"])
    assert addresses(ec2, eni["NetworkInterfaceId"]) == [("10.0.1.4", True), ("10.0.1.6", False)]
    assert free(ec2, sid) == before - 2
    # The freed address is the next one given out.
    assert ec2.create_network_interface(SubnetId=sid)["NetworkInterface"]["PrivateIpAddress"] == "10.0.1.5"


def test_assign_by_address_count_and_reassignment(ec2):
    _, sid = network(ec2)
    a = ec2.create_network_interface(SubnetId=sid)["NetworkInterface"]["NetworkInterfaceId"]
    b = ec2.create_network_interface(SubnetId=sid)["NetworkInterface"]["NetworkInterfaceId"]
    answer = ec2.assign_private_ip_addresses(NetworkInterfaceId=a, PrivateIpAddresses=["10.0.1.50"])
    assert answer["NetworkInterfaceId"] == a
    assert answer["AssignedPrivateIpAddresses"] == [{"PrivateIpAddress": "10.0.1.50"}]
    counted = ec2.assign_private_ip_addresses(NetworkInterfaceId=a, SecondaryPrivateIpAddressCount=2)
    assert [x["PrivateIpAddress"] for x in counted["AssignedPrivateIpAddresses"]] == ["10.0.1.6", "10.0.1.7"]
    with ec2_error("InvalidIPAddress.InUse", "Address 10.0.1.50 is in use."):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=b, PrivateIpAddresses=["10.0.1.50"])
    with ec2_error("InvalidIPAddress.InUse"):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=b, PrivateIpAddresses=["10.0.1.4"], AllowReassignment=True)
    ec2.assign_private_ip_addresses(NetworkInterfaceId=b, PrivateIpAddresses=["10.0.1.50"], AllowReassignment=True)
    assert ("10.0.1.50", False) in addresses(ec2, b)
    assert ("10.0.1.50", False) not in addresses(ec2, a), "reassigned: the other interface lost it"
    with ec2_error("InvalidParameterCombination"):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=a, PrivateIpAddresses=["10.0.1.60"],
                                        SecondaryPrivateIpAddressCount=1)
    with ec2_error("MissingParameter"):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=a)
    with ec2_error("InvalidParameterValue", "Address 10.0.2.1 does not fall within the subnet's address range"):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=a, PrivateIpAddresses=["10.0.2.1"])
    with ec2_error("InvalidNetworkInterfaceID.NotFound"):
        ec2.assign_private_ip_addresses(NetworkInterfaceId="eni-0123456789abcdef0", SecondaryPrivateIpAddressCount=1)


def test_the_instance_type_limits_addresses_per_interface(ec2):
    _, sid = network(ec2)
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=sid,
                                 InstanceType="t2.micro")["Instances"][0]
    eni_id = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, SecondaryPrivateIpAddressCount=1)
    with ec2_error("PrivateIpAddressLimitExceeded"):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, SecondaryPrivateIpAddressCount=1)
    assert len(addresses(ec2, eni_id)) == 2, "t2.micro: two addresses per interface"
    described = ec2.describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"][0]["Instances"][0]
    assert len(described["NetworkInterfaces"][0]["PrivateIpAddresses"]) == 2


def test_an_instance_answers_at_its_secondary_address(ec2, server):
    _, sid = network(ec2)
    a, b = ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2, SubnetId=sid)["Instances"]
    b_eni = b["NetworkInterfaces"][0]["NetworkInterfaceId"]
    code, out = ping_from(server, a["InstanceId"], "10.0.1.40")
    assert code == 1 and "100% packet loss" in out, out
    ec2.assign_private_ip_addresses(NetworkInterfaceId=b_eni, PrivateIpAddresses=["10.0.1.40"])
    code, out = ping_from(server, a["InstanceId"], "10.0.1.40")
    assert code == 0 and "1 received" in out, out
    ec2.unassign_private_ip_addresses(NetworkInterfaceId=b_eni, PrivateIpAddresses=["10.0.1.40"])
    code, out = ping_from(server, a["InstanceId"], "10.0.1.40")
    assert code == 1 and "100% packet loss" in out, out
    code, out = ping_from(server, a["InstanceId"], b["PrivateIpAddress"])
    assert code == 0 and "1 received" in out, f"positive control: the primary still answers: {out}"


def test_create_with_a_list_of_addresses(ec2):
    _, sid = network(ec2)
    before = free(ec2, sid)
    eni = ec2.create_network_interface(SubnetId=sid, PrivateIpAddresses=[
        {"PrivateIpAddress": "10.0.1.20"}, {"PrivateIpAddress": "10.0.1.21", "Primary": True},
        {"PrivateIpAddress": "10.0.1.22"}])["NetworkInterface"]
    assert eni["PrivateIpAddress"] == "10.0.1.21", "the entry marked primary"
    assert [(a["PrivateIpAddress"], a["Primary"]) for a in eni["PrivateIpAddresses"]] == [
        ("10.0.1.21", True), ("10.0.1.20", False), ("10.0.1.22", False)]
    assert free(ec2, sid) == before - 3
    with ec2_error("InvalidIPAddress.InUse", "Address 10.0.1.22 is in use."):
        ec2.create_network_interface(SubnetId=sid, PrivateIpAddresses=[{"PrivateIpAddress": "10.0.1.30"},
                                                                     {"PrivateIpAddress": "10.0.1.22"}])
    assert free(ec2, sid) == before - 3, "the refused interface took nothing"
