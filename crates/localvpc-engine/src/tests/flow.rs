//! The structured side of a walk ([`crate::Place`] and the packet on every hop and finding) and
//! [`crate::trace_flow`], the Reachability Analyzer framing of a probe: what the EC2 Network Insights API renders.

use super::lab::{Lab, Target};
use super::peered;
use crate::packet::{Code, HopKind, Place, Probe, Protocol, Vantage, Verdict};
use crate::walk::{trace, trace_flow, Mode};

#[test]
fn hops_carry_the_matched_rule_route_and_packet() {
    let (lab, _, [_, sb], [ia, ib], pcx) = peered();
    let topology = lab.topology();
    let probe = Probe {
        from: Vantage::Eni(topology.instance_eni(&ia).unwrap()),
        destination: "10.7.1.10".parse().unwrap(),
        protocol: Protocol::Icmp,
    };
    let result = trace(&topology, &probe, Mode::FirstDrop);
    let forward = &result.forward.hops;
    let route = forward.iter().find(|hop| hop.kind == HopKind::RouteTable).unwrap();
    match &route.place {
        Place::RouteTable { route: Some(route), .. } => {
            assert_eq!(route.destination.to_string(), "10.7.0.0/16");
            assert_eq!(route.target.id(), pcx);
        }
        other => panic!("{other:?}"),
    }
    let ingress = forward.iter().find(|hop| hop.kind == HopKind::SecurityGroupIngress).unwrap();
    match &ingress.place {
        Place::SecurityGroups { egress: false, allowed_by: Some((group, rule)), .. } => {
            assert_eq!(topology.groups[*group].id, lab.group_of(&ib));
            assert_eq!(rule.protocol, 1);
        }
        other => panic!("{other:?}"),
    }
    let acl = forward.iter().find(|hop| hop.kind == HopKind::AclInbound).unwrap();
    match &acl.place {
        Place::Acl { subnet, egress: false, rule: Some(rule) } => {
            assert_eq!(topology.subnets[*subnet].id, sb);
            assert_eq!(rule.number, 100);
        }
        other => panic!("{other:?}"),
    }
    assert!(forward.iter().all(|hop| hop.packet.dst.to_string() == "10.7.1.10"));
    let peering = forward.iter().find(|hop| hop.kind == HopKind::PeeringConnection).unwrap();
    assert!(matches!(&peering.place, Place::Peering { id, peer: Some(_), .. } if *id == pcx));
}

#[test]
fn findings_carry_where_they_happened() {
    let (mut lab, [a, _], [sa, _], [ia, _], _) = peered();
    lab.delete_route(&a, "10.7.0.0/16");
    let topology = lab.topology();
    let result = lab.explain(&ia, "10.7.1.10", Protocol::Tcp(22));
    let no_route = result.findings().find(|f| f.code == Code::NoRouteToDestination).unwrap();
    assert!(matches!(no_route.place, Place::RouteTable { subnet, route: None } if topology.subnets[subnet].id == sa));
    assert_eq!(no_route.packet.dst_port, 22);
    let groups = result.findings().find(|f| f.code == Code::EniSgRulesMismatch).unwrap();
    assert!(matches!(groups.place, Place::SecurityGroups { egress: false, allowed_by: None, .. }));
}

#[test]
fn a_flow_is_answered_in_its_own_protocol_and_does_not_ask_for_a_listener() {
    let (mut lab, [_, b], [_, sb], [ia, ib], _) = peered();
    // B's subnet admits UDP in and UDP/TCP out, but no ICMP: the port-unreachable answer of a UDP probe is dropped,
    // the UDP answer of a flow is not.
    lab.allow_in(&ib, "udp", Some((53, 53)), "10.6.0.0/16");
    lab.allow_in(&ib, "tcp", Some((8080, 8080)), "10.6.0.0/16");
    lab.custom_acl(&b, &sb);
    lab.acl_entry(&sb, 100, false, true, "17", "10.6.0.0/16", Some((53, 53)));
    lab.acl_entry(&sb, 110, false, true, "6", "10.6.0.0/16", Some((8080, 8080)));
    lab.acl_entry(&sb, 100, true, true, "17", "10.6.0.0/16", Some((1024, 65535)));
    lab.acl_entry(&sb, 110, true, true, "6", "10.6.0.0/16", Some((1024, 65535)));
    let topology = lab.topology();
    let from = Vantage::Eni(topology.instance_eni(&ia).unwrap());
    let udp = Probe { from, destination: "10.7.1.10".parse().unwrap(), protocol: Protocol::Udp(53) };
    assert_eq!(trace(&topology, &udp, Mode::FirstDrop).verdict, Verdict::Dropped);
    let flow = trace_flow(&topology, &udp, Mode::FirstDrop, "203.0.113.9".parse().unwrap());
    assert_eq!(flow.verdict, Verdict::Reachable, "{flow:#?}");
    assert_eq!(flow.reply.as_ref().unwrap().hops[0].packet.src_port, 53);
    // Nothing listens on 8080: a probe is refused, a flow is reachable.
    let tcp = Probe { protocol: Protocol::Tcp(8080), ..udp };
    assert_eq!(trace(&topology, &tcp, Mode::FirstDrop).verdict, Verdict::Refused);
    assert_eq!(
        trace_flow(&topology, &tcp, Mode::FirstDrop, "203.0.113.9".parse().unwrap()).verdict,
        Verdict::Reachable
    );
}

#[test]
fn a_flow_from_the_internet_comes_from_the_chosen_address() {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.6.0.0/16");
    let subnet = lab.subnet(&vpc, "10.6.1.0/24");
    let instance = lab.instance(&subnet, "10.6.1.10");
    let igw = lab.igw(&vpc);
    lab.route(&vpc, "0.0.0.0/0", Target::Gateway(igw.clone()));
    let public = std::net::IpAddr::V4(lab.eip(&instance));
    lab.allow_in(&instance, "tcp", Some((22, 22)), "203.0.113.9/32");
    let topology = lab.topology();
    let probe = Probe { from: Vantage::Internet, destination: public, protocol: Protocol::Tcp(22) };
    assert_eq!(trace(&topology, &probe, Mode::FirstDrop).verdict, Verdict::Dropped, "198.51.100.10 is not allowed");
    let flow = trace_flow(&topology, &probe, Mode::FirstDrop, "203.0.113.9".parse().unwrap());
    assert_eq!(flow.verdict, Verdict::Reachable, "{flow:#?}");
    let gateway = &flow.forward.hops[0];
    assert!(matches!(&gateway.place, Place::InternetGateway { id, .. } if *id == igw));
    assert_eq!(gateway.packet.dst, public);
    assert_eq!(flow.forward.hops[1].packet.dst.to_string(), "10.6.1.10");
}
