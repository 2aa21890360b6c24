//! `cst audit`, `cst backup`, `cst restore`, `cst import`: the data as a whole.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use kernel::Actor;

use super::open;

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Checks the whole hash chain (names the first bad record if any), then every stored
    /// file against its SHA-256.
    Verify {
        /// A checkpoint written earlier by `cst audit checkpoint`: the chain must still hold
        /// its record unchanged (catches the last records deleted and the head rewritten).
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// Verifies the chain and prints its head (sequence number and hash) as one JSON line, or
    /// writes it to FILE, for an auditor to keep outside the database.
    Checkpoint {
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Imports member entities from a CSV file: all rows or none.
    Entities {
        file: PathBuf,
        /// `cst` (our format) or `istat` (ISTAT's list of comuni).
        #[arg(long, default_value = "cst")]
        format: String,
        /// With `istat`: only this province (sigla, e.g. PD).
        #[arg(long)]
        province: Option<String>,
        /// With `istat`: population file `codice_istat;popolazione;data_riferimento`
        /// (default: the 2023 figures shipped with cst).
        #[arg(long)]
        population: Option<PathBuf>,
    },
}

pub async fn audit(url: &str, command: AuditCommand) -> Result<()> {
    let db = open(url).await?;
    match command {
        AuditCommand::Verify { checkpoint: None } => {
            let n = db::audit::verify(&db).await?;
            println!("audit chain intact: {n} records verified");
            verify_files(&db).await?;
        }
        AuditCommand::Verify {
            checkpoint: Some(file),
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let cp: db::audit::Checkpoint = serde_json::from_str(text.trim())
                .with_context(|| format!("{} is not a cst audit checkpoint", file.display()))?;
            let n = db::audit::verify_against(&db, &cp).await?;
            println!(
                "audit chain intact: {n} records verified, record {} matches the checkpoint of {}",
                cp.seq, cp.at
            );
            verify_files(&db).await?;
        }
        AuditCommand::Checkpoint { out } => {
            let cp = db::audit::checkpoint(&db).await?;
            let line = serde_json::to_string(&cp)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, format!("{line}\n"))
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    println!(
                        "checkpoint of record {} written to {}",
                        cp.seq,
                        path.display()
                    );
                }
                None => println!("{line}"),
            }
        }
    }
    Ok(())
}

/// Every stored file read against its SHA-256 (the records name files by hash; the audit
/// chain records the hash of every file attached).
async fn verify_files(db: &db::Db) -> Result<()> {
    let (n, bad) = db::files::verify_all(db).await?;
    if !bad.is_empty() {
        anyhow::bail!(
            "{} of {n} stored files no longer match their SHA-256: {}",
            bad.len(),
            bad.join(", ")
        );
    }
    println!("files intact: {n} checked against their SHA-256");
    Ok(())
}

pub async fn backup(url: &str, out: &Path) -> Result<()> {
    let db = open(url).await?;
    let tmp = out.with_extension("partial");
    // The archive holds password and token hashes: readable by its owner only.
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let file = opts
        .open(&tmp)
        .with_context(|| format!("cannot create {}", tmp.display()))?;
    let summary = db::backup::dump(&db, std::io::BufWriter::new(file)).await?;
    std::fs::rename(&tmp, out).with_context(|| format!("cannot write {}", out.display()))?;
    println!(
        "backup written to {}: {}",
        out.display(),
        describe(&summary)
    );
    Ok(())
}

pub async fn restore(url: &str, file: &Path) -> Result<()> {
    let input =
        std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let db = open(url).await?;
    let summary = db::backup::restore(&db, std::io::BufReader::new(input)).await?;
    let n = db::audit::verify(&db)
        .await
        .context("the restored audit chain does not verify")?;
    println!(
        "restored from {}: {}; audit chain intact ({n} records)",
        file.display(),
        describe(&summary)
    );
    Ok(())
}

pub async fn import(url: &str, command: ImportCommand) -> Result<()> {
    let ImportCommand::Entities {
        file,
        format,
        province,
        population,
    } = command;
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let pop = match &population {
        Some(p) => Some(std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?),
        None => None,
    };
    let rows = match format.as_str() {
        "cst" => members::import::parse_cst(&bytes),
        "istat" => members::import::parse_istat(
            &bytes,
            Some(
                pop.as_deref()
                    .unwrap_or(members::reference::POPULATION_2023),
            ),
            province.as_deref(),
        ),
        other => bail!("format {other} unknown: cst or istat"),
    };
    let rows = rows.map_err(|errs| import_error(&errs))?;
    let db = open(url).await?;
    let total = rows.len();
    let progress = |done: usize, total: usize| {
        if done.is_multiple_of(500) || done == total {
            eprint!("\rimporting: {done}/{total}");
        }
    };
    let r = members::store::import(&db, &Actor::system("cli"), &rows, &progress).await;
    eprintln!();
    let r = r.map_err(|e| match e {
        members::MembersError::Import(errs) => import_error(&errs),
        e => anyhow::Error::new(e),
    })?;
    println!(
        "{total} rows imported: {} created, {} updated, {} unchanged",
        r.created, r.updated, r.unchanged
    );
    Ok(())
}

fn import_error(errs: &[members::import::RowError]) -> anyhow::Error {
    anyhow::anyhow!(
        "file not imported, nothing changed: {}",
        errs.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" | ")
    )
}

fn describe(s: &db::backup::Summary) -> String {
    s.iter()
        .map(|(t, n)| format!("{t} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
