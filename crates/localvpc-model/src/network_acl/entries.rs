//! Network ACL entries (spec §2.8): CreateNetworkAclEntry, ReplaceNetworkAclEntry and DeleteNetworkAclEntry — the
//! request as sent, its checks (rule number, protocol, action, ports, ICMP type and code), and where an entry goes
//! in its ACL's ordered list.

use super::ipv6::{insert_ipv6_entry, AclIpv6Entry};
use super::{find, AclEntry, NetworkAcl, FINAL_RULE_NUMBER};
use crate::world::{Scope, Tx};
use crate::{cidr, ipv6};
use crate::{Ec2Error, Result};

/// A CreateNetworkAclEntry or ReplaceNetworkAclEntry request, as sent (numbers not yet range-checked).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryRequest {
    /// `NetworkAclId`.
    pub network_acl_id: String,
    /// `RuleNumber`.
    pub rule_number: i64,
    /// `Protocol`: a protocol number as text, `-1` for all.
    pub protocol: String,
    /// `RuleAction`: `allow` or `deny`.
    pub rule_action: String,
    /// `Egress`.
    pub egress: bool,
    /// `CidrBlock`.
    pub cidr_block: Option<String>,
    /// `Ipv6CidrBlock` (part 2 §16.3): exactly one of it and `CidrBlock`.
    pub ipv6_cidr_block: Option<String>,
    /// `PortRange.From`.
    pub port_from: Option<i64>,
    /// `PortRange.To`.
    pub port_to: Option<i64>,
    /// `Icmp.Type`.
    pub icmp_type: Option<i64>,
    /// `Icmp.Code`.
    pub icmp_code: Option<i64>,
}

/// Protocol numbers whose entries carry a port range (TCP, UDP) or an ICMP type and code.
const TCP: &str = "6";
const UDP: &str = "17";
const ICMP: &str = "1";
/// ICMPv6 (part 2 §16.2 [D]: protocol 58), which carries a type and code like ICMP.
const ICMPV6: &str = "58";

/// Spec §2.8 [O]: user rules are numbered 1..=32766; 32767 is the final `*` rule, which cannot be changed.
fn check_rule_number(rule_number: i64) -> Result<u16> {
    match u16::try_from(rule_number) {
        Ok(number) if (1..FINAL_RULE_NUMBER).contains(&number) => Ok(number),
        _ => Err(Ec2Error::InvalidParameterValue(format!(
            "Value ({rule_number}) for parameter ruleNumber is invalid. Rulenumber must be in range 1..32766"
        ))),
    }
}

/// Spec §1.1, §2.8: the API takes protocol *numbers* (`-1` = all, 0..=255); names such as `tcp` are refused by
/// AWS with this message [O: aws/aws-cli#508, boto/boto3#1716], which is why the aws CLI translates them.
fn parse_protocol(protocol: &str) -> Result<String> {
    match protocol.trim().parse::<i64>() {
        Ok(number) if number == -1 || (0..=255).contains(&number) => Ok(number.to_string()),
        _ => Err(Ec2Error::InvalidParameterValue(format!(
            "Invalid value '{protocol}' for IP protocol. Unknown protocol."
        ))),
    }
}

/// `RuleAction`, in any case: AWS accepts `ALLOW` or `Allow` and stores (and describes) it in lower case
/// [O: hashicorp/terraform-provider-aws#1000, which fixed the perpetual diff of `action = "ALLOW"` against AWS's
/// `allow`; aws-controllers-k8s/community#1966, entries created on AWS with `Allow`].
fn parse_rule_action(rule_action: &str) -> Result<bool> {
    match rule_action.to_ascii_lowercase().as_str() {
        "allow" => Ok(true),
        "deny" => Ok(false),
        // ASSUMPTION (spec §2.8 [I]): the `Value (x) for parameter y is invalid.` form of other AWS refusals.
        other => Err(Ec2Error::InvalidParameterValue(format!("Value ({other}) for parameter ruleAction is invalid."))),
    }
}

/// `PortRange.From/To` for TCP and UDP entries (spec §2.8 [D]: required for protocols 6 and 17).
fn parse_port_range(request: &EntryRequest) -> Result<(u16, u16)> {
    // ASSUMPTION (spec §2.8 [I]): a missing port is reported like the missing ICMP type (`MissingParameter`
    // naming the wire field), and ports outside 0..=65535 or a reversed range are refused.
    let from = request.port_from.ok_or_else(|| Ec2Error::MissingParameter("portRange.from".into()))?;
    let to = request.port_to.ok_or_else(|| Ec2Error::MissingParameter("portRange.to".into()))?;
    let port = |value: i64, field: &str| {
        u16::try_from(value).map_err(|_| {
            Ec2Error::InvalidParameterValue(format!(
                "Value ({value}) for parameter portRange.{field} is invalid. Port must be in range 0..65535"
            ))
        })
    };
    let (from, to) = (port(from, "from")?, port(to, "to")?);
    if from > to {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "Invalid value for portRange. The from port ({from}) must not be greater than the to port ({to})."
        )));
    }
    Ok((from, to))
}

/// `Icmp.Type/Code` for ICMP entries: both required [O: "The request must contain the parameter
/// icmpTypeCode.type", hashicorp/terraform#2085], each -1 (any) or 0..=255.
fn parse_icmp(request: &EntryRequest) -> Result<(i32, i32)> {
    let icmp_type = request.icmp_type.ok_or_else(|| Ec2Error::MissingParameter("icmpTypeCode.type".into()))?;
    let icmp_code = request.icmp_code.ok_or_else(|| Ec2Error::MissingParameter("icmpTypeCode.code".into()))?;
    let check = |value: i64, field: &str| {
        if value == -1 || (0..=255).contains(&value) {
            Ok(value as i32)
        } else {
            // ASSUMPTION (spec §2.8 [I]): the message form of the other range refusals.
            Err(Ec2Error::InvalidParameterValue(format!(
                "Value ({value}) for parameter icmpTypeCode.{field} is invalid. Must be -1 or in range 0..255"
            )))
        }
    };
    Ok((check(icmp_type, "type")?, check(icmp_code, "code")?))
}

/// An entry of either family, as a Create/ReplaceNetworkAclEntry request describes it.
enum Entry {
    V4(AclEntry),
    V6(AclIpv6Entry),
}

impl Entry {
    fn rule_number(&self) -> u16 {
        match self {
            Entry::V4(entry) => entry.rule_number,
            Entry::V6(entry) => entry.rule_number,
        }
    }
}

/// Validates a Create/ReplaceNetworkAclEntry request into the entry it describes.
fn parse_entry(request: &EntryRequest) -> Result<Entry> {
    let rule_number = check_rule_number(request.rule_number)?;
    let protocol = parse_protocol(&request.protocol)?;
    let allow = parse_rule_action(&request.rule_action)?;
    // Spec §2.8 [D]: for any protocol other than 6, 17 and 1 (58 for IPv6) every port matches, whatever ports or
    // ICMP fields were sent, so only the fields that mean something are kept.
    let (port_range, icmp_type_code) = match protocol.as_str() {
        TCP | UDP => (Some(parse_port_range(request)?), None),
        ICMP | ICMPV6 => (None, Some(parse_icmp(request)?)),
        _ => (None, None),
    };
    let egress = request.egress;
    match (&request.cidr_block, &request.ipv6_cidr_block) {
        // ASSUMPTION (spec §2.8 [I]): an entry with neither block is refused as a missing `cidrBlock`.
        (None, None) => Err(Ec2Error::MissingParameter("cidrBlock".into())),
        (Some(text), None) => {
            let cidr_block = cidr::parse_canonical(text).ok_or_else(|| Ec2Error::invalid_cidr(text, "cidrBlock"))?;
            Ok(Entry::V4(AclEntry { rule_number, protocol, allow, egress, cidr_block, port_range, icmp_type_code }))
        }
        (None, Some(text)) => {
            let ipv6_cidr_block =
                ipv6::parse_canonical(text).ok_or_else(|| Ec2Error::invalid_cidr(text, "ipv6CidrBlock"))?;
            let entry =
                AclIpv6Entry { rule_number, protocol, allow, egress, ipv6_cidr_block, port_range, icmp_type_code };
            Ok(Entry::V6(entry))
        }
        // ASSUMPTION (part 2 §16.3 [I]): both blocks are refused as an invalid value, one entry matching one family.
        (Some(_), Some(_)) => {
            Err(Ec2Error::InvalidParameterValue("Exactly one of cidrBlock and ipv6CidrBlock may be specified.".into()))
        }
    }
}

/// Whether an entry of either family has this rule number and direction (the numbers are shared: part 2 §16.3).
fn entry_exists(acl: &NetworkAcl, rule_number: u16, egress: bool) -> bool {
    entry_position(acl, rule_number, egress).is_some()
        || acl.ipv6_entries.iter().any(|e| e.rule_number == rule_number && e.egress == egress)
}

/// The position of the (IPv4) entry with this rule number and direction.
fn entry_position(acl: &NetworkAcl, rule_number: u16, egress: bool) -> Option<usize> {
    acl.entries.iter().position(|e| e.rule_number == rule_number && e.egress == egress)
}

/// Removes the entry of either family with this rule number and direction.
fn remove_entry(acl: &mut NetworkAcl, rule_number: u16, egress: bool) {
    acl.entries.retain(|e| !(e.rule_number == rule_number && e.egress == egress));
    acl.ipv6_entries.retain(|e| !(e.rule_number == rule_number && e.egress == egress));
}

/// Adds an entry of either family in its place, and records the user's change of that direction.
fn put_entry(acl: &mut NetworkAcl, entry: Entry) {
    match entry {
        Entry::V4(entry) => {
            acl.user_modified.mark(entry.egress);
            insert_entry(&mut acl.entries, entry)
        }
        Entry::V6(entry) => {
            acl.user_modified.mark(entry.egress);
            insert_ipv6_entry(&mut acl.ipv6_entries, entry)
        }
    }
}

/// Keeps `entries` in the order AWS lists them: egress entries first, each direction by ascending rule number
/// (spec Appendix A; botocore's DescribeNetworkAcls example). That is also the order the engine evaluates each
/// direction in (spec §3.6 [D]: ascending rule number, first match wins).
fn insert_entry(entries: &mut Vec<AclEntry>, entry: AclEntry) {
    let key = |e: &AclEntry| (!e.egress, e.rule_number);
    let position = entries.partition_point(|existing| key(existing) < key(&entry));
    entries.insert(position, entry);
}

fn entry_not_found(rule_number: u16, egress: bool) -> Ec2Error {
    Ec2Error::NetworkAclEntryNotFound { direction: if egress { "egress" } else { "ingress" }, rule_number }
}

/// CreateNetworkAclEntry (spec §2.8): the rule number must be free in that direction.
pub fn create_entry(tx: &mut Tx, scope: &Scope, request: &EntryRequest) -> Result<()> {
    let acl = find(tx.region(scope), &request.network_acl_id)?;
    let entry = parse_entry(request)?;
    if entry_exists(&acl, entry.rule_number(), request.egress) {
        return Err(Ec2Error::NetworkAclEntryAlreadyExists(entry.rule_number()));
    }
    // Spec §5 [D: amazon-vpc-limits.md]: entries per direction, the final `*` deny entry included; ASSUMPTION (the
    // quota page counts the families apart): IPv6 entries have a limit of their own, the same number.
    let existing = match &entry {
        Entry::V4(_) => acl.entries.iter().filter(|existing| existing.egress == request.egress).count(),
        Entry::V6(_) => acl.ipv6_entries.iter().filter(|existing| existing.egress == request.egress).count(),
    };
    crate::quotas::check(tx.quotas().entries_per_network_acl_direction, existing, 1, || {
        Ec2Error::NetworkAclEntryLimitExceeded
    })?;
    tx.update::<NetworkAcl>(scope, &acl.id, |acl| put_entry(acl, entry));
    Ok(())
}

/// ReplaceNetworkAclEntry (spec §2.8 [D]): the entry with that number and direction must exist.
pub fn replace_entry(tx: &mut Tx, scope: &Scope, request: &EntryRequest) -> Result<()> {
    let acl = find(tx.region(scope), &request.network_acl_id)?;
    let entry = parse_entry(request)?;
    let (rule_number, egress) = (entry.rule_number(), request.egress);
    if !entry_exists(&acl, rule_number, egress) {
        return Err(entry_not_found(rule_number, egress));
    }
    // The replacement may change the entry's family.
    tx.update::<NetworkAcl>(scope, &acl.id, |acl| {
        remove_entry(acl, rule_number, egress);
        put_entry(acl, entry);
    });
    Ok(())
}

/// DeleteNetworkAclEntry (spec §2.8): the final `*` rule is out of range and so cannot be deleted.
pub fn delete_entry(tx: &mut Tx, scope: &Scope, network_acl_id: &str, rule_number: i64, egress: bool) -> Result<()> {
    let acl = find(tx.region(scope), network_acl_id)?;
    let rule_number = check_rule_number(rule_number)?;
    if !entry_exists(&acl, rule_number, egress) {
        return Err(entry_not_found(rule_number, egress));
    }
    tx.update::<NetworkAcl>(scope, &acl.id, |acl| {
        remove_entry(acl, rule_number, egress);
        acl.user_modified.mark(egress);
    });
    Ok(())
}
