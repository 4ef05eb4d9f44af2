//! Launch templates: the list, a template's details with its versions and their stored launch parameters, "Set
//! default version" and delete — each change one EC2 action, each refusal AWS's. Templates are made with the
//! SDKs' CreateLaunchTemplate (the console shows what they hold).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use localvpc_model::launch_template::LaunchTemplate;
use maud::html;

use super::vpc::{not_found, refused_page};
use super::{Shown, View};
use crate::ec2::{self, Refusal};
use crate::layout::{self, Form, List};
use crate::session::Session;
use crate::ConsoleState;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route("/console/launch-templates", get(list))
        .route("/console/launch-templates/{id}", get(detail))
        .route("/console/launch-templates/{id}/default", post(set_default))
        .route("/console/launch-templates/{id}/delete", post(delete))
}

fn href(id: &str) -> String {
    format!("/console/launch-templates/{id}")
}

async fn list(State(state): State<ConsoleState>, session: Session, Query(shown): Query<Shown>) -> Response {
    let view = View::load(&state, session).await;
    let mut templates: Vec<_> = view.region().launch_templates.values().collect();
    templates.sort_by(|a, b| a.name.cmp(&b.name));
    let rows = templates
        .iter()
        .map(|template| {
            vec![
                layout::link(&href(&template.id), &template.id),
                html! { (template.name) },
                html! { (template.default_version) },
                html! { (template.latest_version) },
                html! { (template.create_time.to_iso8601()) },
                html! { (template.created_by) },
            ]
        })
        .collect();
    let list = List {
        title: "Launch templates",
        noun: "launch templates",
        create: None,
        columns: &[
            "Launch template ID",
            "Launch template name",
            "Default version",
            "Latest version",
            "Create time",
            "Created by",
        ],
        rows,
    };
    layout::page(&view.session, "/console/launch-templates", "Launch templates", list.render(shown.done.as_deref()))
}

async fn detail(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Response {
    let view = View::load(&state, session).await;
    let Some(template) = view.region().launch_templates.get(id.as_str()) else {
        return not_found(&view, "launch template", &id);
    };
    detail_page(&view, template, shown.done.as_deref(), None)
}

fn detail_page(view: &View, template: &LaunchTemplate, done: Option<&str>, refusal: Option<&Refusal>) -> Response {
    let versions: Vec<(String, String)> =
        template.versions.keys().map(|n| (n.to_string(), format!("Version {n}"))).collect();
    let body = html! {
        (layout::notice(done))
        (layout::refusal(refusal))
        div class="crumbs" { a href="/console/launch-templates" { "Launch templates" } " › " (template.name) }
        div class="page-head" {
            h1 { (template.name) " (" (template.id) ")" }
            form class="inline" method="post" action=(format!("{}/delete", href(&template.id))) {
                button class="danger" id="delete-launch-template" type="submit" { "Delete template" }
            }
        }
        (layout::details("Launch template details", &[
            ("Launch template ID", html! { span class="mono" { (template.id) } }),
            ("Launch template name", html! { (template.name) }),
            ("Default version", html! { (template.default_version) }),
            ("Latest version", html! { (template.latest_version) }),
            ("Created by", html! { (template.created_by) }),
            ("Create time", html! { (template.create_time.to_iso8601()) }),
        ]))
        section class="panel" {
            h2 { "Set default version" }
            form class="create" method="post" action=(format!("{}/default", href(&template.id))) {
                (layout::select_field("version", "Template version", &versions, &template.default_version.to_string()))
                div class="form-actions" { button class="primary" id="submit-default-version" type="submit" { "Set as default version" } }
            }
        }
        @for (number, version) in template.versions.iter().rev() {
            section class="panel" {
                h2 { "Version " (number) @if *number == template.default_version { " (Default)" } }
                @if let Some(description) = &version.description { p class="hint" { (description) } }
                table class="list" {
                    thead { tr { th scope="col" { "Launch parameter" } th scope="col" { "Value" } } }
                    tbody {
                        @for (key, value) in &version.data.0 { tr { td class="mono" { (key) } td class="mono" { (value) } } }
                    }
                }
            }
        }
    };
    layout::form_page(&view.session, "/console/launch-templates", &template.name, body, refusal)
}

async fn refused(state: &ConsoleState, session: Session, id: &str, refusal: &Refusal) -> Response {
    let view = View::new(state, session);
    match view.region().launch_templates.get(id) {
        Some(template) => detail_page(&view, template, None, Some(refusal)),
        None => refused_page(&view, "/console/launch-templates", "Launch template", refusal),
    }
}

async fn set_default(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    let version = form.get("version").unwrap_or_default();
    let params =
        [("Action", "ModifyLaunchTemplate"), ("LaunchTemplateId", id.as_str()), ("SetDefaultVersion", version)];
    match ec2::run(&state, &session, &params).await {
        Ok(_) => {
            Redirect::to(&format!("{}?done=You+successfully+set+version+{version}+as+the+default+of+{id}.", href(&id)))
                .into_response()
        }
        Err(refusal) => refused(&state, session, &id, &refusal).await,
    }
}

async fn delete(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    match ec2::run(&state, &session, &[("Action", "DeleteLaunchTemplate"), ("LaunchTemplateId", &id)]).await {
        Ok(_) => {
            Redirect::to(&format!("/console/launch-templates?done=You+successfully+deleted+{id}.")).into_response()
        }
        Err(refusal) => refused(&state, session, &id, &refusal).await,
    }
}
