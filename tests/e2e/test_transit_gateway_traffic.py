"""The worked transit gateway scenarios (part 2 §14.4), built with boto3 and the aws CLI and observed with the emulated
tools, `localvpc explain` and Network Insights: three VPCs on one gateway reach each other (then one blackholed
route cuts one VPC off), the tutorial's three-VPC case is not transitive over peering but is over a gateway, a sender
in a zone the attachment does not serve is dropped, and a spoke VPC reaches the internet through a NAT gateway in an
egress VPC and hears back."""
import pytest

from test_exec import AMI, REGION, localvpc, tool_env  # noqa: F401  (the `localvpc` fixture runs the tools)

ZONE_A, ZONE_B = f"{REGION}a", f"{REGION}b"
INTERNET_HOST = "8.8.8.8"


class Net:
    """Builds VPCs with one subnet and one instance each, and a transit gateway to attach them to."""

    def __init__(self, ec2, aws, localvpc):  # noqa: F811
        self.ec2, self.aws, self.localvpc = ec2, aws, localvpc
        self.vpcs, self.subnets, self.instances, self.ips, self.tables = [], [], [], [], []

    def vpc(self, n, zone=ZONE_A):
        """VPC 10.n.0.0/16 with subnet 10.n.1.0/24 in `zone` and an instance whose group admits 10.0.0.0/8."""
        vpc = self.ec2.create_vpc(CidrBlock=f"10.{n}.0.0/16")["Vpc"]["VpcId"]
        subnet = self.ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{n}.1.0/24", AvailabilityZone=zone)[
            "Subnet"]["SubnetId"]
        group = self.ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
            "SecurityGroups"][0]["GroupId"]
        self.ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
        instance = self.ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                          SubnetId=subnet)["Instances"][0]
        table = self.ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
            "RouteTables"][0]["RouteTableId"]
        self.vpcs.append(vpc)
        self.subnets.append(subnet)
        self.instances.append(instance["InstanceId"])
        self.ips.append(instance["PrivateIpAddress"])
        self.tables.append(table)
        return len(self.vpcs) - 1

    def gateway(self):
        created = self.ec2.create_transit_gateway(Description="hub")["TransitGateway"]
        self.tgw = created["TransitGatewayId"]
        self.tgw_table = self.ec2.describe_transit_gateways(TransitGatewayIds=[self.tgw])["TransitGateways"][0][
            "Options"]["AssociationDefaultRouteTableId"]
        return self.tgw

    def attach(self, index, subnets=None):
        attachment = self.ec2.create_transit_gateway_vpc_attachment(
            TransitGatewayId=self.tgw, VpcId=self.vpcs[index], SubnetIds=subnets or [self.subnets[index]])
        attachment_id = attachment["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
        described = self.ec2.describe_transit_gateway_vpc_attachments(TransitGatewayAttachmentIds=[attachment_id])
        assert described["TransitGatewayVpcAttachments"][0]["State"] == "available"
        return attachment_id

    def route_to_gateway(self, index, destination="10.0.0.0/8", table=None):
        # The aws CLI, as a user adds the VPC side of the route.
        done = self.aws("ec2", "create-route", "--route-table-id", table or self.tables[index],
                        "--destination-cidr-block", destination, "--transit-gateway-id", self.tgw, region=REGION)
        assert done.rc == 0, done.stderr

    def ping(self, source, destination):
        return self.localvpc("exec", source, "--", "ping", "-c", "1", destination)

    def analyse(self, **path):
        created = self.ec2.create_network_insights_path(Protocol=path.pop("Protocol", "tcp"), **path)
        path_id = created["NetworkInsightsPath"]["NetworkInsightsPathId"]
        analysis = self.ec2.start_network_insights_analysis(NetworkInsightsPathId=path_id)["NetworkInsightsAnalysis"]
        return self.ec2.describe_network_insights_analyses(
            NetworkInsightsAnalysisIds=[analysis["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"][0]


@pytest.fixture
def net(client_factory, aws, localvpc):  # noqa: F811
    return Net(client_factory(region=REGION), aws, localvpc)


def hub(net):
    """Three VPCs attached to one gateway with the default association and propagation, 10/8 routed to it."""
    net.gateway()
    for n in (1, 2, 3):
        index = net.vpc(n)
        net.attach(index)
        net.route_to_gateway(index)
    return net


def codes(analysis):
    return [e["ExplanationCode"] for e in analysis.get("Explanations", [])]


def test_three_vpcs_on_one_transit_gateway_then_one_blackholed_route(net):
    hub(net)
    for source in range(3):
        for destination in range(3):
            if source != destination:
                answer = net.ping(net.instances[source], net.ips[destination])
                assert answer.rc == 0 and "1 received" in answer.out, (source, destination, answer)
    # The gateway answers no traceroute probe: the destination is the only hop.
    trace = net.localvpc("exec", net.instances[0], "--", "traceroute", "-I", net.ips[2])
    assert trace.rc == 0 and net.ips[2] in trace.out, trace
    assert len([line for line in trace.out.splitlines()[1:] if line.strip()]) == 1, trace

    # A static blackhole route for the third VPC's block (aws CLI) beats its propagated route.
    blackhole = net.aws("ec2", "create-transit-gateway-route", "--transit-gateway-route-table-id", net.tgw_table,
                        "--destination-cidr-block", "10.3.0.0/16", "--blackhole", region=REGION)
    assert blackhole.rc == 0 and blackhole.json["Route"]["State"] == "blackhole", blackhole
    for source in (0, 1):
        lost = net.ping(net.instances[source], net.ips[2])
        assert lost.rc == 1 and "100% packet loss" in lost.out, lost
        why = net.localvpc("explain", net.instances[source], net.ips[2])
        assert why.rc == 1 and "TGW_RTB_BAD_STATE_ROUTE" in why.out and net.tgw_table in why.out, why
    # The others are unaffected.
    assert net.ping(net.instances[0], net.ips[1]).rc == 0
    assert net.ping(net.instances[1], net.ips[0]).rc == 0


def test_peering_is_not_transitive_but_a_transit_gateway_is(net):
    a, b, c = net.vpc(1), net.vpc(2), net.vpc(3)
    pcx = {}
    for left, right in ((a, b), (b, c)):
        request = net.ec2.create_vpc_peering_connection(VpcId=net.vpcs[left], PeerVpcId=net.vpcs[right])
        pcx[(left, right)] = request["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        net.ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx[(left, right)])
    net.ec2.create_route(RouteTableId=net.tables[a], DestinationCidrBlock="10.3.0.0/16",
                         VpcPeeringConnectionId=pcx[(a, b)])
    net.ec2.create_route(RouteTableId=net.tables[b], DestinationCidrBlock="10.3.0.0/16",
                         VpcPeeringConnectionId=pcx[(b, c)])
    over_peering = net.ping(net.instances[a], net.ips[c])
    assert over_peering.rc == 1, over_peering
    why = net.localvpc("explain", net.instances[a], net.ips[c])
    assert why.rc == 1 and "CANNOT_ROUTE" in why.out, why
    analysis = net.analyse(Source=net.instances[a], Destination=net.instances[c], DestinationPort=22)
    assert analysis["NetworkPathFound"] is False and "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR" in codes(analysis)

    # The same three over a transit gateway: A reaches C.
    net.gateway()
    for index in (a, b, c):
        net.attach(index)
    net.ec2.delete_route(RouteTableId=net.tables[a], DestinationCidrBlock="10.3.0.0/16")
    net.route_to_gateway(a, "10.3.0.0/16")
    net.route_to_gateway(c, "10.1.0.0/16")
    over_gateway = net.ping(net.instances[a], net.ips[c])
    assert over_gateway.rc == 0 and "1 received" in over_gateway.out, over_gateway
    connected = net.localvpc("exec", net.instances[a], "--", "nc", "-z", "-w", "1", net.ips[c], "22")
    assert connected.rc == 0, connected


def test_the_attachment_must_serve_the_senders_zone(net):
    hub(net)
    # A second subnet of the first VPC, in a zone the attachment has no subnet in.
    other = net.ec2.create_subnet(VpcId=net.vpcs[0], CidrBlock="10.1.2.0/24", AvailabilityZone=ZONE_B)[
        "Subnet"]["SubnetId"]
    stranded = net.ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                     SubnetId=other)["Instances"][0]["InstanceId"]
    lost = net.ping(stranded, net.ips[1])
    assert lost.rc == 1 and "100% packet loss" in lost.out, lost
    why = net.localvpc("explain", stranded, net.ips[1])
    assert why.rc == 1 and "TGW_ROUTE_AZ_RESTRICTION" in why.out, why
    assert net.ping(net.instances[0], net.ips[1]).rc == 0  # positive control: the served zone passes
    # explain lists every blocking setting: a blackholed route as well as the zone.
    net.ec2.create_transit_gateway_route(TransitGatewayRouteTableId=net.tgw_table,
                                         DestinationCidrBlock="10.2.0.0/16", Blackhole=True)
    both = net.localvpc("explain", stranded, net.ips[1])
    assert both.rc == 1 and "TGW_ROUTE_AZ_RESTRICTION" in both.out and "TGW_RTB_BAD_STATE_ROUTE" in both.out, both
    net.ec2.delete_transit_gateway_route(TransitGatewayRouteTableId=net.tgw_table,
                                         DestinationCidrBlock="10.2.0.0/16")
    # Adding a subnet in that zone to the attachment (aws CLI) fixes it.
    attachment = net.ec2.describe_transit_gateway_vpc_attachments(
        Filters=[{"Name": "vpc-id", "Values": [net.vpcs[0]]}])["TransitGatewayVpcAttachments"][0]
    modified = net.aws("ec2", "modify-transit-gateway-vpc-attachment", "--transit-gateway-attachment-id",
                       attachment["TransitGatewayAttachmentId"], "--add-subnet-ids", other, region=REGION)
    assert modified.rc == 0, modified.stderr
    assert net.ping(stranded, net.ips[1]).rc == 0


def test_a_spoke_reaches_the_internet_through_a_nat_gateway_in_an_egress_vpc(net):
    net.gateway()
    spoke = net.vpc(1)
    net.attach(spoke)
    net.route_to_gateway(spoke, "0.0.0.0/0")
    # The egress VPC: a public subnet with the NAT gateway and an attachment subnet routing 0/0 to it.
    ec2 = net.ec2
    egress = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=egress, CidrBlock="10.9.0.0/24", AvailabilityZone=ZONE_A)["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=egress, CidrBlock="10.9.1.0/24", AvailabilityZone=ZONE_A)["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=egress)
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [egress]}])["RouteTables"][0][
        "RouteTableId"]
    ec2.create_route(RouteTableId=main, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    eip = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip["AllocationId"])["NatGateway"]["NatGatewayId"]
    private_table = ec2.create_route_table(VpcId=egress)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=private_table, SubnetId=private)
    ec2.create_route(RouteTableId=private_table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    egress_attachment = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=net.tgw, VpcId=egress, SubnetIds=[private])["TransitGatewayVpcAttachment"][
        "TransitGatewayAttachmentId"]
    ec2.create_route(RouteTableId=main, DestinationCidrBlock="10.0.0.0/8", TransitGatewayId=net.tgw)

    # Without a default route in the gateway's table the spoke's packet has nowhere to go.
    lost = net.ping(net.instances[spoke], INTERNET_HOST)
    assert lost.rc == 1, lost
    why = net.localvpc("explain", net.instances[spoke], INTERNET_HOST)
    assert why.rc == 1 and "TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT" in why.out, why
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=net.tgw_table, DestinationCidrBlock="0.0.0.0/0",
                                     TransitGatewayAttachmentId=egress_attachment)
    answered = net.ping(net.instances[spoke], INTERNET_HOST)
    assert answered.rc == 0 and "1 received" in answered.out, answered
    connected = net.localvpc("exec", net.instances[spoke], "--", "nc", "-z", "-w", "1", INTERNET_HOST, "443")
    assert connected.rc == 0, connected
    # The internet still cannot start a flow through the NAT gateway.
    inbound = net.localvpc("exec", "internet", "--", "ping", "-c", "1", eip["PublicIp"])
    assert inbound.rc == 1, inbound
    # Without the egress VPC's route back to the gateway the NAT gateway's answer follows 0/0 to the internet
    # gateway, which carries no private destination: the answer is lost.
    ec2.delete_route(RouteTableId=main, DestinationCidrBlock="10.0.0.0/8")
    assert net.ping(net.instances[spoke], INTERNET_HOST).rc == 1
    why = net.localvpc("explain", net.instances[spoke], INTERNET_HOST)
    assert "CANNOT_ROUTE" in why.out and f"{net.ips[spoke]} is not an internet address" in why.out, why


def test_network_insights_shows_the_transit_gateway_and_its_codes(net):
    hub(net)
    found = net.analyse(Source=net.instances[0], Destination=net.instances[2], DestinationPort=22)
    assert found["Status"] == "succeeded" and found["NetworkPathFound"] is True, codes(found)
    forward = found["ForwardPathComponents"]
    ids = [c["Component"]["Id"] for c in forward]
    attachments = net.ec2.describe_transit_gateway_attachments(
        Filters=[{"Name": "resource-id", "Values": [net.vpcs[0]]}])["TransitGatewayAttachments"]
    entry = attachments[0]["TransitGatewayAttachmentId"]
    assert entry in ids and net.tgw_table in ids, ids
    table = [c for c in forward if c["Component"]["Id"] == net.tgw_table][0]
    assert table["TransitGateway"]["Id"] == net.tgw
    route = table["TransitGatewayRouteTableRoute"]
    assert route["DestinationCidr"] == "10.3.0.0/16" and route["State"] == "active"
    assert route["RouteOrigin"] == "propagated" and route["ResourceId"] == net.vpcs[2]
    assert route["ResourceType"] == "vpc"
    assert any(c.get("TransitGateway", {}).get("Id") == net.tgw for c in found["ReturnPathComponents"])

    # Blackholed: the table and the route are named.
    net.ec2.create_transit_gateway_route(TransitGatewayRouteTableId=net.tgw_table,
                                         DestinationCidrBlock="10.3.0.0/16", Blackhole=True)
    lost = net.analyse(Source=net.instances[0], Destination=net.instances[2], DestinationPort=22)
    assert lost["NetworkPathFound"] is False and codes(lost) == ["TGW_RTB_BAD_STATE_ROUTE"], codes(lost)
    explanation = lost["Explanations"][0]
    assert explanation["Component"]["Id"] == net.tgw_table and explanation["TransitGateway"]["Id"] == net.tgw
    assert explanation["TransitGatewayRouteTableRoute"]["State"] == "blackhole"
    assert explanation["TransitGatewayRouteTableRoute"]["RouteOrigin"] == "static"

    # Disassociated: the attachment is named.
    net.ec2.disassociate_transit_gateway_route_table(TransitGatewayRouteTableId=net.tgw_table,
                                                     TransitGatewayAttachmentId=entry)
    lost = net.analyse(Source=net.instances[0], Destination=net.instances[1], DestinationPort=22)
    assert codes(lost) == ["TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION"], codes(lost)
    assert lost["Explanations"][0]["TransitGatewayAttachment"]["Id"] == entry


def test_another_account_crosses_a_shared_gateway_but_sees_only_whose_it_is(client_factory, aws, localvpc):  # noqa: F811
    owner_id, consumer_id = "111111111111", "222222222222"
    owner = Net(client_factory(region=REGION, key=owner_id), aws, localvpc)
    consumer = Net(client_factory(region=REGION, key=consumer_id), aws, localvpc)
    created = owner.ec2.create_transit_gateway(
        Options={"AutoAcceptSharedAttachments": "enable"},
        TagSpecifications=[{"ResourceType": "transit-gateway",
                            "Tags": [{"Key": "localvpc:shared-with", "Value": consumer_id}]}])["TransitGateway"]
    owner.tgw = consumer.tgw = created["TransitGatewayId"]
    table = owner.ec2.describe_transit_gateways(TransitGatewayIds=[owner.tgw])["TransitGateways"][0]["Options"][
        "AssociationDefaultRouteTableId"]
    theirs = owner.vpc(1)
    owner.attach(theirs)
    owner.ec2.create_route(RouteTableId=owner.tables[theirs], DestinationCidrBlock="10.0.0.0/8",
                           TransitGatewayId=owner.tgw)
    mine = consumer.vpc(2)
    consumer.attach(mine)
    consumer.ec2.create_route(RouteTableId=consumer.tables[mine], DestinationCidrBlock="10.0.0.0/8",
                              TransitGatewayId=consumer.tgw)
    as_consumer = tool_env(key=consumer_id)
    answer = localvpc("exec", consumer.instances[mine], "--", "ping", "-c", "1", owner.ips[theirs], env=as_consumer)
    assert answer.rc == 0 and "1 received" in answer.out, answer
    # The owner sees its gateway's table on the path; the consumer only whose gateway it crossed.
    as_owner = localvpc("explain", owner.instances[theirs], consumer.ips[mine], "--protocol", "tcp", "--port", "22",
                        env=tool_env(key=owner_id))
    assert table in as_owner.out, as_owner
    owner.ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="10.1.0.0/16",
                                           Blackhole=True)
    blocked = localvpc("explain", consumer.instances[mine], owner.ips[theirs], env=as_consumer)
    assert blocked.rc == 1 and "TGW_RTB_BAD_STATE_ROUTE" in blocked.out, blocked
    # The gateway's ID is in the consumer's own route; its table and route are not shown, only the owner.
    assert table not in blocked.out and "10.1.0.0/16" not in blocked.out, blocked
    assert f"TGW_RTB_BAD_STATE_ROUTE at account {owner_id}" in blocked.out, blocked
    as_owner = localvpc("explain", owner.instances[theirs], consumer.ips[mine], env=tool_env(key=owner_id))
    # The owner, whose answer meets the same route, sees its own table named.
    assert "TGW_RTB_BAD_STATE_ROUTE" in as_owner.out and table in as_owner.out, as_owner
