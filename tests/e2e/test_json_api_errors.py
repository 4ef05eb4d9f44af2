"""Issue 8 defect 6: every answer of localvpc's own endpoints (`/_localvpc/*`, `/moto-api/*`) that is not a
success is one JSON shape, `{"error": {"code": "...", "message": "..."}}`, with a 4xx status for a client fault —
never invalid JSON, axum's plain text, EC2 XML or a bare status. Each refusal is paired with the request that works.

Driven with python requests, as curl would send them.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import requests

from conftest import LocalVpcServer

REPO_ROOT = Path(__file__).resolve().parents[2]
AUTH = {"Authorization": "AWS4-HMAC-SHA256 Credential=111111111111/20260101/us-east-1/ec2/aws4_request, "
                         "SignedHeaders=host, Signature=0"}


def assert_json_error(response: requests.Response, status: int, code: str, message: str) -> None:
    assert response.status_code == status, f"HTTP {response.status_code}: {response.text[:500]}"
    assert response.headers["Content-Type"] == "application/json", response.headers
    assert response.json() == {"error": {"code": code, "message": message}}, response.text[:500]


def post(endpoint: str, path: str, data: bytes | str | None = None, **kwargs) -> requests.Response:
    return requests.post(f"{endpoint}{path}", data=data, headers=AUTH, timeout=30, **kwargs)


PROBE = {"from": "internet", "to": "8.8.8.8", "protocol": "icmp"}


def test_clock_with_a_body_that_is_not_json_is_a_json_error(endpoint):
    # `curl -XPOST .../_localvpc/clock -d x` used to answer invalid JSON.
    assert_json_error(post(endpoint, "/_localvpc/clock", "x"), 400, "InvalidRequest",
                      "The request body is not valid JSON: expected value at line 1 column 1")
    assert_json_error(post(endpoint, "/_localvpc/clock", json.dumps({"advance_seconds": "soon"})), 400,
                      "InvalidParameterValue", "The field `advance_seconds` must be a non-negative integer")
    assert_json_error(post(endpoint, "/_localvpc/clock", "{}"), 400, "MissingParameter",
                      "The request must contain the field `advance_seconds`")
    moved = post(endpoint, "/_localvpc/clock", json.dumps({"advance_seconds": 60}))
    assert moved.status_code == 200 and moved.headers["Content-Type"] == "application/json"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", moved.json()["now"]), moved.text


@pytest.mark.parametrize("body", ["[1, 2]", '"advance"', "42", "null"])
def test_json_that_is_not_an_object_is_refused(endpoint, body):
    for path in ["/_localvpc/clock", "/_localvpc/v1/probe", "/_localvpc/v1/reachability"]:
        assert_json_error(post(endpoint, path, body), 400, "InvalidRequest", "The request body must be a JSON object")
    assert post(endpoint, "/_localvpc/v1/probe", json.dumps(PROBE)).json()["verdict"] == "reachable"


def test_oversized_body_to_a_v1_route_is_a_json_413(endpoint):
    # Bigger than axum's own 2 MiB limit, which used to answer in plain text, and than localvpc's 1 MiB.
    for size in [1024 * 1024 + 16, 3 * 1024 * 1024]:
        body = json.dumps({**PROBE, "padding": "a" * size})
        assert_json_error(post(endpoint, "/_localvpc/v1/probe", body), 413, "RequestTooLarge",
                          "The request body is too large: the limit is 1048576 bytes")
    # Just under the limit, the same request is served.
    served = post(endpoint, "/_localvpc/v1/probe", json.dumps({**PROBE, "padding": "a" * (1000 * 1024)}))
    assert served.status_code == 200 and served.json()["verdict"] == "reachable", served.text[:300]


@pytest.mark.parametrize("method,path", [
    ("GET", "/_localvpc/nope"), ("POST", "/_localvpc/v1/nope"), ("GET", "/_localvpc"),
    ("POST", "/_localvpc/v2/probe"), ("GET", "/moto-api/data.json"),
])
def test_unknown_path_is_a_json_404_not_ec2_xml(endpoint, method, path):
    response = requests.request(method, f"{endpoint}{path}", headers=AUTH, timeout=30)
    assert_json_error(response, 404, "NotFound", f"There is no localvpc endpoint at {path}")
    health = requests.get(f"{endpoint}/_localvpc/health", timeout=30)
    assert (health.status_code, health.json()) == (200, {"status": "ok"})


@pytest.mark.parametrize("method,path", [
    ("GET", "/_localvpc/reset"), ("GET", "/_localvpc/v1/probe"), ("DELETE", "/_localvpc/clock"),
    ("PUT", "/moto-api/reset"), ("POST", "/_localvpc/health"),
])
def test_wrong_method_is_a_json_405(endpoint, method, path):
    response = requests.request(method, f"{endpoint}{path}", headers=AUTH, timeout=30)
    assert_json_error(response, 405, "MethodNotAllowed", f"{path} does not answer {method}")
    reset = post(endpoint, "/_localvpc/reset")
    assert (reset.status_code, reset.json()) == (200, {"reset": True})


@pytest.mark.parametrize("body,code,message", [
    ({"to": "8.8.8.8"}, "MissingParameter", "The request must contain the field `from`"),
    ({"from": "internet"}, "MissingParameter", "The request must contain the field `to`"),
    ({"from": 7, "to": "8.8.8.8"}, "InvalidParameterValue", "The field `from` must be a string"),
    ({**PROBE, "protocol": "tcp"}, "MissingParameter", "The request must contain the field `port`"),
    ({**PROBE, "protocol": "tcp", "port": 70000}, "InvalidParameterValue",
     "The field `port` must be an integer between 1 and 65535"),
    ({**PROBE, "protocol": "sctp"}, "InvalidParameterValue", "The field `protocol` must be one of icmp, tcp, udp"),
    ({**PROBE, "from": "vpc-0123456789abcdef0"}, "InvalidParameterValue",
     "'vpc-0123456789abcdef0' is neither `internet` nor an instance or interface of this account and region"),
    ({**PROBE, "from": "i-0123456789abcdef0"}, "InvalidInstanceID.NotFound",
     "The instance ID 'i-0123456789abcdef0' does not exist"),
    ({**PROBE, "from": "eni-0123456789abcdef0"}, "InvalidNetworkInterfaceID.NotFound",
     "The networkInterface ID 'eni-0123456789abcdef0' does not exist"),
])
def test_v1_probe_with_a_missing_or_wrong_field_names_it(endpoint, body, code, message):
    for route in ["probe", "explain"]:
        assert_json_error(post(endpoint, f"/_localvpc/v1/{route}", json.dumps(body)), 400, code, message)
    assert post(endpoint, "/_localvpc/v1/explain", json.dumps(PROBE)).json()["verdict"] == "reachable"


def test_v1_resolve_and_reachability_name_their_fields(endpoint):
    assert_json_error(post(endpoint, "/_localvpc/v1/resolve", json.dumps({"from": "internet"})), 400,
                      "MissingParameter", "The request must contain the field `name`")
    assert_json_error(post(endpoint, "/_localvpc/v1/reachability", json.dumps({"vpc": "vpc-1"})), 400,
                      "InvalidParameterValue", "The field `vpc` must be a list of VPC IDs")
    resolved = post(endpoint, "/_localvpc/v1/resolve", json.dumps({"from": "internet", "name": "example.com"}))
    assert resolved.status_code == 200 and resolved.json()["status"] == "NXDOMAIN", resolved.text
    matrix = post(endpoint, "/_localvpc/v1/reachability", json.dumps({"vpc": [], "form": "full"}))
    assert (matrix.status_code, matrix.json()) == (200, {"form": "full", "instances": 0, "ordered_pairs": 0,
                                                         "reachable_pairs": 0, "nodes": [], "reachable": []})


def test_stopped_vantage_is_a_json_409(client_factory, endpoint):
    ec2 = client_factory(key="111111111111")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    instance = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0][
        "InstanceId"]
    running = post(endpoint, "/_localvpc/v1/probe", json.dumps({**PROBE, "from": instance}))
    assert running.status_code == 200, running.text
    ec2.stop_instances(InstanceIds=[instance])
    assert_json_error(post(endpoint, "/_localvpc/v1/probe", json.dumps({**PROBE, "from": instance})), 409,
                      "IncorrectInstanceState", f"{instance} is stopped: it cannot send packets")


def test_cli_prints_the_message_of_a_json_error(server):
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "111111111111", "AWS_SECRET_ACCESS_KEY": "x",
           "AWS_DEFAULT_REGION": "us-east-1"}
    binary = os.environ.get("LOCALVPC_BIN", str(REPO_ROOT / "target" / "debug" / "localvpc"))

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([binary, "--endpoint", server.endpoint, *args], capture_output=True, text=True,
                              env=env, timeout=60)

    explain = run("explain", "i-0123456789abcdef0", "8.8.8.8")
    assert (explain.returncode, explain.stderr) == (2, "localvpc: The instance ID 'i-0123456789abcdef0' does not "
                                                       "exist\n"), explain
    matrix = run("reachability", "--vpc", "vpc-0123456789abcdef0")
    assert (matrix.returncode, matrix.stderr) == (2, "localvpc: The vpc ID 'vpc-0123456789abcdef0' does not "
                                                     "exist\n"), matrix
    works = run("explain", "internet", "8.8.8.8")
    assert works.returncode == 0 and "reachable" in works.stdout, works


def test_json_requests_get_the_request_span_and_debug_line(log_dir):
    server = LocalVpcServer("memory", log_dir, name="debug-log", extra_args=["--log", "debug"])
    server.start()
    try:
        assert post(server.endpoint, "/_localvpc/v1/probe", json.dumps(PROBE)).status_code == 200
        assert post(server.endpoint, "/_localvpc/v1/probe", "{}").status_code == 400
        assert requests.get(f"{server.endpoint}/_localvpc/nope", timeout=30).status_code == 404
    finally:
        server.stop()
    log = server.log_path.read_text()
    span = r"request\{method=POST path=/_localvpc/v1/probe account=111111111111 region=us-east-1 " \
           r"request_id=[0-9a-f-]{36}\}"
    assert re.search(span + r".*answered status=200", log), log[-3000:]
    assert re.search(span + r".*refused status=400 code=\"MissingParameter\"", log), log[-3000:]
    assert re.search(r"request\{method=GET path=/_localvpc/nope account=123456789012 region=us-east-1 "
                     r"request_id=[0-9a-f-]{36}\}.*refused status=404 code=\"NotFound\"", log), log[-3000:]
