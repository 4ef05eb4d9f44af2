//! Tag actions: CreateTags, DeleteTags, DescribeTags (spec §2.12).

use localvpc_model::filter::{matches, validate};
use localvpc_model::tags::ops::{self, TagDescription};
use localvpc_model::{Ec2Error, Tx, World};

use super::{return_true, Ctx};
use crate::control::Control;
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

fn resource_ids(params: &Params) -> std::result::Result<Vec<String>, Ec2Error> {
    let ids = params.list("ResourceId")?;
    if ids.is_empty() {
        return Err(Ec2Error::MissingParameter("ResourceId".into()));
    }
    Ok(ids)
}

pub(crate) fn create_tags(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = resource_ids(params)?;
    let tags = params.tags("Tag")?;
    if tags.is_empty() {
        return Err(Ec2Error::MissingParameter("Tag".into()));
    }
    ops::create_tags(tx, &ctx.scope, &ids, &tags)?;
    return_true(x);
    Ok(())
}

pub(crate) fn delete_tags(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = resource_ids(params)?;
    let tags: Vec<(String, Option<String>)> = params
        .structs("Tag")?
        .into_iter()
        .filter_map(|tag| Some((tag.get("Key")?.to_string(), tag.get("Value").map(str::to_string))))
        .collect();
    ops::delete_tags(tx, &ctx.scope, &ids, &tags)?;
    return_true(x);
    Ok(())
}

/// Tokens for DescribeTags are offsets into the ordered tag list.
const TOKEN_MARKER: &str = "lvpc1.tags.";

pub(crate) fn describe_tags(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let filters = params.filters()?;
    validate::<TagDescription>(&filters)?;
    let page = params.page(5, 1000)?;
    let start = match &page.next_token {
        None => 0,
        Some(token) => token
            .strip_prefix(TOKEN_MARKER)
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| Ec2Error::InvalidNextToken(token.clone()))?,
    };
    let mut all = ops::all_tags(world.region(&ctx.scope));
    all.extend(ops::peering_tags(world, &ctx.scope, Control::now(world)));
    all.extend(ops::transit_gateway_tags(world, &ctx.scope, Control::now(world)));
    all.sort_by(|a, b| a.resource_id.cmp(&b.resource_id));
    let matching: Vec<TagDescription> = all.into_iter().filter(|tag| matches(tag, &filters)).collect();
    let end = page.max_results.map_or(matching.len(), |max| (start + max).min(matching.len()));
    let shown = matching.get(start.min(end)..end).unwrap_or_default();
    x.list("tagSet", shown, |x, tag| {
        x.text("resourceId", &tag.resource_id)
            .text("resourceType", tag.resource_type)
            .text("key", &tag.key)
            .text("value", &tag.value);
    });
    if end < matching.len() {
        x.text("nextToken", &format!("{TOKEN_MARKER}{end}"));
    }
    Ok(())
}
