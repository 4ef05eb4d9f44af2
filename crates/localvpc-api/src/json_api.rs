//! localvpc's own JSON endpoints, beside the EC2 Query API: the admin endpoints (`/_localvpc/health`,
//! `/_localvpc/reset`, `/moto-api/reset`, `/_localvpc/clock`) and the CLI's `/_localvpc/v1/*` (in `v1`).
//!
//! What they share lives here: their routes, with a JSON 404 for any other path under `/_localvpc/` or
//! `/moto-api/` and a JSON 405 for a method a route does not answer (never EC2 XML, never axum's plain text); the
//! request body, read under the same 1 MiB limit as EC2 requests and parsed as one JSON object ([`JsonBody`]);
//! and the request span and debug line (request ID, account, region, method, path, status) every EC2 request gets
//! too. Errors are [`JsonError`]s.

use axum::extract::{FromRequest, Request, State};
use axum::http::{Method, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use serde_json::{json, Map, Value};
use tracing::Instrument;

use crate::control::Control;
use crate::json_error::{json_ok, JsonError};
use crate::params::Params;
use crate::{auth, read_body, request_id, v1, AppState};

/// The JSON endpoints, each with the request span, and JSON answers for unknown paths and methods.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/_localvpc/health", get(health))
        .route("/_localvpc/reset", post(reset))
        .route("/_localvpc/clock", post(advance_clock))
        .route("/_localvpc/v1/probe", post(v1::probe))
        .route("/_localvpc/v1/explain", post(v1::explain))
        .route("/_localvpc/v1/resolve", post(v1::resolve))
        .route("/_localvpc/v1/reachability", post(v1::reachability))
        .route("/_localvpc/v1/login", post(v1::login))
        .route("/_localvpc/v1/vpn-tunnel", post(v1::vpn_tunnel))
        .route("/_localvpc/v1/flow-logs", get(v1::flow_logs))
        .route("/_localvpc/v1/data-plane", get(crate::data_plane::data_plane))
        .route("/moto-api/reset", post(reset))
        .route("/_localvpc", any(not_found))
        .route("/_localvpc/{*rest}", any(not_found))
        .route("/moto-api", any(not_found))
        .route("/moto-api/{*rest}", any(not_found))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(observe))
}

/// A request body that is one JSON object (an empty body is `{}`).
#[derive(Debug, Clone, Default)]
pub struct JsonBody(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = JsonError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, JsonError> {
        let body = read_body(request.into_body()).await.ok_or(JsonError::RequestTooLarge)?;
        if body.is_empty() {
            return Ok(JsonBody::default());
        }
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(object)) => Ok(JsonBody(object)),
            Ok(_) => Err(JsonError::NotAnObject),
            Err(error) => Err(JsonError::InvalidJson(error.to_string())),
        }
    }
}

/// The request span and its one debug line, as `query` writes them for EC2 requests.
async fn observe(request: Request, next: Next) -> Response {
    let request_id = request_id::next();
    let mut params = Params::default();
    if let Some(query) = request.uri().query() {
        params.extend_from_urlencoded(query.as_bytes());
    }
    let caller = auth::caller(request.headers(), &params, request.extensions().get());
    let span = tracing::debug_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        account = %caller.scope.account,
        region = %caller.scope.region,
        %request_id,
    );
    let response = next.run(request).instrument(span.clone()).await;
    let status = response.status().as_u16();
    span.in_scope(|| match response.extensions().get::<ErrorCode>() {
        Some(ErrorCode(code)) => tracing::debug!(status, code, "refused"),
        None => tracing::debug!(status, "answered"),
    });
    response
}

/// The code of an error answer, for the debug line (set by [`JsonError`]'s `IntoResponse`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErrorCode(pub &'static str);

async fn not_found(uri: Uri) -> JsonError {
    JsonError::NotFound(uri.path().to_string())
}

async fn method_not_allowed(method: Method, uri: Uri) -> JsonError {
    JsonError::MethodNotAllowed { method: method.to_string(), path: uri.path().to_string() }
}

async fn health() -> Response {
    json_ok(json!({ "status": "ok" }).to_string())
}

/// `POST /_localvpc/reset` and `POST /moto-api/reset`: wipes every account and region.
async fn reset(State(control): State<AppState>) -> Response {
    match control.reset().await {
        Ok(()) => json_ok(json!({ "reset": true }).to_string()),
        Err(error) => {
            tracing::error!(%error, "reset failed");
            JsonError::InternalError.into_response()
        }
    }
}

/// `POST /_localvpc/clock {"advance_seconds": N}`: moves the emulator's clock forward (persisted), so tests can see
/// time-driven AWS behaviour such as a peering request expiring after 7 days without waiting a week.
async fn advance_clock(State(control): State<AppState>, JsonBody(body): JsonBody) -> Result<Response, JsonError> {
    const FIELD: &str = "advance_seconds";
    let seconds = body.get(FIELD).ok_or(JsonError::MissingField(FIELD))?;
    let seconds = seconds
        .as_i64()
        .filter(|seconds| *seconds >= 0)
        .ok_or(JsonError::InvalidField { field: FIELD, expected: "a non-negative integer" })?;
    let advance = |tx: &mut localvpc_model::Tx| {
        tx.advance_clock(seconds.saturating_mul(1000));
        Ok(())
    };
    control.mutate(advance).await?;
    let now = Control::now(&control.snapshot()).to_iso8601();
    Ok(json_ok(json!({ "now": now }).to_string()))
}

#[cfg(test)]
mod tests {
    //! Store failures cannot be provoked through a real client; a store that refuses everything drives them here,
    //! in-process.

    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use http_body_util::BodyExt;
    use localvpc_store::{BoxFuture, Snapshot, Store, StoreError, Write};
    use tower::ServiceExt;

    use crate::control::Control;

    /// Loads an empty world, then refuses every write and every reset.
    struct RefusingStore;

    fn refused() -> StoreError {
        StoreError::Location { path: "test".into(), reason: "refuses everything".into() }
    }

    impl Store for RefusingStore {
        fn load(&self) -> BoxFuture<'_, Result<Snapshot, StoreError>> {
            Box::pin(async { Ok(Snapshot::default()) })
        }
        fn apply<'a>(&'a self, _writes: &'a [Write<'a>]) -> BoxFuture<'a, Result<(), StoreError>> {
            Box::pin(async { Err(refused()) })
        }
        fn reset(&self) -> BoxFuture<'_, Result<(), StoreError>> {
            Box::pin(async { Err(refused()) })
        }
    }

    async fn answer(path: &str, body: &str) -> (StatusCode, String, String) {
        let control = Arc::new(Control::open(Arc::new(RefusingStore)).await.expect("an empty world loads"));
        let request = Request::post(path).body(Body::from(body.to_string())).unwrap();
        let response = crate::router(control).oneshot(request).await.unwrap();
        let content_type = response.headers()["content-type"].to_str().unwrap().to_string();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, content_type, String::from_utf8(bytes.to_vec()).unwrap())
    }

    const INTERNAL: &str = r#"{"error":{"code":"InternalError","message":"An internal error has occurred"}}"#;

    #[tokio::test]
    async fn a_failed_reset_is_a_json_internal_error_not_a_bare_500() {
        for path in ["/_localvpc/reset", "/moto-api/reset"] {
            let (status, content_type, body) = answer(path, "").await;
            assert_eq!(
                (status, content_type.as_str(), body.as_str()),
                (StatusCode::INTERNAL_SERVER_ERROR, "application/json", INTERNAL)
            );
        }
    }

    #[tokio::test]
    async fn a_clock_move_the_store_refuses_is_a_json_internal_error() {
        let (status, _, body) = answer("/_localvpc/clock", r#"{"advance_seconds": 60}"#).await;
        assert_eq!((status, body.as_str()), (StatusCode::INTERNAL_SERVER_ERROR, INTERNAL));
        // A bad request is still the caller's fault first: it never reaches the store.
        let (status, _, body) = answer("/_localvpc/clock", r#"{"advance_seconds": -1}"#).await;
        let expected = r#"{"error":{"code":"InvalidParameterValue","message":"The field `advance_seconds` must be a non-negative integer"}}"#;
        assert_eq!((status, body.as_str()), (StatusCode::BAD_REQUEST, expected));
    }
}
