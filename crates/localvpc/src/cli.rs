//! The command line: every flag in one place, with its documentation.

use std::fmt;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// A local AWS VPC you can actually ping across.
#[derive(Debug, Parser)]
#[command(name = "localvpc", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the emulated EC2 (VPC) and STS endpoint.
    Serve(ServeArgs),
}

/// `localvpc serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Loopback unless told otherwise.
    #[arg(long, default_value = "127.0.0.1:4566", env = "LOCALVPC_LISTEN")]
    pub listen: String,
    /// Where state lives: `sqlite:PATH` or `memory`. Default: a SQLite file under the XDG data dir.
    #[arg(long, value_parser = parse_store, default_value_t = StoreSpec::default_sqlite(), env = "LOCALVPC_STORE")]
    pub store: StoreSpec,
    /// Log filter (tracing `EnvFilter` syntax; `RUST_LOG` wins). `debug` logs one line per request.
    #[arg(long, default_value = "info")]
    pub log: String,
}

/// A parsed `--store`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSpec {
    /// Nothing survives the process.
    Memory,
    /// A SQLite file.
    Sqlite(PathBuf),
}

impl StoreSpec {
    /// `$XDG_DATA_HOME/localvpc/localvpc.db`, else `~/.local/share/localvpc/localvpc.db`.
    fn default_sqlite() -> StoreSpec {
        let data_home = std::env::var_os("XDG_DATA_HOME")
            .filter(|value| !value.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share")))
            .unwrap_or_else(|| PathBuf::from("."));
        StoreSpec::Sqlite(data_home.join("localvpc").join("localvpc.db"))
    }
}

impl fmt::Display for StoreSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreSpec::Memory => f.write_str("memory"),
            StoreSpec::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
        }
    }
}

fn parse_store(text: &str) -> Result<StoreSpec, String> {
    if text == "memory" {
        return Ok(StoreSpec::Memory);
    }
    match text.strip_prefix("sqlite:") {
        Some(path) if !path.is_empty() => Ok(StoreSpec::Sqlite(PathBuf::from(path.strip_prefix("//").unwrap_or(path)))),
        _ => Err(format!("expected `memory` or `sqlite:PATH`, got `{text}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_specs() {
        assert_eq!(parse_store("memory"), Ok(StoreSpec::Memory));
        assert_eq!(parse_store("sqlite:/tmp/x.db"), Ok(StoreSpec::Sqlite("/tmp/x.db".into())));
        assert!(parse_store("postgres://x").is_err());
        assert!(parse_store("sqlite:").is_err());
    }
}
