"""NAT gateways (part 2 §13.1): Create answers `pending`, reads show `available` or `failed` with AWS's failure code,
the requester-managed interface and the Elastic IP it holds, Delete → `deleted` with routes turning blackhole, the
errors AWS answers at once, filters, tags, waiters, the aws CLI, and isolation between accounts."""
import pytest

from helpers import assert_id, cli_error, create_igw, create_subnet, create_vpc, ec2_error, \
    route_for, route_table, tag_spec, tags_of

OTHER_ACCOUNT = "210987654321"
UNKNOWN_NAT = "nat-0123456789abcdef0"


def public_network(ec2, igw=True):
    vpc = create_vpc(ec2, "10.20.0.0/16")["VpcId"]
    public = create_subnet(ec2, vpc, "10.20.0.0/24", "us-east-1a")["SubnetId"]
    private = create_subnet(ec2, vpc, "10.20.1.0/24", "us-east-1a")["SubnetId"]
    if igw:
        igw_id = create_igw(ec2)["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc)
    return vpc, public, private


def describe(ec2, nat_id):
    return ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]


def test_public_nat_gateway_lifecycle(ec2):
    vpc, public, _ = public_network(ec2)
    eip = ec2.allocate_address(Domain="vpc")
    created = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip["AllocationId"],
                                     TagSpecifications=tag_spec("natgateway", Name="egress"))["NatGateway"]
    nat_id = created["NatGatewayId"]
    assert_id(nat_id, "nat")
    assert created["State"] == "pending"
    assert (created["SubnetId"], created["VpcId"], created["ConnectivityType"]) == (public, vpc, "public")
    assert tags_of(created) == {"Name": "egress"}

    shown = describe(ec2, nat_id)
    assert shown["State"] == "available" and "FailureCode" not in shown
    [address] = shown["NatGatewayAddresses"]
    assert address["AllocationId"] == eip["AllocationId"] and address["PublicIp"] == eip["PublicIp"]
    assert address["IsPrimary"] is True and address["Status"] == "succeeded"
    assert address["PrivateIp"].startswith("10.20.0.")
    assert_id(address["AssociationId"], "eipassoc")

    # Part 2 §11.5: the gateway's own interface, held by the service.
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[address["NetworkInterfaceId"]])["NetworkInterfaces"][0]
    assert eni["InterfaceType"] == "nat_gateway" and eni["RequesterManaged"] is True
    assert eni["Description"] == f"Interface for NAT Gateway {nat_id}"
    assert eni["Status"] == "in-use" and eni["SourceDestCheck"] is False
    assert eni["PrivateIpAddress"] == address["PrivateIp"] and eni["SubnetId"] == public
    assert eni["Attachment"]["AttachmentId"].startswith("ela-attach-")
    assert eni["Attachment"]["InstanceOwnerId"] == "amazon-aws" and eni["Attachment"]["DeviceIndex"] == 1
    assert eni["Association"]["PublicIp"] == eip["PublicIp"]

    # The Elastic IP now points at that interface.
    shown_eip = ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"][0]
    assert shown_eip["NetworkInterfaceId"] == eni["NetworkInterfaceId"]
    assert shown_eip["PrivateIpAddress"] == address["PrivateIp"]
    assert shown_eip["AssociationId"] == address["AssociationId"]

    ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat_id], WaiterConfig={"Delay": 1, "MaxAttempts": 3})

    assert ec2.delete_nat_gateway(NatGatewayId=nat_id)["NatGatewayId"] == nat_id
    gone = describe(ec2, nat_id)
    assert gone["State"] == "deleted" and "DeleteTime" in gone
    ec2.get_waiter("nat_gateway_deleted").wait(NatGatewayIds=[nat_id], WaiterConfig={"Delay": 1, "MaxAttempts": 3})
    # The interface went with it; the Elastic IP stays allocated, free again.
    with ec2_error("InvalidNetworkInterfaceID.NotFound"):
        ec2.describe_network_interfaces(NetworkInterfaceIds=[eni["NetworkInterfaceId"]])
    freed = ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"][0]
    assert "AssociationId" not in freed and "NetworkInterfaceId" not in freed
    # Deleting again while it still lists changes nothing.
    assert ec2.delete_nat_gateway(NatGatewayId=nat_id)["NatGatewayId"] == nat_id


def test_private_nat_gateway_with_secondary_addresses(ec2):
    _, _, private = public_network(ec2, igw=False)
    nat = ec2.create_nat_gateway(SubnetId=private, ConnectivityType="private", PrivateIpAddress="10.20.1.50",
                                 SecondaryPrivateIpAddressCount=2)["NatGateway"]
    shown = describe(ec2, nat["NatGatewayId"])
    # A private gateway needs no internet gateway: it is available.
    assert shown["State"] == "available" and shown["ConnectivityType"] == "private"
    addresses = shown["NatGatewayAddresses"]
    assert [a["IsPrimary"] for a in addresses] == [True, False, False]
    assert addresses[0]["PrivateIp"] == "10.20.1.50"
    assert all("AllocationId" not in a and "PublicIp" not in a for a in addresses)
    eni = ec2.describe_network_interfaces(
        NetworkInterfaceIds=[addresses[0]["NetworkInterfaceId"]])["NetworkInterfaces"][0]
    assert sorted(a["PrivateIpAddress"] for a in eni["PrivateIpAddresses"]) == \
        sorted(a["PrivateIp"] for a in addresses)
    # The addresses are taken from the subnet.
    subnet = ec2.describe_subnets(SubnetIds=[private])["Subnets"][0]
    assert subnet["AvailableIpAddressCount"] == 251 - 3


def test_creation_failures_are_reported_on_the_gateway(ec2):
    vpc, public, _ = public_network(ec2, igw=False)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    # Part 2 §13.1 [O]: no internet gateway → the answer is `pending`, the gateway then `failed`.
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]
    assert nat["State"] == "pending"
    failed = describe(ec2, nat["NatGatewayId"])
    assert failed["State"] == "failed"
    assert failed["FailureCode"] == "Gateway.NotAttached"
    assert failed["FailureMessage"] == f"Network {vpc} has no Internet gateway attached"
    # Nothing was taken: no interface, the Elastic IP is still free.
    listed_network_interfaces = ec2.describe_network_interfaces(
        Filters=[{"Name": "subnet-id", "Values": [public]}])["NetworkInterfaces"]
    assert listed_network_interfaces == []
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[eip])["Addresses"][0]
    with pytest.raises(Exception) as waited:
        ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat["NatGatewayId"]],
                                                     WaiterConfig={"Delay": 1, "MaxAttempts": 2})
    assert "failed" in str(waited.value)

    igw = create_igw(ec2)["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    # An Elastic IP that does not exist, and one already in use.
    unknown = describe(ec2, ec2.create_nat_gateway(SubnetId=public,
                                                   AllocationId="eipalloc-0123456789abcdef0")["NatGateway"]["NatGatewayId"])
    assert (unknown["State"], unknown["FailureCode"]) == ("failed", "InvalidAllocationID.NotFound")
    assert unknown["FailureMessage"] == \
        "Elastic IP address eipalloc-0123456789abcdef0 could not be associated with this NAT gateway"
    working = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    assert describe(ec2, working)["State"] == "available"  # positive control
    taken = describe(ec2, ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"])
    assert (taken["State"], taken["FailureCode"]) == ("failed", "Resource.AlreadyAssociated")
    assert taken["FailureMessage"] == f"Elastic IP address {eip} is already associated"
    # The state filter tells them apart.
    states = {n["NatGatewayId"]: n["State"] for n in ec2.describe_nat_gateways(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NatGateways"]}
    assert states[working] == "available" and list(states.values()).count("failed") == 3
    only_failed = ec2.describe_nat_gateways(Filters=[{"Name": "state", "Values": ["failed"]}])["NatGateways"]
    assert {n["State"] for n in only_failed} == {"failed"} and working not in {n["NatGatewayId"] for n in only_failed}


def test_refusals_answered_at_once(ec2):
    _, public, _ = public_network(ec2)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    with ec2_error("MissingParameter", "The request must contain the parameter AllocationId"):
        ec2.create_nat_gateway(SubnetId=public)
    with ec2_error("InvalidParameterCombination",
                   "An Elastic IP address cannot be associated with a private NAT gateway."):
        ec2.create_nat_gateway(SubnetId=public, ConnectivityType="private", AllocationId=eip)
    with ec2_error("InvalidSubnetID.NotFound"):
        ec2.create_nat_gateway(SubnetId="subnet-0123456789abcdef0", AllocationId=eip)
    with ec2_error("InvalidAllocationID.Malformed"):
        ec2.create_nat_gateway(SubnetId=public, AllocationId="bogus")
    with ec2_error("InvalidParameterValue", "A NAT gateway can have at most 8 private IPv4 addresses."):
        ec2.create_nat_gateway(SubnetId=public, ConnectivityType="private", SecondaryPrivateIpAddressCount=8)
    with ec2_error("NatGatewayNotFound", f"NAT gateway {UNKNOWN_NAT} was not found"):
        ec2.describe_nat_gateways(NatGatewayIds=[UNKNOWN_NAT])
    with ec2_error("NatGatewayNotFound", f"NAT gateway {UNKNOWN_NAT} was not found"):
        ec2.delete_nat_gateway(NatGatewayId=UNKNOWN_NAT)
    with ec2_error("NatGatewayMalformed"):
        ec2.describe_nat_gateways(NatGatewayIds=["nat-zz"])
    with ec2_error("InvalidParameterValue", "The filter 'bogus' is invalid"):
        ec2.describe_nat_gateways(Filters=[{"Name": "bogus", "Values": ["x"]}])
    # Positive control: the same subnet and address work, once.
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    assert describe(ec2, nat)["State"] == "available"


def test_client_token_makes_create_idempotent(ec2):
    _, _, private = public_network(ec2)
    first = ec2.create_nat_gateway(SubnetId=private, ConnectivityType="private", ClientToken="once")
    again = ec2.create_nat_gateway(SubnetId=private, ConnectivityType="private", ClientToken="once")
    assert first["NatGateway"]["NatGatewayId"] == again["NatGateway"]["NatGatewayId"]
    assert first["ClientToken"] == "once"
    other = ec2.create_nat_gateway(SubnetId=private, ConnectivityType="private", ClientToken="twice")
    assert other["NatGateway"]["NatGatewayId"] != first["NatGateway"]["NatGatewayId"]
    assert len(ec2.describe_nat_gateways()["NatGateways"]) == 2


def test_the_gateway_interface_and_address_belong_to_the_service(ec2):
    vpc, public, _ = public_network(ec2)
    eip = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip["AllocationId"])["NatGateway"]["NatGatewayId"]
    address = describe(ec2, nat)["NatGatewayAddresses"][0]
    eni_id = address["NetworkInterfaceId"]
    with ec2_error("InvalidNetworkInterface.InUse", f"The network interface '{eni_id}' is currently in use."):
        ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    with ec2_error("OperationNotPermitted",
                   f"The network interface {eni_id} is managed by {nat}; only its tags can be changed."):
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id, SourceDestCheck={"Value": True})
    with ec2_error("OperationNotPermitted", "You are not allowed to manage 'ela-attach' attachments."):
        ec2.detach_network_interface(AttachmentId="ela-attach-" + eni_id.removeprefix("eni-"))
    with ec2_error("InvalidIPAddress.InUse"):
        ec2.disassociate_address(AssociationId=address["AssociationId"])
    with ec2_error("InvalidIPAddress.InUse"):
        ec2.release_address(AllocationId=eip["AllocationId"])
    # Tags are the user's to change (positive control).
    ec2.create_tags(Resources=[eni_id, nat], Tags=[{"Key": "team", "Value": "net"}])
    assert tags_of(ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]["TagSet"]) == \
        {"team": "net"}
    assert tags_of(describe(ec2, nat)) == {"team": "net"}
    assert ec2.describe_nat_gateways(Filters=[{"Name": "tag:team", "Values": ["net"]}])["NatGateways"][0][
        "NatGatewayId"] == nat
    # The interface holds its subnet: the subnet cannot go while the gateway lives, and can after.
    with ec2_error("DependencyViolation"):
        ec2.delete_subnet(SubnetId=public)
    ec2.delete_nat_gateway(NatGatewayId=nat)
    ec2.delete_subnet(SubnetId=public)
    ec2.release_address(AllocationId=eip["AllocationId"])


def test_routes_to_a_nat_gateway(ec2):
    vpc, public, private = public_network(ec2)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=rtb, SubnetId=private)
    with ec2_error("InvalidNatGatewayID.NotFound", f"The natGateway ID '{UNKNOWN_NAT}' does not exist"):
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=UNKNOWN_NAT)
    other_vpc = create_vpc(ec2, "10.30.0.0/16")["VpcId"]
    other_rtb = ec2.create_route_table(VpcId=other_vpc)["RouteTable"]["RouteTableId"]
    with ec2_error("InvalidParameterValue",
                   f"route table {other_rtb} and network gateway {nat} belong to different networks"):
        ec2.create_route(RouteTableId=other_rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)

    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    route = route_for(route_table(ec2, rtb), "0.0.0.0/0")
    assert route["NatGatewayId"] == nat and route["State"] == "active" and route["Origin"] == "CreateRoute"
    assert ec2.describe_route_tables(Filters=[{"Name": "route.nat-gateway-id", "Values": [nat]}])[
        "RouteTables"][0]["RouteTableId"] == rtb

    ec2.delete_nat_gateway(NatGatewayId=nat)
    route = route_for(route_table(ec2, rtb), "0.0.0.0/0")
    assert route["NatGatewayId"] == nat and route["State"] == "blackhole"
    with ec2_error("InvalidNatGatewayID.NotFound"):
        ec2.replace_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)


def test_other_accounts_neither_see_nor_change_the_gateway(ec2, client_factory):
    _, public, _ = public_network(ec2)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    other = client_factory(key=OTHER_ACCOUNT)
    listed_nat_gateways = other.describe_nat_gateways()["NatGateways"]
    assert listed_nat_gateways == []
    with ec2_error("NatGatewayNotFound"):
        other.describe_nat_gateways(NatGatewayIds=[nat])
    with ec2_error("NatGatewayNotFound"):
        other.delete_nat_gateway(NatGatewayId=nat)
    west = client_factory(region="us-west-2")
    listed_nat_gateways = west.describe_nat_gateways()["NatGateways"]
    assert listed_nat_gateways == []
    assert describe(ec2, nat)["State"] == "available"


def test_nat_gateway_cli(aws):
    vpc = aws("ec2", "create-vpc", "--cidr-block", "10.40.0.0/16").ok()["Vpc"]["VpcId"]
    subnet = aws("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.40.0.0/24").ok()["Subnet"]["SubnetId"]
    igw = aws("ec2", "create-internet-gateway").ok()["InternetGateway"]["InternetGatewayId"]
    aws("ec2", "attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc).ok()
    eip = aws("ec2", "allocate-address", "--domain", "vpc").ok()["AllocationId"]
    created = aws("ec2", "create-nat-gateway", "--subnet-id", subnet, "--allocation-id", eip,
                  "--tag-specifications", "ResourceType=natgateway,Tags=[{Key=Name,Value=cli}]").ok()["NatGateway"]
    assert created["State"] == "pending" and created["ConnectivityType"] == "public"
    nat = created["NatGatewayId"]
    aws("ec2", "wait", "nat-gateway-available", "--nat-gateway-ids", nat).ok()
    listed = aws("ec2", "describe-nat-gateways", "--filter", f"Name=subnet-id,Values={subnet}").ok()["NatGateways"]
    assert [(n["NatGatewayId"], n["State"], n["Tags"]) for n in listed] == \
        [(nat, "available", [{"Key": "Name", "Value": "cli"}])]
    cli_error(aws("ec2", "create-nat-gateway", "--subnet-id", subnet), "MissingParameter")
    assert aws("ec2", "delete-nat-gateway", "--nat-gateway-id", nat).ok()["NatGatewayId"] == nat
    aws("ec2", "wait", "nat-gateway-deleted", "--nat-gateway-ids", nat).ok()
    cli_error(aws("ec2", "describe-nat-gateways", "--nat-gateway-ids", UNKNOWN_NAT), "NatGatewayNotFound",
              f"NAT gateway {UNKNOWN_NAT} was not found")


def test_secondary_elastic_ips_of_a_public_gateway(ec2, aws):
    _, public, _ = public_network(ec2)
    primary = ec2.allocate_address(Domain="vpc")["AllocationId"]
    second = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=primary)["NatGateway"]["NatGatewayId"]
    answer = ec2.associate_nat_gateway_address(NatGatewayId=nat, AllocationIds=[second["AllocationId"]],
                                               PrivateIpAddresses=["10.20.0.77"])
    assert answer["NatGatewayId"] == nat
    [added] = answer["NatGatewayAddresses"]
    assert (added["AllocationId"], added["PublicIp"], added["PrivateIp"], added["IsPrimary"], added["Status"]) == \
        (second["AllocationId"], second["PublicIp"], "10.20.0.77", False, "associating")
    shown = describe(ec2, nat)["NatGatewayAddresses"]
    assert [(a["PrivateIp"], a["IsPrimary"], a["Status"]) for a in shown][1] == ("10.20.0.77", False, "succeeded")
    eip = ec2.describe_addresses(AllocationIds=[second["AllocationId"]])["Addresses"][0]
    assert eip["PrivateIpAddress"] == "10.20.0.77" and eip["NetworkInterfaceId"] == shown[0]["NetworkInterfaceId"]
    # Refusals: an Elastic IP already in use, the primary, a private-only action on a public gateway.
    with ec2_error("Resource.AlreadyAssociated"):
        ec2.associate_nat_gateway_address(NatGatewayId=nat, AllocationIds=[second["AllocationId"]])
    with ec2_error("InvalidParameterValue", f"The primary address of NAT gateway {nat} cannot be removed."):
        ec2.disassociate_nat_gateway_address(NatGatewayId=nat, AssociationIds=[shown[0]["AssociationId"]])
    with ec2_error("InvalidParameterValue", f"NAT gateway {nat} does not support this operation: it is for "
                                            "private NAT gateways."):
        ec2.assign_private_nat_gateway_address(NatGatewayId=nat, PrivateIpAddressCount=1)
    gone = aws("ec2", "disassociate-nat-gateway-address", "--nat-gateway-id", nat,
               "--association-ids", added["AssociationId"]).ok()
    assert [(a["AllocationId"], a["Status"]) for a in gone["NatGatewayAddresses"]] == \
        [(second["AllocationId"], "disassociating")]
    assert len(describe(ec2, nat)["NatGatewayAddresses"]) == 1
    freed = ec2.describe_addresses(AllocationIds=[second["AllocationId"]])["Addresses"][0]
    assert "AssociationId" not in freed
    ec2.release_address(AllocationId=second["AllocationId"])  # free again: it can go


def test_secondary_private_addresses_of_a_private_gateway(ec2, aws):
    _, _, private = public_network(ec2)
    nat = ec2.create_nat_gateway(SubnetId=private, ConnectivityType="private")["NatGateway"]["NatGatewayId"]
    assigned = ec2.assign_private_nat_gateway_address(NatGatewayId=nat, PrivateIpAddressCount=2)
    assert [a["Status"] for a in assigned["NatGatewayAddresses"]] == ["assigning", "assigning"]
    addresses = [a["PrivateIp"] for a in describe(ec2, nat)["NatGatewayAddresses"]]
    assert len(addresses) == 3
    with ec2_error("InvalidParameterValue", "A NAT gateway can have at most 8 private IPv4 addresses."):
        ec2.assign_private_nat_gateway_address(NatGatewayId=nat, PrivateIpAddressCount=6)
    with ec2_error("InvalidParameterValue",
                   f"The private IP address 10.20.1.200 is not assigned to NAT gateway {nat}."):
        ec2.unassign_private_nat_gateway_address(NatGatewayId=nat, PrivateIpAddresses=["10.20.1.200"])
    # The aws CLI, the same actions.
    cli = aws("ec2", "unassign-private-nat-gateway-address", "--nat-gateway-id", nat,
              "--private-ip-addresses", addresses[2]).ok()
    assert [(a["PrivateIp"], a["Status"]) for a in cli["NatGatewayAddresses"]] == [(addresses[2], "unassigning")]
    more = aws("ec2", "assign-private-nat-gateway-address", "--nat-gateway-id", nat,
               "--private-ip-addresses", "10.20.1.99").ok()
    assert more["NatGatewayAddresses"][0]["PrivateIp"] == "10.20.1.99"
    assert sorted(a["PrivateIp"] for a in describe(ec2, nat)["NatGatewayAddresses"]) == \
        sorted([addresses[0], addresses[1], "10.20.1.99"])
    cli_error(aws("ec2", "associate-nat-gateway-address", "--nat-gateway-id", nat, "--allocation-ids",
                  "eipalloc-0123456789abcdef0"), "InvalidParameterValue")
