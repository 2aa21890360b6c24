//! An entity's entries of the year as a page: what used them, in order, the extra entries
//! with their price, and the staff's form to set them.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use training::rules::Use;
use training::store::entries::{self, YearUse};
use training::TrainingError;

use super::pages::{euro, number, year_of, YearQuery};
use crate::auth::{Flash, PageUser};
use crate::capabilities::delivery::work_pages::refusal;
use crate::error::PageError;
use crate::pages::{back_with, ok, parse_id, Layout};
use crate::AppState;

struct UseRow {
    course_id: i64,
    course: String,
    when: String,
    name: String,
    attendance: &'static str,
    used: &'static str,
    amount: String,
}

#[derive(Template)]
#[template(path = "training/entries.html")]
struct EntriesPage {
    layout: Layout,
    entity_id: i64,
    entity: String,
    y: YearUse,
    years: Vec<i32>,
    rows: Vec<UseRow>,
    extra_amount: String,
    staff: bool,
    flash: Flash,
}

/// `/entities/{id}/formazione`: the entity's entries of a year and what used them.
pub async fn entity_entries(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let entity = members::store::get(&s.db, &actor, id)
        .await
        .map_err(|_| PageError::not_found())?;
    let year = year_of(&q.anno);
    let y = entries::year_use(&s.db, &actor, id, i64::from(year))
        .await
        .map_err(|_| PageError::not_found())?;
    let rows = y
        .participations
        .iter()
        .map(|p| UseRow {
            course_id: p.course_id,
            course: p.course_title.clone(),
            when: kernel::time::display_rome(&p.starts_at),
            name: p.name.clone(),
            attendance: p.attendance.italian(),
            used: match p.used {
                Use::Entry => "ingresso dell'anno",
                Use::Extra => "ingresso aggiuntivo",
                Use::Nothing => "nessuno (assenza giustificata)",
            },
            amount: if p.used == Use::Extra {
                euro(&p.amount)
            } else {
                String::new()
            },
        })
        .collect();
    let now = kernel::time::current_year();
    Ok(ok(&EntriesPage {
        layout: Layout::new(&s, Some(&sess), "Formazione dell'ente", "entities"),
        entity_id: id,
        entity: entity.data.name,
        extra_amount: euro(&y.extra_amount),
        years: (now - 2..=now + 1).collect(),
        rows,
        y,
        staff: actor.is_staff(),
        flash: crate::pages::notice(&s, &sess).await?,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EntriesForm {
    anno: String,
    ingressi: String,
}

/// Sets the entries of a year (staff).
pub async fn set_entries(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<EntriesForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let year = year_of(&f.anno);
    let flash = match entries::set(
        &s.db,
        &sess.actor(),
        id,
        i64::from(year),
        number(&f.ingressi),
    )
    .await
    {
        Ok(y) => Flash::saved(format!("Ingressi {}: {}.", y.year, y.entries)),
        Err(TrainingError::EntityNotFound) => return Err(PageError::not_found()),
        Err(e) => Flash::error(refusal(e)?),
    };
    back_with(
        &s,
        &sess,
        &format!("/entities/{id}/formazione?anno={year}"),
        flash,
    )
    .await
}
