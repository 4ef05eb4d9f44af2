//! Desired state → kernel: the [`Realizer`] diffs a [`KernelState`] against the last one it applied (and, on its
//! first run, against what the kernel actually holds under its prefix), and changes only what differs.
//!
//! Order within one run: namespaces that are no longer wanted go first (their links with them); new namespaces are
//! created and given their fixed settings (sysctls, the TTL table); veth pairs are created with each end directly
//! in its namespace; then every namespace whose state changed is brought in line — bridges, links up and enslaved,
//! addresses, neighbours, routes (replaced in place, so a changed route is never absent), rules, and the nftables
//! table as one atomic batch. Errors are collected and the run carries on (netavark's error list): one broken
//! namespace does not keep the others stale, and the next run retries whatever failed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;
use std::sync::{Arc, Mutex};

use futures::stream::{self, StreamExt};

use crate::firewall;
use crate::netlink::{is_exists, socket_here, Link, Netlink};
use crate::state::{KernelState, Namespace, Role, Veth, VethEnd};
use crate::{netns, nft, Names};

/// How many namespaces are worked on at once.
const PARALLEL: usize = 16;

/// A failure in one namespace (or veth).
#[derive(Debug, thiserror::Error)]
#[error("{place}: {source}")]
pub struct KernelError {
    /// The namespace or link it concerns.
    pub place: String,
    /// What failed.
    #[source]
    pub source: io::Error,
}

/// Everything that failed in one run.
#[derive(Debug, thiserror::Error)]
#[error("{} kernel operation(s) failed; first: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
pub struct Errors(pub Vec<KernelError>);

/// What one run changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// Namespaces created.
    pub created: usize,
    /// Namespaces deleted.
    pub deleted: usize,
    /// Namespaces whose contents were brought in line.
    pub synced: usize,
    /// Veth pairs created.
    pub veths: usize,
}

/// Realises kernel states one after another, remembering what it applied.
pub struct Realizer {
    names: Names,
    applied: KernelState,
    reconciled: bool,
}

fn error(place: &str, source: io::Error) -> KernelError {
    KernelError { place: place.to_string(), source }
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> io::Result<T> + Send + 'static) -> io::Result<T> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|join| Err(io::Error::other(join.to_string())))
}

impl Realizer {
    /// A realiser of namespaces under `names`; its first [`Realizer::apply`] reconciles with the kernel.
    pub fn new(names: Names) -> Realizer {
        Realizer { names, applied: KernelState::default(), reconciled: false }
    }

    /// The names it uses.
    pub fn names(&self) -> &Names {
        &self.names
    }

    /// Brings the kernel to `desired`.
    pub async fn apply(&mut self, desired: &KernelState) -> Result<Report, Errors> {
        let mut errors = Vec::new();
        let mut report = Report::default();
        let names = self.names.clone();
        let existing: BTreeSet<String> = match blocking(move || netns::list(|name| names.owns(name))).await {
            Ok(list) => list.into_iter().collect(),
            Err(source) => return Err(Errors(vec![error(netns::RUN_DIR, source)])),
        };
        let gone: Vec<String> =
            existing.iter().filter(|name| !desired.namespaces.contains_key(*name)).cloned().collect();
        for name in &gone {
            self.applied.namespaces.remove(name);
        }
        for (name, result) in delete_all(gone).await {
            match result {
                Ok(()) => report.deleted += 1,
                Err(source) => errors.push(error(&name, source)),
            }
        }
        // New namespaces are made in parallel: each creation is a thread of its own (unshare, bind mount, sysctls,
        // the TTL table, its netlink socket), and most of that waits on the kernel rather than on a CPU.
        let connections = Connections::default();
        let new: Vec<(String, Role)> = desired
            .namespaces
            .iter()
            .filter(|(name, _)| !existing.contains(*name))
            .map(|(name, spec)| (name.clone(), spec.role))
            .collect();
        for (name, _) in &new {
            self.applied.namespaces.remove(name);
        }
        let created: Vec<(String, io::Result<netlink_sys::Socket>)> = stream::iter(new)
            .map(|(name, role)| async move {
                let result = create_namespace(&name, role).await;
                (name, result)
            })
            .buffer_unordered(PARALLEL)
            .collect()
            .await;
        let mut fresh = BTreeSet::new();
        for (name, result) in created {
            match result {
                Ok(socket) => {
                    report.created += 1;
                    connections.insert(&name, Netlink::from_socket(socket));
                    fresh.insert(name);
                }
                Err(source) => errors.push(error(&name, source)),
            }
        }
        // On the first run, the namespaces a crashed server left behind are taken over (their fixed settings again).
        if !self.reconciled {
            let adopted: Vec<(String, Role)> = desired
                .namespaces
                .iter()
                .filter(|(name, _)| existing.contains(*name))
                .map(|(name, spec)| (name.clone(), spec.role))
                .collect();
            let results: Vec<(String, io::Result<()>)> = stream::iter(adopted)
                .map(|(name, role)| async move {
                    let result = adopt_namespace(&name, role).await;
                    (name, result)
                })
                .buffer_unordered(PARALLEL)
                .collect()
                .await;
            errors.extend(results.into_iter().filter_map(|(name, result)| result.err().map(|e| error(&name, e))));
        }
        let present: BTreeSet<&String> =
            desired.namespaces.keys().filter(|name| existing.contains(*name) || fresh.contains(*name)).collect();
        // Veths: a pair is (re)made when it is new, changed, or one of its namespaces was just created.
        // Owned work items: the futures run concurrently and must not borrow across the stream.
        let veths: Vec<Veth> = desired
            .veths
            .iter()
            .filter(|(key, veth)| {
                !self.reconciled
                    || self.applied.veths.get(*key) != Some(*veth)
                    || fresh.contains(&veth.a.namespace)
                    || fresh.contains(&veth.b.namespace)
            })
            .map(|(_, veth)| veth.clone())
            .filter(|veth| present.contains(&veth.a.namespace) && present.contains(&veth.b.namespace))
            .collect();
        let (connections, fresh_ref) = (&connections, &fresh);
        let results: Vec<Result<bool, KernelError>> = stream::iter(veths)
            .map(|veth| async move {
                let both_fresh = fresh_ref.contains(&veth.a.namespace) && fresh_ref.contains(&veth.b.namespace);
                ensure_veth(connections, &veth, both_fresh).await.map_err(|source| error(&veth_place(&veth), source))
            })
            .buffer_unordered(PARALLEL)
            .collect()
            .await;
        for result in results {
            match result {
                Ok(created) => report.veths += usize::from(created),
                Err(failure) => errors.push(failure),
            }
        }
        // Namespaces whose state (or whose veth ends) changed are brought in line.
        let touched: BTreeSet<&String> = desired
            .veths
            .iter()
            .filter(|(key, veth)| self.applied.veths.get(*key) != Some(*veth))
            .flat_map(|(_, veth)| [&veth.a.namespace, &veth.b.namespace])
            .chain(
                self.applied
                    .veths
                    .iter()
                    .filter(|(key, _)| !desired.veths.contains_key(*key))
                    .flat_map(|(_, veth)| [&veth.a.namespace, &veth.b.namespace]),
            )
            .collect();
        // An interface that came or went on a bridge may have taken over an address another one had: every
        // namespace on that bridge forgets its learned neighbours (see `sync_namespace`).
        let changed_bridges: BTreeSet<(&String, &String)> = desired
            .veths
            .iter()
            .filter(|(key, veth)| self.applied.veths.get(*key) != Some(*veth))
            .map(|(_, veth)| veth)
            .chain(self.applied.veths.iter().filter(|(key, _)| !desired.veths.contains_key(*key)).map(|(_, v)| v))
            .filter_map(|veth| veth.b.bridge.as_ref().map(|bridge| (&veth.b.namespace, bridge)))
            .collect();
        let on_changed_bridge = desired
            .veths
            .values()
            .filter(|veth| {
                veth.b.bridge.as_ref().is_some_and(|bridge| changed_bridges.contains(&(&veth.b.namespace, bridge)))
            })
            .map(|veth| &veth.a.namespace);
        let touched: BTreeSet<&String> = touched.into_iter().chain(on_changed_bridge).collect();
        let work: Vec<Work> = desired
            .namespaces
            .iter()
            .filter(|(name, _)| present.contains(name))
            .filter(|(name, spec)| {
                !self.reconciled
                    || fresh.contains(*name)
                    || touched.contains(name)
                    || self.applied.namespaces.get(*name) != Some(*spec)
            })
            .map(|(name, spec)| {
                let previous = self.applied.namespaces.get(name).cloned();
                let firewall_changed = !self.reconciled
                    || fresh.contains(name)
                    || previous.as_ref().map(|old| &old.firewall) != Some(&spec.firewall);
                let ends = desired.ends_in(name).map(|(end, _)| end.clone()).collect();
                // Only the table changed (a rule, a group's members): one nftables batch, no netlink at all.
                let only_firewall = self.reconciled
                    && !fresh.contains(name)
                    && !touched.contains(name)
                    && previous.as_ref().is_some_and(|old| same_but_firewall(old, spec));
                Work { name: name.clone(), spec: spec.clone(), ends, previous, firewall_changed, only_firewall }
            })
            .collect();
        let linked: Vec<String> =
            work.iter().filter(|work| !work.only_firewall).map(|work| work.name.clone()).collect();
        let results: Vec<(String, Result<(), KernelError>)> = stream::iter(work)
            .map(|work| async move {
                let result = if work.only_firewall {
                    apply_firewall(&work).await
                } else {
                    sync_namespace(connections, &work).await
                };
                (work.name.clone(), result.map_err(|source| error(&work.name, source)))
            })
            .buffer_unordered(PARALLEL)
            .collect()
            .await;
        let mut failed = BTreeSet::new();
        for (name, result) in results {
            match result {
                Ok(()) => report.synced += 1,
                Err(failure) => {
                    failed.insert(name);
                    errors.push(failure);
                }
            }
        }
        stream::iter(linked.iter().filter(|name| !failed.contains(*name)))
            .for_each_concurrent(PARALLEL, |name| wait_until_operational(connections, name))
            .await;
        // Remember what is now in the kernel; a namespace that failed is forgotten, so the next run redoes it.
        self.applied = desired.clone();
        for name in &failed {
            self.applied.namespaces.remove(name);
        }
        self.applied.namespaces.retain(|name, _| present.contains(name));
        self.reconciled = true;
        if errors.is_empty() {
            Ok(report)
        } else {
            Err(Errors(errors))
        }
    }

    /// Removes every namespace under the prefix (their links go with them); keeps going after a failure.
    pub async fn teardown(&mut self) -> Result<usize, Errors> {
        let names = self.names.clone();
        let existing = blocking(move || netns::list(|name| names.owns(name)))
            .await
            .map_err(|source| Errors(vec![error(netns::RUN_DIR, source)]))?;
        let mut errors = Vec::new();
        let mut removed = 0;
        for (name, result) in delete_all(existing).await {
            match result {
                Ok(()) => removed += 1,
                Err(source) => errors.push(error(&name, source)),
            }
        }
        self.applied = KernelState::default();
        self.reconciled = false;
        if errors.is_empty() {
            Ok(removed)
        } else {
            Err(Errors(errors))
        }
    }
}

/// How long [`wait_until_operational`] waits for the kernel's link watcher before giving up (and letting the
/// first packets take their chance): it runs in a kernel worker, within milliseconds unless the CPUs are saturated —
/// but the watcher batches frequent events up to a second apart, and on two saturated CPUs (builds beside the test
/// suite) a first ping over a new peering still found its link without a qdisc after 2 s. The wait ends as soon as
/// the links are up, so the longer bound costs nothing when they are.
const OPERATIONAL_WITHIN: std::time::Duration = std::time::Duration::from_secs(6);

/// Waits until every link of `name` that has a carrier is operationally up. A veth or bridge gets its queueing
/// discipline only when the kernel's link watcher (a deferred worker) handles its carrier coming up; until then what
/// is sent through it is dropped — so a ping right after an apply, on a busy machine, lost its first packet.
/// Applying is "done" only once the links carry packets.
async fn wait_until_operational(connections: &Connections, name: &str) {
    let Ok(netlink) = connections.get(name).await else { return };
    let started = std::time::Instant::now();
    loop {
        let pending = match netlink.lock().await.links().await {
            Ok(links) => links.iter().filter(|link| link.up && link.carrier && !link.operational).count(),
            Err(_) => return,
        };
        if pending == 0 {
            return;
        }
        if started.elapsed() >= OPERATIONAL_WITHIN {
            tracing::debug!(namespace = name, pending, "links still not operational; going on");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

fn veth_place(veth: &Veth) -> String {
    format!("{}:{} <-> {}:{}", veth.a.namespace, veth.a.name, veth.b.namespace, veth.b.name)
}

/// Removes namespaces, several at once (each is an unmount and an unlink; the kernel frees the namespace and its
/// links afterwards, in the background).
async fn delete_all(names: Vec<String>) -> Vec<(String, io::Result<()>)> {
    stream::iter(names)
        .map(|name| async move {
            let owned = name.clone();
            nft::forget(&name);
            (name, blocking(move || netns::delete(&owned)).await)
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await
}

/// One rtnetlink connection per namespace for the whole run, shared by the veth and the namespace steps; a new
/// namespace's comes from the thread that created it. Each is used by one task at a time: the kernel refuses a
/// second dump on a socket while one is running (EBUSY), and a router's veths are set up concurrently.
#[derive(Default)]
struct Connections(Mutex<HashMap<String, Shared>>);

type Shared = Arc<tokio::sync::Mutex<Netlink>>;

impl Connections {
    fn insert(&self, name: &str, netlink: Netlink) {
        let shared = Arc::new(tokio::sync::Mutex::new(netlink));
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(name.to_string(), shared);
    }

    async fn get(&self, name: &str) -> io::Result<Shared> {
        if let Some(netlink) = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(name) {
            return Ok(Arc::clone(netlink));
        }
        let netlink = Arc::new(tokio::sync::Mutex::new(Netlink::open(name).await?));
        let mut map = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        Ok(Arc::clone(map.entry(name.to_string()).or_insert(netlink)))
    }
}

/// Creates a namespace with its fixed settings, all on the thread that made it (so inside it, with no process and
/// no second thread): no IPv6 (localvpc carries IPv4), no reverse-path filter (packets from a peering arrive on a
/// link with no route back through it by design), forwarding for routers and the internet with bridged traffic kept
/// out of the IP hooks (same-subnet traffic crosses no network ACL), and the TTL table that makes routers invisible
/// to traceroute. Returns a netlink socket opened there, for the rest of the run.
async fn create_namespace(name: &str, role: Role) -> io::Result<netlink_sys::Socket> {
    // A namespace of this name that is gone (deleted by hand, or before a restart) may have left a context.
    nft::forget(name);
    let owned = name.to_string();
    blocking(move || {
        let inside = owned.clone();
        netns::create(&owned, move || {
            fixed_settings_here(&inside, role)?;
            socket_here()
        })
    })
    .await
}

/// A namespace a crashed server left behind, taken over on the first run: its fixed settings are given again —
/// it may come from an older build, made before IPv6 was switched on or the hop limit raised — and the table an
/// older build kept its rules in (family `ip`, before the `inet` table) is removed, so no stale rule filters.
async fn adopt_namespace(name: &str, role: Role) -> io::Result<()> {
    let owned = name.to_string();
    blocking(move || {
        let inside = owned.clone();
        netns::run_in(&owned, move || {
            fixed_settings_here(&inside, role)?;
            nft::apply_here(&inside, &firewall::legacy_tables_removed())
        })
    })
    .await
}

/// The settings a namespace is given once (at its creation, or when it is taken over): sysctls, and the TTL
/// tables of a router hidden from traceroute. Runs in the namespace.
fn fixed_settings_here(name: &str, role: Role) -> io::Result<()> {
    let forwards = role.forwards();
    let hides = role.hides_from_traceroute();
    let mut values = vec![
        ("net/ipv4/conf/all/rp_filter", "0"),
        ("net/ipv4/conf/default/rp_filter", "0"),
        // Part 2 §16: IPv6 on, but configured only as planned: no router advertisements, no autoconfiguration,
        // and no duplicate address detection (an address must answer at once, as an ENI's does).
        ("net/ipv6/conf/all/disable_ipv6", "0"),
        ("net/ipv6/conf/default/disable_ipv6", "0"),
        ("net/ipv6/conf/all/accept_ra", "0"),
        ("net/ipv6/conf/default/accept_ra", "0"),
        ("net/ipv6/conf/all/autoconf", "0"),
        ("net/ipv6/conf/default/autoconf", "0"),
        ("net/ipv6/conf/all/accept_dad", "0"),
        ("net/ipv6/conf/default/accept_dad", "0"),
    ];
    if forwards {
        values.extend([
            ("net/ipv4/ip_forward", "1"),
            ("net/ipv6/conf/all/forwarding", "1"),
            ("net/bridge/bridge-nf-call-ip6tables", "0"),
            ("net/bridge/bridge-nf-call-iptables", "0"),
            ("net/bridge/bridge-nf-call-arptables", "0"),
            // A NAT gateway sends what it forwards back out of the interface it came in by: that is its
            // job, not a better route to tell the sender about.
            ("net/ipv4/conf/all/send_redirects", "0"),
            ("net/ipv4/conf/default/send_redirects", "0"),
        ]);
    }
    netns::sysctls_here(&values)?;
    if hides {
        nft::apply_here(name, &firewall::ttl_table())?;
    }
    Ok(())
}

/// Whether two states of a namespace differ at most in their nftables table (a `resolv.conf` that follows new DHCP
/// options is a change like any other).
fn same_but_firewall(old: &Namespace, new: &Namespace) -> bool {
    old.role == new.role
        && old.bridges == new.bridges
        && old.addresses == new.addresses
        && old.neighbours == new.neighbours
        && old.routes == new.routes
        && old.rules == new.rules
        && old.resolv_conf == new.resolv_conf
}

fn same_end(link: Option<&Link>, end: &VethEnd, mtu: u32) -> bool {
    link.is_some_and(|link| link.kind.as_deref() == Some("veth") && link.mac == end.mac && link.mtu == mtu)
}

/// Makes sure both ends of `veth` exist as specified; returns whether it created the pair. Between two namespaces
/// this run created there is nothing to look at first.
async fn ensure_veth(connections: &Connections, veth: &Veth, both_fresh: bool) -> io::Result<bool> {
    let near = connections.get(&veth.a.namespace).await?;
    if both_fresh {
        near.lock()
            .await
            .create_veth(&veth.a.name, veth.a.mac, &veth.b.name, veth.b.mac, &veth.b.namespace, veth.mtu)
            .await?;
        return Ok(true);
    }
    let far = connections.get(&veth.b.namespace).await?;
    let near_links = near.lock().await.links().await?;
    let far_links = far.lock().await.links().await?;
    let find = |links: &[Link], name: &str| links.iter().find(|link| link.name == name).cloned();
    let (a, b) = (find(&near_links, &veth.a.name), find(&far_links, &veth.b.name));
    if same_end(a.as_ref(), &veth.a, veth.mtu) && same_end(b.as_ref(), &veth.b, veth.mtu) {
        return Ok(false);
    }
    if let Some(a) = a {
        near.lock().await.delete_link(a.index).await?;
    }
    // Bound first: a guard in the `if let` would live through the block and deadlock on the second lock.
    let far_now = far.lock().await.links().await?;
    if let Some(b) = find(&far_now, &veth.b.name) {
        far.lock().await.delete_link(b.index).await?;
    }
    near.lock()
        .await
        .create_veth(&veth.a.name, veth.a.mac, &veth.b.name, veth.b.mac, &veth.b.namespace, veth.mtu)
        .await?;
    Ok(true)
}

/// One namespace to bring in line.
struct Work {
    name: String,
    spec: Namespace,
    /// The veth ends that live in it.
    ends: Vec<VethEnd>,
    /// What was applied to it last (`None`: unknown, so every route is set).
    previous: Option<Namespace>,
    firewall_changed: bool,
    /// Nothing but the table changed.
    only_firewall: bool,
}

/// Replaces a namespace's table in one batch.
async fn apply_firewall(work: &Work) -> io::Result<()> {
    let batch = work.spec.firewall.batch();
    let owned = work.name.clone();
    blocking(move || nft::apply(&owned, &batch)).await
}

/// Brings one namespace's links, addresses, neighbours, routes, rules and (when it changed) its table in line.
async fn sync_namespace(connections: &Connections, work: &Work) -> io::Result<()> {
    let Work { name, spec, ends, previous, firewall_changed, only_firewall: _ } = work;
    let previous = previous.as_ref();
    let netlink = connections.get(name).await?;
    let netlink = netlink.lock().await;
    let mut links = netlink.links().await?;
    for (bridge, wanted) in &spec.bridges {
        let current = links.iter().find(|link| &link.name == bridge);
        let right = current.is_some_and(|link| link.kind.as_deref() == Some("bridge") && link.mac == wanted.mac);
        if !right {
            if let Some(link) = current {
                netlink.delete_link(link.index).await?;
            }
            netlink.create_bridge(bridge, wanted.mac, wanted.mtu).await?;
        }
    }
    if !spec.bridges.is_empty() {
        links = netlink.links().await?;
    }
    let ends: BTreeMap<&str, &VethEnd> = ends.iter().map(|end| (end.name.as_str(), end)).collect();
    let index: HashMap<String, u32> = links.iter().map(|link| (link.name.clone(), link.index)).collect();
    for link in &links {
        let wanted =
            link.name == "lo" || spec.bridges.contains_key(&link.name) || ends.contains_key(link.name.as_str());
        if !wanted {
            // Not localvpc's to keep: a stale port or a link someone added inside the namespace.
            netlink.delete_link(link.index).await?;
            continue;
        }
        let master =
            ends.get(link.name.as_str()).and_then(|end| end.bridge.as_ref()).and_then(|b| index.get(b)).copied();
        if !link.up || link.master != master {
            netlink.set_up(link.index, master).await?;
        }
    }
    let index_of = |device: &str| index.get(device).copied();
    let actual = netlink.addresses().await?;
    let wanted: BTreeSet<(u32, std::net::IpAddr, u8)> =
        spec.addresses.iter().filter_map(|a| Some((index_of(&a.device)?, a.address, a.prefix))).collect();
    for &(link, address, prefix) in actual.iter().filter(|entry| !wanted.contains(entry)) {
        netlink.delete_address(link, address, prefix).await?;
    }
    for &(link, address, prefix) in wanted.iter().filter(|entry| !actual.contains(entry)) {
        match netlink.add_address(link, address, prefix).await {
            Err(failure) if !is_exists(&failure) => return Err(failure),
            _ => {}
        }
    }
    netlink.flush_learned_neighbours().await?;
    let neighbours = netlink.permanent_neighbours().await?;
    for neighbour in &spec.neighbours {
        let Some(link) = index_of(&neighbour.device) else { continue };
        let present =
            neighbours.iter().any(|(l, a, mac)| *l == link && *a == neighbour.address && mac == &neighbour.mac);
        if !present {
            netlink.set_neighbour(link, neighbour.address, neighbour.mac).await?;
        }
    }
    let routes = netlink.routes().await?;
    let actual_keys: BTreeSet<(u32, ipnet::IpNet)> =
        routes.iter().filter(|route| !route.from_kernel).map(|route| (route.table, route.destination)).collect();
    for (key, kind) in &spec.routes {
        let unchanged = actual_keys.contains(key) && previous.and_then(|p| p.routes.get(key)) == Some(kind);
        if !unchanged {
            netlink.set_route(key.0, key.1, kind, index_of).await?;
        }
    }
    for route in routes {
        if !route.from_kernel && !spec.routes.contains_key(&(route.table, route.destination)) {
            netlink.delete_route(route).await?;
        }
    }
    // Rules: add the missing ones before removing the others, so a moved `local` rule never leaves a gap.
    // A rule without a source address is wanted in both families (`Rule::source`).
    let rules = netlink.rules().await?;
    let present: BTreeSet<(&crate::state::Rule, bool)> = rules.iter().map(|(rule, v6, _)| (rule, *v6)).collect();
    for rule in &spec.rules {
        for v6 in [false, true] {
            let of_family = rule.source.is_none_or(|source| source.is_ipv6() == v6);
            if of_family && !present.contains(&(rule, v6)) {
                netlink.add_rule(rule, v6).await?;
            }
        }
    }
    for (rule, _, message) in rules {
        if !spec.rules.contains(&rule) {
            netlink.delete_rule(message).await?;
        }
    }
    if previous.map(|old| &old.resolv_conf) != Some(&spec.resolv_conf) {
        let (owned, text) = (name.clone(), spec.resolv_conf.clone());
        blocking(move || netns::set_resolv_conf(&owned, text.as_deref())).await?;
    }
    if *firewall_changed {
        apply_firewall(work).await?;
    }
    Ok(())
}
