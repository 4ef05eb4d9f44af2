"""The web console's route editor and transit gateways, driven in Chromium by clicks: the target picker offers the
transit gateways the table's VPC is attached to (not one it is not attached to), and saving a route to one creates
it with `TransitGatewayId` — checked through boto3."""
from helpers import create_subnet, create_vpc, route_for, route_table


def test_the_route_editor_offers_the_vpcs_attached_transit_gateways(console, ec2):
    vpc = create_vpc(ec2, "10.40.0.0/16", Name="spoke")["VpcId"]
    subnet = create_subnet(ec2, vpc, "10.40.1.0/24", Name="spoke-a")["SubnetId"]
    attached = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
    other = ec2.create_transit_gateway(Description="elsewhere")["TransitGateway"]["TransitGatewayId"]
    ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=attached, VpcId=vpc, SubnetIds=[subnet])
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]

    console.open("/console/route-tables").link(rtb).click("edit-routes").click("add-route")
    targets = [o.get_attribute("value") for o in console.css("#target-1 option")]
    assert attached in targets and other not in targets, targets
    console.fill("dest-1", "10.0.0.0/8").choose("target-1", attached).click("save-routes")
    assert console.error() is None
    route = route_for(route_table(ec2, rtb), "10.0.0.0/8")
    assert (route["TransitGatewayId"], route["State"]) == (attached, "active")
