//! Security groups: the list, a group's details with its Inbound rules / Outbound rules / Tags tabs, "Create
//! security group" and "Delete security group". "Edit inbound rules" and "Edit outbound rules" are in
//! [`rules`]. Each change is one EC2 action (or the few the rule editor's difference needs), each refusal AWS's.

mod rules;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use localvpc_model::security_group::{Direction, RulePeer, SecurityGroup, SecurityGroupRule};
use localvpc_model::{Scope, World};
use maud::{html, Markup};

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
        .route("/console/security-groups", get(list))
        .route("/console/security-groups/create", get(create_form).post(create))
        .route("/console/security-groups/{id}", get(detail))
        .route("/console/security-groups/{id}/delete", post(delete))
        .merge(rules::routes())
}

/// `/console/security-groups/{id}`.
pub(crate) fn href(id: &str) -> String {
    format!("/console/security-groups/{id}")
}

async fn list(State(state): State<ConsoleState>, session: Session, Query(shown): Query<Shown>) -> Response {
    let view = View::load(&state, session).await;
    let region = view.region();
    let mut groups: Vec<&SecurityGroup> = region.security_groups.values().map(|group| &**group).collect();
    groups.sort_by(|a, b| (&a.vpc_id, !a.is_default(), &a.name).cmp(&(&b.vpc_id, !b.is_default(), &b.name)));
    let rows = groups
        .iter()
        .map(|group| {
            vec![
                html! { (layout::name_of(&group.tags)) },
                layout::link(&href(&group.id), &group.id),
                html! { (group.name) },
                layout::link(&super::vpc::href(&group.vpc_id), &group.vpc_id),
                html! { (group.description) },
                html! { (group.owner_id) },
                html! { (traffic::count(group.ingress.len(), "Permission entry", "Permission entries")) },
                html! { (traffic::count(group.egress.len(), "Permission entry", "Permission entries")) },
            ]
        })
        .collect();
    let list = List {
        title: "Security Groups",
        noun: "security groups",
        create: Some(("Create security group", "/console/security-groups/create")),
        columns: &[
            "Name",
            "Security group ID",
            "Security group name",
            "VPC ID",
            "Description",
            "Owner",
            "Inbound rules count",
            "Outbound rules count",
        ],
        rows,
    };
    layout::page(&view.session, "/console/security-groups", "Security Groups", list.render(shown.done.as_deref()))
}

async fn detail(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Response {
    let view = View::new(&state, session);
    let Some(group) = view.region().security_groups.get(id.as_str()) else {
        return not_found(&view, "security group", &id);
    };
    detail_page(&view, group, shown.tab.as_deref().unwrap_or("inbound"), shown.done.as_deref(), None)
}

fn detail_page(
    view: &View,
    group: &SecurityGroup,
    tab: &str,
    done: Option<&str>,
    refusal: Option<&Refusal>,
) -> Response {
    let title = format!("{} - {}", group.id, group.name);
    let body = html! {
        (layout::notice(done))
        (layout::refusal(refusal))
        div class="crumbs" { a href="/console/security-groups" { "Security Groups" } " › " (group.id) " - " (group.name) }
        div class="page-head" {
            h1 { (title) }
            div class="actions" {
                form class="inline" method="post" action=(format!("{}/delete", href(&group.id))) {
                    button class="danger" id="delete-security-group" type="submit" { "Delete security group" }
                }
            }
        }
        (layout::details("Details", &[
            ("Security group name", html! { (group.name) }),
            ("Security group ID", html! { span class="mono" { (group.id) } }),
            ("Description", html! { (group.description) }),
            ("VPC ID", layout::link(&super::vpc::href(&group.vpc_id), &group.vpc_id)),
            ("Owner", html! { (group.owner_id) }),
            ("Inbound rules count", html! { (traffic::count(group.ingress.len(), "Permission entry", "Permission entries")) }),
            ("Outbound rules count", html! { (traffic::count(group.egress.len(), "Permission entry", "Permission entries")) }),
        ]))
        section class="panel" {
            (layout::tabs(&href(&group.id), &[("inbound", "Inbound rules"), ("outbound", "Outbound rules"), ("tags", "Tags")], tab))
            @match tab {
                "outbound" => (rules_tab(view, group, Direction::Egress)),
                "tags" => (layout::tags_table(&group.id, &format!("{}?tab=tags", href(&group.id)), &group.tags)),
                _ => (rules_tab(view, group, Direction::Ingress)),
            }
        }
    };
    layout::form_page(&view.session, "/console/security-groups", &title, body, refusal)
}

/// "Inbound rules" / "Outbound rules": one row per rule, with its `sgr-` ID, as the AWS console lists them.
fn rules_tab(view: &View, group: &SecurityGroup, direction: Direction) -> Markup {
    let (noun, peer_column, edit) = match direction {
        Direction::Ingress => ("Inbound rules", "Source", "inbound"),
        Direction::Egress => ("Outbound rules", "Destination", "outbound"),
    };
    let rules = group.rules(direction);
    html! {
        div class="panel-head" {
            h2 { (noun) " " span class="count" { "(" (rules.len()) ")" } }
            a class="button" id=(format!("edit-{edit}-rules")) href=(format!("{}/{edit}-rules/edit", href(&group.id))) {
                "Edit " (noun.to_ascii_lowercase())
            }
        }
        table class="list" id=(format!("{edit}-rules")) {
            thead {
                tr {
                    @for column in ["Security group rule ID", "IP version", "Type", "Protocol", "Port range", peer_column, "Description"] {
                        th scope="col" { (column) }
                    }
                }
            }
            tbody {
                @for rule in rules {
                    @let shown = traffic::show(&rule.protocol, rule.from_port, rule.to_port);
                    @let peer = Peer::of(&view.world, &view.session.scope, rule);
                    tr {
                        td class="mono" { (rule.id) }
                        td { (peer.ip_version) }
                        td { (shown.type_label) }
                        td { (shown.protocol) }
                        td { (shown.ports) }
                        td { (peer.shown) }
                        td { (rule.description.as_deref().unwrap_or("–")) }
                    }
                }
                @if rules.is_empty() { tr class="empty" { td colspan="7" { "No security group rules found" } } }
            }
        }
    }
}

/// A rule's peer as the console shows and edits it.
pub(crate) struct Peer {
    /// `IPv4`, `IPv6`, or `–` for a group or a prefix list.
    pub(crate) ip_version: &'static str,
    /// The Source/Destination cell: the block, or `sg-… / name` (with the account first for another account's).
    pub(crate) shown: Markup,
    /// The editor's field: the block, `sg-…`, `account/sg-…` for another account's group, or `pl-…`.
    pub(crate) field: String,
}

impl Peer {
    pub(crate) fn of(world: &World, scope: &Scope, rule: &SecurityGroupRule) -> Peer {
        match &rule.peer {
            RulePeer::Cidr(block) => Peer { ip_version: "IPv4", shown: html! { (block) }, field: block.to_string() },
            RulePeer::Ipv6Cidr(block) => {
                Peer { ip_version: "IPv6", shown: html! { (block) }, field: block.to_string() }
            }
            RulePeer::Group { user_id, group_id, .. } => {
                let own = *user_id == scope.account;
                let group = world.region(&Scope::new(user_id, &scope.region)).security_groups.get(group_id.as_str());
                let field = if own { group_id.clone() } else { format!("{user_id}/{group_id}") };
                let shown = html! {
                    @if own { a href=(href(group_id)) { (group_id) } } @else { (field) }
                    @if let Some(group) = group { " / " (group.name) }
                };
                Peer { ip_version: "–", shown, field }
            }
            RulePeer::PrefixList { prefix_list_id } => {
                Peer { ip_version: "–", shown: html! { (prefix_list_id) }, field: prefix_list_id.clone() }
            }
        }
    }
}

async fn delete(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    let params = [("Action", "DeleteSecurityGroup"), ("GroupId", id.as_str())];
    let again = |view: &View, refusal: &Refusal| {
        view.region()
            .security_groups
            .get(id.as_str())
            .map(|group| detail_page(view, group, "inbound", None, Some(refusal)))
    };
    shared::delete(&state, session, &params, "/console/security-groups", "Delete security group", again).await
}

#[derive(Default)]
struct CreateValues {
    name: String,
    description: String,
    vpc: String,
    name_tag: String,
}

/// The VPC picker's options: every VPC of the Region, the default one first, as `vpc-… (name)`.
pub(crate) fn vpc_options(view: &View) -> Vec<(String, String)> {
    let mut vpcs: Vec<_> = view.region().vpcs.values().cloned().collect();
    vpcs.sort_by(|a, b| (!a.is_default, &a.id).cmp(&(!b.is_default, &b.id)));
    vpcs.iter()
        .map(|vpc| {
            let name = layout::name_of(&vpc.tags);
            let label = if vpc.is_default {
                format!("{} (default)", vpc.id)
            } else if name == "–" {
                vpc.id.clone()
            } else {
                format!("{} ({name})", vpc.id)
            };
            (vpc.id.clone(), label)
        })
        .collect()
}

async fn create_form(State(state): State<ConsoleState>, session: Session) -> Response {
    let view = View::load(&state, session).await;
    let vpc = view.region().vpcs.values().find(|vpc| vpc.is_default).map(|vpc| vpc.id.clone()).unwrap_or_default();
    create_page(&view, &CreateValues { vpc, ..CreateValues::default() }, None)
}

fn create_page(view: &View, values: &CreateValues, refusal: Option<&Refusal>) -> Response {
    let vpcs = vpc_options(view);
    let body = html! {
        div class="crumbs" { a href="/console/security-groups" { "Security Groups" } " › Create security group" }
        div class="page-head" { h1 { "Create security group" } }
        (layout::refusal(refusal))
        form class="create panel" method="post" action="/console/security-groups/create" {
            h2 { "Basic details" }
            (layout::text_field("group-name", "Security group name", &values.name, Some("Name cannot be edited after creation.")))
            (layout::text_field("description", "Description", &values.description, None))
            (layout::select_field("vpc", "VPC", &vpcs, &values.vpc))
            (layout::text_field("name-tag", "Name tag - optional", &values.name_tag, None))
            p class="hint" { "A new group allows all outbound traffic and no inbound traffic; add inbound rules after it is created." }
            div class="form-actions" {
                a class="button" href="/console/security-groups" { "Cancel" }
                button class="primary" id="submit-create-security-group" type="submit" { "Create security group" }
            }
        }
    };
    layout::form_page(&view.session, "/console/security-groups", "Create security group", body, refusal)
}

async fn create(State(state): State<ConsoleState>, session: Session, body: Bytes) -> Response {
    let form = Fields::parse(&body);
    let values = CreateValues {
        name: form.get("group-name").to_string(),
        description: form.get("description").to_string(),
        vpc: form.get("vpc").to_string(),
        name_tag: form.get("name-tag").to_string(),
    };
    let mut params = vec![
        ("Action", "CreateSecurityGroup"),
        ("GroupName", values.name.as_str()),
        ("GroupDescription", values.description.as_str()),
        ("VpcId", values.vpc.as_str()),
    ];
    if !values.name_tag.is_empty() {
        params.extend([
            ("TagSpecification.1.ResourceType", "security-group"),
            ("TagSpecification.1.Tag.1.Key", "Name"),
            ("TagSpecification.1.Tag.1.Value", values.name_tag.as_str()),
        ]);
    }
    match ec2::run(&state, &session, &params).await {
        Ok(answer) => {
            let id = answer.text("groupId").unwrap_or_default();
            let done = format!("Security group ({id} | {}) was created successfully", values.name);
            Redirect::to(&format!("{}?done={}", href(&id), encode(&done))).into_response()
        }
        Err(refusal) => create_page(&View::new(&state, session), &values, Some(&refusal)),
    }
}

/// A query value, percent-encoded.
pub(crate) fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The groups of one VPC, by name, for pickers.
pub(crate) fn groups_of_vpc<'a>(view: &'a View, vpc_id: &str) -> Vec<&'a Arc<SecurityGroup>> {
    let mut groups: Vec<_> = view.region().security_groups.values().filter(|group| group.vpc_id == vpc_id).collect();
    groups.sort_by(|a, b| (!a.is_default(), &a.name).cmp(&(!b.is_default(), &b.name)));
    groups
}
