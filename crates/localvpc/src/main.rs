//! The `localvpc` binary: glue between the command line and the crates that do the work.
//!
//! `localvpc serve` runs the emulated AWS endpoint; all its behaviour lives in `localvpc-api` (protocol) and
//! `localvpc-model` (rules). The client commands (`exec`, `explain`, `reachability`, `ssh`, `vpn`) ask that endpoint's JSON
//! API (`client.rs`) and print what the Linux tools would (`tools/`); `demo` replays the seed tutorial against an
//! in-process server (`demo.rs`). This file parses flags, dispatches, and maps errors to exit codes in one place.

mod calendar;
mod cli;
mod client;
mod credentials;
mod demo;
mod explain;
mod flow_logs;
mod kernel;
mod migrate;
mod reachability;
mod server;
mod ssh;
mod tools;
mod vpn;

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::Parser;
use localvpc_api::auth::Auth;
use localvpc_api::control::{Control, Quotas};
use localvpc_api::id_source::IdSource;
use localvpc_store::{MemoryStore, PostgresStore, SqliteStore, Store};

use crate::cli::{AuthMode, Cli, Command, DataPlaneMode, QuotaMode, ServeArgs, StoreSpec};
use crate::client::Client;

/// mimalloc rather than the system allocator: a write copies the persistent maps' nodes on its path, so the server
/// allocates and frees small blocks at a high rate over a large, long-lived heap, and glibc's malloc slowed down as
/// that heap grew (a CreateSecurityGroup in a region of 20,000 groups cost ~200 µs with it, ~36 µs with mimalloc).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // ssh reports its own failures with 255; localvpc's other commands with 2 (a usage or environment error, which
    // no tool outcome uses except ping's unknown host — the same meaning).
    let failure = if matches!(cli.command, Command::Ssh(_)) { 255 } else { 2 };
    match run(cli) {
        Ok(status) => ExitCode::from(status),
        Err(error) => match error.downcast_ref::<clap::Error>() {
            // A tool's own flags were wrong (`exec … -- ping -x`): its usage message, clap's status (2, or 0 for -h).
            Some(usage) => {
                let _ = usage.print();
                ExitCode::from(usage.exit_code() as u8)
            }
            None => {
                eprintln!("localvpc: {error:#}");
                ExitCode::from(failure)
            }
        },
    }
}

/// Runs one command; `Ok` carries the exit status of a command that ran (a tool's, say), `Err` a failure to run.
fn run(cli: Cli) -> anyhow::Result<u8> {
    let client = || Client::new(&cli.endpoint, &cli.access_key(), cli.secret_key().as_deref(), &cli.region());
    match &cli.command {
        Command::Serve(args) => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(server_threads())
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            runtime.block_on(serve(args))?;
            Ok(0)
        }
        Command::Exec(args) => {
            let client = client()?;
            // With `serve --data-plane kernel` the real command runs in the vantage's namespace; `--model` (and
            // `--explain`, which shows the engine's path) ask the engine as always.
            if !args.model && !args.explain {
                if let Some(status) = kernel::exec(&client, &args.vantage, &args.command)? {
                    return Ok(status);
                }
            }
            Ok(tools::run(&client, &args.vantage, &args.command, args.explain)?.emit())
        }
        Command::Explain(args) => Ok(explain::run(&client()?, args)?.emit()),
        Command::Reachability(args) => Ok(reachability::run(&client()?, args)?.emit()),
        Command::Ssh(args) => ssh::run(&client()?, args),
        Command::Demo(args) => demo::run(args.quiet),
        Command::Vpn(command) => Ok(vpn::run(&client()?, command)?.emit()),
        Command::FlowLogs(args) => flow_logs::run(&client()?, args, &mut std::io::stdout()),
        Command::Migrate(args) => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            runtime.block_on(migrate::run(args))?;
            Ok(0)
        }
    }
}

/// The server's worker threads: one core fewer than the machine has (at least one), unless `TOKIO_WORKER_THREADS`
/// says otherwise. localvpc runs beside its clients — the test suite, Terraform, the browser — so a worker per core
/// only makes the workers and the clients preempt each other: on 2 cores under a 16-connection load, one worker served
/// 23k writes/s at 42 µs of CPU each, two workers 21.6k/s at 55 µs (BENCHMARKS.md), and reads were no slower.
fn server_threads() -> usize {
    let from_env = std::env::var("TOKIO_WORKER_THREADS").ok().and_then(|n| n.parse::<usize>().ok());
    from_env
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |cores| cores.get().saturating_sub(1).max(1)))
}

async fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    init_logging(&args.log);
    let auth = auth(args)?;
    if args.data_plane == DataPlaneMode::Kernel {
        kernel::check_privileges()?;
    }
    let store = open_store(&args.store).await?;
    let quotas = match args.quotas {
        QuotaMode::None => Quotas::none(),
        QuotaMode::Aws => Quotas::aws(),
    };
    let quotas = Quotas { max_instances_per_call: args.max_instances_per_call, ..quotas };
    let id_source = args.id_seed.map_or(IdSource::Random, IdSource::Seeded);
    let control = Control::open_with_quotas(store, quotas)
        .await
        .context("while loading the stored state")?
        .with_id_source(id_source);
    // Flow log records live beside a SQLite file (`PATH.flow-logs/`); with memory or PostgreSQL, in memory only.
    let control = match &args.store {
        StoreSpec::Sqlite(path) => control.with_flow_log_dir(flow_log_dir(path)),
        _ => control,
    };
    let listener =
        tokio::net::TcpListener::bind(&args.listen).await.with_context(|| format!("while binding {}", args.listen))?;
    let address = listener.local_addr().context("while reading the bound address")?;
    let limits = server::Limits {
        header_timeout: args.header_timeout,
        idle_timeout: args.idle_timeout,
        max_connections: args.max_connections.map_or_else(server::default_max_connections, |cap| cap as usize),
    };
    let control = Arc::new(control);
    // The web console shares the port; it is not behind the SigV4 gate (under `--auth sigv4` it has its own
    // sign-in) and acts only through the EC2 actions.
    let mut app = localvpc_api::router_with_auth(Arc::clone(&control), auth.clone())
        .merge(localvpc_console::routes(Arc::clone(&control), auth));
    let mut data_plane = None;
    if args.data_plane == DataPlaneMode::Kernel {
        let (plane, task) = kernel::start(Arc::clone(&control), &args.kernel_prefix).await?;
        app = app.layer(axum::Extension(plane));
        data_plane = Some(task);
    }
    tracing::info!(%address, store = %args.store, quotas = %args.quotas, auth = %args.auth,
        data_plane = %args.data_plane, max_instances_per_call = args.max_instances_per_call,
        max_connections = limits.max_connections, "localvpc is serving");
    server::run(listener, app, limits, shutdown_signal()).await;
    if let Some(task) = data_plane {
        task.teardown().await;
    }
    Ok(())
}

/// The directory of the flow log records of the SQLite store at `path`.
fn flow_log_dir(path: &std::path::Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".flow-logs");
    name.into()
}

/// Opens the store `spec` names (creating or migrating its schema).
async fn open_store(spec: &StoreSpec) -> anyhow::Result<Arc<dyn Store>> {
    Ok(match spec {
        StoreSpec::Memory => Arc::new(MemoryStore::new()),
        StoreSpec::Sqlite(path) => Arc::new(
            SqliteStore::open(path).await.with_context(|| format!("while opening the store {}", path.display()))?,
        ),
        StoreSpec::Postgres(url) => {
            Arc::new(PostgresStore::open(url).await.with_context(|| format!("while opening the store {spec}"))?)
        }
    })
}

/// `--auth` and `--credentials`: the keys are read before anything else opens, so a bad file stops the start.
fn auth(args: &ServeArgs) -> anyhow::Result<Auth> {
    match (args.auth, &args.credentials) {
        (AuthMode::None, None) => Ok(Auth::AnyKey),
        (AuthMode::None, Some(path)) => {
            tracing::warn!(path = %path.display(), "credentials are ignored without --auth sigv4: any key works");
            Ok(Auth::AnyKey)
        }
        (AuthMode::Sigv4, None) => bail!("--auth sigv4 needs --credentials FILE (or LOCALVPC_CREDENTIALS)"),
        (AuthMode::Sigv4, Some(path)) => {
            let credentials = credentials::load(path)?;
            tracing::info!(path = %path.display(), keys = credentials.len(), "signatures are verified (--auth sigv4)");
            Ok(Auth::SigV4(Arc::new(credentials)))
        }
    }
}

fn init_logging(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = ctrl_c => {},
            _ = terminate.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
