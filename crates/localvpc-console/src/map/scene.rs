//! What the map shows, as plain data: the boxes in the order they are laid out, and the edges between them. The
//! layout ([`super::layout`]) and the SVG ([`super::svg`]) read only this, so they are tested without a world;
//! [`super::read`] fills it from one.

/// A Region's topology as the map draws it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Scene {
    /// The VPC boxes, in layout order (see [`super::read`]: creation order, new ones last).
    pub(crate) vpcs: Vec<VpcNode>,
    /// The peering connections visible to the scope, as edges between two of `vpcs`.
    pub(crate) peerings: Vec<PeeringEdge>,
}

/// One VPC box.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VpcNode {
    /// `vpc-…`.
    pub(crate) id: String,
    /// The `Name` tag.
    pub(crate) name: Option<String>,
    /// Every IPv4 block, the primary first.
    pub(crate) cidrs: Vec<String>,
    /// Whose box it is.
    pub(crate) side: Side,
    /// The internet gateway attached to it.
    pub(crate) internet_gateway: Option<String>,
    /// Its subnets by Availability Zone (empty for another scope's VPC: the scope may not see inside).
    pub(crate) zones: Vec<Zone>,
}

/// Whether a box is the scope's own VPC or the other side of a peering connection.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Side {
    /// A VPC of the scope.
    Own {
        /// The Region's default VPC.
        default: bool,
    },
    /// A peer VPC of another account or Region: only its ID, owner, Region and blocks are shown (what
    /// DescribeVpcPeeringConnections tells the scope).
    Peer {
        /// The owner account.
        account: String,
        /// Its Region.
        region: String,
    },
}

/// The subnets of one Availability Zone, in creation order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Zone {
    /// `us-east-1a`.
    pub(crate) name: String,
    /// Its subnets.
    pub(crate) subnets: Vec<SubnetNode>,
}

/// One subnet box.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SubnetNode {
    /// `subnet-…`.
    pub(crate) id: String,
    /// The `Name` tag.
    pub(crate) name: Option<String>,
    /// Its block.
    pub(crate) cidr: String,
    /// Its instances, in launch order.
    pub(crate) instances: Vec<InstanceNode>,
}

/// One instance row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct InstanceNode {
    /// `i-…`.
    pub(crate) id: String,
    /// The `Name` tag.
    pub(crate) name: Option<String>,
    /// The primary private address.
    pub(crate) private_ip: String,
    /// The public address (Elastic IP or the launch's public address).
    pub(crate) public_ip: Option<String>,
    /// `running`, `stopped`, …
    pub(crate) state: String,
}

/// A peering connection between two boxes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PeeringEdge {
    /// `pcx-…`.
    pub(crate) id: String,
    /// The `Name` tag of the scope's side.
    pub(crate) name: Option<String>,
    /// The requester's VPC (one of the boxes).
    pub(crate) from: String,
    /// The accepter's VPC (one of the boxes).
    pub(crate) to: String,
    /// The status code (`active`, `pending-acceptance`, …).
    pub(crate) status: String,
    /// Which sides route to it.
    pub(crate) routes: Routes,
}

/// Route-table coverage of a peering connection: whether a table of each VPC has a route to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Routes {
    /// Both VPCs are the scope's and both route to it.
    Both,
    /// Both VPCs are the scope's and one routes to it.
    One,
    /// Both VPCs are the scope's and neither routes to it.
    None,
    /// The other side is another scope's (its tables are not shown); whether this side routes to it.
    ThisSide(bool),
}

impl Routes {
    /// The words on the edge.
    pub(crate) fn text(self) -> &'static str {
        match self {
            Routes::Both => "routes both sides",
            Routes::One => "routes one side",
            Routes::None => "no routes",
            Routes::ThisSide(true) => "routes this side",
            Routes::ThisSide(false) => "no routes this side",
        }
    }

    /// A class for the edge label.
    pub(crate) fn class(self) -> &'static str {
        match self {
            Routes::Both | Routes::ThisSide(true) => "routes-ok",
            Routes::One => "routes-partial",
            Routes::None | Routes::ThisSide(false) => "routes-none",
        }
    }
}

/// How a peering status is drawn: waiting (amber), active (green), ended (red, dashed).
pub(crate) fn status_tone(status: &str) -> &'static str {
    match status {
        "active" => "active",
        "pending-acceptance" | "provisioning" | "initiating-request" => "waiting",
        _ => "ended",
    }
}

/// A probe drawn over the map: the elements it crossed, in order, and how each is marked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Overlay {
    /// The verdict was "reachable": the path is green, else red.
    pub(crate) reachable: bool,
    /// The elements the request crossed, in order (consecutive repeats folded), ending where it stopped.
    pub(crate) path: Vec<Element>,
    /// Every element the probe touched (request and answer) and how it is marked.
    pub(crate) marks: Vec<Mark>,
}

/// An element of the map a probe can cross, by resource ID.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Element {
    /// An instance row (its interface, its security groups).
    Instance(String),
    /// A subnet box (its route table, its network ACL).
    Subnet(String),
    /// An internet gateway.
    Gateway(String),
    /// A peering edge.
    Peering(String),
    /// A VPC box (its router; a peer VPC whose inside is not shown).
    Vpc(String),
    /// The internet strip.
    Internet,
}

impl Element {
    /// The kind, for the `data-hop` attribute.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Element::Instance(_) => "instance",
            Element::Subnet(_) => "subnet",
            Element::Gateway(_) => "internet-gateway",
            Element::Peering(_) => "peering-connection",
            Element::Vpc(_) => "vpc",
            Element::Internet => "internet",
        }
    }

    /// The resource ID (`internet` for the internet).
    pub(crate) fn id(&self) -> &str {
        match self {
            Element::Instance(id)
            | Element::Subnet(id)
            | Element::Gateway(id)
            | Element::Peering(id)
            | Element::Vpc(id) => id,
            Element::Internet => "internet",
        }
    }
}

/// How a crossed element is marked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mark {
    pub(crate) element: Element,
    pub(crate) tone: Tone,
    /// What stopped the packet here (the explanation code), for the blocking element.
    pub(crate) note: Option<String>,
}

/// A crossed element's colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    /// On a path that is reachable: green.
    Pass,
    /// Crossed on a path that does not get through: red outline.
    Reached,
    /// Where the packet stopped: red.
    Blocked,
}

impl Tone {
    pub(crate) fn class(self) -> &'static str {
        match self {
            Tone::Pass => "pass",
            Tone::Reached => "reached",
            Tone::Blocked => "blocked",
        }
    }
}
