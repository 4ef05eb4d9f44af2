//! The page chrome (header with the account/region switcher, the navigation of the VPC and EC2 consoles) and the
//! widgets every resource page is made of: a list with a filter box, a details panel with tabs, form fields with
//! labels, AWS's error box, the green "successfully created" banner.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use localvpc_model::availability_zone::REGIONS;
use maud::{html, Markup, DOCTYPE};

use crate::ec2::Refusal;
use crate::session::Session;

/// The navigation, in the AWS VPC console's order (then the EC2 pages the tutorial uses, then localvpc's own).
const NAV: &[(&str, &[(&str, &str)])] = &[
    (
        "Virtual private cloud",
        &[
            ("Your VPCs", "/console/vpcs"),
            ("Subnets", "/console/subnets"),
            ("Route tables", "/console/route-tables"),
            ("Internet gateways", "/console/internet-gateways"),
            ("NAT gateways", "/console/nat-gateways"),
            ("Peering connections", "/console/peering-connections"),
            ("DHCP option sets", "/console/dhcp-option-sets"),
        ],
    ),
    ("Security", &[("Network ACLs", "/console/network-acls"), ("Security groups", "/console/security-groups")]),
    (
        "Instances",
        &[
            ("Instances", "/console/instances"),
            ("Elastic IPs", "/console/elastic-ips"),
            ("Key pairs", "/console/key-pairs"),
            ("Network interfaces", "/console/network-interfaces"),
            ("Volumes", "/console/volumes"),
            ("Launch templates", "/console/launch-templates"),
        ],
    ),
    (
        "Network",
        &[
            ("Network map", "/console/map"),
            ("Reachability", "/console/reachability"),
            ("Reachability Analyzer", "/console/network-insights"),
            ("Tutorial", "/console/tutorial"),
        ],
    ),
];

/// A whole console page for `session`: header, navigation (with `current` marked), then `body`.
pub(crate) fn page(session: &Session, current: &str, title: &str, body: Markup) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " | localvpc console" }
                link rel="stylesheet" href="/console/assets/console.css";
                script src="/console/assets/console.js" defer {}
            }
            body {
                (header(session, current))
                div class="frame" {
                    nav class="side" aria-label="Console navigation" {
                        a class="home" href="/console" { "VPC dashboard" }
                        @for (section, links) in NAV {
                            h2 { (section) }
                            ul {
                                @for (label, href) in *links {
                                    li { a href=(href) aria-current=[(*href == current).then_some("page")] { (label) } }
                                }
                            }
                        }
                    }
                    main id="main" { (body) }
                }
            }
        }
    };
    Html(markup.into_string()).into_response()
}

/// [`page`] for a form or details page that may carry an action's refusal: a refused change answers 400, as the
/// EC2 API's refusal does.
pub(crate) fn form_page(
    session: &Session,
    current: &str,
    title: &str,
    body: Markup,
    refusal: Option<&Refusal>,
) -> Response {
    let mut response = page(session, current, title, body);
    if refusal.is_some() {
        *response.status_mut() = StatusCode::BAD_REQUEST;
    }
    response
}

/// A page without navigation (sign-in).
pub(crate) fn bare_page(title: &str, body: Markup) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) " | localvpc console" }
                link rel="stylesheet" href="/console/assets/console.css";
            }
            body { (body) }
        }
    };
    Html(markup.into_string()).into_response()
}

fn header(session: &Session, current: &str) -> Markup {
    html! {
        header class="top" {
            a class="brand" href="/console" { span class="logo" aria-hidden="true" { "lv" } "localvpc" }
            form class="switcher" method="post" action="/console/session" {
                input type="hidden" name="back" value=(current);
                @if session.can_switch_account {
                    label for="account" { "Account" }
                    input id="account" name="account" type="text" inputmode="numeric" size="13" pattern="[0-9]{12}"
                        value=(session.scope.account);
                } @else {
                    span class="account" { "Account " (session.scope.account) }
                    @if let Some(key) = &session.access_key { span class="key" { "(" (key) ")" } }
                }
                label for="region" { "Region" }
                select id="region" name="region" {
                    @for region in REGIONS {
                        option value=(region.name) selected[region.name == session.scope.region] { (region.name) }
                    }
                }
                button id="switch" type="submit" { "Switch" }
            }
            @if !session.can_switch_account {
                form method="post" action="/console/signout" { button id="signout" type="submit" { "Sign out" } }
            }
        }
    }
}

/// AWS's error box: the code and the message, as an SDK would show them.
pub(crate) fn error_box(code: &str, message: &str) -> Markup {
    html! {
        div class="alert error" role="alert" {
            strong class="code" { (code) }
            p class="message" { (message) }
        }
    }
}

/// The refusal of an action, if any.
pub(crate) fn refusal(refusal: Option<&Refusal>) -> Markup {
    html! { @if let Some(refusal) = refusal { (error_box(&refusal.code, &refusal.message)) } }
}

/// The green banner after a change (`?done=…` on the page the change redirected to).
pub(crate) fn notice(text: Option<&str>) -> Markup {
    html! { @if let Some(text) = text { div class="alert success" role="status" { (text) } } }
}

/// A plain 400 page for console input that never reaches an EC2 action (the switcher).
pub(crate) fn bad_request(message: &str) -> Response {
    let body =
        html! { main class="signin" { (error_box("InvalidParameterValue", message)) a href="/console" { "Back" } } };
    let mut response = bare_page("Bad request", body);
    *response.status_mut() = StatusCode::BAD_REQUEST;
    response
}

/// A submitted form: its fields, in order.
pub(crate) struct Form(Vec<(String, String)>);

impl Form {
    pub(crate) fn parse(body: &[u8]) -> Form {
        Form(form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Where to go back to: a console path only (never an outside URL).
    pub(crate) fn back(&self) -> String {
        self.get("back")
            .filter(|path| path.starts_with("/console") && !path.contains("//"))
            .unwrap_or("/console")
            .to_string()
    }
}

/// A labelled text field.
pub(crate) fn text_field(id: &str, label: &str, value: &str, hint: Option<&str>) -> Markup {
    html! {
        div class="field" {
            label for=(id) { (label) }
            input id=(id) name=(id) type="text" value=(value) aria-describedby=[hint.map(|_| format!("{id}-hint"))];
            @if let Some(hint) = hint { p class="hint" id=(format!("{id}-hint")) { (hint) } }
        }
    }
}

/// A labelled select; `options` are (value, label).
pub(crate) fn select_field(id: &str, label: &str, options: &[(String, String)], selected: &str) -> Markup {
    html! {
        div class="field" {
            label for=(id) { (label) }
            select id=(id) name=(id) {
                @for (value, text) in options { option value=(value) selected[value == selected] { (text) } }
            }
        }
    }
}

/// A list page: title, count, actions, a filter box, and a table whose rows can be selected.
pub(crate) struct List<'a> {
    pub(crate) title: &'a str,
    /// What the rows are, for "No VPCs found in this Region".
    pub(crate) noun: &'a str,
    pub(crate) create: Option<(&'a str, &'a str)>,
    pub(crate) columns: &'a [&'a str],
    pub(crate) rows: Vec<Vec<Markup>>,
}

impl List<'_> {
    pub(crate) fn render(self, done: Option<&str>) -> Markup {
        html! {
            (notice(done))
            section class="panel" {
                div class="panel-head" {
                    h1 { (self.title) " " span class="count" { "(" (self.rows.len()) ")" } }
                    @if let Some((label, href)) = self.create { a class="button primary" href=(href) { (label) } }
                }
                label class="filter" {
                    span class="visually-hidden" { "Filter " (self.title) }
                    input type="search" data-filter="list" placeholder=(format!("Filter {}", self.noun));
                }
                table class="list" {
                    thead { tr { @for column in self.columns { th scope="col" { (column) } } } }
                    tbody {
                        @for row in &self.rows { tr { @for cell in row { td { (cell) } } } }
                        @if self.rows.is_empty() {
                            tr class="empty" { td colspan=(self.columns.len()) { "No " (self.noun) " found in this Region" } }
                        }
                    }
                }
            }
        }
    }
}

/// A link to a resource's details page.
pub(crate) fn link(href: &str, text: &str) -> Markup {
    html! { a href=(href) { (text) } }
}

/// A state badge, coloured by what the state means.
pub(crate) fn badge(state: &str) -> Markup {
    let tone = match state {
        "available" | "active" | "running" | "attached" | "associated" | "in-use" => "ok",
        "pending" | "pending-acceptance" | "provisioning" | "initiating-request" | "stopping" | "shutting-down" => {
            "wait"
        }
        "failed" | "rejected" | "expired" | "deleted" | "deleting" | "terminated" | "blackhole" => "bad",
        _ => "neutral",
    };
    html! { span class=(format!("badge {tone}")) { (state) } }
}

/// The details panel: key/value pairs in a grid, AWS's "Details" section.
pub(crate) fn details(title: &str, pairs: &[(&str, Markup)]) -> Markup {
    html! {
        section class="panel" {
            h2 { (title) }
            dl class="details" {
                @for (key, value) in pairs { div { dt { (key) } dd { (value) } } }
            }
        }
    }
}

/// Tabs as links (`?tab=…`), server-side: each tab is its own URL, so it works without script and keeps its
/// place on reload.
pub(crate) fn tabs(base: &str, tabs: &[(&str, &str)], current: &str) -> Markup {
    html! {
        nav class="tabs" aria-label="Details tabs" {
            @for (key, label) in tabs {
                a href=(format!("{base}?tab={key}")) aria-current=[(*key == current).then_some("page")] { (label) }
            }
        }
    }
}

/// Tags as AWS shows them: a Key/Value table, with "Manage tags" for `resource_id` (back to `back` after saving).
pub(crate) fn tags_table(resource_id: &str, back: &str, tags: &localvpc_model::Tags) -> Markup {
    html! {
        div class="panel-head" {
            span {}
            a class="button" id="manage-tags" href=(format!("/console/tags/{resource_id}?back={}", form_urlencoded::byte_serialize(back.as_bytes()).collect::<String>())) { "Manage tags" }
        }
        table class="list" {
            thead { tr { th scope="col" { "Key" } th scope="col" { "Value" } } }
            tbody {
                @for tag in tags.iter() { tr { td { (tag.key) } td { (tag.value) } } }
                @if tags.iter().next().is_none() { tr class="empty" { td colspan="2" { "No tags" } } }
            }
        }
    }
}

/// The `Name` tag, or `–` as the AWS console shows an unnamed resource.
pub(crate) fn name_of(tags: &localvpc_model::Tags) -> String {
    tags.iter().find(|tag| tag.key == "Name").map_or_else(|| "–".to_string(), |tag| tag.value.clone())
}

impl Form {
    /// Every value of a repeated field (a list of checkboxes).
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }
}
