//! `cst logs`: the system-log store (issue 13).

use anyhow::{bail, Result};
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum LogsCommand {
    /// Checks the log store of the database (`cst logs verify --database`): every batch's
    /// hash recomputed from its messages, each entity's chain and its head; names each
    /// altered, removed or added part. Exits 1 if any.
    Verify,
}

pub async fn run(url: &str, command: LogsCommand) -> Result<()> {
    match command {
        LogsCommand::Verify => {
            let store = logs::LogStore::open(url).await?;
            let report = logs::store::verify::verify(&store).await?;
            store.close().await;
            for p in &report.problems {
                eprintln!("{p}");
            }
            if !report.ok() {
                bail!(
                    "log store NOT intact: {} problem(s) in {} batches",
                    report.problems.len(),
                    report.batches
                );
            }
            println!(
                "log store intact: {} messages in {} batches",
                report.messages, report.batches
            );
            Ok(())
        }
    }
}
