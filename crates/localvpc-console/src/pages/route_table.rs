//! Route tables: the list, a table's details with the Routes / Subnet associations / Tags tabs, "Create route
//! table" and "Delete route table". "Edit routes" is `route_table/routes.rs` and "Edit subnet associations"
//! `route_table/associations.rs`. Each change is one EC2 action (or one per changed row), each refusal AWS's; the
//! routes' `active`/`blackhole` status and a subnet's effective table are the model's.

mod associations;
mod routes;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use localvpc_model::route_table::{self, Ipv6RouteTarget, Route, RouteOrigin, RouteTable, RouteTarget};
use localvpc_model::RegionState;
use maud::{html, Markup};

use super::shared::{self, label, vpc_label};
use super::vpc::{not_found, refused_page};
use super::View;
use crate::ec2::{self, Refusal};
use crate::layout::{self, Form, List};
use crate::session::Session;
use crate::ConsoleState;

const LIST: &str = "/console/route-tables";

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route(LIST, get(list))
        .route("/console/route-tables/create", get(create_form).post(create))
        .route("/console/route-tables/{id}", get(detail))
        .route("/console/route-tables/{id}/delete", post(delete))
        .merge(routes::routes())
        .merge(associations::routes())
}

/// `/console/route-tables/{id}`.
pub(crate) fn href(id: &str) -> String {
    format!("{LIST}/{id}")
}

/// The list's query: the banner, and `vpc` to show one VPC's tables only.
#[derive(Debug, Default, serde::Deserialize)]
struct ListQuery {
    done: Option<String>,
    vpc: Option<String>,
}

/// A table's explicit subnet associations, as subnet IDs.
fn explicit_subnets(table: &RouteTable) -> impl Iterator<Item = &str> {
    table.associations.iter().filter_map(|association| association.subnet_id.as_deref())
}

async fn list(State(state): State<ConsoleState>, session: Session, Query(query): Query<ListQuery>) -> Response {
    let view = View::load(&state, session).await;
    let region = view.region();
    let mut tables: Vec<&RouteTable> = region
        .route_tables
        .values()
        .map(|table| &**table)
        .filter(|table| query.vpc.as_deref().is_none_or(|vpc| table.vpc_id == vpc))
        .collect();
    tables.sort_by(|a, b| (&a.vpc_id, !a.is_main(), &a.id).cmp(&(&b.vpc_id, !b.is_main(), &b.id)));
    let rows = tables
        .iter()
        .map(|table| {
            let subnets: Vec<&str> = explicit_subnets(table).collect();
            vec![
                html! { (layout::name_of(&table.tags)) },
                layout::link(&href(&table.id), &table.id),
                html! {
                    @if subnets.is_empty() { "–" }
                    @else if subnets.len() == 1 { (subnets[0]) }
                    @else { (subnets.len()) " subnets" }
                },
                html! { @if table.is_main() { "Yes" } @else { "No" } },
                layout::link(&super::vpc::href(&table.vpc_id), &vpc_label(region, &table.vpc_id)),
                html! { (table.owner_id) },
            ]
        })
        .collect();
    let list = List {
        title: "Route tables",
        noun: "route tables",
        create: Some(("Create route table", "/console/route-tables/create")),
        columns: &["Name", "Route table ID", "Explicit subnet associations", "Main", "VPC", "Owner ID"],
        rows,
    };
    layout::page(&view.session, LIST, "Route tables", list.render(query.done.as_deref()))
}

#[derive(Debug, Default, serde::Deserialize)]
struct DetailQuery {
    done: Option<String>,
    tab: Option<String>,
}

async fn detail(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    Query(query): Query<DetailQuery>,
) -> Response {
    let view = View::new(&state, session);
    let Some(table) = view.region().route_tables.get(id.as_str()) else { return not_found(&view, "route table", &id) };
    detail_page(&view, table, query.tab.as_deref().unwrap_or("routes"), query.done.as_deref(), None)
}

fn detail_page(view: &View, table: &RouteTable, tab: &str, done: Option<&str>, refusal: Option<&Refusal>) -> Response {
    let region = view.region();
    let title = format!("{} / {}", table.id, layout::name_of(&table.tags));
    let subnet_count = explicit_subnets(table).count();
    let edges: Vec<&str> = table.associations.iter().filter_map(|a| a.gateway_id.as_deref()).collect();
    let body = html! {
        (layout::notice(done))
        (layout::refusal(refusal))
        div class="crumbs" { a href=(LIST) { "Route tables" } " › " (table.id) }
        div class="page-head" {
            h1 { (title) }
            div class="actions" {
                a class="button" id="edit-routes" href=(format!("{}/routes", href(&table.id))) { "Edit routes" }
                a class="button" id="edit-subnet-associations" href=(format!("{}/associations", href(&table.id))) { "Edit subnet associations" }
                form class="inline" method="post" action=(format!("{}/delete", href(&table.id))) {
                    button class="danger" id="delete-route-table" type="submit" { "Delete route table" }
                }
            }
        }
        (layout::details("Details", &[
            ("Route table ID", html! { span class="mono" { (table.id) } }),
            ("Main", html! { @if table.is_main() { "Yes" } @else { "No" } }),
            ("Explicit subnet associations", html! { @if subnet_count == 0 { "–" } @else { (subnet_count) " subnets" } }),
            ("Edge associations", html! { @if edges.is_empty() { "–" } @else { (edges.join(", ")) } }),
            ("VPC", layout::link(&super::vpc::href(&table.vpc_id), &vpc_label(region, &table.vpc_id))),
            ("Owner ID", html! { (table.owner_id) }),
        ]))
        section class="panel" {
            (layout::tabs(&href(&table.id), &[("routes", "Routes"), ("subnets", "Subnet associations"), ("tags", "Tags")], tab))
            @match tab {
                "subnets" => (subnets_tab(region, table)),
                "tags" => (layout::tags_table(&table.id, &format!("{}?tab=tags", href(&table.id)), &table.tags)),
                _ => (routes_tab(view, table)),
            }
        }
    };
    shared::page(view, LIST, &title, body, refusal)
}

fn routes_tab(view: &View, table: &RouteTable) -> Markup {
    let count = route_table::effective_routes(&view.world, view.region(), table).len();
    html! {
        div class="panel-head" {
            h2 { "Routes " span class="count" { "(" (count) ")" } }
            a class="button" href=(format!("{}/routes", href(&table.id))) { "Edit routes" }
        }
        (routes_list(view, table, true))
    }
}

/// A table's routes — stored, to prefix lists (part 2 §17.3), then propagated from virtual private gateways (part 2
/// §15.4), then its IPv6 routes (part 2 §16.2) — : Destination, Target, and (`full`) Status and Propagated, as the
/// Routes tab shows them; the subnet page's route table tab shows the first two.
pub(crate) fn routes_list(view: &View, table: &RouteTable, full: bool) -> Markup {
    let routes = route_table::effective_routes(&view.world, view.region(), table);
    let ipv6: Vec<_> = table
        .ipv6_routes
        .iter()
        .map(|route| (route, route_table::ipv6_route_state(&view.world, view.region(), table, route)))
        .collect();
    html! {
        table class="list" id="routes" {
            thead {
                tr {
                    th scope="col" { "Destination" } th scope="col" { "Target" }
                    @if full { th scope="col" { "Status" } th scope="col" { "Propagated" } }
                }
            }
            tbody {
                @for effective in &routes {
                    tr {
                        // Part 2 §17.3: a prefix-list route shows as one row per block, named by its list.
                        td class="mono" {
                            @if let Some(list) = &effective.prefix_list_id { (list) " " }
                            (effective.route.destination)
                        }
                        td { (target_markup(&effective.route)) }
                        @if full {
                            td { (layout::badge(effective.state.as_str())) }
                            td { (if effective.route.origin == RouteOrigin::EnableVgwRoutePropagation { "Yes" } else { "No" }) }
                        }
                    }
                }
                @for (route, state) in &ipv6 {
                    tr {
                        td class="mono" { (route.destination) }
                        td {
                            @match &route.target {
                                Ipv6RouteTarget::Shared(shared) => (target_markup_of(shared)),
                                Ipv6RouteTarget::EgressOnlyInternetGateway(id) => (id),
                            }
                        }
                        @if full { td { (layout::badge(state.as_str())) } td { "No" } }
                    }
                }
            }
        }
    }
}

/// A route's target as the Target column shows it, linked where the console has the target's page.
fn target_markup(route: &Route) -> Markup {
    target_markup_of(&route.target)
}

fn target_markup_of(target: &RouteTarget) -> Markup {
    match target {
        RouteTarget::InternetGateway(id) => layout::link(&super::internet_gateway::href(id), id),
        RouteTarget::VpcPeeringConnection(id) => layout::link(&super::vpc_peering::href(id), id),
        target => html! { (target_value(target)) },
    }
}

/// The value that names a target: `local` or the target's ID (the Edit routes picker's option values).
pub(crate) fn target_value(target: &RouteTarget) -> &str {
    match target {
        RouteTarget::Local => "local",
        RouteTarget::InternetGateway(id)
        | RouteTarget::VpcPeeringConnection(id)
        | RouteTarget::NatGateway(id)
        | RouteTarget::Instance(id)
        | RouteTarget::NetworkInterface(id)
        | RouteTarget::TransitGateway(id)
        | RouteTarget::VpnGateway(id)
        | RouteTarget::VpcEndpoint(id) => id,
    }
}

fn subnets_tab(region: &RegionState, table: &RouteTable) -> Markup {
    let explicit: Vec<_> = explicit_subnets(table).filter_map(|id| region.subnets.get(id)).collect();
    // The subnets that follow this table without an explicit association: on the main table, every subnet of the
    // VPC whose effective table it is (the model's rule).
    let mut implicit: Vec<_> = region
        .subnets
        .values()
        .filter(|subnet| subnet.vpc_id == table.vpc_id)
        .filter(|subnet| !explicit.iter().any(|e| e.id == subnet.id))
        .filter(|subnet| {
            route_table::effective_for_subnet(region, &subnet.id, &subnet.vpc_id).is_some_and(|t| t.id == table.id)
        })
        .collect();
    implicit.sort_by_key(|subnet| subnet.cidr_block);
    let rows = |subnets: &[&std::sync::Arc<localvpc_model::subnet::Subnet>], empty: &str| {
        html! {
            table class="list" {
                thead { tr { th scope="col" { "Name" } th scope="col" { "Subnet ID" } th scope="col" { "IPv4 CIDR" } } }
                tbody {
                    @for subnet in subnets {
                        tr {
                            td { (layout::name_of(&subnet.tags)) }
                            td { (layout::link(&super::subnet::href(&subnet.id), &subnet.id)) }
                            td class="mono" { (crate::pages::shared::dash(subnet.cidr_block)) }
                        }
                    }
                    @if subnets.is_empty() { tr class="empty" { td colspan="3" { (empty) } } }
                }
            }
        }
    };
    html! {
        div class="panel-head" {
            h2 { "Explicit subnet associations " span class="count" { "(" (explicit.len()) ")" } }
            a class="button" href=(format!("{}/associations", href(&table.id))) { "Edit subnet associations" }
        }
        (rows(&explicit, "No subnet associations"))
        h2 class="spaced" { "Subnets without explicit associations " span class="count" { "(" (implicit.len()) ")" } }
        p class="hint" {
            "The following subnets have not been explicitly associated with any route tables and are therefore associated with the main route table."
        }
        (rows(&implicit, "No subnets without explicit associations"))
    }
}

async fn delete(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    match ec2::run(&state, &session, &[("Action", "DeleteRouteTable"), ("RouteTableId", &id)]).await {
        Ok(_) => shared::done(LIST, &[], &format!("You successfully deleted {id}.")),
        Err(refusal) => {
            let view = View::new(&state, session);
            match view.region().route_tables.get(id.as_str()) {
                Some(table) => detail_page(&view, table, "routes", None, Some(&refusal)),
                None => refused_page(&view, LIST, "Delete route table", &refusal),
            }
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct CreateValues {
    #[serde(default)]
    name: String,
    #[serde(default)]
    vpc: String,
}

async fn create_form(
    State(state): State<ConsoleState>,
    session: Session,
    Query(values): Query<CreateValues>,
) -> Response {
    let view = View::load(&state, session).await;
    create_page(&view, &values, None)
}

fn create_page(view: &View, values: &CreateValues, refusal: Option<&Refusal>) -> Response {
    let mut vpcs = vec![(String::new(), "Select a VPC".to_string())];
    vpcs.extend(shared::vpc_options(view.region()));
    let body = html! {
        div class="crumbs" { a href=(LIST) { "Route tables" } " › Create route table" }
        div class="page-head" { h1 { "Create route table" } }
        (layout::refusal(refusal))
        form class="create panel" method="post" action="/console/route-tables/create" {
            h2 { "Route table settings" }
            (layout::text_field("name", "Name - optional", &values.name, Some("Create a tag with a key of 'Name' and a value that you specify.")))
            (layout::select_field("vpc", "VPC", &vpcs, &values.vpc))
            div class="form-actions" {
                a class="button" href=(LIST) { "Cancel" }
                button class="primary" id="submit-create-route-table" type="submit" { "Create route table" }
            }
        }
    };
    shared::page(view, LIST, "Create route table", body, refusal)
}

async fn create(State(state): State<ConsoleState>, session: Session, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let values = CreateValues {
        name: form.get("name").unwrap_or_default().to_string(),
        vpc: form.get("vpc").unwrap_or_default().to_string(),
    };
    let mut params = vec![("Action", "CreateRouteTable"), ("VpcId", values.vpc.as_str())];
    params.extend(shared::name_tag("route-table", &values.name));
    match ec2::run(&state, &session, &params).await {
        Ok(answer) => {
            let id = answer.text("routeTableId").unwrap_or_default();
            shared::done(&href(&id), &[], &format!("Route table {id} was created successfully."))
        }
        Err(refusal) => create_page(&View::new(&state, session), &values, Some(&refusal)),
    }
}

/// The label of a route table of this Region (`rtb-… | Name`).
pub(crate) fn table_label(table: &RouteTable) -> String {
    label(&table.id, &table.tags)
}
