//! "Edit subnet associations": a checkbox per subnet of the table's VPC, checked for the table's explicit
//! associations. Saving issues DisassociateRouteTable for every unchecked association, then AssociateRouteTable for
//! every newly checked subnet, stopping at the first refusal (a subnet associated with another table is AWS's
//! `Resource.AlreadyAssociated`), which comes back with the boxes as submitted.

use std::collections::BTreeSet;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use localvpc_model::route_table::{self, RouteTable};
use maud::html;

use super::{href, table_label, LIST};
use crate::ec2::{self, Refusal};
use crate::layout::{self, Form};
use crate::pages::shared;
use crate::pages::vpc::not_found;
use crate::pages::View;
use crate::session::Session;
use crate::ConsoleState;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new().route("/console/route-tables/{id}/associations", get(edit_form).post(edit))
}

/// The checkbox of a subnet (its field name and element ID).
fn field(subnet_id: &str) -> String {
    format!("subnet-{subnet_id}")
}

async fn edit_form(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    let view = View::new(&state, session);
    let Some(table) = view.region().route_tables.get(id.as_str()).cloned() else {
        return not_found(&view, "route table", &id);
    };
    let checked = super::explicit_subnets(&table).map(str::to_string).collect();
    edit_page(&view, &table, &checked, None)
}

fn edit_page(view: &View, table: &RouteTable, checked: &BTreeSet<String>, refusal: Option<&Refusal>) -> Response {
    let region = view.region();
    let mut subnets: Vec<_> = region.subnets.values().filter(|subnet| subnet.vpc_id == table.vpc_id).collect();
    subnets.sort_by_key(|subnet| subnet.cidr_block);
    let title = format!("Edit subnet associations — {}", table.id);
    let body = html! {
        div class="crumbs" {
            a href=(LIST) { "Route tables" } " › " a href=(href(&table.id)) { (table.id) } " › Edit subnet associations"
        }
        div class="page-head" { h1 { "Edit subnet associations" } }
        (layout::refusal(refusal))
        form class="panel" method="post" action=(format!("{}/associations", href(&table.id))) {
            h2 { "Available subnets " span class="count" { "(" (subnets.len()) ")" } }
            table class="list" {
                thead {
                    tr {
                        th scope="col" { span class="visually-hidden" { "Associate" } }
                        th scope="col" { "Name" } th scope="col" { "Subnet ID" } th scope="col" { "IPv4 CIDR" }
                        th scope="col" { "Route table ID" }
                    }
                }
                tbody {
                    @for subnet in &subnets {
                        @let effective = route_table::effective_for_subnet(region, &subnet.id, &subnet.vpc_id);
                        tr {
                            td {
                                input type="checkbox" id=(field(&subnet.id)) name=(field(&subnet.id)) value="on"
                                    checked[checked.contains(subnet.id.as_str())] aria-label=(format!("Associate {}", subnet.id));
                            }
                            td { (layout::name_of(&subnet.tags)) }
                            td { (subnet.id) }
                            td class="mono" { (crate::pages::shared::dash(subnet.cidr_block)) }
                            td { @if let Some(effective) = effective { (table_label(effective)) } @else { "–" } }
                        }
                    }
                    @if subnets.is_empty() { tr class="empty" { td colspan="5" { "No subnets in this VPC" } } }
                }
            }
            div class="form-actions" {
                a class="button" href=(format!("{}?tab=subnets", href(&table.id))) { "Cancel" }
                button class="primary" type="submit" id="save-associations" { "Save associations" }
            }
        }
    };
    shared::page(view, LIST, &title, body, refusal)
}

async fn edit(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let view = View::new(&state, session.clone());
    let Some(table) = view.region().route_tables.get(id.as_str()).cloned() else {
        return not_found(&view, "route table", &id);
    };
    let wanted: BTreeSet<String> = view
        .region()
        .subnets
        .values()
        .filter(|subnet| subnet.vpc_id == table.vpc_id && form.get(&field(&subnet.id)).is_some())
        .map(|subnet| subnet.id.clone())
        .collect();
    let mut calls: Vec<Vec<(&str, &str)>> = table
        .associations
        .iter()
        .filter(|a| a.subnet_id.as_ref().is_some_and(|subnet| !wanted.contains(subnet)))
        .map(|a| vec![("Action", "DisassociateRouteTable"), ("AssociationId", a.id.as_str())])
        .collect();
    let current: BTreeSet<&str> = super::explicit_subnets(&table).collect();
    calls.extend(
        wanted
            .iter()
            .filter(|subnet| !current.contains(subnet.as_str()))
            .map(|subnet| vec![("Action", "AssociateRouteTable"), ("RouteTableId", id.as_str()), ("SubnetId", subnet)]),
    );
    for call in &calls {
        if let Err(refusal) = ec2::run(&state, &session, call).await {
            let view = View::new(&state, session);
            let table = view.region().route_tables.get(id.as_str()).cloned().unwrap_or(table.clone());
            return edit_page(&view, &table, &wanted, Some(&refusal));
        }
    }
    shared::done(
        &href(&id),
        &[("tab", "subnets")],
        &format!("You have successfully updated subnet associations for {id}."),
    )
}
