//! VPC endpoints in the compiled topology (part 2 §17.4–17.5): each gateway endpoint with its VPC and the blocks of
//! its service's prefix list, so the walk can hand a packet to the service privately and bring the answer back; an
//! interface endpoint is its interfaces, which `add_interfaces` compiles as hosts answering on
//! [`INTERFACE_ENDPOINT_PORTS`].

use std::net::Ipv4Addr;

use ipnet::{IpNet, Ipv4Net};
use localvpc_model::prefix_list::aws_managed;
use localvpc_model::vpc_endpoint::{interface, services, EndpointType};
use localvpc_model::{RegionState, Scope};

use super::{Topology, VpcIx};

/// Index of a gateway endpoint in [`Topology::gateway_endpoints`].
pub type EndpointIx = usize;

/// ASSUMPTION (part 2 §17.4 says only "TCP"): the ports an AWS service answers on, through a gateway endpoint or
/// from the internet alike — HTTPS and HTTP; any other TCP port is refused.
pub const SERVICE_PORTS: &[u16] = &[443, 80];

/// ASSUMPTION (part 2 §17.5: "traffic is normal ENI traffic"): an interface endpoint's interfaces answer HTTPS only.
pub const INTERFACE_ENDPOINT_PORTS: &[u16] = &[443];

/// A gateway VPC endpoint.
#[derive(Debug, Clone)]
pub struct GatewayEndpointNode {
    /// `vpce-…`.
    pub id: String,
    /// Its VPC.
    pub vpc: VpcIx,
    /// `com.amazonaws.<region>.s3`.
    pub service: String,
    /// The blocks of the service's prefix list: what it delivers to.
    pub blocks: Vec<Ipv4Net>,
}

impl Topology {
    /// Adds the region's gateway endpoints; after its VPCs.
    pub(super) fn add_vpc_endpoints(&mut self, scope: &Scope, region: &RegionState) {
        let lists = aws_managed::lists(&scope.region);
        for endpoint in region.vpc_endpoints.values().filter(|endpoint| endpoint.kind == EndpointType::Gateway) {
            let Some(vpc) = self.vpc(scope, &endpoint.vpc_id) else { continue };
            let blocks = lists
                .iter()
                .filter(|list| list.name == endpoint.service_name)
                .flat_map(|list| &list.cidrs)
                .filter_map(|cidr| match cidr.parse::<IpNet>() {
                    Ok(IpNet::V4(block)) => Some(block),
                    _ => None,
                })
                .collect();
            self.gateway_endpoint_by_id.insert(endpoint.id.clone(), self.gateway_endpoints.len());
            self.gateway_endpoints.push(GatewayEndpointNode {
                id: endpoint.id.clone(),
                vpc,
                service: endpoint.service_name.clone(),
                blocks,
            });
        }
    }

    /// The gateway endpoint with this ID.
    pub fn gateway_endpoint(&self, id: &str) -> Option<EndpointIx> {
        self.gateway_endpoint_by_id.get(id).copied()
    }
}

impl Topology {
    /// Part 2 §17.5: the names of the region's interface endpoints and the addresses of their interfaces — the
    /// endpoint-specific names (answered everywhere) and, with private DNS, the service's public name (answered
    /// inside the endpoint's VPC only).
    pub(super) fn add_interface_endpoint_names(&mut self, scope: &Scope, region: &RegionState) {
        for endpoint in region.vpc_endpoints.values().filter(|endpoint| endpoint.kind == EndpointType::Interface) {
            let Some(vpc) = self.vpc(scope, &endpoint.vpc_id) else { continue };
            let addresses: Vec<Ipv4Addr> = endpoint
                .network_interface_ids
                .iter()
                .filter_map(|id| region.network_interfaces.get(id.as_str()))
                .filter_map(|interface| interface.private_ip)
                .collect();
            let service = services::find(&scope.region, &endpoint.service_name);
            for entry in interface::dns_entries(endpoint, region, &scope.region) {
                let private_name = service.as_ref().and_then(|s| s.private_dns_name.as_deref());
                if private_name == Some(entry.name.as_str()) {
                    self.private_endpoint_names.insert((vpc, entry.name), addresses.clone());
                } else {
                    self.endpoint_names.insert(entry.name, addresses.clone());
                }
            }
        }
    }

    /// The interface addresses a name of an interface endpoint resolves to, asked from `vpc` (`None`: the internet).
    pub fn interface_endpoint_addresses(&self, vpc: Option<VpcIx>, name: &str) -> Option<&[Ipv4Addr]> {
        let private = vpc.and_then(|vpc| self.private_endpoint_names.get(&(vpc, name.to_string())));
        private.or_else(|| self.endpoint_names.get(name)).map(Vec::as_slice)
    }
}
