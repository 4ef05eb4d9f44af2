"""The seed tutorial 003 (two VPCs, peering, ping across) replayed step by step with the aws CLI in ap-northeast-2,
checking each answer as the console would show it; the data-plane half (ping before/after) is in test_exec.py."""
from __future__ import annotations

REGION = "ap-northeast-2"


def test_tutorial_003_control_plane_with_the_aws_cli(aws):
    def run(*args):
        return aws("ec2", *args, region=REGION).ok()

    def name(value):
        return f"ResourceType=vpc,Tags=[{{Key=Name,Value={value}}}]"

    # 1. Two VPCs.
    a = run("create-vpc", "--cidr-block", "10.6.0.0/16", "--tag-specifications", name("peeringVPC-A"))["Vpc"]
    b = run("create-vpc", "--cidr-block", "10.7.0.0/16", "--tag-specifications", name("peeringVPC-B"))["Vpc"]
    named = run("describe-vpcs", "--filters", "Name=tag:Name,Values=peeringVPC-*")["Vpcs"]
    assert sorted((v["CidrBlock"], v["Tags"][0]["Value"]) for v in named) == [
        ("10.6.0.0/16", "peeringVPC-A"), ("10.7.0.0/16", "peeringVPC-B")]
    # 2. A subnet in each.
    sa = run("create-subnet", "--vpc-id", a["VpcId"], "--cidr-block", "10.6.1.0/24",
             "--availability-zone", "ap-northeast-2a")["Subnet"]
    sb = run("create-subnet", "--vpc-id", b["VpcId"], "--cidr-block", "10.7.1.0/24",
             "--availability-zone", "ap-northeast-2c")["Subnet"]
    assert (sa["AvailabilityZoneId"], sb["AvailabilityZoneId"]) == ("apne2-az1", "apne2-az3")
    assert sa["AvailableIpAddressCount"] == 251
    # 3. An internet gateway for each, attached.
    igws = {}
    for vpc in (a, b):
        igw = run("create-internet-gateway")["InternetGateway"]["InternetGatewayId"]
        run("attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc["VpcId"])
        igws[vpc["VpcId"]] = igw
        attached = run("describe-internet-gateways", "--internet-gateway-ids", igw)["InternetGateways"][0]
        assert attached["Attachments"] == [{"State": "available", "VpcId": vpc["VpcId"]}]
    # 4. An instance in each subnet.
    ia = run("run-instances", "--image-id", "ami-0123456789abcdef0", "--instance-type", "t2.micro",
             "--subnet-id", sa["SubnetId"])["Instances"][0]
    ib = run("run-instances", "--image-id", "ami-0123456789abcdef0", "--instance-type", "t2.micro",
             "--subnet-id", sb["SubnetId"])["Instances"][0]
    assert ia["PrivateDnsName"] == f"ip-{ia['PrivateIpAddress'].replace('.', '-')}.ap-northeast-2.compute.internal"
    waited = aws("ec2", "wait", "instance-running", "--instance-ids", ia["InstanceId"], ib["InstanceId"],
                 region=REGION)
    assert waited.rc == 0, waited.stderr
    # 5–6. An Elastic IP for A's instance.
    eip = run("allocate-address", "--domain", "vpc")
    run("associate-address", "--allocation-id", eip["AllocationId"], "--instance-id", ia["InstanceId"])
    described = run("describe-instances", "--instance-ids", ia["InstanceId"])["Reservations"][0]["Instances"][0]
    assert described["PublicIpAddress"] == eip["PublicIp"]
    # 6-2. 0.0.0.0/0 → A's gateway on A's route table.
    rta = run("describe-route-tables", "--filters", f"Name=vpc-id,Values={a['VpcId']}")["RouteTables"][0]
    rtb = run("describe-route-tables", "--filters", f"Name=vpc-id,Values={b['VpcId']}")["RouteTables"][0]
    run("create-route", "--route-table-id", rta["RouteTableId"], "--destination-cidr-block", "0.0.0.0/0",
        "--gateway-id", igws[a["VpcId"]])
    # 8. The peering request A (requester) → B (accepter), then its acceptance.
    pcx = run("create-vpc-peering-connection", "--vpc-id", a["VpcId"], "--peer-vpc-id", b["VpcId"])[
        "VpcPeeringConnection"]
    assert pcx["Status"]["Code"] == "initiating-request"
    pcx_id = pcx["VpcPeeringConnectionId"]
    pending = run("describe-vpc-peering-connections", "--vpc-peering-connection-ids", pcx_id)[
        "VpcPeeringConnections"][0]
    assert pending["Status"]["Code"] == "pending-acceptance"
    accepted = run("accept-vpc-peering-connection", "--vpc-peering-connection-id", pcx_id)["VpcPeeringConnection"]
    assert accepted["Status"]["Code"] == "provisioning"
    # 9–10. Routes to the peer on both sides; B gets no 0.0.0.0/0.
    run("create-route", "--route-table-id", rta["RouteTableId"], "--destination-cidr-block", "10.7.0.0/16",
        "--vpc-peering-connection-id", pcx_id)
    run("create-route", "--route-table-id", rtb["RouteTableId"], "--destination-cidr-block", "10.6.0.0/16",
        "--vpc-peering-connection-id", pcx_id)
    routes_a = run("describe-route-tables", "--route-table-ids", rta["RouteTableId"])["RouteTables"][0]["Routes"]
    assert {(r["DestinationCidrBlock"], r.get("GatewayId") or r.get("VpcPeeringConnectionId"), r["State"])
            for r in routes_a} == {("10.6.0.0/16", "local", "active"), ("0.0.0.0/0", igws[a["VpcId"]], "active"),
                                   ("10.7.0.0/16", pcx_id, "active")}
    routes_b = run("describe-route-tables", "--route-table-ids", rtb["RouteTableId"])["RouteTables"][0]["Routes"]
    assert {(r["DestinationCidrBlock"], r["State"]) for r in routes_b} == {
        ("10.7.0.0/16", "active"), ("10.6.0.0/16", "active")}
    active = run("describe-vpc-peering-connections", "--filters", "Name=status-code,Values=active")[
        "VpcPeeringConnections"]
    assert [p["VpcPeeringConnectionId"] for p in active] == [pcx_id]
    assert active[0]["AccepterVpcInfo"]["CidrBlock"] == "10.7.0.0/16"
