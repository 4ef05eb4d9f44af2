"""IPv6 through a transit gateway (part 2 §14, §16.2): `Options.Ipv6Support` on VPC attachments (refused for a
subnet without an IPv6 block), the VPC's IPv6 blocks propagated only from attachments that carry IPv6, static IPv6
gateway routes, the VPC route `::/0 → tgw-…`, and `localvpc exec … ping6` across the gateway."""
from __future__ import annotations

import pytest

from test_exec import REGION, localvpc  # noqa: F401  (the `localvpc` fixture runs the tools)
from test_ipv6_traffic import DualStack

from helpers import ec2_error


@pytest.fixture
def ec2(client_factory):
    return client_factory(region=REGION)


def gateway(ec2):
    created = ec2.create_transit_gateway(Description="hub")["TransitGateway"]
    described = ec2.describe_transit_gateways(TransitGatewayIds=[created["TransitGatewayId"]])
    return created["TransitGatewayId"], described["TransitGateways"][0]["Options"]["AssociationDefaultRouteTableId"]


def subnet_of(ec2, net):
    return ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [net.vpc]}])["Subnets"][0]["SubnetId"]


def attach(ec2, tgw, net, ipv6):
    answer = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw, VpcId=net.vpc, SubnetIds=[subnet_of(ec2, net)],
        Options={"Ipv6Support": "enable" if ipv6 else "disable"})
    return answer["TransitGatewayVpcAttachment"]


def routes_of(ec2, table):
    found = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=table,
                                              Filters=[{"Name": "state", "Values": ["active", "blackhole"]}])
    return sorted((r["DestinationCidrBlock"], r["Type"], r["TransitGatewayAttachments"][0]["TransitGatewayAttachmentId"]
                   if r.get("TransitGatewayAttachments") else None) for r in found["Routes"])


def test_ipv6_support_needs_ipv6_subnets_and_propagates_the_vpcs_ipv6_blocks(ec2):
    tgw, table = gateway(ec2)
    plain_vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    plain_subnet = ec2.create_subnet(VpcId=plain_vpc, CidrBlock="10.50.1.0/24")["Subnet"]["SubnetId"]
    with ec2_error("InvalidParameterValue",
                   f"Cannot enable IPv6 support for the attachment: subnet {plain_subnet} has no IPv6 CIDR block."):
        ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=plain_vpc, SubnetIds=[plain_subnet],
                                                  Options={"Ipv6Support": "enable"})
    # Positive control: the same subnet attaches without IPv6 support, and cannot be given it later.
    plain = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=plain_vpc, SubnetIds=[plain_subnet])
    plain_id = plain["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    assert plain["TransitGatewayVpcAttachment"]["Options"]["Ipv6Support"] == "disable"
    with ec2_error("InvalidParameterValue",
                   f"Cannot enable IPv6 support for the attachment: subnet {plain_subnet} has no IPv6 CIDR block."):
        ec2.modify_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=plain_id,
                                                  Options={"Ipv6Support": "enable"})
    ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=plain_id)
    first, second = DualStack(ec2, "10.51.0.0/16"), DualStack(ec2, "10.52.0.0/16")
    with_ipv6 = attach(ec2, tgw, first, ipv6=True)
    assert with_ipv6["Options"]["Ipv6Support"] == "enable"
    without = attach(ec2, tgw, second, ipv6=False)
    assert without["Options"]["Ipv6Support"] == "disable"
    first_id, second_id = with_ipv6["TransitGatewayAttachmentId"], without["TransitGatewayAttachmentId"]
    # The first VPC's /56 is propagated beside its IPv4 block; the second VPC's IPv4 block only.
    assert routes_of(ec2, table) == sorted([("10.51.0.0/16", "propagated", first_id),
                                            ("10.52.0.0/16", "propagated", second_id),
                                            (first.block, "propagated", first_id)])
    # Turned on later, the second VPC's /56 is propagated too.
    modified = ec2.modify_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=second_id,
                                                         Options={"Ipv6Support": "enable"})
    assert modified["TransitGatewayVpcAttachment"]["Options"]["Ipv6Support"] == "enable"
    assert (second.block, "propagated", second_id) in routes_of(ec2, table)
    # A longest-prefix search finds the /56 holding an address.
    found = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=table, Filters=[
        {"Name": "route-search.longest-prefix-match", "Values": [first.address]}])
    assert [r["DestinationCidrBlock"] for r in found["Routes"]] == [first.block]


def test_static_ipv6_routes_in_a_transit_gateway_table(ec2):
    tgw, table = gateway(ec2)
    net = DualStack(ec2, "10.53.0.0/16")
    attachment_id = attach(ec2, tgw, net, ipv6=True)["TransitGatewayAttachmentId"]
    created = ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="2001:db8::/32",
                                               TransitGatewayAttachmentId=attachment_id)["Route"]
    assert (created["DestinationCidrBlock"], created["Type"], created["State"]) == ("2001:db8::/32", "static",
                                                                                   "active")
    blackhole = ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table,
                                                 DestinationCidrBlock="2001:db8:1::/48", Blackhole=True)["Route"]
    assert (blackhole["DestinationCidrBlock"], blackhole["State"]) == ("2001:db8:1::/48", "blackhole")
    with ec2_error("InvalidParameterValue"):
        ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="2001:db8::1/32",
                                         Blackhole=True)
    deleted = ec2.delete_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="2001:db8::/32")
    assert (deleted["Route"]["DestinationCidrBlock"], deleted["Route"]["State"]) == ("2001:db8::/32", "deleted")
    assert [r[0] for r in routes_of(ec2, table)] == sorted(["10.53.0.0/16", "2001:db8:1::/48", net.block])


def test_ping6_across_a_transit_gateway(ec2, localvpc):  # noqa: F811
    tgw, _ = gateway(ec2)
    first, second = DualStack(ec2, "10.54.0.0/16"), DualStack(ec2, "10.55.0.0/16")
    attach(ec2, tgw, first, ipv6=True)
    second_attachment = attach(ec2, tgw, second, ipv6=False)["TransitGatewayAttachmentId"]
    for net in (first, second):
        made = ec2.create_route(RouteTableId=net.main, DestinationIpv6CidrBlock="::/0", TransitGatewayId=tgw)
        assert made["Return"] is True
    (route,) = [r for r in ec2.describe_route_tables(RouteTableIds=[first.main])["RouteTables"][0]["Routes"]
                if r.get("DestinationIpv6CidrBlock") == "::/0"]
    assert (route["TransitGatewayId"], route["State"]) == (tgw, "active")
    # The second attachment carries no IPv6 yet: the gateway has no route back to... anything of the second VPC.
    lost = localvpc("exec", first.instance, "--", "ping6", "-c", "1", second.address)
    assert lost.rc == 1 and "100% packet loss" in lost.out, lost
    ec2.modify_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=second_attachment,
                                              Options={"Ipv6Support": "enable"})
    out = localvpc("exec", first.instance, "--", "ping6", "-c", "2", second.address)
    assert out.rc == 0, out
    assert out.out.splitlines()[0] == f"PING {second.address}({second.address}) 56 data bytes", out
    assert "2 packets transmitted, 2 received, 0% packet loss" in out.out, out
    back = localvpc("exec", second.instance, "--", "ping6", "-c", "1", first.address)
    assert back.rc == 0 and "1 packets transmitted, 1 received, 0% packet loss" in back.out, back
