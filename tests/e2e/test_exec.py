"""The client commands (`localvpc exec`, `explain`, `reachability`, `ssh`) replaying the seed tutorial in
ap-northeast-2: VPC A 10.6.0.0/16 and VPC B 10.7.0.0/16, a subnet, an internet gateway and an instance in each, an
Elastic IP on A's instance. Every step checks what the Linux tools would print on AWS (spec §3.7, §3.8, §4).

The resources are built with boto3 and the aws CLI; the tools run as `localvpc --endpoint … <command>` subprocesses
with the aws CLI's environment variables.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

REGION = "ap-northeast-2"
AMI = "ami-0123456789abcdef0"
REPO_ROOT = Path(__file__).resolve().parents[2]


def binary() -> str:
    return os.environ.get("LOCALVPC_BIN", str(REPO_ROOT / "target" / "debug" / "localvpc"))


def tool_env(region: str | None = REGION, key: str = "test", **extra) -> dict:
    env = dict(os.environ)
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION", "LOCALVPC_ENDPOINT"):
        env.pop(var, None)
    env["AWS_ACCESS_KEY_ID"] = key
    env["AWS_SECRET_ACCESS_KEY"] = "test"
    if region:
        env["AWS_DEFAULT_REGION"] = region
    env.update(extra)
    return env


class Run:
    def __init__(self, proc: subprocess.CompletedProcess):
        self.rc, self.out, self.err = proc.returncode, proc.stdout, proc.stderr

    def __repr__(self):
        return f"rc={self.rc}\n--- stdout ---\n{self.out}--- stderr ---\n{self.err}"


@pytest.fixture
def localvpc(server):
    """localvpc('exec', 'i-…', '--', 'ping', '10.7.1.4', stdin=None, env=None) -> Run(rc, out, err)."""

    def run(*args, stdin: str | None = None, env: dict | None = None, endpoint: bool = True) -> Run:
        argv = [binary()] + (["--endpoint", server.endpoint] if endpoint else []) + [str(a) for a in args]
        proc = subprocess.run(argv, input=stdin if stdin is not None else "", capture_output=True, text=True,
                              env=env or tool_env(), timeout=60)
        return Run(proc)

    return run


class Lab:
    """The tutorial's world, step by step."""

    def __init__(self, ec2, aws, localvpc):
        self.ec2, self.aws, self.localvpc = ec2, aws, localvpc
        self.a = self.network("10.6.0.0/16", "10.6.1.0/24", "peeringVPC-A")
        self.b = self.network("10.7.0.0/16", "10.7.1.0/24", "peeringVPC-B", listen="22,80")
        allocation = ec2.allocate_address(Domain="vpc")
        ec2.associate_address(AllocationId=allocation["AllocationId"], InstanceId=self.a["instance"])
        self.a["eip"] = allocation["PublicIp"]
        self.pcx = None

    def network(self, cidr: str, subnet_cidr: str, name: str, listen: str | None = None) -> dict:
        ec2 = self.ec2
        vpc = ec2.create_vpc(CidrBlock=cidr, TagSpecifications=[
            {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}]}])["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=subnet_cidr)["Subnet"]["SubnetId"]
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        kwargs = {}
        if listen:
            kwargs["TagSpecifications"] = [
                {"ResourceType": "instance", "Tags": [{"Key": "localvpc:listen", "Value": listen}]}]
        instance = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                     SubnetId=subnet, **kwargs)["Instances"][0]
        table = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                   {"Name": "association.main", "Values": ["true"]}])
        group = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                      {"Name": "group-name", "Values": ["default"]}])
        return {"vpc": vpc, "cidr": cidr, "subnet": subnet, "igw": igw, "instance": instance["InstanceId"],
                "ip": instance["PrivateIpAddress"], "rtb": table["RouteTables"][0]["RouteTableId"],
                "sg": group["SecurityGroups"][0]["GroupId"]}

    def internet_route(self, side: dict) -> None:
        self.ec2.create_route(RouteTableId=side["rtb"], DestinationCidrBlock="0.0.0.0/0", GatewayId=side["igw"])

    def peer(self, requester: dict | None = None, accepter: dict | None = None) -> str:
        requester, accepter = requester or self.a, accepter or self.b
        pcx = self.ec2.create_vpc_peering_connection(VpcId=requester["vpc"], PeerVpcId=accepter["vpc"])
        pcx_id = pcx["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        self.ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx_id)
        return pcx_id

    def route(self, side: dict, destination: str, pcx: str) -> None:
        self.ec2.create_route(RouteTableId=side["rtb"], DestinationCidrBlock=destination, VpcPeeringConnectionId=pcx)

    def allow(self, side: dict, protocol: str, port: int, cidr: str) -> None:
        ports = {"FromPort": -1, "ToPort": -1} if protocol == "icmp" else {"FromPort": port, "ToPort": port}
        self.ec2.authorize_security_group_ingress(GroupId=side["sg"], IpPermissions=[
            {"IpProtocol": protocol, **ports, "IpRanges": [{"CidrIp": cidr}]}])

    def peered(self) -> str:
        """Peering A–B with routes on both sides (no security group rule yet)."""
        self.pcx = self.peer()
        self.route(self.a, self.b["cidr"], self.pcx)
        self.route(self.b, self.a["cidr"], self.pcx)
        return self.pcx

    def exec(self, side: dict | str, *command) -> Run:
        vantage = side if isinstance(side, str) else side["instance"]
        return self.localvpc("exec", vantage, "--", *command)


@pytest.fixture
def lab(client_factory, aws, localvpc):
    return Lab(client_factory(region=REGION), aws, localvpc)


def hop_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"^\s?\d+\s", line)]


# ---------------------------------------------------------------------------------------------------------------
# ssh from the internet to A's Elastic IP
# ---------------------------------------------------------------------------------------------------------------
def test_ssh_to_the_elastic_ip_needs_the_internet_route(lab):
    lab.allow(lab.a, "tcp", 22, "0.0.0.0/0")
    eip = lab.a["eip"]
    before = lab.localvpc("ssh", f"ec2-user@{eip}", stdin="exit\n")
    assert before.rc == 255, before
    assert before.err == f"ssh: connect to host {eip} port 22: Connection timed out\n", before
    assert before.out == ""

    lab.internet_route(lab.a)
    after = lab.localvpc("ssh", f"ec2-user@{eip}", stdin="exit\n")
    assert after.rc == 0, after
    prompt = "[ec2-user@ip-" + lab.a["ip"].replace(".", "-") + " ~]$ "
    assert after.out == prompt + "logout\n", after
    assert after.err == f"Connection to {eip} closed.\n", after


def test_ssh_shell_runs_the_tools_on_the_instance(lab):
    lab.allow(lab.a, "tcp", 22, "0.0.0.0/0")
    lab.internet_route(lab.a)
    session = lab.localvpc("ssh", lab.a["eip"], stdin="ping -c 2 8.8.8.8\nfoo --bar\nnc -z 10.7.1.4 22\n")
    assert session.rc == 1, session  # end of input: the last command's status (nc timed out)
    assert "PING 8.8.8.8 (8.8.8.8) 56(84) bytes of data.\n64 bytes from 8.8.8.8: icmp_seq=1" in session.out, session
    assert "2 packets transmitted, 2 received, 0% packet loss" in session.out
    assert "-bash: foo: command not found\n" in session.err
    assert "nc: connect to 10.7.1.4 port 22 (tcp) failed: Connection timed out\n" in session.err
    assert session.out.endswith("~]$ logout\n"), session
    assert session.out.count("[ec2-user@ip-") == 4


def test_ssh_with_an_identity_logs_in_only_with_the_instance_key_pair(lab, tmp_path):
    ec2 = lab.ec2
    lab.allow(lab.a, "tcp", 22, "0.0.0.0/0")
    lab.internet_route(lab.a)
    keys = {}
    for name, key_type in [("deployer", "ed25519"), ("legacy", "rsa"), ("other", "ed25519")]:
        material = ec2.create_key_pair(KeyName=name, KeyType=key_type, KeyFormat="pem")["KeyMaterial"]
        keys[name] = tmp_path / f"{name}.pem"
        keys[name].write_text(material)
    subnet = ec2.describe_instances(InstanceIds=[lab.a["instance"]])["Reservations"][0]["Instances"][0]["SubnetId"]
    hosts = {}
    for name in ("deployer", "legacy"):
        instance = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=subnet,
                                     KeyName=name)["Instances"][0]
        allocation = ec2.allocate_address(Domain="vpc")
        ec2.associate_address(AllocationId=allocation["AllocationId"], InstanceId=instance["InstanceId"])
        hosts[name] = (allocation["PublicIp"], instance["PrivateIpAddress"])

    # The key pair's own private key logs in (an OpenSSH ED25519 key, and a PKCS#1 RSA one).
    for name in ("deployer", "legacy"):
        eip, private = hosts[name]
        session = lab.localvpc("ssh", "-i", keys[name], f"ec2-user@{eip}", stdin="exit\n")
        assert session.rc == 0, session
        assert session.out == "[ec2-user@ip-" + private.replace(".", "-") + " ~]$ logout\n", session
    # Another key, or any key for an instance launched without a key pair, is what sshd refuses.
    eip = hosts["deployer"][0]
    denied = f"ec2-user@{eip}: Permission denied (publickey,gssapi-keyex,gssapi-with-mic).\n"
    wrong = lab.localvpc("ssh", "-i", keys["other"], f"ec2-user@{eip}", stdin="exit\n")
    assert (wrong.rc, wrong.out) == (255, ""), wrong
    assert wrong.err == denied + "localvpc: the identity is not the key of the instance's key pair deployer\n"
    crossed = lab.localvpc("ssh", "-i", keys["legacy"], f"ec2-user@{eip}", stdin="exit\n")
    assert crossed.rc == 255 and crossed.err.startswith(denied), crossed
    keyless = lab.localvpc("ssh", "-i", keys["deployer"], f"ec2-user@{lab.a['eip']}", stdin="exit\n")
    assert keyless.rc == 255, keyless
    assert keyless.err == (f"ec2-user@{lab.a['eip']}: Permission denied (publickey,gssapi-keyex,gssapi-with-mic).\n"
                           "localvpc: the instance was launched without a key pair\n")
    missing = lab.localvpc("ssh", "-i", tmp_path / "nope.pem", f"ec2-user@{eip}", stdin="exit\n")
    assert missing.rc == 255 and "Identity file" in missing.err and denied in missing.err, missing
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key\n")
    unreadable = lab.localvpc("ssh", "-i", garbage, f"ec2-user@{eip}", stdin="exit\n")
    assert unreadable.rc == 255 and f'Load key "{garbage}": invalid format' in unreadable.err, unreadable
    # A deleted key pair leaves nothing to compare the key with.
    ec2.delete_key_pair(KeyName="deployer")
    gone = lab.localvpc("ssh", "-i", keys["deployer"], f"ec2-user@{eip}", stdin="exit\n")
    assert gone.rc == 255 and "key pair deployer no longer exists" in gone.err, gone


def test_ssh_refused_without_a_listener_and_timed_out_without_a_rule(lab):
    lab.internet_route(lab.a)
    no_rule = lab.localvpc("ssh", lab.a["eip"], stdin="exit\n")
    assert (no_rule.rc, no_rule.err) == (255, f"ssh: connect to host {lab.a['eip']} port 22: Connection timed out\n")
    lab.allow(lab.a, "tcp", 2222, "0.0.0.0/0")
    refused = lab.localvpc("ssh", "-p", "2222", lab.a["eip"], stdin="exit\n")
    assert (refused.rc, refused.err) == (255, f"ssh: connect to host {lab.a['eip']} port 2222: Connection refused\n")
    unknown = lab.localvpc("ssh", "ec2-user@no-such-host.example", stdin="exit\n")
    assert unknown.rc == 255
    assert unknown.err == "ssh: Could not resolve hostname no-such-host.example: Name or service not known\n"


# ---------------------------------------------------------------------------------------------------------------
# ping, traceroute and nc across the peering (spec §3.8)
# ---------------------------------------------------------------------------------------------------------------
def test_ping_across_the_peering_step_by_step(lab):
    b_ip = lab.b["ip"]

    def ping():
        return lab.exec(lab.a, "ping", "-c", "3", b_ip)

    before = ping()
    assert before.rc == 1, before
    assert before.out == (f"PING {b_ip} ({b_ip}) 56(84) bytes of data.\n\n--- {b_ip} ping statistics ---\n"
                          f"3 packets transmitted, 0 received, 100% packet loss, time 2004ms\n\n"), before
    assert "Unreachable" not in before.out + before.err

    pcx = lab.peer()
    lab.route(lab.a, lab.b["cidr"], pcx)
    one_side = ping()
    assert one_side.rc == 1 and "100% packet loss" in one_side.out, one_side

    lab.route(lab.b, lab.a["cidr"], pcx)
    no_rule = ping()
    assert no_rule.rc == 1 and "100% packet loss" in no_rule.out, no_rule

    lab.allow(lab.b, "icmp", -1, lab.a["cidr"])
    replies = ping()
    assert replies.rc == 0, replies
    lines = replies.out.splitlines()
    assert lines[0] == f"PING {b_ip} ({b_ip}) 56(84) bytes of data."
    for seq in (1, 2, 3):
        assert re.fullmatch(rf"64 bytes from {re.escape(b_ip)}: icmp_seq={seq} ttl=64 time=\d+\.\d+ ms",
                            lines[seq]), lines[seq]
    assert lines[4:6] == ["", f"--- {b_ip} ping statistics ---"]
    assert re.fullmatch(r"3 packets transmitted, 3 received, 0% packet loss, time \d+ms", lines[6]), lines[6]
    assert re.fullmatch(r"rtt min/avg/max/mdev = \d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3} ms", lines[7])

    default_count = lab.exec(lab.a, "ping", b_ip)
    assert "4 packets transmitted, 4 received" in default_count.out

    # The reply is tracked: A needs no inbound ICMP rule. B to A is still closed (A's group allows only itself).
    reverse = lab.exec(lab.b, "ping", "-c", "1", lab.a["ip"])
    assert reverse.rc == 1 and "100% packet loss" in reverse.out

    lab.ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    deleted = ping()
    assert deleted.rc == 1 and "100% packet loss" in deleted.out, deleted


def test_traceroute_shows_one_hop_across_the_peering(lab):
    lab.peered()
    b_ip = lab.b["ip"]
    blocked = lab.exec(lab.a, "traceroute", "-I", b_ip)
    assert blocked.rc == 0, blocked
    lines = blocked.out.splitlines()
    assert lines[0] == f"traceroute to {b_ip} ({b_ip}), 30 hops max, 60 byte packets"
    assert lines[1:] == [f"{n:2}  * * *" for n in range(1, 31)]
    short = lab.exec(lab.a, "traceroute", "-I", "-m", "5", b_ip)
    assert short.out.splitlines()[1:] == [f"{n:2}  * * *" for n in range(1, 6)]

    lab.allow(lab.b, "icmp", -1, lab.a["cidr"])
    icmp = lab.exec(lab.a, "traceroute", "-I", b_ip)
    assert icmp.rc == 0, icmp
    hops = hop_lines(icmp.out)
    assert len(hops) == 1, icmp
    assert re.fullmatch(rf" 1  {re.escape(b_ip)} \({re.escape(b_ip)}\)  (\d+\.\d{{3}} ms  ){{2}}\d+\.\d{{3}} ms",
                        hops[0]), hops[0]

    # Default traceroute probes are UDP to 33434: the ICMP rule does not let them in.
    udp = lab.exec(lab.a, "traceroute", b_ip)
    assert len(hop_lines(udp.out)) == 30 and "* * *" in udp.out, udp
    lab.allow(lab.b, "udp", 33434, lab.a["cidr"])
    udp = lab.exec(lab.a, "traceroute", "-n", b_ip)
    assert hop_lines(udp.out)[0].startswith(f" 1  {b_ip}  "), udp
    assert len(hop_lines(udp.out)) == 1


def test_nc_connected_refused_and_timed_out(lab):
    lab.peered()
    b_ip = lab.b["ip"]
    no_rule = lab.exec(lab.a, "nc", "-z", "-w", "2", b_ip, "22")
    assert (no_rule.rc, no_rule.err) == (1, f"nc: connect to {b_ip} port 22 (tcp) timed out: Operation now in progress\n")
    no_wait = lab.exec(lab.a, "nc", "-zv", b_ip, "22")
    assert no_wait.err == f"nc: connect to {b_ip} port 22 (tcp) failed: Connection timed out\n"

    lab.allow(lab.b, "tcp", 22, lab.a["cidr"])
    ssh = lab.exec(lab.a, "nc", "-zv", b_ip, "22")
    assert (ssh.rc, ssh.err, ssh.out) == (0, f"Connection to {b_ip} 22 port [tcp/ssh] succeeded!\n", ""), ssh

    lab.allow(lab.b, "tcp", 23, lab.a["cidr"])
    closed = lab.exec(lab.a, "nc", "-vz", b_ip, "23")
    assert (closed.rc, closed.err) == (1, f"nc: connect to {b_ip} port 23 (tcp) failed: Connection refused\n"), closed

    # B listens on its tag's ports (22,80): 80 opens once a rule lets it in.
    assert lab.exec(lab.a, "nc", "-z", "-w", "1", b_ip, "80").rc == 1
    lab.allow(lab.b, "tcp", 80, lab.a["cidr"])
    web = lab.exec(lab.a, "nc", "-z", b_ip, "80")
    assert (web.rc, web.err) == (0, f"Connection to {b_ip} 80 port [tcp/http] succeeded!\n"), web


# ---------------------------------------------------------------------------------------------------------------
# explain and --explain
# ---------------------------------------------------------------------------------------------------------------
def test_explain_lists_every_blocking_setting_with_its_fix(lab):
    pcx = lab.peer()
    lab.route(lab.b, lab.a["cidr"], pcx)  # A's route and B's ICMP rule are missing
    text = lab.localvpc("explain", lab.a["instance"], lab.b["ip"])
    assert text.rc == 1, text
    assert text.out.startswith(f"explain: from {lab.a['instance']} to {lab.b['ip']}, icmp echo: dropped"), text
    assert "request path:" in text.out and "network-interface" in text.out
    assert f"dropped at {lab.a['rtb']}" in text.out
    assert "NO_ROUTE_TO_DESTINATION" in text.out and "ENI_SG_RULES_MISMATCH" in text.out, text
    assert f"fix: add route {lab.b['cidr']} -> {pcx} to {lab.a['rtb']}" in text.out, text
    assert text.out.count("     fix: ") >= 2
    assert re.search(r"\d+ settings block this path", text.out)

    as_json = lab.localvpc("explain", lab.a["instance"], lab.b["ip"], "--json")
    assert as_json.rc == 1
    body = json.loads(as_json.out)
    assert body["verdict"] == "dropped"
    codes = {finding["code"] for finding in body["findings"]}
    assert {"NO_ROUTE_TO_DESTINATION", "ENI_SG_RULES_MISMATCH"} <= codes, body["findings"]
    assert all(finding["fix"] for finding in body["findings"])

    ping = lab.localvpc("exec", lab.a["instance"], "--explain", "--", "ping", "-c", "1", lab.b["ip"])
    assert ping.rc == 1
    assert "100% packet loss" in ping.out and "NO_ROUTE_TO_DESTINATION" in ping.out and "fix: " in ping.out, ping
    before_vantage = lab.localvpc("exec", "--explain", lab.a["instance"], "--", "ping", "-c", "1", lab.b["ip"])
    assert before_vantage.out == ping.out

    lab.route(lab.a, lab.b["cidr"], pcx)
    lab.allow(lab.b, "icmp", -1, lab.a["cidr"])
    fixed = lab.localvpc("explain", lab.a["instance"], lab.b["ip"])
    assert fixed.rc == 0, fixed
    assert "icmp echo: reachable" in fixed.out and "vpc-peering-connection" in fixed.out
    assert fixed.out.endswith("Nothing blocks this path.\n")

    lab.allow(lab.b, "tcp", 23, lab.a["cidr"])
    refused = lab.localvpc("explain", lab.a["instance"], lab.b["ip"], "--protocol", "tcp", "--port", "23")
    assert refused.rc == 1 and "refused" in refused.out and "nothing listens on port 23" in refused.out, refused


# ---------------------------------------------------------------------------------------------------------------
# The internet, transitivity
# ---------------------------------------------------------------------------------------------------------------
def test_only_a_vpc_with_an_internet_route_reaches_the_internet(lab):
    lab.internet_route(lab.a)
    a = lab.exec(lab.a, "ping", "-c", "1", "8.8.8.8")
    assert a.rc == 0 and "1 received" in a.out, a
    b = lab.exec(lab.b, "ping", "-c", "1", "8.8.8.8")
    assert b.rc == 1 and "100% packet loss" in b.out, b
    trace = lab.exec(lab.a, "traceroute", "-I", "8.8.8.8")
    hops = hop_lines(trace.out)
    assert len(hops) >= 2 and hops[-1].startswith(" {}  8.8.8.8 (8.8.8.8)".format(len(hops))), trace
    # From the internet, A's Elastic IP answers a ping once A's group lets ICMP in.
    assert lab.exec("internet", "ping", "-c", "1", lab.a["eip"]).rc == 1
    lab.allow(lab.a, "icmp", -1, "0.0.0.0/0")
    assert lab.exec("internet", "ping", "-c", "1", lab.a["eip"]).rc == 0


def test_peering_is_not_transitive(lab):
    pcx_ab = lab.peered()
    c = lab.network("10.8.0.0/16", "10.8.1.0/24", "peeringVPC-C")
    pcx_bc = lab.peer(lab.b, c)
    lab.route(c, "10.6.0.0/16", pcx_bc)  # C tries to reach A through B
    lab.route(c, "10.7.0.0/16", pcx_bc)
    lab.route(lab.b, "10.8.0.0/16", pcx_bc)
    lab.route(lab.a, "10.8.0.0/16", pcx_ab)
    for side in (lab.a, lab.b):
        lab.allow(side, "icmp", -1, "10.0.0.0/8")
    assert lab.exec(c, "ping", "-c", "1", lab.b["ip"]).rc == 0
    to_a = lab.exec(c, "ping", "-c", "1", lab.a["ip"])
    assert to_a.rc == 1 and "100% packet loss" in to_a.out, to_a
    why = lab.localvpc("explain", c["instance"], lab.a["ip"])
    assert why.rc == 1 and "CANNOT_ROUTE" in why.out, why


# ---------------------------------------------------------------------------------------------------------------
# DNS (spec §4)
# ---------------------------------------------------------------------------------------------------------------
def test_public_name_split_horizon_and_the_peering_option(lab):
    ec2 = lab.ec2
    for side in (lab.a, lab.b):
        ec2.modify_vpc_attribute(VpcId=side["vpc"], EnableDnsSupport={"Value": True})
        ec2.modify_vpc_attribute(VpcId=side["vpc"], EnableDnsHostnames={"Value": True})
    allocation = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=allocation["AllocationId"], InstanceId=lab.b["instance"])
    public_ip = allocation["PublicIp"]
    instance = ec2.describe_instances(InstanceIds=[lab.b["instance"]])["Reservations"][0]["Instances"][0]
    name = instance["PublicDnsName"]
    assert name == "ec2-{}.{}.compute.amazonaws.com".format(public_ip.replace(".", "-"), REGION)
    b_ip = lab.b["ip"]

    inside = lab.exec(lab.b, "nslookup", name)
    assert inside.rc == 0, inside
    assert inside.out == (f"Server:\t\t10.7.0.2\nAddress:\t10.7.0.2#53\n\nNon-authoritative answer:\n"
                          f"Name:\t{name}\nAddress: {b_ip}\n\n"), inside

    pcx = lab.peered()
    from_a = lab.exec(lab.a, "nslookup", name)
    assert from_a.rc == 0 and from_a.out.startswith("Server:\t\t10.6.0.2\n"), from_a
    assert f"Address: {public_ip}\n" in from_a.out, from_a

    # B is the accepter: its side's option lets A resolve B's public names to B's private address.
    lab.aws("ec2", "modify-vpc-peering-connection-options", "--vpc-peering-connection-id", pcx,
            "--accepter-peering-connection-options", "AllowDnsResolutionFromRemoteVpc=true", region=REGION).ok()
    option_on = lab.exec(lab.a, "nslookup", name)
    assert option_on.rc == 0 and f"Address: {b_ip}\n" in option_on.out, option_on
    lab.allow(lab.b, "icmp", -1, lab.a["cidr"])
    by_name = lab.exec(lab.a, "ping", "-c", "1", name)
    assert by_name.rc == 0 and by_name.out.startswith(f"PING {name} ({b_ip}) 56(84) bytes of data.\n"), by_name

    internet = lab.exec("internet", "nslookup", name)
    assert internet.rc == 0 and f"Address: {public_ip}\n" in internet.out, internet
    dig = lab.exec("internet", "dig", name)
    assert dig.rc == 0 and "status: NOERROR" in dig.out, dig
    assert re.search(rf"^{re.escape(name)}\.\s+\d+\s+IN\s+A\s+{re.escape(public_ip)}$", dig.out, re.M), dig
    assert lab.exec(lab.a, "dig", "+short", name).out == f"{b_ip}\n"


def test_private_names_do_not_resolve_from_the_internet(lab):
    ec2 = lab.ec2
    ec2.modify_vpc_attribute(VpcId=lab.b["vpc"], EnableDnsHostnames={"Value": True})
    private_name = "ip-{}.{}.compute.internal".format(lab.b["ip"].replace(".", "-"), REGION)
    inside = lab.exec(lab.b, "nslookup", private_name)
    assert inside.rc == 0 and f"Address: {lab.b['ip']}\n" in inside.out, inside

    outside = lab.exec("internet", "nslookup", private_name)
    assert outside.rc == 1, outside
    assert f"** server can't find {private_name}: NXDOMAIN\n" in outside.out, outside
    dig = lab.exec("internet", "dig", private_name)
    assert dig.rc == 0 and "status: NXDOMAIN" in dig.out and "ANSWER SECTION" not in dig.out, dig

    unknown = lab.exec(lab.a, "ping", "no-such-host.example")
    assert (unknown.rc, unknown.err) == (2, "ping: no-such-host.example: Name or service not known\n"), unknown
    # A peer VPC's resolver is never reachable over the peering (spec §3.3): the query times out.
    lab.peered()
    peer_resolver = lab.exec(lab.a, "nslookup", private_name, "10.7.0.2")
    assert (peer_resolver.rc, peer_resolver.out) == (1, ";; connection timed out; no servers could be reached\n\n")


def test_dns_support_off_times_out(lab):
    lab.ec2.modify_vpc_attribute(VpcId=lab.a["vpc"], EnableDnsSupport={"Value": False})
    lookup = lab.exec(lab.a, "nslookup", "ip-10-6-1-4.ap-northeast-2.compute.internal")
    assert (lookup.rc, lookup.out) == (1, ";; connection timed out; no servers could be reached\n\n"), lookup
    dig = lab.exec(lab.a, "dig", "ip-10-6-1-4.ap-northeast-2.compute.internal")
    assert dig.rc == 9 and ";; no servers could be reached" in dig.out
    ping = lab.exec(lab.a, "ping", "ip-10-6-1-4")
    assert (ping.rc, ping.err) == (2, "ping: ip-10-6-1-4: Temporary failure in name resolution\n")


# ---------------------------------------------------------------------------------------------------------------
# reachability, options, errors
# ---------------------------------------------------------------------------------------------------------------
def test_reachability_matrix(lab):
    lab.peered()
    lab.allow(lab.b, "icmp", -1, lab.a["cidr"])
    # The expanded matrix is the explicit `--full` form (the default groups instances; test_reachability.py).
    as_json = lab.localvpc("reachability", "--vpc", lab.a["vpc"], "--vpc", lab.b["vpc"], "--full", "--json")
    assert as_json.rc == 0, as_json
    body = json.loads(as_json.out)
    index = {node["instance"]: i for i, node in enumerate(body["nodes"])}
    assert set(index) == {lab.a["instance"], lab.b["instance"]}
    assert index[lab.b["instance"]] in body["reachable"][index[lab.a["instance"]]]
    assert body["reachable"][index[lab.b["instance"]]] == []

    table = lab.localvpc("reachability", "--vpc", lab.a["vpc"], "--vpc", lab.b["vpc"], "--full")
    assert table.rc == 0, table
    rows = {line.split("┆")[1].strip(): line for line in table.out.splitlines() if "┆" in line and "i-" in line}
    assert set(rows) == {lab.a["instance"], lab.b["instance"]}
    assert rows[lab.a["instance"]].count("✓") == 1 and rows[lab.b["instance"]].count("✓") == 0, table.out
    assert "1 of 2 ordered pairs reachable." in table.out


def test_global_options_and_environment(lab, server, localvpc):
    b_ip = lab.b["ip"]
    # The region comes from --region, else AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1.
    wrong_region = localvpc("exec", lab.a["instance"], "--", "ping", b_ip, env=tool_env(region="us-west-2"))
    assert wrong_region.rc == 2 and "does not exist" in wrong_region.err, wrong_region
    flag = localvpc("--region", REGION, "exec", lab.a["instance"], "--", "ping", "-c", "1", b_ip,
                    env=tool_env(region="us-west-2"))
    assert flag.rc == 1 and "100% packet loss" in flag.out, flag
    sdk = localvpc("exec", lab.a["instance"], "--", "ping", "-c", "1", b_ip,
                   env=tool_env(region="us-west-2", AWS_REGION=REGION))
    assert sdk.rc == 1 and "100% packet loss" in sdk.out, sdk
    # Another account sees none of this account's instances.
    other = localvpc("exec", lab.a["instance"], "--", "ping", b_ip, env=tool_env(key="111111111111"))
    assert other.rc == 2 and "does not exist" in other.err
    # LOCALVPC_ENDPOINT replaces --endpoint.
    env_endpoint = localvpc("exec", lab.a["instance"], "--", "ping", "-c", "1", b_ip, endpoint=False,
                            env=tool_env(LOCALVPC_ENDPOINT=server.endpoint))
    assert env_endpoint.rc == 1 and "100% packet loss" in env_endpoint.out, env_endpoint


def test_errors_and_usage(lab, localvpc):
    unknown = localvpc("exec", "i-0123456789abcdef0", "--", "ping", "10.7.1.4")
    assert unknown.rc == 2 and unknown.err == "localvpc: The instance ID 'i-0123456789abcdef0' does not exist\n"
    not_a_tool = localvpc("exec", lab.a["instance"], "--", "curl", "http://10.7.1.4")
    assert not_a_tool.rc == 2 and "curl" in not_a_tool.err
    bad_flag = localvpc("exec", lab.a["instance"], "--", "ping", "--bogus", "10.7.1.4")
    assert bad_flag.rc == 2 and "--bogus" in bad_flag.err
    no_server = localvpc("--endpoint", "http://127.0.0.1:9", "exec", lab.a["instance"], "--", "ping", "10.7.1.4",
                         endpoint=False)
    assert no_server.rc == 2 and "cannot reach localvpc at http://127.0.0.1:9" in no_server.err, no_server
    no_server_ssh = localvpc("--endpoint", "http://127.0.0.1:9", "ssh", "1.2.3.4", endpoint=False)
    assert no_server_ssh.rc == 255


def test_no_edge_to_edge_routing_through_the_peer_gateway(lab):
    """Spec §3.3: B may route 0.0.0.0/0 to the peering connection, but A never forwards B's packets to its gateway."""
    lab.internet_route(lab.a)
    pcx = lab.peered()
    lab.ec2.create_route(RouteTableId=lab.b["rtb"], DestinationCidrBlock="0.0.0.0/0", VpcPeeringConnectionId=pcx)
    assert lab.exec(lab.a, "ping", "-c", "1", "8.8.8.8").rc == 0
    blocked = lab.exec(lab.b, "ping", "-c", "2", "8.8.8.8")
    assert blocked.rc == 1, blocked
    assert "100% packet loss" in blocked.out
    explained = lab.localvpc("explain", lab.b["instance"], "8.8.8.8", "--json")
    assert explained.rc == 1, explained
    codes = {finding["code"] for finding in json.loads(explained.out)["findings"]}
    assert "CANNOT_ROUTE" in codes, explained
