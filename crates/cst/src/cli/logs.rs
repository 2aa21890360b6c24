//! `cst logs`: the system-log store (issue 13): verify its hash chains or a folder of sealed
//! exports, and export an entity's records of a period.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum LogsCommand {
    /// Without a folder (`cst logs verify --database`): checks the log store of the database,
    /// every batch's hash recomputed from its messages, each entity's chain and its head.
    /// With a folder of sealed exports (`cst logs verify DIR`): checks the manifest's
    /// signature, its chain, and every file's size and SHA-256; names each file missing,
    /// altered or unlisted. Exits 1 if anything is wrong.
    Verify {
        /// A folder of sealed exports (with its `manifest.txt`).
        dir: Option<PathBuf>,
        /// The centre's public key (`ssh-ed25519 …`, a file) to check the signature with,
        /// instead of the folder's own `allowed_signers`.
        #[arg(long)]
        key: Option<PathBuf>,
    },
    /// Exports an entity's records of a period (whole days in Rome) into a folder: a file
    /// encrypted for the entity's age recipients (its log settings) and the signed manifest.
    Export {
        /// The entity's id.
        #[arg(long)]
        entity: i64,
        /// First day, `YYYY-MM-DD`.
        #[arg(long)]
        from: String,
        /// Last day, included, before today.
        #[arg(long)]
        to: String,
        /// The folder (made if missing); an existing manifest in it goes on.
        #[arg(long)]
        out: PathBuf,
    },
}

pub async fn run(url: &str, command: LogsCommand) -> Result<()> {
    match command {
        LogsCommand::Verify {
            dir: Some(dir),
            key,
        } => verify_dir(&dir, key.as_deref()),
        LogsCommand::Verify { dir: None, .. } => verify_store(url).await,
        LogsCommand::Export {
            entity,
            from,
            to,
            out,
        } => {
            let db = super::open(url).await?;
            let store = logs::LogStore::open(url).await?;
            let today = kernel::time::Clock::system().today();
            let (from, to) = logs::export::check_period(&from, &to, today)?;
            let out = std::path::absolute(&out).unwrap_or(out);
            let target = objstore::Target::Folder(out.clone());
            let actor = kernel::Actor::system("cli:logs-export");
            let e =
                logs::export::export(&db, &store, &target, &actor, entity, from, to, "cli").await?;
            store.close().await;
            db.close().await;
            println!(
                "{}: {} records, {} bytes, sha256 {} (manifest entry {}{})",
                out.join(&e.file_name).display(),
                e.records,
                e.bytes,
                e.sha256,
                e.manifest_seq,
                if e.verified_at.is_some() {
                    ", read back and verified"
                } else {
                    ", NOT verified on reading back"
                }
            );
            Ok(())
        }
    }
}

fn verify_dir(dir: &std::path::Path, key: Option<&std::path::Path>) -> Result<()> {
    let trusted = match key {
        None => None,
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("{} not readable", p.display()))?;
            Some(seal::sshsig::PublicKey::parse_openssh(text.trim())?)
        }
    };
    let report = seal::manifest::verify_dir(dir, trusted.as_ref())?;
    for p in &report.problems {
        eprintln!("{p}");
    }
    if !report.problems.is_empty() {
        bail!(
            "exports in {} NOT intact: {} problem(s)",
            dir.display(),
            report.problems.len()
        );
    }
    println!(
        "exports in {} intact: {} file(s), manifest signed by {}",
        dir.display(),
        report.files,
        report.signer.as_deref().unwrap_or("?")
    );
    Ok(())
}

async fn verify_store(url: &str) -> Result<()> {
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
