"""The web console's security group and network ACL pages, driven in Chromium by clicks: "Create security group",
"Edit inbound rules" (rows added, removed, saved as the difference: Authorize/Revoke), AWS's refusals shown with the
form as submitted (a group of a VPC that is not peered, a duplicate rule, deleting the default group), and the network
ACL editor (a deny rule numbered before 100, then removed) with "Create network ACL" and "Edit subnet associations".
Every expected refusal is first asked of the server through boto3, and the page must show the same code and text."""
import botocore.exceptions
import pytest

from helpers import create_subnet, create_vpc


def refusal_of(call, **kwargs) -> tuple[str, str]:
    """What the EC2 API answers an SDK for this call (which must be refused)."""
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call(**kwargs)
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def ingress_rules(ec2, group_id: str) -> list[dict]:
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])["SecurityGroupRules"]
    return [rule for rule in rules if not rule["IsEgress"]]


def test_create_security_group_and_add_inbound_rules_by_clicks(console, ec2):
    vpc = create_vpc(ec2, "10.30.0.0/16", Name="web-vpc")["VpcId"]
    console.open("/console/security-groups").link("Create security group")
    console.fill("group-name", "web").fill("description", "web servers").choose("vpc", vpc)
    console.click("submit-create-security-group")
    (group,) = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                     {"Name": "group-name", "Values": ["web"]}])["SecurityGroups"]
    sg = group["GroupId"]
    assert console.notice() == f"Security group ({sg} | web) was created successfully"
    assert group["Description"] == "web servers"
    assert console.rows() == []  # a new group has no inbound rule

    console.click("edit-inbound-rules").click("add-rule")
    console.choose("rule-0-type", "ssh").fill("rule-0-source", "0.0.0.0/0")
    assert console.el("rule-0-ports").get_attribute("value") == "22"
    assert console.el("rule-0-protocol").get_attribute("value") == "TCP"
    console.click("add-rule")
    assert console.el("rule-0-source").get_attribute("value") == "0.0.0.0/0"  # the round trip keeps the rows
    console.choose("rule-1-type", "all-icmp").fill("rule-1-source", "10.30.0.0/16")
    console.fill("rule-1-description", "ping from the VPC").click("save-rules")

    assert console.notice() == f"Inbound security group rules successfully modified on security group ({sg} | web)"
    rules = ingress_rules(ec2, sg)
    by_protocol = {rule["IpProtocol"]: rule for rule in rules}
    assert set(by_protocol) == {"tcp", "icmp"}
    ssh, icmp = by_protocol["tcp"], by_protocol["icmp"]
    assert (ssh["FromPort"], ssh["ToPort"], ssh["CidrIpv4"]) == (22, 22, "0.0.0.0/0")
    assert (icmp["FromPort"], icmp["ToPort"], icmp["CidrIpv4"]) == (-1, -1, "10.30.0.0/16")
    assert icmp["Description"] == "ping from the VPC"
    assert "tab=inbound" in console.path
    assert sorted(console.rows()) == sorted([
        [ssh["SecurityGroupRuleId"], "IPv4", "SSH", "TCP", "22", "0.0.0.0/0", "–"],
        [icmp["SecurityGroupRuleId"], "IPv4", "All ICMP - IPv4", "ICMP", "All", "10.30.0.0/16", "ping from the VPC"],
    ])
    assert all(row[0].startswith("sgr-") for row in console.rows())
    console.shot("sg-inbound-rules")
    # The list counts them.
    console.open("/console/security-groups")
    row = next(row for row in console.rows() if row[1] == sg)
    assert row[2:4] == ["web", vpc]
    assert row[6:] == ["2 Permission entries", "1 Permission entry"]


def test_a_group_of_a_vpc_that_is_not_peered_is_refused_then_accepted_once_peered(console, ec2):
    vpc_a = create_vpc(ec2, "10.31.0.0/16")["VpcId"]
    vpc_b = create_vpc(ec2, "10.32.0.0/16")["VpcId"]
    sg_a = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc_a)["GroupId"]
    sg_b = ec2.create_security_group(GroupName="peer-db", Description="db", VpcId=vpc_b)["GroupId"]
    ssh_from_b = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "UserIdGroupPairs": [{"GroupId": sg_b}]}]
    expected = refusal_of(ec2.authorize_security_group_ingress, GroupId=sg_a, IpPermissions=ssh_from_b)
    assert expected[0] == "InvalidGroup.NotFound"

    console.open(f"/console/security-groups/{sg_a}").click("edit-inbound-rules").click("add-rule")
    console.choose("rule-0-type", "ssh").fill("rule-0-source", sg_b).click("save-rules")
    assert console.error() == expected
    # The form as submitted, and nothing changed.
    assert console.el("rule-0-source").get_attribute("value") == sg_b
    assert console.el("rule-0-type").get_attribute("value") == "ssh"
    console.shot("sg-edit-inbound-refused")
    assert ingress_rules(ec2, sg_a) == []

    # Positive control: once the two VPCs are peered, AWS accepts the peer VPC's group — the same form, saved again.
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc_a, PeerVpcId=vpc_b)["VpcPeeringConnection"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx["VpcPeeringConnectionId"])
    console.click("save-rules")
    assert console.error() is None
    (rule,) = ingress_rules(ec2, sg_a)
    assert rule["ReferencedGroupInfo"]["GroupId"] == sg_b
    assert (rule["IpProtocol"], rule["FromPort"]) == ("tcp", 22)
    assert console.rows() == [[rule["SecurityGroupRuleId"], "–", "SSH", "TCP", "22", f"{sg_b} / peer-db", "–"]]


def test_duplicate_rule_is_refused_and_removing_and_adding_rules_sends_the_difference(console, ec2):
    vpc = create_vpc(ec2, "10.33.0.0/16")["VpcId"]
    sg = ec2.create_security_group(GroupName="dup", Description="dup", VpcId=vpc)["GroupId"]
    ssh = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=ssh)
    expected = refusal_of(ec2.authorize_security_group_ingress, GroupId=sg, IpPermissions=ssh)
    assert expected[0] == "InvalidPermission.Duplicate"
    (existing,) = ingress_rules(ec2, sg)

    console.open(f"/console/security-groups/{sg}/inbound-rules/edit")
    console.click("add-rule").choose("rule-1-type", "ssh").fill("rule-1-source", "0.0.0.0/0").click("save-rules")
    assert console.error() == expected
    assert len(console.css("select[data-rule-type]")) == 2
    assert [rule["SecurityGroupRuleId"] for rule in ingress_rules(ec2, sg)] == [existing["SecurityGroupRuleId"]]

    # Remove both SSH rows, add HTTP from a block: the existing rule is revoked by its ID and HTTP authorized.
    console.click("rule-1-delete").click("rule-0-delete").click("add-rule")
    console.choose("rule-0-type", "http").fill("rule-0-source", "192.0.2.0/24").click("save-rules")
    assert console.error() is None
    (rule,) = ingress_rules(ec2, sg)
    assert (rule["FromPort"], rule["ToPort"], rule["CidrIpv4"]) == (80, 80, "192.0.2.0/24")
    assert rule["SecurityGroupRuleId"] != existing["SecurityGroupRuleId"]
    # A custom port range round-trips through the editor unchanged (nothing is sent for an unchanged row).
    console.click("edit-inbound-rules").choose("rule-0-type", "custom-tcp").fill("rule-0-ports", "8000-8080")
    console.click("save-rules")
    (rule,) = ingress_rules(ec2, sg)
    assert (rule["FromPort"], rule["ToPort"]) == (8000, 8080)
    assert console.rows()[0][2:5] == ["Custom TCP", "TCP", "8000 - 8080"]
    console.click("edit-inbound-rules").click("save-rules")
    assert [r["SecurityGroupRuleId"] for r in ingress_rules(ec2, sg)] == [rule["SecurityGroupRuleId"]]


def test_delete_security_group_shows_awss_refusals(console, ec2):
    vpc = create_vpc(ec2, "10.34.0.0/16")["VpcId"]
    default = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                    {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]
    used = ec2.create_security_group(GroupName="used", Description="used", VpcId=vpc)["GroupId"]
    user = ec2.create_security_group(GroupName="user", Description="user", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=user, IpPermissions=[
        {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": used}]}])
    expected_default = refusal_of(ec2.delete_security_group, GroupId=default["GroupId"])
    expected_used = refusal_of(ec2.delete_security_group, GroupId=used)
    assert (expected_default[0], expected_used[0]) == ("CannotDelete", "DependencyViolation")

    console.open(f"/console/security-groups/{default['GroupId']}").click("delete-security-group")
    assert console.error() == expected_default
    console.open(f"/console/security-groups/{used}").click("delete-security-group")
    assert console.error() == expected_used
    # Positive control: without the referencing rule it goes.
    console.open(f"/console/security-groups/{user}/inbound-rules/edit").click("rule-0-delete").click("save-rules")
    console.open(f"/console/security-groups/{used}").click("delete-security-group")
    assert console.notice() == f"You successfully deleted {used}."
    assert used not in {g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]}


def acl_entries(ec2, acl_id: str, egress: bool = False) -> list[tuple]:
    (acl,) = ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"]
    return sorted((e["RuleNumber"], e["Protocol"], e["RuleAction"]) for e in acl["Entries"] if e["Egress"] == egress)


def test_network_acl_deny_rule_90_is_ordered_before_100_and_removed(console, ec2):
    vpc = create_vpc(ec2, "10.35.0.0/16")["VpcId"]
    (acl,) = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                {"Name": "default", "Values": ["true"]}])["NetworkAcls"]
    acl_id = acl["NetworkAclId"]
    console.open(f"/console/network-acls/{acl_id}")
    allow_all = ["100", "All traffic", "All", "All", "0.0.0.0/0", "Allow"]
    deny_all = ["*", "All traffic", "All", "All", "0.0.0.0/0", "Deny"]
    assert console.rows() == [allow_all, deny_all]

    console.click("edit-inbound-rules").click("add-entry")
    assert console.el("entry-1-number").get_attribute("value") == "200"
    console.fill("entry-1-number", "90").choose("entry-1-type", "all-icmp").choose("entry-1-action", "deny")
    console.click("save-entries")
    assert console.notice() == f"You have successfully updated the inbound rules of {acl_id}."
    assert console.rows() == [["90", "All ICMP - IPv4", "ICMP", "All", "0.0.0.0/0", "Deny"], allow_all, deny_all]
    assert acl_entries(ec2, acl_id) == [(90, "1", "deny"), (100, "-1", "allow"), (32767, "-1", "deny")]
    console.shot("nacl-inbound-rules")

    console.click("edit-inbound-rules").click("entry-0-remove").click("save-entries")
    assert console.rows() == [allow_all, deny_all]
    assert acl_entries(ec2, acl_id) == [(100, "-1", "allow"), (32767, "-1", "deny")]
    # Outbound untouched throughout.
    assert acl_entries(ec2, acl_id, egress=True) == [(100, "-1", "allow"), (32767, "-1", "deny")]


def test_network_acl_rule_refusal_keeps_the_form(console, ec2):
    vpc = create_vpc(ec2, "10.36.0.0/16")["VpcId"]
    (acl,) = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"]
    expected = refusal_of(ec2.create_network_acl_entry, NetworkAclId=acl["NetworkAclId"], RuleNumber=40000,
                          Protocol="6", RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0",
                          PortRange={"From": 22, "To": 22})
    console.open(f"/console/network-acls/{acl['NetworkAclId']}/inbound-rules/edit").click("add-entry")
    console.fill("entry-1-number", "40000").choose("entry-1-type", "ssh").click("save-entries")
    assert console.error() == expected
    assert console.el("entry-1-number").get_attribute("value") == "40000"
    assert acl_entries(ec2, acl["NetworkAclId"]) == [(100, "-1", "allow"), (32767, "-1", "deny")]


def test_create_network_acl_associate_a_subnet_and_delete(console, ec2):
    vpc = create_vpc(ec2, "10.37.0.0/16")["VpcId"]
    subnet = create_subnet(ec2, vpc, "10.37.1.0/24", Name="app-1")["SubnetId"]
    console.open("/console/network-acls").link("Create network ACL")
    console.fill("name", "locked").choose("vpc", vpc).click("submit-create-network-acl")
    (acl,) = ec2.describe_network_acls(Filters=[{"Name": "tag:Name", "Values": ["locked"]}])["NetworkAcls"]
    acl_id = acl["NetworkAclId"]
    assert console.notice() == f"You successfully created {acl_id} / locked."
    assert (acl["VpcId"], acl["IsDefault"]) == (vpc, False)
    assert console.rows() == [["*", "All traffic", "All", "All", "0.0.0.0/0", "Deny"]]

    console.open(f"/console/network-acls/{acl_id}?tab=subnet-associations").click("edit-subnet-associations")
    console.click(f"subnet-{subnet}").click("save-associations")
    assert console.notice() == f"You have successfully updated subnet associations for {acl_id}."
    assert [row[1] for row in console.rows()] == [subnet]
    holder = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"]
    assert [a["NetworkAclId"] for a in holder] == [acl_id]

    expected = refusal_of(ec2.delete_network_acl, NetworkAclId=acl_id)
    console.click("delete-network-acl")
    assert console.error() == expected
    # Unticked, the subnet goes back to the VPC's default ACL, and the ACL can go.
    console.open(f"/console/network-acls/{acl_id}/subnet-associations/edit").click(f"subnet-{subnet}")
    console.click("save-associations")
    holder = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"]
    assert [a["IsDefault"] for a in holder] == [True]
    console.click("delete-network-acl")
    assert console.notice() == f"You successfully deleted {acl_id}."
    assert not ec2.describe_network_acls(Filters=[{"Name": "network-acl-id", "Values": [acl_id]}])["NetworkAcls"]
