//! DHCP option sets: the list, a set's details, "Create DHCP option set", delete, and the VPC action "Edit DHCP
//! option set" (AssociateDhcpOptions) — each change one EC2 action, each refusal AWS's.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use localvpc_model::dhcp_options::DhcpOptions;
use maud::html;

use super::shared;
use super::vpc::not_found;
use super::{Shown, View};
use crate::ec2::{self, Refusal};
use crate::layout::{self, Form, List};
use crate::session::Session;
use crate::ConsoleState;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route("/console/dhcp-option-sets", get(list))
        .route("/console/dhcp-option-sets/create", get(create_form).post(create))
        .route("/console/dhcp-option-sets/{id}", get(detail))
        .route("/console/dhcp-option-sets/{id}/delete", post(delete))
        .route("/console/vpcs/{id}/dhcp", get(edit_vpc_form).post(edit_vpc))
}

fn href(id: &str) -> String {
    format!("/console/dhcp-option-sets/{id}")
}

/// The values of one option key, comma-separated as the AWS console lists them.
fn values(options: &DhcpOptions, key: &str) -> String {
    options
        .configurations
        .iter()
        .filter(|c| c.key == key)
        .flat_map(|c| c.values.iter().cloned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The form's fields and the option keys they carry, in the AWS console's order.
const FIELDS: &[(&str, &str, &str)] = &[
    ("domain_name", "domain-name", "Domain name"),
    ("domain_name_servers", "domain-name-servers", "Domain name servers"),
    ("ntp_servers", "ntp-servers", "NTP servers"),
    ("netbios_name_servers", "netbios-name-servers", "NetBIOS name servers"),
    ("netbios_node_type", "netbios-node-type", "NetBIOS node type"),
];

async fn list(State(state): State<ConsoleState>, session: Session, Query(shown): Query<Shown>) -> Response {
    let view = View::load(&state, session).await;
    let mut sets: Vec<_> = view.region().dhcp_options.values().collect();
    sets.sort_by(|a, b| a.id.cmp(&b.id));
    let rows = sets
        .iter()
        .map(|options| {
            let mut row =
                vec![html! { (layout::name_of(&options.tags)) }, layout::link(&href(&options.id), &options.id)];
            row.extend(FIELDS.iter().map(|(_, key, _)| html! { (values(options, key)) }));
            row.push(html! { (options.owner_id) });
            row
        })
        .collect();
    let list = List {
        title: "DHCP option sets",
        noun: "DHCP option sets",
        create: Some(("Create DHCP option set", "/console/dhcp-option-sets/create")),
        columns: &[
            "Name",
            "DHCP option set ID",
            "Domain name",
            "Domain name servers",
            "NTP servers",
            "NetBIOS name servers",
            "NetBIOS node type",
            "Owner ID",
        ],
        rows,
    };
    layout::page(&view.session, "/console/dhcp-option-sets", "DHCP option sets", list.render(shown.done.as_deref()))
}

async fn detail(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Response {
    let view = View::load(&state, session).await;
    let Some(options) = view.region().dhcp_options.get(id.as_str()) else {
        return not_found(&view, "DHCP option set", &id);
    };
    detail_page(&view, options, shown.done.as_deref(), None)
}

fn detail_page(view: &View, options: &DhcpOptions, done: Option<&str>, refusal: Option<&Refusal>) -> Response {
    let used_by: Vec<_> =
        view.region().vpcs.values().filter(|vpc| vpc.dhcp_options_id == options.id).map(|vpc| vpc.id.clone()).collect();
    let mut pairs = vec![("DHCP option set ID", html! { span class="mono" { (options.id) } })];
    pairs.extend(FIELDS.iter().map(|(_, key, label)| (*label, html! { (values(options, key)) })));
    pairs.push(("Used by VPCs", html! { @for vpc in &used_by { a href=(super::vpc::href(vpc)) { (vpc) } " " } }));
    pairs.push(("Owner ID", html! { (options.owner_id) }));
    let body = html! {
        (layout::notice(done))
        (layout::refusal(refusal))
        div class="crumbs" { a href="/console/dhcp-option-sets" { "DHCP option sets" } " › " (options.id) }
        div class="page-head" {
            h1 { (options.id) }
            form class="inline" method="post" action=(format!("{}/delete", href(&options.id))) {
                button class="danger" id="delete-dhcp-options" type="submit" { "Delete DHCP option set" }
            }
        }
        (layout::details("Details", &pairs))
        section class="panel" { h2 { "Tags" } (layout::tags_table(&options.id, &href(&options.id), &options.tags)) }
    };
    layout::form_page(&view.session, "/console/dhcp-option-sets", &options.id, body, refusal)
}

async fn delete(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    let params = [("Action", "DeleteDhcpOptions"), ("DhcpOptionsId", id.as_str())];
    let again = |view: &View, refusal: &Refusal| {
        view.region().dhcp_options.get(id.as_str()).map(|options| detail_page(view, options, None, Some(refusal)))
    };
    shared::delete(&state, session, &params, "/console/dhcp-option-sets", "Delete DHCP option set", again).await
}

async fn create_form(State(state): State<ConsoleState>, session: Session) -> Response {
    create_page(&View::load(&state, session).await, &Form::parse(b""), None)
}

fn create_page(view: &View, values: &Form, refusal: Option<&Refusal>) -> Response {
    let body = html! {
        div class="crumbs" { a href="/console/dhcp-option-sets" { "DHCP option sets" } " › Create DHCP option set" }
        div class="page-head" { h1 { "Create DHCP option set" } }
        (layout::refusal(refusal))
        form class="create panel" method="post" action="/console/dhcp-option-sets/create" {
            (layout::text_field("name", "Tag name - optional", values.get("name").unwrap_or_default(), None))
            @for (field, _, label) in FIELDS {
                (layout::text_field(field, label, values.get(field).unwrap_or_default(), Some("Separate several values with commas.")))
            }
            div class="form-actions" {
                a class="button" href="/console/dhcp-option-sets" { "Cancel" }
                button class="primary" id="submit-create-dhcp-options" type="submit" { "Create DHCP option set" }
            }
        }
    };
    layout::form_page(&view.session, "/console/dhcp-option-sets", "Create DHCP option set", body, refusal)
}

async fn create(State(state): State<ConsoleState>, session: Session, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let mut params: Vec<(String, String)> = vec![("Action".into(), "CreateDhcpOptions".into())];
    let mut index = 0;
    for (field, key, _) in FIELDS {
        let entered: Vec<&str> =
            form.get(field).unwrap_or_default().split(',').map(str::trim).filter(|v| !v.is_empty()).collect();
        if entered.is_empty() {
            continue;
        }
        index += 1;
        params.push((format!("DhcpConfiguration.{index}.Key"), key.to_string()));
        for (n, value) in entered.iter().enumerate() {
            params.push((format!("DhcpConfiguration.{index}.Value.{}", n + 1), value.to_string()));
        }
    }
    if let Some(name) = form.get("name").filter(|name| !name.is_empty()) {
        params.extend([
            ("TagSpecification.1.ResourceType".into(), "dhcp-options".into()),
            ("TagSpecification.1.Tag.1.Key".into(), "Name".into()),
            ("TagSpecification.1.Tag.1.Value".into(), name.to_string()),
        ]);
    }
    let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    match ec2::run(&state, &session, &pairs).await {
        Ok(answer) => {
            let id = answer.text("dhcpOptionsId").unwrap_or_default();
            Redirect::to(&format!("{}?done=You+successfully+created+{id}.", href(&id))).into_response()
        }
        Err(refusal) => create_page(&View::new(&state, session), &form, Some(&refusal)),
    }
}

async fn edit_vpc_form(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    let view = View::load(&state, session).await;
    edit_vpc_page(&view, &id, None)
}

fn edit_vpc_page(view: &View, vpc_id: &str, refusal: Option<&Refusal>) -> Response {
    let Some(vpc) = view.region().vpcs.get(vpc_id) else { return not_found(view, "VPC", vpc_id) };
    let mut options: Vec<(String, String)> = view
        .region()
        .dhcp_options
        .values()
        .map(|set| (set.id.clone(), format!("{} | {}", set.id, layout::name_of(&set.tags))))
        .collect();
    options.sort();
    options.push(("default".into(), "No DHCP option set (default)".into()));
    let body = html! {
        div class="crumbs" { a href="/console/vpcs" { "Your VPCs" } " › " a href=(super::vpc::href(vpc_id)) { (vpc_id) } " › Edit DHCP option set" }
        div class="page-head" { h1 { "Edit DHCP option set" } }
        (layout::refusal(refusal))
        form class="create panel" method="post" action=(format!("/console/vpcs/{vpc_id}/dhcp")) {
            (layout::select_field("dhcp_options_id", "DHCP option set", &options, &vpc.dhcp_options_id))
            div class="form-actions" {
                a class="button" href=(super::vpc::href(vpc_id)) { "Cancel" }
                button class="primary" id="submit-edit-dhcp" type="submit" { "Save changes" }
            }
        }
    };
    layout::form_page(&view.session, "/console/vpcs", "Edit DHCP option set", body, refusal)
}

async fn edit_vpc(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    let options = form.get("dhcp_options_id").unwrap_or_default();
    match ec2::run(&state, &session, &[("Action", "AssociateDhcpOptions"), ("VpcId", &id), ("DhcpOptionsId", options)])
        .await
    {
        Ok(_) => Redirect::to(&format!(
            "{}?done=You+have+successfully+changed+the+DHCP+option+set+of+{id}.",
            super::vpc::href(&id)
        ))
        .into_response(),
        Err(refusal) => edit_vpc_page(&View::new(&state, session), &id, Some(&refusal)),
    }
}
