"""The web console's route tables with a virtual private gateway, driven in Chromium: routes a gateway propagates
show in the Routes tab with Propagated = Yes beside the stored ones (No), and the route editor's picker offers the
gateway attached to the table's VPC, whose route lands as `GatewayId` — each checked through boto3."""
from helpers import create_subnet, create_vpc, route_for, route_table

OFFICE = "172.16.0.0/16"


def office(ec2):
    vpc = create_vpc(ec2, "10.6.0.0/16", Name="office-vpc")["VpcId"]
    create_subnet(ec2, vpc, "10.6.1.0/24", Name="app")
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"][0]["RouteTableId"]
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw)
    cgw = ec2.create_customer_gateway(
        Type="ipsec.1", PublicIp="203.0.113.12", BgpAsn=65000,
        TagSpecifications=[{"ResourceType": "customer-gateway",
                            "Tags": [{"Key": "localvpc:bgp-prefixes", "Value": OFFICE}]}])[
        "CustomerGateway"]["CustomerGatewayId"]
    ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw, VpnGatewayId=vgw)
    return vpc, main, vgw


def test_propagated_routes_show_as_propagated_and_the_picker_offers_the_gateway(console, ec2):
    vpc, main, vgw = office(ec2)
    console.open(f"/console/route-tables/{main}?tab=routes")
    assert [row[:4] for row in console.rows() if row and row[0] == OFFICE] == []  # not propagating yet
    ec2.enable_vgw_route_propagation(GatewayId=vgw, RouteTableId=main)
    console.open(f"/console/route-tables/{main}?tab=routes")
    rows = [row[:4] for row in console.rows() if len(row) >= 4]
    assert ["10.6.0.0/16", "local", "active", "No"] in rows, rows
    assert [OFFICE, vgw, "active", "Yes"] in rows, rows
    console.shot("route-table-propagated")

    console.click("edit-routes").click("add-route")
    targets = [o.get_attribute("value") for o in console.css("#target-1 option")]
    assert vgw in targets, targets
    console.fill("dest-1", "192.168.0.0/16").choose("target-1", vgw).click("save-routes")
    assert console.error() is None
    route = route_for(route_table(ec2, main), "192.168.0.0/16")
    assert (route["GatewayId"], route["State"], route["Origin"]) == (vgw, "active", "CreateRoute")
    # The propagated route was not turned into a stored one by the save.
    propagated = route_for(route_table(ec2, main), OFFICE)
    assert propagated["Origin"] == "EnableVgwRoutePropagation", propagated
