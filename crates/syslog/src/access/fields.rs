//! Reading fields out of bodies without a parser per format: one JSON member of a flat object
//! (NXLog `to_json()`, vCenter SSO audit), and `key=value` / `key="value"` pairs (FortiGate).

use std::borrow::Cow;

/// The member `key` of a JSON object text: a string (unescaped) or a literal (number, true…)
/// as written. Only members preceded by `{`, `,` or whitespace count, so a key inside a string
/// value does not match.
pub(super) fn json<'a>(s: &'a str, key: &str) -> Option<Cow<'a, str>> {
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(i) = s.get(from..).and_then(|r| r.find(key)) {
        let at = from + i;
        from = at + key.len();
        let end = at + key.len();
        if at < 2 || b.get(at - 1) != Some(&b'"') || b.get(end) != Some(&b'"') {
            continue;
        }
        if !matches!(
            b.get(at - 2),
            Some(b'{' | b',' | b' ' | b'\t' | b'\r' | b'\n')
        ) {
            continue;
        }
        let mut j = skip_ws(b, end + 1);
        if b.get(j) != Some(&b':') {
            continue;
        }
        j = skip_ws(b, j + 1);
        if b.get(j) == Some(&b'"') {
            return json_string(s, j + 1);
        }
        let n = b
            .get(j..)?
            .iter()
            .position(|c| matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n'))
            .unwrap_or(b.len() - j);
        return s.get(j..j + n).map(Cow::Borrowed);
    }
    None
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\r' | b'\n')) {
        i += 1;
    }
    i
}

/// The JSON string starting at `p` (after its opening quote), unescaped.
fn json_string(s: &str, p: usize) -> Option<Cow<'_, str>> {
    let b = s.as_bytes();
    let mut j = p;
    let mut escaped = false;
    loop {
        match *b.get(j)? {
            b'"' => break,
            b'\\' => {
                escaped = true;
                j += 2;
            }
            _ => j += 1,
        }
    }
    let raw = s.get(p..j)?;
    if !escaped {
        return Some(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let mut code = u32::from_str_radix(&hex, 16).unwrap_or(0xfffd);
                if (0xd800..0xdc00).contains(&code) {
                    let rest = chars.as_str();
                    if let Some(lo) = rest
                        .strip_prefix("\\u")
                        .and_then(|r| r.get(..4))
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .filter(|lo| (0xdc00..0xe000).contains(lo))
                    {
                        code = 0x10000 + ((code - 0xd800) << 10) + (lo - 0xdc00);
                        chars = rest.get(6..).unwrap_or_default().chars();
                    }
                }
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
            }
            Some(c) => out.push(c),
            None => {}
        }
    }
    Some(Cow::Owned(out))
}

/// `key=value` and `key="value"` pairs separated by spaces; a value's quotes are removed
/// (backslash escapes kept as written).
pub(super) fn pairs(s: &str) -> Pairs<'_> {
    Pairs { s, i: 0 }
}

pub(super) struct Pairs<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Iterator for Pairs<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<(&'a str, &'a str)> {
        let b = self.s.as_bytes();
        loop {
            while b.get(self.i) == Some(&b' ') {
                self.i += 1;
            }
            let from = self.i;
            let rest = b.get(from..)?;
            if rest.is_empty() {
                return None;
            }
            let n = rest.iter().position(|&c| c == b'=' || c == b' ');
            let Some(n) = n.filter(|&n| rest.get(n) == Some(&b'=')) else {
                // A word without `=`: skip it.
                self.i = from + n.unwrap_or(rest.len());
                continue;
            };
            let key = self.s.get(from..from + n)?;
            let v = from + n + 1;
            if b.get(v) == Some(&b'"') {
                let mut j = v + 1;
                loop {
                    match b.get(j) {
                        None | Some(b'"') => break,
                        Some(b'\\') => j += 2,
                        Some(_) => j += 1,
                    }
                }
                let j = j.min(b.len());
                self.i = j + 1;
                return Some((key, self.s.get(v + 1..j)?));
            }
            let m = b
                .get(v..)?
                .iter()
                .position(|&c| c == b' ')
                .unwrap_or(b.len() - v);
            self.i = v + m;
            return Some((key, self.s.get(v..v + m)?));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn json_members() {
        let s = r#"{"Message":"x \"EventID\":1","EventID":4624, "User" : "a\\b\u00e0\ud83d\ude00","N":null}"#;
        assert_eq!(json(s, "EventID").unwrap(), "4624");
        assert_eq!(json(s, "User").unwrap(), "a\\bà😀");
        assert_eq!(json(s, "N").unwrap(), "null");
        assert_eq!(json(s, "Missing"), None);
        assert_eq!(json(r#"{"A":"unterminated"#, "A"), None);
    }

    #[test]
    fn kv_pairs() {
        let s = r#"date=2026-12-04 devname="FGT 60F" junk msg="a \"b\"" x= last="#;
        let v: Vec<_> = pairs(s).collect();
        assert_eq!(
            v,
            vec![
                ("date", "2026-12-04"),
                ("devname", "FGT 60F"),
                ("msg", r#"a \"b\""#),
                ("x", ""),
                ("last", ""),
            ]
        );
    }
}
