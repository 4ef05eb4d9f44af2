"""Network Insights (Reachability Analyzer): paths, analyses and their explanations, computed by the packet engine.

The seed tutorial in ap-northeast-2 — VPC A 10.6.0.0/16 and VPC B 10.7.0.0/16, a subnet and an instance in each, an
internet gateway on A and an Elastic IP on A's instance — analysed before and after peering; every explanation code
localvpc emits; FilterInArns/FilterOutArns; internet gateways as the source ("from the internet") and as the
destination ("can this instance reach the internet"); and a random topology on which every analysis must agree with
`localvpc exec SRC -- nc -z` for the same source, destination and port.
"""
from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import pytest

from helpers import DEFAULT_ACCOUNT, assert_id, cli_error, ec2_error, tag_spec, tags_of

REGION = "ap-northeast-2"
AMI = "ami-0123456789abcdef0"
REPO_ROOT = Path(__file__).resolve().parents[2]
UNKNOWN_PATH = "nip-0123456789abcdef0"
UNKNOWN_ANALYSIS = "nia-0123456789abcdef0"


def arn(resource_type: str, resource_id: str) -> str:
    return f"arn:aws:ec2:{REGION}:{DEFAULT_ACCOUNT}:{resource_type}/{resource_id}"


class World:
    """The tutorial's resources, built with boto3 in ap-northeast-2."""

    def __init__(self, ec2):
        self.ec2 = ec2

    def network(self, cidr: str, subnet_cidr: str, name: str, igw: bool = False, listen: str | None = None) -> dict:
        ec2 = self.ec2
        vpc = ec2.create_vpc(CidrBlock=cidr, TagSpecifications=tag_spec("vpc", Name=name))["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=subnet_cidr)["Subnet"]["SubnetId"]
        side = {"vpc": vpc, "cidr": cidr, "subnet": subnet}
        side["rtb"] = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"][0][
            "RouteTableId"]
        side["sg"] = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                          {"Name": "group-name", "Values": ["default"]}])[
            "SecurityGroups"][0]["GroupId"]
        side["acl"] = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"][0][
            "NetworkAclId"]
        if igw:
            side["igw"] = self.gateway(vpc)
        side.update(self.instance(subnet, listen))
        return side

    def gateway(self, vpc: str | None = None) -> str:
        igw = self.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        if vpc:
            self.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        return igw

    def instance(self, subnet: str, listen: str | None = None) -> dict:
        kwargs = {}
        if listen:
            kwargs["TagSpecifications"] = tag_spec("instance", **{"localvpc:listen": listen})
        instance = self.ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                          SubnetId=subnet, **kwargs)["Instances"][0]
        return {"instance": instance["InstanceId"], "ip": instance["PrivateIpAddress"],
                "eni": instance["NetworkInterfaces"][0]["NetworkInterfaceId"]}

    def eip(self, side: dict) -> str:
        allocation = self.ec2.allocate_address(Domain="vpc")
        self.ec2.associate_address(AllocationId=allocation["AllocationId"], InstanceId=side["instance"])
        side["eip"] = allocation["PublicIp"]
        return side["eip"]

    def peer(self, requester: dict, accepter: dict, accept: bool = True) -> str:
        pcx = self.ec2.create_vpc_peering_connection(VpcId=requester["vpc"], PeerVpcId=accepter["vpc"])[
            "VpcPeeringConnection"]["VpcPeeringConnectionId"]
        if accept:
            self.ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
        return pcx

    def route(self, side: dict, destination: str, **target) -> None:
        self.ec2.create_route(RouteTableId=side["rtb"], DestinationCidrBlock=destination, **target)

    def allow(self, side: dict, protocol: str, port: int, cidr: str) -> None:
        self.ec2.authorize_security_group_ingress(GroupId=side["sg"], IpPermissions=[
            {"IpProtocol": protocol, "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}])

    def analyse(self, source: str, destination: str | None = None, port: int | None = 22, protocol: str = "tcp",
                start: dict | None = None, **path) -> dict:
        """Creates a path, starts one analysis and returns the analysis as Describe shows it."""
        if destination:
            path["Destination"] = destination
        if port is not None:
            path["DestinationPort"] = port
        created = self.ec2.create_network_insights_path(Source=source, Protocol=protocol, **path)
        path_id = created["NetworkInsightsPath"]["NetworkInsightsPathId"]
        started = self.ec2.start_network_insights_analysis(NetworkInsightsPathId=path_id, **(start or {}))
        analysis_id = started["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]
        return self.ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[analysis_id])[
            "NetworkInsightsAnalyses"][0]


@pytest.fixture
def ec2(client_factory):
    return client_factory(region=REGION)


@pytest.fixture
def world(ec2):
    return World(ec2)


@pytest.fixture
def tutorial(world):
    """A with an internet gateway and an Elastic IP on its instance; B listening on 22 and 80."""
    a = world.network("10.6.0.0/16", "10.6.1.0/24", "peeringVPC-A", igw=True)
    b = world.network("10.7.0.0/16", "10.7.1.0/24", "peeringVPC-B", listen="22,80")
    world.eip(a)
    return world, a, b


def codes(analysis: dict) -> list[str]:
    return [explanation["ExplanationCode"] for explanation in analysis.get("Explanations", [])]


def explanation(analysis: dict, code: str) -> dict:
    found = [e for e in analysis.get("Explanations", []) if e["ExplanationCode"] == code]
    assert found, f"no {code} in {codes(analysis)}"
    return found[0]


def component_ids(components: list[dict]) -> list[str]:
    return [component["Component"]["Id"] for component in components]


def assert_not_found(analysis: dict, *expected: str) -> None:
    assert analysis["Status"] == "succeeded"
    assert analysis["NetworkPathFound"] is False, analysis
    for code in expected:
        assert code in codes(analysis), f"{code} not in {codes(analysis)}"


def assert_found(analysis: dict) -> None:
    assert analysis["Status"] == "succeeded"
    assert analysis["NetworkPathFound"] is True, codes(analysis)
    assert analysis["Explanations"] == []


# ---------------------------------------------------------------------------------------------------------------
# The seed tutorial, before and after peering (aws CLI and boto3)
# ---------------------------------------------------------------------------------------------------------------
def test_seed_tutorial_before_and_after_peering(tutorial, aws):
    world, a, b = tutorial
    created = aws("ec2", "create-network-insights-path", "--source", a["instance"], "--destination", b["instance"],
                  "--protocol", "tcp", "--destination-port", "22",
                  "--tag-specifications", "ResourceType=network-insights-path,Tags=[{Key=Name,Value=ssh-a-to-b}]",
                  region=REGION).ok()["NetworkInsightsPath"]
    path_id = created["NetworkInsightsPathId"]
    assert_id(path_id, "nip")
    assert created["NetworkInsightsPathArn"] == arn("network-insights-path", path_id)
    assert created["Source"] == a["instance"] and created["SourceArn"] == arn("instance", a["instance"])
    assert created["Destination"] == b["instance"] and created["DestinationArn"] == arn("instance", b["instance"])
    assert (created["Protocol"], created["DestinationPort"]) == ("tcp", 22)
    assert tags_of(created) == {"Name": "ssh-a-to-b"}

    started = aws("ec2", "start-network-insights-analysis", "--network-insights-path-id", path_id,
                  region=REGION).ok()["NetworkInsightsAnalysis"]
    assert_id(started["NetworkInsightsAnalysisId"], "nia")
    assert started["Status"] == "running" and started["NetworkInsightsPathId"] == path_id
    before = aws("ec2", "describe-network-insights-analyses", "--network-insights-analysis-ids",
                 started["NetworkInsightsAnalysisId"], region=REGION).ok()["NetworkInsightsAnalyses"][0]
    assert_not_found(before, "NO_ROUTE_TO_DESTINATION")
    no_route = explanation(before, "NO_ROUTE_TO_DESTINATION")
    assert no_route["Component"]["Id"] == a["rtb"] and no_route["RouteTable"]["Id"] == a["rtb"]
    assert no_route["Vpc"]["Id"] == a["vpc"] and no_route["Vpc"]["Name"] == "peeringVPC-A"
    # The request went as far as A's route table.
    assert component_ids(before["ForwardPathComponents"])[:2] == [a["instance"], a["eni"]]
    assert before["ReturnPathComponents"] == []

    # Peering, routes both ways, and B's group lets SSH in from A.
    pcx = world.peer(a, b)
    world.route(a, b["cidr"], VpcPeeringConnectionId=pcx)
    world.route(b, a["cidr"], VpcPeeringConnectionId=pcx)
    world.allow(b, "tcp", 22, a["cidr"])
    started = world.ec2.start_network_insights_analysis(NetworkInsightsPathId=path_id)["NetworkInsightsAnalysis"]
    after = world.ec2.describe_network_insights_analyses(NetworkInsightsPathId=path_id, Filters=[
        {"Name": "path-found", "Values": ["true"]}])["NetworkInsightsAnalyses"]
    assert [analysis["NetworkInsightsAnalysisId"] for analysis in after] == [started["NetworkInsightsAnalysisId"]]
    after = after[0]
    assert_found(after)
    forward, back = after["ForwardPathComponents"], after["ReturnPathComponents"]
    assert component_ids(forward) == [a["instance"], a["eni"], a["sg"], a["acl"], a["rtb"], pcx, b["acl"], b["sg"],
                                      b["eni"], b["instance"]]
    assert [c["SequenceNumber"] for c in forward] == list(range(1, len(forward) + 1))
    assert pcx in component_ids(back) and component_ids(back)[0] == b["instance"]
    assert component_ids(back)[-1] == a["instance"]
    by_id = {c["Component"]["Id"]: c for c in forward}
    assert by_id[a["rtb"]]["RouteTableRoute"] == {"DestinationCidr": b["cidr"], "VpcPeeringConnectionId": pcx,
                                                  "Origin": "CreateRoute", "State": "active"}
    assert by_id[b["sg"]]["SecurityGroupRule"] == {"Cidr": a["cidr"], "Direction": "ingress",
                                                   "SecurityGroupId": b["sg"], "PortRange": {"From": 22, "To": 22},
                                                   "Protocol": "tcp"}
    assert by_id[b["acl"]]["AclRule"] == {"Cidr": "0.0.0.0/0", "Egress": False, "Protocol": "all",
                                          "RuleAction": "allow", "RuleNumber": 100}
    assert by_id[pcx]["SourceVpc"]["Id"] == a["vpc"] and by_id[pcx]["DestinationVpc"]["Id"] == b["vpc"]
    assert by_id[a["eni"]]["AttachedTo"]["Id"] == a["instance"] and by_id[a["eni"]]["Subnet"]["Id"] == a["subnet"]
    header = by_id[b["instance"]]["InboundHeader"]
    assert header["DestinationAddresses"] == [f"{b['ip']}/32"] and header["SourceAddresses"] == [f"{a['ip']}/32"]
    assert header["DestinationPortRanges"] == [{"From": 22, "To": 22}] and header["Protocol"] == "6"

    # The CLI sees the same answer, and the path is listed with its analyses.
    listed = aws("ec2", "describe-network-insights-analyses", "--network-insights-path-id", path_id,
                 region=REGION).ok()["NetworkInsightsAnalyses"]
    assert [analysis["NetworkPathFound"] for analysis in listed] in ([False, True], [True, False])
    paths = aws("ec2", "describe-network-insights-paths", "--filters", f"Name=source,Values={a['instance']}",
                region=REGION).ok()["NetworkInsightsPaths"]
    assert [p["NetworkInsightsPathId"] for p in paths] == [path_id]


def test_every_blocking_setting_is_explained(tutorial):
    world, a, b = tutorial
    pcx = world.peer(a, b)
    world.route(b, a["cidr"], VpcPeeringConnectionId=pcx)  # A's route and B's SSH rule are missing
    analysis = world.analyse(a["instance"], b["instance"])
    assert_not_found(analysis, "NO_ROUTE_TO_DESTINATION", "ENI_SG_RULES_MISMATCH")
    groups = explanation(analysis, "ENI_SG_RULES_MISMATCH")
    assert groups["Direction"] == "ingress" and groups["NetworkInterface"]["Id"] == b["eni"]
    assert [g["Id"] for g in groups["SecurityGroups"]] == [b["sg"]] and groups["Component"]["Id"] == b["sg"]
    assert groups["Subnet"]["Id"] == b["subnet"] and groups["Vpc"]["Id"] == b["vpc"]


# ---------------------------------------------------------------------------------------------------------------
# Each explanation code
# ---------------------------------------------------------------------------------------------------------------
def test_eni_sg_rules_mismatch_outbound(tutorial):
    world, a, b = tutorial
    pcx = world.peer(a, b)
    world.route(a, b["cidr"], VpcPeeringConnectionId=pcx)
    world.route(b, a["cidr"], VpcPeeringConnectionId=pcx)
    world.allow(b, "tcp", 22, a["cidr"])
    world.ec2.revoke_security_group_egress(GroupId=a["sg"], IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    analysis = world.analyse(a["instance"], b["instance"])
    assert codes(analysis) == ["ENI_SG_RULES_MISMATCH"]
    assert explanation(analysis, "ENI_SG_RULES_MISMATCH")["Direction"] == "egress"


def test_subnet_acl_restriction_names_the_rule(tutorial):
    world, a, b = tutorial
    pcx = world.peer(a, b)
    world.route(a, b["cidr"], VpcPeeringConnectionId=pcx)
    world.route(b, a["cidr"], VpcPeeringConnectionId=pcx)
    world.allow(b, "tcp", 22, a["cidr"])
    world.ec2.create_network_acl_entry(NetworkAclId=b["acl"], RuleNumber=50, Protocol="6", RuleAction="deny",
                                       Egress=False, CidrBlock=a["cidr"], PortRange={"From": 22, "To": 22})
    analysis = world.analyse(a["instance"], b["instance"])
    assert codes(analysis) == ["SUBNET_ACL_RESTRICTION"]
    acl = explanation(analysis, "SUBNET_ACL_RESTRICTION")
    assert acl["Component"]["Id"] == b["acl"] and acl["Acl"]["Id"] == b["acl"] and acl["Direction"] == "ingress"
    assert acl["AclRule"] == {"Cidr": a["cidr"], "Egress": False, "PortRange": {"From": 22, "To": 22},
                              "Protocol": "6", "RuleAction": "deny", "RuleNumber": 50}
    assert acl["Subnet"]["Id"] == b["subnet"]


def test_a_peering_connection_that_is_not_active(tutorial):
    world, a, b = tutorial
    pcx = world.peer(a, b, accept=False)
    world.route(a, b["cidr"], VpcPeeringConnectionId=pcx)
    analysis = world.analyse(a["instance"], b["instance"])
    assert_not_found(analysis, "BAD_STATE_ROUTE", "BAD_STATE")
    route = explanation(analysis, "BAD_STATE_ROUTE")
    assert route["Component"]["Id"] == a["rtb"] and route["VpcPeeringConnection"]["Id"] == pcx
    assert route["RouteTableRoute"]["State"] == "blackhole"
    state = explanation(analysis, "BAD_STATE")
    assert (state["Component"]["Id"], state["State"]) == (pcx, "pending-acceptance")


def test_a_stopped_destination_is_in_bad_state(tutorial):
    world, a, b = tutorial
    pcx = world.peer(a, b)
    world.route(a, b["cidr"], VpcPeeringConnectionId=pcx)
    world.route(b, a["cidr"], VpcPeeringConnectionId=pcx)
    world.allow(b, "tcp", 22, a["cidr"])
    world.ec2.stop_instances(InstanceIds=[b["instance"]])
    analysis = world.analyse(a["instance"], b["instance"])
    state = explanation(analysis, "BAD_STATE")
    assert (state["Component"]["Id"], state["State"]) == (b["instance"], "stopped")


def test_peering_is_neither_transitive_nor_edge_to_edge(tutorial):
    world, a, b = tutorial
    c = world.network("10.8.0.0/16", "10.8.1.0/24", "peeringVPC-C")
    pcx_ab, pcx_bc = world.peer(a, b), world.peer(b, c)
    world.route(c, "10.6.0.0/16", VpcPeeringConnectionId=pcx_bc)  # C → A through B: not transitive
    transitive = world.analyse(c["instance"], a["instance"])
    hop = explanation(transitive, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR")
    assert hop["Component"]["Id"] == pcx_bc and hop["DestinationVpc"]["Id"] == b["vpc"]
    assert hop["Cidrs"] == [b["cidr"]] and hop["Address"] == a["ip"]
    # B's way to the internet is A's gateway: no edge-to-edge routing through a peering connection.
    world.route(b, "0.0.0.0/0", VpcPeeringConnectionId=pcx_ab)
    edge = world.analyse(b["instance"], port=None, FilterAtSource={
        "DestinationAddress": "8.8.8.8", "DestinationPortRange": {"FromPort": 443, "ToPort": 443}})
    assert explanation(edge, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR")["Component"]["Id"] == pcx_ab


def test_an_instance_without_a_public_address_cannot_use_the_gateway(world):
    side = world.network("10.6.0.0/16", "10.6.1.0/24", "private", igw=True)
    world.route(side, "0.0.0.0/0", GatewayId=side["igw"])
    out = world.analyse(side["instance"], side["igw"], port=443)
    egress = explanation(out, "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS")
    assert egress["Component"]["Id"] == side["igw"] and egress["NetworkInterface"]["Id"] == side["eni"]
    inbound = world.analyse(side["igw"], side["instance"])
    ingress = explanation(inbound, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS")
    assert ingress["InternetGateway"]["Id"] == side["igw"] and ingress["NetworkInterface"]["Id"] == side["eni"]


def test_a_public_address_in_a_vpc_without_a_gateway(tutorial):
    world, a, _ = tutorial
    world.route(a, "0.0.0.0/0", GatewayId=a["igw"])
    c = world.network("10.8.0.0/16", "10.8.1.0/24", "no-gateway")
    world.ec2.modify_subnet_attribute(SubnetId=c["subnet"], MapPublicIpOnLaunch={"Value": True})
    public = world.ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=c["subnet"])["Instances"][0]
    address = world.ec2.describe_instances(InstanceIds=[public["InstanceId"]])["Reservations"][0]["Instances"][0][
        "PublicIpAddress"]
    analysis = world.analyse(a["instance"], port=None, FilterAtSource={
        "DestinationAddress": address, "DestinationPortRange": {"FromPort": 22, "ToPort": 22}})
    assert codes(analysis) == ["IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS"]
    hit = explanation(analysis, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS")
    assert hit["Component"]["Id"] == c["vpc"] and hit["Address"] == address


def test_gateways_that_are_missing_or_elsewhere(tutorial):
    world, a, b = tutorial
    detached = world.gateway()
    assert codes(world.analyse(a["instance"], detached, port=443)) == ["UNASSOCIATED_COMPONENT"]
    b["igw"] = world.gateway(b["vpc"])
    elsewhere = world.analyse(a["instance"], b["igw"], port=443)
    assert codes(elsewhere) == ["DISCONNECTED_VPCS"]
    assert explanation(elsewhere, "DISCONNECTED_VPCS")["Component"]["Id"] == b["igw"]
    # A gateway deleted after the path was made: the end no longer exists.
    path = world.ec2.create_network_insights_path(Source=a["instance"], Destination=detached, Protocol="tcp")
    world.ec2.delete_internet_gateway(InternetGatewayId=detached)
    started = world.ec2.start_network_insights_analysis(
        NetworkInsightsPathId=path["NetworkInsightsPath"]["NetworkInsightsPathId"])["NetworkInsightsAnalysis"]
    gone = world.ec2.describe_network_insights_analyses(
        NetworkInsightsAnalysisIds=[started["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"][0]
    assert codes(gone) == ["NO_SOURCE_OR_DESTINATION"]
    # A terminated instance is described but has no interface any more.
    world.ec2.terminate_instances(InstanceIds=[b["instance"]])
    assert codes(world.analyse(a["instance"], b["instance"])) == ["UNASSOCIATED_COMPONENT"]


@pytest.mark.parametrize("address, code", [
    ("192.168.1.1", "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS"),
    ("100.64.0.5", "IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS"),
])
def test_gateways_do_not_carry_private_destinations(tutorial, address, code):
    world, a, _ = tutorial
    world.route(a, "0.0.0.0/0", GatewayId=a["igw"])
    analysis = world.analyse(a["instance"], port=None, FilterAtSource={"DestinationAddress": address})
    hit = explanation(analysis, code)
    assert hit["Component"]["Id"] == a["igw"] and hit["Address"] == address


def test_addresses_the_ends_do_not_hold(tutorial):
    world, a, b = tutorial
    spoofed = world.analyse(a["instance"], b["instance"], SourceIp="10.6.1.99")
    assert codes(spoofed) == ["ENI_ADDRESS_RESTRICTION"]
    assert explanation(spoofed, "ENI_ADDRESS_RESTRICTION")["NetworkInterface"]["Id"] == a["eni"]
    nobody = world.analyse(a["instance"], port=None, FilterAtSource={
        "DestinationAddress": "10.6.1.200", "DestinationPortRange": {"FromPort": 22, "ToPort": 22}})
    assert codes(nobody) == ["NO_POSSIBLE_DESTINATION"]
    assert explanation(nobody, "NO_POSSIBLE_DESTINATION")["Address"] == "10.6.1.200"
    assert codes(world.analyse(a["igw"], b["instance"])) == ["DISCONNECTED_VPCS"]
    assert codes(world.analyse(a["igw"], a["instance"], SourceIp="10.1.2.3")) == ["IGW_EXPECTS_PUBLIC_ADDRESS"]
    assert codes(world.analyse(a["igw"], a["igw"])) == ["NO_PATH"]


def test_routes_through_an_instance_are_not_followed(tutorial):
    world, a, _ = tutorial
    appliance = world.instance(a["subnet"])
    world.route(a, "10.9.0.0/16", InstanceId=appliance["instance"])
    analysis = world.analyse(a["instance"], port=None, FilterAtSource={"DestinationAddress": "10.9.0.5"})
    assert codes(analysis) == ["CANNOT_ROUTE"]
    assert explanation(analysis, "CANNOT_ROUTE")["Component"]["Id"] == appliance["instance"]


def test_filters_at_the_destination(tutorial):
    world, a, _ = tutorial
    world.route(a, "0.0.0.0/0", GatewayId=a["igw"])
    world.allow(a, "tcp", 22, "0.0.0.0/0")
    # The gateway translates the Elastic IP to the private address: that is what arrives.
    arrives = world.analyse(a["igw"], a["instance"], port=None, FilterAtDestination={"DestinationAddress": a["ip"]})
    assert_found(arrives)
    public = world.analyse(a["igw"], a["instance"], port=None, FilterAtDestination={"DestinationAddress": a["eip"]})
    assert codes(public) == ["FILTER_AT_DESTINATION_DESTINATION_ADDRESS"]
    other = world.analyse(a["igw"], a["instance"], SourceIp="203.0.113.5",
                          FilterAtDestination={"SourceAddress": "203.0.113.6"})
    assert codes(other) == ["FILTER_AT_DESTINATION_SOURCE_ADDRESS"]
    exclusive = world.analyse(a["igw"], a["instance"], port=None, FilterAtSource={
        "DestinationPortRange": {"FromPort": 22, "ToPort": 22}}, FilterAtDestination={
        "DestinationPortRange": {"FromPort": 80, "ToPort": 80}})
    assert codes(exclusive) == ["FILTER_AT_DESTINATION_DESTINATION_PORT_RANGE"]


# ---------------------------------------------------------------------------------------------------------------
# FilterInArns / FilterOutArns
# ---------------------------------------------------------------------------------------------------------------
def test_filter_out_the_only_peering_connection_finds_no_path(tutorial, aws):
    world, a, b = tutorial
    pcx = world.peer(a, b)
    world.route(a, b["cidr"], VpcPeeringConnectionId=pcx)
    world.route(b, a["cidr"], VpcPeeringConnectionId=pcx)
    world.allow(b, "tcp", 22, a["cidr"])
    assert_found(world.analyse(a["instance"], b["instance"]))
    pcx_arn = arn("vpc-peering-connection", pcx)
    excluded = world.analyse(a["instance"], b["instance"], start={"FilterOutArns": [pcx_arn]})
    assert_not_found(excluded, "COMPONENT_FILTER_RESTRICTION")
    assert excluded["FilterOutArns"] == [pcx_arn]
    assert explanation(excluded, "COMPONENT_FILTER_RESTRICTION")["Component"] == {"Id": pcx, "Arn": pcx_arn}
    # Requiring the peering connection (or A's VPC) keeps the path; requiring A's gateway does not.
    path_id = excluded["NetworkInsightsPathId"]
    required = aws("ec2", "start-network-insights-analysis", "--network-insights-path-id", path_id,
                   "--filter-in-arns", pcx_arn, arn("vpc", a["vpc"]), region=REGION).ok()["NetworkInsightsAnalysis"]
    described = world.ec2.describe_network_insights_analyses(
        NetworkInsightsAnalysisIds=[required["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"][0]
    assert_found(described)
    assert described["FilterInArns"] == [pcx_arn, arn("vpc", a["vpc"])]
    gateway = world.ec2.start_network_insights_analysis(NetworkInsightsPathId=path_id, FilterInArns=[
        arn("internet-gateway", a["igw"])])["NetworkInsightsAnalysis"]
    gateway = world.ec2.describe_network_insights_analyses(
        NetworkInsightsAnalysisIds=[gateway["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"][0]
    assert codes(gateway) == ["COMPONENT_FILTER_RESTRICTION"]
    both = world.ec2.start_network_insights_analysis(NetworkInsightsPathId=path_id, FilterInArns=[pcx_arn],
                                                     FilterOutArns=[pcx_arn])["NetworkInsightsAnalysis"]
    both = world.ec2.describe_network_insights_analyses(
        NetworkInsightsAnalysisIds=[both["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"][0]
    assert "COMPONENT_FILTER_RESTRICTION_REMOVED_COMPONENT" in codes(both)
    with ec2_error("InvalidParameterValue"):
        world.ec2.start_network_insights_analysis(NetworkInsightsPathId=path_id, FilterOutArns=[pcx])


# ---------------------------------------------------------------------------------------------------------------
# Internet gateways as the ends
# ---------------------------------------------------------------------------------------------------------------
def test_can_this_instance_reach_the_internet(tutorial, aws):
    world, a, _ = tutorial
    path = aws("ec2", "create-network-insights-path", "--source", a["instance"], "--destination", a["igw"],
               "--protocol", "tcp", "--destination-port", "443", region=REGION).ok()["NetworkInsightsPath"]
    assert path["DestinationArn"] == arn("internet-gateway", a["igw"])

    def analyse() -> dict:
        started = aws("ec2", "start-network-insights-analysis", "--network-insights-path-id",
                      path["NetworkInsightsPathId"], region=REGION).ok()["NetworkInsightsAnalysis"]
        return aws("ec2", "describe-network-insights-analyses", "--network-insights-analysis-ids",
                   started["NetworkInsightsAnalysisId"], region=REGION).ok()["NetworkInsightsAnalyses"][0]

    before = analyse()
    assert_not_found(before, "NO_ROUTE_TO_DESTINATION")
    world.route(a, "0.0.0.0/0", GatewayId=a["igw"])
    after = analyse()
    assert_found(after)
    forward, back = after["ForwardPathComponents"], after["ReturnPathComponents"]
    assert component_ids(forward) == [a["instance"], a["eni"], a["sg"], a["acl"], a["rtb"], a["igw"]]
    gateway = forward[-1]
    assert gateway["InboundHeader"]["SourceAddresses"] == [f"{a['ip']}/32"]
    assert gateway["OutboundHeader"]["SourceAddresses"] == [f"{a['eip']}/32"]  # the gateway's NAT
    assert gateway["OutboundHeader"]["DestinationAddresses"] == ["8.8.8.8/32"]
    assert forward[4]["RouteTableRoute"] == {"DestinationCidr": "0.0.0.0/0", "GatewayId": a["igw"],
                                             "Origin": "CreateRoute", "State": "active"}
    assert component_ids(back)[0] == a["igw"] and component_ids(back)[-1] == a["instance"]
    assert back[0]["OutboundHeader"]["DestinationAddresses"] == [f"{a['ip']}/32"]


def test_from_the_internet_through_the_gateway(tutorial):
    world, a, _ = tutorial
    world.route(a, "0.0.0.0/0", GatewayId=a["igw"])
    assert_not_found(world.analyse(a["igw"], a["instance"]), "ENI_SG_RULES_MISMATCH")
    world.allow(a, "tcp", 22, "203.0.113.0/24")  # only one office may SSH in
    analysis = world.analyse(a["igw"], a["instance"])
    assert_found(analysis)
    forward = analysis["ForwardPathComponents"]
    assert component_ids(forward) == [a["igw"], a["acl"], a["sg"], a["eni"], a["instance"]]
    assert forward[0]["InboundHeader"]["DestinationAddresses"] == [f"{a['eip']}/32"]
    assert forward[0]["OutboundHeader"]["DestinationAddresses"] == [f"{a['ip']}/32"]
    assert forward[0]["InboundHeader"]["SourceAddresses"] == ["203.0.113.0/32"]
    assert_not_found(world.analyse(a["igw"], a["instance"], SourceIp="198.51.100.7"), "ENI_SG_RULES_MISMATCH")
    # Without a port the analysis finds the open one.
    open_port = world.analyse(a["igw"], a["instance"], port=None)
    assert_found(open_port)
    assert open_port["ForwardPathComponents"][0]["InboundHeader"]["DestinationPortRanges"] == [{"From": 22, "To": 22}]


def test_udp_paths_return_in_udp(tutorial):
    world, a, b = tutorial
    pcx = world.peer(a, b)
    world.route(a, b["cidr"], VpcPeeringConnectionId=pcx)
    world.route(b, a["cidr"], VpcPeeringConnectionId=pcx)
    world.allow(b, "udp", 53, a["cidr"])
    analysis = world.analyse(a["instance"], b["instance"], port=53, protocol="udp")
    assert_found(analysis)
    assert analysis["ReturnPathComponents"][0]["OutboundHeader"]["Protocol"] == "17"


# ---------------------------------------------------------------------------------------------------------------
# Paths and analyses as resources
# ---------------------------------------------------------------------------------------------------------------
def test_paths_and_analyses_lifecycle_and_errors(tutorial, aws):
    world, a, b = tutorial
    ec2 = world.ec2
    with ec2_error("MissingParameter", prefix="The request must include either the Destination parameter"):
        ec2.create_network_insights_path(Source=a["instance"], Protocol="tcp", DestinationIp=b["ip"])
    with ec2_error("InvalidParameterCombination"):
        ec2.create_network_insights_path(Source=a["instance"], Destination=b["instance"], Protocol="tcp",
                                         DestinationPort=22, FilterAtSource={"SourceAddress": a["ip"]})
    with ec2_error("InvalidInstanceID.NotFound"):
        ec2.create_network_insights_path(Source="i-0123456789abcdef0", Destination=b["instance"], Protocol="tcp")
    with ec2_error("InvalidParameterValue"):
        ec2.create_network_insights_path(Source=a["subnet"], Destination=b["instance"], Protocol="tcp")
    with ec2_error("DryRunOperation", status=412):
        ec2.create_network_insights_path(Source=a["instance"], Destination=b["instance"], Protocol="tcp",
                                         DryRun=True)
    assert ec2.describe_network_insights_paths()["NetworkInsightsPaths"] == []

    path = ec2.create_network_insights_path(
        Source=arn("network-interface", a["eni"]), Destination=b["instance"], Protocol="udp",
        TagSpecifications=tag_spec("network-insights-path", team="net"),
        FilterAtDestination={"SourceAddress": a["ip"], "DestinationPortRange": {"FromPort": 53, "ToPort": 54}},
    )["NetworkInsightsPath"]
    path_id = path["NetworkInsightsPathId"]
    assert path["Source"] == a["eni"] and path["SourceArn"] == arn("network-interface", a["eni"])
    assert path["FilterAtDestination"] == {"SourceAddress": a["ip"],
                                           "DestinationPortRange": {"FromPort": 53, "ToPort": 54}}
    assert "DestinationPort" not in path
    filtered = ec2.describe_network_insights_paths(Filters=[
        {"Name": "protocol", "Values": ["udp"]}, {"Name": "tag:team", "Values": ["net"]},
        {"Name": "filter-at-destination.source-address", "Values": [a["ip"]]}])["NetworkInsightsPaths"]
    assert [p["NetworkInsightsPathId"] for p in filtered] == [path_id]
    assert ec2.describe_network_insights_paths(Filters=[{"Name": "protocol", "Values": ["tcp"]}])[
        "NetworkInsightsPaths"] == []
    with ec2_error("InvalidParameterValue"):
        ec2.describe_network_insights_paths(Filters=[{"Name": "vpc-id", "Values": [a["vpc"]]}])
    with ec2_error("InvalidNetworkInsightsPathId.NotFound"):
        ec2.describe_network_insights_paths(NetworkInsightsPathIds=[UNKNOWN_PATH])
    with ec2_error("InvalidNetworkInsightsPathId.Malformed"):
        ec2.describe_network_insights_paths(NetworkInsightsPathIds=["nip-1"])

    started = ec2.start_network_insights_analysis(
        NetworkInsightsPathId=path_id, TagSpecifications=tag_spec("network-insights-analysis", run="1"))[
        "NetworkInsightsAnalysis"]
    analysis_id = started["NetworkInsightsAnalysisId"]
    assert tags_of(started) == {"run": "1"}
    ec2.create_tags(Resources=[path_id, analysis_id], Tags=[{"Key": "Name", "Value": "dns"}])
    tagged = ec2.describe_tags(Filters=[{"Name": "key", "Values": ["Name"]},
                                        {"Name": "resource-id", "Values": [path_id, analysis_id]}])["Tags"]
    assert {(t["ResourceId"], t["ResourceType"]) for t in tagged} == {
        (path_id, "network-insights-path"), (analysis_id, "network-insights-analysis")}
    assert ec2.describe_network_insights_analyses(Filters=[{"Name": "status", "Values": ["succeeded"]}])[
        "NetworkInsightsAnalyses"][0]["NetworkInsightsAnalysisId"] == analysis_id
    window = ec2.describe_network_insights_analyses(NetworkInsightsPathId=path_id,
                                                    AnalysisStartTime="2000-01-01T00:00:00Z")
    assert len(window["NetworkInsightsAnalyses"]) == 1
    assert ec2.describe_network_insights_analyses(AnalysisEndTime="2000-01-01T00:00:00Z")[
        "NetworkInsightsAnalyses"] == []
    with ec2_error("InvalidNetworkInsightsAnalysisId.NotFound"):
        ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[UNKNOWN_ANALYSIS])
    with ec2_error("InvalidNetworkInsightsPathId.NotFound"):
        ec2.start_network_insights_analysis(NetworkInsightsPathId=UNKNOWN_PATH)

    refused = aws("ec2", "delete-network-insights-path", "--network-insights-path-id", path_id, region=REGION)
    cli_error(refused, "AnalysisExistsForNetworkInsightsPath",
              f"At least one analysis [{analysis_id}] exists for path {path_id}. "
              "Delete all the analyses before deleting this network path.")
    deleted = aws("ec2", "delete-network-insights-analysis", "--network-insights-analysis-id", analysis_id,
                  region=REGION).ok()
    assert deleted["NetworkInsightsAnalysisId"] == analysis_id
    assert ec2.delete_network_insights_path(NetworkInsightsPathId=path_id)["NetworkInsightsPathId"] == path_id
    with ec2_error("InvalidNetworkInsightsPathId.NotFound"):
        ec2.delete_network_insights_path(NetworkInsightsPathId=path_id)
    with ec2_error("InvalidNetworkInsightsAnalysisId.NotFound"):
        ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=analysis_id)


def test_client_tokens_and_paging(tutorial):
    world, a, b = tutorial
    ec2 = world.ec2
    first = ec2.create_network_insights_path(Source=a["instance"], Destination=b["instance"], Protocol="tcp",
                                             ClientToken="once")["NetworkInsightsPath"]
    again = ec2.create_network_insights_path(Source=a["instance"], Destination=b["instance"], Protocol="tcp",
                                             ClientToken="once")["NetworkInsightsPath"]
    assert first["NetworkInsightsPathId"] == again["NetworkInsightsPathId"]
    for port in (22, 80, 443):
        ec2.create_network_insights_path(Source=a["instance"], Destination=b["instance"], Protocol="tcp",
                                         DestinationPort=port)
    page = ec2.describe_network_insights_paths(MaxResults=3)
    rest = ec2.describe_network_insights_paths(MaxResults=3, NextToken=page["NextToken"])
    assert len(page["NetworkInsightsPaths"]) == 3 and len(rest["NetworkInsightsPaths"]) == 1
    assert "NextToken" not in rest


def test_an_analysis_answers_the_same_after_a_restart(sqlite_server, client_factory):
    server = sqlite_server().start()
    world = World(client_factory(region=REGION, endpoint=server.endpoint))
    a = world.network("10.6.0.0/16", "10.6.1.0/24", "peeringVPC-A")
    b = world.network("10.7.0.0/16", "10.7.1.0/24", "peeringVPC-B")
    analysis = world.analyse(a["instance"], b["instance"])
    server.kill()
    server.start()
    again = client_factory(region=REGION, endpoint=server.endpoint).describe_network_insights_analyses(
        NetworkInsightsAnalysisIds=[analysis["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"][0]
    assert again == analysis


# ---------------------------------------------------------------------------------------------------------------
# One engine, two front ends: the analysis agrees with `localvpc exec … nc -z` on a random topology
# ---------------------------------------------------------------------------------------------------------------
def nc(endpoint: str, source: str, destination: str, port: int) -> subprocess.CompletedProcess:
    binary = os.environ.get("LOCALVPC_BIN", str(REPO_ROOT / "target" / "debug" / "localvpc"))
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_REGION", "LOCALVPC_ENDPOINT")}
    env.update({"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": REGION})
    return subprocess.run([binary, "--endpoint", endpoint, "exec", source, "--", "nc", "-z", "-w", "1", destination,
                           str(port)], capture_output=True, text=True, env=env, timeout=60)


def test_analyses_agree_with_nc_on_a_random_topology(world, endpoint):
    """The rule: nc exits 0 only when it connects. A TCP reset ("Connection refused": the packet arrived and the
    answer came back, but nothing listens on the port) is a path found with nc exit 1 — Reachability Analyzer does
    not know which ports have listeners. A timeout is a path not found."""
    rng = random.Random(5)
    ec2 = world.ec2
    sides = [world.network(f"10.{n}.0.0/16", f"10.{n}.1.0/24", f"vpc-{n}", listen="22,80") for n in range(6, 10)]
    for side in sides:
        side["others"] = [world.instance(side["subnet"], listen="443")]
    for i, x in enumerate(sides):
        for y in sides[i + 1:]:
            if rng.random() < 0.7:
                pcx = world.peer(x, y, accept=rng.random() < 0.85)
                if rng.random() < 0.85:
                    world.route(x, y["cidr"], VpcPeeringConnectionId=pcx)
                if rng.random() < 0.85:
                    world.route(y, x["cidr"], VpcPeeringConnectionId=pcx)
    for side in sides:
        for port in rng.sample([22, 80, 443, 8080], 3):
            world.allow(side, "tcp", port, rng.choice(["10.0.0.0/8", "10.0.0.0/8", "10.6.0.0/15", "10.8.0.0/15"]))
        if rng.random() < 0.5:
            ec2.create_network_acl_entry(NetworkAclId=side["acl"], RuleNumber=10, Protocol="6", RuleAction="deny",
                                         Egress=rng.random() < 0.5, CidrBlock=rng.choice([s["cidr"] for s in sides]),
                                         PortRange={"From": 80, "To": 80})
    instances = list(sides) + [other for side in sides for other in side["others"]]
    outcomes = {"connected": 0, "refused": 0, "timed out": 0}
    pairs = [(x, y) for x in instances for y in instances if x is not y]
    for source, destination in rng.sample(pairs, 40):
        port = rng.choice([22, 80, 443, 8080])
        analysis = world.analyse(source["instance"], destination["instance"], port=port)
        probe = nc(endpoint, source["instance"], destination["ip"], port)
        if probe.returncode == 0:
            outcome = "connected"
        elif "refused" in probe.stderr:
            outcome = "refused"
        else:
            assert "timed out" in probe.stderr, probe.stderr
            outcome = "timed out"
        outcomes[outcome] += 1
        assert analysis["NetworkPathFound"] is (outcome != "timed out"), (
            f"{source['instance']} -> {destination['ip']}:{port}: nc {outcome}, analysis {codes(analysis)}")
    # The sample exercises every kind of answer.
    assert all(outcomes.values()), outcomes
