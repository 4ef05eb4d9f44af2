//! Rule matching: security group rules (stateful, allow-only, union) and network ACL rules (stateless, ordered).
//!
//! Read first: spec §3.5 (security groups) and §3.6 (network ACLs).

use std::net::IpAddr;

use crate::packet::{proto, Packet};
use crate::topology::{AclRule, EniIx, GroupIx, SgPeer, SgRule, Topology};

/// Spec §3.5 [D]: a rule's protocol `-1` matches everything; numbers other than TCP/UDP/ICMP match all ports.
fn protocol_and_ports_match(protocol: i32, ports: Option<(i32, i32)>, packet: &Packet) -> bool {
    if protocol != -1 && protocol != packet.protocol {
        return false;
    }
    let Some((from, to)) = ports else { return true };
    match packet.protocol {
        proto::TCP | proto::UDP => from <= i32::from(packet.dst_port) && i32::from(packet.dst_port) <= to,
        // ICMP and ICMPv6: fromPort is the type, toPort the code; -1 is any.
        proto::ICMP | proto::ICMPV6 => (from == -1 || from == packet.icmp.0) && (to == -1 || to == packet.icmp.1),
        _ => true,
    }
}

/// Which side of the packet a rule's peer is compared with.
#[derive(Debug, Clone, Copy)]
pub struct Remote {
    /// The remote address (source for ingress, destination for egress).
    pub address: IpAddr,
    /// The remote interface when the address is its *private* address (spec §3.1 step 7 [D]: a group reference
    /// matches only private addresses of members, never a NATed public one).
    pub eni: Option<EniIx>,
}

fn peer_matches(topology: &Topology, peer: &SgPeer, remote: Remote) -> bool {
    match peer {
        SgPeer::Cidr(block) => block.contains(&remote.address),
        SgPeer::Group(Some(group)) => remote.eni.is_some_and(|eni| topology.enis[eni].groups.contains(group)),
        SgPeer::Group(None) => false,
    }
}

/// Spec §3.5 [D]: the union of the rules of every group; the first allowing rule, if any.
pub fn security_groups_allow<'t>(
    topology: &'t Topology,
    groups: &[GroupIx],
    egress: bool,
    packet: &Packet,
    remote: Remote,
) -> Option<&'t SgRule> {
    groups.iter().find_map(|&group| {
        let node = &topology.groups[group];
        let rules = if egress { &node.egress } else { &node.ingress };
        rules.iter().find(|rule| {
            protocol_and_ports_match(rule.protocol, rule.ports, packet) && peer_matches(topology, &rule.peer, remote)
        })
    })
}

/// Spec §3.6 [D]: ascending rule number, first match decides; nothing matches → the implicit deny.
pub fn acl_decides<'r>(rules: &'r [AclRule], packet: &Packet, remote: IpAddr) -> Option<&'r AclRule> {
    rules.iter().find(|rule| {
        rule.cidr.contains(&remote)
            && (rule.protocol == -1 || rule.protocol == packet.protocol)
            && match packet.protocol {
                proto::TCP | proto::UDP => {
                    rule.ports.is_none_or(|(from, to)| from <= packet.dst_port && packet.dst_port <= to)
                }
                proto::ICMP | proto::ICMPV6 => {
                    rule.icmp.is_none_or(|(t, c)| (t == -1 || t == packet.icmp.0) && (c == -1 || c == packet.icmp.1))
                }
                _ => true,
            }
    })
}

/// A human name for a packet's protocol and port, for details and fixes (a `Display` value: no allocation until
/// it is written).
pub fn describe(packet: &Packet) -> Described {
    Described(*packet)
}

/// See [`describe`].
pub struct Described(Packet);

impl std::fmt::Display for Described {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let packet = &self.0;
        match packet.protocol {
            proto::TCP => write!(f, "tcp/{}", packet.dst_port),
            proto::UDP => write!(f, "udp/{}", packet.dst_port),
            proto::ICMP => write!(f, "icmp type {} code {}", packet.icmp.0, packet.icmp.1),
            proto::ICMPV6 => write!(f, "icmpv6 type {} code {}", packet.icmp.0, packet.icmp.1),
            other => write!(f, "protocol {other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::Protocol;

    fn rule(number: u16, protocol: i32, allow: bool, cidr: &str, ports: Option<(u16, u16)>) -> AclRule {
        AclRule { number, protocol, allow, cidr: cidr.parse().unwrap(), ports, icmp: None }
    }

    #[test]
    fn acl_first_match_wins_in_rule_order() {
        let rules = vec![
            rule(100, 6, false, "10.0.0.0/16", Some((22, 22))),
            rule(200, -1, true, "0.0.0.0/0", None),
            rule(32767, -1, false, "0.0.0.0/0", None),
        ];
        let ssh = Packet::request("10.0.1.5".parse().unwrap(), "10.1.1.5".parse().unwrap(), Protocol::Tcp(22));
        assert!(!acl_decides(&rules, &ssh, ssh.src).unwrap().allow);
        let web = Packet::request(ssh.src, ssh.dst, Protocol::Tcp(80));
        assert_eq!(acl_decides(&rules, &web, web.src).unwrap().number, 200);
    }

    #[test]
    fn icmp_rules_use_type_and_code() {
        let echo = Packet::request("10.0.1.5".parse().unwrap(), "10.1.1.5".parse().unwrap(), Protocol::Icmp);
        assert!(protocol_and_ports_match(1, Some((8, -1)), &echo));
        assert!(!protocol_and_ports_match(1, Some((0, -1)), &echo));
        assert!(protocol_and_ports_match(1, Some((-1, -1)), &echo));
        assert!(protocol_and_ports_match(-1, None, &echo));
        assert!(!protocol_and_ports_match(6, None, &echo));
    }
}
