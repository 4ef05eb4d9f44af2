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

use futures::stream::{self, StreamExt};

use crate::firewall;
use crate::netlink::{is_exists, Link, Netlink};
use crate::state::{KernelState, Namespace, Veth, VethEnd};
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
        for name in existing.iter().filter(|name| !desired.namespaces.contains_key(*name)) {
            let owned = name.clone();
            match blocking(move || netns::delete(&owned)).await {
                Ok(()) => report.deleted += 1,
                Err(source) => errors.push(error(name, source)),
            }
            self.applied.namespaces.remove(name);
        }
        let mut fresh = BTreeSet::new();
        for (name, spec) in desired.namespaces.iter().filter(|(name, _)| !existing.contains(*name)) {
            self.applied.namespaces.remove(name);
            match create_namespace(name, spec).await {
                Ok(()) => {
                    report.created += 1;
                    fresh.insert(name.clone());
                }
                Err(source) => errors.push(error(name, source)),
            }
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
        let results: Vec<Result<bool, KernelError>> = stream::iter(veths)
            .map(|veth| async move { ensure_veth(&veth).await.map_err(|source| error(&veth_place(&veth), source)) })
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
                Work { name: name.clone(), spec: spec.clone(), ends, previous, firewall_changed }
            })
            .collect();
        let results: Vec<(String, Result<(), KernelError>)> = stream::iter(work)
            .map(|work| async move {
                let result = sync_namespace(&work).await;
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
        for name in existing {
            let owned = name.clone();
            match blocking(move || netns::delete(&owned)).await {
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

fn veth_place(veth: &Veth) -> String {
    format!("{}:{} <-> {}:{}", veth.a.namespace, veth.a.name, veth.b.namespace, veth.b.name)
}

/// Creates a namespace with its fixed settings: no IPv6 (localvpc carries IPv4), no reverse-path filter (packets
/// from a peering arrive on a link with no route back through it by design), forwarding for routers and the
/// internet with bridged traffic kept out of the IP hooks (same-subnet traffic crosses no network ACL), and the
/// TTL table that makes routers invisible to traceroute.
async fn create_namespace(name: &str, spec: &Namespace) -> io::Result<()> {
    let owned = name.to_string();
    let forwards = spec.role.forwards();
    blocking(move || {
        netns::create(&owned)?;
        let mut values = vec![
            ("net/ipv4/conf/all/rp_filter", "0"),
            ("net/ipv4/conf/default/rp_filter", "0"),
            ("net/ipv6/conf/all/disable_ipv6", "1"),
            ("net/ipv6/conf/default/disable_ipv6", "1"),
        ];
        if forwards {
            values.extend([
                ("net/ipv4/ip_forward", "1"),
                ("net/bridge/bridge-nf-call-iptables", "0"),
                ("net/bridge/bridge-nf-call-arptables", "0"),
            ]);
        }
        netns::sysctls(&owned, values)?;
        if forwards {
            nft::apply(&owned, &firewall::ttl_table())?;
        }
        Ok(())
    })
    .await
}

fn same_end(link: Option<&Link>, end: &VethEnd, mtu: u32) -> bool {
    link.is_some_and(|link| link.kind.as_deref() == Some("veth") && link.mac == end.mac && link.mtu == mtu)
}

/// Makes sure both ends of `veth` exist as specified; returns whether it created the pair.
async fn ensure_veth(veth: &Veth) -> io::Result<bool> {
    let near = Netlink::open(&veth.a.namespace)?;
    let far = Netlink::open(&veth.b.namespace)?;
    let near_links = near.links().await?;
    let far_links = far.links().await?;
    let find = |links: &[Link], name: &str| links.iter().find(|link| link.name == name).cloned();
    let (a, b) = (find(&near_links, &veth.a.name), find(&far_links, &veth.b.name));
    if same_end(a.as_ref(), &veth.a, veth.mtu) && same_end(b.as_ref(), &veth.b, veth.mtu) {
        return Ok(false);
    }
    if let Some(a) = a {
        near.delete_link(a.index).await?;
    }
    if let Some(b) = find(&far.links().await?, &veth.b.name) {
        far.delete_link(b.index).await?;
    }
    near.create_veth(&veth.a.name, veth.a.mac, &veth.b.name, veth.b.mac, &veth.b.namespace, veth.mtu).await?;
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
}

/// Brings one namespace's links, addresses, neighbours, routes, rules and (when it changed) its table in line.
async fn sync_namespace(work: &Work) -> io::Result<()> {
    let Work { name, spec, ends, previous, firewall_changed } = work;
    let previous = previous.as_ref();
    let netlink = Netlink::open(name)?;
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
    let wanted: BTreeSet<(u32, std::net::Ipv4Addr, u8)> =
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
    let actual_keys: BTreeSet<(u32, ipnet::Ipv4Net)> =
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
    let rules = netlink.rules().await?;
    let present: BTreeSet<crate::state::Rule> = rules
        .iter()
        .map(|(priority, iif, table, _)| crate::state::Rule { priority: *priority, iif: iif.clone(), table: *table })
        .collect();
    for rule in spec.rules.iter().filter(|rule| !present.contains(rule)) {
        netlink.add_rule(rule.priority, rule.iif.as_deref(), rule.table).await?;
    }
    for (priority, iif, table, message) in rules {
        if !spec.rules.contains(&crate::state::Rule { priority, iif, table }) {
            netlink.delete_rule(message).await?;
        }
    }
    if previous.map(|old| &old.resolv_conf) != Some(&spec.resolv_conf) {
        let (owned, text) = (name.clone(), spec.resolv_conf.clone());
        blocking(move || netns::set_resolv_conf(&owned, text.as_deref())).await?;
    }
    if *firewall_changed {
        let batch = spec.firewall.batch();
        let owned = name.clone();
        blocking(move || nft::apply(&owned, &batch)).await?;
    }
    Ok(())
}
