"""`localvpc reachability` and `POST /_localvpc/v1/reachability` in every form: groups (the default), `--summary`,
`--reachable` / `--unreachable` with `--limit`, and `--full`.

Regression for issue 8 ("Reachability at scale"): the answer used to be only the expanded N × N matrix, which for a
full mesh of 10,080 instances was ~1 GB of JSON. The topology here is small enough to know every answer: VPC A
(a1, a2) and VPC B (b1; b2 alone in a group with no inbound rule) peered with routes both ways, VPC C (c1) isolated;
every default group lets ICMP in from 10.0.0.0/8. Built with boto3; the CLI runs as a subprocess and every form is
checked against what `localvpc exec … -- ping` says pair by pair.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import requests

REGION = "us-east-1"
AMI = "ami-0123456789abcdef0"
REPO_ROOT = Path(__file__).resolve().parents[2]
OTHER_ACCOUNT = "111111111111"


def binary() -> str:
    return os.environ.get("LOCALVPC_BIN", str(REPO_ROOT / "target" / "debug" / "localvpc"))


class Run:
    def __init__(self, proc: subprocess.CompletedProcess):
        self.rc, self.out, self.err = proc.returncode, proc.stdout, proc.stderr

    def json(self):
        assert self.rc == 0, self
        return json.loads(self.out)

    def __repr__(self):
        return f"rc={self.rc}\n--- stdout ---\n{self.out}--- stderr ---\n{self.err}"


@pytest.fixture
def localvpc(server):
    """localvpc('reachability', '--summary', key=…, region=…) -> Run(rc, out, err)."""

    def run(*args, key: str = "test", region: str = REGION) -> Run:
        env = {k: v for k, v in os.environ.items()
               if k not in ("AWS_REGION", "AWS_DEFAULT_REGION", "LOCALVPC_ENDPOINT")}
        env.update(AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION=region)
        argv = [binary(), "--endpoint", server.endpoint, *[str(a) for a in args]]
        return Run(subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL))

    return run


def api(server, body, key: str = "test", region: str = REGION) -> requests.Response:
    """The JSON API as any HTTP client calls it: the caller in a SigV4 credential scope."""
    auth = f"AWS4-HMAC-SHA256 Credential={key}/20260101/{region}/ec2/aws4_request, SignedHeaders=host, Signature=0"
    return requests.post(f"{server.endpoint}/_localvpc/v1/reachability", data=json.dumps(body),
                         headers={"Authorization": auth}, timeout=30)


class Topology:
    """A and B peered (b2 closed to everyone), C isolated; `reach` is the known answer, as instance-ID pairs."""

    def __init__(self, ec2):
        self.ec2 = ec2
        self.vpc, subnet, group, table = {}, {}, {}, {}
        for name, n in (("a", 1), ("b", 2), ("c", 3)):
            self.vpc[name] = ec2.create_vpc(CidrBlock=f"10.{n}.0.0/16")["Vpc"]["VpcId"]
            subnet[name] = ec2.create_subnet(VpcId=self.vpc[name], CidrBlock=f"10.{n}.1.0/24")["Subnet"]["SubnetId"]
            group[name] = ec2.describe_security_groups(Filters=[
                {"Name": "vpc-id", "Values": [self.vpc[name]]},
                {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]
            ec2.authorize_security_group_ingress(GroupId=group[name], IpPermissions=[
                {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
            table[name] = ec2.describe_route_tables(Filters=[
                {"Name": "vpc-id", "Values": [self.vpc[name]]},
                {"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]["RouteTableId"]
        closed = ec2.create_security_group(GroupName="closed", Description="no inbound rule",
                                           VpcId=self.vpc["b"])["GroupId"]
        self.ip = {}

        def launch(subnet_id, count=1, groups=None):
            extra = {"SecurityGroupIds": groups} if groups else {}
            instances = ec2.run_instances(ImageId=AMI, MinCount=count, MaxCount=count, SubnetId=subnet_id,
                                          **extra)["Instances"]
            for instance in instances:
                self.ip[instance["InstanceId"]] = instance["PrivateIpAddress"]
            return [instance["InstanceId"] for instance in instances]

        self.a1, self.a2 = launch(subnet["a"], 2)
        (self.b1,) = launch(subnet["b"])
        (self.b2,) = launch(subnet["b"], groups=[closed])
        (self.c1,) = launch(subnet["c"])
        pcx = ec2.create_vpc_peering_connection(VpcId=self.vpc["a"], PeerVpcId=self.vpc["b"])
        pcx_id = pcx["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx_id)
        ec2.create_route(RouteTableId=table["a"], DestinationCidrBlock="10.2.0.0/16", VpcPeeringConnectionId=pcx_id)
        ec2.create_route(RouteTableId=table["b"], DestinationCidrBlock="10.1.0.0/16", VpcPeeringConnectionId=pcx_id)

        self.instances = [self.a1, self.a2, self.b1, self.b2, self.c1]
        self.vpc_of = {self.a1: self.vpc["a"], self.a2: self.vpc["a"], self.b1: self.vpc["b"],
                       self.b2: self.vpc["b"], self.c1: self.vpc["c"]}
        alike = [self.a1, self.a2, self.b1]
        self.reach = {(s, d) for s in alike + [self.b2] for d in alike if s != d}
        self.ordered = {(s, d) for s in self.instances for d in self.instances if s != d}


@pytest.fixture
def topology(ec2):
    return Topology(ec2)


def test_every_answer_matches_ping_pair_by_pair(topology, localvpc):
    """The known answer is what ping itself says (the ground truth the forms below are checked against)."""
    assert len(topology.reach) == 9 and len(topology.ordered) == 20
    for source, destination in sorted(topology.ordered):
        ping = localvpc("exec", source, "--", "ping", "-c", "1", topology.ip[destination])
        expected = 0 if (source, destination) in topology.reach else 1
        assert ping.rc == expected, f"{source} -> {destination}: {ping}"


def test_default_answer_is_groups_not_the_expanded_matrix(topology, localvpc):
    body = localvpc("reachability", "--json").json()
    assert (body["form"], body["instances"], body["ordered_pairs"], body["reachable_pairs"]) == ("groups", 5, 20, 9)
    assert "nodes" not in body
    groups = [frozenset(member["instance"] for member in group["members"]) for group in body["groups"]]
    alike = frozenset({topology.a1, topology.a2, topology.b1})
    assert set(groups) == {alike, frozenset({topology.b2}), frozenset({topology.c1})}
    assert len(groups) == 3
    pairs = {(groups[source], groups[destination]) for source, destination in body["reachable"]}
    assert pairs == {(alike, alike), (frozenset({topology.b2}), alike)}
    # Expanding the groups gives back exactly the pairs ping answers.
    expanded = {(s, d) for source, destination in pairs for s in source for d in destination if s != d}
    assert expanded == topology.reach
    members = {member["instance"]: member for group in body["groups"] for member in group["members"]}
    assert members[topology.b2]["vpc"] == topology.vpc["b"]
    assert members[topology.b2]["private_ip"] == topology.ip[topology.b2]
    assert members[topology.b2]["interface"].startswith("eni-")

    table = localvpc("reachability")
    assert table.rc == 0, table
    assert table.out.startswith("5 instances in 3 groups;"), table.out
    assert table.out.endswith("9 of 20 ordered pairs reachable.\n"), table.out
    label_of = {}
    label = None
    for line in table.out.splitlines():
        cells = [cell.strip() for cell in line.strip("│").split("┆")]
        if len(cells) == 4 and cells[1].startswith("i-"):
            label = cells[0] or label
            label_of[cells[1]] = label
    assert set(label_of) == set(topology.instances)
    assert label_of[topology.a1] == label_of[topology.a2] == label_of[topology.b1]
    assert len({label_of[topology.a1], label_of[topology.b2], label_of[topology.c1]}) == 3
    pings = {}
    for line in table.out.splitlines():
        cells = [cell.strip() for cell in line.strip("│").split("┆")]
        if len(cells) == 2 and cells[0].startswith("G"):
            pings[cells[0]] = cells[1]
    assert pings == {label_of[topology.a1]: label_of[topology.a1], label_of[topology.b2]: label_of[topology.a1],
                     label_of[topology.c1]: "(none)"}


def test_summary_classifies_each_vpc_pair(topology, localvpc):
    body = localvpc("reachability", "--summary", "--json").json()
    assert (body["form"], body["reachable_pairs"], body["ordered_pairs"]) == ("summary", 9, 20)
    rows = {(row["from"], row["to"]): (row["status"], row["reachable"], row["pairs"]) for row in body["vpc_pairs"]}
    a, b, c = topology.vpc["a"], topology.vpc["b"], topology.vpc["c"]
    # C with itself holds no pair (one instance) and is not listed.
    assert rows == {
        (a, a): ("reachable", 2, 2), (a, b): ("partial", 2, 4), (a, c): ("none", 0, 2),
        (b, a): ("reachable", 4, 4), (b, b): ("partial", 1, 2), (b, c): ("none", 0, 2),
        (c, a): ("none", 0, 2), (c, b): ("none", 0, 2),
    }
    table = localvpc("reachability", "--summary")
    assert table.rc == 0, table
    lines = {tuple(cell.strip() for cell in line.strip("│").split("┆"))
             for line in table.out.splitlines() if line.count("vpc-") == 2}
    assert (a, b, "partial", "2 of 4") in lines and (c, a, "none", "0 of 2") in lines and len(lines) == 8, table.out

    only_ab = localvpc("reachability", "--summary", "--vpc", a, "--vpc", b, "--json").json()
    assert {(row["from"], row["to"]) for row in only_ab["vpc_pairs"]} == {(a, a), (a, b), (b, a), (b, b)}
    assert (only_ab["instances"], only_ab["reachable_pairs"]) == (4, 9)


def test_pair_lists_are_limited_and_counted(topology, localvpc):
    reachable = localvpc("reachability", "--reachable", "--json").json()
    assert (reachable["form"], reachable["total"], reachable["limit"]) == ("reachable", 9, 100)
    listed = {(pair["from"]["instance"], pair["to"]["instance"]) for pair in reachable["pairs"]}
    assert listed == topology.reach and len(reachable["pairs"]) == 9

    unreachable = localvpc("reachability", "--unreachable", "--limit", "3", "--json").json()
    assert (unreachable["total"], unreachable["limit"], len(unreachable["pairs"])) == (11, 3, 3)
    listed = [(pair["from"]["instance"], pair["to"]["instance"]) for pair in unreachable["pairs"]]
    assert len(set(listed)) == 3 and set(listed) <= topology.ordered - topology.reach
    everything = localvpc("reachability", "--unreachable", "--limit", "10000", "--json").json()
    all_listed = [(pair["from"]["instance"], pair["to"]["instance"]) for pair in everything["pairs"]]
    assert set(all_listed) == topology.ordered - topology.reach and len(all_listed) == 11
    assert listed == all_listed[:3], "a limit lists the first pairs, in one fixed order"

    table = localvpc("reachability", "--unreachable", "--limit", "3")
    assert table.rc == 0, table
    rows = [line for line in table.out.splitlines() if line.count("i-") == 2]
    assert len(rows) == 3, table.out
    assert table.out.endswith(
        "Showing 3 of 11 unreachable pairs (--limit N shows more; --full shows every pair).\n"), table.out
    assert localvpc("reachability", "--reachable").out.endswith("All 9 reachable pairs.\n")


def test_full_form_stays_available_behind_its_flag(topology, localvpc):
    body = localvpc("reachability", "--full", "--json").json()
    assert (body["form"], body["instances"], body["reachable_pairs"]) == ("full", 5, 9)
    names = [node["instance"] for node in body["nodes"]]
    assert sorted(names) == sorted(topology.instances)
    pairs = {(names[s], names[d]) for s, row in enumerate(body["reachable"]) for d in row}
    assert pairs == topology.reach
    table = localvpc("reachability", "--full")
    assert table.rc == 0 and "9 of 20 ordered pairs reachable." in table.out, table
    row_of_b2 = next(line for line in table.out.splitlines() if topology.b2 in line)
    assert row_of_b2.count("✓") == 3, table.out


def test_bad_requests_get_json_errors_and_good_ones_pass(topology, server, localvpc):
    cases = [
        ({"form": "cells"}, "InvalidParameterValue",
         "The field `form` must be one of groups, summary, reachable, unreachable, full"),
        ({"form": 3}, "InvalidParameterValue",
         "The field `form` must be one of groups, summary, reachable, unreachable, full"),
        ({"form": "unreachable", "limit": 0}, "InvalidParameterValue",
         "The field `limit` must be an integer from 1 to 10000"),
        ({"form": "reachable", "limit": 10001}, "InvalidParameterValue",
         "The field `limit` must be an integer from 1 to 10000"),
        ({"form": "reachable", "limit": "5"}, "InvalidParameterValue",
         "The field `limit` must be an integer from 1 to 10000"),
        ({"form": "summary", "limit": 5}, "InvalidParameterCombination",
         "The field `limit` applies only to the reachable and unreachable forms"),
        ({"vpc": topology.vpc["a"]}, "InvalidParameterValue", "The field `vpc` must be a list of VPC IDs"),
        ({"vpc": ["vpc-0123456789abcdef0"]}, "InvalidVpcID.NotFound",
         "The vpc ID 'vpc-0123456789abcdef0' does not exist"),
    ]
    for body, code, message in cases:
        response = api(server, body)
        assert response.status_code == 400, (body, response.text)
        assert response.headers["content-type"] == "application/json"
        assert response.json() == {"error": {"code": code, "message": message}}, body
    # The same requests, corrected, answer.
    good = api(server, {"form": "unreachable", "limit": 10000, "vpc": [topology.vpc["a"]]})
    assert good.status_code == 200, good.text
    assert (good.json()["total"], good.json()["instances"]) == (0, 2)

    limit = localvpc("reachability", "--unreachable", "--limit", "0")
    assert limit.rc == 2 and limit.out == "", limit
    assert "The field `limit` must be an integer from 1 to 10000" in limit.err, limit
    without_list = localvpc("reachability", "--summary", "--limit", "5")
    assert without_list.rc == 2 and "--limit" in without_list.err, without_list
    both = localvpc("reachability", "--summary", "--full")
    assert both.rc == 2 and "cannot be used with" in both.err, both


def test_other_accounts_and_regions_see_none_of_it(topology, server, localvpc):
    # Positive control: the owner sees A's two instances.
    own = localvpc("reachability", "--vpc", topology.vpc["a"], "--json").json()
    assert sorted(m["instance"] for g in own["groups"] for m in g["members"]) == sorted([topology.a1, topology.a2])
    for who in ({"key": OTHER_ACCOUNT}, {"region": "us-west-2"}):
        everything = localvpc("reachability", "--json", **who).json()
        assert (everything["instances"], everything["groups"], everything["reachable"]) == (0, [], []), who
        assert localvpc("reachability", **who).out == "No running instances.\n"
        summary = localvpc("reachability", "--summary", "--json", **who).json()
        assert summary["vpc_pairs"] == []
        # Another owner's VPC is as unknown as a mistyped one.
        foreign = localvpc("reachability", "--vpc", topology.vpc["a"], **who)
        assert foreign.rc == 2, foreign
        assert f"The vpc ID '{topology.vpc['a']}' does not exist" in foreign.err, foreign
        response = api(server, {"vpc": [topology.vpc["a"]]}, key=who.get("key", "test"),
                       region=who.get("region", REGION))
        assert response.status_code == 400 and response.json()["error"]["code"] == "InvalidVpcID.NotFound"


def test_protocol_and_port_choose_what_is_probed(topology, server):
    """ICMP by default; over TCP a pair is reachable only where something listens (every instance listens on 22
    unless tagged), and only where the groups allow the port — here the default groups allow no TCP from another
    VPC's instances, only from their own members."""
    icmp = api(server, {"form": "reachable", "limit": 100, "protocol": "icmp"})
    assert icmp.status_code == 200, icmp.text
    assert {(p["from"]["instance"], p["to"]["instance"]) for p in icmp.json()["pairs"]} == topology.reach
    tcp = api(server, {"form": "reachable", "limit": 100, "protocol": "tcp", "port": 22})
    assert tcp.status_code == 200, tcp.text
    # Only a1 and a2 share a default group (b1's is B's; b2's group is closed).
    assert {(p["from"]["instance"], p["to"]["instance"]) for p in tcp.json()["pairs"]} == {
        (topology.a1, topology.a2), (topology.a2, topology.a1)}
    # Nothing listens on 80.
    assert api(server, {"form": "summary", "protocol": "tcp", "port": 80}).json()["reachable_pairs"] == 0
    missing = api(server, {"protocol": "tcp"})
    assert missing.status_code == 400
    assert missing.json() == {"error": {"code": "MissingParameter", "message": "The request must contain the field `port`"}}
