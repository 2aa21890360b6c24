//! Custom work (*progettazione*, change requests beyond assistance): staff describe a project
//! for an entity and send it a quote (lines from day rates or free amounts, with a validity
//! date); each change of the quote is a new version. The entity's contact approves or refuses
//! the current version before any work starts; the decision records who, when and which
//! version. Work reports on a project are taken only once it is approved.

use super::*;

/// The longest description a project keeps.
pub const MAX_DESCRIPTION: usize = 8_000;
/// The most lines a quote takes.
pub const MAX_QUOTE_LINES: usize = 100;

/// Where a project is.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_lines_are_days_at_a_rate_or_amounts() {
        for (typed, days) in [
            ("2", Some(200)),
            ("2,5", Some(250)),
            ("0.25", Some(25)),
            ("1,234", None),
            ("", None),
            ("-1", None),
            ("due", None),
        ] {
            assert_eq!(parse_days(typed), days, "{typed}");
        }
        let line = |d: Option<u64>, rate: Option<i64>, amount: Option<i64>| QuoteLineDraft {
            text: "Analisi".into(),
            days_hundredths: d,
            rate: rate.map(Euro::from_cents),
            amount: amount.map(Euro::from_cents),
        };
        // 2,5 days at € 393,00 = € 982,50; plus € 150,00 of licences.
        let (lines, total) = price_lines(&[
            line(Some(250), Some(39_300), None),
            line(None, None, Some(15_000)),
        ])
        .unwrap_or_default();
        assert_eq!(lines[0].amount_cents, 98_250);
        assert_eq!(total, Euro::from_cents(113_250));
        // 0,33 days at € 288,00 = € 95,04 (half up).
        let (lines, _) = price_lines(&[line(Some(33), Some(28_800), None)]).unwrap_or_default();
        assert_eq!(lines[0].amount_cents, 9_504);
        for wrong in [
            vec![],
            vec![line(Some(100), None, None)],
            vec![line(Some(100), Some(100), Some(100))],
            vec![line(None, None, Some(0))],
            vec![line(Some(0), Some(100), None)],
        ] {
            assert!(price_lines(&wrong).is_err(), "{wrong:?}");
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectState {
    /// Described, no quote sent yet.
    Draft,
    /// A quote waits for the entity's decision.
    Proposed,
    Approved,
    Refused,
    /// Withdrawn by the centre.
    Withdrawn,
}

impl ProjectState {
    pub fn code(self) -> &'static str {
        match self {
            ProjectState::Draft => "draft",
            ProjectState::Proposed => "proposed",
            ProjectState::Approved => "approved",
            ProjectState::Refused => "refused",
            ProjectState::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "draft" => ProjectState::Draft,
            "proposed" => ProjectState::Proposed,
            "approved" => ProjectState::Approved,
            "refused" => ProjectState::Refused,
            "withdrawn" => ProjectState::Withdrawn,
            _ => return None,
        })
    }
    pub fn label(self) -> &'static str {
        match self {
            ProjectState::Draft => "in preparazione",
            ProjectState::Proposed => "preventivo da approvare",
            ProjectState::Approved => "approvato",
            ProjectState::Refused => "rifiutato",
            ProjectState::Withdrawn => "ritirato",
        }
    }
}

/// A line of a quote: days at a day rate, or a free amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct QuoteLine {
    pub text: String,
    /// Days in hundredths (250 = 2,50 days), with `rate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_hundredths: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_cents: Option<i64>,
    pub amount_cents: i64,
}

/// A line as staff write it: `days` × `rate`, or `amount`.
#[derive(Debug, Clone, Default)]
pub struct QuoteLineDraft {
    pub text: String,
    pub days_hundredths: Option<u64>,
    pub rate: Option<Euro>,
    pub amount: Option<Euro>,
}

/// One version of a project's quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectQuote {
    pub version: i64,
    pub lines: Vec<QuoteLine>,
    pub total: Euro,
    pub valid_until: NaiveDate,
    pub created_by: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Project {
    pub id: i64,
    pub entity_id: i64,
    pub title: String,
    pub description: String,
    pub state: ProjectState,
    /// The current quote's version (0: none yet).
    pub quote_version: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decided_version: Option<i64>,
    pub decision_note: String,
    pub created_by: String,
    pub created_at: String,
    pub version: i64,
    /// Every version of the quote, newest first.
    pub quotes: Vec<ProjectQuote>,
}

impl Project {
    /// The quote the entity decides on.
    pub fn current(&self) -> Option<&ProjectQuote> {
        self.quotes.iter().find(|q| q.version == self.quote_version)
    }
}

const PCOLS: &str = "id, entity_id, title, description, state, quote_version, decided_by, \
    decided_at, decided_version, decision_note, created_by, created_at, version";

async fn read_project(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: i64,
) -> Result<Project, DeliveryError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PCOLS} FROM projects WHERE id = $2 AND {IN_SCOPE}"
    )))
    .bind(actor.scope_param())
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(DeliveryError::ProjectNotFound)?;
    let state: String = r.try_get(4)?;
    let quotes = sqlx::query(
        "SELECT version, lines_json, total_cents, valid_until, created_by, created_at \
         FROM project_quotes WHERE project_id = $1 ORDER BY version DESC",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|q| {
        let lines: String = q.try_get(1)?;
        Ok(ProjectQuote {
            version: q.try_get(0)?,
            lines: serde_json::from_str(&lines).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            total: Euro::from_cents(q.try_get(2)?),
            valid_until: date(q.try_get(3)?)?.unwrap_or_default(),
            created_by: q.try_get(4)?,
            created_at: q.try_get(5)?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Project {
        id: r.try_get(0)?,
        entity_id: r.try_get(1)?,
        title: r.try_get(2)?,
        description: r.try_get(3)?,
        state: ProjectState::parse(&state)
            .ok_or_else(|| sqlx::Error::Decode(format!("stato «{state}» sconosciuto").into()))?,
        quote_version: r.try_get(5)?,
        decided_by: r.try_get(6)?,
        decided_at: r.try_get(7)?,
        decided_version: r.try_get(8)?,
        decision_note: r.try_get(9)?,
        created_by: r.try_get(10)?,
        created_at: r.try_get(11)?,
        version: r.try_get(12)?,
        quotes,
    })
}

fn project_event(actor: &Actor, action: &str, p: &Project, before: Option<&Project>) -> AuditEvent {
    AuditEvent {
        actor: actor.label.clone(),
        action: action.into(),
        object_type: "project".into(),
        object_id: p.id.to_string(),
        entity_id: Some(p.entity_id),
        before: before.and_then(|b| serde_json::to_string(b).ok()),
        after: serde_json::to_string(p).ok(),
    }
}

/// A project of an entity the actor may see, with every version of its quote.
pub async fn project(db: &Db, actor: &Actor, id: i64) -> Result<Project, DeliveryError> {
    let mut conn = db.pool().acquire().await?;
    read_project(&mut conn, actor, id).await
}

/// The projects the actor may see (of one entity), newest first (at most 200).
pub async fn projects(
    db: &Db,
    actor: &Actor,
    entity_id: Option<i64>,
) -> Result<Vec<Project>, DeliveryError> {
    if actor.role == Role::Supplier {
        return Err(DeliveryError::NotForSuppliers);
    }
    let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM projects WHERE {IN_SCOPE} AND ($2 = 0 OR entity_id = $2) \
         ORDER BY id DESC LIMIT 200"
    )))
    .bind(actor.scope_param())
    .bind(entity_id.unwrap_or(0))
    .fetch_all(db.pool())
    .await?;
    let mut conn = db.pool().acquire().await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(read_project(&mut conn, actor, id).await?);
    }
    Ok(out)
}

/// Describes a project for an entity (staff).
pub async fn create_project(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    title: &str,
    description: &str,
) -> Result<Project, DeliveryError> {
    members::store::get(db, actor, entity_id).await?;
    staff(actor)?;
    let mut wrong = vec![];
    let title = title.trim();
    if title.is_empty() {
        wrong.push(kernel::FieldError::new("title", "il titolo è obbligatorio"));
    } else if title.chars().count() > 200 {
        wrong.push(kernel::FieldError::new("title", "al massimo 200 caratteri"));
    }
    if description.chars().count() > MAX_DESCRIPTION {
        wrong.push(kernel::FieldError::new(
            "description",
            format!(
                "al massimo {} caratteri",
                kernel::money::thousands(MAX_DESCRIPTION as u64)
            ),
        ));
    }
    if !wrong.is_empty() {
        return Err(DeliveryError::Invalid(wrong));
    }
    let now = kernel::time::now();
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO projects (entity_id, title, description, state, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, 'draft', $4, $5, $5) RETURNING id",
    )
    .bind(entity_id)
    .bind(title)
    .bind(description.trim())
    .bind(&actor.label)
    .bind(&now)
    .fetch_one(tx.conn())
    .await?;
    let p = read_project(tx.conn(), actor, id).await?;
    audit::append(&mut tx, project_event(actor, "create", &p, None)).await?;
    tx.commit().await?;
    Ok(p)
}

/// Days as typed (`2`, `2,5`, `2.50`) in hundredths; `None` when not a number with at most two
/// decimals.
pub fn parse_days(v: &str) -> Option<u64> {
    let t = v.trim().replace(',', ".");
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty() || frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let w: u64 = whole.parse().ok()?;
    let f: u64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    w.checked_mul(100)?.checked_add(f)
}

/// The lines of a quote checked and priced: days × rate to the cent (half up), or an amount.
pub fn price_lines(lines: &[QuoteLineDraft]) -> Result<(Vec<QuoteLine>, Euro), DeliveryError> {
    let mut wrong = vec![];
    let mut out = vec![];
    if lines.is_empty() {
        wrong.push(kernel::FieldError::new(
            "lines",
            "il preventivo deve avere almeno una riga",
        ));
    }
    if lines.len() > MAX_QUOTE_LINES {
        wrong.push(kernel::FieldError::new(
            "lines",
            format!("al massimo {MAX_QUOTE_LINES} righe"),
        ));
    }
    let mut total: i64 = 0;
    for (i, l) in lines.iter().enumerate() {
        let at = |f: &str| format!("lines[{i}].{f}");
        let text = l.text.trim();
        if text.is_empty() || text.chars().count() > 500 {
            wrong.push(kernel::FieldError::new(
                &at("text"),
                "descrivere la riga (al massimo 500 caratteri)",
            ));
            continue;
        }
        let line = match (l.days_hundredths, l.rate, l.amount) {
            (Some(d), Some(rate), None) if d > 0 && d <= 100_000 && rate > Euro::ZERO => {
                let cents = (i128::from(rate.cents()) * i128::from(d) * 2 + 100) / 200;
                QuoteLine {
                    text: text.to_owned(),
                    days_hundredths: Some(d),
                    rate_cents: Some(rate.cents()),
                    amount_cents: i64::try_from(cents).unwrap_or(i64::MAX),
                }
            }
            (None, None, Some(a)) if a > Euro::ZERO => QuoteLine {
                text: text.to_owned(),
                days_hundredths: None,
                rate_cents: None,
                amount_cents: a.cents(),
            },
            _ => {
                wrong.push(kernel::FieldError::new(
                    &at("amount"),
                    "indicare giornate e tariffa giornaliera (più di zero, al massimo 1.000 giornate) oppure solo un importo più di zero, non entrambi",
                ));
                continue;
            }
        };
        total = total.saturating_add(line.amount_cents);
        out.push(line);
    }
    if !wrong.is_empty() {
        return Err(DeliveryError::Invalid(wrong));
    }
    Ok((out, Euro::from_cents(total)))
}

/// A project in the actor's scope that staff may still change (neither approved nor
/// withdrawn); refused with `then`, what cannot be done any more.
async fn still_open(
    tx: &mut WriteTx,
    actor: &Actor,
    id: i64,
    then: &str,
) -> Result<Project, DeliveryError> {
    let p = read_project(tx.conn(), actor, id).await?;
    staff(actor)?;
    if matches!(p.state, ProjectState::Approved | ProjectState::Withdrawn) {
        return Err(DeliveryError::Closed(format!(
            "il progetto è {}: {then}",
            p.state.label()
        )));
    }
    Ok(p)
}

/// Sends the entity a new version of the project's quote (staff): the project waits for the
/// entity's decision on it; earlier versions stay for the record. Not once approved.
pub async fn propose(
    db: &Db,
    actor: &Actor,
    id: i64,
    lines: &[QuoteLineDraft],
    valid_until: NaiveDate,
    today: NaiveDate,
) -> Result<Project, DeliveryError> {
    let mut tx = db.write().await?;
    let before = still_open(&mut tx, actor, id, "il preventivo non si cambia più").await?;
    if valid_until < today {
        return Err(DeliveryError::field(
            "valid_until",
            "la data di validità è già passata",
        ));
    }
    let (priced, total) = price_lines(lines)?;
    let version = before.quote_version + 1;
    let now = kernel::time::now();
    sqlx::query(
        "INSERT INTO project_quotes (project_id, version, lines_json, total_cents, valid_until, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(version)
    .bind(serde_json::to_string(&priced).map_err(|e| sqlx::Error::Encode(Box::new(e)))?)
    .bind(total.cents())
    .bind(valid_until.to_string())
    .bind(&actor.label)
    .bind(&now)
    .execute(tx.conn())
    .await?;
    sqlx::query(
        "UPDATE projects SET state = 'proposed', quote_version = $1, decided_by = NULL, \
         decided_at = NULL, decided_version = NULL, decision_note = '', updated_at = $2, \
         version = version + 1 WHERE id = $3",
    )
    .bind(version)
    .bind(&now)
    .bind(id)
    .execute(tx.conn())
    .await?;
    let after = read_project(tx.conn(), actor, id).await?;
    audit::append(
        &mut tx,
        project_event(actor, "propose", &after, Some(&before)),
    )
    .await?;
    crate::notify::project_changed(&mut tx, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// The entity's contact approves (`approve`) or refuses the current version of the quote:
/// refused when the version is not the current one (the quote changed meanwhile), when it is
/// past its validity, or when the project does not wait for a decision.
pub async fn decide(
    db: &Db,
    actor: &Actor,
    id: i64,
    quote_version: i64,
    approve: bool,
    note: &str,
    today: NaiveDate,
) -> Result<Project, DeliveryError> {
    let mut tx = db.write().await?;
    let before = read_project(tx.conn(), actor, id).await?;
    if actor.role != Role::Contact {
        return Err(DeliveryError::field(
            "decision",
            "approva o rifiuta il preventivo il referente dell'ente",
        ));
    }
    if before.state != ProjectState::Proposed {
        return Err(DeliveryError::Closed(format!(
            "il progetto è {}: non c'è un preventivo da decidere",
            before.state.label()
        )));
    }
    let Some(current) = before.current() else {
        return Err(DeliveryError::Closed(
            "il progetto non ha un preventivo".into(),
        ));
    };
    if quote_version != current.version {
        return Err(DeliveryError::Closed(format!(
            "il preventivo è cambiato: ora è la versione {}, da rileggere prima di decidere",
            current.version
        )));
    }
    if approve && current.valid_until < today {
        return Err(DeliveryError::Closed(format!(
            "il preventivo valeva fino al {}: chiedere al centro servizi di rinnovarlo",
            kernel::time::display_date(current.valid_until)
        )));
    }
    let note = note.trim();
    if !approve && note.is_empty() {
        return Err(DeliveryError::field(
            "note",
            "il motivo del rifiuto è obbligatorio: il centro servizi lo legge",
        ));
    }
    let now = kernel::time::now();
    sqlx::query(
        "UPDATE projects SET state = $1, decided_by = $2, decided_at = $3, decided_version = $4, \
         decision_note = $5, updated_at = $3, version = version + 1 WHERE id = $6",
    )
    .bind(if approve { "approved" } else { "refused" })
    .bind(&actor.label)
    .bind(&now)
    .bind(quote_version)
    .bind(note.chars().take(MAX_NOTES).collect::<String>())
    .bind(id)
    .execute(tx.conn())
    .await?;
    let after = read_project(tx.conn(), actor, id).await?;
    audit::append(
        &mut tx,
        project_event(
            actor,
            if approve { "approve" } else { "refuse" },
            &after,
            Some(&before),
        ),
    )
    .await?;
    crate::notify::project_changed(&mut tx, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Withdraws a project not yet approved (staff).
pub async fn withdraw(db: &Db, actor: &Actor, id: i64) -> Result<Project, DeliveryError> {
    let mut tx = db.write().await?;
    let before = still_open(&mut tx, actor, id, "non si ritira").await?;
    let now = kernel::time::now();
    sqlx::query(
        "UPDATE projects SET state = 'withdrawn', updated_at = $1, version = version + 1 WHERE id = $2",
    )
    .bind(&now)
    .bind(id)
    .execute(tx.conn())
    .await?;
    let after = read_project(tx.conn(), actor, id).await?;
    audit::append(
        &mut tx,
        project_event(actor, "withdraw", &after, Some(&before)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Checks that work may be recorded on a project of `entity_id`: approved, same entity.
pub(crate) async fn for_work(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: i64,
    entity_id: i64,
) -> Result<(), DeliveryError> {
    let p = read_project(conn, actor, id)
        .await
        .map_err(|_| DeliveryError::field("project_id", "progetto non trovato"))?;
    if p.entity_id != entity_id {
        return Err(DeliveryError::field(
            "project_id",
            "il progetto è di un altro ente",
        ));
    }
    if p.state != ProjectState::Approved {
        return Err(DeliveryError::field(
            "project_id",
            format!(
                "il progetto è {}: il lavoro comincia quando l'ente approva il preventivo",
                p.state.label()
            ),
        ));
    }
    Ok(())
}
