"""Managed prefix lists (part 2 §17.1–17.2): the AWS-managed S3 and DynamoDB lists of each Region, customer-managed
lists with versions (create, modify, entries by version, restore, delete), AWS's errors, tags, isolation between
accounts, the aws CLI, restart survival and the `--quotas aws` limit."""
from __future__ import annotations

import pytest

from conftest import LocalVpcServer, make_client
from helpers import assert_id, cli_error, ec2_error, tag_spec

A_ACCT, B_ACCT = "111111111111", "222222222222"
S3_CIDRS = ["52.216.0.0/15", "54.231.0.0/17"]
DDB_CIDRS = ["52.119.224.0/20", "52.94.0.0/22"]


def create(ec2, name: str = "office", max_entries: int = 5, family: str = "IPv4", entries=(), **kw) -> dict:
    return ec2.create_managed_prefix_list(
        PrefixListName=name, MaxEntries=max_entries, AddressFamily=family,
        Entries=[{"Cidr": c, "Description": d} if d else {"Cidr": c} for c, d in entries], **kw,
    )["PrefixList"]


def entries(ec2, pl_id: str, **kw) -> list:
    return ec2.get_managed_prefix_list_entries(PrefixListId=pl_id, **kw)["Entries"]


def described(ec2, pl_id: str) -> dict:
    return ec2.describe_managed_prefix_lists(PrefixListIds=[pl_id])["PrefixLists"][0]


def managed_ids(ec2, *filters) -> set:
    found = ec2.describe_managed_prefix_lists(Filters=[{"Name": n, "Values": v} for n, v in filters])["PrefixLists"]
    return {p["PrefixListId"] for p in found}


# ---- AWS-managed lists (§17.1) ----

def test_describe_prefix_lists_shows_the_regions_s3_and_dynamodb_lists(ec2, client_factory):
    lists = ec2.describe_prefix_lists()["PrefixLists"]
    assert lists == [
        {"PrefixListId": "pl-02cd2c6b", "PrefixListName": "com.amazonaws.us-east-1.dynamodb", "Cidrs": DDB_CIDRS},
        {"PrefixListId": "pl-63a5400a", "PrefixListName": "com.amazonaws.us-east-1.s3", "Cidrs": S3_CIDRS},
    ]
    by_id = ec2.describe_prefix_lists(PrefixListIds=["pl-63a5400a"])["PrefixLists"]
    assert [p["PrefixListName"] for p in by_id] == ["com.amazonaws.us-east-1.s3"]
    named = ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": ["*dynamodb"]}])["PrefixLists"]
    assert [p["PrefixListId"] for p in named] == ["pl-02cd2c6b"]
    by_filter = ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-id", "Values": ["pl-63a5400a"]}])
    assert [p["PrefixListId"] for p in by_filter["PrefixLists"]] == ["pl-63a5400a"]
    # Another Region shows its own recorded IDs and names.
    west = client_factory(region="us-west-2").describe_prefix_lists()["PrefixLists"]
    assert {(p["PrefixListId"], p["PrefixListName"]) for p in west} == {
        ("pl-68a54001", "com.amazonaws.us-west-2.s3"), ("pl-00a54069", "com.amazonaws.us-west-2.dynamodb")}
    # A Region the recording does not list gets stable derived IDs of AWS's short form.
    sydney = client_factory(region="ap-southeast-2")
    first = {p["PrefixListName"]: p["PrefixListId"] for p in sydney.describe_prefix_lists()["PrefixLists"]}
    again = {p["PrefixListName"]: p["PrefixListId"] for p in sydney.describe_prefix_lists()["PrefixLists"]}
    assert set(first) == {"com.amazonaws.ap-southeast-2.s3", "com.amazonaws.ap-southeast-2.dynamodb"}
    assert first == again and all(len(i) == 11 and i.startswith("pl-") for i in first.values())


def test_aws_managed_lists_in_describe_managed_prefix_lists_and_their_entries(ec2):
    own = create(ec2)["PrefixListId"]
    s3 = described(ec2, "pl-63a5400a")
    assert s3 == {
        "PrefixListId": "pl-63a5400a", "AddressFamily": "IPv4", "State": "create-complete",
        "PrefixListArn": "arn:aws:ec2:us-east-1:aws:prefix-list/pl-63a5400a",
        "PrefixListName": "com.amazonaws.us-east-1.s3", "Tags": [], "OwnerId": "AWS",
    }
    assert managed_ids(ec2) == {"pl-02cd2c6b", "pl-63a5400a", own}
    assert managed_ids(ec2, ("owner-id", ["AWS"])) == {"pl-02cd2c6b", "pl-63a5400a"}
    assert managed_ids(ec2, ("owner-id", ["123456789012"])) == {own}
    assert managed_ids(ec2, ("prefix-list-name", ["office"])) == {own}
    assert managed_ids(ec2, ("prefix-list-id", ["pl-02cd2c6b"])) == {"pl-02cd2c6b"}
    assert entries(ec2, "pl-63a5400a") == [{"Cidr": c} for c in S3_CIDRS]
    # Paging in ID order: one list per page, every list once.
    seen, token = [], None
    while True:
        page = ec2.describe_managed_prefix_lists(MaxResults=1, **({"NextToken": token} if token else {}))
        seen += [p["PrefixListId"] for p in page["PrefixLists"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == sorted({"pl-02cd2c6b", "pl-63a5400a", own})
    # The legacy call knows the service lists only.
    with ec2_error("InvalidPrefixListID.NotFound", f"The prefix list ID '{own}' does not exist"):
        ec2.describe_prefix_lists(PrefixListIds=[own])


def test_aws_managed_lists_cannot_be_modified_restored_or_deleted(ec2):
    message = "The prefix list pl-63a5400a is managed by AWS and cannot be modified or deleted."
    with ec2_error("InvalidParameterValue", message):
        ec2.modify_managed_prefix_list(PrefixListId="pl-63a5400a", AddEntries=[{"Cidr": "10.0.0.0/8"}])
    with ec2_error("InvalidParameterValue", message):
        ec2.delete_managed_prefix_list(PrefixListId="pl-63a5400a")
    with ec2_error("InvalidParameterValue", message):
        ec2.restore_managed_prefix_list_version(PrefixListId="pl-63a5400a", PreviousVersion=1, CurrentVersion=1)
    assert entries(ec2, "pl-63a5400a") == [{"Cidr": c} for c in S3_CIDRS]
    # Positive control: the caller's own list is modified and deleted.
    own = create(ec2)["PrefixListId"]
    ec2.modify_managed_prefix_list(PrefixListId=own, AddEntries=[{"Cidr": "10.0.0.0/8"}])
    assert ec2.delete_managed_prefix_list(PrefixListId=own)["PrefixList"]["State"] == "delete-complete"


# ---- customer-managed lists (§17.2) ----

def test_create_answers_version_1_with_arn_owner_tags_and_entries(ec2):
    pl = create(ec2, entries=[("10.1.0.0/16", "office"), ("192.168.0.0/24", None)],
                TagSpecifications=tag_spec("prefix-list", Name="office"))
    pl_id = pl["PrefixListId"]
    assert_id(pl_id, "pl")
    assert pl == {
        "PrefixListId": pl_id, "AddressFamily": "IPv4", "State": "create-complete",
        "PrefixListArn": f"arn:aws:ec2:us-east-1:123456789012:prefix-list/{pl_id}", "PrefixListName": "office",
        "MaxEntries": 5, "Version": 1, "Tags": [{"Key": "Name", "Value": "office"}], "OwnerId": "123456789012",
    }
    assert described(ec2, pl_id) == pl
    assert entries(ec2, pl_id) == [{"Cidr": "10.1.0.0/16", "Description": "office"}, {"Cidr": "192.168.0.0/24"}]
    assert ec2.get_managed_prefix_list_associations(PrefixListId=pl_id)["PrefixListAssociations"] == []
    v6 = create(ec2, name="v6", family="IPv6", entries=[("2001:db8::/32", None)])
    assert (v6["AddressFamily"], entries(ec2, v6["PrefixListId"])) == ("IPv6", [{"Cidr": "2001:db8::/32"}])
    # The same ClientToken answers the list it made.
    token_list = create(ec2, name="once", ClientToken="tok-1")["PrefixListId"]
    assert create(ec2, name="once", ClientToken="tok-1")["PrefixListId"] == token_list
    assert len(managed_ids(ec2, ("prefix-list-name", ["once"]))) == 1
    # A dry run validates and creates nothing.
    with ec2_error("DryRunOperation", status=412):
        create(ec2, name="dry", DryRun=True)
    assert managed_ids(ec2, ("prefix-list-name", ["dry"])) == set()
    # With other parameters the token makes another list (positive control that the token, not chance, matched).
    assert create(ec2, name="twice", ClientToken="tok-1")["PrefixListId"] != token_list


def test_modify_makes_versions_and_entries_are_read_by_version(ec2):
    pl_id = create(ec2, entries=[("10.1.0.0/16", "a")])["PrefixListId"]
    answer = ec2.modify_managed_prefix_list(PrefixListId=pl_id, CurrentVersion=1,
                                            AddEntries=[{"Cidr": "10.2.0.0/16", "Description": "b"}])["PrefixList"]
    assert (answer["State"], answer["Version"]) == ("modify-in-progress", 2)
    assert (described(ec2, pl_id)["State"], described(ec2, pl_id)["Version"]) == ("modify-complete", 2)
    ec2.modify_managed_prefix_list(PrefixListId=pl_id, CurrentVersion=2, RemoveEntries=[{"Cidr": "10.1.0.0/16"}])
    assert entries(ec2, pl_id) == [{"Cidr": "10.2.0.0/16", "Description": "b"}]
    assert entries(ec2, pl_id, TargetVersion=1) == [{"Cidr": "10.1.0.0/16", "Description": "a"}]
    assert entries(ec2, pl_id, TargetVersion=2) == [{"Cidr": "10.1.0.0/16", "Description": "a"},
                                                     {"Cidr": "10.2.0.0/16", "Description": "b"}]
    # A new name or MaxEntries makes no new version.
    renamed = ec2.modify_managed_prefix_list(PrefixListId=pl_id, PrefixListName="branch", MaxEntries=8)["PrefixList"]
    assert (renamed["PrefixListName"], renamed["MaxEntries"], renamed["Version"]) == ("branch", 8, 3)
    # Removing and re-adding a block in one call changes its description.
    ec2.modify_managed_prefix_list(PrefixListId=pl_id, CurrentVersion=3, RemoveEntries=[{"Cidr": "10.2.0.0/16"}],
                                   AddEntries=[{"Cidr": "10.2.0.0/16", "Description": "c"}])
    assert entries(ec2, pl_id) == [{"Cidr": "10.2.0.0/16", "Description": "c"}]
    with ec2_error("InvalidParameterValue", f"The prefix list {pl_id} has no version 9."):
        entries(ec2, pl_id, TargetVersion=9)


def test_restore_makes_a_new_version_with_the_old_entries(ec2):
    pl_id = create(ec2, entries=[("10.1.0.0/16", None)])["PrefixListId"]
    ec2.modify_managed_prefix_list(PrefixListId=pl_id, CurrentVersion=1, AddEntries=[{"Cidr": "10.3.0.0/16"}],
                                   RemoveEntries=[{"Cidr": "10.1.0.0/16"}])
    restored = ec2.restore_managed_prefix_list_version(PrefixListId=pl_id, PreviousVersion=1,
                                                       CurrentVersion=2)["PrefixList"]
    assert (restored["State"], restored["Version"]) == ("restore-in-progress", 3)
    assert described(ec2, pl_id)["State"] == "restore-complete"
    assert entries(ec2, pl_id) == [{"Cidr": "10.1.0.0/16"}]
    assert entries(ec2, pl_id, TargetVersion=2) == [{"Cidr": "10.3.0.0/16"}]
    with ec2_error("PrefixListVersionMismatch", "The prefix list has the incorrect version number."):
        ec2.restore_managed_prefix_list_version(PrefixListId=pl_id, PreviousVersion=2, CurrentVersion=2)
    with ec2_error("InvalidParameterValue", f"The prefix list {pl_id} has no version 7."):
        ec2.restore_managed_prefix_list_version(PrefixListId=pl_id, PreviousVersion=7, CurrentVersion=3)
    assert described(ec2, pl_id)["Version"] == 3


def test_modify_refuses_a_stale_version_and_bad_entries(ec2):
    pl_id = create(ec2, max_entries=2, entries=[("10.1.0.0/16", None)])["PrefixListId"]
    modify = ec2.modify_managed_prefix_list
    with ec2_error("PrefixListVersionMismatch", "The prefix list has the incorrect version number."):
        modify(PrefixListId=pl_id, CurrentVersion=5, AddEntries=[{"Cidr": "10.2.0.0/16"}])
    with ec2_error("InvalidParameterValue", "The CIDR '10.1.0.0/16' is a duplicate entry in the prefix list."):
        modify(PrefixListId=pl_id, AddEntries=[{"Cidr": "10.1.0.0/16"}])
    with ec2_error("InvalidParameterValue", "The CIDR '10.9.0.0/16' is not an entry of the prefix list."):
        modify(PrefixListId=pl_id, RemoveEntries=[{"Cidr": "10.9.0.0/16"}])
    with ec2_error("InvalidParameterValue", "The prefix list can hold at most 2 entries; the request leaves 3."):
        modify(PrefixListId=pl_id, AddEntries=[{"Cidr": "10.2.0.0/16"}, {"Cidr": "10.3.0.0/16"}])
    with ec2_error("InvalidParameterValue",
                   "The CIDR '2001:db8::/32' does not belong to the prefix list's address family (IPv4)."):
        modify(PrefixListId=pl_id, AddEntries=[{"Cidr": "2001:db8::/32"}])
    # Positive control: nothing above changed the list; a valid change at the current version goes through.
    assert described(ec2, pl_id)["Version"] == 1
    assert modify(PrefixListId=pl_id, CurrentVersion=1, AddEntries=[{"Cidr": "10.2.0.0/16"}])["PrefixList"][
        "Version"] == 2
    with ec2_error("InvalidParameterValue",
                   "The maximum number of entries (1) cannot be less than the number of entries (2)."):
        modify(PrefixListId=pl_id, MaxEntries=1)
    assert modify(PrefixListId=pl_id, MaxEntries=3)["PrefixList"]["MaxEntries"] == 3


def test_create_refuses_what_aws_refuses(ec2, ec2_raw):
    with ec2_error("InvalidParameterValue",
                   "Value (0) for parameter maxEntries is invalid. The value must be between 1 and 1000."):
        create(ec2_raw, max_entries=0)
    with ec2_error("InvalidParameterValue",
                   "Value (1001) for parameter maxEntries is invalid. The value must be between 1 and 1000."):
        create(ec2, max_entries=1001)
    with ec2_error("InvalidParameterValue", "Value (IPv5) for parameter addressFamily is invalid. Valid values: IPv4, IPv6"):
        create(ec2, family="IPv5")
    with ec2_error("InvalidParameterValue", "The prefix list can hold at most 1 entries; the request leaves 2."):
        create(ec2, max_entries=1, entries=[("10.1.0.0/16", None), ("10.2.0.0/16", None)])
    with ec2_error("InvalidParameterValue", "The CIDR '10.1.0.0/16' is a duplicate entry in the prefix list."):
        create(ec2, entries=[("10.1.0.0/16", None), ("10.1.0.0/16", None)])
    with ec2_error("InvalidParameterValue", "The CIDR '10.1.0.1/16' is invalid."):
        create(ec2, entries=[("10.1.0.1/16", None)])
    with ec2_error("InvalidParameterValue",
                   "The CIDR '10.1.0.0/16' does not belong to the prefix list's address family (IPv6)."):
        create(ec2, family="IPv6", entries=[("10.1.0.0/16", None)])
    with ec2_error("InvalidParameterValue", "The prefix list name cannot start with 'com.amazonaws'."):
        create(ec2, name="com.amazonaws.us-east-1.s3")
    with ec2_error("MissingParameter", "The request must contain the parameter MaxEntries"):
        ec2_raw.create_managed_prefix_list(PrefixListName="x", AddressFamily="IPv4")
    # Positive control: none of the refused calls left a list; the limits themselves are accepted.
    assert managed_ids(ec2, ("owner-id", ["123456789012"])) == set()
    full = create(ec2, max_entries=1000, entries=[("10.1.0.0/16", None)])
    assert (full["MaxEntries"], full["Version"]) == (1000, 1)


def test_unknown_and_malformed_ids(ec2):
    missing = "pl-0123456789abcdef0"
    for call in (lambda: entries(ec2, missing),
                 lambda: ec2.describe_managed_prefix_lists(PrefixListIds=[missing]),
                 lambda: ec2.delete_managed_prefix_list(PrefixListId=missing),
                 lambda: ec2.get_managed_prefix_list_associations(PrefixListId=missing),
                 lambda: ec2.modify_managed_prefix_list(PrefixListId=missing, PrefixListName="x")):
        with ec2_error("InvalidPrefixListID.NotFound", f"The prefix list ID '{missing}' does not exist"):
            call()
    with ec2_error("InvalidPrefixListId.Malformed"):
        entries(ec2, "pl-xyz")
    with ec2_error("InvalidPrefixListId.Malformed"):
        ec2.describe_managed_prefix_lists(PrefixListIds=["sg-12345678"])
    # Positive control: a list that exists is found; deleted, it is not.
    pl_id = create(ec2)["PrefixListId"]
    assert described(ec2, pl_id)["PrefixListId"] == pl_id
    deleted = ec2.delete_managed_prefix_list(PrefixListId=pl_id)["PrefixList"]
    assert (deleted["PrefixListId"], deleted["State"]) == (pl_id, "delete-complete")
    with ec2_error("InvalidPrefixListID.NotFound", f"The prefix list ID '{pl_id}' does not exist"):
        described(ec2, pl_id)


def test_tags_and_describe_tags(ec2):
    pl_id = create(ec2, TagSpecifications=tag_spec("prefix-list", Name="office"))["PrefixListId"]
    ec2.create_tags(Resources=[pl_id], Tags=[{"Key": "team", "Value": "net"}])
    found = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [pl_id]}])["Tags"]
    assert found == [
        {"Key": "Name", "ResourceId": pl_id, "ResourceType": "prefix-list", "Value": "office"},
        {"Key": "team", "ResourceId": pl_id, "ResourceType": "prefix-list", "Value": "net"},
    ]
    assert managed_ids(ec2, ("tag:team", ["net"])) == {pl_id}
    ec2.delete_tags(Resources=[pl_id], Tags=[{"Key": "Name"}])
    assert described(ec2, pl_id)["Tags"] == [{"Key": "team", "Value": "net"}]
    with ec2_error("InvalidPrefixListID.NotFound", "The prefix list ID 'pl-63a5400a' does not exist"):
        ec2.create_tags(Resources=["pl-63a5400a"], Tags=[{"Key": "k", "Value": "v"}])


def test_another_account_cannot_see_or_change_a_list(client_factory):
    owner, outsider = client_factory(key=A_ACCT), client_factory(key=B_ACCT)
    pl_id = create(owner)["PrefixListId"]
    assert described(owner, pl_id)["OwnerId"] == A_ACCT
    assert managed_ids(outsider) == {"pl-02cd2c6b", "pl-63a5400a"}
    not_found = f"The prefix list ID '{pl_id}' does not exist"
    with ec2_error("InvalidPrefixListID.NotFound", not_found):
        outsider.modify_managed_prefix_list(PrefixListId=pl_id, AddEntries=[{"Cidr": "10.0.0.0/8"}])
    with ec2_error("InvalidPrefixListID.NotFound", not_found):
        outsider.delete_managed_prefix_list(PrefixListId=pl_id)
    with ec2_error("InvalidPrefixListID.NotFound", not_found):
        entries(outsider, pl_id)
    # Another Region of the same account does not hold it either.
    with ec2_error("InvalidPrefixListID.NotFound", not_found):
        entries(client_factory(key=A_ACCT, region="eu-west-1"), pl_id)
    # Positive control: the owner modifies it, and the outsider still sees the AWS-managed lists.
    modified = owner.modify_managed_prefix_list(PrefixListId=pl_id, AddEntries=[{"Cidr": "10.0.0.0/8"}])
    assert modified["PrefixList"]["Version"] == 2
    assert entries(outsider, "pl-02cd2c6b") == [{"Cidr": c} for c in DDB_CIDRS]


def test_the_aws_cli_drives_the_whole_lifecycle(aws):
    made = aws("ec2", "create-managed-prefix-list", "--prefix-list-name", "cli", "--max-entries", "3",
               "--address-family", "IPv4", "--entries", "Cidr=10.5.0.0/16,Description=lab")
    assert made.rc == 0, made.stderr
    pl_id = made.json["PrefixList"]["PrefixListId"]
    assert (made.json["PrefixList"]["Version"], made.json["PrefixList"]["State"]) == (1, "create-complete")
    listed = aws("ec2", "describe-prefix-lists", "--prefix-list-ids", "pl-63a5400a")
    assert listed.json["PrefixLists"][0]["Cidrs"] == S3_CIDRS
    modified = aws("ec2", "modify-managed-prefix-list", "--prefix-list-id", pl_id, "--current-version", "1",
                   "--add-entries", "Cidr=10.6.0.0/16")
    assert modified.json["PrefixList"]["Version"] == 2
    got = aws("ec2", "get-managed-prefix-list-entries", "--prefix-list-id", pl_id, "--target-version", "1")
    assert got.json["Entries"] == [{"Cidr": "10.5.0.0/16", "Description": "lab"}]
    stale = aws("ec2", "modify-managed-prefix-list", "--prefix-list-id", pl_id, "--current-version", "1",
                "--add-entries", "Cidr=10.7.0.0/16")
    cli_error(stale, "PrefixListVersionMismatch", "The prefix list has the incorrect version number.")
    restored = aws("ec2", "restore-managed-prefix-list-version", "--prefix-list-id", pl_id,
                   "--previous-version", "1", "--current-version", "2")
    assert restored.json["PrefixList"]["Version"] == 3
    tags = aws("ec2", "create-tags", "--resources", pl_id, "--tags", "Key=env,Value=lab")
    assert tags.rc == 0, tags.stderr
    described_tags = aws("ec2", "describe-tags", "--filters", "Name=resource-type,Values=prefix-list")
    assert described_tags.json["Tags"] == [
        {"Key": "env", "ResourceId": pl_id, "ResourceType": "prefix-list", "Value": "lab"}]
    gone = aws("ec2", "delete-managed-prefix-list", "--prefix-list-id", pl_id)
    assert gone.json["PrefixList"]["State"] == "delete-complete"
    cli_error(aws("ec2", "describe-managed-prefix-lists", "--prefix-list-ids", pl_id),
              "InvalidPrefixListID.NotFound", f"The prefix list ID '{pl_id}' does not exist")


def test_lists_and_their_versions_survive_a_restart(sqlite_server, client_factory):
    srv = sqlite_server().start()
    ec2 = client_factory(endpoint=srv.endpoint)
    pl_id = create(ec2, entries=[("10.1.0.0/16", "a")], TagSpecifications=tag_spec("prefix-list", Name="x"))[
        "PrefixListId"]
    ec2.modify_managed_prefix_list(PrefixListId=pl_id, CurrentVersion=1, AddEntries=[{"Cidr": "10.2.0.0/16"}])
    before = described(ec2, pl_id)
    srv.kill()
    srv.start()
    ec2 = client_factory(endpoint=srv.endpoint)
    assert described(ec2, pl_id) == before
    assert before["Version"] == 2
    assert entries(ec2, pl_id, TargetVersion=1) == [{"Cidr": "10.1.0.0/16", "Description": "a"}]
    assert entries(ec2, pl_id) == [{"Cidr": "10.1.0.0/16", "Description": "a"}, {"Cidr": "10.2.0.0/16"}]


@pytest.fixture(scope="module")
def quota_server(log_dir):
    srv = LocalVpcServer("memory", log_dir, name="prefix-list-quotas", extra_args=["--quotas", "aws"])
    srv.start()
    yield srv
    srv.stop()


def test_quotas_aws_allows_100_lists_per_region(quota_server):
    ec2 = make_client(quota_server.endpoint)
    for n in range(100):
        create(ec2, name=f"list-{n}", max_entries=1)
    with ec2_error("PrefixListLimitExceeded", "The maximum number of prefix lists has been reached."):
        create(ec2, name="one-too-many", max_entries=1)
    # Positive control: the limit is per Region.
    other = make_client(quota_server.endpoint, region="eu-west-1")
    assert create(other, name="elsewhere", max_entries=1)["Version"] == 1
