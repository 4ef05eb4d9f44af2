//! `localvpc reachability`: which running instances ping which, as tables (or the server's JSON).
//!
//! A pair reaches when a ping from the first instance to the second's private address gets replies — the forward
//! and the reply walk both pass. The server computes every form; this module asks for one and lays it out:
//! groups of instances every instance treats alike and which groups ping which (the default), a summary per VPC
//! pair (`--summary`), the first pairs that do or do not ping (`--reachable`, `--unreachable`, `--limit`), or every
//! cell (`--full`).

mod answer;
mod render;

use std::io::Write;

use anyhow::Context;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::cli::ReachabilityArgs;
use crate::client::Client;
use crate::tools::Printed;

/// Runs `localvpc reachability`.
pub fn run(client: &Client, args: &ReachabilityArgs) -> anyhow::Result<Printed> {
    let mut body = json!({ "vpc": args.vpcs, "form": args.form() });
    if let Some(limit) = args.limit {
        body["limit"] = json!(limit);
    }
    if args.json && args.full {
        // Passed through as it arrives: never parsed, never held whole.
        let mut stdout = std::io::stdout().lock();
        client.reachability_to(&body, &mut stdout)?;
        writeln!(stdout).context("while writing the answer")?;
        return Ok(Printed::out(String::new(), 0));
    }
    let value = client.reachability_json(&body)?;
    if args.json {
        return Ok(Printed::out(format!("{}\n", serde_json::to_string_pretty(&value)?), 0));
    }
    let text = match args.form() {
        "summary" => render::summary(&typed(value)?),
        "reachable" => render::pairs(&typed(value)?, true),
        "unreachable" => render::pairs(&typed(value)?, false),
        "full" => render::matrix(&typed(value)?),
        _ => render::groups(&typed(value)?),
    };
    Ok(Printed::out(text, 0))
}

fn typed<T: DeserializeOwned>(value: Value) -> anyhow::Result<T> {
    serde_json::from_value(value).context("the server's answer has an unexpected shape (is it the same version?)")
}
