//! Instances' user data and console: a launched instance's user data runs once, as a shell script, inside its
//! namespace, detached from the server (a `python3 -m http.server 80` it starts keeps running), with its stdout
//! and stderr appended to the instance's console log, which `GetConsoleOutput` returns.
//!
//! The logs live under `/run/localvpc/<prefix>/console/`; a log's existence is what "already ran" means, so a
//! reconciling restart does not run a script twice, while a server exit (which tears every namespace down, like
//! a host losing power) removes them with the namespaces. Which instances are launched, and with what script, is
//! the caller's to say; this module only runs and reads.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use base64::prelude::{Engine as _, BASE64_STANDARD};

use crate::{netns, Names};

/// Where the console logs of one prefix live.
#[derive(Debug, Clone)]
pub struct Consoles {
    names: Names,
    directory: PathBuf,
}

impl Consoles {
    /// The consoles of the namespaces under `names`' prefix.
    pub fn new(names: Names) -> Consoles {
        let directory = PathBuf::from("/run/localvpc").join(names.prefix()).join("console");
        Consoles { names, directory }
    }

    fn log(&self, instance_id: &str) -> PathBuf {
        self.directory.join(format!("{instance_id}.log"))
    }

    /// The instance's console output so far, or `None` when it has none (no user data ran).
    pub fn read(&self, instance_id: &str) -> Option<Vec<u8>> {
        std::fs::read(self.log(instance_id)).ok()
    }

    /// Whether the instance's user data already ran (or is running).
    pub fn launched(&self, instance_id: &str) -> bool {
        self.log(instance_id).exists()
    }

    /// Runs the user data (base64, as RunInstances carries it; text that is not base64 runs as it is) with
    /// `/bin/sh` in the instance's namespace, in a session of its own (`setsid -f`: the server neither waits for
    /// it nor is its parent), stdout and stderr to the console log. Does nothing when it ran.
    pub fn launch(&self, instance_id: &str, user_data: &str) -> io::Result<()> {
        let script = BASE64_STANDARD.decode(user_data.trim()).unwrap_or_else(|_| user_data.as_bytes().to_vec());
        std::fs::create_dir_all(&self.directory)?;
        let log_path = self.log(instance_id);
        let mut log = match OpenOptions::new().append(true).create_new(true).open(&log_path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => return Ok(()),
            Err(error) => return Err(error),
        };
        let script_path = self.directory.join(format!("{instance_id}.user-data"));
        let mut file = File::create(&script_path)?;
        file.write_all(&script)?;
        drop(file);
        let namespace = self.names.instance(instance_id);
        let started = Command::new("setsid")
            .args(["-f", "ip", "netns", "exec", &namespace, "/bin/sh"])
            .arg(&script_path)
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log.try_clone()?)
            .status();
        match started {
            Ok(status) if status.success() => Ok(()),
            Ok(status) => {
                let _ = writeln!(log, "localvpc: the user data could not start ({status})");
                Err(io::Error::other(format!("setsid ip netns exec {namespace}: {status}")))
            }
            Err(error) => {
                let _ = writeln!(log, "localvpc: the user data could not start ({error})");
                Err(error)
            }
        }
    }

    /// Forgets the instance's console (it was terminated).
    pub fn remove(&self, instance_id: &str) {
        let _ = std::fs::remove_file(self.log(instance_id));
        let _ = std::fs::remove_file(self.directory.join(format!("{instance_id}.user-data")));
    }

    /// Removes every console of the prefix (teardown).
    pub fn clear(&self) -> io::Result<()> {
        match std::fs::remove_dir_all(&self.directory) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        }
    }

    /// Whether the instance's namespace exists (user data runs only once it does).
    pub fn namespace_exists(&self, instance_id: &str) -> bool {
        netns::path(&self.names.instance(instance_id)).exists()
    }
}
