//! EBS volumes: the list, a volume's details, "Create volume", "Detach volume" and delete — each change one EC2
//! action, each refusal AWS's.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use localvpc_model::volume::Volume;
use maud::html;

use super::vpc::{not_found, refused_page};
use super::{Shown, View};
use crate::ec2::{self, Refusal};
use crate::layout::{self, Form, List};
use crate::session::Session;
use crate::ConsoleState;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route("/console/volumes", get(list))
        .route("/console/volumes/create", get(create_form).post(create))
        .route("/console/volumes/{id}", get(detail))
        .route("/console/volumes/{id}/detach", post(detach))
        .route("/console/volumes/{id}/delete", post(delete))
}

fn href(id: &str) -> String {
    format!("/console/volumes/{id}")
}

async fn list(State(state): State<ConsoleState>, session: Session, Query(shown): Query<Shown>) -> Response {
    let view = View::load(&state, session).await;
    let mut volumes: Vec<_> = view.region().volumes.values().collect();
    volumes.sort_by(|a, b| (a.create_time, &a.id).cmp(&(b.create_time, &b.id)));
    let rows = volumes
        .iter()
        .map(|volume| {
            vec![
                html! { (layout::name_of(&volume.tags)) },
                layout::link(&href(&volume.id), &volume.id),
                html! { (volume.volume_type.name()) },
                html! { (volume.size) " GiB" },
                html! { @if let Some(iops) = volume.effective_iops() { (iops) } },
                html! { (volume.create_time.to_iso8601()) },
                html! { (volume.availability_zone) },
                layout::badge(volume.state()),
                html! { @if let Some(a) = &volume.attachment { a href=(format!("/console/instances/{}", a.instance_id)) { (a.instance_id) } " (" (a.device) ")" } },
                html! { @if volume.encrypted { "Encrypted" } @else { "Not encrypted" } },
            ]
        })
        .collect();
    let list = List {
        title: "Volumes",
        noun: "volumes",
        create: Some(("Create volume", "/console/volumes/create")),
        columns: &[
            "Name",
            "Volume ID",
            "Type",
            "Size",
            "IOPS",
            "Created",
            "Availability Zone",
            "Volume state",
            "Attached resources",
            "Encryption",
        ],
        rows,
    };
    layout::page(&view.session, "/console/volumes", "Volumes", list.render(shown.done.as_deref()))
}

async fn detail(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Response {
    let view = View::load(&state, session).await;
    let Some(volume) = view.region().volumes.get(id.as_str()) else { return not_found(&view, "volume", &id) };
    detail_page(&view, volume, shown.done.as_deref(), None)
}

fn detail_page(view: &View, volume: &Volume, done: Option<&str>, refusal: Option<&Refusal>) -> Response {
    let body = html! {
        (layout::notice(done))
        (layout::refusal(refusal))
        div class="crumbs" { a href="/console/volumes" { "Volumes" } " › " (volume.id) }
        div class="page-head" {
            h1 { (volume.id) }
            div class="actions" {
                @if volume.attachment.is_some() {
                    form class="inline" method="post" action=(format!("{}/detach", href(&volume.id))) {
                        button id="detach-volume" type="submit" { "Detach volume" }
                    }
                }
                form class="inline" method="post" action=(format!("{}/delete", href(&volume.id))) {
                    button class="danger" id="delete-volume" type="submit" { "Delete volume" }
                }
            }
        }
        (layout::details("Details", &[
            ("Volume ID", html! { span class="mono" { (volume.id) } }),
            ("Volume state", layout::badge(volume.state())),
            ("Type", html! { (volume.volume_type.name()) }),
            ("Size", html! { (volume.size) " GiB" }),
            ("IOPS", html! { @if let Some(iops) = volume.effective_iops() { (iops) } }),
            ("Throughput", html! { @if let Some(t) = volume.effective_throughput() { (t) " MiB/s" } }),
            ("Availability Zone", html! { (volume.availability_zone) }),
            ("Encryption", html! { @if volume.encrypted { "Encrypted" } @else { "Not encrypted" } }),
            ("Created", html! { (volume.create_time.to_iso8601()) }),
            ("Attached resources", html! { @if let Some(a) = &volume.attachment { (a.instance_id) " (" (a.device) ")" @if a.delete_on_termination { ", deleted on termination" } } }),
        ]))
        section class="panel" { h2 { "Tags" } (layout::tags_table(&volume.id, &href(&volume.id), &volume.tags)) }
    };
    layout::form_page(&view.session, "/console/volumes", &volume.id, body, refusal)
}

async fn change(state: ConsoleState, session: Session, id: String, action: &str, done: &str) -> Response {
    match ec2::run(&state, &session, &[("Action", action), ("VolumeId", &id)]).await {
        Ok(_) if action == "DeleteVolume" => {
            Redirect::to(&format!("/console/volumes?done={done}+{id}.")).into_response()
        }
        Ok(_) => Redirect::to(&format!("{}?done={done}+{id}.", href(&id))).into_response(),
        Err(refusal) => {
            let view = View::new(&state, session);
            match view.region().volumes.get(id.as_str()) {
                Some(volume) => detail_page(&view, volume, None, Some(&refusal)),
                None => refused_page(&view, "/console/volumes", "Volume", &refusal),
            }
        }
    }
}

async fn detach(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    change(state, session, id, "DetachVolume", "You+successfully+detached").await
}

async fn delete(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    change(state, session, id, "DeleteVolume", "You+successfully+deleted").await
}

async fn create_form(State(state): State<ConsoleState>, session: Session) -> Response {
    create_page(&View::load(&state, session).await, &Form::parse(b"type=gp3&size=8"), None)
}

fn create_page(view: &View, values: &Form, refusal: Option<&Refusal>) -> Response {
    let types: Vec<(String, String)> =
        ["gp3", "gp2", "io1", "io2", "st1", "sc1", "standard"].iter().map(|t| (t.to_string(), t.to_string())).collect();
    let mut zones: Vec<(String, String)> =
        view.region().subnets.values().map(|s| (s.availability_zone.clone(), s.availability_zone.clone())).collect();
    zones.sort();
    zones.dedup();
    let body = html! {
        div class="crumbs" { a href="/console/volumes" { "Volumes" } " › Create volume" }
        div class="page-head" { h1 { "Create volume" } }
        (layout::refusal(refusal))
        form class="create panel" method="post" action="/console/volumes/create" {
            (layout::select_field("type", "Volume type", &types, values.get("type").unwrap_or("gp3")))
            (layout::text_field("size", "Size (GiB)", values.get("size").unwrap_or_default(), None))
            (layout::select_field("zone", "Availability Zone", &zones, values.get("zone").unwrap_or_default()))
            div class="form-actions" {
                a class="button" href="/console/volumes" { "Cancel" }
                button class="primary" id="submit-create-volume" type="submit" { "Create volume" }
            }
        }
    };
    layout::form_page(&view.session, "/console/volumes", "Create volume", body, refusal)
}

async fn create(State(state): State<ConsoleState>, session: Session, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let params = [
        ("Action", "CreateVolume"),
        ("VolumeType", form.get("type").unwrap_or_default()),
        ("Size", form.get("size").unwrap_or_default().trim()),
        ("AvailabilityZone", form.get("zone").unwrap_or_default()),
    ];
    match ec2::run(&state, &session, &params).await {
        Ok(answer) => {
            let id = answer.text("volumeId").unwrap_or_default();
            Redirect::to(&format!("{}?done=You+successfully+created+{id}.", href(&id))).into_response()
        }
        Err(refusal) => create_page(&View::new(&state, session), &form, Some(&refusal)),
    }
}
