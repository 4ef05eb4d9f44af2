"""§2.3 Subnets."""
import pytest

from helpers import (AZ_TABLE, DEFAULT_ACCOUNT, UNKNOWN, assert_id, cli_error, create_subnet, create_vpc, ec2_error,
                     ids, tag_spec, tags_of)


@pytest.fixture
def vpc_id(ec2):
    return create_vpc(ec2, "10.0.0.0/16")["VpcId"]


def test_create_subnet_response_and_describe(ec2, vpc_id):
    s = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a",
                          TagSpecifications=tag_spec("subnet", Name="public-a"))["Subnet"]
    sid = s["SubnetId"]
    assert_id(sid, "subnet")
    assert s["SubnetArn"] == f"arn:aws:ec2:us-east-1:{DEFAULT_ACCOUNT}:subnet/{sid}"
    assert s["VpcId"] == vpc_id
    assert s["OwnerId"] == DEFAULT_ACCOUNT
    assert s["State"] in ("pending", "available")
    assert s["CidrBlock"] == "10.0.1.0/24"
    assert s["AvailableIpAddressCount"] == 251
    assert s["AvailabilityZone"] == "us-east-1a"
    assert s["AvailabilityZoneId"] == "use1-az6"
    assert s["DefaultForAz"] is False
    assert s["MapPublicIpOnLaunch"] is False
    assert s["AssignIpv6AddressOnCreation"] is False
    assert s.get("Ipv6CidrBlockAssociationSet", []) == []
    assert s["PrivateDnsNameOptionsOnLaunch"]["HostnameType"] == "ip-name"
    assert tags_of(s) == {"Name": "public-a"}

    (d,) = ec2.describe_subnets(SubnetIds=[sid])["Subnets"]
    assert d["State"] == "available"
    for key in ("SubnetId", "SubnetArn", "VpcId", "OwnerId", "CidrBlock", "AvailableIpAddressCount",
                "AvailabilityZone", "AvailabilityZoneId", "DefaultForAz", "MapPublicIpOnLaunch",
                "AssignIpv6AddressOnCreation"):
        assert d[key] == s[key], key
    assert tags_of(d) == {"Name": "public-a"}


def test_create_subnet_cli(aws, vpc_id):
    res = aws("ec2", "create-subnet", "--vpc-id", vpc_id, "--cidr-block", "10.0.2.0/24",
              "--availability-zone", "us-east-1c").ok()
    s = res["Subnet"]
    assert s["AvailabilityZone"] == "us-east-1c"
    assert s["AvailabilityZoneId"] == "use1-az2"
    assert s["AvailableIpAddressCount"] == 251
    got = aws("ec2", "describe-subnets", "--subnet-ids", s["SubnetId"]).ok()
    assert [x["CidrBlock"] for x in got["Subnets"]] == ["10.0.2.0/24"]


@pytest.mark.parametrize("cidr,count", [("10.0.0.0/24", 251), ("10.0.0.0/28", 11), ("10.0.0.0/20", 4091),
                                        ("10.0.0.0/16", 65531), ("10.0.0.0/27", 27)])
def test_available_ip_address_count(ec2, vpc_id, cidr, count):
    assert create_subnet(ec2, vpc_id, cidr)["AvailableIpAddressCount"] == count


@pytest.mark.parametrize("az", sorted(AZ_TABLE["us-east-1"]))
def test_create_subnet_in_each_az(ec2, vpc_id, az):
    s = create_subnet(ec2, vpc_id, "10.0.8.0/24", az=az)
    assert s["AvailabilityZone"] == az
    assert s["AvailabilityZoneId"] == AZ_TABLE["us-east-1"][az]


def test_create_subnet_by_az_id(ec2, vpc_id):
    s = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.3.0/24", AvailabilityZoneId="use1-az1")["Subnet"]
    assert s["AvailabilityZone"] == "us-east-1b"
    assert s["AvailabilityZoneId"] == "use1-az1"


def test_create_subnet_without_az_picks_one_in_region(ec2, vpc_id):
    s = create_subnet(ec2, vpc_id, "10.0.4.0/24")
    assert s["AvailabilityZone"] in AZ_TABLE["us-east-1"]
    assert s["AvailabilityZoneId"] == AZ_TABLE["us-east-1"][s["AvailabilityZone"]]


def test_create_subnet_other_region_az(client_factory):
    ec2 = client_factory(region="eu-west-1")
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    s = create_subnet(ec2, vid, "10.0.0.0/24", az="eu-west-1c")
    assert s["AvailabilityZoneId"] == "euw1-az2"
    assert s["SubnetArn"] == f"arn:aws:ec2:eu-west-1:{DEFAULT_ACCOUNT}:subnet/{s['SubnetId']}"


@pytest.mark.parametrize("given,canonical", [("10.0.1.77/24", "10.0.1.0/24"), ("10.0.255.255/20", "10.0.240.0/20")])
def test_create_subnet_canonicalises_cidr(ec2, vpc_id, given, canonical):
    s = create_subnet(ec2, vpc_id, given)
    assert s["CidrBlock"] == canonical
    (d,) = ec2.describe_subnets(SubnetIds=[s["SubnetId"]])["Subnets"]
    assert d["CidrBlock"] == canonical


@pytest.mark.parametrize("cidr", ["10.1.0.0/24", "9.255.255.0/24", "10.0.0.0/29", "10.0.0.16/30", "10.0.0.0/15",
                                  "10.0.0.0/8"])
def test_create_subnet_range_errors(ec2, vpc_id, cidr):
    with ec2_error("InvalidSubnet.Range", f"The CIDR '{cidr}' is invalid."):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr)
    assert ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"] == []


def test_create_subnet_range_error_cli(aws, vpc_id):
    res = aws("ec2", "create-subnet", "--vpc-id", vpc_id, "--cidr-block", "10.1.0.0/24")
    cli_error(res, "InvalidSubnet.Range", "The CIDR '10.1.0.0/24' is invalid.")


def test_create_subnet_whole_vpc_cidr_allowed(ec2, vpc_id):
    assert create_subnet(ec2, vpc_id, "10.0.0.0/16")["CidrBlock"] == "10.0.0.0/16"


def test_create_subnet_in_secondary_block(ec2, vpc_id):
    with ec2_error("InvalidSubnet.Range", "The CIDR '10.1.0.0/24' is invalid."):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.1.0.0/24")
    ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.1.0.0/16")
    assert create_subnet(ec2, vpc_id, "10.1.0.0/24")["CidrBlock"] == "10.1.0.0/24"
    # straddling both blocks is still out of range
    with ec2_error("InvalidSubnet.Range", "The CIDR '10.0.0.0/15' is invalid."):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.0.0/15")


@pytest.mark.parametrize("cidr", ["10.0.1.0/24", "10.0.1.128/25", "10.0.0.0/23", "10.0.1.240/28", "10.0.0.0/16"])
def test_create_subnet_conflict(ec2, vpc_id, cidr):
    create_subnet(ec2, vpc_id, "10.0.1.0/24")
    with ec2_error("InvalidSubnet.Conflict", f"The CIDR '{cidr}' conflicts with another subnet"):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr)


def test_create_subnet_conflict_cli(aws, ec2, vpc_id):
    create_subnet(ec2, vpc_id, "10.0.1.0/24")
    res = aws("ec2", "create-subnet", "--vpc-id", vpc_id, "--cidr-block", "10.0.1.0/24")
    cli_error(res, "InvalidSubnet.Conflict", "The CIDR '10.0.1.0/24' conflicts with another subnet")


def test_adjacent_subnets_and_other_vpcs_do_not_conflict(ec2, vpc_id):
    create_subnet(ec2, vpc_id, "10.0.1.0/24")
    create_subnet(ec2, vpc_id, "10.0.0.0/24")
    create_subnet(ec2, vpc_id, "10.0.2.0/24")
    other = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    assert create_subnet(ec2, other, "10.0.1.0/24")["VpcId"] == other


@pytest.mark.parametrize("az", ["us-west-2a", "us-east-1z", "nowhere"])
def test_create_subnet_az_not_in_region(ec2, vpc_id, az):
    with ec2_error("InvalidParameterValue",
                   prefix=f"Value ({az}) for parameter availabilityZone is invalid. Subnets can currently only be "
                          f"created in the following availability zones: ") as ei:
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZone=az)
    msg = ei.value.response["Error"]["Message"]
    for zone in AZ_TABLE["us-east-1"]:
        assert zone in msg


def test_create_subnet_unknown_vpc(ec2):
    vid = UNKNOWN["vpc"]
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{vid}' does not exist"):
        ec2.create_subnet(VpcId=vid, CidrBlock="10.0.1.0/24")


def test_create_subnet_unparsable_cidr(ec2, vpc_id):
    with ec2_error("InvalidParameterValue"):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/abc")


def test_new_subnet_is_associated_with_default_network_acl(ec2, vpc_id):
    sid = create_subnet(ec2, vpc_id, "10.0.1.0/24")["SubnetId"]
    acls = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [sid]}])["NetworkAcls"]
    assert len(acls) == 1
    assert acls[0]["IsDefault"] is True
    assert acls[0]["VpcId"] == vpc_id
    (assoc,) = [a for a in acls[0]["Associations"] if a["SubnetId"] == sid]
    assert_id(assoc["NetworkAclAssociationId"], "aclassoc")
    assert assoc["NetworkAclId"] == acls[0]["NetworkAclId"]


# ------------------------------------------------------------------------------------------------
# ModifySubnetAttribute
# ------------------------------------------------------------------------------------------------
def test_modify_subnet_map_public_ip(ec2, vpc_id):
    sid = create_subnet(ec2, vpc_id, "10.0.1.0/24")["SubnetId"]
    r = ec2.modify_subnet_attribute(SubnetId=sid, MapPublicIpOnLaunch={"Value": True})
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert ec2.describe_subnets(SubnetIds=[sid])["Subnets"][0]["MapPublicIpOnLaunch"] is True
    ec2.modify_subnet_attribute(SubnetId=sid, MapPublicIpOnLaunch={"Value": False})
    assert ec2.describe_subnets(SubnetIds=[sid])["Subnets"][0]["MapPublicIpOnLaunch"] is False


def test_modify_subnet_map_public_ip_cli(aws, ec2, vpc_id):
    sid = create_subnet(ec2, vpc_id, "10.0.1.0/24")["SubnetId"]
    res = aws("ec2", "modify-subnet-attribute", "--subnet-id", sid, "--map-public-ip-on-launch")
    assert res.rc == 0, res.stderr
    got = aws("ec2", "describe-subnets", "--filters", "Name=map-public-ip-on-launch,Values=true",
              f"Name=vpc-id,Values={vpc_id}").ok()
    assert [s["SubnetId"] for s in got["Subnets"]] == [sid]
    res = aws("ec2", "modify-subnet-attribute", "--subnet-id", sid, "--no-map-public-ip-on-launch")
    assert res.rc == 0, res.stderr
    assert aws("ec2", "describe-subnets", "--subnet-ids", sid).ok()["Subnets"][0]["MapPublicIpOnLaunch"] is False


def test_modify_subnet_private_dns_name_options(ec2, vpc_id):
    """PrivateDnsHostnameTypeOnLaunch and EnableResourceNameDnsARecordOnLaunch are kept and described, one per call;
    a neighbour subnet keeps the defaults."""
    sid = create_subnet(ec2, vpc_id, "10.0.1.0/24")["SubnetId"]
    other = create_subnet(ec2, vpc_id, "10.0.2.0/24")["SubnetId"]

    def options(subnet_id):
        return ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["PrivateDnsNameOptionsOnLaunch"]

    defaults = {"HostnameType": "ip-name", "EnableResourceNameDnsARecord": False,
                "EnableResourceNameDnsAAAARecord": False}
    assert options(sid) == defaults
    ec2.modify_subnet_attribute(SubnetId=sid, EnableResourceNameDnsARecordOnLaunch={"Value": True})
    assert options(sid) == defaults | {"EnableResourceNameDnsARecord": True}
    ec2.modify_subnet_attribute(SubnetId=sid, PrivateDnsHostnameTypeOnLaunch="resource-name")
    assert options(sid) == defaults | {"HostnameType": "resource-name", "EnableResourceNameDnsARecord": True}
    assert options(other) == defaults
    with ec2_error("InvalidParameterValue", "Value (host-name) for parameter privateDnsHostnameTypeOnLaunch is invalid."):
        ec2.modify_subnet_attribute(SubnetId=sid, PrivateDnsHostnameTypeOnLaunch="host-name")
    ec2.modify_subnet_attribute(SubnetId=sid, PrivateDnsHostnameTypeOnLaunch="ip-name")
    ec2.modify_subnet_attribute(SubnetId=sid, EnableResourceNameDnsARecordOnLaunch={"Value": False})
    assert options(sid) == defaults


def test_modify_subnet_attribute_unknown_subnet(ec2):
    sid = UNKNOWN["subnet"]
    with ec2_error("InvalidSubnetID.NotFound", f"The subnet ID '{sid}' does not exist"):
        ec2.modify_subnet_attribute(SubnetId=sid, MapPublicIpOnLaunch={"Value": True})


# ------------------------------------------------------------------------------------------------
# DescribeSubnets
# ------------------------------------------------------------------------------------------------
@pytest.fixture
def subnet_set(ec2):
    v1 = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    v2 = create_vpc(ec2, "10.1.0.0/16")["VpcId"]
    a = ec2.create_subnet(VpcId=v1, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a",
                          TagSpecifications=tag_spec("subnet", Name="app-a", tier="app"))["Subnet"]
    b = ec2.create_subnet(VpcId=v1, CidrBlock="10.0.2.0/28", AvailabilityZone="us-east-1b",
                          TagSpecifications=tag_spec("subnet", Name="app-b", tier="app"))["Subnet"]
    c = ec2.create_subnet(VpcId=v2, CidrBlock="10.1.1.0/24", AvailabilityZone="us-east-1a",
                          TagSpecifications=tag_spec("subnet", Name="db-a", secret="yes"))["Subnet"]
    ec2.modify_subnet_attribute(SubnetId=c["SubnetId"], MapPublicIpOnLaunch={"Value": True})
    return v1, v2, a, b, c


def test_describe_subnets_filters(ec2, subnet_set):
    v1, v2, a, b, c = subnet_set
    A, B, C = a["SubnetId"], b["SubnetId"], c["SubnetId"]
    ours = [v1, v2]

    def match(*filters):
        fl = list(filters) + [{"Name": "vpc-id", "Values": ours}]
        return ids(ec2.describe_subnets(Filters=fl)["Subnets"], "SubnetId")

    f = lambda name, *values: {"Name": name, "Values": list(values)}  # noqa: E731
    assert match() == {A, B, C}
    assert match(f("vpc-id", v1)) == {A, B}
    assert match(f("availability-zone", "us-east-1a")) == {A, C}
    assert match(f("availability-zone-id", "use1-az1")) == {B}
    assert match(f("available-ip-address-count", "11")) == {B}
    assert match(f("available-ip-address-count", "251")) == {A, C}
    assert match(f("cidr-block", "10.0.2.0/28")) == {B}
    assert match(f("default-for-az", "false")) == {A, B, C}
    assert match(f("default-for-az", "true")) == set()
    assert match(f("map-public-ip-on-launch", "true")) == {C}
    assert match(f("map-public-ip-on-launch", "false")) == {A, B}
    assert match(f("owner-id", DEFAULT_ACCOUNT)) == {A, B, C}
    assert match(f("state", "available")) == {A, B, C}
    assert match(f("subnet-arn", a["SubnetArn"])) == {A}
    assert match(f("subnet-id", A, C)) == {A, C}
    assert match(f("tag:Name", "app-*")) == {A, B}
    assert match(f("tag:Name", "*-a")) == {A, C}
    assert match(f("tag:Name", "app-?")) == {A, B}
    assert match(f("tag:tier", "app"), f("availability-zone", "us-east-1b")) == {B}
    assert match(f("tag-key", "secret")) == {C}
    assert match(f("tag-key", "tier", "secret")) == {A, B, C}
    # default subnets are default-for-az
    default_subnets = ec2.describe_subnets(Filters=[f("default-for-az", "true")])["Subnets"]
    assert len(default_subnets) == 6
    assert all(s["CidrBlock"].startswith("172.31.") for s in default_subnets)


def test_describe_subnets_filters_cli(aws, subnet_set):
    v1, v2, a, b, c = subnet_set
    got = aws("ec2", "describe-subnets", "--filters", f"Name=vpc-id,Values={v1},{v2}",
              "Name=availability-zone,Values=us-east-1a").ok()
    assert {s["SubnetId"] for s in got["Subnets"]} == {a["SubnetId"], c["SubnetId"]}


def test_describe_subnets_unknown_filter(ec2):
    with ec2_error("InvalidParameterValue", "The filter 'nonsense' is invalid"):
        ec2.describe_subnets(Filters=[{"Name": "nonsense", "Values": ["1"]}])


def test_describe_subnets_unknown_id(ec2, vpc_id):
    sid = UNKNOWN["subnet"]
    with ec2_error("InvalidSubnetID.NotFound", f"The subnet ID '{sid}' does not exist"):
        ec2.describe_subnets(SubnetIds=[sid])
    known = create_subnet(ec2, vpc_id, "10.0.1.0/24")["SubnetId"]
    with ec2_error("InvalidSubnetID.NotFound", f"The subnet ID '{sid}' does not exist"):
        ec2.describe_subnets(SubnetIds=[known, sid])


def test_describe_subnets_unknown_id_cli(aws):
    sid = UNKNOWN["subnet"]
    cli_error(aws("ec2", "describe-subnets", "--subnet-ids", sid), "InvalidSubnetID.NotFound",
              f"The subnet ID '{sid}' does not exist")


# ------------------------------------------------------------------------------------------------
# DeleteSubnet
# ------------------------------------------------------------------------------------------------
def test_delete_subnet(ec2, vpc_id):
    sid = create_subnet(ec2, vpc_id, "10.0.1.0/24")["SubnetId"]
    r = ec2.delete_subnet(SubnetId=sid)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    with ec2_error("InvalidSubnetID.NotFound", f"The subnet ID '{sid}' does not exist"):
        ec2.describe_subnets(SubnetIds=[sid])
    assert ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"] == []
    # the CIDR is free again
    assert create_subnet(ec2, vpc_id, "10.0.1.0/24")["SubnetId"] != sid


def test_delete_subnet_cli(aws, ec2, vpc_id):
    sid = create_subnet(ec2, vpc_id, "10.0.1.0/24")["SubnetId"]
    assert aws("ec2", "delete-subnet", "--subnet-id", sid).rc == 0
    cli_error(aws("ec2", "delete-subnet", "--subnet-id", sid), "InvalidSubnetID.NotFound",
              f"The subnet ID '{sid}' does not exist")


def test_delete_subnet_unknown(ec2):
    sid = UNKNOWN["subnet"]
    with ec2_error("InvalidSubnetID.NotFound", f"The subnet ID '{sid}' does not exist"):
        ec2.delete_subnet(SubnetId=sid)


def test_delete_subnet_removes_associations(ec2, vpc_id):
    sid = create_subnet(ec2, vpc_id, "10.0.1.0/24")["SubnetId"]
    rt = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=rt, SubnetId=sid)
    ec2.delete_subnet(SubnetId=sid)
    assert ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [sid]}])["RouteTables"] == []
    assert ec2.describe_route_tables(RouteTableIds=[rt])["RouteTables"][0]["Associations"] == []
    assert ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [sid]}])["NetworkAcls"] == []
    # with its association gone the route table can be deleted
    ec2.delete_route_table(RouteTableId=rt)


def test_describe_subnets_documented_filters_were_refused(ec2, vpc_id, aws):
    """Regression (issue 9): filters the EC2 API reference lists for DescribeSubnets answered InvalidParameterValue."""
    sid = create_subnet(ec2, vpc_id, "10.0.7.0/24")["SubnetId"]
    subnet = ec2.describe_subnets(SubnetIds=[sid])["Subnets"][0]
    mine = {"Name": "vpc-id", "Values": [vpc_id]}

    def matching(*filters):
        return [s["SubnetId"] for s in ec2.describe_subnets(Filters=[mine, *filters])["Subnets"]]

    assert matching({"Name": "availabilityZoneId", "Values": [subnet["AvailabilityZoneId"]]}) == [sid]
    assert matching({"Name": "enable-dns64", "Values": ["false"]}) == [sid]
    assert matching({"Name": "enable-dns64", "Values": ["true"]}) == []
    assert matching({"Name": "ipv6-native", "Values": ["false"]}) == [sid]
    assert matching({"Name": "map-customer-owned-ip-on-launch", "Values": ["false"]}) == [sid]
    assert matching({"Name": "private-dns-name-options-on-launch.hostname-type", "Values": ["ip-name"]}) == [sid]
    assert matching({"Name": "private-dns-name-options-on-launch.enable-resource-name-dns-a-record",
                     "Values": ["false"]}) == [sid]
    assert subnet["PrivateDnsNameOptionsOnLaunch"]["HostnameType"] == "ip-name"
    assert matching({"Name": "outpost-arn", "Values": ["*"]}) == []
    assert matching({"Name": "customer-owned-ipv4-pool", "Values": ["*"]}) == []
    res = aws("ec2", "describe-subnets", "--filters", f"Name=vpc-id,Values={vpc_id}",
              "Name=enable-dns64,Values=false").ok()
    assert [s["SubnetId"] for s in res["Subnets"]] == [sid]
    with ec2_error("InvalidParameterValue", "The filter 'enable-dns65' is invalid"):
        ec2.describe_subnets(Filters=[{"Name": "enable-dns65", "Values": ["false"]}])
