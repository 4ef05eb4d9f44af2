//! The `serve --auth sigv4` gate: an axum layer in front of every route that lets through only requests whose
//! signature verifies, and answers the rest as AWS would.
//!
//! Open without a signature (DESIGN contracts): the liveness probes `GET /` (without an `Action`) and
//! `/_localvpc/health`. Everything else — EC2 and STS Query requests, the JSON API, the admin endpoints, unknown
//! paths — is verified. A refusal is EC2 error XML, STS error XML (when the request is for STS), or a
//! [`JsonError`] (the one error shape of `/_localvpc/*` and `/moto-api/*`), with the code and status
//! `localvpc_model::authentication` gives.

use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use localvpc_model::authentication::{refusal, Service};
use localvpc_model::Ec2Error;

use super::credentials::Credentials;
use super::verify::{verify, SignedRequest};
use crate::json_error::JsonError;
use crate::params::Params;

/// `router` with every request (but the liveness probes) required to carry a valid signature by one of
/// `credentials`' keys.
pub fn require_signatures(router: Router, credentials: Arc<Credentials>) -> Router {
    router.layer(axum::middleware::from_fn_with_state(credentials, gate))
}

async fn gate(State(credentials): State<Arc<Credentials>>, request: Request, next: Next) -> Response {
    if request.uri().path() == "/_localvpc/health" {
        return next.run(request).await;
    }
    // The body is read here because the signature covers it; the handler gets the same bytes back.
    let (mut parts, body) = request.into_parts();
    let Some(body) = crate::read_body(body).await else {
        // The JSON endpoints' own answer to an oversized body, else EC2's.
        if is_json_path(&parts) {
            return JsonError::RequestTooLarge.into_response();
        }
        return refuse(&parts, &Params::default(), &Ec2Error::RequestTooLarge);
    };
    let mut params = Params::default();
    if let Some(query) = parts.uri.query() {
        params.extend_from_urlencoded(query.as_bytes());
    }
    params.extend_from_urlencoded(&body);
    // `GET /` without an Action is the readiness probe (the same rule the Query handler answers it by).
    let readiness = parts.method == Method::GET && parts.uri.path() == "/" && params.get("Action").is_none();
    if !readiness {
        let signed =
            SignedRequest { method: parts.method.as_str(), uri: &parts.uri, headers: &parts.headers, body: &body };
        match verify(&signed, &credentials, SystemTime::now()) {
            Ok(verified) => {
                parts.extensions.insert(verified);
            }
            Err(rejection) => {
                let error = refusal(&rejection, service(&parts, &params));
                tracing::debug!(path = parts.uri.path(), code = error.code(), "signature refused");
                return refuse(&parts, &params, &error);
            }
        }
    }
    next.run(Request::from_parts(parts, Body::from(body))).await
}

/// Whose codes a refusal takes: STS for a request scoped to `sts` or asking `GetCallerIdentity` (the same rule the
/// Query handler routes by), else EC2's.
fn service(parts: &Parts, params: &Params) -> Service {
    let scoped = super::caller(&parts.headers, params, None).service;
    if scoped.as_deref() == Some("sts") || params.get("Action") == Some("GetCallerIdentity") {
        Service::Sts
    } else {
        Service::Ec2
    }
}

/// Whether the path is one of localvpc's own JSON endpoints (`/_localvpc/*`, `/moto-api/*`), whose clients read
/// JSON errors.
fn is_json_path(parts: &Parts) -> bool {
    let path = parts.uri.path();
    ["/_localvpc", "/moto-api"]
        .iter()
        .any(|root| path.strip_prefix(root).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')))
}

/// The refusal in the shape the path's clients read: a [`JsonError`] under `/_localvpc/` and `/moto-api/`, else EC2
/// or STS error XML.
fn refuse(parts: &Parts, params: &Params, error: &Ec2Error) -> Response {
    if is_json_path(parts) {
        return JsonError::Ec2(error.clone()).into_response();
    }
    let request_id = crate::request_id::next();
    match service(parts, params) {
        Service::Ec2 => crate::error_response(error, &request_id),
        Service::Sts => {
            crate::xml_response(error.http_status(), crate::sts::error_envelope(error, &request_id), &request_id)
        }
    }
}
