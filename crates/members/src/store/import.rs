//! Importing entities from a file: every row checked first, then all rows or none.

use super::*;

/// Imports rows in one transaction: all of them, or none when any row is wrong (every
/// wrong row is reported). An existing entity with the same ISTAT code (else tax code) is
/// updated, else a new one is created. `progress(done, total)` is called as rows are written.
pub async fn import(
    db: &Db,
    actor: &Actor,
    rows: &[ImportRow],
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> Result<ImportReport, MembersError> {
    if !actor.is_admin() {
        return Err(MembersError::Forbidden);
    }
    let mut tx = db.write().await?;
    let mut report = ImportReport::default();
    let mut errors: Vec<RowError> = Vec::new();
    for (n, row) in rows.iter().enumerate() {
        let existing = find_by_key(&mut tx, row).await?;
        let mut draft = existing
            .as_ref()
            .map_or_else(EntityDraft::default, |e| e.data.to_draft());
        if existing.is_none() {
            for (k, v) in &row.set_on_create {
                if let Some(f) = draft.field_mut(k) {
                    f.clone_from(v);
                }
            }
        }
        for (k, v) in &row.set {
            if let Some(f) = draft.field_mut(k) {
                f.clone_from(v);
            }
        }
        let input = match draft.parse() {
            Ok(i) => i,
            Err(errs) => {
                errors.push(RowError::fields(row.line, errs).named(&row.columns));
                continue;
            }
        };
        if !errors.is_empty() {
            // Keep validating the rest, but stop writing: the transaction will roll back.
            continue;
        }
        let res = match &existing {
            Some(e) if e.data == input => Ok(&mut report.unchanged),
            Some(e) => update_in(&mut tx, actor, e, &input, "import")
                .await
                .map(|_| &mut report.updated),
            None => insert_entity(&mut tx, actor, &input, "import")
                .await
                .map(|_| &mut report.created),
        };
        match res {
            Ok(counter) => *counter += 1,
            Err(MembersError::Invalid(errs)) => {
                errors.push(RowError::fields(row.line, errs).named(&row.columns))
            }
            Err(e) => return Err(e),
        }
        progress(n + 1, rows.len());
    }
    if !errors.is_empty() {
        return Err(MembersError::Import(errors));
    }
    tx.commit().await?;
    Ok(report)
}

pub(super) async fn find_by_key(
    tx: &mut WriteTx,
    row: &ImportRow,
) -> Result<Option<Entity>, MembersError> {
    let value = |k: &str| {
        row.set
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    for key in ["istat_code", "tax_code"] {
        if let Some(v) = value(key) {
            let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {ENTITY_COLS} FROM entities WHERE {key} = $1"
            )))
            .bind(v)
            .fetch_optional(tx.conn())
            .await?;
            return Ok(r.as_ref().map(entity_from_row).transpose()?);
        }
    }
    Ok(None)
}
