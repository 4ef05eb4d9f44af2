//! NAT gateways in the compiled topology (part 2 §13.2): each gateway with its VPC, subnet and interface, so the walk
//! can forward through it and recognise the answers that come back to its address.

use localvpc_model::nat_gateway::Connectivity;
use localvpc_model::RegionState;

use super::{EniIx, SubnetIx, Topology, VpcIx};

/// A NAT gateway.
#[derive(Debug, Clone)]
pub struct NatNode {
    /// `nat-…`.
    pub id: String,
    /// Its VPC.
    pub vpc: VpcIx,
    /// Its subnet.
    pub subnet: SubnetIx,
    /// Its interface (none once it is deleted or failed).
    pub eni: Option<EniIx>,
    /// `public`: its address leaves through the internet gateway as its Elastic IP.
    pub public: bool,
    /// `available`: it forwards.
    pub available: bool,
}

impl Topology {
    /// Adds the region's NAT gateways; after its interfaces, which they point at.
    pub(super) fn add_nat_gateways(&mut self, region: &RegionState) {
        for nat in region.nat_gateways.values() {
            let Some(subnet) = self.subnet_by_id.get(nat.subnet_id.as_str()).copied() else { continue };
            let eni = nat.network_interface_id().and_then(|id| self.eni(id));
            let node = NatNode {
                id: nat.id.clone(),
                vpc: self.subnets[subnet].vpc,
                subnet,
                eni,
                public: nat.connectivity == Connectivity::Public,
                available: nat.is_available(),
            };
            if let Some(eni) = eni {
                self.nat_by_eni.insert(eni, nat.id.clone());
            }
            self.nat_gateways.insert(nat.id.clone(), node);
        }
    }

    /// The NAT gateway with this ID.
    pub fn nat_gateway(&self, id: &str) -> Option<&NatNode> {
        self.nat_gateways.get(id)
    }

    /// Every NAT gateway.
    pub fn nat_gateways(&self) -> impl Iterator<Item = &NatNode> {
        self.nat_gateways.values()
    }

    /// The NAT gateway whose interface this is.
    pub fn nat_of_eni(&self, eni: EniIx) -> Option<&NatNode> {
        self.nat_by_eni.get(&eni).and_then(|id| self.nat_gateways.get(id))
    }
}
