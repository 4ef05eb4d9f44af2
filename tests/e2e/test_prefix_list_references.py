"""Using managed prefix lists (part 2 §17.3): security group rules whose source (ingress) or destination (egress)
is a prefix list — authorized, described and revoked as AWS shows them, weighed against the rules quota, listed by
GetManagedPrefixListAssociations and keeping the list from being deleted — and the traffic such a rule admits,
which follows the list's current version. Driven with boto3, the aws CLI and `localvpc exec`."""
from __future__ import annotations

import ipaddress

import pytest

from conftest import LocalVpcServer, make_client
from helpers import cli_error, ec2_error
from test_exec import AMI, REGION, localvpc  # noqa: F401  (the `localvpc` fixture runs the tools)

ACCOUNT = "123456789012"
S3 = "pl-63a5400a"


def new_list(ec2, cidrs=("192.168.0.0/16",), max_entries: int = 5, name: str = "office") -> str:
    return ec2.create_managed_prefix_list(PrefixListName=name, MaxEntries=max_entries, AddressFamily="IPv4",
                                          Entries=[{"Cidr": c} for c in cidrs])["PrefixList"]["PrefixListId"]


def new_group(ec2, cidr: str = "10.0.0.0/16", name: str = "web") -> str:
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    return ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]


def https_from(*lists) -> list:
    return [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": list(lists)}]


def associations(ec2, pl_id: str) -> list:
    return ec2.get_managed_prefix_list_associations(PrefixListId=pl_id)["PrefixListAssociations"]


def test_an_ingress_rule_naming_lists_is_authorized_and_described_as_aws_shows_it(ec2):
    group = new_group(ec2)
    office = new_list(ec2)
    added = ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=https_from(
        {"PrefixListId": office, "Description": "office"}, {"PrefixListId": S3}))["SecurityGroupRules"]
    assert [(r["PrefixListId"], r.get("Description"), r["IsEgress"], r["FromPort"]) for r in added] == [
        (office, "office", False, 443), (S3, None, False, 443)]
    assert all("CidrIpv4" not in r and "ReferencedGroupInfo" not in r for r in added)
    permissions = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]["IpPermissions"]
    assert permissions == [{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [], "Ipv6Ranges": [], "UserIdGroupPairs": [],
        "PrefixListIds": [{"PrefixListId": office, "Description": "office"}, {"PrefixListId": S3}],
    }]
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]
    assert sorted(r["PrefixListId"] for r in rules if "PrefixListId" in r) == sorted([office, S3])
    by_list = ec2.describe_security_groups(Filters=[{"Name": "ip-permission.prefix-list-id", "Values": [office]}])
    assert [g["GroupId"] for g in by_list["SecurityGroups"]] == [group]
    # Positive control for the filter: the egress filter does not see an ingress reference.
    by_egress = ec2.describe_security_groups(Filters=[{"Name": "egress.ip-permission.prefix-list-id",
                                                       "Values": [office]}])
    assert by_egress["SecurityGroups"] == []
    # The same reference again is a duplicate; an unknown list is not found; a CIDR rule still works.
    with ec2_error("InvalidPermission.Duplicate",
                   f'the specified rule "peer: {office}, TCP, from port: 443, to port: 443, ALLOW" already exists'):
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=https_from({"PrefixListId": office}))
    with ec2_error("InvalidPrefixListID.NotFound", "The prefix list ID 'pl-0123456789abcdef0' does not exist"):
        ec2.authorize_security_group_ingress(GroupId=group,
                                             IpPermissions=https_from({"PrefixListId": "pl-0123456789abcdef0"}))
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.1.0.0/16"}]}])


def test_another_accounts_list_is_not_found(ec2, client_factory):
    outsider = client_factory(key="222222222222")
    foreign = new_list(outsider)
    group = new_group(ec2)
    with ec2_error("InvalidPrefixListID.NotFound", f"The prefix list ID '{foreign}' does not exist"):
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=https_from({"PrefixListId": foreign}))
    # Positive control: the owner can use it.
    own_group = new_group(outsider)
    outsider.authorize_security_group_ingress(GroupId=own_group, IpPermissions=https_from({"PrefixListId": foreign}))


def test_a_referenced_list_names_its_groups_and_is_deleted_only_once_unreferenced(ec2):
    web, db = new_group(ec2, name="web"), new_group(ec2, "10.1.0.0/16", name="db")
    office = new_list(ec2)
    assert associations(ec2, office) == []
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=https_from({"PrefixListId": office}))
    egress = ec2.authorize_security_group_egress(GroupId=db, IpPermissions=[
        {"IpProtocol": "-1", "PrefixListIds": [{"PrefixListId": office}]}])["SecurityGroupRules"][0]
    assert (egress["IsEgress"], egress["PrefixListId"], egress["IpProtocol"]) == (True, office, "-1")
    db_egress = ec2.describe_security_groups(GroupIds=[db])["SecurityGroups"][0]["IpPermissionsEgress"]
    assert [p["PrefixListIds"] for p in db_egress if p["PrefixListIds"]] == [[{"PrefixListId": office}]]
    assert sorted(a["ResourceId"] for a in associations(ec2, office)) == sorted([web, db])
    assert {a["ResourceOwner"] for a in associations(ec2, office)} == {ACCOUNT}
    first = min(web, db)
    with ec2_error("DependencyViolation", f"The prefix list {office} is referenced by {first} and cannot be deleted."):
        ec2.delete_managed_prefix_list(PrefixListId=office)
    ec2.revoke_security_group_ingress(GroupId=web, IpPermissions=https_from({"PrefixListId": office}))
    ec2.revoke_security_group_egress(GroupId=db, SecurityGroupRuleIds=[egress["SecurityGroupRuleId"]])
    assert associations(ec2, office) == []
    deleted = ec2.delete_managed_prefix_list(PrefixListId=office)["PrefixList"]
    assert (deleted["PrefixListId"], deleted["State"]) == (office, "delete-complete")


def test_the_aws_cli_authorizes_lists_and_shows_their_associations(aws):
    vpc = aws("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16").json["Vpc"]["VpcId"]
    group = aws("ec2", "create-security-group", "--group-name", "db", "--description", "db",
                "--vpc-id", vpc).json["GroupId"]
    pl_id = aws("ec2", "create-managed-prefix-list", "--prefix-list-name", "corp", "--max-entries", "3",
                "--address-family", "IPv4", "--entries", "Cidr=10.5.0.0/16").json["PrefixList"]["PrefixListId"]
    added = aws("ec2", "authorize-security-group-ingress", "--group-id", group, "--ip-permissions",
                f"IpProtocol=tcp,FromPort=5432,ToPort=5432,PrefixListIds=[{{PrefixListId={pl_id},"
                "Description=from-corp}]")
    assert added.rc == 0, added.stderr
    assert [(r["PrefixListId"], r["Description"], r["FromPort"]) for r in added.json["SecurityGroupRules"]] == [
        (pl_id, "from-corp", 5432)]
    rules = aws("ec2", "describe-security-group-rules", "--filters", f"Name=group-id,Values={group}")
    assert [r["PrefixListId"] for r in rules.json["SecurityGroupRules"] if not r["IsEgress"]] == [pl_id]
    linked = aws("ec2", "get-managed-prefix-list-associations", "--prefix-list-id", pl_id)
    assert linked.json["PrefixListAssociations"] == [{"ResourceId": group, "ResourceOwner": ACCOUNT}]
    refused = aws("ec2", "delete-managed-prefix-list", "--prefix-list-id", pl_id)
    cli_error(refused, "DependencyViolation", f"The prefix list {pl_id} is referenced by {group} and cannot be deleted.")
    unknown = aws("ec2", "authorize-security-group-ingress", "--group-id", group, "--ip-permissions",
                  "IpProtocol=tcp,FromPort=22,ToPort=22,PrefixListIds=[{PrefixListId=pl-0123456789abcdef0}]")
    cli_error(unknown, "InvalidPrefixListID.NotFound", "The prefix list ID 'pl-0123456789abcdef0' does not exist")


@pytest.fixture(scope="module")
def quota_server(log_dir):
    srv = LocalVpcServer("memory", log_dir, name="prefix-list-reference-quotas", extra_args=["--quotas", "aws"])
    srv.start()
    yield srv
    srv.stop()


def test_quotas_aws_weighs_a_reference_by_max_entries(quota_server):
    ec2 = make_client(quota_server.endpoint)
    group = new_group(ec2)
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
        "IpRanges": [{"CidrIp": f"10.{n}.0.0/16"} for n in range(10)]}])
    heavy = new_list(ec2, max_entries=51, name="heavy")
    with ec2_error("RulesPerSecurityGroupLimitExceeded",
                   "The maximum number of rules per security group has been reached."):
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=https_from({"PrefixListId": heavy}))
    # Positive control: a list of MaxEntries 50 brings the group to exactly 60; the S3 list weighs 1 more.
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=https_from(
        {"PrefixListId": new_list(ec2, max_entries=50, name="fits")}))
    with ec2_error("RulesPerSecurityGroupLimitExceeded"):
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=https_from({"PrefixListId": S3}))
    # Growing a referenced list past what the group can hold is refused and changes nothing (part 2 §17.2).
    ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
    fits = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]["IpPermissions"]
    fits_id = [p["PrefixListIds"][0]["PrefixListId"] for p in fits if p["PrefixListIds"]][0]
    with ec2_error("RulesPerSecurityGroupLimitExceeded"):
        ec2.modify_managed_prefix_list(PrefixListId=fits_id, MaxEntries=52)
    max_entries = ec2.describe_managed_prefix_lists(PrefixListIds=[fits_id])["PrefixLists"][0]["MaxEntries"]
    assert max_entries == 50
    # Positive control: one rule freed leaves room for exactly one more entry.
    grown = ec2.modify_managed_prefix_list(PrefixListId=fits_id, MaxEntries=51)["PrefixList"]
    assert grown["MaxEntries"] == 51


class Hosts:
    """VPC 10.30.0.0/16: a client instance in 10.30.1.0/24 (default group) and a server in 10.30.2.0/24 whose own
    group admits nothing until a rule names a prefix list."""

    def __init__(self, ec2, localvpc):  # noqa: F811
        self.ec2, self.localvpc = ec2, localvpc
        vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
        clients = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24")["Subnet"]["SubnetId"]
        servers = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.2.0/24")["Subnet"]["SubnetId"]
        self.group = ec2.create_security_group(GroupName="server", Description="server", VpcId=vpc)["GroupId"]
        self.client = self.run(clients)["InstanceId"]
        self.server_ip = self.run(servers, SecurityGroupIds=[self.group])["PrivateIpAddress"]

    def run(self, subnet: str, **kw) -> dict:
        return self.ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=subnet,
                                      **kw)["Instances"][0]

    def ping(self):
        return self.localvpc("exec", self.client, "--", "ping", "-c", "1", self.server_ip)


@pytest.fixture
def hosts(client_factory, localvpc):  # noqa: F811
    return Hosts(client_factory(region=REGION), localvpc)


def test_a_server_answers_once_its_group_admits_a_list_holding_the_clients_block_and_not_after_removal(hosts):
    ec2 = hosts.ec2
    closed = hosts.ping()
    assert closed.rc == 1 and "100% packet loss" in closed.out, closed
    clients = ec2.create_managed_prefix_list(PrefixListName="clients", MaxEntries=3, AddressFamily="IPv4",
                                             Entries=[{"Cidr": "10.30.1.0/24"}])["PrefixList"]["PrefixListId"]
    ec2.authorize_security_group_ingress(GroupId=hosts.group, IpPermissions=[
        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "PrefixListIds": [{"PrefixListId": clients}]}])
    opened = hosts.ping()
    assert opened.rc == 0 and "1 received" in opened.out, opened
    # Removing the client's block makes a new version; the rule follows it at once.
    ec2.modify_managed_prefix_list(PrefixListId=clients, CurrentVersion=1, AddEntries=[{"Cidr": "10.99.0.0/16"}],
                                   RemoveEntries=[{"Cidr": "10.30.1.0/24"}])
    closed_again = hosts.ping()
    assert closed_again.rc == 1 and "100% packet loss" in closed_again.out, closed_again
    why = hosts.localvpc("explain", hosts.client, hosts.server_ip)
    assert why.rc == 1 and "ENI_SG_RULES_MISMATCH" in why.out, why


# ---- routes to a prefix list ----

def table_and_gateway(ec2, cidr: str = "10.0.0.0/16") -> tuple[str, str, str]:
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    return vpc, ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"], igw


def list_routes(ec2, table: str) -> list:
    routes = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
    return [r for r in routes if "DestinationPrefixListId" in r]


def test_a_route_to_a_list_is_created_described_replaced_and_deleted(ec2):
    vpc, table, igw = table_and_gateway(ec2)
    office = new_list(ec2, cidrs=("192.168.0.0/16", "172.16.0.0/12"))
    routed = ec2.create_route(RouteTableId=table, DestinationPrefixListId=office, GatewayId=igw)["Return"]
    assert routed is True
    assert list_routes(ec2, table) == [{"DestinationPrefixListId": office, "GatewayId": igw, "State": "active",
                                        "Origin": "CreateRoute"}]
    # The list's blocks are not listed as CIDR routes of their own.
    cidrs = [r.get("DestinationCidrBlock") for r in ec2.describe_route_tables(RouteTableIds=[table])[
        "RouteTables"][0]["Routes"]]
    assert cidrs == ["10.0.0.0/16", None]
    by_filter = ec2.describe_route_tables(Filters=[{"Name": "route.destination-prefix-list-id", "Values": [office]}])
    assert [t["RouteTableId"] for t in by_filter["RouteTables"]] == [table]
    assert associations(ec2, office) == [{"ResourceId": table, "ResourceOwner": ACCOUNT}]
    with ec2_error("RouteAlreadyExists", f"The route identified by {office} already exists."):
        ec2.create_route(RouteTableId=table, DestinationPrefixListId=office, GatewayId=igw)
    with ec2_error("InvalidPrefixListID.NotFound", "The prefix list ID 'pl-0123456789abcdef0' does not exist"):
        ec2.create_route(RouteTableId=table, DestinationPrefixListId="pl-0123456789abcdef0", GatewayId=igw)
    with ec2_error("DependencyViolation"):
        ec2.delete_managed_prefix_list(PrefixListId=office)
    # ReplaceRoute moves it to another target: a detached gateway makes it a blackhole.
    other = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.attach_internet_gateway(InternetGatewayId=other, VpcId=vpc)
    assert list_routes(ec2, table)[0]["State"] == "blackhole"
    ec2.replace_route(RouteTableId=table, DestinationPrefixListId=office, GatewayId=other)
    assert [(r["GatewayId"], r["State"]) for r in list_routes(ec2, table)] == [(other, "active")]
    ec2.delete_route(RouteTableId=table, DestinationPrefixListId=office)
    assert list_routes(ec2, table) == []
    with ec2_error("InvalidRoute.NotFound", f"no route with destination-prefix-list-id {office} in route table {table}"):
        ec2.delete_route(RouteTableId=table, DestinationPrefixListId=office)
    state = ec2.delete_managed_prefix_list(PrefixListId=office)["PrefixList"]["State"]
    assert state == "delete-complete"


def test_a_gateway_route_table_refuses_a_route_to_a_list(ec2):
    vpc, table, igw = table_and_gateway(ec2)
    edge = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=edge, GatewayId=igw)
    office = new_list(ec2)
    with ec2_error("InvalidParameterValue",
                   f"The route table {edge} is associated with a gateway and cannot have routes to a prefix list."):
        ec2.create_route(RouteTableId=edge, DestinationPrefixListId=office, GatewayId=igw)
    # Positive control: the ordinary table takes the same route.
    ec2.create_route(RouteTableId=table, DestinationPrefixListId=office, GatewayId=igw)


def test_the_aws_cli_creates_and_deletes_a_route_to_a_list(aws):
    vpc = aws("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16").json["Vpc"]["VpcId"]
    igw = aws("ec2", "create-internet-gateway").json["InternetGateway"]["InternetGatewayId"]
    assert aws("ec2", "attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc).rc == 0
    table = aws("ec2", "create-route-table", "--vpc-id", vpc).json["RouteTable"]["RouteTableId"]
    pl_id = aws("ec2", "create-managed-prefix-list", "--prefix-list-name", "corp", "--max-entries", "2",
                "--address-family", "IPv4", "--entries", "Cidr=10.5.0.0/16").json["PrefixList"]["PrefixListId"]
    made = aws("ec2", "create-route", "--route-table-id", table, "--destination-prefix-list-id", pl_id,
               "--gateway-id", igw)
    assert made.rc == 0 and made.json["Return"] is True, made.stderr
    routes = aws("ec2", "describe-route-tables", "--route-table-ids", table).json["RouteTables"][0]["Routes"]
    assert [r for r in routes if "DestinationPrefixListId" in r] == [
        {"DestinationPrefixListId": pl_id, "GatewayId": igw, "State": "active", "Origin": "CreateRoute"}]
    linked = aws("ec2", "get-managed-prefix-list-associations", "--prefix-list-id", pl_id)
    assert linked.json["PrefixListAssociations"] == [{"ResourceId": table, "ResourceOwner": ACCOUNT}]
    assert aws("ec2", "delete-route", "--route-table-id", table, "--destination-prefix-list-id", pl_id).rc == 0
    missing = aws("ec2", "delete-route", "--route-table-id", table, "--destination-prefix-list-id", pl_id)
    cli_error(missing, "InvalidRoute.NotFound")


class Peered:
    """VPC A 10.40.0.0/16 and VPC B 10.41.0.0/16 peered, an instance in each; B routes back to A by CIDR and its
    default group admits ICMP from A; A reaches B only through the routes a test adds."""

    def __init__(self, ec2, localvpc):  # noqa: F811
        self.ec2, self.localvpc = ec2, localvpc
        self.a, self.a_instance, _ = self.network("10.40.0.0/16", "10.40.1.0/24")
        self.b, _, self.b_ip = self.network("10.41.0.0/16", "10.41.1.0/24")
        self.pcx = ec2.create_vpc_peering_connection(VpcId=self.a, PeerVpcId=self.b)[
            "VpcPeeringConnection"]["VpcPeeringConnectionId"]
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=self.pcx)
        ec2.create_route(RouteTableId=self.main(self.b), DestinationCidrBlock="10.40.0.0/16",
                         VpcPeeringConnectionId=self.pcx)
        b_group = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [self.b]},
                                                        {"Name": "group-name", "Values": ["default"]}])[
            "SecurityGroups"][0]["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=b_group, IpPermissions=[
            {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.40.0.0/16"}]}])

    def network(self, cidr: str, subnet_cidr: str):
        vpc = self.ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        subnet = self.ec2.create_subnet(VpcId=vpc, CidrBlock=subnet_cidr)["Subnet"]["SubnetId"]
        instance = self.ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                          SubnetId=subnet)["Instances"][0]
        return vpc, instance["InstanceId"], instance["PrivateIpAddress"]

    def main(self, vpc: str) -> str:
        return self.ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                       {"Name": "association.main", "Values": ["true"]}])[
            "RouteTables"][0]["RouteTableId"]

    def ping(self):
        return self.localvpc("exec", self.a_instance, "--", "ping", "-c", "1", self.b_ip)


@pytest.fixture
def peered(client_factory, localvpc):  # noqa: F811
    return Peered(client_factory(region=REGION), localvpc)


def test_a_route_to_a_list_carries_traffic_over_peering_and_a_static_route_of_equal_block_wins(peered):
    ec2 = peered.ec2
    no_route = peered.ping()
    assert no_route.rc == 1 and "100% packet loss" in no_route.out, no_route
    remote = ec2.create_managed_prefix_list(PrefixListName="remote", MaxEntries=3, AddressFamily="IPv4",
                                            Entries=[{"Cidr": "10.41.0.0/16"}])["PrefixList"]["PrefixListId"]
    main_a = peered.main(peered.a)
    ec2.create_route(RouteTableId=main_a, DestinationPrefixListId=remote, VpcPeeringConnectionId=peered.pcx)
    routed = peered.ping()
    assert routed.rc == 0 and "1 received" in routed.out, routed
    # A static route to the same block wins: to an internet gateway, where a private address goes nowhere.
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=peered.a)
    ec2.create_route(RouteTableId=main_a, DestinationCidrBlock="10.41.0.0/16", GatewayId=igw)
    static_wins = peered.ping()
    assert static_wins.rc == 1 and "100% packet loss" in static_wins.out, static_wins
    why = peered.localvpc("explain", peered.a_instance, peered.b_ip)
    assert why.rc == 1 and igw in why.out and peered.pcx not in why.out, why
    # Positive control: without it the prefix-list route carries the traffic again.
    ec2.delete_route(RouteTableId=main_a, DestinationCidrBlock="10.41.0.0/16")
    assert peered.ping().rc == 0
    # And a new version of the list without the block leaves no route.
    ec2.modify_managed_prefix_list(PrefixListId=remote, CurrentVersion=1, AddEntries=[{"Cidr": "10.99.0.0/16"}],
                                   RemoveEntries=[{"Cidr": "10.41.0.0/16"}])
    gone = peered.localvpc("explain", peered.a_instance, peered.b_ip)
    assert gone.rc == 1 and "NO_ROUTE_TO_DESTINATION" in gone.out, gone


def test_a_route_to_the_s3_list_through_the_internet_gateway_reaches_s3_addresses_only(peered):
    ec2 = peered.ec2
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=peered.a)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=allocation, InstanceId=peered.a_instance)
    main_a = peered.main(peered.a)
    s3 = ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [f"com.amazonaws.{REGION}.s3"]}])[
        "PrefixLists"][0]
    s3_host = str(ipaddress.ip_network(s3["Cidrs"][0])[10])
    other_host = "8.8.8.8"  # outside every list
    before = peered.localvpc("exec", peered.a_instance, "--", "ping", "-c", "1", s3_host)
    assert before.rc == 1 and "100% packet loss" in before.out, before
    ec2.create_route(RouteTableId=main_a, DestinationPrefixListId=s3["PrefixListId"], GatewayId=igw)
    to_s3 = peered.localvpc("exec", peered.a_instance, "--", "ping", "-c", "1", s3_host)
    assert to_s3.rc == 0 and "1 received" in to_s3.out, to_s3
    elsewhere = peered.localvpc("explain", peered.a_instance, other_host)
    assert elsewhere.rc == 1 and "NO_ROUTE_TO_DESTINATION" in elsewhere.out, elsewhere
    # Positive control: a default route carries the other host too.
    ec2.create_route(RouteTableId=main_a, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    default = peered.localvpc("exec", peered.a_instance, "--", "ping", "-c", "1", other_host)
    assert default.rc == 0 and "1 received" in default.out, default
