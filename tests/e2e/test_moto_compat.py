"""moto's own EC2 test files, unchanged, run in server mode against localvpc.

Users bring moto-style test suites; moto's tests are the largest public body of "what a client expects EC2 to
answer". This test downloads moto's pinned source distribution from PyPI (its tests are not in the wheel), starts
one localvpc per xdist worker of moto's run, runs the files in `FILES`, and compares each test's outcome with three
lists in `moto_compat/`:

- `known_different.txt`: tests where moto and AWS disagree and localvpc answers as AWS does (each with its AWS
  reference). They are deselected: the only skip list.
- `out_of_scope.txt`: tests that need a feature filed separately (IPv6, VPC endpoints, prefix lists, NAT gateways,
  Transit Gateway, VPN, …). They run, and count neither way.
- `not_yet.txt`: tests that fail today and should not. The list only shrinks: a failure outside the three lists is
  a regression and fails this test; a test of `not_yet.txt` that passes must leave the list (so it cannot regress
  silently later) — the failure message says which lines to delete. An entry whose note starts `flaky:` passes
  or fails with what the moto test randomises, and may pass without leaving the list.

`LOCALVPC_MOTO_SDIST` points at an unpacked sdist instead of downloading one; `LOCALVPC_MOTO_WORKERS` sets the
number of workers (default 2).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import REPO_ROOT, LocalVpcServer

MOTO_VERSION = "5.2.5"
HERE = Path(__file__).resolve().parent / "moto_compat"
FILES = [
    "test_vpcs.py",
    "test_subnets.py",
    "test_route_tables.py",
    "test_internet_gateways.py",
    "test_availability_zones_and_regions.py",
    "test_vpc_peering.py",
    "test_security_groups.py",
    "test_network_acls.py",
    "test_elastic_ip_addresses.py",
    "test_instances.py",
    "test_key_pairs.py",
    "test_dhcp_options.py",
    "test_amis.py",
    "test_instance_types.py",
    "test_instance_type_offerings.py",
    "test_account_attributes.py",
    "test_elastic_network_interfaces.py",
]
# Where moto's run may take long: ~500 tests, a few requests each.
RUN_TIMEOUT_SECONDS = 1500


def read_list(name: str) -> dict[str, str]:
    """`test id  # why` lines of a list file → {test id: why}."""
    entries: dict[str, str] = {}
    for line in (HERE / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        test_id, _, why = line.partition("#")
        entries[test_id.strip()] = why.strip()
    return entries


def moto_sdist() -> Path:
    given = os.environ.get("LOCALVPC_MOTO_SDIST")
    if given:
        return Path(given)
    cache = REPO_ROOT / "target" / "moto-sdist"
    unpacked = cache / f"moto-{MOTO_VERSION}"
    if (unpacked / "tests" / "test_ec2").is_dir():
        return unpacked
    cache.mkdir(parents=True, exist_ok=True)
    # pip builds the sdist's metadata in an isolated environment of its own (setuptools from the index).
    download = subprocess.run(
        [sys.executable, "-m", "pip", "download", f"moto=={MOTO_VERSION}", "--no-deps", "--no-binary", ":all:",
         "-d", str(cache), "-q"],
        capture_output=True, text=True, timeout=600)
    archives = sorted(cache.glob(f"moto-{MOTO_VERSION}.tar.gz"))
    if not archives:
        pytest.fail(f"could not download moto {MOTO_VERSION}'s sdist from PyPI:\n{download.stdout}\n"
                    f"{download.stderr}", pytrace=False)
    with tarfile.open(archives[0]) as archive:
        archive.extractall(cache, filter="data")
    return unpacked


def outcomes(junit: Path) -> dict[str, str]:
    """Test id (`file.py::name`) → passed / failed / skipped, from pytest's JUnit XML."""
    result: dict[str, str] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        module = case.get("classname", "").split(".")[-1]
        test_id = f"{module}.py::{case.get('name')}"
        kinds = {child.tag for child in case}
        if kinds & {"failure", "error"}:
            result[test_id] = "failed"
        elif "skipped" in kinds:
            result[test_id] = "skipped"
        else:
            result[test_id] = "passed"
    return result


@pytest.mark.timeout(RUN_TIMEOUT_SECONDS + 120)
def test_moto_ec2_suite_passes_except_the_listed_differences(tmp_path):
    sdist = moto_sdist()
    known_different = read_list("known_different.txt")
    out_of_scope = read_list("out_of_scope.txt")
    not_yet = read_list("not_yet.txt")
    overlap = (set(known_different) & set(out_of_scope)) | (set(known_different) & set(not_yet)) | (
        set(out_of_scope) & set(not_yet))
    assert not overlap, f"tests listed twice: {sorted(overlap)}"

    workers = int(os.environ.get("LOCALVPC_MOTO_WORKERS", "2"))
    # A fixed ID seed: the same IDs for the same requests, so a test that depends on how IDs sort has one outcome.
    servers = [LocalVpcServer("memory", tmp_path, name=f"moto-{n}", extra_args=["--id-seed", "1"]).start()
               for n in range(workers)]
    junit = tmp_path / "moto.xml"
    try:
        env = {**os.environ,
               "TEST_SERVER_MODE": "true",
               "TEST_SERVER_MODE_ENDPOINT": servers[0].endpoint,
               "LOCALVPC_MOTO_ENDPOINTS": ",".join(server.endpoint for server in servers),
               "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "PYTHONPATH": str(HERE)}
        deselect = [arg for test_id in known_different for arg in ("--deselect", f"tests/test_ec2/{test_id}")]
        command = [sys.executable, "-m", "pytest", "-q", "-o", "addopts=", "-p", "no:cacheprovider", "-p", "plugin",
                   "-n", str(workers), f"--junitxml={junit}", *deselect,
                   *(f"tests/test_ec2/{name}" for name in FILES)]
        run = subprocess.run(command, cwd=sdist, env=env, capture_output=True, text=True,
                             timeout=RUN_TIMEOUT_SECONDS)
    finally:
        for server in servers:
            server.kill()
    assert junit.exists(), f"moto's run wrote no report (exit {run.returncode}):\n{run.stdout[-4000:]}\n{run.stderr}"
    results = outcomes(junit)
    assert len(results) > 300, f"only {len(results)} tests ran:\n{run.stdout[-4000:]}"

    failed = {test for test, outcome in results.items() if outcome == "failed"}
    regressions = sorted(failed - set(not_yet) - set(out_of_scope))
    # A `# flaky: …` entry passes or fails with something the test itself randomises (uuid names that sort either
    # way): it stays listed, and its passing is no news.
    fixed = sorted(test for test, why in not_yet.items() if results.get(test) == "passed" and not why.startswith(
        "flaky"))
    counted = [test for test, outcome in results.items() if outcome != "skipped" and test not in out_of_scope]
    passed = [test for test in counted if results[test] == "passed"]
    summary = (f"moto {MOTO_VERSION} EC2 files: {len(passed)}/{len(counted)} passed "
               f"({100 * len(passed) / max(len(counted), 1):.1f}%) of the tests in scope; "
               f"{len(known_different)} deselected as AWS-different, {len(out_of_scope)} out of scope")
    print(summary)
    assert not regressions, f"{summary}\nfailing and not listed in moto_compat/not_yet.txt:\n" + "\n".join(
        regressions) + f"\n\n{run.stdout[-6000:]}"
    assert not fixed, f"{summary}\npassing now — delete these lines from moto_compat/not_yet.txt:\n" + "\n".join(fixed)
