//! What `serve --auth sigv4` costs per request: the verifier alone, and DescribeVpcs through the router with and
//! without the gate.
//!
//! Groups (run with `cargo bench -p localvpc-api --bench auth`):
//!
//! - `verify`: `auth::verify::verify` on an EC2 form POST signed in the header form (`header_form`), on a presigned
//!   `GET` (`presigned`), and on the header-form request with a wrong secret (`wrong_secret`: the same work, then
//!   the refusal). Each is one canonical request, four HMACs for the signing key and one for the signature.
//! - `router`: DescribeVpcs of one VPC through the whole axum router on a memory store: `any_key` (no gate, the
//!   default), `sigv4_header` and `sigv4_presigned` (the gate verifies first). The difference is what a client pays.
//!
//! Requests are signed once, before timing, by `aws-sigv4`; the header-form signature stays valid for the 15-minute
//! window, longer than a run.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SignatureLocation, SigningSettings};
use aws_sigv4::sign::v4;
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, Uri};
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use http_body_util::BodyExt;
use localvpc_api::auth::verify::{verify, SignedRequest};
use localvpc_api::auth::{Auth, Credentials};
use localvpc_api::control::Control;
use localvpc_store::MemoryStore;
use tokio::runtime::Runtime;
use tower::ServiceExt;

const KEY: &str = "AKIDBENCHMARK";
const SECRET: &str = "benchmark-secret";
const HOST: &str = "127.0.0.1:4566";
const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

fn credentials() -> Credentials {
    let mut credentials = Credentials::new();
    credentials.insert(KEY, SECRET, Some("111111111111"));
    credentials
}

/// A signed request, as the server receives it.
#[derive(Clone)]
struct Signed {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Vec<u8>,
}

fn params<'a>(
    identity: &'a aws_smithy_runtime_api::client::identity::Identity,
    settings: SigningSettings,
) -> v4::SigningParams<'a, SigningSettings> {
    v4::SigningParams::builder()
        .identity(identity)
        .region("us-east-1")
        .name("ec2")
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .expect("signing parameters")
}

/// A form POST of `body`, signed in the header form with `secret`.
fn header_signed(secret: &str, body: &str) -> Signed {
    let identity = aws_credential_types::Credentials::new(KEY, secret, None, None, "bench").into();
    let params = params(&identity, SigningSettings::default()).into();
    let request = SignableRequest::new(
        "POST",
        format!("http://{HOST}/"),
        [("content-type", FORM)].into_iter(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .expect("signable");
    let (instructions, _) = sign(request, &params).expect("signed").into_parts();
    let mut headers = HeaderMap::new();
    headers.insert(header::HOST, HeaderValue::from_static(HOST));
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(FORM));
    for (name, value) in instructions.headers() {
        headers.insert(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(value).unwrap());
    }
    Signed { method: Method::POST, uri: "/".parse().unwrap(), headers, body: body.as_bytes().to_vec() }
}

/// `GET /?{query}` presigned for an hour.
fn presigned(query: &str) -> Signed {
    let identity = aws_credential_types::Credentials::new(KEY, SECRET, None, None, "bench").into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(Duration::from_secs(3600));
    let params = params(&identity, settings).into();
    let request =
        SignableRequest::new("GET", format!("http://{HOST}/?{query}"), std::iter::empty(), SignableBody::empty())
            .expect("signable");
    let (instructions, _) = sign(request, &params).expect("signed").into_parts();
    let mut uri = format!("/?{query}");
    for (name, value) in instructions.params() {
        uri.push_str(&format!("&{name}={}", form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()));
    }
    let mut headers = HeaderMap::new();
    headers.insert(header::HOST, HeaderValue::from_static(HOST));
    Signed { method: Method::GET, uri: uri.parse().unwrap(), headers, body: Vec::new() }
}

fn verify_once(signed: &Signed, credentials: &Credentials) -> bool {
    let request = SignedRequest {
        method: signed.method.as_str(),
        uri: &signed.uri,
        headers: &signed.headers,
        body: &signed.body,
    };
    verify(&request, credentials, SystemTime::now()).is_ok()
}

fn verifier(c: &mut Criterion) {
    let credentials = credentials();
    let body = "Action=DescribeVpcs&Version=2016-11-15&VpcId.1=vpc-0123456789abcdef0";
    let header_form = header_signed(SECRET, body);
    let presigned = presigned(body);
    let wrong = header_signed("not-the-secret", body);
    assert!(verify_once(&header_form, &credentials) && verify_once(&presigned, &credentials));
    assert!(!verify_once(&wrong, &credentials));

    let mut group = c.benchmark_group("verify");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3)).sample_size(50);
    group.throughput(Throughput::Elements(1));
    for (name, signed, expected) in
        [("header_form", &header_form, true), ("presigned", &presigned, true), ("wrong_secret", &wrong, false)]
    {
        group.bench_function(name, |b| b.iter(|| assert_eq!(verify_once(signed, &credentials), expected)));
    }
    group.finish();
}

/// One request through the router; panics unless the answer is `200`.
async fn call(router: &Router, signed: &Signed) {
    let mut request = Request::builder().method(signed.method.clone()).uri(signed.uri.clone());
    for (name, value) in &signed.headers {
        request = request.header(name, value);
    }
    let request = request.body(Body::from(signed.body.clone())).expect("valid request");
    let response = router.clone().oneshot(request).await.expect("the router is infallible");
    let status = response.status();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
}

fn router(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    let app = |auth: Auth| -> Router {
        let control = runtime.block_on(Control::open(Arc::new(MemoryStore::new()))).expect("control plane");
        localvpc_api::router_with_auth(Arc::new(control), auth)
    };
    let any_key = app(Auth::AnyKey);
    let strict = app(Auth::SigV4(Arc::new(credentials())));
    // The default VPC of the region, created by the first request and described by every timed one.
    let vpc_id = first_vpc(&runtime, &any_key);
    let strict_vpc_id = first_vpc(&runtime, &strict);
    let body = |vpc: &str| format!("Action=DescribeVpcs&Version=2016-11-15&VpcId.1={vpc}");
    let unsigned = header_signed(SECRET, &body(&vpc_id));
    let header_form = header_signed(SECRET, &body(&strict_vpc_id));
    let presigned = presigned(&body(&strict_vpc_id));

    let mut group = c.benchmark_group("router");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3)).sample_size(50);
    group.throughput(Throughput::Elements(1));
    for (name, router, signed) in [
        ("describe_vpcs/any_key", &any_key, &unsigned),
        ("describe_vpcs/sigv4_header", &strict, &header_form),
        ("describe_vpcs/sigv4_presigned", &strict, &presigned),
    ] {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        call(router, signed).await;
                    }
                    start.elapsed()
                })
            });
        });
    }
    group.finish();
}

/// The ID of the first VPC a signed DescribeVpcs lists (creating the region's default VPC).
fn first_vpc(runtime: &Runtime, router: &Router) -> String {
    let signed = header_signed(SECRET, "Action=DescribeVpcs&Version=2016-11-15");
    let mut request = Request::builder().method(Method::POST).uri("/");
    for (name, value) in &signed.headers {
        request = request.header(name, value);
    }
    let response = runtime
        .block_on(router.clone().oneshot(request.body(Body::from(signed.body)).unwrap()))
        .expect("the router is infallible");
    let bytes = runtime.block_on(response.into_body().collect()).expect("body").to_bytes();
    let text = String::from_utf8_lossy(&bytes);
    let start = text.find("<vpcId>").expect("a VPC") + "<vpcId>".len();
    text[start..start + text[start..].find('<').unwrap()].to_string()
}

criterion_group!(benches, verifier, router);
criterion_main!(benches);
