//! Network ACLs (spec §2.8): the default ACL every VPC gets and the subnet associations. The entry and
//! association *actions* arrive with the next layer of the control plane; the objects exist now so Describe
//! answers as AWS does.

use serde::{Deserialize, Serialize};

use crate::cidr::Ipv4Net;
use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::tags::Tags;
use crate::vpc::Vpc;
use crate::world::{RegionState, Resource, Scope, Table, Tx};

/// A network ACL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkAcl {
    /// `acl-…`.
    pub id: String,
    /// Owning VPC.
    pub vpc_id: String,
    /// Owning account.
    pub owner_id: String,
    /// The VPC's default ACL.
    pub is_default: bool,
    /// Entries of both directions.
    pub entries: Vec<AclEntry>,
    /// Subnet associations.
    pub associations: Vec<AclAssociation>,
    /// Tags.
    pub tags: Tags,
}

/// One entry (rule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclEntry {
    /// 1..=32766 for user rules, 32767 for the final `*` rule.
    pub rule_number: u16,
    /// Protocol number as a string ("-1", "6", "17", "1").
    pub protocol: String,
    /// `true` to allow, `false` to deny.
    pub allow: bool,
    /// Outbound rule.
    pub egress: bool,
    /// Matched block.
    pub cidr_block: Ipv4Net,
    /// TCP/UDP port range.
    pub port_range: Option<(u16, u16)>,
    /// ICMP type and code (-1 = any).
    pub icmp_type_code: Option<(i32, i32)>,
}

/// A subnet association.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclAssociation {
    /// `aclassoc-…`.
    pub id: String,
    /// The subnet.
    pub subnet_id: String,
}

/// The rule number of the final `*` entry.
pub const FINAL_RULE_NUMBER: u16 = 32767;

impl Resource for NetworkAcl {
    const KIND: &'static str = "network_acl";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.network_acls
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.network_acls
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
}

impl Filterable for NetworkAcl {
    const FILTERS: &'static [&'static str] = &[
        "association.association-id",
        "association.network-acl-id",
        "association.subnet-id",
        "default",
        "entry.cidr",
        "entry.icmp.code",
        "entry.icmp.type",
        "entry.ipv6-cidr",
        "entry.port-range.from",
        "entry.port-range.to",
        "entry.protocol",
        "entry.rule-action",
        "entry.egress",
        "entry.rule-number",
        "network-acl-id",
        "owner-id",
        "vpc-id",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let entries = self.entries.iter();
        match name {
            "association.association-id" => {
                out.extend(self.associations.iter().map(|a| a.id.clone()))
            }
            "association.network-acl-id" if !self.associations.is_empty() => {
                out.push(self.id.clone())
            }
            "association.subnet-id" => {
                out.extend(self.associations.iter().map(|a| a.subnet_id.clone()))
            }
            "default" => out.push(self.is_default.to_string()),
            "entry.cidr" => out.extend(entries.map(|e| e.cidr_block.to_string())),
            "entry.icmp.code" => {
                out.extend(entries.filter_map(|e| e.icmp_type_code.map(|(_, c)| c.to_string())))
            }
            "entry.icmp.type" => {
                out.extend(entries.filter_map(|e| e.icmp_type_code.map(|(t, _)| t.to_string())))
            }
            "entry.port-range.from" => {
                out.extend(entries.filter_map(|e| e.port_range.map(|(f, _)| f.to_string())))
            }
            "entry.port-range.to" => {
                out.extend(entries.filter_map(|e| e.port_range.map(|(_, t)| t.to_string())))
            }
            "entry.protocol" => out.extend(entries.map(|e| e.protocol.clone())),
            "entry.rule-action" => {
                out.extend(entries.map(|e| if e.allow { "allow" } else { "deny" }.to_string()))
            }
            "entry.egress" => out.extend(entries.map(|e| e.egress.to_string())),
            "entry.rule-number" => out.extend(entries.map(|e| e.rule_number.to_string())),
            "network-acl-id" => out.push(self.id.clone()),
            "owner-id" => out.push(self.owner_id.clone()),
            "vpc-id" => out.push(self.vpc_id.clone()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.tags)
    }
}

fn entry(rule_number: u16, allow: bool, egress: bool) -> AclEntry {
    AclEntry {
        rule_number,
        protocol: "-1".into(),
        allow,
        egress,
        cidr_block: "0.0.0.0/0".parse().expect("valid"),
        port_range: None,
        icmp_type_code: None,
    }
}

/// Spec §2.8 [D]: the default ACL allows everything (rule 100) before the final deny, in both directions.
pub fn create_default(tx: &mut Tx, scope: &Scope, vpc: &Vpc) {
    let acl = NetworkAcl {
        id: tx.next_id(IdKind::NetworkAcl),
        vpc_id: vpc.id.clone(),
        owner_id: scope.account.clone(),
        is_default: true,
        entries: vec![
            entry(100, true, true),
            entry(FINAL_RULE_NUMBER, false, true),
            entry(100, true, false),
            entry(FINAL_RULE_NUMBER, false, false),
        ],
        associations: Vec::new(),
        tags: Tags::default(),
    };
    tx.put(scope, acl);
}

/// A new subnet joins its VPC's default ACL (spec §2.8).
pub fn associate_with_default(tx: &mut Tx, scope: &Scope, vpc_id: &str, subnet_id: &str) {
    let default_acl = tx
        .region(scope)
        .network_acls
        .values()
        .find(|acl| acl.vpc_id == vpc_id && acl.is_default)
        .map(|a| a.id.clone());
    if let Some(acl_id) = default_acl {
        let association = AclAssociation {
            id: tx.next_id(IdKind::NetworkAclAssociation),
            subnet_id: subnet_id.into(),
        };
        tx.update::<NetworkAcl>(scope, &acl_id, |acl| acl.associations.push(association));
    }
}

/// DeleteSubnet drops the subnet's association.
pub fn forget_subnet(tx: &mut Tx, scope: &Scope, subnet_id: &str) {
    let holders: Vec<String> = tx
        .region(scope)
        .network_acls
        .values()
        .filter(|acl| acl.associations.iter().any(|a| a.subnet_id == subnet_id))
        .map(|acl| acl.id.clone())
        .collect();
    for id in holders {
        tx.update::<NetworkAcl>(scope, &id, |acl| {
            acl.associations.retain(|a| a.subnet_id != subnet_id)
        });
    }
}
