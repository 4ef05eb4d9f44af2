//! Security groups (spec §2.7): the default group every VPC gets, with its two rules. The group and rule
//! *actions* arrive with the next layer of the control plane; the objects exist now so Describe answers as AWS
//! does.

use serde::{Deserialize, Serialize};

use crate::cidr::Ipv4Net;
use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::tags::Tags;
use crate::vpc::Vpc;
use crate::world::{RegionState, Resource, Scope, Table, Tx};

/// A security group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityGroup {
    /// `sg-…`.
    pub id: String,
    /// `GroupName`.
    pub name: String,
    /// `GroupDescription`.
    pub description: String,
    /// Owning VPC.
    pub vpc_id: String,
    /// Owning account.
    pub owner_id: String,
    /// The region, for the ARN.
    pub region: String,
    /// Inbound rules.
    pub ingress: Vec<SecurityGroupRule>,
    /// Outbound rules.
    pub egress: Vec<SecurityGroupRule>,
    /// Tags.
    pub tags: Tags,
}

/// One rule: a protocol/port range and one peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityGroupRule {
    /// `sgr-…`.
    pub id: String,
    /// `tcp`, `udp`, `icmp`, `-1` or a protocol number.
    pub protocol: String,
    /// From port (ICMP type); `None` for all.
    pub from_port: Option<i32>,
    /// To port (ICMP code); `None` for all.
    pub to_port: Option<i32>,
    /// Who the rule admits.
    pub peer: RulePeer,
    /// Optional description.
    pub description: Option<String>,
}

/// The peer of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RulePeer {
    /// An IPv4 block.
    Cidr(Ipv4Net),
    /// Another (or the same) group.
    Group {
        /// The group's account.
        user_id: String,
        /// The group.
        group_id: String,
    },
}

impl SecurityGroup {
    /// `arn:aws:ec2:<region>:<account>:security-group/<id>`.
    pub fn arn(&self) -> String {
        format!("arn:aws:ec2:{}:{}:security-group/{}", self.region, self.owner_id, self.id)
    }
}

impl Resource for SecurityGroup {
    const KIND: &'static str = "security_group";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.security_groups
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.security_groups
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
}

impl Filterable for SecurityGroup {
    const FILTERS: &'static [&'static str] = &[
        "description",
        "group-id",
        "group-name",
        "owner-id",
        "vpc-id",
        "ip-permission.cidr",
        "ip-permission.from-port",
        "ip-permission.to-port",
        "ip-permission.protocol",
        "ip-permission.group-id",
        "egress.ip-permission.cidr",
        "egress.ip-permission.from-port",
        "egress.ip-permission.to-port",
        "egress.ip-permission.protocol",
        "egress.ip-permission.group-id",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let (rules, field) = match name.strip_prefix("egress.ip-permission.") {
            Some(field) => (&self.egress, field),
            None => match name.strip_prefix("ip-permission.") {
                Some(field) => (&self.ingress, field),
                None => {
                    match name {
                        "description" => out.push(self.description.clone()),
                        "group-id" => out.push(self.id.clone()),
                        "group-name" => out.push(self.name.clone()),
                        "owner-id" => out.push(self.owner_id.clone()),
                        "vpc-id" => out.push(self.vpc_id.clone()),
                        _ => {}
                    }
                    return;
                }
            },
        };
        for rule in rules {
            match (field, &rule.peer) {
                ("cidr", RulePeer::Cidr(block)) => out.push(block.to_string()),
                ("group-id", RulePeer::Group { group_id, .. }) => out.push(group_id.clone()),
                ("from-port", _) => out.extend(rule.from_port.map(|p| p.to_string())),
                ("to-port", _) => out.extend(rule.to_port.map(|p| p.to_string())),
                ("protocol", _) => out.push(rule.protocol.clone()),
                _ => {}
            }
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.tags)
    }
}

/// Spec §2.2/§2.7 [D]: `default` / "default VPC security group", ingress all from itself, egress all to anywhere.
pub fn create_default(tx: &mut Tx, scope: &Scope, vpc: &Vpc) {
    let id = tx.next_id(IdKind::SecurityGroup);
    let ingress = SecurityGroupRule {
        id: tx.next_id(IdKind::SecurityGroupRule),
        protocol: "-1".into(),
        from_port: None,
        to_port: None,
        peer: RulePeer::Group { user_id: scope.account.clone(), group_id: id.clone() },
        description: None,
    };
    let egress = SecurityGroupRule {
        id: tx.next_id(IdKind::SecurityGroupRule),
        protocol: "-1".into(),
        from_port: None,
        to_port: None,
        peer: RulePeer::Cidr("0.0.0.0/0".parse().expect("valid")),
        description: None,
    };
    let group = SecurityGroup {
        id,
        name: "default".into(),
        description: "default VPC security group".into(),
        vpc_id: vpc.id.clone(),
        owner_id: scope.account.clone(),
        region: scope.region.clone(),
        ingress: vec![ingress],
        egress: vec![egress],
        tags: Tags::default(),
    };
    tx.put(scope, group);
}
