"""Shared assertions and builders for the localvpc end-to-end tests."""
from __future__ import annotations

import contextlib
import re
import urllib.parse
import xml.etree.ElementTree as ET

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

DEFAULT_ACCOUNT = "123456789012"
EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"

# Well-formed IDs that never exist (17 lowercase hex digits).
UNKNOWN = {
    "vpc": "vpc-0123456789abcdef0",
    "subnet": "subnet-0123456789abcdef0",
    "igw": "igw-0123456789abcdef0",
    "rtb": "rtb-0123456789abcdef0",
    "rtbassoc": "rtbassoc-0123456789abcdef0",
    "pcx": "pcx-0123456789abcdef0",
    "cidrassoc": "vpc-cidr-assoc-0123456789abcdef0",
}

AZ_TABLE = {
    "us-east-1": {"us-east-1a": "use1-az6", "us-east-1b": "use1-az1", "us-east-1c": "use1-az2",
                  "us-east-1d": "use1-az4", "us-east-1e": "use1-az3", "us-east-1f": "use1-az5"},
    "us-west-2": {"us-west-2a": "usw2-az2", "us-west-2b": "usw2-az1", "us-west-2c": "usw2-az3",
                  "us-west-2d": "usw2-az4"},
    "eu-west-1": {"eu-west-1a": "euw1-az3", "eu-west-1b": "euw1-az1", "eu-west-1c": "euw1-az2"},
    "ap-northeast-2": {"ap-northeast-2a": "apne2-az1", "ap-northeast-2b": "apne2-az2",
                       "ap-northeast-2c": "apne2-az3", "ap-northeast-2d": "apne2-az4"},
}


def assert_id(value: str, prefix: str) -> None:
    assert re.fullmatch(rf"{re.escape(prefix)}-[0-9a-f]{{17}}", value or ""), \
        f"{value!r} is not a {prefix}-<17 lowercase hex> id"


@contextlib.contextmanager
def ec2_error(code: str | set | None = None, message: str | None = None, *, status: int | None = 400,
              prefix: str | None = None):
    """Expect a botocore ClientError with exactly this code (or one of a set) and, if given, exactly this message
    (or a message starting with `prefix`) and HTTP status."""
    with pytest.raises(ClientError) as ei:
        yield ei
    err = ei.value.response.get("Error", {})
    got_status = ei.value.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if isinstance(code, (set, frozenset, tuple, list)):
        assert err.get("Code") in code, f"code {err.get('Code')!r} not in {code!r} (message {err.get('Message')!r})"
    elif code is not None:
        assert err.get("Code") == code, f"code {err.get('Code')!r} != {code!r} (message {err.get('Message')!r})"
    else:
        assert err.get("Code"), f"no error code in {ei.value.response!r}"
    if message is not None:
        assert err.get("Message") == message, f"[{err.get('Code')}] message mismatch"
    if prefix is not None:
        assert (err.get("Message") or "").startswith(prefix), \
            f"[{err.get('Code')}] message {err.get('Message')!r} does not start with {prefix!r}"
    if status is not None:
        assert got_status == status, f"[{err.get('Code')}] HTTP status {got_status} != {status}"


def cli_error(res, code: str, message: str | None = None):
    """Assert an aws CLI result is the given EC2 error."""
    assert res.rc != 0, f"expected failure, got rc=0 stdout={res.stdout!r}"
    assert res.code == code, f"CLI error code {res.code!r} != {code!r}; stderr={res.stderr!r}"
    if message is not None:
        assert res.message == message, f"CLI error message {res.message!r} != {message!r}"


def tags_of(obj_or_list) -> dict:
    lst = obj_or_list.get("Tags", []) if isinstance(obj_or_list, dict) else (obj_or_list or [])
    return {t["Key"]: t.get("Value") for t in lst}


def tag_spec(resource_type: str, **tags) -> list:
    return [{"ResourceType": resource_type, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


def create_vpc(ec2, cidr: str = "10.0.0.0/16", **tags) -> dict:
    kw = {"CidrBlock": cidr}
    if tags:
        kw["TagSpecifications"] = tag_spec("vpc", **tags)
    return ec2.create_vpc(**kw)["Vpc"]


def create_subnet(ec2, vpc_id: str, cidr: str, az: str | None = None, **tags) -> dict:
    kw = {"VpcId": vpc_id, "CidrBlock": cidr}
    if az:
        kw["AvailabilityZone"] = az
    if tags:
        kw["TagSpecifications"] = tag_spec("subnet", **tags)
    return ec2.create_subnet(**kw)["Subnet"]


def create_igw(ec2, **tags) -> dict:
    kw = {}
    if tags:
        kw["TagSpecifications"] = tag_spec("internet-gateway", **tags)
    return ec2.create_internet_gateway(**kw)["InternetGateway"]


def main_route_table(ec2, vpc_id: str) -> dict:
    rts = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                             {"Name": "association.main", "Values": ["true"]}])["RouteTables"]
    assert len(rts) == 1, f"expected exactly one main route table for {vpc_id}, got {rts!r}"
    return rts[0]


def route_table(ec2, rtb_id: str) -> dict:
    rts = ec2.describe_route_tables(RouteTableIds=[rtb_id])["RouteTables"]
    assert len(rts) == 1
    return rts[0]


def route_for(rt: dict, dest: str) -> dict | None:
    for r in rt.get("Routes", []):
        if r.get("DestinationCidrBlock") == dest:
            return r
    return None


def ids(items, key) -> set:
    return {i[key] for i in items}


def strip_meta(resp: dict) -> dict:
    resp = dict(resp)
    resp.pop("ResponseMetadata", None)
    return resp


# ---------------------------------------------------------------------------------------------
# Raw (signed) HTTP requests for protocol-level tests
# ---------------------------------------------------------------------------------------------
def signed_request(endpoint: str, params=None, *, method: str = "POST", body: bytes | str | None = None,
                   query: dict | str | None = None, region: str = "us-east-1", key: str = "test",
                   content_type: str | None = "application/x-www-form-urlencoded; charset=utf-8",
                   sign: bool = True, timeout: float = 30) -> requests.Response:
    """Send a SigV4-signed request exactly as given. `params` (dict or list of pairs) is form-encoded into the
    body for POST, or into the query string for GET."""
    url = endpoint.rstrip("/") + "/"
    if params is not None and method == "GET":
        query = params
        params = None
    if query is not None:
        url += "?" + (query if isinstance(query, str) else urllib.parse.urlencode(query))
    if params is not None:
        body = urllib.parse.urlencode(params)
    if isinstance(body, str):
        body = body.encode("utf-8")
    headers = {}
    if content_type and body is not None:
        headers["Content-Type"] = content_type
    req = AWSRequest(method=method, url=url, data=body, headers=headers)
    if sign:
        SigV4Auth(Credentials(key, "test"), "ec2", region).add_auth(req)
    prepared = req.prepare()
    return requests.request(prepared.method, prepared.url, headers=dict(prepared.headers), data=prepared.body,
                            timeout=timeout)


def parse_error_xml(text: str) -> dict:
    """Parse `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`."""
    root = ET.fromstring(text)
    assert root.tag == "Response", f"error root element is {root.tag!r}, expected 'Response'"
    errors = root.find("Errors")
    assert errors is not None, "no <Errors> in error response"
    err = errors.find("Error")
    assert err is not None, "no <Errors><Error> in error response"
    code = err.findtext("Code")
    assert code, "empty <Code>"
    rid = root.findtext("RequestID")
    assert rid, "no <RequestID> (capital ID) in error response"
    return {"Code": code, "Message": err.findtext("Message"), "RequestID": rid}


def assert_ec2_error_response(resp: requests.Response, status=None, code=None) -> dict:
    if status is None:
        assert 400 <= resp.status_code < 500, f"HTTP {resp.status_code}: {resp.text[:500]}"
    else:
        assert resp.status_code == status, f"HTTP {resp.status_code} != {status}: {resp.text[:500]}"
    parsed = parse_error_xml(resp.text)
    if code is not None:
        if isinstance(code, (set, tuple, list)):
            assert parsed["Code"] in code, parsed
        else:
            assert parsed["Code"] == code, parsed
    return parsed
