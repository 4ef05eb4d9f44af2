"""§2.8 Network ACLs: custom ACLs, entries, subnet associations, filters."""
from types import SimpleNamespace

import pytest

from helpers import (DEFAULT_ACCOUNT, UNKNOWN, assert_id, cli_error, create_subnet, create_vpc, ec2_error, ids,
                     tag_spec, tags_of)

UNKNOWN_ACL = "acl-0123456789abcdef0"
UNKNOWN_ACLASSOC = "aclassoc-0123456789abcdef0"
DRY_MSG = "Request would have succeeded, but DryRun flag is set."

FINAL_DENY = [
    {"RuleNumber": 32767, "Protocol": "-1", "RuleAction": "deny", "Egress": True, "CidrBlock": "0.0.0.0/0"},
    {"RuleNumber": 32767, "Protocol": "-1", "RuleAction": "deny", "Egress": False, "CidrBlock": "0.0.0.0/0"},
]


def acl_not_found(acl):
    return f"The networkAcl ID '{acl}' does not exist"


def acl_dependency(acl):
    return f"The network ACL '{acl}' has dependencies and cannot be deleted."


def network_acl(ec2, acl_id: str) -> dict:
    (acl,) = ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"]
    return acl


def default_acl(ec2, vpc_id: str) -> dict:
    (acl,) = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                {"Name": "default", "Values": ["true"]}])["NetworkAcls"]
    return acl


def association_of(ec2, subnet_id: str) -> dict:
    """The subnet's current ACL association, found as the tutorials do (filter association.subnet-id)."""
    (acl,) = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id",
                                                 "Values": [subnet_id]}])["NetworkAcls"]
    (assoc,) = [a for a in acl["Associations"] if a["SubnetId"] == subnet_id]
    return assoc


def entry(acl: dict, rule_number: int, egress: bool) -> dict | None:
    for e in acl["Entries"]:
        if e["RuleNumber"] == rule_number and e["Egress"] == egress:
            return e
    return None


def add_entry(ec2, acl_id, rule_number, egress=False, protocol="6", action="allow", cidr="10.1.0.0/16",
              ports=(22, 22), icmp=None, **extra):
    kw = dict(NetworkAclId=acl_id, RuleNumber=rule_number, Protocol=protocol, RuleAction=action, Egress=egress,
              CidrBlock=cidr, **extra)
    if ports is not None:
        kw["PortRange"] = {"From": ports[0], "To": ports[1]}
    if icmp is not None:
        kw["IcmpTypeCode"] = {"Type": icmp[0], "Code": icmp[1]}
    return ec2.create_network_acl_entry(**kw)


@pytest.fixture
def net(ec2):
    """VPC 10.0.0.0/16 with two subnets (on the default ACL) and one custom ACL."""
    vpc = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    s1 = create_subnet(ec2, vpc, "10.0.1.0/24", az="us-east-1a")["SubnetId"]
    s2 = create_subnet(ec2, vpc, "10.0.2.0/24", az="us-east-1b")["SubnetId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    default = default_acl(ec2, vpc)["NetworkAclId"]
    return SimpleNamespace(vpc=vpc, s1=s1, s2=s2, acl=acl, default=default)


# ------------------------------------------------------------------------------------------------
# CreateNetworkAcl / DescribeNetworkAcls / DeleteNetworkAcl
# ------------------------------------------------------------------------------------------------
def test_create_network_acl(ec2):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    acl = ec2.create_network_acl(VpcId=vid, TagSpecifications=tag_spec("network-acl", Name="web"))["NetworkAcl"]
    assert_id(acl["NetworkAclId"], "acl")
    assert acl["VpcId"] == vid
    assert acl["OwnerId"] == DEFAULT_ACCOUNT
    assert acl["IsDefault"] is False
    assert acl["Entries"] == FINAL_DENY
    assert acl.get("Associations", []) == []
    assert tags_of(acl) == {"Name": "web"}
    d = network_acl(ec2, acl["NetworkAclId"])
    assert d["Entries"] == FINAL_DENY
    assert d["IsDefault"] is False
    assert d["Associations"] == []
    assert tags_of(d) == {"Name": "web"}
    in_vpc = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vid]}])["NetworkAcls"]
    assert len(in_vpc) == 2


def test_create_network_acl_echoes_client_token(ec2):
    vid = create_vpc(ec2)["VpcId"]
    r = ec2.create_network_acl(VpcId=vid, ClientToken="token-1")
    assert r["ClientToken"] == "token-1"


def test_create_network_acl_unknown_vpc(ec2):
    vid = UNKNOWN["vpc"]
    with ec2_error("InvalidVpcID.NotFound", f"The vpc ID '{vid}' does not exist"):
        ec2.create_network_acl(VpcId=vid)


def test_create_network_acl_wrong_tag_type(ec2):
    vid = create_vpc(ec2)["VpcId"]
    with ec2_error("InvalidParameterValue"):
        ec2.create_network_acl(VpcId=vid, TagSpecifications=tag_spec("vpc", Name="x"))
    assert len(ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vid]}])["NetworkAcls"]) == 1


def test_create_network_acl_dry_run(ec2):
    vid = create_vpc(ec2)["VpcId"]
    with ec2_error("DryRunOperation", DRY_MSG, status=412):
        ec2.create_network_acl(VpcId=vid, DryRun=True)
    assert len(ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vid]}])["NetworkAcls"]) == 1


def test_describe_network_acls_unknown(ec2):
    with ec2_error("InvalidNetworkAclID.NotFound", acl_not_found(UNKNOWN_ACL)):
        ec2.describe_network_acls(NetworkAclIds=[UNKNOWN_ACL])


def test_delete_network_acl(ec2, net):
    r = ec2.delete_network_acl(NetworkAclId=net.acl)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    with ec2_error("InvalidNetworkAclID.NotFound", acl_not_found(net.acl)):
        ec2.describe_network_acls(NetworkAclIds=[net.acl])
    assert ids(ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [net.vpc]}])["NetworkAcls"],
               "NetworkAclId") == {net.default}


def test_delete_network_acl_unknown(ec2):
    with ec2_error("InvalidNetworkAclID.NotFound", acl_not_found(UNKNOWN_ACL)):
        ec2.delete_network_acl(NetworkAclId=UNKNOWN_ACL)


def test_delete_network_acl_malformed(ec2):
    with ec2_error("InvalidNetworkAclId.Malformed"):
        ec2.delete_network_acl(NetworkAclId="acl-123")


def test_delete_default_network_acl(ec2, net):
    with ec2_error("InvalidParameterValue", f"cannot delete default network ACL {net.default}"):
        ec2.delete_network_acl(NetworkAclId=net.default)
    assert network_acl(ec2, net.default)["IsDefault"] is True


def test_delete_associated_network_acl(ec2, net):
    ec2.replace_network_acl_association(AssociationId=association_of(ec2, net.s1)["NetworkAclAssociationId"],
                                        NetworkAclId=net.acl)
    with ec2_error("DependencyViolation", acl_dependency(net.acl)):
        ec2.delete_network_acl(NetworkAclId=net.acl)
    assert network_acl(ec2, net.acl)["NetworkAclId"] == net.acl


# ------------------------------------------------------------------------------------------------
# CreateNetworkAclEntry / ReplaceNetworkAclEntry / DeleteNetworkAclEntry
# ------------------------------------------------------------------------------------------------
def test_create_entries_of_every_kind(ec2, net):
    r = add_entry(ec2, net.acl, 200, protocol="6", ports=(22, 22), cidr="203.0.113.0/24")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    add_entry(ec2, net.acl, 100, protocol="17", ports=(53, 53), action="deny")
    add_entry(ec2, net.acl, 150, protocol="1", ports=None, icmp=(-1, -1), egress=True)
    add_entry(ec2, net.acl, 50, protocol="-1", ports=None, egress=True, cidr="0.0.0.0/0")
    acl = network_acl(ec2, net.acl)
    # AWS lists egress entries first, each direction by ascending rule number.
    assert [(e["Egress"], e["RuleNumber"]) for e in acl["Entries"]] == \
           [(True, 50), (True, 150), (True, 32767), (False, 100), (False, 200), (False, 32767)]
    assert entry(acl, 200, False) == {"RuleNumber": 200, "Protocol": "6", "RuleAction": "allow", "Egress": False,
                                      "CidrBlock": "203.0.113.0/24", "PortRange": {"From": 22, "To": 22}}
    assert entry(acl, 100, False)["Protocol"] == "17"
    assert entry(acl, 100, False)["RuleAction"] == "deny"
    assert entry(acl, 150, True) == {"RuleNumber": 150, "Protocol": "1", "RuleAction": "allow", "Egress": True,
                                     "CidrBlock": "10.1.0.0/16", "IcmpTypeCode": {"Type": -1, "Code": -1}}
    assert entry(acl, 50, True) == {"RuleNumber": 50, "Protocol": "-1", "RuleAction": "allow", "Egress": True,
                                    "CidrBlock": "0.0.0.0/0"}


def test_all_protocols_entry_ignores_ports(ec2, net):
    add_entry(ec2, net.acl, 100, protocol="-1", ports=(1, 2))
    e = entry(network_acl(ec2, net.acl), 100, False)
    assert "PortRange" not in e
    assert e["Protocol"] == "-1"


def test_entries_on_the_default_acl(ec2, net):
    add_entry(ec2, net.default, 90, action="deny", cidr="198.51.100.0/24")
    acl = network_acl(ec2, net.default)
    assert [(e["Egress"], e["RuleNumber"]) for e in acl["Entries"]] == \
           [(True, 100), (True, 32767), (False, 90), (False, 100), (False, 32767)]
    ec2.delete_network_acl_entry(NetworkAclId=net.default, RuleNumber=100, Egress=True)
    assert entry(network_acl(ec2, net.default), 100, True) is None


def test_create_entry_duplicate(ec2, net):
    add_entry(ec2, net.acl, 100, egress=False)
    add_entry(ec2, net.acl, 100, egress=True)  # the other direction is a separate rule
    with ec2_error("NetworkAclEntryAlreadyExists", "The network acl entry identified by 100 already exists."):
        add_entry(ec2, net.acl, 100, egress=False, ports=(80, 80))
    assert entry(network_acl(ec2, net.acl), 100, False)["PortRange"] == {"From": 22, "To": 22}


@pytest.mark.parametrize("rule_number", [0, -1, 32767, 32768, 40000])
def test_create_entry_rule_number_out_of_range(ec2_raw, net, rule_number):
    with ec2_error("InvalidParameterValue",
                   f"Value ({rule_number}) for parameter ruleNumber is invalid. Rulenumber must be in range 1..32766"):
        add_entry(ec2_raw, net.acl, rule_number)
    assert network_acl(ec2_raw, net.acl)["Entries"] == FINAL_DENY


@pytest.mark.parametrize("protocol", ["tcp", "udp", "icmp", "all", "256", "-2"])
def test_create_entry_protocol_must_be_a_number(ec2, net, protocol):
    with ec2_error("InvalidParameterValue", f"Invalid value '{protocol}' for IP protocol. Unknown protocol."):
        add_entry(ec2, net.acl, 100, protocol=protocol)


def test_create_entry_tcp_needs_port_range(ec2, net):
    with ec2_error("MissingParameter", prefix="The request must contain the parameter portRange"):
        add_entry(ec2, net.acl, 100, protocol="6", ports=None)
    with ec2_error("MissingParameter", prefix="The request must contain the parameter portRange"):
        add_entry(ec2, net.acl, 100, protocol="17", ports=None)
    assert network_acl(ec2, net.acl)["Entries"] == FINAL_DENY


def test_create_entry_bad_port_range(ec2, net):
    with ec2_error("InvalidParameterValue"):
        add_entry(ec2, net.acl, 100, ports=(0, 70000))
    with ec2_error("InvalidParameterValue"):
        add_entry(ec2, net.acl, 100, ports=(443, 80))


def test_create_entry_icmp_needs_type_and_code(ec2, net):
    with ec2_error("MissingParameter", "The request must contain the parameter icmpTypeCode.type"):
        add_entry(ec2, net.acl, 100, protocol="1", ports=None)
    with ec2_error("InvalidParameterValue"):
        add_entry(ec2, net.acl, 100, protocol="1", ports=None, icmp=(8, 300))


def test_create_entry_bad_rule_action(ec2_raw, net):
    with ec2_error("InvalidParameterValue", "Value (permit) for parameter ruleAction is invalid."):
        add_entry(ec2_raw, net.acl, 100, action="permit")


def test_rule_action_in_any_case_is_stored_in_lower_case(ec2_raw, net):
    """AWS accepts ALLOW / Deny and answers allow / deny (hashicorp/terraform-provider-aws#1000)."""
    add_entry(ec2_raw, net.acl, 100, action="ALLOW")
    add_entry(ec2_raw, net.acl, 110, action="Deny", egress=True)
    acl = network_acl(ec2_raw, net.acl)
    assert entry(acl, 100, False)["RuleAction"] == "allow"
    assert entry(acl, 110, True)["RuleAction"] == "deny"
    ec2_raw.replace_network_acl_entry(NetworkAclId=net.acl, RuleNumber=100, Protocol="-1", RuleAction="DENY",
                                      Egress=False, CidrBlock="0.0.0.0/0")
    assert entry(network_acl(ec2_raw, net.acl), 100, False)["RuleAction"] == "deny"
    found = ec2_raw.describe_network_acls(Filters=[{"Name": "entry.rule-action", "Values": ["deny"]},
                                                   {"Name": "network-acl-id", "Values": [net.acl]}])["NetworkAcls"]
    assert [a["NetworkAclId"] for a in found] == [net.acl]


def test_create_entry_bad_cidr(ec2, net):
    with ec2_error("InvalidParameterValue"):
        add_entry(ec2, net.acl, 100, cidr="10.0.0.300/24")


def test_create_entry_takes_exactly_one_block(ec2, net):
    # Part 2 §16.3: an entry matches one family, IPv4 (CidrBlock) or IPv6 (Ipv6CidrBlock), never both.
    with ec2_error("InvalidParameterValue", "Exactly one of cidrBlock and ipv6CidrBlock may be specified."):
        ec2.create_network_acl_entry(NetworkAclId=net.acl, RuleNumber=100, Protocol="-1", RuleAction="allow",
                                     Egress=False, CidrBlock="0.0.0.0/0", Ipv6CidrBlock="::/0")
    ec2.create_network_acl_entry(NetworkAclId=net.acl, RuleNumber=100, Protocol="-1", RuleAction="allow",
                                 Egress=False, Ipv6CidrBlock="::/0")
    (acl,) = ec2.describe_network_acls(NetworkAclIds=[net.acl])["NetworkAcls"]
    added = [e for e in acl["Entries"] if e["RuleNumber"] == 100]
    assert added == [{"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "Egress": False,
                      "Ipv6CidrBlock": "::/0"}]


def test_create_entry_unknown_and_malformed_acl(ec2):
    with ec2_error("InvalidNetworkAclID.NotFound", acl_not_found(UNKNOWN_ACL)):
        add_entry(ec2, UNKNOWN_ACL, 100)
    with ec2_error("InvalidNetworkAclId.Malformed"):
        add_entry(ec2, "acl-xyz", 100)


def test_replace_entry(ec2, net):
    add_entry(ec2, net.acl, 120, ports=(22, 22))
    r = ec2.replace_network_acl_entry(NetworkAclId=net.acl, RuleNumber=120, Protocol="17", RuleAction="deny",
                                      Egress=False, CidrBlock="192.0.2.0/24", PortRange={"From": 53, "To": 53})
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    acl = network_acl(ec2, net.acl)
    assert entry(acl, 120, False) == {"RuleNumber": 120, "Protocol": "17", "RuleAction": "deny", "Egress": False,
                                      "CidrBlock": "192.0.2.0/24", "PortRange": {"From": 53, "To": 53}}
    assert len(acl["Entries"]) == 3


def test_replace_entry_missing(ec2, net):
    add_entry(ec2, net.acl, 120, egress=True)
    with ec2_error("InvalidNetworkAclEntry.NotFound", "no ingress entry with number 120"):
        ec2.replace_network_acl_entry(NetworkAclId=net.acl, RuleNumber=120, Protocol="-1", RuleAction="deny",
                                      Egress=False, CidrBlock="0.0.0.0/0")


def test_replace_entry_validates_like_create(ec2, net):
    add_entry(ec2, net.acl, 120)
    with ec2_error("MissingParameter", "The request must contain the parameter icmpTypeCode.type"):
        ec2.replace_network_acl_entry(NetworkAclId=net.acl, RuleNumber=120, Protocol="1", RuleAction="deny",
                                      Egress=False, CidrBlock="0.0.0.0/0")
    assert entry(network_acl(ec2, net.acl), 120, False)["Protocol"] == "6"


def test_delete_entry(ec2, net):
    add_entry(ec2, net.acl, 120, egress=True)
    add_entry(ec2, net.acl, 120, egress=False)
    r = ec2.delete_network_acl_entry(NetworkAclId=net.acl, RuleNumber=120, Egress=True)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    acl = network_acl(ec2, net.acl)
    assert entry(acl, 120, True) is None
    assert entry(acl, 120, False) is not None


def test_delete_entry_missing(ec2, net):
    with ec2_error("InvalidNetworkAclEntry.NotFound", "no egress entry with number 120"):
        ec2.delete_network_acl_entry(NetworkAclId=net.acl, RuleNumber=120, Egress=True)


def test_delete_final_entry_refused(ec2_raw, net):
    with ec2_error("InvalidParameterValue"):
        ec2_raw.delete_network_acl_entry(NetworkAclId=net.acl, RuleNumber=32767, Egress=False)
    assert network_acl(ec2_raw, net.acl)["Entries"] == FINAL_DENY


def test_delete_entry_unknown_acl(ec2):
    with ec2_error("InvalidNetworkAclID.NotFound", acl_not_found(UNKNOWN_ACL)):
        ec2.delete_network_acl_entry(NetworkAclId=UNKNOWN_ACL, RuleNumber=100, Egress=True)


# ------------------------------------------------------------------------------------------------
# ReplaceNetworkAclAssociation, and how subnets and VPCs carry associations
# ------------------------------------------------------------------------------------------------
def test_replace_network_acl_association(ec2, net):
    old = association_of(ec2, net.s1)
    assert old["NetworkAclId"] == net.default
    r = ec2.replace_network_acl_association(AssociationId=old["NetworkAclAssociationId"], NetworkAclId=net.acl)
    new_id = r["NewAssociationId"]
    assert_id(new_id, "aclassoc")
    assert new_id != old["NetworkAclAssociationId"]
    now = association_of(ec2, net.s1)
    assert now == {"NetworkAclAssociationId": new_id, "NetworkAclId": net.acl, "SubnetId": net.s1}
    assert [a["SubnetId"] for a in network_acl(ec2, net.default)["Associations"]] == [net.s2]
    # The old ID is gone.
    with ec2_error("InvalidAssociationID.NotFound",
                   f"The association ID '{old['NetworkAclAssociationId']}' does not exist"):
        ec2.replace_network_acl_association(AssociationId=old["NetworkAclAssociationId"], NetworkAclId=net.acl)
    # Moving back to the default ACL is how an association is undone; then the custom ACL can go.
    ec2.replace_network_acl_association(AssociationId=new_id, NetworkAclId=net.default)
    assert association_of(ec2, net.s1)["NetworkAclId"] == net.default
    ec2.delete_network_acl(NetworkAclId=net.acl)


def test_replace_network_acl_association_unknown(ec2, net):
    with ec2_error("InvalidAssociationID.NotFound", f"The association ID '{UNKNOWN_ACLASSOC}' does not exist"):
        ec2.replace_network_acl_association(AssociationId=UNKNOWN_ACLASSOC, NetworkAclId=net.acl)
    with ec2_error("InvalidAssociationID.Malformed"):
        ec2.replace_network_acl_association(AssociationId="aclassoc-1", NetworkAclId=net.acl)
    assoc = association_of(ec2, net.s1)["NetworkAclAssociationId"]
    with ec2_error("InvalidNetworkAclID.NotFound", acl_not_found(UNKNOWN_ACL)):
        ec2.replace_network_acl_association(AssociationId=assoc, NetworkAclId=UNKNOWN_ACL)
    assert association_of(ec2, net.s1)["NetworkAclAssociationId"] == assoc


def test_replace_network_acl_association_other_vpc(ec2, net):
    other = create_vpc(ec2, "10.9.0.0/16")["VpcId"]
    other_acl = ec2.create_network_acl(VpcId=other)["NetworkAcl"]["NetworkAclId"]
    assoc = association_of(ec2, net.s1)["NetworkAclAssociationId"]
    with ec2_error("InvalidParameterValue"):
        ec2.replace_network_acl_association(AssociationId=assoc, NetworkAclId=other_acl)
    assert association_of(ec2, net.s1)["NetworkAclId"] == net.default


def test_delete_subnet_drops_its_association(ec2, net):
    ec2.replace_network_acl_association(AssociationId=association_of(ec2, net.s1)["NetworkAclAssociationId"],
                                        NetworkAclId=net.acl)
    ec2.delete_subnet(SubnetId=net.s1)
    assert network_acl(ec2, net.acl)["Associations"] == []
    assert [a["SubnetId"] for a in network_acl(ec2, net.default)["Associations"]] == [net.s2]
    ec2.delete_network_acl(NetworkAclId=net.acl)


def test_custom_acl_blocks_delete_vpc(ec2, net):
    ec2.delete_subnet(SubnetId=net.s1)
    ec2.delete_subnet(SubnetId=net.s2)
    with ec2_error("DependencyViolation", f"The vpc '{net.vpc}' has dependencies and cannot be deleted."):
        ec2.delete_vpc(VpcId=net.vpc)
    ec2.delete_network_acl(NetworkAclId=net.acl)
    ec2.delete_vpc(VpcId=net.vpc)
    with ec2_error("InvalidNetworkAclID.NotFound", acl_not_found(net.default)):
        ec2.describe_network_acls(NetworkAclIds=[net.default])


# ------------------------------------------------------------------------------------------------
# Filters and tags
# ------------------------------------------------------------------------------------------------
def acl_ids(ec2, *filters) -> set:
    return ids(ec2.describe_network_acls(Filters=[{"Name": n, "Values": v} for n, v in filters])["NetworkAcls"],
               "NetworkAclId")


def test_filters(ec2, net):
    ec2.replace_network_acl_association(AssociationId=association_of(ec2, net.s2)["NetworkAclAssociationId"],
                                        NetworkAclId=net.acl)
    add_entry(ec2, net.acl, 110)
    other_vpc = create_vpc(ec2, "10.9.0.0/16")["VpcId"]
    other_default = default_acl(ec2, other_vpc)["NetworkAclId"]

    assert acl_ids(ec2, ("association.subnet-id", [net.s1])) == {net.default}
    assert acl_ids(ec2, ("association.subnet-id", [net.s2])) == {net.acl}
    assert acl_ids(ec2, ("association.subnet-id", [net.s1, net.s2])) == {net.default, net.acl}
    assert acl_ids(ec2, ("vpc-id", [net.vpc])) == {net.default, net.acl}
    assert acl_ids(ec2, ("vpc-id", [net.vpc]), ("default", ["true"])) == {net.default}
    assert acl_ids(ec2, ("vpc-id", [net.vpc]), ("default", ["false"])) == {net.acl}
    assert acl_ids(ec2, ("vpc-id", [net.vpc, other_vpc]), ("default", ["true"])) == {net.default, other_default}
    assert acl_ids(ec2, ("entry.rule-number", ["110"])) == {net.acl}
    assert net.default in acl_ids(ec2, ("entry.rule-number", ["100"]))
    assert net.acl not in acl_ids(ec2, ("entry.rule-number", ["100"]))
    assert acl_ids(ec2, ("vpc-id", [net.vpc]), ("entry.rule-number", ["32767"])) == {net.default, net.acl}
    assert acl_ids(ec2, ("entry.rule-number", ["4242"])) == set()
    assert acl_ids(ec2, ("network-acl-id", [net.acl])) == {net.acl}


def test_tags_on_custom_acl(ec2, net):
    ec2.create_tags(Resources=[net.acl], Tags=[{"Key": "tier", "Value": "db"}])
    assert tags_of(network_acl(ec2, net.acl)) == {"tier": "db"}
    assert acl_ids(ec2, ("tag:tier", ["db"])) == {net.acl}


# ------------------------------------------------------------------------------------------------
# The aws CLI
# ------------------------------------------------------------------------------------------------
def test_cli_happy_path(aws, ec2):
    vid = create_vpc(ec2, "10.4.0.0/16")["VpcId"]
    sid = create_subnet(ec2, vid, "10.4.1.0/24")["SubnetId"]
    acl = aws("ec2", "create-network-acl", "--vpc-id", vid).ok()["NetworkAcl"]
    acl_id = acl["NetworkAclId"]
    assert_id(acl_id, "acl")
    assert acl["IsDefault"] is False
    assert acl["Entries"] == FINAL_DENY

    # --protocol icmp is sent as Protocol=1 by the CLI.
    res = aws("ec2", "create-network-acl-entry", "--network-acl-id", acl_id, "--ingress", "--rule-number", "100",
              "--protocol", "icmp", "--icmp-type-code", "Type=-1,Code=-1", "--cidr-block", "10.0.0.0/8",
              "--rule-action", "allow")
    assert res.rc == 0, res.stderr
    assert aws("ec2", "create-network-acl-entry", "--network-acl-id", acl_id, "--egress", "--rule-number", "200",
               "--protocol", "tcp", "--port-range", "From=1024,To=65535", "--cidr-block", "0.0.0.0/0",
               "--rule-action", "allow").rc == 0
    assert aws("ec2", "replace-network-acl-entry", "--network-acl-id", acl_id, "--egress", "--rule-number", "200",
               "--protocol", "udp", "--port-range", "From=53,To=53", "--cidr-block", "0.0.0.0/0",
               "--rule-action", "deny").rc == 0
    got = aws("ec2", "describe-network-acls", "--network-acl-ids", acl_id).ok()["NetworkAcls"][0]
    assert entry(got, 100, False) == {"RuleNumber": 100, "Protocol": "1", "RuleAction": "allow", "Egress": False,
                                      "CidrBlock": "10.0.0.0/8", "IcmpTypeCode": {"Type": -1, "Code": -1}}
    assert entry(got, 200, True) == {"RuleNumber": 200, "Protocol": "17", "RuleAction": "deny", "Egress": True,
                                     "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 53, "To": 53}}

    found = aws("ec2", "describe-network-acls", "--filters", f"Name=association.subnet-id,Values={sid}").ok()
    (current,) = [a for a in found["NetworkAcls"][0]["Associations"] if a["SubnetId"] == sid]
    res = aws("ec2", "replace-network-acl-association", "--association-id", current["NetworkAclAssociationId"],
              "--network-acl-id", acl_id).ok()
    assert_id(res["NewAssociationId"], "aclassoc")
    found = aws("ec2", "describe-network-acls", "--filters", f"Name=association.subnet-id,Values={sid}").ok()
    assert [a["NetworkAclId"] for a in found["NetworkAcls"]] == [acl_id]
    assert found["NetworkAcls"][0]["Associations"] == [
        {"NetworkAclAssociationId": res["NewAssociationId"], "NetworkAclId": acl_id, "SubnetId": sid}]

    assert aws("ec2", "delete-network-acl-entry", "--network-acl-id", acl_id, "--ingress",
               "--rule-number", "100").rc == 0
    assert aws("ec2", "delete-subnet", "--subnet-id", sid).rc == 0
    assert aws("ec2", "delete-network-acl", "--network-acl-id", acl_id).rc == 0
    cli_error(aws("ec2", "describe-network-acls", "--network-acl-ids", acl_id), "InvalidNetworkAclID.NotFound",
              acl_not_found(acl_id))


def test_cli_errors(aws, ec2, net):
    cli_error(aws("ec2", "delete-network-acl", "--network-acl-id", net.default), "InvalidParameterValue",
              f"cannot delete default network ACL {net.default}")
    args = ["ec2", "create-network-acl-entry", "--network-acl-id", net.acl, "--ingress", "--rule-number", "100",
            "--protocol", "all", "--cidr-block", "0.0.0.0/0", "--rule-action", "allow"]
    assert aws(*args).rc == 0
    cli_error(aws(*args), "NetworkAclEntryAlreadyExists", "The network acl entry identified by 100 already exists.")
    cli_error(aws("ec2", "delete-network-acl-entry", "--network-acl-id", net.acl, "--egress", "--rule-number", "100"),
              "InvalidNetworkAclEntry.NotFound", "no egress entry with number 100")
    cli_error(aws("ec2", "replace-network-acl-association", "--association-id", UNKNOWN_ACLASSOC,
                  "--network-acl-id", net.acl), "InvalidAssociationID.NotFound")
