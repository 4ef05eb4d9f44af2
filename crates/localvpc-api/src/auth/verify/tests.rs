//! The verifier against fixed vectors of AWS's SigV4 test suite (signed by other implementations, so a
//! canonicalisation mistake shows) and against requests signed here, changed one fault at a time.
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SignatureLocation, SigningSettings};
use aws_sigv4::sign::v4;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Uri};
use localvpc_model::authentication::Rejection;

use super::*;

/// The test suite's key and time (`aws-signing-test-suite/v4/*/context.json`).
const SUITE_KEY: &str = "AKIDEXAMPLE";
const SUITE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SUITE_DATE: &str = "20150830T123600Z";

fn suite_time() -> SystemTime {
    parse_amz_date(SUITE_DATE).unwrap()
}

fn suite_credentials() -> Credentials {
    let mut credentials = Credentials::new();
    credentials.insert(SUITE_KEY, SUITE_SECRET, Some("111111111111"));
    credentials
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(value).unwrap());
    }
    map
}

fn check(method: &str, uri: &str, headers: &HeaderMap, body: &[u8], now: SystemTime) -> Result<Verified, Rejection> {
    let uri: Uri = uri.parse().unwrap();
    verify(&SignedRequest { method, uri: &uri, headers, body }, &suite_credentials(), now)
}

/// `get-vanilla`, header form.
#[test]
fn suite_get_vanilla_header_form_verifies() {
    let headers = headers(&[
        ("host", "example.amazonaws.com"),
        ("x-amz-date", SUITE_DATE),
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        ),
    ]);
    let verified = check("GET", "/", &headers, b"", suite_time()).unwrap();
    assert_eq!(
        verified,
        Verified {
            access_key: SUITE_KEY.into(),
            account: "111111111111".into(),
            region: "us-east-1".into(),
            service: "service".into()
        }
    );
    // The same signature on another method or path does not verify.
    assert_eq!(check("POST", "/", &headers, b"", suite_time()), Err(Rejection::SignatureMismatch));
    assert_eq!(check("GET", "/x", &headers, b"", suite_time()), Err(Rejection::SignatureMismatch));
}

/// `post-x-www-form-urlencoded`, header form: a signed `x-amz-content-sha256` and a body.
#[test]
fn suite_form_post_with_content_sha256_verifies_and_a_changed_body_does_not() {
    let headers = headers(&[
        ("content-type", "application/x-www-form-urlencoded"),
        ("host", "example.amazonaws.com"),
        ("content-length", "13"),
        ("x-amz-date", SUITE_DATE),
        ("x-amz-content-sha256", "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"),
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, \
             Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b",
        ),
    ]);
    assert!(check("POST", "/", &headers, b"Param1=value1", suite_time()).is_ok());
    // The header still names the old body's hash: the body is hashed as received, so the change shows.
    assert_eq!(check("POST", "/", &headers, b"Param1=value2", suite_time()), Err(Rejection::SignatureMismatch));
}

/// `get-vanilla` and `post-x-www-form-urlencoded`, presigned (query) form.
#[test]
fn suite_presigned_urls_verify_until_they_expire() {
    let get = "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2F\
               aws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=\
               e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d";
    let host = headers(&[("host", "example.amazonaws.com")]);
    assert!(check("GET", get, &host, b"", suite_time()).is_ok());
    assert!(check("GET", get, &host, b"", suite_time() + Duration::from_secs(3600)).is_ok());
    let Err(Rejection::Expired(window)) = check("GET", get, &host, b"", suite_time() + Duration::from_secs(3601))
    else {
        panic!("an hour and a second later the URL has expired");
    };
    assert_eq!((window.signed.as_str(), window.allowance_seconds), (SUITE_DATE, 3600));
    assert_eq!((window.now.as_str(), window.bound.as_str()), ("20150830T133601Z", "20150830T123601Z"));

    let post = "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2F\
                aws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost&\
                X-Amz-Expires=3600&X-Amz-Signature=89a40deed0f26f9461242825a082d2222717248abc7ab41f552ad84a94ad46e9";
    let form = headers(&[
        ("content-type", "application/x-www-form-urlencoded"),
        ("host", "example.amazonaws.com"),
        ("content-length", "13"),
    ]);
    assert!(check("POST", post, &form, b"Param1=value1", suite_time()).is_ok());
    assert_eq!(check("POST", post, &form, b"Param1=valuE1", suite_time()), Err(Rejection::SignatureMismatch));
}

// ---- requests signed here, one fault at a time ----

const KEY: &str = "AKIDLOCALVPC";
const SECRET: &str = "local-secret";

fn local_credentials() -> Credentials {
    let mut credentials = Credentials::new();
    credentials.insert(KEY, SECRET, None);
    credentials
}

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

/// 2026-03-01T12:00:00Z.
const NOON: u64 = 1_772_366_400;

/// An EC2 form POST signed in the header form by `key`/`secret` at `time`, as (uri, headers, body).
fn header_signed(key: &str, secret: &str, time: SystemTime, body: &str) -> (Uri, HeaderMap, Vec<u8>) {
    let content_type = "application/x-www-form-urlencoded; charset=utf-8";
    let identity = aws_credential_types::Credentials::new(key, secret, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-west-2")
        .name("ec2")
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let request = SignableRequest::new(
        "POST",
        "http://127.0.0.1:4566/",
        [("content-type", content_type)].into_iter(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .unwrap();
    let (instructions, _) = sign(request, &params).unwrap().into_parts();
    let mut map = headers(&[("host", "127.0.0.1:4566"), ("content-type", content_type)]);
    for (name, value) in instructions.headers() {
        map.insert(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(value).unwrap());
    }
    ("/".parse().unwrap(), map, body.as_bytes().to_vec())
}

/// A presigned `GET /?Action=DescribeVpcs…` by `key`/`secret` at `time`, valid for `expires`.
fn presigned(key: &str, secret: &str, time: SystemTime, expires: Duration) -> (Uri, HeaderMap) {
    let identity = aws_credential_types::Credentials::new(key, secret, None, None, "test").into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(expires);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("ec2")
        .time(time)
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let path = "/?Action=DescribeVpcs&Version=2016-11-15";
    let request =
        SignableRequest::new("GET", format!("http://127.0.0.1:4566{path}"), std::iter::empty(), SignableBody::empty())
            .unwrap();
    let (instructions, _) = sign(request, &params).unwrap().into_parts();
    let mut uri = path.to_string();
    for (name, value) in instructions.params() {
        uri.push_str(&format!("&{name}={}", form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()));
    }
    (uri.parse().unwrap(), headers(&[("host", "127.0.0.1:4566")]))
}

fn local(method: &str, uri: &Uri, headers: &HeaderMap, body: &[u8], now: SystemTime) -> Result<Verified, Rejection> {
    verify(&SignedRequest { method, uri, headers, body }, &local_credentials(), now)
}

const BODY: &str = "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F16";

#[test]
fn a_signed_request_verifies_and_names_the_key_region_and_default_account() {
    let (uri, headers, body) = header_signed(KEY, SECRET, at(NOON), BODY);
    let verified = local("POST", &uri, &headers, &body, at(NOON + 5)).unwrap();
    assert_eq!((verified.account.as_str(), verified.region.as_str()), ("123456789012", "us-west-2"));
    assert_eq!((verified.access_key.as_str(), verified.service.as_str()), (KEY, "ec2"));
}

#[test]
fn a_flipped_body_byte_a_wrong_secret_or_an_unknown_key_fail() {
    let (uri, headers, body) = header_signed(KEY, SECRET, at(NOON), BODY);
    let mut flipped = body.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x01;
    assert_eq!(local("POST", &uri, &headers, &flipped, at(NOON)), Err(Rejection::SignatureMismatch));

    let (uri, headers, body) = header_signed(KEY, "not-the-secret", at(NOON), BODY);
    assert_eq!(local("POST", &uri, &headers, &body, at(NOON)), Err(Rejection::SignatureMismatch));

    let (uri, headers, body) = header_signed("AKIDUNKNOWN", SECRET, at(NOON), BODY);
    assert_eq!(local("POST", &uri, &headers, &body, at(NOON)), Err(Rejection::UnknownAccessKey));
}

#[test]
fn a_changed_signed_header_fails_but_an_unsigned_one_may_change() {
    let (uri, mut headers, body) = header_signed(KEY, SECRET, at(NOON), BODY);
    headers.insert("user-agent", HeaderValue::from_static("anything"));
    assert!(local("POST", &uri, &headers, &body, at(NOON)).is_ok());
    headers.insert("content-type", HeaderValue::from_static("application/x-www-form-urlencoded"));
    assert_eq!(local("POST", &uri, &headers, &body, at(NOON)), Err(Rejection::SignatureMismatch));
}

#[test]
fn the_window_is_fifteen_minutes_both_ways() {
    let (uri, headers, body) = header_signed(KEY, SECRET, at(NOON), BODY);
    assert!(local("POST", &uri, &headers, &body, at(NOON + 900)).is_ok());
    assert!(local("POST", &uri, &headers, &body, at(NOON - 900)).is_ok());
    let Err(Rejection::Expired(window)) = local("POST", &uri, &headers, &body, at(NOON + 1200)) else {
        panic!("20 minutes later the request is stale");
    };
    assert_eq!(
        (window.signed.as_str(), window.now.as_str(), window.bound.as_str(), window.allowance_seconds),
        ("20260301T120000Z", "20260301T122000Z", "20260301T120500Z", 900)
    );
    let Err(Rejection::NotYetCurrent(window)) = local("POST", &uri, &headers, &body, at(NOON - 1200)) else {
        panic!("signed 20 minutes in the future");
    };
    assert_eq!(window.bound, "20260301T115500Z");
}

#[test]
fn a_stale_request_is_refused_even_with_an_unknown_key() {
    // Time is checked before the key, as AWS does: a replayed request learns nothing about which keys exist.
    let (uri, headers, body) = header_signed("AKIDUNKNOWN", SECRET, at(NOON), BODY);
    assert!(matches!(local("POST", &uri, &headers, &body, at(NOON + 1200)), Err(Rejection::Expired(_))));
}

#[test]
fn presigned_urls_verify_until_their_expiry_and_not_before_their_date() {
    let (uri, headers) = presigned(KEY, SECRET, at(NOON), Duration::from_secs(60));
    let verified = local("GET", &uri, &headers, b"", at(NOON + 60)).unwrap();
    assert_eq!(verified.region, "us-east-1");
    let Err(Rejection::Expired(window)) = local("GET", &uri, &headers, b"", at(NOON + 61)) else {
        panic!("past X-Amz-Expires");
    };
    assert_eq!(window.allowance_seconds, 60);
    assert!(matches!(local("GET", &uri, &headers, b"", at(NOON - 901)), Err(Rejection::NotYetCurrent(_))));
    // A week-long URL stays good for the week, far beyond the 15-minute window of the header form.
    let (uri, headers) = presigned(KEY, SECRET, at(NOON), Duration::from_secs(MAX_EXPIRES_SECONDS));
    assert!(local("GET", &uri, &headers, b"", at(NOON + MAX_EXPIRES_SECONDS)).is_ok());
}

#[test]
fn presigned_urls_with_a_changed_parameter_or_wrong_secret_fail() {
    let (uri, headers) = presigned(KEY, SECRET, at(NOON), Duration::from_secs(300));
    let changed: Uri = uri.to_string().replace("DescribeVpcs", "DeleteVpc").parse().unwrap();
    assert_eq!(local("GET", &changed, &headers, b"", at(NOON)), Err(Rejection::SignatureMismatch));
    let longer: Uri = uri.to_string().replace("X-Amz-Expires=300", "X-Amz-Expires=3000").parse().unwrap();
    assert_eq!(local("GET", &longer, &headers, b"", at(NOON)), Err(Rejection::SignatureMismatch));
    let (uri, headers) = presigned(KEY, "wrong", at(NOON), Duration::from_secs(300));
    assert_eq!(local("GET", &uri, &headers, b"", at(NOON)), Err(Rejection::SignatureMismatch));
}

fn incomplete(result: Result<Verified, Rejection>) -> String {
    match result {
        Err(Rejection::Incomplete(message)) => message,
        other => panic!("expected IncompleteSignature, got {other:?}"),
    }
}

#[test]
fn missing_or_garbled_parts_are_named() {
    let (uri, headers, body) = header_signed(KEY, SECRET, at(NOON), BODY);
    assert_eq!(local("POST", &uri, &HeaderMap::new(), &body, at(NOON)), Err(Rejection::Missing));

    let mut no_date = headers.clone();
    no_date.remove("x-amz-date");
    let message = incomplete(local("POST", &uri, &no_date, &body, at(NOON)));
    assert!(message.starts_with("Authorization header requires existence of either a 'X-Amz-Date'"), "{message}");
    assert!(message.contains(" Authorization=AWS4-HMAC-SHA256 Credential=AKIDLOCALVPC/"), "{message}");

    let mut garbled = headers.clone();
    garbled.insert("authorization", HeaderValue::from_static("AWS4-HMAC-SHA256 Credential=AKID/20260301/x"));
    let message = incomplete(local("POST", &uri, &garbled, &body, at(NOON)));
    assert!(message.starts_with("Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter."), "{message}");

    let mut short_scope = headers.clone();
    short_scope.insert(
        "authorization",
        HeaderValue::from_static("AWS4-HMAC-SHA256 Credential=AKID/20260301, SignedHeaders=host, Signature=00"),
    );
    let message = incomplete(local("POST", &uri, &short_scope, &body, at(NOON)));
    assert!(message.starts_with("Credential must have exactly 5 slash-delimited elements"), "{message}");

    let mut bad_date = headers.clone();
    bad_date.insert("x-amz-date", HeaderValue::from_static("2026-03-01T12:00:00Z"));
    let message = incomplete(local("POST", &uri, &bad_date, &body, at(NOON)));
    assert!(message.starts_with("Date must be in ISO-8601 'basic format'. Got '2026-03-01T12:00:00Z'"), "{message}");

    let mut no_host = headers.clone();
    no_host.insert(
        "authorization",
        HeaderValue::from_static(
            "AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/ec2/aws4_request, SignedHeaders=x-amz-date, Signature=00",
        ),
    );
    assert!(incomplete(local("POST", &uri, &no_host, &body, at(NOON))).contains("'Host'"));
}

#[test]
fn presigned_parameters_must_be_complete_and_alone() {
    let (uri, headers) = presigned(KEY, SECRET, at(NOON), Duration::from_secs(60));
    let without_expiry: Uri = uri.to_string().replace("X-Amz-Expires=60&", "").parse().unwrap();
    assert!(incomplete(local("GET", &without_expiry, &headers, b"", at(NOON)))
        .starts_with("AWS query-string parameters must include"));
    let too_long: Uri = uri.to_string().replace("X-Amz-Expires=60", "X-Amz-Expires=604801").parse().unwrap();
    assert!(incomplete(local("GET", &too_long, &headers, b"", at(NOON))).contains("604800"));
    let (_, mut both, _) = header_signed(KEY, SECRET, at(NOON), BODY);
    both.insert("host", HeaderValue::from_static("127.0.0.1:4566"));
    assert!(incomplete(local("GET", &uri, &both, b"", at(NOON))).starts_with("Only one auth mechanism allowed"));
}

#[test]
fn a_request_without_a_host_header_is_refused_not_a_panic() {
    let (uri, mut headers, body) = header_signed(KEY, SECRET, at(NOON), BODY);
    headers.remove("host");
    assert_eq!(local("POST", &uri, &headers, &body, at(NOON)), Err(Rejection::SignatureMismatch));
}

#[test]
fn dates_parse_and_format_round_trip() {
    for text in ["19700101T000000Z", "20000229T235959Z", "20260301T120000Z", "21001231T010203Z"] {
        assert_eq!(format_amz_date(parse_amz_date(text).unwrap()), text);
    }
    assert_eq!(parse_amz_date("20260301T120000Z").unwrap(), at(NOON));
    for bad in ["20261301T000000Z", "2026030T1200000Z", "20260301T120000", "2026030aT120000Z", "20260301T246000Z"] {
        assert!(parse_amz_date(bad).is_err(), "{bad}");
    }
}

#[test]
fn signatures_compare_only_equal_when_every_byte_is() {
    assert!(constant_time_eq(b"abcdef", b"abcdef"));
    assert!(!constant_time_eq(b"abcdef", b"abcdeg"));
    assert!(!constant_time_eq(b"bbcdef", b"abcdef"));
    assert!(!constant_time_eq(b"abcdef", b"abcde"));
}
