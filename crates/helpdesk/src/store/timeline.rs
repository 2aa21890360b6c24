//! A ticket's whole story, oldest first: its messages, what people did to it (read from its
//! audit records: received, taken, assigned, priority changed from → to, waiting and resumed,
//! phases handed, updated and completed, resolved, reopened within the warranty) and each
//! e-mail written to the requester with whether it left. Everything is already stored for
//! other reasons; the story is a reading of it, so it can never disagree with the audit chain.

use super::*;
use serde_json::Value;

/// What an item of the story is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A public reply or an internal note (`body` holds it).
    Message,
    /// Something people did (`title` says it).
    Event,
    /// An e-mail to the requester.
    Mail,
}

/// One item of a ticket's story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub at: DateTime<Utc>,
    pub kind: ItemKind,
    /// Who: a person's name, or what acted on its own ("posta in arrivo", "sistema").
    pub who: String,
    /// A short Italian sentence: "Presa in carico", "Priorità da media ad alta".
    pub title: String,
    /// The message, the supplier's update or the e-mail's subject, if any.
    pub body: String,
    /// For the centre's staff only (internal notes).
    pub internal: bool,
    /// `danger`, `success` or empty: how a reader should take it.
    pub tone: &'static str,
    /// Where it stands in the story: the stored instant of its audit record (or of the e-mail's
    /// queueing), then the record's sequence number. Stored instants are all the system's
    /// time, so they order the story even when a use case was given another clock.
    #[serde(skip)]
    pos: (String, i64),
}

fn field<'a>(json: &'a Option<Value>, path: &[&str]) -> Option<&'a Value> {
    let mut v = json.as_ref()?;
    for p in path {
        v = v.get(p)?;
    }
    Some(v)
}

fn text(json: &Option<Value>, path: &[&str]) -> String {
    field(json, path)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn priority_word(code: &str) -> String {
    Priority::parse(code).map_or_else(|| code.to_owned(), |p| p.label().to_lowercase())
}

/// The story of `t`, which the caller read with [`get`] for this actor (so in scope): internal
/// notes and the supplier's words only for staff.
pub async fn timeline(db: &Db, actor: &Actor, t: &Ticket) -> Result<Vec<Item>, HelpdeskError> {
    let staff = actor.is_staff();
    let records = db::audit::of_object(db, "ticket", &t.number, 2_000).await?;
    // The names of the people who acted, in one query.
    let names = accounts::store::display_names(
        db,
        records
            .iter()
            .filter_map(|r| kernel::audit::actor_user(&r.actor).map(|(id, _)| id)),
    )
    .await?;
    let who = |label: &str| -> String {
        kernel::audit::actor_user(label)
            .and_then(|(id, _)| names.get(&id).cloned())
            .unwrap_or_else(|| kernel::audit::actor_words(label))
    };
    let mut items = Vec::new();
    // Where each message was recorded: its reply/note audit record.
    let mut recorded: HashMap<i64, (String, i64)> = HashMap::new();
    for r in &records {
        let before: Option<Value> = r
            .before
            .as_deref()
            .and_then(|b| serde_json::from_str(b).ok());
        let after: Option<Value> = r
            .after
            .as_deref()
            .and_then(|a| serde_json::from_str(a).ok());
        let at = instant(&r.at)?;
        let by = who(&r.actor);
        let pos = (r.at.clone(), r.seq);
        let event = |title: String, tone: &'static str| Item {
            at,
            kind: ItemKind::Event,
            who: by.clone(),
            title,
            body: String::new(),
            internal: false,
            tone,
            pos: pos.clone(),
        };
        let item = match r.action.as_str() {
            "create" => {
                let channel = text(&after, &["channel"]);
                let how = match channel.as_str() {
                    "phone" => "per telefono",
                    "email" => "per e-mail",
                    "monitoring" => "dal monitoraggio",
                    _ => "dal portale",
                };
                Item {
                    // When the request came in (a call is logged after it).
                    at: t.received_at,
                    ..event(format!("Richiesta ricevuta {how}"), "")
                }
            }
            "assign_mail" => event("Aperta da una e-mail in attesa di smistamento".into(), ""),
            "take_charge" => event("Presa in carico".into(), "success"),
            "assign" => match field(&after, &["assigned_name"]).and_then(Value::as_str) {
                Some(n) => event(format!("Assegnata a {n}"), ""),
                None => event("Non più assegnata".into(), ""),
            },
            a if a.starts_with("priority:") => {
                let from = priority_word(&text(&before, &["priority"]));
                let to = priority_word(&text(&after, &["priority"]));
                event(
                    format!("Priorità cambiata da {from} {}", kernel::text::to_word(&to)),
                    "",
                )
            }
            a if a.starts_with("state:") => {
                let from = text(&before, &["state"]);
                let title = match (from.as_str(), &a["state:".len()..]) {
                    (_, "waiting_entity") => "In attesa di una risposta dell'ente",
                    ("waiting_entity", "in_progress") => "Lavorazione ripresa",
                    (_, "in_progress") => "Riaperta",
                    (_, "resolved") => "Risolta",
                    (_, "closed") => "Chiusa",
                    (_, other) => other,
                };
                let tone = if title == "Risolta" { "success" } else { "" };
                event(title.to_owned(), tone)
            }
            "warranty_reopen" => event(
                "Riaperta in garanzia dalla risposta dell'ente".into(),
                "danger",
            ),
            "phase_create" => {
                let title = text(&after, &["title"]);
                let supplier = text(&after, &["supplier"]);
                event(format!("Fase «{title}» affidata a {supplier}"), "")
            }
            a if a.starts_with("phase:") => {
                let title = text(&after, &["phase", "title"]);
                let state = crate::phases::PhaseState::parse(&a["phase:".len()..])
                    .map_or("aggiornata", |s| s.label());
                Item {
                    body: if staff {
                        text(&after, &["body"])
                    } else {
                        String::new()
                    },
                    ..event(
                        format!("Fase «{title}»: {}", state.to_lowercase()),
                        if state == "Completata" { "success" } else { "" },
                    )
                }
            }
            "reply" | "note" => {
                if let Some(m) = field(&after, &["message_id"]).and_then(Value::as_i64) {
                    recorded.insert(m, pos);
                }
                continue;
            }
            // Files are shown in their own list.
            _ => continue,
        };
        items.push(item);
    }
    // Messages are signed with the username; people read names.
    let signed: HashMap<i64, String> = sqlx::query(
        "SELECT m.id, COALESCE(NULLIF(u.full_name, ''), m.author) AS name FROM ticket_messages m \
         LEFT JOIN users u ON u.id = m.author_id WHERE m.ticket_id = $1",
    )
    .bind(t.id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
    .collect::<Result<_, sqlx::Error>>()?;
    for m in thread_of(db, actor, t).await? {
        items.push(Item {
            at: m.created_at,
            kind: ItemKind::Message,
            who: signed.get(&m.id).cloned().unwrap_or(m.author),
            title: if m.internal {
                "Nota interna".into()
            } else {
                "Messaggio".into()
            },
            body: m.body,
            internal: m.internal,
            tone: if m.unverified_sender { "danger" } else { "" },
            pos: recorded
                .get(&m.id)
                .cloned()
                .unwrap_or_else(|| (kernel::time::format(m.created_at), i64::MAX)),
        });
    }
    // The e-mails written to the requester, with whether they left.
    let rows = sqlx::query(
        "SELECT m.created_at, j.state, j.payload, j.last_error, j.updated_at FROM ticket_mail_ids m \
         LEFT JOIN jobs j ON j.idempotency_key = 'mail:' || m.message_id \
         WHERE m.ticket_id = $1 AND m.direction = 'out' ORDER BY m.created_at",
    )
    .bind(t.id)
    .fetch_all(db.pool())
    .await?;
    for r in &rows {
        let payload: Option<Value> = r
            .try_get::<Option<String>, _>("payload")?
            .and_then(|p| serde_json::from_str(&p).ok());
        let to = field(&payload, &["to"])
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let state: Option<String> = r.try_get("state")?;
        let (title, tone) = match state.as_deref() {
            Some("done") => (format!("E-mail inviata a {to}"), ""),
            Some("failed") => (format!("E-mail a {to} non inviata"), "danger"),
            Some("cancelled") => (format!("E-mail a {to} annullata"), "danger"),
            _ => (format!("E-mail a {to} in coda di invio"), ""),
        };
        let queued: String = r.try_get("created_at")?;
        let at = match state.as_deref() {
            Some("done") => r.try_get::<String, _>("updated_at")?,
            _ => queued.clone(),
        };
        items.push(Item {
            at: instant(&at)?,
            kind: ItemKind::Mail,
            who: "sistema".into(),
            title,
            body: text(&payload, &["subject"]),
            internal: false,
            tone,
            pos: (queued, i64::MAX),
        });
    }
    items.sort_by(|a, b| a.pos.cmp(&b.pos));
    Ok(items)
}
