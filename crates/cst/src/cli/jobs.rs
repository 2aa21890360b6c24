//! `cst jobs list|retry|cancel`: the background work of the database, by hand.

use anyhow::Result;
use clap::Subcommand;
use kernel::Actor;

use super::open;

#[derive(Subcommand, Debug)]
pub enum JobsCommand {
    /// Lists the schedules, then the jobs newest first: id, kind, state, attempts, when it runs,
    /// the last error.
    List {
        /// Only jobs in this state: queued, running, failed, done or cancelled.
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Runs a failed or cancelled job again, now.
    Retry { id: i64 },
    /// Cancels a job that has not run (queued, or failed waiting for a retry).
    Cancel { id: i64 },
}

pub async fn run(url: &str, command: JobsCommand) -> Result<()> {
    let db = open(url).await?;
    let cli = Actor::system("cli");
    match command {
        JobsCommand::List { state, limit } => {
            if let Some(s) = &state {
                if !worker::admin::STATES.contains(&s.as_str()) {
                    anyhow::bail!(
                        "state {s} unknown: one of {}",
                        worker::admin::STATES.join(", ")
                    );
                }
            }
            for s in worker::schedule::list(&db).await? {
                println!(
                    "schedule\t{}\t{}\tevery {} s\tlast run {}",
                    s.name,
                    s.kind,
                    s.every_seconds,
                    s.last_run_at
                        .map_or_else(|| "never".to_owned(), kernel::time::format)
                );
            }
            for j in worker::admin::recent(&db, state.as_deref(), limit).await? {
                println!(
                    "{}\t{}\t{}\t{} attempts\t{}\t{}",
                    j.id,
                    j.kind,
                    j.state,
                    j.attempts,
                    j.run_at,
                    j.last_error.unwrap_or_default()
                );
            }
        }
        JobsCommand::Retry { id } => {
            worker::admin::retry(&db, &cli, id).await?;
            println!("job {id} queued again");
        }
        JobsCommand::Cancel { id } => {
            worker::admin::cancel(&db, &cli, id).await?;
            println!("job {id} cancelled");
        }
    }
    Ok(())
}
