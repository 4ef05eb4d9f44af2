//! DescribeInstanceStatus (spec §10.5) and RebootInstances (spec §10.7): the status checks of an instance and
//! their filters, and the reboot rule; MonitorInstances and UnmonitorInstances, and the monitoring state an
//! instance shows.
//!
//! localvpc's instances have no hardware to fail and reach `running` at once (spec §2.9), so the checks finish at
//! once too: a running instance reports `ok` with `reachability` `passed` for the instance, the system and its
//! attached EBS, which is what AWS reports once the checks have run.
//! ASSUMPTION (spec §10.5 [I timing]): no visible `initializing` phase, as no visible `pending` one.
//! ASSUMPTION (spec §10.5 [I]): any other state reports `not-applicable`, without details.

use super::{Instance, InstanceState};
use crate::filter::Filterable;
use crate::instance::attribute::InstanceAttributes;
use crate::world::{Scope, Tx};
use crate::{Ec2Error, Result};

/// One status summary (`instanceStatus`, `systemStatus`, `attachedEbsStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusSummary {
    /// `ok` or `not-applicable`.
    pub status: &'static str,
    /// The `reachability` detail, when the check ran.
    pub reachability: Option<&'static str>,
}

/// The status of an instance's checks (all three summaries are the same here: see the module doc).
pub fn summary(instance: &Instance) -> StatusSummary {
    if instance.state == InstanceState::Running {
        StatusSummary { status: "ok", reachability: Some("passed") }
    } else {
        StatusSummary { status: "not-applicable", reachability: None }
    }
}

/// Spec §10.5 [D bc]: without `IncludeAllInstances`, running instances only; an explicitly named instance in
/// another state is simply absent [I].
pub fn listed(instance: &Instance, include_all_instances: bool) -> bool {
    include_all_instances || instance.state == InstanceState::Running
}

/// An instance as DescribeInstanceStatus filters it.
pub struct StatusView<'a>(pub &'a Instance);

impl Filterable for StatusView<'_> {
    const FILTERS: &'static [&'static str] = &[
        "attached-ebs-status.status",
        "availability-zone",
        "availability-zone-id",
        "event.code",
        "event.description",
        "event.instance-event-id",
        "event.not-after",
        "event.not-before",
        "event.not-before-deadline",
        "instance-state-code",
        "instance-state-name",
        "instance-status.reachability",
        "instance-status.status",
        "operator.managed",
        "operator.principal",
        "system-status.reachability",
        "system-status.status",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let instance = self.0;
        let checks = summary(instance);
        match name {
            "availability-zone" => out.push(instance.availability_zone.clone()),
            "availability-zone-id" => out.push(instance.availability_zone_id.clone()),
            "instance-state-code" => out.push(instance.state.code().to_string()),
            "instance-state-name" => out.push(instance.state.name().to_string()),
            "instance-status.status" | "system-status.status" | "attached-ebs-status.status" => {
                out.push(checks.status.to_string())
            }
            "instance-status.reachability" | "system-status.reachability" => {
                out.extend(checks.reachability.map(str::to_string))
            }
            // No instance is managed by a service, and none has scheduled events.
            "operator.managed" => out.push("false".into()),
            _ => {}
        }
    }
}

/// RebootInstances (spec §10.7): every ID must exist; terminated instances are ignored [D bc]; a running instance
/// stays `running` with its addresses. ASSUMPTION (spec §10.7 [I]): a stopped or stopping instance is refused.
pub fn reboot_instances(tx: &mut Tx, scope: &Scope, instance_ids: &[String]) -> Result<()> {
    let instances = super::find_all(tx.region(scope), instance_ids)?;
    if let Some(instance) =
        instances.iter().find(|instance| matches!(instance.state, InstanceState::Stopped | InstanceState::Stopping))
    {
        return Err(Ec2Error::InstanceCannotBeRebooted(instance.id.clone()));
    }
    Ok(())
}

/// `monitoring.state` (EC2 API reference, Monitoring: `disabled | disabling | enabled | pending`). The stored
/// setting is final; like the instance state, only the answer of the call that enables it shows the transition —
/// RunInstances' answer shows `pending` for an instance launched with detailed monitoring, as MonitorInstances
/// answers, and every later Describe `enabled`.
pub fn monitoring_state(instance: &Instance) -> &'static str {
    match (instance.attributes.detailed_monitoring, instance.state) {
        (false, _) => "disabled",
        (true, InstanceState::Pending) => "pending",
        (true, _) => "enabled",
    }
}

/// One item of a MonitorInstances or UnmonitorInstances answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitoringChange {
    /// The instance.
    pub instance_id: String,
    /// `pending` (Monitor) or `disabling` (Unmonitor).
    pub state: &'static str,
}

/// MonitorInstances (`enable`) and UnmonitorInstances: every ID must exist first.
/// ASSUMPTION (EC2 API reference [D] "a running or stopped instance"; the refusal's code is [I]): a terminated or
/// shutting-down instance is refused.
pub fn set_monitoring(
    tx: &mut Tx,
    scope: &Scope,
    instance_ids: &[String],
    enable: bool,
) -> Result<Vec<MonitoringChange>> {
    let instances = super::find_all(tx.region(scope), instance_ids)?;
    if let Some(instance) = instances
        .iter()
        .find(|instance| matches!(instance.state, InstanceState::Terminated | InstanceState::ShuttingDown))
    {
        return Err(Ec2Error::InstanceNotInValidState(instance.id.clone()));
    }
    let state = if enable { "pending" } else { "disabling" };
    let mut changes = Vec::with_capacity(instances.len());
    for instance in instances {
        if instance.attributes.detailed_monitoring != enable {
            tx.update::<Instance>(scope, &instance.id, |instance| {
                instance.attributes = InstanceAttributes { detailed_monitoring: enable, ..instance.attributes.clone() }
            });
        }
        changes.push(MonitoringChange { instance_id: instance.id.clone(), state });
    }
    Ok(changes)
}
