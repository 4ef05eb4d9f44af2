//! Subnets: the list, a subnet's details (its effective route table and its routes, its network ACL, tags),
//! "Create subnet", "Edit subnet settings" (auto-assign public IPv4) and "Delete subnet" — each change one EC2
//! action, each refusal AWS's.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use localvpc_model::availability_zone::zones;
use localvpc_model::network_acl::{AclEntry, NetworkAcl, FINAL_RULE_NUMBER};
use localvpc_model::route_table;
use localvpc_model::subnet::Subnet;
use localvpc_model::RegionState;
use maud::{html, Markup};

use super::shared::{self, label, vpc_label};
use super::vpc::{not_found, refused_page};
use super::View;
use crate::ec2::{self, Refusal};
use crate::layout::{self, Form, List};
use crate::session::Session;
use crate::ConsoleState;

const LIST: &str = "/console/subnets";

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route(LIST, get(list))
        .route("/console/subnets/create", get(create_form).post(create))
        .route("/console/subnets/{id}", get(detail))
        .route("/console/subnets/{id}/settings", get(settings_form).post(settings))
        .route("/console/subnets/{id}/delete", post(delete))
}

/// `/console/subnets/{id}`.
pub(crate) fn href(id: &str) -> String {
    format!("{LIST}/{id}")
}

/// The network ACL a subnet is associated with (every subnet has exactly one association).
fn acl_of<'r>(region: &'r RegionState, subnet_id: &str) -> Option<&'r NetworkAcl> {
    region.network_acls.values().find(|acl| acl.associations.iter().any(|a| a.subnet_id == subnet_id)).map(|a| &**a)
}

fn yes_no(value: bool) -> Markup {
    html! { @if value { "Yes" } @else { "No" } }
}

#[derive(Debug, Default, serde::Deserialize)]
struct ListQuery {
    done: Option<String>,
}

async fn list(State(state): State<ConsoleState>, session: Session, Query(query): Query<ListQuery>) -> Response {
    let view = View::load(&state, session).await;
    let region = view.region();
    let mut subnets: Vec<&Subnet> = region.subnets.values().map(|subnet| &**subnet).collect();
    subnets.sort_by(|a, b| (&a.vpc_id, a.cidr_block).cmp(&(&b.vpc_id, b.cidr_block)));
    let rows = subnets
        .iter()
        .map(|subnet| {
            let table = route_table::effective_for_subnet(region, &subnet.id, &subnet.vpc_id);
            let acl = acl_of(region, &subnet.id);
            vec![
                html! { (layout::name_of(&subnet.tags)) },
                layout::link(&href(&subnet.id), &subnet.id),
                layout::badge("available"),
                layout::link(&super::vpc::href(&subnet.vpc_id), &vpc_label(region, &subnet.vpc_id)),
                html! { span class="mono" { (crate::pages::shared::dash(subnet.cidr_block)) } },
                html! { (subnet.available_ip_address_count(region)) },
                html! { (subnet.availability_zone) },
                html! { @if let Some(table) = table { (layout::link(&super::route_table::href(&table.id), &label(&table.id, &table.tags))) } @else { "–" } },
                html! { @if let Some(acl) = acl { a href=(format!("/console/network-acls/{}", acl.id)) { (label(&acl.id, &acl.tags)) } } @else { "–" } },
                yes_no(subnet.default_for_az),
                yes_no(subnet.map_public_ip_on_launch),
            ]
        })
        .collect();
    let list = List {
        title: "Subnets",
        noun: "subnets",
        create: Some(("Create subnet", "/console/subnets/create")),
        columns: &[
            "Name",
            "Subnet ID",
            "State",
            "VPC",
            "IPv4 CIDR",
            "Available IPv4 addresses",
            "Availability Zone",
            "Route table",
            "Network ACL",
            "Default subnet",
            "Auto-assign public IPv4 address",
        ],
        rows,
    };
    layout::page(&view.session, LIST, "Subnets", list.render(query.done.as_deref()))
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
    let Some(subnet) = view.region().subnets.get(id.as_str()) else { return not_found(&view, "subnet", &id) };
    detail_page(&view, subnet, query.tab.as_deref().unwrap_or("route-table"), query.done.as_deref(), None)
}

fn detail_page(view: &View, subnet: &Subnet, tab: &str, done: Option<&str>, refusal: Option<&Refusal>) -> Response {
    let region = view.region();
    let table = route_table::effective_for_subnet(region, &subnet.id, &subnet.vpc_id);
    let acl = acl_of(region, &subnet.id);
    let title = format!("{} / {}", subnet.id, layout::name_of(&subnet.tags));
    let body = html! {
        (layout::notice(done))
        (layout::refusal(refusal))
        div class="crumbs" { a href=(LIST) { "Subnets" } " › " (subnet.id) }
        div class="page-head" {
            h1 { (title) }
            div class="actions" {
                a class="button" id="edit-subnet-settings" href=(format!("{}/settings", href(&subnet.id))) { "Edit subnet settings" }
                form class="inline" method="post" action=(format!("{}/delete", href(&subnet.id))) {
                    button class="danger" id="delete-subnet" type="submit" { "Delete subnet" }
                }
            }
        }
        (layout::details("Details", &[
            ("Subnet ID", html! { span class="mono" { (subnet.id) } }),
            ("Subnet ARN", html! { span class="mono" { (subnet.arn()) } }),
            ("State", layout::badge("available")),
            ("IPv4 CIDR", html! { span class="mono" { (crate::pages::shared::dash(subnet.cidr_block)) } }),
            ("Available IPv4 addresses", html! { (subnet.available_ip_address_count(region)) }),
            ("IPv6 CIDR", html! { span class="mono" { (crate::pages::shared::dash(subnet.ipv6_cidr_block())) } }),
            ("IPv6-only", yes_no(subnet.ipv6_native())),
            ("Availability Zone", html! { (subnet.availability_zone) }),
            ("Availability Zone ID", html! { (subnet.availability_zone_id) }),
            ("VPC", layout::link(&super::vpc::href(&subnet.vpc_id), &vpc_label(region, &subnet.vpc_id))),
            ("Route table", html! { @if let Some(table) = table { (layout::link(&super::route_table::href(&table.id), &label(&table.id, &table.tags))) } }),
            ("Network ACL", html! { @if let Some(acl) = acl { a href=(format!("/console/network-acls/{}", acl.id)) { (acl.id) } } }),
            ("Default subnet", yes_no(subnet.default_for_az)),
            ("Auto-assign public IPv4 address", yes_no(subnet.map_public_ip_on_launch)),
            ("Auto-assign IPv6 address", yes_no(subnet.assign_ipv6_address_on_creation)),
            ("DNS64", yes_no(subnet.enable_dns64)),
            ("Hostname type", html! { (subnet.private_dns_name_options.hostname_type) }),
            ("Owner", html! { (subnet.owner_id) }),
        ]))
        section class="panel" {
            (layout::tabs(&href(&subnet.id), &[("route-table", "Route table"), ("network-acl", "Network ACL"), ("tags", "Tags")], tab))
            @match tab {
                "network-acl" => (acl_tab(acl)),
                "tags" => (layout::tags_table(&subnet.id, &format!("{}?tab=tags", href(&subnet.id)), &subnet.tags)),
                _ => {
                    @if let Some(table) = table {
                        p { "Route table: " (layout::link(&super::route_table::href(&table.id), &label(&table.id, &table.tags))) }
                        (super::route_table::routes_list(view, table, false))
                    }
                }
            }
        }
    };
    shared::page(view, LIST, &title, body, refusal)
}

fn acl_tab(acl: Option<&NetworkAcl>) -> Markup {
    let Some(acl) = acl else { return html! { p class="hint" { "No network ACL" } } };
    html! {
        p { "Network ACL: " a href=(format!("/console/network-acls/{}", acl.id)) { (label(&acl.id, &acl.tags)) } }
        h2 { "Inbound rules" }
        (acl_entries(acl, false))
        h2 class="spaced" { "Outbound rules" }
        (acl_entries(acl, true))
    }
}

/// A protocol number as the console names it.
fn protocol_name(protocol: &str) -> String {
    match protocol {
        "-1" => "All".into(),
        "6" => "TCP".into(),
        "17" => "UDP".into(),
        "1" => "ICMP".into(),
        other => other.to_string(),
    }
}

fn acl_entries(acl: &NetworkAcl, egress: bool) -> Markup {
    let entries: Vec<&AclEntry> = acl.entries.iter().filter(|entry| entry.egress == egress).collect();
    html! {
        table class="list" id=(if egress { "acl-outbound" } else { "acl-inbound" }) {
            thead {
                tr {
                    th scope="col" { "Rule number" } th scope="col" { "Protocol" } th scope="col" { "Port range" }
                    th scope="col" { @if egress { "Destination" } @else { "Source" } } th scope="col" { "Allow/Deny" }
                }
            }
            tbody {
                @for entry in entries {
                    tr {
                        td { @if entry.rule_number == FINAL_RULE_NUMBER { "*" } @else { (entry.rule_number) } }
                        td { (protocol_name(&entry.protocol)) }
                        td {
                            @match entry.port_range {
                                Some((from, to)) if from == to => (from),
                                Some((from, to)) => { (from) " - " (to) },
                                None => "All",
                            }
                        }
                        td class="mono" { (entry.cidr_block) }
                        td { @if entry.allow { "Allow" } @else { "Deny" } }
                    }
                }
            }
        }
    }
}

async fn delete(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    match ec2::run(&state, &session, &[("Action", "DeleteSubnet"), ("SubnetId", &id)]).await {
        Ok(_) => shared::done(LIST, &[], &format!("You successfully deleted {id}.")),
        Err(refusal) => {
            let view = View::new(&state, session);
            match view.region().subnets.get(id.as_str()) {
                Some(subnet) => detail_page(&view, subnet, "route-table", None, Some(&refusal)),
                None => refused_page(&view, LIST, "Delete subnet", &refusal),
            }
        }
    }
}

async fn settings_form(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    let view = View::new(&state, session);
    let Some(subnet) = view.region().subnets.get(id.as_str()).cloned() else {
        return not_found(&view, "subnet", &id);
    };
    settings_page(&view, &subnet, subnet.map_public_ip_on_launch, None)
}

fn settings_page(view: &View, subnet: &Subnet, map_public_ip: bool, refusal: Option<&Refusal>) -> Response {
    let body = html! {
        div class="crumbs" {
            a href=(LIST) { "Subnets" } " › " a href=(href(&subnet.id)) { (subnet.id) } " › Edit subnet settings"
        }
        div class="page-head" { h1 { "Edit subnet settings" } }
        (layout::refusal(refusal))
        form class="create panel" method="post" action=(format!("{}/settings", href(&subnet.id))) {
            (layout::details("Subnet", &[
                ("Subnet ID", html! { span class="mono" { (subnet.id) } }),
                ("Name", html! { (layout::name_of(&subnet.tags)) }),
            ]))
            fieldset {
                legend { "Auto-assign IP settings" }
                p class="hint" { "Enable the auto-assign IP address setting to automatically request a public IPv4 address for a new network interface in this subnet." }
                label class="choice" {
                    input type="checkbox" id="map-public-ip" name="map_public_ip" value="true" checked[map_public_ip];
                    "Enable auto-assign public IPv4 address"
                }
            }
            div class="form-actions" {
                a class="button" href=(href(&subnet.id)) { "Cancel" }
                button class="primary" id="save-subnet-settings" type="submit" { "Save" }
            }
        }
    };
    shared::page(view, LIST, "Edit subnet settings", body, refusal)
}

/// "Edit subnet settings": ModifySubnetAttribute `MapPublicIpOnLaunch` when the box changed.
async fn settings(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    let view = View::new(&state, session.clone());
    let Some(subnet) = view.region().subnets.get(id.as_str()).cloned() else {
        return not_found(&view, "subnet", &id);
    };
    let wanted = form.get("map_public_ip") == Some("true");
    if wanted != subnet.map_public_ip_on_launch {
        let value = if wanted { "true" } else { "false" };
        let params =
            [("Action", "ModifySubnetAttribute"), ("SubnetId", id.as_str()), ("MapPublicIpOnLaunch.Value", value)];
        if let Err(refusal) = ec2::run(&state, &session, &params).await {
            return settings_page(&View::new(&state, session), &subnet, wanted, Some(&refusal));
        }
    }
    shared::done(&href(&id), &[], &format!("You have successfully changed subnet settings: {id}."))
}

#[derive(Debug, Default, serde::Deserialize)]
struct CreateValues {
    #[serde(default)]
    vpc: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    zone: String,
    #[serde(default)]
    cidr: String,
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
    let region = view.region();
    let mut vpcs = vec![(String::new(), "Select a VPC".to_string())];
    vpcs.extend(shared::vpc_options(region));
    let mut zone_options = vec![(String::new(), "No preference".to_string())];
    zone_options.extend(zones(&view.session.scope.region).into_iter().map(|zone| (zone.name.clone(), zone.name)));
    let vpc_cidrs: Vec<String> = region
        .vpcs
        .get(values.vpc.as_str())
        .map(|vpc| vpc.cidr_blocks().map(ToString::to_string).collect())
        .unwrap_or_default();
    let body = html! {
        div class="crumbs" { a href=(LIST) { "Subnets" } " › Create subnet" }
        div class="page-head" { h1 { "Create subnet" } }
        (layout::refusal(refusal))
        form class="create panel" method="post" action="/console/subnets/create" {
            h2 { "VPC" }
            (layout::select_field("vpc", "VPC ID", &vpcs, &values.vpc))
            @if !vpc_cidrs.is_empty() {
                p class="hint" id="vpc-cidrs" { "Associated VPC CIDRs: " span class="mono" { (vpc_cidrs.join(", ")) } }
            }
            h2 { "Subnet settings" }
            (layout::text_field("name", "Subnet name", &values.name, Some("Create a tag with a key of 'Name' and a value that you specify.")))
            (layout::select_field("zone", "Availability Zone", &zone_options, &values.zone))
            (layout::text_field("cidr", "IPv4 subnet CIDR block", &values.cidr, Some("The subnet's block must lie in one of the VPC's CIDR blocks, between /16 and /28.")))
            div class="form-actions" {
                a class="button" href=(LIST) { "Cancel" }
                button class="primary" id="submit-create-subnet" type="submit" { "Create subnet" }
            }
        }
    };
    shared::page(view, LIST, "Create subnet", body, refusal)
}

async fn create(State(state): State<ConsoleState>, session: Session, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let values = CreateValues {
        vpc: form.get("vpc").unwrap_or_default().to_string(),
        name: form.get("name").unwrap_or_default().to_string(),
        zone: form.get("zone").unwrap_or_default().to_string(),
        cidr: form.get("cidr").unwrap_or_default().trim().to_string(),
    };
    let mut params =
        vec![("Action", "CreateSubnet"), ("VpcId", values.vpc.as_str()), ("CidrBlock", values.cidr.as_str())];
    if !values.zone.is_empty() {
        params.push(("AvailabilityZone", values.zone.as_str()));
    }
    params.extend(shared::name_tag("subnet", &values.name));
    match ec2::run(&state, &session, &params).await {
        Ok(answer) => {
            let id = answer.text("subnetId").unwrap_or_default();
            shared::done(&href(&id), &[], &format!("You have successfully created 1 subnet: {id}"))
        }
        Err(refusal) => create_page(&View::new(&state, session), &values, Some(&refusal)),
    }
}
