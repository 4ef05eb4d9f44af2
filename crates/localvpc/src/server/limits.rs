//! The limits of `localvpc serve` on connections, and the default connection cap taken from the open-file limit.

use std::time::Duration;

/// The most connections served at once by default, when the open-file limit allows it.
const DEFAULT_MAX_CONNECTIONS: usize = 4096;

/// Descriptors kept for everything but client connections: the listener, the runtime's poller, standard streams,
/// the SQLite database with its journal files, and the odd file a request opens.
const RESERVED_DESCRIPTORS: u64 = 32;

/// The flags `--header-timeout`, `--idle-timeout` and `--max-connections` (see `server::deadline` for the
/// timeouts' exact clocks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest time from the first byte of a request head to its end.
    pub header_timeout: Duration,
    /// Longest silence on an open connection: between requests, or while a request is being answered.
    pub idle_timeout: Duration,
    /// Most connections served at once.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: default_max_connections(),
        }
    }
}

/// [`DEFAULT_MAX_CONNECTIONS`], or fewer when the soft open-file limit (`ulimit -n`) would run out first: a cap
/// reached is one clear log line and clients that wait, descriptors run out is failed accepts and a store that
/// cannot open its files.
pub fn default_max_connections() -> usize {
    cap_for_open_files(soft_open_file_limit())
}

fn cap_for_open_files(soft_limit: Option<u64>) -> usize {
    match soft_limit {
        Some(limit) => {
            let usable = limit.saturating_sub(RESERVED_DESCRIPTORS).max(1);
            usize::try_from(usable).unwrap_or(usize::MAX).min(DEFAULT_MAX_CONNECTIONS)
        }
        None => DEFAULT_MAX_CONNECTIONS,
    }
}

#[cfg(unix)]
fn soft_open_file_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

#[cfg(not(unix))]
fn soft_open_file_limit() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_descriptors_for_the_rest_of_the_server() {
        assert_eq!(cap_for_open_files(None), DEFAULT_MAX_CONNECTIONS);
        assert_eq!(cap_for_open_files(Some(1_048_576)), DEFAULT_MAX_CONNECTIONS);
        assert_eq!(cap_for_open_files(Some(1024)), 992);
        assert_eq!(cap_for_open_files(Some(64)), 32);
        assert_eq!(cap_for_open_files(Some(8)), 1);
    }
}
