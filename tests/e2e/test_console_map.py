"""The console's network map, probes drawn on it and the reachability matrix, driven in Chromium against the seed
tutorial world built with boto3: VPC A 10.6.0.0/16 and VPC B 10.7.0.0/16, a subnet and an instance in each, an
internet gateway on A, a peering connection A → B."""
from __future__ import annotations

import time

from helpers import create_igw, create_subnet, create_vpc, main_route_table

WAIT = 8.0  # seconds a live update may take (the page polls every second)


def tutorial_world(ec2, *, accept: bool = True) -> dict:
    a = create_vpc(ec2, "10.6.0.0/16", Name="peeringVPC-A")["VpcId"]
    b = create_vpc(ec2, "10.7.0.0/16", Name="peeringVPC-B")["VpcId"]
    sa = create_subnet(ec2, a, "10.6.1.0/24", "us-east-1a", Name="subnet-A")["SubnetId"]
    sb = create_subnet(ec2, b, "10.7.1.0/24", "us-east-1b", Name="subnet-B")["SubnetId"]
    igw = create_igw(ec2)["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=a)
    ids = {}
    for name, subnet in (("web-A", sa), ("web-B", sb)):
        ids[name] = ec2.run_instances(
            ImageId="ami-0123456789abcdef0", InstanceType="t2.micro", MinCount=1, MaxCount=1, SubnetId=subnet,
            TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}],
        )["Instances"][0]["InstanceId"]
    ec2.get_waiter("instance_running").wait(InstanceIds=list(ids.values()), WaiterConfig={"Delay": 1})
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=ids["web-A"])
    described = {i["InstanceId"]: i for r in ec2.describe_instances(InstanceIds=list(ids.values()))["Reservations"]
                 for i in r["Instances"]}
    pcx = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    if accept:
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    return {
        "a": a, "b": b, "sa": sa, "sb": sb, "igw": igw, "pcx": pcx,
        "ia": ids["web-A"], "ib": ids["web-B"],
        "ip_a": described[ids["web-A"]]["PrivateIpAddress"], "ip_b": described[ids["web-B"]]["PrivateIpAddress"],
        "public_a": eip["PublicIp"],
        "rta": main_route_table(ec2, a)["RouteTableId"], "rtb": main_route_table(ec2, b)["RouteTableId"],
    }


def route_both_sides_and_allow_icmp(ec2, w: dict) -> str:
    ec2.create_route(RouteTableId=w["rta"], DestinationCidrBlock="10.7.0.0/16", VpcPeeringConnectionId=w["pcx"])
    ec2.create_route(RouteTableId=w["rtb"], DestinationCidrBlock="10.6.0.0/16", VpcPeeringConnectionId=w["pcx"])
    group = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [w["b"]]},
                                                  {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]
    ec2.authorize_security_group_ingress(GroupId=group["GroupId"], IpPermissions=[
        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.6.0.0/16"}]}])
    return group["GroupId"]


def svg_text(console, selector: str) -> str:
    return " ".join(e.get_attribute("textContent") for e in console.css(selector))


def stroke(console, element) -> str:
    return console.driver.execute_script("return getComputedStyle(arguments[0]).stroke", element)


def box(console, kind: str, resource_id: str):
    (element,) = console.css(f'svg.network-map .{kind}[data-id="{resource_id}"]')
    return element


def test_map_shows_the_tutorial_world_with_its_peering_status_and_route_coverage(console, ec2):
    w = tutorial_world(ec2, accept=False)
    console.open("/console/map")
    a, b = box(console, "vpc", w["a"]), box(console, "vpc", w["b"])
    assert "peeringVPC-A" in a.get_attribute("textContent") and "10.6.0.0/16" in a.get_attribute("textContent")
    assert w["b"] in b.get_attribute("textContent") and "10.7.0.0/16" in b.get_attribute("textContent")
    subnet_a = box(console, "subnet", w["sa"]).get_attribute("textContent")
    assert "subnet-A" in subnet_a and w["sa"] in subnet_a and "10.6.1.0/24" in subnet_a
    assert "US-EAST-1A".lower() in a.get_attribute("textContent").lower()
    row_a = box(console, "instance", w["ia"])
    assert "state-running" in row_a.get_attribute("class")
    text_a = row_a.get_attribute("textContent")
    assert "web-A" in text_a and w["ia"] in text_a and w["ip_a"] in text_a and w["public_a"] in text_a
    text_b = box(console, "instance", w["ib"]).get_attribute("textContent")
    assert w["ip_b"] in text_b and "↗" not in text_b, "B has no public address"
    # The gateway sits on A's box, on its top edge.
    igw = box(console, "igw", w["igw"])
    assert w["igw"] in igw.get_attribute("textContent")
    assert console.css(f'svg.network-map .vpc[data-id="{w["a"]}"] .igw[data-id="{w["igw"]}"]')
    # The peering edge: amber while it waits for acceptance, with no routes yet.
    edge = box(console, "edge", w["pcx"])
    assert "status-waiting" in edge.get_attribute("class")
    assert stroke(console, edge.find_element("css selector", ".edge-line")) == "rgb(208, 135, 0)"
    label = box(console, "edge-label", w["pcx"]).get_attribute("textContent")
    assert "pending-acceptance" in label and "no routes" in label
    # Accepted and routed on one side, then both: green, and the coverage follows the route tables.
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=w["pcx"])
    ec2.create_route(RouteTableId=w["rta"], DestinationCidrBlock="10.7.0.0/16", VpcPeeringConnectionId=w["pcx"])
    console.open("/console/map")
    edge = box(console, "edge", w["pcx"])
    assert "status-active" in edge.get_attribute("class")
    assert stroke(console, edge.find_element("css selector", ".edge-line")) == "rgb(3, 127, 12)"
    assert "routes one side" in box(console, "edge-label", w["pcx"]).get_attribute("textContent")
    ec2.create_route(RouteTableId=w["rtb"], DestinationCidrBlock="10.6.0.0/16", VpcPeeringConnectionId=w["pcx"])
    console.open("/console/map")
    assert "routes both sides" in box(console, "edge-label", w["pcx"]).get_attribute("textContent")
    # Rejected (a new request): red and dashed.
    other = ec2.create_vpc_peering_connection(VpcId=w["b"], PeerVpcId=w["a"])["VpcPeeringConnection"]
    ec2.reject_vpc_peering_connection(VpcPeeringConnectionId=other["VpcPeeringConnectionId"])
    console.open("/console/map")
    rejected = box(console, "edge", other["VpcPeeringConnectionId"])
    line = rejected.find_element("css selector", ".edge-line")
    assert "status-ended" in rejected.get_attribute("class") and stroke(console, line) == "rgb(217, 21, 21)"
    dashes = console.driver.execute_script("return getComputedStyle(arguments[0]).strokeDasharray", line)
    assert dashes not in ("none", "")
    console.shot("map-tutorial")


def test_a_vpc_created_with_boto3_appears_on_the_open_map_without_reload(console, ec2):
    w = tutorial_world(ec2)
    console.open("/console/map")
    marker = console.driver.execute_script("window.__notReloaded = true; return true")
    assert marker

    def position(vpc_id: str) -> tuple:
        rect = box(console, "vpc", vpc_id).find_element("css selector", "rect.vpc-box")
        return tuple(rect.get_attribute(name) for name in ("x", "y", "width", "height"))

    before = {vpc_id: position(vpc_id) for vpc_id in (w["a"], w["b"])}
    vpc = create_vpc(ec2, "10.9.0.0/16", Name="late")["VpcId"]
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline and not console.css(f'svg.network-map .vpc[data-id="{vpc}"]'):
        time.sleep(0.2)
    assert console.css(f'svg.network-map .vpc[data-id="{vpc}"]'), "the new VPC did not appear"
    assert console.driver.execute_script("return window.__notReloaded === true"), "the page was reloaded"
    # It took a new cell: the boxes already drawn did not move.
    assert {vpc_id: position(vpc_id) for vpc_id in before} == before
    version = console.css("#map")[0].get_attribute("data-version")
    assert int(version) > 0


def test_probe_is_red_at_the_missing_route_then_green_once_routed_and_allowed(console, ec2):
    w = tutorial_world(ec2)
    console.open("/console/map")
    console.choose("from", w["ia"]).fill("to", w["ip_b"]).choose("protocol", "icmp")
    console.click("probe-run")
    assert console.path.startswith("/console/map?from=")
    assert console.el("probe-verdict").text.startswith("Dropped")
    (probe,) = console.css("svg.network-map .probe")
    assert "unreachable" in probe.get_attribute("class")
    blocked = console.css(f'svg.network-map .hop.blocked[data-id="{w["sa"]}"]')
    assert blocked, "A's subnet (its route table) is where the packet stops"
    assert stroke(console, blocked[0]) == "rgb(217, 21, 21)"
    assert console.css(f'svg.network-map .hop.reached[data-id="{w["ia"]}"]')
    assert not console.css("svg.network-map .hop.pass")
    assert "NO_ROUTE_TO_DESTINATION" in svg_text(console, "svg.network-map .blocked-tag")
    findings = console.css("#probe-findings li")
    codes = [f.find_element("css selector", ".code").text for f in findings]
    assert "NO_ROUTE_TO_DESTINATION" in codes and "ENI_SG_RULES_MISMATCH" in codes
    route = findings[codes.index("NO_ROUTE_TO_DESTINATION")]
    assert f"no route in {w['rta']} matches {w['ip_b']}" in route.text
    assert f"add route 10.7.0.0/16 -> {w['pcx']} to {w['rta']}" in route.text
    link = route.find_element("css selector", "a.fix-link")
    fix_href = link.get_attribute("href")
    assert fix_href.endswith(f"/console/route-tables/{w['rta']}?tab=routes")
    console.shot("map-probe-red")

    group = route_both_sides_and_allow_icmp(ec2, w)
    # The open page follows on its own (the live part re-runs the probe) …
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline and not console.css("svg.network-map .probe.reachable"):
        time.sleep(0.2)
    assert console.css("svg.network-map .probe.reachable")
    # … and so does a fresh click.
    console.click("probe-run")
    assert console.el("probe-verdict").text == "Reachable"
    assert "Nothing blocks this path." in console.css("#probe-result")[0].text
    passed = {e.get_attribute("data-id") for e in console.css("svg.network-map .hop.pass")}
    assert {w["ia"], w["sa"], w["pcx"], w["sb"], w["ib"]} <= passed, passed
    assert not console.css("svg.network-map .hop.blocked, svg.network-map .hop.reached")
    path = console.css("svg.network-map .probe-path")[0]
    assert stroke(console, path) == "rgb(3, 127, 12)"
    assert not console.css("#probe-findings")
    console.shot("map-probe-green")
    # Over TCP 80 B's group blocks again: the finding links to the group's page.
    console.choose("protocol", "tcp").fill("port", "80")
    console.click("probe-run")
    codes = [c.text for c in console.css("#probe-findings .code")]
    assert codes == ["ENI_SG_RULES_MISMATCH"]
    links = [a.get_attribute("href") for a in console.css("#probe-findings a.fix-link")]
    assert any(href.endswith(f"/console/security-groups/{group}") for href in links), links


def test_probe_refusals_show_the_reason(console, ec2):
    w = tutorial_world(ec2)
    ec2.stop_instances(InstanceIds=[w["ib"]])
    console.open(f"/console/map?from={w['ib']}&to={w['ip_a']}&protocol=icmp")
    assert console.error()[0] == "IncorrectInstanceState"
    console.open(f"/console/map?from={w['ia']}&to={w['ip_b']}&protocol=tcp&port=99999")
    assert console.error()[0] == "InvalidParameterValue"
    # An instance ID as the destination goes to its private address; a stopped one is drawn stopped and red.
    console.open(f"/console/map?from={w['ia']}&to={w['ib']}&protocol=icmp")
    assert w["ip_b"] in console.css("#probe-result h2")[0].text
    assert "state-stopped" in box(console, "instance", w["ib"]).get_attribute("class")


def test_reachability_matrix_shows_which_pairs_reach(console, ec2):
    w = tutorial_world(ec2)
    route_both_sides_and_allow_icmp(ec2, w)
    console.open("/console/reachability")

    def cell(source: str, destination: str):
        (element,) = console.css(f'#reachability-matrix td.cell[data-from="{source}"][data-to="{destination}"]')
        return element

    # A → B: routed both ways and allowed by B's group. B → A: A's default group lets in only its own members.
    forward, backward = cell(w["ia"], w["ib"]), cell(w["ib"], w["ia"])
    assert "reachable" in forward.get_attribute("class").split()
    assert "unreachable" in backward.get_attribute("class").split()
    assert "reachable over ICMP" in forward.get_attribute("title")
    assert "unreachable over ICMP" in backward.get_attribute("title")
    assert "1 of 2 ordered pairs" in console.el("matrix-summary").text
    console.shot("reachability-matrix")
    # A cell opens that probe on the map.
    page = console.css("html")[0]
    forward.find_element("css selector", "a").click()
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(console.driver, 5).until(expected_conditions.staleness_of(page))
    assert console.path.startswith(f"/console/map?from={w['ia']}&to={w['ip_b']}")
    assert console.el("probe-verdict").text == "Reachable"
    # One VPC, over TCP 22: the instances of A only, and nothing listens but A reaches itself … no pair at all.
    console.open(f"/console/reachability?vpc={w['a']}&protocol=tcp&port=22")
    assert "0 of 0 ordered pairs of 1 running instances" in console.el("matrix-summary").text
    console.open("/console/reachability?vpc=vpc-0000000000000000a")
    assert console.error()[0] == "InvalidVpcID.NotFound"
