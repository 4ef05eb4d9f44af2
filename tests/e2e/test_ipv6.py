"""IPv6 dual-stack, control plane (part 2 §16.1–16.3): Amazon-provided /56s on VPCs, /64s on subnets, the subnet
attributes that need one, with boto3 and the aws CLI.

localvpc issues the n-th /56 of the whole server as the n-th /56 of the Region's /32 (us-east-1: 2600:1f21::/32), so
after a reset the blocks are predictable and asserted exactly.
"""
import pytest

from helpers import assert_id, cli_error, create_subnet, create_vpc, ec2_error, tag_spec

FIRST_BLOCK = "2600:1f21::/56"
SECOND_BLOCK = "2600:1f21:0:100::/56"


def ipv6_vpc(ec2, cidr="10.0.0.0/16"):
    return ec2.create_vpc(CidrBlock=cidr, AmazonProvidedIpv6CidrBlock=True)["Vpc"]


def describe_vpc(ec2, vpc_id):
    (vpc,) = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    return vpc


def describe_subnet(ec2, subnet_id):
    (subnet,) = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"]
    return subnet


def test_create_vpc_with_amazon_provided_block_answers_associating_and_describes_associated(ec2):
    created = ipv6_vpc(ec2)
    (association,) = created["Ipv6CidrBlockAssociationSet"]
    assert_id(association["AssociationId"], "vpc-cidr-assoc")
    assert association == {
        "AssociationId": association["AssociationId"],
        "Ipv6CidrBlock": FIRST_BLOCK,
        "Ipv6CidrBlockState": {"State": "associating"},
        "NetworkBorderGroup": "us-east-1",
        "Ipv6Pool": "Amazon",
        "Ipv6AddressAttribute": "public",
        "IpSource": "amazon",
    }
    described = describe_vpc(ec2, created["VpcId"])
    assert described["Ipv6CidrBlockAssociationSet"] == [dict(association, Ipv6CidrBlockState={"State": "associated"})]
    # The IPv4 side is untouched.
    assert [a["CidrBlock"] for a in described["CidrBlockAssociationSet"]] == ["10.0.0.0/16"]
    # Positive control: a VPC created without the flag has no IPv6 block.
    plain = create_vpc(ec2, "10.1.0.0/16")
    assert plain["Ipv6CidrBlockAssociationSet"] == []
    assert "Ipv6CidrBlockAssociationSet" not in describe_vpc(ec2, plain["VpcId"])


def test_associate_and_disassociate_vpc_ipv6_block(ec2):
    vpc_id = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    first = ec2.associate_vpc_cidr_block(VpcId=vpc_id, AmazonProvidedIpv6CidrBlock=True,
                                         Ipv6CidrBlockNetworkBorderGroup="us-east-1")
    assert first["VpcId"] == vpc_id
    block = first["Ipv6CidrBlockAssociation"]
    assert (block["Ipv6CidrBlock"], block["Ipv6CidrBlockState"], block["NetworkBorderGroup"]) == (
        FIRST_BLOCK, {"State": "associating"}, "us-east-1")
    second = ec2.associate_vpc_cidr_block(VpcId=vpc_id, AmazonProvidedIpv6CidrBlock=True)
    assert second["Ipv6CidrBlockAssociation"]["Ipv6CidrBlock"] == SECOND_BLOCK
    listed = [a["Ipv6CidrBlock"] for a in describe_vpc(ec2, vpc_id)["Ipv6CidrBlockAssociationSet"]]
    assert listed == [FIRST_BLOCK, SECOND_BLOCK]

    gone = ec2.disassociate_vpc_cidr_block(AssociationId=block["AssociationId"])
    assert gone["VpcId"] == vpc_id
    assert (gone["Ipv6CidrBlockAssociation"]["Ipv6CidrBlock"],
            gone["Ipv6CidrBlockAssociation"]["Ipv6CidrBlockState"]) == (FIRST_BLOCK, {"State": "disassociating"})
    listed = [a["Ipv6CidrBlock"] for a in describe_vpc(ec2, vpc_id)["Ipv6CidrBlockAssociationSet"]]
    assert listed == [SECOND_BLOCK]
    # A released block is never handed out again.
    third = ec2.associate_vpc_cidr_block(VpcId=vpc_id, AmazonProvidedIpv6CidrBlock=True)
    assert third["Ipv6CidrBlockAssociation"]["Ipv6CidrBlock"] == "2600:1f21:0:200::/56"


def test_every_block_is_unique_across_accounts_and_regions(client_factory):
    seen = []
    for region, key in (("us-east-1", "test"), ("us-east-1", "222222222222"), ("eu-west-1", "222222222222")):
        ec2 = client_factory(region=region, key=key)
        vpc = ipv6_vpc(ec2)
        seen.append(vpc["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"])
    assert seen == [FIRST_BLOCK, SECOND_BLOCK, "2600:1f1c:0:200::/56"]


def test_five_ipv6_blocks_per_vpc(ec2):
    vpc_id = ipv6_vpc(ec2)["VpcId"]
    for _ in range(4):
        answer = ec2.associate_vpc_cidr_block(VpcId=vpc_id, AmazonProvidedIpv6CidrBlock=True)
        assert answer["Ipv6CidrBlockAssociation"]["Ipv6CidrBlockState"] == {"State": "associating"}
    assert len(describe_vpc(ec2, vpc_id)["Ipv6CidrBlockAssociationSet"]) == 5
    with ec2_error("CidrLimitExceeded", f"This network '{vpc_id}' has met its maximum number of allowed IPv6 CIDRs: 5"):
        ec2.associate_vpc_cidr_block(VpcId=vpc_id, AmazonProvidedIpv6CidrBlock=True)


def test_network_border_group_must_be_the_region(ec2):
    vpc_id = create_vpc(ec2)["VpcId"]
    with ec2_error("InvalidParameterValue",
                   "Value (us-west-2-lax-1) for parameter ipv6CidrBlockNetworkBorderGroup is invalid."):
        ec2.associate_vpc_cidr_block(VpcId=vpc_id, AmazonProvidedIpv6CidrBlock=True,
                                     Ipv6CidrBlockNetworkBorderGroup="us-west-2-lax-1")
    with ec2_error("InvalidParameterValue"):
        ec2.create_vpc(CidrBlock="10.9.0.0/16", AmazonProvidedIpv6CidrBlock=True,
                       Ipv6CidrBlockNetworkBorderGroup="us-west-2-lax-1")
    answer = ec2.create_vpc(CidrBlock="10.9.0.0/16", AmazonProvidedIpv6CidrBlock=True,
                            Ipv6CidrBlockNetworkBorderGroup="us-east-1")
    assert answer["Vpc"]["Ipv6CidrBlockAssociationSet"][0]["NetworkBorderGroup"] == "us-east-1"


def test_vpc_ipv6_filters(ec2):
    vpc = ipv6_vpc(ec2)
    plain_id = create_vpc(ec2, "10.1.0.0/16")["VpcId"]
    association_id = vpc["Ipv6CidrBlockAssociationSet"][0]["AssociationId"]

    def matching(name, value):
        found = ec2.describe_vpcs(Filters=[{"Name": name, "Values": [value]}])["Vpcs"]
        return [v["VpcId"] for v in found]

    assert matching("ipv6-cidr-block-association.ipv6-cidr-block", FIRST_BLOCK) == [vpc["VpcId"]]
    assert matching("ipv6-cidr-block-association.association-id", association_id) == [vpc["VpcId"]]
    assert matching("ipv6-cidr-block-association.state", "associated") == [vpc["VpcId"]]
    assert matching("ipv6-cidr-block-association.ipv6-pool", "Amazon") == [vpc["VpcId"]]
    assert matching("ipv6-cidr-block-association.ipv6-cidr-block", SECOND_BLOCK) == []
    everything = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    assert plain_id in everything and vpc["VpcId"] in everything


def test_subnet_with_ipv6_block(ec2):
    vpc_id = ipv6_vpc(ec2)["VpcId"]
    created = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", Ipv6CidrBlock="2600:1f21:0:1::/64",
                                TagSpecifications=tag_spec("subnet", Name="dual"))["Subnet"]
    (association,) = created["Ipv6CidrBlockAssociationSet"]
    assert_id(association["AssociationId"], "subnet-cidr-assoc")
    assert association == {
        "AssociationId": association["AssociationId"],
        "Ipv6CidrBlock": "2600:1f21:0:1::/64",
        "Ipv6CidrBlockState": {"State": "associating"},
        "Ipv6AddressAttribute": "public",
        "IpSource": "amazon",
    }
    described = describe_subnet(ec2, created["SubnetId"])
    assert described["Ipv6CidrBlockAssociationSet"] == [dict(association, Ipv6CidrBlockState={"State": "associated"})]
    assert (described["AssignIpv6AddressOnCreation"], described["Ipv6Native"], described["EnableDns64"]) == (
        False, False, False)
    assert described["PrivateDnsNameOptionsOnLaunch"] == {
        "HostnameType": "ip-name", "EnableResourceNameDnsARecord": False, "EnableResourceNameDnsAAAARecord": False}


@pytest.mark.parametrize("block,code,message", [
    ("2600:1f21:0:10::/60", "InvalidParameterValue", "invalid value for parameter ipv6-cidr-block: 2600:1f21:0:10::/60"),
    ("2600:1f21:0:1::1/64", "InvalidParameterValue", "invalid value for parameter ipv6-cidr-block: 2600:1f21:0:1::1/64"),
    ("2600:1f99:0:1::/64", "InvalidSubnet.Range", "The IPv6 CIDR '2600:1f99:0:1::/64' is invalid."),
])
def test_subnet_block_must_be_a_64_inside_the_vpc(ec2, block, code, message):
    vpc_id = ipv6_vpc(ec2)["VpcId"]
    with ec2_error(code, message):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", Ipv6CidrBlock=block)
    # Positive control: the same subnet with a /64 of the VPC's block.
    ok = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", Ipv6CidrBlock="2600:1f21:0:1::/64")["Subnet"]
    assert ok["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"] == "2600:1f21:0:1::/64"


def test_subnet_block_conflict_and_no_block_without_vpc_ipv6(ec2):
    vpc_id = ipv6_vpc(ec2)["VpcId"]
    ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", Ipv6CidrBlock="2600:1f21:0:1::/64")
    with ec2_error("InvalidSubnet.Conflict", "The CIDR '2600:1f21:0:1::/64' conflicts with another subnet"):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24", Ipv6CidrBlock="2600:1f21:0:1::/64")
    other = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24", Ipv6CidrBlock="2600:1f21:0:2::/64")["Subnet"]
    assert other["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"] == "2600:1f21:0:2::/64"
    plain_id = create_vpc(ec2, "10.5.0.0/16")["VpcId"]
    with ec2_error("InvalidSubnet.Range", "The IPv6 CIDR '2600:1f21:0:3::/64' is invalid."):
        ec2.create_subnet(VpcId=plain_id, CidrBlock="10.5.1.0/24", Ipv6CidrBlock="2600:1f21:0:3::/64")


def test_associate_and_disassociate_subnet_block(ec2):
    vpc_id = ipv6_vpc(ec2)["VpcId"]
    subnet_id = create_subnet(ec2, vpc_id, "10.0.1.0/24")["SubnetId"]
    answer = ec2.associate_subnet_cidr_block(SubnetId=subnet_id, Ipv6CidrBlock="2600:1f21:0:7::/64")
    association = answer["Ipv6CidrBlockAssociation"]
    assert (answer["SubnetId"], association["Ipv6CidrBlock"], association["Ipv6CidrBlockState"]) == (
        subnet_id, "2600:1f21:0:7::/64", {"State": "associating"})
    with ec2_error("InvalidParameterValue",
                   f"The subnet {subnet_id} already has an IPv6 CIDR block associated with it."):
        ec2.associate_subnet_cidr_block(SubnetId=subnet_id, Ipv6CidrBlock="2600:1f21:0:8::/64")
    listed = describe_subnet(ec2, subnet_id)["Ipv6CidrBlockAssociationSet"]
    assert [(a["AssociationId"], a["Ipv6CidrBlock"]) for a in listed] == [
        (association["AssociationId"], "2600:1f21:0:7::/64")]

    ec2.modify_subnet_attribute(SubnetId=subnet_id, AssignIpv6AddressOnCreation={"Value": True})
    with ec2_error("InvalidCidrBlock.InUse",
                   f"The subnet IPv6 CIDR block with association ID {association['AssociationId']} may not be "
                   "disassociated, because its subnet has assign-ipv6-address-on-creation set to true."):
        ec2.disassociate_subnet_cidr_block(AssociationId=association["AssociationId"])
    ec2.modify_subnet_attribute(SubnetId=subnet_id, AssignIpv6AddressOnCreation={"Value": False})
    gone = ec2.disassociate_subnet_cidr_block(AssociationId=association["AssociationId"])
    assert (gone["SubnetId"], gone["Ipv6CidrBlockAssociation"]["Ipv6CidrBlockState"]) == (
        subnet_id, {"State": "disassociating"})
    assert describe_subnet(ec2, subnet_id)["Ipv6CidrBlockAssociationSet"] == []
    with ec2_error("InvalidSubnetCidrBlockAssociationID.NotFound"):
        ec2.disassociate_subnet_cidr_block(AssociationId=association["AssociationId"])


def test_vpc_block_in_use_by_a_subnet_cannot_go(ec2):
    vpc = ipv6_vpc(ec2)
    association_id = vpc["Ipv6CidrBlockAssociationSet"][0]["AssociationId"]
    subnet_id = ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.0.1.0/24",
                                  Ipv6CidrBlock="2600:1f21:0:1::/64")["Subnet"]["SubnetId"]
    with ec2_error("InvalidCidrBlock.InUse",
                   f"The vpc {vpc['VpcId']} currently has a subnet within CIDR block 2600:1f21:0000:0000::/56"):
        ec2.disassociate_vpc_cidr_block(AssociationId=association_id)
    ec2.delete_subnet(SubnetId=subnet_id)
    gone = ec2.disassociate_vpc_cidr_block(AssociationId=association_id)
    assert gone["Ipv6CidrBlockAssociation"]["Ipv6CidrBlock"] == FIRST_BLOCK
    assert "Ipv6CidrBlockAssociationSet" not in describe_vpc(ec2, vpc["VpcId"])


@pytest.mark.parametrize("parameter,attribute,key", [
    ("AssignIpv6AddressOnCreation", "assign-ipv6-address-on-creation", "AssignIpv6AddressOnCreation"),
    ("EnableDns64", "enable-dns64", "EnableDns64"),
    ("EnableResourceNameDnsAAAARecordOnLaunch", "enable-resource-name-dns-aaaa-record-on-launch", None),
])
def test_ipv6_attributes_need_a_block(ec2, parameter, attribute, key):
    vpc_id = ipv6_vpc(ec2)["VpcId"]
    plain = create_subnet(ec2, vpc_id, "10.0.1.0/24")["SubnetId"]
    with ec2_error("InvalidParameterValue",
                   f"Invalid value 'true' for {attribute}. Cannot set {attribute} to true unless the subnet "
                   f"({plain}) has an IPv6 CIDR block associated with it."):
        ec2.modify_subnet_attribute(SubnetId=plain, **{parameter: {"Value": True}})
    dual = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24",
                             Ipv6CidrBlock="2600:1f21:0:2::/64")["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=dual, **{parameter: {"Value": True}})
    described = describe_subnet(ec2, dual)
    value = described[key] if key else described["PrivateDnsNameOptionsOnLaunch"]["EnableResourceNameDnsAAAARecord"]
    assert value is True
    # Turning it off needs no block.
    ec2.modify_subnet_attribute(SubnetId=plain, **{parameter: {"Value": False}})
    unchanged = describe_subnet(ec2, plain)
    assert unchanged["AssignIpv6AddressOnCreation"] is False and unchanged["EnableDns64"] is False


def test_one_subnet_attribute_per_call(ec2):
    vpc_id = ipv6_vpc(ec2)["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24",
                                  Ipv6CidrBlock="2600:1f21:0:1::/64")["Subnet"]["SubnetId"]
    with ec2_error("InvalidParameterCombination", "Only one subnet attribute can be modified at a time."):
        ec2.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": True},
                                    EnableDns64={"Value": True})
    ec2.modify_subnet_attribute(SubnetId=subnet_id, EnableDns64={"Value": True})
    ec2.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": True})
    described = describe_subnet(ec2, subnet_id)
    assert (described["EnableDns64"], described["MapPublicIpOnLaunch"]) == (True, True)


def test_subnet_ipv6_filters(ec2):
    vpc_id = ipv6_vpc(ec2)["VpcId"]
    dual = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", Ipv6CidrBlock="2600:1f21:0:1::/64")["Subnet"]
    plain_id = create_subnet(ec2, vpc_id, "10.0.2.0/24")["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=dual["SubnetId"], EnableDns64={"Value": True})
    association_id = dual["Ipv6CidrBlockAssociationSet"][0]["AssociationId"]

    def matching(name, value):
        found = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                              {"Name": name, "Values": [value]}])["Subnets"]
        return sorted(s["SubnetId"] for s in found)

    assert matching("ipv6-cidr-block-association.ipv6-cidr-block", "2600:1f21:0:1::/64") == [dual["SubnetId"]]
    assert matching("ipv6-cidr-block-association.association-id", association_id) == [dual["SubnetId"]]
    assert matching("ipv6-cidr-block-association.state", "associated") == [dual["SubnetId"]]
    assert matching("enable-dns64", "true") == [dual["SubnetId"]]
    assert matching("enable-dns64", "false") == [plain_id]
    assert matching("ipv6-native", "false") == sorted([dual["SubnetId"], plain_id])


def test_ipv6_with_the_cli(aws):
    created = aws("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16", "--amazon-provided-ipv6-cidr-block").ok()
    vpc = created["Vpc"]
    assert vpc["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"] == FIRST_BLOCK
    subnet = aws("ec2", "create-subnet", "--vpc-id", vpc["VpcId"], "--cidr-block", "10.0.1.0/24",
                 "--ipv6-cidr-block", "2600:1f21:0:1::/64").ok()["Subnet"]
    assert subnet["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"] == "2600:1f21:0:1::/64"
    modified = aws("ec2", "modify-subnet-attribute", "--subnet-id", subnet["SubnetId"],
                   "--assign-ipv6-address-on-creation")
    assert modified.rc == 0, modified.stderr
    described = aws("ec2", "describe-subnets", "--subnet-ids", subnet["SubnetId"]).ok()["Subnets"][0]
    assert described["AssignIpv6AddressOnCreation"] is True
    refused = aws("ec2", "create-subnet", "--vpc-id", vpc["VpcId"], "--cidr-block", "10.0.2.0/24",
                  "--ipv6-cidr-block", "2600:1f21:0:1::/60")
    cli_error(refused, "InvalidParameterValue", "invalid value for parameter ipv6-cidr-block: 2600:1f21:0:1::/60")
    refused = aws("ec2", "disassociate-vpc-cidr-block", "--association-id",
                  vpc["Ipv6CidrBlockAssociationSet"][0]["AssociationId"])
    cli_error(refused, "InvalidCidrBlock.InUse",
              f"The vpc {vpc['VpcId']} currently has a subnet within CIDR block 2600:1f21:0000:0000::/56")


def test_ipv6_blocks_survive_a_restart_and_are_not_issued_again(sqlite_server, client_factory):
    srv = sqlite_server().start()
    ec2 = client_factory(endpoint=srv.endpoint)
    vpc = ipv6_vpc(ec2)
    subnet_id = ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.0.1.0/24",
                                  Ipv6CidrBlock="2600:1f21:0:1::/64")["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=subnet_id, AssignIpv6AddressOnCreation={"Value": True})
    before = (describe_vpc(ec2, vpc["VpcId"]), describe_subnet(ec2, subnet_id))
    srv.kill()
    srv.start()
    ec2 = client_factory(endpoint=srv.endpoint)
    after = (describe_vpc(ec2, vpc["VpcId"]), describe_subnet(ec2, subnet_id))
    assert after == before
    assert after[1]["AssignIpv6AddressOnCreation"] is True
    # The allocator resumes where it was: the next block is the second, not the first again.
    again = ipv6_vpc(ec2, "10.1.0.0/16")
    assert again["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"] == SECOND_BLOCK


def routes_of(ec2, table_id):
    (table,) = ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"]
    return table["Routes"]


def ipv6_routes(ec2, table_id):
    return [r for r in routes_of(ec2, table_id) if "DestinationIpv6CidrBlock" in r]


def main_table_id(ec2, vpc_id):
    found = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                               {"Name": "association.main", "Values": ["true"]}])["RouteTables"]
    (table,) = found
    return table["RouteTableId"]


LOCAL_V6 = {"DestinationIpv6CidrBlock": FIRST_BLOCK, "GatewayId": "local", "State": "active",
            "Origin": "CreateRouteTable"}


def test_every_table_gets_a_local_route_per_ipv6_block(ec2):
    vpc_id = ipv6_vpc(ec2)["VpcId"]
    main_id = main_table_id(ec2, vpc_id)
    assert ipv6_routes(ec2, main_id) == [LOCAL_V6]
    custom_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    assert ipv6_routes(ec2, custom_id) == [LOCAL_V6]
    second = ec2.associate_vpc_cidr_block(VpcId=vpc_id, AmazonProvidedIpv6CidrBlock=True)["Ipv6CidrBlockAssociation"]
    for table_id in (main_id, custom_id):
        assert [r["DestinationIpv6CidrBlock"] for r in ipv6_routes(ec2, table_id)] == [FIRST_BLOCK, SECOND_BLOCK]
    ec2.disassociate_vpc_cidr_block(AssociationId=second["AssociationId"])
    assert ipv6_routes(ec2, main_id) == [LOCAL_V6]
    # The IPv4 local route is untouched, and a VPC without IPv6 has no IPv6 route (positive control).
    assert {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active",
            "Origin": "CreateRouteTable"} in routes_of(ec2, main_id)
    plain_id = create_vpc(ec2, "10.1.0.0/16")["VpcId"]
    assert ipv6_routes(ec2, main_table_id(ec2, plain_id)) == []


def test_ipv6_routes_to_igw_and_eigw(ec2):
    vpc_id = ipv6_vpc(ec2)["VpcId"]
    table_id = main_table_id(ec2, vpc_id)
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    eigw = ec2.create_egress_only_internet_gateway(VpcId=vpc_id)["EgressOnlyInternetGateway"]
    eigw_id = eigw["EgressOnlyInternetGatewayId"]
    ec2.create_route(RouteTableId=table_id, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw_id)
    ec2.create_route(RouteTableId=table_id, DestinationIpv6CidrBlock="2001:db8::/32", GatewayId=igw)
    assert ipv6_routes(ec2, table_id) == [
        LOCAL_V6,
        {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": eigw_id, "State": "active",
         "Origin": "CreateRoute"},
        {"DestinationIpv6CidrBlock": "2001:db8::/32", "GatewayId": igw, "State": "active", "Origin": "CreateRoute"},
    ]

    def tables(name, value):
        found = ec2.describe_route_tables(Filters=[{"Name": name, "Values": [value]}])["RouteTables"]
        return [t["RouteTableId"] for t in found]

    assert tables("route.egress-only-internet-gateway-id", eigw_id) == [table_id]
    assert tables("route.destination-ipv6-cidr-block", "2001:db8::/32") == [table_id]
    assert tables("route.destination-ipv6-cidr-block", "2001:db9::/32") == []
    assert tables("route.gateway-id", igw) == [table_id]

    with ec2_error("RouteAlreadyExists"):
        ec2.create_route(RouteTableId=table_id, DestinationIpv6CidrBlock="::/0", GatewayId=igw)
    ec2.replace_route(RouteTableId=table_id, DestinationIpv6CidrBlock="::/0", GatewayId=igw)
    replaced = [r for r in ipv6_routes(ec2, table_id) if r["DestinationIpv6CidrBlock"] == "::/0"]
    assert replaced == [{"DestinationIpv6CidrBlock": "::/0", "GatewayId": igw, "State": "active",
                         "Origin": "CreateRoute"}]
    ec2.delete_route(RouteTableId=table_id, DestinationIpv6CidrBlock="::/0")
    ec2.delete_route(RouteTableId=table_id, DestinationIpv6CidrBlock="2001:db8::/32")
    assert ipv6_routes(ec2, table_id) == [LOCAL_V6]
    with ec2_error("InvalidRoute.NotFound"):
        ec2.delete_route(RouteTableId=table_id, DestinationIpv6CidrBlock="::/0")
    with ec2_error("InvalidParameterValue", f"cannot remove local route {FIRST_BLOCK} in route table {table_id}"):
        ec2.delete_route(RouteTableId=table_id, DestinationIpv6CidrBlock=FIRST_BLOCK)


def test_an_eigw_takes_ipv6_destinations_only(ec2):
    vpc_id = ipv6_vpc(ec2)["VpcId"]
    table_id = main_table_id(ec2, vpc_id)
    eigw_id = ec2.create_egress_only_internet_gateway(VpcId=vpc_id)["EgressOnlyInternetGateway"][
        "EgressOnlyInternetGatewayId"]
    with ec2_error("InvalidParameterCombination",
                   f"Route table {table_id} and egress-only internet gateway {eigw_id} cannot route IPv4 traffic."):
        ec2.create_route(RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0", EgressOnlyInternetGatewayId=eigw_id)
    # An eigw of another VPC belongs to a different network.
    other_vpc = ipv6_vpc(ec2, "10.1.0.0/16")["VpcId"]
    other_eigw = ec2.create_egress_only_internet_gateway(VpcId=other_vpc)["EgressOnlyInternetGateway"][
        "EgressOnlyInternetGatewayId"]
    with ec2_error("InvalidParameterValue",
                   f"route table {table_id} and network gateway {other_eigw} belong to different networks"):
        ec2.create_route(RouteTableId=table_id, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=other_eigw)
    with ec2_error("InvalidGatewayID.NotFound"):
        ec2.create_route(RouteTableId=table_id, DestinationIpv6CidrBlock="::/0",
                         EgressOnlyInternetGatewayId="eigw-0123456789abcdef0")
    with ec2_error("InvalidParameterCombination"):
        ec2.create_route(RouteTableId=table_id, DestinationIpv6CidrBlock="::/0",
                         EgressOnlyInternetGatewayId=eigw_id, GatewayId="local")
    # Positive control: the same gateway for an IPv6 destination.
    ec2.create_route(RouteTableId=table_id, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw_id)
    assert [r.get("EgressOnlyInternetGatewayId") for r in ipv6_routes(ec2, table_id)] == [None, eigw_id]
    # Deleting the gateway leaves a blackhole route.
    ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=eigw_id)
    assert [r["State"] for r in ipv6_routes(ec2, table_id)] == ["active", "blackhole"]


def test_ipv6_destination_checks(ec2):
    vpc_id = ipv6_vpc(ec2)["VpcId"]
    table_id = main_table_id(ec2, vpc_id)
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    with ec2_error("InvalidParameterValue"):
        ec2.create_route(RouteTableId=table_id, DestinationIpv6CidrBlock="2001:db8::1/32", GatewayId=igw)
    with ec2_error("InvalidParameterValue"):
        ec2.create_route(RouteTableId=table_id, DestinationIpv6CidrBlock="10.0.0.0/8", GatewayId=igw)
    with ec2_error("InvalidParameterValue",
                   "The destination CIDR block 2600:1f21:0:1::/64 is equal to or more specific than one of this VPC's "
                   "CIDR blocks. This route can target only an interface or an instance."):
        ec2.create_route(RouteTableId=table_id, DestinationIpv6CidrBlock="2600:1f21:0:1::/64", GatewayId=igw)
    with ec2_error("InvalidParameterCombination"):
        ec2.create_route(RouteTableId=table_id, DestinationIpv6CidrBlock="::/0", DestinationCidrBlock="0.0.0.0/0",
                         GatewayId=igw)
    ec2.create_route(RouteTableId=table_id, DestinationIpv6CidrBlock="2001:db8::/32", GatewayId=igw)
    assert [r["DestinationIpv6CidrBlock"] for r in ipv6_routes(ec2, table_id)] == [FIRST_BLOCK, "2001:db8::/32"]


def test_ipv6_routes_with_the_cli(aws):
    vpc = aws("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16", "--amazon-provided-ipv6-cidr-block").ok()["Vpc"]
    eigw = aws("ec2", "create-egress-only-internet-gateway", "--vpc-id", vpc["VpcId"]).ok()[
        "EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    table_id = aws("ec2", "describe-route-tables", "--filters", f"Name=vpc-id,Values={vpc['VpcId']}").ok()[
        "RouteTables"][0]["RouteTableId"]
    created = aws("ec2", "create-route", "--route-table-id", table_id, "--destination-ipv6-cidr-block", "::/0",
                  "--egress-only-internet-gateway-id", eigw).ok()
    assert created == {"Return": True}
    refused = aws("ec2", "create-route", "--route-table-id", table_id, "--destination-cidr-block", "0.0.0.0/0",
                  "--egress-only-internet-gateway-id", eigw)
    cli_error(refused, "InvalidParameterCombination")
    routes = aws("ec2", "describe-route-tables", "--route-table-ids", table_id).ok()["RouteTables"][0]["Routes"]
    assert {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": eigw, "State": "active",
            "Origin": "CreateRoute"} in routes


def default_group(ec2, vpc_id):
    found = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                  {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    (group,) = found
    return group


ALL_IPV4_OUT = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [], "PrefixListIds": [],
                "UserIdGroupPairs": []}
# The IpPermissions view groups the two rules (same protocol, no ports) into one permission.
ALL_OUT_BOTH = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
                "PrefixListIds": [], "UserIdGroupPairs": []}


def test_security_groups_allow_ipv6_out_once_the_vpc_has_ipv6(ec2):
    vpc_id = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    before_id = ec2.create_security_group(GroupName="before", Description="d", VpcId=vpc_id)["GroupId"]
    # Positive control: without IPv6 the default group allows IPv4 out only.
    assert default_group(ec2, vpc_id)["IpPermissionsEgress"] == [ALL_IPV4_OUT]
    ec2.associate_vpc_cidr_block(VpcId=vpc_id, AmazonProvidedIpv6CidrBlock=True)
    assert default_group(ec2, vpc_id)["IpPermissionsEgress"] == [ALL_OUT_BOTH]
    after_id = ec2.create_security_group(GroupName="after", Description="d", VpcId=vpc_id)["GroupId"]
    groups = {g["GroupId"]: g for g in ec2.describe_security_groups(GroupIds=[before_id, after_id])["SecurityGroups"]}
    assert groups[before_id]["IpPermissionsEgress"] == [ALL_IPV4_OUT]
    assert groups[after_id]["IpPermissionsEgress"] == [ALL_OUT_BOTH]
    # A second block adds no second rule; the rule revokes like any other.
    ec2.associate_vpc_cidr_block(VpcId=vpc_id, AmazonProvidedIpv6CidrBlock=True)
    assert default_group(ec2, vpc_id)["IpPermissionsEgress"] == [ALL_OUT_BOTH]
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [default_group(ec2, vpc_id)["GroupId"]]}])
    assert sorted(r.get("CidrIpv6", "") for r in rules["SecurityGroupRules"] if r["IsEgress"]) == ["", "::/0"]
    ec2.revoke_security_group_egress(GroupId=after_id, IpPermissions=[
        {"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    (after,) = ec2.describe_security_groups(GroupIds=[after_id])["SecurityGroups"]
    assert after["IpPermissionsEgress"] == [ALL_IPV4_OUT]


def acl_entries(ec2, acl_id):
    (acl,) = ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"]
    return [(e["RuleNumber"], e["Egress"], e["RuleAction"], e.get("CidrBlock") or e.get("Ipv6CidrBlock"))
            for e in acl["Entries"]]


def default_acl_id(ec2, vpc_id):
    found = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                               {"Name": "default", "Values": ["true"]}])["NetworkAcls"]
    (acl,) = found
    return acl["NetworkAclId"]


def test_network_acls_get_the_ipv6_defaults(ec2):
    vpc_id = ipv6_vpc(ec2)["VpcId"]
    default_id = default_acl_id(ec2, vpc_id)
    assert acl_entries(ec2, default_id) == [
        (100, True, "allow", "0.0.0.0/0"), (101, True, "allow", "::/0"),
        (32767, True, "deny", "0.0.0.0/0"), (32768, True, "deny", "::/0"),
        (100, False, "allow", "0.0.0.0/0"), (101, False, "allow", "::/0"),
        (32767, False, "deny", "0.0.0.0/0"), (32768, False, "deny", "::/0"),
    ]
    custom_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    assert acl_entries(ec2, custom_id) == [
        (32767, True, "deny", "0.0.0.0/0"), (32768, True, "deny", "::/0"),
        (32767, False, "deny", "0.0.0.0/0"), (32768, False, "deny", "::/0"),
    ]
    found = ec2.describe_network_acls(Filters=[{"Name": "entry.ipv6-cidr", "Values": ["::/0"]},
                                               {"Name": "vpc-id", "Values": [vpc_id]}])["NetworkAcls"]
    assert sorted(a["NetworkAclId"] for a in found) == sorted([default_id, custom_id])
    # Positive control: a VPC without IPv6 has no IPv6 entry.
    plain_id = create_vpc(ec2, "10.1.0.0/16")["VpcId"]
    assert all(block == "0.0.0.0/0" for *_, block in acl_entries(ec2, default_acl_id(ec2, plain_id)))


def test_the_default_acl_gets_no_ipv6_allow_in_a_direction_the_user_changed(ec2):
    vpc_id = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    default_id = default_acl_id(ec2, vpc_id)
    ec2.create_network_acl_entry(NetworkAclId=default_id, RuleNumber=90, Protocol="6", RuleAction="deny",
                                 Egress=False, CidrBlock="10.9.0.0/16", PortRange={"From": 22, "To": 22})
    ec2.associate_vpc_cidr_block(VpcId=vpc_id, AmazonProvidedIpv6CidrBlock=True)
    entries = acl_entries(ec2, default_id)
    assert (101, True, "allow", "::/0") in entries and (32768, True, "deny", "::/0") in entries
    assert (101, False, "allow", "::/0") not in entries and (32768, False, "deny", "::/0") in entries


def test_ipv6_acl_entries(ec2):
    vpc_id = ipv6_vpc(ec2)["VpcId"]
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=10, Protocol="58", RuleAction="allow",
                                 Egress=False, Ipv6CidrBlock="2001:db8::/32", IcmpTypeCode={"Type": 128, "Code": -1})
    ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=20, Protocol="6", RuleAction="allow",
                                 Egress=True, Ipv6CidrBlock="::/0", PortRange={"From": 1024, "To": 65535})
    (acl,) = ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"]
    by_rule = {(e["RuleNumber"], e["Egress"]): e for e in acl["Entries"]}
    assert by_rule[(10, False)] == {"RuleNumber": 10, "Protocol": "58", "RuleAction": "allow", "Egress": False,
                                    "Ipv6CidrBlock": "2001:db8::/32", "IcmpTypeCode": {"Type": 128, "Code": -1}}
    assert by_rule[(20, True)]["PortRange"] == {"From": 1024, "To": 65535}
    # Rule numbers are shared by both families of a direction.
    with ec2_error("NetworkAclEntryAlreadyExists"):
        ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=10, Protocol="-1", RuleAction="deny",
                                     Egress=False, CidrBlock="10.0.0.0/8")
    with ec2_error("MissingParameter", "The request must contain the parameter icmpTypeCode.type"):
        ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=30, Protocol="58", RuleAction="allow",
                                     Egress=False, Ipv6CidrBlock="::/0")
    with ec2_error("InvalidParameterValue"):
        ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=30, Protocol="-1", RuleAction="allow",
                                     Egress=False, Ipv6CidrBlock="2001:db8::1/32")
    # Replace turns the IPv6 entry into an IPv4 one; delete removes either family.
    ec2.replace_network_acl_entry(NetworkAclId=acl_id, RuleNumber=10, Protocol="-1", RuleAction="deny",
                                  Egress=False, CidrBlock="10.0.0.0/8")
    assert (10, False, "deny", "10.0.0.0/8") in acl_entries(ec2, acl_id)
    ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=20, Egress=True)
    assert [entry for entry in acl_entries(ec2, acl_id) if entry[0] in (10, 20)] == [(10, False, "deny", "10.0.0.0/8")]


def test_terraform_shaped_dual_stack_sequence(ec2):
    """The calls a Terraform dual-stack module makes, in its order, each answer checked field by field: a VPC with
    an IPv6 block, a public dual-stack subnet assigning IPv6 on creation, an internet gateway and an egress-only
    one, a route table with 0.0.0.0/0 and ::/0, the subnet associated with it, an instance there with an IPv6
    address."""
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16", AmazonProvidedIpv6CidrBlock=True,
                         TagSpecifications=tag_spec("vpc", Name="dual"))["Vpc"]
    vpc_id = vpc["VpcId"]
    described = describe_vpc(ec2, vpc_id)
    (v6,) = described["Ipv6CidrBlockAssociationSet"]
    assert (described["State"], described["CidrBlock"], v6["Ipv6CidrBlock"], v6["Ipv6CidrBlockState"]["State"],
            v6["Ipv6Pool"], v6["NetworkBorderGroup"]) == (
        "available", "10.20.0.0/16", FIRST_BLOCK, "associated", "Amazon", "us-east-1")
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})

    subnet_block = "2600:1f21:0:1::/64"  # the first /64 but one of FIRST_BLOCK, as cidrsubnet(block, 8, 1) gives
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.20.1.0/24", Ipv6CidrBlock=subnet_block,
                               AvailabilityZone="us-east-1a")["Subnet"]
    subnet_id = subnet["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=subnet_id, AssignIpv6AddressOnCreation={"Value": True})
    ec2.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": True})
    described_subnet = describe_subnet(ec2, subnet_id)
    (subnet_v6,) = described_subnet["Ipv6CidrBlockAssociationSet"]
    assert (described_subnet["CidrBlock"], subnet_v6["Ipv6CidrBlock"], subnet_v6["Ipv6CidrBlockState"]["State"],
            described_subnet["AssignIpv6AddressOnCreation"], described_subnet["MapPublicIpOnLaunch"],
            described_subnet["Ipv6Native"], described_subnet["AvailabilityZone"]) == (
        "10.20.1.0/24", subnet_block, "associated", True, True, False, "us-east-1a")

    igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    eigw = ec2.create_egress_only_internet_gateway(VpcId=vpc_id, ClientToken="tf-eigw")
    eigw_id = eigw["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    assert (eigw["ClientToken"], eigw["EgressOnlyInternetGateway"]["Attachments"]) == (
        "tf-eigw", [{"State": "attached", "VpcId": vpc_id}])

    table_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw_id)
    ec2.create_route(RouteTableId=table_id, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw_id)
    association = ec2.associate_route_table(RouteTableId=table_id, SubnetId=subnet_id)
    assert association["AssociationState"] == {"State": "associated"}
    (table,) = ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"]
    assert table["Routes"] == [
        {"DestinationCidrBlock": "10.20.0.0/16", "GatewayId": "local", "State": "active", "Origin": "CreateRouteTable"},
        {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw_id, "State": "active", "Origin": "CreateRoute"},
        {"DestinationIpv6CidrBlock": FIRST_BLOCK, "GatewayId": "local", "State": "active",
         "Origin": "CreateRouteTable"},
        {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": eigw_id, "State": "active",
         "Origin": "CreateRoute"},
    ]
    assert [a["SubnetId"] for a in table["Associations"]] == [subnet_id]

    (launched,) = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet_id,
                                    InstanceType="t3.micro")["Instances"]
    (instance,) = ec2.describe_instances(InstanceIds=[launched["InstanceId"]])["Reservations"][0]["Instances"]
    (interface,) = instance["NetworkInterfaces"]
    assert (instance["SubnetId"], instance["PrivateIpAddress"], instance["Ipv6Address"],
            "PublicIpAddress" in instance, interface["Ipv6Addresses"]) == (
        subnet_id, "10.20.1.4", "2600:1f21:0:1::4", True,
        [{"Ipv6Address": "2600:1f21:0:1::4", "IsPrimaryIpv6": False}])

    # Destroy in Terraform's reverse order.
    ec2.terminate_instances(InstanceIds=[launched["InstanceId"]])
    ec2.disassociate_route_table(AssociationId=association["AssociationId"])
    ec2.delete_route_table(RouteTableId=table_id)
    ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=eigw_id)
    ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    ec2.delete_internet_gateway(InternetGatewayId=igw_id)
    ec2.modify_subnet_attribute(SubnetId=subnet_id, AssignIpv6AddressOnCreation={"Value": False})
    ec2.delete_subnet(SubnetId=subnet_id)
    deleted = ec2.delete_vpc(VpcId=vpc_id)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 200
    remaining = ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Vpcs"]
    assert remaining == []


def dual_stack_subnet(ec2, assign_on_creation=False):
    vpc_id = ipv6_vpc(ec2)["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24",
                                  Ipv6CidrBlock="2600:1f21:0:1::/64")["Subnet"]["SubnetId"]
    if assign_on_creation:
        ec2.modify_subnet_attribute(SubnetId=subnet_id, AssignIpv6AddressOnCreation={"Value": True})
    return vpc_id, subnet_id


def eni_ipv6(ec2, eni_id):
    (eni,) = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"]
    return [a["Ipv6Address"] for a in eni["Ipv6Addresses"]]


def test_interface_ipv6_addresses(ec2):
    _, subnet_id = dual_stack_subnet(ec2)
    eni = ec2.create_network_interface(SubnetId=subnet_id, Ipv6AddressCount=2)["NetworkInterface"]
    assert eni["Ipv6Addresses"] == [{"Ipv6Address": "2600:1f21:0:1::4", "IsPrimaryIpv6": False},
                                    {"Ipv6Address": "2600:1f21:0:1::5", "IsPrimaryIpv6": False}]
    chosen = ec2.create_network_interface(SubnetId=subnet_id, Ipv6Addresses=[{"Ipv6Address": "2600:1f21:0:1::99"}])
    chosen_id = chosen["NetworkInterface"]["NetworkInterfaceId"]
    assert eni_ipv6(ec2, chosen_id) == ["2600:1f21:0:1::99"]
    with ec2_error("InvalidIPAddress.InUse", "Address 2600:1f21:0:1::99 is in use."):
        ec2.create_network_interface(SubnetId=subnet_id, Ipv6Addresses=[{"Ipv6Address": "2600:1f21:0:1::99"}])
    for reserved in ("2600:1f21:0:1::3", "2600:1f21:0:1:ffff:ffff:ffff:ffff", "2600:1f21:0:2::4"):
        with ec2_error("InvalidParameterValue",
                       f"The IPv6 address {reserved} is not a usable address of the subnet's IPv6 CIDR block."):
            ec2.assign_ipv6_addresses(NetworkInterfaceId=chosen_id, Ipv6Addresses=[reserved])

    assigned = ec2.assign_ipv6_addresses(NetworkInterfaceId=chosen_id, Ipv6AddressCount=1)
    assert (assigned["NetworkInterfaceId"], assigned["AssignedIpv6Addresses"]) == (chosen_id, ["2600:1f21:0:1::6"])
    assert eni_ipv6(ec2, chosen_id) == ["2600:1f21:0:1::99", "2600:1f21:0:1::6"]
    found = ec2.describe_network_interfaces(
        Filters=[{"Name": "ipv6-addresses.ipv6-address", "Values": ["2600:1f21:0:1::6"]}])["NetworkInterfaces"]
    assert [i["NetworkInterfaceId"] for i in found] == [chosen_id]

    unassigned = ec2.unassign_ipv6_addresses(NetworkInterfaceId=chosen_id, Ipv6Addresses=["2600:1f21:0:1::99"])
    assert unassigned["UnassignedIpv6Addresses"] == ["2600:1f21:0:1::99"]
    assert eni_ipv6(ec2, chosen_id) == ["2600:1f21:0:1::6"]
    with ec2_error("InvalidParameterValue"):
        ec2.unassign_ipv6_addresses(NetworkInterfaceId=chosen_id, Ipv6Addresses=["2600:1f21:0:1::99"])
    # Released, the address can be taken again.
    again = ec2.assign_ipv6_addresses(NetworkInterfaceId=eni["NetworkInterfaceId"], Ipv6Addresses=["2600:1f21:0:1::99"])
    assert again["AssignedIpv6Addresses"] == ["2600:1f21:0:1::99"]


def test_no_ipv6_address_without_a_subnet_block(ec2):
    vpc_id = ipv6_vpc(ec2)["VpcId"]
    plain_id = create_subnet(ec2, vpc_id, "10.0.2.0/24")["SubnetId"]
    with ec2_error("InvalidParameterValue"):
        ec2.create_network_interface(SubnetId=plain_id, Ipv6AddressCount=1)
    eni = ec2.create_network_interface(SubnetId=plain_id)["NetworkInterface"]
    assert eni["Ipv6Addresses"] == []


def test_instances_get_ipv6_addresses(ec2):
    _, subnet_id = dual_stack_subnet(ec2, assign_on_creation=True)
    (automatic,) = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet_id,
                                     InstanceType="t3.micro")["Instances"]
    assert automatic["NetworkInterfaces"][0]["Ipv6Addresses"] == [
        {"Ipv6Address": "2600:1f21:0:1::4", "IsPrimaryIpv6": False}]
    (described,) = ec2.describe_instances(InstanceIds=[automatic["InstanceId"]])["Reservations"][0]["Instances"]
    assert described["Ipv6Address"] == "2600:1f21:0:1::4"
    assert described["NetworkInterfaces"][0]["Ipv6Addresses"] == [
        {"Ipv6Address": "2600:1f21:0:1::4", "IsPrimaryIpv6": False}]
    (asked,) = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet_id,
                                 InstanceType="t3.micro", Ipv6AddressCount=2)["Instances"]
    assert [a["Ipv6Address"] for a in asked["NetworkInterfaces"][0]["Ipv6Addresses"]] == [
        "2600:1f21:0:1::5", "2600:1f21:0:1::6"]
    found = ec2.describe_instances(Filters=[{"Name": "ipv6-address", "Values": ["2600:1f21:0:1::6"]}])
    assert [i["InstanceId"] for r in found["Reservations"] for i in r["Instances"]] == [asked["InstanceId"]]
    found = ec2.describe_instances(
        Filters=[{"Name": "network-interface.ipv6-addresses.ipv6-address", "Values": ["2600:1f21:0:1::4"]}])
    assert [i["InstanceId"] for r in found["Reservations"] for i in r["Instances"]] == [automatic["InstanceId"]]

    # The instance type's per-interface limit (t3.micro: 2).
    eni_id = asked["NetworkInterfaces"][0]["NetworkInterfaceId"]
    with ec2_error("Ipv6AddressLimitExceeded", f"Network interface {eni_id} may hold at most 2 IPv6 addresses."):
        ec2.assign_ipv6_addresses(NetworkInterfaceId=eni_id, Ipv6AddressCount=1)

    # Terminated, the addresses are released and handed out again.
    ec2.terminate_instances(InstanceIds=[automatic["InstanceId"]])
    eni = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    assert eni["Ipv6Addresses"] == [{"Ipv6Address": "2600:1f21:0:1::4", "IsPrimaryIpv6": False}]


def test_instance_ipv6_with_the_cli(aws):
    vpc = aws("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16", "--amazon-provided-ipv6-cidr-block").ok()["Vpc"]
    subnet = aws("ec2", "create-subnet", "--vpc-id", vpc["VpcId"], "--cidr-block", "10.0.1.0/24",
                 "--ipv6-cidr-block", "2600:1f21:0:1::/64").ok()["Subnet"]
    run = aws("ec2", "run-instances", "--image-id", "ami-12345678", "--count", "1", "--instance-type", "t3.micro",
              "--subnet-id", subnet["SubnetId"], "--ipv6-addresses", "Ipv6Address=2600:1f21:0:1::abc").ok()
    (instance,) = run["Instances"]
    assert instance["NetworkInterfaces"][0]["Ipv6Addresses"] == [
        {"Ipv6Address": "2600:1f21:0:1::abc", "IsPrimaryIpv6": False}]
    eni_id = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assigned = aws("ec2", "assign-ipv6-addresses", "--network-interface-id", eni_id, "--ipv6-address-count", "1").ok()
    assert assigned == {"AssignedIpv6Addresses": ["2600:1f21:0:1::4"], "NetworkInterfaceId": eni_id}
    refused = aws("ec2", "assign-ipv6-addresses", "--network-interface-id", eni_id, "--ipv6-address-count", "1")
    cli_error(refused, "Ipv6AddressLimitExceeded")


def test_routes_entries_and_addresses_survive_a_restart(sqlite_server, client_factory):
    srv = sqlite_server().start()
    ec2 = client_factory(endpoint=srv.endpoint)
    vpc_id, subnet_id = dual_stack_subnet(ec2, assign_on_creation=True)
    table_id = main_table_id(ec2, vpc_id)
    eigw_id = ec2.create_egress_only_internet_gateway(VpcId=vpc_id)["EgressOnlyInternetGateway"][
        "EgressOnlyInternetGatewayId"]
    ec2.create_route(RouteTableId=table_id, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw_id)
    acl_id = default_acl_id(ec2, vpc_id)
    ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=50, Protocol="58", RuleAction="deny", Egress=False,
                                 Ipv6CidrBlock="2001:db8::/32", IcmpTypeCode={"Type": -1, "Code": -1})
    eni_id = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]["NetworkInterfaceId"]

    def state():
        (table,) = ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"]
        (acl,) = ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"]
        (eni,) = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"]
        return table["Routes"], acl["Entries"], eni["Ipv6Addresses"], default_group(ec2, vpc_id)["IpPermissionsEgress"]

    before = state()
    assert before[2] == [{"Ipv6Address": "2600:1f21:0:1::4", "IsPrimaryIpv6": False}]
    srv.kill()
    srv.start()
    ec2 = client_factory(endpoint=srv.endpoint)
    assert state() == before
    # The addresses in use are still known: the next interface gets the next one.
    eni = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    assert eni["Ipv6Addresses"] == [{"Ipv6Address": "2600:1f21:0:1::5", "IsPrimaryIpv6": False}]
