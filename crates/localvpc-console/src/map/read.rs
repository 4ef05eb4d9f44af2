//! The world, read into the map's [`Scene`] for one scope.
//!
//! Order decides the layout, so it is chosen to be stable as resources come and go: every box is keyed by the
//! creation order of the resource that brought it onto the map — its own VPC, or for a peer VPC of another account
//! or Region the first peering connection visible to the scope that joins it — read back from the IDs
//! ([`localvpc_model::World::creation_order`]: every ID comes from the world's one counter, so a resource created
//! later always sorts later, whichever account or Region made it). A new VPC or peer therefore always lands after
//! every box already drawn. Subnets follow creation order within their zone (zones by name), instances launch order
//! within their subnet. An ID the world did not issue sorts after the rest, by its CIDR then its ID.

use std::collections::{BTreeMap, HashMap, HashSet};

use localvpc_model::instance::InstanceState;
use localvpc_model::network_interface::public_address;
use localvpc_model::route_table::RouteTarget;
use localvpc_model::vpc_peering::PeeringSide;
use localvpc_model::{Scope, Tags, Timestamp, World};

use super::scene::{InstanceNode, PeeringEdge, Routes, Scene, Side, SubnetNode, VpcNode, Zone};

/// A VPC's subnets by zone name, each with its creation order.
type ZonesOf<'w> = BTreeMap<&'w str, Vec<(u64, SubnetNode)>>;

/// The `Name` tag.
pub(crate) fn name(tags: &Tags) -> Option<String> {
    tags.get("Name").map(str::to_string)
}

/// The map of `scope` at `now` (peering statuses and visibility depend on the clock).
pub(crate) fn scene(world: &World, scope: &Scope, now: Timestamp) -> Scene {
    let region = world.region(scope);
    let order = |id: &str| world.creation_order(id).unwrap_or(u64::MAX);

    // Instances by subnet (through their primary interface), in launch order.
    let mut instances: HashMap<&str, Vec<(u64, InstanceNode)>> = HashMap::new();
    for instance in region.instances.values().filter(|i| i.state != InstanceState::Terminated) {
        let Some(eni) = instance.network_interface_id.as_deref().and_then(|id| region.network_interfaces.get(id))
        else {
            continue;
        };
        let node = InstanceNode {
            id: instance.id.clone(),
            name: name(&instance.tags),
            private_ip: eni.private_ip.map_or_else(|| "–".into(), |ip| ip.to_string()),
            public_ip: public_address(region, eni).map(|address| address.ip.to_string()),
            state: instance.state.name().to_string(),
        };
        instances.entry(eni.subnet_id.as_str()).or_default().push((instance.launch_sequence, node));
    }
    // Subnets by VPC and zone, in creation order.
    let mut zones: HashMap<&str, ZonesOf<'_>> = HashMap::new();
    for subnet in region.subnets.values() {
        let mut rows = instances.remove(subnet.id.as_str()).unwrap_or_default();
        rows.sort_by(|a, b| (a.0, &a.1.id).cmp(&(b.0, &b.1.id)));
        let node = SubnetNode {
            id: subnet.id.clone(),
            name: name(&subnet.tags),
            cidr: subnet.cidr_block.map_or_else(|| "–".into(), |block| block.to_string()),
            instances: rows.into_iter().map(|(_, node)| node).collect(),
        };
        let zone = zones.entry(subnet.vpc_id.as_str()).or_default();
        zone.entry(subnet.availability_zone.as_str()).or_default().push((order(&subnet.id), node));
    }
    let gateways: HashMap<&str, &str> = region
        .internet_gateways
        .values()
        .filter_map(|igw| Some((igw.attached_vpc.as_deref()?, igw.id.as_str())))
        .collect();

    // Boxes: (key, CIDR, node).
    let mut boxes: Vec<(u64, String, VpcNode)> = region
        .vpcs
        .values()
        .map(|vpc| {
            let zones = zones
                .remove(vpc.id.as_str())
                .unwrap_or_default()
                .into_iter()
                .map(|(zone, mut subnets)| {
                    subnets.sort_by(|a, b| (a.0, &a.1.cidr).cmp(&(b.0, &b.1.cidr)));
                    Zone { name: zone.to_string(), subnets: subnets.into_iter().map(|(_, node)| node).collect() }
                })
                .collect();
            let node = VpcNode {
                id: vpc.id.clone(),
                name: name(&vpc.tags),
                cidrs: vpc.cidr_blocks().map(ToString::to_string).collect(),
                side: Side::Own { default: vpc.is_default },
                internet_gateway: gateways.get(vpc.id.as_str()).map(|id| id.to_string()),
                zones,
            };
            (order(&vpc.id), vpc.cidr_block.to_string(), node)
        })
        .collect();

    // Peerings, oldest first; the other side of one that leaves the scope becomes a peer box.
    let mut peerings: Vec<_> = world.peerings().values().filter(|pcx| pcx.visible_to(scope, now)).collect();
    peerings.sort_by_key(|pcx| (order(&pcx.id), pcx.id.clone()));
    let routed: HashSet<(&str, &str)> = region
        .route_tables
        .values()
        .flat_map(|table| {
            table.routes.iter().filter_map(|route| match &route.target {
                RouteTarget::VpcPeeringConnection(pcx) => Some((table.vpc_id.as_str(), pcx.as_str())),
                _ => None,
            })
        })
        .collect();
    let own = |side: &PeeringSide| {
        side.account == scope.account && side.region == scope.region && region.vpcs.contains_key(side.vpc_id.as_str())
    };
    let mut edges = Vec::with_capacity(peerings.len());
    let mut peers: HashSet<String> = HashSet::new();
    for pcx in peerings {
        for side in [&pcx.requester, &pcx.accepter] {
            if !own(side) && peers.insert(side.vpc_id.clone()) {
                let peer_vpc = world.region(&side.scope()).vpcs.get(side.vpc_id.as_str()).cloned();
                let cidrs: Vec<String> = peer_vpc
                    .iter()
                    .flat_map(|vpc| vpc.cidr_blocks().map(ToString::to_string).collect::<Vec<_>>())
                    .collect();
                let node = VpcNode {
                    id: side.vpc_id.clone(),
                    name: None,
                    cidrs: cidrs.clone(),
                    side: Side::Peer { account: side.account.clone(), region: side.region.clone() },
                    internet_gateway: None,
                    zones: Vec::new(),
                };
                boxes.push((order(&pcx.id), cidrs.first().cloned().unwrap_or_default(), node));
            }
        }
        let routes_on = |side: &PeeringSide| routed.contains(&(side.vpc_id.as_str(), pcx.id.as_str()));
        let routes = match (own(&pcx.requester), own(&pcx.accepter)) {
            (true, true) => match (routes_on(&pcx.requester), routes_on(&pcx.accepter)) {
                (true, true) => Routes::Both,
                (false, false) => Routes::None,
                _ => Routes::One,
            },
            (true, false) => Routes::ThisSide(routes_on(&pcx.requester)),
            (false, true) => Routes::ThisSide(routes_on(&pcx.accepter)),
            (false, false) => Routes::ThisSide(false),
        };
        edges.push(PeeringEdge {
            id: pcx.id.clone(),
            name: name(pcx.tags_for(scope)),
            from: pcx.requester.vpc_id.clone(),
            to: pcx.accepter.vpc_id.clone(),
            status: pcx.status_at(now).code().to_string(),
            routes,
        });
    }
    boxes.sort_by(|a, b| (a.0, &a.1, &a.2.id).cmp(&(b.0, &b.1, &b.2.id)));
    Scene { vpcs: boxes.into_iter().map(|(_, _, node)| node).collect(), peerings: edges }
}

#[cfg(test)]
mod tests {
    use localvpc_model::instance::{run_instances, RunInstances};
    use localvpc_model::route_table::{create_route, RouteRequest};
    use localvpc_model::subnet::{create_subnet, CreateSubnet};
    use localvpc_model::vpc::{create_vpc, CreateVpc};
    use localvpc_model::{internet_gateway, vpc_peering, Tag, Tx};

    use super::*;

    const NOW: Timestamp = Timestamp(1_767_225_600_000);

    fn tx<R>(world: &mut World, scope: &Scope, change: impl FnOnce(&mut Tx, &Scope) -> localvpc_model::Result<R>) -> R {
        let mut tx = Tx::new(world, NOW);
        let result = change(&mut tx, scope).expect("valid step");
        tx.finish();
        result
    }

    fn vpc(world: &mut World, scope: &Scope, cidr: &str) -> String {
        let request = CreateVpc { cidr_block: cidr.into(), ..Default::default() };
        tx(world, scope, |tx, scope| create_vpc(tx, scope, request)).id.clone()
    }

    fn subnet(world: &mut World, scope: &Scope, vpc: &str, cidr: &str, zone: &str) -> String {
        let request = CreateSubnet {
            vpc_id: vpc.into(),
            cidr_block: Some(cidr.into()),
            availability_zone: Some(zone.into()),
            tags: vec![Tag { key: "Name".into(), value: format!("net {cidr}") }],
            ..Default::default()
        };
        tx(world, scope, |tx, scope| create_subnet(tx, scope, request)).id.clone()
    }

    fn launch(world: &mut World, scope: &Scope, subnet: &str, count: i64) -> Vec<String> {
        let request = RunInstances {
            image_id: "ami-12345678".into(),
            min_count: count,
            max_count: count,
            subnet_id: Some(subnet.into()),
            ..Default::default()
        };
        tx(world, scope, |tx, scope| run_instances(tx, scope, request)).instances.iter().map(|i| i.id.clone()).collect()
    }

    fn route(world: &mut World, scope: &Scope, vpc: &str, destination: &str, pcx: &str) {
        let table = world.region(scope).route_tables.values().find(|t| t.vpc_id == vpc).unwrap().id.clone();
        let request = RouteRequest {
            route_table_id: table,
            destination: destination.into(),
            vpc_peering_connection_id: Some(pcx.into()),
            ..Default::default()
        };
        tx(world, scope, |tx, scope| create_route(tx, scope, &request));
    }

    #[test]
    fn boxes_follow_creation_order_and_edges_their_route_tables() {
        let mut world = World::default();
        let me = Scope::new("111111111111", "us-east-1");
        let other = Scope::new("222222222222", "us-east-1");
        // Created in this order, whatever their IDs and CIDRs: 10.9 first.
        let late_cidr = vpc(&mut world, &me, "10.9.0.0/16");
        let early_cidr = vpc(&mut world, &me, "10.1.0.0/16");
        let in_b = subnet(&mut world, &me, &late_cidr, "10.9.2.0/24", "us-east-1b");
        let in_a = subnet(&mut world, &me, &late_cidr, "10.9.1.0/24", "us-east-1a");
        let second_in_b = subnet(&mut world, &me, &late_cidr, "10.9.0.0/24", "us-east-1b");
        let launched = [launch(&mut world, &me, &in_b, 2), launch(&mut world, &me, &in_b, 1)].concat();
        let igw = tx(&mut world, &me, |tx, scope| internet_gateway::create(tx, scope, Vec::new())).id.clone();
        tx(&mut world, &me, |tx, scope| internet_gateway::attach(tx, scope, &igw, &early_cidr));
        let theirs = vpc(&mut world, &other, "172.16.0.0/16");
        let request = vpc_peering::CreatePeering {
            vpc_id: late_cidr.clone(),
            peer_vpc_id: early_cidr.clone(),
            ..Default::default()
        };
        let inside = tx(&mut world, &me, |tx, scope| vpc_peering::create(tx, scope, request)).0.id;
        tx(&mut world, &me, |tx, scope| vpc_peering::accept(tx, scope, &inside));
        route(&mut world, &me, &late_cidr, "10.1.0.0/16", &inside);
        let request = vpc_peering::CreatePeering {
            vpc_id: early_cidr.clone(),
            peer_vpc_id: theirs.clone(),
            peer_owner_id: Some(other.account.clone()),
            ..Default::default()
        };
        let across = tx(&mut world, &me, |tx, scope| vpc_peering::create(tx, scope, request)).0.id;
        // A VPC created after the cross-account peering comes after the peer's box.
        let newest = vpc(&mut world, &me, "10.0.0.0/16");

        let scene = scene(&world, &me, NOW);
        let ids: Vec<&str> = scene.vpcs.iter().map(|vpc| vpc.id.as_str()).collect();
        assert_eq!(ids, [late_cidr.as_str(), early_cidr.as_str(), theirs.as_str(), newest.as_str()]);
        let first = &scene.vpcs[0];
        let zones: Vec<(&str, Vec<&str>)> = first
            .zones
            .iter()
            .map(|zone| (zone.name.as_str(), zone.subnets.iter().map(|s| s.id.as_str()).collect()))
            .collect();
        assert_eq!(
            zones,
            [("us-east-1a", vec![in_a.as_str()]), ("us-east-1b", vec![in_b.as_str(), second_in_b.as_str()])]
        );
        let rows: Vec<&str> = first.zones[1].subnets[0].instances.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(rows, launched.iter().map(String::as_str).collect::<Vec<_>>());
        let row = &first.zones[1].subnets[0].instances[0];
        assert_eq!(
            (row.private_ip.as_str(), row.public_ip.as_deref(), row.state.as_str()),
            ("10.9.2.4", None, "running")
        );
        assert_eq!(first.zones[1].subnets[0].name.as_deref(), Some("net 10.9.2.0/24"));
        assert_eq!(scene.vpcs[1].internet_gateway.as_deref(), Some(igw.as_str()));
        assert_eq!(scene.vpcs[0].internet_gateway, None);
        assert_eq!(scene.vpcs[2].side, Side::Peer { account: other.account.clone(), region: other.region.clone() });
        assert_eq!(scene.vpcs[2].cidrs, ["172.16.0.0/16"]);
        assert!(scene.vpcs[2].zones.is_empty(), "another account's subnets are not shown");
        let edges: Vec<(&str, &str, &str, Routes)> =
            scene.peerings.iter().map(|e| (e.id.as_str(), e.to.as_str(), e.status.as_str(), e.routes)).collect();
        assert_eq!(
            edges,
            [
                (inside.as_str(), early_cidr.as_str(), "active", Routes::One),
                (across.as_str(), theirs.as_str(), "pending-acceptance", Routes::ThisSide(false)),
            ]
        );
        route(&mut world, &me, &early_cidr, "10.9.0.0/16", &inside);
        assert_eq!(super::scene(&world, &me, NOW).peerings[0].routes, Routes::Both);
        // The other account sees its side: our VPC as a peer box, and nothing of ours inside it.
        let theirs_seen = super::scene(&world, &other, NOW);
        let ids: Vec<&str> = theirs_seen.vpcs.iter().map(|vpc| vpc.id.as_str()).collect();
        assert_eq!(ids, [theirs.as_str(), early_cidr.as_str()]);
        assert_eq!(theirs_seen.vpcs[1].internet_gateway, None);
    }
}
