"""Security group rules changed in place (spec §2.7): ModifySecurityGroupRules, UpdateSecurityGroupRuleDescriptionsIngress
and Egress, and GetSecurityGroupsForVpc — happy paths, AWS's errors, and a positive control beside each refusal."""
from helpers import create_vpc, cli_error, ec2_error, tag_spec, tags_of

UNKNOWN_SG = "sg-0123456789abcdef0"
UNKNOWN_SGR = "sgr-0123456789abcdef0"
UNKNOWN_VPC = "vpc-0123456789abcdef0"


def new_sg(ec2, vpc_id, name="web", **kw):
    return ec2.create_security_group(GroupName=name, Description=f"{name} tier", VpcId=vpc_id, **kw)["GroupId"]


def rule(ec2, rule_id):
    return ec2.describe_security_group_rules(SecurityGroupRuleIds=[rule_id])["SecurityGroupRules"][0]


def authorize_tcp(ec2, group_id, port, cidr, description=None, tags=None):
    ip_range = {"CidrIp": cidr}
    if description:
        ip_range["Description"] = description
    kw = {"TagSpecifications": tag_spec("security-group-rule", **tags)} if tags else {}
    answer = ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [ip_range]}], **kw)
    return answer["SecurityGroupRules"][0]["SecurityGroupRuleId"]


# ---------------------------------------------------------------------------------------------------------------
# ModifySecurityGroupRules
# ---------------------------------------------------------------------------------------------------------------
def test_modify_replaces_the_whole_rule_and_keeps_id_and_tags(ec2):
    gid = new_sg(ec2, create_vpc(ec2)["VpcId"])
    rid = authorize_tcp(ec2, gid, 22, "1.2.3.4/32", "ssh", tags={"Name": "ssh"})
    answer = ec2.modify_security_group_rules(GroupId=gid, SecurityGroupRules=[{
        "SecurityGroupRuleId": rid,
        "SecurityGroupRule": {"IpProtocol": "udp", "FromPort": 500, "ToPort": 501, "CidrIpv4": "10.0.0.0/8"}}])
    assert answer["Return"] is True
    after = rule(ec2, rid)
    assert (after["IpProtocol"], after["FromPort"], after["ToPort"], after["CidrIpv4"]) == ("udp", 500, 501,
                                                                                            "10.0.0.0/8")
    assert after["IsEgress"] is False
    # A full replacement: the description was not sent, so it is gone; the rule's own tags stay.
    assert "Description" not in after
    assert tags_of(after) == {"Name": "ssh"}
    perms = ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]["IpPermissions"]
    assert perms == [{"IpProtocol": "udp", "FromPort": 500, "ToPort": 501, "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
                      "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}]


def test_modify_to_a_group_reference_and_an_egress_rule(ec2):
    vid = create_vpc(ec2)["VpcId"]
    gid, other = new_sg(ec2, vid), new_sg(ec2, vid, "other")
    rid = authorize_tcp(ec2, gid, 22, "1.2.3.4/32")
    egress_id = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [gid]}])
    egress_id = [r for r in egress_id["SecurityGroupRules"] if r["IsEgress"]][0]["SecurityGroupRuleId"]
    ec2.modify_security_group_rules(GroupId=gid, SecurityGroupRules=[
        {"SecurityGroupRuleId": rid, "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 39900, "ToPort": 40000,
                                                           "ReferencedGroupId": other, "Description": "from other"}},
        {"SecurityGroupRuleId": egress_id, "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 443,
                                                                 "ToPort": 443, "CidrIpv4": "0.0.0.0/0"}}])
    after = rule(ec2, rid)
    assert after["ReferencedGroupInfo"]["GroupId"] == other and after["Description"] == "from other"
    assert "CidrIpv4" not in after
    egress = rule(ec2, egress_id)
    assert egress["IsEgress"] is True and (egress["FromPort"], egress["ToPort"]) == (443, 443)
    # The reference now counts: the referenced group cannot be deleted, as after an Authorize.
    with ec2_error("DependencyViolation"):
        ec2.delete_security_group(GroupId=other)
    # Modified back to a CIDR block, the reference is gone and the group can go (positive control).
    ec2.modify_security_group_rules(GroupId=gid, SecurityGroupRules=[{
        "SecurityGroupRuleId": rid, "SecurityGroupRule": {"IpProtocol": "-1", "CidrIpv4": "10.0.0.0/8"}}])
    ec2.delete_security_group(GroupId=other)


def test_modify_errors(ec2):
    vid = create_vpc(ec2)["VpcId"]
    gid, other = new_sg(ec2, vid), new_sg(ec2, vid, "other")
    rid = authorize_tcp(ec2, gid, 22, "1.2.3.4/32", "ssh")
    other_rid = authorize_tcp(ec2, other, 22, "1.2.3.4/32")
    authorize_tcp(ec2, gid, 80, "0.0.0.0/0")

    def modify(group_id=gid, rule_id=rid, **rule_fields):
        return ec2.modify_security_group_rules(GroupId=group_id, SecurityGroupRules=[
            {"SecurityGroupRuleId": rule_id, "SecurityGroupRule": rule_fields}])

    udp = {"IpProtocol": "udp", "FromPort": 27010, "ToPort": 27011}
    with ec2_error("InvalidGroup.NotFound", f"The security group '{UNKNOWN_SG}' does not exist"):
        modify(group_id=UNKNOWN_SG, CidrIpv4="2.3.4.5/32", **udp)
    with ec2_error("InvalidSecurityGroupRuleId.NotFound",
                   f"The security group rule ID '{UNKNOWN_SGR}' does not exist"):
        modify(rule_id=UNKNOWN_SGR, CidrIpv4="2.3.4.5/32", **udp)
    # A rule of another group is not this group's rule.
    with ec2_error("InvalidSecurityGroupRuleId.NotFound"):
        modify(rule_id=other_rid, CidrIpv4="2.3.4.5/32", **udp)
    with ec2_error("InvalidParameterValue",
                   "Invalid value 'null' for protocol. VPC security group rules must specify protocols explicitly."):
        modify(FromPort=1, ToPort=2, CidrIpv4="2.3.4.5/32")
    with ec2_error("InvalidParameterValue",
                   "Invalid value for portRange. Must specify both from and to ports with TCP/UDP."):
        modify(IpProtocol="udp", FromPort=1, CidrIpv4="2.3.4.5/32")
    with ec2_error("MissingParameter",
                   "The request must contain exactly one of: cidrIp, cidrIpv6, prefixListId, or referencedGroupId"):
        modify(**udp)
    with ec2_error("InvalidParameterCombination",
                   "Only one of cidrIp, cidrIpv6, prefixListId, or referencedGroupId can be specified"):
        modify(CidrIpv4="2.3.4.5/32", CidrIpv6="2001:db8::/32", **udp)
    with ec2_error("InvalidParameterValue", "invalid CIDR subnet specification: 2.3.4.5"):
        modify(CidrIpv4="2.3.4.5", **udp)
    with ec2_error("InvalidPermission.Duplicate",
                   'the specified rule "peer: 0.0.0.0/0, TCP, from port: 80, to port: 80, ALLOW" already exists'):
        modify(IpProtocol="tcp", FromPort=80, ToPort=80, CidrIpv4="0.0.0.0/0")
    # Nothing changed by any refusal; the same call with a free rule succeeds (positive control).
    assert (rule(ec2, rid)["FromPort"], rule(ec2, rid)["Description"]) == (22, "ssh")
    modify(CidrIpv4="2.3.4.5/32", Description="game", **udp)
    assert (rule(ec2, rid)["IpProtocol"], rule(ec2, rid)["Description"]) == ("udp", "game")


def test_modify_cli(ec2, aws):
    gid = new_sg(ec2, create_vpc(ec2)["VpcId"])
    rid = authorize_tcp(ec2, gid, 22, "1.2.3.4/32")
    spec = f"SecurityGroupRuleId={rid},SecurityGroupRule={{IpProtocol=tcp,FromPort=2222,ToPort=2222," \
           "CidrIpv4=10.1.0.0/16,Description=moved}"
    out = aws("ec2", "modify-security-group-rules", "--group-id", gid, "--security-group-rules", spec).ok()
    assert out["Return"] is True
    assert (rule(ec2, rid)["FromPort"], rule(ec2, rid)["CidrIpv4"]) == (2222, "10.1.0.0/16")
    bad = f"SecurityGroupRuleId={UNKNOWN_SGR},SecurityGroupRule={{IpProtocol=tcp,FromPort=1,ToPort=1,CidrIpv4=1.0.0.0/8}}"
    cli_error(aws("ec2", "modify-security-group-rules", "--group-id", gid, "--security-group-rules", bad),
              "InvalidSecurityGroupRuleId.NotFound", f"The security group rule ID '{UNKNOWN_SGR}' does not exist")


# ---------------------------------------------------------------------------------------------------------------
# UpdateSecurityGroupRuleDescriptionsIngress / Egress
# ---------------------------------------------------------------------------------------------------------------
def test_update_descriptions_by_permissions_and_by_rule_id(ec2):
    gid = new_sg(ec2, create_vpc(ec2)["VpcId"])
    first = authorize_tcp(ec2, gid, 27017, "1.2.3.4/32", "first")
    second = authorize_tcp(ec2, gid, 27018, "1.2.3.5/32", "second")
    answer = ec2.update_security_group_rule_descriptions_ingress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 27017, "ToPort": 27017,
         "IpRanges": [{"CidrIp": "1.2.3.4/32", "Description": "updated"}]}])
    assert answer["Return"] is True
    assert rule(ec2, first)["Description"] == "updated" and rule(ec2, second)["Description"] == "second"
    ec2.update_security_group_rule_descriptions_ingress(GroupId=gid, SecurityGroupRuleDescriptions=[
        {"SecurityGroupRuleId": second, "Description": "by id"}])
    assert rule(ec2, second)["Description"] == "by id"
    # No description sent: the description is removed.
    ec2.update_security_group_rule_descriptions_ingress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 27017, "ToPort": 27017, "IpRanges": [{"CidrIp": "1.2.3.4/32"}]}])
    assert "Description" not in rule(ec2, first)
    # Egress: the default allow-all rule, found by its properties.
    ec2.update_security_group_rule_descriptions_egress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "all out"}]}])
    egress = ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]["IpPermissionsEgress"]
    assert egress[0]["IpRanges"] == [{"CidrIp": "0.0.0.0/0", "Description": "all out"}]


def test_update_descriptions_by_name_in_the_default_vpc(ec2):
    ec2.create_security_group(GroupName="named", Description="default vpc group")
    gid = ec2.describe_security_groups(GroupNames=["named"])["SecurityGroups"][0]["GroupId"]
    rid = authorize_tcp(ec2, gid, 22, "10.0.0.0/8")
    ec2.update_security_group_rule_descriptions_ingress(GroupName="named", SecurityGroupRuleDescriptions=[
        {"SecurityGroupRuleId": rid, "Description": "by name"}])
    assert rule(ec2, rid)["Description"] == "by name"
    # A group of another VPC is not found by name (names resolve in the default VPC only).
    new_sg(ec2, create_vpc(ec2)["VpcId"], "elsewhere")
    with ec2_error("InvalidGroup.NotFound"):
        ec2.update_security_group_rule_descriptions_ingress(GroupName="elsewhere", SecurityGroupRuleDescriptions=[
            {"SecurityGroupRuleId": rid, "Description": "x"}])


def test_update_descriptions_errors(ec2, ec2_raw):
    gid = new_sg(ec2, create_vpc(ec2)["VpcId"])
    rid = authorize_tcp(ec2, gid, 22, "1.2.3.4/32", "ssh")
    with ec2_error("InvalidPermission.NotFound", "The specified rule does not exist in this security group."):
        ec2.update_security_group_rule_descriptions_ingress(GroupId=gid, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 23, "ToPort": 23,
             "IpRanges": [{"CidrIp": "1.2.3.4/32", "Description": "x"}]}])
    # An ingress rule is not an egress rule.
    with ec2_error("InvalidPermission.NotFound"):
        ec2.update_security_group_rule_descriptions_egress(GroupId=gid, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
             "IpRanges": [{"CidrIp": "1.2.3.4/32", "Description": "x"}]}])
    with ec2_error("InvalidSecurityGroupRuleId.NotFound",
                   f"The security group rule ID '{UNKNOWN_SGR}' does not exist"):
        ec2.update_security_group_rule_descriptions_ingress(GroupId=gid, SecurityGroupRuleDescriptions=[
            {"SecurityGroupRuleId": UNKNOWN_SGR, "Description": "x"}])
    with ec2_error("InvalidGroup.NotFound", f"The security group '{UNKNOWN_SG}' does not exist"):
        ec2.update_security_group_rule_descriptions_ingress(GroupId=UNKNOWN_SG, SecurityGroupRuleDescriptions=[
            {"SecurityGroupRuleId": rid, "Description": "x"}])
    with ec2_error("MissingParameter"):
        ec2_raw.update_security_group_rule_descriptions_ingress(GroupId=gid)
    # All or nothing: one miss leaves the matching rule's description as it was.
    with ec2_error("InvalidSecurityGroupRuleId.NotFound"):
        ec2.update_security_group_rule_descriptions_ingress(GroupId=gid, SecurityGroupRuleDescriptions=[
            {"SecurityGroupRuleId": rid, "Description": "changed"},
            {"SecurityGroupRuleId": UNKNOWN_SGR, "Description": "x"}])
    assert rule(ec2, rid)["Description"] == "ssh"


def test_update_descriptions_cli(ec2, aws):
    gid = new_sg(ec2, create_vpc(ec2)["VpcId"])
    rid = authorize_tcp(ec2, gid, 22, "1.2.3.4/32")
    out = aws("ec2", "update-security-group-rule-descriptions-ingress", "--group-id", gid,
              "--security-group-rule-descriptions", f"SecurityGroupRuleId={rid},Description=cli").ok()
    assert out["Return"] is True and rule(ec2, rid)["Description"] == "cli"
    out = aws("ec2", "update-security-group-rule-descriptions-egress", "--group-id", gid, "--ip-permissions",
              "IpProtocol=-1,IpRanges=[{CidrIp=0.0.0.0/0,Description=out}]").ok()
    assert out["Return"] is True
    cli_error(aws("ec2", "update-security-group-rule-descriptions-egress", "--group-id", gid, "--ip-permissions",
                  "IpProtocol=tcp,FromPort=1,ToPort=1,IpRanges=[{CidrIp=0.0.0.0/0,Description=out}]"),
              "InvalidPermission.NotFound", "The specified rule does not exist in this security group.")


# ---------------------------------------------------------------------------------------------------------------
# GetSecurityGroupsForVpc
# ---------------------------------------------------------------------------------------------------------------
def test_get_security_groups_for_vpc_filters_and_pages(ec2):
    vid, other_vid = create_vpc(ec2)["VpcId"], create_vpc(ec2, "10.1.0.0/16")["VpcId"]
    web = new_sg(ec2, vid, "web", TagSpecifications=tag_spec("security-group", tier="front"))
    db = new_sg(ec2, vid, "db")
    new_sg(ec2, other_vid, "web")
    found = ec2.get_security_groups_for_vpc(VpcId=vid)["SecurityGroupForVpcs"]
    assert sorted(g["GroupName"] for g in found) == ["db", "default", "web"]
    web_item = [g for g in found if g["GroupId"] == web][0]
    assert web_item["PrimaryVpcId"] == vid and web_item["Description"] == "web tier"
    assert web_item["OwnerId"] == ec2.describe_security_groups(GroupIds=[web])["SecurityGroups"][0]["OwnerId"]
    assert tags_of(web_item) == {"tier": "front"}
    by = lambda name, value: [g["GroupId"] for g in ec2.get_security_groups_for_vpc(  # noqa: E731
        VpcId=vid, Filters=[{"Name": name, "Values": [value]}])["SecurityGroupForVpcs"]]
    assert by("group-name", "db") == [db]
    assert by("group-id", web) == [web]
    assert by("description", "web tier") == [web]
    assert by("tag:tier", "front") == [web]
    assert sorted(by("primary-vpc-id", vid)) == sorted(g["GroupId"] for g in found)
    assert by("group-name", "nothing") == []
    pages = ec2.get_paginator("get_security_groups_for_vpc").paginate(VpcId=vid, PaginationConfig={"PageSize": 5})
    assert sorted(g["GroupId"] for p in pages for g in p["SecurityGroupForVpcs"]) == \
        sorted(g["GroupId"] for g in found)
    first = ec2.get_security_groups_for_vpc(VpcId=vid, MaxResults=5)
    assert len(first["SecurityGroupForVpcs"]) == 3 and "NextToken" not in first


def test_get_security_groups_for_vpc_errors(ec2, ec2_raw, aws):
    vid = create_vpc(ec2)["VpcId"]
    with ec2_error("InvalidVpcID.NotFound"):
        ec2.get_security_groups_for_vpc(VpcId=UNKNOWN_VPC)
    with ec2_error("InvalidParameterValue"):
        ec2.get_security_groups_for_vpc(VpcId=vid, Filters=[{"Name": "vpc-id", "Values": [vid]}])
    with ec2_error("InvalidParameterValue"):
        ec2_raw.get_security_groups_for_vpc(VpcId=vid, MaxResults=4)
    with ec2_error("DryRunOperation", status=412):
        ec2.get_security_groups_for_vpc(VpcId=vid, DryRun=True)
    out = aws("ec2", "get-security-groups-for-vpc", "--vpc-id", vid).ok()
    assert [g["GroupName"] for g in out["SecurityGroupForVpcs"]] == ["default"]
    cli_error(aws("ec2", "get-security-groups-for-vpc", "--vpc-id", UNKNOWN_VPC), "InvalidVpcID.NotFound")
