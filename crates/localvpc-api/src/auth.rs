//! Who is calling and where: the account and region of a request (spec §1.2, DESIGN contracts).
//!
//! The SigV4 credential scope `AKID/date/region/service/aws4_request` is read from the `Authorization` header or
//! a presigned URL's `X-Amz-Credential`. By default signatures are not verified (any key works, as the contract
//! says): a 12-digit access key ID *is* the account ID and any other key maps to the default account. With
//! `serve --auth sigv4` ([`Auth::SigV4`]) the [`gate`] layer verifies every request first ([`verify`]) and
//! refuses what does not verify; the account is then the one the credentials file gives the key ([`credentials`]),
//! handed on as a [`Verified`] request extension.

mod gate;

pub mod credentials;
pub mod verify;

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use localvpc_model::{Scope, DEFAULT_ACCOUNT, DEFAULT_REGION};

pub use credentials::Credentials;
pub use gate::require_signatures;
pub use verify::Verified;

use crate::params::Params;

/// How a server authenticates requests (`serve --auth`).
#[derive(Debug, Clone, Default)]
pub enum Auth {
    /// Any access key works; the credential scope only names the account and region (the default).
    #[default]
    AnyKey,
    /// Every request except the liveness probes (`GET /`, `/_localvpc/health`) must carry a valid Signature
    /// Version 4 by one of these keys.
    SigV4(Arc<Credentials>),
}

/// The caller of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Account and region.
    pub scope: Scope,
    /// The access key ID as sent (for STS's `UserId`).
    pub access_key: String,
    /// The service of the credential scope (`ec2`, `sts`), if any.
    pub service: Option<String>,
}

/// Derives the caller from the headers or the presigned-URL parameters; a [`Verified`] signature (strict mode) is the
/// caller, with the account the credentials file gives its key.
pub fn caller(headers: &HeaderMap, params: &Params, verified: Option<&Verified>) -> Caller {
    if let Some(verified) = verified {
        return Caller {
            scope: Scope { account: verified.account.clone(), region: verified.region.clone() },
            access_key: verified.access_key.clone(),
            service: Some(verified.service.clone()),
        };
    }
    let credential = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split("Credential=").nth(1))
        .map(|rest| rest.split([',', ' ']).next().unwrap_or_default().to_string())
        .or_else(|| params.get("X-Amz-Credential").map(str::to_string));
    let fields: Vec<&str> = credential.as_deref().map(|c| c.split('/').collect()).unwrap_or_default();
    let access_key = fields.first().copied().unwrap_or_default().to_string();
    let account = account_of_key(&access_key);
    let region = fields.get(2).filter(|r| !r.is_empty()).copied().unwrap_or(DEFAULT_REGION).to_string();
    let service = fields.get(3).map(|s| s.to_string());
    Caller { scope: Scope { account, region }, access_key, service }
}

/// The account an access key acts for when nothing else says: a 12-digit key *is* the account ID, any other key
/// maps to the default account (DESIGN contracts).
pub(crate) fn account_of_key(access_key: &str) -> String {
    if access_key.len() == 12 && access_key.bytes().all(|b| b.is_ascii_digit()) {
        access_key.to_string()
    } else {
        DEFAULT_ACCOUNT.to_string()
    }
}

/// The caller of a JSON API request: the credential scope of its `Authorization` header or presigned query, and the
/// verified account in strict mode.
impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Caller, Infallible> {
        let mut params = Params::default();
        if let Some(query) = parts.uri.query() {
            params.extend_from_urlencoded(query.as_bytes());
        }
        Ok(caller(&parts.headers, &params, parts.extensions.get()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_header(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", value.parse().unwrap());
        headers
    }

    #[test]
    fn twelve_digit_keys_are_accounts_and_the_scope_gives_the_region() {
        let headers = with_header(
            "AWS4-HMAC-SHA256 Credential=111111111111/20260101/us-west-2/ec2/aws4_request, SignedHeaders=host, Signature=ab",
        );
        let caller = caller(&headers, &Params::default(), None);
        assert_eq!(caller.scope, Scope::new("111111111111", "us-west-2"));
        assert_eq!(caller.service.as_deref(), Some("ec2"));
    }

    #[test]
    fn other_keys_and_no_header_use_the_defaults() {
        let headers = with_header("AWS4-HMAC-SHA256 Credential=test/20260101/eu-west-1/ec2/aws4_request, Signature=x");
        assert_eq!(caller(&headers, &Params::default(), None).scope, Scope::new("123456789012", "eu-west-1"));
        assert_eq!(caller(&HeaderMap::new(), &Params::default(), None).scope, Scope::new("123456789012", "us-east-1"));
    }

    #[test]
    fn a_verified_signature_names_the_account_whatever_the_key_looks_like() {
        let headers = with_header(
            "AWS4-HMAC-SHA256 Credential=111111111111/20260101/us-west-2/ec2/aws4_request, SignedHeaders=host, Signature=ab",
        );
        let verified = Verified {
            access_key: "111111111111".into(),
            account: "222222222222".into(),
            region: "us-west-2".into(),
            service: "ec2".into(),
        };
        let caller = caller(&headers, &Params::default(), Some(&verified));
        assert_eq!(caller.scope, Scope::new("222222222222", "us-west-2"));
        assert_eq!(caller.access_key, "111111111111");
    }
}
