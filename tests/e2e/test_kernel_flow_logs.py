"""`serve --data-plane kernel` with VPC flow logs (part 2 §18.3, issue 13: "every real flow recorded"): real `ping`
and TCP connects run in the instances' namespaces through `localvpc exec` leave records — read with the real
`localvpc flow-logs` — whose interfaces, addresses, protocol, packet counts and actions match `localvpc explain` for
the same probes. Two instances in two subnets of one VPC: A (10.50.1.0/24, default group) and B (10.50.2.0/24, a
group allowing ICMP from the VPC but not TCP 22), a flow log on each subnet. Without a flow log the namespaces hold
no log statement and nothing is recorded (the control). Needs root, like the other kernel tests."""
from __future__ import annotations

import json
import subprocess  # noqa: F401  (CompletedProcess annotations)
import time

from test_kernel_data_plane import AMI, kernel, lab  # noqa: F401  (fixtures)

BUCKET = "arn:aws:s3:::flow-log-bucket"
CONNECT = """
import socket, sys
client = socket.socket()
client.settimeout(1)
sys.exit(0 if client.connect_ex((sys.argv[1], 22)) == 0 else 1)
"""
DEADLINE = 30.0


def flow_log_lines(lab, flow_log: str) -> list[list[str]]:  # noqa: F811
    done = lab.localvpc("flow-logs", flow_log)
    assert done.returncode == 0, done.stderr
    return [line.split(" ") for line in done.stdout.splitlines()]


def wait_for_records(lab, flow_log: str, wanted, deadline: float = DEADLINE) -> list[list[str]]:  # noqa: F811
    """The flow log's records once `wanted(records)` holds (records are flushed after ~5 s of idleness)."""
    end = time.monotonic() + deadline
    while True:
        records = flow_log_lines(lab, flow_log)
        if wanted(records) or time.monotonic() > end:
            return records
        time.sleep(0.5)


class Net:
    def __init__(self, lab):  # noqa: F811
        self.lab, ec2 = lab, lab.ec2
        self.vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
        self.front = ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.50.1.0/24")["Subnet"]["SubnetId"]
        self.back = ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.50.2.0/24")["Subnet"]["SubnetId"]
        self.back_sg = ec2.create_security_group(GroupName="back", Description="back", VpcId=self.vpc)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=self.back_sg, IpPermissions=[
            {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.50.0.0/16"}]}])
        self.a = self.instance(self.front)
        self.b = self.instance(self.back, groups=[self.back_sg])

    def instance(self, subnet: str, groups: list[str] | None = None) -> dict:
        extra = {"SecurityGroupIds": groups} if groups else {}
        made = self.lab.ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet, **extra)
        instance = made["Instances"][0]
        return {"id": instance["InstanceId"], "ip": instance["PrivateIpAddress"],
                "eni": instance["NetworkInterfaces"][0]["NetworkInterfaceId"]}

    def flow_log(self, subnet: str) -> str:
        created = self.lab.ec2.create_flow_logs(ResourceType="Subnet", ResourceIds=[subnet], TrafficType="ALL",
                                                LogDestinationType="s3", LogDestination=f"{BUCKET}/{subnet}")
        assert created["Unsuccessful"] == [], created
        return created["FlowLogIds"][0]

    def ping(self, src: dict, dst: dict, count: int = 2) -> subprocess.CompletedProcess:
        return self.lab.exec(src["id"], "ping", "-n", "-c", count, "-i", "0.2", "-W", "1", dst["ip"])

    def ssh_port(self, src: dict, dst: dict) -> subprocess.CompletedProcess:
        """A real TCP connect to port 22 (as `nc -z -w 1` does; `nc` is not on every host)."""
        return self.lab.exec(src["id"], "python3", "-c", CONNECT, dst["ip"])

    def explain(self, src: dict, dst: dict, *extra) -> dict:
        done = self.lab.localvpc("explain", src["id"], dst["ip"], "--json", *extra)
        return json.loads(done.stdout)

    def lines(self, flow_log: str) -> list[list[str]]:
        return flow_log_lines(self.lab, flow_log)

    def wait_for(self, flow_log: str, wanted, deadline: float = DEADLINE) -> list[list[str]]:
        return wait_for_records(self.lab, flow_log, wanted, deadline)

    def nft(self, instance: dict) -> str:
        """The instance namespace's ruleset, once the kernel has realised what this client last wrote."""
        listed = self.lab.exec(instance["id"], "nft", "list", "ruleset")
        assert listed.returncode == 0, listed.stderr
        return listed.stdout


# Default format (version 2): version account-id interface-id srcaddr dstaddr srcport dstport protocol packets
# bytes start end action log-status.
def matching(records, eni: str, src: str, dst: str, protocol: str, action: str, dstport: str | None = None):
    return [r for r in records if r[2] == eni and r[3] == src and r[4] == dst and r[7] == protocol
            and r[12] == action and (dstport is None or r[6] == dstport)]


def test_a_real_ping_leaves_accept_records_at_both_interfaces_and_none_without_a_flow_log(lab):  # noqa: F811
    net = Net(lab)
    a, b = net.a, net.b
    # Control: no flow log, no log statement anywhere, and the ping works.
    ruleset_a, ruleset_b = net.nft(a), net.nft(b)
    assert "log " not in ruleset_a and "log " not in ruleset_b, (ruleset_a, ruleset_b)
    unlogged = net.ping(a, b)
    assert unlogged.returncode == 0 and "2 received" in unlogged.stdout, unlogged
    front, back = net.flow_log(net.front), net.flow_log(net.back)
    records_before = net.lines(front) + net.lines(back)
    assert records_before == []
    # With the flow logs, the realised tables log to NFLOG for exactly these interfaces.
    deadline = time.monotonic() + DEADLINE
    while f"lvfl {a['eni']} e A" not in net.nft(a) and time.monotonic() < deadline:
        time.sleep(0.2)
    ruleset = net.nft(a)
    assert f'log prefix "lvfl {a["eni"]} e A" group 18' in ruleset, ruleset
    assert f'log prefix "lvfl {a["eni"]} i R" group 18' in ruleset, ruleset
    pinged = net.ping(a, b)
    assert pinged.returncode == 0 and "2 received" in pinged.stdout, pinged

    def ping_records(records_a, records_b):
        return (matching(records_a, a["eni"], a["ip"], b["ip"], "1", "ACCEPT"),
                matching(records_a, a["eni"], b["ip"], a["ip"], "1", "ACCEPT"),
                matching(records_b, b["eni"], a["ip"], b["ip"], "1", "ACCEPT"),
                matching(records_b, b["eni"], b["ip"], a["ip"], "1", "ACCEPT"))

    at_a = net.wait_for(front, lambda r: len(matching(r, a["eni"], b["ip"], a["ip"], "1", "ACCEPT")) == 1)
    at_b = net.wait_for(back, lambda r: len(matching(r, b["eni"], b["ip"], a["ip"], "1", "ACCEPT")) == 1)
    found = ping_records(at_a, at_b)
    # A's egress requests, A's ingress replies, B's ingress requests, B's egress replies: one record each.
    assert [len(group) for group in found] == [1, 1, 1, 1], (at_a, at_b)
    for (record,) in found:
        assert record[0] == "2" and record[5:7] == ["0", "0"], record
        packets, size = int(record[8]), int(record[9])
        assert packets >= 2 and size == 84 * packets, record
        assert int(record[10]) <= int(record[11]) and abs(int(record[10]) - time.time()) < 120, record
        assert record[13] == "OK", record
    # Only A's interface in the front subnet's flow log, only B's in the back's; nothing else (no DNS, no router).
    assert {r[2] for r in at_a} == {a["eni"]} and {r[2] for r in at_b} == {b["eni"]}
    assert len(at_a) == 2 and len(at_b) == 2, (at_a, at_b)
    # explain agrees: reachable, so every record is ACCEPT.
    verdict = net.explain(a, b)
    assert verdict["verdict"] == "reachable", verdict
    # Deleting the flow logs removes the log statements: later traffic is not recorded.
    net.lab.ec2.delete_flow_logs(FlowLogIds=[front, back])
    deadline = time.monotonic() + DEADLINE
    while "lvfl" in net.nft(a) and time.monotonic() < deadline:
        time.sleep(0.2)
    ruleset_a, ruleset_b = net.nft(a), net.nft(b)
    assert "lvfl" not in ruleset_a and "lvfl" not in ruleset_b, (ruleset_a, ruleset_b)


def test_tcp_22_refused_by_the_receivers_group_is_a_reject_there_and_an_accept_at_the_sender(lab):  # noqa: F811
    net = Net(lab)
    a, b = net.a, net.b
    front, back = net.flow_log(net.front), net.flow_log(net.back)
    deadline = time.monotonic() + DEADLINE
    while f"lvfl {b['eni']} i R" not in net.nft(b) and time.monotonic() < deadline:
        time.sleep(0.2)
    refused = net.ssh_port(a, b)
    assert refused.returncode == 1, refused
    # Positive control: ICMP, which B's group allows, gets through in the same world.
    pinged = net.ping(a, b, count=1)
    assert pinged.returncode == 0, pinged
    rejected = net.wait_for(back, lambda r: matching(r, b["eni"], a["ip"], b["ip"], "6", "REJECT", "22") != [])
    syn = matching(rejected, b["eni"], a["ip"], b["ip"], "6", "REJECT", "22")
    assert len(syn) == 1 and int(syn[0][8]) >= 1 and int(syn[0][9]) == 60 * int(syn[0][8]), rejected
    assert matching(rejected, b["eni"], a["ip"], b["ip"], "6", "ACCEPT") == [], rejected
    accepted = net.wait_for(front, lambda r: matching(r, a["eni"], a["ip"], b["ip"], "6", "ACCEPT", "22") != []
                                and matching(r, a["eni"], a["ip"], b["ip"], "1", "ACCEPT") != [])
    sent = matching(accepted, a["eni"], a["ip"], b["ip"], "6", "ACCEPT", "22")
    assert len(sent) == 1 and sent[0][5] == syn[0][5], accepted
    assert matching(accepted, a["eni"], a["ip"], b["ip"], "1", "ACCEPT") != [], accepted
    # explain agrees: dropped by B's group (REJECT at B), ACCEPT at A.
    verdict = net.explain(a, b, "--protocol", "tcp", "--port", "22")
    assert verdict["verdict"] == "dropped", verdict
    assert [f["code"] for f in verdict["findings"]] == ["ENI_SG_RULES_MISMATCH"]
    assert verdict["findings"][0]["component"] == net.back_sg


def test_a_network_acl_deny_is_a_reject_at_the_receiver(lab):  # noqa: F811
    net = Net(lab)
    a, b = net.a, net.b
    ec2 = net.lab.ec2
    acl = ec2.create_network_acl(VpcId=net.vpc)["NetworkAcl"]["NetworkAclId"]
    for egress in (False, True):
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="1", RuleAction="allow",
                                     Egress=egress, CidrBlock="0.0.0.0/0", IcmpTypeCode={"Type": -1, "Code": -1})
    current = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [net.back]}])
    association = next(x["NetworkAclAssociationId"] for x in current["NetworkAcls"][0]["Associations"]
                       if x["SubnetId"] == net.back)
    ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl)
    front, back = net.flow_log(net.front), net.flow_log(net.back)
    deadline = time.monotonic() + DEADLINE
    while f"lvfl {a['eni']} e A" not in net.nft(a) and time.monotonic() < deadline:
        time.sleep(0.2)
    # Positive control: ICMP is allowed by the ACL both ways.
    pinged = net.ping(a, b, count=1)
    assert pinged.returncode == 0, pinged
    # TCP 22 (allowed by nothing in the ACL) is denied inbound at B's subnet: B never sees it.
    ec2.authorize_security_group_ingress(GroupId=net.back_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.50.0.0/16"}]}])
    time.sleep(1)
    refused = net.ssh_port(a, b)
    assert refused.returncode == 1, refused
    rejected = net.wait_for(back, lambda r: matching(r, b["eni"], a["ip"], b["ip"], "6", "REJECT", "22") != []
                            and matching(r, b["eni"], a["ip"], b["ip"], "1", "ACCEPT") != [])
    assert len(matching(rejected, b["eni"], a["ip"], b["ip"], "6", "REJECT", "22")) == 1, rejected
    assert len(matching(rejected, b["eni"], a["ip"], b["ip"], "1", "ACCEPT")) == 1, rejected
    sent = net.wait_for(front, lambda r: matching(r, a["eni"], a["ip"], b["ip"], "6", "ACCEPT", "22") != [])
    assert len(matching(sent, a["eni"], a["ip"], b["ip"], "6", "ACCEPT", "22")) == 1, sent
    verdict = net.explain(a, b, "--protocol", "tcp", "--port", "22")
    assert verdict["verdict"] == "dropped", verdict
    # The first drop is B's subnet ACL inbound (explain also lists the ACL refusing the answer out).
    assert (verdict["findings"][0]["code"], verdict["findings"][0]["component"]) == ("SUBNET_ACL_RESTRICTION", acl)


def test_kernel_a_real_ping6_leaves_accept_records_with_ipv6_addresses(lab):  # noqa: F811
    from test_kernel_ipv6 import allow_icmpv6, dual_stack

    side = dual_stack(lab, "10.58.0.0/16")
    ec2 = lab.ec2
    other = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                              SubnetId=side["subnet"])["Instances"][0]
    other_ip6 = other["NetworkInterfaces"][0]["Ipv6Addresses"][0]["Ipv6Address"]
    other_eni = other["NetworkInterfaces"][0]["NetworkInterfaceId"]
    allow_icmpv6(lab, {"sg": other["SecurityGroups"][0]["GroupId"]}, side["block"])
    created = ec2.create_flow_logs(ResourceType="Subnet", ResourceIds=[side["subnet"]], TrafficType="ALL",
                                   LogDestinationType="s3", LogDestination=f"{BUCKET}/v6")
    assert created["Unsuccessful"] == [], created
    flow_log = created["FlowLogIds"][0]
    pinged = lab.exec(side["instance"], "ping6", "-n", "-c", "2", "-i", "0.2", "-W", "1", other_ip6)
    assert pinged.returncode == 0 and "2 received" in pinged.stdout, pinged

    def accepted_at_receiver(records):
        return [r for r in records if r[2] == other_eni and r[3] == side["address"] and r[4] == other_ip6]

    records = wait_for_records(lab, flow_log, accepted_at_receiver)
    [received] = accepted_at_receiver(records)
    # version account eni src dst sport dport protocol packets bytes start end action status: ICMPv6 is 58.
    assert (received[5], received[6], received[7], received[12], received[13]) == ("0", "0", "58", "ACCEPT", "OK"), \
        records
    assert int(received[8]) >= 2, records
    # No neighbour discovery is a flow: every record of the subnet is the ping's, between the two addresses.
    assert all({r[3], r[4]} == {side["address"], other_ip6} for r in records), records
