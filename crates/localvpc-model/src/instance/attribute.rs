//! Instance attributes (spec §10.3, §10.4): what DescribeInstanceAttribute answers, what ModifyInstanceAttribute
//! and ResetInstanceAttribute may change and when, and the launch values RunInstances sets.
//!
//! `sourceDestCheck` and `groupSet` are not stored on the instance: they are the primary network interface's, so a
//! change is what DescribeInstances, DescribeNetworkInterfaces and the engine (which compiles the interface's
//! groups into every walk) see at once. The others live in [`InstanceAttributes`].

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Instance, InstanceState};
use crate::network_interface::NetworkInterface;
use crate::world::{Scope, Tx};
use crate::{Ec2Error, Result};

/// The stored attributes of an instance, with AWS's launch defaults (spec §10.3, §10.4 [D bc]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceAttributes {
    /// `disableApiTermination`: termination protection.
    pub disable_api_termination: bool,
    /// `disableApiStop`: stop protection.
    pub disable_api_stop: bool,
    /// `instanceInitiatedShutdownBehavior`: `stop` (the default) or `terminate`.
    pub shutdown_behavior: String,
    /// `ebsOptimized`.
    pub ebs_optimized: bool,
    /// `enaSupport`: localvpc's instances are HVM with ENA, as every current AMI is.
    pub ena_support: bool,
    /// `sriovNetSupport`: `simple` once set (it cannot be unset, spec §10.3 [D bc]).
    pub sriov_net_support: Option<String>,
    /// `kernel` (`aki-…`); HVM instances have none.
    pub kernel_id: Option<String>,
    /// `ramdisk` (`ari-…`).
    pub ramdisk_id: Option<String>,
    /// The CPU credit option of a burstable instance as launched or modified (`None`: the type's default, see
    /// [`super::credit`]).
    pub cpu_credits: Option<String>,
    /// Detailed (one-minute) CloudWatch monitoring: `Monitoring.Enabled` at launch, MonitorInstances and
    /// UnmonitorInstances.
    pub detailed_monitoring: bool,
}

impl Default for InstanceAttributes {
    fn default() -> Self {
        InstanceAttributes {
            disable_api_termination: false,
            disable_api_stop: false,
            shutdown_behavior: "stop".into(),
            ebs_optimized: false,
            ena_support: true,
            sriov_net_support: None,
            kernel_id: None,
            ramdisk_id: None,
            cpu_credits: None,
            detailed_monitoring: false,
        }
    }
}

/// The attribute names of `InstanceAttributeName` (spec §10.3 [D bc]), spelled exactly (AWS is case-sensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeName {
    /// `instanceType`.
    InstanceType,
    /// `kernel`.
    Kernel,
    /// `ramdisk`.
    Ramdisk,
    /// `userData`.
    UserData,
    /// `disableApiTermination`.
    DisableApiTermination,
    /// `instanceInitiatedShutdownBehavior`.
    InstanceInitiatedShutdownBehavior,
    /// `rootDeviceName`.
    RootDeviceName,
    /// `blockDeviceMapping`.
    BlockDeviceMapping,
    /// `productCodes`.
    ProductCodes,
    /// `sourceDestCheck`.
    SourceDestCheck,
    /// `groupSet`.
    GroupSet,
    /// `ebsOptimized`.
    EbsOptimized,
    /// `sriovNetSupport`.
    SriovNetSupport,
    /// `enaSupport`.
    EnaSupport,
    /// `enclaveOptions`.
    EnclaveOptions,
    /// `disableApiStop`.
    DisableApiStop,
}

impl AttributeName {
    /// Every name, in botocore's order.
    pub const ALL: [(&'static str, AttributeName); 16] = [
        ("instanceType", AttributeName::InstanceType),
        ("kernel", AttributeName::Kernel),
        ("ramdisk", AttributeName::Ramdisk),
        ("userData", AttributeName::UserData),
        ("disableApiTermination", AttributeName::DisableApiTermination),
        ("instanceInitiatedShutdownBehavior", AttributeName::InstanceInitiatedShutdownBehavior),
        ("rootDeviceName", AttributeName::RootDeviceName),
        ("blockDeviceMapping", AttributeName::BlockDeviceMapping),
        ("productCodes", AttributeName::ProductCodes),
        ("sourceDestCheck", AttributeName::SourceDestCheck),
        ("groupSet", AttributeName::GroupSet),
        ("ebsOptimized", AttributeName::EbsOptimized),
        ("sriovNetSupport", AttributeName::SriovNetSupport),
        ("enaSupport", AttributeName::EnaSupport),
        ("enclaveOptions", AttributeName::EnclaveOptions),
        ("disableApiStop", AttributeName::DisableApiStop),
    ];

    /// Parses an `Attribute` parameter: any other spelling is unknown (moto's verified test: `Kernel`,
    /// `userdata` and `iNsTaNcEtYpE` are refused).
    pub fn parse(name: &str) -> Result<Self> {
        Self::ALL
            .iter()
            .find(|(spelling, _)| *spelling == name)
            .map(|(_, attribute)| *attribute)
            .ok_or_else(|| Ec2Error::UnknownInstanceAttribute(name.to_string()))
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(_, attribute)| *attribute == self).map(|(name, _)| *name).unwrap_or_default()
    }
}

/// One change ModifyInstanceAttribute asks for (one per call, spec §10.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeChange {
    /// `InstanceType.Value`.
    InstanceType(String),
    /// `Kernel.Value`.
    Kernel(String),
    /// `Ramdisk.Value`.
    Ramdisk(String),
    /// `UserData.Value`: the user data as stored (base64; see [`super::user_data::from_blob`]).
    UserData(String),
    /// `DisableApiTermination.Value`.
    DisableApiTermination(bool),
    /// `DisableApiStop.Value`.
    DisableApiStop(bool),
    /// `InstanceInitiatedShutdownBehavior.Value`.
    ShutdownBehavior(String),
    /// `SourceDestCheck.Value`.
    SourceDestCheck(bool),
    /// `GroupId.N`: replaces every group of the primary interface.
    Groups(Vec<String>),
    /// `EbsOptimized.Value`.
    EbsOptimized(bool),
    /// `EnaSupport.Value`.
    EnaSupport(bool),
    /// `SriovNetSupport.Value`.
    SriovNetSupport(String),
    /// `BlockDeviceMapping.N`: device names and their `DeleteOnTermination`.
    BlockDeviceMappings(Vec<(String, Option<bool>)>),
}

impl AttributeChange {
    /// The legacy form `Attribute=name&Value=v` (spec §10.3): scalar attributes only.
    ///
    /// ASSUMPTION (spec §10.3 [I]): botocore documents `Value` for kernel, ramdisk, userData,
    /// disableApiTermination and instanceInitiatedShutdownBehavior; the other scalar attributes are accepted the
    /// same way (moto's clients send `Attribute=disableApiStop&Value=false`), the structured ones are refused.
    pub fn legacy(name: AttributeName, value: &str) -> Result<Self> {
        let boolean = |attribute: &str| match value {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(Ec2Error::InvalidAttributeValue { attribute: attribute.to_string(), value: value.to_string() }),
        };
        Ok(match name {
            AttributeName::InstanceType => AttributeChange::InstanceType(value.into()),
            AttributeName::Kernel => AttributeChange::Kernel(value.into()),
            AttributeName::Ramdisk => AttributeChange::Ramdisk(value.into()),
            AttributeName::UserData => AttributeChange::UserData(value.into()),
            AttributeName::DisableApiTermination => AttributeChange::DisableApiTermination(boolean(name.as_str())?),
            AttributeName::DisableApiStop => AttributeChange::DisableApiStop(boolean(name.as_str())?),
            AttributeName::InstanceInitiatedShutdownBehavior => AttributeChange::ShutdownBehavior(value.into()),
            AttributeName::SourceDestCheck => AttributeChange::SourceDestCheck(boolean(name.as_str())?),
            AttributeName::EbsOptimized => AttributeChange::EbsOptimized(boolean(name.as_str())?),
            AttributeName::EnaSupport => AttributeChange::EnaSupport(boolean(name.as_str())?),
            AttributeName::SriovNetSupport => AttributeChange::SriovNetSupport(value.into()),
            AttributeName::RootDeviceName
            | AttributeName::BlockDeviceMapping
            | AttributeName::ProductCodes
            | AttributeName::GroupSet
            | AttributeName::EnclaveOptions => {
                return Err(Ec2Error::AttributeNotModifiableWithValue(name.as_str().to_string()))
            }
        })
    }

    /// Spec §10.3 [D EC2UG:Stop_Start.md, ebs-optimized.md]: what may change only while the instance is stopped.
    /// ASSUMPTION (spec §10.3 [I]): enaSupport and sriovNetSupport too (the guides stop the instance first).
    fn needs_stopped(&self) -> bool {
        matches!(
            self,
            AttributeChange::InstanceType(_)
                | AttributeChange::Kernel(_)
                | AttributeChange::Ramdisk(_)
                | AttributeChange::UserData(_)
                | AttributeChange::EbsOptimized(_)
                | AttributeChange::EnaSupport(_)
                | AttributeChange::SriovNetSupport(_)
        )
    }
}

/// Spec §10.4 [D bc]: `instanceInitiatedShutdownBehavior` is `stop` or `terminate`.
pub fn check_shutdown_behavior(value: &str) -> Result<()> {
    match value {
        "stop" | "terminate" => Ok(()),
        other => Err(Ec2Error::InvalidAttributeValue {
            attribute: "instanceInitiatedShutdownBehavior".into(),
            value: other.to_string(),
        }),
    }
}

/// ASSUMPTION (spec §10.3 [I]; the instance type table lands separately): a type is `<family>.<size>`, both
/// non-empty, letters, digits and `-` only; anything else is `InvalidInstanceAttributeValue` (botocore's doc).
pub fn check_instance_type(value: &str) -> Result<()> {
    let valid_part = |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    match value.split_once('.') {
        Some((family, size)) if valid_part(family) && valid_part(size) => Ok(()),
        _ => Err(Ec2Error::InvalidInstanceType(value.to_string())),
    }
}

/// A modifiable instance that still exists: a terminated one has no interface and no future.
fn live_instance(tx: &Tx, scope: &Scope, instance_id: &str) -> Result<Arc<Instance>> {
    let instance = super::find(tx.region(scope), instance_id)?;
    if instance.state == InstanceState::Terminated {
        return Err(Ec2Error::InstanceNotInValidState(instance.id.clone()));
    }
    Ok(instance)
}

/// The primary interface of a live instance, for the attributes that are the interface's.
fn primary_interface(tx: &Tx, scope: &Scope, instance: &Instance) -> Result<Arc<NetworkInterface>> {
    instance.interface(tx.region(scope)).cloned().ok_or_else(|| Ec2Error::InstanceNotInValidState(instance.id.clone()))
}

/// ModifyInstanceAttribute (spec §10.3): exactly one change, applied under the state rule of its attribute.
pub fn modify_instance_attribute(
    tx: &mut Tx,
    scope: &Scope,
    instance_id: &str,
    changes: Vec<AttributeChange>,
) -> Result<()> {
    let instance = live_instance(tx, scope, instance_id)?;
    // Spec §10.3 [O ansible-collections/amazon.aws#470]: a call that changes nothing is refused.
    let mut changes = changes.into_iter();
    let change = changes.next().ok_or(Ec2Error::NoInstanceAttributeSpecified)?;
    if changes.next().is_some() {
        return Err(Ec2Error::SeveralInstanceAttributes);
    }
    if change.needs_stopped() && instance.state != InstanceState::Stopped {
        return Err(Ec2Error::InstanceNotStopped(instance.id.clone()));
    }
    let set = |tx: &mut Tx, edit: &dyn Fn(&mut Instance)| {
        tx.update::<Instance>(scope, &instance.id, |instance| edit(instance));
    };
    match change {
        AttributeChange::InstanceType(value) => {
            check_instance_type(&value)?;
            set(tx, &|instance| instance.instance_type = value.clone());
        }
        AttributeChange::Kernel(value) => set(tx, &|instance| instance.attributes.kernel_id = Some(value.clone())),
        AttributeChange::Ramdisk(value) => set(tx, &|instance| instance.attributes.ramdisk_id = Some(value.clone())),
        // An empty value clears the user data, as the console's "remove" does.
        AttributeChange::UserData(value) => {
            super::user_data::check(&value)?;
            set(tx, &|instance| instance.user_data = Some(value.clone()).filter(|value| !value.is_empty()));
        }
        AttributeChange::DisableApiTermination(value) => {
            set(tx, &|instance| instance.attributes.disable_api_termination = value)
        }
        AttributeChange::DisableApiStop(value) => set(tx, &|instance| instance.attributes.disable_api_stop = value),
        AttributeChange::ShutdownBehavior(value) => {
            check_shutdown_behavior(&value)?;
            set(tx, &|instance| instance.attributes.shutdown_behavior = value.clone());
        }
        AttributeChange::EbsOptimized(value) => set(tx, &|instance| instance.attributes.ebs_optimized = value),
        AttributeChange::EnaSupport(value) => set(tx, &|instance| instance.attributes.ena_support = value),
        AttributeChange::SriovNetSupport(value) => {
            // Spec §10.3 [D bc]: `simple` is the only value; enhanced networking cannot be switched off.
            if value != "simple" {
                return Err(Ec2Error::InvalidAttributeValue { attribute: "sriovNetSupport".into(), value });
            }
            set(tx, &|instance| instance.attributes.sriov_net_support = Some(value.clone()));
        }
        AttributeChange::SourceDestCheck(value) => {
            let interface = primary_interface(tx, scope, &instance)?;
            crate::network_interface::set_source_dest_check(tx, scope, &interface.id, value);
        }
        AttributeChange::Groups(group_ids) => {
            let interface = primary_interface(tx, scope, &instance)?;
            crate::network_interface::replace_security_groups(tx, scope, &interface, &group_ids)?;
        }
        AttributeChange::BlockDeviceMappings(mappings) => {
            // Only `DeleteOnTermination` is modifiable: a mapping without it changes nothing.
            for (device, delete_on_termination) in mappings {
                if let Some(value) = delete_on_termination {
                    crate::volume::set_delete_on_termination(tx, scope, &instance.id, &device, value)?;
                }
            }
        }
    }
    Ok(())
}

/// ResetInstanceAttribute (spec §10.3 [D bc]): only kernel, ramdisk (while stopped) and sourceDestCheck.
pub fn reset_instance_attribute(tx: &mut Tx, scope: &Scope, instance_id: &str, name: AttributeName) -> Result<()> {
    let instance = live_instance(tx, scope, instance_id)?;
    match name {
        AttributeName::Kernel | AttributeName::Ramdisk => {
            if instance.state != InstanceState::Stopped {
                return Err(Ec2Error::InstanceNotStopped(instance.id.clone()));
            }
            tx.update::<Instance>(scope, &instance.id, |instance| match name {
                AttributeName::Kernel => instance.attributes.kernel_id = None,
                _ => instance.attributes.ramdisk_id = None,
            });
        }
        AttributeName::SourceDestCheck => {
            let interface = primary_interface(tx, scope, &instance)?;
            crate::network_interface::set_source_dest_check(tx, scope, &interface.id, true);
        }
        other => return Err(Ec2Error::AttributeNotResettable(other.as_str().to_string())),
    }
    Ok(())
}

/// What DescribeInstanceAttribute answers besides `instanceId`: the one requested attribute.
#[derive(Debug, Clone)]
pub enum AttributeValue {
    /// `<name><value>text</value></name>`; `None` renders the element empty (userData, kernel of an HVM
    /// instance), as AWS does.
    Text(Option<String>),
    /// `<name><value>bool</value></name>`.
    Boolean(bool),
    /// `groupSet`: the primary interface's group IDs.
    Groups(Vec<String>),
    /// `blockDeviceMapping`: no volumes are modelled yet, so an empty list.
    BlockDeviceMappings,
    /// `productCodes`: none (no Marketplace images).
    ProductCodes,
    /// `enclaveOptions`: `<enabled>false</enabled>`.
    EnclaveOptions(bool),
}

/// DescribeInstanceAttribute (spec §10.3): the value of one attribute. A terminated instance still answers (with
/// no groups and source/destination check on, as DescribeInstances shows it).
pub fn describe_instance_attribute(
    tx_region: &crate::world::RegionState,
    instance_id: &str,
    name: AttributeName,
) -> Result<AttributeValue> {
    let instance = super::find(tx_region, instance_id)?;
    let interface = instance.interface(tx_region);
    let attributes = &instance.attributes;
    Ok(match name {
        AttributeName::InstanceType => AttributeValue::Text(Some(instance.instance_type.clone())),
        AttributeName::Kernel => AttributeValue::Text(attributes.kernel_id.clone()),
        AttributeName::Ramdisk => AttributeValue::Text(attributes.ramdisk_id.clone()),
        AttributeName::UserData => AttributeValue::Text(instance.user_data.clone()),
        AttributeName::DisableApiTermination => AttributeValue::Boolean(attributes.disable_api_termination),
        AttributeName::DisableApiStop => AttributeValue::Boolean(attributes.disable_api_stop),
        AttributeName::InstanceInitiatedShutdownBehavior => {
            AttributeValue::Text(Some(attributes.shutdown_behavior.clone()))
        }
        AttributeName::RootDeviceName => AttributeValue::Text(Some(instance.root_device_name().to_string())),
        AttributeName::BlockDeviceMapping => AttributeValue::BlockDeviceMappings,
        AttributeName::ProductCodes => AttributeValue::ProductCodes,
        AttributeName::SourceDestCheck => {
            AttributeValue::Boolean(interface.is_none_or(|interface| interface.source_dest_check))
        }
        AttributeName::GroupSet => {
            AttributeValue::Groups(interface.map(|interface| interface.security_group_ids.clone()).unwrap_or_default())
        }
        AttributeName::EbsOptimized => AttributeValue::Boolean(attributes.ebs_optimized),
        AttributeName::SriovNetSupport => AttributeValue::Text(attributes.sriov_net_support.clone()),
        AttributeName::EnaSupport => AttributeValue::Boolean(attributes.ena_support),
        AttributeName::EnclaveOptions => AttributeValue::EnclaveOptions(false),
    })
}

/// Spec §10.4 [O]: TerminateInstances refuses a protected instance — termination protection, or stop protection,
/// which also blocks API termination [D].
///
/// ASSUMPTION (spec §10.4 [I]): the whole call fails when any listed instance is protected (AWS's partial
/// answer across zones is unverified), and stop protection uses its own wording.
pub fn check_may_terminate(instance: &Instance) -> Result<()> {
    if instance.state == InstanceState::Terminated {
        return Ok(());
    }
    if instance.attributes.disable_api_termination {
        return Err(Ec2Error::InstanceTerminationProtected(instance.id.clone()));
    }
    if instance.attributes.disable_api_stop {
        return Err(Ec2Error::InstanceStopProtected(instance.id.clone()));
    }
    Ok(())
}

/// Spec §10.4 [O]: StopInstances refuses an instance with stop protection.
pub fn check_may_stop(instance: &Instance) -> Result<()> {
    if instance.attributes.disable_api_stop && instance.state.is_running() {
        return Err(Ec2Error::InstanceStopProtected(instance.id.clone()));
    }
    Ok(())
}

/// `cpuOptions` of an instance type: physical cores and threads per core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuOptions {
    /// `coreCount`.
    pub core_count: u32,
    /// `threadsPerCore`.
    pub threads_per_core: u32,
}

/// The default CPU topology of an instance type: the instance type table's default cores and threads per core.
///
/// ASSUMPTION (spec §10.2 [I]): for a type the table does not know, from the name alone — previous-generation
/// T2/T1/M1/M3 and Graviton (`g` after the generation digit) types have one thread per core, the rest two; sizes
/// up to `large` have 2 vCPUs (T2/T1/M1 up to `small`: 1), `xlarge` 4 and `Nxlarge` 4·N.
pub fn cpu_options(instance_type: &str) -> CpuOptions {
    if let Some(known) = crate::instance_type::find(instance_type) {
        let vcpu = &known.vcpu_info;
        return CpuOptions { core_count: vcpu.default_cores, threads_per_core: vcpu.default_threads_per_core };
    }
    let (family, size) = instance_type.split_once('.').unwrap_or((instance_type, "large"));
    let old = matches!(family, "t1" | "t2" | "m1" | "m3");
    let graviton = family.trim_start_matches(|c: char| c.is_ascii_alphabetic()).contains('g');
    let threads_per_core = if old || graviton { 1 } else { 2 };
    let vcpus = match size {
        "nano" | "micro" | "small" if old => 1,
        "nano" | "micro" | "small" | "medium" | "large" => 2,
        "xlarge" => 4,
        other => other.strip_suffix("xlarge").and_then(|n| n.parse::<u32>().ok()).map_or(2, |n| 4 * n.max(1)),
    };
    CpuOptions { core_count: (vcpus / threads_per_core).max(1), threads_per_core }
}
