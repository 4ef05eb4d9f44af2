//! `localvpc vpn tunnel`: the admin switch of a VPN connection's tunnels. The server decides (the model's
//! `vpn_connection::set_tunnels`); this module sends the choice and prints the tunnels' telemetry as
//! DescribeVpnConnections now shows it, one line per tunnel.

use serde_json::Value;

use crate::cli::VpnCommand;
use crate::client::Client;
use crate::tools::Printed;

/// Runs a `localvpc vpn` command.
pub fn run(client: &Client, command: &VpnCommand) -> anyhow::Result<Printed> {
    match command {
        VpnCommand::Tunnel(args) => {
            let status = if args.down { "down" } else { "up" };
            let answer = client.vpn_tunnel(&args.vpn_connection_id, &args.tunnel, status)?;
            Ok(Printed::out(format(&answer), 0))
        }
    }
}

/// `vpn-…  tunnel 1  52.95.0.3  DOWN  IPSEC IS DOWN` per tunnel (an empty status message prints as `-`).
fn format(answer: &Value) -> String {
    let id = answer["vpnConnectionId"].as_str().unwrap_or("-");
    let mut out = String::new();
    for tunnel in answer["tunnels"].as_array().into_iter().flatten() {
        let message = tunnel["statusMessage"].as_str().filter(|message| !message.is_empty()).unwrap_or("-");
        out.push_str(&format!(
            "{id}  tunnel {}  {}  {}  {message}\n",
            tunnel["tunnel"],
            tunnel["outsideIpAddress"].as_str().unwrap_or("-"),
            tunnel["status"].as_str().unwrap_or("-"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn one_line_per_tunnel_with_its_status_and_message() {
        let answer = json!({"vpnConnectionId": "vpn-1", "tunnels": [
            {"tunnel": 1, "outsideIpAddress": "52.95.0.3", "status": "DOWN", "statusMessage": "IPSEC IS DOWN"},
            {"tunnel": 2, "outsideIpAddress": "52.95.0.4", "status": "UP", "statusMessage": ""},
        ]});
        assert_eq!(
            super::format(&answer),
            "vpn-1  tunnel 1  52.95.0.3  DOWN  IPSEC IS DOWN\nvpn-1  tunnel 2  52.95.0.4  UP  -\n"
        );
    }
}
