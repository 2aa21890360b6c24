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

async fn by_istat(db: &Db, actor: &Actor, code: &str) -> Result<members::Entity> {
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
    for ((username, password, _), (role, entities)) in l.iter().zip([
        ("admin", vec![]),
        ("operator", vec![]),
        ("contact", vec![padova.id, abano.id]),
        ("supplier", vec![albignasego.id]),
    ]) {
        accounts::store::create(
            db,
            &actor,
            &accounts::NewUser {
                username: username.clone(),
                full_name: String::new(),
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
    Ok(l)
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
    Ok(())
}
