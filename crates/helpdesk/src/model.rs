//! Tickets: what they are and what a new one must carry.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Seed 001 §7: the priority says how bad the problem is, and sets the take-charge target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Medium,
    High,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::High, Priority::Medium, Priority::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Priority::Low => "Bassa",
            Priority::Medium => "Media",
            Priority::High => "Alta",
        }
    }

    /// The definition of seed 001 §7, shown in the form.
    pub fn definition(self) -> &'static str {
        match self {
            Priority::Low => "problema non bloccante, nessuna perdita di funzionalità",
            Priority::Medium => "manca una funzione non essenziale, oppure un risultato è errato",
            Priority::High => {
                "blocco del lavoro, dati corrotti o persi, manca una funzione essenziale"
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Portal,
    Email,
    Phone,
    Monitoring,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Channel::Portal,
        Channel::Email,
        Channel::Phone,
        Channel::Monitoring,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Portal => "portal",
            Channel::Email => "email",
            Channel::Phone => "phone",
            Channel::Monitoring => "monitoring",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Received, nobody has taken it yet: the take-charge clock runs.
    New,
    /// An operator took charge.
    InProgress,
    /// Waiting for the entity: the resolution clock is paused.
    WaitingEntity,
    Resolved,
    Closed,
}

impl State {
    /// Whether staff may move a ticket from this state to `to` (taking charge, the only way out
    /// of `new`, is its own action): waiting for the entity and back, resolving an open ticket,
    /// closing a resolved one, reopening a resolved or closed one.
    pub fn may_become(self, to: State) -> bool {
        use State::*;
        matches!(
            (self, to),
            (InProgress, WaitingEntity)
                | (WaitingEntity, InProgress)
                | (InProgress | WaitingEntity, Resolved)
                | (Resolved, Closed)
                | (Resolved | Closed, InProgress)
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::New => "new",
            State::InProgress => "in_progress",
            State::WaitingEntity => "waiting_entity",
            State::Resolved => "resolved",
            State::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            State::New => "Nuovo",
            State::InProgress => "In lavorazione",
            State::WaitingEntity => "In attesa dell'ente",
            State::Resolved => "Risolto",
            State::Closed => "Chiuso",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            State::New,
            State::InProgress,
            State::WaitingEntity,
            State::Resolved,
            State::Closed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// A new ticket as sent by a form or the API, as text, checked by [`NewTicket::check`].
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewTicket {
    pub entity_id: i64,
    pub subject: String,
    pub description: String,
    pub category: String,
    pub priority: String,
    pub channel: String,
    /// When the request came in (an operator logging a phone call); default now.
    pub received_at: Option<String>,
    /// Where the acknowledgement and the replies go (staff logging a call or an e-mail); a
    /// contact's own address is used when they open a ticket themselves.
    #[serde(default)]
    pub requester_email: Option<String>,
    /// Received through the Saturday on-call (blocking issues of BASIC-or-better entities).
    #[serde(default)]
    pub on_call: bool,
}

/// A new ticket, checked.
#[derive(Debug, Clone)]
pub struct TicketInput {
    pub entity_id: i64,
    pub subject: String,
    pub description: String,
    pub category: String,
    pub priority: Priority,
    pub channel: Channel,
    pub received_at: DateTime<Utc>,
    pub requester_email: String,
    pub on_call: bool,
}

impl NewTicket {
    /// Every wrong field at once. `received_at` lies between `oldest` and `now`.
    pub fn check(
        &self,
        now: DateTime<Utc>,
        oldest: DateTime<Utc>,
    ) -> Result<TicketInput, Vec<members::FieldError>> {
        let mut errors = members::model::text_errors(
            &[
                ("subject", &self.subject),
                ("description", &self.description),
                ("category", &self.category),
                ("priority", &self.priority),
                ("channel", &self.channel),
                ("received_at", self.received_at.as_deref().unwrap_or("")),
                (
                    "requester_email",
                    self.requester_email.as_deref().unwrap_or(""),
                ),
            ],
            &["description"],
        );
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut err = |f: &str, m: &str| errors.push(members::FieldError::new(f, m));
        let subject = self.subject.trim();
        if subject.is_empty() {
            err("subject", "l'oggetto è obbligatorio");
        } else if subject.chars().count() > 200 {
            err("subject", "l'oggetto supera i 200 caratteri");
        }
        if self.description.chars().count() > 20_000 {
            err("description", "la descrizione supera i 20.000 caratteri");
        }
        if self.category.chars().count() > 100 {
            err("category", "la categoria supera i 100 caratteri");
        }
        let priority = Priority::parse(self.priority.trim());
        if priority.is_none() {
            err("priority", "indicare la priorità: low, medium o high");
        }
        let channel = Channel::parse(self.channel.trim());
        if channel.is_none() {
            err(
                "channel",
                "indicare il canale: portal, email, phone o monitoring",
            );
        }
        let requester_email = self
            .requester_email
            .as_deref()
            .unwrap_or("")
            .trim()
            .to_lowercase();
        if !requester_email.is_empty() && !mail::is_address(&requester_email) {
            err(
                "requester_email",
                "indirizzo e-mail non valido, es. nome@comune.example.it",
            );
        }
        let received_at = match self.received_at.as_deref().map(str::trim) {
            None | Some("") => Some(now),
            Some(s) => match DateTime::parse_from_rfc3339(s) {
                Ok(t) if t.with_timezone(&Utc) > now => {
                    err("received_at", "la ricezione non può essere nel futuro");
                    None
                }
                Ok(t) if t.with_timezone(&Utc) < oldest => {
                    err(
                        "received_at",
                        &format!(
                            "la ricezione non può essere anteriore al {} (si può retrodatare di \
                             {} giorni al massimo)",
                            kernel::time::display_instant(oldest),
                            (now - oldest).num_days()
                        ),
                    );
                    None
                }
                Ok(t) => Some(t.with_timezone(&Utc)),
                Err(_) => {
                    err(
                        "received_at",
                        "istante non valido: RFC 3339 con fuso, es. 2026-11-23T10:00:00+01:00",
                    );
                    None
                }
            },
        };
        match (priority, channel, received_at) {
            (Some(priority), Some(channel), Some(received_at)) if errors.is_empty() => {
                Ok(TicketInput {
                    entity_id: self.entity_id,
                    subject: subject.to_owned(),
                    description: self.description.trim().to_owned(),
                    category: self.category.trim().to_owned(),
                    priority,
                    channel,
                    received_at,
                    requester_email,
                    on_call: self.on_call,
                })
            }
            _ => Err(errors),
        }
    }
}

/// `2026/000123`.
pub fn ticket_number(year: i32, seq: i64) -> String {
    format!("{year}/{seq:06}")
}

#[cfg(test)]
mod tests {
    use super::State::{self, *};

    #[test]
    fn states_move_only_along_the_help_desk_s_path() {
        let all = [New, InProgress, WaitingEntity, Resolved, Closed];
        let allowed: Vec<(State, State)> = all
            .iter()
            .flat_map(|a| all.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a.may_become(*b))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (InProgress, WaitingEntity),
                (InProgress, Resolved),
                (WaitingEntity, InProgress),
                (WaitingEntity, Resolved),
                (Resolved, InProgress),
                (Resolved, Closed),
                (Closed, InProgress),
            ]
        );
    }
}
