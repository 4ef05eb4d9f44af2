"""`serve --data-plane kernel` with VPC flow logs on a NAT gateway's interface (part 2 §18.3 [D]: it logs both legs
it forwards): a real `ping` from a private instance to the internet through the gateway's namespace leaves, at the
gateway's interface, the same records — addresses, `pkt-srcaddr`/`pkt-dstaddr`, ports, protocol, direction,
action — as the engine (`exec --model`) leaves for the same ping in a fresh flow log. Without a flow log on the
gateway's interface its namespace logs nothing while the instance's own flow log still records (the control); what
the gateway's subnet's outbound ACL denies is a REJECT leaving it, the host kept in `pkt-srcaddr`, as in the engine.
A transit gateway VPC attachment's interface logs a real ping between two spokes — into the gateway and the answer out
of it — and what its subnet's outbound ACL denies out of the gateway as a REJECT, as the engine does; an interface
endpoint's interface logs real TCP (ACCEPT at 443, REJECT at 22) as the engine does. Needs root, like the other
kernel tests."""
from __future__ import annotations

import subprocess
import time

from test_kernel_data_plane import kernel, lab  # noqa: F401  (fixtures)
from test_kernel_flow_logs import BUCKET, DEADLINE, wait_for_records
from test_kernel_nat_gateway import INTERNET_HOST, egress

FORMAT = ("${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} ${protocol} "
          "${flow-direction} ${action} ${packets}")


def ruleset(lab, namespace: str, exists: bool = True) -> str:  # noqa: F811
    """The namespace's nftables ruleset (`exists=False`: empty while the namespace is not there yet)."""
    listed = subprocess.run(["ip", "netns", "exec", f"{lab.server.prefix}-{namespace}", "nft", "list", "ruleset"],
                            capture_output=True, text=True)
    assert listed.returncode == 0 or not exists, listed.stderr
    return listed.stdout


def wait_for_rules(lab, namespace: str, text: str) -> str:  # noqa: F811
    end = time.monotonic() + DEADLINE
    while text not in (rules := ruleset(lab, namespace, exists=False)) and time.monotonic() < end:
        time.sleep(0.2)
    return rules


def flow_log(lab, resource_type: str, resource: str, name: str) -> str:  # noqa: F811
    created = lab.ec2.create_flow_logs(ResourceType=resource_type, ResourceIds=[resource], TrafficType="ALL",
                                       LogDestinationType="s3", LogDestination=f"{BUCKET}/{name}", LogFormat=FORMAT)
    assert created["Unsuccessful"] == [], created
    return created["FlowLogIds"][0]


def test_kernel_a_real_ping_through_a_nat_gateway_is_logged_at_its_interface_as_the_engine_logs_it(lab):  # noqa: F811
    side = egress(lab)
    ec2 = lab.ec2
    ec2.create_route(RouteTableId=side["rtb"], DestinationCidrBlock="0.0.0.0/0", NatGatewayId=side["nat"])
    nat_eni = ec2.describe_nat_gateways(NatGatewayIds=[side["nat"]])["NatGateways"][0]["NatGatewayAddresses"][0][
        "NetworkInterfaceId"]
    instance_eni = ec2.describe_instances(InstanceIds=[side["instance"]])["Reservations"][0]["Instances"][0][
        "NetworkInterfaces"][0]["NetworkInterfaceId"]
    host, nat_ip = side["ip"], side["nat_ip"]

    # Control: only the instance's interface has a flow log; its ping is recorded there, nothing at the gateway.
    own = flow_log(lab, "NetworkInterface", instance_eni, "instance")
    wait_for_rules(lab, side["instance"], f"lvfl {instance_eni} e A")
    pinged = lab.exec(side["instance"], "ping", "-n", "-c", "2", "-i", "0.2", "-W", "1", INTERNET_HOST)
    assert pinged.returncode == 0 and "2 received" in pinged.stdout, pinged
    at_instance = wait_for_records(lab, own, lambda r: len(r) >= 2)
    assert sorted(tuple(r[:10]) for r in at_instance) == sorted([
        (instance_eni, INTERNET_HOST, host, "0", "0", INTERNET_HOST, host, "1", "ingress", "ACCEPT"),
        (instance_eni, host, INTERNET_HOST, "0", "0", host, INTERNET_HOST, "1", "egress", "ACCEPT"),
    ]), at_instance
    unlogged = ruleset(lab, side["nat"])
    assert "lvfl" not in unlogged and "log " not in unlogged, unlogged

    # A flow log on the gateway's interface: its namespace logs what it forwards, and a real ping leaves four records.
    at_nat = flow_log(lab, "NetworkInterface", nat_eni, "nat")
    logged = wait_for_rules(lab, side["nat"], f"lvfl {nat_eni} e A")
    assert f'log prefix "lvfl {nat_eni} i A" group 18' in logged, logged
    pinged = lab.exec(side["instance"], "ping", "-n", "-c", "2", "-i", "0.2", "-W", "1", INTERNET_HOST)
    assert pinged.returncode == 0 and "2 received" in pinged.stdout, pinged
    real = wait_for_records(lab, at_nat, lambda r: len(r) >= 4)
    assert all(r[10] == "2" for r in real), real  # both pings, summed per flow
    real_fields = sorted(tuple(r[:10]) for r in real)
    assert real_fields == sorted([
        # In from the host (the gateway's address on its side, the destination kept in pkt-dstaddr), out translated
        # (its address, the host kept in pkt-srcaddr); the answer in to its address, and out to the host.
        (nat_eni, host, nat_ip, "0", "0", host, INTERNET_HOST, "1", "ingress", "ACCEPT"),
        (nat_eni, nat_ip, INTERNET_HOST, "0", "0", host, INTERNET_HOST, "1", "egress", "ACCEPT"),
        (nat_eni, INTERNET_HOST, nat_ip, "0", "0", INTERNET_HOST, nat_ip, "1", "ingress", "ACCEPT"),
        (nat_eni, nat_ip, host, "0", "0", INTERNET_HOST, host, "1", "egress", "ACCEPT"),
    ]), real

    # The engine, asked the same ping on a fresh flow log, leaves the same records (one packet each).
    ec2.delete_flow_logs(FlowLogIds=[at_nat])
    fresh = flow_log(lab, "NetworkInterface", nat_eni, "model")
    modelled = lab.localvpc("exec", "--model", side["instance"], "--", "ping", "-c", "1", INTERNET_HOST)
    assert modelled.returncode == 0, modelled
    model = wait_for_records(lab, fresh, lambda r: len(r) >= 4)
    assert [r[10] for r in model] == ["1"] * 4, model
    assert sorted(tuple(r[:10]) for r in model) == real_fields, (model, real)



def test_kernel_what_the_nat_gateways_subnet_acl_denies_is_a_reject_leaving_it_with_the_host_kept(lab):  # noqa: F811
    side = egress(lab)
    ec2 = lab.ec2
    ec2.create_route(RouteTableId=side["rtb"], DestinationCidrBlock="0.0.0.0/0", NatGatewayId=side["nat"])
    nat_eni = ec2.describe_nat_gateways(NatGatewayIds=[side["nat"]])["NatGateways"][0]["NatGatewayAddresses"][0][
        "NetworkInterfaceId"]
    host, nat_ip = side["ip"], side["nat_ip"]
    # The public subnet's own ACL: everything in, out everything but ICMP to the internet host.
    acl = ec2.create_network_acl(VpcId=side["vpc"])["NetworkAcl"]["NetworkAclId"]
    for egress_rule in (False, True):
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=200, Protocol="-1", RuleAction="allow",
                                     Egress=egress_rule, CidrBlock="0.0.0.0/0")
    associations = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [side["public"]]}])[
        "NetworkAcls"][0]["Associations"]
    current = [x["NetworkAclAssociationId"] for x in associations if x["SubnetId"] == side["public"]][0]
    ec2.replace_network_acl_association(AssociationId=current, NetworkAclId=acl)
    pinged = lab.exec(side["instance"], "ping", "-n", "-c", "1", "-W", "1", INTERNET_HOST)
    assert pinged.returncode == 0, pinged  # positive control: allowed, it gets through
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="1", RuleAction="deny", Egress=True,
                                 CidrBlock=f"{INTERNET_HOST}/32", IcmpTypeCode={"Type": -1, "Code": -1})
    at_nat = flow_log(lab, "NetworkInterface", nat_eni, "nat-acl")
    wait_for_rules(lab, side["nat"], f"lvfl {nat_eni} e N")
    pinged = lab.exec(side["instance"], "ping", "-n", "-c", "2", "-i", "0.2", "-W", "1", INTERNET_HOST)
    assert pinged.returncode == 1 and "0 received" in pinged.stdout, pinged
    real = wait_for_records(lab, at_nat, lambda r: len(r) >= 2)
    real_fields = sorted(tuple(r[:10]) for r in real)
    assert real_fields == sorted([
        (nat_eni, host, nat_ip, "0", "0", host, INTERNET_HOST, "1", "ingress", "ACCEPT"),
        (nat_eni, nat_ip, INTERNET_HOST, "0", "0", host, INTERNET_HOST, "1", "egress", "REJECT"),
    ]), real
    assert all(r[10] == "2" for r in real), real
    ec2.delete_flow_logs(FlowLogIds=[at_nat])
    fresh = flow_log(lab, "NetworkInterface", nat_eni, "nat-acl-model")
    modelled = lab.localvpc("exec", "--model", side["instance"], "--", "ping", "-c", "1", INTERNET_HOST)
    assert modelled.returncode == 1, modelled
    model = wait_for_records(lab, fresh, lambda r: len(r) >= 2)
    assert sorted(tuple(r[:10]) for r in model) == real_fields, (model, real)

def test_kernel_an_interface_endpoints_interface_logs_real_tcp_as_the_engine_does(lab):  # noqa: F811
    from test_kernel_interface_endpoint import SSM

    side = lab.network("10.33.0.0/16", "10.33.1.0/24", igw=False)
    ec2 = lab.ec2
    group = ec2.create_security_group(GroupName="endpoint", Description="HTTPS", VpcId=side["vpc"])["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.33.0.0/16"}]}])
    made = ec2.create_vpc_endpoint(VpcEndpointType="Interface", VpcId=side["vpc"], ServiceName=SSM,
                                   SubnetIds=[side["subnet"]], SecurityGroupIds=[group],
                                   PrivateDnsEnabled=False)["VpcEndpoint"]
    [eni] = made["NetworkInterfaceIds"]
    address = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]["PrivateIpAddress"]
    host = side["ip"]
    opened = lab.exec(side["instance"], "timeout", "3", "bash", "-c", f"exec 3<>/dev/tcp/{address}/443")
    assert opened.returncode == 0, opened
    # Control: no flow log, so the endpoint's namespace logs nothing.
    unlogged = ruleset(lab, eni)
    assert "lvfl" not in unlogged, unlogged

    at_endpoint = flow_log(lab, "NetworkInterface", eni, "endpoint")
    logged = wait_for_rules(lab, eni, f"lvfl {eni} i R")
    assert f'log prefix "lvfl {eni} i A" group 18' in logged, logged
    opened = lab.exec(side["instance"], "timeout", "3", "bash", "-c", f"exec 3<>/dev/tcp/{address}/443")
    assert opened.returncode == 0, opened  # positive control: HTTPS is let in
    refused = lab.exec(side["instance"], "timeout", "2", "bash", "-c", f"exec 3<>/dev/tcp/{address}/22")
    assert refused.returncode == 124, refused  # the group drops port 22: nothing comes back

    def shape(records):
        """Interface, addresses, the endpoint's port, protocol, direction, action (the client's port varies)."""
        return sorted((r[0], r[1], r[2], r[4] if r[8] == "ingress" else r[3], r[5], r[6], r[7], r[8], r[9])
                      for r in records)

    real = wait_for_records(lab, at_endpoint, lambda r: len(r) >= 3)
    assert shape(real) == sorted([
        (eni, host, address, "443", host, address, "6", "ingress", "ACCEPT"),
        (eni, address, host, "443", address, host, "6", "egress", "ACCEPT"),
        (eni, host, address, "22", host, address, "6", "ingress", "REJECT"),
    ]), real
    # The engine, asked the same two connects on a fresh flow log, leaves records of the same shape.
    ec2.delete_flow_logs(FlowLogIds=[at_endpoint])
    fresh = flow_log(lab, "NetworkInterface", eni, "endpoint-model")
    for port in ("443", "22"):
        lab.localvpc("exec", "--model", side["instance"], "--", "nc", "-z", "-w", "1", address, port)
    model = wait_for_records(lab, fresh, lambda r: len(r) >= 3)
    assert shape(model) == shape(real), (model, real)


def test_kernel_a_transit_gateway_attachments_interface_logs_a_real_ping_as_the_engine_does(lab):  # noqa: F811
    from test_kernel_transit_gateway import attach, gateway, spoke

    a, b = spoke(lab, 1), spoke(lab, 2)
    tgw, _ = gateway(lab)
    attach(lab, tgw, a)
    attach(lab, tgw, b)
    ec2 = lab.ec2
    ec2.create_route(RouteTableId=a["rtb"], DestinationCidrBlock=b["cidr"], TransitGatewayId=tgw)
    ec2.create_route(RouteTableId=b["rtb"], DestinationCidrBlock=a["cidr"], TransitGatewayId=tgw)
    interfaces = ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [a["vpc"]]}])
    [at_a] = [i for i in interfaces["NetworkInterfaces"] if "Attachment" not in i or
              "InstanceId" not in i["Attachment"]]
    eni, eni_ip = at_a["NetworkInterfaceId"], at_a["PrivateIpAddress"]
    pinged = lab.exec(a["instance"], "ping", "-n", "-c", "2", "-i", "0.2", "-W", "1", b["ip"])
    assert pinged.returncode == 0 and "2 received" in pinged.stdout, pinged  # positive control: it crosses
    # Control: without a flow log the routers log nothing.
    assert "lvfl" not in ruleset(lab, a["vpc"]) and "lvfl" not in ruleset(lab, b["vpc"])

    at_attachment = flow_log(lab, "NetworkInterface", eni, "attachment")
    logged = wait_for_rules(lab, a["vpc"], f"lvfl {eni} i A")
    assert f'log prefix "lvfl {eni} e A" group 18' in logged, logged
    assert "lvfl" not in ruleset(lab, b["vpc"])  # the other attachment has no flow log
    pinged = lab.exec(a["instance"], "ping", "-n", "-c", "2", "-i", "0.2", "-W", "1", b["ip"])
    assert pinged.returncode == 0 and "2 received" in pinged.stdout, pinged
    real = wait_for_records(lab, at_attachment, lambda r: len(r) >= 2)
    assert all(r[10] == "2" for r in real), real
    real_fields = sorted(tuple(r[:10]) for r in real)
    assert real_fields == sorted([
        # Into the gateway from A's instance (the attachment's address on its side), and B's answer out of it.
        (eni, a["ip"], eni_ip, "0", "0", a["ip"], b["ip"], "1", "ingress", "ACCEPT"),
        (eni, eni_ip, a["ip"], "0", "0", b["ip"], a["ip"], "1", "egress", "ACCEPT"),
    ]), real
    ec2.delete_flow_logs(FlowLogIds=[at_attachment])
    fresh = flow_log(lab, "NetworkInterface", eni, "attachment-model")
    modelled = lab.localvpc("exec", "--model", a["instance"], "--", "ping", "-c", "1", b["ip"])
    assert modelled.returncode == 0, modelled
    model = wait_for_records(lab, fresh, lambda r: len(r) >= 2)
    assert [r[10] for r in model] == ["1", "1"], model
    assert sorted(tuple(r[:10]) for r in model) == real_fields, (model, real)


def test_kernel_an_acl_deny_out_of_the_gateway_is_a_reject_at_the_attachments_interface(lab):  # noqa: F811
    from test_kernel_transit_gateway import spokes_with_an_acl_at_bs_attachment

    ec2 = lab.ec2
    a, b, _, acl, attachment_subnet = spokes_with_an_acl_at_bs_attachment(lab)
    interfaces = ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [attachment_subnet]}])
    [at_b] = interfaces["NetworkInterfaces"]
    eni, eni_ip = at_b["NetworkInterfaceId"], at_b["PrivateIpAddress"]
    at_attachment = flow_log(lab, "NetworkInterface", eni, "attachment-acl")
    wait_for_rules(lab, b["vpc"], f"lvfl {eni} e N")

    # Positive control: allowed, the ping crosses and B's attachment logs it leaving and the answer entering.
    pinged = lab.exec(a["instance"], "ping", "-n", "-c", "2", "-i", "0.2", "-W", "1", b["ip"])
    assert pinged.returncode == 0 and "2 received" in pinged.stdout, pinged
    allowed = wait_for_records(lab, at_attachment, lambda r: len(r) >= 2)
    assert sorted(tuple(r[:10]) for r in allowed) == sorted([
        (eni, eni_ip, b["ip"], "0", "0", a["ip"], b["ip"], "1", "egress", "ACCEPT"),
        (eni, b["ip"], eni_ip, "0", "0", b["ip"], a["ip"], "1", "ingress", "ACCEPT"),
    ]), allowed

    # Denied out of the attachment subnet towards B: a REJECT leaving the interface, nothing else.
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="-1", RuleAction="deny", Egress=True,
                                 CidrBlock=b["cidr"])
    time.sleep(1)
    pinged = lab.exec(a["instance"], "ping", "-n", "-c", "2", "-i", "0.2", "-W", "1", b["ip"])
    assert pinged.returncode == 1 and "0 received" in pinged.stdout, pinged
    records = wait_for_records(lab, at_attachment, lambda r: len(r) >= 3)
    denied = [tuple(r[:10]) for r in records[len(allowed):]]
    assert denied == [(eni, eni_ip, b["ip"], "0", "0", a["ip"], b["ip"], "1", "egress", "REJECT")], records
    assert records[-1][10] == "2", records
    # The engine, asked on a fresh flow log, leaves the same record.
    ec2.delete_flow_logs(FlowLogIds=[at_attachment])
    fresh = flow_log(lab, "NetworkInterface", eni, "attachment-acl-model")
    modelled = lab.localvpc("exec", "--model", a["instance"], "--", "ping", "-c", "1", b["ip"])
    assert modelled.returncode == 1, modelled
    model = wait_for_records(lab, fresh, lambda r: len(r) >= 1)
    assert [tuple(r[:10]) for r in model] == denied, (model, records)
