//! An entity's answers: checked line by line against what it has and the catalogue, saved
//! as a draft or sent.

use super::*;

/// Checks a form's lines against what the entity has and the catalogue: the lines to store,
/// with every active service answered (those left out are renewed as they are).
async fn lines_of(
    conn: &mut sqlx::AnyConnection,
    entity_id: i64,
    drafts: &[LineDraft],
) -> Result<Vec<FormLine>, DeliveryError> {
    let active = running_services(conn, entity_id).await?;
    let catalogue: HashMap<String, i64> = sqlx::query("SELECT code, active FROM services")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
        .collect::<Result<_, sqlx::Error>>()?;
    if drafts.len() > MAX_LINES {
        return Err(DeliveryError::field(
            "lines",
            format!("al massimo {MAX_LINES} righe"),
        ));
    }
    let mut wrong = vec![];
    let mut used = vec![false; active.len()];
    let mut out: Vec<FormLine> = vec![];
    for (i, d) in drafts.iter().enumerate() {
        let at = |f: &str| format!("lines[{i}].{f}");
        let service = d.service.trim().to_uppercase();
        let item = d.item.as_deref().map(str::trim).filter(|s| !s.is_empty());
        if !catalogue.contains_key(&service) {
            wrong.push(kernel::FieldError::new(
                &at("service"),
                format!("il servizio «{}» non è nel catalogo", d.service.trim()),
            ));
            continue;
        }
        if d.quantity.is_some_and(|q| q > quotes::MAX_QUANTITY) {
            wrong.push(kernel::FieldError::new(
                &at("quantity"),
                "la quantità va da 0 a 1.000.000",
            ));
            continue;
        }
        let has = active
            .iter()
            .enumerate()
            .find(|(k, a)| !used[*k] && a.service == service && item.is_none_or(|it| a.item == it));
        if d.answer.for_active() {
            let Some((k, a)) = has else {
                wrong.push(kernel::FieldError::new(
                    &at("answer"),
                    format!(
                        "l'ente non ha {service}{}: si può rinnovare o cessare solo un servizio attivo; per uno nuovo, «mi interessa» (interested)",
                        item.map(|i| format!(" «{i}»")).unwrap_or_default()
                    ),
                ));
                continue;
            };
            used[k] = true;
            let quantity = match d.answer {
                Answer::Stop => 0,
                _ => d.quantity.unwrap_or(a.quantity),
            };
            if d.answer == Answer::Renew && quantity == 0 {
                wrong.push(kernel::FieldError::new(
                    &at("quantity"),
                    "per rinnovare serve una quantità di almeno 1; per lasciare il servizio, scegliere «cessa» (stop)",
                ));
                continue;
            }
            out.push(FormLine {
                service: a.service.clone(),
                item: a.item.clone(),
                answer: d.answer,
                quantity,
                current_quantity: a.quantity,
                active_service_id: Some(a.id),
                activation_date: Some(a.activation_date),
            });
        } else {
            if has.is_some()
                || active
                    .iter()
                    .any(|a| a.service == service && item.is_none())
            {
                wrong.push(kernel::FieldError::new(
                    &at("answer"),
                    format!("l'ente ha già {service}: si può rinnovarlo, anche con un'altra quantità (renew), o cessarlo (stop)"),
                ));
                continue;
            }
            if d.answer == Answer::Interested && catalogue.get(&service) != Some(&1) {
                wrong.push(kernel::FieldError::new(
                    &at("service"),
                    format!("il servizio {service} non è più offerto"),
                ));
                continue;
            }
            let quantity = match d.answer {
                Answer::No => 0,
                _ => d.quantity.unwrap_or(1),
            };
            if d.answer == Answer::Interested && quantity == 0 {
                wrong.push(kernel::FieldError::new(
                    &at("quantity"),
                    "indicare una quantità di almeno 1; se non serve, scegliere «non mi interessa» (no)",
                ));
                continue;
            }
            if out.iter().any(|l| {
                l.service == service && l.item == item.unwrap_or("") && !l.answer.for_active()
            }) {
                wrong.push(kernel::FieldError::new(
                    &at("service"),
                    format!("{service} compare due volte"),
                ));
                continue;
            }
            out.push(FormLine {
                service,
                item: item.unwrap_or("").to_owned(),
                answer: d.answer,
                quantity,
                current_quantity: 0,
                active_service_id: None,
                activation_date: None,
            });
        }
    }
    if !wrong.is_empty() {
        return Err(DeliveryError::Invalid(wrong));
    }
    // What was not answered is renewed as it is.
    for (k, a) in active.iter().enumerate() {
        if !used[k] {
            out.push(FormLine {
                service: a.service.clone(),
                item: a.item.clone(),
                answer: Answer::Renew,
                quantity: a.quantity,
                current_quantity: a.quantity,
                active_service_id: Some(a.id),
                activation_date: Some(a.activation_date),
            });
        }
    }
    Ok(out)
}

/// Saves an entity's form as a draft or sends it (`submitted`): a contact for their entity
/// until the deadline, staff at any time (a form on paper); never once processed.
pub async fn save(
    db: &Db,
    actor: &Actor,
    campaign_id: i64,
    entity_id: i64,
    draft: &FormDraft,
    today: NaiveDate,
) -> Result<Form, DeliveryError> {
    let mut tx = db.write().await?;
    // Not found out of scope, whoever asks; then suppliers are refused.
    let before = read_form(tx.conn(), actor, campaign_id, entity_id).await?;
    if actor.role == Role::Supplier {
        return Err(DeliveryError::NotForSuppliers);
    }
    if before.state == FormState::Processed {
        return Err(DeliveryError::Closed(
            "la scheda è già stata elaborata dal centro servizi: non si modifica più".into(),
        ));
    }
    if !actor.is_staff() && today > before.deadline {
        return Err(DeliveryError::Closed(format!(
            "il termine per la scheda è scaduto il {}: per correggerla scrivere al centro servizi",
            kernel::time::display_date(before.deadline)
        )));
    }
    if draft.version.is_some_and(|v| v != before.version) {
        return Err(DeliveryError::Catalog(catalog::CatalogError::Conflict));
    }
    if draft.notes.chars().count() > MAX_FORM_NOTES {
        return Err(DeliveryError::field(
            "notes",
            format!("al massimo {MAX_FORM_NOTES} caratteri"),
        ));
    }
    let lines = lines_of(tx.conn(), entity_id, &draft.lines).await?;
    sqlx::query("DELETE FROM needs_lines WHERE form_id = $1")
        .bind(before.id)
        .execute(tx.conn())
        .await?;
    for l in &lines {
        sqlx::query(
            "INSERT INTO needs_lines (form_id, campaign_id, service_code, item_code, answer, \
             quantity, current_quantity, active_service_id, activation_date) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(before.id)
        .bind(campaign_id)
        .bind(&l.service)
        .bind(&l.item)
        .bind(l.answer.code())
        .bind(i64::from(l.quantity))
        .bind(i64::from(l.current_quantity))
        .bind(l.active_service_id)
        .bind(l.activation_date.map(|d| d.to_string()))
        .execute(tx.conn())
        .await?;
    }
    let now = kernel::time::now();
    let state = if draft.submitted {
        FormState::Submitted
    } else {
        FormState::Draft
    };
    sqlx::query(
        "UPDATE needs_forms SET state = $1, notes = $2, updated_by = $3, updated_at = $4, \
         submitted_by = CASE WHEN $1 = 'submitted' THEN $3 ELSE NULL END, \
         submitted_at = CASE WHEN $1 = 'submitted' THEN $4 ELSE NULL END, \
         version = version + 1 WHERE id = $5",
    )
    .bind(state.code())
    .bind(draft.notes.trim())
    .bind(&actor.label)
    .bind(&now)
    .bind(before.id)
    .execute(tx.conn())
    .await?;
    let after = read_form(tx.conn(), actor, campaign_id, entity_id).await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: if draft.submitted { "submit" } else { "update" }.into(),
            object_type: "needs_form".into(),
            object_id: after.id.to_string(),
            entity_id: Some(entity_id),
            before: serde_json::to_string(&before).ok(),
            after: serde_json::to_string(&after).ok(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
