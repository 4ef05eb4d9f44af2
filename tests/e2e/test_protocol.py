"""§1 EC2 Query protocol: envelopes, errors, DryRun, raw requests, paging."""
import socket
import xml.etree.ElementTree as ET

import pytest
import requests

from helpers import (EC2_NS, UNKNOWN, assert_ec2_error_response, cli_error, create_vpc, ec2_error, ids,
                     parse_error_xml, signed_request, tag_spec)

V = {"Version": "2016-11-15"}


# ------------------------------------------------------------------------------------------------
# DryRun
# ------------------------------------------------------------------------------------------------
DRY_MSG = "Request would have succeeded, but DryRun flag is set."


def test_dry_run_create_vpc(ec2):
    before = ids(ec2.describe_vpcs()["Vpcs"], "VpcId")
    with ec2_error("DryRunOperation", DRY_MSG, status=412):
        ec2.create_vpc(CidrBlock="10.0.0.0/16", DryRun=True)
    assert ids(ec2.describe_vpcs()["Vpcs"], "VpcId") == before


def test_dry_run_describe_and_delete(ec2):
    vid = create_vpc(ec2)["VpcId"]
    with ec2_error("DryRunOperation", DRY_MSG, status=412):
        ec2.describe_vpcs(DryRun=True)
    with ec2_error("DryRunOperation", DRY_MSG, status=412):
        ec2.delete_vpc(VpcId=vid, DryRun=True)
    assert ec2.describe_vpcs(VpcIds=[vid])["Vpcs"][0]["VpcId"] == vid
    with ec2_error("DryRunOperation", DRY_MSG, status=412):
        ec2.create_internet_gateway(DryRun=True)
    with ec2_error("DryRunOperation", DRY_MSG, status=412):
        ec2.create_subnet(VpcId=vid, CidrBlock="10.0.1.0/24", DryRun=True)
    assert ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vid]}])["Subnets"] == []


def test_dry_run_false_is_a_normal_call(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", DryRun=False)["Vpc"]
    assert vpc["CidrBlock"] == "10.0.0.0/16"


def test_dry_run_cli(aws):
    res = aws("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16", "--dry-run")
    cli_error(res, "DryRunOperation", DRY_MSG)


def test_dry_run_raw_status_and_shape(endpoint):
    r = signed_request(endpoint, {"Action": "CreateVpc", **V, "CidrBlock": "10.0.0.0/16", "DryRun": "true"})
    err = assert_ec2_error_response(r, status=412, code="DryRunOperation")
    assert err["Message"] == DRY_MSG


# ------------------------------------------------------------------------------------------------
# Envelopes
# ------------------------------------------------------------------------------------------------
def test_success_envelope(endpoint):
    r = signed_request(endpoint, {"Action": "DescribeVpcs", **V})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].lower().startswith("text/xml"), r.headers
    root = ET.fromstring(r.text)
    assert root.tag == f"{{{EC2_NS}}}DescribeVpcsResponse"
    rid = root.findtext(f"{{{EC2_NS}}}requestId")
    assert rid, "no <requestId>"
    items = root.findall(f"{{{EC2_NS}}}vpcSet/{{{EC2_NS}}}item")
    assert len(items) == 1  # the default VPC
    assert items[0].findtext(f"{{{EC2_NS}}}cidrBlock") == "172.31.0.0/16"
    assert items[0].findtext(f"{{{EC2_NS}}}isDefault") == "true"


def test_request_ids_are_unique(endpoint):
    seen = set()
    for _ in range(5):
        r = signed_request(endpoint, {"Action": "DescribeRegions", **V})
        seen.add(ET.fromstring(r.text).findtext(f"{{{EC2_NS}}}requestId"))
    assert len(seen) == 5


def test_return_true_for_no_output_operations(endpoint, ec2):
    vid = create_vpc(ec2)["VpcId"]
    r = signed_request(endpoint, {"Action": "CreateTags", **V, "ResourceId.1": vid, "Tag.1.Key": "k",
                                  "Tag.1.Value": "v"})
    assert r.status_code == 200, r.text
    root = ET.fromstring(r.text)
    assert root.tag == f"{{{EC2_NS}}}CreateTagsResponse"
    assert root.findtext(f"{{{EC2_NS}}}requestId")
    assert root.findtext(f"{{{EC2_NS}}}return") == "true"
    r = signed_request(endpoint, {"Action": "DeleteVpc", **V, "VpcId": vid})
    assert r.status_code == 200, r.text
    root = ET.fromstring(r.text)
    assert root.tag == f"{{{EC2_NS}}}DeleteVpcResponse"
    assert root.findtext(f"{{{EC2_NS}}}return") == "true"


def test_error_envelope_shape(endpoint):
    r = signed_request(endpoint, {"Action": "DescribeVpcs", **V, "VpcId.1": UNKNOWN["vpc"]})
    assert r.status_code == 400
    assert r.headers["Content-Type"].lower().startswith("text/xml"), r.headers
    err = parse_error_xml(r.text)
    assert err["Code"] == "InvalidVpcID.NotFound"
    assert err["Message"] == f"The vpc ID '{UNKNOWN['vpc']}' does not exist"
    root = ET.fromstring(r.text)
    assert [c.tag for c in root] == ["Errors", "RequestID"]


def test_error_request_id_surfaces_in_boto(ec2):
    with ec2_error("InvalidVpcID.NotFound") as ei:
        ec2.describe_vpcs(VpcIds=[UNKNOWN["vpc"]])
    assert ei.value.response["ResponseMetadata"].get("RequestId")


def test_success_request_id_surfaces_in_boto(ec2):
    assert ec2.describe_vpcs()["ResponseMetadata"].get("RequestId")


# ------------------------------------------------------------------------------------------------
# Request formats
# ------------------------------------------------------------------------------------------------
def test_get_query_string_request(endpoint, ec2):
    vid = create_vpc(ec2, "10.4.0.0/16")["VpcId"]
    r = signed_request(endpoint, {"Action": "DescribeVpcs", **V, "VpcId.1": vid}, method="GET")
    assert r.status_code == 200, r.text
    root = ET.fromstring(r.text)
    items = root.findall(f"{{{EC2_NS}}}vpcSet/{{{EC2_NS}}}item")
    assert [i.findtext(f"{{{EC2_NS}}}vpcId") for i in items] == [vid]


def test_get_query_string_mutation(endpoint, ec2):
    r = signed_request(endpoint, {"Action": "CreateVpc", **V, "CidrBlock": "10.44.0.0/16"}, method="GET")
    assert r.status_code == 200, r.text
    vid = ET.fromstring(r.text).findtext(f"{{{EC2_NS}}}vpc/{{{EC2_NS}}}vpcId")
    assert ec2.describe_vpcs(VpcIds=[vid])["Vpcs"][0]["CidrBlock"] == "10.44.0.0/16"


def test_get_query_string_error(endpoint):
    r = signed_request(endpoint, {"Action": "DescribeVpcs", **V, "VpcId.1": UNKNOWN["vpc"]}, method="GET")
    assert_ec2_error_response(r, status=400, code="InvalidVpcID.NotFound")


def test_params_split_between_query_string_and_body(endpoint, ec2):
    vid = create_vpc(ec2, "10.4.0.0/16")["VpcId"]
    r = signed_request(endpoint, {"VpcId.1": vid}, query={"Action": "DescribeVpcs", **V})
    assert r.status_code == 200, r.text
    items = ET.fromstring(r.text).findall(f"{{{EC2_NS}}}vpcSet/{{{EC2_NS}}}item")
    assert [i.findtext(f"{{{EC2_NS}}}vpcId") for i in items] == [vid]


def test_filters_sent_out_of_order(endpoint, ec2):
    a = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=tag_spec("vpc", k="a"))["Vpc"]["VpcId"]
    b = ec2.create_vpc(CidrBlock="10.1.0.0/16", TagSpecifications=tag_spec("vpc", k="b"))["Vpc"]["VpcId"]
    params = [("Action", "DescribeVpcs"), ("Version", "2016-11-15"),
              ("Filter.2.Value.2", "b"), ("Filter.2.Name", "tag:k"), ("Filter.2.Value.1", "a"),
              ("Filter.1.Value.1", "available"), ("Filter.1.Name", "state")]
    r = signed_request(endpoint, params)
    assert r.status_code == 200, r.text
    got = {i.findtext(f"{{{EC2_NS}}}vpcId") for i in ET.fromstring(r.text).findall(f"{{{EC2_NS}}}vpcSet/{{{EC2_NS}}}item")}
    assert got == {a, b}


# ------------------------------------------------------------------------------------------------
# Bad requests
# ------------------------------------------------------------------------------------------------
def test_unknown_action(endpoint):
    r = signed_request(endpoint, {"Action": "LaunchRocket", **V})
    assert_ec2_error_response(r, status=400, code="InvalidAction")


def test_unknown_action_get(endpoint):
    r = signed_request(endpoint, {"Action": "DescribeUnicorns", **V}, method="GET")
    assert_ec2_error_response(r, status=400, code="InvalidAction")


@pytest.mark.parametrize("action,params,missing", [
    ("CreateSubnet", {"CidrBlock": "10.0.0.0/24"}, "VpcId"),
    ("DeleteVpc", {}, "VpcId"),
    ("AttachInternetGateway", {"VpcId": UNKNOWN["vpc"]}, "InternetGatewayId"),
    ("CreateRouteTable", {}, "VpcId"),
    ("DeleteRoute", {"DestinationCidrBlock": "0.0.0.0/0"}, "RouteTableId"),
    ("DisassociateRouteTable", {}, "AssociationId"),
    ("DescribeVpcAttribute", {"Attribute": "enableDnsSupport"}, "VpcId"),
])
def test_missing_parameter(endpoint, action, params, missing):
    r = signed_request(endpoint, {"Action": action, **V, **params})
    err = assert_ec2_error_response(r, status=400, code="MissingParameter")
    prefix = "The request must contain the parameter "
    assert err["Message"].startswith(prefix), err
    assert err["Message"][len(prefix):].lower() == missing.lower(), err


@pytest.mark.parametrize("action,params", [
    ("DescribeVpcs", {"MaxResults": "abc"}),
    ("DescribeVpcs", {"MaxResults": "5.5"}),
    ("DescribeVpcs", {"MaxResults": "99999999999999999999999"}),
    ("DescribeVpcs", {"DryRun": "maybe"}),
    ("ModifyVpcAttribute", {"VpcId": "__VPC__", "EnableDnsSupport.Value": "yes please"}),
    ("ModifySubnetAttribute", {"SubnetId": "__SUBNET__", "MapPublicIpOnLaunch.Value": "2"}),
    ("CreateVpc", {"CidrBlock": "10.0.0.0/16", "AmazonProvidedIpv6CidrBlock": "sure"}),
])
def test_bad_parameter_types(endpoint, ec2, action, params):
    vid = create_vpc(ec2)["VpcId"]
    sid = ec2.create_subnet(VpcId=vid, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    params = {k: {"__VPC__": vid, "__SUBNET__": sid}.get(v, v) for k, v in params.items()}
    r = signed_request(endpoint, {"Action": action, **V, **params})
    assert_ec2_error_response(r, status=400)


GARBAGE_BODIES = [
    b"\x00\xff\xfe garbage \x01",
    b"Action=",
    b"Action",
    b"=&=&&==",
    b"Version=2016-11-15",
    b"Action=%zz%",
    b"Action=Describe%FFVpcs&Version=2016-11-15",
    b"Action=CreateVpc&Version=2016-11-15&CidrBlock=%00%01",
    b"Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16&TagSpecification.1.ResourceType=bogus"
    b"&TagSpecification.1.Tag.1.Key=a&TagSpecification.1.Tag.1.Value=b",
    b"Action=CreateTags&Version=2016-11-15&ResourceId.1=vpc-0123456789abcdef0&Tag.1.Value=orphan",
    b"Action=CreateRoute&Version=2016-11-15&RouteTableId=rtb-0123456789abcdef0&DestinationCidrBlock=" + b"9" * 5000,
    b"Action=DescribeVpcs&Version=2016-11-15&VpcId.1=" + b"\xc3\x28" * 100,
    b'{"Action": "DescribeVpcs"}',
    b"<xml>nope</xml>",
]

# Odd but not necessarily invalid: the server may answer 200 (with a well-formed envelope) or a 4xx error,
# never a 5xx.
ODD_BODIES = [
    b"Action=DescribeVpcs&Version=2016-11-15&Filter.x.Name=vpc-id&Filter.x.Value.1=a",
    b"Action=DescribeVpcs&Version=2016-11-15&Filter.1.Value.1=a",
    b"Action=DescribeVpcs&Version=2016-11-15&VpcId.0=vpc-0123456789abcdef0",
    b"Action=DescribeVpcs&Version=2016-11-15&VpcId.-1=vpc-0123456789abcdef0",
    b"Action=DescribeVpcs&Version=2016-11-15&VpcId.99999999999999999999999=vpc-0123456789abcdef0",
    b"Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.4294967296=x",
    b"Action=DescribeVpcs&Version=2016-11-15&Filter.99999999.Name=vpc-id&Filter.99999999.Value.1=x",
    b"Action=DescribeVpcs&Version=2016-11-15&" + b"a." * 3000 + b"=1",
    b"Action=DescribeVpcs&Version=2016-11-15&Action=DescribeSubnets",
    b"Action=DescribeVpcs&Version=1999-01-01",
    b"Action=DescribeVpcs",
    b"action=DescribeVpcs&version=2016-11-15",
    b"Action=DescribeVpcs&Version=2016-11-15&MaxResults=",
    b"Action=DescribeVpcs&Version=2016-11-15&NextToken=",
    b"Action=DescribeVpcs&Version=2016-11-15&" + b"&".join(b"Filter.%d.Name=tag:k&Filter.%d.Value.1=v" % (i, i)
                                                           for i in range(1, 400)),
]


@pytest.mark.parametrize("body", GARBAGE_BODIES, ids=[f"garbage{i}" for i in range(len(GARBAGE_BODIES))])
def test_garbage_bodies_get_xml_4xx(endpoint, body):
    r = signed_request(endpoint, body=body)
    assert_ec2_error_response(r)


@pytest.mark.parametrize("body", ODD_BODIES, ids=[f"odd{i}" for i in range(len(ODD_BODIES))])
def test_odd_bodies_never_5xx(endpoint, body):
    r = signed_request(endpoint, body=body)
    assert r.status_code < 500, f"HTTP {r.status_code}: {r.text[:500]}"
    if r.status_code == 200:
        root = ET.fromstring(r.text)
        assert root.tag.endswith("Response") and root.tag.startswith(f"{{{EC2_NS}}}"), r.text[:300]
        assert root.findtext(f"{{{EC2_NS}}}requestId")
    else:
        assert_ec2_error_response(r)


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", None, "multipart/form-data; boundary=x"])
def test_garbage_content_types_never_5xx(endpoint, content_type):
    r = signed_request(endpoint, body=b"\x89PNG\r\n\x1a\n\x00\x00", content_type=content_type)
    assert_ec2_error_response(r)


def test_unsigned_garbage_never_5xx(endpoint):
    r = signed_request(endpoint, body=b"\xde\xad\xbe\xef" * 64, sign=False)
    assert_ec2_error_response(r)


def test_server_still_healthy_after_garbage(endpoint, ec2):
    for body in GARBAGE_BODIES[:5]:
        signed_request(endpoint, body=body)
    assert create_vpc(ec2, "10.0.0.0/16")["CidrBlock"] == "10.0.0.0/16"


def _raw_http(port: int, head: bytes, body: bytes, timeout: float = 20) -> bytes:
    """Send a request over a plain socket, tolerating the server closing before the whole body is read."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(head)
            view = memoryview(body)
            while view:
                n = s.send(view[:65536])
                view = view[n:]
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        chunks = []
        while True:
            try:
                data = s.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


def _parse_http(raw: bytes):
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        out, rest = b"", body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0] or b"0", 16)
            if size == 0:
                break
            out, rest = out + rest[:size], rest[size + 2:]
        body = out
    return status, headers, body


def test_huge_body_is_413_with_ec2_error(server):
    body = b"Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=tag:x&Filter.1.Value.1=" + b"a" * (1024 * 1024 + 10)
    head = (f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    raw = _raw_http(server.port, head, body)
    assert raw, "server closed the connection without an HTTP response"
    status, headers, payload = _parse_http(raw)
    assert status == 413, raw[:500]
    parse_error_xml(payload.decode("utf-8", "replace"))


def test_body_just_under_limit_is_processed(endpoint):
    # ~1000 KiB of well-formed parameters: processed normally (the filter value is too long, so a 400).
    body = b"Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=tag:x&Filter.1.Value.1=" + b"c" * (1000 * 1024)
    r = signed_request(endpoint, body=body)
    assert_ec2_error_response(r, status=400, code="FilterLimitExceeded")


# ------------------------------------------------------------------------------------------------
# Paging
# ------------------------------------------------------------------------------------------------
@pytest.fixture
def twelve_vpcs(ec2):
    return [ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16", TagSpecifications=tag_spec("vpc", batch="paging", n=str(i)))
            ["Vpc"]["VpcId"] for i in range(12)]


def test_no_max_results_returns_everything(ec2, twelve_vpcs):
    resp = ec2.describe_vpcs()
    assert len(resp["Vpcs"]) == 13
    assert "NextToken" not in resp


def test_paging_describe_vpcs(ec2, twelve_vpcs):
    seen, pages, token = [], 0, None
    while True:
        kw = {"MaxResults": 5}
        if token:
            kw["NextToken"] = token
        resp = ec2.describe_vpcs(**kw)
        pages += 1
        assert len(resp["Vpcs"]) <= 5
        seen += [v["VpcId"] for v in resp["Vpcs"]]
        token = resp.get("NextToken")
        if not token:
            break
        assert pages < 10, "paging does not terminate"
    assert len(seen) == 13 and len(set(seen)) == 13, "pages overlap or miss items"
    assert set(seen) >= set(twelve_vpcs)
    assert pages == 3


def test_paging_with_filter(ec2, twelve_vpcs):
    flt = [{"Name": "tag:batch", "Values": ["paging"]}]
    first = ec2.describe_vpcs(Filters=flt, MaxResults=5)
    assert 0 < len(first["Vpcs"]) <= 5 and first.get("NextToken")
    got, token, calls = [v["VpcId"] for v in first["Vpcs"]], first["NextToken"], 1
    while token and calls < 6:
        page = ec2.describe_vpcs(Filters=flt, MaxResults=5, NextToken=token)
        calls += 1
        assert len(page["Vpcs"]) <= 5
        got += [v["VpcId"] for v in page["Vpcs"]]
        token = page.get("NextToken")
    assert not token, "paging does not terminate"
    assert sorted(got) == sorted(twelve_vpcs)


def test_paging_exact_multiple_has_no_trailing_token_loop(ec2, twelve_vpcs):
    flt = [{"Name": "tag:n", "Values": [str(i) for i in range(10)]}]
    seen, token, calls = [], None, 0
    while True:
        kw = {"Filters": flt, "MaxResults": 5}
        if token:
            kw["NextToken"] = token
        resp = ec2.describe_vpcs(**kw)
        calls += 1
        seen += [v["VpcId"] for v in resp["Vpcs"]]
        token = resp.get("NextToken")
        if not token or calls > 5:
            break
    assert sorted(seen) == sorted(twelve_vpcs[:10])
    assert calls <= 3


def test_boto3_paginator(ec2, twelve_vpcs):
    pages = list(ec2.get_paginator("describe_vpcs").paginate(PaginationConfig={"PageSize": 5}))
    assert [len(p["Vpcs"]) for p in pages] == [5, 5, 3]
    assert len({v["VpcId"] for p in pages for v in p["Vpcs"]}) == 13


def test_cli_auto_pagination_with_page_size(aws, twelve_vpcs):
    res = aws("ec2", "describe-vpcs", "--page-size", "5").ok()
    got = [v["VpcId"] for v in res["Vpcs"]]
    assert len(got) == 13 and len(set(got)) == 13
    assert set(got) >= set(twelve_vpcs)
    assert "NextToken" not in res


def test_cli_max_items_and_starting_token(aws, twelve_vpcs):
    first = aws("ec2", "describe-vpcs", "--page-size", "5", "--max-items", "7",
                "--filters", "Name=tag:batch,Values=paging").ok()
    assert len(first["Vpcs"]) == 7
    assert first.get("NextToken")
    rest = aws("ec2", "describe-vpcs", "--page-size", "5", "--starting-token", first["NextToken"],
               "--filters", "Name=tag:batch,Values=paging").ok()
    got = [v["VpcId"] for v in first["Vpcs"] + rest["Vpcs"]]
    assert sorted(got) == sorted(twelve_vpcs)


def test_paging_subnets_and_route_tables(ec2):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    for i in range(7):
        ec2.create_subnet(VpcId=vid, CidrBlock=f"10.0.{i}.0/24")
        ec2.create_route_table(VpcId=vid)
    flt = [{"Name": "vpc-id", "Values": [vid]}]
    subnets = list(ec2.get_paginator("describe_subnets").paginate(Filters=flt, PaginationConfig={"PageSize": 5}))
    assert all(len(p["Subnets"]) <= 5 for p in subnets) and 2 <= len(subnets) <= 3
    got = [s["SubnetId"] for p in subnets for s in p["Subnets"]]
    assert len(got) == 7 and len(set(got)) == 7
    rts = list(ec2.get_paginator("describe_route_tables").paginate(Filters=flt, PaginationConfig={"PageSize": 5}))
    assert all(len(p["RouteTables"]) <= 5 for p in rts) and 2 <= len(rts) <= 3
    got = [t["RouteTableId"] for p in rts for t in p["RouteTables"]]
    assert len(got) == 8 and len(set(got)) == 8


def test_paging_internet_gateways(ec2):
    made = {ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"] for _ in range(6)}
    pages = list(ec2.get_paginator("describe_internet_gateways").paginate(PaginationConfig={"PageSize": 5}))
    got = [g["InternetGatewayId"] for p in pages for g in p["InternetGateways"]]
    assert [len(p["InternetGateways"]) for p in pages] == [5, 2]
    assert set(got) >= made and len(got) == 7 and len(set(got)) == 7


@pytest.mark.parametrize("op", ["describe_vpcs", "describe_subnets", "describe_route_tables",
                                "describe_internet_gateways", "describe_network_acls", "describe_security_groups"])
def test_bad_next_token(ec2, op):
    with ec2_error("InvalidNextToken"):
        getattr(ec2, op)(MaxResults=5, NextToken="this-is-not-a-token")


MAX_RESULTS_LIMITS = [
    ("describe_vpcs", 5, 1000),
    ("describe_subnets", 5, 1000),
    ("describe_internet_gateways", 5, 1000),
    ("describe_network_acls", 5, 1000),
    ("describe_security_groups", 5, 1000),
    ("describe_route_tables", 5, 100),
]


@pytest.mark.parametrize("op,lo,hi", MAX_RESULTS_LIMITS)
def test_max_results_limits(ec2_raw, op, lo, hi):
    call = getattr(ec2_raw, op)
    assert call(MaxResults=lo)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert call(MaxResults=hi)["ResponseMetadata"]["HTTPStatusCode"] == 200
    for bad in (lo - 1, hi + 1, 0, -1):
        with ec2_error("InvalidParameterValue"):
            call(MaxResults=bad)


def test_max_results_limit_cli(aws):
    # botocore only checks the lower bound client-side, so 101 reaches the server
    cli_error(aws("ec2", "describe-route-tables", "--max-results", "101"), "InvalidParameterValue")


# ------------------------------------------------------------------------------------------------
# Service endpoints
# ------------------------------------------------------------------------------------------------
def test_moto_reset_endpoint(server, ec2):
    vid = create_vpc(ec2)["VpcId"]
    r = requests.post(f"{server.endpoint}/moto-api/reset", timeout=10)
    assert r.status_code == 200
    with ec2_error("InvalidVpcID.NotFound"):
        ec2.describe_vpcs(VpcIds=[vid])


def test_root_get_answers_200_when_ready(server):
    assert requests.get(f"{server.endpoint}/", timeout=5).status_code == 200
    assert requests.get(f"{server.endpoint}/_localvpc/health", timeout=5).status_code == 200


# ------------------------------------------------------------------------------------------------
# x-amzn-RequestId (issue 9): the JS SDK v3 reads the request ID from this header alone
# ------------------------------------------------------------------------------------------------
def request_id_of_body(text: str) -> str:
    root = ET.fromstring(text)
    found = [el.text for el in root.iter() if el.tag.split("}")[-1] in ("requestId", "RequestID", "RequestId")]
    assert len(found) == 1, text
    return found[0]


def test_request_id_header_was_missing_on_success(endpoint):
    resp = signed_request(endpoint, {"Action": "DescribeVpcs", **V})
    assert resp.status_code == 200, resp.text
    header = resp.headers.get("x-amzn-RequestId")
    assert header and header == request_id_of_body(resp.text)
    again = signed_request(endpoint, {"Action": "DescribeVpcs", **V})
    assert again.headers["x-amzn-RequestId"] != header


def test_request_id_header_was_missing_on_errors(endpoint):
    for params in ({"Action": "DescribeVpcs", "VpcId.1": UNKNOWN["vpc"], **V}, {"Action": "NoSuchAction", **V},
                   {**V}):
        resp = signed_request(endpoint, params)
        parsed = assert_ec2_error_response(resp)
        assert resp.headers.get("x-amzn-RequestId") == parsed["RequestID"], (params, resp.headers)


def test_request_id_header_on_sts(endpoint):
    import boto3
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                       aws_secret_access_key="test")
    meta = sts.get_caller_identity()["ResponseMetadata"]
    assert meta["HTTPHeaders"]["x-amzn-requestid"] == meta["RequestId"]


def test_request_id_header_matches_boto3_metadata(ec2):
    meta = ec2.describe_vpcs()["ResponseMetadata"]
    assert meta["RequestId"] and meta["HTTPHeaders"]["x-amzn-requestid"] == meta["RequestId"]
    with pytest.raises(ec2.exceptions.ClientError) as raised:
        ec2.describe_vpcs(VpcIds=[UNKNOWN["vpc"]])
    meta = raised.value.response["ResponseMetadata"]
    assert meta["RequestId"] and meta["HTTPHeaders"]["x-amzn-requestid"] == meta["RequestId"]
