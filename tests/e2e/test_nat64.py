"""NAT64 through a NAT gateway (part 2 §13.2, §16.4), built with boto3 and observed with the emulated tools
(`localvpc exec --model … -- ping6 / nc -6 / traceroute6 / dig`, `localvpc explain`): a route
`64:ff9b::/96 → nat-…` in a dual-stack subnet lets its instance reach IPv4 hosts of the internet by their NAT64
addresses, through the gateway's Elastic IP; without the route nothing passes; an IPv6 destination outside the
prefix routed to the gateway stops there; and DNS64 on the subnet gives a name without AAAA an address the gateway
translates."""
from __future__ import annotations

import ipaddress

import pytest

from test_exec import AMI, REGION, localvpc  # noqa: F401  (the `localvpc` fixture runs the tools)

HOST = "203.0.113.7"  # a host of the emulated internet (any public IPv4 address that is not localvpc's answers)
HOST6 = "64:ff9b::cb00:7107"  # the same host in the NAT64 prefix


def nat64_address(ipv4: str) -> str:
    return str(ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) + int(ipaddress.IPv4Address(ipv4))))


class Nat64:
    """VPC 10.50.0.0/16 with an Amazon-provided /56: an IPv4 subnet (0/0 → IGW) with a public NAT gateway, and a
    subnet with the /56's first /64 and a table of its own, whose t3.micro instance gets an IPv6 address."""

    def __init__(self, ec2, localvpc):  # noqa: F811
        self.ec2, self.localvpc = ec2, localvpc
        self.vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
        block = ec2.describe_vpcs(VpcIds=[self.vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
        public = ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.50.0.0/24")["Subnet"]["SubnetId"]
        subnet_block = f"{ipaddress.ip_network(block).network_address + (1 << 64)}/64"
        self.subnet = ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.50.1.0/24", Ipv6CidrBlock=subnet_block)[
            "Subnet"]["SubnetId"]
        ec2.modify_subnet_attribute(SubnetId=self.subnet, AssignIpv6AddressOnCreation={"Value": True})
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=self.vpc)
        main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [self.vpc]}])["RouteTables"][0][
            "RouteTableId"]
        ec2.create_route(RouteTableId=main, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        self.eip = ec2.allocate_address(Domain="vpc")
        self.nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=self.eip["AllocationId"])["NatGateway"][
            "NatGatewayId"]
        ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[self.nat],
                                                     WaiterConfig={"Delay": 1, "MaxAttempts": 3})
        self.nat_ip = ec2.describe_nat_gateways(NatGatewayIds=[self.nat])["NatGateways"][0][
            "NatGatewayAddresses"][0]["PrivateIp"]
        self.table = ec2.create_route_table(VpcId=self.vpc)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=self.table, SubnetId=self.subnet)
        instance = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                     SubnetId=self.subnet)["Instances"][0]
        self.instance = instance["InstanceId"]
        self.address = instance["NetworkInterfaces"][0]["Ipv6Addresses"][0]["Ipv6Address"]

    def ipv6_routes(self):
        table = self.ec2.describe_route_tables(RouteTableIds=[self.table])["RouteTables"][0]
        return [(r["DestinationIpv6CidrBlock"], r.get("NatGatewayId") or r.get("GatewayId")
                 or r.get("EgressOnlyInternetGatewayId"), r["State"])
                for r in table["Routes"] if "DestinationIpv6CidrBlock" in r]

    def tool(self, *command):
        return self.localvpc("exec", "--model", self.instance, "--", *command)


@pytest.fixture
def net(client_factory, localvpc):  # noqa: F811
    return Nat64(client_factory(region=REGION), localvpc)


def test_a_64_ff9b_route_to_the_nat_gateway_lets_ping6_and_nc_reach_an_ipv4_host(net):
    before = net.tool("ping6", "-c", "1", HOST6)
    assert before.rc == 1 and "100% packet loss" in before.out, before
    why = net.localvpc("explain", net.instance, HOST6)
    assert why.rc == 1 and "NO_ROUTE_TO_DESTINATION" in why.out, why
    net.ec2.create_route(RouteTableId=net.table, DestinationIpv6CidrBlock="64:ff9b::/96", NatGatewayId=net.nat)
    routes = net.ipv6_routes()
    assert ("64:ff9b::/96", net.nat, "active") in routes, routes
    out = net.tool("ping6", "-c", "2", HOST6)
    assert out.rc == 0, out
    lines = out.out.splitlines()
    assert lines[0] == f"PING {HOST6}({HOST6}) 56 data bytes", out
    assert lines[1].startswith(f"64 bytes from {HOST6}: icmp_seq=1 ttl="), out
    assert "2 packets transmitted, 2 received, 0% packet loss" in out.out, out
    connected = net.tool("nc", "-6", "-z", "-w", "2", HOST6, "443")
    assert connected.rc == 0 and "succeeded" in connected.err, connected
    # The translation is a hop of its own; beyond it the IPv4 routers answer from their NAT64 addresses.
    hops = net.tool("traceroute6", "-I", "-n", HOST6)
    assert hops.rc == 0, hops
    assert [line.split()[1] for line in hops.out.splitlines()[1:]] == [
        nat64_address(net.nat_ip), nat64_address("100.65.0.1"), HOST6], hops
    explained = net.localvpc("explain", net.instance, HOST6)
    assert explained.rc == 0, explained
    assert f"{net.nat_ip} (icmpv6 type 128 code 0), NAT64 {HOST6} -> {HOST}" in explained.out, explained
    assert net.eip["PublicIp"] in explained.out, explained  # the internet gateway maps the NAT's address to its EIP
    # Without the route again: nothing reaches the gateway; ReplaceRoute onto the gateway brings it back.
    net.ec2.delete_route(RouteTableId=net.table, DestinationIpv6CidrBlock="64:ff9b::/96")
    gone = net.tool("ping6", "-c", "1", HOST6)
    assert gone.rc == 1 and "100% packet loss" in gone.out, gone
    eigw = net.ec2.create_egress_only_internet_gateway(VpcId=net.vpc)["EgressOnlyInternetGateway"][
        "EgressOnlyInternetGatewayId"]
    net.ec2.create_route(RouteTableId=net.table, DestinationIpv6CidrBlock="64:ff9b::/96",
                         EgressOnlyInternetGatewayId=eigw)
    not_internet = net.tool("ping6", "-c", "1", HOST6)
    assert not_internet.rc == 1 and "100% packet loss" in not_internet.out, not_internet
    net.ec2.replace_route(RouteTableId=net.table, DestinationIpv6CidrBlock="64:ff9b::/96", NatGatewayId=net.nat)
    assert ("64:ff9b::/96", net.nat, "active") in net.ipv6_routes()
    back = net.tool("ping6", "-c", "1", HOST6)
    assert back.rc == 0 and "1 received" in back.out, back


def test_an_ipv6_destination_outside_64_ff9b_routed_to_the_nat_gateway_stops_there(net):
    # The API accepts a NAT gateway as the target of any IPv6 route; only 64:ff9b::/96 is translated.
    net.ec2.create_route(RouteTableId=net.table, DestinationIpv6CidrBlock="::/0", NatGatewayId=net.nat)
    routes = net.ipv6_routes()
    assert ("::/0", net.nat, "active") in routes, routes
    dropped = net.tool("ping6", "-c", "1", "2001:db8:1::1")
    assert dropped.rc == 1 and "100% packet loss" in dropped.out, dropped
    why = net.localvpc("explain", net.instance, "2001:db8:1::1")
    assert why.rc == 1 and "CANNOT_ROUTE" in why.out and net.nat in why.out and "64:ff9b::/96" in why.out, why
    # Positive control: the same ::/0 route carries a NAT64 destination.
    passed = net.tool("ping6", "-c", "1", HOST6)
    assert passed.rc == 0 and "1 received" in passed.out, passed


def test_dns64_and_nat64_together_reach_a_name_that_has_only_an_ipv4_address(net):
    name = f"s3.{REGION}.amazonaws.com"
    net.ec2.create_route(RouteTableId=net.table, DestinationIpv6CidrBlock="64:ff9b::/96", NatGatewayId=net.nat)
    ipv4 = net.tool("dig", "+short", name)
    assert ipv4.rc == 0 and ipaddress.ip_address(ipv4.out.strip()).version == 4, ipv4
    plain = net.tool("dig", "+short", "AAAA", name)
    assert (plain.rc, plain.out) == (0, ""), plain  # no AAAA, and no DNS64 yet
    net.ec2.modify_subnet_attribute(SubnetId=net.subnet, EnableDns64={"Value": True})
    synthesized = nat64_address(ipv4.out.strip())
    answered = net.tool("dig", "AAAA", name)
    assert answered.rc == 0, answered
    assert f";; ANSWER SECTION:\n{name}.\t60\tIN\tAAAA\t{synthesized}\n" in answered.out, answered
    out = net.tool("ping6", "-c", "1", synthesized)
    assert out.rc == 0 and f"64 bytes from {synthesized}: icmp_seq=1" in out.out, out
    # Negative control: the same address without the route to the gateway.
    net.ec2.delete_route(RouteTableId=net.table, DestinationIpv6CidrBlock="64:ff9b::/96")
    lost = net.tool("ping6", "-c", "1", synthesized)
    assert lost.rc == 1 and "100% packet loss" in lost.out, lost


def test_the_nat_gateways_flow_log_shows_the_translated_legs_with_its_ipv4_address(net):
    net.ec2.create_route(RouteTableId=net.table, DestinationIpv6CidrBlock="64:ff9b::/96", NatGatewayId=net.nat)
    nat_eni = net.ec2.describe_nat_gateways(NatGatewayIds=[net.nat])["NatGateways"][0]["NatGatewayAddresses"][0][
        "NetworkInterfaceId"]
    fmt = "${interface-id} ${instance-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr} ${protocol} " \
          "${flow-direction} ${action}"
    flow_log = net.ec2.create_flow_logs(ResourceType="NetworkInterface", ResourceIds=[nat_eni], TrafficType="ALL",
                                        LogDestinationType="s3", LogDestination="arn:aws:s3:::flow-log-bucket/nat64",
                                        LogFormat=fmt)["FlowLogIds"][0]
    pinged = net.tool("ping6", "-c", "1", HOST6)
    assert pinged.rc == 0 and "1 received" in pinged.out, pinged
    printed = net.localvpc("flow-logs", flow_log)
    assert printed.rc == 0, printed
    nat_ip, host = net.nat_ip, net.address
    assert printed.out.splitlines() == [
        # In over IPv6 (the gateway holds no IPv6 address: the packet's own), out as IPv4 from its private address
        # with the original host in pkt-srcaddr; the answer in over IPv4 and back out over IPv6.
        f"{nat_eni} - {host} {HOST6} {host} {HOST6} 58 ingress ACCEPT",
        f"{nat_eni} - {nat_ip} {HOST} {host} {HOST} 1 egress ACCEPT",
        f"{nat_eni} - {HOST} {nat_ip} {HOST} {nat_ip} 1 ingress ACCEPT",
        f"{nat_eni} - {HOST6} {host} {HOST6} {host} 58 egress ACCEPT",
    ], printed
    # Negative control: a probe that never reaches the gateway (no route) adds no record of it.
    net.ec2.delete_route(RouteTableId=net.table, DestinationIpv6CidrBlock="64:ff9b::/96")
    lost = net.tool("ping6", "-c", "1", HOST6)
    assert lost.rc == 1 and "100% packet loss" in lost.out, lost
    again = net.localvpc("flow-logs", flow_log)
    assert again.out.splitlines() == printed.out.splitlines(), again
