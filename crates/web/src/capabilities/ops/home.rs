//! Operations' card on the administrators' home: background jobs that failed for good.

use kernel::Role;

use crate::auth::Session;
use crate::error::PageError;
use crate::pages::home::Card;
use crate::pages::list::count;
use crate::AppState;

pub async fn cards(s: &AppState, sess: &Session) -> Result<Vec<Card>, PageError> {
    if sess.user.role != Role::Admin {
        return Ok(Vec::new());
    }
    let failed = worker::admin::failed_count(&s.db)
        .await
        .map_err(crate::error::ApiError::internal)?;
    let mut card = Card::new("card-jobs", "Attività in background");
    if failed == 0 {
        card.note = "Nessuna attività non riuscita.".into();
        card.tone = "ok";
        card = card.link("/jobs", "Apri le attività");
    } else {
        card.figure = count(failed);
        card.note = if failed == 1 {
            "attività non riuscita".into()
        } else {
            "attività non riuscite".into()
        };
        card.tone = "danger";
        card = card.link("/jobs?stato=failed", "Vedi gli errori");
    }
    if !s.config.smtp_configured {
        card.note
            .push_str(" La posta in uscita resta in coda: nessun server SMTP configurato.");
    }
    Ok(vec![card])
}
