//! Applies an nftables JSON batch inside a namespace with `nft -j -f -` (Debian's `nftables`): one process, one
//! netlink transaction, all or nothing.

use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::netns;

/// The `nft` binary (`LOCALVPC_NFT` overrides, for hosts that keep it elsewhere).
pub fn binary() -> String {
    std::env::var("LOCALVPC_NFT").unwrap_or_else(|_| "nft".into())
}

/// Runs `batch` in the namespace `name`; an `Err` carries nft's own message.
pub fn apply(name: &str, batch: &Value) -> io::Result<()> {
    let handle = netns::open(name)?;
    let raw = handle.as_raw_fd();
    let mut command = Command::new(binary());
    command.args(["-j", "-f", "-"]).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::piped());
    // SAFETY: between fork and exec the child only calls setns(2), which is async-signal-safe; the descriptor stays
    // open in the parent (`handle`) until the child has been waited for.
    unsafe {
        command.pre_exec(move || {
            if libc_setns(raw) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command.spawn()?;
    child.stdin.take().expect("piped stdin").write_all(batch.to_string().as_bytes())?;
    let output = child.wait_with_output()?;
    drop(handle);
    if output.status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!("nft in {name}: {}", String::from_utf8_lossy(&output.stderr).trim())))
    }
}

fn libc_setns(fd: i32) -> i32 {
    // SAFETY: a plain system call on a descriptor the caller owns.
    unsafe { nix::libc::setns(fd, nix::libc::CLONE_NEWNET) }
}
