//! Request bodies that report whether they were read to the end, so an answer given without reading one can say
//! `Connection: close`.
//!
//! A handler may answer without reading the body (a 405 for the wrong method, a 413 for an oversized JSON body).
//! hyper then cannot reuse the connection and closes it after the answer, but says nothing: a keep-alive client
//! that sends its next request before the close reaches it loses that request ("connection closed without
//! response"). RFC 9112 §9.6: a server closing the connection should send `Connection: close`, which clients heed.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper::body::{Body, Frame, Incoming, SizeHint};

/// `Incoming` that sets its flag once the last frame has been read (at once, for a request without a body).
#[derive(Debug)]
pub struct TrackedBody {
    inner: Incoming,
    read_to_end: Arc<AtomicBool>,
}

impl TrackedBody {
    /// Wraps `inner`; the flag tells later whether it was read to the end.
    pub fn new(inner: Incoming) -> (Self, Arc<AtomicBool>) {
        let read_to_end = Arc::new(AtomicBool::new(inner.is_end_stream()));
        (TrackedBody { inner, read_to_end: Arc::clone(&read_to_end) }, read_to_end)
    }
}

impl Body for TrackedBody {
    type Data = <Incoming as Body>::Data;
    type Error = <Incoming as Body>::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.read_to_end.store(true, Ordering::Relaxed);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
