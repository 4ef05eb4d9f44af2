"""`serve --data-plane kernel` with a transit gateway (part 2 §14.4): real ping and traceroute between VPCs attached
to one gateway, over its namespace — nothing before both VPCs route to it, replies after, a blackhole route in the
gateway's table stops it, the gateway is no traceroute hop, and it carries what peering does not (A–B–C); two
gateways (of one Region or two) joined by a peering attachment once both sides route over it, and a block they
send each other dropped rather than circling; a spoke with no internet gateway reaching the internet through an
egress VPC's NAT gateway; the attachment subnet's network ACL; a hub VPC routing what one gateway brought to
another, and a block it sends back dropped rather than circling — with the engine (`exec --model`) agreeing at
every step. Needs root, like the other kernel tests (skipped loudly otherwise)."""
from __future__ import annotations

import json
import subprocess
import time

from conftest import make_client
from test_kernel_data_plane import REGION, Lab, kernel, lab  # noqa: F401  (fixtures)

INTERNET_HOST = "203.0.113.7"


def both(lab, vantage, address, region=None):  # noqa: F811
    """The kernel's and the engine's answer to one ping (from a vantage of `region`, if another Region's)."""
    if region is None:
        real = lab.ping(vantage, address).returncode
        model = lab.localvpc("exec", "--model", vantage, "--", "ping", "-c", "1", address).returncode
        return real, model
    real = lab.localvpc("--region", region, "exec", vantage, "--", "ping", "-c", "1", "-W", "1", "-n", address)
    model = lab.localvpc("--region", region, "exec", "--model", vantage, "--", "ping", "-c", "1", address)
    return real.returncode, model.returncode


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


def attach(lab, tgw, side, subnet=None):  # noqa: F811
    attachment = lab.ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=side["vpc"],
                                                               SubnetIds=[subnet or side["subnet"]])
    return attachment["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]


def hops(lab, vantage, address):  # noqa: F811
    """The hops an ICMP traceroute shows (address per line)."""
    traced = lab.exec(vantage, "traceroute", "-I", "-n", "-w", "1", "-q", "1", "-m", "5", address)
    assert traced.returncode == 0, traced
    return [line.split()[:2] for line in traced.stdout.splitlines()[1:]]


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


def still(lab, gateway, attachment):  # noqa: F811
    """Whether the gateway sends (almost) nothing by the attachment's link for a second: no packet circles."""
    namespace, link = f"{lab.server.prefix}-{gateway}", "t" + attachment.rsplit("-", 1)[1][-12:]

    def sent():
        shown = subprocess.run(["ip", "-n", namespace, "-s", "-j", "link", "show", link], capture_output=True,
                               text=True, check=True)
        return json.loads(shown.stdout)[0]["stats64"]["tx"]["packets"]

    before = sent()
    time.sleep(1)
    return sent() - before < 5


def peer(lab, left, right):  # noqa: F811
    """A peering attachment between two gateways of this account and Region, accepted (same account and Region:
    the accepter's side is the same client)."""
    owner = lab.ec2.describe_transit_gateways(TransitGatewayIds=[left])["TransitGateways"][0]["OwnerId"]
    created = lab.ec2.create_transit_gateway_peering_attachment(
        TransitGatewayId=left, PeerTransitGatewayId=right, PeerAccountId=owner, PeerRegion=REGION)
    attachment = created["TransitGatewayPeeringAttachment"]["TransitGatewayAttachmentId"]
    lab.ec2.accept_transit_gateway_peering_attachment(TransitGatewayAttachmentId=attachment)
    state = lab.ec2.describe_transit_gateway_peering_attachments(TransitGatewayAttachmentIds=[attachment])[
        "TransitGatewayPeeringAttachments"][0]["State"]
    assert state == "available", state
    return attachment


def test_kernel_peered_transit_gateways_carry_traffic_once_both_sides_route_over_the_peering(lab):  # noqa: F811
    a, b = spoke(lab, 1), spoke(lab, 2)
    (east, east_table), (west, west_table) = gateway(lab), gateway(lab)
    attach(lab, east, a)
    attach(lab, west, b)
    lab.ec2.create_route(RouteTableId=a["rtb"], DestinationCidrBlock=b["cidr"], TransitGatewayId=east)
    lab.ec2.create_route(RouteTableId=b["rtb"], DestinationCidrBlock=a["cidr"], TransitGatewayId=west)
    attachment = peer(lab, east, west)
    for table in (east_table, west_table):  # no default association for a peering: each side associates
        lab.ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=table,
                                                      TransitGatewayAttachmentId=attachment)
    lab.ec2.create_transit_gateway_route(TransitGatewayRouteTableId=east_table, DestinationCidrBlock=b["cidr"],
                                         TransitGatewayAttachmentId=attachment)
    # One side's static route only: A's request crosses but B's answer has no way back, and B's request none out.
    assert both(lab, a["instance"], b["ip"]) == (1, 1)
    assert both(lab, b["instance"], a["ip"]) == (1, 1)
    lab.ec2.create_transit_gateway_route(TransitGatewayRouteTableId=west_table, DestinationCidrBlock=a["cidr"],
                                         TransitGatewayAttachmentId=attachment)
    out = lab.ping(a["instance"], b["ip"])
    assert out.returncode == 0 and f"64 bytes from {b['ip']}" in out.stdout, out
    assert both(lab, a["instance"], b["ip"]) == (0, 0)
    assert both(lab, b["instance"], a["ip"]) == (0, 0)
    # Neither gateway is a hop; the path carries 8,500 bytes (the peering's MTU, part 2) and no more.
    assert hops(lab, a["instance"], b["ip"]) == [["1", b["ip"]]]
    fits = lab.exec(a["instance"], "ping", "-c", "1", "-W", "1", "-n", "-M", "do", "-s", "8472", b["ip"])
    assert fits.returncode == 0 and f"8480 bytes from {b['ip']}" in fits.stdout, fits
    too_big = lab.exec(a["instance"], "ping", "-c", "1", "-W", "1", "-n", "-M", "do", "-s", "8473", b["ip"])
    assert too_big.returncode != 0 and "8480 bytes from" not in too_big.stdout, too_big
    # Without the west side's route again, both directions fail once more.
    lab.ec2.delete_transit_gateway_route(TransitGatewayRouteTableId=west_table, DestinationCidrBlock=a["cidr"])
    assert both(lab, a["instance"], b["ip"]) == (1, 1)
    assert both(lab, b["instance"], a["ip"]) == (1, 1)


def test_kernel_a_peering_joins_gateways_of_two_regions(lab):  # noqa: F811
    west_region = "us-west-2"
    west_lab = Lab(lab.server)
    west_lab.ec2 = make_client(lab.server.endpoint, region=west_region)
    a, b = spoke(lab, 1), spoke(west_lab, 2)
    (east, east_table), (west, west_table) = gateway(lab), gateway(west_lab)
    attach(lab, east, a)
    attach(west_lab, west, b)
    lab.ec2.create_route(RouteTableId=a["rtb"], DestinationCidrBlock=b["cidr"], TransitGatewayId=east)
    west_lab.ec2.create_route(RouteTableId=b["rtb"], DestinationCidrBlock=a["cidr"], TransitGatewayId=west)
    owner = lab.ec2.describe_transit_gateways(TransitGatewayIds=[east])["TransitGateways"][0]["OwnerId"]
    attachment = lab.ec2.create_transit_gateway_peering_attachment(
        TransitGatewayId=east, PeerTransitGatewayId=west, PeerAccountId=owner, PeerRegion=west_region)[
        "TransitGatewayPeeringAttachment"]["TransitGatewayAttachmentId"]
    west_lab.ec2.accept_transit_gateway_peering_attachment(TransitGatewayAttachmentId=attachment)
    for side, table, destination in ((lab, east_table, b["cidr"]), (west_lab, west_table, a["cidr"])):
        side.ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=table,
                                                       TransitGatewayAttachmentId=attachment)
        if side is lab:  # the west side's route comes later
            side.ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock=destination,
                                                  TransitGatewayAttachmentId=attachment)
    assert both(lab, a["instance"], b["ip"]) == (1, 1)
    assert both(lab, b["instance"], a["ip"], region=west_region) == (1, 1)
    lost = lab.localvpc("--region", west_region, "exec", b["instance"], "--", "ping", "-c", "1", "-W", "1", a["ip"])
    assert "1 packets transmitted, 0 received" in lost.stdout, lost  # sent from the west, lost on the way
    west_lab.ec2.create_transit_gateway_route(TransitGatewayRouteTableId=west_table, DestinationCidrBlock=a["cidr"],
                                              TransitGatewayAttachmentId=attachment)
    assert both(lab, a["instance"], b["ip"]) == (0, 0)
    assert both(lab, b["instance"], a["ip"], region=west_region) == (0, 0)
    # Across Regions too the peering carries 8,500 bytes (part 2's quota table), unlike a VPC peering's 1,500.
    fits = lab.exec(a["instance"], "ping", "-c", "1", "-W", "1", "-n", "-M", "do", "-s", "8472", b["ip"])
    assert fits.returncode == 0 and f"8480 bytes from {b['ip']}" in fits.stdout, fits


def test_kernel_a_block_both_peered_gateways_send_over_the_peering_is_dropped_as_a_loop(lab):  # noqa: F811
    a, b = spoke(lab, 1), spoke(lab, 2)
    (east, east_table), (west, west_table) = gateway(lab), gateway(lab)
    attach(lab, east, a)
    attach(lab, west, b)
    attachment = peer(lab, east, west)
    lab.ec2.create_route(RouteTableId=a["rtb"], DestinationCidrBlock="10.0.0.0/8", TransitGatewayId=east)
    lab.ec2.create_route(RouteTableId=b["rtb"], DestinationCidrBlock="10.0.0.0/8", TransitGatewayId=west)
    for table in (east_table, west_table):
        lab.ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=table,
                                                      TransitGatewayAttachmentId=attachment)
        # Each side sends all of 10/8 it does not hold over the peering: 10.9/16 has nowhere to end.
        lab.ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="10.0.0.0/8",
                                             TransitGatewayAttachmentId=attachment)
    assert both(lab, a["instance"], b["ip"]) == (0, 0)  # positive control: what ends somewhere is carried
    assert both(lab, b["instance"], a["ip"]) == (0, 0)
    assert both(lab, a["instance"], "10.9.0.1") == (1, 1)
    why = lab.localvpc("explain", a["instance"], "10.9.0.1")
    assert why.returncode == 1 and "a routing loop" in why.stdout, why
    # The looping packet is gone, not circling over the peering (hidden gateways give back the TTL, so nothing else
    # would end it): the link's counter stands still, and the gateways carry the next ping at once.
    assert still(lab, east, attachment)
    assert both(lab, a["instance"], b["ip"]) == (0, 0)


def egress_vpc(lab, tgw):  # noqa: F811
    """The egress VPC 10.9/16: its attachment in the private subnet (the main table: 0/0 to a NAT gateway), the NAT
    gateway in a public subnet whose table sends 0/0 to the internet gateway and 10/8 back to the transit gateway."""
    ec2 = lab.ec2
    side = lab.network("10.9.0.0/16", "10.9.1.0/24")
    public = ec2.create_subnet(VpcId=side["vpc"], CidrBlock="10.9.0.0/24")["Subnet"]["SubnetId"]
    public_rtb = ec2.create_route_table(VpcId=side["vpc"])["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=public_rtb, SubnetId=public)
    ec2.create_route(RouteTableId=public_rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=side["igw"])
    eip = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip["AllocationId"])["NatGateway"]["NatGatewayId"]
    ec2.create_route(RouteTableId=side["rtb"], DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    side.update(eip=eip["PublicIp"], attachment=attach(lab, tgw, side))
    ec2.create_route(RouteTableId=public_rtb, DestinationCidrBlock="10.0.0.0/8", TransitGatewayId=tgw)
    return side


def test_kernel_a_spoke_without_an_internet_gateway_reaches_the_internet_through_an_egress_vpc(lab):  # noqa: F811
    tgw, table = gateway(lab)
    spoke_side = spoke(lab, 1)
    attach(lab, tgw, spoke_side)
    lab.ec2.create_route(RouteTableId=spoke_side["rtb"], DestinationCidrBlock="0.0.0.0/0", TransitGatewayId=tgw)
    hub = egress_vpc(lab, tgw)
    assert both(lab, spoke_side["instance"], INTERNET_HOST) == (1, 1)  # no default route in the gateway's table
    lab.ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="0.0.0.0/0",
                                         TransitGatewayAttachmentId=hub["attachment"])
    out = lab.ping(spoke_side["instance"], INTERNET_HOST)
    assert out.returncode == 0 and f"64 bytes from {INTERNET_HOST}" in out.stdout, out
    assert both(lab, spoke_side["instance"], INTERNET_HOST) == (0, 0)
    # The internet cannot start a flow back in through the NAT gateway's address.
    assert both(lab, "internet", hub["eip"]) == (1, 1)
    lab.allow(spoke_side, "icmp", "0.0.0.0/0")  # the spoke would accept it: still nothing gets in
    assert both(lab, "internet", hub["eip"]) == (1, 1)
    assert both(lab, spoke_side["instance"], INTERNET_HOST) == (0, 0)  # while the way out still works


def spokes_with_an_acl_at_bs_attachment(lab):  # noqa: F811
    """Spokes A (10.1/16) and B (10.2/16) on one gateway, each routing the other's block to it; B's attachment sits
    in a subnet of its own (10.2.2.0/24) with a network ACL of its own that allows everything: (a, b, tgw, acl, that subnet)."""
    ec2 = lab.ec2
    a, b = spoke(lab, 1), spoke(lab, 2)
    tgw, _ = gateway(lab)
    attach(lab, tgw, a)
    # B's attachment sits in a subnet of its own, with a network ACL of its own that allows everything.
    attachment_subnet = ec2.create_subnet(VpcId=b["vpc"], CidrBlock="10.2.2.0/24")["Subnet"]["SubnetId"]
    attach(lab, tgw, b, attachment_subnet)
    acl = ec2.create_network_acl(VpcId=b["vpc"])["NetworkAcl"]["NetworkAclId"]
    for egress in (False, True):
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=200, Protocol="-1", RuleAction="allow",
                                     Egress=egress, CidrBlock="0.0.0.0/0")
    association = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [attachment_subnet]}])[
        "NetworkAcls"][0]["Associations"]
    current = [x["NetworkAclAssociationId"] for x in association if x["SubnetId"] == attachment_subnet][0]
    ec2.replace_network_acl_association(AssociationId=current, NetworkAclId=acl)
    ec2.create_route(RouteTableId=a["rtb"], DestinationCidrBlock=b["cidr"], TransitGatewayId=tgw)
    ec2.create_route(RouteTableId=b["rtb"], DestinationCidrBlock=a["cidr"], TransitGatewayId=tgw)
    return a, b, tgw, acl, attachment_subnet


def test_kernel_the_attachment_subnets_network_acl_judges_what_leaves_the_gateway(lab):  # noqa: F811
    ec2 = lab.ec2
    a, b, _, acl, _ = spokes_with_an_acl_at_bs_attachment(lab)
    assert both(lab, a["instance"], b["ip"]) == (0, 0)  # positive control
    # Denied out of the attachment subnet towards B: what the gateway brings for B stops there.
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="-1", RuleAction="deny", Egress=True,
                                 CidrBlock=b["cidr"])
    assert both(lab, a["instance"], b["ip"]) == (1, 1)
    why = lab.localvpc("explain", a["instance"], b["ip"])
    assert why.returncode == 1 and f"{acl} outbound rule 100 denies" in why.stdout, why
    ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=True)
    assert both(lab, a["instance"], b["ip"]) == (0, 0)
    assert both(lab, b["instance"], a["ip"]) == (0, 0)


def test_kernel_a_hub_vpc_routes_what_one_transit_gateway_brought_to_another(lab):  # noqa: F811
    a, b, hub = spoke(lab, 1), spoke(lab, 2), spoke(lab, 5)
    (first, first_table), (second, second_table) = gateway(lab), gateway(lab)
    attach(lab, first, a)
    attach(lab, second, b)
    into_first, into_second = attach(lab, first, hub), attach(lab, second, hub)
    lab.ec2.create_route(RouteTableId=a["rtb"], DestinationCidrBlock=b["cidr"], TransitGatewayId=first)
    lab.ec2.create_route(RouteTableId=b["rtb"], DestinationCidrBlock=a["cidr"], TransitGatewayId=second)
    # Each gateway sends the other side's block to the hub, whose subnet holds both attachments.
    lab.ec2.create_transit_gateway_route(TransitGatewayRouteTableId=first_table, DestinationCidrBlock=b["cidr"],
                                         TransitGatewayAttachmentId=into_first)
    lab.ec2.create_transit_gateway_route(TransitGatewayRouteTableId=second_table, DestinationCidrBlock=a["cidr"],
                                         TransitGatewayAttachmentId=into_second)
    lab.ec2.create_route(RouteTableId=hub["rtb"], DestinationCidrBlock=b["cidr"], TransitGatewayId=second)
    # The hub routes A's request on but not B's answer back: nothing comes through either way.
    assert both(lab, a["instance"], b["ip"]) == (1, 1)
    assert both(lab, b["instance"], a["ip"]) == (1, 1)
    lab.ec2.create_route(RouteTableId=hub["rtb"], DestinationCidrBlock=a["cidr"], TransitGatewayId=first)
    out = lab.ping(a["instance"], b["ip"])
    assert out.returncode == 0 and f"64 bytes from {b['ip']}" in out.stdout, out
    assert both(lab, a["instance"], b["ip"]) == (0, 0)
    assert both(lab, b["instance"], a["ip"]) == (0, 0)
    assert hops(lab, a["instance"], b["ip"]) == [["1", b["ip"]]]  # two gateways and three routers, no hop
    # A block the hub sends back to the gateway that brought it goes round: dropped at once, the engine names the
    # loop, nothing circles, and the rest is still carried.
    lab.ec2.create_route(RouteTableId=a["rtb"], DestinationCidrBlock="10.9.0.0/16", TransitGatewayId=first)
    lab.ec2.create_transit_gateway_route(TransitGatewayRouteTableId=first_table, DestinationCidrBlock="10.9.0.0/16",
                                         TransitGatewayAttachmentId=into_first)
    lab.ec2.create_route(RouteTableId=hub["rtb"], DestinationCidrBlock="10.9.0.0/16", TransitGatewayId=first)
    assert both(lab, a["instance"], "10.9.0.1") == (1, 1)
    why = lab.localvpc("explain", a["instance"], "10.9.0.1")
    assert why.returncode == 1 and "a routing loop" in why.stdout, why
    assert still(lab, first, into_first)
    assert both(lab, a["instance"], b["ip"]) == (0, 0)
