//! HTTP to the localvpc JSON API (`/_localvpc/v1/…`): one method per endpoint, and the answer shapes the tools read.
//!
//! The caller's account and region travel as the aws CLI sends them, in a SigV4 credential scope
//! (`Credential=AKID/yyyymmdd/region/ec2/aws4_request`); the server reads the scope and does not check the signature,
//! so nothing here signs. Blocking reqwest: the client commands are a handful of sequential calls to loopback, and
//! the `ssh` shell reads stdin between them.

use std::io::Write;
use std::net::Ipv4Addr;
use std::time::Duration;

use anyhow::{anyhow, Context};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::calendar::UtcTime;

/// What a probe sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// ICMP echo.
    Icmp,
    /// A TCP connection to a port.
    Tcp(u16),
    /// A UDP datagram to a port.
    Udp(u16),
}

impl Protocol {
    fn body(self, from: &str, to: &str) -> Value {
        match self {
            Protocol::Icmp => json!({ "from": from, "to": to, "protocol": "icmp" }),
            Protocol::Tcp(port) => json!({ "from": from, "to": to, "protocol": "tcp", "port": port }),
            Protocol::Udp(port) => json!({ "from": from, "to": to, "protocol": "udp", "port": port }),
        }
    }
}

/// The outcome of a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The destination answered and the answer came back.
    Reachable,
    /// A TCP reset came back: nothing listens on the port.
    Refused,
    /// The request or its answer was dropped silently.
    Dropped,
    /// The name did not resolve; nothing was sent.
    Unresolved,
}

/// A resolver's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum DnsStatus {
    /// An answer.
    #[serde(rename = "NOERROR")]
    NoError,
    /// The name does not exist.
    #[serde(rename = "NXDOMAIN")]
    NxDomain,
    /// Nothing answered.
    #[serde(rename = "TIMEOUT")]
    Timeout,
}

/// How a probe's name resolved (absent when the destination was an address).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Resolution {
    /// The resolver's status.
    pub status: DnsStatus,
    /// The A record, when there is one.
    pub address: Option<Ipv4Addr>,
}

/// One component a packet crossed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Hop {
    /// `network-interface`, `security-group-egress`, `route-table`, `vpc-peering-connection`, …; `other-account`
    /// for components of another account the server does not show.
    pub kind: String,
    /// The component's ID; absent for another account's component.
    #[serde(default)]
    pub id: Option<String>,
    /// The owner of a peer's component shown without its ID.
    #[serde(default)]
    pub account: Option<String>,
    /// What happened there.
    pub detail: String,
}

impl Hop {
    /// The ID, or who owns a component shown without one.
    pub fn label(&self) -> String {
        match (&self.id, &self.account) {
            (Some(id), _) => id.clone(),
            (None, Some(account)) => format!("(account {account})"),
            (None, None) => "-".to_string(),
        }
    }
}

/// A blocking setting and its fix.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Finding {
    /// The explanation code (`NO_ROUTE_TO_DESTINATION`, `ENI_SG_RULES_MISMATCH`, …).
    pub code: String,
    /// The blocking component's ID; absent for a peer's setting.
    #[serde(default)]
    pub component: Option<String>,
    /// The owner of a peer's setting shown without its ID.
    #[serde(default)]
    pub account: Option<String>,
    /// What blocks.
    pub detail: String,
    /// The change that unblocks it.
    pub fix: String,
}

impl Finding {
    /// The blocking component's ID, or the account that owns it.
    pub fn label(&self) -> String {
        match (&self.component, &self.account) {
            (Some(component), _) => component.clone(),
            (None, Some(account)) => format!("account {account}"),
            (None, None) => "-".to_string(),
        }
    }
}

/// One direction of a probe.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Leg {
    /// Components crossed, in order.
    #[serde(default)]
    pub hops: Vec<Hop>,
    /// The interface ID (or internet address) the packet reached.
    #[serde(default)]
    pub delivered_to: Option<String>,
    /// The instance behind that interface.
    #[serde(default)]
    pub delivered_instance: Option<String>,
    /// The address the packet arrived at, after NAT (an instance's private address).
    #[serde(default)]
    pub delivered_address: Option<Ipv4Addr>,
    /// What blocked this leg.
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// Part of the leg lies in another account and is not shown.
    #[serde(default)]
    pub withheld: bool,
}

/// The answer of `/v1/probe` and `/v1/explain`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProbeResult {
    /// The outcome.
    pub verdict: Verdict,
    /// The destination address (after resolving a name).
    #[serde(default)]
    pub address: Option<Ipv4Addr>,
    /// How a name resolved.
    #[serde(default)]
    pub resolution: Option<Resolution>,
    /// The request leg.
    #[serde(default)]
    pub forward: Option<Leg>,
    /// The answer leg.
    #[serde(default)]
    pub reply: Option<Leg>,
    /// Every blocking finding of both legs.
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// The addresses traceroute shows as hops, in order (empty for a drop).
    #[serde(default)]
    pub traceroute: Vec<Ipv4Addr>,
}

/// The answer of `/v1/resolve`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Resolved {
    /// The resolver's status.
    pub status: DnsStatus,
    /// The A record.
    #[serde(default)]
    pub address: Option<Ipv4Addr>,
    /// The resolver the vantage asks.
    pub server: Ipv4Addr,
    /// The name asked.
    pub name: String,
}

/// A connection to one localvpc server, as one caller (account and region).
pub struct Client {
    http: reqwest::blocking::Client,
    endpoint: String,
    authorization: String,
}

impl Client {
    /// A client for `endpoint` that calls as `access_key` in `region`.
    pub fn new(endpoint: &str, access_key: &str, region: &str) -> anyhow::Result<Client> {
        // The server is local (loopback by contract): never send its traffic through a proxy from the environment.
        let http = reqwest::blocking::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(120))
            .build()
            .context("while setting up the HTTP client")?;
        let date = UtcTime::now().scope_date();
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential={access_key}/{date}/{region}/ec2/aws4_request, SignedHeaders=host, Signature=0"
        );
        Ok(Client { http, endpoint: endpoint.trim_end_matches('/').to_string(), authorization })
    }

    /// `POST /_localvpc/v1/probe`: what happens to one packet (first drop wins).
    pub fn probe(&self, from: &str, to: &str, protocol: Protocol) -> anyhow::Result<ProbeResult> {
        typed(self.post("probe", &protocol.body(from, to))?)
    }

    /// `POST /_localvpc/v1/explain`: the same probe, listing every blocking setting; the JSON as the server sent it.
    pub fn explain_json(&self, from: &str, to: &str, protocol: Protocol) -> anyhow::Result<Value> {
        self.post("explain", &protocol.body(from, to))
    }

    /// `POST /_localvpc/v1/explain`, typed.
    pub fn explain(&self, from: &str, to: &str, protocol: Protocol) -> anyhow::Result<ProbeResult> {
        typed(self.explain_json(from, to, protocol)?)
    }

    /// `POST /_localvpc/v1/resolve`: what the vantage's resolver answers for `name`.
    pub fn resolve(&self, from: &str, name: &str) -> anyhow::Result<Resolved> {
        typed(self.post("resolve", &json!({ "from": from, "name": name }))?)
    }

    /// `POST /_localvpc/v1/reachability` with `body` (`{"vpc", "form", "limit"}`): the JSON as the server sent it.
    pub fn reachability_json(&self, body: &Value) -> anyhow::Result<Value> {
        self.post("reachability", body)
    }

    /// `POST /_localvpc/v1/reachability`, the answer copied to `out` as it arrives and never held whole: the full
    /// form of a large network is hundreds of megabytes, several times that as a JSON value.
    pub fn reachability_to(&self, body: &Value, out: &mut dyn Write) -> anyhow::Result<()> {
        let url = format!("{}/_localvpc/v1/reachability", self.endpoint);
        let mut response = self
            .http
            .post(&url)
            .header(reqwest::header::AUTHORIZATION, &self.authorization)
            .json(body)
            .send()
            .with_context(|| format!("cannot reach localvpc at {} (is `localvpc serve` running?)", self.endpoint))?;
        let status = response.status();
        if !status.is_success() {
            let text = response.text().with_context(|| format!("while reading the answer of {url}"))?;
            let value: Option<Value> = serde_json::from_str(&text).ok();
            let error = value.as_ref().and_then(|value| value.get("error"));
            // `{"error": {"code", "message"}}`, or the older `{"error": "message"}`.
            let message = error.and_then(|error| error.get("message").or(Some(error))).and_then(Value::as_str);
            return Err(match message {
                Some(message) => anyhow!("{message}"),
                None => anyhow!("{url} answered HTTP {status}: {}", text.trim()),
            });
        }
        response.copy_to(out).with_context(|| format!("while reading the answer of {url}"))?;
        Ok(())
    }

    /// `GET /_localvpc/v1/data-plane?vantage=V`: `{"dataPlane": "model"}`, or with the kernel data plane the
    /// vantage's network namespace (`{"dataPlane": "kernel", "namespace": "lv-i-…"}`).
    pub fn data_plane(&self, vantage: &str) -> anyhow::Result<Value> {
        let url = format!("{}/_localvpc/v1/data-plane", self.endpoint);
        let response = self
            .http
            .get(&url)
            .query(&[("vantage", vantage)])
            .header(reqwest::header::AUTHORIZATION, &self.authorization)
            .send()
            .with_context(|| format!("cannot reach localvpc at {} (is `localvpc serve` running?)", self.endpoint))?;
        let status = response.status();
        let text = response.text().with_context(|| format!("while reading the answer of {url}"))?;
        let value: Option<Value> = serde_json::from_str(&text).ok();
        if !status.is_success() {
            let error = value.as_ref().and_then(|value| value.get("error"));
            let message = error.and_then(|error| error.get("message").or(Some(error))).and_then(Value::as_str);
            return Err(match message {
                Some(message) => anyhow!("{message}"),
                None => anyhow!("{url} answered HTTP {status}: {}", text.trim()),
            });
        }
        value.ok_or_else(|| anyhow!("{url} answered something that is not JSON: {}", text.trim()))
    }

    fn post(&self, endpoint: &str, body: &Value) -> anyhow::Result<Value> {
        let url = format!("{}/_localvpc/v1/{endpoint}", self.endpoint);
        let response = self
            .http
            .post(&url)
            .header(reqwest::header::AUTHORIZATION, &self.authorization)
            .json(body)
            .send()
            .with_context(|| format!("cannot reach localvpc at {} (is `localvpc serve` running?)", self.endpoint))?;
        let status = response.status();
        let text = response.text().with_context(|| format!("while reading the answer of {url}"))?;
        let value: Option<Value> = serde_json::from_str(&text).ok();
        if !status.is_success() {
            // `{"error": {"code": …, "message": …}}`, the shape of every `/_localvpc` error.
            let message = value.as_ref().and_then(|value| value.pointer("/error/message")).and_then(Value::as_str);
            return Err(match message {
                Some(message) => anyhow!("{message}"),
                None => anyhow!("{url} answered HTTP {status}: {}", text.trim()),
            });
        }
        value.ok_or_else(|| anyhow!("{url} answered something that is not JSON: {}", text.trim()))
    }
}

fn typed<T: DeserializeOwned>(value: Value) -> anyhow::Result<T> {
    serde_json::from_value(value).context("the server's answer has an unexpected shape (is it the same version?)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_answers_parse() {
        let value = json!({
            "verdict": "dropped", "to": "x", "address": "10.7.1.10", "resolution": null,
            "forward": { "hops": [{ "kind": "route-table", "id": "rtb-1", "detail": "d" }], "delivered_to": null,
                         "delivered_instance": null, "delivered_address": null,
                         "findings": [{ "code": "C", "component": "rtb-1", "detail": "d", "fix": "f" }] },
            "reply": null, "findings": [{ "code": "C", "component": "rtb-1", "detail": "d", "fix": "f" }],
            "traceroute": []
        });
        let result: ProbeResult = typed(value).unwrap();
        assert_eq!(result.verdict, Verdict::Dropped);
        assert_eq!(result.address, Some(Ipv4Addr::new(10, 7, 1, 10)));
        let forward = result.forward.unwrap();
        assert_eq!((forward.hops[0].kind.as_str(), forward.hops[0].label()), ("route-table", "rtb-1".to_string()));
        assert!(!forward.withheld);
        let withheld: Hop = typed(json!({ "kind": "network-interface", "id": null, "account": "111111111111",
                                          "region": "us-east-1", "detail": "d" }))
        .unwrap();
        assert_eq!(withheld.label(), "(account 111111111111)");
        let unresolved: ProbeResult = typed(json!({
            "verdict": "unresolved", "to": "n", "address": null, "resolution": { "status": "NXDOMAIN", "address": null }
        }))
        .unwrap();
        assert_eq!(unresolved.resolution.unwrap().status, DnsStatus::NxDomain);
    }

    #[test]
    fn bodies() {
        assert_eq!(Protocol::Tcp(22).body("internet", "1.2.3.4")["port"], 22);
        assert_eq!(Protocol::Icmp.body("i-1", "h")["protocol"], "icmp");
    }
}
