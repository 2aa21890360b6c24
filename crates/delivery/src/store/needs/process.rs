//! Turning a sent form into what it asks, in one transaction.

use super::*;

/// What processing a form did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Processed {
    /// Activation requests sent for the new services (to start on 1 January).
    pub requests: Vec<i64>,
    /// Services whose quantity changes from 1 January (the new periods).
    pub changed: Vec<i64>,
    /// Services stopped on 31 December.
    pub stopped: Vec<i64>,
}

/// Turns a sent form into what it asks (staff), in one transaction: an activation request
/// for each new service wanted (from 1 January of the year, priced with that year's list), a
/// quantity change for each renewal with another quantity, a deactivation on 31 December for
/// each service stopped. The form is then processed and closed.
pub async fn process(
    db: &Db,
    actor: &Actor,
    campaign_id: i64,
    entity_id: i64,
    today: NaiveDate,
) -> Result<(Form, Processed), DeliveryError> {
    staff(actor)?;
    let f = form(db, actor, campaign_id, entity_id).await?;
    if f.state != FormState::Submitted {
        return Err(DeliveryError::Closed(match f.state {
            FormState::Processed => "la scheda è già stata elaborata".to_owned(),
            _ => "la scheda non è ancora stata inviata dall'ente".to_owned(),
        }));
    }
    let start = first_of(f.year).max(today);
    let Some(last_day) = first_of(f.year).pred_opt() else {
        return Err(DeliveryError::field("year", "anno non valido"));
    };
    // The new services are priced before the transaction (the quote engine's reads).
    let mut wanted = vec![];
    for l in f
        .lines
        .iter()
        .filter(|l| l.answer == Answer::Interested && l.quantity > 0)
    {
        let draft = RequestDraft {
            entity_id,
            service: l.service.clone(),
            item: Some(l.item.clone()).filter(|i| !i.is_empty()),
            quantity: l.quantity,
            wanted_date: Some(start),
            notes: format!("Dalla scheda dei fabbisogni {}.", f.year),
        };
        let quote = super::price(db, actor, &draft, today).await?;
        wanted.push((draft, quote));
    }
    let mut tx = db.write().await?;
    // Nobody processed or changed it meanwhile.
    let again = read_form(tx.conn(), actor, campaign_id, entity_id).await?;
    if again.version != f.version {
        return Err(DeliveryError::Catalog(catalog::CatalogError::Conflict));
    }
    let mut done = Processed::default();
    for l in &f.lines {
        let Some(sid) = l.active_service_id else {
            continue;
        };
        let stale = |e: DeliveryError| {
            match e {
            DeliveryError::Invalid(_) => DeliveryError::Closed(format!(
                "il servizio {} dell'ente è cambiato dopo la scheda: controllarlo dalla pagina dell'ente",
                l.service
            )),
            other => other,
        }
        };
        match l.answer {
            Answer::Renew if l.quantity != l.current_quantity => {
                let n = change_quantity_in(&mut tx, actor, sid, l.quantity, start, None)
                    .await
                    .map_err(stale)?;
                done.changed.push(n.id);
            }
            Answer::Stop => {
                let n = deactivate_in(&mut tx, actor, sid, last_day.max(today), None)
                    .await
                    .map_err(stale)?;
                done.stopped.push(n.id);
            }
            _ => {}
        }
    }
    for (draft, quote) in &wanted {
        let r = super::insert(&mut tx, actor, draft, quote).await?;
        done.requests.push(r.id);
    }
    sqlx::query(
        "UPDATE needs_forms SET state = 'processed', processed_by = $1, processed_at = $2, \
         version = version + 1 WHERE id = $3",
    )
    .bind(&actor.label)
    .bind(kernel::time::now())
    .bind(f.id)
    .execute(tx.conn())
    .await?;
    let after = read_form(tx.conn(), actor, campaign_id, entity_id).await?;
    audit::append(
        &mut tx,
        needs_event(
            actor,
            "needs_form",
            f.id,
            "process",
            Some(entity_id),
            serde_json::to_string(&done).ok(),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((after, done))
}
