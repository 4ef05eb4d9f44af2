//! The network map page: the Region's topology as SVG ([`crate::map`]), kept live, and a probe form whose walk —
//! the one `localvpc explain` runs ([`localvpc_api::explain_probe`]) — is drawn over the map, with every blocking
//! setting listed under it and linked to the page that changes it.
//!
//! `GET /console/map?from=…&to=…&protocol=…&port=…` is the page; `GET /console/map/svg` (same query) is its live
//! part alone, which `assets/console.js` fetches again whenever the world version moves.

use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use localvpc_api::control::Control;
use localvpc_api::Explanation;
use localvpc_engine::{Protocol, Verdict};
use localvpc_model::instance::InstanceState;
use maud::{html, Markup};

use super::View;
use crate::map::probe::{self, Blocker};
use crate::map::read::name;
use crate::map::scene::Overlay;
use crate::session::Session;
use crate::{layout, map, ConsoleState};

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new().route("/console/map", get(page)).route("/console/map/svg", get(fragment))
}

/// The probe form's fields, as the query string carries them.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(crate) struct ProbeQuery {
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
    pub(crate) protocol: Option<String>,
    pub(crate) port: Option<String>,
}

impl ProbeQuery {
    fn field(value: &Option<String>) -> &str {
        value.as_deref().map(str::trim).unwrap_or_default()
    }

    fn from(&self) -> &str {
        Self::field(&self.from)
    }

    fn to(&self) -> &str {
        Self::field(&self.to)
    }

    fn protocol_name(&self) -> &str {
        match Self::field(&self.protocol) {
            "" => "icmp",
            name => name,
        }
    }

    /// The protocol and port, as `localvpc explain` defaults them (TCP 22, UDP 33434).
    fn protocol(&self) -> Result<Protocol, String> {
        let port = |default: u16| match Self::field(&self.port) {
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

/// What a probe gave: its walk drawn, or why it was not walked (AWS's or localvpc's code and message).
pub(crate) enum Probed {
    Walked { explanation: Box<Explanation>, overlay: Option<Overlay>, blockers: Vec<Blocker>, protocol: Protocol },
    Refused { code: String, message: String },
}

/// Runs the probe the query asks for, if it asks for one.
fn run(state: &ConsoleState, view: &View, query: &ProbeQuery) -> Option<Probed> {
    if query.from().is_empty() || query.to().is_empty() {
        return None;
    }
    let protocol = match query.protocol() {
        Ok(protocol) => protocol,
        Err(message) => return Some(Probed::Refused { code: "InvalidParameterValue".into(), message }),
    };
    // The form takes an instance ID as the destination too: the probe goes to its private address.
    let to = match view.region().instances.get(query.to()) {
        Some(instance) => {
            match instance.network_interface_id.as_deref().and_then(|eni| view.region().network_interfaces.get(eni)) {
                Some(eni) => crate::pages::shared::dash(eni.private_ip),
                None => query.to().to_string(),
            }
        }
        None => query.to().to_string(),
    };
    let result = localvpc_api::explain_probe(&state.control, &view.session.scope, query.from(), &to, protocol);
    Some(match result {
        Ok(explanation) => Probed::Walked {
            overlay: probe::overlay(&explanation, query.from() == "internet"),
            blockers: probe::blockers(&explanation),
            explanation: Box::new(explanation),
            protocol,
        },
        Err(error) => Probed::Refused { code: error.code().to_string(), message: error.to_string() },
    })
}

async fn page(State(state): State<ConsoleState>, session: Session, Query(query): Query<ProbeQuery>) -> Response {
    let version = state.control.version();
    let view = View::load(&state, session).await;
    let probed = run(&state, &view, &query);
    map_page(&view, version, &query, probed.as_ref())
}

async fn fragment(State(state): State<ConsoleState>, session: Session, Query(query): Query<ProbeQuery>) -> Response {
    let view = View::new(&state, session);
    let probed = run(&state, &view, &query);
    Html(live_part(&view, &query, probed.as_ref()).into_string()).into_response()
}

/// The whole page: the probe form, then the live part in an element that reloads it when `version` moves.
pub(crate) fn map_page(view: &View, version: u64, query: &ProbeQuery, probed: Option<&Probed>) -> Response {
    let body = html! {
        div class="page-head" {
            h1 { "Network map — " (view.session.scope.region) }
            div class="actions" { a class="button" href="/console/reachability" { "Reachability matrix" } }
        }
        (probe_form(view, query))
        div id="map" class="panel map-panel" data-live="/console/map/svg" data-version=(version) {
            (live_part(view, query, probed))
        }
    };
    layout::page(&view.session, "/console/map", "Network map", body)
}

fn probe_form(view: &View, query: &ProbeQuery) -> Markup {
    let region = view.region();
    let mut running: Vec<_> = region.instances.values().filter(|i| i.state == InstanceState::Running).collect();
    running.sort_by_key(|instance| (instance.launch_sequence, instance.id.clone()));
    let mut sources = vec![("internet".to_string(), "Internet".to_string())];
    for instance in running {
        let address = instance
            .network_interface_id
            .as_deref()
            .and_then(|eni| region.network_interfaces.get(eni))
            .and_then(|eni| eni.private_ip)
            .map(|ip| ip.to_string())
            .unwrap_or_default();
        let label = match name(&instance.tags) {
            Some(name) => format!("{name} {address} ({})", instance.id),
            None => format!("{} {address}", instance.id),
        };
        sources.push((instance.id.clone(), label));
    }
    let protocols =
        [("icmp", "ICMP (ping)"), ("tcp", "TCP"), ("udp", "UDP")].map(|(v, l)| (v.to_string(), l.to_string()));
    html! {
        form class="panel probe-form" id="probe-form" method="get" action="/console/map" {
            h2 { "Probe a path" }
            div class="probe-fields" {
                (layout::select_field("from", "Source", &sources, query.from()))
                (layout::text_field("to", "Destination", query.to(), Some("Instance ID, IP address or DNS name")))
                (layout::select_field("protocol", "Protocol", &protocols, query.protocol_name()))
                div class="field port" {
                    label for="port" { "Port" }
                    input id="port" name="port" type="number" min="1" max="65535" placeholder="22"
                        value=(ProbeQuery::field(&query.port));
                }
                div class="form-actions" { button class="primary" id="probe-run" type="submit" { "Run probe" } }
            }
        }
    }
}

/// The live part: the SVG (with the probe drawn), then the probe's verdict and findings.
pub(crate) fn live_part(view: &View, query: &ProbeQuery, probed: Option<&Probed>) -> Markup {
    let overlay = match probed {
        Some(Probed::Walked { overlay, .. }) => overlay.as_ref(),
        _ => None,
    };
    let now = Control::now(&view.world);
    html! {
        div class="map-scroll" { (map::render(&view.world, &view.session.scope, now, overlay)) }
        (legend())
        @if let Some(probed) = probed { (result(query, probed)) }
    }
}

fn legend() -> Markup {
    html! {
        ul class="map-legend" aria-label="Legend" {
            li { span class="dot running" {} "running" }
            li { span class="dot pending" {} "pending" }
            li { span class="dot stopped" {} "stopped" }
            li { span class="line active" {} "peering active" }
            li { span class="line waiting" {} "pending acceptance" }
            li { span class="line ended" {} "rejected, failed, expired, deleted" }
        }
    }
}

fn verdict_text(verdict: Option<Verdict>, protocol: Protocol) -> String {
    match (verdict, protocol) {
        (Some(Verdict::Reachable), _) => "Reachable".into(),
        (Some(Verdict::Refused), Protocol::Tcp(port)) => {
            format!("Refused: a TCP reset comes back, nothing listens on {port}")
        }
        (Some(Verdict::Refused), _) => "Refused".into(),
        (Some(Verdict::Dropped), _) => "Dropped: nothing comes back (the tools time out)".into(),
        (None, _) => "Unresolved: the name does not resolve from the source, nothing is sent".into(),
    }
}

fn describe(protocol: Protocol) -> String {
    match protocol {
        Protocol::Icmp => "ICMP echo".into(),
        Protocol::Tcp(port) => format!("TCP port {port}"),
        Protocol::Udp(port) => format!("UDP port {port}"),
    }
}

fn result(query: &ProbeQuery, probed: &Probed) -> Markup {
    match probed {
        Probed::Refused { code, message } => html! { div id="probe-result" { (layout::error_box(code, message)) } },
        Probed::Walked { explanation, blockers, protocol, .. } => {
            let verdict = explanation.verdict();
            let tone = if verdict == Some(Verdict::Reachable) { "reachable" } else { "unreachable" };
            let target = match explanation.address {
                Some(address) if address.to_string() != query.to() => format!("{} ({address})", query.to()),
                _ => query.to().to_string(),
            };
            html! {
                section class="probe-result" id="probe-result" {
                    h2 { "From " (query.from()) " to " (target) ", " (describe(*protocol)) }
                    p class=(format!("verdict {tone}")) id="probe-verdict" { (verdict_text(verdict, *protocol)) }
                    @if !blockers.is_empty() {
                        p {
                            @if blockers.len() == 1 { "1 setting blocks this path:" }
                            @else { (blockers.len()) " settings block this path (fix every one):" }
                        }
                        ol class="findings" id="probe-findings" {
                            @for blocker in blockers.iter() {
                                li class="finding" {
                                    strong class="code" { (blocker.code) } " at " span class="mono" { (blocker.component) }
                                    p class="detail" { (blocker.detail) }
                                    p class="fix" { "Fix: " (blocker.fix) }
                                    @if !blocker.links.is_empty() {
                                        p class="links" {
                                            @for (href, text) in &blocker.links { a class="fix-link" href=(href) { (text) } " " }
                                        }
                                    }
                                }
                            }
                        }
                    } @else if verdict == Some(Verdict::Reachable) {
                        p { "Nothing blocks this path." }
                    }
                }
            }
        }
    }
}
