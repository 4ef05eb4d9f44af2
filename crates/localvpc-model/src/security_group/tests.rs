//! Scenario tests of the security group rules on a real [`World`]: the default and new groups, Authorize/Revoke,
//! references across VPCs, accounts and regions, staleness, and DeleteSecurityGroup's dependency rules.

use super::permission::{Described, GroupPair, PermissionRequest};
use super::reference;
use super::rules::{self, RuleChange};
use super::*;
use crate::vpc::{self, CreateVpc};
use crate::vpc_peering::{self, CreatePeering};
use crate::world::{Timestamp, World};

const A: &str = "111111111111";
const B: &str = "222222222222";

fn scope(account: &str, region: &str) -> Scope {
    Scope::new(account, region)
}

fn east(account: &str) -> Scope {
    scope(account, "us-east-1")
}

fn new_vpc(tx: &mut Tx, scope: &Scope, block: &str) -> String {
    vpc::ensure_initialized(tx, scope);
    vpc::create_vpc(tx, scope, CreateVpc { cidr_block: block.into(), ..Default::default() }).unwrap().id.clone()
}

fn new_group(tx: &mut Tx, scope: &Scope, vpc_id: &str, name: &str) -> String {
    let request = CreateSecurityGroup {
        name: name.into(),
        description: name.into(),
        vpc_id: Some(vpc_id.into()),
        tags: Vec::new(),
    };
    create(tx, scope, request).unwrap().id
}

fn tcp(port: i64, cidrs: &[&str]) -> PermissionRequest {
    PermissionRequest {
        protocol: Some("tcp".into()),
        from_port: Some(port),
        to_port: Some(port),
        ip_ranges: cidrs.iter().map(|c| Described { value: c.to_string(), description: None }).collect(),
        ..Default::default()
    }
}

fn from_group(group_id: &str, user_id: Option<&str>) -> PermissionRequest {
    PermissionRequest {
        protocol: Some("-1".into()),
        groups: vec![GroupPair {
            group_id: Some(group_id.into()),
            user_id: user_id.map(str::to_string),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn change(group_id: &str, direction: Direction, permissions: Vec<PermissionRequest>) -> RuleChange {
    RuleChange { group: GroupRef::Id(group_id.into()), direction, permissions, tags: Vec::new(), rule_ids: Vec::new() }
}

fn ingress(group_id: &str, permissions: Vec<PermissionRequest>) -> RuleChange {
    change(group_id, Direction::Ingress, permissions)
}

fn group(tx: &Tx, scope: &Scope, id: &str) -> Arc<SecurityGroup> {
    tx.region(scope).security_groups[id].clone()
}

/// Peers `a` (requester) with `b` and accepts; returns the connection ID.
fn peer(tx: &mut Tx, a: (&Scope, &str), b: (&Scope, &str)) -> String {
    let request = CreatePeering {
        vpc_id: a.1.into(),
        peer_vpc_id: b.1.into(),
        peer_owner_id: Some(b.0.account.clone()),
        peer_region: Some(b.0.region.clone()),
        tags: Vec::new(),
    };
    let (pcx, _) = vpc_peering::create(tx, a.0, request).unwrap();
    vpc_peering::accept(tx, b.0, &pcx.id).unwrap();
    pcx.id
}

#[test]
fn new_and_default_groups_have_the_aws_rules() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let scope = east(A);
    let vpc_id = new_vpc(&mut tx, &scope, "10.0.0.0/16");
    let default = tx.region(&scope).security_groups.values().find(|g| g.vpc_id == vpc_id).unwrap().clone();
    assert_eq!(default.name, "default");
    assert!(matches!(&default.ingress[0].peer, RulePeer::Group { group_id, .. } if *group_id == default.id));
    let web_id = new_group(&mut tx, &scope, &vpc_id, "web");
    let web = group(&tx, &scope, &web_id);
    assert!(web.ingress.is_empty());
    assert_eq!(web.egress.len(), 1);
    assert_eq!(
        (web.egress[0].protocol.as_str(), &web.egress[0].peer),
        ("-1", &RulePeer::Cidr("0.0.0.0/0".parse().unwrap()))
    );
}

#[test]
fn create_refuses_duplicates_reserved_and_sg_names() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let scope = east(A);
    let vpc_id = new_vpc(&mut tx, &scope, "10.0.0.0/16");
    new_group(&mut tx, &scope, &vpc_id, "web");
    let request = |name: &str| CreateSecurityGroup {
        name: name.into(),
        description: "d".into(),
        vpc_id: Some(vpc_id.clone()),
        tags: Vec::new(),
    };
    let duplicate = create(&mut tx, &scope, request("web")).unwrap_err();
    assert_eq!(duplicate.code(), "InvalidGroup.Duplicate");
    assert_eq!(duplicate.to_string(), format!("The security group 'web' already exists for VPC '{vpc_id}'"));
    assert_eq!(create(&mut tx, &scope, request("default")).unwrap_err().code(), "InvalidGroup.Reserved");
    assert_eq!(create(&mut tx, &scope, request("sg-web")).unwrap_err().code(), "InvalidParameterValue");
    // Without VpcId the default VPC is used; a region without one answers VPCIdNotSpecified.
    let in_default = CreateSecurityGroup { vpc_id: None, ..request("web") };
    assert!(create(&mut tx, &scope, in_default.clone()).is_ok());
    let empty_region = scope_without_default_vpc(&mut tx);
    assert_eq!(create(&mut tx, &empty_region, in_default).unwrap_err().code(), "VPCIdNotSpecified");
}

fn scope_without_default_vpc(tx: &mut Tx) -> Scope {
    let scope = east(B);
    vpc::ensure_initialized(tx, &scope);
    let default_vpc = tx.region(&scope).vpcs.values().find(|v| v.is_default).unwrap().id.clone();
    let subnets: Vec<String> =
        tx.region(&scope).subnets.values().filter(|s| s.vpc_id == default_vpc).map(|s| s.id.clone()).collect();
    for subnet_id in subnets {
        crate::subnet::delete_subnet(tx, &scope, &subnet_id).unwrap();
    }
    let igw = tx.region(&scope).internet_gateways.values().next().unwrap().id.clone();
    crate::internet_gateway::detach(tx, &scope, &igw, &default_vpc).unwrap();
    vpc::delete_vpc(tx, &scope, &default_vpc).unwrap();
    scope
}

#[test]
fn authorize_makes_one_rule_per_peer_and_refuses_duplicates() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let scope = east(A);
    let vpc_id = new_vpc(&mut tx, &scope, "10.0.0.0/16");
    let web = new_group(&mut tx, &scope, &vpc_id, "web");
    let (_, added) =
        rules::authorize(&mut tx, &scope, ingress(&web, vec![tcp(22, &["0.0.0.0/0", "10.1.0.0/16"])])).unwrap();
    assert_eq!(added.len(), 2);
    assert_ne!(added[0].id, added[1].id);
    let duplicate = rules::authorize(&mut tx, &scope, ingress(&web, vec![tcp(22, &["0.0.0.0/0"])])).unwrap_err();
    assert_eq!(duplicate.code(), "InvalidPermission.Duplicate");
    assert_eq!(
        duplicate.to_string(),
        "the specified rule \"peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW\" already exists"
    );
    // The whole call is refused when any part is: the new 443 rule is not added either.
    let mixed = vec![tcp(443, &["0.0.0.0/0"]), tcp(22, &["10.1.0.0/16"])];
    assert_eq!(
        rules::authorize(&mut tx, &scope, ingress(&web, mixed)).unwrap_err().code(),
        "InvalidPermission.Duplicate"
    );
    assert_eq!(group(&tx, &scope, &web).ingress.len(), 2);
    let repeated = vec![tcp(80, &["0.0.0.0/0", "0.0.0.0/0"])];
    assert_eq!(rules::authorize(&mut tx, &scope, ingress(&web, repeated)).unwrap_err().code(), "InvalidParameterValue");
    let bad_cidr = rules::authorize(&mut tx, &scope, ingress(&web, vec![tcp(80, &["10.0.0.300/8"])])).unwrap_err();
    assert_eq!(bad_cidr.to_string(), "invalid CIDR subnet specification: 10.0.0.300/8");
}

#[test]
fn rule_quota_is_sixty_per_direction() {
    let mut world = World::default();
    let mut tx = Tx::with_quotas(&mut world, Timestamp(0), crate::Quotas::aws());
    let scope = east(A);
    let vpc_id = new_vpc(&mut tx, &scope, "10.0.0.0/16");
    let web = new_group(&mut tx, &scope, &vpc_id, "web");
    let blocks: Vec<String> = (0..60).map(|n| format!("10.{n}.0.0/16")).collect();
    let refs: Vec<&str> = blocks.iter().map(String::as_str).collect();
    rules::authorize(&mut tx, &scope, ingress(&web, vec![tcp(22, &refs)])).unwrap();
    let over = rules::authorize(&mut tx, &scope, ingress(&web, vec![tcp(23, &["0.0.0.0/0"])])).unwrap_err();
    assert_eq!(over.code(), "RulesPerSecurityGroupLimitExceeded");
    assert_eq!(over.to_string(), "The maximum number of rules per security group has been reached.");
    // The refused call added nothing; egress has its own 60 (the default allow-all rule is one of them).
    assert_eq!(group(&tx, &scope, &web).ingress.len(), 60);
    let egress_blocks: Vec<String> = (0..59).map(|n| format!("10.{n}.0.0/16")).collect();
    let egress_refs: Vec<&str> = egress_blocks.iter().map(String::as_str).collect();
    rules::authorize(&mut tx, &scope, change(&web, Direction::Egress, vec![tcp(22, &egress_refs)])).unwrap();
    let over = rules::authorize(&mut tx, &scope, change(&web, Direction::Egress, vec![tcp(23, &["10.0.0.0/8"])]));
    assert_eq!(over.unwrap_err().code(), "RulesPerSecurityGroupLimitExceeded");
}

#[test]
fn rule_quota_is_not_enforced_by_default() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let scope = east(A);
    let vpc_id = new_vpc(&mut tx, &scope, "10.0.0.0/16");
    let web = new_group(&mut tx, &scope, &vpc_id, "web");
    let blocks: Vec<String> = (0..61).map(|n| format!("10.{n}.0.0/16")).collect();
    let refs: Vec<&str> = blocks.iter().map(String::as_str).collect();
    rules::authorize(&mut tx, &scope, ingress(&web, vec![tcp(22, &refs)])).unwrap();
    assert_eq!(group(&tx, &scope, &web).ingress.len(), 61);
}

#[test]
fn revoke_by_properties_and_by_id() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let scope = east(A);
    let vpc_id = new_vpc(&mut tx, &scope, "10.0.0.0/16");
    let web = new_group(&mut tx, &scope, &vpc_id, "web");
    let (_, added) =
        rules::authorize(&mut tx, &scope, ingress(&web, vec![tcp(22, &["0.0.0.0/0", "10.1.0.0/16"])])).unwrap();
    let missing =
        rules::revoke(&mut tx, &scope, ingress(&web, vec![tcp(22, &["0.0.0.0/0", "10.9.0.0/16"])])).unwrap_err();
    assert_eq!(missing.to_string(), "The specified rule does not exist in this security group.");
    assert_eq!(group(&tx, &scope, &web).ingress.len(), 2, "nothing is revoked when one part is missing");
    let done = rules::revoke(&mut tx, &scope, ingress(&web, vec![tcp(22, &["0.0.0.0/0"])])).unwrap();
    assert_eq!(done.revoked.len(), 1);
    let by_id = RuleChange { rule_ids: vec![added[1].id.clone()], ..ingress(&web, Vec::new()) };
    assert_eq!(rules::revoke(&mut tx, &scope, by_id).unwrap().revoked[0].id, added[1].id);
    assert!(group(&tx, &scope, &web).ingress.is_empty());
    let unknown_id = RuleChange { rule_ids: vec![added[1].id.clone()], ..ingress(&web, Vec::new()) };
    assert_eq!(rules::revoke(&mut tx, &scope, unknown_id).unwrap_err().code(), "InvalidSecurityGroupRuleId.NotFound");
}

#[test]
fn revoke_in_the_default_vpc_reports_unknown_rules() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let scope = east(A);
    vpc::ensure_initialized(&mut tx, &scope);
    let default_vpc = tx.region(&scope).vpcs.values().find(|v| v.is_default).unwrap().id.clone();
    let web = new_group(&mut tx, &scope, &default_vpc, "web");
    let outcome = rules::revoke(&mut tx, &scope, ingress(&web, vec![tcp(22, &["0.0.0.0/0"])])).unwrap();
    assert!(outcome.revoked.is_empty());
    assert_eq!(outcome.unknown.len(), 1);
}

#[test]
fn another_vpc_needs_an_active_peering_and_goes_stale_without_it() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let scope = east(A);
    let vpc_a = new_vpc(&mut tx, &scope, "10.0.0.0/16");
    let vpc_b = new_vpc(&mut tx, &scope, "10.1.0.0/16");
    let web = new_group(&mut tx, &scope, &vpc_a, "web");
    let db = new_group(&mut tx, &scope, &vpc_b, "db");
    let refused = rules::authorize(&mut tx, &scope, ingress(&web, vec![from_group(&db, None)])).unwrap_err();
    assert_eq!(refused.code(), "InvalidGroup.NotFound");
    assert_eq!(refused.to_string(), "You have specified two resources that belong to different networks.");

    let pcx = peer(&mut tx, (&scope, &vpc_a), (&scope, &vpc_b));
    rules::authorize(&mut tx, &scope, ingress(&web, vec![from_group(&db, None)])).unwrap();
    let web_group = group(&tx, &scope, &web);
    let link = reference::peer_link(tx.world(), &web_group, &web_group.ingress[0].peer).unwrap();
    assert_eq!(
        (link.vpc_id.as_str(), link.pcx.map(|p| p.id.as_str()), link.peering_status()),
        (vpc_b.as_str(), Some(pcx.as_str()), "active")
    );
    let references = reference::references_to(tx.world(), &scope, std::slice::from_ref(&db)).unwrap();
    assert_eq!(references[0].referencing_vpc_id, vpc_a);

    vpc_peering::delete(&mut tx, &scope, &pcx).unwrap();
    let web_group = group(&tx, &scope, &web);
    assert!(reference::is_stale(tx.world(), &web_group, &web_group.ingress[0]));
    let stale = reference::stale_groups(tx.world(), &scope, &vpc_a, &Default::default()).unwrap();
    assert_eq!(stale.items.len(), 1);
    assert_eq!(
        reference::peer_link(tx.world(), &web_group, &web_group.ingress[0].peer).unwrap().peering_status(),
        "deleted"
    );
    assert!(reference::references_to(tx.world(), &scope, std::slice::from_ref(&db)).unwrap().is_empty());

    peer(&mut tx, (&scope, &vpc_b), (&scope, &vpc_a));
    assert!(!reference::is_stale(tx.world(), &web_group, &web_group.ingress[0]), "peering again revives the rule");
}

#[test]
fn other_accounts_need_user_id_and_other_regions_are_never_found() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let (a, b, b_west) = (east(A), east(B), scope(B, "us-west-2"));
    let vpc_a = new_vpc(&mut tx, &a, "10.0.0.0/16");
    let vpc_b = new_vpc(&mut tx, &b, "10.1.0.0/16");
    let vpc_west = new_vpc(&mut tx, &b_west, "10.2.0.0/16");
    let web = new_group(&mut tx, &a, &vpc_a, "web");
    let db = new_group(&mut tx, &b, &vpc_b, "db");
    let far = new_group(&mut tx, &b_west, &vpc_west, "far");
    peer(&mut tx, (&a, &vpc_a), (&b, &vpc_b));
    peer(&mut tx, (&a, &vpc_a), (&b_west, &vpc_west));
    let without_user = rules::authorize(&mut tx, &a, ingress(&web, vec![from_group(&db, None)])).unwrap_err();
    assert_eq!(without_user.to_string(), format!("The security group '{db}' does not exist"));
    rules::authorize(&mut tx, &a, ingress(&web, vec![from_group(&db, Some(B))])).unwrap();
    let across_regions = rules::authorize(&mut tx, &a, ingress(&web, vec![from_group(&far, Some(B))])).unwrap_err();
    assert_eq!(across_regions.code(), "InvalidGroup.NotFound");
    // The referenced group cannot go while the reference exists.
    assert_eq!(delete(&mut tx, &b, &GroupRef::Id(db.clone())).unwrap_err().code(), "DependencyViolation");
}

#[test]
fn delete_keeps_the_default_and_referenced_groups() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let scope = east(A);
    let vpc_id = new_vpc(&mut tx, &scope, "10.0.0.0/16");
    let default_id = tx.region(&scope).security_groups.values().find(|g| g.vpc_id == vpc_id).unwrap().id.clone();
    let cannot = delete(&mut tx, &scope, &GroupRef::Id(default_id.clone())).unwrap_err();
    assert_eq!(cannot.code(), "CannotDelete");
    assert_eq!(
        cannot.to_string(),
        format!("the specified group: \"{default_id}\" name: \"default\" cannot be deleted by a user")
    );
    let web = new_group(&mut tx, &scope, &vpc_id, "web");
    let db = new_group(&mut tx, &scope, &vpc_id, "db");
    rules::authorize(&mut tx, &scope, ingress(&web, vec![from_group(&db, None), from_group(&web, None)])).unwrap();
    let dependent = delete(&mut tx, &scope, &GroupRef::Id(db.clone())).unwrap_err();
    assert_eq!(dependent.to_string(), format!("resource {db} has a dependent object"));
    // A group that references only itself can go.
    assert_eq!(delete(&mut tx, &scope, &GroupRef::Id(web.clone())).unwrap(), web);
    assert_eq!(delete(&mut tx, &scope, &GroupRef::Id(db.clone())).unwrap(), db);
    assert_eq!(delete(&mut tx, &scope, &GroupRef::Id(db)).unwrap_err().code(), "InvalidGroup.NotFound");
    assert_eq!(delete(&mut tx, &scope, &GroupRef::Id("sg-1".into())).unwrap_err().code(), "InvalidGroupId.Malformed");
}

#[test]
fn index_answers_lookups_and_equals_one_rebuilt_from_the_records() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let (a, b) = (east(A), east(B));
    let vpc_a = new_vpc(&mut tx, &a, "10.0.0.0/16");
    let vpc_b = new_vpc(&mut tx, &b, "10.1.0.0/16");
    let web = new_group(&mut tx, &a, &vpc_a, "web");
    let db = new_group(&mut tx, &b, &vpc_b, "db");
    let gone = new_group(&mut tx, &a, &vpc_a, "gone");
    peer(&mut tx, (&a, &vpc_a), (&b, &vpc_b));
    let permissions = vec![from_group(&db, Some(B)), from_group(&gone, None), tcp(22, &["10.0.0.0/8"])];
    rules::authorize(&mut tx, &a, ingress(&web, permissions)).unwrap();
    assert_eq!(delete(&mut tx, &a, &GroupRef::Id(gone.clone())).unwrap_err().code(), "DependencyViolation");
    rules::revoke(&mut tx, &a, ingress(&web, vec![from_group(&gone, None)])).unwrap();
    assert_eq!(delete(&mut tx, &a, &GroupRef::Id(gone.clone())).unwrap(), gone);
    let short_lived = new_vpc(&mut tx, &a, "10.2.0.0/16");
    let doomed = new_group(&mut tx, &a, &short_lived, "doomed");
    delete(&mut tx, &a, &GroupRef::Id(doomed)).unwrap();
    vpc::delete_vpc(&mut tx, &a, &short_lived).unwrap();

    let index = tx.region(&a).index.security_groups();
    assert_eq!(index.by_name(&vpc_a, "web"), Some(web.as_str()));
    assert_eq!(index.by_name(&vpc_a, "gone"), None);
    assert_eq!(index.by_name(&vpc_b, "web"), None);
    let default_a = index.by_name(&vpc_a, DEFAULT_GROUP_NAME).unwrap().to_string();
    let mut in_vpc: Vec<&str> = index.in_vpc(&vpc_a).collect();
    in_vpc.sort();
    let mut expected = vec![default_a.as_str(), web.as_str()];
    expected.sort();
    assert_eq!(in_vpc, expected);
    assert_eq!(index.in_vpc(&short_lived).count(), 0);
    for rule in group(&tx, &a, &web).ingress.iter().chain(&group(&tx, &a, &web).egress) {
        assert_eq!(index.rule_owner(&rule.id), Some(web.as_str()));
    }
    let world_index = tx.world().index();
    assert!(!world_index.is_group_referenced(&web), "web names itself nowhere else");
    assert!(!world_index.is_group_referenced(&default_a), "the default group's self-reference does not count");
    assert!(world_index.is_group_referenced(&db), "web's rule in account A names db");
    assert_eq!(resolve(tx.region(&a), &GroupRef::Name("web".into())).unwrap_err().code(), "InvalidGroup.NotFound");

    let changes = tx.finish();
    let records: Vec<(&str, Scope, &str, &str)> = changes
        .iter()
        .filter_map(|change| match change {
            crate::world::Change::Put { kind, scope, id, body } => {
                Some((*kind, scope.clone(), id.as_str(), body.as_str()))
            }
            _ => None,
        })
        .collect();
    let meta: Vec<(&str, &str)> = changes
        .iter()
        .filter_map(|change| match change {
            crate::world::Change::Meta { key, value } => Some((*key, value.as_str())),
            _ => None,
        })
        .collect();
    let rebuilt = World::load(records, meta).unwrap();
    for scope in [&a, &b] {
        assert_eq!(rebuilt.region(scope).index, world.region(scope).index);
        assert!(world.region(scope).index.default_vpc().is_some());
    }
    assert_eq!(rebuilt.index(), world.index());
}
