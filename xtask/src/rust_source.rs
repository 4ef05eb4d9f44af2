//! A small lexer for Rust source, just enough for the house-rule checks in `tidy`.
//!
//! It separates code from comments and string literals, so that `tidy` can look for attributes in code only (a doc
//! comment that *mentions* a forbidden attribute is fine) and can collect the string literals of `error.rs`. It
//! knows line and block comments (nested), normal, byte, C and raw strings, and tells char literals from lifetimes.
//! It does not parse Rust: macros, tokens and syntax errors are all just "code" to it.

/// Rust source split into code and string literals.
#[derive(Debug, Default, PartialEq)]
pub struct Scanned {
    /// The source with every comment and every string literal's contents replaced by spaces. Newlines are kept, so
    /// line numbers still match the original file.
    pub code: String,
    /// The contents of every string literal in order, with simple escapes (`\"`, `\\`, `\n`, `\t`, `\r`, `\0`,
    /// `\'`) decoded; other escapes are kept as written.
    pub strings: Vec<String>,
}

/// Scans `source`; it never fails, and an unterminated literal or comment simply runs to the end of the input.
pub fn scan(source: &str) -> Scanned {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Scanned::default();
    let mut pos = 0;
    while pos < chars.len() {
        let c = chars[pos];
        let next = chars.get(pos + 1).copied();
        let previous_is_ident = pos > 0 && is_ident_char(chars[pos - 1]);
        if c == '/' && next == Some('/') {
            while pos < chars.len() && chars[pos] != '\n' {
                out.code.push(' ');
                pos += 1;
            }
        } else if c == '/' && next == Some('*') {
            pos = skip_block_comment(&chars, pos, &mut out.code);
        } else if c == '"' {
            pos = string_literal(&chars, pos, &mut out);
        } else if !previous_is_ident && raw_string_start(&chars, pos).is_some() {
            pos = raw_string_literal(&chars, pos, &mut out);
        } else if c == '\'' {
            pos = char_literal_or_lifetime(&chars, pos, &mut out.code);
        } else {
            out.code.push(c);
            pos += 1;
        }
    }
    out
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Pushes `c` to `code` as a space, or as itself when it is a newline.
fn blank(code: &mut String, c: char) {
    code.push(if c == '\n' { '\n' } else { ' ' });
}

fn skip_block_comment(chars: &[char], mut pos: usize, code: &mut String) -> usize {
    let mut depth = 0;
    while pos < chars.len() {
        if chars[pos] == '/' && chars.get(pos + 1) == Some(&'*') {
            depth += 1;
            code.push_str("  ");
            pos += 2;
        } else if chars[pos] == '*' && chars.get(pos + 1) == Some(&'/') {
            depth -= 1;
            code.push_str("  ");
            pos += 2;
            if depth == 0 {
                break;
            }
        } else {
            blank(code, chars[pos]);
            pos += 1;
        }
    }
    pos
}

/// Scans a `"…"` literal starting at the opening quote; any `b` or `c` prefix was already copied as code.
fn string_literal(chars: &[char], mut pos: usize, out: &mut Scanned) -> usize {
    out.code.push('"');
    pos += 1;
    let mut text = String::new();
    while pos < chars.len() {
        let c = chars[pos];
        if c == '"' {
            out.code.push('"');
            pos += 1;
            break;
        }
        if c == '\\' && pos + 1 < chars.len() {
            let escaped = chars[pos + 1];
            match escaped {
                '"' | '\\' | '\'' => text.push(escaped),
                'n' => text.push('\n'),
                't' => text.push('\t'),
                'r' => text.push('\r'),
                '0' => text.push('\0'),
                // A line continuation, or an escape (`\u{…}`, `\x…`) kept as written.
                '\n' => {}
                other => {
                    text.push('\\');
                    text.push(other);
                }
            }
            blank(&mut out.code, c);
            blank(&mut out.code, escaped);
            pos += 2;
            continue;
        }
        text.push(c);
        blank(&mut out.code, c);
        pos += 1;
    }
    out.strings.push(text);
    pos
}

/// If a raw string (`r"`, `r#"`, `br#"`, `cr"` …) starts at `pos`, returns the number of `#`s and the index of its
/// opening quote.
fn raw_string_start(chars: &[char], pos: usize) -> Option<(usize, usize)> {
    let mut index = pos;
    if matches!(chars.get(index), Some('b' | 'c')) {
        index += 1;
    }
    if chars.get(index) != Some(&'r') {
        return None;
    }
    index += 1;
    let hashes_start = index;
    while chars.get(index) == Some(&'#') {
        index += 1;
    }
    (chars.get(index) == Some(&'"')).then_some((index - hashes_start, index))
}

fn raw_string_literal(chars: &[char], pos: usize, out: &mut Scanned) -> usize {
    let (hashes, quote) = raw_string_start(chars, pos).expect("caller checked raw_string_start");
    out.code.extend(&chars[pos..=quote]);
    let mut index = quote + 1;
    let mut text = String::new();
    while index < chars.len() {
        if chars[index] == '"' && (1..=hashes).all(|offset| chars.get(index + offset) == Some(&'#')) {
            out.code.push('"');
            out.code.extend(std::iter::repeat_n('#', hashes));
            index += 1 + hashes;
            break;
        }
        text.push(chars[index]);
        blank(&mut out.code, chars[index]);
        index += 1;
    }
    out.strings.push(text);
    index
}

/// A `'` starts a char literal (`'a'`, `'\''`, `'\u{1F600}'`) or a lifetime or label (`'a`, `'static`). Char
/// literals are blanked like strings, so that `'"'` does not open a string; lifetimes stay code.
fn char_literal_or_lifetime(chars: &[char], pos: usize, code: &mut String) -> usize {
    let end = match (chars.get(pos + 1), chars.get(pos + 2)) {
        (Some('\\'), _) => {
            // An escape: find the closing quote after the escaped character.
            let mut index = pos + 3;
            while index < chars.len() && chars[index] != '\'' && chars[index] != '\n' {
                index += 1;
            }
            (chars.get(index) == Some(&'\'')).then_some(index)
        }
        (Some(_), Some('\'')) => Some(pos + 2),
        _ => None,
    };
    match end {
        Some(end) => {
            code.push('\'');
            for &c in &chars[pos + 1..end] {
                blank(code, c);
            }
            code.push('\'');
            end + 1
        }
        None => {
            code.push('\'');
            pos + 1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_become_blanks_and_lines_are_kept() {
        let scanned = scan("let a = 1; // trailing \"not a string\"\n/* block /* nested */ still */ let b = 2;\n");
        assert_eq!(scanned.code.lines().count(), 2);
        assert!(scanned.code.contains("let a = 1;"));
        assert!(scanned.code.contains("let b = 2;"));
        assert!(!scanned.code.contains("trailing"));
        assert!(!scanned.code.contains("nested"));
        assert!(!scanned.code.contains("still"));
        assert!(scanned.strings.is_empty());
    }

    #[test]
    fn collects_string_literals_of_every_kind() {
        let source = concat!(
            "fn code(&self) -> &'static str {\n",
            "    match self { A => \"InvalidVpcID.NotFound\", B => r\"InvalidVpc.Range\", ",
            "C => r#\"say \"hi\"\"#, D => b\"bytes\", E => \"esc \\\"q\\\" \\\\ \\n\" }\n",
            "}\n",
        );
        let scanned = scan(source);
        assert_eq!(
            scanned.strings,
            vec!["InvalidVpcID.NotFound", "InvalidVpc.Range", "say \"hi\"", "bytes", "esc \"q\" \\ \n"]
        );
        assert!(!scanned.code.contains("InvalidVpc"));
        assert!(scanned.code.contains("&'static str"));
    }

    #[test]
    fn char_literals_do_not_open_strings() {
        let scanned = scan("let q = '\"'; let e = '\\''; let s = \"x\"; fn f<'a>(v: &'a str) -> char { 'z' }");
        assert_eq!(scanned.strings, vec!["x"]);
        assert!(scanned.code.contains("fn f<'a>(v: &'a str)"));
    }

    #[test]
    fn identifiers_ending_in_r_are_not_raw_strings() {
        let scanned = scan("let letter\"x\"; br#\"raw\"#;");
        assert_eq!(scanned.strings, vec!["x", "raw"]);
    }
}
