//! One rtnetlink connection per namespace, with a method per kernel operation (links, addresses, neighbours,
//! routes, rules) and the dumps the realiser diffs against.
//!
//! A netlink socket belongs to the namespace it was created in, so each connection's socket is opened on a thread
//! that has entered the namespace (see `netns::run_in`) and then driven by tokio like any other.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd};

use futures::TryStreamExt;
use ipnet::IpNet;
use netlink_packet_route::link::{InfoData, InfoKind, InfoVeth, LinkAttribute, LinkFlags, LinkInfo, LinkMessage};
use netlink_packet_route::neighbour::{NeighbourAddress, NeighbourAttribute, NeighbourState};
use netlink_packet_route::route::{RouteAddress, RouteAttribute, RouteMessage, RouteProtocol, RouteScope, RouteType};
use netlink_packet_route::rule::{RuleAction, RuleAttribute, RuleMessage};
use netlink_packet_route::AddressFamily;
use rtnetlink::{Handle, IpVersion, LinkBridge, LinkMessageBuilder, LinkUnspec, RouteMessageBuilder};

use crate::netns;
use crate::state::RouteKind;

/// A link as the kernel reports it.
#[derive(Debug, Clone)]
pub struct Link {
    /// Interface index.
    pub index: u32,
    /// Name.
    pub name: String,
    /// `veth`, `bridge`, … (`None` for `lo`).
    pub kind: Option<String>,
    /// MAC.
    pub mac: Vec<u8>,
    /// MTU.
    pub mtu: u32,
    /// Index of its bridge.
    pub master: Option<u32>,
    /// Administratively up.
    pub up: bool,
    /// It has a carrier (`IFF_LOWER_UP`): a veth whose both ends are up, a bridge with a forwarding port.
    pub carrier: bool,
    /// It has its queueing discipline (`IFLA_QDISC` is not `noop`): the kernel's link watcher has handled its
    /// carrier coming up. Until then the link drops what is sent through it.
    pub operational: bool,
}

/// A route as the kernel reports it, reduced to what localvpc sets.
#[derive(Debug, Clone)]
pub struct KernelRoute {
    /// Table.
    pub table: u32,
    /// Destination.
    pub destination: IpNet,
    /// Added by the kernel for an address (never diffed).
    pub from_kernel: bool,
    /// The message, to delete it by.
    pub message: RouteMessage,
}

/// Opens a route netlink socket in the namespace of the calling thread.
pub fn socket_here() -> io::Result<netlink_sys::Socket> {
    netlink_sys::Socket::new(netlink_sys::protocols::NETLINK_ROUTE)
}

/// A connection to one namespace.
pub struct Netlink {
    handle: Handle,
}

fn failed(what: &str, error: rtnetlink::Error) -> io::Error {
    io::Error::other(format!("{what}: {error}"))
}

/// Whether a netlink error says the object is already gone (ENODEV, ENOENT, ESRCH).
fn is_gone(error: &rtnetlink::Error) -> bool {
    match error {
        rtnetlink::Error::NetlinkError(message) => message.code.is_some_and(|code| matches!(-code.get(), 19 | 2 | 3)),
        _ => false,
    }
}

/// Whether an error says the object already exists (adding it again is then a success).
pub fn is_exists(error: &io::Error) -> bool {
    error.to_string().contains("File exists")
}

impl Netlink {
    /// Connects to the namespace `name` (the socket is opened on a thread that entered it, off the runtime).
    pub async fn open(name: &str) -> io::Result<Netlink> {
        let owned = name.to_string();
        let socket = tokio::task::spawn_blocking(move || netns::run_in(&owned, socket_here))
            .await
            .unwrap_or_else(|join| Err(io::Error::other(join.to_string())))?;
        Ok(Netlink::from_socket(socket))
    }

    /// A connection over a socket opened by [`socket_here`] (must be called inside a tokio runtime).
    pub fn from_socket(socket: netlink_sys::Socket) -> Netlink {
        // SAFETY: the descriptor comes from a socket we own and hand over whole.
        let socket = unsafe { netlink_sys::TokioSocket::from_raw_fd(socket.into_raw_fd()) };
        let (connection, handle, _) = rtnetlink::from_socket(socket);
        tokio::spawn(connection);
        Netlink { handle }
    }

    /// Every link.
    pub async fn links(&self) -> io::Result<Vec<Link>> {
        let messages: Vec<LinkMessage> =
            self.handle.link().get().execute().try_collect().await.map_err(|e| failed("dump links", e))?;
        Ok(messages.into_iter().map(link_of).collect())
    }

    /// Creates a veth whose near end (`name`) lives here and whose peer is created directly in `peer_namespace`
    /// (no move after creation: moving serialises on the rtnl lock and is what makes container networking slow).
    pub async fn create_veth(
        &self,
        name: &str,
        mac: [u8; 6],
        peer: &str,
        peer_mac: [u8; 6],
        peer_namespace: &str,
        mtu: u32,
    ) -> io::Result<()> {
        let target = netns::open(peer_namespace)?;
        let peer_message = LinkMessageBuilder::<LinkUnspec>::new()
            .name(peer.to_string())
            .address(peer_mac.to_vec())
            .mtu(mtu)
            .setns_by_fd(target.as_raw_fd())
            .build();
        let message = LinkMessageBuilder::<LinkUnspec>::new_with_info_kind(InfoKind::Veth)
            .name(name.to_string())
            .address(mac.to_vec())
            .mtu(mtu)
            .set_info_data(InfoData::Veth(InfoVeth::Peer(peer_message)))
            .build();
        let result = self.handle.link().add(message).execute().await;
        drop(target);
        result.map_err(|e| failed(&format!("create veth {name} / {peer_namespace}:{peer}"), e))
    }

    /// Creates a bridge (no STP, so ports forward at once).
    pub async fn create_bridge(&self, name: &str, mac: [u8; 6], mtu: u32) -> io::Result<()> {
        let message = LinkBridge::new(name).address(mac.to_vec()).mtu(mtu).build();
        self.handle.link().add(message).execute().await.map_err(|e| failed(&format!("create bridge {name}"), e))
    }

    /// Sets a link's bridge (when given) and brings it up.
    pub async fn set_up(&self, index: u32, master: Option<u32>) -> io::Result<()> {
        let mut builder = LinkUnspec::new_with_index(index);
        if let Some(master) = master {
            builder = builder.controller(master);
        }
        let message = builder.up().build();
        self.handle.link().set(message).execute().await.map_err(|e| failed(&format!("set link {index} up"), e))
    }

    /// Deletes a link (a veth takes its peer with it); one already gone (its peer's namespace was just deleted) is
    /// not an error.
    pub async fn delete_link(&self, index: u32) -> io::Result<()> {
        match self.handle.link().del(index).execute().await {
            Err(error) if !is_gone(&error) => Err(failed(&format!("delete link {index}"), error)),
            _ => Ok(()),
        }
    }

    /// Every address as (link index, address, prefix length), but IPv6 link-local ones: the kernel gives each link
    /// one (neighbour discovery speaks from it), they are not localvpc's to plan.
    pub async fn addresses(&self) -> io::Result<Vec<(u32, IpAddr, u8)>> {
        let messages: Vec<_> =
            self.handle.address().get().execute().try_collect().await.map_err(|e| failed("dump addresses", e))?;
        Ok(messages
            .into_iter()
            .filter_map(|message| {
                let address = message.attributes.iter().find_map(|attribute| match attribute {
                    netlink_packet_route::address::AddressAttribute::Local(address) => Some(*address),
                    netlink_packet_route::address::AddressAttribute::Address(IpAddr::V6(address)) => {
                        Some(IpAddr::V6(*address))
                    }
                    _ => None,
                })?;
                if let IpAddr::V6(v6) = address {
                    if v6.segments()[0] & 0xffc0 == 0xfe80 {
                        return None;
                    }
                }
                Some((message.header.index, address, message.header.prefix_len))
            })
            .collect())
    }

    /// Adds an address (with its prefix route, as `ip addr add` does, but for an IPv6 /128); an IPv6 one `nodad`,
    /// usable at once.
    pub async fn add_address(&self, index: u32, address: IpAddr, prefix: u8) -> io::Result<()> {
        let mut request = self.handle.address().add(index, address, prefix);
        if address.is_ipv6() {
            use netlink_packet_route::address::{AddressAttribute, AddressFlags};
            // A /128 gets no prefix route: IPv6 would put one in `main`, which the internet consults before its
            // `local` table, and the host's own address would then be routed to `lo` instead of delivered.
            let flags =
                if prefix == 128 { AddressFlags::Nodad | AddressFlags::Noprefixroute } else { AddressFlags::Nodad };
            request.message_mut().attributes.push(AddressAttribute::Flags(flags));
        }
        request.execute().await.map_err(|e| failed(&format!("add address {address}/{prefix}"), e))
    }

    /// Removes an address.
    pub async fn delete_address(&self, index: u32, address: IpAddr, prefix: u8) -> io::Result<()> {
        let messages: Vec<_> = self
            .handle
            .address()
            .get()
            .set_link_index_filter(index)
            .execute()
            .try_collect()
            .await
            .map_err(|e| failed("dump addresses", e))?;
        for message in messages {
            let matches = message.header.prefix_len == prefix
                && message.attributes.iter().any(|attribute| {
                    matches!(attribute, netlink_packet_route::address::AddressAttribute::Local(a) | netlink_packet_route::address::AddressAttribute::Address(a) if *a == address)
                });
            if matches {
                self.handle.address().del(message).execute().await.map_err(|e| failed("delete address", e))?;
            }
        }
        Ok(())
    }

    /// Sets a permanent neighbour entry (replacing any other for the address).
    pub async fn set_neighbour(&self, index: u32, address: IpAddr, mac: [u8; 6]) -> io::Result<()> {
        self.handle
            .neighbours()
            .add(index, address)
            .link_layer_address(&mac)
            .state(NeighbourState::Permanent)
            .replace()
            .execute()
            .await
            .map_err(|e| failed(&format!("set neighbour {address}"), e))
    }

    /// Every permanent neighbour entry as (link index, address).
    pub async fn permanent_neighbours(&self) -> io::Result<Vec<(u32, IpAddr, Vec<u8>)>> {
        let messages: Vec<_> =
            self.handle.neighbours().get().execute().try_collect().await.map_err(|e| failed("dump neighbours", e))?;
        Ok(messages
            .into_iter()
            .filter(|message| message.header.state == NeighbourState::Permanent)
            .filter_map(|message| {
                let address = message.attributes.iter().find_map(|attribute| match attribute {
                    NeighbourAttribute::Destination(NeighbourAddress::Inet(address)) => Some(IpAddr::V4(*address)),
                    NeighbourAttribute::Destination(NeighbourAddress::Inet6(address)) => Some(IpAddr::V6(*address)),
                    _ => None,
                })?;
                let mac = message.attributes.iter().find_map(|attribute| match attribute {
                    NeighbourAttribute::LinkLayerAddress(mac) => Some(mac.clone()),
                    _ => None,
                });
                Some((message.header.ifindex, address, mac.unwrap_or_default()))
            })
            .collect())
    }

    /// Forgets every learned IPv4 and IPv6 neighbour (not the permanent ones): after an address moved to another interface,
    /// a cached MAC would send its packets to the old one until the cache expired.
    pub async fn flush_learned_neighbours(&self) -> io::Result<()> {
        let messages: Vec<_> =
            self.handle.neighbours().get().execute().try_collect().await.map_err(|e| failed("dump neighbours", e))?;
        for message in messages {
            let learned = !matches!(message.header.state, NeighbourState::Permanent | NeighbourState::Noarp);
            let family = message.header.family;
            if learned && (family == AddressFamily::Inet || family == AddressFamily::Inet6) {
                match self.handle.neighbours().del(message).execute().await {
                    Ok(()) => {}
                    Err(error) if is_gone(&error) => {}
                    Err(error) => return Err(failed("flush neighbour", error)),
                }
            }
        }
        Ok(())
    }

    /// Every IPv4 and IPv6 route of every table (the kernel's own, for addresses, are marked `from_kernel`).
    pub async fn routes(&self) -> io::Result<Vec<KernelRoute>> {
        let mut messages: Vec<RouteMessage> = Vec::new();
        for filter in [RouteMessageBuilder::<Ipv4Addr>::new().build(), RouteMessageBuilder::<Ipv6Addr>::new().build()] {
            let family = filter.header.address_family;
            let dumped: Vec<RouteMessage> =
                self.handle.route().get(filter).execute().try_collect().await.map_err(|e| failed("dump routes", e))?;
            messages.extend(dumped.into_iter().filter(|message| message.header.address_family == family));
        }
        Ok(messages
            .into_iter()
            .filter_map(|message| {
                let table = message
                    .attributes
                    .iter()
                    .find_map(|attribute| match attribute {
                        RouteAttribute::Table(table) => Some(*table),
                        _ => None,
                    })
                    .unwrap_or(u32::from(message.header.table));
                let address = message
                    .attributes
                    .iter()
                    .find_map(|attribute| match attribute {
                        RouteAttribute::Destination(RouteAddress::Inet(address)) => Some(IpAddr::V4(*address)),
                        RouteAttribute::Destination(RouteAddress::Inet6(address)) => Some(IpAddr::V6(*address)),
                        _ => None,
                    })
                    .unwrap_or(if message.header.address_family == AddressFamily::Inet6 {
                        IpAddr::V6(Ipv6Addr::UNSPECIFIED)
                    } else {
                        IpAddr::V4(Ipv4Addr::UNSPECIFIED)
                    });
                let destination = IpNet::new(address, message.header.destination_prefix_length).ok()?;
                // The kernel's own (an address's prefix, IPv6's link-local and multicast routes) are never diffed;
                // nor is the unreachable `::/0` the kernel keeps in IPv6's main table.
                let from_kernel = message.header.protocol == RouteProtocol::Kernel
                    || (message.header.protocol != RouteProtocol::Static && destination.addr().is_ipv6());
                Some(KernelRoute { table, destination, from_kernel, message })
            })
            .collect())
    }

    /// Adds (or replaces) a route; `index_of` resolves device names.
    pub async fn set_route(
        &self,
        table: u32,
        destination: IpNet,
        kind: &RouteKind,
        index_of: impl Fn(&str) -> Option<u32>,
    ) -> io::Result<()> {
        let device =
            |name: &str| index_of(name).ok_or_else(|| io::Error::other(format!("route {destination}: no link {name}")));
        let mut builder = RouteMessageBuilder::<IpAddr>::new()
            .destination_prefix(destination.network(), destination.prefix_len())
            .map_err(invalid(destination))?
            .table_id(table)
            .protocol(RouteProtocol::Static);
        builder = match kind {
            RouteKind::Device { device: name, source } => {
                let builder = builder.output_interface(device(name)?).scope(RouteScope::Link);
                match source {
                    Some(source) => builder.pref_source(*source).map_err(invalid(destination))?,
                    None => builder,
                }
            }
            RouteKind::Gateway { gateway, device: name, source } => {
                let mut builder =
                    builder.output_interface(device(name)?).gateway(*gateway).map_err(invalid(destination))?.onlink();
                if let Some(source) = source {
                    builder = builder.pref_source(*source).map_err(invalid(destination))?;
                }
                builder
            }
            RouteKind::Blackhole => builder.kind(RouteType::BlackHole),
            RouteKind::Throw => builder.kind(RouteType::Throw),
            RouteKind::Local { device: name } => {
                builder.kind(RouteType::Local).scope(RouteScope::Host).output_interface(device(name)?)
            }
        };
        let message = builder.build();
        self.handle
            .route()
            .add(message)
            .replace()
            .execute()
            .await
            .map_err(|e| failed(&format!("set route {destination} table {table}"), e))
    }

    /// Deletes a route as dumped.
    pub async fn delete_route(&self, route: KernelRoute) -> io::Result<()> {
        let what = format!("delete route {} table {}", route.destination, route.table);
        self.handle.route().del(route.message).execute().await.map_err(|e| failed(&what, e))
    }

    /// Every IPv4 and IPv6 rule, as the state describes one, with whether it is IPv6's and the message that
    /// deletes it.
    pub async fn rules(&self) -> io::Result<Vec<(crate::state::Rule, bool, RuleMessage)>> {
        let mut messages: Vec<RuleMessage> = Vec::new();
        for version in [IpVersion::V4, IpVersion::V6] {
            let dumped: Vec<RuleMessage> =
                self.handle.rule().get(version).execute().try_collect().await.map_err(|e| failed("dump rules", e))?;
            messages.extend(dumped);
        }
        Ok(messages
            .into_iter()
            .map(|message| {
                let v6 = message.header.family == AddressFamily::Inet6;
                let mut rule = crate::state::Rule::all(0, u32::from(message.header.table));
                for attribute in &message.attributes {
                    match attribute {
                        RuleAttribute::Priority(value) => rule.priority = *value,
                        RuleAttribute::Iifname(name) => rule.iif = Some(name.clone()),
                        RuleAttribute::Table(value) => rule.table = *value,
                        // Only whole-address selectors are planned; a shorter prefix reads as none, so such a rule
                        // (not localvpc's) is removed.
                        RuleAttribute::Source(address) if message.header.src_len == full_length(*address) => {
                            rule.source = Some(*address)
                        }
                        _ => {}
                    }
                }
                (rule, v6, message)
            })
            .collect())
    }

    /// Adds a rule `priority: [iif IIF] [from SOURCE] lookup TABLE` in one family (`v6`); one with a source
    /// address exists only in that address's family.
    pub async fn add_rule(&self, rule: &crate::state::Rule, v6: bool) -> io::Result<()> {
        let what = |e| failed(&format!("add rule {} lookup {}", rule.priority, rule.table), e);
        let request = self.handle.rule().add().priority(rule.priority).table_id(rule.table).action(RuleAction::ToTable);
        let request = match &rule.iif {
            Some(iif) => request.input_interface(iif.clone()),
            None => request,
        };
        match (rule.source, v6) {
            (Some(IpAddr::V4(source)), false) => request.v4().source_prefix(source, 32).execute().await.map_err(what),
            (Some(IpAddr::V6(source)), true) => request.v6().source_prefix(source, 128).execute().await.map_err(what),
            (Some(_), _) => Ok(()),
            (None, false) => request.v4().execute().await.map_err(what),
            (None, true) => request.v6().execute().await.map_err(what),
        }
    }

    /// Deletes a rule as dumped.
    pub async fn delete_rule(&self, message: RuleMessage) -> io::Result<()> {
        self.handle.rule().del(message).execute().await.map_err(|e| failed("delete rule", e))
    }
}

/// A route the builder refused (an address of the other family than the destination's).
fn invalid<E: std::fmt::Display>(destination: IpNet) -> impl FnOnce(E) -> io::Error {
    move |error| io::Error::other(format!("route {destination}: {error}"))
}

/// 32 for an IPv4 address, 128 for an IPv6 one: a rule's whole-address selector.
fn full_length(address: IpAddr) -> u8 {
    if address.is_ipv4() {
        32
    } else {
        128
    }
}

fn link_of(message: LinkMessage) -> Link {
    let mut link = Link {
        index: message.header.index,
        name: String::new(),
        kind: None,
        mac: Vec::new(),
        mtu: 0,
        master: None,
        up: message.header.flags.contains(LinkFlags::Up),
        carrier: message.header.flags.contains(LinkFlags::LowerUp),
        operational: false,
    };
    for attribute in message.attributes {
        match attribute {
            LinkAttribute::IfName(name) => link.name = name,
            LinkAttribute::Address(mac) => link.mac = mac,
            LinkAttribute::Mtu(mtu) => link.mtu = mtu,
            LinkAttribute::Controller(master) => link.master = Some(master),
            LinkAttribute::Qdisc(qdisc) => link.operational = qdisc != "noop",
            LinkAttribute::LinkInfo(infos) => {
                for info in infos {
                    if let LinkInfo::Kind(kind) = info {
                        link.kind = Some(kind.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    link
}
