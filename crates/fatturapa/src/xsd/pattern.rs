//! XSD regular expressions (XML Schema Part 2, appendix F) translated to the `regex` crate.
//!
//! XSD patterns are anchored at both ends, know no `^`/`$` anchors (both are ordinary
//! characters), no lazy quantifiers and no back-references; `.` excludes only line feed and
//! carriage return; `\d`, `\s`, `\w` have their XSD meanings; `\p{IsBlock}` names Unicode
//! blocks, which the `regex` crate lacks, so the blocks are a table here. The translation is
//! a parser of the XSD grammar that writes every literal as an escape: anything the grammar
//! does not allow, or that this table does not know (`\i`, `\c`, other blocks), is an error,
//! so an unknown construct makes schema loading fail instead of matching something else.

use regex::Regex;

/// Unicode blocks used by the FatturaPA schema (`\p{IsBasicLatin}`,
/// `\p{IsLatin-1Supplement}`) and their neighbours, as code point ranges.
const BLOCKS: &[(&str, u32, u32)] = &[
    ("BasicLatin", 0x00, 0x7F),
    ("Latin-1Supplement", 0x80, 0xFF),
    ("LatinExtended-A", 0x100, 0x17F),
    ("LatinExtended-B", 0x180, 0x24F),
];

/// Compiles an XSD pattern into an anchored regex.
pub(crate) fn compile(xsd: &str) -> Result<Regex, String> {
    let body = translate(xsd)?;
    regex::RegexBuilder::new(&format!(r"\A(?:{body})\z"))
        .size_limit(64 << 20)
        .build()
        .map_err(|e| format!("modello «{xsd}» non traducibile: {e}"))
}

/// The `regex` crate syntax for an XSD pattern (not anchored).
pub(crate) fn translate(xsd: &str) -> Result<String, String> {
    let mut p = Parser {
        chars: xsd.chars().collect(),
        pos: 0,
        out: String::new(),
    };
    p.reg_exp()?;
    if p.pos != p.chars.len() {
        return Err(p.error("parentesi chiusa senza apertura"));
    }
    Ok(p.out)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    out: String,
}

/// One item of a character class, already in `regex` syntax.
type ClassItem = String;

fn lit(c: char) -> String {
    format!("\\x{{{:X}}}", u32::from(c))
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, k: usize) -> Option<char> {
        self.chars.get(self.pos + k).copied()
    }

    fn error(&self, what: &str) -> String {
        let s: String = self.chars.iter().collect();
        format!(
            "modello XSD «{s}» non supportato alla posizione {}: {what}",
            self.pos
        )
    }

    /// regExp ::= branch ( '|' branch )*
    fn reg_exp(&mut self) -> Result<(), String> {
        self.branch()?;
        while self.peek() == Some('|') {
            self.pos += 1;
            self.out.push('|');
            self.branch()?;
        }
        Ok(())
    }

    /// branch ::= piece*
    fn branch(&mut self) -> Result<(), String> {
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            self.piece()?;
        }
        Ok(())
    }

    /// piece ::= atom quantifier?
    fn piece(&mut self) -> Result<(), String> {
        let c = self.peek().ok_or_else(|| self.error("fine inattesa"))?;
        match c {
            '(' => {
                self.pos += 1;
                self.out.push_str("(?:");
                self.reg_exp()?;
                if self.peek() != Some(')') {
                    return Err(self.error("parentesi non chiusa"));
                }
                self.pos += 1;
                self.out.push(')');
            }
            '[' => {
                let class = self.char_class_expr()?;
                self.out.push_str(&class);
            }
            '\\' => {
                let item = self.escape(false)?;
                self.out.push_str(&item);
            }
            '.' => {
                self.pos += 1;
                self.out.push_str(r"[^\n\r]");
            }
            '?' | '*' | '+' | '{' | '}' | ']' => {
                return Err(self.error("quantificatore o parentesi fuori posto"))
            }
            _ => {
                self.pos += 1;
                self.out.push_str(&lit(c));
            }
        }
        self.quantifier()
    }

    /// quantifier ::= [?*+] | '{' quantity '}'; XSD has no lazy or possessive forms.
    fn quantifier(&mut self) -> Result<(), String> {
        match self.peek() {
            Some(q @ ('?' | '*' | '+')) => {
                self.pos += 1;
                self.out.push(q);
            }
            Some('{') => {
                self.pos += 1;
                let min = self.number()?;
                let mut text = min.to_string();
                if self.peek() == Some(',') {
                    self.pos += 1;
                    text.push(',');
                    if self.peek() != Some('}') {
                        let max = self.number()?;
                        if max < min {
                            return Err(self.error("quantità con massimo minore del minimo"));
                        }
                        text.push_str(&max.to_string());
                    }
                }
                if self.peek() != Some('}') {
                    return Err(self.error("quantità non chiusa"));
                }
                self.pos += 1;
                self.out.push('{');
                self.out.push_str(&text);
                self.out.push('}');
            }
            _ => return Ok(()),
        }
        if matches!(self.peek(), Some('?' | '*' | '+' | '{')) {
            return Err(self.error("quantificatori consecutivi"));
        }
        Ok(())
    }

    fn number(&mut self) -> Result<u32, String> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let digits: String = self.chars[start..self.pos].iter().collect();
        digits
            .parse()
            .map_err(|_| self.error("quantità non numerica"))
    }

    /// charClassExpr ::= '[' charGroup ']'; charGroup ::= (posCharGroup | negCharGroup)
    /// ('-' charClassExpr)?
    fn char_class_expr(&mut self) -> Result<String, String> {
        self.pos += 1; // '['
        let negated = self.peek() == Some('^');
        if negated {
            self.pos += 1;
        }
        let mut items: Vec<ClassItem> = Vec::new();
        let mut subtraction: Option<String> = None;
        loop {
            let c = self.peek().ok_or_else(|| self.error("classe non chiusa"))?;
            match c {
                ']' if !items.is_empty() => {
                    self.pos += 1;
                    break;
                }
                '-' if self.peek_at(1) == Some('[') && !items.is_empty() => {
                    self.pos += 1;
                    subtraction = Some(self.char_class_expr()?);
                    if self.peek() != Some(']') {
                        return Err(self.error("sottrazione non in fondo alla classe"));
                    }
                    self.pos += 1;
                    break;
                }
                '-' if items.is_empty() || self.peek_at(1) == Some(']') => {
                    // A dash at the start or the end of a group is an ordinary character.
                    self.pos += 1;
                    items.push(lit('-'));
                }
                '[' | ']' | '-' => return Err(self.error("carattere non ammesso in una classe")),
                '\\' => {
                    let single = self.single_char_escape_at(self.pos);
                    if let Some(from) = single {
                        self.pos += 2;
                        items.push(self.maybe_range(from)?);
                    } else {
                        let item = self.escape(true)?;
                        items.push(item);
                    }
                }
                _ => {
                    self.pos += 1;
                    items.push(self.maybe_range(c)?);
                }
            }
        }
        let mut class = String::from("[");
        if negated {
            class.push('^');
        }
        for item in &items {
            class.push_str(item);
        }
        if let Some(sub) = subtraction {
            class.push_str("--");
            class.push_str(&sub);
        }
        class.push(']');
        Ok(class)
    }

    /// After the character `from` inside a class: a range `from-to`, or `from` alone.
    fn maybe_range(&mut self, from: char) -> Result<ClassItem, String> {
        if self.peek() != Some('-') || matches!(self.peek_at(1), Some(']' | '[') | None) {
            return Ok(lit(from));
        }
        self.pos += 1; // '-'
        let to = match self.peek() {
            Some('\\') => {
                let c = self
                    .single_char_escape_at(self.pos)
                    .ok_or_else(|| self.error("estremo di intervallo non valido"))?;
                self.pos += 2;
                c
            }
            Some(c) if c != '-' => {
                self.pos += 1;
                c
            }
            _ => return Err(self.error("estremo di intervallo non valido")),
        };
        if to < from {
            return Err(self.error("intervallo rovesciato"));
        }
        Ok(format!("{}-{}", lit(from), lit(to)))
    }

    /// The character of a single-character escape (`\n`, `\.`, …) at `at`, if it is one.
    fn single_char_escape_at(&self, at: usize) -> Option<char> {
        let c = *self.chars.get(at + 1)?;
        match c {
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            '\\' | '|' | '.' | '?' | '*' | '+' | '(' | ')' | '{' | '}' | '-' | '[' | ']' | '^' => {
                Some(c)
            }
            _ => None,
        }
    }

    /// An escape: single character or multi-character class (`\d`, `\p{…}`, …). In a
    /// class the result is a class item, outside a complete atom.
    fn escape(&mut self, in_class: bool) -> Result<String, String> {
        if let Some(c) = self.single_char_escape_at(self.pos) {
            self.pos += 2;
            return Ok(lit(c));
        }
        let c = self
            .peek_at(1)
            .ok_or_else(|| self.error("escape incompleto"))?;
        self.pos += 2;
        let (item, negated) = match c {
            'd' => (r"\p{Nd}".to_owned(), false),
            'D' => (r"\p{Nd}".to_owned(), true),
            's' => (r"\x20\t\n\r".to_owned(), false),
            'S' => (r"\x20\t\n\r".to_owned(), true),
            // XSD \w: everything but punctuation, separators and "other" characters.
            'w' => (r"\p{P}\p{Z}\p{C}".to_owned(), true),
            'W' => (r"\p{P}\p{Z}\p{C}".to_owned(), false),
            'p' | 'P' => (self.property()?, c == 'P'),
            _ => return Err(self.error(&format!("escape «\\{c}» non supportato"))),
        };
        Ok(match (in_class, negated) {
            // Inside a class a negated item becomes a nested negated class.
            (_, true) => format!("[^{item}]"),
            (true, false) => item,
            (false, false) => format!("[{item}]"),
        })
    }

    /// `{IsBlock}` or `{Category}` after `\p`: class items in `regex` syntax.
    fn property(&mut self) -> Result<String, String> {
        if self.peek() != Some('{') {
            return Err(self.error("«\\p» senza nome"));
        }
        let start = self.pos + 1;
        let end = (start..self.chars.len())
            .find(|&i| self.chars[i] == '}')
            .ok_or_else(|| self.error("«\\p{» non chiuso"))?;
        let name: String = self.chars[start..end].iter().collect();
        self.pos = end + 1;
        if let Some(block) = name.strip_prefix("Is") {
            let (_, lo, hi) = BLOCKS
                .iter()
                .find(|(n, _, _)| *n == block)
                .ok_or_else(|| self.error(&format!("blocco Unicode «{block}» non supportato")))?;
            return Ok(format!("\\x{{{lo:X}}}-\\x{{{hi:X}}}"));
        }
        const CATEGORIES: &[&str] = &[
            "L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P",
            "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Z", "Zs", "Zl", "Zp", "S", "Sm", "Sc", "Sk",
            "So", "C", "Cc", "Cf", "Co", "Cn",
        ];
        if CATEGORIES.contains(&name.as_str()) {
            Ok(format!("\\p{{{name}}}"))
        } else {
            Err(self.error(&format!("proprietà Unicode «{name}» non supportata")))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        compile(p).unwrap().is_match(s)
    }

    #[test]
    fn fatturapa_patterns() {
        assert!(m("[A-Z0-9]{6,7}", "UFABCD"));
        assert!(!m("[A-Z0-9]{6,7}", "ABC"));
        assert!(!m("[A-Z0-9]{6,7}", "UFABCDEF"));
        assert!(m(r"(\p{IsBasicLatin}{1,20})", "2026/0001"));
        assert!(!m(r"(\p{IsBasicLatin}{1,20})", "città"));
        assert!(m(
            r"[\p{IsBasicLatin}\p{IsLatin-1Supplement}]{1,60}",
            "Città di Forlì"
        ));
        assert!(!m(
            r"[\p{IsBasicLatin}\p{IsLatin-1Supplement}]{1,60}",
            "5 €"
        ));
        assert!(m(r"[\-]?[0-9]{1,11}\.[0-9]{2}", "-12.50"));
        assert!(!m(r"[\-]?[0-9]{1,11}\.[0-9]{2}", "12.5"));
        assert!(m("[0-9]{1,3}\\.[0-9]{2}", "22.00"));
        assert!(!m("[0-9]{1,3}\\.[0-9]{2}", "22"));
        assert!(m(".+@.+[.]+.+", "a@b.it"));
        assert!(!m(".+@.+[.]+.+", "a@b\nc.it"));
        assert!(m(
            "[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3}){0,1}",
            "UNCRITMM"
        ));
        assert!(!m(
            "[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3}){0,1}",
            "UNCRITMO"
        ));
    }

    #[test]
    fn email_pattern_of_the_schema_compiles() {
        let p = r#"([!#-'*+/-9=?A-Z^-~-]+(\.[!#-'*+/-9=?A-Z^-~-]+)*|"(\[\]!#-[^-~ \t]|(\\[\t -~]))+")@([!#-'*+/-9=?A-Z^-~-]+(\.[!#-'*+/-9=?A-Z^-~-]+)*|\[[\t -Z^-~]*\])"#;
        assert!(m(p, "ufficio@pec.comune.it"));
        assert!(!m(p, "ufficio"));
    }

    #[test]
    fn anchors_and_specials_are_literal() {
        assert!(m("a^b$", "a^b$"));
        assert!(!m("ab", "xab"));
        assert!(m("[a-z-[aeiou]]+", "bcd"));
        assert!(!m("[a-z-[aeiou]]+", "bad"));
        assert!(m(r"\d+\s\w", "42 x"));
    }

    #[test]
    fn unknown_constructs_fail() {
        for p in [
            r"\i",
            r"\p{IsGreek}",
            "a**",
            "a*?",
            "[]",
            "(a",
            "a)",
            "[b-a]",
            r"\k",
        ] {
            assert!(compile(p).is_err(), "{p} should be refused");
        }
    }
}
