"""§1.1 Query parameters: flattened list members whose index is not an index refuse the request.

A member such as `Filter.4294967296.Name` or `VpcId.-1` used to be skipped, so the request read as if the filter or
the ID were absent and DescribeVpcs answered every VPC. These tests send the raw form bodies an SDK never would.
"""
import xml.etree.ElementTree as ET

import pytest

from helpers import EC2_NS, assert_ec2_error_response, create_vpc, signed_request


def describe_vpcs_raw(endpoint, pairs):
    return signed_request(endpoint, [("Action", "DescribeVpcs"), ("Version", "2016-11-15"), *pairs])


def vpc_ids_in(response_text: str) -> list[str]:
    items = ET.fromstring(response_text).findall(f"{{{EC2_NS}}}vpcSet/{{{EC2_NS}}}item/{{{EC2_NS}}}vpcId")
    return sorted(item.text for item in items)


@pytest.fixture
def two_vpcs(ec2):
    """A VPC of our own beside the default VPC: a widened query would answer both."""
    ours = create_vpc(ec2)["VpcId"]
    everyone = sorted(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"])
    assert len(everyone) == 2 and ours in everyone
    return ours, everyone


@pytest.mark.parametrize("index", ["4294967296", "-1", "x", "99999999999999999999"])
def test_out_of_range_filter_index_is_refused_not_dropped(endpoint, two_vpcs, index):
    ours, _ = two_vpcs
    r = describe_vpcs_raw(endpoint, [(f"Filter.{index}.Name", "vpc-id"), (f"Filter.{index}.Value.1", ours)])
    err = assert_ec2_error_response(r, status=400, code="UnknownParameter")
    # Either member may be the one named (both are bad); the message names the whole parameter.
    assert err["Message"] in {f"The parameter Filter.{index}.Name is not recognized",
                              f"The parameter Filter.{index}.Value.1 is not recognized"}, err


@pytest.mark.parametrize("index", ["4294967296", "-1"])
def test_out_of_range_vpc_id_index_is_refused_not_dropped(endpoint, two_vpcs, index):
    ours, _ = two_vpcs
    r = describe_vpcs_raw(endpoint, [(f"VpcId.{index}", ours)])
    err = assert_ec2_error_response(r, status=400, code="UnknownParameter")
    assert err["Message"] == f"The parameter VpcId.{index} is not recognized"


def test_out_of_range_filter_value_index_is_refused_not_dropped(endpoint, two_vpcs):
    ours, _ = two_vpcs
    r = describe_vpcs_raw(endpoint, [("Filter.1.Name", "vpc-id"), ("Filter.1.Value.4294967296", ours)])
    err = assert_ec2_error_response(r, status=400, code="UnknownParameter")
    assert err["Message"] == "The parameter Filter.1.Value.4294967296 is not recognized"


def test_in_range_indexes_filter_correctly(endpoint, two_vpcs):
    """Positive control: the same requests with real indexes narrow the answer to our VPC."""
    ours, everyone = two_vpcs
    r = describe_vpcs_raw(endpoint, [("Filter.1.Name", "vpc-id"), ("Filter.1.Value.1", ours)])
    assert r.status_code == 200, r.text
    assert vpc_ids_in(r.text) == [ours]
    r = describe_vpcs_raw(endpoint, [("VpcId.1", ours)])
    assert r.status_code == 200, r.text
    assert vpc_ids_in(r.text) == [ours]
    # The largest 32-bit index is still an index.
    r = describe_vpcs_raw(endpoint, [("Filter.4294967295.Name", "vpc-id"), ("Filter.4294967295.Value.7", ours)])
    assert r.status_code == 200, r.text
    assert vpc_ids_in(r.text) == [ours]
    # And no filter at all answers every VPC.
    r = describe_vpcs_raw(endpoint, [])
    assert vpc_ids_in(r.text) == everyone


def test_out_of_range_tag_index_changes_nothing(endpoint, ec2, two_vpcs):
    """A write with a bad index is refused whole: no tag of the request is applied."""
    ours, _ = two_vpcs
    r = signed_request(endpoint, [("Action", "CreateTags"), ("Version", "2016-11-15"), ("ResourceId.1", ours),
                                  ("Tag.1.Key", "Name"), ("Tag.1.Value", "web"), ("Tag.-1.Key", "team")])
    err = assert_ec2_error_response(r, status=400, code="UnknownParameter")
    assert err["Message"] == "The parameter Tag.-1.Key is not recognized"
    assert ec2.describe_vpcs(VpcIds=[ours])["Vpcs"][0].get("Tags", []) == []
    # Positive control: without the bad member the same request tags the VPC.
    r = signed_request(endpoint, [("Action", "CreateTags"), ("Version", "2016-11-15"), ("ResourceId.1", ours),
                                  ("Tag.1.Key", "Name"), ("Tag.1.Value", "web")])
    assert r.status_code == 200, r.text
    assert ec2.describe_vpcs(VpcIds=[ours])["Vpcs"][0]["Tags"] == [{"Key": "Name", "Value": "web"}]
