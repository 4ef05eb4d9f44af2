"""`serve --data-plane kernel` with IPv6 through a transit gateway (part 2 §14.4, §16.2): real `ping6` between two
dual-stack VPCs attached with `Ipv6Support` once both route the other's /56 to the gateway — the gateway no
traceroute6 hop — and nothing when an attachment stops carrying IPv6 (or never did, while IPv4 crosses it), when a
blackhole route in the gateway's table takes the block, or when a VPC route is removed; across two peered gateways
once both route over the peering; stopped by the attachment subnet's network ACL — the engine (`exec --model`) asked
the same question at every step. Needs root, like the other kernel tests (skipped loudly otherwise)."""
from __future__ import annotations

import ipaddress

from test_kernel_data_plane import REGION, kernel, lab  # noqa: F401  (fixtures)
from test_kernel_ipv6 import allow_icmpv6, both, dual_stack, ping6
from test_kernel_transit_gateway import gateway, peer


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


def both_v4(lab, vantage: str, address: str) -> tuple[int, int]:  # noqa: F811
    """The kernel's and the engine's answer to one IPv4 ping."""
    real = lab.ping(vantage, address).returncode
    model = lab.localvpc("exec", "--model", vantage, "--", "ping", "-c", "1", address).returncode
    return real, model


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
    assert both_v4(lab, a["instance"], b_ipv4) == (0, 0)
    lost = ping6(lab, a["instance"], b["address"])
    assert lost.returncode == 1 and "1 packets transmitted, 0 received" in lost.stdout, lost
    assert both(lab, a["instance"], b["address"]) == (1, 1)
    assert both(lab, b["instance"], a["address"]) == (1, 1)
    # The engine says why: B's ping6 meets its own attachment, which does not carry IPv6 (and A's finds no route
    # for B's /56 in the gateway's table, since nothing propagates it).
    explained = lab.localvpc("exec", "--model", "--explain", b["instance"], "--", "ping6", "-c", "1", a["address"])
    assert explained.returncode == 1, explained
    assert "does not carry IPv6 (Ipv6Support is disable)" in explained.stdout + explained.stderr, explained


def test_kernel_ping6_across_peered_transit_gateways_once_both_sides_route_over_the_peering(lab):  # noqa: F811
    a, b = dual_stack(lab, "10.65.0.0/16"), dual_stack(lab, "10.66.0.0/16")
    for side in (a, b):
        allow_icmpv6(lab, side, "::/0")
    (east, east_table), (west, west_table) = gateway(lab), gateway(lab)
    attach(lab, east, a, ipv6=True)
    attach(lab, west, b, ipv6=True)
    lab.ec2.create_route(RouteTableId=a["rtb"], DestinationIpv6CidrBlock=b["block"], TransitGatewayId=east)
    lab.ec2.create_route(RouteTableId=b["rtb"], DestinationIpv6CidrBlock=a["block"], TransitGatewayId=west)
    attachment = peer(lab, east, west)
    for table in (east_table, west_table):  # no default association for a peering: each side associates
        lab.ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=table,
                                                      TransitGatewayAttachmentId=attachment)
    lab.ec2.create_transit_gateway_route(TransitGatewayRouteTableId=east_table, DestinationCidrBlock=b["block"],
                                         TransitGatewayAttachmentId=attachment)
    # One side's static route only: A's request crosses, B's answer has no way back.
    assert both(lab, a["instance"], b["address"]) == (1, 1)
    lab.ec2.create_transit_gateway_route(TransitGatewayRouteTableId=west_table, DestinationCidrBlock=a["block"],
                                         TransitGatewayAttachmentId=attachment)
    out = ping6(lab, a["instance"], b["address"])
    assert out.returncode == 0, out
    assert f"64 bytes from {b['address']}: icmp_seq=1" in out.stdout, out.stdout
    assert both(lab, a["instance"], b["address"]) == (0, 0)
    assert both(lab, b["instance"], a["address"]) == (0, 0)
    # Neither gateway is a hop.
    assert hops6(lab, a["instance"], b["address"]) == (0, [b["address"]])
    # Without the west side's route again, both directions fail once more.
    lab.ec2.delete_transit_gateway_route(TransitGatewayRouteTableId=west_table, DestinationCidrBlock=a["block"])
    assert both(lab, a["instance"], b["address"]) == (1, 1)
    assert both(lab, b["instance"], a["address"]) == (1, 1)


def test_kernel_the_attachment_subnets_network_acl_applies_to_ipv6_leaving_the_gateway(lab):  # noqa: F811
    a, b = dual_stack(lab, "10.67.0.0/16"), dual_stack(lab, "10.68.0.0/16")
    for side in (a, b):
        allow_icmpv6(lab, side, "::/0")
        lab.ec2.authorize_security_group_ingress(GroupId=side["sg"], IpPermissions=[
            {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    # B is attached by a subnet of its own (B's instance is elsewhere, in the same zone), whose ACL will matter.
    zone = lab.ec2.describe_subnets(SubnetIds=[b["subnet"]])["Subnets"][0]["AvailabilityZone"]
    attachment_block = f"{ipaddress.ip_network(b['block']).network_address + (2 << 64)}/64"
    b_attachment_subnet = lab.ec2.create_subnet(VpcId=b["vpc"], CidrBlock="10.68.2.0/24", AvailabilityZone=zone,
                                                Ipv6CidrBlock=attachment_block)["Subnet"]["SubnetId"]
    tgw, _ = gateway(lab)
    attach(lab, tgw, a, ipv6=True)
    attach(lab, tgw, {**b, "subnet": b_attachment_subnet}, ipv6=True)
    for side, cidr in ((a, "10.68.0.0/16"), (b, "10.67.0.0/16")):
        other = b if side is a else a
        lab.ec2.create_route(RouteTableId=side["rtb"], DestinationIpv6CidrBlock=other["block"], TransitGatewayId=tgw)
        lab.ec2.create_route(RouteTableId=side["rtb"], DestinationCidrBlock=cidr, TransitGatewayId=tgw)
    b_ipv4 = lab.ec2.describe_instances(InstanceIds=[b["instance"]])["Reservations"][0]["Instances"][0][
        "PrivateIpAddress"]
    assert both(lab, a["instance"], b["address"]) == (0, 0)  # positive control: the default ACL admits all
    # A custom ACL on the attachment subnet: everything allowed but ICMPv6 leaving it (the gateway's way into B).
    acl = lab.ec2.create_network_acl(VpcId=b["vpc"])["NetworkAcl"]["NetworkAclId"]
    for egress in (False, True):
        lab.ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="-1", RuleAction="allow",
                                         Egress=egress, CidrBlock="0.0.0.0/0")
        lab.ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=110, Protocol="-1", RuleAction="allow",
                                         Egress=egress, Ipv6CidrBlock="::/0")
    lab.ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=90, Protocol="58", RuleAction="deny", Egress=True,
                                     Ipv6CidrBlock="::/0", IcmpTypeCode={"Type": -1, "Code": -1})
    associations = lab.ec2.describe_network_acls(Filters=[
        {"Name": "association.subnet-id", "Values": [b_attachment_subnet]}])["NetworkAcls"][0]["Associations"]
    (association,) = [x for x in associations if x["SubnetId"] == b_attachment_subnet]
    lab.ec2.replace_network_acl_association(AssociationId=association["NetworkAclAssociationId"], NetworkAclId=acl)
    lost = ping6(lab, a["instance"], b["address"])
    assert lost.returncode == 1 and "1 packets transmitted, 0 received" in lost.stdout, lost
    assert both(lab, a["instance"], b["address"]) == (1, 1)
    # IPv4 crosses the same subnet (the deny is ICMPv6's only).
    assert both_v4(lab, a["instance"], b_ipv4) == (0, 0)

