//! A probe's walk ([`localvpc_api::Explanation`], the one `localvpc explain` prints) turned into what the map draws:
//! the [`Overlay`] of the packet's real path, and the list of every blocking setting with a link to the console page
//! where it is changed. Both read the walk only as `localvpc_engine::visibility` lets the scope see it: a peer's
//! inside shows as its VPC box, and its findings name no resource.

use localvpc_api::Explanation;
use localvpc_engine::topology::{EniIx, TgwAttachmentKind};
use localvpc_engine::visibility::{leg_view, FindingView, HopView, LegView};
use localvpc_engine::{Endpoint, Place, Protocol, Topology, Verdict};
use localvpc_model::ids::IdKind;

use super::scene::{Element, Mark, Overlay, Tone};

/// Where an instance's interface is drawn: its instance row, or its subnet for an interface of no instance.
fn interface(topology: &Topology, eni: EniIx) -> Element {
    let node = &topology.enis[eni];
    match &node.instance_id {
        Some(instance) => Element::Instance(instance.clone()),
        None => Element::Subnet(topology.subnets[node.subnet].id.clone()),
    }
}

/// The map element of a component the walk crossed or stopped at.
fn element(topology: &Topology, place: &Place) -> Element {
    match place {
        Place::Interface(eni) | Place::SecurityGroups { eni, .. } => interface(topology, *eni),
        Place::Acl { subnet, .. } | Place::RouteTable { subnet, .. } => {
            Element::Subnet(topology.subnets[*subnet].id.clone())
        }
        Place::Peering { id, .. } => Element::Peering(id.clone()),
        Place::InternetGateway { id, .. } => Element::Gateway(id.clone()),
        // The map draws no NAT gateways: the subnet holding one stands for it.
        Place::NatGateway { eni: Some(eni), .. } => {
            Element::Subnet(topology.subnets[topology.enis[*eni].subnet].id.clone())
        }
        Place::NatGateway { vpc, eni: None, .. } => Element::Vpc(topology.vpcs[*vpc].id.clone()),
        // The map draws no transit gateways: the subnet of the attachment the packet entered by stands for one; a
        // peering attachment has no box, and the gateway's ID highlights nothing.
        Place::TransitGateway { id, attachment, .. } => match topology.tgw_attachment(attachment).map(|a| &a.kind) {
            Some(TgwAttachmentKind::Vpc { zones, .. }) if !zones.is_empty() => {
                Element::Subnet(topology.subnets[zones[0].1].id.clone())
            }
            _ => Element::Vpc(id.clone()),
        },
        Place::Internet => Element::Internet,
        // The map draws neither VPN gateways nor on-premises networks: the attached VPC's box stands for its
        // gateway, and the outside strip for whatever lies beyond it (tunnels, the customer's network).
        Place::VpnGateway { vpc: Some(vpc), .. } => Element::Vpc(topology.vpcs[*vpc].id.clone()),
        Place::VpnGateway { vpc: None, .. } | Place::VpnConnection { .. } | Place::OnPremises(_) => Element::Internet,
        Place::Vpc(vpc) | Place::Appliance { vpc, .. } | Place::VpcEndpoint { vpc, .. } => {
            Element::Vpc(topology.vpcs[*vpc].id.clone())
        }
    }
}

/// One leg's elements in order, and the element of its (first) visible finding. What the scope may not see is the
/// peer VPC the last peering connection led into (its box on the map).
fn leg_elements(topology: &Topology, leg: &LegView<'_>) -> (Vec<Element>, Option<(Element, String)>) {
    let mut peer: Option<Element> = None;
    let mut elements = Vec::with_capacity(leg.hops.len());
    for hop in &leg.hops {
        let element = match hop {
            HopView::Shown(hop) => {
                if let Place::Peering { peer: Some(to), .. } = hop.place {
                    peer = Some(Element::Vpc(topology.vpcs[to].id.clone()));
                }
                Some(element(topology, &hop.place))
            }
            HopView::Withheld { .. } | HopView::Hidden => peer.clone(),
        };
        if let Some(element) = element {
            if elements.last() != Some(&element) {
                elements.push(element);
            }
        }
    }
    let blocked = leg.findings.first().and_then(|finding| match finding {
        FindingView::Shown(finding) => Some((element(topology, &finding.place), finding.code.as_str().to_string())),
        FindingView::Withheld { code, .. } => peer.clone().map(|element| (element, code.as_str().to_string())),
    });
    (elements, blocked)
}

/// The overlay of a probe: its real (first-drop) path. `None` when nothing was sent (the name did not resolve).
pub(crate) fn overlay(explanation: &Explanation, from_internet: bool) -> Option<Overlay> {
    let trace = explanation.path.as_ref()?;
    let topology = &explanation.topology;
    let reachable = trace.verdict == Verdict::Reachable;
    let forward = leg_view(topology, &explanation.viewer, &trace.forward);
    let (mut path, mut blocked) = leg_elements(topology, &forward);
    if from_internet && path.first() != Some(&Element::Internet) {
        path.insert(0, Element::Internet);
    }
    let mut touched = path.clone();
    if let Some((element, _)) = &blocked {
        if path.last() != Some(element) {
            path.push(element.clone());
        }
    }
    if let Some(reply) = &trace.reply {
        let (elements, reply_blocked) = leg_elements(topology, &leg_view(topology, &explanation.viewer, reply));
        touched.extend(elements);
        blocked = blocked.or(reply_blocked);
    }
    // A TCP reset: every setting let the packet through, and the destination refused it.
    if let (Verdict::Refused, Protocol::Tcp(port), Some((Endpoint::Eni(eni), _))) =
        (trace.verdict, trace.probe.protocol, trace.forward.delivered)
    {
        blocked = Some((interface(topology, eni), format!("refused: nothing listens on {port}")));
    }
    let mut marks: Vec<Mark> = Vec::with_capacity(touched.len() + 1);
    for element in touched {
        if !marks.iter().any(|mark| mark.element == element) {
            let tone = if reachable { Tone::Pass } else { Tone::Reached };
            marks.push(Mark { element, tone, note: None });
        }
    }
    if let Some((element, note)) = blocked.filter(|_| !reachable) {
        marks.retain(|mark| mark.element != element);
        marks.push(Mark { element, tone: Tone::Blocked, note: Some(note) });
    }
    Some(Overlay { reachable, path, marks })
}

/// One blocking setting, as the list under the map shows it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Blocker {
    /// The explanation code (`NO_ROUTE_TO_DESTINATION`, …).
    pub(crate) code: &'static str,
    /// The blocking component (`rtb-…`, `sg-a,sg-b`), or who owns it when the scope may not see it.
    pub(crate) component: String,
    pub(crate) detail: String,
    pub(crate) fix: String,
    /// Where to change it: (href, text).
    pub(crate) links: Vec<(String, String)>,
}

/// Every blocking setting of both legs (the collecting walk `explain` lists).
pub(crate) fn blockers(explanation: &Explanation) -> Vec<Blocker> {
    let Some(trace) = &explanation.blocking else { return Vec::new() };
    let topology = &explanation.topology;
    let legs = std::iter::once(&trace.forward).chain(trace.reply.as_ref());
    legs.flat_map(|leg| leg_view(topology, &explanation.viewer, leg).findings)
        .map(|finding| match finding {
            FindingView::Shown(finding) => Blocker {
                code: finding.code.as_str(),
                component: finding.component.clone(),
                detail: finding.detail.clone(),
                fix: finding.fix.clone(),
                links: links(topology, &finding.component),
            },
            FindingView::Withheld { code, owner, detail, fix } => Blocker {
                code: code.as_str(),
                component: format!("account {} ({})", owner.account, owner.region),
                detail,
                fix,
                links: Vec::new(),
            },
        })
        .collect()
}

/// The console pages where the components of a finding are changed (a security group finding names every group
/// of the interface, comma-separated).
fn links(topology: &Topology, component: &str) -> Vec<(String, String)> {
    component
        .split(',')
        .filter_map(|id| {
            let id = id.trim();
            let link = match IdKind::of(id)? {
                IdKind::SecurityGroup => (format!("/console/security-groups/{id}"), format!("Edit rules of {id}")),
                IdKind::NetworkAcl => (format!("/console/network-acls/{id}"), format!("Edit entries of {id}")),
                IdKind::RouteTable => {
                    (format!("/console/route-tables/{id}?tab=routes"), format!("Edit routes of {id}"))
                }
                IdKind::VpcPeeringConnection => (format!("/console/peering-connections/{id}"), format!("Open {id}")),
                IdKind::InternetGateway => (format!("/console/internet-gateways/{id}"), format!("Open {id}")),
                IdKind::Instance => (format!("/console/instances/{id}"), format!("Open {id}")),
                IdKind::NetworkInterface => {
                    let instance = topology.enis[topology.eni(id)?].instance_id.clone()?;
                    (format!("/console/instances/{instance}"), format!("Open {instance}"))
                }
                IdKind::Vpc => (format!("/console/vpcs/{id}"), format!("Open {id}")),
                _ => return None,
            };
            Some(link)
        })
        .collect()
}
