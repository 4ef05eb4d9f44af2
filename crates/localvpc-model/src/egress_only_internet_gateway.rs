//! Egress-only internet gateways (part 2 §16.2): the IPv6 outbound-only gateway of one VPC. Created attached
//! (there is no Attach/Detach action), deleted with `returnCode` true; routes name it for IPv6 destinations only.
//! What it does to packets (stateful, inbound-initiated connections dropped) belongs to the engine's IPv6 walk.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::Ipv6Error;
use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::tags::{Tag, Tags};
use crate::world::{RegionState, Resource, Scope, Table, Tx};
use crate::{quotas, Result};

/// An egress-only internet gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EgressOnlyInternetGateway {
    /// `eigw-…`.
    pub id: String,
    /// Owning account.
    pub owner_id: String,
    /// The VPC it is attached to, for its whole life.
    pub vpc_id: String,
    /// `ClientToken` of the Create that made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// Tags.
    pub tags: Tags,
}

/// Part 2 §16.2 [D bc; `attached` I]: the attachment state every gateway shows.
pub const ATTACHMENT_STATE: &str = "attached";

impl Resource for EgressOnlyInternetGateway {
    const KIND: &'static str = "egress_only_internet_gateway";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.egress_only_internet_gateways
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.egress_only_internet_gateways
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
}

impl Filterable for EgressOnlyInternetGateway {
    /// Part 2 §16.2 [D bc]: only the tag filters (`tag:<key>`, `tag-key`), which every Describe accepts.
    const FILTERS: &'static [&'static str] = &[];
    fn filter_values(&self, _name: &str, _out: &mut Vec<String>) {}
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.tags)
    }
}

/// Looks a gateway up, checking the ID's shape first.
pub fn find(region: &RegionState, id: &str) -> Result<Arc<EgressOnlyInternetGateway>> {
    IdKind::EgressOnlyInternetGateway.check(id)?;
    region
        .egress_only_internet_gateways
        .get(id)
        .cloned()
        .ok_or_else(|| Ipv6Error::EgressOnlyGatewayNotFound(vec![id.to_string()]).into())
}

/// CreateEgressOnlyInternetGateway parameters.
#[derive(Debug, Clone, Default)]
pub struct CreateEgressOnlyInternetGateway {
    /// `VpcId`.
    pub vpc_id: String,
    /// `ClientToken`.
    pub client_token: Option<String>,
    /// Tags from `TagSpecification` type `egress-only-internet-gateway`.
    pub tags: Vec<Tag>,
}

/// CreateEgressOnlyInternetGateway (part 2 §16.2): a repeated `ClientToken` answers the gateway it made.
pub fn create(
    tx: &mut Tx,
    scope: &Scope,
    request: CreateEgressOnlyInternetGateway,
) -> Result<Arc<EgressOnlyInternetGateway>> {
    let region = tx.region(scope);
    if let Some(token) = &request.client_token {
        let earlier = region.egress_only_internet_gateways.values().find(|gateway| {
            gateway.client_token.as_deref() == Some(token.as_str()) && gateway.vpc_id == request.vpc_id
        });
        if let Some(earlier) = earlier {
            return Ok(earlier.clone());
        }
    }
    let vpc = crate::vpc::find(region, &request.vpc_id)?;
    crate::tags::validate(&request.tags)?;
    // Part 2 §20 [D]: five per Region.
    let existing = region.egress_only_internet_gateways.len();
    quotas::check(tx.quotas().egress_only_internet_gateways_per_region, existing, 1, || {
        Ipv6Error::EgressOnlyGatewayLimitExceeded.into()
    })?;
    let gateway = EgressOnlyInternetGateway {
        id: tx.next_id(IdKind::EgressOnlyInternetGateway),
        owner_id: scope.account.clone(),
        vpc_id: vpc.id.clone(),
        client_token: request.client_token,
        tags: Tags(request.tags),
    };
    let id = gateway.id.clone();
    tx.put(scope, gateway);
    Ok(tx.get::<EgressOnlyInternetGateway>(scope, &id).expect("just inserted"))
}

/// DeleteEgressOnlyInternetGateway. ASSUMPTION (part 2 §16.2 is silent): routes to the gateway stay and become
/// blackholes, as routes to a deleted internet gateway do.
pub fn delete(tx: &mut Tx, scope: &Scope, id: &str) -> Result<()> {
    let gateway = find(tx.region(scope), id)?;
    tx.remove::<EgressOnlyInternetGateway>(scope, &gateway.id);
    Ok(())
}

/// Whether a VPC still has a gateway (DeleteVpc is refused while it does, as with an attached internet gateway).
pub fn any_in_vpc(region: &RegionState, vpc_id: &str) -> bool {
    region.egress_only_internet_gateways.values().any(|gateway| gateway.vpc_id == vpc_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vpc::{create_vpc, CreateVpc};
    use crate::{Timestamp, World};

    #[test]
    fn a_repeated_client_token_answers_the_same_gateway() {
        let mut world = World::default();
        let mut tx = Tx::new(&mut world, Timestamp(0));
        let scope = Scope::new(crate::DEFAULT_ACCOUNT, crate::DEFAULT_REGION);
        let vpc =
            create_vpc(&mut tx, &scope, CreateVpc { cidr_block: "10.0.0.0/16".into(), ..Default::default() }).unwrap();
        let request = CreateEgressOnlyInternetGateway {
            vpc_id: vpc.id.clone(),
            client_token: Some("token-1".into()),
            tags: Vec::new(),
        };
        let first = create(&mut tx, &scope, request.clone()).unwrap();
        let again = create(&mut tx, &scope, request.clone()).unwrap();
        let other = create(&mut tx, &scope, CreateEgressOnlyInternetGateway { client_token: None, ..request }).unwrap();
        assert_eq!(first.id, again.id);
        assert_ne!(first.id, other.id);
        assert_eq!(tx.region(&scope).egress_only_internet_gateways.len(), 2);
    }
}
