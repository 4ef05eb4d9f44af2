//! `/v1/probe` and `/v1/explain`: one probe walked by the engine (first drop, or every blocking setting), rendered
//! hop by hop with its findings and the addresses traceroute shows — as far as the caller may see them
//! (`localvpc_engine::visibility`): a peer's components by kind and owner, anything else of another account as one
//! `other-account` hop, its findings left out and its leg marked `withheld`.

use std::net::Ipv4Addr;

use axum::extract::State;
use axum::response::Response;
use localvpc_engine::dns::{self, Answer};
use localvpc_engine::visibility::{leg_view, FindingView, HopView, LegView};
use localvpc_engine::{trace, Endpoint, HopKind, Mode, Probe, Protocol, Topology, Trace, Vantage, Verdict};
use localvpc_model::Scope;
use serde_json::{json, Value};

use super::{answer_json, ok, protocol, text_field, vantage, Body};
use crate::auth::Caller;
use crate::json_api::JsonBody;
use crate::json_error::JsonError;
use crate::AppState;

/// The kind of the one hop that stands for a run of components the caller may not see.
const OTHER_ACCOUNT: &str = "other-account";

fn finding_json(finding: &FindingView) -> Value {
    match finding {
        FindingView::Shown(finding) => json!({
            "code": finding.code.as_str(),
            "component": finding.component,
            "detail": finding.detail,
            "fix": finding.fix,
        }),
        FindingView::Withheld { code, owner, detail, fix } => json!({
            "code": code.as_str(),
            "component": null,
            "account": owner.account,
            "region": owner.region,
            "detail": detail,
            "fix": fix,
        }),
    }
}

fn hop_json(hop: &HopView) -> Value {
    match hop {
        HopView::Shown(hop) => json!({ "kind": hop.kind.as_str(), "id": hop.id, "detail": hop.detail }),
        HopView::Withheld { kind, owner } => json!({
            "kind": kind.as_str(),
            "id": null,
            "account": owner.account,
            "region": owner.region,
            "detail": format!("in account {} ({}): not shown", owner.account, owner.region),
        }),
        HopView::Hidden => {
            json!({ "kind": OTHER_ACCOUNT, "id": null, "detail": "resources of another account: not shown" })
        }
    }
}

fn leg_json(topology: &Topology, leg: &LegView) -> Value {
    let delivered = leg.delivered.map(|(endpoint, _)| match endpoint {
        Endpoint::Eni(eni) => topology.enis[eni].id.clone(),
        Endpoint::Internet(address) => address.to_string(),
    });
    // The instance behind the interface and the address the packet arrived at (after NAT): `localvpc ssh` opens
    // its prompt on that instance, named after that private address. All three stay null where the packet landed
    // in another account.
    let delivered_instance = leg.delivered.and_then(|(endpoint, _)| match endpoint {
        Endpoint::Eni(eni) => topology.enis[eni].instance_id.clone(),
        Endpoint::Internet(_) => None,
    });
    let delivered_address = leg.delivered.map(|(_, packet)| packet.dst.to_string());
    json!({
        "hops": leg.hops.iter().map(hop_json).collect::<Vec<_>>(),
        "delivered_to": delivered,
        "delivered_instance": delivered_instance,
        "delivered_address": delivered_address,
        "findings": leg.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "withheld": leg.withheld,
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

fn trace_json(topology: &Topology, viewer: &Scope, trace: &Trace) -> Value {
    let forward = leg_view(topology, viewer, &trace.forward);
    let reply = trace.reply.as_ref().map(|leg| leg_view(topology, viewer, leg));
    let findings: Vec<Value> =
        forward.findings.iter().chain(reply.iter().flat_map(|leg| leg.findings.iter())).map(finding_json).collect();
    json!({
        "verdict": verdict_str(trace.verdict),
        "forward": leg_json(topology, &forward),
        "reply": reply.as_ref().map(|leg| leg_json(topology, leg)),
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
    viewer: Scope,
    from: Vantage,
    to: String,
    protocol: Protocol,
}

fn probe_request(
    control: &AppState,
    topology: &Topology,
    caller: Caller,
    body: &Body,
) -> Result<ProbeRequest, JsonError> {
    let viewer = caller.scope;
    let from = vantage(&control.snapshot(), topology, &viewer, text_field(body, "from")?)?;
    Ok(ProbeRequest { viewer, from, to: text_field(body, "to")?.to_string(), protocol: protocol(body)? })
}

fn run_probe(topology: &Topology, request: &ProbeRequest, mode: Mode) -> Value {
    let (address, resolution) = destination(topology, request.from, &request.to);
    let Some(address) = address else {
        return json!({ "to": request.to, "address": null, "resolution": resolution, "verdict": "unresolved" });
    };
    let probe = Probe { from: request.from, destination: address, protocol: request.protocol };
    let result = trace(topology, &probe, mode);
    let mut value = trace_json(topology, &request.viewer, &result);
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
pub async fn probe(
    State(control): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Response, JsonError> {
    let topology = control.topology();
    let request = probe_request(&control, &topology, caller, &body)?;
    Ok(ok(run_probe(&topology, &request, Mode::FirstDrop)))
}

/// `POST /_localvpc/v1/explain` (same body as probe): every setting that blocks the path, each with its fix.
pub async fn explain(
    State(control): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Response, JsonError> {
    let topology = control.topology();
    let request = probe_request(&control, &topology, caller, &body)?;
    Ok(ok(run_probe(&topology, &request, Mode::CollectAll)))
}
