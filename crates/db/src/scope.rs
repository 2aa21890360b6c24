//! The one tenant-scope rule in SQL: "the entities this actor may see". Staff bind `0` (they
//! see every entity); a contact or a supplier binds their user id and sees only the entities
//! linked to them in `user_entities`. Macros, so that each store writes the rule into its
//! constant SQL text once, at compile time, with its own column and placeholder:
//!
//! ```
//! const IN_SCOPE: &str = db::entities_in_scope!("t.entity_id", "$1");
//! assert_eq!(
//!     IN_SCOPE,
//!     "($1 = 0 OR t.entity_id IN (SELECT entity_id FROM user_entities WHERE user_id = $1))"
//! );
//! ```

/// `column` names an entity this actor may see (`param` bound to `Actor::scope_param`).
#[macro_export]
macro_rules! entities_in_scope {
    ($column:literal, $param:literal) => {
        concat!(
            "(",
            $param,
            " = 0 OR ",
            $column,
            " IN (SELECT entity_id FROM user_entities WHERE user_id = ",
            $param,
            "))"
        )
    };
}

/// `column` names an entity linked to the user `param` (without the staff shortcut).
#[macro_export]
macro_rules! entities_linked_to {
    ($column:literal, $param:literal) => {
        concat!(
            $column,
            " IN (SELECT entity_id FROM user_entities WHERE user_id = ",
            $param,
            ")"
        )
    };
}

/// Whether the actor may see the entity `entity_id` (staff: any that exists; a contact or a
/// supplier: one linked to them). The one check every store makes before acting for an entity;
/// each answers "not found" in its own words when it is false.
pub async fn sees_entity(
    conn: &mut sqlx::AnyConnection,
    actor: &kernel::Actor,
    entity_id: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = concat!(
        "SELECT id FROM entities WHERE id = $2 AND ",
        entities_in_scope!("id", "$1")
    );
    let found: Option<i64> = sqlx::query_scalar(SQL)
        .bind(actor.scope_param())
        .bind(entity_id)
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}
