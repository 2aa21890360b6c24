//! Text as the schema allows it. Most FatturaPA strings are `[\p{IsBasicLatin}
//! \p{IsLatin-1Supplement}]{1,n}` (characters up to U+00FF); codes and numbers are Basic
//! Latin only. Text from elsewhere is transliterated: typographic punctuation to its ASCII
//! form, '€' to "EUR", Latin letters with diacritics outside Latin-1 to their base letter,
//! invisible format characters dropped, anything else to '?'. Line breaks and tabs become
//! spaces (the types are normalizedString).

/// Latin Extended-A (U+0100–U+017F) to ASCII, one entry per code point.
const LATIN_EXT_A: [&str; 128] = [
    "A", "a", "A", "a", "A", "a", "C", "c", "C", "c", "C", "c", "C", "c", "D", "d", "D", "d", "E",
    "e", "E", "e", "E", "e", "E", "e", "E", "e", "G", "g", "G", "g", "G", "g", "G", "g", "H", "h",
    "H", "h", "I", "i", "I", "i", "I", "i", "I", "i", "I", "i", "IJ", "ij", "J", "j", "K", "k",
    "q", "L", "l", "L", "l", "L", "l", "L", "l", "L", "l", "N", "n", "N", "n", "N", "n", "'n", "N",
    "n", "O", "o", "O", "o", "O", "o", "OE", "oe", "R", "r", "R", "r", "R", "r", "S", "s", "S",
    "s", "S", "s", "S", "s", "T", "t", "T", "t", "T", "t", "U", "u", "U", "u", "U", "u", "U", "u",
    "U", "u", "U", "u", "W", "w", "Y", "y", "Y", "Z", "z", "Z", "z", "Z", "z", "s",
];

/// Latin-1 Supplement (U+00A0–U+00FF) to ASCII, one entry per code point.
const LATIN_1_TO_ASCII: [&str; 96] = [
    " ", "!", "c", "GBP", "?", "JPY", "|", "S.", "\"", "(c)", "a", "\"", "-", "", "(R)", "-", "o",
    "+/-", "2", "3", "'", "u", "P", ".", ",", "1", "o", "\"", "1/4", "1/2", "3/4", "?", "A", "A",
    "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I", "D", "N", "O", "O", "O",
    "O", "O", "x", "O", "U", "U", "U", "U", "Y", "TH", "ss", "a", "a", "a", "a", "a", "a", "ae",
    "c", "e", "e", "e", "e", "i", "i", "i", "i", "d", "n", "o", "o", "o", "o", "o", "/", "o", "u",
    "u", "u", "u", "y", "th", "y",
];

/// A replacement for characters above U+00FF that have a usual Latin-1 spelling.
fn beyond_latin1(c: char) -> Option<&'static str> {
    let cp = u32::from(c);
    if (0x100..0x180).contains(&cp) {
        return LATIN_EXT_A.get(usize::try_from(cp - 0x100).ok()?).copied();
    }
    Some(match c {
        '€' => "EUR",
        '‘' | '’' | '‚' | '‛' | '′' | 'ʼ' => "'",
        '“' | '”' | '„' | '‟' | '″' => "\"",
        '‹' => "<",
        '›' => ">",
        '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | '•' | '◦' | '‣' | '⁃' => {
            "-"
        }
        '…' => "...",
        '™' => "(TM)",
        '≤' => "<=",
        '≥' => ">=",
        '≠' => "!=",
        '×' => "x",
        'Ș' | 'Ş' => "S",
        'ș' | 'ş' => "s",
        'Ț' | 'Ţ' => "T",
        'ț' | 'ţ' => "t",
        'Ə' => "E",
        'ə' => "e",
        // Spaces of every width.
        '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => " ",
        // Invisible format characters (zero width, bidi controls, byte-order mark).
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}' => "",
        _ => return None,
    })
}

/// Text for the Latin-1 string types: every character ≤ U+00FF, no control characters.
pub fn to_latin1(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            // C0 and C1 controls: not text.
            '\0'..='\u{1F}' | '\u{7F}'..='\u{9F}' => {}
            '\u{A0}'..='\u{FF}' | ' '..='~' => out.push(c),
            _ => out.push_str(beyond_latin1(c).unwrap_or("?")),
        }
    }
    out
}

/// Text for the Basic Latin string types (codes, numbers): ASCII only.
pub fn to_ascii(s: &str) -> String {
    let latin1 = to_latin1(s);
    let mut out = String::with_capacity(latin1.len());
    for c in latin1.chars() {
        let cp = u32::from(c);
        if cp < 0x80 {
            out.push(c);
        } else {
            let i = usize::try_from(cp.saturating_sub(0xA0)).unwrap_or(usize::MAX);
            out.push_str(LATIN_1_TO_ASCII.get(i).copied().unwrap_or("?"));
        }
    }
    out
}

/// Splits a long text into Causale lines of at most 200 characters (after
/// transliteration), breaking between words where possible.
pub fn split_causale(text: &str) -> Vec<String> {
    split_words(&to_latin1(text), 200)
}

fn split_words(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let mut word: Vec<char> = word.chars().collect();
        // A word longer than a whole line is cut.
        while word.len() > max {
            if cur_len > 0 {
                out.push(std::mem::take(&mut cur));
                cur_len = 0;
            }
            out.push(word.drain(..max).collect());
        }
        let needed = if cur_len == 0 {
            word.len()
        } else {
            cur_len + 1 + word.len()
        };
        if needed > max {
            out.push(std::mem::take(&mut cur));
            cur_len = 0;
        }
        if cur_len > 0 {
            cur.push(' ');
            cur_len += 1;
        }
        cur.extend(word.iter());
        cur_len += word.len();
    }
    if cur_len > 0 {
        out.push(cur);
    }
    out
}

/// Escapes character data (the only attribute values written are constants).
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn transliterates() {
        assert_eq!(
            to_latin1("Attività – manutenzione €"),
            "Attività - manutenzione EUR"
        );
        assert_eq!(
            to_latin1("l’ufficio “tecnico”…"),
            "l'ufficio \"tecnico\"..."
        );
        assert_eq!(to_latin1("Łódź, Ștefan Dvořák"), "Lódz, Stefan Dvorák");
        assert_eq!(to_latin1("a\tb\r\nc\u{200B}d\u{1}"), "a b  cd");
        assert_eq!(to_latin1("日本"), "??");
        assert_eq!(
            to_ascii("Città di Forlì n° 3 – €"),
            "Citta di Forli no 3 - EUR"
        );
        assert_eq!(to_ascii("Straße Æ"), "Strasse AE");
    }

    #[test]
    fn every_output_is_in_range() {
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        assert!(to_latin1(&all)
            .chars()
            .all(|c| (' '..='\u{FF}').contains(&c)));
        assert!(to_ascii(&all).chars().all(|c| (' '..='~').contains(&c)));
    }

    #[test]
    fn splits_causale() {
        let long = "parola ".repeat(100);
        let parts = split_causale(&long);
        assert!(parts
            .iter()
            .all(|p| p.chars().count() <= 200 && !p.is_empty()));
        assert_eq!(parts.join(" "), long.trim());
        let word = "x".repeat(450);
        let parts = split_causale(&format!("a {word} b"));
        assert_eq!(
            parts,
            vec![
                "a".to_owned(),
                "x".repeat(200),
                "x".repeat(200),
                "x".repeat(50) + " b"
            ]
        );
        assert!(split_causale("  ").is_empty());
    }
}
