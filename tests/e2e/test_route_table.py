"""§2.5 Route tables, associations and routes."""
from types import SimpleNamespace

import pytest

from helpers import (DEFAULT_ACCOUNT, UNKNOWN, assert_id, cli_error, create_igw, create_subnet, create_vpc,
                     ec2_error, ids, main_route_table, route_for, route_table, tag_spec, tags_of)


@pytest.fixture
def net(ec2):
    """VPC 10.0.0.0/16 with an attached IGW, two subnets and one custom route table."""
    vpc = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    igw = create_igw(ec2)["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    s1 = create_subnet(ec2, vpc, "10.0.1.0/24", az="us-east-1a")["SubnetId"]
    s2 = create_subnet(ec2, vpc, "10.0.2.0/24", az="us-east-1b")["SubnetId"]
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    main = main_route_table(ec2, vpc)
    return SimpleNamespace(vpc=vpc, igw=igw, s1=s1, s2=s2, rt=rt, main=main["RouteTableId"],
                           main_assoc=main["Associations"][0]["RouteTableAssociationId"])


def not_found_rt(rt):
    return f"The routeTable ID '{rt}' does not exist"


def rt_dependency(rt):
    return f"The routeTable '{rt}' has dependencies and cannot be deleted."


def different_networks(rt, gw):
    return f"route table {rt} and network gateway {gw} belong to different networks"


# ------------------------------------------------------------------------------------------------
# CreateRouteTable / DescribeRouteTables / DeleteRouteTable
# ------------------------------------------------------------------------------------------------
def test_create_route_table(ec2):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    rt = ec2.create_route_table(VpcId=vid, TagSpecifications=tag_spec("route-table", Name="private"))["RouteTable"]
    assert_id(rt["RouteTableId"], "rtb")
    assert rt["VpcId"] == vid
    assert rt["OwnerId"] == DEFAULT_ACCOUNT
    assert rt["Routes"] == [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active",
                             "Origin": "CreateRouteTable"}]
    assert rt.get("Associations", []) == []
    assert rt.get("PropagatingVgws", []) == []
    assert tags_of(rt) == {"Name": "private"}
    d = route_table(ec2, rt["RouteTableId"])
    assert d["Routes"] == rt["Routes"]
    assert d["Associations"] == []
    assert tags_of(d) == {"Name": "private"}
    assert len(ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vid]}])["RouteTables"]) == 2


def test_create_route_table_cli(aws, ec2):
    vid = create_vpc(ec2, "10.3.0.0/16")["VpcId"]
    rt = aws("ec2", "create-route-table", "--vpc-id", vid).ok()["RouteTable"]
    assert_id(rt["RouteTableId"], "rtb")
    assert [(r["DestinationCidrBlock"], r["GatewayId"], r["State"]) for r in rt["Routes"]] == \
           [("10.3.0.0/16", "local", "active")]
    got = aws("ec2", "describe-route-tables", "--route-table-ids", rt["RouteTableId"]).ok()
    assert [r["RouteTableId"] for r in got["RouteTables"]] == [rt["RouteTableId"]]


def test_create_route_table_unknown_vpc(ec2):
    vid = UNKNOWN["vpc"]
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{vid}' does not exist"):
        ec2.create_route_table(VpcId=vid)


def test_describe_route_tables_unknown(ec2):
    rt = UNKNOWN["rtb"]
    with ec2_error("InvalidRouteTableID.NotFound", not_found_rt(rt)):
        ec2.describe_route_tables(RouteTableIds=[rt])


def test_delete_route_table(ec2, net):
    r = ec2.delete_route_table(RouteTableId=net.rt)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    with ec2_error("InvalidRouteTableID.NotFound", not_found_rt(net.rt)):
        ec2.describe_route_tables(RouteTableIds=[net.rt])
    with ec2_error("InvalidRouteTableID.NotFound", not_found_rt(net.rt)):
        ec2.delete_route_table(RouteTableId=net.rt)


def test_delete_main_route_table_refused(ec2, net):
    with ec2_error("DependencyViolation", rt_dependency(net.main)):
        ec2.delete_route_table(RouteTableId=net.main)


def test_delete_main_route_table_refused_cli(aws, net):
    cli_error(aws("ec2", "delete-route-table", "--route-table-id", net.main), "DependencyViolation",
              rt_dependency(net.main))


def test_delete_associated_route_table_refused(ec2, net):
    assoc = ec2.associate_route_table(RouteTableId=net.rt, SubnetId=net.s1)["AssociationId"]
    with ec2_error("DependencyViolation", rt_dependency(net.rt)):
        ec2.delete_route_table(RouteTableId=net.rt)
    ec2.disassociate_route_table(AssociationId=assoc)
    ec2.delete_route_table(RouteTableId=net.rt)


def test_delete_unknown_route_table(ec2):
    with ec2_error("InvalidRouteTableID.NotFound", not_found_rt(UNKNOWN["rtb"])):
        ec2.delete_route_table(RouteTableId=UNKNOWN["rtb"])


# ------------------------------------------------------------------------------------------------
# Associations
# ------------------------------------------------------------------------------------------------
def test_subnets_use_main_table_implicitly(ec2, net):
    # association.subnet-id matches explicit associations only
    assert ec2.describe_route_tables(
        Filters=[{"Name": "association.subnet-id", "Values": [net.s1]}])["RouteTables"] == []
    main = main_route_table(ec2, net.vpc)
    assert main["RouteTableId"] == net.main
    (assoc,) = main["Associations"]
    assert assoc["Main"] is True and "SubnetId" not in assoc


def test_associate_route_table(ec2, net):
    r = ec2.associate_route_table(RouteTableId=net.rt, SubnetId=net.s1)
    assoc_id = r["AssociationId"]
    assert_id(assoc_id, "rtbassoc")
    assert r["AssociationState"]["State"] == "associated"
    rt = route_table(ec2, net.rt)
    (assoc,) = rt["Associations"]
    assert assoc["RouteTableAssociationId"] == assoc_id
    assert assoc["RouteTableId"] == net.rt
    assert assoc["SubnetId"] == net.s1
    assert assoc["Main"] is False
    assert assoc["AssociationState"]["State"] == "associated"
    got = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [net.s1]}])["RouteTables"]
    assert [t["RouteTableId"] for t in got] == [net.rt]
    # main table keeps only its main association
    assert [a["Main"] for a in route_table(ec2, net.main)["Associations"]] == [True]


def test_associate_route_table_cli(aws, net):
    res = aws("ec2", "associate-route-table", "--route-table-id", net.rt, "--subnet-id", net.s2).ok()
    assert_id(res["AssociationId"], "rtbassoc")
    assert res["AssociationState"]["State"] == "associated"
    got = aws("ec2", "describe-route-tables", "--filters", f"Name=association.subnet-id,Values={net.s2}").ok()
    assert [t["RouteTableId"] for t in got["RouteTables"]] == [net.rt]
    assert aws("ec2", "disassociate-route-table", "--association-id", res["AssociationId"]).rc == 0
    got = aws("ec2", "describe-route-tables", "--filters", f"Name=association.subnet-id,Values={net.s2}").ok()
    assert got["RouteTables"] == []


def test_associate_subnet_already_associated(ec2, net):
    ec2.associate_route_table(RouteTableId=net.rt, SubnetId=net.s1)
    with ec2_error("Resource.AlreadyAssociated",
                   f"the specified association for route table {net.rt} conflicts with an existing association"):
        ec2.associate_route_table(RouteTableId=net.rt, SubnetId=net.s1)
    other = ec2.create_route_table(VpcId=net.vpc)["RouteTable"]["RouteTableId"]
    with ec2_error("Resource.AlreadyAssociated",
                   f"the specified association for route table {other} conflicts with an existing association"):
        ec2.associate_route_table(RouteTableId=other, SubnetId=net.s1)
    assert route_table(ec2, other)["Associations"] == []


def test_associate_subnet_of_other_vpc(ec2, net):
    other_vpc = create_vpc(ec2, "10.9.0.0/16")["VpcId"]
    foreign = create_subnet(ec2, other_vpc, "10.9.1.0/24")["SubnetId"]
    with ec2_error("InvalidParameterValue"):  # message is [I]
        ec2.associate_route_table(RouteTableId=net.rt, SubnetId=foreign)


def test_associate_unknown_subnet_or_table(ec2, net):
    sid = UNKNOWN["subnet"]
    with ec2_error("InvalidSubnetID.NotFound", f"The subnet ID '{sid}' does not exist"):
        ec2.associate_route_table(RouteTableId=net.rt, SubnetId=sid)
    with ec2_error("InvalidRouteTableID.NotFound", not_found_rt(UNKNOWN["rtb"])):
        ec2.associate_route_table(RouteTableId=UNKNOWN["rtb"], SubnetId=net.s1)


def test_disassociate_route_table(ec2, net):
    assoc = ec2.associate_route_table(RouteTableId=net.rt, SubnetId=net.s1)["AssociationId"]
    r = ec2.disassociate_route_table(AssociationId=assoc)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert route_table(ec2, net.rt)["Associations"] == []
    assert ec2.describe_route_tables(
        Filters=[{"Name": "association.subnet-id", "Values": [net.s1]}])["RouteTables"] == []
    with ec2_error("InvalidAssociationID.NotFound", f"The association ID '{assoc}' does not exist"):
        ec2.disassociate_route_table(AssociationId=assoc)


def test_disassociate_main_association_refused(ec2, net):
    with ec2_error("InvalidParameterValue",
                   f"cannot disassociate the main route table association {net.main_assoc}"):
        ec2.disassociate_route_table(AssociationId=net.main_assoc)
    assert main_route_table(ec2, net.vpc)["RouteTableId"] == net.main


def test_disassociate_main_association_refused_cli(aws, net):
    cli_error(aws("ec2", "disassociate-route-table", "--association-id", net.main_assoc), "InvalidParameterValue",
              f"cannot disassociate the main route table association {net.main_assoc}")


def test_disassociate_unknown_association(ec2):
    a = UNKNOWN["rtbassoc"]
    with ec2_error("InvalidAssociationID.NotFound", f"The association ID '{a}' does not exist"):
        ec2.disassociate_route_table(AssociationId=a)


def test_replace_subnet_association(ec2, net):
    old = ec2.associate_route_table(RouteTableId=net.rt, SubnetId=net.s1)["AssociationId"]
    other = ec2.create_route_table(VpcId=net.vpc)["RouteTable"]["RouteTableId"]
    r = ec2.replace_route_table_association(AssociationId=old, RouteTableId=other)
    new = r["NewAssociationId"]
    assert_id(new, "rtbassoc")
    assert new != old
    assert r["AssociationState"]["State"] == "associated"
    assert route_table(ec2, net.rt)["Associations"] == []
    (assoc,) = route_table(ec2, other)["Associations"]
    assert (assoc["RouteTableAssociationId"], assoc["SubnetId"], assoc["Main"]) == (new, net.s1, False)
    with ec2_error("InvalidAssociationID.NotFound", f"The association ID '{old}' does not exist"):
        ec2.disassociate_route_table(AssociationId=old)


def test_replace_main_association_moves_main(ec2, net):
    r = ec2.replace_route_table_association(AssociationId=net.main_assoc, RouteTableId=net.rt)
    new = r["NewAssociationId"]
    assert_id(new, "rtbassoc")
    assert r["AssociationState"]["State"] == "associated"
    main = main_route_table(ec2, net.vpc)
    assert main["RouteTableId"] == net.rt
    (assoc,) = main["Associations"]
    assert assoc["Main"] is True and assoc["RouteTableAssociationId"] == new and "SubnetId" not in assoc
    assert route_table(ec2, net.main)["Associations"] == []
    got = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [net.vpc]},
                                             {"Name": "association.main", "Values": ["false"]}])["RouteTables"]
    # neither table has a non-main association now (tables without associations are not returned)
    assert got == []
    # the new main table can no longer be deleted; the former one can
    with ec2_error("DependencyViolation", rt_dependency(net.rt)):
        ec2.delete_route_table(RouteTableId=net.rt)
    with ec2_error("InvalidParameterValue", f"cannot disassociate the main route table association {new}"):
        ec2.disassociate_route_table(AssociationId=new)
    ec2.delete_route_table(RouteTableId=net.main)
    # and the VPC can still be torn down once everything else is gone
    ec2.delete_subnet(SubnetId=net.s1)
    ec2.delete_subnet(SubnetId=net.s2)
    ec2.detach_internet_gateway(InternetGatewayId=net.igw, VpcId=net.vpc)
    ec2.delete_vpc(VpcId=net.vpc)
    assert ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [net.vpc]}])["RouteTables"] == []


def test_replace_main_association_cli(aws, net):
    res = aws("ec2", "replace-route-table-association", "--association-id", net.main_assoc,
              "--route-table-id", net.rt).ok()
    assert_id(res["NewAssociationId"], "rtbassoc")
    got = aws("ec2", "describe-route-tables", "--filters", f"Name=vpc-id,Values={net.vpc}",
              "Name=association.main,Values=true").ok()
    assert [t["RouteTableId"] for t in got["RouteTables"]] == [net.rt]


def test_replace_association_errors(ec2, net):
    a = UNKNOWN["rtbassoc"]
    with ec2_error("InvalidAssociationID.NotFound", f"The association ID '{a}' does not exist"):
        ec2.replace_route_table_association(AssociationId=a, RouteTableId=net.rt)
    with ec2_error("InvalidRouteTableID.NotFound", not_found_rt(UNKNOWN["rtb"])):
        ec2.replace_route_table_association(AssociationId=net.main_assoc, RouteTableId=UNKNOWN["rtb"])
    assert main_route_table(ec2, net.vpc)["RouteTableId"] == net.main


# ------------------------------------------------------------------------------------------------
# CreateRoute
# ------------------------------------------------------------------------------------------------
def test_create_route_to_igw(ec2, net):
    r = ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    assert r["Return"] is True
    rt = route_table(ec2, net.rt)
    route = route_for(rt, "0.0.0.0/0")
    assert route == {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": net.igw, "State": "active",
                     "Origin": "CreateRoute"}
    assert route_for(rt, "10.0.0.0/16")["GatewayId"] == "local"
    assert len(rt["Routes"]) == 2
    # a second, more specific route outside the VPC range is fine too
    ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock="192.0.2.0/24", GatewayId=net.igw)
    assert route_for(route_table(ec2, net.rt), "192.0.2.0/24")["State"] == "active"


def test_create_route_cli(aws, net):
    res = aws("ec2", "create-route", "--route-table-id", net.main, "--destination-cidr-block", "0.0.0.0/0",
              "--gateway-id", net.igw).ok()
    assert res == {"Return": True}
    got = aws("ec2", "describe-route-tables", "--route-table-ids", net.main).ok()["RouteTables"][0]
    assert route_for(got, "0.0.0.0/0")["GatewayId"] == net.igw


def test_create_route_already_exists(ec2, net):
    ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    with ec2_error("RouteAlreadyExists", "The route identified by 0.0.0.0/0 already exists."):
        ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)


def test_create_route_local_cidr_already_exists(ec2, net):
    with ec2_error("RouteAlreadyExists", "The route identified by 10.0.0.0/16 already exists."):
        ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock="10.0.0.0/16", GatewayId=net.igw)


def test_create_route_already_exists_cli(aws, net):
    cli_error(aws("ec2", "create-route", "--route-table-id", net.rt, "--destination-cidr-block", "10.0.0.0/16",
                  "--gateway-id", net.igw), "RouteAlreadyExists", "The route identified by 10.0.0.0/16 already exists.")


@pytest.mark.parametrize("dest", ["10.0.1.0/24", "10.0.0.0/17", "10.0.5.5/32"])
def test_create_route_more_specific_than_vpc_cidr(ec2, net, dest):
    with ec2_error("InvalidParameterValue",
                   f"The destination CIDR block {dest} is equal to or more specific than one of this VPC's CIDR "
                   f"blocks. This route can target only an interface or an instance."):
        ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock=dest, GatewayId=net.igw)


def test_create_route_more_specific_than_secondary_cidr(ec2, net):
    ec2.associate_vpc_cidr_block(VpcId=net.vpc, CidrBlock="10.1.0.0/16")
    with ec2_error("RouteAlreadyExists", "The route identified by 10.1.0.0/16 already exists."):
        ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock="10.1.0.0/16", GatewayId=net.igw)
    with ec2_error("InvalidParameterValue",
                   "The destination CIDR block 10.1.7.0/24 is equal to or more specific than one of this VPC's CIDR "
                   "blocks. This route can target only an interface or an instance."):
        ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock="10.1.7.0/24", GatewayId=net.igw)


def test_create_route_igw_not_attached(ec2, net):
    loose = create_igw(ec2)["InternetGatewayId"]
    with ec2_error("InvalidParameterValue", different_networks(net.rt, loose)):
        ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=loose)


def test_create_route_igw_of_other_vpc(ec2, net):
    other_vpc = create_vpc(ec2, "10.5.0.0/16")["VpcId"]
    other_igw = create_igw(ec2)["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=other_igw, VpcId=other_vpc)
    with ec2_error("InvalidParameterValue", different_networks(net.rt, other_igw)):
        ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=other_igw)


def test_create_route_igw_not_attached_cli(aws, ec2, net):
    loose = create_igw(ec2)["InternetGatewayId"]
    cli_error(aws("ec2", "create-route", "--route-table-id", net.rt, "--destination-cidr-block", "0.0.0.0/0",
                  "--gateway-id", loose), "InvalidParameterValue", different_networks(net.rt, loose))


def test_create_route_unknown_igw(ec2, net):
    igw = UNKNOWN["igw"]
    with ec2_error("InvalidInternetGatewayID.NotFound", f"The internetGateway ID '{igw}' does not exist"):
        ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)


def test_create_route_unknown_pcx(ec2, net):
    pcx = UNKNOWN["pcx"]
    with ec2_error("InvalidVpcPeeringConnectionID.NotFound", f"The vpcPeeringConnection ID '{pcx}' does not exist"):
        ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock="172.16.0.0/16", VpcPeeringConnectionId=pcx)


def test_create_route_unknown_route_table(ec2, net):
    with ec2_error("InvalidRouteTableID.NotFound", not_found_rt(UNKNOWN["rtb"])):
        ec2.create_route(RouteTableId=UNKNOWN["rtb"], DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)


@pytest.mark.parametrize("dest", ["169.254.169.0/24", "169.254.168.0/22", "169.254.169.254/32", "169.254.171.0/24"])
def test_create_route_reserved_link_local_destination(ec2, net, dest):
    with ec2_error(None):  # rule [D], code not pinned
        ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock=dest, GatewayId=net.igw)
    assert route_for(route_table(ec2, net.rt), dest) is None


@pytest.mark.parametrize("dest", ["0.0.0.0/0", "128.0.0.0/1", "160.0.0.0/4", "169.254.172.0/22", "1.0.0.0/8"])
def test_create_route_destination_containing_or_beside_reserved_range_is_fine(ec2, net, dest):
    # only destinations *inside* 169.254.168.0/22 are rejected
    assert ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock=dest, GatewayId=net.igw)["Return"] is True
    assert route_for(route_table(ec2, net.rt), dest)["State"] == "active"


@pytest.mark.parametrize("dest", ["bogus", "10.0.0.256/24", "0.0.0.0/33x"])
def test_create_route_invalid_cidr(ec2, net, dest):
    with ec2_error("InvalidParameterValue",
                   f"Value ({dest}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block."):
        ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock=dest, GatewayId=net.igw)


def test_create_route_needs_exactly_one_target(ec2, net):
    with ec2_error(None):
        ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock="0.0.0.0/0")
    with ec2_error(None):
        ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw,
                         VpcPeeringConnectionId=UNKNOWN["pcx"])
    assert route_for(route_table(ec2, net.rt), "0.0.0.0/0") is None


# ------------------------------------------------------------------------------------------------
# ReplaceRoute / DeleteRoute / blackhole
# ------------------------------------------------------------------------------------------------
def test_route_blackhole_after_igw_detach(ec2, net):
    ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    ec2.detach_internet_gateway(InternetGatewayId=net.igw, VpcId=net.vpc)
    route = route_for(route_table(ec2, net.rt), "0.0.0.0/0")
    assert route["GatewayId"] == net.igw
    assert route["State"] == "blackhole"
    got = ec2.describe_route_tables(Filters=[{"Name": "route.state", "Values": ["blackhole"]}])["RouteTables"]
    assert ids(got, "RouteTableId") == {net.rt}
    # re-attaching makes it active again
    ec2.attach_internet_gateway(InternetGatewayId=net.igw, VpcId=net.vpc)
    assert route_for(route_table(ec2, net.rt), "0.0.0.0/0")["State"] == "active"


def test_route_blackhole_after_igw_delete(ec2, net):
    ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    ec2.detach_internet_gateway(InternetGatewayId=net.igw, VpcId=net.vpc)
    ec2.delete_internet_gateway(InternetGatewayId=net.igw)
    route = route_for(route_table(ec2, net.rt), "0.0.0.0/0")
    assert route is not None and route["State"] == "blackhole"
    # a blackhole route can still be deleted
    ec2.delete_route(RouteTableId=net.rt, DestinationCidrBlock="0.0.0.0/0")
    assert route_for(route_table(ec2, net.rt), "0.0.0.0/0") is None


def test_route_blackhole_cli(aws, ec2, net):
    ec2.create_route(RouteTableId=net.main, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    assert aws("ec2", "detach-internet-gateway", "--internet-gateway-id", net.igw, "--vpc-id", net.vpc).rc == 0
    got = aws("ec2", "describe-route-tables", "--route-table-ids", net.main).ok()["RouteTables"][0]
    assert route_for(got, "0.0.0.0/0")["State"] == "blackhole"


def test_replace_route(ec2, net):
    ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    ec2.detach_internet_gateway(InternetGatewayId=net.igw, VpcId=net.vpc)
    new_igw = create_igw(ec2)["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=new_igw, VpcId=net.vpc)
    r = ec2.replace_route(RouteTableId=net.rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=new_igw)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    route = route_for(route_table(ec2, net.rt), "0.0.0.0/0")
    assert route["GatewayId"] == new_igw
    assert route["State"] == "active"
    assert len(route_table(ec2, net.rt)["Routes"]) == 2


def test_replace_route_cli(aws, ec2, net):
    ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    ec2.detach_internet_gateway(InternetGatewayId=net.igw, VpcId=net.vpc)
    new_igw = create_igw(ec2)["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=new_igw, VpcId=net.vpc)
    res = aws("ec2", "replace-route", "--route-table-id", net.rt, "--destination-cidr-block", "0.0.0.0/0",
              "--gateway-id", new_igw)
    assert res.rc == 0, res.stderr
    assert route_for(route_table(ec2, net.rt), "0.0.0.0/0")["GatewayId"] == new_igw


def test_replace_route_missing(ec2, net):
    with ec2_error("InvalidParameterValue",
                   "There is no route defined for '10.1.0.0/16' in the route table. Use CreateRoute instead."):
        ec2.replace_route(RouteTableId=net.rt, DestinationCidrBlock="10.1.0.0/16", GatewayId=net.igw)


def test_replace_route_igw_not_attached(ec2, net):
    ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    loose = create_igw(ec2)["InternetGatewayId"]
    with ec2_error("InvalidParameterValue", different_networks(net.rt, loose)):
        ec2.replace_route(RouteTableId=net.rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=loose)
    assert route_for(route_table(ec2, net.rt), "0.0.0.0/0")["GatewayId"] == net.igw


def test_replace_local_route_with_igw_refused(ec2, net):
    with ec2_error(None):  # only ENI/GWLBe/NAT (or LocalTarget) may replace the local target [D]
        ec2.replace_route(RouteTableId=net.rt, DestinationCidrBlock="10.0.0.0/16", GatewayId=net.igw)
    local = route_for(route_table(ec2, net.rt), "10.0.0.0/16")
    assert local["GatewayId"] == "local" and local["State"] == "active"


def test_delete_route(ec2, net):
    ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    r = ec2.delete_route(RouteTableId=net.rt, DestinationCidrBlock="0.0.0.0/0")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    rt = route_table(ec2, net.rt)
    assert route_for(rt, "0.0.0.0/0") is None
    assert len(rt["Routes"]) == 1


def test_delete_route_cli(aws, ec2, net):
    ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    assert aws("ec2", "delete-route", "--route-table-id", net.rt, "--destination-cidr-block", "0.0.0.0/0").rc == 0
    cli_error(aws("ec2", "delete-route", "--route-table-id", net.rt, "--destination-cidr-block", "0.0.0.0/0"),
              "InvalidRoute.NotFound", f"no route with destination-cidr-block 0.0.0.0/0 in route table {net.rt}")


def test_delete_route_missing(ec2, net):
    with ec2_error("InvalidRoute.NotFound", f"no route with destination-cidr-block 10.1.0.0/16 in route table {net.rt}"):
        ec2.delete_route(RouteTableId=net.rt, DestinationCidrBlock="10.1.0.0/16")


def test_delete_local_route_refused(ec2, net):
    with ec2_error("InvalidParameterValue", f"cannot remove local route 10.0.0.0/16 in route table {net.rt}"):
        ec2.delete_route(RouteTableId=net.rt, DestinationCidrBlock="10.0.0.0/16")
    with ec2_error("InvalidParameterValue", f"cannot remove local route 10.0.0.0/16 in route table {net.main}"):
        ec2.delete_route(RouteTableId=net.main, DestinationCidrBlock="10.0.0.0/16")


def test_delete_local_route_refused_cli(aws, net):
    cli_error(aws("ec2", "delete-route", "--route-table-id", net.rt, "--destination-cidr-block", "10.0.0.0/16"),
              "InvalidParameterValue", f"cannot remove local route 10.0.0.0/16 in route table {net.rt}")


# ------------------------------------------------------------------------------------------------
# Filters
# ------------------------------------------------------------------------------------------------
def test_describe_route_tables_filters(ec2, net):
    ec2.create_tags(Resources=[net.rt], Tags=[{"Key": "Name", "Value": "public"}, {"Key": "tier", "Value": "web"}])
    assoc = ec2.associate_route_table(RouteTableId=net.rt, SubnetId=net.s1)["AssociationId"]
    ec2.create_route(RouteTableId=net.rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    other_vpc = create_vpc(ec2, "10.8.0.0/16")["VpcId"]
    other_main = main_route_table(ec2, other_vpc)["RouteTableId"]
    mine = {net.rt, net.main, other_main}

    def match(*filters):
        got = ids(ec2.describe_route_tables(Filters=list(filters))["RouteTables"], "RouteTableId")
        return got & mine

    f = lambda name, *values: {"Name": name, "Values": list(values)}  # noqa: E731
    assert match(f("vpc-id", net.vpc)) == {net.rt, net.main}
    assert match(f("route-table-id", net.rt, other_main)) == {net.rt, other_main}
    assert match(f("association.main", "true")) == {net.main, other_main}
    assert match(f("association.main", "true"), f("vpc-id", net.vpc)) == {net.main}
    assert match(f("association.main", "false")) == {net.rt}
    assert match(f("association.subnet-id", net.s1)) == {net.rt}
    assert match(f("association.subnet-id", net.s2)) == set()
    assert match(f("association.route-table-association-id", assoc)) == {net.rt}
    assert match(f("association.route-table-association-id", net.main_assoc)) == {net.main}
    assert match(f("association.route-table-id", net.rt)) == {net.rt}
    assert match(f("route.destination-cidr-block", "0.0.0.0/0")) == {net.rt}
    assert match(f("route.destination-cidr-block", "10.8.0.0/16")) == {other_main}
    assert match(f("route.gateway-id", net.igw)) == {net.rt}
    assert match(f("route.gateway-id", "local")) == mine
    assert match(f("route.state", "active"), f("vpc-id", net.vpc)) == {net.rt, net.main}
    assert match(f("route.state", "blackhole")) == set()
    assert match(f("route.origin", "CreateRoute")) == {net.rt}
    assert match(f("route.origin", "CreateRouteTable")) == mine
    assert match(f("owner-id", DEFAULT_ACCOUNT)) == mine
    assert match(f("tag:Name", "pub*")) == {net.rt}
    assert match(f("tag-key", "tier")) == {net.rt}
    assert match(f("tag:tier", "web"), f("association.main", "true")) == set()


def test_describe_route_tables_filter_cli(aws, ec2, net):
    ec2.associate_route_table(RouteTableId=net.rt, SubnetId=net.s1)
    got = aws("ec2", "describe-route-tables", "--filters", f"Name=vpc-id,Values={net.vpc}",
              "Name=association.main,Values=false").ok()
    assert [t["RouteTableId"] for t in got["RouteTables"]] == [net.rt]


def test_describe_route_tables_unknown_filter(ec2):
    with ec2_error("InvalidParameterValue", "The filter 'route.bogus' is invalid"):
        ec2.describe_route_tables(Filters=[{"Name": "route.bogus", "Values": ["x"]}])
