//! Peering connections: the list, a connection's details, "Create peering connection" (a VPC of this account and
//! Region, with another VPC of this or another account and Region), the accepter's "Accept request" / "Reject
//! request" and "Delete peering connection" — each one EC2 action, each refusal AWS's.
//!
//! A connection is seen from both of its sides' scopes, so the pages show it as the model says that scope sees it:
//! the connections [`VpcPeeringConnection::visible_to`] the session's scope, the status at the emulator's time
//! ([`VpcPeeringConnection::status_at`]: a pending request expires), the caller's own side's tags, and a side's CIDR
//! blocks only where [`PeeringStatus::field_visibility`] shows that side in full.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use localvpc_model::availability_zone::REGIONS;
use localvpc_model::vpc_peering::{self, PeeringSide, PeeringStatus, PeeringView, VpcPeeringConnection};
use localvpc_model::Timestamp;
use maud::{html, Markup};

use super::shared::{self, label};
use super::vpc::{not_found, refused_page};
use super::View;
use crate::ec2::{self, Refusal};
use crate::layout::{self, Form, List};
use crate::session::Session;
use crate::ConsoleState;

const LIST: &str = "/console/peering-connections";

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route(LIST, get(list))
        .route("/console/peering-connections/create", get(create_form).post(create))
        .route("/console/peering-connections/{id}", get(detail))
        .route("/console/peering-connections/{id}/accept", post(accept))
        .route("/console/peering-connections/{id}/reject", post(reject))
        .route("/console/peering-connections/{id}/delete", post(delete))
}

/// `/console/peering-connections/{id}`.
pub(crate) fn href(id: &str) -> String {
    format!("{LIST}/{id}")
}

fn now(view: &View) -> Timestamp {
    localvpc_api::control::Control::now(&view.world)
}

/// A connection as the session's scope sees it: its status now and what that status shows of each side.
struct Seen<'a> {
    pcx: &'a VpcPeeringConnection,
    status: PeeringStatus,
    view: PeeringView<'a>,
}

impl<'a> Seen<'a> {
    fn new(view: &'a View, pcx: &'a VpcPeeringConnection) -> Seen<'a> {
        let now = now(view);
        let status = pcx.status_at(now);
        Seen { pcx, status, view: PeeringView { pcx, scope: &view.session.scope, now, world: &view.world } }
    }

    fn name(&self) -> String {
        layout::name_of(self.pcx.tags_for(self.view.scope))
    }

    /// A side's CIDR blocks, when the status shows that side in full (`None` otherwise).
    fn cidrs(&self, side: &PeeringSide) -> Option<String> {
        let shown = self.status.field_visibility();
        let full = if std::ptr::eq(side, &self.pcx.requester) { shown.requester_full } else { shown.accepter_full };
        full.then(|| self.view.side_cidrs(side).iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
    }

    /// A side's VPC: a link when it is in the session's scope (`labelled`: with its name), else its ID.
    fn vpc(&self, view: &View, side: &PeeringSide, labelled: bool) -> Markup {
        let region = view.region();
        match region.vpcs.get(side.vpc_id.as_str()).filter(|_| side.scope() == view.session.scope) {
            Some(vpc) if labelled => layout::link(&super::vpc::href(&vpc.id), &label(&vpc.id, &vpc.tags)),
            Some(vpc) => layout::link(&super::vpc::href(&vpc.id), &vpc.id),
            None => html! { (side.vpc_id) },
        }
    }
}

fn cidr_cell(cidrs: Option<String>) -> Markup {
    html! {
        @match cidrs {
            Some(cidrs) if !cidrs.is_empty() => span class="mono" { (cidrs) },
            _ => "–",
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct ListQuery {
    done: Option<String>,
}

async fn list(State(state): State<ConsoleState>, session: Session, Query(query): Query<ListQuery>) -> Response {
    let view = View::load(&state, session).await;
    let now = now(&view);
    let mut connections: Vec<&VpcPeeringConnection> = view
        .world
        .peerings()
        .values()
        .map(|pcx| &**pcx)
        .filter(|pcx| pcx.visible_to(&view.session.scope, now))
        .collect();
    connections.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    let rows = connections
        .iter()
        .map(|pcx| {
            let seen = Seen::new(&view, pcx);
            vec![
                html! { (seen.name()) },
                layout::link(&href(&pcx.id), &pcx.id),
                layout::badge(seen.status.code()),
                seen.vpc(&view, &pcx.requester, false),
                seen.vpc(&view, &pcx.accepter, false),
                cidr_cell(seen.cidrs(&pcx.requester)),
                cidr_cell(seen.cidrs(&pcx.accepter)),
                html! { (pcx.requester.account) },
                html! { (pcx.accepter.account) },
            ]
        })
        .collect();
    let list = List {
        title: "Peering connections",
        noun: "peering connections",
        create: Some(("Create peering connection", "/console/peering-connections/create")),
        columns: &[
            "Name",
            "Peering connection ID",
            "Status",
            "Requester VPC",
            "Accepter VPC",
            "Requester CIDRs",
            "Accepter CIDRs",
            "Requester owner ID",
            "Accepter owner ID",
        ],
        rows,
    };
    layout::page(&view.session, LIST, "Peering connections", list.render(query.done.as_deref()))
}

#[derive(Debug, Default, serde::Deserialize)]
struct DetailQuery {
    done: Option<String>,
    tab: Option<String>,
    /// Set after an acceptance that made the connection active: the banner offers "Modify my route tables now".
    accepted: Option<String>,
}

async fn detail(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    Query(query): Query<DetailQuery>,
) -> Response {
    let view = View::new(&state, session);
    let Ok(pcx) = vpc_peering::find(&view.world, &view.session.scope, &id, now(&view)) else {
        return not_found(&view, "VPC peering connection", &id);
    };
    let banner = banner(query.done.as_deref(), query.accepted.is_some());
    detail_page(&view, &pcx, query.tab.as_deref().unwrap_or("details"), banner, None)
}

/// The green banner; after an acceptance, with AWS's "Modify my route tables now" (the route tables list).
fn banner(done: Option<&str>, accepted: bool) -> Markup {
    html! {
        @if let Some(text) = done {
            div class="alert success" role="status" {
                (text)
                @if accepted {
                    " To send and receive traffic across this VPC peering connection, you must add a route to the peered VPC in one or more of your VPC route tables. "
                    a class="button" id="modify-route-tables" href="/console/route-tables" { "Modify my route tables now" }
                }
            }
        }
    }
}

fn detail_page(
    view: &View,
    pcx: &VpcPeeringConnection,
    tab: &str,
    banner: Markup,
    refusal: Option<&Refusal>,
) -> Response {
    let seen = Seen::new(view, pcx);
    let title = format!("{} / {}", pcx.id, seen.name());
    let pending = seen.status == PeeringStatus::PendingAcceptance;
    let action = |verb: &str| format!("{}/{verb}", href(&pcx.id));
    let body = html! {
        (banner)
        (layout::refusal(refusal))
        div class="crumbs" { a href=(LIST) { "Peering connections" } " › " (pcx.id) }
        div class="page-head" {
            h1 { (title) }
            div class="actions" {
                // AWS's Actions menu offers Accept and Reject while the request is pending; the model decides who
                // may (the accepter), and refuses anyone else with AWS's error.
                @if pending {
                    form class="inline" method="post" action=(action("accept")) {
                        button class="primary" id="accept-pcx" type="submit" { "Accept request" }
                    }
                    form class="inline" method="post" action=(action("reject")) {
                        button id="reject-pcx" type="submit" { "Reject request" }
                    }
                }
                form class="inline" method="post" action=(action("delete")) {
                    button class="danger" id="delete-pcx" type="submit" { "Delete peering connection" }
                }
            }
        }
        section class="panel" {
            (layout::tabs(&href(&pcx.id), &[("details", "Details"), ("tags", "Tags")], tab))
            @match tab {
                "tags" => (layout::tags_table(&pcx.id, &format!("{}?tab=tags", href(&pcx.id)), pcx.tags_for(&view.session.scope))),
                _ => (details(view, &seen)),
            }
        }
    };
    shared::page(view, LIST, &title, body, refusal)
}

fn details(view: &View, seen: &Seen) -> Markup {
    let pcx = seen.pcx;
    let shown = seen.status.field_visibility();
    html! {
        dl class="details" {
            div { dt { "Peering connection ID" } dd class="mono" { (pcx.id) } }
            div { dt { "Status" } dd { span id="pcx-status" { (layout::badge(seen.status.code())) } " " span class="hint" { (pcx.status_message(seen.status)) } } }
            div { dt { "Requester owner ID" } dd { (pcx.requester.account) } }
            div { dt { "Accepter owner ID" } dd { (pcx.accepter.account) } }
            div { dt { "Requester VPC" } dd { (seen.vpc(view, &pcx.requester, true)) } }
            div { dt { "Accepter VPC" } dd { (seen.vpc(view, &pcx.accepter, true)) } }
            div { dt { "Requester CIDRs" } dd { (cidr_cell(seen.cidrs(&pcx.requester))) } }
            div { dt { "Accepter CIDRs" } dd { (cidr_cell(seen.cidrs(&pcx.accepter))) } }
            div { dt { "Requester Region" } dd { (pcx.requester.region) } }
            div { dt { "Accepter Region" } dd { (pcx.accepter.region) } }
            @if shown.expiration_time {
                div { dt { "Expiration time" } dd { (pcx.expiration_time().to_iso8601()) } }
            }
        }
    }
}

async fn accept(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    let params = [("Action", "AcceptVpcPeeringConnection"), ("VpcPeeringConnectionId", id.as_str())];
    match ec2::run(&state, &session, &params).await {
        // The answer's status: `provisioning` on its way to active, or `failed` (the VPCs overlap by now).
        Ok(answer) => match answer.text("code").as_deref() {
            Some("provisioning") | Some("active") => shared::done(
                &href(&id),
                &[("accepted", "1")],
                &format!("Your VPC peering connection ({id}) has been established."),
            ),
            code => {
                let text = format!("The VPC peering connection {id} was accepted: {}.", code.unwrap_or_default());
                shared::done(&href(&id), &[], &text)
            }
        },
        Err(refusal) => refused_detail(&state, session, &id, "Accept request", &refusal),
    }
}

async fn reject(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    let params = [("Action", "RejectVpcPeeringConnection"), ("VpcPeeringConnectionId", id.as_str())];
    match ec2::run(&state, &session, &params).await {
        Ok(_) => shared::done(&href(&id), &[], &format!("The VPC peering connection {id} was rejected.")),
        Err(refusal) => refused_detail(&state, session, &id, "Reject request", &refusal),
    }
}

async fn delete(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    let params = [("Action", "DeleteVpcPeeringConnection"), ("VpcPeeringConnectionId", id.as_str())];
    match ec2::run(&state, &session, &params).await {
        Ok(_) => shared::done(LIST, &[], &format!("You successfully deleted {id}.")),
        Err(refusal) => refused_detail(&state, session, &id, "Delete peering connection", &refusal),
    }
}

/// A refused action shown on the connection's page (or on a page of its own when the caller cannot see it).
fn refused_detail(state: &ConsoleState, session: Session, id: &str, title: &str, refusal: &Refusal) -> Response {
    let view = View::new(state, session);
    match vpc_peering::find(&view.world, &view.session.scope, id, now(&view)) {
        Ok(pcx) => detail_page(&view, &pcx, "details", html! {}, Some(refusal)),
        Err(_) => refused_page(&view, LIST, title, refusal),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct CreateValues {
    #[serde(default)]
    name: String,
    #[serde(default)]
    vpc: String,
    /// `mine` or `other`.
    #[serde(default)]
    account_choice: String,
    #[serde(default)]
    peer_account: String,
    /// `this` or `other`.
    #[serde(default)]
    region_choice: String,
    #[serde(default)]
    peer_region: String,
    #[serde(default)]
    peer_vpc: String,
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
    let other_account = values.account_choice == "other";
    let other_region = values.region_choice == "other";
    let regions: Vec<(String, String)> = REGIONS
        .iter()
        .filter(|region| region.name != view.session.scope.region)
        .map(|region| (region.name.to_string(), region.name.to_string()))
        .collect();
    let body = html! {
        div class="crumbs" { a href=(LIST) { "Peering connections" } " › Create peering connection" }
        div class="page-head" { h1 { "Create peering connection" } }
        p class="hint" { "A VPC peering connection is a networking connection between two VPCs that enables you to route traffic between them privately." }
        (layout::refusal(refusal))
        form class="create panel" method="post" action="/console/peering-connections/create" {
            h2 { "Peering connection settings" }
            (layout::text_field("name", "Name - optional", &values.name, Some("Create a tag with a key of 'Name' and a value that you specify.")))
            (layout::select_field("vpc", "VPC ID (Requester)", &vpcs, &values.vpc))
            h2 { "Select another VPC to peer with" }
            fieldset {
                legend { "Account" }
                label class="choice" { input type="radio" id="account-mine" name="account_choice" value="mine" checked[!other_account]; "My account" }
                label class="choice" { input type="radio" id="account-other" name="account_choice" value="other" checked[other_account]; "Another account" }
                (layout::text_field("peer_account", "Account ID", &values.peer_account, Some("With Another account: the 12-digit account ID of the accepter VPC's owner.")))
            }
            fieldset {
                legend { "Region" }
                label class="choice" { input type="radio" id="region-this" name="region_choice" value="this" checked[!other_region]; "This Region (" (view.session.scope.region) ")" }
                label class="choice" { input type="radio" id="region-other" name="region_choice" value="other" checked[other_region]; "Another Region" }
                (layout::select_field("peer_region", "Region", &regions, &values.peer_region))
            }
            (layout::text_field("peer_vpc", "VPC ID (Accepter)", &values.peer_vpc, None))
            div class="form-actions" {
                a class="button" href=(LIST) { "Cancel" }
                button class="primary" id="submit-create-pcx" type="submit" { "Create peering connection" }
            }
        }
    };
    shared::page(view, LIST, "Create peering connection", body, refusal)
}

async fn create(State(state): State<ConsoleState>, session: Session, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let field = |name: &str| form.get(name).unwrap_or_default().trim().to_string();
    let values = CreateValues {
        name: form.get("name").unwrap_or_default().to_string(),
        vpc: field("vpc"),
        account_choice: field("account_choice"),
        peer_account: field("peer_account"),
        region_choice: field("region_choice"),
        peer_region: field("peer_region"),
        peer_vpc: field("peer_vpc"),
    };
    let mut params = vec![
        ("Action", "CreateVpcPeeringConnection"),
        ("VpcId", values.vpc.as_str()),
        ("PeerVpcId", values.peer_vpc.as_str()),
    ];
    if values.account_choice == "other" {
        params.push(("PeerOwnerId", values.peer_account.as_str()));
    }
    if values.region_choice == "other" {
        params.push(("PeerRegion", values.peer_region.as_str()));
    }
    params.extend(shared::name_tag("vpc-peering-connection", &values.name));
    match ec2::run(&state, &session, &params).await {
        Ok(answer) => {
            let id = answer.text("vpcPeeringConnectionId").unwrap_or_default();
            shared::done(&href(&id), &[], &format!("A VPC peering connection {id} has been requested."))
        }
        Err(refusal) => create_page(&View::new(&state, session), &values, Some(&refusal)),
    }
}
