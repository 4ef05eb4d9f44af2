//! `GET /_localvpc/v1/flow-logs`: the caller's VPC flow log records (see [`crate::flow_records`]).
//!
//! - without `flow_log_id`: `{"flow_logs": [{"flow_log_id", "resource_id", "log_format"}]}`, the caller's live
//!   flow logs in ID order;
//! - with `flow_log_id=fl-…` (and optional `since=N`, `limit=N`): `{"flow_log_id", "records": [{"sequence",
//!   "line"}], "next": N}` — the records after sequence `since` (default 0: from the first one kept), oldest first;
//!   `next` is the cursor to pass as `since` to read on without a gap or a repeat. A flow log of another account or
//!   Region, or one that never existed, is `404 InvalidFlowLogId.NotFound`.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use localvpc_model::flow_log;
use serde_json::json;

use super::ok;
use crate::auth::Caller;
use crate::json_error::JsonError;
use crate::params::Params;
use crate::AppState;

/// The most records one answer carries (and the default `limit`).
const MAX_LIMIT: usize = 1000;

fn number(params: &Params, field: &'static str, default: u64) -> Result<u64, JsonError> {
    match params.get(field) {
        None => Ok(default),
        Some(text) => text.parse().map_err(|_| JsonError::InvalidField { field, expected: "a non-negative integer" }),
    }
}

/// The handler.
pub async fn flow_logs(
    State(control): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Response, JsonError> {
    control.sync().await?;
    let mut params = Params::default();
    params.extend_from_urlencoded(query.unwrap_or_default().as_bytes());
    let world = control.snapshot();
    let region = world.region(&caller.scope);
    let Some(id) = params.get("flow_log_id") else {
        let listed = flow_log::describe(region, &[], &[], &Default::default())?;
        let flow_logs: Vec<_> = listed
            .items
            .iter()
            .map(|fl| json!({ "flow_log_id": fl.id, "resource_id": fl.resource_id, "log_format": fl.log_format }))
            .collect();
        return Ok(ok(json!({ "flow_logs": flow_logs })));
    };
    let live = region.flow_logs.get(id).is_some_and(|fl| fl.is_live(region));
    if !live && !control.flow_records.has_stream(&caller.scope, id) {
        return Err(JsonError::FlowLogNotFound(id.to_string()));
    }
    let since = number(&params, "since", 0)?;
    let limit = (number(&params, "limit", MAX_LIMIT as u64)? as usize).clamp(1, MAX_LIMIT);
    let read = control.flow_records.read(&caller.scope, id, since, limit);
    let next = read.last().map_or(since, |(sequence, _)| *sequence);
    let records: Vec<_> = read.iter().map(|(sequence, line)| json!({ "sequence": sequence, "line": line })).collect();
    Ok(ok(json!({ "flow_log_id": id, "records": records, "next": next })))
}
