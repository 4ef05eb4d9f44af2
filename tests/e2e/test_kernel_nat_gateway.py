"""`serve --data-plane kernel` with a NAT gateway (part 2 §13.2): real ping and traceroute from a private instance
reach the internet through the gateway's namespace (which translates to its address, mapped to its Elastic IP at
the internet gateway), nothing from the internet gets in through it, and the engine (`exec --model`) agrees at every
step. Needs root, like the other kernel tests (skipped loudly otherwise)."""
from __future__ import annotations

from test_kernel_data_plane import kernel, lab  # noqa: F401  (fixtures)

INTERNET_HOST = "203.0.113.7"


def egress(lab):  # noqa: F811
    ec2 = lab.ec2
    side = lab.network("10.20.0.0/16", "10.20.1.0/24")  # the instance's subnet: the private one
    public = ec2.create_subnet(VpcId=side["vpc"], CidrBlock="10.20.0.0/24")["Subnet"]["SubnetId"]
    public_rtb = ec2.create_route_table(VpcId=side["vpc"])["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=public_rtb, SubnetId=public)
    ec2.create_route(RouteTableId=public_rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=side["igw"])
    eip = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip["AllocationId"])["NatGateway"]["NatGatewayId"]
    side.update(public=public, eip=eip["PublicIp"], nat=nat)
    side["nat_ip"] = ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0]["NatGatewayAddresses"][0][
        "PrivateIp"]
    return side


def both(lab, vantage, address):  # noqa: F811
    """The kernel's and the engine's answer to one ping."""
    real = lab.ping(vantage, address).returncode
    model = lab.localvpc("exec", "--model", vantage, "--", "ping", "-c", "1", address).returncode
    return real, model


def test_kernel_private_instance_reaches_the_internet_through_the_nat_gateway(lab):  # noqa: F811
    side = egress(lab)
    assert both(lab, side["instance"], INTERNET_HOST) == (1, 1)  # no route to the gateway yet
    lab.ec2.create_route(RouteTableId=side["rtb"], DestinationCidrBlock="0.0.0.0/0", NatGatewayId=side["nat"])
    out = lab.ping(side["instance"], INTERNET_HOST)
    assert out.returncode == 0 and f"64 bytes from {INTERNET_HOST}" in out.stdout, out
    assert both(lab, side["instance"], INTERNET_HOST) == (0, 0)
    # The gateway is a router that answers traceroute; the VPC router stays invisible.
    traced = lab.exec(side["instance"], "traceroute", "-I", "-n", "-w", "1", "-q", "1", "-m", "6", INTERNET_HOST)
    hops = [line.split()[1] for line in traced.stdout.splitlines()[1:] if line.split()[1:2] != ["*"]]
    assert traced.returncode == 0 and hops[0] == side["nat_ip"] and hops[-1] == INTERNET_HOST, traced.stdout


def test_kernel_the_internet_cannot_start_a_flow_through_the_nat_gateway(lab):  # noqa: F811
    side = egress(lab)
    lab.ec2.create_route(RouteTableId=side["rtb"], DestinationCidrBlock="0.0.0.0/0", NatGatewayId=side["nat"])
    lab.allow(side, "icmp", "0.0.0.0/0")  # the instance would accept it
    assert both(lab, side["instance"], INTERNET_HOST) == (0, 0)  # positive control: outbound works
    assert both(lab, "internet", side["eip"]) == (1, 1)
    # Deleting the gateway ends the way out, in the kernel as in the engine.
    lab.ec2.delete_nat_gateway(NatGatewayId=side["nat"])
    assert both(lab, side["instance"], INTERNET_HOST) == (1, 1)
