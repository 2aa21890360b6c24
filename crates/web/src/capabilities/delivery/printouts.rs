//! A work report as a PDF (by page and by API): printed once and kept in the file store, then
//! served from there; printed again after the entity's contact acknowledges it (the printout
//! says who and when).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use delivery::store::work::{self as store, Printable};
use delivery::work::Mode;

use crate::api::body::PathId;
use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError, Problem};
use crate::pages::parse_id;
use crate::AppState;

/// The words of a report's flags on paper.
fn flag_note(f: &str) -> Option<&'static str> {
    match f {
        "remote_over_30_minutes" => Some(
            "Lavoro da remoto oltre 30 minuti continuativi: oltre l'assistenza, da valutare come lavoro a pagamento o richiesta di modifica",
        ),
        "call_out_fee" => Some("Intervento in sede con diritto di chiamata"),
        "warranty" => Some("Intervento in garanzia: senza addebito"),
        _ => None,
    }
}

/// The printed report: (file name, PDF bytes), from the file store when kept.
async fn pdf_of(
    s: &AppState,
    actor: &kernel::Actor,
    id: i64,
) -> Result<(String, Vec<u8>), ApiError> {
    let p: Printable = store::printable(&s.db, actor, id).await?;
    let name = format!("rapporto-{}.pdf", p.report.id);
    if let Some(sha) = &p.pdf_sha256 {
        if let Ok(file) = db::files::open(&s.db, sha).await {
            if let Ok(bytes) = file.read_all().await {
                return Ok((name, bytes));
            }
        }
    }
    let ids = [&p.report.author]
        .into_iter()
        .chain(p.report.acknowledged.as_ref().map(|(by, _)| by))
        .filter_map(|l| kernel::audit::actor_user(l).map(|(id, _)| id));
    let names = accounts::store::display_names(&s.db, ids)
        .await
        .map_err(ApiError::internal)?;
    let who = |label: &str| {
        kernel::audit::actor_user(label)
            .and_then(|(id, _)| names.get(&id).cloned())
            .unwrap_or_else(|| kernel::audit::actor_words(label))
    };
    let r = &p.report;
    let sheet = printout::WorkReportSheet {
        centre: "Centro Servizi Territoriale".into(),
        number: format!("Rapporto n. {}", r.id),
        entity: p.entity.clone(),
        date: kernel::time::display_date(r.date),
        mode: match r.mode {
            Mode::Onsite => "In sede (presso l'ente)".into(),
            Mode::Remote => "Da remoto".into(),
        },
        duration: super::work_pages::duration_words(r),
        reference: p.reference.clone(),
        technician: who(&r.author),
        description: r.description.clone(),
        notes: (r.travel_minutes > 0)
            .then(|| {
                format!(
                    "Trasferta: {} min (non conteggiata come lavoro)",
                    r.travel_minutes
                )
            })
            .into_iter()
            .chain(
                r.flags
                    .iter()
                    .filter_map(|f| flag_note(f))
                    .map(str::to_owned),
            )
            .collect(),
        acknowledged: r.acknowledged.as_ref().map(|(by, at)| {
            format!(
                "Presa visione di {} il {}",
                who(by),
                kernel::time::display_rome(at)
            )
        }),
        printed_at: kernel::time::display_rome(&kernel::time::now()),
    };
    let bytes = printout::work_report(&sheet);
    store::keep_printout(
        &s.db,
        r.id,
        r.acknowledged.as_ref().map(|(_, at)| at.as_str()),
        &bytes,
    )
    .await?;
    Ok((name, bytes))
}

/// A PDF shown in the browser (`inline`), named.
pub(crate) fn pdf_response(name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// A work report as a PDF.
#[utoipa::path(get, path = "/api/v1/work-reports/{report_id}/pdf", tag = "delivery",
    params(("report_id" = i64, Path, description = "work report id")), security(("bearer" = [])),
    responses((status = 200, description = "the report as PDF", content_type = "application/pdf"),
        (status = 404, body = Problem)))]
pub async fn api_pdf(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let (name, bytes) = pdf_of(&s, &caller.actor(), id).await?;
    Ok(pdf_response(&name, bytes))
}

/// `/work-reports/{report_id}/pdf`: the same, from the pages.
pub async fn page_pdf(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let (name, bytes) = pdf_of(&s, &sess.actor(), id).await?;
    Ok(pdf_response(&name, bytes))
}
