//! The Tutorial page: the user's VPC-peering walkthrough (seed 003: "AWS기초 및 활용 (VPC Peering)") step by step,
//! the same steps `localvpc demo` replays, each with a link that opens the console page to use and outlines the
//! element to click (`?hl=<element id>`, see `assets/console.js`), and a tick once the world shows the step done.
//!
//! A tick is a *reading* of the session's Region by the tutorial's names (VPCs tagged `peeringVPC-A` and
//! `peeringVPC-B`), never a rule: whether a step is allowed is still the EC2 action's answer when the user clicks.

use std::net::Ipv4Addr;

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use localvpc_engine::{Protocol, Verdict};
use localvpc_model::route_table::RouteTarget;
use localvpc_model::vpc_peering::PeeringStatus;
use localvpc_model::RegionState;
use maud::html;

use super::View;
use crate::layout;
use crate::session::Session;
use crate::ConsoleState;

/// The tutorial's Region (Seoul) and names, as in the seed.
pub(crate) const REGION: &str = "ap-northeast-2";
const NAME_A: &str = "peeringVPC-A";
const NAME_B: &str = "peeringVPC-B";

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new().route("/console/tutorial", get(tutorial))
}

/// What of the tutorial exists in the session's Region, found by the tutorial's names.
#[derive(Default)]
struct Found {
    in_region: bool,
    vpc: [Option<String>; 2],
    subnet: [Option<String>; 2],
    igw_attached: [bool; 2],
    instance: [Option<String>; 2],
    private_ip: [Option<Ipv4Addr>; 2],
    main_table: [Option<String>; 2],
    eip_on_a: bool,
    internet_route_a: bool,
    peering: Option<(String, PeeringStatus)>,
    peer_route: [bool; 2],
    /// Whether A's instance gets an answer to a ping of B's address now: the engine walk `explain` and the map's
    /// probe use (`None` until both instances run).
    ping_answers: Option<bool>,
}

fn has_name(tags: &localvpc_model::Tags, name: &str) -> bool {
    tags.iter().any(|tag| tag.key == "Name" && tag.value == name)
}

fn find(state: &ConsoleState, view: &View) -> Found {
    let region: &RegionState = view.region();
    let mut found = Found { in_region: view.session.scope.region == REGION, ..Found::default() };
    for (side, name) in [NAME_A, NAME_B].into_iter().enumerate() {
        let Some(vpc) = region.vpcs.values().find(|vpc| has_name(&vpc.tags, name)) else { continue };
        found.vpc[side] = Some(vpc.id.clone());
        found.subnet[side] = region.subnets.values().find(|s| s.vpc_id == vpc.id).map(|s| s.id.clone());
        found.igw_attached[side] =
            region.internet_gateways.values().any(|g| g.attached_vpc.as_deref() == Some(&vpc.id));
        found.main_table[side] =
            region.route_tables.values().find(|t| t.vpc_id == vpc.id && t.is_main()).map(|t| t.id.clone());
        if let Some(subnet) = &found.subnet[side] {
            let instance = region.instances.values().find(|instance| {
                instance.state.is_running() && instance.interface(region).is_some_and(|eni| &eni.subnet_id == subnet)
            });
            if let Some(instance) = instance {
                found.instance[side] = Some(instance.id.clone());
                found.private_ip[side] = instance.interface(region).and_then(|eni| eni.private_ip);
            }
        }
    }
    let eni_a = found.instance[0]
        .as_ref()
        .and_then(|id| region.instances.get(id.as_str()))
        .and_then(|i| i.interface(region))
        .map(|eni| eni.id.clone());
    found.eip_on_a = eni_a.is_some_and(|eni| {
        region.addresses.values().any(|a| a.association.as_ref().is_some_and(|x| x.network_interface_id == eni))
    });
    let now = localvpc_api::control::Control::now(&view.world);
    if let (Some(a), Some(b)) = (&found.vpc[0], &found.vpc[1]) {
        found.peering = view
            .world
            .peerings()
            .values()
            .filter(|pcx| pcx.visible_to(&view.session.scope, now))
            .find(|pcx| &pcx.requester.vpc_id == a && &pcx.accepter.vpc_id == b)
            .map(|pcx| (pcx.id.clone(), pcx.status));
    }
    let table_routes =
        |side: usize| found.main_table[side].as_ref().and_then(|id| region.route_tables.get(id.as_str()));
    found.internet_route_a = table_routes(0).is_some_and(|table| {
        table
            .routes
            .iter()
            .any(|route| route.destination.prefix_len() == 0 && matches!(route.target, RouteTarget::InternetGateway(_)))
    });
    if let Some((pcx, _)) = &found.peering {
        for side in 0..2 {
            found.peer_route[side] = table_routes(side).is_some_and(|table| {
                table
                    .routes
                    .iter()
                    .any(|route| matches!(&route.target, RouteTarget::VpcPeeringConnection(id) if id == pcx))
            });
        }
    }
    if let (Some(a), Some(b)) = (&found.instance[0], found.private_ip[1]) {
        found.ping_answers =
            localvpc_api::explain_probe(&state.control, &view.session.scope, a, &b.to_string(), Protocol::Icmp)
                .ok()
                .and_then(|explanation| explanation.path)
                .map(|trace| trace.verdict == Verdict::Reachable);
    }
    found
}

/// One step: what to do, in the console's words, where, and whether it shows done.
struct Step {
    title: String,
    detail: String,
    href: String,
    done: bool,
}

fn steps(found: &Found) -> Vec<Step> {
    let table_href = |side: usize| {
        found.main_table[side].as_ref().map_or("/console/route-tables".to_string(), |id| {
            format!("/console/route-tables/{id}/routes?hl=add-route,save-routes")
        })
    };
    let ip_b = found.private_ip[1].map_or("10.7.1.x".to_string(), |ip| ip.to_string());
    let probe = match (&found.instance[0], found.private_ip[1]) {
        (Some(a), Some(b)) => format!("/console/map?from={a}&to={b}&protocol=icmp&hl=probe-result"),
        _ => "/console/map".to_string(),
    };
    let peering_ready = found.peering.as_ref().is_some_and(|(_, status)| *status == PeeringStatus::Active);
    vec![
        Step {
            title: format!("Switch the Region to {REGION} (Seoul)"),
            detail: "The header's Region selector, then Switch.".into(),
            href: "/console/tutorial?hl=region,switch".into(),
            done: found.in_region,
        },
        Step {
            title: format!("Create VPC {NAME_A} with 10.6.0.0/16"),
            detail: "Your VPCs → Create VPC → VPC only; Name tag and IPv4 CIDR.".into(),
            href: "/console/vpcs/create?hl=name,cidr,submit-create-vpc".into(),
            done: found.vpc[0].is_some(),
        },
        Step {
            title: format!("Create VPC {NAME_B} with 10.7.0.0/16"),
            detail: "The same form, the second VPC.".into(),
            href: "/console/vpcs/create?hl=name,cidr,submit-create-vpc".into(),
            done: found.vpc[1].is_some(),
        },
        Step {
            title: "Create a subnet in each VPC: 10.6.1.0/24 and 10.7.1.0/24".into(),
            detail: "Subnets → Create subnet; pick the VPC, the zone ap-northeast-2a and the block.".into(),
            href: "/console/subnets/create?hl=vpc,zone,cidr,submit-create-subnet".into(),
            done: found.subnet.iter().all(Option::is_some),
        },
        Step {
            title: "Create an internet gateway for each VPC and attach it".into(),
            detail: "Internet gateways → Create internet gateway, then Actions → Attach to VPC.".into(),
            href: "/console/internet-gateways/create?hl=name,submit-create-igw".into(),
            done: found.igw_attached.iter().all(|attached| *attached),
        },
        Step {
            title: "Launch an instance in each subnet".into(),
            detail: format!(
                "Instances → Launch instances; the subnet of each VPC. A's security group allows SSH from anywhere; B's \
                 allows ICMP from {NAME_A} (10.6.0.0/16)."
            ),
            href: "/console/instances/launch?hl=subnet,launch-instance".into(),
            done: found.instance.iter().all(Option::is_some),
        },
        Step {
            title: format!("Allocate an Elastic IP and associate it with the instance of {NAME_A}"),
            detail: "Elastic IPs → Allocate Elastic IP address, then Associate Elastic IP address.".into(),
            href: "/console/elastic-ips/allocate?hl=allocate-address".into(),
            done: found.eip_on_a,
        },
        Step {
            title: format!("Edit the routes of {NAME_A}: 0.0.0.0/0 → its internet gateway"),
            detail: "Route tables → the VPC's main table → Edit routes → Add route.".into(),
            href: table_href(0),
            done: found.internet_route_a,
        },
        Step {
            title: format!("Ping {ip_b} from the instance of {NAME_A}: no answer yet"),
            detail: format!(
                "Network map → probe ICMP from A's instance to B's address: drawn red, with the reason.{}",
                ping_now(found.ping_answers)
            ),
            href: probe.clone(),
            // Seen once the instances run and the ping fails; passed once the peering is requested.
            done: found.ping_answers == Some(false) || found.peering.is_some(),
        },
        Step {
            title: format!("Create a peering connection: requester {NAME_A}, accepter {NAME_B}"),
            detail: "Peering connections → Create peering connection.".into(),
            href: "/console/peering-connections/create?hl=vpc,peer_vpc,submit-create-pcx".into(),
            done: found.peering.is_some(),
        },
        Step {
            title: "Accept the request".into(),
            detail: "Peering connections → the request → Actions → Accept request.".into(),
            href: found.peering.as_ref().map_or("/console/peering-connections".into(), |(id, _)| format!("/console/peering-connections/{id}?hl=accept-pcx")),
            done: peering_ready,
        },
        Step {
            title: format!("Edit the routes of {NAME_A}: 10.7.0.0/16 → the peering connection"),
            detail: "Keep 0.0.0.0/0 → the internet gateway.".into(),
            href: table_href(0),
            done: found.peer_route[0],
        },
        Step {
            title: format!("Edit the routes of {NAME_B}: 10.6.0.0/16 → the peering connection"),
            detail: "B needs no internet route.".into(),
            href: table_href(1),
            done: found.peer_route[1],
        },
        Step {
            title: format!("Ping {ip_b} again: it answers"),
            detail: format!("The same probe on the network map, drawn green hop by hop.{}", ping_now(found.ping_answers)),
            href: probe,
            done: found.ping_answers == Some(true) && found.peer_route.iter().all(|routed| *routed),
        },
    ]
}

/// What the engine answers to the tutorial's ping now, as a sentence after a step's hint.
fn ping_now(answers: Option<bool>) -> &'static str {
    match answers {
        Some(true) => " Now: it answers.",
        Some(false) => " Now: no answer.",
        None => "",
    }
}

fn step_class(done: bool, next: bool) -> &'static str {
    match (done, next) {
        (true, _) => "done",
        (false, true) => "next",
        (false, false) => "",
    }
}

async fn tutorial(State(state): State<ConsoleState>, session: Session) -> Response {
    let view = View::load(&state, session).await;
    let found = find(&state, &view);
    let steps = steps(&found);
    let next = steps.iter().position(|step| !step.done);
    let body = html! {
        div class="page-head" {
            div {
                h1 { "Tutorial: VPC peering" }
                p class="hint" lang="ko" { "AWS기초 및 활용 (VPC Peering)" }
            }
        }
        section class="panel" {
            p {
                "Two VPCs cannot talk to each other until a peering connection and routes on both sides exist. Build "
                "them step by step: each link opens the page to use and outlines what to click; a step is ticked when "
                "the Region shows it done."
            }
            ol class="tutorial" {
                @for (index, step) in steps.iter().enumerate() {
                    li id=(format!("step-{}", index + 1)) class=(step_class(step.done, Some(index) == next)) {
                        span class="tick" aria-label=(if step.done { "done" } else { "to do" }) { @if step.done { "✓" } @else { (index + 1) } }
                        div {
                            a href=(step.href) { (step.title) }
                            p class="hint" { (step.detail) }
                        }
                    }
                }
            }
        }
    };
    layout::page(&view.session, "/console/tutorial", "Tutorial", body)
}
