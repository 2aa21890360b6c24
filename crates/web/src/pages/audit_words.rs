//! The audit log as a person reads it: Italian actions ("Presa in carico", "Convenzione
//! cessata"), people's names instead of account labels, the object named and linked, and the
//! change as a list of fields from before to after. The audit page and every history use it.

use serde_json::Value;

use crate::error::PageError;
use crate::AppState;

mod actions;

pub use actions::ACTIONS;

/// What was done, in Italian, from the stored object type and action.
pub fn action(object_type: &str, action: &str) -> String {
    fn state_word(s: &str) -> &str {
        match s {
            "new" => "nuovo",
            "in_progress" => "in lavorazione",
            "waiting_entity" => "in attesa dell'ente",
            "resolved" => "risolto",
            "closed" => "chiuso",
            "open" => "affidata",
            "done" => "completata",
            "cancelled" => "annullata",
            other => other,
        }
    }
    fn priority_word(p: &str) -> &str {
        match p {
            "high" => "alta",
            "medium" => "media",
            "low" => "bassa",
            other => other,
        }
    }
    let fixed = ACTIONS
        .iter()
        .find(|(o, a, _)| *o == object_type && *a == action)
        .map_or("", |(_, _, label)| label);
    if !fixed.is_empty() {
        return fixed.to_owned();
    }
    match (object_type, action.split_once(':')) {
        ("ticket", Some(("priority", p))) => format!("Priorità cambiata in {}", priority_word(p)),
        ("ticket", Some(("state", s))) => format!("Ticket {}", state_word(s)),
        ("ticket", Some(("phase", s))) => format!("Fase {}", state_word(s)),
        _ => format!("{object_type}: {action}"),
    }
}

/// What was changed, named for a person, and where it is (if it has a page): from the stored
/// object and the record's before/after.
pub fn object(
    object_type: &str,
    object_id: &str,
    entity_id: Option<i64>,
    entity_name: Option<&str>,
    before: &Option<Value>,
    after: &Option<Value>,
) -> (String, String) {
    let from = |k: &str| {
        after
            .as_ref()
            .and_then(|a| a.get(k))
            .or_else(|| before.as_ref().and_then(|b| b.get(k)))
            .map(|v| match v {
                Value::String(t) => t.clone(),
                Value::Number(n) => n.to_string(),
                _ => String::new(),
            })
            .unwrap_or_default()
    };
    let entity = entity_name.map(str::to_owned).unwrap_or_default();
    let on_entity = entity_id
        .map(|e| format!("/entities/{e}"))
        .unwrap_or_default();
    match object_type {
        "ticket" => (
            format!("Ticket {object_id}"),
            format!(
                "/tickets?q={}&stato=tutti",
                crate::pages::urlencode(object_id)
            ),
        ),
        "entity" => (
            if entity.is_empty() {
                from("name")
            } else {
                entity
            },
            format!("/entities/{object_id}"),
        ),
        "contact" => (
            format!("Referente {}", from("full_name")),
            format!("{on_entity}#referenti"),
        ),
        "agreement" => {
            let n = from("number");
            (
                if n.is_empty() {
                    "Convenzione".to_owned()
                } else {
                    format!("Convenzione n. {n}")
                },
                format!("{on_entity}#convenzioni"),
            )
        }
        "user" => (
            format!("Account {}", from("username")),
            format!("/users/{object_id}/edit"),
        ),
        "api_token" => ("Token API".to_owned(), String::new()),
        "price_list" => (
            format!("Listino {}", from("name")),
            format!("/price-lists/{object_id}"),
        ),
        "service" => (
            format!("Servizio {object_id}"),
            format!("/catalog/{}", crate::pages::urlencode(object_id)),
        ),
        "price_quote" => (format!("Preventivo {object_id}"), String::new()),
        "membership_fee_rule" => (
            format!("Quota associativa dal {object_id}"),
            "/membership-fee".to_owned(),
        ),
        "job" => (format!("Attività n. {object_id}"), "/jobs".to_owned()),
        "activation_request" => (
            format!("Richiesta di attivazione n. {object_id}"),
            format!("/requests/{object_id}"),
        ),
        "active_service" => (
            format!("Servizio {} dell'ente", from("service")),
            format!("{on_entity}#servizi"),
        ),
        "package" => (
            format!("Pacchetto {} {}", from("service"), object_id),
            format!("/packages/{object_id}"),
        ),
        "work_report" => (
            format!("Intervento n. {object_id}"),
            format!("{on_entity}#pacchetti"),
        ),
        "sla_policy" => ("Obiettivi SLA".to_owned(), "/helpdesk/settings".to_owned()),
        "log_source" => (
            format!("Sorgente dei log «{}»", from("name")),
            on_entity.clone(),
        ),
        "log_settings" => (
            "Impostazioni di esportazione e conservazione dei log".to_owned(),
            on_entity.clone(),
        ),
        "log_export" => (
            format!("Esportazione sigillata dei log {}", from("file_name")),
            on_entity.clone(),
        ),
        "log_admin" => (
            format!("Amministratore di sistema {}", from("name")),
            format!(
                "/entities/{}/logs#amministratori",
                entity_id.unwrap_or_default()
            ),
        ),
        "log_reviewer" => (
            "Chi verifica i log dell'ente".to_owned(),
            format!("/entities/{}/logs", entity_id.unwrap_or_default()),
        ),
        "log_review" => (
            format!(
                "Verifica degli accessi dal {} al {}",
                from("from"),
                from("to")
            ),
            format!("/entities/{}/logs#verifiche", entity_id.unwrap_or_default()),
        ),
        "event" => (format!("Evento «{}»", from("title")), on_entity.clone()),
        "event_registration" => (
            format!(
                "Iscrizione n. {object_id} all'evento n. {}",
                from("event_id")
            ),
            on_entity.clone(),
        ),
        "tender" => (format!("Bando «{}»", from("title")), on_entity.clone()),
        "appointment_slot" => (
            format!(
                "Fascia «{}» del {}",
                from("office"),
                kernel::time::display_rome(&from("starts_at"))
            ),
            on_entity.clone(),
        ),
        "appointment_booking" => (
            format!("Appuntamento n. {object_id} ({})", from("office")),
            on_entity.clone(),
        ),
        "faq_article" => (
            format!("Risposta «{}»", from("title")),
            format!("/faq/{object_id}"),
        ),
        "room" => (format!("Sala «{}»", from("name")), on_entity.clone()),
        "course" => (
            format!("Corso «{}»", from("title")),
            format!("/corsi/{object_id}"),
        ),
        "course_enrolment" => (
            format!(
                "Iscrizione di {} al corso n. {}",
                from("name"),
                from("course_id")
            ),
            format!("/corsi/{}", from("course_id")),
        ),
        "sms" => (
            "SMS dell'ente".to_owned(),
            format!("/entities/{}/sms", entity_id.unwrap_or_default()),
        ),
        "agenda_calendar" => (
            format!("Agenda «{}»", from("name")),
            format!("/entities/{}/agenda", entity_id.unwrap_or_default()),
        ),
        "agenda_event" => (
            format!("Appuntamento «{}»", from("title")),
            format!("/appuntamenti/{object_id}"),
        ),
        "address_book" => (
            format!("Rubrica «{}»", from("name")),
            format!("/rubriche/{object_id}"),
        ),
        "address_entry" => (
            format!("Contatto «{}»", from("name")),
            format!("/entities/{}/rubrica", entity_id.unwrap_or_default()),
        ),
        "contact_list" => (
            format!("Lista di invio «{}»", from("name")),
            format!("/liste/{object_id}"),
        ),
        "training_entries" => (
            format!("Ingressi ai corsi del {}", from("year")),
            format!(
                "/entities/{}/formazione?anno={}",
                entity_id.unwrap_or_default(),
                from("year")
            ),
        ),
        "room_booking" => (
            format!(
                "Prenotazione n. {object_id} della sala del {}",
                kernel::time::display_rome(&from("starts_at"))
            ),
            on_entity.clone(),
        ),
        "portal_modules" => ("Moduli del portale".to_owned(), String::new()),
        "portal_settings" => (
            "Impostazioni delle pagine pubbliche".to_owned(),
            on_entity.clone(),
        ),
        "citizen_data" => (
            format!(
                "Dati dei cittadini anteriori al {}",
                kernel::time::display_rome(&from("before"))
            ),
            on_entity.clone(),
        ),
        "log_purge" => (
            format!("Log anteriori al {} eliminati", from("before_day")),
            on_entity.clone(),
        ),
        "centre_cost" => (
            format!("Costo del {}: {}", from("year"), from("label")),
            "/reports/revenue".to_owned(),
        ),
        "deadline" => (
            format!("Scadenza {}", from("title") + &from("text")),
            format!("{on_entity}#scadenze"),
        ),
        "billing_settings" => (
            "Impostazioni di fatturazione".to_owned(),
            "/billing/settings".to_owned(),
        ),
        "statement_run" => (
            format!("Elaborazione dei rendiconti del {}", from("year")),
            format!("/statements?anno={}", from("year")),
        ),
        "statement" => (
            format!("Rendiconto n. {}", from("number")),
            format!("/statements/{object_id}"),
        ),
        "meter_reading" => (
            format!(
                "Consumi {} di {}/{}",
                from("service"),
                from("month"),
                from("year")
            ),
            format!("{on_entity}#rendiconti"),
        ),
        "payment" => (
            format!("Pagamento del rendiconto n. {}", from("statement")),
            format!("{on_entity}#rendiconti"),
        ),
        "invoice" => (
            format!("Fattura {}", from("file_name")),
            format!("{on_entity}#rendiconti"),
        ),
        "calendar" | "support_profile" | "backup_check" if entity_id.is_some() => {
            (entity, format!("{on_entity}#assistenza"))
        }
        "calendar" => (
            "Calendario del centro".to_owned(),
            "/helpdesk/settings".to_owned(),
        ),
        other => (format!("{other} {object_id}"), String::new()),
    }
}

/// One changed field: its name as people say it, before and after.
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// The Italian name of a stored field.
fn field_name(key: &str) -> String {
    match key {
        "name" => "nome",
        "kind" => "tipo",
        "istat_code" => "codice ISTAT",
        "cadastral_code" => "codice catastale",
        "tax_code" => "codice fiscale",
        "ipa_code" => "codice IPA",
        "office_code" => "codice univoco ufficio",
        "address" => "indirizzo",
        "postal_code" => "CAP",
        "city" => "comune",
        "province" => "provincia",
        "pec" => "PEC",
        "population" => "popolazione",
        "population_date" => "data della popolazione",
        "workstations" => "postazioni di lavoro",
        "servers" => "server",
        "full_name" => "nome e cognome",
        "email" => "e-mail",
        "phone" => "telefono",
        "role" => "ruolo",
        "is_primary" => "referente principale",
        "active" => "attivo",
        "entity_ids" => "enti",
        "username" => "nome utente",
        "state" => "stato",
        "status" => "stato",
        "priority" => "priorità",
        "subject" => "oggetto",
        "assigned_name" => "assegnato a",
        "taken_by" => "preso in carico da",
        "resolution_due_at" => "risoluzione entro",
        "take_charge_due_at" => "presa in carico entro",
        "paused_since" => "sospeso dal",
        "resolved_at" => "risolto il",
        "warranty_until" => "garanzia fino al",
        "number" => "numero",
        "start_date" => "inizio",
        "end_date" => "fine",
        "term_years" => "durata (anni)",
        "signed_on" => "firmata il",
        "terminated_on" => "cessata il",
        "termination_reason" => "motivo della cessazione",
        "valid_from" => "valido dal",
        "valid_until" => "valido fino al",
        "profile" => "profilo",
        "notes" => "note",
        other => return other.replace('_', " "),
    }
    .to_owned()
}

/// Fields that change with every change and say nothing to a reader.
const QUIET: [&str; 11] = [
    "version",
    "updated_at",
    "created_at",
    "id",
    "entity_id",
    "assigned_to",
    "paused_seconds",
    "created_by",
    "entity_name",
    "description",
    "requester_email",
];

/// A stored code as people say it, for the fields that hold codes.
fn code_words(key: &str, code: &str) -> Option<&'static str> {
    Some(match (key, code) {
        ("state", "new") => "nuovo",
        ("state", "in_progress") => "in lavorazione",
        ("state", "waiting_entity") => "in attesa dell'ente",
        ("state", "resolved") => "risolto",
        ("state", "closed") => "chiuso",
        ("state" | "status", "open") => "affidata",
        ("state" | "status", "done") => "completata",
        ("state" | "status", "cancelled") => "annullata",
        ("status", "draft") => "bozza",
        ("status", "signed") => "firmata",
        ("status", "terminated") => "cessata",
        ("priority", "high") => "alta",
        ("priority", "medium") => "media",
        ("priority", "low") => "bassa",
        ("channel", "phone") => "telefono",
        ("channel", "email") => "e-mail",
        ("channel", "portal") => "portale",
        ("channel", "monitoring") => "monitoraggio",
        _ => return None,
    })
}

fn shown_as(key: &str, v: &Value) -> String {
    match v {
        Value::String(s) => code_words(key, s).map_or_else(|| shown(v), str::to_owned),
        _ => shown(v),
    }
}

fn shown(v: &Value) -> String {
    match v {
        Value::Null => "—".to_owned(),
        Value::Bool(true) => "sì".to_owned(),
        Value::Bool(false) => "no".to_owned(),
        Value::String(s) if s.is_empty() => "—".to_owned(),
        Value::String(s) => {
            // Stored instants and dates the Italian way.
            if let Some(t) = kernel::time::parse(s) {
                kernel::time::display_instant(t)
            } else if let Ok(d) = s.parse::<chrono::NaiveDate>() {
                kernel::time::display_date(d)
            } else {
                s.clone()
            }
        }
        Value::Number(n) => n
            .as_u64()
            .map_or_else(|| n.to_string(), kernel::money::thousands),
        other => other.to_string(),
    }
}

/// The fields that differ between before and after (at most 12), in the order of `after`.
pub fn diff(before: &Option<Value>, after: &Option<Value>) -> Vec<FieldChange> {
    let (Some(Value::Object(b)), Some(Value::Object(a))) = (before, after) else {
        return Vec::new();
    };
    a.iter()
        .filter(|(k, _)| !QUIET.contains(&k.as_str()))
        .filter(|(k, v)| b.get(*k) != Some(*v))
        .take(12)
        .map(|(k, v)| FieldChange {
            field: field_name(k),
            before: b.get(k).map_or_else(|| "—".to_owned(), |x| shown_as(k, x)),
            after: shown_as(k, v),
        })
        .collect()
}

/// The stored JSON of a before or after, if it is JSON.
pub fn parse(text: &Option<String>) -> Option<Value> {
    text.as_deref().and_then(|t| serde_json::from_str(t).ok())
}

/// One record as the page shows it.
pub struct Line {
    pub seq: i64,
    pub at: String,
    pub who: String,
    pub action: String,
    pub object: String,
    /// The object's page, if it has one.
    pub href: String,
    pub entity: String,
    pub entity_id: i64,
    pub changes: Vec<FieldChange>,
    pub hash: String,
}

/// Records as people read them: names for accounts and entities (one query each), Italian
/// actions, the object linked, the fields changed.
pub async fn lines(
    s: &AppState,
    recs: Vec<kernel::audit::AuditRecord>,
) -> Result<Vec<Line>, PageError> {
    // The people who acted and the accounts changed, in one query.
    let names = accounts::store::display_names(
        &s.db,
        recs.iter()
            .filter_map(|r| kernel::audit::actor_user(&r.actor).map(|(id, _)| id))
            .chain(
                recs.iter()
                    .filter(|r| r.object_type == "user")
                    .filter_map(|r| r.object_id.parse().ok()),
            ),
    )
    .await
    .map_err(crate::error::ApiError::internal)?;
    // Only the entities these records name (an entity page's history names one).
    let entities = members::store::names_of(&s.db, recs.iter().filter_map(|r| r.entity_id)).await?;
    Ok(recs
        .into_iter()
        .map(|r| {
            let before = parse(&r.before);
            let after = parse(&r.after);
            let entity = r.entity_id.and_then(|e| entities.get(&e).cloned());
            let (mut object, href) = object(
                &r.object_type,
                &r.object_id,
                r.entity_id,
                entity.as_deref(),
                &before,
                &after,
            );
            if r.object_type == "user" {
                if let Some(n) = r.object_id.parse().ok().and_then(|id: i64| names.get(&id)) {
                    object = format!("Account di {n}");
                }
            }
            Line {
                seq: r.seq,
                at: kernel::time::display_rome(&r.at),
                who: kernel::audit::actor_user(&r.actor)
                    .and_then(|(id, _)| names.get(&id).cloned())
                    .unwrap_or_else(|| kernel::audit::actor_words(&r.actor)),
                action: action(&r.object_type, &r.action),
                object,
                href,
                entity: entity.unwrap_or_default(),
                entity_id: r.entity_id.unwrap_or(0),
                changes: diff(&before, &after),
                hash: r.hash.chars().take(12).collect(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_in_italian() {
        assert_eq!(action("ticket", "take_charge"), "Presa in carico");
        assert_eq!(
            action("ticket", "priority:high"),
            "Priorità cambiata in alta"
        );
        assert_eq!(
            action("ticket", "state:waiting_entity"),
            "Ticket in attesa dell'ente"
        );
        assert_eq!(action("agreement", "terminate"), "Convenzione cessata");
        assert_eq!(action("nuovo_oggetto", "fatto"), "nuovo_oggetto: fatto");
    }

    #[test]
    fn a_change_is_the_fields_that_differ() {
        let before = Some(
            serde_json::json!({"name": "Comune di Mezzo", "workstations": 12, "version": 1, "population": 206496}),
        );
        let after = Some(
            serde_json::json!({"name": "Comune di Mezzo", "workstations": 1450, "version": 2, "population": 206496}),
        );
        let d = diff(&before, &after);
        assert_eq!(d.len(), 1, "the version is not a change a person reads");
        assert_eq!(d[0].field, "postazioni di lavoro");
        assert_eq!((d[0].before.as_str(), d[0].after.as_str()), ("12", "1.450"));
        let t = diff(
            &Some(serde_json::json!({"state": "new", "resolved_at": null})),
            &Some(
                serde_json::json!({"state": "resolved", "resolved_at": "2026-12-04T09:30:00.000000Z"}),
            ),
        );
        let by = |f: &str| t.iter().find(|c| c.field == f).unwrap();
        assert_eq!(
            by("risolto il").after,
            "04/12/2026 10:30",
            "instants in Rome's time"
        );
        assert_eq!(by("risolto il").before, "—");
        assert_eq!(
            (by("stato").before.as_str(), by("stato").after.as_str()),
            ("nuovo", "risolto"),
            "codes in words"
        );
    }
}
