"""IPv6-only subnets (part 2 §16.1): CreateSubnet `Ipv6Native=true` with AWS's answers and refusals, instances and
interfaces there holding IPv6 addresses only (resource-name hostname, Nitro types only), the services that need an
IPv4 address in the subnet refusing it, and the traffic: ping6 works, IPv4 has no route from such a host, and the
resolver at fd00:ec2::253 answers the instance's resource name. Driven by boto3, the aws CLI and `localvpc exec`."""
from __future__ import annotations

import ipaddress

import pytest

from helpers import ec2_error
from test_exec import AMI, REGION, localvpc  # noqa: F401  (the `localvpc` fixture runs the tools)


@pytest.fixture
def ec2(client_factory):
    return client_factory(region=REGION)


class Net:
    """A VPC 10.0.0.0/16 with an Amazon /56 and DNS hostnames on: a dual-stack subnet (the first /64, IPv6 on
    creation) and an IPv6-only subnet (the second /64)."""

    def __init__(self, ec2):
        self.ec2 = ec2
        self.vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
        ec2.modify_vpc_attribute(VpcId=self.vpc, EnableDnsHostnames={"Value": True})
        described = ec2.describe_vpcs(VpcIds=[self.vpc])["Vpcs"][0]
        self.block = described["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
        base = ipaddress.ip_network(self.block).network_address
        self.dual_block, self.only_block = f"{base + (1 << 64)}/64", f"{base + (2 << 64)}/64"
        self.dual = ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.0.1.0/24",
                                      Ipv6CidrBlock=self.dual_block)["Subnet"]["SubnetId"]
        ec2.modify_subnet_attribute(SubnetId=self.dual, AssignIpv6AddressOnCreation={"Value": True})
        self.created = ec2.create_subnet(VpcId=self.vpc, Ipv6Native=True, Ipv6CidrBlock=self.only_block)["Subnet"]
        self.only = self.created["SubnetId"]

    def launch(self, subnet: str, instance_type: str = "t3.micro", **kw) -> dict:
        answer = self.ec2.run_instances(ImageId=AMI, InstanceType=instance_type, MinCount=1, MaxCount=1,
                                        SubnetId=subnet, **kw)
        return answer["Instances"][0]


def test_an_ipv6_only_subnet_has_no_ipv4_block_and_assigns_ipv6_on_creation(ec2):
    net = Net(ec2)
    created = net.created
    assert "CidrBlock" not in created, created
    assert (created["Ipv6Native"], created["AssignIpv6AddressOnCreation"], created["AvailableIpAddressCount"]) == (
        True, True, 0)
    assert created["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"] == net.only_block
    assert created["PrivateDnsNameOptionsOnLaunch"] == {
        "HostnameType": "resource-name", "EnableResourceNameDnsARecord": False, "EnableResourceNameDnsAAAARecord": True}
    (described,) = ec2.describe_subnets(SubnetIds=[net.only])["Subnets"]
    assert ("CidrBlock" in described, described["Ipv6Native"]) == (False, True)
    # The `ipv6-native` filter tells the two kinds apart (positive control: the dual-stack subnet is `false`).
    native = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [net.vpc]},
                                           {"Name": "ipv6-native", "Values": ["true"]}])["Subnets"]
    assert [s["SubnetId"] for s in native] == [net.only]
    dual = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [net.vpc]},
                                         {"Name": "ipv6-native", "Values": ["false"]}])["Subnets"]
    assert [(s["SubnetId"], s["CidrBlock"]) for s in dual] == [(net.dual, "10.0.1.0/24")]


def test_create_subnet_ipv6_native_refusals_are_aws_answers(ec2):
    net = Net(ec2)
    third = f"{ipaddress.ip_network(net.block).network_address + (3 << 64)}/64"
    missing = "Either 'ipv6CidrBlock' or 'ipv6IpamPoolId' should be provided."
    with ec2_error("MissingParameter", missing):
        ec2.create_subnet(VpcId=net.vpc, Ipv6Native=True)
    with ec2_error("MissingParameter", missing):
        ec2.create_subnet(VpcId=net.vpc, Ipv6Native=True, CidrBlock="10.0.3.0/24")
    with ec2_error("InvalidParameterCombination", "When specifying ipv4 parameters, cidrBlock or ipv4IpamPoolId, "
                                                  "you cannot set ipv6Native to true."):
        ec2.create_subnet(VpcId=net.vpc, Ipv6Native=True, CidrBlock="10.0.3.0/24", Ipv6CidrBlock=third)
    # The /64 rules hold as for any subnet: another subnet's block conflicts.
    with ec2_error("InvalidSubnet.Conflict"):
        ec2.create_subnet(VpcId=net.vpc, Ipv6Native=True, Ipv6CidrBlock=net.only_block)
    # Nothing was half-made; the third /64 is still free (positive control).
    made = ec2.create_subnet(VpcId=net.vpc, Ipv6Native=True, Ipv6CidrBlock=third)["Subnet"]
    assert (made["Ipv6Native"], made["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]) == (True, third)
    listed = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [net.vpc]}])["Subnets"]
    assert sorted(s["SubnetId"] for s in listed) == sorted([net.dual, net.only, made["SubnetId"]])


def test_an_ipv6_only_subnet_keeps_its_ipv6_settings(ec2):
    net = Net(ec2)
    def refusal(attribute: str, value: str) -> str:
        return f"Invalid value '{value}' for {attribute}. The subnet ({net.only}) is IPv6-only."

    with ec2_error("InvalidParameterValue", refusal("map-public-ip-on-launch", "true")):
        ec2.modify_subnet_attribute(SubnetId=net.only, MapPublicIpOnLaunch={"Value": True})
    with ec2_error("InvalidParameterValue", refusal("assign-ipv6-address-on-creation", "false")):
        ec2.modify_subnet_attribute(SubnetId=net.only, AssignIpv6AddressOnCreation={"Value": False})
    with ec2_error("InvalidParameterValue", refusal("private-dns-hostname-type-on-launch", "ip-name")):
        ec2.modify_subnet_attribute(SubnetId=net.only, PrivateDnsHostnameTypeOnLaunch="ip-name")
    association = net.created["Ipv6CidrBlockAssociationSet"][0]["AssociationId"]
    with ec2_error("InvalidCidrBlock.InUse"):
        ec2.disassociate_subnet_cidr_block(AssociationId=association)
    # Positive controls: DNS64 is for exactly these subnets, and the dual-stack subnet takes the refused values.
    ec2.modify_subnet_attribute(SubnetId=net.only, EnableDns64={"Value": True})
    ec2.modify_subnet_attribute(SubnetId=net.dual, MapPublicIpOnLaunch={"Value": True})
    ec2.modify_subnet_attribute(SubnetId=net.dual, PrivateDnsHostnameTypeOnLaunch="ip-name")
    only, dual = (ec2.describe_subnets(SubnetIds=[s])["Subnets"][0] for s in (net.only, net.dual))
    assert (only["EnableDns64"], only["MapPublicIpOnLaunch"], only["AssignIpv6AddressOnCreation"]) == (
        True, False, True)
    assert (dual["MapPublicIpOnLaunch"], dual["PrivateDnsNameOptionsOnLaunch"]["HostnameType"]) == (True, "ip-name")


def test_an_instance_of_an_ipv6_only_subnet_has_ipv6_only_and_its_resource_name(ec2):
    net = Net(ec2)
    instance = net.launch(net.only)
    instance_id = instance["InstanceId"]
    address = instance["Ipv6Address"]
    assert ipaddress.ip_address(address) in ipaddress.ip_network(net.only_block), address
    assert "PrivateIpAddress" not in instance, instance
    assert instance["PrivateDnsName"] == f"{instance_id}.{REGION}.compute.internal"
    assert instance["PrivateDnsNameOptions"]["HostnameType"] == "resource-name"
    (interface,) = instance["NetworkInterfaces"]
    assert (interface.get("PrivateIpAddress"), interface["PrivateIpAddresses"]) == (None, [])
    assert [a["Ipv6Address"] for a in interface["Ipv6Addresses"]] == [address]
    (eni,) = ec2.describe_network_interfaces(NetworkInterfaceIds=[interface["NetworkInterfaceId"]])[
        "NetworkInterfaces"]
    assert (eni["Ipv6Native"], "PrivateIpAddress" in eni, [a["Ipv6Address"] for a in eni["Ipv6Addresses"]]) == (
        True, False, [address])
    (described,) = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"]
    assert (described["PrivateDnsName"], described.get("PrivateIpAddress")) == (instance["PrivateDnsName"], None)
    # Positive control: the dual-stack neighbour has both families and its IP name.
    dual = net.launch(net.dual)
    assert (dual["PrivateIpAddress"], dual["PrivateDnsName"]) == ("10.0.1.4", f"ip-10-0-1-4.{REGION}.compute.internal")
    (dual_eni,) = ec2.describe_network_interfaces(
        NetworkInterfaceIds=[dual["NetworkInterfaces"][0]["NetworkInterfaceId"]])["NetworkInterfaces"]
    assert dual_eni["Ipv6Native"] is False
    # An IPv6-only instance's interface holds its subnet: DeleteSubnet waits for it.
    with ec2_error("DependencyViolation"):
        ec2.delete_subnet(SubnetId=net.only)
    ec2.terminate_instances(InstanceIds=[instance_id])
    ec2.delete_subnet(SubnetId=net.only)
    assert ec2.describe_subnets(Filters=[{"Name": "subnet-id", "Values": [net.only]}])["Subnets"] == []


def test_an_ipv6_only_subnet_refuses_ipv4_settings_and_types_not_on_nitro(ec2):
    net = Net(ec2)

    def not_nitro(instance_type: str) -> str:
        return (f"The instance type {instance_type} is not supported in IPv6-only subnet {net.only}: only instance "
                "types built on the Nitro System are.")

    def ipv4(parameter: str) -> str:
        return f"The subnet {net.only} is IPv6-only: {parameter} cannot be specified for its network interfaces."

    with ec2_error("UnsupportedOperation", not_nitro("t2.micro")):
        net.launch(net.only, instance_type="t2.micro")
    with ec2_error("UnsupportedOperation", not_nitro("m1.small")):
        ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=net.only)
    with ec2_error("InvalidParameterCombination", ipv4("privateIpAddress")):
        net.launch(net.only, PrivateIpAddress="10.0.2.10")
    with ec2_error("InvalidParameterCombination", ipv4("associatePublicIpAddress")):
        ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1, NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": net.only, "AssociatePublicIpAddress": True}])
    with ec2_error("InvalidParameterCombination", ipv4("privateIpAddress")):
        ec2.create_network_interface(SubnetId=net.only, PrivateIpAddress="10.0.2.10")
    with ec2_error("InvalidParameterCombination", ipv4("secondaryPrivateIpAddressCount")):
        ec2.create_network_interface(SubnetId=net.only, SecondaryPrivateIpAddressCount=1)
    # A plain interface there gets an IPv6 address and no IPv4 address, and keeps at least one IPv6 address.
    eni = ec2.create_network_interface(SubnetId=net.only, Ipv6AddressCount=2)["NetworkInterface"]
    assert ("PrivateIpAddress" in eni, eni["Ipv6Native"], len(eni["Ipv6Addresses"])) == (False, True, 2)
    first, second = (a["Ipv6Address"] for a in eni["Ipv6Addresses"])
    with ec2_error("InvalidParameterCombination", ipv4("privateIpAddress")):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni["NetworkInterfaceId"], SecondaryPrivateIpAddressCount=1)
    unassigned = ec2.unassign_ipv6_addresses(NetworkInterfaceId=eni["NetworkInterfaceId"], Ipv6Addresses=[second])
    assert unassigned["UnassignedIpv6Addresses"] == [second]
    with ec2_error("InvalidParameterValue",
                   f"Network interfaces in the IPv6-only subnet {net.only} must have at least one IPv6 address."):
        ec2.unassign_ipv6_addresses(NetworkInterfaceId=eni["NetworkInterfaceId"], Ipv6Addresses=[first])
    # The IP-name hostname needs an IPv4 address: refused at launch and on a stopped instance.
    ip_name = f"Invalid value 'ip-name' for private-dns-hostname-type-on-launch. The subnet ({net.only}) is IPv6-only."
    with ec2_error("InvalidParameterValue", ip_name):
        net.launch(net.only, PrivateDnsNameOptions={"HostnameType": "ip-name"})
    # Positive controls: a Nitro type launches, and t2.micro launches into the dual-stack subnet.
    launched = net.launch(net.only)
    assert launched["InstanceType"] == "t3.micro"
    assert net.launch(net.dual, instance_type="t2.micro")["PrivateIpAddress"] == "10.0.1.4"
    ec2.stop_instances(InstanceIds=[launched["InstanceId"]])
    with ec2_error("InvalidParameterValue", ip_name):
        ec2.modify_private_dns_name_options(InstanceId=launched["InstanceId"], PrivateDnsHostnameType="ip-name")
    changed = ec2.modify_private_dns_name_options(InstanceId=launched["InstanceId"],
                                                  EnableResourceNameDnsAAAARecord=False)
    assert changed["Return"] is True
    (stopped,) = ec2.describe_instances(InstanceIds=[launched["InstanceId"]])["Reservations"][0]["Instances"]
    assert stopped["PrivateDnsNameOptions"] == {
        "HostnameType": "resource-name", "EnableResourceNameDnsARecord": False, "EnableResourceNameDnsAAAARecord": False}


def test_services_needing_an_ipv4_address_refuse_an_ipv6_only_subnet(ec2):
    net = Net(ec2)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    with ec2_error("InvalidParameterValue",
                   f"The subnet {net.only} is IPv6-only; a NAT gateway needs a subnet with an IPv4 CIDR block."):
        ec2.create_nat_gateway(SubnetId=net.only, AllocationId=allocation)
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    with ec2_error("InvalidParameterValue", f"The subnet {net.only} is IPv6-only; a transit gateway attachment "
                                            "needs a subnet with an IPv4 CIDR block."):
        ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=net.vpc, SubnetIds=[net.only])
    # Positive controls: the dual-stack subnet takes both.
    nat = ec2.create_nat_gateway(SubnetId=net.dual, AllocationId=allocation)["NatGateway"]
    assert nat["SubnetId"] == net.dual
    attachment = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=net.vpc,
                                                           SubnetIds=[net.dual])["TransitGatewayVpcAttachment"]
    assert attachment["SubnetIds"] == [net.dual]


def test_the_aws_cli_creates_an_ipv6_only_subnet(ec2, aws):
    net = Net(ec2)
    third = f"{ipaddress.ip_network(net.block).network_address + (3 << 64)}/64"
    made = aws("ec2", "create-subnet", "--vpc-id", net.vpc, "--ipv6-native", "--ipv6-cidr-block", third,
               region=REGION)
    assert made.rc == 0, made
    subnet = made.json["Subnet"]
    assert (subnet["Ipv6Native"], "CidrBlock" in subnet) == (True, False)
    refused = aws("ec2", "create-subnet", "--vpc-id", net.vpc, "--ipv6-native", region=REGION)
    assert (refused.rc, refused.code, refused.message) == (
        255, "MissingParameter", "Either 'ipv6CidrBlock' or 'ipv6IpamPoolId' should be provided."), refused


def test_an_ipv6_only_instance_talks_ipv6_and_has_no_ipv4_route(ec2, localvpc):  # noqa: F811
    net = Net(ec2)
    only = net.launch(net.only)
    dual = net.launch(net.dual)
    group = only["SecurityGroups"][0]["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "58", "FromPort": -1, "ToPort": -1, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    dual_v6 = dual["Ipv6Address"]
    out = localvpc("exec", only["InstanceId"], "--", "ping6", "-c", "1", dual_v6)
    assert out.rc == 0 and "1 received" in out.out, out
    back = localvpc("exec", dual["InstanceId"], "--", "ping6", "-c", "1", only["Ipv6Address"])
    assert back.rc == 0 and "1 received" in back.out, back
    # IPv4: the host has no route of that family — connect() fails before any packet, as Linux does.
    ipv4 = localvpc("exec", only["InstanceId"], "--", "ping", "-c", "1", dual["PrivateIpAddress"])
    assert (ipv4.rc, ipv4.out, ipv4.err) == (2, "", "ping: connect: Network is unreachable\n"), ipv4
    trace = localvpc("exec", only["InstanceId"], "--", "traceroute", "-n", dual["PrivateIpAddress"])
    assert trace.rc == 1 and trace.err == "connect: Network is unreachable\n", trace
    why = localvpc("explain", only["InstanceId"], dual["PrivateIpAddress"])
    assert why.rc == 1 and "CANNOT_ROUTE" in why.out and "IPv6-only subnet" in why.out, why
    # Positive control: the dual-stack neighbour pings over IPv4 as ever.
    own = localvpc("exec", dual["InstanceId"], "--", "ping", "-c", "1", dual["PrivateIpAddress"])
    assert own.rc == 0 and "1 received" in own.out, own


def test_an_ipv6_only_instance_asks_fd00_ec2_253_for_its_resource_name(ec2, localvpc):  # noqa: F811
    net = Net(ec2)
    only = net.launch(net.only)
    name = only["PrivateDnsName"]
    looked = localvpc("exec", only["InstanceId"], "--", "nslookup", name)
    assert looked.rc == 0, looked
    assert looked.out.splitlines()[0].split() == ["Server:", "fd00:ec2::253"], looked
    dig = localvpc("exec", only["InstanceId"], "--", "dig", "+short", "AAAA", name)
    assert (dig.rc, dig.out.strip()) == (0, only["Ipv6Address"]), dig
    # The A record is off (there is no IPv4 address to give): NOERROR, no answer.
    none = localvpc("exec", only["InstanceId"], "--", "dig", "+short", "A", name)
    assert (none.rc, none.out.strip()) == (0, ""), none


def test_an_ipv6_only_instance_reaches_an_ipv4_only_service_through_dns64_and_nat64(ec2, localvpc):  # noqa: F811
    """AWS's IPv6-only pattern (part 2 §13.2, §16.4): DNS64 on the IPv6-only subnet, `64:ff9b::/96 → nat-…` in its
    route table, the NAT gateway in a public dual-stack subnet."""
    net = Net(ec2)
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=net.vpc)
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [net.vpc]}])["RouteTables"][0][
        "RouteTableId"]
    ec2.create_route(RouteTableId=main, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    eip = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=net.dual, AllocationId=eip["AllocationId"])["NatGateway"]["NatGatewayId"]
    table = ec2.create_route_table(VpcId=net.vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=net.only)
    ec2.modify_subnet_attribute(SubnetId=net.only, EnableDns64={"Value": True})
    only = net.launch(net.only)["InstanceId"]
    name = f"s3.{REGION}.amazonaws.com"  # a name with an IPv4 address only
    synthesized = localvpc("exec", only, "--", "dig", "+short", "AAAA", name)
    assert synthesized.rc == 0, synthesized
    address = ipaddress.ip_address(synthesized.out.strip())
    assert address in ipaddress.ip_network("64:ff9b::/96"), synthesized
    # No route to the NAT gateway yet: nothing comes back.
    lost = localvpc("exec", only, "--", "ping6", "-c", "1", str(address))
    assert lost.rc == 1 and "100% packet loss" in lost.out, lost
    ec2.create_route(RouteTableId=table, DestinationIpv6CidrBlock="64:ff9b::/96", NatGatewayId=nat)
    out = localvpc("exec", only, "--", "ping6", "-c", "1", str(address))
    assert out.rc == 0 and f"64 bytes from {address}: icmp_seq=1" in out.out, out
    https = localvpc("exec", only, "--", "nc", "-6", "-z", "-w", "2", str(address), "443")
    assert https.rc == 0, https
    why = localvpc("explain", only, str(address))
    assert why.rc == 0 and nat in why.out and "NAT64" in why.out, why
