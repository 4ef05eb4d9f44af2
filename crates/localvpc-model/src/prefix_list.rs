//! Managed prefix lists (part 2 §17.1–17.2): named sets of CIDR blocks. AWS-managed lists (S3, DynamoDB) are a
//! per-Region catalog in [`aws_managed`]; customer-managed lists are stored, versioned resources — every entry
//! change makes a new version and the list keeps the last [`MAX_VERSIONS_KEPT`] so a version can be read or
//! restored. Create, Modify, Restore and Delete are in [`manage`].
//!
//! Security group rules and routes reference lists (part 2 §17.3); what a reference stands for and who holds one
//! is in [`references`]; the routes themselves are `route_table/prefix_list_routes.rs`.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::filter::{self, Filter, Filterable, Page, PageRequest};
use crate::ids::IdKind;
use crate::tags::Tags;
use crate::world::{RegionState, Resource, Scope, Table};
use crate::{Ec2Error, PrefixListError, Result};

pub mod aws_managed;
pub mod manage;
pub mod references;

pub use aws_managed::AwsManagedList;
pub use manage::{create, delete, modify, restore, CreateManagedPrefixList, ModifyManagedPrefixList};

/// Part 2 §17.2/§20 [D]: versions kept per list; the oldest is dropped beyond it.
pub const MAX_VERSIONS_KEPT: usize = 1000;
/// Part 2 §17.1 [D UG]: the owner AWS-managed lists show.
pub const AWS_OWNER: &str = "AWS";

/// A list's address family: one per list (part 2 §17.2 [D]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AddressFamily {
    /// `IPv4`.
    IPv4,
    /// `IPv6`.
    IPv6,
}

impl AddressFamily {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AddressFamily::IPv4 => "IPv4",
            AddressFamily::IPv6 => "IPv6",
        }
    }
}

/// One entry: a CIDR block (canonical text) and its description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrefixListEntry {
    /// The block, canonical (`10.0.0.0/8`).
    pub cidr: String,
    /// `Description`.
    pub description: Option<String>,
}

/// The entries of one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrefixListVersion {
    /// 1 for the entries a list is created with, then one more per entry change.
    pub version: u64,
    /// The entries, in the order added.
    pub entries: Vec<PrefixListEntry>,
}

/// The last operation on a list, which its `state` names (`<operation>-complete`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operation {
    /// CreateManagedPrefixList.
    Create,
    /// ModifyManagedPrefixList.
    Modify,
    /// RestoreManagedPrefixListVersion.
    Restore,
}

impl Operation {
    /// The state once the operation is done. AWS passes through `<operation>-in-progress` first (part 2 §17.2
    /// [D bc]); localvpc applies every change at once, so only Modify and Restore answers show that state.
    pub fn complete_state(self) -> &'static str {
        match self {
            Operation::Create => "create-complete",
            Operation::Modify => "modify-complete",
            Operation::Restore => "restore-complete",
        }
    }
}

/// A customer-managed prefix list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedPrefixList {
    /// `pl-…`.
    pub id: String,
    /// `PrefixListName`.
    pub name: String,
    /// `AddressFamily`.
    pub address_family: AddressFamily,
    /// `MaxEntries`.
    pub max_entries: u32,
    /// The versions kept, oldest first; the last is the current one.
    pub versions: Vec<PrefixListVersion>,
    /// The last operation (the `state`).
    pub last_operation: Operation,
    /// `ClientToken` of the Create call.
    pub client_token: Option<String>,
    /// Tags.
    pub tags: Tags,
}

impl ManagedPrefixList {
    /// The current version.
    pub fn current(&self) -> &PrefixListVersion {
        self.versions.last().expect("a list always has a version")
    }

    /// A kept version.
    pub fn version(&self, version: u64) -> Option<&PrefixListVersion> {
        self.versions.iter().find(|kept| kept.version == version)
    }
}

impl Resource for ManagedPrefixList {
    const KIND: &'static str = "managed_prefix_list";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.managed_prefix_lists
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.managed_prefix_lists
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
}

/// A list of either kind, as DescribeManagedPrefixLists shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribedPrefixList {
    /// `prefixListId`.
    pub id: String,
    /// `prefixListName`.
    pub name: String,
    /// `addressFamily`.
    pub address_family: AddressFamily,
    /// `state`.
    pub state: &'static str,
    /// `prefixListArn`.
    pub arn: String,
    /// `ownerId`: the account, or `AWS`.
    pub owner_id: String,
    /// `maxEntries` (absent for AWS-managed lists).
    pub max_entries: Option<u32>,
    /// `version` (part 2 §17.1 [D]: an AWS-managed list's version isn't visible).
    pub version: Option<u64>,
    /// `tagSet`.
    pub tags: Tags,
}

impl DescribedPrefixList {
    /// A customer-managed list of the scope.
    pub fn customer(scope: &Scope, list: &ManagedPrefixList) -> Self {
        DescribedPrefixList {
            id: list.id.clone(),
            name: list.name.clone(),
            address_family: list.address_family,
            state: list.last_operation.complete_state(),
            arn: arn(&scope.region, &scope.account, &list.id),
            owner_id: scope.account.clone(),
            max_entries: Some(list.max_entries),
            version: Some(list.current().version),
            tags: list.tags.clone(),
        }
    }

    /// An AWS-managed list of the Region. ASSUMPTION (§17.1 [I]): its ARN names the account `aws`, as AWS's
    /// own resources' ARNs do.
    pub fn aws(region: &str, list: &AwsManagedList) -> Self {
        DescribedPrefixList {
            id: list.id.clone(),
            name: list.name.clone(),
            address_family: AddressFamily::IPv4,
            state: Operation::Create.complete_state(),
            arn: arn(region, "aws", &list.id),
            owner_id: AWS_OWNER.to_string(),
            max_entries: None,
            version: None,
            tags: Tags::default(),
        }
    }
}

/// Part 2 §17.2 [D bc]: `arn:aws:ec2:<region>:<account>:prefix-list/pl-…`.
pub fn arn(region: &str, account: &str, id: &str) -> String {
    format!("arn:aws:ec2:{region}:{account}:prefix-list/{id}")
}

impl Filterable for DescribedPrefixList {
    const FILTERS: &'static [&'static str] = &["owner-id", "prefix-list-id", "prefix-list-name"];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        match name {
            "owner-id" => out.push(self.owner_id.clone()),
            "prefix-list-id" => out.push(self.id.clone()),
            "prefix-list-name" => out.push(self.name.clone()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.tags)
    }
}

impl Filterable for AwsManagedList {
    const FILTERS: &'static [&'static str] = &["prefix-list-id", "prefix-list-name"];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        match name {
            "prefix-list-id" => out.push(self.id.clone()),
            "prefix-list-name" => out.push(self.name.clone()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        None
    }
}

/// A list the caller can read: the Region's AWS-managed one or the scope's own.
#[derive(Debug, Clone)]
pub enum Readable {
    /// AWS-managed.
    Aws(AwsManagedList),
    /// Customer-managed, the caller's.
    Customer(Arc<ManagedPrefixList>),
}

/// Looks a list up by ID, checking its shape first. Another account's list is not found (part 1 isolation).
pub fn find(region: &RegionState, scope: &Scope, id: &str) -> Result<Readable> {
    IdKind::PrefixList.check(id)?;
    if let Some(list) = aws_managed::find(&scope.region, id) {
        return Ok(Readable::Aws(list));
    }
    region.managed_prefix_lists.get(id).cloned().map(Readable::Customer).ok_or_else(|| not_found(id))
}

/// Looks up a list the caller may change: its own; an AWS-managed one is refused (§17.1 [D]).
pub fn find_own(region: &RegionState, scope: &Scope, id: &str) -> Result<Arc<ManagedPrefixList>> {
    match find(region, scope, id)? {
        Readable::Customer(list) => Ok(list),
        Readable::Aws(list) => Err(PrefixListError::AwsManaged(list.id).into()),
    }
}

fn not_found(id: &str) -> Ec2Error {
    Ec2Error::PrefixListNotFound(id.to_string())
}

/// Table of `items` keyed by ID, for paging in ID order.
fn by_id<T>(items: impl IntoIterator<Item = (String, T)>) -> Table<T> {
    items.into_iter().map(|(id, item)| (Arc::from(id.as_str()), Arc::new(item))).collect()
}

/// Checks the shape of every ID and that each names a list the caller can read.
fn check_ids(region: &RegionState, scope: &Scope, ids: &[String]) -> Result<()> {
    ids.iter().try_for_each(|id| find(region, scope, id).map(|_| ()))
}

/// DescribePrefixLists (§17.1): the Region's AWS-managed lists only. ASSUMPTION (§17.1 [I]): an ID of one of the
/// caller's customer-managed lists is not found here, as the legacy call knows only service lists.
pub fn describe_aws(
    scope: &Scope,
    ids: &[String],
    filters: &[Filter],
    page: &PageRequest,
) -> Result<Page<Arc<AwsManagedList>>> {
    filter::validate::<AwsManagedList>(filters)?;
    let lists = aws_managed::lists(&scope.region);
    for id in ids {
        IdKind::PrefixList.check(id)?;
        if !lists.iter().any(|list| &list.id == id) {
            return Err(not_found(id));
        }
    }
    let table = by_id(lists.into_iter().map(|list| (list.id.clone(), list)));
    filter::paginate(&table, page, |list| (ids.is_empty() || ids.contains(&list.id)) && filter::matches(list, filters))
}

/// DescribeManagedPrefixLists (§17.1): the Region's AWS-managed lists and the scope's own, in ID order.
pub fn describe(
    region: &RegionState,
    scope: &Scope,
    ids: &[String],
    filters: &[Filter],
    page: &PageRequest,
) -> Result<Page<Arc<DescribedPrefixList>>> {
    filter::validate::<DescribedPrefixList>(filters)?;
    check_ids(region, scope, ids)?;
    let aws = aws_managed::lists(&scope.region).into_iter().map(|list| DescribedPrefixList::aws(&scope.region, &list));
    let own = region.managed_prefix_lists.values().map(|list| DescribedPrefixList::customer(scope, list));
    let table = by_id(aws.chain(own).map(|list| (list.id.clone(), list)));
    filter::paginate(&table, page, |list| (ids.is_empty() || ids.contains(&list.id)) && filter::matches(list, filters))
}

/// GetManagedPrefixListEntries (§17.2): the entries of the current version or of `target_version`, by CIDR.
/// ASSUMPTION (§17.1: an AWS-managed list's version isn't visible): `TargetVersion` is not checked for one.
pub fn entries(
    region: &RegionState,
    scope: &Scope,
    id: &str,
    target_version: Option<i64>,
    page: &PageRequest,
) -> Result<Page<Arc<PrefixListEntry>>> {
    let entries: Vec<PrefixListEntry> = match find(region, scope, id)? {
        Readable::Aws(list) => list.cidrs.into_iter().map(|cidr| PrefixListEntry { cidr, description: None }).collect(),
        Readable::Customer(list) => match target_version {
            None => list.current().entries.clone(),
            Some(version) => u64::try_from(version)
                .ok()
                .and_then(|version| list.version(version))
                .map(|kept| kept.entries.clone())
                .ok_or_else(|| PrefixListError::VersionNotFound { prefix_list_id: list.id.clone(), version })?,
        },
    };
    let table = by_id(entries.into_iter().map(|entry| (entry.cidr.clone(), entry)));
    filter::paginate(&table, page, |_| true)
}

/// GetManagedPrefixListAssociations (§17.2): the resources that reference the list, as (resource ID, owner).
/// The list must exist.
pub fn associations(region: &RegionState, scope: &Scope, id: &str) -> Result<Vec<(String, String)>> {
    find(region, scope, id)?;
    Ok(references::referencing_resources(region, id))
}

#[cfg(test)]
mod tests;
