//! DescribeInstanceStatus and RebootInstances (spec §10.5, §10.7), DescribeInstanceCreditSpecifications and
//! ModifyInstanceCreditSpecification (spec §10.6), MonitorInstances and UnmonitorInstances.

use localvpc_model::filter::{matches, validate};
use localvpc_model::ids::IdKind;
use localvpc_model::instance::credit::{self, CreditView};
use localvpc_model::instance::status::{self, StatusSummary, StatusView};
use localvpc_model::instance::{self, Instance};
use localvpc_model::{Ec2Error, Tx, World};

use super::super::{return_true, select, Ctx};
use super::render_state;
use crate::params::Params;
use crate::xml::Xml;

type Result<T = ()> = std::result::Result<T, Ec2Error>;

fn render_summary(x: &mut Xml, tag: &str, summary: StatusSummary) {
    x.nested(tag, |x| {
        if let Some(reachability) = summary.reachability {
            x.list("details", [reachability], |x, reachability| {
                x.text("name", "reachability").text("status", reachability);
            });
        }
        x.text("status", summary.status);
    });
}

/// One `<instanceStatusSet><item>`: no scheduled events, so no `eventsSet`.
fn render_status(x: &mut Xml, instance: &Instance) {
    let summary = status::summary(instance);
    x.text("instanceId", &instance.id)
        .text("availabilityZone", &instance.availability_zone)
        .text("availabilityZoneId", &instance.availability_zone_id)
        .nested("operator", |x| {
            x.value("managed", false);
        });
    render_state(x, "instanceState", instance.state);
    render_summary(x, "instanceStatus", summary);
    render_summary(x, "systemStatus", summary);
    render_summary(x, "attachedEbsStatus", summary);
}

pub(crate) fn describe_instance_status(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = params.list("InstanceId")?;
    let filters = params.filters()?;
    validate::<StatusView>(&filters)?;
    let page = params.page(5, 1000)?;
    instance::check_describe_paging(&ids, &page)?;
    let include_all = params.bool("IncludeAllInstances")?.unwrap_or(false);
    let region = world.region(&ctx.scope);
    let found = select(&region.instances, &ids, IdKind::Instance, Ec2Error::InstanceNotFound, &page, |instance| {
        status::listed(instance, include_all) && matches(&StatusView(instance), &filters)
    })?;
    x.list("instanceStatusSet", &found.items, |x, instance| render_status(x, instance));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn reboot_instances(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    status::reboot_instances(tx, &ctx.scope, &params.list("InstanceId")?)?;
    return_true(x);
    Ok(())
}

pub(crate) fn describe_instance_credit_specifications(
    world: &World,
    ctx: &Ctx,
    params: &Params,
    x: &mut Xml,
) -> Result {
    let ids = params.list("InstanceId")?;
    let filters = params.filters()?;
    validate::<CreditView>(&filters)?;
    let page = params.page(5, 1000)?;
    instance::check_describe_paging(&ids, &page)?;
    let region = world.region(&ctx.scope);
    let explicit = !ids.is_empty();
    let found = select(&region.instances, &ids, IdKind::Instance, Ec2Error::InstanceNotFound, &page, |instance| {
        (explicit || credit::listed_without_ids(instance)) && matches(&CreditView(instance), &filters)
    })?;
    x.list("instanceCreditSpecificationSet", &found.items, |x, instance| {
        x.text("instanceId", &instance.id).text("cpuCredits", credit::effective_credits(instance));
    });
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn modify_instance_credit_specification(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let items = params
        .structs("InstanceCreditSpecification")?
        .iter()
        .map(|item| Ok((item.required("InstanceId")?.to_string(), item.required("CpuCredits")?.to_string())))
        .collect::<Result<Vec<_>>>()?;
    let changes = credit::modify_instance_credit_specification(tx, &ctx.scope, &items)?;
    x.list("successfulInstanceCreditSpecificationSet", &changes.successful, |x, instance_id| {
        x.text("instanceId", instance_id);
    });
    x.list("unsuccessfulInstanceCreditSpecificationSet", &changes.unsuccessful, |x, (instance_id, error)| {
        x.text("instanceId", instance_id).nested("error", |x| {
            x.text("code", error.code()).text("message", &error.to_string());
        });
    });
    Ok(())
}

fn set_monitoring(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml, enable: bool) -> Result {
    let changes = status::set_monitoring(tx, &ctx.scope, &params.list("InstanceId")?, enable)?;
    x.list("instancesSet", &changes, |x, change| {
        x.text("instanceId", &change.instance_id).nested("monitoring", |x| {
            x.text("state", change.state);
        });
    });
    Ok(())
}

pub(crate) fn monitor_instances(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    set_monitoring(tx, ctx, params, x, true)
}

pub(crate) fn unmonitor_instances(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    set_monitoring(tx, ctx, params, x, false)
}
