//! "Edit inbound rules" / "Edit outbound rules": the group's rules as editable rows, "Add rule", "Delete", and
//! "Save rules".
//!
//! The form works without script: "Add rule" and "Delete" send the rows as they stand and come back with one row
//! more or less. "Save rules" compares the rows with the group's rules as AWS's console does and sends only the
//! difference — AuthorizeSecurityGroupIngress/Egress with every new or changed rule (one call: all or nothing),
//! UpdateSecurityGroupRuleDescriptionsIngress/Egress for a rule whose description alone changed, then
//! RevokeSecurityGroupIngress/Egress by `SecurityGroupRuleId` for every removed or changed one. Authorizing first
//! means the usual refusal (a peer AWS does not accept, a duplicate) comes before anything changed, and the form is
//! shown again as submitted with AWS's code and message.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use localvpc_model::security_group::permission::{parse_ipv4_peer, parse_ipv6_peer, PermissionRequest};
use localvpc_model::security_group::{Direction, RulePeer, SecurityGroup, SecurityGroupRule};
use localvpc_model::Scope;
use maud::html;

use super::{encode, href, Peer};
use crate::ec2::{self, Refusal};
use crate::layout;
use crate::pages::traffic::{self, Fields};
use crate::pages::vpc::not_found;
use crate::pages::View;
use crate::session::Session;
use crate::ConsoleState;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new().route("/console/security-groups/{id}/{which}/edit", get(edit_form).post(edit))
}

/// `inbound-rules` or `outbound-rules` in the path.
fn direction_of(which: &str) -> Option<Direction> {
    match which {
        "inbound-rules" => Some(Direction::Ingress),
        "outbound-rules" => Some(Direction::Egress),
        _ => None,
    }
}

/// Words that differ by direction.
struct Words {
    noun: &'static str,
    peer: &'static str,
    tab: &'static str,
    path: &'static str,
    suffix: &'static str,
}

fn words(direction: Direction) -> Words {
    match direction {
        Direction::Ingress => {
            Words { noun: "inbound", peer: "Source", tab: "inbound", path: "inbound-rules", suffix: "Ingress" }
        }
        Direction::Egress => {
            Words { noun: "outbound", peer: "Destination", tab: "outbound", path: "outbound-rules", suffix: "Egress" }
        }
    }
}

/// One row of the editor, as shown or as submitted.
#[derive(Debug, Clone, Default)]
struct Row {
    /// The rule it edits (`sgr-…`); empty for a new row.
    rule_id: String,
    kind: String,
    protocol: String,
    ports: String,
    peer: String,
    description: String,
}

impl Row {
    fn of(view: &View, rule: &SecurityGroupRule) -> Row {
        let shown = traffic::show(&rule.protocol, rule.from_port, rule.to_port);
        Row {
            rule_id: rule.id.clone(),
            kind: shown.kind.to_string(),
            protocol: shown.protocol_field,
            ports: shown.ports_field,
            peer: Peer::of(&view.world, &view.session.scope, rule).field,
            description: rule.description.clone().unwrap_or_default(),
        }
    }

    fn new_rule() -> Row {
        Row { kind: "custom-tcp".into(), ..Row::default() }
    }

    fn asked(&self) -> traffic::Asked {
        traffic::ask(&self.kind, &self.protocol, &self.ports)
    }

    /// The rule this row asks for, normalised as the model stores rules — only to tell a changed row from an
    /// unchanged one; `None` when a value does not parse (the row is then sent as typed, and AWS answers).
    fn as_rule(&self, scope: &Scope) -> Option<SecurityGroupRule> {
        let asked = self.asked();
        let number = |text: &Option<String>| match text {
            None => Some(None),
            Some(text) => text.parse::<i64>().ok().map(Some),
        };
        let request = PermissionRequest {
            protocol: Some(asked.protocol.clone()),
            from_port: number(&asked.from)?,
            to_port: number(&asked.to)?,
            ..PermissionRequest::default()
        };
        let range = request.port_range().ok()?;
        let peer = match group_reference(&self.peer) {
            Some((user, group)) => RulePeer::Group {
                user_id: user.unwrap_or(&scope.account).to_string(),
                group_id: group.to_string(),
                vpc_id: None,
            },
            None if self.peer.trim().starts_with("pl-") => {
                RulePeer::PrefixList { prefix_list_id: self.peer.trim().to_string() }
            }
            None if self.peer.contains(':') => parse_ipv6_peer(&self.peer).ok()?,
            None => parse_ipv4_peer(&self.peer).ok()?,
        };
        Some(SecurityGroupRule {
            id: String::new(),
            protocol: range.protocol,
            from_port: range.from,
            to_port: range.to,
            peer,
            description: None,
            tags: Default::default(),
        })
    }

    fn description(&self) -> Option<&str> {
        Some(self.description.trim()).filter(|text| !text.is_empty())
    }

    /// The `IpPermissions.n.*` parameters of this row.
    fn permission(&self, n: usize, out: &mut Vec<(String, String)>) {
        let asked = self.asked();
        let mut put = |key: String, value: &str| out.push((format!("IpPermissions.{n}.{key}"), value.to_string()));
        put("IpProtocol".into(), &asked.protocol);
        if let Some(from) = &asked.from {
            put("FromPort".into(), from);
        }
        if let Some(to) = &asked.to {
            put("ToPort".into(), to);
        }
        let peer = self.peer.trim();
        let list = match group_reference(peer) {
            Some((user, group)) => {
                put("Groups.1.GroupId".into(), group);
                if let Some(user) = user {
                    put("Groups.1.UserId".into(), user);
                }
                "Groups"
            }
            None if peer.starts_with("pl-") => {
                put("PrefixListIds.1.PrefixListId".into(), peer);
                "PrefixListIds"
            }
            None if peer.contains(':') => {
                put("Ipv6Ranges.1.CidrIpv6".into(), peer);
                "Ipv6Ranges"
            }
            None => {
                put("IpRanges.1.CidrIp".into(), peer);
                "IpRanges"
            }
        };
        if let Some(description) = self.description() {
            put(format!("{list}.1.Description"), description);
        }
    }
}

/// `sg-…` or `account/sg-…` (the AWS console's form for another account's group): (account, group).
fn group_reference(peer: &str) -> Option<(Option<&str>, &str)> {
    let peer = peer.trim();
    match peer.split_once('/') {
        Some((user, group)) if group.starts_with("sg-") => Some((Some(user), group)),
        _ if peer.starts_with("sg-") => Some((None, peer)),
        _ => None,
    }
}

fn rows_of(form: &Fields) -> Vec<Row> {
    form.rows("rule")
        .into_iter()
        .map(|n| Row {
            rule_id: form.row("rule", n, "id").to_string(),
            kind: form.row("rule", n, "type").to_string(),
            protocol: form.row("rule", n, "protocol").to_string(),
            ports: form.row("rule", n, "ports").to_string(),
            peer: form.row("rule", n, "source").to_string(),
            description: form.row("rule", n, "description").to_string(),
        })
        .collect()
}

async fn edit_form(
    State(state): State<ConsoleState>,
    session: Session,
    Path((id, which)): Path<(String, String)>,
) -> Response {
    let view = View::new(&state, session);
    let (Some(group), Some(direction)) = (view.region().security_groups.get(id.as_str()), direction_of(&which)) else {
        return not_found(&view, "security group", &id);
    };
    let rows: Vec<Row> = group.rules(direction).iter().map(|rule| Row::of(&view, rule)).collect();
    editor(&view, group, direction, &rows, None)
}

fn editor(
    view: &View,
    group: &SecurityGroup,
    direction: Direction,
    rows: &[Row],
    refusal: Option<&Refusal>,
) -> Response {
    let words = words(direction);
    let title = format!("Edit {} rules", words.noun);
    let action = format!("{}/{}/edit", href(&group.id), words.path);
    let mut peers: Vec<(String, String)> =
        vec![("0.0.0.0/0".into(), "Anywhere-IPv4".into()), ("::/0".into(), "Anywhere-IPv6".into())];
    peers.extend(super::groups_of_vpc(view, &group.vpc_id).iter().map(|g| (g.id.clone(), g.name.clone())));
    let body = html! {
        div class="crumbs" {
            a href="/console/security-groups" { "Security Groups" } " › "
            a href=(href(&group.id)) { (group.id) " - " (group.name) } " › " (title)
        }
        div class="page-head" { h1 { (title) } }
        (layout::refusal(refusal))
        form class="panel rule-editor" method="post" action=(action) {
            // The default button (Enter in a field) saves, never deletes the first row.
            button class="visually-hidden" type="submit" name="op" value="save" tabindex="-1" aria-hidden="true" { "Save rules" }
            p class="hint" {
                (words.noun[..1].to_ascii_uppercase()) (&words.noun[1..]) " rules control the " (words.noun)
                " traffic that's allowed " @if direction == Direction::Ingress { "to reach" } @else { "to leave" } " the instances associated with the security group."
            }
            table class="list editor" {
                thead {
                    tr {
                        @for column in ["Security group rule ID", "Type", "Protocol", "Port range", words.peer, "Description - optional", ""] {
                            th scope="col" { (column) }
                        }
                    }
                }
                tbody {
                    @for (n, row) in rows.iter().enumerate() {
                        tr {
                            td class="mono" {
                                input type="hidden" name=(format!("rule.{n}.id")) value=(row.rule_id);
                                @if row.rule_id.is_empty() { "–" } @else { (row.rule_id) }
                            }
                            (traffic::type_cells("rule", n, &row.kind, &row.protocol, &row.ports))
                            td {
                                label class="visually-hidden" for=(format!("rule-{n}-source")) { (words.peer) }
                                input id=(format!("rule-{n}-source")) name=(format!("rule.{n}.source")) type="text" size="22"
                                    list="peers" value=(row.peer) placeholder="CIDR or sg-…";
                            }
                            td {
                                label class="visually-hidden" for=(format!("rule-{n}-description")) { "Description" }
                                input id=(format!("rule-{n}-description")) name=(format!("rule.{n}.description")) type="text" value=(row.description);
                            }
                            td { button type="submit" id=(format!("rule-{n}-delete")) name="op" value=(format!("delete-{n}")) { "Delete" } }
                        }
                    }
                    @if rows.is_empty() { tr class="empty" { td colspan="7" { "This security group has no " (words.noun) " rules." } } }
                }
            }
            datalist id="peers" { @for (value, label) in &peers { option value=(value) { (label) } } }
            div class="form-actions spread" {
                button type="submit" id="add-rule" name="op" value="add" { "Add rule" }
                span class="actions" {
                    a class="button" href=(format!("{}?tab={}", href(&group.id), words.tab)) { "Cancel" }
                    button class="primary" type="submit" id="save-rules" name="op" value="save" { "Save rules" }
                }
            }
        }
    };
    layout::form_page(&view.session, "/console/security-groups", &title, body, refusal)
}

/// What "Save rules" sends.
#[derive(Debug, Default)]
struct Difference {
    /// Rows to authorize.
    added: Vec<Row>,
    /// (rule ID, new description) of rules whose description alone changed.
    described: Vec<(String, Option<String>)>,
    /// Rules to revoke.
    removed: Vec<String>,
}

fn difference(scope: &Scope, existing: &[SecurityGroupRule], rows: &[Row]) -> Difference {
    let mut difference = Difference::default();
    let mut kept = Vec::new();
    for row in rows {
        match existing.iter().find(|rule| !row.rule_id.is_empty() && rule.id == row.rule_id) {
            Some(rule) => {
                kept.push(rule.id.clone());
                match row.as_rule(scope) {
                    Some(asked) if asked.same_as(rule) => {
                        if row.description() != rule.description.as_deref() {
                            difference.described.push((rule.id.clone(), row.description().map(str::to_string)));
                        }
                    }
                    _ => {
                        difference.removed.push(rule.id.clone());
                        difference.added.push(row.clone());
                    }
                }
            }
            None => difference.added.push(row.clone()),
        }
    }
    difference.removed.extend(existing.iter().filter(|rule| !kept.contains(&rule.id)).map(|rule| rule.id.clone()));
    // A new row that is a removed rule again keeps that rule (revoking and authorizing it would be a no-op).
    difference.added.retain(|row| {
        let Some(asked) = row.as_rule(scope) else { return true };
        let Some(rule) = existing.iter().find(|rule| difference.removed.contains(&rule.id) && rule.same_as(&asked))
        else {
            return true;
        };
        difference.removed.retain(|id| *id != rule.id);
        if row.description() != rule.description.as_deref() {
            difference.described.push((rule.id.clone(), row.description().map(str::to_string)));
        }
        false
    });
    difference
}

async fn edit(
    State(state): State<ConsoleState>,
    session: Session,
    Path((id, which)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let form = Fields::parse(&body);
    let view = View::new(&state, session.clone());
    let (Some(group), Some(direction)) =
        (view.region().security_groups.get(id.as_str()).cloned(), direction_of(&which))
    else {
        return not_found(&view, "security group", &id);
    };
    let mut rows = rows_of(&form);
    let op = form.get("op");
    if op == "add" {
        rows.push(Row::new_rule());
        return editor(&view, &group, direction, &rows, None);
    }
    if let Some(n) = op.strip_prefix("delete-").and_then(|n| n.parse::<usize>().ok()) {
        if n < rows.len() {
            rows.remove(n);
        }
        return editor(&view, &group, direction, &rows, None);
    }
    let words = words(direction);
    let difference = difference(&view.session.scope, group.rules(direction), &rows);
    let mut steps: Vec<Vec<(String, String)>> = Vec::new();
    let base = |action: &str| {
        vec![("Action".to_string(), format!("{action}{}", words.suffix)), ("GroupId".to_string(), id.clone())]
    };
    if !difference.added.is_empty() {
        let mut params = base("AuthorizeSecurityGroup");
        for (n, row) in difference.added.iter().enumerate() {
            row.permission(n + 1, &mut params);
        }
        steps.push(params);
    }
    if !difference.described.is_empty() {
        let mut params = base("UpdateSecurityGroupRuleDescriptions");
        for (n, (rule_id, description)) in difference.described.iter().enumerate() {
            params.push((format!("SecurityGroupRuleDescription.{}.SecurityGroupRuleId", n + 1), rule_id.clone()));
            params.push((
                format!("SecurityGroupRuleDescription.{}.Description", n + 1),
                description.clone().unwrap_or_default(),
            ));
        }
        steps.push(params);
    }
    if !difference.removed.is_empty() {
        let mut params = base("RevokeSecurityGroup");
        for (n, rule_id) in difference.removed.iter().enumerate() {
            params.push((format!("SecurityGroupRuleId.{}", n + 1), rule_id.clone()));
        }
        steps.push(params);
    }
    for (done, params) in steps.iter().enumerate() {
        if let Err(refusal) = ec2::run(&state, &session, &traffic::borrowed(params)).await {
            let view = View::new(&state, session);
            let Some(group) = view.region().security_groups.get(id.as_str()) else {
                return not_found(&view, "security group", &id);
            };
            if done == 0 {
                return editor(&view, group, direction, &rows, Some(&refusal));
            }
            // An earlier call changed the group: edit from what it is now.
            let current: Vec<Row> = group.rules(direction).iter().map(|rule| Row::of(&view, rule)).collect();
            return editor(&view, group, direction, &current, Some(&refusal));
        }
    }
    let done = format!(
        "{}{} security group rules successfully modified on security group ({} | {})",
        words.noun[..1].to_ascii_uppercase(),
        &words.noun[1..],
        group.id,
        group.name
    );
    Redirect::to(&format!("{}?tab={}&done={}", href(&id), words.tab, encode(&done))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(
        id: &str,
        protocol: &str,
        ports: Option<(i32, i32)>,
        cidr: &str,
        description: Option<&str>,
    ) -> SecurityGroupRule {
        SecurityGroupRule {
            id: id.into(),
            protocol: protocol.into(),
            from_port: ports.map(|p| p.0),
            to_port: ports.map(|p| p.1),
            peer: RulePeer::Cidr(cidr.parse().unwrap()),
            description: description.map(str::to_string),
            tags: Default::default(),
        }
    }

    fn row(id: &str, kind: &str, ports: &str, peer: &str, description: &str) -> Row {
        Row {
            rule_id: id.into(),
            kind: kind.into(),
            protocol: String::new(),
            ports: ports.into(),
            peer: peer.into(),
            description: description.into(),
        }
    }

    #[test]
    fn only_the_difference_is_sent() {
        let scope = Scope::new("123456789012", "us-east-1");
        let existing = [
            rule("sgr-1", "tcp", Some((22, 22)), "0.0.0.0/0", None),
            rule("sgr-2", "tcp", Some((80, 80)), "0.0.0.0/0", None),
            rule("sgr-3", "icmp", Some((-1, -1)), "10.0.0.0/8", Some("ping")),
            rule("sgr-4", "tcp", Some((443, 443)), "0.0.0.0/0", None),
        ];
        let rows = [
            row("sgr-1", "ssh", "", "0.0.0.0/0", ""),
            row("sgr-2", "http", "", "10.0.0.0/8", ""),
            row("sgr-3", "all-icmp", "", "10.0.0.0/8", "echo"),
            row("", "https", "", "0.0.0.0/0", ""),
            row("", "custom-udp", "53", "10.0.0.0/16", ""),
        ];
        let difference = difference(&scope, &existing, &rows);
        assert_eq!(difference.removed, ["sgr-2"]);
        assert_eq!(difference.described, [("sgr-3".to_string(), Some("echo".to_string()))]);
        let added: Vec<_> = difference.added.iter().map(|row| (row.kind.as_str(), row.peer.as_str())).collect();
        assert_eq!(added, [("http", "10.0.0.0/8"), ("custom-udp", "10.0.0.0/16")]);
    }

    #[test]
    fn rows_become_ip_permissions() {
        let mut params = Vec::new();
        row("", "ssh", "", "0.0.0.0/0", "admin").permission(1, &mut params);
        row("", "all-traffic", "", "210987654321/sg-12345678", "").permission(2, &mut params);
        let text: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            text,
            [
                "IpPermissions.1.IpProtocol=tcp",
                "IpPermissions.1.FromPort=22",
                "IpPermissions.1.ToPort=22",
                "IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0/0",
                "IpPermissions.1.IpRanges.1.Description=admin",
                "IpPermissions.2.IpProtocol=-1",
                "IpPermissions.2.Groups.1.GroupId=sg-12345678",
                "IpPermissions.2.Groups.1.UserId=210987654321",
            ]
        );
    }
}
