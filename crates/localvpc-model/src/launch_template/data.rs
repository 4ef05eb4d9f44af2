//! A launch template version's data, kept in the request shape (`ImageId`, `SecurityGroupId.1`,
//! `NetworkInterface.1.DeviceIndex`, …), and how RunInstances reads it: the template's parameters first, the
//! request's own parameters replacing them member by member.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{find, resolve_version, TemplateRef};
use crate::world::RegionState;
use crate::{Ec2Error, Result};

/// The flattened `LaunchTemplateData.*` parameters, without that prefix.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaunchTemplateData(pub BTreeMap<String, String>);

/// The top-level member a flattened key belongs to: `NetworkInterface` for `NetworkInterface.1.SubnetId`.
fn member(key: &str) -> &str {
    key.split('.').next().unwrap_or(key)
}

/// The resource types a template's `TagSpecification` may name (RequestLaunchTemplateData's documentation).
const TAGGABLE: [&str; 5] = ["instance", "volume", "network-interface", "spot-instances-request", "elastic-gpu"];

impl LaunchTemplateData {
    /// A value by its flattened key.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// This data with every member `overrides` sends replaced by the one sent: a list or structure is replaced
    /// whole, never merged item by item.
    pub fn overridden_by(&self, overrides: &LaunchTemplateData) -> LaunchTemplateData {
        LaunchTemplateData(merge(&self.0, &overrides.0))
    }

    /// The checks AWS makes when a template or version is created: tag specifications name taggable types and
    /// carry no reserved keys. Everything else is checked when an instance is launched from it.
    pub fn validate(&self) -> Result<()> {
        for (key, value) in &self.0 {
            let parts: Vec<&str> = key.split('.').collect();
            match parts.as_slice() {
                ["TagSpecification", _, "ResourceType"] if !TAGGABLE.contains(&value.as_str()) => {
                    return Err(Ec2Error::InvalidParameterValue(format!(
                        "'{value}' is not a valid taggable resource type for this operation."
                    )))
                }
                ["TagSpecification", _, "Tag", _, "Key"] if value.to_ascii_lowercase().starts_with("aws:") => {
                    return Err(Ec2Error::InvalidParameterValue(
                        "Tag keys starting with 'aws:' are reserved for internal use".into(),
                    ))
                }
                _ => {}
            }
        }
        Ok(())
    }
}

fn merge(base: &BTreeMap<String, String>, overrides: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let replaced: Vec<&str> = overrides.keys().map(|key| member(key)).collect();
    let mut merged: BTreeMap<String, String> =
        base.iter().filter(|(key, _)| !replaced.contains(&member(key))).map(|(k, v)| (k.clone(), v.clone())).collect();
    merged.extend(overrides.iter().map(|(k, v)| (k.clone(), v.clone())));
    merged
}

/// What RunInstances launches with when it names a template.
#[derive(Debug, Clone)]
pub struct LaunchWith {
    /// The template's ID (for the `aws:ec2launchtemplate:id` tag).
    pub template_id: String,
    /// The version used (for the `aws:ec2launchtemplate:version` tag).
    pub version: u64,
    /// The RunInstances parameters: the version's data, with the request's own parameters replacing it.
    pub parameters: BTreeMap<String, String>,
}

/// RunInstances with `LaunchTemplate`: resolves the template (`$Default` when no version is named) and lays the
/// request's parameters over its data.
// ASSUMPTION (spec part 2 [I]): a request member replaces the template's member whole — a request's
// `TagSpecification` list replaces the template's, as a request's `SecurityGroupId` list does.
pub fn launch_parameters(
    region: &RegionState,
    reference: &TemplateRef,
    version: Option<&str>,
    request: &BTreeMap<String, String>,
) -> Result<LaunchWith> {
    let template = find(region, reference)?;
    let number = resolve_version(&template, version.unwrap_or("$Default"))?;
    let data = &template.versions[&number].data;
    let own: BTreeMap<String, String> = request
        .iter()
        .filter(|(key, _)| member(key) != "LaunchTemplate")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(LaunchWith { template_id: template.id.clone(), version: number, parameters: merge(&data.0, &own) })
}
