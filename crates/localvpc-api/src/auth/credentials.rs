//! The access keys a `serve --auth sigv4` server accepts: each key's secret and the account it acts for.
//!
//! The table is built by the binary from the credentials file (`crates/localvpc/src/credentials.rs` reads the
//! text); this module holds it and applies the one account rule of the DESIGN contract: the account named on the
//! key's line, else the key itself when it is 12 digits, else the default account.

use std::collections::HashMap;
use std::fmt;

use aws_smithy_runtime_api::client::identity::Identity;

use super::account_of_key;

/// One accepted access key.
#[derive(Clone)]
pub struct Key {
    /// The key and its secret, as the SigV4 signer takes them (built once, not per request).
    pub(super) identity: Identity,
    /// The account the key acts for.
    pub account: String,
}

/// Every accepted access key, by access key ID.
#[derive(Clone, Default)]
pub struct Credentials {
    keys: HashMap<String, Key>,
}

impl Key {
    /// Whether `secret` is this key's secret (the console's sign-in, where a browser cannot sign requests).
    pub fn secret_matches(&self, secret: &str) -> bool {
        self.identity
            .data::<aws_credential_types::Credentials>()
            .is_some_and(|credentials| credentials.secret_access_key() == secret)
    }
}

impl Credentials {
    /// An empty table.
    pub fn new() -> Credentials {
        Credentials::default()
    }

    /// Adds `access_key` with its `secret`, acting for `account` (or, when `None`, for the account the access key
    /// itself names by the 12-digit rule, else the default account). Returns `false`, changing nothing, when the
    /// key is already in the table.
    pub fn insert(&mut self, access_key: &str, secret: &str, account: Option<&str>) -> bool {
        if self.keys.contains_key(access_key) {
            return false;
        }
        let account = account.map_or_else(|| account_of_key(access_key), str::to_string);
        let identity =
            aws_credential_types::Credentials::new(access_key, secret, None, None, "localvpc credentials file").into();
        self.keys.insert(access_key.to_string(), Key { identity, account });
        true
    }

    /// The key `access_key`, if accepted.
    pub fn get(&self, access_key: &str) -> Option<&Key> {
        self.keys.get(access_key)
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Lists the access keys and accounts, never the secrets (the table may end up in a log line).
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut keys: Vec<_> = self.keys.iter().map(|(key, entry)| (key.as_str(), entry.account.as_str())).collect();
        keys.sort_unstable();
        f.debug_struct("Credentials").field("keys", &keys).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_the_account_else_the_twelve_digit_rule_else_the_default() {
        let mut credentials = Credentials::new();
        assert!(credentials.insert("AKIDNAMED", "s1", Some("111111111111")));
        assert!(credentials.insert("222222222222", "s2", None));
        assert!(credentials.insert("AKIDPLAIN", "s3", None));
        assert!(credentials.insert("333333333333", "s4", Some("444444444444")));
        assert_eq!(credentials.get("AKIDNAMED").unwrap().account, "111111111111");
        assert_eq!(credentials.get("222222222222").unwrap().account, "222222222222");
        assert_eq!(credentials.get("AKIDPLAIN").unwrap().account, "123456789012");
        assert_eq!(credentials.get("333333333333").unwrap().account, "444444444444");
        assert!(credentials.get("AKIDOTHER").is_none());
        assert_eq!(credentials.len(), 4);
    }

    #[test]
    fn a_second_line_for_a_key_is_refused_and_the_first_kept() {
        let mut credentials = Credentials::new();
        assert!(credentials.insert("AKID", "first", Some("111111111111")));
        assert!(!credentials.insert("AKID", "second", Some("222222222222")));
        assert_eq!(credentials.get("AKID").unwrap().account, "111111111111");
    }

    #[test]
    fn debug_output_never_shows_a_secret() {
        let mut credentials = Credentials::new();
        credentials.insert("AKID", "very-secret-value", None);
        let shown = format!("{credentials:?}");
        assert!(shown.contains("AKID"), "{shown}");
        assert!(!shown.contains("very-secret-value"), "{shown}");
    }
}
