"""The web console's NAT gateway pages, driven in Chromium by clicks: create a public gateway in a subnet with an
Elastic IP, see it in the list and details (its addresses, its interface), route a private subnet to it from the
route editor's picker, and delete it — each checked through boto3; a refusal shows AWS's code and message, and a
creation problem AWS finds later shows on the gateway as its state message."""
from helpers import create_igw, create_subnet, create_vpc, route_for, route_table


def row_of(console, resource_id, column=1):
    (row,) = [row for row in console.rows() if row[column] == resource_id]
    return row


def network(ec2, igw=True):
    vpc = create_vpc(ec2, "10.20.0.0/16", Name="egress")["VpcId"]
    public = create_subnet(ec2, vpc, "10.20.0.0/24", Name="public")["SubnetId"]
    private = create_subnet(ec2, vpc, "10.20.1.0/24", Name="private")["SubnetId"]
    if igw:
        ec2.attach_internet_gateway(InternetGatewayId=create_igw(ec2)["InternetGatewayId"], VpcId=vpc)
    return vpc, public, private


def test_create_route_to_and_delete_a_nat_gateway_by_clicks(console, ec2):
    vpc, public, private = network(ec2)
    eip = ec2.allocate_address(Domain="vpc")
    console.open("/console/nat-gateways").link("Create NAT gateway")
    # Refusal first: a public gateway needs an Elastic IP (AWS's MissingParameter), and nothing is created.
    console.fill("name", "egress-nat").choose("subnet", public).choose("connectivity", "public")
    console.click("submit-create-nat")
    assert console.error() == ("MissingParameter", "The request must contain the parameter AllocationId")
    assert ec2.describe_nat_gateways()["NatGateways"] == []
    console.choose("allocation", eip["AllocationId"]).click("submit-create-nat")
    assert console.error() is None
    (nat,) = ec2.describe_nat_gateways()["NatGateways"]
    nat_id = nat["NatGatewayId"]
    assert (nat["SubnetId"], nat["State"], nat["NatGatewayAddresses"][0]["PublicIp"]) == \
        (public, "available", eip["PublicIp"])
    assert {"Key": "Name", "Value": "egress-nat"} in nat["Tags"]
    assert console.notice() == f"NAT gateway {nat_id} | egress-nat was created successfully."
    private_ip = nat["NatGatewayAddresses"][0]["PrivateIp"]
    assert private_ip in console.text() and nat["NatGatewayAddresses"][0]["NetworkInterfaceId"] in console.text()
    console.shot("nat-gateway-details")

    console.open("/console/nat-gateways")
    assert row_of(console, nat_id)[:8] == ["egress-nat", nat_id, "Public", "available", "–", eip["PublicIp"],
                                           private_ip, f"{vpc} | egress"]
    console.shot("nat-gateways")

    # The route editor offers the gateway for its VPC's tables.
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=rtb, SubnetId=private)
    console.open("/console/route-tables").link(rtb).click("edit-routes").click("add-route")
    targets = [o.get_attribute("value") for o in console.css("#target-1 option")]
    assert nat_id in targets
    console.fill("dest-1", "0.0.0.0/0").choose("target-1", nat_id).click("save-routes")
    assert console.error() is None
    route = route_for(route_table(ec2, rtb), "0.0.0.0/0")
    assert (route["NatGatewayId"], route["State"]) == (nat_id, "active")

    console.open(f"/console/nat-gateways/{nat_id}").click("delete-nat")
    assert console.notice() == f"Successfully deleted NAT gateway {nat_id}."
    assert ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]["State"] == "deleted"
    assert "deleted" in console.text()
    assert route_for(route_table(ec2, rtb), "0.0.0.0/0")["State"] == "blackhole"


def test_a_failed_gateway_shows_awss_failure_message(console, ec2):
    vpc, public, _ = network(ec2, igw=False)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    console.open("/console/nat-gateways/create").choose("subnet", public).choose("allocation", eip)
    console.click("submit-create-nat")
    assert console.error() is None  # accepted: AWS finds the problem after answering
    (nat,) = ec2.describe_nat_gateways()["NatGateways"]
    assert nat["State"] == "failed"
    console.open("/console/nat-gateways")
    row = row_of(console, nat["NatGatewayId"])
    assert row[3:5] == ["failed", f"Network {vpc} has no Internet gateway attached"]
    console.link(nat["NatGatewayId"])
    assert f"Gateway.NotAttached: Network {vpc} has no Internet gateway attached" in console.text()
    # A failed gateway cannot be deleted from its page (only available ones show the button).
    assert console.css("#delete-nat") == []
