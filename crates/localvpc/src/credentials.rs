//! The credentials file of `serve --auth sigv4 --credentials FILE` (or `LOCALVPC_CREDENTIALS`).
//!
//! One key per line: `ACCESS_KEY SECRET [ACCOUNT]`, fields separated by spaces or tabs; `#` starts a comment and
//! blank lines are skipped. Without ACCOUNT the key acts for the account its own shape names (a 12-digit key *is*
//! the account, any other the default account), as without `--auth`. A malformed line stops the server with its
//! line number: a strict server that silently dropped a key would refuse that user for no visible reason.

use std::path::Path;

use anyhow::{bail, Context};
use localvpc_api::auth::Credentials;

/// Reads and parses the file at `path`.
pub fn load(path: &Path) -> anyhow::Result<Credentials> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("while reading the credentials file {}", path.display()))?;
    parse(&text).with_context(|| format!("in the credentials file {}", path.display()))
}

/// Parses the text of a credentials file.
pub fn parse(text: &str) -> anyhow::Result<Credentials> {
    let mut credentials = Credentials::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let content = line.split('#').next().unwrap_or_default();
        let fields: Vec<&str> = content.split_whitespace().collect();
        let (access_key, secret, account) = match fields[..] {
            [] => continue,
            [access_key, secret] => (access_key, secret, None),
            [access_key, secret, account] => (access_key, secret, Some(account)),
            _ => bail!("line {number}: expected `ACCESS_KEY SECRET [ACCOUNT]`, found {} fields", fields.len()),
        };
        if let Some(account) = account {
            if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                bail!("line {number}: the account `{account}` is not a 12-digit AWS account ID");
            }
        }
        if !credentials.insert(access_key, secret, account) {
            bail!("line {number}: the access key `{access_key}` is already defined on an earlier line");
        }
    }
    if credentials.is_empty() {
        bail!("no access keys: a strict server would refuse every request (lines are `ACCESS_KEY SECRET [ACCOUNT]`)");
    }
    Ok(credentials)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_comments_and_blank_lines() {
        let credentials = parse(
            "# team keys\n\
             AKIDALICE   alice-secret   111111111111\n\
             \n\
             222222222222\tbob-secret   # Bob's key is his account\n\
             AKIDCAROL carol-secret\n",
        )
        .unwrap();
        assert_eq!(credentials.len(), 3);
        assert_eq!(credentials.get("AKIDALICE").unwrap().account, "111111111111");
        assert_eq!(credentials.get("222222222222").unwrap().account, "222222222222");
        assert_eq!(credentials.get("AKIDCAROL").unwrap().account, "123456789012");
    }

    #[test]
    fn malformed_lines_are_reported_with_their_number() {
        let message = |text: &str| format!("{:#}", parse(text).unwrap_err());
        assert_eq!(message("AKID\n"), "line 1: expected `ACCESS_KEY SECRET [ACCOUNT]`, found 1 fields");
        assert_eq!(
            message("# c\nA s 111111111111 extra\n"),
            "line 2: expected `ACCESS_KEY SECRET [ACCOUNT]`, found 4 fields"
        );
        assert_eq!(message("A s 1234\n"), "line 1: the account `1234` is not a 12-digit AWS account ID");
        assert_eq!(message("A s\nA t\n"), "line 2: the access key `A` is already defined on an earlier line");
        assert!(message("# nothing\n\n").starts_with("no access keys"));
    }
}
