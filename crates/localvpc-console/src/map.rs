//! The network map: a Region's VPCs, subnets, instances, gateways and peering connections as one SVG, and a probe
//! drawn over it.
//!
//! Three steps, each its own module: [`read`] turns the world into a [`scene::Scene`] (plain data, in a stable
//! order), [`layout`] turns the scene into positions (a pure function, tested for overlap and stability on 20 VPCs
//! of 20 instances), and [`svg`] writes the positions as SVG text. [`probe`] turns a probe's walk into the overlay
//! the SVG draws and the list of blocking settings under the map.

pub(crate) mod layout;
pub(crate) mod probe;
pub(crate) mod read;
pub(crate) mod scene;
pub(crate) mod svg;

use localvpc_model::{Scope, Timestamp, World};
use maud::Markup;

/// The map of `scope` as SVG, with `overlay` drawn over it.
pub(crate) fn render(world: &World, scope: &Scope, now: Timestamp, overlay: Option<&scene::Overlay>) -> Markup {
    let scene = read::scene(world, scope, now);
    svg::render(&scene, &layout::layout(&scene), overlay, &scope.region)
}
