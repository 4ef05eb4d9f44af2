//! Benchmarks of `POST /_localvpc/v1/reachability` in process — the axum router through `tower`'s `oneshot`, no
//! sockets — on the engine benchmarks' full peering mesh: 126 VPCs × 80 instances (10,080 instances, 7,875
//! peering connections), built in the control plane with the model's rules (`mesh.rs`), its topology compiled
//! before timing. Each form's time is the walks, the groups, the form and its JSON text; the size of each answer
//! is printed once. Run with `cargo bench -p localvpc-api --bench reachability`.

#[path = "../../localvpc-engine/benches/common/mesh.rs"]
mod mesh;

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion};
use http_body_util::BodyExt;
use localvpc_api::control::Control;
use localvpc_store::MemoryStore;
use tower::ServiceExt;

/// One reachability request as the mesh's owner; panics unless the answer is `200`. Returns the body.
async fn reachability(router: &Router, body: &str) -> Bytes {
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={}/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0",
        mesh::ACCOUNT
    );
    let request = Request::builder()
        .method(Method::POST)
        .uri("/_localvpc/v1/reachability")
        .header(header::AUTHORIZATION, authorization)
        .body(Body::from(body.to_string()))
        .expect("valid request");
    let response = router.clone().oneshot(request).await.expect("the router is infallible");
    let status = response.status();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes[..bytes.len().min(500)]));
    bytes
}

fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let control = runtime.block_on(Control::open(Arc::new(MemoryStore::new()))).expect("open the control plane");
    runtime
        .block_on(control.mutate(|tx| {
            mesh::build(tx, 126, 80);
            Ok(())
        }))
        .expect("the mesh");
    let control = Arc::new(control);
    let topology = control.topology();
    eprintln!("mesh: {} instances, {} peering connections", topology.enis.len(), topology.peerings.len());
    let router = localvpc_api::router(control);

    let mut group = c.benchmark_group("v1_reachability_126x80");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    let forms = [
        ("groups", r#"{}"#),
        ("summary", r#"{"form": "summary"}"#),
        ("reachable_100", r#"{"form": "reachable"}"#),
        ("unreachable_100", r#"{"form": "unreachable"}"#),
        ("full", r#"{"form": "full"}"#),
    ];
    for (name, body) in forms {
        let size = runtime.block_on(reachability(&router, body)).len();
        eprintln!("{name}: {size} bytes of JSON");
        group.bench_function(name, |b| b.iter(|| runtime.block_on(reachability(&router, body))));
    }
    group.finish();
}

criterion_group!(reachability_benches, benches);
criterion_main!(reachability_benches);
