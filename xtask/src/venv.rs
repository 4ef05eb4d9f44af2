//! The Python virtual environment that the end-to-end tests run in (`.venv` at the repository root).
//!
//! `cargo xtask test` calls [`ensure`] before pytest. A machine with only Rust and `python3` gets a working venv;
//! a machine that already has one pays nothing: `pip install -r tests/e2e/requirements.txt` runs only when the
//! venv is new or the requirements changed since the last successful install, which a stamp file inside the venv
//! records. It does not pin or resolve packages itself; `requirements.txt` does that.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::run_command;

/// The venv folder, relative to the repository root (ignored by `.gitignore`).
pub const VENV_DIR: &str = ".venv";

/// The requirements of the end-to-end tests, relative to the repository root.
pub const REQUIREMENTS: &str = "tests/e2e/requirements.txt";

/// Inside the venv: a copy of the `requirements.txt` that was last installed successfully.
const STAMP: &str = "localvpc-requirements.stamp";

/// The interpreter that creates the venv: `$LOCALVPC_PYTHON`, else `python3`. `.ci/run` sets the variable when it
/// has to fall back to Debian's `/usr/bin/python3`.
fn base_python() -> String {
    std::env::var("LOCALVPC_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// The venv's own interpreter.
pub fn python(root: &Path) -> PathBuf {
    root.join(VENV_DIR).join("bin").join("python")
}

/// Makes sure `.venv` exists, works, and has the current requirements installed.
pub fn ensure(root: &Path) -> Result<()> {
    let venv = root.join(VENV_DIR);
    let python = python(root);
    let requirements = root.join(REQUIREMENTS);
    let stamp = venv.join(STAMP);

    let created = if python_works(&python) {
        false
    } else {
        // `--clear` also repairs a venv whose interpreter is gone (python upgraded) or whose creation failed
        // halfway (no ensurepip); the venv holds nothing but installed packages.
        let base = base_python();
        println!("    creating {VENV_DIR} with `{base} -m venv`");
        let mut command = Command::new(&base);
        command.args(["-m", "venv", "--clear"]).arg(&venv).current_dir(root);
        run_command(&mut command).with_context(|| {
            format!(
                "while creating the Python venv {}; on Debian, `apt-get install python3-venv` provides ensurepip \
                 (or set LOCALVPC_PYTHON to another interpreter)",
                venv.display()
            )
        })?;
        if !python_works(&python) {
            bail!("{} was created but {} does not run", venv.display(), python.display());
        }
        true
    };

    let wanted = fs::read(&requirements).with_context(|| format!("while reading {}", requirements.display()))?;
    if !created && !requirements_changed(&requirements, &wanted, &stamp) {
        println!("    {VENV_DIR} is up to date with {REQUIREMENTS}");
        return Ok(());
    }
    println!("    installing {REQUIREMENTS} into {VENV_DIR}");
    // A failed install must not leave a stamp claiming success.
    let _ = fs::remove_file(&stamp);
    let mut command = Command::new(&python);
    command
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input", "-r"])
        .arg(&requirements)
        .current_dir(root);
    run_command(&mut command).context("while installing the end-to-end test requirements")?;
    fs::write(&stamp, &wanted).with_context(|| format!("while writing {}", stamp.display()))?;
    Ok(())
}

fn python_works(python: &Path) -> bool {
    python.is_file()
        && Command::new(python)
            .args(["-c", "import sys"])
            .output()
            .map(|output| output.status.success())
            .unwrap_or(false)
}

/// True when the stamp is missing, older than `requirements.txt` (so `touch` forces a reinstall), or records other
/// contents (so a changed file counts even when its timestamp does not say so).
fn requirements_changed(requirements: &Path, wanted: &[u8], stamp: &Path) -> bool {
    let Ok(installed) = fs::read(stamp) else {
        return true;
    };
    let modified = |path: &Path| fs::metadata(path).and_then(|metadata| metadata.modified()).ok();
    let newer = match (modified(requirements), modified(stamp)) {
        (Some(requirements_time), Some(stamp_time)) => requirements_time > stamp_time,
        _ => true,
    };
    newer || installed != wanted
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    #[test]
    fn stamp_tracks_the_installed_requirements() {
        let folder = std::env::temp_dir().join(format!("xtask-venv-test-{}", std::process::id()));
        fs::create_dir_all(&folder).unwrap();
        let requirements = folder.join("requirements.txt");
        let stamp = folder.join(STAMP);
        fs::write(&requirements, "boto3==1.0\n").unwrap();
        assert!(requirements_changed(&requirements, b"boto3==1.0\n", &stamp), "no stamp yet");
        fs::write(&stamp, "boto3==1.0\n").unwrap();
        assert!(!requirements_changed(&requirements, b"boto3==1.0\n", &stamp), "same contents");
        fs::write(&stamp, "boto3==0.9\n").unwrap();
        assert!(requirements_changed(&requirements, b"boto3==1.0\n", &stamp), "other contents, older file");
        fs::write(&requirements, "boto3==1.0\n").unwrap();
        let later = SystemTime::now() + std::time::Duration::from_secs(60);
        fs::File::options().write(true).open(&requirements).unwrap().set_modified(later).unwrap();
        fs::write(&stamp, "boto3==1.0\n").unwrap();
        assert!(requirements_changed(&requirements, b"boto3==1.0\n", &stamp), "touched after the stamp");
        fs::remove_dir_all(&folder).unwrap();
    }
}
