//! The refusals of the managed prefix list actions (part 2 §17.1–17.2): one family of [`super::Ec2Error`]. Each
//! variant's message is its `#[error]` text; [`PrefixListError::code`] gives AWS's code (the HTTP status is 400
//! for all). An unknown list ID is the table's `Ec2Error::PrefixListNotFound`, which security group rules share.

use thiserror::Error;

/// A prefix list action's refusal; reaches the client as `Ec2Error::PrefixList`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PrefixListError {
    /// §17.1 [D]: AWS-managed lists can't be modified, restored or deleted. ASSUMPTION (code and text [I]; the
    /// spec offers `InvalidParameterValue` or `UnauthorizedOperation`): `InvalidParameterValue`, as the caller's
    /// request names a list no caller may change, which is not a permissions question.
    #[error("The prefix list {0} is managed by AWS and cannot be modified or deleted.")]
    AwsManaged(String),
    /// §17.2 [D]: `AddressFamily` is `IPv4` or `IPv6`. ASSUMPTION (text [I]).
    #[error("Value ({0}) for parameter addressFamily is invalid. Valid values: IPv4, IPv6")]
    InvalidAddressFamily(String),
    /// §17.2 [D]: `MaxEntries` is 1 to 1,000. ASSUMPTION (text [I]).
    #[error("Value ({0}) for parameter maxEntries is invalid. The value must be between 1 and 1000.")]
    InvalidMaxEntries(i64),
    /// §17.2 [D]: a list holds at most `MaxEntries` entries. ASSUMPTION (text [I]).
    #[error("The prefix list can hold at most {max_entries} entries; the request leaves {entries}.")]
    TooManyEntries {
        /// The entries the request would leave.
        entries: usize,
        /// The list's `MaxEntries`.
        max_entries: u32,
    },
    /// §17.2 [D]: `MaxEntries` can't shrink below the entries the list holds. ASSUMPTION (text [I]).
    #[error("The maximum number of entries ({max_entries}) cannot be less than the number of entries ({entries}).")]
    MaxEntriesBelowEntries {
        /// The entries the list holds.
        entries: usize,
        /// The `MaxEntries` asked for.
        max_entries: u32,
    },
    /// §17.2: an entry that is not a CIDR block in canonical form. ASSUMPTION (text [I]).
    #[error("The CIDR '{0}' is invalid.")]
    InvalidCidr(String),
    /// §17.2 [D]: one address family per list. ASSUMPTION (text [I]).
    #[error("The CIDR '{cidr}' does not belong to the prefix list's address family ({family}).")]
    WrongFamily {
        /// The entry as sent.
        cidr: String,
        /// `IPv4` or `IPv6`.
        family: &'static str,
    },
    /// §17.2: the same CIDR twice, or added when the list holds it. ASSUMPTION (text [I]).
    #[error("The CIDR '{0}' is a duplicate entry in the prefix list.")]
    DuplicateEntry(String),
    /// §17.2: RemoveEntry of a CIDR the list does not hold. ASSUMPTION (text [I]).
    #[error("The CIDR '{0}' is not an entry of the prefix list.")]
    EntryNotFound(String),
    /// §17.2 [O tf-provider-aws error matcher]: a stale `CurrentVersion`.
    #[error("The prefix list has the incorrect version number.")]
    VersionMismatch,
    /// §17.2: `TargetVersion`/`PreviousVersion` the list does not keep. ASSUMPTION (code and text [I]).
    #[error("The prefix list {prefix_list_id} has no version {version}.")]
    VersionNotFound {
        /// The list.
        prefix_list_id: String,
        /// The version asked for.
        version: i64,
    },
    /// §17.2 [D]: a name starting with `com.amazonaws` is AWS's. ASSUMPTION (text [I]).
    #[error("The prefix list name cannot start with 'com.amazonaws'.")]
    ReservedName,
    /// §20 [D]: 100 customer-managed lists per Region, under `--quotas aws`. ASSUMPTION (code and text [I]).
    #[error("The maximum number of prefix lists has been reached.")]
    LimitExceeded,
    /// §17.3 [D]: a gateway (edge) route table can't route to a prefix list. ASSUMPTION (code and text [I]).
    #[error("The route table {0} is associated with a gateway and cannot have routes to a prefix list.")]
    GatewayRouteTable(String),
    /// §17.3: DeleteRoute of a prefix list the table has no route to. ASSUMPTION (text [I]; the code is the one a
    /// missing CIDR route gets).
    #[error("no route with destination-prefix-list-id {prefix_list_id} in route table {route_table_id}")]
    RouteNotFound {
        /// The list the request named.
        prefix_list_id: String,
        /// The route table searched.
        route_table_id: String,
    },
    /// §17.2 [D]: DeleteManagedPrefixList is refused while a resource references the list. ASSUMPTION (code and
    /// text [I]): `DependencyViolation`, EC2's code for deleting what something else still uses.
    #[error("The prefix list {prefix_list_id} is referenced by {resource_id} and cannot be deleted.")]
    InUse {
        /// The list.
        prefix_list_id: String,
        /// The first resource (by ID) that references it.
        resource_id: String,
    },
}

impl PrefixListError {
    /// AWS's error code.
    pub fn code(&self) -> &'static str {
        use PrefixListError::*;
        match self {
            AwsManaged(_)
            | InvalidAddressFamily(_)
            | InvalidMaxEntries(_)
            | TooManyEntries { .. }
            | MaxEntriesBelowEntries { .. }
            | InvalidCidr(_)
            | WrongFamily { .. }
            | DuplicateEntry(_)
            | EntryNotFound(_)
            | VersionNotFound { .. }
            | ReservedName => "InvalidParameterValue",
            VersionMismatch => "PrefixListVersionMismatch",
            LimitExceeded => "PrefixListLimitExceeded",
            InUse { .. } => "DependencyViolation",
            GatewayRouteTable(_) => "InvalidParameterValue",
            RouteNotFound { .. } => "InvalidRoute.NotFound",
        }
    }
}
