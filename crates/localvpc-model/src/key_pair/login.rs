//! Whether an SSH identity logs in to an instance (`localvpc ssh -i KEY`): what sshd on an EC2 image decides from
//! the `authorized_keys` cloud-init wrote at launch — the public key of the instance's key pair, and nothing when
//! the instance was launched without one.

use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::RsaPrivateKey;
use ssh_key::PrivateKey;

use super::material;
use crate::instance::Instance;
use crate::world::RegionState;

/// Why sshd refuses an identity. Every case looks the same to the client (`Permission denied (publickey)`); the
/// reason is for the user of an emulator, who can look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The instance was launched without a key pair: its `authorized_keys` is empty.
    NoKeyPair,
    /// The instance's key pair was deleted since: the instance keeps the key it was launched with, which localvpc
    /// no longer knows, so nothing can be compared.
    KeyPairGone(String),
    /// The identity is not the instance's key pair's.
    WrongKey(String),
}

impl Refusal {
    /// The reason, in a sentence.
    pub fn reason(&self) -> String {
        match self {
            Refusal::NoKeyPair => "the instance was launched without a key pair".into(),
            Refusal::KeyPairGone(name) => format!("the instance's key pair {name} no longer exists"),
            Refusal::WrongKey(name) => format!("the identity is not the key of the instance's key pair {name}"),
        }
    }
}

/// The public key (an OpenSSH line without comment) of an identity file's private key, as `ssh` derives it.
pub fn public_key_of_identity(text: &str) -> Option<String> {
    let text = text.trim();
    if let Ok(private) = PrivateKey::from_openssh(text) {
        return Some(material::openssh_line(private.public_key()));
    }
    let rsa = RsaPrivateKey::from_pkcs1_pem(text).or_else(|_| RsaPrivateKey::from_pkcs8_pem(text)).ok()?;
    Some(material::openssh_line(&material::rsa_public_blob(&rsa.to_public_key())))
}

/// Whether the identity whose public key is `offered` (an OpenSSH line, as [`public_key_of_identity`] gives it —
/// the client reads the private key; only the public half travels) logs in to `instance`.
pub fn check(region: &RegionState, instance: &Instance, offered: &str) -> Result<(), Refusal> {
    let name = instance.key_name.as_ref().ok_or(Refusal::NoKeyPair)?;
    let pair = super::find_by_name(region, name).map_err(|_| Refusal::KeyPairGone(name.clone()))?;
    if same_key(&pair.public_key, offered) {
        Ok(())
    } else {
        Err(Refusal::WrongKey(name.clone()))
    }
}

/// Two OpenSSH lines name the same key when their type and blob agree (comments aside).
fn same_key(stored: &str, offered: &str) -> bool {
    let key = |line: &str| line.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
    key(stored) == key(offered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key_pair::material::{generate, KeyFormat, KeyType};

    #[test]
    fn a_generated_private_key_yields_the_pairs_public_key_in_either_file_format() {
        for key_type in [KeyType::Ed25519, KeyType::Rsa] {
            let pem = generate(key_type, KeyFormat::Pem, "k", [7; 32]);
            let derived = public_key_of_identity(&pem.private_key).expect("a PEM private key is read");
            assert!(same_key(&pem.public_key, &derived), "{derived} vs {}", pem.public_key);
            let other = generate(key_type, KeyFormat::Pem, "k", [8; 32]);
            assert!(!same_key(&other.public_key, &derived));
        }
        assert_eq!(public_key_of_identity("ssh-ed25519 AAAA not a private key"), None);
    }

    #[test]
    fn comments_do_not_tell_keys_apart() {
        assert!(same_key("ssh-ed25519 AAAAC3Nz", "ssh-ed25519 AAAAC3Nz deployer@laptop"));
        assert!(!same_key("ssh-ed25519 AAAAC3Nz", "ssh-rsa AAAAC3Nz"));
    }
}
