//! Address books as CSV: read (UTF-8 or Latin-1, `;` or `,`, a header naming the columns in
//! Italian or English) and written (`;`, UTF-8 with a BOM so that a spreadsheet opens it as
//! such, cells neutralised against formulas by [`kernel::csv::cell`]).

use kernel::FieldError;

use crate::card::Card;

/// The columns, each with the names a header may give it (lower case, accents as written).
pub const COLUMNS: [(&str, &[&str]); 9] = [
    (
        "name",
        &["name", "nome", "nome e cognome", "nominativo", "full name"],
    ),
    (
        "organisation",
        &[
            "organisation",
            "organization",
            "organizzazione",
            "ente",
            "azienda",
            "ufficio",
            "company",
        ],
    ),
    (
        "role",
        &["role", "ruolo", "qualifica", "title", "job title"],
    ),
    ("mobile", &["mobile", "cellulare", "cell", "mobile phone"]),
    ("phone", &["phone", "telefono", "tel", "business phone"]),
    ("fax", &["fax"]),
    (
        "email",
        &["email", "e-mail", "posta elettronica", "e-mail address"],
    ),
    ("email2", &["email2", "e-mail 2", "pec", "altra e-mail"]),
    ("notes", &["notes", "note"]),
];

/// The header we write: the Italian names.
const HEADER: [&str; 9] = [
    "nome",
    "organizzazione",
    "ruolo",
    "cellulare",
    "telefono",
    "fax",
    "email",
    "email2",
    "note",
];

/// The most rows a file may hold.
pub const MAX_ROWS: usize = 20_000;

/// What a file held: the good cards with their line, and every wrong line's reasons.
#[derive(Debug, Default)]
pub struct Read {
    pub cards: Vec<(usize, Card)>,
    pub errors: Vec<FieldError>,
}

/// The text of a file: UTF-8 if it is, else Latin-1; a BOM is dropped.
pub fn decode(bytes: &[u8]) -> String {
    kernel::text::decode_file(bytes)
}

fn file_error(line: usize, message: impl Into<String>) -> FieldError {
    FieldError::new("file", message).at_line(line)
}

/// Reads a CSV address book. Wrong lines are named with their reasons; the file's own
/// problems (no header, an unknown or repeated column, too many rows) are line 1's.
pub fn read(bytes: &[u8]) -> Read {
    let text = decode(bytes);
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() >= first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut out = Read::default();
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = match r.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            out.errors
                .push(file_error(1, format!("intestazione illeggibile: {e}")));
            return out;
        }
    };
    let mut fields: Vec<Option<&'static str>> = vec![];
    for h in header.iter() {
        let name = h.trim().to_lowercase();
        let found = COLUMNS
            .iter()
            .find(|(_, names)| names.contains(&name.as_str()))
            .map(|(f, _)| *f);
        match found {
            Some(f) if fields.contains(&Some(f)) => {
                out.errors
                    .push(file_error(1, format!("colonna «{}» ripetuta", h.trim())));
            }
            Some(f) => fields.push(Some(f)),
            None if name.is_empty() => fields.push(None),
            None => out.errors.push(file_error(
                1,
                format!(
                    "colonna «{}» sconosciuta: le colonne sono {}",
                    h.trim(),
                    HEADER.join(", ")
                ),
            )),
        }
    }
    if !fields
        .iter()
        .any(|f| matches!(f, Some("name" | "organisation")))
    {
        out.errors.push(file_error(
            1,
            "manca la colonna «nome» (o «organizzazione»): la prima riga deve nominare le colonne",
        ));
    }
    if !out.errors.is_empty() {
        return out;
    }
    // Lines counted from the text itself (the csv crate's counter skips blank lines).
    let bytes = text.as_bytes();
    let (mut pos, mut counted) = (0usize, 1usize);
    for (i, rec) in r.records().enumerate() {
        let line = match rec.as_ref().ok().and_then(|x| x.position()) {
            Some(p) => {
                let mut at = usize::try_from(p.byte()).unwrap_or(0).min(bytes.len());
                while matches!(bytes.get(at), Some(b'\r' | b'\n')) {
                    at += 1;
                }
                let at = at.min(bytes.len()).max(pos);
                counted += bytes[pos..at].iter().filter(|&&b| b == b'\n').count();
                pos = at;
                counted
            }
            None => i + 2,
        };
        if i >= MAX_ROWS {
            out.errors.push(file_error(
                line,
                format!("troppe righe: al massimo {MAX_ROWS} per file"),
            ));
            break;
        }
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                out.errors
                    .push(file_error(line, format!("riga illeggibile: {e}")));
                continue;
            }
        };
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rec.len() > fields.len() {
            out.errors.push(file_error(
                line,
                format!("{} valori per {} colonne", rec.len(), fields.len()),
            ));
            continue;
        }
        let mut card = Card::default();
        for (v, f) in rec.iter().zip(&fields) {
            // A cell we (or a careful exporter) guarded against formulas reads back as typed.
            let v = match v.strip_prefix('\'') {
                Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_owned(),
                _ => v.to_owned(),
            };
            match f {
                Some("name") => card.name = v,
                Some("organisation") => card.organisation = v,
                Some("role") => card.role = v,
                Some("mobile") => card.mobile = v,
                Some("phone") => card.phone = v,
                Some("fax") => card.fax = v,
                Some("email") => card.email = v,
                Some("email2") => card.email2 = v,
                Some("notes") => card.notes = v,
                _ => {}
            }
        }
        match card.checked() {
            Ok(c) => out.cards.push((line, c)),
            Err(errs) => out
                .errors
                .extend(errs.into_iter().map(|e| italian_field(e).at_line(line))),
        }
    }
    out
}

/// A card's field named as our CSV header names it.
pub fn italian_field(mut e: FieldError) -> FieldError {
    if let Some(i) = COLUMNS.iter().position(|(f, _)| *f == e.field) {
        e.field = HEADER[i].to_owned();
    }
    e
}

/// An address book as CSV.
pub fn write(cards: &[Card]) -> String {
    let mut out = String::from("\u{feff}");
    let line = |cells: &[&str]| {
        cells
            .iter()
            .map(|c| kernel::csv::cell(c, ';'))
            .collect::<Vec<_>>()
            .join(";")
            + "\r\n"
    };
    out.push_str(&line(&HEADER));
    for c in cards {
        out.push_str(&line(&[
            &c.name,
            &c.organisation,
            &c.role,
            &c.mobile,
            &c.phone,
            &c.fax,
            &c.email,
            &c.email2,
            &c.notes,
        ]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_italian_headers_either_separator_and_names_bad_lines() {
        let file = "Nome;Ente;Cellulare;E-mail\n\
                    Maria Rossi;Comune di Teolo;+39 347 1234567;maria@teolo.example.it\n\
                    \n\
                    Gino;;abc;gino@\n\
                    ;Ufficio tecnico;049 111 2222;\n";
        let r = read(file.as_bytes());
        assert_eq!(r.cards.len(), 2);
        assert_eq!(r.cards[0].0, 2);
        assert_eq!(r.cards[1].1.organisation, "Ufficio tecnico");
        let bad: Vec<(Option<usize>, &str)> = r
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect();
        assert_eq!(bad, [(Some(4), "cellulare"), (Some(4), "email")]);
        let comma = "name,mobile\n\"Rossi, Maria\",3471234567\n";
        let r = read(comma.as_bytes());
        assert_eq!(r.cards[0].1.name, "Rossi, Maria");
    }

    #[test]
    fn unknown_or_missing_columns_refuse_the_file() {
        let r = read(b"nome;colore\nMaria;blu\n");
        assert_eq!(r.errors[0].line, Some(1));
        assert!(r.errors[0].message.contains("«colore» sconosciuta"));
        let r = read(b"email\nm@example.org\n");
        assert!(r.errors[0].message.contains("manca la colonna «nome»"));
    }

    #[test]
    fn written_files_read_back_the_same_and_formulas_stay_text() {
        let cards = vec![
            Card {
                name: "=HYPERLINK(\"x\")".into(),
                organisation: "Comune; di \"Teolo\"".into(),
                mobile: "+39 347 1234567".into(),
                notes: "prima riga\nseconda".into(),
                ..Default::default()
            },
            Card {
                name: "Anna Bianchi".into(),
                email: "anna@example.org".into(),
                ..Default::default()
            },
        ];
        let text = write(&cards);
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains("\"'=HYPERLINK"));
        let back = read(text.as_bytes());
        assert!(back.errors.is_empty(), "{:?}", back.errors);
        assert_eq!(back.cards[1].1, cards[1]);
        assert_eq!(back.cards[0].1.organisation, cards[0].organisation);
        assert_eq!(back.cards[0].1.notes, cards[0].notes);
    }
}
