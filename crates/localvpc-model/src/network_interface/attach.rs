//! AttachNetworkInterface and DetachNetworkInterface (spec part 2 §11.2): an `available` interface joins a running
//! or stopped instance of its zone and VPC at a free device index, and leaves it again — all but the primary.

use std::sync::Arc;

use super::{find, InterfaceAttachment, NetworkInterface};
use crate::ids::IdKind;
use crate::instance::{self, InstanceState};
use crate::instance_type;
use crate::world::{Scope, Tx};
use crate::{Ec2Error, NetworkInterfaceError, Result};

/// AttachNetworkInterface: the new attachment's ID. A later-attached interface is not deleted with its instance
/// unless modified (spec §11.2 [I]).
pub fn attach(tx: &mut Tx, scope: &Scope, interface_id: &str, instance_id: &str, device_index: u32) -> Result<String> {
    let region = tx.region(scope);
    let interface = find(region, interface_id)?;
    super::refuse_if_managed(&interface, super::ManagedChange::DeleteOrAttach)?;
    let instance = instance::find(region, instance_id)?;
    if interface.attachment.is_some() {
        return Err(NetworkInterfaceError::AlreadyAttached(interface.id.clone()).into());
    }
    // ASSUMPTION (spec §11.2 [I]): hot (running) and warm (stopped) attachment only.
    if !matches!(instance.state, InstanceState::Running | InstanceState::Stopped) {
        return Err(Ec2Error::InstanceNotInValidState(instance.id.clone()));
    }
    if interface.availability_zone != instance.availability_zone {
        return Err(NetworkInterfaceError::ZoneMismatch.into());
    }
    let instance_vpc = instance.interface(region).map(|primary| primary.vpc_id.clone());
    if instance_vpc.is_some_and(|vpc_id| vpc_id != interface.vpc_id) {
        return Err(NetworkInterfaceError::VpcMismatch {
            interface_id: interface.id.clone(),
            instance_id: instance.id.clone(),
        }
        .into());
    }
    let attached: Vec<u32> = region.index.interfaces_of_instance(&instance.id).map(|(device, _)| device).collect();
    if attached.contains(&device_index) {
        return Err(NetworkInterfaceError::DeviceIndexInUse { instance_id: instance.id.clone(), device_index }.into());
    }
    if let Some(limits) = instance_type::limits(&instance.instance_type) {
        let count = attached.len() + 1;
        if count > limits.max_network_interfaces as usize {
            let instance_type = instance.instance_type.clone();
            return Err(NetworkInterfaceError::AttachmentLimitExceeded { count, instance_type }.into());
        }
    }
    let attachment = InterfaceAttachment {
        attachment_id: tx.next_id(IdKind::NetworkInterfaceAttachment),
        instance_id: instance.id.clone(),
        device_index,
        delete_on_termination: false,
        attach_time: tx.now(),
    };
    let attachment_id = attachment.attachment_id.clone();
    tx.update::<NetworkInterface>(scope, &interface.id, |interface| interface.attachment = Some(attachment));
    Ok(attachment_id)
}

/// RunInstances with an existing interface (checked `available` by the launch): attached at once, and
/// kept when the instance terminates (API reference, InstanceNetworkInterfaceSpecification: `DeleteOnTermination`
/// may be true only for an interface the launch creates).
pub(crate) fn attach_at_launch(
    tx: &mut Tx,
    scope: &Scope,
    interface_id: &str,
    instance_id: &str,
    device_index: u32,
) -> Option<Arc<NetworkInterface>> {
    let attachment = InterfaceAttachment {
        attachment_id: tx.next_id(IdKind::NetworkInterfaceAttachment),
        instance_id: instance_id.to_string(),
        device_index,
        delete_on_termination: false,
        attach_time: tx.now(),
    };
    tx.update::<NetworkInterface>(scope, interface_id, |interface| interface.attachment = Some(attachment));
    tx.get(scope, interface_id)
}

/// DetachNetworkInterface: the interface is `available` again; the primary (device 0) stays.
pub fn detach(tx: &mut Tx, scope: &Scope, attachment_id: &str) -> Result<()> {
    // Checked before the shape: `ela-attach-` is not an `eni-attach-` ID, and AWS names it.
    let service_held = attachment_id.strip_prefix("ela-attach-").is_some_and(|rest| {
        tx.region(scope).network_interfaces.get(format!("eni-{rest}").as_str()).is_some_and(|i| i.managed_by.is_some())
    });
    if service_held {
        return Err(NetworkInterfaceError::ServiceAttachment.into());
    }
    IdKind::NetworkInterfaceAttachment.check(attachment_id)?;
    let region = tx.region(scope);
    let Some(interface_id) = region.index.interface_of_attachment(attachment_id).map(str::to_string) else {
        return Err(NetworkInterfaceError::AttachmentNotFound(attachment_id.to_string()).into());
    };
    let interface = find(region, &interface_id)?;
    if interface.attachment.as_ref().is_some_and(|attachment| attachment.device_index == 0) {
        return Err(NetworkInterfaceError::PrimaryCannotBeDetached.into());
    }
    tx.update::<NetworkInterface>(scope, &interface_id, |interface| interface.attachment = None);
    Ok(())
}
