//! Every error of localvpc's own JSON endpoints — `/_localvpc/*` (the CLI's `v1` API and the admin endpoints) and
//! `/moto-api/reset` — in one shape: `{"error": {"code": "…", "message": "…"}}` with a 4xx status (a 5xx only for
//! a fault inside localvpc).
//!
//! Protocol faults (a body that is not a JSON object, a missing field, an unknown path) are named here; refusals
//! of AWS rules (an unknown instance or VPC) carry the [`Ec2Error`] of the one EC2 error table, with its code and
//! message, so `localvpc exec` prints what the aws CLI would. EC2 Query requests keep their EC2 error XML.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use localvpc_model::Ec2Error;
use serde_json::json;
use thiserror::Error;

/// An error answer of a localvpc JSON endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum JsonError {
    /// The body does not parse as JSON.
    #[error("The request body is not valid JSON: {0}")]
    InvalidJson(String),
    /// The body is JSON but not an object.
    #[error("The request body must be a JSON object")]
    NotAnObject,
    /// A required field is absent.
    #[error("The request must contain the field `{0}`")]
    MissingField(&'static str),
    /// A field holds a value of the wrong kind or range.
    #[error("The field `{field}` must be {expected}")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// What it must be, e.g. `an integer between 1 and 65535`.
        expected: &'static str,
    },
    /// A field that only some values of another field admit (e.g. `limit` beside a `form` that lists no pairs).
    #[error("The field `{field}` applies only {applies}")]
    FieldNotApplicable {
        /// The field.
        field: &'static str,
        /// Where it applies, e.g. `to the reachable and unreachable forms`.
        applies: &'static str,
    },
    /// A probe's vantage that is neither `internet` nor an instance or interface ID.
    #[error("'{0}' is neither `internet` nor an instance or interface of this account and region")]
    InvalidVantage(String),
    /// An on-premises vantage whose customer gateway has no prefix: no static route on its connections and no
    /// `localvpc:bgp-prefixes` tag, so its network has no host to send from.
    #[error("The network behind {0} has no address: add a static route to its VPN connection or a localvpc:bgp-prefixes tag to it")]
    SiteWithoutPrefixes(String),
    /// A vantage instance that is not running sends nothing.
    #[error("{id} is {state}: it cannot send packets")]
    InstanceNotRunning {
        /// The instance.
        id: String,
        /// Its state (`stopped`, …).
        state: String,
    },
    /// The body exceeds [`crate::MAX_BODY_BYTES`].
    #[error("The request body is too large: the limit is {} bytes", crate::MAX_BODY_BYTES)]
    RequestTooLarge,
    /// No endpoint at this path.
    #[error("There is no localvpc endpoint at {0}")]
    NotFound(String),
    /// The endpoint exists but not for this method.
    #[error("{path} does not answer {method}")]
    MethodNotAllowed {
        /// The method asked.
        method: String,
        /// The path.
        path: String,
    },
    /// `GET /_localvpc/v1/flow-logs` naming a flow log the caller does not own (another account's or Region's
    /// looks the same as one that never existed).
    #[error("The flow log ID '{0}' does not exist")]
    FlowLogNotFound(String),
    /// A fault inside localvpc (the store failed, a computation panicked); the detail goes to the log only.
    #[error("An internal error has occurred")]
    InternalError,
    /// A refusal of the EC2 error table.
    #[error("{0}")]
    Ec2(#[from] Ec2Error),
}

impl JsonError {
    /// The `code` member.
    pub fn code(&self) -> &'static str {
        match self {
            JsonError::InvalidJson(_) | JsonError::NotAnObject => "InvalidRequest",
            JsonError::MissingField(_) => "MissingParameter",
            JsonError::InvalidField { .. } | JsonError::InvalidVantage(_) => "InvalidParameterValue",
            JsonError::SiteWithoutPrefixes(_) => "IncorrectState",
            JsonError::FieldNotApplicable { .. } => "InvalidParameterCombination",
            JsonError::InstanceNotRunning { .. } => "IncorrectInstanceState",
            JsonError::RequestTooLarge => "RequestTooLarge",
            JsonError::NotFound(_) => "NotFound",
            JsonError::FlowLogNotFound(_) => "InvalidFlowLogId.NotFound",
            JsonError::MethodNotAllowed { .. } => "MethodNotAllowed",
            JsonError::InternalError => "InternalError",
            JsonError::Ec2(error) => error.code(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            JsonError::InstanceNotRunning { .. } => StatusCode::CONFLICT,
            JsonError::RequestTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            JsonError::NotFound(_) | JsonError::FlowLogNotFound(_) => StatusCode::NOT_FOUND,
            JsonError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            JsonError::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
            JsonError::Ec2(error) => StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::BAD_REQUEST),
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The body: `{"error": {"code": …, "message": …}}`.
    pub fn body(&self) -> String {
        json!({ "error": { "code": self.code(), "message": self.to_string() } }).to_string()
    }
}

impl IntoResponse for JsonError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), self.body()).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response.extensions_mut().insert(crate::json_api::ErrorCode(self.code()));
        response
    }
}

/// A JSON success answer.
pub fn json_ok(body: String) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant once: a changed code, status or message shows up as a snapshot diff.
    #[test]
    fn every_code_status_and_message() {
        let every = [
            JsonError::InvalidJson("expected value at line 1 column 1".into()),
            JsonError::NotAnObject,
            JsonError::MissingField("from"),
            JsonError::InvalidField { field: "port", expected: "an integer between 1 and 65535" },
            JsonError::FieldNotApplicable { field: "limit", applies: "to the reachable and unreachable forms" },
            JsonError::InvalidVantage("x-1".into()),
            JsonError::SiteWithoutPrefixes("cgw-1".into()),
            JsonError::InstanceNotRunning { id: "i-1".into(), state: "stopped".into() },
            JsonError::RequestTooLarge,
            JsonError::NotFound("/_localvpc/nope".into()),
            JsonError::MethodNotAllowed { method: "GET".into(), path: "/_localvpc/reset".into() },
            JsonError::InternalError,
            JsonError::Ec2(Ec2Error::InstanceNotFound(vec!["i-1".into()])),
            // `serve --auth sigv4` refusals keep the status of the EC2 error table.
            JsonError::Ec2(Ec2Error::AuthFailure),
            JsonError::Ec2(Ec2Error::MissingAuthenticationToken),
        ];
        let lines: Vec<String> =
            every.iter().map(|error| format!("{} {}", error.status().as_u16(), error.body())).collect();
        insta::assert_snapshot!(lines.join("\n"));
    }
}
