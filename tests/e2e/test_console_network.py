"""The web console's subnet, internet gateway, route table and peering connection pages, driven in Chromium by clicks:
each change is an ordinary EC2 action, so every one is checked through boto3, and every refusal shows AWS's code and
message (with the allowed case proven beside it)."""
import contextlib
import ipaddress

from helpers import DEFAULT_ACCOUNT, create_igw, create_subnet, create_vpc, main_route_table, route_for, route_table

OTHER_ACCOUNT = "210987654321"


@contextlib.contextmanager
def wide(console, width=1760):
    """A wider window for a screenshot of a list whose columns scroll at 1280 px (as the AWS console's do)."""
    size = console.driver.get_window_size()
    console.driver.set_window_size(width, size["height"])
    try:
        yield
    finally:
        console.driver.set_window_size(size["width"], size["height"])


def tagged(items, name):
    (item,) = [i for i in items if {"Key": "Name", "Value": name} in i.get("Tags", [])]
    return item


def row_of(console, resource_id, column=1):
    (row,) = [row for row in console.rows() if row[column] == resource_id]
    return row


# ---------------------------------------------------------------------------------------------------------------
# Subnets
# ---------------------------------------------------------------------------------------------------------------
def test_create_subnet_by_clicks_and_awss_conflict_refusal(console, ec2):
    vpc = create_vpc(ec2, "10.20.0.0/16", Name="net")["VpcId"]
    first = create_subnet(ec2, vpc, "10.20.1.0/24", Name="first")["SubnetId"]
    console.open("/console/subnets").link("Create subnet")
    console.choose("vpc", vpc).fill("name", "second").choose("zone", "us-east-1b")
    console.fill("cidr", "10.20.1.128/25").click("submit-create-subnet")
    assert console.error() == ("InvalidSubnet.Conflict", "The CIDR '10.20.1.128/25' conflicts with another subnet")
    assert console.el("cidr").get_attribute("value") == "10.20.1.128/25"
    assert console.el("name").get_attribute("value") == "second"
    console.shot("create-subnet-refused")
    assert [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]] \
        == [first]
    # Positive control: the same form with a free block creates the subnet, named and in the zone chosen.
    console.fill("cidr", "10.20.2.0/24").click("submit-create-subnet")
    assert console.error() is None
    subnet = tagged(ec2.describe_subnets()["Subnets"], "second")
    assert (subnet["VpcId"], subnet["CidrBlock"], subnet["AvailabilityZone"]) == (vpc, "10.20.2.0/24", "us-east-1b")
    assert console.notice() == f"You have successfully created 1 subnet: {subnet['SubnetId']}"
    main = main_route_table(ec2, vpc)["RouteTableId"]
    acl = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet["SubnetId"]]}])
    acl = acl["NetworkAcls"][0]["NetworkAclId"]
    console.open("/console/subnets")
    assert row_of(console, subnet["SubnetId"]) == [
        "second", subnet["SubnetId"], "available", f"{vpc} | net", "10.20.2.0/24", "251", "us-east-1b", main, acl,
        "No", "No"]
    with wide(console):
        console.shot("subnets-list")


def test_subnet_details_settings_and_delete_with_its_dependency(console, ec2):
    vpc = create_vpc(ec2, "10.21.0.0/16")["VpcId"]
    subnet = create_subnet(ec2, vpc, "10.21.1.0/24", Name="app")["SubnetId"]
    main = main_route_table(ec2, vpc)["RouteTableId"]
    console.open(f"/console/subnets/{subnet}")
    assert f"Route table: {main}" in console.text()
    assert console.rows() == [["10.21.0.0/16", "local"]]
    console.shot("subnet-details")
    console.open(f"/console/subnets/{subnet}?tab=network-acl")
    # Inbound, then outbound: the default ACL's allow-all rule 100 and the final deny, each way.
    assert console.rows() == [["100", "All", "All", "0.0.0.0/0", "Allow"], ["*", "All", "All", "0.0.0.0/0", "Deny"]] * 2
    # Edit subnet settings: auto-assign public IPv4.
    console.open(f"/console/subnets/{subnet}").click("edit-subnet-settings")
    assert not console.el("map-public-ip").is_selected()
    console.click("map-public-ip").click("save-subnet-settings")
    assert console.notice() == f"You have successfully changed subnet settings: {subnet}."
    assert ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["MapPublicIpOnLaunch"] is True
    # Delete: refused while an interface is in the subnet, allowed once it is gone.
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    console.click("delete-subnet")
    assert console.error() == ("DependencyViolation",
                               f"The subnet '{subnet}' has dependencies and cannot be deleted.")
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    console.click("delete-subnet")
    assert console.notice() == f"You successfully deleted {subnet}."
    assert subnet not in {s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]}


# ---------------------------------------------------------------------------------------------------------------
# Internet gateways
# ---------------------------------------------------------------------------------------------------------------
def test_internet_gateway_create_attach_refusals_detach_delete(console, ec2):
    vpc = create_vpc(ec2, "10.30.0.0/16", Name="edge")["VpcId"]
    console.open("/console/internet-gateways").link("Create internet gateway")
    console.fill("name", "gw").click("submit-create-igw")
    igw = tagged(ec2.describe_internet_gateways()["InternetGateways"], "gw")["InternetGatewayId"]
    assert console.notice().startswith(f"The following internet gateway was created: {igw}.")
    console.click("attach-igw").choose("vpc", vpc).click("submit-attach-igw")
    assert console.notice() == f"Internet gateway {igw} successfully attached to {vpc}"
    attachments = ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"][0]["Attachments"]
    assert attachments == [{"State": "available", "VpcId": vpc}]
    console.open("/console/internet-gateways")
    assert row_of(console, igw) == ["gw", igw, "attached", f"{vpc} | edge", DEFAULT_ACCOUNT]
    console.shot("internet-gateways-list")
    # Attaching it again: AWS's Resource.AlreadyAssociated, and the choice stays on the form.
    console.open(f"/console/internet-gateways/{igw}").click("attach-igw").choose("vpc", vpc).click("submit-attach-igw")
    assert console.error() == ("Resource.AlreadyAssociated", f"resource {igw} is already attached to network {vpc}")
    assert console.el("vpc").get_attribute("value") == vpc
    # Deleting it while attached: DependencyViolation; detached, it goes.
    console.open(f"/console/internet-gateways/{igw}").click("delete-igw")
    assert console.error() == ("DependencyViolation",
                               f"The internetGateway '{igw}' has dependencies and cannot be deleted.")
    console.click("detach-igw")
    assert console.notice() == f"Internet gateway {igw} successfully detached from {vpc}"
    assert ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"][0]["Attachments"] == []
    console.open("/console/internet-gateways")
    assert row_of(console, igw) == ["gw", igw, "detached", "–", DEFAULT_ACCOUNT]
    console.open(f"/console/internet-gateways/{igw}").click("delete-igw")
    assert console.notice() == f"You successfully deleted {igw}."
    assert igw not in {g["InternetGatewayId"] for g in ec2.describe_internet_gateways()["InternetGateways"]}


# ---------------------------------------------------------------------------------------------------------------
# Route tables
# ---------------------------------------------------------------------------------------------------------------
def test_edit_routes_adds_a_default_route_then_blackhole_after_detach(console, ec2):
    vpc = create_vpc(ec2, "10.40.0.0/16", Name="routed")["VpcId"]
    igw = create_igw(ec2, Name="gw")["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    rtb = main_route_table(ec2, vpc)["RouteTableId"]
    console.open("/console/route-tables")
    assert row_of(console, rtb) == ["–", rtb, "–", "Yes", f"{vpc} | routed", DEFAULT_ACCOUNT]
    console.link(rtb).click("edit-routes").click("add-route")
    targets = [o.get_attribute("value") for o in console.css("#target-1 option")]
    assert {"local", igw} <= set(targets)
    console.fill("dest-1", "0.0.0.0/0").choose("target-1", igw)
    console.shot("edit-routes")
    console.click("save-routes")
    assert console.notice() == f"Updated routes for {rtb} successfully."
    assert console.rows() == [["10.40.0.0/16", "local", "active", "No"], ["0.0.0.0/0", igw, "active", "No"]]
    console.shot("route-table-routes")
    route = route_for(route_table(ec2, rtb), "0.0.0.0/0")
    assert (route["GatewayId"], route["State"]) == (igw, "active")
    # Detached (by clicks), the gateway no longer carries the route: the model marks it blackhole.
    console.open(f"/console/internet-gateways/{igw}").click("detach-igw")
    console.open(f"/console/route-tables/{rtb}")
    assert console.rows()[1] == ["0.0.0.0/0", igw, "blackhole", "No"]
    assert route_for(route_table(ec2, rtb), "0.0.0.0/0")["State"] == "blackhole"


def test_edit_routes_stops_at_the_first_refusal_with_the_form_as_submitted(console, ec2):
    vpc = create_vpc(ec2, "10.41.0.0/16")["VpcId"]
    peer_one = create_vpc(ec2, "10.42.0.0/16")["VpcId"]
    peer_two = create_vpc(ec2, "10.43.0.0/16")["VpcId"]
    attached = create_igw(ec2)["InternetGatewayId"]
    loose = create_igw(ec2)["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=attached, VpcId=vpc)
    pcx_one = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer_one)["VpcPeeringConnection"]
    pcx_two = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer_two)["VpcPeeringConnection"]
    pcx_one, pcx_two = pcx_one["VpcPeeringConnectionId"], pcx_two["VpcPeeringConnectionId"]
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=attached)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="10.42.0.0/16", VpcPeeringConnectionId=pcx_one)
    console.open(f"/console/route-tables/{rtb}/routes")
    assert [console.el(f"dest-{i}").get_attribute("value") for i in range(3)] \
        == ["10.41.0.0/16", "0.0.0.0/0", "10.42.0.0/16"]
    assert console.el("dest-0").get_attribute("readonly") == "true"
    # Remove the default route, retarget the peering route, add a route to a gateway of no VPC.
    console.click("remove-1")
    console.choose("target-1", pcx_two).click("add-route").fill("dest-2", "192.168.0.0/16").choose("target-2", loose)
    console.click("save-routes")
    assert console.error() == ("InvalidParameterValue",
                               f"route table {rtb} and network gateway {loose} belong to different networks")
    assert console.el("made-before-refusal").text == \
        f"Made before the refusal: DeleteRoute 0.0.0.0/0; ReplaceRoute 10.42.0.0/16 → {pcx_two}."
    assert console.el("dest-2").get_attribute("value") == "192.168.0.0/16"
    assert console.el("target-2").get_attribute("value") == loose
    routes = {r["DestinationCidrBlock"]: r for r in route_table(ec2, rtb)["Routes"]}
    assert set(routes) == {"10.41.0.0/16", "10.42.0.0/16"}
    assert routes["10.42.0.0/16"]["VpcPeeringConnectionId"] == pcx_two
    # Positive control: the same row with the attached gateway is created.
    console.choose("target-2", attached).click("save-routes")
    assert console.error() is None
    assert route_for(route_table(ec2, rtb), "192.168.0.0/16")["GatewayId"] == attached


def test_create_route_table_and_edit_subnet_associations(console, ec2):
    vpc = create_vpc(ec2, "10.44.0.0/16", Name="assoc")["VpcId"]
    one = create_subnet(ec2, vpc, "10.44.1.0/24", Name="one")["SubnetId"]
    two = create_subnet(ec2, vpc, "10.44.2.0/24", Name="two")["SubnetId"]
    main = main_route_table(ec2, vpc)["RouteTableId"]
    console.open("/console/route-tables").link("Create route table")
    console.fill("name", "private").choose("vpc", vpc).click("submit-create-route-table")
    rtb = tagged(ec2.describe_route_tables()["RouteTables"], "private")["RouteTableId"]
    assert console.notice() == f"Route table {rtb} was created successfully."
    console.click("edit-subnet-associations").click(f"subnet-{one}").click("save-associations")
    assert console.notice() == f"You have successfully updated subnet associations for {rtb}."
    assert [row[1] for row in console.rows()] == [one]
    associations = route_table(ec2, rtb)["Associations"]
    assert [(a["SubnetId"], a["Main"]) for a in associations] == [(one, False)]
    # The subnet now follows the new table; the other still follows the main one.
    console.open(f"/console/subnets/{one}")
    assert f"Route table: {rtb} | private" in console.text()
    console.open(f"/console/route-tables/{main}?tab=subnets")
    assert two in console.text() and one not in console.text()
    # Associating the subnet with the main table too: AWS's Resource.AlreadyAssociated, the box as submitted.
    console.open(f"/console/route-tables/{main}/associations").click(f"subnet-{one}").click("save-associations")
    console.shot("edit-subnet-associations-refused")
    assert console.error() == ("Resource.AlreadyAssociated",
                               f"the specified association for route table {main} conflicts with an existing association")
    assert console.el(f"subnet-{one}").is_selected()
    # Deleting the table while it has an association: DependencyViolation.
    console.open(f"/console/route-tables/{rtb}").click("delete-route-table")
    assert console.error() == ("DependencyViolation", f"The routeTable '{rtb}' has dependencies and cannot be deleted.")
    # Positive controls: unchecked, the association goes; then the table can be deleted.
    console.click("edit-subnet-associations").click(f"subnet-{one}").click("save-associations")
    assert console.error() is None
    assert route_table(ec2, rtb)["Associations"] == []
    console.open(f"/console/route-tables/{rtb}").click("delete-route-table")
    assert console.notice() == f"You successfully deleted {rtb}."
    assert rtb not in {t["RouteTableId"] for t in ec2.describe_route_tables()["RouteTables"]}


# ---------------------------------------------------------------------------------------------------------------
# Peering connections
# ---------------------------------------------------------------------------------------------------------------
def test_peering_in_one_account_create_accept_route_link_delete(console, ec2):
    vpc_a = create_vpc(ec2, "10.60.0.0/16", Name="a")["VpcId"]
    vpc_b = create_vpc(ec2, "10.61.0.0/16", Name="b")["VpcId"]
    console.open("/console/peering-connections").link("Create peering connection")
    console.fill("name", "a-b").choose("vpc", vpc_a).fill("peer_vpc", vpc_b).click("submit-create-pcx")
    pcx = tagged(ec2.describe_vpc_peering_connections()["VpcPeeringConnections"], "a-b")["VpcPeeringConnectionId"]
    assert console.notice() == f"A VPC peering connection {pcx} has been requested."
    assert console.el("pcx-status").text == "pending-acceptance"
    console.open("/console/peering-connections")
    assert row_of(console, pcx) == ["a-b", pcx, "pending-acceptance", vpc_a, vpc_b, "10.60.0.0/16",
                                    "–", DEFAULT_ACCOUNT, DEFAULT_ACCOUNT]
    console.link(pcx).click("accept-pcx")
    assert console.notice().startswith(f"Your VPC peering connection ({pcx}) has been established.")
    assert console.el("pcx-status").text == "active"
    console.shot("peering-accepted")
    assert ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx])["VpcPeeringConnections"][0][
        "Status"]["Code"] == "active"
    console.click("modify-route-tables")
    assert console.path == "/console/route-tables"
    console.open("/console/peering-connections")
    assert row_of(console, pcx)[2:7] == ["active", vpc_a, vpc_b, "10.60.0.0/16", "10.61.0.0/16"]
    console.link(pcx).click("delete-pcx")
    assert console.notice() == f"You successfully deleted {pcx}."
    assert ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx])["VpcPeeringConnections"][0][
        "Status"]["Code"] == "deleted"


def test_cross_account_request_accepted_from_the_accepters_console(console, ec2, client_factory):
    other = client_factory(key=OTHER_ACCOUNT)
    peer_vpc = other.create_vpc(CidrBlock="10.71.0.0/16")["Vpc"]["VpcId"]
    own_vpc = create_vpc(ec2, "10.70.0.0/16", Name="requester")["VpcId"]
    console.open("/console/peering-connections/create")
    console.fill("name", "to-partner").choose("vpc", own_vpc).click("account-other").fill("peer_account", OTHER_ACCOUNT)
    console.fill("peer_vpc", peer_vpc).click("submit-create-pcx")
    assert console.error() is None
    pcx = tagged(ec2.describe_vpc_peering_connections()["VpcPeeringConnections"], "to-partner")
    assert (pcx["AccepterVpcInfo"]["OwnerId"], pcx["AccepterVpcInfo"]["VpcId"]) == (OTHER_ACCOUNT, peer_vpc)
    pcx = pcx["VpcPeeringConnectionId"]
    # The requester sees its own CIDRs, not the accepter's while pending (the model's field visibility).
    console.open("/console/peering-connections")
    assert row_of(console, pcx) == ["to-partner", pcx, "pending-acceptance", own_vpc, peer_vpc,
                                    "10.70.0.0/16", "–", DEFAULT_ACCOUNT, OTHER_ACCOUNT]
    with wide(console):
        console.shot("peering-list-requester")
    # The requester may not accept: AWS's refusal, and nothing changes.
    console.link(pcx).click("accept-pcx")
    assert console.error() == ("OperationNotPermitted", f"User {DEFAULT_ACCOUNT} cannot accept peering {pcx}")
    # The accepter's console: the request is there, pending, with its own (empty) tags.
    console.fill("account", OTHER_ACCOUNT).click("switch")
    console.open("/console/peering-connections")
    assert row_of(console, pcx) == ["–", pcx, "pending-acceptance", own_vpc, peer_vpc, "10.70.0.0/16", "–",
                                    DEFAULT_ACCOUNT, OTHER_ACCOUNT]
    with wide(console):
        console.shot("peering-list-accepter")
    console.link(pcx).click("accept-pcx")
    assert console.notice().startswith(f"Your VPC peering connection ({pcx}) has been established.")
    for client in (other, ec2):
        (seen,) = client.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx])["VpcPeeringConnections"]
        assert seen["Status"]["Code"] == "active"
    console.open("/console/peering-connections")
    assert row_of(console, pcx)[2:7] == ["active", own_vpc, peer_vpc, "10.70.0.0/16", "10.71.0.0/16"]
    # Back in the requester's account the connection is active too.
    console.fill("account", DEFAULT_ACCOUNT).click("switch")
    console.open("/console/peering-connections")
    assert row_of(console, pcx)[2] == "active"


def details(console) -> dict[str, str]:
    """The details panel as the console shows it: label → value."""
    pairs = {}
    for item in console.css("dl.details > div"):
        label, value = item.find_element("tag name", "dt").text, item.find_element("tag name", "dd").text
        pairs[label] = value
    return pairs


def test_subnet_details_show_an_ipv6_only_subnet_and_a_dual_stack_one(console, ec2):
    vpc = ec2.create_vpc(CidrBlock="10.22.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    block = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    base = ipaddress.ip_network(block).network_address
    first, second = (f"{base + (n << 64)}/64" for n in (1, 2))
    only = ec2.create_subnet(VpcId=vpc, Ipv6Native=True, Ipv6CidrBlock=second)["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=only, EnableDns64={"Value": True})
    dual = ec2.create_subnet(VpcId=vpc, CidrBlock="10.22.1.0/24", Ipv6CidrBlock=first)["Subnet"]["SubnetId"]
    console.open(f"/console/subnets/{only}")
    shown = details(console)
    assert {k: shown[k] for k in ("IPv4 CIDR", "Available IPv4 addresses", "IPv6 CIDR", "IPv6-only",
                                  "Auto-assign IPv6 address", "DNS64", "Hostname type")} == {
        "IPv4 CIDR": "–", "Available IPv4 addresses": "0", "IPv6 CIDR": second, "IPv6-only": "Yes",
        "Auto-assign IPv6 address": "Yes", "DNS64": "Yes", "Hostname type": "resource-name"}
    console.shot("subnet-details-ipv6-only")
    # Its route table lists the IPv6 routes after the IPv4 ones: both local routes, and a ::/0 to an egress-only
    # gateway once there is one.
    assert console.rows() == [["10.22.0.0/16", "local"], [block, "local"]]
    eigw = ec2.create_egress_only_internet_gateway(VpcId=vpc)["EgressOnlyInternetGateway"][
        "EgressOnlyInternetGatewayId"]
    main = main_route_table(ec2, vpc)["RouteTableId"]
    ec2.create_route(RouteTableId=main, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw)
    console.open(f"/console/route-tables/{main}")
    assert console.rows() == [["10.22.0.0/16", "local", "active", "No"], [block, "local", "active", "No"],
                              ["::/0", eigw, "active", "No"]]
    # Positive control: the dual-stack subnet has both blocks and the defaults.
    console.open(f"/console/subnets/{dual}")
    shown = details(console)
    assert {k: shown[k] for k in ("IPv4 CIDR", "IPv6 CIDR", "IPv6-only", "Auto-assign IPv6 address", "DNS64")} == {
        "IPv4 CIDR": "10.22.1.0/24", "IPv6 CIDR": first, "IPv6-only": "No", "Auto-assign IPv6 address": "No",
        "DNS64": "No"}
