//! Reachability Analyzer (Network Insights): the paths, "Create path", "Analyze path", and each analysis with its
//! verdict, the hops of the forward path and every explanation code — the stored answers of the same EC2 actions
//! (CreateNetworkInsightsPath, StartNetworkInsightsAnalysis) the SDKs call.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use localvpc_model::network_insights::{NetworkInsightsAnalysis, NetworkInsightsPath};
use maud::{html, Markup};

use super::vpc::{not_found, refused_page};
use super::{Shown, View};
use crate::ec2::{self, Refusal};
use crate::layout::{self, Form, List};
use crate::session::Session;
use crate::ConsoleState;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route("/console/network-insights", get(list))
        .route("/console/network-insights/create", get(create_form).post(create))
        .route("/console/network-insights/{id}", get(detail))
        .route("/console/network-insights/{id}/analyze", post(analyze))
        .route("/console/network-insights/{id}/delete", post(delete))
        .route("/console/network-insights/{id}/analyses/{analysis}/delete", post(delete_analysis))
}

fn href(id: &str) -> String {
    format!("/console/network-insights/{id}")
}

/// The path's analyses, newest first.
fn analyses<'a>(view: &'a View, path: &str) -> Vec<&'a NetworkInsightsAnalysis> {
    let mut found: Vec<_> =
        view.region().network_insights_analyses.values().filter(|a| a.path_id == path).map(|a| &**a).collect();
    found.sort_by(|a, b| b.start.cmp(&a.start).then(b.id.cmp(&a.id)));
    found
}

fn verdict(analysis: &NetworkInsightsAnalysis) -> Markup {
    match &analysis.result {
        Some(result) if result.network_path_found => html! { span class="badge ok" { "Reachable" } },
        Some(_) => html! { span class="badge bad" { "Not reachable" } },
        None => layout::badge(analysis.status.as_str()),
    }
}

fn port(path: &NetworkInsightsPath) -> String {
    path.destination_port.map_or_else(|| "–".to_string(), |port| port.to_string())
}

async fn list(State(state): State<ConsoleState>, session: Session, Query(shown): Query<Shown>) -> Response {
    let view = View::load(&state, session).await;
    let mut paths: Vec<_> = view.region().network_insights_paths.values().collect();
    paths.sort_by(|a, b| a.created.cmp(&b.created).then(a.id.cmp(&b.id)));
    let rows = paths
        .iter()
        .map(|path| {
            let latest = analyses(&view, &path.id).first().map(|analysis| verdict(analysis));
            vec![
                html! { (layout::name_of(&path.tags)) },
                layout::link(&href(&path.id), &path.id),
                html! { span class="mono" { (path.source) } },
                html! { span class="mono" { (path.destination.as_deref().map_or_else(|| path.destination_ip.map(|ip| ip.to_string()).unwrap_or_default(), str::to_string)) } },
                html! { (path.protocol.as_str()) },
                html! { (port(path)) },
                html! { @if let Some(latest) = latest { (latest) } @else { "Not analyzed" } },
            ]
        })
        .collect();
    let list = List {
        title: "Reachability Analyzer paths",
        noun: "paths",
        create: Some(("Create and analyze path", "/console/network-insights/create")),
        columns: &["Name", "Path ID", "Source", "Destination", "Protocol", "Destination port", "Last analysis"],
        rows,
    };
    layout::page(
        &view.session,
        "/console/network-insights",
        "Reachability Analyzer",
        list.render(shown.done.as_deref()),
    )
}

async fn detail(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Response {
    let view = View::load(&state, session).await;
    let Some(path) = view.region().network_insights_paths.get(id.as_str()) else {
        return not_found(&view, "path", &id);
    };
    detail_page(&view, path, shown.done.as_deref(), None)
}

fn detail_page(view: &View, path: &NetworkInsightsPath, done: Option<&str>, refusal: Option<&Refusal>) -> Response {
    let runs = analyses(view, &path.id);
    let body = html! {
        (layout::notice(done))
        (layout::refusal(refusal))
        div class="crumbs" { a href="/console/network-insights" { "Reachability Analyzer" } " › " (path.id) }
        div class="page-head" {
            h1 { (path.id) }
            div class="actions" {
                form class="inline" method="post" action=(format!("{}/analyze", href(&path.id))) {
                    button class="primary" id="analyze-path" type="submit" { "Analyze path" }
                }
                form class="inline" method="post" action=(format!("{}/delete", href(&path.id))) {
                    button class="danger" id="delete-path" type="submit" { "Delete path" }
                }
            }
        }
        (layout::details("Path details", &[
            ("Source", html! { span class="mono" { (path.source) } }),
            ("Destination", html! { span class="mono" { (path.destination.as_deref().unwrap_or("–")) } }),
            ("Destination IP", html! { @if let Some(ip) = path.destination_ip { span class="mono" { (ip) } } }),
            ("Protocol", html! { (path.protocol.as_str()) }),
            ("Destination port", html! { (port(path)) }),
            ("Created", html! { (path.created.to_iso8601()) }),
        ]))
        @for analysis in &runs {
            section class="panel analysis" {
                div class="panel-head" {
                    h2 { "Analysis " (analysis.id) }
                    div class="actions" {
                        (verdict(analysis))
                        form class="inline" method="post" action=(format!("{}/analyses/{}/delete", href(&path.id), analysis.id)) {
                            button class="danger" id=(format!("delete-{}", analysis.id)) type="submit" { "Delete analysis" }
                        }
                    }
                }
                p class="hint" { "Started " (analysis.start.to_iso8601()) " · status " (analysis.status.as_str()) }
                @if let Some(result) = &analysis.result {
                    h3 { "Forward path" }
                    ol class="hops" {
                        @for hop in &result.forward_path_components { li class="mono" { (hop.component.id) } }
                    }
                    @if !result.explanations.is_empty() {
                        h3 { "Explanations" }
                        table class="list explanations" {
                            thead { tr { th scope="col" { "Code" } th scope="col" { "Component" } } }
                            tbody {
                                @for explanation in &result.explanations {
                                    tr {
                                        td class="mono" { (explanation.explanation_code) }
                                        td class="mono" { @if let Some(component) = &explanation.component { (component.id) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout::form_page(&view.session, "/console/network-insights", &path.id, body, refusal)
}

async fn analyze(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    match ec2::run(&state, &session, &[("Action", "StartNetworkInsightsAnalysis"), ("NetworkInsightsPathId", &id)])
        .await
    {
        Ok(answer) => {
            let analysis = answer.text("networkInsightsAnalysisId").unwrap_or_default();
            Redirect::to(&format!("{}?done=Analysis+{analysis}+started.", href(&id))).into_response()
        }
        Err(refusal) => refused(&state, session, &id, &refusal),
    }
}

async fn delete(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    match ec2::run(&state, &session, &[("Action", "DeleteNetworkInsightsPath"), ("NetworkInsightsPathId", &id)]).await {
        Ok(_) => {
            Redirect::to(&format!("/console/network-insights?done=You+successfully+deleted+{id}.")).into_response()
        }
        Err(refusal) => refused(&state, session, &id, &refusal),
    }
}

/// AWS keeps a path while it has analyses (`AnalysisExistsForNetworkInsightsPath`): each is deleted on its own.
async fn delete_analysis(
    State(state): State<ConsoleState>,
    session: Session,
    Path((id, analysis)): Path<(String, String)>,
) -> Response {
    let params = [("Action", "DeleteNetworkInsightsAnalysis"), ("NetworkInsightsAnalysisId", analysis.as_str())];
    match ec2::run(&state, &session, &params).await {
        Ok(_) => Redirect::to(&format!("{}?done=You+successfully+deleted+{analysis}.", href(&id))).into_response(),
        Err(refusal) => refused(&state, session, &id, &refusal),
    }
}

fn refused(state: &ConsoleState, session: Session, id: &str, refusal: &Refusal) -> Response {
    let view = View::new(state, session);
    match view.region().network_insights_paths.get(id) {
        Some(path) => detail_page(&view, path, None, Some(refusal)),
        None => refused_page(&view, "/console/network-insights", "Reachability Analyzer", refusal),
    }
}

async fn create_form(State(state): State<ConsoleState>, session: Session) -> Response {
    create_page(&View::load(&state, session).await, &Form::parse(b"protocol=tcp"), None)
}

/// The resources a path may start or end at: instances, internet gateways and network interfaces of the Region.
fn endpoints(view: &View) -> Vec<(String, String)> {
    let region = view.region();
    let mut choices: Vec<(String, String)> = region
        .instances
        .values()
        .filter(|i| !matches!(i.state.name(), "terminated"))
        .map(|i| (i.id.clone(), format!("{} | {} (instance)", i.id, layout::name_of(&i.tags))))
        .chain(region.internet_gateways.values().map(|g| (g.id.clone(), format!("{} (internet gateway)", g.id))))
        .chain(region.network_interfaces.values().map(|e| {
            (e.id.clone(), format!("{} | {} (network interface)", e.id, crate::pages::shared::dash(e.private_ip)))
        }))
        .collect();
    choices.sort();
    choices
}

fn create_page(view: &View, values: &Form, refusal: Option<&Refusal>) -> Response {
    let choices = endpoints(view);
    let protocols = [("tcp".to_string(), "TCP".to_string()), ("udp".to_string(), "UDP".to_string())];
    let body = html! {
        div class="crumbs" { a href="/console/network-insights" { "Reachability Analyzer" } " › Create and analyze path" }
        div class="page-head" { h1 { "Create and analyze path" } }
        (layout::refusal(refusal))
        form class="create panel" method="post" action="/console/network-insights/create" {
            (layout::select_field("source", "Source", &choices, values.get("source").unwrap_or_default()))
            (layout::select_field("destination", "Destination", &choices, values.get("destination").unwrap_or_default()))
            (layout::select_field("protocol", "Protocol", &protocols, values.get("protocol").unwrap_or("tcp")))
            (layout::text_field("port", "Destination port - optional", values.get("port").unwrap_or_default(), None))
            div class="form-actions" {
                a class="button" href="/console/network-insights" { "Cancel" }
                button class="primary" id="submit-create-path" type="submit" { "Create and analyze path" }
            }
        }
    };
    layout::form_page(&view.session, "/console/network-insights", "Create and analyze path", body, refusal)
}

/// "Create and analyze path": CreateNetworkInsightsPath, then StartNetworkInsightsAnalysis on it, as the AWS
/// console's button of that name does.
async fn create(State(state): State<ConsoleState>, session: Session, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let mut params = vec![
        ("Action", "CreateNetworkInsightsPath"),
        ("Source", form.get("source").unwrap_or_default()),
        ("Destination", form.get("destination").unwrap_or_default()),
        ("Protocol", form.get("protocol").unwrap_or_default()),
    ];
    if let Some(port) = form.get("port").map(str::trim).filter(|p| !p.is_empty()) {
        params.push(("DestinationPort", port));
    }
    let path = match ec2::run(&state, &session, &params).await {
        Ok(answer) => answer.text("networkInsightsPathId").unwrap_or_default(),
        Err(refusal) => return create_page(&View::new(&state, session), &form, Some(&refusal)),
    };
    match ec2::run(&state, &session, &[("Action", "StartNetworkInsightsAnalysis"), ("NetworkInsightsPathId", &path)])
        .await
    {
        Ok(_) => {
            Redirect::to(&format!("{}?done=You+successfully+created+{path}+and+started+its+analysis.", href(&path)))
                .into_response()
        }
        Err(refusal) => refused(&state, session, &path, &refusal),
    }
}
