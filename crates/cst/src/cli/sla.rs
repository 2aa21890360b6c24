//! `cst sla due`: working-time arithmetic of the SLA calendars, no database needed.

use anyhow::Result;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum SlaCommand {
    /// Prints the instant by which HOURS working hours have elapsed from FROM (RFC 3339 with
    /// the Rome offset).
    Due {
        /// consorzio-it | padova | ltt
        #[arg(long)]
        calendar: String,
        /// The start, RFC 3339 with an offset: 2026-11-23T10:00:00+01:00.
        #[arg(long)]
        from: String,
        /// Working hours, e.g. 8 or 1.5.
        #[arg(long)]
        hours: String,
    },
}

/// `8`, `1.5`, `0.25` hours as whole seconds (rounded half up); at most 1,000,000 hours.
pub fn parse_hours(s: &str) -> Result<i64> {
    let bad = || anyhow::anyhow!("ore «{s}» non valide: un numero come 8 oppure 1.5");
    let t = s.trim().replace(',', ".");
    let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 6
        || int.len() > 7
    {
        return Err(bad());
    }
    let whole: i64 = int.parse().map_err(|_| bad())?;
    if whole > 1_000_000 {
        return Err(bad());
    }
    let scale = 10i64.pow(frac.len() as u32);
    let part: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| bad())?
    };
    Ok(whole * 3600 + (part * 3600 + scale / 2) / scale)
}

pub fn run(command: SlaCommand) -> Result<()> {
    let SlaCommand::Due {
        calendar,
        from,
        hours,
    } = command;
    let cal = kernel::calendar::Calendar::preset(&calendar)?;
    let start = chrono::DateTime::parse_from_rfc3339(from.trim())
        .map_err(|e| anyhow::anyhow!("--from «{from}» non è un istante RFC 3339 con fuso (es. 2026-11-23T10:00:00+01:00): {e}"))?
        .with_timezone(&chrono::Utc);
    let seconds = parse_hours(&hours)?;
    let due = cal
        .add_working(start, chrono::Duration::seconds(seconds))
        .ok_or_else(|| anyhow::anyhow!("nessuna scadenza entro 20 anni"))?;
    println!("{}", kernel::calendar::rfc3339_rome(due));
    Ok(())
}
