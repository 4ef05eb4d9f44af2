//! The IPv6 entries of network ACLs (part 2 §16.3): entries on `Ipv6CidrBlock`, and the defaults a VPC's ACLs get
//! when it has an IPv6 block — rule 101 allowing `::/0` in the default ACL's directions the user has not changed,
//! and the IPv6 `*` deny (rule number 32768 in the API) in every ACL. They are a list of their own beside the IPv4
//! entries, which is all the engine evaluates until it walks IPv6 packets.

use serde::{Deserialize, Serialize};

use super::{NetworkAcl, FINAL_RULE_NUMBER};
use crate::ipv6::Ipv6Net;
use crate::world::{Scope, Tx};

/// One IPv6 entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclIpv6Entry {
    /// 1..=32766 for user rules, [`FINAL_IPV6_RULE_NUMBER`] for the final `*` rule.
    pub rule_number: u16,
    /// Protocol number as a string ("-1", "6", "17", "58").
    pub protocol: String,
    /// `true` to allow, `false` to deny.
    pub allow: bool,
    /// Outbound rule.
    pub egress: bool,
    /// Matched block.
    pub ipv6_cidr_block: Ipv6Net,
    /// TCP/UDP port range.
    pub port_range: Option<(u16, u16)>,
    /// ICMPv6 type and code (-1 = any).
    pub icmp_type_code: Option<(i32, i32)>,
}

/// Part 2 §16.3 [I]: the rule number the IPv6 `*` entry shows in the API.
pub const FINAL_IPV6_RULE_NUMBER: u16 = FINAL_RULE_NUMBER + 1;
/// Part 2 §16.3 [D]: the default ACL's IPv6 allow-all rule.
pub const DEFAULT_IPV6_ALLOW_RULE_NUMBER: u16 = 101;

/// Which directions of the default ACL the user has changed (an entry created, replaced or deleted): AWS adds no
/// IPv6 allow there when a block is associated (part 2 §16.3 [D]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserModified {
    /// Inbound entries changed.
    pub ingress: bool,
    /// Outbound entries changed.
    pub egress: bool,
}

impl UserModified {
    /// Records a change in one direction.
    pub fn mark(&mut self, egress: bool) {
        if egress {
            self.egress = true;
        } else {
            self.ingress = true;
        }
    }

    fn get(self, egress: bool) -> bool {
        if egress {
            self.egress
        } else {
            self.ingress
        }
    }
}

fn all_ipv6(rule_number: u16, allow: bool, egress: bool) -> AclIpv6Entry {
    AclIpv6Entry {
        rule_number,
        protocol: "-1".into(),
        allow,
        egress,
        ipv6_cidr_block: Ipv6Net::default(),
        port_range: None,
        icmp_type_code: None,
    }
}

/// Keeps IPv6 entries in the order AWS lists them: egress first, each direction by ascending rule number.
pub(super) fn insert_ipv6_entry(entries: &mut Vec<AclIpv6Entry>, entry: AclIpv6Entry) {
    let key = |e: &AclIpv6Entry| (!e.egress, e.rule_number);
    let position = entries.partition_point(|existing| key(existing) < key(&entry));
    entries.insert(position, entry);
}

/// The IPv6 `*` denies of both directions, for a new ACL of a VPC with an IPv6 block.
pub(super) fn final_ipv6_denies() -> Vec<AclIpv6Entry> {
    vec![all_ipv6(FINAL_IPV6_RULE_NUMBER, false, true), all_ipv6(FINAL_IPV6_RULE_NUMBER, false, false)]
}

fn add_defaults(acl: &mut NetworkAcl) {
    for egress in [true, false] {
        let has_final = acl.ipv6_entries.iter().any(|e| e.egress == egress && e.rule_number == FINAL_IPV6_RULE_NUMBER);
        if !has_final {
            insert_ipv6_entry(&mut acl.ipv6_entries, all_ipv6(FINAL_IPV6_RULE_NUMBER, false, egress));
        }
        let rule = DEFAULT_IPV6_ALLOW_RULE_NUMBER;
        let taken = acl.entries.iter().any(|e| e.egress == egress && e.rule_number == rule)
            || acl.ipv6_entries.iter().any(|e| e.egress == egress && e.rule_number == rule);
        if acl.is_default && !acl.user_modified.get(egress) && !taken {
            insert_ipv6_entry(&mut acl.ipv6_entries, all_ipv6(rule, true, egress));
        }
    }
}

/// Part 2 §16.3: associating an IPv6 block gives every ACL of the VPC the IPv6 `*` denies, and the default ACL
/// rule 101 allowing `::/0` in each direction the user has not changed (ASSUMPTION [I]: an ACL that has them
/// already — a second block — is left as it is, and rule 101 is not added over an entry the user numbered 101).
pub fn add_ipv6_defaults(tx: &mut Tx, scope: &Scope, vpc_id: &str) {
    let ids: Vec<String> =
        tx.region(scope).network_acls.values().filter(|acl| acl.vpc_id == vpc_id).map(|acl| acl.id.clone()).collect();
    for id in ids {
        tx.update::<NetworkAcl>(scope, &id, add_defaults);
    }
}
