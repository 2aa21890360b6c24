//! RFC 5424: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [SP MSG]`. A header cut short
//! leaves the missing fields None; malformed SD is left in the body.

use super::{sd, stamp, Parts, SourceTime};

/// The header after `<PRI>1 `.
pub(super) fn parse<'a>(s: &'a str, source: &SourceTime) -> Parts<'a> {
    let mut p = 0;
    // `p` past the end (len + 1) once the last field has been read.
    let mut field = || {
        let rest = s.get(p..)?;
        let n = rest.find(' ').unwrap_or(rest.len());
        let f = s.get(p..p + n);
        p += n + 1;
        f
    };
    let ts = field();
    let hostname = field();
    let app = field();
    let procid = field();
    let msgid = field();
    let timestamp = ts
        .filter(|t| *t != "-")
        .and_then(|t| stamp::rfc3339(t, source));
    let mut parts = Parts {
        timestamp,
        hostname,
        app,
        procid,
        msgid,
        ..Parts::default()
    };
    let Some(rest) = s.get(p..) else {
        return parts;
    };
    let b = rest.as_bytes();
    if b.first() == Some(&b'-') && matches!(b.get(1), None | Some(b' ')) {
        parts.body = rest.get(2..).unwrap_or_default();
        return parts;
    }
    match sd::end(b, 0) {
        Some(e) if matches!(b.get(e), None | Some(b' ')) => {
            parts.structured_data = rest.get(..e);
            parts.body = rest.get(e + 1..).unwrap_or_default();
        }
        _ => parts.body = rest,
    }
    parts
}
