//! `/v1/vpn-tunnel`: the admin switch of a VPN connection's tunnels (`localvpc vpn tunnel`), not an AWS action.
//! Nothing real terminates a tunnel here, so they are `UP` while the connection is available; forcing one or both
//! `DOWN` lets a user test failover and watch BGP routes leave the route tables that propagate them. The rule is the
//! model's (`vpn_connection::set_tunnels`); another account's (or region's) connection is not found.

use axum::extract::State;
use axum::response::Response;
use localvpc_model::vpn_connection::{self, TunnelChoice};
use serde_json::json;

use super::{ok, text_field};
use crate::auth::Caller;
use crate::control::Control;
use crate::json_api::JsonBody;
use crate::json_error::JsonError;
use crate::AppState;

/// `POST /_localvpc/v1/vpn-tunnel {"vpn_connection": "vpn-…", "tunnel": "1" | "2" | "both", "status": "up" |
/// "down"}` → `{"vpnConnectionId": "vpn-…", "tunnels": [{"tunnel": 1, "outsideIpAddress", "status",
/// "statusMessage", "acceptedRouteCount"}, …]}`: the telemetry DescribeVpnConnections now shows.
pub async fn vpn_tunnel(
    State(control): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Response, JsonError> {
    let vpn_connection_id = text_field(&body, "vpn_connection")?.to_string();
    let which = match text_field(&body, "tunnel")? {
        "1" => TunnelChoice::One(1),
        "2" => TunnelChoice::One(2),
        "both" => TunnelChoice::Both,
        _ => return Err(JsonError::InvalidField { field: "tunnel", expected: "\"1\", \"2\" or \"both\"" }),
    };
    let up = match text_field(&body, "status")? {
        "up" => true,
        "down" => false,
        _ => return Err(JsonError::InvalidField { field: "status", expected: "\"up\" or \"down\"" }),
    };
    let scope = caller.scope.clone();
    control.mutate(|tx| vpn_connection::set_tunnels(tx, &scope, &vpn_connection_id, which, up)).await?;
    let world = control.snapshot();
    let now = Control::now(&world);
    let region = world.region(&caller.scope);
    let connection = vpn_connection::find(region, &vpn_connection_id, now)?;
    let tunnels: Vec<_> = connection
        .telemetry(region, connection.state_at(now))
        .iter()
        .enumerate()
        .map(|(index, tunnel)| {
            json!({
                "tunnel": index + 1,
                "outsideIpAddress": tunnel.outside_ip.to_string(),
                "status": tunnel.status(),
                "statusMessage": tunnel.status_message,
                "acceptedRouteCount": tunnel.accepted_route_count,
            })
        })
        .collect();
    Ok(ok(json!({ "vpnConnectionId": connection.id, "tunnels": tunnels })))
}
