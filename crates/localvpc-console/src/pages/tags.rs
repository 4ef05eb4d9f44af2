//! "Manage tags" for any resource: its tags as editable Key/Value rows plus empty rows to add, saved as AWS's
//! console saves them — DeleteTags for the keys removed or changed, then CreateTags for the rest — so every rule
//! (key length, `aws:` prefix, 50 tags, the resource's existence) is the EC2 actions' own.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use localvpc_model::tags::ops;
use localvpc_model::Tag;
use maud::html;
use serde::Deserialize;

use super::View;
use crate::ec2::{self, Refusal};
use crate::layout::{self, Form};
use crate::session::Session;
use crate::ConsoleState;

/// Empty rows offered for new tags.
const NEW_ROWS: usize = 3;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new().route("/console/tags/{id}", get(edit_form).post(save))
}

#[derive(Deserialize, Default)]
struct Back {
    back: Option<String>,
}

/// The tags of a resource of the session's scope by ID, as DescribeTags lists them (none for an unknown ID: then
/// CreateTags names it with AWS's error when the user saves).
fn current(view: &View, id: &str) -> Vec<Tag> {
    let now = localvpc_api::control::Control::now(&view.world);
    let mut rows = ops::all_tags(view.region());
    rows.extend(ops::peering_tags(&view.world, &view.session.scope, now));
    rows.into_iter().filter(|row| row.resource_id == id).map(|row| Tag { key: row.key, value: row.value }).collect()
}

async fn edit_form(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    Query(back): Query<Back>,
) -> Response {
    let view = View::load(&state, session).await;
    let back = safe_back(back.back.as_deref());
    let rows: Vec<(String, String)> = current(&view, &id).into_iter().map(|t| (t.key, t.value)).collect();
    page(&view, &id, &rows, &back, None)
}

fn safe_back(back: Option<&str>) -> String {
    back.filter(|path| path.starts_with("/console") && !path.contains("//")).unwrap_or("/console").to_string()
}

fn page(view: &View, id: &str, rows: &[(String, String)], back: &str, refusal: Option<&Refusal>) -> Response {
    let blank = (String::new(), String::new());
    let shown = rows.iter().chain(std::iter::repeat_n(&blank, NEW_ROWS));
    let body = html! {
        div class="crumbs" { a href=(back) { (id) } " › Manage tags" }
        div class="page-head" { h1 { "Manage tags" } }
        (layout::refusal(refusal))
        form class="create panel" method="post" action=(format!("/console/tags/{id}")) {
            input type="hidden" name="back" value=(back);
            p class="hint" { "A tag is a label of a key and an optional value. Clear a key to remove its tag." }
            table class="list tag-editor" {
                thead { tr { th scope="col" { "Key" } th scope="col" { "Value - optional" } } }
                tbody {
                    @for (index, (key, value)) in shown.enumerate() {
                        tr {
                            td { input type="text" id=(format!("tag-key-{index}")) name="key" value=(key) aria-label=(format!("Tag {} key", index + 1)); }
                            td { input type="text" id=(format!("tag-value-{index}")) name="value" value=(value) aria-label=(format!("Tag {} value", index + 1)); }
                        }
                    }
                }
            }
            div class="form-actions" {
                a class="button" href=(back) { "Cancel" }
                button class="primary" id="submit-tags" type="submit" { "Save changes" }
            }
        }
    };
    layout::form_page(&view.session, "", "Manage tags", body, refusal)
}

async fn save(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let back = form.back();
    let wanted: Vec<(String, String)> = form
        .all("key")
        .into_iter()
        .zip(form.all("value"))
        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
        .filter(|(k, _)| !k.is_empty())
        .collect();
    let view = View::load(&state, session.clone()).await;
    let old = current(&view, &id);
    let removed: Vec<&Tag> =
        old.iter().filter(|tag| !wanted.iter().any(|(k, v)| k == &tag.key && v == &tag.value)).collect();
    let added: Vec<&(String, String)> =
        wanted.iter().filter(|(k, v)| !old.iter().any(|tag| &tag.key == k && &tag.value == v)).collect();
    if !removed.is_empty() {
        let mut params =
            vec![("Action".to_string(), "DeleteTags".to_string()), ("ResourceId.1".to_string(), id.clone())];
        for (n, tag) in removed.iter().enumerate() {
            params.push((format!("Tag.{}.Key", n + 1), tag.key.clone()));
        }
        if let Err(refusal) = run_owned(&state, &session, &params).await {
            return page(&view, &id, &wanted, &back, Some(&refusal));
        }
    }
    if !added.is_empty() {
        let mut params =
            vec![("Action".to_string(), "CreateTags".to_string()), ("ResourceId.1".to_string(), id.clone())];
        for (n, (key, value)) in added.iter().enumerate() {
            params.push((format!("Tag.{}.Key", n + 1), key.clone()));
            params.push((format!("Tag.{}.Value", n + 1), value.clone()));
        }
        if let Err(refusal) = run_owned(&state, &session, &params).await {
            let view = View::new(&state, session);
            return page(&view, &id, &wanted, &back, Some(&refusal));
        }
    }
    Redirect::to(&format!(
        "{back}{}done=You+successfully+updated+the+tags+of+{id}.",
        if back.contains('?') { '&' } else { '?' }
    ))
    .into_response()
}

async fn run_owned(state: &ConsoleState, session: &Session, params: &[(String, String)]) -> Result<(), Refusal> {
    let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    ec2::run(state, session, &pairs).await.map(|_| ())
}
