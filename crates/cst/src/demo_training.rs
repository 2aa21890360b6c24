//! The demo's training courses: an Academy4PA course held last month with its attendance
//! recorded (Padova used its entries and one extra), one open for sign-up with a waiting list,
//! and an LTT class open; the demo contact's entities have their entries for the year.

use anyhow::Result;
use chrono::{Duration, TimeZone};
use db::Db;
use kernel::Actor;
use training::rules::Attendance;
use training::store::{self, enrolments, entries, CourseDraft, SessionDraft};

/// The first working day (Tuesday to Thursday, not a holiday nor between Christmas and the
/// Epiphany) on or after `d`.
fn working(mut d: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::Datelike;
    let holidays = kernel::calendar::italian_holidays();
    let closed = |d: chrono::NaiveDate| {
        !matches!(
            d.weekday(),
            chrono::Weekday::Tue | chrono::Weekday::Wed | chrono::Weekday::Thu
        ) || (d.month() == 12 && d.day() >= 24)
            || (d.month() == 1 && d.day() <= 6)
            || holidays.iter().any(|h| h.date_in(d.year()) == Some(d))
    };
    while closed(d) {
        d += Duration::days(1);
    }
    d
}

/// Two sessions at 9:00 in Rome a week or so apart, the first on the working day from `days`
/// from today.
fn two(days: i64, hours: [i64; 2]) -> Vec<SessionDraft> {
    let first = working(kernel::time::today() + Duration::days(days));
    let second = working(first + Duration::days(7));
    [(first, hours[0]), (second, hours[1])]
        .into_iter()
        .map(|(d, h)| SessionDraft {
            starts_at: nine(d),
            hours: h,
        })
        .collect()
}

fn nine(d: chrono::NaiveDate) -> Option<chrono::DateTime<chrono::Utc>> {
    kernel::time::ROME
        .from_local_datetime(&d.and_hms_opt(9, 0, 0)?)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
}

async fn enrol(db: &Db, actor: &Actor, course: i64, entity: i64, name: &str) -> Result<i64> {
    let email = format!(
        "{}@example.org",
        name.to_lowercase().replace(' ', ".").replace('à', "a")
    );
    let e = enrolments::enrol(
        db,
        actor,
        course,
        &enrolments::EnrolmentDraft {
            entity_id: entity,
            name: name.into(),
            email,
        },
    )
    .await?;
    Ok(e.id)
}

pub async fn load(db: &Db, actor: &Actor, padova: i64, abano: i64, others: &[i64]) -> Result<()> {
    let other = |i: usize| {
        others
            .get(i % others.len().max(1))
            .copied()
            .unwrap_or(abano)
    };

    // Held last month, attendance recorded.
    let held = store::create(
        db,
        actor,
        &CourseDraft {
            title: "Privacy e GDPR negli uffici comunali".into(),
            description: "Il registro dei trattamenti, le nomine, la gestione delle violazioni."
                .into(),
            place: "Sala corsi del centro servizi".into(),
            kind: "academy".into(),
            seats: 12,
            price: Some("120.00".into()),
            sessions: two(-40, [4, 4]),
            ..Default::default()
        },
    )
    .await?;
    let mut people = vec![];
    for (e, n) in [
        (padova, "Chiara Zanella"),
        (padova, "Marco Pavan"),
        (abano, "Elena Toffanin"),
        (other(0), "Luca Bortolami"),
        (padova, "Sara Crivellaro"),
        (other(1), "Paolo Menegazzo"),
        (other(2), "Anna Schiavon"),
        (padova, "Giorgio Rampazzo"),
        (padova, "Laura Cecchinato"),
    ] {
        people.push(enrol(db, actor, held.id, e, n).await?);
    }
    // The entries of the held course's year (last year's, early in January) and this year's.
    for year in [
        i64::from(held.year),
        i64::from(kernel::time::current_year()),
    ] {
        entries::set(db, actor, padova, year, 4).await?;
        entries::set(db, actor, abano, year, 2).await?;
    }
    store::close_signup(db, actor, held.id).await?;
    for (i, id) in people.iter().enumerate() {
        let a = match i {
            4 => Attendance::Absent,
            6 => Attendance::Excused,
            _ => Attendance::Present,
        };
        enrolments::attendance(db, actor, *id, a).await?;
    }

    // Open for sign-up: Padova's third person waits for the limit of two.
    let open = store::create(
        db,
        actor,
        &CourseDraft {
            title: "La firma digitale remota e la PEC".into(),
            description:
                "Firmare documenti con la firma remota, verificare le firme, usare la PEC \
                con il protocollo informatico."
                    .into(),
            place: "Sala corsi del centro servizi".into(),
            kind: "academy".into(),
            seats: 10,
            price: Some("120.00".into()),
            sessions: two(20, [4, 3]),
            ..Default::default()
        },
    )
    .await?;
    for (e, n) in [
        (padova, "Chiara Zanella"),
        (other(0), "Luca Bortolami"),
        (padova, "Davide Gallo"),
        (padova, "Francesca Boscolo"),
        (abano, "Elena Toffanin"),
        (other(1), "Paolo Menegazzo"),
    ] {
        enrol(db, actor, open.id, e, n).await?;
    }

    // An LTT class: 1.500 € a session split among whoever takes part.
    let ltt = store::create(
        db,
        actor,
        &CourseDraft {
            title: "Office automation: Excel per gli uffici".into(),
            place: "Aula informatica, una postazione per partecipante".into(),
            kind: "ltt".into(),
            seats: 15,
            per_entity: Some(15),
            sessions: vec![SessionDraft {
                starts_at: nine(working(kernel::time::today() + Duration::days(34))),
                hours: 4,
            }],
            ..Default::default()
        },
    )
    .await?;
    for (e, n) in [(abano, "Roberto Fasolo"), (other(2), "Anna Schiavon")] {
        enrol(db, actor, ltt.id, e, n).await?;
    }
    Ok(())
}
