//! Launch template rules on a real [`World`]: names, versions and their aliases, deleting versions, and how
//! RunInstances reads a template.

use super::*;
use crate::world::World;

fn scope() -> Scope {
    Scope::new("123456789012", "us-east-1")
}

fn data(pairs: &[(&str, &str)]) -> LaunchTemplateData {
    LaunchTemplateData(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

fn create(tx: &mut Tx, name: &str) -> Result<Arc<LaunchTemplate>> {
    let request = CreateLaunchTemplate {
        name: name.into(),
        data: data(&[("ImageId", "ami-11111111"), ("SecurityGroupId.1", "sg-11111111")]),
        ..Default::default()
    };
    create_launch_template(tx, &scope(), request)
}

#[test]
fn names_are_unique_and_follow_the_rule() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(1));
    let template = create(&mut tx, "web").unwrap();
    assert_eq!((template.default_version, template.latest_version), (1, 1));
    assert_eq!(create(&mut tx, "web").unwrap_err(), LaunchTemplateError::LaunchTemplateNameAlreadyExists.into());
    assert_eq!(create(&mut tx, "no").unwrap_err(), LaunchTemplateError::LaunchTemplateNameMalformed.into());
    assert_eq!(create(&mut tx, "a b c").unwrap_err(), LaunchTemplateError::LaunchTemplateNameMalformed.into());
    delete_launch_template(&mut tx, &scope(), &TemplateRef::Name("web".into())).unwrap();
    create(&mut tx, "web").unwrap();
}

#[test]
fn versions_inherit_from_their_source_and_the_default_moves_on_request() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(1));
    let template = create(&mut tx, "web").unwrap();
    let reference = TemplateRef::Id(template.id.clone());
    let change = data(&[("InstanceType", "t3.micro"), ("SecurityGroupId.1", "sg-22222222")]);
    let view = create_launch_template_version(&mut tx, &scope(), &reference, Some("1"), None, change).unwrap();
    assert_eq!(view.number, 2);
    let merged = &view.version().data;
    assert_eq!(merged.get("ImageId"), Some("ami-11111111"));
    assert_eq!(merged.get("SecurityGroupId.1"), Some("sg-22222222"));
    assert_eq!(view.template.default_version, 1);
    let error = modify_launch_template(&mut tx, &scope(), &reference, Some("3")).unwrap_err();
    assert_eq!(error.code(), "InvalidLaunchTemplateId.VersionNotFound");
    let template = modify_launch_template(&mut tx, &scope(), &reference, Some("2")).unwrap();
    assert_eq!(template.default_version, 2);
    let versions = vec!["1".to_string(), "2".to_string(), "7".to_string()];
    let (_, deleted, refused) = delete_launch_template_versions(&mut tx, &scope(), &reference, &versions).unwrap();
    assert_eq!(deleted, vec![1]);
    let codes: Vec<&str> = refused.iter().map(|refusal| refusal.code).collect();
    assert_eq!(codes, vec!["unexpectedError", "launchTemplateVersionDoesNotExist"]);
}

#[test]
fn a_launch_takes_the_template_and_the_request_wins() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(1));
    let template = create(&mut tx, "web").unwrap();
    let request: BTreeMap<String, String> =
        [("InstanceType", "t3.large"), ("LaunchTemplate.LaunchTemplateName", "web")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    let launch = launch_parameters(tx.region(&scope()), &TemplateRef::Name("web".into()), None, &request).unwrap();
    assert_eq!(launch.template_id, template.id);
    assert_eq!(launch.version, 1);
    assert_eq!(launch.parameters.get("ImageId").map(String::as_str), Some("ami-11111111"));
    assert_eq!(launch.parameters.get("InstanceType").map(String::as_str), Some("t3.large"));
    assert!(!launch.parameters.contains_key("LaunchTemplate.LaunchTemplateName"));
    let missing = launch_parameters(tx.region(&scope()), &TemplateRef::Name("db".into()), None, &request);
    assert_eq!(missing.unwrap_err().code(), "InvalidLaunchTemplateName.NotFoundException");
}
