//! DescribeRegions and DescribeAvailabilityZones (spec §2.1).

use localvpc_model::availability_zone::{zones, REGIONS};
use localvpc_model::filter::{matches, validate};
use localvpc_model::{Ec2Error, World};

use super::Ctx;
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

pub(crate) fn describe_regions(_world: &World, _ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let names = params.list("RegionName")?;
    let all_regions = params.bool("AllRegions")?.unwrap_or(false);
    let filters = params.filters()?;
    validate::<localvpc_model::availability_zone::Region>(&filters)?;
    for name in &names {
        if !REGIONS.iter().any(|region| region.name == name) {
            return Err(Ec2Error::InvalidParameterValue(format!("Invalid region: {name}")));
        }
    }
    let shown = REGIONS.iter().filter(|region| {
        let listed = if names.is_empty() {
            all_regions || region.opt_in_status != "not-opted-in"
        } else {
            names.iter().any(|n| n == region.name)
        };
        listed && matches(*region, &filters)
    });
    x.list("regionInfo", shown, |x, region| {
        x.text("regionName", region.name)
            .text("regionEndpoint", &region.endpoint())
            .text("optInStatus", region.opt_in_status);
    });
    Ok(())
}

pub(crate) fn describe_availability_zones(_world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let names = params.list("ZoneName")?;
    let ids = params.list("ZoneId")?;
    let filters = params.filters()?;
    validate::<localvpc_model::availability_zone::AvailabilityZone>(&filters)?;
    let all = zones(&ctx.scope.region);
    for name in &names {
        if !all.iter().any(|zone| &zone.name == name) {
            return Err(Ec2Error::InvalidParameterValue(format!("The zone '{name}' does not exist.")));
        }
    }
    for id in &ids {
        if !all.iter().any(|zone| &zone.zone_id == id) {
            return Err(Ec2Error::InvalidParameterValue(format!("The zone ID '{id}' does not exist.")));
        }
    }
    let shown = all.iter().filter(|zone| {
        (names.is_empty() && ids.is_empty() || names.contains(&zone.name) || ids.contains(&zone.zone_id))
            && matches(*zone, &filters)
    });
    x.list("availabilityZoneInfo", shown, |x, zone| {
        x.text("zoneName", &zone.name)
            .text("zoneId", &zone.zone_id)
            .text("zoneState", "available")
            .text("regionName", &zone.region)
            .text("groupName", &zone.group_name())
            .text("groupLongName", &zone.group_long_name())
            .text("networkBorderGroup", &zone.region)
            .text("zoneType", "availability-zone")
            .text("optInStatus", "opt-in-not-required")
            .list("messageSet", [(); 0], |_, _| {});
    });
    Ok(())
}
