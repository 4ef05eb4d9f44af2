//! Requester-managed network interfaces (part 2 §11.5): the interfaces AWS services create in the user's subnets —
//! a NAT gateway's, one per subnet of a transit gateway VPC attachment. They hold subnet addresses like any
//! interface (so they block DeleteSubnet and DeleteVpc), but only the owning service creates, changes or deletes
//! them; the user may only tag them.

use std::net::Ipv4Addr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{first_free_address, NetworkInterface};
use crate::ids::IdKind;
use crate::subnet::Subnet;
use crate::world::{Scope, Timestamp, Tx};
use crate::{NetworkInterfaceError, Result};

/// The service holding a requester-managed interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ManagingService {
    /// A NAT gateway.
    NatGateway,
    /// A transit gateway VPC attachment.
    TransitGateway,
    /// An interface VPC endpoint (part 2 §17.5).
    VpcEndpoint,
}

impl ManagingService {
    /// `interfaceType`. Part 2 §11.5 [O]: botocore's enum spells `natGateway`, but AWS returns `nat_gateway`.
    pub fn interface_type(self) -> &'static str {
        match self {
            ManagingService::NatGateway => "nat_gateway",
            ManagingService::TransitGateway => "transit_gateway",
            // Part 2 §17.5 [D EC2UG].
            ManagingService::VpcEndpoint => "vpc_endpoint",
        }
    }
}

/// Who holds a requester-managed interface, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedBy {
    /// The service.
    pub service: ManagingService,
    /// The resource of that service the interface belongs to (`nat-…`, `tgw-attach-…`).
    pub resource_id: String,
    /// When the service attached it (its `attachTime`).
    pub since: Timestamp,
}

impl ManagedBy {
    /// Part 2 §11.5 [O]: the service's attachment is shown with an `ela-attach-` ID; derived from the interface's
    /// own ID so it is stable and distinct without a stored record.
    pub fn attachment_id(interface_id: &str) -> String {
        format!("ela-attach-{}", interface_id.trim_start_matches("eni-"))
    }
}

/// Creates the interface `service` holds for `resource_id` in `subnet`: the requested private address (already
/// checked by the caller) or the first free one; no security groups, and the source/destination check off, since
/// the service forwards other hosts' packets (part 2 §11.3 [O]: a NAT gateway's interface shows
/// `sourceDestCheck=false`). `None` when the subnet has no free address.
pub fn create_requester_managed(
    tx: &mut Tx,
    scope: &Scope,
    subnet: &Subnet,
    service: ManagingService,
    resource_id: &str,
    description: String,
    private_ip: Option<Ipv4Addr>,
) -> Option<Arc<NetworkInterface>> {
    let private_ip = match private_ip {
        Some(address) => address,
        None => first_free_address(tx.region(scope), subnet, None)?,
    };
    let id = tx.next_id(IdKind::NetworkInterface);
    let interface = NetworkInterface {
        source_dest_check: false,
        managed_by: Some(ManagedBy { service, resource_id: resource_id.to_string(), since: tx.now() }),
        ..NetworkInterface::new_in(scope, subnet, id.clone(), description, Some(private_ip))
    };
    tx.put(scope, interface);
    tx.get(scope, &id)
}

/// Part 2 §11.5 [D]: the user may not delete, attach, detach or modify an interface a service holds.
///
/// Deleting or attaching it is refused as for any interface in use (part 2 §11.1 [D]: it is attached to its
/// service); the other changes as [`NetworkInterfaceError::ManagedByService`].
pub fn refuse_if_managed(interface: &NetworkInterface, change: ManagedChange) -> Result<()> {
    let Some(managed) = &interface.managed_by else { return Ok(()) };
    Err(match change {
        ManagedChange::DeleteOrAttach => NetworkInterfaceError::InUse(interface.id.clone()).into(),
        ManagedChange::Modify => NetworkInterfaceError::ManagedByService {
            interface_id: interface.id.clone(),
            holder: managed.resource_id.clone(),
        }
        .into(),
    })
}

/// What the user tries to do to an interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagedChange {
    /// DeleteNetworkInterface, AttachNetworkInterface.
    DeleteOrAttach,
    /// ModifyNetworkInterfaceAttribute, Assign/UnassignPrivateIpAddresses, AssociateAddress to it.
    Modify,
}
