//! Network Insights, the Reachability Analyzer of the EC2 API: paths to analyse (`nip-…`) and the analyses run on
//! them (`nia-…`), their filters, tags and rules.
//!
//! The model owns the *requests* and stores the *results*; it computes no reachability and does not depend on the
//! packet engine. `StartNetworkInsightsAnalysis` validates here, hands the path to a caller-supplied function that
//! runs the engine (`localvpc-api`), and stores what it returns as plain data ([`result::AnalysisResult`]), so a
//! Describe later — or after a restart — answers what the analysis found when it ran, as on AWS.
//!
//! What localvpc leaves out: sources and destinations other than instances, network interfaces and internet
//! gateways (transit gateways, VPC endpoints, peering connections and VPN gateways are refused at creation), and
//! resources of other accounts or regions (cross-account analyses need AWS Organizations).

pub mod result;

use std::net::Ipv4Addr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::tags::{Tag, Tags};
use crate::world::{RegionState, Resource, Scope, Table, Timestamp, Tx, World};
use crate::{instance, internet_gateway, network_interface, Ec2Error, Result};
pub use result::{AnalysisResult, PortRange};

/// The protocol of a path (`Protocol`: `tcp` | `udp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PathProtocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

impl PathProtocol {
    /// Reads `tcp` or `udp` in any case (the AWS documentation's own CLI example sends `TCP`).
    pub fn parse(value: &str) -> Result<PathProtocol> {
        match value.to_ascii_lowercase().as_str() {
            "tcp" => Ok(PathProtocol::Tcp),
            "udp" => Ok(PathProtocol::Udp),
            // ASSUMPTION (text [I]): the enum's values, in the usual InvalidParameterValue form.
            _ => Err(Ec2Error::InvalidParameterValue(format!(
                "Value ({value}) for parameter Protocol is invalid. Valid values are: tcp, udp."
            ))),
        }
    }

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PathProtocol::Tcp => "tcp",
            PathProtocol::Udp => "udp",
        }
    }
}

/// `PathFilter` (`FilterAtSource`, `FilterAtDestination`): the packet's header at one end of the path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathFilter {
    /// The source address.
    pub source_address: Option<Ipv4Addr>,
    /// The source ports.
    pub source_port_range: Option<PortRange>,
    /// The destination address.
    pub destination_address: Option<Ipv4Addr>,
    /// The destination ports.
    pub destination_port_range: Option<PortRange>,
}

impl PathFilter {
    fn check(&self, parameter: &str) -> Result<()> {
        for (name, range) in
            [("SourcePortRange", self.source_port_range), ("DestinationPortRange", self.destination_port_range)]
        {
            if let Some(range) = range {
                if !(0..=65535).contains(&range.from) || !(0..=65535).contains(&range.to) || range.from > range.to {
                    // ASSUMPTION (text [I]).
                    return Err(Ec2Error::InvalidParameterValue(format!(
                        "The port range {}-{} of {parameter}.{name} is invalid: ports are 0-65535, FromPort first.",
                        range.from, range.to
                    )));
                }
            }
        }
        Ok(())
    }
}

/// A path to analyse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkInsightsPath {
    /// `nip-…`.
    pub id: String,
    /// Its ARN.
    pub arn: String,
    /// Owning account.
    pub owner_id: String,
    /// `createdDate`.
    pub created: Timestamp,
    /// The source's ID (`i-…`, `eni-…`, `igw-…`).
    pub source: String,
    /// The source's ARN.
    pub source_arn: String,
    /// The destination's ID, if the path names one.
    pub destination: Option<String>,
    /// The destination's ARN.
    pub destination_arn: Option<String>,
    /// `SourceIp`.
    pub source_ip: Option<Ipv4Addr>,
    /// `DestinationIp`.
    pub destination_ip: Option<Ipv4Addr>,
    /// `Protocol`.
    pub protocol: PathProtocol,
    /// `DestinationPort`.
    pub destination_port: Option<u16>,
    /// `FilterAtSource`.
    pub filter_at_source: Option<PathFilter>,
    /// `FilterAtDestination`.
    pub filter_at_destination: Option<PathFilter>,
    /// The idempotency token of the creating request.
    pub client_token: Option<String>,
    /// Tags.
    pub tags: Tags,
}

impl NetworkInsightsPath {
    /// The destination address the path asks for: `DestinationIp`, else `FilterAtSource.DestinationAddress`.
    pub fn requested_destination_address(&self) -> Option<Ipv4Addr> {
        self.destination_ip.or(self.filter_at_source.as_ref().and_then(|filter| filter.destination_address))
    }

    /// The source address the path asks for: `SourceIp`, else `FilterAtSource.SourceAddress`.
    pub fn requested_source_address(&self) -> Option<Ipv4Addr> {
        self.source_ip.or(self.filter_at_source.as_ref().and_then(|filter| filter.source_address))
    }

    /// The destination ports to analyse: `DestinationPort`, else the intersection of the two filters' destination
    /// port ranges, else every port. `None` when the filters exclude each other.
    pub fn destination_ports(&self) -> Option<PortRange> {
        if let Some(port) = self.destination_port {
            return Some(PortRange { from: i32::from(port), to: i32::from(port) });
        }
        let mut range = PortRange { from: 0, to: 65535 };
        for filter in [&self.filter_at_source, &self.filter_at_destination].into_iter().flatten() {
            if let Some(limit) = filter.destination_port_range {
                range = PortRange { from: range.from.max(limit.from), to: range.to.min(limit.to) };
            }
        }
        (range.from <= range.to).then_some(range)
    }
}

/// The status of an analysis (`AnalysisStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnalysisStatus {
    /// Under way (what StartNetworkInsightsAnalysis answers).
    Running,
    /// Done.
    Succeeded,
    /// Could not run.
    Failed,
}

impl AnalysisStatus {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AnalysisStatus::Running => "running",
            AnalysisStatus::Succeeded => "succeeded",
            AnalysisStatus::Failed => "failed",
        }
    }
}

/// An analysis of a path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkInsightsAnalysis {
    /// `nia-…`.
    pub id: String,
    /// Its ARN.
    pub arn: String,
    /// The analysed path.
    pub path_id: String,
    /// `startDate`.
    pub start: Timestamp,
    /// `status`.
    pub status: AnalysisStatus,
    /// `FilterInArns`: resources the path must cross.
    pub filter_in_arns: Vec<String>,
    /// `FilterOutArns`: resources the path must not cross.
    pub filter_out_arns: Vec<String>,
    /// `AdditionalAccounts` (kept and shown; localvpc analyses only the caller's resources).
    pub additional_accounts: Vec<String>,
    /// What the analysis found (`None` while running).
    pub result: Option<AnalysisResult>,
    /// The idempotency token of the starting request.
    pub client_token: Option<String>,
    /// Tags.
    pub tags: Tags,
}

impl NetworkInsightsAnalysis {
    /// The analysis as StartNetworkInsightsAnalysis shows it: `running`, with no result yet (the computation is
    /// instant, so the first Describe already says `succeeded`; AWS's takes seconds to minutes).
    pub fn as_started(&self) -> NetworkInsightsAnalysis {
        NetworkInsightsAnalysis { status: AnalysisStatus::Running, result: None, ..self.clone() }
    }
}

impl Resource for NetworkInsightsPath {
    const KIND: &'static str = "network_insights_path";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.network_insights_paths
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.network_insights_paths
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
}

impl Resource for NetworkInsightsAnalysis {
    const KIND: &'static str = "network_insights_analysis";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.network_insights_analyses
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.network_insights_analyses
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
}

fn port_range_text(range: Option<PortRange>) -> Option<String> {
    range.map(|range| format!("{}-{}", range.from, range.to))
}

impl Filterable for NetworkInsightsPath {
    // The filter names of DescribeNetworkInsightsPaths' documentation.
    const FILTERS: &'static [&'static str] = &[
        "destination",
        "filter-at-source.source-address",
        "filter-at-source.source-port-range",
        "filter-at-source.destination-address",
        "filter-at-source.destination-port-range",
        "filter-at-destination.source-address",
        "filter-at-destination.source-port-range",
        "filter-at-destination.destination-address",
        "filter-at-destination.destination-port-range",
        "protocol",
        "source",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        // ASSUMPTION (format [I]): a port-range filter value is written `FROM-TO`.
        let (filter, field) = match name.split_once('.') {
            Some(("filter-at-source", field)) => (&self.filter_at_source, field),
            Some(("filter-at-destination", field)) => (&self.filter_at_destination, field),
            _ => {
                match name {
                    "destination" => out.extend(self.destination.iter().chain(&self.destination_arn).cloned()),
                    "source" => out.extend([self.source.clone(), self.source_arn.clone()]),
                    "protocol" => out.push(self.protocol.as_str().into()),
                    _ => {}
                }
                return;
            }
        };
        let Some(filter) = filter else { return };
        match field {
            "source-address" => out.extend(filter.source_address.map(|a| a.to_string())),
            "destination-address" => out.extend(filter.destination_address.map(|a| a.to_string())),
            "source-port-range" => out.extend(port_range_text(filter.source_port_range)),
            "destination-port-range" => out.extend(port_range_text(filter.destination_port_range)),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.tags)
    }
}

impl Filterable for NetworkInsightsAnalysis {
    const FILTERS: &'static [&'static str] = &["path-found", "status"];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        match name {
            "path-found" => out.extend(self.result.as_ref().map(|result| result.network_path_found.to_string())),
            "status" => out.push(self.status.as_str().into()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.tags)
    }
}

/// The ARN of a resource of `scope`: `arn:aws:ec2:<region>:<account>:<type>/<id>`.
pub fn arn(scope: &Scope, resource_type: &str, id: &str) -> String {
    format!("arn:aws:ec2:{}:{}:{resource_type}/{id}", scope.region, scope.account)
}

/// The ARN resource type of an ID, judged by its prefix (`i-` → `instance`, `pcx-` → `vpc-peering-connection`).
pub fn resource_type(id: &str) -> Option<&'static str> {
    Some(match IdKind::of(id)? {
        IdKind::Vpc => "vpc",
        IdKind::Subnet => "subnet",
        IdKind::InternetGateway => "internet-gateway",
        IdKind::RouteTable => "route-table",
        IdKind::NetworkAcl => "network-acl",
        IdKind::SecurityGroup => "security-group",
        IdKind::SecurityGroupRule => "security-group-rule",
        IdKind::VpcPeeringConnection => "vpc-peering-connection",
        IdKind::Instance => "instance",
        IdKind::NetworkInterface => "network-interface",
        IdKind::NatGateway => "natgateway",
        IdKind::TransitGateway => "transit-gateway",
        IdKind::TransitGatewayRouteTable => "transit-gateway-route-table",
        IdKind::TransitGatewayAttachment => "transit-gateway-attachment",
        IdKind::ElasticIpAllocation => "elastic-ip",
        IdKind::NetworkInsightsPath => "network-insights-path",
        IdKind::NetworkInsightsAnalysis => "network-insights-analysis",
        IdKind::VpcEndpoint => "vpc-endpoint",
        _ => return None,
    })
}

/// The resource ID inside an ARN (what follows the last `/`), if `text` is an EC2 ARN.
pub fn id_of_arn(text: &str) -> Option<&str> {
    let mut parts = text.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some("ec2"), Some(_region), Some(_account), Some(resource)) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    resource.rsplit_once('/').map(|(_, id)| id).filter(|id| !id.is_empty())
}

/// What CreateNetworkInsightsPath asks for, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatePath {
    /// `Source`: an ID or ARN.
    pub source: String,
    /// `Destination`: an ID or ARN.
    pub destination: Option<String>,
    /// `SourceIp`.
    pub source_ip: Option<Ipv4Addr>,
    /// `DestinationIp`.
    pub destination_ip: Option<Ipv4Addr>,
    /// `Protocol`.
    pub protocol: PathProtocol,
    /// `DestinationPort`.
    pub destination_port: Option<u16>,
    /// `FilterAtSource`.
    pub filter_at_source: Option<PathFilter>,
    /// `FilterAtDestination`.
    pub filter_at_destination: Option<PathFilter>,
    /// `ClientToken`.
    pub client_token: Option<String>,
    /// Tags of `TagSpecification`.
    pub tags: Vec<Tag>,
}

/// A source or destination named by ID or ARN: its ID and ARN, once it is known to exist in `scope`.
fn resolve_endpoint(region: &RegionState, scope: &Scope, given: &str, parameter: &str) -> Result<(String, String)> {
    let id = if given.starts_with("arn:") {
        let id = id_of_arn(given).ok_or_else(|| {
            Ec2Error::InvalidParameterValue(format!("Value ({given}) for parameter {parameter} is not a valid ARN."))
        })?;
        let own = format!("arn:aws:ec2:{}:{}:", scope.region, scope.account);
        if !given.starts_with(&own) {
            // ASSUMPTION (text [I]): cross-account and cross-region analyses need AWS Organizations; localvpc
            // analyses the caller's own resources only.
            return Err(Ec2Error::InvalidParameterValue(format!(
                "The resource {given} is not in account {} and region {}: localvpc analyses paths between \
                 resources of the calling account and region.",
                scope.account, scope.region
            )));
        }
        id
    } else {
        given
    };
    let kind = [IdKind::Instance, IdKind::NetworkInterface, IdKind::InternetGateway]
        .into_iter()
        .find(|kind| id.starts_with(&format!("{}-", kind.prefix())));
    match kind {
        Some(IdKind::Instance) => instance::find(region, id).map(|_| ()),
        Some(IdKind::NetworkInterface) => network_interface::find(region, id).map(|_| ()),
        Some(IdKind::InternetGateway) => internet_gateway::find(region, id).map(|_| ()),
        // ASSUMPTION (text [I]): AWS also accepts transit gateways, VPC endpoints, peering connections and VPN
        // gateways; localvpc models none of them as path ends.
        _ => Err(Ec2Error::InvalidParameterValue(format!(
            "Value ({given}) for parameter {parameter} is invalid: localvpc analyses paths from and to instances, \
             network interfaces and internet gateways."
        ))),
    }?;
    let resource_type = resource_type(id).expect("the three kinds have ARN types");
    Ok((id.to_string(), arn(scope, resource_type, id)))
}

/// CreateNetworkInsightsPath.
pub fn create_path(tx: &mut Tx, scope: &Scope, request: CreatePath) -> Result<Arc<NetworkInsightsPath>> {
    crate::tags::validate(&request.tags)?;
    let token = request.client_token.clone().filter(|token| !token.is_empty());
    if let Some(token) = &token {
        let region = tx.region(scope);
        if let Some(path) = region.network_insights_paths.values().find(|p| p.client_token.as_ref() == Some(token)) {
            return Ok(path.clone());
        }
    }
    // The API reference: with FilterAtSource, neither SourceIp nor DestinationPort; with FilterAtDestination, no
    // DestinationIp. ASSUMPTION (code and text [I]).
    if request.filter_at_source.is_some() && (request.source_ip.is_some() || request.destination_port.is_some()) {
        return Err(Ec2Error::InvalidParameterCombination(
            "FilterAtSource cannot be specified with SourceIp or DestinationPort.".into(),
        ));
    }
    if request.filter_at_destination.is_some() && request.destination_ip.is_some() {
        return Err(Ec2Error::InvalidParameterCombination(
            "FilterAtDestination cannot be specified with DestinationIp.".into(),
        ));
    }
    let filter_destination = request.filter_at_source.as_ref().and_then(|filter| filter.destination_address);
    if request.destination.is_none() && filter_destination.is_none() {
        return Err(Ec2Error::NetworkInsightsPathMissingDestination);
    }
    for (filter, parameter) in
        [(&request.filter_at_source, "FilterAtSource"), (&request.filter_at_destination, "FilterAtDestination")]
    {
        if let Some(filter) = filter {
            filter.check(parameter)?;
        }
    }
    let region = tx.region(scope);
    let (source, source_arn) = resolve_endpoint(region, scope, &request.source, "Source")?;
    let destination = match &request.destination {
        Some(given) => Some(resolve_endpoint(region, scope, given, "Destination")?),
        None => None,
    };
    let id = tx.next_id(IdKind::NetworkInsightsPath);
    let path = NetworkInsightsPath {
        arn: arn(scope, "network-insights-path", &id),
        id: id.clone(),
        owner_id: scope.account.clone(),
        created: tx.now(),
        source,
        source_arn,
        destination_arn: destination.as_ref().map(|(_, arn)| arn.clone()),
        destination: destination.map(|(id, _)| id),
        source_ip: request.source_ip,
        destination_ip: request.destination_ip,
        protocol: request.protocol,
        destination_port: request.destination_port,
        filter_at_source: request.filter_at_source,
        filter_at_destination: request.filter_at_destination,
        client_token: token,
        tags: Tags(request.tags),
    };
    tx.put(scope, path);
    Ok(tx.get(scope, &id).expect("just inserted"))
}

/// Looks a path up, checking the ID's shape first.
pub fn find_path(region: &RegionState, path_id: &str) -> Result<Arc<NetworkInsightsPath>> {
    IdKind::NetworkInsightsPath.check(path_id)?;
    region
        .network_insights_paths
        .get(path_id)
        .cloned()
        .ok_or_else(|| Ec2Error::NetworkInsightsPathNotFound(vec![path_id.to_string()]))
}

/// Looks an analysis up, checking the ID's shape first.
pub fn find_analysis(region: &RegionState, analysis_id: &str) -> Result<Arc<NetworkInsightsAnalysis>> {
    IdKind::NetworkInsightsAnalysis.check(analysis_id)?;
    region
        .network_insights_analyses
        .get(analysis_id)
        .cloned()
        .ok_or_else(|| Ec2Error::NetworkInsightsAnalysisNotFound(vec![analysis_id.to_string()]))
}

/// DeleteNetworkInsightsPath: refused while analyses of the path remain (AWS's user guide: "Before you can delete
/// the path, you must delete its analyses"; code and text [O: hashicorp/terraform-provider-aws#28330]).
pub fn delete_path(tx: &mut Tx, scope: &Scope, path_id: &str) -> Result<()> {
    let region = tx.region(scope);
    let path = find_path(region, path_id)?;
    let analyses: Vec<String> = region
        .network_insights_analyses
        .values()
        .filter(|analysis| analysis.path_id == path.id)
        .map(|analysis| analysis.id.clone())
        .collect();
    if !analyses.is_empty() {
        return Err(Ec2Error::AnalysisExistsForNetworkInsightsPath {
            path_id: path.id.clone(),
            analysis_ids: analyses,
        });
    }
    tx.remove::<NetworkInsightsPath>(scope, path_id);
    Ok(())
}

/// What StartNetworkInsightsAnalysis asks for, typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StartAnalysis {
    /// `NetworkInsightsPathId`.
    pub path_id: String,
    /// `FilterInArns`.
    pub filter_in_arns: Vec<String>,
    /// `FilterOutArns`.
    pub filter_out_arns: Vec<String>,
    /// `AdditionalAccounts`.
    pub additional_accounts: Vec<String>,
    /// `ClientToken`.
    pub client_token: Option<String>,
    /// Tags of `TagSpecification`.
    pub tags: Vec<Tag>,
}

/// StartNetworkInsightsAnalysis: validates, runs `analyse` on the world as it is and the path, and stores the
/// analysis with its result, `succeeded`. A repeated `ClientToken` returns the analysis it started.
pub fn start_analysis(
    tx: &mut Tx,
    scope: &Scope,
    request: StartAnalysis,
    analyse: impl FnOnce(&World, &NetworkInsightsPath) -> AnalysisResult,
) -> Result<Arc<NetworkInsightsAnalysis>> {
    crate::tags::validate(&request.tags)?;
    let token = request.client_token.clone().filter(|token| !token.is_empty());
    let region = tx.region(scope);
    if let Some(token) = &token {
        let mut analyses = region.network_insights_analyses.values();
        if let Some(analysis) = analyses.find(|analysis| analysis.client_token.as_ref() == Some(token)) {
            return Ok(analysis.clone());
        }
    }
    let path = find_path(region, &request.path_id)?;
    for arn in request.filter_in_arns.iter().chain(&request.filter_out_arns) {
        if id_of_arn(arn).is_none() {
            // ASSUMPTION (text [I]).
            return Err(Ec2Error::InvalidParameterValue(format!("The ARN '{arn}' is not a valid EC2 resource ARN.")));
        }
    }
    let result = analyse(tx.world(), &path);
    let id = tx.next_id(IdKind::NetworkInsightsAnalysis);
    let analysis = NetworkInsightsAnalysis {
        arn: arn(scope, "network-insights-analysis", &id),
        id: id.clone(),
        path_id: path.id.clone(),
        start: tx.now(),
        status: AnalysisStatus::Succeeded,
        filter_in_arns: request.filter_in_arns,
        filter_out_arns: request.filter_out_arns,
        additional_accounts: request.additional_accounts,
        result: Some(result),
        client_token: token,
        tags: Tags(request.tags),
    };
    tx.put(scope, analysis);
    Ok(tx.get(scope, &id).expect("just inserted"))
}

/// DeleteNetworkInsightsAnalysis.
pub fn delete_analysis(tx: &mut Tx, scope: &Scope, analysis_id: &str) -> Result<()> {
    find_analysis(tx.region(scope), analysis_id)?;
    tx.remove::<NetworkInsightsAnalysis>(scope, analysis_id);
    Ok(())
}

/// DescribeNetworkInsightsAnalyses' own selectors besides the filters: the path, and a window on the start date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnalysisWindow {
    /// `NetworkInsightsPathId`.
    pub path_id: Option<String>,
    /// `AnalysisStartTime`: started at or after.
    pub start: Option<Timestamp>,
    /// `AnalysisEndTime`: started at or before.
    pub end: Option<Timestamp>,
}

impl AnalysisWindow {
    /// Checks the path named (it must exist); the window itself needs no checking.
    pub fn check(&self, region: &RegionState) -> Result<()> {
        match &self.path_id {
            Some(path_id) => find_path(region, path_id).map(|_| ()),
            None => Ok(()),
        }
    }

    /// Whether the analysis is selected.
    pub fn contains(&self, analysis: &NetworkInsightsAnalysis) -> bool {
        self.path_id.as_ref().is_none_or(|path_id| *path_id == analysis.path_id)
            && self.start.is_none_or(|start| analysis.start >= start)
            && self.end.is_none_or(|end| analysis.start <= end)
    }
}

#[cfg(test)]
mod tests;
