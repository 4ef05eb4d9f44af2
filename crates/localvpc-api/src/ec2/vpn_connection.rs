//! VPN connection actions (part 2 §15.3): Create, Describe, Delete, and Create/DeleteVpnConnectionRoute.

use localvpc_model::vpn_connection::{
    self, customer_gateway_configuration, CreateVpnConnection, TunnelOptionsRequest, TunnelSettings, VpnConnection,
    VpnOptions,
};
use localvpc_model::vpn_state::VpnState;
use localvpc_model::{Ec2Error, RegionState, Timestamp, Tx, World};

use super::{return_true, Ctx};
use crate::control::Control;
use crate::params::Params;
use crate::xml::Xml;

type Result = std::result::Result<(), Ec2Error>;

/// `<vpnConnection>` content in `state` (botocore `VpnConnection`).
fn render_vpn_connection(
    x: &mut Xml,
    connection: &VpnConnection,
    region: &RegionState,
    state: VpnState,
    now: Timestamp,
) {
    x.text("vpnConnectionId", &connection.id)
        .text("state", state.as_str())
        .optional("customerGatewayConfiguration", customer_gateway_configuration(region, connection, now).as_deref())
        .text("customerGatewayId", &connection.customer_gateway_id)
        .text("category", "VPN")
        .text("type", localvpc_model::customer_gateway::IPSEC_1)
        .optional("vpnGatewayId", connection.vpn_gateway_id.as_deref())
        .optional("transitGatewayId", connection.transit_gateway_id.as_deref())
        .text("gatewayAssociationState", VpnConnection::gateway_association_state(state));
    let options = &connection.options;
    x.nested("options", |x| {
        x.value("enableAcceleration", options.enable_acceleration)
            .value("staticRoutesOnly", options.static_routes_only)
            .value("localIpv4NetworkCidr", options.local_ipv4_network_cidr)
            .value("remoteIpv4NetworkCidr", options.remote_ipv4_network_cidr)
            .text("outsideIpAddressType", VpnOptions::OUTSIDE_IP_ADDRESS_TYPE)
            .text("tunnelInsideIpVersion", VpnOptions::TUNNEL_INSIDE_IP_VERSION)
            .list("tunnelOptionSet", &connection.tunnels, |x, tunnel| {
                let settings = &tunnel.settings;
                x.value("outsideIpAddress", tunnel.outside_ip)
                    .value("tunnelInsideCidr", tunnel.inside_cidr)
                    .text("preSharedKey", &tunnel.pre_shared_key);
                let numbers = [
                    ("phase1LifetimeSeconds", settings.phase1_lifetime_seconds),
                    ("phase2LifetimeSeconds", settings.phase2_lifetime_seconds),
                    ("rekeyMarginTimeSeconds", settings.rekey_margin_time_seconds),
                    ("rekeyFuzzPercentage", settings.rekey_fuzz_percentage),
                    ("replayWindowSize", settings.replay_window_size),
                    ("dpdTimeoutSeconds", settings.dpd_timeout_seconds),
                ];
                for (tag, value) in numbers {
                    if let Some(value) = value {
                        x.value(tag, value);
                    }
                }
                x.optional("dpdTimeoutAction", settings.dpd_timeout_action.as_deref())
                    .optional("startupAction", settings.startup_action.as_deref());
                let texts = [
                    ("phase1EncryptionAlgorithmSet", &settings.phase1_encryption_algorithms),
                    ("phase2EncryptionAlgorithmSet", &settings.phase2_encryption_algorithms),
                    ("phase1IntegrityAlgorithmSet", &settings.phase1_integrity_algorithms),
                    ("phase2IntegrityAlgorithmSet", &settings.phase2_integrity_algorithms),
                    ("ikeVersionSet", &settings.ike_versions),
                ];
                for (tag, values) in texts.into_iter().filter(|(_, values)| !values.is_empty()) {
                    x.list(tag, values, |x, value| {
                        x.text("value", value);
                    });
                }
                let numbers = [
                    ("phase1DHGroupNumberSet", &settings.phase1_dh_group_numbers),
                    ("phase2DHGroupNumberSet", &settings.phase2_dh_group_numbers),
                ];
                for (tag, values) in numbers.into_iter().filter(|(_, values)| !values.is_empty()) {
                    x.list(tag, values, |x, value| {
                        x.value("value", value);
                    });
                }
            });
    });
    x.list("routes", &connection.routes, |x, route| {
        x.value("destinationCidrBlock", route.destination).text("source", "Static").text("state", "available");
    });
    x.list("vgwTelemetry", connection.telemetry(region, state), |x, tunnel| {
        x.value("outsideIpAddress", tunnel.outside_ip)
            .text("status", tunnel.status())
            .text("lastStatusChange", &tunnel.last_status_change.to_iso8601())
            .text("statusMessage", &tunnel.status_message)
            .value("acceptedRouteCount", tunnel.accepted_route_count);
    });
    x.tag_set(&connection.tags);
}

/// `Prefix.N.Value` (the algorithm lists: botocore's `…RequestListValue` structures).
fn values(member: &Params, prefix: &str) -> std::result::Result<Vec<String>, Ec2Error> {
    let items = member.structs(prefix)?;
    items.iter().map(|item| item.required("Value").map(str::to_string)).collect()
}

/// `Prefix.N.Value` as integers (the Diffie-Hellman group lists).
fn numbers(member: &Params, prefix: &str) -> std::result::Result<Vec<i64>, Ec2Error> {
    let items = member.structs(prefix)?;
    items.iter().map(|item| item.int("Value")?.ok_or_else(|| Ec2Error::MissingParameter("Value".into()))).collect()
}

fn tunnel_options(member: &Params) -> std::result::Result<TunnelOptionsRequest, Ec2Error> {
    let text = |key: &str| member.get(key).map(str::to_string);
    Ok(TunnelOptionsRequest {
        tunnel_inside_cidr: text("TunnelInsideCidr"),
        pre_shared_key: text("PreSharedKey"),
        settings: TunnelSettings {
            phase1_lifetime_seconds: member.int("Phase1LifetimeSeconds")?,
            phase2_lifetime_seconds: member.int("Phase2LifetimeSeconds")?,
            rekey_margin_time_seconds: member.int("RekeyMarginTimeSeconds")?,
            rekey_fuzz_percentage: member.int("RekeyFuzzPercentage")?,
            replay_window_size: member.int("ReplayWindowSize")?,
            dpd_timeout_seconds: member.int("DPDTimeoutSeconds")?,
            dpd_timeout_action: text("DPDTimeoutAction"),
            startup_action: text("StartupAction"),
            phase1_encryption_algorithms: values(member, "Phase1EncryptionAlgorithm")?,
            phase2_encryption_algorithms: values(member, "Phase2EncryptionAlgorithm")?,
            phase1_integrity_algorithms: values(member, "Phase1IntegrityAlgorithm")?,
            phase2_integrity_algorithms: values(member, "Phase2IntegrityAlgorithm")?,
            phase1_dh_group_numbers: numbers(member, "Phase1DHGroupNumber")?,
            phase2_dh_group_numbers: numbers(member, "Phase2DHGroupNumber")?,
            ike_versions: values(member, "IKEVersion")?,
        },
    })
}

pub(crate) fn create_vpn_connection(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let text = |key: &str| params.get(key).map(str::to_string);
    let mut request = CreateVpnConnection {
        customer_gateway_id: params.required("CustomerGatewayId")?.to_string(),
        connection_type: params.required("Type")?.to_string(),
        vpn_gateway_id: text("VpnGatewayId"),
        transit_gateway_id: text("TransitGatewayId"),
        tags: params.tag_specifications("vpn-connection")?,
        ..Default::default()
    };
    let options = &mut request.options;
    options.static_routes_only = params.bool("Options.StaticRoutesOnly")?;
    options.local_ipv4_network_cidr = text("Options.LocalIpv4NetworkCidr");
    options.remote_ipv4_network_cidr = text("Options.RemoteIpv4NetworkCidr");
    options.tunnel_inside_ip_version = text("Options.TunnelInsideIpVersion");
    options.outside_ip_address_type = text("Options.OutsideIpAddressType");
    options.enable_acceleration = params.bool("Options.EnableAcceleration")?;
    options.tunnel_options =
        params.structs("Options.TunnelOptions")?.iter().map(tunnel_options).collect::<std::result::Result<_, _>>()?;
    let connection = vpn_connection::create(tx, &ctx.scope, request)?;
    let now = tx.now();
    let state = connection.state_in_create_answer(now);
    let region = tx.region(&ctx.scope);
    x.nested("vpnConnection", |x| render_vpn_connection(x, &connection, region, state, now));
    Ok(())
}

pub(crate) fn describe_vpn_connections(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let now = Control::now(world);
    let region = world.region(&ctx.scope);
    let ids = params.list("VpnConnectionId")?;
    let found = vpn_connection::describe(region, &ids, &params.filters()?, now)?;
    x.list("vpnConnectionSet", &found, |x, connection| {
        render_vpn_connection(x, connection, region, connection.state_at(now), now)
    });
    Ok(())
}

pub(crate) fn delete_vpn_connection(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    vpn_connection::delete(tx, &ctx.scope, params.required("VpnConnectionId")?)?;
    return_true(x);
    Ok(())
}

pub(crate) fn create_vpn_connection_route(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let destination = params.required("DestinationCidrBlock")?;
    vpn_connection::create_route(tx, &ctx.scope, params.required("VpnConnectionId")?, destination)?;
    return_true(x);
    Ok(())
}

pub(crate) fn delete_vpn_connection_route(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let destination = params.required("DestinationCidrBlock")?;
    vpn_connection::delete_route(tx, &ctx.scope, params.required("VpnConnectionId")?, destination)?;
    return_true(x);
    Ok(())
}
