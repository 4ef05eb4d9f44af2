//! The flags of the Linux tools that `exec` and the `ssh` shell emulate (`ping`, `traceroute`, `nslookup`, `dig`,
//! `nc`), as iputils, bind9 and netcat accept them.

use clap::Parser;

use crate::client::RecordType;

/// `ping [-4|-6] [-c N] [-q] [-n] [-W S] HOST` (iputils flags; `ping6` is `ping -6`).
#[derive(Debug, Parser)]
#[command(name = "ping", disable_version_flag = true)]
pub struct PingArgs {
    /// IPv4 only.
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,
    /// IPv6 only.
    #[arg(short = '6')]
    pub ipv6: bool,
    /// Stop after N echo requests (default 4: there is no Ctrl-C to stop it).
    #[arg(short = 'c', default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub count: u32,
    /// Quiet: only the summary lines.
    #[arg(short = 'q')]
    pub quiet: bool,
    /// Numeric output only (replies are always shown by address).
    #[arg(short = 'n')]
    pub numeric: bool,
    /// Seconds to wait for each reply (accepted; answers are computed, not awaited).
    #[arg(short = 'W', value_name = "TIMEOUT")]
    pub timeout: Option<f64>,
    /// The destination: an address or a name.
    pub host: String,
}

/// `traceroute [-4|-6] [-I] [-n] [-m MAX] [-p PORT] HOST` (`traceroute6` is `traceroute -6`).
#[derive(Debug, Parser)]
#[command(name = "traceroute", disable_version_flag = true)]
pub struct TracerouteArgs {
    /// IPv4 only.
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,
    /// IPv6 only.
    #[arg(short = '6')]
    pub ipv6: bool,
    /// Probe with ICMP echo instead of UDP.
    #[arg(short = 'I', long = "icmp")]
    pub icmp: bool,
    /// Do not map addresses to names.
    #[arg(short = 'n')]
    pub numeric: bool,
    /// The maximum number of hops.
    #[arg(short = 'm', long = "max-hops", default_value_t = 30, value_parser = clap::value_parser!(u8).range(1..=255))]
    pub max_hops: u8,
    /// The UDP destination port.
    #[arg(short = 'p', long = "port", default_value_t = 33434)]
    pub port: u16,
    /// The destination: an address or a name.
    pub host: String,
}

/// `nslookup [-type=A|AAAA] NAME [SERVER]` (the words are sorted by `tools::nslookup`).
#[derive(Debug, Parser)]
#[command(name = "nslookup", disable_version_flag = true)]
pub struct NslookupArgs {
    /// `-type=…` (or `-query=…`, `-q=…`), the name to look up, the server to ask (default: the vantage's resolver).
    #[arg(required = true, allow_hyphen_values = true)]
    pub words: Vec<String>,
}

/// `dig [@SERVER] NAME [A|AAAA] [IN] [+short] [+OPTION…]`.
#[derive(Debug, Parser)]
#[command(name = "dig", disable_version_flag = true)]
pub struct DigArgs {
    /// The query: `@server`, the name, the type (`A`, `AAAA`), the class (`IN`) and `+options` in any order.
    #[arg(required = true, allow_hyphen_values = true)]
    pub words: Vec<String>,
}

/// What a `dig` command line asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigQuery {
    /// The name asked.
    pub name: String,
    /// `@server`, when given.
    pub server: Option<String>,
    /// `+short`: only the answers.
    pub short: bool,
    /// The record type asked (A unless `AAAA` is given).
    pub record: RecordType,
}

impl DigArgs {
    /// Sorts the words of the command line: the first that is not `@…`, `+…`, a type or `IN` is the name.
    pub fn query(&self) -> Result<DigQuery, String> {
        let mut query = DigQuery { name: String::new(), server: None, short: false, record: RecordType::A };
        for word in &self.words {
            if let Some(server) = word.strip_prefix('@') {
                query.server = Some(server.to_string());
            } else if let Some(option) = word.strip_prefix('+') {
                match option {
                    "short" => query.short = true,
                    "noshort" => query.short = false,
                    _ => {}
                }
            } else if let Some(record) = RecordType::parse(word) {
                query.record = record;
            } else if word.eq_ignore_ascii_case("IN") {
            } else if word.starts_with('-') {
                return Err(format!(
                    "dig: localvpc supports only A and AAAA queries: option `{word}` is not supported"
                ));
            } else if query.name.is_empty() {
                query.name = word.clone();
            } else {
                return Err(format!("dig: localvpc asks one name at a time (got `{}` and `{word}`)", query.name));
            }
        }
        if query.name.is_empty() {
            return Err("dig: no name to look up".to_string());
        }
        Ok(query)
    }
}

/// `nc [-4|-6] -z [-v] [-w S] HOST PORT` (OpenBSD netcat's port check).
#[derive(Debug, Parser)]
#[command(name = "nc", disable_version_flag = true)]
pub struct NcArgs {
    /// IPv4 only.
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,
    /// IPv6 only.
    #[arg(short = '6')]
    pub ipv6: bool,
    /// Only check that the port accepts a connection (the only mode localvpc runs).
    #[arg(short = 'z')]
    pub zero_io: bool,
    /// Verbose (the messages are always printed).
    #[arg(short = 'v')]
    pub verbose: bool,
    /// Do not resolve names (accepted).
    #[arg(short = 'n')]
    pub numeric: bool,
    /// Connection timeout in seconds: a silent drop reports "timed out" instead of the kernel's "failed".
    #[arg(short = 'w', value_name = "TIMEOUT")]
    pub timeout: Option<u32>,
    /// The destination: an address or a name.
    pub host: String,
    /// The TCP port.
    #[arg(value_parser = clap::value_parser!(u16).range(1..))]
    pub port: u16,
}
