"""Strict authentication: `localvpc serve --auth sigv4 --credentials FILE` (DESIGN contracts, spec §1.2).

Every request but the liveness probes must carry a valid Signature Version 4 by a key of the credentials file;
refusals are AWS's codes with AWS's statuses — EC2 answers `AuthFailure` (401) for a wrong signature or an unknown
key and `RequestExpired` (400) for a stale request or an expired presigned URL, STS names the case
(`SignatureDoesNotMatch`, `InvalidClientTokenId`, 403), both answer `MissingAuthenticationToken` (403) and
`IncompleteSignature` (400). Requests are signed by botocore (boto3, the aws CLI, `SigV4Auth` for the JSON and
admin endpoints) and by the `localvpc` CLI itself; each refusal test has its positive control.
"""
from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from unittest import mock

import botocore.auth
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import LocalVpcServer, make_client, run_aws

REPO_ROOT = Path(__file__).resolve().parents[2]
FORM = "application/x-www-form-urlencoded; charset=utf-8"
VERSION = "Version=2016-11-15"

# (access key, secret, the account the server must give it)
ALICE = ("AKIDALICEEXAMPLE", "alice/secret+key", "111111111111")   # account from her line
BOB = ("222222222222", "bob-secret", "222222222222")               # 12-digit key: the key is the account
CAROL = ("AKIDCAROLEXAMPLE", "carol-secret", "123456789012")       # neither: the default account

CREDENTIALS_FILE = f"""# localvpc strict-mode keys
{ALICE[0]}  {ALICE[1]}  {ALICE[2]}

{BOB[0]}\t{BOB[1]}   # Bob's key is his account
{CAROL[0]} {CAROL[1]}
"""


@pytest.fixture(scope="module")
def strict(tmp_path_factory, log_dir):
    folder = tmp_path_factory.mktemp("strict")
    credentials = folder / "credentials"
    credentials.write_text(CREDENTIALS_FILE)
    server = LocalVpcServer("memory", log_dir, name="strict",
                            extra_args=["--auth", "sigv4", "--credentials", str(credentials)])
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fresh_strict_state(strict):
    response = send_signed(strict, "POST", "/_localvpc/reset")
    assert response.status_code == 200, response.text
    yield


@contextlib.contextmanager
def clock(offset: datetime.timedelta):
    """botocore signs as if its clock were `offset` away from the real one."""
    real = botocore.auth.get_current_datetime
    with mock.patch.object(botocore.auth, "get_current_datetime", lambda *a, **k: real(*a, **k) + offset):
        yield


def signed_headers(url: str, method: str = "POST", body: bytes = b"", headers: dict | None = None,
                   who=ALICE, region: str = "us-east-1", service: str = "ec2",
                   offset: datetime.timedelta = datetime.timedelta(0)) -> dict:
    """The headers botocore's SigV4 signer gives this request."""
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    with clock(offset):
        SigV4Auth(Credentials(who[0], who[1]), service, region).add_auth(request)
    return dict(request.headers.items())


def send_signed(server, method: str, path: str, body: bytes = b"", content_type: str = "application/json",
                who=ALICE, **sign) -> requests.Response:
    url = server.endpoint + path
    headers = signed_headers(url, method, body, {"Content-Type": content_type}, who=who, **sign)
    return requests.request(method, url, data=body, headers=headers, timeout=10)


def ec2(server, who=ALICE, region: str = "us-east-1"):
    return make_client(server.endpoint, "ec2", region, who[0], who[1])


def sts(server, who=ALICE):
    return make_client(server.endpoint, "sts", "us-east-1", who[0], who[1])


def xml_error(response: requests.Response) -> tuple[int, str, str]:
    """(status, code, message) of an EC2 (`Response/Errors/Error`) or STS (`ErrorResponse/Error`) error body."""
    root = ET.fromstring(response.text)
    code = root.find(".//{*}Code") if root.find(".//Code") is None else root.find(".//Code")
    message = root.find(".//{*}Message") if root.find(".//Message") is None else root.find(".//Message")
    return response.status_code, code.text, message.text


def json_error(response: requests.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["error"]["code"], body["error"]["message"]


def client_error(call) -> tuple[int, str, str]:
    with pytest.raises(Exception) as raised:
        call()
    error = raised.value.response
    return error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"], error["Error"]["Message"]


AUTH_FAILURE = (401, "AuthFailure", "AWS was not able to validate the provided access credentials")
STS_MISMATCH = (403, "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. Check your AWS "
                "Secret Access Key and signing method. Consult the service documentation for details.")
EXPIRED = (400, "RequestExpired", "Request has expired.")
MISSING = (403, "MissingAuthenticationToken",
           "The request must contain either a valid (registered) AWS access key ID or X.509 certificate.")


# ---------------------------------------------------------------------------------------------------------------
# Signed requests pass, and the account is the one the file gives the key
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", [ALICE, BOB, CAROL], ids=["account-on-line", "twelve-digit-key", "default"])
def test_botocore_signed_requests_pass_as_the_account_of_the_credentials_file(strict, who):
    identity = sts(strict, who).get_caller_identity()
    assert (identity["Account"], identity["Arn"]) == (who[2], f"arn:aws:iam::{who[2]}:root")
    client = ec2(strict, who, region="eu-west-1")
    vpc = client.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]
    assert vpc["OwnerId"] == who[2]
    described = client.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"]
    assert [(v["VpcId"], v["CidrBlock"], v["OwnerId"]) for v in described] == [(vpc["VpcId"], "10.8.0.0/16", who[2])]


def test_accounts_from_the_credentials_file_are_isolated(strict):
    alice_vpc = ec2(strict, ALICE).create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    assert alice_vpc in [v["VpcId"] for v in ec2(strict, ALICE).describe_vpcs()["Vpcs"]]
    assert alice_vpc not in [v["VpcId"] for v in ec2(strict, CAROL).describe_vpcs()["Vpcs"]]


def test_aws_cli_signed_requests_pass_and_a_wrong_secret_is_refused(strict):
    identity = run_aws(strict.endpoint, "sts", "get-caller-identity", key=ALICE[0], secret=ALICE[1]).ok()
    assert identity["Account"] == ALICE[2]
    created = run_aws(strict.endpoint, "ec2", "create-vpc", "--cidr-block", "10.10.0.0/16",
                      key=BOB[0], secret=BOB[1]).ok()
    assert created["Vpc"]["OwnerId"] == BOB[2]

    refused = run_aws(strict.endpoint, "ec2", "describe-vpcs", key=BOB[0], secret="not-bobs-secret")
    assert refused.rc != 0
    assert (refused.code, refused.message) == AUTH_FAILURE[1:], refused.stderr
    refused = run_aws(strict.endpoint, "sts", "get-caller-identity", key=BOB[0], secret="not-bobs-secret")
    assert (refused.code, refused.message) == STS_MISMATCH[1:], refused.stderr


# ---------------------------------------------------------------------------------------------------------------
# Wrong secret, unknown key, changed body
# ---------------------------------------------------------------------------------------------------------------
def test_wrong_secret_is_refused_with_ec2_and_sts_codes(strict):
    wrong = (ALICE[0], "not-alices-secret", ALICE[2])
    assert client_error(lambda: ec2(strict, wrong).describe_vpcs()) == AUTH_FAILURE
    assert client_error(lambda: sts(strict, wrong).get_caller_identity()) == STS_MISMATCH
    assert sts(strict, ALICE).get_caller_identity()["Account"] == ALICE[2]


def test_unknown_access_key_is_refused_with_ec2_and_sts_codes(strict):
    stranger = ("AKIDNOTINTHEFILE", ALICE[1], "")
    assert client_error(lambda: ec2(strict, stranger).describe_vpcs()) == AUTH_FAILURE
    assert client_error(lambda: sts(strict, stranger).get_caller_identity()) == (
        403, "InvalidClientTokenId", "The security token included in the request is invalid.")
    # A 12-digit key that is not in the file is no account either: only the file's keys work.
    assert client_error(lambda: ec2(strict, ("333333333333", "x", "")).describe_vpcs()) == AUTH_FAILURE


def test_flipped_body_byte_is_refused_and_changes_nothing(strict):
    body = f"Action=CreateVpc&{VERSION}&CidrBlock=10.1.0.0%2F16".encode()
    headers = signed_headers(strict.endpoint + "/", body=body, headers={"Content-Type": FORM})
    flipped = body.replace(b"10.1.0.0", b"10.3.0.0")  # one byte: '1' ^ 0x02
    assert sum(a != b for a, b in zip(body, flipped)) == 1
    refused = requests.post(strict.endpoint + "/", data=flipped, headers=headers, timeout=10)
    assert xml_error(refused) == AUTH_FAILURE
    assert ec2(strict).describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.3.0.0/16"]}])["Vpcs"] == []

    accepted = requests.post(strict.endpoint + "/", data=body, headers=headers, timeout=10)
    assert accepted.status_code == 200, accepted.text
    vpc_id = ET.fromstring(accepted.text).find(".//{*}vpcId").text
    assert [v["CidrBlock"] for v in ec2(strict).describe_vpcs(VpcIds=[vpc_id])["Vpcs"]] == ["10.1.0.0/16"]


def test_flipped_body_byte_is_refused_by_sts_as_signature_mismatch(strict):
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    headers = signed_headers(strict.endpoint + "/", body=body, headers={"Content-Type": FORM}, service="sts")
    refused = requests.post(strict.endpoint + "/", data=body.replace(b"2011", b"2010"), headers=headers, timeout=10)
    assert xml_error(refused) == STS_MISMATCH
    assert ET.fromstring(refused.text).tag == "{https://sts.amazonaws.com/doc/2011-06-15/}ErrorResponse"
    accepted = requests.post(strict.endpoint + "/", data=body, headers=headers, timeout=10)
    assert accepted.status_code == 200 and f"<Account>{ALICE[2]}</Account>" in accepted.text, accepted.text


# ---------------------------------------------------------------------------------------------------------------
# Time: the 15-minute window, presigned URLs
# ---------------------------------------------------------------------------------------------------------------
def test_request_signed_twenty_minutes_ago_is_refused_as_a_replay(strict):
    body = f"Action=DescribeVpcs&{VERSION}".encode()
    stale = signed_headers(strict.endpoint + "/", body=body, headers={"Content-Type": FORM},
                           offset=datetime.timedelta(minutes=-20))
    assert xml_error(requests.post(strict.endpoint + "/", data=body, headers=stale, timeout=10)) == EXPIRED
    recent = signed_headers(strict.endpoint + "/", body=body, headers={"Content-Type": FORM},
                            offset=datetime.timedelta(minutes=-10))
    assert requests.post(strict.endpoint + "/", data=body, headers=recent, timeout=10).status_code == 200

    sts_body = b"Action=GetCallerIdentity&Version=2011-06-15"
    stale = signed_headers(strict.endpoint + "/", body=sts_body, headers={"Content-Type": FORM}, service="sts",
                           offset=datetime.timedelta(minutes=-20))
    status, code, message = xml_error(requests.post(strict.endpoint + "/", data=sts_body, headers=stale, timeout=10))
    assert (status, code) == (403, "SignatureDoesNotMatch")
    assert re.fullmatch(r"Signature expired: (\d{8}T\d{6}Z) is now earlier than \d{8}T\d{6}Z "
                        r"\(\d{8}T\d{6}Z - 15 min\.\)", message), message
    assert message.split()[2] == stale["X-Amz-Date"]


def test_request_signed_twenty_minutes_ahead_is_refused(strict):
    early = datetime.timedelta(minutes=20)
    assert client_error(lambda: _with_clock(early, lambda: ec2(strict).describe_vpcs())) == EXPIRED
    status, code, message = client_error(lambda: _with_clock(early, lambda: sts(strict).get_caller_identity()))
    assert (status, code) == (403, "SignatureDoesNotMatch") and message.startswith("Signature not yet current: ")
    assert _with_clock(datetime.timedelta(minutes=10), lambda: ec2(strict).describe_vpcs())["Vpcs"]


def _with_clock(offset, call):
    with clock(offset):
        return call()


def test_expired_presigned_url_is_refused(strict):
    client = ec2(strict)
    fresh = client.generate_presigned_url("describe_vpcs", ExpiresIn=60, HttpMethod="GET")
    answer = requests.get(fresh, timeout=10)
    assert answer.status_code == 200 and "<DescribeVpcsResponse" in answer.text, answer.text
    assert "X-Amz-Expires=60" in fresh and "Authorization" not in answer.request.headers

    short = client.generate_presigned_url("describe_vpcs", ExpiresIn=1, HttpMethod="GET")
    time.sleep(2.2)
    assert xml_error(requests.get(short, timeout=10)) == EXPIRED

    identity = sts(strict).generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    assert f"<Account>{ALICE[2]}</Account>" in requests.get(identity, timeout=10).text
    with clock(datetime.timedelta(hours=-2)):
        stale_identity = sts(strict).generate_presigned_url("get_caller_identity", ExpiresIn=3600, HttpMethod="GET")
    status, code, message = xml_error(requests.get(stale_identity, timeout=10))
    assert (status, code) == (403, "SignatureDoesNotMatch") and message.endswith(" - 60 min.)"), message


def test_presigned_url_signed_with_a_skewed_clock_is_refused(strict):
    with clock(datetime.timedelta(hours=-2)):
        stale = ec2(strict).generate_presigned_url("describe_vpcs", ExpiresIn=3600, HttpMethod="GET")
    assert xml_error(requests.get(stale, timeout=10)) == EXPIRED
    with clock(datetime.timedelta(hours=1)):
        early = ec2(strict).generate_presigned_url("describe_vpcs", ExpiresIn=3600, HttpMethod="GET")
    assert xml_error(requests.get(early, timeout=10)) == EXPIRED
    with clock(datetime.timedelta(minutes=-30)):
        within = ec2(strict).generate_presigned_url("describe_vpcs", ExpiresIn=3600, HttpMethod="GET")
    assert requests.get(within, timeout=10).status_code == 200


# ---------------------------------------------------------------------------------------------------------------
# Missing and incomplete signatures
# ---------------------------------------------------------------------------------------------------------------
def test_missing_authorization_header_is_refused(strict):
    body = f"Action=CreateVpc&{VERSION}&CidrBlock=10.4.0.0%2F16"
    assert xml_error(requests.post(strict.endpoint + "/", data=body, headers={"Content-Type": FORM},
                                   timeout=10)) == MISSING
    assert xml_error(requests.get(f"{strict.endpoint}/?Action=DescribeVpcs&{VERSION}", timeout=10)) == MISSING
    unsigned_sts = requests.post(strict.endpoint + "/", data="Action=GetCallerIdentity&Version=2011-06-15",
                                 headers={"Content-Type": FORM}, timeout=10)
    assert xml_error(unsigned_sts) == MISSING
    assert ET.fromstring(unsigned_sts.text).tag.endswith("ErrorResponse")
    assert ec2(strict).describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.4.0.0/16"]}])["Vpcs"] == []


def test_missing_x_amz_date_is_refused_as_an_incomplete_signature(strict):
    body = f"Action=DescribeVpcs&{VERSION}".encode()
    headers = signed_headers(strict.endpoint + "/", body=body, headers={"Content-Type": FORM})
    assert requests.post(strict.endpoint + "/", data=body, headers=headers, timeout=10).status_code == 200
    del headers["X-Amz-Date"]
    status, code, message = xml_error(requests.post(strict.endpoint + "/", data=body, headers=headers, timeout=10))
    assert (status, code) == (400, "IncompleteSignature")
    assert message.startswith("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    assert f"Authorization=AWS4-HMAC-SHA256 Credential={ALICE[0]}/" in message


def test_garbled_authorization_header_is_refused_as_an_incomplete_signature(strict):
    headers = {"Content-Type": FORM, "X-Amz-Date": "20260101T000000Z",
               "Authorization": f"AWS4-HMAC-SHA256 Credential={ALICE[0]}/20260101/us-east-1/ec2/aws4_request"}
    response = requests.post(strict.endpoint + "/", data=f"Action=DescribeVpcs&{VERSION}", headers=headers, timeout=10)
    status, code, message = xml_error(response)
    assert (status, code) == (400, "IncompleteSignature")
    assert message.startswith("Authorization header requires 'Signature' parameter. "
                              "Authorization header requires 'SignedHeaders' parameter."), message


# ---------------------------------------------------------------------------------------------------------------
# The JSON API, the admin endpoints and the liveness probes
# ---------------------------------------------------------------------------------------------------------------
def launch(server, who=ALICE, count: int = 1) -> list[dict]:
    client = ec2(server, who)
    vpc = client.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet = client.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    return client.run_instances(ImageId="ami-0123456789abcdef0", InstanceType="t3.micro", MinCount=count,
                                MaxCount=count, SubnetId=subnet)["Instances"]


def test_json_api_refuses_unsigned_requests_and_accepts_signed_ones(strict):
    instance = launch(strict)[0]
    # The full form lists every node, so the answer shows whose instances the signer sees.
    body = json.dumps({"vpc": [], "form": "full"}).encode()
    unsigned = requests.post(strict.endpoint + "/_localvpc/v1/reachability", data=body,
                             headers={"Content-Type": "application/json"}, timeout=10)
    assert json_error(unsigned) == MISSING
    wrong = send_signed(strict, "POST", "/_localvpc/v1/reachability", body, who=(ALICE[0], "wrong", ""))
    assert json_error(wrong) == AUTH_FAILURE

    signed = send_signed(strict, "POST", "/_localvpc/v1/reachability", body)
    assert signed.status_code == 200, signed.text
    assert [node["instance"] for node in signed.json()["nodes"]] == [instance["InstanceId"]]
    # The account is the signer's: Carol's matrix does not hold Alice's instance.
    carol = send_signed(strict, "POST", "/_localvpc/v1/reachability", body, who=CAROL)
    assert (carol.status_code, carol.json()["nodes"]) == (200, [])

    probe = json.dumps({"from": instance["InstanceId"], "to": instance["PrivateIpAddress"]}).encode()
    for path in ("/_localvpc/v1/probe", "/_localvpc/v1/explain"):
        assert json_error(requests.post(strict.endpoint + path, data=probe, timeout=10)) == MISSING
        answered = send_signed(strict, "POST", path, probe)
        assert answered.status_code == 200 and answered.json()["address"] == instance["PrivateIpAddress"], answered.text
    resolve = json.dumps({"from": instance["InstanceId"], "name": "example.com"}).encode()
    assert json_error(requests.post(strict.endpoint + "/_localvpc/v1/resolve", data=resolve, timeout=10)) == MISSING
    resolved = send_signed(strict, "POST", "/_localvpc/v1/resolve", resolve)
    assert (resolved.status_code, resolved.json()["name"]) == (200, "example.com")


def test_admin_reset_and_clock_refuse_unsigned_requests_and_accept_signed_ones(strict):
    vpc = ec2(strict).create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    for path in ("/_localvpc/reset", "/moto-api/reset"):
        assert json_error(requests.post(strict.endpoint + path, timeout=10)) == MISSING
        assert json_error(send_signed(strict, "POST", path, who=(CAROL[0], "wrong", ""))) == AUTH_FAILURE
    assert [v["VpcId"] for v in ec2(strict).describe_vpcs(VpcIds=[vpc])["Vpcs"]] == [vpc]

    clock_body = json.dumps({"advance_seconds": 60}).encode()
    assert json_error(requests.post(strict.endpoint + "/_localvpc/clock", data=clock_body, timeout=10)) == MISSING
    advanced = send_signed(strict, "POST", "/_localvpc/clock", clock_body)
    assert advanced.status_code == 200 and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", advanced.json()["now"])

    reset = send_signed(strict, "POST", "/moto-api/reset")
    assert (reset.status_code, reset.json()) == (200, {"reset": True})
    assert client_error(lambda: ec2(strict).describe_vpcs(VpcIds=[vpc]))[1] == "InvalidVpcID.NotFound"


def test_curl_aws_sigv4_signs_the_json_api_and_admin_endpoints(strict):
    curl = shutil.which("curl")
    assert curl, "curl is part of the test toolchain"

    def run(who, *args):
        return subprocess.run([curl, "-s", "-w", "\\n%{http_code}", "--aws-sigv4", "aws:amz:us-east-1:ec2",
                               "--user", f"{who[0]}:{who[1]}", *args], capture_output=True, text=True, timeout=30)

    def answer(done):
        body, _, status = done.stdout.rpartition("\n")
        return int(status), json.loads(body)

    instance = launch(strict)[0]
    url = strict.endpoint + "/_localvpc/v1/reachability"
    status, matrix = answer(run(ALICE, "-X", "POST", url, "-H", "Content-Type: application/json", "-d",
                                '{"form": "full"}'))
    assert (status, [node["instance"] for node in matrix["nodes"]]) == (200, [instance["InstanceId"]])
    status, refused = answer(run((ALICE[0], "wrong"), "-X", "POST", strict.endpoint + "/_localvpc/reset"))
    assert (status, refused["error"]["code"]) == (401, "AuthFailure")
    assert ec2(strict).describe_instances()["Reservations"], "the refused reset changed nothing"
    status, reset = answer(run(ALICE, "-X", "POST", strict.endpoint + "/_localvpc/reset"))
    assert (status, reset) == (200, {"reset": True})
    assert ec2(strict).describe_instances()["Reservations"] == []


def test_data_plane_question_is_signed_over_its_query(strict):
    instance = launch(strict)[0]["InstanceId"]
    path = f"/_localvpc/v1/data-plane?vantage={instance}"
    assert json_error(requests.get(strict.endpoint + path, timeout=10)) == MISSING
    answered = send_signed(strict, "GET", path)
    assert (answered.status_code, answered.json()) == (200, {"dataPlane": "model"}), answered.text
    # The query is signed: the same signature with another vantage does not verify.
    headers = signed_headers(strict.endpoint + path, "GET")
    moved = requests.get(strict.endpoint + "/_localvpc/v1/data-plane?vantage=internet", headers=headers, timeout=10)
    assert json_error(moved) == AUTH_FAILURE


def test_liveness_probes_stay_open(strict):
    ready = requests.get(strict.endpoint + "/", timeout=10)
    assert (ready.status_code, ready.text) == (200, "localvpc is ready\n")
    health = requests.get(strict.endpoint + "/_localvpc/health", timeout=10)
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    # Only the probe itself: `GET /` with an Action is an EC2 request and needs a signature, as does any other path.
    assert xml_error(requests.get(f"{strict.endpoint}/?Action=DescribeVpcs&{VERSION}", timeout=10)) == MISSING
    assert xml_error(requests.post(f"{strict.endpoint}/some/other/path", data=f"Action=DescribeVpcs&{VERSION}",
                                   headers={"Content-Type": FORM}, timeout=10)) == MISSING


def test_default_server_still_accepts_any_key_and_secret(server):
    client = make_client(server.endpoint, "sts", key="444455556666", secret="anything at all")
    identity = client.get_caller_identity()
    assert identity["Account"] == "444455556666"
    assert requests.post(server.endpoint + "/_localvpc/v1/reachability", data="{}", timeout=10).status_code == 200


# ---------------------------------------------------------------------------------------------------------------
# The localvpc CLI signs with the secret of its environment
# ---------------------------------------------------------------------------------------------------------------
def localvpc(server, *args, key: str, secret: str | None) -> subprocess.CompletedProcess:
    binary = os.environ.get("LOCALVPC_BIN", str(REPO_ROOT / "target" / "debug" / "localvpc"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "LOCALVPC_ENDPOINT"}
    env.update({"AWS_ACCESS_KEY_ID": key, "AWS_DEFAULT_REGION": "us-east-1"})
    if secret is not None:
        env["AWS_SECRET_ACCESS_KEY"] = secret
    return subprocess.run([binary, "--endpoint", server.endpoint, *args], capture_output=True, text=True, env=env,
                          timeout=60)


def test_localvpc_exec_ping_signs_with_the_environment_secret(strict):
    first, second = launch(strict, count=2)
    target = second["PrivateIpAddress"]
    ok = localvpc(strict, "exec", first["InstanceId"], "--", "ping", "-c", "2", target, key=ALICE[0], secret=ALICE[1])
    assert ok.returncode == 0, ok
    assert ok.stdout.startswith(f"PING {target} ({target}) 56(84) bytes of data.\n64 bytes from {target}: icmp_seq=1")
    assert "2 packets transmitted, 2 received, 0% packet loss" in ok.stdout

    wrong = localvpc(strict, "exec", first["InstanceId"], "--", "ping", "-c", "2", target, key=ALICE[0],
                     secret="not-alices-secret")
    assert (wrong.returncode, wrong.stdout) == (2, "")
    assert wrong.stderr == "localvpc: AuthFailure: AWS was not able to validate the provided access credentials\n"

    unsigned = localvpc(strict, "exec", first["InstanceId"], "--", "ping", "-c", "1", target, key=ALICE[0],
                        secret=None)
    # Without a secret the request goes out unsigned; the refusal says what to set.
    assert unsigned.returncode == 2 and unsigned.stderr.startswith("localvpc: IncompleteSignature: "), unsigned
    assert unsigned.stderr.endswith("(the server checks signatures: set AWS_SECRET_ACCESS_KEY, with "
                                    "AWS_ACCESS_KEY_ID, to a key of its credentials file)\n"), unsigned


def test_localvpc_reachability_signs_every_form_and_sees_the_signers_account(strict):
    first, second = launch(strict, count=2)
    ids = sorted([first["InstanceId"], second["InstanceId"]])
    # `--full --json` streams the answer through; the other forms are parsed. Both requests are signed.
    full = localvpc(strict, "reachability", "--full", "--json", key=ALICE[0], secret=ALICE[1])
    assert full.returncode == 0, full
    assert sorted(node["instance"] for node in json.loads(full.stdout)["nodes"]) == ids
    summary = localvpc(strict, "reachability", "--summary", "--json", key=ALICE[0], secret=ALICE[1])
    assert (summary.returncode, json.loads(summary.stdout)["instances"]) == (0, 2), summary
    # Carol's key maps to another account: she sees none of Alice's instances.
    carol = localvpc(strict, "reachability", "--full", "--json", key=CAROL[0], secret=CAROL[1])
    assert (carol.returncode, json.loads(carol.stdout)["nodes"]) == (0, []), carol
    wrong = localvpc(strict, "reachability", "--full", "--json", key=ALICE[0], secret="not-alices-secret")
    assert (wrong.returncode, wrong.stdout) == (2, "")
    assert wrong.stderr == "localvpc: AuthFailure: AWS was not able to validate the provided access credentials\n"
