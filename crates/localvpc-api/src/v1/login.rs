//! `/v1/login`: whether an SSH identity logs in to one of the caller's instances (`localvpc ssh -i KEY`), as sshd on
//! the instance decides from the key pair it was launched with. The client reads the private key and sends only its
//! public half. Another account's (or region's) instance is not found: a caller learns nothing of it.

use axum::extract::State;
use axum::response::Response;
use localvpc_model::key_pair::login;
use localvpc_model::Ec2Error;
use serde_json::json;

use super::{ok, text_field};
use crate::auth::Caller;
use crate::json_api::JsonBody;
use crate::json_error::JsonError;
use crate::AppState;

/// `POST /_localvpc/v1/login {"instance": "i-…", "public_key": "ssh-ed25519 AAAA…"}` →
/// `{"accepted": true}` or `{"accepted": false, "reason": "…"}`.
pub async fn login(
    State(control): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Response, JsonError> {
    control.sync().await?;
    let instance_id = text_field(&body, "instance")?;
    let offered = text_field(&body, "public_key")?;
    let world = control.snapshot();
    let region = world.region(&caller.scope);
    let instance =
        region.instances.get(instance_id).ok_or_else(|| Ec2Error::InstanceNotFound(vec![instance_id.to_string()]))?;
    Ok(ok(match login::check(region, instance, offered) {
        Ok(()) => json!({"accepted": true}),
        Err(refusal) => json!({"accepted": false, "reason": refusal.reason()}),
    }))
}
