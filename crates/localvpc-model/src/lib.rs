//! The AWS VPC resource model and the control-plane rules of localvpc.
//!
//! This crate owns every AWS rule about *resources*: what a valid CIDR is, which subnet may be created where, when
//! a VPC may be deleted, what a route's state is. It does no I/O: it neither reads a clock (time arrives in
//! [`Tx`]) nor touches a store (it produces a list of [`Change`]s that the caller persists).
//!
//! The main types:
//! - [`World`]: the whole emulated cloud, every `(account, region)` [`Scope`] with its [`RegionState`]. It is built
//!   on persistent maps (`imbl`), so cloning it is cheap: a mutation works on a clone and is either committed whole
//!   or dropped whole, which is how "a failed request changes nothing" is guaranteed structurally.
//! - [`Tx`]: one mutation in progress. Resource rule functions (`vpc::create_vpc`, `subnet::create_subnet`, …)
//!   take a `&mut Tx`, validate, and apply; the `Tx` records which records changed so the caller can persist
//!   exactly those.
//! - [`Ec2Error`]: every EC2 error code and message localvpc can return, in one enum.
//! - [`Quotas`]: which of AWS's default quotas (spec §5) the rules enforce; none unless the server is told to.
//!
//! Each AWS resource has one module named after its AWS noun: the type, its filters, and its rules.
#![warn(missing_docs)]

pub mod account;
pub mod address;
pub mod authentication;
pub mod availability_zone;
pub mod cidr;
pub mod customer_gateway;
pub mod dhcp_options;
pub mod dns_name;
pub mod egress_only_internet_gateway;
pub mod error;
pub mod filter;
pub mod flow_log;
pub mod ids;
pub mod image;
pub mod index;
pub mod instance;
pub mod instance_type;
pub mod internet_gateway;
pub mod ipv6;
pub mod key_pair;
pub mod launch_template;
pub mod nat_gateway;
pub mod network_acl;
pub mod network_insights;
pub mod network_interface;
pub mod prefix_list;
pub mod quotas;
pub mod route_table;
pub mod security_group;
pub mod subnet;
pub mod subnet_cidr_reservation;
pub mod tags;
pub mod transit_gateway;
pub mod volume;
pub mod vpc;
pub mod vpc_endpoint;
pub mod vpc_peering;
pub mod vpn_connection;
pub mod vpn_gateway;
pub mod vpn_state;
mod world;

pub use error::{
    Ec2Error, FlowLogError, Ipv6Error, LaunchTemplateError, NatGatewayError, NetworkInterfaceError, PrefixListError,
    TransitGatewayError, VolumeError, VpcEndpointError, VpnError,
};
pub use filter::{Filter, Filterable, Page, PageRequest};
pub use quotas::Quotas;
pub use tags::{Tag, Tags};
pub use world::{
    civil_from_days, Change, LoadError, RegionMeta, RegionState, Resource, Scope, SpanningResource, Table, Timestamp,
    Tx, World,
};

/// The account used when the access key is not a 12-digit number (the DESIGN contract; moto uses the same).
pub const DEFAULT_ACCOUNT: &str = "123456789012";
/// The region used when a request carries no SigV4 credential scope.
pub const DEFAULT_REGION: &str = "us-east-1";

/// The result type of every control-plane rule.
pub type Result<T, E = Ec2Error> = std::result::Result<T, E>;
