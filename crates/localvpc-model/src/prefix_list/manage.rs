//! Create, Modify, Restore and Delete of customer-managed prefix lists (part 2 §17.2), and the rules their
//! entries obey: one address family per list, canonical CIDR blocks, no block twice, at most `MaxEntries`.

use std::sync::Arc;

use ipnet::IpNet;

use super::MAX_VERSIONS_KEPT;
use super::{find_own, AddressFamily, ManagedPrefixList, Operation, PrefixListEntry, PrefixListVersion};
use crate::ids::IdKind;
use crate::tags::{Tag, Tags};
use crate::world::{Scope, Tx};
use crate::{PrefixListError, Result};

/// Part 2 §17.2 [D]: the largest `MaxEntries`.
pub const MAX_ENTRIES_LIMIT: i64 = 1000;
/// Part 2 §17.2 [D UG]: names starting with this are AWS's.
const RESERVED_NAME_PREFIX: &str = "com.amazonaws";

/// A CreateManagedPrefixList request, as sent.
#[derive(Debug, Clone, Default)]
pub struct CreateManagedPrefixList {
    /// `PrefixListName`.
    pub name: String,
    /// `MaxEntries`.
    pub max_entries: i64,
    /// `AddressFamily`.
    pub address_family: String,
    /// `Entry.N.{Cidr,Description}`.
    pub entries: Vec<PrefixListEntry>,
    /// `ClientToken`.
    pub client_token: Option<String>,
    /// `TagSpecification.N` of type `prefix-list`.
    pub tags: Vec<Tag>,
}

/// A ModifyManagedPrefixList request, as sent.
#[derive(Debug, Clone, Default)]
pub struct ModifyManagedPrefixList {
    /// `PrefixListId`.
    pub id: String,
    /// `CurrentVersion`.
    pub current_version: Option<i64>,
    /// `PrefixListName`.
    pub name: Option<String>,
    /// `MaxEntries`.
    pub max_entries: Option<i64>,
    /// `AddEntry.N.{Cidr,Description}`.
    pub add: Vec<PrefixListEntry>,
    /// `RemoveEntry.N.Cidr`.
    pub remove: Vec<String>,
}

fn address_family(text: &str) -> Result<AddressFamily> {
    match text {
        "IPv4" => Ok(AddressFamily::IPv4),
        "IPv6" => Ok(AddressFamily::IPv6),
        other => Err(PrefixListError::InvalidAddressFamily(other.to_string()).into()),
    }
}

fn max_entries(value: i64) -> Result<u32> {
    if (1..=MAX_ENTRIES_LIMIT).contains(&value) {
        Ok(value as u32)
    } else {
        Err(PrefixListError::InvalidMaxEntries(value).into())
    }
}

fn name(text: &str) -> Result<String> {
    if text.starts_with(RESERVED_NAME_PREFIX) {
        return Err(PrefixListError::ReservedName.into());
    }
    Ok(text.to_string())
}

/// A block of the list's family in canonical form (`10.0.0.0/8`, not `10.0.0.1/8`). ASSUMPTION (§17.2 [I]): a
/// block with host bits set is refused rather than truncated, as AWS refuses it for route destinations.
fn cidr(text: &str, family: AddressFamily) -> Result<String> {
    let net: IpNet = text.parse().map_err(|_| PrefixListError::InvalidCidr(text.to_string()))?;
    if net.trunc() != net {
        return Err(PrefixListError::InvalidCidr(text.to_string()).into());
    }
    let matches_family =
        matches!((&net, family), (IpNet::V4(_), AddressFamily::IPv4) | (IpNet::V6(_), AddressFamily::IPv6));
    if !matches_family {
        return Err(PrefixListError::WrongFamily { cidr: text.to_string(), family: family.as_str() }.into());
    }
    Ok(net.to_string())
}

/// Adds `added` to `entries`: each block of the family, none already held.
fn add_entries(entries: &mut Vec<PrefixListEntry>, added: &[PrefixListEntry], family: AddressFamily) -> Result<()> {
    for entry in added {
        let block = cidr(&entry.cidr, family)?;
        if entries.iter().any(|held| held.cidr == block) {
            return Err(PrefixListError::DuplicateEntry(block).into());
        }
        entries.push(PrefixListEntry { cidr: block, description: entry.description.clone() });
    }
    Ok(())
}

fn fits(entries: &[PrefixListEntry], max_entries: u32) -> Result<()> {
    if entries.len() > max_entries as usize {
        return Err(PrefixListError::TooManyEntries { entries: entries.len(), max_entries }.into());
    }
    Ok(())
}

/// A stale `CurrentVersion` is refused (§17.2 [O]).
fn check_version(list: &ManagedPrefixList, current_version: Option<i64>) -> Result<()> {
    match current_version {
        Some(version) if version < 0 || version as u64 != list.current().version => {
            Err(PrefixListError::VersionMismatch.into())
        }
        _ => Ok(()),
    }
}

/// Makes `entries` the list's next version, dropping the oldest beyond [`MAX_VERSIONS_KEPT`] (§17.2 [D]).
fn push_version(list: &mut ManagedPrefixList, entries: Vec<PrefixListEntry>) {
    let version = list.current().version + 1;
    list.versions.push(PrefixListVersion { version, entries });
    if list.versions.len() > MAX_VERSIONS_KEPT {
        list.versions.remove(0);
    }
}

/// CreateManagedPrefixList (§17.2): the list at version 1 with the request's entries. A repeated `ClientToken`
/// with the same name, family and `MaxEntries` answers the list it created (part 1 §1 idempotency); ASSUMPTION
/// (AWS answers `IdempotentParameterMismatch` [I]): with other parameters it is a new request, as for
/// CreateNatGateway here.
pub fn create(tx: &mut Tx, scope: &Scope, request: CreateManagedPrefixList) -> Result<Arc<ManagedPrefixList>> {
    if let Some(token) = &request.client_token {
        let earlier = tx.region(scope).managed_prefix_lists.values().find(|list| {
            list.client_token.as_ref() == Some(token)
                && list.name == request.name
                && list.address_family.as_str() == request.address_family
                && i64::from(list.max_entries) == request.max_entries
        });
        if let Some(earlier) = earlier {
            return Ok(earlier.clone());
        }
    }
    let name = name(&request.name)?;
    let family = address_family(&request.address_family)?;
    let max_entries = max_entries(request.max_entries)?;
    let mut entries = Vec::new();
    add_entries(&mut entries, &request.entries, family)?;
    fits(&entries, max_entries)?;
    crate::tags::validate(&request.tags)?;
    let existing = tx.region(scope).managed_prefix_lists.len();
    crate::quotas::check(tx.quotas().prefix_lists_per_region, existing, 1, || PrefixListError::LimitExceeded.into())?;
    let list = ManagedPrefixList {
        id: tx.next_id(IdKind::PrefixList),
        name,
        address_family: family,
        max_entries,
        versions: vec![PrefixListVersion { version: 1, entries }],
        last_operation: Operation::Create,
        client_token: request.client_token,
        tags: Tags(request.tags),
    };
    let id = list.id.clone();
    tx.put(scope, list);
    Ok(tx.get(scope, &id).expect("just inserted"))
}

/// ModifyManagedPrefixList (§17.2): entry changes (removals first, so one call can re-add a block with a new
/// description) make a new version; a new name or `MaxEntries` does not (§17.2 [D]).
pub fn modify(tx: &mut Tx, scope: &Scope, request: ModifyManagedPrefixList) -> Result<Arc<ManagedPrefixList>> {
    let mut list = (*find_own(tx.region(scope), scope, &request.id)?).clone();
    check_version(&list, request.current_version)?;
    if let Some(text) = &request.name {
        list.name = name(text)?;
    }
    let new_max = request.max_entries.map(max_entries).transpose()?;
    let grows = new_max.is_some_and(|max| max > list.max_entries);
    let mut entries = list.current().entries.clone();
    for text in &request.remove {
        let block = cidr(text, list.address_family)?;
        let held = entries.iter().position(|entry| entry.cidr == block).ok_or(PrefixListError::EntryNotFound(block))?;
        entries.remove(held);
    }
    add_entries(&mut entries, &request.add, list.address_family)?;
    let changes_entries = !request.add.is_empty() || !request.remove.is_empty();
    if let Some(max) = new_max {
        // §17.2 [D]: MaxEntries can't shrink below what the list will hold.
        if (max as usize) < entries.len() && !changes_entries {
            return Err(PrefixListError::MaxEntriesBelowEntries { entries: entries.len(), max_entries: max }.into());
        }
        list.max_entries = max;
    }
    fits(&entries, list.max_entries)?;
    if changes_entries {
        push_version(&mut list, entries);
    }
    list.last_operation = Operation::Modify;
    let id = list.id.clone();
    tx.put(scope, list);
    if grows {
        super::references::check_referencing_quotas(tx, scope, &id)?;
    }
    Ok(tx.get(scope, &id).expect("just stored"))
}

/// RestoreManagedPrefixListVersion (§17.2): a new version holding `previous_version`'s entries.
pub fn restore(
    tx: &mut Tx,
    scope: &Scope,
    id: &str,
    previous_version: i64,
    current_version: i64,
) -> Result<Arc<ManagedPrefixList>> {
    let mut list = (*find_own(tx.region(scope), scope, id)?).clone();
    check_version(&list, Some(current_version))?;
    let entries = u64::try_from(previous_version)
        .ok()
        .and_then(|version| list.version(version))
        .map(|kept| kept.entries.clone())
        .ok_or_else(|| PrefixListError::VersionNotFound {
            prefix_list_id: list.id.clone(),
            version: previous_version,
        })?;
    fits(&entries, list.max_entries)?;
    push_version(&mut list, entries);
    list.last_operation = Operation::Restore;
    tx.put(scope, list);
    Ok(tx.get(scope, id).expect("just stored"))
}

/// DeleteManagedPrefixList (§17.2): the list as it was, for the answer; refused while a security group rule or a
/// route references the list (§17.2 [D]).
pub fn delete(tx: &mut Tx, scope: &Scope, id: &str) -> Result<Arc<ManagedPrefixList>> {
    let list = find_own(tx.region(scope), scope, id)?;
    // Part 2 §17.2 [D]: refused while a security group rule or a route references the list.
    if let Some((resource_id, _)) = super::references::referencing_resources(tx.region(scope), id).first() {
        return Err(PrefixListError::InUse { prefix_list_id: id.to_string(), resource_id: resource_id.clone() }.into());
    }
    tx.remove::<ManagedPrefixList>(scope, id);
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::{Timestamp, World};

    fn entry(cidr: &str) -> PrefixListEntry {
        PrefixListEntry { cidr: cidr.into(), description: None }
    }

    #[test]
    fn a_list_keeps_its_last_1000_versions_and_forgets_older_ones() {
        let scope = Scope::new("123456789012", "us-east-1");
        let mut world = World::default();
        let mut tx = Tx::new(&mut world, Timestamp(0));
        let request = CreateManagedPrefixList {
            name: "office".into(),
            max_entries: 1,
            address_family: "IPv4".into(),
            entries: vec![entry("10.0.0.0/16")],
            ..Default::default()
        };
        let id = create(&mut tx, &scope, request).unwrap().id.clone();
        for n in 1..=1000u32 {
            let request = ModifyManagedPrefixList {
                id: id.clone(),
                remove: vec![format!("10.{}.0.0/16", (n - 1) % 250)],
                add: vec![entry(&format!("10.{}.0.0/16", n % 250))],
                ..Default::default()
            };
            modify(&mut tx, &scope, request).unwrap();
        }
        let list = tx.get::<ManagedPrefixList>(&scope, &id).unwrap();
        assert_eq!(list.current().version, 1001);
        assert_eq!(list.versions.len(), MAX_VERSIONS_KEPT);
        assert_eq!(list.versions[0].version, 2, "version 1 was dropped");
        assert_eq!(
            restore(&mut tx, &scope, &id, 1, 1001).unwrap_err(),
            PrefixListError::VersionNotFound { prefix_list_id: id.clone(), version: 1 }.into()
        );
        let restored = restore(&mut tx, &scope, &id, 2, 1001).unwrap();
        assert_eq!(
            (restored.current().version, restored.current().entries.clone()),
            (1002, vec![entry("10.1.0.0/16")])
        );
    }
}
