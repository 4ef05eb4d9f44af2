//! VPC flow log actions (part 2 §18.1): Create, Describe, Delete. The records a flow log receives are the JSON
//! API's (`crate::flow_records`).

use localvpc_model::flow_log::{self, CreateFlowLogs, FlowLog};
use localvpc_model::{Ec2Error, Tx, World};

use super::Ctx;
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

/// `<item>` of `flowLogSet` (botocore `FlowLog`); part 2 §18.1 [D bc, O LS]: delivery always succeeds here (the
/// records are written locally), so `deliverLogsStatus` is `SUCCESS` and `flowLogStatus` `ACTIVE`.
fn render_flow_log(x: &mut Xml, flow_log: &FlowLog) {
    x.text("creationTime", &flow_log.created.to_iso8601())
        .text("deliverLogsStatus", "SUCCESS")
        .optional("deliverLogsPermissionArn", flow_log.deliver_logs_permission_arn.as_deref())
        .text("flowLogId", &flow_log.id)
        .text("flowLogStatus", "ACTIVE")
        .optional("logGroupName", flow_log.log_group_name.as_deref())
        .text("resourceId", &flow_log.resource_id)
        .optional("trafficType", flow_log.traffic_type.as_deref())
        .text("logDestinationType", &flow_log.destination_type)
        .optional("logDestination", flow_log.log_destination.as_deref())
        .text("logFormat", &flow_log.log_format)
        .tag_set(&flow_log.tags)
        .value("maxAggregationInterval", flow_log.max_aggregation_interval);
    if let Some(options) = &flow_log.destination_options {
        x.nested("destinationOptions", |x| {
            x.text("fileFormat", &options.file_format)
                .value("hiveCompatiblePartitions", options.hive_compatible_partitions)
                .value("perHourPartition", options.per_hour_partition);
        });
    }
}

fn unsuccessful(x: &mut Xml, items: &[(String, Ec2Error)]) {
    x.list("unsuccessful", items, |x, (resource_id, error)| {
        x.nested("error", |x| {
            x.text("code", error.code()).text("message", &error.to_string());
        })
        .text("resourceId", resource_id);
    });
}

pub(crate) fn create_flow_logs(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let text = |name: &str| params.get(name).map(str::to_string);
    let request = CreateFlowLogs {
        resource_type: params.required("ResourceType")?.to_string(),
        resource_ids: params.list("ResourceId")?,
        traffic_type: text("TrafficType"),
        destination_type: text("LogDestinationType"),
        log_group_name: text("LogGroupName"),
        deliver_logs_permission_arn: text("DeliverLogsPermissionArn"),
        log_destination: text("LogDestination"),
        log_format: text("LogFormat"),
        max_aggregation_interval: params.int("MaxAggregationInterval")?,
        file_format: text("DestinationOptions.FileFormat"),
        hive_compatible_partitions: params.bool("DestinationOptions.HiveCompatiblePartitions")?,
        per_hour_partition: params.bool("DestinationOptions.PerHourPartition")?,
        tags: params.tag_specifications("vpc-flow-log")?,
        client_token: text("ClientToken"),
    };
    let client_token = request.client_token.clone();
    let created = flow_log::create(tx, &ctx.scope, request)?;
    x.optional("clientToken", client_token.as_deref()).string_list("flowLogIdSet", &created.flow_log_ids);
    unsuccessful(x, &created.unsuccessful);
    Ok(())
}

pub(crate) fn describe_flow_logs(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let page = params.page(5, 1000)?;
    let ids = params.list("FlowLogId")?;
    let found = flow_log::describe(world.region(&ctx.scope), &ids, &params.filters()?, &page)?;
    x.list("flowLogSet", &found.items, |x, flow_log| render_flow_log(x, flow_log));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn delete_flow_logs(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    flow_log::delete(tx, &ctx.scope, &params.list("FlowLogId")?)?;
    unsuccessful(x, &[]);
    Ok(())
}
