"""Part 2 §10.10 key pairs: CreateKeyPair with real key material (rsa/ed25519, pem/ppk), ImportKeyPair,
DescribeKeyPairs, DeleteKeyPair and AWS's fingerprint rules, checked with `cryptography` and `hashlib` against
the material the server returned."""
from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from helpers import assert_id, cli_error, ec2_error, tag_spec, tags_of

# An OpenSSH RSA public key and the fingerprint AWS gives it on import: MD5 of the DER public key.
RSA_PUBLIC = (
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDusXfgTE4eBP50NglSzCSEGnIL6+cr6m3H6cZANOQ+P1o/W4BdtcAL3sor4iGi7SOeJgo8"
    "kweyMQrhrt6HaKGgromRiz37LQx4YIAcBi4Zd023mO/V7Rc2Chh18mWgLSmA6ng+j37ip6452zxtv0jHAz9pJolbKBpJzbZlPN45ZCTk9ck0"
    "fSVHRl6VRSSPQcpqi65XpRf+35zNOCGCc1mAOOTmw59Q2a6A3t8mL7r91aM5q6QOQm219lctFM8O7HRJnDgmhGpnjRwE1LyKktWTbgFZ4SNW"
    "U2XqusUO07jKuSxzPumXBeU+JEtx0J1tqZwJlpGt2R+0qN7nKnPl2+hx user@example")
RSA_FINGERPRINT = "6a:49:07:1c:7e:bd:d2:bd:96:25:fe:b5:74:83:ae:fd"
ED25519_PUBLIC = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEwsSB9HbTeKCdkSlMZeTq9jZggaPJUwAsUi/7wakB+B user@example"


def colon_hex(digest: bytes) -> str:
    return ":".join(f"{b:02x}" for b in digest)


def ed25519_fingerprint(openssh_line: str) -> str:
    return base64.b64encode(hashlib.sha256(base64.b64decode(openssh_line.split()[1])).digest()).decode()


def test_create_rsa_key_pair_returns_a_working_private_key_and_aws_fingerprint(ec2):
    created = ec2.create_key_pair(KeyName="deploy", TagSpecifications=tag_spec("key-pair", Team="net"))
    assert_id(created["KeyPairId"], "key")
    assert created["KeyName"] == "deploy"
    assert tags_of(created) == {"Team": "net"}
    material = created["KeyMaterial"]
    assert material.startswith("-----BEGIN RSA PRIVATE KEY-----\n")
    private = serialization.load_pem_private_key(material.encode(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey) and private.key_size == 2048
    # A created RSA key's fingerprint is the SHA-1 of its PKCS#8 DER private key.
    pkcs8 = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    assert created["KeyFingerprint"] == colon_hex(hashlib.sha1(pkcs8).digest())
    (described,) = ec2.describe_key_pairs(KeyNames=["deploy"], IncludePublicKey=True)["KeyPairs"]
    assert described["KeyPairId"] == created["KeyPairId"]
    assert described["KeyType"] == "rsa"
    assert described["KeyFingerprint"] == created["KeyFingerprint"]
    openssh = private.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                                serialization.PublicFormat.OpenSSH).decode()
    assert described["PublicKey"] == f"{openssh} deploy"
    assert described["CreateTime"].year >= 2024
    assert tags_of(described) == {"Team": "net"}
    # Without IncludePublicKey the public key is not shown; the private key is never shown again.
    (plain,) = ec2.describe_key_pairs(KeyPairIds=[created["KeyPairId"]])["KeyPairs"]
    assert "PublicKey" not in plain and "KeyMaterial" not in plain


def test_create_ed25519_key_pair_pem_is_an_openssh_private_key(ec2):
    created = ec2.create_key_pair(KeyName="ed", KeyType="ed25519")
    assert "Tags" not in created
    private = serialization.load_ssh_private_key(created["KeyMaterial"].encode(), password=None)
    assert isinstance(private, ed25519.Ed25519PrivateKey)
    openssh = private.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                                serialization.PublicFormat.OpenSSH).decode()
    # ED25519 fingerprints are base64 SHA-256 of the public key blob, with padding.
    assert created["KeyFingerprint"] == ed25519_fingerprint(openssh)
    assert len(created["KeyFingerprint"]) == 44 and created["KeyFingerprint"].endswith("=")
    (described,) = ec2.describe_key_pairs(Filters=[{"Name": "key-type", "Values": ["ed25519"]}])["KeyPairs"]
    assert (described["KeyName"], described["KeyType"]) == ("ed", "ed25519")
    other = ec2.create_key_pair(KeyName="ed2", KeyType="ed25519")
    assert other["KeyMaterial"] != created["KeyMaterial"]


@pytest.mark.parametrize("key_type, algorithm", [("rsa", "ssh-rsa"), ("ed25519", "ssh-ed25519")])
def test_ppk_key_material_is_a_putty_v3_file_with_a_valid_mac(ec2, key_type, algorithm):
    created = ec2.create_key_pair(KeyName=f"putty-{key_type}", KeyType=key_type, KeyFormat="ppk")
    lines = created["KeyMaterial"].splitlines()
    assert lines[:3] == [f"PuTTY-User-Key-File-3: {algorithm}", "Encryption: none", f"Comment: putty-{key_type}"]
    public_count = int(lines[3].split(": ")[1])
    public = base64.b64decode("".join(lines[4:4 + public_count]))
    private_header = lines[4 + public_count]
    private_count = int(private_header.split(": ")[1])
    private = base64.b64decode("".join(lines[5 + public_count:5 + public_count + private_count]))
    mac_line = lines[5 + public_count + private_count]

    def string(b: bytes) -> bytes:
        return len(b).to_bytes(4, "big") + b

    macced = b"".join(string(p) for p in (algorithm.encode(), b"none", f"putty-{key_type}".encode(), public, private))
    assert mac_line == "Private-MAC: " + hmac.new(b"", macced, hashlib.sha256).hexdigest()
    (described,) = ec2.describe_key_pairs(KeyNames=[f"putty-{key_type}"], IncludePublicKey=True)["KeyPairs"]
    assert base64.b64decode(described["PublicKey"].split()[1]) == public


def test_import_key_pair_fingerprints_and_public_key(ec2):
    rsa_pair = ec2.import_key_pair(KeyName="imported-rsa", PublicKeyMaterial=RSA_PUBLIC.encode())
    assert_id(rsa_pair["KeyPairId"], "key")
    assert rsa_pair["KeyFingerprint"] == RSA_FINGERPRINT
    ed_pair = ec2.import_key_pair(KeyName="imported-ed", PublicKeyMaterial=ED25519_PUBLIC.encode(),
                                  TagSpecifications=tag_spec("key-pair", Name="ed"))
    assert ed_pair["KeyFingerprint"] == ed25519_fingerprint(ED25519_PUBLIC)
    assert tags_of(ed_pair) == {"Name": "ed"}
    found = ec2.describe_key_pairs(Filters=[{"Name": "fingerprint", "Values": [RSA_FINGERPRINT]}],
                                   IncludePublicKey=True)["KeyPairs"]
    assert [(k["KeyName"], k["KeyType"]) for k in found] == [("imported-rsa", "rsa")]
    assert found[0]["PublicKey"] == " ".join(RSA_PUBLIC.split()[:2]) + " imported-rsa"
    # The RFC 4716 form of the same key is the same key.
    body = RSA_PUBLIC.split()[1]
    rfc4716 = "---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"user@example\"\n" + "\n".join(
        body[i:i + 70] for i in range(0, len(body), 70)) + "\n---- END SSH2 PUBLIC KEY ----\n"
    again = ec2.import_key_pair(KeyName="imported-rfc4716", PublicKeyMaterial=rfc4716.encode())
    assert again["KeyFingerprint"] == RSA_FINGERPRINT


def test_key_pair_errors_and_idempotent_delete(ec2, client_factory):
    ec2.create_key_pair(KeyName="taken")
    with ec2_error("InvalidKeyPair.Duplicate", "The keypair 'taken' already exists."):
        ec2.create_key_pair(KeyName="taken")
    with ec2_error("InvalidKeyPair.Duplicate", "The keypair 'taken' already exists."):
        ec2.import_key_pair(KeyName="taken", PublicKeyMaterial=ED25519_PUBLIC.encode())
    with ec2_error("InvalidKeyPair.NotFound", "The key pair 'missing' does not exist"):
        ec2.describe_key_pairs(KeyNames=["missing"])
    with ec2_error("InvalidKeyPair.NotFound"):
        ec2.describe_key_pairs(KeyPairIds=["key-0123456789abcdef0"])
    for garbage in (b"", b"---- BEGIN SSH2 PUBLIC KEY ----\nsth", b"ssh-rsa notbase64", b"hello"):
        with ec2_error("InvalidKeyPair.Format", "Key is not in valid OpenSSH public key format"):
            ec2.import_key_pair(KeyName="bad", PublicKeyMaterial=garbage)
    with ec2_error("InvalidParameterValue"):
        ec2.create_key_pair(KeyName="x" * 256)
    with ec2_error("DryRunOperation", status=412):
        ec2.create_key_pair(KeyName="dry", DryRun=True)
    assert [k["KeyName"] for k in ec2.describe_key_pairs()["KeyPairs"]] == ["taken"]
    # Key pairs are per Region.
    with ec2_error("InvalidKeyPair.NotFound", "The key pair 'taken' does not exist"):
        client_factory(region="us-east-2").describe_key_pairs(KeyNames=["taken"])
    # Deleting returns the pair's ID; deleting a missing pair succeeds without one.
    pair_id = ec2.describe_key_pairs(KeyNames=["taken"])["KeyPairs"][0]["KeyPairId"]
    deleted = ec2.delete_key_pair(KeyName="taken")
    assert (deleted["Return"], deleted["KeyPairId"]) == (True, pair_id)
    again = ec2.delete_key_pair(KeyName="taken")
    assert again["Return"] is True and "KeyPairId" not in again
    by_id = ec2.create_key_pair(KeyName="by-id", KeyType="ed25519")["KeyPairId"]
    assert ec2.delete_key_pair(KeyPairId=by_id)["KeyPairId"] == by_id
    assert ec2.describe_key_pairs()["KeyPairs"] == []


def test_key_pairs_cli(aws, tmp_path):
    created = aws("ec2", "create-key-pair", "--key-name", "cli", "--key-type", "ed25519").ok()
    assert created["KeyMaterial"].startswith("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    pub = tmp_path / "id.pub"
    pub.write_text(RSA_PUBLIC + "\n")
    imported = aws("ec2", "import-key-pair", "--key-name", "cli-imported", "--public-key-material",
                   f"fileb://{pub}").ok()
    assert imported["KeyFingerprint"] == RSA_FINGERPRINT
    listed = aws("ec2", "describe-key-pairs").ok()["KeyPairs"]
    assert sorted(k["KeyName"] for k in listed) == ["cli", "cli-imported"]
    cli_error(aws("ec2", "create-key-pair", "--key-name", "cli"), "InvalidKeyPair.Duplicate",
              "The keypair 'cli' already exists.")
    cli_error(aws("ec2", "describe-key-pairs", "--key-names", "nope"), "InvalidKeyPair.NotFound",
              "The key pair 'nope' does not exist")
    assert aws("ec2", "delete-key-pair", "--key-name", "cli").ok()["Return"] is True
    assert [k["KeyName"] for k in aws("ec2", "describe-key-pairs").ok()["KeyPairs"]] == ["cli-imported"]
