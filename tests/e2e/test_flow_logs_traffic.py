"""VPC flow log records (part 2 §18.2–18.3): "a flow log showing ACCEPT and REJECT lines that match `explain` for the
same probes". Two instances in two subnets of one VPC — A (10.40.1.0/24, default group) and B (10.40.2.0/24, a group
allowing ICMP from the VPC but not TCP 22, sshd listening) — probed with `localvpc exec … -- ping` and `nc`; the
records are read with the real `localvpc flow-logs` subprocess and the JSON API, line by line, and their actions are
compared with `localvpc explain`'s verdicts for the same probes (explain itself logs nothing)."""
from __future__ import annotations

import json
import queue
import re
import subprocess
import threading
import time

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from test_exec import binary, tool_env

OWNER, OTHER = "111111111111", "222222222222"
REGION = "us-east-1"
AMI = "ami-12345678"
BUCKET = "arn:aws:s3:::flow-log-bucket"
TIME = re.compile(r"^\d{10}$")


def records_api(endpoint: str, account: str, **query) -> requests.Response:
    """GET /_localvpc/v1/flow-logs as `account`, SigV4-signed as every localvpc client signs."""
    request = AWSRequest(method="GET", url=f"{endpoint}/_localvpc/v1/flow-logs", params=query)
    SigV4Auth(Credentials(account, "secret"), "ec2", REGION).add_auth(request)
    prepared = request.prepare()
    return requests.get(prepared.url, headers=dict(prepared.headers), timeout=30)


def run(endpoint: str, *args, account: str = OWNER) -> subprocess.CompletedProcess:
    return subprocess.run([binary(), "--endpoint", endpoint, *args], capture_output=True, text=True,
                          env=tool_env(region=REGION, key=account), timeout=60)


def masked(lines: list[str]) -> list[str]:
    """The lines with `start` and `end` (fields 11 and 12) checked as Unix seconds of now and replaced by `T`."""
    out = []
    for line in lines:
        fields = line.split(" ")
        assert len(fields) == 14, line
        assert TIME.match(fields[10]) and fields[10] == fields[11], line
        assert abs(int(fields[10]) - time.time()) < 120, line
        out.append(" ".join(fields[:10] + ["T", "T"] + fields[12:]))
    return out


class Net:
    def __init__(self, ec2, endpoint: str):
        self.ec2, self.endpoint = ec2, endpoint
        self.vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
        self.front = ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.40.1.0/24")["Subnet"]["SubnetId"]
        self.back = ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.40.2.0/24")["Subnet"]["SubnetId"]
        self.back_sg = ec2.create_security_group(GroupName="back", Description="back", VpcId=self.vpc)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=self.back_sg, IpPermissions=[
            {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.40.0.0/16"}]}])
        self.a = self.instance(self.front)
        self.b = self.instance(self.back, groups=[self.back_sg])

    def instance(self, subnet: str, groups: list[str] | None = None) -> dict:
        extra = {"SecurityGroupIds": groups} if groups else {}
        made = self.ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet, TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "localvpc:listen", "Value": "22"}]}], **extra)
        instance = made["Instances"][0]
        return {"id": instance["InstanceId"], "ip": instance["PrivateIpAddress"],
                "eni": instance["NetworkInterfaces"][0]["NetworkInterfaceId"]}

    def flow_log(self, resource_id: str, resource_type: str = "VPC", traffic: str = "ALL") -> str:
        created = self.ec2.create_flow_logs(ResourceType=resource_type, ResourceIds=[resource_id],
                                            TrafficType=traffic, LogDestinationType="s3",
                                            LogDestination=f"{BUCKET}/{resource_id}/{traffic}")
        assert created["Unsuccessful"] == [], created
        return created["FlowLogIds"][0]

    def ping(self, src: dict, dst: dict) -> subprocess.CompletedProcess:
        return run(self.endpoint, "exec", src["id"], "--", "ping", "-c", "1", "-W", "1", dst["ip"])

    def ssh_port(self, src: dict, dst: dict) -> subprocess.CompletedProcess:
        return run(self.endpoint, "exec", src["id"], "--", "nc", "-z", "-w", "1", dst["ip"], "22")

    def explain(self, src: dict, dst: dict, *extra) -> dict:
        done = run(self.endpoint, "explain", src["id"], dst["ip"], "--json", *extra)
        return json.loads(done.stdout)

    def lines(self, flow_log: str) -> list[str]:
        done = run(self.endpoint, "flow-logs", flow_log)
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()


@pytest.fixture
def net(client_factory, server):
    return Net(client_factory(key=OWNER), server.endpoint)


def line(src_eni_owner: str, eni: str, src: str, dst: str, ports: str, protocol: int, size: int, action: str) -> str:
    return f"2 {src_eni_owner} {eni} {src} {dst} {ports} {protocol} 1 {size} T T {action} OK"


def test_the_flow_log_shows_accept_and_reject_lines_that_match_explain(net):
    fl = net.flow_log(net.vpc)
    a, b = net.a, net.b
    pinged = net.ping(a, b)
    assert pinged.returncode == 0 and "1 received" in pinged.stdout, pinged
    refused = net.ssh_port(a, b)
    assert refused.returncode == 1, refused
    expected = [
        line(OWNER, a["eni"], a["ip"], b["ip"], "0 0", 1, 84, "ACCEPT"),
        line(OWNER, b["eni"], a["ip"], b["ip"], "0 0", 1, 84, "ACCEPT"),
        line(OWNER, b["eni"], b["ip"], a["ip"], "0 0", 1, 84, "ACCEPT"),
        line(OWNER, a["eni"], b["ip"], a["ip"], "0 0", 1, 84, "ACCEPT"),
        line(OWNER, a["eni"], a["ip"], b["ip"], "50000 22", 6, 60, "ACCEPT"),
        line(OWNER, b["eni"], a["ip"], b["ip"], "50000 22", 6, 60, "REJECT"),
    ]
    printed = net.lines(fl)
    assert masked(printed) == expected
    # The JSON API gives the same lines, with the cursor to read on from.
    answer = records_api(net.endpoint, OWNER, flow_log_id=fl)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    body = answer.json()
    assert [r["line"] for r in body["records"]] == printed
    assert [r["sequence"] for r in body["records"]] == [1, 2, 3, 4, 5, 6] and body["next"] == 6
    after = records_api(net.endpoint, OWNER, flow_log_id=fl, since=4).json()
    assert [r["sequence"] for r in after["records"]] == [5, 6]
    # explain agrees: the ping is reachable (every line ACCEPT), TCP 22 is stopped by B's group (REJECT at B).
    ping_verdict = net.explain(a, b)
    assert ping_verdict["verdict"] == "reachable"
    tcp_verdict = net.explain(a, b, "--protocol", "tcp", "--port", "22")
    assert tcp_verdict["verdict"] == "dropped"
    assert [f["code"] for f in tcp_verdict["findings"]] == ["ENI_SG_RULES_MISMATCH"]
    assert tcp_verdict["findings"][0]["component"] == net.back_sg
    # explain is an analysis, not traffic: it logs nothing.
    assert net.lines(fl) == printed
    # Without an ID, every flow log of the account and region, each line after its flow log's ID.
    every = run(net.endpoint, "flow-logs")
    assert every.returncode == 0 and every.stdout.splitlines() == [f"{fl} {x}" for x in printed]


def test_a_nacl_allowing_the_request_but_denying_the_reply_logs_accept_then_reject_on_the_instance(net):
    a, b = net.a, net.b
    fl = net.flow_log(b["eni"], resource_type="NetworkInterface")
    acl = net.ec2.create_network_acl(VpcId=net.vpc)["NetworkAcl"]["NetworkAclId"]
    net.ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="1", RuleAction="allow",
                                     Egress=False, CidrBlock="10.40.1.0/24", IcmpTypeCode={"Type": -1, "Code": -1})
    association = net.ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [net.back]}])[
        "NetworkAcls"][0]["Associations"]
    current = [x["NetworkAclAssociationId"] for x in association if x["SubnetId"] == net.back][0]
    net.ec2.replace_network_acl_association(AssociationId=current, NetworkAclId=acl)
    pinged = net.ping(a, b)
    assert pinged.returncode == 1, pinged
    assert masked(net.lines(fl)) == [
        line(OWNER, b["eni"], a["ip"], b["ip"], "0 0", 1, 84, "ACCEPT"),
        line(OWNER, b["eni"], b["ip"], a["ip"], "0 0", 1, 84, "REJECT"),
    ]
    why = net.explain(a, b)
    assert why["verdict"] == "dropped" and [f["code"] for f in why["findings"]] == ["SUBNET_ACL_RESTRICTION"]
    # Positive control: with the reply allowed out, both records are ACCEPT and explain says reachable.
    net.ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="1", RuleAction="allow",
                                     Egress=True, CidrBlock="10.40.1.0/24", IcmpTypeCode={"Type": -1, "Code": -1})
    again = net.ping(a, b)
    assert again.returncode == 0, again
    assert [x.split(" ")[12] for x in net.lines(fl)[2:]] == ["ACCEPT", "ACCEPT"]
    assert net.explain(a, b)["verdict"] == "reachable"


def test_traffic_type_reject_logs_only_rejects(net):
    rejects = net.flow_log(net.vpc, traffic="REJECT")
    everything = net.flow_log(net.vpc, traffic="ALL")
    net.ping(net.a, net.b)
    net.ssh_port(net.a, net.b)
    assert masked(net.lines(rejects)) == [
        line(OWNER, net.b["eni"], net.a["ip"], net.b["ip"], "50000 22", 6, 60, "REJECT")]
    # Positive control: the ALL flow log of the same VPC has the accepted records too.
    assert len(net.lines(everything)) == 6


def test_follow_prints_a_record_made_after_it_started(net):
    fl = net.flow_log(net.b["eni"], resource_type="NetworkInterface")
    follower = subprocess.Popen([binary(), "--endpoint", net.endpoint, "flow-logs", fl, "--follow"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=tool_env(region=REGION, key=OWNER))
    seen: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [seen.put(x.rstrip("\n")) for x in follower.stdout], daemon=True).start()
    try:
        time.sleep(1.0)
        assert seen.empty(), "nothing was logged before the probe"
        pinged = net.ping(net.a, net.b)
        assert pinged.returncode == 0, pinged
        got = [seen.get(timeout=10), seen.get(timeout=10)]
        assert masked(got) == [
            line(OWNER, net.b["eni"], net.a["ip"], net.b["ip"], "0 0", 1, 84, "ACCEPT"),
            line(OWNER, net.b["eni"], net.b["ip"], net.a["ip"], "0 0", 1, 84, "ACCEPT"),
        ]
        assert follower.poll() is None, "--follow keeps running"
    finally:
        follower.kill()
        follower.wait(timeout=10)


def test_dns_to_a_custom_server_is_logged_and_the_amazon_resolver_is_not(net):
    fl = net.flow_log(net.vpc)
    amazon = run(net.endpoint, "exec", net.a["id"], "--", "nslookup", "example.com")
    assert "10.40.0.2" in amazon.stdout, amazon
    assert net.lines(fl) == [], "queries to the Amazon resolver are never logged"
    custom = run(net.endpoint, "exec", net.a["id"], "--", "nslookup", "example.com", net.b["ip"])
    assert custom.returncode == 1, custom
    a, b = net.a, net.b
    assert masked(net.lines(fl)) == [
        line(OWNER, a["eni"], a["ip"], b["ip"], "50000 53", 17, 60, "ACCEPT"),
        line(OWNER, b["eni"], a["ip"], b["ip"], "50000 53", 17, 60, "REJECT"),
    ]
    # A name pinged through the VPC's own resolver, when its DHCP options name a server on the network: the query
    # is traffic too (and, unanswered, the name does not resolve, so nothing else is sent).
    options = net.ec2.create_dhcp_options(DhcpConfigurations=[
        {"Key": "domain-name-servers", "Values": [b["ip"]]}])["DhcpOptions"]["DhcpOptionsId"]
    net.ec2.associate_dhcp_options(DhcpOptionsId=options, VpcId=net.vpc)
    by_name = run(net.endpoint, "exec", a["id"], "--", "ping", "-c", "1", "www.example.com")
    assert by_name.returncode == 2, by_name
    assert masked(net.lines(fl)[2:]) == [
        line(OWNER, a["eni"], a["ip"], b["ip"], "50000 53", 17, 60, "ACCEPT"),
        line(OWNER, b["eni"], a["ip"], b["ip"], "50000 53", 17, 60, "REJECT"),
    ]


def test_a_subnet_flow_log_covers_a_later_interface_and_deleting_it_stops_records(net):
    on_subnet = net.flow_log(net.back, resource_type="Subnet")
    on_vpc = net.flow_log(net.vpc)
    later = net.instance(net.back, groups=[net.back_sg])
    net.ping(net.a, later)
    assert masked(net.lines(on_subnet)) == [
        line(OWNER, later["eni"], net.a["ip"], later["ip"], "0 0", 1, 84, "ACCEPT"),
        line(OWNER, later["eni"], later["ip"], net.a["ip"], "0 0", 1, 84, "ACCEPT"),
    ]
    deleted = net.ec2.delete_flow_logs(FlowLogIds=[on_subnet])
    assert deleted["Unsuccessful"] == []
    net.ping(net.a, later)
    # The deleted flow log's records stay readable, and nothing was added; the VPC's flow log kept recording.
    assert len(net.lines(on_subnet)) == 2
    assert len(net.lines(on_vpc)) == 8


def test_another_accounts_flow_log_is_a_404_in_the_json_error_shape(net):
    fl = net.flow_log(net.vpc)
    net.ping(net.a, net.b)
    theirs = records_api(net.endpoint, OTHER, flow_log_id=fl)
    assert theirs.status_code == 404
    assert theirs.json() == {"error": {"code": "InvalidFlowLogId.NotFound",
                                       "message": f"The flow log ID '{fl}' does not exist"}}
    listed = records_api(net.endpoint, OTHER).json()
    assert listed == {"flow_logs": []}
    cli = run(net.endpoint, "flow-logs", fl, account=OTHER)
    assert cli.returncode == 2 and f"The flow log ID '{fl}' does not exist" in cli.stderr
    bad_cursor = records_api(net.endpoint, OWNER, flow_log_id=fl, since="later")
    assert bad_cursor.status_code == 400
    assert bad_cursor.json()["error"] == {"code": "InvalidParameterValue",
                                          "message": "The field `since` must be a non-negative integer"}
    # Positive control: the owner reads them, and lists its flow log.
    mine = records_api(net.endpoint, OWNER, flow_log_id=fl).json()
    assert len(mine["records"]) == 4
    assert [x["flow_log_id"] for x in records_api(net.endpoint, OWNER).json()["flow_logs"]] == [fl]


def test_records_survive_a_restart(sqlite_server, client_factory):
    srv = sqlite_server().start()
    if not srv.store.startswith("sqlite:"):
        pytest.skip("flow log records are kept beside a SQLite store's file only (ARCHITECTURE.md)")
    net = Net(client_factory(endpoint=srv.endpoint, key=OWNER), srv.endpoint)
    fl = net.flow_log(net.vpc)
    net.ping(net.a, net.b)
    before = net.lines(fl)
    assert len(before) == 4
    srv.kill()
    srv.start()
    net.endpoint = srv.endpoint
    assert net.lines(fl) == before
    net.ping(net.a, net.b)
    after = records_api(srv.endpoint, OWNER, flow_log_id=fl, since=4).json()
    assert [r["sequence"] for r in after["records"]] == [5, 6, 7, 8]


def test_transit_gateway_attachment_interfaces_log_with_instance_id_dash_in_a_custom_format(client_factory, server):
    ec2 = client_factory(key=OWNER)
    fmt = ("${version} ${interface-id} ${instance-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr} "
           "${flow-direction} ${action}")
    tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
    sides = []
    for n in (51, 52):
        vpc = ec2.create_vpc(CidrBlock=f"10.{n}.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{n}.1.0/24", AvailabilityZone="us-east-1a")[
            "Subnet"]["SubnetId"]
        group = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"][0]
        ec2.authorize_security_group_ingress(GroupId=group["GroupId"], IpPermissions=[
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
        instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]
        ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[subnet])
        table = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"][0]
        ec2.create_route(RouteTableId=table["RouteTableId"], DestinationCidrBlock="10.0.0.0/8", TransitGatewayId=tgw)
        enis = ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkInterfaces"]
        attachment_eni = [e for e in enis if e["NetworkInterfaceId"] != instance["NetworkInterfaces"][0][
            "NetworkInterfaceId"]]
        assert len(attachment_eni) == 1, enis
        flow_log = ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[vpc], TrafficType="ALL",
                                        LogDestinationType="s3", LogDestination=f"{BUCKET}/{n}",
                                        LogFormat=fmt)["FlowLogIds"][0]
        sides.append({"instance": instance["InstanceId"], "ip": instance["PrivateIpAddress"],
                      "eni": instance["NetworkInterfaces"][0]["NetworkInterfaceId"], "flow_log": flow_log,
                      "att_eni": attachment_eni[0]["NetworkInterfaceId"],
                      "att_ip": attachment_eni[0]["PrivateIpAddress"]})
    a, b = sides
    pinged = run(server.endpoint, "exec", a["instance"], "--", "ping", "-c", "1", b["ip"])
    assert pinged.returncode == 0, pinged
    printed = run(server.endpoint, "flow-logs", a["flow_log"]).stdout.splitlines()
    assert printed == [
        f"5 {a['eni']} {a['instance']} {a['ip']} {b['ip']} {a['ip']} {b['ip']} egress ACCEPT",
        f"5 {a['att_eni']} - {a['ip']} {a['att_ip']} {a['ip']} {b['ip']} ingress ACCEPT",
        f"5 {a['att_eni']} - {a['att_ip']} {a['ip']} {b['ip']} {a['ip']} egress ACCEPT",
        f"5 {a['eni']} {a['instance']} {b['ip']} {a['ip']} {b['ip']} {a['ip']} ingress ACCEPT",
    ]
    other_side = run(server.endpoint, "flow-logs", b["flow_log"]).stdout.splitlines()
    assert [x.split(" ")[1:3] for x in other_side] == [[b["att_eni"], "-"], [b["eni"], b["instance"]],
                                                       [b["eni"], b["instance"]], [b["att_eni"], "-"]]
