"""Bounded loads against a server of its own: what a team sharing one endpoint, or a CI fleet hammering it, does to
the server's memory. Each load runs for a fixed time with a fixed shape; the server's resident memory
(`VmRSS` of /proc/PID/status) is read after a warm-up and at the end.

Issue 8, defect 4: every VPC change followed by a DescribeVpcs left the old version's rendering behind in the
render cache (RSS rose from 10.6 MB to 150.9 MB in a 60 s mixed load and levelled at ~711 MB)."""
import time
import xml.etree.ElementTree as ET

import pytest
import requests

from conftest import LocalVpcServer
from helpers import EC2_NS

NS = {"ec2": EC2_NS}
WARM_UP_SECONDS = 4
LOAD_SECONDS = 20
LIVE_VPCS = 8
# 49 tags of 128 + 250 characters (a 50th tag changes every round): a rendering of about 20 KB per VPC version.
TAG_COUNT = 49


@pytest.fixture(scope="module")
def load_server(log_dir):
    srv = LocalVpcServer("memory", log_dir, name="load", extra_args=["--log", "warn"])
    srv.start()
    yield srv
    srv.stop()


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS line")


class MixedLoad:
    """Create, retag, modify, describe and delete VPCs over one keep-alive connection, as raw EC2 Query POSTs."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self.http = requests.Session()
        self.live: list[str] = []
        self.round = 0

    def call(self, action: str, **params) -> ET.Element:
        body = {"Action": action, "Version": "2016-11-15", **params}
        resp = self.http.post(self.endpoint, data=body, timeout=30)
        assert resp.status_code == 200, f"{action}: HTTP {resp.status_code} {resp.text[:300]}"
        return ET.fromstring(resp.content)

    def tags(self, prefix: str) -> dict:
        params = {"TagSpecification.1.ResourceType": "vpc"}
        for n in range(1, TAG_COUNT + 1):
            params[f"TagSpecification.1.Tag.{n}.Key"] = f"{prefix}-{n:03d}-" + "k" * 120
            params[f"TagSpecification.1.Tag.{n}.Value"] = f"{self.round}-" + "v" * 240
        return params

    def describe(self, *vpc_ids: str) -> dict:
        params = {f"VpcId.{n}": vpc_id for n, vpc_id in enumerate(vpc_ids, 1)}
        items = self.call("DescribeVpcs", **params).findall("ec2:vpcSet/ec2:item", NS)
        return {item.find("ec2:vpcId", NS).text: item for item in items}

    def one_round(self) -> None:
        """Three VPC changes, each followed by a DescribeVpcs that renders the new version."""
        self.round += 1
        created = self.call("CreateVpc", CidrBlock=f"10.{self.round % 250}.0.0/16", **self.tags("tag"))
        vpc_id = created.find("ec2:vpc/ec2:vpcId", NS).text
        self.live.append(vpc_id)
        assert list(self.describe(vpc_id)) == [vpc_id]
        target = self.live[self.round % len(self.live)]
        self.call("CreateTags", **{"ResourceId.1": target, "Tag.1.Key": "round", "Tag.1.Value": str(self.round)})
        # The answer is current, not a cached old version: the retagged VPC shows this round's tag.
        tags = {t.find("ec2:key", NS).text: t.find("ec2:value", NS).text
                for t in self.describe(target)[target].findall("ec2:tagSet/ec2:item", NS)}
        assert tags["round"] == str(self.round), tags
        assert len(tags) == TAG_COUNT + 1
        self.call("ModifyVpcAttribute", VpcId=target, **{"EnableDnsHostnames.Value": str(self.round % 2 == 0).lower()})
        self.describe(target)
        if self.round % 10 == 0:
            assert set(self.live) <= set(self.describe())
        if len(self.live) > LIVE_VPCS:
            self.call("DeleteVpc", VpcId=self.live.pop(0))

    def run_for(self, seconds: float) -> int:
        rounds = 0
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.one_round()
            rounds += 1
        return rounds


def test_render_cache_keeps_memory_bounded_under_vpc_churn(load_server):
    """Defect 4: RSS after a bounded mixed load (create/retag/modify/delete VPCs + DescribeVpcs) stays within 2x of
    the RSS after warm-up. Before the fix, every changed VPC left a ~15 KB rendering in the cache."""
    load_server.reset()
    pid = load_server.proc.pid
    load = MixedLoad(load_server.endpoint)
    warm_up_rounds = load.run_for(WARM_UP_SECONDS)
    after_warm_up = rss_kib(pid)
    rounds = load.run_for(LOAD_SECONDS)
    after_load = rss_kib(pid)
    print(f"rounds: warm-up {warm_up_rounds}, load {rounds}; VmRSS: after warm-up {after_warm_up} KiB, "
          f"after load {after_load} KiB")
    # The load really churned: hundreds of VPC versions were created and described (a leak of ~15 KB each would
    # show as tens of megabytes).
    assert rounds >= 100, f"only {rounds} rounds in {LOAD_SECONDS} s: the load did not exercise the cache"
    assert after_load <= 2 * after_warm_up, (
        f"VmRSS grew from {after_warm_up} KiB after warm-up to {after_load} KiB after {rounds} rounds")
    # Positive control: the server still answers, and with the live VPCs only (the default VPC plus LIVE_VPCS).
    final = load.describe()
    assert len(final) == LIVE_VPCS + 1 and set(load.live) < set(final)
