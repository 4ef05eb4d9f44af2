//! CPU credit options of burstable performance instances (spec §10.6): the launch default of each family,
//! DescribeInstanceCreditSpecifications and ModifyInstanceCreditSpecification.

use std::sync::Arc;

use super::{Instance, InstanceState};
use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::world::{RegionState, Scope, Tx};
use crate::{Ec2Error, Result};

/// Whether an instance type is a burstable performance type (the instance type table's
/// `burstablePerformanceSupported`), and its launch default credit option: spec §10.6 [D EC2UG], T2 launches
/// `standard`, T3, T3a and T4g (the table's other burstable families) `unlimited`.
pub fn default_credits(instance_type: &str) -> Option<&'static str> {
    let known = crate::instance_type::find(instance_type)?;
    if !known.burstable_performance_supported {
        return None;
    }
    Some(if instance_type.starts_with("t2.") { "standard" } else { "unlimited" })
}

/// Spec §10.6 [D bc]: the credit option an instance reports — as launched or modified, else its type's default;
/// a type that is not burstable reports `standard`.
pub fn effective_credits(instance: &Instance) -> &str {
    instance
        .attributes
        .cpu_credits
        .as_deref()
        .or_else(|| default_credits(&instance.instance_type))
        .unwrap_or("standard")
}

/// Spec §10.6 [D errs]: `standard` or `unlimited`.
pub fn check_cpu_credits(value: &str) -> Result<()> {
    match value {
        "standard" | "unlimited" => Ok(()),
        other => Err(Ec2Error::CpuCreditsMalformed(other.to_string())),
    }
}

/// RunInstances' `CreditSpecification.CpuCredits`: only burstable types take one, whatever its value
/// ([O] hashicorp/terraform-provider-aws#5067: `standard` on an m5.large is refused).
pub fn launch_credits(instance_type: &str, requested: Option<&str>) -> Result<Option<String>> {
    let Some(requested) = requested else { return Ok(None) };
    check_cpu_credits(requested)?;
    if default_credits(instance_type).is_none() {
        return Err(Ec2Error::CreditSpecificationNotSupported(instance_type.to_string()));
    }
    Ok(Some(requested.to_string()))
}

/// Spec §10.6 [D bc]: without IDs, only instances in `unlimited` mode (including ones resized away from a
/// burstable type while unlimited); terminated instances are gone from the answer.
pub fn listed_without_ids(instance: &Instance) -> bool {
    instance.state != InstanceState::Terminated && effective_credits(instance) == "unlimited"
}

/// The `instance-id` filter of DescribeInstanceCreditSpecifications.
pub struct CreditView<'a>(pub &'a Instance);

impl Filterable for CreditView<'_> {
    const FILTERS: &'static [&'static str] = &["instance-id"];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        if name == "instance-id" {
            out.push(self.0.id.clone());
        }
    }
}

/// The answer of ModifyInstanceCreditSpecification: items that changed, and items refused with their error.
#[derive(Debug, Default)]
pub struct CreditChanges {
    /// Instance IDs whose option was set.
    pub successful: Vec<String>,
    /// Instance IDs refused, with the error each carries (`code` and message).
    pub unsuccessful: Vec<(String, Ec2Error)>,
}

/// ModifyInstanceCreditSpecification (spec §10.6): each item succeeds or fails on its own, with the codes of
/// botocore's `UnsuccessfulInstanceCreditSpecificationErrorCode`; a bad `CpuCredits` fails the whole call.
pub fn modify_instance_credit_specification(
    tx: &mut Tx,
    scope: &Scope,
    items: &[(String, String)],
) -> Result<CreditChanges> {
    if items.is_empty() {
        return Err(Ec2Error::MissingParameter("InstanceCreditSpecification".into()));
    }
    for (_, credits) in items {
        check_cpu_credits(credits)?;
    }
    let mut changes = CreditChanges::default();
    for (instance_id, credits) in items {
        match credit_target(tx.region(scope), instance_id) {
            Ok(instance) => {
                let credits = credits.clone();
                tx.update::<Instance>(scope, &instance.id, |instance| instance.attributes.cpu_credits = Some(credits));
                changes.successful.push(instance_id.clone());
            }
            Err(error) => changes.unsuccessful.push((instance_id.clone(), error)),
        }
    }
    Ok(changes)
}

/// An instance whose credit option may change: it exists, is not terminated, and is of a burstable type.
fn credit_target(region: &RegionState, instance_id: &str) -> Result<Arc<Instance>> {
    IdKind::Instance.check(instance_id)?;
    let instance = super::find(region, instance_id)?;
    if instance.state == InstanceState::Terminated {
        return Err(Ec2Error::InstanceNotInValidState(instance.id.clone()));
    }
    if default_credits(&instance.instance_type).is_none() {
        return Err(Ec2Error::CreditSpecificationNotSupported(instance.instance_type.clone()));
    }
    Ok(instance)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::attribute::{cpu_options, CpuOptions};

    #[test]
    fn burstable_families_and_their_defaults() {
        assert_eq!(default_credits("t2.micro"), Some("standard"));
        assert_eq!(default_credits("t3.micro"), Some("unlimited"));
        assert_eq!(default_credits("t3a.large"), Some("unlimited"));
        assert_eq!(default_credits("t4g.nano"), Some("unlimited"));
        assert_eq!(default_credits("m5.large"), None);
        assert_eq!(default_credits("m1.small"), None);
        assert_eq!(default_credits("t3.unknown"), None, "a type the table does not know is not burstable");
        // The families whose default the user guide documents are exactly the table's burstable ones.
        let burstable: std::collections::BTreeSet<&str> = crate::instance_type::all()
            .filter(|known| known.burstable_performance_supported)
            .filter_map(|known| known.name().split_once('.').map(|(family, _)| family))
            .collect();
        assert_eq!(burstable.into_iter().collect::<Vec<_>>(), ["t2", "t3", "t3a", "t4g"]);
        assert_eq!(
            launch_credits("m5.large", Some("standard")).unwrap_err().code(),
            "InstanceCreditSpecification.NotSupported"
        );
        assert_eq!(launch_credits("t3.micro", Some("infinite")).unwrap_err().code(), "InvalidCpuCredits.Malformed");
        assert_eq!(launch_credits("t2.micro", Some("unlimited")).unwrap(), Some("unlimited".to_string()));
    }

    #[test]
    fn cpu_topology_matches_recorded_answers() {
        let options = |core_count, threads_per_core| CpuOptions { core_count, threads_per_core };
        assert_eq!(cpu_options("t2.micro"), options(1, 1));
        assert_eq!(cpu_options("t3.micro"), options(1, 2));
        assert_eq!(cpu_options("m5.large"), options(1, 2));
        assert_eq!(cpu_options("m5.4xlarge"), options(8, 2));
        assert_eq!(cpu_options("t4g.micro"), options(2, 1));
        assert_eq!(cpu_options("m1.small"), options(1, 1));
    }
}
