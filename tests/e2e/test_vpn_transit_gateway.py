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
    with ec2_error("InvalidTransitGatewayID.NotFound", f"The transitGateway ID '{tgw}' does not exist"):
        other.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw, TransitGatewayId=tgw)
    listed_vpn_connections = other.describe_vpn_connections()["VpnConnections"]
    assert listed_vpn_connections == []
    # Positive control: the owner can, and the other account sees none of its attachments.
    mine = office_gateway(ec2)
    vpn = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=mine, TransitGatewayId=tgw)["VpnConnection"][
        "VpnConnectionId"]
    assert len(vpn_attachment(ec2, vpn)) == 1
    listed_transit_gateway_attachments = other.describe_transit_gateway_attachments()["TransitGatewayAttachments"]
    assert listed_transit_gateway_attachments == []


def test_an_office_and_a_vpc_ping_each_other_through_the_transit_gateway(client_factory, localvpc):  # noqa: F811
    ec2 = client_factory(region=REGION)
    tgw, _ = transit_gateway(ec2)
    vpc = ec2.create_vpc(CidrBlock="10.6.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.6.1.0/24")["Subnet"]["SubnetId"]
    instance = ec2.run_instances(ImageId="ami-0123456789abcdef0", InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                 SubnetId=subnet, PrivateIpAddress="10.6.1.4")["Instances"][0]
    ec2.authorize_security_group_ingress(GroupId=instance["SecurityGroups"][0]["GroupId"], IpPermissions=[
        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": OFFICE}]}])
    ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[subnet])
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"][0]["RouteTableId"]
    site = f"onprem:{office_gateway(ec2)}"
    # No VPN yet: the office reaches nothing.
    assert localvpc("exec", site, "--", "ping", "-c", "1", "10.6.1.4").rc == 1
    vpn = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=site.split(":")[1], TransitGatewayId=tgw)[
        "VpnConnection"]["VpnConnectionId"]
    there = localvpc("exec", site, "--", "ping", "-c", "1", "10.6.1.4")
    assert there.rc == 1, there  # the VPC has no route back to the office yet
    ec2.create_route(RouteTableId=main, DestinationCidrBlock=OFFICE, TransitGatewayId=tgw)
    there = localvpc("exec", site, "--", "ping", "-c", "1", "10.6.1.4")
    assert there.rc == 0 and "1 received" in there.out, localvpc("explain", site, "10.6.1.4")
    back = localvpc("exec", instance["InstanceId"], "--", "ping", "-c", "1", "172.16.0.1")
    assert back.rc == 0 and "1 received" in back.out, back
    # A static route to the attachment keeps the office in the table; both tunnels down then stop it there.
    (attachment,) = vpn_attachment(ec2, vpn)
    table = ec2.describe_transit_gateways(TransitGatewayIds=[tgw])["TransitGateways"][0]["Options"][
        "AssociationDefaultRouteTableId"]
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock=OFFICE,
                                     TransitGatewayAttachmentId=attachment["TransitGatewayAttachmentId"])
    assert localvpc("vpn", "tunnel", vpn, "--tunnel", "both", "--down").rc == 0
    why = localvpc("explain", instance["InstanceId"], "172.16.0.1")
    assert why.rc == 1 and "TGW_BAD_STATE_VPN" in why.out and vpn in why.out, why
