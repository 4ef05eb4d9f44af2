//! One `IpPermissions.N` of Authorize/Revoke — or the legacy flat form — checked and normalised (spec §2.7, §1.1),
//! and the text AWS uses to name a rule in `InvalidPermission.Duplicate`.
//!
//! Normalisation is what makes duplicate detection and revoke-by-properties exact: `6` and `tcp` are one protocol,
//! `all` is `-1`, CIDR host bits are dropped, and protocols without ports forget the ports they were sent with.

use crate::cidr;
use crate::{Ec2Error, Result};

use super::{RulePeer, SecurityGroupRule};

/// One `IpPermissions.N` as sent: the protocol and ports, and every peer named in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PermissionRequest {
    /// `IpProtocol`.
    pub protocol: Option<String>,
    /// `FromPort`.
    pub from_port: Option<i64>,
    /// `ToPort`.
    pub to_port: Option<i64>,
    /// `IpRanges.M.{CidrIp,Description}`.
    pub ip_ranges: Vec<Described>,
    /// `Ipv6Ranges.M.{CidrIpv6,Description}`.
    pub ipv6_ranges: Vec<Described>,
    /// `Groups.M.*` (botocore `UserIdGroupPairs`).
    pub groups: Vec<GroupPair>,
    /// `PrefixListIds.M.{PrefixListId,Description}`.
    pub prefix_list_ids: Vec<Described>,
}

/// A value with its optional `Description`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Described {
    /// The CIDR block or prefix list ID.
    pub value: String,
    /// `Description`.
    pub description: Option<String>,
}

/// One `Groups.M` (a `UserIdGroupPair`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupPair {
    /// `GroupId`.
    pub group_id: Option<String>,
    /// `GroupName`.
    pub group_name: Option<String>,
    /// `UserId`: the referenced group's account (spec §2.7 [D]: required for a group of another account).
    pub user_id: Option<String>,
    /// `Description`.
    pub description: Option<String>,
}

/// The legacy top-level parameters (spec §1.1: must be accepted besides `IpPermissions.N`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlatPermission {
    /// `IpProtocol`.
    pub protocol: Option<String>,
    /// `FromPort`.
    pub from_port: Option<i64>,
    /// `ToPort`.
    pub to_port: Option<i64>,
    /// `CidrIp`.
    pub cidr_ip: Option<String>,
    /// `SourceSecurityGroupName`.
    pub source_group_name: Option<String>,
    /// `SourceSecurityGroupOwnerId`.
    pub source_group_owner_id: Option<String>,
}

impl FlatPermission {
    /// The permissions the flat form stands for (none when no flat parameter was sent).
    pub fn into_permissions(self) -> Vec<PermissionRequest> {
        let has_source = self.source_group_name.is_some() || self.source_group_owner_id.is_some();
        if self.protocol.is_none() && self.cidr_ip.is_none() && !has_source {
            return Vec::new();
        }
        let groups = if has_source {
            vec![GroupPair {
                group_id: None,
                group_name: self.source_group_name,
                user_id: self.source_group_owner_id,
                description: None,
            }]
        } else {
            Vec::new()
        };
        let ip_ranges = self.cidr_ip.into_iter().map(|value| Described { value, description: None }).collect();
        if self.protocol.is_none() && has_source {
            // Spec §2.7 / AuthorizeSecurityGroupIngress [D]: a source group without a protocol "creates rules that
            // grant full ICMP, UDP, and TCP access".
            return [("tcp", 0, 65535), ("udp", 0, 65535), ("icmp", -1, -1)]
                .into_iter()
                .map(|(protocol, from, to)| PermissionRequest {
                    protocol: Some(protocol.into()),
                    from_port: Some(from),
                    to_port: Some(to),
                    groups: groups.clone(),
                    ..PermissionRequest::default()
                })
                .collect();
        }
        vec![PermissionRequest {
            protocol: self.protocol,
            from_port: self.from_port,
            to_port: self.to_port,
            ip_ranges,
            groups,
            ..PermissionRequest::default()
        }]
    }
}

/// A checked protocol and port range: what every rule of one permission shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortRange {
    /// Normalised protocol ([`normalize_protocol`]).
    pub protocol: String,
    /// From port or ICMP type; `None` for protocols without ports.
    pub from: Option<i32>,
    /// To port or ICMP code; `None` for protocols without ports.
    pub to: Option<i32>,
}

/// Spec §2.7 [D]: `tcp`, `udp`, `icmp`, `icmpv6`, `-1`/`all`, or a protocol number. The numbers of the four named
/// protocols become their names and `all` becomes `-1`, so `6` and `tcp` are one rule, as AWS shows them.
pub fn normalize_protocol(text: &str) -> Result<String> {
    let lower = text.trim().to_ascii_lowercase();
    let name = match lower.as_str() {
        "tcp" | "udp" | "icmp" | "icmpv6" | "-1" => lower.clone(),
        "all" => "-1".into(),
        number => match number.parse::<i32>() {
            Ok(-1) => "-1".into(),
            Ok(6) => "tcp".into(),
            Ok(17) => "udp".into(),
            Ok(1) => "icmp".into(),
            Ok(58) => "icmpv6".into(),
            Ok(n @ 0..=255) => n.to_string(),
            _ => return Err(Ec2Error::UnknownIpProtocol(text.to_string())),
        },
    };
    Ok(name)
}

/// ICMP types and codes are -1 (all) or 0..=255.
const ICMP_RANGE: std::ops::RangeInclusive<i64> = -1..=255;

impl PermissionRequest {
    /// The protocol and ports, checked (spec §2.7 [D]): TCP/UDP need both ports, 0..=65535, from ≤ to; ICMP takes a
    /// type and a code (-1 = all; all types need all codes; absent = all); `-1` and other protocol numbers mean all
    /// ports, so ports sent with them are ignored.
    pub fn port_range(&self) -> Result<PortRange> {
        let protocol =
            normalize_protocol(self.protocol.as_deref().ok_or(Ec2Error::MissingParameter("IpProtocol".into()))?)?;
        let (from, to) = match protocol.as_str() {
            "tcp" | "udp" => {
                let (Some(from), Some(to)) = (self.from_port, self.to_port) else {
                    return Err(Ec2Error::PortRangeMissing);
                };
                if !(0..=65535).contains(&from) || !(0..=65535).contains(&to) || from > to {
                    return Err(Ec2Error::InvalidPortRange { from, to });
                }
                (Some(from as i32), Some(to as i32))
            }
            "icmp" | "icmpv6" => {
                let (icmp_type, code) = (self.from_port.unwrap_or(-1), self.to_port.unwrap_or(-1));
                if !ICMP_RANGE.contains(&icmp_type) || !ICMP_RANGE.contains(&code) || (icmp_type == -1 && code != -1) {
                    return Err(Ec2Error::InvalidIcmpTypeCode { icmp_type, code });
                }
                (Some(icmp_type as i32), Some(code as i32))
            }
            _ => (None, None),
        };
        Ok(PortRange { protocol, from, to })
    }
}

/// Spec §2.7 [M]: an IPv4 peer block; host bits are dropped as AWS does.
pub fn parse_ipv4_peer(text: &str) -> Result<RulePeer> {
    cidr::parse_canonical(text.trim()).map(RulePeer::Cidr).ok_or_else(|| Ec2Error::InvalidCidrSubnet(text.to_string()))
}

/// An IPv6 peer block; host bits are dropped.
pub fn parse_ipv6_peer(text: &str) -> Result<RulePeer> {
    let text_trimmed = text.trim();
    if !text_trimmed.contains('/') {
        return Err(Ec2Error::InvalidCidrSubnet(text.to_string()));
    }
    text_trimmed
        .parse::<ipnet::Ipv6Net>()
        .map(|net| RulePeer::Ipv6Cidr(net.trunc()))
        .map_err(|_| Ec2Error::InvalidCidrSubnet(text.to_string()))
}

/// The rule as AWS names it in `InvalidPermission.Duplicate` [O]: `peer: 0.0.0.0/0, TCP, from port: 22, to port: 22,
/// ALLOW`, `peer: sg-…, ALL, ALLOW`, `peer: 0.0.0.0/0, ICMP, type: ALL, code: ALL, ALLOW`.
pub fn rule_text(rule: &SecurityGroupRule) -> String {
    let peer = match &rule.peer {
        RulePeer::Cidr(block) => block.to_string(),
        RulePeer::Ipv6Cidr(block) => block.to_string(),
        RulePeer::Group { group_id, .. } => group_id.clone(),
        // ASSUMPTION (part 2 §17.3 [I]): a prefix list peer is named by its ID, as a group peer is.
        RulePeer::PrefixList { prefix_list_id } => prefix_list_id.clone(),
    };
    let all_or = |value: Option<i32>| match value {
        None | Some(-1) => "ALL".to_string(),
        Some(n) => n.to_string(),
    };
    let what = match rule.protocol.as_str() {
        "tcp" | "udp" => format!(
            "{}, from port: {}, to port: {}",
            rule.protocol.to_ascii_uppercase(),
            rule.from_port.unwrap_or_default(),
            rule.to_port.unwrap_or_default()
        ),
        // ASSUMPTION (spec §2.7 [O] shows ICMP only): ICMPv6 follows the ICMP form.
        "icmp" | "icmpv6" => {
            format!(
                "{}, type: {}, code: {}",
                rule.protocol.to_ascii_uppercase(),
                all_or(rule.from_port),
                all_or(rule.to_port)
            )
        }
        "-1" => "ALL".to_string(),
        // ASSUMPTION (spec §2.7 [I]): other protocols are named by their number.
        number => number.to_string(),
    };
    format!("peer: {peer}, {what}, ALLOW")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn permission(protocol: &str, from: Option<i64>, to: Option<i64>) -> PermissionRequest {
        PermissionRequest { protocol: Some(protocol.into()), from_port: from, to_port: to, ..Default::default() }
    }

    #[test]
    fn protocol_names_and_numbers_normalise() {
        for (sent, kept) in
            [("tcp", "tcp"), ("6", "tcp"), ("UDP", "udp"), ("17", "udp"), ("1", "icmp"), ("58", "icmpv6")]
        {
            assert_eq!(normalize_protocol(sent).unwrap(), kept, "{sent}");
        }
        assert_eq!(normalize_protocol("all").unwrap(), "-1");
        assert_eq!(normalize_protocol("-1").unwrap(), "-1");
        assert_eq!(normalize_protocol("47").unwrap(), "47");
        assert_eq!(normalize_protocol("gre").unwrap_err().code(), "InvalidParameterValue");
        assert_eq!(normalize_protocol("256").unwrap_err().code(), "InvalidParameterValue");
    }

    #[test]
    fn ports_follow_the_protocol() {
        let tcp = permission("tcp", Some(22), Some(22)).port_range().unwrap();
        assert_eq!((tcp.from, tcp.to), (Some(22), Some(22)));
        assert_eq!(permission("tcp", Some(22), None).port_range().unwrap_err(), Ec2Error::PortRangeMissing);
        assert_eq!(permission("udp", Some(90), Some(80)).port_range().unwrap_err().code(), "InvalidParameterValue");
        assert_eq!(permission("tcp", Some(0), Some(65536)).port_range().unwrap_err().code(), "InvalidParameterValue");
        let icmp = permission("icmp", Some(-1), Some(-1)).port_range().unwrap();
        assert_eq!((icmp.from, icmp.to), (Some(-1), Some(-1)));
        assert!(permission("icmp", Some(-1), Some(3)).port_range().is_err());
        let all = permission("-1", Some(1), Some(2)).port_range().unwrap();
        assert_eq!((all.protocol.as_str(), all.from, all.to), ("-1", None, None));
        let gre = permission("47", Some(1), Some(2)).port_range().unwrap();
        assert_eq!((gre.from, gre.to), (None, None));
    }

    #[test]
    fn cidr_peers_are_canonical() {
        assert_eq!(parse_ipv4_peer("10.0.0.5/16").unwrap(), RulePeer::Cidr("10.0.0.0/16".parse().unwrap()));
        assert_eq!(parse_ipv4_peer("10.0.0.5").unwrap_err().to_string(), "invalid CIDR subnet specification: 10.0.0.5");
        assert!(parse_ipv6_peer("::/0").is_ok());
        assert!(parse_ipv6_peer("10.0.0.0/8").is_err());
    }

    #[test]
    fn flat_source_group_without_protocol_means_tcp_udp_icmp() {
        let flat = FlatPermission { source_group_name: Some("web".into()), ..Default::default() };
        let permissions = flat.into_permissions();
        let protocols: Vec<_> = permissions.iter().map(|p| p.protocol.clone().unwrap()).collect();
        assert_eq!(protocols, ["tcp", "udp", "icmp"]);
        assert!(FlatPermission::default().into_permissions().is_empty());
    }

    #[test]
    fn rule_texts_match_aws() {
        let rule = |protocol: &str, from, to, peer: RulePeer| SecurityGroupRule {
            id: String::new(),
            protocol: protocol.into(),
            from_port: from,
            to_port: to,
            peer,
            description: None,
            tags: Default::default(),
        };
        let anywhere = || RulePeer::Cidr("0.0.0.0/0".parse().unwrap());
        assert_eq!(
            rule_text(&rule("tcp", Some(22), Some(22), anywhere())),
            "peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW"
        );
        let group = RulePeer::Group { user_id: "1".into(), group_id: "sg-f6b1a68b".into(), vpc_id: None };
        assert_eq!(rule_text(&rule("-1", None, None, group)), "peer: sg-f6b1a68b, ALL, ALLOW");
        assert_eq!(
            rule_text(&rule("icmp", Some(-1), Some(-1), anywhere())),
            "peer: 0.0.0.0/0, ICMP, type: ALL, code: ALL, ALLOW"
        );
    }
}
