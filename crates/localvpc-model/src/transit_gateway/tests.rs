//! Unit tests of the transit gateway rules on a real [`World`]: default route tables, propagation of overlapping
//! blocks, static over propagated routes, one association per attachment, cross-account acceptance, peering from
//! the right side only, what a live attachment holds, and that everything persists.

use super::attachment::AttachmentState;
use super::peering::{self, CreatePeeringAttachment};
use super::route_table;
use super::routes::{self, RouteState, RouteType};
use super::vpc_attachment::{self, CreateVpcAttachment};
use super::*;
use crate::subnet::{self, CreateSubnet};
use crate::vpc::{self, CreateVpc};
use crate::world::{Change, Timestamp, Tx, World};

const OWNER: &str = "111111111111";
const OTHER: &str = "222222222222";

fn scope(account: &str) -> Scope {
    Scope::new(account, "us-east-1")
}

fn gateway(tx: &mut Tx, account: &str, request: OptionsRequest) -> TransitGateway {
    create(tx, &scope(account), None, request, Vec::new()).unwrap()
}

/// A VPC with one subnet in `us-east-1a`: (VPC, subnet).
fn vpc_with_subnet(tx: &mut Tx, account: &str, block: &str, subnet_block: &str) -> (String, String) {
    let scope = scope(account);
    let vpc = vpc::create_vpc(tx, &scope, CreateVpc { cidr_block: block.into(), ..Default::default() }).unwrap();
    let request = CreateSubnet {
        vpc_id: vpc.id.clone(),
        cidr_block: Some(subnet_block.into()),
        availability_zone: Some("us-east-1a".into()),
        ..Default::default()
    };
    let subnet = subnet::create_subnet(tx, &scope, request).unwrap();
    (vpc.id.clone(), subnet.id.clone())
}

fn attach(
    tx: &mut Tx,
    account: &str,
    gateway_id: &str,
    (vpc_id, subnet_id): &(String, String),
) -> TransitGatewayAttachment {
    let request = CreateVpcAttachment {
        transit_gateway_id: gateway_id.into(),
        vpc_id: vpc_id.clone(),
        subnet_ids: vec![subnet_id.clone()],
        ..Default::default()
    };
    vpc_attachment::create(tx, &scope(account), request).unwrap()
}

fn table(tx: &Tx, id: &str) -> TransitGatewayRouteTable {
    (*tx.get_spanning::<TransitGatewayRouteTable>(id).unwrap()).clone()
}

#[test]
fn a_default_table_serves_both_defaults_and_none_is_made_when_both_are_off() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let with = gateway(&mut tx, OWNER, OptionsRequest::default());
    let default_id = with.options.association_default_route_table_id.clone().unwrap();
    assert_eq!(with.options.propagation_default_route_table_id.as_deref(), Some(default_id.as_str()));
    assert_eq!(with.options.amazon_side_asn, 64512);
    let only_propagation = OptionsRequest { default_route_table_association: Some(false), ..Default::default() };
    let half = gateway(&mut tx, OWNER, only_propagation);
    assert_eq!(half.options.association_default_route_table_id, None);
    assert!(half.options.propagation_default_route_table_id.is_some());
    let neither = OptionsRequest {
        default_route_table_association: Some(false),
        default_route_table_propagation: Some(false),
        ..Default::default()
    };
    let none = gateway(&mut tx, OWNER, neither);
    assert_eq!(route_table::of_gateway(tx.world(), &none.id).count(), 0);
    assert_eq!(route_table::of_gateway(tx.world(), &with.id).count(), 1);
    let bad_asn = OptionsRequest { amazon_side_asn: Some(65535), ..Default::default() };
    let refused = create(&mut tx, &scope(OWNER), None, bad_asn, Vec::new()).unwrap_err();
    assert_eq!(refused.code(), "InvalidParameterValue");
}

#[test]
fn an_overlapping_block_is_not_propagated_until_the_first_one_goes() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let gateway = gateway(&mut tx, OWNER, OptionsRequest::default());
    let table_id = gateway.options.propagation_default_route_table_id.clone().unwrap();
    let first = vpc_with_subnet(&mut tx, OWNER, "10.0.0.0/16", "10.0.1.0/24");
    let second = vpc_with_subnet(&mut tx, OWNER, "10.0.0.0/20", "10.0.1.0/24");
    let third = vpc_with_subnet(&mut tx, OWNER, "10.2.0.0/16", "10.2.1.0/24");
    let first_attachment = attach(&mut tx, OWNER, &gateway.id, &first);
    let second_attachment = attach(&mut tx, OWNER, &gateway.id, &second);
    attach(&mut tx, OWNER, &gateway.id, &third);
    let shown = |tx: &Tx| -> Vec<(String, String)> {
        routes::routes(tx.world(), &table(tx, &table_id))
            .into_iter()
            .map(|route| (route.destination.to_string(), route.attachment.unwrap().attachment_id))
            .collect()
    };
    assert_eq!(
        shown(&tx),
        [("10.0.0.0/16".to_string(), first_attachment.id.clone()), ("10.2.0.0/16".into(), shown(&tx)[1].1.clone())]
    );
    vpc_attachment::delete(&mut tx, &scope(OWNER), &first_attachment.id).unwrap();
    assert_eq!(shown(&tx)[0], ("10.0.0.0/20".to_string(), second_attachment.id));
}

#[test]
fn a_static_route_beats_a_propagated_one_to_the_same_prefix_and_blackholes_with_its_attachment() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let gateway = gateway(&mut tx, OWNER, OptionsRequest::default());
    let table_id = gateway.options.propagation_default_route_table_id.clone().unwrap();
    let vpc_a = vpc_with_subnet(&mut tx, OWNER, "10.0.0.0/16", "10.0.1.0/24");
    attach(&mut tx, OWNER, &gateway.id, &vpc_a);
    let vpc_b = vpc_with_subnet(&mut tx, OWNER, "10.1.0.0/16", "10.1.1.0/24");
    let b = attach(&mut tx, OWNER, &gateway.id, &vpc_b);
    routes::create(&mut tx, &scope(OWNER), &table_id, "10.0.0.0/16", Some(&b.id), false).unwrap();
    let all = routes::routes(tx.world(), &table(&tx, &table_id));
    assert_eq!(all.len(), 2, "one route per prefix: {all:?}");
    assert_eq!(all[0].route_type, RouteType::Static);
    assert_eq!(all[0].attachment.as_ref().unwrap().attachment_id, b.id);
    assert_eq!(all[1].route_type, RouteType::Propagated);
    let again = routes::create(&mut tx, &scope(OWNER), &table_id, "10.0.0.0/16", None, true).unwrap_err();
    assert_eq!(again.code(), "RouteAlreadyExists");
    vpc_attachment::delete(&mut tx, &scope(OWNER), &b.id).unwrap();
    let all = routes::routes(tx.world(), &table(&tx, &table_id));
    assert_eq!((all[0].route_type, all[0].state), (RouteType::Static, RouteState::Blackhole));
    assert_eq!(all.len(), 1, "b's block went with b; a's prefix stays covered by the static route");
}

#[test]
fn an_attachment_has_one_associated_table_per_gateway() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let gateway = gateway(&mut tx, OWNER, OptionsRequest::default());
    let vpc_attachment = vpc_with_subnet(&mut tx, OWNER, "10.0.0.0/16", "10.0.1.0/24");
    let attachment = attach(&mut tx, OWNER, &gateway.id, &vpc_attachment);
    let other = route_table::create(&mut tx, &scope(OWNER), &gateway.id, Vec::new()).unwrap();
    let refused = route_table::associate(&mut tx, &scope(OWNER), &other.id, &attachment.id).unwrap_err();
    assert_eq!(refused.code(), "Resource.AlreadyAssociated");
    let default_id = gateway.options.association_default_route_table_id.clone().unwrap();
    route_table::disassociate(&mut tx, &scope(OWNER), &default_id, &attachment.id).unwrap();
    route_table::associate(&mut tx, &scope(OWNER), &other.id, &attachment.id).unwrap();
    let in_use = route_table::delete(&mut tx, &scope(OWNER), &other.id).unwrap_err();
    assert_eq!(in_use.code(), "IncorrectState");
    let duplicate = route_table::enable_propagation(&mut tx, &scope(OWNER), &default_id, &attachment.id).unwrap_err();
    assert_eq!(duplicate.code(), "TransitGatewayRouteTablePropagation.Duplicate");
}

#[test]
fn another_account_attaches_to_a_shared_gateway_and_waits_for_the_owner() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let gateway = gateway(&mut tx, OWNER, OptionsRequest::default());
    let vpc = vpc_with_subnet(&mut tx, OTHER, "10.5.0.0/16", "10.5.1.0/24");
    let request = CreateVpcAttachment {
        transit_gateway_id: gateway.id.clone(),
        vpc_id: vpc.0.clone(),
        subnet_ids: vec![vpc.1.clone()],
        ..Default::default()
    };
    let unshared = vpc_attachment::create(&mut tx, &scope(OTHER), request.clone()).unwrap_err();
    assert_eq!(unshared.code(), "InvalidTransitGatewayID.NotFound");
    let share = [Tag { key: SHARED_WITH_TAG.into(), value: format!("333333333333, {OTHER}") }];
    crate::tags::ops::create_tags(&mut tx, &scope(OWNER), std::slice::from_ref(&gateway.id), &share).unwrap();
    let attachment = vpc_attachment::create(&mut tx, &scope(OTHER), request).unwrap();
    assert_eq!(attachment.state, AttachmentState::PendingAcceptance);
    let table_id = gateway.options.association_default_route_table_id.clone().unwrap();
    assert!(table(&tx, &table_id).associations.is_empty(), "defaults wait for acceptance");
    let by_requester = vpc_attachment::accept(&mut tx, &scope(OTHER), &attachment.id).unwrap_err();
    assert_eq!(by_requester.code(), "InvalidParameterValue");
    let accepted = vpc_attachment::accept(&mut tx, &scope(OWNER), &attachment.id).unwrap();
    assert_eq!(accepted.state, AttachmentState::Available);
    assert_eq!(table(&tx, &table_id).associations, std::slice::from_ref(&attachment.id));
    let modify = modify(&mut tx, &scope(OTHER), &gateway.id, None, OptionsRequest::default()).unwrap_err();
    assert_eq!(modify.code(), "InvalidTransitGatewayID.NotFound", "a consumer cannot modify a shared gateway");
}

#[test]
fn a_live_attachment_holds_its_gateway_vpc_and_subnet() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let gateway = gateway(&mut tx, OWNER, OptionsRequest::default());
    let vpc = vpc_with_subnet(&mut tx, OWNER, "10.0.0.0/16", "10.0.1.0/24");
    let attachment = attach(&mut tx, OWNER, &gateway.id, &vpc);
    let held = delete(&mut tx, &scope(OWNER), &gateway.id).unwrap_err();
    assert_eq!(
        held.to_string(),
        format!("{} has non-deleted Transit Gateway Attachments: {}.", gateway.id, attachment.id)
    );
    assert_eq!(subnet::delete_subnet(&mut tx, &scope(OWNER), &vpc.1).unwrap_err().code(), "DependencyViolation");
    assert_eq!(vpc::delete_vpc(&mut tx, &scope(OWNER), &vpc.0).unwrap_err().code(), "DependencyViolation");
    vpc_attachment::delete(&mut tx, &scope(OWNER), &attachment.id).unwrap();
    subnet::delete_subnet(&mut tx, &scope(OWNER), &vpc.1).unwrap();
    delete(&mut tx, &scope(OWNER), &gateway.id).unwrap();
    assert!(tx.world().spanning::<TransitGatewayRouteTable>().is_empty(), "the default table goes with it");
}

#[test]
fn a_peering_is_accepted_from_the_peer_region_only() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let east = gateway(&mut tx, OWNER, OptionsRequest::default());
    let west_scope = Scope::new(OWNER, "us-west-2");
    let west = create(&mut tx, &west_scope, None, OptionsRequest::default(), Vec::new()).unwrap();
    let request = CreatePeeringAttachment {
        transit_gateway_id: east.id.clone(),
        peer_transit_gateway_id: west.id.clone(),
        peer_account_id: OWNER.into(),
        peer_region: "us-west-2".into(),
        tags: Vec::new(),
    };
    let attachment = peering::create(&mut tx, &scope(OWNER), request.clone()).unwrap();
    assert_eq!(attachment.state, AttachmentState::PendingAcceptance);
    let duplicate = peering::create(&mut tx, &scope(OWNER), request).unwrap_err();
    assert_eq!(duplicate.code(), "DuplicateTransitGatewayAttachment");
    let from_requester = peering::accept(&mut tx, &scope(OWNER), &attachment.id).unwrap_err();
    assert_eq!(
        from_requester.to_string(),
        format!("Cannot accept {} as the source of the peering request.", attachment.id)
    );
    let stranger = peering::accept(&mut tx, &Scope::new(OTHER, "us-west-2"), &attachment.id).unwrap_err();
    assert_eq!(stranger.code(), "InvalidTransitGatewayAttachmentID.NotFound");
    assert_eq!(peering::accept(&mut tx, &west_scope, &attachment.id).unwrap().state, AttachmentState::Available);
    let held = delete(&mut tx, &west_scope, &west.id).unwrap_err();
    assert!(held.to_string().contains("Cross Region Peering Attachments"), "{held}");
}

#[test]
fn the_spanning_tables_persist_and_load_back() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let gateway = gateway(&mut tx, OWNER, OptionsRequest::default());
    let vpc_x = vpc_with_subnet(&mut tx, OWNER, "10.0.0.0/16", "10.0.1.0/24");
    attach(&mut tx, OWNER, &gateway.id, &vpc_x);
    let gone = vpc_with_subnet(&mut tx, OWNER, "10.1.0.0/16", "10.1.1.0/24");
    let gone_attachment = attach(&mut tx, OWNER, &gateway.id, &gone);
    vpc_attachment::delete(&mut tx, &scope(OWNER), &gone_attachment.id).unwrap();
    assert!(!vpc_attachment::blocks_vpc_deletion(tx.world(), &scope(OWNER), &gone.0));
    let changes = tx.finish();
    let records: Vec<(&str, Scope, &str, &str)> = changes
        .iter()
        .filter_map(|change| match change {
            Change::Put { kind, scope, id, body } => Some((*kind, scope.clone(), id.as_str(), body.as_str())),
            _ => None,
        })
        .collect();
    let loaded = World::load(records, std::iter::empty()).unwrap();
    assert_eq!(loaded.spanning::<TransitGateway>(), world.spanning::<TransitGateway>());
    assert_eq!(loaded.spanning::<TransitGatewayRouteTable>(), world.spanning::<TransitGatewayRouteTable>());
    assert_eq!(loaded.spanning::<TransitGatewayAttachment>(), world.spanning::<TransitGatewayAttachment>());
    assert_eq!(loaded.spanning::<TransitGatewayAttachment>().len(), 2, "the deleted one is kept, not live");
    assert_eq!(loaded.index(), world.index(), "the indexes a load rebuilds are the ones the writes kept");
}

#[test]
fn aws_quotas_limit_gateways_tables_and_attachments_per_vpc() {
    let mut world = World::default();
    let mut tx = Tx::with_quotas(&mut world, Timestamp(0), crate::Quotas::aws());
    let gateways: Vec<TransitGateway> = (0..5).map(|_| gateway(&mut tx, OWNER, OptionsRequest::default())).collect();
    let over = create(&mut tx, &scope(OWNER), None, OptionsRequest::default(), Vec::new()).unwrap_err();
    assert_eq!(over.code(), "TransitGatewayLimitExceeded");
    let others = gateway(&mut tx, OTHER, OptionsRequest::default()); // another account has its own five
    for _ in 0..19 {
        route_table::create(&mut tx, &scope(OWNER), &gateways[0].id, Vec::new()).unwrap();
    }
    let over = route_table::create(&mut tx, &scope(OWNER), &gateways[0].id, Vec::new()).unwrap_err();
    assert_eq!(over.code(), "TransitGatewayRouteTableLimitExceeded", "the default table counts: 20 in all");
    let vpc = vpc_with_subnet(&mut tx, OWNER, "10.0.0.0/16", "10.0.1.0/24");
    for gateway in &gateways {
        attach(&mut tx, OWNER, &gateway.id, &vpc);
    }
    let share = [Tag { key: SHARED_WITH_TAG.into(), value: OWNER.into() }];
    crate::tags::ops::create_tags(&mut tx, &scope(OTHER), std::slice::from_ref(&others.id), &share).unwrap();
    let request = CreateVpcAttachment {
        transit_gateway_id: others.id.clone(),
        vpc_id: vpc.0.clone(),
        subnet_ids: vec![vpc.1.clone()],
        ..Default::default()
    };
    let sixth = vpc_attachment::create(&mut tx, &scope(OWNER), request).unwrap_err();
    assert_eq!(sixth.code(), "TransitGatewayAttachmentLimitExceeded");
    let mut unlimited = World::default();
    let mut tx = Tx::new(&mut unlimited, Timestamp(0));
    for _ in 0..6 {
        gateway(&mut tx, OWNER, OptionsRequest::default());
    }
}
