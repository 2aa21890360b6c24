//! Seats of an event and its waiting list, as seed 002 §5.5 has them (pure code).
//!
//! - A request asks for one or more seats and is **confirmed whole or waits**: never a part.
//! - A request is confirmed when its seats are free **and nobody is waiting**: the waiting list
//!   keeps its order, and a later, smaller request never jumps it.
//! - When seats free up (a cancellation, fewer seats asked, more seats on the event), the
//!   waiting requests are confirmed in order while the first one fits. When the first waiting
//!   request asks for more seats than are free, nobody behind it is confirmed: the
//!   administrator is told instead, once for each count of free seats, and decides.

use serde::Serialize;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    Confirmed,
    Waiting,
    Cancelled,
}

impl RequestState {
    pub fn code(self) -> &'static str {
        match self {
            RequestState::Confirmed => "confirmed",
            RequestState::Waiting => "waiting",
            RequestState::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "confirmed" => RequestState::Confirmed,
            "waiting" => RequestState::Waiting,
            "cancelled" => RequestState::Cancelled,
            _ => return None,
        })
    }
    pub fn label(self) -> &'static str {
        match self {
            RequestState::Confirmed => "confermata",
            RequestState::Waiting => "in lista d'attesa",
            RequestState::Cancelled => "annullata",
        }
    }
}

/// What the event's counters say when a new request arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counters {
    /// Seats of the event.
    pub seats: u32,
    /// Seats held by confirmed requests.
    pub confirmed: u32,
    /// Requests waiting.
    pub waiting: u32,
}

impl Counters {
    /// Seats still free (never negative: seats lowered under the confirmed ones leave none).
    pub fn free(&self) -> u32 {
        self.seats.saturating_sub(self.confirmed)
    }
}

/// Where a new request for `asked` seats goes.
pub fn place(c: Counters, asked: u32) -> RequestState {
    if c.waiting == 0 && asked <= c.free() {
        RequestState::Confirmed
    } else {
        RequestState::Waiting
    }
}

/// A waiting request, in the list's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting {
    pub id: i64,
    pub seats: u32,
}

/// What freeing seats leads to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Settled {
    /// Waiting requests confirmed now, in order.
    pub confirm: Vec<i64>,
    /// The first waiting request does not fit in the seats left free: tell the administrator.
    pub notice: Option<Notice>,
}

/// "`free` seats are free; the first waiting request, `id`, asks for `asked`."
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub free: u32,
    pub id: i64,
    pub asked: u32,
}

/// The waiting list after seats freed up: `queue` in order, `free` the seats free now,
/// `told` the free seats of the last notice still standing (a notice is not repeated for
/// the same count and the same first request).
pub fn settle(mut free: u32, queue: &[Waiting], told: Option<Notice>) -> Settled {
    let mut out = Settled::default();
    for w in queue {
        if w.seats <= free {
            free -= w.seats;
            out.confirm.push(w.id);
            continue;
        }
        if free > 0 {
            let n = Notice {
                free,
                id: w.id,
                asked: w.seats,
            };
            if told != Some(n) {
                out.notice = Some(n);
            }
        }
        break;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn w(id: i64, seats: u32) -> Waiting {
        Waiting { id, seats }
    }

    #[test]
    fn a_request_is_confirmed_whole_or_waits() {
        let c = |seats, confirmed, waiting| Counters {
            seats,
            confirmed,
            waiting,
        };
        for (counters, asked, state) in [
            (c(10, 0, 0), 3, RequestState::Confirmed),
            (c(10, 7, 0), 3, RequestState::Confirmed),
            (c(10, 8, 0), 3, RequestState::Waiting),
            (c(10, 10, 0), 1, RequestState::Waiting),
            // Somebody waits: a request that would fit waits behind them.
            (c(10, 8, 1), 1, RequestState::Waiting),
            // Seats lowered under the confirmed ones.
            (c(5, 8, 0), 1, RequestState::Waiting),
        ] {
            assert_eq!(place(counters, asked), state, "{counters:?} {asked}");
        }
    }

    #[test]
    fn freed_seats_go_to_the_waiting_list_in_order_or_to_the_administrator() {
        // Enough for the first two; the third asks for more than the one left.
        let s = settle(5, &[w(1, 2), w(2, 2), w(3, 4), w(4, 1)], None);
        assert_eq!(s.confirm, vec![1, 2]);
        assert_eq!(
            s.notice,
            Some(Notice {
                free: 1,
                id: 3,
                asked: 4
            })
        );
        // The same situation again: not told twice.
        let again = settle(1, &[w(3, 4), w(4, 1)], s.notice);
        assert_eq!(again, Settled::default());
        // One more seat frees: told again, with the new count; nobody skipped.
        let more = settle(2, &[w(3, 4), w(4, 1)], s.notice);
        assert!(more.confirm.is_empty());
        assert_eq!(more.notice.map(|n| n.free), Some(2));
        // Exactly enough: confirmed, no notice.
        assert_eq!(
            settle(4, &[w(3, 4)], None),
            Settled {
                confirm: vec![3],
                notice: None
            }
        );
        // Nothing free, or nobody waiting: nothing happens.
        assert_eq!(settle(0, &[w(3, 4)], None), Settled::default());
        assert_eq!(settle(7, &[], None), Settled::default());
    }

    proptest! {
        /// Whatever happens, the confirmed seats never pass the event's seats, requests are
        /// confirmed whole and in the order they came, and freeing seats with somebody left
        /// waiting either confirms them or tells the administrator.
        #[test]
        fn seats_are_never_oversold_and_the_list_keeps_its_order(
            seats in 0u32..40,
            ops in proptest::collection::vec((0u8..4, 1u32..8, 0usize..50), 1..120)
        ) {
            // (id, seats, state), in arrival order.
            let mut regs: Vec<(i64, u32, RequestState)> = Vec::new();
            let mut seats = seats;
            let mut told = None;
            let mut confirmed_order: Vec<i64> = Vec::new();
            for (op, n, pick) in ops {
                let confirmed: u32 = regs.iter().filter(|r| r.2 == RequestState::Confirmed).map(|r| r.1).sum();
                let waiting = regs.iter().filter(|r| r.2 == RequestState::Waiting).count() as u32;
                let mut freed = false;
                match op {
                    0 | 1 => {
                        let st = place(Counters { seats, confirmed, waiting }, n);
                        let id = regs.len() as i64 + 1;
                        regs.push((id, n, st));
                        if st == RequestState::Confirmed { confirmed_order.push(id); }
                    }
                    2 => {
                        if !regs.is_empty() {
                            let i = pick % regs.len();
                            if regs[i].2 != RequestState::Cancelled {
                                regs[i].2 = RequestState::Cancelled;
                                freed = true;
                            }
                        }
                    }
                    _ => { seats += n; freed = true; }
                }
                if freed {
                    let confirmed: u32 = regs.iter().filter(|r| r.2 == RequestState::Confirmed).map(|r| r.1).sum();
                    let queue: Vec<Waiting> = regs.iter().filter(|r| r.2 == RequestState::Waiting).map(|r| w(r.0, r.1)).collect();
                    let free = seats.saturating_sub(confirmed);
                    let s = settle(free, &queue, told);
                    // In order: what is confirmed is the head of the queue.
                    prop_assert!(s.confirm.iter().zip(queue.iter()).all(|(a, b)| *a == b.id));
                    for id in &s.confirm {
                        if let Some(r) = regs.iter_mut().find(|r| r.0 == *id) { r.2 = RequestState::Confirmed; }
                        confirmed_order.push(*id);
                    }
                    let rest: Vec<&Waiting> = queue.iter().skip(s.confirm.len()).collect();
                    let confirmed: u32 = regs.iter().filter(|r| r.2 == RequestState::Confirmed).map(|r| r.1).sum();
                    let free = seats.saturating_sub(confirmed);
                    if let Some(head) = rest.first() {
                        // The head does not fit: nobody behind it went first.
                        prop_assert!(head.seats > free);
                        if free > 0 {
                            let standing = Some(Notice { free, id: head.id, asked: head.seats });
                            prop_assert!(s.notice.is_some() || told == standing);
                        }
                    }
                    if s.notice.is_some() { told = s.notice; }
                }
                let confirmed: u32 = regs.iter().filter(|r| r.2 == RequestState::Confirmed).map(|r| r.1).sum();
                prop_assert!(confirmed <= seats);
            }
            // Confirmations follow arrival: nobody is confirmed before an earlier request
            // that was still waiting.
            prop_assert!(confirmed_order.windows(2).all(|p| p[0] < p[1]), "{confirmed_order:?}");
        }
    }
}
