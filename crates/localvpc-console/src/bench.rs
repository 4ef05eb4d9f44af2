//! The page renderers, callable without HTTP: what `benches/console.rs` measures. Each renders one page from a
//! world exactly as its handler does once the session is read (no cookies, no first-use step, no probe walk).

use std::sync::Arc;

use axum::response::Response;
use localvpc_engine::Topology;
use localvpc_model::{Scope, World};

use crate::pages::map::{self, ProbeQuery};
use crate::pages::reachability::{self, MatrixQuery};
use crate::pages::{dashboard_page, instance, vpc, View};

/// "Your VPCs".
pub fn vpc_list(world: &Arc<World>, scope: &Scope) -> Response {
    vpc::list_page(&View::of(world.clone(), scope.clone()), None)
}

/// "Instances".
pub fn instance_list(world: &Arc<World>, scope: &Scope) -> Response {
    instance::list_page(&View::of(world.clone(), scope.clone()), None)
}

/// The VPC dashboard.
pub fn dashboard(world: &Arc<World>, scope: &Scope) -> Response {
    dashboard_page(&View::of(world.clone(), scope.clone()), None)
}

/// The network map page, without a probe.
pub fn map(world: &Arc<World>, scope: &Scope) -> Response {
    map::map_page(&View::of(world.clone(), scope.clone()), 0, &ProbeQuery::default(), None)
}

/// The reachability matrix of one VPC (`None`: the whole Region) over ICMP, from `topology` (compiled from
/// `world`).
pub fn reachability(world: &Arc<World>, topology: &Topology, scope: &Scope, vpc: Option<&str>) -> Response {
    let query = MatrixQuery { vpc: vpc.map(str::to_string), ..MatrixQuery::default() };
    reachability::reachability_page(&View::of(world.clone(), scope.clone()), topology, &query)
}
