//! Key material: generating RSA and ED25519 key pairs, reading imported public keys, and AWS's fingerprints.
//!
//! Read first: part 2 §10.10 (the fingerprint rules, from the EC2 user guide's `verify-keys.md`) and PuTTY's key
//! file format (its manual, appendix C, "PPK file format", version 3).
//!
//! Nothing here reads the OS: generation takes a 32-byte seed the caller draws, so the model stays free of I/O
//! and a test can fix the seed.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use md5::Md5;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use ssh_key::private::{Ed25519Keypair, KeypairData};
use ssh_key::public::KeyData;
use ssh_key::{Mpint, PrivateKey, PublicKey};

use crate::{Ec2Error, Result};

/// `KeyType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum KeyType {
    /// `rsa` (2048-bit when EC2 creates it).
    Rsa,
    /// `ed25519`.
    Ed25519,
}

impl KeyType {
    /// Parses `KeyType` (default `rsa`).
    pub fn parse(value: Option<&str>) -> Result<KeyType> {
        match value.unwrap_or("rsa") {
            "rsa" => Ok(KeyType::Rsa),
            "ed25519" => Ok(KeyType::Ed25519),
            other => Err(Ec2Error::UnknownEnumValue { parameter: "KeyType", value: other.to_string() }),
        }
    }

    /// The name AWS shows.
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Rsa => "rsa",
            KeyType::Ed25519 => "ed25519",
        }
    }
}

/// `KeyFormat` of the private key CreateKeyPair returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFormat {
    /// `pem` (the default).
    Pem,
    /// `ppk`: a PuTTY private key file.
    Ppk,
}

impl KeyFormat {
    /// Parses `KeyFormat` (default `pem`).
    pub fn parse(value: Option<&str>) -> Result<KeyFormat> {
        match value.unwrap_or("pem") {
            "pem" => Ok(KeyFormat::Pem),
            "ppk" => Ok(KeyFormat::Ppk),
            other => Err(Ec2Error::UnknownEnumValue { parameter: "KeyFormat", value: other.to_string() }),
        }
    }
}

/// A key pair CreateKeyPair made: the private half goes to the caller once and is never stored.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The public key as an OpenSSH line without comment (`ssh-rsa AAAA…`).
    pub public_key: String,
    /// AWS's fingerprint of a created key.
    pub fingerprint: String,
    /// `keyMaterial`: the private key in the requested format.
    pub private_key: String,
}

/// A public key ImportKeyPair read.
#[derive(Debug, Clone)]
pub struct Imported {
    /// Its type.
    pub key_type: KeyType,
    /// The public key as an OpenSSH line without comment.
    pub public_key: String,
    /// AWS's fingerprint of an imported key.
    pub fingerprint: String,
}

/// Part 2 §10.10 [I]: RSA keys EC2 creates are 2048-bit.
const RSA_BITS: usize = 2048;

/// Generates a key pair of `key_type` from `seed`, the private key in `format`, named `name` (the comment of an
/// OpenSSH or PuTTY file).
pub fn generate(key_type: KeyType, format: KeyFormat, name: &str, seed: [u8; 32]) -> Generated {
    let mut rng = ChaCha20Rng::from_seed(seed);
    match key_type {
        KeyType::Rsa => {
            let private = RsaPrivateKey::new(&mut rng, RSA_BITS).expect("2048-bit RSA generation succeeds");
            let public = rsa_public_blob(&private.to_public_key());
            // Part 2 §10.10 [D]: a created RSA key's fingerprint is the SHA-1 of its PKCS#8 DER private key.
            let pkcs8 = private.to_pkcs8_der().expect("an RSA key encodes as PKCS#8");
            let fingerprint = colon_hex(&Sha1::digest(pkcs8.as_bytes()));
            let private_key = match format {
                // ASSUMPTION (part 2 §10.10 [I]): the PEM flavour is PKCS#1 (`BEGIN RSA PRIVATE KEY`).
                KeyFormat::Pem => {
                    private.to_pkcs1_pem(LineEnding::LF).expect("an RSA key encodes as PKCS#1").to_string()
                }
                KeyFormat::Ppk => {
                    ppk("ssh-rsa", name, &public.to_bytes().expect("encodes"), &rsa_ppk_private(&private))
                }
            };
            Generated { public_key: openssh_line(&public), fingerprint, private_key }
        }
        KeyType::Ed25519 => {
            let mut secret = [0u8; 32];
            rng.fill_bytes(&mut secret);
            let keypair = Ed25519Keypair::from_seed(&secret);
            let public = PublicKey::from(keypair.public);
            let fingerprint = ed25519_fingerprint(&public);
            let private_key = match format {
                // ASSUMPTION (part 2 §10.10 [I]): the PEM of an ED25519 key is an OpenSSH private key block.
                KeyFormat::Pem => PrivateKey::new(KeypairData::Ed25519(keypair), name)
                    .and_then(|key| key.to_openssh(ssh_key::LineEnding::LF).map(|text| text.to_string()))
                    .expect("an ED25519 key encodes"),
                KeyFormat::Ppk => {
                    // PuTTY keeps the ED25519 secret as an unsigned little-endian integer: high zero bytes go.
                    let mut bytes = secret.to_vec();
                    while bytes.last() == Some(&0) {
                        bytes.pop();
                    }
                    let mut blob = Vec::new();
                    put_string(&mut blob, &bytes);
                    ppk("ssh-ed25519", name, &public.to_bytes().expect("encodes"), &blob)
                }
            };
            Generated { public_key: openssh_line(&public), fingerprint, private_key }
        }
    }
}

/// Reads ImportKeyPair's `PublicKeyMaterial` (already base64-decoded): an OpenSSH public key line, an RFC 4716
/// `---- BEGIN SSH2 PUBLIC KEY ----` block, or base64 DER (SubjectPublicKeyInfo) of an RSA key — the formats the
/// EC2 user guide lists. RSA keys of 1024 to 4096 bits and ED25519 keys; anything else is `InvalidKeyPair.Format`.
pub fn import(material: &[u8]) -> Result<Imported> {
    let text = std::str::from_utf8(material).map_err(|_| Ec2Error::KeyPairFormat)?.trim();
    let public = if text.starts_with("---- BEGIN SSH2 PUBLIC KEY ----") {
        PublicKey::from_bytes(&rfc4716_blob(text)?).map_err(|_| Ec2Error::KeyPairFormat)?
    } else if text.starts_with("ssh-") {
        openssh_public_key(text)?
    } else {
        let der = BASE64.decode(text.split_whitespace().collect::<String>()).map_err(|_| Ec2Error::KeyPairFormat)?;
        let rsa = RsaPublicKey::from_public_key_der(&der).map_err(|_| Ec2Error::KeyPairFormat)?;
        rsa_public_blob(&rsa)
    };
    match public.key_data() {
        KeyData::Rsa(key) => {
            let rsa = RsaPublicKey::new(
                BigUint::from_bytes_be(key.n.as_positive_bytes().ok_or(Ec2Error::KeyPairFormat)?),
                BigUint::from_bytes_be(key.e.as_positive_bytes().ok_or(Ec2Error::KeyPairFormat)?),
            )
            .map_err(|_| Ec2Error::KeyPairFormat)?;
            if !(1024..=4096).contains(&rsa.size().saturating_mul(8)) {
                return Err(Ec2Error::KeyPairFormat);
            }
            // Part 2 §10.10 [D]: an imported RSA key's fingerprint is the MD5 of its DER public key.
            let der = rsa.to_public_key_der().map_err(|_| Ec2Error::KeyPairFormat)?;
            Ok(Imported {
                key_type: KeyType::Rsa,
                public_key: openssh_line(&public),
                fingerprint: colon_hex(&Md5::digest(der.as_bytes())),
            })
        }
        KeyData::Ed25519(_) => Ok(Imported {
            key_type: KeyType::Ed25519,
            public_key: openssh_line(&public),
            fingerprint: ed25519_fingerprint(&public),
        }),
        // Part 2 §10.10 [D]: DSA (and ECDSA) keys are refused.
        _ => Err(Ec2Error::KeyPairFormat),
    }
}

/// An OpenSSH public key line: `type base64 [comment]`, the blob's own type the same as the line's.
// ASSUMPTION (part 2 §10.10 [I]): the base64 field is read as a MIME decoder reads it, skipping characters outside
// the alphabet (a stray `\` from a copied shell line), as moto's test keys expect of ImportKeyPair.
fn openssh_public_key(text: &str) -> Result<PublicKey> {
    let mut fields = text.split_whitespace();
    let (Some(algorithm), Some(encoded)) = (fields.next(), fields.next()) else { return Err(Ec2Error::KeyPairFormat) };
    let alphabet: String =
        encoded.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')).collect();
    let blob = BASE64.decode(alphabet).map_err(|_| Ec2Error::KeyPairFormat)?;
    let public = PublicKey::from_bytes(&blob).map_err(|_| Ec2Error::KeyPairFormat)?;
    if public.algorithm().as_str() != algorithm {
        return Err(Ec2Error::KeyPairFormat);
    }
    Ok(public)
}

/// Part 2 §10.10 [D]: an ED25519 fingerprint (created or imported) is the base64 SHA-256 of the SSH public key
/// blob, with `=` padding and without OpenSSH's `SHA256:` prefix.
fn ed25519_fingerprint(public: &PublicKey) -> String {
    BASE64.encode(Sha256::digest(public.to_bytes().expect("a public key encodes")))
}

/// The body of an RFC 4716 block: header lines (`Name: value`, continued by a trailing `\`) are skipped.
fn rfc4716_blob(text: &str) -> Result<Vec<u8>> {
    let mut body = String::new();
    let mut continued = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with("---- ") {
            continue;
        }
        if continued || line.contains(':') {
            continued = line.ends_with('\\');
            continue;
        }
        body.push_str(line);
    }
    BASE64.decode(body).map_err(|_| Ec2Error::KeyPairFormat)
}

pub(crate) fn rsa_public_blob(key: &RsaPublicKey) -> PublicKey {
    let data = ssh_key::public::RsaPublicKey {
        e: Mpint::from_positive_bytes(&key.e().to_bytes_be()).expect("a positive exponent"),
        n: Mpint::from_positive_bytes(&key.n().to_bytes_be()).expect("a positive modulus"),
    };
    PublicKey::from(KeyData::Rsa(data))
}

/// `ssh-rsa AAAA…` without a comment.
pub(crate) fn openssh_line(public: &PublicKey) -> String {
    let mut key = public.clone();
    key.set_comment("");
    key.to_openssh().expect("a public key encodes").trim().to_string()
}

/// Lowercase hex with colons, as AWS prints RSA fingerprints.
fn colon_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect::<Vec<_>>().join(":")
}

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// An SSH `mpint`: big-endian, a leading zero byte when the top bit is set.
fn put_mpint(out: &mut Vec<u8>, value: &BigUint) {
    let mut bytes = value.to_bytes_be();
    while bytes.first() == Some(&0) {
        bytes.remove(0);
    }
    if bytes.first().is_some_and(|byte| byte & 0x80 != 0) {
        bytes.insert(0, 0);
    }
    put_string(out, &bytes);
}

/// PuTTY's RSA private blob: `d`, `p`, `q`, `iqmp` (q⁻¹ mod p).
fn rsa_ppk_private(key: &RsaPrivateKey) -> Vec<u8> {
    let mut key = key.clone();
    key.precompute().expect("a generated key precomputes");
    let primes = key.primes();
    let iqmp = key.qinv().and_then(|value| value.to_biguint()).expect("precomputed");
    let mut blob = Vec::new();
    put_mpint(&mut blob, key.d());
    put_mpint(&mut blob, &primes[0]);
    put_mpint(&mut blob, &primes[1]);
    put_mpint(&mut blob, &iqmp);
    blob
}

/// A PuTTY key file, format 3, unencrypted: the MAC is HMAC-SHA-256 with an empty key over the algorithm, the
/// encryption, the comment and both blobs.
fn ppk(algorithm: &str, comment: &str, public: &[u8], private: &[u8]) -> String {
    let mut macced = Vec::new();
    for part in [algorithm.as_bytes(), b"none", comment.as_bytes(), public, private] {
        put_string(&mut macced, part);
    }
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&[]).expect("HMAC takes any key length");
    mac.update(&macced);
    let mac: String = mac.finalize().into_bytes().iter().map(|byte| format!("{byte:02x}")).collect();
    let lines = |bytes: &[u8]| -> Vec<String> {
        let encoded = BASE64.encode(bytes);
        encoded.as_bytes().chunks(64).map(|chunk| String::from_utf8_lossy(chunk).into_owned()).collect()
    };
    let (public_lines, private_lines) = (lines(public), lines(private));
    let mut out = format!("PuTTY-User-Key-File-3: {algorithm}\nEncryption: none\nComment: {comment}\n");
    out.push_str(&format!("Public-Lines: {}\n", public_lines.len()));
    public_lines.iter().for_each(|line| out.push_str(&format!("{line}\n")));
    out.push_str(&format!("Private-Lines: {}\n", private_lines.len()));
    private_lines.iter().for_each(|line| out.push_str(&format!("{line}\n")));
    out.push_str(&format!("Private-MAC: {mac}\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// moto's test key (an OpenSSH RSA public key) and the MD5-of-DER fingerprint AWS gives it on import.
    const RSA_PUBLIC: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDusXfgTE4eBP50NglSzCSEGnIL6+cr6m3H6cZANOQ+P1o/W4BdtcAL3sor4iGi7SOeJgo8kweyMQrhrt6HaKGgromRiz37LQx4YIAcBi4Zd023mO/V7Rc2Chh18mWgLSmA6ng+j37ip6452zxtv0jHAz9pJolbKBpJzbZlPN45ZCTk9ck0fSVHRl6VRSSPQcpqi65XpRf+35zNOCGCc1mAOOTmw59Q2a6A3t8mL7r91aM5q6QOQm219lctFM8O7HRJnDgmhGpnjRwE1LyKktWTbgFZ4SNWU2XqusUO07jKuSxzPumXBeU+JEtx0J1tqZwJlpGt2R+0qN7nKnPl2+hx moto@github.com";

    #[test]
    fn imported_rsa_fingerprint_is_md5_of_the_der_public_key() {
        let imported = import(RSA_PUBLIC.as_bytes()).unwrap();
        assert_eq!(imported.key_type, KeyType::Rsa);
        assert_eq!(imported.fingerprint, "6a:49:07:1c:7e:bd:d2:bd:96:25:fe:b5:74:83:ae:fd");
        assert!(RSA_PUBLIC.starts_with(&imported.public_key));
        let block = format!(
            "---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"a long \\\ncomment\"\n{}\n---- END SSH2 PUBLIC KEY ----\n",
            RSA_PUBLIC.split(' ').nth(1).unwrap()
        );
        assert_eq!(import(block.as_bytes()).unwrap().fingerprint, imported.fingerprint);
    }

    #[test]
    fn ed25519_fingerprint_is_padded_base64_sha256_of_the_blob() {
        let line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEwsSB9HbTeKCdkSlMZeTq9jZggaPJUwAsUi/7wakB+B moto@getmoto";
        let imported = import(line.as_bytes()).unwrap();
        let blob = BASE64.decode(line.split(' ').nth(1).unwrap()).unwrap();
        assert_eq!(imported.fingerprint, BASE64.encode(Sha256::digest(&blob)));
        assert_eq!(imported.fingerprint.len(), 44);
        assert!(imported.fingerprint.ends_with('='));
    }

    #[test]
    fn a_stray_character_in_the_base64_field_is_skipped() {
        let (head, tail) = RSA_PUBLIC.split_at(100);
        let with_backslash = format!("{head}\\{tail}");
        assert_eq!(
            import(with_backslash.as_bytes()).unwrap().fingerprint,
            import(RSA_PUBLIC.as_bytes()).unwrap().fingerprint
        );
        let mislabelled = RSA_PUBLIC.replacen("ssh-rsa", "ssh-ed25519", 1);
        assert_eq!(import(mislabelled.as_bytes()).unwrap_err(), Ec2Error::KeyPairFormat);
    }

    #[test]
    fn garbage_and_dsa_are_refused() {
        for bad in ["", "---- BEGIN SSH2 PUBLIC KEY ----\nsth", "ssh-rsa notbase64", "ssh-dss AAAAB3NzaC1kc3MAAACBAJ0a"]
        {
            assert_eq!(import(bad.as_bytes()).unwrap_err(), Ec2Error::KeyPairFormat, "{bad}");
        }
    }

    #[test]
    fn generated_keys_carry_their_formats_and_fingerprints() {
        let rsa = generate(KeyType::Rsa, KeyFormat::Pem, "k", [7; 32]);
        assert!(rsa.private_key.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
        assert_eq!(rsa.fingerprint.len(), 59);
        assert!(rsa.public_key.starts_with("ssh-rsa AAAA"));
        // The same key imported is fingerprinted the other way (MD5 of the public key), as AWS documents.
        let again = import(rsa.public_key.as_bytes()).unwrap();
        assert_eq!(again.fingerprint.len(), 47);
        assert_ne!(again.fingerprint, rsa.fingerprint);
        let ed = generate(KeyType::Ed25519, KeyFormat::Pem, "k", [7; 32]);
        assert!(ed.private_key.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
        assert_eq!(import(ed.public_key.as_bytes()).unwrap().fingerprint, ed.fingerprint);
        let ppk = generate(KeyType::Ed25519, KeyFormat::Ppk, "k", [7; 32]);
        assert!(ppk.private_key.starts_with("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: k\n"));
        assert!(ppk.private_key.lines().last().unwrap().starts_with("Private-MAC: "));
        assert_ne!(generate(KeyType::Ed25519, KeyFormat::Pem, "k", [8; 32]).public_key, ed.public_key);
    }
}
