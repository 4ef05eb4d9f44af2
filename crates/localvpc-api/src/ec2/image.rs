//! DescribeImages over the built-in catalog (spec part 2 §10.1).

use std::sync::Arc;

use localvpc_model::filter::{matches, paginate, validate};
use localvpc_model::image::{self, Image};
use localvpc_model::{Ec2Error, Table, World};

use super::Ctx;
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

/// One `<imagesSet><item>` (botocore's `Image`). Public images carry no tags for other accounts, so no `tagSet`.
fn render_image(x: &mut Xml, image: &Image) {
    let root = &image.root_volume;
    x.text("imageId", &image.id)
        .text("imageLocation", &image.location())
        .text("imageState", "available")
        .text("imageOwnerId", image.owner_id)
        .text("creationDate", image.creation_date)
        .value("isPublic", true)
        .text("architecture", image.architecture)
        .text("imageType", "machine")
        .optional("platform", image.platform)
        .text("name", image.name)
        .text("description", &image.description)
        .optional("imageOwnerAlias", image.owner_alias)
        .text("rootDeviceType", "ebs")
        .text("rootDeviceName", image.root_device_name)
        .nested("blockDeviceMapping", |x| {
            x.open("item").text("deviceName", image.root_device_name).nested("ebs", |x| {
                x.value("deleteOnTermination", true)
                    .text("snapshotId", &image.snapshot_id)
                    .value("volumeSize", root.size)
                    .text("volumeType", root.volume_type)
                    .value("encrypted", false);
                if let Some(iops) = root.iops {
                    x.value("iops", iops);
                }
                if let Some(throughput) = root.throughput {
                    x.value("throughput", throughput);
                }
            });
            x.close("item");
            for (device, virtual_name) in image.ephemeral_devices {
                x.open("item").text("deviceName", device).text("virtualName", virtual_name).close("item");
            }
        })
        .text("virtualizationType", "hvm")
        .text("hypervisor", "xen")
        .value("enaSupport", true)
        .text("sriovNetSupport", "simple")
        .optional("bootMode", image.boot_mode)
        .optional("imdsSupport", image.imds_support)
        .text("platformDetails", image.platform_details)
        .text("usageOperation", image.usage_operation)
        .value("freeTierEligible", true);
}

pub(crate) fn describe_images(_world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let filters = params.filters()?;
    validate::<Image>(&filters)?;
    // Checked for its form only: the catalog never deprecates or disables an image.
    params.bool("IncludeDeprecated")?;
    params.bool("IncludeDisabled")?;
    let page = params.page(1, 1000)?;
    let images = image::describe(&ctx.scope.region, &params.list("ImageId")?, &params.list("Owner")?, |image| {
        matches(image, &filters)
    })?;
    let table: Table<Image> = images.into_iter().map(|image| (image.id.clone(), Arc::new(image))).collect();
    let found = paginate(&table, &page, |_| true)?;
    x.list("imagesSet", &found.items, |x, image| render_image(x, image));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}
