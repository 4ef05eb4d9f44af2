"""Elastic IPs (spec §2.10): allocation from 198.18.0.0/15, association (internet gateway required), the instance's
public address and public name following the Elastic IP, disassociation, release, DescribeAddresses."""
import ipaddress

from helpers import DEFAULT_ACCOUNT, assert_id, cli_error, create_igw, create_subnet, create_vpc, ec2_error, \
    tag_spec, tags_of

AMI = "ami-12345678"
POOL = ipaddress.ip_network("198.18.0.0/15")
UNKNOWN_ALLOCATION = "eipalloc-0123456789abcdef0"


def public_name(ip, region="us-east-1"):
    dashed = ip.replace(".", "-")
    return f"ec2-{dashed}.compute-1.amazonaws.com" if region == "us-east-1" else \
        f"ec2-{dashed}.{region}.compute.amazonaws.com"


def network(ec2, igw=True, hostnames=True, map_public=False):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    sid = create_subnet(ec2, vid, "10.0.1.0/24")["SubnetId"]
    if igw:
        igw_id = create_igw(ec2)["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vid)
    if hostnames:
        ec2.modify_vpc_attribute(VpcId=vid, EnableDnsHostnames={"Value": True})
    if map_public:
        ec2.modify_subnet_attribute(SubnetId=sid, MapPublicIpOnLaunch={"Value": True})
    return vid, sid


def launch(ec2, subnet_id):
    return ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id)["Instances"][0]["InstanceId"]


def instance(ec2, instance_id):
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


def address(ec2, allocation_id):
    (item,) = ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"]
    return item


def test_allocate(ec2):
    eip = ec2.allocate_address(Domain="vpc", TagSpecifications=tag_spec("elastic-ip", Name="bastion"))
    assert_id(eip["AllocationId"], "eipalloc")
    assert ipaddress.ip_address(eip["PublicIp"]) in POOL
    assert eip["Domain"] == "vpc"
    assert eip["PublicIpv4Pool"] == "amazon"
    assert eip["NetworkBorderGroup"] == "us-east-1"
    item = address(ec2, eip["AllocationId"])
    assert item["PublicIp"] == eip["PublicIp"] and item["Domain"] == "vpc"
    assert tags_of(item) == {"Name": "bastion"}
    assert "AssociationId" not in item and "InstanceId" not in item
    second = ec2.allocate_address()
    assert second["PublicIp"] != eip["PublicIp"]
    rows = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": ["elastic-ip"]}])["Tags"]
    assert [(r["ResourceId"], r["Key"]) for r in rows] == [(eip["AllocationId"], "Name")]


def test_associate_needs_an_internet_gateway(ec2):
    vid, sid = network(ec2, igw=False)
    iid = launch(ec2, sid)
    eip = ec2.allocate_address(Domain="vpc")
    with ec2_error("Gateway.NotAttached", f"Network {vid} is not attached to any internet gateway"):
        ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=iid)
    assert "AssociationId" not in address(ec2, eip["AllocationId"])


def test_public_address_and_name_follow_the_elastic_ip(ec2):
    vid, sid = network(ec2, map_public=True)
    iid = launch(ec2, sid)
    dynamic = instance(ec2, iid)["PublicIpAddress"]
    eip = ec2.allocate_address(Domain="vpc")
    assoc = ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=iid)["AssociationId"]
    assert_id(assoc, "eipassoc")
    inst = instance(ec2, iid)
    assert inst["PublicIpAddress"] == eip["PublicIp"] != dynamic
    assert inst["PublicDnsName"] == public_name(eip["PublicIp"])
    association = inst["NetworkInterfaces"][0]["Association"]
    assert association == {"PublicIp": eip["PublicIp"], "PublicDnsName": public_name(eip["PublicIp"]),
                           "IpOwnerId": DEFAULT_ACCOUNT}
    item = address(ec2, eip["AllocationId"])
    assert item["AssociationId"] == assoc and item["InstanceId"] == iid
    assert item["NetworkInterfaceId"] == inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert item["NetworkInterfaceOwnerId"] == DEFAULT_ACCOUNT
    assert item["PrivateIpAddress"] == inst["PrivateIpAddress"]

    # A stopped instance keeps its Elastic IP.
    ec2.stop_instances(InstanceIds=[iid])
    assert instance(ec2, iid)["PublicIpAddress"] == eip["PublicIp"]
    ec2.start_instances(InstanceIds=[iid])
    assert instance(ec2, iid)["PublicIpAddress"] == eip["PublicIp"]

    # Disassociating brings a new dynamic address (the instance was launched with one).
    ec2.disassociate_address(AssociationId=assoc)
    inst = instance(ec2, iid)
    assert inst["PublicIpAddress"] not in (eip["PublicIp"], None)
    assert ipaddress.ip_address(inst["PublicIpAddress"]) in POOL
    assert inst["PublicDnsName"] == public_name(inst["PublicIpAddress"])
    assert "AssociationId" not in address(ec2, eip["AllocationId"])


def test_instance_without_a_dynamic_address_gets_none_back(ec2):
    _, sid = network(ec2)
    iid = launch(ec2, sid)
    assert "PublicIpAddress" not in instance(ec2, iid)
    eip = ec2.allocate_address(Domain="vpc")
    assoc = ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=iid)["AssociationId"]
    assert instance(ec2, iid)["PublicIpAddress"] == eip["PublicIp"]
    ec2.disassociate_address(AssociationId=assoc)
    inst = instance(ec2, iid)
    assert "PublicIpAddress" not in inst and inst["PublicDnsName"] == ""


def test_public_name_is_back_filled_when_hostnames_are_enabled(ec2):
    vid, sid = network(ec2, hostnames=False)
    iid = launch(ec2, sid)
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=iid)
    assert instance(ec2, iid)["PublicDnsName"] == ""
    ec2.modify_vpc_attribute(VpcId=vid, EnableDnsHostnames={"Value": True})
    assert instance(ec2, iid)["PublicDnsName"] == public_name(eip["PublicIp"])


def test_reassociation(ec2):
    _, sid = network(ec2)
    first, second = launch(ec2, sid), launch(ec2, sid)
    eip = ec2.allocate_address(Domain="vpc")
    old = ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=first)["AssociationId"]
    with ec2_error("Resource.AlreadyAssociated",
                   f"resource {eip['AllocationId']} is already associated with associate-id {old}"):
        ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=second, AllowReassociation=False)
    new = ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=second)["AssociationId"]
    assert new != old
    assert address(ec2, eip["AllocationId"])["InstanceId"] == second
    assert "PublicIpAddress" not in instance(ec2, first)
    assert instance(ec2, second)["PublicIpAddress"] == eip["PublicIp"]
    with ec2_error("InvalidAssociationID.NotFound", f"The association ID '{old}' does not exist"):
        ec2.disassociate_address(AssociationId=old)
    # A second Elastic IP on the same instance replaces the first.
    other = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=other["AllocationId"], InstanceId=second)
    assert instance(ec2, second)["PublicIpAddress"] == other["PublicIp"]
    assert "AssociationId" not in address(ec2, eip["AllocationId"])


def test_release(ec2):
    _, sid = network(ec2)
    iid = launch(ec2, sid)
    eip = ec2.allocate_address(Domain="vpc")
    assoc = ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=iid)["AssociationId"]
    with ec2_error("InvalidIPAddress.InUse"):
        ec2.release_address(AllocationId=eip["AllocationId"])
    ec2.disassociate_address(AssociationId=assoc)
    ec2.release_address(AllocationId=eip["AllocationId"])
    assert ec2.describe_addresses()["Addresses"] == []
    with ec2_error("InvalidAllocationID.NotFound", f"The allocation ID '{eip['AllocationId']}' does not exist"):
        ec2.release_address(AllocationId=eip["AllocationId"])
    # AWS has no InvalidAllocationID.Malformed: an ID of any shape that names no address is not found.
    with ec2_error("InvalidAllocationID.NotFound", "The allocation ID 'eipalloc-xyz' does not exist"):
        ec2.release_address(AllocationId="eipalloc-xyz")


def test_release_in_the_default_vpc_disassociates_first(ec2):
    """ReleaseAddress API reference: in the default VPC releasing disassociates; elsewhere InvalidIPAddress.InUse."""
    iid = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    dynamic = instance(ec2, iid)["PublicIpAddress"]
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=iid)
    assert instance(ec2, iid)["PublicIpAddress"] == eip["PublicIp"]
    ec2.release_address(AllocationId=eip["AllocationId"])
    assert ec2.describe_addresses()["Addresses"] == []
    restored = instance(ec2, iid)["PublicIpAddress"]
    assert restored not in (eip["PublicIp"], None) and restored != dynamic, "a new dynamic address"
    # Positive control of the refusal: the same in a VPC of one's own.
    _, sid = network(ec2)
    other = launch(ec2, sid)
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=other)
    with ec2_error("InvalidIPAddress.InUse", f"Address {eip['PublicIp']} is in use."):
        ec2.release_address(AllocationId=eip["AllocationId"])


def test_public_ip_forms_are_refused(ec2):
    """Every address is a VPC address (EC2-Classic is retired): it is named by allocation or association ID."""
    _, sid = network(ec2)
    iid = launch(ec2, sid)
    eip = ec2.allocate_address(Domain="vpc")
    with ec2_error("InvalidParameterCombination",
                   "You must specify an allocation id when mapping an address to a VPC instance"):
        ec2.associate_address(PublicIp=eip["PublicIp"], InstanceId=iid)
    eni = instance(ec2, iid)["NetworkInterfaces"][0]["NetworkInterfaceId"]
    with ec2_error("InvalidParameterCombination"):
        ec2.associate_address(PublicIp=eip["PublicIp"], NetworkInterfaceId=eni)
    assert "AssociationId" not in address(ec2, eip["AllocationId"])
    assoc = ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=iid)["AssociationId"]
    with ec2_error("InvalidParameterValue",
                   "You must specify an association id when unmapping an address from a VPC instance"):
        ec2.disassociate_address(PublicIp=eip["PublicIp"])
    assert address(ec2, eip["AllocationId"])["AssociationId"] == assoc
    ec2.disassociate_address(AssociationId=assoc)
    with ec2_error("InvalidParameterValue", "You must specify an allocation id when releasing a VPC elastic IP address"):
        ec2.release_address(PublicIp=eip["PublicIp"])
    with ec2_error("InvalidParameterCombination",
                   "You may specify public IP or allocation id, but not both in the same call"):
        ec2.release_address(PublicIp=eip["PublicIp"], AllocationId=eip["AllocationId"])
    with ec2_error("InvalidAddress.NotFound", "Address '203.0.113.9' not found."):
        ec2.release_address(PublicIp="203.0.113.9")
    ec2.release_address(AllocationId=eip["AllocationId"])
    assert ec2.describe_addresses()["Addresses"] == []


def test_ids_of_any_shape_are_not_found(ec2):
    """AWS publishes no Malformed code for allocation or association IDs."""
    with ec2_error("InvalidAssociationID.NotFound", "The association ID 'bogus' does not exist"):
        ec2.disassociate_address(AssociationId="bogus")
    with ec2_error("InvalidAllocationID.NotFound", "The allocation ID 'bogus' does not exist"):
        ec2.release_address(AllocationId="bogus")
    with ec2_error("InvalidAllocationID.NotFound", "The allocation ID 'bogus' does not exist"):
        ec2.describe_addresses(AllocationIds=["bogus"])
    eip = ec2.allocate_address()
    assert [a["AllocationId"] for a in ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"]] == [
        eip["AllocationId"]]


def test_domain_is_always_vpc_and_a_free_address_can_be_recovered(ec2):
    for domain in ("", "xyz", "standard", "vpc"):
        eip = ec2.allocate_address(Domain=domain)
        assert eip["Domain"] == "vpc" and "AllocationId" in eip, domain
        assert address(ec2, eip["AllocationId"])["Domain"] == "vpc"
    eip = ec2.allocate_address()
    ec2.release_address(AllocationId=eip["AllocationId"])
    again = ec2.allocate_address(Address=eip["PublicIp"])
    assert again["PublicIp"] == eip["PublicIp"] and again["AllocationId"] != eip["AllocationId"]
    for taken in (again["PublicIp"], "127.38.43.222", "not-an-ip"):
        with ec2_error("InvalidAddressID.NotFound", "The requested IP address does not exist or is unavailable"):
            ec2.allocate_address(Domain="vpc", Address=taken)


def test_associate_with_an_interface(ec2):
    _, sid = network(ec2)
    eni = ec2.create_network_interface(SubnetId=sid)["NetworkInterface"]
    eip = ec2.allocate_address(Domain="vpc")
    with ec2_error("MissingParameter"):
        ec2.associate_address(AllocationId=eip["AllocationId"])
    assoc = ec2.associate_address(NetworkInterfaceId=eni["NetworkInterfaceId"],
                                  AllocationId=eip["AllocationId"])["AssociationId"]
    (item,) = ec2.describe_addresses(Filters=[{"Name": "association-id", "Values": [assoc]}])["Addresses"]
    assert item["NetworkInterfaceId"] == eni["NetworkInterfaceId"]
    assert item["PrivateIpAddress"] == eni["PrivateIpAddress"]
    assert item["NetworkInterfaceOwnerId"] == eni["OwnerId"] == DEFAULT_ACCOUNT
    assert "InstanceId" not in item, "an interface attached to no instance"
    ec2.disassociate_address(AssociationId=assoc)
    item = address(ec2, eip["AllocationId"])
    assert "NetworkInterfaceId" not in item and "AssociationId" not in item


def test_terminating_the_instance_disassociates_the_address(ec2):
    vid, sid = network(ec2)
    iid = launch(ec2, sid)
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=iid)
    igw = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vid]}])[
        "InternetGateways"][0]["InternetGatewayId"]
    with ec2_error("DependencyViolation", prefix=f"Network {vid} has some mapped public address(es)."):
        ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
    ec2.stop_instances(InstanceIds=[iid])
    with ec2_error("DependencyViolation"):
        ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
    ec2.terminate_instances(InstanceIds=[iid])
    item = address(ec2, eip["AllocationId"])
    assert "AssociationId" not in item and "InstanceId" not in item
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
    with ec2_error("IncorrectInstanceState"):
        ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=iid)


def test_describe_addresses(ec2):
    _, sid = network(ec2)
    iid = launch(ec2, sid)
    a = ec2.allocate_address(Domain="vpc", TagSpecifications=tag_spec("elastic-ip", Name="a"))
    b = ec2.allocate_address(Domain="vpc")
    assoc = ec2.associate_address(AllocationId=a["AllocationId"], InstanceId=iid)["AssociationId"]
    eni = instance(ec2, iid)["NetworkInterfaces"][0]

    def found(name, *values):
        return {x["AllocationId"] for x in ec2.describe_addresses(
            Filters=[{"Name": name, "Values": list(values)}])["Addresses"]}

    both = {a["AllocationId"], b["AllocationId"]}
    assert {x["AllocationId"] for x in ec2.describe_addresses()["Addresses"]} == both
    assert found("allocation-id", b["AllocationId"]) == {b["AllocationId"]}
    assert found("association-id", assoc) == {a["AllocationId"]}
    assert found("domain", "vpc") == both
    assert found("instance-id", iid) == {a["AllocationId"]}
    assert found("network-interface-id", eni["NetworkInterfaceId"]) == {a["AllocationId"]}
    assert found("network-interface-owner-id", DEFAULT_ACCOUNT) == {a["AllocationId"]}
    assert found("private-ip-address", eni["PrivateIpAddress"]) == {a["AllocationId"]}
    assert found("public-ip", b["PublicIp"]) == {b["AllocationId"]}
    assert found("tag:Name", "a") == {a["AllocationId"]}
    assert found("tag-key", "Name") == {a["AllocationId"]}
    by_ip = ec2.describe_addresses(PublicIps=[a["PublicIp"]])["Addresses"]
    assert [x["AllocationId"] for x in by_ip] == [a["AllocationId"]]
    with ec2_error("InvalidAllocationID.NotFound", f"The allocation ID '{UNKNOWN_ALLOCATION}' does not exist"):
        ec2.describe_addresses(AllocationIds=[UNKNOWN_ALLOCATION])
    with ec2_error("InvalidAddress.NotFound"):
        ec2.describe_addresses(PublicIps=["203.0.113.9"])
    with ec2_error("InvalidParameterValue", "The filter 'bogus' is invalid"):
        found("bogus", "x")


def test_unknown_targets(ec2):
    _, sid = network(ec2)
    eip = ec2.allocate_address(Domain="vpc")
    with ec2_error("InvalidInstanceID.NotFound"):
        ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId="i-0123456789abcdef0")
    with ec2_error("InvalidNetworkInterfaceID.NotFound"):
        ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId="eni-0123456789abcdef0")
    with ec2_error("InvalidAllocationID.NotFound"):
        ec2.associate_address(AllocationId=UNKNOWN_ALLOCATION, InstanceId=launch(ec2, sid))
    with ec2_error("InvalidAssociationID.NotFound", "The association ID 'eipassoc-0123456789abcdef0' does not exist"):
        ec2.disassociate_address(AssociationId="eipassoc-0123456789abcdef0")


def test_cli_flow_and_other_region(aws, ec2):
    _, sid = network(ec2)
    iid = launch(ec2, sid)
    eip = aws("ec2", "allocate-address", "--domain", "vpc").ok()
    assoc = aws("ec2", "associate-address", "--instance-id", iid, "--allocation-id", eip["AllocationId"]).ok()
    assert assoc["AssociationId"].startswith("eipassoc-")
    listed = aws("ec2", "describe-addresses", "--filters", f"Name=instance-id,Values={iid}").ok()["Addresses"]
    assert [x["PublicIp"] for x in listed] == [eip["PublicIp"]]
    res = aws("ec2", "release-address", "--allocation-id", eip["AllocationId"])
    cli_error(res, "InvalidIPAddress.InUse")
    assert aws("ec2", "disassociate-address", "--association-id", assoc["AssociationId"]).rc == 0
    assert aws("ec2", "release-address", "--allocation-id", eip["AllocationId"]).rc == 0
    other = aws("ec2", "allocate-address", region="eu-west-1").ok()
    assert other["NetworkBorderGroup"] == "eu-west-1"
    assert other["PublicIp"] != eip["PublicIp"]


def test_addresses_survive_a_restart_and_are_not_reissued(sqlite_server, client_factory):
    srv = sqlite_server().start()
    ec2 = client_factory(endpoint=srv.endpoint)
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    sid = create_subnet(ec2, vid, "10.0.1.0/24")["SubnetId"]
    igw = create_igw(ec2)["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
    iid = launch(ec2, sid)
    kept = ec2.allocate_address(Domain="vpc")
    released = ec2.allocate_address(Domain="vpc")
    ec2.release_address(AllocationId=released["AllocationId"])
    ec2.associate_address(AllocationId=kept["AllocationId"], InstanceId=iid)
    srv.kill()
    srv.start()
    ec2 = client_factory(endpoint=srv.endpoint)
    assert instance(ec2, iid)["PublicIpAddress"] == kept["PublicIp"]
    assert address(ec2, kept["AllocationId"])["InstanceId"] == iid
    fresh = ec2.allocate_address(Domain="vpc")
    assert fresh["PublicIp"] not in (kept["PublicIp"], released["PublicIp"])
