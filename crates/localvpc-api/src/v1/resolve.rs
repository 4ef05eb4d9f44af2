//! `/v1/resolve`: what the vantage's resolver answers for a name (spec §4).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use localvpc_engine::dns;
use serde_json::{json, Value};

use super::{answer_json, body_json, ok, scope_of, text_field, vantage, Refusal};
use crate::AppState;

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
