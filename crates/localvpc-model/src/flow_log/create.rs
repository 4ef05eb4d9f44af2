//! CreateFlowLogs (part 2 §18.1): the request's checks, in the order AWS answers them, then one flow log per
//! resource — or, per resource, an `unsuccessful` item.

use super::{
    format, transit_resource_exists, CreateFlowLogs, Created, DestinationOptions, FlowLog, CLOUD_WATCH_LOGS,
    DEFAULT_AGGREGATION_INTERVAL, FIREHOSE, S3,
};
use crate::error::FlowLogError;
use crate::ids::IdKind;
use crate::tags::Tags;
use crate::world::{RegionState, Scope, Tx, World};
use crate::{Ec2Error, Result};

/// The kinds a flow log may watch, with the ID kind each takes (part 2 §18.1 [D bc]).
fn resource_kind(resource_type: &str) -> Option<IdKind> {
    match resource_type {
        "VPC" => Some(IdKind::Vpc),
        "Subnet" => Some(IdKind::Subnet),
        "NetworkInterface" => Some(IdKind::NetworkInterface),
        "TransitGateway" => Some(IdKind::TransitGateway),
        "TransitGatewayAttachment" => Some(IdKind::TransitGatewayAttachment),
        _ => None,
    }
}

fn is_transit(resource_type: &str) -> bool {
    resource_type.starts_with("TransitGateway")
}

/// The destination, checked (part 2 §18.1 [O LS]): (type, log group, destination ARN).
fn destination(request: &CreateFlowLogs) -> Result<(String, Option<String>, Option<String>)> {
    let kind = request.destination_type.clone().unwrap_or_else(|| CLOUD_WATCH_LOGS.to_string());
    if ![CLOUD_WATCH_LOGS, S3, FIREHOSE].contains(&kind.as_str()) {
        return Err(FlowLogError::InvalidDestinationType(kind).into());
    }
    let group = request.log_group_name.clone().filter(|name| !name.is_empty());
    let arn = request.log_destination.clone().filter(|arn| !arn.is_empty());
    match (&group, &arn) {
        (Some(_), Some(_)) => return Err(FlowLogError::GroupAndDestination.into()),
        (None, None) => return Err(FlowLogError::MissingDestination.into()),
        (Some(_), None) if kind != CLOUD_WATCH_LOGS => return Err(FlowLogError::GroupWithoutCloudWatch.into()),
        _ => {}
    }
    if kind == CLOUD_WATCH_LOGS && request.deliver_logs_permission_arn.as_deref().unwrap_or_default().is_empty() {
        return Err(FlowLogError::MissingPermissionArn.into());
    }
    // The ARN's service must be the destination's. ASSUMPTION (localvpc has no S3, CloudWatch Logs or Firehose):
    // any well-formed ARN of the right service is accepted — no bucket, log group or stream is checked.
    let service_prefix = match kind.as_str() {
        S3 => "arn:aws:s3:::",
        FIREHOSE => "arn:aws:firehose:",
        _ => "arn:aws:logs:",
    };
    if let Some(arn) = &arn {
        let rest = arn.strip_prefix(service_prefix).unwrap_or_default();
        if rest.is_empty() || rest.starts_with('/') {
            return Err(FlowLogError::InvalidDestination(arn.clone()).into());
        }
    }
    Ok((kind, group, arn))
}

/// `DestinationOptions` (S3 only, part 2 §18.1 [D bc, O LS]); an S3 flow log without them gets the defaults.
fn destination_options(request: &CreateFlowLogs, kind: &str) -> Result<Option<DestinationOptions>> {
    let given = request.file_format.is_some()
        || request.hive_compatible_partitions.is_some()
        || request.per_hour_partition.is_some();
    if kind != S3 {
        return match given {
            true => Err(FlowLogError::InvalidDestinationOptions("DestinationOptions apply to S3 only".into()).into()),
            false => Ok(None),
        };
    }
    let file_format = request.file_format.clone().unwrap_or_else(|| "plain-text".to_string());
    if !["plain-text", "parquet"].contains(&file_format.as_str()) {
        return Err(FlowLogError::InvalidDestinationOptions(format!("FileFormat {file_format}")).into());
    }
    Ok(Some(DestinationOptions {
        file_format,
        hive_compatible_partitions: request.hive_compatible_partitions.unwrap_or(false),
        per_hour_partition: request.per_hour_partition.unwrap_or(false),
    }))
}

/// Whether the resource exists for the caller; `Err` is the resource's own NotFound.
fn check_resource(world: &World, region: &RegionState, kind: IdKind, id: &str) -> Result<()> {
    kind.check(id)?;
    let exists = match kind {
        IdKind::Vpc => region.vpcs.contains_key(id),
        IdKind::Subnet => region.subnets.contains_key(id),
        IdKind::NetworkInterface => region.network_interfaces.contains_key(id),
        _ => transit_resource_exists(world, id),
    };
    if exists {
        return Ok(());
    }
    Err(match kind {
        IdKind::Vpc => Ec2Error::VpcNotFound(vec![id.to_string()]),
        IdKind::Subnet => Ec2Error::SubnetNotFound(vec![id.to_string()]),
        IdKind::NetworkInterface => Ec2Error::NetworkInterfaceNotFound(vec![id.to_string()]),
        IdKind::TransitGateway => crate::TransitGatewayError::TransitGatewayNotFound(id.to_string()).into(),
        _ => crate::TransitGatewayError::AttachmentNotFound { noun: "VPC", id: id.to_string() }.into(),
    })
}

/// CreateFlowLogs. The request's own errors refuse it; a resource that does not exist is an `unsuccessful` item
/// with that resource's NotFound code (ASSUMPTION, part 2 §18.1 [I]: the pattern of the missing-bucket answer
/// [O LS], a per-resource failure with HTTP 200). A `ClientToken` seen before answers the flow logs it made.
pub fn create(tx: &mut Tx, scope: &Scope, request: CreateFlowLogs) -> Result<Created> {
    if let Some(token) = request.client_token.as_deref().filter(|token| !token.is_empty()) {
        let region = tx.region(scope);
        let earlier: Vec<String> = region
            .flow_logs
            .values()
            .filter(|flow_log| flow_log.client_token.as_deref() == Some(token))
            .map(|flow_log| flow_log.id.clone())
            .collect();
        if !earlier.is_empty() {
            return Ok(Created { flow_log_ids: earlier, unsuccessful: Vec::new() });
        }
    }
    let kind = resource_kind(&request.resource_type)
        .ok_or_else(|| FlowLogError::InvalidResourceType(request.resource_type.clone()))?;
    if request.resource_ids.is_empty() {
        return Err(Ec2Error::MissingParameter("ResourceId".into()));
    }
    let transit = is_transit(&request.resource_type);
    let traffic_type = match (&request.traffic_type, transit) {
        (Some(_), true) => return Err(FlowLogError::TrafficTypeNotSupported(request.resource_type.clone()).into()),
        (None, true) => None,
        (None, false) => return Err(FlowLogError::MissingTrafficType(request.resource_type.clone()).into()),
        (Some(traffic), false) if ["ACCEPT", "REJECT", "ALL"].contains(&traffic.as_str()) => Some(traffic.clone()),
        (Some(traffic), false) => return Err(FlowLogError::InvalidTrafficType(traffic.clone()).into()),
    };
    let (destination_type, log_group_name, log_destination) = destination(&request)?;
    let destination_options = destination_options(&request, &destination_type)?;
    // Part 2 §18.1 [D bc]: 60 or 600 seconds; a transit gateway flow log always aggregates over 60.
    let max_aggregation_interval = match request.max_aggregation_interval {
        None if transit => 60,
        None => DEFAULT_AGGREGATION_INTERVAL,
        Some(60) => 60,
        Some(600) if !transit => 600,
        Some(other) => return Err(FlowLogError::InvalidAggregationInterval(other).into()),
    };
    let log_format = request.log_format.clone().unwrap_or_else(|| format::DEFAULT_FORMAT.to_string());
    format::parse(&log_format)?;
    crate::tags::validate(&request.tags)?;
    let mut created = Created::default();
    for resource_id in &request.resource_ids {
        let (world, region) = (tx.world(), tx.region(scope));
        if let Err(error) = check_resource(world, region, kind, resource_id) {
            created.unsuccessful.push((resource_id.clone(), error));
            continue;
        }
        let flow_log = FlowLog {
            id: String::new(),
            resource_id: resource_id.clone(),
            resource_type: request.resource_type.clone(),
            traffic_type: traffic_type.clone(),
            destination_type: destination_type.clone(),
            log_group_name: log_group_name.clone(),
            deliver_logs_permission_arn: request.deliver_logs_permission_arn.clone(),
            log_destination: log_destination.clone(),
            log_format: log_format.clone(),
            max_aggregation_interval,
            destination_options: destination_options.clone(),
            client_token: request.client_token.clone(),
            created: tx.now(),
            tags: Tags(request.tags.clone()),
        };
        // Part 2 §18.1 [M]: the same resource, configuration and destination twice.
        let same = region.flow_logs.values().any(|existing| {
            existing.is_live(region)
                && existing.resource_id == flow_log.resource_id
                && existing.traffic_type == flow_log.traffic_type
                && existing.destination_type == flow_log.destination_type
                && existing.destination_text() == flow_log.destination_text()
                && existing.log_format == flow_log.log_format
                && existing.max_aggregation_interval == flow_log.max_aggregation_interval
        });
        if same {
            return Err(FlowLogError::AlreadyExists.into());
        }
        let on_resource = region
            .flow_logs
            .values()
            .filter(|existing| existing.resource_id == flow_log.resource_id && existing.is_live(region))
            .count();
        crate::quotas::check(tx.quotas().flow_logs_per_resource, on_resource, 1, || {
            FlowLogError::LimitExceeded(resource_id.clone()).into()
        })?;
        let flow_log = FlowLog { id: tx.next_id(IdKind::FlowLog), ..flow_log };
        created.flow_log_ids.push(flow_log.id.clone());
        tx.put(scope, flow_log);
    }
    Ok(created)
}
