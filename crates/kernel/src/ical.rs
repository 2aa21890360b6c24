//! The bits of iCalendar (RFC 5545) every calendar file of `cst` needs: escaping a text value,
//! folding a content line, and reading one back (unfolding, parameters, unescaping).

/// Escapes a text value (RFC 5545 §3.3.11).
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets, never inside a character, and ends it with CRLF
/// (RFC 5545 §3.1).
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
    out
}

/// One content line read back: `NAME;PARAM=VALUE:value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Upper case.
    pub name: String,
    /// Names upper case, values without quotes.
    pub params: Vec<(String, String)>,
    /// As written (still escaped for TEXT values: see [`unescape`]).
    pub value: String,
}

impl Line {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The content lines of a calendar file, unfolded; lines that are not `name:value` are
/// skipped.
pub fn lines(s: &str) -> Vec<Line> {
    let mut unfolded: Vec<String> = Vec::new();
    for raw in s.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix([' ', '\t']) {
            if let Some(last) = unfolded.last_mut() {
                last.push_str(rest);
                continue;
            }
        }
        unfolded.push(raw.to_owned());
    }
    unfolded.iter().filter_map(|l| parse_line(l)).collect()
}

fn parse_line(l: &str) -> Option<Line> {
    // The name and parameters end at the first ':' outside double quotes.
    let mut quoted = false;
    let mut colon = None;
    for (i, c) in l.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let colon = colon?;
    let (head, value) = (&l[..colon], &l[colon + 1..]);
    let mut parts = Vec::new();
    let mut cur = String::new();
    quoted = false;
    for c in head.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => parts.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    parts.push(cur);
    let mut it = parts.into_iter();
    let name = it.next()?.trim().to_ascii_uppercase();
    if name.is_empty() {
        return None;
    }
    let params = it
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            Some((k.trim().to_ascii_uppercase(), v.to_owned()))
        })
        .collect();
    Some(Line {
        name,
        params,
        value: value.to_owned(),
    })
}

/// Undoes [`text`].
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_and_lines_fold_at_75_octets() {
        let s = "Riunione; sala «Giunta», piano 1\nportare il PC \\ cavo";
        assert_eq!(unescape(&text(s)), s);
        let long = format!("DESCRIPTION:{}", text(&"è".repeat(100)));
        let folded = fold(&long);
        for l in folded.split("\r\n") {
            assert!(l.len() <= 75, "{l}");
        }
        let back = lines(&folded);
        assert_eq!(back.len(), 1);
        assert_eq!(unescape(&back[0].value), "è".repeat(100));
    }

    #[test]
    fn parameters_are_read_with_quotes() {
        let l =
            lines("ATTENDEE;CN=\"Rossi: Mario\";PARTSTAT=ACCEPTED:mailto:m.rossi@comune.it\r\n");
        assert_eq!(l[0].name, "ATTENDEE");
        assert_eq!(l[0].param("cn"), Some("Rossi: Mario"));
        assert_eq!(l[0].param("PARTSTAT"), Some("ACCEPTED"));
        assert_eq!(l[0].value, "mailto:m.rossi@comune.it");
    }
}
