"""Ansible's amazon.aws collection, unchanged, against localvpc: a VPC (looked up by its `cidr-block` filter), a
subnet, an internet gateway and public route table, a security group with rules, an extra network interface with a
secondary address, an instance (waited for with DescribeInstanceStatus) and an Elastic IP — then the same playbook
again, which must change nothing. What it built is checked with boto3."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PLAYBOOK = Path(__file__).resolve().parent / "ansible" / "network.yml"


def ansible_playbook() -> str:
    found = Path(sys.executable).with_name("ansible-playbook")
    if found.exists():
        return str(found)
    on_path = shutil.which("ansible-playbook")
    if not on_path:
        pytest.fail("ansible-playbook is not installed (tests/e2e/requirements.txt installs it)", pytrace=False)
    return on_path


def run_playbook(endpoint: str, out: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCAL_TEMP=str(out.parent / "ansible-tmp"), ANSIBLE_HOME=str(out.parent / "ansible-home"))
    argv = [ansible_playbook(), "-i", "localhost,", str(PLAYBOOK), "-e", f"endpoint={endpoint}", "-e", f"out={out}"]
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
