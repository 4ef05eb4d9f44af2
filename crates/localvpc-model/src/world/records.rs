//! The world as stored: rebuilt from its records ([`World::load`]), one record per resource plus the world-level
//! values, as [`Tx::finish`](super::Tx::finish) writes them — or brought forward by the records other servers
//! wrote since ([`World::apply_records`]), which must give the world a load of the same records gives.

use super::*;

impl World {
    /// Rebuilds a world from stored records and world-level values.
    pub fn load<'a>(
        records: impl IntoIterator<Item = (&'a str, Scope, &'a str, &'a str)>,
        meta: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<World, LoadError> {
        let mut world = World::default();
        let puts = records.into_iter().map(|(kind, scope, id, body)| (kind, scope, id, Some(body)));
        world.apply_records(puts, meta)?;
        Ok(world)
    }

    /// Applies stored changes in their order: a record with a body is put (inserted or replaced, as
    /// [`Tx::put`] does), one without is removed (as [`Tx::remove`] does); the indexes follow either way. A
    /// shared store's replicas bring their worlds forward so, by the batches others committed, instead of loading
    /// the whole world again. On error the world is partly changed: load it again.
    pub fn apply_records<'a>(
        &mut self,
        records: impl IntoIterator<Item = (&'a str, Scope, &'a str, Option<&'a str>)>,
        meta: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<(), LoadError> {
        for (kind, scope, id, body) in records {
            let failed = |e: serde_json::Error| LoadError { kind: kind.into(), id: id.into(), reason: e.to_string() };
            if kind == PEERING_KIND {
                match body {
                    Some(body) => {
                        let pcx: VpcPeeringConnection = serde_json::from_str(body).map_err(failed)?;
                        self.peerings.insert(Arc::from(pcx.id.as_str()), Arc::new(pcx));
                    }
                    None => {
                        self.peerings.remove(id);
                    }
                }
                continue;
            }
            let spanning = match kind {
                TransitGateway::KIND => Some(put_spanning::<TransitGateway>(self, id, body)),
                TransitGatewayRouteTable::KIND => Some(put_spanning::<TransitGatewayRouteTable>(self, id, body)),
                TransitGatewayAttachment::KIND => Some(put_spanning::<TransitGatewayAttachment>(self, id, body)),
                _ => None,
            };
            if let Some(result) = spanning {
                result.map_err(failed)?;
                continue;
            }
            let region = Arc::make_mut(self.regions.entry(scope).or_default());
            let index = &mut self.index;
            let result = match kind {
                META_KIND => match body {
                    Some(body) => serde_json::from_str(body).map(|meta| region.meta = meta),
                    None => {
                        region.meta = RegionMeta::default();
                        Ok(())
                    }
                },
                Vpc::KIND => put::<Vpc>(region, index, id, body),
                Subnet::KIND => put::<Subnet>(region, index, id, body),
                InternetGateway::KIND => put::<InternetGateway>(region, index, id, body),
                RouteTable::KIND => put::<RouteTable>(region, index, id, body),
                NetworkAcl::KIND => put::<NetworkAcl>(region, index, id, body),
                SecurityGroup::KIND => put::<SecurityGroup>(region, index, id, body),
                Instance::KIND => put::<Instance>(region, index, id, body),
                NetworkInterface::KIND => put::<NetworkInterface>(region, index, id, body),
                Address::KIND => put::<Address>(region, index, id, body),
                NetworkInsightsPath::KIND => put::<NetworkInsightsPath>(region, index, id, body),
                NetworkInsightsAnalysis::KIND => put::<NetworkInsightsAnalysis>(region, index, id, body),
                DhcpOptions::KIND => put::<DhcpOptions>(region, index, id, body),
                KeyPair::KIND => put::<KeyPair>(region, index, id, body),
                SubnetCidrReservation::KIND => put::<SubnetCidrReservation>(region, index, id, body),
                Volume::KIND => put::<Volume>(region, index, id, body),
                LaunchTemplate::KIND => put::<LaunchTemplate>(region, index, id, body),
                NatGateway::KIND => put::<NatGateway>(region, index, id, body),
                CustomerGateway::KIND => put::<CustomerGateway>(region, index, id, body),
                VpnGateway::KIND => put::<VpnGateway>(region, index, id, body),
                VpnConnection::KIND => put::<VpnConnection>(region, index, id, body),
                ManagedPrefixList::KIND => put::<ManagedPrefixList>(region, index, id, body),
                EgressOnlyInternetGateway::KIND => put::<EgressOnlyInternetGateway>(region, index, id, body),
                VpcEndpoint::KIND => put::<VpcEndpoint>(region, index, id, body),
                FlowLog::KIND => put::<FlowLog>(region, index, id, body),
                _ => Ok(()), // A kind from a newer version: ignore rather than refuse to start.
            };
            result.map_err(failed)?;
        }
        for (key, value) in meta {
            match key {
                NEXT_ID_KEY => self.next_id = value.parse().unwrap_or(0),
                ID_KEY_KEY => self.id_key = value.parse().unwrap_or(0),
                CLOCK_OFFSET_KEY => self.clock_offset_ms = value.parse().unwrap_or(0),
                PUBLIC_IP_CURSOR_KEY => self.public_ip_cursor = value.parse().unwrap_or(0),
                IPV6_BLOCKS_ISSUED_KEY => self.ipv6_blocks_issued = value.parse().unwrap_or(0),
                _ => {}
            }
        }
        Ok(())
    }
}

/// Puts the spanning resource `body` describes, or removes `id` when there is no body.
fn put_spanning<T: SpanningResource>(world: &mut World, id: &str, body: Option<&str>) -> serde_json::Result<()> {
    match body {
        Some(body) => store_spanning(world, Arc::new(serde_json::from_str::<T>(body)?)),
        None => {
            if let Some(old) = T::table_mut(world).remove(id) {
                T::reindex(&mut world.index, Some(&old), None);
            }
        }
    }
    Ok(())
}

/// Puts the resource `body` describes, or removes `id` when there is no body.
fn put<T: Resource>(
    region: &mut RegionState,
    world: &mut WorldIndex,
    id: &str,
    body: Option<&str>,
) -> serde_json::Result<()> {
    match body {
        Some(body) => store::<T>(region, world, Arc::new(serde_json::from_str::<T>(body)?)),
        None => {
            if let Some(old) = T::table_mut(region).remove(id) {
                T::reindex(&mut Indexes { region: &mut region.index, world }, Some(&old), None);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::prefix_list::{self, CreateManagedPrefixList, ModifyManagedPrefixList, PrefixListEntry};
    use crate::subnet::{self, CreateSubnet};
    use crate::transit_gateway;
    use crate::vpc::{self, CreateVpc};
    use crate::vpc_endpoint::{self, CreateVpcEndpoint};
    use crate::vpc_peering::{self, CreatePeering};

    type Stored = BTreeMap<(String, Scope, String), String>;

    /// What a store holds after `changes`, on top of `stored`.
    fn store_changes(stored: &mut Stored, changes: &[Change]) {
        for change in changes {
            match change {
                Change::Put { kind, scope, id, body } => {
                    stored.insert((kind.to_string(), scope.clone(), id.clone()), body.clone());
                }
                Change::Delete { kind, scope, id } => {
                    stored.remove(&(kind.to_string(), scope.clone(), id.clone()));
                }
                Change::Meta { .. } => {}
            }
        }
    }

    fn flow_log_request(vpc_id: &str, traffic_type: &str) -> crate::flow_log::CreateFlowLogs {
        crate::flow_log::CreateFlowLogs {
            resource_type: "VPC".into(),
            resource_ids: vec![vpc_id.to_string()],
            traffic_type: Some(traffic_type.into()),
            destination_type: Some("s3".into()),
            log_destination: Some("arn:aws:s3:::flows".into()),
            ..Default::default()
        }
    }

    fn meta_of(changes: &[Change]) -> Vec<(&'static str, String)> {
        changes
            .iter()
            .filter_map(|change| match change {
                Change::Meta { key, value } => Some((*key, value.clone())),
                _ => None,
            })
            .collect()
    }

    fn load(stored: &Stored, meta: &BTreeMap<&'static str, String>) -> World {
        let records =
            stored.iter().map(|((kind, scope, id), body)| (kind.as_str(), scope.clone(), id.as_str(), body.as_str()));
        World::load(records, meta.iter().map(|(key, value)| (*key, value.as_str()))).expect("load")
    }

    #[test]
    fn applying_the_records_of_later_batches_gives_the_world_a_load_of_all_records_gives() {
        let scope = Scope::new("123456789012", "us-east-1");
        let mut world = World::default();
        let mut tx = Tx::new(&mut world, Timestamp(0));
        vpc::ensure_initialized(&mut tx, &scope);
        let a = vpc::create_vpc(&mut tx, &scope, CreateVpc { cidr_block: "10.1.0.0/16".into(), ..Default::default() })
            .unwrap()
            .id
            .clone();
        let b = vpc::create_vpc(&mut tx, &scope, CreateVpc { cidr_block: "10.2.0.0/16".into(), ..Default::default() })
            .unwrap()
            .id
            .clone();
        let request = CreateSubnet { vpc_id: a.clone(), cidr_block: Some("10.1.1.0/24".into()), ..Default::default() };
        let subnet = subnet::create_subnet(&mut tx, &scope, request).unwrap().id.clone();
        let first = tx.finish();
        let mut stored = Stored::new();
        store_changes(&mut stored, &first);
        let mut meta: BTreeMap<&'static str, String> = meta_of(&first).into_iter().collect();
        let before = load(&stored, &meta);

        // Later batches: a subnet deleted, a peering and a transit gateway (spanning kinds) and a prefix list made,
        // a VPC deleted, the list given a second version.
        let mut tx = Tx::new(&mut world, Timestamp(1));
        subnet::delete_subnet(&mut tx, &scope, &subnet).unwrap();
        let pcx = vpc_peering::create(
            &mut tx,
            &scope,
            CreatePeering { vpc_id: a.clone(), peer_vpc_id: b.clone(), ..Default::default() },
        )
        .unwrap()
        .0
        .id;
        transit_gateway::create(&mut tx, &scope, None, Default::default(), Vec::new()).unwrap();
        let request = CreateManagedPrefixList {
            name: "office".into(),
            max_entries: 5,
            address_family: "IPv4".into(),
            ..Default::default()
        };
        let list = prefix_list::create(&mut tx, &scope, request).unwrap().id.clone();
        let tables = &tx.region(&scope).route_tables;
        let main_table = tables.values().find(|t| t.vpc_id == a && t.is_main()).unwrap().id.clone();
        let request = CreateVpcEndpoint {
            vpc_id: a.clone(),
            service_name: "com.amazonaws.us-east-1.s3".into(),
            route_table_ids: vec![main_table.clone()],
            ..Default::default()
        };
        let endpoint = vpc_endpoint::create(&mut tx, &scope, request).unwrap().id.clone();
        let flow_logs = crate::flow_log::create(&mut tx, &scope, flow_log_request(&a, "ALL")).unwrap().flow_log_ids;
        let kept = crate::flow_log::create(&mut tx, &scope, flow_log_request(&a, "REJECT")).unwrap().flow_log_ids;
        let second = tx.finish();
        let mut tx = Tx::new(&mut world, Timestamp(2));
        vpc_peering::delete(&mut tx, &scope, &pcx).unwrap();
        vpc::delete_vpc(&mut tx, &scope, &b).unwrap();
        let entry = PrefixListEntry { cidr: "10.9.0.0/16".into(), description: None };
        let request = ModifyManagedPrefixList { id: list.clone(), add: vec![entry], ..Default::default() };
        prefix_list::modify(&mut tx, &scope, request).unwrap();
        crate::flow_log::delete(&mut tx, &scope, &flow_logs).unwrap();
        let third = tx.finish();

        let mut replayed = before.clone();
        for batch in [&second, &third] {
            store_changes(&mut stored, batch);
            meta.extend(meta_of(batch));
            let records = batch.iter().filter_map(|change| match change {
                Change::Put { kind, scope, id, body } => Some((*kind, scope.clone(), id.as_str(), Some(body.as_str()))),
                Change::Delete { kind, scope, id } => Some((*kind, scope.clone(), id.as_str(), None)),
                Change::Meta { .. } => None,
            });
            let batch_meta = meta_of(batch);
            replayed.apply_records(records, batch_meta.iter().map(|(key, value)| (*key, value.as_str()))).unwrap();
        }
        let loaded = load(&stored, &meta);
        assert!(replayed.region(&scope).subnets.get(subnet.as_str()).is_none(), "the deleted subnet is gone");
        assert!(replayed.region(&scope).vpcs.get(b.as_str()).is_none(), "the deleted VPC is gone");
        assert_eq!(replayed.spanning::<TransitGateway>().len(), 1);
        assert_eq!(replayed.region(&scope).managed_prefix_lists[list.as_str()].current().version, 2);
        assert_eq!(vpc_endpoint::route_table_ids(replayed.region(&scope), &endpoint), vec![main_table]);
        let flow_log_ids: Vec<&str> = replayed.region(&scope).flow_logs.keys().map(|id| id.as_ref()).collect();
        assert_eq!(flow_log_ids, vec![kept[0].as_str()], "the deleted flow log is gone, the other stays");
        assert_eq!(replayed, loaded, "tables, indexes and counters as a load of every record");
        assert_ne!(before, loaded, "positive control: the later batches changed the world");
        // The indexes moved with the records: the deleted subnet's block is free again on the replayed world.
        let mut tx = Tx::new(&mut replayed, Timestamp(3));
        let request = CreateSubnet { vpc_id: a, cidr_block: Some("10.1.1.0/24".into()), ..Default::default() };
        subnet::create_subnet(&mut tx, &scope, request).expect("the block is free");
    }
}
