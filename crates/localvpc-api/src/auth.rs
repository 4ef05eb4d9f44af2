//! Who is calling and where: the account and region of a request (spec §1.2, DESIGN contracts).
//!
//! The SigV4 credential scope `AKID/date/region/service/aws4_request` is read from the `Authorization` header or
//! a presigned URL's `X-Amz-Credential`. A 12-digit access key ID *is* the account ID; any other key maps to the
//! default account. Signatures are not verified (any key works, as the contract says).

use axum::http::HeaderMap;
use localvpc_model::{Scope, DEFAULT_ACCOUNT, DEFAULT_REGION};

use crate::params::Params;

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

/// Derives the caller from the headers or the presigned-URL parameters.
pub fn caller(headers: &HeaderMap, params: &Params) -> Caller {
    let credential = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split("Credential=").nth(1))
        .map(|rest| rest.split([',', ' ']).next().unwrap_or_default().to_string())
        .or_else(|| params.get("X-Amz-Credential").map(str::to_string));
    let fields: Vec<&str> = credential.as_deref().map(|c| c.split('/').collect()).unwrap_or_default();
    let access_key = fields.first().copied().unwrap_or_default().to_string();
    let account = if access_key.len() == 12 && access_key.bytes().all(|b| b.is_ascii_digit()) {
        access_key.clone()
    } else {
        DEFAULT_ACCOUNT.to_string()
    };
    let region = fields.get(2).filter(|r| !r.is_empty()).copied().unwrap_or(DEFAULT_REGION).to_string();
    let service = fields.get(3).map(|s| s.to_string());
    Caller { scope: Scope { account, region }, access_key, service }
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
        let caller = caller(&headers, &Params::default());
        assert_eq!(caller.scope, Scope::new("111111111111", "us-west-2"));
        assert_eq!(caller.service.as_deref(), Some("ec2"));
    }

    #[test]
    fn other_keys_and_no_header_use_the_defaults() {
        let headers = with_header("AWS4-HMAC-SHA256 Credential=test/20260101/eu-west-1/ec2/aws4_request, Signature=x");
        assert_eq!(caller(&headers, &Params::default()).scope, Scope::new("123456789012", "eu-west-1"));
        assert_eq!(caller(&HeaderMap::new(), &Params::default()).scope, Scope::new("123456789012", "us-east-1"));
    }
}
