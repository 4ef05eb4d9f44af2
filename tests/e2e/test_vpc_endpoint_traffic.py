"""The worked gateway endpoint scenario (part 2 §17.4), built with boto3 and observed with `localvpc exec`, `explain`,
the JSON API and Network Insights: an instance reaches S3 through the internet gateway (S3 sees its public address),
then through a gateway endpoint (S3 sees its private address, no public address needed), is blocked without a
route and by security group egress that does not name the prefix list — and a rule naming S3's prefix list opens it
again. The endpoint carries TCP and ping only."""
import json

import pytest
import requests

from test_exec import AMI, REGION, localvpc  # noqa: F401  (the `localvpc` fixture runs the tools)

S3_NAME = f"s3.{REGION}.amazonaws.com"
BUCKET_NAME = f"my-bucket.s3.{REGION}.amazonaws.com"
S3_ADDRESS = "52.216.0.10"
AUTH = {"Authorization": f"AWS4-HMAC-SHA256 Credential=test/20260101/{REGION}/ec2/aws4_request, "
                         "SignedHeaders=host, Signature=0"}


class Storage:
    """VPC 10.30.0.0/16 with an attached internet gateway and one subnet whose own table has only `local`; an
    instance there with no public address."""

    def __init__(self, ec2, localvpc, endpoint):  # noqa: F811
        self.ec2, self.localvpc, self.endpoint = ec2, localvpc, endpoint
        self.vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
        self.subnet = ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.30.1.0/24")["Subnet"]["SubnetId"]
        self.igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=self.igw, VpcId=self.vpc)
        self.table = ec2.create_route_table(VpcId=self.vpc)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=self.table, SubnetId=self.subnet)
        instance = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                     SubnetId=self.subnet)["Instances"][0]
        self.instance, self.ip = instance["InstanceId"], instance["PrivateIpAddress"]
        self.group = instance["SecurityGroups"][0]["GroupId"]
        lists = ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name",
                                                    "Values": [f"com.amazonaws.{REGION}.s3"]}])["PrefixLists"]
        self.s3_list = lists[0]["PrefixListId"]

    def nc(self, host=S3_NAME, port=443):
        return self.localvpc("exec", self.instance, "--", "nc", "-z", "-w", "1", host, str(port))

    def explain(self, *args):
        return self.localvpc("explain", self.instance, S3_ADDRESS, *args)

    def probe(self, port=443):
        body = {"from": self.instance, "to": S3_ADDRESS, "protocol": "tcp", "port": port}
        answer = requests.post(f"{self.endpoint}/_localvpc/v1/probe", data=json.dumps(body), headers=AUTH,
                               timeout=30)
        return answer.json()

    def gateway_endpoint(self):
        made = self.ec2.create_vpc_endpoint(VpcId=self.vpc, ServiceName=f"com.amazonaws.{REGION}.s3",
                                            RouteTableIds=[self.table])
        return made["VpcEndpoint"]["VpcEndpointId"]

    def analyse(self, protocol="tcp", port=443):
        # An AWS service is no resource of the account: the path names its address (AWS's form for such paths).
        created = self.ec2.create_network_insights_path(
            Source=self.instance, Protocol=protocol,
            FilterAtSource={"DestinationAddress": S3_ADDRESS, "DestinationPortRange": {"FromPort": port, "ToPort": port}})
        path_id = created["NetworkInsightsPath"]["NetworkInsightsPathId"]
        analysis = self.ec2.start_network_insights_analysis(NetworkInsightsPathId=path_id)["NetworkInsightsAnalysis"]
        return self.ec2.describe_network_insights_analyses(
            NetworkInsightsAnalysisIds=[analysis["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"][0]


@pytest.fixture
def storage(client_factory, localvpc, server):  # noqa: F811
    return Storage(client_factory(region=REGION), localvpc, server.endpoint)


def test_s3_names_resolve_inside_the_vpc_and_from_the_internet(storage):
    inside = storage.localvpc("exec", storage.instance, "--", "dig", "+short", BUCKET_NAME)
    assert inside.rc == 0 and inside.out.strip() == S3_ADDRESS, inside
    outside = storage.localvpc("exec", "internet", "--", "dig", "+short", S3_NAME)
    assert outside.rc == 0 and outside.out.strip() == S3_ADDRESS, outside


def test_s3_via_the_internet_gateway_then_via_the_endpoint_and_what_s3_sees(storage):
    # No route at all: blocked, and explained.
    blocked = storage.nc()
    assert blocked.rc == 1 and "timed out" in blocked.err, blocked
    why = storage.explain("--protocol", "tcp", "--port", "443")
    assert why.rc == 1 and "NO_ROUTE_TO_DESTINATION" in why.out and storage.table in why.out, why

    # Through the internet gateway: needs a public address, and S3 sees it.
    storage.ec2.create_route(RouteTableId=storage.table, DestinationCidrBlock="0.0.0.0/0", GatewayId=storage.igw)
    no_public = storage.explain("--protocol", "tcp", "--port", "443")
    assert no_public.rc == 1 and "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS" in no_public.out, no_public
    allocation = storage.ec2.allocate_address(Domain="vpc")
    storage.ec2.associate_address(AllocationId=allocation["AllocationId"], InstanceId=storage.instance)
    via_igw = storage.probe()
    assert via_igw["verdict"] == "reachable", via_igw
    assert via_igw["forward"]["delivered_source"] == allocation["PublicIp"], via_igw["forward"]
    assert "internet-gateway" in [hop["kind"] for hop in via_igw["forward"]["hops"]]
    assert storage.nc().rc == 0

    # Through the endpoint: the more specific prefix-list route wins, and S3 sees the private address.
    vpce = storage.gateway_endpoint()
    via_endpoint = storage.probe()
    assert via_endpoint["verdict"] == "reachable", via_endpoint
    assert via_endpoint["forward"]["delivered_source"] == storage.ip, via_endpoint["forward"]
    kinds = [(hop["kind"], hop["id"]) for hop in via_endpoint["forward"]["hops"]]
    assert ("vpc-endpoint", vpce) in kinds and "internet-gateway" not in [k for k, _ in kinds], kinds
    assert via_endpoint["reply"]["hops"][0] == {
        "kind": "vpc-endpoint", "id": vpce,
        "detail": f"com.amazonaws.{REGION}.s3 answers {storage.ip} from {S3_ADDRESS}"}

    # No public address needed any more: without the Elastic IP and the default route, S3 still answers.
    storage.ec2.disassociate_address(AssociationId=storage.ec2.describe_addresses(
        AllocationIds=[allocation["AllocationId"]])["Addresses"][0]["AssociationId"])
    storage.ec2.delete_route(RouteTableId=storage.table, DestinationCidrBlock="0.0.0.0/0")
    connected = storage.nc()
    assert connected.rc == 0 and "succeeded" in connected.err, connected
    pinged = storage.localvpc("exec", storage.instance, "--", "ping", "-c", "1", S3_NAME)
    assert pinged.rc == 0 and "1 received" in pinged.out, pinged
    # The service answers HTTPS and HTTP only.
    refused = storage.nc(port=22)
    assert refused.rc == 1 and "Connection refused" in refused.err, refused
    # Positive control for the route: another internet address has no route now.
    elsewhere = storage.nc(host="203.0.113.7")
    assert elsewhere.rc == 1 and "timed out" in elsewhere.err, elsewhere


def test_egress_that_does_not_name_the_prefix_list_blocks_and_a_prefix_list_rule_opens_it(storage):
    storage.gateway_endpoint()
    assert storage.nc().rc == 0
    storage.ec2.revoke_security_group_egress(GroupId=storage.group, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    storage.ec2.authorize_security_group_egress(GroupId=storage.group, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    blocked = storage.nc()
    assert blocked.rc == 1, blocked
    why = storage.explain("--protocol", "tcp", "--port", "443")
    assert why.rc == 1 and "ENI_SG_RULES_MISMATCH" in why.out and storage.group in why.out, why
    storage.ec2.authorize_security_group_egress(GroupId=storage.group, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": [{"PrefixListId": storage.s3_list}]}])
    opened = storage.nc()
    assert opened.rc == 0 and "succeeded" in opened.err, opened


def test_the_endpoint_carries_tcp_and_ping_only(storage):
    vpce = storage.gateway_endpoint()
    why = storage.explain("--protocol", "udp", "--port", "53")
    assert why.rc == 1 and "VPCE_GATEWAY_PROTOCOL_RESTRICTION" in why.out and vpce in why.out, why
    tcp = storage.explain("--protocol", "tcp", "--port", "443")
    assert tcp.rc == 0 and "VPCE_GATEWAY_PROTOCOL_RESTRICTION" not in tcp.out, tcp


def test_network_insights_names_the_endpoint(storage):
    vpce = storage.gateway_endpoint()
    found = storage.analyse()
    assert found["Status"] == "succeeded" and found["NetworkPathFound"] is True, found.get("Explanations")
    endpoint = [c for c in found["ForwardPathComponents"] if c["Component"]["Id"] == vpce]
    assert len(endpoint) == 1, [c["Component"]["Id"] for c in found["ForwardPathComponents"]]
    assert endpoint[0]["ServiceName"] == f"com.amazonaws.{REGION}.s3"
    assert endpoint[0]["Vpc"]["Id"] == storage.vpc
    assert endpoint[0]["InboundHeader"]["SourceAddresses"] == [f"{storage.ip}/32"]
    refused = storage.analyse(protocol="udp", port=53)
    assert refused["NetworkPathFound"] is False
    codes = [(e["ExplanationCode"], e.get("VpcEndpoint", {}).get("Id")) for e in refused["Explanations"]]
    assert ("VPCE_GATEWAY_PROTOCOL_RESTRICTION", vpce) in codes, codes
