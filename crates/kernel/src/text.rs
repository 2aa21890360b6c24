//! The one rule for text that people and programs send us: no control characters. NUL breaks
//! PostgreSQL (and a backup moving there), the others hide text or fake line breaks in logs
//! and exports. A single-line field (a name, a code, a subject) also refuses tabs and line
//! breaks; a multi-line one (notes, a message) keeps them. Bidirectional overrides
//! (U+202A–U+202E, U+2066–U+2069) reverse what a reader sees (`fattura\u{202e}txt.exe`) and
//! are refused everywhere.

/// Which whitespace controls a field may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// Tabs and line breaks refused.
    Single,
    /// Tab, line feed and carriage return allowed.
    Multi,
}

/// A bidirectional embedding, override or isolate (they reorder what a reader sees).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The first character `s` may not hold in a field of this kind, if any.
pub fn forbidden_char(s: &str, lines: Lines) -> Option<char> {
    s.chars().find(|&c| {
        let whitespace = matches!(c, '\t' | '\n' | '\r');
        (c.is_control() && !(whitespace && lines == Lines::Multi)) || is_bidi_control(c)
    })
}

/// The Italian message for a refused character, or `None` if `s` is acceptable.
pub fn check(s: &str, lines: Lines) -> Option<String> {
    forbidden_char(s, lines).map(|c| match c {
        '\t' | '\n' | '\r' => "deve stare su una sola riga (niente a capo o tabulazioni)".into(),
        c => format!(
            "contiene un carattere di controllo non ammesso (U+{:04X})",
            u32::from(c)
        ),
    })
}

/// `s` without the characters that no field may hold (for names that come from outside and
/// must be kept anyway, such as an attachment's file name).
pub fn strip_forbidden(s: &str, lines: Lines) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = forbidden_char(rest, lines) {
        let i = rest.find(c).unwrap_or(rest.len());
        out.push_str(&rest[..i]);
        rest = &rest[i + c.len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// "a" before a word, "ad" before one starting with "a" (the Italian euphonic d):
/// `a media`, `ad alta`.
pub fn to_word(word: &str) -> String {
    if word.starts_with(['a', 'A']) {
        format!("ad {word}")
    } else {
        format!("a {word}")
    }
}

/// The text of an uploaded file: UTF-8 if it is, else Latin-1 (as ISTAT and older spreadsheets
/// write); a BOM is dropped.
pub fn decode_file(bytes: &[u8]) -> String {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(b) {
        Ok(s) => s.to_owned(),
        Err(_) => b.iter().map(|&c| char::from(c)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_euphonic_d_before_a() {
        assert_eq!(to_word("alta"), "ad alta");
        assert_eq!(to_word("bassa"), "a bassa");
    }

    #[test]
    fn single_line_fields_refuse_every_control_and_multi_line_keeps_whitespace() {
        assert_eq!(check("Comune di Arquà Petrarca €", Lines::Single), None);
        assert_eq!(check("riga uno\nriga\tdue\r\n", Lines::Multi), None);
        for bad in [
            "a\0b",
            "a\u{7}",
            "a\u{1b}[31m",
            "a\u{7f}",
            "a\u{85}",
            "x\u{202e}txt",
        ] {
            assert!(check(bad, Lines::Single).is_some(), "{bad:?}");
            assert!(check(bad, Lines::Multi).is_some(), "{bad:?}");
        }
        assert_eq!(
            check("a\nb", Lines::Single).as_deref(),
            Some("deve stare su una sola riga (niente a capo o tabulazioni)")
        );
        assert_eq!(
            check("a\0", Lines::Multi).as_deref(),
            Some("contiene un carattere di controllo non ammesso (U+0000)")
        );
    }

    #[test]
    fn stripping_leaves_the_rest() {
        assert_eq!(
            strip_forbidden("fattura\u{202e}txt.exe", Lines::Single),
            "fatturatxt.exe"
        );
        assert_eq!(strip_forbidden("a\0b\nc", Lines::Multi), "ab\nc");
        assert_eq!(strip_forbidden("àè", Lines::Single), "àè");
    }
}
