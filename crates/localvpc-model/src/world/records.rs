//! The world as stored: rebuilt from its records ([`World::load`]), one record per resource plus the world-level
//! values, as [`Tx::finish`](super::Tx::finish) writes them.

use super::*;

impl World {
    /// Rebuilds a world from stored records and world-level values.
    pub fn load<'a>(
        records: impl IntoIterator<Item = (&'a str, Scope, &'a str, &'a str)>,
        meta: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<World, LoadError> {
        let mut world = World::default();
        for (kind, scope, id, body) in records {
            if kind == PEERING_KIND {
                let pcx: VpcPeeringConnection = serde_json::from_str(body).map_err(|e| LoadError {
                    kind: kind.into(),
                    id: id.into(),
                    reason: e.to_string(),
                })?;
                world.peerings.insert(Arc::from(pcx.id.as_str()), Arc::new(pcx));
                continue;
            }
            let spanning = match kind {
                TransitGateway::KIND => Some(load_spanning::<TransitGateway>(&mut world, body)),
                TransitGatewayRouteTable::KIND => Some(load_spanning::<TransitGatewayRouteTable>(&mut world, body)),
                TransitGatewayAttachment::KIND => Some(load_spanning::<TransitGatewayAttachment>(&mut world, body)),
                _ => None,
            };
            if let Some(result) = spanning {
                result.map_err(|e| LoadError { kind: kind.into(), id: id.into(), reason: e.to_string() })?;
                continue;
            }
            let region = Arc::make_mut(world.regions.entry(scope).or_default());
            let index = &mut world.index;
            let result = match kind {
                META_KIND => serde_json::from_str(body).map(|meta| region.meta = meta),
                Vpc::KIND => load_into::<Vpc>(region, index, body),
                Subnet::KIND => load_into::<Subnet>(region, index, body),
                InternetGateway::KIND => load_into::<InternetGateway>(region, index, body),
                RouteTable::KIND => load_into::<RouteTable>(region, index, body),
                NetworkAcl::KIND => load_into::<NetworkAcl>(region, index, body),
                SecurityGroup::KIND => load_into::<SecurityGroup>(region, index, body),
                Instance::KIND => load_into::<Instance>(region, index, body),
                NetworkInterface::KIND => load_into::<NetworkInterface>(region, index, body),
                Address::KIND => load_into::<Address>(region, index, body),
                NetworkInsightsPath::KIND => load_into::<NetworkInsightsPath>(region, index, body),
                NetworkInsightsAnalysis::KIND => load_into::<NetworkInsightsAnalysis>(region, index, body),
                DhcpOptions::KIND => load_into::<DhcpOptions>(region, index, body),
                KeyPair::KIND => load_into::<KeyPair>(region, index, body),
                SubnetCidrReservation::KIND => load_into::<SubnetCidrReservation>(region, index, body),
                Volume::KIND => load_into::<Volume>(region, index, body),
                LaunchTemplate::KIND => load_into::<LaunchTemplate>(region, index, body),
                NatGateway::KIND => load_into::<NatGateway>(region, index, body),
                CustomerGateway::KIND => load_into::<CustomerGateway>(region, index, body),
                VpnGateway::KIND => load_into::<VpnGateway>(region, index, body),
                VpnConnection::KIND => load_into::<VpnConnection>(region, index, body),
                _ => Ok(()), // A kind from a newer version: ignore rather than refuse to start.
            };
            result.map_err(|e| LoadError { kind: kind.into(), id: id.into(), reason: e.to_string() })?;
        }
        for (key, value) in meta {
            match key {
                NEXT_ID_KEY => world.next_id = value.parse().unwrap_or(0),
                ID_KEY_KEY => world.id_key = value.parse().unwrap_or(0),
                CLOCK_OFFSET_KEY => world.clock_offset_ms = value.parse().unwrap_or(0),
                PUBLIC_IP_CURSOR_KEY => world.public_ip_cursor = value.parse().unwrap_or(0),
                _ => {}
            }
        }
        Ok(world)
    }
}

fn load_spanning<T: SpanningResource>(world: &mut World, body: &str) -> serde_json::Result<()> {
    let value: T = serde_json::from_str(body)?;
    store_spanning(world, Arc::new(value));
    Ok(())
}

fn load_into<T: Resource>(region: &mut RegionState, world: &mut WorldIndex, body: &str) -> serde_json::Result<()> {
    let value: T = serde_json::from_str(body)?;
    store::<T>(region, world, Arc::new(value));
    Ok(())
}
