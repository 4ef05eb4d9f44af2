//! Network ACLs: the list, an ACL's details with its Inbound rules / Outbound rules / Subnet associations / Tags
//! tabs, "Create network ACL", "Edit subnet associations" (one ReplaceNetworkAclAssociation per subnet that moves)
//! and "Delete network ACL". The rule editor is in [`rules`].

mod rules;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use localvpc_model::network_acl::{AclEntry, NetworkAcl, FINAL_RULE_NUMBER};
use localvpc_model::subnet::Subnet;
use maud::{html, Markup};

use super::security_group::{encode, vpc_options};
use super::shared;
use super::traffic::{self, Fields};
use super::vpc::not_found;
use super::{Shown, View};
use crate::ec2::{self, Refusal};
use crate::layout::{self, List};
use crate::session::Session;
use crate::ConsoleState;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route("/console/network-acls", get(list))
        .route("/console/network-acls/create", get(create_form).post(create))
        .route("/console/network-acls/{id}", get(detail))
        .route("/console/network-acls/{id}/delete", post(delete))
        .route("/console/network-acls/{id}/subnet-associations/edit", get(associations_form).post(associations))
        .merge(rules::routes())
}

/// `/console/network-acls/{id}`.
pub(crate) fn href(id: &str) -> String {
    format!("/console/network-acls/{id}")
}

fn entries(acl: &NetworkAcl, egress: bool) -> impl Iterator<Item = &AclEntry> {
    acl.entries.iter().filter(move |entry| entry.egress == egress)
}

fn rules_count(acl: &NetworkAcl, egress: bool) -> String {
    let (one, many) = if egress { ("Outbound rule", "Outbound rules") } else { ("Inbound rule", "Inbound rules") };
    traffic::count(entries(acl, egress).count(), one, many)
}

fn associated_with(acl: &NetworkAcl) -> Markup {
    match acl.associations.len() {
        0 => html! { "–" },
        1 => {
            let subnet = &acl.associations[0].subnet_id;
            html! { a href=(format!("/console/subnets/{subnet}")) { (subnet) } }
        }
        n => html! { (n) " Subnets" },
    }
}

async fn list(State(state): State<ConsoleState>, session: Session, Query(shown): Query<Shown>) -> Response {
    let view = View::load(&state, session).await;
    let mut acls: Vec<&NetworkAcl> = view.region().network_acls.values().map(|acl| &**acl).collect();
    acls.sort_by(|a, b| (&a.vpc_id, !a.is_default, &a.id).cmp(&(&b.vpc_id, !b.is_default, &b.id)));
    let rows = acls
        .iter()
        .map(|acl| {
            vec![
                html! { (layout::name_of(&acl.tags)) },
                layout::link(&href(&acl.id), &acl.id),
                associated_with(acl),
                html! { @if acl.is_default { "Yes" } @else { "No" } },
                layout::link(&super::vpc::href(&acl.vpc_id), &acl.vpc_id),
                html! { (rules_count(acl, false)) },
                html! { (rules_count(acl, true)) },
                html! { (acl.owner_id) },
            ]
        })
        .collect();
    let list = List {
        title: "Network ACLs",
        noun: "network ACLs",
        create: Some(("Create network ACL", "/console/network-acls/create")),
        columns: &[
            "Name",
            "Network ACL ID",
            "Associated with",
            "Default",
            "VPC ID",
            "Inbound rules count",
            "Outbound rules count",
            "Owner",
        ],
        rows,
    };
    layout::page(&view.session, "/console/network-acls", "Network ACLs", list.render(shown.done.as_deref()))
}

async fn detail(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Response {
    let view = View::new(&state, session);
    let Some(acl) = view.region().network_acls.get(id.as_str()) else { return not_found(&view, "network ACL", &id) };
    detail_page(&view, acl, shown.tab.as_deref().unwrap_or("inbound"), shown.done.as_deref(), None)
}

fn detail_page(view: &View, acl: &NetworkAcl, tab: &str, done: Option<&str>, refusal: Option<&Refusal>) -> Response {
    let name = layout::name_of(&acl.tags);
    let title = format!("{} / {name}", acl.id);
    let body = html! {
        (layout::notice(done))
        (layout::refusal(refusal))
        div class="crumbs" { a href="/console/network-acls" { "Network ACLs" } " › " (acl.id) }
        div class="page-head" {
            h1 { (title) }
            div class="actions" {
                form class="inline" method="post" action=(format!("{}/delete", href(&acl.id))) {
                    button class="danger" id="delete-network-acl" type="submit" { "Delete network ACL" }
                }
            }
        }
        (layout::details("Details", &[
            ("Network ACL ID", html! { span class="mono" { (acl.id) } }),
            ("Associated with", associated_with(acl)),
            ("Default", html! { @if acl.is_default { "Yes" } @else { "No" } }),
            ("VPC ID", layout::link(&super::vpc::href(&acl.vpc_id), &acl.vpc_id)),
            ("Owner", html! { (acl.owner_id) }),
        ]))
        section class="panel" {
            (layout::tabs(&href(&acl.id), &[
                ("inbound", "Inbound rules"),
                ("outbound", "Outbound rules"),
                ("subnet-associations", "Subnet associations"),
                ("tags", "Tags"),
            ], tab))
            @match tab {
                "outbound" => (rules_tab(acl, true)),
                "subnet-associations" => (associations_tab(view, acl)),
                "tags" => (layout::tags_table(&acl.id, &format!("{}?tab=tags", href(&acl.id)), &acl.tags)),
                _ => (rules_tab(acl, false)),
            }
        }
    };
    layout::form_page(&view.session, "/console/network-acls", &title, body, refusal)
}

/// Type, Protocol and Port range of an entry.
fn shown(entry: &AclEntry) -> traffic::Shown {
    let (from, to) = match (entry.port_range, entry.icmp_type_code) {
        (Some((from, to)), _) => (Some(i32::from(from)), Some(i32::from(to))),
        (None, Some((icmp_type, code))) => (Some(icmp_type), Some(code)),
        (None, None) => (None, None),
    };
    traffic::show(&entry.protocol, from, to)
}

fn rule_number(entry: &AclEntry) -> String {
    if entry.rule_number == FINAL_RULE_NUMBER {
        "*".into()
    } else {
        entry.rule_number.to_string()
    }
}

fn rules_tab(acl: &NetworkAcl, egress: bool) -> Markup {
    let (noun, peer, which) =
        if egress { ("Outbound rules", "Destination", "outbound") } else { ("Inbound rules", "Source", "inbound") };
    let count = entries(acl, egress).count();
    html! {
        div class="panel-head" {
            h2 { (noun) " " span class="count" { "(" (count) ")" } }
            a class="button" id=(format!("edit-{which}-rules")) href=(format!("{}/{which}-rules/edit", href(&acl.id))) {
                "Edit " (noun.to_ascii_lowercase())
            }
        }
        table class="list" id=(format!("{which}-rules")) {
            thead { tr { @for column in ["Rule number", "Type", "Protocol", "Port range", peer, "Allow/Deny"] { th scope="col" { (column) } } } }
            tbody {
                @for entry in entries(acl, egress) {
                    @let shown = shown(entry);
                    tr {
                        td { (rule_number(entry)) }
                        td { (shown.type_label) }
                        td { (shown.protocol) }
                        td { (shown.ports) }
                        td class="mono" { (entry.cidr_block) }
                        td { (verdict(entry.allow)) }
                    }
                }
            }
        }
    }
}

fn verdict(allow: bool) -> Markup {
    if allow {
        html! { span class="badge ok" { "Allow" } }
    } else {
        html! { span class="badge bad" { "Deny" } }
    }
}

fn subnets_of_vpc<'a>(view: &'a View, vpc_id: &str) -> Vec<&'a Arc<Subnet>> {
    let mut subnets: Vec<_> = view.region().subnets.values().filter(|subnet| subnet.vpc_id == vpc_id).collect();
    subnets.sort_by_key(|subnet| subnet.cidr_block);
    subnets
}

fn associations_tab(view: &View, acl: &NetworkAcl) -> Markup {
    let region = view.region();
    let subnets: Vec<_> =
        acl.associations.iter().filter_map(|association| region.subnets.get(association.subnet_id.as_str())).collect();
    html! {
        div class="panel-head" {
            h2 { "Subnet associations " span class="count" { "(" (subnets.len()) ")" } }
            a class="button" id="edit-subnet-associations" href=(format!("{}/subnet-associations/edit", href(&acl.id))) { "Edit subnet associations" }
        }
        table class="list" id="subnet-associations" {
            thead { tr { th scope="col" { "Name" } th scope="col" { "Subnet ID" } th scope="col" { "IPv4 CIDR" } th scope="col" { "Availability Zone" } } }
            tbody {
                @for subnet in &subnets {
                    tr {
                        td { (layout::name_of(&subnet.tags)) }
                        td { a href=(format!("/console/subnets/{}", subnet.id)) { (subnet.id) } }
                        td class="mono" { (crate::pages::shared::dash(subnet.cidr_block)) }
                        td { (subnet.availability_zone) }
                    }
                }
                @if subnets.is_empty() { tr class="empty" { td colspan="4" { "No subnet associations" } } }
            }
        }
    }
}

async fn delete(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    let params = [("Action", "DeleteNetworkAcl"), ("NetworkAclId", id.as_str())];
    let again = |view: &View, refusal: &Refusal| {
        view.region().network_acls.get(id.as_str()).map(|acl| detail_page(view, acl, "inbound", None, Some(refusal)))
    };
    shared::delete(&state, session, &params, "/console/network-acls", "Delete network ACL", again).await
}

// ---- Create network ACL ----

#[derive(Default)]
struct CreateValues {
    name: String,
    vpc: String,
}

async fn create_form(State(state): State<ConsoleState>, session: Session) -> Response {
    let view = View::load(&state, session).await;
    let vpc = vpc_options(&view).into_iter().next().map(|(id, _)| id).unwrap_or_default();
    create_page(&view, &CreateValues { vpc, ..CreateValues::default() }, None)
}

fn create_page(view: &View, values: &CreateValues, refusal: Option<&Refusal>) -> Response {
    let body = html! {
        div class="crumbs" { a href="/console/network-acls" { "Network ACLs" } " › Create network ACL" }
        div class="page-head" { h1 { "Create network ACL" } }
        (layout::refusal(refusal))
        form class="create panel" method="post" action="/console/network-acls/create" {
            h2 { "Network ACL settings" }
            (layout::text_field("name", "Name - optional", &values.name, Some("Creates a tag with a key of 'Name' and a value that you specify.")))
            (layout::select_field("vpc", "VPC", &vpc_options(view), &values.vpc))
            p class="hint" { "A new network ACL denies all inbound and outbound traffic until you add rules." }
            div class="form-actions" {
                a class="button" href="/console/network-acls" { "Cancel" }
                button class="primary" id="submit-create-network-acl" type="submit" { "Create network ACL" }
            }
        }
    };
    layout::form_page(&view.session, "/console/network-acls", "Create network ACL", body, refusal)
}

async fn create(State(state): State<ConsoleState>, session: Session, body: Bytes) -> Response {
    let form = Fields::parse(&body);
    let values = CreateValues { name: form.get("name").to_string(), vpc: form.get("vpc").to_string() };
    let mut params = vec![("Action", "CreateNetworkAcl"), ("VpcId", values.vpc.as_str())];
    if !values.name.is_empty() {
        params.extend([
            ("TagSpecification.1.ResourceType", "network-acl"),
            ("TagSpecification.1.Tag.1.Key", "Name"),
            ("TagSpecification.1.Tag.1.Value", values.name.as_str()),
        ]);
    }
    match ec2::run(&state, &session, &params).await {
        Ok(answer) => {
            let id = answer.text("networkAclId").unwrap_or_default();
            let done =
                format!("You successfully created {id} / {}.", if values.name.is_empty() { "–" } else { &values.name });
            Redirect::to(&format!("{}?done={}", href(&id), encode(&done))).into_response()
        }
        Err(refusal) => create_page(&View::new(&state, session), &values, Some(&refusal)),
    }
}

// ---- Edit subnet associations ----

async fn associations_form(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    let view = View::new(&state, session);
    let Some(acl) = view.region().network_acls.get(id.as_str()) else { return not_found(&view, "network ACL", &id) };
    let chosen: Vec<String> = acl.associations.iter().map(|association| association.subnet_id.clone()).collect();
    associations_page(&view, acl, &chosen, None)
}

fn associations_page(view: &View, acl: &NetworkAcl, chosen: &[String], refusal: Option<&Refusal>) -> Response {
    let region = view.region();
    let acl_of = |subnet_id: &str| {
        region
            .network_acls
            .values()
            .find(|other| other.associations.iter().any(|association| association.subnet_id == subnet_id))
            .map(|other| other.id.clone())
    };
    let subnets = subnets_of_vpc(view, &acl.vpc_id);
    let body = html! {
        div class="crumbs" {
            a href="/console/network-acls" { "Network ACLs" } " › " a href=(href(&acl.id)) { (acl.id) } " › Edit subnet associations"
        }
        div class="page-head" { h1 { "Edit subnet associations" } }
        (layout::refusal(refusal))
        form class="panel" method="post" action=(format!("{}/subnet-associations/edit", href(&acl.id))) {
            p class="hint" {
                "A subnet has exactly one network ACL. "
                @if acl.is_default { "Subnets leave the default network ACL by joining another one." }
                @else { "A subnet removed from this network ACL goes back to the VPC's default network ACL." }
            }
            table class="list" {
                thead { tr { th scope="col" { "" } th scope="col" { "Name" } th scope="col" { "Subnet ID" } th scope="col" { "IPv4 CIDR" } th scope="col" { "Associated with" } } }
                tbody {
                    @for subnet in &subnets {
                        @let checked = chosen.contains(&subnet.id);
                        tr {
                            td {
                                input type="checkbox" id=(format!("subnet-{}", subnet.id)) name="subnet" value=(subnet.id) checked[checked]
                                    disabled[acl.is_default && acl_of(&subnet.id).as_deref() == Some(acl.id.as_str())];
                            }
                            td { label for=(format!("subnet-{}", subnet.id)) { (layout::name_of(&subnet.tags)) } }
                            td { (subnet.id) }
                            td class="mono" { (crate::pages::shared::dash(subnet.cidr_block)) }
                            td { (acl_of(&subnet.id).unwrap_or_else(|| "–".into())) }
                        }
                    }
                    @if subnets.is_empty() { tr class="empty" { td colspan="5" { "No subnets in " (acl.vpc_id) } } }
                }
            }
            div class="form-actions" {
                a class="button" href=(format!("{}?tab=subnet-associations", href(&acl.id))) { "Cancel" }
                button class="primary" type="submit" id="save-associations" { "Save changes" }
            }
        }
    };
    layout::form_page(&view.session, "/console/network-acls", "Edit subnet associations", body, refusal)
}

/// "Save changes": one ReplaceNetworkAclAssociation per subnet that joins this ACL, and per subnet that leaves a
/// custom ACL (back to the VPC's default ACL).
async fn associations(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = Fields::parse(&body);
    let chosen = form.all("subnet");
    let view = View::new(&state, session.clone());
    let Some(acl) = view.region().network_acls.get(id.as_str()).cloned() else {
        return not_found(&view, "network ACL", &id);
    };
    let region = view.region();
    let association_of = |subnet_id: &str| {
        region.network_acls.values().find_map(|other| {
            other.associations.iter().find(|a| a.subnet_id == subnet_id).map(|a| (other.id.clone(), a.id.clone()))
        })
    };
    let default_acl = region
        .network_acls
        .values()
        .find(|other| other.vpc_id == acl.vpc_id && other.is_default)
        .map(|other| other.id.clone());
    let mut moves: Vec<(String, String)> = Vec::new();
    for subnet in subnets_of_vpc(&view, &acl.vpc_id) {
        let Some((holder, association)) = association_of(&subnet.id) else { continue };
        let wanted = chosen.contains(&subnet.id);
        if wanted && holder != acl.id {
            moves.push((association, acl.id.clone()));
        } else if !wanted && holder == acl.id && !acl.is_default {
            if let Some(default_acl) = &default_acl {
                moves.push((association, default_acl.clone()));
            }
        }
    }
    for (association, target) in moves {
        let params = [
            ("Action", "ReplaceNetworkAclAssociation"),
            ("AssociationId", association.as_str()),
            ("NetworkAclId", target.as_str()),
        ];
        if let Err(refusal) = ec2::run(&state, &session, &params).await {
            let view = View::new(&state, session);
            let Some(acl) = view.region().network_acls.get(id.as_str()) else {
                return not_found(&view, "network ACL", &id);
            };
            return associations_page(&view, acl, &chosen, Some(&refusal));
        }
    }
    let done = format!("You have successfully updated subnet associations for {id}.");
    Redirect::to(&format!("{}?tab=subnet-associations&done={}", href(&id), encode(&done))).into_response()
}
