//! VPC endpoints (part 2 §17.4–17.5): gateway endpoints, which add a route to their service's AWS-managed prefix
//! list in each of their route tables, and interface endpoints, which hold a requester-managed interface per
//! subnet. The services a Region offers are [`services`]; Create, Modify and Delete are [`manage`].
//!
//! An endpoint's route tables are not stored on it: they are the tables holding a route whose target is the
//! endpoint (`route_table/prefix_list_routes.rs`), so DeleteRouteTable takes the table out of the endpoint's list
//! with nothing to keep in step.

pub mod interface;
pub mod manage;
pub mod services;

pub use manage::{create, delete, modify, CreateVpcEndpoint, ModifyVpcEndpoint};
pub use services::{EndpointService, EndpointType};

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::filter::{self, Filter, Filterable, Page, PageRequest};
use crate::ids::IdKind;
use crate::route_table::RouteTarget;
use crate::tags::Tags;
use crate::world::{RegionState, Resource, Scope, Table, Timestamp};
use crate::{Result, VpcEndpointError};

/// Part 2 §17.4 [O aws-cli example, recorded outputs]: the policy an endpoint gets when the request names none.
pub const DEFAULT_POLICY: &str =
    r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

/// Part 2 §17.4 / §20 [D]: the longest endpoint policy.
pub const MAX_POLICY_CHARS: usize = 20_480;

/// A VPC endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcEndpoint {
    /// `vpce-…`.
    pub id: String,
    /// `vpcEndpointType`.
    pub kind: EndpointType,
    /// `vpcId`.
    pub vpc_id: String,
    /// `serviceName` (`com.amazonaws.<region>.s3`).
    pub service_name: String,
    /// `policyDocument`.
    pub policy_document: String,
    /// `creationTimestamp`.
    pub created: Timestamp,
    /// Interface endpoints: `subnetIdSet`, one per zone, in the order given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnet_ids: Vec<String>,
    /// Interface endpoints: `groupSet`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_ids: Vec<String>,
    /// Interface endpoints: `networkInterfaceIdSet`, one per subnet, in the subnets' order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network_interface_ids: Vec<String>,
    /// `privateDnsEnabled` (interface endpoints only; always false for a gateway endpoint).
    #[serde(default)]
    pub private_dns_enabled: bool,
    /// `ClientToken` of the Create call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// Tags.
    pub tags: Tags,
}

impl Resource for VpcEndpoint {
    const KIND: &'static str = "vpc_endpoint";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.vpc_endpoints
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.vpc_endpoints
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
}

/// Looks an endpoint up by ID, checking its shape first.
pub fn find(region: &RegionState, id: &str) -> Result<Arc<VpcEndpoint>> {
    IdKind::VpcEndpoint.check(id)?;
    region.vpc_endpoints.get(id).cloned().ok_or_else(|| VpcEndpointError::NotFound(id.to_string()).into())
}

/// `routeTableIdSet`: the tables holding the endpoint's route, by ID.
pub fn route_table_ids(region: &RegionState, endpoint_id: &str) -> Vec<String> {
    let target = RouteTarget::VpcEndpoint(endpoint_id.to_string());
    region
        .route_tables
        .values()
        .filter(|table| table.prefix_list_routes.iter().any(|route| route.target == target))
        .map(|table| table.id.clone())
        .collect()
}

/// Whether a VPC still has endpoints (DeleteVpc's dependency check).
pub fn vpc_has_endpoints(region: &RegionState, vpc_id: &str) -> bool {
    region.vpc_endpoints.values().any(|endpoint| endpoint.vpc_id == vpc_id)
}

/// An endpoint with its Region's name, for the filters that need it.
pub struct VpcEndpointView<'a> {
    /// The endpoint.
    pub endpoint: &'a VpcEndpoint,
    /// The caller's Region.
    pub region: &'a str,
}

impl Filterable for VpcEndpointView<'_> {
    // Part 2 §17.4 [D bc].
    const FILTERS: &'static [&'static str] = &[
        "ip-address-type",
        "service-name",
        "service-region",
        "vpc-id",
        "vpc-endpoint-id",
        "vpc-endpoint-state",
        "vpc-endpoint-type",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let endpoint = self.endpoint;
        match name {
            "ip-address-type" => out.push("ipv4".into()),
            "service-name" => out.push(endpoint.service_name.clone()),
            "service-region" => out.push(self.region.to_string()),
            "vpc-id" => out.push(endpoint.vpc_id.clone()),
            "vpc-endpoint-id" => out.push(endpoint.id.clone()),
            "vpc-endpoint-state" => out.push("available".into()),
            "vpc-endpoint-type" => out.push(endpoint.kind.as_str().into()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.endpoint.tags)
    }
}

/// DescribeVpcEndpoints: the scope's endpoints by ID; every ID asked for must exist.
pub fn describe(
    region: &RegionState,
    scope: &Scope,
    ids: &[String],
    filters: &[Filter],
    page: &PageRequest,
) -> Result<Page<Arc<VpcEndpoint>>> {
    filter::validate::<VpcEndpointView>(filters)?;
    for id in ids {
        find(region, id)?;
    }
    filter::paginate(&region.vpc_endpoints, page, |endpoint| {
        (ids.is_empty() || ids.contains(&endpoint.id))
            && filter::matches(&VpcEndpointView { endpoint, region: &scope.region }, filters)
    })
}

impl Filterable for EndpointService {
    // botocore's DescribeVpcEndpointServices filters.
    const FILTERS: &'static [&'static str] = &["owner", "service-name", "service-region", "service-type"];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        match name {
            "owner" => out.push("amazon".into()),
            "service-name" => out.push(self.name.clone()),
            "service-region" => out.push(self.name.split('.').nth(2).unwrap_or_default().to_string()),
            "service-type" => out.push(self.kind.as_str().into()),
            _ => {}
        }
    }
}

/// DescribeVpcEndpointServices: the Region's services by name, in name order, a page at a time; an unknown name is
/// refused.
pub fn describe_services(
    scope: &Scope,
    names: &[String],
    filters: &[Filter],
    page: &PageRequest,
) -> Result<Page<EndpointService>> {
    filter::validate::<EndpointService>(filters)?;
    for name in names {
        if services::find(&scope.region, name).is_none() {
            return Err(VpcEndpointError::InvalidServiceName(name.clone()).into());
        }
    }
    let found = services::services(&scope.region)
        .into_iter()
        .filter(|service| (names.is_empty() || names.contains(&service.name)) && filter::matches(service, filters))
        .collect();
    filter::paginate_by_key(found, page, |service| service.name.as_str())
}
