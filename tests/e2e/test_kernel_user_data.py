"""User data and the console: `RunInstances --user-data` runs once at launch inside the instance's namespace
(`serve --data-plane kernel`) and `GetConsoleOutput` returns what it printed; without the kernel the console is
empty, as AWS's is before an instance prints anything. Also the namespace's life: it goes on stop and terminate
(with every process in it) and comes back on start with the same private address.
"""
from __future__ import annotations

import secrets
import subprocess
import time

import pytest
from botocore.exceptions import ClientError

from test_kernel_data_plane import AMI, Lab, kernel, lab, namespaces  # noqa: F401 (fixtures)


def launch(lab: Lab, subnet: str, user_data: str) -> dict:
    return lab.ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=subnet,
                                 UserData=user_data)["Instances"][0]


def curl(lab: Lab, vantage: str, url: str) -> subprocess.CompletedProcess:
    return lab.exec(vantage, "curl", "-s", "-m", "2", url)


def eventually(check, seconds: float = 15):
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.3)


def test_kernel_user_data_serves_http_across_the_peering_and_prints_to_the_console(lab):
    a = lab.network("10.6.0.0/16", "10.6.1.0/24", igw=False)
    b = lab.network("10.7.0.0/16", "10.7.1.0/24", igw=False)
    lab.allow(b, "tcp", "10.6.0.0/16", (80, 80))
    server = launch(lab, b["subnet"], "#!/bin/sh\necho hello from user data\nexec python3 -m http.server 80\n")
    url = f"http://{server['PrivateIpAddress']}/"
    # The server runs inside B: B's other instance reaches it over the subnet (the positive control).
    assert eventually(lambda: curl(lab, b["instance"], url).returncode == 0), curl(lab, b["instance"], url)
    # No peering yet: A's packets have no route and are dropped, so curl times out.
    assert curl(lab, a["instance"], url).returncode == 28
    pcx = lab.ec2.create_vpc_peering_connection(VpcId=a["vpc"], PeerVpcId=b["vpc"])["VpcPeeringConnection"][
        "VpcPeeringConnectionId"]
    lab.ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    lab.ec2.create_route(RouteTableId=a["rtb"], DestinationCidrBlock=b["cidr"], VpcPeeringConnectionId=pcx)
    assert curl(lab, a["instance"], url).returncode == 28  # one-sided: the answer has no way back
    lab.ec2.create_route(RouteTableId=b["rtb"], DestinationCidrBlock=a["cidr"], VpcPeeringConnectionId=pcx)
    across = curl(lab, a["instance"], url)
    assert across.returncode == 0 and "Directory listing for /" in across.stdout, across
    # boto3 decodes the base64 `output`; the script's stdout and the server's stderr (its request log) are there.
    console = lab.ec2.get_console_output(InstanceId=server["InstanceId"])
    assert console["InstanceId"] == server["InstanceId"] and "Timestamp" in console
    assert "hello from user data" in console["Output"], console
    assert eventually(lambda: f'{a["ip"]} - - ' in lab.ec2.get_console_output(
        InstanceId=server["InstanceId"])["Output"]), console
    # An instance without user data has printed nothing.
    assert "Output" not in lab.ec2.get_console_output(InstanceId=a["instance"])


def test_kernel_namespace_goes_with_stop_and_terminate_and_comes_back_on_start(lab):
    a = lab.network("10.6.0.0/16", "10.6.1.0/24", igw=False)
    marker = f"86399.{secrets.randbelow(10**6):06d}"
    instance = launch(lab, a["subnet"], f"#!/bin/sh\nexec sleep {marker}\n")
    instance_id, address = instance["InstanceId"], instance["PrivateIpAddress"]
    namespace = f"{lab.server.prefix}-{instance_id}"

    def running() -> bool:
        return subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True).returncode == 0

    assert lab.exec(instance_id, "true").returncode == 0 and namespace in namespaces(lab.server.prefix)
    assert eventually(running), "the user data never started"
    lab.ec2.stop_instances(InstanceIds=[instance_id])
    assert lab.exec(instance_id, "true").returncode == 2
    assert lab.exec(a["instance"], "true").returncode == 0  # returns once the kernel has realised the stop
    assert namespace not in namespaces(lab.server.prefix)
    assert not running(), "a process of the stopped instance survived"
    lab.ec2.start_instances(InstanceIds=[instance_id])
    shown = lab.exec(instance_id, "ip", "-4", "-o", "addr", "show", "eth0")
    assert f"inet {address}/24" in shown.stdout, shown
    # User data runs once, at launch: a start does not run it again.
    time.sleep(1)
    assert not running()
    # Its neighbour reaches it again at the same address (the default group admits its own members).
    back = lab.ping(a["instance"], address)
    assert back.returncode == 0 and f"64 bytes from {address}" in back.stdout, back
    lab.ec2.terminate_instances(InstanceIds=[instance_id])
    assert lab.exec(a["instance"], "true").returncode == 0  # waits for the realisation
    assert namespace not in namespaces(lab.server.prefix)


def test_get_console_output_without_the_kernel_is_empty(server, ec2):
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    instance = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=subnet,
                                 UserData="echo hi")["Instances"][0]["InstanceId"]
    console = ec2.get_console_output(InstanceId=instance)
    assert console["InstanceId"] == instance and console["Timestamp"].year >= 2020
    assert "Output" not in console, console
    with pytest.raises(ClientError) as missing:
        ec2.get_console_output(InstanceId="i-0123456789abcdef0")
    assert missing.value.response["Error"]["Code"] == "InvalidInstanceID.NotFound"
