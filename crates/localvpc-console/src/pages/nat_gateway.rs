//! NAT gateways: the list (failed and deleted ones included while AWS still lists them), a gateway's details with
//! its addresses, "Create NAT gateway" (subnet, connectivity type, Elastic IP) and "Delete NAT gateway" — each change
//! one EC2 action; a creation problem AWS finds later shows on the gateway as its state message, as on AWS.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use localvpc_model::nat_gateway::{NatGateway, NatGatewayState};
use localvpc_model::{RegionState, Timestamp};
use maud::{html, Markup};

use super::shared::{self, vpc_label};
use super::vpc::{not_found, refused_page};
use super::View;
use crate::ec2::{self, Refusal};
use crate::layout::{self, Form, List};
use crate::session::Session;
use crate::ConsoleState;

const LIST: &str = "/console/nat-gateways";

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route(LIST, get(list))
        .route("/console/nat-gateways/create", get(create_form).post(create))
        .route("/console/nat-gateways/{id}", get(detail))
        .route("/console/nat-gateways/{id}/delete", post(delete))
}

/// `/console/nat-gateways/{id}`.
pub(crate) fn href(id: &str) -> String {
    format!("{LIST}/{id}")
}

fn now(view: &View) -> Timestamp {
    localvpc_api::control::Control::now(&view.world)
}

/// The gateways a Describe would list now, by name then ID.
fn listed(region: &RegionState, now: Timestamp) -> Vec<&NatGateway> {
    let mut gateways: Vec<&NatGateway> =
        region.nat_gateways.values().filter(|nat| nat.visible_at(now)).map(|nat| &**nat).collect();
    gateways.sort_by(|a, b| (layout::name_of(&a.tags), &a.id).cmp(&(layout::name_of(&b.tags), &b.id)));
    gateways
}

/// The available gateways of a VPC, for the route editor's picker.
pub(crate) fn available_in_vpc(region: &RegionState, vpc_id: &str) -> Vec<(String, String)> {
    let mut gateways: Vec<(String, String)> = region
        .nat_gateways
        .values()
        .filter(|nat| nat.is_available() && nat.vpc_id == vpc_id)
        .map(|nat| (nat.id.clone(), shared::label(&nat.id, &nat.tags)))
        .collect();
    gateways.sort();
    gateways
}

fn primary<T>(nat: &NatGateway, field: impl Fn(&localvpc_model::nat_gateway::NatAddress) -> Option<T>) -> Option<T> {
    nat.addresses.iter().find(|address| address.is_primary).and_then(field)
}

fn or_dash(value: Option<String>) -> Markup {
    html! { @if let Some(value) = value { span class="mono" { (value) } } @else { "–" } }
}

#[derive(Debug, Default, serde::Deserialize)]
struct Shown {
    done: Option<String>,
}

async fn list(State(state): State<ConsoleState>, session: Session, Query(shown): Query<Shown>) -> Response {
    let view = View::load(&state, session).await;
    let region = view.region();
    let now = now(&view);
    let rows = listed(region, now)
        .into_iter()
        .map(|nat| {
            vec![
                html! { (layout::name_of(&nat.tags)) },
                layout::link(&href(&nat.id), &nat.id),
                html! { (nat.connectivity.as_str().replace("public", "Public").replace("private", "Private")) },
                layout::badge(nat.state_at(now).as_str()),
                html! { (nat.failure.as_ref().map(|failure| failure.message.as_str()).unwrap_or("–")) },
                or_dash(primary(nat, |a| a.public_ip).map(|ip| ip.to_string())),
                or_dash(primary(nat, |a| a.private_ip).map(|ip| ip.to_string())),
                layout::link(&super::vpc::href(&nat.vpc_id), &vpc_label(region, &nat.vpc_id)),
                layout::link(&super::subnet::href(&nat.subnet_id), &nat.subnet_id),
            ]
        })
        .collect();
    let list = List {
        title: "NAT gateways",
        noun: "NAT gateways",
        create: Some(("Create NAT gateway", "/console/nat-gateways/create")),
        columns: &[
            "Name",
            "NAT gateway ID",
            "Connectivity type",
            "State",
            "State message",
            "Primary public IPv4 address",
            "Primary private IPv4 address",
            "VPC",
            "Subnet",
        ],
        rows,
    };
    layout::page(&view.session, LIST, "NAT gateways", list.render(shown.done.as_deref()))
}

async fn detail(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Response {
    let view = View::new(&state, session);
    let Some(nat) = view.region().nat_gateways.get(id.as_str()).filter(|nat| nat.visible_at(now(&view))).cloned()
    else {
        return not_found(&view, "NAT gateway", &id);
    };
    detail_page(&view, &nat, shown.done.as_deref(), None)
}

fn detail_page(view: &View, nat: &NatGateway, done: Option<&str>, refusal: Option<&Refusal>) -> Response {
    let region = view.region();
    let state = nat.state_at(now(view));
    let title = format!("{} / {}", nat.id, layout::name_of(&nat.tags));
    let body = html! {
        (layout::notice(done))
        (layout::refusal(refusal))
        div class="crumbs" { a href=(LIST) { "NAT gateways" } " › " (nat.id) }
        div class="page-head" {
            h1 { (title) }
            div class="actions" {
                @if state == NatGatewayState::Available {
                    form class="inline" method="post" action=(format!("{}/delete", href(&nat.id))) {
                        button class="danger" id="delete-nat" type="submit" { "Delete NAT gateway" }
                    }
                }
            }
        }
        (layout::details("Details", &[
            ("NAT gateway ID", html! { span class="mono" { (nat.id) } }),
            ("Connectivity type", html! { (nat.connectivity.as_str()) }),
            ("State", layout::badge(state.as_str())),
            ("State message", html! { (nat.failure.as_ref().map(|f| format!("{}: {}", f.code, f.message)).unwrap_or_else(|| "–".into())) }),
            ("Primary public IPv4 address", or_dash(primary(nat, |a| a.public_ip).map(|ip| ip.to_string()))),
            ("Primary private IPv4 address", or_dash(primary(nat, |a| a.private_ip).map(|ip| ip.to_string()))),
            ("Primary network interface ID", match nat.network_interface_id() {
                Some(eni) => layout::link(&super::network_interface::href(eni), eni),
                None => html! { "–" },
            }),
            ("VPC", layout::link(&super::vpc::href(&nat.vpc_id), &vpc_label(region, &nat.vpc_id))),
            ("Subnet", layout::link(&super::subnet::href(&nat.subnet_id), &nat.subnet_id)),
            ("Created", html! { (nat.created.to_iso8601()) }),
            ("Deleted", html! { (nat.deleted.map(Timestamp::to_iso8601).unwrap_or_else(|| "–".into())) }),
        ]))
        section class="panel" {
            h2 { "Secondary IPv4 addresses" }
            table class="list" id="nat-addresses" {
                thead { tr { th { "Private IPv4 address" } th { "Public IPv4 address" } th { "Allocation ID" } th { "Primary" } } }
                tbody {
                    @for address in &nat.addresses {
                        tr {
                            td class="mono" { (address.private_ip.map(|ip| ip.to_string()).unwrap_or_else(|| "–".into())) }
                            td class="mono" { (address.public_ip.map(|ip| ip.to_string()).unwrap_or_else(|| "–".into())) }
                            td class="mono" { (address.allocation_id.clone().unwrap_or_else(|| "–".into())) }
                            td { (if address.is_primary { "Yes" } else { "No" }) }
                        }
                    }
                }
            }
        }
        section class="panel" {
            h2 { "Tags" }
            (layout::tags_table(&nat.id, &href(&nat.id), &nat.tags))
        }
    };
    shared::page(view, LIST, &title, body, refusal)
}

#[derive(Debug, Default)]
struct CreateValues {
    name: String,
    subnet: String,
    connectivity: String,
    allocation: String,
}

async fn create_form(State(state): State<ConsoleState>, session: Session) -> Response {
    let values = CreateValues { connectivity: "public".into(), ..CreateValues::default() };
    create_page(&View::load(&state, session).await, &values, None)
}

fn create_page(view: &View, values: &CreateValues, refusal: Option<&Refusal>) -> Response {
    let region = view.region();
    let mut subnets = vec![(String::new(), "Select a subnet".to_string())];
    let mut listed: Vec<(String, String)> = region
        .subnets
        .values()
        .map(|subnet| {
            (
                subnet.id.clone(),
                format!(
                    "{} ({}, {})",
                    shared::label(&subnet.id, &subnet.tags),
                    crate::pages::shared::dash(subnet.cidr_block),
                    subnet.vpc_id
                ),
            )
        })
        .collect();
    listed.sort();
    subnets.extend(listed);
    let connectivity = [("public".to_string(), "Public".to_string()), ("private".to_string(), "Private".to_string())];
    // AWS's picker offers the Elastic IPs not associated with anything.
    let mut allocations = vec![(String::new(), "No Elastic IP (private NAT gateways)".to_string())];
    allocations.extend(
        region.addresses.values().filter(|address| address.association.is_none()).map(|address| {
            (address.allocation_id.clone(), format!("{} ({})", address.allocation_id, address.public_ip))
        }),
    );
    let body = html! {
        div class="crumbs" { a href=(LIST) { "NAT gateways" } " › Create NAT gateway" }
        div class="page-head" { h1 { "Create NAT gateway" } }
        p class="hint" { "A highly available, managed Network Address Translation (NAT) service that instances in private subnets can use to connect to services in other VPCs, on-premises networks, or the internet." }
        (layout::refusal(refusal))
        form class="create panel" method="post" action="/console/nat-gateways/create" {
            h2 { "NAT gateway settings" }
            (layout::text_field("name", "Name - optional", &values.name, Some("Create a tag with a key of 'Name' and a value that you specify.")))
            (layout::select_field("subnet", "Subnet", &subnets, &values.subnet))
            (layout::select_field("connectivity", "Connectivity type", &connectivity, &values.connectivity))
            (layout::select_field("allocation", "Elastic IP allocation ID", &allocations, &values.allocation))
            div class="form-actions" {
                a class="button" href=(LIST) { "Cancel" }
                button class="primary" id="submit-create-nat" type="submit" { "Create NAT gateway" }
            }
        }
    };
    shared::page(view, LIST, "Create NAT gateway", body, refusal)
}

async fn create(State(state): State<ConsoleState>, session: Session, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let field = |name: &str| form.get(name).unwrap_or_default().trim().to_string();
    let values = CreateValues {
        name: field("name"),
        subnet: field("subnet"),
        connectivity: field("connectivity"),
        allocation: field("allocation"),
    };
    let mut params = vec![
        ("Action", "CreateNatGateway"),
        ("SubnetId", values.subnet.as_str()),
        ("ConnectivityType", values.connectivity.as_str()),
    ];
    if !values.allocation.is_empty() {
        params.push(("AllocationId", values.allocation.as_str()));
    }
    params.extend(shared::name_tag("natgateway", &values.name));
    match ec2::run(&state, &session, &params).await {
        Ok(answer) => {
            let id = answer.text("natGatewayId").unwrap_or_default();
            shared::done(&href(&id), &[], &format!("NAT gateway {id} | {} was created successfully.", values.name))
        }
        Err(refusal) => create_page(&View::new(&state, session), &values, Some(&refusal)),
    }
}

async fn delete(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    match ec2::run(&state, &session, &[("Action", "DeleteNatGateway"), ("NatGatewayId", &id)]).await {
        Ok(_) => shared::done(&href(&id), &[], &format!("Successfully deleted NAT gateway {id}.")),
        Err(refusal) => {
            let view = View::new(&state, session);
            match view.region().nat_gateways.get(id.as_str()).cloned() {
                Some(nat) => detail_page(&view, &nat, None, Some(&refusal)),
                None => refused_page(&view, LIST, "Delete NAT gateway", &refusal),
            }
        }
    }
}
