//! The AWS services a Region offers VPC endpoints for (part 2 §17.4–17.5): data, not stored, like the AWS-managed
//! prefix lists they build on. DescribeVpcEndpointServices lists them and CreateVpcEndpoint accepts only them; this
//! is the one place that says which services exist and of which endpoint type.

use crate::availability_zone;
use crate::prefix_list::aws_managed;

/// `VpcEndpointType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EndpointType {
    /// A route-table target for S3 and DynamoDB (§17.4).
    Gateway,
    /// Requester-managed interfaces in the VPC's subnets (§17.5).
    Interface,
}

impl EndpointType {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointType::Gateway => "Gateway",
            EndpointType::Interface => "Interface",
        }
    }
}

/// Part 2 §17.4 [D]: the gateway endpoint services, each with an AWS-managed prefix list of the same name.
const GATEWAY_SERVICES: [&str; 2] = ["s3", "dynamodb"];

/// Part 2 §17.5 (the list is brief there). ASSUMPTION: the interface endpoint services localvpc offers — a few of
/// the most used; AWS offers S3 and DynamoDB as interface endpoints too, which localvpc does not model.
const INTERFACE_SERVICES: [&str; 5] = ["ec2", "execute-api", "secretsmanager", "ssm", "sts"];

/// A service of the Region, as DescribeVpcEndpointServices shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointService {
    /// `com.amazonaws.<region>.<service>`.
    pub name: String,
    /// The last part of the name (`s3`).
    pub short_name: &'static str,
    /// `serviceType`.
    pub kind: EndpointType,
    /// `serviceId`: `vpce-svc-` and 17 hex digits. ASSUMPTION (not in the spec): a stable hash of the name.
    pub id: String,
    /// `availabilityZoneSet`: every zone of the Region.
    pub zones: Vec<String>,
    /// `baseEndpointDnsNameSet`: the service's public name (`s3.<region>.amazonaws.com`). ASSUMPTION (§17.5 gives
    /// the interface form `<service>.<region>.vpce.amazonaws.com` for the endpoint-specific names).
    pub base_dns_name: String,
    /// `privateDnsName` (interface services): the public name private DNS answers inside the VPC.
    pub private_dns_name: Option<String>,
}

/// The Region's services, by name then type.
pub fn services(region: &str) -> Vec<EndpointService> {
    let zones: Vec<String> = availability_zone::zones(region).into_iter().map(|zone| zone.name).collect();
    let make = |short_name: &'static str, kind: EndpointType| {
        let name = format!("com.amazonaws.{region}.{short_name}");
        let hash = name
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3));
        let public_name = format!("{short_name}.{region}.amazonaws.com");
        EndpointService {
            id: format!("vpce-svc-{hash:017x}"),
            name,
            short_name,
            kind,
            zones: zones.clone(),
            private_dns_name: (kind == EndpointType::Interface).then(|| public_name.clone()),
            base_dns_name: match kind {
                EndpointType::Gateway => public_name,
                EndpointType::Interface => format!("{short_name}.{region}.vpce.amazonaws.com"),
            },
        }
    };
    let mut all: Vec<EndpointService> = GATEWAY_SERVICES
        .iter()
        .map(|short| make(short, EndpointType::Gateway))
        .chain(INTERFACE_SERVICES.iter().map(|short| make(short, EndpointType::Interface)))
        .collect();
    all.sort_by(|a, b| a.name.cmp(&b.name));
    all
}

/// The Region's service with this name, if there is one.
pub fn find(region: &str, name: &str) -> Option<EndpointService> {
    services(region).into_iter().find(|service| service.name == name)
}

/// The AWS-managed prefix list a gateway service's routes go to (its list has the service's name).
pub fn prefix_list_id(region: &str, service: &EndpointService) -> Option<String> {
    aws_managed::lists(region).into_iter().find(|list| list.name == service.name).map(|list| list.id)
}
