//! Network interfaces: the list, an interface's details, "Create network interface" and delete — each change one
//! EC2 action, each refusal AWS's.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use localvpc_model::network_interface::NetworkInterface;
use maud::{html, Markup};

use super::shared;
use super::vpc::not_found;
use super::{Shown, View};
use crate::ec2::{self, Refusal};
use crate::layout::{self, Form, List};
use crate::session::Session;
use crate::ConsoleState;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route("/console/network-interfaces", get(list))
        .route("/console/network-interfaces/create", get(create_form).post(create))
        .route("/console/network-interfaces/{id}", get(detail))
        .route("/console/network-interfaces/{id}/delete", post(delete))
}

pub(crate) fn href(id: &str) -> String {
    format!("/console/network-interfaces/{id}")
}

/// "in-use" while attached, "available" otherwise, as DescribeNetworkInterfaces says.
fn status(interface: &NetworkInterface) -> &'static str {
    if interface.attachment.is_some() {
        "in-use"
    } else {
        "available"
    }
}

fn groups(interface: &NetworkInterface) -> Markup {
    html! { @for group in &interface.security_group_ids { a href=(format!("/console/security-groups/{group}")) { (group) } " " } }
}

async fn list(State(state): State<ConsoleState>, session: Session, Query(shown): Query<Shown>) -> Response {
    let view = View::load(&state, session).await;
    let mut interfaces: Vec<_> = view.region().network_interfaces.values().collect();
    interfaces.sort_by(|a, b| (&a.subnet_id, a.private_ip).cmp(&(&b.subnet_id, b.private_ip)));
    let rows = interfaces
        .iter()
        .map(|eni| {
            vec![
                html! { (layout::name_of(&eni.tags)) },
                layout::link(&href(&eni.id), &eni.id),
                html! { (eni.subnet_id) },
                html! { (eni.vpc_id) },
                html! { (eni.availability_zone) },
                groups(eni),
                html! { (eni.description) },
                html! { @if let Some(attachment) = &eni.attachment { a href=(format!("/console/instances/{}", attachment.instance_id)) { (attachment.instance_id) } } },
                layout::badge(status(eni)),
                html! { @if let Some(ip) = eni.public_ip { span class="mono" { (ip) } } },
                html! { span class="mono" { (crate::pages::shared::dash(eni.private_ip)) } },
            ]
        })
        .collect();
    let list = List {
        title: "Network interfaces",
        noun: "network interfaces",
        create: Some(("Create network interface", "/console/network-interfaces/create")),
        columns: &[
            "Name",
            "Network interface ID",
            "Subnet ID",
            "VPC ID",
            "Availability Zone",
            "Security groups",
            "Description",
            "Instance ID",
            "Status",
            "Public IPv4 address",
            "Primary private IPv4 address",
        ],
        rows,
    };
    layout::page(&view.session, "/console/network-interfaces", "Network interfaces", list.render(shown.done.as_deref()))
}

async fn detail(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Response {
    let view = View::load(&state, session).await;
    let Some(eni) = view.region().network_interfaces.get(id.as_str()) else {
        return not_found(&view, "network interface", &id);
    };
    detail_page(&view, eni, shown.done.as_deref(), None)
}

fn detail_page(view: &View, eni: &NetworkInterface, done: Option<&str>, refusal: Option<&Refusal>) -> Response {
    let body = html! {
        (layout::notice(done))
        (layout::refusal(refusal))
        div class="crumbs" { a href="/console/network-interfaces" { "Network interfaces" } " › " (eni.id) }
        div class="page-head" {
            h1 { (eni.id) }
            form class="inline" method="post" action=(format!("{}/delete", href(&eni.id))) {
                button class="danger" id="delete-network-interface" type="submit" { "Delete" }
            }
        }
        (layout::details("Details", &[
            ("Network interface ID", html! { span class="mono" { (eni.id) } }),
            ("Status", layout::badge(status(eni))),
            ("Subnet ID", html! { a href=(format!("/console/subnets/{}", eni.subnet_id)) { (eni.subnet_id) } }),
            ("VPC ID", html! { a href=(super::vpc::href(&eni.vpc_id)) { (eni.vpc_id) } }),
            ("Availability Zone", html! { (eni.availability_zone) }),
            ("Primary private IPv4 address", html! { span class="mono" { (crate::pages::shared::dash(eni.private_ip)) } }),
            ("Secondary private IPv4 addresses", html! { @for ip in &eni.secondary_private_ips { span class="mono" { (ip) } " " } }),
            ("Public IPv4 address", html! { @if let Some(ip) = eni.public_ip { span class="mono" { (ip) } } }),
            ("MAC address", html! { span class="mono" { (eni.mac_address) } }),
            ("Security groups", groups(eni)),
            ("Source/dest. check", html! { @if eni.source_dest_check { "true" } @else { "false" } }),
            ("Attachment", html! { @if let Some(a) = &eni.attachment { (a.instance_id) " (device index " (a.device_index) ")" } }),
            ("Description", html! { (eni.description) }),
            ("Owner ID", html! { (eni.owner_id) }),
        ]))
        section class="panel" { h2 { "Tags" } (layout::tags_table(&eni.id, &href(&eni.id), &eni.tags)) }
    };
    layout::form_page(&view.session, "/console/network-interfaces", &eni.id, body, refusal)
}

async fn delete(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    let params = [("Action", "DeleteNetworkInterface"), ("NetworkInterfaceId", id.as_str())];
    let again = |view: &View, refusal: &Refusal| {
        view.region().network_interfaces.get(id.as_str()).map(|eni| detail_page(view, eni, None, Some(refusal)))
    };
    shared::delete(&state, session, &params, "/console/network-interfaces", "Delete network interface", again).await
}

async fn create_form(State(state): State<ConsoleState>, session: Session) -> Response {
    create_page(&View::load(&state, session).await, &Form::parse(b""), None)
}

fn create_page(view: &View, values: &Form, refusal: Option<&Refusal>) -> Response {
    let region = view.region();
    let mut subnets: Vec<(String, String)> = region
        .subnets
        .values()
        .map(|s| {
            (
                s.id.clone(),
                format!("{} | {} | {}", s.id, layout::name_of(&s.tags), crate::pages::shared::dash(s.cidr_block)),
            )
        })
        .collect();
    subnets.sort();
    let mut groups: Vec<_> = region.security_groups.values().collect();
    groups.sort_by(|a, b| (&a.vpc_id, &a.name).cmp(&(&b.vpc_id, &b.name)));
    let chosen: Vec<&str> = values.all("group");
    let body = html! {
        div class="crumbs" { a href="/console/network-interfaces" { "Network interfaces" } " › Create network interface" }
        div class="page-head" { h1 { "Create network interface" } }
        (layout::refusal(refusal))
        form class="create panel" method="post" action="/console/network-interfaces/create" {
            (layout::text_field("description", "Description - optional", values.get("description").unwrap_or_default(), None))
            (layout::select_field("subnet", "Subnet", &subnets, values.get("subnet").unwrap_or_default()))
            (layout::text_field("private_ip", "Private IPv4 address - optional", values.get("private_ip").unwrap_or_default(),
                Some("Leave empty to auto-assign an address from the subnet.")))
            fieldset {
                legend { "Security groups" }
                p class="hint" { "Groups of the subnet's VPC; none chosen means the VPC's default group." }
                @for group in &groups {
                    label class="choice" {
                        input type="checkbox" name="group" value=(group.id) checked[chosen.contains(&group.id.as_str())];
                        (group.id) " | " (group.name) " | " (group.vpc_id)
                    }
                }
            }
            div class="form-actions" {
                a class="button" href="/console/network-interfaces" { "Cancel" }
                button class="primary" id="submit-create-network-interface" type="submit" { "Create network interface" }
            }
        }
    };
    layout::form_page(&view.session, "/console/network-interfaces", "Create network interface", body, refusal)
}

async fn create(State(state): State<ConsoleState>, session: Session, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let mut params: Vec<(String, String)> = vec![
        ("Action".into(), "CreateNetworkInterface".into()),
        ("SubnetId".into(), form.get("subnet").unwrap_or_default().to_string()),
    ];
    for (field, parameter) in [("description", "Description"), ("private_ip", "PrivateIpAddress")] {
        if let Some(value) = form.get(field).map(str::trim).filter(|v| !v.is_empty()) {
            params.push((parameter.into(), value.to_string()));
        }
    }
    for (n, group) in form.all("group").iter().enumerate() {
        params.push((format!("SecurityGroupId.{}", n + 1), group.to_string()));
    }
    let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    match ec2::run(&state, &session, &pairs).await {
        Ok(answer) => {
            let id = answer.text("networkInterfaceId").unwrap_or_default();
            Redirect::to(&format!("{}?done=You+successfully+created+{id}.", href(&id))).into_response()
        }
        Err(refusal) => create_page(&View::new(&state, session), &form, Some(&refusal)),
    }
}
