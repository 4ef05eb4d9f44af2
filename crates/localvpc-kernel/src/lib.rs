//! The kernel data plane of localvpc: a compiled [`Topology`](localvpc_engine::Topology) realised as Linux network
//! namespaces, veth links, bridges, routes, policy rules and nftables rulesets, so real programs (ping, curl, ssh,
//! traceroute) meet what AWS would do.
//!
//! Layers:
//! - [`names`]: what everything is called (all under the server's prefix, `lv-` by default).
//! - [`state`]: the desired kernel state as plain, comparable data.
//! - [`firewall`]: nftables tables as typed values, rendered to JSON batches.
//! - [`plan`]: `Topology` → [`state::KernelState`], pure (unit-tested without root).
//! - `netns`, `netlink`, `nft`: the only code that touches the kernel (namespaces; links, addresses, routes,
//!   rules and neighbours over rtnetlink; nftables batches through libnftables inside a namespace).
//! - [`flow_capture`]: VPC flow logs of real traffic, read from the NFLOG groups the plan logs to.
//! - [`console`]: user data run once in an instance's namespace, its output kept for `GetConsoleOutput`.
//! - [`resolver`]: the DNS servers at each VPC's base + 2 (and the internet's public resolver), answering what
//!   the engine's DNS views say.
//! - [`endpoint_service`]: the AWS service behind each gateway VPC endpoint, listening on its ports in the
//!   endpoint's namespace.
//! - [`apply`]: the [`Realizer`](apply::Realizer), which diffs the desired state against what it applied (and, on
//!   start, against what the kernel holds) and changes only what differs; [`apply::Realizer::teardown`] removes
//!   everything the prefix owns.
//!
//! Architecture invariant: no AWS rule lives here. The topology already says which route is active, which peering
//! carries traffic and which rule allows what; this crate only translates that into kernel objects. Nothing it
//! creates lives outside its own namespaces: the host's interfaces, routes and rulesets are never touched.
#![warn(missing_docs)]

pub mod apply;
pub mod console;
pub mod endpoint_service;
pub mod firewall;
pub mod flow_capture;
pub mod names;
mod netlink;
pub mod netns;
mod nft;
pub mod plan;
pub mod resolver;
pub mod state;

pub use apply::Realizer;
pub use console::Consoles;
pub use endpoint_service::EndpointServices;
pub use flow_capture::FlowCapture;

pub use names::Names;
pub use plan::plan;
pub use resolver::Resolvers;
