//! Network ACL actions: Create/Describe/DeleteNetworkAcl, Create/Replace/DeleteNetworkAclEntry and
//! ReplaceNetworkAclAssociation.

use localvpc_model::filter::{matches, validate};
use localvpc_model::ids::IdKind;
use localvpc_model::network_acl::{self, AclEntry, AclIpv6Entry, EntryRequest, NetworkAcl};
use localvpc_model::{Ec2Error, Tx, World};

use super::{return_true, select, Ctx};
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

/// One item of `entrySet`: an IPv4 entry or an IPv6 one (part 2 §16.3, `ipv6CidrBlock`).
enum EntryItem<'a> {
    V4(&'a AclEntry),
    V6(&'a AclIpv6Entry),
}

/// Every entry in the order AWS lists them: egress first, each direction by ascending rule number, the IPv6 `*`
/// (32768) after the IPv4 one.
fn entry_items(acl: &NetworkAcl) -> Vec<EntryItem<'_>> {
    let mut items: Vec<(bool, u16, EntryItem<'_>)> =
        acl.entries.iter().map(|e| (!e.egress, e.rule_number, EntryItem::V4(e))).collect();
    items.extend(acl.ipv6_entries.iter().map(|e| (!e.egress, e.rule_number, EntryItem::V6(e))));
    items.sort_by_key(|(ingress, rule_number, _)| (*ingress, *rule_number));
    items.into_iter().map(|(_, _, item)| item).collect()
}

/// `<networkAcl>` content (spec §2.8, Appendix A).
fn render_network_acl(x: &mut Xml, acl: &NetworkAcl) {
    x.text("networkAclId", &acl.id)
        .text("vpcId", &acl.vpc_id)
        .text("ownerId", &acl.owner_id)
        .value("default", acl.is_default)
        .list("entrySet", entry_items(acl), |x, item| {
            let (rule_number, protocol, allow, egress, port_range, icmp_type_code) = match item {
                EntryItem::V4(e) => (e.rule_number, &e.protocol, e.allow, e.egress, e.port_range, e.icmp_type_code),
                EntryItem::V6(e) => (e.rule_number, &e.protocol, e.allow, e.egress, e.port_range, e.icmp_type_code),
            };
            x.value("ruleNumber", rule_number)
                .text("protocol", protocol)
                .text("ruleAction", if allow { "allow" } else { "deny" })
                .value("egress", egress);
            match item {
                EntryItem::V4(e) => x.value("cidrBlock", e.cidr_block),
                EntryItem::V6(e) => x.value("ipv6CidrBlock", e.ipv6_cidr_block),
            };
            if let Some((from, to)) = port_range {
                x.nested("portRange", |x| {
                    x.value("from", from).value("to", to);
                });
            }
            if let Some((icmp_type, code)) = icmp_type_code {
                x.nested("icmpTypeCode", |x| {
                    x.value("type", icmp_type).value("code", code);
                });
            }
        })
        .list("associationSet", &acl.associations, |x, association| {
            x.text("networkAclAssociationId", &association.id)
                .text("networkAclId", &acl.id)
                .text("subnetId", &association.subnet_id);
        })
        .tag_set(&acl.tags);
}

pub(crate) fn describe_network_acls(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = params.list("NetworkAclId")?;
    let filters = params.filters()?;
    validate::<NetworkAcl>(&filters)?;
    let page = params.page(5, 1000)?;
    let region = world.region(&ctx.scope);
    let found = select(&region.network_acls, &ids, IdKind::NetworkAcl, Ec2Error::NetworkAclNotFound, &page, |acl| {
        matches(acl, &filters)
    })?;
    x.list("networkAclSet", &found.items, |x, acl| render_network_acl(x, acl));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn create_network_acl(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let tags = params.tag_specifications("network-acl")?;
    let acl = network_acl::create(tx, &ctx.scope, params.required("VpcId")?, tags)?;
    x.nested("networkAcl", |x| render_network_acl(x, &acl));
    x.optional("clientToken", params.get("ClientToken"));
    Ok(())
}

pub(crate) fn delete_network_acl(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    network_acl::delete(tx, &ctx.scope, params.required("NetworkAclId")?)?;
    return_true(x);
    Ok(())
}

/// `Egress`, a required boolean.
fn egress(params: &Params) -> std::result::Result<bool, Ec2Error> {
    params.bool("Egress")?.ok_or_else(|| Ec2Error::MissingParameter("Egress".into()))
}

/// `RuleNumber`, a required integer.
fn rule_number(params: &Params) -> std::result::Result<i64, Ec2Error> {
    params.int("RuleNumber")?.ok_or_else(|| Ec2Error::MissingParameter("RuleNumber".into()))
}

/// The parameters CreateNetworkAclEntry and ReplaceNetworkAclEntry share.
fn entry_request(params: &Params) -> std::result::Result<EntryRequest, Ec2Error> {
    Ok(EntryRequest {
        network_acl_id: params.required("NetworkAclId")?.to_string(),
        rule_number: rule_number(params)?,
        protocol: params.required("Protocol")?.to_string(),
        rule_action: params.required("RuleAction")?.to_string(),
        egress: egress(params)?,
        cidr_block: params.get("CidrBlock").map(str::to_string),
        ipv6_cidr_block: params.get("Ipv6CidrBlock").map(str::to_string),
        port_from: params.int("PortRange.From")?,
        port_to: params.int("PortRange.To")?,
        icmp_type: params.int("Icmp.Type")?,
        icmp_code: params.int("Icmp.Code")?,
    })
}

pub(crate) fn create_network_acl_entry(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    network_acl::create_entry(tx, &ctx.scope, &entry_request(params)?)?;
    return_true(x);
    Ok(())
}

pub(crate) fn replace_network_acl_entry(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    network_acl::replace_entry(tx, &ctx.scope, &entry_request(params)?)?;
    return_true(x);
    Ok(())
}

pub(crate) fn delete_network_acl_entry(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let network_acl_id = params.required("NetworkAclId")?;
    network_acl::delete_entry(tx, &ctx.scope, network_acl_id, rule_number(params)?, egress(params)?)?;
    return_true(x);
    Ok(())
}

pub(crate) fn replace_network_acl_association(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let association_id = params.required("AssociationId")?;
    let new_id = network_acl::replace_association(tx, &ctx.scope, association_id, params.required("NetworkAclId")?)?;
    x.text("newAssociationId", &new_id);
    Ok(())
}
