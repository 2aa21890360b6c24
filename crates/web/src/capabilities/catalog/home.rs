//! The catalogue's cards on the home pages: agreements ending within 90 days for staff; for a
//! contact, each entity's agreement with its state and end, and this year's membership fee.

use chrono::Datelike;
use kernel::Role;

use crate::auth::Session;
use crate::error::PageError;
use crate::pages::home::{Card, CardLine};
use crate::pages::list::count;
use crate::AppState;

pub async fn cards(s: &AppState, sess: &Session) -> Result<Vec<Card>, PageError> {
    let actor = sess.actor();
    let today = s.clock.today();
    match sess.user.role {
        Role::Admin | Role::Operator => {
            let ending = catalog::store::agreements::ending_within(
                &s.db,
                &actor,
                today,
                catalog::agreement::EXPIRING_DAYS,
            )
            .await?;
            let mut card = Card::new("card-agreements", "Convenzioni in scadenza");
            if ending.is_empty() {
                card.note = "Nessuna convenzione scade nei prossimi 90 giorni.".into();
                card.tone = "ok";
            } else {
                card.figure = count(i64::try_from(ending.len()).unwrap_or(0));
                card.note = "entro 90 giorni".into();
                for (a, entity) in ending.iter().take(6) {
                    card = card.line(CardLine::new(
                        format!("{entity} · n. {}", a.number),
                        format!("scade il {}", kernel::time::display_date(a.last_day())),
                        format!("/entities/{}#convenzioni", a.entity_id),
                    ));
                }
            }
            Ok(vec![card])
        }
        Role::Contact => {
            let current = catalog::store::agreements::current(&s.db, &actor, today, 20).await?;
            let mut agreements = Card::new("card-agreements", "Convenzioni");
            let mut fee = Card::new("card-fee", format!("Quota associativa {}", today.year()));
            for (id, name, a) in &current {
                let line = match a {
                    None => CardLine::new(
                        name.clone(),
                        "nessuna convenzione",
                        format!("/entities/{id}#convenzioni"),
                    )
                    .danger_if(true),
                    Some(a) => {
                        let state = a.state_on(today);
                        CardLine::new(
                            format!("{name} · n. {}", a.number),
                            format!(
                                "{} · fino al {}",
                                state.label(),
                                kernel::time::display_date(a.last_day())
                            ),
                            format!("/entities/{id}#convenzioni"),
                        )
                        .danger_if(matches!(
                            state,
                            catalog::agreement::State::Expiring
                                | catalog::agreement::State::Expired
                                | catalog::agreement::State::Terminated
                        ))
                    }
                };
                agreements = agreements.line(line);
                match catalog::store::membership_fee(&s.db, &actor, *id, today.year()).await {
                    Ok((_, f)) => {
                        fee = fee.line(CardLine::new(
                            name.clone(),
                            f.amount.to_string(),
                            format!("/entities/{id}#quota"),
                        ))
                    }
                    Err(catalog::CatalogError::NoRule(_)) => {
                        fee.note = "Il centro non ha ancora fissato la quota di quest'anno.".into();
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            if current.is_empty() {
                agreements.note = "Nessun ente collegato al tuo account.".into();
            }
            Ok(vec![agreements, fee])
        }
        Role::Supplier => Ok(Vec::new()),
    }
}
