//! The home page: what each person sees first, made of cards that the capabilities contribute
//! (`capabilities::<name>::home::cards`). Staff see the work (the queue, the SLA, agreements to
//! renew, backups and jobs in trouble); an entity's contact their requests, agreements and
//! fee; a supplier the phases to do. Later capabilities add their cards to [`home`].

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{ok, Layout};
use crate::auth::PageUser;
use crate::capabilities::helpdesk::reports_pages::SlaChart;
use crate::error::PageError;
use crate::AppState;

/// One card of a home page.
pub struct Card {
    /// The element id (`card-queue`), for links and tests.
    pub id: &'static str,
    pub title: String,
    /// The big figure, if the card has one.
    pub figure: String,
    /// What the figure counts, or a sentence when there is no figure.
    pub note: String,
    pub lines: Vec<CardLine>,
    /// Where the card leads (the filtered list), and the words of the link.
    pub link: Option<(String, String)>,
    /// A call to action drawn as a button.
    pub button: Option<(String, String)>,
    pub chart: Option<SlaChart>,
    /// `danger` when something needs doing now, `ok` when all is well, else empty.
    pub tone: &'static str,
}

impl Card {
    pub fn new(id: &'static str, title: impl Into<String>) -> Self {
        Self {
            id,
            title: title.into(),
            figure: String::new(),
            note: String::new(),
            lines: Vec::new(),
            link: None,
            button: None,
            chart: None,
            tone: "",
        }
    }

    pub fn link(mut self, href: impl Into<String>, text: impl Into<String>) -> Self {
        self.link = Some((href.into(), text.into()));
        self
    }

    pub fn line(mut self, line: CardLine) -> Self {
        self.lines.push(line);
        self
    }
}

/// A line of a card: a label, a value, where it leads.
pub struct CardLine {
    pub label: String,
    pub value: String,
    pub href: String,
    /// `danger` or empty.
    pub tone: &'static str,
}

impl CardLine {
    pub fn new(
        label: impl Into<String>,
        value: impl Into<String>,
        href: impl Into<String>,
    ) -> Self {
        Self {
            label: label.into(),
            value: value.into(),
            href: href.into(),
            tone: "",
        }
    }

    pub fn danger_if(mut self, cond: bool) -> Self {
        if cond {
            self.tone = "danger";
        }
        self
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    layout: Layout,
    greeting: String,
    cards: Vec<Card>,
}

pub async fn home(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
) -> Result<Response, PageError> {
    use crate::capabilities::{catalog, helpdesk, ops};
    let mut cards = helpdesk::home::cards(&s, &sess).await?;
    cards.extend(catalog::home::cards(&s, &sess).await?);
    cards.extend(crate::capabilities::delivery::home::cards(&s, &sess).await?);
    cards.extend(ops::home::cards(&s, &sess).await?);
    let today = kernel::time::display_long_date(s.clock.today());
    let greeting = match sess.user.role {
        kernel::Role::Admin | kernel::Role::Operator => {
            format!("Il lavoro del centro, oggi {today}")
        }
        kernel::Role::Contact => "Le richieste, le convenzioni e la quota dei tuoi enti".to_owned(),
        kernel::Role::Supplier => "Le fasi di lavoro che il centro ti ha affidato".to_owned(),
    };
    Ok(ok(&Home {
        layout: Layout::new(&s, Some(&sess), "Cruscotto", "home"),
        greeting,
        cards,
    }))
}
