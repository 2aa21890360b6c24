//! The contact people of an entity, scoped and audited like the entity.

use super::*;

pub(super) const CONTACT_COLS: &str =
    "id, entity_id, full_name, role, email, phone, is_primary, created_at, updated_at";

pub(super) fn contact_from_row(r: &AnyRow) -> Result<Contact, sqlx::Error> {
    Ok(Contact {
        id: r.try_get(0)?,
        entity_id: r.try_get(1)?,
        data: ContactInput {
            full_name: r.try_get(2)?,
            role: r.try_get(3)?,
            email: r.try_get(4)?,
            phone: r.try_get(5)?,
            is_primary: r.try_get::<i64, _>(6)? != 0,
        },
        created_at: r.try_get(7)?,
        updated_at: r.try_get(8)?,
    })
}

pub async fn contacts(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
) -> Result<Vec<Contact>, MembersError> {
    let e = get(db, actor, entity_id).await?;
    contacts_of(db, &e).await
}

/// The contacts of an entity already read through [`get`] (so already in the caller's scope).
pub async fn contacts_of(db: &Db, e: &Entity) -> Result<Vec<Contact>, MembersError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CONTACT_COLS} FROM contacts WHERE entity_id = $1 ORDER BY is_primary DESC, full_name, id"
    )))
    .bind(e.id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(contact_from_row)
        .collect::<Result<_, _>>()?)
}

pub(super) async fn contact_event(
    tx: &mut WriteTx,
    actor: &Actor,
    action: &str,
    entity_id: i64,
    id: i64,
    before: Option<&Contact>,
    after: Option<&Contact>,
) -> Result<(), MembersError> {
    audit::append(
        tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: action.into(),
            object_type: "contact".into(),
            object_id: id.to_string(),
            entity_id: Some(entity_id),
            before: before.and_then(json),
            after: after.and_then(json),
        },
    )
    .await?;
    Ok(())
}

pub async fn add_contact(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    draft: &ContactDraft,
) -> Result<Contact, MembersError> {
    let input = draft.parse().map_err(MembersError::Invalid)?;
    let mut tx = db.write().await?;
    writable(&mut tx, actor, entity_id).await?;
    let now = kernel::time::now();
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO contacts (entity_id, full_name, role, email, phone, is_primary, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {CONTACT_COLS}"
    )))
    .bind(entity_id)
    .bind(&input.full_name)
    .bind(&input.role)
    .bind(&input.email)
    .bind(&input.phone)
    .bind(i64::from(input.is_primary))
    .bind(&now)
    .fetch_one(tx.conn())
    .await?;
    let c = contact_from_row(&row)?;
    contact_event(&mut tx, actor, "create", entity_id, c.id, None, Some(&c)).await?;
    tx.commit().await?;
    Ok(c)
}

pub(super) async fn contact_in(
    tx: &mut WriteTx,
    entity_id: i64,
    id: i64,
) -> Result<Contact, MembersError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CONTACT_COLS} FROM contacts WHERE id = $1 AND entity_id = $2"
    )))
    .bind(id)
    .bind(entity_id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(MembersError::ContactNotFound)?;
    Ok(contact_from_row(&row)?)
}

pub async fn update_contact(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    id: i64,
    draft: &ContactDraft,
) -> Result<Contact, MembersError> {
    let input = draft.parse().map_err(MembersError::Invalid)?;
    let mut tx = db.write().await?;
    writable(&mut tx, actor, entity_id).await?;
    let before = contact_in(&mut tx, entity_id, id).await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE contacts SET full_name = $1, role = $2, email = $3, phone = $4, is_primary = $5, \
         updated_at = $6 WHERE id = $7 RETURNING {CONTACT_COLS}"
    )))
    .bind(&input.full_name)
    .bind(&input.role)
    .bind(&input.email)
    .bind(&input.phone)
    .bind(i64::from(input.is_primary))
    .bind(kernel::time::now())
    .bind(id)
    .fetch_one(tx.conn())
    .await?;
    let after = contact_from_row(&row)?;
    contact_event(
        &mut tx,
        actor,
        "update",
        entity_id,
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete_contact(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    id: i64,
) -> Result<(), MembersError> {
    let mut tx = db.write().await?;
    writable(&mut tx, actor, entity_id).await?;
    let before = contact_in(&mut tx, entity_id, id).await?;
    sqlx::query("DELETE FROM contacts WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    contact_event(&mut tx, actor, "delete", entity_id, id, Some(&before), None).await?;
    tx.commit().await?;
    Ok(())
}
