//! What the subnet, gateway, route table and peering pages share: a resource's "id | Name" label, the VPC picker
//! of the Region, the redirect with the green banner, a page answered 400 when it shows a refusal, and "Delete".

use axum::response::{IntoResponse, Redirect, Response};
use localvpc_model::{RegionState, Tags};
use maud::Markup;

use super::View;
use crate::ec2::Refusal;
use crate::layout;
use crate::session::Session;
use crate::ConsoleState;

/// A value, or the console's "–" where it has none (an IPv6-only subnet's IPv4 block, its interfaces' IPv4
/// addresses).
pub(crate) fn dash(value: Option<impl std::fmt::Display>) -> String {
    value.map_or_else(|| "–".to_string(), |value| value.to_string())
}

/// `id | Name` as the AWS console labels a resource in pickers and cross-references (`id` alone when unnamed).
pub(crate) fn label(id: &str, tags: &Tags) -> String {
    match tags.iter().find(|tag| tag.key == "Name") {
        Some(tag) => format!("{id} | {}", tag.value),
        None => id.to_string(),
    }
}

/// The label of a VPC of this Region (its ID alone when it is not here).
pub(crate) fn vpc_label(region: &RegionState, vpc_id: &str) -> String {
    region.vpcs.get(vpc_id).map_or_else(|| vpc_id.to_string(), |vpc| label(&vpc.id, &vpc.tags))
}

/// The VPC picker's options: every VPC of the Region, the default VPC first, then by name and ID.
pub(crate) fn vpc_options(region: &RegionState) -> Vec<(String, String)> {
    let mut vpcs: Vec<_> = region.vpcs.values().collect();
    vpcs.sort_by(|a, b| {
        (!a.is_default, layout::name_of(&a.tags), &a.id).cmp(&(!b.is_default, layout::name_of(&b.tags), &b.id))
    });
    vpcs.into_iter().map(|vpc| (vpc.id.clone(), label(&vpc.id, &vpc.tags))).collect()
}

/// A redirect to `path` with the green banner `text` (and `extra` query pairs).
pub(crate) fn done(path: &str, extra: &[(&str, &str)], text: &str) -> Response {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in extra {
        query.append_pair(key, value);
    }
    query.append_pair("done", text);
    Redirect::to(&format!("{path}?{}", query.finish())).into_response()
}

/// A whole page, answered 400 when it shows a refusal (the form comes back with AWS's error).
pub(crate) fn page(view: &View, current: &str, title: &str, body: Markup, refusal: Option<&Refusal>) -> Response {
    layout::form_page(&view.session, current, title, body, refusal)
}

/// Name tag parameters of a create action (`TagSpecification.1.*` for `resource_type`), none for an empty name.
pub(crate) fn name_tag<'a>(resource_type: &'a str, name: &'a str) -> Vec<(&'static str, &'a str)> {
    if name.is_empty() {
        return Vec::new();
    }
    vec![
        ("TagSpecification.1.ResourceType", resource_type),
        ("TagSpecification.1.Tag.1.Key", "Name"),
        ("TagSpecification.1.Tag.1.Value", name),
    ]
}

/// "Delete": the action, then back to the list with AWS's banner; when refused, the resource's page again with the
/// refusal (`again`), or the refusal on a page of its own when the resource is gone meanwhile.
pub(crate) async fn delete(
    state: &ConsoleState,
    session: Session,
    params: &[(&str, &str)],
    list: &str,
    title: &str,
    again: impl FnOnce(&View, &Refusal) -> Option<Response>,
) -> Response {
    let id = params.get(1).map_or("", |(_, id)| *id);
    match crate::ec2::run(state, &session, params).await {
        Ok(_) => Redirect::to(&format!("{list}?done=You+successfully+deleted+{id}.")).into_response(),
        Err(refusal) => {
            let view = View::new(state, session);
            again(&view, &refusal).unwrap_or_else(|| super::vpc::refused_page(&view, list, title, &refusal))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use localvpc_model::tags::Tag;

    #[test]
    fn label_is_id_and_name() {
        let named = Tags(vec![Tag { key: "Name".into(), value: "web".into() }]);
        assert_eq!(label("vpc-1", &named), "vpc-1 | web");
        assert_eq!(label("vpc-1", &Tags::default()), "vpc-1");
    }
}
