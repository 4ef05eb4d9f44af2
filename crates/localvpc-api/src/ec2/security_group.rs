//! Security group actions: DescribeSecurityGroups (the default group of every VPC).

use localvpc_model::filter::{matches, validate};
use localvpc_model::ids::IdKind;
use localvpc_model::security_group::{RulePeer, SecurityGroup, SecurityGroupRule};
use localvpc_model::{Ec2Error, World};

use super::{select, Ctx};
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

/// One `ipPermissions` item per rule (spec §2.7 IpPermission XML).
fn render_permissions(x: &mut Xml, tag: &str, rules: &[SecurityGroupRule]) {
    x.list(tag, rules, |x, rule| {
        x.text("ipProtocol", &rule.protocol);
        if let (Some(from), Some(to)) = (rule.from_port, rule.to_port) {
            x.value("fromPort", from).value("toPort", to);
        }
        let groups: Vec<_> = match &rule.peer {
            RulePeer::Group { user_id, group_id } => vec![(user_id, group_id)],
            RulePeer::Cidr(_) => vec![],
        };
        x.list("groups", groups, |x, (user_id, group_id)| {
            x.text("userId", user_id).text("groupId", group_id).optional("description", rule.description.as_deref());
        });
        let ranges: Vec<_> = match &rule.peer {
            RulePeer::Cidr(block) => vec![*block],
            RulePeer::Group { .. } => vec![],
        };
        x.list("ipRanges", ranges, |x, block| {
            x.value("cidrIp", block).optional("description", rule.description.as_deref());
        });
        x.list("ipv6Ranges", [(); 0], |_, _| {}).list("prefixListIds", [(); 0], |_, _| {});
    });
}

fn render_group(x: &mut Xml, group: &SecurityGroup) {
    x.text("ownerId", &group.owner_id)
        .text("groupId", &group.id)
        .text("groupName", &group.name)
        .text("groupDescription", &group.description)
        .text("vpcId", &group.vpc_id)
        .text("securityGroupArn", &group.arn());
    render_permissions(x, "ipPermissions", &group.ingress);
    render_permissions(x, "ipPermissionsEgress", &group.egress);
    x.tag_set(&group.tags);
}

pub(crate) fn describe_security_groups(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = params.list("GroupId");
    let names = params.list("GroupName");
    let filters = params.filters()?;
    validate::<SecurityGroup>(&filters)?;
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
                && matches(group, &filters)
        },
    )?;
    x.list("securityGroupInfo", &found.items, |x, group| render_group(x, group));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}
