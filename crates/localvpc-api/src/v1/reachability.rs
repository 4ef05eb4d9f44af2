//! `/v1/reachability`: the all-pairs ICMP matrix among the caller's running instances. Only the caller's own VPCs
//! can be named (another account's answers `InvalidVpcID.NotFound`, as DescribeVpcs does), and only its own
//! instances appear.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use localvpc_engine::reachability;
use localvpc_engine::visibility::{eni_sight, Sight};
use localvpc_engine::Topology;
use localvpc_model::vpc;
use serde_json::{json, Value};

use super::{ok, scope_of};
use crate::json_api::JsonBody;
use crate::json_error::JsonError;
use crate::AppState;

/// `POST /_localvpc/v1/reachability {"vpc": ["vpc-…", …]}`: the ICMP matrix among the caller's running instances
/// (optionally only those in the named VPCs).
pub async fn reachability(
    State(control): State<AppState>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, JsonError> {
    let topology: Arc<Topology> = control.topology();
    let scope = scope_of(&headers);
    let vpcs: Vec<String> = match body.get("vpc") {
        None => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .map(|id| id.as_str().map(str::to_string))
            .collect::<Option<_>>()
            .ok_or(JsonError::InvalidField { field: "vpc", expected: "a list of VPC IDs" })?,
        Some(_) => return Err(JsonError::InvalidField { field: "vpc", expected: "a list of VPC IDs" }),
    };
    let world = control.snapshot();
    for id in &vpcs {
        vpc::find(world.region(&scope), id)?;
    }
    let enis: Vec<usize> = (0..topology.enis.len())
        .filter(|&eni| {
            let node = &topology.enis[eni];
            node.running
                && eni_sight(&topology, &scope, eni) == Sight::Full
                && (vpcs.is_empty() || vpcs.contains(&topology.vpcs[node.vpc].id))
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
        Ok(value) => Ok(ok(value)),
        Err(error) => {
            tracing::error!(%error, "the reachability matrix computation failed");
            Err(JsonError::InternalError)
        }
    }
}
