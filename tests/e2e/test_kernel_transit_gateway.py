"""`serve --data-plane kernel` with a transit gateway (part 2 §14.4): real ping and traceroute between VPCs attached
to one gateway, over its namespace — nothing before both VPCs route to it, replies after, a blackhole route in the
gateway's table stops it, the gateway is no traceroute hop, and it carries what peering does not (A–B–C) — with the
engine (`exec --model`) agreeing at every step. Needs root, like the other kernel tests (skipped loudly otherwise)."""
from __future__ import annotations

from test_kernel_data_plane import kernel, lab  # noqa: F401  (fixtures)


def both(lab, vantage, address):  # noqa: F811
    """The kernel's and the engine's answer to one ping."""
    real = lab.ping(vantage, address).returncode
    model = lab.localvpc("exec", "--model", vantage, "--", "ping", "-c", "1", address).returncode
    return real, model


def spoke(lab, n):  # noqa: F811
    """VPC 10.n.0.0/16 with an instance in 10.n.1.0/24 whose group admits ICMP and traceroute from 10.0.0.0/8."""
    side = lab.network(f"10.{n}.0.0/16", f"10.{n}.1.0/24", igw=False)
    lab.allow(side, "icmp", "10.0.0.0/8")
    lab.allow(side, "udp", "10.0.0.0/8", (33434, 33534))
    return side


def gateway(lab):  # noqa: F811
    created = lab.ec2.create_transit_gateway(Description="hub")["TransitGateway"]
    tgw = created["TransitGatewayId"]
    table = lab.ec2.describe_transit_gateways(TransitGatewayIds=[tgw])["TransitGateways"][0]["Options"][
        "AssociationDefaultRouteTableId"]
    return tgw, table


def attach(lab, tgw, side):  # noqa: F811
    attachment = lab.ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=side["vpc"],
                                                               SubnetIds=[side["subnet"]])
    return attachment["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]


def test_kernel_two_vpcs_reach_each_other_over_a_transit_gateway_until_a_blackhole_route(lab):  # noqa: F811
    a, b = spoke(lab, 1), spoke(lab, 2)
    tgw, table = gateway(lab)
    attach(lab, tgw, a)
    attach(lab, tgw, b)
    assert both(lab, a["instance"], b["ip"]) == (1, 1)  # no VPC routes to the gateway yet
    lab.ec2.create_route(RouteTableId=a["rtb"], DestinationCidrBlock=b["cidr"], TransitGatewayId=tgw)
    assert both(lab, a["instance"], b["ip"]) == (1, 1)  # the answer has no way back
    lab.ec2.create_route(RouteTableId=b["rtb"], DestinationCidrBlock=a["cidr"], TransitGatewayId=tgw)
    out = lab.ping(a["instance"], b["ip"])
    assert out.returncode == 0 and f"64 bytes from {b['ip']}" in out.stdout, out
    assert both(lab, a["instance"], b["ip"]) == (0, 0)
    assert both(lab, b["instance"], a["ip"]) == (0, 0)
    # The gateway (like the VPC routers) is no hop: the destination answers at hop 1.
    for flags in (["-n"], ["-I", "-n"]):
        traced = lab.exec(a["instance"], "traceroute", *flags, "-w", "1", "-q", "1", "-m", "5", b["ip"])
        hops = [line.split()[:2] for line in traced.stdout.splitlines()[1:]]
        assert traced.returncode == 0 and hops == [["1", b["ip"]]], traced.stdout
    # A static blackhole route for B's block beats the propagated one: the gateway drops it.
    lab.ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock=b["cidr"],
                                         Blackhole=True)
    assert both(lab, a["instance"], b["ip"]) == (1, 1)
    lab.ec2.delete_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock=b["cidr"])
    assert both(lab, a["instance"], b["ip"]) == (0, 0)


def test_kernel_a_transit_gateway_carries_what_peering_does_not(lab):  # noqa: F811
    a, b, c = spoke(lab, 1), spoke(lab, 2), spoke(lab, 3)
    pcx = {}
    for left, right in ((a, b), (b, c)):
        request = lab.ec2.create_vpc_peering_connection(VpcId=left["vpc"], PeerVpcId=right["vpc"])
        pcx[(left["vpc"], right["vpc"])] = request["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        lab.ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx[(left["vpc"], right["vpc"])])
    ab, bc = pcx[(a["vpc"], b["vpc"])], pcx[(b["vpc"], c["vpc"])]
    lab.ec2.create_route(RouteTableId=a["rtb"], DestinationCidrBlock="10.2.0.0/15", VpcPeeringConnectionId=ab)
    lab.ec2.create_route(RouteTableId=b["rtb"], DestinationCidrBlock=a["cidr"], VpcPeeringConnectionId=ab)
    lab.ec2.create_route(RouteTableId=b["rtb"], DestinationCidrBlock=c["cidr"], VpcPeeringConnectionId=bc)
    lab.ec2.create_route(RouteTableId=c["rtb"], DestinationCidrBlock="10.0.0.0/14", VpcPeeringConnectionId=bc)
    assert both(lab, a["instance"], b["ip"]) == (0, 0)  # positive control: each peering works
    assert both(lab, c["instance"], b["ip"]) == (0, 0)
    assert both(lab, a["instance"], c["ip"]) == (1, 1)  # not transitive
    tgw, _ = gateway(lab)
    for side in (a, b, c):
        attach(lab, tgw, side)
    lab.ec2.create_route(RouteTableId=a["rtb"], DestinationCidrBlock=c["cidr"], TransitGatewayId=tgw)
    lab.ec2.create_route(RouteTableId=c["rtb"], DestinationCidrBlock=a["cidr"], TransitGatewayId=tgw)
    out = lab.ping(a["instance"], c["ip"])
    assert out.returncode == 0 and f"64 bytes from {c['ip']}" in out.stdout, out
    assert both(lab, a["instance"], c["ip"]) == (0, 0)
    assert both(lab, c["instance"], a["ip"]) == (0, 0)
    assert both(lab, a["instance"], b["ip"]) == (0, 0)  # still over the peering
