//! A ticket's life after it is opened: taken in charge, reclassified, moved between states.

use super::*;

/// An operator takes charge of a new ticket: the take-charge clock stops.
pub async fn take_charge(
    db: &Db,
    actor: &Actor,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Ticket, HelpdeskError> {
    // Out of scope is "not found" first, then only staff may act.
    let before = get(db, actor, id).await?;
    if !actor.is_staff() {
        return Err(HelpdeskError::StaffOnly);
    }
    let mut tx = db.write().await?;
    let now = kernel::time::format(now);
    let n = sqlx::query(
        "UPDATE tickets SET state = 'in_progress', taken_at = $1, taken_by = $2, assigned_to = $2, \
         version = version + 1, updated_at = $1 WHERE id = $3 AND state = 'new'",
    )
    .bind(&now)
    .bind(actor.user_id)
    .bind(id)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if n == 0 {
        let current = get_on(tx.conn(), actor, id).await?;
        return Err(HelpdeskError::Refused(format!(
            "il ticket {} è già stato preso in carico{}",
            current.number,
            current
                .taken_by
                .map(|u| format!(" da {u}"))
                .unwrap_or_default()
        )));
    }
    let after = get_on(tx.conn(), actor, id).await?;
    crate::store::audit_ticket(
        &mut tx,
        &actor.label,
        "take_charge",
        &after.number,
        after.entity_id,
        serde_json::to_string(&before).ok(),
        serde_json::to_string(&after).ok(),
    )
    .await?;
    crate::notify::taken(&mut tx, &after, actor.user_id).await?;
    tx.commit().await?;
    Ok(after)
}

/// An operator reclassifies a ticket's priority (e-mailed tickets arrive as medium). The
/// deadlines follow the priority of the problem, so they are computed again from when the
/// request came in, in the entity's calendar: the take-charge deadline only while the ticket is
/// still new (once taken, that target is already judged), the resolution deadline (moved on by
/// the pauses so far) while it is open. Staff only; audited with both priorities.
pub async fn set_priority(
    db: &Db,
    actor: &Actor,
    id: i64,
    to: Priority,
    now: DateTime<Utc>,
) -> Result<Ticket, HelpdeskError> {
    let t = get(db, actor, id).await?;
    let policy = &policy(db).await?;
    if !actor.is_staff() {
        return Err(HelpdeskError::StaffOnly);
    }
    if matches!(t.state, State::Resolved | State::Closed) {
        return Err(HelpdeskError::Refused(format!(
            "il ticket {} è {}: la priorità non cambia più",
            t.number,
            t.state.label().to_lowercase()
        )));
    }
    if t.priority == to {
        return Ok(t);
    }
    let cal = calendar_for(&mut *db.pool().acquire().await?, t.entity_id).await?;
    let (due, resolution) = deadlines(
        db,
        &cal,
        t.on_call,
        policy,
        to,
        t.received_at,
        chrono::Duration::seconds(t.paused_seconds),
    )?;
    // Once taken, the take-charge target is judged: it stays.
    let take_charge = if t.state == State::New {
        due
    } else {
        t.take_charge_due_at
    };
    let mut tx = db.write().await?;
    let n = sqlx::query(
        "UPDATE tickets SET priority = $1, take_charge_due_at = $2, resolution_due_at = $3, \
         version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6",
    )
    .bind(to.as_str())
    .bind(kernel::time::format(take_charge))
    .bind(resolution.map(kernel::time::format))
    .bind(kernel::time::format(now))
    .bind(id)
    .bind(t.version)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if n == 0 {
        return Err(HelpdeskError::Refused(format!(
            "il ticket {} è stato modificato nel frattempo: ricaricare la pagina",
            t.number
        )));
    }
    let after = get_on(tx.conn(), actor, id).await?;
    crate::store::audit_ticket(
        &mut tx,
        &actor.label,
        format!("priority:{}", to.as_str()),
        &t.number,
        t.entity_id,
        serde_json::to_string(&t).ok(),
        serde_json::to_string(&after).ok(),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Moves a ticket on (staff only): `waiting_entity` (pauses the resolution clock),
/// `in_progress` (resumes it, or reopens a resolved ticket), `resolved`, `closed`. Resolving
/// takes a resolution note, which joins the thread as a public reply (and so is e-mailed to the
/// requester) in the same transaction as the change of state.
pub async fn set_state(
    db: &Db,
    actor: &Actor,
    id: i64,
    to: State,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Ticket, HelpdeskError> {
    let t = get(db, actor, id).await?;
    if !actor.is_staff() {
        return Err(HelpdeskError::StaffOnly);
    }
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if to == State::Resolved && t.state.may_become(to) {
        match note {
            None => {
                return Err(HelpdeskError::field(
                    "note",
                    "scrivere la nota di risoluzione: che cosa è stato fatto (il richiedente la riceve)",
                ))
            }
            Some(n) if n.chars().count() > 20_000 => {
                return Err(HelpdeskError::field(
                    "note",
                    "la nota supera i 20.000 caratteri",
                ))
            }
            Some(_) => {}
        }
    }
    use State::*;
    if !t.state.may_become(to) {
        return Err(HelpdeskError::Refused(match (t.state, to) {
            (New, _) => format!("il ticket {} va prima preso in carico", t.number),
            (from, to) => format!(
                "il ticket {} non passa da «{}» a «{}»",
                t.number,
                from.as_str(),
                to.as_str()
            ),
        }));
    }
    let stamp = kernel::time::format(now);
    let mut tx = db.write().await?;
    if t.state == WaitingEntity {
        resume(db, &mut tx, &t, now).await?;
    }
    if let (Resolved, Some(note)) = (to, note) {
        crate::store::insert_message(
            db,
            &mut tx,
            &t,
            crate::store::NewMessage {
                author: crate::store::author_of(actor),
                author_id: (actor.user_id > 0).then_some(actor.user_id),
                body: note,
                internal: false,
                from_entity: false,
                actor_label: &actor.label,
                at: now,
                sender_verified: None,
            },
        )
        .await?;
    }
    // Resolving starts the warranty: 10 working days of the entity's calendar.
    let warranty = if to == Resolved {
        let cal = calendar_for(tx.conn(), t.entity_id).await?;
        Some(crate::support::warranty_until(&cal.calendar, now).to_string())
    } else {
        t.warranty_until.map(|d| d.to_string())
    };
    sqlx::query(
        "UPDATE tickets SET state = $1, paused_since = CASE WHEN $1 = 'waiting_entity' THEN $2 ELSE paused_since END, \
         resolved_at = CASE WHEN $1 = 'resolved' THEN $2 WHEN $1 = 'in_progress' THEN NULL ELSE resolved_at END, \
         warranty_until = $4, version = version + 1, updated_at = $2 WHERE id = $3",
    )
    .bind(to.as_str())
    .bind(&stamp)
    .bind(id)
    .bind(warranty)
    .execute(tx.conn())
    .await?;
    let after = get_on(tx.conn(), actor, id).await?;
    crate::store::audit_ticket(
        &mut tx,
        &actor.label,
        format!("state:{}", to.as_str()),
        &t.number,
        t.entity_id,
        serde_json::to_string(&t).ok(),
        serde_json::to_string(&after).ok(),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The centre's operators a ticket may be assigned to: active admins and operators, by name.
pub async fn operators(db: &Db) -> Result<Vec<(i64, String)>, HelpdeskError> {
    let rows = sqlx::query(
        "SELECT id, COALESCE(NULLIF(full_name, ''), username) AS name FROM users \
         WHERE active = 1 AND role IN ('admin', 'operator') ORDER BY name, id",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect::<Result<_, sqlx::Error>>()?)
}

/// Staff assign an open ticket to an operator of the centre (an active admin or operator), or
/// to nobody (`None`). Taking charge still belongs to the operator: assigning does not stop
/// the take-charge clock. Audited with who was assigned before and after; assigning it to
/// whoever already has it changes nothing.
pub async fn assign(
    db: &Db,
    actor: &Actor,
    id: i64,
    to: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Ticket, HelpdeskError> {
    let t = get(db, actor, id).await?;
    if !actor.is_staff() {
        return Err(HelpdeskError::StaffOnly);
    }
    if matches!(t.state, State::Resolved | State::Closed) {
        return Err(HelpdeskError::Refused(format!(
            "il ticket {} è {}: non si assegna più",
            t.number,
            t.state.label().to_lowercase()
        )));
    }
    if let Some(user) = to {
        if !operators(db).await?.iter().any(|(id, _)| *id == user) {
            return Err(HelpdeskError::field(
                "assigned_to",
                "scegliere un operatore attivo del centro",
            ));
        }
    }
    if t.assigned_to == to {
        return Ok(t);
    }
    let mut tx = db.write().await?;
    let n = sqlx::query(
        "UPDATE tickets SET assigned_to = $1, version = version + 1, updated_at = $2 \
         WHERE id = $3 AND state IN ('new', 'in_progress', 'waiting_entity')",
    )
    .bind(to)
    .bind(kernel::time::format(now))
    .bind(id)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if n == 0 {
        return Err(HelpdeskError::Refused(format!(
            "il ticket {} è stato chiuso nel frattempo",
            t.number
        )));
    }
    let after = get_on(tx.conn(), actor, id).await?;
    crate::store::audit_ticket(
        &mut tx,
        &actor.label,
        "assign",
        &t.number,
        t.entity_id,
        serde_json::to_string(&t).ok(),
        serde_json::to_string(&after).ok(),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
