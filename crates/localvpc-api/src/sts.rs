//! STS `GetCallerIdentity`, served on the same endpoint: the first thing people run against an endpoint.

use localvpc_model::Ec2Error;

use crate::auth::Caller;
use crate::xml::Xml;

/// STS's response namespace.
pub const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// Handles an STS action; only `GetCallerIdentity` exists here.
pub fn handle(action: &str, caller: &Caller) -> Result<String, Ec2Error> {
    if action != "GetCallerIdentity" {
        return Err(Ec2Error::InvalidAction(action.to_string()));
    }
    let mut x = Xml::new();
    x.text("Arn", &format!("arn:aws:iam::{}:root", caller.scope.account))
        .text("UserId", &caller.scope.account)
        .text("Account", &caller.scope.account);
    Ok(x.into_string())
}

/// STS wraps the result in `<{Action}Result>` and puts the request ID under `ResponseMetadata`.
pub fn envelope(action: &str, request_id: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{action}Response xmlns=\"{NAMESPACE}\"><{action}Result>{body}</{action}Result><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
    )
}

/// STS's error envelope (`<ErrorResponse>`, a client fault's `Type` is `Sender`) [O: aws-azure-login#251].
pub fn error_envelope(error: &Ec2Error, request_id: &str) -> String {
    let mut x = Xml::new();
    x.open("Error")
        .text("Type", "Sender")
        .text("Code", error.code())
        .text("Message", &error.to_string())
        .close("Error");
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\"{NAMESPACE}\">{}<RequestId>{request_id}</RequestId></ErrorResponse>",
        x.into_string()
    )
}
