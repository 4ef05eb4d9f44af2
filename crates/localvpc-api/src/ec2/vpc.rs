//! VPC actions: CreateVpc, DescribeVpcs, DeleteVpc, Describe/ModifyVpcAttribute, Associate/DisassociateVpcCidrBlock,
//! CreateDefaultVpc, ModifyVpcTenancy.

use localvpc_model::filter::{matches, validate};
use localvpc_model::ids::IdKind;
use localvpc_model::vpc::{self, CreateVpc, Vpc, VpcAttribute, VpcCidrAssociation, VpcIpv6CidrAssociation};
use localvpc_model::{Ec2Error, Tx, World};

use super::{return_true, select, Ctx};
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

/// Which answer a VPC is rendered in: the two differ on AWS beyond the state (recorded CreateVpc answers carry an
/// empty `tagSet` and `ipv6CidrBlockAssociationSet`; recorded DescribeVpcs answers leave both out when empty).
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum VpcAnswer {
    Created,
    Described,
}

/// `<vpc>` / `<vpcSet><item>` content (Appendix A).
pub(crate) fn render_vpc(x: &mut Xml, vpc: &Vpc, answer: VpcAnswer) {
    let state = match answer {
        VpcAnswer::Created => vpc::STATE_WHEN_CREATED,
        VpcAnswer::Described => vpc::STATE,
    };
    x.text("vpcId", &vpc.id)
        .text("ownerId", &vpc.owner_id)
        .text("state", state)
        .value("cidrBlock", vpc.cidr_block)
        .list("cidrBlockAssociationSet", &vpc.cidr_associations, |x, association| {
            render_association(x, association, "associated");
        });
    // Part 2 §16.1 [D]: a block is `associating` in the answer that asked for it, `associated` afterwards.
    let ipv6_state = match answer {
        VpcAnswer::Created => "associating",
        VpcAnswer::Described => "associated",
    };
    if answer == VpcAnswer::Created || !vpc.ipv6_cidr_associations.is_empty() {
        x.list("ipv6CidrBlockAssociationSet", &vpc.ipv6_cidr_associations, |x, association| {
            render_ipv6_association(x, association, ipv6_state);
        });
    }
    x.text("dhcpOptionsId", &vpc.dhcp_options_id)
        .text("instanceTenancy", &vpc.instance_tenancy)
        .value("isDefault", vpc.is_default);
    match answer {
        VpcAnswer::Created => x.tag_set(&vpc.tags),
        VpcAnswer::Described => x.tag_set_if_any(&vpc.tags),
    };
}

fn render_association(x: &mut Xml, association: &VpcCidrAssociation, state: &str) {
    x.text("associationId", &association.association_id).value("cidrBlock", association.cidr_block).nested(
        "cidrBlockState",
        |x| {
            x.text("state", state);
        },
    );
}

/// A VPC's `ipv6CidrBlockAssociationSet/item` (botocore `VpcIpv6CidrBlockAssociation`).
fn render_ipv6_association(x: &mut Xml, association: &VpcIpv6CidrAssociation, state: &str) {
    x.text("associationId", &association.association_id)
        .value("ipv6CidrBlock", association.ipv6_cidr_block)
        .nested("ipv6CidrBlockState", |x| {
            x.text("state", state);
        })
        .text("networkBorderGroup", &association.network_border_group)
        .text("ipv6Pool", localvpc_model::ipv6::AMAZON_POOL)
        .text("ipv6AddressAttribute", "public")
        .text("ipSource", "amazon");
}

/// Refuses IPv6 blocks from a pool or IPAM (BYOIP): out of scope (part 2 §16.1).
fn refuse_byoip(params: &Params) -> Result {
    for key in ["Ipv6Pool", "Ipv6CidrBlock", "Ipv6IpamPoolId"] {
        if params.get(key).is_some() {
            return Err(Ec2Error::InvalidParameterValue(format!(
                "{key}: only Amazon-provided IPv6 CIDR blocks (AmazonProvidedIpv6CidrBlock) are supported by localvpc"
            )));
        }
    }
    Ok(())
}

pub(crate) fn create_vpc(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    refuse_byoip(params)?;
    let request = CreateVpc {
        cidr_block: params.required("CidrBlock")?.to_string(),
        instance_tenancy: params.get("InstanceTenancy").map(str::to_string),
        tags: params.tag_specifications("vpc")?,
        amazon_provided_ipv6_cidr_block: params.bool("AmazonProvidedIpv6CidrBlock")? == Some(true),
        ipv6_network_border_group: params.get("Ipv6CidrBlockNetworkBorderGroup").map(str::to_string),
    };
    let vpc = vpc::create_vpc(tx, &ctx.scope, request)?;
    x.nested("vpc", |x| render_vpc(x, &vpc, VpcAnswer::Created));
    Ok(())
}

pub(crate) fn create_default_vpc(tx: &mut Tx, ctx: &Ctx, _params: &Params, x: &mut Xml) -> Result {
    let vpc = vpc::create_default_vpc(tx, &ctx.scope)?;
    x.nested("vpc", |x| render_vpc(x, &vpc, VpcAnswer::Created));
    Ok(())
}

pub(crate) fn describe_vpcs(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = params.list("VpcId")?;
    let filters = params.filters()?;
    validate::<Vpc>(&filters)?;
    let page = params.page(5, 1000)?;
    let region = world.region(&ctx.scope);
    let found = select(&region.vpcs, &ids, IdKind::Vpc, Ec2Error::VpcNotFound, &page, |vpc| matches(vpc, &filters))?;
    x.list("vpcSet", &found.items, |x, vpc| {
        let rendered = ctx.renders.vpc(world, &ctx.scope, vpc, |vpc| {
            let mut item = Xml::new();
            render_vpc(&mut item, vpc, VpcAnswer::Described);
            item.into_string()
        });
        x.raw(&rendered);
    });
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn delete_vpc(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    vpc::delete_vpc(tx, &ctx.scope, params.required("VpcId")?)?;
    return_true(x);
    Ok(())
}

pub(crate) fn describe_vpc_attribute(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let vpc_id = params.required("VpcId")?;
    let attribute_name = params.required("Attribute")?;
    let attribute = VpcAttribute::parse(attribute_name)?;
    let vpc = vpc::find(world.region(&ctx.scope), vpc_id)?;
    x.text("vpcId", &vpc.id).nested(attribute_name, |x| {
        x.value("value", attribute.get(&vpc));
    });
    Ok(())
}

pub(crate) fn modify_vpc_attribute(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let vpc_id = params.required("VpcId")?;
    let candidates = [
        ("EnableDnsSupport.Value", VpcAttribute::EnableDnsSupport),
        ("EnableDnsHostnames.Value", VpcAttribute::EnableDnsHostnames),
        ("EnableNetworkAddressUsageMetrics.Value", VpcAttribute::EnableNetworkAddressUsageMetrics),
    ];
    let mut given = Vec::new();
    for (key, attribute) in candidates {
        if let Some(value) = params.bool(key)? {
            given.push((key, attribute, value));
        }
    }
    match given.as_slice() {
        [] => Err(Ec2Error::MissingParameter("EnableDnsSupport or EnableDnsHostnames".into())),
        [(_, attribute, value)] => {
            vpc::modify_vpc_attribute(tx, &ctx.scope, vpc_id, *attribute, *value)?;
            return_true(x);
            Ok(())
        }
        many => Err(Ec2Error::InvalidParameterCombination(format!(
            "Fields for multiple attribute types specified: {}",
            many.iter().map(|(key, _, _)| key.trim_end_matches(".Value")).collect::<Vec<_>>().join(", ")
        ))),
    }
}

pub(crate) fn modify_vpc_tenancy(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    vpc::modify_vpc_tenancy(tx, &ctx.scope, params.required("VpcId")?, params.required("InstanceTenancy")?)?;
    return_true(x);
    Ok(())
}

pub(crate) fn associate_vpc_cidr_block(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let vpc_id = params.required("VpcId")?;
    refuse_byoip(params)?;
    if params.bool("AmazonProvidedIpv6CidrBlock")? == Some(true) {
        let group = params.get("Ipv6CidrBlockNetworkBorderGroup");
        let association = vpc::associate_ipv6_cidr_block(tx, &ctx.scope, vpc_id, group)?;
        x.text("vpcId", vpc_id)
            .nested("ipv6CidrBlockAssociation", |x| render_ipv6_association(x, &association, "associating"));
        return Ok(());
    }
    let association = vpc::associate_cidr_block(tx, &ctx.scope, vpc_id, params.required("CidrBlock")?)?;
    x.text("vpcId", vpc_id).nested("cidrBlockAssociation", |x| render_association(x, &association, "associating"));
    Ok(())
}

pub(crate) fn disassociate_vpc_cidr_block(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let association_id = params.required("AssociationId")?;
    if vpc::is_ipv6_association(tx.region(&ctx.scope), association_id) {
        let (vpc_id, association) = vpc::disassociate_ipv6_cidr_block(tx, &ctx.scope, association_id)?;
        x.text("vpcId", &vpc_id)
            .nested("ipv6CidrBlockAssociation", |x| render_ipv6_association(x, &association, "disassociating"));
        return Ok(());
    }
    let (vpc_id, association) = vpc::disassociate_cidr_block(tx, &ctx.scope, association_id)?;
    x.text("vpcId", &vpc_id).nested("cidrBlockAssociation", |x| render_association(x, &association, "disassociating"));
    Ok(())
}
