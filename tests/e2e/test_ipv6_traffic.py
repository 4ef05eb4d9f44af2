"""IPv6 traffic (part 2 §16.2), the worked scenarios: a dual-stack instance reaching the internet over IPv6 through
an egress-only internet gateway while connections started on the internet are refused (and accepted through an
internet gateway), and IPv6 across an active peering once both route tables carry the peer's IPv6 block. Built with
boto3; the traffic is `localvpc exec … -- ping6 / traceroute6 / nc -6` and `localvpc explain` subprocesses."""
from __future__ import annotations

import ipaddress

import pytest

from test_exec import AMI, REGION, localvpc  # noqa: F401  (the `localvpc` fixture runs the tools)

INTERNET_V6 = "2001:db8:1::1"  # a host of the emulated internet


class DualStack:
    """A VPC with an Amazon-provided /56, a subnet with its first /64 that gives every new interface an IPv6
    address, and an instance whose default group admits ICMPv6 and TCP 22 from anywhere over IPv6."""

    def __init__(self, ec2, cidr: str):
        self.ec2 = ec2
        vpc = ec2.create_vpc(CidrBlock=cidr, AmazonProvidedIpv6CidrBlock=True)["Vpc"]
        self.vpc = vpc["VpcId"]
        self.block = ec2.describe_vpcs(VpcIds=[self.vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0][
            "Ipv6CidrBlock"]
        subnet_block = f"{ipaddress.ip_network(self.block).network_address + (1 << 64)}/64"
        self.subnet_block = subnet_block
        subnet = ec2.create_subnet(VpcId=self.vpc, CidrBlock=cidr.replace(".0.0/16", ".1.0/24"),
                                   Ipv6CidrBlock=subnet_block)["Subnet"]["SubnetId"]
        ec2.modify_subnet_attribute(SubnetId=subnet, AssignIpv6AddressOnCreation={"Value": True})
        instance = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                     SubnetId=subnet)["Instances"][0]
        self.instance = instance["InstanceId"]
        self.address = instance["NetworkInterfaces"][0]["Ipv6Addresses"][0]["Ipv6Address"]
        group = instance["SecurityGroups"][0]["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
            {"IpProtocol": "58", "FromPort": -1, "ToPort": -1, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
        self.main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [self.vpc]},
                                                       {"Name": "association.main", "Values": ["true"]}])[
            "RouteTables"][0]["RouteTableId"]


@pytest.fixture
def ec2(client_factory):
    return client_factory(region=REGION)


def test_an_egress_only_gateway_lets_the_instance_out_over_ipv6_and_nothing_in(ec2, localvpc):  # noqa: F811
    net = DualStack(ec2, "10.30.0.0/16")
    assert ipaddress.ip_address(net.address) in ipaddress.ip_network(net.subnet_block), (net.address, net.block)
    no_route = localvpc("exec", net.instance, "--", "ping6", "-c", "1", INTERNET_V6)
    assert no_route.rc == 1 and "100% packet loss" in no_route.out, no_route
    eigw = ec2.create_egress_only_internet_gateway(VpcId=net.vpc)["EgressOnlyInternetGateway"][
        "EgressOnlyInternetGatewayId"]
    ec2.create_route(RouteTableId=net.main, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw)
    out = localvpc("exec", net.instance, "--", "ping6", "-c", "2", INTERNET_V6)
    assert out.rc == 0, out
    lines = out.out.splitlines()
    assert lines[0] == f"PING {INTERNET_V6}({INTERNET_V6}) 56 data bytes", out
    assert lines[1].startswith(f"64 bytes from {INTERNET_V6}: icmp_seq=1 ttl="), out
    assert "2 packets transmitted, 2 received, 0% packet loss" in out.out, out
    trace = localvpc("exec", net.instance, "--", "traceroute6", "-I", "-n", INTERNET_V6)
    hops = [line.split()[1] for line in trace.out.splitlines()[1:]]
    assert trace.out.splitlines()[0].endswith("30 hops max, 80 byte packets"), trace
    assert hops == ["2001:db8:ffff::1", INTERNET_V6], trace
    # From the internet: the egress-only gateway stops the connection whatever the group allows.
    inbound = localvpc("exec", "internet", "--", "ping6", "-c", "1", net.address)
    assert inbound.rc == 1 and "100% packet loss" in inbound.out, inbound
    ssh = localvpc("exec", "internet", "--", "nc", "-6", "-z", "-w", "2", net.address, "22")
    assert ssh.rc == 1 and "timed out" in ssh.err, ssh
    why = localvpc("explain", "internet", net.address)
    assert why.rc == 1 and eigw in why.out and "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS" in why.out, why
    # Positive control: through an internet gateway the same group admits the connection.
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=net.vpc)
    ec2.replace_route(RouteTableId=net.main, DestinationIpv6CidrBlock="::/0", GatewayId=igw)
    ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=eigw)
    admitted = localvpc("exec", "internet", "--", "ping6", "-c", "1", net.address)
    assert admitted.rc == 0 and "1 received" in admitted.out, admitted
    connected = localvpc("exec", "internet", "--", "nc", "-6", "-z", net.address, "22")
    assert connected.rc == 0 and "succeeded" in connected.err, connected


def test_ipv6_crosses_an_active_peering_once_both_tables_route_the_peers_block(ec2, localvpc):  # noqa: F811
    a, b = DualStack(ec2, "10.31.0.0/16"), DualStack(ec2, "10.32.0.0/16")
    pcx = ec2.create_vpc_peering_connection(VpcId=a.vpc, PeerVpcId=b.vpc)["VpcPeeringConnection"][
        "VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    ec2.create_route(RouteTableId=b.main, DestinationIpv6CidrBlock=a.block, VpcPeeringConnectionId=pcx)
    one_way = localvpc("exec", a.instance, "--", "ping6", "-c", "1", b.address)
    assert one_way.rc == 1 and "100% packet loss" in one_way.out, one_way
    why = localvpc("explain", a.instance, b.address)
    assert why.rc == 1 and "NO_ROUTE_TO_DESTINATION" in why.out, why
    ec2.create_route(RouteTableId=a.main, DestinationIpv6CidrBlock=b.block, VpcPeeringConnectionId=pcx)
    both = localvpc("exec", a.instance, "--", "ping6", "-c", "1", b.address)
    assert both.rc == 0 and "1 received" in both.out, both
    hop = localvpc("exec", a.instance, "--", "traceroute6", "-I", "-n", b.address)
    assert [line.split()[1] for line in hop.out.splitlines()[1:]] == [b.address], hop
    # The IPv4 side is untouched by the IPv6 routes: no IPv4 route to B yet.
    b_ipv4 = ec2.describe_instances(InstanceIds=[b.instance])["Reservations"][0]["Instances"][0]["PrivateIpAddress"]
    ipv4 = localvpc("exec", a.instance, "--", "ping", "-c", "1", b_ipv4)
    assert ipv4.rc == 1 and "100% packet loss" in ipv4.out, ipv4


def test_ping_refuses_the_other_family_as_glibc_does(ec2, localvpc):  # noqa: F811
    net = DualStack(ec2, "10.33.0.0/16")
    four = localvpc("exec", net.instance, "--", "ping", "-4", "-c", "1", INTERNET_V6)
    assert four.rc == 2 and f"ping: {INTERNET_V6}: Address family for hostname not supported" in four.err, four
    # Positive control: the same host with -6 is sent (and lost for want of a route).
    six = localvpc("exec", net.instance, "--", "ping", "-6", "-c", "1", INTERNET_V6)
    assert six.rc == 1 and "100% packet loss" in six.out, six
