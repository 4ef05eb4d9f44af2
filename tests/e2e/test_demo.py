"""`localvpc demo`: the seed tutorial (VPC peering, ap-northeast-2) replayed against an in-process server.

The demo starts its own server on a free port with a memory store, so these tests need no shared server: the
conftest's per-test reset is overridden below. They run the binary as a subprocess and check the key steps of the
transcript and the exit status (0 only if every step behaved as AWS does).
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_state():
    """The demo brings its own server: nothing to reset (overrides conftest's fixture of the same name)."""
    yield


def binary() -> str:
    return os.environ.get("LOCALVPC_BIN", str(REPO_ROOT / "target" / "debug" / "localvpc"))


def demo(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    for var in ("LOCALVPC_ENDPOINT", "AWS_REGION", "AWS_DEFAULT_REGION", "RUST_LOG"):
        env.pop(var, None)
    return subprocess.run([binary(), "demo", *args], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, env=env)


def step(out: str, title: str) -> str:
    """The text of the step whose heading contains `title`, up to the next heading."""
    match = re.search(rf"^==> Step \d+: [^\n]*{re.escape(title)}[^\n]*\n(.*?)(?=^==> |\Z)", out, re.M | re.S)
    assert match, f"no step {title!r} in:\n{out}"
    return match.group(1)


def test_the_demo_replays_the_tutorial_as_aws_behaves():
    run = demo()
    assert run.returncode == 0, f"rc={run.returncode}\n{run.stdout}\n{run.stderr}"
    out = run.stdout
    assert "✗" not in out, out
    assert re.search(r"^✓ All \d+ steps behaved as AWS does \(\d+ checks passed\)\.$", out, re.M), out

    # Every step shows the command a user would type.
    assert ("$ aws ec2 create-vpc --cidr-block 10.6.0.0/16 --tag-specifications "
            "'ResourceType=vpc,Tags=[{Key=Name,Value=peeringVPC-A}]'") in out
    assert "$ aws ec2 create-vpc --cidr-block 10.7.0.0/16 " in out

    # SSH to the Elastic IP: timed out before the 0.0.0.0/0 route, a shell on A after.
    eip = re.search(r"^    eipalloc-[0-9a-f]{17}  (\d+\.\d+\.\d+\.\d+)$", out, re.M).group(1)
    assert f"ssh: connect to host {eip} port 22: Connection timed out" in step(out, "Elastic IP")
    after = step(out, "route 0.0.0.0/0")
    assert re.search(r"^\[ec2-user@ip-10-6-1-\d+ ~\]\$ exit$", after, re.M), after
    assert f"Connection to {eip} closed." in after

    # Ping before the peering: total loss, exactly as iputils prints it.
    before = step(out, "no peering yet")
    b_ip = re.search(r"^PING (10\.7\.1\.\d+) \(", before, re.M).group(1)
    assert "3 packets transmitted, 0 received, 100% packet loss" in before, before
    assert "Unreachable" not in before

    # Peering requested, then accepted.
    requested = step(out, "request a peering connection")
    assert re.search(r"^    pcx-[0-9a-f]{17}  initiating-request$", requested, re.M), requested
    assert '    pending-acceptance  "Pending Acceptance by 123456789012"' in requested
    accepted = step(out, "accept the peering connection")
    assert re.search(r"^    pcx-[0-9a-f]{17}  provisioning$", accepted, re.M), accepted
    assert '    active  "Active"' in accepted

    # One route is not enough; with both, the ping answers.
    assert "100% packet loss" in step(out, "route 10.7.0.0/16")
    b_routes = step(out, "route 10.6.0.0/16")
    assert re.search(r"^    10\.6\.0\.0/16\s+-> pcx-[0-9a-f]{17}\s+active$", b_routes, re.M), b_routes
    assert "0.0.0.0/0" not in b_routes, b_routes
    again = step(out, "ping B's instance again")
    assert "3 packets transmitted, 3 received, 0% packet loss" in again, again
    assert re.search(rf"^64 bytes from {re.escape(b_ip)}: icmp_seq=1 ttl=64 time=\d+\.\d+ ms$", again, re.M)

    # traceroute -I: one hop, B itself.
    trace = step(out, "traceroute -I")
    hops = [line for line in trace.splitlines() if re.match(r"^\s?\d+\s", line)]
    assert len(hops) == 1, trace
    assert hops[0].startswith(f" 1  {b_ip} ({b_ip})  "), hops

    # Split horizon: A's public name is A's private address inside the VPC, the Elastic IP outside.
    dns = step(out, "split horizon")
    name = "ec2-{}.ap-northeast-2.compute.amazonaws.com".format(eip.replace(".", "-"))
    inside, outside = dns.split("$ localvpc exec internet -- nslookup ")
    assert f"nslookup {name}" in inside and re.search(r"^Address: 10\.6\.1\.\d+$", inside, re.M), dns
    assert f"Address: {eip}\n" in outside, dns


def test_quiet_prints_the_headings_and_checks_only():
    run = demo("--quiet")
    assert run.returncode == 0, f"rc={run.returncode}\n{run.stdout}\n{run.stderr}"
    assert "==> Step 1: create the two VPCs" in run.stdout
    assert "  ✓ 0% packet loss" in run.stdout
    assert "$ aws ec2" not in run.stdout and "PING " not in run.stdout, run.stdout
