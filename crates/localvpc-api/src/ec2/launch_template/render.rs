//! `launchTemplateData` (`ResponseLaunchTemplateData`) from the stored request shape: a flattened key such as
//! `NetworkInterface.1.SecurityGroupId.2` becomes `<networkInterfaceSet><item>…<groupSet><item>`. Members keep
//! their name in lower camel case; a list is `<name>Set` of `<item>`s, with the few list names botocore's
//! response shape spells otherwise.

use std::collections::BTreeMap;

use localvpc_model::launch_template::LaunchTemplateData;

use crate::xml::Xml;

/// The response name of a list member whose name is not `<lowerCamel>Set` (botocore's ResponseLaunchTemplateData).
const LIST_NAMES: &[(&str, &str)] = &[
    ("NetworkInterface.SecurityGroupId", "groupSet"),
    ("LicenseSpecification", "licenseSet"),
    ("SecondaryInterface.PrivateIpAddress", "privateIpAddressesSet"),
];

/// One level of the flattened keys: a value, or members by name, or list items by index.
#[derive(Debug, Default)]
struct Node<'a> {
    value: Option<&'a str>,
    members: BTreeMap<&'a str, Node<'a>>,
}

fn lower_camel(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

fn is_index(segment: &str) -> bool {
    !segment.is_empty() && segment.bytes().all(|byte| byte.is_ascii_digit())
}

/// `context` is the dotted path of member names without indexes (`NetworkInterface.SecurityGroupId`).
fn render_members(x: &mut Xml, node: &Node, context: &str) {
    for (name, child) in &node.members {
        let path = if context.is_empty() { name.to_string() } else { format!("{context}.{name}") };
        let is_list = !child.members.is_empty() && child.members.keys().all(|key| is_index(key));
        if is_list {
            let list_name = LIST_NAMES
                .iter()
                .find(|(member, _)| *member == path)
                .map(|(_, list)| list.to_string())
                .unwrap_or_else(|| format!("{}Set", lower_camel(name)));
            let mut items: Vec<(u64, &Node)> =
                child.members.iter().map(|(index, item)| (index.parse().unwrap_or(0), item)).collect();
            items.sort_by_key(|(index, _)| *index);
            x.list(&list_name, items, |x, (_, item)| match item.value {
                Some(value) if item.members.is_empty() => {
                    x.content(value);
                }
                _ => render_members(x, item, &path),
            });
        } else if let Some(value) = child.value.filter(|_| child.members.is_empty()) {
            x.text(&lower_camel(name), value);
        } else {
            x.nested(&lower_camel(name), |x| render_members(x, child, &path));
        }
    }
}

/// `<launchTemplateData>…</launchTemplateData>`.
pub(super) fn render_data(x: &mut Xml, data: &LaunchTemplateData) {
    let mut root = Node::default();
    for (key, value) in &data.0 {
        let mut node = &mut root;
        for segment in key.split('.') {
            node = node.members.entry(segment).or_default();
        }
        node.value = Some(value);
    }
    x.nested("launchTemplateData", |x| render_members(x, &root, ""));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_structures_and_values_take_the_response_names() {
        let data = LaunchTemplateData(
            [
                ("ImageId", "ami-1"),
                ("SecurityGroupId.1", "sg-1"),
                ("NetworkInterface.1.DeviceIndex", "0"),
                ("NetworkInterface.1.SecurityGroupId.1", "sg-2"),
                ("TagSpecification.1.ResourceType", "instance"),
                ("TagSpecification.1.Tag.1.Key", "a<b"),
                ("TagSpecification.1.Tag.1.Value", "v"),
                ("Monitoring.Enabled", "true"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        );
        let mut x = Xml::new();
        render_data(&mut x, &data);
        assert_eq!(
            x.as_str(),
            "<launchTemplateData><imageId>ami-1</imageId><monitoring><enabled>true</enabled></monitoring>\
             <networkInterfaceSet><item><deviceIndex>0</deviceIndex><groupSet><item>sg-2</item></groupSet></item>\
             </networkInterfaceSet><securityGroupIdSet><item>sg-1</item></securityGroupIdSet><tagSpecificationSet>\
             <item><resourceType>instance</resourceType><tagSet><item><key>a&lt;b</key><value>v</value></item>\
             </tagSet></item></tagSpecificationSet></launchTemplateData>"
        );
    }
}
