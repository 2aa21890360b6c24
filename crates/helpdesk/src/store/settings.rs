//! The help desk's settings: the SLA policy and each entity's support profile.

use super::*;

/// An entity's support profile (MINIMAL when none was set).
pub async fn support_profile(
    conn: &mut sqlx::AnyConnection,
    entity_id: i64,
) -> Result<Profile, HelpdeskError> {
    let p: Option<String> =
        sqlx::query_scalar("SELECT profile FROM support_profiles WHERE entity_id = $1")
            .bind(entity_id)
            .fetch_optional(conn)
            .await?;
    Ok(p.as_deref()
        .and_then(Profile::parse)
        .unwrap_or(Profile::Minimal))
}

/// The support profile of an entity the actor may see.
pub async fn profile_of(db: &Db, actor: &Actor, entity_id: i64) -> Result<Profile, HelpdeskError> {
    members::store::get(db, actor, entity_id).await?;
    support_profile(&mut *db.pool().acquire().await?, entity_id).await
}

/// Sets an entity's support profile (admins), audited.
pub async fn set_support_profile(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    profile: Profile,
) -> Result<(), HelpdeskError> {
    if !actor.is_admin() {
        return Err(HelpdeskError::StaffOnly);
    }
    members::store::get(db, actor, entity_id).await?;
    let mut tx = db.write().await?;
    let before = support_profile(tx.conn(), entity_id).await?;
    sqlx::query(
        "INSERT INTO support_profiles (entity_id, profile, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (entity_id) DO UPDATE SET profile = $2, updated_at = $3",
    )
    .bind(entity_id)
    .bind(profile.as_str())
    .bind(kernel::time::now())
    .execute(tx.conn())
    .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "update".into(),
            object_type: "support_profile".into(),
            object_id: entity_id.to_string(),
            entity_id: Some(entity_id),
            before: Some(before.as_str().into()),
            after: Some(profile.as_str().into()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The SLA policy chosen by the administrators (seed 001's when none was chosen).
pub async fn policy(db: &Db) -> Result<SlaPolicy, HelpdeskError> {
    let json: Option<String> =
        sqlx::query_scalar("SELECT value_json FROM helpdesk_settings WHERE key = 'sla_policy'")
            .fetch_optional(db.pool())
            .await?;
    Ok(match json {
        Some(j) => serde_json::from_str(&j).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        None => SlaPolicy::default(),
    })
}

/// Sets the SLA policy (admins), checked and audited. New tickets follow it; deadlines
/// already computed stay as they were promised.
pub async fn set_policy(db: &Db, actor: &Actor, p: &SlaPolicy) -> Result<(), HelpdeskError> {
    if !actor.is_admin() {
        return Err(HelpdeskError::StaffOnly);
    }
    p.validate().map_err(HelpdeskError::Invalid)?;
    let json = serde_json::to_string(p).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let now = kernel::time::now();
    let mut tx = db.write().await?;
    let before: Option<String> =
        sqlx::query_scalar("SELECT value_json FROM helpdesk_settings WHERE key = 'sla_policy'")
            .fetch_optional(tx.conn())
            .await?;
    sqlx::query(
        "INSERT INTO helpdesk_settings (key, value_json, updated_at) VALUES ('sla_policy', $1, $2) \
         ON CONFLICT (key) DO UPDATE SET value_json = $1, version = helpdesk_settings.version + 1, updated_at = $2",
    )
    .bind(&json)
    .bind(&now)
    .execute(tx.conn())
    .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "update".into(),
            object_type: "sla_policy".into(),
            object_id: "centre".into(),
            entity_id: None,
            before,
            after: Some(json),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
