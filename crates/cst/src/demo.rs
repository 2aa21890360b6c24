//! Demo data for `cst serve --demo`: the comuni of the Provincia di Padova (real ISTAT and
//! cadastral codes, 2023 population), a few other kinds of entity, contacts, and one account
//! per role. Loaded only into a database without accounts; the logins are returned to print.

use anyhow::{Context, Result};
use db::Db;
use kernel::Actor;
use members::{store, ContactDraft, EntityDraft};

pub type Logins = Vec<(String, String, String)>;

fn logins() -> Logins {
    [
        ("admin", "cst-demo-admin", "amministratore"),
        (
            "operatore",
            "cst-demo-operatore",
            "operatore dell'help desk",
        ),
        (
            "referente",
            "cst-demo-referente",
            "referente dei Comuni di Padova e Abano Terme",
        ),
        (
            "fornitore",
            "cst-demo-fornitore",
            "fornitore assegnato al Comune di Albignasego",
        ),
    ]
    .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()))
    .to_vec()
}

pub(crate) async fn by_istat(db: &Db, actor: &Actor, code: &str) -> Result<members::Entity> {
    store::list(
        db,
        actor,
        &store::ListQuery {
            q: code.into(),
            limit: 1,
            ..Default::default()
        },
    )
    .await?
    .items
    .into_iter()
    .next()
    .with_context(|| format!("demo comune {code} missing"))
}

pub async fn load(db: &Db) -> Result<Logins> {
    let admins = accounts::store::by_username(db, "admin").await;
    if admins.is_ok() {
        return Ok(logins());
    }
    let actor = Actor::system("demo");
    let rows = members::import::parse_istat(
        members::reference::COMUNI_ISTAT,
        Some(members::reference::POPULATION_2023),
        Some("PD"),
    )
    .map_err(|e| anyhow::anyhow!("reference data: {:?}", e.first()))?;
    store::import(db, &actor, &rows, &|_, _| {}).await?;

    let padova = by_istat(db, &actor, "028060").await?;
    let abano = by_istat(db, &actor, "028001").await?;
    let albignasego = by_istat(db, &actor, "028003").await?;
    let mut d = padova.data.to_draft();
    d.tax_code = "00644060287".into();
    d.ipa_code = "c_g224".into();
    d.pec = "protocollo.generale@pec.comune.padova.it".into();
    d.address = "Via del Municipio 1".into();
    d.postal_code = "35122".into();
    d.office_code = "UFK7ZD".into();
    d.workstations = "1450".into();
    d.servers = "38".into();
    let input = d
        .parse()
        .map_err(|e| anyhow::anyhow!("demo Padova: {e:?}"))?;
    store::update(db, &actor, padova.id, None, &input).await?;
    let mut d = abano.data.to_draft();
    d.workstations = "95".into();
    d.servers = "4".into();
    let input = d
        .parse()
        .map_err(|e| anyhow::anyhow!("demo Abano: {e:?}"))?;
    store::update(db, &actor, abano.id, None, &input).await?;

    for (name, kind, city) in [
        (
            "Federazione dei Comuni del Camposampierese",
            "unione_comuni",
            "Camposampiero",
        ),
        (
            "Biblioteca civica di Cittadella",
            "biblioteca",
            "Cittadella",
        ),
        (
            "Ente Parco Regionale dei Colli Euganei",
            "ente_parco",
            "Este",
        ),
    ] {
        let d = EntityDraft {
            name: name.into(),
            kind: kind.into(),
            city: city.into(),
            province: "PD".into(),
            workstations: "12".into(),
            servers: "1".into(),
            ..Default::default()
        };
        let input = d
            .parse()
            .map_err(|e| anyhow::anyhow!("demo {name}: {e:?}"))?;
        store::create(db, &actor, &input).await?;
    }
    for (entity, name, role, email, primary) in [
        (
            padova.id,
            "Giulia Bernardi",
            "Responsabile Sistemi Informativi",
            "sistemi.informativi@comune.padova.it",
            true,
        ),
        (
            padova.id,
            "Marco Zanon",
            "Referente protocollo",
            "protocollo@comune.padova.it",
            false,
        ),
        (
            abano.id,
            "Elena Toffanin",
            "Responsabile CED",
            "ced@comune.abano-terme.pd.it",
            true,
        ),
    ] {
        let c = ContactDraft {
            full_name: name.into(),
            role: role.into(),
            email: email.into(),
            phone: String::new(),
            is_primary: if primary { "1".into() } else { String::new() },
        };
        store::add_contact(db, &actor, entity, &c).await?;
    }
    // The Padova membership-fee model, from this year on.
    let year = kernel::time::current_year();
    catalog::store::set_rule(
        db,
        &actor,
        year,
        "padova",
        &catalog::membership::preset("padova", None)?,
    )
    .await?;
    demo_catalogue(db, &actor, year).await?;
    let l = logins();
    for ((username, password, _), (role, full_name, entities)) in l.iter().zip([
        ("admin", "Lucia Ferraro", vec![]),
        ("operator", "Davide Rizzo", vec![]),
        ("contact", "Giulia Bernardi", vec![padova.id, abano.id]),
        ("supplier", "Reti Venete Srl", vec![albignasego.id]),
    ]) {
        accounts::store::create(
            db,
            &actor,
            &accounts::NewUser {
                username: username.clone(),
                full_name: full_name.into(),
                // The contact is answered by e-mail (queued until an SMTP server is set).
                email: if role == "contact" {
                    "sistemi.informativi@comune.padova.it".into()
                } else {
                    String::new()
                },
                role: role.into(),
                password: password.clone(),
                entity_ids: entities,
            },
        )
        .await?;
    }
    // Help desk: support profiles, and Padova's backup system reporting by e-mail.
    for (e, p) in [
        (padova.id, helpdesk::support::Profile::Enterprise),
        (abano.id, helpdesk::support::Profile::Pro),
        (albignasego.id, helpdesk::support::Profile::Basic),
    ] {
        helpdesk::store::set_support_profile(db, &actor, e, p).await?;
    }
    helpdesk::backups::create(
        db,
        &actor,
        padova.id,
        "Veeam, sala server di Palazzo Moroni",
        "backup@comune.padova.it",
        26,
    )
    .await?;
    demo_tickets(db, &[padova.id, abano.id, albignasego.id]).await?;
    // The portal's modules first: their services are billed with the rest.
    crate::demo_portal::load(db, &actor, padova.id).await?;
    crate::demo_faq::load(db, &actor).await?;
    let others: Vec<i64> = store::list(
        db,
        &actor,
        &store::ListQuery {
            limit: 12,
            ..Default::default()
        },
    )
    .await?
    .items
    .iter()
    .map(|e| e.id)
    .filter(|id| ![padova.id, abano.id].contains(id))
    .collect();
    crate::demo_training::load(db, &actor, padova.id, abano.id, &others).await?;
    crate::demo_office::load(db, &actor, padova.id).await?;
    crate::demo_agenda::load(db, &actor, padova.id).await?;
    crate::demo_billing::load(db, &actor, padova.id).await?;
    Ok(l)
}

/// A help desk at work: three dozen tickets of the last three weeks across the comuni, some
/// still new (a few past their take-charge deadline), some taken, assigned, waiting for the
/// entity (one of the demo contact's, with the question it must answer), resolved or closed,
/// and a phase handed to the demo supplier.
async fn demo_tickets(db: &Db, main: &[i64; 3]) -> Result<()> {
    const RESOLVED: &str = "Intervento completato: il servizio funziona di nuovo. Se il problema si ripresenta nei prossimi 10 giorni lavorativi basta rispondere a questo messaggio.";
    use helpdesk::model::{NewTicket, State};
    let operator = accounts::store::by_username(db, "operatore").await?.actor();
    let admin = accounts::store::by_username(db, "admin").await?.actor();
    let supplier = accounts::store::by_username(db, "fornitore").await?;
    let others: Vec<i64> = store::list(
        db,
        &Actor::system("demo"),
        &store::ListQuery {
            limit: 40,
            ..Default::default()
        },
    )
    .await?
    .items
    .iter()
    .map(|e| e.id)
    .filter(|id| !main.contains(id))
    .collect();
    let subjects = [
        (
            "Stampante dell'anagrafe non stampa",
            "L'ufficio anagrafe non riesce a stampare i certificati dalla stampante di rete.",
            "hardware",
        ),
        (
            "Posta elettronica lenta",
            "Da stamattina l'invio della PEC impiega diversi minuti.",
            "posta",
        ),
        (
            "Nuovo dipendente da abilitare",
            "Serve un account e l'accesso al gestionale per la nuova collega della ragioneria.",
            "account",
        ),
        (
            "Connessione assente in biblioteca",
            "La biblioteca comunale è senza rete da ieri pomeriggio.",
            "rete",
        ),
        (
            "Aggiornamento del gestionale dei tributi",
            "Chiediamo di installare l'aggiornamento di novembre del gestionale dei tributi.",
            "software",
        ),
        (
            "Firma digitale non riconosciuta",
            "Il software di protocollo non riconosce il dispositivo di firma del sindaco.",
            "software",
        ),
        (
            "Sito istituzionale irraggiungibile",
            "Il sito del comune risponde con un errore dalle 8:00.",
            "rete",
        ),
        (
            "Sostituzione del monitor dell'ufficio tecnico",
            "Il monitor della postazione 3 si spegne da solo.",
            "hardware",
        ),
        (
            "Password scaduta per il portale SUAP",
            "L'operatore SUAP non riesce più ad accedere al portale.",
            "account",
        ),
        (
            "Backup notturno non completato",
            "Il rapporto del backup di stanotte segnala un errore sul volume dati.",
            "backup",
        ),
        (
            "Telefono VoIP senza linea",
            "Il centralino non squilla sull'interno 214.",
            "telefonia",
        ),
        (
            "Richiesta di una casella di posta condivisa",
            "Per l'ufficio elettorale serve una casella condivisa.",
            "posta",
        ),
    ];
    let now = chrono::Utc::now();
    let mut made = Vec::new();
    for i in 0..36usize {
        let entity = if i % 3 == 0 {
            main[i / 3 % 3]
        } else {
            others[i % others.len().max(1)]
        };
        let (subject, description, category) = subjects[i % subjects.len()];
        let priority = ["high", "medium", "low", "medium"][i % 4];
        // From 20 days ago to today, in office hours (Rome), never in the future.
        let day = kernel::time::today() - chrono::Duration::days((i as i64 * 7) % 21);
        let at = day.and_hms_opt(8 + (i as u32 * 5) % 9, [0, 15, 30, 45][i % 4], 0);
        let received = at
            .and_then(|t| {
                use chrono::TimeZone;
                kernel::time::ROME.from_local_datetime(&t).earliest()
            })
            .map(|t| t.with_timezone(&chrono::Utc))
            .filter(|t| *t <= now)
            .unwrap_or(now);
        let t = helpdesk::store::create(
            db,
            &operator,
            &NewTicket {
                entity_id: entity,
                subject: subject.into(),
                description: description.into(),
                category: category.into(),
                priority: priority.into(),
                channel: "phone".into(),
                received_at: Some(received.to_rfc3339()),
                // Phone calls without an address: the demo queues no e-mail of its own.
                requester_email: None,
                on_call: false,
            },
            now,
        )
        .await?;
        made.push(t);
    }
    for (i, t) in made.iter().enumerate() {
        let by = if i % 5 == 0 { &admin } else { &operator };
        // Spread so that each comune of the demo logins gets tickets in several states (the
        // contact's Abano has one waiting for its answer).
        match (i + i / 9) % 9 {
            // Still new: the queue's top (and, the older ones, overdue).
            0..=2 => {}
            3 => {
                helpdesk::store::assign(db, &admin, t.id, Some(operator.user_id), now).await?;
            }
            4 | 5 => {
                helpdesk::store::take_charge(db, by, t.id, now).await?;
            }
            6 => {
                helpdesk::store::take_charge(db, by, t.id, now).await?;
                helpdesk::store::add_message(
                    db,
                    by,
                    t.id,
                    "Per procedere ci servono il numero di serie dell'apparato e il nome della postazione: potete indicarceli rispondendo qui?",
                    false,
                    now,
                )
                .await?;
                helpdesk::store::set_state(db, by, t.id, State::WaitingEntity, None, now).await?;
            }
            7 => {
                helpdesk::store::take_charge(db, by, t.id, now).await?;
                helpdesk::store::set_state(db, by, t.id, State::Resolved, Some(RESOLVED), now)
                    .await?;
            }
            _ => {
                helpdesk::store::take_charge(db, by, t.id, now).await?;
                helpdesk::store::set_state(db, by, t.id, State::Resolved, Some(RESOLVED), now)
                    .await?;
                helpdesk::store::set_state(db, by, t.id, State::Closed, None, now).await?;
            }
        }
    }
    // The supplier's work: a phase of a ticket of the comune it serves.
    if let Some(t) = made.iter().find(|t| t.entity_id == main[2]) {
        helpdesk::phases::create(
            db,
            &operator,
            t.id,
            &helpdesk::phases::NewPhase {
                supplier_id: supplier.id,
                title: "Intervento in sede sulla rete".into(),
                description:
                    "Verificare lo switch del piano terra e il cablaggio della biblioteca.".into(),
                onsite_authorized: true,
            },
        )
        .await?;
    }
    Ok(())
}

/// The Padova catalogue and price list, and an agreement for every comune of the province:
/// most signed two years ago for 5 years; every fifth one ends this year (so it shows as
/// expiring late in the year); every seventeenth has only a draft, so it cannot be charged (Padova and Abano
/// Terme are always signed).
async fn demo_catalogue(db: &Db, actor: &Actor, year: i32) -> Result<()> {
    use catalog::store::agreements::{self, AgreementDraft};
    catalog::store::load_padova_catalogue(db, actor).await?;
    let all = store::list(
        db,
        actor,
        &store::ListQuery {
            limit: 1000,
            ..Default::default()
        },
    )
    .await?
    .items;
    for (i, e) in all.iter().enumerate() {
        if e.data.kind != kernel::EntityKind::Comune {
            continue;
        }
        let start_year = if i % 5 == 0 { year - 4 } else { year - 2 };
        let draft = AgreementDraft {
            number: format!("{}/{start_year}", i + 1),
            start_date: chrono::NaiveDate::from_ymd_opt(start_year, 1, 1),
            term_years: Some(5),
            // Padova and Abano Terme (the demo contact's) are always signed.
            signed: i % 17 != 0
                || e.data
                    .istat_code
                    .as_ref()
                    .is_some_and(|c| c.as_str() == "028060" || c.as_str() == "028001"),
            signed_on: chrono::NaiveDate::from_ymd_opt(start_year - 1, 12, 15),
            ..Default::default()
        };
        agreements::create(db, actor, e.id, &draft).await?;
    }
    demo_quotes(db, actor, year, &all).await
}

/// Next year's price list, a copy of this one not used yet (to try the editor on), and a few
/// quotes on this year's list for the demo contact's entities and others.
async fn demo_quotes(db: &Db, actor: &Actor, year: i32, all: &[members::Entity]) -> Result<()> {
    use catalog::store::{price_lists, quotes};
    let current = price_lists::on(
        db,
        chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default(),
    )
    .await?;
    let mut next = current.list.clone();
    next.name = format!("Listino {}", year + 1);
    next.valid_from = chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1).unwrap_or(next.valid_from);
    next.valid_to = None;
    price_lists::create(db, actor, &next).await?;
    let wanted = ["028060", "028001", "028003", "028010", "028057"];
    let picked = all.iter().filter(|e| {
        e.data
            .istat_code
            .as_ref()
            .is_some_and(|c| wanted.contains(&c.as_str()))
    });
    for (k, e) in picked.enumerate() {
        for (service, quantity, month) in [
            ("PD09", 3 + k as u32, 3),
            ("PD11", 20 * (k as u32 + 1), 5),
            ("PD15", 2 + k as u32, 9),
        ] {
            let req = quotes::QuoteRequest {
                entity_id: e.id,
                service: service.into(),
                item: None,
                quantity,
                activation_date: chrono::NaiveDate::from_ymd_opt(year, month, 1)
                    .unwrap_or_default(),
                year,
            };
            // An entity whose agreement is only a draft cannot be quoted: skipped.
            match quotes::create(db, actor, &req).await {
                Ok(_) | Err(catalog::CatalogError::NotChargeable(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    demo_requests(db, actor, all).await
}

/// Two activation requests of the demo contact's entities: Padova's waiting for approval,
/// Abano Terme's approved and to deliver.
async fn demo_requests(db: &Db, actor: &Actor, all: &[members::Entity]) -> Result<()> {
    use delivery::store::{self as requests, RequestDraft};
    let today = kernel::time::today();
    let by_istat = |code: &str| {
        all.iter()
            .find(|e| {
                e.data
                    .istat_code
                    .as_ref()
                    .is_some_and(|c| c.as_str() == code)
            })
            .map(|e| e.id)
    };
    if let Some(padova) = by_istat("028060") {
        requests::submit(
            db,
            actor,
            &RequestDraft {
                entity_id: padova,
                service: "PD11".into(),
                quantity: 30,
                notes: "Caselle PEC per i nuovi uffici dei servizi sociali".into(),
                ..Default::default()
            },
            today,
        )
        .await?;
    }
    if let Some(abano) = by_istat("028001") {
        let r = requests::submit(
            db,
            actor,
            &RequestDraft {
                entity_id: abano,
                service: "PD09".into(),
                quantity: 4,
                notes: "Biblioteca civica: quattro postazioni".into(),
                ..Default::default()
            },
            today,
        )
        .await?;
        requests::approve(db, actor, r.id, today, None).await?;
        // A System administrator package (PD14, 5 days) with a morning on site on it.
        let p = requests::work::create_package(
            db,
            actor,
            abano,
            &requests::work::PackageDraft {
                service: "PD14".into(),
                year: chrono::Datelike::year(&today),
                ..Default::default()
            },
        )
        .await?;
        requests::work::report(
            db,
            actor,
            &requests::work::ReportDraft {
                entity_id: abano,
                package_id: Some(p.id),
                minutes: 180,
                mode: "onsite".into(),
                description: "Aggiornamento del server di dominio e verifica dei backup".into(),
                ..Default::default()
            },
            today,
        )
        .await?;
    }
    Ok(())
}
