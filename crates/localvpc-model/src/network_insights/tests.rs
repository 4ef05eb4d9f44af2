//! Rules of Network Insights paths and analyses on a real [`World`]: creation checks, idempotency, the delete
//! dependency, NotFound and Malformed codes, filters, tags, and the round trip through stored records.

use super::result::{Component, Explanation};
use super::*;
use crate::filter::{matches, Filter};
use crate::instance::{self, RunInstances};
use crate::subnet::{self, CreateSubnet};
use crate::tags::ops;
use crate::vpc::{self, CreateVpc};
use crate::{Change, Tag};

fn scope() -> Scope {
    Scope::new("123456789012", "ap-northeast-2")
}

/// A VPC with one subnet, two instances and a detached internet gateway; returns (instance a, instance b, igw).
fn setup(tx: &mut Tx) -> (String, String, String) {
    let scope = scope();
    vpc::ensure_initialized(tx, &scope);
    let vpc = vpc::create_vpc(tx, &scope, CreateVpc { cidr_block: "10.6.0.0/16".into(), ..Default::default() })
        .unwrap()
        .id
        .clone();
    let request = CreateSubnet { vpc_id: vpc, cidr_block: Some("10.6.1.0/24".into()), ..Default::default() };
    let subnet = subnet::create_subnet(tx, &scope, request).unwrap().id.clone();
    let launch = RunInstances {
        image_id: "ami-12345678".into(),
        min_count: 2,
        max_count: 2,
        subnet_id: Some(subnet),
        ..Default::default()
    };
    let reservation = instance::run_instances(tx, &scope, launch).unwrap();
    let igw = internet_gateway::create(tx, &scope, Vec::new()).unwrap().id.clone();
    (reservation.instances[0].id.clone(), reservation.instances[1].id.clone(), igw)
}

fn path_request(source: &str, destination: Option<&str>) -> CreatePath {
    CreatePath {
        source: source.into(),
        destination: destination.map(str::to_string),
        source_ip: None,
        destination_ip: None,
        protocol: PathProtocol::Tcp,
        destination_port: Some(22),
        filter_at_source: None,
        filter_at_destination: None,
        client_token: None,
        tags: Vec::new(),
    }
}

fn found(found: bool) -> AnalysisResult {
    AnalysisResult {
        network_path_found: found,
        explanations: if found {
            Vec::new()
        } else {
            vec![Explanation::new(
                "NO_ROUTE_TO_DESTINATION",
                Some(Component { id: "rtb-1".into(), arn: "arn".into(), name: None }),
            )]
        },
        ..AnalysisResult::default()
    }
}

fn start(tx: &mut Tx, path_id: &str, result: AnalysisResult) -> Result<Arc<NetworkInsightsAnalysis>> {
    let request = StartAnalysis { path_id: path_id.into(), ..Default::default() };
    start_analysis(tx, &scope(), request, |_, _| result)
}

#[test]
fn a_path_between_instances_names_both_by_id_and_arn() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(1_000));
    let (a, b, _) = setup(&mut tx);
    let path = create_path(&mut tx, &scope(), path_request(&a, Some(&b))).unwrap();
    assert!(path.id.starts_with("nip-"));
    assert_eq!(path.arn, format!("arn:aws:ec2:ap-northeast-2:123456789012:network-insights-path/{}", path.id));
    assert_eq!(path.source_arn, format!("arn:aws:ec2:ap-northeast-2:123456789012:instance/{a}"));
    assert_eq!(path.destination.as_deref(), Some(b.as_str()));
    assert_eq!(path.created, Timestamp(1_000));
    // The same path named by ARN.
    let by_arn = create_path(&mut tx, &scope(), path_request(&path.source_arn, Some(&b))).unwrap();
    assert_eq!(by_arn.source, a);
}

#[test]
fn creation_is_refused_with_aws_codes() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let (a, b, _) = setup(&mut tx);
    let code = |tx: &mut Tx, request: CreatePath| create_path(tx, &scope(), request).unwrap_err().code();

    let mut ip_only = path_request(&a, None);
    ip_only.destination_ip = Some("10.6.1.5".parse().unwrap());
    let error = create_path(&mut tx, &scope(), ip_only).unwrap_err();
    assert_eq!(error.code(), "MissingParameter");
    assert!(error.to_string().starts_with("The request must include either the Destination parameter"));

    let mut filter_and_port = path_request(&a, Some(&b));
    filter_and_port.filter_at_source = Some(PathFilter::default());
    assert_eq!(code(&mut tx, filter_and_port), "InvalidParameterCombination");
    let mut filter_and_ip = path_request(&a, Some(&b));
    filter_and_ip.destination_ip = Some("10.6.1.5".parse().unwrap());
    filter_and_ip.filter_at_destination = Some(PathFilter::default());
    assert_eq!(code(&mut tx, filter_and_ip), "InvalidParameterCombination");

    assert_eq!(code(&mut tx, path_request("i-0123456789abcdef0", Some(&b))), "InvalidInstanceID.NotFound");
    assert_eq!(code(&mut tx, path_request(&a, Some("eni-0123456789abcdef0"))), "InvalidNetworkInterfaceID.NotFound");
    assert_eq!(code(&mut tx, path_request("igw-0123456789abcdef0", Some(&b))), "InvalidInternetGatewayID.NotFound");
    assert_eq!(code(&mut tx, path_request("i-123", Some(&b))), "InvalidInstanceID.Malformed");
    assert_eq!(code(&mut tx, path_request("pcx-0123456789abcdef0", Some(&b))), "InvalidParameterValue");
    let foreign = format!("arn:aws:ec2:us-east-1:123456789012:instance/{a}");
    assert_eq!(code(&mut tx, path_request(&foreign, Some(&b))), "InvalidParameterValue");

    let mut reversed = path_request(&a, Some(&b));
    reversed.destination_port = None;
    reversed.filter_at_source =
        Some(PathFilter { destination_port_range: Some(PortRange { from: 90, to: 80 }), ..PathFilter::default() });
    assert_eq!(code(&mut tx, reversed), "InvalidParameterValue");
    assert_eq!(PathProtocol::parse("TCP").unwrap(), PathProtocol::Tcp);
    assert_eq!(PathProtocol::parse("icmp").unwrap_err().code(), "InvalidParameterValue");
}

#[test]
fn a_filter_address_can_stand_for_the_destination() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let (a, _, _) = setup(&mut tx);
    let mut request = path_request(&a, None);
    request.destination_port = None;
    request.filter_at_source = Some(PathFilter {
        destination_address: Some("8.8.8.8".parse().unwrap()),
        destination_port_range: Some(PortRange { from: 443, to: 443 }),
        ..PathFilter::default()
    });
    let path = create_path(&mut tx, &scope(), request).unwrap();
    assert_eq!(path.destination, None);
    assert_eq!(path.requested_destination_address(), Some("8.8.8.8".parse().unwrap()));
    assert_eq!(path.destination_ports(), Some(PortRange { from: 443, to: 443 }));
}

#[test]
fn client_tokens_make_creation_and_start_idempotent() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let (a, b, _) = setup(&mut tx);
    let mut request = path_request(&a, Some(&b));
    request.client_token = Some("token-1".into());
    let first = create_path(&mut tx, &scope(), request.clone()).unwrap();
    let again = create_path(&mut tx, &scope(), request).unwrap();
    assert_eq!(first.id, again.id);
    assert_eq!(tx.region(&scope()).network_insights_paths.len(), 1);

    let request = StartAnalysis { path_id: first.id.clone(), client_token: Some("run-1".into()), ..Default::default() };
    let one = start_analysis(&mut tx, &scope(), request.clone(), |_, _| found(true)).unwrap();
    let two = start_analysis(&mut tx, &scope(), request, |_, _| panic!("a repeated token analyses nothing")).unwrap();
    assert_eq!(one.id, two.id);
}

#[test]
fn analyses_store_their_result_and_block_deleting_their_path() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(5_000));
    let (a, b, _) = setup(&mut tx);
    let path = create_path(&mut tx, &scope(), path_request(&a, Some(&b))).unwrap();
    let analysis = start(&mut tx, &path.id, found(false)).unwrap();
    assert!(analysis.id.starts_with("nia-"));
    assert_eq!(analysis.status, AnalysisStatus::Succeeded);
    assert_eq!(analysis.start, Timestamp(5_000));
    assert!(!analysis.result.as_ref().unwrap().network_path_found);
    assert_eq!(analysis.as_started().status, AnalysisStatus::Running);
    assert_eq!(analysis.as_started().result, None);

    let error = delete_path(&mut tx, &scope(), &path.id).unwrap_err();
    assert_eq!(error.code(), "AnalysisExistsForNetworkInsightsPath");
    assert_eq!(
        error.to_string(),
        format!(
            "At least one analysis [{}] exists for path {}. Delete all the analyses before deleting this network path.",
            analysis.id, path.id
        )
    );
    delete_analysis(&mut tx, &scope(), &analysis.id).unwrap();
    delete_path(&mut tx, &scope(), &path.id).unwrap();
    assert!(tx.region(&scope()).network_insights_paths.is_empty());
}

#[test]
fn unknown_and_malformed_ids_have_their_own_codes() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let code = |result: Result<()>| result.unwrap_err().code();
    assert_eq!(code(delete_path(&mut tx, &scope(), "nip-0123456789abcdef0")), "InvalidNetworkInsightsPathId.NotFound");
    assert_eq!(code(delete_path(&mut tx, &scope(), "nip-1")), "InvalidNetworkInsightsPathId.Malformed");
    assert_eq!(
        code(delete_analysis(&mut tx, &scope(), "nia-0123456789abcdef0")),
        "InvalidNetworkInsightsAnalysisId.NotFound"
    );
    assert_eq!(code(delete_analysis(&mut tx, &scope(), "nia-xyz")), "InvalidNetworkInsightsAnalysisId.Malformed");
    assert_eq!(
        start(&mut tx, "nip-0123456789abcdef0", found(true)).unwrap_err().code(),
        "InvalidNetworkInsightsPathId.NotFound"
    );
    assert_eq!(
        Ec2Error::NetworkInsightsPathNotFound(vec!["nip-1".into()]).to_string(),
        "The networkInsightsPath ID 'nip-1' does not exist"
    );
}

#[test]
fn filter_arns_must_be_arns() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let (a, b, _) = setup(&mut tx);
    let path = create_path(&mut tx, &scope(), path_request(&a, Some(&b))).unwrap();
    let request =
        StartAnalysis { path_id: path.id.clone(), filter_out_arns: vec!["pcx-1".into()], ..Default::default() };
    assert_eq!(
        start_analysis(&mut tx, &scope(), request, |_, _| found(true)).unwrap_err().code(),
        "InvalidParameterValue"
    );
    assert_eq!(id_of_arn("arn:aws:ec2:ap-northeast-2:123456789012:vpc-peering-connection/pcx-1"), Some("pcx-1"));
    assert_eq!(id_of_arn("arn:aws:s3:::bucket/key"), None);
}

#[test]
fn describe_filters_and_the_start_window() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(10_000));
    let (a, b, igw) = setup(&mut tx);
    let path = create_path(&mut tx, &scope(), path_request(&a, Some(&b))).unwrap();
    let mut to_internet = path_request(&a, Some(&igw));
    to_internet.protocol = PathProtocol::Udp;
    let other = create_path(&mut tx, &scope(), to_internet).unwrap();
    let filter = |name: &str, value: &str| Filter { name: name.into(), values: vec![value.into()] };
    assert!(matches(&*path, &[filter("source", &a), filter("destination", &b), filter("protocol", "tcp")]));
    assert!(matches(&*other, &[filter("destination", &other.destination_arn.clone().unwrap())]));
    assert!(!matches(&*other, &[filter("protocol", "tcp")]));
    assert!(
        crate::filter::validate::<NetworkInsightsPath>(&[filter("filter-at-source.destination-address", "x")]).is_ok()
    );
    assert!(crate::filter::validate::<NetworkInsightsAnalysis>(&[filter("protocol", "tcp")]).is_err());

    let analysis = start(&mut tx, &path.id, found(true)).unwrap();
    assert!(matches(&*analysis, &[filter("path-found", "true"), filter("status", "succeeded")]));
    assert!(!matches(&*analysis, &[filter("path-found", "false")]));
    let window = AnalysisWindow { path_id: Some(path.id.clone()), start: Some(Timestamp(9_000)), end: None };
    assert!(window.contains(&analysis));
    assert!(!AnalysisWindow { end: Some(Timestamp(9_999)), ..window.clone() }.contains(&analysis));
    assert!(!AnalysisWindow { path_id: Some(other.id.clone()), ..window }.contains(&analysis));
    let missing = AnalysisWindow { path_id: Some("nip-0123456789abcdef0".into()), ..AnalysisWindow::default() };
    assert_eq!(missing.check(tx.region(&scope())).unwrap_err().code(), "InvalidNetworkInsightsPathId.NotFound");
}

#[test]
fn paths_and_analyses_are_taggable() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let (a, b, _) = setup(&mut tx);
    let path = create_path(&mut tx, &scope(), path_request(&a, Some(&b))).unwrap();
    let analysis = start(&mut tx, &path.id, found(true)).unwrap();
    let tag = Tag { key: "Name".into(), value: "ssh".into() };
    ops::create_tags(&mut tx, &scope(), &[path.id.clone(), analysis.id.clone()], &[tag]).unwrap();
    let types: Vec<&str> = ops::all_tags(tx.region(&scope()))
        .into_iter()
        .filter(|row| row.resource_id == path.id || row.resource_id == analysis.id)
        .map(|row| row.resource_type)
        .collect();
    assert_eq!(types.len(), 2);
    assert!(types.contains(&"network-insights-path") && types.contains(&"network-insights-analysis"));
    let error = ops::create_tags(&mut tx, &scope(), &["nia-0123456789abcdef0".into()], &[]).unwrap_err();
    assert_eq!(error.code(), "InvalidNetworkInsightsAnalysisId.NotFound");
}

#[test]
fn stored_records_load_back_the_same() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    let (a, b, _) = setup(&mut tx);
    let path = create_path(&mut tx, &scope(), path_request(&a, Some(&b))).unwrap();
    let analysis = start(&mut tx, &path.id, found(false)).unwrap();
    let changes = tx.finish();
    let records: Vec<(&str, Scope, &str, &str)> = changes
        .iter()
        .filter_map(|change| match change {
            Change::Put { kind, scope, id, body } => Some((*kind, scope.clone(), id.as_str(), body.as_str())),
            _ => None,
        })
        .collect();
    let loaded = World::load(records, []).unwrap();
    let region = loaded.region(&scope());
    assert_eq!(*region.network_insights_paths[path.id.as_str()], *path);
    assert_eq!(*region.network_insights_analyses[analysis.id.as_str()], *analysis);
}
