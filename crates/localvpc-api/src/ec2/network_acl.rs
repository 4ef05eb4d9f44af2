//! Network ACL actions: DescribeNetworkAcls (the default ACL of every VPC).

use localvpc_model::filter::{matches, validate};
use localvpc_model::ids::IdKind;
use localvpc_model::network_acl::NetworkAcl;
use localvpc_model::{Ec2Error, World};

use super::{select, Ctx};
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

/// `<networkAcl>` content (spec §2.8, Appendix A).
fn render_network_acl(x: &mut Xml, acl: &NetworkAcl) {
    x.text("networkAclId", &acl.id)
        .text("vpcId", &acl.vpc_id)
        .text("ownerId", &acl.owner_id)
        .value("default", acl.is_default)
        .list("entrySet", &acl.entries, |x, entry| {
            x.value("ruleNumber", entry.rule_number)
                .text("protocol", &entry.protocol)
                .text("ruleAction", if entry.allow { "allow" } else { "deny" })
                .value("egress", entry.egress)
                .value("cidrBlock", entry.cidr_block);
            if let Some((from, to)) = entry.port_range {
                x.nested("portRange", |x| {
                    x.value("from", from).value("to", to);
                });
            }
            if let Some((icmp_type, code)) = entry.icmp_type_code {
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

pub(crate) fn describe_network_acls(
    world: &World,
    ctx: &Ctx,
    params: &Params,
    x: &mut Xml,
) -> Result {
    let ids = params.list("NetworkAclId");
    let filters = params.filters()?;
    validate::<NetworkAcl>(&filters)?;
    let page = params.page(5, 1000)?;
    let region = world.region(&ctx.scope);
    let found = select(
        &region.network_acls,
        &ids,
        IdKind::NetworkAcl,
        Ec2Error::NetworkAclNotFound,
        &page,
        |acl| matches(acl, &filters),
    )?;
    x.list("networkAclSet", &found.items, |x, acl| {
        render_network_acl(x, acl)
    });
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}
