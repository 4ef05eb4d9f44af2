//! The DNS servers of the kernel data plane: one per VPC, listening (UDP and TCP port 53) at the VPC's base + 2
//! inside its router namespace, and the public resolver of the emulated internet inside `lv-internet`.
//!
//! Every answer is the engine's (`localvpc_engine::dns::answer_query`): this module parses the query (hickory-proto),
//! asks the engine with the query's source address, its type (AAAA, or A for any other: part 2 §16.4) and the
//! newest realised topology, and writes the reply. When
//! the engine says [`Answer::Timeout`] (DNS support off, a query from outside the VPC) nothing is sent, as AWS
//! sends nothing. The sockets are opened on a thread that entered the namespace, then served by tokio tasks;
//! a server stops (its tasks aborted, its sockets closed) when its VPC goes.
//!
//! Left out: recursion to the real internet (no traffic leaves the host), PTR records, DNSSEC.

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use hickory_proto::op::{Edns, Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA};
use hickory_proto::rr::{RData, Record, RecordType};
use localvpc_engine::dns::{self, Answer, QueryType};
use localvpc_engine::Topology;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::task::JoinHandle;

use crate::apply::KernelError;
use crate::{netns, Names};

/// The TTL of every record: short, since a public address changes with an Elastic IP association.
const TTL: u32 = 60;
/// How long a TCP client may stay silent before its connection is closed.
const TCP_IDLE: Duration = Duration::from_secs(10);
/// The DNS port.
const PORT: u16 = 53;

/// The topology the servers answer from, replaced after each realisation.
type Shared = Arc<RwLock<Arc<Topology>>>;

/// The running DNS servers.
pub struct Resolvers {
    names: Names,
    topology: Shared,
    running: HashMap<(String, IpAddr), Server>,
}

/// Who a server is (the engine's [`dns::Server`], owned).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Role {
    Vpc(String),
    Internet,
}

impl Role {
    fn server(&self) -> dns::Server<'_> {
        match self {
            Role::Vpc(id) => dns::Server::Amazon(id),
            Role::Internet => dns::Server::Public,
        }
    }
}

struct Server {
    address: IpAddr,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Resolvers {
    /// No servers yet.
    pub fn new(names: Names, topology: Arc<Topology>) -> Resolvers {
        Resolvers { names, topology: Arc::new(RwLock::new(topology)), running: HashMap::new() }
    }

    /// Answers from `topology` from now on, starts the servers of new VPCs (their router namespaces and base + 2
    /// addresses must be realised already) and stops those of VPCs that went. A server that cannot start is
    /// reported and retried on the next call.
    pub async fn sync(&mut self, topology: Arc<Topology>) -> Vec<KernelError> {
        // A server per (namespace, address): a VPC's resolver listens at base + 2 and, with IPv6, at fd00:ec2::253.
        let mut wanted: HashMap<(String, IpAddr), Role> = HashMap::new();
        wanted.insert((self.names.internet(), IpAddr::V4(dns::PUBLIC_RESOLVER)), Role::Internet);
        for (index, vpc) in topology.vpcs.iter().enumerate() {
            for address in dns::amazon_resolver_addresses(&topology, index) {
                wanted.insert((self.names.router(&vpc.id), address), Role::Vpc(vpc.id.clone()));
            }
        }
        *self.topology.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = topology;
        self.running.retain(|key, server| key.1 == server.address && wanted.contains_key(key));
        let mut errors = Vec::new();
        for ((namespace, address), role) in wanted {
            let key = (namespace, address);
            if self.running.contains_key(&key) {
                continue;
            }
            let namespace = &key.0;
            match self.start(namespace, role, address).await {
                Ok(server) => {
                    self.running.insert(key, server);
                }
                Err(source) => errors.push(KernelError { place: format!("{namespace}: DNS at {address}"), source }),
            }
        }
        errors
    }

    /// Stops every server.
    pub fn stop(&mut self) {
        self.running.clear();
    }

    async fn start(&self, namespace: &str, role: Role, address: IpAddr) -> io::Result<Server> {
        let owned = namespace.to_string();
        let (udp, tcp) = tokio::task::spawn_blocking(move || {
            netns::run_in(&owned, move || {
                let udp = std::net::UdpSocket::bind((address, PORT))?;
                udp.set_nonblocking(true)?;
                let tcp = std::net::TcpListener::bind((address, PORT))?;
                tcp.set_nonblocking(true)?;
                Ok((udp, tcp))
            })
        })
        .await
        .map_err(io::Error::other)??;
        let (udp, tcp) = (UdpSocket::from_std(udp)?, TcpListener::from_std(tcp)?);
        let tasks = vec![
            tokio::spawn(serve_udp(udp, role.clone(), Arc::clone(&self.topology))),
            tokio::spawn(serve_tcp(tcp, role, Arc::clone(&self.topology))),
        ];
        Ok(Server { address, tasks })
    }
}

fn current(topology: &Shared) -> Arc<Topology> {
    Arc::clone(&topology.read().unwrap_or_else(|poisoned| poisoned.into_inner()))
}

async fn serve_udp(socket: UdpSocket, role: Role, topology: Shared) {
    let mut buffer = vec![0u8; 4096];
    loop {
        let Ok((length, peer)) = socket.recv_from(&mut buffer).await else { continue };
        if let Some(reply) = respond(&buffer[..length], peer.ip(), role.server(), &current(&topology)) {
            let _ = socket.send_to(&reply, peer).await;
        }
    }
}

async fn serve_tcp(listener: TcpListener, role: Role, topology: Shared) {
    loop {
        let Ok((stream, peer)) = listener.accept().await else { continue };
        tokio::spawn(serve_connection(stream, peer.ip(), role.clone(), Arc::clone(&topology)));
    }
}

/// DNS over TCP: each message carries a two-byte length (RFC 1035 §4.2.2); a query the engine leaves unanswered
/// leaves the client waiting, as AWS does.
async fn serve_connection(mut stream: TcpStream, source: IpAddr, role: Role, topology: Shared) {
    loop {
        let mut length = [0u8; 2];
        match tokio::time::timeout(TCP_IDLE, stream.read_exact(&mut length)).await {
            Ok(Ok(_)) => {}
            _ => return,
        }
        let mut query = vec![0u8; usize::from(u16::from_be_bytes(length))];
        if !matches!(tokio::time::timeout(TCP_IDLE, stream.read_exact(&mut query)).await, Ok(Ok(_))) {
            return;
        }
        let Some(reply) = respond(&query, source, role.server(), &current(&topology)) else { continue };
        let Ok(length) = u16::try_from(reply.len()) else { return };
        let mut framed = length.to_be_bytes().to_vec();
        framed.extend_from_slice(&reply);
        if stream.write_all(&framed).await.is_err() {
            return;
        }
    }
}

/// The reply to one query, or `None` when nothing is to be sent (unreadable, not a query, or the engine's
/// [`Answer::Timeout`]).
pub fn respond(query: &[u8], source: IpAddr, server: dns::Server<'_>, topology: &Topology) -> Option<Vec<u8>> {
    let request = Message::from_vec(query).ok()?;
    let [question] = request.queries.as_slice() else { return None };
    if request.metadata.message_type != MessageType::Query || request.metadata.op_code != OpCode::Query {
        return None;
    }
    let qtype = if question.query_type() == RecordType::AAAA { QueryType::Aaaa } else { QueryType::A };
    let answer = dns::answer_query(topology, server, source, &question.name().to_string(), qtype);
    let mut response = Message::response(request.metadata.id, OpCode::Query);
    response.metadata.recursion_desired = request.metadata.recursion_desired;
    response.metadata.recursion_available = true;
    response.add_query(question.clone());
    if request.edns.is_some() {
        // RFC 6891 §6.1.1: a query with an OPT record gets one back.
        response.set_edns(Edns::new());
    }
    match answer {
        Answer::Timeout => return None,
        Answer::NxDomain => response.metadata.response_code = ResponseCode::NXDomain,
        // The name exists without a record of the type asked (an IP name asked AAAA): an empty answer (NODATA).
        Answer::NoData => {}
        // The name exists: an A (or ANY) question gets the address, any other type an empty answer (NODATA).
        Answer::Address(address) => {
            if matches!(question.query_type(), RecordType::A | RecordType::ANY) {
                response.add_answer(Record::from_rdata(question.name().clone(), TTL, RData::A(A(address))));
            }
        }
        Answer::Ipv6Address(address) => {
            response.add_answer(Record::from_rdata(question.name().clone(), TTL, RData::AAAA(AAAA(address))));
        }
    }
    response.to_vec().ok()
}

#[cfg(test)]
mod tests {
    use hickory_proto::op::Query;
    use hickory_proto::rr::Name;
    use localvpc_model::World;

    use super::*;

    fn ask(name: &str, record: RecordType) -> Message {
        let mut query = Message::query();
        query.add_query(Query::query(Name::from_ascii(name).unwrap(), record));
        let topology = Topology::compile(&World::default(), 1);
        let reply = respond(&query.to_vec().unwrap(), dns::PUBLIC_RESOLVER.into(), dns::Server::Public, &topology);
        Message::from_vec(&reply.expect("the public resolver answers")).unwrap()
    }

    #[test]
    fn an_aaaa_question_for_a_name_with_only_an_a_record_gets_an_empty_answer() {
        let a = ask("s3.us-east-1.amazonaws.com.", RecordType::A);
        assert_eq!((a.metadata.response_code, a.answers.len()), (ResponseCode::NoError, 1));
        assert_eq!(a.answers[0].record_type(), RecordType::A);
        let aaaa = ask("s3.us-east-1.amazonaws.com.", RecordType::AAAA);
        assert_eq!((aaaa.metadata.response_code, aaaa.answers.len()), (ResponseCode::NoError, 0));
        let missing = ask("nothing.example.com.", RecordType::AAAA);
        assert_eq!(missing.metadata.response_code, ResponseCode::NXDomain);
    }
}
