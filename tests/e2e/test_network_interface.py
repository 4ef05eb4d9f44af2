"""Network interfaces (spec §2.9): the primary interface of every instance, DescribeNetworkInterfaces with its
filters and paging, and the public association it carries (dynamic address or Elastic IP)."""
import ipaddress
import re

from helpers import DEFAULT_ACCOUNT, assert_id, cli_error, create_igw, create_subnet, create_vpc, ec2_error

AMI = "ami-12345678"
UNKNOWN_ENI = "eni-0123456789abcdef0"


def launch(ec2, subnet_id, count=1, public=False, **kw):
    if public:
        kw["NetworkInterfaces"] = [{"DeviceIndex": 0, "SubnetId": subnet_id, "AssociatePublicIpAddress": True}]
    else:
        kw["SubnetId"] = subnet_id
    return ec2.run_instances(ImageId=AMI, MinCount=count, MaxCount=count, **kw)["Instances"]


def network(ec2):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    return vid, create_subnet(ec2, vid, "10.0.1.0/24", az="us-east-1b")["SubnetId"]


def enis(ec2, **kw):
    return ec2.describe_network_interfaces(**kw)["NetworkInterfaces"]


def test_describe_network_interface_fields(ec2):
    vid, sid = network(ec2)
    inst = launch(ec2, sid)[0]
    eni_id = inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
    (eni,) = enis(ec2, NetworkInterfaceIds=[eni_id])
    assert_id(eni["NetworkInterfaceId"], "eni")
    assert eni["SubnetId"] == sid and eni["VpcId"] == vid
    assert eni["AvailabilityZone"] == "us-east-1b"
    assert eni["OwnerId"] == DEFAULT_ACCOUNT
    assert eni["RequesterManaged"] is False
    assert eni["Status"] == "in-use"
    assert eni["InterfaceType"] == "interface"
    assert eni["SourceDestCheck"] is True
    assert re.fullmatch(r"0a(:[0-9a-f]{2}){5}", eni["MacAddress"])
    assert eni["MacAddress"] == inst["NetworkInterfaces"][0]["MacAddress"]
    assert eni["PrivateIpAddress"] == "10.0.1.4"
    assert eni["PrivateDnsName"] == "ip-10-0-1-4.ec2.internal"
    assert [g["GroupName"] for g in eni["Groups"]] == ["default"]
    att = eni["Attachment"]
    assert_id(att["AttachmentId"], "eni-attach")
    assert att["InstanceId"] == inst["InstanceId"] and att["InstanceOwnerId"] == DEFAULT_ACCOUNT
    assert att["DeviceIndex"] == 0 and att["Status"] == "attached" and att["DeleteOnTermination"] is True
    assert eni["PrivateIpAddresses"] == [{"PrivateIpAddress": "10.0.1.4", "PrivateDnsName": "ip-10-0-1-4.ec2.internal",
                                          "Primary": True}]
    assert "Association" not in eni


def test_one_interface_per_instance_and_termination_deletes_it(ec2):
    _, sid = network(ec2)
    instances = launch(ec2, sid, count=3)
    assert len(enis(ec2, Filters=[{"Name": "subnet-id", "Values": [sid]}])) == 3
    doomed = instances[0]
    ec2.terminate_instances(InstanceIds=[doomed["InstanceId"]])
    remaining = enis(ec2, Filters=[{"Name": "subnet-id", "Values": [sid]}])
    assert {e["Attachment"]["InstanceId"] for e in remaining} == {i["InstanceId"] for i in instances[1:]}
    with ec2_error("InvalidNetworkInterfaceID.NotFound",
                   f"The networkInterface ID '{doomed['NetworkInterfaces'][0]['NetworkInterfaceId']}' does not exist"):
        enis(ec2, NetworkInterfaceIds=[doomed["NetworkInterfaces"][0]["NetworkInterfaceId"]])
    # The freed address is handed out again.
    assert launch(ec2, sid)[0]["PrivateIpAddress"] == doomed["PrivateIpAddress"]


def test_default_vpc_instances_have_interfaces_too(ec2):
    inst = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]
    (eni,) = enis(ec2, Filters=[{"Name": "attachment.instance-id", "Values": [inst["InstanceId"]]}])
    public = eni["Association"]["PublicIp"]
    assert ipaddress.ip_address(public) in ipaddress.ip_network("198.18.0.0/15")
    assert eni["Association"]["IpOwnerId"] == "amazon"
    assert eni["Association"]["PublicDnsName"] == f"ec2-{public.replace('.', '-')}.compute-1.amazonaws.com"
    assert "AllocationId" not in eni["Association"]
    assert eni["PrivateIpAddresses"][0]["Association"]["PublicIp"] == public


def test_filters(ec2):
    vid, sid = network(ec2)
    a, b = launch(ec2, sid, count=2)
    c = launch(ec2, sid, public=True)[0]
    ea, eb, ec = (i["NetworkInterfaces"][0]["NetworkInterfaceId"] for i in (a, b, c))
    ec2.create_tags(Resources=[eb], Tags=[{"Key": "role", "Value": "db"}])
    sg = a["SecurityGroups"][0]["GroupId"]
    public = ec2.describe_instances(InstanceIds=[c["InstanceId"]])["Reservations"][0]["Instances"][0][
        "PublicIpAddress"]

    def found(name, *values):
        return {e["NetworkInterfaceId"] for e in enis(ec2, Filters=[{"Name": name, "Values": list(values)}])}

    assert found("network-interface-id", ea) == {ea}
    assert found("subnet-id", sid) == {ea, eb, ec}
    assert found("vpc-id", vid) == {ea, eb, ec}
    assert found("attachment.instance-id", b["InstanceId"]) == {eb}
    assert found("attachment.device-index", "0") >= {ea, eb, ec}
    assert found("attachment.status", "attached") >= {ea, eb, ec}
    assert found("private-ip-address", b["PrivateIpAddress"]) == {eb}
    assert found("addresses.private-ip-address", "10.0.1.*") == {ea, eb, ec}
    assert found("private-dns-name", a["PrivateDnsName"]) == {ea}
    assert found("association.public-ip", public) == {ec}
    assert found("association.ip-owner-id", "amazon") >= {ec}
    assert found("group-id", sg) == {ea, eb, ec}
    assert found("group-name", "default") >= {ea, eb, ec}
    assert found("mac-address", a["NetworkInterfaces"][0]["MacAddress"]) == {ea}
    assert found("status", "in-use") >= {ea, eb, ec}
    assert found("status", "available") == set()
    assert found("availability-zone", "us-east-1b") == {ea, eb, ec}
    assert found("owner-id", DEFAULT_ACCOUNT) >= {ea, eb, ec}
    assert found("tag:role", "db") == {eb}
    assert found("tag-key", "role") == {eb}
    with ec2_error("InvalidParameterValue", "The filter 'nonsense' is invalid"):
        found("nonsense", "x")


def test_paging_and_unknown_ids(ec2):
    _, sid = network(ec2)
    launch(ec2, sid, count=6)
    mine = [{"Name": "subnet-id", "Values": [sid]}]
    page = ec2.describe_network_interfaces(Filters=mine, MaxResults=5)
    assert len(page["NetworkInterfaces"]) == 5 and page["NextToken"]
    rest = ec2.describe_network_interfaces(Filters=mine, MaxResults=5, NextToken=page["NextToken"])
    assert len(rest["NetworkInterfaces"]) == 1 and "NextToken" not in rest
    paginator = ec2.get_paginator("describe_network_interfaces")
    ids = [e["NetworkInterfaceId"] for p in paginator.paginate(Filters=mine, PaginationConfig={"PageSize": 5})
           for e in p["NetworkInterfaces"]]
    assert len(set(ids)) == 6
    other = "eni-0fedcba9876543210"
    with ec2_error("InvalidNetworkInterfaceID.NotFound", f"The networkInterface IDs '{UNKNOWN_ENI}, {other}' do not exist"):
        enis(ec2, NetworkInterfaceIds=[UNKNOWN_ENI, other])
    with ec2_error("InvalidNetworkInterfaceId.Malformed"):
        enis(ec2, NetworkInterfaceIds=["eni-zz"])
    with ec2_error("InvalidParameterValue"):
        ec2.describe_network_interfaces(MaxResults=1001)


def test_elastic_ip_shows_on_the_interface(ec2):
    vid, sid = network(ec2)
    igw = create_igw(ec2)["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
    ec2.modify_vpc_attribute(VpcId=vid, EnableDnsHostnames={"Value": True})
    inst = launch(ec2, sid)[0]
    eni_id = inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
    eip = ec2.allocate_address(Domain="vpc")
    assoc = ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId=eni_id)["AssociationId"]
    (eni,) = enis(ec2, NetworkInterfaceIds=[eni_id])
    assert eni["Association"] == {
        "PublicIp": eip["PublicIp"],
        "PublicDnsName": f"ec2-{eip['PublicIp'].replace('.', '-')}.compute-1.amazonaws.com",
        "IpOwnerId": DEFAULT_ACCOUNT,
        "AllocationId": eip["AllocationId"],
        "AssociationId": assoc,
    }
    assert {e["NetworkInterfaceId"] for e in enis(ec2, Filters=[
        {"Name": "association.allocation-id", "Values": [eip["AllocationId"]]}])} == {eni_id}
    assert {e["NetworkInterfaceId"] for e in enis(ec2, Filters=[
        {"Name": "association.association-id", "Values": [assoc]}])} == {eni_id}


def test_cli_describe_network_interfaces(aws, ec2):
    _, sid = network(ec2)
    inst = launch(ec2, sid)[0]
    res = aws("ec2", "describe-network-interfaces", "--filters", f"Name=subnet-id,Values={sid}")
    (eni,) = res.ok()["NetworkInterfaces"]
    assert eni["Attachment"]["InstanceId"] == inst["InstanceId"]
    assert eni["TagSet"] == []
    res = aws("ec2", "describe-network-interfaces", "--network-interface-ids", UNKNOWN_ENI)
    cli_error(res, "InvalidNetworkInterfaceID.NotFound", f"The networkInterface ID '{UNKNOWN_ENI}' does not exist")
