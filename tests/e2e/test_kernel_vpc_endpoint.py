"""`serve --data-plane kernel` with a gateway VPC endpoint (part 2 §17.4): an instance with no public address reaches
S3's addresses by real ping and TCP 443 once its subnet's table routes S3's prefix list to the endpoint, TCP 22 is
refused with a reset, and without the endpoint route nothing gets there — the engine (`exec --model`) agreeing at
every step. Needs root, like the other kernel tests (skipped loudly otherwise)."""
from __future__ import annotations

import ipaddress
import json
import subprocess

from test_kernel_data_plane import AMI, REGION, kernel, lab  # noqa: F401  (fixtures)

S3 = f"com.amazonaws.{REGION}.s3"


def s3_addresses(lab):  # noqa: F811
    """An address in each block of S3's prefix list, as DescribePrefixLists shows it (base + 10: the first one is
    what S3's names resolve to)."""
    lists = lab.ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [S3]}])["PrefixLists"]
    return [str(ipaddress.ip_network(block).network_address + 10) for block in lists[0]["Cidrs"]]


def ping(lab, vantage, address):  # noqa: F811
    """The kernel's and the engine's exit status for one ping."""
    real = lab.ping(vantage, address).returncode
    model = lab.localvpc("exec", "--model", vantage, "--", "ping", "-c", "1", address).returncode
    return real, model


UDP_PROBE = """
import socket, sys
client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
client.settimeout(1.5)
client.connect((sys.argv[1], 53))
client.send(b"x")
try:
    client.recv(512)
    print("answered")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("dropped")
"""


def connect(lab, vantage, address, port):  # noqa: F811
    """How a TCP connect ends, in the kernel (bash's /dev/tcp) and in the engine (`nc -z`): each is `open`,
    `refused` or `dropped`."""
    real = lab.exec(vantage, "timeout", "3", "bash", "-c", f"exec 3<>/dev/tcp/{address}/{port}")
    if real.returncode == 0:
        kernel_says = "open"
    elif "Connection refused" in real.stderr:
        kernel_says = "refused"
    else:
        assert real.returncode == 124, real  # timed out: nothing came back
        kernel_says = "dropped"
    model = lab.localvpc("exec", "--model", vantage, "--", "nc", "-z", "-w", "1", address, str(port))
    if model.returncode == 0:
        model_says = "open"
    elif "Connection refused" in model.stderr:
        model_says = "refused"
    else:
        assert "timed out" in model.stderr, model
        model_says = "dropped"
    return kernel_says, model_says


def test_kernel_private_instance_reaches_s3_only_through_its_tables_gateway_endpoint(lab):  # noqa: F811
    side = lab.network("10.30.0.0/16", "10.30.1.0/24")
    described = lab.ec2.describe_instances(InstanceIds=[side["instance"]])["Reservations"][0]["Instances"][0]
    assert "PublicIpAddress" not in described, described
    address, other_block = s3_addresses(lab)
    assert address == "52.216.0.10", address
    # Negative control: no endpoint route, no public address — S3 is out of reach.
    assert ping(lab, side["instance"], address) == (1, 1)
    assert connect(lab, side["instance"], address, 443) == ("dropped", "dropped")

    made = lab.ec2.create_vpc_endpoint(VpcId=side["vpc"], ServiceName=S3, RouteTableIds=[side["rtb"]])
    endpoint = made["VpcEndpoint"]["VpcEndpointId"]
    out = lab.ping(side["instance"], address)
    assert out.returncode == 0 and f"64 bytes from {address}" in out.stdout, out
    assert ping(lab, side["instance"], address) == (0, 0)
    assert connect(lab, side["instance"], address, 443) == ("open", "open")
    # Neither the VPC router nor the endpoint is a hop: the service is the first and only one, as in the engine.
    traced = lab.exec(side["instance"], "traceroute", "-I", "-n", "-w", "1", "-q", "1", "-m", "4", address)
    hops = [line.split()[1] for line in traced.stdout.splitlines()[1:]]
    assert (traced.returncode, hops) == (0, [address]), traced
    modelled = lab.localvpc("exec", "--model", side["instance"], "--", "traceroute", "-I", "-n", address)
    model_hops = [line.split()[1] for line in modelled.stdout.splitlines()[1:]]
    assert (modelled.returncode, model_hops) == (0, [address]), modelled
    assert connect(lab, side["instance"], address, 80) == ("open", "open")
    assert connect(lab, side["instance"], address, 22) == ("refused", "refused")
    # Part 2 §17.4: nothing but TCP and ICMP echo crosses the endpoint (VPCE_GATEWAY_PROTOCOL_RESTRICTION): UDP
    # meets no closed-port answer, it is dropped.
    udp = lab.exec(side["instance"], "python3", "-c", UDP_PROBE, address)
    assert (udp.returncode, udp.stdout) == (0, "dropped\n"), udp
    namespace = f"{lab.server.prefix}-{endpoint}"
    listed = subprocess.run(["ip", "netns", "exec", namespace, "nft", "-j", "list", "table", "inet", "localvpc"],
                            capture_output=True, text=True)
    rules = [item["rule"] for item in json.loads(listed.stdout)["nftables"] if "rule" in item]
    inbound = [rule["expr"] for rule in rules if rule["chain"] == "input"]
    assert inbound[-1][-1] == {"reject": {"type": "tcp reset"}}, rules
    # The service never starts a flow into the VPC (VPCE_INTRA_VPC_TRAFFIC), even where the instance's group
    # would let it in: only answers leave the endpoint.
    lab.allow(side, "icmp", "0.0.0.0/0")
    started = subprocess.run(["ip", "netns", "exec", namespace, "ping", "-c", "1", "-W", "1", "-n", "-I", address,
                              side["ip"]], capture_output=True, text=True)
    assert started.returncode == 1 and "1 packets transmitted, 0 received" in started.stdout, started
    # Any address of the list answers (AnyIP), not only the one DNS gives.
    assert ping(lab, side["instance"], other_block) == (0, 0)

    # The route goes with the table's association to the endpoint: dropped again, in both.
    lab.ec2.modify_vpc_endpoint(VpcEndpointId=endpoint, RemoveRouteTableIds=[side["rtb"]])
    assert ping(lab, side["instance"], address) == (1, 1)
    assert connect(lab, side["instance"], address, 443) == ("dropped", "dropped")


def test_kernel_a_subnet_whose_table_lacks_the_endpoint_route_does_not_reach_s3(lab):  # noqa: F811
    side = lab.network("10.31.0.0/16", "10.31.1.0/24")
    other = lab.ec2.create_subnet(VpcId=side["vpc"], CidrBlock="10.31.2.0/24")["Subnet"]["SubnetId"]
    table = lab.ec2.create_route_table(VpcId=side["vpc"])["RouteTable"]["RouteTableId"]
    lab.ec2.associate_route_table(RouteTableId=table, SubnetId=other)
    reservation = lab.ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                        SubnetId=other)
    outsider = reservation["Instances"][0]["InstanceId"]
    lab.ec2.create_vpc_endpoint(VpcId=side["vpc"], ServiceName=S3, RouteTableIds=[table])
    address = s3_addresses(lab)[0]
    # Positive control: the subnet whose table has the route gets there.
    assert ping(lab, outsider, address) == (0, 0)
    assert connect(lab, outsider, address, 443) == ("open", "open")
    # The main table's subnet has no such route.
    assert ping(lab, side["instance"], address) == (1, 1)
    assert connect(lab, side["instance"], address, 443) == ("dropped", "dropped")
