//! `localvpc reachability`: the ping matrix among running instances, as a table (or the server's JSON).
//!
//! Row *i*, column *j* is marked when a ping from instance *i* to instance *j*'s private address gets replies —
//! the forward and the reply walk both pass. The server computes the matrix; this module only lays it out.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};

use crate::cli::ReachabilityArgs;
use crate::client::{Client, Matrix};
use crate::tools::Printed;

/// The mark of a reachable pair.
const REACHABLE: &str = "✓";
/// The mark of a pair that is not.
const UNREACHABLE: &str = "·";

/// Runs `localvpc reachability`.
pub fn run(client: &Client, args: &ReachabilityArgs) -> anyhow::Result<Printed> {
    if args.json {
        let value = client.reachability_json(&args.vpcs)?;
        return Ok(Printed::out(format!("{}\n", serde_json::to_string_pretty(&value)?), 0));
    }
    Ok(Printed::out(render(&client.reachability(&args.vpcs)?), 0))
}

/// The matrix as a table: one row per instance (with its VPC and address), one column per destination number.
pub fn render(matrix: &Matrix) -> String {
    if matrix.nodes.is_empty() {
        return "No running instances.\n".to_string();
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    let mut header = vec!["#".to_string(), "instance".to_string(), "vpc".to_string(), "private ip".to_string()];
    header.extend((1..=matrix.nodes.len()).map(|number| format!("→{number}")));
    table.set_header(header);
    for (row, node) in matrix.nodes.iter().enumerate() {
        let reaches = matrix.reachable.get(row).map(Vec::as_slice).unwrap_or_default();
        let mut cells = vec![
            (row + 1).to_string(),
            node.instance.clone().unwrap_or_else(|| node.interface.clone()),
            node.vpc.clone(),
            node.private_ip.to_string(),
        ];
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

    use super::*;
    use crate::client::Node;

    #[test]
    fn a_mark_per_reachable_pair() {
        let node = |instance: &str, vpc: &str, last: u8| Node {
            instance: Some(instance.into()),
            interface: format!("eni-{last}"),
            vpc: vpc.into(),
            private_ip: Ipv4Addr::new(10, 6, 1, last),
        };
        let matrix = Matrix {
            nodes: vec![node("i-a", "vpc-a", 4), node("i-b", "vpc-b", 5), node("i-c", "vpc-c", 6)],
            reachable: vec![vec![1], vec![0], vec![]],
        };
        let text = render(&matrix);
        let rows: Vec<&str> = text.lines().filter(|line| line.contains("i-")).collect();
        assert_eq!(rows.len(), 3);
        let marks = |row: &str| {
            row.split('┆').skip(4).map(|cell| cell.trim().trim_end_matches('│').trim().to_string()).collect::<Vec<_>>()
        };
        assert_eq!(marks(rows[0]), ["-", "✓", "·"]);
        assert_eq!(marks(rows[1]), ["✓", "-", "·"]);
        assert_eq!(marks(rows[2]), ["·", "·", "-"]);
        assert!(text.contains("2 of 6 ordered pairs reachable."));
        assert_eq!(render(&Matrix { nodes: vec![], reachable: vec![] }), "No running instances.\n");
    }
}
