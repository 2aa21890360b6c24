//! The services an entity has: what delivery created, from its activation date to its end.

use super::*;

/// A service an entity has from its activation date to its end date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActiveService {
    pub id: i64,
    pub entity_id: i64,
    pub service: String,
    pub item: String,
    pub quantity: u32,
    pub activation_date: NaiveDate,
    /// Inclusive; `None` while active.
    pub end_date: Option<NaiveDate>,
    pub price_list_id: i64,
    pub request_id: Option<i64>,
}

/// What an entity the actor may see had on `day`: the services activated by then and not
/// ended before it, by service.
pub async fn services_on(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    day: NaiveDate,
) -> Result<Vec<ActiveService>, DeliveryError> {
    services_where(db, actor, entity_id, day, "activation_date <= $2 AND").await
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
        "SELECT id, entity_id, service_code, item_code, quantity, activation_date, end_date, \
         price_list_id, request_id FROM active_services \
         WHERE entity_id = $1 AND {started} (end_date IS NULL OR end_date >= $2) \
         ORDER BY service_code, item_code, id"
    )))
    .bind(entity_id)
    .bind(&d)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ActiveService {
                id: r.try_get(0)?,
                entity_id: r.try_get(1)?,
                service: r.try_get(2)?,
                item: r.try_get(3)?,
                quantity: u32::try_from(r.try_get::<i64, _>(4)?).unwrap_or(0),
                activation_date: date(r.try_get(5)?)?.unwrap_or(day),
                end_date: date(r.try_get(6)?)?,
                price_list_id: r.try_get(7)?,
                request_id: r.try_get(8)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(DeliveryError::from)
}
