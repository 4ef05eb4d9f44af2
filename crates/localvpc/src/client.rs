//! HTTP to the localvpc JSON API (`/_localvpc/v1/…`): one method per endpoint, and the answer shapes the tools read.
//!
//! The caller's account and region travel as the aws CLI sends them, in a SigV4 credential scope
//! (`Credential=AKID/yyyymmdd/region/ec2/aws4_request`). With a secret key in the environment (as the aws CLI reads
//! it, `AWS_SECRET_ACCESS_KEY`) every request is signed for real by `aws-sigv4`, body hash included, so the commands
//! work against `serve --auth sigv4`; without one the header carries the scope only, which a default server reads
//! and does not check. Blocking reqwest: the client commands are a handful of sequential calls to loopback, and
//! the `ssh` shell reads stdin between them.

use std::io::Write;
use std::net::IpAddr;
use std::time::{Duration, SystemTime};

use anyhow::{anyhow, Context};
use aws_sigv4::http_request::{sign, PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use localvpc_model::authentication;
use reqwest::blocking::Response;
use reqwest::{Method, Url};
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

/// The record type a name lookup asks for (part 2 §16.4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RecordType {
    /// An IPv4 address.
    #[default]
    A,
    /// An IPv6 address.
    Aaaa,
}

impl RecordType {
    /// `A` or `AAAA`, as dig and nslookup print it.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
        }
    }

    /// `A` or `AAAA` in any case.
    pub fn parse(text: &str) -> Option<RecordType> {
        [RecordType::A, RecordType::Aaaa].into_iter().find(|kind| kind.as_str().eq_ignore_ascii_case(text))
    }

    /// The record type a tool restricted to IPv6 (`-6`) asks for a name: AAAA; otherwise A.
    pub fn of_family(ipv6: bool) -> RecordType {
        if ipv6 {
            RecordType::Aaaa
        } else {
            RecordType::A
        }
    }

    /// The probe body's `family` for a name resolved to this type.
    fn family(self) -> &'static str {
        match self {
            RecordType::A => "ipv4",
            RecordType::Aaaa => "ipv6",
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
    pub address: Option<IpAddr>,
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
    pub delivered_address: Option<IpAddr>,
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
    /// The destination address (after resolving a name), IPv4 or IPv6.
    #[serde(default)]
    pub address: Option<IpAddr>,
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
    pub traceroute: Vec<IpAddr>,
}

/// The answer of `/v1/resolve`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Resolved {
    /// The resolver's status.
    pub status: DnsStatus,
    /// The A or AAAA record asked for.
    #[serde(default)]
    pub address: Option<IpAddr>,
    /// The server asked; `None` when the VPC's DHCP options give the instance none.
    pub server: Option<IpAddr>,
    /// How it was reached: `amazon`, `public`, `network` (a UDP datagram like any packet) or `none`.
    #[serde(default)]
    pub via: String,
    /// The name asked.
    pub name: String,
}

/// A connection to one localvpc server, as one caller (account and region).
pub struct Client {
    http: reqwest::blocking::Client,
    endpoint: String,
    signer: Signer,
}

/// How requests say who is calling.
enum Signer {
    /// No secret: the credential scope alone, with a placeholder signature (enough for a default server).
    ScopeOnly { authorization: String },
    /// A real Signature Version 4 per request.
    SigV4 { identity: Identity, region: String },
}

/// The service of the credential scope: the JSON API acts for EC2 users, as the aws CLI's `ec2` commands do.
const SERVICE: &str = "ec2";

impl Client {
    /// A client for `endpoint` that calls as `access_key` in `region`, signing with `secret` when there is one.
    pub fn new(endpoint: &str, access_key: &str, secret: Option<&str>, region: &str) -> anyhow::Result<Client> {
        // The server is local (loopback by contract): never send its traffic through a proxy from the environment.
        let http = reqwest::blocking::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(120))
            .build()
            .context("while setting up the HTTP client")?;
        let signer = match secret {
            Some(secret) => Signer::SigV4 {
                identity: aws_credential_types::Credentials::new(access_key, secret, None, None, "environment").into(),
                region: region.to_string(),
            },
            None => {
                let date = UtcTime::now().scope_date();
                Signer::ScopeOnly {
                    authorization: format!(
                        "AWS4-HMAC-SHA256 Credential={access_key}/{date}/{region}/{SERVICE}/aws4_request, \
                         SignedHeaders=host, Signature=0"
                    ),
                }
            }
        };
        Ok(Client { http, endpoint: endpoint.trim_end_matches('/').to_string(), signer })
    }

    /// `POST /_localvpc/v1/probe`: what happens to one packet (first drop wins).
    pub fn probe(&self, from: &str, to: &str, protocol: Protocol) -> anyhow::Result<ProbeResult> {
        self.probe_resolving(from, to, protocol, RecordType::A)
    }

    /// [`Client::probe`] with a name in `to` resolved to a record of type `record` (a tool's `-6`: AAAA).
    pub fn probe_resolving(
        &self,
        from: &str,
        to: &str,
        protocol: Protocol,
        record: RecordType,
    ) -> anyhow::Result<ProbeResult> {
        self.walk("probe", from, to, protocol, record)
    }

    /// `POST /_localvpc/v1/explain` with a name in `to` resolved to a record of type `record`, typed.
    pub fn explain_resolving(
        &self,
        from: &str,
        to: &str,
        protocol: Protocol,
        record: RecordType,
    ) -> anyhow::Result<ProbeResult> {
        self.walk("explain", from, to, protocol, record)
    }

    /// `POST /_localvpc/v1/{probe,explain}` with the family a name in `to` resolves in, typed.
    fn walk(
        &self,
        path: &str,
        from: &str,
        to: &str,
        protocol: Protocol,
        record: RecordType,
    ) -> anyhow::Result<ProbeResult> {
        let mut body = protocol.body(from, to);
        body["family"] = json!(record.family());
        typed(self.post(path, &body)?)
    }

    /// `POST /_localvpc/v1/explain`: the same probe, listing every blocking setting; the JSON as the server sent it.
    pub fn explain_json(&self, from: &str, to: &str, protocol: Protocol) -> anyhow::Result<Value> {
        self.post("explain", &protocol.body(from, to))
    }

    /// `POST /_localvpc/v1/resolve`: what the vantage's resolver, or `server` when given, answers for `name`.
    pub fn resolve(
        &self,
        from: &str,
        name: &str,
        server: Option<IpAddr>,
        record: RecordType,
    ) -> anyhow::Result<Resolved> {
        let server = server.map(|address| address.to_string());
        let body = json!({ "from": from, "name": name, "server": server, "type": record.as_str() });
        typed(self.post("resolve", &body)?)
    }

    /// `POST /_localvpc/v1/login`: whether the identity with `public_key` logs in to `instance` — `Ok(None)` when
    /// it does, `Ok(Some(reason))` when sshd would refuse it.
    pub fn login(&self, instance: &str, public_key: &str) -> anyhow::Result<Option<String>> {
        let answer = self.post("login", &json!({ "instance": instance, "public_key": public_key }))?;
        if answer["accepted"].as_bool() == Some(true) {
            return Ok(None);
        }
        Ok(Some(answer["reason"].as_str().unwrap_or("refused").to_string()))
    }

    /// `POST /_localvpc/v1/vpn-tunnel`: forces `tunnel` (`1`, `2` or `both`) of a VPN connection `down` or lets it
    /// come back `up`; the tunnels' telemetry as the server now shows it.
    pub fn vpn_tunnel(&self, vpn_connection: &str, tunnel: &str, status: &str) -> anyhow::Result<Value> {
        self.post("vpn-tunnel", &json!({ "vpn_connection": vpn_connection, "tunnel": tunnel, "status": status }))
    }

    /// `POST /_localvpc/v1/reachability` with `body` (`{"vpc", "form", "limit"}`): the JSON as the server sent it.
    pub fn reachability_json(&self, body: &Value) -> anyhow::Result<Value> {
        self.post("reachability", body)
    }

    /// `POST /_localvpc/v1/reachability`, the answer copied to `out` as it arrives and never held whole: the full
    /// form of a large network is hundreds of megabytes, several times that as a JSON value.
    pub fn reachability_to(&self, body: &Value, out: &mut dyn Write) -> anyhow::Result<()> {
        let url = self.url("reachability", &[])?;
        let mut response = self.send(Method::POST, &url, Some(body))?;
        response.copy_to(out).with_context(|| format!("while reading the answer of {url}"))?;
        Ok(())
    }

    /// `GET /_localvpc/v1/data-plane?vantage=V`: `{"dataPlane": "model"}`, or with the kernel data plane the
    /// vantage's network namespace (`{"dataPlane": "kernel", "namespace": "lv-i-…"}`).
    pub fn data_plane(&self, vantage: &str) -> anyhow::Result<Value> {
        let url = self.url("data-plane", &[("vantage", vantage)])?;
        Self::json(&url, self.send(Method::GET, &url, None)?)
    }

    /// `GET /_localvpc/v1/flow-logs`: the caller's flow logs, or with `flow_log_id` its records after `since`.
    pub fn flow_logs(&self, query: &[(&str, &str)]) -> anyhow::Result<Value> {
        let url = self.url("flow-logs", query)?;
        Self::json(&url, self.send(Method::GET, &url, None)?)
    }

    fn post(&self, endpoint: &str, body: &Value) -> anyhow::Result<Value> {
        let url = self.url(endpoint, &[])?;
        Self::json(&url, self.send(Method::POST, &url, Some(body))?)
    }

    /// The URL of `/_localvpc/v1/{endpoint}` with `query`: built once, because the signature covers the query
    /// exactly as it is sent.
    fn url(&self, endpoint: &str, query: &[(&str, &str)]) -> anyhow::Result<Url> {
        let url = format!("{}/_localvpc/v1/{endpoint}", self.endpoint);
        let parsed = if query.is_empty() { Url::parse(&url) } else { Url::parse_with_params(&url, query) };
        parsed.with_context(|| format!("`{url}` is not a valid URL (check --endpoint)"))
    }

    /// Sends a request — a POST with a JSON `body`, or a GET — signed as [`Signer`] says, and returns the answer if
    /// it is a success; a refusal becomes an error with the server's message.
    fn send(&self, method: Method, url: &Url, body: Option<&Value>) -> anyhow::Result<Response> {
        let body = body.map(serde_json::to_vec).transpose().context("while encoding the request")?;
        let mut request = self.http.request(method.clone(), url.clone());
        if let Some(body) = &body {
            request = request.header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE).body(body.clone());
        }
        for (name, value) in self.signer.headers(method.as_str(), url.as_str(), body.as_deref())? {
            request = request.header(name, value);
        }
        let response = request
            .send()
            .with_context(|| format!("cannot reach localvpc at {} (is `localvpc serve` running?)", self.endpoint))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let text = response.text().with_context(|| format!("while reading the answer of {url}"))?;
        let value: Option<Value> = serde_json::from_str(&text).ok();
        Err(match value.as_ref().and_then(error_message) {
            Some(message) if self.unsigned_refusal(value.as_ref()) => anyhow!(
                "{message}\n(the server checks signatures: set AWS_SECRET_ACCESS_KEY, with AWS_ACCESS_KEY_ID, to a key \
                 of its credentials file)"
            ),
            Some(message) => anyhow!("{message}"),
            None => anyhow!("{url} answered HTTP {status}: {}", text.trim()),
        })
    }

    /// A success answer's JSON.
    fn json(url: &Url, response: Response) -> anyhow::Result<Value> {
        let text = response.text().with_context(|| format!("while reading the answer of {url}"))?;
        serde_json::from_str(&text).map_err(|_| anyhow!("{url} answered something that is not JSON: {}", text.trim()))
    }

    /// Whether `answer` refuses a request this client sent unsigned for want of a secret: a server started with
    /// `--auth sigv4` (worth a hint, since the fix is in the caller's environment).
    fn unsigned_refusal(&self, answer: Option<&Value>) -> bool {
        let code =
            answer.and_then(|value| value.get("error")).and_then(|error| error.get("code")).and_then(Value::as_str);
        matches!(self.signer, Signer::ScopeOnly { .. })
            && matches!(code, Some("MissingAuthenticationToken" | "IncompleteSignature" | "AuthFailure"))
    }
}

/// The type of a request body; it is signed, so it is set here rather than by reqwest.
const CONTENT_TYPE: &str = "application/json";

impl Signer {
    /// The headers that say who sends `method` to `url`, with `body` (a JSON body) or none.
    fn headers(&self, method: &str, url: &str, body: Option<&[u8]>) -> anyhow::Result<Vec<(String, String)>> {
        let (identity, region) = match self {
            Signer::ScopeOnly { authorization } => return Ok(vec![("authorization".into(), authorization.clone())]),
            Signer::SigV4 { identity, region } => (identity, region),
        };
        let mut settings = SigningSettings::default();
        // `x-amz-content-sha256` too, so the server can tell a changed body from a wrong key at a glance.
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        let params = v4::SigningParams::builder()
            .identity(identity)
            .region(region)
            .name(SERVICE)
            .time(SystemTime::now())
            .settings(settings)
            .build()
            .context("while preparing the request signature")?
            .into();
        let content_type = body.map(|_| ("content-type", CONTENT_TYPE));
        let request =
            SignableRequest::new(method, url, content_type.into_iter(), SignableBody::Bytes(body.unwrap_or_default()))
                .with_context(|| format!("cannot sign a request to {url}"))?;
        let (instructions, _) =
            sign(request, &params).with_context(|| format!("cannot sign a request to {url}"))?.into_parts();
        Ok(instructions.headers().map(|(name, value)| (name.to_string(), value.to_string())).collect())
    }
}

/// The message of an error answer (`{"error": {"code", "message"}}`, or an older server's `{"error": "message"}`):
/// the message as the server words it, which for AWS's own refusals is the text the aws CLI shows. An
/// authentication refusal (`serve --auth sigv4`) is prefixed with its code, `AuthFailure: …`: its text alone
/// (`Request has expired.`) does not say that the credentials are what failed.
fn error_message(value: &Value) -> Option<String> {
    match value.get("error")? {
        Value::String(message) => Some(message.clone()),
        error => {
            let message = error.get("message").and_then(Value::as_str)?;
            Some(match error.get("code").and_then(Value::as_str) {
                Some(code) if authentication::REFUSAL_CODES.contains(&code) => format!("{code}: {message}"),
                _ => message.to_string(),
            })
        }
    }
}

fn typed<T: DeserializeOwned>(value: Value) -> anyhow::Result<T> {
    serde_json::from_value(value).context("the server's answer has an unexpected shape (is it the same version?)")
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

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
        assert_eq!(result.address, Some(Ipv4Addr::new(10, 7, 1, 10).into()));
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
    fn error_answers_of_both_shapes_read_as_messages() {
        let coded = json!({ "error": { "code": "AuthFailure", "message": "AWS was not able to validate" } });
        assert_eq!(error_message(&coded).as_deref(), Some("AuthFailure: AWS was not able to validate"));
        assert_eq!(error_message(&json!({ "error": "no such instance" })).as_deref(), Some("no such instance"));
        // Other refusals read as the aws CLI words them, without the code.
        let message = "The instance ID 'i-1' does not exist";
        let rule = json!({ "error": { "code": "InvalidInstanceID.NotFound", "message": message } });
        assert_eq!(error_message(&rule).as_deref(), Some(message));
        assert_eq!(error_message(&json!({ "verdict": "reachable" })), None);
    }

    #[test]
    fn with_a_secret_every_request_is_signed_over_its_body() {
        let client = Client::new("http://127.0.0.1:4566", "AKIDTEST", Some("secret"), "eu-west-1").unwrap();
        let headers = client.signer.headers("POST", "http://127.0.0.1:4566/_localvpc/v1/probe", Some(b"{}")).unwrap();
        let header = |name: &str| headers.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
        let authorization = header("authorization").unwrap();
        assert!(authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKIDTEST/"), "{authorization}");
        assert!(authorization.contains("/eu-west-1/ec2/aws4_request"), "{authorization}");
        assert!(authorization.contains("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date"));
        // SHA-256 of `{}`.
        assert_eq!(
            header("x-amz-content-sha256"),
            Some("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
        );
        let other = client.signer.headers("POST", "http://127.0.0.1:4566/_localvpc/v1/probe", Some(b"{ }")).unwrap();
        assert_ne!(other.iter().find(|(key, _)| key == "authorization").unwrap().1, authorization);
    }

    /// What the server's verifier says of a request this client signed, sent to `url` with `body`.
    fn server_verdict(
        client: &Client,
        method: &str,
        url: &Url,
        body: Option<&[u8]>,
        secret: &str,
    ) -> Result<localvpc_api::auth::Verified, authentication::Rejection> {
        use axum::http::{HeaderMap, HeaderName, HeaderValue, Uri};
        use localvpc_api::auth::verify::{verify, SignedRequest};
        use localvpc_api::auth::Credentials;

        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("127.0.0.1:4566"));
        if body.is_some() {
            headers.insert("content-type", HeaderValue::from_static(CONTENT_TYPE));
        }
        for (name, value) in client.signer.headers(method, url.as_str(), body).unwrap() {
            headers.insert(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(&value).unwrap());
        }
        let target = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        };
        let uri: Uri = target.parse().unwrap();
        let mut credentials = Credentials::new();
        credentials.insert("AKIDTEST", secret, Some("111111111111"));
        let request = SignedRequest { method, uri: &uri, headers: &headers, body: body.unwrap_or_default() };
        verify(&request, &credentials, SystemTime::now())
    }

    #[test]
    fn the_server_verifies_what_the_client_signs_the_data_plane_query_included() {
        let client = Client::new("http://127.0.0.1:4566", "AKIDTEST", Some("secret"), "us-east-1").unwrap();
        let query = client.url("data-plane", &[("vantage", "i-0123456789abcdef0")]).unwrap();
        let verified = server_verdict(&client, "GET", &query, None, "secret").unwrap();
        assert_eq!((verified.account.as_str(), verified.service.as_str()), ("111111111111", "ec2"));
        let probe = client.url("probe", &[]).unwrap();
        assert!(server_verdict(&client, "POST", &probe, Some(b"{}"), "secret").is_ok());
        assert_eq!(
            server_verdict(&client, "GET", &query, None, "another secret"),
            Err(authentication::Rejection::SignatureMismatch)
        );
    }

    #[test]
    fn without_a_secret_only_the_scope_is_sent() {
        let client = Client::new("http://127.0.0.1:4566", "111111111111", None, "us-west-2").unwrap();
        let headers = client.signer.headers("POST", "http://127.0.0.1:4566/_localvpc/v1/probe", Some(b"{}")).unwrap();
        assert_eq!(headers.len(), 1);
        assert!(headers[0].1.contains("Credential=111111111111/"), "{}", headers[0].1);
        assert!(headers[0].1.contains("/us-west-2/ec2/aws4_request"), "{}", headers[0].1);
    }

    #[test]
    fn bodies() {
        assert_eq!(Protocol::Tcp(22).body("internet", "1.2.3.4")["port"], 22);
        assert_eq!(Protocol::Icmp.body("i-1", "h")["protocol"], "icmp");
    }
}
