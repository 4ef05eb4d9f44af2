//! `cargo xtask <command>`: the project's chores, in Rust so that they run wherever cargo does.
//!
//! The alias in `.cargo/config.toml` turns `cargo xtask …` into `cargo run --package xtask -- …`. Commands:
//! - `test [--e2e-only] [-- PYTEST_ARGS…]`: every test, cargo's and the end-to-end suite (see `test_suite`);
//! - `tidy [--verbose]`: the house rules of STYLE.md (see `tidy`), also run as a `#[test]`;
//! - `bench [CARGO_BENCH_ARGS…]`: `cargo bench --workspace`, extra arguments passed through.
//!
//! xtask depends on `anyhow` and std only, and holds no project logic: it runs cargo, Python and pytest.

mod json;
mod rust_source;
mod spec_codes;
mod test_suite;
mod tidy;
mod venv;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  test [--e2e-only] [-- PYTEST_ARGS...]
                             cargo test --workspace, build localvpc, set up .venv, run pytest tests/e2e
                             (--e2e-only skips cargo test)
  tidy [--verbose]           check the house rules (module docs, test attributes, file length,
                             crate edges, spec error codes)
  bench [ARGS...]            cargo bench --workspace --exclude xtask ARGS...
  help                       show this text";

fn main() -> ExitCode {
    match run(std::env::args_os().skip(1).collect()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("xtask: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<OsString>) -> Result<ExitCode> {
    let root = project_root();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return Ok(ExitCode::FAILURE);
    };
    match command.to_str() {
        Some("test") => {
            let mut config = test_suite::TestConfig::default();
            let mut arguments = rest.iter();
            for argument in arguments.by_ref() {
                match argument.to_str() {
                    Some("--") => break,
                    Some("--e2e-only") => config.e2e_only = true,
                    _ => {
                        bail!("unexpected argument {argument:?} to `test`; put pytest arguments after `--`\n\n{USAGE}")
                    }
                }
            }
            config.pytest_args = arguments.cloned().collect();
            test_suite::run(&root, &config)?;
            Ok(ExitCode::SUCCESS)
        }
        Some("tidy") => {
            let mut config = tidy::TidyConfig::default();
            for argument in rest {
                match argument.to_str() {
                    Some("--verbose" | "-v") => config.verbose = true,
                    _ => bail!("unexpected argument {argument:?} to `tidy`\n\n{USAGE}"),
                }
            }
            let report = tidy::run(&root, config)?;
            print!("{}", report.render());
            Ok(if report.count(tidy::Severity::Fail) == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Some("bench") => {
            // xtask has no benchmarks; excluding it keeps `cargo bench` from building it in the bench profile.
            run_command(
                cargo_command().args(["bench", "--workspace", "--exclude", "xtask"]).args(rest).current_dir(&root),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        _ => {
            eprintln!("xtask: unknown command {command:?}\n\n{USAGE}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The repository root: the folder above `xtask/`.
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives one folder below the root").to_path_buf()
}

/// `cargo`, preferring the one that started us (cargo sets `$CARGO` for `cargo run` and `cargo test`).
pub fn cargo_command() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs `command` with inherited stdio and fails unless it exits with status 0.
pub fn run_command(command: &mut Command) -> Result<()> {
    let shown = describe(command);
    let status = command.status().with_context(|| format!("could not start `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `path` relative to `root` with `/` separators, for messages.
pub fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/")
}
