//! RFC 5424 STRUCTURED-DATA: `[id name="value" ...][id ...]`, where a value escapes `"`, `\`
//! and `]` with a backslash. Kept raw in the message; read here on demand.

use std::borrow::Cow;

/// End (index after the last `]`) of the SD elements starting at `p`, or None when they are
/// malformed (no `[` at `p`, or an element never closed). A `]` inside a quoted value closes
/// nothing, escaped or not.
pub(super) fn end(b: &[u8], p: usize) -> Option<usize> {
    let mut i = p;
    while b.get(i) == Some(&b'[') {
        i += 1;
        let mut quoted = false;
        loop {
            match *b.get(i)? {
                b'\\' if quoted => i += 1,
                b'"' => quoted = !quoted,
                b']' if !quoted => break,
                _ => {}
            }
            i += 1;
        }
        i += 1;
    }
    (i > p).then_some(i)
}

/// One parameter: SD-ID of its element, PARAM-NAME and the raw (still escaped) PARAM-VALUE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Param<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub raw: &'a str,
}

/// The parameters of well-formed SD text, in order; stops at the first malformed element.
pub(crate) fn params(sd: &str) -> Params<'_> {
    Params {
        s: sd,
        i: 0,
        id: "",
        inside: false,
    }
}

/// The first parameter `name` (of element `id` when given), unescaped.
pub(crate) fn param<'a>(sd: &'a str, id: Option<&str>, name: &str) -> Option<Cow<'a, str>> {
    params(sd)
        .find(|p| p.name == name && id.is_none_or(|id| p.id == id))
        .map(|p| unescape(p.raw))
}

pub(crate) struct Params<'a> {
    s: &'a str,
    i: usize,
    id: &'a str,
    inside: bool,
}

impl<'a> Iterator for Params<'a> {
    type Item = Param<'a>;

    fn next(&mut self) -> Option<Param<'a>> {
        let b = self.s.as_bytes();
        loop {
            if !self.inside {
                if b.get(self.i) != Some(&b'[') {
                    return None;
                }
                let from = self.i + 1;
                let n = b
                    .get(from..)?
                    .iter()
                    .position(|&c| c == b' ' || c == b']')?;
                self.id = self.s.get(from..from + n)?;
                self.i = from + n;
                self.inside = true;
            }
            match b.get(self.i)? {
                b']' => {
                    self.i += 1;
                    self.inside = false;
                    continue;
                }
                b' ' => self.i += 1,
                _ => {}
            }
            if b.get(self.i) == Some(&b']') {
                continue;
            }
            let from = self.i;
            let n = b.get(from..)?.iter().position(|&c| c == b'=')?;
            let name = self.s.get(from..from + n)?;
            if b.get(from + n + 1) != Some(&b'"') {
                self.i = b.len();
                return None;
            }
            let v = from + n + 2;
            let mut j = v;
            loop {
                match *b.get(j)? {
                    b'\\' => j += 2,
                    b'"' => break,
                    _ => j += 1,
                }
            }
            let raw = self.s.get(v..j)?;
            self.i = j + 1;
            return Some(Param {
                id: self.id,
                name,
                raw,
            });
        }
    }
}

/// A PARAM-VALUE with `\"`, `\\` and `\]` replaced; any other backslash is kept.
pub(crate) fn unescape(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\\') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(e @ ('"' | '\\' | ']')) => out.push(e),
            Some(e) => {
                out.push('\\');
                out.push(e);
            }
            None => out.push('\\'),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn ends() {
        let s = br#"[a x="1\"]"][b] msg"#;
        assert_eq!(end(s, 0), Some(15));
        assert_eq!(end(br#"[a x="1"#, 0), None);
        assert_eq!(end(b"-", 0), None);
        assert_eq!(end(br#"[a x="]"] m"#, 0), Some(9));
    }

    #[test]
    fn reads_params() {
        let sd = r#"[meta sequenceId="12" x="a\]b\\c\"d"][origin ip="10.0.0.1"][e]"#;
        let all: Vec<_> = params(sd).map(|p| (p.id, p.name, p.raw)).collect();
        assert_eq!(
            all,
            vec![
                ("meta", "sequenceId", "12"),
                ("meta", "x", r#"a\]b\\c\"d"#),
                ("origin", "ip", "10.0.0.1"),
            ]
        );
        assert_eq!(param(sd, None, "x").unwrap(), r#"a]b\c"d"#);
        assert_eq!(param(sd, Some("origin"), "ip").unwrap(), "10.0.0.1");
        assert_eq!(param(sd, Some("meta"), "ip"), None);
    }
}
