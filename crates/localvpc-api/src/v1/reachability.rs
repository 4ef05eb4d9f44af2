//! `/v1/reachability`: the all-pairs ICMP matrix among the caller's running instances.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use localvpc_engine::reachability;
use localvpc_engine::Topology;
use serde_json::{json, Value};

use super::{body_json, ok, scope_of, Refusal};
use crate::AppState;

/// `POST /_localvpc/v1/reachability {"vpc": ["vpc-…", …]}`: the ICMP matrix among the caller's running instances
/// (optionally only those in the named VPCs).
pub async fn reachability(State(control): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let topology: Arc<Topology> = control.topology();
    let scope = scope_of(&headers);
    let request = match body_json(&body) {
        Ok(request) => request,
        Err(refusal) => return refusal.into_response(),
    };
    let vpcs: Vec<String> = request
        .get("vpc")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let enis: Vec<usize> = (0..topology.enis.len())
        .filter(|&eni| {
            let node = &topology.enis[eni];
            node.running && node.scope == scope && (vpcs.is_empty() || vpcs.contains(&topology.vpcs[node.vpc].id))
        })
        .collect();
    let matrix = tokio::task::spawn_blocking(move || {
        let matrix = reachability::matrix(&topology, Some(enis));
        let nodes: Vec<Value> = matrix
            .enis
            .iter()
            .map(|&eni| {
                let node = &topology.enis[eni];
                json!({
                    "instance": node.instance_id,
                    "interface": node.id,
                    "vpc": topology.vpcs[node.vpc].id,
                    "private_ip": node.private_ip.to_string(),
                })
            })
            .collect();
        let rows: Vec<Vec<usize>> = (0..matrix.enis.len()).map(|row| matrix.row(row)).collect();
        json!({ "nodes": nodes, "reachable": rows })
    })
    .await;
    match matrix {
        Ok(value) => ok(value),
        Err(_) => Refusal(StatusCode::INTERNAL_SERVER_ERROR, "the matrix computation failed".into()).into_response(),
    }
}
