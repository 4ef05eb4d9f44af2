//! `localvpc demo`: the seed tutorial (VPC peering between peeringVPC-A and peeringVPC-B) as a guided run.
//!
//! It starts an in-process server on a free loopback port with a memory store, then replays the tutorial step by
//! step (`demo/tutorial.rs`) through the same two doors a user has: the EC2 Query API, as the aws CLI calls it
//! (`demo/ec2.rs`), and the JSON API the client commands ask, rendered by the very `tools/` and `ssh.rs` code that
//! `localvpc exec` and `localvpc ssh` use, so the demo prints what those commands print. Each step shows the command
//! line, its result and its checks (`demo/report.rs`). Exit status 0 only when every check behaved as AWS does.
//!
//! Nothing waits: the server answers from memory and the tools synthesise their times.

mod ec2;
mod report;
mod tutorial;

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use localvpc_api::control::Control;
use localvpc_api::id_source::IdSource;
use localvpc_store::MemoryStore;

use crate::client::Client;
use crate::server;
use report::Report;
use tutorial::{Tutorial, REGION};

/// The access key the demo calls with (any key maps to the default account, 123456789012).
const ACCESS_KEY: &str = "test";

/// Runs the demo, printing to standard output; the exit status: 0 when every step behaved as AWS does, 1 otherwise.
pub fn run(quiet: bool) -> anyhow::Result<u8> {
    replay(std::io::stdout().lock(), quiet)
}

/// The demo's `--id-seed`: any fixed value keeps its transcript's IDs the same from run to run.
const DEMO_ID_SEED: u64 = 2026;

/// Runs the demo, writing the transcript to `out`; the exit status as [`run`]'s.
fn replay(out: impl Write, quiet: bool) -> anyhow::Result<u8> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let (listener, control) = runtime.block_on(async {
        // A fixed seed: the transcript shows the same IDs on every run.
        let control = Control::open(Arc::new(MemoryStore::new()))
            .await
            .context("while opening the memory store")?
            .with_id_source(IdSource::Seeded(DEMO_ID_SEED));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("while binding a loopback port")?;
        anyhow::Ok((listener, control))
    })?;
    let endpoint = format!("http://{}", listener.local_addr().context("while reading the bound address")?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = localvpc_api::router(Arc::new(control));
    let serving = runtime.spawn(server::run(listener, app, server::Limits::default(), async {
        let _ = stopped.await;
    }));

    let mut report = Report::new(out, quiet);
    report.line(&format!(
        "localvpc demo: seed tutorial 003, VPC peering (peeringVPC-A 10.6.0.0/16 <-> peeringVPC-B 10.7.0.0/16),\n\
         replayed against an in-process localvpc at {endpoint} (memory store, region {REGION}).\n\
         Each step shows the command you would type, what it answers, and whether that is what AWS does."
    ));
    {
        let ec2 = ec2::Ec2::new(&endpoint, ACCESS_KEY, REGION)?;
        let client = Client::new(&endpoint, ACCESS_KEY, None, REGION)?;
        if let Err(error) = Tutorial::new(&ec2, &client, &mut report).run() {
            report.abort(&error);
        }
    }
    let status = report.summary();

    let _ = stop.send(());
    runtime.block_on(async {
        let _ = tokio::time::timeout(Duration::from_secs(2), serving).await;
    });
    runtime.shutdown_background();
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tutorial_behaves_as_aws_does() {
        let mut out = Vec::new();
        let status = replay(&mut out, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(status, 0, "{text}");
        assert!(!text.contains('✗'), "{text}");
        for expected in [
            "==> Step 1: create the two VPCs\n$ aws ec2 create-vpc --cidr-block 10.6.0.0/16 ",
            "ssh: connect to host 198.18.0.1 port 22: Connection timed out\n",
            "[ec2-user@ip-10-6-1-4 ~]$ exit\n",
            "3 packets transmitted, 0 received, 100% packet loss",
            "    active  \"Active\"\n",
            "3 packets transmitted, 3 received, 0% packet loss",
            "traceroute to 10.7.1.4 (10.7.1.4), 30 hops max, 60 byte packets\n 1  10.7.1.4 (10.7.1.4)  ",
            "Address: 10.6.1.4\n",
            "Address: 198.18.0.1\n",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        assert!(text.ends_with("checks passed).\n"), "{text}");
    }

    #[test]
    fn quiet_keeps_headings_and_checks_only() {
        let mut out = Vec::new();
        assert_eq!(replay(&mut out, true).unwrap(), 0);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("==> Step 8: ") && text.contains("  ✓ 0% packet loss"), "{text}");
        assert!(!text.contains("$ aws ec2") && !text.contains("PING "), "{text}");
    }
}
