"""DNS for IPv6 (part 2 §16.4), with boto3 setup and the real CLI's tools: a resource-name hostname answers AAAA
once its subnet enables the record (dig, nslookup -type=AAAA, ping6 by name), an IP name answers A only, and DNS64
on the asking instance's subnet synthesizes `64:ff9b::<ipv4>` for names without AAAA."""
from __future__ import annotations

import ipaddress

import pytest

from test_exec import AMI, REGION, localvpc  # noqa: F401  (the `localvpc` fixture runs the tools)


class Net:
    """A dual-stack VPC with DNS hostnames on, one subnet with its first /64 that gives every new interface an IPv6
    address, its instances named by resource name with the AAAA record on, and two instances whose default group
    admits ICMPv6 from the VPC."""

    def __init__(self, ec2):
        self.ec2 = ec2
        vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        block = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
        subnet_block = f"{ipaddress.ip_network(block).network_address + (1 << 64)}/64"
        self.subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/24", Ipv6CidrBlock=subnet_block)[
            "Subnet"]["SubnetId"]
        ec2.modify_subnet_attribute(SubnetId=self.subnet, AssignIpv6AddressOnCreation={"Value": True})
        ec2.modify_subnet_attribute(SubnetId=self.subnet, PrivateDnsHostnameTypeOnLaunch="resource-name")
        ec2.modify_subnet_attribute(SubnetId=self.subnet, EnableResourceNameDnsAAAARecordOnLaunch={"Value": True})
        launched = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=2, MaxCount=2,
                                     SubnetId=self.subnet)["Instances"]
        self.asker, self.target = (instance["InstanceId"] for instance in launched)
        self.target_ip = launched[1]["PrivateIpAddress"]
        self.target_ip6 = launched[1]["NetworkInterfaces"][0]["Ipv6Addresses"][0]["Ipv6Address"]
        group = launched[1]["SecurityGroups"][0]["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
            {"IpProtocol": "58", "FromPort": -1, "ToPort": -1, "Ipv6Ranges": [{"CidrIpv6": block}]}])
        self.resource_name = f"{self.target}.{REGION}.compute.internal"
        self.ip_name = f"ip-{self.target_ip.replace('.', '-')}.{REGION}.compute.internal"

    def subnet_attribute(self, **attribute):
        self.ec2.modify_subnet_attribute(SubnetId=self.subnet, **attribute)


@pytest.fixture
def ec2(client_factory):
    return client_factory(region=REGION)


def test_a_resource_name_answers_aaaa_and_an_ip_name_a_only(ec2, localvpc):  # noqa: F811
    net = Net(ec2)
    subnet = ec2.describe_subnets(SubnetIds=[net.subnet])["Subnets"][0]
    assert subnet["PrivateDnsNameOptionsOnLaunch"]["HostnameType"] == "resource-name"
    assert subnet["PrivateDnsNameOptionsOnLaunch"]["EnableResourceNameDnsAAAARecord"] is True

    dig = localvpc("exec", net.asker, "--", "dig", "AAAA", net.resource_name)
    assert dig.rc == 0, dig
    assert "status: NOERROR" in dig.out and "ANSWER: 1," in dig.out, dig
    assert f";; QUESTION SECTION:\n;{net.resource_name}.\t\t\tIN\tAAAA\n" in dig.out, dig
    assert f";; ANSWER SECTION:\n{net.resource_name}.\t60\tIN\tAAAA\t{net.target_ip6}\n" in dig.out, dig
    # The type after the name, and +short.
    short = localvpc("exec", net.asker, "--", "dig", "+short", net.resource_name, "AAAA")
    assert (short.rc, short.out) == (0, f"{net.target_ip6}\n"), short

    nslookup = localvpc("exec", net.asker, "--", "nslookup", "-type=AAAA", net.resource_name)
    assert nslookup.rc == 0, nslookup
    assert f"Name:\t{net.resource_name}\nAddress: {net.target_ip6}\n" in nslookup.out, nslookup

    ping = localvpc("exec", net.asker, "--", "ping6", "-c", "1", net.resource_name)
    assert ping.rc == 0, ping
    assert ping.out.splitlines()[0] == f"PING {net.resource_name}({net.target_ip6}) 56 data bytes", ping
    assert "1 packets transmitted, 1 received, 0% packet loss" in ping.out, ping

    # An IP name answers A only: NOERROR with no AAAA...
    none = localvpc("exec", net.asker, "--", "dig", net.ip_name, "AAAA")
    assert none.rc == 0 and "status: NOERROR" in none.out and "ANSWER: 0," in none.out, none
    assert "ANSWER SECTION" not in none.out, none
    no_answer = localvpc("exec", net.asker, "--", "nslookup", "-type=AAAA", net.ip_name)
    assert no_answer.rc == 0 and f"*** Can't find {net.ip_name}: No answer\n" in no_answer.out, no_answer
    # ...and positive control: its A record is still answered.
    a = localvpc("exec", net.asker, "--", "dig", net.ip_name)
    assert f";; ANSWER SECTION:\n{net.ip_name}.\t60\tIN\tA\t{net.target_ip}\n" in a.out, a
    # The records are the instance's: the subnet's option no longer matters once it runs...
    net.subnet_attribute(EnableResourceNameDnsAAAARecordOnLaunch={"Value": False})
    kept = localvpc("exec", net.asker, "--", "dig", "+short", "AAAA", net.resource_name)
    assert (kept.rc, kept.out) == (0, f"{net.target_ip6}\n"), kept
    # ...and without the AAAA record on the instance the resource name has no AAAA.
    changed = ec2.modify_private_dns_name_options(InstanceId=net.target, EnableResourceNameDnsAAAARecord=False)
    assert changed["Return"] is True
    off = localvpc("exec", net.asker, "--", "dig", "+short", "AAAA", net.resource_name)
    assert (off.rc, off.out) == (0, ""), off


def test_dns64_synthesizes_an_aaaa_for_names_without_one(ec2, localvpc):  # noqa: F811
    net = Net(ec2)
    synthesized = str(ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) +
                                            int(ipaddress.IPv4Address(net.target_ip))))
    before = localvpc("exec", net.asker, "--", "dig", "+short", "AAAA", net.ip_name)
    assert (before.rc, before.out) == (0, ""), before
    net.subnet_attribute(EnableDns64={"Value": True})
    subnet = ec2.describe_subnets(SubnetIds=[net.subnet])["Subnets"][0]
    assert subnet["EnableDns64"] is True
    after = localvpc("exec", net.asker, "--", "dig", "AAAA", net.ip_name)
    assert f";; ANSWER SECTION:\n{net.ip_name}.\t60\tIN\tAAAA\t{synthesized}\n" in after.out, after
    # A name that has AAAA is answered unchanged; A stays A; a missing name stays NXDOMAIN.
    own = localvpc("exec", net.asker, "--", "dig", "+short", "AAAA", net.resource_name)
    assert (own.rc, own.out) == (0, f"{net.target_ip6}\n"), own
    a = localvpc("exec", net.asker, "--", "dig", "+short", net.ip_name)
    assert (a.rc, a.out) == (0, f"{net.target_ip}\n"), a
    missing = localvpc("exec", net.asker, "--", "dig", "AAAA", f"ip-10-40-9-9.{REGION}.compute.internal")
    assert missing.rc == 0 and "status: NXDOMAIN" in missing.out, missing
    # Turned off again: no synthesis.
    net.subnet_attribute(EnableDns64={"Value": False})
    off = localvpc("exec", net.asker, "--", "dig", "+short", "AAAA", net.ip_name)
    assert (off.rc, off.out) == (0, ""), off


def test_the_amazon_resolver_answers_at_its_ipv6_address_an_instance_with_ipv6(ec2, localvpc):  # noqa: F811
    net = Net(ec2)
    dig = localvpc("exec", net.asker, "--", "dig", "@fd00:ec2::253", net.resource_name, "AAAA")
    assert dig.rc == 0, dig
    assert f";; ANSWER SECTION:\n{net.resource_name}.\t60\tIN\tAAAA\t{net.target_ip6}\n" in dig.out, dig
    assert ";; SERVER: fd00:ec2::253#53(fd00:ec2::253) (UDP)" in dig.out, dig
    looked_up = localvpc("exec", net.asker, "--", "nslookup", net.ip_name, "fd00:ec2::253")
    assert looked_up.rc == 0, looked_up
    assert looked_up.out.startswith("Server:\t\tfd00:ec2::253\nAddress:\tfd00:ec2::253#53\n\n"), looked_up
    assert f"Name:\t{net.ip_name}\nAddress: {net.target_ip}\n" in looked_up.out, looked_up
    # An instance without an IPv6 address cannot reach that address (no IPv6 to send from) — while base + 2,
    # the positive control, still answers it.
    vpc = ec2.describe_subnets(SubnetIds=[net.subnet])["Subnets"][0]["VpcId"]
    plain_subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.2.0/24")["Subnet"]["SubnetId"]
    plain = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                              SubnetId=plain_subnet)["Instances"][0]["InstanceId"]
    unreached = localvpc("exec", plain, "--", "dig", "@fd00:ec2::253", net.ip_name, "+short")
    assert (unreached.rc, unreached.out) == (9, ";; communications error to fd00:ec2::253#53: timed out\n"
                                                ";; communications error to fd00:ec2::253#53: timed out\n"
                                                ";; communications error to fd00:ec2::253#53: timed out\n"
                                                ";; no servers could be reached\n\n"), unreached
    reached = localvpc("exec", plain, "--", "dig", "@10.40.0.2", net.ip_name, "+short")
    assert (reached.rc, reached.out) == (0, f"{net.target_ip}\n"), reached


def test_an_instance_launched_with_its_own_options_answers_aaaa(ec2, localvpc):  # noqa: F811
    net = Net(ec2)
    net.subnet_attribute(EnableResourceNameDnsAAAARecordOnLaunch={"Value": False})
    launched = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=net.subnet,
                                 PrivateDnsNameOptions={"EnableResourceNameDnsAAAARecord": True})
    (own,) = launched["Instances"]
    assert own["PrivateDnsNameOptions"] == {"HostnameType": "resource-name", "EnableResourceNameDnsARecord": False,
                                            "EnableResourceNameDnsAAAARecord": True}
    own_ip6 = own["NetworkInterfaces"][0]["Ipv6Addresses"][0]["Ipv6Address"]
    name = f"{own['InstanceId']}.{REGION}.compute.internal"
    dig = localvpc("exec", net.asker, "--", "dig", "+short", "AAAA", name)
    assert (dig.rc, dig.out) == (0, f"{own_ip6}\n"), dig
    # Positive control of the subnet's default: one launched without options inherits the record off.
    (inherited,) = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                     SubnetId=net.subnet)["Instances"]
    assert inherited["PrivateDnsNameOptions"]["EnableResourceNameDnsAAAARecord"] is False
    none = localvpc("exec", net.asker, "--", "dig", "+short", "AAAA",
                    f"{inherited['InstanceId']}.{REGION}.compute.internal")
    assert (none.rc, none.out) == (0, ""), none
