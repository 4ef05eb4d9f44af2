"""`serve --data-plane kernel`: the Amazon resolver at each VPC's base + 2 answers real `dig` and `getent` inside
the instances' namespaces with the engine's split horizon (spec §4.5), and the internet vantage has a public
resolver. Needs root and network namespaces, as test_kernel_data_plane.py (whose fixtures these tests share).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from test_kernel_data_plane import AMI, REGION, Lab, kernel, lab  # noqa: F401 (fixtures)

PRIVATE_DOMAIN = f"{REGION}.compute.internal"


def dashed(address: str) -> str:
    return address.replace(".", "-")


def public_name(address: str) -> str:
    return f"ec2-{dashed(address)}.{REGION}.compute.amazonaws.com"


def private_name(address: str) -> str:
    return f"ip-{dashed(address)}.{PRIVATE_DOMAIN}"


@pytest.fixture(autouse=True)
def needs_dig():
    if not shutil.which("dig"):
        pytest.skip("KERNEL DNS TESTS SKIPPED: needs `dig` on PATH (Debian: dnsutils; .ci/run installs it)")


def dig(lab: Lab, vantage: str, name: str, *server: str):
    """`dig` inside the vantage's namespace with the resolver of its resolv.conf (or `@server`): (status, answers)
    where status is dig's header status, or "timeout"."""
    out = lab.exec(vantage, "dig", *[f"@{s}" for s in server], "+tries=1", "+time=2", "+noall", "+comments",
                   "+answer", name, "A")
    if out.returncode == 9 or "timed out" in out.stdout:
        return "timeout", []
    assert out.returncode == 0, out
    status = next(line.split("status: ")[1].split(",")[0] for line in out.stdout.splitlines() if "status: " in line)
    answers = [line.split()[-1] for line in out.stdout.splitlines() if line and not line.startswith(";")
               and line.split()[3:4] == ["A"]]
    return status, answers


def two_vpcs(lab: Lab) -> tuple[dict, dict]:
    a = lab.network("10.6.0.0/16", "10.6.1.0/24")
    b = lab.network("10.7.0.0/16", "10.7.1.0/24")
    for side in (a, b):
        lab.ec2.modify_vpc_attribute(VpcId=side["vpc"], EnableDnsHostnames={"Value": True})
        allocation = lab.ec2.allocate_address(Domain="vpc")
        lab.ec2.associate_address(AllocationId=allocation["AllocationId"], InstanceId=side["instance"])
        side["public"] = allocation["PublicIp"]
    return a, b


def test_kernel_instances_resolve_through_their_vpcs_base_plus_two(lab):
    a, b = two_vpcs(lab)
    conf = lab.exec(a["instance"], "cat", "/etc/resolv.conf")
    assert conf.returncode == 0, conf
    assert "nameserver 10.6.0.2" in conf.stdout and f"search {PRIVATE_DOMAIN}" in conf.stdout, conf.stdout
    assert (Path("/etc/netns") / f"{lab.server.prefix}-{a['instance']}" / "resolv.conf").exists()
    # Inside its own VPC a public name is the private address; a private name too, and short names through the
    # search domain (glibc's resolver, as any program uses it).
    assert dig(lab, b["instance"], public_name(b["public"])) == ("NOERROR", [b["ip"]])
    assert dig(lab, b["instance"], private_name(b["ip"])) == ("NOERROR", [b["ip"]])
    short = lab.exec(b["instance"], "getent", "hosts", f"ip-{dashed(b['ip'])}")
    assert short.returncode == 0 and short.stdout.split()[0] == b["ip"], short
    # TCP as well as UDP.
    tcp = lab.exec(b["instance"], "dig", "+tcp", "+short", "+tries=1", "+time=2", public_name(b["public"]))
    assert tcp.stdout.split() == [b["ip"]], tcp
    # From an unrelated VPC the public name is the public address; an unknown name does not exist.
    assert dig(lab, a["instance"], public_name(b["public"])) == ("NOERROR", [b["public"]])
    assert dig(lab, a["instance"], f"ip-10-99-9-9.{PRIVATE_DOMAIN}") == ("NXDOMAIN", [])


def test_kernel_split_horizon_follows_the_peering_dns_option(lab):
    a, b = two_vpcs(lab)
    pcx = lab.ec2.create_vpc_peering_connection(VpcId=a["vpc"], PeerVpcId=b["vpc"])["VpcPeeringConnection"][
        "VpcPeeringConnectionId"]
    lab.ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    lab.ec2.create_route(RouteTableId=a["rtb"], DestinationCidrBlock=b["cidr"], VpcPeeringConnectionId=pcx)
    lab.ec2.create_route(RouteTableId=b["rtb"], DestinationCidrBlock=a["cidr"], VpcPeeringConnectionId=pcx)
    # Option off on B's side: from the peer, B's public name is its public address.
    assert dig(lab, a["instance"], public_name(b["public"])) == ("NOERROR", [b["public"]])
    lab.ec2.modify_vpc_peering_connection_options(
        VpcPeeringConnectionId=pcx, AccepterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True})
    assert dig(lab, a["instance"], public_name(b["public"])) == ("NOERROR", [b["ip"]])
    # B's option says nothing about A's names: from B, A's public name stays public.
    assert dig(lab, b["instance"], public_name(a["public"])) == ("NOERROR", [a["public"]])
    # A query sent over the peering to B's own resolver gets no answer (spec §4.5, last row).
    assert dig(lab, a["instance"], public_name(b["public"]), "10.7.0.2") == ("timeout", [])


def test_kernel_internet_resolves_public_names_only(lab):
    a, b = two_vpcs(lab)
    assert dig(lab, "internet", public_name(b["public"])) == ("NOERROR", [b["public"]])
    assert dig(lab, "internet", private_name(b["ip"])) == ("NXDOMAIN", [])
    hosts = lab.exec("internet", "getent", "hosts", public_name(a["public"]))
    assert hosts.returncode == 0 and hosts.stdout.split()[0] == a["public"], hosts


def test_kernel_dns_support_off_means_no_answer(lab):
    a, b = two_vpcs(lab)
    assert dig(lab, a["instance"], public_name(b["public"])) == ("NOERROR", [b["public"]])
    lab.ec2.modify_vpc_attribute(VpcId=a["vpc"], EnableDnsHostnames={"Value": False})
    lab.ec2.modify_vpc_attribute(VpcId=a["vpc"], EnableDnsSupport={"Value": False})
    assert dig(lab, a["instance"], public_name(b["public"])) == ("timeout", [])
    # B's resolver still answers B.
    assert dig(lab, b["instance"], public_name(b["public"])) == ("NOERROR", [b["ip"]])


def test_kernel_the_resolver_ignores_security_groups(lab):
    a = lab.network("10.6.0.0/16", "10.6.1.0/24", igw=False)
    lab.ec2.modify_vpc_attribute(VpcId=a["vpc"], EnableDnsHostnames={"Value": True})
    lab.ec2.revoke_security_group_egress(GroupId=a["sg"], IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    assert lab.ping(a["instance"], "10.6.1.1").returncode == 1
    assert dig(lab, a["instance"], private_name(a["ip"])) == ("NOERROR", [a["ip"]])


def test_kernel_resolv_conf_follows_the_vpcs_dhcp_options(lab):
    a, b = two_vpcs(lab)

    def associate(*configurations):
        options = lab.ec2.create_dhcp_options(DhcpConfigurations=[
            {"Key": key, "Values": values} for key, values in configurations])["DhcpOptions"]["DhcpOptionsId"]
        lab.ec2.associate_dhcp_options(DhcpOptionsId=options, VpcId=b["vpc"])

    def resolv_conf() -> str:
        conf = lab.exec(b["instance"], "cat", "/etc/resolv.conf")
        assert conf.returncode == 0, conf
        return conf.stdout

    # The VPC's own domain: the search suffix, and the instances' names under it (part 2 §12.2).
    associate(("domain-name", ["corp.example"]), ("domain-name-servers", ["AmazonProvidedDNS"]))
    conf = resolv_conf()
    assert "nameserver 10.7.0.2" in conf and "search corp.example" in conf, conf
    assert dig(lab, b["instance"], f"ip-{dashed(b['ip'])}.corp.example") == ("NOERROR", [b["ip"]])
    short = lab.exec(b["instance"], "getent", "hosts", f"ip-{dashed(b['ip'])}")
    assert short.returncode == 0 and short.stdout.split()[0] == b["ip"], short
    # A custom server is asked instead of base + 2: nothing answers at an unused private address, while base + 2
    # still answers when asked by address.
    associate(("domain-name-servers", ["10.7.1.250"]))
    conf = resolv_conf()
    assert "nameserver 10.7.1.250" in conf and "search" not in conf, conf
    assert dig(lab, b["instance"], private_name(b["ip"])) == ("timeout", [])
    assert dig(lab, b["instance"], private_name(b["ip"]), "10.7.0.2") == ("NOERROR", [b["ip"]])
    # No options at all: no server. A's VPC keeps the default set.
    lab.ec2.associate_dhcp_options(DhcpOptionsId="default", VpcId=b["vpc"])
    assert "nameserver" not in resolv_conf()
    conf = lab.exec(a["instance"], "cat", "/etc/resolv.conf").stdout
    assert "nameserver 10.6.0.2" in conf and f"search {PRIVATE_DOMAIN}" in conf, conf
