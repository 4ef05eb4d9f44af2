"""`serve --data-plane kernel` with an IPv6-only subnet (part 2 §16.1): the instance's namespace holds an IPv6
address and no IPv4 address or route; a real `ping6` reaches a dual-stack neighbour and back, a real `ping` of an
IPv4 address fails at connect() as Linux says ("Network is unreachable"), and the resolver it is given is
fd00:ec2::253, which answers its resource name — each step checked against the engine (`exec --model`). Needs
root, like the other kernel tests."""
from __future__ import annotations

import ipaddress
import shutil

import pytest

from test_kernel_data_plane import REGION, kernel, lab  # noqa: F401  (fixtures)


def ipv6_only_net(lab) -> dict:  # noqa: F811
    """A VPC with an Amazon /56 and DNS hostnames: a dual-stack subnet (IPv6 on creation) with one instance and an
    IPv6-only subnet with another; their shared default group admits ICMPv6 from anywhere."""
    ec2 = lab.ec2
    vpc = ec2.create_vpc(CidrBlock="10.58.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    block = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    base = ipaddress.ip_network(block).network_address
    dual_subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.58.1.0/24",
                                    Ipv6CidrBlock=f"{base + (1 << 64)}/64")["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=dual_subnet, AssignIpv6AddressOnCreation={"Value": True})
    only_block = f"{base + (2 << 64)}/64"
    only_subnet = ec2.create_subnet(VpcId=vpc, Ipv6Native=True, Ipv6CidrBlock=only_block)["Subnet"]["SubnetId"]

    def launch(subnet: str) -> dict:
        return ec2.run_instances(ImageId="ami-0123456789abcdef0", InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                 SubnetId=subnet)["Instances"][0]

    only, dual = launch(only_subnet), launch(dual_subnet)
    ec2.authorize_security_group_ingress(GroupId=only["SecurityGroups"][0]["GroupId"], IpPermissions=[
        {"IpProtocol": "58", "FromPort": -1, "ToPort": -1, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    return {"only": only, "dual": dual, "only_block": only_block}


def test_kernel_an_ipv6_only_instance_has_no_ipv4_and_talks_ipv6(lab):  # noqa: F811
    net = ipv6_only_net(lab)
    only, dual = net["only"]["InstanceId"], net["dual"]["InstanceId"]
    only_v6, dual_v6 = net["only"]["Ipv6Address"], net["dual"]["Ipv6Address"]
    # The exec waits for the kernel to hold the last write; then the namespace shows IPv6 only.
    out = lab.exec(only, "ping6", "-c", "1", "-W", "2", "-n", dual_v6)
    assert out.returncode == 0 and f"64 bytes from {dual_v6}: icmp_seq=1" in out.stdout, out
    ipv4 = lab.exec(only, "ip", "-4", "-o", "addr", "show", "dev", "eth0")
    assert (ipv4.returncode, ipv4.stdout) == (0, ""), ipv4
    ipv6 = lab.exec(only, "ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "global")
    assert f"inet6 {only_v6}/64" in ipv6.stdout, ipv6
    routes = lab.exec(only, "ip", "-4", "route", "show")
    assert (routes.returncode, routes.stdout) == (0, ""), routes
    router = ipaddress.ip_network(net["only_block"]).network_address + 1
    default6 = lab.exec(only, "ip", "-6", "route", "show", "default")
    assert default6.stdout.strip().startswith(f"default via {router} dev eth0"), default6
    model = lab.localvpc("exec", "--model", only, "--", "ping6", "-c", "1", dual_v6)
    assert model.returncode == 0, model
    # Both ways: the neighbour reaches it by its only address.
    back = lab.exec(dual, "ping6", "-c", "1", "-W", "2", "-n", only_v6)
    assert back.returncode == 0, back
    # IPv4: connect() fails at once in both planes, the same words.
    dual_v4 = net["dual"]["PrivateIpAddress"]
    real = lab.exec(only, "ping", "-c", "1", "-W", "1", dual_v4)
    modelled = lab.localvpc("exec", "--model", only, "--", "ping", "-c", "1", dual_v4)
    assert (real.returncode, real.stderr) == (2, "ping: connect: Network is unreachable\n"), real
    assert (modelled.returncode, modelled.stderr) == (real.returncode, real.stderr), modelled
    # Positive control: the dual-stack neighbour pings its own IPv4 address in both planes.
    assert lab.exec(dual, "ping", "-c", "1", "-W", "1", dual_v4).returncode == 0
    assert lab.localvpc("exec", "--model", dual, "--", "ping", "-c", "1", dual_v4).returncode == 0


def test_kernel_an_ipv6_only_instance_resolves_through_fd00_ec2_253(lab):  # noqa: F811
    if not shutil.which("dig"):
        pytest.skip("needs `dig` (Debian: dnsutils)")
    net = ipv6_only_net(lab)
    only = net["only"]["InstanceId"]
    name = net["only"]["PrivateDnsName"]
    domain = "ec2.internal" if REGION == "us-east-1" else f"{REGION}.compute.internal"
    assert name == f"{only}.{domain}", name
    asked = lab.exec(only, "dig", "+tries=1", "+time=2", "+short", "AAAA", name)
    assert (asked.returncode, asked.stdout) == (0, f"{net['only']['Ipv6Address']}\n"), asked
    conf = lab.exec(only, "cat", "/etc/resolv.conf")
    assert "nameserver fd00:ec2::253" in conf.stdout.splitlines(), conf
    modelled = lab.localvpc("exec", "--model", only, "--", "dig", "+short", "AAAA", name)
    assert (modelled.returncode, modelled.stdout) == (asked.returncode, asked.stdout), modelled
