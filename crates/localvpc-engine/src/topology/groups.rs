//! Security groups in the compiled topology (spec §3.5): each group's rules with protocols as numbers and group
//! references resolved to group indexes, so a rule check is a scan of a short vector. A rule naming a prefix list
//! becomes one block rule per entry of the list's current version (part 2 §17.3), all with the rule's `sgr-` ID:
//! the walk and the kernel plan see only blocks, and a list change is a new world version, so a new topology.

use ipnet::IpNet;
use localvpc_model::security_group::RulePeer;
use localvpc_model::{RegionState, Scope};

use super::{protocol_number, GroupIx, Topology};

/// A security group.
#[derive(Debug, Clone)]
pub struct GroupNode {
    /// Owner and region.
    pub scope: Scope,
    /// `sg-…`.
    pub id: String,
    /// Inbound rules.
    pub ingress: Vec<SgRule>,
    /// Outbound rules.
    pub egress: Vec<SgRule>,
}

/// One security group rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SgRule {
    /// `sgr-…`.
    pub id: String,
    /// Protocol number, -1 for all.
    pub protocol: i32,
    /// From/to port (ICMP: type/code); `None` for all.
    pub ports: Option<(i32, i32)>,
    /// The peer.
    pub peer: SgPeer,
}

/// The peer of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SgPeer {
    /// An IPv4 or IPv6 block (part 2 §16.3 [D]: it matches packets of its own family only).
    Cidr(IpNet),
    /// A group (`None` if it no longer exists: the rule matches nothing).
    Group(Option<GroupIx>),
}

impl Topology {
    /// Adds the region's groups: first every group (a rule may name any of them), then their rules.
    pub(super) fn add_groups(&mut self, scope: &Scope, region: &RegionState) {
        for group in region.security_groups.values() {
            self.group_by_key.insert((scope.clone(), group.id.clone()), self.groups.len());
            self.groups.push(GroupNode {
                scope: scope.clone(),
                id: group.id.clone(),
                ingress: Vec::new(),
                egress: Vec::new(),
            });
        }
        for group in region.security_groups.values() {
            let compile = |rules: &[localvpc_model::security_group::SecurityGroupRule]| -> Vec<SgRule> {
                rules
                    .iter()
                    .flat_map(|rule| {
                        let protocol = protocol_number(&rule.protocol);
                        let ports = match (protocol, rule.from_port, rule.to_port) {
                            (6 | 17 | 1 | 58, Some(from), Some(to)) => Some((from, to)),
                            _ => None,
                        };
                        let peers = match &rule.peer {
                            RulePeer::Cidr(block) => vec![SgPeer::Cidr(IpNet::V4(*block))],
                            RulePeer::Ipv6Cidr(block) => vec![SgPeer::Cidr(IpNet::V6(*block))],
                            RulePeer::Group { user_id, group_id, .. } => vec![SgPeer::Group(
                                self.group_by_key.get(&(Scope::new(user_id, &scope.region), group_id.clone())).copied(),
                            )],
                            RulePeer::PrefixList { prefix_list_id } => prefix_list_peers(region, scope, prefix_list_id),
                        };
                        peers.into_iter().map(move |peer| SgRule { id: rule.id.clone(), protocol, ports, peer })
                    })
                    .collect()
            };
            let ingress = compile(&group.ingress);
            let egress = compile(&group.egress);
            let index = self.group_by_key[&(scope.clone(), group.id.clone())];
            self.groups[index].ingress = ingress;
            self.groups[index].egress = egress;
        }
    }
}

/// Part 2 §17.3 [D]: the peers a prefix list rule stands for — one per block of the list's current version. A list
/// that cannot be found admits nothing.
fn prefix_list_peers(region: &RegionState, scope: &Scope, prefix_list_id: &str) -> Vec<SgPeer> {
    let Ok(list) = localvpc_model::prefix_list::find(region, scope, prefix_list_id) else { return Vec::new() };
    list.current_blocks().into_iter().map(SgPeer::Cidr).collect()
}
