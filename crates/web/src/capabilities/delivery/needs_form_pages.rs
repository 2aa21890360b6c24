//! An entity's needs form as a page: its contact fills it in on a desk or a phone (draft,
//! then sent; a wrong row comes back with what was typed), staff turn it into requests and
//! changes after a confirmation.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use delivery::needs::Answer;
use delivery::store::needs::{self, FormDraft, FormState, LineDraft};
use delivery::DeliveryError;
use serde::Deserialize;

use super::needs_pages::{day, no_supplier};
use super::work_pages::refusal;
use crate::auth::{Flash, PageStaff, PageUser, Session};
use crate::error::PageError;
use crate::pages::{back_with, ok, parse_id, render, Layout};
use crate::AppState;

/// A line of the form as the page shows it.
pub struct RowView {
    pub idx: usize,
    pub service: String,
    pub name: String,
    pub item: String,
    /// The quantity the entity has, for the services it has.
    pub current: String,
    pub answer: String,
    pub quantity: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "needs/form.html")]
struct FormPage {
    layout: Layout,
    campaign_id: i64,
    entity_id: i64,
    entity: String,
    year: i32,
    deadline: String,
    state: &'static str,
    submitted_at: String,
    /// When and by whom the centre processed it.
    processed: String,
    editable: bool,
    is_staff: bool,
    can_process: bool,
    active: Vec<RowView>,
    catalogue: Vec<RowView>,
    notes: String,
    message: String,
    saved: String,
}

impl FormPage {
    fn answer_label(&self, code: &str) -> &'static str {
        Answer::parse(code).map_or("—", Answer::label)
    }
}

/// The typed fields of the form: `s{i}` service, `i{i}` item, `a{i}` answer, `q{i}` quantity,
/// `note`, `azione` (`bozza` or `invia`).
type Typed = Vec<(String, String)>;

fn typed<'a>(t: &'a Typed, key: &str) -> Option<&'a str> {
    t.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

async fn form_page(
    s: &AppState,
    sess: &Session,
    (campaign_id, entity_id): (i64, i64),
    typed_in: Option<&Typed>,
    message: String,
    errors: &[kernel::FieldError],
    saved: String,
) -> Result<FormPage, PageError> {
    let actor = sess.actor();
    let f = needs::form(&s.db, &actor, campaign_id, entity_id).await?;
    let offer = needs::offer(&s.db, &actor, campaign_id, entity_id).await?;
    let names: std::collections::HashMap<String, String> = offer
        .catalogue
        .iter()
        .cloned()
        .chain(
            catalog::store::services::list(&s.db, true)
                .await
                .map_err(DeliveryError::from)?
                .into_iter()
                .map(|c| (c.card.code, c.card.name)),
        )
        .collect();
    let today = s.clock.today();
    let editable = f.state != FormState::Processed && (actor.is_staff() || today <= f.deadline);
    let mut idx = 0;
    let mut next = || {
        idx += 1;
        idx - 1
    };
    let error_of = |i: usize| {
        errors
            .iter()
            .filter(|e| e.field.starts_with(&format!("lines[{i}].")))
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut active = vec![];
    for a in &offer.active {
        let i = next();
        let line = f.lines.iter().find(|l| l.active_service_id == Some(a.id));
        let answer = typed_in
            .and_then(|t| typed(t, &format!("a{i}")))
            .map(str::to_owned)
            .or_else(|| line.map(|l| l.answer.code().to_owned()))
            .unwrap_or_else(|| "renew".into());
        let quantity = typed_in
            .and_then(|t| typed(t, &format!("q{i}")))
            .map(str::to_owned)
            .or_else(|| {
                line.filter(|l| l.answer == Answer::Renew)
                    .map(|l| l.quantity.to_string())
            })
            .unwrap_or_else(|| a.quantity.to_string());
        active.push(RowView {
            idx: i,
            service: a.service.clone(),
            name: names.get(&a.service).cloned().unwrap_or_default(),
            item: a.item.clone(),
            current: kernel::money::thousands(a.quantity.into()),
            answer,
            quantity,
            error: error_of(i),
        });
    }
    let mut catalogue = vec![];
    for (code, name) in &offer.catalogue {
        let i = next();
        let line = f
            .lines
            .iter()
            .find(|l| &l.service == code && !l.answer.for_active());
        let answer = typed_in
            .and_then(|t| typed(t, &format!("a{i}")))
            .map(str::to_owned)
            .or_else(|| line.map(|l| l.answer.code().to_owned()))
            .unwrap_or_default();
        let quantity = typed_in
            .and_then(|t| typed(t, &format!("q{i}")))
            .map(str::to_owned)
            .or_else(|| {
                line.filter(|l| l.quantity > 0)
                    .map(|l| l.quantity.to_string())
            })
            .unwrap_or_default();
        catalogue.push(RowView {
            idx: i,
            service: code.clone(),
            name: name.clone(),
            item: line.map(|l| l.item.clone()).unwrap_or_default(),
            current: String::new(),
            answer,
            quantity,
            error: error_of(i),
        });
    }
    let other: Vec<String> = errors
        .iter()
        .filter(|e| !e.field.starts_with("lines["))
        .map(|e| e.message.clone())
        .collect();
    let message = if message.is_empty() && !other.is_empty() {
        crate::pages::sentence(&other.join("; "))
    } else {
        message
    };
    Ok(FormPage {
        layout: Layout::new(
            s,
            Some(sess),
            format!("Scheda dei fabbisogni {} · {}", f.year, f.entity_name),
            "needs",
        ),
        campaign_id,
        entity_id,
        entity: f.entity_name.clone(),
        year: f.year,
        deadline: day(f.deadline),
        state: f.state.label(),
        submitted_at: f
            .submitted_at
            .as_deref()
            .map(kernel::time::display_rome)
            .unwrap_or_default(),
        processed: f
            .processed_at
            .as_deref()
            .map(|at| format!("elaborata il {}", kernel::time::display_rome(at)))
            .unwrap_or_default(),
        editable,
        is_staff: actor.is_staff(),
        can_process: actor.is_staff() && f.state == FormState::Submitted,
        active,
        catalogue,
        notes: typed_in
            .and_then(|t| typed(t, "note"))
            .map(str::to_owned)
            .unwrap_or(f.notes),
        message,
        saved,
    })
}

/// `/needs/{campaign_id}/forms/{entity_id}`: an entity's form.
pub async fn form(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path((campaign, entity)): Path<(String, String)>,
) -> Result<Response, PageError> {
    no_supplier(&sess)?;
    let (campaign, entity) = (parse_id(&campaign)?, parse_id(&entity)?);
    let flash = crate::pages::notice(&s, &sess).await?;
    let page = form_page(
        &s,
        &sess,
        (campaign, entity),
        None,
        flash.error,
        &[],
        flash.saved,
    )
    .await?;
    Ok(ok(&page))
}

/// Saves the form as a draft or sends it; a refusal shows the form again with what was typed
/// and the reason next to each wrong line.
pub async fn save(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path((campaign, entity)): Path<(String, String)>,
    Form(t): Form<Typed>,
) -> Result<Response, PageError> {
    no_supplier(&sess)?;
    let (campaign, entity) = (parse_id(&campaign)?, parse_id(&entity)?);
    let mut lines = vec![];
    let mut wrong = vec![];
    // The rows posted (`s0`, `s1`…), in order, whatever rows a client left out.
    let mut rows: Vec<usize> = t
        .iter()
        .filter_map(|(k, _)| k.strip_prefix('s')?.parse::<usize>().ok())
        .filter(|i| *i < needs::MAX_LINES)
        .collect();
    rows.sort_unstable();
    rows.dedup();
    for i in rows {
        let Some(service) = typed(&t, &format!("s{i}")) else {
            continue;
        };
        let answer = typed(&t, &format!("a{i}")).unwrap_or("").trim();
        if answer.is_empty() {
            continue;
        }
        let Some(answer) = Answer::parse(answer) else {
            wrong.push(kernel::FieldError::new(
                &format!("lines[{i}].answer"),
                "scegli una risposta dall'elenco",
            ));
            continue;
        };
        let q = typed(&t, &format!("q{i}")).unwrap_or("").trim();
        let quantity = if q.is_empty() || !answer.wanted() {
            None
        } else {
            match crate::pages::form_reader::quantity(q) {
                Ok(n) => Some(n),
                Err(why) => {
                    wrong.push(kernel::FieldError::new(
                        &format!("lines[{i}].quantity"),
                        why,
                    ));
                    continue;
                }
            }
        };
        lines.push((
            i,
            LineDraft {
                service: service.to_owned(),
                item: typed(&t, &format!("i{i}"))
                    .map(str::to_owned)
                    .filter(|x| !x.is_empty()),
                answer,
                quantity,
            },
        ));
    }
    let submitted = typed(&t, "azione") == Some("invia");
    // Whether it had been sent: saving it as a draft then withdraws it, and the page says so.
    let was_sent = needs::form(&s.db, &sess.actor(), campaign, entity)
        .await
        .is_ok_and(|f| f.state == FormState::Submitted);
    let result = if wrong.is_empty() {
        needs::save(
            &s.db,
            &sess.actor(),
            campaign,
            entity,
            &FormDraft {
                lines: lines.iter().map(|(_, l)| l.clone()).collect(),
                notes: typed(&t, "note").unwrap_or("").to_owned(),
                submitted,
                version: None,
            },
            s.clock.today(),
        )
        .await
        // The store numbers the lines it was given; the page numbers every row.
        .map_err(|e| match e {
            DeliveryError::Invalid(fields) => DeliveryError::Invalid(
                fields
                    .into_iter()
                    .map(|mut f| {
                        if let Some(rest) = f.field.strip_prefix("lines[") {
                            if let Some((n, tail)) = rest.split_once(']') {
                                if let Some((row, _)) =
                                    n.parse::<usize>().ok().and_then(|n| lines.get(n))
                                {
                                    f.field = format!("lines[{row}]{tail}");
                                }
                            }
                        }
                        f
                    })
                    .collect(),
            ),
            other => other,
        })
    } else {
        Err(DeliveryError::Invalid(wrong))
    };
    match result {
        Ok(f) => {
            back_with(
                &s,
                &sess,
                &format!("/needs/{campaign}/forms/{entity}"),
                Flash::saved(if submitted {
                    format!(
                        "Scheda inviata al centro servizi. Si può ancora correggere fino al {}.",
                        day(f.deadline)
                    )
                } else {
                    if was_sent {
                        "Invio ritirato: la scheda è tornata in bozza e il centro servizi non la conta finché non la invii di nuovo.".to_owned()
                    } else {
                        "Bozza salvata: la scheda non è ancora inviata.".to_owned()
                    }
                }),
            )
            .await
        }
        Err(DeliveryError::Invalid(fields)) => {
            let page = form_page(
                &s,
                &sess,
                (campaign, entity),
                Some(&t),
                "La scheda non è stata salvata: correggi le righe segnate.".into(),
                &fields,
                String::new(),
            )
            .await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => {
            let said = refusal(e)?;
            crate::pages::refused(
                &s,
                &sess,
                &format!("/needs/{campaign}/forms/{entity}"),
                &said,
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProcessForm {
    confermato: String,
}

/// Turns a sent form into requests and changes (staff), after a confirmation that names them.
pub async fn process(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    Path((campaign, entity)): Path<(String, String)>,
    Form(p): Form<ProcessForm>,
) -> Result<Response, PageError> {
    let (campaign, entity) = (parse_id(&campaign)?, parse_id(&entity)?);
    let actor = sess.actor();
    let back = format!("/needs/{campaign}/forms/{entity}");
    if !crate::pages::confirm::confirmed(&p.confermato) {
        let f = needs::form(&s.db, &actor, campaign, entity).await?;
        let mut consequences = vec![];
        for l in &f.lines {
            match l.answer {
                Answer::Interested if l.quantity > 0 => consequences.push(format!(
                    "Richiesta di attivazione di {} (quantità {}) dal 01/01/{}, da approvare.",
                    l.service, l.quantity, f.year
                )),
                Answer::Renew if l.quantity != l.current_quantity => consequences.push(format!(
                    "{}: quantità da {} a {} dal 01/01/{}.",
                    l.service, l.current_quantity, l.quantity, f.year
                )),
                Answer::Stop => consequences.push(format!(
                    "{} cessa: l'ultimo giorno è il 31/12/{}.",
                    l.service,
                    f.year - 1
                )),
                _ => {}
            }
        }
        if consequences.is_empty() {
            consequences.push("Nessun cambiamento: i servizi si rinnovano come sono.".into());
        }
        consequences.push("La scheda si chiude: l'ente non potrà più modificarla.".into());
        return Ok(crate::pages::confirm::page(
            &s,
            &sess,
            "needs",
            crate::pages::confirm::Confirm {
                question: format!("Elaborare la scheda {} di {}?", f.year, f.entity_name),
                consequences,
                action: format!("{back}/elabora"),
                fields: vec![],
                note: None,
                confirm_label: "Elabora la scheda".into(),
                cancel: back.clone(),
            },
        ));
    }
    let flash = match needs::process(&s.db, &actor, campaign, entity, s.clock.today()).await {
        Ok((_, done)) => {
            let said = |n: usize, one: &str, many: &str| match n {
                0 => None,
                1 => Some(format!("1 {one}")),
                n => Some(format!("{n} {many}")),
            };
            let parts: Vec<String> = [
                said(
                    done.requests.len(),
                    "richiesta di attivazione",
                    "richieste di attivazione",
                ),
                said(
                    done.changed.len(),
                    "cambio di quantità",
                    "cambi di quantità",
                ),
                said(done.stopped.len(), "cessazione", "cessazioni"),
            ]
            .into_iter()
            .flatten()
            .collect();
            Flash::saved(if parts.is_empty() {
                "Scheda elaborata: i servizi si rinnovano come sono.".to_owned()
            } else {
                format!("Scheda elaborata: {}.", parts.join(", "))
            })
        }
        Err(e) => Flash::error(refusal(e)?),
    };
    back_with(&s, &sess, &back, flash).await
}
