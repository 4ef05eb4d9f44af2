"""The user's tutorial (seed 003, VPC peering in ap-northeast-2) in Chromium by clicks only: both VPCs, subnets,
internet gateways, security group rules, instances, an Elastic IP, A's internet route, the peering requested and
accepted, routes on both sides — with the probe from A to B drawn red before the peering routes and green after.
boto3 only checks what the clicks did; every change is the console's."""
import re

from console import Console

REGION = "ap-northeast-2"
ZONE = "ap-northeast-2a"


def last_id(console: Console, prefix: str) -> str:
    """The resource ID the page the console redirected to is about."""
    match = re.search(rf"/({prefix}-[0-9a-f]+)", console.path)
    assert match, f"no {prefix}- ID in {console.path}"
    return match.group(1)


def row_with(console: Console, *cells: str) -> list[str]:
    rows = [row for row in console.rows() if all(cell in row for cell in cells)]
    assert len(rows) == 1, (cells, console.rows())
    return rows[0]


def create_vpc(console, name, cidr):
    console.link("Your VPCs").link("Create VPC").fill("name", name).fill("cidr", cidr).click("submit-create-vpc")
    return last_id(console, "vpc")


def create_subnet(console, vpc, name, cidr):
    console.link("Subnets").link("Create subnet")
    console.choose("vpc", vpc).fill("name", name).choose("zone", ZONE).fill("cidr", cidr).click("submit-create-subnet")
    return last_id(console, "subnet")


def create_and_attach_igw(console, vpc, name):
    console.link("Internet gateways").link("Create internet gateway").fill("name", name).click("submit-create-igw")
    igw = last_id(console, "igw")
    console.click("attach-igw").choose("vpc", vpc).click("submit-attach-igw")
    return igw


def default_group(console, vpc) -> str:
    console.link("Security groups")
    row = row_with(console, vpc, "default")
    return next(cell for cell in row if cell.startswith("sg-"))


def add_inbound_rule(console, group, rule_type, source):
    console.link("Security groups").link(group).click("edit-inbound-rules").click("add-rule")
    # The new row is the last one (the default group already allows its own members).
    row = len(console.css("select[id$='-type'][id^='rule-']")) - 1
    console.choose(f"rule-{row}-type", rule_type).fill(f"rule-{row}-source", source).click("save-rules")
    assert console.error() is None, console.error()


def launch(console, name, vpc, subnet, group):
    console.link("Instances").link("Launch instances")
    console.fill("name", name).choose("vpc", vpc).choose("subnet", subnet).choose("auto-assign", "disable")
    console.click(f"sg-{group}").click("launch-instance")
    assert console.error() is None, console.error()
    return re.search(r"\((i-[0-9a-f]+)\)", console.notice()).group(1)


def main_route_table(console, vpc) -> str:
    console.link("Your VPCs").link(vpc)
    return next(a.text for a in console.css("dl.details a") if a.text.startswith("rtb-"))


def add_route(console, table, row, destination, target):
    console.link("Route tables").link(table).click("edit-routes").click("add-route")
    console.fill(f"dest-{row}", destination).choose(f"target-{row}", target).click("save-routes")
    assert console.error() is None, console.error()


def probe(console, source, destination):
    console.link("Network map").choose("from", source).fill("to", destination).choose("protocol", "icmp")
    console.click("probe-run")


def test_seed_tutorial_by_clicks(console, client_factory):
    ec2 = client_factory(region=REGION)
    console.open("/console/tutorial")
    console.choose("region", REGION).click("switch")

    vpc_a = create_vpc(console, "peeringVPC-A", "10.6.0.0/16")
    vpc_b = create_vpc(console, "peeringVPC-B", "10.7.0.0/16")
    subnet_a = create_subnet(console, vpc_a, "peeringVPC-A-subnet", "10.6.1.0/24")
    subnet_b = create_subnet(console, vpc_b, "peeringVPC-B-subnet", "10.7.1.0/24")
    igw_a = create_and_attach_igw(console, vpc_a, "peeringVPC-A-igw")
    create_and_attach_igw(console, vpc_b, "peeringVPC-B-igw")
    group_a, group_b = default_group(console, vpc_a), default_group(console, vpc_b)
    add_inbound_rule(console, group_a, "ssh", "0.0.0.0/0")
    add_inbound_rule(console, group_b, "all-icmp", "10.6.0.0/16")
    instance_a = launch(console, "peeringVPC-A-ec2", vpc_a, subnet_a, group_a)
    instance_b = launch(console, "peeringVPC-B-ec2", vpc_b, subnet_b, group_b)

    console.link("Elastic IPs").link("Allocate Elastic IP address").click("allocate-address")
    public_ip = next(cell for cell in console.rows()[0] if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", cell))
    console.link(public_ip).click("associate-address").choose("instance", instance_a).click("submit-associate")
    table_a, table_b = main_route_table(console, vpc_a), main_route_table(console, vpc_b)
    add_route(console, table_a, 1, "0.0.0.0/0", igw_a)
    console.open("/console/tutorial")
    # Steps 1-8 built; step 9, the failing ping, is what the engine answers now.
    assert [li.get_attribute("id") for li in console.css("li.done")] == [f"step-{n}" for n in range(1, 10)]
    assert "Now: no answer." in console.el("step-9").text
    console.shot("tutorial-before-peering")

    # What the clicks built, as the SDK sees it.
    instances = {i["InstanceId"]: i for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]}
    assert instances[instance_a]["PublicIpAddress"] == public_ip
    assert instances[instance_b]["PrivateIpAddress"].startswith("10.7.1.")
    ip_b = instances[instance_b]["PrivateIpAddress"]

    # The tutorial's first ping: A cannot reach B yet; the map draws the probe red where it stops.
    probe(console, instance_a, ip_b)
    assert console.el("probe-verdict").text.startswith("Dropped")
    assert console.css("svg.network-map .probe.unreachable")
    # A's only way to 10.7.0.0/16 is its default route: the packet leaves by the internet gateway and the internet
    # cannot route a private address.
    assert [e.get_attribute("data-id") for e in console.css("svg.network-map .hop.blocked")] == ["internet"]
    assert [c.text for c in console.css("#probe-findings .code")] == ["CANNOT_ROUTE"]
    console.shot("tutorial-probe-red")

    console.link("Peering connections").link("Create peering connection")
    console.fill("name", "peeringVPC-A-B").choose("vpc", vpc_a).fill("peer_vpc", vpc_b).click("submit-create-pcx")
    pcx = last_id(console, "pcx")
    console.click("accept-pcx")
    assert console.el("pcx-status").text == "active"
    add_route(console, table_a, 2, "10.7.0.0/16", pcx)
    add_route(console, table_b, 1, "10.6.0.0/16", pcx)

    routes = {t["RouteTableId"]: {r["DestinationCidrBlock"]: r.get("VpcPeeringConnectionId") or r.get("GatewayId")
                                  for r in t["Routes"]} for t in ec2.describe_route_tables()["RouteTables"]}
    assert routes[table_a] == {"10.6.0.0/16": "local", "0.0.0.0/0": igw_a, "10.7.0.0/16": pcx}
    assert routes[table_b] == {"10.7.0.0/16": "local", "10.6.0.0/16": pcx}
    # The last ping: it answers; the map draws the whole path green.
    probe(console, instance_a, ip_b)
    assert console.el("probe-verdict").text == "Reachable"
    assert console.css("svg.network-map .probe.reachable")
    assert not console.css("svg.network-map .hop.blocked")
    console.shot("tutorial-probe-green")
    console.open("/console/tutorial")
    # Every step, the last ping included: the engine answers it now.
    assert [li.get_attribute("id") for li in console.css("li.done")] == [f"step-{n}" for n in range(1, 15)]
    assert "Now: it answers." in console.el("step-14").text
    console.shot("tutorial-done")
