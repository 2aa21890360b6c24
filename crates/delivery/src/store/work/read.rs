//! What an entity's people read of the work: its packages, a package's reports, and the
//! contact's acknowledgement of a report.

use super::*;

/// A report as its entity's people read it, with who acknowledged it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportLine {
    pub id: i64,
    pub package_id: Option<i64>,
    pub ticket_id: Option<i64>,
    pub date: NaiveDate,
    pub minutes: u32,
    pub mode: Mode,
    pub description: String,
    pub flags: Vec<String>,
    pub author: String,
    /// Who of the entity acknowledged it, and when (stored instant).
    pub acknowledged: Option<(String, String)>,
    /// Start and end times (HH:MM), when it was written with them.
    pub times: Option<(String, String)>,
    pub travel_minutes: u32,
}

/// The packages of an entity the actor may see, latest year first.
pub async fn packages_of(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
) -> Result<Vec<Package>, DeliveryError> {
    members::store::get(db, actor, entity_id).await?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM packages WHERE entity_id = $1 ORDER BY year DESC, id DESC LIMIT 50",
    )
    .bind(entity_id)
    .fetch_all(db.pool())
    .await?;
    let mut conn = db.pool().acquire().await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(package_on(&mut conn, actor, id).await?);
    }
    Ok(out)
}

/// What a work report was on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkOn {
    Package(i64),
    Ticket(i64),
    Request(i64),
    Project(i64),
}

impl WorkOn {
    fn column(self) -> (&'static str, i64) {
        match self {
            WorkOn::Package(id) => ("package_id", id),
            WorkOn::Ticket(id) => ("ticket_id", id),
            WorkOn::Request(id) => ("request_id", id),
            WorkOn::Project(id) => ("project_id", id),
        }
    }
}

/// The latest reports of a package the actor may see (at most `limit`), newest first.
pub async fn reports_of(
    db: &Db,
    actor: &Actor,
    package_id: i64,
    limit: i64,
) -> Result<Vec<ReportLine>, DeliveryError> {
    package(db, actor, package_id).await?;
    reports_on(db, actor, WorkOn::Package(package_id), limit).await
}

/// The latest reports on a ticket, a request, a project or a package, of the entities the
/// actor may see (at most `limit`), newest first. The caller checks the object itself.
pub async fn reports_on(
    db: &Db,
    actor: &Actor,
    on: WorkOn,
    limit: i64,
) -> Result<Vec<ReportLine>, DeliveryError> {
    let (column, id) = on.column();
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, package_id, ticket_id, work_date, minutes, mode, description, flags, author, \
         acknowledged_by, acknowledged_at, start_time, end_time, travel_minutes \
         FROM work_reports WHERE {column} = $2 AND {IN_SCOPE} \
         ORDER BY work_date DESC, id DESC LIMIT $3"
    )))
    .bind(actor.scope_param())
    .bind(id)
    .bind(limit.clamp(1, 500))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| report_row(r).map_err(DeliveryError::from))
        .collect()
}

/// A report from the columns `id, package_id, ticket_id, work_date, minutes, mode,
/// description, flags, author, acknowledged_by, acknowledged_at, start_time, end_time,
/// travel_minutes` (in this order, first).
fn report_row(r: &sqlx::any::AnyRow) -> Result<ReportLine, sqlx::Error> {
    let date: String = r.try_get(3)?;
    let mode: String = r.try_get(5)?;
    let flags: String = r.try_get(7)?;
    let by: Option<String> = r.try_get(9)?;
    let at: Option<String> = r.try_get(10)?;
    Ok(ReportLine {
        id: r.try_get(0)?,
        package_id: r.try_get(1)?,
        ticket_id: r.try_get(2)?,
        date: date
            .parse()
            .map_err(|_| sqlx::Error::Decode(format!("data «{date}»").into()))?,
        minutes: u32::try_from(r.try_get::<i64, _>(4)?).unwrap_or(0),
        mode: Mode::parse(&mode).unwrap_or(Mode::Remote),
        description: r.try_get(6)?,
        flags: flags
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect(),
        author: r.try_get(8)?,
        acknowledged: by.zip(at),
        times: r
            .try_get::<Option<String>, _>(11)?
            .zip(r.try_get::<Option<String>, _>(12)?),
        travel_minutes: u32::try_from(r.try_get::<i64, _>(13)?).unwrap_or(0),
    })
}

/// The entity's contact acknowledges a report (*presa visione*): recorded once, with who and
/// when. Staff do not acknowledge for the entity.
pub async fn acknowledge(db: &Db, actor: &Actor, report_id: i64) -> Result<(), DeliveryError> {
    if actor.role != kernel::Role::Contact {
        return Err(DeliveryError::field(
            "report",
            "la presa visione è del referente dell'ente",
        ));
    }
    let mut tx = db.write().await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT entity_id, acknowledged_at FROM work_reports WHERE id = $2 AND {IN_SCOPE}"
    )))
    .bind(actor.scope_param())
    .bind(report_id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(DeliveryError::NotFound)?;
    let entity_id: i64 = row.try_get(0)?;
    let already: Option<String> = row.try_get(1)?;
    if already.is_some() {
        return Ok(());
    }
    let now = kernel::time::now();
    // The printout changes (it says who acknowledged it): printed again when next asked for.
    sqlx::query(
        "UPDATE work_reports SET acknowledged_by = $1, acknowledged_at = $2, pdf_sha256 = NULL \
         WHERE id = $3",
    )
    .bind(&actor.label)
    .bind(&now)
    .bind(report_id)
    .execute(tx.conn())
    .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "acknowledge".into(),
            object_type: "work_report".into(),
            object_id: report_id.to_string(),
            entity_id: Some(entity_id),
            before: None,
            after: Some(format!("{{\"acknowledged_at\":\"{now}\"}}")),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A report ready to print: the report, its entity, what it was on, and its printout if one
/// is kept in the file store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Printable {
    pub report: ReportLine,
    pub entity: String,
    /// "Pacchetto PD14 «base» · 2026", "Progetto «…»", "Ticket n. 2026/000012".
    pub reference: Option<String>,
    /// The kept printout (SHA-256 in the file store).
    pub pdf_sha256: Option<String>,
}

/// A report of an entity the actor may see, to print.
pub async fn printable(db: &Db, actor: &Actor, report_id: i64) -> Result<Printable, DeliveryError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT w.id, w.package_id, w.ticket_id, w.work_date, w.minutes, w.mode, w.description, \
         w.flags, w.author, w.acknowledged_by, w.acknowledged_at, w.start_time, w.end_time, \
         w.travel_minutes, e.name, w.pdf_sha256, p.service_code, p.item_code, p.year, j.title, \
         t.number \
         FROM work_reports w JOIN entities e ON e.id = w.entity_id \
         LEFT JOIN packages p ON p.id = w.package_id LEFT JOIN projects j ON j.id = w.project_id \
         LEFT JOIN tickets t ON t.id = w.ticket_id \
         WHERE w.id = $2 AND {}",
        db::entities_in_scope!("w.entity_id", "$1")
    )))
    .bind(actor.scope_param())
    .bind(report_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(DeliveryError::NotFound)?;
    let package: Option<String> = r.try_get(16)?;
    let item: Option<String> = r.try_get(17)?;
    let year: Option<i64> = r.try_get(18)?;
    let project: Option<String> = r.try_get(19)?;
    let ticket: Option<String> = r.try_get(20)?;
    let reference = match (package, project, ticket) {
        (Some(s), _, _) => Some(format!(
            "Pacchetto {s} «{}» · {}",
            item.unwrap_or_default(),
            year.unwrap_or_default()
        )),
        (None, Some(t), _) => Some(format!("Progetto «{t}»")),
        (None, None, Some(n)) => Some(format!("Ticket n. {n}")),
        _ => None,
    };
    Ok(Printable {
        report: report_row(&r)?,
        entity: r.try_get(14)?,
        reference,
        pdf_sha256: r.try_get(15)?,
    })
}

/// Keeps a report's printout in the file store, unless the report was acknowledged after it
/// was printed (`acknowledged_at` is what the printout shows). Gives the file's SHA-256.
pub async fn keep_printout(
    db: &Db,
    report_id: i64,
    acknowledged_at: Option<&str>,
    pdf: &[u8],
) -> Result<String, DeliveryError> {
    let mut tx = db.write().await?;
    let stored = db::files::put(&mut tx, pdf).await?;
    sqlx::query(
        "UPDATE work_reports SET pdf_sha256 = $1 WHERE id = $2 \
         AND COALESCE(acknowledged_at, '') = $3",
    )
    .bind(&stored.sha256)
    .bind(report_id)
    .bind(acknowledged_at.unwrap_or(""))
    .execute(tx.conn())
    .await?;
    tx.commit().await?;
    Ok(stored.sha256)
}
