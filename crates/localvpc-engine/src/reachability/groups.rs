//! The walked classes compressed into [`Groups`]: the coarsest grouping this finds in which every member of a
//! group has the same row and the same column as the others.
//!
//! Two steps. *Refine*: a class whose pairs with another class were walked one by one (a CIDR splits a subnet) is
//! split by the rows and columns those walks found, so every (part, part) block is uniform; a class walked pair by
//! pair against itself is split into single instances (its diagonal has no answer to compare). *Merge*: parts
//! that no instance tells apart become one group — classes in different subnets, VPCs or groups often behave
//! alike (every member of a full mesh reaches every other). Two parts merge when their rows and columns over all
//! parts are equal, reading their own position as the part's answer to itself; a part of one instance has no such
//! answer, so it may merge under either, and the first merge decides it.

use std::collections::HashMap;

use super::{Bits, Block, Matrix, Walked};
use crate::topology::EniIx;

/// The reachability of a selection of interfaces, as groups: `members` of group *g* reach `members` of group *h*
/// (every ordered pair of distinct interfaces) exactly when [`Groups::reaches`]`(g, h)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Groups {
    /// The interfaces considered, in order; members are indexes into it.
    pub enis: Vec<EniIx>,
    members: Vec<Vec<usize>>,
    group_of: Vec<usize>,
    reach: Bits,
}

impl Groups {
    /// Number of groups.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// No interface was selected.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The members of `group` (indexes into `enis`, ascending). Groups are ordered by their first member.
    pub fn members(&self, group: usize) -> &[usize] {
        &self.members[group]
    }

    /// The group of `enis[index]`.
    pub fn group_of(&self, index: usize) -> usize {
        self.group_of[index]
    }

    /// Whether every member of `from` reaches every member of `to` other than itself. A group of one instance
    /// never reaches itself: it has no pair.
    pub fn reaches(&self, from: usize, to: usize) -> bool {
        self.reach.get(from, to)
    }

    /// Whether `enis[from]` reaches `enis[to]`.
    pub fn reaches_pair(&self, from: usize, to: usize) -> bool {
        from != to && self.reaches(self.group_of[from], self.group_of[to])
    }

    /// Ordered pairs of distinct interfaces from group `from` to group `to`.
    pub fn pairs_between(&self, from: usize, to: usize) -> usize {
        let (sources, destinations) = (self.members[from].len(), self.members[to].len());
        if from == to {
            sources * (sources - 1)
        } else {
            sources * destinations
        }
    }

    /// Ordered pairs of distinct interfaces in the selection.
    pub fn ordered_pairs(&self) -> usize {
        self.enis.len() * self.enis.len().saturating_sub(1)
    }

    /// Number of reachable ordered pairs.
    pub fn reachable_pairs(&self) -> usize {
        self.group_pairs(true).map(|(from, to)| self.pairs_between(from, to)).sum()
    }

    /// The ordered group pairs whose answer is `reaches` and that hold at least one pair of interfaces.
    pub fn group_pairs(&self, reaches: bool) -> impl Iterator<Item = (usize, usize)> + '_ {
        let count = self.len();
        (0..count)
            .flat_map(move |from| (0..count).map(move |to| (from, to)))
            .filter(move |&(from, to)| self.reaches(from, to) == reaches && self.pairs_between(from, to) > 0)
    }

    /// One bit per ordered pair.
    pub fn expand(&self) -> Matrix {
        let mut matrix = Matrix::new(self.enis.clone());
        for (from, to) in self.group_pairs(true) {
            for &s in &self.members[from] {
                for &d in &self.members[to] {
                    if s != d {
                        matrix.bits.set(s, d);
                    }
                }
            }
        }
        matrix
    }
}

/// Part of a class: positions in `Walked::classes[class]`, ascending.
struct Part {
    class: usize,
    positions: Vec<usize>,
}

/// Splits each class until every (part, part) block is uniform.
fn refine(walked: &Walked) -> Vec<Part> {
    let classes = walked.classes.len();
    let mut parts = Vec::new();
    for class in 0..classes {
        let size = walked.classes[class].len();
        if matches!(walked.block(class, class), Block::Pairs { .. }) {
            parts.extend((0..size).map(|position| Part { class, positions: vec![position] }));
            continue;
        }
        // A member's signature: its rows and columns against every class it was walked with pair by pair.
        let mut signatures: Vec<Vec<bool>> = vec![Vec::new(); size];
        for other in (0..classes).filter(|&other| other != class) {
            let other_size = walked.classes[other].len();
            if let block @ Block::Pairs { .. } = walked.block(class, other) {
                for (position, signature) in signatures.iter_mut().enumerate() {
                    signature.extend((0..other_size).map(|d| block.at(position, d)));
                }
            }
            if let block @ Block::Pairs { .. } = walked.block(other, class) {
                for (position, signature) in signatures.iter_mut().enumerate() {
                    signature.extend((0..other_size).map(|s| block.at(s, position)));
                }
            }
        }
        let mut by_signature: HashMap<Vec<bool>, usize> = HashMap::new();
        for (position, signature) in signatures.into_iter().enumerate() {
            let next = parts.len();
            let part = *by_signature.entry(signature).or_insert(next);
            if part == next {
                parts.push(Part { class, positions: Vec::new() });
            }
            parts[part].positions.push(position);
        }
    }
    parts
}

/// The answer between parts, and each part's answer to itself (`None` for a part of one instance).
struct PartAnswers {
    reach: Bits,
    own: Vec<Option<bool>>,
}

fn part_answers(walked: &Walked, parts: &[Part]) -> PartAnswers {
    let mut reach = Bits::new(parts.len());
    for (p, from) in parts.iter().enumerate() {
        for (q, to) in parts.iter().enumerate() {
            // Every block between parts is uniform: the first members answer for all (distinct members, when
            // the part is the same; a part of one instance has none, and stays `false`).
            let answer = if p == q && from.positions.len() < 2 {
                false
            } else {
                let (s, d) = (from.positions[0], to.positions[usize::from(p == q)]);
                walked.block(from.class, to.class).at(s, d)
            };
            if answer {
                reach.set(p, q);
            }
        }
    }
    let own = parts.iter().enumerate().map(|(p, part)| (part.positions.len() > 1).then(|| reach.get(p, p))).collect();
    PartAnswers { reach, own }
}

/// A part's row and column over all parts, its own position read as `own`.
fn key(answers: &PartAnswers, part: usize, own: bool) -> Vec<u64> {
    let count = answers.own.len();
    let mut key = vec![0u64; (2 * count).div_ceil(64)];
    for other in 0..count {
        let (row, column) =
            if other == part { (own, own) } else { (answers.reach.get(part, other), answers.reach.get(other, part)) };
        for (bit, on) in [(other, row), (count + other, column)] {
            if on {
                key[bit / 64] |= 1 << (bit % 64);
            }
        }
    }
    key
}

/// Parts merged into one group, with the answer of the group to itself once known.
struct Cluster {
    parts: Vec<usize>,
    own: Option<bool>,
}

fn merge(answers: &PartAnswers) -> Vec<Cluster> {
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut by_key: HashMap<Vec<u64>, usize> = HashMap::new();
    for part in 0..answers.own.len() {
        let found = match answers.own[part] {
            Some(own) => {
                let key = key(answers, part, own);
                match by_key.get(&key) {
                    Some(&cluster) => Some((cluster, own)),
                    None => {
                        by_key.insert(key, clusters.len());
                        clusters.push(Cluster { parts: vec![part], own: Some(own) });
                        None
                    }
                }
            }
            None => {
                let keys = [key(answers, part, false), key(answers, part, true)];
                let found = [true, false]
                    .into_iter()
                    .find_map(|own| by_key.get(&keys[usize::from(own)]).map(|&cluster| (cluster, own)));
                if found.is_none() {
                    // Filed under both keys. Once a part joins under one, no later part can match the other: it
                    // would differ from the joined part where the first one's position is read (a part's key
                    // covers every part).
                    for key in keys {
                        by_key.insert(key, clusters.len());
                    }
                    clusters.push(Cluster { parts: vec![part], own: None });
                }
                found
            }
        };
        if let Some((cluster, own)) = found {
            let cluster = &mut clusters[cluster];
            cluster.parts.push(part);
            cluster.own = Some(own);
        }
    }
    clusters
}

/// The groups of the walked selection `enis`.
pub(super) fn compress(enis: Vec<EniIx>, walked: &Walked) -> Groups {
    let parts = refine(walked);
    let answers = part_answers(walked, &parts);
    let clusters = merge(&answers);
    let mut groups: Vec<(Vec<usize>, &Cluster)> = clusters
        .iter()
        .map(|cluster| {
            let mut members: Vec<usize> = cluster
                .parts
                .iter()
                .flat_map(|&part| {
                    let class = &walked.classes[parts[part].class];
                    parts[part].positions.iter().map(move |&position| class[position])
                })
                .collect();
            members.sort_unstable();
            (members, cluster)
        })
        .collect();
    groups.sort_by_key(|(members, _)| members[0]);
    let mut reach = Bits::new(groups.len());
    for (g, (_, from)) in groups.iter().enumerate() {
        for (h, (_, to)) in groups.iter().enumerate() {
            let answer = if g == h { from.own.unwrap_or(false) } else { answers.reach.get(from.parts[0], to.parts[0]) };
            if answer {
                reach.set(g, h);
            }
        }
    }
    let mut group_of = vec![0; enis.len()];
    for (group, (members, _)) in groups.iter().enumerate() {
        for &member in members {
            group_of[member] = group;
        }
    }
    Groups { enis, members: groups.into_iter().map(|(members, _)| members).collect(), group_of, reach }
}
