//! Your VPCs: the list, a VPC's details (CIDRs, subnets, tags), "Create VPC" (VPC only), "Edit VPC settings" (the
//! DNS attributes) and "Delete VPC" — each change one EC2 action, each refusal AWS's.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use localvpc_model::vpc::Vpc;
use maud::{html, Markup};

use super::shared;
use super::{Shown, View};
use crate::ec2::{self, Refusal};
use crate::layout::{self, Form, List};
use crate::session::Session;
use crate::ConsoleState;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route("/console/vpcs", get(list))
        .route("/console/vpcs/create", get(create_form).post(create))
        .route("/console/vpcs/{id}", get(detail))
        .route("/console/vpcs/{id}/settings", post(settings))
        .route("/console/vpcs/{id}/delete", post(delete))
}

/// `/console/vpcs/{id}`.
pub(crate) fn href(id: &str) -> String {
    format!("/console/vpcs/{id}")
}

async fn list(State(state): State<ConsoleState>, session: Session, Query(shown): Query<Shown>) -> Response {
    let view = View::load(&state, session).await;
    list_page(&view, shown.done.as_deref())
}

/// "Your VPCs" of `view`'s Region, with `done` as the green banner.
pub(crate) fn list_page(view: &View, done: Option<&str>) -> Response {
    let region = view.region();
    let mut vpcs: Vec<&Vpc> = region.vpcs.values().map(|vpc| &**vpc).collect();
    vpcs.sort_by(|a, b| {
        (!a.is_default, layout::name_of(&a.tags), &a.id).cmp(&(!b.is_default, layout::name_of(&b.tags), &b.id))
    });
    let rows = vpcs
        .iter()
        .map(|vpc| {
            vec![
                html! { (layout::name_of(&vpc.tags)) },
                layout::link(&href(&vpc.id), &vpc.id),
                layout::badge("available"),
                html! { span class="mono" { (vpc.cidr_block) } },
                html! { (vpc.dhcp_options_id) },
                html! { @if vpc.is_default { "Yes" } @else { "No" } },
                html! { (vpc.owner_id) },
            ]
        })
        .collect();
    let list = List {
        title: "Your VPCs",
        noun: "VPCs",
        create: Some(("Create VPC", "/console/vpcs/create")),
        columns: &["Name", "VPC ID", "State", "IPv4 CIDR", "DHCP option set", "Default VPC", "Owner ID"],
        rows,
    };
    layout::page(&view.session, "/console/vpcs", "Your VPCs", list.render(done))
}

async fn detail(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Response {
    let view = View::new(&state, session);
    let Some(vpc) = view.region().vpcs.get(id.as_str()) else { return not_found(&view, "VPC", &id) };
    detail_page(&view, vpc, shown.tab.as_deref().unwrap_or("cidrs"), shown.done.as_deref(), None)
}

fn detail_page(view: &View, vpc: &Vpc, tab: &str, done: Option<&str>, refusal: Option<&Refusal>) -> Response {
    let region = view.region();
    let mut subnets: Vec<_> = region.subnets.values().filter(|s| s.vpc_id == vpc.id).collect();
    subnets.sort_by_key(|subnet| subnet.cidr_block);
    let main_table = region.route_tables.values().find(|t| t.vpc_id == vpc.id && t.is_main()).map(|t| t.id.clone());
    let default_acl = region.network_acls.values().find(|a| a.vpc_id == vpc.id && a.is_default).map(|a| a.id.clone());
    let title = format!("{} / {}", vpc.id, layout::name_of(&vpc.tags));
    let body = html! {
        (layout::notice(done))
        (layout::refusal(refusal))
        div class="crumbs" { a href="/console/vpcs" { "Your VPCs" } " › " (vpc.id) }
        div class="page-head" {
            h1 { (title) }
            div class="actions" {
                a class="button" id="edit-dhcp" href=(format!("{}/dhcp", href(&vpc.id))) { "Edit DHCP option set" }
                form class="inline" method="post" action=(format!("{}/delete", href(&vpc.id))) {
                    button class="danger" id="delete-vpc" type="submit" { "Delete VPC" }
                }
            }
        }
        (layout::details("Details", &[
            ("VPC ID", html! { span class="mono" { (vpc.id) } }),
            ("State", layout::badge("available")),
            ("IPv4 CIDR", html! { span class="mono" { (vpc.cidr_block) } }),
            ("DHCP option set", html! { a href=(format!("/console/dhcp-option-sets/{}", vpc.dhcp_options_id)) { (vpc.dhcp_options_id) } }),
            ("Main route table", html! { @if let Some(id) = &main_table { a href=(format!("/console/route-tables/{id}")) { (id) } } }),
            ("Main network ACL", html! { @if let Some(id) = &default_acl { a href=(format!("/console/network-acls/{id}")) { (id) } } }),
            ("Default VPC", html! { @if vpc.is_default { "Yes" } @else { "No" } }),
            ("Tenancy", html! { (vpc.instance_tenancy) }),
            ("DNS resolution", html! { @if vpc.enable_dns_support { "Enabled" } @else { "Disabled" } }),
            ("DNS hostnames", html! { @if vpc.enable_dns_hostnames { "Enabled" } @else { "Disabled" } }),
            ("Owner ID", html! { (vpc.owner_id) }),
        ]))
        section class="panel" {
            (layout::tabs(&href(&vpc.id), &[("cidrs", "CIDRs"), ("subnets", "Subnets"), ("settings", "Settings"), ("tags", "Tags")], tab))
            @match tab {
                "subnets" => (subnets_tab(&subnets)),
                "settings" => (settings_tab(vpc)),
                "tags" => (layout::tags_table(&vpc.id, &format!("{}?tab=tags", href(&vpc.id)), &vpc.tags)),
                _ => (cidrs_tab(vpc)),
            }
        }
    };
    layout::form_page(&view.session, "/console/vpcs", &title, body, refusal)
}

fn cidrs_tab(vpc: &Vpc) -> Markup {
    html! {
        table class="list" {
            thead { tr { th scope="col" { "Address type" } th scope="col" { "CIDR" } th scope="col" { "Association ID" } th scope="col" { "Status" } } }
            tbody {
                @for association in &vpc.cidr_associations {
                    tr { td { "IPv4" } td class="mono" { (association.cidr_block) } td { (association.association_id) } td { (layout::badge("associated")) } }
                }
            }
        }
    }
}

fn subnets_tab(subnets: &[&std::sync::Arc<localvpc_model::subnet::Subnet>]) -> Markup {
    html! {
        table class="list" {
            thead { tr { th scope="col" { "Name" } th scope="col" { "Subnet ID" } th scope="col" { "IPv4 CIDR" } th scope="col" { "Availability Zone" } } }
            tbody {
                @for subnet in subnets {
                    tr {
                        td { (layout::name_of(&subnet.tags)) }
                        td { a href=(format!("/console/subnets/{}", subnet.id)) { (subnet.id) } }
                        td class="mono" { (crate::pages::shared::dash(subnet.cidr_block)) }
                        td { (subnet.availability_zone) }
                    }
                }
                @if subnets.is_empty() { tr class="empty" { td colspan="4" { "No subnets" } } }
            }
        }
    }
}

fn settings_tab(vpc: &Vpc) -> Markup {
    html! {
        form class="create" method="post" action=(format!("{}/settings", href(&vpc.id))) {
            fieldset {
                legend { "DNS settings" }
                label class="choice" {
                    input type="checkbox" id="enable-dns-support" name="dns_support" value="true" checked[vpc.enable_dns_support];
                    "Enable DNS resolution"
                }
                label class="choice" {
                    input type="checkbox" id="enable-dns-hostnames" name="dns_hostnames" value="true" checked[vpc.enable_dns_hostnames];
                    "Enable DNS hostnames"
                }
            }
            div class="form-actions" { button class="primary" id="save-settings" type="submit" { "Save" } }
        }
    }
}

/// "Edit VPC settings": one ModifyVpcAttribute per changed attribute (AWS takes one attribute per call).
async fn settings(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    let view = View::new(&state, session.clone());
    let Some(vpc) = view.region().vpcs.get(id.as_str()).cloned() else { return not_found(&view, "VPC", &id) };
    let wanted_support = form.get("dns_support") == Some("true");
    let wanted_hostnames = form.get("dns_hostnames") == Some("true");
    let mut changes = Vec::new();
    if wanted_support != vpc.enable_dns_support {
        changes.push(("EnableDnsSupport.Value", wanted_support));
    }
    if wanted_hostnames != vpc.enable_dns_hostnames {
        changes.push(("EnableDnsHostnames.Value", wanted_hostnames));
    }
    for (attribute, value) in changes {
        let value = if value { "true" } else { "false" };
        if let Err(refusal) =
            ec2::run(&state, &session, &[("Action", "ModifyVpcAttribute"), ("VpcId", &id), (attribute, value)]).await
        {
            let view = View::new(&state, session);
            let vpc = view.region().vpcs.get(id.as_str()).cloned().unwrap_or(vpc);
            return detail_page(&view, &vpc, "settings", None, Some(&refusal));
        }
    }
    Redirect::to(&format!("{}?tab=settings&done=You+have+successfully+modified+the+settings+for+{id}.", href(&id)))
        .into_response()
}

async fn delete(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    let params = [("Action", "DeleteVpc"), ("VpcId", id.as_str())];
    let again = |view: &View, refusal: &Refusal| {
        view.region().vpcs.get(id.as_str()).map(|vpc| detail_page(view, vpc, "cidrs", None, Some(refusal)))
    };
    shared::delete(&state, session, &params, "/console/vpcs", "Delete VPC", again).await
}

#[derive(Default)]
struct CreateValues {
    name: String,
    cidr: String,
    tenancy: String,
}

async fn create_form(State(state): State<ConsoleState>, session: Session) -> Response {
    let view = View::new(&state, session);
    create_page(&view, &CreateValues { cidr: "10.0.0.0/16".into(), ..Default::default() }, None)
}

fn create_page(view: &View, values: &CreateValues, refusal: Option<&Refusal>) -> Response {
    let tenancy = [("default".to_string(), "Default".to_string()), ("dedicated".to_string(), "Dedicated".to_string())];
    let body = html! {
        div class="crumbs" { a href="/console/vpcs" { "Your VPCs" } " › Create VPC" }
        div class="page-head" { h1 { "Create VPC" } }
        (layout::refusal(refusal))
        form class="create panel" method="post" action="/console/vpcs/create" {
            h2 { "VPC settings" }
            fieldset {
                legend { "Resources to create" }
                label class="choice" { input type="radio" id="vpc-only" name="_resources" value="vpc-only" checked; "VPC only" }
            }
            (layout::text_field("name", "Name tag - optional", &values.name, Some("Creates a tag with a key of 'Name' and a value that you specify.")))
            (layout::text_field("cidr", "IPv4 CIDR", &values.cidr, Some("The CIDR block size must have a size between /16 and /28.")))
            (layout::select_field("tenancy", "Tenancy", &tenancy, if values.tenancy.is_empty() { "default" } else { &values.tenancy }))
            div class="form-actions" {
                a class="button" href="/console/vpcs" { "Cancel" }
                button class="primary" id="submit-create-vpc" type="submit" { "Create VPC" }
            }
        }
    };
    layout::form_page(&view.session, "/console/vpcs", "Create VPC", body, refusal)
}

async fn create(State(state): State<ConsoleState>, session: Session, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let values = CreateValues {
        name: form.get("name").unwrap_or_default().to_string(),
        cidr: form.get("cidr").unwrap_or_default().trim().to_string(),
        tenancy: form.get("tenancy").unwrap_or("default").to_string(),
    };
    let mut params = vec![
        ("Action", "CreateVpc"),
        ("CidrBlock", values.cidr.as_str()),
        ("InstanceTenancy", values.tenancy.as_str()),
    ];
    if !values.name.is_empty() {
        params.extend([
            ("TagSpecification.1.ResourceType", "vpc"),
            ("TagSpecification.1.Tag.1.Key", "Name"),
            ("TagSpecification.1.Tag.1.Value", values.name.as_str()),
        ]);
    }
    match ec2::run(&state, &session, &params).await {
        Ok(answer) => {
            let id = answer.text("vpcId").unwrap_or_default();
            Redirect::to(&format!("{}?done=You+successfully+created+{id}.", href(&id))).into_response()
        }
        Err(refusal) => create_page(&View::new(&state, session), &values, Some(&refusal)),
    }
}

/// A resource that is not in this account and Region: AWS's NotFound words, 404.
pub(crate) fn not_found(view: &View, kind: &str, id: &str) -> Response {
    let body = html! {
        (layout::error_box("NotFound", &format!("The {kind} '{id}' does not exist in account {} ({}).", view.session.scope.account, view.session.scope.region)))
    };
    let mut response = layout::page(&view.session, "", "Not found", body);
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

/// The refusal of an action on a page of its own (when the page it came from is gone).
pub(crate) fn refused_page(view: &View, current: &str, title: &str, refusal: &Refusal) -> Response {
    let body = html! { div class="page-head" { h1 { (title) } } (layout::refusal(Some(refusal))) };
    let mut response = layout::page(&view.session, current, title, body);
    *response.status_mut() = StatusCode::BAD_REQUEST;
    response
}
