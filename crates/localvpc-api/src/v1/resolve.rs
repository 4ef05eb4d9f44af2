//! `/v1/resolve`: what the vantage's resolver — the one its VPC's DHCP options name, or a server the caller names —
//! answers for a name (spec §4, part 2 §12.2). The resolver's own split horizon is what keeps another account's
//! inside out of the answer: from the internet a private name does not exist and a public name is the public address
//! (spec §4.4); a named server other than the Amazon resolver answers only from the emulated internet, with the
//! internet's view of names.

use std::net::IpAddr;

use axum::extract::State;
use axum::response::Response;
use localvpc_engine::dns::{self, QueryType, Resolver};
use serde_json::{json, Value};

use super::{answer_json, ok, text_field, vantage, Body};
use crate::auth::Caller;
use crate::json_api::JsonBody;
use crate::json_error::JsonError;
use crate::AppState;

/// `POST /_localvpc/v1/resolve {"from": VANTAGE, "name": NAME, "server": ADDRESS?, "type": "A"|"AAAA"?}`: what the
/// vantage's resolver (or the named server) answers for the record type (A by default; AAAA: part 2 §16.4), which server that is (`null` when the VPC's DHCP options give none) and how it
/// was reached (`via`: `amazon`, `public`, `network` — an ordinary UDP datagram — or `none`).
pub async fn resolve(
    State(control): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Response, JsonError> {
    control.sync().await?;
    let topology = control.topology();
    let from = vantage(&control.snapshot(), &topology, &caller.scope, text_field(&body, "from")?)?;
    let name = text_field(&body, "name")?;
    let server = server_field(&body)?;
    let qtype = type_field(&body)?;
    let (resolver, answer) = dns::ask_query(&topology, from, server, name, qtype);
    let mut value = answer_json(&answer);
    value["name"] = json!(name);
    value["type"] = json!(qtype.as_str());
    value["server"] = json!(resolver.address().map(|address| address.to_string()));
    value["via"] = json!(match resolver {
        Resolver::Amazon(_) => "amazon",
        Resolver::Public(_) => "public",
        Resolver::Network(_) => "network",
        Resolver::None => "none",
    });
    Ok(ok(value))
}

/// The optional `type` field: `A` (also when absent or `null`) or `AAAA`.
fn type_field(body: &Body) -> Result<QueryType, JsonError> {
    match body.get("type") {
        None | Some(Value::Null) => Ok(QueryType::A),
        Some(value) => value
            .as_str()
            .and_then(QueryType::parse)
            .ok_or(JsonError::InvalidField { field: "type", expected: "A or AAAA" }),
    }
}

/// The optional `server` field: an IPv4 or IPv6 address (absent or `null`: the vantage's own resolver).
fn server_field(body: &Body) -> Result<Option<IpAddr>, JsonError> {
    let invalid = JsonError::InvalidField { field: "server", expected: "an IP address" };
    match body.get("server") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => text.parse().map(Some).map_err(|_| invalid),
        Some(_) => Err(invalid),
    }
}
