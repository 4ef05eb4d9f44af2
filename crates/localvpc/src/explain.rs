//! `localvpc explain SRC DST` and `exec --explain`: a packet's path hop by hop, and for a blocked path *every* setting
//! that blocks it, each with its fix.
//!
//! Two answers are combined: the probe (where the packet really goes, stopping at the first drop) and the explain
//! walk (which assumes each fix in turn, so it lists all blocking settings at once). Both come from the server; this
//! module only lays them out.

use std::fmt::Write as _;

use crate::cli::{ExplainArgs, ProbeProtocol};
use crate::client::{Client, DnsStatus, Finding, Hop, Leg, ProbeResult, Protocol, Verdict};
use crate::tools::Printed;

/// Runs `localvpc explain`: the text, or the server's JSON with `--json`. Exit status 0 when reachable, 1 otherwise.
pub fn run(client: &Client, args: &ExplainArgs) -> anyhow::Result<Printed> {
    let protocol = match args.protocol {
        ProbeProtocol::Icmp => Protocol::Icmp,
        ProbeProtocol::Tcp => Protocol::Tcp(args.port.unwrap_or(22)),
        ProbeProtocol::Udp => Protocol::Udp(args.port.unwrap_or(33434)),
    };
    let explained_json = client.explain_json(&args.source, &args.destination, protocol)?;
    let explained: ProbeResult = serde_json::from_value(explained_json.clone())?;
    let status = u8::from(explained.verdict != Verdict::Reachable);
    if args.json {
        return Ok(Printed::out(format!("{}\n", serde_json::to_string_pretty(&explained_json)?), status));
    }
    let probe = client.probe(&args.source, &args.destination, protocol)?;
    Ok(Printed::out(render(&args.source, &args.destination, protocol, &probe, &explained), status))
}

/// The explanation of one probe: `probe` gives the real path, `explained` every blocking setting.
pub fn render(from: &str, to: &str, protocol: Protocol, probe: &ProbeResult, explained: &ProbeResult) -> String {
    let mut out = String::new();
    let target = match probe.address {
        Some(address) if address.to_string() != to => format!("{to} ({address})"),
        _ => to.to_string(),
    };
    let _ = writeln!(
        out,
        "explain: from {from} to {target}, {}: {}",
        describe(protocol),
        verdict(explained.verdict, protocol)
    );
    if explained.verdict == Verdict::Unresolved {
        let status = match probe.resolution.as_ref().map(|resolution| resolution.status) {
            Some(DnsStatus::Timeout) => "the resolver does not answer (the VPC has enableDnsSupport off)",
            _ => "NXDOMAIN",
        };
        let _ = writeln!(out, "  {to} does not resolve from {from}: {status}; nothing is sent.");
        return out;
    }
    if let Some(forward) = &probe.forward {
        let _ = writeln!(out, "\nrequest path:");
        leg(&mut out, forward);
    }
    match &probe.reply {
        Some(reply) => {
            let _ = writeln!(out, "\nreply path:");
            leg(&mut out, reply);
        }
        None => {
            let _ = writeln!(out, "\nreply path: none (the request never arrived)");
        }
    }
    out.push('\n');
    match (explained.verdict, protocol) {
        (Verdict::Reachable, _) => {
            let _ = writeln!(out, "Nothing blocks this path.");
        }
        (Verdict::Refused, Protocol::Tcp(port)) => {
            let _ = writeln!(out, "Every setting allows the connection, but nothing listens on port {port}.");
            let _ = writeln!(
                out,
                "  fix: start a service on port {port} (add {port} to the instance's `localvpc:listen` tag, e.g. `22,{port}`)"
            );
        }
        _ if explained.findings.is_empty() && withheld(explained) => {
            let _ = writeln!(
                out,
                "The packet is dropped inside another account: localvpc shows the inside of your own resources only."
            );
        }
        _ if explained.findings.is_empty() => {
            let _ = writeln!(out, "The packet is dropped, but the server named no blocking setting.");
        }
        _ => findings(&mut out, &explained.findings),
    }
    out
}

fn findings(out: &mut String, findings: &[Finding]) {
    let count = findings.len();
    let _ = if count == 1 {
        writeln!(out, "1 setting blocks this path:")
    } else {
        writeln!(out, "{count} settings block this path (fix every one):")
    };
    for (index, finding) in findings.iter().enumerate() {
        let _ = writeln!(out, "  {}. {} at {}", index + 1, finding.code, finding.label());
        let _ = writeln!(out, "     {}", finding.detail);
        let _ = writeln!(out, "     fix: {}", finding.fix);
    }
}

fn leg(out: &mut String, leg: &Leg) {
    let kind_width = leg.hops.iter().map(|hop| hop.kind.len()).max().unwrap_or(0);
    let labels: Vec<String> = leg.hops.iter().map(Hop::label).collect();
    let id_width = labels.iter().map(String::len).max().unwrap_or(0);
    for (index, (hop, label)) in leg.hops.iter().zip(&labels).enumerate() {
        let _ = writeln!(out, "  {:>2}  {:kind_width$}  {label:id_width$}  {}", index + 1, hop.kind, hop.detail);
    }
    for finding in &leg.findings {
        let _ = writeln!(out, "   x  dropped at {}: {}", finding.label(), finding.detail);
    }
}

/// Part of the path lies in another account, which the server does not show.
fn withheld(result: &ProbeResult) -> bool {
    result.forward.iter().chain(result.reply.iter()).any(|leg| leg.withheld)
}

fn describe(protocol: Protocol) -> String {
    match protocol {
        Protocol::Icmp => "icmp echo".to_string(),
        Protocol::Tcp(port) => format!("tcp port {port}"),
        Protocol::Udp(port) => format!("udp port {port}"),
    }
}

fn verdict(verdict: Verdict, protocol: Protocol) -> String {
    match (verdict, protocol) {
        (Verdict::Reachable, _) => "reachable".to_string(),
        (Verdict::Refused, Protocol::Tcp(port)) => {
            format!("refused (a TCP reset comes back: nothing listens on {port})")
        }
        (Verdict::Refused, _) => "refused".to_string(),
        (Verdict::Dropped, _) => "dropped (nothing comes back: the tools time out)".to_string(),
        (Verdict::Unresolved, _) => "unresolved".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::fixtures;

    #[test]
    fn a_blocked_path_lists_every_setting_with_its_fix() {
        let probe = fixtures::dropped_at_route();
        let mut explained = probe.clone();
        explained.findings = vec![fixtures::no_route(), fixtures::no_ingress()];
        let text = render("i-a", "10.7.1.4", Protocol::Icmp, &probe, &explained);
        let expected = "\
explain: from i-a to 10.7.1.4, icmp echo: dropped (nothing comes back: the tools time out)

request path:
   1  network-interface      eni-a  10.6.1.4 sends icmp echo-request
   2  security-group-egress  sg-a   allowed by sgr-a
   3  network-acl-outbound   acl-a  rule 100 allow
   x  dropped at rtb-a: no route in rtb-a matches 10.7.1.4

reply path: none (the request never arrived)

2 settings block this path (fix every one):
  1. NO_ROUTE_TO_DESTINATION at rtb-a
     no route in rtb-a matches 10.7.1.4
     fix: add route 10.7.0.0/16 -> pcx-1 to rtb-a
  2. ENI_SG_RULES_MISMATCH at sg-b
     no inbound rule of sg-b allows icmp echo-request from 10.6.1.4
     fix: add an inbound rule to sg-b allowing icmp echo-request from 10.6.1.4/32
";
        assert_eq!(text, expected);
    }

    #[test]
    fn reachable_and_refused() {
        let probe = fixtures::reachable_over_peering();
        let text = render("i-a", "10.7.1.4", Protocol::Icmp, &probe, &probe);
        assert!(text.starts_with("explain: from i-a to 10.7.1.4, icmp echo: reachable\n\nrequest path:\n"));
        assert!(text.contains("vpc-peering-connection"));
        assert!(text.ends_with("Nothing blocks this path.\n"));
        let mut refused = probe.clone();
        refused.verdict = Verdict::Refused;
        let text = render("i-a", "10.7.1.4", Protocol::Tcp(23), &refused, &refused);
        assert!(text.contains("tcp port 23: refused"));
        assert!(text.contains("`localvpc:listen` tag, e.g. `22,23`"));
    }

    #[test]
    fn unresolved_names() {
        let probe = fixtures::unresolved(DnsStatus::NxDomain);
        let text = render("internet", "ip-10-7-1-4.ec2.internal", Protocol::Icmp, &probe, &probe);
        assert!(text.contains("does not resolve from internet: NXDOMAIN"));
    }
}
