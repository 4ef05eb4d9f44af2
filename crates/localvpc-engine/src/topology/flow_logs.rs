//! Which interfaces VPC flow logs cover (part 2 §18.3 [D]: a VPC or subnet flow log covers every interface in it),
//! so the kernel data plane captures real traffic only where some flow log will record it.

use localvpc_model::flow_log::covering;
use localvpc_model::World;

use super::Topology;

impl Topology {
    /// Marks the interfaces covered by a live flow log; after the interfaces. A world without flow logs pays one
    /// look at each region.
    pub(super) fn add_flow_logged(&mut self, world: &World) {
        for (eni, node) in self.enis.iter().enumerate() {
            let region = world.region(&node.scope);
            if region.flow_logs.is_empty() {
                continue;
            }
            let Some(interface) = region.network_interfaces.get(node.id.as_str()) else { continue };
            if !covering(region, &interface.id, &interface.subnet_id, &interface.vpc_id).is_empty() {
                self.flow_logged.insert(eni);
            }
        }
    }
}
