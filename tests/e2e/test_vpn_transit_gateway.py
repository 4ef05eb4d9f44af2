"""VPN connections that end on a transit gateway (part 2 §15.3): CreateVpnConnection with `TransitGatewayId` makes an
attachment of `resourceType` `vpn` that DescribeTransitGatewayAttachments lists, associated with and propagating
into the gateway's default route table; a BGP connection's prefixes propagate there while a tunnel is up, a static
connection is reached by a CreateTransitGatewayRoute to the attachment, and deleting the connection ends the
attachment. Driven by boto3 and the aws CLI; another account neither sees the attachment nor can use the gateway."""
from helpers import ec2_error
from test_exec import REGION, localvpc  # noqa: F401  (the `localvpc` fixture runs `localvpc vpn tunnel`)

OFFICE = "172.16.0.0/16"


def office_gateway(ec2, prefixes=OFFICE, ip="203.0.113.12"):
    tags = [{"ResourceType": "customer-gateway", "Tags": [{"Key": "localvpc:bgp-prefixes", "Value": prefixes}]}]
    return ec2.create_customer_gateway(Type="ipsec.1", PublicIp=ip, BgpAsn=65000, TagSpecifications=tags)[
        "CustomerGateway"]["CustomerGatewayId"]


def transit_gateway(ec2):
    tgw = ec2.create_transit_gateway()["TransitGateway"]
    return tgw["TransitGatewayId"], tgw["Options"]["AssociationDefaultRouteTableId"]


def vpn_attachment(ec2, vpn_id):
    attachments = ec2.describe_transit_gateway_attachments(
        Filters=[{"Name": "resource-type", "Values": ["vpn"]}])["TransitGatewayAttachments"]
    return [a for a in attachments if a["ResourceId"] == vpn_id]


def routes(ec2, table):
    return ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=table, Filters=[
        {"Name": "state", "Values": ["active", "blackhole"]}])["Routes"]


def test_a_bgp_connection_attaches_and_propagates_its_prefixes(client_factory, localvpc):  # noqa: F811
    ec2 = client_factory(region=REGION)  # the Region `localvpc` speaks to
    tgw, table = transit_gateway(ec2)
    cgw = office_gateway(ec2)
    created = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw, TransitGatewayId=tgw)["VpnConnection"]
    vpn = created["VpnConnectionId"]
    assert created["TransitGatewayId"] == tgw and "VpnGatewayId" not in created, created
    (attachment,) = vpn_attachment(ec2, vpn)
    assert (attachment["TransitGatewayId"], attachment["ResourceType"], attachment["State"]) == (tgw, "vpn",
                                                                                                 "available")
    assert attachment["Association"] == {"TransitGatewayRouteTableId": table, "State": "associated"}
    attachment_id = attachment["TransitGatewayAttachmentId"]
    (route,) = routes(ec2, table)
    assert (route["DestinationCidrBlock"], route["Type"], route["State"]) == (OFFICE, "propagated", "active")
    assert route["TransitGatewayAttachments"][0]["TransitGatewayAttachmentId"] == attachment_id
    assert route["TransitGatewayAttachments"][0]["ResourceType"] == "vpn"
    described = ec2.describe_vpn_connections(Filters=[{"Name": "transit-gateway-id", "Values": [tgw]}])
    assert [c["VpnConnectionId"] for c in described["VpnConnections"]] == [vpn]

    # Both tunnels down: the BGP prefixes are withdrawn; one back up, they return.
    assert localvpc("vpn", "tunnel", vpn, "--tunnel", "both", "--down").rc == 0
    assert routes(ec2, table) == []
    assert localvpc("vpn", "tunnel", vpn, "--tunnel", "2", "--up").rc == 0
    assert [r["DestinationCidrBlock"] for r in routes(ec2, table)] == [OFFICE]

    ec2.delete_vpn_connection(VpnConnectionId=vpn)
    (ended,) = vpn_attachment(ec2, vpn)
    assert ended["State"] == "deleted", ended
    assert routes(ec2, table) == []


def test_a_static_connection_is_reached_by_a_transit_gateway_route(aws, ec2):
    tgw, table = transit_gateway(ec2)
    cgw = office_gateway(ec2, prefixes="192.168.0.0/16")
    created = aws("ec2", "create-vpn-connection", "--type", "ipsec.1", "--customer-gateway-id", cgw,
                  "--transit-gateway-id", tgw, "--options", "StaticRoutesOnly=true").ok()["VpnConnection"]
    vpn = created["VpnConnectionId"]
    assert created["TransitGatewayId"] == tgw
    assert routes(ec2, table) == []  # a static connection propagates nothing
    (attachment,) = vpn_attachment(ec2, vpn)
    attachment_id = attachment["TransitGatewayAttachmentId"]
    listed = aws("ec2", "describe-transit-gateway-attachments", "--transit-gateway-attachment-ids",
                 attachment_id).ok()["TransitGatewayAttachments"]
    assert [(a["ResourceType"], a["ResourceId"]) for a in listed] == [("vpn", vpn)]
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="192.168.10.0/24",
                                     TransitGatewayAttachmentId=attachment_id)
    (route,) = routes(ec2, table)
    assert (route["DestinationCidrBlock"], route["Type"], route["State"]) == ("192.168.10.0/24", "static", "active")
    assert aws("ec2", "delete-vpn-connection", "--vpn-connection-id", vpn).rc == 0
    (route,) = routes(ec2, table)
    assert route["State"] == "blackhole", route


def test_another_account_cannot_end_a_connection_on_the_gateway(ec2, client_factory):
    tgw, _ = transit_gateway(ec2)
    other = client_factory(key="222222222222")
    cgw = office_gateway(other)
    with ec2_error("InvalidTransitGatewayID.NotFound", f"Transit Gateway {tgw} was deleted or does not exist."):
        other.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw, TransitGatewayId=tgw)
    assert other.describe_vpn_connections()["VpnConnections"] == []
    # Positive control: the owner can, and the other account sees none of its attachments.
    mine = office_gateway(ec2)
    vpn = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=mine, TransitGatewayId=tgw)["VpnConnection"][
        "VpnConnectionId"]
    assert len(vpn_attachment(ec2, vpn)) == 1
    assert other.describe_transit_gateway_attachments()["TransitGatewayAttachments"] == []
