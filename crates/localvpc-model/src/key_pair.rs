//! Key pairs (spec part 2 §10.10): CreateKeyPair, ImportKeyPair, DescribeKeyPairs, DeleteKeyPair.
//!
//! Key pairs are per Region and named uniquely there. Only the public half is stored: the private key of a
//! created pair leaves in the CreateKeyPair answer and nowhere else. The key material and fingerprints are in
//! [`material`].

pub mod login;
pub mod material;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::tags::{Tag, Tags};
use crate::world::{RegionState, Resource, Scope, Table, Timestamp, Tx};
use crate::{Ec2Error, Result};
use material::{KeyFormat, KeyType};

/// A key pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPair {
    /// `key-…`.
    pub id: String,
    /// `KeyName`, unique in the Region.
    pub name: String,
    /// `rsa` or `ed25519`.
    pub key_type: KeyType,
    /// AWS's fingerprint (created and imported RSA keys differ, part 2 §10.10).
    pub fingerprint: String,
    /// The public key, an OpenSSH line without comment.
    pub public_key: String,
    /// When it was created or imported.
    pub create_time: Timestamp,
    /// Tags.
    pub tags: Tags,
}

impl KeyPair {
    /// The public key as DescribeKeyPairs shows it with `IncludePublicKey`: the OpenSSH line with the key name as
    /// its comment.
    // ASSUMPTION (part 2 §10.10 [I]): AWS's documented example shows `ssh-ed25519 AAAA… my-key-pair`; an imported
    // key is shown the same way, not as the text that was imported.
    pub fn public_key_line(&self) -> String {
        format!("{} {}", self.public_key, self.name)
    }
}

impl Resource for KeyPair {
    const KIND: &'static str = "key_pair";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.key_pairs
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.key_pairs
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
}

impl Filterable for KeyPair {
    const FILTERS: &'static [&'static str] = &["key-pair-id", "fingerprint", "key-name", "key-type"];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        match name {
            "key-pair-id" => out.push(self.id.clone()),
            "fingerprint" => out.push(self.fingerprint.clone()),
            "key-name" => out.push(self.name.clone()),
            "key-type" => out.push(self.key_type.name().into()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.tags)
    }
}

/// CreateKeyPair parameters.
#[derive(Debug, Clone)]
pub struct CreateKeyPair {
    /// `KeyName`.
    pub name: String,
    /// `KeyType` as sent.
    pub key_type: Option<String>,
    /// `KeyFormat` as sent.
    pub key_format: Option<String>,
    /// Tags from `TagSpecification` (`key-pair`).
    pub tags: Vec<Tag>,
    /// Randomness for the key, drawn by the caller.
    pub seed: [u8; 32],
}

/// What CreateKeyPair answers: the stored pair and the private key, which is not stored.
#[derive(Debug, Clone)]
pub struct Created {
    /// The stored pair.
    pub key_pair: Arc<KeyPair>,
    /// `keyMaterial`.
    pub private_key: String,
}

/// Part 2 §10.10 [D]: up to 255 ASCII characters.
fn check_name(name: &str) -> Result<()> {
    if name.is_empty() || name.len() > 255 || !name.is_ascii() {
        return Err(Ec2Error::KeyNameInvalid(name.to_string()));
    }
    Ok(())
}

fn check_unused(region: &RegionState, name: &str) -> Result<()> {
    if region.key_pairs.values().any(|pair| pair.name == name) {
        return Err(Ec2Error::KeyPairDuplicate(name.to_string()));
    }
    Ok(())
}

/// CreateKeyPair (part 2 §10.10).
pub fn create(tx: &mut Tx, scope: &Scope, request: CreateKeyPair) -> Result<Created> {
    check_name(&request.name)?;
    let key_type = KeyType::parse(request.key_type.as_deref())?;
    let format = KeyFormat::parse(request.key_format.as_deref())?;
    crate::tags::validate(&request.tags)?;
    check_unused(tx.region(scope), &request.name)?;
    let generated = material::generate(key_type, format, &request.name, request.seed);
    let key_pair = insert(tx, scope, request.name, key_type, generated.fingerprint, generated.public_key, request.tags);
    Ok(Created { key_pair, private_key: generated.private_key })
}

/// ImportKeyPair (part 2 §10.10): `material` is `PublicKeyMaterial` after base64 decoding.
pub fn import(tx: &mut Tx, scope: &Scope, name: &str, material: &[u8], tags: Vec<Tag>) -> Result<Arc<KeyPair>> {
    check_name(name)?;
    crate::tags::validate(&tags)?;
    let imported = material::import(material)?;
    check_unused(tx.region(scope), name)?;
    Ok(insert(tx, scope, name.to_string(), imported.key_type, imported.fingerprint, imported.public_key, tags))
}

fn insert(
    tx: &mut Tx,
    scope: &Scope,
    name: String,
    key_type: KeyType,
    fingerprint: String,
    public_key: String,
    tags: Vec<Tag>,
) -> Arc<KeyPair> {
    let key_pair = KeyPair {
        id: tx.next_id(IdKind::KeyPair),
        name,
        key_type,
        fingerprint,
        public_key,
        create_time: tx.now(),
        tags: Tags(tags),
    };
    let id = key_pair.id.clone();
    tx.put(scope, key_pair);
    tx.get(scope, &id).expect("just inserted")
}

/// The pair named `name`.
pub fn find_by_name<'r>(region: &'r RegionState, name: &str) -> Result<&'r Arc<KeyPair>> {
    region.key_pairs.values().find(|pair| pair.name == name).ok_or_else(|| Ec2Error::KeyPairNotFound(name.into()))
}

/// DescribeKeyPairs: every named pair and every listed ID must exist; then the filters apply.
pub fn describe<'r>(
    region: &'r RegionState,
    names: &[String],
    ids: &[String],
    mut keep: impl FnMut(&KeyPair) -> bool,
) -> Result<Vec<&'r Arc<KeyPair>>> {
    for name in names {
        find_by_name(region, name)?;
    }
    for id in ids {
        if !region.key_pairs.contains_key(id.as_str()) {
            return Err(Ec2Error::KeyPairNotFound(id.clone()));
        }
    }
    Ok(region
        .key_pairs
        .values()
        .filter(|pair| names.is_empty() || names.contains(&pair.name))
        .filter(|pair| ids.is_empty() || ids.contains(&pair.id))
        .filter(|pair| keep(pair))
        .collect())
}

/// DeleteKeyPair by name or ID. Part 2 §10.10 [I]: deleting a pair that does not exist succeeds, as AWS answers
/// it; the deleted pair's ID is returned when there was one.
pub fn delete(tx: &mut Tx, scope: &Scope, name: Option<&str>, id: Option<&str>) -> Result<Option<String>> {
    if name.is_none() && id.is_none() {
        return Err(Ec2Error::MissingParameter("KeyName".into()));
    }
    let region = tx.region(scope);
    let found = region
        .key_pairs
        .values()
        .find(|pair| name.is_none_or(|name| pair.name == name) && id.is_none_or(|id| pair.id == id))
        .map(|pair| pair.id.clone());
    if let Some(found) = &found {
        tx.remove::<KeyPair>(scope, found);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::World;

    fn scope(region: &str) -> Scope {
        Scope::new("123456789012", region)
    }

    fn request(name: &str, key_type: &str) -> CreateKeyPair {
        CreateKeyPair {
            name: name.into(),
            key_type: Some(key_type.into()),
            key_format: None,
            tags: vec![],
            seed: [1; 32],
        }
    }

    #[test]
    fn names_are_unique_per_region_and_deletion_is_idempotent() {
        let mut world = World::default();
        let mut tx = Tx::new(&mut world, Timestamp(5));
        let created = create(&mut tx, &scope("us-east-1"), request("deploy", "ed25519")).unwrap();
        assert!(created.key_pair.id.starts_with("key-"));
        assert_eq!(
            create(&mut tx, &scope("us-east-1"), request("deploy", "ed25519")).unwrap_err(),
            Ec2Error::KeyPairDuplicate("deploy".into())
        );
        // Another region has its own names.
        create(&mut tx, &scope("eu-west-1"), request("deploy", "ed25519")).unwrap();
        assert_eq!(
            find_by_name(tx.region(&scope("us-east-2")), "deploy").unwrap_err().to_string(),
            "The key pair 'deploy' does not exist"
        );
        assert_eq!(
            delete(&mut tx, &scope("us-east-1"), Some("deploy"), None).unwrap(),
            Some(created.key_pair.id.clone())
        );
        assert_eq!(delete(&mut tx, &scope("us-east-1"), Some("deploy"), None).unwrap(), None);
        assert_eq!(
            create(&mut tx, &scope("us-east-1"), request("x", "dsa")).unwrap_err().code(),
            "InvalidParameterValue"
        );
        assert_eq!(
            create(&mut tx, &scope("us-east-1"), request("", "rsa")).unwrap_err().code(),
            "InvalidParameterValue"
        );
    }
}
