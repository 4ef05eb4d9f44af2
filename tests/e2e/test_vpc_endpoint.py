"""Gateway VPC endpoints (part 2 §17.4): CreateVpcEndpoint for S3 and DynamoDB with the routes it adds to its route
tables (`destinationPrefixListId → gatewayId vpce-…`), Describe with its filters and paging, Modify (policy, route
tables), Delete (with `unsuccessful`), DescribeVpcEndpointServices, AWS's errors, the routes' protection, DeleteVpc
and DeleteRouteTable, tags, isolation, the aws CLI, restart survival and the `--quotas aws` limit."""
from __future__ import annotations

import json

import pytest

from conftest import LocalVpcServer, make_client
from helpers import assert_id, cli_error, create_subnet, create_vpc, ec2_error, main_route_table, route_table, tag_spec

S3, DDB = "com.amazonaws.us-east-1.s3", "com.amazonaws.us-east-1.dynamodb"
S3_PL, DDB_PL = "pl-63a5400a", "pl-02cd2c6b"
DEFAULT_POLICY = '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}'


def endpoint_routes(ec2, rtb_id: str) -> list:
    routes = route_table(ec2, rtb_id)["Routes"]
    return [r for r in routes if "DestinationPrefixListId" in r]


def described(ec2, vpce_id: str) -> dict:
    found = ec2.describe_vpc_endpoints(VpcEndpointIds=[vpce_id])["VpcEndpoints"]
    assert len(found) == 1
    return found[0]


@pytest.fixture
def vpc(ec2):
    vpc_id = create_vpc(ec2)["VpcId"]
    main = main_route_table(ec2, vpc_id)["RouteTableId"]
    other = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    return vpc_id, main, other


def test_create_gateway_endpoint_answers_every_field_and_adds_its_routes(ec2, vpc):
    vpc_id, main, other = vpc
    made = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3, RouteTableIds=[main, other],
                                   TagSpecifications=tag_spec("vpc-endpoint", Name="s3"))["VpcEndpoint"]
    vpce = made["VpcEndpointId"]
    assert_id(vpce, "vpce")
    created = made.pop("CreationTimestamp")
    assert made == {
        "VpcEndpointId": vpce, "VpcEndpointType": "Gateway", "VpcId": vpc_id, "ServiceName": S3,
        "State": "available", "PolicyDocument": DEFAULT_POLICY, "RouteTableIds": sorted([main, other]),
        "SubnetIds": [], "Groups": [], "IpAddressType": "ipv4", "DnsOptions": {"DnsRecordIpType": "service-defined"},
        "PrivateDnsEnabled": False, "RequesterManaged": False, "NetworkInterfaceIds": [], "DnsEntries": [],
        "Tags": [{"Key": "Name", "Value": "s3"}], "OwnerId": "123456789012",
    }
    again = described(ec2, vpce)
    assert again.pop("CreationTimestamp") == created
    assert again == made
    for rtb in (main, other):
        assert endpoint_routes(ec2, rtb) == [
            {"DestinationPrefixListId": S3_PL, "GatewayId": vpce, "Origin": "CreateRoute", "State": "active"}]
    # The route filters see the endpoint as the gateway.
    by_gateway = ec2.describe_route_tables(Filters=[{"Name": "route.gateway-id", "Values": [vpce]}])["RouteTables"]
    assert sorted(t["RouteTableId"] for t in by_gateway) == sorted([main, other])


def test_type_defaults_to_gateway_and_policy_is_kept(ec2, vpc):
    vpc_id, main, _ = vpc
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "dynamodb:GetItem", "Resource": "*"}]})
    made = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=DDB, RouteTableIds=[main],
                                   PolicyDocument=policy)["VpcEndpoint"]
    assert (made["VpcEndpointType"], made["PolicyDocument"]) == ("Gateway", policy)
    assert endpoint_routes(ec2, main) == [
        {"DestinationPrefixListId": DDB_PL, "GatewayId": made["VpcEndpointId"], "Origin": "CreateRoute",
         "State": "active"}]
    # A client token answers the same endpoint again.
    first = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3, ClientToken="tok-1")
    second = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3, ClientToken="tok-1")
    assert first["VpcEndpoint"]["VpcEndpointId"] == second["VpcEndpoint"]["VpcEndpointId"]
    assert first["ClientToken"] == "tok-1"
    listed = ec2.describe_vpc_endpoints()["VpcEndpoints"]
    assert len(listed) == 2


def test_create_refuses_what_aws_refuses(ec2, vpc):
    vpc_id, main, _ = vpc
    with ec2_error("InvalidServiceName", "The Vpc Endpoint Service 'com.amazonaws.us-east-1.nope' does not exist"):
        ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName="com.amazonaws.us-east-1.nope", RouteTableIds=[main])
    with ec2_error("InvalidServiceName", "The Vpc Endpoint Service 'com.amazonaws.eu-west-1.s3' does not exist"):
        ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName="com.amazonaws.eu-west-1.s3", RouteTableIds=[main])
    with ec2_error("InvalidVpcID.NotFound"):
        ec2.create_vpc_endpoint(VpcId="vpc-0123456789abcdef0", ServiceName=S3)
    with ec2_error("InvalidRouteTableID.NotFound"):
        ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3, RouteTableIds=["rtb-0123456789abcdef0"])
    foreign = main_route_table(ec2, create_vpc(ec2, "10.9.0.0/16")["VpcId"])["RouteTableId"]
    with ec2_error("InvalidParameter", f"The route table {foreign} does not belong to the endpoint's VPC {vpc_id}."):
        ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3, RouteTableIds=[foreign])
    with ec2_error("InvalidPolicyDocument", "The policy document exceeds the maximum length of 20480 characters."):
        ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3, PolicyDocument='{"a":"' + "x" * 20480 + '"}')
    with ec2_error("InvalidPolicyDocument", "The policy document is not valid JSON."):
        ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3, PolicyDocument="not json")
    subnet = create_subnet(ec2, vpc_id, "10.0.1.0/24")["SubnetId"]
    with ec2_error("InvalidParameter", "The parameter SubnetId is not supported for VPC endpoints of type Gateway."):
        ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3, SubnetIds=[subnet])
    # Nothing was made by the refusals.
    endpoints = ec2.describe_vpc_endpoints()["VpcEndpoints"]
    assert endpoints == []
    assert endpoint_routes(ec2, main) == []
    # One endpoint route per service per table.
    first = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3, RouteTableIds=[main])["VpcEndpoint"]
    with ec2_error("RouteAlreadyExists",
                   f"route table {main} already has a route with destination-prefix-list-id {S3_PL}"):
        ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3, RouteTableIds=[main])
    # Positive control: the other service, and the same service in another table, are accepted.
    ddb = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=DDB, RouteTableIds=[main])["VpcEndpoint"]
    assert {r["DestinationPrefixListId"]: r["GatewayId"] for r in endpoint_routes(ec2, main)} == {
        S3_PL: first["VpcEndpointId"], DDB_PL: ddb["VpcEndpointId"]}


def test_endpoint_routes_cannot_be_created_replaced_or_deleted_directly(ec2, vpc):
    vpc_id, main, other = vpc
    vpce = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3, RouteTableIds=[main])["VpcEndpoint"][
        "VpcEndpointId"]
    with ec2_error("RouteNotSupported", f"Route table contains unsupported route target: {vpce}. "
                   "VPC Endpoints of this type cannot be used as route targets."):
        ec2.create_route(RouteTableId=other, DestinationCidrBlock="1.2.3.0/24", VpcEndpointId=vpce)
    managed = (f"The route to {S3_PL} in route table {main} is managed by VPC endpoint {vpce}; "
               "use ModifyVpcEndpoint instead.")
    with ec2_error("InvalidParameter", managed):
        ec2.delete_route(RouteTableId=main, DestinationPrefixListId=S3_PL)
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    with ec2_error("InvalidParameter", managed):
        ec2.replace_route(RouteTableId=main, DestinationPrefixListId=S3_PL, GatewayId=igw)
    with ec2_error("RouteAlreadyExists"):
        ec2.create_route(RouteTableId=main, DestinationPrefixListId=S3_PL, GatewayId=igw)
    assert endpoint_routes(ec2, main) == [
        {"DestinationPrefixListId": S3_PL, "GatewayId": vpce, "Origin": "CreateRoute", "State": "active"}]
    # Positive control: an ordinary prefix-list route in a table without the endpoint is created and deleted.
    ec2.create_route(RouteTableId=other, DestinationPrefixListId=S3_PL, GatewayId=igw)
    ec2.delete_route(RouteTableId=other, DestinationPrefixListId=S3_PL)
    assert endpoint_routes(ec2, other) == []


def test_modify_changes_policy_and_route_tables(ec2, vpc):
    vpc_id, main, other = vpc
    vpce = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3, RouteTableIds=[main])["VpcEndpoint"][
        "VpcEndpointId"]
    modified = ec2.modify_vpc_endpoint(VpcEndpointId=vpce, AddRouteTableIds=[other], RemoveRouteTableIds=[main],
                                       PolicyDocument='{"Statement":[]}')
    assert modified["Return"] is True
    after = described(ec2, vpce)
    assert (after["RouteTableIds"], after["PolicyDocument"]) == ([other], '{"Statement":[]}')
    assert endpoint_routes(ec2, main) == []
    assert [r["GatewayId"] for r in endpoint_routes(ec2, other)] == [vpce]
    ec2.modify_vpc_endpoint(VpcEndpointId=vpce, ResetPolicy=True)
    assert described(ec2, vpce)["PolicyDocument"] == DEFAULT_POLICY
    with ec2_error("InvalidRouteTableID.NotFound"):
        ec2.modify_vpc_endpoint(VpcEndpointId=vpce, AddRouteTableIds=["rtb-0123456789abcdef0"])
    with ec2_error("InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id 'vpce-0123456789abcdef0' does not exist"):
        ec2.modify_vpc_endpoint(VpcEndpointId="vpce-0123456789abcdef0", ResetPolicy=True)
    with ec2_error("InvalidVpcEndpointId.Malformed"):
        ec2.modify_vpc_endpoint(VpcEndpointId="vpce-xyz", ResetPolicy=True)
    assert described(ec2, vpce)["RouteTableIds"] == [other]


def test_delete_reports_unknown_ids_and_removes_routes(ec2, vpc):
    vpc_id, main, other = vpc
    vpce = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3, RouteTableIds=[main, other])["VpcEndpoint"][
        "VpcEndpointId"]
    with ec2_error("DependencyViolation"):
        ec2.delete_vpc(VpcId=vpc_id)
    gone = ec2.delete_vpc_endpoints(VpcEndpointIds=[vpce, "vpce-0123456789abcdef0"])
    assert gone["Unsuccessful"] == [{"Error": {
        "Code": "InvalidVpcEndpointId.NotFound",
        "Message": "The Vpc Endpoint Id 'vpce-0123456789abcdef0' does not exist"},
        "ResourceId": "vpce-0123456789abcdef0"}]
    assert endpoint_routes(ec2, main) == [] and endpoint_routes(ec2, other) == []
    with ec2_error("InvalidVpcEndpointId.NotFound"):
        ec2.describe_vpc_endpoints(VpcEndpointIds=[vpce])
    # Positive control: with the endpoint gone the VPC goes too.
    ec2.delete_route_table(RouteTableId=other)
    ec2.delete_vpc(VpcId=vpc_id)
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Vpcs"]
    assert vpcs == []


def test_delete_route_table_takes_it_out_of_the_endpoint(ec2, vpc):
    vpc_id, main, other = vpc
    vpce = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3, RouteTableIds=[main, other])["VpcEndpoint"][
        "VpcEndpointId"]
    ec2.delete_route_table(RouteTableId=other)
    assert described(ec2, vpce)["RouteTableIds"] == [main]


def test_describe_filters_and_paging(ec2, vpc):
    vpc_id, main, other = vpc
    s3 = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3, RouteTableIds=[main],
                                 TagSpecifications=tag_spec("vpc-endpoint", team="data"))["VpcEndpoint"]
    ddb = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=DDB)["VpcEndpoint"]
    elsewhere = ec2.create_vpc_endpoint(VpcId=create_vpc(ec2, "10.8.0.0/16")["VpcId"], ServiceName=S3)["VpcEndpoint"]

    def found(*filters):
        got = ec2.describe_vpc_endpoints(Filters=[{"Name": n, "Values": v} for n, v in filters])["VpcEndpoints"]
        return {e["VpcEndpointId"] for e in got}

    every = {s3["VpcEndpointId"], ddb["VpcEndpointId"], elsewhere["VpcEndpointId"]}
    assert found(("service-name", [S3])) == {s3["VpcEndpointId"], elsewhere["VpcEndpointId"]}
    assert found(("vpc-id", [vpc_id])) == {s3["VpcEndpointId"], ddb["VpcEndpointId"]}
    assert found(("vpc-endpoint-id", [ddb["VpcEndpointId"]])) == {ddb["VpcEndpointId"]}
    assert found(("vpc-endpoint-state", ["available"])) == every
    assert found(("vpc-endpoint-state", ["deleted"])) == set()
    assert found(("vpc-endpoint-type", ["Gateway"])) == every
    assert found(("vpc-endpoint-type", ["Interface"])) == set()
    assert found(("ip-address-type", ["ipv4"])) == every
    assert found(("service-region", ["us-east-1"])) == every
    assert found(("tag:team", ["data"])) == {s3["VpcEndpointId"]}
    assert found(("tag-key", ["team"])) == {s3["VpcEndpointId"]}
    with ec2_error("InvalidParameterValue"):
        ec2.describe_vpc_endpoints(Filters=[{"Name": "no-such-filter", "Values": ["x"]}])
    seen, token = [], None
    while True:
        page = ec2.describe_vpc_endpoints(MaxResults=5, **({"NextToken": token} if token else {}))
        seen += [e["VpcEndpointId"] for e in page["VpcEndpoints"]]
        token = page.get("NextToken")
        if not token:
            break
    assert sorted(seen) == sorted(every) and len(seen) == 3


def test_describe_vpc_endpoint_services_lists_the_gateway_services(ec2):
    answer = ec2.describe_vpc_endpoint_services(ServiceNames=[S3])
    assert answer["ServiceNames"] == [S3]
    (detail,) = answer["ServiceDetails"]
    assert detail["ServiceName"] == S3
    assert detail["ServiceType"] == [{"ServiceType": "Gateway"}]
    assert detail["Owner"] == "amazon"
    assert detail["BaseEndpointDnsNames"] == ["s3.us-east-1.amazonaws.com"]
    assert detail["AvailabilityZones"][0] == "us-east-1a"
    assert detail["ServiceId"].startswith("vpce-svc-")
    gateways = ec2.describe_vpc_endpoint_services(Filters=[{"Name": "service-type", "Values": ["Gateway"]}])
    assert gateways["ServiceNames"] == [DDB, S3]
    everything = ec2.describe_vpc_endpoint_services()["ServiceNames"]
    assert {DDB, S3, "com.amazonaws.us-east-1.ssm"} <= set(everything)
    with ec2_error("InvalidServiceName", "The Vpc Endpoint Service 'com.amazonaws.us-east-1.nope' does not exist"):
        ec2.describe_vpc_endpoint_services(ServiceNames=["com.amazonaws.us-east-1.nope"])


def test_describe_vpc_endpoint_services_pages_in_name_order(ec2):
    everything = ec2.describe_vpc_endpoint_services()
    assert "NextToken" not in everything, everything
    names = everything["ServiceNames"]
    assert names == sorted(names) and len(names) == 7, names
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"MaxResults": 3, **({"NextToken": token} if token else {})}
        page = ec2.describe_vpc_endpoint_services(**kwargs)
        assert [d["ServiceName"] for d in page["ServiceDetails"]] == page["ServiceNames"], page
        assert len(page["ServiceNames"]) <= 3, page
        seen += page["ServiceNames"]
        pages += 1
        token = page.get("NextToken")
        if not token:
            break
    assert (seen, pages) == (names, 3)
    # botocore: above 1,000 gives 1,000 (here: all of them, no token).
    capped = ec2.describe_vpc_endpoint_services(MaxResults=5000)
    assert (capped["ServiceNames"], capped.get("NextToken")) == (names, None)
    # The filters apply before paging.
    gateways = ec2.describe_vpc_endpoint_services(MaxResults=1, Filters=[
        {"Name": "service-type", "Values": ["Gateway"]}])
    assert gateways["ServiceNames"] == [DDB] and gateways["NextToken"], gateways
    rest = ec2.describe_vpc_endpoint_services(MaxResults=1, NextToken=gateways["NextToken"], Filters=[
        {"Name": "service-type", "Values": ["Gateway"]}])
    assert (rest["ServiceNames"], rest.get("NextToken")) == ([S3], None)
    with ec2_error("InvalidNextToken"):
        ec2.describe_vpc_endpoint_services(NextToken="garbage")
    with ec2_error("InvalidParameterValue",
                   "Value ( 0 ) for parameter maxResults is invalid. Parameter must be between 1 and 1000."):
        ec2.describe_vpc_endpoint_services(MaxResults=0)


def test_tags_and_describe_tags(ec2, vpc):
    vpc_id, main, _ = vpc
    vpce = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3)["VpcEndpoint"]["VpcEndpointId"]
    ec2.create_tags(Resources=[vpce], Tags=[{"Key": "env", "Value": "lab"}])
    tags = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": ["vpc-endpoint"]}])["Tags"]
    assert tags == [{"Key": "env", "ResourceId": vpce, "ResourceType": "vpc-endpoint", "Value": "lab"}]
    ec2.delete_tags(Resources=[vpce], Tags=[{"Key": "env"}])
    assert described(ec2, vpce)["Tags"] == []
    with ec2_error("InvalidVpcEndpointId.NotFound"):
        ec2.create_tags(Resources=["vpce-0123456789abcdef0"], Tags=[{"Key": "a", "Value": "b"}])


def test_another_account_cannot_see_or_change_an_endpoint(client_factory):
    a, b = client_factory(key="111111111111"), client_factory(key="222222222222")
    vpc_id = create_vpc(a)["VpcId"]
    vpce = a.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3)["VpcEndpoint"]["VpcEndpointId"]
    endpoints = b.describe_vpc_endpoints()["VpcEndpoints"]
    assert endpoints == []
    with ec2_error("InvalidVpcEndpointId.NotFound"):
        b.describe_vpc_endpoints(VpcEndpointIds=[vpce])
    with ec2_error("InvalidVpcEndpointId.NotFound"):
        b.modify_vpc_endpoint(VpcEndpointId=vpce, ResetPolicy=True)
    refused = b.delete_vpc_endpoints(VpcEndpointIds=[vpce])["Unsuccessful"]
    assert [u["Error"]["Code"] for u in refused] == ["InvalidVpcEndpointId.NotFound"]
    # Positive control: the owner still sees it.
    assert described(a, vpce)["OwnerId"] == "111111111111"


def test_the_aws_cli_drives_the_whole_lifecycle(aws, ec2):
    vpc_id = create_vpc(ec2)["VpcId"]
    main = main_route_table(ec2, vpc_id)["RouteTableId"]
    made = aws("ec2", "create-vpc-endpoint", "--vpc-id", vpc_id, "--service-name", S3, "--route-table-ids", main)
    assert made.rc == 0, made.stderr
    vpce = made.json["VpcEndpoint"]["VpcEndpointId"]
    assert (made.json["VpcEndpoint"]["State"], made.json["VpcEndpoint"]["RouteTableIds"]) == ("available", [main])
    listed = aws("ec2", "describe-vpc-endpoints", "--filters", f"Name=vpc-id,Values={vpc_id}")
    assert [e["VpcEndpointId"] for e in listed.json["VpcEndpoints"]] == [vpce]
    routes = aws("ec2", "describe-route-tables", "--route-table-ids", main)
    assert [r for r in routes.json["RouteTables"][0]["Routes"] if "DestinationPrefixListId" in r] == [
        {"DestinationPrefixListId": S3_PL, "GatewayId": vpce, "Origin": "CreateRoute", "State": "active"}]
    modified = aws("ec2", "modify-vpc-endpoint", "--vpc-endpoint-id", vpce, "--remove-route-table-ids", main)
    assert modified.json["Return"] is True
    services = aws("ec2", "describe-vpc-endpoint-services", "--service-names", DDB)
    assert services.json["ServiceDetails"][0]["ServiceType"] == [{"ServiceType": "Gateway"}]
    cli_error(aws("ec2", "create-vpc-endpoint", "--vpc-id", vpc_id, "--service-name", "com.amazonaws.us-east-1.x"),
              "InvalidServiceName", "The Vpc Endpoint Service 'com.amazonaws.us-east-1.x' does not exist")
    gone = aws("ec2", "delete-vpc-endpoints", "--vpc-endpoint-ids", vpce)
    assert gone.json["Unsuccessful"] == []
    cli_error(aws("ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", vpce), "InvalidVpcEndpointId.NotFound",
              f"The Vpc Endpoint Id '{vpce}' does not exist")


def test_endpoints_and_their_routes_survive_a_restart(sqlite_server, client_factory):
    srv = sqlite_server().start()
    ec2 = client_factory(endpoint=srv.endpoint)
    vpc_id = create_vpc(ec2)["VpcId"]
    main = main_route_table(ec2, vpc_id)["RouteTableId"]
    vpce = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3, RouteTableIds=[main],
                                   TagSpecifications=tag_spec("vpc-endpoint", Name="x"))["VpcEndpoint"]["VpcEndpointId"]
    before = described(ec2, vpce)
    srv.kill()
    srv.start()
    ec2 = client_factory(endpoint=srv.endpoint)
    assert described(ec2, vpce) == before
    assert [r["GatewayId"] for r in endpoint_routes(ec2, main)] == [vpce]


@pytest.fixture(scope="module")
def quota_server(log_dir):
    srv = LocalVpcServer("memory", log_dir, name="vpc-endpoint-quotas", extra_args=["--quotas", "aws"])
    srv.start()
    yield srv
    srv.stop()


def test_quotas_aws_allows_20_gateway_endpoints_per_region(quota_server):
    ec2 = make_client(quota_server.endpoint)
    vpc_id = create_vpc(ec2)["VpcId"]
    for _ in range(20):
        ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3)
    with ec2_error("VpcEndpointLimitExceeded", "The maximum number of VPC endpoints has been reached."):
        ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3)
    # Positive control: the limit is per Region.
    other = make_client(quota_server.endpoint, region="eu-west-1")
    made = other.create_vpc_endpoint(VpcId=create_vpc(other)["VpcId"], ServiceName="com.amazonaws.eu-west-1.s3")
    assert made["VpcEndpoint"]["State"] == "available"
