//! `localvpc migrate --from STORE --to STORE`: copies every record and world-level value of one store into another
//! (a laptop's SQLite file into the team's PostgreSQL, and back), with a progress bar on stderr.
//!
//! The target must be empty: a copy over existing state would mix two worlds' ID sequences. Records go in batches of
//! [`RECORDS_PER_BATCH`], the world-level values (ID counter and key, clock offset, address cursor) last; if a
//! batch fails, the target is reset, so it ends either a whole copy or empty. The source is only read. No server may
//! write to either store meanwhile (a SQLite file has one server at most; stop the PostgreSQL replicas first).

use std::sync::Arc;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use localvpc_store::{Store, Write};

use crate::cli::{MigrateArgs, StoreSpec};

/// Records per store batch: big enough that a batch's commit is a small share of its cost, small enough that the
/// bar moves.
const RECORDS_PER_BATCH: usize = 500;

/// Runs the copy; prints a summary line on stdout.
pub async fn run(args: &MigrateArgs) -> anyhow::Result<()> {
    if args.from == args.to {
        bail!("--from and --to are the same store ({})", args.from);
    }
    let source = open(&args.from).await?;
    let target = open(&args.to).await?;
    let snapshot = source.load().await.with_context(|| format!("while reading {}", args.from))?;
    let existing = target.load().await.with_context(|| format!("while reading {}", args.to))?;
    if !existing.records.is_empty() || !existing.meta.is_empty() {
        bail!(
            "{} already holds state ({} records); migrate only into an empty store (reset it first)",
            args.to,
            existing.records.len()
        );
    }
    let bar = ProgressBar::new(snapshot.records.len() as u64).with_message(format!("{} → {}", args.from, args.to));
    bar.set_style(
        ProgressStyle::with_template("{msg}\n[{elapsed_precise}] {wide_bar} {pos}/{len} records ({per_sec})")
            .expect("a valid template"),
    );
    let copied = copy(&*target, &snapshot, &bar).await;
    bar.finish_and_clear();
    if let Err(error) = copied {
        // Leave the target as it was (empty) rather than half a world.
        let cleaned = target.reset().await;
        return Err(error).with_context(|| match cleaned {
            Ok(()) => format!("while writing {} (it was emptied again)", args.to),
            Err(_) => format!("while writing {} (it could not be emptied again: reset it before retrying)", args.to),
        });
    }
    println!(
        "migrated {} records and {} world values from {} to {}",
        snapshot.records.len(),
        snapshot.meta.len(),
        args.from,
        args.to
    );
    Ok(())
}

async fn copy(target: &dyn Store, snapshot: &localvpc_store::Snapshot, bar: &ProgressBar) -> anyhow::Result<()> {
    for chunk in snapshot.records.chunks(RECORDS_PER_BATCH) {
        let writes: Vec<Write> = chunk
            .iter()
            .map(|record| Write::Put {
                kind: &record.kind,
                account: &record.account,
                region: &record.region,
                id: &record.id,
                body: &record.body,
            })
            .collect();
        target.apply(&writes).await?;
        bar.inc(chunk.len() as u64);
    }
    let meta: Vec<Write> = snapshot.meta.iter().map(|(key, value)| Write::Meta { key, value }).collect();
    target.apply(&meta).await?;
    Ok(())
}

async fn open(spec: &StoreSpec) -> anyhow::Result<Arc<dyn Store>> {
    if *spec == StoreSpec::Memory {
        bail!("a memory store holds nothing to migrate from or to; use sqlite:PATH or postgres://…");
    }
    crate::open_store(spec).await
}
