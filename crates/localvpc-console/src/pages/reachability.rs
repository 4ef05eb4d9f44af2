//! The reachability matrix: whether each running instance of the Region (or of one VPC) reaches each other one, as
//! a heatmap. The answer is the one `/_localvpc/v1/reachability` and `localvpc reachability` give
//! ([`localvpc_api::reachability_groups`]: the engine's class-compressed walk); every cell links to the map with
//! that probe drawn.
//!
//! Up to [`MAX_INSTANCES`] instances the table has a row and a column per instance; above, one per group of
//! instances every rule treats alike (the compressed form itself), so the page stays readable at any size.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use localvpc_engine::reachability::Groups;
use localvpc_engine::{Protocol, Topology};
use maud::{html, Markup};

use super::View;
use crate::map::read::name;
use crate::session::Session;
use crate::{layout, ConsoleState};

/// The most instances drawn one row and one column each.
pub(crate) const MAX_INSTANCES: usize = 40;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new().route("/console/reachability", get(page))
}

/// The form's fields.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(crate) struct MatrixQuery {
    pub(crate) vpc: Option<String>,
    pub(crate) protocol: Option<String>,
    pub(crate) port: Option<String>,
}

impl MatrixQuery {
    fn vpc(&self) -> &str {
        self.vpc.as_deref().map(str::trim).unwrap_or_default()
    }

    fn protocol_name(&self) -> &str {
        match self.protocol.as_deref().map(str::trim) {
            None | Some("") => "icmp",
            Some(name) => name,
        }
    }

    fn port(&self) -> &str {
        self.port.as_deref().map(str::trim).unwrap_or_default()
    }

    fn protocol(&self) -> Result<Protocol, String> {
        let port = |default: u16| match self.port() {
            "" => Ok(default),
            text => text
                .parse::<u16>()
                .ok()
                .filter(|port| *port > 0)
                .ok_or_else(|| format!("The port must be an integer between 1 and 65535, not {text:?}.")),
        };
        match self.protocol_name() {
            "icmp" => Ok(Protocol::Icmp),
            "tcp" => port(22).map(Protocol::Tcp),
            "udp" => port(33434).map(Protocol::Udp),
            other => Err(format!("The protocol must be one of icmp, tcp, udp, not {other:?}.")),
        }
    }
}

async fn page(State(state): State<ConsoleState>, session: Session, Query(query): Query<MatrixQuery>) -> Response {
    let view = View::load(&state, session).await;
    let topology = state.control.topology();
    let view_for_work = View { world: view.world.clone(), session: view.session.clone() };
    // The walks take a while on a large Region: off the async workers, as the JSON endpoint does.
    let work = move || reachability_page(&view_for_work, &topology, &query);
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|_| {
        layout::page(
            &view.session,
            "/console/reachability",
            "Reachability",
            layout::error_box("InternalError", "An internal error has occurred"),
        )
    })
}

/// One instance of the matrix: its label and where a probe to it goes.
struct Node {
    instance: String,
    label: String,
    address: String,
}

/// The page for `query`, from `topology`.
pub(crate) fn reachability_page(view: &View, topology: &Topology, query: &MatrixQuery) -> Response {
    let answer =
        query.protocol().map_err(|message| ("InvalidParameterValue".to_string(), message)).and_then(|protocol| {
            let vpcs: Vec<String> = if query.vpc().is_empty() { Vec::new() } else { vec![query.vpc().to_string()] };
            localvpc_api::reachability_groups(topology, &view.session.scope, &vpcs, protocol)
                .map(|groups| (groups, protocol))
                .map_err(|error| (error.code().to_string(), error.to_string()))
        });
    let body = html! {
        div class="page-head" {
            h1 { "Reachability — " (view.session.scope.region) }
            div class="actions" { a class="button" href="/console/map" { "Network map" } }
        }
        (form(view, query))
        @match &answer {
            Ok((groups, protocol)) => (matrix(view, topology, groups, *protocol, query)),
            Err((code, message)) => (layout::error_box(code, message)),
        }
    };
    layout::page(&view.session, "/console/reachability", "Reachability", body)
}

fn form(view: &View, query: &MatrixQuery) -> Markup {
    let mut vpcs: Vec<_> = view.region().vpcs.values().collect();
    vpcs.sort_by_key(|vpc| (view.world.creation_order(&vpc.id).unwrap_or(u64::MAX), vpc.id.clone()));
    let mut options = vec![(String::new(), "Every VPC of the Region".to_string())];
    options.extend(vpcs.iter().map(|vpc| {
        let label = match name(&vpc.tags) {
            Some(name) => format!("{name} ({}) {}", vpc.id, vpc.cidr_block),
            None => format!("{} {}", vpc.id, vpc.cidr_block),
        };
        (vpc.id.clone(), label)
    }));
    let protocols =
        [("icmp", "ICMP (ping)"), ("tcp", "TCP"), ("udp", "UDP")].map(|(v, l)| (v.to_string(), l.to_string()));
    html! {
        form class="panel probe-form" id="matrix-form" method="get" action="/console/reachability" {
            div class="probe-fields" {
                (layout::select_field("vpc", "VPC", &options, query.vpc()))
                (layout::select_field("protocol", "Protocol", &protocols, query.protocol_name()))
                div class="field port" {
                    label for="port" { "Port" }
                    input id="port" name="port" type="number" min="1" max="65535" placeholder="22" value=(query.port());
                }
                div class="form-actions" { button class="primary" id="matrix-show" type="submit" { "Show" } }
            }
        }
    }
}

fn protocol_words(protocol: Protocol) -> String {
    match protocol {
        Protocol::Icmp => "over ICMP".into(),
        Protocol::Tcp(port) => format!("on TCP port {port}"),
        Protocol::Udp(port) => format!("on UDP port {port}"),
    }
}

/// The map URL that draws the probe from `from` to `to`.
fn probe_href(from: &Node, to: &Node, protocol: Protocol) -> String {
    let (name, port) = match protocol {
        Protocol::Icmp => ("icmp", String::new()),
        Protocol::Tcp(port) => ("tcp", port.to_string()),
        Protocol::Udp(port) => ("udp", port.to_string()),
    };
    format!("/console/map?from={}&to={}&protocol={name}&port={port}", from.instance, to.address)
}

fn matrix(view: &View, topology: &Topology, groups: &Groups, protocol: Protocol, query: &MatrixQuery) -> Markup {
    let region = view.region();
    let world = &view.world;
    // Rows in the map's order: VPCs by creation, instances by launch.
    let mut order: Vec<usize> = (0..groups.enis.len()).collect();
    let key = |index: usize| {
        let node = &topology.enis[groups.enis[index]];
        let vpc = world.creation_order(&topology.vpcs[node.vpc].id).unwrap_or(u64::MAX);
        let launched =
            node.instance_id.as_deref().and_then(|id| region.instances.get(id)).map_or(u64::MAX, |i| i.launch_sequence);
        (vpc, launched, node.id.clone())
    };
    let keys: HashMap<usize, _> = order.iter().map(|&index| (index, key(index))).collect();
    order.sort_by(|a, b| keys[a].cmp(&keys[b]));
    let nodes: HashMap<usize, Node> = order
        .iter()
        .map(|&index| {
            let eni = &topology.enis[groups.enis[index]];
            let instance = eni.instance_id.clone().unwrap_or_else(|| eni.id.clone());
            let named = region.instances.get(instance.as_str()).and_then(|i| name(&i.tags));
            let label = named.unwrap_or_else(|| instance.clone());
            (index, Node { instance, label, address: crate::pages::shared::dash(eni.private_ip) })
        })
        .collect();
    let summary = format!(
        "{} of {} ordered pairs of {} running instances reachable {}",
        groups.reachable_pairs(),
        groups.ordered_pairs(),
        groups.enis.len(),
        protocol_words(protocol)
    );
    let scope_words = if query.vpc().is_empty() { "in this Region".to_string() } else { format!("in {}", query.vpc()) };
    html! {
        section class="panel" {
            p class="hint" id="matrix-summary" { (summary) " " (scope_words) ". Rows send, columns receive; a cell opens that probe on the map." }
            @if groups.enis.is_empty() {
                p class="map-empty" { "No running instances " (scope_words) "." }
            } @else if groups.enis.len() <= MAX_INSTANCES {
                (instance_table(groups, &order, &nodes, protocol))
            } @else {
                (group_table(groups, &order, &nodes, protocol))
            }
        }
    }
}

fn header(node: &Node) -> Markup {
    html! { span class="who" { (node.label) } span class="mono addr" { (node.address) } }
}

fn cell(from: &Node, to: &Node, reaches: bool, protocol: Protocol) -> Markup {
    let (class, word, mark) =
        if reaches { ("cell reachable", "reachable", "✓") } else { ("cell unreachable", "unreachable", "✕") };
    let title = format!("{} → {} ({}): {word} {}", from.label, to.label, to.address, protocol_words(protocol));
    html! {
        td class=(class) data-from=(from.instance) data-to=(to.instance) title=(title) {
            a href=(probe_href(from, to, protocol)) aria-label=(title) { (mark) }
        }
    }
}

fn instance_table(groups: &Groups, order: &[usize], nodes: &HashMap<usize, Node>, protocol: Protocol) -> Markup {
    html! {
        div class="matrix-scroll" {
            table class="matrix" id="reachability-matrix" {
                thead { tr {
                    th class="corner" { "From \\ To" }
                    @for to in order { th class="dst" scope="col" data-instance=(nodes[to].instance) { (header(&nodes[to])) } }
                } }
                tbody {
                    @for from in order {
                        tr data-instance=(nodes[from].instance) {
                            th class="src" scope="row" { (header(&nodes[from])) }
                            @for to in order {
                                @if from == to {
                                    td class="cell self" title="the same instance" { "–" }
                                } @else {
                                    (cell(&nodes[from], &nodes[to], groups.reaches_pair(*from, *to), protocol))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The compressed form: one row and column per group, each cell for every pair of their members.
fn group_table(groups: &Groups, order: &[usize], nodes: &HashMap<usize, Node>, protocol: Protocol) -> Markup {
    // Groups in the order of their first member in `order`.
    let mut seen = vec![false; groups.len()];
    let mut group_order = Vec::with_capacity(groups.len());
    for &index in order {
        let group = groups.group_of(index);
        if !seen[group] {
            seen[group] = true;
            group_order.push(group);
        }
    }
    let first = |group: usize| &nodes[&groups.members(group)[0]];
    let label = |group: usize| {
        let members = groups.members(group);
        let more = members.len() - 1;
        if more == 0 {
            first(group).label.clone()
        } else {
            format!("{} and {more} more", first(group).label)
        }
    };
    html! {
        p class="hint" { (groups.enis.len()) " instances: one row and one column per group of instances that every rule treats alike." }
        div class="matrix-scroll" {
            table class="matrix groups" id="reachability-matrix" {
                thead { tr {
                    th class="corner" { "From \\ To" }
                    @for &to in &group_order { th class="dst" scope="col" { span class="who" { (label(to)) } } }
                } }
                tbody {
                    @for &from in &group_order {
                        tr {
                            th class="src" scope="row" { span class="who" { (label(from)) } }
                            @for &to in &group_order {
                                @if groups.pairs_between(from, to) == 0 {
                                    td class="cell self" title="a group of one has no pair with itself" { "–" }
                                } @else {
                                    @let target = groups.members(to).iter().find(|&&m| m != groups.members(from)[0]).copied().unwrap_or(groups.members(to)[0]);
                                    (cell(first(from), &nodes[&target], groups.reaches(from, to), protocol))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
