//! `GET /_localvpc/v1/data-plane[?vantage=V]`: which data plane the server runs, and — with the kernel data plane —
//! the network namespace of a vantage, once the kernel has caught up with the caller's last write.
//!
//! `localvpc exec` asks this first: with the model it asks the engine as always; with the kernel it runs the real
//! command in the namespace itself (`ip netns exec`), so the terminal, stdin, the exit code and signals are the
//! command's own. The vantage is checked against the caller's account and region like every other request (with
//! `serve --auth sigv4`, the account of the verified key: the gate in front of every route checks this one too).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Extension, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use localvpc_model::{instance, Ec2Error};
use serde_json::json;
use tokio::sync::watch;

use crate::auth::Caller;
use crate::params::Params;
use crate::AppState;

/// How long a request waits for the kernel to realise the world it saw.
const REALISE_WAIT: Duration = Duration::from_secs(10);

/// The kernel data plane, as the API sees it (set by `serve --data-plane kernel` as a router extension).
#[derive(Clone)]
pub struct KernelPlane {
    /// The namespace of a vantage: `internet`, an instance ID or `onprem:<cgw-id>`.
    pub namespace_of: Arc<dyn Fn(&str) -> String + Send + Sync>,
    /// The latest world version the kernel realises.
    pub realised: watch::Receiver<u64>,
    /// The instances' consoles (GetConsoleOutput).
    pub console: Console,
}

/// Reads the console output of an instance ID, if it has any.
pub type ConsoleReader = dyn Fn(&str) -> Option<Vec<u8>> + Send + Sync;

/// Reads an instance's console output (what its user data printed), if it has any.
#[derive(Clone)]
pub struct Console(pub Arc<ConsoleReader>);

impl Console {
    /// The console output of `instance_id`.
    pub fn read(&self, instance_id: &str) -> Option<Vec<u8>> {
        (self.0)(instance_id)
    }
}

impl std::fmt::Debug for Console {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Console")
    }
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, [(axum::http::header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    answer(status, json!({ "error": { "code": code, "message": message } }))
}

fn ec2_refusal(error: &Ec2Error) -> Response {
    let status = StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    refuse(status, error.code(), &error.to_string())
}

/// The handler.
pub async fn data_plane(
    State(control): State<AppState>,
    plane: Option<Extension<KernelPlane>>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(Extension(plane)) = plane else {
        return answer(StatusCode::OK, json!({ "dataPlane": "model" }));
    };
    let mut params = Params::default();
    params.extend_from_urlencoded(query.unwrap_or_default().as_bytes());
    let Some(vantage) = params.get("vantage").map(str::to_string) else {
        return answer(StatusCode::OK, json!({ "dataPlane": "kernel" }));
    };
    if vantage.starts_with(crate::v1::ONPREM_PREFIX) {
        // The engine's own check: one of the caller's customer gateways, with prefixes to send from.
        if let Err(error) = crate::v1::vantage(&control.snapshot(), &control.topology(), &caller.scope, &vantage) {
            return error.into_response();
        }
    } else if vantage != "internet" {
        let world = control.snapshot();
        let found = match instance::find(world.region(&caller.scope), &vantage) {
            Ok(found) => found,
            Err(error) => return ec2_refusal(&error),
        };
        if !found.state.is_running() {
            return ec2_refusal(&Ec2Error::InstanceNotInValidState(vantage));
        }
    }
    // Read-your-writes: the namespace answered is the one of the world this caller last changed.
    let wanted = control.version();
    let mut realised = plane.realised.clone();
    let caught_up = tokio::time::timeout(REALISE_WAIT, realised.wait_for(|version| *version >= wanted)).await;
    if !matches!(caught_up, Ok(Ok(_))) {
        let message = format!("the kernel data plane has not realised world version {wanted} yet");
        return refuse(StatusCode::SERVICE_UNAVAILABLE, "DataPlaneNotReady", &message);
    }
    answer(StatusCode::OK, json!({ "dataPlane": "kernel", "namespace": (plane.namespace_of)(&vantage) }))
}
