"""The worked site-to-site VPN scenario (part 2 §15.4, §15.5), built with boto3 and the aws CLI and observed with the
emulated tools (`localvpc exec onprem:cgw-… -- ping`, `localvpc explain`) and Network Insights: an office
172.16.0.0/16 behind a customer gateway on a BGP connection to a VPC's virtual private gateway. Traffic flows with
route propagation on or a static route, not with neither; one tunnel down still carries it, both down stop it; a
detached gateway leaves a blackhole; the office reaches only the VPC's interfaces; another account cannot use the
office's vantage."""
import pytest

from test_exec import AMI, REGION, localvpc, tool_env  # noqa: F401  (the `localvpc` fixture runs the tools)

OFFICE = "172.16.0.0/16"
OFFICE_HOST = "172.16.0.1"  # the first usable host of the office's first prefix: where its probes come from
OTHER_ACCOUNT = "222222222222"


class Office:
    """VPC 10.6.0.0/16 with an instance at 10.6.1.4 admitting ICMP and SSH from the office, a VGW attached, and a
    BGP VPN connection to a customer gateway advertising 172.16.0.0/16 (its `localvpc:bgp-prefixes` tag)."""

    def __init__(self, ec2, aws, localvpc):  # noqa: F811
        self.ec2, self.aws, self.localvpc = ec2, aws, localvpc
        self.vpc = ec2.create_vpc(CidrBlock="10.6.0.0/16")["Vpc"]["VpcId"]
        self.subnet = ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.6.1.0/24")["Subnet"]["SubnetId"]
        self.main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [self.vpc]}])[
            "RouteTables"][0]["RouteTableId"]
        instance = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                     SubnetId=self.subnet, PrivateIpAddress="10.6.1.4")["Instances"][0]
        self.instance = instance["InstanceId"]
        group = instance["SecurityGroups"][0]["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
            {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": OFFICE}]},
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": OFFICE}]}])
        self.vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
        ec2.attach_vpn_gateway(VpcId=self.vpc, VpnGatewayId=self.vgw)
        created = aws("ec2", "create-customer-gateway", "--type", "ipsec.1", "--ip-address", "203.0.113.12",
                      "--bgp-asn", "65000", "--tag-specifications",
                      f"ResourceType=customer-gateway,Tags=[{{Key=localvpc:bgp-prefixes,Value={OFFICE}}}]",
                      region=REGION).ok()
        self.cgw = created["CustomerGateway"]["CustomerGatewayId"]
        self.vpn = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=self.cgw, VpnGatewayId=self.vgw)[
            "VpnConnection"]["VpnConnectionId"]
        self.site = f"onprem:{self.cgw}"

    def propagate(self):
        assert self.aws("ec2", "enable-vgw-route-propagation", "--gateway-id", self.vgw, "--route-table-id",
                        self.main, region=REGION).rc == 0

    def ping(self, vantage, destination):
        return self.localvpc("exec", vantage, "--", "ping", "-c", "1", destination)

    def tunnel(self, which, state):
        result = self.localvpc("vpn", "tunnel", self.vpn, "--tunnel", which, f"--{state}")
        assert result.rc == 0, result

    def analyse(self, **path):
        created = self.ec2.create_network_insights_path(Protocol=path.pop("Protocol", "tcp"), **path)
        path_id = created["NetworkInsightsPath"]["NetworkInsightsPathId"]
        analysis = self.ec2.start_network_insights_analysis(NetworkInsightsPathId=path_id)["NetworkInsightsAnalysis"]
        return self.ec2.describe_network_insights_analyses(
            NetworkInsightsAnalysisIds=[analysis["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"][0]


@pytest.fixture
def office(client_factory, aws, localvpc):  # noqa: F811
    return Office(client_factory(region=REGION), aws, localvpc)


def codes(analysis):
    return [e["ExplanationCode"] for e in analysis.get("Explanations", [])]


def reached(run):
    return run.rc == 0 and "1 received" in run.out


def lost(run):
    return run.rc == 1 and "100% packet loss" in run.out


def test_propagation_carries_the_office_to_the_instance_and_back(office):
    # Neither propagation nor a static route: the VPC has no route back to the office.
    assert lost(office.ping(office.site, "10.6.1.4"))
    assert lost(office.ping(office.instance, OFFICE_HOST))
    why = office.localvpc("explain", office.instance, OFFICE_HOST)
    assert why.rc == 1 and "NO_ROUTE_TO_DESTINATION" in why.out and office.main in why.out, why

    office.propagate()
    table = office.ec2.describe_route_tables(RouteTableIds=[office.main])["RouteTables"][0]
    propagated = [r for r in table["Routes"] if r.get("Origin") == "EnableVgwRoutePropagation"]
    assert propagated == [{"DestinationCidrBlock": OFFICE, "GatewayId": office.vgw, "Origin":
                           "EnableVgwRoutePropagation", "State": "active"}], table["Routes"]
    there = office.ping(office.site, "10.6.1.4")
    assert reached(there) and "from 10.6.1.4" in there.out, there
    back = office.ping(office.instance, OFFICE_HOST)
    assert reached(back), back
    ssh = office.localvpc("exec", office.site, "--", "nc", "-z", "-w", "1", "10.6.1.4", "22")
    assert ssh.rc == 0, ssh
    # The path names the gateway, the connection and the office.
    explained = office.localvpc("explain", office.instance, OFFICE_HOST)
    assert explained.rc == 0, explained
    for component in (office.vgw, office.vpn, office.cgw):
        assert component in explained.out, explained
    traced = office.localvpc("exec", office.site, "--", "traceroute", "-I", "10.6.1.4")
    assert traced.rc == 0 and "10.6.1.4" in traced.out, traced


def test_a_static_route_works_like_propagation(office):
    assert lost(office.ping(office.instance, OFFICE_HOST))
    office.ec2.create_route(RouteTableId=office.main, DestinationCidrBlock=OFFICE, GatewayId=office.vgw)
    assert reached(office.ping(office.instance, OFFICE_HOST))
    assert reached(office.ping(office.site, "10.6.1.4"))
    # The gateway knows only what the office advertises.
    office.ec2.create_route(RouteTableId=office.main, DestinationCidrBlock="192.168.0.0/16", GatewayId=office.vgw)
    unknown = office.localvpc("explain", office.instance, "192.168.1.1")
    assert unknown.rc == 1 and "NO_ROUTE_TO_DESTINATION" in unknown.out and office.vgw in unknown.out, unknown


def test_one_tunnel_down_still_works_both_down_is_bad_state_vpn(office):
    office.ec2.create_route(RouteTableId=office.main, DestinationCidrBlock=OFFICE, GatewayId=office.vgw)
    office.tunnel("1", "down")
    telemetry = office.ec2.describe_vpn_connections(VpnConnectionIds=[office.vpn])["VpnConnections"][0][
        "VgwTelemetry"]
    assert [t["Status"] for t in telemetry] == ["DOWN", "UP"]
    assert reached(office.ping(office.instance, OFFICE_HOST))
    assert reached(office.ping(office.site, "10.6.1.4"))

    office.tunnel("both", "down")
    assert lost(office.ping(office.instance, OFFICE_HOST))
    assert lost(office.ping(office.site, "10.6.1.4"))
    why = office.localvpc("explain", office.instance, OFFICE_HOST)
    assert why.rc == 1 and "BAD_STATE_VPN" in why.out and office.vpn in why.out, why
    analysis = office.analyse(Source=office.instance, FilterAtSource={"DestinationAddress": OFFICE_HOST})
    assert analysis["NetworkPathFound"] is False
    assert "BAD_STATE_VPN" in codes(analysis), analysis
    bad = [e for e in analysis["Explanations"] if e["ExplanationCode"] == "BAD_STATE_VPN"][0]
    assert bad["Component"]["Id"] == office.vpn, bad

    office.tunnel("2", "up")
    assert reached(office.ping(office.instance, OFFICE_HOST))


def test_a_detached_gateway_leaves_a_blackhole(office):
    office.ec2.create_route(RouteTableId=office.main, DestinationCidrBlock=OFFICE, GatewayId=office.vgw)
    assert reached(office.ping(office.instance, OFFICE_HOST))
    office.ec2.detach_vpn_gateway(VpcId=office.vpc, VpnGatewayId=office.vgw)
    table = office.ec2.describe_route_tables(RouteTableIds=[office.main])["RouteTables"][0]
    route = [r for r in table["Routes"] if r["DestinationCidrBlock"] == OFFICE][0]
    assert route["State"] == "blackhole", route
    assert lost(office.ping(office.instance, OFFICE_HOST))
    why = office.localvpc("explain", office.instance, OFFICE_HOST)
    assert why.rc == 1 and "BAD_STATE_ROUTE" in why.out, why
    inbound = office.localvpc("explain", office.site, "10.6.1.4")
    assert inbound.rc == 1 and "BAD_STATE_ATTACHMENT" in inbound.out and office.vgw in inbound.out, inbound


def test_the_office_reaches_only_the_vpcs_interfaces(office):
    office.propagate()
    assert reached(office.ping(office.site, "10.6.1.4"))
    nobody = office.localvpc("explain", office.site, "10.6.1.99")
    assert nobody.rc == 1 and "VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS" in nobody.out, nobody
    assert lost(office.ping(office.site, "10.6.1.99"))
    analysis = office.analyse(Source=office.instance, FilterAtSource={"DestinationAddress": "172.16.9.9"})
    assert analysis["NetworkPathFound"] is True, analysis
    kinds = [c["Component"]["Id"] for c in analysis["ForwardPathComponents"]]
    assert office.vgw in kinds and office.vpn in kinds, kinds


def test_another_account_cannot_use_the_offices_vantage(office, client_factory):
    office.propagate()
    assert reached(office.ping(office.site, "10.6.1.4"))  # positive control: the owner can
    other = office.localvpc("exec", office.site, "--", "ping", "-c", "1", "10.6.1.4",
                            env=tool_env(key=OTHER_ACCOUNT))
    assert other.rc != 0 and f"The customerGateway ID '{office.cgw}' does not exist" in other.err, other
    # And a customer gateway without prefixes has no host to send from.
    bare = office.ec2.create_customer_gateway(Type="ipsec.1", PublicIp="203.0.113.99", BgpAsn=65001)[
        "CustomerGateway"]["CustomerGatewayId"]
    empty = office.localvpc("exec", f"onprem:{bare}", "--", "ping", "-c", "1", "10.6.1.4")
    assert empty.rc != 0 and "has no address" in empty.err, empty


def test_vpn_cloudhub_joins_two_offices_of_one_gateway(office):
    branch = office.ec2.create_customer_gateway(
        Type="ipsec.1", PublicIp="203.0.113.20", BgpAsn=65010,
        TagSpecifications=[{"ResourceType": "customer-gateway",
                            "Tags": [{"Key": "localvpc:bgp-prefixes", "Value": "172.20.0.0/16"}]}])[
        "CustomerGateway"]["CustomerGatewayId"]
    office.ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=branch, VpnGatewayId=office.vgw)
    hub = office.ping(office.site, "172.20.0.9")
    assert reached(hub), hub
    assert reached(office.ping(f"onprem:{branch}", OFFICE_HOST))
    assert lost(office.ping(office.site, "172.30.0.9"))
