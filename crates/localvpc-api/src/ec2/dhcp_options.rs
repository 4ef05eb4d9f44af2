//! DHCP options actions: CreateDhcpOptions, DescribeDhcpOptions, DeleteDhcpOptions, AssociateDhcpOptions
//! (spec part 2 §12.1).

use localvpc_model::dhcp_options::{self, DhcpConfiguration, DhcpOptions};
use localvpc_model::filter::{matches, validate};
use localvpc_model::ids::IdKind;
use localvpc_model::{Ec2Error, Tx, World};

use super::{return_true, select, Ctx};
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

/// `<dhcpOptions>` / `<dhcpOptionsSet><item>` content.
fn render_dhcp_options(x: &mut Xml, options: &DhcpOptions) {
    x.text("dhcpOptionsId", &options.id)
        .text("ownerId", &options.owner_id)
        .list("dhcpConfigurationSet", &options.configurations, |x, option| {
            x.text("key", &option.key).list("valueSet", &option.values, |x, value| {
                x.text("value", value);
            });
        })
        .tag_set(&options.tags);
}

pub(crate) fn create_dhcp_options(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let configurations = params
        .structs("DhcpConfiguration")?
        .into_iter()
        .map(|member| {
            let key = member.required("Key").map_err(|_| Ec2Error::MissingParameter("DhcpConfiguration.Key".into()))?;
            Ok(DhcpConfiguration { key: key.to_string(), values: member.list("Value")? })
        })
        .collect::<std::result::Result<Vec<_>, Ec2Error>>()?;
    let tags = params.tag_specifications("dhcp-options")?;
    let options = dhcp_options::create(tx, &ctx.scope, configurations, tags)?;
    x.nested("dhcpOptions", |x| render_dhcp_options(x, &options));
    Ok(())
}

pub(crate) fn describe_dhcp_options(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = params.list("DhcpOptionsId")?;
    let filters = params.filters()?;
    validate::<DhcpOptions>(&filters)?;
    let page = params.page(5, 1000)?;
    let region = world.region(&ctx.scope);
    let found =
        select(&region.dhcp_options, &ids, IdKind::DhcpOptions, Ec2Error::DhcpOptionsNotFound, &page, |options| {
            matches(options, &filters)
        })?;
    x.list("dhcpOptionsSet", &found.items, |x, options| render_dhcp_options(x, options));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn delete_dhcp_options(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    dhcp_options::delete(tx, &ctx.scope, params.required("DhcpOptionsId")?)?;
    return_true(x);
    Ok(())
}

pub(crate) fn associate_dhcp_options(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let dhcp_options_id = params.required("DhcpOptionsId")?;
    dhcp_options::associate(tx, &ctx.scope, dhcp_options_id, params.required("VpcId")?)?;
    return_true(x);
    Ok(())
}
