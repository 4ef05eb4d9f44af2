"""VPN connections (part 2 §15.3): the answer's fields and option defaults, pending → available and deleted with
botocore's waiters, the customer gateway configuration document, tunnel options and their validation, idempotency,
static routes, filters, tags, transit gateways (refused), isolation, and the aws CLI."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

from helpers import assert_id, cli_error, ec2_error, tag_spec

A_ACCT, B_ACCT = "111111111111", "222222222222"
PSK = re.compile(r"[A-Za-z0-9._]{8,64}")


def gateways(ec2, ip: str = "203.0.113.7") -> tuple[str, str]:
    cgw_id = ec2.create_customer_gateway(Type="ipsec.1", IpAddress=ip)["CustomerGateway"]["CustomerGatewayId"]
    vgw_id = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    return cgw_id, vgw_id


def connect(ec2, cgw_id: str, vgw_id: str, **kw) -> dict:
    return ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw_id, VpnGatewayId=vgw_id, **kw)[
        "VpnConnection"]


def describe(ec2, vpn_id: str) -> dict:
    return ec2.describe_vpn_connections(VpnConnectionIds=[vpn_id])["VpnConnections"][0]


def vpn_ids(ec2, *filters) -> set:
    found = ec2.describe_vpn_connections(Filters=[{"Name": n, "Values": v} for n, v in filters])["VpnConnections"]
    return {c["VpnConnectionId"] for c in found}


def test_create_answers_pending_with_defaults_and_describe_answers_available(ec2):
    cgw_id, vgw_id = gateways(ec2)
    created = connect(ec2, cgw_id, vgw_id, TagSpecifications=tag_spec("vpn-connection", Name="hq"))
    vpn_id = created["VpnConnectionId"]
    assert_id(vpn_id, "vpn")
    assert (created["State"], created["Category"], created["Type"]) == ("pending", "VPN", "ipsec.1")
    assert (created["CustomerGatewayId"], created["VpnGatewayId"]) == (cgw_id, vgw_id)
    assert created["GatewayAssociationState"] == "associated"
    assert created["Routes"] == []
    assert created["Tags"] == [{"Key": "Name", "Value": "hq"}]
    options = dict(created["Options"])
    tunnels = options.pop("TunnelOptions")
    assert options == {"EnableAcceleration": False, "StaticRoutesOnly": False, "LocalIpv4NetworkCidr": "0.0.0.0/0",
                       "RemoteIpv4NetworkCidr": "0.0.0.0/0", "OutsideIpAddressType": "PublicIpv4",
                       "TunnelInsideIpVersion": "ipv4"}
    assert len(tunnels) == 2
    for tunnel in tunnels:
        assert re.fullmatch(r"169\.254\.\d+\.\d+/30", tunnel["TunnelInsideCidr"]), tunnel
        assert PSK.fullmatch(tunnel["PreSharedKey"]) and not tunnel["PreSharedKey"].startswith("0")
    assert tunnels[0]["TunnelInsideCidr"] != tunnels[1]["TunnelInsideCidr"]
    assert tunnels[0]["OutsideIpAddress"] != tunnels[1]["OutsideIpAddress"]
    assert [(t["Status"], t["StatusMessage"], t["AcceptedRouteCount"]) for t in created["VgwTelemetry"]] == [
        ("DOWN", "IPSEC IS DOWN", 0)] * 2
    ec2.get_waiter("vpn_connection_available").wait(VpnConnectionIds=[vpn_id])
    described = describe(ec2, vpn_id)
    assert described["State"] == "available"
    assert [t["OutsideIpAddress"] for t in described["VgwTelemetry"]] == [t["OutsideIpAddress"] for t in tunnels]
    # A BGP connection whose device advertises nothing: both tunnels up, no route accepted.
    assert [(t["Status"], t["StatusMessage"], t["AcceptedRouteCount"]) for t in described["VgwTelemetry"]] == [
        ("UP", "0 BGP ROUTES", 0)] * 2


def test_the_customer_gateway_configuration_names_both_tunnels(ec2):
    cgw_id = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="203.0.113.7", BgpAsn=65010)[
        "CustomerGateway"]["CustomerGatewayId"]
    vgw_id = ec2.create_vpn_gateway(Type="ipsec.1", AmazonSideAsn=64600)["VpnGateway"]["VpnGatewayId"]
    connection = describe(ec2, connect(ec2, cgw_id, vgw_id)["VpnConnectionId"])
    document = ElementTree.fromstring(connection["CustomerGatewayConfiguration"])
    assert document.tag == "vpn_connection" and document.get("id") == connection["VpnConnectionId"]
    assert document.findtext("customer_gateway_id") == cgw_id
    assert document.findtext("vpn_gateway_id") == vgw_id
    tunnels = document.findall("ipsec_tunnel")
    assert len(tunnels) == 2
    for xml_tunnel, tunnel in zip(tunnels, connection["Options"]["TunnelOptions"]):
        network = tunnel["TunnelInsideCidr"].split("/")[0].rsplit(".", 1)
        aws_inside = f"{network[0]}.{int(network[1]) + 1}"
        customer_inside = f"{network[0]}.{int(network[1]) + 2}"
        assert xml_tunnel.findtext("customer_gateway/tunnel_outside_address/ip_address") == "203.0.113.7"
        assert xml_tunnel.findtext("customer_gateway/tunnel_inside_address/ip_address") == customer_inside
        assert xml_tunnel.findtext("customer_gateway/bgp/asn") == "65010"
        assert xml_tunnel.findtext("vpn_gateway/tunnel_outside_address/ip_address") == tunnel["OutsideIpAddress"]
        assert xml_tunnel.findtext("vpn_gateway/tunnel_inside_address/ip_address") == aws_inside
        assert xml_tunnel.findtext("vpn_gateway/tunnel_inside_address/network_cidr") == "30"
        assert xml_tunnel.findtext("vpn_gateway/bgp/asn") == "64600"
        assert xml_tunnel.findtext("ike/pre_shared_key") == tunnel["PreSharedKey"]
    # A static connection's document has no BGP sections.
    static_cgw, static_vgw = gateways(ec2, ip="198.51.100.9")
    static = connect(ec2, static_cgw, static_vgw, Options={"StaticRoutesOnly": True})
    assert ElementTree.fromstring(static["CustomerGatewayConfiguration"]).find("ipsec_tunnel/vpn_gateway/bgp") is None


def test_tunnel_options_are_used_and_validated(ec2):
    cgw_id, vgw_id = gateways(ec2)
    chosen = [{"TunnelInsideCidr": "169.254.10.0/30", "PreSharedKey": "first_key.1"},
              {"TunnelInsideCidr": "169.254.11.0/30", "PreSharedKey": "second_key.2", "StartupAction": "start",
               "DPDTimeoutAction": "restart", "Phase2LifetimeSeconds": 1800,
               "Phase1EncryptionAlgorithms": [{"Value": "AES256"}, {"Value": "AES128-GCM-16"}],
               "Phase1DHGroupNumbers": [{"Value": 14}], "IKEVersions": [{"Value": "ikev2"}]}]
    created = connect(ec2, cgw_id, vgw_id, Options={"TunnelOptions": chosen})
    tunnels = created["Options"]["TunnelOptions"]
    assert [(t["TunnelInsideCidr"], t["PreSharedKey"]) for t in tunnels] == [
        ("169.254.10.0/30", "first_key.1"), ("169.254.11.0/30", "second_key.2")]
    assert (tunnels[1]["StartupAction"], tunnels[1]["DpdTimeoutAction"], tunnels[1]["Phase2LifetimeSeconds"]) == (
        "start", "restart", 1800)
    assert tunnels[1]["Phase1EncryptionAlgorithms"] == [{"Value": "AES256"}, {"Value": "AES128-GCM-16"}]
    assert (tunnels[1]["Phase1DHGroupNumbers"], tunnels[1]["IkeVersions"]) == ([{"Value": 14}], [{"Value": "ikev2"}])
    assert "Phase1EncryptionAlgorithms" not in tunnels[0]
    other_cgw = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="198.51.100.9")["CustomerGateway"][
        "CustomerGatewayId"]
    with ec2_error("InvalidParameterValue", f"The tunnel inside CIDR 169.254.10.0/30 is already in use on {vgw_id}."):
        connect(ec2, other_cgw, vgw_id, Options={"TunnelOptions": [{"TunnelInsideCidr": "169.254.10.0/30"}]})
    with ec2_error("InvalidParameterValue", "The tunnel inside CIDR 169.254.1.0/30 is reserved and cannot be used."):
        connect(ec2, other_cgw, vgw_id, Options={"TunnelOptions": [{"TunnelInsideCidr": "169.254.1.0/30"}]})
    with ec2_error("InvalidParameterValue", "The tunnel inside CIDR 10.0.0.0/30 is invalid. It must be a /30 CIDR "
                                            "block from the 169.254.0.0/16 range."):
        connect(ec2, other_cgw, vgw_id, Options={"TunnelOptions": [{"TunnelInsideCidr": "10.0.0.0/30"}]})
    psk_message = ("The pre-shared key is invalid. It must be 8 to 64 characters long, contain only alphanumeric "
                   "characters, periods (.) and underscores (_), and cannot start with zero (0).")
    for bad in ("0abcdefgh", "short", "with-dash-x"):
        with ec2_error("InvalidParameterValue", psk_message):
            connect(ec2, other_cgw, vgw_id, Options={"TunnelOptions": [{"PreSharedKey": bad}]})
    with ec2_error("InvalidParameterValue", "Value (3DES) for parameter Phase1EncryptionAlgorithms is invalid."):
        connect(ec2, other_cgw, vgw_id, Options={"TunnelOptions": [{"Phase1EncryptionAlgorithms": [{"Value": "3DES"}]}]})
    with ec2_error("InvalidParameterValue", "Value (5) for parameter Phase1DHGroupNumbers is invalid."):
        connect(ec2, other_cgw, vgw_id, Options={"TunnelOptions": [{"Phase1DHGroupNumbers": [{"Value": 5}]}]})
    with ec2_error("InvalidParameterValue", "Value (go) for parameter StartupAction is invalid."):
        connect(ec2, other_cgw, vgw_id, Options={"TunnelOptions": [{"StartupAction": "go"}]})
    with ec2_error("InvalidParameterValue", "A VPN connection has two tunnels: at most 2 TunnelOptions may be "
                                            "specified."):
        connect(ec2, other_cgw, vgw_id, Options={"TunnelOptions": [{"StartupAction": "add"}] * 3})
    # The same block on another gateway is fine: uniqueness is per virtual private gateway.
    other_vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    again = connect(ec2, other_cgw, other_vgw, Options={"TunnelOptions": [{"TunnelInsideCidr": "169.254.10.0/30"}]})
    assert again["Options"]["TunnelOptions"][0]["TunnelInsideCidr"] == "169.254.10.0/30"
    assert len(vpn_ids(ec2)) == 2


def test_a_repeated_request_answers_the_same_connection_and_a_different_one_conflicts(ec2):
    cgw_id, vgw_id = gateways(ec2)
    first = connect(ec2, cgw_id, vgw_id, Options={"StaticRoutesOnly": True})["VpnConnectionId"]
    assert connect(ec2, cgw_id, vgw_id, Options={"StaticRoutesOnly": True})["VpnConnectionId"] == first
    with ec2_error("InvalidOption.Conflict",
                   "A VPN connection between the virtual private gateway and the customer gateway already exists."):
        connect(ec2, cgw_id, vgw_id)
    assert vpn_ids(ec2) == {first}


def test_static_routes_only_on_static_connections(ec2):
    cgw_id, vgw_id = gateways(ec2)
    static = connect(ec2, cgw_id, vgw_id, Options={"StaticRoutesOnly": True})["VpnConnectionId"]
    ec2.create_vpn_connection_route(VpnConnectionId=static, DestinationCidrBlock="192.168.1.0/24")
    ec2.create_vpn_connection_route(VpnConnectionId=static, DestinationCidrBlock="192.168.2.0/24")
    described = describe(ec2, static)
    assert described["Routes"] == [
        {"DestinationCidrBlock": "192.168.1.0/24", "Source": "Static", "State": "available"},
        {"DestinationCidrBlock": "192.168.2.0/24", "Source": "Static", "State": "available"}]
    assert [(t["Status"], t["StatusMessage"]) for t in described["VgwTelemetry"]] == [("UP", "")] * 2
    assert vpn_ids(ec2, ("route.destination-cidr-block", ["192.168.2.0/24"])) == {static}
    ec2.delete_vpn_connection_route(VpnConnectionId=static, DestinationCidrBlock="192.168.1.0/24")
    assert [r["DestinationCidrBlock"] for r in describe(ec2, static)["Routes"]] == ["192.168.2.0/24"]
    with ec2_error("InvalidRoute.NotFound", "The route with destination-cidr-block 192.168.1.0/24 does not exist in "
                                            f"VPN connection {static}"):
        ec2.delete_vpn_connection_route(VpnConnectionId=static, DestinationCidrBlock="192.168.1.0/24")
    other_cgw = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="198.51.100.9")["CustomerGateway"][
        "CustomerGatewayId"]
    bgp = connect(ec2, other_cgw, vgw_id)["VpnConnectionId"]
    with ec2_error("InvalidVpnConnection.InvalidType", "The specified VPN connection does not support static routes."):
        ec2.create_vpn_connection_route(VpnConnectionId=bgp, DestinationCidrBlock="192.168.3.0/24")
    with ec2_error("InvalidVpnConnection.InvalidType"):
        ec2.delete_vpn_connection_route(VpnConnectionId=bgp, DestinationCidrBlock="192.168.2.0/24")


def test_which_gateway_a_connection_ends_on_is_checked(ec2):
    cgw_id, _ = gateways(ec2)
    with ec2_error("InvalidTransitGatewayID.NotFound", "The transitGateway ID 'tgw-0123456789abcdef0' does not exist"):
        ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw_id, TransitGatewayId="tgw-0123456789abcdef0")
    with ec2_error("InvalidTransitGatewayID.NotFound", "The transitGateway ID 'gateway_id' does not exist"):
        ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw_id, TransitGatewayId="gateway_id")
    with ec2_error("InvalidParameterValue", "The request must contain either parameter vpnGatewayId or "
                                            "transitGatewayId"):
        ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw_id)
    # Both gateways are refused before anything is looked up; an unknown customer gateway before the gateway.
    with ec2_error("InvalidParameterValue",
                   "The request must not contain both parameter vpnGatewayId and transitGatewayId"):
        ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId="cgw-0123abcd", VpnGatewayId="vgw-0123abcd",
                                  TransitGatewayId="gateway_id")
    with ec2_error("InvalidCustomerGatewayID.NotFound", "The customerGateway ID 'cgw-0123abcd' does not exist"):
        ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId="cgw-0123abcd", TransitGatewayId="gateway_id")
    assert vpn_ids(ec2) == set()


def test_delete_goes_to_deleted_with_the_waiter_and_frees_the_gateways(ec2):
    cgw_id, vgw_id = gateways(ec2)
    vpn_id = connect(ec2, cgw_id, vgw_id)["VpnConnectionId"]
    ec2.delete_vpn_connection(VpnConnectionId=vpn_id)
    ec2.get_waiter("vpn_connection_deleted").wait(VpnConnectionIds=[vpn_id])
    deleted = describe(ec2, vpn_id)
    assert deleted["State"] == "deleted"
    assert "CustomerGatewayConfiguration" not in deleted
    assert deleted["GatewayAssociationState"] == "disassociated"
    assert [t["Status"] for t in deleted["VgwTelemetry"]] == ["DOWN", "DOWN"]
    assert vpn_ids(ec2, ("state", ["deleted"])) == {vpn_id}
    assert vpn_ids(ec2, ("state", ["available"])) == set()
    with ec2_error("IncorrectState", f"The VPN connection {vpn_id} is not in the available state."):
        ec2.create_vpn_connection_route(VpnConnectionId=vpn_id, DestinationCidrBlock="192.168.1.0/24")
    # Nothing uses the gateways any more, and a new connection between them is not a conflict.
    assert connect(ec2, cgw_id, vgw_id)["VpnConnectionId"] != vpn_id
    with ec2_error("InvalidVpnConnectionID.NotFound", "The vpnConnection ID 'vpn-0123456789abcdef0' does not exist"):
        ec2.describe_vpn_connections(VpnConnectionIds=["vpn-0123456789abcdef0"])
    with ec2_error("InvalidVpnConnectionID.NotFound"):
        ec2.delete_vpn_connection(VpnConnectionId="vpn-0123456789abcdef0")


def test_filters_and_tags(ec2):
    cgw_id, vgw_id = gateways(ec2)
    bgp = connect(ec2, cgw_id, vgw_id, TagSpecifications=tag_spec("vpn-connection", env="prod"))["VpnConnectionId"]
    other_cgw = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="198.51.100.9", BgpAsn=65020)[
        "CustomerGateway"]["CustomerGatewayId"]
    static = connect(ec2, other_cgw, vgw_id, Options={"StaticRoutesOnly": True})["VpnConnectionId"]
    assert vpn_ids(ec2, ("customer-gateway-id", [cgw_id])) == {bgp}
    assert vpn_ids(ec2, ("vpn-gateway-id", [vgw_id])) == {bgp, static}
    assert vpn_ids(ec2, ("option.static-routes-only", ["true"])) == {static}
    assert vpn_ids(ec2, ("bgp-asn", ["65020"])) == {static}
    assert vpn_ids(ec2, ("state", ["available"]), ("type", ["ipsec.1"])) == {bgp, static}
    assert vpn_ids(ec2, ("vpn-connection-id", [static])) == {static}
    assert vpn_ids(ec2, ("customer-gateway-configuration", [f"*{other_cgw}*"])) == {static}
    assert vpn_ids(ec2, ("tag:env", ["prod"])) == {bgp}
    ec2.create_tags(Resources=[static], Tags=[{"Key": "env", "Value": "dev"}])
    assert vpn_ids(ec2, ("tag-key", ["env"])) == {bgp, static}
    tags = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": ["vpn-connection"]}])["Tags"]
    assert {(t["ResourceId"], t["Value"]) for t in tags} == {(bgp, "prod"), (static, "dev")}
    with ec2_error("InvalidParameterValue", "The filter 'vpc-id' is invalid"):
        ec2.describe_vpn_connections(Filters=[{"Name": "vpc-id", "Values": ["x"]}])


def test_another_account_neither_sees_nor_changes_a_connection(client_factory):
    owner, outsider = client_factory(key=A_ACCT), client_factory(key=B_ACCT)
    cgw_id, vgw_id = gateways(owner)
    vpn_id = connect(owner, cgw_id, vgw_id, Options={"StaticRoutesOnly": True})["VpnConnectionId"]
    listed_vpn_connections = outsider.describe_vpn_connections()["VpnConnections"]
    assert listed_vpn_connections == []
    with ec2_error("InvalidVpnConnectionID.NotFound"):
        outsider.delete_vpn_connection(VpnConnectionId=vpn_id)
    with ec2_error("InvalidVpnConnectionID.NotFound"):
        outsider.create_vpn_connection_route(VpnConnectionId=vpn_id, DestinationCidrBlock="10.9.0.0/16")
    other_cgw = outsider.create_customer_gateway(Type="ipsec.1", IpAddress="203.0.113.7")["CustomerGateway"][
        "CustomerGatewayId"]
    with ec2_error("InvalidVpnGatewayID.NotFound"):
        connect(outsider, other_cgw, vgw_id)
    assert describe(owner, vpn_id)["State"] == "available"
    assert describe(owner, vpn_id)["Routes"] == []


def test_aws_cli_for_each_connection_action(aws, ec2):
    cgw_id, vgw_id = gateways(ec2)
    created = aws("ec2", "create-vpn-connection", "--type", "ipsec.1", "--customer-gateway-id", cgw_id,
                  "--vpn-gateway-id", vgw_id, "--options", "StaticRoutesOnly=true").ok()["VpnConnection"]
    vpn_id = created["VpnConnectionId"]
    assert (created["State"], created["Options"]["StaticRoutesOnly"]) == ("pending", True)
    assert aws("ec2", "create-vpn-connection-route", "--vpn-connection-id", vpn_id,
               "--destination-cidr-block", "172.16.0.0/16").rc == 0
    described = aws("ec2", "describe-vpn-connections", "--vpn-connection-ids", vpn_id).ok()["VpnConnections"][0]
    assert (described["State"], described["Routes"][0]["DestinationCidrBlock"]) == ("available", "172.16.0.0/16")
    assert aws("ec2", "delete-vpn-connection-route", "--vpn-connection-id", vpn_id,
               "--destination-cidr-block", "172.16.0.0/16").rc == 0
    cli_error(aws("ec2", "delete-vpn-connection-route", "--vpn-connection-id", vpn_id,
                  "--destination-cidr-block", "172.16.0.0/16"), "InvalidRoute.NotFound")
    assert aws("ec2", "delete-vpn-connection", "--vpn-connection-id", vpn_id).rc == 0
    assert describe(ec2, vpn_id)["State"] == "deleted"
    cli_error(aws("ec2", "delete-vpn-connection", "--vpn-connection-id", "vpn-0123456789abcdef0"),
              "InvalidVpnConnectionID.NotFound", "The vpnConnection ID 'vpn-0123456789abcdef0' does not exist")
