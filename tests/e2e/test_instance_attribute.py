"""Instance attributes (spec §10.3, §10.4): DescribeInstanceAttribute, ModifyInstanceAttribute and
ResetInstanceAttribute, with termination and stop protection, and a group change the engine sees at once."""
import base64
import json

import requests

from helpers import DEFAULT_ACCOUNT, cli_error, create_subnet, create_vpc, ec2_error

AMI = "ami-0123456789abcdef0"
UNKNOWN_INSTANCE = "i-0123456789abcdef0"
AUTH = {"Authorization": f"AWS4-HMAC-SHA256 Credential={DEFAULT_ACCOUNT}/20260101/us-east-1/ec2/aws4_request, "
                         "SignedHeaders=host, Signature=0"}


def launch(ec2, **kw):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    sid = create_subnet(ec2, vid, "10.0.1.0/24")["SubnetId"]
    kw.setdefault("InstanceType", "t3.micro")
    iid = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=sid, **kw)["Instances"][0]["InstanceId"]
    return vid, sid, iid


def attribute(ec2, iid, name):
    return ec2.describe_instance_attribute(InstanceId=iid, Attribute=name)


def stop(ec2, iid):
    ec2.stop_instances(InstanceIds=[iid])


def test_describe_every_attribute_at_launch(ec2):
    vid, _, iid = launch(ec2)
    sg = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vid]}])["SecurityGroups"][0]["GroupId"]
    assert attribute(ec2, iid, "instanceType")["InstanceType"] == {"Value": "t3.micro"}
    assert attribute(ec2, iid, "disableApiTermination")["DisableApiTermination"] == {"Value": False}
    assert attribute(ec2, iid, "disableApiStop")["DisableApiStop"] == {"Value": False}
    assert attribute(ec2, iid, "instanceInitiatedShutdownBehavior")["InstanceInitiatedShutdownBehavior"] == \
        {"Value": "stop"}
    assert attribute(ec2, iid, "sourceDestCheck")["SourceDestCheck"] == {"Value": True}
    assert attribute(ec2, iid, "groupSet")["Groups"] == [{"GroupId": sg}]
    assert attribute(ec2, iid, "ebsOptimized")["EbsOptimized"] == {"Value": False}
    assert attribute(ec2, iid, "enaSupport")["EnaSupport"] == {"Value": True}
    assert attribute(ec2, iid, "rootDeviceName")["RootDeviceName"] == {"Value": "/dev/xvda"}
    assert attribute(ec2, iid, "enclaveOptions")["EnclaveOptions"] == {"Enabled": False}
    assert attribute(ec2, iid, "userData")["UserData"] == {}
    assert attribute(ec2, iid, "kernel")["KernelId"] == {}
    resp = attribute(ec2, iid, "productCodes")
    assert resp["InstanceId"] == iid and resp.get("ProductCodes", []) == []
    # Only the requested attribute is answered.
    assert set(attribute(ec2, iid, "instanceType")) == {"InstanceId", "InstanceType", "ResponseMetadata"}


def test_describe_attribute_errors(ec2):
    _, _, iid = launch(ec2)
    for bad in ["abc", "Kernel", "userdata", "iNsTaNcEtYpE"]:
        with ec2_error("InvalidParameterValue", f"Value ({bad}) for parameter attribute is invalid. Unknown attribute."):
            attribute(ec2, iid, bad)
    with ec2_error("InvalidInstanceID.NotFound", f"The instance ID '{UNKNOWN_INSTANCE}' does not exist"):
        attribute(ec2, UNKNOWN_INSTANCE, "instanceType")
    with ec2_error("InvalidInstanceID.Malformed"):
        attribute(ec2, "i-zz", "instanceType")


def test_launch_values_are_described(ec2):
    user_data = base64.b64encode(b"#!/bin/sh\necho hi\n").decode()
    _, _, iid = launch(ec2, DisableApiTermination=True, DisableApiStop=True, EbsOptimized=True,
                       InstanceInitiatedShutdownBehavior="terminate", UserData="#!/bin/sh\necho hi\n")
    assert attribute(ec2, iid, "userData")["UserData"] == {"Value": user_data}
    assert attribute(ec2, iid, "disableApiTermination")["DisableApiTermination"] == {"Value": True}
    assert attribute(ec2, iid, "disableApiStop")["DisableApiStop"] == {"Value": True}
    assert attribute(ec2, iid, "ebsOptimized")["EbsOptimized"] == {"Value": True}
    assert attribute(ec2, iid, "instanceInitiatedShutdownBehavior")["InstanceInitiatedShutdownBehavior"] == \
        {"Value": "terminate"}
    with ec2_error("InvalidParameterValue",
                   "Value (hibernate) for parameter instanceInitiatedShutdownBehavior is invalid."):
        launch(ec2, InstanceInitiatedShutdownBehavior="hibernate")


def test_termination_protection(ec2):
    _, _, iid = launch(ec2)
    ec2.modify_instance_attribute(InstanceId=iid, DisableApiTermination={"Value": True})
    message = (f"The instance '{iid}' may not be terminated. Modify its 'disableApiTermination' instance attribute "
               "and try again.")
    with ec2_error("OperationNotPermitted", message):
        ec2.terminate_instances(InstanceIds=[iid])
    # Stopping is still allowed, and a stopped instance is still protected.
    stop(ec2, iid)
    with ec2_error("OperationNotPermitted", message):
        ec2.terminate_instances(InstanceIds=[iid])
    # The legacy Attribute/Value form lifts it (positive control).
    ec2.modify_instance_attribute(InstanceId=iid, Attribute="disableApiTermination", Value="false")
    assert ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"][0]["CurrentState"]["Name"] == \
        "shutting-down"


def test_stop_protection(ec2):
    _, _, iid = launch(ec2, DisableApiStop=True)
    message = f"The instance '{iid}' may not be stopped. Modify its 'disableApiStop' instance attribute and try again."
    with ec2_error("OperationNotPermitted", message):
        ec2.stop_instances(InstanceIds=[iid])
    # Stop protection also blocks API termination.
    with ec2_error("OperationNotPermitted", message):
        ec2.terminate_instances(InstanceIds=[iid])
    assert ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]["State"]["Name"] == "running"
    ec2.modify_instance_attribute(InstanceId=iid, DisableApiStop={"Value": False})
    assert ec2.stop_instances(InstanceIds=[iid])["StoppingInstances"][0]["CurrentState"]["Name"] == "stopping"


def test_instance_type_user_data_and_ebs_optimized_only_when_stopped(ec2):
    _, _, iid = launch(ec2)
    not_stopped = f"The instance '{iid}' is not in the 'stopped' state."
    with ec2_error("IncorrectInstanceState", not_stopped):
        ec2.modify_instance_attribute(InstanceId=iid, InstanceType={"Value": "t3.large"})
    with ec2_error("IncorrectInstanceState", not_stopped):
        ec2.modify_instance_attribute(InstanceId=iid, UserData={"Value": base64.b64encode(b"x")})
    with ec2_error("IncorrectInstanceState", not_stopped):
        ec2.modify_instance_attribute(InstanceId=iid, EbsOptimized={"Value": True})
    stop(ec2, iid)
    ec2.modify_instance_attribute(InstanceId=iid, InstanceType={"Value": "t3.large"})
    assert attribute(ec2, iid, "instanceType")["InstanceType"] == {"Value": "t3.large"}
    assert ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]["InstanceType"] == "t3.large"
    # boto3 base64-encodes the blob; the user data is the (base64) value it was given.
    encoded = base64.b64encode(b"this is my user data")
    ec2.modify_instance_attribute(InstanceId=iid, UserData={"Value": encoded})
    assert attribute(ec2, iid, "userData")["UserData"] == {"Value": encoded.decode()}
    ec2.modify_instance_attribute(InstanceId=iid, EbsOptimized={"Value": True})
    assert ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]["EbsOptimized"] is True
    with ec2_error("InvalidInstanceAttributeValue", "Value (huge) for parameter instanceType is invalid."):
        ec2.modify_instance_attribute(InstanceId=iid, InstanceType={"Value": "huge"})
    with ec2_error("InvalidParameterValue", "Invalid BASE64 encoding of user data."):
        ec2.modify_instance_attribute(InstanceId=iid, UserData={"Value": b"not base64!"})


def test_modify_needs_exactly_one_attribute(ec2):
    _, _, iid = launch(ec2)
    with ec2_error("InvalidParameterCombination", "No attributes specified."):
        ec2.modify_instance_attribute(InstanceId=iid)
    with ec2_error("InvalidParameterCombination", "Only one attribute can be modified at a time."):
        ec2.modify_instance_attribute(InstanceId=iid, DisableApiTermination={"Value": True},
                                      DisableApiStop={"Value": True})
    assert attribute(ec2, iid, "disableApiTermination")["DisableApiTermination"] == {"Value": False}
    with ec2_error("InvalidParameterValue", "Value (sometimes) for parameter disableApiStop is invalid."):
        ec2.modify_instance_attribute(InstanceId=iid, Attribute="disableApiStop", Value="sometimes")
    with ec2_error("InvalidInstanceID.NotFound"):
        ec2.modify_instance_attribute(InstanceId=UNKNOWN_INSTANCE, DisableApiStop={"Value": True})
    with ec2_error("DryRunOperation", status=412):
        ec2.modify_instance_attribute(InstanceId=iid, DisableApiStop={"Value": True}, DryRun=True)
    assert attribute(ec2, iid, "disableApiStop")["DisableApiStop"] == {"Value": False}


def test_source_dest_check_is_the_interface_flag_and_resets(ec2):
    _, _, iid = launch(ec2)
    ec2.modify_instance_attribute(InstanceId=iid, SourceDestCheck={"Value": False})
    assert attribute(ec2, iid, "sourceDestCheck")["SourceDestCheck"] == {"Value": False}
    inst = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
    assert inst["SourceDestCheck"] is False and inst["NetworkInterfaces"][0]["SourceDestCheck"] is False
    eni = inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]["SourceDestCheck"] is False
    ec2.reset_instance_attribute(InstanceId=iid, Attribute="sourceDestCheck")
    assert attribute(ec2, iid, "sourceDestCheck")["SourceDestCheck"] == {"Value": True}
    with ec2_error("InvalidParameterValue",
                   "Value (userData) for parameter attribute is invalid. Only kernel, ramdisk and sourceDestCheck "
                   "can be reset."):
        ec2.reset_instance_attribute(InstanceId=iid, Attribute="userData")
    with ec2_error("IncorrectInstanceState", f"The instance '{iid}' is not in the 'stopped' state."):
        ec2.reset_instance_attribute(InstanceId=iid, Attribute="kernel")
    stop(ec2, iid)
    ec2.reset_instance_attribute(InstanceId=iid, Attribute="kernel")


def probe(endpoint, source, destination):
    body = {"from": source, "to": destination, "protocol": "icmp"}
    return requests.post(f"{endpoint}/_localvpc/v1/probe", data=json.dumps(body), headers=AUTH, timeout=30).json()


def test_group_set_replaces_the_interface_groups_and_the_engine_sees_it(ec2, server):
    vid, sid, a = launch(ec2)
    b = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=sid)["Instances"][0]
    b_id, b_ip = b["InstanceId"], b["PrivateIpAddress"]
    closed = ec2.create_security_group(GroupName="closed", Description="no inbound", VpcId=vid)["GroupId"]
    # The default group lets members reach each other.
    assert probe(server.endpoint, a, b_ip)["verdict"] == "reachable"
    ec2.modify_instance_attribute(InstanceId=b_id, Groups=[closed])
    assert attribute(ec2, b_id, "groupSet")["Groups"] == [{"GroupId": closed}]
    described = ec2.describe_instances(InstanceIds=[b_id])["Reservations"][0]["Instances"][0]
    assert described["SecurityGroups"] == [{"GroupId": closed, "GroupName": "closed"}]
    assert probe(server.endpoint, a, b_ip)["verdict"] != "reachable"
    ec2.authorize_security_group_ingress(GroupId=closed, IpPermissions=[
        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
    assert probe(server.endpoint, a, b_ip)["verdict"] == "reachable"
    other_vpc = create_vpc(ec2, "10.9.0.0/16")["VpcId"]
    foreign = ec2.create_security_group(GroupName="far", Description="other vpc", VpcId=other_vpc)["GroupId"]
    with ec2_error("InvalidGroup.NotFound", "You have specified two resources that belong to different networks."):
        ec2.modify_instance_attribute(InstanceId=b_id, Groups=[foreign])
    with ec2_error("InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist"):
        ec2.modify_instance_attribute(InstanceId=b_id, Groups=["sg-0123456789abcdef0"])


def test_cli(aws, ec2):
    _, _, iid = launch(ec2)
    res = aws("ec2", "describe-instance-attribute", "--instance-id", iid, "--attribute", "instanceType")
    assert res.ok() == {"InstanceId": iid, "InstanceType": {"Value": "t3.micro"}}
    aws("ec2", "modify-instance-attribute", "--instance-id", iid, "--disable-api-termination").ok()
    res = aws("ec2", "describe-instance-attribute", "--instance-id", iid, "--attribute", "disableApiTermination")
    assert res.ok()["DisableApiTermination"] == {"Value": True}
    cli_error(aws("ec2", "terminate-instances", "--instance-ids", iid), "OperationNotPermitted")
    cli_error(aws("ec2", "modify-instance-attribute", "--instance-id", iid, "--instance-type", "Value=t3.large"),
              "IncorrectInstanceState", f"The instance '{iid}' is not in the 'stopped' state.")
    cli_error(aws("ec2", "describe-instance-attribute", "--instance-id", iid, "--attribute", "userdata"),
              "InvalidParameterValue", "Value (userdata) for parameter attribute is invalid. Unknown attribute.")
    aws("ec2", "modify-instance-attribute", "--instance-id", iid, "--no-disable-api-termination").ok()
    aws("ec2", "modify-instance-attribute", "--instance-id", iid, "--no-source-dest-check").ok()
    res = aws("ec2", "describe-instance-attribute", "--instance-id", iid, "--attribute", "sourceDestCheck")
    assert res.ok()["SourceDestCheck"] == {"Value": False}
    aws("ec2", "reset-instance-attribute", "--instance-id", iid, "--attribute", "sourceDestCheck").ok()
    assert aws("ec2", "terminate-instances", "--instance-ids", iid).ok()["TerminatingInstances"][0]["InstanceId"] == iid
