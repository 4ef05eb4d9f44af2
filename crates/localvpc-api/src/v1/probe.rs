//! `/v1/probe` and `/v1/explain`: one probe walked by the engine (first drop, or every blocking setting), rendered
//! hop by hop with its findings and the addresses traceroute shows.

use std::net::Ipv4Addr;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use localvpc_engine::dns::{self, Answer};
use localvpc_engine::{trace, Finding, HopKind, Leg, Mode, Probe, Protocol, Topology, Trace, Vantage, Verdict};
use serde_json::{json, Value};

use super::{answer_json, body_json, ok, protocol, scope_of, text_field, vantage, Refusal};
use crate::AppState;

fn finding_json(finding: &Finding) -> Value {
    json!({
        "code": finding.code.as_str(),
        "component": finding.component,
        "detail": finding.detail,
        "fix": finding.fix,
    })
}

fn leg_json(topology: &Topology, leg: &Leg) -> Value {
    let hops: Vec<Value> =
        leg.hops.iter().map(|hop| json!({ "kind": hop.kind.as_str(), "id": hop.id, "detail": hop.detail })).collect();
    let delivered = leg.delivered.map(|(endpoint, _)| match endpoint {
        localvpc_engine::Endpoint::Eni(eni) => topology.enis[eni].id.clone(),
        localvpc_engine::Endpoint::Internet(address) => address.to_string(),
    });
    // The instance behind the interface and the address the packet arrived at (after NAT): `localvpc ssh` opens
    // its prompt on that instance, named after that private address.
    let delivered_instance = leg.delivered.and_then(|(endpoint, _)| match endpoint {
        localvpc_engine::Endpoint::Eni(eni) => topology.enis[eni].instance_id.clone(),
        localvpc_engine::Endpoint::Internet(_) => None,
    });
    let delivered_address = leg.delivered.map(|(_, packet)| packet.dst.to_string());
    json!({
        "hops": hops,
        "delivered_to": delivered,
        "delivered_instance": delivered_instance,
        "delivered_address": delivered_address,
        "findings": leg.findings.iter().map(finding_json).collect::<Vec<_>>(),
    })
}

/// The addresses traceroute shows: the VPC router and peering connections never answer (spec §3.7), so a target
/// in the VPC or a peer is hop 1; beyond an internet gateway one AWS edge router shows first.
fn traceroute_hops(trace: &Trace) -> Vec<String> {
    if trace.verdict == Verdict::Dropped {
        return Vec::new();
    }
    let via_edge = trace.forward.hops.iter().any(|hop| hop.kind == HopKind::Internet)
        && trace.forward.hops.iter().any(|hop| hop.kind == HopKind::InternetGateway);
    let mut hops = Vec::new();
    if via_edge {
        hops.push(EDGE_ROUTER.to_string());
    }
    hops.push(trace.probe.destination.to_string());
    hops
}

/// ASSUMPTION (spec §3.7 [O]: "the first visible hops are AWS edge routers beyond the IGW"): one edge hop, shown
/// with an address from the shared range AWS edge routers answer from in public traceroutes.
const EDGE_ROUTER: &str = "100.65.0.1";

fn verdict_str(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Reachable => "reachable",
        Verdict::Refused => "refused",
        Verdict::Dropped => "dropped",
    }
}

fn trace_json(topology: &Topology, trace: &Trace) -> Value {
    let findings: Vec<Value> = trace.findings().map(finding_json).collect();
    json!({
        "verdict": verdict_str(trace.verdict),
        "forward": leg_json(topology, &trace.forward),
        "reply": trace.reply.as_ref().map(|leg| leg_json(topology, leg)),
        "findings": findings,
        "traceroute": traceroute_hops(trace),
    })
}

/// Resolves the `to` of a request: an address as is, a name through the vantage's resolver.
fn destination(topology: &Topology, from: Vantage, to: &str) -> (Option<Ipv4Addr>, Value) {
    if let Ok(address) = to.parse::<Ipv4Addr>() {
        return (Some(address), Value::Null);
    }
    let answer = dns::resolve(topology, from, to);
    let address = match &answer {
        Answer::Address(address) => Some(*address),
        _ => None,
    };
    (address, answer_json(&answer))
}

struct ProbeRequest {
    from: Vantage,
    to: String,
    protocol: Protocol,
}

fn probe_request(
    control: &AppState,
    topology: &Topology,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<ProbeRequest, Refusal> {
    let request = body_json(body)?;
    let scope = scope_of(headers);
    let from = vantage(control, topology, &scope, text_field(&request, "from")?)?;
    Ok(ProbeRequest { from, to: text_field(&request, "to")?.to_string(), protocol: protocol(&request)? })
}

fn run_probe(topology: &Topology, request: &ProbeRequest, mode: Mode) -> Value {
    let (address, resolution) = destination(topology, request.from, &request.to);
    let Some(address) = address else {
        return json!({ "to": request.to, "address": null, "resolution": resolution, "verdict": "unresolved" });
    };
    let probe = Probe { from: request.from, destination: address, protocol: request.protocol };
    let result = trace(topology, &probe, mode);
    let mut value = trace_json(topology, &result);
    value["to"] = json!(request.to);
    value["address"] = json!(address.to_string());
    value["resolution"] = resolution;
    if mode == Mode::CollectAll {
        // The collecting walk assumes every fix; the verdict is the real one.
        value["verdict"] = json!(verdict_str(trace(topology, &probe, Mode::FirstDrop).verdict));
    }
    value
}

/// `POST /_localvpc/v1/probe {"from": "i-…"|"internet", "to": ADDRESS|NAME, "protocol": "icmp"|"tcp"|"udp", "port": N}`.
pub async fn probe(State(control): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let topology = control.topology();
    match probe_request(&control, &topology, &headers, &body) {
        Ok(request) => ok(run_probe(&topology, &request, Mode::FirstDrop)),
        Err(refusal) => refusal.into_response(),
    }
}

/// `POST /_localvpc/v1/explain` (same body as probe): every setting that blocks the path, each with its fix.
pub async fn explain(State(control): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let topology = control.topology();
    match probe_request(&control, &topology, &headers, &body) {
        Ok(request) => ok(run_probe(&topology, &request, Mode::CollectAll)),
        Err(refusal) => refusal.into_response(),
    }
}
