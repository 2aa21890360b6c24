//! Importing entities from a CSV file: the file is read and checked first (every bad row is
//! reported, nothing is stored); a good file is written in the background in one
//! transaction while the page shows its progress.

use std::sync::atomic::Ordering;

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use members::import::{ImportReport, RowError};

use crate::auth::PageAdmin;
use crate::error::PageError;
use crate::pages::{is_htmx, ok, render, see_other, Layout};
use crate::AppState;

#[derive(Template)]
#[template(path = "import/form.html")]
struct FormPage {
    layout: Layout,
    format: String,
    province: String,
    errors: Vec<String>,
    file_name: String,
}

fn form_page(
    s: &AppState,
    sess: &crate::auth::Session,
    format: String,
    province: String,
    errors: Vec<String>,
    file_name: String,
) -> FormPage {
    FormPage {
        layout: Layout::new(s, Some(sess), "Importa enti", "import"),
        format,
        province,
        errors,
        file_name,
    }
}

pub async fn form(State(s): State<AppState>, PageAdmin(sess): PageAdmin) -> Response {
    ok(&form_page(
        &s,
        &sess,
        "cst".into(),
        String::new(),
        vec![],
        String::new(),
    ))
}

pub async fn upload(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let mut format = "cst".to_owned();
    let mut province = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    let bad = |m: &str| PageError::new(StatusCode::BAD_REQUEST, m);
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| bad(&format!("Invio del file non riuscito: {e}")))?
    {
        match field.name().unwrap_or("") {
            "format" => {
                format = field
                    .text()
                    .await
                    .map_err(|_| bad("Formato non leggibile."))?
            }
            "province" => {
                province = field
                    .text()
                    .await
                    .map_err(|_| bad("Provincia non leggibile."))?
            }
            "file" => {
                let name = field.file_name().unwrap_or("file.csv").to_owned();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| bad(&format!("File non leggibile: {e}")))?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    let refuse = |errors: Vec<String>, name: String| {
        render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_page(&s, &sess, format.clone(), province.clone(), errors, name),
        )
    };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Ok(refuse(
            vec!["Scegliere un file CSV da importare.".into()],
            String::new(),
        ));
    };
    let rows = match crate::capabilities::members::api::parse_import(
        Some(&format),
        Some(&province),
        &bytes,
    ) {
        Ok(r) => r,
        Err(members::MembersError::Import(errs)) => {
            return Ok(refuse(errs.iter().map(ToString::to_string).collect(), name))
        }
        Err(e) => return Ok(refuse(vec![e.to_string()], name)),
    };
    let (id, run) = s.imports.start(rows.len());
    let (db, actor) = (s.db.clone(), sess.actor());
    tokio::spawn(async move {
        let progress = {
            let run = run.clone();
            move |done: usize, _total: usize| run.done.store(done, Ordering::Relaxed)
        };
        let outcome = match members::store::import(&db, &actor, &rows, &progress).await {
            Ok(r) => Ok(r),
            Err(members::MembersError::Import(errs)) => Err(errs),
            Err(e) => {
                tracing::error!(error = %e, "import failed");
                Err(vec![RowError::file(
                    0,
                    format!("errore durante la scrittura: {e}"),
                )])
            }
        };
        *run.outcome.lock().unwrap_or_else(|p| p.into_inner()) = Some(outcome);
    });
    Ok(see_other(&format!("/import/{id}")))
}

#[derive(Template)]
#[template(path = "import/progress.html")]
struct ProgressPage {
    layout: Layout,
    p: Progress,
}

#[derive(Template)]
#[template(path = "import/progress_partial.html")]
struct ProgressPartial {
    p: Progress,
}

pub struct Progress {
    pub id: u64,
    pub total: usize,
    pub done: usize,
    pub percent: usize,
    pub running: bool,
    pub report: Option<ImportReport>,
    pub errors: Vec<String>,
}

pub async fn progress(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    headers: HeaderMap,
    Path(run): Path<String>,
) -> Result<Response, PageError> {
    let id: u64 = run.parse().map_err(|_| PageError::not_found())?;
    let r = s.imports.get(id).ok_or_else(PageError::not_found)?;
    let outcome = r.outcome.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let total = r.total.load(Ordering::Relaxed);
    let done = r.done.load(Ordering::Relaxed);
    let p = Progress {
        id,
        total,
        done,
        percent: (done * 100).checked_div(total).unwrap_or(100),
        running: outcome.is_none(),
        report: outcome.as_ref().and_then(|o| o.as_ref().ok().cloned()),
        errors: match &outcome {
            Some(Err(errs)) => errs.iter().map(ToString::to_string).collect(),
            _ => vec![],
        },
    };
    if is_htmx(&headers) {
        return Ok(ok(&ProgressPartial { p }));
    }
    Ok(ok(&ProgressPage {
        layout: Layout::new(&s, Some(&sess), "Importazione enti", "import"),
        p,
    }))
}
