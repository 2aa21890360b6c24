//! Recording work: a report checked, flagged and counted against its package in one
//! transaction, with the package's warnings.

use super::*;

/// A work report as written by a technician.
#[derive(Debug, Clone, Default)]
pub struct ReportDraft {
    pub entity_id: i64,
    pub ticket_id: Option<i64>,
    pub package_id: Option<i64>,
    /// A project whose quote the entity approved.
    pub project_id: Option<i64>,
    /// An activation request being delivered.
    pub request_id: Option<i64>,
    pub date: Option<NaiveDate>,
    /// The duration; 0 when the start and end times give it.
    pub minutes: u32,
    pub start: Option<chrono::NaiveTime>,
    pub end: Option<chrono::NaiveTime>,
    /// Travel to an on-site visit (recorded; covered by the call-out fee, not counted as work).
    pub travel_minutes: u32,
    pub mode: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub id: i64,
    pub entity_id: i64,
    pub ticket_id: Option<i64>,
    pub package_id: Option<i64>,
    pub project_id: Option<i64>,
    pub request_id: Option<i64>,
    pub date: NaiveDate,
    pub minutes: u32,
    pub mode: Mode,
    pub description: String,
    pub flags: Vec<&'static str>,
    pub author: String,
}

/// Records work (staff): flagged (remote beyond 30 minutes, call-out fee, warranty) and, when
/// it names a package of the same entity and year, counted against it — refused when the
/// package refuses what goes beyond it.
pub async fn report(
    db: &Db,
    actor: &Actor,
    draft: &ReportDraft,
    today: NaiveDate,
) -> Result<(Report, Option<Package>), DeliveryError> {
    staff(actor)?;
    let mut wrong = vec![];
    let mode = Mode::parse(draft.mode.trim());
    if mode.is_none() {
        wrong.push(kernel::FieldError::new(
            "mode",
            "«onsite» (in sede) o «remote» (da remoto)",
        ));
    }
    let minutes = match work::duration(draft.minutes, draft.start, draft.end) {
        Ok(m) => m,
        Err(why) => {
            wrong.push(kernel::FieldError::new("end", why));
            0
        }
    };
    if wrong.is_empty() && !(1..=1_440).contains(&minutes) {
        wrong.push(kernel::FieldError::new(
            "minutes",
            "indicare la durata (ore e minuti, oppure l'ora di inizio e di fine): da 1 minuto a 24 ore",
        ));
    }
    if draft.travel_minutes > 1_440 {
        wrong.push(kernel::FieldError::new(
            "travel_minutes",
            "la trasferta va da 0 a 1.440 minuti",
        ));
    } else if draft.travel_minutes > 0 && mode == Some(Mode::Remote) {
        wrong.push(kernel::FieldError::new(
            "travel_minutes",
            "la trasferta c'è solo per gli interventi in sede",
        ));
    }
    let date = draft.date.unwrap_or(today);
    if date > today {
        wrong.push(kernel::FieldError::new(
            "date",
            "il lavoro non può essere nel futuro",
        ));
    }
    if draft.description.trim().is_empty() {
        wrong.push(kernel::FieldError::new(
            "description",
            "descrivere il lavoro svolto",
        ));
    } else if draft.description.chars().count() > 4_000 {
        wrong.push(kernel::FieldError::new(
            "description",
            "al massimo 4.000 caratteri",
        ));
    }
    let (Some(mode), true) = (mode, wrong.is_empty()) else {
        return Err(DeliveryError::Invalid(wrong));
    };
    members::store::get(db, actor, draft.entity_id).await?;
    let mut tx = db.write().await?;
    let in_warranty = match draft.ticket_id {
        None => false,
        Some(t) => {
            let row = sqlx::query("SELECT entity_id, reopen_count FROM tickets WHERE id = $1")
                .bind(t)
                .fetch_optional(tx.conn())
                .await?
                .ok_or_else(|| DeliveryError::field("ticket_id", "ticket non trovato"))?;
            let entity: i64 = row.try_get(0)?;
            if entity != draft.entity_id {
                return Err(DeliveryError::field(
                    "ticket_id",
                    "il ticket è di un altro ente",
                ));
            }
            row.try_get::<i64, _>(1)? > 0
        }
    };
    if let Some(p) = draft.package_id {
        let pkg = package_on(tx.conn(), actor, p).await?;
        if pkg.entity_id != draft.entity_id {
            return Err(DeliveryError::field(
                "package_id",
                "il pacchetto è di un altro ente",
            ));
        }
        if pkg.year != date.year() {
            return Err(DeliveryError::field(
                "package_id",
                format!(
                    "il pacchetto è del {}: il lavoro è del {}",
                    pkg.year,
                    date.year()
                ),
            ));
        }
        let used = Used {
            onsite_minutes: pkg.balance_minutes.0,
            remote_minutes: pkg.balance_minutes.1,
        };
        if pkg.overage_rate.is_none() && !work::fits(pkg.holding.engine(), used, minutes, mode) {
            return Err(DeliveryError::field(
                "minutes",
                format!(
                    "il pacchetto ha ancora {}: oltre non si può andare",
                    match pkg.holding {
                        HoldingOut::Days(_) =>
                            format!("{} giornate", work::two_places(pkg.balance.remaining)),
                        HoldingOut::Hours(_) =>
                            format!("{} ore", work::two_places(pkg.balance.remaining)),
                    }
                ),
            ));
        }
    }
    if let Some(p) = draft.project_id {
        crate::store::projects::for_work(tx.conn(), actor, p, draft.entity_id).await?;
    }
    if let Some(r) = draft.request_id {
        let entity: Option<i64> =
            sqlx::query_scalar("SELECT entity_id FROM activation_requests WHERE id = $1")
                .bind(r)
                .fetch_optional(tx.conn())
                .await?;
        match entity {
            None => {
                return Err(DeliveryError::field(
                    "request_id",
                    "richiesta di attivazione non trovata",
                ))
            }
            Some(e) if e != draft.entity_id => {
                return Err(DeliveryError::field(
                    "request_id",
                    "la richiesta è di un altro ente",
                ))
            }
            Some(_) => {}
        }
    }
    let profile = helpdesk::store::support_profile(tx.conn(), draft.entity_id).await?;
    let flags = work::flags(&ReportFacts {
        minutes,
        mode,
        visits_included: profile.call_out_included(),
        in_warranty,
    });
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO work_reports (entity_id, ticket_id, package_id, work_date, minutes, mode, \
         description, flags, author, created_at, project_id, request_id, start_time, end_time, \
         travel_minutes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
         RETURNING id",
    )
    .bind(draft.entity_id)
    .bind(draft.ticket_id)
    .bind(draft.package_id)
    .bind(date.to_string())
    .bind(i64::from(minutes))
    .bind(mode.code())
    .bind(draft.description.trim())
    .bind(flags.join(","))
    .bind(&actor.label)
    .bind(kernel::time::now())
    .bind(draft.project_id)
    .bind(draft.request_id)
    .bind(draft.start.map(|t| t.format("%H:%M").to_string()))
    .bind(draft.end.map(|t| t.format("%H:%M").to_string()))
    .bind(i64::from(draft.travel_minutes))
    .fetch_one(tx.conn())
    .await?;
    if let Some(p) = draft.package_id {
        // The package's totals move in the report's transaction: counted once, never drifting.
        let column = match mode {
            Mode::Onsite => "onsite_minutes",
            Mode::Remote => "remote_minutes",
        };
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE packages SET {column} = {column} + $1 WHERE id = $2"
        )))
        .bind(i64::from(minutes))
        .bind(p)
        .execute(tx.conn())
        .await?;
    }
    let report = Report {
        id,
        entity_id: draft.entity_id,
        ticket_id: draft.ticket_id,
        package_id: draft.package_id,
        project_id: draft.project_id,
        request_id: draft.request_id,
        date,
        minutes,
        mode,
        description: draft.description.trim().to_owned(),
        flags,
        author: actor.label.clone(),
    };
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "create".into(),
            object_type: "work_report".into(),
            object_id: id.to_string(),
            entity_id: Some(draft.entity_id),
            before: None,
            after: serde_json::to_string(&report).ok(),
        },
    )
    .await?;
    let pkg = match draft.package_id {
        Some(p) => {
            let pkg = package_on(tx.conn(), actor, p).await?;
            warn(&mut tx, &pkg).await?;
            Some(pkg)
        }
        None => None,
    };
    tx.commit().await?;
    Ok((report, pkg))
}

/// Tells staff and the entity, once each, that a package passed 80% or 100% of its use, or
/// that its on-site minimum can no longer be reached: the mark is set by a conditional update,
/// so two processes recording work at once send each warning once.
async fn warn(tx: &mut WriteTx, p: &Package) -> Result<(), DeliveryError> {
    let level = p.balance.warnings.iter().copied().max().unwrap_or(0);
    if level > p.warned.0 {
        let marked = sqlx::query(
            "UPDATE packages SET warned_percent = $1 WHERE id = $2 AND warned_percent < $1",
        )
        .bind(i64::from(level))
        .bind(p.id)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if marked == 1 {
            crate::notify::package_warning(tx, p, crate::notify::PackageWarning::Used(level))
                .await?;
        }
    }
    if !p.onsite_reachable && !p.warned.1 {
        let marked = sqlx::query(
            "UPDATE packages SET warned_onsite = 1 WHERE id = $1 AND warned_onsite = 0",
        )
        .bind(p.id)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if marked == 1 {
            crate::notify::package_warning(tx, p, crate::notify::PackageWarning::Onsite).await?;
        }
    }
    Ok(())
}
