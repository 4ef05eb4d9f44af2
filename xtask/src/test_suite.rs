//! `cargo xtask test`: every test of the project, in the order a failure is cheapest to find.
//!
//! 1. `cargo test --workspace`: unit, integration and doc tests of every crate. `--workspace` includes the
//!    non-default member `xtask`, so the house rules (`tidy::tests::house_rules`) run here too.
//! 2. `cargo build --workspace --exclude xtask --bins --tests`: the debug `localvpc` binary that the end-to-end
//!    tests start, built with the same dependency features as step 1 so that nothing is compiled twice.
//! 3. The Python venv `.venv` with `tests/e2e/requirements.txt` installed (see `venv`).
//! 4. `pytest tests/e2e -q -n auto` in that venv (pytest-xdist, one worker per core), with `LOCALVPC_BIN` set to the binary's absolute path; arguments after
//!    `--` go to pytest.
//!
//! `--e2e-only` skips step 1. The first failing step stops the run with a non-zero exit. This is the README's test
//! command and what `.ci/run` runs; it does not run benchmarks (`cargo xtask bench`) or clippy.

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::{cargo_command, run_command, tidy, venv};

/// Step 2: builds the debug `localvpc` binary (and whatever else step 1 built, which is then fresh).
const BUILD_ARGS: &[&str] = &["build", "--workspace", "--exclude", "xtask", "--bins", "--tests"];

/// The end-to-end test folder, relative to the repository root.
const E2E_DIR: &str = "tests/e2e";

/// Options of `cargo xtask test`.
#[derive(Debug, Default, Clone)]
pub struct TestConfig {
    /// Skip step 1 (`cargo test --workspace`), for quick turns on the end-to-end tests.
    pub e2e_only: bool,
    /// Appended to the pytest command line (what followed `--`).
    pub pytest_args: Vec<OsString>,
}

/// Runs the whole suite, or its end-to-end half.
pub fn run(root: &Path, config: &TestConfig) -> Result<()> {
    let total = Instant::now();
    let has_e2e_tests = has_python_tests(&root.join(E2E_DIR))?;
    let has_requirements = root.join(venv::REQUIREMENTS).is_file();

    step(1, "cargo test --workspace", || {
        if config.e2e_only {
            println!("    skipped: --e2e-only");
            return Ok(());
        }
        run_command(cargo_command().args(["test", "--workspace"]).current_dir(root))
    })?;

    // Not `cargo build -p localvpc`: selecting one package resolves dependency features differently from step 1,
    // which rebuilt sqlx, tracing-subscriber and more (~3 minutes on a cold 2-core CI machine). Selecting what
    // `cargo test --workspace` selects reuses all of step 1's artifacts and only links target/debug/localvpc.
    // xtask is excluded so that its running binary is left alone.
    step(2, "cargo build --workspace --exclude xtask --bins --tests", || {
        run_command(cargo_command().args(BUILD_ARGS).current_dir(root))
    })?;

    step(3, &format!("python venv {} ({})", venv::VENV_DIR, venv::REQUIREMENTS), || {
        if has_requirements {
            return venv::ensure(root);
        }
        if has_e2e_tests {
            bail!("{E2E_DIR} has tests but {} is missing, so pytest cannot be installed", venv::REQUIREMENTS);
        }
        println!("    skipped: {} does not exist yet (and there are no end-to-end tests)", venv::REQUIREMENTS);
        Ok(())
    })?;

    step(4, &format!("pytest {E2E_DIR} -q"), || {
        if !has_e2e_tests {
            println!("    skipped: {E2E_DIR} has no test_*.py or *_test.py files yet");
            return Ok(());
        }
        let binary = localvpc_binary(root)?;
        println!("    LOCALVPC_BIN={}", binary.display());
        let mut command = Command::new(venv::python(root));
        command
            // pytest-xdist (in the requirements): one worker per core; each test starts or resets its own server.
            .args(["-m", "pytest", E2E_DIR, "-q", "-n", "auto"])
            .args(&config.pytest_args)
            .env("LOCALVPC_BIN", &binary)
            .current_dir(root);
        let status = command.status().context("could not start pytest")?;
        match status.code() {
            Some(0) => Ok(()),
            Some(5) => {
                bail!("pytest collected no tests (exit status 5); check the arguments after `--`")
            }
            _ => bail!("end-to-end tests failed (pytest {status})"),
        }
    })?;

    println!("==> all tests passed in {:.1}s", total.elapsed().as_secs_f64());
    Ok(())
}

/// Prints the step as it starts and how long it took, and labels its error.
fn step(number: u32, title: &str, body: impl FnOnce() -> Result<()>) -> Result<()> {
    println!("==> [{number}/4] {title}");
    let started = Instant::now();
    body().with_context(|| format!("step {number}/4 failed: {title}"))?;
    println!("    done in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}

/// The absolute path of the debug `localvpc` binary, from cargo's target directory (honours `CARGO_TARGET_DIR`).
fn localvpc_binary(root: &Path) -> Result<std::path::PathBuf> {
    let metadata = tidy::cargo_metadata(root)?;
    let target = metadata
        .get("target_directory")
        .and_then(crate::json::Value::as_str)
        .context("`cargo metadata` printed no target_directory")?;
    let binary = Path::new(target).join("debug").join(format!("localvpc{}", std::env::consts::EXE_SUFFIX));
    if !binary.is_file() {
        bail!("{} does not exist after step 2", binary.display());
    }
    Ok(binary)
}

/// Whether `folder` (recursively) holds a file pytest collects by default.
fn has_python_tests(folder: &Path) -> Result<bool> {
    if !folder.is_dir() {
        return Ok(false);
    }
    for entry in std::fs::read_dir(folder).with_context(|| format!("while listing {}", folder.display()))? {
        let entry = entry.with_context(|| format!("while listing {}", folder.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if path.is_dir() {
            if !name.starts_with('.') && name != "__pycache__" && has_python_tests(&path)? {
                return Ok(true);
            }
        } else if name.ends_with(".py") && (name.starts_with("test_") || name.ends_with("_test.py")) {
            return Ok(true);
        }
    }
    Ok(false)
}
