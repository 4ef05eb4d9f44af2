//! The JSON API under `/_localvpc/v1/` that the `localvpc` CLI uses: probes, name resolution, explanations and the
//! reachability matrix, all computed by `localvpc-engine` from the caller's view of the world.
//!
//! The same account/region rules as the EC2 API apply (SigV4 credential scope; a 12-digit key is the account, or
//! with `serve --auth sigv4` the account the credentials file gives the verified key: the handlers take the
//! [`crate::auth::Caller`], never the raw headers): a vantage is the caller's own instance or interface, the
//! matrix covers the caller's own instances, and what a walk crossed is shown as `localvpc_engine::visibility`
//! allows the caller to see it. Engine types are rendered into JSON here, field by field: this is the wire
//! contract of the CLI. One file per endpoint family: [`probe`] (probe and explain), [`resolve`],
//! [`reachability`], [`login`] (`ssh -i`), [`vpn_tunnel`] (the tunnels' admin switch, `localvpc vpn tunnel`); this module holds what they share (the body's fields, the vantage, the protocol). Errors are
//! [`JsonError`]s.

mod flow_logs;
mod login;
mod probe;
mod reachability;
mod resolve;
mod vpn_tunnel;

use axum::response::Response;
use localvpc_engine::dns::Answer;
use localvpc_engine::{Protocol, Topology, Vantage};
use localvpc_model::{Ec2Error, Scope, VpnError, World};
use serde_json::{json, Map, Value};

use crate::json_error::{json_ok, JsonError};

pub use flow_logs::flow_logs;
pub use login::login;
pub use probe::{explain, explain_probe, explain_value, probe, Explanation};
pub use reachability::{reachability, reachability_groups};
pub use resolve::resolve;
pub use vpn_tunnel::vpn_tunnel;

type Body = Map<String, Value>;

/// The vantage prefix naming the on-premises network behind a customer gateway (`onprem:cgw-…`).
pub const ONPREM_PREFIX: &str = "onprem:";

fn ok(value: Value) -> Response {
    json_ok(value.to_string())
}

/// A required string field.
fn text_field<'a>(body: &'a Body, field: &'static str) -> Result<&'a str, JsonError> {
    let value = body.get(field).ok_or(JsonError::MissingField(field))?;
    value.as_str().ok_or(JsonError::InvalidField { field, expected: "a string" })
}

/// `internet`, an instance ID or an interface ID of the caller's scope (a running instance: a stopped one sends
/// nothing), or `onprem:<cgw-id>`, the on-premises network behind one of the caller's customer gateways (it sends
/// from the first usable host of the gateway's first prefix, so it needs one).
pub(crate) fn vantage(world: &World, topology: &Topology, scope: &Scope, text: &str) -> Result<Vantage, JsonError> {
    if text == "internet" {
        return Ok(Vantage::Internet);
    }
    if let Some(gateway) = text.strip_prefix(ONPREM_PREFIX) {
        let site = topology
            .site(scope, gateway)
            .ok_or_else(|| Ec2Error::from(VpnError::CustomerGatewayNotFound(vec![gateway.to_string()])))?;
        if topology.vpn.sites[site].source.is_none() {
            return Err(JsonError::SiteWithoutPrefixes(gateway.to_string()));
        }
        return Ok(Vantage::OnPremises(site));
    }
    let region = world.region(scope);
    let eni = if text.starts_with("i-") {
        let instance = region.instances.get(text).ok_or_else(|| Ec2Error::InstanceNotFound(vec![text.to_string()]))?;
        if !instance.state.is_running() {
            let state = instance.state.name().to_string();
            return Err(JsonError::InstanceNotRunning { id: text.to_string(), state });
        }
        topology.instance_eni(text)
    } else if text.starts_with("eni-") {
        if !region.network_interfaces.contains_key(text) {
            return Err(Ec2Error::NetworkInterfaceNotFound(vec![text.to_string()]).into());
        }
        topology.eni(text)
    } else {
        None
    };
    eni.map(Vantage::Eni).ok_or_else(|| JsonError::InvalidVantage(text.to_string()))
}

/// `protocol` (`icmp` when absent) and, for TCP and UDP, `port`.
fn protocol(body: &Body) -> Result<Protocol, JsonError> {
    let port = || -> Result<u16, JsonError> {
        let value = body.get("port").ok_or(JsonError::MissingField("port"))?;
        value
            .as_u64()
            .and_then(|port| u16::try_from(port).ok())
            .filter(|port| *port > 0)
            .ok_or(JsonError::InvalidField { field: "port", expected: "an integer between 1 and 65535" })
    };
    let name = match body.get("protocol") {
        None => "icmp",
        Some(value) => value.as_str().unwrap_or_default(),
    };
    match name {
        "icmp" => Ok(Protocol::Icmp),
        "tcp" => Ok(Protocol::Tcp(port()?)),
        "udp" => Ok(Protocol::Udp(port()?)),
        _ => Err(JsonError::InvalidField { field: "protocol", expected: "one of icmp, tcp, udp" }),
    }
}

fn answer_json(answer: &Answer) -> Value {
    match answer {
        Answer::Address(address) => json!({ "status": "NOERROR", "address": address.to_string() }),
        Answer::Ipv6Address(address) => json!({ "status": "NOERROR", "address": address.to_string() }),
        // The name exists without a record of the type asked (part 2 §16.4: an IP name asked AAAA).
        Answer::NoData => json!({ "status": "NOERROR", "address": null }),
        Answer::NxDomain => json!({ "status": "NXDOMAIN", "address": null }),
        Answer::Timeout => json!({ "status": "TIMEOUT", "address": null }),
    }
}
