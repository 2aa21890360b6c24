//! What every public page of an entity stands on: the entity of `/p/{entity}` with the modules
//! it has today (kept a few seconds per process, see [`super::sites`]), the frame around each
//! page (name, logo, trail), dates in words, and the logo itself.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use portal::store::events::public;

use crate::error::PageError;
use crate::AppState;

/// What every public page shows around its content.
pub struct Frame {
    pub title: String,
    pub entity: String,
    pub entity_id: i64,
    /// The entity has a logo (`/p/{entity}/logo`).
    pub logo: bool,
    /// Links between the home and this page.
    pub trail: Vec<(String, String)>,
}

/// The entity of `/p/{entity}` and the modules it has today; not found when it has none.
pub(crate) async fn entity_of(
    s: &AppState,
    raw: &str,
) -> Result<(i64, Named, Vec<String>), PageError> {
    let site = site_of(s, raw).await?;
    let id: i64 = raw.parse().map_err(|_| PageError::not_found())?;
    let named = Named {
        name: site.name,
        logo: site.logo,
    };
    Ok((id, named, site.modules))
}

/// The entity's public site (kept a few seconds, see [`super::sites`]); not found when it has
/// no module today.
pub(crate) async fn site_of(s: &AppState, raw: &str) -> Result<super::sites::Site, PageError> {
    let id: i64 = raw.parse().map_err(|_| PageError::not_found())?;
    let (day, now) = (s.clock.today(), std::time::Instant::now());
    if let Some(site) = s.sites.get(id, day, now) {
        return Ok(site);
    }
    let e = members::store::get(&s.db, &public::citizen(), id)
        .await
        .map_err(|_| PageError::not_found())?;
    let modules = portal::store::modules::active(&s.db, id, day).await?;
    if modules.is_empty() {
        return Err(PageError::not_found());
    }
    let site = super::sites::Site {
        name: e.data.name,
        modules,
        logo: portal::store::settings::logo(&s.db, id).await?.is_some(),
    };
    s.sites.put(id, day, now, site.clone());
    Ok(site)
}

/// The entity with `module` on today, else not found.
pub(crate) async fn with_module(
    s: &AppState,
    raw: &str,
    module: &str,
) -> Result<(i64, Named), PageError> {
    let (id, name, modules) = entity_of(s, raw).await?;
    if !modules.iter().any(|m| m == module) {
        return Err(PageError::not_found());
    }
    Ok((id, name))
}

pub(crate) fn frame(id: i64, entity: &Named, title: &str, trail: Vec<(String, String)>) -> Frame {
    Frame {
        title: title.into(),
        entity: entity.name.clone(),
        entity_id: id,
        logo: entity.logo,
        trail,
    }
}

/// The entity's name as its public pages show it, and whether it has a logo.
pub struct Named {
    pub name: String,
    pub logo: bool,
}

impl std::ops::Deref for Named {
    type Target = str;
    fn deref(&self) -> &str {
        &self.name
    }
}

impl std::fmt::Display for Named {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// "domenica 20 dicembre 2026, ore 21:00" in Rome.
pub(crate) fn when(stored: &str) -> String {
    kernel::time::parse(stored).map_or_else(
        || stored.to_owned(),
        |t| {
            use chrono::Datelike;
            let local = t.with_timezone(&kernel::time::ROME);
            format!(
                "{} {}, ore {}",
                kernel::time::weekday_name(local.weekday()),
                kernel::time::display_long_date(local.date_naive()),
                local.format("%H:%M")
            )
        },
    )
}

/// The entity's logo (PNG or JPEG), cached by browsers for an hour.
pub async fn logo(
    State(s): State<AppState>,
    Path(entity): Path<String>,
) -> Result<Response, PageError> {
    let (id, _, _) = entity_of(&s, &entity).await?;
    let (kind, sha) = portal::store::settings::logo(&s.db, id)
        .await?
        .ok_or_else(PageError::not_found)?;
    let bytes = db::files::open(&s.db, &sha)
        .await
        .map_err(|_| PageError::not_found())?
        .read_all()
        .await
        .map_err(|_| PageError::not_found())?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, kind),
            (
                axum::http::header::CACHE_CONTROL,
                "public, max-age=3600".to_owned(),
            ),
            (
                axum::http::header::HeaderName::from_static("x-content-type-options"),
                "nosniff".to_owned(),
            ),
        ],
        bytes,
    )
        .into_response())
}
