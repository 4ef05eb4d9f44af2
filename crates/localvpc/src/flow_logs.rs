//! `localvpc flow-logs [FLOW_LOG_ID…] [--follow]`: prints VPC flow log records as the server keeps them (one line
//! per record, in the flow log's format), reading `GET /_localvpc/v1/flow-logs` with its cursor so `--follow`
//! prints every new record once, without a gap.

use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use serde_json::Value;

use crate::cli::FlowLogsArgs;
use crate::client::Client;

/// How often `--follow` asks for new records.
const POLL: Duration = Duration::from_millis(300);

/// The IDs of the caller's live flow logs.
fn listed(client: &Client) -> anyhow::Result<Vec<String>> {
    let answer = client.flow_logs(&[])?;
    Ok(answer["flow_logs"]
        .as_array()
        .map(|items| items.iter().filter_map(|item| item["flow_log_id"].as_str().map(str::to_string)).collect())
        .unwrap_or_default())
}

/// Prints the records of `id` after `cursor`, page by page; returns the new cursor.
fn print_new(client: &Client, id: &str, cursor: u64, prefixed: bool, out: &mut dyn Write) -> anyhow::Result<u64> {
    let mut cursor = cursor;
    loop {
        let since = cursor.to_string();
        let answer = client.flow_logs(&[("flow_log_id", id), ("since", &since)])?;
        let records = answer["records"].as_array().cloned().unwrap_or_default();
        for record in &records {
            let line = record["line"].as_str().unwrap_or_default();
            if prefixed {
                writeln!(out, "{id} {line}")?;
            } else {
                writeln!(out, "{line}")?;
            }
        }
        out.flush().context("while writing the records")?;
        cursor = answer["next"].as_u64().unwrap_or(cursor);
        if records.is_empty() || answer["next"] == Value::Null {
            return Ok(cursor);
        }
    }
}

/// Runs the command; exit status 0.
pub fn run(client: &Client, args: &FlowLogsArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let every = args.flow_log_ids.is_empty();
    let mut cursors: Vec<(String, u64)> =
        if every { listed(client)? } else { args.flow_log_ids.clone() }.into_iter().map(|id| (id, 0)).collect();
    loop {
        for (id, cursor) in cursors.iter_mut() {
            *cursor = print_new(client, id, *cursor, every, out)?;
        }
        if !args.follow {
            return Ok(0);
        }
        std::thread::sleep(POLL);
        if every {
            // Flow logs created while following are printed too.
            for id in listed(client)? {
                if !cursors.iter().any(|(known, _)| *known == id) {
                    cursors.push((id, 0));
                }
            }
        }
    }
}
