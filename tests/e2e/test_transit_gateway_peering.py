"""Transit gateway peering attachments (part 2 §14.3), control plane: create across accounts and Regions, accept
or reject from the peer's account and Region only, delete from either side, associations and static routes on each
side — through boto3 and the aws CLI."""
from __future__ import annotations

import pytest

from helpers import assert_id, cli_error, ec2_error, tags_of

EAST_ACCT, WEST_ACCT = "111111111111", "222222222222"


@pytest.fixture
def sides(client_factory):
    east = client_factory(key=EAST_ACCT, region="us-east-1")
    west = client_factory(key=WEST_ACCT, region="us-west-2")
    east_tgw = east.create_transit_gateway()["TransitGateway"]
    west_tgw = west.create_transit_gateway()["TransitGateway"]
    return east, west, east_tgw, west_tgw


def peer(client, tgw: str, peer_tgw: str, account: str, region: str, **kwargs) -> dict:
    return client.create_transit_gateway_peering_attachment(
        TransitGatewayId=tgw, PeerTransitGatewayId=peer_tgw, PeerAccountId=account, PeerRegion=region,
        **kwargs)["TransitGatewayPeeringAttachment"]


def describe(client, attachment: str) -> dict:
    return client.describe_transit_gateway_peering_attachments(
        TransitGatewayAttachmentIds=[attachment])["TransitGatewayPeeringAttachments"][0]


def test_cross_account_cross_region_lifecycle(sides, client_factory):
    east, west, east_tgw, west_tgw = sides
    created = peer(east, east_tgw["TransitGatewayId"], west_tgw["TransitGatewayId"], WEST_ACCT, "us-west-2",
                   TagSpecifications=[{"ResourceType": "transit-gateway-attachment",
                                       "Tags": [{"Key": "Name", "Value": "east-west"}]}])
    attachment = created["TransitGatewayAttachmentId"]
    assert_id(attachment, "tgw-attach")
    assert created["State"] == "initiatingRequest"
    assert created["Status"] == {"Code": "initiatingRequest", "Message": f"Initiating Request to {WEST_ACCT}"}
    assert created["RequesterTgwInfo"] == {"TransitGatewayId": east_tgw["TransitGatewayId"], "OwnerId": EAST_ACCT,
                                           "Region": "us-east-1"}
    assert created["AccepterTgwInfo"] == {"TransitGatewayId": west_tgw["TransitGatewayId"], "OwnerId": WEST_ACCT,
                                          "Region": "us-west-2"}
    assert tags_of(created) == {"Name": "east-west"}
    assert describe(east, attachment)["State"] == "pendingAcceptance"
    seen_by_west = describe(west, attachment)
    assert seen_by_west["State"] == "pendingAcceptance" and tags_of(seen_by_west) == {}

    with ec2_error("InvalidParameterValue", f"Cannot accept {attachment} as the source of the peering request."):
        east.accept_transit_gateway_peering_attachment(TransitGatewayAttachmentId=attachment)
    # The accepter's account, but in the wrong Region, does not see it at all.
    with ec2_error("InvalidTransitGatewayAttachmentID.NotFound",
                   f"Transit Gateway Peering Attachment {attachment} was deleted or does not exist."):
        client_factory(key=WEST_ACCT, region="us-east-1").accept_transit_gateway_peering_attachment(
            TransitGatewayAttachmentId=attachment)
    accepted = west.accept_transit_gateway_peering_attachment(TransitGatewayAttachmentId=attachment)
    assert accepted["TransitGatewayPeeringAttachment"]["State"] == "pending"
    assert describe(east, attachment)["State"] == "available"

    # Each side sees the attachment on its own gateway, the other gateway as the resource.
    from_west = west.describe_transit_gateway_attachments(Filters=[
        {"Name": "resource-type", "Values": ["peering"]}])["TransitGatewayAttachments"]
    assert [(a["TransitGatewayId"], a["ResourceId"], a["ResourceOwnerId"], a["TransitGatewayOwnerId"])
            for a in from_west] == [(west_tgw["TransitGatewayId"], east_tgw["TransitGatewayId"], EAST_ACCT,
                                     WEST_ACCT)]
    # No default association or propagation for a peering: each side associates and routes itself.
    west_table = west_tgw["Options"]["AssociationDefaultRouteTableId"]
    associated = west.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=west_table)
    assert associated["Associations"] == []
    west.associate_transit_gateway_route_table(TransitGatewayRouteTableId=west_table,
                                               TransitGatewayAttachmentId=attachment)
    route = west.create_transit_gateway_route(TransitGatewayRouteTableId=west_table,
                                              DestinationCidrBlock="10.0.0.0/8",
                                              TransitGatewayAttachmentId=attachment)["Route"]
    assert route["TransitGatewayAttachments"] == [{"ResourceId": east_tgw["TransitGatewayId"],
                                                   "TransitGatewayAttachmentId": attachment,
                                                   "ResourceType": "peering"}]
    east_table = east_tgw["Options"]["AssociationDefaultRouteTableId"]
    east.associate_transit_gateway_route_table(TransitGatewayRouteTableId=east_table,
                                               TransitGatewayAttachmentId=attachment)

    with ec2_error("IncorrectState", f"{west_tgw['TransitGatewayId']} has non-deleted Transit Gateway Cross Region "
                                     f"Peering Attachments: {attachment}."):
        west.delete_transit_gateway(TransitGatewayId=west_tgw["TransitGatewayId"])
    deleted = west.delete_transit_gateway_peering_attachment(TransitGatewayAttachmentId=attachment)
    assert deleted["TransitGatewayPeeringAttachment"]["State"] == "deleting"
    assert describe(east, attachment)["State"] == "deleted"
    associated = east.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=east_table)
    assert associated["Associations"] == []
    west.delete_transit_gateway(TransitGatewayId=west_tgw["TransitGatewayId"])


def test_reject_duplicates_and_a_missing_peer(sides, client_factory):
    east, west, east_tgw, west_tgw = sides
    east_id, west_id = east_tgw["TransitGatewayId"], west_tgw["TransitGatewayId"]
    attachment = peer(east, east_id, west_id, WEST_ACCT, "us-west-2")["TransitGatewayAttachmentId"]
    with ec2_error("DuplicateTransitGatewayAttachment",
                   f"{east_id} has non-deleted Transit Gateway Cross Region Peering Attachments with same peer."):
        peer(east, east_id, west_id, WEST_ACCT, "us-west-2")
    with ec2_error("InvalidParameterValue", f"Cannot reject {attachment} as the source of the peering request."):
        east.reject_transit_gateway_peering_attachment(TransitGatewayAttachmentId=attachment)
    rejected = west.reject_transit_gateway_peering_attachment(TransitGatewayAttachmentId=attachment)
    assert rejected["TransitGatewayPeeringAttachment"]["State"] == "rejecting"
    assert describe(east, attachment)["State"] == "rejected"
    with ec2_error("IncorrectState", f"{attachment} is in invalid state: rejected."):
        west.accept_transit_gateway_peering_attachment(TransitGatewayAttachmentId=attachment)
    # Rejected is not live: the pair may peer again.
    again = peer(east, east_id, west_id, WEST_ACCT, "us-west-2")
    assert again["State"] == "initiatingRequest"

    missing = peer(east, east_id, "tgw-0123456789abcdef0", WEST_ACCT, "us-west-2")
    assert missing["State"] == "failed"
    assert describe(east, missing["TransitGatewayAttachmentId"])["State"] == "failed"
    with ec2_error("InvalidParameterValue", "Invalid region: mars-1"):
        peer(east, east_id, west_id, WEST_ACCT, "mars-1")
    with ec2_error("InvalidTransitGatewayID.NotFound"):
        peer(west, east_id, west_id, WEST_ACCT, "us-west-2")

    stranger = client_factory(key="333333333333", region="us-west-2")
    listed_transit_gateway_peering_attachments = stranger.describe_transit_gateway_peering_attachments()[
        "TransitGatewayPeeringAttachments"]
    assert listed_transit_gateway_peering_attachments == []
    with ec2_error("InvalidTransitGatewayAttachmentID.NotFound"):
        stranger.delete_transit_gateway_peering_attachment(TransitGatewayAttachmentId=attachment)
    with ec2_error("InvalidTransitGatewayAttachmentID.NotFound"):
        east.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=again["TransitGatewayAttachmentId"])


def test_same_account_peering_is_accepted_from_the_peer_region(client_factory):
    east, west = client_factory(key=EAST_ACCT), client_factory(key=EAST_ACCT, region="eu-west-1")
    east_tgw = east.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    west_tgw = west.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    attachment = peer(east, east_tgw, west_tgw, EAST_ACCT, "eu-west-1")["TransitGatewayAttachmentId"]
    with ec2_error("InvalidParameterValue", f"Cannot accept {attachment} as the source of the peering request."):
        east.accept_transit_gateway_peering_attachment(TransitGatewayAttachmentId=attachment)
    west.accept_transit_gateway_peering_attachment(TransitGatewayAttachmentId=attachment)
    by = lambda client, name, value: [a["TransitGatewayAttachmentId"] for a in  # noqa: E731
                                      client.describe_transit_gateway_peering_attachments(Filters=[
                                          {"Name": name, "Values": [value]}])["TransitGatewayPeeringAttachments"]]
    assert by(east, "state", "available") == [attachment]
    assert by(east, "transit-gateway-id", east_tgw) == [attachment]
    assert by(west, "transit-gateway-id", west_tgw) == [attachment]
    assert by(east, "state", "pendingAcceptance") == []
    east.delete_transit_gateway_peering_attachment(TransitGatewayAttachmentId=attachment)
    assert by(west, "state", "deleted") == [attachment]


def test_cli_peering_actions(aws):
    east, west = dict(key=EAST_ACCT), dict(key=WEST_ACCT, region="us-west-2")
    east_tgw = aws("ec2", "create-transit-gateway", **east).ok()["TransitGateway"]["TransitGatewayId"]
    west_tgw = aws("ec2", "create-transit-gateway", **west).ok()["TransitGateway"]["TransitGatewayId"]
    made = []
    for _ in range(2):
        created = aws("ec2", "create-transit-gateway-peering-attachment", "--transit-gateway-id", east_tgw,
                      "--peer-transit-gateway-id", west_tgw, "--peer-account-id", WEST_ACCT,
                      "--peer-region", "us-west-2", **east).ok()["TransitGatewayPeeringAttachment"]
        assert created["State"] == "initiatingRequest"
        made.append(created["TransitGatewayAttachmentId"])
        if len(made) == 1:
            cli_error(aws("ec2", "accept-transit-gateway-peering-attachment", "--transit-gateway-attachment-id",
                          made[0], **east), "InvalidParameterValue",
                      f"Cannot accept {made[0]} as the source of the peering request.")
            assert aws("ec2", "reject-transit-gateway-peering-attachment", "--transit-gateway-attachment-id",
                       made[0], **west).ok()["TransitGatewayPeeringAttachment"]["State"] == "rejecting"
    assert aws("ec2", "accept-transit-gateway-peering-attachment", "--transit-gateway-attachment-id", made[1],
               **west).ok()["TransitGatewayPeeringAttachment"]["State"] == "pending"
    states = {a["TransitGatewayAttachmentId"]: a["State"] for a in aws(
        "ec2", "describe-transit-gateway-peering-attachments", **east).ok()["TransitGatewayPeeringAttachments"]}
    assert states == {made[0]: "rejected", made[1]: "available"}
    assert aws("ec2", "delete-transit-gateway-peering-attachment", "--transit-gateway-attachment-id", made[1],
               **east).ok()["TransitGatewayPeeringAttachment"]["State"] == "deleting"
    cli_error(aws("ec2", "delete-transit-gateway-peering-attachment", "--transit-gateway-attachment-id",
                  "tgw-attach-0123456789abcdef0", **east), "InvalidTransitGatewayAttachmentID.NotFound",
              "Transit Gateway Peering Attachment tgw-attach-0123456789abcdef0 was deleted or does not exist.")
