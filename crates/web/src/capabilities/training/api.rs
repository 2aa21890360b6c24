//! `/api/v1/courses`, `/api/v1/enrolments`, `/api/v1/entities/{id}/training-entries`: the
//! training courses by the Academy4PA rules. The staff open, close and cancel courses and
//! record attendance; an entity's contacts sign their people up, withdraw them or pass a seat
//! to a colleague; everyone reads the courses (a contact sees only their entities' sign-ups).

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use kernel::FieldError;
use serde::{Deserialize, Serialize};
use training::rules::Attendance;
use training::store::enrolments::{self, EnrolmentDraft};
use training::store::entries::{self, YearUse};
use training::store::{self, Course, CourseDraft, Enrolment, SessionDraft};
use training::TrainingError;
use utoipa::{IntoParams, ToSchema};

use crate::api::body::{ApiJson, PathId};
use crate::api::query;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::AppState;

/// A date and time: RFC 3339, or local in Rome (`2027-01-16T09:00`, `2027-01-16 09:00`); a
/// bare day is taken at 9:00.
pub(crate) fn instant(v: &str) -> Option<DateTime<Utc>> {
    let v = v.trim();
    let v = if v.len() == 16 && v.as_bytes().get(10) == Some(&b' ') {
        v.replacen(' ', "T", 1)
    } else {
        v.to_owned()
    };
    kernel::time::parse_rome(
        &v,
        chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
    )
}

fn bad_instant(field: &str, v: &str) -> FieldError {
    FieldError::new(
        field,
        format!("«{v}» non è una data e ora: scrivere per esempio 2027-01-16T09:00 (ora di Roma)"),
    )
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionIn {
    /// RFC 3339, or local in Rome (`2027-01-16T09:00`).
    pub starts_at: String,
    /// 1–12 (4 when not said).
    #[serde(default)]
    pub hours: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CourseIn {
    pub title: String,
    pub seats: i64,
    /// People an entity may place while sign-up is open (2 when not said).
    #[serde(default)]
    pub per_entity: Option<i64>,
    /// The fewest participants it runs with (5 when not said).
    #[serde(default)]
    pub min_participants: Option<i64>,
    /// The first session's start: RFC 3339 or local in Rome; with `sessions`, the same as the
    /// first one or absent.
    #[serde(default)]
    pub starts_at: Option<String>,
    /// The sessions (absent: one of 4 hours at `starts_at`).
    #[serde(default)]
    pub sessions: Option<Vec<SessionIn>>,
    /// `academy` (default) or `ltt`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Academy: the full price of a participation (an extra entry costs 20% less; 0 when not
    /// said); LTT: the cost of a 4-hour session (1500.00 when not said). Euros: `150.00`.
    #[serde(default)]
    pub price: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub place: Option<String>,
    /// E-mail every entity's primary contacts that it is open (default true).
    #[serde(default)]
    pub announce: Option<bool>,
}

/// Opens a course for sign-up (staff).
#[utoipa::path(post, path = "/api/v1/courses", tag = "training", request_body = CourseIn,
    security(("bearer" = [])),
    responses((status = 201, body = Course), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    caller: ApiUser,
    ApiJson(c): ApiJson<CourseIn>,
) -> Result<Response, ApiError> {
    let actor = caller.actor();
    if !actor.is_staff() {
        return Err(TrainingError::StaffOnly.into());
    }
    let mut wrong = vec![];
    let starts_at = match c.starts_at.as_deref() {
        Some(v) => {
            let t = instant(v);
            if t.is_none() {
                wrong.push(bad_instant("starts_at", v));
            }
            t
        }
        None => None,
    };
    let mut sessions = vec![];
    for (i, x) in c.sessions.unwrap_or_default().iter().enumerate() {
        let t = instant(&x.starts_at);
        if t.is_none() {
            wrong.push(bad_instant(
                &format!("sessions[{i}].starts_at"),
                &x.starts_at,
            ));
        }
        sessions.push(SessionDraft {
            starts_at: t,
            hours: x.hours.unwrap_or(4),
        });
    }
    if !wrong.is_empty() {
        return Err(TrainingError::Invalid(wrong).into());
    }
    let saved = store::create(
        &s.db,
        &actor,
        &CourseDraft {
            title: c.title,
            description: c.description.unwrap_or_default(),
            place: c.place.unwrap_or_default(),
            kind: c.kind.unwrap_or_default(),
            seats: c.seats,
            per_entity: c.per_entity,
            min_participants: c.min_participants,
            price: c.price,
            starts_at,
            sessions,
            announce: c.announce.unwrap_or(true),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// The courses of one year (by their first session).
    #[serde(default)]
    pub year: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CourseList {
    pub items: Vec<Course>,
}

/// The courses, soonest first (without their sign-ups).
#[utoipa::path(get, path = "/api/v1/courses", tag = "training", params(ListParams),
    security(("bearer" = [])),
    responses((status = 200, body = CourseList), (status = 400, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    caller: ApiUser,
    RawQuery(raw): RawQuery,
) -> Result<Json<CourseList>, ApiError> {
    let p: ListParams = query(raw.as_deref())?;
    Ok(Json(CourseList {
        items: store::list(&s.db, &caller.actor(), p.year).await?,
    }))
}

/// One course with the sign-ups the caller may see.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}", tag = "training",
    params(("course_id" = i64, Path, description = "course id")), security(("bearer" = [])),
    responses((status = 200, body = Course), (status = 404, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<Course>, ApiError> {
    Ok(Json(store::get(&s.db, &caller.actor(), id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolmentIn {
    pub entity_id: i64,
    pub name: String,
    pub email: String,
}

/// Signs a person of an entity up: `admitted` or `waiting` by the rules.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/enrolments", tag = "training",
    request_body = EnrolmentIn,
    params(("course_id" = i64, Path, description = "course id")), security(("bearer" = [])),
    responses((status = 201, body = Enrolment), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn enrol(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(e): ApiJson<EnrolmentIn>,
) -> Result<Response, ApiError> {
    let saved = enrolments::enrol(
        &s.db,
        &caller.actor(),
        id,
        &EnrolmentDraft {
            entity_id: e.entity_id,
            name: e.name,
            email: e.email,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

/// Closes the sign-up (staff): the waiting take the seats left in order; the course is
/// `confirmed` with at least its minimum, else `cancelled`; everyone is told.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/close-signup", tag = "training",
    params(("course_id" = i64, Path, description = "course id")), security(("bearer" = [])),
    responses((status = 200, body = Course), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn close_signup(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<Course>, ApiError> {
    Ok(Json(store::close_signup(&s.db, &caller.actor(), id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelIn {
    pub reason: String,
}

/// Cancels a course (staff) with its reason; everyone signed up is told.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/cancel", tag = "training",
    request_body = CancelIn,
    params(("course_id" = i64, Path, description = "course id")), security(("bearer" = [])),
    responses((status = 200, body = Course), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn cancel(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(c): ApiJson<CancelIn>,
) -> Result<Json<Course>, ApiError> {
    Ok(Json(
        store::cancel(&s.db, &caller.actor(), id, &c.reason).await?,
    ))
}

/// The attendance register (staff): a signature sheet per session, as a PDF.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/register", tag = "training",
    params(("course_id" = i64, Path, description = "course id")), security(("bearer" = [])),
    responses((status = 200, description = "PDF file", content_type = "application/pdf"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn register(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let (name, bytes) = super::printouts::register(&s, &caller.actor(), id).await?;
    Ok(super::printouts::pdf(&name, bytes))
}

/// Withdraws a sign-up (before the course starts): its seat goes to the next waiting.
#[utoipa::path(post, path = "/api/v1/enrolments/{enrolment_id}/withdraw", tag = "training",
    params(("enrolment_id" = i64, Path, description = "sign-up id")), security(("bearer" = [])),
    responses((status = 200, body = Enrolment), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn withdraw(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<Enrolment>, ApiError> {
    Ok(Json(
        enrolments::withdraw(&s.db, &caller.actor(), id).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferIn {
    /// The colleague (of the same entity) who takes the seat.
    pub name: String,
    pub email: String,
}

/// Passes a sign-up to a colleague of the same entity (before the course starts).
#[utoipa::path(post, path = "/api/v1/enrolments/{enrolment_id}/transfer", tag = "training",
    request_body = TransferIn,
    params(("enrolment_id" = i64, Path, description = "sign-up id")), security(("bearer" = [])),
    responses((status = 200, body = Enrolment), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn transfer(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(t): ApiJson<TransferIn>,
) -> Result<Json<Enrolment>, ApiError> {
    Ok(Json(
        enrolments::transfer(&s.db, &caller.actor(), id, &t.name, &t.email).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceIn {
    /// `present`, `absent` (unjustified: uses an entry), `excused` or `unknown`.
    pub attendance: String,
}

/// Records a participant's attendance (staff, confirmed courses).
#[utoipa::path(put, path = "/api/v1/enrolments/{enrolment_id}/attendance", tag = "training",
    request_body = AttendanceIn,
    params(("enrolment_id" = i64, Path, description = "sign-up id")), security(("bearer" = [])),
    responses((status = 200, body = Enrolment), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn attendance(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(a): ApiJson<AttendanceIn>,
) -> Result<Json<Enrolment>, ApiError> {
    let Some(a) = Attendance::parse(a.attendance.trim()) else {
        return Err(TrainingError::Invalid(vec![FieldError::new(
            "attendance",
            "la presenza è present, absent (assenza ingiustificata), excused (giustificata) o unknown",
        )])
        .into());
    };
    Ok(Json(
        enrolments::attendance(&s.db, &caller.actor(), id, a).await?,
    ))
}

/// A participant's certificate of attendance, as a PDF (once recorded present).
#[utoipa::path(get, path = "/api/v1/enrolments/{enrolment_id}/certificate", tag = "training",
    params(("enrolment_id" = i64, Path, description = "sign-up id")), security(("bearer" = [])),
    responses((status = 200, description = "PDF file", content_type = "application/pdf"), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn certificate(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let (name, bytes) = super::printouts::certificate(&s, &caller.actor(), id).await?;
    Ok(super::printouts::pdf(&name, bytes))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct YearParams {
    /// The calendar year (this year when not said).
    #[serde(default)]
    pub year: Option<i64>,
}

/// An entity's entries of a year and what used them (extra entries with their price).
#[utoipa::path(get, path = "/api/v1/entities/{id}/training-entries", tag = "training",
    params(("id" = i64, Path, description = "entity id"), YearParams), security(("bearer" = [])),
    responses((status = 200, body = YearUse), (status = 404, body = Problem)))]
pub async fn year_use(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    RawQuery(raw): RawQuery,
) -> Result<Json<YearUse>, ApiError> {
    let p: YearParams = query(raw.as_deref())?;
    let year = p.year.unwrap_or(i64::from(kernel::time::current_year()));
    Ok(Json(
        entries::year_use(&s.db, &caller.actor(), id, year).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntriesIn {
    pub year: i64,
    pub entries: i64,
}

/// Sets an entity's entries for a year (staff).
#[utoipa::path(put, path = "/api/v1/entities/{id}/training-entries", tag = "training",
    request_body = EntriesIn,
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = YearUse), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_entries(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(e): ApiJson<EntriesIn>,
) -> Result<Json<YearUse>, ApiError> {
    Ok(Json(
        entries::set(&s.db, &caller.actor(), id, e.year, e.entries).await?,
    ))
}
