"""Ansible's amazon.aws collection, unchanged, against localvpc.

The seed tutorial as a playbook (two VPCs, instances, an Elastic IP, peering requested and accepted, routes on both
sides): built, pinged across with `localvpc exec`, re-run without a change, torn down to nothing. And a public web
tier: a VPC (looked up by its `cidr-block` filter), a subnet, an internet gateway and public route table, a security
group with rules, an extra network interface with a secondary address, an instance (waited for with
DescribeInstanceStatus) and an Elastic IP — then the same playbook again, which must change nothing. What both build
is checked with boto3."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_exec import binary, tool_env

PLAYBOOK = Path(__file__).resolve().parent / "ansible" / "network.yml"

# A playbook run starts ansible-playbook and a Python interpreter per task (tens of seconds on two cores, more while
# the other workers keep them busy): the suite's per-test 120 s leaves these too little room.
pytestmark = pytest.mark.timeout(300)


def ansible_playbook() -> str:
    found = Path(sys.executable).with_name("ansible-playbook")
    if found.exists():
        return str(found)
    on_path = shutil.which("ansible-playbook")
    if not on_path:
        pytest.fail("ansible-playbook is not installed (tests/e2e/requirements.txt installs it)", pytrace=False)
    return on_path


def run_playbook(endpoint: str, out: Path, playbook: Path = PLAYBOOK) -> subprocess.CompletedProcess:
    env = dict(os.environ, ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCAL_TEMP=str(out.parent / "ansible-tmp"), ANSIBLE_HOME=str(out.parent / "ansible-home"))
    argv = [ansible_playbook(), "-i", "localhost,", str(playbook), "-e", f"endpoint={endpoint}", "-e", f"out={out}"]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)


def recap(run: subprocess.CompletedProcess) -> str:
    return next(line for line in run.stdout.splitlines() if line.startswith("localhost"))


def test_the_amazon_aws_collection_builds_a_public_web_tier_and_a_rerun_changes_nothing(server, ec2, tmp_path):
    first = run_playbook(server.endpoint, tmp_path / "first.json")
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-2000:]
    assert "failed=0" in recap(first)
    built = json.loads((tmp_path / "first.json").read_text())

    vpc = ec2.describe_vpcs(VpcIds=[built["vpc"]])["Vpcs"][0]
    assert vpc["CidrBlock"] == "10.40.0.0/16"
    assert ec2.describe_vpc_attribute(VpcId=built["vpc"], Attribute="enableDnsHostnames")[
        "EnableDnsHostnames"]["Value"] is True
    subnet = ec2.describe_subnets(SubnetIds=[built["subnet"]])["Subnets"][0]
    assert subnet["CidrBlock"] == "10.40.1.0/24" and {"Key": "Name", "Value": "app-a"} in subnet["Tags"]
    group = ec2.describe_security_groups(GroupIds=[built["sg"]])["SecurityGroups"][0]
    assert sorted(p["FromPort"] for p in group["IpPermissions"]) == [22, 80]
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[built["eni"]])["NetworkInterfaces"][0]
    assert [a["PrivateIpAddress"] for a in eni["PrivateIpAddresses"]] == ["10.40.1.50", "10.40.1.51"]
    assert eni["Description"] == "extra" and [g["GroupId"] for g in eni["Groups"]] == [built["sg"]]
    instance = ec2.describe_instances(InstanceIds=[built["instance"]])["Reservations"][0]["Instances"][0]
    assert instance["State"]["Name"] == "running" and instance["SubnetId"] == built["subnet"]
    assert instance["PublicIpAddress"] == built["eip"], "the Elastic IP is the instance's public address"
    routes = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [built["subnet"]]}])
    assert any(r.get("GatewayId", "").startswith("igw-") and r["DestinationCidrBlock"] == "0.0.0.0/0"
               for r in routes["RouteTables"][0]["Routes"])

    # The same playbook again: every resource is found, none is changed (only the facts file is written anew).
    second = run_playbook(server.endpoint, tmp_path / "second.json")
    assert second.returncode == 0, second.stdout[-4000:] + second.stderr[-2000:]
    assert "changed=1 " in recap(second) and "failed=0" in recap(second), recap(second)
    assert json.loads((tmp_path / "second.json").read_text()) == built


SEED = Path(__file__).resolve().parent / "ansible" / "seed.yml"
SEED_TEARDOWN = Path(__file__).resolve().parent / "ansible" / "seed-teardown.yml"


def ping(endpoint: str, instance: str, address: str) -> subprocess.CompletedProcess:
    return subprocess.run([binary(), "--endpoint", endpoint, "exec", instance, "--", "ping", "-c", "1", "-W", "1",
                           address], capture_output=True, text=True, env=tool_env(region="us-east-1"), timeout=60)


def test_the_seed_tutorial_as_a_playbook_pings_across_the_peering_reruns_unchanged_and_tears_down(
        server, ec2, tmp_path):
    out = tmp_path / "seed.json"
    first = run_playbook(server.endpoint, out, SEED)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-2000:]
    assert "failed=0" in recap(first), recap(first)
    built = json.loads(out.read_text())

    pcx = ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[built["peering"]])["VpcPeeringConnections"][0]
    assert pcx["Status"]["Code"] == "active"
    assert (pcx["RequesterVpcInfo"]["VpcId"], pcx["AccepterVpcInfo"]["VpcId"]) == (built["vpc_a"], built["vpc_b"])
    b = ec2.describe_instances(InstanceIds=[built["instance_b"]])["Reservations"][0]["Instances"][0]
    a = ec2.describe_instances(InstanceIds=[built["instance_a"]])["Reservations"][0]["Instances"][0]
    assert a["State"]["Name"] == b["State"]["Name"] == "running"
    assert a["PublicIpAddress"] == built["eip"]
    for vpc, destination in [(built["vpc_a"], "10.7.0.0/16"), (built["vpc_b"], "10.6.0.0/16")]:
        tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                    {"Name": "association.main", "Values": ["false"]}])["RouteTables"]
        routes = [r for t in tables for r in t["Routes"] if r.get("DestinationCidrBlock") == destination]
        assert [r["VpcPeeringConnectionId"] for r in routes] == [built["peering"]], tables

    # The packet answer: B replies to A across the peering; B does not reach A (A's default group admits only its
    # own members), the control that the verdict is computed, not assumed.
    across = ping(server.endpoint, built["instance_a"], b["PrivateIpAddress"])
    assert across.returncode == 0 and " 0% packet loss" in across.stdout, across.stdout + across.stderr
    back = ping(server.endpoint, built["instance_b"], a["PrivateIpAddress"])
    assert back.returncode == 1 and "100% packet loss" in back.stdout, back.stdout + back.stderr

    second = run_playbook(server.endpoint, out, SEED)
    assert second.returncode == 0, second.stdout[-4000:] + second.stderr[-2000:]
    assert "changed=0 " in recap(second) and "failed=0" in recap(second), second.stdout[-6000:]
    assert json.loads(out.read_text()) == built

    down = run_playbook(server.endpoint, out, SEED_TEARDOWN)
    assert down.returncode == 0, down.stdout[-4000:] + down.stderr[-2000:]
    assert "failed=0" in recap(down), recap(down)
    left = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["peeringVPC-A", "peeringVPC-B"]}])["Vpcs"]
    assert left == [], left
    assert ec2.describe_addresses()["Addresses"] == []
    states = {i["State"]["Name"] for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]}
    assert states <= {"terminated"}, states
    assert ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[built["peering"]])[
        "VpcPeeringConnections"][0]["Status"]["Code"] == "deleted"


NAT_PLAYBOOK = Path(__file__).resolve().parent / "ansible" / "nat.yml"


def test_the_amazon_aws_collection_builds_private_egress_through_a_nat_gateway(server, ec2, tmp_path):
    first = run_playbook(server.endpoint, tmp_path / "first.json", NAT_PLAYBOOK)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-2000:]
    built = json.loads((tmp_path / "first.json").read_text())
    nat = ec2.describe_nat_gateways(NatGatewayIds=[built["nat"]])["NatGateways"][0]
    assert (nat["State"], nat["SubnetId"], nat["ConnectivityType"]) == ("available", built["public"], "public")
    assert {"Key": "Name", "Value": "egress-nat"} in nat["Tags"]
    eip = nat["NatGatewayAddresses"][0]["AllocationId"]
    assert ec2.describe_addresses(AllocationIds=[eip])["Addresses"][0]["NetworkInterfaceId"] == \
        nat["NatGatewayAddresses"][0]["NetworkInterfaceId"], "the module allocated an Elastic IP for the gateway"
    routes = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [built["private"]]}])
    default = [r for r in routes["RouteTables"][0]["Routes"] if r["DestinationCidrBlock"] == "0.0.0.0/0"]
    assert [(r.get("NatGatewayId"), r["State"]) for r in default] == [(built["nat"], "active")]
    # The private instance reaches the internet through the gateway.
    out = ping(server.endpoint, built["instance"], "8.8.8.8")
    assert out.returncode == 0 and "1 received" in out.stdout, out

    # Again: the gateway is found (if_exist_do_not_create), not made twice; nothing else changes.
    second = run_playbook(server.endpoint, tmp_path / "second.json", NAT_PLAYBOOK)
    assert second.returncode == 0, second.stdout[-4000:] + second.stderr[-2000:]
    assert "changed=1 " in recap(second) and "failed=0" in recap(second), recap(second)
    assert json.loads((tmp_path / "second.json").read_text()) == built
    assert len(ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [built["vpc"]]}])["NatGateways"]) == 1
