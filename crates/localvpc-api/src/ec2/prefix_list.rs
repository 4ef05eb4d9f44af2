//! Prefix list actions (part 2 §17.1–17.2): DescribePrefixLists (AWS-managed lists), the managed prefix list
//! calls (Create, Describe, Modify, Restore, Delete) and their entries and associations.

use localvpc_model::prefix_list::{
    self, CreateManagedPrefixList, DescribedPrefixList, ModifyManagedPrefixList, PrefixListEntry,
};
use localvpc_model::{Ec2Error, Tx, World};

use super::Ctx;
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

/// `<prefixList>` / `<item>` content of botocore's `ManagedPrefixList`; `maxEntries` and `version` are absent for
/// an AWS-managed list (part 2 §17.1 [D]).
fn render_list(x: &mut Xml, list: &DescribedPrefixList, state: &str) {
    x.text("prefixListId", &list.id)
        .text("addressFamily", list.address_family.as_str())
        .text("state", state)
        .text("prefixListArn", &list.arn)
        .text("prefixListName", &list.name);
    if let Some(max_entries) = list.max_entries {
        x.value("maxEntries", max_entries);
    }
    if let Some(version) = list.version {
        x.value("version", version);
    }
    x.tag_set(&list.tags).text("ownerId", &list.owner_id);
}

/// `Entry.N` / `AddEntry.N` members: `Cidr` (required) and `Description`.
fn entries(params: &Params, prefix: &str) -> std::result::Result<Vec<PrefixListEntry>, Ec2Error> {
    params
        .structs(prefix)?
        .iter()
        .map(|member| {
            Ok(PrefixListEntry {
                cidr: member.required("Cidr")?.to_string(),
                description: member.get("Description").map(str::to_string),
            })
        })
        .collect()
}

fn required_int(params: &Params, name: &str) -> std::result::Result<i64, Ec2Error> {
    params.int(name)?.ok_or_else(|| Ec2Error::MissingParameter(name.to_string()))
}

pub(crate) fn describe_prefix_lists(_world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let page = params.page(5, 1000)?;
    let found = prefix_list::describe_aws(&ctx.scope, &params.list("PrefixListId")?, &params.filters()?, &page)?;
    x.list("prefixListSet", &found.items, |x, list| {
        x.string_list("cidrSet", &list.cidrs).text("prefixListId", &list.id).text("prefixListName", &list.name);
    });
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn describe_managed_prefix_lists(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let page = params.page(1, 100)?;
    let region = world.region(&ctx.scope);
    let found = prefix_list::describe(region, &ctx.scope, &params.list("PrefixListId")?, &params.filters()?, &page)?;
    x.list("prefixListSet", &found.items, |x, list| render_list(x, list, list.state));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn create_managed_prefix_list(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let request = CreateManagedPrefixList {
        name: params.required("PrefixListName")?.to_string(),
        max_entries: required_int(params, "MaxEntries")?,
        address_family: params.required("AddressFamily")?.to_string(),
        entries: entries(params, "Entry")?,
        client_token: params.get("ClientToken").map(str::to_string),
        tags: params.tag_specifications("prefix-list")?,
    };
    let list = prefix_list::create(tx, &ctx.scope, request)?;
    let described = DescribedPrefixList::customer(&ctx.scope, &list);
    x.nested("prefixList", |x| render_list(x, &described, described.state));
    Ok(())
}

pub(crate) fn modify_managed_prefix_list(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let remove = params
        .structs("RemoveEntry")?
        .iter()
        .map(|member| member.required("Cidr").map(str::to_string))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let request = ModifyManagedPrefixList {
        id: params.required("PrefixListId")?.to_string(),
        current_version: params.int("CurrentVersion")?,
        name: params.get("PrefixListName").map(str::to_string),
        max_entries: params.int("MaxEntries")?,
        add: entries(params, "AddEntry")?,
        remove,
    };
    let list = prefix_list::modify(tx, &ctx.scope, request)?;
    // Part 2 §17.2 [D bc]: the answer shows the change under way; Describe shows it complete.
    x.nested("prefixList", |x| render_list(x, &DescribedPrefixList::customer(&ctx.scope, &list), "modify-in-progress"));
    Ok(())
}

pub(crate) fn restore_managed_prefix_list_version(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let id = params.required("PrefixListId")?;
    let previous = required_int(params, "PreviousVersion")?;
    let current = required_int(params, "CurrentVersion")?;
    let list = prefix_list::restore(tx, &ctx.scope, id, previous, current)?;
    x.nested("prefixList", |x| {
        render_list(x, &DescribedPrefixList::customer(&ctx.scope, &list), "restore-in-progress")
    });
    Ok(())
}

pub(crate) fn delete_managed_prefix_list(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let list = prefix_list::delete(tx, &ctx.scope, params.required("PrefixListId")?)?;
    x.nested("prefixList", |x| render_list(x, &DescribedPrefixList::customer(&ctx.scope, &list), "delete-complete"));
    Ok(())
}

pub(crate) fn get_managed_prefix_list_entries(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let page = params.page(1, 100)?;
    let region = world.region(&ctx.scope);
    let id = params.required("PrefixListId")?;
    let found = prefix_list::entries(region, &ctx.scope, id, params.int("TargetVersion")?, &page)?;
    x.list("entrySet", &found.items, |x, entry| {
        x.text("cidr", &entry.cidr).optional("description", entry.description.as_deref());
    });
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn get_managed_prefix_list_associations(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    params.page(5, 255)?;
    let region = world.region(&ctx.scope);
    let found = prefix_list::associations(region, &ctx.scope, params.required("PrefixListId")?)?;
    x.list("prefixListAssociationSet", &found, |x, (resource_id, owner)| {
        x.text("resourceId", resource_id).text("resourceOwner", owner);
    });
    Ok(())
}
