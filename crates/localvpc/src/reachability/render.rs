//! The reachability answers as tables (comfy-table), one function per form. Pure: an answer in, text out.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};

use super::answer::{Counts, Groups, Matrix, Node, Pairs, Summary};

/// The mark of a reachable pair.
const REACHABLE: &str = "✓";
/// The mark of a pair that is not.
const UNREACHABLE: &str = "·";

const NO_INSTANCES: &str = "No running instances.\n";

fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(header.iter().map(|title| title.to_string()));
    table
}

fn counts_line(counts: &Counts) -> String {
    format!("{} of {} ordered pairs reachable.\n", counts.reachable_pairs, counts.ordered_pairs)
}

/// The default form: the groups with their members, then which groups each group pings.
pub fn groups(answer: &Groups) -> String {
    if answer.counts.instances == 0 {
        return NO_INSTANCES.to_string();
    }
    let label = |group: usize| format!("G{}", group + 1);
    let mut members = table(&["group", "instance", "vpc", "private ip"]);
    for (group, entry) in answer.groups.iter().enumerate() {
        for (position, node) in entry.members.iter().enumerate() {
            let name = if position == 0 { label(group) } else { String::new() };
            members.add_row(vec![name, node.name().to_string(), node.vpc.clone(), node.private_ip.to_string()]);
        }
    }
    let mut pings = table(&["group", "pings (every member, every other member of)"]);
    for group in 0..answer.groups.len() {
        let targets: Vec<String> =
            answer.reachable.iter().filter(|(from, _)| *from == group).map(|&(_, to)| label(to)).collect();
        let targets = if targets.is_empty() { "(none)".to_string() } else { targets.join(", ") };
        pings.add_row(vec![label(group), targets]);
    }
    format!(
        "{} instances in {} groups; members of a group ping, and are pinged by, the same instances.\n{members}\n\
         {pings}\n{}",
        answer.counts.instances,
        answer.groups.len(),
        counts_line(&answer.counts)
    )
}

/// `--summary`: one row per ordered VPC pair.
pub fn summary(answer: &Summary) -> String {
    if answer.counts.instances == 0 {
        return NO_INSTANCES.to_string();
    }
    let mut rows = table(&["from vpc", "to vpc", "status", "reachable pairs"]);
    for pair in &answer.vpc_pairs {
        let counts = format!("{} of {}", pair.reachable, pair.pairs);
        rows.add_row(vec![pair.from.clone(), pair.to.clone(), pair.status.clone(), counts]);
    }
    format!("{rows}\n{}", counts_line(&answer.counts))
}

/// `--reachable` (`reaches`) or `--unreachable`: the listed pairs, then how many there are.
pub fn pairs(answer: &Pairs, reaches: bool) -> String {
    if answer.counts.instances == 0 {
        return NO_INSTANCES.to_string();
    }
    let kind = if reaches { "reachable" } else { "unreachable" };
    if answer.total == 0 {
        return format!("No {kind} pairs ({}).\n", counts_line(&answer.counts).trim_end_matches(".\n"));
    }
    let mut rows = table(&["from", "vpc", "private ip", "to", "vpc", "private ip"]);
    for pair in &answer.pairs {
        let cells = |node: &Node| [node.name().to_string(), node.vpc.clone(), node.private_ip.to_string()];
        rows.add_row(cells(&pair.from).into_iter().chain(cells(&pair.to)).collect::<Vec<_>>());
    }
    let shown = if answer.pairs.len() < answer.total {
        format!(
            "Showing {} of {} {kind} pairs (--limit N shows more; --full shows every pair).\n",
            answer.pairs.len(),
            answer.total
        )
    } else {
        format!("All {} {kind} pairs.\n", answer.total)
    };
    format!("{rows}\n{shown}")
}

/// `--full`: one row per instance (with its VPC and address), one column per destination number.
pub fn matrix(matrix: &Matrix) -> String {
    if matrix.nodes.is_empty() {
        return NO_INSTANCES.to_string();
    }
    let mut header = vec!["#".to_string(), "instance".to_string(), "vpc".to_string(), "private ip".to_string()];
    header.extend((1..=matrix.nodes.len()).map(|number| format!("→{number}")));
    let mut table = table(&[]);
    table.set_header(header);
    for (row, node) in matrix.nodes.iter().enumerate() {
        let reaches = matrix.reachable.get(row).map(Vec::as_slice).unwrap_or_default();
        let mut cells =
            vec![(row + 1).to_string(), node.name().to_string(), node.vpc.clone(), node.private_ip.to_string()];
        cells.extend((0..matrix.nodes.len()).map(|column| {
            if column == row {
                "-".to_string()
            } else if reaches.contains(&column) {
                REACHABLE.to_string()
            } else {
                UNREACHABLE.to_string()
            }
        }));
        table.add_row(cells);
    }
    for column in 4..4 + matrix.nodes.len() {
        if let Some(column) = table.column_mut(column) {
            column.set_cell_alignment(CellAlignment::Center);
        }
    }
    let pairs: usize = matrix.reachable.iter().map(Vec::len).sum();
    format!(
        "{table}\n{REACHABLE} the row's instance pings the column's (#N) and gets replies; {UNREACHABLE} it does not. \
         {pairs} of {} ordered pairs reachable.\n",
        matrix.nodes.len() * (matrix.nodes.len() - 1)
    )
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::super::answer::{Group, Pair, VpcPair};
    use super::*;

    fn node(instance: &str, vpc: &str, last: u8) -> Node {
        Node {
            instance: Some(instance.into()),
            interface: format!("eni-{last}"),
            vpc: vpc.into(),
            private_ip: Ipv4Addr::new(10, 6, 1, last),
        }
    }

    /// The cells of the table rows that mention `needle`, trimmed.
    fn rows(text: &str, needle: &str) -> Vec<Vec<String>> {
        text.lines()
            .filter(|line| line.contains(needle) && line.contains('┆'))
            .map(|line| line.trim_matches('│').split('┆').map(|cell| cell.trim().to_string()).collect())
            .collect()
    }

    #[test]
    fn a_mark_per_reachable_pair() {
        let matrix_answer = Matrix {
            nodes: vec![node("i-a", "vpc-a", 4), node("i-b", "vpc-b", 5), node("i-c", "vpc-c", 6)],
            reachable: vec![vec![1], vec![0], vec![]],
        };
        let text = matrix(&matrix_answer);
        let rows = rows(&text, "i-");
        assert_eq!(rows.len(), 3);
        let marks = |row: &Vec<String>| row[4..].to_vec();
        assert_eq!(marks(&rows[0]), ["-", "✓", "·"]);
        assert_eq!(marks(&rows[1]), ["✓", "-", "·"]);
        assert_eq!(marks(&rows[2]), ["·", "·", "-"]);
        assert!(text.contains("2 of 6 ordered pairs reachable."));
        assert_eq!(matrix(&Matrix { nodes: vec![], reachable: vec![] }), "No running instances.\n");
    }

    #[test]
    fn groups_list_their_members_and_the_groups_they_ping() {
        let answer = Groups {
            counts: Counts { instances: 3, ordered_pairs: 6, reachable_pairs: 4 },
            groups: vec![
                Group { members: vec![node("i-a", "vpc-a", 4), node("i-b", "vpc-b", 5)] },
                Group { members: vec![node("i-c", "vpc-c", 6)] },
            ],
            reachable: vec![(0, 0), (1, 0)],
        };
        let text = groups(&answer);
        assert!(text.starts_with("3 instances in 2 groups;"), "{text}");
        assert_eq!(rows(&text, "i-a"), [["G1", "i-a", "vpc-a", "10.6.1.4"]]);
        assert_eq!(rows(&text, "i-b"), [["", "i-b", "vpc-b", "10.6.1.5"]]);
        assert_eq!(rows(&text, "i-c"), [["G2", "i-c", "vpc-c", "10.6.1.6"]]);
        let pings: Vec<Vec<String>> = text
            .lines()
            .filter(|line| line.contains("┆ G") || line.contains("(none)"))
            .map(|line| line.trim_matches('│').split('┆').map(|cell| cell.trim().to_string()).collect())
            .collect();
        assert_eq!(pings, [["G1", "G1"], ["G2", "G1"]]);
        assert!(text.ends_with("4 of 6 ordered pairs reachable.\n"));
    }

    #[test]
    fn summary_rows_say_status_and_counts() {
        let answer = Summary {
            counts: Counts { instances: 3, ordered_pairs: 6, reachable_pairs: 1 },
            vpc_pairs: vec![VpcPair {
                from: "vpc-a".into(),
                to: "vpc-b".into(),
                status: "partial".into(),
                reachable: 1,
                pairs: 2,
            }],
        };
        let text = summary(&answer);
        assert_eq!(rows(&text, "vpc-a"), [["vpc-a", "vpc-b", "partial", "1 of 2"]]);
        assert!(text.ends_with("1 of 6 ordered pairs reachable.\n"));
    }

    #[test]
    fn pair_lists_say_how_many_were_left_out() {
        let counts = Counts { instances: 3, ordered_pairs: 6, reachable_pairs: 2 };
        let pair = Pair { from: node("i-a", "vpc-a", 4), to: node("i-c", "vpc-c", 6) };
        let some = Pairs { counts, total: 4, limit: 1, pairs: vec![pair.clone()] };
        let text = pairs(&some, false);
        assert_eq!(rows(&text, "i-a"), [["i-a", "vpc-a", "10.6.1.4", "i-c", "vpc-c", "10.6.1.6"]]);
        assert!(text.ends_with("Showing 1 of 4 unreachable pairs (--limit N shows more; --full shows every pair).\n"));
        let all = Pairs { counts, total: 1, limit: 100, pairs: vec![pair] };
        assert!(pairs(&all, true).ends_with("All 1 reachable pairs.\n"));
        let none = Pairs { counts, total: 0, limit: 100, pairs: vec![] };
        assert_eq!(pairs(&none, true), "No reachable pairs (2 of 6 ordered pairs reachable).\n");
    }
}
