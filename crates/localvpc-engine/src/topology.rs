//! The compiled topology: the resource model turned into lookup-friendly, immutable form for the packet walk.
//!
//! Read first: spec §3.1 (packet walk) and §3.2 (route tables). Compilation resolves every indirection once —
//! a subnet's *effective* route table (explicit association, else the VPC's main table) with its routes sorted for
//! longest-prefix match and their `active`/`blackhole` state, its network ACL's rules sorted by rule number per
//! direction, each interface's groups, public address and listening ports — so a probe is a handful of vector
//! lookups. A `Topology` is a value: it never changes after [`Topology::compile`], and it does not know the store.

mod endpoints;
mod flow_logs;
mod groups;
mod nat;
mod routing;
mod transit;
mod vpn;

pub use endpoints::{EndpointIx, GatewayEndpointNode, INTERFACE_ENDPOINT_PORTS, SERVICE_PORTS};
pub use groups::{GroupNode, SgPeer, SgRule};
pub use nat::NatNode;
use routing::{compile_acl, compile_route_table};
pub use routing::{AclRule, CompiledAcl, CompiledRoute, CompiledRouteTable, Target};
pub use transit::{TgwAttachmentKind, TgwAttachmentNode, TgwNode, TgwRoute, TgwTableNode};
pub use vpn::{SiteIx, SiteNode, VgwIx, VgwNode, VpnLink, VpnNetwork};

use std::collections::{BTreeSet, HashMap};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use localvpc_model::dhcp_options::{self, NameServer};
use localvpc_model::network_interface::{public_address, ManagingService};
use localvpc_model::route_table;
use localvpc_model::vpc_peering::PeeringStatus;
use localvpc_model::{dns_name, RegionState, Scope, World};

/// Index of a VPC in [`Topology::vpcs`].
pub type VpcIx = usize;
/// Index of a subnet in [`Topology::subnets`].
pub type SubnetIx = usize;
/// Index of an interface in [`Topology::enis`].
pub type EniIx = usize;
/// Index of a security group in [`Topology::groups`].
pub type GroupIx = usize;

/// The tag that sets an instance's listening TCP ports (`22,80,443`); without it an instance listens on 22.
pub const LISTEN_TAG: &str = "localvpc:listen";
/// Spec §2.9 / issue: instances listen on SSH by default.
pub const DEFAULT_LISTEN_PORTS: &[u16] = &[22];

/// Everything the packet walk and the resolver need, in one immutable value.
#[derive(Debug, Default)]
pub struct Topology {
    /// The world version this was compiled from.
    pub version: u64,
    /// VPCs.
    pub vpcs: Vec<VpcNode>,
    /// Subnets.
    pub subnets: Vec<SubnetNode>,
    /// Network interfaces.
    pub enis: Vec<EniNode>,
    /// Security groups.
    pub groups: Vec<GroupNode>,
    /// Peering connections by ID.
    pub peerings: HashMap<String, PcxNode>,
    /// Virtual private gateways and the on-premises sites behind customer gateways.
    pub vpn: VpnNetwork,
    /// Gateway VPC endpoints (part 2 §17.4).
    pub gateway_endpoints: Vec<GatewayEndpointNode>,
    gateway_endpoint_by_id: HashMap<String, EndpointIx>,
    /// Interface endpoints' own names (part 2 §17.5), answered everywhere.
    endpoint_names: HashMap<String, Vec<Ipv4Addr>>,
    /// Interface endpoints' private DNS names, answered inside their VPC.
    private_endpoint_names: HashMap<(VpcIx, String), Vec<Ipv4Addr>>,
    nat_gateways: HashMap<String, NatNode>,
    nat_by_eni: HashMap<EniIx, String>,
    transit: transit::Transit,
    subnet_by_id: HashMap<String, SubnetIx>,
    vpc_by_key: HashMap<(Scope, String), VpcIx>,
    group_by_key: HashMap<(Scope, String), GroupIx>,
    eni_by_id: HashMap<String, EniIx>,
    eni_by_instance: HashMap<String, EniIx>,
    /// Every interface of an instance, primary or not.
    enis_of_instance: HashMap<String, Vec<EniIx>>,
    /// Public IPv4 addresses (dynamic or Elastic) and IPv6 addresses (globally unique, part 2 §16.2).
    eni_by_public_ip: HashMap<IpAddr, EniIx>,
    /// The interfaces some live flow log covers (part 2 §18.3): where the kernel data plane captures real traffic.
    pub flow_logged: BTreeSet<EniIx>,
}

/// A VPC.
#[derive(Debug, Clone)]
pub struct VpcNode {
    /// Owner and region.
    pub scope: Scope,
    /// `vpc-…`.
    pub id: String,
    /// The primary block (the resolver sits at its base + 2).
    pub primary_cidr: Ipv4Net,
    /// Every IPv4 block.
    pub cidrs: Vec<Ipv4Net>,
    /// Every IPv6 block (part 2 §16.1: Amazon-provided /56s).
    pub ipv6_cidrs: Vec<Ipv6Net>,
    /// `enableDnsSupport`.
    pub dns_support: bool,
    /// `enableDnsHostnames`.
    pub dns_hostnames: bool,
    /// The `domain-name` of its DHCP options: the search domain its instances use (part 2 §12.2).
    pub domain_name: Option<String>,
    /// The `domain-name-servers` of its DHCP options, in order; empty with no options (`default`).
    pub name_servers: Vec<NameServer>,
    /// The attached internet gateway.
    pub internet_gateway: Option<String>,
    /// Its egress-only internet gateways (part 2 §16.2), by ID.
    pub egress_only_gateways: Vec<String>,
    /// Its subnets.
    pub subnets: Vec<SubnetIx>,
    /// Interfaces by private address: IPv4 (primary and secondary) and IPv6.
    pub eni_by_private_ip: HashMap<IpAddr, EniIx>,
    /// VPCs joined to this one by an active peering connection.
    pub active_peers: Vec<VpcIx>,
}

impl VpcNode {
    /// The VPC's block that holds `address`, of either family.
    pub fn block_containing(&self, address: IpAddr) -> Option<IpNet> {
        match address {
            IpAddr::V4(address) => self.cidrs.iter().find(|block| block.contains(&address)).map(|&b| IpNet::V4(b)),
            IpAddr::V6(address) => self.ipv6_cidrs.iter().find(|block| block.contains(&address)).map(|&b| IpNet::V6(b)),
        }
    }

    /// Whether `address` lies in one of the VPC's blocks of its family.
    pub fn contains(&self, address: IpAddr) -> bool {
        match address {
            IpAddr::V4(address) => self.cidrs.iter().any(|block| block.contains(&address)),
            IpAddr::V6(address) => self.ipv6_cidrs.iter().any(|block| block.contains(&address)),
        }
    }
}

/// A subnet with its effective route table and network ACL.
#[derive(Debug, Clone)]
pub struct SubnetNode {
    /// `subnet-…`.
    pub id: String,
    /// Its VPC.
    pub vpc: VpcIx,
    /// Its IPv4 block; none for an IPv6-only subnet (part 2 §16.1).
    pub cidr: Option<Ipv4Net>,
    /// Its IPv6 /64, when it has one (part 2 §16.1).
    pub ipv6_cidr: Option<Ipv6Net>,
    /// Its Availability Zone (a transit gateway attachment serves a zone, part 2 §14.4).
    pub zone: String,
    /// The effective route table.
    pub route_table: CompiledRouteTable,
    /// The associated network ACL.
    pub acl: CompiledAcl,
    /// DNS64 and the resource-name records of its instances (part 2 §16.4).
    pub dns: crate::dns::SubnetDns,
}

impl SubnetNode {
    /// Whether `address` lies in the subnet's block of its family.
    pub fn contains(&self, address: IpAddr) -> bool {
        match address {
            IpAddr::V4(address) => self.cidr.is_some_and(|block| block.contains(&address)),
            IpAddr::V6(address) => self.ipv6_cidr.is_some_and(|block| block.contains(&address)),
        }
    }
}

/// A network interface.
#[derive(Debug, Clone)]
pub struct EniNode {
    /// `eni-…`.
    pub id: String,
    /// Owner and region.
    pub scope: Scope,
    /// The instance it belongs to.
    pub instance_id: Option<String>,
    /// Its attachment's device index (0 when not attached).
    pub device_index: u32,
    /// An instance is attached and running (pending counts: it is booting into running); an interface endpoint's
    /// interface always is.
    pub running: bool,
    /// The requester-managed interface of an interface VPC endpoint (part 2 §17.5): the service's host in the subnet.
    pub interface_endpoint: bool,
    /// Its subnet.
    pub subnet: SubnetIx,
    /// Its VPC.
    pub vpc: VpcIx,
    /// Primary private IPv4 address; none in an IPv6-only subnet, where the interface sends nothing IPv4.
    pub private_ip: Option<Ipv4Addr>,
    /// Its IPv6 addresses, first the one it sends from (part 2 §16.1).
    pub ipv6_addresses: Vec<Ipv6Addr>,
    /// Its secondary private addresses: delivered to like the primary one.
    pub secondary_ips: Vec<Ipv4Addr>,
    /// Public address (an Elastic IP wins over the dynamic one).
    pub public_ip: Option<Ipv4Addr>,
    /// Its security groups.
    pub groups: Vec<GroupIx>,
    /// TCP ports with a listener.
    pub listening: Vec<u16>,
    /// `ip-…` name.
    pub private_dns_name: Option<String>,
    /// `ec2-…` name, when it exists (public address and both DNS attributes).
    pub public_dns_name: Option<String>,
    /// The records its instance's resource name answers (part 2 §16.4).
    pub resource_name_records: crate::dns::ResourceNameRecords,
}

impl EniNode {
    /// Every address delivered to the interface inside its VPC: the primary and secondary private IPv4 addresses
    /// and the IPv6 addresses.
    pub fn private_addresses(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.private_ip
            .map(IpAddr::V4)
            .into_iter()
            .chain(self.secondary_ips.iter().map(|&address| IpAddr::V4(address)))
            .chain(self.ipv6_addresses.iter().map(|&address| IpAddr::V6(address)))
    }

    /// The address that names the interface in hops and records: its primary private IPv4 address, or on an
    /// IPv6-only interface its first IPv6 address (`::` if it has none left).
    pub fn primary_address(&self) -> IpAddr {
        match (self.private_ip, self.ipv6_addresses.first()) {
            (Some(v4), _) => IpAddr::V4(v4),
            (None, Some(&v6)) => IpAddr::V6(v6),
            (None, None) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        }
    }

    /// Whether the interface holds `address` (primary, secondary or IPv6).
    pub fn holds(&self, address: IpAddr) -> bool {
        match address {
            IpAddr::V4(address) => Some(address) == self.private_ip || self.secondary_ips.contains(&address),
            IpAddr::V6(address) => self.ipv6_addresses.contains(&address),
        }
    }

    /// The address it sends to `destination` from: its primary IPv4 address, or its first IPv6 address for an IPv6
    /// destination (none without one: the host has no route of that family — an IPv6-only interface sends no IPv4).
    pub fn source_for(&self, destination: IpAddr) -> Option<IpAddr> {
        match destination {
            IpAddr::V4(_) => self.private_ip.map(IpAddr::V4),
            IpAddr::V6(_) => self.ipv6_addresses.first().map(|&address| IpAddr::V6(address)),
        }
    }
}

/// A peering connection.
#[derive(Debug, Clone)]
pub struct PcxNode {
    /// `pcx-…`.
    pub id: String,
    /// Only active connections carry traffic.
    pub active: bool,
    /// The requester VPC, if it exists.
    pub requester: Option<VpcIx>,
    /// The accepter VPC, if it exists.
    pub accepter: Option<VpcIx>,
    /// The requester side's `allowDnsResolutionFromRemoteVpc`.
    pub requester_allows_dns: bool,
    /// The accepter side's `allowDnsResolutionFromRemoteVpc`.
    pub accepter_allows_dns: bool,
}

impl PcxNode {
    /// The other VPC of the connection, seen from `vpc`.
    pub fn peer_of(&self, vpc: VpcIx) -> Option<VpcIx> {
        match (self.requester, self.accepter) {
            (Some(r), Some(a)) if r == vpc => Some(a),
            (Some(r), Some(a)) if a == vpc => Some(r),
            _ => None,
        }
    }

    /// Whether the side owning `vpc` lets the other side resolve its public names privately (spec §4.4).
    pub fn allows_dns_from_remote(&self, vpc: VpcIx) -> bool {
        if self.requester == Some(vpc) {
            self.requester_allows_dns
        } else {
            self.accepter == Some(vpc) && self.accepter_allows_dns
        }
    }
}

/// Spec §1.1: SG protocols arrive as names or numbers; NACL protocols as numbers; `-1`/`all` is everything.
pub fn protocol_number(text: &str) -> i32 {
    match text.to_ascii_lowercase().as_str() {
        "-1" | "all" => -1,
        "tcp" => 6,
        "udp" => 17,
        "icmp" => 1,
        "icmpv6" => 58,
        other => other.parse().unwrap_or(-2),
    }
}

/// The IPv4 block of `block`, if it is one: for the forms that are IPv4 only (the all-pairs answer, Network
/// Insights paths).
pub fn ipv4_block(block: IpNet) -> Option<Ipv4Net> {
    match block {
        IpNet::V4(block) => Some(block),
        IpNet::V6(_) => None,
    }
}

fn parse_listen_tag(value: &str) -> Vec<u16> {
    value.split([',', ' ']).filter_map(|port| port.trim().parse().ok()).collect()
}

impl Topology {
    /// Compiles `world` (at `version`).
    pub fn compile(world: &World, version: u64) -> Topology {
        let mut topology = Topology { version, ..Topology::default() };
        for (scope, region) in world.scopes() {
            topology.add_region(scope, region);
        }
        for (scope, region) in world.scopes() {
            topology.add_groups(scope, region);
        }
        for (scope, region) in world.scopes() {
            topology.add_subnets(world, scope, region);
        }
        for (scope, region) in world.scopes() {
            topology.add_interfaces(scope, region);
            topology.add_nat_gateways(region);
            topology.add_vpc_endpoints(scope, region);
            topology.add_interface_endpoint_names(scope, region);
            topology.add_vpn(scope, region);
        }
        topology.add_transit_gateways(world);
        topology.add_flow_logged(world);
        for pcx in world.peerings().values() {
            let vpc_of = |side: &localvpc_model::vpc_peering::PeeringSide| {
                topology.vpc_by_key.get(&(side.scope(), side.vpc_id.clone())).copied()
            };
            let node = PcxNode {
                id: pcx.id.clone(),
                active: pcx.status == PeeringStatus::Active,
                requester: vpc_of(&pcx.requester),
                accepter: vpc_of(&pcx.accepter),
                requester_allows_dns: pcx.requester.allow_dns_resolution_from_remote_vpc,
                accepter_allows_dns: pcx.accepter.allow_dns_resolution_from_remote_vpc,
            };
            if let (true, Some(requester), Some(accepter)) = (node.active, node.requester, node.accepter) {
                topology.vpcs[requester].active_peers.push(accepter);
                topology.vpcs[accepter].active_peers.push(requester);
            }
            topology.peerings.insert(pcx.id.clone(), node);
        }
        topology
    }

    fn add_region(&mut self, scope: &Scope, region: &RegionState) {
        for vpc in region.vpcs.values() {
            let igw = region
                .internet_gateways
                .values()
                .find(|igw| igw.attached_vpc.as_deref() == Some(vpc.id.as_str()))
                .map(|igw| igw.id.clone());
            let dhcp = dhcp_options::of_vpc(region, vpc);
            self.vpc_by_key.insert((scope.clone(), vpc.id.clone()), self.vpcs.len());
            self.vpcs.push(VpcNode {
                scope: scope.clone(),
                id: vpc.id.clone(),
                primary_cidr: vpc.cidr_block,
                cidrs: vpc.cidr_blocks().copied().collect(),
                ipv6_cidrs: vpc.ipv6_cidr_blocks().copied().collect(),
                dns_support: vpc.enable_dns_support,
                dns_hostnames: vpc.enable_dns_hostnames,
                domain_name: dhcp.and_then(|options| options.domain_name()).map(str::to_string),
                name_servers: dhcp.map(|options| options.name_servers()).unwrap_or_default(),
                internet_gateway: igw,
                egress_only_gateways: region
                    .egress_only_internet_gateways
                    .values()
                    .filter(|gateway| gateway.vpc_id == vpc.id)
                    .map(|gateway| gateway.id.clone())
                    .collect(),
                subnets: Vec::new(),
                eni_by_private_ip: HashMap::new(),
                active_peers: Vec::new(),
            });
        }
    }

    fn add_subnets(&mut self, world: &World, scope: &Scope, region: &RegionState) {
        for subnet in region.subnets.values() {
            let Some(&vpc) = self.vpc_by_key.get(&(scope.clone(), subnet.vpc_id.clone())) else { continue };
            let table = route_table::effective_for_subnet(region, &subnet.id, &subnet.vpc_id);
            let route_table = table.map(|table| compile_route_table(world, region, table)).unwrap_or_default();
            let acl = region
                .network_acls
                .values()
                .find(|acl| acl.associations.iter().any(|a| a.subnet_id == subnet.id))
                .map(|acl| compile_acl(acl))
                .unwrap_or_default();
            let index = self.subnets.len();
            self.subnet_by_id.insert(subnet.id.clone(), index);
            self.vpcs[vpc].subnets.push(index);
            self.subnets.push(SubnetNode {
                id: subnet.id.clone(),
                vpc,
                cidr: subnet.cidr_block,
                ipv6_cidr: subnet.ipv6_cidr_block(),
                zone: subnet.availability_zone.clone(),
                route_table,
                acl,
                dns: crate::dns::SubnetDns::of(subnet),
            });
        }
    }

    fn add_interfaces(&mut self, scope: &Scope, region: &RegionState) {
        let mut added = Vec::new();
        for eni in region.network_interfaces.values() {
            let Some(&subnet) = self.subnet_by_id.get(eni.subnet_id.as_str()) else { continue };
            let instance = eni.attachment.as_ref().and_then(|a| region.instances.get(a.instance_id.as_str()));
            // An interface no instance is attached to (made by CreateNetworkInterface, or left by a termination that
            // kept it) has no host behind it: nothing answers at its address.
            // Part 2 §17.5: an interface endpoint's interface is the service's host in the subnet.
            let endpoint = eni.managed_by.as_ref().is_some_and(|m| m.service == ManagingService::VpcEndpoint);
            let running = endpoint || instance.is_some_and(|instance| instance.state.is_running());
            let listening = match instance {
                _ if endpoint => Some(INTERFACE_ENDPOINT_PORTS.to_vec()),
                Some(instance) => instance.tags.get(LISTEN_TAG).map(parse_listen_tag),
                None => None,
            }
            .unwrap_or_else(|| DEFAULT_LISTEN_PORTS.to_vec());
            let vpc = self.subnets[subnet].vpc;
            let vpc_node = &self.vpcs[vpc];
            let public_ip = public_address(region, eni).map(|public| public.ip);
            let public_dns_name = public_ip
                .filter(|_| vpc_node.dns_support && vpc_node.dns_hostnames)
                .map(|ip| dns_name::public_dns_name(&scope.region, ip));
            let groups = eni
                .security_group_ids
                .iter()
                .filter_map(|id| self.group_by_key.get(&(scope.clone(), id.clone())).copied())
                .collect();
            // An instance is reached through its primary interface (device 0) when named by its ID; the others are
            // reached at their own addresses.
            let primary = eni.attachment.as_ref().is_some_and(|attachment| attachment.device_index == 0);
            added.push((
                primary,
                EniNode {
                    id: eni.id.clone(),
                    scope: scope.clone(),
                    instance_id: eni.attachment.as_ref().map(|a| a.instance_id.clone()),
                    device_index: eni.attachment.as_ref().map_or(0, |a| a.device_index),
                    running,
                    interface_endpoint: endpoint,
                    subnet,
                    vpc,
                    private_ip: eni.private_ip,
                    secondary_ips: eni.secondary_private_ips.clone(),
                    ipv6_addresses: eni.ipv6_addresses.clone(),
                    public_ip,
                    groups,
                    listening,
                    private_dns_name: eni.private_ip.map(|ip| dns_name::private_dns_name(&scope.region, ip)),
                    public_dns_name,
                    resource_name_records: crate::dns::ResourceNameRecords::of(instance.map(|i| i.as_ref())),
                },
            ));
        }
        for (primary, eni) in added {
            let index = self.enis.len();
            for address in eni.private_addresses() {
                self.vpcs[eni.vpc].eni_by_private_ip.insert(address, index);
            }
            for &address in &eni.ipv6_addresses {
                self.eni_by_public_ip.insert(IpAddr::V6(address), index);
            }
            self.eni_by_id.insert(eni.id.clone(), index);
            if let Some(instance) = &eni.instance_id {
                self.enis_of_instance.entry(instance.clone()).or_default().push(index);
                if primary {
                    self.eni_by_instance.insert(instance.clone(), index);
                }
            }
            if let Some(public) = eni.public_ip {
                self.eni_by_public_ip.insert(IpAddr::V4(public), index);
            }
            self.enis.push(eni);
        }
    }

    /// The interface with this ID.
    pub fn eni(&self, id: &str) -> Option<EniIx> {
        self.eni_by_id.get(id).copied()
    }

    /// The interface an instance sends a packet for `destination` from, when it speaks through `eni`: the host's
    /// own routing table decides, and it holds a connected route for each interface's subnet — so an interface whose
    /// subnet holds the destination sends it, and everything else leaves by the default route of the primary.
    pub fn sending_interface(&self, eni: EniIx, destination: IpAddr) -> EniIx {
        let Some(instance) = &self.enis[eni].instance_id else { return eni };
        if self.subnets[self.enis[eni].subnet].contains(destination) {
            return eni;
        }
        let siblings = self.interfaces_of(instance);
        let connected = siblings.iter().copied().find(|&s| self.subnets[self.enis[s].subnet].contains(destination));
        connected.or_else(|| self.instance_eni(instance)).unwrap_or(eni)
    }

    /// Every interface attached to an instance (the primary among them).
    pub fn interfaces_of(&self, instance_id: &str) -> &[EniIx] {
        self.enis_of_instance.get(instance_id).map(Vec::as_slice).unwrap_or_default()
    }

    /// The primary interface of an instance.
    pub fn instance_eni(&self, instance_id: &str) -> Option<EniIx> {
        self.eni_by_instance.get(instance_id).copied()
    }

    /// The interface a public address (dynamic or Elastic) maps to.
    pub fn eni_by_public_ip(&self, address: IpAddr) -> Option<EniIx> {
        self.eni_by_public_ip.get(&address).copied()
    }

    /// The VPC with this scope and ID.
    pub fn vpc(&self, scope: &Scope, id: &str) -> Option<VpcIx> {
        self.vpc_by_key.get(&(scope.clone(), id.to_string())).copied()
    }

    /// The subnet of `vpc` containing `address`.
    pub fn subnet_containing(&self, vpc: VpcIx, address: IpAddr) -> Option<SubnetIx> {
        self.vpcs[vpc].subnets.iter().copied().find(|&subnet| self.subnets[subnet].contains(address))
    }
}
