//! "Edit inbound rules" / "Edit outbound rules" of a network ACL: its entries as editable rows ("Add new rule",
//! "Remove", "Save changes").
//!
//! Saving sends the difference between the rows and the ACL's entries, keyed by rule number as AWS keys them:
//! ReplaceNetworkAclEntry for a number whose rule changed, CreateNetworkAclEntry for a new number,
//! DeleteNetworkAclEntry for a number that is gone. Since every call names a rule number, saving the same rows
//! again after a refusal sends only what is still different. The final `*` rule is shown as AWS shows it and is
//! not editable.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use localvpc_model::network_acl::{AclEntry, NetworkAcl, FINAL_RULE_NUMBER};
use maud::html;

use super::{entries, href, shown, verdict};
use crate::ec2::{self, Refusal};
use crate::layout;
use crate::pages::security_group::encode;
use crate::pages::traffic::{self, Fields};
use crate::pages::vpc::not_found;
use crate::pages::View;
use crate::session::Session;
use crate::ConsoleState;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new().route("/console/network-acls/{id}/{which}/edit", get(edit_form).post(edit))
}

/// One row of the rule editor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Row {
    number: String,
    kind: String,
    protocol: String,
    ports: String,
    cidr: String,
    action: String,
}

impl Row {
    fn of(entry: &AclEntry) -> Row {
        let shown = shown(entry);
        Row {
            number: entry.rule_number.to_string(),
            kind: shown.kind.to_string(),
            protocol: shown.protocol_field,
            ports: shown.ports_field,
            cidr: entry.cidr_block.to_string(),
            action: if entry.allow { "allow" } else { "deny" }.into(),
        }
    }

    /// Whether the row asks for exactly this entry (then nothing is sent for it).
    fn is(&self, entry: &AclEntry) -> bool {
        let asked = traffic::ask(&self.kind, &self.protocol, &self.ports);
        let protocol = traffic::protocol_number(&asked.protocol);
        let ports_match = match (protocol.as_str(), asked.numbers()) {
            (_, None) => false,
            ("6" | "17", Some((from, to))) => {
                entry.port_range.map(|(f, t)| (Some(i32::from(f)), Some(i32::from(t)))) == Some((from, to))
            }
            ("1", Some((from, to))) => entry.icmp_type_code.map(|(f, t)| (Some(f), Some(t))) == Some((from, to)),
            _ => true,
        };
        protocol == entry.protocol
            && ports_match
            && self.cidr.trim() == entry.cidr_block.to_string()
            && (self.action == "allow") == entry.allow
    }

    /// The parameters of Create/ReplaceNetworkAclEntry for this row.
    fn params(&self, action: &str, acl_id: &str, egress: bool) -> Vec<(String, String)> {
        let asked = traffic::ask(&self.kind, &self.protocol, &self.ports);
        let protocol = traffic::protocol_number(&asked.protocol);
        let mut params = vec![
            ("Action".to_string(), action.to_string()),
            ("NetworkAclId".to_string(), acl_id.to_string()),
            ("RuleNumber".to_string(), self.number.trim().to_string()),
            ("Protocol".to_string(), protocol.clone()),
            ("RuleAction".to_string(), self.action.clone()),
            ("Egress".to_string(), egress.to_string()),
            ("CidrBlock".to_string(), self.cidr.trim().to_string()),
        ];
        let (from_key, to_key) = match protocol.as_str() {
            "6" | "17" => ("PortRange.From", "PortRange.To"),
            "1" => ("Icmp.Type", "Icmp.Code"),
            _ => return params,
        };
        if let Some(from) = asked.from {
            params.push((from_key.into(), from));
        }
        if let Some(to) = asked.to {
            params.push((to_key.into(), to));
        }
        params
    }
}

fn direction_of(which: &str) -> Option<bool> {
    match which {
        "inbound-rules" => Some(false),
        "outbound-rules" => Some(true),
        _ => None,
    }
}

fn user_rows(acl: &NetworkAcl, egress: bool) -> Vec<Row> {
    entries(acl, egress).filter(|entry| entry.rule_number != FINAL_RULE_NUMBER).map(Row::of).collect()
}

async fn edit_form(
    State(state): State<ConsoleState>,
    session: Session,
    Path((id, which)): Path<(String, String)>,
) -> Response {
    let view = View::new(&state, session);
    let (Some(acl), Some(egress)) = (view.region().network_acls.get(id.as_str()), direction_of(&which)) else {
        return not_found(&view, "network ACL", &id);
    };
    editor(&view, acl, egress, &user_rows(acl, egress), None)
}

fn editor(view: &View, acl: &NetworkAcl, egress: bool, rows: &[Row], refusal: Option<&Refusal>) -> Response {
    let (noun, peer, which) =
        if egress { ("outbound", "Destination", "outbound") } else { ("inbound", "Source", "inbound") };
    let title = format!("Edit {noun} rules");
    let final_rule = entries(acl, egress).find(|entry| entry.rule_number == FINAL_RULE_NUMBER);
    let actions = [("allow".to_string(), "Allow".to_string()), ("deny".to_string(), "Deny".to_string())];
    let body = html! {
        div class="crumbs" {
            a href="/console/network-acls" { "Network ACLs" } " › " a href=(href(&acl.id)) { (acl.id) } " › " (title)
        }
        div class="page-head" { h1 { (title) } }
        (layout::refusal(refusal))
        form class="panel rule-editor" method="post" action=(format!("{}/{which}-rules/edit", href(&acl.id))) {
            button class="visually-hidden" type="submit" name="op" value="save" tabindex="-1" aria-hidden="true" { "Save changes" }
            p class="hint" { "Rules are evaluated in order, starting with the lowest numbered rule; the first rule that matches decides." }
            table class="list editor" {
                thead { tr { @for column in ["Rule number", "Type", "Protocol", "Port range", peer, "Allow/Deny", ""] { th scope="col" { (column) } } } }
                tbody {
                    @for (n, row) in rows.iter().enumerate() {
                        tr {
                            td {
                                label class="visually-hidden" for=(format!("entry-{n}-number")) { "Rule number" }
                                input id=(format!("entry-{n}-number")) name=(format!("entry.{n}.number")) type="text" size="6" inputmode="numeric" value=(row.number);
                            }
                            (traffic::type_cells("entry", n, &row.kind, &row.protocol, &row.ports))
                            td {
                                label class="visually-hidden" for=(format!("entry-{n}-cidr")) { (peer) }
                                input id=(format!("entry-{n}-cidr")) name=(format!("entry.{n}.cidr")) type="text" size="18" value=(row.cidr);
                            }
                            td {
                                label class="visually-hidden" for=(format!("entry-{n}-action")) { "Allow/Deny" }
                                select id=(format!("entry-{n}-action")) name=(format!("entry.{n}.action")) {
                                    @for (value, label) in &actions { option value=(value) selected[*value == row.action] { (label) } }
                                }
                            }
                            td { button type="submit" id=(format!("entry-{n}-remove")) name="op" value=(format!("delete-{n}")) { "Remove" } }
                        }
                    }
                    @if let Some(entry) = final_rule {
                        tr class="fixed" {
                            td { "*" } td { "All traffic" } td { "All" } td { "All" } td class="mono" { (entry.cidr_block) } td { (verdict(entry.allow)) } td {}
                        }
                    }
                }
            }
            div class="form-actions spread" {
                button type="submit" id="add-entry" name="op" value="add" { "Add new rule" }
                span class="actions" {
                    a class="button" href=(format!("{}?tab={which}", href(&acl.id))) { "Cancel" }
                    button class="primary" type="submit" id="save-entries" name="op" value="save" { "Save changes" }
                }
            }
        }
    };
    layout::form_page(&view.session, "/console/network-acls", &title, body, refusal)
}

fn rows_of(form: &Fields) -> Vec<Row> {
    form.rows("entry")
        .into_iter()
        .map(|n| Row {
            number: form.row("entry", n, "number").to_string(),
            kind: form.row("entry", n, "type").to_string(),
            protocol: form.row("entry", n, "protocol").to_string(),
            ports: form.row("entry", n, "ports").to_string(),
            cidr: form.row("entry", n, "cidr").to_string(),
            action: form.row("entry", n, "action").to_string(),
        })
        .collect()
}

/// The calls that turn `existing` into `rows`: replace, then create, then delete.
fn calls(acl_id: &str, egress: bool, existing: &[&AclEntry], rows: &[Row]) -> Vec<Vec<(String, String)>> {
    let mut replaced = Vec::new();
    let mut created = Vec::new();
    for row in rows {
        let number = row.number.trim().parse::<u16>().ok();
        match existing.iter().find(|entry| Some(entry.rule_number) == number) {
            Some(entry) if row.is(entry) => {}
            Some(_) => replaced.push(row.params("ReplaceNetworkAclEntry", acl_id, egress)),
            None => created.push(row.params("CreateNetworkAclEntry", acl_id, egress)),
        }
    }
    let deleted = existing
        .iter()
        .filter(|entry| !rows.iter().any(|row| row.number.trim().parse::<u16>().ok() == Some(entry.rule_number)))
        .map(|entry| {
            vec![
                ("Action".to_string(), "DeleteNetworkAclEntry".to_string()),
                ("NetworkAclId".to_string(), acl_id.to_string()),
                ("RuleNumber".to_string(), entry.rule_number.to_string()),
                ("Egress".to_string(), egress.to_string()),
            ]
        });
    replaced.into_iter().chain(created).chain(deleted).collect()
}

async fn edit(
    State(state): State<ConsoleState>,
    session: Session,
    Path((id, which)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let form = Fields::parse(&body);
    let view = View::new(&state, session.clone());
    let (Some(acl), Some(egress)) = (view.region().network_acls.get(id.as_str()).cloned(), direction_of(&which)) else {
        return not_found(&view, "network ACL", &id);
    };
    let mut rows = rows_of(&form);
    let op = form.get("op");
    if op == "add" {
        // The AWS console proposes the next hundred above the highest number.
        let next = rows
            .iter()
            .filter_map(|row| row.number.trim().parse::<u32>().ok())
            .max()
            .map_or(100, |n| (n / 100 + 1) * 100);
        rows.push(Row {
            number: next.to_string(),
            kind: "all-traffic".into(),
            cidr: "0.0.0.0/0".into(),
            action: "allow".into(),
            ..Row::default()
        });
        return editor(&view, &acl, egress, &rows, None);
    }
    if let Some(n) = op.strip_prefix("delete-").and_then(|n| n.parse::<usize>().ok()) {
        if n < rows.len() {
            rows.remove(n);
        }
        return editor(&view, &acl, egress, &rows, None);
    }
    let existing: Vec<&AclEntry> =
        entries(&acl, egress).filter(|entry| entry.rule_number != FINAL_RULE_NUMBER).collect();
    for params in calls(&acl.id, egress, &existing, &rows) {
        if let Err(refusal) = ec2::run(&state, &session, &traffic::borrowed(&params)).await {
            let view = View::new(&state, session);
            let Some(acl) = view.region().network_acls.get(id.as_str()) else {
                return not_found(&view, "network ACL", &id);
            };
            return editor(&view, acl, egress, &rows, Some(&refusal));
        }
    }
    let done =
        format!("You have successfully updated the {} rules of {id}.", if egress { "outbound" } else { "inbound" });
    let tab = if egress { "outbound" } else { "inbound" };
    Redirect::to(&format!("{}?tab={tab}&done={}", href(&id), encode(&done))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(
        number: u16,
        protocol: &str,
        ports: Option<(u16, u16)>,
        icmp: Option<(i32, i32)>,
        allow: bool,
    ) -> AclEntry {
        AclEntry {
            rule_number: number,
            protocol: protocol.into(),
            allow,
            egress: false,
            cidr_block: "0.0.0.0/0".parse().unwrap(),
            port_range: ports,
            icmp_type_code: icmp,
        }
    }

    #[test]
    fn rows_of_entries_round_trip_and_the_difference_is_by_rule_number() {
        let all = entry(100, "-1", None, None, true);
        let ssh = entry(110, "6", Some((22, 22)), None, true);
        let ping = entry(120, "1", None, Some((8, -1)), false);
        for stored in [&all, &ssh, &ping] {
            assert!(Row::of(stored).is(stored), "{stored:?}");
        }
        let mut changed = Row::of(&ssh);
        changed.action = "deny".into();
        let new = Row {
            number: "90".into(),
            kind: "all-icmp".into(),
            cidr: "0.0.0.0/0".into(),
            action: "deny".into(),
            ..Row::default()
        };
        let calls = calls("acl-1", false, &[&all, &ssh, &ping], &[new, Row::of(&all), changed]);
        let actions: Vec<(String, String)> = calls
            .iter()
            .map(|params| (params[0].1.clone(), params.iter().find(|(k, _)| k == "RuleNumber").unwrap().1.clone()))
            .collect();
        let expected =
            [("ReplaceNetworkAclEntry", "110"), ("CreateNetworkAclEntry", "90"), ("DeleteNetworkAclEntry", "120")];
        assert_eq!(actions, expected.map(|(a, n)| (a.to_string(), n.to_string())));
        let create = &calls[1];
        assert!(create.contains(&("Protocol".into(), "1".into())));
        assert!(create.contains(&("Icmp.Type".into(), "-1".into())));
    }
}
