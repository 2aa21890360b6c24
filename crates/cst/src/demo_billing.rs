//! The demo's billing: a plausible centre in the settings (so an e-invoice can be made at
//! once), Padova's antivirus and SMS, and this year's statements of every comune with an
//! agreement, Padova's issued.

use anyhow::Result;
use db::Db;
use kernel::Actor;

pub async fn load(db: &Db, actor: &Actor, padova: i64) -> Result<()> {
    let today = kernel::time::today();
    let year = chrono::Datelike::year(&today);
    billing::store::put_settings(db, actor, &billing::settings::BillingSettings::demo(), None)
        .await?;
    // Padova protects 120 devices with the advanced antivirus from 15 January.
    let r = delivery::store::submit(
        db,
        actor,
        &delivery::store::RequestDraft {
            entity_id: padova,
            service: "PD13".into(),
            item: Some("avanzato".into()),
            quantity: 120,
            notes: "Antivirus avanzato per tutte le postazioni degli uffici".into(),
            ..Default::default()
        },
        today,
    )
    .await?;
    delivery::store::approve(db, actor, r.id, today, None).await?;
    let start = chrono::NaiveDate::from_ymd_opt(year, 1, 15).unwrap_or(today);
    delivery::store::deliver(db, actor, r.id, start.min(today), None).await?;
    // The SMS Padova sent each month so far.
    for month in 1..chrono::Datelike::month(&today) {
        billing::store::readings::record(
            db,
            actor,
            &billing::store::readings::ReadingDraft {
                entity_id: padova,
                service: "PD02".into(),
                item: Some("sms".into()),
                year: i64::from(year),
                month: i64::from(month),
                quantity: 800 + 137 * i64::from(month % 5),
                note: "Dal gestore degli SMS".into(),
            },
        )
        .await?;
    }
    let run = billing::store::runs::start(db, actor, i64::from(year), None).await?;
    let run = billing::store::runs::execute(db, run.id).await?;
    anyhow::ensure!(run.state == "done", "demo billing run: {:?}", run.error);
    if let Some(st) = billing::store::statements::of_entity(db, actor, padova, Some(year))
        .await?
        .into_iter()
        .find(|s| s.state == "draft")
    {
        billing::store::statements::issue(db, actor, st.id, today).await?;
    }
    Ok(())
}
