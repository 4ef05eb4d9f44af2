"""`serve --data-plane kernel` over IPv6 (part 2 §16): real `ping6` in the namespaces a dual-stack VPC becomes —
untranslated through an internet gateway both ways, out and not in through an egress-only internet gateway,
across an active peering with IPv6 routes on both sides (and not without them), and stopped by a security group
without an ICMPv6 rule — with the engine (`exec --model`) asked the same question at every step. Needs root, like
the other kernel tests (skipped loudly otherwise)."""
from __future__ import annotations

import ipaddress

from test_kernel_data_plane import REGION, kernel, lab  # noqa: F401  (fixtures)

INTERNET_HOST_V6 = "2001:db8:5100::10"  # the emulated internet's IPv6 host (the engine's INTERNET_HOST_V6)


def dual_stack(lab, cidr: str, igw: bool = False) -> dict:  # noqa: F811
    """A VPC with an Amazon-provided /56, a subnet with one of its /64s assigning IPv6 on creation, and an instance
    with one IPv6 address; its default group admits nothing from outside yet."""
    ec2 = lab.ec2
    vpc = ec2.create_vpc(CidrBlock=cidr, AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    block = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    subnet_block = f"{ipaddress.ip_network(block).network_address + (1 << 64)}/64"
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr.replace(".0.0/16", ".1.0/24"),
                               Ipv6CidrBlock=subnet_block)["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=subnet, AssignIpv6AddressOnCreation={"Value": True})
    side = {"vpc": vpc, "block": block, "subnet_block": subnet_block, "subnet": subnet}
    if igw:
        side["igw"] = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=side["igw"], VpcId=vpc)
    instance = ec2.run_instances(ImageId="ami-0123456789abcdef0", InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                 SubnetId=subnet)["Instances"][0]
    side["instance"] = instance["InstanceId"]
    side["address"] = instance["NetworkInterfaces"][0]["Ipv6Addresses"][0]["Ipv6Address"]
    side["rtb"] = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"][0][
        "RouteTableId"]
    side["sg"] = instance["SecurityGroups"][0]["GroupId"]
    return side


def allow_icmpv6(lab, side: dict, cidr: str) -> None:  # noqa: F811
    lab.ec2.authorize_security_group_ingress(GroupId=side["sg"], IpPermissions=[
        {"IpProtocol": "58", "FromPort": -1, "ToPort": -1, "Ipv6Ranges": [{"CidrIpv6": cidr}]}])


def ping6(lab, vantage: str, address: str):  # noqa: F811
    return lab.exec(vantage, "ping6", "-c", "1", "-W", "1", "-n", address)


def both(lab, vantage: str, address: str) -> tuple[int, int]:  # noqa: F811
    """The kernel's and the engine's answer to one ping6."""
    real = ping6(lab, vantage, address).returncode
    model = lab.localvpc("exec", "--model", vantage, "--", "ping6", "-c", "1", address).returncode
    return real, model


def test_kernel_ipv6_instance_holds_its_address_and_routes_via_the_subnets_base_plus_one(lab):  # noqa: F811
    side = dual_stack(lab, "10.50.0.0/16")
    assert ipaddress.ip_address(side["address"]) in ipaddress.ip_network(side["subnet_block"]), side
    address = lab.exec(side["instance"], "ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "global")
    assert address.returncode == 0, address
    assert f"inet6 {side['address']}/64" in address.stdout, address.stdout
    assert "tentative" not in address.stdout, address.stdout  # no duplicate address detection to wait for
    router = ipaddress.ip_network(side["subnet_block"]).network_address + 1
    route = lab.exec(side["instance"], "ip", "-6", "route", "show", "default")
    assert route.stdout.strip().startswith(f"default via {router} dev eth0"), route.stdout


def test_kernel_ipv6_through_an_internet_gateway_untranslated_both_ways(lab):  # noqa: F811
    side = dual_stack(lab, "10.51.0.0/16", igw=True)
    assert both(lab, side["instance"], INTERNET_HOST_V6) == (1, 1)  # no ::/0 route yet
    lab.ec2.create_route(RouteTableId=side["rtb"], DestinationIpv6CidrBlock="::/0", GatewayId=side["igw"])
    out = ping6(lab, side["instance"], INTERNET_HOST_V6)
    assert out.returncode == 0, out
    assert f"64 bytes from {INTERNET_HOST_V6}: icmp_seq=1" in out.stdout, out.stdout
    assert both(lab, side["instance"], INTERNET_HOST_V6) == (0, 0)
    # The internet sees the instance's own address (no translation of IPv6): it answers from it, to it.
    assert both(lab, "internet", side["address"]) == (1, 1)  # the default group admits nothing from outside
    allow_icmpv6(lab, side, "::/0")
    inbound = ping6(lab, "internet", side["address"])
    assert inbound.returncode == 0, inbound
    assert f"64 bytes from {side['address']}: icmp_seq=1" in inbound.stdout, inbound.stdout
    assert both(lab, "internet", side["address"]) == (0, 0)


def test_kernel_ipv6_egress_only_gateway_lets_the_instance_out_and_nothing_in(lab):  # noqa: F811
    side = dual_stack(lab, "10.52.0.0/16")
    allow_icmpv6(lab, side, "::/0")  # the group would admit the internet: the gateway still stops it
    eigw = lab.ec2.create_egress_only_internet_gateway(VpcId=side["vpc"])["EgressOnlyInternetGateway"][
        "EgressOnlyInternetGatewayId"]
    assert both(lab, side["instance"], INTERNET_HOST_V6) == (1, 1)  # no route to it yet
    lab.ec2.create_route(RouteTableId=side["rtb"], DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw)
    out = ping6(lab, side["instance"], INTERNET_HOST_V6)
    assert out.returncode == 0, out
    assert f"64 bytes from {INTERNET_HOST_V6}: icmp_seq=1" in out.stdout, out.stdout
    assert both(lab, side["instance"], INTERNET_HOST_V6) == (0, 0)
    inbound = ping6(lab, "internet", side["address"])
    assert inbound.returncode == 1, inbound
    assert "1 packets transmitted, 0 received" in inbound.stdout, inbound.stdout
    assert both(lab, "internet", side["address"]) == (1, 1)
    # Positive control: with an internet gateway instead, the same group admits the internet's ping6.
    igw = lab.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    lab.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=side["vpc"])
    lab.ec2.replace_route(RouteTableId=side["rtb"], DestinationIpv6CidrBlock="::/0", GatewayId=igw)
    lab.ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=eigw)
    admitted = ping6(lab, "internet", side["address"])
    assert admitted.returncode == 0, admitted
    assert f"64 bytes from {side['address']}: icmp_seq=1" in admitted.stdout, admitted.stdout
    assert both(lab, "internet", side["address"]) == (0, 0)


def test_kernel_ipv6_across_a_peering_only_with_routes_both_ways_and_an_icmpv6_rule(lab):  # noqa: F811
    a = dual_stack(lab, "10.53.0.0/16")
    b = dual_stack(lab, "10.54.0.0/16")
    pcx = lab.ec2.create_vpc_peering_connection(VpcId=a["vpc"], PeerVpcId=b["vpc"])["VpcPeeringConnection"][
        "VpcPeeringConnectionId"]
    lab.ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    allow_icmpv6(lab, b, a["block"])
    lab.ec2.create_route(RouteTableId=a["rtb"], DestinationIpv6CidrBlock=b["block"], VpcPeeringConnectionId=pcx)
    assert both(lab, a["instance"], b["address"]) == (1, 1)  # no route back in B's table
    lab.ec2.create_route(RouteTableId=b["rtb"], DestinationIpv6CidrBlock=a["block"], VpcPeeringConnectionId=pcx)
    out = ping6(lab, a["instance"], b["address"])
    assert out.returncode == 0, out
    assert f"64 bytes from {b['address']}: icmp_seq=1" in out.stdout, out.stdout
    assert both(lab, a["instance"], b["address"]) == (0, 0)
    # Neither router is a hop (each gives the hop limit back, as the TTL): the peer is hop 1, as in the engine.
    traced = lab.exec(a["instance"], "traceroute", "-6", "-I", "-n", "-w", "1", "-q", "1", "-m", "4", b["address"])
    hops = [line.split()[1] for line in traced.stdout.splitlines()[1:]]
    assert (traced.returncode, hops) == (0, [b["address"]]), traced
    modelled = lab.localvpc("exec", "--model", a["instance"], "--", "traceroute6", "-I", "-n", b["address"])
    model_hops = [line.split()[1] for line in modelled.stdout.splitlines()[1:]]
    assert (modelled.returncode, model_hops) == (0, [b["address"]]), modelled
    # B's group has no ICMPv6 rule for A's side: B's ping6 to A stops at A's group (stateful, one way).
    assert both(lab, b["instance"], a["address"]) == (1, 1)
    # Without B's route back the answers are lost again.
    lab.ec2.delete_route(RouteTableId=b["rtb"], DestinationIpv6CidrBlock=a["block"])
    assert both(lab, a["instance"], b["address"]) == (1, 1)


def test_kernel_ipv6_security_group_without_icmpv6_stops_a_ping6(lab):  # noqa: F811
    side = dual_stack(lab, "10.55.0.0/16", igw=True)
    lab.ec2.create_route(RouteTableId=side["rtb"], DestinationIpv6CidrBlock="::/0", GatewayId=side["igw"])
    # An IPv4 ICMP rule for everyone admits no ICMPv6 (protocol 1 is not 58).
    lab.ec2.authorize_security_group_ingress(GroupId=side["sg"], IpPermissions=[
        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    stopped = ping6(lab, "internet", side["address"])
    assert stopped.returncode == 1, stopped
    assert "1 packets transmitted, 0 received" in stopped.stdout, stopped.stdout
    assert both(lab, "internet", side["address"]) == (1, 1)
    # Positive control: an ICMPv6 echo-request rule for the internet's host admits it.
    lab.ec2.authorize_security_group_ingress(GroupId=side["sg"], IpPermissions=[
        {"IpProtocol": "58", "FromPort": 128, "ToPort": -1, "Ipv6Ranges": [{"CidrIpv6": f"{INTERNET_HOST_V6}/128"}]}])
    admitted = ping6(lab, "internet", side["address"])
    assert admitted.returncode == 0, admitted
    assert f"64 bytes from {side['address']}: icmp_seq=1" in admitted.stdout, admitted.stdout
    assert both(lab, "internet", side["address"]) == (0, 0)


def test_kernel_the_vpc_resolver_answers_at_fd00_ec2_253_over_ipv6(lab):  # noqa: F811
    import shutil

    import pytest

    if not shutil.which("dig"):
        pytest.skip("needs `dig` (Debian: dnsutils)")
    side = dual_stack(lab, "10.56.0.0/16")
    lab.ec2.modify_vpc_attribute(VpcId=side["vpc"], EnableDnsHostnames={"Value": True})
    private_ip = lab.ec2.describe_instances(InstanceIds=[side["instance"]])["Reservations"][0]["Instances"][0][
        "PrivateIpAddress"]
    domain = "ec2.internal" if REGION == "us-east-1" else f"{REGION}.compute.internal"
    name = f"ip-{private_ip.replace('.', '-')}.{domain}"
    asked = lab.exec(side["instance"], "dig", "@fd00:ec2::253", "+tries=1", "+time=2", "+short", name)
    assert (asked.returncode, asked.stdout) == (0, f"{private_ip}\n"), asked
    modelled = lab.localvpc("exec", "--model", side["instance"], "--", "dig", "@fd00:ec2::253", "+short", name)
    assert (modelled.returncode, modelled.stdout) == (0, f"{private_ip}\n"), modelled
    # The same resolver at base + 2 (the positive control of the IPv4 path) answers the same.
    by_ipv4 = lab.exec(side["instance"], "dig", "@10.56.0.2", "+tries=1", "+time=2", "+short", name)
    assert (by_ipv4.returncode, by_ipv4.stdout) == (0, f"{private_ip}\n"), by_ipv4
    # A VPC without IPv6 has no resolver there: its instance has no IPv6 to ask with, in both planes.
    plain = lab.network("10.57.0.0/16", "10.57.1.0/24", igw=False)
    unanswered = lab.exec(plain["instance"], "dig", "@fd00:ec2::253", "+tries=1", "+time=1", "+short", name)
    assert unanswered.returncode != 0, unanswered
    modelled = lab.localvpc("exec", "--model", plain["instance"], "--", "dig", "@fd00:ec2::253", "+short", name)
    assert modelled.returncode == 9, modelled
