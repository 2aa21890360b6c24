//! Address books as vCard (RFC 6350 and the 3.0 and 2.1 versions phones still export): read
//! leniently (folded lines, groups, `TYPE=` lists or 2.1's bare types, quoted-printable, `tel:`
//! URIs, escapes) and written as vCard 3.0, which every phone and mail program imports (lines
//! folded at 75 octets, CRLF, text escaped).

use kernel::FieldError;

use crate::card::Card;
use crate::csvfile::{decode, Read, MAX_ROWS};

/// One logical line: its first physical line's number and its text.
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = vec![];
    let mut qp_open = false;
    for (i, raw) in text.split('\n').enumerate() {
        let l = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(last) = out.last_mut() {
            if qp_open {
                // A quoted-printable soft break: the value goes on.
                last.1.pop();
                last.1.push_str(l);
                qp_open = last.1.ends_with('=') && is_qp(&last.1);
                continue;
            }
            if let Some(rest) = l.strip_prefix([' ', '\t']) {
                last.1.push_str(rest);
                continue;
            }
        }
        out.push((i + 1, l.to_owned()));
        let last = &out[out.len() - 1].1;
        qp_open = last.ends_with('=') && is_qp(last);
    }
    out
}

fn is_qp(line: &str) -> bool {
    line.split_once(':')
        .is_some_and(|(head, _)| head.to_ascii_uppercase().contains("QUOTED-PRINTABLE"))
}

fn quoted_printable(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(n) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(n);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    decode(&out)
}

/// Splits a value at unescaped `sep` and undoes the escapes of each part.
fn parts(v: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n' | 'N') => out.last_mut().map_or((), |s| s.push('\n')),
                Some(x) => out.last_mut().map_or((), |s| s.push(x)),
                None => {}
            },
            c if c == sep => out.push(String::new()),
            c => out.last_mut().map_or((), |s| s.push(c)),
        }
    }
    out
}

fn unescape(v: &str) -> String {
    parts(v, '\u{0}').concat()
}

/// A property line: its name (upper case, group dropped), its parameters (upper case) and
/// its value.
fn property(line: &str) -> Option<(String, Vec<String>, String)> {
    // The value starts at the first ':' outside a quoted parameter.
    let mut quoted = false;
    let split = line.char_indices().find(|(_, c)| {
        if *c == '"' {
            quoted = !quoted;
        }
        *c == ':' && !quoted
    })?;
    let (head, value) = (&line[..split.0], &line[split.0 + 1..]);
    let mut head = head.split(';');
    let name = head.next()?.rsplit('.').next()?.trim().to_ascii_uppercase();
    let params: Vec<String> = head
        .flat_map(|p| {
            let p = p.trim().to_ascii_uppercase();
            match p.split_once('=') {
                Some(("TYPE", list)) => list
                    .trim_matches('"')
                    .split(',')
                    .map(str::to_owned)
                    .collect::<Vec<_>>(),
                _ => vec![p],
            }
        })
        .collect();
    Some((name, params, value.to_owned()))
}

/// Reads a vCard file: each card is good or wrong as a whole, named by the line of its
/// `BEGIN:VCARD`.
pub fn read(bytes: &[u8]) -> Read {
    let text = decode(bytes);
    let mut out = Read::default();
    let mut current: Option<(usize, Card, bool)> = None;
    let mut seen = 0usize;
    for (line, l) in unfold(&text) {
        if l.trim().is_empty() {
            continue;
        }
        let Some((name, params, raw)) = property(&l) else {
            if current.is_some() {
                out.errors.push(
                    FieldError::new("file", format!("riga illeggibile: «{}»", l.trim()))
                        .at_line(line),
                );
            }
            continue;
        };
        let value = if params
            .iter()
            .any(|p| p == "ENCODING=QUOTED-PRINTABLE" || p == "QUOTED-PRINTABLE")
        {
            quoted_printable(&raw)
        } else {
            raw
        };
        match (name.as_str(), current.as_mut()) {
            ("BEGIN", None) if value.trim().eq_ignore_ascii_case("VCARD") => {
                seen += 1;
                if seen > MAX_ROWS {
                    out.errors.push(
                        FieldError::new(
                            "file",
                            format!("troppi contatti: al massimo {MAX_ROWS} per file"),
                        )
                        .at_line(line),
                    );
                    return out;
                }
                current = Some((line, Card::default(), false));
            }
            ("BEGIN", Some((start, _, _))) => {
                out.errors.push(
                    FieldError::new(
                        "file",
                        "un contatto comincia prima che finisca il precedente (manca END:VCARD)",
                    )
                    .at_line(*start),
                );
                current = Some((line, Card::default(), false));
            }
            ("END", Some(_)) => {
                if let Some((start, card, _)) = current.take() {
                    match card.checked() {
                        Ok(c) => out.cards.push((start, c)),
                        Err(errs) => out.errors.extend(
                            errs.into_iter()
                                .map(|e| crate::csvfile::italian_field(e).at_line(start)),
                        ),
                    }
                }
            }
            (_, None) => {
                out.errors.push(
                    FieldError::new("file", "dati fuori da un contatto (manca BEGIN:VCARD)")
                        .at_line(line),
                );
                return out;
            }
            ("FN", Some((_, c, _))) => c.name = unescape(&value).trim().to_owned(),
            ("N", Some((_, c, _))) if c.name.is_empty() => {
                let p = parts(&value, ';');
                let family = p.first().map_or("", |s| s.trim());
                let given = p.get(1).map_or("", |s| s.trim());
                c.name = format!("{given} {family}").trim().to_owned();
            }
            ("ORG", Some((_, c, _))) => {
                c.organisation = parts(&value, ';')
                    .into_iter()
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ");
            }
            ("TITLE" | "ROLE", Some((_, c, _))) if c.role.is_empty() => {
                c.role = unescape(&value).trim().to_owned();
            }
            ("TEL", Some((_, c, _))) => {
                let v = unescape(&value);
                let v = v.trim().strip_prefix("tel:").unwrap_or(v.trim()).to_owned();
                let is = |t: &str| params.iter().any(|p| p == t);
                let slot = if is("FAX") {
                    &mut c.fax
                } else if is("CELL") || is("MOBILE") {
                    &mut c.mobile
                } else if c.phone.is_empty() {
                    &mut c.phone
                } else {
                    &mut c.mobile
                };
                if slot.is_empty() {
                    *slot = v;
                }
            }
            ("EMAIL", Some((_, c, _))) => {
                let v = unescape(&value).trim().to_owned();
                if c.email.is_empty() {
                    c.email = v;
                } else if c.email2.is_empty() {
                    c.email2 = v;
                }
            }
            ("NOTE", Some((_, c, _))) => c.notes = unescape(&value).trim().to_owned(),
            _ => {}
        }
    }
    if let Some((start, _, _)) = current {
        out.errors.push(
            FieldError::new("file", "l'ultimo contatto non finisce (manca END:VCARD)")
                .at_line(start),
        );
    }
    if seen == 0 && out.errors.is_empty() {
        out.errors.push(
            FieldError::new(
                "file",
                "nessun contatto: il file non è una vCard (BEGIN:VCARD)",
            )
            .at_line(1),
        );
    }
    out
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace(['\n', '\r'], "\\n")
}

/// Folds a line at 75 octets without cutting a character, CRLF after each piece.
fn fold(line: &str, out: &mut String) {
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
}

/// An address book as vCard 3.0.
pub fn write(cards: &[Card]) -> String {
    let mut out = String::new();
    for c in cards {
        let mut lines = vec!["BEGIN:VCARD".to_owned(), "VERSION:3.0".to_owned()];
        lines.push(format!("FN:{}", escape(c.label())));
        lines.push(format!("N:{};;;;", escape(c.label())));
        if !c.organisation.is_empty() {
            lines.push(format!("ORG:{}", escape(&c.organisation)));
        }
        if !c.role.is_empty() {
            lines.push(format!("TITLE:{}", escape(&c.role)));
        }
        for (t, v) in [
            ("CELL", &c.mobile),
            ("WORK,VOICE", &c.phone),
            ("WORK,FAX", &c.fax),
        ] {
            if !v.is_empty() {
                lines.push(format!("TEL;TYPE={t}:{}", escape(v)));
            }
        }
        for v in [&c.email, &c.email2] {
            if !v.is_empty() {
                lines.push(format!("EMAIL;TYPE=INTERNET:{}", escape(v)));
            }
        }
        if !c.notes.is_empty() {
            lines.push(format!("NOTE:{}", escape(&c.notes)));
        }
        lines.push("END:VCARD".to_owned());
        for l in lines {
            fold(&l, &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_phones_and_mail_programs_export() {
        let file = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Rossi;Maria;;;\r\nFN:Maria Rossi\r\n\
            ORG:Comune di Teolo;Ufficio\r\n  tecnico\r\nTITLE:Responsabile CED\r\n\
            item1.TEL;TYPE=CELL,VOICE:+39 347 1234567\r\nTEL;TYPE=WORK:049 9998877\r\n\
            TEL;TYPE=FAX:049 9998878\r\nEMAIL;TYPE=INTERNET:maria@teolo.example.it\r\n\
            EMAIL:ced@teolo.example.it\r\nNOTE:Lun\\, mer\\nsolo mattina\r\nEND:VCARD\r\n\
            BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Nicol=C3=B2;Luca;;;\n\
            TEL;CELL:3331234567\nEND:VCARD\n\
            BEGIN:VCARD\nVERSION:4.0\nFN:Anna\nTEL;VALUE=uri;TYPE=\"voice,cell\":tel:+39-333-7654321\nEND:VCARD\n";
        let r = read(file.as_bytes());
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.cards.len(), 3);
        let (line, m) = &r.cards[0];
        assert_eq!(*line, 1);
        assert_eq!(m.name, "Maria Rossi");
        assert_eq!(m.organisation, "Comune di Teolo, Ufficio tecnico");
        assert_eq!(
            (m.mobile.as_str(), m.phone.as_str(), m.fax.as_str()),
            ("+39 347 1234567", "049 9998877", "049 9998878")
        );
        assert_eq!(m.email2, "ced@teolo.example.it");
        assert_eq!(m.notes, "Lun, mer\nsolo mattina");
        assert_eq!(r.cards[1].1.name, "Luca Nicolò");
        assert_eq!(r.cards[1].1.mobile, "3331234567");
        assert_eq!(r.cards[2].1.mobile, "+39-333-7654321");
    }

    #[test]
    fn wrong_cards_are_named_by_their_first_line() {
        let file = "BEGIN:VCARD\nFN:Buono\nEND:VCARD\nBEGIN:VCARD\nFN:Cattivo\nEMAIL:no\nEND:VCARD\nBEGIN:VCARD\nFN:Aperto\n";
        let r = read(file.as_bytes());
        assert_eq!(r.cards.len(), 1);
        let e: Vec<(Option<usize>, &str)> = r
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect();
        assert_eq!(e, [(Some(4), "email"), (Some(8), "file")]);
        assert!(!read(b"nome;cellulare\nMaria;333\n").errors.is_empty());
    }

    #[test]
    fn written_cards_read_back_the_same() {
        let cards = vec![Card {
            name: "Maria Rossi; detta «Mary»".into(),
            organisation: "Comune di Teolo, Ufficio tecnico".into(),
            role: "Responsabile".into(),
            mobile: "+39 347 1234567".into(),
            phone: "049 9998877".into(),
            fax: "049 9998878".into(),
            email: "maria@teolo.example.it".into(),
            email2: "ced@teolo.example.it".into(),
            notes: format!("{}\nfine", "lunga nota con àccenti ".repeat(10)),
        }];
        let text = write(&cards);
        assert!(text.lines().all(|l| l.len() <= 76), "{text}");
        let back = read(text.as_bytes());
        assert!(back.errors.is_empty(), "{:?}", back.errors);
        assert_eq!(back.cards[0].1, cards[0].checked().unwrap());
    }
}
