//! Elastic IPs: the list, an address's summary, "Allocate Elastic IP address" (AllocateAddress `Domain=vpc`),
//! "Associate Elastic IP address" (to an instance or a network interface: AssociateAddress), "Disassociate Elastic
//! IP address" and "Release Elastic IP addresses" — each refusal AWS's (releasing an associated address outside
//! the default VPC, for one).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use localvpc_model::address::Address;
use localvpc_model::dns_name;
use localvpc_model::instance::InstanceState;
use localvpc_model::RegionState;
use maud::{html, Markup};

use super::security_group::encode;
use super::traffic::Fields;
use super::vpc::{not_found, refused_page};
use super::{Shown, View};
use crate::ec2::{self, Refusal};
use crate::layout::{self, List};
use crate::session::Session;
use crate::ConsoleState;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route("/console/elastic-ips", get(list))
        .route("/console/elastic-ips/allocate", get(allocate_form).post(allocate))
        .route("/console/elastic-ips/{id}", get(detail))
        .route("/console/elastic-ips/{id}/associate", get(associate_form).post(associate))
        .route("/console/elastic-ips/{id}/disassociate", post(disassociate))
        .route("/console/elastic-ips/{id}/release", post(release))
}

/// `/console/elastic-ips/{allocation id}`.
pub(crate) fn href(id: &str) -> String {
    format!("/console/elastic-ips/{id}")
}

/// The instance an address's interface is attached to, if any.
fn instance_of(region: &RegionState, address: &Address) -> Option<String> {
    let association = address.association.as_ref()?;
    let interface = region.network_interfaces.get(association.network_interface_id.as_str())?;
    interface.attachment.as_ref().map(|attachment| attachment.instance_id.clone())
}

fn dash(value: Option<String>) -> Markup {
    html! { @match value { Some(value) => (value), None => "–" } }
}

async fn list(State(state): State<ConsoleState>, session: Session, Query(shown): Query<Shown>) -> Response {
    let view = View::load(&state, session).await;
    let region = view.region();
    let mut addresses: Vec<&Address> = region.addresses.values().map(|address| &**address).collect();
    addresses.sort_by_key(|address| address.public_ip);
    let rows = addresses
        .iter()
        .map(|address| {
            let association = address.association.as_ref();
            vec![
                html! { (layout::name_of(&address.tags)) },
                html! { a class="mono" href=(href(&address.allocation_id)) { (address.public_ip) } },
                html! { "Public IP" },
                html! { span class="mono" { (address.allocation_id) } },
                html! { @match instance_of(region, address) { Some(id) => a href=(super::instance::href(&id)) { (id) }, None => "–" } },
                dash(association.map(|a| a.private_ip.to_string())),
                dash(association.map(|a| a.association_id.clone())),
                html! { (address.network_border_group) },
            ]
        })
        .collect();
    let list = List {
        title: "Elastic IP addresses",
        noun: "Elastic IP addresses",
        create: Some(("Allocate Elastic IP address", "/console/elastic-ips/allocate")),
        columns: &[
            "Name",
            "Allocated IPv4 address",
            "Type",
            "Allocation ID",
            "Associated instance ID",
            "Private IP address",
            "Association ID",
            "Network border group",
        ],
        rows,
    };
    layout::page(&view.session, "/console/elastic-ips", "Elastic IP addresses", list.render(shown.done.as_deref()))
}

async fn detail(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Response {
    let view = View::new(&state, session);
    let Some(address) = view.region().addresses.get(id.as_str()) else {
        return not_found(&view, "Elastic IP address", &id);
    };
    detail_page(&view, address, shown.done.as_deref(), None)
}

fn detail_page(view: &View, address: &Address, done: Option<&str>, refusal: Option<&Refusal>) -> Response {
    let region = view.region();
    let association = address.association.as_ref();
    let interface = association.and_then(|a| region.network_interfaces.get(a.network_interface_id.as_str()));
    let public_dns = interface.and_then(|interface| {
        let vpc = region.vpcs.get(interface.vpc_id.as_str())?;
        (vpc.enable_dns_support && vpc.enable_dns_hostnames)
            .then(|| dns_name::public_dns_name(&view.session.scope.region, address.public_ip))
    });
    let title = address.public_ip.to_string();
    let body = html! {
        (layout::notice(done))
        (layout::refusal(refusal))
        div class="crumbs" { a href="/console/elastic-ips" { "Elastic IP addresses" } " › " (address.public_ip) }
        div class="page-head" {
            h1 { (title) }
            div class="actions" {
                a class="button" id="associate-address" href=(format!("{}/associate", href(&address.allocation_id))) { "Associate Elastic IP address" }
                form class="inline" method="post" action=(format!("{}/disassociate", href(&address.allocation_id))) {
                    button id="disassociate-address" type="submit" disabled[association.is_none()] { "Disassociate Elastic IP address" }
                }
                form class="inline" method="post" action=(format!("{}/release", href(&address.allocation_id))) {
                    button class="danger" id="release-address" type="submit" { "Release Elastic IP address" }
                }
            }
        }
        (layout::details("Summary", &[
            ("Allocated IPv4 address", html! { span class="mono" { (address.public_ip) } }),
            ("Type", html! { "Public IP" }),
            ("Allocation ID", html! { span class="mono" { (address.allocation_id) } }),
            ("Reverse DNS record", dash(address.ptr_record.clone())),
            ("Association ID", dash(association.map(|a| a.association_id.clone()))),
            ("Scope", html! { "VPC" }),
            ("Associated instance ID", html! { @match instance_of(region, address) { Some(id) => a href=(super::instance::href(&id)) { (id) }, None => "–" } }),
            ("Private IP address", dash(association.map(|a| a.private_ip.to_string()))),
            ("Network interface ID", dash(association.map(|a| a.network_interface_id.clone()))),
            ("Network interface owner account ID", dash(interface.map(|i| i.owner_id.clone()))),
            ("Public DNS", dash(public_dns)),
            ("Address pool", html! { "Amazon" }),
            ("Network border group", html! { (address.network_border_group) }),
        ]))
        section class="panel" { h2 { "Tags" } (layout::tags_table(&address.allocation_id, &href(&address.allocation_id), &address.tags)) }
    };
    layout::form_page(&view.session, "/console/elastic-ips", &title, body, refusal)
}

// ---- Allocate ----

async fn allocate_form(State(state): State<ConsoleState>, session: Session) -> Response {
    allocate_page(&View::load(&state, session).await, "", None)
}

fn allocate_page(view: &View, name: &str, refusal: Option<&Refusal>) -> Response {
    let region = view.session.scope.region.clone();
    let body = html! {
        div class="crumbs" { a href="/console/elastic-ips" { "Elastic IP addresses" } " › Allocate Elastic IP address" }
        div class="page-head" { h1 { "Allocate Elastic IP address" } }
        (layout::refusal(refusal))
        form class="create panel" method="post" action="/console/elastic-ips/allocate" {
            h2 { "Elastic IP address settings" }
            (layout::select_field("network-border-group", "Network border group", &[(region.clone(), region.clone())], &region))
            fieldset {
                legend { "Public IPv4 address pool" }
                label class="choice" { input type="radio" id="amazon-pool" name="_pool" value="amazon" checked; "Amazon's pool of IPv4 addresses" }
            }
            (layout::text_field("name", "Name tag - optional", name, None))
            div class="form-actions" {
                a class="button" href="/console/elastic-ips" { "Cancel" }
                button class="primary" id="allocate-address" type="submit" { "Allocate" }
            }
        }
    };
    layout::form_page(&view.session, "/console/elastic-ips", "Allocate Elastic IP address", body, refusal)
}

async fn allocate(State(state): State<ConsoleState>, session: Session, body: Bytes) -> Response {
    let form = Fields::parse(&body);
    let name = form.get("name").to_string();
    let mut params = vec![("Action", "AllocateAddress"), ("Domain", "vpc")];
    if !name.is_empty() {
        params.extend([
            ("TagSpecification.1.ResourceType", "elastic-ip"),
            ("TagSpecification.1.Tag.1.Key", "Name"),
            ("TagSpecification.1.Tag.1.Value", name.as_str()),
        ]);
    }
    match ec2::run(&state, &session, &params).await {
        Ok(answer) => {
            let ip = answer.text("publicIp").unwrap_or_default();
            let done = format!("Elastic IP address allocated successfully. Elastic IP address {ip}");
            Redirect::to(&format!("/console/elastic-ips?done={}", encode(&done))).into_response()
        }
        Err(refusal) => allocate_page(&View::new(&state, session), &name, Some(&refusal)),
    }
}

// ---- Associate ----

#[derive(Default)]
struct AssociateValues {
    /// `instance` or `network-interface`.
    resource: String,
    instance: String,
    interface: String,
    private_ip: String,
    allow_reassociation: bool,
}

async fn associate_form(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    let view = View::new(&state, session);
    let Some(address) = view.region().addresses.get(id.as_str()) else {
        return not_found(&view, "Elastic IP address", &id);
    };
    associate_page(&view, address, &AssociateValues { resource: "instance".into(), ..AssociateValues::default() }, None)
}

fn associate_page(view: &View, address: &Address, values: &AssociateValues, refusal: Option<&Refusal>) -> Response {
    let region = view.region();
    let mut instances: Vec<_> = region.instances.values().filter(|i| i.state != InstanceState::Terminated).collect();
    instances.sort_by(|a, b| (a.launch_sequence, &a.id).cmp(&(b.launch_sequence, &b.id)));
    let mut instance_options = vec![(String::new(), "Choose an instance".to_string())];
    instance_options.extend(instances.iter().map(|instance| {
        let name = layout::name_of(&instance.tags);
        (instance.id.clone(), format!("{} ({name}) – {}", instance.id, instance.state.name()))
    }));
    let mut interfaces: Vec<_> = region.network_interfaces.values().collect();
    interfaces.sort_by(|a, b| a.id.cmp(&b.id));
    let mut interface_options = vec![(String::new(), "Choose a network interface".to_string())];
    interface_options.extend(interfaces.iter().map(|interface| {
        (interface.id.clone(), format!("{} – {}", interface.id, crate::pages::shared::dash(interface.private_ip)))
    }));
    let private_ips: Vec<String> =
        interfaces.iter().flat_map(|interface| interface.private_ips().map(|ip| ip.to_string())).collect();
    let body = html! {
        div class="crumbs" {
            a href="/console/elastic-ips" { "Elastic IP addresses" } " › " a href=(href(&address.allocation_id)) { (address.public_ip) } " › Associate Elastic IP address"
        }
        div class="page-head" { h1 { "Associate Elastic IP address" } }
        p class="hint" { "Choose the instance or network interface to associate to this Elastic IP address (" (address.public_ip) ")." }
        (layout::refusal(refusal))
        form class="create panel" method="post" action=(format!("{}/associate", href(&address.allocation_id))) {
            fieldset {
                legend { "Resource type" }
                label class="choice" { input type="radio" id="resource-instance" name="resource" value="instance" checked[values.resource != "network-interface"]; "Instance" }
                label class="choice" { input type="radio" id="resource-network-interface" name="resource" value="network-interface" checked[values.resource == "network-interface"]; "Network interface" }
            }
            (layout::select_field("instance", "Instance", &instance_options, &values.instance))
            (layout::select_field("network-interface", "Network interface", &interface_options, &values.interface))
            div class="field" {
                label for="private-ip" { "Private IP address - optional" }
                input id="private-ip" name="private-ip" type="text" list="private-ips" value=(values.private_ip);
                datalist id="private-ips" { @for ip in &private_ips { option value=(ip) {} } }
                p class="hint" { "The private IP address with which to associate the Elastic IP address; the primary one if empty." }
            }
            label class="choice" {
                input type="checkbox" id="allow-reassociation" name="allow-reassociation" value="true" checked[values.allow_reassociation];
                "Allow this Elastic IP address to be reassociated"
            }
            div class="form-actions" {
                a class="button" href=(href(&address.allocation_id)) { "Cancel" }
                button class="primary" id="submit-associate" type="submit" { "Associate" }
            }
        }
    };
    layout::form_page(&view.session, "/console/elastic-ips", "Associate Elastic IP address", body, refusal)
}

async fn associate(
    State(state): State<ConsoleState>,
    session: Session,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = Fields::parse(&body);
    let values = AssociateValues {
        resource: form.get("resource").to_string(),
        instance: form.get("instance").to_string(),
        interface: form.get("network-interface").to_string(),
        private_ip: form.get("private-ip").trim().to_string(),
        allow_reassociation: form.get("allow-reassociation") == "true",
    };
    let mut params = vec![("Action", "AssociateAddress"), ("AllocationId", id.as_str())];
    if values.resource == "network-interface" {
        params.push(("NetworkInterfaceId", values.interface.as_str()));
    } else {
        params.push(("InstanceId", values.instance.as_str()));
    }
    if !values.private_ip.is_empty() {
        params.push(("PrivateIpAddress", values.private_ip.as_str()));
    }
    params.push(("AllowReassociation", if values.allow_reassociation { "true" } else { "false" }));
    match ec2::run(&state, &session, &params).await {
        Ok(answer) => {
            let association = answer.text("associationId").unwrap_or_default();
            let done = format!("Elastic IP address associated successfully. Association ID {association}");
            Redirect::to(&format!("/console/elastic-ips?done={}", encode(&done))).into_response()
        }
        Err(refusal) => {
            let view = View::new(&state, session);
            match view.region().addresses.get(id.as_str()) {
                Some(address) => associate_page(&view, address, &values, Some(&refusal)),
                None => refused_page(&view, "/console/elastic-ips", "Associate Elastic IP address", &refusal),
            }
        }
    }
}

// ---- Disassociate, Release ----

async fn disassociate(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    let view = View::new(&state, session.clone());
    let Some(address) = view.region().addresses.get(id.as_str()).cloned() else {
        return not_found(&view, "Elastic IP address", &id);
    };
    let association = address.association.as_ref().map(|a| a.association_id.clone()).unwrap_or_default();
    match ec2::run(&state, &session, &[("Action", "DisassociateAddress"), ("AssociationId", &association)]).await {
        Ok(_) => {
            let done =
                format!("Elastic IP address disassociated successfully. Elastic IP address {}", address.public_ip);
            Redirect::to(&format!("{}?done={}", href(&id), encode(&done))).into_response()
        }
        Err(refusal) => {
            let view = View::new(&state, session);
            match view.region().addresses.get(id.as_str()) {
                Some(address) => detail_page(&view, address, None, Some(&refusal)),
                None => refused_page(&view, "/console/elastic-ips", "Disassociate Elastic IP address", &refusal),
            }
        }
    }
}

async fn release(State(state): State<ConsoleState>, session: Session, Path(id): Path<String>) -> Response {
    match ec2::run(&state, &session, &[("Action", "ReleaseAddress"), ("AllocationId", &id)]).await {
        Ok(_) => {
            let done = format!("Elastic IP address released successfully. Allocation ID {id}");
            Redirect::to(&format!("/console/elastic-ips?done={}", encode(&done))).into_response()
        }
        Err(refusal) => {
            let view = View::new(&state, session);
            match view.region().addresses.get(id.as_str()) {
                Some(address) => detail_page(&view, address, None, Some(&refusal)),
                None => refused_page(&view, "/console/elastic-ips", "Release Elastic IP address", &refusal),
            }
        }
    }
}
