//! User data (spec §10.3): stored as the base64 text AWS answers with, checked as AWS checks it.
//!
//! RunInstances carries it as base64 text (SDKs encode it); ModifyInstanceAttribute carries it as a blob, whose
//! wire form is base64 of the value, so the value — itself base64 — is decoded once from the wire.

use crate::{Ec2Error, Result};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Decodes standard base64 (padding optional, line breaks ignored); `None` when it is not base64.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text.bytes().filter(|byte| !byte.is_ascii_whitespace()).collect();
    let trimmed: &[u8] = {
        let end = digits.iter().rposition(|&byte| byte != b'=').map_or(0, |last| last + 1);
        if digits.len() - end > 2 {
            return None;
        }
        &digits[..end]
    };
    if trimmed.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in trimmed {
        let value = ALPHABET.iter().position(|&digit| digit == byte)? as u32;
        buffer = (buffer << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// [O moto `InvalidUserDataError`, AWS's text]: user data must be base64.
pub fn check(text: &str) -> Result<()> {
    decode(text).map(|_| ()).ok_or(Ec2Error::InvalidUserData)
}

/// ModifyInstanceAttribute's `UserData.Value` blob: the stored user data is the wire value decoded once.
pub fn from_blob(wire: &str) -> Result<String> {
    let value = decode(wire).and_then(|bytes| String::from_utf8(bytes).ok()).ok_or(Ec2Error::InvalidUserData)?;
    check(&value)?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_standard_base64() {
        assert_eq!(decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode("aGVsbG8").unwrap(), b"hello");
        assert_eq!(decode("").unwrap(), b"");
        assert!(decode("not base64!").is_none());
        assert!(decode("a").is_none());
    }

    #[test]
    fn a_blob_is_decoded_once() {
        // base64("dGhpcyBpcyBteSB1c2VyIGRhdGE=") — what boto3 sends for that (base64) user data.
        let wire = "ZEdocGN5QnBjeUJ0ZVNCMWMyVnlJR1JoZEdFPQ==";
        assert_eq!(from_blob(wire).unwrap(), "dGhpcyBpcyBteSB1c2VyIGRhdGE=");
        assert_eq!(from_blob("aGVsbG8gd29ybGQh").unwrap_err(), Ec2Error::InvalidUserData);
    }
}
