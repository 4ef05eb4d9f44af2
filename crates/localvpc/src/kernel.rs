//! Glue for the kernel data plane: `serve --data-plane kernel` (the privilege check, the loop that realises each
//! published world version, the teardown on exit) and `exec` running a real command in a vantage's namespace.
//!
//! All kernel work is `localvpc-kernel`'s; this file only wires it to the server and the command line.

use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};
use localvpc_api::control::Control;
use localvpc_api::data_plane::Console;
use localvpc_api::data_plane::KernelPlane;
use localvpc_kernel::{plan, Consoles, EndpointServices, FlowCapture, Names, Realizer, Resolvers};
use localvpc_model::Scope;
use serde_json::Value;
use tokio::sync::watch;

use crate::client::Client;

/// Capability bits (linux/capability.h) the kernel data plane needs.
const CAP_NET_ADMIN: u32 = 12;
const CAP_SYS_ADMIN: u32 = 21;

/// Refuses to start without the privileges or tools the kernel data plane needs, with a message that says why.
pub fn check_privileges() -> anyhow::Result<()> {
    let status = std::fs::read_to_string("/proc/self/status").context("while reading /proc/self/status")?;
    let effective = status
        .lines()
        .find_map(|line| line.strip_prefix("CapEff:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .unwrap_or(0);
    let has = |bit: u32| effective & (1 << bit) != 0;
    if !has(CAP_NET_ADMIN) || !has(CAP_SYS_ADMIN) {
        bail!(
            "--data-plane kernel needs root, or CAP_NET_ADMIN and CAP_SYS_ADMIN (network namespaces, links and \
             nftables are created for every running instance); run it with sudo, or use --data-plane model"
        );
    }
    let nft = Command::new("nft").arg("--version").output();
    if !nft.is_ok_and(|output| output.status.success()) {
        bail!("--data-plane kernel needs the `nft` command (Debian: apt-get install nftables)");
    }
    Ok(())
}

/// Starts realising `control`'s world in the kernel: reconciles at once (removing what the prefix owns but the
/// world does not hold, creating what is missing), then follows every published version. Returns the extension
/// the API answers `/_localvpc/v1/data-plane` with, and the task to stop and tear down on exit.
pub async fn start(control: Arc<Control>, prefix: &str) -> anyhow::Result<(KernelPlane, DataPlaneTask)> {
    let names = Names::new(prefix);
    let mut realizer = Realizer::new(names.clone());
    let mut resolvers = Resolvers::new(names.clone(), control.topology());
    let mut services = EndpointServices::new();
    let consoles = Consoles::new(names.clone());
    // Real traffic's flow log records go to the same store as the probes' (part 2 §18.3).
    let recorder = Arc::clone(&control);
    let mut capture =
        FlowCapture::new(Arc::new(move |flows| localvpc_api::flow_records::record_observed(&recorder, flows)));
    let (realised_tx, realised) = watch::channel(0u64);
    let (stop_tx, mut stop) = watch::channel(false);
    let mut versions = control.subscribe();
    realise(&control, &mut realizer, &mut resolvers, &mut services, &mut capture, &consoles, &realised_tx).await;
    let reader = consoles.clone();
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                changed = versions.changed() => if changed.is_err() { break },
                _ = stop.changed() => break,
            }
            // Realise the newest version at once, with no settling delay: a rule change is live as soon as the
            // kernel has it. Versions published meanwhile are coalesced (the watch keeps only the newest, and
            // `realise` compiles the newest world), so a burst of writes costs one run now and one after it.
            realise(&control, &mut realizer, &mut resolvers, &mut services, &mut capture, &consoles, &realised_tx)
                .await;
        }
        // The readers hold their namespaces: they go before the teardown.
        capture.stop().await;
        resolvers.stop();
        services.stop();
        if let Err(error) = consoles.clear() {
            tracing::warn!(%error, "the consoles were not removed");
        }
        realizer
    });
    let instance_names = names.clone();
    let namespace_of = Arc::new(move |vantage: &str| {
        if vantage == "internet" {
            instance_names.internet()
        } else if let Some(customer_gateway) = vantage.strip_prefix("onprem:") {
            instance_names.site(customer_gateway)
        } else {
            instance_names.instance(vantage)
        }
    });
    let console = Console(Arc::new(move |instance_id: &str| reader.read(instance_id)));
    Ok((KernelPlane { namespace_of, realised, console }, DataPlaneTask { stop: stop_tx, task }))
}

async fn realise(
    control: &Arc<Control>,
    realizer: &mut Realizer,
    resolvers: &mut Resolvers,
    services: &mut EndpointServices,
    capture: &mut FlowCapture,
    consoles: &Consoles,
    realised: &watch::Sender<u64>,
) {
    let started = Instant::now();
    let compiler = Arc::clone(control);
    let Ok(topology) = tokio::task::spawn_blocking(move || compiler.topology()).await else { return };
    let desired = plan(&topology, realizer.names());
    // A flow log reader keeps its namespace alive: those of namespaces about to go stop first.
    capture.retain(&desired).await;
    match realizer.apply(&desired).await {
        Ok(report) => tracing::debug!(
            version = topology.version,
            created = report.created,
            deleted = report.deleted,
            synced = report.synced,
            veths = report.veths,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "kernel realised"
        ),
        Err(errors) => {
            for error in &errors.0 {
                tracing::warn!(version = topology.version, %error, "kernel realisation failed (retried on the next change)");
            }
        }
    }
    // The DNS servers answer from this version on; a new VPC's server binds to the address just realised.
    for error in resolvers.sync(Arc::clone(&topology)).await {
        tracing::warn!(version = topology.version, %error, "DNS server not started (retried on the next change)");
    }
    // The services behind gateway endpoints listen in the namespaces just realised; those of gone ones stop.
    for error in services.sync(&desired).await {
        tracing::warn!(version = topology.version, %error, "endpoint service not started (retried on the next change)");
    }
    for error in capture.sync(&desired).await {
        tracing::warn!(version = topology.version, %error, "flow log capture not started (retried on the next change)");
    }
    let running = topology
        .enis
        .iter()
        .filter(|eni| eni.running)
        .filter_map(|eni| Some((eni.scope.clone(), eni.instance_id.clone()?)))
        .collect();
    launch_user_data(control, running, consoles).await;
    // Answer waiting `exec`s even after a failure: they then meet the kernel as it is, and the log says why.
    realised.send_replace(topology.version);
}

/// Runs the user data of every realised instance that has not run it yet (once per launch: see
/// `localvpc_kernel::console`).
async fn launch_user_data(control: &Arc<Control>, running: Vec<(Scope, String)>, consoles: &Consoles) {
    let world = control.snapshot();
    let pending: Vec<(String, String)> = running
        .iter()
        .filter_map(|(scope, instance_id)| {
            let instance = world.region(scope).instances.get(instance_id.as_str())?;
            Some((instance.id.clone(), instance.user_data.clone()?))
        })
        .filter(|(instance_id, _)| !consoles.launched(instance_id) && consoles.namespace_exists(instance_id))
        .collect();
    if pending.is_empty() {
        return;
    }
    let consoles = consoles.clone();
    let launched = tokio::task::spawn_blocking(move || {
        pending
            .into_iter()
            .filter_map(|(instance_id, user_data)| {
                consoles.launch(&instance_id, &user_data).err().map(|error| (instance_id, error))
            })
            .collect::<Vec<_>>()
    })
    .await;
    for (instance_id, error) in launched.unwrap_or_default() {
        tracing::warn!(instance_id, %error, "user data did not start");
    }
}

/// The running realisation loop.
pub struct DataPlaneTask {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Realizer>,
}

impl DataPlaneTask {
    /// Stops following the world and removes every namespace the prefix owns.
    pub async fn teardown(self) {
        let _ = self.stop.send(true);
        let Ok(mut realizer) = self.task.await else { return };
        let started = Instant::now();
        match realizer.teardown().await {
            Ok(removed) => {
                tracing::info!(
                    removed,
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "kernel data plane torn down"
                )
            }
            Err(errors) => {
                for error in &errors.0 {
                    tracing::warn!(%error, "kernel teardown left something behind");
                }
            }
        }
    }
}

/// `exec` with the kernel data plane: runs `command` in the vantage's namespace (`ip netns exec`, which also
/// gives the command the namespace's own `/etc` files and `/sys`) and passes its exit status through. `None` when
/// the server runs the model (the engine answers, as without `--data-plane kernel`).
pub fn exec(client: &Client, vantage: &str, command: &[String]) -> anyhow::Result<Option<u8>> {
    let answer = client.data_plane(vantage)?;
    if answer.get("dataPlane").and_then(Value::as_str) != Some("kernel") {
        return Ok(None);
    }
    let namespace = answer
        .get("namespace")
        .and_then(Value::as_str)
        .context("the server's data-plane answer names no namespace (is it the same version?)")?;
    let status = Command::new("ip")
        .args(["netns", "exec", namespace])
        .args(command)
        .status()
        .context("cannot run `ip netns exec` (iproute2); running a command in a namespace needs root")?;
    Ok(Some(exit_code(status)))
}

fn exit_code(status: std::process::ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => code as u8,
        // As a shell reports a command killed by a signal.
        (None, Some(signal)) => 128u8.wrapping_add(signal as u8),
        (None, None) => 1,
    }
}
