//! A request's moves after it is sent: approved (the deadline starts), handed to a
//! technician, delivered (the entity's service starts), refused or cancelled with a reason.

use super::*;

/// Approves a request (staff): the delivery deadline counts from `today` in the entity's
/// working calendar, by the service card's delivery time (none when the card gives none).
pub async fn approve(
    db: &Db,
    actor: &Actor,
    id: i64,
    today: NaiveDate,
    expected_version: Option<i64>,
) -> Result<Request, DeliveryError> {
    staff(actor)?;
    let mut tx = db.write().await?;
    let r = for_change(&mut tx, actor, id, RequestState::Approved, expected_version).await?;
    let card = catalog::store::services::get(db, &r.service).await?;
    let due = match card.card.delivery_time {
        Some(time) => {
            let cal = helpdesk::store::calendar_for(tx.conn(), r.entity_id)
                .await?
                .calendar;
            deadline::due_date(today, time, |d| !cal.intervals_on(d).is_empty())
        }
        None => None,
    };
    let (tx, after) = finish(
        tx,
        actor,
        r,
        "approve",
        ", approved_by = $4, approved_on = $5, due_date = $6",
        |q| {
            q.bind(actor.label.clone())
                .bind(today.to_string())
                .bind(due.map(|d| d.to_string()))
        },
        RequestState::Approved,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Hands an approved request to a technician (an active administrator or operator).
pub async fn assign(
    db: &Db,
    actor: &Actor,
    id: i64,
    user_id: i64,
    expected_version: Option<i64>,
) -> Result<Request, DeliveryError> {
    staff(actor)?;
    let mut tx = db.write().await?;
    let r = for_change(
        &mut tx,
        actor,
        id,
        RequestState::InDelivery,
        expected_version,
    )
    .await?;
    let ok: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM users WHERE id = $1 AND active = 1 AND role IN ('admin', 'operator')",
    )
    .bind(user_id)
    .fetch_optional(tx.conn())
    .await?;
    if ok.is_none() {
        return Err(DeliveryError::field(
            "assigned_to",
            "serve un operatore o un amministratore attivo del centro",
        ));
    }
    let (tx, after) = finish(
        tx,
        actor,
        r,
        "assign",
        ", assigned_to = $4",
        |q| q.bind(user_id),
        RequestState::InDelivery,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Delivers a request on `activation_date` (it may be in the past): the entity's active
/// service starts that day, priced by the list valid then.
pub async fn deliver(
    db: &Db,
    actor: &Actor,
    id: i64,
    activation_date: NaiveDate,
    expected_version: Option<i64>,
) -> Result<(Request, ActiveService), DeliveryError> {
    staff(actor)?;
    let mut tx = db.write().await?;
    let r = for_change(
        &mut tx,
        actor,
        id,
        RequestState::Delivered,
        expected_version,
    )
    .await?;
    let day = activation_date.to_string();
    let list: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM price_lists WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to >= $1) \
         ORDER BY valid_from DESC LIMIT 1",
    )
    .bind(&day)
    .fetch_optional(tx.conn())
    .await?;
    let Some(list) = list else {
        return Err(DeliveryError::field(
            "activation_date",
            format!(
                "nessun listino è valido il {}: il servizio non si può attivare in quella data",
                kernel::time::display_date(activation_date)
            ),
        ));
    };
    let (mut tx, after) = finish(
        tx,
        actor,
        r,
        "deliver",
        ", activation_date = $4",
        |q| q.bind(day.clone()),
        RequestState::Delivered,
    )
    .await?;
    let now = kernel::time::now();
    let sid: i64 = sqlx::query_scalar(
        "INSERT INTO active_services (entity_id, service_code, item_code, quantity, activation_date, \
         from_date, price_list_id, request_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(after.entity_id)
    .bind(&after.service)
    .bind(&after.item)
    .bind(i64::from(after.quantity))
    .bind(&day)
    .bind(list)
    .bind(after.id)
    .bind(&now)
    .fetch_one(tx.conn())
    .await?;
    let service = ActiveService {
        id: sid,
        entity_id: after.entity_id,
        service: after.service.clone(),
        item: after.item.clone(),
        quantity: after.quantity,
        activation_date,
        from_date: activation_date,
        end_date: None,
        price_list_id: list,
        request_id: Some(after.id),
        previous_id: None,
        version: 1,
    };
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "create".into(),
            object_type: "active_service".into(),
            object_id: sid.to_string(),
            entity_id: Some(after.entity_id),
            before: None,
            after: serde_json::to_string(&service).ok(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((after, service))
}

/// Refuses a request not yet delivered (staff), with the reason the entity reads.
pub async fn refuse(
    db: &Db,
    actor: &Actor,
    id: i64,
    reason: &str,
    expected_version: Option<i64>,
) -> Result<Request, DeliveryError> {
    staff(actor)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(DeliveryError::field(
            "reason",
            "il motivo del rifiuto è obbligatorio: l'ente lo legge",
        ));
    }
    end_with_reason(
        db,
        actor,
        id,
        RequestState::Refused,
        "refuse",
        reason,
        expected_version,
    )
    .await
}

/// Withdraws a request before delivery starts (its entity's contact, or staff).
pub async fn cancel(
    db: &Db,
    actor: &Actor,
    id: i64,
    reason: &str,
    expected_version: Option<i64>,
) -> Result<Request, DeliveryError> {
    if actor.role == Role::Supplier {
        return Err(DeliveryError::NotForSuppliers);
    }
    end_with_reason(
        db,
        actor,
        id,
        RequestState::Cancelled,
        "cancel",
        reason,
        expected_version,
    )
    .await
}

/// Ends a request (refused or cancelled) with the reason the entity reads.
async fn end_with_reason(
    db: &Db,
    actor: &Actor,
    id: i64,
    to: RequestState,
    action: &str,
    reason: &str,
    expected_version: Option<i64>,
) -> Result<Request, DeliveryError> {
    let mut tx = db.write().await?;
    let r = for_change(&mut tx, actor, id, to, expected_version).await?;
    let reason = reason.trim().chars().take(MAX_NOTES).collect::<String>();
    let (tx, after) = finish(
        tx,
        actor,
        r,
        action,
        ", reason = $4",
        |q| q.bind(reason.clone()),
        to,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
