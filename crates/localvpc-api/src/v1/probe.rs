//! `/v1/probe` and `/v1/explain`: one probe walked by the engine (first drop, or every blocking setting), rendered
//! hop by hop with its findings and the addresses traceroute shows — as far as the caller may see them
//! (`localvpc_engine::visibility`): a peer's components by kind and owner, anything else of another account as one
//! `other-account` hop, its findings left out and its leg marked `withheld`.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use localvpc_engine::dns::{self, Answer, QueryType};
use localvpc_engine::visibility::{leg_view, FindingView, HopView, LegView};
use localvpc_engine::{trace, Endpoint, HopKind, Mode, Place, Probe, Protocol, Topology, Trace, Vantage, Verdict};
use localvpc_model::Scope;
use serde_json::{json, Value};

use super::{answer_json, ok, protocol, text_field, vantage, Body};
use crate::auth::Caller;
use crate::json_api::JsonBody;
use crate::json_error::JsonError;
use crate::AppState;

/// The kind of the one hop that stands for a run of components the caller may not see.
const OTHER_ACCOUNT: &str = "other-account";

fn finding_json(finding: &FindingView) -> Value {
    match finding {
        FindingView::Shown(finding) => json!({
            "code": finding.code.as_str(),
            "component": finding.component,
            "detail": finding.detail,
            "fix": finding.fix,
        }),
        FindingView::Withheld { code, owner, detail, fix } => json!({
            "code": code.as_str(),
            "component": null,
            "account": owner.account,
            "region": owner.region,
            "detail": detail,
            "fix": fix,
        }),
    }
}

fn hop_json(hop: &HopView) -> Value {
    match hop {
        HopView::Shown(hop) => json!({ "kind": hop.kind.as_str(), "id": hop.id, "detail": hop.detail }),
        HopView::Withheld { kind, owner } => json!({
            "kind": kind.as_str(),
            "id": null,
            "account": owner.account,
            "region": owner.region,
            "detail": format!("in account {} ({}): not shown", owner.account, owner.region),
        }),
        HopView::Hidden => {
            json!({ "kind": OTHER_ACCOUNT, "id": null, "detail": "resources of another account: not shown" })
        }
    }
}

fn leg_json(topology: &Topology, leg: &LegView) -> Value {
    let delivered = leg.delivered.map(|(endpoint, _)| match endpoint {
        Endpoint::Eni(eni) => topology.enis[eni].id.clone(),
        Endpoint::Internet(address) | Endpoint::OnPremises(_, address) | Endpoint::AwsService(_, address) => {
            address.to_string()
        }
    });
    // The instance behind the interface and the address the packet arrived at (after NAT): `localvpc ssh` opens
    // its prompt on that instance, named after that private address. All three stay null where the packet landed
    // in another account.
    let delivered_instance = leg.delivered.and_then(|(endpoint, _)| match endpoint {
        Endpoint::Eni(eni) => topology.enis[eni].instance_id.clone(),
        Endpoint::Internet(_) | Endpoint::OnPremises(..) | Endpoint::AwsService(..) => None,
    });
    let delivered_address = leg.delivered.map(|(_, packet)| packet.dst.to_string());
    // The source the receiver saw (after NAT): an AWS service behind a gateway endpoint sees the private address,
    // through an internet gateway the public one (part 2 §17.4).
    let delivered_source = leg.delivered.map(|(_, packet)| packet.src.to_string());
    json!({
        "hops": leg.hops.iter().map(hop_json).collect::<Vec<_>>(),
        "delivered_to": delivered,
        "delivered_instance": delivered_instance,
        "delivered_address": delivered_address,
        "delivered_source": delivered_source,
        "findings": leg.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "withheld": leg.withheld,
    })
}

/// The addresses traceroute shows: the VPC router and peering connections never answer (spec §3.7), so a target
/// in the VPC or a peer is hop 1; a NAT gateway is a router that answers from its private address (part 2 §13.2
/// [D/O]: AWS's troubleshooting guide treats its absence from traceroute as the anomaly); beyond an internet
/// gateway one AWS edge router shows first. ASSUMPTION (part 2 §14.4 [I]): a transit gateway does not answer
/// either, so it is no hop.
fn traceroute_hops(topology: &Topology, trace: &Trace) -> Vec<String> {
    if trace.verdict == Verdict::Dropped {
        return Vec::new();
    }
    let via_edge = trace.forward.hops.iter().any(|hop| hop.kind == HopKind::Internet)
        && trace
            .forward
            .hops
            .iter()
            .any(|hop| matches!(hop.kind, HopKind::InternetGateway | HopKind::EgressOnlyInternetGateway));
    // NAT64 (part 2 §13.2): ASSUMPTION (the spec is silent on traceroute6 through it): the IPv4 routers' answers
    // come back translated like the destination's, from their 64:ff9b:: addresses.
    let nat64 = trace.forward.hops.iter().any(|hop| hop.kind == HopKind::NatGateway && hop.packet.dst.is_ipv6());
    let shown = |address: Ipv4Addr| {
        if nat64 {
            dns::dns64_address(address).to_string()
        } else {
            address.to_string()
        }
    };
    let mut hops: Vec<String> = trace
        .forward
        .hops
        .iter()
        .filter_map(|hop| match hop.place {
            Place::NatGateway { eni: Some(eni), .. } if hop.kind == HopKind::NatGateway => {
                // (A NAT gateway always has a private IPv4 address.)
                topology.enis[eni].private_ip.map(shown)
            }
            _ => None,
        })
        .collect();
    if via_edge {
        let ipv6 = trace.probe.destination.is_ipv6() && !nat64;
        hops.push(if ipv6 { EDGE_ROUTER_V6.to_string() } else { shown(EDGE_ROUTER) });
    }
    hops.push(trace.probe.destination.to_string());
    hops
}

/// ASSUMPTION (spec §3.7 [O]: "the first visible hops are AWS edge routers beyond the IGW"): one edge hop, shown
/// with an address from the shared range AWS edge routers answer from in public traceroutes.
const EDGE_ROUTER: Ipv4Addr = Ipv4Addr::new(100, 65, 0, 1);
/// ASSUMPTION (the same [O]): the edge router of an IPv6 path answers from an address of the documentation prefix.
const EDGE_ROUTER_V6: &str = "2001:db8:ffff::1";

fn verdict_str(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Reachable => "reachable",
        Verdict::Refused => "refused",
        Verdict::Dropped => "dropped",
    }
}

fn trace_json(topology: &Topology, viewer: &Scope, trace: &Trace) -> Value {
    let forward = leg_view(topology, viewer, &trace.forward);
    let reply = trace.reply.as_ref().map(|leg| leg_view(topology, viewer, leg));
    let findings: Vec<Value> =
        forward.findings.iter().chain(reply.iter().flat_map(|leg| leg.findings.iter())).map(finding_json).collect();
    json!({
        "verdict": verdict_str(trace.verdict),
        "forward": leg_json(topology, &forward),
        "reply": reply.as_ref().map(|leg| leg_json(topology, leg)),
        "findings": findings,
        "traceroute": traceroute_hops(topology, trace),
    })
}

/// Resolves the `to` of a request: an address as is, a name through the vantage's resolver (with its answer),
/// asking the record type of the tool's address family (`ping -6`/`ping6`: AAAA, part 2 §16.4).
fn destination(topology: &Topology, from: Vantage, to: &str, qtype: QueryType) -> (Option<IpAddr>, Option<Answer>) {
    if let Ok(address) = to.parse::<IpAddr>() {
        return (Some(address), None);
    }
    let answer = dns::resolve_query(topology, from, to, qtype);
    let address = match &answer {
        Answer::Address(address) => Some(IpAddr::V4(*address)),
        Answer::Ipv6Address(address) => Some(IpAddr::V6(*address)),
        _ => None,
    };
    (address, Some(answer))
}

/// A probe walked the way `localvpc explain` walks it: the packet's real path (the walk stops at the first drop)
/// and every setting that blocks it (the walk assumes each fix and goes on). [`Explanation::json`] is the
/// `/v1/explain` answer; a front end that draws the walk (the web console's map) reads the traces themselves, as
/// `localvpc_engine::visibility` lets [`Explanation::viewer`] see them.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// The topology walked.
    pub topology: Arc<Topology>,
    /// Who asked: what of the walk they may see.
    pub viewer: Scope,
    /// The destination as asked (an address or a name).
    pub to: String,
    /// Where `to` resolved from the vantage (`None`: the name did not resolve; nothing was sent).
    pub address: Option<IpAddr>,
    /// The resolver's answer, when `to` is a name.
    pub resolution: Option<Answer>,
    /// The packet's real path: first drop. `None` when nothing was sent.
    pub path: Option<Trace>,
    /// Every blocking setting: collecting walk. `None` when nothing was sent.
    pub blocking: Option<Trace>,
}

impl Explanation {
    /// The verdict (the real one: of [`Explanation::path`]); `None` when the name did not resolve.
    pub fn verdict(&self) -> Option<Verdict> {
        self.path.as_ref().map(|trace| trace.verdict)
    }

    /// The `/v1/explain` answer: the collecting walk's hops and findings, with the real verdict.
    pub fn json(&self) -> Value {
        let walked = (self.address, self.resolution.as_ref(), self.blocking.as_ref());
        match walk_json(&self.topology, &self.viewer, &self.to, walked) {
            Ok(mut value) => {
                // The collecting walk assumes every fix; the verdict is the real one.
                value["verdict"] = json!(verdict_str(self.verdict().unwrap_or(Verdict::Dropped)));
                value
            }
            Err(unresolved) => unresolved,
        }
    }
}

/// The JSON of one walk: `Err` holds the answer for a name that did not resolve (no walk).
fn walk_json(
    topology: &Topology,
    viewer: &Scope,
    to: &str,
    (address, resolution, walked): (Option<IpAddr>, Option<&Answer>, Option<&Trace>),
) -> Result<Value, Value> {
    let resolution = resolution.map_or(Value::Null, answer_json);
    let (Some(address), Some(walked)) = (address, walked) else {
        return Err(json!({ "to": to, "address": null, "resolution": resolution, "verdict": "unresolved" }));
    };
    let mut value = trace_json(topology, viewer, walked);
    value["to"] = json!(to);
    value["address"] = json!(address.to_string());
    value["resolution"] = resolution;
    Ok(value)
}

/// A probe read and resolved: the vantage, the destination address, the protocol.
struct Walk {
    topology: Arc<Topology>,
    from: Vantage,
    viewer: Scope,
    to: String,
    resolved: (Option<IpAddr>, Option<Answer>),
    probe: Option<Probe>,
}

impl Walk {
    /// A walk whose name, if `to` is one, resolves to a record of type `qtype`.
    fn of_family(
        control: &AppState,
        viewer: &Scope,
        (from, to, protocol): (&str, &str, Protocol),
        qtype: QueryType,
    ) -> Result<Walk, JsonError> {
        let topology = control.topology();
        let from = vantage(&control.snapshot(), &topology, viewer, from)?;
        let resolved = destination(&topology, from, to, qtype);
        let probe = resolved.0.map(|destination| Probe { from, destination, protocol });
        Ok(Walk { topology, from, viewer: viewer.clone(), to: to.to_string(), resolved, probe })
    }

    fn trace(&self, mode: Mode) -> Option<Trace> {
        self.probe.map(|probe| trace(&self.topology, &probe, mode))
    }
}

/// Walks a probe from `from` (`internet`, or an instance or interface ID of `viewer`'s scope) to `to` (an address
/// or a name, resolved as the vantage would) the way `localvpc explain` does: the one code path of `/v1/explain`
/// and the console's map.
pub fn explain_probe(
    control: &AppState,
    viewer: &Scope,
    from: &str,
    to: &str,
    protocol: Protocol,
) -> Result<Explanation, JsonError> {
    explain_of_family(control, viewer, (from, to, protocol), QueryType::A)
}

/// [`explain_probe`] with a name in `to` resolved to a record of type `qtype`.
fn explain_of_family(
    control: &AppState,
    viewer: &Scope,
    fields: (&str, &str, Protocol),
    qtype: QueryType,
) -> Result<Explanation, JsonError> {
    let walk = Walk::of_family(control, viewer, fields, qtype)?;
    let (path, blocking) = (walk.trace(Mode::FirstDrop), walk.trace(Mode::CollectAll));
    let Walk { topology, viewer, to, resolved: (address, resolution), .. } = walk;
    Ok(Explanation { topology, viewer, to, address, resolution, path, blocking })
}

/// [`explain_probe`]'s answer as `/v1/explain` gives it.
pub fn explain_value(
    control: &AppState,
    viewer: &Scope,
    from: &str,
    to: &str,
    protocol: Protocol,
) -> Result<Value, JsonError> {
    Ok(explain_probe(control, viewer, from, to, protocol)?.json())
}

/// The `from`, `to` and protocol fields of a probe or explain body.
fn probe_fields(body: &Body) -> Result<(&str, &str, Protocol), JsonError> {
    Ok((text_field(body, "from")?, text_field(body, "to")?, protocol(body)?))
}

/// The optional `family` field of a probe body: the record type a name in `to` resolves to — `ipv6` (a tool's
/// `-6`) asks AAAA; `ipv4`, absent or `null` asks A.
// ASSUMPTION (part 2 §16.4 is silent on the tools): a tool given neither -4 nor -6 resolves A, as before IPv6.
fn family_field(body: &Body) -> Result<QueryType, JsonError> {
    match body.get("family").and_then(|value| (!value.is_null()).then_some(value)) {
        None => Ok(QueryType::A),
        Some(value) => match value.as_str() {
            Some("ipv4") => Ok(QueryType::A),
            Some("ipv6") => Ok(QueryType::Aaaa),
            _ => Err(JsonError::InvalidField { field: "family", expected: "ipv4 or ipv6" }),
        },
    }
}

/// `POST /_localvpc/v1/probe {"from": "i-…"|"internet", "to": ADDRESS|NAME, "protocol": "icmp"|"tcp"|"udp", "port": N}`.
pub async fn probe(
    State(control): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Response, JsonError> {
    control.sync().await?;
    let fields = probe_fields(&body)?;
    let walk = Walk::of_family(&control, &caller.scope, fields, family_field(&body)?)?;
    let path = walk.trace(Mode::FirstDrop);
    // A name was looked up first: through a DNS server on the network, that query is traffic too.
    if walk.resolved.1.is_some() {
        let resolver = dns::resolver(&walk.topology, walk.from, None);
        crate::flow_records::record_dns_query(&control, &control.snapshot(), &walk.topology, walk.from, resolver);
    }
    if let Some(sent) = &path {
        crate::flow_records::record_probe(&control, &control.snapshot(), &walk.topology, sent);
    }
    let walked = (walk.resolved.0, walk.resolved.1.as_ref(), path.as_ref());
    Ok(ok(walk_json(&walk.topology, &walk.viewer, &walk.to, walked).unwrap_or_else(|unresolved| unresolved)))
}

/// `POST /_localvpc/v1/explain` (same body as probe): every setting that blocks the path, each with its fix.
pub async fn explain(
    State(control): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Response, JsonError> {
    control.sync().await?;
    let fields = probe_fields(&body)?;
    Ok(ok(explain_of_family(&control, &caller.scope, fields, family_field(&body)?)?.json()))
}
