//! Signature Version 4 verification (`serve --auth sigv4`): is this request signed by a key the server knows?
//!
//! Both forms are read: the `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` header
//! with its `X-Amz-Date`, and the presigned query (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
//! `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Signature`). The expected signature is computed by the
//! `aws-sigv4` crate (the SDKs' own signer) over the request as received — method, path, query, the headers the
//! client listed as signed, and the body — so localvpc has no canonicalisation of its own to get wrong (DESIGN).
//! The body is always hashed as received: a client's `x-amz-content-sha256` header enters the canonical request as
//! a signed header, so a body that does not match it fails like a changed byte.
//!
//! Checks run cheapest first: shape, then time (the 15-minute window, or a presigned URL's expiry), then the key,
//! then the HMAC, compared without an early exit. A failure is a [`Rejection`]; which AWS error it becomes depends
//! on the service and is `localvpc_model::authentication`'s to say. Nothing here does I/O or reads a clock: the
//! time is an argument.

use std::borrow::Cow;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SignatureLocation, SigningSettings};
use aws_sigv4::sign::v4;
use axum::http::{HeaderMap, Uri};
use localvpc_model::authentication::{Rejection, Window};

use super::credentials::Credentials;

/// How far a request's `X-Amz-Date` may be from the server's clock (AWS's 15 minutes, both ways).
pub const CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

/// The longest `X-Amz-Expires` SigV4 allows: seven days.
pub const MAX_EXPIRES_SECONDS: u64 = 7 * 24 * 60 * 60;

/// The only algorithm SigV4 names.
const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The query parameters of a presigned URL that the signer adds itself (and `X-Amz-Signature`, which it computes).
const PRESIGN_PARAMETERS: [&str; 6] =
    ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature"];

/// What a signature covers: the request as received.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    /// `GET`, `POST`, …
    pub method: &'a str,
    /// The path and query as sent (still percent-encoded).
    pub uri: &'a Uri,
    /// Every header.
    pub headers: &'a HeaderMap,
    /// The whole body.
    pub body: &'a [u8],
}

/// Who signed a request that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The access key ID.
    pub access_key: String,
    /// The account the key acts for (from the credentials file).
    pub account: String,
    /// The region of the credential scope.
    pub region: String,
    /// The service of the credential scope (`ec2`, `sts`, …).
    pub service: String,
}

/// Verifies `request` against `credentials` at time `now`.
pub fn verify(request: &SignedRequest<'_>, credentials: &Credentials, now: SystemTime) -> Result<Verified, Rejection> {
    let signature = Signature::parse(request)?;
    signature.check_time(now)?;
    let key = credentials.get(&signature.scope.access_key).ok_or(Rejection::UnknownAccessKey)?;
    let expected = signature.expected(request, key)?;
    if !constant_time_eq(expected.as_bytes(), signature.signature.as_bytes()) {
        return Err(Rejection::SignatureMismatch);
    }
    Ok(Verified {
        access_key: signature.scope.access_key,
        account: key.account.clone(),
        region: signature.scope.region,
        service: signature.scope.service,
    })
}

/// Where the signature travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Location {
    /// The `Authorization` header.
    Header,
    /// Presigned query parameters, valid for this many seconds from `X-Amz-Date`.
    Query { expires_seconds: u64 },
}

/// The credential scope `AKID/yyyymmdd/region/service/aws4_request`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Scope {
    access_key: String,
    region: String,
    service: String,
}

/// A signature as the request states it, before any check of its value.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Signature {
    location: Location,
    scope: Scope,
    /// Lowercase header names, as listed.
    signed_headers: Vec<String>,
    signature: String,
    /// `X-Amz-Date` as sent, and as a time.
    date: String,
    time: SystemTime,
}

impl Signature {
    fn parse(request: &SignedRequest<'_>) -> Result<Signature, Rejection> {
        let authorization = request.headers.get("authorization");
        let query = query_pairs(request.uri);
        let presigned = query.iter().any(|(name, _)| PRESIGN_PARAMETERS.contains(&name.as_ref()));
        match (authorization, presigned) {
            (Some(_), true) => Err(Rejection::Incomplete(
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization \
                 header should be specified"
                    .into(),
            )),
            (Some(value), false) => {
                let header = String::from_utf8_lossy(value.as_bytes());
                let date = request.headers.get("x-amz-date").map(|date| String::from_utf8_lossy(date.as_bytes()));
                Signature::from_header(&header, date.as_deref())
            }
            (None, true) => Signature::from_query(&query),
            (None, false) => Err(Rejection::Missing),
        }
    }

    /// The header form. AWS lists every missing part in one message, then echoes the header.
    fn from_header(header: &str, date: Option<&str>) -> Result<Signature, Rejection> {
        let rest = header.strip_prefix(ALGORITHM).filter(|rest| rest.starts_with(' '));
        let fields: Vec<(&str, &str)> = rest
            .unwrap_or_default()
            .split(',')
            .filter_map(|field| field.trim().split_once('='))
            .map(|(name, value)| (name.trim(), value.trim()))
            .collect();
        let field = |name: &str| fields.iter().find(|(key, _)| *key == name).map(|(_, value)| *value);
        let (credential, signed_headers, signature) = (field("Credential"), field("SignedHeaders"), field("Signature"));
        let mut missing = Vec::new();
        for (name, value) in [("Credential", credential), ("Signature", signature), ("SignedHeaders", signed_headers)] {
            if value.is_none_or(str::is_empty) {
                missing.push(format!("Authorization header requires '{name}' parameter."));
            }
        }
        if date.is_none() {
            missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.".into());
        }
        let (Some(credential), Some(signed_headers), Some(signature), Some(date), true) =
            (credential, signed_headers, signature, date, missing.is_empty())
        else {
            return Err(Rejection::Incomplete(format!("{} Authorization={header}", missing.join(" "))));
        };
        Ok(Signature {
            location: Location::Header,
            scope: Scope::parse(credential)?,
            signed_headers: split_signed_headers(signed_headers)?,
            signature: signature.to_string(),
            date: date.to_string(),
            time: parse_amz_date(date)?,
        })
    }

    /// The presigned-URL form.
    fn from_query(query: &[(Cow<'_, str>, Cow<'_, str>)]) -> Result<Signature, Rejection> {
        let get = |name: &str| query.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_ref());
        let [Some(algorithm), Some(credential), Some(date), Some(expires), Some(signed_headers), Some(signature)] =
            PRESIGN_PARAMETERS.map(get)
        else {
            return Err(Rejection::Incomplete(
                "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', \
                 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'. Re-examine the query-string parameters."
                    .into(),
            ));
        };
        if algorithm != ALGORITHM {
            return Err(Rejection::Incomplete(format!("X-Amz-Algorithm only supports \"{ALGORITHM}\"")));
        }
        let expires_seconds = expires
            .parse::<u64>()
            .map_err(|_| Rejection::Incomplete(format!("X-Amz-Expires should be a number, not '{expires}'")))?;
        if expires_seconds > MAX_EXPIRES_SECONDS {
            return Err(Rejection::Incomplete(format!(
                "X-Amz-Expires must be less than a week (in seconds) that is {MAX_EXPIRES_SECONDS}"
            )));
        }
        Ok(Signature {
            location: Location::Query { expires_seconds },
            scope: Scope::parse(credential)?,
            signed_headers: split_signed_headers(signed_headers)?,
            signature: signature.to_string(),
            date: date.to_string(),
            time: parse_amz_date(date)?,
        })
    }

    /// The 15-minute window around `X-Amz-Date`; for a presigned URL, its expiry instead of the window's past side.
    fn check_time(&self, now: SystemTime) -> Result<(), Rejection> {
        let window = |bound: SystemTime, allowance_seconds: u64| Window {
            signed: self.date.clone(),
            now: format_amz_date(now),
            bound: format_amz_date(bound),
            allowance_seconds,
        };
        if self.time > now + CLOCK_SKEW {
            return Err(Rejection::NotYetCurrent(window(now + CLOCK_SKEW, CLOCK_SKEW.as_secs())));
        }
        let allowance = match self.location {
            Location::Header => CLOCK_SKEW,
            Location::Query { expires_seconds } => Duration::from_secs(expires_seconds),
        };
        let bound = now.checked_sub(allowance).unwrap_or(UNIX_EPOCH);
        if self.time < bound {
            return Err(Rejection::Expired(window(bound, allowance.as_secs())));
        }
        Ok(())
    }

    /// The signature `key` would give this request, computed by `aws-sigv4`.
    fn expected(&self, request: &SignedRequest<'_>, key: &super::credentials::Key) -> Result<String, Rejection> {
        let mut settings = SigningSettings::default();
        // Only the headers the client listed are handed to the signer, so none needs excluding; the body is always
        // hashed as received (see the module doc).
        settings.excluded_headers = None;
        let uri: Cow<'_, str> = match self.location {
            Location::Header => Cow::Borrowed(request.uri.path_and_query().map_or("/", |pq| pq.as_str())),
            Location::Query { expires_seconds } => {
                settings.signature_location = SignatureLocation::QueryParams;
                settings.expires_in = Some(Duration::from_secs(expires_seconds));
                Cow::Owned(without_presign_parameters(request.uri))
            }
        };
        let headers = self.signed_header_values(request.headers)?;
        let signable = SignableRequest::new(
            request.method,
            uri,
            headers.iter().map(|(name, value)| (*name, *value)),
            SignableBody::Bytes(request.body),
        )
        .map_err(|_| Rejection::SignatureMismatch)?;
        let params = v4::SigningParams::builder()
            .identity(&key.identity)
            .region(&self.scope.region)
            .name(&self.scope.service)
            .time(self.time)
            .settings(settings)
            .build()
            .map_err(|_| Rejection::SignatureMismatch)?
            .into();
        let output = sign(signable, &params).map_err(|_| Rejection::SignatureMismatch)?;
        Ok(output.signature().to_string())
    }

    /// The (name, value) pairs of the signed headers, every value of a repeated header included. `host` is always
    /// given (empty when absent): the signer would otherwise take it from the URI, which here has no authority.
    fn signed_header_values<'h>(&'h self, headers: &'h HeaderMap) -> Result<Vec<(&'h str, &'h str)>, Rejection> {
        let mut pairs = Vec::with_capacity(self.signed_headers.len() + 1);
        for name in &self.signed_headers {
            for value in headers.get_all(name.as_str()) {
                // A value that is not text cannot have been signed as text: it cannot match.
                pairs.push((name.as_str(), value.to_str().map_err(|_| Rejection::SignatureMismatch)?));
            }
        }
        if headers.get("host").is_none() {
            pairs.push(("host", ""));
        }
        Ok(pairs)
    }
}

impl Scope {
    /// `AKID/yyyymmdd/region/service/aws4_request`. The date is not compared with `X-Amz-Date` here: the signer
    /// derives the scope from `X-Amz-Date`, so a scope of another day simply does not match.
    fn parse(credential: &str) -> Result<Scope, Rejection> {
        let parts: Vec<&str> = credential.split('/').collect();
        let [access_key, _date, region, service, terminator] = parts[..] else {
            return Err(Rejection::Incomplete(format!(
                "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got \
                 '{credential}'"
            )));
        };
        if terminator != "aws4_request" {
            return Err(Rejection::Incomplete(format!(
                "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'."
            )));
        }
        if region.is_empty() || service.is_empty() {
            return Err(Rejection::Incomplete(format!(
                "Credential should be scoped to a valid region and service, not '{credential}'."
            )));
        }
        Ok(Scope { access_key: access_key.to_string(), region: region.to_string(), service: service.to_string() })
    }
}

/// `content-type;host;x-amz-date` → its names. SigV4 requires `host` among them.
fn split_signed_headers(list: &str) -> Result<Vec<String>, Rejection> {
    let names: Vec<String> = list.split(';').map(|name| name.trim().to_ascii_lowercase()).collect();
    if !names.iter().any(|name| name == "host") {
        return Err(Rejection::Incomplete(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".into(),
        ));
    }
    Ok(names)
}

fn query_pairs(uri: &Uri) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
    form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()).collect()
}

/// The path and query with the presigned-URL parameters taken out (the signer puts its own back).
fn without_presign_parameters(uri: &Uri) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in query_pairs(uri) {
        if !PRESIGN_PARAMETERS.contains(&name.as_ref()) {
            query.append_pair(&name, &value);
        }
    }
    let query = query.finish();
    if query.is_empty() {
        uri.path().to_string()
    } else {
        format!("{}?{query}", uri.path())
    }
}

/// `20260101T120000Z` (ISO 8601 basic format, UTC) as a time.
fn parse_amz_date(text: &str) -> Result<SystemTime, Rejection> {
    let malformed = || {
        Rejection::Incomplete(format!(
            "Date must be in ISO-8601 'basic format'. Got '{text}'. See http://en.wikipedia.org/wiki/ISO_8601"
        ))
    };
    let bytes = text.as_bytes();
    if bytes.len() != 16 || bytes[8] != b'T' || bytes[15] != b'Z' {
        return Err(malformed());
    }
    let number = |range: std::ops::Range<usize>| -> Result<i64, Rejection> {
        let digits = &text[range];
        if digits.bytes().all(|b| b.is_ascii_digit()) {
            digits.parse().map_err(|_| malformed())
        } else {
            Err(malformed())
        }
    };
    let (year, month, day) = (number(0..4)?, number(4..6)?, number(6..8)?);
    let (hour, minute, second) = (number(9..11)?, number(11..13)?, number(13..15)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 59 {
        return Err(malformed());
    }
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second;
    u64::try_from(seconds).map(|seconds| UNIX_EPOCH + Duration::from_secs(seconds)).map_err(|_| malformed())
}

/// A time as SigV4 writes it, `20260101T120000Z`.
pub fn format_amz_date(time: SystemTime) -> String {
    let seconds = time.duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs()) as i64;
    let (year, month, day) = localvpc_model::civil_from_days(seconds.div_euclid(86_400));
    let of_day = seconds.rem_euclid(86_400);
    format!("{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z", of_day / 3600, of_day / 60 % 60, of_day % 60)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the inverse of the model's `civil_from_days`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Compares two signatures without an early exit, so the time taken tells nothing about how many leading characters
/// matched. (The length is not secret: a SigV4 signature is always 64 hexadecimal digits.)
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

#[cfg(test)]
mod tests;
