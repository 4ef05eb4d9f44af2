"""Customer gateways and virtual private gateways (part 2 §15.1, §15.2): fields and defaults, states, filters, tags,
attachment rules with AWS's errors, routes to a VGW, isolation between accounts, the aws CLI, and quotas."""
from __future__ import annotations

import pytest

from conftest import LocalVpcServer
from helpers import assert_id, cli_error, ec2_error, tag_spec, tags_of

A_ACCT, B_ACCT = "111111111111", "222222222222"


def cgw(ec2, ip: str = "203.0.113.7", **kw) -> dict:
    return ec2.create_customer_gateway(Type="ipsec.1", IpAddress=ip, **kw)["CustomerGateway"]


def vgw(ec2, **kw) -> dict:
    return ec2.create_vpn_gateway(Type="ipsec.1", **kw)["VpnGateway"]


def vpc(ec2, cidr: str = "10.0.0.0/16") -> str:
    return ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]


def describe_vgw(ec2, vgw_id: str) -> dict:
    return ec2.describe_vpn_gateways(VpnGatewayIds=[vgw_id])["VpnGateways"][0]


def vgw_ids(ec2, *filters) -> set:
    found = ec2.describe_vpn_gateways(Filters=[{"Name": n, "Values": v} for n, v in filters])["VpnGateways"]
    return {g["VpnGatewayId"] for g in found}


def cgw_ids(ec2, *filters) -> set:
    found = ec2.describe_customer_gateways(Filters=[{"Name": n, "Values": v} for n, v in filters])["CustomerGateways"]
    return {g["CustomerGatewayId"] for g in found}


# ---- customer gateways ----

def test_customer_gateway_fields_defaults_waiter_and_filters(ec2):
    created = cgw(ec2, DeviceName="edge-1", TagSpecifications=tag_spec("customer-gateway", Name="office"))
    cgw_id = created["CustomerGatewayId"]
    assert_id(cgw_id, "cgw")
    assert created == {
        "CustomerGatewayId": cgw_id, "State": "available", "Type": "ipsec.1", "IpAddress": "203.0.113.7",
        "BgpAsn": "65000", "DeviceName": "edge-1", "Tags": [{"Key": "Name", "Value": "office"}],
    }
    ec2.get_waiter("customer_gateway_available").wait(CustomerGatewayIds=[cgw_id])
    other_answer = cgw(ec2, ip="198.51.100.9", BgpAsn=65010)
    other = other_answer["CustomerGatewayId"]
    assert "Tags" not in other_answer
    described = ec2.describe_customer_gateways(CustomerGatewayIds=[other])["CustomerGateways"][0]
    assert (described["BgpAsn"], described["Tags"]) == ("65010", [])
    assert cgw_ids(ec2, ("bgp-asn", ["65000"])) == {cgw_id}
    assert cgw_ids(ec2, ("ip-address", ["198.51.100.*"])) == {other}
    assert cgw_ids(ec2, ("state", ["available"]), ("type", ["ipsec.1"])) == {cgw_id, other}
    assert cgw_ids(ec2, ("customer-gateway-id", [other])) == {other}
    assert cgw_ids(ec2, ("tag:Name", ["office"])) == {cgw_id}
    assert cgw_ids(ec2, ("tag-key", ["Name"])) == {cgw_id}
    with ec2_error("InvalidParameterValue", "The filter 'vpc-id' is invalid"):
        ec2.describe_customer_gateways(Filters=[{"Name": "vpc-id", "Values": ["x"]}])


def test_an_identical_request_answers_the_same_customer_gateway(ec2):
    first = cgw(ec2, BgpAsn=65001)["CustomerGatewayId"]
    assert cgw(ec2, BgpAsn=65001)["CustomerGatewayId"] == first
    # A distinct device name makes a second gateway with the same address and ASN.
    second = cgw(ec2, BgpAsn=65001, DeviceName="backup")["CustomerGatewayId"]
    assert second != first
    assert cgw_ids(ec2) == {first, second}


def test_bgp_asn_extended_and_refused_values(ec2):
    extended = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="203.0.113.8", BgpAsnExtended=4200000001)
    assert extended["CustomerGateway"]["BgpAsn"] == "4200000001"
    assert extended["CustomerGateway"]["BgpAsnExtended"] == "4200000001"
    with ec2_error("InvalidParameterValue",
                   "Value (0) for parameter bgpAsn is invalid. The value must be between 1 and 2147483647."):
        cgw(ec2, BgpAsn=0)
    with ec2_error("InvalidParameterValue", "Value (ipsec.2) for parameter type is invalid. Valid values: ipsec.1"):
        ec2.create_customer_gateway(Type="ipsec.2", IpAddress="203.0.113.9")
    with ec2_error("InvalidParameterValue",
                   "Value (203.0.113) for parameter ipAddress is invalid. This is not a valid IPv4 address."):
        cgw(ec2, ip="203.0.113")
    assert len(cgw_ids(ec2)) == 1


def test_unknown_and_malformed_customer_gateways(ec2):
    with ec2_error("InvalidCustomerGatewayID.NotFound", "The customerGateway ID 'cgw-0123456789abcdef0' does not exist"):
        ec2.describe_customer_gateways(CustomerGatewayIds=["cgw-0123456789abcdef0"])
    with ec2_error("InvalidCustomerGatewayID.NotFound", "The customerGateway ID 'cgw-0123456789abcdef0' does not exist"):
        ec2.delete_customer_gateway(CustomerGatewayId="cgw-0123456789abcdef0")
    with ec2_error("InvalidCustomerGatewayID.Malformed"):
        ec2.delete_customer_gateway(CustomerGatewayId="cgw-zz")


def test_a_customer_gateway_in_use_is_not_deleted_and_a_deleted_one_stays_listed(ec2):
    cgw_id = cgw(ec2)["CustomerGatewayId"]
    vgw_id = vgw(ec2)["VpnGatewayId"]
    vpn_id = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw_id, VpnGatewayId=vgw_id)[
        "VpnConnection"]["VpnConnectionId"]
    with ec2_error("IncorrectState", f"The customer gateway {cgw_id} is in use."):
        ec2.delete_customer_gateway(CustomerGatewayId=cgw_id)
    ec2.delete_vpn_connection(VpnConnectionId=vpn_id)
    ec2.delete_customer_gateway(CustomerGatewayId=cgw_id)
    listed = ec2.describe_customer_gateways(CustomerGatewayIds=[cgw_id])["CustomerGateways"]
    assert [g["State"] for g in listed] == ["deleted"]
    assert cgw_ids(ec2, ("state", ["deleted"])) == {cgw_id}
    # A deleted gateway is no longer the answer to an identical request.
    assert cgw(ec2)["CustomerGatewayId"] != cgw_id
    with ec2_error("InvalidCustomerGatewayState", f"The customer gateway {cgw_id} is not in the available state."):
        ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw_id, VpnGatewayId=vgw_id)


# ---- virtual private gateways ----

def test_vpn_gateway_defaults_asn_ranges_and_filters(ec2):
    created = vgw(ec2, TagSpecifications=tag_spec("vpn-gateway", Name="hq"))
    vgw_id = created["VpnGatewayId"]
    assert_id(vgw_id, "vgw")
    assert created == {"VpnGatewayId": vgw_id, "State": "available", "Type": "ipsec.1", "VpcAttachments": [],
                       "AmazonSideAsn": 64512, "Tags": [{"Key": "Name", "Value": "hq"}]}
    high_answer = vgw(ec2, AmazonSideAsn=4200000000, AvailabilityZone="us-east-1a")
    high = high_answer["VpnGatewayId"]
    # As AWS answers: no zone even when one was named, no Tags in the Create answer of an untagged gateway, and an
    # empty Tags list in Describe.
    assert high_answer == {"VpnGatewayId": high, "State": "available", "Type": "ipsec.1", "VpcAttachments": [],
                           "AmazonSideAsn": 4200000000}
    assert describe_vgw(ec2, high) == {**high_answer, "Tags": []}
    for asn in (100, 64511, 65535, 4294967295):
        with ec2_error("InvalidParameterValue", f"Value ({asn}) for parameter amazonSideAsn is invalid. Valid values "
                                                "are 64512 to 65534 and 4200000000 to 4294967294."):
            vgw(ec2, AmazonSideAsn=asn)
    assert vgw_ids(ec2) == {vgw_id, high}
    assert vgw_ids(ec2, ("amazon-side-asn", ["64512"])) == {vgw_id}
    assert vgw_ids(ec2, ("state", ["available"]), ("type", ["ipsec.1"])) == {vgw_id, high}
    assert vgw_ids(ec2, ("vpn-gateway-id", [high])) == {high}
    assert vgw_ids(ec2, ("tag:Name", ["hq"])) == {vgw_id}
    with ec2_error("InvalidVpnGatewayID.NotFound",
                   "The virtual private gateway ID 'vgw-0123456789abcdef0' does not exist"):
        ec2.describe_vpn_gateways(VpnGatewayIds=["vgw-0123456789abcdef0"])


def test_attach_answers_attaching_then_attached_and_detach_keeps_the_attachment_listed(ec2):
    vpc_id = vpc(ec2)
    vgw_id = vgw(ec2)["VpnGatewayId"]
    answer = ec2.attach_vpn_gateway(VpnGatewayId=vgw_id, VpcId=vpc_id)
    assert answer["VpcAttachment"] == {"VpcId": vpc_id, "State": "attaching"}
    assert describe_vgw(ec2, vgw_id)["VpcAttachments"] == [{"VpcId": vpc_id, "State": "attached"}]
    assert vgw_ids(ec2, ("attachment.vpc-id", [vpc_id]), ("attachment.state", ["attached"])) == {vgw_id}
    with ec2_error("IncorrectState", "The VPN gateway is in use."):
        ec2.delete_vpn_gateway(VpnGatewayId=vgw_id)
    ec2.detach_vpn_gateway(VpnGatewayId=vgw_id, VpcId=vpc_id)
    assert describe_vgw(ec2, vgw_id)["VpcAttachments"] == [{"VpcId": vpc_id, "State": "detached"}]
    assert vgw_ids(ec2, ("attachment.state", ["attached"])) == set()
    assert vgw_ids(ec2, ("attachment.state", ["detached"])) == {vgw_id}
    with ec2_error("InvalidVpnGatewayAttachment.NotFound",
                   f"The attachment with vpn gateway ID '{vgw_id}' and vpc ID '{vpc_id}' does not exist"):
        ec2.detach_vpn_gateway(VpnGatewayId=vgw_id, VpcId=vpc_id)
    ec2.delete_vpn_gateway(VpnGatewayId=vgw_id)
    assert describe_vgw(ec2, vgw_id)["State"] == "deleted"
    assert vgw_ids(ec2, ("state", ["deleted"])) == {vgw_id}
    with ec2_error("InvalidVpnGatewayState", f"The VPN gateway {vgw_id} is not in the available state."):
        ec2.attach_vpn_gateway(VpnGatewayId=vgw_id, VpcId=vpc_id)


def test_one_gateway_per_vpc_and_one_vpc_per_gateway(ec2):
    vpc_a, vpc_b = vpc(ec2), vpc(ec2, "10.1.0.0/16")
    first, second = vgw(ec2)["VpnGatewayId"], vgw(ec2)["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpnGatewayId=first, VpcId=vpc_a)
    with ec2_error("InvalidVpcState", f"VPC {vpc_a} is currently attached to the Virtual Private Gateway."):
        ec2.attach_vpn_gateway(VpnGatewayId=second, VpcId=vpc_a)
    with ec2_error("VpnGatewayAttachmentLimitExceeded", f"The VPN gateway {first} is already attached to a VPC."):
        ec2.attach_vpn_gateway(VpnGatewayId=first, VpcId=vpc_b)
    ec2.attach_vpn_gateway(VpnGatewayId=second, VpcId=vpc_b)
    ec2.detach_vpn_gateway(VpnGatewayId=first, VpcId=vpc_a)
    ec2.detach_vpn_gateway(VpnGatewayId=second, VpcId=vpc_b)
    # Detached, each may go to the other VPC; the old attachment stays listed beside the new one.
    ec2.attach_vpn_gateway(VpnGatewayId=first, VpcId=vpc_b)
    assert describe_vgw(ec2, first)["VpcAttachments"] == [
        {"VpcId": vpc_a, "State": "detached"}, {"VpcId": vpc_b, "State": "attached"}]


def test_delete_vpc_with_an_attached_gateway_is_a_dependency_violation(ec2):
    vpc_id = vpc(ec2)
    vgw_id = vgw(ec2)["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpnGatewayId=vgw_id, VpcId=vpc_id)
    with ec2_error("DependencyViolation"):
        ec2.delete_vpc(VpcId=vpc_id)
    ec2.detach_vpn_gateway(VpnGatewayId=vgw_id, VpcId=vpc_id)
    ec2.delete_vpc(VpcId=vpc_id)
    listed_vpcs = ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Vpcs"]
    assert listed_vpcs == []


def test_routes_to_a_gateway_are_active_while_attached_and_blackhole_after(ec2):
    vpc_id = vpc(ec2)
    vgw_id = vgw(ec2)["VpnGatewayId"]
    rtb = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"][0]["RouteTableId"]
    with ec2_error("InvalidParameterValue",
                   f"route table {rtb} and network gateway {vgw_id} belong to different networks"):
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="192.168.0.0/16", GatewayId=vgw_id)
    ec2.attach_vpn_gateway(VpnGatewayId=vgw_id, VpcId=vpc_id)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="192.168.0.0/16", GatewayId=vgw_id)

    def route():
        table = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]
        return next(r for r in table["Routes"] if r["DestinationCidrBlock"] == "192.168.0.0/16")

    assert route() == {"DestinationCidrBlock": "192.168.0.0/16", "GatewayId": vgw_id, "State": "active",
                       "Origin": "CreateRoute"}
    ec2.detach_vpn_gateway(VpnGatewayId=vgw_id, VpcId=vpc_id)
    assert route()["State"] == "blackhole"


def test_tags_on_gateways(ec2):
    cgw_id, vgw_id = cgw(ec2)["CustomerGatewayId"], vgw(ec2)["VpnGatewayId"]
    ec2.create_tags(Resources=[cgw_id, vgw_id], Tags=[{"Key": "team", "Value": "net"}])
    tags = ec2.describe_tags(Filters=[{"Name": "key", "Values": ["team"]}])["Tags"]
    assert {(t["ResourceId"], t["ResourceType"]) for t in tags} == {(cgw_id, "customer-gateway"),
                                                                   (vgw_id, "vpn-gateway")}
    ec2.delete_tags(Resources=[vgw_id], Tags=[{"Key": "team"}])
    assert tags_of(describe_vgw(ec2, vgw_id)) == {}
    with ec2_error("InvalidParameterValue", "'vpc' is not a valid taggable resource type for this operation."):
        vgw(ec2, TagSpecifications=tag_spec("vpc", Name="x"))


def test_another_account_neither_sees_nor_changes_the_gateways(client_factory):
    owner, outsider = client_factory(key=A_ACCT), client_factory(key=B_ACCT)
    cgw_id, vgw_id = cgw(owner)["CustomerGatewayId"], vgw(owner)["VpnGatewayId"]
    vpc_id = vpc(outsider)
    listed_vpn_gateways = outsider.describe_vpn_gateways()["VpnGateways"]
    assert listed_vpn_gateways == []
    listed_customer_gateways = outsider.describe_customer_gateways()["CustomerGateways"]
    assert listed_customer_gateways == []
    with ec2_error("InvalidVpnGatewayID.NotFound"):
        outsider.attach_vpn_gateway(VpnGatewayId=vgw_id, VpcId=vpc_id)
    with ec2_error("InvalidVpnGatewayID.NotFound"):
        outsider.delete_vpn_gateway(VpnGatewayId=vgw_id)
    with ec2_error("InvalidCustomerGatewayID.NotFound"):
        outsider.delete_customer_gateway(CustomerGatewayId=cgw_id)
    with ec2_error("InvalidCustomerGatewayID.NotFound"):
        outsider.create_tags(Resources=[cgw_id], Tags=[{"Key": "k", "Value": "v"}])
    assert describe_vgw(owner, vgw_id)["State"] == "available"
    listed_tags = owner.describe_customer_gateways(CustomerGatewayIds=[cgw_id])["CustomerGateways"][0]["Tags"]
    assert listed_tags == []


def test_aws_cli_for_each_gateway_action(aws, ec2):
    created = aws("ec2", "create-customer-gateway", "--type", "ipsec.1", "--public-ip", "203.0.113.50",
                  "--bgp-asn", "65050").ok()["CustomerGateway"]
    cgw_id = created["CustomerGatewayId"]
    assert (created["BgpAsn"], created["IpAddress"]) == ("65050", "203.0.113.50")
    described = aws("ec2", "describe-customer-gateways", "--customer-gateway-ids", cgw_id).ok()
    assert [g["State"] for g in described["CustomerGateways"]] == ["available"]
    gateway = aws("ec2", "create-vpn-gateway", "--type", "ipsec.1", "--amazon-side-asn", "65100").ok()["VpnGateway"]
    vgw_id = gateway["VpnGatewayId"]
    vpc_id = vpc(ec2)
    attached = aws("ec2", "attach-vpn-gateway", "--vpn-gateway-id", vgw_id, "--vpc-id", vpc_id).ok()
    assert attached["VpcAttachment"] == {"VpcId": vpc_id, "State": "attaching"}
    listed = aws("ec2", "describe-vpn-gateways", "--filters", f"Name=attachment.vpc-id,Values={vpc_id}").ok()
    assert [(g["VpnGatewayId"], g["AmazonSideAsn"]) for g in listed["VpnGateways"]] == [(vgw_id, 65100)]
    cli_error(aws("ec2", "delete-vpn-gateway", "--vpn-gateway-id", vgw_id), "IncorrectState",
              "The VPN gateway is in use.")
    aws("ec2", "detach-vpn-gateway", "--vpn-gateway-id", vgw_id, "--vpc-id", vpc_id).ok()
    cli_error(aws("ec2", "detach-vpn-gateway", "--vpn-gateway-id", vgw_id, "--vpc-id", vpc_id),
              "InvalidVpnGatewayAttachment.NotFound",
              f"The attachment with vpn gateway ID '{vgw_id}' and vpc ID '{vpc_id}' does not exist")
    assert aws("ec2", "delete-vpn-gateway", "--vpn-gateway-id", vgw_id).rc == 0
    assert aws("ec2", "delete-customer-gateway", "--customer-gateway-id", cgw_id).rc == 0
    assert describe_vgw(ec2, vgw_id)["State"] == "deleted"
    cli_error(aws("ec2", "describe-customer-gateways", "--customer-gateway-ids", "cgw-0123456789abcdef0"),
              "InvalidCustomerGatewayID.NotFound", "The customerGateway ID 'cgw-0123456789abcdef0' does not exist")


@pytest.fixture(scope="module")
def quota_server(log_dir):
    srv = LocalVpcServer("memory", log_dir, name="vpn-quotas-aws", extra_args=["--quotas", "aws"])
    srv.start()
    yield srv
    srv.stop()


def test_quotas_aws_limit_virtual_private_gateways_to_five(quota_server, client_factory, ec2):
    quota_server.reset()
    limited = client_factory(endpoint=quota_server.endpoint)
    made = [vgw(limited)["VpnGatewayId"] for _ in range(5)]
    with ec2_error("VpnGatewayLimitExceeded", "The maximum number of virtual private gateways has been reached."):
        vgw(limited)
    limited.delete_vpn_gateway(VpnGatewayId=made[0])
    vgw(limited)
    # The default server enforces no quota.
    assert len({vgw(ec2)["VpnGatewayId"] for _ in range(6)}) == 6


def test_a_gateway_a_live_connection_ends_on_is_in_use(ec2):
    cgw_id, vgw_id = cgw(ec2)["CustomerGatewayId"], vgw(ec2)["VpnGatewayId"]
    vpn_id = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw_id, VpnGatewayId=vgw_id)[
        "VpnConnection"]["VpnConnectionId"]
    with ec2_error("IncorrectState", "The VPN gateway is in use."):
        ec2.delete_vpn_gateway(VpnGatewayId=vgw_id)
    ec2.delete_vpn_connection(VpnConnectionId=vpn_id)
    ec2.delete_vpn_gateway(VpnGatewayId=vgw_id)
    assert describe_vgw(ec2, vgw_id)["State"] == "deleted"


def test_another_region_of_the_same_account_sees_nothing(client_factory):
    home, away = client_factory(region="us-east-1"), client_factory(region="eu-west-1")
    vgw_id, cgw_id = vgw(home)["VpnGatewayId"], cgw(home)["CustomerGatewayId"]
    listed_vpn_gateways = away.describe_vpn_gateways()["VpnGateways"]
    assert listed_vpn_gateways == []
    listed_customer_gateways = away.describe_customer_gateways()["CustomerGateways"]
    assert listed_customer_gateways == []
    with ec2_error("InvalidVpnGatewayID.NotFound"):
        away.delete_vpn_gateway(VpnGatewayId=vgw_id)
    with ec2_error("InvalidCustomerGatewayID.NotFound"):
        away.describe_customer_gateways(CustomerGatewayIds=[cgw_id])
    assert describe_vgw(home, vgw_id)["State"] == "available"
