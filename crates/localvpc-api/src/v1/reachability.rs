//! `POST /_localvpc/v1/reachability`: whether each of the caller's running instances pings each other one, in the
//! form asked for. The engine computes every form ([`localvpc_engine::reachability`]); this renders it as JSON,
//! field by field.
//!
//! The request: `{"vpc": ["vpc-…", …], "form": "groups"|"summary"|"reachable"|"unreachable"|"full", "limit": N,
//! "protocol": "icmp"|"tcp"|"udp", "port": N}`, every field optional (ICMP echo by default; TCP and UDP need a
//! `port`, and over TCP a port nothing listens on is refused, so not reachable). The default form is `groups`, because the answer for a large network must stay readable
//! and small: 10,080 instances in a full peering mesh are one group (about 1 MB of member list), where the
//! expanded matrix is 10^8 cells (hundreds of megabytes). `full` still gives every row, for whoever asks for it.
//!
//! Every answer opens with `form`, `instances`, `ordered_pairs` (n·(n−1)) and `reachable_pairs`; then:
//! - `groups`: `groups` (each `{"members": [NODE, …]}`; a member's row and column are its group's) and
//!   `reachable` (`[from, to]` group indexes: every member of `from` pings every other member of `to`);
//! - `summary`: `vpc_pairs`, one `{"from", "to", "status": "reachable"|"partial"|"none", "reachable", "pairs"}`
//!   per ordered pair of VPCs with at least one instance pair;
//! - `reachable` / `unreachable`: `total` and the first `limit` (default 100, at most 10,000) `pairs`
//!   (`{"from": NODE, "to": NODE}`, in node order of the source, then of the destination);
//! - `full`: `nodes` ([NODE, …]) and `reachable` (per node, the indexes of the nodes it pings).
//!
//! A NODE is `{"instance", "interface", "vpc", "private_ip"}`. Only the caller's instances (account and region of
//! the credential scope) are selected, and `vpc` names only the caller's VPCs. [`reachability_groups`] is that
//! selection and the grouped answer every form derives from; the web console's matrix draws the same.

use std::fmt::Write as _;

use axum::extract::State;
use axum::response::Response;
use localvpc_engine::reachability::{self, Groups};
use localvpc_engine::topology::EniIx;
use localvpc_engine::visibility::{eni_sight, Sight};
use localvpc_engine::{Protocol, Topology};
use localvpc_model::{Ec2Error, Scope};
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::json_api::JsonBody;
use crate::json_error::{json_ok, JsonError};
use crate::AppState;

/// How many pairs a list holds when the request does not say.
pub const DEFAULT_LIMIT: usize = 100;
/// The longest pair list: a listed pair is about 250 bytes of JSON, so a list stays under ~3 MB. Longer answers
/// are what `full` is for.
pub const MAX_LIMIT: usize = 10_000;

/// The form of the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Groups,
    Summary,
    Reachable,
    Unreachable,
    Full,
}

impl Form {
    fn name(self) -> &'static str {
        match self {
            Form::Groups => "groups",
            Form::Summary => "summary",
            Form::Reachable => "reachable",
            Form::Unreachable => "unreachable",
            Form::Full => "full",
        }
    }
}

/// A request, read and checked (the VPC IDs are checked against the topology by [`reachability_groups`]).
#[derive(Debug)]
struct Request {
    vpcs: Vec<String>,
    protocol: Protocol,
    form: Form,
    limit: usize,
}

impl Request {
    fn read(request: &super::Body) -> Result<Request, JsonError> {
        const FORMS: &str = "one of groups, summary, reachable, unreachable, full";
        let form = match request.get("form") {
            None | Some(Value::Null) => Form::Groups,
            Some(Value::String(name)) => [Form::Groups, Form::Summary, Form::Reachable, Form::Unreachable, Form::Full]
                .into_iter()
                .find(|form| form.name() == name)
                .ok_or(JsonError::InvalidField { field: "form", expected: FORMS })?,
            Some(_) => return Err(JsonError::InvalidField { field: "form", expected: FORMS }),
        };
        let limit = match request.get("limit") {
            None | Some(Value::Null) => DEFAULT_LIMIT,
            Some(_) if !matches!(form, Form::Reachable | Form::Unreachable) => {
                return Err(JsonError::FieldNotApplicable {
                    field: "limit",
                    applies: "to the reachable and unreachable forms",
                })
            }
            Some(value) => value
                .as_u64()
                .and_then(|limit| usize::try_from(limit).ok())
                .filter(|limit| (1..=MAX_LIMIT).contains(limit))
                // The text must say MAX_LIMIT: `expected` is a literal.
                .ok_or(JsonError::InvalidField { field: "limit", expected: "an integer from 1 to 10000" })?,
        };
        let malformed = JsonError::InvalidField { field: "vpc", expected: "a list of VPC IDs" };
        let vpcs: Vec<String> = match request.get("vpc") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(ids)) => {
                ids.iter().map(|id| id.as_str().map(str::to_string)).collect::<Option<_>>().ok_or(malformed)?
            }
            Some(_) => return Err(malformed),
        };
        Ok(Request { vpcs, protocol: super::protocol(request)?, form, limit })
    }
}

/// The grouped reachability of `viewer`'s running instances — those of the VPCs `vpcs` names, or every one of the
/// scope when it names none — for `protocol`: what every form of `/v1/reachability` derives from. A VPC of another
/// account or region is as unknown as a mistyped one (`InvalidVpcID.NotFound`).
pub fn reachability_groups(
    topology: &Topology,
    viewer: &Scope,
    vpcs: &[String],
    protocol: Protocol,
) -> Result<Groups, JsonError> {
    let missing: Vec<String> = vpcs.iter().filter(|id| topology.vpc(viewer, id).is_none()).cloned().collect();
    if !missing.is_empty() {
        return Err(Ec2Error::VpcNotFound(missing).into());
    }
    let vpcs: Vec<usize> = vpcs.iter().filter_map(|id| topology.vpc(viewer, id)).collect();
    let enis: Vec<EniIx> = (0..topology.enis.len())
        .filter(|&eni| {
            let node = &topology.enis[eni];
            node.running
                && eni_sight(topology, viewer, eni) == Sight::Full
                && (vpcs.is_empty() || vpcs.contains(&node.vpc))
        })
        .collect();
    Ok(reachability::groups_for(topology, Some(enis), protocol))
}

/// `POST /_localvpc/v1/reachability`.
pub async fn reachability(
    State(control): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Response, JsonError> {
    control.sync().await?;
    let request = Request::read(&body)?;
    let topology = control.topology();
    // The walks take up to a second on a large network: off the async workers.
    let work = move || {
        let groups = reachability_groups(&topology, &caller.scope, &request.vpcs, request.protocol)?;
        Ok::<_, JsonError>(answer(&topology, &groups, &request))
    };
    match tokio::task::spawn_blocking(work).await {
        Ok(text) => Ok(json_ok(text?)),
        Err(error) => {
            tracing::error!(%error, "the reachability computation failed");
            Err(JsonError::InternalError)
        }
    }
}

fn node_json(topology: &Topology, eni: EniIx) -> Value {
    let node = &topology.enis[eni];
    json!({
        "instance": node.instance_id,
        "interface": node.id,
        "vpc": topology.vpcs[node.vpc].id,
        "private_ip": node.private_ip.map(|ip| ip.to_string()),
    })
}

/// The answer's text.
fn answer(topology: &Topology, groups: &Groups, request: &Request) -> String {
    let mut value = json!({
        "form": request.form.name(),
        "instances": groups.enis.len(),
        "ordered_pairs": groups.ordered_pairs(),
        "reachable_pairs": groups.reachable_pairs(),
    });
    match request.form {
        Form::Groups => {
            value["groups"] = (0..groups.len())
                .map(|group| {
                    let members: Vec<Value> =
                        groups.members(group).iter().map(|&index| node_json(topology, groups.enis[index])).collect();
                    json!({ "members": members })
                })
                .collect();
            value["reachable"] = groups.group_pairs(true).map(|(from, to)| json!([from, to])).collect();
        }
        Form::Summary => {
            value["vpc_pairs"] = reachability::summary(topology, groups)
                .iter()
                .map(|pair| {
                    json!({
                        "from": topology.vpcs[pair.from].id,
                        "to": topology.vpcs[pair.to].id,
                        "status": pair.status().as_str(),
                        "reachable": pair.reachable,
                        "pairs": pair.pairs,
                    })
                })
                .collect();
        }
        Form::Reachable | Form::Unreachable => {
            let listed = reachability::pairs(groups, request.form == Form::Reachable, request.limit);
            value["total"] = json!(listed.total);
            value["limit"] = json!(request.limit);
            value["pairs"] = listed
                .pairs
                .iter()
                .map(|&(from, to)| {
                    json!({ "from": node_json(topology, groups.enis[from]), "to": node_json(topology, groups.enis[to]) })
                })
                .collect();
        }
        Form::Full => return full(topology, groups, value),
    }
    value.to_string()
}

/// The full form, written straight into text: 10^8 indexes as `serde_json::Value`s would take gigabytes.
fn full(topology: &Topology, groups: &Groups, head: Value) -> String {
    let matrix = groups.expand();
    let mut text = head.to_string();
    text.pop(); // The closing brace: `nodes` and `reachable` follow.
    text.push_str(",\"nodes\":[");
    for (index, &eni) in matrix.enis.iter().enumerate() {
        if index > 0 {
            text.push(',');
        }
        text.push_str(&node_json(topology, eni).to_string());
    }
    text.push_str("],\"reachable\":[");
    for from in 0..matrix.enis.len() {
        text.push_str(if from > 0 { ",[" } else { "[" });
        let mut first = true;
        for to in (0..matrix.enis.len()).filter(|&to| matrix.reaches(from, to)) {
            if !first {
                text.push(',');
            }
            first = false;
            // Writing into a String cannot fail.
            let _ = write!(text, "{to}");
        }
        text.push(']');
    }
    text.push_str("]}");
    text
}
