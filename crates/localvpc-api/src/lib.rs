//! The HTTP face of localvpc: the EC2 Query protocol (and STS `GetCallerIdentity`) over axum.
//!
//! A request flows one way: [`params`] parses the query string and form body, [`auth`] derives the caller's
//! account and region (with `serve --auth sigv4`, after its gate in front of every route has verified the
//! signature: the verified key's account is the caller), [`ec2::actions`] names the handler, [`control::Control`] runs it — on a snapshot for
//! reads, as one committed transaction for writes — and [`xml`] renders the envelope. Errors of every kind
//! (bad input, unknown action, oversized body) leave as EC2 error XML with a 4xx status; only a store failure is
//! a 5xx. localvpc's own JSON endpoints (`/_localvpc/*`: admin and the CLI's `v1` API) are in [`json_api`], with
//! their errors in one JSON shape ([`json_error`]).
//!
//! Only this crate knows the wire format: model types are rendered here, field by field.
#![warn(missing_docs)]

pub mod auth;
pub mod control;
pub mod data_plane;
pub mod ec2;
pub mod flow_records;
pub mod id_source;
pub mod json_api;
pub mod json_error;
pub mod params;
pub mod render_cache;
mod request_id;
mod sts;
mod v1;
pub mod xml;

pub use v1::{explain_probe, explain_value, reachability_groups, Explanation};

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http_body_util::BodyExt;
use localvpc_model::vpc::ensure_initialized;
use localvpc_model::Ec2Error;

use crate::control::Control;
use crate::ec2::{Ctx, Handler};
use crate::params::Params;
use crate::xml::Xml;

/// Spec §1: the largest accepted request body.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Shared state of the router.
pub type AppState = Arc<Control>;

/// The whole HTTP API, behind the authentication `auth` asks for (`serve --auth`).
pub fn router_with_auth(state: AppState, auth: auth::Auth) -> Router {
    match auth {
        auth::Auth::AnyKey => router(state),
        auth::Auth::SigV4(credentials) => auth::require_signatures(router(state), credentials),
    }
}

/// The whole HTTP API, any access key accepted.
pub fn router(state: AppState) -> Router {
    Router::new().merge(json_api::routes()).route("/", get(query).post(query)).fallback(query).with_state(state)
}

/// AWS's request ID header: on every EC2 and STS answer, success or error, equal to the body's request ID. The JS
/// SDK v3 reads `$metadata.requestId` from it alone.
const REQUEST_ID_HEADER: &str = "x-amzn-RequestId";

pub(crate) fn xml_response(status: u16, body: String, request_id: &str) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml;charset=UTF-8"));
    headers.insert(header::SERVER, HeaderValue::from_static("AmazonEC2"));
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert(REQUEST_ID_HEADER, value);
    }
    response
}

pub(crate) fn error_response(error: &Ec2Error, request_id: &str) -> Response {
    xml_response(error.http_status(), xml::ec2_error(error.code(), &error.to_string(), request_id), request_id)
}

/// Most of an oversized body is still read (and thrown away) before the 413 goes out: closing a socket with unread
/// data makes the kernel send a reset, and the client would lose the answer.
const DRAIN_LIMIT_BYTES: usize = 64 * MAX_BODY_BYTES;

/// The body, or `None` when it exceeds [`MAX_BODY_BYTES`] (or cannot be read).
pub(crate) async fn read_body(mut body: Body) -> Option<Bytes> {
    let mut kept = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { return None };
        if let Ok(data) = frame.into_data() {
            seen += data.len();
            if seen <= MAX_BODY_BYTES {
                kept.extend_from_slice(&data);
            } else if seen > DRAIN_LIMIT_BYTES {
                return None;
            }
        }
    }
    (seen <= MAX_BODY_BYTES).then(|| Bytes::from(kept))
}

async fn query(State(control): State<AppState>, request: Request) -> Response {
    let request_id = request_id::next();
    let (parts, body) = request.into_parts();
    let body: Bytes = match read_body(body).await {
        Some(bytes) => bytes,
        None => return error_response(&Ec2Error::RequestTooLarge, &request_id),
    };
    let mut params = Params::default();
    if let Some(query) = parts.uri.query() {
        params.extend_from_urlencoded(query.as_bytes());
    }
    params.extend_from_urlencoded(&body);
    let Some(action) = params.get("Action").map(str::to_string) else {
        if parts.method == Method::GET && parts.uri.path() == "/" {
            // `GET /` is the readiness probe of the contracts.
            return (StatusCode::OK, "localvpc is ready\n").into_response();
        }
        return error_response(&Ec2Error::MissingParameter("Action".into()), &request_id);
    };
    let caller = auth::caller(&parts.headers, &params, parts.extensions.get());
    let span = tracing::debug_span!("request", %action, account = %caller.scope.account, region = %caller.scope.region, %request_id);
    let _entered = span.enter();
    let result = if caller.service.as_deref() == Some("sts") || action == "GetCallerIdentity" {
        sts::handle(&action, &caller).map(|body| (body, sts::NAMESPACE))
    } else {
        // The kernel data plane's consoles, when `serve --data-plane kernel` set its extension.
        let console = parts.extensions.get::<data_plane::KernelPlane>().map(|plane| plane.console.clone());
        run_ec2(&control, &request_id, &action, &caller, &params, console)
            .await
            .map(|answer| (answer, xml::EC2_NAMESPACE))
    };
    match result {
        Ok((answer, namespace)) if namespace == xml::EC2_NAMESPACE => {
            tracing::debug!(status = 200, "answered");
            xml_response(200, answer, &request_id)
        }
        Ok((body, _)) => xml_response(200, sts::envelope(&action, &request_id, &body), &request_id),
        Err(error) => {
            tracing::debug!(status = error.http_status(), code = error.code(), "refused");
            error_response(&error, &request_id)
        }
    }
}

/// Creates a scope's first-use state (its default VPC and the rest, spec §2.2) if this is its first request: what
/// any EC2 action does first, and what the console does before it shows a Region.
pub async fn ensure_region(control: &AppState, scope: &localvpc_model::Scope) -> Result<(), Ec2Error> {
    if !control.snapshot().region(scope).meta.initialized {
        control
            .mutate(|tx| {
                ensure_initialized(tx, scope);
                Ok(())
            })
            .await?;
    }
    Ok(())
}

/// Runs an EC2 action in process for `scope`, exactly as a request would run it (the same table, handler, DryRun
/// rule, transaction and commit): the whole XML answer, or the EC2 error. The web console is a client of the
/// EC2 API through this, never a second implementation of a rule.
pub async fn call_ec2(control: &AppState, scope: &localvpc_model::Scope, params: &Params) -> Result<String, Ec2Error> {
    let action = params.get("Action").ok_or_else(|| Ec2Error::MissingParameter("Action".into()))?.to_string();
    let caller = auth::Caller { scope: scope.clone(), access_key: String::new(), service: Some("ec2".into()) };
    run_ec2(control, &request_id::next(), &action, &caller, params, None).await
}

/// Runs an EC2 action: its whole answer (envelope included), or the error to answer.
async fn run_ec2(
    control: &AppState,
    request_id: &str,
    action: &str,
    caller: &auth::Caller,
    params: &Params,
    console: Option<data_plane::Console>,
) -> Result<String, Ec2Error> {
    let handler = ec2::actions::handler(action).ok_or_else(|| Ec2Error::InvalidAction(action.to_string()))?;
    let ctx = Ctx { scope: caller.scope.clone(), renders: &control.renders, console };
    control.sync().await?;
    ensure_region(control, &ctx.scope).await?;
    let dry_run = params.bool("DryRun")?.unwrap_or(false);
    let mut out = Xml::ec2_envelope(action, request_id);
    match handler {
        Handler::Read(read) => {
            read(&control.snapshot(), &ctx, params, &mut out)?;
            if dry_run {
                return Err(Ec2Error::DryRunOperation);
            }
        }
        Handler::Write(write) if dry_run => {
            // A dry run validates fully on a throwaway copy, then answers DryRunOperation (spec §1.1).
            control.try_mutation(|tx| write(tx, &ctx, params, &mut Xml::new()))?;
            return Err(Ec2Error::DryRunOperation);
        }
        Handler::Write(write) => {
            // A fresh document per application: a mutation may be applied again (see `Control::mutate`).
            out = control
                .mutate(|tx| {
                    let mut out = Xml::ec2_envelope(action, request_id);
                    write(tx, &ctx, params, &mut out).map(|()| out)
                })
                .await?;
            control.refresh_topology();
        }
    }
    Ok(out.into_ec2_answer(action))
}
