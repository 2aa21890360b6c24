//! The only module of this crate with SQL: the membership-fee rule by year and the fee of an
//! entity (here), the catalogue, price lists, agreements and quotes (submodules).

pub mod agreements;
pub mod price_lists;
pub mod quote_list;
pub mod quotes;
pub mod services;

use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::Actor;
use serde::Serialize;
use sqlx::Row;

use crate::membership::{Fee, Member, MembershipRule};

use crate::fees::FeeError;
use crate::CatalogError;

/// A stored `YYYY-MM-DD` date.
pub(crate) fn date(s: &str) -> Result<chrono::NaiveDate, sqlx::Error> {
    s.parse()
        .map_err(|e| sqlx::Error::Decode(format!("data «{s}» non valida: {e}").into()))
}

/// The years a rule may start from or a fee be asked for.
pub fn check_year(year: i64) -> Result<i32, CatalogError> {
    if (2000..=2100).contains(&year) {
        Ok(year as i32)
    } else {
        Err(CatalogError::BadYear(year))
    }
}

/// The rule in force in a year, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleInForce {
    pub valid_from_year: i32,
    /// The preset it was made from, or empty for a custom rule.
    pub preset: String,
    pub rule: MembershipRule,
}

/// Sets the rule from `year` on (replacing a rule that starts the same year). Admins only;
/// the rule is validated first, so a refused rule changes nothing.
pub async fn set_rule(
    db: &Db,
    actor: &Actor,
    year: i32,
    preset: &str,
    rule: &MembershipRule,
) -> Result<RuleInForce, CatalogError> {
    if !actor.is_admin() {
        return Err(CatalogError::Forbidden);
    }
    rule.validate()?;
    let json = serde_json::to_string(rule).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let now = kernel::time::now();
    let mut tx = db.write().await?;
    let before: Option<String> =
        sqlx::query_scalar("SELECT rule_json FROM membership_fee_rules WHERE valid_from_year = $1")
            .bind(i64::from(year))
            .fetch_optional(tx.conn())
            .await?;
    if before.is_some() {
        sqlx::query(
            "UPDATE membership_fee_rules SET preset = $1, rule_json = $2, updated_at = $3 \
             WHERE valid_from_year = $4",
        )
        .bind(preset)
        .bind(&json)
        .bind(&now)
        .bind(i64::from(year))
        .execute(tx.conn())
        .await?;
    } else {
        sqlx::query(
            "INSERT INTO membership_fee_rules (valid_from_year, preset, rule_json, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(i64::from(year))
        .bind(preset)
        .bind(&json)
        .bind(&now)
        .execute(tx.conn())
        .await?;
    }
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: if before.is_some() { "update" } else { "create" }.into(),
            object_type: "membership_fee_rule".into(),
            object_id: year.to_string(),
            entity_id: None,
            before,
            after: Some(json),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(RuleInForce {
        valid_from_year: year,
        preset: preset.to_owned(),
        rule: rule.clone(),
    })
}

/// Takes away the rule that starts in `year` (admins only): the years it covered follow the
/// rule before it again. Refused when there is no such rule.
pub async fn delete_rule(db: &Db, actor: &Actor, year: i32) -> Result<(), CatalogError> {
    if !actor.is_admin() {
        return Err(CatalogError::Forbidden);
    }
    let mut tx = db.write().await?;
    let before: Option<String> =
        sqlx::query_scalar("SELECT rule_json FROM membership_fee_rules WHERE valid_from_year = $1")
            .bind(i64::from(year))
            .fetch_optional(tx.conn())
            .await?;
    let Some(before) = before else {
        return Err(CatalogError::NoRule(year));
    };
    sqlx::query("DELETE FROM membership_fee_rules WHERE valid_from_year = $1")
        .bind(i64::from(year))
        .execute(tx.conn())
        .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "delete".into(),
            object_type: "membership_fee_rule".into(),
            object_id: year.to_string(),
            entity_id: None,
            before: Some(before),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The rule in force in `year`: the one with the latest start not after it.
pub async fn rule_for(db: &Db, year: i32) -> Result<RuleInForce, CatalogError> {
    let row = sqlx::query(
        "SELECT valid_from_year, preset, rule_json FROM membership_fee_rules \
         WHERE valid_from_year <= $1 ORDER BY valid_from_year DESC LIMIT 1",
    )
    .bind(i64::from(year))
    .fetch_optional(db.pool())
    .await?
    .ok_or(CatalogError::NoRule(year))?;
    Ok(rule_from_row(&row)?)
}

/// A row of `valid_from_year, preset, rule_json`.
fn rule_from_row(row: &sqlx::any::AnyRow) -> Result<RuleInForce, sqlx::Error> {
    let from: i64 = row.try_get(0)?;
    let json: String = row.try_get(2)?;
    Ok(RuleInForce {
        valid_from_year: from as i32,
        preset: row.try_get(1)?,
        rule: serde_json::from_str(&json).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
    })
}

/// Every rule, by the year it starts.
pub async fn rules(db: &Db) -> Result<Vec<RuleInForce>, CatalogError> {
    let rows = sqlx::query(
        "SELECT valid_from_year, preset, rule_json FROM membership_fee_rules ORDER BY valid_from_year",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(rule_from_row)
        .collect::<Result<_, sqlx::Error>>()
        .map_err(CatalogError::from)
}

/// The membership fee of an entity the actor may see, for `year`, with its computation.
pub async fn membership_fee(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    year: i32,
) -> Result<(RuleInForce, Fee), CatalogError> {
    let e = members::store::get(db, actor, entity_id).await?;
    fee_of(db, &e, year).await
}

/// The membership fee of an entity already read through `members::store::get` (so already in
/// the caller's scope), for `year`.
pub async fn fee_of(
    db: &Db,
    e: &members::Entity,
    year: i32,
) -> Result<(RuleInForce, Fee), CatalogError> {
    let rule = rule_for(db, year).await?;
    let member = Member {
        id: e.id,
        population: e.data.population.map(|p| p.get()),
        workstations: e.data.workstations,
    };
    let all: Vec<Member> = match rule.rule {
        MembershipRule::WorkstationShare { .. } => members::store::workstations(db)
            .await?
            .into_iter()
            .map(|(id, workstations)| Member {
                id,
                population: None,
                workstations,
            })
            .collect(),
        _ => vec![],
    };
    let fee = rule.rule.fee(&member, &all)?;
    Ok((rule, fee))
}

/// Loads the Padova reference catalogue (20 service cards and the 2020 price list) into an
/// empty catalogue. Used by `serve --demo` and the tests.
pub async fn load_padova_catalogue(db: &Db, actor: &Actor) -> Result<(), CatalogError> {
    let bad = |e: serde_json::Error| FeeError::Invalid(format!("catalogo di Padova: {e}"));
    for card in crate::service::padova::services().map_err(bad)? {
        services::put(db, actor, &card, None).await?;
    }
    let list = crate::service::padova::price_list().map_err(bad)?;
    price_lists::create(db, actor, &list).await?;
    Ok(())
}
