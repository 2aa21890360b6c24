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

/// The latest reports of a package the actor may see (at most `limit`), newest first.
pub async fn reports_of(
    db: &Db,
    actor: &Actor,
    package_id: i64,
    limit: i64,
) -> Result<Vec<ReportLine>, DeliveryError> {
    package(db, actor, package_id).await?;
    let rows = sqlx::query(
        "SELECT id, package_id, ticket_id, work_date, minutes, mode, description, flags, author, \
         acknowledged_by, acknowledged_at FROM work_reports WHERE package_id = $1 \
         ORDER BY work_date DESC, id DESC LIMIT $2",
    )
    .bind(package_id)
    .bind(limit.clamp(1, 500))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
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
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(DeliveryError::from)
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
    sqlx::query("UPDATE work_reports SET acknowledged_by = $1, acknowledged_at = $2 WHERE id = $3")
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
