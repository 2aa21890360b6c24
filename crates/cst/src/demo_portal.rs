//! The demo's public portal: PD02's booking item carries the events and appointments modules,
//! its base item the calls for tender; Padova has the booking item, two events (one with seats
//! left, one full with people waiting) and two calls for tender, so that `/p/{Padova}/…` has
//! something to show.

use anyhow::Result;
use db::Db;
use kernel::Actor;
use portal::store::events::{self, Channel, EventDraft, RegistrationDraft};
use portal::store::modules::{self, ModuleItem};
use portal::store::tenders::{self, TenderDraft};

pub async fn load(db: &Db, actor: &Actor, padova: i64) -> Result<()> {
    let item = |module: &str, item: &str| ModuleItem {
        module: module.into(),
        service: "PD02".into(),
        item: item.into(),
    };
    modules::set_items(
        db,
        actor,
        &[
            item("events", "prenotazioni"),
            item("appointments", "prenotazioni"),
            item("tenders", "base"),
        ],
    )
    .await?;
    let today = kernel::time::today();
    for (item, notes) in [
        ("base", "Accesso al portale IntranetCST"),
        ("prenotazioni", "Portale prenotazioni per i cittadini"),
    ] {
        let r = delivery::store::submit(
            db,
            actor,
            &delivery::store::RequestDraft {
                entity_id: padova,
                service: "PD02".into(),
                item: Some(item.into()),
                quantity: 1,
                notes: notes.into(),
                ..Default::default()
            },
            today,
        )
        .await?;
        delivery::store::approve(db, actor, r.id, today, None).await?;
        delivery::store::deliver(db, actor, r.id, today, None).await?;
    }

    // At a round hour in Rome, some days from today.
    let at = |days: u64, hour: u32| {
        use chrono::TimeZone;
        let day = today + chrono::Days::new(days);
        kernel::time::ROME
            .from_local_datetime(&day.and_hms_opt(hour, 0, 0).unwrap_or_default())
            .earliest()
            .map(|t| t.with_timezone(&chrono::Utc))
    };
    let concert = events::create(
        db,
        actor,
        &EventDraft {
            entity_id: padova,
            title: "Concerto di Natale nella Sala dei Giganti".into(),
            description:
                "Il coro del Conservatorio Pollini in un programma di musiche natalizie.\n\
                          Ingresso libero con iscrizione: fino a quattro posti per richiesta."
                    .into(),
            place: "Palazzo Liviano, Piazza Capitaniato 7".into(),
            starts_at: at(12, 21),
            seats: 120,
            max_per_request: Some(4),
        },
    )
    .await?;
    let coding = events::create(
        db,
        actor,
        &EventDraft {
            entity_id: padova,
            title: "Laboratorio di programmazione per ragazzi".into(),
            description: "Due ore di giochi con Scratch per ragazze e ragazzi dagli 8 ai 12 anni."
                .into(),
            place: "Biblioteca civica, Via Altinate 71".into(),
            starts_at: at(20, 15),
            seats: 6,
            max_per_request: Some(2),
        },
    )
    .await?;
    for (event, name, seats, channel) in [
        (concert.id, "Chiara Benetton", 2, Channel::Web),
        (concert.id, "Paolo Marcato", 4, Channel::Operator),
        (coding.id, "Sara Pavan", 2, Channel::Web),
        (coding.id, "Luca Bortolami", 2, Channel::Web),
        (coding.id, "Anna Zanella", 2, Channel::Operator),
        (coding.id, "Matteo Gallo", 2, Channel::Web),
        (coding.id, "Elisa Fabris", 1, Channel::Web),
    ] {
        let email = format!("{}@example.org", name.to_lowercase().replace(' ', "."));
        events::register(
            db,
            actor,
            event,
            &RegistrationDraft {
                name: name.into(),
                email,
                phone: String::new(),
                seats,
            },
            channel,
        )
        .await?;
    }
    // Two offices open for appointments in the coming three weeks.
    use chrono::{NaiveTime, Weekday};
    let hm = |h: u32, m: u32| NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
    for (office, openings) in [
        (
            "Anagrafe",
            vec![
                (Weekday::Mon, hm(9, 0), hm(12, 0), 20, 2),
                (Weekday::Wed, hm(14, 30), hm(17, 0), 20, 2),
                (Weekday::Fri, hm(9, 0), hm(12, 0), 20, 2),
            ],
        ),
        (
            "Ufficio tecnico",
            vec![(Weekday::Tue, hm(9, 0), hm(12, 30), 30, 1)],
        ),
    ] {
        portal::store::slots::publish_weekly(
            db,
            actor,
            &portal::store::slots::WeeklyDraft {
                entity_id: padova,
                office: office.into(),
                from: Some(today + chrono::Days::new(1)),
                to: Some(today + chrono::Days::new(21)),
                openings: openings
                    .into_iter()
                    .map(
                        |(weekday, start, end, minutes, places)| portal::slots::Opening {
                            weekday,
                            start,
                            end,
                            minutes,
                            places,
                        },
                    )
                    .collect(),
            },
        )
        .await?;
    }
    // Padova's shield (a red cross on white, drawn for the demo) on its public pages.
    portal::store::settings::set_logo(
        db,
        actor,
        padova,
        Some(include_bytes!("demo_padova_logo.png")),
    )
    .await?;
    // Two rooms: the council hall asks for approval (a request waits), the gym does not (an
    // association's evening is booked).
    use portal::store::rooms::{self, RoomBookingDraft, RoomDraft};
    let mut room_ids = vec![];
    for (name, description, capacity, approval, opens, closes) in [
        (
            "Sala consiliare",
            "Al primo piano di Palazzo Moroni, con impianto audio e proiettore.",
            80,
            true,
            8,
            23,
        ),
        (
            "Palestra comunale",
            "Palestra della scuola Ippolito Nievo, con spogliatoi.",
            200,
            false,
            15,
            23,
        ),
    ] {
        let r = rooms::create(
            db,
            actor,
            &RoomDraft {
                entity_id: padova,
                name: name.into(),
                description: description.into(),
                capacity,
                needs_approval: approval,
                opens_hour: opens,
                closes_hour: closes,
            },
        )
        .await?;
        room_ids.push(r.id);
    }
    let now_rooms = chrono::Utc::now();
    rooms::public::request(
        db,
        padova,
        room_ids[0],
        &RoomBookingDraft {
            name: "Lucia Bertin".into(),
            email: "lucia.bertin@example.org".into(),
            phone: "049 8205111".into(),
            organisation: "Associazione Amici del Museo".into(),
            purpose: "Presentazione del calendario delle visite guidate".into(),
            day: Some(today + chrono::Days::new(2)),
            from: 18,
            to: 20,
        },
        now_rooms,
    )
    .await?;
    rooms::book(
        db,
        actor,
        room_ids[1],
        &RoomBookingDraft {
            name: "Paolo Zanella".into(),
            email: "paolo.zanella@example.org".into(),
            organisation: "ASD Pallavolo Padova".into(),
            purpose: "Allenamento della squadra under 14".into(),
            day: Some(today + chrono::Days::new(2)),
            from: 17,
            to: 19,
            ..Default::default()
        },
        now_rooms,
    )
    .await?;
    // Calls for tender: one open (corrected once, with its notice), one decided.
    let now = chrono::Utc::now();
    let roads = tenders::create(
        db,
        actor,
        &TenderDraft {
            entity_id: padova,
            title: "Manutenzione ordinaria delle strade comunali 2027-2028".into(),
            category: "lavori".into(),
            description: "Procedura aperta per l'affidamento della manutenzione ordinaria \
                          delle strade comunali per il biennio 2027-2028."
                .into(),
            published_on: Some(today - chrono::Days::new(10)),
            deadline_at: at(25, 12),
            ..Default::default()
        },
        now,
    )
    .await?;
    tenders::add_document(
        db,
        actor,
        roads.id,
        "disciplinare di gara.txt",
        "text/plain",
        "Disciplinare di gara: requisiti, criteri di aggiudicazione, termini.\n".as_bytes(),
        now,
    )
    .await?;
    tenders::update(
        db,
        actor,
        roads.id,
        &TenderDraft {
            entity_id: padova,
            title: roads.title.clone(),
            category: roads.category.clone(),
            description: roads.description.clone(),
            published_on: Some(today - chrono::Days::new(10)),
            deadline_at: at(32, 12),
            ..Default::default()
        },
        "Proroga di una settimana del termine per le offerte, per le festività.",
        now,
    )
    .await?;
    let cleaning = TenderDraft {
        entity_id: padova,
        title: "Servizio di pulizia degli uffici comunali".into(),
        category: "servizi".into(),
        published_on: Some(today - chrono::Days::new(90)),
        deadline_at: at(0, 0).map(|t| t - chrono::Duration::days(45)),
        ..Default::default()
    };
    let done = tenders::create(db, actor, &cleaning, now).await?;
    tenders::update(
        db,
        actor,
        done.id,
        &TenderDraft {
            outcome_on: at(0, 0).map(|t| t - chrono::Duration::days(20)),
            outcome: "Aggiudicato a Servizi Euganei soc. coop. per € 184.500,00 all'anno.".into(),
            ..cleaning
        },
        "",
        now,
    )
    .await?;
    Ok(())
}
