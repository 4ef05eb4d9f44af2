//! The accept loop of `localvpc serve`: hyper's HTTP/1.1 connection builder around the axum router, with the
//! limits that keep one misbehaving client (or a thousand) from taking the endpoint down.
//!
//! Why not `axum::serve`: it offers no connection settings, and localvpc needs `half_close`. A client that sends
//! its request and then shuts down its write side (allowed by HTTP/1.1, and done by some scripted clients) must
//! still get the answer; with hyper's default the connection is dropped on that end-of-input and the answer lost.
//!
//! The limits ([`Limits`], the `serve` flags `--header-timeout`, `--idle-timeout`, `--max-connections`):
//! - at most `max_connections` connections are served at once. The loop stops accepting at the cap, so further
//!   clients wait in the kernel's listen backlog (their connect succeeds, their request is answered when a slot
//!   frees) rather than being refused: a burst of CI jobs is slowed, not failed. One warning per
//!   [`LOG_INTERVAL`] says the cap is reached;
//! - a failed `accept` (out of file descriptors above all: `EMFILE`, `ENFILE`) is retried after a pause that grows
//!   from [`FIRST_BACKOFF`] to [`MAX_BACKOFF`], as tokio's and hyper-util's servers do, with one warning per
//!   [`LOG_INTERVAL`]. Without the pause the listener stays readable (the connection is still queued) and the loop
//!   spins; the open connections are served meanwhile, they need no new descriptor;
//! - per connection, the header and idle timeouts of [`deadline`];
//! - an answer given without reading the request's body says `Connection: close` ([`body`]).

mod body;
mod deadline;
mod limits;

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderValue, Request};
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::{service_fn, Service as _};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use body::TrackedBody;
use deadline::{Activity, TimedIo};
pub use limits::{default_max_connections, Limits};

/// The first pause after a failed `accept`.
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
/// The longest pause after failed `accept`s in a row (each doubles the one before).
const MAX_BACKOFF: Duration = Duration::from_secs(1);
/// At most one warning per this interval for the same condition (failed accepts, the connection cap).
const LOG_INTERVAL: Duration = Duration::from_secs(5);

/// Serves `app` on `listener` within `limits` until `shutdown` completes, then lets open connections finish.
pub async fn run(listener: TcpListener, app: Router, limits: Limits, shutdown: impl Future<Output = ()>) {
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    // hyper's own `header_read_timeout` is switched off: its clock starts whenever the connection waits for a
    // request, idle keep-alive included, so it would also close idle connections after the (short) header
    // timeout. `deadline` times the two apart.
    builder.half_close(true).keep_alive(true).header_read_timeout(None);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut at_cap = Throttle::default();
    let mut accept_failed = Throttle::default();
    let mut backoff = FIRST_BACKOFF;
    tokio::pin!(shutdown);
    loop {
        let slot = match Arc::clone(&slots).try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                if at_cap.due().is_some() {
                    tracing::warn!(
                        max_connections = limits.max_connections,
                        "connection limit reached: new connections wait in the listen backlog until one closes \
                         (serve --max-connections)"
                    );
                }
                tokio::select! {
                    slot = Arc::clone(&slots).acquire_owned() => match slot {
                        Ok(slot) => slot,
                        Err(_) => break, // never closed; nothing left to serve with if it were
                    },
                    () = &mut shutdown => break,
                }
            }
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    backoff = FIRST_BACKOFF;
                    stream
                }
                // The one connection failed before it was accepted: nothing wrong with the listener.
                Err(error) if is_connection_error(&error) => continue,
                Err(error) => {
                    if let Some(failures) = accept_failed.due() {
                        tracing::warn!(%error, failures, retry_in_ms = backoff.as_millis() as u64,
                            "accept failed; pausing before the next try (open connections are still served)");
                    }
                    tokio::select! {
                        () = tokio::time::sleep(backoff) => {}
                        () = &mut shutdown => break,
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Activity::new(limits));
        let router = TowerToHyperService::new(app.clone());
        let requests = Arc::clone(&activity);
        let service = service_fn(move |request: Request<Incoming>| {
            requests.request_started();
            let (parts, body) = request.into_parts();
            let (body, read_to_end) = TrackedBody::new(body);
            let answer = router.call(Request::from_parts(parts, body));
            let requests = Arc::clone(&requests);
            async move {
                let mut response = answer.await?;
                if !read_to_end.load(Ordering::Relaxed) {
                    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
                }
                requests.response_ready();
                Ok::<_, Infallible>(response)
            }
        });
        let io = TokioIo::new(TimedIo::new(stream, Arc::clone(&activity)));
        let connection = graceful.watch(builder.serve_connection(io, service));
        tokio::spawn(async move {
            tokio::select! {
                result = connection => if let Err(error) = result {
                    tracing::debug!(%error, "connection ended with an error");
                },
                reason = activity.expired() => tracing::debug!(reason, "connection closed"),
            }
            drop(slot);
        });
    }
    graceful.shutdown().await;
}

/// Errors that concern only the connection being accepted (it was reset or aborted while queued).
fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
}

/// Lets a repeated warning out once per [`LOG_INTERVAL`] and counts the occurrences in between, so a condition
/// that lasts writes a line every few seconds, not one per event.
#[derive(Debug, Default)]
struct Throttle {
    last: Option<Instant>,
    occurrences: u64,
}

impl Throttle {
    /// Records one occurrence; `Some(occurrences since the last line, this one included)` when a line is due.
    fn due(&mut self) -> Option<u64> {
        self.occurrences += 1;
        let now = Instant::now();
        if self.last.is_some_and(|last| now.duration_since(last) < LOG_INTERVAL) {
            return None;
        }
        self.last = Some(now);
        Some(std::mem::take(&mut self.occurrences))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_throttle_lets_one_line_out_per_interval_and_counts_the_rest() {
        let mut throttle = Throttle::default();
        assert_eq!(throttle.due(), Some(1));
        assert!((0..1000).all(|_| throttle.due().is_none()));
        throttle.last = throttle.last.map(|last| last - LOG_INTERVAL);
        assert_eq!(throttle.due(), Some(1001));
    }

    #[test]
    fn only_per_connection_failures_skip_the_back_off() {
        assert!(is_connection_error(&io::Error::from(io::ErrorKind::ConnectionAborted)));
        // EMFILE: the process is out of descriptors.
        assert!(!is_connection_error(&io::Error::from_raw_os_error(24)));
    }
}
