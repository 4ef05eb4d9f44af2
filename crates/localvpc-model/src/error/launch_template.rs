//! The refusals of the launch-template actions (EC2 API reference: CreateLaunchTemplate and the actions after it):
//! one family of [`super::Ec2Error`], kept in its own enum so the error table stays readable. Each variant's message
//! is its `#[error]` text; [`LaunchTemplateError::code`] gives AWS's code (the HTTP status is 400 for all).

use thiserror::Error;

/// A launch-template action's refusal; reaches the client as `Ec2Error::LaunchTemplate`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LaunchTemplateError {
    /// CreateLaunchTemplate with a name in use [O: moto's AWS-verified test].
    #[error("Launch template name already in use.")]
    LaunchTemplateNameAlreadyExists,
    /// A name outside AWS's rule. ASSUMPTION (text [I]; the code is AWS's).
    #[error("A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.")]
    LaunchTemplateNameMalformed,
    /// An unknown template ID [O: moto's AWS-verified test].
    #[error("The specified launch template, with template ID {0}, does not exist.")]
    LaunchTemplateIdNotFound(String),
    /// An unknown template name [O: moto's AWS-verified test].
    #[error("The specified launch template, with template name {0}, does not exist.")]
    LaunchTemplateNameNotFound(String),
    /// DescribeLaunchTemplates naming a template that does not exist [O: moto's AWS-verified test].
    #[error("At least one of the launch templates specified in the request does not exist.")]
    LaunchTemplatesNotFound,
    /// Both `LaunchTemplateId` and `LaunchTemplateName` [O: moto's AWS-verified test of ModifyLaunchTemplate].
    #[error("Either provide launch template ID or launch template name to modify the template.")]
    LaunchTemplateIdAndName,
    /// A version of a template that does not exist [O: moto's AWS-verified test].
    #[error("Could not find the specified version {version} for the launch template with ID {template_id}.")]
    LaunchTemplateVersionNotFound {
        /// The version as asked for.
        version: String,
        /// The template.
        template_id: String,
    },
    /// ModifyLaunchTemplate to a version that does not exist [O: moto's AWS-verified test].
    #[error("The launch template version {0} is not found for the specified launch template.")]
    LaunchTemplateDefaultVersionNotFound(String),
    /// DescribeLaunchTemplateVersions naming neither a template nor versions [O: moto's AWS-verified test].
    #[error("{DESCRIBE_VERSIONS_USAGE}")]
    DescribeVersionsWithoutTemplate,
    /// DescribeLaunchTemplateVersions naming version numbers but no template [O: moto's AWS-verified test].
    #[error("{DESCRIBE_VERSIONS_USAGE}")]
    DescribeVersionNumbersWithoutTemplate,
    /// A version that is neither a number, `$Latest` nor `$Default`. ASSUMPTION (text [I]).
    #[error("The specified launch template version {0} is not valid. Specify a version number, $Latest or $Default.")]
    LaunchTemplateVersionInvalid(String),
}

/// AWS's text for a DescribeLaunchTemplateVersions that names no template and no alias version.
const DESCRIBE_VERSIONS_USAGE: &str = "To describe the launch template data for all your launch templates, for ‘--versions’ specify ‘$Latest’, ‘$Default’, or both, and omit ‘--launch-template-id’, ‘--launch-template-name’, and version numbers. To describe the launch template data for a specific launch template, specify ‘--launch-template-id’ or ‘--launch-template-name’, and for ‘--versions’ specify one or more of the following values: ‘$Latest’, ‘$Default’, or one or more version numbers.";

impl LaunchTemplateError {
    /// AWS's code for this refusal.
    pub fn code(&self) -> &'static str {
        use LaunchTemplateError::*;
        match self {
            LaunchTemplateNameAlreadyExists => "InvalidLaunchTemplateName.AlreadyExistsException",
            LaunchTemplateNameMalformed => "InvalidLaunchTemplateName.MalformedException",
            LaunchTemplateIdNotFound(_) => "InvalidLaunchTemplateId.NotFound",
            LaunchTemplateNameNotFound(_) | LaunchTemplatesNotFound => "InvalidLaunchTemplateName.NotFoundException",
            LaunchTemplateIdAndName => "InvalidParameterCombination",
            LaunchTemplateVersionNotFound { .. } | LaunchTemplateDefaultVersionNotFound(_) => {
                "InvalidLaunchTemplateId.VersionNotFound"
            }
            LaunchTemplateVersionInvalid(_) => "InvalidLaunchTemplateId.VersionNotFound",
            DescribeVersionsWithoutTemplate => "MissingParameter",
            DescribeVersionNumbersWithoutTemplate => "InvalidParameterValue",
        }
    }
}
