//! An entity's settings of its public pages: how long citizens' data is kept, the privacy
//! notice shown with every form, where the administrator's notices go, the months before a call
//! goes to the archive. Staff for any entity, a contact for their own; audited.

use db::Db;
use kernel::{Actor, FieldError};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use super::retention::DEFAULT_RETENTION_DAYS;
use super::{audit_event, manager, About};
use crate::tenders::ARCHIVE_MONTHS;
use crate::PortalError;

/// The notice shown when the entity has not written its own.
pub const DEFAULT_CONSENT: &str = "I dati personali inseriti (nome, e-mail, telefono e quanto \
scritto nella richiesta) sono trattati dall'ente titolare solo per gestire l'iscrizione o la \
prenotazione e per comunicare con chi l'ha fatta, ai sensi del Regolamento (UE) 2016/679. Non \
sono comunicati a terzi né usati per altri fini.\nSi possono chiedere in ogni momento l'accesso, \
la rettifica o la cancellazione dei propri dati scrivendo all'ente.";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PortalSettings {
    pub entity_id: i64,
    /// Days citizens' data is kept after the event or the appointment.
    pub retention_days: i64,
    /// The privacy notice of the public forms.
    pub consent_text: String,
    /// Where the administrator's notices go (empty: the entity's primary contacts).
    pub admin_email: String,
    /// Months after the deadline a new call goes to the archive.
    pub archive_months: i64,
    /// The address the entity's public pages are reached at (`https://servizi.comune.it`),
    /// put before the links in the portal's e-mails; empty: the links are paths only.
    pub site_url: String,
    /// The entity has a logo for its public pages (`/p/{entity}/logo`).
    pub logo: bool,
    /// Set by the entity (false: the defaults).
    pub set: bool,
}

/// The settings of an entity (the defaults when it has set none), without a scope check: for
/// the public pages and the stores.
pub async fn of(db: &Db, entity_id: i64) -> Result<PortalSettings, PortalError> {
    let r = sqlx::query(
        "SELECT retention_days, consent_text, admin_email, archive_months, site_url, \
         logo_sha256 FROM portal_settings WHERE entity_id = $1",
    )
    .bind(entity_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(match r {
        Some(r) => PortalSettings {
            entity_id,
            retention_days: r.try_get(0)?,
            consent_text: r.try_get(1)?,
            admin_email: r.try_get(2)?,
            archive_months: r.try_get(3)?,
            site_url: r.try_get(4)?,
            logo: !r.try_get::<String, _>(5)?.is_empty(),
            set: true,
        },
        None => PortalSettings {
            entity_id,
            retention_days: DEFAULT_RETENTION_DAYS,
            consent_text: DEFAULT_CONSENT.into(),
            admin_email: String::new(),
            archive_months: i64::from(ARCHIVE_MONTHS),
            site_url: String::new(),
            logo: false,
            set: false,
        },
    })
}

/// The settings of an entity the actor may see.
pub async fn get(db: &Db, actor: &Actor, entity_id: i64) -> Result<PortalSettings, PortalError> {
    members::store::get(db, actor, entity_id).await?;
    manager(actor)?;
    of(db, entity_id).await
}

#[derive(Debug, Clone, Default)]
pub struct SettingsDraft {
    pub retention_days: Option<i64>,
    pub consent_text: Option<String>,
    pub admin_email: Option<String>,
    pub archive_months: Option<i64>,
    pub site_url: Option<String>,
}

/// Changes an entity's settings (what is not given stays).
pub async fn put(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    d: &SettingsDraft,
) -> Result<PortalSettings, PortalError> {
    let before = get(db, actor, entity_id).await?;
    let retention = d.retention_days.unwrap_or(before.retention_days);
    let consent = d
        .consent_text
        .clone()
        .unwrap_or_else(|| before.consent_text.clone())
        .trim()
        .to_owned();
    let admin = d
        .admin_email
        .clone()
        .unwrap_or_else(|| before.admin_email.clone())
        .trim()
        .to_lowercase();
    let months = d.archive_months.unwrap_or(before.archive_months);
    let site = d
        .site_url
        .clone()
        .unwrap_or_else(|| before.site_url.clone())
        .trim()
        .trim_end_matches('/')
        .to_owned();
    let mut wrong = vec![];
    if !(1..=3650).contains(&retention) {
        wrong.push(FieldError::new(
            "retention_days",
            "i giorni di conservazione vanno da 1 a 3.650",
        ));
    }
    if consent.is_empty() || consent.chars().count() > 8_000 {
        wrong.push(FieldError::new(
            "consent_text",
            "scrivere l'informativa (al massimo 8.000 caratteri)",
        ));
    }
    if !admin.is_empty() && !mail::is_address(&admin) {
        wrong.push(FieldError::new(
            "admin_email",
            "indicare un indirizzo e-mail valido, o nessuno",
        ));
    }
    if !(1..=120).contains(&months) {
        wrong.push(FieldError::new(
            "archive_months",
            "i mesi prima dell'archivio vanno da 1 a 120",
        ));
    }
    if !site.is_empty() && !site_url_ok(&site) {
        wrong.push(FieldError::new(
            "site_url",
            "indicare l'indirizzo del sito come https://servizi.comune.esempio.it, o nessuno",
        ));
    }
    if !wrong.is_empty() {
        return Err(PortalError::Invalid(wrong));
    }
    let mut tx = db.write().await?;
    sqlx::query(
        "INSERT INTO portal_settings (entity_id, retention_days, consent_text, admin_email, \
         archive_months, site_url) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (entity_id) \
         DO UPDATE SET retention_days = excluded.retention_days, \
         consent_text = excluded.consent_text, admin_email = excluded.admin_email, \
         archive_months = excluded.archive_months, site_url = excluded.site_url, version = portal_settings.version + 1",
    )
    .bind(entity_id)
    .bind(retention)
    .bind(&consent)
    .bind(&admin)
    .bind(months)
    .bind(&site)
    .execute(tx.conn())
    .await?;
    let shown = |s: &PortalSettings| {
        json!({"retention_days": s.retention_days, "admin_email": s.admin_email,
               "archive_months": s.archive_months, "site_url": s.site_url,
               "consent_chars": s.consent_text.chars().count()})
    };
    let after = PortalSettings {
        entity_id,
        retention_days: retention,
        consent_text: consent,
        admin_email: admin,
        archive_months: months,
        site_url: site,
        logo: before.logo,
        set: true,
    };
    audit_event(
        &mut tx,
        actor,
        About {
            action: "update",
            object: "portal_settings",
            id: entity_id,
            entity_id,
        },
        Some(shown(&before)),
        Some(shown(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// An address for the public site: `http(s)://host[:port][/path]`, no spaces, no query.
fn site_url_ok(v: &str) -> bool {
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"));
    let Some(rest) = rest else { return false };
    let host = rest.split('/').next().unwrap_or_default();
    v.len() <= 300
        && !host.is_empty()
        && !v.contains(|c: char| c.is_whitespace() || matches!(c, '?' | '#' | '"' | '<' | '>'))
}

/// A link of the portal's e-mails: the site's address (when the entity set it) and the path.
pub async fn link(tx: &mut db::WriteTx, entity_id: i64, path: &str) -> Result<String, PortalError> {
    let site: Option<String> =
        sqlx::query_scalar("SELECT site_url FROM portal_settings WHERE entity_id = $1")
            .bind(entity_id)
            .fetch_optional(tx.conn())
            .await?;
    Ok(format!("{}{path}", site.unwrap_or_default()))
}

/// The largest logo taken.
pub const MAX_LOGO: usize = 256 * 1024;

/// The kind of an image from its first bytes: PNG or JPEG, nothing else (an SVG could carry a
/// script).
pub fn image_type(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// Sets (or with `None` removes) the entity's logo on its public pages; audited with its hash.
pub async fn set_logo(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    data: Option<&[u8]>,
) -> Result<PortalSettings, PortalError> {
    let before = get(db, actor, entity_id).await?;
    let kind = match data {
        None => "",
        Some(d) => {
            if d.is_empty() || d.len() > MAX_LOGO {
                return Err(PortalError::field(
                    "logo",
                    "il logo deve pesare al massimo 256 KiB",
                ));
            }
            let Some(kind) = image_type(d) else {
                return Err(PortalError::field(
                    "logo",
                    "il logo deve essere un'immagine PNG o JPEG",
                ));
            };
            kind
        }
    };
    let mut tx = db.write().await?;
    let sha = match data {
        Some(d) => db::files::put(&mut tx, d).await?.sha256,
        None => String::new(),
    };
    sqlx::query(
        "INSERT INTO portal_settings (entity_id, retention_days, consent_text, admin_email, \
         archive_months, site_url, logo_sha256, logo_type) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (entity_id) DO UPDATE SET \
         logo_sha256 = excluded.logo_sha256, logo_type = excluded.logo_type, \
         version = portal_settings.version + 1",
    )
    .bind(entity_id)
    .bind(before.retention_days)
    .bind(&before.consent_text)
    .bind(&before.admin_email)
    .bind(before.archive_months)
    .bind(&before.site_url)
    .bind(&sha)
    .bind(kind)
    .execute(tx.conn())
    .await?;
    audit_event(
        &mut tx,
        actor,
        About {
            action: if data.is_some() {
                "set_logo"
            } else {
                "remove_logo"
            },
            object: "portal_settings",
            id: entity_id,
            entity_id,
        },
        None,
        Some(json!({"logo_sha256": sha, "logo_type": kind})),
    )
    .await?;
    tx.commit().await?;
    Ok(PortalSettings {
        logo: !sha.is_empty(),
        set: true,
        ..before
    })
}

/// The entity's logo, if it has one: its type and its hash in the file store.
pub async fn logo(db: &Db, entity_id: i64) -> Result<Option<(String, String)>, PortalError> {
    let r: Option<(String, String)> =
        sqlx::query_as("SELECT logo_type, logo_sha256 FROM portal_settings WHERE entity_id = $1")
            .bind(entity_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(r.filter(|(_, sha)| !sha.is_empty()))
}
