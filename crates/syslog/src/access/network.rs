//! Network devices: Cisco IOS (`%SEC_LOGIN`, `%SYS-6-LOGOUT`, `%SSH-5-SSH2_USERAUTH`),
//! FortiGate (`key=value` event logs, subtype `system`, action `login` / `logout`) and
//! pfSense's webConfigurator (`php-fpm`; its sshd lines are read as sshd).

use super::{after, fields, until, word, AccessEvent, Action, Outcome};
use crate::message::Message;

/// Cisco IOS mnemonics anywhere in the body (relays may put headers before them).
pub(super) fn cisco(m: &Message) -> Option<AccessEvent> {
    let b = m.body.as_str();
    let mut from = 0;
    while let Some(i) = b.get(from..).and_then(|r| r.find('%')) {
        let r = b.get(from + i..)?;
        from += i + 1;
        let ev =
            |action, outcome, user: &str| AccessEvent::new(m, "cisco-ios", action, outcome, user);
        let login = if r.starts_with("%SEC_LOGIN-5-LOGIN_SUCCESS:") {
            Some(Outcome::Success)
        } else if r.starts_with("%SEC_LOGIN-4-LOGIN_FAILED:") {
            Some(Outcome::Failure)
        } else {
            None
        };
        if let Some(outcome) = login {
            let user = bracket(r, "[user: ")?;
            let port = bracket(r, "[localport: ");
            let method = match port {
                Some("22") => Some("ssh"),
                Some("23") => Some("telnet"),
                Some("80") => Some("http"),
                Some("443") => Some("https"),
                _ => None,
            };
            return Some(
                ev(Action::Login, outcome, user)
                    .from(bracket(r, "[Source: "))
                    .method(method)
                    .detail(bracket(r, "[Reason: ")),
            );
        }
        if let Some(t) = r.strip_prefix("%SYS-6-LOGOUT: User ") {
            let (user, rest) = t.split_once(" has exited ")?;
            let addr = rest.rsplit_once('(').map(|(_, a)| until(a, ")"));
            return Some(ev(Action::Logout, Outcome::Success, user).from(addr));
        }
        if let Some(t) = r.strip_prefix("%SYS-6-TTY_EXPIRE_TIMER: ") {
            let user = word(after(t, ", user ")?);
            let addr = after(t, "tty ")
                .and_then(|x| after(x, "("))
                .map(|a| until(a, ")"));
            return Some(
                ev(Action::Logout, Outcome::Success, user)
                    .from(addr)
                    .detail(Some("exec timer expired")),
            );
        }
        if let Some(t) = r.strip_prefix("%SSH-5-SSH2_USERAUTH: User '") {
            let user = until(t, "'");
            let outcome = if t.trim_end().ends_with("Succeeded") {
                Outcome::Success
            } else if t.trim_end().ends_with("Failed") {
                Outcome::Failure
            } else {
                return None;
            };
            return Some(
                ev(Action::Login, outcome, user)
                    .from(after(t, " from ").map(word))
                    .method(Some("ssh")),
            );
        }
    }
    None
}

/// `[name: value]`: the value.
fn bracket<'a>(s: &'a str, open: &str) -> Option<&'a str> {
    after(s, open).map(|r| until(r, "]"))
}

/// FortiGate administrator logins and logouts (`logid="0100032001"` login, `…32002` failed,
/// `…32003` logout): host = `devname`, code = `logid`, detail = `reason` unless "none".
pub(super) fn fortigate(m: &Message) -> Option<AccessEvent> {
    let mut f = Forti::default();
    for (k, v) in fields::pairs(&m.body) {
        match k {
            "devname" => f.devname = v,
            "logid" => f.logid = v,
            "subtype" => f.subtype = v,
            "user" => f.user = v,
            "ui" => f.ui = v,
            "method" => f.method = v,
            "srcip" => f.srcip = v,
            "action" => f.action = v,
            "status" => f.status = v,
            "reason" => f.reason = v,
            _ => {}
        }
    }
    if f.subtype != "system" || f.user.is_empty() {
        return None;
    }
    let action = match f.action {
        "login" => Action::Login,
        "logout" => Action::Logout,
        _ => return None,
    };
    let outcome = match f.status {
        "success" => Outcome::Success,
        "failed" | "failure" => Outcome::Failure,
        _ => return None,
    };
    // `ui="https(10.0.0.9)"`: method and address when the fields are missing.
    let (ui_method, ui_addr) = match f.ui.split_once('(') {
        Some((a, b)) => (Some(a), Some(until(b, ")"))),
        None => (None, None),
    };
    let method = Some(f.method).filter(|s| !s.is_empty()).or(ui_method);
    let from = Some(f.srcip).filter(|s| !s.is_empty()).or(ui_addr);
    let reason = Some(f.reason).filter(|r| *r != "none");
    Some(
        AccessEvent::new(m, "fortigate", action, outcome, f.user)
            .from(from)
            .host(Some(f.devname))
            .method(method)
            .code(Some(f.logid))
            .detail(reason),
    )
}

#[derive(Default)]
struct Forti<'a> {
    devname: &'a str,
    logid: &'a str,
    subtype: &'a str,
    user: &'a str,
    ui: &'a str,
    method: &'a str,
    srcip: &'a str,
    action: &'a str,
    status: &'a str,
    reason: &'a str,
}

/// pfSense webConfigurator: `/index.php: Successful login for user 'admin' from: 10.0.0.9
/// (Local Database)`, `webConfigurator authentication error for user 'admin' from: …`,
/// `User logged out for user 'admin' from: …`. Method "https"; detail = the auth server.
pub(super) fn pfsense(m: &Message) -> Option<AccessEvent> {
    let b = m.body.as_str();
    let (action, outcome, r) = if let Some(r) = after(b, "Successful login for user '") {
        (Action::Login, Outcome::Success, r)
    } else if let Some(r) = after(b, "authentication error for user '") {
        (Action::Login, Outcome::Failure, r)
    } else if let Some(r) = after(b, "User logged out for user '") {
        (Action::Logout, Outcome::Success, r)
    } else {
        return None;
    };
    let user = until(r, "'");
    let addr = after(r, "from: ").map(word);
    let server = after(r, "from: ")
        .and_then(|x| after(x, "("))
        .and_then(|x| x.rsplit_once(')'))
        .map(|(s, _)| s);
    Some(
        AccessEvent::new(m, "pfsense", action, outcome, user)
            .from(addr)
            .method(Some("https"))
            .detail(server),
    )
}
