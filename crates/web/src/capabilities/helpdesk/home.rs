//! The help desk's cards on the home pages: the open queue, what needs doing, this month's SLA
//! and backup checks in trouble for staff; an entity's requests (waiting for them first) for
//! its contacts; the phases to do for a supplier.

use chrono::Datelike;
use helpdesk::model::State as TicketState;
use helpdesk::phases::PhaseState;
use helpdesk::store::{self, Sort, TicketQuery};
use kernel::Role;

use super::reports_pages::SlaChart;
use crate::auth::Session;
use crate::error::PageError;
use crate::pages::home::{Card, CardLine};
use crate::pages::list::count;
use crate::AppState;

pub async fn cards(s: &AppState, sess: &Session) -> Result<Vec<Card>, PageError> {
    match sess.user.role {
        Role::Admin | Role::Operator => staff(s, sess).await,
        Role::Contact => contact(s, sess).await,
        Role::Supplier => supplier(s, sess).await,
    }
}

async fn staff(s: &AppState, sess: &Session) -> Result<Vec<Card>, PageError> {
    let actor = sess.actor();
    let c = store::queue_counts(&s.db, &actor, s.clock.now()).await?;
    let mut open = Card::new("card-queue", "Ticket aperti").link("/tickets", "Apri la coda");
    open.figure = count(c.open);
    open.note = format!("di cui {} nuovi da prendere in carico", count(c.new));
    for (p, n) in &c.by_priority {
        open = open.line(CardLine::new(
            format!("Priorità {}", p.label().to_lowercase()),
            count(*n),
            format!("/tickets?priorita={}", p.as_str()),
        ));
    }
    let mut todo =
        Card::new("card-todo", "Da seguire").link("/tickets?operatore=io", "Il mio lavoro");
    todo.tone = if c.overdue > 0 { "danger" } else { "" };
    todo = todo
        .line(
            CardLine::new("Scaduti", count(c.overdue), "/tickets?scaduti=1")
                .danger_if(c.overdue > 0),
        )
        .line(CardLine::new(
            "Non assegnati",
            count(c.unassigned),
            "/tickets?operatore=nessuno",
        ))
        .line(CardLine::new(
            "Assegnati a me",
            count(c.mine),
            "/tickets?operatore=io",
        ))
        .line(CardLine::new(
            "In attesa dell'ente",
            count(c.waiting_entity),
            "/tickets?stato=waiting_entity",
        ));
    let today = s.clock.today();
    let first = today.with_day(1).unwrap_or(today);
    let chart = SlaChart::of(s, &actor, first, today).await?;
    let judged: i64 = chart.bars.iter().map(|b| b.total).sum();
    let mut sla = Card::new(
        "card-sla",
        format!(
            "SLA di {}",
            kernel::time::display_month(today.year(), today.month())
        ),
    )
    .link(
        format!("/reports/sla?from={first}&to={today}"),
        "Vedi il rispetto degli SLA",
    );
    sla.note = if judged == 0 {
        "Nessuna presa in carico da valutare nel mese.".to_owned()
    } else {
        format!("Prese in carico nei tempi, obiettivo {}%:", chart.target)
    };
    if chart.bars.iter().any(|b| !b.ok) {
        sla.tone = "danger";
    }
    sla.chart = (judged > 0).then_some(chart);
    let mut cards = vec![open, todo, sla];
    let failing = helpdesk::backups::failing(&s.db, &actor).await?;
    let mut backups = Card::new("card-backups", "Controlli dei backup");
    if failing.is_empty() {
        backups.note = "Tutti i backup controllati hanno dato notizia nei tempi.".to_owned();
        backups.tone = "ok";
    } else {
        backups.figure = count(i64::try_from(failing.len()).unwrap_or(0));
        backups.note = if failing.len() == 1 {
            "controllo in errore".to_owned()
        } else {
            "controlli in errore".to_owned()
        };
        backups.tone = "danger";
        for (c, entity) in failing.iter().take(6) {
            let why = if c.incident_kind == "missing" {
                "nessuna notizia"
            } else {
                "non riuscito"
            };
            backups = backups.line(
                CardLine::new(
                    format!("{entity} · {}", c.name),
                    why,
                    c.incident_ticket_id
                        .map(|t| format!("/tickets/{t}"))
                        .unwrap_or_else(|| format!("/entities/{}#backup-checks", c.entity_id)),
                )
                .danger_if(true),
            );
        }
    }
    cards.push(backups);
    Ok(cards)
}

async fn contact(s: &AppState, sess: &Session) -> Result<Vec<Card>, PageError> {
    let actor = sess.actor();
    let waiting = store::list(
        &s.db,
        &actor,
        &TicketQuery {
            state: Some(TicketState::WaitingEntity),
            limit: 10,
            ..Default::default()
        },
    )
    .await?;
    let open = store::list(
        &s.db,
        &actor,
        &TicketQuery {
            open_only: true,
            sort: Sort::Number,
            limit: 10,
            ..Default::default()
        },
    )
    .await?;
    let mut card =
        Card::new("card-requests", "Le tue richieste").link("/tickets", "Tutte le richieste");
    card.button = Some(("/tickets/new".into(), "Nuova richiesta".into()));
    card.figure = count(open.total);
    card.note = if open.total == 1 {
        "richiesta aperta".into()
    } else {
        "richieste aperte".into()
    };
    if waiting.total > 0 {
        card.tone = "danger";
    }
    for t in &waiting.items {
        card = card.line(
            CardLine::new(
                format!("{} · {}", t.number, t.subject),
                "aspetta la tua risposta",
                format!("/tickets/{}", t.id),
            )
            .danger_if(true),
        );
    }
    for t in open
        .items
        .iter()
        .filter(|t| t.state != TicketState::WaitingEntity)
        .take(8usize.saturating_sub(waiting.items.len()))
    {
        card = card.line(CardLine::new(
            format!("{} · {}", t.number, t.subject),
            t.state.label(),
            format!("/tickets/{}", t.id),
        ));
    }
    Ok(vec![card])
}

async fn supplier(s: &AppState, sess: &Session) -> Result<Vec<Card>, PageError> {
    let phases = helpdesk::phases::mine(&s.db, &sess.actor()).await?;
    let todo: Vec<_> = phases
        .iter()
        .filter(|p| matches!(p.state, PhaseState::Open | PhaseState::InProgress))
        .collect();
    let mut card = Card::new("card-phases", "Fasi da svolgere").link("/phases", "Tutte le fasi");
    card.figure = count(i64::try_from(todo.len()).unwrap_or(0));
    card.note = if todo.len() == 1 {
        "fase aperta".into()
    } else {
        "fasi aperte".into()
    };
    for p in todo.iter().take(8) {
        card = card.line(CardLine::new(
            format!("{} · {}", p.entity_name, p.title),
            p.state.label(),
            format!("/phases/{}", p.id),
        ));
    }
    if todo.is_empty() {
        card.note =
            "Nessuna fase da svolgere: il centro ti avviserà quando te ne affiderà una.".into();
        card.figure.clear();
    }
    Ok(vec![card])
}
