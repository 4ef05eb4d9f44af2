//! The command line: every flag in one place, with its documentation — the `localvpc` commands and the flags of the
//! Linux tools that `exec` and the `ssh` shell emulate (`ping`, `traceroute`, `nslookup`, `dig`, `nc`).
//!
//! What each tool prints lives in `tools/`; this file only says what the user may type.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use clap::builder::TypedValueParser;
use clap::{Args, Parser, Subcommand};
use localvpc_api::control::Quotas;

mod tool_args;

pub use tool_args::{DigArgs, DigQuery, NcArgs, NslookupArgs, PingArgs, TracerouteArgs};

/// The endpoint the client commands talk to when neither `--endpoint` nor `LOCALVPC_ENDPOINT` is set.
pub const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:4566";

/// The region when neither `--region`, `AWS_REGION` nor `AWS_DEFAULT_REGION` is set (as the DESIGN contract says).
pub const DEFAULT_REGION: &str = "us-east-1";

/// A local AWS VPC you can actually ping across.
#[derive(Debug, Parser)]
#[command(name = "localvpc", version, about)]
pub struct Cli {
    /// The localvpc server the client commands talk to.
    #[arg(long, global = true, env = "LOCALVPC_ENDPOINT", default_value = DEFAULT_ENDPOINT)]
    pub endpoint: String,
    /// Region of the resources (default: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else us-east-1, as the aws CLI).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The region: `--region`, then the environment variables the aws CLI and the SDKs read.
    pub fn region(&self) -> String {
        let from_env = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        self.region
            .clone()
            .or_else(|| from_env("AWS_REGION"))
            .or_else(|| from_env("AWS_DEFAULT_REGION"))
            .unwrap_or_else(|| DEFAULT_REGION.to_string())
    }

    /// The access key ID the aws CLI would send; it selects the account (a 12-digit key *is* the account).
    pub fn access_key(&self) -> String {
        std::env::var("AWS_ACCESS_KEY_ID").ok().filter(|key| !key.is_empty()).unwrap_or_else(|| "localvpc".to_string())
    }

    /// The secret access key the aws CLI would sign with, if the environment has one.
    pub fn secret_key(&self) -> Option<String> {
        std::env::var("AWS_SECRET_ACCESS_KEY").ok().filter(|secret| !secret.is_empty())
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the emulated EC2 (VPC) and STS endpoint.
    Serve(ServeArgs),
    /// Run ping, traceroute, nslookup, dig or nc from an instance (or from the internet) and see what AWS answers.
    Exec(ExecArgs),
    /// Show the path of a packet hop by hop and every setting that blocks it, each with its fix.
    Explain(ExplainArgs),
    /// The ping matrix among running instances.
    Reachability(ReachabilityArgs),
    /// Log in to an instance from the internet, as `ssh` would (TCP/22 must reach it).
    Ssh(SshArgs),
    /// Replay the VPC peering tutorial step by step against an in-process server: the first thing to try.
    Demo(DemoArgs),
    /// Site-to-site VPN tools that AWS does not offer (localvpc's admin switches).
    #[command(subcommand)]
    Vpn(VpnCommand),
    /// Print the records of VPC flow logs (every flow log of the account and region, or those named), in each flow
    /// log's format; `--follow` keeps printing new ones.
    FlowLogs(FlowLogsArgs),
    /// Copy all state from one store into another, empty one (e.g. a laptop's SQLite file into a team's PostgreSQL).
    /// Stop the servers on both stores first.
    Migrate(MigrateArgs),
}

/// `localvpc flow-logs [FLOW_LOG_ID…] [--follow]`.
#[derive(Debug, Args)]
pub struct FlowLogsArgs {
    /// The flow logs (`fl-…`) to print; none: every flow log of the account and region, each line after its ID.
    pub flow_log_ids: Vec<String>,
    /// Keep printing records as probes make them, until interrupted.
    #[arg(long, short = 'f')]
    pub follow: bool,
}

/// `localvpc vpn …`.
#[derive(Debug, Subcommand)]
pub enum VpnCommand {
    /// Force a VPN connection's tunnel (or both) DOWN to test failover, or let it come back UP; DescribeVpnConnections'
    /// telemetry and the routes its gateway propagates follow.
    Tunnel(VpnTunnelArgs),
}

/// `localvpc vpn tunnel VPN-ID --tunnel 1|2|both --down|--up`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("status").required(true).args(["down", "up"])))]
pub struct VpnTunnelArgs {
    /// The VPN connection (`vpn-…`) of the caller's account and region.
    pub vpn_connection_id: String,
    /// Which tunnel: `1`, `2` (the order of DescribeVpnConnections) or `both`.
    #[arg(long, value_parser = ["1", "2", "both"])]
    pub tunnel: String,
    /// Force the tunnel DOWN.
    #[arg(long)]
    pub down: bool,
    /// Let the tunnel come back UP.
    #[arg(long)]
    pub up: bool,
}

/// `localvpc migrate --from STORE --to STORE`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The store to read: `sqlite:PATH` or `postgres://USER:PASS@HOST:PORT/DB`.
    #[arg(long, value_parser = parse_store)]
    pub from: StoreSpec,
    /// The store to fill (must be empty): `sqlite:PATH` or `postgres://USER:PASS@HOST:PORT/DB`.
    #[arg(long, value_parser = parse_store)]
    pub to: StoreSpec,
}

/// `localvpc demo [--quiet]`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Print only the step headings, the checks and the summary (not the commands and their output).
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// `localvpc exec VANTAGE -- COMMAND ARGS…`.
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Also print the packet's path and, for a drop, every blocking setting with its fix.
    #[arg(long)]
    pub explain: bool,
    /// Ask the packet engine even when the server runs the kernel data plane (to compare the two).
    #[arg(long)]
    pub model: bool,
    /// Where the command runs: an instance ID (`i-…`), `internet`, or `onprem:<cgw-id>` (the on-premises network
    /// behind a customer gateway, sending from the first usable host of its first prefix).
    pub vantage: String,
    /// The command and its arguments: `ping [-c N] HOST`, `traceroute [-I] HOST`, `nslookup NAME`, `dig NAME`,
    /// `nc -z [-w S] HOST PORT`; with `serve --data-plane kernel`, any command, run for real in the vantage's
    /// network namespace. The `--` before it may be left out.
    #[arg(required = true, num_args = 1.., trailing_var_arg = true, allow_hyphen_values = true)]
    pub command: Vec<String>,
}

/// `localvpc explain SRC DST`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The sender: an instance ID, an interface ID, `internet` or `onprem:<cgw-id>`.
    pub source: String,
    /// The destination: an address, or a name the sender's resolver answers.
    pub destination: String,
    /// What is sent.
    #[arg(long, value_enum, default_value_t = ProbeProtocol::Icmp)]
    pub protocol: ProbeProtocol,
    /// The destination port (tcp and udp; default 22 for tcp, 33434 for udp).
    #[arg(long)]
    pub port: Option<u16>,
    /// Print the server's JSON instead of the text.
    #[arg(long)]
    pub json: bool,
}

/// The protocols a probe can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProbeProtocol {
    /// ICMP echo.
    Icmp,
    /// A TCP connection.
    Tcp,
    /// A UDP datagram.
    Udp,
}

/// `localvpc reachability`: by default the instances in groups that every instance treats alike, and which
/// groups ping which; one of `--summary`, `--reachable`, `--unreachable` or `--full` for another form.
#[derive(Debug, Args)]
pub struct ReachabilityArgs {
    /// Only instances in this VPC (repeatable).
    #[arg(long = "vpc", value_name = "VPC_ID")]
    pub vpcs: Vec<String>,
    /// Per pair of VPCs: reachable, partial or none, with the counts of instance pairs.
    #[arg(long, conflicts_with_all = ["reachable", "unreachable", "full"])]
    pub summary: bool,
    /// List the instance pairs that ping (the first --limit of them, and how many there are).
    #[arg(long, group = "pair_list", conflicts_with_all = ["unreachable", "full"])]
    pub reachable: bool,
    /// List the instance pairs that do not ping (the first --limit of them, and how many there are).
    #[arg(long, group = "pair_list", conflicts_with = "full")]
    pub unreachable: bool,
    /// Every instance against every other: N × N cells (large networks make hundreds of megabytes).
    #[arg(long)]
    pub full: bool,
    /// How many pairs --reachable or --unreachable lists (server default 100, at most 10000).
    #[arg(long, value_name = "N", requires = "pair_list")]
    pub limit: Option<u64>,
    /// Print the server's JSON instead of the tables.
    #[arg(long)]
    pub json: bool,
}

impl ReachabilityArgs {
    /// The form the server is asked for (the JSON API's `form`).
    pub fn form(&self) -> &'static str {
        if self.summary {
            "summary"
        } else if self.reachable {
            "reachable"
        } else if self.unreachable {
            "unreachable"
        } else if self.full {
            "full"
        } else {
            "groups"
        }
    }
}

/// `localvpc ssh [user@]HOST`, from the internet.
#[derive(Debug, Args)]
pub struct SshArgs {
    /// `[user@]HOST`: HOST is a public address or a public DNS name.
    pub destination: String,
    /// The login name (as `ssh -l`); `user@` in the destination wins. Default `ec2-user`.
    #[arg(short = 'l')]
    pub login: Option<String>,
    /// The port to connect to.
    #[arg(short = 'p', default_value_t = 22)]
    pub port: u16,
    /// An identity file: its key must be the instance's key pair's (as sshd checks it); without one no key is
    /// checked.
    #[arg(short = 'i', value_name = "IDENTITY_FILE")]
    pub identity: Option<PathBuf>,
    /// An ssh option such as `StrictHostKeyChecking=no` (accepted and ignored).
    #[arg(short = 'o', value_name = "OPTION")]
    pub options: Vec<String>,
}

/// `localvpc serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Loopback unless told otherwise.
    #[arg(long, default_value = "127.0.0.1:4566", env = "LOCALVPC_LISTEN")]
    pub listen: String,
    /// Where state lives: `sqlite:PATH`, `memory`, or `postgres://USER:PASS@HOST:PORT/DB` (shared: several servers
    /// on one database are one endpoint). Default: a SQLite file under the XDG data dir.
    #[arg(long, value_parser = parse_store, default_value_t = StoreSpec::default_sqlite(), env = "LOCALVPC_STORE")]
    pub store: StoreSpec,
    /// Log filter (tracing `EnvFilter` syntax; `RUST_LOG` wins). `debug` logs one line per request.
    #[arg(long, default_value = "info")]
    pub log: String,
    /// Which AWS quotas to enforce: `none` (the default, so tests and labs never trip over "5 VPCs per region") or
    /// `aws` (AWS's default quotas — 5 VPCs, 5 Elastic IPs, 5 internet gateways per region, 50 routes per table, 60
    /// rules per security group, … — refused with AWS's error codes, e.g. `VpcLimitExceeded`).
    #[arg(long, value_enum, default_value_t = QuotaMode::None, env = "LOCALVPC_QUOTAS")]
    pub quotas: QuotaMode,
    /// Seconds a client may take to send a request's headers, counted from their first byte; a slower client is
    /// disconnected (a slowloris holds no connection for long). Fractions allowed.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_seconds)]
    pub header_timeout: Duration,
    /// Seconds a connection may stay silent — kept alive with no request, or stalled mid-request — before it is
    /// closed. Fractions allowed.
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = parse_seconds)]
    pub idle_timeout: Duration,
    /// Most connections served at once; more wait in the kernel's listen backlog until one closes (a warning says
    /// so, at most every few seconds). Default: 4096, or the open-file limit (`ulimit -n`) minus 32 if lower.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: Option<u32>,
    /// What carries packets: `model` (the packet engine computes every answer) or `kernel` (running instances become
    /// network namespaces where real programs run; needs root, or CAP_NET_ADMIN and CAP_SYS_ADMIN, and `nft`).
    #[arg(long, value_enum, default_value_t = DataPlaneMode::Model, env = "LOCALVPC_DATA_PLANE")]
    pub data_plane: DataPlaneMode,
    /// The prefix of every namespace the kernel data plane creates (`PREFIX-i-…`, `PREFIX-vpc-…`,
    /// `PREFIX-internet`); two servers on one host need different prefixes.
    #[arg(long, default_value = "lv", value_parser = parse_prefix, env = "LOCALVPC_KERNEL_PREFIX")]
    pub kernel_prefix: String,
    /// Issue the same resource IDs on every fresh store and reset (reproducible demos and snapshot tests). Without
    /// it IDs are random, as on AWS: a fresh store or a reset never repeats an earlier sequence.
    #[arg(long, value_name = "N", env = "LOCALVPC_ID_SEED")]
    pub id_seed: Option<u64>,
    /// The most instances one RunInstances may ask for (`MaxCount`), whatever `--quotas` says: a call over it is
    /// refused with `InstanceLimitExceeded` and launches nothing, so one request cannot hold every other writer for
    /// seconds.
    #[arg(
        long,
        value_name = "N",
        default_value_t = Quotas::none().max_instances_per_call,
        value_parser = clap::value_parser!(u32).range(1..).map(|n| n as usize),
        env = "LOCALVPC_MAX_INSTANCES_PER_CALL"
    )]
    pub max_instances_per_call: usize,
    /// How requests are authenticated: `none` (the default: any access key works and only names the account) or
    /// `sigv4` (every request but `GET /` and `/_localvpc/health` must carry a valid Signature Version 4 by a key of
    /// `--credentials`; refusals are AWS's codes, e.g. `AuthFailure`, `SignatureDoesNotMatch`, `RequestExpired`).
    #[arg(long, value_enum, default_value_t = AuthMode::None, env = "LOCALVPC_AUTH")]
    pub auth: AuthMode,
    /// The keys `--auth sigv4` accepts: a file of lines `ACCESS_KEY SECRET [ACCOUNT]` (`#` comments, blank lines
    /// allowed). Without ACCOUNT a key acts for the account its shape names (a 12-digit key is the account).
    #[arg(long, value_name = "FILE", env = "LOCALVPC_CREDENTIALS")]
    pub credentials: Option<PathBuf>,
}

/// The values of `serve --data-plane`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DataPlaneMode {
    /// The packet engine answers every probe; nothing is created in the kernel.
    Model,
    /// Running instances are network namespaces; packets are real.
    Kernel,
}

impl fmt::Display for DataPlaneMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DataPlaneMode::Model => "model",
            DataPlaneMode::Kernel => "kernel",
        })
    }
}

/// A namespace prefix: 1–8 lowercase letters or digits, so every name stays short and cannot escape `/run/netns`.
fn parse_prefix(text: &str) -> Result<String, String> {
    let valid = (1..=8).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if valid {
        Ok(text.to_string())
    } else {
        Err(format!("expected 1 to 8 lowercase letters or digits, got `{text}`"))
    }
}

/// A positive number of seconds, fractions allowed (`0.5`), as the timeout flags take it.
fn parse_seconds(text: &str) -> Result<Duration, String> {
    match text.trim().parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds <= 86_400.0 => Ok(Duration::from_secs_f64(seconds)),
        _ => Err(format!("expected a number of seconds between 0 and 86400, got `{text}`")),
    }
}

/// The values of `serve --auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthMode {
    /// Any access key works (signatures are not checked).
    None,
    /// Signature Version 4, verified against the keys of `--credentials`.
    Sigv4,
}

impl fmt::Display for AuthMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AuthMode::None => "none",
            AuthMode::Sigv4 => "sigv4",
        })
    }
}

/// The values of `serve --quotas`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum QuotaMode {
    /// Enforce no quota; hard AWS rules (one internet gateway per VPC, /16–/28, 50 tags) still apply.
    None,
    /// Enforce AWS's default quotas (spec §5).
    Aws,
}

impl fmt::Display for QuotaMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            QuotaMode::None => "none",
            QuotaMode::Aws => "aws",
        })
    }
}

/// A parsed `--store`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSpec {
    /// Nothing survives the process.
    Memory,
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL database, by URL (`postgres://…` or `postgresql://…`).
    Postgres(String),
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
            // The password stays out of logs.
            StoreSpec::Postgres(url) => f.write_str(&redact_password(url)),
        }
    }
}

fn parse_store(text: &str) -> Result<StoreSpec, String> {
    if text == "memory" {
        return Ok(StoreSpec::Memory);
    }
    if let Some(rest) = text.strip_prefix("postgres://").or_else(|| text.strip_prefix("postgresql://")) {
        if rest.is_empty() {
            return Err(format!("expected `postgres://USER:PASS@HOST:PORT/DB`, got `{text}`"));
        }
        return Ok(StoreSpec::Postgres(text.to_string()));
    }
    match text.strip_prefix("sqlite:") {
        Some(path) if !path.is_empty() => Ok(StoreSpec::Sqlite(PathBuf::from(path.strip_prefix("//").unwrap_or(path)))),
        _ => Err(format!("expected `memory`, `sqlite:PATH` or `postgres://USER:PASS@HOST:PORT/DB`, got `{text}`")),
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let Some((credentials, host)) = rest.split_once('@') else { return url.to_string() };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::RecordType;

    #[test]
    fn store_specs() {
        assert_eq!(parse_store("memory"), Ok(StoreSpec::Memory));
        assert_eq!(parse_store("sqlite:/tmp/x.db"), Ok(StoreSpec::Sqlite("/tmp/x.db".into())));
        assert_eq!(parse_store("postgres://u:p@h:5432/db"), Ok(StoreSpec::Postgres("postgres://u:p@h:5432/db".into())));
        assert_eq!(StoreSpec::Postgres("postgres://u:p@h:5432/db".into()).to_string(), "postgres://u:***@h:5432/db");
        assert!(parse_store("postgres://").is_err());
        assert!(parse_store("mysql://x").is_err());
        assert!(parse_store("sqlite:").is_err());
    }

    #[test]
    fn serve_quotas() {
        let quotas = |args: &[&str]| match Cli::try_parse_from(args).unwrap().command {
            Command::Serve(serve) => serve.quotas,
            other => panic!("not serve: {other:?}"),
        };
        // A LOCALVPC_QUOTAS set in the environment decides the default, so the default is checked only without it.
        if std::env::var_os("LOCALVPC_QUOTAS").is_none() {
            assert_eq!(quotas(&["localvpc", "serve"]), QuotaMode::None);
        }
        assert_eq!(quotas(&["localvpc", "serve", "--quotas", "aws"]), QuotaMode::Aws);
        assert_eq!(quotas(&["localvpc", "serve", "--quotas", "none"]), QuotaMode::None);
        assert!(Cli::try_parse_from(["localvpc", "serve", "--quotas", "strict"]).is_err());
        assert_eq!(QuotaMode::Aws.to_string(), "aws");
    }

    #[test]
    fn serve_max_instances_per_call() {
        let ceiling = |args: &[&str]| match Cli::try_parse_from(args).map(|cli| cli.command) {
            Ok(Command::Serve(serve)) => Ok(serve.max_instances_per_call),
            Ok(other) => panic!("not serve: {other:?}"),
            Err(error) => Err(error.kind()),
        };
        if std::env::var_os("LOCALVPC_MAX_INSTANCES_PER_CALL").is_none() {
            assert_eq!(ceiling(&["localvpc", "serve"]), Ok(1000));
        }
        assert_eq!(ceiling(&["localvpc", "serve", "--max-instances-per-call", "20000"]), Ok(20_000));
        assert!(ceiling(&["localvpc", "serve", "--max-instances-per-call", "0"]).is_err());
        assert!(ceiling(&["localvpc", "serve", "--max-instances-per-call", "-1"]).is_err());
    }

    #[test]
    fn global_options_and_exec() {
        let cli = Cli::try_parse_from([
            "localvpc",
            "--endpoint",
            "http://x:1",
            "--region",
            "ap-northeast-2",
            "exec",
            "i-1",
            "--explain",
            "--",
            "ping",
            "-c",
            "2",
            "10.7.1.10",
        ])
        .unwrap();
        assert_eq!(cli.endpoint, "http://x:1");
        assert_eq!(cli.region(), "ap-northeast-2");
        let Command::Exec(exec) = cli.command else { panic!("not exec") };
        assert!(exec.explain);
        assert_eq!(exec.vantage, "i-1");
        assert_eq!(exec.command, ["ping", "-c", "2", "10.7.1.10"]);
        let before = Cli::try_parse_from(["localvpc", "exec", "--explain", "internet", "--", "dig", "x"]).unwrap();
        let Command::Exec(exec) = before.command else { panic!("not exec") };
        assert!(exec.explain && exec.vantage == "internet");
        let bare = Cli::try_parse_from(["localvpc", "exec", "i-1", "--explain", "nc", "-z", "h", "22"]).unwrap();
        let Command::Exec(exec) = bare.command else { panic!("not exec") };
        assert!(exec.explain);
        assert_eq!(exec.command, ["nc", "-z", "h", "22"]);
        let tool_flag = Cli::try_parse_from(["localvpc", "exec", "i-1", "ping", "--explain", "h"]).unwrap();
        let Command::Exec(exec) = tool_flag.command else { panic!("not exec") };
        assert!(!exec.explain, "after the command, flags are the tool's");
        assert_eq!(exec.command, ["ping", "--explain", "h"]);
    }

    #[test]
    fn tool_flags() {
        let ping = PingArgs::try_parse_from(["ping", "-c3", "host"]).unwrap();
        assert_eq!((ping.count, ping.host.as_str()), (3, "host"));
        assert_eq!(PingArgs::try_parse_from(["ping", "h"]).unwrap().count, 4);
        let nc = NcArgs::try_parse_from(["nc", "-zv", "-w", "2", "10.0.0.1", "22"]).unwrap();
        assert!(nc.zero_io && nc.verbose && nc.timeout == Some(2) && nc.port == 22);
        assert!(NcArgs::try_parse_from(["nc", "-vz", "h", "80"]).unwrap().zero_io);
        let traceroute = TracerouteArgs::try_parse_from(["traceroute", "-I", "-m", "5", "h"]).unwrap();
        assert!(traceroute.icmp && traceroute.max_hops == 5 && traceroute.port == 33434);
        let dig = DigArgs::try_parse_from(["dig", "@10.0.0.2", "+short", "name.example", "A"]).unwrap();
        assert_eq!(
            dig.query(),
            Ok(DigQuery {
                name: "name.example".into(),
                server: Some("10.0.0.2".into()),
                short: true,
                record: RecordType::A
            })
        );
        let aaaa = DigArgs::try_parse_from(["dig", "AAAA", "name.example"]).unwrap().query().unwrap();
        assert_eq!((aaaa.name.as_str(), aaaa.record), ("name.example", RecordType::Aaaa));
        assert!(DigArgs::try_parse_from(["dig", "x.example", "y.example"]).unwrap().query().is_err());
    }
}
