//! The demo's agendas: Padova's information-systems office (a group, with the demo contact)
//! meeting every Tuesday, and the contact's own calendar with a day of server maintenance.

use agenda::store::events::{self, EventDraft};
use agenda::store::{self, CalendarDraft};
use anyhow::Result;
use chrono::{Datelike, Duration};
use db::Db;
use kernel::Actor;

pub async fn load(db: &Db, actor: &Actor, padova: i64) -> Result<()> {
    let people = store::people(db, actor, padova).await?;
    let members: Vec<i64> = people.iter().map(|p| p.user_id).collect();
    let office = store::create_calendar(
        db,
        actor,
        padova,
        &CalendarDraft {
            name: "Sistemi informativi".into(),
            kind: "group".into(),
            members: members.clone(),
            ..Default::default()
        },
    )
    .await?;
    let today = kernel::time::today();
    let tuesday = today
        + Duration::days(i64::from(
            (7 + 1 - today.weekday().num_days_from_monday()) % 7,
        ));
    events::create(
        db,
        actor,
        office.id,
        &EventDraft {
            title: "Riunione settimanale dell'ufficio".into(),
            place: "Palazzo Moroni, sala riunioni al primo piano".into(),
            starts: format!("{tuesday}T09:00"),
            ends: format!("{tuesday}T10:00"),
            repeat: "FREQ=WEEKLY;COUNT=12".into(),
            ..Default::default()
        },
    )
    .await?;
    if let Some(owner) = members.first() {
        let own = store::create_calendar(
            db,
            actor,
            padova,
            &CalendarDraft {
                name: "Agenda della referente".into(),
                kind: "person".into(),
                owner_id: Some(*owner),
                ..Default::default()
            },
        )
        .await?;
        let day = tuesday + Duration::days(3);
        events::create(
            db,
            actor,
            own.id,
            &EventDraft {
                title: "Manutenzione del server di posta".into(),
                notes: "Posta non disponibile dalle 7 alle 19.".into(),
                starts: day.to_string(),
                ends: day.to_string(),
                all_day: true,
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(())
}
