"""Network interfaces as resources (spec part 2 §11.1, §11.3): CreateNetworkInterface (address, groups, tags, AWS's
refusals), DeleteNetworkInterface (refused while attached), ModifyNetworkInterfaceAttribute and
DescribeNetworkInterfaceAttribute — through boto3 and the aws CLI, isolated per account."""
import pytest

from helpers import create_subnet, create_vpc, ec2_error

AMI = "ami-12345678"


def network(ec2):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    return vid, create_subnet(ec2, vid, "10.0.1.0/24", az="us-east-1b")["SubnetId"]


def default_group(ec2, vid):
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vid]},
                                                   {"Name": "group-name", "Values": ["default"]}])
    return groups["SecurityGroups"][0]["GroupId"]


def free_addresses(ec2, sid):
    return ec2.describe_subnets(SubnetIds=[sid])["Subnets"][0]["AvailableIpAddressCount"]


def test_create_defaults_describe_and_delete(ec2):
    vid, sid = network(ec2)
    before = free_addresses(ec2, sid)
    eni = ec2.create_network_interface(
        SubnetId=sid, Description="app",
        TagSpecifications=[{"ResourceType": "network-interface", "Tags": [{"Key": "Name", "Value": "app-eni"}]}],
    )["NetworkInterface"]
    assert eni["NetworkInterfaceId"].startswith("eni-") and len(eni["NetworkInterfaceId"]) == 21
    assert eni["Status"] == "available" and "Attachment" not in eni
    assert eni["SubnetId"] == sid and eni["VpcId"] == vid and eni["AvailabilityZone"] == "us-east-1b"
    assert eni["PrivateIpAddress"] == "10.0.1.4", "the first address after the four reserved ones"
    assert eni["Description"] == "app" and eni["SourceDestCheck"] is True
    assert eni["InterfaceType"] == "interface" and eni["RequesterManaged"] is False
    assert [g["GroupId"] for g in eni["Groups"]] == [default_group(ec2, vid)], "no groups given: the VPC's default"
    assert eni["TagSet"] == [{"Key": "Name", "Value": "app-eni"}]
    assert free_addresses(ec2, sid) == before - 1
    listed = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni["NetworkInterfaceId"]])["NetworkInterfaces"]
    assert [e["PrivateIpAddress"] for e in listed] == ["10.0.1.4"]
    by_status = ec2.describe_network_interfaces(Filters=[{"Name": "status", "Values": ["available"]}])
    assert [e["NetworkInterfaceId"] for e in by_status["NetworkInterfaces"]] == [eni["NetworkInterfaceId"]]
    # An instance launched next takes the next free address: the interface holds its own.
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=sid)["Instances"][0]
    assert instance["PrivateIpAddress"] == "10.0.1.5"

    assert ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])["ResponseMetadata"]
    with ec2_error("InvalidNetworkInterfaceID.NotFound",
                   f"The networkInterface ID '{eni['NetworkInterfaceId']}' does not exist"):
        ec2.describe_network_interfaces(NetworkInterfaceIds=[eni["NetworkInterfaceId"]])
    assert free_addresses(ec2, sid) == before - 1, "its address is free again; the instance holds one"
    with ec2_error("InvalidNetworkInterfaceID.NotFound"):
        ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])


def test_create_with_address_and_groups_and_the_refusals(ec2):
    vid, sid = network(ec2)
    web = ec2.create_security_group(GroupName="web", Description="w", VpcId=vid)["GroupId"]
    eni = ec2.create_network_interface(SubnetId=sid, PrivateIpAddress="10.0.1.50", Groups=[web])["NetworkInterface"]
    assert eni["PrivateIpAddress"] == "10.0.1.50"
    assert eni["Groups"] == [{"GroupId": web, "GroupName": "web"}]
    with ec2_error("InvalidIPAddress.InUse", "Address 10.0.1.50 is in use."):
        ec2.create_network_interface(SubnetId=sid, PrivateIpAddress="10.0.1.50")
    with ec2_error("InvalidParameterValue", "Address 10.0.2.9 does not fall within the subnet's address range"):
        ec2.create_network_interface(SubnetId=sid, PrivateIpAddress="10.0.2.9")
    with ec2_error("InvalidSubnetID.NotFound"):
        ec2.create_network_interface(SubnetId="subnet-0123456789abcdef0")
    with ec2_error("InvalidGroup.NotFound"):
        ec2.create_network_interface(SubnetId=sid, Groups=["sg-0123456789abcdef0"])
    other_vid = create_vpc(ec2, "10.9.0.0/16")["VpcId"]
    foreign = ec2.create_security_group(GroupName="far", Description="f", VpcId=other_vid)["GroupId"]
    with ec2_error("InvalidParameter", f"Security group {foreign} and subnet {sid} belong to different networks."):
        ec2.create_network_interface(SubnetId=sid, Groups=[foreign])
    # None of the refused calls left an interface behind.
    left = ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [sid]}])["NetworkInterfaces"]
    assert [e["NetworkInterfaceId"] for e in left] == [eni["NetworkInterfaceId"]]


def test_a_full_subnet_refuses_with_insufficient_free_addresses(ec2):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    sid = create_subnet(ec2, vid, "10.0.3.0/28")["SubnetId"]   # 16 addresses, 5 reserved
    made = [ec2.create_network_interface(SubnetId=sid)["NetworkInterface"]["PrivateIpAddress"] for _ in range(11)]
    assert made[0] == "10.0.3.4" and made[-1] == "10.0.3.14"
    with ec2_error("InsufficientFreeAddressesInSubnet"):
        ec2.create_network_interface(SubnetId=sid)


def test_an_attached_interface_cannot_be_deleted(ec2):
    _, sid = network(ec2)
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=sid)["Instances"][0]
    primary = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    with ec2_error("InvalidNetworkInterface.InUse", f"The network interface '{primary}' is currently in use."):
        ec2.delete_network_interface(NetworkInterfaceId=primary)
    assert ec2.describe_network_interfaces(NetworkInterfaceIds=[primary])["NetworkInterfaces"][0]["Status"] == "in-use"


def test_modify_and_describe_attributes(ec2):
    vid, sid = network(ec2)
    eni_id = ec2.create_network_interface(SubnetId=sid, Description="old")["NetworkInterface"]["NetworkInterfaceId"]

    def attribute(name):
        answer = ec2.describe_network_interface_attribute(NetworkInterfaceId=eni_id, Attribute=name)
        assert answer["NetworkInterfaceId"] == eni_id
        return answer

    assert attribute("description")["Description"] == {"Value": "old"}
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id, Description={"Value": "new"})
    assert attribute("description")["Description"] == {"Value": "new"}

    assert attribute("sourceDestCheck")["SourceDestCheck"] == {"Value": True}
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id, SourceDestCheck={"Value": False})
    assert attribute("sourceDestCheck")["SourceDestCheck"] == {"Value": False}
    assert ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]["SourceDestCheck"] \
        is False

    db = ec2.create_security_group(GroupName="db", Description="d", VpcId=vid)["GroupId"]
    assert [g["GroupId"] for g in attribute("groupSet")["Groups"]] == [default_group(ec2, vid)]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id, Groups=[db])
    assert attribute("groupSet")["Groups"] == [{"GroupId": db, "GroupName": "db"}]
    with ec2_error("InvalidGroup.NotFound"):
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id, Groups=["sg-0123456789abcdef0"])
    assert attribute("groupSet")["Groups"] == [{"GroupId": db, "GroupName": "db"}], "a refused change changes nothing"

    assert "Attachment" not in attribute("attachment")
    assert attribute("associatePublicIpAddress")["AssociatePublicIpAddress"] is False

    with ec2_error("InvalidParameterCombination"):
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id, Description={"Value": "x"},
                                               SourceDestCheck={"Value": True})
    with ec2_error("InvalidParameterValue"):
        ec2.describe_network_interface_attribute(NetworkInterfaceId=eni_id, Attribute="color")
    with ec2_error("InvalidNetworkInterfaceID.NotFound"):
        ec2.modify_network_interface_attribute(NetworkInterfaceId="eni-0123456789abcdef0", Description={"Value": "x"})


def test_delete_on_termination_of_an_instance_interface(ec2):
    _, sid = network(ec2)
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=sid)["Instances"][0]
    eni = instance["NetworkInterfaces"][0]
    attachment_id = eni["Attachment"]["AttachmentId"]
    assert eni["Attachment"]["DeleteOnTermination"] is True
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni["NetworkInterfaceId"],
                                           Attachment={"AttachmentId": attachment_id, "DeleteOnTermination": False})
    described = ec2.describe_network_interface_attribute(NetworkInterfaceId=eni["NetworkInterfaceId"],
                                                         Attribute="attachment")["Attachment"]
    assert described["AttachmentId"] == attachment_id and described["DeleteOnTermination"] is False
    assert described["InstanceId"] == instance["InstanceId"] and described["DeviceIndex"] == 0
    with ec2_error("InvalidAttachmentID.NotFound"):
        ec2.modify_network_interface_attribute(
            NetworkInterfaceId=eni["NetworkInterfaceId"],
            Attachment={"AttachmentId": "eni-attach-0123456789abcdef0", "DeleteOnTermination": True})


def test_the_aws_cli_and_account_isolation(ec2, aws, client_factory):
    _, sid = network(ec2)
    made = aws("ec2", "create-network-interface", "--subnet-id", sid, "--description", "from the cli")
    assert made.rc == 0, made.stderr
    eni_id = made.json["NetworkInterface"]["NetworkInterfaceId"]
    assert made.json["NetworkInterface"]["Description"] == "from the cli"
    other = client_factory(key="444444444444")
    with ec2_error("InvalidNetworkInterfaceID.NotFound"):
        other.describe_network_interfaces(NetworkInterfaceIds=[eni_id])
    with ec2_error("InvalidNetworkInterfaceID.NotFound"):
        other.delete_network_interface(NetworkInterfaceId=eni_id)
    with ec2_error("InvalidNetworkInterfaceID.NotFound"):
        other.modify_network_interface_attribute(NetworkInterfaceId=eni_id, Description={"Value": "mine"})
    # Positive control: the owner sees it unchanged and may delete it.
    mine = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    assert mine["Description"] == "from the cli"
    deleted = aws("ec2", "delete-network-interface", "--network-interface-id", eni_id)
    assert deleted.rc == 0, deleted.stderr


@pytest.mark.parametrize("dry_run_action", ["create", "delete"])
def test_dry_run_changes_nothing(ec2, dry_run_action):
    _, sid = network(ec2)
    if dry_run_action == "create":
        with ec2_error("DryRunOperation", status=412):
            ec2.create_network_interface(SubnetId=sid, DryRun=True)
        assert ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [sid]}])["NetworkInterfaces"] == []
    else:
        eni_id = ec2.create_network_interface(SubnetId=sid)["NetworkInterface"]["NetworkInterfaceId"]
        with ec2_error("DryRunOperation", status=412):
            ec2.delete_network_interface(NetworkInterfaceId=eni_id, DryRun=True)
        assert len(ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"]) == 1


def test_termination_keeps_an_interface_whose_attachment_says_so_and_nothing_answers_at_a_bare_interface(
        ec2, server):
    import subprocess

    from test_exec import binary, tool_env

    _, sid = network(ec2)
    a, b = ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2, SubnetId=sid)["Instances"]
    b_eni = b["NetworkInterfaces"][0]
    bare = ec2.create_network_interface(SubnetId=sid)["NetworkInterface"]["PrivateIpAddress"]

    def ping(address):
        argv = [binary(), "--endpoint", server.endpoint, "exec", a["InstanceId"], "--", "ping", "-c", "1", address]
        run = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                             env=tool_env(region="us-east-1", key="test"))
        return run.returncode, run.stdout

    # Positive control: both instances are in the VPC's default group, which lets its members talk.
    code, out = ping(b["PrivateIpAddress"])
    assert code == 0 and "1 received" in out, out
    code, out = ping(bare)
    assert code == 1 and "100% packet loss" in out, f"no host behind an unattached interface: {out}"

    ec2.modify_network_interface_attribute(
        NetworkInterfaceId=b_eni["NetworkInterfaceId"],
        Attachment={"AttachmentId": b_eni["Attachment"]["AttachmentId"], "DeleteOnTermination": False})
    ec2.terminate_instances(InstanceIds=[b["InstanceId"]])
    kept = ec2.describe_network_interfaces(NetworkInterfaceIds=[b_eni["NetworkInterfaceId"]])["NetworkInterfaces"][0]
    assert kept["Status"] == "available" and "Attachment" not in kept
    assert kept["PrivateIpAddress"] == b["PrivateIpAddress"], "it keeps its address"
    code, out = ping(b["PrivateIpAddress"])
    assert code == 1 and "100% packet loss" in out, out
    # Its neighbour, terminated with the default flag, takes its interface with it.
    ec2.terminate_instances(InstanceIds=[a["InstanceId"]])
    with ec2_error("InvalidNetworkInterfaceID.NotFound"):
        ec2.describe_network_interfaces(NetworkInterfaceIds=[a["NetworkInterfaces"][0]["NetworkInterfaceId"]])
