"""Resource IDs (issue 9): random by default, reproducible with `serve --id-seed N`, and shape checks as loose as
AWS's (prefix + 8 or more hex digits is well-formed: NotFound, not Malformed)."""
import re

import pytest

from conftest import LocalVpcServer
from helpers import cli_error, create_vpc, ec2_error

LONG_ID = re.compile(r"^vpc-[0-9a-f]{17}$")


def first_ids_after_reset(srv, client_factory):
    """Reset `srv`, then the default VPC's ID and the first created VPC's ID."""
    srv.reset()
    ec2 = client_factory(endpoint=srv.endpoint)
    created = create_vpc(ec2)["VpcId"]
    default = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v["IsDefault"]]
    assert LONG_ID.match(created), created
    assert len(default) == 1, default
    return default[0], created


def test_ids_repeated_after_every_reset(server, client_factory):
    """Regression: every reset used to restart the same ID sequence, so a state saved before a reset matched the
    resources created after it."""
    first = first_ids_after_reset(server, client_factory)
    second = first_ids_after_reset(server, client_factory)
    assert first[0] != second[0]
    assert first[1] != second[1]
    assert set(first).isdisjoint(second)


@pytest.fixture(scope="module")
def seeded_server(log_dir):
    srv = LocalVpcServer("memory", log_dir, name="id-seed", extra_args=["--id-seed", "42"])
    srv.start()
    yield srv
    srv.stop()


def test_id_seed_repeats_the_sequence_across_resets_and_processes(seeded_server, client_factory, log_dir):
    first = first_ids_after_reset(seeded_server, client_factory)
    second = first_ids_after_reset(seeded_server, client_factory)
    assert first == second
    other = LocalVpcServer("memory", log_dir, name="id-seed-43", extra_args=["--id-seed", "43"]).start()
    try:
        assert set(first_ids_after_reset(other, client_factory)).isdisjoint(first)
    finally:
        other.stop()


def test_id_seed_from_the_environment(log_dir, client_factory, monkeypatch, seeded_server):
    monkeypatch.setenv("LOCALVPC_ID_SEED", "42")
    srv = LocalVpcServer("memory", log_dir, name="id-seed-env").start()
    try:
        assert first_ids_after_reset(srv, client_factory) == first_ids_after_reset(seeded_server, client_factory)
    finally:
        srv.stop()


def test_created_ids_are_unique_and_well_formed(ec2):
    vpc_ids = [create_vpc(ec2, f"10.{n}.0.0/16")["VpcId"] for n in range(20)]
    assert len(set(vpc_ids)) == 20
    assert all(LONG_ID.match(vpc_id) for vpc_id in vpc_ids), vpc_ids


@pytest.mark.parametrize("acl_id", ["acl-000000000000", "acl-00000000", "acl-0123456789abcdef0123"])
def test_twelve_hex_digit_id_was_malformed(ec2, acl_id):
    """Regression: only 8 or 17 hex digits were well-formed; AWS answers NotFound for any 8+ hex digits (the
    amazon.aws collection's NACL tests use `acl-000000000000`)."""
    with ec2_error("InvalidNetworkAclID.NotFound", f"The networkAcl ID '{acl_id}' does not exist"):
        ec2.delete_network_acl(NetworkAclId=acl_id)
    # Positive control: what AWS calls malformed stays malformed.
    with ec2_error("InvalidNetworkAclId.Malformed"):
        ec2.delete_network_acl(NetworkAclId="acl-0000000")
    with ec2_error("InvalidNetworkAclId.Malformed"):
        ec2.delete_network_acl(NetworkAclId="acl-00000000000g")


def test_twelve_hex_digit_vpc_id_is_not_found_cli(aws):
    res = aws("ec2", "describe-vpcs", "--vpc-ids", "vpc-000000000000")
    cli_error(res, "InvalidVpcID.NotFound", "The vpc ID 'vpc-000000000000' does not exist")
    res = aws("ec2", "describe-vpcs", "--vpc-ids", "vpc-0000000")
    cli_error(res, "InvalidVpcID.Malformed")
