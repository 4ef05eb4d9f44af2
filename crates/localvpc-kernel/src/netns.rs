//! Named network namespaces, the way iproute2 keeps them (`/run/netns/NAME`, a bind mount of the namespace), so
//! `ip netns exec NAME …` works on them too.
//!
//! Entering a namespace is per thread (`setns`), so every operation that must run inside one runs on a short-lived
//! thread of its own and never changes the namespace of a tokio worker.

use std::fs::File;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::sched::{setns, unshare, CloneFlags};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// Where iproute2 keeps named namespaces.
pub const RUN_DIR: &str = "/run/netns";

/// The path of a named namespace.
pub fn path(name: &str) -> PathBuf {
    Path::new(RUN_DIR).join(name)
}

/// The names of existing namespaces whose name satisfies `keep`.
pub fn list(keep: impl Fn(&str) -> bool) -> io::Result<Vec<String>> {
    let entries = match std::fs::read_dir(RUN_DIR) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let mut names = Vec::new();
    for entry in entries {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if keep(&name) {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Opens a namespace (the handle `setns` and `IFLA_NET_NS_FD` take).
pub fn open(name: &str) -> io::Result<OwnedFd> {
    Ok(File::open(path(name))?.into())
}

/// Creates the named namespace (an error if it exists), then runs `setup` on the thread that made it — which is
/// inside it, so `setup` can write the namespace's `/proc/sys/net` and open sockets there without entering it
/// again. A namespace whose `setup` fails is removed again.
pub fn create<T: Send + 'static>(name: &str, setup: impl FnOnce() -> io::Result<T> + Send + 'static) -> io::Result<T> {
    prepare_run_dir()?;
    let target = path(name);
    File::options().write(true).create_new(true).open(&target)?;
    let owned = name.to_string();
    let made = on_thread(move || -> io::Result<T> {
        unshare(CloneFlags::CLONE_NEWNET).map_err(io::Error::from)?;
        let own = format!("/proc/self/task/{}/ns/net", nix::unistd::gettid());
        mount(Some(own.as_str()), &path(&owned), None::<&str>, MsFlags::MS_BIND, None::<&str>)
            .map_err(io::Error::from)?;
        setup()
    });
    if made.is_err() {
        let _ = delete(name);
    }
    made
}

/// Where `ip netns exec` finds the files it mounts over `/etc` for the namespace `name`.
pub const ETC_DIR: &str = "/etc/netns";

/// Writes (or, with `None`, removes) the namespace's `resolv.conf`, which `ip netns exec` mounts over
/// `/etc/resolv.conf` for the commands it runs there.
pub fn set_resolv_conf(name: &str, text: Option<&str>) -> io::Result<()> {
    let directory = Path::new(ETC_DIR).join(name);
    match text {
        Some(text) => {
            std::fs::create_dir_all(&directory)?;
            std::fs::write(directory.join("resolv.conf"), text)
        }
        None => remove_etc(name),
    }
}

fn remove_etc(name: &str) -> io::Result<()> {
    match std::fs::remove_dir_all(Path::new(ETC_DIR).join(name)) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

/// Deletes the named namespace: its links (and their veth peers elsewhere) go with it once no process uses it;
/// its `/etc/netns` files go at once.
pub fn delete(name: &str) -> io::Result<()> {
    remove_etc(name)?;
    kill_processes(name)?;
    let target = path(name);
    match umount2(&target, MntFlags::MNT_DETACH) {
        Ok(()) | Err(nix::errno::Errno::EINVAL) | Err(nix::errno::Errno::ENOENT) => {}
        Err(error) => return Err(error.into()),
    }
    match std::fs::remove_file(&target) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

/// Kills every process living in the namespace `name` (a program its user data or `exec` started): a process
/// keeps its namespace, and with it the instance's `eth0` and the router's end of that veth, alive after the name
/// is gone, so a stopped instance would still answer and its restart would meet its own stale link.
fn kill_processes(name: &str) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    // The mounted name shows the namespace's own inode, as `/proc/<pid>/ns/net` does for each process.
    let namespace = match std::fs::metadata(path(name)) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(error),
    };
    for entry in std::fs::read_dir("/proc")?.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|text| text.parse::<i32>().ok()) else { continue };
        let Ok(own) = std::fs::metadata(entry.path().join("ns/net")) else { continue };
        if own.dev() == namespace.dev() && own.ino() == namespace.ino() {
            // Already gone is fine; anything else would leave the namespace alive.
            match kill(Pid::from_raw(pid), Signal::SIGKILL) {
                Ok(()) | Err(nix::errno::Errno::ESRCH) => {}
                Err(error) => return Err(error.into()),
            }
        }
    }
    Ok(())
}

/// Runs `work` on a fresh thread that has entered the namespace `name`.
pub fn run_in<T: Send + 'static>(name: &str, work: impl FnOnce() -> io::Result<T> + Send + 'static) -> io::Result<T> {
    let handle = open(name)?;
    on_thread(move || {
        setns(handle.as_fd(), CloneFlags::CLONE_NEWNET).map_err(io::Error::from)?;
        work()
    })
}

/// Writes sysctls (`net/ipv4/ip_forward` = `1`, …) of the namespace the calling thread is in: `/proc/sys/net`
/// shows the namespace of the thread that opens it. A key the kernel does not have (no bridge module) is skipped.
pub fn sysctls_here(values: &[(&str, &str)]) -> io::Result<()> {
    for (key, value) in values {
        let file = Path::new("/proc/sys").join(key);
        match std::fs::write(&file, value) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(io::Error::new(error.kind(), format!("{key}: {error}"))),
            Ok(()) => {}
        }
    }
    Ok(())
}

fn on_thread<T: Send + 'static>(work: impl FnOnce() -> io::Result<T> + Send + 'static) -> io::Result<T> {
    std::thread::spawn(work).join().unwrap_or_else(|_| Err(io::Error::other("namespace worker panicked")))
}

/// Makes `/run/netns` a shared mount point as iproute2 does, so namespaces mounted here are visible to processes
/// in other mount namespaces (`ip netns exec` runs commands in one of its own).
/// Done once per process (a mount call per namespace would queue every creation on the mount lock).
fn prepare_run_dir() -> io::Result<()> {
    static PREPARED: std::sync::Mutex<bool> = std::sync::Mutex::new(false);
    let mut prepared = PREPARED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if !*prepared {
        share_run_dir()?;
        *prepared = true;
    }
    Ok(())
}

fn share_run_dir() -> io::Result<()> {
    std::fs::create_dir_all(RUN_DIR)?;
    let shared = || mount(Some(""), RUN_DIR, None::<&str>, MsFlags::MS_SHARED | MsFlags::MS_REC, None::<&str>);
    match shared() {
        Ok(()) => Ok(()),
        Err(nix::errno::Errno::EINVAL) => {
            mount(Some(RUN_DIR), RUN_DIR, None::<&str>, MsFlags::MS_BIND | MsFlags::MS_REC, None::<&str>)?;
            shared().map_err(io::Error::from)
        }
        Err(error) => Err(error.into()),
    }
}
