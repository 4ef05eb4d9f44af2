//! The customer gateway configuration document (part 2 §15.3 `customerGatewayConfiguration`): the XML text AWS
//! hands out so the device can be set up — both tunnels' outside addresses, inside /30s, pre-shared keys and, for
//! BGP connections, both ASNs — in the shape of AWS's documented example (the EC2 API reference,
//! DescribeVpnConnections, "customer gateway configuration"). It is a value of the resource, not the wire format:
//! the API escapes it into `<customerGatewayConfiguration>` like any text. Every value in it is an address, a
//! number, an ID or a key of `[A-Za-z0-9._]`, so nothing needs escaping inside the document.

use std::fmt::Write;

use crate::cidr;
use crate::vpn_state::VpnState;
use crate::world::{RegionState, Timestamp};

use super::VpnConnection;

/// AWS's BGP hold time in the document's `<bgp>` sections.
const BGP_HOLD_TIME: u32 = 30;

/// The document for `connection` at `now`, or `None` once it is deleted (AWS stops handing it out).
pub fn customer_gateway_configuration(
    region: &RegionState,
    connection: &VpnConnection,
    now: Timestamp,
) -> Option<String> {
    if connection.state_at(now) == VpnState::Deleted {
        return None;
    }
    let customer_gateway = region.customer_gateways.get(connection.customer_gateway_id.as_str())?;
    let amazon_side_asn = connection
        .vpn_gateway_id
        .as_deref()
        .and_then(|id| region.vpn_gateways.get(id))
        .map_or(crate::vpn_gateway::DEFAULT_AMAZON_SIDE_ASN, |gateway| gateway.amazon_side_asn);
    let bgp = !connection.options.static_routes_only;
    let mut out = String::new();
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<vpn_connection id=\"{}\">\n  <customer_gateway_id>{}</customer_gateway_id>\n  \
         <vpn_gateway_id>{}</vpn_gateway_id>\n  <vpn_connection_type>ipsec.1</vpn_connection_type>\n",
        connection.id,
        connection.customer_gateway_id,
        connection.vpn_gateway_id.as_deref().unwrap_or_default()
    );
    for tunnel in &connection.tunnels {
        let aws_inside = cidr::nth_address(&tunnel.inside_cidr, 1);
        let customer_inside = cidr::nth_address(&tunnel.inside_cidr, 2);
        let end = |out: &mut String, name: &str, outside: String, inside: std::net::Ipv4Addr, asn: u64| {
            let _ = write!(
                out,
                "    <{name}>\n      <tunnel_outside_address>\n        <ip_address>{outside}</ip_address>\n      \
                 </tunnel_outside_address>\n      <tunnel_inside_address>\n        <ip_address>{inside}</ip_address>\n        \
                 <network_mask>255.255.255.252</network_mask>\n        <network_cidr>30</network_cidr>\n      \
                 </tunnel_inside_address>\n"
            );
            if bgp {
                let _ = write!(
                    out,
                    "      <bgp>\n        <asn>{asn}</asn>\n        <hold_time>{BGP_HOLD_TIME}</hold_time>\n      </bgp>\n"
                );
            }
            let _ = writeln!(out, "    </{name}>");
        };
        out.push_str("  <ipsec_tunnel>\n");
        end(
            &mut out,
            "customer_gateway",
            customer_gateway.ip_address.to_string(),
            customer_inside,
            customer_gateway.bgp_asn,
        );
        end(&mut out, "vpn_gateway", tunnel.outside_ip.to_string(), aws_inside, amazon_side_asn as u64);
        let phase1 = tunnel.settings.phase1_lifetime_seconds.unwrap_or(28_800);
        let phase2 = tunnel.settings.phase2_lifetime_seconds.unwrap_or(3_600);
        let _ = write!(
            out,
            "    <ike>\n      <authentication_protocol>sha1</authentication_protocol>\n      \
             <encryption_protocol>aes-128-cbc</encryption_protocol>\n      <lifetime>{phase1}</lifetime>\n      \
             <perfect_forward_secrecy>group2</perfect_forward_secrecy>\n      <mode>main</mode>\n      \
             <pre_shared_key>{}</pre_shared_key>\n    </ike>\n    <ipsec>\n      <protocol>esp</protocol>\n      \
             <authentication_protocol>hmac-sha1-96</authentication_protocol>\n      \
             <encryption_protocol>aes-128-cbc</encryption_protocol>\n      <lifetime>{phase2}</lifetime>\n      \
             <perfect_forward_secrecy>group2</perfect_forward_secrecy>\n      <mode>tunnel</mode>\n      \
             <clear_df_bit>true</clear_df_bit>\n      <fragmentation_before_encryption>true</fragmentation_before_encryption>\n      \
             <tcp_mss_adjustment>1379</tcp_mss_adjustment>\n      <dead_peer_detection>\n        <delay>10</delay>\n        \
             <retries>3</retries>\n      </dead_peer_detection>\n    </ipsec>\n  </ipsec_tunnel>\n",
            tunnel.pre_shared_key
        );
    }
    out.push_str("</vpn_connection>");
    Some(out)
}
