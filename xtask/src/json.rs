//! A minimal JSON reader, just enough for `cargo metadata --format-version 1`.
//!
//! xtask keeps to `anyhow` and std (STYLE.md, "xtask"), so it cannot use serde_json. This module parses a complete
//! JSON document into a [`Value`] tree and offers a few lookups. It does not serialize, stream, or keep number
//! precision beyond the source text: numbers stay as their original text.

use anyhow::{bail, Context, Result};

/// One parsed JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number exactly as written in the source.
    Number(String),
    String(String),
    Array(Vec<Value>),
    /// Members in source order; JSON objects from cargo have unique keys.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The member `key` of an object, or `None` for a missing key or a non-object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().find(|(name, _)| name == key).map(|(_, value)| value),
            _ => None,
        }
    }

    /// The string inside a `Value::String`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// The elements of a `Value::Array`; any other value gives an empty slice.
    pub fn as_array(&self) -> &[Value] {
        match self {
            Value::Array(items) => items,
            _ => &[],
        }
    }
}

/// Parses one JSON document; trailing non-whitespace is an error.
pub fn parse(text: &str) -> Result<Value> {
    let mut parser = Parser { chars: text.chars().collect(), pos: 0 };
    let value = parser.value().with_context(|| format!("while parsing JSON near character {}", parser.pos))?;
    parser.skip_whitespace();
    if parser.pos != parser.chars.len() {
        bail!("trailing characters after JSON value at character {}", parser.pos);
    }
    Ok(value)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Result<char> {
        let c = self.peek().context("unexpected end of JSON")?;
        self.pos += 1;
        Ok(c)
    }

    fn expect(&mut self, wanted: char) -> Result<()> {
        let found = self.next()?;
        if found != wanted {
            bail!("expected {wanted:?}, found {found:?}");
        }
        Ok(())
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value> {
        for wanted in word.chars() {
            self.expect(wanted)?;
        }
        Ok(value)
    }

    fn value(&mut self) -> Result<Value> {
        self.skip_whitespace();
        match self.peek().context("unexpected end of JSON")? {
            'n' => self.literal("null", Value::Null),
            't' => self.literal("true", Value::Bool(true)),
            'f' => self.literal("false", Value::Bool(false)),
            '"' => Ok(Value::String(self.string()?)),
            '[' => self.array(),
            '{' => self.object(),
            '-' | '0'..='9' => Ok(self.number()),
            other => bail!("unexpected character {other:?}"),
        }
    }

    fn number(&mut self) -> Value {
        let start = self.pos;
        while matches!(self.peek(), Some('-' | '+' | '.' | 'e' | 'E' | '0'..='9')) {
            self.pos += 1;
        }
        Value::Number(self.chars[start..self.pos].iter().collect())
    }

    fn array(&mut self) -> Result<Value> {
        self.expect('[')?;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_whitespace();
            match self.next()? {
                ',' => continue,
                ']' => return Ok(Value::Array(items)),
                other => bail!("expected ',' or ']' in array, found {other:?}"),
            }
        }
    }

    fn object(&mut self) -> Result<Value> {
        self.expect('{')?;
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some('}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_whitespace();
            let key = self.string()?;
            self.skip_whitespace();
            self.expect(':')?;
            let value = self.value()?;
            members.push((key, value));
            self.skip_whitespace();
            match self.next()? {
                ',' => continue,
                '}' => return Ok(Value::Object(members)),
                other => bail!("expected ',' or '}}' in object, found {other:?}"),
            }
        }
    }

    fn string(&mut self) -> Result<String> {
        self.expect('"')?;
        let mut out = String::new();
        loop {
            match self.next()? {
                '"' => return Ok(out),
                '\\' => match self.next()? {
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    '/' => out.push('/'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'u' => out.push(self.unicode_escape()?),
                    other => bail!("invalid escape \\{other}"),
                },
                c => out.push(c),
            }
        }
    }

    /// Decodes the digits after `\u`, joining a UTF-16 surrogate pair when one follows.
    fn unicode_escape(&mut self) -> Result<char> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first) {
            self.expect('\\')?;
            self.expect('u')?;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                bail!("unpaired UTF-16 surrogate in \\u escape");
            }
            let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
            return char::from_u32(combined).context("invalid \\u escape");
        }
        char::from_u32(first).context("invalid \\u escape (lone surrogate)")
    }

    fn hex4(&mut self) -> Result<u32> {
        let mut value = 0;
        for _ in 0..4 {
            let digit = self.next()?.to_digit(16).context("expected four hex digits after \\u")?;
            value = value * 16 + digit;
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_cargo_metadata_shape() {
        let text = r#" {"packages": [{"name": "localvpc-model", "dependencies": [
            {"name": "tokio", "kind": null, "optional": false, "req": "^1"},
            {"name": "insta", "kind": "dev"}]}],
            "target_directory": "/work/main/target", "version": 1} "#;
        let value = parse(text).unwrap();
        let package = &value.get("packages").unwrap().as_array()[0];
        assert_eq!(package.get("name").and_then(Value::as_str), Some("localvpc-model"));
        let dependencies = package.get("dependencies").unwrap().as_array();
        assert_eq!(dependencies[0].get("kind"), Some(&Value::Null));
        assert_eq!(dependencies[1].get("kind").and_then(Value::as_str), Some("dev"));
        assert_eq!(value.get("version"), Some(&Value::Number("1".to_owned())));
        assert_eq!(value.get("target_directory").and_then(Value::as_str), Some("/work/main/target"));
    }

    #[test]
    fn decodes_escapes() {
        let value = parse(r#"["a\"b\\c\/d\n", "\u00e9\ud83d\ude00", true, false, [], {}]"#).unwrap();
        let items = value.as_array();
        assert_eq!(items[0].as_str(), Some("a\"b\\c/d\n"));
        assert_eq!(items[1].as_str(), Some("é😀"));
        assert_eq!(items[2], Value::Bool(true));
        assert_eq!(items[4], Value::Array(vec![]));
        assert_eq!(items[5], Value::Object(vec![]));
    }

    #[test]
    fn rejects_broken_documents() {
        assert!(parse(r#"{"a": 1"#).is_err());
        assert!(parse(r#"{"a": 1} x"#).is_err());
        assert!(parse(r#"["\q"]"#).is_err());
        assert!(parse("").is_err());
    }
}
