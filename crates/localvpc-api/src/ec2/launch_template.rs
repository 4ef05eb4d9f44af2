//! Launch template actions: CreateLaunchTemplate, CreateLaunchTemplateVersion, DescribeLaunchTemplates,
//! DescribeLaunchTemplateVersions, ModifyLaunchTemplate, DeleteLaunchTemplate, DeleteLaunchTemplateVersions. The
//! template data is rendered from its stored request shape by `launch_template/render.rs`.

mod render;

use localvpc_model::filter::{matches, paginate, validate};
use localvpc_model::launch_template::{
    self, CreateLaunchTemplate, DescribeVersions, LaunchTemplate, LaunchTemplateData, TemplateRef, VersionView,
};
use localvpc_model::{Ec2Error, LaunchTemplateError, Table, Tx, World};

use super::Ctx;
use crate::params::Params;
use crate::xml::Xml;

type Result<T = ()> = std::result::Result<T, Ec2Error>;

/// `LaunchTemplate`: the template without its data.
fn render_template(x: &mut Xml, template: &LaunchTemplate) {
    x.text("launchTemplateId", &template.id)
        .text("launchTemplateName", &template.name)
        .text("createTime", &template.create_time.to_iso8601())
        .text("createdBy", &template.created_by)
        .value("defaultVersionNumber", template.default_version)
        .value("latestVersionNumber", template.latest_version);
    x.tag_set_if_any(&template.tags);
}

/// `LaunchTemplateVersion`: one version with its data.
fn render_version(x: &mut Xml, view: &VersionView) {
    let version = view.version();
    x.text("launchTemplateId", &view.template.id)
        .text("launchTemplateName", &view.template.name)
        .value("versionNumber", version.number)
        .optional("versionDescription", version.description.as_deref())
        .text("createTime", &version.create_time.to_iso8601())
        .text("createdBy", &view.template.created_by)
        .value("defaultVersion", view.template.default_version == version.number);
    render::render_data(x, &version.data);
}

/// `LaunchTemplateData.*`, without the prefix.
fn template_data(params: &Params) -> LaunchTemplateData {
    LaunchTemplateData(params.under("LaunchTemplateData"))
}

/// `LaunchTemplateId` / `LaunchTemplateName`: exactly one.
fn template_ref(params: &Params) -> Result<TemplateRef> {
    let text = |key: &str| params.get(key).map(str::to_string);
    TemplateRef::from_parameters(text("LaunchTemplateId"), text("LaunchTemplateName"))
}

pub(crate) fn create_launch_template(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let request = CreateLaunchTemplate {
        name: params.required("LaunchTemplateName")?.to_string(),
        version_description: params.get("VersionDescription").map(str::to_string),
        data: template_data(params),
        tags: params.tag_specifications("launch-template")?,
    };
    let template = launch_template::create_launch_template(tx, &ctx.scope, request)?;
    x.nested("launchTemplate", |x| render_template(x, &template));
    Ok(())
}

pub(crate) fn create_launch_template_version(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let reference = template_ref(params)?;
    let view = launch_template::create_launch_template_version(
        tx,
        &ctx.scope,
        &reference,
        params.get("SourceVersion"),
        params.get("VersionDescription").map(str::to_string),
        template_data(params),
    )?;
    x.nested("launchTemplateVersion", |x| render_version(x, &view));
    Ok(())
}

pub(crate) fn describe_launch_templates(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = params.list("LaunchTemplateId")?;
    let names = params.list("LaunchTemplateName")?;
    let filters = params.filters()?;
    validate::<LaunchTemplate>(&filters)?;
    let page = params.page(1, 200)?;
    let region = world.region(&ctx.scope);
    let found = if names.is_empty() && ids.is_empty() {
        paginate(&region.launch_templates, &page, |template| matches(template, &filters))?
    } else {
        // Named templates answer in request order (the position is the paging key), IDs first; a missing ID is
        // named, any missing name is one error, as AWS answers.
        let mut named: Table<LaunchTemplate> = Table::new();
        for id in &ids {
            let template = launch_template::find(region, &TemplateRef::Id(id.clone()))?;
            named.insert(format!("{:010}", named.len()).into(), template);
        }
        for name in &names {
            let template =
                launch_template::find_by_name(region, name).ok_or(LaunchTemplateError::LaunchTemplatesNotFound)?;
            named.insert(format!("{:010}", named.len()).into(), template.clone());
        }
        paginate(&named, &page, |template| matches(template, &filters))?
    };
    x.list("launchTemplates", &found.items, |x, template| render_template(x, template));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn describe_launch_template_versions(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let text = |key: &str| params.get(key).map(str::to_string);
    let template = match (text("LaunchTemplateId"), text("LaunchTemplateName")) {
        (None, None) => None,
        (id, name) => Some(TemplateRef::from_parameters(id, name)?),
    };
    let version_bound = |key: &str| -> Result<Option<u64>> {
        match params.get(key) {
            None => Ok(None),
            Some(text) => text
                .parse()
                .map(Some)
                .map_err(|_| LaunchTemplateError::LaunchTemplateVersionInvalid(text.into()).into()),
        }
    };
    let request = DescribeVersions {
        template,
        versions: params.list("LaunchTemplateVersion")?,
        min_version: version_bound("MinVersion")?,
        max_version: version_bound("MaxVersion")?,
    };
    let filters = params.filters()?;
    validate::<VersionView>(&filters)?;
    let page = params.page(1, 200)?;
    let views = launch_template::versions_to_describe(world.region(&ctx.scope), &request)?;
    // Paged in list order: the key is the position, as the versions of several templates share numbers.
    let table: Table<VersionView> =
        views.into_iter().enumerate().map(|(i, view)| (format!("{i:010}"), std::sync::Arc::new(view))).collect();
    let found = paginate(&table, &page, |view| matches(view, &filters))?;
    x.list("launchTemplateVersionSet", &found.items, |x, view| render_version(x, view));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn modify_launch_template(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let reference = template_ref(params)?;
    let template =
        launch_template::modify_launch_template(tx, &ctx.scope, &reference, params.get("SetDefaultVersion"))?;
    x.nested("launchTemplate", |x| render_template(x, &template));
    Ok(())
}

pub(crate) fn delete_launch_template(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let reference = template_ref(params)?;
    let template = launch_template::delete_launch_template(tx, &ctx.scope, &reference)?;
    x.nested("launchTemplate", |x| render_template(x, &template));
    Ok(())
}

pub(crate) fn delete_launch_template_versions(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let reference = template_ref(params)?;
    let versions = params.list("LaunchTemplateVersion")?;
    let (template, deleted, refused) =
        launch_template::delete_launch_template_versions(tx, &ctx.scope, &reference, &versions)?;
    x.list("successfullyDeletedLaunchTemplateVersionSet", deleted, |x, number| {
        x.text("launchTemplateId", &template.id)
            .text("launchTemplateName", &template.name)
            .value("versionNumber", number);
    });
    x.list("unsuccessfullyDeletedLaunchTemplateVersionSet", &refused, |x, refusal| {
        x.text("launchTemplateId", &template.id).text("launchTemplateName", &template.name);
        if let Ok(number) = refusal.version.parse::<u64>() {
            x.value("versionNumber", number);
        }
        x.nested("responseError", |x| {
            x.text("code", refusal.code).text("message", &refusal.message);
        });
    });
    Ok(())
}
