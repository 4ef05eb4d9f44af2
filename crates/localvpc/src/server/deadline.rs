//! Per-connection timeouts: how long a client may take to send a request's headers, and how long a connection
//! may sit idle between requests.
//!
//! hyper has a header timeout but no idle timeout, and its header clock starts whenever the connection waits for
//! a request, so it cannot tell a slow sender (a slowloris, cut after seconds) from a quiet kept-alive client
//! (fine for a minute). Here each connection carries an [`Activity`] that the socket ([`TimedIo`]) and the
//! service (request started, response ready) update, in one of three phases:
//! - idle, since the last response (or the accept): closed after `idle_timeout` with no byte received;
//! - reading a request head, from its first byte until hyper hands the request over: closed after
//!   `header_timeout`, however steadily the bytes trickle in;
//! - busy, from the request to its response: closed only after `idle_timeout` with no byte read or written (a
//!   client that stops reading its answer, or stops sending a body midway).
//!
//! Closing means dropping the connection: the socket closes, with no answer for a request that never arrived.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::Limits;

/// The phase sits in the top two bits of [`Activity::phase`], the millisecond it began in the rest: one word, so
/// the watchdog never pairs a new phase with the previous phase's start (which could close a connection whose
/// request just began after a long idle spell).
const PHASE_SHIFT: u32 = 62;
const SINCE_MASK: u64 = (1 << PHASE_SHIFT) - 1;
const IDLE: u64 = 0;
const HEAD: u64 = 1 << PHASE_SHIFT;
const BUSY: u64 = 2 << PHASE_SHIFT;

/// What one connection is doing and since when (milliseconds since it was accepted), shared by its socket, its
/// service and its watchdog. Atomics rather than a lock: the socket updates it on every read and write.
#[derive(Debug)]
pub struct Activity {
    limits: Limits,
    accepted: Instant,
    phase: AtomicU64,
    last_transfer: AtomicU64,
}

impl Activity {
    /// A connection accepted now, idle until its first byte.
    pub fn new(limits: Limits) -> Self {
        Activity { limits, accepted: Instant::now(), phase: AtomicU64::new(IDLE), last_transfer: AtomicU64::new(0) }
    }

    fn now(&self) -> u64 {
        (self.accepted.elapsed().as_millis() as u64).min(SINCE_MASK)
    }

    /// Bytes came in: the first after an answer starts the header clock.
    fn received(&self) {
        self.received_at(self.now());
    }

    fn received_at(&self, now: u64) {
        self.last_transfer.store(now, Ordering::Relaxed);
        let current = self.phase.load(Ordering::Relaxed);
        if current & !SINCE_MASK == IDLE {
            // Lost only to `request_started`, which needs no header clock any more.
            let _ = self.phase.compare_exchange(current, HEAD | now, Ordering::Relaxed, Ordering::Relaxed);
        }
    }

    /// Bytes went out.
    fn sent(&self) {
        self.last_transfer.store(self.now(), Ordering::Relaxed);
    }

    /// hyper parsed a request head and called the service.
    pub fn request_started(&self) {
        self.phase.store(BUSY | self.now(), Ordering::Relaxed);
    }

    /// The service answered; the connection waits for the next request.
    pub fn response_ready(&self) {
        self.response_ready_at(self.now());
    }

    fn response_ready_at(&self, now: u64) {
        self.last_transfer.store(now, Ordering::Relaxed);
        self.phase.store(IDLE | now, Ordering::Relaxed);
    }

    /// When (milliseconds after the accept) the connection is due to close if nothing changes, and why.
    fn deadline(&self) -> (u64, &'static str) {
        let after = |millis: u64, timeout: Duration| millis.saturating_add(timeout.as_millis() as u64);
        let phase = self.phase.load(Ordering::Relaxed);
        let since = phase & SINCE_MASK;
        match phase & !SINCE_MASK {
            IDLE => (after(since, self.limits.idle_timeout), "idle timeout"),
            HEAD => (after(since, self.limits.header_timeout), "header timeout"),
            _ => {
                let last_transfer = self.last_transfer.load(Ordering::Relaxed);
                (after(last_transfer, self.limits.idle_timeout), "no progress within the idle timeout")
            }
        }
    }

    /// Completes, with the reason, once a deadline has passed. It sleeps towards the current deadline and looks
    /// again (a timer wake-up per deadline, not one per byte), but never longer than the header timeout: the one
    /// change that brings a deadline forward is a request's first byte on an idle connection, and its deadline
    /// lies at least a header timeout after the moment the sleep began.
    pub async fn expired(&self) -> &'static str {
        loop {
            let (deadline, reason) = self.deadline();
            let now = self.now();
            if now >= deadline {
                return reason;
            }
            let nap = Duration::from_millis(deadline - now).min(self.limits.header_timeout);
            tokio::time::sleep(nap).await;
        }
    }
}

/// A socket that reports its reads and writes to the connection's [`Activity`].
#[derive(Debug)]
pub struct TimedIo<T> {
    inner: T,
    activity: Arc<Activity>,
}

impl<T> TimedIo<T> {
    /// Wraps `inner`.
    pub fn new(inner: T, activity: Arc<Activity>) -> Self {
        TimedIo { inner, activity }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for TimedIo<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.received();
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for TimedIo<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            self.activity.sent();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            self.activity.sent();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity() -> Activity {
        Activity::new(Limits {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            ..Limits::default()
        })
    }

    #[test]
    fn an_idle_connection_is_due_after_the_idle_timeout() {
        assert_eq!(activity().deadline(), (60_000, "idle timeout"));
    }

    #[test]
    fn a_trickled_head_is_due_after_the_header_timeout_from_its_first_byte_however_steady() {
        let activity = activity();
        activity.received_at(30_000);
        for byte in 1..=9 {
            activity.received_at(30_000 + byte * 900);
        }
        assert_eq!(activity.deadline(), (40_000, "header timeout"));
    }

    #[test]
    fn an_answer_restarts_the_idle_clock() {
        let activity = activity();
        activity.received_at(1_000);
        activity.request_started();
        activity.response_ready_at(2_000);
        assert_eq!(activity.deadline(), (62_000, "idle timeout"));
        // The next request's first byte starts a new header clock.
        activity.received_at(5_000);
        assert_eq!(activity.deadline(), (15_000, "header timeout"));
    }

    #[test]
    fn a_busy_connection_is_due_only_after_the_idle_timeout_without_progress() {
        let activity = activity();
        activity.received_at(1_000);
        activity.request_started();
        assert_eq!(activity.deadline(), (61_000, "no progress within the idle timeout"));
        activity.received_at(50_000);
        assert_eq!(activity.deadline(), (110_000, "no progress within the idle timeout"));
    }
}
