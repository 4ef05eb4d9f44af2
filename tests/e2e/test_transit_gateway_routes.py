"""Transit gateway routes (part 2 §14.1): static and blackhole routes, propagated routes derived from attachments
(overlapping blocks, static over propagated), SearchTransitGatewayRoutes and its filters, and VPC routes to a
transit gateway — through boto3 and the aws CLI."""
from __future__ import annotations

import pytest

from helpers import cli_error, ec2_error

NO_TABLE = "tgw-rtb-0123456789abcdef0"


def network(client, cidr: str, subnet: str, zone: str = "us-east-1a") -> tuple[str, str]:
    vpc = client.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    return vpc, client.create_subnet(VpcId=vpc, CidrBlock=subnet, AvailabilityZone=zone)["Subnet"]["SubnetId"]


def attach(client, tgw: str, vpc: str, subnet: str) -> str:
    return client.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[subnet])[
        "TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]


def search(client, table: str, *filters: tuple[str, list[str]], **kwargs) -> list[dict]:
    return client.search_transit_gateway_routes(TransitGatewayRouteTableId=table, Filters=[
        {"Name": name, "Values": values} for name, values in filters], **kwargs)["Routes"]


def summary(routes: list[dict]) -> list[tuple]:
    return [(r["DestinationCidrBlock"], r["Type"], r["State"],
             [a["TransitGatewayAttachmentId"] for a in r.get("TransitGatewayAttachments", [])]) for r in routes]


ALL_TYPES = ("type", ["static", "propagated"])


@pytest.fixture
def hub(ec2):
    tgw = ec2.create_transit_gateway()["TransitGateway"]
    return tgw["TransitGatewayId"], tgw["Options"]["AssociationDefaultRouteTableId"]


def test_propagated_routes_follow_attachments_and_skip_overlapping_blocks(ec2, hub):
    tgw, table = hub
    first_vpc, first_subnet = network(ec2, "10.0.0.0/16", "10.0.1.0/24")
    overlapping_vpc, overlapping_subnet = network(ec2, "10.0.0.0/20", "10.0.1.0/24")
    third_vpc, third_subnet = network(ec2, "10.2.0.0/16", "10.2.1.0/24")
    first = attach(ec2, tgw, first_vpc, first_subnet)
    overlapping = attach(ec2, tgw, overlapping_vpc, overlapping_subnet)
    third = attach(ec2, tgw, third_vpc, third_subnet)
    routes = search(ec2, table, ALL_TYPES)
    assert summary(routes) == [("10.0.0.0/16", "propagated", "active", [first]),
                               ("10.2.0.0/16", "propagated", "active", [third])]
    assert routes[0]["TransitGatewayAttachments"] == [
        {"ResourceId": first_vpc, "TransitGatewayAttachmentId": first, "ResourceType": "vpc"}]
    # A block the VPC gains propagates; the first VPC's attachment going lets the overlapping one in.
    ec2.associate_vpc_cidr_block(VpcId=third_vpc, CidrBlock="10.3.0.0/16")
    ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=first)
    assert summary(search(ec2, table, ALL_TYPES)) == [
        ("10.0.0.0/20", "propagated", "active", [overlapping]),
        ("10.2.0.0/16", "propagated", "active", [third]),
        ("10.3.0.0/16", "propagated", "active", [third]),
    ]
    ec2.disable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=table,
                                                        TransitGatewayAttachmentId=third)
    assert summary(search(ec2, table, ALL_TYPES)) == [("10.0.0.0/20", "propagated", "active", [overlapping])]


def test_static_and_blackhole_routes(ec2, hub):
    tgw, table = hub
    vpc_a, subnet_a = network(ec2, "10.0.0.0/16", "10.0.1.0/24")
    vpc_b, subnet_b = network(ec2, "10.1.0.0/16", "10.1.1.0/24")
    a = attach(ec2, tgw, vpc_a, subnet_a)
    b = attach(ec2, tgw, vpc_b, subnet_b)
    created = ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="10.0.0.0/16",
                                               TransitGatewayAttachmentId=b)["Route"]
    assert created == {"DestinationCidrBlock": "10.0.0.0/16", "TransitGatewayAttachments": [
        {"ResourceId": vpc_b, "TransitGatewayAttachmentId": b, "ResourceType": "vpc"}],
        "Type": "static", "State": "active"}
    hole = ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="0.0.0.0/0",
                                            Blackhole=True)["Route"]
    assert hole == {"DestinationCidrBlock": "0.0.0.0/0", "Type": "static", "State": "blackhole"}
    # Static beats propagated on the same prefix: a's 10.0.0.0/16 is shown once, as the static route to b.
    assert summary(search(ec2, table, ALL_TYPES)) == [
        ("0.0.0.0/0", "static", "blackhole", []),
        ("10.0.0.0/16", "static", "active", [b]),
        ("10.1.0.0/16", "propagated", "active", [b]),
    ]
    with ec2_error("RouteAlreadyExists", f"Route 10.0.0.0/16 already exists in Transit Gateway Route Table {table}."):
        ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="10.0.0.0/16",
                                         TransitGatewayAttachmentId=a)
    with ec2_error("InvalidParameterCombination",
                   "Exactly one of TransitGatewayAttachmentId and Blackhole must be specified."):
        ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="10.9.0.0/16")
    with ec2_error("InvalidParameterValue",
                   "Value (10.9.0.0) for parameter DestinationCidrBlock is invalid. This is not a valid CIDR block."):
        ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="10.9.0.0",
                                         Blackhole=True)
    with ec2_error("InvalidRouteTableID.NotFound"):
        ec2.create_transit_gateway_route(TransitGatewayRouteTableId=NO_TABLE, DestinationCidrBlock="10.9.0.0/16",
                                         Blackhole=True)

    replaced = ec2.replace_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="10.0.0.0/16",
                                                 TransitGatewayAttachmentId=a)["Route"]
    assert replaced["TransitGatewayAttachments"][0]["TransitGatewayAttachmentId"] == a
    ec2.replace_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="10.0.0.0/16",
                                      Blackhole=True)
    assert summary(search(ec2, table, ("route-search.exact-match", ["10.0.0.0/16"]))) == [
        ("10.0.0.0/16", "static", "blackhole", [])]
    with ec2_error("InvalidRoute.NotFound",
                   f"No route with destination-cidr-block 10.8.0.0/16 in Transit Gateway Route Table {table}"):
        ec2.replace_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="10.8.0.0/16",
                                          Blackhole=True)

    deleted = ec2.delete_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="10.0.0.0/16")
    assert deleted["Route"] == {"DestinationCidrBlock": "10.0.0.0/16", "Type": "static", "State": "deleted"}
    # The propagated route to a comes back once the static one is gone.
    assert summary(search(ec2, table, ("route-search.exact-match", ["10.0.0.0/16"]))) == [
        ("10.0.0.0/16", "propagated", "active", [a])]
    with ec2_error("InvalidRoute.NotFound"):
        ec2.delete_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="10.0.0.0/16")


def test_a_static_route_turns_blackhole_when_its_attachment_goes(ec2, hub):
    tgw, table = hub
    vpc, subnet = network(ec2, "10.0.0.0/16", "10.0.1.0/24")
    attachment = attach(ec2, tgw, vpc, subnet)
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="172.16.0.0/12",
                                     TransitGatewayAttachmentId=attachment)
    assert summary(search(ec2, table, ("state", ["active"]))) == [
        ("10.0.0.0/16", "propagated", "active", [attachment]), ("172.16.0.0/12", "static", "active", [attachment])]
    ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment)
    assert search(ec2, table, ("state", ["active"])) == []
    assert summary(search(ec2, table, ("state", ["blackhole"]))) == [
        ("172.16.0.0/12", "static", "blackhole", [attachment])]


def test_search_filters_and_more_routes_available(ec2, hub):
    tgw, table = hub
    vpc, subnet = network(ec2, "10.0.0.0/16", "10.0.1.0/24")
    attachment = attach(ec2, tgw, vpc, subnet)
    for block in ("10.1.0.0/16", "10.1.2.0/24", "10.1.2.128/25", "192.168.0.0/16", "10.1.0.0/17"):
        ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock=block,
                                         TransitGatewayAttachmentId=attachment)
    dests = lambda routes: [r["DestinationCidrBlock"] for r in routes]  # noqa: E731
    assert dests(search(ec2, table, ("route-search.longest-prefix-match", ["10.1.2.200"]))) == ["10.1.2.128/25"]
    assert dests(search(ec2, table, ("route-search.longest-prefix-match", ["10.1.2.5/32"]))) == ["10.1.2.0/24"]
    assert dests(search(ec2, table, ("route-search.subnet-of-match", ["10.1.0.0/16"]))) == [
        "10.1.0.0/16", "10.1.0.0/17", "10.1.2.0/24", "10.1.2.128/25"]
    assert dests(search(ec2, table, ("route-search.supernet-of-match", ["10.1.2.0/24"]))) == [
        "10.1.0.0/16", "10.1.0.0/17", "10.1.2.0/24"]
    assert dests(search(ec2, table, ("type", ["propagated"]))) == ["10.0.0.0/16"]
    assert dests(search(ec2, table, ("attachment.resource-id", [vpc]), ("type", ["static"]))) == [
        "10.1.0.0/16", "10.1.0.0/17", "10.1.2.0/24", "10.1.2.128/25", "192.168.0.0/16"]
    assert dests(search(ec2, table, ("attachment.resource-type", ["vpn"]))) == []
    assert dests(search(ec2, table, ("attachment.transit-gateway-attachment-id", [attachment]),
                        ("route-search.exact-match", ["192.168.0.0/16"]))) == ["192.168.0.0/16"]
    paged = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=table, Filters=[
        {"Name": "state", "Values": ["active"]}], MaxResults=5)
    assert len(paged["Routes"]) == 5 and paged["AdditionalRoutesAvailable"] is True
    whole = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=table, Filters=[
        {"Name": "state", "Values": ["active"]}])
    assert len(whole["Routes"]) == 6 and whole["AdditionalRoutesAvailable"] is False
    with ec2_error("InvalidParameterValue", "The filter 'destination' is invalid"):
        search(ec2, table, ("destination", ["10.0.0.0/16"]))


def test_search_needs_filters(ec2_raw, hub):
    _, table = hub
    with ec2_error("MissingParameter", "The request must contain the parameter Filters"):
        ec2_raw.search_transit_gateway_routes(TransitGatewayRouteTableId=table)


def test_vpc_routes_to_a_transit_gateway(ec2, hub, client_factory):
    tgw, _ = hub
    vpc, subnet = network(ec2, "10.0.0.0/16", "10.0.1.0/24")
    table = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"][0][
        "RouteTableId"]
    with ec2_error("InvalidTransitGatewayID.NotFound", f"The transitGateway ID '{tgw}' does not exist."):
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="10.1.0.0/16", TransitGatewayId=tgw)
    attachment = attach(ec2, tgw, vpc, subnet)
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="10.1.0.0/16", TransitGatewayId=tgw)
    route = lambda: next(r for r in ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0][  # noqa: E731
        "Routes"] if r["DestinationCidrBlock"] == "10.1.0.0/16")
    assert route() == {"DestinationCidrBlock": "10.1.0.0/16", "TransitGatewayId": tgw, "Origin": "CreateRoute",
                       "State": "active"}
    assert [t["RouteTableId"] for t in ec2.describe_route_tables(Filters=[
        {"Name": "route.transit-gateway-id", "Values": [tgw]}])["RouteTables"]] == [table]
    with ec2_error("InvalidParameterValue"):
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="10.0.5.0/24", TransitGatewayId=tgw)
    other_tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    with ec2_error("InvalidTransitGatewayID.NotFound", f"The transitGateway ID '{other_tgw}' does not exist."):
        ec2.replace_route(RouteTableId=table, DestinationCidrBlock="10.1.0.0/16", TransitGatewayId=other_tgw)
    attach(ec2, other_tgw, vpc, subnet)
    ec2.replace_route(RouteTableId=table, DestinationCidrBlock="10.1.0.0/16", TransitGatewayId=other_tgw)
    assert route()["TransitGatewayId"] == other_tgw
    ec2.replace_route(RouteTableId=table, DestinationCidrBlock="10.1.0.0/16", TransitGatewayId=tgw)
    ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment)
    assert route()["State"] == "blackhole"
    with ec2_error("InvalidTransitGatewayID.Malformed"):
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="10.2.0.0/16", TransitGatewayId="tgw-nope")


def test_a_pending_cross_account_attachment_is_not_a_route_target(client_factory):
    owner, consumer = client_factory(key="111111111111"), client_factory(key="222222222222")
    tgw = owner.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    owner.create_tags(Resources=[tgw], Tags=[{"Key": "localvpc:shared-with", "Value": "222222222222"}])
    vpc, subnet = network(consumer, "10.5.0.0/16", "10.5.1.0/24")
    attachment = attach(consumer, tgw, vpc, subnet)
    table = consumer.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"][0][
        "RouteTableId"]
    with ec2_error("InvalidTransitGatewayID.NotFound", f"The transitGateway ID '{tgw}' does not exist."):
        consumer.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", TransitGatewayId=tgw)
    owner.accept_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment)
    consumer.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", TransitGatewayId=tgw)


def test_cli_route_actions(aws):
    created = aws("ec2", "create-transit-gateway").ok()["TransitGateway"]
    tgw, table = created["TransitGatewayId"], created["Options"]["AssociationDefaultRouteTableId"]
    vpc = aws("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16").ok()["Vpc"]["VpcId"]
    subnet = aws("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.1.0/24",
                 "--availability-zone", "us-east-1a").ok()["Subnet"]["SubnetId"]
    attachment = aws("ec2", "create-transit-gateway-vpc-attachment", "--transit-gateway-id", tgw, "--vpc-id", vpc,
                     "--subnet-ids", subnet).ok()["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    route = aws("ec2", "create-transit-gateway-route", "--transit-gateway-route-table-id", table,
                "--destination-cidr-block", "10.9.0.0/16", "--transit-gateway-attachment-id", attachment).ok()["Route"]
    assert (route["Type"], route["State"]) == ("static", "active")
    cli_error(aws("ec2", "create-transit-gateway-route", "--transit-gateway-route-table-id", table,
                  "--destination-cidr-block", "10.9.0.0/16", "--blackhole"), "RouteAlreadyExists",
              f"Route 10.9.0.0/16 already exists in Transit Gateway Route Table {table}.")
    assert aws("ec2", "replace-transit-gateway-route", "--transit-gateway-route-table-id", table,
               "--destination-cidr-block", "10.9.0.0/16", "--blackhole").ok()["Route"]["State"] == "blackhole"
    found = aws("ec2", "search-transit-gateway-routes", "--transit-gateway-route-table-id", table,
                "--filters", "Name=type,Values=static,propagated").ok()
    assert [(r["DestinationCidrBlock"], r["Type"]) for r in found["Routes"]] == [
        ("10.0.0.0/16", "propagated"), ("10.9.0.0/16", "static")]
    assert aws("ec2", "delete-transit-gateway-route", "--transit-gateway-route-table-id", table,
               "--destination-cidr-block", "10.9.0.0/16").ok()["Route"]["State"] == "deleted"
    rtb = aws("ec2", "describe-route-tables", "--filters", f"Name=vpc-id,Values={vpc}").ok()["RouteTables"][0][
        "RouteTableId"]
    aws("ec2", "create-route", "--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0",
        "--transit-gateway-id", tgw).ok()
    cli_error(aws("ec2", "create-route", "--route-table-id", rtb, "--destination-cidr-block", "10.7.0.0/16",
                  "--transit-gateway-id", "tgw-0123456789abcdef0"), "InvalidTransitGatewayID.NotFound",
              "The transitGateway ID 'tgw-0123456789abcdef0' does not exist.")
