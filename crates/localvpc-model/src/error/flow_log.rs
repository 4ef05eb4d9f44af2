//! The refusals of the flow log actions (part 2 §18.1): one family of [`super::Ec2Error`]. Each variant's message
//! is its `#[error]` text; [`FlowLogError::code`] gives AWS's code (the HTTP status is 400 for all).

use thiserror::Error;

/// A flow log action's refusal; reaches the client as `Ec2Error::FlowLog`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FlowLogError {
    /// §18.1 [O LS]: `LogGroupName` together with `LogDestination`.
    #[error("Please only provide LogGroupName or only provide LogDestination.")]
    GroupAndDestination,
    /// §18.1 [O LS]: neither `LogGroupName` nor `LogDestination`.
    #[error("LogDestination can't be empty if LogGroupName is not provided.")]
    MissingDestination,
    /// §18.1 [O LS]: `LogGroupName` with a destination type other than CloudWatch Logs.
    #[error("LogDestination type must be cloud-watch-logs if LogGroupName is provided.")]
    GroupWithoutCloudWatch,
    /// §18.1: CloudWatch Logs needs the role that delivers to it. ASSUMPTION (text [I]).
    #[error("DeliverLogsPermissionArn can't be empty if LogDestinationType is cloud-watch-logs.")]
    MissingPermissionArn,
    /// §18.1 [D bc]: `ResourceType` is one of the documented kinds. ASSUMPTION (text [I]).
    #[error("Invalid value '{0}' for ResourceType. Valid values: VPC, Subnet, NetworkInterface, TransitGateway, TransitGatewayAttachment")]
    InvalidResourceType(String),
    /// §18.1 [D bc]: `TrafficType` is ACCEPT, REJECT or ALL. ASSUMPTION (text [I]).
    #[error("Invalid value '{0}' for TrafficType. Valid values: ACCEPT, REJECT, ALL")]
    InvalidTrafficType(String),
    /// §18.1 [D bc]: a VPC, subnet or interface flow log needs a `TrafficType`. ASSUMPTION (text [I]).
    #[error("TrafficType can't be empty if ResourceType is {0}.")]
    MissingTrafficType(String),
    /// §18.1 [D bc]: transit gateway flow logs take no `TrafficType`. ASSUMPTION (text [I]).
    #[error("TrafficType is not supported for ResourceType {0}.")]
    TrafficTypeNotSupported(String),
    /// §18.1 [D bc]: `LogDestinationType`. ASSUMPTION (text [I]).
    #[error("Invalid value '{0}' for LogDestinationType. Valid values: cloud-watch-logs, s3, kinesis-data-firehose")]
    InvalidDestinationType(String),
    /// §18.1 [D bc]: a destination ARN of the destination type's service. ASSUMPTION (text [I]).
    #[error("LogDestination: {0} is not a valid ARN for the LogDestinationType.")]
    InvalidDestination(String),
    /// §18.1 [D bc]: `MaxAggregationInterval` is 60 or 600 (transit gateway flow logs: 60). ASSUMPTION (text [I]).
    #[error("Invalid value '{0}' for MaxAggregationInterval. Valid values: 60, 600")]
    InvalidAggregationInterval(i64),
    /// §18.1 [D bc]: `LogFormat` names fields of §18.2's list. ASSUMPTION (text [I]).
    #[error("Unknown fields provided in LogFormat: {0}")]
    InvalidLogFormat(String),
    /// §18.1 [D bc]: `DestinationOptions` apply to S3 only; `FileFormat` is plain-text or parquet. ASSUMPTION (text
    /// [I]).
    #[error("Invalid DestinationOptions: {0}")]
    InvalidDestinationOptions(String),
    /// §18.1 [M; code D errs].
    #[error("Error. There is an existing Flow Log with the same configuration and log destination.")]
    AlreadyExists,
    /// §20 [D errs]: more flow logs on one resource than the quota, under `--quotas aws`. ASSUMPTION (text [I]).
    #[error("The maximum number of flow logs for the resource {0} has been reached.")]
    LimitExceeded(String),
    /// §18.1 [M; code D errs]: DeleteFlowLogs naming IDs that do not exist.
    #[error("These flow log ids in the input list are not found: [TotalCount: {}] {}", .0.len(), .0.join(" "))]
    NotFound(Vec<String>),
}

impl FlowLogError {
    /// AWS's error code.
    pub fn code(&self) -> &'static str {
        use FlowLogError::*;
        match self {
            GroupAndDestination
            | MissingDestination
            | GroupWithoutCloudWatch
            | MissingPermissionArn
            | MissingTrafficType(_)
            | TrafficTypeNotSupported(_)
            | InvalidDestination(_)
            | InvalidLogFormat(_)
            | InvalidDestinationOptions(_) => "InvalidParameter",
            InvalidResourceType(_)
            | InvalidTrafficType(_)
            | InvalidDestinationType(_)
            | InvalidAggregationInterval(_) => "InvalidParameterValue",
            AlreadyExists => "FlowLogAlreadyExists",
            LimitExceeded(_) => "FlowLogsLimitExceeded",
            NotFound(_) => "InvalidFlowLogId.NotFound",
        }
    }
}
