//! What the centre reads of a campaign: every form with its state, and the aggregate per
//! service priced with next year's list.

use super::*;

/// An entity's form as the centre's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormRow {
    pub entity_id: i64,
    pub entity_name: String,
    pub state: FormState,
    pub submitted_at: Option<String>,
    pub notes: String,
}

/// A form from the columns `entity_id, name, state, submitted_at, notes`.
fn form_row(r: &sqlx::any::AnyRow) -> Result<FormRow, sqlx::Error> {
    let state: String = r.try_get(2)?;
    Ok(FormRow {
        entity_id: r.try_get(0)?,
        entity_name: r.try_get(1)?,
        state: FormState::parse(&state).unwrap_or(FormState::Sent),
        submitted_at: r.try_get(3)?,
        notes: r.try_get(4)?,
    })
}

/// The forms of a campaign of the entities the actor may see (a contact's own), by name.
pub async fn own_forms(
    db: &Db,
    actor: &Actor,
    campaign_id: i64,
) -> Result<Vec<FormRow>, DeliveryError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT f.entity_id, e.name, f.state, f.submitted_at, f.notes FROM needs_forms f \
         JOIN entities e ON e.id = f.entity_id WHERE f.campaign_id = $2 AND {} \
         ORDER BY e.name, e.id LIMIT 100",
        db::entities_in_scope!("f.entity_id", "$1")
    )))
    .bind(actor.scope_param())
    .bind(campaign_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(form_row)
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(DeliveryError::from)
}

/// Which forms of a campaign to list.
#[derive(Debug, Clone, Default)]
pub struct FormQuery {
    pub state: Option<FormState>,
    /// Part of the entity's name.
    pub q: String,
    pub offset: i64,
    /// 0: all.
    pub limit: i64,
}

/// The forms of a campaign (staff), by entity name, with how many match.
pub async fn forms(
    db: &Db,
    actor: &Actor,
    campaign_id: i64,
    query: &FormQuery,
) -> Result<(Vec<FormRow>, i64), DeliveryError> {
    staff(actor)?;
    campaign(db, actor, campaign_id).await?;
    let pattern = helpdesk::store::like_pattern(query.q.trim());
    let state = query.state.map_or("", FormState::code);
    const WHERE: &str =
        "f.campaign_id = $1 AND ($2 = '' OR f.state = $2) AND LOWER(e.name) LIKE $3 ESCAPE '\\'";
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM needs_forms f JOIN entities e ON e.id = f.entity_id WHERE {WHERE}"
    )))
    .bind(campaign_id)
    .bind(state)
    .bind(&pattern)
    .fetch_one(db.pool())
    .await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT f.entity_id, e.name, f.state, f.submitted_at, f.notes FROM needs_forms f \
         JOIN entities e ON e.id = f.entity_id WHERE {WHERE} ORDER BY e.name, e.id \
         LIMIT $4 OFFSET $5"
    )))
    .bind(campaign_id)
    .bind(state)
    .bind(&pattern)
    .bind(if query.limit > 0 {
        query.limit
    } else {
        i64::MAX
    })
    .bind(query.offset.max(0))
    .fetch_all(db.pool())
    .await?;
    let rows = rows
        .iter()
        .map(form_row)
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((rows, total))
}

/// The centre's view of a campaign: who answered and the aggregate per service.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub campaign: Campaign,
    /// The list next year's amounts come from (none: the amounts are zero and say so).
    pub price_list: Option<String>,
    /// Forms per state: sent (untouched), draft, submitted, processed.
    pub states: Vec<(FormState, i64)>,
    /// Per service, with the service's name.
    pub services: Vec<(ServiceNeed, String)>,
}

/// The aggregate of the answered forms (sent or processed) of a campaign (staff): the counts
/// per service in one grouped read, and the wanted lines grouped by what their price depends
/// on (service, item, quantity, activation date, and the population for services with a
/// per-inhabitant item), each group priced once with next year's list: the same figures as
/// [`needs::aggregate`] over the lines one by one (a test checks it).
pub async fn summary(db: &Db, actor: &Actor, campaign_id: i64) -> Result<Summary, DeliveryError> {
    staff(actor)?;
    let campaign = campaign(db, actor, campaign_id).await?;
    let year = campaign.year;
    let list = catalog::store::price_lists::on(db, first_of(year))
        .await
        .ok();
    // The counts per service, in one grouped read.
    const ANSWERED: &str = "FROM needs_lines l JOIN needs_forms f ON f.id = l.form_id \
        WHERE l.campaign_id = $1 AND f.state IN ('submitted', 'processed')";
    const WANTED: &str = "l.answer IN ('renew', 'interested') AND l.quantity > 0";
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT l.service_code, \
           COUNT(DISTINCT CASE WHEN {WANTED} THEN f.entity_id END), \
           CAST(COALESCE(SUM(CASE WHEN {WANTED} THEN l.quantity ELSE 0 END), 0) AS BIGINT), \
           COUNT(DISTINCT CASE WHEN l.current_quantity > 0 THEN f.entity_id END), \
           CAST(COALESCE(SUM(l.current_quantity), 0) AS BIGINT), \
           COUNT(DISTINCT CASE WHEN l.answer = 'stop' THEN f.entity_id END), \
           COUNT(DISTINCT CASE WHEN l.answer = 'interested' AND l.quantity > 0 THEN f.entity_id END) \
         {ANSWERED} GROUP BY l.service_code"
    )))
    .bind(campaign_id)
    .fetch_all(db.pool())
    .await?;
    let n = |r: &sqlx::any::AnyRow, i: usize| -> Result<u64, sqlx::Error> {
        Ok(u64::try_from(r.try_get::<i64, _>(i)?).unwrap_or(0))
    };
    let counts = rows
        .iter()
        .map(|r| {
            Ok(needs::ServiceCounts {
                service: r.try_get(0)?,
                entities: n(r, 1)?,
                quantity: n(r, 2)?,
                current_entities: n(r, 3)?,
                current_quantity: n(r, 4)?,
                stopping: n(r, 5)?,
                new_entities: n(r, 6)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    // The wanted lines grouped by what their price depends on: the population only for the
    // services with a per-inhabitant item (bound one by one: codes are data).
    let mut priced = vec![];
    if let Some(l) = &list {
        let mut by_population: Vec<&str> = l
            .list
            .items
            .iter()
            .filter(|i| i.uses_population())
            .map(|i| i.service.as_str())
            .collect();
        by_population.sort_unstable();
        by_population.dedup();
        let marks = (0..by_population.len())
            .map(|k| format!("${}", k + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let population = if by_population.is_empty() {
            "NULL".to_owned()
        } else {
            format!("CASE WHEN l.service_code IN ({marks}) THEN e.population END")
        };
        let sql = format!(
            "SELECT l.service_code, l.item_code, l.quantity, l.activation_date, {population}, COUNT(*) \
             FROM needs_lines l JOIN needs_forms f ON f.id = l.form_id JOIN entities e ON e.id = f.entity_id \
             WHERE l.campaign_id = $1 AND f.state IN ('submitted', 'processed') AND {WANTED} \
             GROUP BY 1, 2, 3, 4, 5"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(campaign_id);
        for code in &by_population {
            q = q.bind(*code);
        }
        for r in q.fetch_all(db.pool()).await? {
            let service: String = r.try_get(0)?;
            let item: String = r.try_get(1)?;
            let quantity = u32::try_from(r.try_get::<i64, _>(2)?).unwrap_or(0);
            let activation = date(r.try_get(3)?)?.unwrap_or(first_of(year));
            let population = r
                .try_get::<Option<i64>, _>(4)?
                .and_then(|p| u32::try_from(p).ok());
            let amount = fees::quote(
                &l.list,
                &QuoteInput {
                    service: &service,
                    item: Some(item.as_str()).filter(|i| !i.is_empty()),
                    quantity,
                    population,
                    activation,
                    year,
                },
            )
            .ok()
            .map(|q| q.amount);
            priced.push(needs::PricedGroup {
                service,
                amount,
                lines: n(&r, 5)?,
            });
        }
    }
    let names: HashMap<String, String> = sqlx::query("SELECT code, name FROM services")
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?)))
        .collect::<Result<_, sqlx::Error>>()?;
    let services = needs::combine(counts, &priced)
        .into_iter()
        .map(|s| {
            let name = names.get(&s.service).cloned().unwrap_or_default();
            (s, name)
        })
        .collect();
    let counts = sqlx::query(
        "SELECT state, COUNT(*) FROM needs_forms WHERE campaign_id = $1 GROUP BY state",
    )
    .bind(campaign_id)
    .fetch_all(db.pool())
    .await?;
    let mut states: Vec<(FormState, i64)> = [
        FormState::Sent,
        FormState::Draft,
        FormState::Submitted,
        FormState::Processed,
    ]
    .into_iter()
    .map(|s| (s, 0))
    .collect();
    for r in &counts {
        let s: String = r.try_get(0)?;
        let n: i64 = r.try_get(1)?;
        if let Some(x) = states.iter_mut().find(|x| x.0.code() == s) {
            x.1 = n;
        }
    }
    Ok(Summary {
        campaign,
        price_list: list.map(|l| l.list.name),
        states,
        services,
    })
}
