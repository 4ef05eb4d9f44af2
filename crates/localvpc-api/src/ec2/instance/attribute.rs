//! DescribeInstanceAttribute, ModifyInstanceAttribute and ResetInstanceAttribute (spec §10.3): parameters in,
//! the model's rule, one element out.

use localvpc_model::instance::attribute::{self, AttributeChange, AttributeName, AttributeValue};
use localvpc_model::instance::{self, user_data, PrivateDnsNameChange};
use localvpc_model::{Ec2Error, Tx, World};

use super::super::{return_true, Ctx};
use crate::params::Params;
use crate::xml::Xml;

type Result<T = ()> = std::result::Result<T, Ec2Error>;

pub(crate) fn describe_instance_attribute(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let instance_id = params.required("InstanceId")?;
    let name = AttributeName::parse(params.required("Attribute")?)?;
    let value = attribute::describe_instance_attribute(world.region(&ctx.scope), instance_id, name)?;
    x.text("instanceId", instance_id);
    let tag = name.as_str();
    match value {
        AttributeValue::Text(text) => x.nested(tag, |x| {
            if let Some(text) = &text {
                x.text("value", text);
            }
        }),
        AttributeValue::Boolean(value) => x.nested(tag, |x| {
            x.value("value", value);
        }),
        // ASSUMPTION (spec §10.3 [I]): the instance attribute names each group by ID only (moto's answer; the
        // interface attribute also names it).
        AttributeValue::Groups(group_ids) => x.list(tag, &group_ids, |x, group_id| {
            x.text("groupId", group_id);
        }),
        AttributeValue::BlockDeviceMappings => {
            let region = world.region(&ctx.scope);
            x.list(tag, localvpc_model::volume::attached_to(region, instance_id), |x, volume| {
                super::render_block_device(x, volume)
            })
        }
        AttributeValue::ProductCodes => x.list(tag, [(); 0], |_, _| {}),
        AttributeValue::EnclaveOptions(enabled) => x.nested(tag, |x| {
            x.value("enabled", enabled);
        }),
    };
    Ok(())
}

/// The changes a ModifyInstanceAttribute request names: the legacy `Attribute`/`Value` pair and every structured
/// member (`X.Value`, `GroupId.N`, `BlockDeviceMapping.N`). The model allows exactly one.
fn requested_changes(params: &Params) -> Result<Vec<AttributeChange>> {
    let mut changes = Vec::new();
    if let Some(name) = params.get("Attribute") {
        let name = AttributeName::parse(name)?;
        changes.push(AttributeChange::legacy(name, params.required("Value")?)?);
    }
    let text = |key: &str| params.get(&format!("{key}.Value")).map(str::to_string);
    let boolean = |key: &str| params.bool(&format!("{key}.Value"));
    if let Some(value) = text("InstanceType") {
        changes.push(AttributeChange::InstanceType(value));
    }
    if let Some(value) = text("Kernel") {
        changes.push(AttributeChange::Kernel(value));
    }
    if let Some(value) = text("Ramdisk") {
        changes.push(AttributeChange::Ramdisk(value));
    }
    if let Some(wire) = text("UserData") {
        changes.push(AttributeChange::UserData(user_data::from_blob(&wire)?));
    }
    if let Some(value) = text("InstanceInitiatedShutdownBehavior") {
        changes.push(AttributeChange::ShutdownBehavior(value));
    }
    if let Some(value) = text("SriovNetSupport") {
        changes.push(AttributeChange::SriovNetSupport(value));
    }
    if let Some(value) = boolean("DisableApiTermination")? {
        changes.push(AttributeChange::DisableApiTermination(value));
    }
    if let Some(value) = boolean("DisableApiStop")? {
        changes.push(AttributeChange::DisableApiStop(value));
    }
    if let Some(value) = boolean("SourceDestCheck")? {
        changes.push(AttributeChange::SourceDestCheck(value));
    }
    if let Some(value) = boolean("EbsOptimized")? {
        changes.push(AttributeChange::EbsOptimized(value));
    }
    if let Some(value) = boolean("EnaSupport")? {
        changes.push(AttributeChange::EnaSupport(value));
    }
    let groups = params.list("GroupId")?;
    if !groups.is_empty() {
        changes.push(AttributeChange::Groups(groups));
    }
    let mappings = params.structs("BlockDeviceMapping")?;
    if !mappings.is_empty() {
        let mappings = mappings
            .iter()
            .map(|mapping| {
                Ok((
                    mapping.get("DeviceName").unwrap_or_default().to_string(),
                    mapping.bool("Ebs.DeleteOnTermination")?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        changes.push(AttributeChange::BlockDeviceMappings(mappings));
    }
    Ok(changes)
}

pub(crate) fn modify_instance_attribute(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let instance_id = params.required("InstanceId")?;
    let changes = requested_changes(params)?;
    attribute::modify_instance_attribute(tx, &ctx.scope, instance_id, changes)?;
    return_true(x);
    Ok(())
}

pub(crate) fn reset_instance_attribute(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let instance_id = params.required("InstanceId")?;
    let name = AttributeName::parse(params.required("Attribute")?)?;
    attribute::reset_instance_attribute(tx, &ctx.scope, instance_id, name)?;
    return_true(x);
    Ok(())
}

/// ModifyPrivateDnsNameOptions (part 2 §16.4): the instance's hostname type and resource-name records.
pub(crate) fn modify_private_dns_name_options(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let instance_id = params.required("InstanceId")?;
    let change = PrivateDnsNameChange {
        hostname_type: params.get("PrivateDnsHostnameType").map(str::to_string),
        enable_resource_name_dns_a_record: params.bool("EnableResourceNameDnsARecord")?,
        enable_resource_name_dns_aaaa_record: params.bool("EnableResourceNameDnsAAAARecord")?,
    };
    instance::modify_private_dns_name_options(tx, &ctx.scope, instance_id, &change)?;
    return_true(x);
    Ok(())
}
