//! Where every box of the map goes: a pure function from a [`Scene`] to positions, in SVG pixels.
//!
//! The rules, chosen so that a map stays put while a network grows:
//! - VPC boxes share one width and fill a grid of [`COLUMNS`] columns, row by row, in the scene's order (creation
//!   order, new ones last). A new VPC therefore takes the next free cell and moves no other box; a box that grows
//!   (a new subnet or instance) only pushes the rows below it down.
//! - Inside a box, subnets stack by Availability Zone (zones by name, subnets in creation order) and instances
//!   stack inside their subnet (launch order), so every box keeps the one width and nothing inside ever overlaps.
//! - An internet gateway straddles the top edge of its VPC's box, on the left; the emulated internet is a strip
//!   across the top.
//! - A peering edge between neighbours of one row is a straight line through the gap between them, its label in
//!   the gap; any other edge runs in the gutters — down into the gutter below the upper box's row, along it, down a
//!   column gap if it must cross rows, and into the other box — with a lane of its own in each gutter it uses, so
//!   labels never overlap a box or each other.

use std::collections::HashMap;

use super::scene::{Scene, VpcNode};

/// VPC boxes per row.
pub(crate) const COLUMNS: usize = 3;
/// The width of every VPC box.
pub(crate) const VPC_W: i32 = 236;
/// The gap between two columns: room for a peering label. Three columns and two gaps fit a 1280-pixel window
/// beside the console's navigation without scaling.
const COL_GAP: i32 = 122;
const MARGIN: i32 = 8;
/// The internet strip across the top.
const INTERNET_H: i32 = 24;
/// Inside a VPC box.
const PAD: i32 = 10;
/// A VPC box's header: name (below the gateway on the top edge), ID, then one line per row of CIDRs.
const HEAD_TOP: i32 = 44;
const CIDR_LINE: i32 = 13;
const HEAD_BOTTOM: i32 = 10;
/// A zone's label above its subnets.
const ZONE_LABEL: i32 = 15;
const ZONE_GAP: i32 = 4;
/// A subnet box: its two header lines, then its instances.
const SUBNET_HEAD: i32 = 34;
const SUBNET_PAD: i32 = 7;
const SUBNET_GAP: i32 = 8;
/// An instance row (two lines).
const INSTANCE_H: i32 = 32;
const INSTANCE_GAP: i32 = 4;
/// "No subnets" in an empty VPC box.
const EMPTY_H: i32 = 30;
/// An internet gateway on the top edge.
pub(crate) const IGW_W: i32 = 156;
pub(crate) const IGW_H: i32 = 20;
/// A peering edge's label (three lines), just above its line.
pub(crate) const LABEL_W: i32 = 116;
pub(crate) const LABEL_H: i32 = 40;
const LABEL_LIFT: i32 = 3;
/// Between rows without edges: room for the next row's gateways.
const GUTTER: i32 = 36;
/// A gutter lane that carries a label, and one that only carries a line.
const LABEL_LANE: i32 = LABEL_H + 6;
const LINE_LANE: i32 = 10;
/// Where the first straight edge between neighbours crosses, below the boxes' tops: level with the first subnet's
/// header, so a probe's line through it runs nearly straight.
const DIRECT_TOP: i32 = 96;
/// Characters of CIDR text per header line (10.5 px monospace).
const CIDR_CHARS: usize = ((VPC_W - 2 * PAD) as usize * 10) / 64;

/// A rectangle in SVG pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rect {
    pub(crate) x: i32,
    pub(crate) y: i32,
    pub(crate) w: i32,
    pub(crate) h: i32,
}

impl Rect {
    pub(crate) fn right(&self) -> i32 {
        self.x + self.w
    }

    pub(crate) fn bottom(&self) -> i32 {
        self.y + self.h
    }

    pub(crate) fn center(&self) -> (i32, i32) {
        (self.x + self.w / 2, self.y + self.h / 2)
    }

    /// `inner` lies within this rectangle (edges may touch).
    #[cfg(test)]
    pub(crate) fn contains(&self, inner: &Rect) -> bool {
        inner.x >= self.x && inner.y >= self.y && inner.right() <= self.right() && inner.bottom() <= self.bottom()
    }

    /// The two share area (touching edges do not count).
    #[cfg(test)]
    pub(crate) fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.right() && other.x < self.right() && self.y < other.bottom() && other.y < self.bottom()
    }

    fn moved(self, dx: i32, dy: i32) -> Rect {
        Rect { x: self.x + dx, y: self.y + dy, ..self }
    }
}

/// Every position of a map.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Layout {
    pub(crate) width: i32,
    pub(crate) height: i32,
    /// The internet strip.
    pub(crate) internet: Rect,
    /// One per VPC of the scene, in its order.
    pub(crate) vpcs: Vec<VpcPlace>,
    /// One per peering of the scene, in its order (`None` when an end is not on the map).
    pub(crate) edges: Vec<Option<EdgePlace>>,
}

/// A VPC box and what is inside it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VpcPlace {
    pub(crate) rect: Rect,
    /// The CIDRs, wrapped into header lines.
    pub(crate) cidr_lines: Vec<String>,
    /// The internet gateway on the top edge.
    pub(crate) igw: Option<Rect>,
    /// One per zone of the VPC, in its order.
    pub(crate) zones: Vec<ZonePlace>,
    /// Where "No subnets" goes (an own VPC without any), or for a peer VPC the note that its inside is not shown.
    pub(crate) empty: Option<Rect>,
}

/// A zone's label and its subnets.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ZonePlace {
    /// The label's box (its text sits on the lower edge).
    pub(crate) label: Rect,
    pub(crate) subnets: Vec<SubnetPlace>,
}

/// A subnet box and its instance rows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SubnetPlace {
    pub(crate) rect: Rect,
    pub(crate) instances: Vec<Rect>,
}

/// A peering edge: the line's corners, and its label, which sits just above the point `middle` of the line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EdgePlace {
    pub(crate) points: Vec<(i32, i32)>,
    pub(crate) label: Rect,
    pub(crate) middle: (i32, i32),
}

/// Lays a scene out.
pub(crate) fn layout(scene: &Scene) -> Layout {
    let mut boxes: Vec<VpcPlace> = scene.vpcs.iter().map(place_box).collect();
    let rows = boxes.len().div_ceil(COLUMNS);
    let row_heights: Vec<i32> = (0..rows)
        .map(|row| {
            boxes[row * COLUMNS..boxes.len().min((row + 1) * COLUMNS)].iter().map(|b| b.rect.h).max().unwrap_or(0)
        })
        .collect();
    let index: HashMap<&str, usize> = scene.vpcs.iter().enumerate().map(|(i, vpc)| (vpc.id.as_str(), i)).collect();
    let plans = plan_edges(scene, &index, &boxes);
    let gutters = gutter_heights(rows, &plans);
    let left = MARGIN;
    let mut row_tops = Vec::with_capacity(rows);
    let mut y = INTERNET_H + GUTTER;
    for row in 0..rows {
        row_tops.push(y);
        y += row_heights[row] + gutters[row].iter().sum::<i32>() + GUTTER;
    }
    let height = y - GUTTER + MARGIN;
    let columns = boxes.len().clamp(1, COLUMNS) as i32;
    let width = left + columns * VPC_W + (columns - 1) * COL_GAP + MARGIN;
    for (i, place) in boxes.iter_mut().enumerate() {
        let (row, col) = (i / COLUMNS, (i % COLUMNS) as i32);
        translate(place, left + col * (VPC_W + COL_GAP), row_tops[row]);
    }
    let frame = Frame { boxes: &boxes, row_tops: &row_tops, row_heights: &row_heights, gutters: &gutters, width };
    let edges = route_edges(&frame, &plans);
    Layout { width, height, internet: Rect { x: 0, y: 0, w: width, h: INTERNET_H }, vpcs: boxes, edges }
}

/// A box and its contents, placed at the origin.
fn place_box(vpc: &VpcNode) -> VpcPlace {
    let cidr_lines = wrap(&vpc.cidrs, CIDR_CHARS);
    let mut y = HEAD_TOP + CIDR_LINE * cidr_lines.len().max(1) as i32 + HEAD_BOTTOM;
    let inner = VPC_W - 2 * PAD;
    let mut zones = Vec::with_capacity(vpc.zones.len());
    let mut empty = None;
    if vpc.zones.is_empty() {
        empty = Some(Rect { x: PAD, y, w: inner, h: EMPTY_H });
        y += EMPTY_H + SUBNET_GAP;
    }
    for zone in &vpc.zones {
        let label = Rect { x: PAD, y, w: inner, h: ZONE_LABEL };
        y += ZONE_LABEL;
        let mut subnets = Vec::with_capacity(zone.subnets.len());
        for subnet in &zone.subnets {
            let mut row_y = y + SUBNET_HEAD;
            let instances: Vec<Rect> = subnet
                .instances
                .iter()
                .map(|_| {
                    let rect = Rect { x: PAD + SUBNET_PAD, y: row_y, w: inner - 2 * SUBNET_PAD, h: INSTANCE_H };
                    row_y += INSTANCE_H + INSTANCE_GAP;
                    rect
                })
                .collect();
            let h = if instances.is_empty() { SUBNET_HEAD } else { row_y - y - INSTANCE_GAP + SUBNET_PAD };
            subnets.push(SubnetPlace { rect: Rect { x: PAD, y, w: inner, h }, instances });
            y += h + SUBNET_GAP;
        }
        zones.push(ZonePlace { label, subnets });
        y += ZONE_GAP;
    }
    // Without the gaps that follow the last subnet and zone.
    let h = if zones.is_empty() { y - SUBNET_GAP + PAD } else { y - SUBNET_GAP - ZONE_GAP + PAD };
    let igw = vpc.internet_gateway.as_ref().map(|_| Rect { x: PAD, y: -IGW_H / 2, w: IGW_W, h: IGW_H });
    VpcPlace { rect: Rect { x: 0, y: 0, w: VPC_W, h }, cidr_lines, igw, zones, empty }
}

/// The CIDRs joined by `, ` into lines of at most `width` characters (a longer CIDR gets a line of its own).
fn wrap(cidrs: &[String], width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for cidr in cidrs {
        match lines.last_mut() {
            Some(line) if line.len() + 2 + cidr.len() <= width => {
                line.push_str(", ");
                line.push_str(cidr);
            }
            _ => lines.push(cidr.clone()),
        }
    }
    lines
}

fn translate(place: &mut VpcPlace, dx: i32, dy: i32) {
    place.rect = place.rect.moved(dx, dy);
    place.igw = place.igw.map(|igw| igw.moved(dx, dy));
    place.empty = place.empty.map(|empty| empty.moved(dx, dy));
    for zone in &mut place.zones {
        zone.label = zone.label.moved(dx, dy);
        for subnet in &mut zone.subnets {
            subnet.rect = subnet.rect.moved(dx, dy);
            for instance in &mut subnet.instances {
                *instance = instance.moved(dx, dy);
            }
        }
    }
}

/// How an edge will run, decided from the grid cells of its ends before the rows get their final heights.
#[derive(Debug, Clone, Copy)]
struct Plan {
    /// The upper (or left) end and the other one, as box indexes.
    a: usize,
    b: usize,
    route: Route,
    /// The column gap a cross-row edge goes down: the one beside the lower box's column (on its left, or for the
    /// first column on its right, so the map's margin never widens).
    gap: Option<usize>,
}

#[derive(Debug, Clone, Copy)]
enum Route {
    /// Neighbours in one row: the `n`-th straight edge between them.
    Direct(i32),
    /// Through the gutter below `a`'s row, on lane `lane`; across rows, then down the gap and along the gutter
    /// above `b`'s row on lane `lower_lane`.
    Gutter { lane: usize, lower_lane: Option<usize> },
}

fn row_of(i: usize) -> usize {
    i / COLUMNS
}

fn col_of(i: usize) -> usize {
    i % COLUMNS
}

fn plan_edges(scene: &Scene, index: &HashMap<&str, usize>, boxes: &[VpcPlace]) -> Vec<Option<Plan>> {
    let mut direct: HashMap<(usize, usize), i32> = HashMap::new();
    let mut lanes: HashMap<usize, usize> = HashMap::new();
    let mut next_lane = |gutter: usize| {
        let lane = lanes.entry(gutter).or_insert(0);
        *lane += 1;
        *lane - 1
    };
    scene
        .peerings
        .iter()
        .map(|edge| {
            let (&from, &to) = (index.get(edge.from.as_str())?, index.get(edge.to.as_str())?);
            if from == to {
                return None;
            }
            let (a, b) = (from.min(to), from.max(to));
            let neighbours = row_of(a) == row_of(b) && col_of(b) == col_of(a) + 1;
            if neighbours {
                let n = direct.entry((a, b)).or_insert(0);
                let room = boxes[a].rect.h.min(boxes[b].rect.h);
                if DIRECT_TOP + *n * LABEL_LANE <= room - 8 {
                    *n += 1;
                    return Some(Plan { a, b, route: Route::Direct(*n - 1), gap: None });
                }
            }
            let lane = next_lane(row_of(a));
            let crosses = row_of(b) > row_of(a) + 1;
            let lower_lane = crosses.then(|| next_lane(row_of(b) - 1));
            Some(Plan { a, b, route: Route::Gutter { lane, lower_lane }, gap: crosses.then_some(col_of(b)) })
        })
        .collect()
}

/// Per gutter (below each row), the height of each lane in order.
fn gutter_heights(rows: usize, plans: &[Option<Plan>]) -> Vec<Vec<i32>> {
    let mut gutters: Vec<Vec<i32>> = vec![Vec::new(); rows];
    let mut set = |gutter: usize, lane: usize, height: i32| {
        let lanes = &mut gutters[gutter];
        if lanes.len() <= lane {
            lanes.resize(lane + 1, 0);
        }
        lanes[lane] = lanes[lane].max(height);
    };
    for plan in plans.iter().flatten() {
        if let Route::Gutter { lane, lower_lane } = plan.route {
            set(row_of(plan.a), lane, LABEL_LANE);
            if let Some(lower) = lower_lane {
                set(row_of(plan.b) - 1, lower, LINE_LANE);
            }
        }
    }
    gutters
}

/// The placed boxes and rows an edge is routed through.
struct Frame<'a> {
    boxes: &'a [VpcPlace],
    row_tops: &'a [i32],
    row_heights: &'a [i32],
    gutters: &'a [Vec<i32>],
    width: i32,
}

impl Frame<'_> {
    /// Where the line of lane `lane` of the gutter below `row` runs: at the bottom of a lane with a label (the
    /// label above it), in the middle of one without.
    fn lane_y(&self, row: usize, lane: usize) -> i32 {
        let top = self.row_tops[row] + self.row_heights[row] + GUTTER / 3;
        let height = self.gutters[row][lane];
        let within = if height == LABEL_LANE { LABEL_LIFT + LABEL_H + 2 } else { height / 2 };
        top + self.gutters[row][..lane].iter().sum::<i32>() + within
    }

    /// The edge's label above `(x, y)` on its line (kept inside the map), and the point of the line below it.
    fn label_at(&self, (x, y): (i32, i32)) -> (Rect, (i32, i32)) {
        let left = (x - LABEL_W / 2).clamp(2, (self.width - LABEL_W - 2).max(2));
        (Rect { x: left, y: y - LABEL_LIFT - LABEL_H, w: LABEL_W, h: LABEL_H }, (left + LABEL_W / 2, y))
    }
}

fn route_edges(frame: &Frame<'_>, plans: &[Option<Plan>]) -> Vec<Option<EdgePlace>> {
    // Ends on a box's bottom or top, right to left (the gateway sits on the left of the top edge).
    let mut bottoms: HashMap<usize, i32> = HashMap::new();
    let mut tops: HashMap<usize, i32> = HashMap::new();
    let mut gap_lanes: HashMap<usize, i32> = HashMap::new();
    let anchor = |counters: &mut HashMap<usize, i32>, i: usize| {
        let rect = frame.boxes[i].rect;
        let n = counters.entry(i).or_insert(0);
        *n += 1;
        (rect.right() - 22 - 14 * (*n - 1)).max(rect.x + IGW_W + 2 * PAD)
    };
    plans
        .iter()
        .map(|plan| {
            let plan = (*plan)?;
            let (a, b) = (frame.boxes[plan.a].rect, frame.boxes[plan.b].rect);
            match plan.route {
                Route::Direct(n) => {
                    let y = a.y.max(b.y) + DIRECT_TOP + n * LABEL_LANE;
                    let points = vec![(a.right(), y), (b.x, y)];
                    let (label, middle) = frame.label_at(((a.right() + b.x) / 2, y));
                    Some(EdgePlace { label, middle, points })
                }
                Route::Gutter { lane, lower_lane } => {
                    let xa = anchor(&mut bottoms, plan.a);
                    let y = frame.lane_y(row_of(plan.a), lane);
                    let same_row = row_of(plan.a) == row_of(plan.b);
                    let xb = if same_row { anchor(&mut bottoms, plan.b) } else { anchor(&mut tops, plan.b) };
                    let end = if same_row { b.bottom() } else { b.y };
                    let mut points = vec![(xa, a.bottom()), (xa, y)];
                    let label_span = match (lower_lane, plan.gap) {
                        (Some(lower), Some(gap)) => {
                            let n = gap_lanes.entry(gap).or_insert(0);
                            *n += 1;
                            let x = if gap == 0 { b.right() + 10 + 6 * (*n - 1) } else { b.x - 10 - 6 * (*n - 1) };
                            let y2 = frame.lane_y(row_of(plan.b) - 1, lower);
                            points.extend([(x, y), (x, y2), (xb, y2)]);
                            (xa, x)
                        }
                        _ => {
                            points.push((xb, y));
                            (xa, xb)
                        }
                    };
                    points.push((xb, end));
                    let (label, middle) = frame.label_at(((label_span.0 + label_span.1) / 2, y));
                    Some(EdgePlace { label, middle, points })
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::scene::{InstanceNode, PeeringEdge, Routes, Side, SubnetNode, Zone};

    fn instance(v: usize, n: usize) -> InstanceNode {
        InstanceNode {
            id: format!("i-{v:02}{n:015}"),
            name: Some(format!("web-{v}-{n}")),
            private_ip: format!("10.{v}.{}.{}", n % 2, 10 + n),
            public_ip: n.is_multiple_of(5).then(|| format!("198.18.{v}.{n}")),
            state: if n.is_multiple_of(7) { "stopped" } else { "running" }.into(),
        }
    }

    /// `vpcs` VPCs; VPC v has `per_vpc` instances split over two subnets in two zones (the last VPC's second
    /// subnet empty), every third an internet gateway; peerings in a ring and across rows, and two peer boxes.
    fn scene(vpcs: usize, per_vpc: usize) -> Scene {
        let mut scene = Scene::default();
        for v in 0..vpcs {
            let zones = ["us-east-1a", "us-east-1b"]
                .iter()
                .enumerate()
                .map(|(z, zone)| Zone {
                    name: zone.to_string(),
                    subnets: vec![SubnetNode {
                        id: format!("subnet-{v:02}{z:015}"),
                        name: Some(format!("subnet {z}")),
                        cidr: format!("10.{v}.{z}.0/24"),
                        instances: (0..per_vpc)
                            .filter(|n| n % 2 == z && !(v == vpcs - 1 && z == 1))
                            .map(|n| instance(v, n))
                            .collect(),
                    }],
                })
                .collect();
            scene.vpcs.push(VpcNode {
                id: format!("vpc-{v:017}"),
                name: Some(format!("vpc {v}")),
                cidrs: (0..1 + v % 4).map(|c| format!("10.{v}.{c}.0/16")).collect(),
                side: Side::Own { default: v == 0 },
                internet_gateway: (v % 3 == 0).then(|| format!("igw-{v:017}")),
                zones,
            });
        }
        for (n, account) in ["210987654321", "333333333333"].iter().enumerate() {
            scene.vpcs.push(VpcNode {
                id: format!("vpc-peer{n:013}"),
                name: None,
                cidrs: vec![format!("172.16.{n}.0/24")],
                side: Side::Peer { account: account.to_string(), region: "eu-west-1".into() },
                internet_gateway: None,
                zones: Vec::new(),
            });
        }
        let edge = |n: usize, from: &str, to: &str| PeeringEdge {
            id: format!("pcx-{n:017}"),
            name: None,
            from: from.into(),
            to: to.into(),
            status: "active".into(),
            routes: Routes::Both,
        };
        let ids: Vec<String> = scene.vpcs.iter().map(|vpc| vpc.id.clone()).collect();
        let mut n = 0;
        for v in 0..vpcs.saturating_sub(1) {
            scene.peerings.push(edge(n, &ids[v], &ids[v + 1]));
            n += 1;
            if v + 7 < vpcs {
                scene.peerings.push(edge(n, &ids[v + 7], &ids[v]));
                n += 1;
            }
        }
        scene.peerings.push(edge(n, &ids[1], &ids[vpcs]));
        scene.peerings.push(edge(n + 1, &ids[vpcs + 1], &ids[0]));
        scene
    }

    fn all_pairs<T>(items: &[T], mut check: impl FnMut(usize, &T, usize, &T)) {
        for (i, a) in items.iter().enumerate() {
            for (j, b) in items.iter().enumerate().skip(i + 1) {
                check(i, a, j, b);
            }
        }
    }

    #[test]
    fn twenty_vpcs_of_twenty_instances_never_overlap_and_nest() {
        let scene = scene(20, 20);
        let layout = layout(&scene);
        let whole = Rect { x: 0, y: 0, w: layout.width, h: layout.height };
        let boxes: Vec<Rect> = layout.vpcs.iter().map(|vpc| vpc.rect).collect();
        all_pairs(&boxes, |i, a, j, b| assert!(!a.overlaps(b), "VPC boxes {i} and {j} overlap: {a:?} {b:?}"));
        let mut instances = 0;
        for (v, (vpc, node)) in layout.vpcs.iter().zip(&scene.vpcs).enumerate() {
            assert!(whole.contains(&vpc.rect), "VPC {v} leaves the map");
            assert!(!vpc.rect.overlaps(&layout.internet), "VPC {v} under the internet strip");
            let subnets: Vec<&SubnetPlace> = vpc.zones.iter().flat_map(|zone| &zone.subnets).collect();
            assert_eq!(subnets.len(), node.zones.iter().map(|zone| zone.subnets.len()).sum::<usize>());
            let rects: Vec<Rect> = subnets.iter().map(|subnet| subnet.rect).collect();
            all_pairs(&rects, |i, a, j, b| assert!(!a.overlaps(b), "subnets {i} and {j} of VPC {v} overlap"));
            for zone in &vpc.zones {
                assert!(vpc.rect.contains(&zone.label));
                for subnet in &rects {
                    assert!(!zone.label.overlaps(subnet), "a zone label over a subnet of VPC {v}");
                }
            }
            for subnet in subnets {
                assert!(vpc.rect.contains(&subnet.rect), "a subnet outside VPC {v}");
                all_pairs(&subnet.instances, |i, a, j, b| assert!(!a.overlaps(b), "instances {i}, {j} overlap"));
                for row in &subnet.instances {
                    assert!(subnet.rect.contains(row), "an instance outside its subnet in VPC {v}");
                    assert!(row.y >= subnet.rect.y + SUBNET_HEAD, "an instance over its subnet's header");
                    instances += 1;
                }
            }
            if let Some(igw) = vpc.igw {
                assert!(igw.overlaps(&vpc.rect) && igw.y < vpc.rect.y, "the gateway straddles the top edge");
                for (w, other) in boxes.iter().enumerate().filter(|(w, _)| *w != v) {
                    assert!(!igw.overlaps(other), "the gateway of VPC {v} lies on VPC {w}");
                }
            }
        }
        assert_eq!(instances, 19 * 20 + 10);
        let labels: Vec<Rect> = layout.edges.iter().map(|edge| edge.as_ref().expect("both ends drawn").label).collect();
        assert_eq!(labels.len(), scene.peerings.len());
        all_pairs(&labels, |i, a, j, b| assert!(!a.overlaps(b), "labels of edges {i} and {j} overlap"));
        for (e, label) in labels.iter().enumerate() {
            assert!(whole.contains(label), "label {e} leaves the map");
            for (v, vpc) in boxes.iter().enumerate() {
                assert!(!label.overlaps(vpc), "the label of edge {e} lies on VPC {v}");
            }
        }
    }

    #[test]
    fn neighbours_get_a_straight_edge_through_the_gap_between_them() {
        let scene = scene(3, 2);
        let layout = layout(&scene);
        let (a, b) = (layout.vpcs[0].rect, layout.vpcs[1].rect);
        let edge = layout.edges[0].as_ref().unwrap();
        assert_eq!(edge.points.len(), 2);
        assert_eq!(edge.points[0], (a.right(), edge.points[1].1));
        assert!(edge.label.x > a.right() && edge.label.right() < b.x, "{:?} between {a:?} and {b:?}", edge.label);
    }

    #[test]
    fn a_new_vpc_subnet_or_instance_moves_no_box_before_it() {
        let before = scene(7, 4);
        let placed = layout(&before);
        // A new VPC (and a peering to it) takes the next cell: every box before it stays exactly where it was.
        let mut grown = before.clone();
        let mut vpc = grown.vpcs[3].clone();
        vpc.id = "vpc-new".into();
        grown.vpcs.insert(7, vpc);
        grown.peerings.push(PeeringEdge {
            from: "vpc-new".into(),
            to: grown.vpcs[6].id.clone(),
            ..grown.peerings[0].clone()
        });
        let after = layout(&grown);
        for v in 0..7 {
            assert_eq!((after.vpcs[v].rect.x, after.vpcs[v].rect.w), (placed.vpcs[v].rect.x, placed.vpcs[v].rect.w));
            assert_eq!(
                after.vpcs[v].zones,
                placed.vpcs[v]
                    .zones
                    .iter()
                    .map(|zone| {
                        let mut zone = zone.clone();
                        let dy = after.vpcs[v].rect.y - placed.vpcs[v].rect.y;
                        zone.label.y += dy;
                        for subnet in &mut zone.subnets {
                            subnet.rect.y += dy;
                            subnet.instances.iter_mut().for_each(|row| row.y += dy);
                        }
                        zone
                    })
                    .collect::<Vec<_>>()
            );
        }
        for v in 0..COLUMNS {
            assert_eq!(after.vpcs[v].rect, placed.vpcs[v].rect, "the first row does not move");
        }
        // A new instance in VPC 4 (second row) grows that box and leaves the first row and the columns alone.
        let mut grown = before.clone();
        grown.vpcs[4].zones[0].subnets[0].instances.push(instance(4, 99));
        let after = layout(&grown);
        for v in 0..before.vpcs.len() {
            assert_eq!(after.vpcs[v].rect.x, placed.vpcs[v].rect.x);
            if v < COLUMNS {
                assert_eq!(after.vpcs[v].rect, placed.vpcs[v].rect);
            }
        }
        assert_eq!(after.vpcs[4].rect.h, placed.vpcs[4].rect.h + INSTANCE_H + INSTANCE_GAP);
    }

    #[test]
    fn cidrs_wrap_into_lines_that_fit_the_box() {
        let cidrs: Vec<String> = (0..5).map(|n| format!("10.{n}0.0.0/16")).collect();
        let lines = wrap(&cidrs, CIDR_CHARS);
        assert!(lines.len() > 1 && lines.iter().all(|line| line.len() <= CIDR_CHARS), "{lines:?}");
        assert_eq!(lines.join(", "), cidrs.join(", "));
    }
}
