//! The JSON API under `/_localvpc/v1/` that the `localvpc` CLI uses: probes, name resolution, explanations and the
//! reachability matrix, all computed by `localvpc-engine` from the caller's view of the world.
//!
//! The same account/region rules as the EC2 API apply (SigV4 credential scope; a 12-digit key is the account).
//! Engine types are rendered into JSON here, field by field: this is the wire contract of the CLI. One file per
//! endpoint family: [`probe`] (probe and explain), [`resolve`], [`reachability`]; this module holds what they share
//! (the body, the vantage, the protocol).

mod probe;
mod reachability;
mod resolve;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use localvpc_engine::dns::Answer;
use localvpc_engine::{Protocol, Topology, Vantage};
use localvpc_model::Scope;
use serde_json::{json, Value};

use crate::auth;
use crate::params::Params;
use crate::AppState;

pub use probe::{explain, probe};
pub use reachability::reachability;
pub use resolve::resolve;

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

fn scope_of(headers: &HeaderMap) -> Scope {
    auth::caller(headers, &Params::default()).scope
}
