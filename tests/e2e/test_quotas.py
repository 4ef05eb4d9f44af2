"""Quotas (spec §5, DESIGN contracts): `serve --quotas aws` enforces AWS's default quotas with their exact error codes;
the default server (`--quotas none`) enforces none of them."""
import pytest

from conftest import LocalVpcServer
from helpers import create_vpc, ec2_error

ANYWHERE = "0.0.0.0/0"


@pytest.fixture(scope="module")
def quota_server(log_dir):
    srv = LocalVpcServer("memory", log_dir, name="quotas-aws", extra_args=["--quotas", "aws"])
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def quota_ec2(quota_server, client_factory):
    """An ec2 client of a fresh `--quotas aws` server (a factory for other regions: quota_ec2.region(name))."""
    quota_server.reset()

    class Clients:
        def __init__(self):
            self.default = client_factory(endpoint=quota_server.endpoint)

        def region(self, name):
            return client_factory(region=name, endpoint=quota_server.endpoint)

    return Clients()


def tcp(port, cidr):
    return [{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}]


def test_the_server_logs_its_quotas(quota_server):
    assert "quotas=aws" in quota_server.log_tail()


def test_vpc_limit_counts_the_default_vpc(quota_ec2):
    ec2 = quota_ec2.default
    assert len(ec2.describe_vpcs()["Vpcs"]) == 1  # the default VPC
    for n in range(4):
        create_vpc(ec2, f"10.{n}.0.0/16")
    with ec2_error("VpcLimitExceeded", "The maximum number of VPCs has been reached."):
        create_vpc(ec2, "10.9.0.0/16")
    assert len(ec2.describe_vpcs()["Vpcs"]) == 5
    # Quotas are per region: another region starts with its own default VPC and room for four more.
    west = quota_ec2.region("us-west-2")
    create_vpc(west, "10.0.0.0/16")


def test_address_limit(quota_ec2):
    ec2 = quota_ec2.default
    allocations = [ec2.allocate_address(Domain="vpc")["AllocationId"] for _ in range(5)]
    with ec2_error("AddressLimitExceeded", "The maximum number of addresses has been reached."):
        ec2.allocate_address(Domain="vpc")
    assert len(ec2.describe_addresses()["Addresses"]) == 5
    ec2.release_address(AllocationId=allocations[0])
    ec2.allocate_address(Domain="vpc")


def test_internet_gateway_limit_counts_the_default_vpc_gateway(quota_ec2):
    ec2 = quota_ec2.default
    assert len(ec2.describe_internet_gateways()["InternetGateways"]) == 1
    for _ in range(4):
        ec2.create_internet_gateway()
    with ec2_error("InternetGatewayLimitExceeded", "The maximum number of internet gateways has been reached."):
        ec2.create_internet_gateway()


def test_cidr_block_limit(quota_ec2):
    ec2 = quota_ec2.default
    vpc_id = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    for n in range(1, 5):
        ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock=f"10.{n}.0.0/16")
    with ec2_error("CidrLimitExceeded", f"This network {vpc_id} has met its maximum number of allowed CIDRs: 5"):
        ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.5.0.0/16")


def test_route_limit_is_fifty_non_local_routes(quota_ec2):
    ec2 = quota_ec2.default
    vpc_id = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    rtb_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    for n in range(50):
        ec2.create_route(RouteTableId=rtb_id, DestinationCidrBlock=f"192.168.{n}.0/24", GatewayId=igw_id)
    with ec2_error("RouteLimitExceeded"):
        ec2.create_route(RouteTableId=rtb_id, DestinationCidrBlock="192.168.99.0/24", GatewayId=igw_id)
    routes = ec2.describe_route_tables(RouteTableIds=[rtb_id])["RouteTables"][0]["Routes"]
    assert len(routes) == 51  # the 50 plus the local route
    ec2.delete_route(RouteTableId=rtb_id, DestinationCidrBlock="192.168.0.0/24")
    ec2.create_route(RouteTableId=rtb_id, DestinationCidrBlock="192.168.99.0/24", GatewayId=igw_id)


def test_rules_per_security_group_limit_per_direction(quota_ec2):
    ec2 = quota_ec2.default
    vpc_id = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    gid = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc_id)["GroupId"]
    for n in range(60):
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=tcp(22, f"10.{n}.0.0/16"))
    with ec2_error("RulesPerSecurityGroupLimitExceeded",
                   "The maximum number of rules per security group has been reached."):
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=tcp(23, ANYWHERE))
    # Egress counts on its own; the default allow-all egress rule is one of its 60.
    for n in range(59):
        ec2.authorize_security_group_egress(GroupId=gid, IpPermissions=tcp(443, f"10.{n}.0.0/16"))
    with ec2_error("RulesPerSecurityGroupLimitExceeded"):
        ec2.authorize_security_group_egress(GroupId=gid, IpPermissions=tcp(444, ANYWHERE))
    group = ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]
    assert (len(group["IpPermissions"][0]["IpRanges"]), len(group["IpPermissionsEgress"])) == (60, 2)


def test_outstanding_peering_request_limit(quota_ec2):
    east, west = quota_ec2.default, quota_ec2.region("us-west-2")
    east_vpcs = [v["VpcId"] for v in east.describe_vpcs()["Vpcs"]]  # the default VPC, 172.31.0.0/16
    west_default = west.describe_vpcs()["Vpcs"][0]["VpcId"]
    east_vpcs += [create_vpc(east, f"10.{n}.0.0/16")["VpcId"] for n in range(4)]
    west_vpcs = [create_vpc(west, f"10.{10 + n}.0.0/16")["VpcId"] for n in range(4)]
    # Every ordered pair of the region's five VPCs (20) and then peers in us-west-2: none overlap.
    candidates = [(a, b, None) for a in east_vpcs for b in east_vpcs if a != b]
    candidates += [(a, b, "us-west-2") for a in east_vpcs for b in west_vpcs + [west_default]
                   if not (a == east_vpcs[0] and b == west_default)]

    def request(a, b, region):
        kw = {"VpcId": a, "PeerVpcId": b}
        if region:
            kw["PeerRegion"] = region
        return east.create_vpc_peering_connection(**kw)["VpcPeeringConnection"]

    made = [request(*candidate) for candidate in candidates[:25]]
    assert {pcx["Status"]["Code"] for pcx in made} == {"initiating-request"}
    pending = east.describe_vpc_peering_connections(
        Filters=[{"Name": "status-code", "Values": ["pending-acceptance"]}])["VpcPeeringConnections"]
    assert len(pending) == 25
    with ec2_error("PendingVpcPeeringConnectionLimitExceeded", "Vpc peering connection request limit exceeded."):
        request(*candidates[25])
    # A same-direction duplicate returns the existing request: it is not a new one, so it is not refused.
    assert request(*candidates[0])["VpcPeeringConnectionId"] == made[0]["VpcPeeringConnectionId"]
    # Accepting one makes room.
    east.accept_vpc_peering_connection(VpcPeeringConnectionId=made[0]["VpcPeeringConnectionId"])
    request(*candidates[25])


def test_hard_rules_are_the_same_with_quotas(quota_ec2):
    ec2 = quota_ec2.default
    with ec2_error("InvalidVpc.Range"):
        create_vpc(ec2, "10.0.0.0/8")
    vpc_id = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    first, second = (ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"] for _ in range(2))
    ec2.attach_internet_gateway(InternetGatewayId=first, VpcId=vpc_id)
    with ec2_error("InvalidParameterValue"):
        ec2.attach_internet_gateway(InternetGatewayId=second, VpcId=vpc_id)


def test_the_default_server_enforces_no_quota(ec2):
    for n in range(10):
        create_vpc(ec2, f"10.{n}.0.0/16")
    assert len(ec2.describe_vpcs()["Vpcs"]) == 11
    for _ in range(10):
        ec2.allocate_address(Domain="vpc")
        ec2.create_internet_gateway()
    assert len(ec2.describe_addresses()["Addresses"]) == 10
    assert len(ec2.describe_internet_gateways()["InternetGateways"]) == 11
    vpc_id = create_vpc(ec2, "10.100.0.0/16")["VpcId"]
    for n in range(1, 7):
        ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock=f"10.{100 + n}.0.0/16")
    vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
    assert len(vpc["CidrBlockAssociationSet"]) == 7


def test_nat_gateway_limit_is_five_per_zone(quota_ec2):
    ec2 = quota_ec2.default
    vpc = create_vpc(ec2, "10.50.0.0/16")["VpcId"]
    zone_a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.50.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    zone_b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.50.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    nats = [ec2.create_nat_gateway(SubnetId=zone_a, ConnectivityType="private")["NatGateway"]["NatGatewayId"]
            for _ in range(5)]
    with ec2_error("NatGatewayLimitExceeded", "Performing this operation would exceed the limit of 5 NAT gateways"):
        ec2.create_nat_gateway(SubnetId=zone_a, ConnectivityType="private")
    # Another zone has its own five; a deleted gateway no longer counts.
    ec2.create_nat_gateway(SubnetId=zone_b, ConnectivityType="private")
    ec2.delete_nat_gateway(NatGatewayId=nats[0])
    ec2.create_nat_gateway(SubnetId=zone_a, ConnectivityType="private")
