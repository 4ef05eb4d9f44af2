//! The map as inline SVG: a pure function of the [`Scene`], its [`Layout`] and an optional probe [`Overlay`].
//!
//! Every element carries its resource ID in `data-id` and its kind in its classes (`vpc`, `subnet`, `instance`,
//! `igw`, `edge`, `edge-label`, `hop`), so pages, tests and the stylesheet address them without knowing positions.
//! Colours come from the console's stylesheet (`map-*` rules in `assets/console.css`). SVG elements are always
//! written with a closing tag: inside HTML, `<rect>` without one would swallow its siblings.

use std::borrow::Cow;
use std::collections::HashMap;

use maud::{html, Markup};

use super::layout::{Layout, Rect, LABEL_H};
use super::scene::{status_tone, PeeringEdge};
use super::scene::{Element, InstanceNode, Overlay, Scene, Side, SubnetNode, Tone, VpcNode};

/// Average glyph widths, in pixels, for fitting text into a box.
const SANS_11: f32 = 6.4;
const MONO_10: f32 = 6.0;
const MONO_9: f32 = 5.4;

/// `text` cut with an ellipsis to about `width` pixels at `per_char` pixels a character.
fn fit(text: &str, width: i32, per_char: f32) -> Cow<'_, str> {
    let room = ((width.max(0) as f32) / per_char) as usize;
    if text.chars().count() <= room {
        return Cow::Borrowed(text);
    }
    let kept: String = text.chars().take(room.saturating_sub(1)).collect();
    Cow::Owned(format!("{kept}…"))
}

/// The whole map.
pub(crate) fn render(scene: &Scene, layout: &Layout, overlay: Option<&Overlay>, region: &str) -> Markup {
    let view_box = format!("0 0 {} {}", layout.width, layout.height);
    html! {
        svg class="network-map" xmlns="http://www.w3.org/2000/svg" viewBox=(view_box) width=(layout.width)
            height=(layout.height) role="img" aria-label=(format!("Network map of {region}")) {
            defs {
                @for (id, colour) in [("map-arrow-reachable", "#037f0c"), ("map-arrow-unreachable", "#d91515")] {
                    marker id=(id) viewBox="0 0 10 10" refX="8" refY="5" markerWidth="4" markerHeight="4"
                        orient="auto-start-reverse" { path d="M 0 0 L 10 5 L 0 10 z" fill=(colour) {} }
                }
            }
            g class="internet" data-id="internet" {
                rect class="internet-strip" x=(layout.internet.x) y=(layout.internet.y) width=(layout.internet.w)
                    height=(layout.internet.h) {}
                text class="internet-label" x="12" y=(layout.internet.h / 2 + 4) { "Internet" }
            }
            g class="edges" {
                @for (edge, place) in scene.peerings.iter().zip(&layout.edges) {
                    @if let Some(place) = place { (edge_line(edge, &place.points)) }
                }
            }
            @for (vpc, place) in scene.vpcs.iter().zip(&layout.vpcs) { (vpc_box(vpc, place)) }
            g class="edge-labels" {
                @for (edge, place) in scene.peerings.iter().zip(&layout.edges) {
                    @if let Some(place) = place { (edge_label(edge, place.label)) }
                }
            }
            @if let Some(overlay) = overlay { (probe(overlay, &positions(scene, layout))) }
        }
    }
}

fn points(points: &[(i32, i32)]) -> String {
    let mut text = String::with_capacity(points.len() * 10);
    for (i, (x, y)) in points.iter().enumerate() {
        if i > 0 {
            text.push(' ');
        }
        text.push_str(&format!("{x},{y}"));
    }
    text
}

fn edge_line(edge: &PeeringEdge, corners: &[(i32, i32)]) -> Markup {
    let tone = status_tone(&edge.status);
    html! {
        g class=(format!("edge status-{tone}")) data-id=(edge.id) data-status=(edge.status) {
            title { (edge.id) ": " (edge.from) " → " (edge.to) ", " (edge.status) ", " (edge.routes.text()) }
            polyline class="edge-line" points=(points(corners)) {}
        }
    }
}

fn edge_label(edge: &PeeringEdge, label: Rect) -> Markup {
    let tone = status_tone(&edge.status);
    let x = label.x + label.w / 2;
    let title = edge.name.as_deref().unwrap_or(&edge.id);
    html! {
        g class=(format!("edge-label status-{tone}")) data-id=(edge.id) {
            rect x=(label.x) y=(label.y) width=(label.w) height=(LABEL_H) rx="6" {}
            text class="edge-id" x=(x) y=(label.y + 12) { (fit(title, label.w - 2, MONO_9)) }
            text class="edge-status" x=(x) y=(label.y + 24) { (edge.status) }
            text class=(format!("edge-routes {}", edge.routes.class())) x=(x) y=(label.y + 35) { (edge.routes.text()) }
        }
    }
}

fn vpc_box(vpc: &VpcNode, place: &super::layout::VpcPlace) -> Markup {
    let r = place.rect;
    let (side, title, second) = match (&vpc.side, &vpc.name) {
        (Side::Own { default: true }, Some(name)) => {
            ("vpc own default", name.clone(), Some(format!("{} · default VPC", vpc.id)))
        }
        (Side::Own { default: true }, None) => ("vpc own default", vpc.id.clone(), Some("default VPC".to_string())),
        (Side::Own { .. }, Some(name)) => ("vpc own", name.clone(), Some(vpc.id.clone())),
        (Side::Own { .. }, None) => ("vpc own", vpc.id.clone(), None),
        (Side::Peer { account, region }, _) => {
            ("vpc peer", vpc.id.clone(), Some(format!("account {account} · {region}")))
        }
    };
    html! {
        g class=(side) data-id=(vpc.id) {
            rect class="vpc-box" x=(r.x) y=(r.y) width=(r.w) height=(r.h) rx="10" {}
            text class="vpc-name" x=(r.x + 10) y=(r.y + 25) { (fit(&title, r.w - 20, 8.4)) }
            @if let Some(second) = &second { text class="vpc-id" x=(r.x + 10) y=(r.y + 39) { (second) } }
            @for (i, line) in place.cidr_lines.iter().enumerate() {
                text class="vpc-cidr" x=(r.x + 10) y=(r.y + 54 + 13 * i as i32) { (line) }
            }
            @if let Some(empty) = place.empty {
                text class="map-empty" x=(empty.x + 4) y=(empty.y + 15) {
                    @if matches!(vpc.side, Side::Own { .. }) { "No subnets" } @else { "Its inside is not shown" }
                }
            }
            @for (zone, zone_place) in vpc.zones.iter().zip(&place.zones) {
                text class="zone-label" x=(zone_place.label.x + 2) y=(zone_place.label.bottom() - 4) { (zone.name) }
                @for (subnet, subnet_place) in zone.subnets.iter().zip(&zone_place.subnets) {
                    (subnet_box(subnet, subnet_place))
                }
            }
            @if let (Some(igw), Some(id)) = (place.igw, &vpc.internet_gateway) {
                g class="igw" data-id=(id) {
                    title { "Internet gateway " (id) " attached to " (vpc.id) }
                    rect x=(igw.x) y=(igw.y) width=(igw.w) height=(igw.h) rx="4" {}
                    text x=(igw.x + igw.w / 2) y=(igw.y + 14) { (id) }
                }
            }
        }
    }
}

fn subnet_box(subnet: &SubnetNode, place: &super::layout::SubnetPlace) -> Markup {
    let r = place.rect;
    let id_width = (subnet.id.len() as f32 * MONO_9) as i32;
    html! {
        g class="subnet" data-id=(subnet.id) {
            rect class="subnet-box" x=(r.x) y=(r.y) width=(r.w) height=(r.h) rx="6" {}
            @if let Some(name) = &subnet.name {
                text class="subnet-name" x=(r.x + 7) y=(r.y + 14) { (fit(name, r.w - 20 - id_width, SANS_11)) }
                text class="subnet-id" x=(r.right() - 7) y=(r.y + 14) { (subnet.id) }
            } @else {
                text class="subnet-name" x=(r.x + 7) y=(r.y + 14) { (subnet.id) }
            }
            text class="subnet-cidr" x=(r.x + 7) y=(r.y + 27) { (subnet.cidr) }
            @for (instance, row) in subnet.instances.iter().zip(&place.instances) { (instance_row(instance, *row)) }
        }
    }
}

fn instance_row(instance: &InstanceNode, r: Rect) -> Markup {
    let id_width = (instance.id.len() as f32 * MONO_10) as i32;
    let name = instance.name.as_deref().map(|name| fit(name, r.w - 28 - id_width, SANS_11));
    html! {
        g class=(format!("instance state-{}", instance.state)) data-id=(instance.id) {
            title {
                (instance.name.as_deref().unwrap_or("")) " " (instance.id) " (" (instance.state) "): " (instance.private_ip)
                @if let Some(public) = &instance.public_ip { ", public " (public) }
            }
            rect class="instance-box" x=(r.x) y=(r.y) width=(r.w) height=(r.h) rx="4" {}
            circle class="state-dot" cx=(r.x + 9) cy=(r.y + 10) r="4" {}
            @if let Some(name) = &name {
                text class="instance-name" x=(r.x + 18) y=(r.y + 14) { (name) }
                text class="instance-id" x=(r.right() - 6) y=(r.y + 14) { (instance.id) }
            } @else {
                text class="instance-name" x=(r.x + 18) y=(r.y + 14) { (instance.id) }
            }
            text class="instance-ip" x=(r.x + 18) y=(r.y + 27) { (instance.private_ip) }
            @if let Some(public) = &instance.public_ip {
                text class="instance-public" x=(r.right() - 6) y=(r.y + 27) { "↗ " (public) }
            }
        }
    }
}

/// Where an element a probe can cross is drawn: the box its mark outlines, and the box the path line stops at
/// (for a peering connection, the point of its line under the label).
#[derive(Debug, Clone, Copy)]
struct Spot {
    mark: Rect,
    body: Rect,
}

/// Every element of the map a probe can cross.
fn positions(scene: &Scene, layout: &Layout) -> HashMap<Element, Spot> {
    let mut at = HashMap::new();
    let mut put = |element: Element, rect: Rect| at.insert(element, Spot { mark: rect, body: rect });
    put(Element::Internet, layout.internet);
    for (vpc, place) in scene.vpcs.iter().zip(&layout.vpcs) {
        put(Element::Vpc(vpc.id.clone()), place.rect);
        if let (Some(id), Some(igw)) = (&vpc.internet_gateway, place.igw) {
            put(Element::Gateway(id.clone()), igw);
        }
        for (zone, zone_place) in vpc.zones.iter().zip(&place.zones) {
            for (subnet, subnet_place) in zone.subnets.iter().zip(&zone_place.subnets) {
                put(Element::Subnet(subnet.id.clone()), subnet_place.rect);
                for (instance, row) in subnet.instances.iter().zip(&subnet_place.instances) {
                    put(Element::Instance(instance.id.clone()), *row);
                }
            }
        }
    }
    for (edge, place) in scene.peerings.iter().zip(&layout.edges) {
        if let Some(place) = place {
            let (x, y) = place.middle;
            at.insert(Element::Peering(edge.id.clone()), Spot { mark: place.label, body: Rect { x, y, w: 0, h: 0 } });
        }
    }
    at
}

/// The point where the segment from `rect`'s centre towards `toward` leaves `rect`.
fn exit(rect: Rect, toward: (i32, i32)) -> (i32, i32) {
    let (cx, cy) = (rect.x as f32 + rect.w as f32 / 2.0, rect.y as f32 + rect.h as f32 / 2.0);
    let (dx, dy) = (toward.0 as f32 - cx, toward.1 as f32 - cy);
    let scale_x = if dx == 0.0 { f32::INFINITY } else { (rect.w as f32 / 2.0) / dx.abs() };
    let scale_y = if dy == 0.0 { f32::INFINITY } else { (rect.h as f32 / 2.0) / dy.abs() };
    let scale = scale_x.min(scale_y).min(1.0);
    ((cx + dx * scale).round() as i32, (cy + dy * scale).round() as i32)
}

/// The path's boxes in order: an element inside the one before or after it (an instance in its subnet) is folded
/// into the outer one, so the line joins boxes and never crosses the text inside one. The internet is reached
/// straight above (or below) its neighbour.
fn path_boxes(path: &[Element], at: &HashMap<Element, Spot>) -> Vec<Rect> {
    let inside = |inner: &Rect, outer: &Rect| {
        inner.x >= outer.x && inner.y >= outer.y && inner.right() <= outer.right() && inner.bottom() <= outer.bottom()
    };
    let mut boxes: Vec<Rect> = Vec::with_capacity(path.len());
    for element in path {
        let Some(spot) = at.get(element) else { continue };
        match boxes.last_mut() {
            Some(last) if inside(last, &spot.body) => *last = spot.body,
            Some(last) if inside(&spot.body, last) || *last == spot.body => {}
            _ => boxes.push(spot.body),
        }
    }
    // The internet strip spans the map: stand it in by the part of it above its neighbour.
    let internet = at.get(&Element::Internet).map(|spot| spot.body);
    let neighbours: Vec<Option<Rect>> = (0..boxes.len())
        .map(|i| boxes.get(i + 1).or_else(|| i.checked_sub(1).and_then(|j| boxes.get(j))).copied())
        .collect();
    for (rect, neighbour) in boxes.iter_mut().zip(neighbours) {
        if Some(*rect) == internet {
            if let Some(next) = neighbour {
                *rect = Rect { x: next.x + next.w / 2 - 20, w: 40, ..*rect };
            }
        }
    }
    boxes
}

fn probe(overlay: &Overlay, at: &HashMap<Element, Spot>) -> Markup {
    let verdict = if overlay.reachable { "reachable" } else { "unreachable" };
    let arrow = format!("url(#map-arrow-{verdict})");
    let boxes = path_boxes(&overlay.path, at);
    let segments: Vec<((i32, i32), (i32, i32))> = boxes
        .windows(2)
        .map(|pair| (exit(pair[0], pair[1].center()), exit(pair[1], pair[0].center())))
        .filter(|(from, to)| from != to)
        .collect();
    html! {
        g class=(format!("probe {verdict}")) data-verdict=(verdict) {
            @for (from, to) in &segments {
                line class="probe-path" x1=(from.0) y1=(from.1) x2=(to.0) y2=(to.1) marker-end=(arrow) {}
            }
            // The internet strip spans the map: it is outlined only where the packet stopped on it.
            @for mark in overlay.marks.iter().filter(|mark| mark.element != Element::Internet || mark.tone == Tone::Blocked) {
                @if let Some(spot) = at.get(&mark.element) {
                    @let rect = spot.mark;
                    rect class=(format!("hop {}", mark.tone.class())) data-hop=(mark.element.kind())
                        data-id=(mark.element.id()) x=(rect.x - 3) y=(rect.y - 3) width=(rect.w + 6)
                        height=(rect.h + 6) rx="6" {}
                }
            }
            @for mark in overlay.marks.iter().filter(|mark| mark.tone == Tone::Blocked) {
                @if let Some(spot) = at.get(&mark.element) {
                    @let rect = spot.mark;
                    @let note = mark.note.as_deref().unwrap_or("blocked");
                    @let w = ((note.chars().count() + 2) as f32 * MONO_9) as i32 + 12;
                    @let x = rect.right() + 4 - w;
                    // Above the element's top right corner, or inside it when that is the map's top edge.
                    @let y = if rect.y >= 19 { rect.y - 19 } else { rect.y + 4 };
                    g class="blocked-tag" data-id=(mark.element.id()) {
                        rect x=(x) y=(y) width=(w) height="15" rx="4" {}
                        text x=(x + 6) y=(y + 11) { "✕ " (note) }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::layout::layout;
    use crate::map::scene::{Mark, PeeringEdge, Routes, Zone};

    fn tutorial() -> Scene {
        let instance = |id: &str, ip: &str, public: Option<&str>| InstanceNode {
            id: id.into(),
            name: Some(format!("{id} <web>")),
            private_ip: ip.into(),
            public_ip: public.map(str::to_string),
            state: "running".into(),
        };
        let vpc = |id: &str, cidr: &str, igw: Option<&str>, subnet: &str, instance: InstanceNode| VpcNode {
            id: id.into(),
            name: Some(format!("{id}-name")),
            cidrs: vec![cidr.into()],
            side: Side::Own { default: false },
            internet_gateway: igw.map(str::to_string),
            zones: vec![Zone {
                name: "us-east-1a".into(),
                subnets: vec![SubnetNode {
                    id: subnet.into(),
                    name: None,
                    cidr: cidr.into(),
                    instances: vec![instance],
                }],
            }],
        };
        Scene {
            vpcs: vec![
                vpc(
                    "vpc-a",
                    "10.6.0.0/16",
                    Some("igw-a"),
                    "subnet-a",
                    instance("i-a", "10.6.1.10", Some("198.18.0.5")),
                ),
                vpc("vpc-b", "10.7.0.0/16", None, "subnet-b", instance("i-b", "10.7.1.10", None)),
            ],
            peerings: vec![PeeringEdge {
                id: "pcx-1".into(),
                name: None,
                from: "vpc-a".into(),
                to: "vpc-b".into(),
                status: "pending-acceptance".into(),
                routes: Routes::One,
            }],
        }
    }

    #[test]
    fn the_svg_names_every_element_and_escapes_text() {
        let scene = tutorial();
        let text = render(&scene, &layout(&scene), None, "us-east-1").into_string();
        for needle in [
            r#"class="vpc own" data-id="vpc-a""#,
            r#"class="subnet" data-id="subnet-b""#,
            r#"class="instance state-running" data-id="i-a""#,
            r#"class="igw" data-id="igw-a""#,
            r#"class="edge status-waiting" data-id="pcx-1" data-status="pending-acceptance""#,
            ">routes one side<",
            ">↗ 198.18.0.5<",
            ">10.7.1.10<",
            "i-a &lt;web&gt;",
        ] {
            assert!(text.contains(needle), "{needle} missing from {text}");
        }
        assert!(!text.contains("<web>"));
        // Every SVG element is closed: no `<rect …>` left open to swallow the next one.
        assert_eq!(text.matches("<rect").count(), text.matches("</rect>").count());
        assert!(!text.contains("class=\"probe"));
    }

    #[test]
    fn a_probe_marks_its_hops_and_the_blocking_element() {
        let scene = tutorial();
        let overlay = Overlay {
            reachable: false,
            path: vec![
                Element::Instance("i-a".into()),
                Element::Subnet("subnet-a".into()),
                Element::Peering("pcx-1".into()),
            ],
            marks: vec![
                Mark { element: Element::Instance("i-a".into()), tone: Tone::Reached, note: None },
                Mark {
                    element: Element::Subnet("subnet-a".into()),
                    tone: Tone::Blocked,
                    note: Some("NO_ROUTE_TO_DESTINATION".into()),
                },
                Mark { element: Element::Instance("i-gone".into()), tone: Tone::Reached, note: None },
            ],
        };
        let text = render(&scene, &layout(&scene), Some(&overlay), "us-east-1").into_string();
        assert!(text.contains(r#"class="probe unreachable" data-verdict="unreachable""#), "{text}");
        assert!(text.contains(r#"class="hop reached" data-hop="instance" data-id="i-a""#));
        assert!(text.contains(r#"class="hop blocked" data-hop="subnet" data-id="subnet-a""#));
        assert!(text.contains("✕ NO_ROUTE_TO_DESTINATION"));
        // One segment: the instance folds into its subnet, which the line leaves towards the peering edge.
        assert_eq!(text.matches(r#"class="probe-path""#).count(), 1);
        assert!(!text.contains("i-gone"), "an element not on the map is not marked");
    }

    #[test]
    fn fit_cuts_long_text_with_an_ellipsis() {
        assert_eq!(fit("short", 100, 6.0), "short");
        assert_eq!(fit("a-very-long-name", 48, 6.0), "a-very-…");
    }
}
