//! The desired kernel state: plain data that [`crate::plan`] computes from a `Topology` and [`crate::apply`]
//! realises. Comparable (`Eq`), so the realiser touches only the namespaces whose state changed.
//!
//! What is deliberately absent: anything about AWS. A route here is a kernel route, a rule a kernel rule; the
//! topology already decided what is allowed.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;

use crate::firewall::Firewall;

/// Everything localvpc wants in the kernel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KernelState {
    /// Namespaces by name.
    pub namespaces: BTreeMap<String, Namespace>,
    /// Veth pairs, keyed by their first end (namespace, link).
    pub veths: BTreeMap<(String, String), Veth>,
}

impl KernelState {
    /// The veth ends that live in `namespace`, with their pair.
    pub fn ends_in<'s>(&'s self, namespace: &'s str) -> impl Iterator<Item = (&'s VethEnd, &'s Veth)> + 's {
        self.veths.values().flat_map(move |veth| {
            [&veth.a, &veth.b].into_iter().filter(move |end| end.namespace == namespace).map(move |end| (end, veth))
        })
    }
}

/// What a namespace is for (it decides the fixed parts: forwarding, the TTL table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A running instance.
    Instance,
    /// A VPC's router.
    Router,
    /// The emulated internet.
    Internet,
    /// A NAT gateway: it forwards and translates, and answers traceroute as the router it is.
    NatGateway,
    /// A transit gateway: it forwards by the route table of the attachment a packet arrived on.
    TransitGateway,
    /// A virtual private gateway: it forwards between its VPC and the sites of its VPN connections.
    VpnGateway,
    /// The on-premises network behind a customer gateway: a host at every address of its prefixes.
    Site,
    /// The AWS service behind a gateway VPC endpoint: a host at every address of the service's prefix list.
    VpcEndpoint,
    /// The interface of an interface VPC endpoint: the service's host at that interface's address (part 2 §17.5).
    InterfaceEndpoint,
}

impl Role {
    /// Routers, gateways and the internet forward packets; instances and sites (hosts) do not.
    pub fn forwards(self) -> bool {
        !matches!(self, Role::Instance | Role::Site | Role::VpcEndpoint | Role::InterfaceEndpoint)
    }

    /// Spec §3.7: the VPC router and the internet never show in a traceroute; a NAT gateway does (part 2 §13.2).
    /// Part 2 §14.4 [I]: neither does a transit gateway; a virtual private gateway is AWS's edge like the VPC router
    /// (ASSUMPTION: part 2 §15 is silent, and the engine's traceroute shows no VPN hop). A gateway endpoint is no hop
    /// either (part 2 §17.4: the engine's traceroute ends at the service): it forwards nothing, so its TTL table
    /// only keeps it in line with the other gateways.
    pub fn hides_from_traceroute(self) -> bool {
        matches!(self, Role::Router | Role::Internet | Role::TransitGateway | Role::VpnGateway | Role::VpcEndpoint)
    }
}

/// One namespace's contents (its veth ends are in [`KernelState::veths`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    /// Its role.
    pub role: Role,
    /// Bridges by name.
    pub bridges: BTreeMap<String, Bridge>,
    /// Addresses.
    pub addresses: BTreeSet<Address>,
    /// Permanent neighbour entries (the far ends of point-to-point links).
    pub neighbours: BTreeSet<Neighbour>,
    /// Routes by (table, destination).
    pub routes: BTreeMap<(u32, IpNet), RouteKind>,
    /// Policy rules.
    pub rules: BTreeSet<Rule>,
    /// The namespace's nftables table, replaced as a whole in one transaction when it changes.
    pub firewall: Firewall,
    /// The `resolv.conf` its programs read (`/etc/netns/<name>/resolv.conf`, which `ip netns exec` mounts over
    /// `/etc/resolv.conf`); `None` leaves the host's.
    pub resolv_conf: Option<String>,
}

impl Namespace {
    /// An empty namespace of `role` (loopback only).
    pub fn new(role: Role) -> Namespace {
        let mut addresses = BTreeSet::new();
        // The kernel puts 127.0.0.1/8 on `lo` when it comes up; listing it keeps the diff from removing it.
        addresses.insert(Address { device: "lo".into(), address: Ipv4Addr::LOCALHOST.into(), prefix: 8 });
        // And ::1/128 once IPv6 is enabled in the namespace (part 2 §16).
        addresses.insert(Address { device: "lo".into(), address: std::net::Ipv6Addr::LOCALHOST.into(), prefix: 128 });
        let mut rules = BTreeSet::new();
        if role != Role::Internet {
            // Local addresses first, as in every fresh namespace (the internet moves this rule, see `plan`).
            rules.insert(Rule::all(0, table::LOCAL));
        }
        if matches!(role, Role::Instance | Role::NatGateway | Role::Site | Role::VpcEndpoint | Role::InterfaceEndpoint)
        {
            // An instance (and a NAT gateway, a host with one interface, a site and an endpoint's service or interface) keeps the kernel's default
            // rules; routers, gateways and the internet replace them with their own.
            rules.insert(Rule::all(32766, table::MAIN));
            rules.insert(Rule::all(32767, table::DEFAULT));
        }
        Namespace {
            role,
            bridges: BTreeMap::new(),
            addresses,
            neighbours: BTreeSet::new(),
            routes: BTreeMap::new(),
            rules,
            firewall: Firewall::default(),
            resolv_conf: None,
        }
    }
}

/// A bridge (one per subnet in a router: same-subnet traffic is switched, never routed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bridge {
    /// Its MAC (fixed, so it does not change as ports come and go).
    pub mac: [u8; 6],
    /// MTU.
    pub mtu: u32,
}

/// A veth pair, created with each end directly in its namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Veth {
    /// One end.
    pub a: VethEnd,
    /// The other end.
    pub b: VethEnd,
    /// MTU of both ends.
    pub mtu: u32,
}

/// One end of a veth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VethEnd {
    /// Its namespace.
    pub namespace: String,
    /// Its name there.
    pub name: String,
    /// Its MAC.
    pub mac: [u8; 6],
    /// The bridge it is a port of.
    pub bridge: Option<String>,
}

/// An IPv4 or IPv6 address on a device (IPv6 ones without duplicate address detection, so usable at once).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Address {
    /// Device name.
    pub device: String,
    /// Address.
    pub address: IpAddr,
    /// Prefix length.
    pub prefix: u8,
}

/// A permanent neighbour entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Neighbour {
    /// Device name.
    pub device: String,
    /// The (unconfigured) next-hop address.
    pub address: IpAddr,
    /// The far end's MAC.
    pub mac: [u8; 6],
}

/// What a route does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteKind {
    /// Deliver on a device's link (scope link).
    Device {
        /// Device name.
        device: String,
        /// Preferred source address.
        source: Option<IpAddr>,
    },
    /// Forward via a next hop on a device (`onlink`: the next hop needs no address of its own).
    Gateway {
        /// Next hop (of the destination's family).
        gateway: IpAddr,
        /// Device name.
        device: String,
        /// Preferred source address.
        source: Option<IpAddr>,
    },
    /// Drop silently (what AWS does with a packet no route carries).
    Blackhole,
    /// Leave this table and continue with the next rule (a `local` route of a route table).
    Throw,
    /// Deliver locally (the emulated internet answers any address).
    Local {
        /// Device name.
        device: String,
    },
}

/// A policy routing rule: packets (arriving on `iif`, sent from `source`, when given) look up `table`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rule {
    /// Priority (lower first).
    pub priority: u32,
    /// Input interface.
    pub iif: Option<String>,
    /// Source address (`from ADDRESS/32` or `/128`): the rule is of that address's family; a rule without one
    /// exists in both families (the IPv4 and IPv6 rule lists are separate in the kernel).
    pub source: Option<IpAddr>,
    /// Table.
    pub table: u32,
}

impl Rule {
    /// `priority: lookup table`, for every packet.
    pub fn all(priority: u32, table: u32) -> Rule {
        Rule { priority, iif: None, source: None, table }
    }
}

/// Well-known table numbers.
pub mod table {
    /// The kernel's default table (empty; the last rule of a fresh namespace).
    pub const DEFAULT: u32 = 253;
    /// The kernel's main table.
    pub const MAIN: u32 = 254;
    /// The kernel's local table (its own entries are never touched).
    pub const LOCAL: u32 = 255;
    /// A router's delivery table: its subnets and a blackhole default (what the `local` route reaches, and all a
    /// packet from a peering or the internet gateway may reach).
    pub const VPC: u32 = 250;
    /// A gateway's table for what no route table of it carries: a blackhole default.
    pub const NOWHERE: u32 = 251;
    /// An instance's table for its interface at device index N is `INTERFACE + N` (N ≥ 1): what that interface's
    /// own addresses send by.
    pub const INTERFACE: u32 = 1000;
}
