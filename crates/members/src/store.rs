//! The only file of this crate with SQL.

use db::audit;
use db::{Db, WriteTx};
use kernel::audit::AuditEvent;
use kernel::{Actor, EntityKind};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::{from_sql, MembersError};
use crate::import::{ImportReport, ImportRow, RowError};
use crate::model::{Contact, ContactDraft, ContactInput, Entity, EntityDraft, EntityInput};

mod contacts;
mod import;
pub use contacts::*;
pub use import::*;

const ENTITY_COLS: &str = "id, name, kind, istat_code, cadastral_code, tax_code, ipa_code, \
    office_code, address, postal_code, city, province, pec, population, population_date, \
    workstations, servers, notes, version, created_at, updated_at";

/// Visible to the actor: `$1` is 0 for staff, else the user id.
const IN_SCOPE: &str = db::entities_in_scope!("id", "$1");

fn decode_err(msg: String) -> sqlx::Error {
    sqlx::Error::Decode(msg.into())
}

fn entity_from_row(r: &AnyRow) -> Result<Entity, sqlx::Error> {
    entity_from_values(&db::json::values(r)?)
}

/// An entity from its [`ENTITY_COLS`] values (a row, or a row of an aggregated page).
fn entity_from_values(v: &[serde_json::Value]) -> Result<Entity, sqlx::Error> {
    use serde_json::Value;
    let bad = || decode_err(format!("entity row has an unexpected shape: {v:?}"));
    let text = |i: usize| -> Result<String, sqlx::Error> {
        match v.get(i) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(Value::Null) => Ok(String::new()),
            _ => Err(bad()),
        }
    };
    let num =
        |i: usize| -> Result<i64, sqlx::Error> { v.get(i).and_then(Value::as_i64).ok_or_else(bad) };
    let opt_num = |i: usize| -> Result<String, sqlx::Error> {
        match v.get(i) {
            Some(Value::Null) => Ok(String::new()),
            Some(n) => n.as_i64().map(|n| n.to_string()).ok_or_else(bad),
            None => Err(bad()),
        }
    };
    let draft = EntityDraft {
        name: text(1)?,
        kind: text(2)?,
        istat_code: text(3)?,
        cadastral_code: text(4)?,
        tax_code: text(5)?,
        ipa_code: text(6)?,
        office_code: text(7)?,
        address: text(8)?,
        postal_code: text(9)?,
        city: text(10)?,
        province: text(11)?,
        pec: text(12)?,
        population: opt_num(13)?,
        population_date: text(14)?,
        workstations: opt_num(15)?,
        servers: opt_num(16)?,
        notes: text(17)?,
    };
    let id = num(0)?;
    let data = draft
        .parse()
        .map_err(|e| decode_err(format!("stored entity {id} is not valid: {e:?}")))?;
    Ok(Entity {
        id,
        data,
        version: num(18)?,
        created_at: text(19)?,
        updated_at: text(20)?,
    })
}

/// What the entity list shows.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Matches the name, the city or the ISTAT code.
    pub q: String,
    pub kind: Option<EntityKind>,
    pub sort: EntitySort,
    /// The sort's natural direction turned round.
    pub reverse: bool,
    pub limit: i64,
    pub offset: i64,
}

/// The order of a list of entities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EntitySort {
    /// A to Z.
    #[default]
    Name,
    /// By kind, then name.
    Kind,
    /// By province, then name.
    Province,
    /// Largest first (no population last).
    Population,
    /// Most first.
    Workstations,
}

impl EntitySort {
    pub const ALL: [EntitySort; 5] = [
        EntitySort::Name,
        EntitySort::Kind,
        EntitySort::Province,
        EntitySort::Population,
        EntitySort::Workstations,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntitySort::Name => "name",
            EntitySort::Kind => "kind",
            EntitySort::Province => "province",
            EntitySort::Population => "population",
            EntitySort::Workstations => "workstations",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The ORDER BY over the entity columns (also those of the aggregated page); NULLs are
    /// folded so that both databases order them alike.
    fn sql(self, reverse: bool) -> String {
        let (asc, desc) = db::directions(reverse);
        match self {
            EntitySort::Name => format!("name {asc}, id {asc}"),
            EntitySort::Kind => format!("kind {asc}, name {asc}, id {asc}"),
            EntitySort::Province => format!("province {asc}, name {asc}, id {asc}"),
            EntitySort::Population => format!("COALESCE(population, -1) {desc}, name, id"),
            EntitySort::Workstations => format!("workstations {desc}, name, id"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

pub async fn list(db: &Db, actor: &Actor, q: &ListQuery) -> Result<Page<Entity>, MembersError> {
    let (total, rows) = page_of(db, actor, q, ENTITY_COLS).await?;
    let items = rows
        .iter()
        .map(|r| entity_from_values(r))
        .collect::<Result<_, _>>()?;
    Ok(Page { items, total })
}

/// What a list of entities shows: a page reads only these columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitySummary {
    pub id: i64,
    pub name: String,
    pub kind: EntityKind,
    pub istat_code: String,
    pub province: String,
    pub population: Option<u32>,
    pub workstations: u32,
}

const SUMMARY_COLS: &str = "id, name, kind, istat_code, province, population, workstations";

/// The same page as [`list`], as summaries.
pub async fn summaries(
    db: &Db,
    actor: &Actor,
    q: &ListQuery,
) -> Result<Page<EntitySummary>, MembersError> {
    use serde_json::Value;
    let (total, rows) = page_of(db, actor, q, SUMMARY_COLS).await?;
    let items = rows
        .iter()
        .map(|v| {
            let bad = || decode_err(format!("entity summary has an unexpected shape: {v:?}"));
            let text = |i: usize| match v.get(i) {
                Some(Value::String(s)) => Ok(s.clone()),
                Some(Value::Null) => Ok(String::new()),
                _ => Err(bad()),
            };
            let kind = EntityKind::parse(&text(2)?).map_err(|_| bad())?;
            Ok(EntitySummary {
                id: v.first().and_then(Value::as_i64).ok_or_else(bad)?,
                name: text(1)?,
                kind,
                istat_code: text(3)?,
                province: text(4)?,
                population: v
                    .get(5)
                    .and_then(Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok()),
                workstations: v
                    .get(6)
                    .and_then(Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(bad)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(Page { items, total })
}

/// One page of the entities the actor may see, matching `q`, as rows of `columns`' values,
/// with the total over all pages. One statement: only the filters in use are written into it,
/// and the page comes back as one JSON value (see `db::json`). SQLite's LIKE ignores ASCII
/// case; PostgreSQL needs ILIKE.
async fn page_of(
    db: &Db,
    actor: &Actor,
    q: &ListQuery,
    columns: &str,
) -> Result<(i64, Vec<Vec<serde_json::Value>>), MembersError> {
    let like = match db.backend() {
        db::Backend::Sqlite => "LIKE",
        db::Backend::Postgres => "ILIKE",
    };
    let mut filter = vec![IN_SCOPE.to_owned()];
    let search = q.q.trim();
    if !search.is_empty() {
        filter.push(format!(
            "(name {like} $2 OR city {like} $2 OR istat_code LIKE $2)"
        ));
    }
    if q.kind.is_some() {
        filter.push("kind = $3".into());
    }
    let where_ = filter.join(" AND ");
    let order = q.sort.sql(q.reverse);
    let select = format!(
        "SELECT {columns} FROM entities WHERE {where_} ORDER BY {order} LIMIT $4 OFFSET $5"
    );
    let page = db::json::aggregate(db.backend(), &select, columns, &order);
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT (SELECT COUNT(*) FROM entities WHERE {where_}), ({page})"
    )))
    .bind(actor.scope_param())
    .bind(format!("%{search}%"))
    .bind(q.kind.map(|k| k.code()).unwrap_or(""))
    .bind(q.limit.clamp(1, 1000))
    .bind(q.offset.max(0))
    .fetch_one(db.pool())
    .await?;
    let total: i64 = row.try_get(0)?;
    let rows = db::json::rows(&row.try_get::<String, _>(1)?)?;
    Ok((total, rows))
}

/// Id and workstations of every entity: what fees shared by workstations are split on.
/// Not scoped: a share depends on every member, though only the caller's own is shown.
pub async fn workstations(db: &Db) -> Result<Vec<(i64, u32)>, MembersError> {
    let rows = sqlx::query("SELECT id, workstations FROM entities ORDER BY id")
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            let n: i64 = r.try_get(1)?;
            Ok((r.try_get(0)?, u32::try_from(n).unwrap_or(0)))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(MembersError::from)
}

/// What a membership fee or a price depends on, for one entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeBasis {
    pub id: i64,
    pub name: String,
    pub population: Option<u32>,
    pub workstations: u32,
}

/// Every entity with its population and workstations, by name: for previews of fees and
/// prices, which administrators read for the whole membership. Not scoped: callers are admins.
pub async fn fee_basis(db: &Db) -> Result<Vec<FeeBasis>, MembersError> {
    let rows =
        sqlx::query("SELECT id, name, population, workstations FROM entities ORDER BY name, id")
            .fetch_all(db.pool())
            .await?;
    rows.iter()
        .map(|r| {
            let population: Option<i64> = r.try_get(2)?;
            let workstations: i64 = r.try_get(3)?;
            Ok(FeeBasis {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                population: population.and_then(|p| u32::try_from(p).ok()),
                workstations: u32::try_from(workstations).unwrap_or(0),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(MembersError::from)
}

/// The names of these entities, by id, in one query (ids of no entity are left out). Not
/// scoped: for naming entities already named in records the caller may read (the audit log).
pub async fn names_of(
    db: &Db,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, String>, MembersError> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    // Numbers, not text from a request: the list is written into the SQL.
    let list = ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, name FROM entities WHERE id IN ({list})"
    )))
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()?)
}

/// Id and name of every entity the actor may see, by name: for pickers.
pub async fn names(db: &Db, actor: &Actor) -> Result<Vec<(i64, String)>, MembersError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, name FROM entities WHERE {IN_SCOPE} ORDER BY name, id"
    )))
    .bind(actor.scope_param())
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()?)
}

/// The entity, if it exists and the actor may see it.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Entity, MembersError> {
    get_on(db.pool(), actor, id).await
}

async fn get_on<'e>(
    on: impl sqlx::Executor<'e, Database = sqlx::Any>,
    actor: &Actor,
    id: i64,
) -> Result<Entity, MembersError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ENTITY_COLS} FROM entities WHERE {IN_SCOPE} AND id = $2"
    )))
    .bind(actor.scope_param())
    .bind(id)
    .fetch_optional(on)
    .await?;
    match row {
        Some(r) => Ok(entity_from_row(&r)?),
        None => Err(MembersError::EntityNotFound),
    }
}

/// Visible to the actor, and the actor may change it: invisible is "not found", visible
/// but read-only is "forbidden".
async fn writable(tx: &mut WriteTx, actor: &Actor, id: i64) -> Result<Entity, MembersError> {
    let e = get_on(tx.conn(), actor, id).await?;
    if !actor.is_staff() {
        return Err(MembersError::Forbidden);
    }
    Ok(e)
}

fn json<T: serde::Serialize>(v: &T) -> Option<String> {
    serde_json::to_string(v).ok()
}

async fn insert_entity(
    tx: &mut WriteTx,
    actor: &Actor,
    input: &EntityInput,
    action: &str,
) -> Result<Entity, MembersError> {
    let now = kernel::time::now();
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO entities (name, kind, istat_code, cadastral_code, tax_code, ipa_code, \
         office_code, address, postal_code, city, province, pec, population, population_date, \
         workstations, servers, notes, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 1, $18, $18) \
         RETURNING {ENTITY_COLS}"
    )));
    let row = bind_input(row, input)
        .bind(&now)
        .fetch_one(tx.conn())
        .await
        .map_err(from_sql)?;
    let e = entity_from_row(&row)?;
    audit::append(
        tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: action.into(),
            object_type: "entity".into(),
            object_id: e.id.to_string(),
            entity_id: Some(e.id),
            before: None,
            after: json(&e),
        },
    )
    .await?;
    Ok(e)
}

fn bind_input<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    i: &'q EntityInput,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    let s = |v: Option<&str>| v.map(str::to_owned);
    q.bind(&i.name)
        .bind(i.kind.code())
        .bind(s(i.istat_code.as_ref().map(|c| c.as_str())))
        .bind(s(i.cadastral_code.as_ref().map(|c| c.as_str())))
        .bind(s(i.tax_code.as_ref().map(|c| c.as_str())))
        .bind(s(i.ipa_code.as_ref().map(|c| c.as_str())))
        .bind(s(i.office_code.as_ref().map(|c| c.as_str())))
        .bind(&i.address)
        .bind(&i.postal_code)
        .bind(&i.city)
        .bind(&i.province)
        .bind(s(i.pec.as_ref().map(|c| c.as_str())))
        .bind(i.population.map(|p| i64::from(p.get())))
        .bind(i.population_date.map(|d| d.to_string()))
        .bind(i64::from(i.workstations))
        .bind(i64::from(i.servers))
        .bind(&i.notes)
}

pub async fn create(db: &Db, actor: &Actor, input: &EntityInput) -> Result<Entity, MembersError> {
    if !actor.is_staff() {
        return Err(MembersError::Forbidden);
    }
    let mut tx = db.write().await?;
    let e = insert_entity(&mut tx, actor, input, "create").await?;
    tx.commit().await?;
    Ok(e)
}

async fn update_in(
    tx: &mut WriteTx,
    actor: &Actor,
    before: &Entity,
    input: &EntityInput,
    action: &str,
) -> Result<Entity, MembersError> {
    if &before.data == input {
        return Ok(before.clone());
    }
    let q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE entities SET name = $1, kind = $2, istat_code = $3, cadastral_code = $4, \
         tax_code = $5, ipa_code = $6, office_code = $7, address = $8, postal_code = $9, \
         city = $10, province = $11, pec = $12, population = $13, population_date = $14, \
         workstations = $15, servers = $16, notes = $17, version = version + 1, updated_at = $18 \
         WHERE id = $19 AND version = $20 RETURNING {ENTITY_COLS}"
    )));
    let row = bind_input(q, input)
        .bind(kernel::time::now())
        .bind(before.id)
        .bind(before.version)
        .fetch_optional(tx.conn())
        .await
        .map_err(from_sql)?
        .ok_or(MembersError::Conflict)?;
    let after = entity_from_row(&row)?;
    audit::append(
        tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: action.into(),
            object_type: "entity".into(),
            object_id: after.id.to_string(),
            entity_id: Some(after.id),
            before: json(before),
            after: json(&after),
        },
    )
    .await?;
    Ok(after)
}

/// Replaces the fields of entity `id`. With `expected_version`, refuses the change if
/// someone else changed the entity since that version was read.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    expected_version: Option<i64>,
    input: &EntityInput,
) -> Result<Entity, MembersError> {
    let mut tx = db.write().await?;
    let before = writable(&mut tx, actor, id).await?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(MembersError::Conflict);
    }
    let e = update_in(&mut tx, actor, &before, input, "update").await?;
    tx.commit().await?;
    Ok(e)
}

/// Applies some fields (`field`, text) over the stored entity, as the API's PATCH does.
pub async fn patch(
    db: &Db,
    actor: &Actor,
    id: i64,
    expected_version: Option<i64>,
    changes: &[(String, String)],
) -> Result<Entity, MembersError> {
    let mut tx = db.write().await?;
    let before = writable(&mut tx, actor, id).await?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(MembersError::Conflict);
    }
    let mut draft = before.data.to_draft();
    for (k, v) in changes {
        match draft.field_mut(k) {
            Some(f) => f.clone_from(v),
            None => return Err(MembersError::field(k, format!("campo «{k}» sconosciuto"))),
        }
    }
    let input = draft.parse().map_err(MembersError::Invalid)?;
    let e = update_in(&mut tx, actor, &before, &input, "update").await?;
    tx.commit().await?;
    Ok(e)
}
