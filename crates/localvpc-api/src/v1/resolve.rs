//! `/v1/resolve`: what the vantage's resolver answers for a name (spec §4). The resolver's own split horizon is
//! what keeps another account's inside out of the answer: from the internet a private name does not exist and a
//! public name is the public address (spec §4.4).

use axum::extract::State;
use axum::response::Response;
use localvpc_engine::dns;
use serde_json::json;

use super::{answer_json, ok, text_field, vantage};
use crate::auth::Caller;
use crate::json_api::JsonBody;
use crate::json_error::JsonError;
use crate::AppState;

/// `POST /_localvpc/v1/resolve {"from": VANTAGE, "name": NAME}`: what the vantage's resolver answers.
pub async fn resolve(
    State(control): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Response, JsonError> {
    let topology = control.topology();
    let from = vantage(&control.snapshot(), &topology, &caller.scope, text_field(&body, "from")?)?;
    let name = text_field(&body, "name")?;
    let mut value = answer_json(&dns::resolve(&topology, from, name));
    value["name"] = json!(name);
    value["server"] = json!(dns::resolver_address(&topology, from).to_string());
    Ok(ok(value))
}
