//! Delivery's card on the home pages: for staff, the requests to approve and those past their
//! deadline; for a contact, their requests still to deliver.

use delivery::model::RequestState;
use delivery::store::{self, RequestQuery, RequestSort};
use kernel::Role;

use crate::auth::Session;
use crate::error::PageError;
use crate::pages::home::{Card, CardLine};
use crate::pages::list::count;
use crate::AppState;

pub async fn cards(s: &AppState, sess: &Session) -> Result<Vec<Card>, PageError> {
    let actor = sess.actor();
    let today = s.clock.today();
    let open = |sort| RequestQuery {
        open: true,
        sort,
        limit: 6,
        ..Default::default()
    };
    match sess.user.role {
        Role::Admin | Role::Operator => {
            let (to_approve, _) = store::page(
                &s.db,
                &actor,
                &RequestQuery {
                    state: Some(RequestState::Submitted),
                    limit: 1,
                    ..Default::default()
                },
            )
            .await?;
            let (overdue, late) = store::page(
                &s.db,
                &actor,
                &RequestQuery {
                    overdue_on: Some(today),
                    sort: RequestSort::Due,
                    limit: 6,
                    ..Default::default()
                },
            )
            .await?;
            let mut card = Card::new("card-activations", "Richieste di attivazione");
            if to_approve == 0 && overdue == 0 {
                card.note = "Nessuna richiesta da approvare o in ritardo.".into();
                card.tone = "ok";
            } else {
                card.figure = count(to_approve);
                card.note = "da approvare".into();
                if overdue > 0 {
                    card.tone = "danger";
                }
                for (r, entity) in late {
                    card = card.line(
                        CardLine::new(
                            format!("{entity} · {}", r.service),
                            format!(
                                "scaduta il {}",
                                r.due_date
                                    .map(kernel::time::display_date)
                                    .unwrap_or_default()
                            ),
                            format!("/requests/{}", r.id),
                        )
                        .danger_if(true),
                    );
                }
            }
            card.link = Some((
                "/requests?stato=scadute".into(),
                format!("In ritardo: {}", count(overdue)),
            ));
            Ok(vec![card])
        }
        Role::Contact => {
            let (total, items) = store::page(&s.db, &actor, &open(RequestSort::Recent)).await?;
            let mut card = Card::new("card-activations", "Richieste di attivazione");
            card.button = Some(("/requests/new".into(), "Richiedi un servizio".into()));
            if total == 0 {
                card.note = "Nessuna richiesta in corso.".into();
            } else {
                card.figure = count(total);
                card.note = "in corso".into();
                for (r, entity) in items {
                    card = card.line(CardLine::new(
                        format!("{entity} · {}", r.service),
                        match r.due_date {
                            Some(d) => format!(
                                "{} · entro il {}",
                                r.state.label(),
                                kernel::time::display_date(d)
                            ),
                            None => r.state.label().to_owned(),
                        },
                        format!("/requests/{}", r.id),
                    ));
                }
            }
            card.link = Some(("/requests".into(), "Tutte le richieste".into()));
            Ok(vec![card])
        }
        Role::Supplier => Ok(vec![]),
    }
}
