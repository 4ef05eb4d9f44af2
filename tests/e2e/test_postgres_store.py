"""Several `localvpc serve` replicas on one PostgreSQL store (`--store postgres://…`) are one endpoint.

- Read-your-writes across replicas: a write acknowledged by one replica is seen by the next request on any other
  (boto3 and the aws CLI), deletes included; a reset on one replica resets them all.
- Racing rules across replicas give exactly one legal outcome: one winner among conflicting subnet CIDRs, one legal
  history of 100 Accept/Reject/Delete calls on one peering connection.
- Kill -9 of a replica under load (16 clients, 1,000 mixed writes spread over 3 replicas): the others keep serving,
  every acknowledged write is on every replica afterwards, no ID is issued twice.
- PostgreSQL down: the replicas answer `ServiceUnavailable` (HTTP 503) and change nothing, then recover by
  themselves once it is back.
- `localvpc migrate` moves a SQLite store into PostgreSQL and back, IDs and tags included.

The `postgres` fixture (conftest.py) starts a private cluster; without PostgreSQL on the machine these tests skip
with a loud message.
"""
from __future__ import annotations

import os
import random
import re
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import LocalVpcServer, _binary, make_client, run_aws
from helpers import DEFAULT_ACCOUNT, assert_id, cli_error, create_vpc, ec2_error

REPLICAS = 3
GROUP_ID_RE = re.compile(r"<groupId>(sg-[0-9a-f]{17})</groupId>")
VPC_ID_RE = re.compile(r"<vpcId>(vpc-[0-9a-f]{17})</vpcId>")
CODE_RE = re.compile(r"<Code>([^<]*)</Code>")
UNAVAILABLE = "The request has failed due to a temporary failure of the server."


@pytest.fixture
def replicas(request, postgres, log_dir):
    """Three replicas on one fresh database (all stopped at teardown)."""
    url = postgres.fresh_database(f"replicas-{request.node.nodeid}")
    servers = [LocalVpcServer(url, log_dir, name=f"replica{n}", extra_args=["--id-seed", "7"]) for n in range(REPLICAS)]
    for server in servers:
        server.start(timeout=30)
    yield servers
    for server in servers:
        server.stop()


def query(session: requests.Session, server: LocalVpcServer, **params) -> requests.Response:
    """One EC2 Query request as a plain form POST (no signature: the default account)."""
    return session.post(server.endpoint + "/", data={"Version": "2016-11-15", **params}, timeout=60)


def test_a_write_on_one_replica_is_read_on_every_other_at_once(replicas):
    a, b, c = replicas
    ec2 = [make_client(server.endpoint) for server in replicas]
    for round_ in range(5):
        vpc = create_vpc(ec2[round_ % 3], f"10.{round_}.0.0/16", Name=f"ryw-{round_}")
        for reader in ec2:
            found = reader.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"]
            assert [(v["VpcId"], v["CidrBlock"]) for v in found] == [(vpc["VpcId"], f"10.{round_}.0.0/16")]
    # The aws CLI on a third replica sees a VPC made through the first one, and its delete through the second.
    vpc_id = create_vpc(ec2[0], "10.9.0.0/16")["VpcId"]
    listed = run_aws(c.endpoint, "ec2", "describe-vpcs", "--vpc-ids", vpc_id).ok()
    assert [v["CidrBlock"] for v in listed["Vpcs"]] == ["10.9.0.0/16"]
    ec2[1].delete_vpc(VpcId=vpc_id)
    cli_error(run_aws(c.endpoint, "ec2", "describe-vpcs", "--vpc-ids", vpc_id), "InvalidVpcID.NotFound",
              f"The vpc ID '{vpc_id}' does not exist")
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{vpc_id}' does not exist"):
        ec2[0].describe_vpcs(VpcIds=[vpc_id])


def test_the_json_probe_on_another_replica_sees_a_write_at_once(replicas):
    a, b, _ = replicas
    ec2 = make_client(a.endpoint)
    vpc_id = create_vpc(ec2, "10.13.0.0/16")["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.13.1.0/24")["Subnet"]["SubnetId"]
    launched = ec2.run_instances(ImageId="ami-0123456789abcdef0", MinCount=2, MaxCount=2, SubnetId=subnet_id,
                                 InstanceType="t3.micro")["Instances"]
    (source, _), (target, target_ip) = [(i["InstanceId"], i["PrivateIpAddress"]) for i in launched]
    auth = {"Authorization": f"AWS4-HMAC-SHA256 Credential={DEFAULT_ACCOUNT}/20260101/us-east-1/ec2/aws4_request, "
                             "SignedHeaders=host, Signature=0"}

    def probe() -> dict:
        body = {"from": source, "to": target_ip, "protocol": "icmp"}
        return requests.post(f"{b.endpoint}/_localvpc/v1/probe", json=body, headers=auth, timeout=30).json()

    assert probe()["verdict"] == "reachable", "positive control: the default group admits its members"
    closed = ec2.create_security_group(GroupName="closed", Description="no inbound", VpcId=vpc_id)["GroupId"]
    ec2.modify_instance_attribute(InstanceId=target, Groups=[closed])
    # Asked of the other replica right after the answer on the first: the change is already there.
    assert probe()["verdict"] != "reachable"


def test_accounts_stay_isolated_across_replicas(replicas):
    a, b, _ = replicas
    mine = make_client(a.endpoint)
    theirs = make_client(b.endpoint, key="210987654321")
    vpc_id = create_vpc(mine, "10.1.0.0/16")["VpcId"]
    # Positive control: the owner sees it on the other replica.
    assert [v["VpcId"] for v in make_client(b.endpoint).describe_vpcs(VpcIds=[vpc_id])["Vpcs"]] == [vpc_id]
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{vpc_id}' does not exist"):
        theirs.describe_vpcs(VpcIds=[vpc_id])
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{vpc_id}' does not exist"):
        theirs.delete_vpc(VpcId=vpc_id)
    assert [v["VpcId"] for v in mine.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]] == [vpc_id]


def test_a_reset_on_one_replica_resets_every_replica(replicas):
    a, b, c = replicas
    vpc_id = create_vpc(make_client(a.endpoint), "10.2.0.0/16")["VpcId"]
    assert make_client(c.endpoint).describe_vpcs(VpcIds=[vpc_id])["Vpcs"], "positive control: c sees it"
    b.reset()
    for server in replicas:
        with ec2_error("InvalidVpcID.NotFound"):
            make_client(server.endpoint).describe_vpcs(VpcIds=[vpc_id])
    # Every replica serves the new world: a write after the reset is seen everywhere.
    after = create_vpc(make_client(c.endpoint), "10.3.0.0/16")["VpcId"]
    assert [v["VpcId"] for v in make_client(a.endpoint).describe_vpcs(VpcIds=[after])["Vpcs"]] == [after]


def test_racing_conflicting_subnet_cidrs_across_replicas_have_exactly_one_winner(replicas):
    vpc_id = create_vpc(make_client(replicas[0].endpoint), "10.4.0.0/16")["VpcId"]
    racers = 24
    barrier = threading.Barrier(racers)

    def race(n: int):
        session = requests.Session()
        server = replicas[n % REPLICAS]
        query(session, server, Action="DescribeVpcs")  # connected and warm before the start
        barrier.wait()
        response = query(session, server, Action="CreateSubnet", VpcId=vpc_id, CidrBlock="10.4.1.0/24")
        return response.status_code, response.text

    with ThreadPoolExecutor(racers) as pool:
        results = list(pool.map(race, range(racers)))
    winners = [text for status, text in results if status == 200]
    losers = [text for status, text in results if status != 200]
    assert len(winners) == 1, results
    assert len(losers) == racers - 1
    for text in losers:
        assert CODE_RE.search(text).group(1) == "InvalidSubnet.Conflict", text
        assert "The CIDR &apos;10.4.1.0/24&apos; conflicts with another subnet" in text or \
            "The CIDR '10.4.1.0/24' conflicts with another subnet" in text, text
    subnet_id = re.search(r"<subnetId>(subnet-[0-9a-f]{17})</subnetId>", winners[0]).group(1)
    for server in replicas:
        subnets = make_client(server.endpoint).describe_subnets(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
        assert [(s["SubnetId"], s["CidrBlock"]) for s in subnets] == [(subnet_id, "10.4.1.0/24")]


def test_racing_peering_transitions_across_replicas_give_one_legal_history(replicas):
    ec2 = make_client(replicas[0].endpoint)
    requester = create_vpc(ec2, "10.5.0.0/16")["VpcId"]
    accepter = create_vpc(ec2, "10.6.0.0/16")["VpcId"]
    pcx_id = ec2.create_vpc_peering_connection(VpcId=requester, PeerVpcId=accepter)["VpcPeeringConnection"][
        "VpcPeeringConnectionId"]
    actions = ["AcceptVpcPeeringConnection", "RejectVpcPeeringConnection", "DeleteVpcPeeringConnection"]
    rng = random.Random(14)
    calls = [(rng.choice(actions), n % REPLICAS) for n in range(100)]
    barrier = threading.Barrier(16)

    def worker(index: int):
        session = requests.Session()
        query(session, replicas[index % REPLICAS], Action="DescribeVpcs")
        barrier.wait()
        outcomes = []
        for action, replica in calls[index::16]:
            response = query(session, replicas[replica], Action=action, VpcPeeringConnectionId=pcx_id)
            code = None if response.status_code == 200 else CODE_RE.search(response.text).group(1)
            outcomes.append((action, response.status_code, code))
        return outcomes

    with ThreadPoolExecutor(16) as pool:
        outcomes = [outcome for batch in pool.map(worker, range(16)) for outcome in batch]
    assert len(outcomes) == 100
    succeeded = sorted(action for action, status, _ in outcomes if status == 200)
    refusals = {code for _, status, code in outcomes if status != 200}
    assert refusals <= {"InvalidStateTransition"}, outcomes
    # From pending-acceptance: Accept (then at most one Delete of the active connection), or Reject, or Delete.
    legal = {
        ("AcceptVpcPeeringConnection",): "active",
        ("AcceptVpcPeeringConnection", "DeleteVpcPeeringConnection"): "deleted",
        ("RejectVpcPeeringConnection",): "rejected",
        ("DeleteVpcPeeringConnection",): "deleted",
    }
    assert tuple(succeeded) in legal, f"not a legal history: {succeeded}"
    for server in replicas:
        pcx = make_client(server.endpoint).describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx_id])[
            "VpcPeeringConnections"][0]
        assert pcx["Status"]["Code"] == legal[tuple(succeeded)], (succeeded, pcx["Status"])


def test_kill_9_of_a_replica_under_load_loses_no_acknowledged_write(replicas):
    clients, writes = 16, 1000
    ec2 = make_client(replicas[0].endpoint)
    vpc_id = create_vpc(ec2, "10.7.0.0/16")["VpcId"]
    victim = replicas[1]
    lock = threading.Lock()
    groups: dict[str, str] = {}  # name -> group ID, acknowledged
    vpcs: dict[str, str] = {}  # Name tag -> VPC ID, acknowledged
    deleted: set[str] = set()  # group IDs whose delete was acknowledged
    tagged: dict[str, str] = {}  # group ID -> tag value, acknowledged
    failures: list[str] = []
    done = [0]
    killed = threading.Event()

    def write(session, n: int, index: int) -> None:
        # The victim's share goes to it even while it is down (those calls are simply not acknowledged).
        server = replicas[n % REPLICAS]
        kind = n % 10
        with lock:
            mine = [gid for name, gid in groups.items() if name.startswith(f"c{index:02d}-") and gid not in deleted]
        if kind == 0:
            name = f"load-{index:02d}-{n:04d}"
            response = query(session, server, Action="CreateVpc", CidrBlock="10.8.0.0/16",
                             **{"TagSpecification.1.ResourceType": "vpc", "TagSpecification.1.Tag.1.Key": "Name",
                                "TagSpecification.1.Tag.1.Value": name})
            if response.status_code == 200:
                with lock:
                    vpcs[name] = VPC_ID_RE.search(response.text).group(1)
        elif kind == 1 and mine:
            response = query(session, server, Action="DeleteSecurityGroup", GroupId=mine[0])
            if response.status_code == 200:
                with lock:
                    deleted.add(mine[0])
        elif kind == 2 and mine:
            response = query(session, server, Action="CreateTags", **{"ResourceId.1": mine[-1], "Tag.1.Key": "n",
                                                                     "Tag.1.Value": str(n)})
            if response.status_code == 200:
                with lock:
                    tagged[mine[-1]] = str(n)
        else:
            name = f"c{index:02d}-{n:04d}"
            response = query(session, server, Action="CreateSecurityGroup", GroupName=name, GroupDescription="load",
                             VpcId=vpc_id)
            if response.status_code == 200:
                with lock:
                    groups[name] = GROUP_ID_RE.search(response.text).group(1)
        if response.status_code != 200 and not (server is victim and killed.is_set()):
            with lock:
                failures.append(f"{server.name}: {response.status_code} {response.text[:300]}")

    def client(index: int) -> None:
        session = requests.Session()
        for n in range(index, writes, clients):
            try:
                write(session, n, index)
            except requests.RequestException:
                if not (replicas[n % REPLICAS] is victim and killed.is_set()):
                    raise
                session = requests.Session()
            with lock:
                done[0] += 1

    def chaos() -> None:
        while done[0] < writes // 3:
            time.sleep(0.01)
        killed.set()
        victim.kill()
        while done[0] < writes // 2:
            time.sleep(0.01)
        victim.start(timeout=30)
        killed.clear()

    with ThreadPoolExecutor(clients + 1) as pool:
        chaos_done = pool.submit(chaos)
        for future in [pool.submit(client, index) for index in range(clients)]:
            future.result()
        chaos_done.result()
    assert not failures, failures[:5]
    assert len(groups) > writes // 2, "most writes were acknowledged"
    all_ids = list(groups.values()) + list(vpcs.values())
    assert len(set(all_ids)) == len(all_ids), "no ID was issued twice"
    for server in replicas:
        reader = make_client(server.endpoint)
        seen = {}
        for page in reader.get_paginator("describe_security_groups").paginate(
                Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]):
            seen.update({group["GroupId"]: group for group in page["SecurityGroups"]})
        for name, group_id in groups.items():
            if group_id in deleted:
                assert group_id not in seen, f"{server.name}: deleted {group_id} is back"
            else:
                assert seen[group_id]["GroupName"] == name, f"{server.name}: {name} lost"
        for group_id, value in tagged.items():
            if group_id not in deleted:
                assert {"Key": "n", "Value": value} in seen[group_id].get("Tags", []) or \
                    int(next(t["Value"] for t in seen[group_id]["Tags"] if t["Key"] == "n")) >= int(value)
        found = {v["VpcId"] for v in reader.describe_vpcs(
            Filters=[{"Name": "cidr", "Values": ["10.8.0.0/16"]}])["Vpcs"]}
        assert set(vpcs.values()) <= found, f"{server.name}: acknowledged VPCs lost"


def test_postgresql_down_answers_service_unavailable_then_recovers(replicas, postgres):
    if not hasattr(postgres, "data"):
        pytest.skip("an external PostgreSQL is not stopped by the tests")
    a, b, _ = replicas
    ec2_a, ec2_b = make_client(a.endpoint), make_client(b.endpoint)
    vpc_id = create_vpc(ec2_a, "10.10.0.0/16")["VpcId"]
    postgres.stop("fast")
    try:
        for client in (ec2_a, ec2_b):
            with ec2_error("ServiceUnavailable", UNAVAILABLE, status=503):
                client.create_vpc(CidrBlock="10.11.0.0/16")
            with ec2_error("ServiceUnavailable", UNAVAILABLE, status=503):
                client.describe_vpcs(VpcIds=[vpc_id])
        cli_error(run_aws(b.endpoint, "ec2", "describe-vpcs"), "ServiceUnavailable", UNAVAILABLE)
    finally:
        postgres.start()
    deadline = time.monotonic() + 20
    while True:
        try:
            found = ec2_b.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.10.0.0/16", "10.11.0.0/16"]}])
            break
        except Exception:  # noqa: BLE001 - still reconnecting
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    # Nothing was half-done while it was down: only the acknowledged VPC exists, on every replica.
    assert [v["VpcId"] for v in found["Vpcs"]] == [vpc_id]
    after = create_vpc(ec2_b, "10.12.0.0/16")["VpcId"]
    assert_id(after, "vpc")
    assert [v["OwnerId"] for v in ec2_a.describe_vpcs(VpcIds=[after])["Vpcs"]] == [DEFAULT_ACCOUNT]


def migrate(source: str, target: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(_binary()), "migrate", "--from", source, "--to", target], capture_output=True,
                          text=True, timeout=120)


def test_migrate_moves_a_sqlite_store_to_postgres_and_back(postgres, sqlite_server, tmp_path, log_dir):
    if os.environ.get("LOCALVPC_E2E_STORE", "").startswith("postgres"):
        pytest.skip("needs the SQLite factory (this pass puts it on PostgreSQL)")
    laptop = sqlite_server(tmp_path / "laptop.db").start()
    ec2 = make_client(laptop.endpoint)
    vpc_id = create_vpc(ec2, "10.20.0.0/16", Name="laptop")["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    laptop.stop()
    team = postgres.fresh_database(f"migrate-{tmp_path}")
    moved = migrate(f"sqlite:{tmp_path / 'laptop.db'}", team)
    assert moved.returncode == 0, moved.stderr
    assert re.fullmatch(r"migrated \d+ records and \d+ world values from sqlite:.*laptop\.db to postgres://.*\n",
                        moved.stdout), moved.stdout
    # Refused: a second copy into the now non-empty database (the first one, the positive control, succeeded).
    again = migrate(f"sqlite:{tmp_path / 'laptop.db'}", team)
    assert again.returncode == 2
    assert "already holds state" in again.stderr and "migrate only into an empty store" in again.stderr

    shared = LocalVpcServer(team, log_dir, name="migrated").start(timeout=30)
    try:
        ec2 = make_client(shared.endpoint)
        vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
        assert (vpc["CidrBlock"], {t["Key"]: t["Value"] for t in vpc["Tags"]}) == ("10.20.0.0/16", {"Name": "laptop"})
        assert [s["SubnetId"] for s in ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"]] == [subnet_id]
        # The ID sequence moved too: the next ID is new.
        later = create_vpc(ec2, "10.21.0.0/16")["VpcId"]
        assert_id(later, "vpc")
        assert later != vpc_id
        cli = run_aws(shared.endpoint, "ec2", "describe-vpcs", "--vpc-ids", vpc_id, later).ok()
        assert sorted(v["VpcId"] for v in cli["Vpcs"]) == sorted([vpc_id, later])
    finally:
        shared.stop()

    back = migrate(team, f"sqlite:{tmp_path / 'back.db'}")
    assert back.returncode == 0, back.stderr
    home = sqlite_server(tmp_path / "back.db", name="back").start()
    listed = make_client(home.endpoint).describe_vpcs(VpcIds=[vpc_id, later])["Vpcs"]
    assert sorted(v["CidrBlock"] for v in listed) == ["10.20.0.0/16", "10.21.0.0/16"]
