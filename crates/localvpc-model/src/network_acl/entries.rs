//! Network ACL entries (spec §2.8): CreateNetworkAclEntry, ReplaceNetworkAclEntry and DeleteNetworkAclEntry — the
//! request as sent, its checks (rule number, protocol, action, ports, ICMP type and code), and where an entry goes
//! in its ACL's ordered list.

use super::{find, AclEntry, NetworkAcl, FINAL_RULE_NUMBER};
use crate::cidr;
use crate::world::{Scope, Tx};
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
    /// `Ipv6CidrBlock` (refused: IPv6 is not supported).
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

/// Validates a Create/ReplaceNetworkAclEntry request into the entry it describes.
fn parse_entry(request: &EntryRequest) -> Result<AclEntry> {
    let rule_number = check_rule_number(request.rule_number)?;
    let protocol = parse_protocol(&request.protocol)?;
    let allow = parse_rule_action(&request.rule_action)?;
    if request.ipv6_cidr_block.is_some() {
        return Err(Ec2Error::InvalidParameterValue(
            "IPv6 network ACL entries (Ipv6CidrBlock) are not supported by localvpc".into(),
        ));
    }
    // ASSUMPTION (spec §2.8 [I]): an entry with neither block is refused as a missing `cidrBlock`.
    let text = request.cidr_block.as_deref().ok_or_else(|| Ec2Error::MissingParameter("cidrBlock".into()))?;
    let cidr_block = cidr::parse_canonical(text).ok_or_else(|| Ec2Error::invalid_cidr(text, "cidrBlock"))?;
    // Spec §2.8 [D]: for any protocol other than 6, 17 and 1 every port matches, whatever ports or ICMP fields
    // were sent, so only the fields that mean something are kept.
    let (port_range, icmp_type_code) = match protocol.as_str() {
        TCP | UDP => (Some(parse_port_range(request)?), None),
        ICMP => (None, Some(parse_icmp(request)?)),
        _ => (None, None),
    };
    Ok(AclEntry { rule_number, protocol, allow, egress: request.egress, cidr_block, port_range, icmp_type_code })
}

/// The position of the entry with this rule number and direction.
fn entry_position(acl: &NetworkAcl, rule_number: u16, egress: bool) -> Option<usize> {
    acl.entries.iter().position(|e| e.rule_number == rule_number && e.egress == egress)
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
    if entry_position(&acl, entry.rule_number, entry.egress).is_some() {
        return Err(Ec2Error::NetworkAclEntryAlreadyExists(entry.rule_number));
    }
    // Spec §5 [D: amazon-vpc-limits.md]: entries per direction, the final `*` deny entry included (IPv4 only: IPv6
    // entries are not supported).
    let existing = acl.entries.iter().filter(|existing| existing.egress == entry.egress).count();
    crate::quotas::check(tx.quotas().entries_per_network_acl_direction, existing, 1, || {
        Ec2Error::NetworkAclEntryLimitExceeded
    })?;
    tx.update::<NetworkAcl>(scope, &acl.id, |acl| insert_entry(&mut acl.entries, entry));
    Ok(())
}

/// ReplaceNetworkAclEntry (spec §2.8 [D]): the entry with that number and direction must exist.
pub fn replace_entry(tx: &mut Tx, scope: &Scope, request: &EntryRequest) -> Result<()> {
    let acl = find(tx.region(scope), &request.network_acl_id)?;
    let entry = parse_entry(request)?;
    let Some(position) = entry_position(&acl, entry.rule_number, entry.egress) else {
        return Err(entry_not_found(entry.rule_number, entry.egress));
    };
    tx.update::<NetworkAcl>(scope, &acl.id, |acl| acl.entries[position] = entry);
    Ok(())
}

/// DeleteNetworkAclEntry (spec §2.8): the final `*` rule is out of range and so cannot be deleted.
pub fn delete_entry(tx: &mut Tx, scope: &Scope, network_acl_id: &str, rule_number: i64, egress: bool) -> Result<()> {
    let acl = find(tx.region(scope), network_acl_id)?;
    let rule_number = check_rule_number(rule_number)?;
    let Some(position) = entry_position(&acl, rule_number, egress) else {
        return Err(entry_not_found(rule_number, egress));
    };
    tx.update::<NetworkAcl>(scope, &acl.id, |acl| {
        acl.entries.remove(position);
    });
    Ok(())
}
