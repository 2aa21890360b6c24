//! The services an entity has: what delivery created, from its activation date to its end.
//!
//! A service is kept as periods (`from_date` to `end_date`): a quantity change ends the running
//! period the day before and starts a new one, with the same activation date; a deactivation
//! ends the running period. So "what did entity X have on day D" is one query over the periods.

use super::*;

/// A period of a service an entity has, from its activation date to its end date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActiveService {
    pub id: i64,
    pub entity_id: i64,
    pub service: String,
    pub item: String,
    pub quantity: u32,
    /// The day the service was first activated (what the statements price from).
    pub activation_date: NaiveDate,
    /// The day this period (this quantity) starts: the activation date, or a change's day.
    pub from_date: NaiveDate,
    /// Inclusive; `None` while active.
    pub end_date: Option<NaiveDate>,
    pub price_list_id: i64,
    pub request_id: Option<i64>,
    /// The period this one follows after a quantity change.
    pub previous_id: Option<i64>,
    pub version: i64,
}

const SCOLS: &str = "id, entity_id, service_code, item_code, quantity, activation_date, end_date, \
    price_list_id, request_id, from_date, previous_id, version";

fn service_row(r: &sqlx::any::AnyRow) -> Result<ActiveService, sqlx::Error> {
    let activation = date(r.try_get(5)?)?
        .ok_or_else(|| sqlx::Error::Decode("servizio attivo senza data di attivazione".into()))?;
    Ok(ActiveService {
        id: r.try_get(0)?,
        entity_id: r.try_get(1)?,
        service: r.try_get(2)?,
        item: r.try_get(3)?,
        quantity: u32::try_from(r.try_get::<i64, _>(4)?).unwrap_or(0),
        activation_date: activation,
        end_date: date(r.try_get(6)?)?,
        price_list_id: r.try_get(7)?,
        request_id: r.try_get(8)?,
        from_date: date(r.try_get(9)?)?.unwrap_or(activation),
        previous_id: r.try_get(10)?,
        version: r.try_get(11)?,
    })
}

/// What an entity the actor may see had on `day`: the periods running that day, by service.
pub async fn services_on(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    day: NaiveDate,
) -> Result<Vec<ActiveService>, DeliveryError> {
    services_where(db, actor, entity_id, day, "from_date <= $2 AND").await
}

/// The services of an entity not ended by `day`: those running and those that start later.
pub async fn services_from(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    day: NaiveDate,
) -> Result<Vec<ActiveService>, DeliveryError> {
    services_where(db, actor, entity_id, day, "").await
}

async fn services_where(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    day: NaiveDate,
    started: &str,
) -> Result<Vec<ActiveService>, DeliveryError> {
    // Not found when out of scope, as everywhere.
    members::store::get(db, actor, entity_id).await?;
    let d = day.to_string();
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SCOLS} FROM active_services \
         WHERE entity_id = $1 AND {started} (end_date IS NULL OR end_date >= $2) \
         ORDER BY service_code, item_code, from_date, id"
    )))
    .bind(entity_id)
    .bind(&d)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(service_row)
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(DeliveryError::from)
}

/// One period of a service of an entity the actor may see.
pub async fn active_service(
    db: &Db,
    actor: &Actor,
    id: i64,
) -> Result<ActiveService, DeliveryError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SCOLS} FROM active_services WHERE id = $2 AND {IN_SCOPE}"
    )))
    .bind(actor.scope_param())
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(DeliveryError::NotFound)?;
    Ok(service_row(&row)?)
}

/// The running period, in the actor's scope, for a change (staff only).
async fn running(
    tx: &mut WriteTx,
    actor: &Actor,
    id: i64,
    expected_version: Option<i64>,
) -> Result<ActiveService, DeliveryError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SCOLS} FROM active_services WHERE id = $2 AND {IN_SCOPE}"
    )))
    .bind(actor.scope_param())
    .bind(id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(DeliveryError::NotFound)?;
    staff(actor)?;
    let s = service_row(&row)?;
    if expected_version.is_some_and(|v| v != s.version) {
        return Err(DeliveryError::Catalog(catalog::CatalogError::Conflict));
    }
    if s.end_date.is_some() {
        return Err(DeliveryError::field(
            "id",
            "questo periodo del servizio è già chiuso: si cambia solo quello in corso",
        ));
    }
    Ok(s)
}

fn service_event(
    actor: &Actor,
    action: &str,
    s: &ActiveService,
    before: Option<&ActiveService>,
) -> AuditEvent {
    AuditEvent {
        actor: actor.label.clone(),
        action: action.into(),
        object_type: "active_service".into(),
        object_id: s.id.to_string(),
        entity_id: Some(s.entity_id),
        before: before.and_then(|b| serde_json::to_string(b).ok()),
        after: serde_json::to_string(s).ok(),
    }
}

async fn reread(tx: &mut WriteTx, id: i64) -> Result<ActiveService, DeliveryError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SCOLS} FROM active_services WHERE id = $1"
    )))
    .bind(id)
    .fetch_one(tx.conn())
    .await?;
    Ok(service_row(&row)?)
}

/// Changes the quantity of a running service from `day` (staff): the running period ends the
/// day before and a new one starts on `day` (on the period's own first day, the quantity is
/// corrected in place). Gives the period now running from `day`.
pub async fn change_quantity(
    db: &Db,
    actor: &Actor,
    id: i64,
    quantity: u32,
    day: NaiveDate,
    expected_version: Option<i64>,
) -> Result<ActiveService, DeliveryError> {
    let mut tx = db.write().await?;
    let s = change_quantity_in(&mut tx, actor, id, quantity, day, expected_version).await?;
    tx.commit().await?;
    Ok(s)
}

pub(crate) async fn change_quantity_in(
    tx: &mut WriteTx,
    actor: &Actor,
    id: i64,
    quantity: u32,
    day: NaiveDate,
    expected_version: Option<i64>,
) -> Result<ActiveService, DeliveryError> {
    let before = running(tx, actor, id, expected_version).await?;
    if !(1..=quotes::MAX_QUANTITY).contains(&quantity) {
        return Err(DeliveryError::field(
            "quantity",
            "la quantità va da 1 a 1.000.000 (per togliere il servizio, disattivalo)",
        ));
    }
    if quantity == before.quantity {
        return Err(DeliveryError::field(
            "quantity",
            format!("la quantità è già {quantity}"),
        ));
    }
    if day < before.from_date {
        return Err(DeliveryError::field(
            "date",
            format!(
                "la data del cambio non può precedere l'inizio del periodo in corso ({})",
                kernel::time::display_date(before.from_date)
            ),
        ));
    }
    let now = kernel::time::now();
    if day == before.from_date {
        sqlx::query(
            "UPDATE active_services SET quantity = $1, version = version + 1, updated_at = $2 \
             WHERE id = $3",
        )
        .bind(i64::from(quantity))
        .bind(&now)
        .bind(before.id)
        .execute(tx.conn())
        .await?;
        let after = reread(tx, before.id).await?;
        audit::append(tx, service_event(actor, "update", &after, Some(&before))).await?;
        return Ok(after);
    }
    let Some(eve) = day.pred_opt() else {
        return Err(DeliveryError::field("date", "data non valida"));
    };
    sqlx::query(
        "UPDATE active_services SET end_date = $1, version = version + 1, updated_at = $2 \
         WHERE id = $3",
    )
    .bind(eve.to_string())
    .bind(&now)
    .bind(before.id)
    .execute(tx.conn())
    .await?;
    let closed = reread(tx, before.id).await?;
    audit::append(tx, service_event(actor, "update", &closed, Some(&before))).await?;
    let nid: i64 = sqlx::query_scalar(
        "INSERT INTO active_services (entity_id, service_code, item_code, quantity, activation_date, \
         from_date, price_list_id, request_id, previous_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
    )
    .bind(before.entity_id)
    .bind(&before.service)
    .bind(&before.item)
    .bind(i64::from(quantity))
    .bind(before.activation_date.to_string())
    .bind(day.to_string())
    .bind(before.price_list_id)
    .bind(before.request_id)
    .bind(before.id)
    .bind(&now)
    .fetch_one(tx.conn())
    .await?;
    let after = reread(tx, nid).await?;
    audit::append(tx, service_event(actor, "create", &after, None)).await?;
    Ok(after)
}

/// Stops a running service (staff): its last day is `last_day` (inclusive), which may be
/// neither before the period started nor before its activation.
pub async fn deactivate(
    db: &Db,
    actor: &Actor,
    id: i64,
    last_day: NaiveDate,
    expected_version: Option<i64>,
) -> Result<ActiveService, DeliveryError> {
    let mut tx = db.write().await?;
    let s = deactivate_in(&mut tx, actor, id, last_day, expected_version).await?;
    tx.commit().await?;
    Ok(s)
}

pub(crate) async fn deactivate_in(
    tx: &mut WriteTx,
    actor: &Actor,
    id: i64,
    last_day: NaiveDate,
    expected_version: Option<i64>,
) -> Result<ActiveService, DeliveryError> {
    let before = running(tx, actor, id, expected_version).await?;
    if last_day < before.from_date {
        return Err(DeliveryError::field(
            "end_date",
            format!(
                "l'ultimo giorno non può precedere l'inizio del periodo in corso ({})",
                kernel::time::display_date(before.from_date)
            ),
        ));
    }
    sqlx::query(
        "UPDATE active_services SET end_date = $1, version = version + 1, updated_at = $2 \
         WHERE id = $3",
    )
    .bind(last_day.to_string())
    .bind(kernel::time::now())
    .bind(before.id)
    .execute(tx.conn())
    .await?;
    let after = reread(tx, before.id).await?;
    audit::append(
        tx,
        service_event(actor, "deactivate", &after, Some(&before)),
    )
    .await?;
    Ok(after)
}
