//! Subnet CIDR reservations (spec part 2 §11.6): ranges of a subnet that automatic address assignment never picks
//! from. `explicit` ranges are for addresses a caller names (`PrivateIpAddress`), `prefix` ranges for prefix
//! delegation (not modelled); both are skipped by [`crate::network_interface::first_free_address`]. A reservation may
//! cover addresses already in use (nothing is unassigned), and reservations of a subnet never overlap.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::cidr::{self, Ipv4Net};
use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::index::Indexes;
use crate::subnet;
use crate::tags::{self, Tags};
use crate::world::{RegionState, Resource, Scope, Table, Tx};
use crate::{Ec2Error, Result};

/// What a reservation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReservationType {
    /// Addresses assigned only when named.
    Explicit,
    /// Prefix delegation.
    Prefix,
}

impl ReservationType {
    /// AWS's spelling.
    pub fn name(self) -> &'static str {
        match self {
            ReservationType::Explicit => "explicit",
            ReservationType::Prefix => "prefix",
        }
    }

    /// Parses `ReservationType` (botocore's enum `SubnetCidrReservationType`).
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "explicit" => Ok(ReservationType::Explicit),
            "prefix" => Ok(ReservationType::Prefix),
            other => Err(Ec2Error::UnknownEnumValue { parameter: "ReservationType", value: other.to_string() }),
        }
    }
}

/// A subnet CIDR reservation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubnetCidrReservation {
    /// `scr-…`.
    pub id: String,
    /// Its subnet.
    pub subnet_id: String,
    /// The range.
    pub cidr: Ipv4Net,
    /// What it is for.
    pub reservation_type: ReservationType,
    /// Owning account.
    pub owner_id: String,
    /// `Description` (empty when absent).
    pub description: String,
    /// Tags.
    pub tags: Tags,
}

impl Resource for SubnetCidrReservation {
    const KIND: &'static str = "subnet_cidr_reservation";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.subnet_cidr_reservations
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.subnet_cidr_reservations
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
    /// The reserved ranges of each subnet, for address assignment and the overlap check.
    fn reindex(index: &mut Indexes<'_>, old: Option<&Self>, new: Option<&Self>) {
        if let Some(old) = old {
            index.region.remove_reserved_range(&old.subnet_id, &old.cidr);
        }
        if let Some(new) = new {
            index.region.add_reserved_range(&new.subnet_id, &new.cidr, &new.id);
        }
    }
}

impl Filterable for SubnetCidrReservation {
    const FILTERS: &'static [&'static str] = &["reservationType", "subnet-id"];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        match name {
            "reservationType" => out.push(self.reservation_type.name().into()),
            "subnet-id" => out.push(self.subnet_id.clone()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.tags)
    }
}

/// CreateSubnetCidrReservation, decoded.
#[derive(Debug, Clone)]
pub struct CreateSubnetCidrReservation {
    /// `SubnetId`.
    pub subnet_id: String,
    /// `Cidr`, as sent.
    pub cidr: String,
    /// `ReservationType`.
    pub reservation_type: ReservationType,
    /// `Description`.
    pub description: String,
    /// Tags from `TagSpecification` type `subnet-cidr-reservation`.
    pub tags: Tags,
}

/// Spec §11.6: a reservation inside the subnet, overlapping none of the subnet's others.
pub fn create(tx: &mut Tx, scope: &Scope, request: CreateSubnetCidrReservation) -> Result<Arc<SubnetCidrReservation>> {
    let subnet = subnet::find(tx.region(scope), &request.subnet_id)?;
    tags::validate(&request.tags.0)?;
    let block = cidr::parse_canonical(&request.cidr).ok_or_else(|| {
        Ec2Error::InvalidParameterValue(format!("Value ({}) for parameter cidr is invalid.", request.cidr))
    })?;
    // ASSUMPTION (spec §11.6 [M]): the two refusals' texts as moto words them after AWS.
    // An IPv6-only subnet has no IPv4 block for an IPv4 reservation to lie in (IPv6 reservations are not kept).
    if !subnet.cidr_block.is_some_and(|subnet_block| subnet_block.contains(&block)) {
        let subnet_block = match (subnet.cidr_block, subnet.ipv6_cidr_block()) {
            (Some(v4), _) => v4.to_string(),
            (None, Some(v6)) => v6.to_string(),
            (None, None) => String::new(),
        };
        return Err(Ec2Error::InvalidParameterValue(format!(
            "Reservation CIDR should be within subnet CIDR block ({subnet_block})"
        )));
    }
    let region = tx.region(scope);
    if region.index.reserved_ranges(&subnet.id).any(|(reserved, _)| cidr::overlaps(&reserved, &block)) {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "Reservation CIDR {block} has overlap with existing reserved CIDR block"
        )));
    }
    let id = tx.next_id(IdKind::SubnetCidrReservation);
    tx.put(
        scope,
        SubnetCidrReservation {
            id: id.clone(),
            subnet_id: subnet.id.clone(),
            cidr: block,
            reservation_type: request.reservation_type,
            owner_id: scope.account.clone(),
            description: request.description,
            tags: request.tags,
        },
    );
    Ok(tx.get(scope, &id).expect("just inserted"))
}

/// Looks a reservation up. No shape check: an ID of any shape that names none is NotFound (spec §11.6 [M]).
pub fn find(region: &RegionState, id: &str) -> Result<Arc<SubnetCidrReservation>> {
    region.subnet_cidr_reservations.get(id).cloned().ok_or_else(|| Ec2Error::SubnetCidrReservationNotFound(id.into()))
}

/// Spec §11.6: deleting a reservation makes its unused addresses assignable again.
pub fn delete(tx: &mut Tx, scope: &Scope, id: &str) -> Result<Arc<SubnetCidrReservation>> {
    let reservation = find(tx.region(scope), id)?;
    tx.remove::<SubnetCidrReservation>(scope, id);
    Ok(reservation)
}

/// The reservations of a subnet, in range order (GetSubnetCidrReservations).
pub fn of_subnet<'a>(region: &'a RegionState, subnet_id: &str) -> Vec<&'a Arc<SubnetCidrReservation>> {
    let ids: Vec<&str> = region.index.reserved_ranges(subnet_id).map(|(_, id)| id).collect();
    ids.into_iter().filter_map(|id| region.subnet_cidr_reservations.get(id)).collect()
}

/// ASSUMPTION (spec §11.6 [I]): a subnet's reservations go with it when it is deleted.
pub fn delete_with_subnet(tx: &mut Tx, scope: &Scope, subnet_id: &str) {
    let ids: Vec<String> = tx.region(scope).index.reserved_ranges(subnet_id).map(|(_, id)| id.to_string()).collect();
    for id in ids {
        tx.remove::<SubnetCidrReservation>(scope, &id);
    }
}
