//! An entity's active services after delivery: a quantity change from a day, a deactivation
//! with its last day (staff; both dated and audited), by API and from the entity's page.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::{Form, Json};
use chrono::NaiveDate;
use delivery::store;
use delivery::DeliveryError;
use serde::Deserialize;
use utoipa::ToSchema;

use super::requests_api::{service_out, ActiveServiceOut};
use super::work_pages::refusal;
use crate::api::body::{ApiJson, PathId};
use crate::auth::{ApiStaff, ApiUser, Flash, PageStaff};
use crate::error::{ApiError, PageError, Problem};
use crate::pages::{back_with, parse_id};
use crate::AppState;

/// A period of a service as the entity's page lists it.
pub struct ServiceView {
    pub id: i64,
    pub service: String,
    pub item: String,
    pub quantity: String,
    /// "dal 01/01/2026" or "attivato il 01/03/2025, quantità dal 01/01/2026".
    pub since: String,
    /// "fino al 31/12/2026", when it ends.
    pub until: String,
    pub running: bool,
    pub version: i64,
    /// What the last change of this service said, and the fields as typed when refused.
    pub error: String,
    pub saved: String,
    pub typed: Vec<(String, String)>,
}

impl ServiceView {
    pub fn of(a: &store::ActiveService) -> Self {
        let d = kernel::time::display_date;
        Self {
            id: a.id,
            service: a.service.clone(),
            item: a.item.clone(),
            quantity: kernel::money::thousands(a.quantity.into()),
            since: if a.from_date == a.activation_date {
                from_day(a.activation_date)
            } else {
                format!(
                    "attivato il {}, questa quantità {}",
                    d(a.activation_date),
                    from_day(a.from_date)
                )
            },
            until: a
                .end_date
                .map(|e| format!("fino al {}", d(e)))
                .unwrap_or_default(),
            running: a.end_date.is_none(),
            version: a.version,
            error: String::new(),
            saved: String::new(),
            typed: vec![],
        }
    }

    /// The message of the last change, when it was about this service.
    pub fn with_flash(mut self, flash: &Flash) -> Self {
        if flash.place == format!("servizi:{}", self.id) {
            self.error = flash.error.clone();
            self.saved = flash.saved.clone();
            self.typed = flash.values.clone();
        }
        self
    }

    pub fn value(&self, field: &str) -> String {
        self.typed
            .iter()
            .find(|(k, _)| k == field)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// "dal 01/12/2026": dates are written in full, two digits for the day, as everywhere in cst.
pub fn from_day(d: NaiveDate) -> String {
    format!("dal {}", kernel::time::display_date(d))
}

/// One period of an entity's service.
#[utoipa::path(get, path = "/api/v1/active-services/{service_id}", tag = "delivery",
    params(("service_id" = i64, Path, description = "active service id")), security(("bearer" = [])),
    responses((status = 200, body = ActiveServiceOut), (status = 404, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<ActiveServiceOut>, ApiError> {
    let a = store::active_service(&s.db, &caller.actor(), id).await?;
    Ok(Json(service_out(a)))
}

/// A quantity change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuantityIn {
    /// The new quantity, 1 to 1,000,000.
    pub quantity: u32,
    /// The first day with the new quantity; not before the running period started.
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    #[serde(default)]
    pub version: Option<i64>,
}

/// Changes the quantity of a running service from a day (staff): the running period ends
/// the day before and a new one starts, with the same activation date. Gives the new period.
#[utoipa::path(post, path = "/api/v1/active-services/{service_id}/quantity", tag = "delivery",
    params(("service_id" = i64, Path, description = "active service id")), request_body = QuantityIn,
    security(("bearer" = [])),
    responses((status = 200, body = ActiveServiceOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn quantity(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
    ApiJson(q): ApiJson<QuantityIn>,
) -> Result<Json<ActiveServiceOut>, ApiError> {
    let a = store::change_quantity(&s.db, &user.actor(), id, q.quantity, q.date, q.version).await?;
    Ok(Json(service_out(a)))
}

/// A deactivation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeactivateIn {
    /// The service's last day (inclusive); not before the running period started.
    #[schema(value_type = String, format = Date)]
    pub end_date: NaiveDate,
    #[serde(default)]
    pub version: Option<i64>,
}

/// Stops a running service (staff) after its last day.
#[utoipa::path(post, path = "/api/v1/active-services/{service_id}/deactivate", tag = "delivery",
    params(("service_id" = i64, Path, description = "active service id")), request_body = DeactivateIn,
    security(("bearer" = [])),
    responses((status = 200, body = ActiveServiceOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn deactivate(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
    ApiJson(d): ApiJson<DeactivateIn>,
) -> Result<Json<ActiveServiceOut>, ApiError> {
    let a = store::deactivate(&s.db, &user.actor(), id, d.end_date, d.version).await?;
    Ok(Json(service_out(a)))
}

/// The fields of the entity page's forms on a service.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ServiceForm {
    version: String,
    quantita: String,
    dal: String,
    ultimo_giorno: String,
    confermato: String,
}

/// `quantita` (a new quantity from a day) or `disattiva` (after a confirmation naming the last
/// day) on one of an entity's services, from its page.
pub async fn act(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    Path((id, action)): Path<(String, String)>,
    Form(f): Form<ServiceForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let a = store::active_service(&s.db, &actor, id).await?;
    let back = format!("/entities/{}#service-{id}", a.entity_id);
    let version = f.version.trim().parse().ok();
    let day = |v: &str, field: &str, what: &str| {
        v.trim()
            .parse::<NaiveDate>()
            .map_err(|_| DeliveryError::field(field, format!("indica {what}")))
    };
    let done = match action.as_str() {
        "quantita" => match (
            crate::pages::form_reader::quantity(&f.quantita).ok(),
            day(&f.dal, "dal", "il giorno da cui vale la nuova quantità"),
        ) {
            (Some(q), Ok(from)) => store::change_quantity(&s.db, &actor, id, q, from, version)
                .await
                .map(|n| {
                    format!(
                        "{}: quantità {} {}.",
                        n.service,
                        kernel::money::thousands(n.quantity.into()),
                        from_day(n.from_date)
                    )
                }),
            (None, _) => Err(DeliveryError::field(
                "quantita",
                "la quantità è un numero intero da 1 a 1.000.000",
            )),
            (_, Err(e)) => Err(e),
        },
        "disattiva" => match day(
            &f.ultimo_giorno,
            "ultimo_giorno",
            "l'ultimo giorno del servizio",
        ) {
            Err(e) => Err(e),
            Ok(last) if last < a.from_date => Err(DeliveryError::field(
                "ultimo_giorno",
                format!(
                    "l'ultimo giorno non può precedere l'inizio del periodo in corso ({})",
                    kernel::time::display_date(a.from_date)
                ),
            )),
            Ok(last) if !crate::pages::confirm::confirmed(&f.confermato) => {
                return Ok(crate::pages::confirm::page(
                    &s,
                    &sess,
                    "entities",
                    crate::pages::confirm::Confirm {
                        question: format!(
                            "Disattivare {} ({}) {}?",
                            a.service,
                            a.item,
                            from_day(last.succ_opt().unwrap_or(last))
                        ),
                        consequences: vec![
                            format!(
                                "L'ultimo giorno del servizio sarà il {}: dal giorno dopo non comparirà più tra i servizi attivi dell'ente.",
                                kernel::time::display_date(last)
                            ),
                            "Nei rendiconti il servizio si conta fino a quel giorno.".into(),
                            "Per riaverlo servirà una nuova richiesta di attivazione.".into(),
                        ],
                        action: format!("/active-services/{id}/disattiva"),
                        fields: vec![
                            ("version".into(), f.version.clone()),
                            ("ultimo_giorno".into(), f.ultimo_giorno.clone()),
                        ],
                        note: None,
                        confirm_label: "Disattiva il servizio".into(),
                        cancel: back.clone(),
                    },
                ));
            }
            Ok(last) => store::deactivate(&s.db, &actor, id, last, version)
                .await
                .map(|n| {
                    format!(
                        "{} disattivato: l'ultimo giorno è il {}.",
                        n.service,
                        kernel::time::display_date(last)
                    )
                }),
        },
        _ => return Err(PageError::not_found()),
    };
    // The message goes next to the service's own forms, with what was typed when refused.
    let place = format!("servizi:{id}");
    let flash = match done {
        Ok(said) => Flash {
            saved: said,
            place,
            ..Default::default()
        },
        Err(e) => Flash {
            error: refusal(e)?,
            values: vec![
                ("quantita".into(), f.quantita.clone()),
                ("dal".into(), f.dal.clone()),
                ("ultimo_giorno".into(), f.ultimo_giorno.clone()),
            ],
            place,
            ..Default::default()
        },
    };
    back_with(&s, &sess, &back, flash).await
}
