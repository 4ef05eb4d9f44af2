"""`serve --data-plane kernel` with IPv6 through a transit gateway (part 2 §14.4, §16.2): real `ping6` between two
dual-stack VPCs attached with `Ipv6Support` once both route the other's /56 to the gateway — the gateway no
traceroute6 hop — and nothing when an attachment stops carrying IPv6, when a blackhole route in the gateway's table
takes the block, or when a VPC route is removed; the engine (`exec --model`) asked the same question at every step.
Needs root, like the other kernel tests (skipped loudly otherwise)."""
from __future__ import annotations

from test_kernel_data_plane import REGION, kernel, lab  # noqa: F401  (fixtures)
from test_kernel_ipv6 import allow_icmpv6, both, dual_stack, ping6
from test_kernel_transit_gateway import gateway


def attach(lab, tgw: str, side: dict, ipv6: bool) -> str:  # noqa: F811
    answer = lab.ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw, VpcId=side["vpc"], SubnetIds=[side["subnet"]],
        Options={"Ipv6Support": "enable" if ipv6 else "disable"})
    attachment = answer["TransitGatewayVpcAttachment"]
    assert attachment["Options"]["Ipv6Support"] == ("enable" if ipv6 else "disable"), attachment
    return attachment["TransitGatewayAttachmentId"]


def ipv6_support(lab, attachment: str, on: bool) -> None:  # noqa: F811
    answer = lab.ec2.modify_transit_gateway_vpc_attachment(
        TransitGatewayAttachmentId=attachment, Options={"Ipv6Support": "enable" if on else "disable"})
    options = answer["TransitGatewayVpcAttachment"]["Options"]
    assert options["Ipv6Support"] == ("enable" if on else "disable"), options


def hops6(lab, vantage: str, address: str, model: bool = False) -> tuple[int, list[str]]:  # noqa: F811
    """The addresses an ICMP traceroute6 shows, hop by hop (the kernel's, or the engine's)."""
    if model:
        traced = lab.localvpc("exec", "--model", vantage, "--", "traceroute6", "-I", "-n", address)
    else:
        traced = lab.exec(vantage, "traceroute", "-6", "-I", "-n", "-w", "1", "-q", "1", "-m", "4", address)
    return traced.returncode, [line.split()[1] for line in traced.stdout.splitlines()[1:]]


def test_kernel_ping6_across_a_transit_gateway_needs_ipv6_support_and_vpc_routes_both_ways(lab):  # noqa: F811
    a, b = dual_stack(lab, "10.61.0.0/16"), dual_stack(lab, "10.62.0.0/16")
    for side in (a, b):
        allow_icmpv6(lab, side, "::/0")
    tgw, table = gateway(lab)
    attach(lab, tgw, a, ipv6=True)
    to_b = attach(lab, tgw, b, ipv6=True)
    assert both(lab, a["instance"], b["address"]) == (1, 1)  # no VPC routes to the gateway yet
    lab.ec2.create_route(RouteTableId=a["rtb"], DestinationIpv6CidrBlock=b["block"], TransitGatewayId=tgw)
    assert both(lab, a["instance"], b["address"]) == (1, 1)  # the answer has no way back
    made = lab.ec2.create_route(RouteTableId=b["rtb"], DestinationIpv6CidrBlock=a["block"], TransitGatewayId=tgw)
    assert made["Return"] is True
    out = ping6(lab, a["instance"], b["address"])
    assert out.returncode == 0, out
    assert f"64 bytes from {b['address']}: icmp_seq=1" in out.stdout, out.stdout
    assert both(lab, a["instance"], b["address"]) == (0, 0)
    back = ping6(lab, b["instance"], a["address"])
    assert back.returncode == 0, back
    assert f"64 bytes from {a['address']}: icmp_seq=1" in back.stdout, back.stdout
    assert both(lab, b["instance"], a["address"]) == (0, 0)
    # The gateway (like the VPC routers) gives the hop limit back: the peer is hop 1, in the kernel and the engine.
    assert hops6(lab, a["instance"], b["address"]) == (0, [b["address"]])
    assert hops6(lab, a["instance"], b["address"], model=True) == (0, [b["address"]])

    # (a) B's attachment stops carrying IPv6: nothing either way (the engine: it does not carry IPv6).
    ipv6_support(lab, to_b, on=False)
    lost = ping6(lab, a["instance"], b["address"])
    assert lost.returncode == 1 and "1 packets transmitted, 0 received" in lost.stdout, lost
    assert both(lab, a["instance"], b["address"]) == (1, 1)
    assert both(lab, b["instance"], a["address"]) == (1, 1)
    ipv6_support(lab, to_b, on=True)  # positive control: back again
    assert both(lab, a["instance"], b["address"]) == (0, 0)

    # A blackhole route for B's /56 in the gateway's table beats the propagated one; deleted, the ping goes again.
    lab.ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock=b["block"],
                                         Blackhole=True)
    assert both(lab, a["instance"], b["address"]) == (1, 1)
    lab.ec2.delete_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock=b["block"])
    assert both(lab, a["instance"], b["address"]) == (0, 0)

    # (b) Without A's route to B's /56, A's ping6 has no way out and B's answers none back to A.
    lab.ec2.delete_route(RouteTableId=a["rtb"], DestinationIpv6CidrBlock=b["block"])
    assert both(lab, a["instance"], b["address"]) == (1, 1)
    assert both(lab, b["instance"], a["address"]) == (1, 1)


def test_kernel_ipv6_to_a_vpc_attached_without_ipv6_support_is_dropped_while_ipv4_goes(lab):  # noqa: F811
    a, b = dual_stack(lab, "10.63.0.0/16"), dual_stack(lab, "10.64.0.0/16")
    for side in (a, b):
        allow_icmpv6(lab, side, "::/0")
        lab.ec2.authorize_security_group_ingress(GroupId=side["sg"], IpPermissions=[
            {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    tgw, _ = gateway(lab)
    attach(lab, tgw, a, ipv6=True)
    attach(lab, tgw, b, ipv6=False)
    b_ipv4 = lab.ec2.describe_instances(InstanceIds=[b["instance"]])["Reservations"][0]["Instances"][0][
        "PrivateIpAddress"]
    for side, other_cidr in ((a, "10.64.0.0/16"), (b, "10.63.0.0/16")):
        lab.ec2.create_route(RouteTableId=side["rtb"], DestinationIpv6CidrBlock="::/0", TransitGatewayId=tgw)
        lab.ec2.create_route(RouteTableId=side["rtb"], DestinationCidrBlock=other_cidr, TransitGatewayId=tgw)
    # IPv4 crosses the same attachments (positive control); IPv6 stops at B's, in the kernel as in the engine.
    real = lab.ping(a["instance"], b_ipv4)
    assert real.returncode == 0 and f"64 bytes from {b_ipv4}" in real.stdout, real
    model = lab.localvpc("exec", "--model", a["instance"], "--", "ping", "-c", "1", b_ipv4)
    assert model.returncode == 0, model
    lost = ping6(lab, a["instance"], b["address"])
    assert lost.returncode == 1 and "1 packets transmitted, 0 received" in lost.stdout, lost
    assert both(lab, a["instance"], b["address"]) == (1, 1)
    assert both(lab, b["instance"], a["address"]) == (1, 1)
    # The engine says why: B's ping6 meets its own attachment, which does not carry IPv6 (and A's finds no route
    # for B's /56 in the gateway's table, since nothing propagates it).
    explained = lab.localvpc("exec", "--model", "--explain", b["instance"], "--", "ping6", "-c", "1", a["address"])
    assert explained.returncode == 1, explained
    assert "does not carry IPv6 (Ipv6Support is disable)" in explained.stdout + explained.stderr, explained
