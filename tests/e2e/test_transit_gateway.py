"""Transit gateways (part 2 §14): gateways and their options, route tables, associations, propagations, VPC
attachments, sharing with other accounts and acceptance, isolation, tags — through boto3 and the aws CLI.
Routes are test_transit_gateway_routes.py, peering attachments test_transit_gateway_peering.py."""
from __future__ import annotations

import pytest
import requests

from conftest import LocalVpcServer
from helpers import assert_id, cli_error, ec2_error, tags_of

OWNER, CONSUMER, STRANGER = "111111111111", "222222222222", "333333333333"
SHARED_WITH = "localvpc:shared-with"
NO_TGW = "tgw-0123456789abcdef0"
NO_ATTACHMENT = "tgw-attach-0123456789abcdef0"
NO_TABLE = "tgw-rtb-0123456789abcdef0"


def network(client, cidr: str, subnets: dict[str, str]) -> tuple[str, dict[str, str]]:
    """A VPC with one subnet per {zone: block}: (VPC, {zone: subnet})."""
    vpc = client.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    made = {zone: client.create_subnet(VpcId=vpc, CidrBlock=block, AvailabilityZone=zone)["Subnet"]["SubnetId"]
            for zone, block in subnets.items()}
    return vpc, made


def attach(client, tgw: str, vpc: str, subnets: list[str], **kwargs) -> dict:
    return client.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=vpc, SubnetIds=subnets,
                                                        **kwargs)["TransitGatewayVpcAttachment"]


def vpc_attachment(client, attachment_id: str) -> dict:
    return client.describe_transit_gateway_vpc_attachments(
        TransitGatewayAttachmentIds=[attachment_id])["TransitGatewayVpcAttachments"][0]


def gateway(client, tgw: str) -> dict:
    return client.describe_transit_gateways(TransitGatewayIds=[tgw])["TransitGateways"][0]


@pytest.fixture
def accounts(client_factory):
    return client_factory(key=OWNER), client_factory(key=CONSUMER), client_factory(key=STRANGER)


def test_create_shows_aws_defaults_and_a_default_route_table(ec2):
    created = ec2.create_transit_gateway(
        Description="hub",
        TagSpecifications=[{"ResourceType": "transit-gateway", "Tags": [{"Key": "Name", "Value": "hub"}]}],
    )["TransitGateway"]
    tgw = created["TransitGatewayId"]
    assert_id(tgw, "tgw")
    assert created["State"] == "pending"
    assert created["TransitGatewayArn"] == f"arn:aws:ec2:us-east-1:123456789012:transit-gateway/{tgw}"
    assert created["OwnerId"] == "123456789012" and created["Description"] == "hub"
    options = created["Options"]
    table = options["AssociationDefaultRouteTableId"]
    assert_id(table, "tgw-rtb")
    assert options == {
        "AmazonSideAsn": 64512, "AutoAcceptSharedAttachments": "disable", "DefaultRouteTableAssociation": "enable",
        "AssociationDefaultRouteTableId": table, "DefaultRouteTablePropagation": "enable",
        "PropagationDefaultRouteTableId": table, "VpnEcmpSupport": "enable", "DnsSupport": "enable",
        "SecurityGroupReferencingSupport": "disable", "MulticastSupport": "disable",
    }
    assert tags_of(created) == {"Name": "hub"}
    assert gateway(ec2, tgw)["State"] == "available"
    tables = ec2.describe_transit_gateway_route_tables(
        Filters=[{"Name": "transit-gateway-id", "Values": [tgw]}])["TransitGatewayRouteTables"]
    assert [(t["TransitGatewayRouteTableId"], t["DefaultAssociationRouteTable"], t["DefaultPropagationRouteTable"],
             t["State"]) for t in tables] == [(table, True, True, "available")]


def test_without_both_defaults_no_route_table_is_made(ec2):
    created = ec2.create_transit_gateway(Options={
        "DefaultRouteTableAssociation": "disable", "DefaultRouteTablePropagation": "disable",
        "AmazonSideAsn": 4200000000, "AutoAcceptSharedAttachments": "enable",
        "TransitGatewayCidrBlocks": ["10.99.0.0/24"]})["TransitGateway"]
    options = created["Options"]
    assert "AssociationDefaultRouteTableId" not in options and "PropagationDefaultRouteTableId" not in options
    assert options["AmazonSideAsn"] == 4200000000 and options["TransitGatewayCidrBlocks"] == ["10.99.0.0/24"]
    assert ec2.describe_transit_gateway_route_tables(Filters=[
        {"Name": "transit-gateway-id", "Values": [created["TransitGatewayId"]]}])["TransitGatewayRouteTables"] == []
    with ec2_error("InvalidParameterValue",
                   "Amazon side ASN 65535 is not in a valid range. Use 64512-65534 or 4200000000-4294967294."):
        ec2.create_transit_gateway(Options={"AmazonSideAsn": 65535})
    assert ec2.create_transit_gateway(Options={"AmazonSideAsn": 65534})["TransitGateway"]["Options"][
        "AmazonSideAsn"] == 65534


def test_describe_filters_and_unknown_ids(ec2):
    first = ec2.create_transit_gateway(Description="a")["TransitGateway"]["TransitGatewayId"]
    second = ec2.create_transit_gateway(Options={"DnsSupport": "disable"})["TransitGateway"]["TransitGatewayId"]
    ec2.create_tags(Resources=[first], Tags=[{"Key": "team", "Value": "net"}])
    by = lambda *filters: sorted(g["TransitGatewayId"] for g in ec2.describe_transit_gateways(  # noqa: E731
        Filters=[{"Name": n, "Values": [v]} for n, v in filters])["TransitGateways"])
    assert by(("options.dns-support", "disable")) == [second]
    assert by(("options.dns-support", "enable")) == [first]
    assert by(("tag:team", "net")) == [first]
    assert by(("state", "available"), ("owner-id", "123456789012")) == sorted([first, second])
    assert by(("transit-gateway-id", second)) == [second]
    with ec2_error("InvalidTransitGatewayID.NotFound", f"Transit Gateway {NO_TGW} was deleted or does not exist."):
        ec2.describe_transit_gateways(TransitGatewayIds=[first, NO_TGW])
    with ec2_error("InvalidParameterValue", "The filter 'vpc-id' is invalid"):
        ec2.describe_transit_gateways(Filters=[{"Name": "vpc-id", "Values": ["x"]}])


def test_modify_changes_options_for_new_attachments_only(ec2):
    tgw = ec2.create_transit_gateway()["TransitGateway"]
    tgw_id, default_table = tgw["TransitGatewayId"], tgw["Options"]["AssociationDefaultRouteTableId"]
    vpc, subnets = network(ec2, "10.0.0.0/16", {"us-east-1a": "10.0.1.0/24"})
    first = attach(ec2, tgw_id, vpc, list(subnets.values()))["TransitGatewayAttachmentId"]
    modified = ec2.modify_transit_gateway(TransitGatewayId=tgw_id, Description="changed", Options={
        "DefaultRouteTableAssociation": "disable", "DnsSupport": "disable"})["TransitGateway"]
    assert modified["State"] == "modifying" and modified["Description"] == "changed"
    assert modified["Options"]["DefaultRouteTableAssociation"] == "disable"
    assert "AssociationDefaultRouteTableId" not in modified["Options"]
    assert modified["Options"]["PropagationDefaultRouteTableId"] == default_table
    # The attachment made before keeps its association; one made after gets none.
    associations = ec2.get_transit_gateway_route_table_associations(
        TransitGatewayRouteTableId=default_table)["Associations"]
    assert [a["TransitGatewayAttachmentId"] for a in associations] == [first]
    other_vpc, other_subnets = network(ec2, "10.1.0.0/16", {"us-east-1a": "10.1.1.0/24"})
    second = attach(ec2, tgw_id, other_vpc, list(other_subnets.values()))["TransitGatewayAttachmentId"]
    shown = ec2.describe_transit_gateway_attachments(TransitGatewayAttachmentIds=[second])[
        "TransitGatewayAttachments"][0]
    assert "Association" not in shown
    with ec2_error("InvalidRouteTableID.NotFound",
                   f"Transit Gateway Route Table {NO_TABLE} was deleted or does not exist."):
        ec2.modify_transit_gateway(TransitGatewayId=tgw_id, Options={"AssociationDefaultRouteTableId": NO_TABLE})


def test_delete_waits_for_attachments_and_takes_the_route_tables(ec2):
    tgw = ec2.create_transit_gateway()["TransitGateway"]
    tgw_id, table = tgw["TransitGatewayId"], tgw["Options"]["AssociationDefaultRouteTableId"]
    vpc, subnets = network(ec2, "10.0.0.0/16", {"us-east-1a": "10.0.1.0/24"})
    attachment = attach(ec2, tgw_id, vpc, list(subnets.values()))["TransitGatewayAttachmentId"]
    with ec2_error("IncorrectState", f"{tgw_id} has non-deleted Transit Gateway Attachments: {attachment}."):
        ec2.delete_transit_gateway(TransitGatewayId=tgw_id)
    deleting = ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment)
    assert deleting["TransitGatewayVpcAttachment"]["State"] == "deleting"
    assert vpc_attachment(ec2, attachment)["State"] == "deleted"
    deleted = ec2.delete_transit_gateway(TransitGatewayId=tgw_id)["TransitGateway"]
    assert deleted["State"] == "deleting" and deleted["TransitGatewayId"] == tgw_id
    listed_transit_gateways = ec2.describe_transit_gateways()["TransitGateways"]
    assert listed_transit_gateways == []
    with ec2_error("InvalidRouteTableID.NotFound"):
        ec2.describe_transit_gateway_route_tables(TransitGatewayRouteTableIds=[table])
    with ec2_error("InvalidTransitGatewayID.NotFound", f"Transit Gateway {tgw_id} was deleted or does not exist."):
        ec2.delete_transit_gateway(TransitGatewayId=tgw_id)


def test_route_tables_associations_and_propagations(ec2):
    tgw = ec2.create_transit_gateway(Options={
        "DefaultRouteTableAssociation": "disable", "DefaultRouteTablePropagation": "disable"})["TransitGateway"]
    tgw_id = tgw["TransitGatewayId"]
    created = ec2.create_transit_gateway_route_table(TransitGatewayId=tgw_id, TagSpecifications=[
        {"ResourceType": "transit-gateway-route-table", "Tags": [{"Key": "Name", "Value": "spokes"}]}])[
        "TransitGatewayRouteTable"]
    table = created["TransitGatewayRouteTableId"]
    assert created["State"] == "pending" and tags_of(created) == {"Name": "spokes"}
    assert created["DefaultAssociationRouteTable"] is False
    other = ec2.create_transit_gateway_route_table(TransitGatewayId=tgw_id)["TransitGatewayRouteTable"][
        "TransitGatewayRouteTableId"]
    vpc, subnets = network(ec2, "10.0.0.0/16", {"us-east-1a": "10.0.1.0/24"})
    attachment = attach(ec2, tgw_id, vpc, list(subnets.values()))["TransitGatewayAttachmentId"]

    association = ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=table,
                                                            TransitGatewayAttachmentId=attachment)["Association"]
    assert association == {"TransitGatewayRouteTableId": table, "TransitGatewayAttachmentId": attachment,
                           "ResourceId": vpc, "ResourceType": "vpc", "State": "associating"}
    with ec2_error("Resource.AlreadyAssociated",
                   f"Transit Gateway Attachment {attachment} is already associated to a route table."):
        ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=other,
                                                  TransitGatewayAttachmentId=attachment)
    listed = ec2.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=table)["Associations"]
    assert listed == [{"TransitGatewayAttachmentId": attachment, "ResourceId": vpc, "ResourceType": "vpc",
                       "State": "associated"}]
    assert ec2.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=table, Filters=[
        {"Name": "resource-id", "Values": ["vpc-0123456789abcdef0"]}])["Associations"] == []
    shown = ec2.describe_transit_gateway_attachments(Filters=[
        {"Name": "association.transit-gateway-route-table-id", "Values": [table]}])["TransitGatewayAttachments"]
    assert [a["Association"] for a in shown] == [{"TransitGatewayRouteTableId": table, "State": "associated"}]

    propagation = ec2.enable_transit_gateway_route_table_propagation(
        TransitGatewayRouteTableId=other, TransitGatewayAttachmentId=attachment)["Propagation"]
    assert propagation == {"TransitGatewayAttachmentId": attachment, "ResourceId": vpc, "ResourceType": "vpc",
                           "TransitGatewayRouteTableId": other, "State": "enabling"}
    with ec2_error("TransitGatewayRouteTablePropagation.Duplicate",
                   f"Propagation {attachment} already exists in Transit Gateway Route Table {other}."):
        ec2.enable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=other,
                                                           TransitGatewayAttachmentId=attachment)
    assert ec2.get_transit_gateway_route_table_propagations(TransitGatewayRouteTableId=other)[
        "TransitGatewayRouteTablePropagations"] == [{"TransitGatewayAttachmentId": attachment, "ResourceId": vpc,
                                                     "ResourceType": "vpc", "State": "enabled"}]

    with ec2_error("IncorrectState", f"{table} has associations or propagations and cannot be deleted."):
        ec2.delete_transit_gateway_route_table(TransitGatewayRouteTableId=table)
    assert ec2.disassociate_transit_gateway_route_table(
        TransitGatewayRouteTableId=table, TransitGatewayAttachmentId=attachment)["Association"]["State"] == \
        "disassociating"
    with ec2_error("InvalidAssociation.NotFound"):
        ec2.disassociate_transit_gateway_route_table(TransitGatewayRouteTableId=table,
                                                     TransitGatewayAttachmentId=attachment)
    ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=other, TransitGatewayAttachmentId=attachment)
    assert ec2.disable_transit_gateway_route_table_propagation(
        TransitGatewayRouteTableId=other, TransitGatewayAttachmentId=attachment)["Propagation"]["State"] == "disabling"
    with ec2_error("TransitGatewayRouteTablePropagation.NotFound"):
        ec2.disable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=other,
                                                            TransitGatewayAttachmentId=attachment)
    deleted = ec2.delete_transit_gateway_route_table(TransitGatewayRouteTableId=table)["TransitGatewayRouteTable"]
    assert deleted["State"] == "deleting"
    assert [t["TransitGatewayRouteTableId"] for t in ec2.describe_transit_gateway_route_tables()[
        "TransitGatewayRouteTables"]] == [other]
    with ec2_error("InvalidRouteTableID.NotFound"):
        ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=NO_TABLE,
                                                  TransitGatewayAttachmentId=attachment)
    with ec2_error("InvalidTransitGatewayAttachmentID.NotFound",
                   f"Transit Gateway VPC Attachment {NO_ATTACHMENT} was deleted or does not exist."):
        ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=other,
                                                  TransitGatewayAttachmentId=NO_ATTACHMENT)


def test_the_default_route_table_cannot_be_deleted(ec2):
    table = ec2.create_transit_gateway()["TransitGateway"]["Options"]["AssociationDefaultRouteTableId"]
    tgw = ec2.describe_transit_gateway_route_tables()["TransitGatewayRouteTables"][0]["TransitGatewayId"]
    with ec2_error("IncorrectState", f"{table} is the default route table of {tgw} and cannot be deleted."):
        ec2.delete_transit_gateway_route_table(TransitGatewayRouteTableId=table)
    ec2.modify_transit_gateway(TransitGatewayId=tgw, Options={
        "DefaultRouteTableAssociation": "disable", "DefaultRouteTablePropagation": "disable"})
    ec2.delete_transit_gateway_route_table(TransitGatewayRouteTableId=table)


def test_vpc_attachment_subnets_defaults_and_modify(ec2):
    tgw = ec2.create_transit_gateway()["TransitGateway"]
    tgw_id, table = tgw["TransitGatewayId"], tgw["Options"]["AssociationDefaultRouteTableId"]
    vpc, subnets = network(ec2, "10.0.0.0/16", {"us-east-1a": "10.0.1.0/24", "us-east-1b": "10.0.2.0/24"})
    second_in_a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.3.0/24", AvailabilityZone="us-east-1a")[
        "Subnet"]["SubnetId"]
    with ec2_error("DuplicateSubnetsInSameZone",
                   "Duplicate subnets for the same Availability Zone us-east-1a are not allowed."):
        attach(ec2, tgw_id, vpc, [subnets["us-east-1a"], second_in_a])
    elsewhere, elsewhere_subnets = network(ec2, "10.1.0.0/16", {"us-east-1c": "10.1.1.0/24"})
    with ec2_error("InvalidParameterValue",
                   f"Subnet {elsewhere_subnets['us-east-1c']} does not belong to VPC {vpc}."):
        attach(ec2, tgw_id, vpc, [subnets["us-east-1a"], elsewhere_subnets["us-east-1c"]])
    with ec2_error("InvalidTransitGatewayID.NotFound", f"Transit Gateway {NO_TGW} was deleted or does not exist."):
        attach(ec2, NO_TGW, vpc, [subnets["us-east-1a"]])
    with ec2_error("InvalidSubnetID.NotFound"):
        attach(ec2, tgw_id, vpc, ["subnet-0123456789abcdef0"])

    created = attach(ec2, tgw_id, vpc, [subnets["us-east-1a"]], Options={"ApplianceModeSupport": "enable"},
                     TagSpecifications=[{"ResourceType": "transit-gateway-attachment",
                                         "Tags": [{"Key": "Name", "Value": "spoke"}]}])
    attachment = created["TransitGatewayAttachmentId"]
    assert_id(attachment, "tgw-attach")
    assert created["State"] == "pending" and created["VpcOwnerId"] == "123456789012"
    assert created["SubnetIds"] == [subnets["us-east-1a"]] and tags_of(created) == {"Name": "spoke"}
    assert created["Options"] == {"DnsSupport": "enable", "SecurityGroupReferencingSupport": "disable",
                                  "Ipv6Support": "disable", "ApplianceModeSupport": "enable"}
    assert vpc_attachment(ec2, attachment)["State"] == "available"
    with ec2_error("DuplicateTransitGatewayAttachment",
                   f"{tgw_id} has non-deleted Transit Gateway Attachments with same VPC ID."):
        attach(ec2, tgw_id, vpc, [subnets["us-east-1b"]])
    # The defaults: associated with and propagating into the default table.
    assert [a["TransitGatewayAttachmentId"] for a in ec2.get_transit_gateway_route_table_associations(
        TransitGatewayRouteTableId=table)["Associations"]] == [attachment]
    assert [p["TransitGatewayAttachmentId"] for p in ec2.get_transit_gateway_route_table_propagations(
        TransitGatewayRouteTableId=table)["TransitGatewayRouteTablePropagations"]] == [attachment]

    # Part 2 §11.5: one requester-managed interface per attachment subnet, which the user cannot delete.
    interfaces = lambda: {e["SubnetId"]: e for e in ec2.describe_network_interfaces(Filters=[  # noqa: E731
        {"Name": "vpc-id", "Values": [vpc]}])["NetworkInterfaces"]}
    [eni] = interfaces().values()
    assert eni["SubnetId"] == subnets["us-east-1a"] and eni["InterfaceType"] == "transit_gateway"
    assert eni["RequesterManaged"] is True and eni["SourceDestCheck"] is False
    assert eni["Description"] == f"Network Interface for Transit Gateway Attachment {attachment}"
    assert eni["PrivateIpAddress"].startswith("10.0.1.")
    with ec2_error("InvalidNetworkInterface.InUse"):
        ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])

    modified = ec2.modify_transit_gateway_vpc_attachment(
        TransitGatewayAttachmentId=attachment, AddSubnetIds=[subnets["us-east-1b"]],
        Options={"DnsSupport": "disable"})["TransitGatewayVpcAttachment"]
    assert modified["State"] == "modifying" and modified["Options"]["DnsSupport"] == "disable"
    assert vpc_attachment(ec2, attachment)["SubnetIds"] == [subnets["us-east-1a"], subnets["us-east-1b"]]
    with ec2_error("DuplicateSubnetsInSameZone"):
        ec2.modify_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment, AddSubnetIds=[second_in_a])
    ec2.modify_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment,
                                              RemoveSubnetIds=[subnets["us-east-1a"]])
    assert vpc_attachment(ec2, attachment)["SubnetIds"] == [subnets["us-east-1b"]]
    assert list(interfaces()) == [subnets["us-east-1b"]]
    with ec2_error("InvalidParameterValue", f"Subnet {subnets['us-east-1b']} cannot be removed from the attachment."):
        ec2.modify_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment,
                                                  RemoveSubnetIds=[subnets["us-east-1b"]])

    by = lambda name, value: [a["TransitGatewayAttachmentId"] for a in  # noqa: E731
                              ec2.describe_transit_gateway_vpc_attachments(Filters=[
                                  {"Name": name, "Values": [value]}])["TransitGatewayVpcAttachments"]]
    assert by("vpc-id", vpc) == [attachment] and by("vpc-id", elsewhere) == []
    assert by("transit-gateway-id", tgw_id) == [attachment] and by("tag:Name", "spoke") == [attachment]
    with ec2_error("InvalidParameterValue", "The filter 'resource-type' is invalid"):
        ec2.describe_transit_gateway_vpc_attachments(Filters=[{"Name": "resource-type", "Values": ["vpc"]}])
    with ec2_error("InvalidTransitGatewayAttachmentID.NotFound"):
        ec2.describe_transit_gateway_vpc_attachments(TransitGatewayAttachmentIds=[NO_ATTACHMENT])


def test_a_live_attachment_holds_its_vpc_and_subnets(ec2):
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    vpc, subnets = network(ec2, "10.0.0.0/16", {"us-east-1a": "10.0.1.0/24", "us-east-1b": "10.0.2.0/24"})
    attachment = attach(ec2, tgw, vpc, [subnets["us-east-1a"]])["TransitGatewayAttachmentId"]
    with ec2_error("DependencyViolation"):
        ec2.delete_subnet(SubnetId=subnets["us-east-1a"])
    ec2.delete_subnet(SubnetId=subnets["us-east-1b"])  # not in the attachment
    with ec2_error("DependencyViolation", f"The vpc '{vpc}' has dependencies and cannot be deleted."):
        ec2.delete_vpc(VpcId=vpc)
    ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment)
    listed_network_interfaces = ec2.describe_network_interfaces(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkInterfaces"]
    assert listed_network_interfaces == []
    with ec2_error("IncorrectState", f"{attachment} is in invalid state: deleted."):
        ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment)
    ec2.delete_subnet(SubnetId=subnets["us-east-1a"])
    ec2.delete_vpc(VpcId=vpc)


def share(owner, tgw: str, *accounts: str) -> None:
    owner.create_tags(Resources=[tgw], Tags=[{"Key": SHARED_WITH, "Value": ",".join(accounts)}])


def test_a_shared_gateway_takes_another_accounts_vpc_after_acceptance(accounts):
    owner, consumer, stranger = accounts
    tgw = owner.create_transit_gateway()["TransitGateway"]
    tgw_id, table = tgw["TransitGatewayId"], tgw["Options"]["AssociationDefaultRouteTableId"]
    vpc, subnets = network(consumer, "10.5.0.0/16", {"us-east-1a": "10.5.1.0/24"})
    with ec2_error("InvalidTransitGatewayID.NotFound", f"Transit Gateway {tgw_id} was deleted or does not exist."):
        attach(consumer, tgw_id, vpc, list(subnets.values()))
    listed_transit_gateways = consumer.describe_transit_gateways()["TransitGateways"]
    assert listed_transit_gateways == []

    share(owner, tgw_id, CONSUMER)
    seen = consumer.describe_transit_gateways()["TransitGateways"]
    assert [(g["TransitGatewayId"], g["OwnerId"]) for g in seen] == [(tgw_id, OWNER)]
    listed_transit_gateways = stranger.describe_transit_gateways()["TransitGateways"]
    assert listed_transit_gateways == []
    created = attach(consumer, tgw_id, vpc, list(subnets.values()))
    attachment = created["TransitGatewayAttachmentId"]
    assert created["State"] == "pendingAcceptance" and created["VpcOwnerId"] == CONSUMER
    from_owner = owner.describe_transit_gateway_attachments()["TransitGatewayAttachments"]
    assert [(a["TransitGatewayAttachmentId"], a["State"], a["ResourceOwnerId"], a["TransitGatewayOwnerId"])
            for a in from_owner] == [(attachment, "pendingAcceptance", CONSUMER, OWNER)]
    listed_associations = owner.get_transit_gateway_route_table_associations(
        TransitGatewayRouteTableId=table)["Associations"]
    assert listed_associations == []

    with ec2_error("InvalidParameterValue", f"Cannot accept {attachment} as the source of the peering request."):
        consumer.accept_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment)
    with ec2_error("InvalidTransitGatewayAttachmentID.NotFound"):
        stranger.accept_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment)
    with ec2_error("InvalidTransitGatewayID.NotFound"):
        consumer.modify_transit_gateway(TransitGatewayId=tgw_id, Description="mine now")
    accepted = owner.accept_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment)
    assert accepted["TransitGatewayVpcAttachment"]["State"] == "pending"
    assert vpc_attachment(consumer, attachment)["State"] == "available"
    assert [a["TransitGatewayAttachmentId"] for a in owner.get_transit_gateway_route_table_associations(
        TransitGatewayRouteTableId=table)["Associations"]] == [attachment]
    with ec2_error("IncorrectState", f"{attachment} is in invalid state: available."):
        owner.accept_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment)
    # Either side may delete.
    owner.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment)
    assert vpc_attachment(consumer, attachment)["State"] == "deleted"


def test_reject_and_auto_accept(accounts):
    owner, consumer, _ = accounts
    tgw_id = owner.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    share(owner, tgw_id, CONSUMER)
    vpc, subnets = network(consumer, "10.5.0.0/16", {"us-east-1a": "10.5.1.0/24"})
    attachment = attach(consumer, tgw_id, vpc, list(subnets.values()))["TransitGatewayAttachmentId"]
    with ec2_error("InvalidParameterValue", f"Cannot reject {attachment} as the source of the peering request."):
        consumer.reject_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment)
    rejected = owner.reject_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment)
    assert rejected["TransitGatewayVpcAttachment"]["State"] == "rejecting"
    assert vpc_attachment(consumer, attachment)["State"] == "rejected"
    # A rejected attachment is not live: the VPC may attach again, and auto-accept makes it available at once.
    owner.modify_transit_gateway(TransitGatewayId=tgw_id, Options={"AutoAcceptSharedAttachments": "enable"})
    again = attach(consumer, tgw_id, vpc, list(subnets.values()))
    assert again["State"] == "pending"
    assert vpc_attachment(owner, again["TransitGatewayAttachmentId"])["State"] == "available"


def test_isolation_another_account_sees_and_changes_nothing(accounts, client_factory):
    owner, _, stranger = accounts
    tgw = owner.create_transit_gateway()["TransitGateway"]
    tgw_id, table = tgw["TransitGatewayId"], tgw["Options"]["AssociationDefaultRouteTableId"]
    vpc, subnets = network(owner, "10.0.0.0/16", {"us-east-1a": "10.0.1.0/24"})
    attachment = attach(owner, tgw_id, vpc, list(subnets.values()))["TransitGatewayAttachmentId"]
    other_region = client_factory(key=OWNER, region="us-west-2")
    for outsider in (stranger, other_region):
        listed_transit_gateways = outsider.describe_transit_gateways()["TransitGateways"]
        assert listed_transit_gateways == []
        listed_transit_gateway_route_tables = outsider.describe_transit_gateway_route_tables()[
            "TransitGatewayRouteTables"]
        assert listed_transit_gateway_route_tables == []
        listed_transit_gateway_attachments = outsider.describe_transit_gateway_attachments()[
            "TransitGatewayAttachments"]
        assert listed_transit_gateway_attachments == []
        with ec2_error("InvalidTransitGatewayID.NotFound"):
            outsider.delete_transit_gateway(TransitGatewayId=tgw_id)
        with ec2_error("InvalidRouteTableID.NotFound"):
            outsider.create_transit_gateway_route(TransitGatewayRouteTableId=table,
                                                  DestinationCidrBlock="0.0.0.0/0", Blackhole=True)
        with ec2_error("InvalidTransitGatewayAttachmentID.NotFound"):
            outsider.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment)
        with ec2_error("InvalidTransitGatewayID.NotFound"):
            outsider.create_tags(Resources=[tgw_id], Tags=[{"Key": "x", "Value": "y"}])
    # The owner still sees it all, unchanged.
    assert gateway(owner, tgw_id)["State"] == "available"
    assert vpc_attachment(owner, attachment)["State"] == "available"
    assert tags_of(gateway(owner, tgw_id)) == {}


def test_tags_on_every_transit_gateway_resource(accounts):
    owner, consumer, _ = accounts
    tgw = owner.create_transit_gateway()["TransitGateway"]
    tgw_id, table = tgw["TransitGatewayId"], tgw["Options"]["AssociationDefaultRouteTableId"]
    share(owner, tgw_id, CONSUMER)
    vpc, subnets = network(consumer, "10.5.0.0/16", {"us-east-1a": "10.5.1.0/24"})
    attachment = attach(consumer, tgw_id, vpc, list(subnets.values()), TagSpecifications=[
        {"ResourceType": "transit-gateway-attachment", "Tags": [{"Key": "side", "Value": "consumer"}]}])[
        "TransitGatewayAttachmentId"]
    owner.create_tags(Resources=[table, attachment], Tags=[{"Key": "side", "Value": "owner"}])
    owner_tags = {(t["ResourceId"], t["ResourceType"], t["Key"], t["Value"]) for t in owner.describe_tags()["Tags"]}
    assert owner_tags == {(tgw_id, "transit-gateway", SHARED_WITH, CONSUMER),
                          (table, "transit-gateway-route-table", "side", "owner"),
                          (attachment, "transit-gateway-attachment", "side", "owner")}
    consumer_tags = {(t["ResourceId"], t["Key"], t["Value"]) for t in consumer.describe_tags(Filters=[
        {"Name": "resource-type", "Values": ["transit-gateway-attachment"]}])["Tags"]}
    assert consumer_tags == {(attachment, "side", "consumer")}
    owner.delete_tags(Resources=[table], Tags=[{"Key": "side"}])
    assert tags_of(owner.describe_transit_gateway_route_tables(
        TransitGatewayRouteTableIds=[table])["TransitGatewayRouteTables"][0]) == {}
    with ec2_error("InvalidParameterValue", "'vpc' is not a valid taggable resource type for this operation."):
        owner.create_transit_gateway(TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}])


def test_quotas_are_off_by_default(ec2):
    ids = [ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"] for _ in range(6)]
    assert len(ec2.describe_transit_gateways()["TransitGateways"]) == len(ids) == 6


@pytest.fixture(scope="module")
def quota_server(log_dir):
    srv = LocalVpcServer("memory", log_dir, name="tgw-quotas-aws", extra_args=["--quotas", "aws"])
    srv.start()
    yield srv
    srv.stop()


def test_aws_quotas_five_gateways_and_twenty_route_tables(quota_server, client_factory):
    quota_server.reset()
    ec2 = client_factory(endpoint=quota_server.endpoint)
    gateways = [ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"] for _ in range(5)]
    with ec2_error("TransitGatewayLimitExceeded", "You have reached the maximum number of transit gateways allowed."):
        ec2.create_transit_gateway()
    assert len(ec2.describe_transit_gateways()["TransitGateways"]) == 5
    for _ in range(19):
        ec2.create_transit_gateway_route_table(TransitGatewayId=gateways[0])
    with ec2_error("TransitGatewayRouteTableLimitExceeded",
                   f"You have reached the maximum number of route tables for transit gateway {gateways[0]}."):
        ec2.create_transit_gateway_route_table(TransitGatewayId=gateways[0])
    ec2.create_transit_gateway_route_table(TransitGatewayId=gateways[1])
    ec2.delete_transit_gateway(TransitGatewayId=gateways[4])
    ec2.create_transit_gateway()


def test_dry_run(ec2):
    with ec2_error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", status=412):
        ec2.create_transit_gateway(DryRun=True)
    listed_transit_gateways = ec2.describe_transit_gateways()["TransitGateways"]
    assert listed_transit_gateways == []


def test_cli_gateway_route_table_and_attachment_actions(aws):
    created = aws("ec2", "create-transit-gateway", "--description", "cli").ok()["TransitGateway"]
    tgw, default_table = created["TransitGatewayId"], created["Options"]["AssociationDefaultRouteTableId"]
    assert created["State"] == "pending"
    assert aws("ec2", "describe-transit-gateways", "--transit-gateway-ids", tgw).ok()[
        "TransitGateways"][0]["State"] == "available"
    modified = aws("ec2", "modify-transit-gateway", "--transit-gateway-id", tgw,
                   "--options", "DnsSupport=disable").ok()["TransitGateway"]
    assert modified["Options"]["DnsSupport"] == "disable"
    table = aws("ec2", "create-transit-gateway-route-table", "--transit-gateway-id", tgw).ok()[
        "TransitGatewayRouteTable"]["TransitGatewayRouteTableId"]
    assert [t["TransitGatewayRouteTableId"] for t in aws("ec2", "describe-transit-gateway-route-tables", "--filters",
            "Name=default-association-route-table,Values=false").ok()["TransitGatewayRouteTables"]] == [table]

    vpc = aws("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16").ok()["Vpc"]["VpcId"]
    subnet = aws("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.1.0/24",
                 "--availability-zone", "us-east-1a").ok()["Subnet"]["SubnetId"]
    attachment = aws("ec2", "create-transit-gateway-vpc-attachment", "--transit-gateway-id", tgw, "--vpc-id", vpc,
                     "--subnet-ids", subnet).ok()["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    cli_error(aws("ec2", "create-transit-gateway-vpc-attachment", "--transit-gateway-id", tgw, "--vpc-id", vpc,
                  "--subnet-ids", subnet), "DuplicateTransitGatewayAttachment",
              f"{tgw} has non-deleted Transit Gateway Attachments with same VPC ID.")
    assert aws("ec2", "describe-transit-gateway-vpc-attachments", "--transit-gateway-attachment-ids",
               attachment).ok()["TransitGatewayVpcAttachments"][0]["SubnetIds"] == [subnet]
    assert aws("ec2", "describe-transit-gateway-attachments", "--filters", "Name=resource-type,Values=vpc").ok()[
        "TransitGatewayAttachments"][0]["ResourceId"] == vpc
    aws("ec2", "modify-transit-gateway-vpc-attachment", "--transit-gateway-attachment-id", attachment,
        "--options", "ApplianceModeSupport=enable").ok()

    aws("ec2", "disassociate-transit-gateway-route-table", "--transit-gateway-route-table-id", default_table,
        "--transit-gateway-attachment-id", attachment).ok()
    assert aws("ec2", "associate-transit-gateway-route-table", "--transit-gateway-route-table-id", table,
               "--transit-gateway-attachment-id", attachment).ok()["Association"]["State"] == "associating"
    assert aws("ec2", "get-transit-gateway-route-table-associations", "--transit-gateway-route-table-id",
               table).ok()["Associations"][0]["TransitGatewayAttachmentId"] == attachment
    assert aws("ec2", "enable-transit-gateway-route-table-propagation", "--transit-gateway-route-table-id", table,
               "--transit-gateway-attachment-id", attachment).ok()["Propagation"]["State"] == "enabling"
    assert aws("ec2", "get-transit-gateway-route-table-propagations", "--transit-gateway-route-table-id",
               table).ok()["TransitGatewayRouteTablePropagations"][0]["ResourceId"] == vpc
    aws("ec2", "disable-transit-gateway-route-table-propagation", "--transit-gateway-route-table-id", table,
        "--transit-gateway-attachment-id", attachment).ok()
    cli_error(aws("ec2", "delete-transit-gateway-route-table", "--transit-gateway-route-table-id", table),
              "IncorrectState", f"{table} has associations or propagations and cannot be deleted.")
    cli_error(aws("ec2", "delete-transit-gateway", "--transit-gateway-id", tgw), "IncorrectState",
              f"{tgw} has non-deleted Transit Gateway Attachments: {attachment}.")
    assert aws("ec2", "delete-transit-gateway-vpc-attachment", "--transit-gateway-attachment-id", attachment).ok()[
        "TransitGatewayVpcAttachment"]["State"] == "deleting"
    aws("ec2", "delete-transit-gateway-route-table", "--transit-gateway-route-table-id", table).ok()
    assert aws("ec2", "delete-transit-gateway", "--transit-gateway-id", tgw).ok()["TransitGateway"]["State"] == \
        "deleting"
    cli_error(aws("ec2", "describe-transit-gateways", "--transit-gateway-ids", tgw),
              "InvalidTransitGatewayID.NotFound", f"Transit Gateway {tgw} was deleted or does not exist.")


def test_cli_cross_account_accept_and_reject(aws):
    owner = dict(key=OWNER)
    consumer = dict(key=CONSUMER)
    tgw = aws("ec2", "create-transit-gateway", **owner).ok()["TransitGateway"]["TransitGatewayId"]
    aws("ec2", "create-tags", "--resources", tgw, "--tags", f"Key={SHARED_WITH},Value={CONSUMER}", **owner).ok()
    attachments = []
    for n in (1, 2):
        vpc = aws("ec2", "create-vpc", "--cidr-block", f"10.{n}.0.0/16", **consumer).ok()["Vpc"]["VpcId"]
        subnet = aws("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", f"10.{n}.1.0/24",
                     "--availability-zone", "us-east-1a", **consumer).ok()["Subnet"]["SubnetId"]
        made = aws("ec2", "create-transit-gateway-vpc-attachment", "--transit-gateway-id", tgw, "--vpc-id", vpc,
                   "--subnet-ids", subnet, **consumer).ok()["TransitGatewayVpcAttachment"]
        assert made["State"] == "pendingAcceptance"
        attachments.append(made["TransitGatewayAttachmentId"])
    cli_error(aws("ec2", "accept-transit-gateway-vpc-attachment", "--transit-gateway-attachment-id", attachments[0],
                  **consumer), "InvalidParameterValue",
              f"Cannot accept {attachments[0]} as the source of the peering request.")
    assert aws("ec2", "accept-transit-gateway-vpc-attachment", "--transit-gateway-attachment-id", attachments[0],
               **owner).ok()["TransitGatewayVpcAttachment"]["State"] == "pending"
    assert aws("ec2", "reject-transit-gateway-vpc-attachment", "--transit-gateway-attachment-id", attachments[1],
               **owner).ok()["TransitGatewayVpcAttachment"]["State"] == "rejecting"
    states = {a["TransitGatewayAttachmentId"]: a["State"] for a in aws(
        "ec2", "describe-transit-gateway-vpc-attachments", **consumer).ok()["TransitGatewayVpcAttachments"]}
    assert states == {attachments[0]: "available", attachments[1]: "rejected"}


def test_a_restart_keeps_gateways_tables_attachments_and_routes(sqlite_server, client_factory):
    srv = sqlite_server().start()
    owner, consumer = (client_factory(endpoint=srv.endpoint, key=k) for k in (OWNER, CONSUMER))
    tgw = owner.create_transit_gateway(Description="kept")["TransitGateway"]
    tgw_id, table = tgw["TransitGatewayId"], tgw["Options"]["AssociationDefaultRouteTableId"]
    share(owner, tgw_id, CONSUMER)
    vpc, subnets = network(consumer, "10.5.0.0/16", {"us-east-1a": "10.5.1.0/24"})
    attachment = attach(consumer, tgw_id, vpc, list(subnets.values()))["TransitGatewayAttachmentId"]
    owner.accept_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment)
    owner.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="0.0.0.0/0",
                                       Blackhole=True)
    before = (gateway(owner, tgw_id), owner.describe_transit_gateway_attachments()["TransitGatewayAttachments"],
              search_all(owner, table))
    srv.kill()
    srv.start()
    owner, consumer = (client_factory(endpoint=srv.endpoint, key=k) for k in (OWNER, CONSUMER))
    after = (gateway(owner, tgw_id), owner.describe_transit_gateway_attachments()["TransitGatewayAttachments"],
             search_all(owner, table))
    assert after == before
    assert [r["DestinationCidrBlock"] for r in after[2]] == ["0.0.0.0/0", "10.5.0.0/16"]
    assert vpc_attachment(consumer, attachment)["State"] == "available"


def search_all(client, table: str) -> list[dict]:
    return client.search_transit_gateway_routes(TransitGatewayRouteTableId=table, Filters=[
        {"Name": "type", "Values": ["static", "propagated"]}])["Routes"]


def test_a_deleted_attachment_stays_listed_for_two_hours(ec2, endpoint):
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    vpc, subnets = network(ec2, "10.0.0.0/16", {"us-east-1a": "10.0.1.0/24"})
    attachment = attach(ec2, tgw, vpc, list(subnets.values()))["TransitGatewayAttachmentId"]
    ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment)
    advance = lambda seconds: requests.post(f"{endpoint}/_localvpc/clock",  # noqa: E731
                                            json={"advance_seconds": seconds}, timeout=10).raise_for_status()
    advance(2 * 3600 - 60)
    assert vpc_attachment(ec2, attachment)["State"] == "deleted"
    advance(120)
    listed_transit_gateway_attachments = ec2.describe_transit_gateway_attachments()["TransitGatewayAttachments"]
    assert listed_transit_gateway_attachments == []
    with ec2_error("InvalidTransitGatewayAttachmentID.NotFound"):
        ec2.describe_transit_gateway_vpc_attachments(TransitGatewayAttachmentIds=[attachment])
