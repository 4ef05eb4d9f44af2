//! Network Insights actions (the Reachability Analyzer): Create/Describe/Delete paths, Start/Describe/Delete
//! analyses. StartNetworkInsightsAnalysis runs the packet engine through [`analysis`] and stores what it finds.

mod analysis;

use std::net::Ipv4Addr;

use localvpc_model::filter::{matches, validate};
use localvpc_model::ids::IdKind;
use localvpc_model::network_insights::result::{
    AclRule, AnalysisResult, Component, Explanation, PacketHeader, PathComponent, PortRange, RouteTableRoute,
    SecurityGroupRule, TransitGatewayRouteTableRoute,
};
use localvpc_model::network_insights::{
    self, AnalysisWindow, CreatePath, NetworkInsightsAnalysis, NetworkInsightsPath, PathFilter, PathProtocol,
    StartAnalysis,
};
use localvpc_model::{Ec2Error, Timestamp, Tx, World};

use super::{select, Ctx};
use crate::params::Params;
use crate::xml::Xml;

type Result<T = ()> = std::result::Result<T, Ec2Error>;

// ---- parameters ----

fn address(params: &Params, key: &str) -> Result<Option<Ipv4Addr>> {
    params
        .get(key)
        .map(|value| {
            value.parse().map_err(|_| {
                Ec2Error::InvalidParameterValue(format!(
                    "Value ({value}) for parameter {key} is invalid. This is not a valid IPv4 address."
                ))
            })
        })
        .transpose()
}

fn port(params: &Params, key: &str) -> Result<Option<i32>> {
    match params.int(key)? {
        None => Ok(None),
        Some(value) if (0..=65535).contains(&value) => Ok(Some(value as i32)),
        Some(value) => Err(Ec2Error::InvalidParameterValue(format!(
            "Value ({value}) for parameter {key} is invalid. Ports are 0-65535."
        ))),
    }
}

fn port_range(params: &Params, key: &str) -> Result<Option<PortRange>> {
    let from = port(params, &format!("{key}.FromPort"))?;
    let to = port(params, &format!("{key}.ToPort"))?;
    if from.is_none() && to.is_none() {
        return Ok(None);
    }
    Ok(Some(PortRange { from: from.unwrap_or(0), to: to.unwrap_or(65535) }))
}

/// `FilterAtSource.*` / `FilterAtDestination.*` (`PathRequestFilter`).
fn path_filter(params: &Params, key: &str) -> Result<Option<PathFilter>> {
    let filter = PathFilter {
        source_address: address(params, &format!("{key}.SourceAddress"))?,
        source_port_range: port_range(params, &format!("{key}.SourcePortRange"))?,
        destination_address: address(params, &format!("{key}.DestinationAddress"))?,
        destination_port_range: port_range(params, &format!("{key}.DestinationPortRange"))?,
    };
    Ok((filter != PathFilter::default()).then_some(filter))
}

/// An ISO-8601 UTC time as botocore sends it (`2026-01-02T03:04:05Z`, optional fraction), or epoch seconds.
fn timestamp(params: &Params, key: &str) -> Result<Option<Timestamp>> {
    let Some(value) = params.get(key) else { return Ok(None) };
    parse_time(value).map(Some).ok_or_else(|| {
        Ec2Error::InvalidParameterValue(format!("Value ({value}) for parameter {key} is invalid. Expected a time."))
    })
}

fn parse_time(value: &str) -> Option<Timestamp> {
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds >= 0.0).then_some(Timestamp((seconds * 1000.0) as u64));
    }
    let value = value.trim_end_matches('Z').trim_end_matches("+00:00");
    let (date, time) = value.split_once('T')?;
    let mut date = date.split('-').map(str::parse::<i64>);
    let (year, month, day) = (date.next()?.ok()?, date.next()?.ok()?, date.next()?.ok()?);
    let (clock, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut clock = clock.split(':').map(str::parse::<i64>);
    let (hour, minute, second) = (clock.next()?.ok()?, clock.next()?.ok()?, clock.next()?.ok()?);
    let millis: i64 = format!("{fraction:0<3}").get(..3)?.parse().ok()?;
    // Days from the civil date (Howard Hinnant's algorithm), the inverse of `Timestamp::to_iso8601`.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    let millis = ((days * 86_400 + hour * 3600 + minute * 60 + second) * 1000) + millis;
    u64::try_from(millis).ok().map(Timestamp)
}

// ---- rendering ----

fn render_component(x: &mut Xml, tag: &str, component: &Component) {
    x.nested(tag, |x| {
        x.text("id", &component.id).text("arn", &component.arn).optional("name", component.name.as_deref());
    });
}

fn render_optional_component(x: &mut Xml, tag: &str, component: &Option<Component>) {
    if let Some(component) = component {
        render_component(x, tag, component);
    }
}

fn render_port_range(x: &mut Xml, tag: &str, range: &PortRange) {
    x.nested(tag, |x| {
        x.value("from", range.from).value("to", range.to);
    });
}

fn render_header(x: &mut Xml, tag: &str, header: &Option<PacketHeader>) {
    let Some(header) = header else { return };
    x.nested(tag, |x| {
        x.string_list("destinationAddressSet", &header.destination_addresses)
            .list("destinationPortRangeSet", &header.destination_port_ranges, |x, range| {
                x.value("from", range.from).value("to", range.to);
            })
            .text("protocol", &header.protocol)
            .string_list("sourceAddressSet", &header.source_addresses)
            .list("sourcePortRangeSet", &header.source_port_ranges, |x, range| {
                x.value("from", range.from).value("to", range.to);
            });
    });
}

fn render_acl_rule(x: &mut Xml, rule: &Option<AclRule>) {
    let Some(rule) = rule else { return };
    x.nested("aclRule", |x| {
        x.text("cidr", &rule.cidr).value("egress", rule.egress);
        if let Some(range) = &rule.port_range {
            render_port_range(x, "portRange", range);
        }
        x.text("protocol", &rule.protocol).text("ruleAction", &rule.rule_action).value("ruleNumber", rule.rule_number);
    });
}

fn render_route(x: &mut Xml, route: &Option<RouteTableRoute>) {
    let Some(route) = route else { return };
    x.nested("routeTableRoute", |x| {
        x.text("destinationCidr", &route.destination_cidr)
            .optional("gatewayId", route.gateway_id.as_deref())
            .optional("instanceId", route.instance_id.as_deref())
            .optional("natGatewayId", route.nat_gateway_id.as_deref())
            .optional("networkInterfaceId", route.network_interface_id.as_deref())
            .text("origin", &route.origin)
            .optional("vpcPeeringConnectionId", route.vpc_peering_connection_id.as_deref())
            .optional("transitGatewayId", route.transit_gateway_id.as_deref())
            .text("state", &route.state);
    });
}

fn render_transit_route(x: &mut Xml, route: &Option<TransitGatewayRouteTableRoute>) {
    let Some(route) = route else { return };
    x.nested("transitGatewayRouteTableRoute", |x| {
        x.text("destinationCidr", &route.destination_cidr)
            .text("state", &route.state)
            .text("routeOrigin", &route.route_origin)
            .optional("attachmentId", route.attachment_id.as_deref())
            .optional("resourceId", route.resource_id.as_deref())
            .optional("resourceType", route.resource_type.as_deref());
    });
}

fn render_group_rule(x: &mut Xml, rule: &Option<SecurityGroupRule>) {
    let Some(rule) = rule else { return };
    x.nested("securityGroupRule", |x| {
        x.optional("cidr", rule.cidr.as_deref())
            .text("direction", &rule.direction)
            .text("securityGroupId", &rule.security_group_id);
        if let Some(range) = &rule.port_range {
            render_port_range(x, "portRange", range);
        }
        x.text("protocol", &rule.protocol);
    });
}

fn render_path_component(x: &mut Xml, component: &PathComponent) {
    x.value("sequenceNumber", component.sequence_number);
    render_acl_rule(x, &component.acl_rule);
    render_optional_component(x, "attachedTo", &component.attached_to);
    render_component(x, "component", &component.component);
    render_optional_component(x, "destinationVpc", &component.destination_vpc);
    render_header(x, "outboundHeader", &component.outbound_header);
    render_header(x, "inboundHeader", &component.inbound_header);
    render_route(x, &component.route_table_route);
    render_group_rule(x, &component.security_group_rule);
    render_optional_component(x, "sourceVpc", &component.source_vpc);
    render_optional_component(x, "subnet", &component.subnet);
    render_optional_component(x, "vpc", &component.vpc);
    render_optional_component(x, "transitGateway", &component.transit_gateway);
    render_transit_route(x, &component.transit_gateway_route_table_route);
    x.optional("serviceName", component.service_name.as_deref());
    x.list("additionalDetailSet", [(); 0], |_, _| {}).list(
        "explanationSet",
        &component.explanations,
        render_explanation,
    );
}

fn render_explanation(x: &mut Xml, explanation: &Explanation) {
    render_optional_component(x, "acl", &explanation.acl);
    render_acl_rule(x, &explanation.acl_rule);
    x.optional("address", explanation.address.as_deref());
    render_optional_component(x, "attachedTo", &explanation.attached_to);
    if !explanation.cidrs.is_empty() {
        x.string_list("cidrSet", &explanation.cidrs);
    }
    render_optional_component(x, "component", &explanation.component);
    render_optional_component(x, "destinationVpc", &explanation.destination_vpc);
    x.optional("direction", explanation.direction.as_deref()).text("explanationCode", &explanation.explanation_code);
    render_optional_component(x, "internetGateway", &explanation.internet_gateway);
    render_optional_component(x, "natGateway", &explanation.nat_gateway);
    render_optional_component(x, "networkInterface", &explanation.network_interface);
    render_optional_component(x, "vpcPeeringConnection", &explanation.vpc_peering_connection);
    if !explanation.protocols.is_empty() {
        x.string_list("protocolSet", &explanation.protocols);
    }
    render_route(x, &explanation.route_table_route);
    render_optional_component(x, "routeTable", &explanation.route_table);
    if !explanation.security_groups.is_empty() {
        x.list("securityGroupSet", &explanation.security_groups, |x, group| {
            x.text("id", &group.id).text("arn", &group.arn).optional("name", group.name.as_deref());
        });
    }
    render_optional_component(x, "sourceVpc", &explanation.source_vpc);
    x.optional("state", explanation.state.as_deref());
    render_optional_component(x, "subnet", &explanation.subnet);
    render_optional_component(x, "vpc", &explanation.vpc);
    render_optional_component(x, "transitGateway", &explanation.transit_gateway);
    render_optional_component(x, "transitGatewayAttachment", &explanation.transit_gateway_attachment);
    render_transit_route(x, &explanation.transit_gateway_route_table_route);
    render_optional_component(x, "vpcEndpoint", &explanation.vpc_endpoint);
}

fn render_filter(x: &mut Xml, tag: &str, filter: &Option<PathFilter>) {
    let Some(filter) = filter else { return };
    let address = |address: Option<Ipv4Addr>| address.map(|address| address.to_string());
    x.nested(tag, |x| {
        x.optional("sourceAddress", address(filter.source_address).as_deref());
        if let Some(range) = &filter.source_port_range {
            x.nested("sourcePortRange", |x| {
                x.value("fromPort", range.from).value("toPort", range.to);
            });
        }
        x.optional("destinationAddress", address(filter.destination_address).as_deref());
        if let Some(range) = &filter.destination_port_range {
            x.nested("destinationPortRange", |x| {
                x.value("fromPort", range.from).value("toPort", range.to);
            });
        }
    });
}

fn render_path(x: &mut Xml, path: &NetworkInsightsPath) {
    let address = |address: Option<Ipv4Addr>| address.map(|address| address.to_string());
    x.text("networkInsightsPathId", &path.id)
        .text("networkInsightsPathArn", &path.arn)
        .text("createdDate", &path.created.to_iso8601())
        .text("source", &path.source)
        .optional("destination", path.destination.as_deref())
        .text("sourceArn", &path.source_arn)
        .optional("destinationArn", path.destination_arn.as_deref())
        .optional("sourceIp", address(path.source_ip).as_deref())
        .optional("destinationIp", address(path.destination_ip).as_deref())
        .text("protocol", path.protocol.as_str());
    if let Some(port) = path.destination_port {
        x.value("destinationPort", port);
    }
    render_filter(x, "filterAtSource", &path.filter_at_source);
    render_filter(x, "filterAtDestination", &path.filter_at_destination);
    x.tag_set(&path.tags);
}

fn render_analysis(x: &mut Xml, analysis: &NetworkInsightsAnalysis) {
    x.text("networkInsightsAnalysisId", &analysis.id)
        .text("networkInsightsAnalysisArn", &analysis.arn)
        .text("networkInsightsPathId", &analysis.path_id);
    for (tag, values) in [
        ("additionalAccountSet", &analysis.additional_accounts),
        ("filterInArnSet", &analysis.filter_in_arns),
        ("filterOutArnSet", &analysis.filter_out_arns),
    ] {
        if !values.is_empty() {
            x.string_list(tag, values);
        }
    }
    x.text("startDate", &analysis.start.to_iso8601()).text("status", analysis.status.as_str());
    if let Some(result) = &analysis.result {
        render_result(x, result);
    }
    x.tag_set(&analysis.tags);
}

fn render_result(x: &mut Xml, result: &AnalysisResult) {
    x.value("networkPathFound", result.network_path_found)
        .list("forwardPathComponentSet", &result.forward_path_components, render_path_component)
        .list("returnPathComponentSet", &result.return_path_components, render_path_component)
        .list("explanationSet", &result.explanations, render_explanation)
        .list("alternatePathHintSet", [(); 0], |_, _| {});
    if !result.suggested_accounts.is_empty() {
        x.string_list("suggestedAccountSet", &result.suggested_accounts);
    }
}

// ---- actions ----

pub(crate) fn create_network_insights_path(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let request = CreatePath {
        source: params.required("Source")?.to_string(),
        destination: params.get("Destination").map(str::to_string),
        source_ip: address(params, "SourceIp")?,
        destination_ip: address(params, "DestinationIp")?,
        protocol: PathProtocol::parse(params.required("Protocol")?)?,
        destination_port: port(params, "DestinationPort")?.map(|port| port as u16),
        filter_at_source: path_filter(params, "FilterAtSource")?,
        filter_at_destination: path_filter(params, "FilterAtDestination")?,
        client_token: params.get("ClientToken").map(str::to_string),
        tags: params.tag_specifications("network-insights-path")?,
    };
    let path = network_insights::create_path(tx, &ctx.scope, request)?;
    x.nested("networkInsightsPath", |x| render_path(x, &path));
    Ok(())
}

pub(crate) fn describe_network_insights_paths(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = params.list("NetworkInsightsPathId")?;
    let filters = params.filters()?;
    validate::<NetworkInsightsPath>(&filters)?;
    let page = params.page(1, 100)?;
    let region = world.region(&ctx.scope);
    let found = select(
        &region.network_insights_paths,
        &ids,
        IdKind::NetworkInsightsPath,
        Ec2Error::NetworkInsightsPathNotFound,
        &page,
        |path| matches(path, &filters),
    )?;
    x.list("networkInsightsPathSet", &found.items, |x, path| render_path(x, path));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn delete_network_insights_path(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let id = params.required("NetworkInsightsPathId")?;
    network_insights::delete_path(tx, &ctx.scope, id)?;
    x.text("networkInsightsPathId", id);
    Ok(())
}

pub(crate) fn start_network_insights_analysis(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let request = StartAnalysis {
        path_id: params.required("NetworkInsightsPathId")?.to_string(),
        filter_in_arns: params.list("FilterInArn")?,
        filter_out_arns: params.list("FilterOutArn")?,
        additional_accounts: params.list("AdditionalAccount")?,
        client_token: params.get("ClientToken").map(str::to_string),
        tags: params.tag_specifications("network-insights-analysis")?,
    };
    let (filter_in, filter_out) = (request.filter_in_arns.clone(), request.filter_out_arns.clone());
    let scope = &ctx.scope;
    let analysis = network_insights::start_analysis(tx, scope, request, |world, path| {
        analysis::analyse(world, scope, path, &filter_in, &filter_out)
    })?;
    x.nested("networkInsightsAnalysis", |x| render_analysis(x, &analysis.as_started()));
    Ok(())
}

pub(crate) fn describe_network_insights_analyses(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = params.list("NetworkInsightsAnalysisId")?;
    let window = AnalysisWindow {
        path_id: params.get("NetworkInsightsPathId").map(str::to_string),
        start: timestamp(params, "AnalysisStartTime")?,
        end: timestamp(params, "AnalysisEndTime")?,
    };
    let filters = params.filters()?;
    validate::<NetworkInsightsAnalysis>(&filters)?;
    let page = params.page(1, 100)?;
    let region = world.region(&ctx.scope);
    window.check(region)?;
    let found = select(
        &region.network_insights_analyses,
        &ids,
        IdKind::NetworkInsightsAnalysis,
        Ec2Error::NetworkInsightsAnalysisNotFound,
        &page,
        |analysis| window.contains(analysis) && matches(analysis, &filters),
    )?;
    x.list("networkInsightsAnalysisSet", &found.items, |x, analysis| render_analysis(x, analysis));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn delete_network_insights_analysis(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let id = params.required("NetworkInsightsAnalysisId")?;
    network_insights::delete_analysis(tx, &ctx.scope, id)?;
    x.text("networkInsightsAnalysisId", id);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_as_botocore_sends_them() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(Timestamp(0)));
        assert_eq!(parse_time("2026-01-02T03:04:05.123Z"), Some(Timestamp(1_767_323_045_123)));
        assert_eq!(parse_time("2000-02-29T00:00:00"), Some(Timestamp(951_782_400_000)));
        assert_eq!(parse_time("2026-01-02T03:04:05.5+00:00"), Some(Timestamp(1_767_323_045_500)));
        assert_eq!(parse_time("1767323045"), Some(Timestamp(1_767_323_045_000)));
        assert_eq!(parse_time("yesterday"), None);
    }
}
