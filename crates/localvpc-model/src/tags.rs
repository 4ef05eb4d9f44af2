//! Tags (spec §2.12): the `tagSet` every resource carries, and the rules of CreateTags/DeleteTags.

use serde::{Deserialize, Serialize};

use crate::{Ec2Error, Result};

/// One key/value pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// The key (unique within a resource).
    pub key: String,
    /// The value (may be empty).
    pub value: String,
}

/// The tags of one resource, in the order they were first set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tags(pub Vec<Tag>);

/// Spec §5: at most 50 tags per resource.
pub const MAX_TAGS: usize = 50;

impl Tags {
    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|tag| tag.key == key).map(|tag| tag.value.as_str())
    }

    /// Sets every tag (overwriting values of existing keys), refusing the whole batch if the result would exceed
    /// [`MAX_TAGS`].
    pub fn set_all(&mut self, tags: &[Tag]) -> Result<()> {
        let mut merged = self.0.clone();
        for tag in tags {
            match merged.iter_mut().find(|existing| existing.key == tag.key) {
                Some(existing) => existing.value = tag.value.clone(),
                None => merged.push(tag.clone()),
            }
        }
        if merged.len() > MAX_TAGS {
            return Err(Ec2Error::TagLimitExceeded);
        }
        self.0 = merged;
        Ok(())
    }

    /// DeleteTags semantics: a tag with a value is removed only if the value matches; without a value, the key
    /// is removed whatever its value.
    pub fn remove(&mut self, key: &str, value: Option<&str>) {
        self.0.retain(|tag| !(tag.key == key && value.is_none_or(|v| v == tag.value)));
    }

    /// Iterates the tags.
    pub fn iter(&self) -> impl Iterator<Item = &Tag> {
        self.0.iter()
    }
}

/// Spec §2.12 [D]: keys may not start with `aws:` (reserved for AWS), and must be 1..=128 characters; values at
/// most 256.
pub fn validate(tags: &[Tag]) -> Result<()> {
    for tag in tags {
        if tag.key.to_ascii_lowercase().starts_with("aws:") {
            return Err(Ec2Error::InvalidParameterValue(
                "Tag keys starting with 'aws:' are reserved for internal use".into(),
            ));
        }
        if tag.key.is_empty() || tag.key.chars().count() > 128 {
            return Err(Ec2Error::InvalidParameterValue(format!(
                "Tag key exceeds the maximum length of 128 characters or is empty: '{}'",
                tag.key
            )));
        }
        if tag.value.chars().count() > 256 {
            return Err(Ec2Error::InvalidParameterValue(format!(
                "Tag value exceeds the maximum length of 256 characters for key '{}'",
                tag.key
            )));
        }
    }
    Ok(())
}

/// Tagging across resource kinds: CreateTags, DeleteTags and DescribeTags work on any taggable ID.
pub mod ops {
    use super::{Tag, Tags};
    use crate::address::Address;
    use crate::customer_gateway::CustomerGateway;
    use crate::dhcp_options::DhcpOptions;
    use crate::egress_only_internet_gateway::EgressOnlyInternetGateway;
    use crate::flow_log::FlowLog;
    use crate::ids::IdKind;
    use crate::instance::Instance;
    use crate::internet_gateway::InternetGateway;
    use crate::key_pair::KeyPair;
    use crate::launch_template::LaunchTemplate;
    use crate::nat_gateway::NatGateway;
    use crate::network_acl::NetworkAcl;
    use crate::network_insights::{NetworkInsightsAnalysis, NetworkInsightsPath};
    use crate::network_interface::NetworkInterface;
    use crate::prefix_list::ManagedPrefixList;
    use crate::route_table::RouteTable;
    use crate::security_group::SecurityGroup;
    use crate::subnet::Subnet;
    use crate::subnet_cidr_reservation::SubnetCidrReservation;
    use crate::volume::Volume;
    use crate::vpc::Vpc;
    use crate::vpc_endpoint::VpcEndpoint;
    use crate::vpn_connection::VpnConnection;
    use crate::vpn_gateway::VpnGateway;
    use crate::world::{RegionState, Resource, Scope, Tx};
    use crate::{Ec2Error, Result};
    use crate::{LaunchTemplateError, NatGatewayError, VolumeError, VpcEndpointError, VpnError};

    /// One row of DescribeTags.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct TagDescription {
        /// The tagged resource.
        pub resource_id: String,
        /// Its type, as AWS spells it (`vpc`, `route-table`, …).
        pub resource_type: &'static str,
        /// Key.
        pub key: String,
        /// Value.
        pub value: String,
    }

    impl crate::filter::Filterable for TagDescription {
        const FILTERS: &'static [&'static str] = &["key", "value", "resource-id", "resource-type"];
        fn filter_values(&self, name: &str, out: &mut Vec<String>) {
            match name {
                "key" => out.push(self.key.clone()),
                "value" => out.push(self.value.clone()),
                "resource-id" => out.push(self.resource_id.clone()),
                "resource-type" => out.push(self.resource_type.into()),
                _ => {}
            }
        }
    }

    fn edit<T: Resource>(
        tx: &mut Tx,
        scope: &Scope,
        id: &str,
        not_found: fn(String) -> Ec2Error,
        change: &mut dyn FnMut(&mut Tags) -> Result<()>,
    ) -> Result<()> {
        let Some(current) = tx.get::<T>(scope, id) else {
            return Err(not_found(id.to_string()));
        };
        let mut value = (*current).clone();
        change(value.tags_mut())?;
        tx.put(scope, value);
        Ok(())
    }

    fn edit_any(tx: &mut Tx, scope: &Scope, id: &str, change: &mut dyn FnMut(&mut Tags) -> Result<()>) -> Result<()> {
        match IdKind::of(id) {
            Some(IdKind::Vpc) => edit::<Vpc>(tx, scope, id, |id| Ec2Error::VpcNotFound(vec![id]), change),
            Some(IdKind::Subnet) => edit::<Subnet>(tx, scope, id, |id| Ec2Error::SubnetNotFound(vec![id]), change),
            Some(IdKind::InternetGateway) => {
                edit::<InternetGateway>(tx, scope, id, |id| Ec2Error::InternetGatewayNotFound(vec![id]), change)
            }
            Some(IdKind::RouteTable) => {
                edit::<RouteTable>(tx, scope, id, |id| Ec2Error::RouteTableNotFound(vec![id]), change)
            }
            Some(IdKind::NetworkAcl) => {
                edit::<NetworkAcl>(tx, scope, id, |id| Ec2Error::NetworkAclNotFound(vec![id]), change)
            }
            Some(IdKind::SecurityGroup) => {
                edit::<SecurityGroup>(tx, scope, id, |id| Ec2Error::SecurityGroupNotFound(vec![id]), change)
            }
            Some(IdKind::VpcPeeringConnection) => crate::vpc_peering::edit_tags(tx, scope, id, change),
            Some(IdKind::TransitGateway) => crate::transit_gateway::edit_tags(tx, scope, id, change),
            Some(IdKind::TransitGatewayRouteTable) => {
                crate::transit_gateway::route_table::edit_tags(tx, scope, id, change)
            }
            Some(IdKind::TransitGatewayAttachment) => {
                crate::transit_gateway::attachment::edit_tags(tx, scope, id, change)
            }
            Some(IdKind::SecurityGroupRule) => crate::security_group::rules::edit_tags(tx, scope, id, change),
            Some(IdKind::Instance) => {
                edit::<Instance>(tx, scope, id, |id| Ec2Error::InstanceNotFound(vec![id]), change)
            }
            Some(IdKind::NetworkInterface) => {
                edit::<NetworkInterface>(tx, scope, id, |id| Ec2Error::NetworkInterfaceNotFound(vec![id]), change)
            }
            Some(IdKind::ElasticIpAllocation) => {
                edit::<Address>(tx, scope, id, |id| Ec2Error::AllocationNotFound(vec![id]), change)
            }
            Some(IdKind::NetworkInsightsPath) => {
                edit::<NetworkInsightsPath>(tx, scope, id, |id| Ec2Error::NetworkInsightsPathNotFound(vec![id]), change)
            }
            Some(IdKind::NetworkInsightsAnalysis) => edit::<NetworkInsightsAnalysis>(
                tx,
                scope,
                id,
                |id| Ec2Error::NetworkInsightsAnalysisNotFound(vec![id]),
                change,
            ),
            Some(IdKind::DhcpOptions) => {
                edit::<DhcpOptions>(tx, scope, id, |id| Ec2Error::DhcpOptionsNotFound(vec![id]), change)
            }
            Some(IdKind::KeyPair) => edit::<KeyPair>(tx, scope, id, Ec2Error::KeyPairNotFound, change),
            Some(IdKind::SubnetCidrReservation) => {
                edit::<SubnetCidrReservation>(tx, scope, id, Ec2Error::SubnetCidrReservationNotFound, change)
            }
            Some(IdKind::Volume) => {
                edit::<Volume>(tx, scope, id, |id| VolumeError::VolumeNotFound(vec![id]).into(), change)
            }
            Some(IdKind::LaunchTemplate) => edit::<LaunchTemplate>(
                tx,
                scope,
                id,
                |id| LaunchTemplateError::LaunchTemplateIdNotFound(id).into(),
                change,
            ),
            Some(IdKind::NatGateway) => {
                edit::<NatGateway>(tx, scope, id, |id| NatGatewayError::NotFound(id).into(), change)
            }
            Some(IdKind::CustomerGateway) => {
                edit::<CustomerGateway>(tx, scope, id, |id| VpnError::CustomerGatewayNotFound(vec![id]).into(), change)
            }
            Some(IdKind::VpnGateway) => {
                edit::<VpnGateway>(tx, scope, id, |id| VpnError::VpnGatewayNotFound(vec![id]).into(), change)
            }
            Some(IdKind::VpnConnection) => {
                edit::<VpnConnection>(tx, scope, id, |id| VpnError::VpnConnectionNotFound(vec![id]).into(), change)
            }
            // ASSUMPTION (part 2 §17.1 [D]: AWS-managed lists can't be changed): their IDs are not stored, so
            // tagging one is refused as an unknown list.
            Some(IdKind::PrefixList) => edit::<ManagedPrefixList>(tx, scope, id, Ec2Error::PrefixListNotFound, change),
            Some(IdKind::EgressOnlyInternetGateway) => edit::<EgressOnlyInternetGateway>(
                tx,
                scope,
                id,
                |id| crate::error::Ipv6Error::EgressOnlyGatewayNotFound(vec![id]).into(),
                change,
            ),
            Some(IdKind::VpcEndpoint) => {
                edit::<VpcEndpoint>(tx, scope, id, |id| VpcEndpointError::NotFound(id).into(), change)
            }
            Some(IdKind::FlowLog) => {
                edit::<FlowLog>(tx, scope, id, |id| crate::FlowLogError::NotFound(vec![id]).into(), change)
            }
            _ => Err(Ec2Error::InvalidId(id.to_string())),
        }
    }

    /// CreateTags (spec §2.12): all resources or none.
    pub fn create_tags(tx: &mut Tx, scope: &Scope, resource_ids: &[String], tags: &[Tag]) -> Result<()> {
        super::validate(tags)?;
        for id in resource_ids {
            edit_any(tx, scope, id, &mut |existing| existing.set_all(tags))?;
        }
        Ok(())
    }

    /// DeleteTags (spec §2.12): with no tags named, every tag of the resources goes.
    pub fn delete_tags(
        tx: &mut Tx,
        scope: &Scope,
        resource_ids: &[String],
        tags: &[(String, Option<String>)],
    ) -> Result<()> {
        for (key, _) in tags {
            if key.to_ascii_lowercase().starts_with("aws:") {
                return Err(Ec2Error::InvalidParameterValue(
                    "Tag keys starting with 'aws:' are reserved for internal use".into(),
                ));
            }
        }
        for id in resource_ids {
            edit_any(tx, scope, id, &mut |existing| {
                if tags.is_empty() {
                    existing.0.clear();
                }
                for (key, value) in tags {
                    existing.remove(key, value.as_deref());
                }
                Ok(())
            })?;
        }
        Ok(())
    }

    fn describe_table<T: Resource>(region: &RegionState, resource_type: &'static str, out: &mut Vec<TagDescription>) {
        for item in T::table(region).values() {
            for tag in item.tags().iter() {
                out.push(TagDescription {
                    resource_id: item.id().to_string(),
                    resource_type,
                    key: tag.key.clone(),
                    value: tag.value.clone(),
                });
            }
        }
    }

    /// The tags the caller's side put on the peering connections it can see.
    pub fn peering_tags(world: &crate::World, scope: &Scope, now: crate::Timestamp) -> Vec<TagDescription> {
        let mut out = Vec::new();
        for pcx in world.peerings().values().filter(|pcx| pcx.visible_to(scope, now)) {
            for tag in pcx.tags_for(scope).iter() {
                out.push(TagDescription {
                    resource_id: pcx.id.clone(),
                    resource_type: "vpc-peering-connection",
                    key: tag.key.clone(),
                    value: tag.value.clone(),
                });
            }
        }
        out
    }

    /// The tags the caller sees on the transit gateways, route tables and attachments it sees (part 2 §14).
    pub fn transit_gateway_tags(world: &crate::World, scope: &Scope, now: crate::Timestamp) -> Vec<TagDescription> {
        let mut out = Vec::new();
        for resource in crate::transit_gateway::tagged_resources(world, scope, now) {
            for tag in resource.tags.iter() {
                out.push(TagDescription {
                    resource_id: resource.id.to_string(),
                    resource_type: resource.resource_type,
                    key: tag.key.clone(),
                    value: tag.value.clone(),
                });
            }
        }
        out
    }

    /// Every tag in the scope, ordered by resource ID then key order.
    pub fn all_tags(region: &RegionState) -> Vec<TagDescription> {
        let mut out = Vec::new();
        describe_table::<Vpc>(region, "vpc", &mut out);
        describe_table::<Subnet>(region, "subnet", &mut out);
        describe_table::<InternetGateway>(region, "internet-gateway", &mut out);
        describe_table::<EgressOnlyInternetGateway>(region, "egress-only-internet-gateway", &mut out);
        describe_table::<RouteTable>(region, "route-table", &mut out);
        describe_table::<NetworkAcl>(region, "network-acl", &mut out);
        describe_table::<SecurityGroup>(region, "security-group", &mut out);
        for (rule_id, tags) in crate::security_group::rules::tagged_rules(region) {
            for tag in tags.iter() {
                out.push(TagDescription {
                    resource_id: rule_id.to_string(),
                    resource_type: "security-group-rule",
                    key: tag.key.clone(),
                    value: tag.value.clone(),
                });
            }
        }
        describe_table::<Instance>(region, "instance", &mut out);
        describe_table::<NetworkInterface>(region, "network-interface", &mut out);
        describe_table::<Address>(region, "elastic-ip", &mut out);
        describe_table::<NetworkInsightsPath>(region, "network-insights-path", &mut out);
        describe_table::<NetworkInsightsAnalysis>(region, "network-insights-analysis", &mut out);
        describe_table::<DhcpOptions>(region, "dhcp-options", &mut out);
        describe_table::<KeyPair>(region, "key-pair", &mut out);
        describe_table::<Volume>(region, "volume", &mut out);
        describe_table::<LaunchTemplate>(region, "launch-template", &mut out);
        describe_table::<NatGateway>(region, "natgateway", &mut out);
        describe_table::<CustomerGateway>(region, "customer-gateway", &mut out);
        describe_table::<VpnGateway>(region, "vpn-gateway", &mut out);
        describe_table::<VpnConnection>(region, "vpn-connection", &mut out);
        describe_table::<ManagedPrefixList>(region, "prefix-list", &mut out);
        describe_table::<VpcEndpoint>(region, "vpc-endpoint", &mut out);
        // A flow log whose resource was deleted went with it (`flow_log` module doc): its tags too.
        for flow_log in region.flow_logs.values().filter(|flow_log| flow_log.is_live(region)) {
            for tag in flow_log.tags.iter() {
                out.push(TagDescription {
                    resource_id: flow_log.id.clone(),
                    resource_type: "vpc-flow-log",
                    key: tag.key.clone(),
                    value: tag.value.clone(),
                });
            }
        }
        out.sort_by(|a, b| a.resource_id.cmp(&b.resource_id));
        out
    }
}
