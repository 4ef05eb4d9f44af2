//! The flow log record format (part 2 §18.2): the fields a `LogFormat` may name, the default format, and one
//! record rendered as a line.

use std::net::IpAddr;

use crate::error::FlowLogError;
use crate::Result;

/// Part 2 §18.2 [D, exact string O LS]: the format of a flow log created without `LogFormat` (version 2).
pub const DEFAULT_FORMAT: &str = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} \
                                  ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}";

/// Part 2 §18.2 [D]: every field a custom format may name, with the record version that introduced it (the version
/// printed is the highest among the chosen fields).
const FIELDS: &[(&str, u8)] = &[
    ("version", 2),
    ("account-id", 2),
    ("interface-id", 2),
    ("srcaddr", 2),
    ("dstaddr", 2),
    ("srcport", 2),
    ("dstport", 2),
    ("protocol", 2),
    ("packets", 2),
    ("bytes", 2),
    ("start", 2),
    ("end", 2),
    ("action", 2),
    ("log-status", 2),
    ("vpc-id", 3),
    ("subnet-id", 3),
    ("instance-id", 3),
    ("tcp-flags", 3),
    ("type", 3),
    ("pkt-srcaddr", 3),
    ("pkt-dstaddr", 3),
    ("region", 4),
    ("az-id", 4),
    ("sublocation-type", 4),
    ("sublocation-id", 4),
    ("pkt-src-aws-service", 5),
    ("pkt-dst-aws-service", 5),
    ("flow-direction", 5),
    ("traffic-path", 5),
];

/// The field names of `format` in order, each checked against the spec's list. ASSUMPTION (part 2 §18.1: AWS's
/// text for a bad format is not recorded): an unknown field, or text that is not `${field}` separated by spaces,
/// is `InvalidParameter` naming the offending token.
pub fn parse(format: &str) -> Result<Vec<String>> {
    let mut fields = Vec::new();
    for token in format.split(' ').filter(|token| !token.is_empty()) {
        let name = token.strip_prefix("${").and_then(|rest| rest.strip_suffix('}'));
        match name {
            Some(name) if FIELDS.iter().any(|(field, _)| *field == name) => fields.push(name.to_string()),
            _ => return Err(FlowLogError::InvalidLogFormat(token.to_string()).into()),
        }
    }
    if fields.is_empty() {
        return Err(FlowLogError::InvalidLogFormat(format.to_string()).into());
    }
    Ok(fields)
}

/// The version a record of `fields` prints: the highest version among them (part 2 §18.2 [D]).
pub fn version(fields: &[String]) -> u8 {
    fields.iter().filter_map(|name| FIELDS.iter().find(|(field, _)| field == name)).map(|(_, v)| *v).max().unwrap_or(2)
}

/// `ACCEPT` or `REJECT` (part 2 §18.2 [D]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The security groups and network ACLs let the packet through.
    Accept,
    /// They did not.
    Reject,
}

impl Action {
    /// The record's text.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "ACCEPT",
            Action::Reject => "REJECT",
        }
    }
}

/// One record's values, as the interface that logs it saw them; `None` prints `-` (part 2 §18.2 [D]: any field
/// that doesn't apply is `-`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFields {
    /// The owner of the interface.
    pub account_id: String,
    /// `eni-…`.
    pub interface_id: String,
    /// The source as logged (the interface's primary private address on its side).
    pub srcaddr: IpAddr,
    /// The destination as logged.
    pub dstaddr: IpAddr,
    /// Ports (0 for ICMP).
    pub srcport: u16,
    /// Destination port.
    pub dstport: u16,
    /// IANA protocol number.
    pub protocol: i32,
    /// Packets in the window.
    pub packets: u64,
    /// Bytes in the window.
    pub bytes: u64,
    /// Unix seconds of the first packet.
    pub start: u64,
    /// Unix seconds of the last packet.
    pub end: u64,
    /// The verdict at this interface.
    pub action: Action,
    /// The interface's VPC.
    pub vpc_id: String,
    /// The interface's subnet.
    pub subnet_id: String,
    /// The instance behind it (`None` for requester-managed interfaces).
    pub instance_id: Option<String>,
    /// OR of the TCP flags seen (`None` for other protocols).
    pub tcp_flags: Option<u8>,
    /// The packet's real source.
    pub pkt_srcaddr: IpAddr,
    /// The packet's real destination.
    pub pkt_dstaddr: IpAddr,
    /// The Region.
    pub region: String,
    /// The interface's zone ID.
    pub az_id: String,
    /// `true`: the interface received the packet.
    pub ingress: bool,
    /// Part 2 §18.2 traffic-path code (egress only), where known.
    pub traffic_path: Option<u8>,
}

/// The record as a line of `fields` (from [`parse`]), in their order, separated by single spaces.
pub fn render(fields: &[String], record: &RecordFields) -> String {
    let version = version(fields);
    let dash = || "-".to_string();
    let values: Vec<String> = fields
        .iter()
        .map(|field| match field.as_str() {
            "version" => version.to_string(),
            "account-id" => record.account_id.clone(),
            "interface-id" => record.interface_id.clone(),
            "srcaddr" => record.srcaddr.to_string(),
            "dstaddr" => record.dstaddr.to_string(),
            "srcport" => record.srcport.to_string(),
            "dstport" => record.dstport.to_string(),
            "protocol" => record.protocol.to_string(),
            "packets" => record.packets.to_string(),
            "bytes" => record.bytes.to_string(),
            "start" => record.start.to_string(),
            "end" => record.end.to_string(),
            "action" => record.action.as_str().to_string(),
            "log-status" => "OK".to_string(),
            "vpc-id" => record.vpc_id.clone(),
            "subnet-id" => record.subnet_id.clone(),
            "instance-id" => record.instance_id.clone().unwrap_or_else(dash),
            "tcp-flags" => record.tcp_flags.map_or_else(dash, |flags| flags.to_string()),
            "type" => if record.srcaddr.is_ipv6() { "IPv6" } else { "IPv4" }.to_string(),
            "pkt-srcaddr" => record.pkt_srcaddr.to_string(),
            "pkt-dstaddr" => record.pkt_dstaddr.to_string(),
            "region" => record.region.clone(),
            "az-id" => record.az_id.clone(),
            "flow-direction" => if record.ingress { "ingress" } else { "egress" }.to_string(),
            "traffic-path" => record.traffic_path.filter(|_| !record.ingress).map_or_else(dash, |p| p.to_string()),
            // sublocation-*, pkt-*-aws-service: nothing localvpc models (no Local Zones, no AWS service addresses
            // behind an interface).
            _ => dash(),
        })
        .collect();
    values.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> RecordFields {
        RecordFields {
            account_id: "123456789012".into(),
            interface_id: "eni-1".into(),
            srcaddr: IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 1, 5)),
            dstaddr: IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 1, 6)),
            srcport: 0,
            dstport: 0,
            protocol: 1,
            packets: 1,
            bytes: 84,
            start: 1_418_530_010,
            end: 1_418_530_010,
            action: Action::Accept,
            vpc_id: "vpc-1".into(),
            subnet_id: "subnet-1".into(),
            instance_id: None,
            tcp_flags: None,
            pkt_srcaddr: IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 1, 5)),
            pkt_dstaddr: IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 1, 6)),
            region: "us-east-1".into(),
            az_id: "use1-az1".into(),
            ingress: true,
            traffic_path: Some(1),
        }
    }

    #[test]
    fn the_default_format_prints_version_2_with_fourteen_fields() {
        let fields = parse(DEFAULT_FORMAT).unwrap();
        assert_eq!(fields.len(), 14);
        assert_eq!(
            render(&fields, &record()),
            "2 123456789012 eni-1 10.0.1.5 10.0.1.6 0 0 1 1 84 1418530010 1418530010 ACCEPT OK"
        );
    }

    #[test]
    fn a_custom_format_prints_the_highest_version_and_dashes_for_what_does_not_apply() {
        let fields = parse("${version} ${instance-id} ${traffic-path} ${flow-direction} ${vpc-id}").unwrap();
        assert_eq!(render(&fields, &record()), "5 - - ingress vpc-1");
    }

    #[test]
    fn unknown_fields_and_bare_words_are_refused() {
        assert_eq!(parse("${version} ${nope}"), Err(FlowLogError::InvalidLogFormat("${nope}".into()).into()));
        assert_eq!(parse("version"), Err(FlowLogError::InvalidLogFormat("version".into()).into()));
        assert_eq!(parse(""), Err(FlowLogError::InvalidLogFormat(String::new()).into()));
    }
}
