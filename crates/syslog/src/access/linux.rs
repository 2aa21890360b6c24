//! Linux: OpenSSH (`sshd`, `sshd-session`, `sshd-auth`), sudo, su, login, systemd-logind and
//! the PAM lines any of them writes (`pam_unix(service:kind): …`).

use super::{after, until, word, AccessEvent, Action, Outcome};
use crate::message::Message;

/// OpenSSH. `message repeated N times: [ … ]` (rsyslog) is read as its inner line.
pub(super) fn sshd(m: &Message) -> Option<AccessEvent> {
    let mut b = m.body.trim();
    if b.starts_with("pam_") {
        return pam(m);
    }
    let mut repeated = None;
    if let Some(r) = b.strip_prefix("message repeated ") {
        let (n, inner) = r.split_once(" times: [ ")?;
        b = inner.trim_end_matches(']').trim_end();
        repeated = Some(format!("repeated {n} times"));
    }
    let ev = |action, outcome, user: &str| AccessEvent::new(m, "sshd", action, outcome, user);
    if let Some(r) = b.strip_prefix("Accepted ") {
        let (method, r) = r.split_once(" for ")?;
        let (user, r) = r.rsplit_once(" from ")?;
        let key = r.split_once(": ").map(|(_, k)| k);
        return Some(
            ev(Action::Login, Outcome::Success, user)
                .from(Some(word(r)))
                .method(Some(until(method, "/")))
                .detail(key.or(repeated.as_deref())),
        );
    }
    if let Some(r) = b.strip_prefix("Failed ") {
        let (method, r) = r.split_once(" for ")?;
        let (invalid, r) = match r.strip_prefix("invalid user ") {
            Some(r) => (true, r),
            None => (false, r),
        };
        let (user, r) = r.rsplit_once(" from ")?;
        let detail = match (invalid, repeated) {
            (true, Some(n)) => Some(format!("invalid user; {n}")),
            (true, None) => Some("invalid user".to_owned()),
            (false, n) => n,
        };
        return Some(
            ev(Action::Login, Outcome::Failure, user)
                .from(Some(word(r)))
                .method(Some(until(method, "/")))
                .detail(detail.as_deref()),
        );
    }
    if let Some(r) = b.strip_prefix("Invalid user ") {
        let (user, r) = r.rsplit_once(" from ")?;
        return Some(
            ev(Action::Login, Outcome::Failure, user)
                .from(Some(word(r)))
                .detail(Some("invalid user")),
        );
    }
    if let Some(r) = b.strip_prefix("Disconnected from user ") {
        let (ua, _port) = r.rsplit_once(" port ")?;
        let (user, addr) = ua.rsplit_once(' ')?;
        return Some(ev(Action::Logout, Outcome::Success, user).from(Some(addr)));
    }
    let pam_fail = b.strip_prefix("error: ").unwrap_or(b);
    if let Some(r) = pam_fail.strip_prefix("PAM: Authentication failure for ") {
        let r = r.strip_prefix("illegal user ").unwrap_or(r);
        let (user, addr) = r.rsplit_once(" from ")?;
        return Some(ev(Action::Login, Outcome::Failure, user).from(Some(word(addr))));
    }
    None
}

/// sudo's own lines: `user : [reason ; ]TTY=… ; PWD=… ; USER=… ; COMMAND=…`.
pub(super) fn sudo(m: &Message) -> Option<AccessEvent> {
    let b = m.body.trim();
    if b.starts_with("pam_") {
        return pam(m);
    }
    let (user, rest) = b.split_once(" : ")?;
    if user.is_empty() || user.contains(' ') {
        return None;
    }
    let command = after(rest, "COMMAND=");
    let head = until(rest, "COMMAND=");
    let mut reason = None;
    let (mut tty, mut target) = (None, None);
    for (i, f) in head.split(" ; ").map(str::trim).enumerate() {
        match f.split_once('=') {
            Some(("TTY", v)) => tty = Some(v),
            Some(("USER", v)) => target = Some(v),
            Some((k, _)) if k.bytes().all(|c| c.is_ascii_uppercase() || c == b'_') => {}
            _ if i == 0 => reason = Some(f),
            _ => {}
        }
    }
    if tty.is_none() && target.is_none() && command.is_none() {
        return None;
    }
    let (outcome, detail) = match (reason, command) {
        (None, c) => (Outcome::Success, c.map(str::to_owned)),
        (Some(r), Some(c)) => (Outcome::Failure, Some(format!("{r}: {c}"))),
        (Some(r), None) => (Outcome::Failure, Some(r.to_owned())),
    };
    Some(
        AccessEvent::new(m, "sudo", Action::Privilege, outcome, user)
            .target(target)
            .from(tty)
            .method(Some("sudo"))
            .detail(detail.as_deref()),
    )
}

/// su (util-linux and shadow): `(to root) alice on pts/0`, `FAILED SU (to root) alice on
/// pts/0`, `+ pts/0 alice:root`, `Successful su for root by alice`.
pub(super) fn su(m: &Message) -> Option<AccessEvent> {
    let b = m.body.trim();
    if b.starts_with("pam_") {
        return pam(m);
    }
    let ev = |outcome, user: &str, target: &str, tty: Option<&str>| {
        AccessEvent::new(m, "su", Action::Privilege, outcome, user)
            .target(Some(target))
            .from(tty)
            .method(Some("su"))
    };
    let (failed, r) = match b.strip_prefix("FAILED SU ") {
        Some(r) => (true, r),
        None => (false, b),
    };
    if let Some(r) = r.strip_prefix("(to ") {
        let (target, r) = r.split_once(") ")?;
        let (user, tty) = match r.split_once(" on ") {
            Some((u, t)) => (u, Some(t)),
            None => (r, None),
        };
        let outcome = if failed {
            Outcome::Failure
        } else {
            Outcome::Success
        };
        return Some(ev(outcome, user.trim(), target, tty));
    }
    for (prefix, outcome) in [("+ ", Outcome::Success), ("- ", Outcome::Failure)] {
        if let Some(r) = b.strip_prefix(prefix) {
            let (tty, pair) = r.split_once(' ')?;
            let (user, target) = pair.split_once(':')?;
            return Some(ev(outcome, user, target, Some(tty)));
        }
    }
    for (prefix, outcome) in [
        ("Successful su for ", Outcome::Success),
        ("FAILED su for ", Outcome::Failure),
    ] {
        if let Some(r) = b.strip_prefix(prefix) {
            let (target, user) = r.split_once(" by ")?;
            return Some(ev(outcome, word(user), target, None));
        }
    }
    None
}

/// login(1): `FAILED LOGIN (1) on '/dev/tty1' [from 'h'] FOR 'root', reason`, `ROOT LOGIN  on
/// '/dev/tty1' [from 'h']`, shadow's `LOGIN ON tty1 BY alice [FROM h]`.
pub(super) fn login(m: &Message) -> Option<AccessEvent> {
    let b = m.body.trim();
    if b.starts_with("pam_") {
        return pam(m);
    }
    let ev = |outcome, user: &str| AccessEvent::new(m, "login", Action::Login, outcome, user);
    if let Some(r) = b.strip_prefix("FAILED LOGIN ") {
        let user = quoted(r, "FOR '")?;
        let from = quoted(r, "from '").or_else(|| quoted(r, "on '"));
        let reason = after(r, "', ");
        return Some(ev(Outcome::Failure, user).from(from).detail(reason));
    }
    if let Some(r) = b.strip_prefix("ROOT LOGIN ") {
        let from = quoted(r, "from '")
            .or_else(|| quoted(r, "on '"))
            .or_else(|| after(r, "ON ").map(word))
            .or_else(|| after(r, "on ").map(word));
        return Some(ev(Outcome::Success, "root").from(from));
    }
    if let Some(r) = b.strip_prefix("LOGIN ON ") {
        let user = word(after(r, " BY ")?);
        let from = after(r, " FROM ").map(word).or(Some(word(r)));
        return Some(ev(Outcome::Success, user).from(from));
    }
    None
}

/// systemd-logind: `New session 12 of user alice.`
pub(super) fn logind(m: &Message) -> Option<AccessEvent> {
    let r = m.body.trim().strip_prefix("New session ")?;
    let (id, user) = r.split_once(" of user ")?;
    let user = user.trim_end_matches('.');
    let detail = format!("session {id}");
    Some(
        AccessEvent::new(m, "login", Action::SessionOpen, Outcome::Success, user)
            .detail(Some(&detail)),
    )
}

/// `pam_MODULE(service:kind): session opened for user X[(uid=N)] by Y[(uid=N)]`, `session
/// closed for user X`, `authentication failure; logname= uid= euid= tty= ruser= rhost= user=`.
/// Family from the service; cron, atd, systemd-user and runuser sessions are not accesses.
pub(super) fn pam(m: &Message) -> Option<AccessEvent> {
    let r = m.body.trim_start().strip_prefix("pam_")?;
    let (head, text) = r.split_once("): ")?;
    let (_module, inside) = head.split_once('(')?;
    let (service, _kind) = inside.split_once(':')?;
    let family = match service {
        "sshd" => "sshd",
        "sudo" | "sudo-i" => "sudo",
        "su" | "su-l" => "su",
        "login" => "login",
        "cron" | "crond" | "CRON" | "atd" | "systemd-user" | "runuser" | "runuser-l" => {
            return None
        }
        _ => "pam",
    };
    let privilege = matches!(family, "sudo" | "su");
    let method = privilege.then_some(family);
    let for_user = |r: &str| word(until(r, "(")).to_owned();
    if let Some(r) = text.strip_prefix("session opened for user ") {
        let target = for_user(r);
        let by = after(r, " by ")
            .map(|b| until(b, "(").trim())
            .filter(|b| !b.is_empty());
        let (user, target) = match by {
            Some(by) if privilege => (by, Some(target.as_str())),
            _ => (target.as_str(), None),
        };
        return Some(
            AccessEvent::new(m, family, Action::SessionOpen, Outcome::Success, user)
                .target(target)
                .method(method),
        );
    }
    if let Some(r) = text.strip_prefix("session closed for user ") {
        let user = for_user(r);
        return Some(
            AccessEvent::new(m, family, Action::SessionClose, Outcome::Success, &user)
                .method(method),
        );
    }
    let r = text.strip_prefix("authentication failure;")?;
    let mut kv = PamFailure::default();
    for w in r.split_whitespace() {
        match w.split_once('=') {
            Some(("logname", v)) => kv.logname = v,
            Some(("tty", v)) => kv.tty = v,
            Some(("ruser", v)) => kv.ruser = v,
            Some(("rhost", v)) => kv.rhost = v,
            Some(("user", v)) => kv.user = v,
            _ => {}
        }
    }
    let (action, user, target, from) = match family {
        "su" => (
            Action::Privilege,
            pick([kv.ruser, kv.logname, ""]),
            Some(kv.user),
            kv.tty,
        ),
        "sudo" => (
            Action::Privilege,
            pick([kv.user, kv.ruser, kv.logname]),
            None,
            kv.tty,
        ),
        _ => (
            Action::Login,
            pick([kv.user, kv.ruser, kv.logname]),
            None,
            if kv.rhost.is_empty() {
                kv.tty
            } else {
                kv.rhost
            },
        ),
    };
    if user.is_empty() {
        return None;
    }
    Some(
        AccessEvent::new(m, family, action, Outcome::Failure, user)
            .target(target)
            .from(Some(from))
            .method(method)
            .detail(Some("authentication failure")),
    )
}

/// The first non-empty value.
fn pick(vs: [&str; 3]) -> &str {
    vs.into_iter().find(|v| !v.is_empty()).unwrap_or_default()
}

#[derive(Default)]
struct PamFailure<'a> {
    logname: &'a str,
    tty: &'a str,
    ruser: &'a str,
    rhost: &'a str,
    user: &'a str,
}

/// The text between `prefix` (ending with a quote) and the next `'`.
fn quoted<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let r = after(s, prefix)?;
    Some(until(r, "'"))
}
