"""STS GetCallerIdentity on the same endpoint (account derived from the access key, §1.2)."""
import pytest

from helpers import DEFAULT_ACCOUNT


@pytest.mark.parametrize("key,account", [
    ("test", DEFAULT_ACCOUNT),
    ("AKIAIOSFODNN7EXAMPLE", DEFAULT_ACCOUNT),
    ("111122223333", "111122223333"),
    ("000000000001", "000000000001"),
    ("12345678901", DEFAULT_ACCOUNT),     # 11 digits: not an account id
    ("1234567890123", DEFAULT_ACCOUNT),   # 13 digits: not an account id
])
def test_get_caller_identity(client_factory, key, account):
    sts = client_factory("sts", key=key)
    ident = sts.get_caller_identity()
    assert ident["Account"] == account
    assert ident["Arn"] == f"arn:aws:iam::{account}:root"
    assert ident.get("UserId")


def test_get_caller_identity_other_region(client_factory):
    ident = client_factory("sts", region="eu-west-1", key="444455556666").get_caller_identity()
    assert ident["Account"] == "444455556666"
    assert ident["Arn"] == "arn:aws:iam::444455556666:root"


def test_get_caller_identity_cli(aws):
    res = aws("sts", "get-caller-identity", key="777788889999").ok()
    assert res["Account"] == "777788889999"
    assert res["Arn"] == "arn:aws:iam::777788889999:root"
    res = aws("sts", "get-caller-identity").ok()
    assert res["Account"] == DEFAULT_ACCOUNT


def test_sts_account_matches_ec2_owner(client_factory):
    key = "135791357913"
    account = client_factory("sts", key=key).get_caller_identity()["Account"]
    ec2 = client_factory(key=key)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    assert vpc["OwnerId"] == account == key
