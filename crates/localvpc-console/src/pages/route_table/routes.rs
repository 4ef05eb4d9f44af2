//! "Edit routes": the table's routes as rows (a destination field and a target picker each) plus "Add route" rows.
//! Saving compares the rows with the table's routes and issues the EC2 calls one by one — DeleteRoute for a
//! destination no row has any more, then per row CreateRoute (a new destination) or ReplaceRoute (a new target) —
//! stopping at the first refusal, which comes back with the form as submitted. "Add route" and "Remove" redraw the
//! form on the server, so the page works without script.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use localvpc_model::route_table::{route_state, RouteTable};
use maud::html;

use super::{href, target_value, LIST};
use crate::ec2::{self, Refusal};
use crate::layout::{self, Form};
use crate::pages::shared::{self, label};
use crate::pages::vpc::not_found;
use crate::pages::View;
use crate::session::Session;
use crate::ConsoleState;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new().route("/console/route-tables/{id}/routes", get(edit_form).post(edit))
}

fn page_href(id: &str) -> String {
    format!("{}/routes", href(id))
}

/// One row of the form: a destination CIDR and a target (`local` or the target's ID; empty when none is chosen).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Row {
    destination: String,
    target: String,
}

impl Row {
    fn is_blank(&self) -> bool {
        self.destination.is_empty() && self.target.is_empty()
    }
}

fn rows_of(table: &RouteTable) -> Vec<Row> {
    table
        .routes
        .iter()
        .map(|route| Row { destination: route.destination.to_string(), target: target_value(&route.target).into() })
        .collect()
}

/// Most rows a form may carry (AWS allows 500 routes per table).
const MAX_ROWS: usize = 1000;

/// The rows as submitted: `rows` says how many, `dest-N` and `target-N` are row N. `None` for a form this page did
/// not make (no row count): saving it would delete every route.
fn parse_rows(form: &Form) -> Option<Vec<Row>> {
    let count = form.get("rows")?.parse::<usize>().ok().filter(|count| *count <= MAX_ROWS)?;
    let rows = (0..count)
        .map(|i| Row {
            destination: form.get(&format!("dest-{i}")).unwrap_or_default().trim().to_string(),
            target: form.get(&format!("target-{i}")).unwrap_or_default().to_string(),
        })
        .collect();
    Some(rows)
}

/// What a submit button asks for.
#[derive(Debug, PartialEq, Eq)]
enum Intent {
    Save,
    Add,
    Remove(usize),
}

fn intent(action: Option<&str>) -> Option<Intent> {
    match action.unwrap_or("save") {
        "save" => Some(Intent::Save),
        "add" => Some(Intent::Add),
        other => other.strip_prefix("remove-")?.parse().ok().map(Intent::Remove),
    }
}

/// One EC2 call of a save.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    Delete(String),
    Create(Row),
    Replace(Row),
}

impl Change {
    fn describe(&self) -> String {
        match self {
            Change::Delete(destination) => format!("DeleteRoute {destination}"),
            Change::Create(row) => format!("CreateRoute {} → {}", row.destination, row.target),
            Change::Replace(row) => format!("ReplaceRoute {} → {}", row.destination, row.target),
        }
    }
}

/// The calls that turn `old` into `new`, in the order they are issued: a DeleteRoute for every destination no row
/// names any more, then per row (in order, blank rows skipped) a CreateRoute for a destination the table does not
/// have — or has already been claimed by an earlier row, which AWS then refuses — and a ReplaceRoute for one whose
/// target changed. Destinations are compared as written; AWS judges the text.
fn changes(old: &[Row], new: &[Row]) -> Vec<Change> {
    let new: Vec<&Row> = new.iter().filter(|row| !row.is_blank()).collect();
    let mut out: Vec<Change> = old
        .iter()
        .filter(|route| !new.iter().any(|row| row.destination == route.destination))
        .map(|route| Change::Delete(route.destination.clone()))
        .collect();
    let mut claimed: Vec<&str> = Vec::new();
    for row in new {
        let existing = old.iter().find(|route| route.destination == row.destination);
        match existing {
            Some(route) if !claimed.contains(&route.destination.as_str()) => {
                claimed.push(&route.destination);
                if route.target != row.target {
                    out.push(Change::Replace(row.clone()));
                }
            }
            _ => out.push(Change::Create(row.clone())),
        }
    }
    out
}

/// The target parameter of CreateRoute/ReplaceRoute for a picked target, by the ID's prefix (none when no target
/// was picked: AWS then answers that a target is missing).
fn target_parameter(target: &str) -> Option<(&'static str, &str)> {
    let name = match target {
        "" => return None,
        t if t.starts_with("pcx-") => "VpcPeeringConnectionId",
        t if t.starts_with("i-") => "InstanceId",
        t if t.starts_with("eni-") => "NetworkInterfaceId",
        t if t.starts_with("nat-") => "NatGatewayId",
        t if t.starts_with("tgw-") => "TransitGatewayId",
        _ => "GatewayId",
    };
    Some((name, target))
}

async fn run_change(state: &ConsoleState, session: &Session, table_id: &str, change: &Change) -> Result<(), Refusal> {
    let mut params = vec![("RouteTableId", table_id)];
    let row = match change {
        Change::Delete(destination) => {
            params.extend([("Action", "DeleteRoute"), ("DestinationCidrBlock", destination.as_str())]);
            return ec2::run(state, session, &params).await.map(|_| ());
        }
        Change::Create(row) => {
            params.push(("Action", "CreateRoute"));
            row
        }
        Change::Replace(row) => {
            params.push(("Action", "ReplaceRoute"));
            row
        }
    };
    params.push(("DestinationCidrBlock", &row.destination));
    params.extend(target_parameter(&row.target));
    ec2::run(state, session, &params).await.map(|_| ())
}

/// The picker's targets in this Region, by group as AWS's console offers them: local, internet gateways, the
/// table's VPC's available NAT gateways, the virtual private gateway attached to it, the peering connections this
/// scope sees, the transit gateways the table's VPC is attached to, instances (not terminated) and network
/// interfaces.
fn target_groups(view: &View, vpc_id: &str) -> Vec<(&'static str, Vec<(String, String)>)> {
    let region = view.region();
    let scope = &view.session.scope;
    let now = localvpc_api::control::Control::now(&view.world);
    let mut igws: Vec<_> =
        region.internet_gateways.values().map(|igw| (igw.id.clone(), label(&igw.id, &igw.tags))).collect();
    let mut peerings: Vec<_> = view
        .world
        .peerings()
        .values()
        .filter(|pcx| pcx.visible_to(scope, now))
        .map(|pcx| (pcx.id.clone(), label(&pcx.id, pcx.tags_for(scope))))
        .collect();
    let mut instances: Vec<_> = region
        .instances
        .values()
        .filter(|instance| instance.state.name() != "terminated")
        .map(|instance| (instance.id.clone(), label(&instance.id, &instance.tags)))
        .collect();
    let mut interfaces: Vec<_> =
        region.network_interfaces.values().map(|eni| (eni.id.clone(), label(&eni.id, &eni.tags))).collect();
    let vgws: Vec<_> = localvpc_model::vpn_gateway::attached_to(region, vpc_id)
        .map(|vgw| (vgw.id.clone(), label(&vgw.id, &vgw.tags)))
        .into_iter()
        .collect();
    let mut transit_gateways: Vec<_> =
        localvpc_model::transit_gateway::vpc_attachment::attached_gateways(&view.world, vpc_id)
            .map(|gateway| (gateway.id.clone(), label(&gateway.id, gateway.tags_for(scope))))
            .collect();
    for group in [&mut igws, &mut peerings, &mut transit_gateways, &mut instances, &mut interfaces] {
        group.sort();
    }
    vec![
        ("Local", vec![("local".to_string(), "local".to_string())]),
        ("Internet Gateway", igws),
        ("NAT Gateway", super::super::nat_gateway::available_in_vpc(region, vpc_id)),
        ("Virtual Private Gateway", vgws),
        ("Peering Connection", peerings),
        ("Transit Gateway", transit_gateways),
        ("Instance", instances),
        ("Network Interface", interfaces),
    ]
}

async fn edit_form(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    let view = View::new(&state, session);
    let Some(table) = view.region().route_tables.get(id.as_str()).cloned() else {
        return not_found(&view, "route table", &id);
    };
    edit_page(&view, &table, &rows_of(&table), None, &[])
}

fn edit_page(view: &View, table: &RouteTable, rows: &[Row], refusal: Option<&Refusal>, made: &[Change]) -> Response {
    let region = view.region();
    let groups = target_groups(view, &table.vpc_id);
    let title = format!("Edit routes — {}", table.id);
    let existing = |row: &Row| table.routes.iter().find(|route| route.destination.to_string() == row.destination);
    let body = html! {
        div class="crumbs" {
            a href=(LIST) { "Route tables" } " › " a href=(href(&table.id)) { (table.id) } " › Edit routes"
        }
        div class="page-head" { h1 { "Edit routes" } }
        (layout::refusal(refusal))
        @if refusal.is_some() && !made.is_empty() {
            p class="hint" id="made-before-refusal" {
                "Made before the refusal: " (made.iter().map(Change::describe).collect::<Vec<_>>().join("; ")) "."
            }
        }
        form class="panel edit-routes" method="post" action=(page_href(&table.id)) {
            input type="hidden" name="rows" value=(rows.len());
            // The default button (Enter in a field) saves, rather than removing the first removable row.
            button class="visually-hidden" type="submit" name="action" value="save" tabindex="-1" aria-hidden="true" { "Save changes" }
            h2 { "Routes" }
            table class="list" {
                thead {
                    tr {
                        th scope="col" { "Destination" } th scope="col" { "Target" } th scope="col" { "Status" }
                        th scope="col" { "Propagated" } th scope="col" { span class="visually-hidden" { "Remove" } }
                    }
                }
                tbody {
                    @for (i, row) in rows.iter().enumerate() {
                        @let route = existing(row);
                        @let local = route.is_some_and(|route| route.is_local());
                        tr {
                            td {
                                label class="visually-hidden" for=(format!("dest-{i}")) { "Destination of route " (i + 1) }
                                input type="text" class="mono" id=(format!("dest-{i}")) name=(format!("dest-{i}")) value=(row.destination)
                                    placeholder="0.0.0.0/0" readonly[local];
                            }
                            td {
                                label class="visually-hidden" for=(format!("target-{i}")) { "Target of route " (i + 1) }
                                select id=(format!("target-{i}")) name=(format!("target-{i}")) {
                                    option value="" selected[row.target.is_empty()] { "Select a target" }
                                    @for (group, options) in &groups {
                                        optgroup label=(group) {
                                            @for (value, text) in options {
                                                option value=(value) selected[*value == row.target] { (text) }
                                            }
                                        }
                                    }
                                    @if !row.target.is_empty() && !groups.iter().any(|(_, options)| options.iter().any(|(v, _)| *v == row.target)) {
                                        optgroup label="Current target" { option value=(row.target) selected { (row.target) } }
                                    }
                                }
                            }
                            td {
                                @match route {
                                    Some(route) => (layout::badge(route_state(&view.world, region, table, route).as_str())),
                                    None => "–",
                                }
                            }
                            td { "No" }
                            td {
                                @if !local {
                                    button type="submit" name="action" value=(format!("remove-{i}")) id=(format!("remove-{i}")) { "Remove" }
                                }
                            }
                        }
                    }
                }
            }
            div class="row-actions" {
                button type="submit" name="action" value="add" id="add-route" { "Add route" }
            }
            div class="form-actions" {
                a class="button" href=(href(&table.id)) { "Cancel" }
                button class="primary" type="submit" name="action" value="save" id="save-routes" { "Save changes" }
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
    let (Some(mut rows), Some(intent)) = (parse_rows(&form), intent(form.get("action"))) else {
        return layout::bad_request("This is not the Edit routes form: it has no row count or an unknown action.");
    };
    match intent {
        Intent::Add if rows.len() < MAX_ROWS => {
            rows.push(Row::default());
            return edit_page(&view, &table, &rows, None, &[]);
        }
        Intent::Remove(index) => {
            if index < rows.len() {
                rows.remove(index);
            }
            return edit_page(&view, &table, &rows, None, &[]);
        }
        Intent::Add | Intent::Save => {}
    }
    let planned = changes(&rows_of(&table), &rows);
    for (done, change) in planned.iter().enumerate() {
        if let Err(refusal) = run_change(&state, &session, &id, change).await {
            let view = View::new(&state, session);
            let table = view.region().route_tables.get(id.as_str()).cloned().unwrap_or(table);
            return edit_page(&view, &table, &rows, Some(&refusal), &planned[..done]);
        }
    }
    shared::done(&href(&id), &[("tab", "routes")], &format!("Updated routes for {id} successfully."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(destination: &str, target: &str) -> Row {
        Row { destination: destination.into(), target: target.into() }
    }

    #[test]
    fn unchanged_rows_need_no_call() {
        let old = [row("10.0.0.0/16", "local"), row("0.0.0.0/0", "igw-1")];
        assert!(changes(&old, &old).is_empty());
        // A blank "Add route" row left as it is changes nothing either.
        assert!(changes(&old, &[old[0].clone(), old[1].clone(), Row::default()]).is_empty());
    }

    #[test]
    fn deletes_come_first_then_rows_in_order() {
        let old = [row("10.0.0.0/16", "local"), row("0.0.0.0/0", "igw-1"), row("10.9.0.0/16", "pcx-1")];
        let new = [row("10.0.0.0/16", "local"), row("0.0.0.0/0", "igw-2"), row("192.168.0.0/16", "pcx-1")];
        assert_eq!(
            changes(&old, &new),
            vec![
                Change::Delete("10.9.0.0/16".into()),
                Change::Replace(row("0.0.0.0/0", "igw-2")),
                Change::Create(row("192.168.0.0/16", "pcx-1")),
            ]
        );
    }

    #[test]
    fn a_second_row_for_one_destination_is_a_create_aws_refuses() {
        let old = [row("10.0.0.0/16", "local")];
        let new = [row("10.0.0.0/16", "local"), row("10.0.0.0/16", "igw-1")];
        assert_eq!(changes(&old, &new), vec![Change::Create(row("10.0.0.0/16", "igw-1"))]);
    }

    #[test]
    fn a_form_without_a_row_count_or_with_an_unknown_action_is_not_saved() {
        assert_eq!(parse_rows(&Form::parse(b"dest-0=0.0.0.0/0")), None);
        assert_eq!(parse_rows(&Form::parse(b"rows=99999999999999999999")), None);
        assert_eq!(parse_rows(&Form::parse(b"rows=1&dest-0=%200.0.0.0/0%20")), Some(vec![row("0.0.0.0/0", "")]));
        assert_eq!(intent(None), Some(Intent::Save));
        assert_eq!(intent(Some("remove-2")), Some(Intent::Remove(2)));
        assert_eq!(intent(Some("remove-x")), None);
        assert_eq!(intent(Some("drop")), None);
    }

    #[test]
    fn target_parameter_follows_the_id_prefix() {
        assert_eq!(target_parameter("local"), Some(("GatewayId", "local")));
        assert_eq!(target_parameter("igw-1"), Some(("GatewayId", "igw-1")));
        assert_eq!(target_parameter("pcx-1"), Some(("VpcPeeringConnectionId", "pcx-1")));
        assert_eq!(target_parameter("i-1"), Some(("InstanceId", "i-1")));
        assert_eq!(target_parameter("eni-1"), Some(("NetworkInterfaceId", "eni-1")));
        assert_eq!(target_parameter("nat-1"), Some(("NatGatewayId", "nat-1")));
        assert_eq!(target_parameter("tgw-1"), Some(("TransitGatewayId", "tgw-1")));
        assert_eq!(target_parameter(""), None);
    }
}
