"""Differential, TCP/22: for the seeded random topologies of test_kernel_data_plane.py, the engine's TCP verdict
for port 22 (`/_localvpc/v1/probe`) equals a real TCP connect between the namespaces, pair by pair, with a real
listener on port 22 in every instance (the engine's instances listen on 22 unless tagged otherwise). Any
difference is a bug in one of them. Needs root and network namespaces, as the ICMP differential.
"""
from __future__ import annotations

import concurrent.futures
import json
import random
import subprocess
import time

import pytest
import requests

from test_kernel_data_plane import REGION, Lab, build_random_world, kernel, lab  # noqa: F401 (fixtures)

LISTENER = """
import socket
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("0.0.0.0", 22))
server.listen(128)
print("listening", flush=True)
while True:
    connection, _ = server.accept()
    connection.close()
"""

CONNECT = """
import socket, sys
client = socket.socket()
client.settimeout(1.5)
sys.exit(0 if client.connect_ex((sys.argv[1], 22)) == 0 else 1)
"""


def engine_tcp(lab: Lab, source: str, destination: str) -> str:
    headers = {"Authorization": f"AWS4-HMAC-SHA256 Credential=test/20260101/{REGION}/ec2/aws4_request, "
                                "SignedHeaders=host, Signature=0"}
    body = {"from": source, "to": destination, "protocol": "tcp", "port": 22}
    answer = requests.post(f"{lab.server.endpoint}/_localvpc/v1/probe", data=json.dumps(body), headers=headers,
                           timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()["verdict"]


def listen_everywhere(lab: Lab, instances: list[str]) -> list[subprocess.Popen]:
    listeners = []
    for instance in instances:
        # `exec` returns once the kernel has realised the caller's last write: the namespace exists by then.
        assert lab.exec(instance, "true").returncode == 0
        namespace = f"{lab.server.prefix}-{instance}"
        process = subprocess.Popen(["ip", "netns", "exec", namespace, "python3", "-c", LISTENER],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        listeners.append(process)
        assert process.stdout.readline().strip() == "listening", process.stderr.read()
    return listeners


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_kernel_tcp22_matrix_equals_the_engine_for_random_topologies(lab, seed):
    rng = random.Random(seed)
    build_random_world(lab, rng)
    engine = lab.localvpc("reachability", "--full", "--json")
    assert engine.returncode == 0, engine
    nodes = json.loads(engine.stdout)["nodes"]
    assert len(nodes) >= 2
    listeners = listen_everywhere(lab, [node["instance"] for node in nodes])
    try:
        pairs = [(s, d) for s in nodes for d in nodes if s is not d]

        def compare(pair):
            source, destination = pair
            verdict = engine_tcp(lab, source["instance"], destination["private_ip"])
            assert verdict in ("reachable", "dropped"), (pair, verdict)  # everyone listens: never refused
            out = lab.exec(source["instance"], "python3", "-c", CONNECT, destination["private_ip"])
            if out.returncode == 1 and verdict == "reachable":
                time.sleep(0.5)  # a loaded machine; a real disagreement fails the second time too
                out = lab.exec(source["instance"], "python3", "-c", CONNECT, destination["private_ip"])
            assert out.returncode in (0, 1), out
            return (source["instance"], destination["instance"]), (verdict == "reachable", out.returncode == 0)

        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            measured = dict(pool.map(compare, pairs))
    finally:
        for listener in listeners:
            listener.kill()
            listener.wait()
    differences = sorted((pair, engine) for pair, (engine, real) in measured.items() if engine != real)
    assert not differences, (
        f"seed {seed}: the kernel and the engine disagree on TCP/22 for {len(differences)} of {len(pairs)} pairs "
        f"((source, destination), engine says reachable): {differences}")
    assert len(measured) == len(pairs)


def test_kernel_tcp22_from_the_internet_only_after_the_default_route(lab):
    a = lab.network("10.6.0.0/16", "10.6.1.0/24")
    allocation = lab.ec2.allocate_address(Domain="vpc")
    lab.ec2.associate_address(AllocationId=allocation["AllocationId"], InstanceId=a["instance"])
    lab.allow(a, "tcp", "0.0.0.0/0", (22, 22))
    public = allocation["PublicIp"]
    listeners = listen_everywhere(lab, [a["instance"]])
    try:
        # The positive control: the listener answers inside the VPC.
        assert lab.exec(a["instance"], "python3", "-c", CONNECT, a["ip"]).returncode == 0
        before = lab.exec("internet", "python3", "-c", CONNECT, public)
        assert before.returncode == 1, before  # the answer has no route back to the internet
        assert engine_tcp(lab, "internet", public) == "dropped"
        lab.ec2.create_route(RouteTableId=a["rtb"], DestinationCidrBlock="0.0.0.0/0", GatewayId=a["igw"])
        after = lab.exec("internet", "python3", "-c", CONNECT, public)
        assert after.returncode == 0, after
        assert engine_tcp(lab, "internet", public) == "reachable"
    finally:
        for listener in listeners:
            listener.kill()
            listener.wait()
