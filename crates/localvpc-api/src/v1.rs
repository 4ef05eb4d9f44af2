//! The JSON API under `/_localvpc/v1/` that the `localvpc` CLI uses: probes, name resolution, explanations and the
//! reachability matrix, all computed by `localvpc-engine` from the caller's view of the world.
//!
//! The same account/region rules as the EC2 API apply (SigV4 credential scope; a 12-digit key is the account).
//! Engine types are rendered into JSON here, field by field: this is the wire contract of the CLI.

use std::net::Ipv4Addr;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use localvpc_engine::dns::{self, Answer};
use localvpc_engine::{trace, Finding, HopKind, Leg, Mode, Probe, Protocol, Topology, Trace, Vantage, Verdict};
use localvpc_model::Scope;
use serde_json::{json, Value};

use crate::auth;
use crate::params::Params;
use crate::AppState;

mod reachability;

pub use reachability::reachability;

/// A request the API refuses, with the HTTP status and a message.
struct Refusal(StatusCode, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.0, [(axum::http::header::CONTENT_TYPE, "application/json")], json!({ "error": self.1 }).to_string())
            .into_response()
    }
}

fn ok(value: Value) -> Response {
    (StatusCode::OK, [(axum::http::header::CONTENT_TYPE, "application/json")], value.to_string()).into_response()
}

fn bad(message: impl Into<String>) -> Refusal {
    Refusal(StatusCode::BAD_REQUEST, message.into())
}

fn body_json(body: &Bytes) -> Result<Value, Refusal> {
    if body.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(body).map_err(|error| bad(format!("the body is not JSON: {error}")))
}

fn text_field<'a>(request: &'a Value, key: &str) -> Result<&'a str, Refusal> {
    request.get(key).and_then(Value::as_str).ok_or_else(|| bad(format!("missing string field `{key}`")))
}

/// `internet`, an instance ID or an interface ID of the caller's scope.
fn vantage(control: &AppState, topology: &Topology, scope: &Scope, text: &str) -> Result<Vantage, Refusal> {
    if text == "internet" {
        return Ok(Vantage::Internet);
    }
    let world = control.snapshot();
    let region = world.region(scope);
    let eni = if text.starts_with("i-") {
        let instance = region
            .instances
            .get(text)
            .ok_or_else(|| Refusal(StatusCode::NOT_FOUND, format!("The instance ID '{text}' does not exist")))?;
        if !instance.state.is_running() {
            return Err(Refusal(
                StatusCode::CONFLICT,
                format!("{text} is {}: it cannot send packets", instance.state.name()),
            ));
        }
        topology.instance_eni(text)
    } else if text.starts_with("eni-") && region.network_interfaces.contains_key(text) {
        topology.eni(text)
    } else {
        None
    };
    eni.map(Vantage::Eni).ok_or_else(|| {
        Refusal(
            StatusCode::NOT_FOUND,
            format!("'{text}' is neither `internet` nor an instance or interface of this account and region"),
        )
    })
}

fn protocol(request: &Value) -> Result<Protocol, Refusal> {
    let port = request.get("port").and_then(Value::as_u64);
    let port = |name: &str| -> Result<u16, Refusal> {
        port.and_then(|p| u16::try_from(p).ok())
            .filter(|p| *p > 0)
            .ok_or_else(|| bad(format!("{name} needs a `port` between 1 and 65535")))
    };
    match request.get("protocol").and_then(Value::as_str).unwrap_or("icmp") {
        "icmp" => Ok(Protocol::Icmp),
        "tcp" => Ok(Protocol::Tcp(port("tcp")?)),
        "udp" => Ok(Protocol::Udp(port("udp")?)),
        other => Err(bad(format!("unknown protocol `{other}` (icmp, tcp, udp)"))),
    }
}

fn answer_json(answer: &Answer) -> Value {
    match answer {
        Answer::Address(address) => json!({ "status": "NOERROR", "address": address.to_string() }),
        Answer::NxDomain => json!({ "status": "NXDOMAIN", "address": null }),
        Answer::Timeout => json!({ "status": "TIMEOUT", "address": null }),
    }
}

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

fn scope_of(headers: &HeaderMap) -> Scope {
    auth::caller(headers, &Params::default()).scope
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

/// `POST /_localvpc/v1/resolve {"from": VANTAGE, "name": NAME}`: what the vantage's resolver answers.
pub async fn resolve(State(control): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let topology = control.topology();
    let result = (|| {
        let request = body_json(&body)?;
        let from = vantage(&control, &topology, &scope_of(&headers), text_field(&request, "from")?)?;
        let name = text_field(&request, "name")?;
        let mut value = answer_json(&dns::resolve(&topology, from, name));
        value["name"] = json!(name);
        value["server"] = json!(dns::resolver_address(&topology, from).to_string());
        Ok::<Value, Refusal>(value)
    })();
    match result {
        Ok(value) => ok(value),
        Err(refusal) => refusal.into_response(),
    }
}
