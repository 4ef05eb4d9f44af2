//! What the demo prints: step headings, the command lines a user would type, their results, and one line per check
//! (`✓ …` when localvpc behaved as AWS does, `✗ expected …, got …` when not), then a summary that sets the exit
//! status.
//!
//! `--quiet` keeps the headings, the checks and the summary, and drops the commands and their output.

use std::fmt::Display;
use std::io::Write;

use crate::tools::Printed;

/// The demo's transcript, written as it goes (so a slow step shows where it is), with the tally of checks.
pub struct Report<W: Write> {
    out: W,
    quiet: bool,
    steps: usize,
    checks: usize,
    failures: usize,
}

impl<W: Write> Report<W> {
    /// A transcript written to `out`.
    pub fn new(out: W, quiet: bool) -> Report<W> {
        Report { out, quiet, steps: 0, checks: 0, failures: 0 }
    }

    /// A line printed whatever the mode (the banner).
    pub fn line(&mut self, text: &str) {
        let _ = writeln!(self.out, "{text}");
    }

    /// `==> Step N: title`, after a blank line.
    pub fn step(&mut self, title: &str) {
        self.steps += 1;
        let _ = writeln!(self.out, "\n==> Step {}: {title}", self.steps);
    }

    /// A command line as the user would type it: `$ aws ec2 create-vpc …`.
    pub fn command(&mut self, line: &str) {
        if !self.quiet {
            let _ = writeln!(self.out, "$ {line}");
        }
    }

    /// A short result of the last command (an ID, a status), indented.
    pub fn result(&mut self, text: impl Display) {
        if !self.quiet {
            let _ = writeln!(self.out, "    {text}");
        }
    }

    /// A tool's output, verbatim (standard output, then standard error).
    pub fn output(&mut self, printed: &Printed) {
        if !self.quiet {
            let _ = self.out.write_all(printed.stdout.as_bytes());
            let _ = self.out.write_all(printed.stderr.as_bytes());
        }
    }

    /// One expectation: `✓ expected` when `ok`, else `✗ expected …, got …` (counted as a failure). Returns `ok`.
    pub fn check(&mut self, ok: bool, expected: &str, got: impl Display) -> bool {
        self.checks += 1;
        if ok {
            let _ = writeln!(self.out, "  ✓ {expected}");
        } else {
            self.failures += 1;
            let _ = writeln!(self.out, "  ✗ expected {expected}, got {got}");
        }
        ok
    }

    /// A step that could not run at all (an API error where AWS succeeds): a failure, and the demo stops.
    pub fn abort(&mut self, error: &anyhow::Error) {
        self.check(false, "success", format_args!("{error:#}"));
        let _ = writeln!(self.out, "  (the remaining steps depend on this one: stopping here)");
    }

    /// The closing line; the exit status: 0 when every check passed, 1 otherwise.
    pub fn summary(&mut self) -> u8 {
        let (checks, steps) = (self.checks, self.steps);
        let status = if self.failures == 0 {
            let _ = writeln!(self.out, "\n✓ All {steps} steps behaved as AWS does ({checks} checks passed).");
            0
        } else {
            let _ = writeln!(self.out, "\n✗ {} of {checks} checks did not behave as AWS does.", self.failures);
            1
        };
        let _ = self.out.flush();
        status
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(report: Report<Vec<u8>>) -> String {
        String::from_utf8(report.out).unwrap()
    }

    #[test]
    fn a_passing_run() {
        let mut report = Report::new(Vec::new(), false);
        report.step("create the VPCs");
        report.command("aws ec2 create-vpc --cidr-block 10.6.0.0/16");
        report.result("vpc-1");
        report.output(&Printed { stdout: "out\n".into(), stderr: "err\n".into(), status: 0 });
        assert!(report.check(true, "100% packet loss", "x"));
        assert_eq!(report.summary(), 0);
        assert_eq!(
            text(report),
            "\n==> Step 1: create the VPCs\n$ aws ec2 create-vpc --cidr-block 10.6.0.0/16\n    vpc-1\nout\nerr\n\
             \x20 ✓ 100% packet loss\n\n✓ All 1 steps behaved as AWS does (1 checks passed).\n"
        );
    }

    #[test]
    fn failures_and_quiet_mode() {
        let mut report = Report::new(Vec::new(), true);
        report.step("ping");
        report.command("localvpc exec i-1 -- ping 10.7.1.4");
        report.output(&Printed::out("PING\n".into(), 1));
        assert!(!report.check(false, "0% packet loss", "100% packet loss"));
        report.abort(&anyhow::anyhow!("CreateRoute failed: InvalidRoute.NotFound: no"));
        assert_eq!(report.summary(), 1);
        assert_eq!(
            text(report),
            "\n==> Step 1: ping\n  ✗ expected 0% packet loss, got 100% packet loss\n\
             \x20 ✗ expected success, got CreateRoute failed: InvalidRoute.NotFound: no\n\
             \x20 (the remaining steps depend on this one: stopping here)\n\n\
             ✗ 2 of 2 checks did not behave as AWS does.\n"
        );
    }
}
