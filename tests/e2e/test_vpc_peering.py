"""VPC peering connections (spec §2.6): lifecycle, who may do what, visibility, options, expiry, concurrency."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
import requests
from botocore.exceptions import ClientError

from helpers import UNKNOWN, assert_id, cli_error, ec2_error

A_ACCT, B_ACCT = "111111111111", "222222222222"
OVERLAP_MESSAGE = "Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range"


def vpc(client, cidr: str, name: str | None = None) -> str:
    kwargs = {}
    if name:
        kwargs["TagSpecifications"] = [{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}]}]
    return client.create_vpc(CidrBlock=cidr, **kwargs)["Vpc"]["VpcId"]


def describe(client, pcx_id: str) -> dict:
    return client.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx_id])["VpcPeeringConnections"][0]


def main_table(client, vpc_id: str) -> str:
    tables = client.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]}]
    )["RouteTables"]
    return tables[0]["RouteTableId"]


def route_state(client, rtb: str, destination: str) -> str:
    table = client.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]
    return next(r["State"] for r in table["Routes"] if r.get("DestinationCidrBlock") == destination)


def advance_clock(endpoint: str, seconds: int) -> None:
    r = requests.post(f"{endpoint}/_localvpc/clock", json={"advance_seconds": seconds}, timeout=10)
    assert r.status_code == 200, r.text


@pytest.fixture
def two_accounts(client_factory):
    return client_factory(key=A_ACCT), client_factory(key=B_ACCT)


def test_same_account_lifecycle_with_routes(ec2):
    a = vpc(ec2, "10.0.0.0/16")
    b = vpc(ec2, "10.1.0.0/16")
    created = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"]
    pcx = created["VpcPeeringConnectionId"]
    assert_id(pcx, "pcx")
    assert created["Status"] == {"Code": "initiating-request", "Message": "Initiating Request to 123456789012"}
    assert created["RequesterVpcInfo"]["CidrBlock"] == "10.0.0.0/16"
    assert "CidrBlock" not in created["AccepterVpcInfo"]
    assert created["AccepterVpcInfo"] == {"OwnerId": "123456789012", "VpcId": b, "Region": "us-east-1"}

    pending = describe(ec2, pcx)
    assert pending["Status"] == {"Code": "pending-acceptance", "Message": "Pending Acceptance by 123456789012"}
    expiration = pending["ExpirationTime"]
    assert expiration - dt.datetime.now(dt.timezone.utc) > dt.timedelta(days=6, hours=23)

    rtb_a = main_table(ec2, a)
    ec2.create_route(RouteTableId=rtb_a, DestinationCidrBlock="10.1.0.0/16", VpcPeeringConnectionId=pcx)
    assert route_state(ec2, rtb_a, "10.1.0.0/16") == "blackhole"

    accepted = ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)["VpcPeeringConnection"]
    assert accepted["Status"] == {"Code": "provisioning", "Message": "Provisioning"}
    assert accepted["AccepterVpcInfo"]["CidrBlock"] == "10.1.0.0/16"
    active = describe(ec2, pcx)
    assert active["Status"] == {"Code": "active", "Message": "Active"}
    assert "ExpirationTime" not in active
    assert active["AccepterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is False
    assert route_state(ec2, rtb_a, "10.1.0.0/16") == "active"

    rtb_b = main_table(ec2, b)
    ec2.create_route(RouteTableId=rtb_b, DestinationCidrBlock="10.0.0.0/16", VpcPeeringConnectionId=pcx)
    filtered = ec2.describe_route_tables(
        Filters=[{"Name": "route.vpc-peering-connection-id", "Values": [pcx]}]
    )["RouteTables"]
    assert sorted(t["RouteTableId"] for t in filtered) == sorted([rtb_a, rtb_b])

    with ec2_error("DependencyViolation", f"The vpc '{a}' has dependencies and cannot be deleted."):
        ec2.delete_vpc(VpcId=a)

    assert ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)["Return"] is True
    deleted = describe(ec2, pcx)
    assert deleted["Status"]["Code"] == "deleted"
    assert "CidrBlock" not in deleted["RequesterVpcInfo"]
    assert route_state(ec2, rtb_a, "10.1.0.0/16") == "blackhole"
    assert route_state(ec2, rtb_b, "10.0.0.0/16") == "blackhole"
    with ec2_error("InvalidStateTransition",
                   f"Invalid state transition for {pcx}, attempted to transition from deleted to deleting"):
        ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)


def test_seed_tutorial_peering_with_the_cli(aws):
    region = "ap-northeast-2"
    a = aws("ec2", "create-vpc", "--cidr-block", "10.6.0.0/16", "--tag-specifications",
            "ResourceType=vpc,Tags=[{Key=Name,Value=peeringVPC-A}]", region=region).ok()["Vpc"]["VpcId"]
    b = aws("ec2", "create-vpc", "--cidr-block", "10.7.0.0/16", "--tag-specifications",
            "ResourceType=vpc,Tags=[{Key=Name,Value=peeringVPC-B}]", region=region).ok()["Vpc"]["VpcId"]
    pcx = aws("ec2", "create-vpc-peering-connection", "--vpc-id", a, "--peer-vpc-id", b,
              region=region).ok()["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    status = aws("ec2", "accept-vpc-peering-connection", "--vpc-peering-connection-id", pcx,
                 region=region).ok()["VpcPeeringConnection"]["Status"]
    assert status["Code"] == "provisioning"
    listed = aws("ec2", "describe-vpc-peering-connections", "--filters", "Name=status-code,Values=active",
                 region=region).ok()["VpcPeeringConnections"]
    assert [p["VpcPeeringConnectionId"] for p in listed] == [pcx]
    assert listed[0]["RequesterVpcInfo"]["Region"] == region
    for own, peer_cidr in ((a, "10.7.0.0/16"), (b, "10.6.0.0/16")):
        rtb = aws("ec2", "describe-route-tables", "--filters", f"Name=vpc-id,Values={own}",
                  region=region).ok()["RouteTables"][0]["RouteTableId"]
        aws("ec2", "create-route", "--route-table-id", rtb, "--destination-cidr-block", peer_cidr,
            "--vpc-peering-connection-id", pcx, region=region).ok()
        routes = aws("ec2", "describe-route-tables", "--route-table-ids", rtb,
                     region=region).ok()["RouteTables"][0]["Routes"]
        assert {"DestinationCidrBlock": peer_cidr, "VpcPeeringConnectionId": pcx, "State": "active",
                "Origin": "CreateRoute"} in routes
    cli_error(aws("ec2", "accept-vpc-peering-connection", "--vpc-peering-connection-id", pcx, region=region),
              "InvalidStateTransition",
              f"Invalid state transition for {pcx}, attempted to transition from active to active")


def test_cross_account_who_may_do_what(two_accounts):
    a_client, b_client = two_accounts
    a = vpc(a_client, "10.0.0.0/16")
    b = vpc(b_client, "10.1.0.0/16")
    pcx = a_client.create_vpc_peering_connection(VpcId=a, PeerVpcId=b, PeerOwnerId=B_ACCT)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    # The accepter account sees the request.
    seen = describe(b_client, pcx)
    assert seen["Status"] == {"Code": "pending-acceptance", "Message": f"Pending Acceptance by {B_ACCT}"}
    assert seen["RequesterVpcInfo"]["OwnerId"] == A_ACCT
    # A third account does not.
    third = _client_like(b_client, "333333333333")
    with ec2_error("InvalidVpcPeeringConnectionID.NotFound",
                   f"The vpcPeeringConnection ID '{pcx}' does not exist"):
        describe(third, pcx)
    with ec2_error("OperationNotPermitted", f"User {A_ACCT} cannot accept peering {pcx}"):
        a_client.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    with ec2_error("OperationNotPermitted", f"User {A_ACCT} cannot reject peering {pcx}"):
        a_client.reject_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    with ec2_error("OperationNotPermitted"):
        b_client.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert b_client.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)[
        "VpcPeeringConnection"]["Status"]["Code"] == "provisioning"
    assert describe(a_client, pcx)["Status"]["Code"] == "active"
    # Active: either owner may delete.
    b_client.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    gone = describe(a_client, pcx)
    assert gone["Status"] == {"Code": "deleted", "Message": f"Deleted by {B_ACCT}"}
    for call in (b_client.accept_vpc_peering_connection, b_client.reject_vpc_peering_connection):
        with ec2_error("InvalidStateTransition"):
            call(VpcPeeringConnectionId=pcx)


def _client_like(client, account: str):
    import boto3

    return boto3.session.Session().client(
        "ec2", region_name=client.meta.region_name, endpoint_url=client.meta.endpoint_url,
        aws_access_key_id=account, aws_secret_access_key="x")


def test_reject_and_terminal_states(two_accounts):
    a_client, b_client = two_accounts
    a = vpc(a_client, "10.0.0.0/16")
    b = vpc(b_client, "10.1.0.0/16")
    pcx = a_client.create_vpc_peering_connection(VpcId=a, PeerVpcId=b, PeerOwnerId=B_ACCT)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    assert b_client.reject_vpc_peering_connection(VpcPeeringConnectionId=pcx)["Return"] is True
    assert describe(a_client, pcx)["Status"]["Code"] == "rejected"
    for client, call, target in (
        (b_client, "accept_vpc_peering_connection", "active"),
        (b_client, "reject_vpc_peering_connection", "rejected"),
        (a_client, "delete_vpc_peering_connection", "deleting"),
    ):
        with ec2_error("InvalidStateTransition",
                       f"Invalid state transition for {pcx}, attempted to transition from rejected to {target}"):
            getattr(client, call)(VpcPeeringConnectionId=pcx)


def test_overlap_and_missing_peer_fail_the_request(ec2, two_accounts):
    a = vpc(ec2, "10.0.0.0/16")
    inside = vpc(ec2, "10.0.128.0/17")
    created = ec2.create_vpc_peering_connection(VpcId=inside, PeerVpcId=a)["VpcPeeringConnection"]
    pcx = created["VpcPeeringConnectionId"]
    failed = describe(ec2, pcx)
    assert failed["Status"] == {"Code": "failed", "Message": OVERLAP_MESSAGE}
    with ec2_error("InvalidStateTransition",
                   f"Invalid state transition for {pcx}, attempted to transition from failed to deleting"):
        ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    # A secondary block overlapping counts too.
    c = vpc(ec2, "10.2.0.0/16")
    ec2.associate_vpc_cidr_block(VpcId=c, CidrBlock="10.3.0.0/24")
    d = vpc(ec2, "10.3.0.0/16")
    other = ec2.create_vpc_peering_connection(VpcId=c, PeerVpcId=d)["VpcPeeringConnection"]
    assert describe(ec2, other["VpcPeeringConnectionId"])["Status"]["Code"] == "failed"
    # Same account and region, unknown peer: synchronous NotFound.
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{UNKNOWN['vpc']}' does not exist"):
        ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=UNKNOWN["vpc"])
    # Another account's missing VPC: the request fails instead.
    a_client, _ = two_accounts
    own = vpc(a_client, "10.9.0.0/16")
    remote = a_client.create_vpc_peering_connection(VpcId=own, PeerVpcId=UNKNOWN["vpc"], PeerOwnerId=B_ACCT)
    assert describe(a_client, remote["VpcPeeringConnection"]["VpcPeeringConnectionId"])["Status"]["Code"] == "failed"
    with ec2_error("InvalidVpcID.NotFound"):
        a_client.create_vpc_peering_connection(VpcId=UNKNOWN["vpc"], PeerVpcId=own)


def test_duplicates(ec2):
    a = vpc(ec2, "10.0.0.0/16")
    b = vpc(ec2, "10.1.0.0/16")
    first = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    again = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    assert again == first
    reverse = ec2.create_vpc_peering_connection(VpcId=b, PeerVpcId=a)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    assert reverse != first
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=first)
    with ec2_error("VpcPeeringConnectionAlreadyExists",
                   f"The vpc peering connection identified by {reverse} already exists."):
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=reverse)


def test_cross_region_same_id_in_both_regions(client_factory):
    east = client_factory(region="us-east-1")
    west = client_factory(region="us-west-2")
    a = vpc(east, "10.0.0.0/16")
    b = vpc(west, "10.1.0.0/16")
    pcx = east.create_vpc_peering_connection(VpcId=a, PeerVpcId=b, PeerRegion="us-west-2")[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    assert describe(west, pcx)["AccepterVpcInfo"]["Region"] == "us-west-2"
    assert describe(east, pcx)["RequesterVpcInfo"]["Region"] == "us-east-1"
    with ec2_error("OperationNotPermitted",
                   f"Incorrect region (us-east-1) specified for this request. VPC peering connection {pcx} "
                   f"must be accepted in region us-west-2"):
        east.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    west.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert describe(east, pcx)["Status"]["Code"] == "active"
    with ec2_error("OperationNotPermitted",
                   "Modifying VPC peering connection options AllowEgressFromLocalClassicLinkToRemoteVpc, "
                   "AllowEgressFromLocalVpcToRemoteClassicLink is not supported for cross-region VPC peering "
                   "connections"):
        east.modify_vpc_peering_connection_options(
            VpcPeeringConnectionId=pcx,
            RequesterPeeringConnectionOptions={"AllowEgressFromLocalClassicLinkToRemoteVpc": True})
    # A third region sees nothing.
    with ec2_error("InvalidVpcPeeringConnectionID.NotFound"):
        describe(client_factory(region="eu-west-1"), pcx)


def test_expiry_after_seven_days(ec2, endpoint):
    a = vpc(ec2, "10.0.0.0/16")
    b = vpc(ec2, "10.1.0.0/16")
    pcx = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    advance_clock(endpoint, 6 * 86400)
    assert describe(ec2, pcx)["Status"]["Code"] == "pending-acceptance"
    advance_clock(endpoint, 86400 + 1)
    expired = describe(ec2, pcx)
    assert expired["Status"]["Code"] == "expired"
    with ec2_error("InvalidStateTransition",
                   f"Invalid state transition for {pcx}, attempted to transition from expired to active"):
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    # Visible for two more days, then gone from Describe.
    advance_clock(endpoint, 3 * 86400)
    listed = ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]
    assert pcx not in [p["VpcPeeringConnectionId"] for p in listed]


def test_modify_options(ec2, two_accounts):
    a = vpc(ec2, "10.0.0.0/16")
    b = vpc(ec2, "10.1.0.0/16")
    pcx = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    dns = {"AllowDnsResolutionFromRemoteVpc": True}
    with ec2_error("OperationNotPermitted",
                   f"Peering {pcx} is not active. Peering options can be added only to active peerings."):
        ec2.modify_vpc_peering_connection_options(VpcPeeringConnectionId=pcx, AccepterPeeringConnectionOptions=dns)
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    with ec2_error("InvalidVpcPeeringConnectionState.DnsHostnamesDisabled"):
        ec2.modify_vpc_peering_connection_options(VpcPeeringConnectionId=pcx, AccepterPeeringConnectionOptions=dns)
    for v in (a, b):
        ec2.modify_vpc_attribute(VpcId=v, EnableDnsHostnames={"Value": True})
    out = ec2.modify_vpc_peering_connection_options(VpcPeeringConnectionId=pcx, AccepterPeeringConnectionOptions=dns)
    assert out["AccepterPeeringConnectionOptions"]["AllowDnsResolutionFromRemoteVpc"] is True
    assert "RequesterPeeringConnectionOptions" not in out
    shown = describe(ec2, pcx)
    assert shown["AccepterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is True
    assert shown["RequesterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is False

    # Cross-account: each owner changes only its own side.
    a_client, b_client = two_accounts
    x = vpc(a_client, "10.4.0.0/16")
    y = vpc(b_client, "10.5.0.0/16")
    for client, v in ((a_client, x), (b_client, y)):
        client.modify_vpc_attribute(VpcId=v, EnableDnsHostnames={"Value": True})
    cross = a_client.create_vpc_peering_connection(VpcId=x, PeerVpcId=y, PeerOwnerId=B_ACCT)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    b_client.accept_vpc_peering_connection(VpcPeeringConnectionId=cross)
    with ec2_error("OperationNotPermitted",
                   f"User {A_ACCT} does not have permission to modify the accepter side peering options"):
        a_client.modify_vpc_peering_connection_options(VpcPeeringConnectionId=cross,
                                                       AccepterPeeringConnectionOptions=dns)
    b_client.modify_vpc_peering_connection_options(VpcPeeringConnectionId=cross, AccepterPeeringConnectionOptions=dns)


def test_tags_are_per_side_and_filters(two_accounts):
    a_client, b_client = two_accounts
    a = vpc(a_client, "10.0.0.0/16")
    b = vpc(b_client, "10.1.0.0/16")
    pcx = a_client.create_vpc_peering_connection(
        VpcId=a, PeerVpcId=b, PeerOwnerId=B_ACCT,
        TagSpecifications=[{"ResourceType": "vpc-peering-connection", "Tags": [{"Key": "Name", "Value": "a-b"}]}],
    )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    assert describe(a_client, pcx)["Tags"] == [{"Key": "Name", "Value": "a-b"}]
    assert describe(b_client, pcx)["Tags"] == []
    b_client.create_tags(Resources=[pcx], Tags=[{"Key": "side", "Value": "accepter"}])
    assert describe(b_client, pcx)["Tags"] == [{"Key": "side", "Value": "accepter"}]
    assert describe(a_client, pcx)["Tags"] == [{"Key": "Name", "Value": "a-b"}]
    tags = a_client.describe_tags(Filters=[{"Name": "resource-type", "Values": ["vpc-peering-connection"]}])["Tags"]
    assert tags == [{"Key": "Name", "ResourceId": pcx, "ResourceType": "vpc-peering-connection", "Value": "a-b"}]
    for name, value in (("requester-vpc-info.vpc-id", a), ("accepter-vpc-info.owner-id", B_ACCT),
                        ("status-code", "pending-acceptance"), ("tag:Name", "a-*"),
                        ("requester-vpc-info.cidr-block", "10.0.0.0/16")):
        found = a_client.describe_vpc_peering_connections(Filters=[{"Name": name, "Values": [value]}])
        assert [p["VpcPeeringConnectionId"] for p in found["VpcPeeringConnections"]] == [pcx], name
    assert a_client.describe_vpc_peering_connections(
        Filters=[{"Name": "status-code", "Values": ["active"]}])["VpcPeeringConnections"] == []


def test_bad_input(ec2, ec2_raw):
    a = vpc(ec2, "10.0.0.0/16")
    with ec2_error("InvalidVpcPeeringConnectionId.Malformed"):
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId="pcx-123")
    with ec2_error("InvalidVpcPeeringConnectionID.NotFound",
                   f"The vpcPeeringConnection ID '{UNKNOWN['pcx']}' does not exist"):
        ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[UNKNOWN["pcx"]])
    with ec2_error("InvalidVpcPeeringConnectionID.NotFound"):
        ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=UNKNOWN["pcx"])
    with ec2_error("InvalidVpcPeeringConnectionID.NotFound"):
        ec2.create_route(RouteTableId=main_table(ec2, a), DestinationCidrBlock="10.8.0.0/16",
                         VpcPeeringConnectionId=UNKNOWN["pcx"])
    with ec2_error("InvalidParameterValue"):
        ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=a)
    with ec2_error("MissingParameter"):
        ec2_raw.create_vpc_peering_connection(VpcId=a)
    with ec2_error("InvalidParameterValue", "The filter 'nope' is invalid"):
        ec2.describe_vpc_peering_connections(Filters=[{"Name": "nope", "Values": ["x"]}])
    b = vpc(ec2, "10.1.0.0/16")
    c = vpc(ec2, "10.2.0.0/16")
    pcx = ec2.create_vpc_peering_connection(VpcId=b, PeerVpcId=c)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    with ec2_error("InvalidParameterValue",
                   f"route table {main_table(ec2, a)} and network gateway {pcx} belong to different networks"):
        ec2.create_route(RouteTableId=main_table(ec2, a), DestinationCidrBlock="10.8.0.0/16",
                         VpcPeeringConnectionId=pcx)
    with ec2_error("DryRunOperation", status=412):
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx, DryRun=True)
    assert describe(ec2, pcx)["Status"]["Code"] == "pending-acceptance"


def test_waiters(ec2):
    a = vpc(ec2, "10.0.0.0/16")
    b = vpc(ec2, "10.1.0.0/16")
    pcx = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.get_waiter("vpc_peering_connection_exists").wait(
        VpcPeeringConnectionIds=[pcx], WaiterConfig={"Delay": 1, "MaxAttempts": 3})
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    ec2.get_waiter("vpc_peering_connection_deleted").wait(
        VpcPeeringConnectionIds=[pcx], WaiterConfig={"Delay": 1, "MaxAttempts": 3})


def test_secondary_cidr_rules_while_peered(ec2):
    a = vpc(ec2, "10.0.0.0/16")
    b = vpc(ec2, "10.1.0.0/16")
    pcx = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    with ec2_error("OperationNotPermitted"):
        ec2.associate_vpc_cidr_block(VpcId=a, CidrBlock="10.2.0.0/16")
    # The accepter may add a block; an overlapping one fails the request.
    ec2.associate_vpc_cidr_block(VpcId=b, CidrBlock="10.3.0.0/16")
    assert describe(ec2, pcx)["Status"]["Code"] == "pending-acceptance"
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    with ec2_error("InvalidVpc.Range"):
        ec2.associate_vpc_cidr_block(VpcId=a, CidrBlock="10.3.0.0/16")
    assert describe(ec2, pcx)["AccepterVpcInfo"]["CidrBlockSet"] == [
        {"CidrBlock": "10.1.0.0/16"}, {"CidrBlock": "10.3.0.0/16"}]


def test_accepter_overlapping_block_fails_pending_request(two_accounts):
    a_client, b_client = two_accounts
    a = vpc(a_client, "10.0.0.0/16")
    b = vpc(b_client, "10.1.0.0/16")
    pcx = a_client.create_vpc_peering_connection(VpcId=a, PeerVpcId=b, PeerOwnerId=B_ACCT)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    b_client.associate_vpc_cidr_block(VpcId=b, CidrBlock="10.0.0.0/16")
    assert describe(a_client, pcx)["Status"] == {"Code": "failed", "Message": OVERLAP_MESSAGE}


def test_concurrent_accept_reject_delete_end_in_one_legal_history(two_accounts):
    a_client, b_client = two_accounts
    a = vpc(a_client, "10.0.0.0/16")
    b = vpc(b_client, "10.1.0.0/16")
    pcx = a_client.create_vpc_peering_connection(VpcId=a, PeerVpcId=b, PeerOwnerId=B_ACCT)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    calls = []
    for i in range(100):
        kind = ("accept", "reject", "delete")[i % 3]
        client = b_client if kind != "delete" else a_client
        calls.append((kind, getattr(client, f"{kind}_vpc_peering_connection")))
    results: list[tuple[str, str]] = [None] * len(calls)  # type: ignore[list-item]
    start = threading.Barrier(len(calls))

    def run(index: int) -> None:
        kind, call = calls[index]
        start.wait()
        try:
            call(VpcPeeringConnectionId=pcx)
            results[index] = (kind, "ok")
        except ClientError as e:
            results[index] = (kind, e.response["Error"]["Code"])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert all(results), "every call answered"
    successes = [kind for kind, outcome in results if outcome == "ok"]
    failures = {outcome for _, outcome in results if outcome != "ok"}
    assert failures <= {"InvalidStateTransition"}, failures
    assert successes.count("accept") + successes.count("reject") <= 1
    assert successes.count("delete") <= 1
    final = describe(a_client, pcx)["Status"]["Code"]
    if "reject" in successes:
        assert successes == ["reject"] and final == "rejected"
    elif "delete" in successes:
        assert final == "deleted"
    else:
        assert successes == ["accept"] and final == "active"
    assert successes, "exactly one transition from pending-acceptance happened"
