//! VMware: ESXi `hostd` / `vobd` and vCenter `vpxd` events (`User root@10.0.0.9 logged in as
//! VMware-client/6.5.0`, `Cannot login root@10.0.0.9`, `… logged out …`), ESXi's `Accepted` /
//! `Rejected password for user X from A`, vobd's SSH sessions, vCenter SSO (`Authentication
//! failed for user X`, and the JSON audit events `com.vmware.sso.LoginSuccess` …). ESXi's own
//! `sshd` lines are read as sshd.

use super::{after, fields, word, AccessEvent, Action, Outcome};
use crate::message::Message;

/// The family of a VMware APP-NAME / TAG, if it is one that logs accesses.
pub(super) fn family(app: &str) -> Option<&'static str> {
    const ESXI: [&str; 3] = ["hostd", "hostd-probe", "vobd"];
    const VCENTER: [&str; 11] = [
        "vpxd",
        "vpxd-main",
        "vpxd-svcs",
        "vmware-vpxd",
        "sso-websso",
        "websso",
        "vmware-stsd",
        "vmware-sts-idmd",
        "ssoadminserver",
        "sso-events",
        "audit_events",
    ];
    if ESXI.iter().any(|a| a.eq_ignore_ascii_case(app)) {
        Some("esxi")
    } else if VCENTER.iter().any(|a| a.eq_ignore_ascii_case(app)) {
        Some("vcenter")
    } else {
        None
    }
}

pub(super) fn extract(m: &Message, family: &'static str) -> Option<AccessEvent> {
    let b = m.body.trim();
    if b.starts_with('{') {
        return sso_json(m);
    }
    let ev = |action, outcome, who: &str| {
        let (user, from) = who_from(who);
        AccessEvent::new(m, family, action, outcome, user).from(from)
    };
    if let Some(i) = b.find(" logged in as ") {
        let who = after_last(b.get(..i)?, "User ")?;
        let client = b.get(i + 14..)?.trim().trim_end_matches(']');
        return Some(ev(Action::Login, Outcome::Success, who).detail(Some(client)));
    }
    if let Some(i) = b.find(" logged out") {
        let who = after_last(b.get(..i)?, "User ")?;
        return Some(ev(Action::Logout, Outcome::Success, who));
    }
    if let Some(r) = after(b, "Cannot login ") {
        let who = word(r).trim_end_matches(']');
        return Some(ev(Action::Login, Outcome::Failure, who));
    }
    for (pat, outcome) in [
        ("Accepted password for user ", Outcome::Success),
        ("Rejected password for user ", Outcome::Failure),
    ] {
        if let Some(r) = after(b, pat) {
            let user = word(r);
            let from = after(r, " from ").map(word);
            return Some(
                AccessEvent::new(m, family, Action::Login, outcome, user)
                    .from(from)
                    .method(Some("password")),
            );
        }
    }
    for (pat, action) in [
        ("SSH session was opened for '", Action::SessionOpen),
        ("SSH session was closed for '", Action::SessionClose),
    ] {
        if let Some(r) = after(b, pat) {
            let who = r.split('\'').next().unwrap_or_default();
            return Some(ev(action, Outcome::Success, who).method(Some("ssh")));
        }
    }
    for (pat, action) in [
        ("Session opened for ", Action::SessionOpen),
        ("Session closed for ", Action::SessionClose),
    ] {
        if let Some(r) = after(b, pat) {
            let user = word(r).trim_matches(['\'', '"']);
            return Some(AccessEvent::new(m, family, action, Outcome::Success, user));
        }
    }
    if let Some(r) = after(b, "Authentication failed for user ") {
        let user = word(r).trim_matches(['[', ']', '\'', '"']);
        let from = after(r, " from ").map(|f| word(f).trim_matches(['[', ']']));
        return Some(AccessEvent::new(m, family, Action::Login, Outcome::Failure, user).from(from));
    }
    None
}

/// vCenter SSO audit events (JSON): `{"user":…,"client":…,"description":…,"type":
/// "com.vmware.sso.LoginSuccess"}`, `LoginFailure`, `Logout`.
pub(super) fn sso_json(m: &Message) -> Option<AccessEvent> {
    let b = m.body.trim_start();
    if !b.starts_with('{') || !b.contains("com.vmware.sso.") {
        return None;
    }
    let kind = fields::json(b, "type")?;
    let (action, outcome) = match kind.strip_prefix("com.vmware.sso.")? {
        "LoginSuccess" => (Action::Login, Outcome::Success),
        "LoginFailure" => (Action::Login, Outcome::Failure),
        "Logout" => (Action::Logout, Outcome::Success),
        _ => return None,
    };
    let user = fields::json(b, "user")?;
    let client = fields::json(b, "client");
    let detail = match outcome {
        Outcome::Failure => fields::json(b, "description"),
        Outcome::Success => None,
    };
    Some(
        AccessEvent::new(m, "vcenter", action, outcome, &user)
            .from(client.as_deref())
            .detail(detail.as_deref()),
    )
}

/// `user@address` split at the last `@` (vCenter users are `name@domain`).
fn who_from(who: &str) -> (&str, Option<&str>) {
    match who.rsplit_once('@') {
        Some((u, a)) if !u.is_empty() => (u, Some(a)),
        _ => (who, None),
    }
}

/// The text after the last `pat`.
fn after_last<'a>(s: &'a str, pat: &str) -> Option<&'a str> {
    s.rfind(pat).and_then(|i| s.get(i + pat.len()..))
}
