//! Administrators' access events read out of messages (Garante, 27 November 2008).
//!
//! `extract` looks at the APP-NAME / TAG first and at a few cheap body prefixes, so the bulk of
//! messages (kernel, cron, services) is turned down without scanning. Each family's reader is
//! in its own module: `linux` (sshd, sudo, su, login, systemd-logind, PAM), `windows` (Security
//! events as NXLog text, JSON or RFC 5424 SD, and Snare), `vmware` (ESXi hostd/vobd, vCenter
//! vpxd and SSO), `network` (Cisco IOS, FortiGate, pfSense).

mod fields;
mod linux;
mod network;
mod vmware;
mod windows;

use crate::message::Message;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Success,
    Failure,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Login,
    Logout,
    SessionOpen,
    SessionClose,
    /// sudo, su, Windows 4672 (special privileges assigned to a new logon).
    Privilege,
}

impl Action {
    /// The serde name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Logout => "logout",
            Self::SessionOpen => "session_open",
            Self::SessionClose => "session_close",
            Self::Privilege => "privilege",
        }
    }
}

impl Outcome {
    /// The serde name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AccessEvent {
    /// "sshd", "sudo", "su", "login", "pam", "windows", "esxi", "vcenter", "cisco-ios",
    /// "fortigate", "pfsense".
    pub family: &'static str,
    pub action: Action,
    pub outcome: Outcome,
    /// The account that logged in or tried; for sudo and su the invoking user.
    pub user: String,
    /// sudo/su target (root), Windows 4648 account whose credentials were used.
    pub target_user: Option<String>,
    /// Source address or terminal.
    pub from: Option<String>,
    /// The system accessed: the message hostname, the Windows computer, the device name.
    pub host: Option<String>,
    /// "password", "publickey", "sudo", "logon type 10 (RemoteInteractive)", "https", "ssh"…
    pub method: Option<String>,
    /// Event id or log id, e.g. Windows "4624", FortiGate "0100032001".
    pub code: Option<String>,
    /// Failure reason, sudo command, key fingerprint…
    pub detail: Option<String>,
}

/// The access event in a message, if it is one.
pub fn extract(m: &Message) -> Option<AccessEvent> {
    let body = m.body.as_str();
    if let Some(app) = m.app.as_deref() {
        match app {
            "sshd" | "sshd-session" | "sshd-auth" => return linux::sshd(m),
            "sudo" => return linux::sudo(m),
            "su" => return linux::su(m),
            "login" => return linux::login(m),
            "systemd-logind" => return linux::logind(m),
            "php-fpm" | "php" | "php-cgi" => return network::pfsense(m),
            windows::SOURCE => return windows::extract(m),
            _ => {}
        }
        if let Some(family) = vmware::family(app) {
            return vmware::extract(m, family);
        }
    }
    if body.starts_with("pam_") {
        return linux::pam(m);
    }
    if body.as_bytes().contains(&b'%') {
        if let Some(e) = network::cisco(m) {
            return Some(e);
        }
    }
    if body.starts_with("date=") || body.starts_with("logver=") || body.starts_with("logid=") {
        return network::fortigate(m);
    }
    windows::extract(m).or_else(|| vmware::sso_json(m))
}

impl AccessEvent {
    fn new(
        m: &Message,
        family: &'static str,
        action: Action,
        outcome: Outcome,
        user: &str,
    ) -> Self {
        Self {
            family,
            action,
            outcome,
            user: user.to_owned(),
            target_user: None,
            from: None,
            host: m.hostname.clone(),
            method: None,
            code: None,
            detail: None,
        }
    }

    fn target(mut self, v: Option<&str>) -> Self {
        self.target_user = opt(v);
        self
    }

    fn from(mut self, v: Option<&str>) -> Self {
        self.from = opt(v);
        self
    }

    fn host(mut self, v: Option<&str>) -> Self {
        if let Some(h) = opt(v) {
            self.host = Some(h);
        }
        self
    }

    fn method(mut self, v: Option<&str>) -> Self {
        self.method = opt(v);
        self
    }

    fn code(mut self, v: Option<&str>) -> Self {
        self.code = opt(v);
        self
    }

    fn detail(mut self, v: Option<&str>) -> Self {
        self.detail = opt(v);
        self
    }
}

/// Some(owned) unless missing, blank or `-`.
fn opt(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|s| !s.is_empty() && *s != "-")
        .map(str::to_owned)
}

/// The text after the first `pat`.
fn after<'a>(s: &'a str, pat: &str) -> Option<&'a str> {
    s.find(pat).and_then(|i| s.get(i + pat.len()..))
}

/// The first whitespace-separated word.
fn word(s: &str) -> &str {
    let s = s.trim_start();
    s.split([' ', '\t', '\r', '\n']).next().unwrap_or_default()
}

/// The text before the first `pat`, or all of it.
fn until<'a>(s: &'a str, pat: &str) -> &'a str {
    s.find(pat).and_then(|i| s.get(..i)).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn names_match_serde() {
        for a in [
            Action::Login,
            Action::Logout,
            Action::SessionOpen,
            Action::SessionClose,
            Action::Privilege,
        ] {
            let s = serde_json::to_string(&a).unwrap();
            assert_eq!(s, format!("\"{}\"", a.as_str()));
        }
        for o in [Outcome::Success, Outcome::Failure] {
            let s = serde_json::to_string(&o).unwrap();
            assert_eq!(s, format!("\"{}\"", o.as_str()));
        }
    }
}
