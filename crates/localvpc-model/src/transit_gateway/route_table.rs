//! Transit gateway route tables (part 2 §14.1): Create/Delete, associations (at most one table per attachment on
//! a gateway) and propagations (any number of tables). A table stores its static routes and the IDs of the
//! attachments associated with it and propagating into it, in the order they were added: propagated routes are
//! derived from those (`routes.rs`), never copied.

use serde::{Deserialize, Serialize};

use super::attachment::{self, TransitGatewayAttachment};
use super::routes::StaticRoute;
use super::{find_owned, TransitGateway};
use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::index::WorldIndex;
use crate::tags::{Tag, Tags};
use crate::world::{Scope, SpanningResource, Table, Timestamp, Tx, World};
use crate::{Result, TransitGatewayError};

/// One transit gateway route table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitGatewayRouteTable {
    /// `tgw-rtb-…`.
    pub id: String,
    /// Its gateway.
    pub transit_gateway_id: String,
    /// The gateway owner's account.
    pub account: String,
    /// The gateway's Region.
    pub region: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// Static and blackhole routes, ordered by destination.
    pub routes: Vec<StaticRoute>,
    /// Attachments associated with this table, in association order.
    pub associations: Vec<String>,
    /// Attachments propagating into this table, in the order propagation was enabled (which decides whose CIDR
    /// wins when two overlap, `routes.rs`).
    pub propagations: Vec<String>,
    /// Tags.
    pub tags: Tags,
}

impl SpanningResource for TransitGatewayRouteTable {
    const KIND: &'static str = "transit_gateway_route_table";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(world: &World) -> &Table<Self> {
        &world.transit_gateway_route_tables
    }
    fn table_mut(world: &mut World) -> &mut Table<Self> {
        &mut world.transit_gateway_route_tables
    }
    fn reindex(index: &mut WorldIndex, old: Option<&Self>, new: Option<&Self>) {
        if let Some(old) = old {
            index.set_transit_gateway_route_table(&old.transit_gateway_id, &old.id, false);
        }
        if let Some(new) = new {
            index.set_transit_gateway_route_table(&new.transit_gateway_id, &new.id, true);
        }
    }
}

impl TransitGatewayRouteTable {
    /// Whether `scope` owns the table (route tables are never shared, part 2 §14.3 [D]).
    pub fn is_owned_by(&self, scope: &Scope) -> bool {
        self.account == scope.account && self.region == scope.region
    }

    /// `defaultAssociationRouteTable`.
    pub fn is_default_association(&self, world: &World) -> bool {
        gateway_of(world, self)
            .is_some_and(|gateway| gateway.options.association_default_route_table_id.as_deref() == Some(&self.id))
    }

    /// `defaultPropagationRouteTable`.
    pub fn is_default_propagation(&self, world: &World) -> bool {
        gateway_of(world, self)
            .is_some_and(|gateway| gateway.options.propagation_default_route_table_id.as_deref() == Some(&self.id))
    }
}

fn gateway_of<'w>(world: &'w World, table: &TransitGatewayRouteTable) -> Option<&'w TransitGateway> {
    world.transit_gateways.get(table.transit_gateway_id.as_str()).map(|gateway| &**gateway)
}

/// The tables of one gateway.
pub fn of_gateway<'w>(world: &'w World, gateway_id: &'w str) -> impl Iterator<Item = &'w TransitGatewayRouteTable> {
    let tables = &world.transit_gateway_route_tables;
    world.index().transit_gateway_route_tables(gateway_id).filter_map(|id| tables.get(id).map(|table| &**table))
}

/// The table of gateway `gateway_id` that `attachment_id` is associated with.
pub fn associated_table<'w>(
    world: &'w World,
    gateway_id: &'w str,
    attachment_id: &str,
) -> Option<&'w TransitGatewayRouteTable> {
    of_gateway(world, gateway_id).find(|table| table.associations.iter().any(|id| id == attachment_id))
}

/// A new, empty table of `gateway_id` (not yet stored).
pub(crate) fn new_table(tx: &mut Tx, scope: &Scope, gateway_id: &str, tags: Tags) -> TransitGatewayRouteTable {
    TransitGatewayRouteTable {
        id: tx.next_id(IdKind::TransitGatewayRouteTable),
        transit_gateway_id: gateway_id.to_string(),
        account: scope.account.clone(),
        region: scope.region.clone(),
        created_at: tx.now(),
        routes: Vec::new(),
        associations: Vec::new(),
        propagations: Vec::new(),
        tags,
    }
}

/// CreateTransitGatewayRouteTable (part 2 §14.1): by the gateway's owner.
pub fn create(tx: &mut Tx, scope: &Scope, gateway_id: &str, tags: Vec<Tag>) -> Result<TransitGatewayRouteTable> {
    let gateway = find_owned(tx.world(), scope, gateway_id)?;
    crate::tags::validate(&tags)?;
    let existing = of_gateway(tx.world(), &gateway.id).count();
    crate::quotas::check(tx.quotas().route_tables_per_transit_gateway, existing, 1, || {
        TransitGatewayError::RouteTableLimitExceeded(gateway.id.clone()).into()
    })?;
    let table = new_table(tx, scope, &gateway.id, Tags(tags));
    tx.put_spanning(table.clone());
    Ok(table)
}

/// A table `scope` owns.
pub fn find(world: &World, scope: &Scope, id: &str) -> Result<TransitGatewayRouteTable> {
    IdKind::TransitGatewayRouteTable.check(id)?;
    world
        .transit_gateway_route_tables
        .get(id)
        .filter(|table| table.is_owned_by(scope))
        .map(|table| (**table).clone())
        .ok_or_else(|| TransitGatewayError::RouteTableNotFound(id.to_string()).into())
}

/// DeleteTransitGatewayRouteTable. ASSUMPTION (part 2 §14.2 [I]): refused with IncorrectState while the table is
/// the gateway's default or has associations or propagations; its static routes go with it.
pub fn delete(tx: &mut Tx, scope: &Scope, id: &str) -> Result<TransitGatewayRouteTable> {
    let table = find(tx.world(), scope, id)?;
    if table.is_default_association(tx.world()) || table.is_default_propagation(tx.world()) {
        let error = TransitGatewayError::DefaultRouteTable {
            route_table_id: table.id.clone(),
            transit_gateway_id: table.transit_gateway_id.clone(),
        };
        return Err(error.into());
    }
    if !table.associations.is_empty() || !table.propagations.is_empty() {
        return Err(TransitGatewayError::RouteTableInUse(table.id.clone()).into());
    }
    tx.remove_spanning::<TransitGatewayRouteTable>(&table.id);
    Ok(table)
}

/// The table and an attachment of its gateway, as an association or propagation needs them.
fn table_and_attachment(
    tx: &Tx,
    scope: &Scope,
    table_id: &str,
    attachment_id: &str,
) -> Result<(TransitGatewayRouteTable, TransitGatewayAttachment)> {
    let table = find(tx.world(), scope, table_id)?;
    let attachment = attachment::find_visible(tx.world(), scope, attachment_id, tx.now())?;
    if !attachment.touches(&table.transit_gateway_id) {
        let error = TransitGatewayError::AttachmentOfOtherGateway {
            attachment_id: attachment.id.clone(),
            route_table_id: table.id.clone(),
        };
        return Err(error.into());
    }
    if !attachment.is_live() {
        return Err(attachment.incorrect_state());
    }
    Ok((table, attachment))
}

/// AssociateTransitGatewayRouteTable (part 2 §14.1 [D]): an attachment has at most one associated table on a
/// gateway; a second is refused until the first is disassociated (§14.2 [O]).
pub fn associate(
    tx: &mut Tx,
    scope: &Scope,
    table_id: &str,
    attachment_id: &str,
) -> Result<(TransitGatewayRouteTable, TransitGatewayAttachment)> {
    let (mut table, attachment) = table_and_attachment(tx, scope, table_id, attachment_id)?;
    if associated_table(tx.world(), &table.transit_gateway_id, &attachment.id).is_some() {
        return Err(TransitGatewayError::AlreadyAssociated(attachment.id.clone()).into());
    }
    table.associations.push(attachment.id.clone());
    tx.put_spanning(table.clone());
    Ok((table, attachment))
}

/// DisassociateTransitGatewayRouteTable.
pub fn disassociate(
    tx: &mut Tx,
    scope: &Scope,
    table_id: &str,
    attachment_id: &str,
) -> Result<(TransitGatewayRouteTable, TransitGatewayAttachment)> {
    let mut table = find(tx.world(), scope, table_id)?;
    let attachment = attachment::find_visible(tx.world(), scope, attachment_id, tx.now())?;
    if !table.associations.contains(&attachment.id) {
        let error = TransitGatewayError::NotAssociated {
            attachment_id: attachment.id.clone(),
            route_table_id: table.id.clone(),
        };
        return Err(error.into());
    }
    table.associations.retain(|id| id != &attachment.id);
    tx.put_spanning(table.clone());
    Ok((table, attachment))
}

/// EnableTransitGatewayRouteTablePropagation (part 2 §14.1 [D]): one propagation per (attachment, table).
pub fn enable_propagation(
    tx: &mut Tx,
    scope: &Scope,
    table_id: &str,
    attachment_id: &str,
) -> Result<(TransitGatewayRouteTable, TransitGatewayAttachment)> {
    let (mut table, attachment) = table_and_attachment(tx, scope, table_id, attachment_id)?;
    if table.propagations.contains(&attachment.id) {
        let error = TransitGatewayError::PropagationDuplicate {
            attachment_id: attachment.id.clone(),
            route_table_id: table.id.clone(),
        };
        return Err(error.into());
    }
    table.propagations.push(attachment.id.clone());
    tx.put_spanning(table.clone());
    Ok((table, attachment))
}

/// DisableTransitGatewayRouteTablePropagation.
pub fn disable_propagation(
    tx: &mut Tx,
    scope: &Scope,
    table_id: &str,
    attachment_id: &str,
) -> Result<(TransitGatewayRouteTable, TransitGatewayAttachment)> {
    let mut table = find(tx.world(), scope, table_id)?;
    let attachment = attachment::find_visible(tx.world(), scope, attachment_id, tx.now())?;
    if !table.propagations.contains(&attachment.id) {
        let error = TransitGatewayError::PropagationNotFound {
            attachment_id: attachment.id.clone(),
            route_table_id: table.id.clone(),
        };
        return Err(error.into());
    }
    table.propagations.retain(|id| id != &attachment.id);
    tx.put_spanning(table.clone());
    Ok((table, attachment))
}

/// Applies the gateway's defaults to an attachment that just became available (part 2 §14.1 [D]): associated with
/// the association default table, propagating into the propagation default table. Part 2 §14.3 [I]: the same on
/// acceptance of a cross-account attachment (ASSUMPTION: applied when it becomes available, not before).
pub(crate) fn apply_defaults(tx: &mut Tx, gateway_id: &str, attachment_id: &str) {
    let Some(gateway) = tx.world().transit_gateways.get(gateway_id).cloned() else { return };
    if let Some(table_id) = gateway.options.association_default_route_table_id.as_deref() {
        let unassociated = associated_table(tx.world(), gateway_id, attachment_id).is_none();
        if let Some(table) = tx.get_spanning::<TransitGatewayRouteTable>(table_id).filter(|_| unassociated) {
            let mut table = (*table).clone();
            table.associations.push(attachment_id.to_string());
            tx.put_spanning(table);
        }
    }
    if let Some(table_id) = gateway.options.propagation_default_route_table_id.as_deref() {
        if let Some(table) = tx.get_spanning::<TransitGatewayRouteTable>(table_id) {
            if !table.propagations.iter().any(|id| id == attachment_id) {
                let mut table = (*table).clone();
                table.propagations.push(attachment_id.to_string());
                tx.put_spanning(table);
            }
        }
    }
}

/// Removes an attachment from every table's associations and propagations (the attachment was deleted or
/// rejected). Static routes to it stay, and turn `blackhole` (`routes.rs`).
pub(crate) fn forget_attachment(tx: &mut Tx, attachment_id: &str) {
    let touched: Vec<TransitGatewayRouteTable> = tx
        .world()
        .transit_gateway_route_tables
        .values()
        .filter(|table| table.associations.iter().chain(&table.propagations).any(|id| id == attachment_id))
        .map(|table| (**table).clone())
        .collect();
    for mut table in touched {
        table.associations.retain(|id| id != attachment_id);
        table.propagations.retain(|id| id != attachment_id);
        tx.put_spanning(table);
    }
}

/// Tags on a table (CreateTags/DeleteTags with a `tgw-rtb-` ID).
pub fn edit_tags(tx: &mut Tx, scope: &Scope, id: &str, change: &mut dyn FnMut(&mut Tags) -> Result<()>) -> Result<()> {
    let mut table = find(tx.world(), scope, id)?;
    change(&mut table.tags)?;
    tx.put_spanning(table);
    Ok(())
}

/// A table with its world, for the DescribeTransitGatewayRouteTables filters.
pub struct RouteTableView<'a> {
    /// The table.
    pub table: &'a TransitGatewayRouteTable,
    /// The world (for the gateway's defaults).
    pub world: &'a World,
}

impl Filterable for RouteTableView<'_> {
    const FILTERS: &'static [&'static str] = &[
        "default-association-route-table",
        "default-propagation-route-table",
        "state",
        "transit-gateway-id",
        "transit-gateway-route-table-id",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let table = self.table;
        match name {
            "default-association-route-table" => out.push(table.is_default_association(self.world).to_string()),
            "default-propagation-route-table" => out.push(table.is_default_propagation(self.world).to_string()),
            "state" => out.push("available".into()),
            "transit-gateway-id" => out.push(table.transit_gateway_id.clone()),
            "transit-gateway-route-table-id" => out.push(table.id.clone()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.table.tags)
    }
}

/// One row of GetTransitGatewayRouteTableAssociations or …Propagations: an attachment of the table.
pub struct AttachmentRow<'a> {
    /// The attachment.
    pub attachment: &'a TransitGatewayAttachment,
    /// The gateway whose table lists it (a peering attachment shows the other gateway as its resource).
    pub gateway_id: &'a str,
}

impl Filterable for AttachmentRow<'_> {
    const FILTERS: &'static [&'static str] = &["resource-id", "resource-type", "transit-gateway-attachment-id"];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        match name {
            "resource-id" => out.push(self.attachment.resource_id_from(self.gateway_id).to_string()),
            "resource-type" => out.push(self.attachment.resource_type().into()),
            "transit-gateway-attachment-id" => out.push(self.attachment.id.clone()),
            _ => {}
        }
    }
}

/// The attachments listed by `ids` (associations or propagations of a table), as rows.
pub fn rows<'w>(world: &'w World, table: &'w TransitGatewayRouteTable, ids: &'w [String]) -> Vec<AttachmentRow<'w>> {
    ids.iter()
        .filter_map(|id| world.transit_gateway_attachments.get(id.as_str()))
        .map(|attachment| AttachmentRow { attachment, gateway_id: &table.transit_gateway_id })
        .collect()
}
