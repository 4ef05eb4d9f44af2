"""`serve --data-plane kernel` with site-to-site VPN (part 2 §15.5): the on-premises network behind a customer
gateway is a namespace (`localvpc exec onprem:cgw-…` runs real ping there, from the site's first address) joined to
the VPC by its virtual private gateway over each connection with a tunnel up, or to a transit gateway by a VPN
attachment. Real ping and the engine (`exec --model`) agree at every step: nothing before the VPC routes the site to
the gateway, replies after (from any address of the site's prefix), one tunnel down still carries it, both down stop
it. Needs root, like the other kernel tests (skipped loudly otherwise)."""
from __future__ import annotations

from test_kernel_data_plane import kernel, lab  # noqa: F401  (fixtures)

OFFICE = "192.168.50.0/24"
OFFICE_HOST = "192.168.50.1"  # the first usable host of the site's first prefix: where its probes come from


def both(lab, vantage, address):  # noqa: F811
    """The kernel's and the engine's answer to one ping."""
    real = lab.ping(vantage, address).returncode
    model = lab.localvpc("exec", "--model", vantage, "--", "ping", "-c", "1", address).returncode
    return real, model


def office(lab, static=True, **target):  # noqa: F811
    """A customer gateway and a VPN connection (to `target`: a VGW or a TGW) for 192.168.50.0/24: a static route,
    or (`static=False`) the prefix the customer gateway advertises over BGP (its `localvpc:bgp-prefixes` tag)."""
    tags = [] if static else [{"ResourceType": "customer-gateway",
                               "Tags": [{"Key": "localvpc:bgp-prefixes", "Value": OFFICE}]}]
    cgw = lab.ec2.create_customer_gateway(Type="ipsec.1", PublicIp="203.0.113.12", BgpAsn=65000,
                                          TagSpecifications=tags)["CustomerGateway"]["CustomerGatewayId"]
    vpn = lab.ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw, Options={"StaticRoutesOnly": static},
                                        **target)["VpnConnection"]["VpnConnectionId"]
    if static:
        lab.ec2.create_vpn_connection_route(VpnConnectionId=vpn, DestinationCidrBlock=OFFICE)
    return cgw, vpn


def tunnel(lab, vpn, which, state):  # noqa: F811
    done = lab.localvpc("vpn", "tunnel", vpn, "--tunnel", which, f"--{state}")
    assert done.returncode == 0, done


def test_kernel_a_site_reaches_the_vpc_through_its_virtual_private_gateway(lab):  # noqa: F811
    side = lab.network("10.6.0.0/16", "10.6.1.0/24", igw=False)
    lab.allow(side, "icmp", OFFICE)
    vgw = lab.ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    lab.ec2.attach_vpn_gateway(VpcId=side["vpc"], VpnGatewayId=vgw)
    cgw, vpn = office(lab, VpnGatewayId=vgw)
    site = f"onprem:{cgw}"
    assert both(lab, site, side["ip"]) == (1, 1)  # the VPC has no route back to the site
    assert both(lab, side["instance"], OFFICE_HOST) == (1, 1)
    lab.ec2.create_route(RouteTableId=side["rtb"], DestinationCidrBlock=OFFICE, GatewayId=vgw)
    out = lab.ping(site, side["ip"])
    assert out.returncode == 0 and f"64 bytes from {side['ip']}" in out.stdout, out
    assert both(lab, site, side["ip"]) == (0, 0)
    # The site sends from its first address; every address of its prefix answers.
    sent = lab.exec(site, "ip", "-4", "-o", "addr", "show", "lo")
    assert f"inet {OFFICE_HOST}/32" in sent.stdout, sent.stdout
    assert both(lab, side["instance"], OFFICE_HOST) == (0, 0)
    assert both(lab, side["instance"], "192.168.50.77") == (0, 0)
    assert both(lab, side["instance"], "192.168.51.1") == (1, 1)  # not the site's: the gateway has no route
    traced = lab.exec(site, "traceroute", "-I", "-n", "-w", "1", "-q", "1", "-m", "5", side["ip"])
    hops = [line.split()[:2] for line in traced.stdout.splitlines()[1:]]
    assert traced.returncode == 0 and hops == [["1", side["ip"]]], traced.stdout
    # One tunnel down: the other carries it; both down: the site loses the connection.
    tunnel(lab, vpn, "1", "down")
    assert both(lab, site, side["ip"]) == (0, 0)
    tunnel(lab, vpn, "both", "down")
    assert both(lab, site, side["ip"]) == (1, 1)
    assert both(lab, side["instance"], OFFICE_HOST) == (1, 1)
    tunnel(lab, vpn, "2", "up")
    assert both(lab, site, side["ip"]) == (0, 0)


def test_kernel_exec_onprem_names_only_the_callers_customer_gateways(lab):  # noqa: F811
    side = lab.network("10.6.0.0/16", "10.6.1.0/24", igw=False)
    vgw = lab.ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    lab.ec2.attach_vpn_gateway(VpcId=side["vpc"], VpnGatewayId=vgw)
    cgw, _ = office(lab, VpnGatewayId=vgw)
    known = lab.exec(f"onprem:{cgw}", "ip", "-4", "-o", "addr", "show", "lo")
    assert known.returncode == 0 and f"inet {OFFICE_HOST}/32" in known.stdout, known  # positive control
    unknown = "onprem:cgw-0123456789abcdef0"
    real = lab.exec(unknown, "ping", "-c", "1", side["ip"])
    model = lab.localvpc("exec", "--model", unknown, "--", "ping", "-c", "1", side["ip"])
    message = "The customerGateway ID 'cgw-0123456789abcdef0' does not exist"
    assert real.returncode == 2 and message in real.stderr, real
    assert (model.returncode, model.stderr) == (real.returncode, real.stderr), model


def test_kernel_a_site_reaches_the_vpc_through_a_transit_gateway_vpn_attachment(lab):  # noqa: F811
    side = lab.network("10.6.0.0/16", "10.6.1.0/24", igw=False)
    lab.allow(side, "icmp", OFFICE)
    created = lab.ec2.create_transit_gateway(Description="hub")["TransitGateway"]
    tgw, table = created["TransitGatewayId"], created["Options"]["AssociationDefaultRouteTableId"]
    lab.ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=side["vpc"], SubnetIds=[side["subnet"]])
    cgw, vpn = office(lab, static=False, TransitGatewayId=tgw)
    site = f"onprem:{cgw}"
    # The advertised prefix propagates into the gateway's table while a tunnel is up.
    routes = lab.ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=table, Filters=[
        {"Name": "state", "Values": ["active"]}])["Routes"]
    assert OFFICE in [route["DestinationCidrBlock"] for route in routes], routes
    assert both(lab, site, side["ip"]) == (1, 1)  # the VPC has no route back to the site
    lab.ec2.create_route(RouteTableId=side["rtb"], DestinationCidrBlock=OFFICE, TransitGatewayId=tgw)
    out = lab.ping(site, side["ip"])
    assert out.returncode == 0 and f"64 bytes from {side['ip']}" in out.stdout, out
    assert both(lab, site, side["ip"]) == (0, 0)
    assert both(lab, side["instance"], OFFICE_HOST) == (0, 0)
    tunnel(lab, vpn, "both", "down")
    assert both(lab, side["instance"], OFFICE_HOST) == (1, 1)
    assert both(lab, site, side["ip"]) == (1, 1)
