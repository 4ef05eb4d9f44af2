//! The `localvpc` binary: glue between the command line and the crates that do the work.
//!
//! `localvpc serve` runs the emulated AWS endpoint. All behaviour lives in `localvpc-api` (protocol) and
//! `localvpc-model` (rules); this file parses flags, opens the store, binds the socket, and maps errors to exit
//! codes in one place.

mod cli;

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use localvpc_api::control::Control;
use localvpc_store::{MemoryStore, SqliteStore, Store};

use crate::cli::{Cli, Command, ServeArgs, StoreSpec};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("localvpc: cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Serve(args) => runtime.block_on(serve(args)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("localvpc: {error:#}");
            ExitCode::from(2)
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    init_logging(&args.log);
    let store: Arc<dyn Store> = match &args.store {
        StoreSpec::Memory => Arc::new(MemoryStore::new()),
        StoreSpec::Sqlite(path) => Arc::new(
            SqliteStore::open(path).await.with_context(|| format!("while opening the store {}", path.display()))?,
        ),
    };
    let control = Control::open(store).await.context("while loading the stored state")?;
    let listener =
        tokio::net::TcpListener::bind(&args.listen).await.with_context(|| format!("while binding {}", args.listen))?;
    let address = listener.local_addr().context("while reading the bound address")?;
    tracing::info!(%address, store = %args.store, "localvpc is serving");
    let app = localvpc_api::router(Arc::new(control));
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await.context("while serving")?;
    Ok(())
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
