//! Internet gateways: the list, a gateway's details, "Create internet gateway", "Attach to VPC" (a page with a VPC
//! picker, as AWS's), "Detach from VPC" and "Delete internet gateway" — each change one EC2 action, each refusal
//! AWS's (`Resource.AlreadyAssociated`, `DependencyViolation`, …).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use localvpc_model::internet_gateway::InternetGateway;
use maud::html;

use super::shared::{self, vpc_label};
use super::vpc::{not_found, refused_page};
use super::View;
use crate::ec2::{self, Refusal};
use crate::layout::{self, Form, List};
use crate::session::Session;
use crate::ConsoleState;

const LIST: &str = "/console/internet-gateways";

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route(LIST, get(list))
        .route("/console/internet-gateways/create", get(create_form).post(create))
        .route("/console/internet-gateways/{id}", get(detail))
        .route("/console/internet-gateways/{id}/attach", get(attach_form).post(attach))
        .route("/console/internet-gateways/{id}/detach", post(detach))
        .route("/console/internet-gateways/{id}/delete", post(delete))
}

/// `/console/internet-gateways/{id}`.
pub(crate) fn href(id: &str) -> String {
    format!("{LIST}/{id}")
}

/// The console's State column: `Attached` while the gateway has a VPC (DescribeInternetGateways' attachment state
/// `available`), else `Detached`.
fn state_badge(igw: &InternetGateway) -> maud::Markup {
    layout::badge(if igw.attached_vpc.is_some() { "attached" } else { "detached" })
}

#[derive(Debug, Default, serde::Deserialize)]
struct Shown {
    done: Option<String>,
}

async fn list(State(state): State<ConsoleState>, session: Session, Query(shown): Query<Shown>) -> Response {
    let view = View::load(&state, session).await;
    let region = view.region();
    let mut igws: Vec<&InternetGateway> = region.internet_gateways.values().map(|igw| &**igw).collect();
    igws.sort_by(|a, b| (layout::name_of(&a.tags), &a.id).cmp(&(layout::name_of(&b.tags), &b.id)));
    let rows = igws
        .iter()
        .map(|igw| {
            vec![
                html! { (layout::name_of(&igw.tags)) },
                layout::link(&href(&igw.id), &igw.id),
                state_badge(igw),
                html! {
                    @if let Some(vpc) = &igw.attached_vpc { (layout::link(&super::vpc::href(vpc), &vpc_label(region, vpc))) }
                    @else { "–" }
                },
                html! { (igw.owner_id) },
            ]
        })
        .collect();
    let list = List {
        title: "Internet gateways",
        noun: "internet gateways",
        create: Some(("Create internet gateway", "/console/internet-gateways/create")),
        columns: &["Name", "Internet gateway ID", "State", "VPC ID", "Owner"],
        rows,
    };
    layout::page(&view.session, LIST, "Internet gateways", list.render(shown.done.as_deref()))
}

async fn detail(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Response {
    let view = View::new(&state, session);
    let Some(igw) = view.region().internet_gateways.get(id.as_str()) else {
        return not_found(&view, "internet gateway", &id);
    };
    detail_page(&view, igw, shown.done.as_deref(), None)
}

fn detail_page(view: &View, igw: &InternetGateway, done: Option<&str>, refusal: Option<&Refusal>) -> Response {
    let region = view.region();
    let title = format!("{} / {}", igw.id, layout::name_of(&igw.tags));
    let body = html! {
        (layout::notice(done))
        (layout::refusal(refusal))
        div class="crumbs" { a href=(LIST) { "Internet gateways" } " › " (igw.id) }
        div class="page-head" {
            h1 { (title) }
            div class="actions" {
                a class="button" id="attach-igw" href=(format!("{}/attach", href(&igw.id))) { "Attach to VPC" }
                // Detaching names the VPC the gateway is attached to, so the action needs one.
                @if igw.attached_vpc.is_some() {
                    form class="inline" method="post" action=(format!("{}/detach", href(&igw.id))) {
                        button id="detach-igw" type="submit" { "Detach from VPC" }
                    }
                }
                form class="inline" method="post" action=(format!("{}/delete", href(&igw.id))) {
                    button class="danger" id="delete-igw" type="submit" { "Delete internet gateway" }
                }
            }
        }
        (layout::details("Details", &[
            ("Internet gateway ID", html! { span class="mono" { (igw.id) } }),
            ("State", state_badge(igw)),
            ("VPC ID", html! {
                @if let Some(vpc) = &igw.attached_vpc { (layout::link(&super::vpc::href(vpc), &vpc_label(region, vpc))) }
                @else { "–" }
            }),
            ("Owner", html! { (igw.owner_id) }),
        ]))
        section class="panel" {
            h2 { "Tags" }
            (layout::tags_table(&igw.id, &href(&igw.id), &igw.tags))
        }
    };
    shared::page(view, LIST, &title, body, refusal)
}

#[derive(Debug, Default)]
struct CreateValues {
    name: String,
}

async fn create_form(State(state): State<ConsoleState>, session: Session) -> Response {
    create_page(&View::new(&state, session), &CreateValues::default(), None)
}

fn create_page(view: &View, values: &CreateValues, refusal: Option<&Refusal>) -> Response {
    let body = html! {
        div class="crumbs" { a href=(LIST) { "Internet gateways" } " › Create internet gateway" }
        div class="page-head" { h1 { "Create internet gateway" } }
        p class="hint" { "An internet gateway is a virtual router that connects a VPC to the internet. To create a new internet gateway specify the name for the gateway below." }
        (layout::refusal(refusal))
        form class="create panel" method="post" action="/console/internet-gateways/create" {
            h2 { "Internet gateway settings" }
            (layout::text_field("name", "Name tag", &values.name, Some("Creates a tag with a key of 'Name' and a value that you specify.")))
            div class="form-actions" {
                a class="button" href=(LIST) { "Cancel" }
                button class="primary" id="submit-create-igw" type="submit" { "Create internet gateway" }
            }
        }
    };
    shared::page(view, LIST, "Create internet gateway", body, refusal)
}

async fn create(State(state): State<ConsoleState>, session: Session, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let values = CreateValues { name: form.get("name").unwrap_or_default().to_string() };
    let mut params = vec![("Action", "CreateInternetGateway")];
    params.extend(shared::name_tag("internet-gateway", &values.name));
    match ec2::run(&state, &session, &params).await {
        Ok(answer) => {
            let id = answer.text("internetGatewayId").unwrap_or_default();
            let text = format!(
                "The following internet gateway was created: {id}. You can now attach to a VPC to enable the VPC to \
                 communicate with the internet."
            );
            shared::done(&href(&id), &[], &text)
        }
        Err(refusal) => create_page(&View::new(&state, session), &values, Some(&refusal)),
    }
}

async fn attach_form(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    let view = View::new(&state, session);
    let Some(igw) = view.region().internet_gateways.get(id.as_str()).cloned() else {
        return not_found(&view, "internet gateway", &id);
    };
    attach_page(&view, &igw, "", None)
}

fn attach_page(view: &View, igw: &InternetGateway, vpc: &str, refusal: Option<&Refusal>) -> Response {
    let mut vpcs = vec![(String::new(), "Select a VPC".to_string())];
    vpcs.extend(shared::vpc_options(view.region()));
    let body = html! {
        div class="crumbs" {
            a href=(LIST) { "Internet gateways" } " › " a href=(href(&igw.id)) { (igw.id) } " › Attach to VPC"
        }
        div class="page-head" { h1 { "Attach to VPC (" (igw.id) ")" } }
        (layout::refusal(refusal))
        form class="create panel" method="post" action=(format!("{}/attach", href(&igw.id))) {
            h2 { "VPC" }
            p class="hint" { "Attach an internet gateway to a VPC to enable the VPC to communicate with the internet. Specify the VPC to attach below." }
            (layout::select_field("vpc", "Available VPCs", &vpcs, vpc))
            div class="form-actions" {
                a class="button" href=(href(&igw.id)) { "Cancel" }
                button class="primary" id="submit-attach-igw" type="submit" { "Attach internet gateway" }
            }
        }
    };
    shared::page(view, LIST, "Attach to VPC", body, refusal)
}

async fn attach(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let vpc = form.get("vpc").unwrap_or_default().to_string();
    let params = [("Action", "AttachInternetGateway"), ("InternetGatewayId", id.as_str()), ("VpcId", vpc.as_str())];
    match ec2::run(&state, &session, &params).await {
        Ok(_) => shared::done(&href(&id), &[], &format!("Internet gateway {id} successfully attached to {vpc}")),
        Err(refusal) => {
            let view = View::new(&state, session);
            match view.region().internet_gateways.get(id.as_str()).cloned() {
                Some(igw) => attach_page(&view, &igw, &vpc, Some(&refusal)),
                None => refused_page(&view, LIST, "Attach to VPC", &refusal),
            }
        }
    }
}

async fn detach(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    let view = View::new(&state, session.clone());
    let Some(igw) = view.region().internet_gateways.get(id.as_str()).cloned() else {
        return not_found(&view, "internet gateway", &id);
    };
    let vpc = igw.attached_vpc.clone().unwrap_or_default();
    let params = [("Action", "DetachInternetGateway"), ("InternetGatewayId", id.as_str()), ("VpcId", vpc.as_str())];
    match ec2::run(&state, &session, &params).await {
        Ok(_) => shared::done(&href(&id), &[], &format!("Internet gateway {id} successfully detached from {vpc}")),
        Err(refusal) => {
            let view = View::new(&state, session);
            let igw = view.region().internet_gateways.get(id.as_str()).cloned().unwrap_or(igw);
            detail_page(&view, &igw, None, Some(&refusal))
        }
    }
}

async fn delete(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    match ec2::run(&state, &session, &[("Action", "DeleteInternetGateway"), ("InternetGatewayId", &id)]).await {
        Ok(_) => shared::done(LIST, &[], &format!("You successfully deleted {id}.")),
        Err(refusal) => {
            let view = View::new(&state, session);
            match view.region().internet_gateways.get(id.as_str()) {
                Some(igw) => detail_page(&view, igw, None, Some(&refusal)),
                None => refused_page(&view, LIST, "Delete internet gateway", &refusal),
            }
        }
    }
}
