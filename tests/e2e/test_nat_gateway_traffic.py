"""The worked NAT gateway scenario (part 2 §13.2), built with boto3 and observed with the emulated tools and Network
Insights: a private instance reaches the internet through a public NAT gateway and hears back, the internet cannot
start a flow inwards, and each missing piece (route to the gateway, the gateway's own route to the internet gateway,
its subnet's network ACL, a deleted gateway) stops the traffic with the explanation code AWS uses."""
import pytest

from test_exec import AMI, REGION, localvpc  # noqa: F401  (the `localvpc` fixture runs the tools)

INTERNET_HOST = "8.8.8.8"


class Egress:
    """VPC 10.20.0.0/16: a public subnet (0/0 → IGW) with a NAT gateway, a private subnet with an instance whose
    table routes 0/0 to the gateway once `route_to_nat()` ran."""

    def __init__(self, ec2, localvpc):  # noqa: F811
        self.ec2, self.localvpc = ec2, localvpc
        self.vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        self.public = ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.20.0.0/24")["Subnet"]["SubnetId"]
        self.private = ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
        self.igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=self.igw, VpcId=self.vpc)
        self.main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [self.vpc]}])[
            "RouteTables"][0]["RouteTableId"]
        ec2.create_route(RouteTableId=self.main, DestinationCidrBlock="0.0.0.0/0", GatewayId=self.igw)
        self.eip = ec2.allocate_address(Domain="vpc")
        self.nat = ec2.create_nat_gateway(SubnetId=self.public, AllocationId=self.eip["AllocationId"])[
            "NatGateway"]["NatGatewayId"]
        ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[self.nat],
                                                     WaiterConfig={"Delay": 1, "MaxAttempts": 3})
        self.private_rtb = ec2.create_route_table(VpcId=self.vpc)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=self.private_rtb, SubnetId=self.private)
        instance = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                     SubnetId=self.private)["Instances"][0]
        self.instance, self.ip = instance["InstanceId"], instance["PrivateIpAddress"]

    def route_to_nat(self):
        self.ec2.create_route(RouteTableId=self.private_rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=self.nat)

    def ping(self, vantage=None, destination=INTERNET_HOST):
        return self.localvpc("exec", vantage or self.instance, "--", "ping", "-c", "1", destination)

    def analyse(self, **path):
        created = self.ec2.create_network_insights_path(Protocol=path.pop("Protocol", "tcp"), **path)
        path_id = created["NetworkInsightsPath"]["NetworkInsightsPathId"]
        analysis = self.ec2.start_network_insights_analysis(NetworkInsightsPathId=path_id)["NetworkInsightsAnalysis"]
        return self.ec2.describe_network_insights_analyses(
            NetworkInsightsAnalysisIds=[analysis["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"][0]


@pytest.fixture
def egress(client_factory, localvpc):  # noqa: F811
    return Egress(client_factory(region=REGION), localvpc)


def codes(analysis):
    return [e["ExplanationCode"] for e in analysis.get("Explanations", [])]


def test_private_instance_reaches_the_internet_through_the_nat_gateway_and_not_before(egress):
    before = egress.ping()
    assert before.rc == 1 and "100% packet loss" in before.out, before
    why = egress.localvpc("explain", egress.instance, INTERNET_HOST)
    assert why.rc == 1 and "NO_ROUTE_TO_DESTINATION" in why.out, why

    egress.route_to_nat()
    after = egress.ping()
    assert after.rc == 0 and "1 received" in after.out, after
    connected = egress.localvpc("exec", egress.instance, "--", "nc", "-z", "-w", "1", INTERNET_HOST, "443")
    assert connected.rc == 0, connected
    # traceroute shows the NAT gateway's private address as a hop (part 1 §3.7, part 2 §13.2).
    trace = egress.localvpc("exec", egress.instance, "--", "traceroute", "-I", INTERNET_HOST)
    nat_ip = egress.ec2.describe_nat_gateways(NatGatewayIds=[egress.nat])["NatGateways"][0][
        "NatGatewayAddresses"][0]["PrivateIp"]
    assert trace.rc == 0 and INTERNET_HOST in trace.out, trace
    assert nat_ip in trace.out, trace


def test_the_internet_cannot_start_a_flow_to_the_nat_gateways_address(egress):
    egress.route_to_nat()
    assert egress.ping().rc == 0  # positive control: outbound works
    inbound = egress.ping(vantage="internet", destination=egress.eip["PublicIp"])
    assert inbound.rc == 1 and "100% packet loss" in inbound.out, inbound
    why = egress.localvpc("explain", "internet", egress.eip["PublicIp"])
    assert why.rc == 1 and "NO_PATH" in why.out and egress.nat in why.out, why


def test_each_missing_piece_is_explained(egress):
    egress.route_to_nat()
    assert egress.ping().rc == 0
    # The gateway's own subnet loses its route to the internet gateway.
    egress.ec2.delete_route(RouteTableId=egress.main, DestinationCidrBlock="0.0.0.0/0")
    no_route = egress.localvpc("explain", egress.instance, INTERNET_HOST)
    assert no_route.rc == 1 and "NO_ROUTE_TO_DESTINATION" in no_route.out and egress.main in no_route.out, no_route
    egress.ec2.create_route(RouteTableId=egress.main, DestinationCidrBlock="0.0.0.0/0", GatewayId=egress.igw)
    assert egress.ping().rc == 0
    # The gateway's subnet's ACL admits only the sender's own ephemeral ports back: the remapped port misses.
    acl = egress.ec2.create_network_acl(VpcId=egress.vpc)["NetworkAcl"]["NetworkAclId"]
    association = egress.ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id",
                                                              "Values": [egress.public]}])["NetworkAcls"][0]
    association_id = [a for a in association["Associations"] if a["SubnetId"] == egress.public][0][
        "NetworkAclAssociationId"]
    egress.ec2.replace_network_acl_association(AssociationId=association_id, NetworkAclId=acl)
    for number, egress_rule, ports in ((100, True, None), (100, False, (32768, 60999)), (110, False, (443, 443))):
        entry = {"NetworkAclId": acl, "RuleNumber": number, "Protocol": "6" if ports else "-1",
                 "RuleAction": "allow", "Egress": egress_rule, "CidrBlock": "0.0.0.0/0"}
        if ports:
            entry["PortRange"] = {"From": ports[0], "To": ports[1]}
        egress.ec2.create_network_acl_entry(**entry)
    blocked = egress.localvpc("exec", egress.instance, "--", "nc", "-z", "-w", "1", INTERNET_HOST, "443")
    assert blocked.rc != 0, blocked
    why = egress.localvpc("explain", egress.instance, INTERNET_HOST, "--protocol", "tcp", "--port", "443")
    assert "SUBNET_ACL_RESTRICTION" in why.out and acl in why.out, why
    egress.ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=120, Protocol="6", RuleAction="allow",
                                        Egress=False, CidrBlock="0.0.0.0/0", PortRange={"From": 1024, "To": 65535})
    assert egress.localvpc("exec", egress.instance, "--", "nc", "-z", "-w", "1", INTERNET_HOST, "443").rc == 0
    # A deleted gateway turns the route into a blackhole.
    egress.ec2.delete_nat_gateway(NatGatewayId=egress.nat)
    gone = egress.localvpc("explain", egress.instance, INTERNET_HOST)
    assert gone.rc == 1 and "BAD_STATE_ROUTE" in gone.out, gone


def test_network_insights_walks_through_the_nat_gateway(egress):
    egress.route_to_nat()
    igw_arn = egress.igw
    found = egress.analyse(Source=egress.instance, Destination=igw_arn, DestinationPort=443)
    assert found["Status"] == "succeeded" and found["NetworkPathFound"] is True, codes(found)
    components = found["ForwardPathComponents"]
    nat = [c for c in components if c["Component"]["Id"] == egress.nat]
    assert len(nat) == 1, [c["Component"]["Id"] for c in components]
    nat = nat[0]
    nat_ip = egress.ec2.describe_nat_gateways(NatGatewayIds=[egress.nat])["NatGateways"][0][
        "NatGatewayAddresses"][0]["PrivateIp"]
    assert nat["InboundHeader"]["SourceAddresses"] == [f"{egress.ip}/32"]
    assert nat["OutboundHeader"]["SourceAddresses"] == [f"{nat_ip}/32"]
    assert [e["ExplanationCode"] for e in nat["Explanations"]] == \
        ["NGW_SOURCE_ADDRESS_REASSIGN", "REMAP_EPHEMERAL_PORT", "NGW_DEST_ADDRESS_PRESERVATION"]
    assert nat["Subnet"]["Id"] == egress.public and nat["Vpc"]["Id"] == egress.vpc

    egress.ec2.delete_nat_gateway(NatGatewayId=egress.nat)
    lost = egress.analyse(Source=egress.instance, Destination=igw_arn, DestinationPort=443)
    assert lost["NetworkPathFound"] is False
    assert "BAD_STATE_ROUTE" in codes(lost) and "BAD_STATE" in codes(lost), codes(lost)
    bad_state = [e for e in lost["Explanations"] if e["ExplanationCode"] == "BAD_STATE"][0]
    assert bad_state["NatGateway"]["Id"] == egress.nat and bad_state["State"] == "deleted"
