//! Lists of reachable or unreachable pairs, at most a limit of them, with the total: "which pairs cannot ping"
//! answered without expanding 10^8 cells.

use super::Groups;

/// The first pairs of one answer (source order, then destination order) and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pairs {
    /// Ordered pairs with the answer asked for.
    pub total: usize,
    /// The first of them, at most the limit: `(from, to)` as indexes into [`Groups::enis`].
    pub pairs: Vec<(usize, usize)>,
}

/// The pairs whose answer is `reaches`, at most `limit` of them.
///
/// Costs at most one scan of the selection per listed pair (plus one per source whose group holds no such pair),
/// never one per ordered pair: a source whose group has a matching group pair has at least one match.
pub fn pairs(groups: &Groups, reaches: bool, limit: usize) -> Pairs {
    let total = groups.group_pairs(reaches).map(|(from, to)| groups.pairs_between(from, to)).sum();
    let mut has_match = vec![false; groups.len()];
    for (from, _) in groups.group_pairs(reaches) {
        has_match[from] = true;
    }
    let count = groups.enis.len();
    let mut listed = Vec::new();
    'sources: for from in (0..count).filter(|&from| has_match[groups.group_of(from)]) {
        for to in 0..count {
            if listed.len() == limit {
                break 'sources;
            }
            if from != to && groups.reaches_pair(from, to) == reaches {
                listed.push((from, to));
            }
        }
    }
    Pairs { total, pairs: listed }
}
