//! VPC flow logs (part 2 §18.1): the control plane — CreateFlowLogs with every validation, DescribeFlowLogs,
//! DeleteFlowLogs — and which flow logs cover an interface ([`covering`]), the rule the API applies to every probe
//! it records. The record format is [`format`]; what a probe logs at which interface is the engine's
//! (`localvpc_engine::flow_log`).
//!
//! ASSUMPTION (part 2 §18.1 is silent): a flow log of a VPC, subnet or interface that is deleted goes with it. It is
//! not removed from the table (DeleteVpc and friends stay untouched); it is simply no longer listed, deletable or
//! recording — [`FlowLog::is_live`] is read from the current state.

pub mod format;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::FlowLogError;
use crate::filter::{Filter, Filterable, Page, PageRequest};
use crate::ids::IdKind;
use crate::tags::{Tag, Tags};
use crate::world::{RegionState, Resource, Scope, Table, Timestamp, Tx, World};
use crate::{Ec2Error, Result};

/// `LogDestinationType` values (part 2 §18.1 [D bc]).
pub const CLOUD_WATCH_LOGS: &str = "cloud-watch-logs";
/// S3.
pub const S3: &str = "s3";
/// Kinesis Data Firehose.
pub const FIREHOSE: &str = "kinesis-data-firehose";
/// Part 2 §18.1 [D bc]: the aggregation interval when the request names none.
pub const DEFAULT_AGGREGATION_INTERVAL: u32 = 600;

/// S3 `DestinationOptions` (part 2 §18.1 [O LS]: a real S3 flow log lists them with these defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationOptions {
    /// `plain-text` or `parquet`.
    pub file_format: String,
    /// Hive-compatible S3 prefixes.
    pub hive_compatible_partitions: bool,
    /// Hourly partitions.
    pub per_hour_partition: bool,
}

/// A flow log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowLog {
    /// `fl-…`.
    pub id: String,
    /// The resource logged (`vpc-…`, `subnet-…`, `eni-…`, `tgw-…`, `tgw-attach-…`).
    pub resource_id: String,
    /// `ResourceType` as sent (`VPC`, `Subnet`, …).
    pub resource_type: String,
    /// `ACCEPT`, `REJECT` or `ALL`; none for transit gateway flow logs.
    pub traffic_type: Option<String>,
    /// `LogDestinationType`.
    pub destination_type: String,
    /// `LogGroupName` (CloudWatch Logs).
    pub log_group_name: Option<String>,
    /// `DeliverLogsPermissionArn`.
    pub deliver_logs_permission_arn: Option<String>,
    /// `LogDestination` (an ARN).
    pub log_destination: Option<String>,
    /// `LogFormat` (the default string when the request named none).
    pub log_format: String,
    /// 60 or 600 seconds.
    pub max_aggregation_interval: u32,
    /// S3 options.
    pub destination_options: Option<DestinationOptions>,
    /// `ClientToken` of the request that made it.
    pub client_token: Option<String>,
    /// Creation time.
    pub created: Timestamp,
    /// Tags.
    pub tags: Tags,
}

impl FlowLog {
    /// Whether the resource it logs still exists (see the module doc). ASSUMPTION: transit gateway flow logs stay
    /// (the gateway spans accounts and nothing records for it).
    pub fn is_live(&self, region: &RegionState) -> bool {
        match self.resource_type.as_str() {
            "VPC" => region.vpcs.contains_key(self.resource_id.as_str()),
            "Subnet" => region.subnets.contains_key(self.resource_id.as_str()),
            "NetworkInterface" => region.network_interfaces.contains_key(self.resource_id.as_str()),
            _ => true,
        }
    }

    /// Whether a record with `action` is captured (`TrafficType`).
    pub fn captures(&self, action: format::Action) -> bool {
        match self.traffic_type.as_deref() {
            Some("ACCEPT") => action == format::Action::Accept,
            Some("REJECT") => action == format::Action::Reject,
            _ => true,
        }
    }

    /// The destination's name for `logDestination`-less answers: the log group for CloudWatch Logs.
    pub fn destination_text(&self) -> &str {
        self.log_destination.as_deref().or(self.log_group_name.as_deref()).unwrap_or_default()
    }
}

impl Resource for FlowLog {
    const KIND: &'static str = "flow_log";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.flow_logs
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.flow_logs
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
}

impl Filterable for FlowLog {
    const FILTERS: &'static [&'static str] =
        &["deliver-log-status", "log-destination-type", "flow-log-id", "log-group-name", "resource-id", "traffic-type"];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        match name {
            "deliver-log-status" => out.push("SUCCESS".into()),
            "log-destination-type" => out.push(self.destination_type.clone()),
            "flow-log-id" => out.push(self.id.clone()),
            "log-group-name" => out.extend(self.log_group_name.clone()),
            "resource-id" => out.push(self.resource_id.clone()),
            "traffic-type" => out.extend(self.traffic_type.clone()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.tags)
    }
}

/// DescribeFlowLogs: the live flow logs named (ASSUMPTION, part 2 §18.1 [I]: an ID that does not exist is no
/// error — the answer just leaves it out, as for a filter) that pass the filters, in ID order, one page at a time.
pub fn describe(
    region: &RegionState,
    ids: &[String],
    filters: &[Filter],
    page: &PageRequest,
) -> Result<Page<Arc<FlowLog>>> {
    crate::filter::validate::<FlowLog>(filters)?;
    for id in ids {
        IdKind::FlowLog.check(id)?;
    }
    crate::filter::paginate(&region.flow_logs, page, |flow_log| {
        (ids.is_empty() || ids.contains(&flow_log.id))
            && flow_log.is_live(region)
            && crate::filter::matches(flow_log, filters)
    })
}

/// The live flow logs that cover `interface_id` of `subnet_id` in `vpc_id` (part 2 §18.3 [D]: a VPC or subnet flow
/// log covers every interface in it, those created later too).
pub fn covering(region: &RegionState, interface_id: &str, subnet_id: &str, vpc_id: &str) -> Vec<Arc<FlowLog>> {
    region
        .flow_logs
        .values()
        .filter(|flow_log| [interface_id, subnet_id, vpc_id].contains(&flow_log.resource_id.as_str()))
        .filter(|flow_log| flow_log.is_live(region))
        .cloned()
        .collect()
}

/// A CreateFlowLogs request, as sent.
#[derive(Debug, Clone, Default)]
pub struct CreateFlowLogs {
    /// `ResourceType`.
    pub resource_type: String,
    /// `ResourceId.N`.
    pub resource_ids: Vec<String>,
    /// `TrafficType`.
    pub traffic_type: Option<String>,
    /// `LogDestinationType`.
    pub destination_type: Option<String>,
    /// `LogGroupName`.
    pub log_group_name: Option<String>,
    /// `DeliverLogsPermissionArn`.
    pub deliver_logs_permission_arn: Option<String>,
    /// `LogDestination`.
    pub log_destination: Option<String>,
    /// `LogFormat`.
    pub log_format: Option<String>,
    /// `MaxAggregationInterval`.
    pub max_aggregation_interval: Option<i64>,
    /// `DestinationOptions.FileFormat`.
    pub file_format: Option<String>,
    /// `DestinationOptions.HiveCompatiblePartitions`.
    pub hive_compatible_partitions: Option<bool>,
    /// `DestinationOptions.PerHourPartition`.
    pub per_hour_partition: Option<bool>,
    /// `TagSpecification.N` of type `vpc-flow-log`.
    pub tags: Vec<Tag>,
    /// `ClientToken`.
    pub client_token: Option<String>,
}

/// What CreateFlowLogs answers: the flow logs made and, per resource, why one was not (HTTP 200 either way).
#[derive(Debug, Clone, Default)]
pub struct Created {
    /// `flowLogIdSet`.
    pub flow_log_ids: Vec<String>,
    /// `unsuccessful`: resource ID and the refusal.
    pub unsuccessful: Vec<(String, Ec2Error)>,
}

mod create;

pub use create::create;

/// DeleteFlowLogs (part 2 §18.1): every ID must name a live flow log of the caller, else nothing is deleted
/// (`InvalidFlowLogId.NotFound` naming the missing ones [M]). Deleting stops new records only [D].
pub fn delete(tx: &mut Tx, scope: &Scope, ids: &[String]) -> Result<()> {
    if ids.is_empty() {
        return Err(Ec2Error::MissingParameter("FlowLogId".into()));
    }
    for id in ids {
        IdKind::FlowLog.check(id)?;
    }
    let region = tx.region(scope);
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !region.flow_logs.get(id.as_str()).is_some_and(|flow_log| flow_log.is_live(region)))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(FlowLogError::NotFound(missing).into());
    }
    for id in ids {
        tx.remove::<FlowLog>(scope, id);
    }
    Ok(())
}

/// Whether `world` holds the transit gateway or attachment `id` in any scope (a flow log's resource check).
fn transit_resource_exists(world: &World, id: &str) -> bool {
    use crate::transit_gateway::attachment::TransitGatewayAttachment;
    use crate::transit_gateway::TransitGateway;
    world.spanning::<TransitGateway>().contains_key(id) || world.spanning::<TransitGatewayAttachment>().contains_key(id)
}
