//! An activation request (*richiesta di attivazione*) and its states.

use serde::Serialize;

/// submitted → approved (by staff) → in delivery (a technician assigned) → delivered; or
/// refused (with a reason) or cancelled before delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    Submitted,
    Approved,
    InDelivery,
    Delivered,
    Refused,
    Cancelled,
}

impl RequestState {
    pub const ALL: [RequestState; 6] = [
        RequestState::Submitted,
        RequestState::Approved,
        RequestState::InDelivery,
        RequestState::Delivered,
        RequestState::Refused,
        RequestState::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RequestState::Submitted => "submitted",
            RequestState::Approved => "approved",
            RequestState::InDelivery => "in_delivery",
            RequestState::Delivered => "delivered",
            RequestState::Refused => "refused",
            RequestState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }

    /// The Italian word.
    pub fn label(self) -> &'static str {
        match self {
            RequestState::Submitted => "inviata",
            RequestState::Approved => "approvata",
            RequestState::InDelivery => "in attivazione",
            RequestState::Delivered => "attivata",
            RequestState::Refused => "rifiutata",
            RequestState::Cancelled => "annullata",
        }
    }

    /// Whether a request in this state may move to `to`.
    pub fn may_become(self, to: RequestState) -> bool {
        use RequestState::*;
        matches!(
            (self, to),
            (Submitted, Approved)
                | (Approved, InDelivery)
                | (Approved | InDelivery, Delivered)
                | (Submitted | Approved | InDelivery, Refused)
                | (Submitted | Approved, Cancelled)
        )
    }

    /// Still to be delivered.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            RequestState::Submitted | RequestState::Approved | RequestState::InDelivery
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_moves_of_a_request() {
        use RequestState::*;
        assert!(Submitted.may_become(Approved));
        assert!(Approved.may_become(Delivered));
        assert!(InDelivery.may_become(Delivered));
        assert!(!Submitted.may_become(Delivered), "approved first");
        assert!(
            !InDelivery.may_become(Cancelled),
            "work started: refused, not cancelled"
        );
        for s in [Delivered, Refused, Cancelled] {
            assert!(
                RequestState::ALL.iter().all(|t| !s.may_become(*t)),
                "{s:?} is final"
            );
            assert!(!s.is_open());
        }
        for s in RequestState::ALL {
            assert_eq!(RequestState::parse(s.code()), Some(s));
        }
    }
}
