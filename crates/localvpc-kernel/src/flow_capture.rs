//! VPC flow logs of real traffic (part 2 §18.3): the packets the plan's log statements (`plan/capture.rs`) hand to
//! netfilter log group [`GROUP`], read per namespace and summed into records for the API's flow log store.
//!
//! Each namespace whose table logs gets one NETLINK_NETFILTER socket bound to the group, opened on a thread that
//! entered the namespace (NFLOG groups are per network namespace) and then served by a tokio task. The prefix of
//! each packet names the interface, the direction and what was decided ([`prefix`]); the headers give the
//! 5-tuple and length. One aggregator task sums them ([`aggregate::Aggregator`]) and hands flushed records to the
//! sink every second. A reader holds its namespace (a socket keeps a network namespace alive), so readers of
//! namespaces about to go are stopped before the realiser deletes them ([`FlowCapture::retain`]).

pub mod aggregate;

use std::collections::HashMap;
use std::io;
use std::os::fd::{FromRawFd, IntoRawFd};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use localvpc_engine::flow_log::ObservedFlow;
use netlink_packet_core::{NetlinkMessage, NetlinkPayload};
use netlink_packet_netfilter::nflog::{config_request, ConfigCmd, ConfigMode, PacketNla, Timeout, ULogMessage};
use netlink_packet_netfilter::{NetfilterMessage, NetfilterMessageInner, NetfilterProtoFamily};
use netlink_sys::{AsyncSocketExt, TokioSocket};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::apply::KernelError;
use crate::firewall::Verdict;
use crate::netns;
use crate::state::KernelState;
use aggregate::{parse_packet, Aggregator, PacketHeaders};

/// The NFLOG group flow log capture logs to, in every namespace.
pub const GROUP: u16 = 18;
/// Bytes of each packet copied to the reader: the IP and transport headers are all it reads.
const COPY_RANGE: u32 = 128;
/// How often idle flows are flushed.
const FLUSH_EVERY: Duration = Duration::from_secs(1);

/// What the plan decided for a logged packet at its interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Seen {
    /// The interface's security groups let it through.
    Accepted,
    /// The interface's security groups refused it.
    Refused,
    /// The subnet's network ACL denied it on its way from or to the interface.
    AclDenied,
}

const PREFIX: &str = "lvfl";

/// The log prefix naming an interface, a direction and a decision: `lvfl eni-… i|e A|R|N` (under nftables' 127
/// bytes for any interface ID).
pub fn prefix(interface_id: &str, ingress: bool, seen: Seen) -> String {
    let direction = if ingress { 'i' } else { 'e' };
    let decision = match seen {
        Seen::Accepted => 'A',
        Seen::Refused => 'R',
        Seen::AclDenied => 'N',
    };
    format!("{PREFIX} {interface_id} {direction} {decision}")
}

/// Reads a [`prefix`] back: interface, ingress, decision.
pub fn parse_prefix(text: &str) -> Option<(&str, bool, Seen)> {
    let mut words = text.split(' ');
    if words.next()? != PREFIX {
        return None;
    }
    let interface_id = words.next()?;
    let ingress = match words.next()? {
        "i" => true,
        "e" => false,
        _ => return None,
    };
    let seen = match words.next()? {
        "A" => Seen::Accepted,
        "R" => Seen::Refused,
        "N" => Seen::AclDenied,
        _ => return None,
    };
    Some((interface_id, ingress, seen))
}

/// Where flushed records go (the API's flow log store).
pub type Sink = Arc<dyn Fn(Vec<ObservedFlow>) + Send + Sync>;

/// One logged packet, as a reader hands it to the aggregator.
struct Logged {
    interface_id: String,
    ingress: bool,
    seen: Seen,
    headers: PacketHeaders,
}

/// The readers and the aggregator.
pub struct FlowCapture {
    readers: HashMap<String, JoinHandle<()>>,
    packets: mpsc::UnboundedSender<Logged>,
    aggregator: JoinHandle<()>,
}

impl FlowCapture {
    /// No readers yet; flushed records go to `sink`.
    pub fn new(sink: Sink) -> FlowCapture {
        let (packets, received) = mpsc::unbounded_channel();
        let aggregator = tokio::spawn(aggregate_packets(received, sink));
        FlowCapture { readers: HashMap::new(), packets, aggregator }
    }

    /// Stops the readers of namespaces `desired` does not log in (call before realising it: a reader keeps its
    /// namespace alive).
    pub async fn retain(&mut self, desired: &KernelState) {
        let gone: Vec<String> = self.readers.keys().filter(|namespace| !logs_in(desired, namespace)).cloned().collect();
        for namespace in gone {
            if let Some(reader) = self.readers.remove(&namespace) {
                reader.abort();
                let _ = reader.await;
            }
        }
    }

    /// Starts a reader in each namespace of `desired` that logs and has none (call after realising it). A reader
    /// that cannot start is reported and retried on the next call.
    pub async fn sync(&mut self, desired: &KernelState) -> Vec<KernelError> {
        let mut errors = Vec::new();
        for namespace in desired.namespaces.keys().filter(|namespace| logs_in(desired, namespace)) {
            if self.readers.contains_key(namespace) {
                continue;
            }
            match open(namespace).await {
                Ok(socket) => {
                    let reader = tokio::spawn(read_packets(socket, self.packets.clone()));
                    self.readers.insert(namespace.clone(), reader);
                }
                Err(source) => errors.push(KernelError { place: format!("{namespace}: flow log capture"), source }),
            }
        }
        errors
    }

    /// Stops every reader (before a teardown) and the aggregator, after flushing what it holds.
    pub async fn stop(mut self) {
        self.retain(&KernelState::default()).await;
        drop(self.packets);
        let _ = self.aggregator.await;
    }
}

fn logs_in(desired: &KernelState, namespace: &str) -> bool {
    desired.namespaces.get(namespace).is_some_and(|spec| {
        spec.firewall
            .chains
            .iter()
            .flat_map(|chain| &chain.rules)
            .any(|rule| matches!(rule.verdict, Verdict::Log { group: GROUP, .. }))
    })
}

fn unix_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|elapsed| elapsed.as_millis() as u64).unwrap_or_default()
}

async fn aggregate_packets(mut received: mpsc::UnboundedReceiver<Logged>, sink: Sink) {
    let mut aggregator = Aggregator::default();
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    loop {
        tokio::select! {
            packet = received.recv() => match packet {
                Some(packet) => {
                    aggregator.add(&packet.interface_id, packet.ingress, packet.seen, &packet.headers, unix_ms());
                }
                None => break,
            },
            _ = tick.tick() => {
                let records = aggregator.flush(unix_ms(), false);
                if !records.is_empty() {
                    sink(records);
                }
            }
        }
    }
    let records = aggregator.flush(unix_ms(), true);
    if !records.is_empty() {
        sink(records);
    }
}

/// A NETLINK_NETFILTER socket in `namespace`, bound to [`GROUP`] and copying packets' headers.
async fn open(namespace: &str) -> io::Result<TokioSocket> {
    let owned = namespace.to_string();
    let socket =
        tokio::task::spawn_blocking(move || netns::run_in(&owned, bind_here)).await.map_err(io::Error::other)??;
    socket.set_non_blocking(true)?;
    // SAFETY: the descriptor was just taken out of an owned socket; the TokioSocket owns it from now on.
    Ok(unsafe { TokioSocket::from_raw_fd(socket.into_raw_fd()) })
}

fn bind_here() -> io::Result<netlink_sys::Socket> {
    let mut socket = netlink_sys::Socket::new(netlink_sys::constants::NETLINK_NETFILTER)?;
    socket.bind_auto()?;
    // Packets reach the reader within a tenth of a second rather than the kernel's default second.
    let config = vec![ConfigCmd::Bind.into(), ConfigMode::new_packet(COPY_RANGE).into(), Timeout::new(10).into()];
    request(&socket, config_request(NetfilterProtoFamily::Unspec, GROUP, config))?;
    Ok(socket)
}

/// Sends a configuration request and reads its acknowledgement.
fn request(socket: &netlink_sys::Socket, mut message: NetlinkMessage<NetfilterMessage>) -> io::Result<()> {
    message.finalize();
    let mut buffer = vec![0; message.header.length as usize];
    message.serialize(&mut buffer);
    socket.send(&buffer, 0)?;
    let mut answer = vec![0; 4096];
    let length = socket.recv(&mut &mut answer[..], 0)?;
    let reply = NetlinkMessage::<NetfilterMessage>::deserialize(&answer[..length]).map_err(io::Error::other)?;
    match reply.payload {
        NetlinkPayload::Error(error) if error.code.is_some() => Err(error.to_io()),
        _ => Ok(()),
    }
}

async fn read_packets(socket: TokioSocket, packets: mpsc::UnboundedSender<Logged>) {
    loop {
        let received = match socket.recv_from_full().await {
            Ok((received, _)) => received,
            // ENOBUFS: packets were lost while the reader was behind; keep reading.
            Err(error) if error.raw_os_error() == Some(nix::libc::ENOBUFS) => continue,
            Err(error) => {
                tracing::warn!(%error, "flow log capture stopped reading");
                return;
            }
        };
        for logged in decode(&received) {
            if packets.send(logged).is_err() {
                return;
            }
        }
    }
}

/// The logged packets in one datagram (the kernel batches several messages).
fn decode(mut bytes: &[u8]) -> Vec<Logged> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let Ok(message) = NetlinkMessage::<NetfilterMessage>::deserialize(bytes) else { break };
        let length = message.header.length as usize;
        if let NetlinkPayload::InnerMessage(NetfilterMessage {
            inner: NetfilterMessageInner::ULog(ULogMessage::Packet(attributes)),
            ..
        }) = &message.payload
        {
            let prefix = attributes.iter().find_map(|nla| match nla {
                PacketNla::Prefix(text) => text.to_str().ok(),
                _ => None,
            });
            let payload = attributes.iter().find_map(|nla| match nla {
                PacketNla::Payload(bytes) => Some(bytes.as_slice()),
                _ => None,
            });
            if let (Some((interface_id, ingress, seen)), Some(headers)) =
                (prefix.and_then(parse_prefix), payload.and_then(parse_packet))
            {
                out.push(Logged { interface_id: interface_id.to_string(), ingress, seen, headers });
            }
        }
        if length == 0 || length > bytes.len() {
            break;
        }
        // Netlink messages are 4-byte aligned.
        bytes = bytes.get((length + 3) & !3..).unwrap_or_default();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_names_the_interface_direction_and_decision_and_reads_back() {
        let text = prefix("eni-0123456789abcdef0", true, Seen::AclDenied);
        assert_eq!(text, "lvfl eni-0123456789abcdef0 i N");
        assert!(text.len() <= 127);
        assert_eq!(parse_prefix(&text), Some(("eni-0123456789abcdef0", true, Seen::AclDenied)));
        assert_eq!(parse_prefix("other eni-1 e A"), None);
    }
}
