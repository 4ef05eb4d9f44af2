//! Who is looking: the account and region a page shows and acts in.
//!
//! By default (any key accepted, as the EC2 API does) the header's switcher sets two cookies, `lv_account` and
//! `lv_region`, defaulting to 123456789012 / us-east-1. Under `serve --auth sigv4` the account is not chosen but
//! proven: the sign-in page takes an access key and its secret, checks them against the server's credentials file
//! (the same keys the SigV4 gate verifies), and the session acts for that key's account until sign-out.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use localvpc_api::auth::Auth;
use localvpc_model::availability_zone::REGIONS;
use localvpc_model::{Scope, DEFAULT_ACCOUNT, DEFAULT_REGION};
use maud::html;

use crate::layout::{self, Form};
use crate::ConsoleState;

const ACCOUNT_COOKIE: &str = "lv_account";
const REGION_COOKIE: &str = "lv_region";
const SESSION_COOKIE: &str = "lv_session";

/// Signed-in sessions under `--auth sigv4`: an unguessable token → (access key, account).
#[derive(Default)]
pub struct Sessions(Mutex<HashMap<String, (String, String)>>);

impl Sessions {
    fn account_of(&self, token: &str) -> Option<(String, String)> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(token).cloned()
    }

    fn open(&self, access_key: &str, account: &str) -> String {
        let mut bytes = [0u8; 16];
        getrandom_fill(&mut bytes);
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let mut table = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        table.insert(token.clone(), (access_key.to_string(), account.to_string()));
        token
    }

    fn close(&self, token: &str) {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(token);
    }
}

/// A session token from the OS's randomness.
fn getrandom_fill(bytes: &mut [u8]) {
    getrandom::getrandom(bytes).expect("the OS provides randomness");
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|line| line.split(';').map(str::trim).find_map(|pair| pair.strip_prefix(name)?.strip_prefix('=')))
}

/// The scope a console request acts in, and how it got it.
#[derive(Debug, Clone)]
pub struct Session {
    /// Account and region.
    pub scope: Scope,
    /// The signed-in access key (SigV4 mode), shown in the header.
    pub access_key: Option<String>,
    /// Whether the header offers an account switcher (not under SigV4, where the key decides).
    pub can_switch_account: bool,
}

/// A page that needs a session answers with the sign-in page's redirect when there is none (SigV4 mode).
pub struct NeedsSignIn;

impl IntoResponse for NeedsSignIn {
    fn into_response(self) -> Response {
        Redirect::to("/console/signin").into_response()
    }
}

fn region_of(headers: &HeaderMap) -> String {
    cookie(headers, REGION_COOKIE)
        .filter(|region| REGIONS.iter().any(|known| known.name == *region))
        .unwrap_or(DEFAULT_REGION)
        .to_string()
}

impl FromRequestParts<ConsoleState> for Session {
    type Rejection = NeedsSignIn;

    async fn from_request_parts(parts: &mut Parts, state: &ConsoleState) -> Result<Self, NeedsSignIn> {
        let region = region_of(&parts.headers);
        match &state.auth {
            Auth::AnyKey => {
                let account = cookie(&parts.headers, ACCOUNT_COOKIE)
                    .filter(|account| valid_account(account))
                    .unwrap_or(DEFAULT_ACCOUNT)
                    .to_string();
                Ok(Session { scope: Scope { account, region }, access_key: None, can_switch_account: true })
            }
            Auth::SigV4(_) => {
                let token = cookie(&parts.headers, SESSION_COOKIE).ok_or(NeedsSignIn)?;
                let (access_key, account) = state.sessions.account_of(token).ok_or(NeedsSignIn)?;
                Ok(Session {
                    scope: Scope { account, region },
                    access_key: Some(access_key),
                    can_switch_account: false,
                })
            }
        }
    }
}

fn valid_account(account: &str) -> bool {
    account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())
}

pub(crate) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route("/console/session", post(switch))
        .route("/console/signin", get(sign_in_page).post(sign_in))
        .route("/console/signout", post(sign_out))
}

fn set_cookie(headers: &mut HeaderMap, name: &str, value: &str) {
    let line = format!("{name}={value}; Path=/console; SameSite=Lax; HttpOnly");
    if let Ok(value) = HeaderValue::from_str(&line) {
        headers.append(header::SET_COOKIE, value);
    }
}

/// `POST /console/session`: the header's account/region switcher. An unknown region or a malformed account is
/// refused with the reason, and nothing changes.
async fn switch(State(state): State<ConsoleState>, body: axum::body::Bytes) -> Response {
    let form = Form::parse(&body);
    let back = form.back();
    let mut headers = HeaderMap::new();
    if let Some(region) = form.get("region") {
        if !REGIONS.iter().any(|known| known.name == region) {
            return layout::bad_request(&format!("Unknown region: {region}"));
        }
        set_cookie(&mut headers, REGION_COOKIE, region);
    }
    if let (Some(account), Auth::AnyKey) = (form.get("account"), &state.auth) {
        if !valid_account(account) {
            return layout::bad_request(&format!("An account ID is 12 digits, not {account:?}"));
        }
        set_cookie(&mut headers, ACCOUNT_COOKIE, account);
    }
    (headers, Redirect::to(&back)).into_response()
}

async fn sign_in_page(State(state): State<ConsoleState>) -> Response {
    sign_in_form(&state, None, "").into_response()
}

fn sign_in_form(state: &ConsoleState, error: Option<&str>, access_key: &str) -> Response {
    if matches!(state.auth, Auth::AnyKey) {
        return Redirect::to("/console").into_response();
    }
    let body = html! {
        main class="signin" {
            h1 { "Sign in to the localvpc console" }
            p class="hint" { "This server verifies every request (serve --auth sigv4): use an access key and secret from its credentials file." }
            @if let Some(error) = error { (layout::error_box("AuthFailure", error)) }
            form method="post" action="/console/signin" {
                label for="access_key" { "Access key ID" }
                input id="access_key" name="access_key" type="text" autocomplete="username" required value=(access_key);
                label for="secret_key" { "Secret access key" }
                input id="secret_key" name="secret_key" type="password" autocomplete="current-password" required;
                button class="primary" type="submit" { "Sign in" }
            }
        }
    };
    layout::bare_page("Sign in", body)
}

async fn sign_in(State(state): State<ConsoleState>, body: axum::body::Bytes) -> Response {
    let form = Form::parse(&body);
    let Auth::SigV4(credentials) = &state.auth else { return Redirect::to("/console").into_response() };
    let access_key = form.get("access_key").unwrap_or_default();
    let secret = form.get("secret_key").unwrap_or_default();
    match credentials.get(access_key) {
        Some(key) if key.secret_matches(secret) => {
            let token = state.sessions.open(access_key, &key.account);
            let mut headers = HeaderMap::new();
            set_cookie(&mut headers, SESSION_COOKIE, &token);
            (headers, Redirect::to("/console")).into_response()
        }
        // AWS's own words for a key it does not know or a signature that does not match.
        _ => {
            let mut response =
                sign_in_form(&state, Some("The access key ID or the secret access key is not valid."), access_key);
            *response.status_mut() = StatusCode::UNAUTHORIZED;
            response
        }
    }
}

async fn sign_out(State(state): State<ConsoleState>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.sessions.close(token);
    }
    let mut out = HeaderMap::new();
    set_cookie(&mut out, SESSION_COOKIE, "");
    (out, Redirect::to("/console/signin")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("lv_accountx=1; lv_account=210987654321; lv_region=eu-west-1"),
        );
        assert_eq!(cookie(&headers, ACCOUNT_COOKIE), Some("210987654321"));
        assert_eq!(region_of(&headers), "eu-west-1");
        headers.insert(header::COOKIE, HeaderValue::from_static("lv_region=mars-1"));
        assert_eq!(region_of(&headers), DEFAULT_REGION);
    }

    #[test]
    fn session_tokens_differ() {
        let sessions = Sessions::default();
        assert_ne!(sessions.open("a", "1"), sessions.open("a", "1"));
    }
}
