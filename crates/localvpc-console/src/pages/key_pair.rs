//! Key pairs: the list, "Create key pair" (CreateKeyPair — the private key is shown once, on the page that
//! answers the form, with a download link; it is never stored and no later page can show it), "Import key pair"
//! (ImportKeyPair: the public key as pasted, sent base64-encoded as SDKs send the blob) and "Delete".

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use localvpc_model::key_pair::KeyPair;
use maud::html;

use super::security_group::encode;
use super::traffic::Fields;
use super::{Shown, View};
use crate::ec2::{self, Refusal};
use crate::layout::{self, List};
use crate::session::Session;
use crate::ConsoleState;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route("/console/key-pairs", get(list))
        .route("/console/key-pairs/create", get(create_form).post(create))
        .route("/console/key-pairs/import", get(import_form).post(import))
        .route("/console/key-pairs/{id}/delete", post(delete))
}

async fn list(State(state): State<ConsoleState>, session: Session, Query(shown): Query<Shown>) -> Response {
    let view = View::load(&state, session).await;
    list_page(&view, shown.done.as_deref(), None)
}

fn list_page(view: &View, done: Option<&str>, refusal: Option<&Refusal>) -> Response {
    let mut keys: Vec<&KeyPair> = view.region().key_pairs.values().map(|key| &**key).collect();
    keys.sort_by(|a, b| a.name.cmp(&b.name));
    let rows = keys
        .iter()
        .map(|key| {
            vec![
                html! { (key.name) },
                html! { (key.key_type.name()) },
                html! { (key.create_time.to_iso8601()) },
                html! { span class="mono" { (key.fingerprint) } },
                html! { span class="mono" { (key.id) } },
                html! {
                    form class="inline" method="post" action=(format!("/console/key-pairs/{}/delete", key.id)) {
                        button class="danger" id=(format!("delete-{}", key.name)) type="submit" { "Delete" }
                    }
                },
            ]
        })
        .collect();
    let list = List {
        title: "Key pairs",
        noun: "key pairs",
        create: Some(("Create key pair", "/console/key-pairs/create")),
        columns: &["Name", "Type", "Created", "Fingerprint", "ID", ""],
        rows,
    };
    let body = html! {
        (layout::refusal(refusal))
        (list.render(done))
        p { a class="button" id="import-key-pair" href="/console/key-pairs/import" { "Import key pair" } }
    };
    layout::form_page(&view.session, "/console/key-pairs", "Key pairs", body, refusal)
}

async fn delete(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    let name = View::new(&state, session.clone()).region().key_pairs.get(id.as_str()).map(|key| key.name.clone());
    match ec2::run(&state, &session, &[("Action", "DeleteKeyPair"), ("KeyPairId", &id)]).await {
        Ok(_) => {
            let done = format!("Successfully deleted key pair {}", name.unwrap_or(id));
            Redirect::to(&format!("/console/key-pairs?done={}", encode(&done))).into_response()
        }
        Err(refusal) => list_page(&View::new(&state, session), None, Some(&refusal)),
    }
}

// ---- Create key pair ----

#[derive(Default)]
struct CreateValues {
    name: String,
    key_type: String,
    format: String,
}

async fn create_form(State(state): State<ConsoleState>, session: Session) -> Response {
    let view = View::load(&state, session).await;
    create_page(&view, &CreateValues { key_type: "rsa".into(), format: "pem".into(), ..CreateValues::default() }, None)
}

fn create_page(view: &View, values: &CreateValues, refusal: Option<&Refusal>) -> Response {
    let body = html! {
        div class="crumbs" { a href="/console/key-pairs" { "Key pairs" } " › Create key pair" }
        div class="page-head" { h1 { "Create key pair" } }
        (layout::refusal(refusal))
        form class="create panel" method="post" action="/console/key-pairs/create" {
            h2 { "Key pair" }
            (layout::text_field("key-name", "Name", &values.name, Some("The name can include up to 255 ASCII characters.")))
            fieldset {
                legend { "Key pair type" }
                label class="choice" { input type="radio" id="type-rsa" name="key-type" value="rsa" checked[values.key_type != "ed25519"]; "RSA" }
                label class="choice" { input type="radio" id="type-ed25519" name="key-type" value="ed25519" checked[values.key_type == "ed25519"]; "ED25519" }
            }
            fieldset {
                legend { "Private key file format" }
                label class="choice" { input type="radio" id="format-pem" name="key-format" value="pem" checked[values.format != "ppk"]; ".pem — For use with OpenSSH" }
                label class="choice" { input type="radio" id="format-ppk" name="key-format" value="ppk" checked[values.format == "ppk"]; ".ppk — For use with PuTTY" }
            }
            div class="form-actions" {
                a class="button" href="/console/key-pairs" { "Cancel" }
                button class="primary" id="submit-create-key-pair" type="submit" { "Create key pair" }
            }
        }
    };
    layout::form_page(&view.session, "/console/key-pairs", "Create key pair", body, refusal)
}

async fn create(State(state): State<ConsoleState>, session: Session, body: Bytes) -> Response {
    let form = Fields::parse(&body);
    let values = CreateValues {
        name: form.get("key-name").to_string(),
        key_type: form.get("key-type").to_string(),
        format: form.get("key-format").to_string(),
    };
    let mut params = vec![("Action", "CreateKeyPair"), ("KeyName", values.name.as_str())];
    if !values.key_type.is_empty() {
        params.push(("KeyType", values.key_type.as_str()));
    }
    if !values.format.is_empty() {
        params.push(("KeyFormat", values.format.as_str()));
    }
    match ec2::run(&state, &session, &params).await {
        Ok(answer) => {
            let material = answer.text("keyMaterial").unwrap_or_default();
            let name = answer.text("keyName").unwrap_or_default();
            created_page(&View::new(&state, session), &name, &values.format, &material)
        }
        Err(refusal) => create_page(&View::new(&state, session), &values, Some(&refusal)),
    }
}

/// The answer to "Create key pair": the private key, this once. The page is not cached, and the form's POST is
/// its only address, so reloading it asks AWS again (and AWS answers that the key pair exists).
fn created_page(view: &View, name: &str, format: &str, material: &str) -> Response {
    let extension = if format == "ppk" { "ppk" } else { "pem" };
    let media_type = if format == "ppk" { "application/octet-stream" } else { "application/x-pem-file" };
    let data_url = format!("data:{media_type};base64,{}", base64::engine::general_purpose::STANDARD.encode(material));
    let body = html! {
        div class="alert success" role="status" { "Successfully created key pair " (name) }
        div class="crumbs" { a href="/console/key-pairs" { "Key pairs" } " › " (name) }
        div class="page-head" {
            h1 { "Private key of " (name) }
            div class="actions" {
                a class="button primary" id="download-key" href=(data_url) download=(format!("{name}.{extension}")) { "Download " (name) "." (extension) }
            }
        }
        section class="panel" {
            p class="hint" { "This is the only time the private key is shown: AWS keeps only the public key. Save it now." }
            pre class="key" id="private-key" { (material) }
            p { a href="/console/key-pairs" { "Back to key pairs" } }
        }
    };
    let mut response = layout::page(&view.session, "/console/key-pairs", "Private key", body);
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    response
}

// ---- Import key pair ----

#[derive(Default)]
struct ImportValues {
    name: String,
    public_key: String,
}

async fn import_form(State(state): State<ConsoleState>, session: Session) -> Response {
    import_page(&View::load(&state, session).await, &ImportValues::default(), None)
}

fn import_page(view: &View, values: &ImportValues, refusal: Option<&Refusal>) -> Response {
    let body = html! {
        div class="crumbs" { a href="/console/key-pairs" { "Key pairs" } " › Import key pair" }
        div class="page-head" { h1 { "Import key pair" } }
        (layout::refusal(refusal))
        form class="create panel" method="post" action="/console/key-pairs/import" {
            h2 { "Key pair" }
            (layout::text_field("key-name", "Name", &values.name, None))
            div class="field" {
                label for="public-key" { "Public key contents" }
                textarea id="public-key" name="public-key" rows="6" cols="80" spellcheck="false" { (values.public_key) }
                p class="hint" { "An OpenSSH public key (ssh-rsa or ssh-ed25519), a PEM public key, or an RFC 4716 (SSH2) block." }
            }
            div class="form-actions" {
                a class="button" href="/console/key-pairs" { "Cancel" }
                button class="primary" id="submit-import-key-pair" type="submit" { "Import key pair" }
            }
        }
    };
    layout::form_page(&view.session, "/console/key-pairs", "Import key pair", body, refusal)
}

async fn import(State(state): State<ConsoleState>, session: Session, body: Bytes) -> Response {
    let form = Fields::parse(&body);
    let values =
        ImportValues { name: form.get("key-name").to_string(), public_key: form.get("public-key").to_string() };
    // The blob travels base64-encoded, as the aws CLI and the SDKs send a key file's bytes.
    let material = base64::engine::general_purpose::STANDARD.encode(values.public_key.trim().as_bytes());
    let params =
        [("Action", "ImportKeyPair"), ("KeyName", values.name.as_str()), ("PublicKeyMaterial", material.as_str())];
    match ec2::run(&state, &session, &params).await {
        Ok(_) => {
            let done = format!("Successfully imported key pair {}", values.name);
            Redirect::to(&format!("/console/key-pairs?done={}", encode(&done))).into_response()
        }
        Err(refusal) => import_page(&View::new(&state, session), &values, Some(&refusal)),
    }
}
