//! RFC 3164 read as devices really send it, after PRI:
//!
//! ```text
//! [SEQ: ]…[HOST: ][*]TIMESTAMP[:] [HOST] [TAG[\[pid\]]:] CONTENT
//! ```
//!
//! SEQ: Cisco sequence numbers (`000123: `). TIMESTAMP: see `stamp::scan`. A timestamp closed
//! by `:` (Cisco) is followed by the content directly. A token after the timestamp that ends
//! with `:` or has `[pid]` is the TAG (no hostname); otherwise it is the hostname and the TAG
//! may follow. A token starting with `%` (Cisco mnemonic) or made of digits is never a TAG.

use chrono::{DateTime, Utc};

use super::{stamp, Parts, SourceTime};

/// None when nothing of a header is recognised. `strict` (no PRI): without a timestamp only a
/// leading `TAG[pid]:` counts, so plain text like `Error: x` stays `Unknown`.
pub(super) fn parse<'a>(
    s: &'a str,
    received: DateTime<Utc>,
    source: &SourceTime,
    strict: bool,
) -> Option<Parts<'a>> {
    let b = s.as_bytes();
    let mut p = 0;
    let mut seq = false;
    while let Some(n) = cisco_seq(b, p) {
        p = n;
        seq = true;
    }
    let mut parts = Parts::default();
    let mut st = stamp::scan(b, p, received, source);
    if st.is_none() {
        // Cisco `logging origin-id`: `HOST: ` before the timestamp.
        let e = token_end(b, p);
        if e > p + 1 && b.get(e - 1) == Some(&b':') && b.get(e) == Some(&b' ') {
            st = stamp::scan(b, e + 1, received, source);
            if st.is_some() {
                parts.hostname = s.get(p..e - 1);
            }
        }
    }
    let Some(st) = st else {
        if let Some(t) = tag(s, p).filter(|t| !strict || t.pid.is_some()) {
            t.fill(&mut parts, s);
            return Some(parts);
        }
        return (seq && !strict).then(|| Parts {
            body: s.get(p..).unwrap_or_default(),
            ..Parts::default()
        });
    };
    parts.timestamp = st.value;
    p = skip_spaces(b, st.end);
    if !st.colon {
        if let Some(t) = tag(s, p) {
            t.fill(&mut parts, s);
            return Some(parts);
        }
        let e = token_end(b, p);
        let host = s.get(p..e).unwrap_or_default();
        if e > p && host != "MSWinEventLog" {
            parts.hostname = parts.hostname.or(Some(host));
            p = skip_spaces(b, e);
            if let Some(t) = tag(s, p) {
                t.fill(&mut parts, s);
                return Some(parts);
            }
        }
    }
    parts.body = s.get(p..).unwrap_or_default();
    Some(parts)
}

/// FortiGate's `date=YYYY-MM-DD time=hh:mm:ss` opening, with `tz="+hhmm"` if present.
pub(super) fn fortigate_time(s: &str, source: &SourceTime) -> Option<DateTime<Utc>> {
    let rest = s.strip_prefix("date=")?;
    let date = rest.get(..10)?;
    let time = rest.get(10..)?.strip_prefix(" time=")?.get(..8)?;
    let tz = s
        .find(" tz=\"")
        .and_then(|i| s.get(i + 5..i + 10))
        .filter(|z| z.starts_with(['+', '-']) && z.bytes().skip(1).all(|c| c.is_ascii_digit()));
    let mut iso = String::with_capacity(32);
    iso.push_str(date);
    iso.push('T');
    iso.push_str(time);
    if let Some(z) = tz {
        iso.push_str(z);
    }
    stamp::rfc3339(&iso, source)
}

struct Tag {
    name: (usize, usize),
    pid: Option<(usize, usize)>,
    body: usize,
}

impl Tag {
    fn fill<'a>(&self, parts: &mut Parts<'a>, s: &'a str) {
        parts.app = s.get(self.name.0..self.name.1);
        parts.procid = self.pid.and_then(|(a, e)| s.get(a..e));
        parts.body = s.get(self.body..).unwrap_or_default();
    }
}

/// `TAG:` or `TAG[pid]` / `TAG[pid]:` as the token at `p`.
fn tag(s: &str, p: usize) -> Option<Tag> {
    let b = s.as_bytes();
    let e = token_end(b, p);
    let tok = b.get(p..e)?;
    let (name_len, pid, after) = match tok.iter().position(|&c| c == b'[') {
        Some(lb) => {
            let rb = lb + tok.get(lb..)?.iter().position(|&c| c == b']')?;
            let mut q = rb + 1;
            if tok.get(q) == Some(&b':') {
                q += 1;
            }
            if q != tok.len() {
                return None;
            }
            (lb, Some((p + lb + 1, p + rb)), e)
        }
        None => {
            let c = tok.iter().position(|&c| c == b':')?;
            if c + 1 != tok.len() {
                return None;
            }
            (c, None, e)
        }
    };
    let name = tok.get(..name_len)?;
    let ok = !name.is_empty()
        && name.first() != Some(&b'%')
        && !name.iter().all(u8::is_ascii_digit)
        && !name.iter().any(|c| matches!(c, b'=' | b'"' | b'<' | b'>'));
    if !ok {
        return None;
    }
    let body = if b.get(after) == Some(&b' ') {
        after + 1
    } else {
        after
    };
    Some(Tag {
        name: (p, p + name_len),
        pid,
        body,
    })
}

/// `digits: ` at `p` (Cisco sequence number): the index after it.
fn cisco_seq(b: &[u8], p: usize) -> Option<usize> {
    let n = b
        .get(p..)?
        .iter()
        .take(11)
        .take_while(|c| c.is_ascii_digit())
        .count();
    ((1..=10).contains(&n) && b.get(p + n) == Some(&b':') && b.get(p + n + 1) == Some(&b' '))
        .then_some(p + n + 2)
}

/// End of the token at `p`: the next SP or TAB, or the end.
fn token_end(b: &[u8], p: usize) -> usize {
    b.get(p..)
        .and_then(|t| t.iter().position(|&c| c == b' ' || c == b'\t'))
        .map_or(b.len().max(p), |n| p + n)
}

fn skip_spaces(b: &[u8], mut p: usize) -> usize {
    while b.get(p) == Some(&b' ') {
        p += 1;
    }
    p
}
