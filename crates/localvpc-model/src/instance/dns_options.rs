//! An instance's `privateDnsNameOptions` (part 2 §16.4, EC2 User Guide "Amazon EC2 instance hostname types"):
//! stored per instance at launch — the subnet's `privateDnsNameOptionsOnLaunch` with RunInstances'
//! `PrivateDnsNameOptions` laid over them — and changed by ModifyPrivateDnsNameOptions. The resource name
//! (`i-….<domain>`) answers A and AAAA per these options, whatever the subnet says later.

use serde::{Deserialize, Serialize};

use super::{Instance, InstanceState};
use crate::subnet::{Subnet, HOSTNAME_TYPES};
use crate::world::{Scope, Tx};
use crate::{Ec2Error, Result};

/// An instance's `privateDnsNameOptions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateDnsNameOptions {
    /// `hostnameType`: `ip-name` or `resource-name`.
    pub hostname_type: String,
    /// `enableResourceNameDnsARecord`.
    pub enable_resource_name_dns_a_record: bool,
    /// `enableResourceNameDnsAAAARecord`.
    pub enable_resource_name_dns_aaaa_record: bool,
}

/// AWS's defaults for a subnet that never changed its options; records written before the options were stored load
/// with them.
impl Default for PrivateDnsNameOptions {
    fn default() -> Self {
        PrivateDnsNameOptions {
            hostname_type: HOSTNAME_TYPES[0].into(),
            enable_resource_name_dns_a_record: false,
            enable_resource_name_dns_aaaa_record: false,
        }
    }
}

/// RunInstances' `PrivateDnsNameOptions` and ModifyPrivateDnsNameOptions' parameters: what is sent, `None` kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrivateDnsNameChange {
    /// `HostnameType` (`PrivateDnsHostnameType` in ModifyPrivateDnsNameOptions).
    pub hostname_type: Option<String>,
    /// `EnableResourceNameDnsARecord`.
    pub enable_resource_name_dns_a_record: Option<bool>,
    /// `EnableResourceNameDnsAAAARecord`.
    pub enable_resource_name_dns_aaaa_record: Option<bool>,
}

impl PrivateDnsNameChange {
    fn check(&self) -> Result<()> {
        match &self.hostname_type {
            Some(value) if !HOSTNAME_TYPES.contains(&value.as_str()) => {
                Err(Ec2Error::UnknownEnumValue { parameter: "hostnameType", value: value.clone() })
            }
            _ => Ok(()),
        }
    }

    /// `options` with what this change sends.
    fn applied_to(&self, mut options: PrivateDnsNameOptions) -> PrivateDnsNameOptions {
        if let Some(value) = &self.hostname_type {
            options.hostname_type = value.clone();
        }
        if let Some(value) = self.enable_resource_name_dns_a_record {
            options.enable_resource_name_dns_a_record = value;
        }
        if let Some(value) = self.enable_resource_name_dns_aaaa_record {
            options.enable_resource_name_dns_aaaa_record = value;
        }
        options
    }
}

/// The options an instance launched into `subnet` gets (botocore, RunInstances `PrivateDnsNameOptions`: "The
/// default values are inherited from the subnet").
pub(super) fn at_launch(subnet: &Subnet, request: &PrivateDnsNameChange) -> Result<PrivateDnsNameOptions> {
    request.check()?;
    // Part 2 §16.1 [D]: an IPv6-only subnet's instances have the resource name (an IP name needs an IPv4 address).
    if let Some(hostname_type) = &request.hostname_type {
        crate::subnet::ipv6_only::refuse_attribute(subnet, "private-dns-hostname-type-on-launch", hostname_type)?;
    }
    let on_launch = &subnet.private_dns_name_options;
    let inherited = PrivateDnsNameOptions {
        hostname_type: on_launch.hostname_type.clone(),
        enable_resource_name_dns_a_record: on_launch.enable_resource_name_dns_a_record,
        enable_resource_name_dns_aaaa_record: on_launch.enable_resource_name_dns_aaaa_record,
    };
    Ok(request.applied_to(inherited))
}

/// ModifyPrivateDnsNameOptions.
// ASSUMPTION (EC2 User Guide, "Amazon EC2 instance hostname types": the hostname type of an instance changes only
// while it is stopped; the resource-name records change at any time): a hostname type sent for a running instance
// is refused as ModifyInstanceAttribute refuses a stopped-only attribute.
pub fn modify_private_dns_name_options(
    tx: &mut Tx,
    scope: &Scope,
    instance_id: &str,
    change: &PrivateDnsNameChange,
) -> Result<()> {
    let instance = super::find(tx.region(scope), instance_id)?;
    if instance.state == InstanceState::Terminated {
        return Err(Ec2Error::InstanceNotInValidState(instance.id.clone()));
    }
    change.check()?;
    if change.hostname_type.is_some() && instance.state != InstanceState::Stopped {
        return Err(Ec2Error::InstanceNotStopped(instance.id.clone()));
    }
    // Part 2 §16.1 [D]: an instance of an IPv6-only subnet keeps the resource name.
    let region = tx.region(scope);
    let subnet = instance.interface(region).and_then(|interface| region.subnets.get(interface.subnet_id.as_str()));
    if let (Some(subnet), Some(hostname_type)) = (subnet, &change.hostname_type) {
        crate::subnet::ipv6_only::refuse_attribute(subnet, "private-dns-hostname-type-on-launch", hostname_type)?;
    }
    let options = change.applied_to(instance.private_dns_name_options.clone());
    tx.update::<Instance>(scope, &instance.id, |instance| instance.private_dns_name_options = options);
    Ok(())
}
