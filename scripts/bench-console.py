#!/usr/bin/env python3
"""Server-side time of every console list page for a Region of 100 VPCs and 1,000 instances, over HTTP.

    python3 scripts/bench-console.py [--binary target/release/localvpc]

Starts `localvpc serve` on a memory store, builds the Region with boto3 (100 VPCs, a subnet each, 10 instances per
subnet), then fetches each page 30 times after 3 warm-ups and prints the median and the 95th percentile of the
wall time of a GET on loopback (HTTP included, so an upper bound of the render). Needs boto3 and requests.
"""
import argparse
import socket
import statistics
import subprocess
import time

import boto3
import requests

PAGES = ["/console", "/console/vpcs", "/console/subnets", "/console/route-tables", "/console/internet-gateways",
         "/console/peering-connections", "/console/network-acls", "/console/security-groups", "/console/instances",
         "/console/elastic-ips", "/console/network-interfaces", "/console/volumes", "/console/dhcp-option-sets",
         "/console/map", "/console/tutorial"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="target/release/localvpc")
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen([args.binary, "serve", "--listen", f"127.0.0.1:{port}", "--store", "memory"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(endpoint + "/_localvpc/health", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                           aws_secret_access_key="test")
        image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
        for n in range(100):
            vpc = ec2.create_vpc(CidrBlock=f"10.{n}.0.0/16")["Vpc"]["VpcId"]
            subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{n}.1.0/24")["Subnet"]["SubnetId"]
            ec2.run_instances(ImageId=image, MinCount=10, MaxCount=10, SubnetId=subnet)
        instances = [i for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]]
        source, target = instances[0]["InstanceId"], instances[-1]["PrivateIpAddress"]
        PAGES.append(f"/console/map?from={source}&to={target}&protocol=icmp")
        session = requests.Session()
        print(f"{'page':60} {'median':>9} {'p95':>9}  bytes")
        for page in PAGES:
            times = []
            for attempt in range(33):
                start = time.perf_counter()
                answer = session.get(endpoint + page, timeout=30)
                elapsed = time.perf_counter() - start
                assert answer.status_code == 200, (page, answer.status_code)
                if attempt >= 3:
                    times.append(elapsed)
            times.sort()
            print(f"{page[:60]:60} {statistics.median(times) * 1000:7.2f}ms {times[int(len(times) * 0.95)] * 1000:7.2f}ms"
                  f"  {len(answer.content)}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
