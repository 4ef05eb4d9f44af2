//! Account actions: DescribeAccountAttributes, and the ClassicLink actions AWS answers with
//! `UnsupportedOperation` now that EC2-Classic is retired.

use localvpc_model::account;
use localvpc_model::{Ec2Error, World};

use super::Ctx;
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

pub(crate) fn describe_account_attributes(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let attributes = account::describe(world.region(&ctx.scope), &params.list("AttributeName")?)?;
    x.list("accountAttributeSet", &attributes, |x, attribute| {
        x.text("attributeName", attribute.name).list("attributeValueSet", &attribute.values, |x, value| {
            x.text("attributeValue", value);
        });
    });
    Ok(())
}

/// Every ClassicLink action.
pub(crate) fn classic_link(_world: &World, _ctx: &Ctx, _params: &Params, _x: &mut Xml) -> Result {
    account::classic_link()
}
