//! One syslog message parsed: RFC 5424 when it says `<PRI>1 `, else RFC 3164 read loosely,
//! else only the text. Never fails.
//!
//! Format rules: `<PRI>1 ` is RFC 5424 (whatever PRI says). Otherwise a recognised RFC 3164
//! header (a timestamp, a Cisco sequence number, or a leading `TAG:` / `TAG[pid]:`) makes it
//! RFC 3164, with or without PRI. A valid PRI (0..=191) followed by nothing recognisable (for
//! instance FortiGate's `date=… time=…` lines) is RFC 3164 with the whole rest as body; for
//! FortiGate the `date=`/`time=` pair (and `tz=` when present) gives the timestamp. Anything
//! else is `Unknown`, body = the whole text.

mod rfc3164;
mod rfc5424;
pub(crate) mod sd;
mod stamp;

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Rfc5424,
    Rfc3164,
    Unknown,
}

/// How a source's RFC 3164 timestamps are read (they have no year and no zone).
/// `year` None: the receive year in `zone`, or the year before when that puts the time more
/// than 31 days after the receive time (December read in January), or the year after when
/// that puts it 334 days or more before it (a clock slightly ahead at New Year).
#[derive(Debug, Clone, Copy)]
pub struct SourceTime {
    pub zone: chrono_tz::Tz,
    pub year: Option<i32>,
}

impl Default for SourceTime {
    fn default() -> Self {
        Self {
            zone: chrono_tz::Europe::Rome,
            year: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Message {
    /// The whole frame: UTF-8 if valid, else Latin-1 (each byte one char).
    pub text: String,
    /// The Latin-1 fallback was used.
    pub latin1: bool,
    pub format: Format,
    /// From PRI (0..=23); None without a valid PRI (0..=191).
    pub facility: Option<u8>,
    pub severity: Option<u8>,
    /// None when absent (`-`), unparseable or impossible; the message is kept anyway.
    pub timestamp: Option<DateTime<Utc>>,
    pub hostname: Option<String>,
    /// RFC 5424 APP-NAME; RFC 3164 TAG without `[pid]` and `:`.
    pub app: Option<String>,
    /// RFC 5424 PROCID; RFC 3164 the `[pid]`.
    pub procid: Option<String>,
    /// RFC 5424 MSGID.
    pub msgid: Option<String>,
    /// Raw SD text (`[id k="v"]…`); None when `-` or malformed.
    pub structured_data: Option<String>,
    /// RFC 5424 MSG / RFC 3164 content after TAG / whole text (Unknown); a leading BOM is
    /// dropped.
    pub body: String,
    /// RFC 5424 `[meta sequenceId="N"]` (RFC 5424 7.3.1).
    pub sequence: Option<u64>,
}

/// Fields as slices of the text, turned into a `Message` at the end.
#[derive(Debug, Default)]
struct Parts<'a> {
    timestamp: Option<DateTime<Utc>>,
    hostname: Option<&'a str>,
    app: Option<&'a str>,
    procid: Option<&'a str>,
    msgid: Option<&'a str>,
    structured_data: Option<&'a str>,
    body: &'a str,
}

const BOM: char = '\u{feff}';

/// Parse one frame. `received` is the receive time (used only for the RFC 3164 year rule).
/// Never fails.
pub fn parse(raw: &[u8], received: DateTime<Utc>, source: &SourceTime) -> Message {
    let (text, latin1) = decode(raw);
    let (format, pri, parts) = split(&text, received, source);
    let own = |s: Option<&str>| s.filter(|s| !s.is_empty() && *s != "-").map(str::to_owned);
    let sequence = parts
        .structured_data
        .and_then(|sd| sd::param(sd, Some("meta"), "sequenceId"))
        .and_then(|v| v.parse().ok());
    let body = parts
        .body
        .strip_prefix(BOM)
        .unwrap_or(parts.body)
        .to_owned();
    Message {
        latin1,
        format,
        facility: pri.map(|p| p >> 3),
        severity: pri.map(|p| p & 7),
        timestamp: parts.timestamp,
        hostname: own(parts.hostname),
        app: own(parts.app),
        procid: own(parts.procid),
        msgid: own(parts.msgid),
        structured_data: parts.structured_data.map(str::to_owned),
        body,
        sequence,
        text,
    }
}

fn decode(raw: &[u8]) -> (String, bool) {
    match std::str::from_utf8(raw) {
        Ok(s) => (s.to_owned(), false),
        Err(_) => (raw.iter().map(|&b| char::from(b)).collect(), true),
    }
}

fn split<'a>(
    text: &'a str,
    received: DateTime<Utc>,
    source: &SourceTime,
) -> (Format, Option<u8>, Parts<'a>) {
    let trimmed = text.trim_start_matches([' ', '\t', '\r', '\n']);
    let (pri, rest) = match pri(trimmed) {
        Some((v, n)) => (Some(v), trimmed.get(n..).unwrap_or_default()),
        None => (None, trimmed),
    };
    let valid = pri.filter(|&p| p <= 191).and_then(|p| u8::try_from(p).ok());
    if pri.is_some() {
        if let Some(after) = rest.strip_prefix("1 ") {
            return (Format::Rfc5424, valid, rfc5424::parse(after, source));
        }
    }
    if let Some(parts) = rfc3164::parse(rest, received, source, pri.is_none()) {
        return (Format::Rfc3164, valid, parts);
    }
    if valid.is_some() {
        let parts = Parts {
            timestamp: rfc3164::fortigate_time(rest, source),
            body: rest,
            ..Parts::default()
        };
        return (Format::Rfc3164, valid, parts);
    }
    let parts = Parts {
        body: text,
        ..Parts::default()
    };
    (Format::Unknown, None, parts)
}

/// `<N>` with 1 to 3 digits: the value and the length.
fn pri(s: &str) -> Option<(u16, usize)> {
    let b = s.as_bytes();
    if b.first() != Some(&b'<') {
        return None;
    }
    let n = b
        .iter()
        .skip(1)
        .take(4)
        .take_while(|c| c.is_ascii_digit())
        .count();
    if !(1..=3).contains(&n) || b.get(n + 1) != Some(&b'>') {
        return None;
    }
    let v = s.get(1..=n)?.parse().ok()?;
    Some((v, n + 2))
}

#[cfg(test)]
mod tests;
