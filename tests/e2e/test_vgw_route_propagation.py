"""Route propagation from a virtual private gateway (part 2 §15.4) and the tunnels' admin switch (part 2 §15.3):
propagated routes follow the connections, their static routes and their tunnels; the switch (`/_localvpc/v1/
vpn-tunnel` and `localvpc vpn tunnel`) shows in vgwTelemetry and takes BGP routes away and back; isolation; the aws
CLI for Enable/DisableVgwRoutePropagation.

A customer gateway's BGP advertisement is its `localvpc:bgp-prefixes` tag (nothing here speaks BGP)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import requests

from helpers import cli_error, ec2_error, tag_spec

A_ACCT, B_ACCT = "111111111111", "222222222222"
REPO_ROOT = Path(__file__).resolve().parents[2]
BGP = "localvpc:bgp-prefixes"
PROPAGATED = "EnableVgwRoutePropagation"


class Site:
    """A VPC 10.0.0.0/16 with its main table, a gateway attached, and a BGP connection to a device advertising
    10.6.0.0/16 and 10.7.0.0/16."""

    def __init__(self, ec2, static: bool = False):
        self.ec2 = ec2
        self.vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        self.rtb = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [self.vpc_id]}])[
            "RouteTables"][0]["RouteTableId"]
        self.vgw_id = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
        ec2.attach_vpn_gateway(VpnGatewayId=self.vgw_id, VpcId=self.vpc_id)
        self.cgw_id = ec2.create_customer_gateway(
            Type="ipsec.1", IpAddress="203.0.113.7",
            TagSpecifications=tag_spec("customer-gateway", **{BGP: "10.6.0.0/16,10.7.0.0/16"}),
        )["CustomerGateway"]["CustomerGatewayId"]
        self.vpn_id = ec2.create_vpn_connection(
            Type="ipsec.1", CustomerGatewayId=self.cgw_id, VpnGatewayId=self.vgw_id,
            Options={"StaticRoutesOnly": static},
        )["VpnConnection"]["VpnConnectionId"]

    def table(self) -> dict:
        return self.ec2.describe_route_tables(RouteTableIds=[self.rtb])["RouteTables"][0]

    def propagated(self) -> list:
        return [r for r in self.table()["Routes"] if r.get("Origin") == PROPAGATED]

    def destinations(self) -> list:
        return [r["DestinationCidrBlock"] for r in self.propagated()]

    def telemetry(self) -> list:
        connection = self.ec2.describe_vpn_connections(VpnConnectionIds=[self.vpn_id])["VpnConnections"][0]
        return [(t["Status"], t["StatusMessage"], t["AcceptedRouteCount"]) for t in connection["VgwTelemetry"]]

    def enable(self):
        self.ec2.enable_vgw_route_propagation(GatewayId=self.vgw_id, RouteTableId=self.rtb)


def switch(endpoint: str, vpn_id: str, tunnel: str, status: str, key: str = "test") -> requests.Response:
    auth = f"AWS4-HMAC-SHA256 Credential={key}/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0"
    return requests.post(f"{endpoint}/_localvpc/v1/vpn-tunnel", headers={"Authorization": auth},
                         json={"vpn_connection": vpn_id, "tunnel": tunnel, "status": status}, timeout=10)


def test_propagation_lists_the_gateway_and_one_route_per_bgp_prefix(ec2):
    site = Site(ec2)
    assert site.table()["PropagatingVgws"] == []
    assert site.propagated() == []
    site.enable()
    site.enable()  # again: nothing changes
    assert site.table()["PropagatingVgws"] == [{"GatewayId": site.vgw_id}]
    assert site.propagated() == [
        {"DestinationCidrBlock": "10.6.0.0/16", "GatewayId": site.vgw_id, "State": "active", "Origin": PROPAGATED},
        {"DestinationCidrBlock": "10.7.0.0/16", "GatewayId": site.vgw_id, "State": "active", "Origin": PROPAGATED},
    ]
    assert site.telemetry() == [("UP", "2 BGP ROUTES", 2)] * 2
    found = ec2.describe_route_tables(Filters=[{"Name": "route.origin", "Values": [PROPAGATED]}])["RouteTables"]
    assert [t["RouteTableId"] for t in found] == [site.rtb]
    # The advertisement changes with the tag.
    ec2.create_tags(Resources=[site.cgw_id], Tags=[{"Key": BGP, "Value": "10.8.0.0/16"}])
    assert site.destinations() == ["10.8.0.0/16"]
    ec2.disable_vgw_route_propagation(GatewayId=site.vgw_id, RouteTableId=site.rtb)
    assert (site.table()["PropagatingVgws"], site.propagated()) == ([], [])


def test_the_tunnel_switch_shows_in_telemetry_and_in_propagated_routes(ec2, server):
    site = Site(ec2)
    site.enable()
    answer = switch(server.endpoint, site.vpn_id, "1", "down")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["vpnConnectionId"] == site.vpn_id
    assert [(t["tunnel"], t["status"], t["statusMessage"], t["acceptedRouteCount"]) for t in body["tunnels"]] == [
        (1, "DOWN", "IPSEC IS DOWN", 0), (2, "UP", "2 BGP ROUTES", 2)]
    assert site.telemetry() == [("DOWN", "IPSEC IS DOWN", 0), ("UP", "2 BGP ROUTES", 2)]
    changes = [t["LastStatusChange"] for t in ec2.describe_vpn_connections(VpnConnectionIds=[site.vpn_id])[
        "VpnConnections"][0]["VgwTelemetry"]]
    assert changes[0] > changes[1], "the switched tunnel's status changed after the connection came up"
    assert site.destinations() == ["10.6.0.0/16", "10.7.0.0/16"], "the other tunnel carries the routes"
    assert switch(server.endpoint, site.vpn_id, "both", "down").status_code == 200
    assert site.telemetry() == [("DOWN", "IPSEC IS DOWN", 0)] * 2
    assert site.destinations() == [], "both tunnels down: the BGP routes are withdrawn"
    assert site.table()["PropagatingVgws"] == [{"GatewayId": site.vgw_id}]
    assert switch(server.endpoint, site.vpn_id, "both", "up").status_code == 200
    assert site.telemetry() == [("UP", "2 BGP ROUTES", 2)] * 2
    assert site.destinations() == ["10.6.0.0/16", "10.7.0.0/16"]


def test_static_routes_propagate_and_a_static_route_on_the_same_prefix_wins(ec2):
    site = Site(ec2, static=True)
    site.enable()
    assert site.propagated() == [], "a static connection ignores BGP advertisements"
    ec2.create_vpn_connection_route(VpnConnectionId=site.vpn_id, DestinationCidrBlock="192.168.0.0/24")
    assert site.destinations() == ["192.168.0.0/24"]
    assert site.telemetry() == [("UP", "", 0)] * 2
    # CreateRoute for a destination present only as a propagated route is accepted; both stay listed.
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=site.vpc_id)
    ec2.create_route(RouteTableId=site.rtb, DestinationCidrBlock="192.168.0.0/24", GatewayId=igw)
    routes = [(r["DestinationCidrBlock"], r["GatewayId"], r["Origin"]) for r in site.table()["Routes"]]
    assert routes == [("10.0.0.0/16", "local", "CreateRouteTable"), ("192.168.0.0/24", igw, "CreateRoute"),
                      ("192.168.0.0/24", site.vgw_id, PROPAGATED)]
    ec2.delete_route(RouteTableId=site.rtb, DestinationCidrBlock="192.168.0.0/24")
    assert site.destinations() == ["192.168.0.0/24"]
    # A destination present only as a propagated route cannot be deleted.
    with ec2_error("InvalidRoute.NotFound",
                   f"no route with destination-cidr-block 192.168.0.0/24 in route table {site.rtb}"):
        ec2.delete_route(RouteTableId=site.rtb, DestinationCidrBlock="192.168.0.0/24")
    # Static routes do not depend on the tunnels; deleting the connection withdraws them.
    ec2.delete_vpn_connection(VpnConnectionId=site.vpn_id)
    assert site.propagated() == []


def test_propagation_needs_the_gateway_attached_to_the_tables_vpc(ec2):
    site = Site(ec2)
    other = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    with ec2_error("Gateway.NotAttached", f"resource {other} is not attached to network {site.vpc_id}"):
        ec2.enable_vgw_route_propagation(GatewayId=other, RouteTableId=site.rtb)
    with ec2_error("InvalidVpnGatewayID.NotFound"):
        ec2.enable_vgw_route_propagation(GatewayId="vgw-0123456789abcdef0", RouteTableId=site.rtb)
    site.enable()
    assert site.table()["PropagatingVgws"] == [{"GatewayId": site.vgw_id}]
    # Detached, the gateway teaches the VPC nothing.
    ec2.detach_vpn_gateway(VpnGatewayId=site.vgw_id, VpcId=site.vpc_id)
    assert site.propagated() == []


def test_the_switch_is_isolated_and_refuses_bad_input(client_factory, server):
    owner = client_factory(key=A_ACCT)
    site = Site(owner)
    outsider = switch(server.endpoint, site.vpn_id, "both", "down", key=B_ACCT)
    assert outsider.status_code == 400
    assert outsider.json() == {"error": {"code": "InvalidVpnConnectionID.NotFound",
                                         "message": f"The vpnConnection ID '{site.vpn_id}' does not exist"}}
    assert site.telemetry() == [("UP", "2 BGP ROUTES", 2)] * 2
    # Nor can another account point its own table at the owner's gateway.
    outsider_ec2 = client_factory(key=B_ACCT)
    outsider_vpc = outsider_ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    outsider_rtb = outsider_ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [outsider_vpc]}])[
        "RouteTables"][0]["RouteTableId"]
    with ec2_error("InvalidVpnGatewayID.NotFound"):
        outsider_ec2.enable_vgw_route_propagation(GatewayId=site.vgw_id, RouteTableId=outsider_rtb)
    with ec2_error("InvalidRouteTableID.NotFound"):
        outsider_ec2.enable_vgw_route_propagation(GatewayId=site.vgw_id, RouteTableId=site.rtb)
    bad = switch(server.endpoint, site.vpn_id, "3", "down", key=A_ACCT)
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "InvalidParameterValue")
    bad = switch(server.endpoint, site.vpn_id, "1", "sideways", key=A_ACCT)
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "InvalidParameterValue")
    assert switch(server.endpoint, site.vpn_id, "2", "down", key=A_ACCT).status_code == 200
    assert site.telemetry() == [("UP", "2 BGP ROUTES", 2), ("DOWN", "IPSEC IS DOWN", 0)]
    owner.delete_vpn_connection(VpnConnectionId=site.vpn_id)
    gone = switch(server.endpoint, site.vpn_id, "1", "up", key=A_ACCT)
    assert gone.json()["error"] == {"code": "IncorrectState",
                                    "message": f"The VPN connection {site.vpn_id} is not in the available state."}


def localvpc(endpoint: str, *args: str, key: str = "test") -> subprocess.CompletedProcess:
    binary = os.environ.get("LOCALVPC_BIN", str(REPO_ROOT / "target" / "debug" / "localvpc"))
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key, AWS_DEFAULT_REGION="us-east-1")
    for var in ("AWS_REGION", "AWS_SECRET_ACCESS_KEY", "LOCALVPC_ENDPOINT"):
        env.pop(var, None)
    return subprocess.run([binary, "--endpoint", endpoint, *args], capture_output=True, text=True, env=env,
                          timeout=60)


def test_the_localvpc_vpn_tunnel_verb(ec2, server):
    site = Site(ec2)
    site.enable()
    outside = [t["OutsideIpAddress"] for t in
               ec2.describe_vpn_connections(VpnConnectionIds=[site.vpn_id])["VpnConnections"][0]["VgwTelemetry"]]
    down = localvpc(server.endpoint, "vpn", "tunnel", site.vpn_id, "--tunnel", "both", "--down")
    assert down.returncode == 0, down.stderr
    assert down.stdout == (f"{site.vpn_id}  tunnel 1  {outside[0]}  DOWN  IPSEC IS DOWN\n"
                           f"{site.vpn_id}  tunnel 2  {outside[1]}  DOWN  IPSEC IS DOWN\n")
    assert site.destinations() == []
    up = localvpc(server.endpoint, "vpn", "tunnel", site.vpn_id, "--tunnel", "2", "--up")
    assert up.returncode == 0, up.stderr
    assert up.stdout.splitlines()[1] == f"{site.vpn_id}  tunnel 2  {outside[1]}  UP  2 BGP ROUTES"
    assert site.destinations() == ["10.6.0.0/16", "10.7.0.0/16"]
    other_account = localvpc(server.endpoint, "vpn", "tunnel", site.vpn_id, "--tunnel", "2", "--down", key=B_ACCT)
    assert other_account.returncode == 2
    assert f"The vpnConnection ID '{site.vpn_id}' does not exist" in other_account.stderr
    assert site.destinations() == ["10.6.0.0/16", "10.7.0.0/16"]
    usage = localvpc(server.endpoint, "vpn", "tunnel", site.vpn_id, "--tunnel", "2")
    assert usage.returncode == 2 and "--down" in usage.stderr


def test_aws_cli_enable_and_disable_propagation(aws, ec2):
    site = Site(ec2)
    assert aws("ec2", "enable-vgw-route-propagation", "--gateway-id", site.vgw_id,
               "--route-table-id", site.rtb).rc == 0
    listed = aws("ec2", "describe-route-tables", "--route-table-ids", site.rtb).ok()["RouteTables"][0]
    assert listed["PropagatingVgws"] == [{"GatewayId": site.vgw_id}]
    assert [r["DestinationCidrBlock"] for r in listed["Routes"] if r["Origin"] == PROPAGATED] == [
        "10.6.0.0/16", "10.7.0.0/16"]
    assert aws("ec2", "disable-vgw-route-propagation", "--gateway-id", site.vgw_id,
               "--route-table-id", site.rtb).rc == 0
    assert site.propagated() == []
    other = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    cli_error(aws("ec2", "enable-vgw-route-propagation", "--gateway-id", other, "--route-table-id", site.rtb),
              "Gateway.NotAttached", f"resource {other} is not attached to network {site.vpc_id}")


def test_the_create_answer_shows_tunnels_down_and_a_repeat_shows_the_available_connection(ec2):
    site = Site(ec2)
    created = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=site.cgw_id, VpnGatewayId=site.vgw_id)
    # An identical request answers the existing (available) connection, tunnels up.
    assert created["VpnConnection"]["VpnConnectionId"] == site.vpn_id
    assert created["VpnConnection"]["State"] == "available"
    fresh_cgw = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="198.51.100.9")["CustomerGateway"][
        "CustomerGatewayId"]
    fresh = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=fresh_cgw, VpnGatewayId=site.vgw_id)
    assert fresh["VpnConnection"]["State"] == "pending"
    assert [t["Status"] for t in fresh["VpnConnection"]["VgwTelemetry"]] == ["DOWN", "DOWN"]


def test_everything_survives_a_restart(sqlite_server, client_factory):
    srv = sqlite_server(name="vpn-restart").start()
    ec2 = client_factory(endpoint=srv.endpoint)
    site = Site(ec2)
    site.enable()
    assert switch(srv.endpoint, site.vpn_id, "1", "down").status_code == 200
    before = (site.table(), ec2.describe_vpn_connections()["VpnConnections"],
              ec2.describe_vpn_gateways()["VpnGateways"], ec2.describe_customer_gateways()["CustomerGateways"])
    assert site.destinations() == ["10.6.0.0/16", "10.7.0.0/16"]
    srv.kill()
    srv.start()
    ec2 = client_factory(endpoint=srv.endpoint)
    site.ec2 = ec2
    after = (site.table(), ec2.describe_vpn_connections()["VpnConnections"],
             ec2.describe_vpn_gateways()["VpnGateways"], ec2.describe_customer_gateways()["CustomerGateways"])
    assert after == before
    assert site.telemetry() == [("DOWN", "IPSEC IS DOWN", 0), ("UP", "2 BGP ROUTES", 2)]


def test_a_gateway_route_table_takes_no_propagation(ec2):
    site = Site(ec2)
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=site.vpc_id)
    edge = ec2.create_route_table(VpcId=site.vpc_id)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=edge, GatewayId=igw)
    with ec2_error("InvalidParameterValue",
                   f"Route propagation cannot be enabled on route table {edge}: it is associated with a gateway."):
        ec2.enable_vgw_route_propagation(GatewayId=site.vgw_id, RouteTableId=edge)
    site.enable()
    with ec2_error("InvalidParameterValue",
                   f"Route table {site.rtb} has route propagation enabled: it cannot be associated with a gateway."):
        ec2.associate_route_table(RouteTableId=site.rtb, GatewayId=igw)
