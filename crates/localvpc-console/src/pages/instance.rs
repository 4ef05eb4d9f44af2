//! Instances: the list, an instance's summary with its Details / Networking / Security / Tags tabs, and the
//! Instance state actions (Stop, Start, Reboot, Terminate — StopInstances, StartInstances, RebootInstances,
//! TerminateInstances, each refusal AWS's). "Launch instances" is in [`launch`].

mod launch;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use localvpc_model::image;
use localvpc_model::instance::{Instance, InstanceState};
use localvpc_model::network_interface::{self, NetworkInterface};
use localvpc_model::security_group::Direction;
use localvpc_model::RegionState;
use maud::{html, Markup};

use super::security_group::{encode, Peer};
use super::traffic::{self, Fields};
use super::vpc::{not_found, refused_page};
use super::{Shown, View};
use crate::ec2::{self, Refusal};
use crate::layout::{self, List};
use crate::session::Session;
use crate::ConsoleState;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route("/console/instances", get(list))
        .route("/console/instances/{id}", get(detail))
        .route("/console/instances/{id}/state", post(change_state))
        .merge(launch::routes())
}

/// `/console/instances/{id}`.
pub(crate) fn href(id: &str) -> String {
    format!("/console/instances/{id}")
}

/// The state as the AWS console shows it ("Running", "Stopped", …), coloured as [`layout::badge`] colours it.
fn state_badge(state: InstanceState) -> Markup {
    let tone = match state {
        InstanceState::Running => "ok",
        InstanceState::Pending | InstanceState::Stopping | InstanceState::ShuttingDown => "wait",
        InstanceState::Terminated => "bad",
        InstanceState::Stopped => "neutral",
    };
    let name = state.name();
    let label = format!("{}{}", name[..1].to_ascii_uppercase(), &name[1..]);
    html! { span class=(format!("badge {tone}")) data-state=(name) { (label) } }
}

/// What the pages show of an instance's addresses and place.
struct Addresses<'r> {
    interface: Option<&'r Arc<NetworkInterface>>,
    public_ip: Option<String>,
    elastic_ip: Option<String>,
    public_dns: Option<String>,
}

impl<'r> Addresses<'r> {
    fn of(region: &'r RegionState, instance: &Instance) -> Addresses<'r> {
        let interface = instance.interface(region);
        let public = interface.and_then(|interface| network_interface::public_address(region, interface));
        Addresses {
            interface,
            public_ip: public.map(|public| public.ip.to_string()),
            elastic_ip: public.and_then(|public| public.elastic).map(|address| address.public_ip.to_string()),
            public_dns: interface.and_then(|interface| network_interface::public_dns_name(region, interface)),
        }
    }

    fn private_ip(&self) -> Option<String> {
        self.interface.and_then(|interface| interface.private_ip).map(|ip| ip.to_string())
    }
}

fn or_dash(value: Option<String>) -> Markup {
    html! { @match value { Some(value) => span class="mono" { (value) }, None => "–" } }
}

async fn list(State(state): State<ConsoleState>, session: Session, Query(shown): Query<Shown>) -> Response {
    list_page(&View::load(&state, session).await, shown.done.as_deref())
}

/// The Instances list of `view`'s Region (its handler once the session is read; also what the benchmark renders).
pub(crate) fn list_page(view: &View, done: Option<&str>) -> Response {
    let region = view.region();
    let mut instances: Vec<&Arc<Instance>> = region.instances.values().collect();
    instances.sort_by(|a, b| (a.launch_sequence, &a.id).cmp(&(b.launch_sequence, &b.id)));
    let rows = instances
        .iter()
        .map(|instance| {
            let addresses = Addresses::of(region, instance);
            vec![
                html! { (layout::name_of(&instance.tags)) },
                layout::link(&href(&instance.id), &instance.id),
                state_badge(instance.state),
                html! { (instance.instance_type) },
                html! { (instance.availability_zone) },
                or_dash(addresses.public_ip.clone()),
                or_dash(addresses.private_ip()),
                html! { @match addresses.interface { Some(i) => a href=(super::vpc::href(&i.vpc_id)) { (i.vpc_id) }, None => "–" } },
                html! { @match addresses.interface { Some(i) => a href=(format!("/console/subnets/{}", i.subnet_id)) { (i.subnet_id) }, None => "–" } },
                html! { (instance.key_name.as_deref().unwrap_or("–")) },
            ]
        })
        .collect();
    let list = List {
        title: "Instances",
        noun: "instances",
        create: Some(("Launch instances", "/console/instances/launch")),
        columns: &[
            "Name",
            "Instance ID",
            "Instance state",
            "Instance type",
            "Availability Zone",
            "Public IPv4 address",
            "Private IPv4 address",
            "VPC ID",
            "Subnet ID",
            "Key name",
        ],
        rows,
    };
    layout::page(&view.session, "/console/instances", "Instances", list.render(done))
}

async fn detail(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Response {
    let view = View::new(&state, session);
    let Some(instance) = view.region().instances.get(id.as_str()) else { return not_found(&view, "instance", &id) };
    detail_page(&view, instance, shown.tab.as_deref().unwrap_or("details"), shown.done.as_deref(), None)
}

fn detail_page(view: &View, instance: &Instance, tab: &str, done: Option<&str>, refusal: Option<&Refusal>) -> Response {
    let region = view.region();
    let addresses = Addresses::of(region, instance);
    let name = layout::name_of(&instance.tags);
    let title = format!("Instance summary for {} ({name})", instance.id);
    let interface = addresses.interface;
    let group_ids: Vec<String> = interface.map(|i| i.security_group_ids.clone()).unwrap_or_default();
    let running = instance.state.is_running();
    let terminated = instance.state == InstanceState::Terminated;
    let state_action = |op: &str, label: &str, enabled: bool| {
        html! {
            form class="inline" method="post" action=(format!("{}/state", href(&instance.id))) {
                input type="hidden" name="op" value=(op);
                button class=[(op == "terminate").then_some("danger")] id=(format!("{op}-instance")) type="submit" disabled[!enabled] { (label) }
            }
        }
    };
    let body = html! {
        (layout::notice(done))
        (layout::refusal(refusal))
        div class="crumbs" { a href="/console/instances" { "Instances" } " › " (instance.id) }
        div class="page-head" {
            h1 { (title) }
            div class="actions" aria-label="Instance state" {
                (state_action("stop", "Stop instance", running))
                (state_action("start", "Start instance", instance.state == InstanceState::Stopped))
                (state_action("reboot", "Reboot instance", running))
                (state_action("terminate", "Terminate instance", !terminated))
            }
        }
        (layout::details("Instance summary", &[
            ("Instance ID", html! { span class="mono" { (instance.id) } }),
            ("Public IPv4 address", or_dash(addresses.public_ip.clone())),
            ("Private IPv4 addresses", or_dash(addresses.private_ip())),
            ("Instance state", state_badge(instance.state)),
            ("Public IPv4 DNS", or_dash(addresses.public_dns.clone())),
            ("Private IP DNS name (IPv4 only)", or_dash(interface.and_then(|i| i.private_dns_name()))),
            ("Instance type", html! { (instance.instance_type) }),
            ("Elastic IP addresses", or_dash(addresses.elastic_ip.clone())),
            ("VPC ID", html! { @match interface { Some(i) => a href=(super::vpc::href(&i.vpc_id)) { (i.vpc_id) }, None => "–" } }),
            ("Subnet ID", html! { @match interface { Some(i) => a href=(format!("/console/subnets/{}", i.subnet_id)) { (i.subnet_id) }, None => "–" } }),
            ("Security groups", groups_cell(view, &group_ids)),
            ("Key pair assigned at launch", html! { (instance.key_name.as_deref().unwrap_or("–")) }),
            ("AMI ID", html! { span class="mono" { (instance.image_id) } }),
        ]))
        section class="panel" {
            (layout::tabs(&href(&instance.id), &[("details", "Details"), ("networking", "Networking"), ("security", "Security"), ("tags", "Tags")], tab))
            @match tab {
                "networking" => (networking_tab(view, instance, &addresses)),
                "security" => (security_tab(view, &group_ids)),
                "tags" => (layout::tags_table(&instance.id, &format!("{}?tab=tags", href(&instance.id)), &instance.tags)),
                _ => (details_tab(view, instance)),
            }
        }
    };
    layout::form_page(&view.session, "/console/instances", &title, body, refusal)
}

fn groups_cell(view: &View, group_ids: &[String]) -> Markup {
    let region = view.region();
    html! {
        @for (n, id) in group_ids.iter().enumerate() {
            @if n > 0 { ", " }
            a href=(super::security_group::href(id)) { (id) }
            @if let Some(group) = region.security_groups.get(id.as_str()) { " (" (group.name) ")" }
        }
        @if group_ids.is_empty() { "–" }
    }
}

fn details_tab(view: &View, instance: &Instance) -> Markup {
    let image = image::catalog(&view.session.scope.region).into_iter().find(|image| image.id == instance.image_id);
    let on_off = |value: bool| if value { "Enabled" } else { "Disabled" };
    html! {
        dl class="details" {
            div { dt { "Platform" } dd { (image.as_ref().map_or("Linux/UNIX", |image| image.platform_details)) } }
            div { dt { "AMI ID" } dd class="mono" { (instance.image_id) } }
            div { dt { "AMI name" } dd { (image.as_ref().map_or("–", |image| image.name)) } }
            div { dt { "Launch time" } dd { (instance.launch_time.to_iso8601()) } }
            div { dt { "Key pair assigned at launch" } dd { (instance.key_name.as_deref().unwrap_or("–")) } }
            div { dt { "Availability Zone" } dd { (instance.availability_zone) } }
            div { dt { "Termination protection" } dd { (on_off(instance.attributes.disable_api_termination)) } }
            div { dt { "Stop protection" } dd { (on_off(instance.attributes.disable_api_stop)) } }
            div { dt { "Shutdown behavior" } dd { (instance.attributes.shutdown_behavior) } }
            div { dt { "Owner" } dd { (instance.owner_id) } }
            div { dt { "Reservation" } dd class="mono" { (instance.reservation_id) } }
            div { dt { "State transition reason" } dd { @if instance.state_transition_reason.is_empty() { "–" } @else { (instance.state_transition_reason) } } }
        }
    }
}

fn networking_tab(view: &View, instance: &Instance, addresses: &Addresses<'_>) -> Markup {
    let region = view.region();
    let interfaces: Vec<_> = instance.interfaces(region).collect();
    html! {
        dl class="details" {
            div { dt { "Public IPv4 address" } dd { (or_dash(addresses.public_ip.clone())) } }
            div { dt { "Private IPv4 addresses" } dd { (or_dash(addresses.private_ip())) } }
            div { dt { "Public IPv4 DNS" } dd { (or_dash(addresses.public_dns.clone())) } }
            div { dt { "Private IP DNS name (IPv4 only)" } dd { (or_dash(addresses.interface.and_then(|i| i.private_dns_name()))) } }
            div { dt { "VPC ID" } dd { (addresses.interface.map_or("–", |i| i.vpc_id.as_str())) } }
            div { dt { "Subnet ID" } dd { (addresses.interface.map_or("–", |i| i.subnet_id.as_str())) } }
            div { dt { "Availability Zone" } dd { (instance.availability_zone) } }
        }
        h3 { "Network interfaces (" (interfaces.len()) ")" }
        table class="list" id="network-interfaces" {
            thead {
                tr { @for column in ["Interface ID", "Description", "Device index", "Private IPv4 address", "Public IPv4 address", "Subnet ID", "Security groups"] { th scope="col" { (column) } } }
            }
            tbody {
                @for interface in &interfaces {
                    @let public = network_interface::public_address(region, interface).map(|public| public.ip.to_string());
                    tr {
                        td class="mono" { (interface.id) }
                        td { @if interface.description.is_empty() { "–" } @else { (interface.description) } }
                        td { (interface.attachment.as_ref().map_or(0, |a| a.device_index)) }
                        td class="mono" { (crate::pages::shared::dash(interface.private_ip)) }
                        td { (or_dash(public)) }
                        td { (interface.subnet_id) }
                        td { (interface.security_group_ids.join(", ")) }
                    }
                }
                @if interfaces.is_empty() { tr class="empty" { td colspan="7" { "No network interfaces" } } }
            }
        }
    }
}

fn security_tab(view: &View, group_ids: &[String]) -> Markup {
    let region = view.region();
    let groups: Vec<_> = group_ids.iter().filter_map(|id| region.security_groups.get(id.as_str())).collect();
    html! {
        dl class="details" { div { dt { "Security groups" } dd { (groups_cell(view, group_ids)) } } }
        @for (direction, noun, peer) in [(Direction::Ingress, "Inbound rules", "Source"), (Direction::Egress, "Outbound rules", "Destination")] {
            h3 { (noun) }
            table class="list" {
                thead { tr { @for column in ["Security group rule ID", "Port range", "Protocol", peer, "Security groups"] { th scope="col" { (column) } } } }
                tbody {
                    @for group in &groups {
                        @for rule in group.rules(direction) {
                            @let shown = traffic::show(&rule.protocol, rule.from_port, rule.to_port);
                            tr {
                                td class="mono" { (rule.id) }
                                td { (shown.ports) }
                                td { (shown.protocol) }
                                td { (Peer::of(&view.world, &view.session.scope, rule).shown) }
                                td { (group.name) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// "Instance state": one of StopInstances, StartInstances, RebootInstances, TerminateInstances.
async fn change_state(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = Fields::parse(&body);
    let (action, done) = match form.get("op") {
        "stop" => ("StopInstances", format!("Successfully stopped {id}")),
        "start" => ("StartInstances", format!("Successfully started {id}")),
        "reboot" => ("RebootInstances", format!("Successfully rebooted {id}")),
        "terminate" => ("TerminateInstances", format!("Successfully initiated termination of {id}")),
        other => return layout::bad_request(&format!("Unknown instance state action: {other:?}")),
    };
    match ec2::run(&state, &session, &[("Action", action), ("InstanceId.1", &id)]).await {
        Ok(_) => Redirect::to(&format!("{}?done={}", href(&id), encode(&done))).into_response(),
        Err(refusal) => {
            let view = View::new(&state, session);
            match view.region().instances.get(id.as_str()) {
                Some(instance) => detail_page(&view, instance, "details", None, Some(&refusal)),
                None => refused_page(&view, "/console/instances", "Instance state", &refusal),
            }
        }
    }
}
