#!/usr/bin/env python3
"""Times `localvpc reachability` end to end on a full peering mesh, in every output form, and reports output sizes.

The mesh (issue 8, "Reachability at scale"): VPCS VPCs 10.n.0.0/16 (default 126), each with one /24 subnet of
INSTANCES instances (default 80, one RunInstances call with MinCount=MaxCount), the default group allowing ICMP from
10.0.0.0/8, a peering connection between every pair (7,875 for 126) accepted, and routes both ways. It is built
through the EC2 API with boto3 against a `localvpc serve --store memory` this script starts on a free loopback port
(or against --endpoint), then each form is run RUNS times as a subprocess with stdout to a file:

    /work/main/.venv/bin/python scripts/reachability-mesh.py --bin target/release/localvpc [--vpcs 126]
        [--instances 80] [--runs 3] [--full]

`--full` also times `--full --json` (hundreds of megabytes; the file is deleted afterwards). Every call is bounded:
the number of requests is fixed by the mesh size, each has a timeout, and the server is stopped at the end.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
import requests
from botocore.config import Config

ACCOUNT = "222222222222"  # a 12-digit access key is the account: the mesh lives apart from anything else
REGION = "us-east-1"
AMI = "ami-0123456789abcdef0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(binary: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen([binary, "serve", "--listen", f"127.0.0.1:{port}", "--store", "memory"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{endpoint}/_localvpc/health", timeout=1).status_code == 200:
                return server, endpoint
        except requests.RequestException:
            time.sleep(0.05)
    server.kill()
    sys.exit("the server did not become healthy within 15 s")


def build_mesh(endpoint: str, vpcs: int, instances: int) -> None:
    config = Config(retries={"total_max_attempts": 1}, read_timeout=120, max_pool_connections=8)
    ec2 = boto3.session.Session().client("ec2", region_name=REGION, endpoint_url=endpoint,
                                         aws_access_key_id=ACCOUNT, aws_secret_access_key="x", config=config)
    started = time.monotonic()
    vpc_ids, tables = [], []
    for n in range(vpcs):
        vpc = ec2.create_vpc(CidrBlock=f"10.{n}.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{n}.1.0/24")["Subnet"]["SubnetId"]
        group = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                      {"Name": "group-name", "Values": ["default"]}])
        ec2.authorize_security_group_ingress(GroupId=group["SecurityGroups"][0]["GroupId"], IpPermissions=[
            {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
        launched = ec2.run_instances(ImageId=AMI, MinCount=instances, MaxCount=instances, SubnetId=subnet)
        assert len(launched["Instances"]) == instances
        table = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                   {"Name": "association.main", "Values": ["true"]}])
        vpc_ids.append(vpc)
        tables.append(table["RouteTables"][0]["RouteTableId"])
    print(f"built {vpcs} VPCs with {vpcs * instances} instances in {time.monotonic() - started:.1f} s", flush=True)

    def peer(pair: tuple[int, int]) -> None:
        a, b = pair
        pcx = ec2.create_vpc_peering_connection(VpcId=vpc_ids[a], PeerVpcId=vpc_ids[b])
        pcx_id = pcx["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx_id)
        ec2.create_route(RouteTableId=tables[a], DestinationCidrBlock=f"10.{b}.0.0/16", VpcPeeringConnectionId=pcx_id)
        ec2.create_route(RouteTableId=tables[b], DestinationCidrBlock=f"10.{a}.0.0/16", VpcPeeringConnectionId=pcx_id)

    pairs = [(a, b) for a in range(vpcs) for b in range(a + 1, vpcs)]
    # A few threads overlap the client's own work (signing, XML); the server applies writes one at a time.
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        for _ in pool.map(peer, pairs):
            pass
    print(f"peered {len(pairs)} pairs with routes both ways; mesh ready after {time.monotonic() - started:.1f} s",
          flush=True)


def time_form(binary: str, endpoint: str, args: list[str], runs: int, folder: Path) -> tuple[list[float], int]:
    env = dict(os.environ, AWS_ACCESS_KEY_ID=ACCOUNT, AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION=REGION)
    env.pop("AWS_REGION", None)
    times, size = [], 0
    output = folder / "out"
    for _ in range(runs):
        with open(output, "wb") as sink:
            started = time.monotonic()
            done = subprocess.run([binary, "--endpoint", endpoint, "reachability", *args], stdout=sink,
                                  stderr=subprocess.PIPE, env=env, timeout=600)
            times.append(time.monotonic() - started)
        if done.returncode != 0:
            sys.exit(f"reachability {' '.join(args)} failed: {done.stderr.decode(errors='replace')}")
        size = output.stat().st_size
    output.unlink()
    return times, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default="target/release/localvpc")
    parser.add_argument("--endpoint", help="use this server instead of starting one (it must be empty)")
    parser.add_argument("--vpcs", type=int, default=126)
    parser.add_argument("--instances", type=int, default=80)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--full", action="store_true", help="also time --full --json")
    options = parser.parse_args()
    if not 1 <= options.vpcs <= 126 or not 1 <= options.instances <= 250 or not 1 <= options.runs <= 10:
        sys.exit("--vpcs 1..126, --instances 1..250, --runs 1..10")
    server = None
    endpoint = options.endpoint
    if endpoint is None:
        server, endpoint = start_server(options.bin)
    try:
        build_mesh(endpoint, options.vpcs, options.instances)
        time.sleep(1)  # the server compiles the topology once writes pause; the timings start after that
        forms = [[], ["--json"], ["--summary"], ["--summary", "--json"], ["--reachable"], ["--reachable", "--json"],
                 ["--unreachable"], ["--unreachable", "--json"]]
        if options.full:
            forms.append(["--full", "--json"])
        print("| command | runs (s) | median (s) | output |")
        print("|---|---|---|---|")
        with tempfile.TemporaryDirectory(prefix="localvpc-mesh-") as folder:
            for args in forms:
                times, size = time_form(options.bin, endpoint, args, options.runs, Path(folder))
                runs = ", ".join(f"{t:.2f}" for t in times)
                print(f"| `localvpc reachability {' '.join(args)}` | {runs} | {statistics.median(times):.2f} | "
                      f"{size:,} bytes |", flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
