//! Transit gateways (part 2 §14): the gateway itself — its options and their defaults, the default route table,
//! who may use it — and CreateTransitGateway, ModifyTransitGateway and DeleteTransitGateway. Route tables,
//! associations and propagations are `transit_gateway/route_table.rs`, routes `transit_gateway/routes.rs`,
//! attachments `transit_gateway/attachment.rs` (VPC attachments in `vpc_attachment.rs`, peering in `peering.rs`).
//!
//! A gateway can be used by other accounts (AWS shares it through RAM, outside EC2), and its attachments join it
//! to VPCs of other accounts and to gateways of other Regions, so the three kinds live beside the regions in the
//! [`World`]'s spanning tables ([`SpanningResource`]) and each value names its owner. Sharing is read from the
//! gateway's [`SHARED_WITH_TAG`] tag: the accounts listed there may see the gateway and attach their VPCs to it.
//!
//! States AWS moves asynchronously are stored in their final form and only the answer of the call that starts
//! them shows the transition (`pending`, `modifying`, `deleting`), as instances do: a waiter or a Describe right
//! after sees `available`. A deleted gateway is removed at once.

pub mod attachment;
pub mod peering;
pub mod route_table;
pub mod routes;
#[cfg(test)]
mod tests;
pub mod vpc_attachment;
pub mod vpn_attachment;

use serde::{Deserialize, Serialize};

use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::tags::{Tag, Tags};
use crate::world::{Scope, SpanningResource, Table, Timestamp, Tx, World};
use crate::{Ec2Error, Result, TransitGatewayError};

pub use attachment::{AttachmentResource, AttachmentState, TransitGatewayAttachment};
pub use route_table::TransitGatewayRouteTable;

/// The tag through which an owner shares a gateway with other accounts: comma-separated 12-digit account IDs.
/// AWS shares transit gateways through Resource Access Manager, which is not part of EC2; this tag stands for the
/// RAM share (part 2 §14.3 [I]: the emulator models the share as a per-gateway list of accounts).
pub const SHARED_WITH_TAG: &str = "localvpc:shared-with";

/// One transit gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitGateway {
    /// `tgw-…`.
    pub id: String,
    /// The owner's account.
    pub account: String,
    /// The gateway's Region.
    pub region: String,
    /// `Description`.
    pub description: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// `options`.
    pub options: TransitGatewayOptions,
    /// The owner's tags.
    pub tags: Tags,
}

/// The `options` of a gateway (part 2 §14.1 [D bc], with AWS's defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitGatewayOptions {
    /// `amazonSideAsn` (default 64512).
    pub amazon_side_asn: i64,
    /// `autoAcceptSharedAttachments` (default disable).
    pub auto_accept_shared_attachments: bool,
    /// `defaultRouteTableAssociation` (default enable).
    pub default_route_table_association: bool,
    /// `associationDefaultRouteTableId`.
    pub association_default_route_table_id: Option<String>,
    /// `defaultRouteTablePropagation` (default enable).
    pub default_route_table_propagation: bool,
    /// `propagationDefaultRouteTableId`.
    pub propagation_default_route_table_id: Option<String>,
    /// `vpnEcmpSupport` (default enable).
    pub vpn_ecmp_support: bool,
    /// `dnsSupport` (default enable).
    pub dns_support: bool,
    /// `securityGroupReferencingSupport` (default disable).
    pub security_group_referencing_support: bool,
    /// `multicastSupport` (default disable).
    pub multicast_support: bool,
    /// `transitGatewayCidrBlocks`.
    pub cidr_blocks: Vec<String>,
}

/// Part 2 §14.1 [D]: the default `amazonSideAsn`.
pub const DEFAULT_AMAZON_SIDE_ASN: i64 = 64512;

impl TransitGateway {
    /// `arn:aws:ec2:<region>:<account>:transit-gateway/tgw-…` (part 2 §14.1 [D]).
    pub fn arn(&self) -> String {
        format!("arn:aws:ec2:{}:{}:transit-gateway/{}", self.region, self.account, self.id)
    }

    /// The owner's scope.
    pub fn owner_scope(&self) -> Scope {
        Scope::new(&self.account, &self.region)
    }

    /// Whether `scope` owns the gateway.
    pub fn is_owned_by(&self, scope: &Scope) -> bool {
        self.account == scope.account && self.region == scope.region
    }

    /// The accounts the owner shares the gateway with ([`SHARED_WITH_TAG`]).
    pub fn shared_with(&self) -> impl Iterator<Item = &str> {
        self.tags.get(SHARED_WITH_TAG).unwrap_or_default().split(',').map(str::trim).filter(|a| !a.is_empty())
    }

    /// Whether `scope` may see the gateway and attach to it: the owner, or an account it is shared with, in the
    /// gateway's Region (a share never crosses Regions).
    pub fn usable_by(&self, scope: &Scope) -> bool {
        self.region == scope.region
            && (self.account == scope.account || self.shared_with().any(|account| account == scope.account))
    }

    /// The tags `scope` sees. ASSUMPTION (part 2 §14.3 [I]): tags are the owner's; an account the gateway is shared
    /// with sees none, as a RAM consumer does not see the owner's tags.
    pub fn tags_for(&self, scope: &Scope) -> &Tags {
        static NONE: Tags = Tags(Vec::new());
        if self.is_owned_by(scope) {
            &self.tags
        } else {
            &NONE
        }
    }
}

impl SpanningResource for TransitGateway {
    const KIND: &'static str = "transit_gateway";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(world: &World) -> &Table<Self> {
        &world.transit_gateways
    }
    fn table_mut(world: &mut World) -> &mut Table<Self> {
        &mut world.transit_gateways
    }
}

/// An `enable`/`disable` option value, read once: `None` when absent.
pub fn parse_switch(parameter: &'static str, value: Option<&str>) -> Result<Option<bool>> {
    match value {
        None => Ok(None),
        Some("enable") => Ok(Some(true)),
        Some("disable") => Ok(Some(false)),
        Some(other) => Err(Ec2Error::UnknownEnumValue { parameter, value: other.to_string() }),
    }
}

/// A gateway as `scope` sees it, for the DescribeTransitGateways filters.
pub struct GatewayView<'a> {
    /// The gateway.
    pub gateway: &'a TransitGateway,
    /// The caller.
    pub scope: &'a Scope,
}

fn switch(value: bool) -> String {
    if value { "enable" } else { "disable" }.to_string()
}

impl Filterable for GatewayView<'_> {
    const FILTERS: &'static [&'static str] = &[
        "options.propagation-default-route-table-id",
        "options.amazon-side-asn",
        "options.association-default-route-table-id",
        "options.auto-accept-shared-attachments",
        "options.default-route-table-association",
        "options.default-route-table-propagation",
        "options.dns-support",
        "options.vpn-ecmp-support",
        "owner-id",
        "state",
        "transit-gateway-id",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let gateway = self.gateway;
        let options = &gateway.options;
        match name {
            "options.propagation-default-route-table-id" => {
                out.extend(options.propagation_default_route_table_id.clone())
            }
            "options.amazon-side-asn" => out.push(options.amazon_side_asn.to_string()),
            "options.association-default-route-table-id" => {
                out.extend(options.association_default_route_table_id.clone())
            }
            "options.auto-accept-shared-attachments" => out.push(switch(options.auto_accept_shared_attachments)),
            "options.default-route-table-association" => out.push(switch(options.default_route_table_association)),
            "options.default-route-table-propagation" => out.push(switch(options.default_route_table_propagation)),
            "options.dns-support" => out.push(switch(options.dns_support)),
            "options.vpn-ecmp-support" => out.push(switch(options.vpn_ecmp_support)),
            "owner-id" => out.push(gateway.account.clone()),
            "state" => out.push("available".into()),
            "transit-gateway-id" => out.push(gateway.id.clone()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(self.gateway.tags_for(self.scope))
    }
}

/// The options of CreateTransitGateway and ModifyTransitGateway, each `None` when not sent.
#[derive(Debug, Clone, Default)]
pub struct OptionsRequest {
    /// `AmazonSideAsn`.
    pub amazon_side_asn: Option<i64>,
    /// `AutoAcceptSharedAttachments`.
    pub auto_accept_shared_attachments: Option<bool>,
    /// `DefaultRouteTableAssociation`.
    pub default_route_table_association: Option<bool>,
    /// `AssociationDefaultRouteTableId` (Modify only).
    pub association_default_route_table_id: Option<String>,
    /// `DefaultRouteTablePropagation`.
    pub default_route_table_propagation: Option<bool>,
    /// `PropagationDefaultRouteTableId` (Modify only).
    pub propagation_default_route_table_id: Option<String>,
    /// `VpnEcmpSupport`.
    pub vpn_ecmp_support: Option<bool>,
    /// `DnsSupport`.
    pub dns_support: Option<bool>,
    /// `SecurityGroupReferencingSupport`.
    pub security_group_referencing_support: Option<bool>,
    /// `MulticastSupport` (Create only).
    pub multicast_support: Option<bool>,
    /// `TransitGatewayCidrBlocks.N` (Create) or `AddTransitGatewayCidrBlocks.N` (Modify).
    pub add_cidr_blocks: Vec<String>,
    /// `RemoveTransitGatewayCidrBlocks.N` (Modify only).
    pub remove_cidr_blocks: Vec<String>,
}

/// Part 2 §14.1 [D]: the private ASN ranges AWS accepts for the Amazon side.
fn check_asn(asn: i64) -> Result<()> {
    if (64512..=65534).contains(&asn) || (4_200_000_000..=4_294_967_294).contains(&asn) {
        Ok(())
    } else {
        Err(TransitGatewayError::InvalidAmazonSideAsn(asn).into())
    }
}

fn check_cidr_blocks(blocks: &[String]) -> Result<()> {
    for block in blocks {
        if block.parse::<ipnet::IpNet>().is_err() {
            return Err(TransitGatewayError::InvalidCidrBlock(block.clone()).into());
        }
    }
    Ok(())
}

/// CreateTransitGateway (part 2 §14.1): the gateway with AWS's defaults, and its default route table when either
/// default (association or propagation) is enabled — one table serving as both [D TGW].
pub fn create(
    tx: &mut Tx,
    scope: &Scope,
    description: Option<String>,
    request: OptionsRequest,
    tags: Vec<Tag>,
) -> Result<TransitGateway> {
    let asn = request.amazon_side_asn.unwrap_or(DEFAULT_AMAZON_SIDE_ASN);
    check_asn(asn)?;
    check_cidr_blocks(&request.add_cidr_blocks)?;
    crate::tags::validate(&tags)?;
    let owned = tx.world().transit_gateways.values().filter(|gateway| gateway.is_owned_by(scope)).count();
    crate::quotas::check(tx.quotas().transit_gateways_per_region, owned, 1, || {
        TransitGatewayError::TransitGatewayLimitExceeded.into()
    })?;
    let association = request.default_route_table_association.unwrap_or(true);
    let propagation = request.default_route_table_propagation.unwrap_or(true);
    let id = tx.next_id(IdKind::TransitGateway);
    let default_table = (association || propagation).then(|| route_table::new_table(tx, scope, &id, Tags::default()));
    let default_id = default_table.as_ref().map(|table| table.id.clone());
    let gateway = TransitGateway {
        id,
        account: scope.account.clone(),
        region: scope.region.clone(),
        description: description.unwrap_or_default(),
        created_at: tx.now(),
        options: TransitGatewayOptions {
            amazon_side_asn: asn,
            auto_accept_shared_attachments: request.auto_accept_shared_attachments.unwrap_or(false),
            default_route_table_association: association,
            association_default_route_table_id: default_id.clone().filter(|_| association),
            default_route_table_propagation: propagation,
            propagation_default_route_table_id: default_id.filter(|_| propagation),
            vpn_ecmp_support: request.vpn_ecmp_support.unwrap_or(true),
            dns_support: request.dns_support.unwrap_or(true),
            security_group_referencing_support: request.security_group_referencing_support.unwrap_or(false),
            multicast_support: request.multicast_support.unwrap_or(false),
            cidr_blocks: request.add_cidr_blocks,
        },
        tags: Tags(tags),
    };
    if let Some(table) = default_table {
        tx.put_spanning(table);
    }
    tx.put_spanning(gateway.clone());
    Ok(gateway)
}

/// A gateway `scope` may see (its own, or one shared with it).
pub fn find_usable(world: &World, scope: &Scope, id: &str) -> Result<TransitGateway> {
    IdKind::TransitGateway.check(id)?;
    world
        .transit_gateways
        .get(id)
        .filter(|gateway| gateway.usable_by(scope))
        .map(|gateway| (**gateway).clone())
        .ok_or_else(|| TransitGatewayError::TransitGatewayNotFound(id.to_string()).into())
}

/// A gateway `scope` owns. Part 2 §14.3 [D]: an account a gateway is shared with cannot modify it; it is refused
/// as if the gateway did not exist (ASSUMPTION part 2 §14.3 [I]: the code).
pub fn find_owned(world: &World, scope: &Scope, id: &str) -> Result<TransitGateway> {
    let gateway = find_usable(world, scope, id)?;
    if !gateway.is_owned_by(scope) {
        return Err(TransitGatewayError::TransitGatewayNotFound(id.to_string()).into());
    }
    Ok(gateway)
}

/// The default route table a Modify names, which must be one of the gateway's own tables.
fn own_table(world: &World, gateway: &TransitGateway, table_id: &str) -> Result<String> {
    IdKind::TransitGatewayRouteTable.check(table_id)?;
    world
        .transit_gateway_route_tables
        .get(table_id)
        .filter(|table| table.transit_gateway_id == gateway.id)
        .map(|table| table.id.clone())
        .ok_or_else(|| TransitGatewayError::RouteTableNotFound(table_id.to_string()).into())
}

/// ModifyTransitGateway (part 2 §14.1 [D]): the options change for attachments made from now on; nothing already
/// associated or propagated moves. Enabling a default with no table to use creates the default table, as
/// CreateTransitGateway would have (ASSUMPTION part 2 §14.1 [I]); disabling one drops its table ID.
pub fn modify(
    tx: &mut Tx,
    scope: &Scope,
    id: &str,
    description: Option<String>,
    request: OptionsRequest,
) -> Result<TransitGateway> {
    let mut gateway = find_owned(tx.world(), scope, id)?;
    if let Some(asn) = request.amazon_side_asn {
        check_asn(asn)?;
        gateway.options.amazon_side_asn = asn;
    }
    check_cidr_blocks(&request.add_cidr_blocks)?;
    if let Some(description) = description {
        gateway.description = description;
    }
    let options = &mut gateway.options;
    for (field, value) in [
        (&mut options.auto_accept_shared_attachments, request.auto_accept_shared_attachments),
        (&mut options.vpn_ecmp_support, request.vpn_ecmp_support),
        (&mut options.dns_support, request.dns_support),
        (&mut options.security_group_referencing_support, request.security_group_referencing_support),
    ] {
        if let Some(value) = value {
            *field = value;
        }
    }
    for block in request.add_cidr_blocks {
        if !options.cidr_blocks.contains(&block) {
            options.cidr_blocks.push(block);
        }
    }
    options.cidr_blocks.retain(|block| !request.remove_cidr_blocks.contains(block));
    let association_table = match &request.association_default_route_table_id {
        Some(table_id) => Some(own_table(tx.world(), &gateway, table_id)?),
        None => None,
    };
    let propagation_table = match &request.propagation_default_route_table_id {
        Some(table_id) => Some(own_table(tx.world(), &gateway, table_id)?),
        None => None,
    };
    let options = &mut gateway.options;
    if let Some(enabled) = request.default_route_table_association {
        options.default_route_table_association = enabled;
    }
    if let Some(enabled) = request.default_route_table_propagation {
        options.default_route_table_propagation = enabled;
    }
    if association_table.is_some() {
        options.association_default_route_table_id = association_table;
    }
    if propagation_table.is_some() {
        options.propagation_default_route_table_id = propagation_table;
    }
    let wants_table = (options.default_route_table_association && options.association_default_route_table_id.is_none())
        || (options.default_route_table_propagation && options.propagation_default_route_table_id.is_none());
    if wants_table {
        let existing =
            options.association_default_route_table_id.clone().or(options.propagation_default_route_table_id.clone());
        let table_id = match existing {
            Some(table_id) => table_id,
            None => {
                let table = route_table::new_table(tx, scope, &gateway.id, Tags::default());
                let table_id = table.id.clone();
                tx.put_spanning(table);
                table_id
            }
        };
        let options = &mut gateway.options;
        if options.default_route_table_association && options.association_default_route_table_id.is_none() {
            options.association_default_route_table_id = Some(table_id.clone());
        }
        if options.default_route_table_propagation && options.propagation_default_route_table_id.is_none() {
            options.propagation_default_route_table_id = Some(table_id);
        }
    }
    let options = &mut gateway.options;
    if !options.default_route_table_association {
        options.association_default_route_table_id = None;
    }
    if !options.default_route_table_propagation {
        options.propagation_default_route_table_id = None;
    }
    tx.put_spanning(gateway.clone());
    Ok(gateway)
}

/// DeleteTransitGateway (part 2 §14.2 [O]): refused while any attachment is not deleted (VPC attachments named
/// first, then peering ones); otherwise the gateway goes with its route tables.
pub fn delete(tx: &mut Tx, scope: &Scope, id: &str) -> Result<TransitGateway> {
    let gateway = find_owned(tx.world(), scope, id)?;
    let live: Vec<&TransitGatewayAttachment> = tx
        .world()
        .transit_gateway_attachments
        .values()
        .map(|attachment| &**attachment)
        .filter(|attachment| attachment.is_live() && attachment.touches(&gateway.id))
        .collect();
    let of_kind = |peering: bool| -> Vec<String> {
        live.iter()
            .filter(|attachment| matches!(attachment.resource, AttachmentResource::Peering(_)) == peering)
            .map(|attachment| attachment.id.clone())
            .collect()
    };
    let (vpc_attachments, peering_attachments) = (of_kind(false), of_kind(true));
    if !vpc_attachments.is_empty() {
        let error =
            TransitGatewayError::HasAttachments { transit_gateway_id: gateway.id, attachment_ids: vpc_attachments };
        return Err(error.into());
    }
    if !peering_attachments.is_empty() {
        let error = TransitGatewayError::HasPeeringAttachments {
            transit_gateway_id: gateway.id,
            attachment_ids: peering_attachments,
        };
        return Err(error.into());
    }
    let tables: Vec<String> = route_table::of_gateway(tx.world(), &gateway.id).map(|table| table.id.clone()).collect();
    for table_id in tables {
        tx.remove_spanning::<TransitGatewayRouteTable>(&table_id);
    }
    tx.remove_spanning::<TransitGateway>(&gateway.id);
    Ok(gateway)
}

/// Tags on a gateway (CreateTags/DeleteTags with a `tgw-` ID): the owner's only.
pub fn edit_tags(tx: &mut Tx, scope: &Scope, id: &str, change: &mut dyn FnMut(&mut Tags) -> Result<()>) -> Result<()> {
    let mut gateway = find_owned(tx.world(), scope, id)?;
    change(&mut gateway.tags)?;
    tx.put_spanning(gateway);
    Ok(())
}

/// One tagged resource of the transit gateway family, for DescribeTags.
pub struct TaggedResource<'a> {
    /// The ID.
    pub id: &'a str,
    /// AWS's resource type (`transit-gateway`, `transit-gateway-route-table`, `transit-gateway-attachment`).
    pub resource_type: &'static str,
    /// The tags the caller sees.
    pub tags: &'a Tags,
}

/// Every transit gateway resource `scope` sees, with the tags it sees on each.
pub fn tagged_resources<'w>(world: &'w World, scope: &'w Scope, now: Timestamp) -> Vec<TaggedResource<'w>> {
    let mut out = Vec::new();
    for gateway in world.transit_gateways.values().filter(|gateway| gateway.is_owned_by(scope)) {
        out.push(TaggedResource { id: &gateway.id, resource_type: "transit-gateway", tags: &gateway.tags });
    }
    for table in world.transit_gateway_route_tables.values().filter(|table| table.is_owned_by(scope)) {
        out.push(TaggedResource { id: &table.id, resource_type: "transit-gateway-route-table", tags: &table.tags });
    }
    for attachment in world.transit_gateway_attachments.values().filter(|a| a.visible_to(scope, now)) {
        out.push(TaggedResource {
            id: &attachment.id,
            resource_type: "transit-gateway-attachment",
            tags: attachment.tags_for(scope),
        });
    }
    out
}
