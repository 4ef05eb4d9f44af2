//! Subnet CIDR reservation actions (spec part 2 §11.6): Create/Get/DeleteSubnetCidrReservation(s).

use localvpc_model::filter::{matches, validate};
use localvpc_model::subnet;
use localvpc_model::subnet_cidr_reservation::{
    self, CreateSubnetCidrReservation, ReservationType, SubnetCidrReservation,
};
use localvpc_model::tags::Tags;
use localvpc_model::{Ec2Error, Tx, World};

use super::Ctx;
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

fn render(x: &mut Xml, reservation: &SubnetCidrReservation) {
    x.text("subnetCidrReservationId", &reservation.id)
        .text("subnetId", &reservation.subnet_id)
        .text("cidr", &reservation.cidr.to_string())
        .text("reservationType", reservation.reservation_type.name())
        .text("ownerId", &reservation.owner_id)
        .text("description", &reservation.description)
        .tag_set(&reservation.tags);
}

pub(crate) fn create_subnet_cidr_reservation(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let request = CreateSubnetCidrReservation {
        subnet_id: params.required("SubnetId")?.to_string(),
        cidr: params.required("Cidr")?.to_string(),
        reservation_type: ReservationType::parse(params.required("ReservationType")?)?,
        description: params.get("Description").unwrap_or_default().to_string(),
        tags: Tags(params.tag_specifications("subnet-cidr-reservation")?),
    };
    let reservation = subnet_cidr_reservation::create(tx, &ctx.scope, request)?;
    x.nested("subnetCidrReservation", |x| render(x, &reservation));
    Ok(())
}

pub(crate) fn get_subnet_cidr_reservations(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let region = world.region(&ctx.scope);
    let subnet = subnet::find(region, params.required("SubnetId")?)?;
    let filters = params.filters()?;
    validate::<SubnetCidrReservation>(&filters)?;
    let reservations = subnet_cidr_reservation::of_subnet(region, &subnet.id);
    let kept = reservations.into_iter().filter(|reservation| matches(&***reservation, &filters));
    x.list("subnetIpv4CidrReservationSet", kept, |x, reservation| render(x, reservation));
    x.list("subnetIpv6CidrReservationSet", [(); 0], |_, _| {});
    Ok(())
}

pub(crate) fn delete_subnet_cidr_reservation(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let deleted = subnet_cidr_reservation::delete(tx, &ctx.scope, params.required("SubnetCidrReservationId")?)?;
    x.nested("deletedSubnetCidrReservation", |x| render(x, &deleted));
    Ok(())
}
