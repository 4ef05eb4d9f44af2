//! One rtnetlink connection per namespace, with a method per kernel operation (links, addresses, neighbours,
//! routes, rules) and the dumps the realiser diffs against.
//!
//! A netlink socket belongs to the namespace it was created in, so each connection's socket is opened on a thread
//! that has entered the namespace (see `netns::run_in`) and then driven by tokio like any other.

use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd};

use futures::TryStreamExt;
use ipnet::Ipv4Net;
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
    pub destination: Ipv4Net,
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

    /// Every IPv4 address as (link index, address, prefix length).
    pub async fn addresses(&self) -> io::Result<Vec<(u32, Ipv4Addr, u8)>> {
        let messages: Vec<_> =
            self.handle.address().get().execute().try_collect().await.map_err(|e| failed("dump addresses", e))?;
        Ok(messages
            .into_iter()
            .filter_map(|message| {
                let address = message.attributes.iter().find_map(|attribute| match attribute {
                    netlink_packet_route::address::AddressAttribute::Local(IpAddr::V4(address)) => Some(*address),
                    _ => None,
                })?;
                Some((message.header.index, address, message.header.prefix_len))
            })
            .collect())
    }

    /// Adds an address (with its prefix route, as `ip addr add` does).
    pub async fn add_address(&self, index: u32, address: Ipv4Addr, prefix: u8) -> io::Result<()> {
        let request = self.handle.address().add(index, IpAddr::V4(address), prefix);
        request.execute().await.map_err(|e| failed(&format!("add address {address}/{prefix}"), e))
    }

    /// Removes an address.
    pub async fn delete_address(&self, index: u32, address: Ipv4Addr, prefix: u8) -> io::Result<()> {
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
                    matches!(attribute, netlink_packet_route::address::AddressAttribute::Local(IpAddr::V4(a)) if *a == address)
                });
            if matches {
                self.handle.address().del(message).execute().await.map_err(|e| failed("delete address", e))?;
            }
        }
        Ok(())
    }

    /// Sets a permanent neighbour entry (replacing any other for the address).
    pub async fn set_neighbour(&self, index: u32, address: Ipv4Addr, mac: [u8; 6]) -> io::Result<()> {
        self.handle
            .neighbours()
            .add(index, IpAddr::V4(address))
            .link_layer_address(&mac)
            .state(NeighbourState::Permanent)
            .replace()
            .execute()
            .await
            .map_err(|e| failed(&format!("set neighbour {address}"), e))
    }

    /// Every permanent IPv4 neighbour entry as (link index, address).
    pub async fn permanent_neighbours(&self) -> io::Result<Vec<(u32, Ipv4Addr, Vec<u8>)>> {
        let messages: Vec<_> =
            self.handle.neighbours().get().execute().try_collect().await.map_err(|e| failed("dump neighbours", e))?;
        Ok(messages
            .into_iter()
            .filter(|message| message.header.state == NeighbourState::Permanent)
            .filter_map(|message| {
                let address = message.attributes.iter().find_map(|attribute| match attribute {
                    NeighbourAttribute::Destination(NeighbourAddress::Inet(address)) => Some(*address),
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

    /// Forgets every learned IPv4 neighbour (not the permanent ones): after an address moved to another interface,
    /// a cached MAC would send its packets to the old one until the cache expired.
    pub async fn flush_learned_neighbours(&self) -> io::Result<()> {
        let messages: Vec<_> =
            self.handle.neighbours().get().execute().try_collect().await.map_err(|e| failed("dump neighbours", e))?;
        for message in messages {
            let learned = !matches!(message.header.state, NeighbourState::Permanent | NeighbourState::Noarp);
            if learned && message.header.family == AddressFamily::Inet {
                match self.handle.neighbours().del(message).execute().await {
                    Ok(()) => {}
                    Err(error) if is_gone(&error) => {}
                    Err(error) => return Err(failed("flush neighbour", error)),
                }
            }
        }
        Ok(())
    }

    /// Every IPv4 route of every table (the kernel's own, for addresses, are marked `from_kernel`).
    pub async fn routes(&self) -> io::Result<Vec<KernelRoute>> {
        let filter = RouteMessageBuilder::<Ipv4Addr>::new().build();
        let messages: Vec<RouteMessage> =
            self.handle.route().get(filter).execute().try_collect().await.map_err(|e| failed("dump routes", e))?;
        Ok(messages
            .into_iter()
            .filter(|message| message.header.address_family == AddressFamily::Inet)
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
                        RouteAttribute::Destination(RouteAddress::Inet(address)) => Some(*address),
                        _ => None,
                    })
                    .unwrap_or(Ipv4Addr::UNSPECIFIED);
                let destination = Ipv4Net::new(address, message.header.destination_prefix_length).ok()?;
                let from_kernel = message.header.protocol == RouteProtocol::Kernel;
                Some(KernelRoute { table, destination, from_kernel, message })
            })
            .collect())
    }

    /// Adds (or replaces) a route; `index_of` resolves device names.
    pub async fn set_route(
        &self,
        table: u32,
        destination: Ipv4Net,
        kind: &RouteKind,
        index_of: impl Fn(&str) -> Option<u32>,
    ) -> io::Result<()> {
        let device =
            |name: &str| index_of(name).ok_or_else(|| io::Error::other(format!("route {destination}: no link {name}")));
        let mut builder = RouteMessageBuilder::<Ipv4Addr>::new()
            .destination_prefix(destination.network(), destination.prefix_len())
            .table_id(table)
            .protocol(RouteProtocol::Static);
        builder = match kind {
            RouteKind::Device { device: name, source } => {
                let builder = builder.output_interface(device(name)?).scope(RouteScope::Link);
                match source {
                    Some(source) => builder.pref_source(*source),
                    None => builder,
                }
            }
            RouteKind::Gateway { gateway, device: name, source } => {
                let mut builder = builder.output_interface(device(name)?).gateway(*gateway).onlink();
                if let Some(source) = source {
                    builder = builder.pref_source(*source);
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

    /// Every IPv4 rule, as the state describes one, with the message that deletes it.
    pub async fn rules(&self) -> io::Result<Vec<(crate::state::Rule, RuleMessage)>> {
        let messages: Vec<RuleMessage> =
            self.handle.rule().get(IpVersion::V4).execute().try_collect().await.map_err(|e| failed("dump rules", e))?;
        Ok(messages
            .into_iter()
            .map(|message| {
                let mut rule = crate::state::Rule::all(0, u32::from(message.header.table));
                for attribute in &message.attributes {
                    match attribute {
                        RuleAttribute::Priority(value) => rule.priority = *value,
                        RuleAttribute::Iifname(name) => rule.iif = Some(name.clone()),
                        RuleAttribute::Table(value) => rule.table = *value,
                        // Only whole-address selectors are planned; a shorter prefix reads as none, so such a rule
                        // (not localvpc's) is removed.
                        RuleAttribute::Source(IpAddr::V4(address)) if message.header.src_len == 32 => {
                            rule.source = Some(*address)
                        }
                        _ => {}
                    }
                }
                (rule, message)
            })
            .collect())
    }

    /// Adds a rule `priority: [iif IIF] [from SOURCE] lookup TABLE`.
    pub async fn add_rule(&self, rule: &crate::state::Rule) -> io::Result<()> {
        let mut request =
            self.handle.rule().add().v4().priority(rule.priority).table_id(rule.table).action(RuleAction::ToTable);
        if let Some(iif) = &rule.iif {
            request = request.input_interface(iif.clone());
        }
        if let Some(source) = rule.source {
            request = request.source_prefix(source, 32);
        }
        request.execute().await.map_err(|e| failed(&format!("add rule {} lookup {}", rule.priority, rule.table), e))
    }

    /// Deletes a rule as dumped.
    pub async fn delete_rule(&self, message: RuleMessage) -> io::Result<()> {
        self.handle.rule().del(message).execute().await.map_err(|e| failed("delete rule", e))
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
