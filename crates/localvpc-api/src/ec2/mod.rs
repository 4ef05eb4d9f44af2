//! The EC2 Query API: the action table, dispatch, and one handler file per AWS resource.
//!
//! Handlers are thin (moto's responses map): read parameters, call the model rule, render XML. An `if` about AWS
//! semantics belongs in `localvpc-model`, not here.

mod account;
pub mod actions;
mod address;
mod availability_zone;
mod customer_gateway;
mod dhcp_options;
mod egress_only_internet_gateway;
mod flow_log;
mod image;
mod instance;
mod instance_type;
mod internet_gateway;
mod key_pair;
mod launch_template;
mod nat_gateway;
mod network_acl;
mod network_insights;
mod network_interface;
mod prefix_list;
mod route_table;
mod security_group;
mod subnet;
mod subnet_cidr_reservation;
mod tags;
mod transit_gateway;
mod volume;
mod vpc;
mod vpc_endpoint;
mod vpc_peering;
mod vpn_connection;
mod vpn_gateway;

use std::sync::Arc;

use localvpc_model::filter::{paginate, paginate_ids};
use localvpc_model::ids::IdKind;
use localvpc_model::{Ec2Error, Page, PageRequest, Resource, Scope, Table, Tx, World};

use crate::params::Params;
use crate::xml::Xml;

/// What a handler knows about the request besides its parameters.
#[derive(Debug, Clone)]
pub struct Ctx<'a> {
    /// The caller's account and region.
    pub scope: Scope,
    /// Rendered XML reused across requests.
    pub renders: &'a crate::render_cache::RenderCache,
    /// The instances' consoles, with the kernel data plane.
    pub console: Option<crate::data_plane::Console>,
}

/// A read-only action: runs on a snapshot of the world.
pub type ReadFn = fn(&World, &Ctx, &Params, &mut Xml) -> Result<(), Ec2Error>;
/// A mutating action: runs inside a transaction and renders from the state it leaves.
pub type WriteFn = fn(&mut Tx, &Ctx, &Params, &mut Xml) -> Result<(), Ec2Error>;

/// How an action is served.
#[derive(Clone, Copy)]
pub enum Handler {
    /// Reads only.
    Read(ReadFn),
    /// Mutates.
    Write(WriteFn),
}

/// The Describe pattern shared by every resource: explicit IDs must all exist (else the kind's NotFound error
/// naming the missing ones); then filters and paging apply to the rest.
pub(crate) fn select<T: Resource>(
    table: &Table<T>,
    ids: &[String],
    kind: IdKind,
    not_found: fn(Vec<String>) -> Ec2Error,
    page: &PageRequest,
    keep: impl FnMut(&T) -> bool,
) -> Result<Page<Arc<T>>, Ec2Error> {
    for id in ids {
        kind.check(id)?;
    }
    let missing: Vec<String> = ids.iter().filter(|id| !table.contains_key(id.as_str())).cloned().collect();
    if !missing.is_empty() {
        return Err(not_found(missing));
    }
    if ids.is_empty() {
        paginate(table, page, keep)
    } else {
        paginate_ids(table, ids, page, keep)
    }
}

/// `<return>true</return>`, the body of every action whose model has no output (spec §1.3).
pub(crate) fn return_true(x: &mut Xml) {
    x.value("return", true);
}
