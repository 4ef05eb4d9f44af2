//! Flow log capture in the plan (part 2 §18.3): log statements only for the interfaces a flow log covers, accepted
//! packets after the groups' chains, refused ones before their drop, network ACL denies per covered interface, and
//! never the resolver's or the router's traffic.

use localvpc_model::flow_log::{self, CreateFlowLogs};

use super::*;
use crate::flow_capture::{prefix, Seen, GROUP};

impl Lab {
    fn flow_log(&mut self, resource_type: &str, resource_id: &str) {
        let request = CreateFlowLogs {
            resource_type: resource_type.into(),
            resource_ids: vec![resource_id.into()],
            traffic_type: Some("ALL".into()),
            destination_type: Some("s3".into()),
            log_destination: Some("arn:aws:s3:::flows".into()),
            ..Default::default()
        };
        self.tx(|tx, scope| flow_log::create(tx, scope, request));
    }

    fn eni_of(&self, instance_id: &str) -> String {
        self.world.region(&self.scope).instances[instance_id].network_interface_id.clone().unwrap()
    }
}

fn log_prefixes(firewall: &Firewall) -> Vec<String> {
    firewall
        .chains
        .iter()
        .flat_map(|chain| &chain.rules)
        .filter_map(|rule| match &rule.verdict {
            Verdict::Log { group, prefix } if *group == GROUP => Some(prefix.clone()),
            _ => None,
        })
        .collect()
}

/// One VPC, two subnets, an instance in each.
fn two_subnets() -> (Lab, String, [String; 2], [String; 2]) {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.50.0.0/16");
    let front = lab.subnet(&vpc, "10.50.1.0/24");
    let back = lab.subnet(&vpc, "10.50.2.0/24");
    let a = lab.instance(&front, "10.50.1.10");
    let b = lab.instance(&back, "10.50.2.10");
    (lab, vpc, [front, back], [a, b])
}

#[test]
fn a_world_without_flow_logs_has_no_log_statement() {
    let (lab, _, _, _) = two_subnets();
    let state = lab.plan();
    for (name, namespace) in &state.namespaces {
        assert_eq!(log_prefixes(&namespace.firewall), Vec::<String>::new(), "{name}");
        assert!(namespace.firewall.chains.iter().all(|chain| !chain.name.starts_with("flow_log")), "{name}");
    }
}

#[test]
fn a_subnet_flow_log_logs_only_its_interfaces_accepts_after_the_groups_and_refusals_before_the_drop() {
    let (mut lab, _, [front, _], [a, b]) = two_subnets();
    lab.flow_log("Subnet", &front);
    let state = lab.plan();
    let eni = lab.eni_of(&a);
    let table = &state.namespaces[&format!("lv-{a}")].firewall;
    let capture = table.chains.iter().find(|chain| chain.name == "flow_log_input").expect("an input capture chain");
    let hook = capture.hook.expect("a base chain");
    assert_eq!((hook.hook, hook.priority, hook.drop_by_default), ("input", 10, false));
    // Neighbour discovery and the resolver's IPv6 address pass unlogged first; then the interface's one family (it
    // has no IPv6 address).
    assert_eq!(capture.rules.len(), 4);
    assert_eq!(capture.rules[0], crate::plan::rules::neighbour_discovery(Verdict::Accept));
    let resolver: ipnet::IpNet = "fd00:ec2::253/128".parse().unwrap();
    assert_eq!(capture.rules[1].matches, [Match::Source(resolver)]);
    assert_eq!(capture.rules[2].matches, [Match::Destination(resolver)]);
    assert_eq!(capture.rules[3].verdict, Verdict::Log { group: GROUP, prefix: prefix(&eni, true, Seen::Accepted) });
    assert_eq!(capture.rules[3].matches[0], Match::InputInterface("eth0".into()));
    let input = table.chains.iter().find(|chain| chain.name == "input").unwrap();
    let last = input.rules.last().unwrap();
    assert_eq!(last.verdict, Verdict::Log { group: GROUP, prefix: prefix(&eni, true, Seen::Refused) });
    assert_eq!(log_prefixes(table).len(), 4, "accepted and refused, each direction");
    // B's subnet has no flow log: nothing logged there.
    assert_eq!(log_prefixes(&state.namespaces[&format!("lv-{b}")].firewall), Vec::<String>::new());
}

#[test]
fn the_resolver_metadata_and_the_router_are_never_captured() {
    let (mut lab, vpc, _, [a, _]) = two_subnets();
    lab.flow_log("VPC", &vpc);
    let state = lab.plan();
    let table = &state.namespaces[&format!("lv-{a}")].firewall;
    let output = table.chains.iter().find(|chain| chain.name == "flow_log_output").unwrap();
    let Match::DestinationNotIn(excluded) = &output.rules[3].matches[1] else { panic!("{:?}", output.rules[3]) };
    for address in ["10.50.0.2", "10.50.0.1", "10.50.1.1", "169.254.169.253", "169.254.169.254", "169.254.169.123"] {
        assert!(excluded.contains(&address.parse().unwrap()), "{address} in {excluded:?}");
    }
    let input = table.chains.iter().find(|chain| chain.name == "flow_log_input").unwrap();
    assert!(matches!(&input.rules[3].matches[1], Match::SourceNotIn(list) if list == excluded));
}

#[test]
fn a_network_acl_deny_is_logged_per_covered_interface_of_the_subnet_before_the_drop() {
    let (mut lab, vpc, [front, back], [_, b]) = two_subnets();
    lab.flow_log("Subnet", &back);
    let state = lab.plan();
    let router = &state.namespaces[&format!("lv-{vpc}")].firewall;
    let chain = |name: String| router.chains.iter().find(|chain| chain.name == name).unwrap();
    let eni = lab.eni_of(&b);
    // The default ACL: allow all, then its `*` deny and the chain's implicit one, B's capture before each deny.
    for (chain_name, ingress) in
        [(format!("in_{}", names::subnet_bridge(&back)), true), (format!("out_{}", names::subnet_bridge(&back)), false)]
    {
        let rules = &chain(chain_name).rules;
        assert_eq!(rules[0].verdict, Verdict::Return);
        let drops: Vec<usize> = (0..rules.len()).filter(|&at| rules[at].verdict == Verdict::Drop).collect();
        assert_eq!(rules.len(), 1 + 2 * drops.len(), "{rules:?}");
        let own = vec!["10.50.2.10".parse().unwrap()];
        for at in drops {
            let logged = &rules[at - 1];
            assert_eq!(logged.verdict, Verdict::Log { group: GROUP, prefix: prefix(&eni, ingress, Seen::AclDenied) });
            let mut expected = rules[at].matches.clone();
            expected.push(if ingress { Match::DestinationIn(own.clone()) } else { Match::SourceIn(own.clone()) });
            assert_eq!(logged.matches, expected);
        }
    }
    // The front subnet (no flow log) is unchanged.
    let front_rules = &chain(format!("in_{}", names::subnet_bridge(&front))).rules;
    assert!(front_rules.iter().all(|rule| !matches!(rule.verdict, Verdict::Log { .. })), "{front_rules:?}");
}

#[test]
fn a_nat_gateway_logs_what_it_forwards_arriving_before_conntrack_restores_answers_and_leaving_untranslated() {
    let (mut lab, vpc, nat, _) = super::nat::egress();
    let namespace = format!("lv-{nat}");
    assert_eq!(log_prefixes(&lab.plan().namespaces[&namespace].firewall), Vec::<String>::new(), "no flow log yet");
    let region = lab.world.region(&lab.scope);
    let eni = region.nat_gateways[nat.as_str()].addresses[0].network_interface_id.clone().unwrap();
    lab.flow_log("NetworkInterface", &eni);
    let state = lab.plan();
    let table = &state.namespaces[&namespace].firewall;
    let chain = |name: &str| table.chains.iter().find(|chain| chain.name == name).expect(name);
    // Arriving: tracked flows' packets before destination NAT (an answer still to the gateway's address).
    let prerouting = chain("flow_log_prerouting");
    let hook = prerouting.hook.unwrap();
    assert_eq!((hook.hook, hook.kind, hook.priority, hook.drop_by_default), ("prerouting", "filter", -150, false));
    let ingress = Verdict::Log { group: GROUP, prefix: prefix(&eni, true, Seen::Accepted) };
    assert_eq!(prerouting.rules.len(), 1, "{:?}", prerouting.rules);
    assert_eq!(prerouting.rules[0].verdict, ingress);
    assert_eq!(prerouting.rules[0].matches, [Match::InputInterface("eth0".into()), Match::Tracked]);
    // After the forward filter (drop by default at 0), before the source NAT at 100: a new flow's first packet
    // arriving (only what is forwarded: never one to the gateway, nor multicast), and everything leaving.
    let forward = chain("flow_log_forward");
    let hook = forward.hook.unwrap();
    assert_eq!((hook.hook, hook.priority, hook.drop_by_default), ("forward", 10, false));
    assert!(chain("forward").hook.unwrap().priority < hook.priority);
    assert!(hook.priority < chain("postrouting").hook.unwrap().priority);
    assert_eq!(forward.rules.len(), 2);
    assert_eq!(forward.rules[0].matches, [Match::InputInterface("eth0".into()), Match::Untracked]);
    assert_eq!(forward.rules[0].verdict, ingress);
    assert_eq!(forward.rules[1].matches, [Match::OutputInterface("eth0".into())]);
    assert_eq!(forward.rules[1].verdict, Verdict::Jump("flow_log_nat_egress".into()));
    // Judged by the gateway's subnet's outbound ACL (the default one: allow all, then its `*` deny and the implicit
    // one): an ACCEPT for what it allows, an ACL deny for what it denies, each returning; the router drops.
    let judged = &chain("flow_log_nat_egress").rules;
    let accepted = Verdict::Log { group: GROUP, prefix: prefix(&eni, false, Seen::Accepted) };
    let denied = Verdict::Log { group: GROUP, prefix: prefix(&eni, false, Seen::AclDenied) };
    let verdicts: Vec<&Verdict> = judged.iter().map(|rule| &rule.verdict).collect();
    assert_eq!(verdicts[..2], [&accepted, &Verdict::Return]);
    assert_eq!(verdicts[verdicts.len() - 2..], [&denied, &Verdict::Return]);
    assert!(judged.chunks(2).all(|pair| pair[0].matches == pair[1].matches), "{judged:?}");
    assert!(judged.iter().all(|rule| rule.verdict != Verdict::Drop));
    // The router logs nothing of it (what its subnet's ACL keeps from it, the engine never logs), nor does any
    // other namespace.
    let logging: Vec<&String> =
        state.namespaces.iter().filter(|(_, ns)| !log_prefixes(&ns.firewall).is_empty()).map(|(n, _)| n).collect();
    assert_eq!(logging, [&namespace], "{vpc}");
}

#[test]
fn an_interface_endpoint_interface_is_captured_as_an_instance_is() {
    let (mut lab, vpc, [front, _], _) = two_subnets();
    lab.tx(|tx, scope| {
        let request = localvpc_model::vpc_endpoint::CreateVpcEndpoint {
            kind: Some("Interface".into()),
            vpc_id: vpc.clone(),
            service_name: "com.amazonaws.us-east-1.sts".into(),
            subnet_ids: vec![front.clone()],
            private_dns_enabled: Some(false),
            ..Default::default()
        };
        Ok(localvpc_model::vpc_endpoint::create(tx, scope, request)?.clone())
    });
    let region = lab.world.region(&lab.scope);
    let eni = region.network_interfaces.values().find(|eni| eni.subnet_id == front && eni.attachment.is_none());
    let eni = eni.expect("the endpoint's interface").id.clone();
    let namespace = format!("lv-{eni}");
    assert_eq!(log_prefixes(&lab.plan().namespaces[&namespace].firewall), Vec::<String>::new(), "no flow log yet");
    lab.flow_log("Subnet", &front);
    let state = lab.plan();
    let mut logged = log_prefixes(&state.namespaces[&namespace].firewall);
    logged.sort();
    let mut expected: Vec<String> = [(true, Seen::Accepted), (true, Seen::Refused), (false, Seen::Accepted)]
        .into_iter()
        .chain([(false, Seen::Refused)])
        .map(|(ingress, seen)| prefix(&eni, ingress, seen))
        .collect();
    expected.sort();
    assert_eq!(logged, expected);
}

#[test]
fn a_transit_gateway_attachment_logs_at_its_interface_what_enters_the_gateway_and_what_leaves_it_or_its_acl_denies() {
    let (mut lab, _, _, [one, two], [attachment, _]) = super::transit::two_spokes();
    let region = lab.world.region(&lab.scope);
    let eni = region.network_interfaces.values().find(|eni| eni.vpc_id == one && eni.attachment.is_none());
    let eni = eni.expect("the attachment's interface").id.clone();
    let router = format!("lv-{one}");
    assert!(lab.plan().namespaces[&router].firewall.chains.iter().all(|chain| chain.name != "flow_log_transit"));
    lab.flow_log("NetworkInterface", &eni);
    let state = lab.plan();
    let table = &state.namespaces[&router].firewall;
    let chain = table.chains.iter().find(|chain| chain.name == "flow_log_transit").expect("a capture chain");
    let hook = chain.hook.unwrap();
    assert_eq!((hook.hook, hook.priority, hook.drop_by_default), ("forward", 10, false));
    let link = names::attachment_link(&attachment);
    let block = |text: &str| Match::Source(text.parse().unwrap());
    let rule = |matches: Vec<Match>, ingress: bool| crate::firewall::Rule {
        matches,
        verdict: Verdict::Log { group: GROUP, prefix: prefix(&eni, ingress, Seen::Accepted) },
    };
    assert_eq!(
        chain.rules,
        [
            rule(vec![Match::OutputInterface(link.clone()), block("10.1.1.0/24")], true),
            rule(vec![Match::InputInterface(link.clone()), block("10.1.1.0/24")], false),
            rule(vec![Match::InputInterface(link.clone()), block("10.2.1.0/24")], false),
        ]
    );
    // What its subnet's outbound ACL denies of what the gateway brings in is a REJECT leaving the interface: before
    // each drop of the subnet's outbound chain, one rule per sender block (the subnet's own interfaces, with their
    // addresses as the source, as ever).
    let subnet = lab.world.region(&lab.scope).network_interfaces[eni.as_str()].subnet_id.clone();
    let outbound = table.chains.iter().find(|chain| chain.name == format!("out_{}", names::subnet_bridge(&subnet)));
    let outbound = &outbound.unwrap().rules;
    let drops: Vec<usize> = (0..outbound.len()).filter(|&at| outbound[at].verdict == Verdict::Drop).collect();
    assert!(!drops.is_empty());
    for at in drops {
        let denied = Verdict::Log { group: GROUP, prefix: prefix(&eni, false, Seen::AclDenied) };
        let from = |block: &str| {
            [
                outbound[at].matches.clone(),
                vec![Match::InputInterface(link.clone()), Match::Source(block.parse().unwrap())],
            ]
            .concat()
        };
        assert_eq!(outbound[at - 3], crate::firewall::Rule { matches: from("10.1.1.0/24"), verdict: denied.clone() });
        assert_eq!(outbound[at - 2], crate::firewall::Rule { matches: from("10.2.1.0/24"), verdict: denied.clone() });
        assert_eq!(outbound[at - 1].verdict, denied, "then the interface's own address as the source");
    }
    // The other spoke's attachment has no flow log: its router logs nothing.
    assert_eq!(log_prefixes(&state.namespaces[&format!("lv-{two}")].firewall), Vec::<String>::new());
}
