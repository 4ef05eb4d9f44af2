//! The pure half of flow log capture: a logged packet's headers read, and packets summed per interface, direction
//! and 5-tuple into the records a flow log holds (part 2 §18.2), flushed when the flow goes idle or its window ends.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use localvpc_engine::flow_log::ObservedFlow;
use localvpc_model::flow_log::format::Action;

use super::Seen;

/// ASSUMPTION (part 2 §18.2 [I]: "localvpc flushes per virtual-clock window and may flush immediately"): a record
/// is flushed once its flow has been idle this long, so `localvpc flow-logs` shows it within seconds.
pub const IDLE_MS: u64 = 5_000;
/// ASSUMPTION: and at the latest after the shorter `MaxAggregationInterval` AWS offers (60 s), whichever flow log
/// covers the interface (the kernel plane does not tell them apart).
pub const WINDOW_MS: u64 = 60_000;

const TCP: u8 = 6;
const UDP: u8 = 17;

/// What the headers of one logged packet say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacketHeaders {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// IANA protocol number.
    pub protocol: u8,
    /// Source port (TCP, UDP; 0 otherwise).
    pub srcport: u16,
    /// Destination port (TCP, UDP; 0 otherwise).
    pub dstport: u16,
    /// The packet's length (IP total length).
    pub bytes: u64,
    /// TCP flags (TCP only).
    pub tcp_flags: Option<u8>,
}

/// Reads an IPv4 or IPv6 packet's addresses, protocol, ports and length (ICMP and others: ports 0). IPv6
/// extension headers are not followed (their next header is taken as the protocol).
pub fn parse_packet(packet: &[u8]) -> Option<PacketHeaders> {
    let version = packet.first()? >> 4;
    let (src, dst, protocol, bytes, transport) = match version {
        4 => {
            let header = usize::from(packet.first()? & 0x0f) * 4;
            let octets = |at: usize| -> Option<[u8; 4]> { packet.get(at..at + 4)?.try_into().ok() };
            let total = u16::from_be_bytes(packet.get(2..4)?.try_into().ok()?);
            let fragment_offset = u16::from_be_bytes(packet.get(6..8)?.try_into().ok()?) & 0x1fff;
            // A later fragment carries no transport header.
            let transport = if fragment_offset == 0 { packet.get(header..) } else { None };
            let (src, dst) = (Ipv4Addr::from(octets(12)?), Ipv4Addr::from(octets(16)?));
            (IpAddr::V4(src), IpAddr::V4(dst), *packet.get(9)?, u64::from(total), transport)
        }
        6 => {
            let octets = |at: usize| -> Option<[u8; 16]> { packet.get(at..at + 16)?.try_into().ok() };
            let payload = u16::from_be_bytes(packet.get(4..6)?.try_into().ok()?);
            let (src, dst) = (Ipv6Addr::from(octets(8)?), Ipv6Addr::from(octets(24)?));
            (IpAddr::V6(src), IpAddr::V6(dst), *packet.get(6)?, u64::from(payload) + 40, packet.get(40..))
        }
        _ => return None,
    };
    let port = |at: usize| transport.and_then(|t| t.get(at..at + 2)).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let (srcport, dstport) = match protocol {
        TCP | UDP => (port(0).unwrap_or(0), port(2).unwrap_or(0)),
        _ => (0, 0),
    };
    let tcp_flags = (protocol == TCP).then(|| transport.and_then(|t| t.get(13)).copied().unwrap_or(0));
    Some(PacketHeaders { src, dst, protocol, srcport, dstport, bytes, tcp_flags })
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    interface_id: String,
    ingress: bool,
    src: IpAddr,
    dst: IpAddr,
    srcport: u16,
    dstport: u16,
    protocol: u8,
}

#[derive(Debug, Default, Clone, Copy)]
struct Count {
    packets: u64,
    bytes: u64,
}

impl Count {
    fn add(&mut self, bytes: u64) {
        self.packets += 1;
        self.bytes += bytes;
    }
}

#[derive(Debug, Default)]
struct Window {
    first_ms: u64,
    last_ms: u64,
    accepted: Count,
    refused: Count,
    acl_denied: Count,
    tcp_flags: Option<u8>,
}

/// Packets summed per (interface, direction, 5-tuple) until flushed.
#[derive(Debug, Default)]
pub struct Aggregator {
    windows: HashMap<Key, Window>,
}

impl Aggregator {
    /// Counts one packet `interface_id` saw (`ingress`: it received it) at `now_ms` (Unix milliseconds).
    pub fn add(&mut self, interface_id: &str, ingress: bool, seen: Seen, packet: &PacketHeaders, now_ms: u64) {
        let key = Key {
            interface_id: interface_id.to_string(),
            ingress,
            src: packet.src,
            dst: packet.dst,
            srcport: packet.srcport,
            dstport: packet.dstport,
            protocol: packet.protocol,
        };
        let window = self.windows.entry(key).or_insert_with(|| Window { first_ms: now_ms, ..Window::default() });
        window.last_ms = now_ms;
        match seen {
            Seen::Accepted => window.accepted.add(packet.bytes),
            Seen::Refused => window.refused.add(packet.bytes),
            Seen::AclDenied => window.acl_denied.add(packet.bytes),
        }
        if let Some(flags) = packet.tcp_flags {
            window.tcp_flags = Some(window.tcp_flags.unwrap_or(0) | flags);
        }
    }

    /// The records of the flows idle for [`IDLE_MS`] or open for [`WINDOW_MS`] at `now_ms` (all with `everything`),
    /// removed from the aggregator.
    pub fn flush(&mut self, now_ms: u64, everything: bool) -> Vec<ObservedFlow> {
        let due = |window: &Window| {
            everything
                || now_ms.saturating_sub(window.last_ms) >= IDLE_MS
                || now_ms.saturating_sub(window.first_ms) >= WINDOW_MS
        };
        let keys: Vec<Key> =
            self.windows.iter().filter(|(_, window)| due(window)).map(|(key, _)| key.clone()).collect();
        let mut records = Vec::new();
        for key in keys {
            let Some(window) = self.windows.remove(&key) else { continue };
            records.extend(records_of(&key, &window));
        }
        records
    }
}

/// A window's ACCEPT and REJECT records. A packet a network ACL denied after the interface's groups let it out was
/// counted as accepted by the groups first: at the interface it is a REJECT (the engine's rule, part 2 §18.3 [I]).
fn records_of(key: &Key, window: &Window) -> Vec<ObservedFlow> {
    let moved = Count {
        packets: window.acl_denied.packets.min(window.accepted.packets),
        bytes: window.acl_denied.bytes.min(window.accepted.bytes),
    };
    let accepted =
        Count { packets: window.accepted.packets - moved.packets, bytes: window.accepted.bytes - moved.bytes };
    let rejected = Count {
        packets: window.refused.packets + window.acl_denied.packets,
        bytes: window.refused.bytes + window.acl_denied.bytes,
    };
    [(Action::Accept, accepted), (Action::Reject, rejected)]
        .into_iter()
        .filter(|(_, count)| count.packets > 0)
        .map(|(action, count)| ObservedFlow {
            interface_id: key.interface_id.clone(),
            ingress: key.ingress,
            src: key.src,
            dst: key.dst,
            srcport: key.srcport,
            dstport: key.dstport,
            protocol: i32::from(key.protocol),
            packets: count.packets,
            bytes: count.bytes,
            tcp_flags: window.tcp_flags,
            action,
            start: window.first_ms / 1000,
            end: window.last_ms / 1000,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 84-byte ICMP echo request 10.0.1.10 → 10.0.1.20.
    fn echo() -> Vec<u8> {
        let mut packet = vec![0u8; 84];
        packet[0] = 0x45;
        packet[2..4].copy_from_slice(&84u16.to_be_bytes());
        packet[9] = 1;
        packet[12..16].copy_from_slice(&[10, 0, 1, 10]);
        packet[16..20].copy_from_slice(&[10, 0, 1, 20]);
        packet[20] = 8;
        packet
    }

    fn syn(port: u16) -> Vec<u8> {
        let mut packet = vec![0u8; 60];
        packet[0] = 0x45;
        packet[2..4].copy_from_slice(&60u16.to_be_bytes());
        packet[9] = 6;
        packet[12..16].copy_from_slice(&[10, 0, 1, 10]);
        packet[16..20].copy_from_slice(&[10, 0, 1, 20]);
        packet[20..22].copy_from_slice(&40_000u16.to_be_bytes());
        packet[22..24].copy_from_slice(&port.to_be_bytes());
        packet[33] = 0x02;
        packet
    }

    #[test]
    fn icmp_is_read_with_ports_zero_and_its_total_length() {
        let headers = parse_packet(&echo()).unwrap();
        assert_eq!(headers.src, "10.0.1.10".parse::<IpAddr>().unwrap());
        assert_eq!(headers.dst, "10.0.1.20".parse::<IpAddr>().unwrap());
        assert_eq!((headers.protocol, headers.srcport, headers.dstport, headers.bytes), (1, 0, 0, 84));
        assert_eq!(headers.tcp_flags, None);
    }

    #[test]
    fn tcp_is_read_with_its_ports_and_flags() {
        let headers = parse_packet(&syn(22)).unwrap();
        assert_eq!((headers.protocol, headers.srcport, headers.dstport, headers.tcp_flags), (6, 40_000, 22, Some(2)));
    }

    #[test]
    fn an_ipv6_packet_is_read_from_its_fixed_header() {
        let mut packet = vec![0u8; 48];
        packet[0] = 0x60;
        packet[4..6].copy_from_slice(&8u16.to_be_bytes());
        packet[6] = 17;
        packet[8..24].copy_from_slice(&"2600:1f18::1".parse::<Ipv6Addr>().unwrap().octets());
        packet[24..40].copy_from_slice(&"2600:1f18::2".parse::<Ipv6Addr>().unwrap().octets());
        packet[40..42].copy_from_slice(&5353u16.to_be_bytes());
        packet[42..44].copy_from_slice(&53u16.to_be_bytes());
        let headers = parse_packet(&packet).unwrap();
        assert_eq!((headers.protocol, headers.srcport, headers.dstport, headers.bytes), (17, 5353, 53, 48));
        assert_eq!(headers.dst, "2600:1f18::2".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn packets_of_one_flow_are_summed_and_flushed_once_idle() {
        let mut aggregator = Aggregator::default();
        let packet = parse_packet(&echo()).unwrap();
        aggregator.add("eni-1", false, Seen::Accepted, &packet, 10_000);
        aggregator.add("eni-1", false, Seen::Accepted, &packet, 11_000);
        assert!(aggregator.flush(12_000, false).is_empty(), "not idle yet");
        let records = aggregator.flush(11_000 + IDLE_MS, false);
        assert_eq!(records.len(), 1);
        assert_eq!((records[0].packets, records[0].bytes, records[0].action), (2, 168, Action::Accept));
        assert_eq!((records[0].start, records[0].end), (10, 11));
        assert!(aggregator.flush(100_000, true).is_empty(), "flushed once");
    }

    #[test]
    fn a_busy_flow_is_flushed_when_its_window_ends() {
        let mut aggregator = Aggregator::default();
        let packet = parse_packet(&echo()).unwrap();
        for second in 0..=60u64 {
            aggregator.add("eni-1", true, Seen::Accepted, &packet, second * 1000);
        }
        let records = aggregator.flush(WINDOW_MS, false);
        assert_eq!(records[0].packets, 61);
    }

    #[test]
    fn an_acl_deny_turns_the_groups_accept_into_a_reject_at_the_sender() {
        let mut aggregator = Aggregator::default();
        let packet = parse_packet(&syn(22)).unwrap();
        aggregator.add("eni-1", false, Seen::Accepted, &packet, 0);
        aggregator.add("eni-1", false, Seen::AclDenied, &packet, 0);
        aggregator.add("eni-2", true, Seen::Refused, &packet, 0);
        let mut records = aggregator.flush(0, true);
        records.sort_by(|a, b| a.interface_id.cmp(&b.interface_id));
        assert_eq!(records.len(), 2, "{records:?}");
        assert_eq!((records[0].interface_id.as_str(), records[0].action), ("eni-1", Action::Reject));
        assert_eq!(
            (records[1].interface_id.as_str(), records[1].action, records[1].ingress),
            ("eni-2", Action::Reject, true)
        );
        assert_eq!(records[0].tcp_flags, Some(2));
    }
}
