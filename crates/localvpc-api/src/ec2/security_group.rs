//! Security group actions (spec §2.7): Create/Delete/DescribeSecurityGroups, Authorize/Revoke ingress and egress (the
//! `IpPermissions.N` and the legacy flat forms), DescribeSecurityGroupRules, DescribeSecurityGroupReferences,
//! DescribeStaleSecurityGroups, ModifySecurityGroupRules, UpdateSecurityGroupRuleDescriptionsIngress/Egress and
//! GetSecurityGroupsForVpc.

use localvpc_model::filter::{matches, validate};
use localvpc_model::ids::IdKind;
use localvpc_model::security_group::modify::{self, DescriptionUpdate, GroupForVpc, RuleRequest, RuleUpdate};
use localvpc_model::security_group::permission::{Described, FlatPermission, GroupPair, PermissionRequest};
use localvpc_model::security_group::reference::{self, PeerLink};
use localvpc_model::security_group::rules::{self, RuleChange, RuleEntry};
use localvpc_model::security_group::{
    self, CreateSecurityGroup, Direction, GroupRef, RulePeer, SecurityGroup, SecurityGroupRule, SecurityGroupView,
};
use localvpc_model::{Ec2Error, Tx, World};

use super::{return_true, select, Ctx};
use crate::params::Params;
use crate::xml::Xml;

type Result<T = ()> = std::result::Result<T, Ec2Error>;

// ---- parameters ----

/// A required parameter that must also be non-empty (an empty `GroupName` is as good as none).
fn required_text<'p>(params: &'p Params, key: &str) -> Result<&'p str> {
    params.get(key).filter(|value| !value.is_empty()).ok_or_else(|| Ec2Error::MissingParameter(key.to_string()))
}

/// `GroupId`, else `GroupName`.
fn group_ref(params: &Params) -> Result<GroupRef> {
    match (params.get("GroupId"), params.get("GroupName")) {
        (Some(id), _) => Ok(GroupRef::Id(id.to_string())),
        (None, Some(name)) => Ok(GroupRef::Name(name.to_string())),
        (None, None) => Err(Ec2Error::MissingParameter("GroupId".into())),
    }
}

fn described(params: &Params, list: &str, value_key: &str) -> Result<Vec<Described>> {
    params
        .structs(list)?
        .into_iter()
        .map(|member| {
            Ok(Described {
                value: member.required(value_key)?.to_string(),
                description: member.get("Description").map(str::to_string),
            })
        })
        .collect()
}

/// `IpPermissions.N.*` (spec §1.1), then the legacy flat top-level form.
fn permissions(params: &Params) -> Result<Vec<PermissionRequest>> {
    let mut permissions = Vec::new();
    for member in params.structs("IpPermissions")? {
        let groups = member
            .structs("Groups")?
            .into_iter()
            .map(|pair| GroupPair {
                group_id: pair.get("GroupId").map(str::to_string),
                group_name: pair.get("GroupName").map(str::to_string),
                user_id: pair.get("UserId").map(str::to_string),
                description: pair.get("Description").map(str::to_string),
            })
            .collect();
        permissions.push(PermissionRequest {
            protocol: member.get("IpProtocol").map(str::to_string),
            from_port: member.int("FromPort")?,
            to_port: member.int("ToPort")?,
            ip_ranges: described(&member, "IpRanges", "CidrIp")?,
            ipv6_ranges: described(&member, "Ipv6Ranges", "CidrIpv6")?,
            groups,
            prefix_list_ids: described(&member, "PrefixListIds", "PrefixListId")?,
        });
    }
    let flat = FlatPermission {
        protocol: params.get("IpProtocol").map(str::to_string),
        from_port: params.int("FromPort")?,
        to_port: params.int("ToPort")?,
        cidr_ip: params.get("CidrIp").map(str::to_string),
        source_group_name: params.get("SourceSecurityGroupName").map(str::to_string),
        source_group_owner_id: params.get("SourceSecurityGroupOwnerId").map(str::to_string),
    };
    permissions.extend(flat.into_permissions());
    Ok(permissions)
}

fn rule_change(params: &Params, direction: Direction, tags: bool) -> Result<RuleChange> {
    let group = match direction {
        Direction::Ingress => group_ref(params)?,
        Direction::Egress => GroupRef::Id(params.required("GroupId")?.to_string()),
    };
    Ok(RuleChange {
        group,
        direction,
        permissions: permissions(params)?,
        tags: if tags { params.tag_specifications("security-group-rule")? } else { Vec::new() },
        rule_ids: params.list("SecurityGroupRuleId")?,
    })
}

// ---- rendering ----

/// The rules sharing one (protocol, from, to), in first-seen order: one `ipPermissions` item (spec §2.7 "Describe
/// groups rules by (protocol, ports) with multiple ranges/groups inside one item").
fn by_protocol_and_ports<'r>(
    rules: impl IntoIterator<Item = &'r SecurityGroupRule>,
) -> Vec<Vec<&'r SecurityGroupRule>> {
    let mut items: Vec<Vec<&SecurityGroupRule>> = Vec::new();
    for rule in rules {
        let key = |r: &SecurityGroupRule| (r.protocol.clone(), r.from_port, r.to_port);
        match items.iter_mut().find(|item| key(item[0]) == key(rule)) {
            Some(item) => item.push(rule),
            None => items.push(vec![rule]),
        }
    }
    items
}

fn render_link(x: &mut Xml, link: &PeerLink) {
    x.text("vpcId", &link.vpc_id)
        .optional("vpcPeeringConnectionId", link.pcx.map(|pcx| pcx.id.as_str()))
        .text("peeringStatus", link.peering_status());
}

/// `ipPermissions` / `ipPermissionsEgress` / `unknownIpPermissionSet` / `staleIpPermissions` (spec §2.7 IpPermission
/// XML). Peer references show their VPC, connection and `peeringStatus`.
fn render_permissions(x: &mut Xml, tag: &str, owner: &SecurityGroup, rules: &[&SecurityGroupRule], world: &World) {
    x.list(tag, by_protocol_and_ports(rules.iter().copied()), |x, item| {
        let first = item[0];
        x.text("ipProtocol", &first.protocol);
        if let (Some(from), Some(to)) = (first.from_port, first.to_port) {
            x.value("fromPort", from).value("toPort", to);
        }
        let groups = item.iter().filter(|rule| matches!(rule.peer, RulePeer::Group { .. }));
        x.list("groups", groups, |x, rule| {
            let RulePeer::Group { user_id, group_id, .. } = &rule.peer else { return };
            x.text("userId", user_id).text("groupId", group_id);
            if let Some(link) = reference::peer_link(world, owner, &rule.peer) {
                render_link(x, &link);
            }
            x.optional("description", rule.description.as_deref());
        });
        x.list("ipRanges", item.iter().filter(|rule| matches!(rule.peer, RulePeer::Cidr(_))), |x, rule| {
            if let RulePeer::Cidr(block) = &rule.peer {
                x.value("cidrIp", block).optional("description", rule.description.as_deref());
            }
        });
        x.list("ipv6Ranges", item.iter().filter(|rule| matches!(rule.peer, RulePeer::Ipv6Cidr(_))), |x, rule| {
            if let RulePeer::Ipv6Cidr(block) = &rule.peer {
                x.value("cidrIpv6", block).optional("description", rule.description.as_deref());
            }
        });
        // Part 2 §17.3 [D bc]: `<prefixListIds><item><prefixListId/><description/>`.
        x.list("prefixListIds", item.iter().filter(|rule| rule.peer.prefix_list_id().is_some()), |x, rule| {
            if let Some(prefix_list_id) = rule.peer.prefix_list_id() {
                x.text("prefixListId", prefix_list_id).optional("description", rule.description.as_deref());
            }
        });
    });
}

fn render_group(x: &mut Xml, group: &SecurityGroup, world: &World) {
    x.text("ownerId", &group.owner_id)
        .text("groupId", &group.id)
        .text("groupName", &group.name)
        .text("groupDescription", &group.description)
        .text("vpcId", &group.vpc_id)
        .text("securityGroupArn", &group.arn());
    render_permissions(x, "ipPermissions", group, &group.ingress.iter().collect::<Vec<_>>(), world);
    render_permissions(x, "ipPermissionsEgress", group, &group.egress.iter().collect::<Vec<_>>(), world);
    x.tag_set_if_any(&group.tags);
}

/// Ports in the rule API: AWS shows `-1` for "all" (aws-cli describe-security-group-rules example).
fn rule_ports(x: &mut Xml, rule: &SecurityGroupRule) {
    x.value("fromPort", rule.from_port.unwrap_or(-1)).value("toPort", rule.to_port.unwrap_or(-1));
}

/// One `SecurityGroupRule` (Authorize response, DescribeSecurityGroupRules).
fn render_rule(x: &mut Xml, group: &SecurityGroup, direction: Direction, rule: &SecurityGroupRule, world: &World) {
    x.text("securityGroupRuleId", &rule.id)
        .text("groupId", &group.id)
        .text("groupOwnerId", &group.owner_id)
        .value("isEgress", direction == Direction::Egress)
        .text("ipProtocol", &rule.protocol);
    rule_ports(x, rule);
    match &rule.peer {
        RulePeer::Cidr(block) => {
            x.value("cidrIpv4", block);
        }
        RulePeer::Ipv6Cidr(block) => {
            x.value("cidrIpv6", block);
        }
        RulePeer::Group { user_id, group_id, .. } => {
            x.nested("referencedGroupInfo", |x| {
                x.text("groupId", group_id).text("userId", user_id);
                if let Some(link) = reference::peer_link(world, group, &rule.peer) {
                    render_link(x, &link);
                }
            });
        }
        RulePeer::PrefixList { prefix_list_id } => {
            x.text("prefixListId", prefix_list_id);
        }
    }
    x.optional("description", rule.description.as_deref())
        .tag_set(&rule.tags)
        .text("securityGroupRuleArn", &group.rule_arn(&rule.id));
}

/// One `RevokedSecurityGroupRule`.
fn render_revoked_rule(x: &mut Xml, group: &SecurityGroup, direction: Direction, rule: &SecurityGroupRule) {
    x.text("securityGroupRuleId", &rule.id)
        .text("groupId", &group.id)
        .value("isEgress", direction == Direction::Egress)
        .text("ipProtocol", &rule.protocol);
    rule_ports(x, rule);
    match &rule.peer {
        RulePeer::Cidr(block) => x.value("cidrIpv4", block),
        RulePeer::Ipv6Cidr(block) => x.value("cidrIpv6", block),
        RulePeer::Group { group_id, .. } => x.text("referencedGroupId", group_id),
        RulePeer::PrefixList { prefix_list_id } => x.text("prefixListId", prefix_list_id),
    };
    x.optional("description", rule.description.as_deref());
}

// ---- handlers ----

pub(crate) fn create_security_group(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let request = CreateSecurityGroup {
        name: required_text(params, "GroupName")?.to_string(),
        description: required_text(params, "GroupDescription")?.to_string(),
        vpc_id: params.get("VpcId").map(str::to_string),
        tags: params.tag_specifications("security-group")?,
    };
    let group = security_group::create(tx, &ctx.scope, request)?;
    x.text("groupId", &group.id).tag_set_if_any(&group.tags).text("securityGroupArn", &group.arn());
    Ok(())
}

pub(crate) fn delete_security_group(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let group_id = security_group::delete(tx, &ctx.scope, &group_ref(params)?)?;
    return_true(x);
    x.text("groupId", &group_id);
    Ok(())
}

fn authorize(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml, direction: Direction) -> Result {
    let (group, added) = rules::authorize(tx, &ctx.scope, rule_change(params, direction, true)?)?;
    return_true(x);
    x.list("securityGroupRuleSet", &added, |x, rule| render_rule(x, &group, direction, rule, tx.world()));
    Ok(())
}

pub(crate) fn authorize_security_group_ingress(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    authorize(tx, ctx, params, x, Direction::Ingress)
}

pub(crate) fn authorize_security_group_egress(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    authorize(tx, ctx, params, x, Direction::Egress)
}

fn revoke(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml, direction: Direction) -> Result {
    let outcome = rules::revoke(tx, &ctx.scope, rule_change(params, direction, false)?)?;
    return_true(x);
    if !outcome.unknown.is_empty() {
        let unknown: Vec<&SecurityGroupRule> = outcome.unknown.iter().collect();
        render_permissions(x, "unknownIpPermissionSet", &outcome.group, &unknown, tx.world());
    }
    x.list("revokedSecurityGroupRuleSet", &outcome.revoked, |x, rule| {
        render_revoked_rule(x, &outcome.group, direction, rule);
    });
    Ok(())
}

pub(crate) fn revoke_security_group_ingress(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    revoke(tx, ctx, params, x, Direction::Ingress)
}

pub(crate) fn revoke_security_group_egress(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    revoke(tx, ctx, params, x, Direction::Egress)
}

pub(crate) fn describe_security_groups(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = params.list("GroupId")?;
    let names = params.list("GroupName")?;
    let filters = params.filters()?;
    validate::<SecurityGroupView>(&filters)?;
    let page = params.page(5, 1000)?;
    let region = world.region(&ctx.scope);
    // Spec §2.7: names resolve in the default VPC only.
    let default_vpc = region.vpcs.values().find(|vpc| vpc.is_default).map(|vpc| vpc.id.clone()).unwrap_or_default();
    for name in &names {
        if !region.security_groups.values().any(|g| &g.name == name && g.vpc_id == default_vpc) {
            return Err(Ec2Error::SecurityGroupNameNotFound(name.clone(), default_vpc.clone()));
        }
    }
    let found = select(
        &region.security_groups,
        &ids,
        IdKind::SecurityGroup,
        Ec2Error::SecurityGroupNotFound,
        &page,
        |group| {
            (names.is_empty() || (names.contains(&group.name) && group.vpc_id == default_vpc))
                && matches(&SecurityGroupView { group, world }, &filters)
        },
    )?;
    x.list("securityGroupInfo", &found.items, |x, group| render_group(x, group, world));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn describe_security_group_rules(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let rule_ids = params.list("SecurityGroupRuleId")?;
    let filters = params.filters()?;
    validate::<RuleEntry>(&filters)?;
    let page = params.page(5, 1000)?;
    let found = rules::describe(world.region(&ctx.scope), &rule_ids, &filters, &page)?;
    x.list("securityGroupRuleSet", &found.items, |x, entry| {
        render_rule(x, &entry.group, entry.direction, &entry.rule, world);
    });
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn describe_security_group_references(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let found = reference::references_to(world, &ctx.scope, &params.list("GroupId")?)?;
    x.list("securityGroupReferenceSet", &found, |x, row| {
        x.text("groupId", &row.group_id)
            .text("referencingVpcId", &row.referencing_vpc_id)
            .text("vpcPeeringConnectionId", &row.vpc_peering_connection_id);
    });
    Ok(())
}

pub(crate) fn describe_stale_security_groups(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let vpc_id = params.required("VpcId")?;
    let page = params.page(5, 255)?;
    let found = reference::stale_groups(world, &ctx.scope, vpc_id, &page)?;
    x.list("staleSecurityGroupSet", &found.items, |x, group| {
        x.text("description", &group.description).text("groupId", &group.id).text("groupName", &group.name);
        for (tag, direction) in
            [("staleIpPermissions", Direction::Ingress), ("staleIpPermissionsEgress", Direction::Egress)]
        {
            render_permissions(x, tag, group, &reference::stale_rules(world, group, direction), world);
        }
        x.text("vpcId", &group.vpc_id);
    });
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn modify_security_group_rules(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let group_id = params.required("GroupId")?;
    let updates = params
        .structs("SecurityGroupRule")?
        .into_iter()
        .map(|member| {
            let text = |key: &str| member.get(&format!("SecurityGroupRule.{key}")).map(str::to_string);
            Ok(RuleUpdate {
                rule_id: member.required("SecurityGroupRuleId")?.to_string(),
                rule: RuleRequest {
                    protocol: text("IpProtocol"),
                    from_port: member.int("SecurityGroupRule.FromPort")?,
                    to_port: member.int("SecurityGroupRule.ToPort")?,
                    cidr_ipv4: text("CidrIpv4"),
                    cidr_ipv6: text("CidrIpv6"),
                    prefix_list_id: text("PrefixListId"),
                    referenced_group_id: text("ReferencedGroupId"),
                    description: text("Description"),
                },
            })
        })
        .collect::<Result<Vec<_>>>()?;
    modify::modify_rules(tx, &ctx.scope, group_id, &updates)?;
    return_true(x);
    Ok(())
}

fn update_descriptions(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml, direction: Direction) -> Result {
    let by_rule_id = params
        .structs("SecurityGroupRuleDescription")?
        .into_iter()
        .map(|member| {
            let rule_id = member.required("SecurityGroupRuleId")?.to_string();
            Ok((rule_id, member.get("Description").map(str::to_string)))
        })
        .collect::<Result<Vec<_>>>()?;
    let request =
        DescriptionUpdate { group: group_ref(params)?, direction, permissions: permissions(params)?, by_rule_id };
    modify::update_descriptions(tx, &ctx.scope, request)?;
    return_true(x);
    Ok(())
}

pub(crate) fn update_security_group_rule_descriptions_ingress(
    tx: &mut Tx,
    ctx: &Ctx,
    params: &Params,
    x: &mut Xml,
) -> Result {
    update_descriptions(tx, ctx, params, x, Direction::Ingress)
}

pub(crate) fn update_security_group_rule_descriptions_egress(
    tx: &mut Tx,
    ctx: &Ctx,
    params: &Params,
    x: &mut Xml,
) -> Result {
    update_descriptions(tx, ctx, params, x, Direction::Egress)
}

pub(crate) fn get_security_groups_for_vpc(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let vpc_id = params.required("VpcId")?;
    let filters = params.filters()?;
    validate::<GroupForVpc>(&filters)?;
    let page = params.page(5, 1000)?;
    let found = modify::groups_for_vpc(world.region(&ctx.scope), vpc_id, &page, |group| matches(group, &filters))?;
    x.list("securityGroupForVpcSet", &found.items, |x, group| {
        x.text("description", &group.description)
            .text("groupName", &group.name)
            .text("ownerId", &group.owner_id)
            .text("groupId", &group.id)
            .tag_set(&group.tags)
            .text("primaryVpcId", &group.vpc_id);
    });
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}
