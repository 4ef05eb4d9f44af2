//! Launch templates (`lt-…`): named, versioned RunInstances parameters. CreateLaunchTemplate,
//! CreateLaunchTemplateVersion (with `SourceVersion`), ModifyLaunchTemplate (the default version),
//! DeleteLaunchTemplate and DeleteLaunchTemplateVersions, the Describe rules of both Describe actions, and how
//! RunInstances reads a template (`launch_template/data.rs`).
//!
//! A version's data is kept as the request sent it: the flattened `LaunchTemplateData.*` parameters
//! (`ImageId`, `SecurityGroupId.1`, `NetworkInterface.1.SubnetId`, …), which are also RunInstances' own parameter
//! names. Keeping the request shape rather than a typed subset means every field AWS stores is stored and shown
//! back, and RunInstances reads a template exactly as it reads its own parameters.

mod data;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use data::{launch_parameters, LaunchTemplateData, LaunchWith};

use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::index::Indexes;
use crate::tags::{Tag, Tags};
use crate::world::{RegionState, Resource, Scope, Table, Timestamp, Tx};
use crate::{Ec2Error, LaunchTemplateError, Result};

/// One version of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaunchTemplateVersion {
    /// 1, 2, …
    pub number: u64,
    /// `VersionDescription`.
    pub description: Option<String>,
    /// When it was created.
    pub create_time: Timestamp,
    /// The launch parameters.
    pub data: LaunchTemplateData,
}

/// A launch template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaunchTemplate {
    /// `lt-…`.
    pub id: String,
    /// `LaunchTemplateName`, unique in its account and region.
    pub name: String,
    /// `createdBy`: the caller's ARN.
    pub created_by: String,
    /// When it was created.
    pub create_time: Timestamp,
    /// The default version.
    pub default_version: u64,
    /// The highest version number issued (deleted versions' numbers are not reused).
    pub latest_version: u64,
    /// The versions that exist, by number.
    pub versions: BTreeMap<u64, LaunchTemplateVersion>,
    /// Tags.
    pub tags: Tags,
}

impl Resource for LaunchTemplate {
    const KIND: &'static str = "launch_template";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.launch_templates
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.launch_templates
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
    /// Templates by name: names are unique, and every action accepts a name for an ID.
    fn reindex(index: &mut Indexes<'_>, old: Option<&Self>, new: Option<&Self>) {
        if old.map(|old| &old.name) == new.map(|new| &new.name) {
            return;
        }
        if let Some(old) = old {
            index.region.remove_launch_template_name(&old.name, &old.id);
        }
        if let Some(new) = new {
            index.region.add_launch_template_name(&new.name, &new.id);
        }
    }
}

impl Filterable for LaunchTemplate {
    const FILTERS: &'static [&'static str] = &["create-time", "launch-template-name"];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        match name {
            "create-time" => out.push(self.create_time.to_iso8601()),
            "launch-template-name" => out.push(self.name.clone()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.tags)
    }
}

/// A version seen with its template, for DescribeLaunchTemplateVersions' filters and rendering.
#[derive(Debug, Clone)]
pub struct VersionView {
    /// The template.
    pub template: Arc<LaunchTemplate>,
    /// The version's number in it.
    pub number: u64,
}

impl VersionView {
    /// The version.
    pub fn version(&self) -> &LaunchTemplateVersion {
        &self.template.versions[&self.number]
    }
}

impl Filterable for VersionView {
    const FILTERS: &'static [&'static str] = &[
        "create-time",
        "ebs-optimized",
        "http-endpoint",
        "http-protocol-ipv6",
        "host-resource-group-arn",
        "http-tokens",
        "iam-instance-profile",
        "image-id",
        "instance-type",
        "is-default-version",
        "kernel-id",
        "license-configuration-arn",
        "network-card-index",
        "ram-disk-id",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let data = &self.version().data;
        let field = |key: &str, out: &mut Vec<String>| out.extend(data.get(key).map(str::to_string));
        match name {
            "create-time" => out.push(self.version().create_time.to_iso8601()),
            "ebs-optimized" => field("EbsOptimized", out),
            "http-endpoint" => field("MetadataOptions.HttpEndpoint", out),
            "http-protocol-ipv6" => field("MetadataOptions.HttpProtocolIpv6", out),
            "http-tokens" => field("MetadataOptions.HttpTokens", out),
            "host-resource-group-arn" => field("Placement.HostResourceGroupArn", out),
            "iam-instance-profile" => {
                field("IamInstanceProfile.Arn", out);
                field("IamInstanceProfile.Name", out);
            }
            "image-id" => field("ImageId", out),
            "instance-type" => field("InstanceType", out),
            "is-default-version" => out.push((self.template.default_version == self.number).to_string()),
            "kernel-id" => field("KernelId", out),
            "ram-disk-id" => field("RamDiskId", out),
            _ => {}
        }
    }
}

/// Which template a request names: `LaunchTemplateId` or `LaunchTemplateName`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateRef {
    /// By ID.
    Id(String),
    /// By name.
    Name(String),
}

impl TemplateRef {
    /// From the two optional parameters: exactly one must be given (the texts are AWS's for ModifyLaunchTemplate
    /// and DeleteLaunchTemplate; CreateLaunchTemplateVersion and RunInstances answer the same way).
    pub fn from_parameters(id: Option<String>, name: Option<String>) -> Result<TemplateRef> {
        match (id, name) {
            (Some(_), Some(_)) => Err(LaunchTemplateError::LaunchTemplateIdAndName.into()),
            (Some(id), None) => Ok(TemplateRef::Id(id)),
            (None, Some(name)) => Ok(TemplateRef::Name(name)),
            (None, None) => Err(Ec2Error::MissingParameter("launch template ID or launch template name".into())),
        }
    }
}

/// Looks a template up by ID or name.
pub fn find(region: &RegionState, reference: &TemplateRef) -> Result<Arc<LaunchTemplate>> {
    match reference {
        TemplateRef::Id(id) => {
            IdKind::LaunchTemplate.check(id)?;
            region
                .launch_templates
                .get(id.as_str())
                .cloned()
                .ok_or_else(|| LaunchTemplateError::LaunchTemplateIdNotFound(id.clone()).into())
        }
        TemplateRef::Name(name) => region
            .index
            .launch_template_by_name(name)
            .and_then(|id| region.launch_templates.get(id))
            .cloned()
            .ok_or_else(|| LaunchTemplateError::LaunchTemplateNameNotFound(name.clone()).into()),
    }
}

/// The template with this name, if any.
pub fn find_by_name<'a>(region: &'a RegionState, name: &str) -> Option<&'a Arc<LaunchTemplate>> {
    region.index.launch_template_by_name(name).and_then(|id| region.launch_templates.get(id))
}

/// Resolves a version specifier (`$Latest`, `$Default` or a number) of a template.
pub fn resolve_version(template: &LaunchTemplate, version: &str) -> Result<u64> {
    let number = match version {
        "$Latest" => template.latest_version,
        "$Default" => template.default_version,
        number => {
            number.parse::<u64>().map_err(|_| LaunchTemplateError::LaunchTemplateVersionInvalid(version.into()))?
        }
    };
    if !template.versions.contains_key(&number) {
        return Err(LaunchTemplateError::LaunchTemplateVersionNotFound {
            version: version.into(),
            template_id: template.id.clone(),
        }
        .into());
    }
    Ok(number)
}

/// AWS's rule for template names: 3 to 128 letters, digits and `( ) . - / _`.
fn check_name(name: &str) -> Result<()> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "().-/_".contains(c);
    if !(3..=128).contains(&name.chars().count()) || !name.chars().all(allowed) {
        return Err(LaunchTemplateError::LaunchTemplateNameMalformed.into());
    }
    Ok(())
}

/// CreateLaunchTemplate parameters.
#[derive(Debug, Clone, Default)]
pub struct CreateLaunchTemplate {
    /// `LaunchTemplateName`.
    pub name: String,
    /// `VersionDescription`.
    pub version_description: Option<String>,
    /// `LaunchTemplateData`.
    pub data: LaunchTemplateData,
    /// `TagSpecification` type `launch-template`.
    pub tags: Vec<Tag>,
}

/// CreateLaunchTemplate: version 1, the default.
pub fn create_launch_template(
    tx: &mut Tx,
    scope: &Scope,
    request: CreateLaunchTemplate,
) -> Result<Arc<LaunchTemplate>> {
    check_name(&request.name)?;
    if find_by_name(tx.region(scope), &request.name).is_some() {
        return Err(LaunchTemplateError::LaunchTemplateNameAlreadyExists.into());
    }
    crate::tags::validate(&request.tags)?;
    request.data.validate()?;
    let now = tx.now();
    let version = LaunchTemplateVersion {
        number: 1,
        description: request.version_description,
        create_time: now,
        data: request.data,
    };
    let template = LaunchTemplate {
        id: tx.next_id(IdKind::LaunchTemplate),
        name: request.name,
        created_by: format!("arn:aws:iam::{}:root", scope.account),
        create_time: now,
        default_version: 1,
        latest_version: 1,
        versions: BTreeMap::from([(1, version)]),
        tags: Tags(request.tags),
    };
    let id = template.id.clone();
    tx.put(scope, template);
    Ok(tx.get(scope, &id).expect("just inserted"))
}

/// CreateLaunchTemplateVersion: the new version is the latest; with `SourceVersion`, it starts from that
/// version's data and the request's parameters replace the source's (a list replaces the whole list).
pub fn create_launch_template_version(
    tx: &mut Tx,
    scope: &Scope,
    reference: &TemplateRef,
    source_version: Option<&str>,
    description: Option<String>,
    data: LaunchTemplateData,
) -> Result<VersionView> {
    let template = find(tx.region(scope), reference)?;
    data.validate()?;
    let data = match source_version {
        Some(source) => {
            let number = resolve_version(&template, source)?;
            template.versions[&number].data.overridden_by(&data)
        }
        None => data,
    };
    let number = template.latest_version + 1;
    let version = LaunchTemplateVersion { number, description, create_time: tx.now(), data };
    tx.update::<LaunchTemplate>(scope, &template.id, |template| {
        template.latest_version = number;
        template.versions.insert(number, version);
    });
    let template = find(tx.region(scope), &TemplateRef::Id(template.id.clone()))?;
    Ok(VersionView { template, number })
}

/// ModifyLaunchTemplate: sets the default version.
pub fn modify_launch_template(
    tx: &mut Tx,
    scope: &Scope,
    reference: &TemplateRef,
    default_version: Option<&str>,
) -> Result<Arc<LaunchTemplate>> {
    let template = find(tx.region(scope), reference)?;
    if let Some(version) = default_version {
        let number = match version.parse::<u64>() {
            Ok(number) if template.versions.contains_key(&number) => number,
            _ => return Err(LaunchTemplateError::LaunchTemplateDefaultVersionNotFound(version.into()).into()),
        };
        tx.update::<LaunchTemplate>(scope, &template.id, |template| template.default_version = number);
    }
    find(tx.region(scope), &TemplateRef::Id(template.id.clone()))
}

/// DeleteLaunchTemplate: every version goes with it.
pub fn delete_launch_template(tx: &mut Tx, scope: &Scope, reference: &TemplateRef) -> Result<Arc<LaunchTemplate>> {
    let template = find(tx.region(scope), reference)?;
    tx.remove::<LaunchTemplate>(scope, &template.id);
    Ok(template)
}

/// Why one version of DeleteLaunchTemplateVersions was not deleted (`responseError`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionNotDeleted {
    /// The version as the request named it.
    pub version: String,
    /// AWS's code (`launchTemplateVersionDoesNotExist`, `unexpectedError`).
    pub code: &'static str,
    /// The message.
    pub message: String,
}

/// DeleteLaunchTemplateVersions: each version is deleted or reported; the default version stays (AWS deletes it
/// only with the template).
pub fn delete_launch_template_versions(
    tx: &mut Tx,
    scope: &Scope,
    reference: &TemplateRef,
    versions: &[String],
) -> Result<(Arc<LaunchTemplate>, Vec<u64>, Vec<VersionNotDeleted>)> {
    if versions.is_empty() {
        return Err(Ec2Error::MissingParameter("LaunchTemplateVersion".into()));
    }
    let template = find(tx.region(scope), reference)?;
    let (mut deleted, mut refused) = (Vec::new(), Vec::new());
    for version in versions {
        match version.parse::<u64>() {
            Ok(number) if number == template.default_version && template.versions.contains_key(&number) => refused
                .push(VersionNotDeleted {
                    version: version.clone(),
                    code: "unexpectedError",
                    message: "Cannot delete the default version of a launch template. To delete the default \
                              version, delete the launch template."
                        .into(),
                }),
            Ok(number) if template.versions.contains_key(&number) && !deleted.contains(&number) => deleted.push(number),
            _ => refused.push(VersionNotDeleted {
                version: version.clone(),
                code: "launchTemplateVersionDoesNotExist",
                message: "The specified launch template version does not exist.".into(),
            }),
        }
    }
    tx.update::<LaunchTemplate>(scope, &template.id, |template| {
        for number in &deleted {
            template.versions.remove(number);
        }
    });
    Ok((template, deleted, refused))
}

/// DescribeLaunchTemplateVersions parameters.
#[derive(Debug, Clone, Default)]
pub struct DescribeVersions {
    /// `LaunchTemplateId` or `LaunchTemplateName`; `None` means every template (only with `$Latest`/`$Default`).
    pub template: Option<TemplateRef>,
    /// `LaunchTemplateVersion.N`.
    pub versions: Vec<String>,
    /// `MinVersion`.
    pub min_version: Option<u64>,
    /// `MaxVersion`.
    pub max_version: Option<u64>,
}

/// The versions DescribeLaunchTemplateVersions lists, before filters and paging: of one template in version
/// order, or the `$Latest`/`$Default` versions of every template.
pub fn versions_to_describe(region: &RegionState, request: &DescribeVersions) -> Result<Vec<VersionView>> {
    let Some(reference) = &request.template else {
        let aliases_only = request.versions.iter().all(|version| version == "$Latest" || version == "$Default");
        if request.versions.is_empty() {
            return Err(LaunchTemplateError::DescribeVersionsWithoutTemplate.into());
        }
        if !aliases_only {
            return Err(LaunchTemplateError::DescribeVersionNumbersWithoutTemplate.into());
        }
        let mut views = Vec::new();
        for template in region.launch_templates.values() {
            let mut numbers: Vec<u64> =
                request.versions.iter().filter_map(|version| resolve_version(template, version).ok()).collect();
            numbers.sort_unstable();
            numbers.dedup();
            views.extend(numbers.into_iter().map(|number| VersionView { template: template.clone(), number }));
        }
        return Ok(views);
    };
    let template = find(region, reference)?;
    let numbers: Vec<u64> = if request.versions.is_empty() {
        let min = request.min_version.unwrap_or(0);
        let max = request.max_version.unwrap_or(u64::MAX);
        template.versions.keys().copied().filter(|number| (min..=max).contains(number)).collect()
    } else {
        let mut numbers = Vec::new();
        for version in &request.versions {
            let number = resolve_version(&template, version)?;
            if !numbers.contains(&number) {
                numbers.push(number);
            }
        }
        numbers.sort_unstable();
        numbers
    };
    Ok(numbers.into_iter().map(|number| VersionView { template: template.clone(), number }).collect())
}
