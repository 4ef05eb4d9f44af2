//! Internet gateways (spec §2.4): one per VPC, one VPC per gateway; attachment state is `available`.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::tags::{Tag, Tags};
use crate::world::{RegionState, Resource, Scope, Table, Tx};
use crate::{Ec2Error, Result};

/// An internet gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InternetGateway {
    /// `igw-…`.
    pub id: String,
    /// Owning account.
    pub owner_id: String,
    /// The VPC it is attached to.
    pub attached_vpc: Option<String>,
    /// Tags.
    pub tags: Tags,
}

impl Resource for InternetGateway {
    const KIND: &'static str = "internet_gateway";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.internet_gateways
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.internet_gateways
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
}

impl Filterable for InternetGateway {
    const FILTERS: &'static [&'static str] =
        &["attachment.state", "attachment.vpc-id", "internet-gateway-id", "owner-id"];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        match name {
            "attachment.state" if self.attached_vpc.is_some() => out.push("available".into()),
            "attachment.vpc-id" => out.extend(self.attached_vpc.clone()),
            "internet-gateway-id" => out.push(self.id.clone()),
            "owner-id" => out.push(self.owner_id.clone()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.tags)
    }
}

/// Looks a gateway up, checking the ID's shape first.
pub fn find(region: &RegionState, igw_id: &str) -> Result<Arc<InternetGateway>> {
    IdKind::InternetGateway.check(igw_id)?;
    region
        .internet_gateways
        .get(igw_id)
        .cloned()
        .ok_or_else(|| Ec2Error::InternetGatewayNotFound(vec![igw_id.to_string()]))
}

/// CreateInternetGateway.
pub fn create(tx: &mut Tx, scope: &Scope, tags: Vec<Tag>) -> Result<Arc<InternetGateway>> {
    crate::tags::validate(&tags)?;
    check_quota(tx, scope)?;
    Ok(insert(tx, scope, Tags(tags)))
}

/// Spec §5: internet gateways per Region, attached or not (the default VPC's included).
pub(crate) fn check_quota(tx: &Tx, scope: &Scope) -> Result<()> {
    let existing = tx.region(scope).internet_gateways.len();
    crate::quotas::check(tx.quotas().internet_gateways_per_region, existing, 1, || {
        Ec2Error::InternetGatewayLimitExceeded
    })
}

/// A new detached gateway, with no check: CreateInternetGateway and the default VPC's set-up.
pub(crate) fn insert(tx: &mut Tx, scope: &Scope, tags: Tags) -> Arc<InternetGateway> {
    let igw = InternetGateway {
        id: tx.next_id(IdKind::InternetGateway),
        owner_id: scope.account.clone(),
        attached_vpc: None,
        tags,
    };
    let id = igw.id.clone();
    tx.put(scope, igw);
    tx.get(scope, &id).expect("just inserted")
}

/// AttachInternetGateway (spec §2.4).
pub fn attach(tx: &mut Tx, scope: &Scope, igw_id: &str, vpc_id: &str) -> Result<()> {
    let region = tx.region(scope);
    let igw = find(region, igw_id)?;
    let vpc = crate::vpc::find(region, vpc_id)?;
    if let Some(attached) = &igw.attached_vpc {
        return Err(Ec2Error::GatewayAlreadyAttached { igw: igw.id.clone(), vpc: attached.clone() });
    }
    if region.internet_gateways.values().any(|other| other.attached_vpc.as_deref() == Some(vpc.id.as_str())) {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "Network {} already has an internet gateway attached",
            vpc.id
        )));
    }
    tx.update::<InternetGateway>(scope, igw_id, |igw| igw.attached_vpc = Some(vpc.id.clone()));
    Ok(())
}

/// DetachInternetGateway (spec §2.4). Routes that point at the gateway stay and turn `blackhole`.
pub fn detach(tx: &mut Tx, scope: &Scope, igw_id: &str, vpc_id: &str) -> Result<()> {
    let region = tx.region(scope);
    let igw = find(region, igw_id)?;
    // ASSUMPTION (spec §2.4 [O-style]): the check is on the gateway's attachment, so a well-formed VPC ID that
    // names no VPC is answered `Gateway.NotAttached` like any VPC the gateway is not attached to (moto's
    // test_igw_detach_invalid_vpc expects the same); a malformed one is still `InvalidVpcID.Malformed`.
    IdKind::Vpc.check(vpc_id)?;
    if igw.attached_vpc.as_deref() != Some(vpc_id) {
        return Err(Ec2Error::GatewayNotAttached { igw: igw.id.clone(), vpc: vpc_id.to_string() });
    }
    let vpc = crate::vpc::find(region, vpc_id)?;
    // Spec §2.4 [O]: not while an interface of the VPC has a public address or an Elastic IP.
    let mapped = region.network_interfaces.values().any(|interface| {
        interface.vpc_id == vpc.id && crate::network_interface::public_address(region, interface).is_some()
    });
    if mapped {
        return Err(Ec2Error::VpcHasMappedPublicAddresses(vpc.id.clone()));
    }
    tx.update::<InternetGateway>(scope, igw_id, |igw| igw.attached_vpc = None);
    Ok(())
}

/// DeleteInternetGateway (spec §2.4): refused while attached.
pub fn delete(tx: &mut Tx, scope: &Scope, igw_id: &str) -> Result<()> {
    let igw = find(tx.region(scope), igw_id)?;
    if igw.attached_vpc.is_some() {
        return Err(Ec2Error::InternetGatewayHasDependencies(igw.id.clone()));
    }
    tx.remove::<InternetGateway>(scope, igw_id);
    Ok(())
}
