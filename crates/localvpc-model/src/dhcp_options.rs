//! DHCP options sets (spec part 2 §12): immutable sets of `domain-name`, `domain-name-servers`, `ntp-servers`,
//! `netbios-*` options, one per VPC at a time, and the region's default set every new VPC starts with.
//!
//! What a VPC's set means for packets (the search domain and the resolver an instance asks) is compiled into the
//! engine's topology from [`DhcpOptions::domain_name`] and [`DhcpOptions::name_servers`]; nothing here resolves
//! names.

use std::net::Ipv4Addr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::tags::{Tag, Tags};
use crate::vpc::Vpc;
use crate::world::{RegionMeta, RegionState, Resource, Scope, Table, Tx};
use crate::{dns_name, Ec2Error, Result};

/// The `DhcpOptionsId` that means "no DHCP options" (AssociateDhcpOptions, spec §12.1 [D]); a VPC associated with
/// it shows this literal as its `dhcpOptionsId`.
pub const NO_OPTIONS: &str = "default";

/// The `domain-name-servers` value that stands for the VPC's Amazon-provided resolver (base + 2).
pub const AMAZON_PROVIDED_DNS: &str = "AmazonProvidedDNS";

/// A DHCP options set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DhcpOptions {
    /// `dopt-…`.
    pub id: String,
    /// Owning account.
    pub owner_id: String,
    /// The options, in the order the request gave their keys.
    pub configurations: Vec<DhcpConfiguration>,
    /// Tags.
    pub tags: Tags,
}

/// One option of a set: a key and its values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DhcpConfiguration {
    /// `domain-name`, `domain-name-servers`, …
    pub key: String,
    /// The values, in request order.
    pub values: Vec<String>,
}

/// A DNS server an instance is told to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameServer {
    /// `AmazonProvidedDNS`: the VPC's resolver at base + 2.
    AmazonProvided,
    /// A server given by address.
    Address(Ipv4Addr),
}

impl DhcpOptions {
    /// The values of `key`, if the set has it.
    pub fn values(&self, key: &str) -> Option<&[String]> {
        self.configurations.iter().find(|option| option.key == key).map(|option| option.values.as_slice())
    }

    /// The first `domain-name`: the search domain instances get (spec §12.2).
    pub fn domain_name(&self) -> Option<&str> {
        self.values("domain-name").and_then(|values| values.first()).map(String::as_str)
    }

    /// The `domain-name-servers`, in order.
    pub fn name_servers(&self) -> Vec<NameServer> {
        self.values("domain-name-servers")
            .unwrap_or_default()
            .iter()
            .filter_map(|value| match value.as_str() {
                AMAZON_PROVIDED_DNS => Some(NameServer::AmazonProvided),
                other => other.parse().ok().map(NameServer::Address),
            })
            .collect()
    }
}

impl Resource for DhcpOptions {
    const KIND: &'static str = "dhcp_options";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.dhcp_options
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.dhcp_options
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
}

impl Filterable for DhcpOptions {
    const FILTERS: &'static [&'static str] = &["dhcp-options-id", "key", "value", "owner-id"];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        match name {
            "dhcp-options-id" => out.push(self.id.clone()),
            "key" => out.extend(self.configurations.iter().map(|option| option.key.clone())),
            "value" => out.extend(self.configurations.iter().flat_map(|option| option.values.iter().cloned())),
            "owner-id" => out.push(self.owner_id.clone()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.tags)
    }
}

/// The options CreateDhcpOptions accepts, with how many values each may have (spec §12.1 [D bc doc]).
const KEYS: &[(&str, usize)] = &[
    ("domain-name", 1),
    ("domain-name-servers", 4),
    ("ntp-servers", 8),
    ("netbios-name-servers", 4),
    ("netbios-node-type", 1),
    ("ipv6-address-preferred-lease-time", 1),
];

/// Looks a set up, checking the ID's shape first.
pub fn find(region: &RegionState, dhcp_options_id: &str) -> Result<Arc<DhcpOptions>> {
    IdKind::DhcpOptions.check(dhcp_options_id)?;
    region
        .dhcp_options
        .get(dhcp_options_id)
        .cloned()
        .ok_or_else(|| Ec2Error::DhcpOptionsNotFound(vec![dhcp_options_id.to_string()]))
}

/// CreateDhcpOptions (spec §12.1): every key known, every value of the right form, at most the documented number
/// of values per key.
pub fn create(
    tx: &mut Tx,
    scope: &Scope,
    configurations: Vec<DhcpConfiguration>,
    tags: Vec<Tag>,
) -> Result<Arc<DhcpOptions>> {
    if configurations.is_empty() {
        return Err(Ec2Error::MissingParameter("DhcpConfiguration".into()));
    }
    let mut merged: Vec<DhcpConfiguration> = Vec::new();
    for option in configurations {
        let Some(&(_, max)) = KEYS.iter().find(|(key, _)| *key == option.key) else {
            return Err(Ec2Error::DhcpOptionUnknownKey(option.key));
        };
        if option.values.is_empty() {
            return Err(Ec2Error::DhcpOptionInvalidValue { key: option.key, value: String::new() });
        }
        if option.values.len() > max || merged.iter().any(|seen| seen.key == option.key) {
            return Err(Ec2Error::DhcpOptionTooManyValues { key: option.key, max });
        }
        for value in &option.values {
            check_value(&option.key, value)?;
        }
        merged.push(option);
    }
    crate::tags::validate(&tags)?;
    let options = DhcpOptions {
        id: tx.next_id(IdKind::DhcpOptions),
        owner_id: scope.account.clone(),
        configurations: merged,
        tags: Tags(tags),
    };
    let id = options.id.clone();
    tx.put(scope, options);
    Ok(tx.get(scope, &id).expect("just inserted"))
}

/// One value of one option.
// ASSUMPTION (spec §12.1 [I] message): a bad value answers InvalidParameterValue naming the value and the option,
// AWS's usual "Value (x) for parameter y is invalid." form.
fn check_value(key: &str, value: &str) -> Result<()> {
    let invalid = || Ec2Error::DhcpOptionInvalidValue { key: key.to_string(), value: value.to_string() };
    let address = || value.parse::<Ipv4Addr>().map(|_| ()).map_err(|_| invalid());
    match key {
        "domain-name" => {
            let labels_ok = value.split([' ', '.']).filter(|label| !label.is_empty()).all(|label| {
                label.len() <= 63 && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            });
            if value.trim().is_empty() || value.len() > 255 || !labels_ok {
                return Err(invalid());
            }
            Ok(())
        }
        "domain-name-servers" if value == AMAZON_PROVIDED_DNS => Ok(()),
        "domain-name-servers" | "ntp-servers" | "netbios-name-servers" => address(),
        "netbios-node-type" if ["1", "2", "4", "8"].contains(&value) => Ok(()),
        "ipv6-address-preferred-lease-time" => match value.parse::<u64>() {
            Ok(seconds) if (140..=2_147_483_647).contains(&seconds) => Ok(()),
            _ => Err(invalid()),
        },
        _ => Err(invalid()),
    }
}

/// DeleteDhcpOptions (spec §12.1): refused while any VPC of the scope uses the set.
pub fn delete(tx: &mut Tx, scope: &Scope, dhcp_options_id: &str) -> Result<()> {
    let region = tx.region(scope);
    let options = find(region, dhcp_options_id)?;
    if region.vpcs.values().any(|vpc| vpc.dhcp_options_id == options.id) {
        return Err(Ec2Error::DhcpOptionsHasDependencies(options.id.clone()));
    }
    tx.remove::<DhcpOptions>(scope, dhcp_options_id);
    Ok(())
}

/// AssociateDhcpOptions (spec §12.1): a set of the scope, or [`NO_OPTIONS`].
pub fn associate(tx: &mut Tx, scope: &Scope, dhcp_options_id: &str, vpc_id: &str) -> Result<()> {
    let region = tx.region(scope);
    let target =
        if dhcp_options_id == NO_OPTIONS { NO_OPTIONS.to_string() } else { find(region, dhcp_options_id)?.id.clone() };
    let vpc = crate::vpc::find(region, vpc_id)?;
    tx.update::<Vpc>(scope, &vpc.id, |vpc| vpc.dhcp_options_id = target);
    Ok(())
}

/// The set of a VPC, if it has one (not [`NO_OPTIONS`], not deleted).
pub fn of_vpc<'r>(region: &'r RegionState, vpc: &Vpc) -> Option<&'r Arc<DhcpOptions>> {
    region.dhcp_options.get(vpc.dhcp_options_id.as_str())
}

/// The region's default set for a new VPC, created with the first VPC of the scope (spec §12.1 [D]: one per
/// account and Region, `domain-name` the region's private domain, `domain-name-servers = AmazonProvidedDNS`).
pub(crate) fn default_for_new_vpc(tx: &mut Tx, scope: &Scope) -> String {
    let meta = tx.region(scope).meta.clone();
    if !meta.dhcp_options_id.is_empty() {
        // ASSUMPTION (spec §12.1 [I]): once the default set is deleted, new VPCs get no options at all.
        return if tx.region(scope).dhcp_options.contains_key(meta.dhcp_options_id.as_str()) {
            meta.dhcp_options_id
        } else {
            NO_OPTIONS.to_string()
        };
    }
    let options = DhcpOptions {
        id: tx.next_id(IdKind::DhcpOptions),
        owner_id: scope.account.clone(),
        configurations: vec![
            DhcpConfiguration { key: "domain-name".into(), values: vec![dns_name::private_domain(&scope.region)] },
            DhcpConfiguration { key: "domain-name-servers".into(), values: vec![AMAZON_PROVIDED_DNS.into()] },
        ],
        tags: Tags::default(),
    };
    let id = options.id.clone();
    tx.put(scope, options);
    tx.set_meta(scope, RegionMeta { dhcp_options_id: id.clone(), ..meta });
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vpc::{create_vpc, CreateVpc};
    use crate::world::{Timestamp, World};

    fn option(key: &str, values: &[&str]) -> DhcpConfiguration {
        DhcpConfiguration { key: key.into(), values: values.iter().map(|v| v.to_string()).collect() }
    }

    fn scope() -> Scope {
        Scope::new("123456789012", "eu-west-1")
    }

    #[test]
    fn the_default_set_comes_with_the_first_vpc_and_names_the_region_domain() {
        let mut world = World::default();
        let mut tx = Tx::new(&mut world, Timestamp(0));
        let vpc = create_vpc(&mut tx, &scope(), CreateVpc { cidr_block: "10.0.0.0/16".into(), ..Default::default() })
            .unwrap();
        let options = of_vpc(tx.region(&scope()), &vpc).unwrap().clone();
        assert_eq!(options.domain_name(), Some("eu-west-1.compute.internal"));
        assert_eq!(options.name_servers(), vec![NameServer::AmazonProvided]);
        let second =
            create_vpc(&mut tx, &scope(), CreateVpc { cidr_block: "10.1.0.0/16".into(), ..Default::default() })
                .unwrap();
        assert_eq!(second.dhcp_options_id, options.id);
    }

    #[test]
    fn values_are_checked_per_key() {
        let mut world = World::default();
        let mut tx = Tx::new(&mut world, Timestamp(0));
        let created = create(
            &mut tx,
            &scope(),
            vec![option("domain-name", &["corp.example"]), option("domain-name-servers", &["10.0.0.9"])],
            vec![],
        )
        .unwrap();
        assert_eq!(created.name_servers(), vec![NameServer::Address("10.0.0.9".parse().unwrap())]);
        let refused = |configurations| {
            create(&mut Tx::new(&mut World::default(), Timestamp(0)), &scope(), configurations, vec![])
        };
        assert_eq!(refused(vec![option("netbios-node-type", &["0"])]).unwrap_err().code(), "InvalidParameterValue");
        assert_eq!(refused(vec![option("ntp-servers", &["f"; 5])]).unwrap_err().code(), "InvalidParameterValue");
        assert_eq!(refused(vec![option("routers", &["10.0.0.1"])]).unwrap_err().code(), "InvalidParameterValue");
        assert_eq!(
            refused(vec![option("domain-name-servers", &["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"])])
                .unwrap_err()
                .code(),
            "InvalidParameterValue"
        );
    }

    #[test]
    fn a_set_in_use_cannot_be_deleted_until_the_vpc_lets_go() {
        let mut world = World::default();
        let mut tx = Tx::new(&mut world, Timestamp(0));
        let vpc = create_vpc(&mut tx, &scope(), CreateVpc { cidr_block: "10.0.0.0/16".into(), ..Default::default() })
            .unwrap();
        let set = create(&mut tx, &scope(), vec![option("domain-name", &["corp.example"])], vec![]).unwrap();
        associate(&mut tx, &scope(), &set.id, &vpc.id).unwrap();
        assert_eq!(delete(&mut tx, &scope(), &set.id).unwrap_err().code(), "DependencyViolation");
        associate(&mut tx, &scope(), NO_OPTIONS, &vpc.id).unwrap();
        assert_eq!(tx.get::<Vpc>(&scope(), &vpc.id).unwrap().dhcp_options_id, "default");
        delete(&mut tx, &scope(), &set.id).unwrap();
        assert_eq!(find(tx.region(&scope()), &set.id).unwrap_err().code(), "InvalidDhcpOptionID.NotFound");
    }
}
