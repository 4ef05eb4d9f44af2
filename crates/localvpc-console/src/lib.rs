//! The web console at `/console`: server-rendered pages mirroring the AWS VPC and EC2 consoles, a live network
//! map, probes drawn on it, and the tutorial by clicks.
//!
//! The console is a *client*: every change it makes is an EC2 action run in process through
//! [`localvpc_api::call_ec2`] — the same action table, handlers, model rules, transaction and commit as an SDK's
//! request — and every refusal shows AWS's code and message as the SDK would see them. Pages read the published
//! world snapshot of the session's scope (account and region) and render it; nothing here decides what AWS allows.
//! Probes go through the same engine walk as `localvpc explain` ([`localvpc_api::explain_probe`]).
//!
//! Layout of the crate: [`session`] (who is looking: account and region from cookies, or a signed-in key under
//! `serve --auth sigv4`), [`ec2`] (running an action and reading its answer), [`layout`] (the page chrome and the
//! shared widgets: lists, detail tabs, forms), `pages/` (one file per resource, as the EC2 handlers are), and the
//! static assets compiled into the binary (`assets/`).
//! The network map has a module of its own, `map/` (world → scene → layout → SVG, and a probe's overlay), which
//! `pages/map.rs` serves; [`bench`] holds the page renderers the benchmarks call.

mod assets;
pub mod bench;
mod ec2;
mod layout;
mod map;
mod pages;
mod session;

use std::sync::Arc;

use axum::Router;
use localvpc_api::auth::Auth;
use localvpc_api::AppState;

pub use session::Sessions;

/// What every console handler shares: the server's control (world snapshots, the EC2 actions) and how callers
/// authenticate.
pub struct Console {
    /// The server's world and action runner.
    pub control: AppState,
    /// `serve --auth`: with SigV4 the console asks for a key and secret and acts for that key's account.
    pub auth: Auth,
    /// Signed-in console sessions (SigV4 mode only).
    pub sessions: Sessions,
}

/// Shared state of the console routes.
pub type ConsoleState = Arc<Console>;

/// The console's routes, mounted beside the EC2 API on the same port. They are not behind the SigV4 gate (a
/// browser cannot sign); under `--auth sigv4` the console's own sign-in checks the key's secret instead.
pub fn routes(control: AppState, auth: Auth) -> Router {
    let state = Arc::new(Console { control, auth, sessions: Sessions::default() });
    pages::routes().merge(assets::routes()).merge(session::routes()).with_state(state)
}
