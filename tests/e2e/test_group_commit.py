"""Group commit on a sqlite store: many writers share one commit, and that changes nothing a client can see.

- Acknowledged ⇒ durable under load: 16 writers, SIGKILL mid-load, restart; every acknowledged group is there, each
  whole (with its default egress rule), and nothing appears that no request asked for.
- A mutation the model refuses inside a busy batch fails alone: its batch neighbours commit.
"""
import re
import threading
import time

import requests

from helpers import DEFAULT_ACCOUNT, assert_id, create_vpc, ec2_error

WRITERS = 16
GROUPS_PER_WRITER = 200
GROUP_ID_RE = re.compile(r"<groupId>(sg-[0-9a-f]{17})</groupId>")
CODE_RE = re.compile(r"<Code>([^<]*)</Code>")
MESSAGE_RE = re.compile(r"<Message>([^<]*)</Message>")
ALLOW_ALL_EGRESS = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [],
                     "PrefixListIds": [], "UserIdGroupPairs": []}]


def create_group_raw(session: requests.Session, endpoint: str, vpc_id: str, name: str) -> requests.Response:
    """CreateSecurityGroup as a plain form POST on a keep-alive connection (no signature: any caller is the default
    account)."""
    body = {"Action": "CreateSecurityGroup", "Version": "2016-11-15", "GroupName": name,
            "GroupDescription": f"load {name}", "VpcId": vpc_id}
    return session.post(endpoint + "/", data=body, timeout=30)


def all_groups(ec2, vpc_id: str) -> list:
    groups = []
    for page in ec2.get_paginator("describe_security_groups").paginate(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}], PaginationConfig={"PageSize": 1000}):
        groups.extend(page["SecurityGroups"])
    return groups


def test_group_commit_sigkill_under_concurrent_writers_keeps_every_acknowledged_group(sqlite_server,
                                                                                    client_factory):
    srv = sqlite_server().start()
    ec2 = client_factory(endpoint=srv.endpoint)
    vpc_id = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    acknowledged = {}  # name -> group ID, answered 200
    in_flight = set()  # names sent whose answer never came (the kill): either outcome is allowed
    refused = []  # any answer other than 200 before the kill
    lock = threading.Lock()
    kill_after = WRITERS * GROUPS_PER_WRITER // 3
    killed = threading.Event()

    def writer(index: int) -> None:
        session = requests.Session()
        for n in range(GROUPS_PER_WRITER):
            name = f"w{index:02d}-{n:03d}"
            with lock:
                in_flight.add(name)
            try:
                response = create_group_raw(session, srv.endpoint, vpc_id, name)
            except requests.RequestException:
                return  # the server is gone; `name` stays in flight
            with lock:
                in_flight.discard(name)
                if response.status_code == 200:
                    acknowledged[name] = GROUP_ID_RE.search(response.text).group(1)
                elif not killed.is_set():
                    refused.append((name, response.status_code, response.text[:300]))

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with lock:
            if len(acknowledged) >= kill_after:
                break
        time.sleep(0.005)
    killed.set()
    srv.kill()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert refused == []
    assert len(acknowledged) >= kill_after, f"only {len(acknowledged)} groups were acknowledged in 120 s"
    assert len(acknowledged) < WRITERS * GROUPS_PER_WRITER, "the kill came after the load ended"

    srv.start()
    ec2 = client_factory(endpoint=srv.endpoint)
    groups = all_groups(ec2, vpc_id)
    by_name = {group["GroupName"]: group for group in groups}
    assert len(by_name) == len(groups), "a name appears twice in one VPC"
    missing = {name for name in acknowledged if name not in by_name}
    assert missing == set(), f"{len(missing)} acknowledged groups lost, e.g. {sorted(missing)[:5]}"
    for name, group_id in acknowledged.items():
        assert by_name[name]["GroupId"] == group_id
    unexpected = set(by_name) - set(acknowledged) - in_flight - {"default"}
    assert unexpected == set(), f"groups nobody was told about: {sorted(unexpected)[:5]}"
    # No half-applied group: each is whole, as CreateSecurityGroup makes it.
    for group in groups:
        if group["GroupName"] == "default":
            continue
        assert group["Description"] == f"load {group['GroupName']}"
        assert group["IpPermissions"] == []
        assert group["IpPermissionsEgress"] == ALLOW_ALL_EGRESS, group
        assert group["OwnerId"] == DEFAULT_ACCOUNT
    rules = ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [acknowledged[sorted(acknowledged)[0]]]}])["SecurityGroupRules"]
    assert [(rule["IsEgress"], rule["IpProtocol"], rule["CidrIpv4"]) for rule in rules] == [(True, "-1", "0.0.0.0/0")]
    # The ID counter was committed with the groups: new IDs after the restart collide with none of them.
    fresh = ec2.create_security_group(GroupName="after-restart", Description="d", VpcId=vpc_id)["GroupId"]
    assert_id(fresh, "sg")
    assert fresh not in {group["GroupId"] for group in groups}


def test_group_commit_failing_mutation_in_a_busy_batch_fails_alone(sqlite_server, client_factory):
    srv = sqlite_server().start()
    ec2 = client_factory(endpoint=srv.endpoint)
    vpc_id = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    taken = ec2.create_security_group(GroupName="taken", Description="first", VpcId=vpc_id)["GroupId"]
    rounds = 40
    outcomes = {}  # name -> (status, code, message, group ID)
    lock = threading.Lock()
    start = threading.Barrier(WRITERS)

    def writer(index: int) -> None:
        session = requests.Session()
        start.wait()
        for n in range(rounds):
            # Every writer alternates a fresh name with the taken one, so each batch mixes both.
            for name in (f"w{index:02d}-{n:03d}", "taken"):
                response = create_group_raw(session, srv.endpoint, vpc_id, name)
                code = CODE_RE.search(response.text)
                message = MESSAGE_RE.search(response.text)
                group = GROUP_ID_RE.search(response.text)
                with lock:
                    outcomes.setdefault(name, []).append((response.status_code, code and code.group(1),
                                                          message and message.group(1), group and group.group(1)))

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)

    duplicate_message = f"The security group 'taken' already exists for VPC '{vpc_id}'"
    assert outcomes.pop("taken") == [(400, "InvalidGroup.Duplicate", duplicate_message, None)] * (WRITERS * rounds)
    # Positive control: every neighbour of those refusals committed, and is there.
    assert len(outcomes) == WRITERS * rounds
    for name, answers in outcomes.items():
        ((status, code, _, group_id),) = answers
        assert (status, code) == (200, None), (name, answers)
        assert_id(group_id, "sg")
    groups = {group["GroupName"]: group["GroupId"] for group in all_groups(ec2, vpc_id)}
    assert groups == {"default": groups["default"], "taken": taken,
                      **{name: answers[0][3] for name, answers in outcomes.items()}}
    with ec2_error("InvalidGroup.Duplicate", duplicate_message):
        ec2.create_security_group(GroupName="taken", Description="again", VpcId=vpc_id)
