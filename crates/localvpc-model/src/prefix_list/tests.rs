//! Scenario tests of prefix lists referenced by security group rules and routes (part 2 §17.3): which lists a rule
//! may name, the weight a reference costs against the rules and routes quotas, routes to a list, and associations
//! and deletion while referenced.

use super::*;
use crate::route_table::{self, RouteRequest};
use crate::security_group::permission::{Described, PermissionRequest};
use crate::security_group::rules::{self, RuleChange};
use crate::security_group::{self, CreateSecurityGroup, Direction, GroupRef, RulePeer};
use crate::vpc::{self, CreateVpc};
use crate::world::{Timestamp, Tx, World};

const A: &str = "111111111111";
const B: &str = "222222222222";

fn group_in_new_vpc(tx: &mut Tx, scope: &Scope) -> String {
    vpc::ensure_initialized(tx, scope);
    let vpc_id = vpc::create_vpc(tx, scope, CreateVpc { cidr_block: "10.0.0.0/16".into(), ..Default::default() })
        .unwrap()
        .id
        .clone();
    let request =
        CreateSecurityGroup { name: "web".into(), description: "web".into(), vpc_id: Some(vpc_id), tags: Vec::new() };
    security_group::create(tx, scope, request).unwrap().id
}

fn new_list(tx: &mut Tx, scope: &Scope, max_entries: i64) -> String {
    let request = CreateManagedPrefixList {
        name: "office".into(),
        max_entries,
        address_family: "IPv4".into(),
        entries: vec![PrefixListEntry { cidr: "192.168.0.0/16".into(), description: None }],
        ..Default::default()
    };
    create(tx, scope, request).unwrap().id.clone()
}

fn tcp(port: i64, cidrs: &[String], prefix_lists: &[&str]) -> PermissionRequest {
    let described = |value: &str| Described { value: value.to_string(), description: None };
    PermissionRequest {
        protocol: Some("tcp".into()),
        from_port: Some(port),
        to_port: Some(port),
        ip_ranges: cidrs.iter().map(|cidr| described(cidr)).collect(),
        prefix_list_ids: prefix_lists.iter().map(|id| described(id)).collect(),
        ..Default::default()
    }
}

fn ingress(group_id: &str, permission: PermissionRequest) -> RuleChange {
    RuleChange {
        group: GroupRef::Id(group_id.into()),
        direction: Direction::Ingress,
        permissions: vec![permission],
        tags: Vec::new(),
        rule_ids: Vec::new(),
    }
}

fn blocks(count: usize) -> Vec<String> {
    (0..count).map(|n| format!("10.{n}.0.0/16")).collect()
}

#[test]
fn a_rule_may_name_the_owners_list_or_an_aws_managed_one_and_no_other() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let (a, b) = (Scope::new(A, "us-east-1"), Scope::new(B, "us-east-1"));
    let web = group_in_new_vpc(&mut tx, &a);
    let own = new_list(&mut tx, &a, 5);
    let others = new_list(&mut tx, &b, 5);
    let (_, added) = rules::authorize(&mut tx, &a, ingress(&web, tcp(443, &[], &[&own, "pl-63a5400a"]))).unwrap();
    let peers: Vec<RulePeer> = added.into_iter().map(|rule| rule.peer).collect();
    assert_eq!(
        peers,
        vec![
            RulePeer::PrefixList { prefix_list_id: own.clone() },
            RulePeer::PrefixList { prefix_list_id: "pl-63a5400a".into() },
        ]
    );
    for unknown in [others.as_str(), "pl-0123456789abcdef0"] {
        let refused = rules::authorize(&mut tx, &a, ingress(&web, tcp(80, &[], &[unknown]))).unwrap_err();
        assert_eq!(refused.code(), "InvalidPrefixListID.NotFound", "{unknown}");
    }
    // The same list again in one direction is a duplicate, as a repeated CIDR block is.
    let again = rules::authorize(&mut tx, &a, ingress(&web, tcp(443, &[], &[&own]))).unwrap_err();
    assert_eq!(again.code(), "InvalidPermission.Duplicate");
    assert_eq!(
        again.to_string(),
        format!("the specified rule \"peer: {own}, TCP, from port: 443, to port: 443, ALLOW\" already exists")
    );
}

#[test]
fn a_list_reference_weighs_max_entries_against_the_sixty_rules_quota() {
    let mut world = World::default();
    let mut tx = Tx::with_quotas(&mut world, Timestamp(0), crate::Quotas::aws());
    let scope = Scope::new(A, "us-east-1");
    let web = group_in_new_vpc(&mut tx, &scope);
    rules::authorize(&mut tx, &scope, ingress(&web, tcp(22, &blocks(10), &[]))).unwrap();
    let heavy = new_list(&mut tx, &scope, 51);
    let over = rules::authorize(&mut tx, &scope, ingress(&web, tcp(443, &[], &[&heavy]))).unwrap_err();
    assert_eq!(over.code(), "RulesPerSecurityGroupLimitExceeded");
    // Positive control: a list of 50 fills the group to exactly 60.
    let fits = new_list(&mut tx, &scope, 50);
    rules::authorize(&mut tx, &scope, ingress(&web, tcp(443, &[], &[&fits]))).unwrap();
    let full = rules::authorize(&mut tx, &scope, ingress(&web, tcp(23, &blocks(1), &[]))).unwrap_err();
    assert_eq!(full.code(), "RulesPerSecurityGroupLimitExceeded");
    // An AWS-managed list weighs 1: a group of 59 rules takes the S3 list.
    let other = group_in_new_vpc(&mut tx, &scope);
    rules::authorize(&mut tx, &scope, ingress(&other, tcp(22, &blocks(59), &[]))).unwrap();
    rules::authorize(&mut tx, &scope, ingress(&other, tcp(443, &[], &["pl-63a5400a"]))).unwrap();
    let full = rules::authorize(&mut tx, &scope, ingress(&other, tcp(23, &blocks(1), &[]))).unwrap_err();
    assert_eq!(full.code(), "RulesPerSecurityGroupLimitExceeded");
}

#[test]
fn a_referenced_list_names_its_groups_and_is_not_deleted_until_unreferenced() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let scope = Scope::new(A, "us-east-1");
    let web = group_in_new_vpc(&mut tx, &scope);
    let office = new_list(&mut tx, &scope, 5);
    assert_eq!(associations(tx.region(&scope), &scope, &office).unwrap(), Vec::<(String, String)>::new());
    rules::authorize(&mut tx, &scope, ingress(&web, tcp(443, &[], &[&office]))).unwrap();
    assert_eq!(associations(tx.region(&scope), &scope, &office).unwrap(), vec![(web.clone(), A.to_string())]);
    let refused = delete(&mut tx, &scope, &office).unwrap_err();
    assert_eq!(refused.code(), "DependencyViolation");
    assert_eq!(refused.to_string(), format!("The prefix list {office} is referenced by {web} and cannot be deleted."));
    rules::revoke(&mut tx, &scope, ingress(&web, tcp(443, &[], &[&office]))).unwrap();
    assert_eq!(associations(tx.region(&scope), &scope, &office).unwrap(), Vec::<(String, String)>::new());
    assert_eq!(delete(&mut tx, &scope, &office).unwrap().id, office);
}

/// A VPC with an attached internet gateway and a new route table: (table, gateway).
fn table_with_gateway(tx: &mut Tx, scope: &Scope) -> (String, String) {
    vpc::ensure_initialized(tx, scope);
    let vpc_id = vpc::create_vpc(tx, scope, CreateVpc { cidr_block: "10.0.0.0/16".into(), ..Default::default() })
        .unwrap()
        .id
        .clone();
    let igw = crate::internet_gateway::create(tx, scope, Vec::new()).unwrap().id.clone();
    crate::internet_gateway::attach(tx, scope, &igw, &vpc_id).unwrap();
    let table = route_table::create(tx, scope, &vpc_id, Vec::new()).unwrap().id.clone();
    (table, igw)
}

fn to_list(table: &str, prefix_list_id: &str, igw: &str) -> RouteRequest {
    RouteRequest {
        route_table_id: table.to_string(),
        destination_prefix_list_id: Some(prefix_list_id.to_string()),
        gateway_id: Some(igw.to_string()),
        ..RouteRequest::default()
    }
}

#[test]
fn a_route_to_a_list_weighs_max_entries_against_fifty_routes_and_keeps_the_list() {
    let mut world = World::default();
    let mut tx = Tx::with_quotas(&mut world, Timestamp(0), crate::Quotas::aws());
    let scope = Scope::new(A, "us-east-1");
    let (table, igw) = table_with_gateway(&mut tx, &scope);
    let heavy = new_list(&mut tx, &scope, 51);
    let over = route_table::create_route(&mut tx, &scope, &to_list(&table, &heavy, &igw)).unwrap_err();
    assert_eq!(over.code(), "RouteLimitExceeded");
    // Positive control: MaxEntries 50 fills the table exactly; then no CIDR route fits.
    let fits = new_list(&mut tx, &scope, 50);
    route_table::create_route(&mut tx, &scope, &to_list(&table, &fits, &igw)).unwrap();
    let cidr = RouteRequest {
        route_table_id: table.clone(),
        destination: "0.0.0.0/0".into(),
        gateway_id: Some(igw.clone()),
        ..RouteRequest::default()
    };
    assert_eq!(route_table::create_route(&mut tx, &scope, &cidr).unwrap_err().code(), "RouteLimitExceeded");
    let again = route_table::create_route(&mut tx, &scope, &to_list(&table, &fits, &igw)).unwrap_err();
    assert_eq!(again.code(), "RouteAlreadyExists");
    assert_eq!(associations(tx.region(&scope), &scope, &fits).unwrap(), vec![(table.clone(), A.to_string())]);
    assert_eq!(delete(&mut tx, &scope, &fits).unwrap_err().code(), "DependencyViolation");
    route_table::delete_prefix_list_route(&mut tx, &scope, &table, &fits).unwrap();
    let gone = route_table::delete_prefix_list_route(&mut tx, &scope, &table, &fits).unwrap_err();
    assert_eq!(gone.code(), "InvalidRoute.NotFound");
    assert_eq!(delete(&mut tx, &scope, &fits).unwrap().id, fits);
}

#[test]
fn a_gateway_route_table_takes_no_prefix_list_route() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let scope = Scope::new(A, "us-east-1");
    let (table, igw) = table_with_gateway(&mut tx, &scope);
    let office = new_list(&mut tx, &scope, 5);
    let vpc_id = tx.region(&scope).route_tables[table.as_str()].vpc_id.clone();
    let edge = route_table::create(&mut tx, &scope, &vpc_id, Vec::new()).unwrap().id.clone();
    let association =
        route_table::associate(&mut tx, &scope, &edge, route_table::AssociationTarget::Gateway(igw.clone())).unwrap();
    let refused = route_table::create_route(&mut tx, &scope, &to_list(&edge, &office, &igw)).unwrap_err();
    assert_eq!(refused.code(), "InvalidParameterValue");
    assert_eq!(
        refused.to_string(),
        format!("The route table {edge} is associated with a gateway and cannot have routes to a prefix list.")
    );
    // Positive control: the ordinary table takes it — and then cannot become a gateway route table.
    route_table::create_route(&mut tx, &scope, &to_list(&table, &office, &igw)).unwrap();
    route_table::disassociate(&mut tx, &scope, &association).unwrap();
    let refused = route_table::associate(&mut tx, &scope, &table, route_table::AssociationTarget::Gateway(igw.clone()));
    assert_eq!(refused.unwrap_err().code(), "InvalidParameterValue");
}

#[test]
fn growing_max_entries_past_a_referencing_groups_or_tables_quota_is_refused() {
    let mut world = World::default();
    let mut tx = Tx::with_quotas(&mut world, Timestamp(0), crate::Quotas::aws());
    let scope = Scope::new(A, "us-east-1");
    let web = group_in_new_vpc(&mut tx, &scope);
    rules::authorize(&mut tx, &scope, ingress(&web, tcp(22, &blocks(10), &[]))).unwrap();
    let office = new_list(&mut tx, &scope, 40);
    rules::authorize(&mut tx, &scope, ingress(&web, tcp(443, &[], &[&office]))).unwrap();
    let grow = |max_entries| ModifyManagedPrefixList {
        id: office.clone(),
        max_entries: Some(max_entries),
        ..Default::default()
    };
    // Positive control: up to 50 the group stays within its 60 rules.
    modify(&mut tx, &scope, grow(50)).unwrap();
    assert_eq!(modify(&mut tx, &scope, grow(51)).unwrap_err().code(), "RulesPerSecurityGroupLimitExceeded");
    let (table, igw) = table_with_gateway(&mut tx, &scope);
    let routed = new_list(&mut tx, &scope, 50);
    route_table::create_route(&mut tx, &scope, &to_list(&table, &routed, &igw)).unwrap();
    let grow_routed = ModifyManagedPrefixList { id: routed.clone(), max_entries: Some(51), ..Default::default() };
    assert_eq!(modify(&mut tx, &scope, grow_routed).unwrap_err().code(), "RouteLimitExceeded");
}
