//! The spec-error-code rule of `cargo xtask tidy`: every error code of spec §1–§2 and §5 is in `Ec2Error`.
//!
//! `spec_codes` reads the codes out of the spec; this check compares them with the string literals of
//! `crates/localvpc-model/src/error.rs` and with `spec_codes::NOT_YET_IMPLEMENTED`, and explains what is missing.
//! It is skipped with a notice when `../shared` is absent.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};

use super::report::{fail, note, warn, CheckResult, Finding};
use super::{collect_rust_files, TidyConfig};
use crate::spec_codes;

/// Where `Ec2Error` lives, relative to the repository root.
const ERROR_RS: &str = "crates/localvpc-model/src/error.rs";
/// The folder form of the same module, should `error.rs` ever be split.
const ERROR_DIR: &str = "crates/localvpc-model/src/error";
/// The spec, relative to the repository root.
const SPEC: &str = "../shared/spec/aws-vpc-behaviour.md";

/// STYLE.md, "Where AWS rules live" and "xtask": every spec error code is in `Ec2Error` or on the "not yet" list.
pub fn check_spec_error_codes(root: &Path, config: TidyConfig, sources: &[(String, String)]) -> Result<CheckResult> {
    let name = "spec error codes";
    let shared = root.join("../shared");
    if !shared.is_dir() {
        return Ok(CheckResult {
            name,
            summary: "skipped".to_owned(),
            findings: vec![note(format!("{} is absent, so the spec check was skipped", shared.display()))],
        });
    }
    let spec_path = root.join(SPEC);
    let markdown = match fs::read_to_string(&spec_path) {
        Ok(markdown) => markdown,
        Err(error) => {
            return Ok(CheckResult {
                name,
                summary: "spec unreadable".to_owned(),
                findings: vec![fail(format!("../shared exists but {SPEC} cannot be read: {error}"))],
            });
        }
    };
    let spec = spec_codes::spec_names(&markdown);
    let (implemented, mut findings) = error_rs_literals(root)?;
    if !spec_codes::all_sections_found(&spec) || spec.codes.is_empty() {
        findings.push(fail(format!(
            "found {} codes and sections {:?} in {SPEC}; expected sections {}: has the spec been restructured?",
            spec.codes.len(),
            spec.sections_found,
            spec_codes::checked_sections_label()
        )));
    }

    let mut missing: Vec<(&str, &str)> = Vec::new();
    let (mut in_error_rs, mut not_yet) = (0, 0);
    for (code, sections) in &spec.codes {
        if implemented.iter().any(|literal| literal == code) {
            in_error_rs += 1;
        } else if spec_codes::NOT_YET_IMPLEMENTED.contains(&code.as_str()) {
            not_yet += 1;
        } else {
            missing.push((code, &sections[0]));
        }
    }
    if !missing.is_empty() {
        missing.sort_by_key(|(code, section)| (section_sort_key(section), *code));
        let mut message = format!(
            "{} spec code(s) are neither a string literal in {ERROR_RS} nor on xtask's NOT_YET_IMPLEMENTED \
             (xtask/src/spec_codes.rs); by the spec section that first names them:",
            missing.len()
        );
        let mut index = 0;
        while index < missing.len() {
            let section = missing[index].1;
            let codes: Vec<&str> =
                missing[index..].iter().take_while(|(_, other)| *other == section).map(|(code, _)| *code).collect();
            index += codes.len();
            let _ = write!(message, "\n§{section:<5} {}", codes.join(", "));
        }
        findings.push(fail(message));
        for (code, _) in &missing {
            let elsewhere = files_with_literal(sources, code);
            if !elsewhere.is_empty() {
                findings.push(note(format!(
                    "{code} is a string literal in {}, not in {ERROR_RS}: STYLE.md keeps every EC2 code in Ec2Error",
                    elsewhere.join(", ")
                )));
            }
        }
    }
    for code in spec_codes::NOT_YET_IMPLEMENTED {
        if !spec.codes.contains_key(*code) {
            findings.push(fail(format!(
                "NOT_YET_IMPLEMENTED lists {code}, which spec {} does not name: a typo, or the spec dropped it",
                spec_codes::checked_sections_label()
            )));
        } else if implemented.iter().any(|literal| literal == code) {
            findings.push(warn(format!("{code} is in {ERROR_RS} now: remove it from NOT_YET_IMPLEMENTED")));
        }
    }
    if config.verbose {
        findings.push(note(verbose_listing(&spec, &implemented)));
    }
    Ok(CheckResult {
        name,
        summary: format!(
            "{} codes in spec {}: {in_error_rs} in error.rs, {not_yet} not yet implemented, {} missing",
            spec.codes.len(),
            spec_codes::checked_sections_label(),
            missing.len()
        ),
        findings,
    })
}

/// The string literals of `Ec2Error`'s source, plus a note when it does not exist yet.
fn error_rs_literals(root: &Path) -> Result<(Vec<String>, Vec<Finding>)> {
    let mut files = Vec::new();
    if root.join(ERROR_RS).is_file() {
        files.push(root.join(ERROR_RS));
    }
    if root.join(ERROR_DIR).is_dir() {
        collect_rust_files(&root.join(ERROR_DIR), &mut files)?;
    }
    let mut findings = Vec::new();
    if files.is_empty() {
        findings.push(note(format!("{ERROR_RS} does not exist yet, so no code counts as implemented")));
    }
    let mut literals = Vec::new();
    for path in files {
        let text = fs::read_to_string(&path).with_context(|| format!("while reading {}", path.display()))?;
        literals.extend(crate::rust_source::scan(&text).strings);
    }
    Ok((literals, findings))
}

/// The files (other than `Ec2Error`'s own) that have `code` as a string literal.
fn files_with_literal(sources: &[(String, String)], code: &str) -> Vec<String> {
    sources
        .iter()
        .filter(|(path, _)| *path != ERROR_RS && !path.starts_with(ERROR_DIR) && !path.starts_with("xtask/"))
        .filter(|(_, text)| text.contains(code) && crate::rust_source::scan(text).strings.iter().any(|s| s == code))
        .map(|(path, _)| path.clone())
        .collect()
}

fn verbose_listing(spec: &spec_codes::SpecNames, implemented: &[String]) -> String {
    let mut out = String::from("every spec error code (status, sections):");
    for (code, sections) in &spec.codes {
        let status = if implemented.iter().any(|literal| literal == code) {
            "error.rs"
        } else if spec_codes::NOT_YET_IMPLEMENTED.contains(&code.as_str()) {
            "not yet"
        } else {
            "MISSING"
        };
        let _ = write!(out, "\n  {code:<55} {status:<9} §{}", sections.join(", §"));
    }
    out.push_str("\nbackticked names judged not to be error codes:");
    for (name, reason) in &spec.other_names {
        let _ = write!(out, "\n  {name:<55} {reason}");
    }
    out
}

/// Orders `"1.10"` after `"1.9"` and `"5"` after `"2.12"`.
fn section_sort_key(section: &str) -> Vec<u32> {
    section.split('.').map(|part| part.parse().unwrap_or(u32::MAX)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_sort_numerically() {
        let mut sections = vec!["5", "2.10", "1.4", "2.9", "2.2"];
        sections.sort_by_key(|section| section_sort_key(section));
        assert_eq!(sections, vec!["1.4", "2.2", "2.9", "2.10", "5"]);
    }
}
