//! The console's pages: one file per resource, as the EC2 handlers are (`vpc.rs` lists, shows, creates and
//! deletes VPCs), the network map (`map.rs`) and the reachability matrix (`reachability.rs`), plus the dashboard
//! and the world version the live parts poll.

mod address;
mod dhcp_options;
pub(crate) mod instance;
mod internet_gateway;
mod key_pair;
mod launch_template;
pub(crate) mod map;
mod nat_gateway;
mod network_acl;
mod network_insights;
mod network_interface;
pub(crate) mod reachability;
mod route_table;
mod security_group;
mod shared;
mod subnet;
mod tags;
mod traffic;
mod tutorial;
mod volume;
pub(crate) mod vpc;
mod vpc_peering;

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use localvpc_model::{RegionState, World};
use maud::html;

use crate::layout;
use crate::session::Session;
use crate::ConsoleState;

/// The query of a page the console redirected to after a change: `done` is the green banner's text.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct Shown {
    pub(crate) done: Option<String>,
    pub(crate) tab: Option<String>,
}

/// What a page reads: the published world, seen from the session's scope.
pub(crate) struct View {
    pub(crate) world: Arc<World>,
    pub(crate) session: Session,
}

impl View {
    /// The published world now. A page calls [`View::load`] first, which creates the Region's first-use state
    /// (its default VPC) as any EC2 request would.
    pub(crate) fn new(state: &ConsoleState, session: Session) -> View {
        View { world: state.control.snapshot(), session }
    }

    /// [`View::new`] after the Region's first-use state exists.
    pub(crate) async fn load(state: &ConsoleState, session: Session) -> View {
        // A store failure here shows as an empty Region; the next action reports it with AWS's error.
        let _ = localvpc_api::ensure_region(&state.control, &session.scope).await;
        View::new(state, session)
    }

    /// A view of `world` for `scope` as an unswitchable session sees it: what a benchmark renders pages from.
    pub(crate) fn of(world: Arc<World>, scope: localvpc_model::Scope) -> View {
        View { world, session: Session { scope, access_key: None, can_switch_account: true } }
    }

    pub(crate) fn region(&self) -> &RegionState {
        self.world.region(&self.session.scope)
    }
}

pub(crate) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route("/console", get(dashboard))
        .route("/console/", get(dashboard))
        .route("/console/version", get(version))
        .route("/console/{*rest}", get(no_such_page))
        .merge(dhcp_options::routes())
        .merge(launch_template::routes())
        .merge(network_insights::routes())
        .merge(network_interface::routes())
        .merge(tags::routes())
        .merge(tutorial::routes())
        .merge(volume::routes())
        .merge(vpc::routes())
        .merge(subnet::routes())
        .merge(internet_gateway::routes())
        .merge(nat_gateway::routes())
        .merge(route_table::routes())
        .merge(vpc_peering::routes())
        .merge(security_group::routes())
        .merge(network_acl::routes())
        .merge(instance::routes())
        .merge(address::routes())
        .merge(key_pair::routes())
        .merge(map::routes())
        .merge(reachability::routes())
}

/// A console path that names no page: the console's own 404, not the EC2 API's fallback.
async fn no_such_page(State(state): State<ConsoleState>, session: Session, uri: axum::http::Uri) -> Response {
    let view = View::new(&state, session);
    let body = html! { (layout::error_box("NotFound", &format!("There is no console page at {}.", uri.path()))) a href="/console" { "VPC dashboard" } };
    let mut response = layout::page(&view.session, "", "Not found", body);
    *response.status_mut() = axum::http::StatusCode::NOT_FOUND;
    response
}

/// `GET /console/version`: the published world version (the live parts reload when it moves).
/// Under `--auth sigv4` only a signed-in session may ask (like every console page).
async fn version(State(state): State<ConsoleState>, _session: Session) -> String {
    state.control.version().to_string()
}

/// The VPC dashboard: resources by type in this Region, each a link to its list (AWS's "Resources by Region").
async fn dashboard(State(state): State<ConsoleState>, session: Session, Query(shown): Query<Shown>) -> Response {
    let view = View::load(&state, session).await;
    dashboard_page(&view, shown.done.as_deref())
}

/// The dashboard of `view`'s Region, with `done` as the green banner.
pub(crate) fn dashboard_page(view: &View, done: Option<&str>) -> Response {
    let region = view.region();
    let running = region.instances.values().filter(|i| i.state.is_running()).count();
    let now = localvpc_api::control::Control::now(&view.world);
    let peerings = view.world.peerings().values().filter(|p| p.visible_to(&view.session.scope, now)).count();
    let cards: Vec<(&str, usize, &str)> = vec![
        ("VPCs", region.vpcs.len(), "/console/vpcs"),
        ("Subnets", region.subnets.len(), "/console/subnets"),
        ("Route tables", region.route_tables.len(), "/console/route-tables"),
        ("Internet gateways", region.internet_gateways.len(), "/console/internet-gateways"),
        (
            "NAT gateways",
            region.nat_gateways.values().filter(|nat| nat.visible_at(now)).count(),
            "/console/nat-gateways",
        ),
        ("Peering connections", peerings, "/console/peering-connections"),
        ("Network ACLs", region.network_acls.len(), "/console/network-acls"),
        ("Security groups", region.security_groups.len(), "/console/security-groups"),
        ("Running instances", running, "/console/instances"),
        ("Elastic IPs", region.addresses.len(), "/console/elastic-ips"),
        ("DHCP option sets", region.dhcp_options.len(), "/console/dhcp-option-sets"),
        ("Network interfaces", region.network_interfaces.len(), "/console/network-interfaces"),
        ("Volumes", region.volumes.len(), "/console/volumes"),
        ("Key pairs", region.key_pairs.len(), "/console/key-pairs"),
    ];
    let body = html! {
        (layout::notice(done))
        div class="page-head" {
            h1 { "VPC dashboard" }
            div class="actions" {
                a class="button primary" id="create-vpc" href="/console/vpcs/create" { "Create VPC" }
                a class="button" href="/console/map" { "Network map" }
            }
        }
        section class="panel" {
            h2 { "Resources by Region — " (view.session.scope.region) }
            div class="cards" {
                @for (label, count, href) in &cards {
                    a class="card" href=(href) { span class="card-label" { (label) } span class="card-count" { (count) } }
                }
            }
        }
        section class="panel" {
            h2 { "Explore the network" }
            p class="hint" {
                "localvpc computes what AWS would do with a packet: draw the Region and probe a path on the "
                a href="/console/map" { "network map" } ", see who reaches whom in the "
                a href="/console/reachability" { "reachability matrix" } ", or build the VPC-peering "
                a href="/console/tutorial" { "tutorial" } " by clicks."
            }
        }
    };
    layout::page(&view.session, "/console", "VPC dashboard", body)
}
