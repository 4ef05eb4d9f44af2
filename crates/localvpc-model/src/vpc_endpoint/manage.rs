//! CreateVpcEndpoint, ModifyVpcEndpoint and DeleteVpcEndpoints (part 2 §17.4–17.5). A gateway endpoint's whole
//! effect is its routes: `destinationPrefixListId=<service's list> → gatewayId=vpce-…` in each of its tables,
//! added and removed here and nowhere else (CreateRoute, ReplaceRoute and DeleteRoute refuse them). An interface
//! endpoint's interfaces are `vpc_endpoint/interface.rs`.

use std::sync::Arc;

use super::services::{self, EndpointService, EndpointType};
use super::{find, VpcEndpoint, DEFAULT_POLICY, MAX_POLICY_CHARS};
use crate::ids::IdKind;
use crate::route_table::{self, PrefixListRoute, RouteTable, RouteTarget};
use crate::tags::{self, Tags};
use crate::world::{Scope, Tx};
use crate::{vpc, Ec2Error, Result, VpcEndpointError};

/// CreateVpcEndpoint, decoded.
#[derive(Debug, Clone, Default)]
pub struct CreateVpcEndpoint {
    /// `VpcEndpointType` as sent.
    pub kind: Option<String>,
    /// `VpcId`.
    pub vpc_id: String,
    /// `ServiceName`.
    pub service_name: String,
    /// `PolicyDocument`.
    pub policy_document: Option<String>,
    /// `RouteTableId.N` (gateway).
    pub route_table_ids: Vec<String>,
    /// `SubnetId.N` (interface).
    pub subnet_ids: Vec<String>,
    /// `SecurityGroupId.N` (interface).
    pub security_group_ids: Vec<String>,
    /// `PrivateDnsEnabled` (interface).
    pub private_dns_enabled: Option<bool>,
    /// `ClientToken`.
    pub client_token: Option<String>,
    /// Tags from `TagSpecification` type `vpc-endpoint`.
    pub tags: Tags,
}

/// ModifyVpcEndpoint, decoded.
#[derive(Debug, Clone, Default)]
pub struct ModifyVpcEndpoint {
    /// `VpcEndpointId`.
    pub id: String,
    /// `PolicyDocument`.
    pub policy_document: Option<String>,
    /// `ResetPolicy`.
    pub reset_policy: bool,
    /// `AddRouteTableId.N`.
    pub add_route_table_ids: Vec<String>,
    /// `RemoveRouteTableId.N`.
    pub remove_route_table_ids: Vec<String>,
    /// `AddSubnetId.N`.
    pub add_subnet_ids: Vec<String>,
    /// `RemoveSubnetId.N`.
    pub remove_subnet_ids: Vec<String>,
    /// `AddSecurityGroupId.N`.
    pub add_security_group_ids: Vec<String>,
    /// `RemoveSecurityGroupId.N`.
    pub remove_security_group_ids: Vec<String>,
    /// `PrivateDnsEnabled`.
    pub private_dns_enabled: Option<bool>,
}

/// Part 2 §17.4 [D]: AWS's default when `VpcEndpointType` is omitted is `Gateway`.
fn endpoint_type(text: Option<&str>) -> Result<EndpointType> {
    match text {
        None | Some("Gateway") => Ok(EndpointType::Gateway),
        Some("Interface") => Ok(EndpointType::Interface),
        Some(other) => Err(VpcEndpointError::InvalidType(other.to_string()).into()),
    }
}

/// Part 2 §17.4 [D]: at most 20,480 characters. ASSUMPTION (§17.4: the service evaluates the policy, localvpc only
/// stores it): a policy must at least be a JSON object.
fn check_policy(policy: &str) -> Result<()> {
    if policy.chars().count() > MAX_POLICY_CHARS {
        return Err(VpcEndpointError::PolicyTooLong.into());
    }
    match serde_json::from_str::<serde_json::Value>(policy) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        _ => Err(VpcEndpointError::PolicyMalformed.into()),
    }
}

/// The service's prefix list in `scope`'s Region (every gateway service has one).
fn service_list(scope: &Scope, service: &EndpointService) -> String {
    services::prefix_list_id(&scope.region, service).expect("every gateway service has an AWS-managed prefix list")
}

/// Part 2 §17.4: adds the endpoint's route to `table_id` — a table of the endpoint's VPC holding no route to the
/// service's list yet (one endpoint route per service per table [D older UG]).
fn add_route(tx: &mut Tx, scope: &Scope, endpoint: &VpcEndpoint, prefix_list_id: &str, table_id: &str) -> Result<()> {
    let table = route_table::find(tx.region(scope), table_id)?;
    if table.vpc_id != endpoint.vpc_id {
        return Err(VpcEndpointError::OtherNetwork {
            route_table_id: table.id.clone(),
            vpc_id: endpoint.vpc_id.clone(),
        }
        .into());
    }
    if table.prefix_list_routes.iter().any(|route| route.prefix_list_id == prefix_list_id) {
        return Err(VpcEndpointError::RouteAlreadyExists {
            route_table_id: table.id.clone(),
            prefix_list_id: prefix_list_id.to_string(),
        }
        .into());
    }
    let route = PrefixListRoute {
        prefix_list_id: prefix_list_id.to_string(),
        target: RouteTarget::VpcEndpoint(endpoint.id.clone()),
        region: scope.region.clone(),
    };
    tx.update::<RouteTable>(scope, &table.id, |table| table.prefix_list_routes.push(route));
    Ok(())
}

/// Removes the endpoint's route from `table_id`. ASSUMPTION (§17.4 is silent): a table that holds no route of
/// this endpoint is left as it is; an unknown table is refused.
fn remove_route(tx: &mut Tx, scope: &Scope, endpoint_id: &str, table_id: &str) -> Result<()> {
    let table = route_table::find(tx.region(scope), table_id)?;
    let target = RouteTarget::VpcEndpoint(endpoint_id.to_string());
    tx.update::<RouteTable>(scope, &table.id, |table| table.prefix_list_routes.retain(|route| route.target != target));
    Ok(())
}

/// CreateVpcEndpoint (part 2 §17.4; interface endpoints §17.5).
pub fn create(tx: &mut Tx, scope: &Scope, request: CreateVpcEndpoint) -> Result<Arc<VpcEndpoint>> {
    if let Some(token) = &request.client_token {
        let region = tx.region(scope);
        let earlier = region.vpc_endpoints.values().find(|endpoint| {
            endpoint.client_token.as_deref() == Some(token.as_str()) && endpoint.vpc_id == request.vpc_id
        });
        if let Some(earlier) = earlier {
            return Ok(earlier.clone());
        }
    }
    let kind = endpoint_type(request.kind.as_deref())?;
    let vpc = vpc::find(tx.region(scope), &request.vpc_id)?;
    let service = services::find(&scope.region, &request.service_name)
        .ok_or_else(|| VpcEndpointError::InvalidServiceName(request.service_name.clone()))?;
    if service.kind != kind {
        return Err(VpcEndpointError::TypeNotSupported { service: service.name, kind: kind.as_str() }.into());
    }
    let policy = request.policy_document.clone().unwrap_or_else(|| DEFAULT_POLICY.to_string());
    check_policy(&policy)?;
    tags::validate(&request.tags.0)?;
    let endpoint = VpcEndpoint {
        id: String::new(),
        kind,
        vpc_id: vpc.id.clone(),
        service_name: service.name.clone(),
        policy_document: policy,
        created: tx.now(),
        subnet_ids: Vec::new(),
        group_ids: Vec::new(),
        network_interface_ids: Vec::new(),
        private_dns_enabled: false,
        client_token: request.client_token.clone(),
        tags: request.tags.clone(),
    };
    match kind {
        EndpointType::Gateway => create_gateway(tx, scope, &request, &service, endpoint),
        EndpointType::Interface => super::interface::create(tx, scope, &request, &vpc, endpoint),
    }
}

/// A gateway endpoint: its routes, within the Region's quota (§20 [D]: 20 gateway endpoints per Region).
fn create_gateway(
    tx: &mut Tx,
    scope: &Scope,
    request: &CreateVpcEndpoint,
    service: &EndpointService,
    mut endpoint: VpcEndpoint,
) -> Result<Arc<VpcEndpoint>> {
    for (parameter, given) in [
        ("SubnetId", !request.subnet_ids.is_empty()),
        ("SecurityGroupId", !request.security_group_ids.is_empty()),
        ("PrivateDnsEnabled", request.private_dns_enabled == Some(true)),
    ] {
        if given {
            return Err(VpcEndpointError::ParameterNotForType { parameter, kind: "Gateway" }.into());
        }
    }
    let existing = tx.region(scope).vpc_endpoints.values().filter(|e| e.kind == EndpointType::Gateway).count();
    crate::quotas::check(tx.quotas().gateway_endpoints_per_region, existing, 1, || {
        VpcEndpointError::LimitExceeded.into()
    })?;
    endpoint.id = tx.next_id(IdKind::VpcEndpoint);
    let prefix_list_id = service_list(scope, service);
    for table_id in dedup(&request.route_table_ids) {
        add_route(tx, scope, &endpoint, &prefix_list_id, &table_id)?;
    }
    let id = endpoint.id.clone();
    tx.put(scope, endpoint);
    Ok(tx.region(scope).vpc_endpoints[id.as_str()].clone())
}

/// The IDs once each, in the order first given.
pub(super) fn dedup(ids: &[String]) -> Vec<String> {
    let mut seen = Vec::new();
    for id in ids {
        if !seen.contains(id) {
            seen.push(id.clone());
        }
    }
    seen
}

/// ModifyVpcEndpoint (part 2 §17.4): the policy, and the route tables (gateway) or subnets and groups (interface).
pub fn modify(tx: &mut Tx, scope: &Scope, request: ModifyVpcEndpoint) -> Result<()> {
    let endpoint = find(tx.region(scope), &request.id)?;
    if request.reset_policy && request.policy_document.is_some() {
        return Err(Ec2Error::InvalidParameterCombination(
            "PolicyDocument and ResetPolicy cannot be specified together.".into(),
        ));
    }
    if let Some(policy) = &request.policy_document {
        check_policy(policy)?;
    }
    let policy = match (&request.policy_document, request.reset_policy) {
        (Some(policy), _) => Some(policy.clone()),
        (None, true) => Some(DEFAULT_POLICY.to_string()),
        (None, false) => None,
    };
    match endpoint.kind {
        EndpointType::Gateway => {
            for (parameter, given) in [
                ("AddSubnetId", !request.add_subnet_ids.is_empty()),
                ("RemoveSubnetId", !request.remove_subnet_ids.is_empty()),
                ("AddSecurityGroupId", !request.add_security_group_ids.is_empty()),
                ("RemoveSecurityGroupId", !request.remove_security_group_ids.is_empty()),
                ("PrivateDnsEnabled", request.private_dns_enabled.is_some()),
            ] {
                if given {
                    return Err(VpcEndpointError::ParameterNotForType { parameter, kind: "Gateway" }.into());
                }
            }
            let service = services::find(&scope.region, &endpoint.service_name)
                .ok_or_else(|| VpcEndpointError::InvalidServiceName(endpoint.service_name.clone()))?;
            let prefix_list_id = service_list(scope, &service);
            for table_id in dedup(&request.remove_route_table_ids) {
                remove_route(tx, scope, &endpoint.id, &table_id)?;
            }
            for table_id in dedup(&request.add_route_table_ids) {
                add_route(tx, scope, &endpoint, &prefix_list_id, &table_id)?;
            }
        }
        EndpointType::Interface => super::interface::modify(tx, scope, &endpoint, &request)?,
    }
    if let Some(policy) = policy {
        tx.update::<VpcEndpoint>(scope, &endpoint.id, |endpoint| endpoint.policy_document = policy);
    }
    Ok(())
}

/// DeleteVpcEndpoints (part 2 §17.4): each endpoint goes with its routes (gateway) or interfaces (interface); an
/// ID that fails is reported in `unsuccessful` with its error and the others still go [D bc].
pub fn delete(tx: &mut Tx, scope: &Scope, ids: &[String]) -> Vec<(String, Ec2Error)> {
    let mut unsuccessful = Vec::new();
    for id in ids {
        if let Err(error) = delete_one(tx, scope, id) {
            unsuccessful.push((id.clone(), error));
        }
    }
    unsuccessful
}

fn delete_one(tx: &mut Tx, scope: &Scope, id: &str) -> Result<()> {
    let endpoint = find(tx.region(scope), id)?;
    for table_id in super::route_table_ids(tx.region(scope), &endpoint.id) {
        remove_route(tx, scope, &endpoint.id, &table_id)?;
    }
    super::interface::release_interfaces(tx, scope, &endpoint);
    tx.remove::<VpcEndpoint>(scope, &endpoint.id);
    Ok(())
}
