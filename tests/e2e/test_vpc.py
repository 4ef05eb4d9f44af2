"""§2.2 VPC: CreateVpc, DescribeVpcs, DeleteVpc, attributes, secondary CIDRs, the default VPC, side effects."""
import pytest

from helpers import (AZ_TABLE, DEFAULT_ACCOUNT, UNKNOWN, assert_id, cli_error, create_igw, create_subnet,
                     create_vpc, ec2_error, ids, main_route_table, route_for, tag_spec, tags_of)


def vpc_ids_matching(ec2, *filters, vpc_ids=None):
    kw = {"Filters": list(filters)}
    if vpc_ids is not None:
        kw["VpcIds"] = vpc_ids
    return ids(ec2.describe_vpcs(**kw)["Vpcs"], "VpcId")


def default_vpc(ec2):
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    assert len(vpcs) == 1, f"expected one default VPC, got {vpcs!r}"
    return vpcs[0]


# ------------------------------------------------------------------------------------------------
# CreateVpc
# ------------------------------------------------------------------------------------------------
def test_create_vpc_response_and_describe(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16",
                         TagSpecifications=tag_spec("vpc", Name="main", env="test"))["Vpc"]
    assert_id(vpc["VpcId"], "vpc")
    assert vpc["OwnerId"] == DEFAULT_ACCOUNT
    assert vpc["State"] in ("pending", "available")
    assert vpc["CidrBlock"] == "10.0.0.0/16"
    assert vpc["InstanceTenancy"] == "default"
    assert vpc["IsDefault"] is False
    assert vpc["DhcpOptionsId"].startswith("dopt-")
    assert tags_of(vpc) == {"Name": "main", "env": "test"}
    (assoc,) = vpc["CidrBlockAssociationSet"]
    assert_id(assoc["AssociationId"], "vpc-cidr-assoc")
    assert assoc["CidrBlock"] == "10.0.0.0/16"
    assert assoc["CidrBlockState"]["State"] == "associated"

    (described,) = ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"]
    assert described["State"] == "available"
    for key in ("VpcId", "OwnerId", "CidrBlock", "InstanceTenancy", "IsDefault", "DhcpOptionsId"):
        assert described[key] == vpc[key], key
    assert described["CidrBlockAssociationSet"] == vpc["CidrBlockAssociationSet"]
    assert tags_of(described) == {"Name": "main", "env": "test"}


def test_create_vpc_instance_tenancy_dedicated(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16", InstanceTenancy="dedicated")["Vpc"]
    assert vpc["InstanceTenancy"] == "dedicated"
    (d,) = ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"]
    assert d["InstanceTenancy"] == "dedicated"


def test_modify_vpc_tenancy_to_default_only(ec2):
    """ModifyVpcTenancy can set `default` and nothing else; the refused call leaves the tenancy as it was."""
    vid = ec2.create_vpc(CidrBlock="10.9.0.0/16", InstanceTenancy="dedicated")["Vpc"]["VpcId"]
    for tenancy in ("dedicated", "host", "unknown"):
        with ec2_error("UnsupportedTenancy", f"The tenancy value {tenancy} is not supported."):
            ec2.modify_vpc_tenancy(VpcId=vid, InstanceTenancy=tenancy)
    assert ec2.describe_vpcs(VpcIds=[vid])["Vpcs"][0]["InstanceTenancy"] == "dedicated"
    assert ec2.modify_vpc_tenancy(VpcId=vid, InstanceTenancy="default")["ReturnValue"] is True
    assert ec2.describe_vpcs(VpcIds=[vid])["Vpcs"][0]["InstanceTenancy"] == "default"
    unknown = UNKNOWN["vpc"]
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{unknown}' does not exist"):
        ec2.modify_vpc_tenancy(VpcId=unknown, InstanceTenancy="default")


def test_create_vpc_cli(aws):
    res = aws("ec2", "create-vpc", "--cidr-block", "10.20.0.0/16",
              "--tag-specifications", "ResourceType=vpc,Tags=[{Key=Name,Value=cli-vpc}]").ok()
    vpc_id = res["Vpc"]["VpcId"]
    assert_id(vpc_id, "vpc")
    assert res["Vpc"]["CidrBlock"] == "10.20.0.0/16"
    assert tags_of(res["Vpc"]) == {"Name": "cli-vpc"}
    got = aws("ec2", "describe-vpcs", "--vpc-ids", vpc_id).ok()
    assert [v["VpcId"] for v in got["Vpcs"]] == [vpc_id]
    assert got["Vpcs"][0]["State"] == "available"
    got = aws("ec2", "describe-vpcs", "--filters", "Name=tag:Name,Values=cli-vpc").ok()
    assert [v["VpcId"] for v in got["Vpcs"]] == [vpc_id]


def test_two_vpcs_may_overlap(ec2):
    a = create_vpc(ec2, "10.0.0.0/16")
    b = create_vpc(ec2, "10.0.0.0/16")
    c = create_vpc(ec2, "10.0.0.0/20")
    assert len({a["VpcId"], b["VpcId"], c["VpcId"]}) == 3


@pytest.mark.parametrize("given,canonical", [
    ("100.68.0.18/18", "100.68.0.0/18"),
    ("10.1.2.3/16", "10.1.0.0/16"),
    ("192.168.7.9/28", "192.168.7.0/28"),
])
def test_create_vpc_canonicalises_cidr(ec2, given, canonical):
    vpc = create_vpc(ec2, given)
    assert vpc["CidrBlock"] == canonical
    assert vpc["CidrBlockAssociationSet"][0]["CidrBlock"] == canonical
    (d,) = ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"]
    assert d["CidrBlock"] == canonical
    assert main_route_table(ec2, vpc["VpcId"])["Routes"][0]["DestinationCidrBlock"] == canonical


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "10.0.0.0/28", "172.16.0.0/20", "203.0.113.0/24"])
def test_create_vpc_prefix_bounds_accepted(ec2, cidr):
    assert create_vpc(ec2, cidr)["CidrBlock"] == cidr


@pytest.mark.parametrize("cidr", ["10.0.0.0/8", "10.0.0.0/15", "10.0.0.0/29", "10.0.0.0/32", "0.0.0.0/0"])
def test_create_vpc_prefix_out_of_range(ec2, cidr):
    before = ids(ec2.describe_vpcs()["Vpcs"], "VpcId")
    with ec2_error("InvalidVpc.Range", f"The CIDR '{cidr}' is invalid."):
        ec2.create_vpc(CidrBlock=cidr)
    assert ids(ec2.describe_vpcs()["Vpcs"], "VpcId") == before


def test_create_vpc_prefix_out_of_range_cli(aws):
    res = aws("ec2", "create-vpc", "--cidr-block", "10.0.0.0/8")
    cli_error(res, "InvalidVpc.Range", "The CIDR '10.0.0.0/8' is invalid.")


@pytest.mark.parametrize("cidr", ["not-a-cidr", "10.0.0.256/16", "10.0.0.0/abc", "300.1.1.1/16"])
def test_create_vpc_unparsable_cidr(ec2, cidr):
    with ec2_error("InvalidParameterValue",
                   f"Value ({cidr}) for parameter cidrBlock is invalid. This is not a valid CIDR block."):
        ec2.create_vpc(CidrBlock=cidr)


@pytest.mark.parametrize("cidr", ["169.254.0.0/16", "169.254.10.0/24"])
def test_create_vpc_link_local_refused(ec2, cidr):
    # The spec says 169.254.0.0/16 is not allowed [D] without naming the code: accept the two plausible ones.
    with ec2_error({"InvalidVpc.Range", "InvalidParameterValue"}):
        ec2.create_vpc(CidrBlock=cidr)


# ------------------------------------------------------------------------------------------------
# DescribeVpcs
# ------------------------------------------------------------------------------------------------
@pytest.fixture
def three_vpcs(ec2):
    a = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=tag_spec("vpc", Name="web-1", env="prod"))["Vpc"]
    b = ec2.create_vpc(CidrBlock="10.1.0.0/16", TagSpecifications=tag_spec("vpc", Name="web-2", env="dev"))["Vpc"]
    c = ec2.create_vpc(CidrBlock="10.2.0.0/16", TagSpecifications=tag_spec("vpc", Name="db", tier="data"))["Vpc"]
    return a, b, c


def test_describe_vpcs_all_includes_default(ec2, three_vpcs):
    vpcs = ec2.describe_vpcs()["Vpcs"]
    assert ids(vpcs, "VpcId") >= {v["VpcId"] for v in three_vpcs}
    assert len(vpcs) == 4
    assert sum(1 for v in vpcs if v["IsDefault"]) == 1


def test_describe_vpcs_by_ids(ec2, three_vpcs):
    a, b, c = three_vpcs
    got = ec2.describe_vpcs(VpcIds=[a["VpcId"], c["VpcId"]])["Vpcs"]
    assert ids(got, "VpcId") == {a["VpcId"], c["VpcId"]}


def test_describe_vpcs_filters(ec2, three_vpcs):
    a, b, c = three_vpcs
    A, B, C = a["VpcId"], b["VpcId"], c["VpcId"]
    f = lambda name, *values: {"Name": name, "Values": list(values)}  # noqa: E731
    assert vpc_ids_matching(ec2, f("vpc-id", A, B)) == {A, B}
    assert vpc_ids_matching(ec2, f("cidr", "10.1.0.0/16")) == {B}
    assert vpc_ids_matching(ec2, f("cidr-block-association.cidr-block", "10.2.0.0/16")) == {C}
    assoc_id = a["CidrBlockAssociationSet"][0]["AssociationId"]
    assert vpc_ids_matching(ec2, f("cidr-block-association.association-id", assoc_id)) == {A}
    assert vpc_ids_matching(ec2, f("cidr-block-association.state", "associated"), f("vpc-id", A, B, C)) == {A, B, C}
    assert vpc_ids_matching(ec2, f("tag:Name", "db")) == {C}
    assert vpc_ids_matching(ec2, f("tag:Name", "web-*")) == {A, B}
    assert vpc_ids_matching(ec2, f("tag:Name", "web-?")) == {A, B}
    assert vpc_ids_matching(ec2, f("tag:Name", "*b*")) == {A, B, C}
    assert vpc_ids_matching(ec2, f("tag:Name", "WEB-1")) == set(), "tag values are case-sensitive"
    assert vpc_ids_matching(ec2, f("tag:env", "prod", "dev")) == {A, B}, "values inside one filter are OR-ed"
    assert vpc_ids_matching(ec2, f("tag:env", "prod"), f("cidr", "10.1.0.0/16")) == set(), "filters are AND-ed"
    assert vpc_ids_matching(ec2, f("tag:env", "prod", "dev"), f("cidr", "10.1.0.0/16")) == {B}
    assert vpc_ids_matching(ec2, f("tag-key", "env")) == {A, B}
    assert vpc_ids_matching(ec2, f("tag-key", "tier")) == {C}
    assert vpc_ids_matching(ec2, f("tag-key", "t*")) == {C}
    assert vpc_ids_matching(ec2, f("owner-id", DEFAULT_ACCOUNT), f("vpc-id", A, B, C)) == {A, B, C}
    assert vpc_ids_matching(ec2, f("owner-id", "999999999999")) == set()
    assert vpc_ids_matching(ec2, f("state", "available"), f("vpc-id", A, B, C)) == {A, B, C}
    assert vpc_ids_matching(ec2, f("state", "pending")) == set()
    assert vpc_ids_matching(ec2, f("dhcp-options-id", a["DhcpOptionsId"]), f("vpc-id", A)) == {A}
    default_id = default_vpc(ec2)["VpcId"]
    assert vpc_ids_matching(ec2, f("is-default", "true")) == {default_id}
    assert vpc_ids_matching(ec2, f("is-default", "false")) == {A, B, C}
    # explicit IDs and filters combine with AND
    assert vpc_ids_matching(ec2, f("tag:env", "prod"), vpc_ids=[A, B]) == {A}
    assert vpc_ids_matching(ec2, f("tag:env", "prod"), vpc_ids=[B]) == set()


def test_describe_vpcs_filter_matching_nothing_is_empty(ec2, three_vpcs):
    resp = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["nope"]}])
    assert resp["Vpcs"] == []
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_describe_vpcs_filter_cli(aws, three_vpcs):
    a, b, c = three_vpcs
    res = aws("ec2", "describe-vpcs", "--filters", "Name=tag:env,Values=prod,dev", "Name=tag-key,Values=Name").ok()
    assert {v["VpcId"] for v in res["Vpcs"]} == {a["VpcId"], b["VpcId"]}


def test_describe_vpcs_unknown_filter_name(ec2):
    with ec2_error("InvalidParameterValue", "The filter 'bogus-name' is invalid"):
        ec2.describe_vpcs(Filters=[{"Name": "bogus-name", "Values": ["x"]}])


def test_describe_vpcs_filter_value_too_long(ec2):
    with ec2_error("FilterLimitExceeded", "The maximum length for a filter value is 255 characters"):
        ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["x" * 256]}])
    # 255 is fine
    assert ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["x" * 255]}])["Vpcs"] == []


def test_describe_vpcs_unknown_id(ec2):
    vid = UNKNOWN["vpc"]
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{vid}' does not exist"):
        ec2.describe_vpcs(VpcIds=[vid])


def test_describe_vpcs_known_and_unknown_id(ec2):
    vpc = create_vpc(ec2)
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{UNKNOWN['vpc']}' does not exist"):
        ec2.describe_vpcs(VpcIds=[vpc["VpcId"], UNKNOWN["vpc"]])


def test_describe_vpcs_unknown_id_cli(aws):
    res = aws("ec2", "describe-vpcs", "--vpc-ids", UNKNOWN["vpc"])
    cli_error(res, "InvalidVpcID.NotFound", f"The vpc ID '{UNKNOWN['vpc']}' does not exist")


@pytest.mark.parametrize("bad", ["notavpcid", "subnet-0123456789abcdef0", "vpc_0123456789abcdef0"])
def test_describe_vpcs_malformed_id(ec2, bad):
    # AWS errors-overview: InvalidVpcID.Malformed "The specified VPC ID is malformed" (message not pinned).
    with ec2_error("InvalidVpcID.Malformed"):
        ec2.describe_vpcs(VpcIds=[bad])


# ------------------------------------------------------------------------------------------------
# VPC attributes
# ------------------------------------------------------------------------------------------------
def test_describe_vpc_attribute_defaults(ec2):
    vid = create_vpc(ec2)["VpcId"]
    r = ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsSupport")
    assert r["VpcId"] == vid
    assert r["EnableDnsSupport"] == {"Value": True}
    assert "EnableDnsHostnames" not in r, "only the requested attribute is returned"
    r = ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsHostnames")
    assert r["EnableDnsHostnames"] == {"Value": False}
    assert "EnableDnsSupport" not in r


def test_default_vpc_dns_attributes_true(ec2):
    vid = default_vpc(ec2)["VpcId"]
    assert ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsSupport")["EnableDnsSupport"]["Value"] is True
    assert ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"] is True


def test_modify_vpc_attribute_roundtrip(ec2):
    vid = create_vpc(ec2)["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vid, EnableDnsHostnames={"Value": True})
    assert ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"] is True
    ec2.modify_vpc_attribute(VpcId=vid, EnableDnsHostnames={"Value": False})
    ec2.modify_vpc_attribute(VpcId=vid, EnableDnsSupport={"Value": False})
    assert ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsSupport")["EnableDnsSupport"]["Value"] is False
    assert ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"] is False
    ec2.modify_vpc_attribute(VpcId=vid, EnableDnsSupport={"Value": True})
    assert ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsSupport")["EnableDnsSupport"]["Value"] is True


def test_modify_vpc_attribute_cli(aws, ec2):
    vid = create_vpc(ec2)["VpcId"]
    res = aws("ec2", "modify-vpc-attribute", "--vpc-id", vid, "--enable-dns-hostnames", '{"Value":true}')
    assert res.rc == 0, res.stderr
    got = aws("ec2", "describe-vpc-attribute", "--vpc-id", vid, "--attribute", "enableDnsHostnames").ok()
    assert got == {"VpcId": vid, "EnableDnsHostnames": {"Value": True}}


def test_modify_vpc_attribute_two_attributes_in_one_call(ec2):
    vid = create_vpc(ec2)["VpcId"]
    with ec2_error("InvalidParameterCombination", prefix="Fields for multiple attribute types specified: "):
        ec2.modify_vpc_attribute(VpcId=vid, EnableDnsSupport={"Value": True}, EnableDnsHostnames={"Value": True})
    # nothing changed
    assert ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"] is False


def test_enable_dns_hostnames_requires_dns_support(ec2):
    vid = create_vpc(ec2)["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vid, EnableDnsSupport={"Value": False})
    with ec2_error(None):  # [D] rule, error code [I]: any 400 client error
        ec2.modify_vpc_attribute(VpcId=vid, EnableDnsHostnames={"Value": True})
    assert ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"] is False


def test_describe_vpc_attribute_bad_name(ec2):
    vid = create_vpc(ec2)["VpcId"]
    with ec2_error("InvalidParameterValue"):
        ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableTeleport")


def test_vpc_attribute_unknown_vpc(ec2):
    vid = UNKNOWN["vpc"]
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{vid}' does not exist"):
        ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsSupport")
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{vid}' does not exist"):
        ec2.modify_vpc_attribute(VpcId=vid, EnableDnsSupport={"Value": True})


# ------------------------------------------------------------------------------------------------
# Secondary CIDR blocks
# ------------------------------------------------------------------------------------------------
def test_associate_vpc_cidr_block(ec2):
    vpc = create_vpc(ec2, "10.0.0.0/16")
    vid = vpc["VpcId"]
    custom_before = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    r = ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock="10.1.0.0/16")
    assert r["VpcId"] == vid
    assoc = r["CidrBlockAssociation"]
    assert_id(assoc["AssociationId"], "vpc-cidr-assoc")
    assert assoc["CidrBlock"] == "10.1.0.0/16"
    assert assoc["CidrBlockState"]["State"] in ("associating", "associated")

    (d,) = ec2.describe_vpcs(VpcIds=[vid])["Vpcs"]
    assert d["CidrBlock"] == "10.0.0.0/16", "primary CIDR unchanged"
    blocks = {a["CidrBlock"]: a for a in d["CidrBlockAssociationSet"]}
    assert set(blocks) == {"10.0.0.0/16", "10.1.0.0/16"}
    assert blocks["10.1.0.0/16"]["AssociationId"] == assoc["AssociationId"]
    assert blocks["10.1.0.0/16"]["CidrBlockState"]["State"] == "associated"

    # a local route for the new block in every route table of the VPC (existing and new)
    custom_after = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    rts = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vid]}])["RouteTables"]
    assert ids(rts, "RouteTableId") >= {custom_before, custom_after}
    for rt in rts:
        for dest in ("10.0.0.0/16", "10.1.0.0/16"):
            route = route_for(rt, dest)
            assert route is not None, f"{rt['RouteTableId']} lacks the local route for {dest}"
            assert route["GatewayId"] == "local"
            assert route["State"] == "active"
            assert route["Origin"] == "CreateRouteTable"

    # filter by secondary block
    assert vpc_ids_matching(ec2, {"Name": "cidr-block-association.cidr-block", "Values": ["10.1.0.0/16"]}) == {vid}


def test_associate_vpc_cidr_block_cli(aws, ec2):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    res = aws("ec2", "associate-vpc-cidr-block", "--vpc-id", vid, "--cidr-block", "10.5.0.0/24").ok()
    assert res["VpcId"] == vid
    assert res["CidrBlockAssociation"]["CidrBlock"] == "10.5.0.0/24"
    assoc_id = res["CidrBlockAssociation"]["AssociationId"]
    res = aws("ec2", "disassociate-vpc-cidr-block", "--association-id", assoc_id).ok()
    assert res["VpcId"] == vid
    assert res["CidrBlockAssociation"]["AssociationId"] == assoc_id
    assert res["CidrBlockAssociation"]["CidrBlock"] == "10.5.0.0/24"


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "10.0.128.0/17", "10.0.5.0/24", "10.0.0.0/15"])
def test_associate_vpc_cidr_block_overlap_refused(ec2, cidr):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    with ec2_error(None):  # rule [D], code not pinned by the spec
        ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock=cidr)
    (d,) = ec2.describe_vpcs(VpcIds=[vid])["Vpcs"]
    assert [a["CidrBlock"] for a in d["CidrBlockAssociationSet"]] == ["10.0.0.0/16"]


@pytest.mark.parametrize("cidr", ["10.1.0.0/29", "10.2.0.0/15"])
def test_associate_vpc_cidr_block_size_refused(ec2, cidr):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    with ec2_error(None):
        ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock=cidr)


@pytest.mark.parametrize("primary,secondary,allowed", [
    ("10.0.0.0/16", "10.1.0.0/16", True),
    ("10.0.0.0/16", "172.16.0.0/16", False),
    ("10.0.0.0/16", "192.168.0.0/16", False),
    ("10.0.0.0/16", "100.64.0.0/16", True),
    ("10.0.0.0/16", "198.51.100.0/24", True),
    ("10.0.0.0/16", "198.19.0.0/16", False),
    ("172.16.0.0/16", "172.17.0.0/16", True),
    ("172.16.0.0/16", "172.31.0.0/16", False),
    ("172.16.0.0/16", "10.0.0.0/16", False),
    ("172.16.0.0/16", "192.168.0.0/16", False),
    ("192.168.0.0/20", "192.168.16.0/20", True),
    ("192.168.0.0/16", "10.0.0.0/16", False),
    ("192.168.0.0/16", "100.64.0.0/16", True),
    ("203.0.113.0/24", "198.51.100.0/24", True),
    ("198.19.0.0/16", "198.19.255.0/24", False),  # overlaps the primary
])
def test_associate_vpc_cidr_block_rfc1918_families(ec2, primary, secondary, allowed):
    vid = create_vpc(ec2, primary)["VpcId"]
    if allowed:
        r = ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock=secondary)
        assert r["CidrBlockAssociation"]["CidrBlock"] == secondary
    else:
        with ec2_error(None):
            ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock=secondary)


def test_associate_vpc_cidr_block_vs_existing_route(ec2):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    igw = create_igw(ec2)["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
    rt = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="10.1.0.0/16", GatewayId=igw)
    # equal to an existing non-local route destination: refused
    with ec2_error(None):
        ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock="10.1.0.0/16")
    # larger than an existing non-local route destination: refused
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="10.3.5.0/24", GatewayId=igw)
    with ec2_error(None):
        ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock="10.3.0.0/16")
    # smaller than the route destination: allowed
    r = ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock="10.1.4.0/24")
    assert r["CidrBlockAssociation"]["CidrBlock"] == "10.1.4.0/24"


def test_associate_vpc_cidr_block_unknown_vpc(ec2):
    vid = UNKNOWN["vpc"]
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{vid}' does not exist"):
        ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock="10.1.0.0/16")


def test_disassociate_vpc_cidr_block(ec2):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    assoc_id = ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock="10.1.0.0/16")["CidrBlockAssociation"]["AssociationId"]
    rt = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    r = ec2.disassociate_vpc_cidr_block(AssociationId=assoc_id)
    assert r["VpcId"] == vid
    assert r["CidrBlockAssociation"]["AssociationId"] == assoc_id
    assert r["CidrBlockAssociation"]["CidrBlock"] == "10.1.0.0/16"
    assert r["CidrBlockAssociation"]["CidrBlockState"]["State"] in ("disassociating", "disassociated")

    (d,) = ec2.describe_vpcs(VpcIds=[vid])["Vpcs"]
    live = [a["CidrBlock"] for a in d["CidrBlockAssociationSet"] if a["CidrBlockState"]["State"] == "associated"]
    assert live == ["10.0.0.0/16"]
    # the local route is removed from every table
    for rt_obj in ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vid]}])["RouteTables"]:
        assert route_for(rt_obj, "10.1.0.0/16") is None
        assert route_for(rt_obj, "10.0.0.0/16")["GatewayId"] == "local"
    assert ids(ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vid]}])["RouteTables"],
               "RouteTableId") >= {rt}
    # the block can be associated again
    again = ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock="10.1.0.0/16")["CidrBlockAssociation"]
    assert again["AssociationId"] != assoc_id


def test_disassociate_primary_cidr_block_refused(ec2):
    vpc = create_vpc(ec2, "10.0.0.0/16")
    assoc_id = vpc["CidrBlockAssociationSet"][0]["AssociationId"]
    with ec2_error("OperationNotPermitted",
                   f"The vpc CIDR block with association ID {assoc_id} may not be disassociated. "
                   f"It is the primary IPv4 CIDR block of the VPC"):
        ec2.disassociate_vpc_cidr_block(AssociationId=assoc_id)


def test_disassociate_primary_cidr_block_refused_cli(aws, ec2):
    vpc = create_vpc(ec2, "10.0.0.0/16")
    assoc_id = vpc["CidrBlockAssociationSet"][0]["AssociationId"]
    res = aws("ec2", "disassociate-vpc-cidr-block", "--association-id", assoc_id)
    cli_error(res, "OperationNotPermitted",
              f"The vpc CIDR block with association ID {assoc_id} may not be disassociated. "
              f"It is the primary IPv4 CIDR block of the VPC")


def test_disassociate_unknown_cidr_block(ec2):
    with ec2_error("InvalidVpcCidrBlockAssociationIdError.NotFound"):
        ec2.disassociate_vpc_cidr_block(AssociationId=UNKNOWN["cidrassoc"])


# ------------------------------------------------------------------------------------------------
# Default VPC
# ------------------------------------------------------------------------------------------------
def check_default_vpc_layout(ec2, region, account=DEFAULT_ACCOUNT):
    vpc = default_vpc(ec2)
    vid = vpc["VpcId"]
    assert_id(vid, "vpc")
    assert vpc["CidrBlock"] == "172.31.0.0/16"
    assert vpc["IsDefault"] is True
    assert vpc["State"] == "available"
    assert vpc["OwnerId"] == account
    azs = AZ_TABLE[region]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vid]}])["Subnets"]
    assert len(subnets) == len(azs)
    assert {s["CidrBlock"] for s in subnets} == {f"172.31.{16 * i}.0/20" for i in range(len(azs))}
    assert {s["AvailabilityZone"] for s in subnets} == set(azs)
    for s in subnets:
        assert s["AvailabilityZoneId"] == azs[s["AvailabilityZone"]]
        assert s["DefaultForAz"] is True
        assert s["MapPublicIpOnLaunch"] is True
        assert s["AvailableIpAddressCount"] == 4091
        assert s["State"] == "available"
        assert s["OwnerId"] == account
    igws = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vid]}])["InternetGateways"]
    assert len(igws) == 1
    igw_id = igws[0]["InternetGatewayId"]
    assert_id(igw_id, "igw")
    assert igws[0]["Attachments"] == [{"State": "available", "VpcId": vid}]
    main = main_route_table(ec2, vid)
    local = route_for(main, "172.31.0.0/16")
    assert local["GatewayId"] == "local" and local["State"] == "active"
    default_route = route_for(main, "0.0.0.0/0")
    assert default_route is not None, "default VPC main route table lacks 0.0.0.0/0"
    assert default_route["GatewayId"] == igw_id
    assert default_route["State"] == "active"
    assert len(main["Routes"]) == 2
    assert ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsSupport")["EnableDnsSupport"]["Value"] is True
    assert ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"] is True
    return vpc, subnets, igw_id


def test_default_vpc_exists_on_first_use(ec2):
    check_default_vpc_layout(ec2, "us-east-1")


def test_default_vpc_exists_in_other_region(client_factory):
    check_default_vpc_layout(client_factory(region="us-west-2"), "us-west-2")


def test_create_default_vpc_when_one_exists(ec2):
    with ec2_error("DefaultVpcAlreadyExists", "A Default VPC already exists for this account in this region."):
        ec2.create_default_vpc()


def test_create_default_vpc_when_one_exists_cli(aws):
    res = aws("ec2", "create-default-vpc")
    cli_error(res, "DefaultVpcAlreadyExists", "A Default VPC already exists for this account in this region.")


def delete_default_vpc(ec2, vpc, subnets, igw_id):
    for s in subnets:
        ec2.delete_subnet(SubnetId=s["SubnetId"])
    ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc["VpcId"])
    ec2.delete_internet_gateway(InternetGatewayId=igw_id)
    ec2.delete_vpc(VpcId=vpc["VpcId"])


def test_create_default_vpc_after_deleting_it(ec2):
    vpc, subnets, igw_id = check_default_vpc_layout(ec2, "us-east-1")
    delete_default_vpc(ec2, vpc, subnets, igw_id)
    assert ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"] == []

    created = ec2.create_default_vpc()["Vpc"]
    assert created["IsDefault"] is True
    assert created["CidrBlock"] == "172.31.0.0/16"
    assert created["VpcId"] != vpc["VpcId"]
    new_vpc, new_subnets, new_igw = check_default_vpc_layout(ec2, "us-east-1")
    assert new_vpc["VpcId"] == created["VpcId"]
    assert new_igw != igw_id
    assert not ({s["SubnetId"] for s in new_subnets} & {s["SubnetId"] for s in subnets})

    with ec2_error("DefaultVpcAlreadyExists", "A Default VPC already exists for this account in this region."):
        ec2.create_default_vpc()


def test_create_default_vpc_after_deleting_it_cli(aws, ec2):
    vpc, subnets, igw_id = check_default_vpc_layout(ec2, "us-east-1")
    delete_default_vpc(ec2, vpc, subnets, igw_id)
    res = aws("ec2", "create-default-vpc").ok()
    assert res["Vpc"]["IsDefault"] is True
    assert res["Vpc"]["CidrBlock"] == "172.31.0.0/16"
    check_default_vpc_layout(ec2, "us-east-1")


# ------------------------------------------------------------------------------------------------
# Side effects of CreateVpc
# ------------------------------------------------------------------------------------------------
def test_create_vpc_creates_main_route_table(ec2):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    rts = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vid]}])["RouteTables"]
    assert len(rts) == 1
    rt = rts[0]
    assert_id(rt["RouteTableId"], "rtb")
    assert rt["VpcId"] == vid
    assert rt["OwnerId"] == DEFAULT_ACCOUNT
    assert len(rt["Routes"]) == 1
    route = rt["Routes"][0]
    assert route["DestinationCidrBlock"] == "10.0.0.0/16"
    assert route["GatewayId"] == "local"
    assert route["State"] == "active"
    assert route["Origin"] == "CreateRouteTable"
    (assoc,) = rt["Associations"]
    assert assoc["Main"] is True
    assert "SubnetId" not in assoc
    assert assoc["RouteTableId"] == rt["RouteTableId"]
    assert_id(assoc["RouteTableAssociationId"], "rtbassoc")
    assert assoc["AssociationState"]["State"] == "associated"


def test_create_vpc_creates_default_network_acl(ec2):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    acls = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vid]}])["NetworkAcls"]
    assert len(acls) == 1
    acl = acls[0]
    assert_id(acl["NetworkAclId"], "acl")
    assert acl["IsDefault"] is True
    assert acl["VpcId"] == vid
    assert acl["OwnerId"] == DEFAULT_ACCOUNT
    entries = {(e["RuleNumber"], e["Protocol"], e["RuleAction"], e["Egress"], e["CidrBlock"]) for e in acl["Entries"]}
    assert entries == {
        (100, "-1", "allow", True, "0.0.0.0/0"),
        (100, "-1", "allow", False, "0.0.0.0/0"),
        (32767, "-1", "deny", True, "0.0.0.0/0"),
        (32767, "-1", "deny", False, "0.0.0.0/0"),
    }
    assert len(acl["Entries"]) == 4
    assert acl["Associations"] == []


def test_create_vpc_creates_default_security_group(ec2):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vid]}])["SecurityGroups"]
    assert len(groups) == 1
    sg = groups[0]
    assert_id(sg["GroupId"], "sg")
    assert sg["GroupName"] == "default"
    assert sg["Description"] == "default VPC security group"
    assert sg["VpcId"] == vid
    assert sg["OwnerId"] == DEFAULT_ACCOUNT
    (ingress,) = sg["IpPermissions"]
    assert ingress["IpProtocol"] == "-1"
    assert "FromPort" not in ingress and "ToPort" not in ingress
    assert [(p["UserId"], p["GroupId"]) for p in ingress["UserIdGroupPairs"]] == [(DEFAULT_ACCOUNT, sg["GroupId"])]
    assert ingress.get("IpRanges", []) == []
    (egress,) = sg["IpPermissionsEgress"]
    assert egress["IpProtocol"] == "-1"
    assert [r["CidrIp"] for r in egress["IpRanges"]] == ["0.0.0.0/0"]
    assert egress.get("UserIdGroupPairs", []) == []


def test_side_effects_via_cli(aws, ec2):
    vid = create_vpc(ec2, "10.7.0.0/16")["VpcId"]
    rts = aws("ec2", "describe-route-tables", "--filters", f"Name=vpc-id,Values={vid}").ok()["RouteTables"]
    assert [(r["DestinationCidrBlock"], r["GatewayId"]) for r in rts[0]["Routes"]] == [("10.7.0.0/16", "local")]
    acls = aws("ec2", "describe-network-acls", "--filters", f"Name=vpc-id,Values={vid}").ok()["NetworkAcls"]
    assert len(acls) == 1 and acls[0]["IsDefault"] is True and len(acls[0]["Entries"]) == 4
    sgs = aws("ec2", "describe-security-groups", "--filters", f"Name=vpc-id,Values={vid}").ok()["SecurityGroups"]
    assert [g["GroupName"] for g in sgs] == ["default"]


# ------------------------------------------------------------------------------------------------
# DeleteVpc
# ------------------------------------------------------------------------------------------------
def dependency_msg(vid):
    return f"The vpc '{vid}' has dependencies and cannot be deleted."


def test_delete_vpc_removes_side_effects(ec2):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    r = ec2.delete_vpc(VpcId=vid)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{vid}' does not exist"):
        ec2.describe_vpcs(VpcIds=[vid])
    flt = [{"Name": "vpc-id", "Values": [vid]}]
    assert ec2.describe_route_tables(Filters=flt)["RouteTables"] == []
    assert ec2.describe_network_acls(Filters=flt)["NetworkAcls"] == []
    assert ec2.describe_security_groups(Filters=flt)["SecurityGroups"] == []


def test_delete_vpc_cli(aws, ec2):
    vid = create_vpc(ec2)["VpcId"]
    res = aws("ec2", "delete-vpc", "--vpc-id", vid)
    assert res.rc == 0, res.stderr
    cli_error(aws("ec2", "delete-vpc", "--vpc-id", vid), "InvalidVpcID.NotFound", f"The vpc ID '{vid}' does not exist")


def test_delete_vpc_unknown(ec2):
    vid = UNKNOWN["vpc"]
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{vid}' does not exist"):
        ec2.delete_vpc(VpcId=vid)


def test_delete_vpc_with_subnet(ec2):
    vid = create_vpc(ec2)["VpcId"]
    sid = create_subnet(ec2, vid, "10.0.1.0/24")["SubnetId"]
    with ec2_error("DependencyViolation", dependency_msg(vid)):
        ec2.delete_vpc(VpcId=vid)
    ec2.delete_subnet(SubnetId=sid)
    ec2.delete_vpc(VpcId=vid)


def test_delete_vpc_with_subnet_cli(aws, ec2):
    vid = create_vpc(ec2)["VpcId"]
    create_subnet(ec2, vid, "10.0.1.0/24")
    cli_error(aws("ec2", "delete-vpc", "--vpc-id", vid), "DependencyViolation", dependency_msg(vid))


def test_delete_vpc_with_attached_igw(ec2):
    vid = create_vpc(ec2)["VpcId"]
    igw = create_igw(ec2)["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
    with ec2_error("DependencyViolation", dependency_msg(vid)):
        ec2.delete_vpc(VpcId=vid)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
    ec2.delete_vpc(VpcId=vid)
    # the IGW itself survives, detached
    (g,) = ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"]
    assert g["Attachments"] == []


def test_delete_vpc_with_custom_route_table(ec2):
    vid = create_vpc(ec2)["VpcId"]
    rt = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    with ec2_error("DependencyViolation", dependency_msg(vid)):
        ec2.delete_vpc(VpcId=vid)
    ec2.delete_route_table(RouteTableId=rt)
    ec2.delete_vpc(VpcId=vid)


def test_delete_vpc_with_custom_security_group(ec2):
    vid = create_vpc(ec2)["VpcId"]
    sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vid)["GroupId"]
    with ec2_error("DependencyViolation", dependency_msg(vid)):
        ec2.delete_vpc(VpcId=vid)
    ec2.delete_security_group(GroupId=sg)
    ec2.delete_vpc(VpcId=vid)


def test_delete_vpc_failed_attempt_changes_nothing(ec2):
    vid = create_vpc(ec2)["VpcId"]
    sid = create_subnet(ec2, vid, "10.0.1.0/24")["SubnetId"]
    with ec2_error("DependencyViolation", dependency_msg(vid)):
        ec2.delete_vpc(VpcId=vid)
    flt = [{"Name": "vpc-id", "Values": [vid]}]
    assert len(ec2.describe_route_tables(Filters=flt)["RouteTables"]) == 1
    assert len(ec2.describe_network_acls(Filters=flt)["NetworkAcls"]) == 1
    assert len(ec2.describe_security_groups(Filters=flt)["SecurityGroups"]) == 1
    assert [s["SubnetId"] for s in ec2.describe_subnets(Filters=flt)["Subnets"]] == [sid]


def test_describe_vpcs_cidr_block_filter_was_refused(ec2, three_vpcs):
    """Regression (issue 9): Ansible's ec2_vpc_net always looks VPCs up with `cidr-block`, which AWS accepts."""
    a, b, c = three_vpcs
    got = ec2.describe_vpcs(Filters=[{"Name": "cidr-block", "Values": ["10.1.0.0/16"]}])["Vpcs"]
    assert [v["VpcId"] for v in got] == [b["VpcId"]]
    assert got[0]["CidrBlock"] == "10.1.0.0/16"
    # As Ansible sends it: with a tag:Name filter, and no match when the CIDR differs.
    assert vpc_ids_matching(ec2, {"Name": "cidr-block", "Values": ["10.1.0.0/16"]},
                            {"Name": "tag:Name", "Values": ["db"]}) == set()
    assert vpc_ids_matching(ec2, {"Name": "cidr-block", "Values": ["10.9.0.0/16"]}) == set()
    # Positive control: the IPv6 association filters are accepted and, with no IPv6 support, match nothing.
    assert vpc_ids_matching(ec2, {"Name": "ipv6-cidr-block-association.state", "Values": ["associated"]}) == set()
    assert vpc_ids_matching(ec2, {"Name": "owner-id", "Values": [DEFAULT_ACCOUNT]},
                            {"Name": "is-default", "Values": ["false"]}) == {a["VpcId"], b["VpcId"], c["VpcId"]}


def test_describe_vpcs_is_default_camel_case_filter_was_refused(ec2, aws, three_vpcs):
    """Regression (issue 9): `isDefault`, the name the VPC User Guide tells users to send, was refused."""
    default = default_vpc(ec2)
    got = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
    assert [v["VpcId"] for v in got] == [default["VpcId"]] and got[0]["CidrBlock"] == "172.31.0.0/16"
    assert vpc_ids_matching(ec2, {"Name": "isDefault", "Values": ["false"]}) == {v["VpcId"] for v in three_vpcs}
    res = aws("ec2", "describe-vpcs", "--filters", "Name=isDefault,Values=true").ok()
    assert [v["VpcId"] for v in res["Vpcs"]] == [default["VpcId"]]


def test_describe_vpcs_cidr_block_filter_cli(aws, three_vpcs):
    a, b, c = three_vpcs
    res = aws("ec2", "describe-vpcs", "--filters", "Name=cidr-block,Values=10.2.0.0/16").ok()
    assert [v["VpcId"] for v in res["Vpcs"]] == [c["VpcId"]]
    res = aws("ec2", "describe-vpcs", "--filters", "Name=cidr-blocks,Values=10.2.0.0/16")
    cli_error(res, "InvalidParameterValue", "The filter 'cidr-blocks' is invalid")


def test_network_address_usage_metrics_attribute(ec2, aws):
    """DescribeVpcAttribute / ModifyVpcAttribute `enableNetworkAddressUsageMetrics` (issue 9 §5): off by default,
    turned on and off again, visible to boto3 and the CLI."""
    vid = create_vpc(ec2)["VpcId"]
    attr = "enableNetworkAddressUsageMetrics"
    got = ec2.describe_vpc_attribute(VpcId=vid, Attribute=attr)
    assert got["VpcId"] == vid and got["EnableNetworkAddressUsageMetrics"] == {"Value": False}
    ec2.modify_vpc_attribute(VpcId=vid, EnableNetworkAddressUsageMetrics={"Value": True})
    assert ec2.describe_vpc_attribute(VpcId=vid, Attribute=attr)["EnableNetworkAddressUsageMetrics"] == {"Value": True}
    res = aws("ec2", "describe-vpc-attribute", "--vpc-id", vid, "--attribute", attr).ok()
    assert res["EnableNetworkAddressUsageMetrics"] == {"Value": True}
    aws("ec2", "modify-vpc-attribute", "--vpc-id", vid, "--no-enable-network-address-usage-metrics").ok()
    assert ec2.describe_vpc_attribute(VpcId=vid, Attribute=attr)["EnableNetworkAddressUsageMetrics"] == {"Value": False}
    # The other attributes are untouched by it.
    assert ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsSupport")["EnableDnsSupport"] == {"Value": True}
    with ec2_error("InvalidVpcID.NotFound"):
        ec2.describe_vpc_attribute(VpcId=UNKNOWN["vpc"], Attribute=attr)


def test_create_vpc_answers_pending_and_describe_shows_available(ec2, aws):
    """Issue 9 (response fidelity): CreateVpc's own answer shows the VPC `pending`, as AWS's does; it is
    `available` at once after (what Terraform's and Ansible's waiters look for)."""
    created = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    assert created["State"] == "pending"
    assert created["CidrBlockAssociationSet"][0]["CidrBlockState"]["State"] == "associated"
    assert ec2.describe_vpcs(VpcIds=[created["VpcId"]])["Vpcs"][0]["State"] == "available"
    by_cli = aws("ec2", "create-vpc", "--cidr-block", "10.1.0.0/16").ok()["Vpc"]
    assert by_cli["State"] == "pending"
    assert aws("ec2", "describe-vpcs", "--vpc-ids", by_cli["VpcId"]).ok()["Vpcs"][0]["State"] == "available"
