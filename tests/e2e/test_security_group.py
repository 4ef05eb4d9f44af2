"""Security groups (spec §2.7; peering references §2.6): groups, rules in both request forms, rule listing,
references across peered VPCs and accounts, stale rules, and the errors of each action."""
import pytest

from helpers import DEFAULT_ACCOUNT, assert_id, cli_error, create_vpc, ec2_error, tag_spec, tags_of

A = "111111111111"
B = "222222222222"
UNKNOWN_SG = "sg-0123456789abcdef0"
UNKNOWN_SGR = "sgr-0123456789abcdef0"
ANYWHERE = "0.0.0.0/0"


def new_sg(ec2, vpc_id, name="web", **kw):
    return ec2.create_security_group(GroupName=name, Description=f"{name} tier", VpcId=vpc_id, **kw)["GroupId"]


def sg(ec2, group_id):
    return ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]


def tcp(port, *cidrs, to_port=None):
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port if to_port is None else to_port,
            "IpRanges": [{"CidrIp": c} for c in cidrs]}


def from_group(group_id, user_id=None, protocol="-1"):
    pair = {"GroupId": group_id}
    if user_id:
        pair["UserId"] = user_id
    return {"IpProtocol": protocol, "UserIdGroupPairs": [pair]}


def default_vpc_id(ec2):
    return ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]


def default_sg(ec2, vpc_id):
    return ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                 {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]


def peer(requester, accepter, vpc_a, vpc_b, peer_owner=None, peer_region=None):
    kw = {"VpcId": vpc_a, "PeerVpcId": vpc_b}
    if peer_owner:
        kw["PeerOwnerId"] = peer_owner
    if peer_region:
        kw["PeerRegion"] = peer_region
    pcx = requester.create_vpc_peering_connection(**kw)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    accepter.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    return pcx


# ---------------------------------------------------------------------------------------------------------------
# CreateSecurityGroup / DescribeSecurityGroups / DeleteSecurityGroup
# ---------------------------------------------------------------------------------------------------------------
def test_create_returns_id_arn_and_tags_and_the_group_has_aws_defaults(ec2):
    vid = create_vpc(ec2)["VpcId"]
    resp = ec2.create_security_group(GroupName="web", Description="web tier", VpcId=vid,
                                     TagSpecifications=tag_spec("security-group", Name="web"))
    gid = resp["GroupId"]
    assert_id(gid, "sg")
    assert resp["SecurityGroupArn"] == f"arn:aws:ec2:us-east-1:{DEFAULT_ACCOUNT}:security-group/{gid}"
    assert tags_of(resp["Tags"]) == {"Name": "web"}
    group = sg(ec2, gid)
    assert (group["GroupName"], group["Description"], group["VpcId"], group["OwnerId"]) == \
        ("web", "web tier", vid, DEFAULT_ACCOUNT)
    assert group["IpPermissions"] == []
    assert group["IpPermissionsEgress"] == [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": ANYWHERE}],
                                             "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}]
    assert tags_of(group) == {"Name": "web"}


def test_default_group_contents(ec2):
    vid = create_vpc(ec2)["VpcId"]
    default = default_sg(ec2, vid)
    assert default["Description"] == "default VPC security group"
    assert default["IpPermissions"] == [{"IpProtocol": "-1", "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": [],
                                         "UserIdGroupPairs": [{"UserId": DEFAULT_ACCOUNT,
                                                               "GroupId": default["GroupId"]}]}]
    assert default["IpPermissionsEgress"][0]["IpRanges"] == [{"CidrIp": ANYWHERE}]


def test_create_without_vpc_id_uses_the_default_vpc(ec2):
    gid = ec2.create_security_group(GroupName="web", Description="d")["GroupId"]
    assert sg(ec2, gid)["VpcId"] == default_vpc_id(ec2)
    # Names resolve in the default VPC.
    assert ec2.describe_security_groups(GroupNames=["web"])["SecurityGroups"][0]["GroupId"] == gid


def test_create_without_default_vpc(client_factory):
    ec2 = client_factory(region="eu-west-1")
    dvpc = default_vpc_id(ec2)
    for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [dvpc]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    for igw in ec2.describe_internet_gateways()["InternetGateways"]:
        ec2.detach_internet_gateway(InternetGatewayId=igw["InternetGatewayId"], VpcId=dvpc)
    ec2.delete_vpc(VpcId=dvpc)
    with ec2_error("VPCIdNotSpecified", "No default VPC for this user"):
        ec2.create_security_group(GroupName="web", Description="d")


def test_create_errors(ec2, ec2_raw):
    vid = create_vpc(ec2)["VpcId"]
    new_sg(ec2, vid)
    with ec2_error("InvalidGroup.Duplicate", f"The security group 'web' already exists for VPC '{vid}'"):
        new_sg(ec2, vid)
    with ec2_error("InvalidGroup.Reserved"):
        new_sg(ec2, vid, "default")
    with ec2_error("InvalidParameterValue",
                   "Value (sg-web) for parameter GroupName is invalid. Group names may not be in the format sg-*."):
        new_sg(ec2, vid, "sg-web")
    with ec2_error("MissingParameter", "The request must contain the parameter GroupDescription"):
        ec2_raw.create_security_group(GroupName="x", VpcId=vid)
    with ec2_error("MissingParameter", "The request must contain the parameter GroupName"):
        ec2_raw.create_security_group(Description="x", VpcId=vid)
    with ec2_error("InvalidVpcID.NotFound"):
        new_sg(ec2, "vpc-0123456789abcdef0")
    # The same name is fine in another VPC.
    new_sg(ec2, create_vpc(ec2, "10.1.0.0/16")["VpcId"])


def test_describe_unknown_and_malformed_ids(ec2):
    with ec2_error("InvalidGroup.NotFound", f"The security group '{UNKNOWN_SG}' does not exist"):
        ec2.describe_security_groups(GroupIds=[UNKNOWN_SG])
    with ec2_error("InvalidGroupId.Malformed"):
        ec2.describe_security_groups(GroupIds=["sg-xyz"])
    assert ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["nothing"]}])[
        "SecurityGroups"] == []


def test_delete_by_id_and_by_name(ec2):
    vid = create_vpc(ec2)["VpcId"]
    gid = new_sg(ec2, vid)
    resp = ec2.delete_security_group(GroupId=gid)
    assert resp["Return"] is True and resp["GroupId"] == gid
    with ec2_error("InvalidGroup.NotFound"):
        ec2.describe_security_groups(GroupIds=[gid])
    named = ec2.create_security_group(GroupName="named", Description="d")["GroupId"]
    assert ec2.delete_security_group(GroupName="named")["GroupId"] == named
    with ec2_error("InvalidGroup.NotFound", f"The security group '{gid}' does not exist"):
        ec2.delete_security_group(GroupId=gid)
    with ec2_error("InvalidGroupId.Malformed"):
        ec2.delete_security_group(GroupId="sg-nope")


def test_delete_default_group_is_refused(ec2):
    vid = create_vpc(ec2)["VpcId"]
    default = default_sg(ec2, vid)["GroupId"]
    with ec2_error("CannotDelete", f'the specified group: "{default}" name: "default" cannot be deleted by a user'):
        ec2.delete_security_group(GroupId=default)


def test_delete_referenced_group_is_a_dependency_violation(ec2):
    vid = create_vpc(ec2)["VpcId"]
    web, db = new_sg(ec2, vid, "web"), new_sg(ec2, vid, "db")
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[from_group(web, protocol="tcp") | {
        "FromPort": 5432, "ToPort": 5432}])
    with ec2_error("DependencyViolation", f"resource {web} has a dependent object"):
        ec2.delete_security_group(GroupId=web)
    # A self-reference does not block.
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[from_group(db)])
    ec2.delete_security_group(GroupId=db)
    ec2.delete_security_group(GroupId=web)


def test_delete_group_in_use_by_an_instance_is_a_dependency_violation(ec2):
    vid = create_vpc(ec2)["VpcId"]
    subnet = ec2.create_subnet(VpcId=vid, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    gid = new_sg(ec2, vid)
    instance = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet,
                                 SecurityGroupIds=[gid])["Instances"][0]["InstanceId"]
    with ec2_error("DependencyViolation", f"resource {gid} has a dependent object"):
        ec2.delete_security_group(GroupId=gid)
    # Terminating the instance deletes its interface, which frees the group.
    ec2.terminate_instances(InstanceIds=[instance])
    ec2.delete_security_group(GroupId=gid)


def test_security_group_exists_waiter(ec2):
    gid = new_sg(ec2, create_vpc(ec2)["VpcId"])
    ec2.get_waiter("security_group_exists").wait(GroupIds=[gid], WaiterConfig={"Delay": 1, "MaxAttempts": 3})
    from botocore.exceptions import WaiterError
    with pytest.raises(WaiterError) as ei:
        ec2.get_waiter("security_group_exists").wait(GroupIds=[UNKNOWN_SG],
                                                     WaiterConfig={"Delay": 0.2, "MaxAttempts": 2})
    assert "Max attempts exceeded" in str(ei.value)
    assert ei.value.last_response["Error"]["Code"] == "InvalidGroup.NotFound"


# ---------------------------------------------------------------------------------------------------------------
# Authorize / Revoke
# ---------------------------------------------------------------------------------------------------------------
def test_authorize_ingress_groups_rules_by_protocol_and_ports(ec2):
    vid = create_vpc(ec2)["VpcId"]
    gid, other = new_sg(ec2, vid), new_sg(ec2, vid, "other")
    resp = ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": ANYWHERE, "Description": "ssh"}, {"CidrIp": "10.9.0.0/16"}],
         "UserIdGroupPairs": [{"GroupId": other, "Description": "from other"}]},
        {"IpProtocol": "6", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.1.2.3/16"}]},
    ])
    assert resp["Return"] is True
    rules = resp["SecurityGroupRules"]
    assert len(rules) == 4
    for rule in rules:
        assert_id(rule["SecurityGroupRuleId"], "sgr")
        assert (rule["GroupId"], rule["GroupOwnerId"], rule["IsEgress"], rule["IpProtocol"]) == \
            (gid, DEFAULT_ACCOUNT, False, "tcp")
    assert len({r["SecurityGroupRuleId"] for r in rules}) == 4
    assert rules[0]["CidrIpv4"] == ANYWHERE and rules[0]["Description"] == "ssh"
    assert rules[2]["ReferencedGroupInfo"] == {"GroupId": other, "UserId": DEFAULT_ACCOUNT}
    assert rules[3]["CidrIpv4"] == "10.1.0.0/16"  # host bits dropped
    perms = sg(ec2, gid)["IpPermissions"]
    assert perms == [
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": ANYWHERE, "Description": "ssh"}, {"CidrIp": "10.9.0.0/16"}],
         "Ipv6Ranges": [], "PrefixListIds": [],
         "UserIdGroupPairs": [{"UserId": DEFAULT_ACCOUNT, "GroupId": other, "Description": "from other"}]},
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.1.0.0/16"}],
         "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []},
    ]


def test_authorize_egress_and_protocol_forms(ec2):
    vid = create_vpc(ec2)["VpcId"]
    gid = new_sg(ec2, vid)
    resp = ec2.authorize_security_group_egress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "IpRanges": [{"CidrIp": "10.0.0.2/32"}]},
        {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        {"IpProtocol": "47", "FromPort": 1, "ToPort": 2, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        {"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
    ])
    rules = resp["SecurityGroupRules"]
    assert all(r["IsEgress"] for r in rules)
    assert [(r["IpProtocol"], r["FromPort"], r["ToPort"]) for r in rules] == \
        [("udp", 53, 53), ("icmp", 8, -1), ("47", -1, -1), ("tcp", 0, 65535)]
    assert rules[3]["CidrIpv6"] == "::/0"
    egress = sg(ec2, gid)["IpPermissionsEgress"]
    assert [p["IpProtocol"] for p in egress] == ["-1", "udp", "icmp", "47", "tcp"]
    assert "FromPort" not in egress[0] and "FromPort" not in egress[3]
    assert (egress[2]["FromPort"], egress[2]["ToPort"]) == (8, -1)
    assert egress[4]["Ipv6Ranges"] == [{"CidrIpv6": "::/0"}]


def test_authorize_legacy_flat_form(ec2):
    vid = create_vpc(ec2)["VpcId"]
    gid = new_sg(ec2, vid)
    resp = ec2.authorize_security_group_ingress(GroupId=gid, IpProtocol="tcp", FromPort=80, ToPort=80,
                                                CidrIp=ANYWHERE)
    assert resp["SecurityGroupRules"][0]["CidrIpv4"] == ANYWHERE
    perms = sg(ec2, gid)["IpPermissions"]
    assert [(p["IpProtocol"], p["FromPort"], p["ToPort"], p["IpRanges"]) for p in perms] == \
        [("tcp", 80, 80, [{"CidrIp": ANYWHERE}])]


def test_authorize_legacy_source_group_in_default_vpc(ec2):
    web = ec2.create_security_group(GroupName="web", Description="d")["GroupId"]
    db = ec2.create_security_group(GroupName="db", Description="d")["GroupId"]
    # Default-VPC form: both groups by name; a source group with no protocol means full TCP, UDP and ICMP.
    ec2.authorize_security_group_ingress(GroupName="db", SourceSecurityGroupName="web",
                                         SourceSecurityGroupOwnerId=DEFAULT_ACCOUNT)
    perms = sg(ec2, db)["IpPermissions"]
    assert sorted((p["IpProtocol"], p["FromPort"], p["ToPort"]) for p in perms) == \
        [("icmp", -1, -1), ("tcp", 0, 65535), ("udp", 0, 65535)]
    assert all(p["UserIdGroupPairs"] == [{"UserId": DEFAULT_ACCOUNT, "GroupId": web}] for p in perms)


def test_cli_authorize_forms(ec2, aws):
    vid = create_vpc(ec2)["VpcId"]
    gid, other = new_sg(ec2, vid), new_sg(ec2, vid, "other")
    out = aws("ec2", "authorize-security-group-ingress", "--group-id", gid, "--protocol", "tcp", "--port", "22",
              "--cidr", ANYWHERE).ok()
    assert out["Return"] is True and out["SecurityGroupRules"][0]["FromPort"] == 22
    aws("ec2", "authorize-security-group-ingress", "--group-id", gid, "--protocol", "icmp", "--port", "-1",
        "--cidr", "10.0.0.0/8").ok()
    aws("ec2", "authorize-security-group-ingress", "--group-id", gid, "--protocol", "tcp", "--port", "8000-8080",
        "--source-group", other, "--group-owner", DEFAULT_ACCOUNT).ok()
    perms = sg(ec2, gid)["IpPermissions"]
    assert [(p["IpProtocol"], p["FromPort"], p["ToPort"]) for p in perms] == \
        [("tcp", 22, 22), ("icmp", -1, -1), ("tcp", 8000, 8080)]
    assert perms[2]["UserIdGroupPairs"] == [{"UserId": DEFAULT_ACCOUNT, "GroupId": other}]
    dup = aws("ec2", "authorize-security-group-ingress", "--group-id", gid, "--protocol", "tcp", "--port", "22",
              "--cidr", ANYWHERE)
    cli_error(dup, "InvalidPermission.Duplicate",
              'the specified rule "peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW" already exists')
    cli_error(aws("ec2", "authorize-security-group-ingress", "--group-id", UNKNOWN_SG, "--protocol", "tcp",
                  "--port", "22", "--cidr", ANYWHERE), "InvalidGroup.NotFound")
    cli_error(aws("ec2", "authorize-security-group-ingress", "--group-id", gid, "--protocol", "tcp",
                  "--port", "22", "--cidr", "10.0.0.999/8"), "InvalidParameterValue",
              "invalid CIDR subnet specification: 10.0.0.999/8")


def test_authorize_duplicate_errors(ec2):
    vid = create_vpc(ec2)["VpcId"]
    gid, other = new_sg(ec2, vid), new_sg(ec2, vid, "other")
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[tcp(22, ANYWHERE), from_group(other)])
    # Descriptions do not make a rule different.
    with ec2_error("InvalidPermission.Duplicate",
                   'the specified rule "peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW" already exists'):
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": ANYWHERE, "Description": "x"}]}])
    with ec2_error("InvalidPermission.Duplicate", f'the specified rule "peer: {other}, ALL, ALLOW" already exists'):
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[from_group(other)])
    # The default egress rule exists already.
    with ec2_error("InvalidPermission.Duplicate", 'the specified rule "peer: 0.0.0.0/0, ALL, ALLOW" already exists'):
        ec2.authorize_security_group_egress(GroupId=gid, IpPermissions=[{"IpProtocol": "-1",
                                                                          "IpRanges": [{"CidrIp": ANYWHERE}]}])


def test_authorize_is_all_or_nothing(ec2):
    vid = create_vpc(ec2)["VpcId"]
    gid = new_sg(ec2, vid)
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[tcp(22, ANYWHERE)])
    with ec2_error("InvalidPermission.Duplicate"):
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[tcp(443, ANYWHERE), tcp(22, ANYWHERE)])
    with ec2_error("InvalidParameterValue"):
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[tcp(443, ANYWHERE), tcp(80, "bogus")])
    assert [p["FromPort"] for p in sg(ec2, gid)["IpPermissions"]] == [22]


def test_authorize_validation_errors(ec2, ec2_raw):
    vid = create_vpc(ec2)["VpcId"]
    gid = new_sg(ec2, vid)
    with ec2_error("InvalidParameterValue", "invalid CIDR subnet specification: 10.0.0.1"):
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[tcp(22, "10.0.0.1")])
    with ec2_error("InvalidParameterValue",
                   "Invalid value for portRange. Must specify both from and to ports with TCP/UDP."):
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
            {"IpProtocol": "tcp", "IpRanges": [{"CidrIp": ANYWHERE}]}])
    for bad in [(90, 80), (0, 70000), (-1, -1)]:
        with ec2_error("InvalidParameterValue"):
            ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[tcp(bad[0], ANYWHERE, to_port=bad[1])])
    with ec2_error("InvalidParameterValue"):
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
            {"IpProtocol": "bogus", "IpRanges": [{"CidrIp": ANYWHERE}]}])
    with ec2_error("InvalidParameterValue", "The same permission must not appear multiple times"):
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[tcp(22, ANYWHERE, ANYWHERE)])
    with ec2_error("InvalidGroup.NotFound", f"The security group '{UNKNOWN_SG}' does not exist"):
        ec2.authorize_security_group_ingress(GroupId=UNKNOWN_SG, IpPermissions=[tcp(22, ANYWHERE)])
    with ec2_error("InvalidGroupId.Malformed"):
        ec2.authorize_security_group_egress(GroupId="sg-bad", IpPermissions=[tcp(22, ANYWHERE)])
    with ec2_error("InvalidGroup.NotFound", f"The security group '{UNKNOWN_SG}' does not exist"):
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[from_group(UNKNOWN_SG)])
    with ec2_error("MissingParameter"):
        ec2_raw.authorize_security_group_ingress(GroupId=gid)


def test_rule_quota_only_with_quotas_aws(ec2):
    # 60 rules per direction is a quota (spec §5): the default server does not enforce it; `serve --quotas aws`
    # does (test_quotas.py::test_rules_per_security_group_limit_per_direction).
    gid = new_sg(ec2, create_vpc(ec2)["VpcId"])
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        tcp(22, *[f"10.{n}.0.0/16" for n in range(60)])])
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[tcp(23, ANYWHERE)])
    assert sum(len(p["IpRanges"]) for p in sg(ec2, gid)["IpPermissions"]) == 61


def test_revoke_by_properties_and_by_rule_id(ec2):
    vid = create_vpc(ec2)["VpcId"]
    gid, other = new_sg(ec2, vid), new_sg(ec2, vid, "other")
    rules = ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        tcp(22, ANYWHERE, "10.1.0.0/16"), from_group(other)])["SecurityGroupRules"]
    resp = ec2.revoke_security_group_ingress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": ANYWHERE, "Description": "descriptions are ignored"}]}])
    assert resp["Return"] is True
    assert [(r["SecurityGroupRuleId"], r["CidrIpv4"], r["IsEgress"]) for r in resp["RevokedSecurityGroupRules"]] == \
        [(rules[0]["SecurityGroupRuleId"], ANYWHERE, False)]
    resp = ec2.revoke_security_group_ingress(GroupId=gid, SecurityGroupRuleIds=[rules[2]["SecurityGroupRuleId"]])
    assert resp["RevokedSecurityGroupRules"][0]["ReferencedGroupId"] == other
    assert [p["IpRanges"] for p in sg(ec2, gid)["IpPermissions"]] == [[{"CidrIp": "10.1.0.0/16"}]]
    # Legacy flat form and egress.
    ec2.revoke_security_group_ingress(GroupId=gid, IpProtocol="tcp", FromPort=22, ToPort=22, CidrIp="10.1.0.0/16")
    ec2.revoke_security_group_egress(GroupId=gid, IpPermissions=[{"IpProtocol": "-1",
                                                                   "IpRanges": [{"CidrIp": ANYWHERE}]}])
    group = sg(ec2, gid)
    assert group["IpPermissions"] == [] and group["IpPermissionsEgress"] == []


def test_revoke_errors(ec2):
    vid = create_vpc(ec2)["VpcId"]
    gid = new_sg(ec2, vid)
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[tcp(22, ANYWHERE)])
    with ec2_error("InvalidPermission.NotFound", "The specified rule does not exist in this security group."):
        ec2.revoke_security_group_ingress(GroupId=gid, IpPermissions=[tcp(22, ANYWHERE, "10.9.0.0/16")])
    assert sg(ec2, gid)["IpPermissions"][0]["IpRanges"] == [{"CidrIp": ANYWHERE}], "nothing revoked"
    with ec2_error("InvalidSecurityGroupRuleId.NotFound"):
        ec2.revoke_security_group_ingress(GroupId=gid, SecurityGroupRuleIds=[UNKNOWN_SGR])
    with ec2_error("InvalidGroup.NotFound"):
        ec2.revoke_security_group_egress(GroupId=UNKNOWN_SG, IpPermissions=[tcp(22, ANYWHERE)])


def test_revoke_in_default_vpc_reports_unknown_permissions(ec2):
    gid = ec2.create_security_group(GroupName="web", Description="d")["GroupId"]
    resp = ec2.revoke_security_group_ingress(GroupId=gid, IpPermissions=[tcp(22, ANYWHERE)])
    assert resp["Return"] is True
    assert resp["UnknownIpPermissions"][0]["IpRanges"] == [{"CidrIp": ANYWHERE}]


# ---------------------------------------------------------------------------------------------------------------
# DescribeSecurityGroupRules, filters, rule tags
# ---------------------------------------------------------------------------------------------------------------
def test_describe_security_group_rules(ec2):
    vid = create_vpc(ec2)["VpcId"]
    gid = new_sg(ec2, vid)
    added = ec2.authorize_security_group_ingress(
        GroupId=gid, IpPermissions=[tcp(22, ANYWHERE)],
        TagSpecifications=tag_spec("security-group-rule", Name="ssh"))["SecurityGroupRules"][0]
    assert tags_of(added) == {"Name": "ssh"}
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [gid]}])["SecurityGroupRules"]
    assert len(rules) == 2
    egress = next(r for r in rules if r["IsEgress"])
    assert (egress["IpProtocol"], egress["FromPort"], egress["ToPort"], egress["CidrIpv4"]) == ("-1", -1, -1, ANYWHERE)
    rule_id = added["SecurityGroupRuleId"]
    one = ec2.describe_security_group_rules(SecurityGroupRuleIds=[rule_id])["SecurityGroupRules"]
    assert [r["SecurityGroupRuleId"] for r in one] == [rule_id]
    assert one[0]["SecurityGroupRuleArn"] == f"arn:aws:ec2:us-east-1:{DEFAULT_ACCOUNT}:security-group-rule/{rule_id}"
    tagged = ec2.describe_security_group_rules(Filters=[{"Name": "tag:Name", "Values": ["ssh"]}])
    assert [r["SecurityGroupRuleId"] for r in tagged["SecurityGroupRules"]] == [rule_id]
    ec2.create_tags(Resources=[rule_id], Tags=[{"Key": "env", "Value": "prod"}])
    assert tags_of(ec2.describe_security_group_rules(SecurityGroupRuleIds=[rule_id])["SecurityGroupRules"][0]) == \
        {"Name": "ssh", "env": "prod"}
    with ec2_error("InvalidSecurityGroupRuleId.NotFound"):
        ec2.describe_security_group_rules(SecurityGroupRuleIds=[UNKNOWN_SGR])
    with ec2_error("InvalidSecurityGroupRuleId.Malformed"):
        ec2.describe_security_group_rules(SecurityGroupRuleIds=["sgr-1"])
    with ec2_error("InvalidParameterValue", "The filter 'vpc-id' is invalid"):
        ec2.describe_security_group_rules(Filters=[{"Name": "vpc-id", "Values": [vid]}])


def test_describe_security_group_rules_pages(ec2):
    vid = create_vpc(ec2)["VpcId"]
    for n in range(4):
        new_sg(ec2, vid, f"g{n}")
    paginator = ec2.get_paginator("describe_security_group_rules")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 5}))
    ids = [r["SecurityGroupRuleId"] for p in pages for r in p["SecurityGroupRules"]]
    total = len(ec2.describe_security_group_rules()["SecurityGroupRules"])
    assert len(pages) > 1 and len(ids) == len(set(ids)) == total


def test_describe_security_groups_rule_filters(ec2):
    vid = create_vpc(ec2)["VpcId"]
    web, db = new_sg(ec2, vid, "web"), new_sg(ec2, vid, "db")
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[from_group(web, protocol="tcp") | {
        "FromPort": 5432, "ToPort": 5432}])
    ec2.authorize_security_group_egress(GroupId=web, IpPermissions=[tcp(443, "10.8.0.0/16")])

    def names(*filters):
        flt = [{"Name": "vpc-id", "Values": [vid]}] + [{"Name": n, "Values": [v]} for n, v in filters]
        return sorted(g["GroupName"] for g in ec2.describe_security_groups(Filters=flt)["SecurityGroups"])

    assert names(("ip-permission.group-name", "web")) == ["db"]
    assert names(("ip-permission.group-id", web)) == ["db"]
    assert names(("ip-permission.user-id", DEFAULT_ACCOUNT)) == ["db", "default"]
    assert names(("ip-permission.from-port", "5432")) == ["db"]
    assert names(("egress.ip-permission.cidr", "10.8.0.0/16")) == ["web"]
    assert names(("egress.ip-permission.to-port", "443")) == ["web"]
    assert names(("egress.ip-permission.protocol", "-1")) == ["db", "default", "web"]
    assert names(("egress.ip-permission.group-name", "web")) == []
    # An egress rule that references a group matches the group's ID, never its name (moto's
    # test_filter_egress__ip_permission__group_name_create_with_id_filter_by_name, checked against AWS).
    ec2.authorize_security_group_egress(GroupId=db, IpPermissions=[from_group(web, protocol="tcp") | {
        "FromPort": 8000, "ToPort": 8020}])
    assert names(("egress.ip-permission.group-id", web)) == ["db"]
    assert names(("egress.ip-permission.group-name", "web")) == []
    assert names(("ip-permission.ipv6-cidr", "::/0")) == []


# ---------------------------------------------------------------------------------------------------------------
# References across VPCs: peering, accounts, regions, stale rules
# ---------------------------------------------------------------------------------------------------------------
def test_reference_to_another_vpc_needs_an_active_peering(ec2):
    vpc_a, vpc_b = create_vpc(ec2)["VpcId"], create_vpc(ec2, "10.1.0.0/16")["VpcId"]
    web, db = new_sg(ec2, vpc_a, "web"), new_sg(ec2, vpc_b, "db")
    with ec2_error("InvalidGroup.NotFound", "You have specified two resources that belong to different networks."):
        ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[from_group(db)])
    # A pending request is not enough (spec §2.6 table: rejected while pending).
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc_a, PeerVpcId=vpc_b)["VpcPeeringConnection"][
        "VpcPeeringConnectionId"]
    with ec2_error("InvalidGroup.NotFound", "You have specified two resources that belong to different networks."):
        ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[from_group(db)])
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    rule = ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[from_group(db)])["SecurityGroupRules"][0]
    assert rule["ReferencedGroupInfo"] == {"GroupId": db, "UserId": DEFAULT_ACCOUNT, "VpcId": vpc_b,
                                           "VpcPeeringConnectionId": pcx, "PeeringStatus": "active"}
    pair = sg(ec2, web)["IpPermissions"][0]["UserIdGroupPairs"][0]
    assert pair == {"UserId": DEFAULT_ACCOUNT, "GroupId": db, "VpcId": vpc_b, "VpcPeeringConnectionId": pcx,
                    "PeeringStatus": "active"}
    refs = ec2.describe_security_group_references(GroupId=[db])["SecurityGroupReferenceSet"]
    assert refs == [{"GroupId": db, "ReferencingVpcId": vpc_a, "VpcPeeringConnectionId": pcx}]
    assert ec2.describe_security_group_references(GroupId=[web])["SecurityGroupReferenceSet"] == []
    with ec2_error("DependencyViolation", f"resource {db} has a dependent object"):
        ec2.delete_security_group(GroupId=db)


def test_cross_account_reference_with_user_id(client_factory, aws):
    a = client_factory(key=A)
    b = client_factory(key=B)
    vpc_a, vpc_b = create_vpc(a)["VpcId"], create_vpc(b, "10.1.0.0/16")["VpcId"]
    web, db = new_sg(a, vpc_a, "web"), new_sg(b, vpc_b, "db")
    with ec2_error("InvalidGroup.NotFound", "You have specified two resources that belong to different networks."):
        a.authorize_security_group_ingress(GroupId=web, IpPermissions=[from_group(db, B)])
    pcx = peer(a, b, vpc_a, vpc_b, peer_owner=B)
    # Without UserId the group is looked up in the caller's own account.
    with ec2_error("InvalidGroup.NotFound", f"The security group '{db}' does not exist"):
        a.authorize_security_group_ingress(GroupId=web, IpPermissions=[from_group(db)])
    out = aws("ec2", "authorize-security-group-ingress", "--group-id", web, "--protocol", "tcp", "--port", "5432",
              "--source-group", db, "--group-owner", B, key=A).ok()
    info = out["SecurityGroupRules"][0]["ReferencedGroupInfo"]
    assert info == {"GroupId": db, "UserId": B, "VpcId": vpc_b, "VpcPeeringConnectionId": pcx,
                    "PeeringStatus": "active"}
    refs = b.describe_security_group_references(GroupId=[db])["SecurityGroupReferenceSet"]
    assert refs == [{"GroupId": db, "ReferencingVpcId": vpc_a, "VpcPeeringConnectionId": pcx}]
    # Egress rules may reference the peer group too.
    b.authorize_security_group_egress(GroupId=db, IpPermissions=[from_group(web, A)])


def test_reference_across_regions_is_refused(client_factory):
    east = client_factory(region="us-east-1")
    west = client_factory(region="us-west-2")
    vpc_e, vpc_w = create_vpc(east)["VpcId"], create_vpc(west, "10.1.0.0/16")["VpcId"]
    web, far = new_sg(east, vpc_e, "web"), new_sg(west, vpc_w, "far")
    peer(east, west, vpc_e, vpc_w, peer_region="us-west-2")
    assert east.describe_vpc_peering_connections()["VpcPeeringConnections"][0]["Status"]["Code"] == "active"
    with ec2_error("InvalidGroup.NotFound", prefix=f"The security group '{far}' does not exist"):
        east.authorize_security_group_ingress(GroupId=web, IpPermissions=[from_group(far, DEFAULT_ACCOUNT)])


def test_rules_go_stale_when_the_peering_is_deleted_and_revive_on_repeering(ec2):
    vpc_a, vpc_b = create_vpc(ec2)["VpcId"], create_vpc(ec2, "10.1.0.0/16")["VpcId"]
    web, db = new_sg(ec2, vpc_a, "web"), new_sg(ec2, vpc_b, "db")
    pcx = peer(ec2, ec2, vpc_a, vpc_b)
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[from_group(db, protocol="tcp") | {
        "FromPort": 5432, "ToPort": 5432}])
    ec2.authorize_security_group_egress(GroupId=web, IpPermissions=[from_group(db)])
    assert ec2.describe_stale_security_groups(VpcId=vpc_a)["StaleSecurityGroupSet"] == []

    ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    stale = ec2.describe_stale_security_groups(VpcId=vpc_a)["StaleSecurityGroupSet"]
    assert len(stale) == 1
    item = stale[0]
    assert (item["GroupId"], item["GroupName"], item["Description"], item["VpcId"]) == \
        (web, "web", "web tier", vpc_a)
    stale_in = item["StaleIpPermissions"]
    assert [(p["IpProtocol"], p["FromPort"], p["ToPort"]) for p in stale_in] == [("tcp", 5432, 5432)]
    assert stale_in[0]["UserIdGroupPairs"] == [{"UserId": DEFAULT_ACCOUNT, "GroupId": db, "VpcId": vpc_b,
                                                "VpcPeeringConnectionId": pcx, "PeeringStatus": "deleted"}]
    assert [p["IpProtocol"] for p in item["StaleIpPermissionsEgress"]] == ["-1"]
    # The rule is kept and shows the deleted peering.
    pair = sg(ec2, web)["IpPermissions"][0]["UserIdGroupPairs"][0]
    assert (pair["GroupId"], pair["PeeringStatus"]) == (db, "deleted")
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [web]}])["SecurityGroupRules"]
    assert {r["ReferencedGroupInfo"]["PeeringStatus"] for r in rules if "ReferencedGroupInfo" in r} == {"deleted"}
    assert ec2.describe_security_group_references(GroupId=[db])["SecurityGroupReferenceSet"] == []
    assert ec2.describe_stale_security_groups(VpcId=vpc_b)["StaleSecurityGroupSet"] == []
    # A stale rule can still be revoked by properties.
    ec2.revoke_security_group_egress(GroupId=web, IpPermissions=[from_group(db)])

    pcx2 = peer(ec2, ec2, vpc_b, vpc_a)
    assert ec2.describe_stale_security_groups(VpcId=vpc_a)["StaleSecurityGroupSet"] == []
    pair = sg(ec2, web)["IpPermissions"][0]["UserIdGroupPairs"][0]
    assert (pair["PeeringStatus"], pair["VpcPeeringConnectionId"]) == ("active", pcx2)


def test_stale_security_groups_errors_and_paging(ec2, ec2_raw):
    with ec2_error("InvalidVpcID.NotFound"):
        ec2.describe_stale_security_groups(VpcId="vpc-0123456789abcdef0")
    with ec2_error("MissingParameter"):
        ec2_raw.describe_stale_security_groups()
    vpc_a, vpc_b = create_vpc(ec2)["VpcId"], create_vpc(ec2, "10.1.0.0/16")["VpcId"]
    db = new_sg(ec2, vpc_b, "db")
    pcx = peer(ec2, ec2, vpc_a, vpc_b)
    for n in range(6):
        gid = new_sg(ec2, vpc_a, f"g{n}")
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[from_group(db)])
    ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    first = ec2.describe_stale_security_groups(VpcId=vpc_a, MaxResults=5)
    assert len(first["StaleSecurityGroupSet"]) == 5 and first["NextToken"]
    second = ec2.describe_stale_security_groups(VpcId=vpc_a, MaxResults=5, NextToken=first["NextToken"])
    assert len(second["StaleSecurityGroupSet"]) == 1 and "NextToken" not in second
    with ec2_error("InvalidParameterValue"):
        ec2.describe_stale_security_groups(VpcId=vpc_a, MaxResults=256)


def test_security_group_references_errors(ec2):
    with ec2_error("InvalidGroup.NotFound"):
        ec2.describe_security_group_references(GroupId=[UNKNOWN_SG])
    with ec2_error("InvalidGroupId.Malformed"):
        ec2.describe_security_group_references(GroupId=["sg-x"])


def test_describe_security_group_rules_group_id_filter_shape(ec2, aws):
    # AWS checks a group-id filter value's shape (moto's AWS-verified test_invalid_security_group_id_in_rules_search);
    # a well-formed unknown ID matches nothing, and the group's own ID matches its rules (positive control).
    gid = new_sg(ec2, create_vpc(ec2)["VpcId"])
    with ec2_error("InvalidGroupId.Malformed", "The security group ID 'foobar' is malformed"):
        ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": ["foobar"]}])
    cli_error(aws("ec2", "describe-security-group-rules", "--filters", "Name=group-id,Values=foobar"),
              "InvalidGroupId.Malformed", "The security group ID 'foobar' is malformed")
    assert ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [UNKNOWN_SG]}])["SecurityGroupRules"] == []
    found = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [gid]}])["SecurityGroupRules"]
    assert [(r["GroupId"], r["IsEgress"]) for r in found] == [(gid, True)]
