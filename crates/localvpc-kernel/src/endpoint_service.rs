//! The AWS service behind each gateway VPC endpoint (part 2 §17.4): TCP listeners on the service's ports
//! ([`SERVICE_PORTS`], 443 and 80) inside the endpoint's namespace, bound to 0.0.0.0 — every address of the
//! service's blocks is a `local` route there, so one socket per port accepts connections to all of them. Behind
//! each interface endpoint's interface (part 2 §17.5) the same, on [`INTERFACE_ENDPOINT_PORTS`] at its address. A
//! connection is accepted and closed: a TCP connect succeeds, as the engine says. Sockets are opened on a thread
//! that entered the namespace (as `resolver.rs` opens its own) and served by tokio tasks; a namespace's listeners
//! stop (their tasks aborted, their sockets closed, so nothing keeps the namespace alive) when it goes.

use std::collections::HashMap;
use std::io;

use localvpc_engine::topology::{INTERFACE_ENDPOINT_PORTS, SERVICE_PORTS};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::apply::KernelError;
use crate::netns;
use crate::state::{KernelState, Role};

/// The running listeners, by endpoint namespace.
#[derive(Default)]
pub struct EndpointServices {
    running: HashMap<String, Listeners>,
}

struct Listeners(Vec<JoinHandle<()>>);

impl Drop for Listeners {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

impl EndpointServices {
    /// No listeners yet.
    pub fn new() -> EndpointServices {
        EndpointServices::default()
    }

    /// Starts the listeners of the endpoint namespaces in `state` (realised already) that have none, and stops
    /// those of namespaces no longer in it. A namespace whose listeners cannot start is reported and retried on
    /// the next call.
    pub async fn sync(&mut self, state: &KernelState) -> Vec<KernelError> {
        let wanted: Vec<(&String, &'static [u16])> = state
            .namespaces
            .iter()
            .filter_map(|(name, namespace)| match namespace.role {
                Role::VpcEndpoint => Some((name, SERVICE_PORTS)),
                Role::InterfaceEndpoint => Some((name, INTERFACE_ENDPOINT_PORTS)),
                _ => None,
            })
            .collect();
        self.running.retain(|name, _| wanted.iter().any(|(wanted, _)| *wanted == name));
        let mut errors = Vec::new();
        for (name, ports) in wanted {
            if self.running.contains_key(name) {
                continue;
            }
            match start(name, ports).await {
                Ok(listeners) => {
                    self.running.insert(name.clone(), listeners);
                }
                Err(source) => errors.push(KernelError { place: format!("{name}: service listeners"), source }),
            }
        }
        errors
    }

    /// Stops every listener.
    pub fn stop(&mut self) {
        self.running.clear();
    }
}

async fn start(namespace: &str, ports: &'static [u16]) -> io::Result<Listeners> {
    let owned = namespace.to_string();
    let sockets = tokio::task::spawn_blocking(move || {
        netns::run_in(&owned, || {
            ports
                .iter()
                .map(|&port| {
                    let listener = std::net::TcpListener::bind(("0.0.0.0", port))?;
                    listener.set_nonblocking(true)?;
                    Ok(listener)
                })
                .collect::<io::Result<Vec<_>>>()
        })
    })
    .await
    .map_err(io::Error::other)??;
    let mut tasks = Vec::new();
    for socket in sockets {
        tasks.push(tokio::spawn(serve(TcpListener::from_std(socket)?)));
    }
    Ok(Listeners(tasks))
}

/// Accepts and closes: the service is there, and what it says is no part of the network.
async fn serve(listener: TcpListener) {
    loop {
        if let Ok((connection, _)) = listener.accept().await {
            drop(connection);
        }
    }
}
