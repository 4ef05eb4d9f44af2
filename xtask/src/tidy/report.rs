//! The result of `cargo xtask tidy`: checks, their findings, and the text printed for them.
//!
//! Each check returns a [`CheckResult`]; [`Report::render`] prints one status line per check followed by its
//! findings, then a closing count. Only [`Severity::Fail`] findings make `tidy` (and its `#[test]`) fail.

use std::fmt::Write as _;

/// How bad one finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Breaks a house rule: `tidy` exits non-zero and the `#[test]` fails.
    Fail,
    /// Worth a look, but allowed (long files, stale "not yet" entries).
    Warn,
    /// Information: a check that was skipped, or what a check saw.
    Note,
}

/// One finding of one check.
#[derive(Debug, Clone)]
pub struct Finding {
    pub severity: Severity,
    pub message: String,
}

/// The outcome of one check: its name, what it looked at, and its findings.
#[derive(Debug)]
pub struct CheckResult {
    pub name: &'static str,
    pub summary: String,
    pub findings: Vec<Finding>,
}

/// Everything `tidy` found, in check order.
#[derive(Debug, Default)]
pub struct Report {
    pub checks: Vec<CheckResult>,
}

impl Report {
    /// How many findings have `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.checks.iter().flat_map(|check| &check.findings).filter(|finding| finding.severity == severity).count()
    }

    /// The report as text: one header line per check, then its findings, then a closing count.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for check in &self.checks {
            let status = if check.findings.iter().any(|finding| finding.severity == Severity::Fail) {
                "FAIL"
            } else if check.findings.iter().any(|finding| finding.severity == Severity::Warn) {
                "warn"
            } else {
                " ok "
            };
            let _ = writeln!(out, "[{status}] {}: {}", check.name, check.summary);
            for finding in &check.findings {
                let tag = match finding.severity {
                    Severity::Fail => "error",
                    Severity::Warn => "warning",
                    Severity::Note => "note",
                };
                let mut lines = finding.message.lines();
                let _ = writeln!(out, "       {tag}: {}", lines.next().unwrap_or_default());
                for line in lines {
                    let _ = writeln!(out, "         {line}");
                }
            }
        }
        let failures = self.count(Severity::Fail);
        let warnings = self.count(Severity::Warn);
        let verdict = if failures == 0 { "house rules hold" } else { "house rules broken" };
        let _ = writeln!(out, "tidy: {verdict} ({failures} error(s), {warnings} warning(s))");
        out
    }
}

pub fn fail(message: impl Into<String>) -> Finding {
    Finding { severity: Severity::Fail, message: message.into() }
}

pub fn warn(message: impl Into<String>) -> Finding {
    Finding { severity: Severity::Warn, message: message.into() }
}

pub fn note(message: impl Into<String>) -> Finding {
    Finding { severity: Severity::Note, message: message.into() }
}
