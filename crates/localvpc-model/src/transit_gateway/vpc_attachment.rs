//! VPC attachments (part 2 §14.1, §14.3): CreateTransitGatewayVpcAttachment with its subnet rules, Modify, Accept,
//! Reject and Delete, and what a VPC attachment means elsewhere — a VPC or subnet it holds cannot be deleted, and
//! a VPC route to the gateway is usable only while it is available.

use std::collections::BTreeMap;

use super::attachment::VpcResource;
use super::attachment::{self, AttachmentResource, AttachmentState, TransitGatewayAttachment, VpcAttachmentOptions};
use super::{find_usable, route_table};
use crate::ids::IdKind;
use crate::network_interface::{create_requester_managed, ManagingService, NetworkInterface};
use crate::tags::{Tag, Tags};
use crate::world::{Scope, Tx, World};
use crate::{Ec2Error, Result, TransitGatewayError};

/// The options of a VPC attachment request, each `None` when not sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct OptionsRequest {
    /// `DnsSupport`.
    pub dns_support: Option<bool>,
    /// `SecurityGroupReferencingSupport`.
    pub security_group_referencing_support: Option<bool>,
    /// `Ipv6Support`.
    pub ipv6_support: Option<bool>,
    /// `ApplianceModeSupport`.
    pub appliance_mode_support: Option<bool>,
}

impl OptionsRequest {
    fn apply_to(self, options: &mut VpcAttachmentOptions) {
        for (field, value) in [
            (&mut options.dns_support, self.dns_support),
            (&mut options.security_group_referencing_support, self.security_group_referencing_support),
            (&mut options.ipv6_support, self.ipv6_support),
            (&mut options.appliance_mode_support, self.appliance_mode_support),
        ] {
            if let Some(value) = value {
                *field = value;
            }
        }
    }
}

/// CreateTransitGatewayVpcAttachment parameters.
#[derive(Debug, Clone, Default)]
pub struct CreateVpcAttachment {
    /// `TransitGatewayId`.
    pub transit_gateway_id: String,
    /// `VpcId` (the caller's).
    pub vpc_id: String,
    /// `SubnetIds.N`.
    pub subnet_ids: Vec<String>,
    /// `Options`.
    pub options: OptionsRequest,
    /// Tags from `TagSpecifications.N`.
    pub tags: Vec<Tag>,
}

/// Checks a VPC attachment's subnets: each exists in the caller's Region, belongs to the VPC, and no two share an
/// Availability Zone (part 2 §14.1 [D]: exactly one subnet per zone the attachment serves).
fn check_subnets(world: &World, scope: &Scope, vpc_id: &str, subnet_ids: &[String]) -> Result<()> {
    let region = world.region(scope);
    let mut zones: BTreeMap<String, &str> = BTreeMap::new();
    for subnet_id in subnet_ids {
        let subnet = crate::subnet::find(region, subnet_id)?;
        // Part 2 §14.2 [D]: attachments cannot use IPv6-only subnets.
        crate::subnet::ipv6_only::refuse_for_service(&subnet, "transit gateway attachment")?;
        if subnet.vpc_id != vpc_id {
            let error =
                TransitGatewayError::SubnetNotInVpc { subnet_id: subnet.id.clone(), vpc_id: vpc_id.to_string() };
            return Err(error.into());
        }
        if zones.insert(subnet.availability_zone.clone(), subnet_id).is_some() {
            return Err(TransitGatewayError::DuplicateSubnetsInSameZone(subnet.availability_zone.clone()).into());
        }
    }
    Ok(())
}

/// Part 2 §16.2 [D]: an attachment carries IPv6 only with `Ipv6Support`, and then every subnet it uses needs an
/// IPv6 block.
fn check_ipv6_support(
    world: &World,
    scope: &Scope,
    options: &VpcAttachmentOptions,
    subnet_ids: &[String],
) -> Result<()> {
    if !options.ipv6_support {
        return Ok(());
    }
    let region = world.region(scope);
    for subnet_id in subnet_ids {
        let subnet = crate::subnet::find(region, subnet_id)?;
        if subnet.ipv6_cidr_block().is_none() {
            return Err(TransitGatewayError::Ipv6SupportWithoutSubnetBlock(subnet.id.clone()).into());
        }
    }
    Ok(())
}

/// CreateTransitGatewayVpcAttachment (part 2 §14.1, §14.2, §14.3). The attachment is `available` at once in the
/// gateway owner's account, or when the gateway auto-accepts shared attachments; otherwise it waits in
/// `pendingAcceptance` for the owner. An available attachment gets the gateway's default association and
/// propagation.
pub fn create(tx: &mut Tx, scope: &Scope, request: CreateVpcAttachment) -> Result<TransitGatewayAttachment> {
    let gateway = find_usable(tx.world(), scope, &request.transit_gateway_id)?;
    let vpc = crate::vpc::find(tx.region(scope), &request.vpc_id)?;
    if request.subnet_ids.is_empty() {
        return Err(Ec2Error::MissingParameter("SubnetIds".into()));
    }
    check_subnets(tx.world(), scope, &vpc.id, &request.subnet_ids)?;
    let of_vpc: Vec<&TransitGatewayAttachment> = live_of_vpc(tx.world(), &vpc.id).collect();
    if of_vpc.iter().any(|attachment| attachment.transit_gateway_id == gateway.id) {
        return Err(TransitGatewayError::DuplicateVpcAttachment(gateway.id.clone()).into());
    }
    crate::quotas::check(tx.quotas().transit_gateways_per_vpc, of_vpc.len(), 1, || {
        TransitGatewayError::AttachmentsPerVpcLimitExceeded(vpc.id.clone()).into()
    })?;
    crate::tags::validate(&request.tags)?;
    let mut options = VpcAttachmentOptions {
        dns_support: true,
        security_group_referencing_support: gateway.options.security_group_referencing_support,
        ipv6_support: false,
        appliance_mode_support: false,
    };
    request.options.apply_to(&mut options);
    check_ipv6_support(tx.world(), scope, &options, &request.subnet_ids)?;
    let accepted = gateway.account == scope.account || gateway.options.auto_accept_shared_attachments;
    let state = if accepted { AttachmentState::Available } else { AttachmentState::PendingAcceptance };
    let now = tx.now();
    let mut attachment = TransitGatewayAttachment {
        id: tx.next_id(IdKind::TransitGatewayAttachment),
        transit_gateway_id: gateway.id.clone(),
        transit_gateway_account: gateway.account.clone(),
        region: gateway.region.clone(),
        resource: AttachmentResource::Vpc(VpcResource {
            vpc_id: vpc.id.clone(),
            account: scope.account.clone(),
            subnet_ids: request.subnet_ids.clone(),
            options,
            interface_ids: Vec::new(),
        }),
        state,
        state_since: now,
        created_at: now,
        requester_tags: Tags(request.tags),
        accepter_tags: Tags::default(),
    };
    add_interfaces(tx, scope, &mut attachment, &request.subnet_ids)?;
    tx.put_spanning(attachment.clone());
    if accepted {
        route_table::apply_defaults(tx, &gateway.id, &attachment.id);
    }
    Ok(attachment)
}

/// Gives the attachment one requester-managed interface (`interfaceType=transit_gateway`) in each of `subnet_ids`,
/// in the VPC owner's scope (part 2 §11.5 [D]): each takes an address of its subnet and holds the subnet.
fn add_interfaces(
    tx: &mut Tx,
    scope: &Scope,
    attachment: &mut TransitGatewayAttachment,
    subnet_ids: &[String],
) -> Result<()> {
    for subnet_id in subnet_ids {
        let subnet = crate::subnet::find(tx.region(scope), subnet_id)?;
        // ASSUMPTION (part 2 §11.5 [D bc enum; description text I]): the description names the attachment.
        let description = format!("Network Interface for Transit Gateway Attachment {}", attachment.id);
        let interface = create_requester_managed(
            tx,
            scope,
            &subnet,
            ManagingService::TransitGateway,
            &attachment.id,
            description,
            None,
        )
        .ok_or_else(|| Ec2Error::InsufficientFreeAddressesInSubnet(subnet.id.clone()))?;
        if let AttachmentResource::Vpc(vpc) = &mut attachment.resource {
            vpc.interface_ids.push(interface.id.clone());
        }
    }
    Ok(())
}

/// Deletes the attachment's interfaces in `subnet_ids` (all of them with `None`): the attachment ended, or gave
/// those subnets up.
fn remove_interfaces(tx: &mut Tx, attachment: &mut TransitGatewayAttachment, subnet_ids: Option<&[String]>) {
    let scope = attachment.requester_scope();
    let AttachmentResource::Vpc(vpc) = &mut attachment.resource else { return };
    let region = tx.region(&scope);
    let (gone, kept): (Vec<String>, Vec<String>) = vpc.interface_ids.iter().cloned().partition(|interface_id| {
        subnet_ids.is_none_or(|subnet_ids| {
            region
                .network_interfaces
                .get(interface_id.as_str())
                .is_none_or(|interface| subnet_ids.contains(&interface.subnet_id))
        })
    });
    vpc.interface_ids = kept;
    for interface_id in gone {
        crate::address::forget_interface(tx, &scope, &interface_id);
        tx.remove::<NetworkInterface>(&scope, &interface_id);
    }
}

/// Releases the attachment's requester-managed interfaces (it was deleted or rejected).
pub(crate) fn release_interfaces(tx: &mut Tx, attachment: &mut TransitGatewayAttachment) {
    remove_interfaces(tx, attachment, None);
}

/// ModifyTransitGatewayVpcAttachment (part 2 §14.1): by the VPC's owner, on an available attachment; subnets are
/// added and removed keeping one per zone and at least one (ASSUMPTION part 2 §14.1 [I]: removing the last one or
/// one it does not have is InvalidParameterValue).
pub fn modify(
    tx: &mut Tx,
    scope: &Scope,
    id: &str,
    add_subnet_ids: &[String],
    remove_subnet_ids: &[String],
    options: OptionsRequest,
) -> Result<TransitGatewayAttachment> {
    let now = tx.now();
    let mut attachment = attachment::find_vpc(tx.world(), scope, id, now)?;
    if attachment.requester_scope() != *scope {
        return Err(TransitGatewayError::AttachmentNotFound { noun: "VPC", id: id.to_string() }.into());
    }
    if attachment.state != AttachmentState::Available {
        return Err(attachment.incorrect_state());
    }
    let AttachmentResource::Vpc(vpc) = &attachment.resource else { unreachable!("find_vpc returns VPC attachments") };
    let mut subnet_ids = vpc.subnet_ids.clone();
    for subnet_id in remove_subnet_ids {
        if !subnet_ids.contains(subnet_id) {
            return Err(TransitGatewayError::SubnetNotRemovable(subnet_id.clone()).into());
        }
        subnet_ids.retain(|id| id != subnet_id);
    }
    if subnet_ids.is_empty() && !remove_subnet_ids.is_empty() {
        return Err(TransitGatewayError::SubnetNotRemovable(remove_subnet_ids[0].clone()).into());
    }
    let added: Vec<String> = add_subnet_ids.iter().filter(|id| !subnet_ids.contains(id)).cloned().collect();
    subnet_ids.extend(added.iter().cloned());
    check_subnets(tx.world(), scope, &vpc.vpc_id, &subnet_ids)?;
    let mut new_options = vpc.options;
    options.apply_to(&mut new_options);
    check_ipv6_support(tx.world(), scope, &new_options, &subnet_ids)?;
    remove_interfaces(tx, &mut attachment, Some(remove_subnet_ids));
    add_interfaces(tx, scope, &mut attachment, &added)?;
    if let AttachmentResource::Vpc(vpc) = &mut attachment.resource {
        vpc.subnet_ids = subnet_ids;
        vpc.options = new_options;
    }
    tx.put_spanning(attachment.clone());
    Ok(attachment)
}

/// The attachment if `scope` may accept or reject it: the gateway's owner, while it waits for acceptance.
fn pending_for_accepter(tx: &Tx, scope: &Scope, id: &str, verb: &'static str) -> Result<TransitGatewayAttachment> {
    attachment::find_vpc(tx.world(), scope, id, tx.now())?.pending_for(scope, verb)
}

/// AcceptTransitGatewayVpcAttachment (part 2 §14.3 [D]): the gateway owner accepts; the attachment becomes
/// available and gets the gateway's defaults.
pub fn accept(tx: &mut Tx, scope: &Scope, id: &str) -> Result<TransitGatewayAttachment> {
    let mut attachment = pending_for_accepter(tx, scope, id, "accept")?;
    attachment.state = AttachmentState::Available;
    attachment.state_since = tx.now();
    tx.put_spanning(attachment.clone());
    route_table::apply_defaults(tx, &attachment.transit_gateway_id, &attachment.id);
    Ok(attachment)
}

/// RejectTransitGatewayVpcAttachment (part 2 §14.3 [D]).
pub fn reject(tx: &mut Tx, scope: &Scope, id: &str) -> Result<TransitGatewayAttachment> {
    let attachment = pending_for_accepter(tx, scope, id, "reject")?;
    attachment::end(tx, attachment.clone(), AttachmentState::Rejected);
    Ok(tx.get_spanning::<TransitGatewayAttachment>(&attachment.id).map(|a| (*a).clone()).unwrap_or(attachment))
}

/// DeleteTransitGatewayVpcAttachment (part 2 §14.3 [D]: either side may delete).
pub fn delete(tx: &mut Tx, scope: &Scope, id: &str) -> Result<TransitGatewayAttachment> {
    let now = tx.now();
    let attachment = attachment::find_vpc(tx.world(), scope, id, now)?;
    if !attachment.is_live() {
        return Err(attachment.incorrect_state());
    }
    attachment::end(tx, attachment.clone(), AttachmentState::Deleted);
    Ok(tx.get_spanning::<TransitGatewayAttachment>(&attachment.id).map(|a| (*a).clone()).unwrap_or(attachment))
}

/// The live attachments of VPC `vpc_id`, from the world's index (VPC IDs are unique across scopes).
fn live_of_vpc<'w>(world: &'w World, vpc_id: &str) -> impl Iterator<Item = &'w TransitGatewayAttachment> {
    let attachments = &world.transit_gateway_attachments;
    world.index().live_vpc_attachments(vpc_id).filter_map(|id| attachments.get(id).map(|attachment| &**attachment))
}

/// DeleteVpc's transit gateway rule (part 2 §14.1 [D]): a live attachment keeps its VPC.
pub fn blocks_vpc_deletion(world: &World, scope: &Scope, vpc_id: &str) -> bool {
    live_of_vpc(world, vpc_id).any(|attachment| attachment.requester_scope() == *scope)
}

/// DeleteSubnet's transit gateway rule: a live attachment keeps its subnets (its interfaces are there).
pub fn blocks_subnet_deletion(world: &World, scope: &Scope, vpc_id: &str, subnet_id: &str) -> bool {
    live_of_vpc(world, vpc_id).any(|attachment| {
        attachment.requester_scope() == *scope
            && attachment.vpc().is_some_and(|vpc| vpc.subnet_ids.iter().any(|id| id == subnet_id))
    })
}

/// Whether VPC `vpc_id` has an available attachment to gateway `gateway_id` (part 2 §14.1 [O]: a VPC route to
/// a gateway needs one; while it is missing or pending the route cannot be made, and a route that exists is
/// `blackhole`). VPC IDs are unique across the world, so the VPC names its scope.
pub fn vpc_attached(world: &World, vpc_id: &str, gateway_id: &str) -> bool {
    live_of_vpc(world, vpc_id)
        .any(|attachment| attachment.transit_gateway_id == gateway_id && attachment.state == AttachmentState::Available)
}

/// The gateways VPC `vpc_id` has an available attachment to: the transit gateways its route tables may name.
pub fn attached_gateways<'w>(world: &'w World, vpc_id: &str) -> impl Iterator<Item = &'w super::TransitGateway> {
    live_of_vpc(world, vpc_id)
        .filter(|attachment| attachment.state == AttachmentState::Available)
        .filter_map(|attachment| world.transit_gateways.get(attachment.transit_gateway_id.as_str()))
        .map(|gateway| &**gateway)
}
