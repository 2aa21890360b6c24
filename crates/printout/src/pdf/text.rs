//! Text for the built-in Helvetica faces: what they can show, and how wide it is.
//!
//! The standard PDF fonts are written with `/WinAnsiEncoding` (Windows-1252), one byte a
//! character, and printpdf 0.12 encodes their text into it, writing `?` for anything outside
//! it. So text is brought into that repertoire here first, on our terms: Italian letters,
//! `€`, `«»`, typographic quotes and dashes are all in it and pass unchanged; a letter typed as
//! base plus combining accent (`e` + U+0300) is composed (`è`); a few common symbols outside it
//! are spelt out (`≤` → `<=`, `→` → `->`, `−` → `-`); control, bidi and zero-width characters
//! are dropped; anything else becomes `?`.
//!
//! Widths are Helvetica's and Helvetica-Bold's AFM advance widths (thousandths of an em), the
//! metrics viewers use for these faces (the printpdf crate does not embed them). Accented
//! letters take their base letter's width, except the ones the AFM files give otherwise.

/// The two faces the report uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Regular,
    Bold,
}

/// Helvetica, characters 0x20..=0x7E.
const REGULAR: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
    278, // ␠ to /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0 to ?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ to O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P to _
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` to o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p to ~
];

/// Helvetica-Bold, characters 0x20..=0x7E.
const BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278,
    278, // ␠ to /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 0 to ?
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // @ to O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // P to _
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, // ` to o
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, // p to ~
];

/// Width of one character (already in the WinAnsi repertoire) in thousandths of an em.
pub(crate) fn char_width(face: Face, c: char) -> u16 {
    let table = match face {
        Face::Regular => &REGULAR,
        Face::Bold => &BOLD,
    };
    let ascii = |a: char| {
        (a as usize)
            .checked_sub(0x20)
            .and_then(|i| table.get(i))
            .copied()
    };
    if let Some(w) = ascii(c) {
        return w;
    }
    // Latin-1 letters whose width is not their base letter's: the accented i's are built on
    // the dotless i, and ø is wider than o.
    match c {
        'ì'..='ï' => return 278,
        'ø' => return 611,
        _ => {}
    }
    if let Some(base) = base_letter(c) {
        if let Some(w) = ascii(base) {
            return w;
        }
    }
    // (Helvetica, Helvetica-Bold)
    let (regular, bold) = match c {
        'Æ' | 'Œ' | '…' | '—' | '‰' | '™' => (1000, 1000),
        'æ' => (889, 889),
        'œ' => (944, 944),
        'ß' | '¿' => (611, 611),
        '¼' | '½' | '¾' => (834, 834),
        '©' | '®' => (737, 737),
        '¬' | '±' | '×' | '÷' => (584, 584),
        'Þ' => (667, 667),
        'þ' | 'ð' | 'µ' => (556, 611),
        '¶' => (537, 556),
        '¦' => (260, 280),
        '°' => (400, 400),
        'ª' => (370, 370),
        'º' => (365, 365),
        '•' => (350, 350),
        '¡' | '¨' | '¯' | '²' | '³' | '´' | '¸' | '¹' | 'ˆ' | '˜' | '‹' | '›' => {
            (333, 333)
        }
        '·' | '\u{a0}' => (278, 278),
        '‘' | '’' | '‚' => (222, 278),
        '“' | '”' | '„' => (333, 500),
        // € « » – £ ¥ ¤ ¢ § † ‡ ƒ, and the default for anything unforeseen.
        _ => (556, 556),
    };
    match face {
        Face::Regular => regular,
        Face::Bold => bold,
    }
}

/// Width of `text` set in `face` at `size` points, in points.
pub(crate) fn width(face: Face, size: f32, text: &str) -> f32 {
    let units: u64 = text.chars().map(|c| u64::from(char_width(face, c))).sum();
    // f32 rounds only sums far longer than any line, where it no longer matters.
    (units as f32) * size / 1000.0
}

/// The unaccented letter under a Latin-1 accented one, for its width.
fn base_letter(c: char) -> Option<char> {
    Some(match c {
        'À'..='Å' => 'A',
        'Ç' => 'C',
        'È'..='Ë' => 'E',
        'Ì'..='Ï' => 'I',
        'Ð' => 'D',
        'Ñ' => 'N',
        'Ò'..='Ö' | 'Ø' => 'O',
        'Ù'..='Ü' => 'U',
        'Ý' | 'Ÿ' => 'Y',
        'Š' => 'S',
        'Ž' => 'Z',
        'à'..='å' => 'a',
        'ç' => 'c',
        'è'..='ë' => 'e',
        'ì'..='ï' => 'i',
        'ñ' => 'n',
        'ò'..='ö' | 'ø' => 'o',
        'ù'..='ü' => 'u',
        'ý' | 'ÿ' => 'y',
        'š' => 's',
        'ž' => 'z',
        _ => return None,
    })
}

/// The WinAnsi byte of `c`, if the encoding has the character (PDF 32000-1, Annex D.2).
pub(crate) fn winansi(c: char) -> Option<u8> {
    let cp = u32::from(c);
    if (0x20..=0x7E).contains(&cp) || (0xA0..=0xFF).contains(&cp) {
        return u8::try_from(cp).ok();
    }
    Some(match c {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    })
}

/// Characters that take no room and would only confuse: bidi controls, zero-width marks,
/// the soft hyphen, the byte-order mark.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// `base` with the combining `mark` on it, where WinAnsi has the result.
fn compose(base: char, mark: char) -> Option<char> {
    let pairs: &[(char, char)] = match mark {
        '\u{300}' => &[
            ('A', 'À'),
            ('E', 'È'),
            ('I', 'Ì'),
            ('O', 'Ò'),
            ('U', 'Ù'),
            ('a', 'à'),
            ('e', 'è'),
            ('i', 'ì'),
            ('o', 'ò'),
            ('u', 'ù'),
        ],
        '\u{301}' => &[
            ('A', 'Á'),
            ('E', 'É'),
            ('I', 'Í'),
            ('O', 'Ó'),
            ('U', 'Ú'),
            ('Y', 'Ý'),
            ('a', 'á'),
            ('e', 'é'),
            ('i', 'í'),
            ('o', 'ó'),
            ('u', 'ú'),
            ('y', 'ý'),
        ],
        '\u{302}' => &[
            ('A', 'Â'),
            ('E', 'Ê'),
            ('I', 'Î'),
            ('O', 'Ô'),
            ('U', 'Û'),
            ('a', 'â'),
            ('e', 'ê'),
            ('i', 'î'),
            ('o', 'ô'),
            ('u', 'û'),
        ],
        '\u{303}' => &[
            ('A', 'Ã'),
            ('N', 'Ñ'),
            ('O', 'Õ'),
            ('a', 'ã'),
            ('n', 'ñ'),
            ('o', 'õ'),
        ],
        '\u{308}' => &[
            ('A', 'Ä'),
            ('E', 'Ë'),
            ('I', 'Ï'),
            ('O', 'Ö'),
            ('U', 'Ü'),
            ('Y', 'Ÿ'),
            ('a', 'ä'),
            ('e', 'ë'),
            ('i', 'ï'),
            ('o', 'ö'),
            ('u', 'ü'),
            ('y', 'ÿ'),
        ],
        '\u{30A}' => &[('A', 'Å'), ('a', 'å')],
        '\u{30C}' => &[('S', 'Š'), ('Z', 'Ž'), ('s', 'š'), ('z', 'ž')],
        '\u{327}' => &[('C', 'Ç'), ('c', 'ç')],
        _ => &[],
    };
    pairs
        .iter()
        .find(|(b, _)| *b == base)
        .map(|(_, composed)| *composed)
}

/// A spelling in WinAnsi for a few common characters it lacks.
fn spelt_out(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2010}'..='\u{2012}' | '\u{2212}' | '\u{2043}' => "-",
        '\u{2015}' => "—",
        '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => " ",
        '\u{2032}' => "'",
        '\u{2033}' => "\"",
        '\u{201B}' => "'",
        '\u{201F}' => "\"",
        '\u{2264}' => "<=",
        '\u{2265}' => ">=",
        '\u{2260}' => "!=",
        '\u{2248}' => "~",
        '\u{2192}' | '\u{27F6}' => "->",
        '\u{2190}' | '\u{27F5}' => "<-",
        '\u{21D2}' => "=>",
        '\u{2194}' => "<->",
        '\u{2713}' | '\u{2714}' => "v",
        '\u{2717}' | '\u{2718}' => "x",
        '\u{25CF}' | '\u{25E6}' | '\u{2023}' | '\u{2219}' => "•",
        '\u{2116}' => "n.",
        '\u{0131}' => "i",
        '\u{FB01}' => "fi",
        '\u{FB02}' => "fl",
        _ => return None,
    })
}

/// `text` in the WinAnsi repertoire (see the module doc). Line breaks (`\n`, `\r\n`, `\r`,
/// U+2028, U+2029) are kept as `\n` when `multiline`, else become spaces; tabs become spaces.
pub(crate) fn sanitize(text: &str, multiline: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let line_break = match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                true
            }
            '\n' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}' => true,
            _ => false,
        };
        if line_break {
            out.push(if multiline { '\n' } else { ' ' });
            continue;
        }
        if c == '\t' {
            out.push(' ');
            continue;
        }
        if c.is_control() || invisible(c) {
            continue;
        }
        if ('\u{300}'..='\u{36F}').contains(&c) {
            // A combining mark: put it on the letter before, where WinAnsi has the pair.
            if let Some(composed) = out.chars().next_back().and_then(|b| compose(b, c)) {
                out.pop();
                out.push(composed);
            }
            continue;
        }
        if winansi(c).is_some() {
            out.push(c);
        } else if let Some(s) = spelt_out(c) {
            out.push_str(s);
        } else {
            out.push('?');
        }
    }
    out
}

/// Greedy word wrap of one line of text (no `\n` in it) to `max` points; a word longer than
/// a line is cut between characters. Runs of spaces collapse. An empty or blank input gives
/// no lines.
pub(crate) fn wrap(text: &str, face: Face, size: f32, max: f32) -> Vec<String> {
    let space = width(face, size, " ");
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut current_width = 0.0_f32;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let word_width = width(face, size, word);
        if !current.is_empty() && current_width + space + word_width <= max {
            current.push(' ');
            current.push_str(word);
            current_width += space + word_width;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
            current_width = 0.0;
        }
        if word_width <= max {
            current.push_str(word);
            current_width = word_width;
            continue;
        }
        // Too long for any line: cut it, every piece holding at least one character.
        for c in word.chars() {
            let w = f32::from(char_width(face, c)) * size / 1000.0;
            if !current.is_empty() && current_width + w > max {
                lines.push(std::mem::take(&mut current));
                current_width = 0.0;
            }
            current.push(c);
            current_width += w;
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// `text` cut to fit `max` points, ending in `…` when cut.
pub(crate) fn fit(text: &str, face: Face, size: f32, max: f32) -> String {
    if width(face, size, text) <= max {
        return text.to_owned();
    }
    let room = max - width(face, size, "…");
    let mut out = String::new();
    let mut used = 0.0_f32;
    for c in text.chars() {
        let w = f32::from(char_width(face, c)) * size / 1000.0;
        if used + w > room {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_keeps_italian_and_replaces_the_rest() {
        let cases: &[(&str, bool, &str)] = &[
            ("àèéìòù ÀÈÉÌÒÙ", false, "àèéìòù ÀÈÉÌÒÙ"),
            (
                "€ 1.250,00 «ok» “sì” l’ente – fine…",
                false,
                "€ 1.250,00 «ok» “sì” l’ente – fine…",
            ),
            ("perche\u{301} citta\u{300}", false, "perché città"),
            ("a\r\nb\rc\nd", true, "a\nb\nc\nd"),
            ("a\r\nb", false, "a b"),
            ("a\tb\u{0}c\u{7}d\u{1b}[0m", false, "a bcd[0m"),
            ("\u{202E}abc\u{200B}\u{FEFF}", false, "abc"),
            ("x ≤ 3 → y ≥ 4 − 1", false, "x <= 3 -> y >= 4 - 1"),
            ("日本 😀", false, "?? ?"),
            ("\u{301}start", false, "start"),
            ("", false, ""),
        ];
        for (input, multiline, expected) in cases {
            assert_eq!(sanitize(input, *multiline), *expected, "input {input:?}");
        }
    }

    #[test]
    fn every_sanitized_char_is_winansi() {
        let all: String = (0u32..0x3_0000).filter_map(char::from_u32).collect();
        assert!(sanitize(&all, true)
            .chars()
            .all(|c| c == '\n' || winansi(c).is_some()));
    }

    #[test]
    fn widths_match_afm() {
        let cases: &[(Face, &str, u64)] = &[
            (
                Face::Regular,
                "Helvetica",
                722 + 556 + 222 + 500 + 556 + 278 + 222 + 500 + 556,
            ),
            (Face::Bold, "Note", 722 + 611 + 333 + 556),
            (Face::Regular, "città", 500 + 222 + 278 + 278 + 556),
            (Face::Regular, "€ «»", 556 + 278 + 556 + 556),
            (Face::Regular, "lunedì", 222 + 556 + 556 + 556 + 556 + 278),
            (
                Face::Bold,
                "Niccolò",
                722 + 278 + 556 + 556 + 611 + 278 + 611,
            ),
        ];
        for (face, text, units) in cases {
            let got = width(*face, 1000.0, text);
            assert!(
                (got - *units as f32).abs() < 0.01,
                "{text}: {got} vs {units}"
            );
        }
    }

    #[test]
    fn wrap_fits_and_keeps_every_character() {
        let cases: &[(&str, f32)] = &[
            ("uno due tre quattro cinque sei sette otto nove dieci", 60.0),
            ("Parolalunghissimasenzaspazichenonentrainunariga", 40.0),
            ("a   b    c", 1000.0),
            ("W", 0.5),
            ("", 100.0),
            ("   ", 100.0),
        ];
        for (text, max) in cases {
            let lines = wrap(text, Face::Regular, 10.0, *max);
            for line in &lines {
                assert!(
                    line.chars().count() == 1 || width(Face::Regular, 10.0, line) <= *max,
                    "{line:?} wider than {max}"
                );
            }
            let joined: String = lines.concat().chars().filter(|c| *c != ' ').collect();
            let original: String = text.chars().filter(|c| *c != ' ').collect();
            assert_eq!(joined, original);
        }
    }

    #[test]
    fn fit_cuts_with_ellipsis() {
        assert_eq!(fit("breve", Face::Regular, 10.0, 100.0), "breve");
        let cut = fit(&"m".repeat(100), Face::Regular, 10.0, 50.0);
        assert!(cut.ends_with('…'));
        assert!(width(Face::Regular, 10.0, &cut) <= 50.0);
    }
}
