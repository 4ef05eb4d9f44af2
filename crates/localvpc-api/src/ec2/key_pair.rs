//! Key pair actions: CreateKeyPair, ImportKeyPair, DescribeKeyPairs, DeleteKeyPair (spec part 2 §10.10).

use localvpc_model::filter::{matches, validate};
use localvpc_model::key_pair::{self, CreateKeyPair, KeyPair};
use localvpc_model::{Ec2Error, Tx, World};

use super::Ctx;
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

/// Fresh randomness for a new key: the model takes it as an argument and reads no OS source itself.
fn seed() -> std::result::Result<[u8; 32], Ec2Error> {
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed).map_err(|_| Ec2Error::InternalError)?;
    Ok(seed)
}

pub(crate) fn create_key_pair(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let request = CreateKeyPair {
        name: params.required("KeyName")?.to_string(),
        key_type: params.get("KeyType").map(str::to_string),
        key_format: params.get("KeyFormat").map(str::to_string),
        tags: params.tag_specifications("key-pair")?,
        seed: seed()?,
    };
    let created = key_pair::create(tx, &ctx.scope, request)?;
    let pair = &created.key_pair;
    x.text("keyName", &pair.name)
        .text("keyFingerprint", &pair.fingerprint)
        .text("keyMaterial", &created.private_key)
        .text("keyPairId", &pair.id);
    x.tag_set_if_any(&pair.tags);
    Ok(())
}

pub(crate) fn import_key_pair(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let name = params.required("KeyName")?;
    // `PublicKeyMaterial` is a blob: SDKs and the aws CLI send it base64-encoded.
    let material = params.get("PublicKeyMaterial").unwrap_or_default();
    let decoded = base64_decode(material).ok_or(Ec2Error::KeyPairFormat)?;
    let pair = key_pair::import(tx, &ctx.scope, name, &decoded, params.tag_specifications("key-pair")?)?;
    x.text("keyFingerprint", &pair.fingerprint).text("keyName", &pair.name).text("keyPairId", &pair.id);
    x.tag_set_if_any(&pair.tags);
    Ok(())
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(text.trim()).ok()
}

fn render_key_pair(x: &mut Xml, pair: &KeyPair, include_public_key: bool) {
    x.text("keyPairId", &pair.id).text("keyType", pair.key_type.name()).tag_set(&pair.tags);
    if include_public_key {
        x.text("publicKey", &pair.public_key_line());
    }
    x.text("createTime", &pair.create_time.to_iso8601())
        .text("keyName", &pair.name)
        .text("keyFingerprint", &pair.fingerprint);
}

pub(crate) fn describe_key_pairs(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let filters = params.filters()?;
    validate::<KeyPair>(&filters)?;
    let include_public_key = params.bool("IncludePublicKey")?.unwrap_or(false);
    let region = world.region(&ctx.scope);
    let found = key_pair::describe(region, &params.list("KeyName")?, &params.list("KeyPairId")?, |pair| {
        matches(pair, &filters)
    })?;
    x.list("keySet", found, |x, pair| render_key_pair(x, pair, include_public_key));
    Ok(())
}

pub(crate) fn delete_key_pair(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let deleted = key_pair::delete(tx, &ctx.scope, params.get("KeyName"), params.get("KeyPairId"))?;
    x.value("return", true).optional("keyPairId", deleted.as_deref());
    Ok(())
}
