"""A bounded, seeded HTTP fuzz of the whole endpoint: no input may earn a 5xx, a reset connection or a dead server.

What is sent (a few thousand requests, under half a minute):
- every Action of botocore's EC2 model once with no parameters, then random Actions (mostly the ones localvpc serves)
  with random parameters built from the Action's input shape and serialised by botocore's own EC2 serializer, some
  of them then mangled (a list index out of range, a value replaced by junk);
- garbage bodies, bad UTF-8 and broken percent-escapes, out-of-range list indexes, huge parameter names and values,
  thousands of parameters;
- random JSON (and non-JSON) to the `/_localvpc/*` routes.

Every answer must be below 500; EC2 answers must be EC2 XML, `/_localvpc` answers JSON. Failures are collected and
reported together with the request that caused them. `LOCALVPC_FUZZ_SEED` and `LOCALVPC_FUZZ_REQUESTS` explore
further locally; the defaults are what CI runs.
"""
from __future__ import annotations

import datetime
import json
import os
import random
import re
import time
import urllib.parse
import xml.etree.ElementTree as ET

import botocore.serialize
import botocore.session
import pytest
import requests

SEED = int(os.environ.get("LOCALVPC_FUZZ_SEED", "20261130"))
REQUESTS = int(os.environ.get("LOCALVPC_FUZZ_REQUESTS", "3000"))
TIME_BUDGET_S = 25.0
FORM = "application/x-www-form-urlencoded; charset=utf-8"
AUTH = ("AWS4-HMAC-SHA256 Credential={key}/20261130/{region}/ec2/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date, Signature=" + "0" * 64)
ID_PATTERN = re.compile(rb"\b(?:vpc|subnet|igw|rtb|acl|sg|sgr|pcx|i|eni|eipalloc|eipassoc|rtbassoc|aclassoc|"
                        rb"vpc-cidr-assoc|nip|nia)-[0-9a-f]{8,17}\b")
BAD_INDEXES = ["0", "-1", "4294967296", "99999999999999999999", "x", "", "1e3", "+1", " 1", "0x1", "\u0661"]

_MODEL = botocore.session.get_session().get_service_model("ec2")
_SERIALIZER = botocore.serialize.create_serializer("ec2", include_validation=False)


def raw_query(text: str | bytes) -> str:
    """`text` as a request target allows it: bytes outside printable ASCII escaped, everything else (broken
    escapes included) left as it is."""
    return "".join(chr(byte) if 0x20 < byte < 0x7F and byte != 0x23 else f"%{byte:02X}"
                   for byte in (text if isinstance(text, bytes) else text.encode()))


def is_list_index(text: str) -> bool:
    return text.isascii() and text.isdigit() and int(text) < 2**32


class Fuzzer:
    def __init__(self, endpoint: str, seed: int):
        self.endpoint = endpoint.rstrip("/")
        self.rng = random.Random(seed)
        self.session = requests.Session()
        self.ids: list[str] = ["vpc-0123456789abcdef0", "i-1", "sg-", "subnet-zz"]
        self.served: list[str] = []
        self.failures: list[str] = []
        self.sent = 0
        self.previous = "nothing"  # the request before, for a connection the server closed after answering it

    # ---- sending and checking ------------------------------------------------------------------
    def send(self, what: str, method: str, path: str, *, body: bytes | None = None, query: str | bytes | None = None,
             content_type: str | None = FORM, expect: str = "xml") -> requests.Response | None:
        self.sent += 1
        key = self.rng.choice(["test", "111122223333", "444455556666"])
        region = self.rng.choice(["us-east-1", "us-east-1", "eu-west-1", "xx-nowhere-9"])
        headers = {"Authorization": AUTH.format(key=key, region=region)}
        if content_type:
            headers["Content-Type"] = content_type
        prepared = self.session.prepare_request(requests.Request(method, self.endpoint + path, data=body,
                                                                 headers=headers))
        if query:
            # Set after `prepare`, which would refuse (or repair) a broken percent-escape.
            prepared.url += "?" + raw_query(query)
        try:
            response = self.session.send(prepared, timeout=30)
        except requests.RequestException as error:
            self.failures.append(f"{what}: {type(error).__name__}: {error} — {method} {path} body={body!r:.300} "
                                 f"(after {self.previous})")
            self.session = requests.Session()
            return None
        self.check(what, response, expect, f"{method} {path} query={query!r:.200} body={body!r:.300}")
        self.previous = f"{what}: HTTP {response.status_code} {method} {path} body={body!r:.200}"
        return response

    def check(self, what: str, response: requests.Response, expect: str, request: str) -> None:
        if response.status_code >= 500:
            self.failures.append(f"{what}: HTTP {response.status_code} {response.text[:300]!r} — {request}")
            return
        if expect == "xml":
            try:
                root = ET.fromstring(response.content)
            except ET.ParseError as error:
                self.failures.append(f"{what}: HTTP {response.status_code}, not XML ({error}): "
                                     f"{response.text[:200]!r} — {request}")
                return
            if response.status_code >= 400 and root.find("Errors/Error/Code") is None:
                self.failures.append(f"{what}: HTTP {response.status_code} without an EC2 error code: "
                                     f"{response.text[:200]!r} — {request}")
            for found in ID_PATTERN.findall(response.content):
                if len(self.ids) < 400:
                    self.ids.append(found.decode())
        elif expect == "json":
            try:
                json.loads(response.content)
            except ValueError:
                self.failures.append(f"{what}: HTTP {response.status_code}, not JSON: {response.text[:200]!r} "
                                     f"— {request}")

    def form(self, what: str, pairs, *, method: str = "POST") -> requests.Response | None:
        encoded = urllib.parse.urlencode(pairs)
        if method == "GET":
            return self.send(what, "GET", "/", query=encoded, content_type=None)
        return self.send(what, "POST", "/", body=encoded.encode())

    # ---- values ----------------------------------------------------------------------------------
    def junk_text(self) -> str:
        rng = self.rng
        return rng.choice([
            "", " ", "null", "-1", "0", "true", "x" * rng.randint(1, 300), "\u00e9\u4e2d\U0001f600", "%", "%ZZ",
            "'; DROP TABLE vpc; --", "<xml>&amp;</xml>", "\t\n\r", "10.0.0.0/33", "300.1.1.1", "::/0",
            "0.0.0.0/0", "10.0.0.0/16", "10.0.1.0/24", "192.168.0.1", "*", "?", "vpc-*",
        ])

    def string_for(self, name: str, shape) -> str:
        rng = self.rng
        if shape.enum and rng.random() < 0.7:
            return rng.choice(shape.enum)
        lowered = name.lower()
        if rng.random() < 0.5 and ("id" in lowered or lowered.endswith("ids")):
            return rng.choice(self.ids)
        if "cidr" in lowered and rng.random() < 0.7:
            return f"10.{rng.randint(0, 255)}.{rng.choice([0, 1, 16])}.0/{rng.choice([16, 20, 24, 28, 8, 32, 0])}"
        if "protocol" in lowered and rng.random() < 0.7:
            return rng.choice(["tcp", "udp", "icmp", "-1", "6", "17", "1", "50", "999", "all"])
        if "zone" in lowered and rng.random() < 0.7:
            return rng.choice(["us-east-1a", "us-east-1f", "eu-west-1b", "use1-az1", "mars-1a"])
        return self.junk_text()

    def integer_for(self, operation: str, name: str) -> int:
        # ASSUMPTION of this test, not of localvpc: huge launch counts are the business of RunInstances' own
        # per-call ceiling; here they would only make a run slow, so launches stay small.
        if operation == "RunInstances" and name in ("MaxCount", "MinCount"):
            return self.rng.randint(0, 3)
        return self.rng.choice([-(2**63), -(2**31) - 1, -1, 0, 1, 2, 5, 22, 80, 100, 1000, 32766, 32767, 65535,
                                65536, 2**31 - 1, 2**31, 2**32, 2**63 - 1])

    def value_for(self, operation: str, name: str, shape, depth: int):
        rng = self.rng
        kind = shape.type_name
        if kind == "structure":
            if depth > 3:
                return {}
            members = list(shape.members.items())
            chosen = rng.sample(members, k=min(len(members), rng.randint(0, 4)))
            return {member: self.value_for(operation, member, member_shape, depth + 1)
                    for member, member_shape in chosen}
        if kind == "list":
            if depth > 3:
                return []
            return [self.value_for(operation, name, shape.member, depth + 1) for _ in range(rng.randint(0, 3))]
        if kind == "map":
            return {self.junk_text(): self.junk_text() for _ in range(rng.randint(0, 2))}
        if kind in ("integer", "long"):
            return self.integer_for(operation, name)
        if kind == "boolean":
            return rng.random() < 0.5
        if kind in ("double", "float"):
            return rng.choice([0.0, -1.5, 1e308, 3.14])
        if kind == "timestamp":
            return datetime.datetime(rng.randint(1970, 2100), 1, 1, tzinfo=datetime.timezone.utc)
        if kind == "blob":
            return bytes(rng.randrange(256) for _ in range(rng.randint(0, 20)))
        return self.string_for(name, shape)

    def action_pairs(self, operation: str) -> list[tuple[str, str]]:
        """A request for `operation` as botocore would serialise random (type-correct) input."""
        op_model = _MODEL.operation_model(operation)
        params = {}
        if op_model.input_shape is not None:
            members = list(op_model.input_shape.members.items())
            required = set(op_model.input_shape.required_members)
            for member, shape in members:
                if member in required or self.rng.random() < 0.35:
                    params[member] = self.value_for(operation, member, shape, 0)
        try:
            body = _SERIALIZER.serialize_to_request(params, op_model)["body"]
        except Exception:  # a value botocore itself cannot encode: send the bare action instead
            body = {"Action": operation, "Version": _MODEL.api_version}
        return list(body.items())

    def mangle(self, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        rng = self.rng
        pairs = list(pairs)
        for _ in range(rng.randint(1, 3)):
            choice = rng.random()
            if choice < 0.4 and pairs:
                # An index out of range in a key that has one, else a new list member with a bad index.
                at = rng.randrange(len(pairs))
                key, value = pairs[at]
                parts = key.split(".")
                numeric = [i for i, part in enumerate(parts) if part.isdigit()]
                if numeric:
                    parts[rng.choice(numeric)] = rng.choice(BAD_INDEXES)
                    pairs[at] = (".".join(parts), value)
                else:
                    pairs.append((f"{key}.{rng.choice(BAD_INDEXES)}", value))
            elif choice < 0.8 and pairs:
                at = rng.randrange(len(pairs))
                if pairs[at][0] not in ("Action", "Version"):
                    pairs[at] = (pairs[at][0], self.junk_text())
            else:
                pairs.append((rng.choice(["DryRun", "MaxResults", "NextToken", "Filter.1.Name"]), self.junk_text()))
        return pairs

    # ---- the request families ------------------------------------------------------------------
    def every_action_once(self) -> None:
        for operation in _MODEL.operation_names:
            response = self.form(f"bare {operation}", [("Action", operation), ("Version", _MODEL.api_version)])
            if response is not None and b"InvalidAction" not in response.content:
                self.served.append(operation)

    def random_action(self) -> None:
        pool = self.served if self.served and self.rng.random() < 0.85 else _MODEL.operation_names
        operation = self.rng.choice(pool)
        pairs = self.action_pairs(operation)
        if self.rng.random() < 0.35:
            pairs = self.mangle(pairs)
        self.form(f"action {operation}", pairs, method="GET" if self.rng.random() < 0.1 else "POST")

    def garbage_body(self) -> None:
        rng = self.rng
        body = bytes(rng.randrange(256) for _ in range(rng.randint(0, 2048)))
        content_type = rng.choice([FORM, "application/json", "text/plain", None, "multipart/form-data; boundary=x"])
        self.send("garbage body", "POST", "/", body=body, content_type=content_type)

    def bad_encoding(self) -> None:
        rng = self.rng
        action = rng.choice(self.served or ["DescribeVpcs"])
        junk = rng.choice([b"%", b"%Z", b"%ZZ", b"%C3%28", b"%FF%FE", b"%ED%A0%80", b"\xff\xfe", b"\xc3\x28",
                           b"%00", b"a%2", b"&&&", b"==", b"=x", b"%%%", b"+%2B+", b"\x00"])
        body = b"Action=" + action.encode() + b"&Version=2016-11-15&" + rng.choice(
            [junk + b"=1", b"VpcId.1=" + junk, b"Filter.1.Name=" + junk + b"&Filter.1.Value.1=" + junk, junk])
        if rng.random() < 0.5:
            self.send("bad encoding (body)", "POST", "/", body=body)
        else:
            self.send("bad encoding (query)", "GET", "/", query=body, content_type=None)

    def bad_index(self) -> None:
        rng = self.rng
        describes = [name for name in (self.served or ["DescribeVpcs"]) if name.startswith("Describe")]
        action = rng.choice(describes + ["DescribeVpcs"] * 5)
        index = rng.choice(BAD_INDEXES)
        member = rng.choice([f"Filter.{index}.Name", f"Filter.1.Value.{index}", f"VpcId.{index}",
                             f"SubnetId.{index}", f"GroupId.{index}", f"InstanceId.{index}", f"Filter.{index}"])
        pairs = [("Action", action), ("Version", "2016-11-15"), (member, "vpc-id")]
        if member.startswith("Filter.1.Value"):
            pairs.append(("Filter.1.Name", "vpc-id"))
        response = self.form(f"bad index {member}", pairs)
        # DescribeVpcs reads both lists: it may refuse for other reasons, never answer as if the member were absent.
        read_by_describe_vpcs = member.startswith(("Filter", "VpcId"))
        if (action == "DescribeVpcs" and read_by_describe_vpcs and not is_list_index(index)
                and response is not None and response.status_code == 200):
            self.failures.append(f"bad index {member} on {action} was answered 200: {response.text[:200]!r}")

    def huge(self) -> None:
        rng = self.rng
        size = rng.choice([10_000, 100_000, 500_000, 1_100_000])
        if rng.random() < 0.5:
            pairs = [("Action", "DescribeVpcs"), ("Version", "2016-11-15"), ("X" * size, "1")]
        else:
            pairs = [("Action", rng.choice(["CreateVpc", "CreateTags", "DescribeVpcs"])), ("Version", "2016-11-15"),
                     ("CidrBlock", "10.0.0.0/16"), ("ResourceId.1", rng.choice(self.ids)), ("Tag.1.Key", "k"),
                     (rng.choice(["Tag.1.Value", "CidrBlock", "Filter.1.Value.1"]), "v" * size)]
        self.form(f"huge parameter ({size} bytes)", pairs)

    def many(self) -> None:
        count = self.rng.choice([500, 2_000, 10_000])
        prefix = self.rng.choice(["VpcId", "Filter.1.Value", "Foo", "Filter"])
        pairs = [("Action", "DescribeVpcs"), ("Version", "2016-11-15"), ("Filter.1.Name", "vpc-id")]
        pairs += [(f"{prefix}.{n}", f"vpc-{n:017x}") for n in range(1, count + 1)]
        self.form(f"{count} parameters", pairs)

    def json_route(self) -> None:
        rng = self.rng
        path = rng.choice(["/_localvpc/v1/probe", "/_localvpc/v1/explain", "/_localvpc/v1/resolve",
                           "/_localvpc/v1/reachability", "/_localvpc/clock", "/_localvpc/health",
                           "/_localvpc/v1/nothing", "/_localvpc/v2/probe"])
        usual = "GET" if path.endswith("health") else "POST"
        method = usual if rng.random() < 0.85 else rng.choice(["GET", "POST", "PUT", "DELETE", "PATCH"])
        if rng.random() < 0.15:
            body = rng.choice([b"", b"{", b"\xff\xfe", b"[]", b"null", b"1e999", b'"x"', b'{"from": }',
                               bytes(rng.randrange(256) for _ in range(100))])
        else:
            body = json.dumps(self.json_value(0, top=True)).encode()
        # Every answer under `/_localvpc` is JSON: the routes' own answers and every refusal (bad body, unknown
        # path, other method), in the one error shape `{"error": {"code", "message"}}`.
        response = self.send(f"json {method} {path}", method, path, body=body, content_type="application/json",
                             expect="json")
        if response is not None and response.status_code >= 400:
            self.check_error_shape(f"json {method} {path}", response, f"{method} {path} body={body!r:.300}")

    def check_error_shape(self, what: str, response: requests.Response, request: str) -> None:
        try:
            error = json.loads(response.content).get("error")
        except (ValueError, AttributeError):
            return  # already recorded as not JSON
        if not (isinstance(error, dict) and isinstance(error.get("code"), str)
                and isinstance(error.get("message"), str)):
            self.failures.append(f"{what}: HTTP {response.status_code} without the JSON error shape: "
                                 f"{response.text[:200]!r} — {request}")

    def json_value(self, depth: int, top: bool = False):
        rng = self.rng
        if top or (depth < 3 and rng.random() < 0.2):
            keys = ["from", "to", "protocol", "port", "name", "vpc", "advance_seconds", "x", ""]
            return {rng.choice(keys): self.json_value(depth + 1) for _ in range(rng.randint(0, 5))}
        return rng.choice([
            None, True, False, 0, -1, 22, 65536, 2**31, 2**63 - 1, 2**64, -(2**63), 1.5, 1e300, -0.0,
            "internet", "icmp", "tcp", "udp", "sctp", "", "198.18.0.1", "10.0.0.5", "8.8.8.8", "ip-10-0-0-5.ec2.internal",
            "x" * 1000, rng.choice(self.ids), [rng.choice(self.ids)], [1, None, {}],
        ])

    def run(self, count: int, budget: float) -> None:
        started = time.monotonic()
        self.every_action_once()
        families = [(self.random_action, 50), (self.garbage_body, 8), (self.bad_encoding, 8), (self.bad_index, 10),
                    (self.huge, 2), (self.many, 1), (self.json_route, 20)]
        weights = [weight for _, weight in families]
        while self.sent < count and time.monotonic() - started < budget:
            family = self.rng.choices([f for f, _ in families], weights)[0]
            family()


def test_http_fuzz_finds_no_5xx_no_reset_and_leaves_the_server_healthy(server, ec2):
    fuzzer = Fuzzer(server.endpoint, SEED)
    started = time.monotonic()
    fuzzer.run(REQUESTS, TIME_BUDGET_S)
    elapsed = time.monotonic() - started
    assert not fuzzer.failures, f"{len(fuzzer.failures)} failures (seed {SEED}), first ones:\n" + \
        "\n".join(fuzzer.failures[:15])
    # Bounded, yet it did its job: every Action once and then random requests — a few thousand on an idle machine,
    # a hundred or more on a heavily loaded one — and localvpc's Actions were among them.
    assert fuzzer.sent >= len(_MODEL.operation_names) + 100, f"only {fuzzer.sent} requests in {elapsed:.1f}s"
    assert len(fuzzer.served) >= 60, fuzzer.served
    # Still alive and still right.
    assert server.proc.poll() is None, server.log_tail()
    assert requests.get(f"{server.endpoint}/_localvpc/health", timeout=5).json() == {"status": "ok"}
    vpc = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]
    found = ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"]
    assert [v["CidrBlock"] for v in found] == ["10.99.0.0/16"]
