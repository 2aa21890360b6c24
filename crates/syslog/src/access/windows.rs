//! Windows Security events 4624, 4625, 4634, 4647, 4648 and 4672 as they are forwarded:
//! NXLog JSON bodies (`to_json()`), NXLog `to_syslog_ietf` (fields in the SD element
//! `[NXLOG@14506 …]`), Snare (`MSWinEventLog<TAB>…`, the event text in field 14) and NXLog
//! `to_syslog_bsd` (only the event text, tag `Microsoft-Windows-Security-Auditing`). JSON and
//! SD carry the fields by name in any language; from the event text only the English wording
//! is read.

use std::borrow::Cow;

use super::{after, fields, word, AccessEvent, Action, Outcome};
use crate::message::{sd, Message};

/// The event source of the Security log, used as syslog tag by NXLog.
pub(super) const SOURCE: &str = "Microsoft-Windows-Security-Auditing";

/// Event ids read; anything else is not an access.
const IDS: [u32; 6] = [4624, 4625, 4634, 4647, 4648, 4672];

/// English first sentences of the event texts.
const SENTENCES: [(&str, u32); 6] = [
    ("An account was successfully logged on.", 4624),
    ("An account failed to log on.", 4625),
    ("An account was logged off.", 4634),
    ("User initiated logoff:", 4647),
    ("A logon was attempted using explicit credentials.", 4648),
    ("Special privileges assigned to new logon.", 4672),
];

/// The fields an event is built from, whatever the transport.
#[derive(Default)]
struct Win<'a> {
    id: u32,
    host: Option<Cow<'a, str>>,
    target: Option<Cow<'a, str>>,
    target_domain: Option<Cow<'a, str>>,
    subject: Option<Cow<'a, str>>,
    subject_domain: Option<Cow<'a, str>>,
    logon_type: Option<Cow<'a, str>>,
    ip: Option<Cow<'a, str>>,
    workstation: Option<Cow<'a, str>>,
    status: Option<Cow<'a, str>>,
    sub_status: Option<Cow<'a, str>>,
    reason: Option<Cow<'a, str>>,
    target_server: Option<Cow<'a, str>>,
    privileges: Option<Cow<'a, str>>,
}

pub(super) fn extract(m: &Message) -> Option<AccessEvent> {
    let body = m.body.trim_start();
    if body.starts_with('{') {
        return build(m, by_name(|k| fields::json(body, k))?);
    }
    if body.starts_with("MSWinEventLog") {
        return build(m, snare(body)?);
    }
    if let Some(sd) = m.structured_data.as_deref() {
        if sd.contains("EventID=\"") {
            return build(m, by_name(|k| sd::param(sd, None, k))?);
        }
    }
    // NXLog may put the event id before the text: `4624: An account…`.
    let digits = body.bytes().take_while(u8::is_ascii_digit).count();
    let text = match body.get(digits..) {
        Some(r) if digits == 4 => r.trim_start_matches([':', ' ']),
        _ => body,
    };
    let id = SENTENCES
        .iter()
        .find(|(s, _)| text.starts_with(s))
        .map(|&(_, id)| id)?;
    build(m, from_text(text, id))
}

/// Fields by name (NXLog JSON or SD params), through `get`.
fn by_name<'a>(get: impl Fn(&str) -> Option<Cow<'a, str>>) -> Option<Win<'a>> {
    let id: u32 = get("EventID")?.trim().parse().ok()?;
    if !IDS.contains(&id) {
        return None;
    }
    let source = get("SourceName").or_else(|| get("ProviderName"));
    if source.is_some_and(|s| !s.contains("Security-Auditing")) {
        return None;
    }
    Some(Win {
        id,
        host: get("Hostname").or_else(|| get("Computer")),
        target: get("TargetUserName"),
        target_domain: get("TargetDomainName"),
        subject: get("SubjectUserName"),
        subject_domain: get("SubjectDomainName"),
        logon_type: get("LogonType"),
        ip: get("IpAddress"),
        workstation: get("WorkstationName"),
        status: get("Status"),
        sub_status: get("SubStatus"),
        reason: get("FailureReason"),
        target_server: get("TargetServerName"),
        privileges: get("PrivilegeList"),
    })
}

/// Snare: `MSWinEventLog TAB criticality TAB log TAB number TAB date TAB id TAB source TAB user
/// TAB sid type TAB audit type TAB computer TAB category TAB data TAB text TAB …`.
fn snare(body: &str) -> Option<Win<'_>> {
    let f: Vec<&str> = body.splitn(16, '\t').collect();
    if f.get(2).map(|s| s.trim()) != Some("Security") {
        return None;
    }
    let id: u32 = f.get(5)?.trim().parse().ok()?;
    if !IDS.contains(&id) {
        return None;
    }
    let mut w = from_text(f.get(13)?, id);
    w.host = f.get(10).map(|h| Cow::Borrowed(h.trim()));
    Some(w)
}

/// Fields out of the English event text (tabs and line breaks may be flattened to spaces).
fn from_text(text: &str, id: u32) -> Win<'_> {
    let (target_section, subject_section) = match id {
        4624 => (Some("New Logon:"), None),
        4625 => (Some("Account For Which Logon Failed:"), None),
        4634 | 4647 => (Some("Subject:"), None),
        4648 => (
            Some("Account Whose Credentials Were Used:"),
            Some("Subject:"),
        ),
        _ => (None, Some("Subject:")),
    };
    let account = |section: Option<&str>| {
        let sec = section.and_then(|s| after(text, s));
        (
            sec.and_then(|s| label(s, "Account Name:")),
            sec.and_then(|s| label(s, "Account Domain:")),
        )
    };
    let (target, target_domain) = account(target_section);
    let (subject, subject_domain) = account(subject_section);
    let reason = after(text, "Failure Reason:").map(|r| {
        let r = r.trim_start();
        let end = ["\t", "\r", "\n", "  ", " Status:"]
            .iter()
            .filter_map(|p| r.find(p))
            .min()
            .unwrap_or(r.len());
        Cow::Borrowed(r.get(..end).unwrap_or(r).trim_end())
    });
    let privileges = after(text, "Privileges:").map(|r| {
        let list: Vec<&str> = r
            .split_whitespace()
            .take_while(|w| w.starts_with("Se") && w.ends_with("Privilege"))
            .collect();
        Cow::Owned(list.join(" "))
    });
    Win {
        id,
        host: None,
        target: target.map(Cow::Borrowed),
        target_domain: target_domain.map(Cow::Borrowed),
        subject: subject.map(Cow::Borrowed),
        subject_domain: subject_domain.map(Cow::Borrowed),
        logon_type: label(text, "Logon Type:").map(Cow::Borrowed),
        ip: label(text, "Source Network Address:")
            .or_else(|| label(text, "Network Address:"))
            .map(Cow::Borrowed),
        workstation: label(text, "Workstation Name:").map(Cow::Borrowed),
        status: label(text, "Status:").map(Cow::Borrowed),
        sub_status: label(text, "Sub Status:").map(Cow::Borrowed),
        reason,
        target_server: label(text, "Target Server Name:").map(Cow::Borrowed),
        privileges,
    }
}

/// The one-word value after the first `lab`, None when `-`.
fn label<'a>(text: &'a str, lab: &str) -> Option<&'a str> {
    let v = word(after(text, lab)?);
    (!v.is_empty() && v != "-").then_some(v)
}

fn build(m: &Message, w: Win<'_>) -> Option<AccessEvent> {
    let target = account(w.target.as_deref(), w.target_domain.as_deref());
    let subject = account(w.subject.as_deref(), w.subject_domain.as_deref());
    let ip = present(w.ip.as_deref());
    let from = ip.or(present(w.workstation.as_deref()));
    let method = present(w.logon_type.as_deref()).map(logon_type);
    let (action, outcome, user, target_user, detail) = match w.id {
        4624 => (Action::Login, Outcome::Success, target?, None, None),
        4625 => (Action::Login, Outcome::Failure, target?, None, failure(&w)),
        4634 | 4647 => (Action::Logout, Outcome::Success, target?, None, None),
        4648 => {
            let server = present(w.target_server.as_deref()).map(|s| format!("target server {s}"));
            (Action::Login, Outcome::Success, subject?, target, server)
        }
        4672 => {
            let privileges = present(w.privileges.as_deref())
                .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "));
            (
                Action::Privilege,
                Outcome::Success,
                subject?,
                None,
                privileges,
            )
        }
        _ => return None,
    };
    let code = w.id.to_string();
    Some(
        AccessEvent::new(m, "windows", action, outcome, &user)
            .target(target_user.as_deref())
            .from(if w.id == 4648 { ip } else { from })
            .host(w.host.as_deref())
            .method(method.as_deref())
            .code(Some(&code))
            .detail(detail.as_deref()),
    )
}

/// `DOMAIN\user`, or `user` without a domain; None without a user.
fn account(user: Option<&str>, domain: Option<&str>) -> Option<String> {
    let user = present(user)?;
    Some(match present(domain) {
        Some(d) => format!("{d}\\{user}"),
        None => user.to_owned(),
    })
}

fn present(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty() && *s != "-")
}

/// `logon type 10 (RemoteInteractive)`.
fn logon_type(n: &str) -> String {
    let name = match n {
        "2" => "Interactive",
        "3" => "Network",
        "4" => "Batch",
        "5" => "Service",
        "7" => "Unlock",
        "8" => "NetworkCleartext",
        "9" => "NewCredentials",
        "10" => "RemoteInteractive",
        "11" => "CachedInteractive",
        "12" => "CachedRemoteInteractive",
        "13" => "CachedUnlock",
        _ => return format!("logon type {n}"),
    };
    format!("logon type {n} ({name})")
}

/// 4625: the reason (NXLog JSON gives `%%2313`, resolved here) and the (sub) status code.
fn failure(w: &Win<'_>) -> Option<String> {
    let reason = present(w.reason.as_deref()).map(|r| match r {
        "%%2304" => "An Error occured during Logon.",
        "%%2305" => "The specified user account has expired.",
        "%%2307" => "Account locked out.",
        "%%2308" => "The user has not been granted the requested logon type at this machine.",
        "%%2309" => "The specified account's password has expired.",
        "%%2310" => "Account currently disabled.",
        "%%2311" => "Account logon time restriction violation.",
        "%%2312" => "User not allowed to logon at this computer.",
        "%%2313" => "Unknown user name or bad password.",
        other => other,
    });
    let code = present(w.sub_status.as_deref())
        .filter(|s| !s.eq_ignore_ascii_case("0x0"))
        .or(present(w.status.as_deref()));
    match (reason, code) {
        (Some(r), Some(c)) => Some(format!("{r} ({c})")),
        (Some(r), None) => Some(r.to_owned()),
        (None, Some(c)) => Some(match status_text(c) {
            Some(t) => format!("{t} ({c})"),
            None => c.to_owned(),
        }),
        (None, None) => None,
    }
}

fn status_text(code: &str) -> Option<&'static str> {
    const TEXTS: [(&str, &str); 10] = [
        ("0xC0000064", "Unknown user name."),
        ("0xC000006A", "Bad password."),
        ("0xC000006D", "Unknown user name or bad password."),
        ("0xC000006F", "Account logon time restriction violation."),
        ("0xC0000070", "User not allowed to logon at this computer."),
        (
            "0xC0000071",
            "The specified account's password has expired.",
        ),
        ("0xC0000072", "Account currently disabled."),
        ("0xC0000193", "The specified user account has expired."),
        ("0xC0000234", "Account locked out."),
        (
            "0xC000015B",
            "The user has not been granted the requested logon type at this machine.",
        ),
    ];
    TEXTS
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code))
        .map(|&(_, t)| t)
}
