"""AttachNetworkInterface / DetachNetworkInterface (spec part 2 §11.2): a second interface joins an instance of its
zone at a free device index (the instance type's interface limit enforced), answers at its own address while
attached, leaves again (never the primary), and termination deletes or keeps it by its deleteOnTermination."""
import subprocess

from helpers import create_subnet, create_vpc, ec2_error
from test_exec import binary, tool_env

AMI = "ami-12345678"


def lab(ec2):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    sid = create_subnet(ec2, vid, "10.0.1.0/24", az="us-east-1b")["SubnetId"]
    a, b = ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2, SubnetId=sid, InstanceType="t2.micro")["Instances"]
    return vid, sid, a, b


def eni(ec2, sid, **kw):
    return ec2.create_network_interface(SubnetId=sid, **kw)["NetworkInterface"]


def described(ec2, eni_id):
    return ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]


def instance(ec2, instance_id):
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


def ping_from(server, source_id, address):
    argv = [binary(), "--endpoint", server.endpoint, "exec", source_id, "--", "ping", "-c", "1", address]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=tool_env(region="us-east-1"))
    return run.returncode, run.stdout


def test_attach_answer_detach(ec2, server):
    _, sid, a, b = lab(ec2)
    second = eni(ec2, sid, Description="second")
    before = ping_from(server, a["InstanceId"], second["PrivateIpAddress"])
    assert before[0] == 1 and "100% packet loss" in before[1], before

    answer = ec2.attach_network_interface(NetworkInterfaceId=second["NetworkInterfaceId"],
                                          InstanceId=b["InstanceId"], DeviceIndex=1)
    assert answer["AttachmentId"].startswith("eni-attach-") and answer["NetworkCardIndex"] == 0
    now = described(ec2, second["NetworkInterfaceId"])
    assert now["Status"] == "in-use"
    assert now["Attachment"]["AttachmentId"] == answer["AttachmentId"]
    assert now["Attachment"]["InstanceId"] == b["InstanceId"] and now["Attachment"]["DeviceIndex"] == 1
    assert now["Attachment"]["DeleteOnTermination"] is False, "a later-attached interface is kept by default"
    listed = instance(ec2, b["InstanceId"])
    assert [(i["Attachment"]["DeviceIndex"], i["NetworkInterfaceId"]) for i in listed["NetworkInterfaces"]] == [
        (0, b["NetworkInterfaces"][0]["NetworkInterfaceId"]), (1, second["NetworkInterfaceId"])]
    assert listed["PrivateIpAddress"] == b["PrivateIpAddress"], "the instance's address stays its primary's"
    by_instance = ec2.describe_network_interfaces(
        Filters=[{"Name": "attachment.instance-id", "Values": [b["InstanceId"]]}])["NetworkInterfaces"]
    assert len(by_instance) == 2

    # The instance answers at its second address too (both interfaces are in the VPC's default group).
    code, out = ping_from(server, a["InstanceId"], second["PrivateIpAddress"])
    assert code == 0 and "1 received" in out, out
    code, out = ping_from(server, a["InstanceId"], b["PrivateIpAddress"])
    assert code == 0 and "1 received" in out, out

    with ec2_error("OperationNotPermitted", "The network interface at device index 0 cannot be detached."):
        ec2.detach_network_interface(AttachmentId=b["NetworkInterfaces"][0]["Attachment"]["AttachmentId"])
    assert ec2.detach_network_interface(AttachmentId=answer["AttachmentId"])["ResponseMetadata"]["HTTPStatusCode"] == 200
    after = described(ec2, second["NetworkInterfaceId"])
    assert after["Status"] == "available" and "Attachment" not in after
    assert len(instance(ec2, b["InstanceId"])["NetworkInterfaces"]) == 1
    code, out = ping_from(server, a["InstanceId"], second["PrivateIpAddress"])
    assert code == 1 and "100% packet loss" in out, out
    with ec2_error("InvalidAttachmentID.NotFound"):
        ec2.detach_network_interface(AttachmentId=answer["AttachmentId"])


def test_attach_refusals(ec2):
    vid, sid, a, b = lab(ec2)
    second, third = eni(ec2, sid), eni(ec2, sid)
    ec2.attach_network_interface(NetworkInterfaceId=second["NetworkInterfaceId"], InstanceId=a["InstanceId"],
                                 DeviceIndex=1)
    with ec2_error("InvalidNetworkInterface.InUse", f"Interface: [{second['NetworkInterfaceId']}] in use."):
        ec2.attach_network_interface(NetworkInterfaceId=second["NetworkInterfaceId"], InstanceId=b["InstanceId"],
                                     DeviceIndex=1)
    with ec2_error("InvalidParameterValue",
                   f"Instance '{a['InstanceId']}' already has an interface attached at device index '1'."):
        ec2.attach_network_interface(NetworkInterfaceId=third["NetworkInterfaceId"], InstanceId=a["InstanceId"],
                                     DeviceIndex=1)
    with ec2_error("AttachmentLimitExceeded", "Interface count 3 exceeds the limit for t2.micro"):
        ec2.attach_network_interface(NetworkInterfaceId=third["NetworkInterfaceId"], InstanceId=a["InstanceId"],
                                     DeviceIndex=2)
    other_zone = create_subnet(ec2, vid, "10.0.2.0/24", az="us-east-1c")["SubnetId"]
    far = eni(ec2, other_zone)
    with ec2_error("InvalidParameterCombination"):
        ec2.attach_network_interface(NetworkInterfaceId=far["NetworkInterfaceId"], InstanceId=b["InstanceId"],
                                     DeviceIndex=1)
    with ec2_error("InvalidInstanceID.NotFound"):
        ec2.attach_network_interface(NetworkInterfaceId=third["NetworkInterfaceId"],
                                     InstanceId="i-0123456789abcdef0", DeviceIndex=1)
    # Positive control: the refused interface attaches where there is room.
    ec2.attach_network_interface(NetworkInterfaceId=third["NetworkInterfaceId"], InstanceId=b["InstanceId"],
                                 DeviceIndex=1)
    assert described(ec2, third["NetworkInterfaceId"])["Attachment"]["InstanceId"] == b["InstanceId"]


def test_termination_deletes_or_keeps_attached_interfaces(ec2):
    _, sid, a, _ = lab(ec2)
    kept = eni(ec2, sid)
    ec2.attach_network_interface(NetworkInterfaceId=kept["NetworkInterfaceId"], InstanceId=a["InstanceId"],
                                 DeviceIndex=1)
    ec2.terminate_instances(InstanceIds=[a["InstanceId"]])
    assert described(ec2, kept["NetworkInterfaceId"])["Status"] == "available"
    with ec2_error("InvalidNetworkInterfaceID.NotFound"):
        described(ec2, a["NetworkInterfaces"][0]["NetworkInterfaceId"])

    c = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=sid)["Instances"][0]
    gone = eni(ec2, sid)
    attachment = ec2.attach_network_interface(NetworkInterfaceId=gone["NetworkInterfaceId"],
                                              InstanceId=c["InstanceId"], DeviceIndex=1)["AttachmentId"]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=gone["NetworkInterfaceId"],
                                           Attachment={"AttachmentId": attachment, "DeleteOnTermination": True})
    ec2.terminate_instances(InstanceIds=[c["InstanceId"]])
    with ec2_error("InvalidNetworkInterfaceID.NotFound"):
        described(ec2, gone["NetworkInterfaceId"])


def test_attachments_survive_a_restart(sqlite_server, client_factory):
    srv = sqlite_server().start()
    ec2 = client_factory(endpoint=srv.endpoint)
    _, sid, a, _ = lab(ec2)
    second = eni(ec2, sid)
    attachment = ec2.attach_network_interface(NetworkInterfaceId=second["NetworkInterfaceId"],
                                              InstanceId=a["InstanceId"], DeviceIndex=1)["AttachmentId"]
    srv.kill()
    srv.start()
    fresh = client_factory(endpoint=srv.endpoint)
    listed = instance(fresh, a["InstanceId"])["NetworkInterfaces"]
    assert [i["NetworkInterfaceId"] for i in listed] == [a["NetworkInterfaces"][0]["NetworkInterfaceId"],
                                                         second["NetworkInterfaceId"]]
    # The attachment index was rebuilt from the store: the attachment is found by its ID.
    assert fresh.detach_network_interface(AttachmentId=attachment)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert described(fresh, second["NetworkInterfaceId"])["Status"] == "available"


def test_an_instance_sends_from_the_interface_in_the_destination_subnet(ec2, server):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    front = create_subnet(ec2, vid, "10.0.1.0/24", az="us-east-1b")["SubnetId"]
    back = create_subnet(ec2, vid, "10.0.2.0/24", az="us-east-1b")["SubnetId"]
    # The back-end host admits ping only from the back subnet.
    only_back = ec2.create_security_group(GroupName="only-back", Description="b", VpcId=vid)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=only_back, IpPermissions=[
        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.2.0/24"}]}])
    host = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=front)["Instances"][0]
    db = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=back,
                           SecurityGroupIds=[only_back])["Instances"][0]
    before = ping_from(server, host["InstanceId"], db["PrivateIpAddress"])
    assert before[0] == 1 and "100% packet loss" in before[1], f"sent from 10.0.1.x, refused: {before}"

    leg = eni(ec2, back)
    ec2.attach_network_interface(NetworkInterfaceId=leg["NetworkInterfaceId"], InstanceId=host["InstanceId"],
                                 DeviceIndex=1)
    code, out = ping_from(server, host["InstanceId"], db["PrivateIpAddress"])
    assert code == 0 and "1 received" in out, f"sent from its back-subnet interface {leg['PrivateIpAddress']}: {out}"
