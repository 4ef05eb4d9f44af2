"""Issue 8 defect 1: the JSON API and Network Insights show a caller the inside of its own resources only.

OWNER (111111111111) runs a web server instance with an Elastic IP in us-east-1; OTHER (222222222222) is a second
account in the same region. From the internet OTHER sees what the internet sees of OWNER's instance — the verdict
and the public address — and nothing inside (instance, interface, private address, groups and rules, network ACL,
route table, gateway). Over a cross-account peering OTHER sees the peering connection and the kinds of OWNER's
components the packet crosses, with OWNER's account but without their IDs. Every test pairs the refusal with a
positive control: OWNER, asking the same, sees its own IDs.

Requests are SigV4-signed with botocore, the account being the access key as in every localvpc client.
"""
from __future__ import annotations

import json

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

OWNER, OTHER = "111111111111", "222222222222"
REGION = "us-east-1"
AMI = "ami-12345678"


def api(endpoint: str, route: str, body: dict, account: str, region: str = REGION) -> requests.Response:
    """POST a JSON body to `/_localvpc/v1/<route>` as `account` in `region`."""
    request = AWSRequest(method="POST", url=f"{endpoint}/_localvpc/v1/{route}", data=json.dumps(body).encode(),
                         headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(account, "secret"), "ec2", region).add_auth(request)
    prepared = request.prepare()
    return requests.post(prepared.url, headers=dict(prepared.headers), data=prepared.body, timeout=30)


def ok(response: requests.Response) -> dict:
    assert response.status_code == 200, f"HTTP {response.status_code}: {response.text[:500]}"
    assert response.headers["Content-Type"] == "application/json"
    return response.json()


def network(ec2, cidr: str, subnet_cidr: str, *, listen: str | None = None) -> dict:
    """A VPC with DNS host names, a public subnet (internet gateway, default route) and one instance in it."""
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=subnet_cidr)["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    rtb = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"][0]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    acl = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"][0]["NetworkAclId"]
    sg = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                               {"Name": "group-name", "Values": ["default"]}])[
        "SecurityGroups"][0]["GroupId"]
    kwargs = {}
    if listen:
        kwargs["TagSpecifications"] = [{"ResourceType": "instance",
                                        "Tags": [{"Key": "localvpc:listen", "Value": listen}]}]
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet, **kwargs)["Instances"][0]
    return {"vpc": vpc, "cidr": cidr, "subnet": subnet, "igw": igw, "rtb": rtb, "acl": acl, "sg": sg,
            "instance": instance["InstanceId"], "eni": instance["NetworkInterfaces"][0]["NetworkInterfaceId"],
            "ip": instance["PrivateIpAddress"], "private_name": instance["PrivateDnsName"]}


def allow(ec2, side: dict, protocol: str, port: int, cidr: str) -> str:
    ports = {"FromPort": -1, "ToPort": -1} if protocol == "icmp" else {"FromPort": port, "ToPort": port}
    rules = ec2.authorize_security_group_ingress(GroupId=side["sg"], IpPermissions=[
        {"IpProtocol": protocol, **ports, "IpRanges": [{"CidrIp": cidr}]}])["SecurityGroupRules"]
    return rules[0]["SecurityGroupRuleId"]


@pytest.fixture
def owner(client_factory) -> dict:
    """OWNER's web server: ssh open to the world, an Elastic IP, a public DNS name."""
    ec2 = client_factory(key=OWNER)
    side = network(ec2, "10.0.0.0/16", "10.0.1.0/24")
    side["sgr"] = allow(ec2, side, "tcp", 22, "0.0.0.0/0")
    allocation = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=allocation["AllocationId"], InstanceId=side["instance"])
    side["eip"] = allocation["PublicIp"]
    side["public_name"] = ec2.describe_instances(InstanceIds=[side["instance"]])["Reservations"][0]["Instances"][0][
        "PublicDnsName"]
    assert side["public_name"].startswith("ec2-"), side
    side["ec2"] = ec2
    return side


@pytest.fixture
def other(client_factory) -> dict:
    """OTHER's own network, unrelated to OWNER's."""
    ec2 = client_factory(key=OTHER)
    side = network(ec2, "10.1.0.0/16", "10.1.1.0/24")
    side["ec2"] = ec2
    return side


def inside_of(side: dict) -> list[str]:
    """Everything of an account's network that only the account may see: IDs and the private address."""
    return [side[key] for key in ("vpc", "subnet", "igw", "rtb", "acl", "sg", "instance", "eni", "ip", "sgr")
            if key in side]


def assert_hides(text: str, side: dict) -> None:
    leaked = [value for value in inside_of(side) if value in text]
    assert not leaked, f"another account's {leaked} in: {text[:2000]}"


# ---------------------------------------------------------------------------------------------------------------
# /v1/probe and /v1/explain from the internet
# ---------------------------------------------------------------------------------------------------------------
def test_probe_from_internet_to_another_accounts_public_ip_shows_only_the_verdict_and_address(server, owner, other):
    request = {"from": "internet", "to": owner["eip"], "protocol": "tcp", "port": 22}
    response = api(server.endpoint, "probe", request, OTHER)
    seen = ok(response)
    assert_hides(response.text, owner)
    assert seen["verdict"] == "reachable" and seen["address"] == owner["eip"], seen
    forward = seen["forward"]
    assert forward["hops"] == [{"kind": "other-account", "id": None, "detail": "resources of another account: not shown"}], forward
    assert (forward["delivered_to"], forward["delivered_instance"], forward["delivered_address"]) == (None,) * 3
    assert seen["findings"] == [] and seen["traceroute"] == [owner["eip"]], seen
    # The answer comes back from the internet side: the other account's part first, then the internet host.
    assert [hop["kind"] for hop in seen["reply"]["hops"]] == ["other-account", "internet"], seen["reply"]

    # Positive control: the owner asking the same sees its own instance, interface, group, rule, ACL and gateway.
    own = ok(api(server.endpoint, "probe", request, OWNER))
    assert own["verdict"] == "reachable"
    hops = own["forward"]["hops"]
    assert [(hop["kind"], hop["id"]) for hop in hops] == [
        ("internet-gateway", owner["igw"]), ("network-acl-inbound", owner["acl"]),
        ("security-group-ingress", owner["sg"]), ("network-interface", owner["eni"])], hops
    assert hops[2]["detail"] == f"allowed by {owner['sgr']}"
    assert own["forward"]["delivered_instance"] == owner["instance"]
    assert own["forward"]["delivered_address"] == owner["ip"]


def test_explain_from_internet_hides_another_accounts_blocking_settings(server, owner, other):
    request = {"from": "internet", "to": owner["eip"], "protocol": "tcp", "port": 80}
    response = api(server.endpoint, "explain", request, OTHER)
    seen = ok(response)
    assert_hides(response.text, owner)
    assert seen["verdict"] == "dropped", seen
    assert seen["findings"] == [] and seen["forward"]["findings"] == [], seen
    assert seen["forward"]["withheld"] is True, seen["forward"]

    # Positive control: the owner is told which of its groups blocks port 80, and how to fix it.
    own = ok(api(server.endpoint, "explain", request, OWNER))
    assert own["verdict"] == "dropped"
    assert [(f["code"], f["component"]) for f in own["findings"]] == [("ENI_SG_RULES_MISMATCH", owner["sg"])], own
    assert own["findings"][0]["fix"] == f"add an inbound rule to {owner['sg']} allowing tcp/80 from 198.51.100.10/32"
    assert own["forward"]["withheld"] is False


def test_probe_from_internet_to_a_stopped_instance_of_another_account_names_nothing(server, owner, other):
    owner["ec2"].stop_instances(InstanceIds=[owner["instance"]])
    request = {"from": "internet", "to": owner["eip"], "protocol": "tcp", "port": 22}
    response = api(server.endpoint, "explain", request, OTHER)
    seen = ok(response)
    assert_hides(response.text, owner)
    assert seen["verdict"] == "dropped" and seen["findings"] == [], seen
    # Positive control: the owner learns its instance is not running.
    own = ok(api(server.endpoint, "explain", request, OWNER))
    # (Twice: the collecting walk meets the stopped instance receiving, then answering.)
    assert {(f["code"], f["component"]) for f in own["findings"]} == {("BAD_STATE", owner["instance"])}, own


# ---------------------------------------------------------------------------------------------------------------
# /v1/probe and /v1/explain over a cross-account peering
# ---------------------------------------------------------------------------------------------------------------
@pytest.fixture
def peered(owner, other) -> str:
    """OTHER requests a peering with OWNER's VPC, OWNER accepts; routes both ways."""
    pcx = other["ec2"].create_vpc_peering_connection(VpcId=other["vpc"], PeerVpcId=owner["vpc"], PeerOwnerId=OWNER)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    owner["ec2"].accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    other["ec2"].create_route(RouteTableId=other["rtb"], DestinationCidrBlock=owner["cidr"],
                              VpcPeeringConnectionId=pcx)
    owner["ec2"].create_route(RouteTableId=owner["rtb"], DestinationCidrBlock=other["cidr"],
                              VpcPeeringConnectionId=pcx)
    return pcx


def test_probe_over_cross_account_peering_shows_the_peers_components_without_their_ids(server, owner, other, peered):
    allow(owner["ec2"], owner, "icmp", -1, other["cidr"])
    request = {"from": other["instance"], "to": owner["ip"], "protocol": "icmp"}
    response = api(server.endpoint, "probe", request, OTHER)
    seen = ok(response)
    assert seen["verdict"] == "reachable", seen
    hops = seen["forward"]["hops"]
    # The caller's own side, with IDs (the positive control inside the same answer), then the peering connection
    # both sides describe, then OWNER's components: their kinds and OWNER's account only.
    assert [(hop["kind"], hop["id"]) for hop in hops] == [
        ("network-interface", other["eni"]), ("security-group-egress", other["sg"]),
        ("network-acl-outbound", other["acl"]), ("route-table", other["rtb"]),
        ("vpc-peering-connection", peered),
        ("network-acl-inbound", None), ("security-group-ingress", None), ("network-interface", None)], hops
    assert hops[4]["detail"] == f"{other['vpc']} -> {owner['vpc']}"
    for hop in hops[5:]:
        assert hop["account"] == OWNER and hop["region"] == REGION, hop
        assert hop["detail"] == f"in account {OWNER} ({REGION}): not shown", hop
    forward = seen["forward"]
    assert (forward["delivered_to"], forward["delivered_instance"], forward["delivered_address"]) == (None,) * 3
    # The peer VPC's ID is on the peering connection itself; nothing else of OWNER's inside is in the answer.
    assert_hides(response.text, {key: value for key, value in owner.items() if key not in ("vpc", "ip")})


def test_explain_over_cross_account_peering_names_the_owner_not_the_peers_group(server, owner, other, peered):
    request = {"from": other["instance"], "to": owner["ip"], "protocol": "tcp", "port": 5432}
    response = api(server.endpoint, "explain", request, OTHER)
    seen = ok(response)
    assert seen["verdict"] == "dropped", seen
    assert seen["findings"] == [{
        "code": "ENI_SG_RULES_MISMATCH", "component": None, "account": OWNER, "region": REGION,
        "detail": f"a security group of account {OWNER} ({REGION}) blocks the packet",
        "fix": f"ask account {OWNER} to allow tcp/5432 from {other['ip']}/32",
    }], seen["findings"]
    assert_hides(response.text, {key: value for key, value in owner.items() if key not in ("vpc", "ip")})

    # Positive control: OWNER, probing the other way over the same peering, sees its own blocking group by ID.
    reverse = {"from": owner["instance"], "to": other["ip"], "protocol": "tcp", "port": 5432}
    own = ok(api(server.endpoint, "explain", reverse, OWNER))
    assert [(f["code"], f["component"]) for f in own["findings"]] == [("ENI_SG_RULES_MISMATCH", None)], own
    assert own["findings"][0]["account"] == OTHER
    own_egress = ok(api(server.endpoint, "probe", reverse, OWNER))["forward"]["hops"]
    assert [hop["id"] for hop in own_egress[:4]] == [owner["eni"], owner["sg"], owner["acl"], owner["rtb"]]


# ---------------------------------------------------------------------------------------------------------------
# /v1/resolve
# ---------------------------------------------------------------------------------------------------------------
def test_resolve_another_accounts_names_answers_what_the_internet_sees(server, owner, other):
    def resolve(account: str, vantage: str, name: str) -> dict:
        return ok(api(server.endpoint, "resolve", {"from": vantage, "name": name}, account))

    # From the internet the private name does not exist and the public name is the public address.
    assert resolve(OTHER, "internet", owner["private_name"])["status"] == "NXDOMAIN"
    assert resolve(OTHER, "internet", owner["public_name"])["address"] == owner["eip"]
    # From OTHER's own instance (an unrelated VPC) the public name is the public address too (spec §4.4).
    from_other = resolve(OTHER, other["instance"], owner["public_name"])
    assert (from_other["status"], from_other["address"]) == ("NOERROR", owner["eip"]), from_other
    # OWNER's instance is no vantage of OTHER's.
    refused = api(server.endpoint, "resolve", {"from": owner["instance"], "name": owner["public_name"]}, OTHER)
    assert refused.status_code == 400, refused.text
    assert refused.json() == {"error": {"code": "InvalidInstanceID.NotFound",
                                        "message": f"The instance ID '{owner['instance']}' does not exist"}}

    # Positive control: inside its own VPC, OWNER's public name answers the private address (split horizon).
    inside = resolve(OWNER, owner["instance"], owner["public_name"])
    assert (inside["status"], inside["address"]) == ("NOERROR", owner["ip"]), inside
    assert resolve(OWNER, owner["instance"], owner["private_name"])["address"] == owner["ip"]


# ---------------------------------------------------------------------------------------------------------------
# /v1/reachability
# ---------------------------------------------------------------------------------------------------------------
def test_reachability_of_another_accounts_vpc_is_refused_as_not_found(server, owner, other):
    refused = api(server.endpoint, "reachability", {"vpc": [owner["vpc"]]}, OTHER)
    assert refused.status_code == 400, refused.text
    assert refused.json() == {"error": {"code": "InvalidVpcID.NotFound",
                                        "message": f"The vpc ID '{owner['vpc']}' does not exist"}}
    # Unfiltered, OTHER's answer has OTHER's instance only, in the default (groups) form and in the full one.
    grouped = ok(api(server.endpoint, "reachability", {}, OTHER))
    assert [[member["instance"] for member in group["members"]] for group in grouped["groups"]] == \
        [[other["instance"]]], grouped
    assert_hides(json.dumps(grouped), owner)
    mine = ok(api(server.endpoint, "reachability", {"form": "full"}, OTHER))
    assert [node["instance"] for node in mine["nodes"]] == [other["instance"]], mine
    assert_hides(json.dumps(mine), owner)

    # Positive control: OWNER asks about its own VPC.
    own = ok(api(server.endpoint, "reachability", {"vpc": [owner["vpc"]], "form": "full"}, OWNER))
    assert own["nodes"] == [{"instance": owner["instance"], "interface": owner["eni"], "vpc": owner["vpc"],
                             "private_ip": owner["ip"]}], own


# ---------------------------------------------------------------------------------------------------------------
# Network Insights
# ---------------------------------------------------------------------------------------------------------------
def analyse(ec2, **path) -> dict:
    path_id = ec2.create_network_insights_path(Protocol="tcp", **path)["NetworkInsightsPath"]["NetworkInsightsPathId"]
    analysis_id = ec2.start_network_insights_analysis(NetworkInsightsPathId=path_id)["NetworkInsightsAnalysis"][
        "NetworkInsightsAnalysisId"]
    return ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[analysis_id])[
        "NetworkInsightsAnalyses"][0]


def towards(address: str, port: int) -> dict:
    """A path's `FilterAtSource` for a destination given by address only."""
    return {"FilterAtSource": {"DestinationAddress": address, "DestinationPortRange": {"FromPort": port,
                                                                                       "ToPort": port}}}


def component_ids(analysis: dict) -> list[str]:
    return [c["Component"]["Id"] for c in analysis["ForwardPathComponents"] + analysis["ReturnPathComponents"]]


def test_network_insights_to_another_accounts_public_ip_stops_at_the_internet(server, owner, other):
    allocation = other["ec2"].allocate_address(Domain="vpc")["AllocationId"]
    other["ec2"].associate_address(AllocationId=allocation, InstanceId=other["instance"])
    analysis = analyse(other["ec2"], Source=other["instance"], **towards(owner["eip"], 22))
    assert_hides(json.dumps(analysis, default=str), owner)
    assert OWNER not in json.dumps(analysis, default=str)
    assert analysis["NetworkPathFound"] is True, analysis
    # OTHER's own side, with IDs, up to its gateway; nothing of OWNER's network, not even a suggested account.
    assert component_ids(analysis)[:2] == [other["instance"], other["eni"]]
    assert other["igw"] in component_ids(analysis)
    assert analysis.get("SuggestedAccounts", []) == []

    # Positive control: OWNER analysing a path into its own instance from its gateway sees its components.
    own = analyse(owner["ec2"], Source=owner["igw"], Destination=owner["instance"], DestinationPort=22)
    assert own["NetworkPathFound"] is True, own
    assert {owner["igw"], owner["acl"], owner["sg"], owner["eni"], owner["instance"]} <= set(component_ids(own))


def test_network_insights_over_cross_account_peering_suggests_the_peer_account(server, owner, other, peered):
    analysis = analyse(other["ec2"], Source=other["instance"], **towards(owner["ip"], 5432))
    text = json.dumps(analysis, default=str)
    assert_hides(text, {key: value for key, value in owner.items() if key not in ("vpc", "ip")})
    assert analysis["NetworkPathFound"] is False, analysis
    ids = component_ids(analysis)
    assert ids[:2] == [other["instance"], other["eni"]] and peered in ids, ids
    # Reachability Analyzer's word for accounts whose resources the path crosses but the caller cannot describe.
    assert analysis["SuggestedAccounts"] == [OWNER], analysis
    # OWNER's blocking group is not named; the analysis says no path was found.
    assert [e["ExplanationCode"] for e in analysis["Explanations"]] == ["NO_PATH"], analysis["Explanations"]

    # Positive control: once OWNER allows the port, OTHER's analysis finds the path.
    allow(owner["ec2"], owner, "tcp", 5432, other["cidr"])
    found = analyse(other["ec2"], Source=other["instance"], **towards(owner["ip"], 5432))
    assert found["NetworkPathFound"] is True, found
    assert found["SuggestedAccounts"] == [OWNER]
    # And OWNER, analysing its own end of the same peering, sees its own group by ID.
    own = analyse(owner["ec2"], Source=owner["instance"], **towards(other["ip"], 5432))
    assert owner["sg"] in component_ids(own) and owner["eni"] in component_ids(own), own


def test_login_answers_for_the_callers_own_instances_only(server, client_factory):
    """`/v1/login` (`localvpc ssh -i`): another account's instance is not found; its owner gets the verdict."""
    owner = client_factory(key=OWNER)
    pair = owner.create_key_pair(KeyName="deployer", KeyType="ed25519")
    public = owner.describe_key_pairs(KeyNames=["deployer"], IncludePublicKey=True)["KeyPairs"][0]["PublicKey"]
    vpc = owner.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    subnet = owner.create_subnet(VpcId=vpc, CidrBlock="10.5.1.0/24")["Subnet"]["SubnetId"]
    instance = owner.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet, KeyName="deployer")[
        "Instances"][0]["InstanceId"]
    assert pair["KeyName"] == "deployer"
    # Positive control: the owner learns that its key pair's key logs in, and that another does not.
    assert ok(api(server.endpoint, "login", {"instance": instance, "public_key": public}, OWNER)) == {
        "accepted": True}
    other_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEwsSB9HbTeKCdkSlMZeTq9jZggaPJUwAsUi/7wakB+B"
    refused = ok(api(server.endpoint, "login", {"instance": instance, "public_key": other_key}, OWNER))
    assert refused["accepted"] is False and "deployer" in refused["reason"]
    # Another account asks about the same instance with the right key: not found, and nothing of the pair leaks.
    hidden = api(server.endpoint, "login", {"instance": instance, "public_key": public}, OTHER)
    assert hidden.status_code == 400, hidden.text
    assert hidden.json()["error"]["code"] == "InvalidInstanceID.NotFound" and "deployer" not in hidden.text
