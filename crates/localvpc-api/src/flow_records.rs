//! Where VPC flow log records go (part 2 §18.1 destinations, [I] for localvpc): every probe `localvpc exec` sends
//! is turned into records by the engine (`localvpc_engine::flow_log`), matched with the flow logs that cover each
//! interface (`localvpc_model::flow_log::covering`), stamped with the emulator's clock and formatted with each flow
//! log's `LogFormat`; the lines are kept here and read through `GET /_localvpc/v1/flow-logs`.
//!
//! Shape: one stream per flow log, keyed by its owner's scope and its ID. Each line has a sequence number (1, 2, …)
//! that is the reader's cursor. The last [`KEPT`] lines stay in memory; when the server has a data directory
//! (`serve --store sqlite:PATH` → `PATH.flow-logs/`) every line is also appended to
//! `<dir>/<account>/<region>/<fl-id>.log`, one line per record, so a restarted server reads them back (its
//! sequence numbers are line numbers). ASSUMPTION (part 2 §18.2 [I]: "localvpc flushes per virtual-clock window and
//! may flush immediately"): each record is flushed at once — one record per probe leg and interface, `start` =
//! `end` = the moment of the probe — rather than aggregated over `MaxAggregationInterval`. Records stay readable
//! after their flow log is deleted (a log group outlives its flow log on AWS); a reset removes them. With the kernel
//! data plane, real traffic's records come aggregated from `localvpc_kernel::flow_capture` (`record_observed`).
//! With a store shared by several servers each server keeps the records of the probes it answered.

use std::collections::{HashMap, VecDeque};
use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Mutex;

use localvpc_engine::dns::Resolver;
use localvpc_engine::flow_log::{records, ObservedFlow};
use localvpc_engine::packet::INTERNET_HOST;
use localvpc_engine::{trace_flow, Mode, Probe, Protocol, Topology, Trace, Vantage};
use localvpc_model::flow_log::format::{self, RecordFields};
use localvpc_model::flow_log::{covering, FlowLog};
use localvpc_model::{Scope, World};

use crate::control::Control;

/// Lines of one flow log kept in memory; older ones are read from the file, if any, or gone.
pub const KEPT: usize = 10_000;

#[derive(Debug, Default)]
struct Stream {
    /// The sequence number of `lines[0]`.
    first: u64,
    lines: VecDeque<String>,
}

impl Stream {
    fn next_sequence(&self) -> u64 {
        self.first + self.lines.len() as u64
    }
}

/// Every flow log's records.
#[derive(Debug, Default)]
pub struct FlowRecords {
    dir: Option<PathBuf>,
    streams: Mutex<HashMap<(Scope, String), Stream>>,
}

impl FlowRecords {
    /// Records kept in memory, and under `dir` when there is one.
    pub fn new(dir: Option<PathBuf>) -> Self {
        FlowRecords { dir, streams: Mutex::default() }
    }

    fn file(&self, scope: &Scope, flow_log_id: &str) -> Option<PathBuf> {
        self.dir.as_ref().map(|dir| dir.join(&scope.account).join(&scope.region).join(format!("{flow_log_id}.log")))
    }

    /// The stream of a flow log, read back from its file the first time it is asked for.
    fn stream<'a>(
        &self,
        streams: &'a mut HashMap<(Scope, String), Stream>,
        scope: &Scope,
        flow_log_id: &str,
    ) -> &'a mut Stream {
        streams.entry((scope.clone(), flow_log_id.to_string())).or_insert_with(|| {
            let mut stream = Stream { first: 1, lines: VecDeque::new() };
            let lines = self.file(scope, flow_log_id).and_then(|path| fs::File::open(path).ok());
            for line in lines.into_iter().flat_map(|file| BufReader::new(file).lines().map_while(Result::ok)) {
                stream.lines.push_back(line);
                if stream.lines.len() > KEPT {
                    stream.lines.pop_front();
                    stream.first += 1;
                }
            }
            stream
        })
    }

    /// Appends `line` to the flow log's stream (and file).
    pub fn append(&self, scope: &Scope, flow_log_id: &str, line: String) {
        let mut streams = self.streams.lock().expect("flow records lock");
        let stream = self.stream(&mut streams, scope, flow_log_id);
        if let Some(path) = self.file(scope, flow_log_id) {
            let written = path.parent().map_or(Ok(()), fs::create_dir_all).and_then(|()| {
                let mut file = OpenOptions::new().create(true).append(true).open(&path)?;
                file.write_all(format!("{line}\n").as_bytes())
            });
            if let Err(error) = written {
                tracing::warn!(%error, path = %path.display(), "cannot write a flow log record");
            }
        }
        stream.lines.push_back(line);
        if stream.lines.len() > KEPT {
            stream.lines.pop_front();
            stream.first += 1;
        }
    }

    /// Whether the flow log ever received a record here (its records outlive it).
    pub fn has_stream(&self, scope: &Scope, flow_log_id: &str) -> bool {
        let exists_on_disk = self.file(scope, flow_log_id).is_some_and(|path| path.exists());
        exists_on_disk
            || self.streams.lock().expect("flow records lock").contains_key(&(scope.clone(), flow_log_id.into()))
    }

    /// The records after sequence `since`, at most `limit`, each with its sequence number.
    pub fn read(&self, scope: &Scope, flow_log_id: &str, since: u64, limit: usize) -> Vec<(u64, String)> {
        let mut streams = self.streams.lock().expect("flow records lock");
        let stream = self.stream(&mut streams, scope, flow_log_id);
        let start = since.max(stream.first.saturating_sub(1));
        (start + 1..stream.next_sequence())
            .take(limit)
            .filter_map(|sequence| {
                let line = stream.lines.get((sequence - stream.first) as usize)?;
                Some((sequence, line.clone()))
            })
            .collect()
    }

    /// Forgets every record (the reset endpoints).
    pub fn clear(&self) {
        self.streams.lock().expect("flow records lock").clear();
        if let Some(dir) = &self.dir {
            let _ = fs::remove_dir_all(dir);
        }
    }
}

/// Records what the probe of `trace` (walked first-drop, as sent) leaves in the flow logs of every interface it
/// crossed. `explain`, the reachability matrix and Network Insights are analyses, not traffic: they never call this.
pub fn record_probe(control: &Control, world: &World, topology: &Topology, trace: &Trace) {
    // The probe path pays for flow logs only when some exist.
    if world.scopes().all(|(_, region)| region.flow_logs.is_empty()) {
        return;
    }
    let found = records(topology, trace);
    if found.is_empty() {
        return;
    }
    let seconds = Control::now(world).0 / 1000;
    for record in found {
        let node = &topology.enis[record.eni];
        let region = world.region(&node.scope);
        let Some(interface) = region.network_interfaces.get(node.id.as_str()) else { continue };
        let flow_logs: Vec<_> = covering(region, &interface.id, &interface.subnet_id, &interface.vpc_id)
            .into_iter()
            .filter(|flow_log| flow_log.captures(record.action))
            .collect();
        if flow_logs.is_empty() {
            continue;
        }
        let fields = RecordFields {
            account_id: node.scope.account.clone(),
            interface_id: interface.id.clone(),
            srcaddr: record.srcaddr,
            dstaddr: record.dstaddr,
            srcport: record.srcport,
            dstport: record.dstport,
            protocol: record.protocol,
            packets: record.packets,
            bytes: record.bytes,
            start: seconds,
            end: seconds,
            action: record.action,
            vpc_id: interface.vpc_id.clone(),
            subnet_id: interface.subnet_id.clone(),
            instance_id: node.instance_id.clone().filter(|_| interface.managed_by.is_none()),
            tcp_flags: record.tcp_flags,
            pkt_srcaddr: record.pkt_src,
            pkt_dstaddr: record.pkt_dst,
            region: node.scope.region.clone(),
            az_id: interface.availability_zone_id.clone(),
            ingress: record.ingress,
            traffic_path: record.traffic_path,
        };
        for flow_log in flow_logs {
            append_line(control, &node.scope, &flow_log, &fields);
        }
    }
}

/// Records the DNS query `from` sent to `resolver` to look a probe's destination name up, when that is a server on
/// the network (part 2 §18.3 [D]: a custom DNS server's traffic is logged; the Amazon resolver's never is): one UDP
/// datagram to port 53 and its UDP answer, walked as a flow. (`nslookup`/`dig` with a server send their datagram as
/// a probe of its own, recorded as every probe is.)
pub fn record_dns_query(control: &Control, world: &World, topology: &Topology, from: Vantage, resolver: Resolver) {
    let Resolver::Network(server) = resolver else { return };
    let probe = Probe { from, destination: server, protocol: Protocol::Udp(53) };
    record_probe(control, world, topology, &trace_flow(topology, &probe, Mode::FirstDrop, INTERNET_HOST.into()));
}

/// Records what the kernel data plane saw of real traffic (`localvpc_kernel::flow_capture`), in the flow logs that
/// cover each interface and capture its action. The interface's side of a record shows its primary private address
/// (part 2 §18.2 [D]), `pkt-srcaddr`/`pkt-dstaddr` the packets' own; the times move to the emulator's clock.
pub fn record_observed(control: &Control, flows: Vec<ObservedFlow>) {
    let world = control.snapshot();
    let offset = world.clock_offset_ms() / 1000;
    let shift = |seconds: u64| seconds.saturating_add_signed(offset);
    for flow in flows {
        let found = world.scopes().find_map(|(scope, region)| {
            region.network_interfaces.get(flow.interface_id.as_str()).map(|interface| (scope, region, interface))
        });
        let Some((scope, region, interface)) = found else { continue };
        let flow_logs: Vec<_> = covering(region, &interface.id, &interface.subnet_id, &interface.vpc_id)
            .into_iter()
            .filter(|flow_log| flow_log.captures(flow.action))
            .collect();
        if flow_logs.is_empty() {
            continue;
        }
        let own = |address: IpAddr| match address {
            IpAddr::V4(_) => interface.private_ip.map_or(address, IpAddr::V4),
            IpAddr::V6(_) => address,
        };
        let (srcaddr, dstaddr) = if flow.ingress { (flow.src, own(flow.dst)) } else { (own(flow.src), flow.dst) };
        let fields = RecordFields {
            account_id: scope.account.clone(),
            interface_id: interface.id.clone(),
            srcaddr,
            dstaddr,
            srcport: flow.srcport,
            dstport: flow.dstport,
            protocol: flow.protocol,
            packets: flow.packets,
            bytes: flow.bytes,
            start: shift(flow.start),
            end: shift(flow.end),
            action: flow.action,
            vpc_id: interface.vpc_id.clone(),
            subnet_id: interface.subnet_id.clone(),
            instance_id: interface
                .attachment
                .as_ref()
                .map(|attachment| attachment.instance_id.clone())
                .filter(|_| interface.managed_by.is_none()),
            tcp_flags: flow.tcp_flags,
            pkt_srcaddr: flow.src,
            pkt_dstaddr: flow.dst,
            region: scope.region.clone(),
            az_id: interface.availability_zone_id.clone(),
            ingress: flow.ingress,
            traffic_path: None,
        };
        for flow_log in flow_logs {
            append_line(control, scope, &flow_log, &fields);
        }
    }
}

fn append_line(control: &Control, scope: &Scope, flow_log: &FlowLog, fields: &RecordFields) {
    // The format was checked when the flow log was created.
    let Ok(names) = format::parse(&flow_log.log_format) else { return };
    control.flow_records.append(scope, &flow_log.id, format::render(&names, fields));
}
