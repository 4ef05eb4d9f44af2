//! "Launch instances", as the AWS console's launch wizard lays it out: Name and tags, Application and OS Images
//! (this Region's AMI catalog), Instance type, Key pair (login), Network settings (VPC, subnet, auto-assign public
//! IP, existing security groups) and the number of instances — one RunInstances.
//!
//! As the AWS console does, an explicit "Auto-assign public IP" choice makes the request describe the primary
//! interface (`NetworkInterface.1.*`: device index 0, the subnet, `AssociatePublicIpAddress`, the groups);
//! otherwise the subnet and groups are the top-level `SubnetId` and `SecurityGroupId.N`. The subnet select and the
//! group list show every VPC's entries; the script narrows them to the chosen VPC, and without it AWS refuses a
//! group or subnet of another VPC as it would.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use localvpc_model::image::{self, Image};
use localvpc_model::instance_type;
use maud::html;

use super::super::security_group::{encode, vpc_options};
use super::super::traffic::{self, Fields};
use super::super::View;
use crate::ec2::{self, Refusal};
use crate::layout;
use crate::session::Session;
use crate::ConsoleState;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new().route("/console/instances/launch", get(launch_form).post(launch))
}

/// The instance types the select offers (the AWS console lists these first; every one is in the type table).
const COMMON_TYPES: &[&str] = &[
    "t2.nano",
    "t2.micro",
    "t2.small",
    "t2.medium",
    "t3.nano",
    "t3.micro",
    "t3.small",
    "t3.medium",
    "t3.large",
    "t3a.micro",
    "t3a.small",
    "t4g.nano",
    "t4g.micro",
    "t4g.small",
    "m5.large",
    "m6i.large",
    "m7i.large",
    "c5.large",
    "c6i.large",
    "r5.large",
    "r6i.large",
];

/// The AWS console's default instance type.
const DEFAULT_TYPE: &str = "t3.micro";

/// The AWS console's default image: the newest Amazon Linux 2023 for x86_64.
fn default_image(images: &[Image]) -> String {
    images
        .iter()
        .filter(|image| image.name.starts_with("al2023-ami-") && image.architecture == "x86_64")
        .max_by_key(|image| image.creation_date)
        .map(|image| image.id.clone())
        .unwrap_or_default()
}

#[derive(Debug, Clone, Default)]
struct Values {
    name: String,
    image: String,
    instance_type: String,
    key_name: String,
    vpc: String,
    subnet: String,
    /// "" (the subnet's setting), `enable` or `disable`.
    auto_assign: String,
    groups: Vec<String>,
    count: String,
}

async fn launch_form(State(state): State<ConsoleState>, session: Session) -> Response {
    let view = View::load(&state, session).await;
    let images = image::catalog(&view.session.scope.region);
    let vpc = vpc_options(&view).into_iter().next().map(|(id, _)| id).unwrap_or_default();
    let values = Values {
        image: default_image(&images),
        instance_type: DEFAULT_TYPE.into(),
        vpc,
        count: "1".into(),
        ..Values::default()
    };
    page(&view, &values, None)
}

fn memory(mib: u64) -> String {
    if mib.is_multiple_of(1024) {
        format!("{} GiB", mib / 1024)
    } else {
        format!("{:.1} GiB", mib as f64 / 1024.0)
    }
}

fn page(view: &View, values: &Values, refusal: Option<&Refusal>) -> Response {
    let region = view.region();
    let mut images = image::catalog(&view.session.scope.region);
    images.sort_by(|a, b| {
        (a.name.starts_with("al2023-ami-"), a.creation_date)
            .cmp(&(b.name.starts_with("al2023-ami-"), b.creation_date))
            .reverse()
    });
    let types: Vec<(String, String)> = COMMON_TYPES
        .iter()
        .filter_map(|name| instance_type::find(name))
        .map(|t| {
            let label = format!(
                "{} · {} vCPU · {} Memory",
                t.name(),
                t.vcpu_info.default_v_cpus,
                memory(t.memory_info.size_in_mib)
            );
            (t.name().to_string(), label)
        })
        .collect();
    let mut keys: Vec<_> = region.key_pairs.values().map(|key| key.name.clone()).collect();
    keys.sort();
    let mut key_options = vec![(String::new(), "Proceed without a key pair (Not recommended)".to_string())];
    key_options.extend(keys.into_iter().map(|name| (name.clone(), name)));
    let vpcs = vpc_options(view);
    let default_vpc = region.vpcs.values().find(|vpc| vpc.is_default).map(|vpc| vpc.id.clone());
    let mut subnets: Vec<_> = region.subnets.values().collect();
    subnets.sort_by(|a, b| (&a.vpc_id, a.cidr_block).cmp(&(&b.vpc_id, b.cidr_block)));
    let mut groups: Vec<_> = region.security_groups.values().collect();
    groups.sort_by(|a, b| (&a.vpc_id, !a.is_default(), &a.name).cmp(&(&b.vpc_id, !b.is_default(), &b.name)));
    let auto_assign = [("", "Use subnet setting"), ("enable", "Enable"), ("disable", "Disable")];
    let body = html! {
        div class="crumbs" { a href="/console/instances" { "Instances" } " › Launch an instance" }
        div class="page-head" { h1 { "Launch an instance" } }
        (layout::refusal(refusal))
        form class="create launch" method="post" action="/console/instances/launch" {
            section class="panel" {
                h2 { "Name and tags" }
                (layout::text_field("name", "Name", &values.name, None))
            }
            section class="panel" {
                h2 { "Application and OS Images (Amazon Machine Image)" }
                div class="field" {
                    label for="image" { "Amazon Machine Image (AMI)" }
                    select id="image" name="image" {
                        @for image in &images {
                            option value=(image.id) selected[image.id == values.image] title=(image.description) {
                                (image.name) " (" (image.id) ", " (image.architecture) ")"
                            }
                        }
                    }
                    p class="hint" { "The AMI catalog of " (view.session.scope.region) "." }
                }
            }
            section class="panel" {
                h2 { "Instance type" }
                (layout::select_field("instance-type", "Instance type", &types, &values.instance_type))
            }
            section class="panel" {
                h2 { "Key pair (login)" }
                (layout::select_field("key-name", "Key pair name", &key_options, &values.key_name))
                p class="hint" { a href="/console/key-pairs/create" { "Create new key pair" } }
            }
            section class="panel" {
                h2 { "Network settings" }
                div class="field" {
                    label for="vpc" { "VPC" }
                    select id="vpc" name="vpc" data-vpc-picker {
                        @for (id, label) in &vpcs { option value=(id) selected[*id == values.vpc] { (label) } }
                    }
                }
                div class="field" {
                    label for="subnet" { "Subnet" }
                    select id="subnet" name="subnet" {
                        option value="" selected[values.subnet.is_empty()] data-vpc=[default_vpc.as_deref()] {
                            "No preference (Default subnet in any availability zone)"
                        }
                        @for subnet in &subnets {
                            @let name = layout::name_of(&subnet.tags);
                            option value=(subnet.id) selected[subnet.id == values.subnet] data-vpc=(subnet.vpc_id) {
                                (subnet.id) @if name != "–" { " (" (name) ")" } " · " (subnet.availability_zone) " · " (crate::pages::shared::dash(subnet.cidr_block))
                                " · auto-assign " @if subnet.map_public_ip_on_launch { "on" } @else { "off" }
                            }
                        }
                    }
                }
                div class="field" {
                    label for="auto-assign" { "Auto-assign public IP" }
                    select id="auto-assign" name="auto-assign" {
                        @for (value, label) in auto_assign { option value=(value) selected[value == values.auto_assign] { (label) } }
                    }
                }
                fieldset id="security-groups" {
                    legend { "Firewall (security groups) — Select existing security group" }
                    p class="hint" { "None selected: the VPC's default security group." }
                    @for group in &groups {
                        label class="choice" data-vpc=(group.vpc_id) {
                            input type="checkbox" id=(format!("sg-{}", group.id)) name="group" value=(group.id) checked[values.groups.contains(&group.id)];
                            (group.name) " " span class="mono" { (group.id) } " " span class="hint" { "VPC: " (group.vpc_id) }
                        }
                    }
                }
            }
            section class="panel" {
                h2 { "Summary" }
                div class="field" {
                    label for="count" { "Number of instances" }
                    input id="count" name="count" type="number" min="1" value=(values.count);
                }
                div class="form-actions" {
                    a class="button" href="/console/instances" { "Cancel" }
                    button class="primary" id="launch-instance" type="submit" { "Launch instance" }
                }
            }
        }
    };
    layout::form_page(&view.session, "/console/instances", "Launch an instance", body, refusal)
}

impl Values {
    fn from_form(form: &Fields) -> Values {
        Values {
            name: form.get("name").to_string(),
            image: form.get("image").to_string(),
            instance_type: form.get("instance-type").to_string(),
            key_name: form.get("key-name").to_string(),
            vpc: form.get("vpc").to_string(),
            subnet: form.get("subnet").to_string(),
            auto_assign: form.get("auto-assign").to_string(),
            groups: form.all("group"),
            count: form.get("count").trim().to_string(),
        }
    }

    /// RunInstances' parameters.
    fn params(&self) -> Vec<(String, String)> {
        let mut params: Vec<(String, String)> = Vec::new();
        let mut put = |key: &str, value: &str| params.push((key.to_string(), value.to_string()));
        let count = if self.count.is_empty() { "1" } else { &self.count };
        put("Action", "RunInstances");
        put("ImageId", &self.image);
        put("InstanceType", &self.instance_type);
        put("MinCount", count);
        put("MaxCount", count);
        if !self.key_name.is_empty() {
            put("KeyName", &self.key_name);
        }
        if !self.name.is_empty() {
            put("TagSpecification.1.ResourceType", "instance");
            put("TagSpecification.1.Tag.1.Key", "Name");
            put("TagSpecification.1.Tag.1.Value", &self.name);
        }
        match self.auto_assign.as_str() {
            "enable" | "disable" => {
                put("NetworkInterface.1.DeviceIndex", "0");
                if !self.subnet.is_empty() {
                    put("NetworkInterface.1.SubnetId", &self.subnet);
                }
                put(
                    "NetworkInterface.1.AssociatePublicIpAddress",
                    if self.auto_assign == "enable" { "true" } else { "false" },
                );
                for (n, group) in self.groups.iter().enumerate() {
                    put(&format!("NetworkInterface.1.SecurityGroupId.{}", n + 1), group);
                }
            }
            _ => {
                if !self.subnet.is_empty() {
                    put("SubnetId", &self.subnet);
                }
                for (n, group) in self.groups.iter().enumerate() {
                    put(&format!("SecurityGroupId.{}", n + 1), group);
                }
            }
        }
        params
    }
}

async fn launch(State(state): State<ConsoleState>, session: Session, body: Bytes) -> Response {
    let values = Values::from_form(&Fields::parse(&body));
    match ec2::run(&state, &session, &traffic::borrowed(&values.params())).await {
        Ok(answer) => {
            let id = answer.text("instanceId").unwrap_or_default();
            let done = format!("Successfully initiated launch of instance ({id})");
            Redirect::to(&format!("/console/instances?done={}", encode(&done))).into_response()
        }
        Err(refusal) => page(&View::new(&state, session), &values, Some(&refusal)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_image_is_the_newest_amazon_linux_2023_for_x86_64() {
        let images = image::catalog("us-east-1");
        let id = default_image(&images);
        let image = images.iter().find(|image| image.id == id).unwrap();
        assert!(image.name.starts_with("al2023-ami-2023.9"), "{}", image.name);
        assert_eq!(image.architecture, "x86_64");
        assert!(COMMON_TYPES.iter().all(|name| instance_type::find(name).is_some()));
    }

    #[test]
    fn an_explicit_auto_assign_choice_describes_the_primary_interface() {
        let values = Values {
            image: "ami-1".into(),
            instance_type: "t3.micro".into(),
            subnet: "subnet-1".into(),
            auto_assign: "enable".into(),
            groups: vec!["sg-1".into(), "sg-2".into()],
            ..Values::default()
        };
        let params = values.params();
        let get = |key: &str| params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        assert_eq!(get("NetworkInterface.1.DeviceIndex"), Some("0"));
        assert_eq!(get("NetworkInterface.1.SubnetId"), Some("subnet-1"));
        assert_eq!(get("NetworkInterface.1.AssociatePublicIpAddress"), Some("true"));
        assert_eq!(get("NetworkInterface.1.SecurityGroupId.2"), Some("sg-2"));
        assert_eq!((get("SubnetId"), get("SecurityGroupId.1")), (None, None));
        let plain = Values { auto_assign: String::new(), ..values }.params();
        assert!(plain.iter().any(|(k, v)| k == "SubnetId" && v == "subnet-1"));
        assert!(!plain.iter().any(|(k, _)| k.starts_with("NetworkInterface")));
    }
}
