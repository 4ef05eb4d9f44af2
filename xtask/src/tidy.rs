//! `cargo xtask tidy`: the house rules of STYLE.md, checked over the whole tree.
//!
//! The same checks run as the plain `#[test]` [`tests::house_rules`], so `cargo test --workspace` (and therefore
//! `cargo xtask test`) enforces them, as rust-analyzer's `xtask/src/tidy.rs` does. The checks:
//! - every `.rs` file under `crates/` and `xtask/` opens with a `//!` module doc;
//! - no `should_panic` and no `#[ignore]` in code (assert today's wrong output and add a FIXME instead);
//! - a warning, not a failure, for `.rs` files over [`MAX_LINES`] lines;
//! - no forbidden dependency edge between crates ([`FORBIDDEN_EDGES`], read through `cargo metadata`);
//! - every error code of spec §1–§2 and §5 is a string literal in `localvpc-model`'s `error.rs` or on
//!   [`spec_codes::NOT_YET_IMPLEMENTED`] (skipped with a notice when `../shared` is absent).
//!
//! It does not build, format or lint anything; `cargo clippy` and `cargo fmt` do that.

mod error_codes;
mod report;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

pub use report::{Report, Severity};

use crate::json;
use crate::{cargo_command, relative};
use report::{fail, warn, CheckResult, Finding};

/// Files longer than this get a warning (STYLE.md, "File size": aim for ~600 lines).
pub const MAX_LINES: usize = 700;

/// The folders whose `.rs` files follow the house rules, relative to the repository root.
const RUST_ROOTS: &[&str] = &["crates", "xtask"];

/// Dependencies each crate must not have (STYLE.md, "Crates and their forbidden edges"). A crate that does not exist
/// yet (`localvpc-engine`, `localvpc-kernel`) is checked as soon as it appears. Every kind of dependency counts
/// (normal, build and dev), because a test-only edge still says the crate's tests reach across the layering.
pub const FORBIDDEN_EDGES: &[(&str, &[&str])] = &[
    ("localvpc-model", &["tokio", "sqlx", "axum", "quick-xml", "localvpc-engine", "localvpc-store"]),
    ("localvpc-store", &["localvpc-engine", "localvpc-api", "axum"]),
    ("localvpc-api", &["clap"]),
    ("localvpc-engine", &["localvpc-store", "localvpc-api", "tokio", "sqlx"]),
    ("localvpc-kernel", &["localvpc-api", "localvpc-store", "quick-xml"]),
    // The console is a client of the EC2 actions: it never writes the store or the kernel itself.
    ("localvpc-console", &["localvpc-store", "localvpc-kernel", "sqlx"]),
];

/// Options of `cargo xtask tidy`.
#[derive(Debug, Default, Clone, Copy)]
pub struct TidyConfig {
    /// Also list every spec error code with its status, and every backticked name judged not to be a code.
    pub verbose: bool,
}

/// Runs every check over the repository at `root`. An `Err` means a check could not run at all (for example
/// `cargo metadata` failed); broken rules are findings in the `Report`.
pub fn run(root: &Path, config: TidyConfig) -> Result<Report> {
    let files = rust_files(root)?;
    let mut sources = Vec::new();
    for path in &files {
        let text = fs::read_to_string(path).with_context(|| format!("while reading {}", path.display()))?;
        sources.push((relative(root, path), text));
    }
    let mut report = Report::default();
    report.checks.push(check_module_docs(&sources));
    report.checks.push(check_no_panicking_or_ignored_tests(&sources));
    report.checks.push(check_file_length(&sources));
    report.checks.push(check_crate_edges(root)?);
    report.checks.push(error_codes::check_spec_error_codes(root, config, &sources)?);
    Ok(report)
}

/// Every `.rs` file under [`RUST_ROOTS`], sorted, skipping `target/` and hidden folders.
fn rust_files(root: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for folder in RUST_ROOTS {
        let folder = root.join(folder);
        if folder.is_dir() {
            collect_rust_files(&folder, &mut files)?;
        }
    }
    files.sort();
    Ok(files)
}

pub(crate) fn collect_rust_files(folder: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let entries = fs::read_dir(folder).with_context(|| format!("while listing {}", folder.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("while listing {}", folder.display()))?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let file_type = entry.file_type().with_context(|| format!("while inspecting {}", path.display()))?;
        if file_type.is_dir() {
            if name != "target" && !name.starts_with('.') {
                collect_rust_files(&path, files)?;
            }
        } else if file_type.is_file() && name.ends_with(".rs") {
            files.push(path);
        }
    }
    Ok(())
}

/// STYLE.md, "Naming, comments, docs": every `.rs` file opens with a `//!` saying what it is for.
fn check_module_docs(sources: &[(String, String)]) -> CheckResult {
    let findings: Vec<Finding> = sources
        .iter()
        .filter(|(_, text)| !text.trim_start_matches('\u{feff}').starts_with("//!"))
        .map(|(path, text)| {
            let first = text.lines().next().unwrap_or("");
            fail(format!("{path}:1: does not open with a `//!` module doc (first line: {first:?})"))
        })
        .collect();
    CheckResult {
        name: "module docs",
        summary: format!("{} of {} .rs files open with `//!`", sources.len() - findings.len(), sources.len()),
        findings,
    }
}

/// STYLE.md, "Testing layout": no `#[should_panic]`, no `#[ignore]`; assert today's output and add a FIXME.
fn check_no_panicking_or_ignored_tests(sources: &[(String, String)]) -> CheckResult {
    let mut findings = Vec::new();
    for (path, text) in sources {
        let code = crate::rust_source::scan(text).code;
        for (index, line) in code.lines().enumerate() {
            let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            let ignored = compact.contains("#[ignore") || (compact.contains("cfg_attr(") && has_word(line, "ignore"));
            if compact.contains("should_panic") {
                findings.push(fail(format!("{path}:{}: `should_panic` (assert the error value instead)", index + 1)));
            }
            if ignored {
                findings.push(fail(format!(
                    "{path}:{}: `#[ignore]` (assert today's output and add a FIXME instead)",
                    index + 1
                )));
            }
        }
    }
    CheckResult { name: "no should_panic / #[ignore]", summary: format!("{} files scanned", sources.len()), findings }
}

fn has_word(line: &str, word: &str) -> bool {
    line.split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|token| token == word)
}

/// STYLE.md, "File size": warn above [`MAX_LINES`]; split by responsibility, never `part2.rs`.
fn check_file_length(sources: &[(String, String)]) -> CheckResult {
    let mut findings = Vec::new();
    let mut longest = ("", 0);
    for (path, text) in sources {
        let lines = text.lines().count();
        if lines > longest.1 {
            longest = (path, lines);
        }
        if lines > MAX_LINES {
            findings.push(warn(format!(
                "{path}: {lines} lines (over {MAX_LINES}); split it by responsibility unless it is a plain table"
            )));
        }
    }
    let summary = if longest.1 == 0 {
        "no .rs files".to_owned()
    } else {
        format!("limit {MAX_LINES} lines; longest is {} ({} lines)", longest.0, longest.1)
    };
    CheckResult { name: "file length", summary, findings }
}

/// STYLE.md, "Crates and their forbidden edges", from `cargo metadata --no-deps`.
fn check_crate_edges(root: &Path) -> Result<CheckResult> {
    Ok(crate_edges(&cargo_metadata(root)?))
}

/// The crate-edge rule applied to the output of `cargo metadata --no-deps`.
fn crate_edges(metadata: &json::Value) -> CheckResult {
    let packages = metadata.get("packages").map(json::Value::as_array).unwrap_or_default();
    let mut findings = Vec::new();
    let mut names = Vec::new();
    for package in packages {
        let name = package.get("name").and_then(json::Value::as_str).unwrap_or("?");
        names.push(name.to_owned());
        let Some((_, forbidden)) = FORBIDDEN_EDGES.iter().find(|(crate_name, _)| *crate_name == name) else {
            continue;
        };
        for dependency in package.get("dependencies").map(json::Value::as_array).unwrap_or_default() {
            let dependency_name = dependency.get("name").and_then(json::Value::as_str).unwrap_or("?");
            if forbidden.contains(&dependency_name) {
                let kind = dependency.get("kind").and_then(json::Value::as_str).unwrap_or("normal");
                findings.push(fail(format!(
                    "{name} depends on {dependency_name} ({kind} dependency): a forbidden edge \
                     (STYLE.md, \"Crates and their forbidden edges\")"
                )));
            }
        }
    }
    if names.is_empty() {
        findings.push(fail("cargo metadata listed no workspace packages"));
    }
    CheckResult {
        name: "crate edges",
        summary: format!("{} workspace crates: {}", names.len(), names.join(", ")),
        findings,
    }
}

/// `cargo metadata --format-version 1 --no-deps` for the workspace at `root`, parsed.
pub fn cargo_metadata(root: &Path) -> Result<json::Value> {
    let output = cargo_command()
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(root)
        .output()
        .context("while running `cargo metadata`")?;
    if !output.status.success() {
        bail!("`cargo metadata` failed ({}):\n{}", output.status, String::from_utf8_lossy(&output.stderr));
    }
    let text = String::from_utf8(output.stdout).context("`cargo metadata` printed non-UTF-8 output")?;
    json::parse(&text).context("while reading the output of `cargo metadata`")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The house rules as a test, so `cargo test --workspace` enforces them (STYLE.md, "xtask").
    #[test]
    fn house_rules() {
        let root = crate::project_root();
        let report = run(&root, TidyConfig::default()).expect("tidy could not run");
        let rendered = report.render();
        println!("{rendered}");
        assert_eq!(report.count(Severity::Fail), 0, "house rules broken; run `cargo xtask tidy`:\n{rendered}");
    }

    fn source(path: &str, text: &str) -> (String, String) {
        (path.to_owned(), text.to_owned())
    }

    #[test]
    fn module_doc_must_be_the_first_line() {
        let result = check_module_docs(&[
            source("a.rs", "//! Good.\nfn a() {}\n"),
            source("b.rs", "\n//! Late.\n"),
            source("c.rs", "fn main() {}\n"),
        ]);
        let messages: Vec<&str> = result.findings.iter().map(|finding| finding.message.as_str()).collect();
        assert_eq!(messages.len(), 2);
        assert!(messages[0].starts_with("b.rs:1:"));
        assert!(messages[1].starts_with("c.rs:1:"));
    }

    #[test]
    fn forbidden_attributes_are_found_in_code_but_not_in_comments_or_strings() {
        let attribute = |name: &str| format!("#[{name}]");
        let text = format!(
            "//! Mentions {0} in a doc.\n#[test]\n{0}\nfn a() {{}}\n// {1}\nlet s = \"{1}\";\n{1}\n\
             #[cfg_attr(miri, ignore)]\nfn b() {{}}\n#[ignore = \"slow\"]\nfn c() {{}}\n",
            attribute(concat!("should", "_panic")),
            attribute(concat!("ign", "ore")),
        );
        let result = check_no_panicking_or_ignored_tests(&[source("t.rs", &text)]);
        let lines: Vec<&str> =
            result.findings.iter().map(|finding| finding.message.split(": ").next().unwrap()).collect();
        assert_eq!(lines, vec!["t.rs:3", "t.rs:7", "t.rs:8", "t.rs:10"]);
    }

    #[test]
    fn forbidden_edges_fail_whatever_their_kind() {
        let metadata = json::parse(
            r#"{"packages": [
                {"name": "localvpc-model", "dependencies": [
                    {"name": "thiserror", "kind": null}, {"name": "tokio", "kind": "dev"}]},
                {"name": "localvpc-api", "dependencies": [{"name": "clap", "kind": null}, {"name": "axum"}]},
                {"name": "localvpc", "dependencies": [{"name": "clap", "kind": null}]}]}"#,
        )
        .unwrap();
        let result = crate_edges(&metadata);
        let messages: Vec<&str> = result.findings.iter().map(|finding| finding.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].starts_with("localvpc-model depends on tokio (dev dependency)"));
        assert!(messages[1].starts_with("localvpc-api depends on clap (normal dependency)"));
        assert!(result.summary.contains("3 workspace crates"));
    }

    #[test]
    fn long_files_only_warn() {
        let long = "x\n".repeat(MAX_LINES + 1);
        let result = check_file_length(&[source("long.rs", &long), source("short.rs", "x\n")]);
        assert_eq!(result.findings.len(), 1);
        assert_eq!(result.findings[0].severity, Severity::Warn);
        assert!(result.summary.contains("long.rs"));
    }
}
