//! Reading import files into rows, before anything is stored (pure: no I/O).
//!
//! Two formats:
//! - **cst** (ours, documented in `docs/import-format.md`): UTF-8 CSV, `,` or `;`, a header of
//!   field names (English as in the API, or the Italian names listed in [`ALIASES`]).
//! - **istat**: ISTAT's "Elenco dei comuni italiani" as published (`;`, Latin-1), optionally
//!   joined on the ISTAT code with a population file `codice_istat;popolazione;data_riferimento`.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::error::FieldError;
use crate::model::{EntityDraft, ENTITY_FIELDS};

/// One row to import: the fields it sets, and those it sets only on a new entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// Line in the file (1 = header), for error messages.
    pub line: usize,
    pub set: Vec<(String, String)>,
    pub set_on_create: Vec<(String, String)>,
    /// Each field's column as the file names it (`population` → `Popolazione`), so that an
    /// error speaks of the file's own columns. Shared by every row of a file.
    pub columns: Arc<Vec<(String, String)>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// Why a line was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: usize,
    pub errors: Vec<FieldError>,
}

impl RowError {
    pub fn fields(line: usize, errors: Vec<FieldError>) -> Self {
        Self { line, errors }
    }
    pub fn file(line: usize, message: impl Into<String>) -> Self {
        Self {
            line,
            errors: vec![FieldError::new("file", message)],
        }
    }

    /// The same errors with each field named as the file's column (`columns`: field →
    /// column); a field the file has no column for keeps its Italian name.
    pub fn named(mut self, columns: &[(String, String)]) -> Self {
        for e in &mut self.errors {
            if e.field == "file" {
                continue;
            }
            if let Some((_, c)) = columns.iter().find(|(f, _)| *f == e.field) {
                e.field.clone_from(c);
            } else if let Some((alias, _)) = ALIASES.iter().find(|(_, f)| *f == e.field) {
                e.field = (*alias).to_owned();
            }
        }
        self
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "riga {}: ", self.line)?;
        let parts: Vec<String> = self
            .errors
            .iter()
            .map(|e| {
                if e.field == "file" {
                    e.message.clone()
                } else {
                    format!("{} – {}", e.field, e.message)
                }
            })
            .collect();
        f.write_str(&parts.join("; "))
    }
}

/// Italian column names accepted in our format.
pub const ALIASES: &[(&str, &str)] = &[
    ("nome", "name"),
    ("denominazione", "name"),
    ("tipo", "kind"),
    ("codice_istat", "istat_code"),
    ("codice_catastale", "cadastral_code"),
    ("codice_fiscale", "tax_code"),
    ("codice_ipa", "ipa_code"),
    ("codice_univoco_ufficio", "office_code"),
    ("indirizzo", "address"),
    ("cap", "postal_code"),
    ("comune", "city"),
    ("citta", "city"),
    ("provincia", "province"),
    ("popolazione", "population"),
    ("data_popolazione", "population_date"),
    ("postazioni", "workstations"),
    ("server", "servers"),
    ("note", "notes"),
];

pub const MAX_ROWS: usize = 100_000;

/// Text of a file: UTF-8 if it is, else Latin-1 (as ISTAT publishes). A BOM is dropped.
pub fn decode_text(bytes: &[u8]) -> String {
    kernel::text::decode_file(bytes)
}

fn delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    }
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// Finds the line a record starts on, counting from the text itself: the csv crate's own
/// line counter skips blank lines. Records come in order, so counting is incremental.
struct Lines<'a> {
    text: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }
    fn of(&mut self, rec: &csv::StringRecord, fallback: usize) -> usize {
        let Some(mut at) = rec.position().map(|p| p.byte() as usize) else {
            return fallback;
        };
        // The position can point at blank lines skipped before the record.
        while matches!(self.text.get(at), Some(b'\r' | b'\n')) {
            at += 1;
        }
        let end = at.min(self.text.len()).max(self.pos);
        self.line += self.text[self.pos..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.pos = end;
        self.line
    }
}

/// Our format. Every problem with the file is reported at once, with its line.
pub fn parse_cst(bytes: &[u8]) -> Result<Vec<ImportRow>, Vec<RowError>> {
    let text = decode_text(bytes);
    let mut rdr = reader(&text);
    let header = rdr
        .headers()
        .map_err(|e| vec![RowError::file(1, format!("intestazione illeggibile: {e}"))])?
        .clone();
    let mut columns = Vec::new();
    let mut named: Vec<(String, String)> = Vec::new();
    let mut errors = Vec::new();
    for h in header.iter() {
        let key = h.trim().to_lowercase().replace([' ', '-'], "_");
        let field = ENTITY_FIELDS
            .iter()
            .find(|f| **f == key)
            .copied()
            .or_else(|| ALIASES.iter().find(|(a, _)| *a == key).map(|(_, f)| *f));
        match field {
            Some(f) if columns.contains(&f) => {
                errors.push(RowError::file(1, format!("colonna «{h}» ripetuta")))
            }
            Some(f) => {
                columns.push(f);
                named.push((f.to_owned(), h.trim().to_owned()));
            }
            None => errors.push(RowError::file(
                1,
                format!(
                    "colonna «{h}» sconosciuta: le colonne ammesse sono {}",
                    ENTITY_FIELDS.join(", ")
                ),
            )),
        }
    }
    if !columns
        .iter()
        .any(|c| ["name", "istat_code", "tax_code"].contains(c))
    {
        errors.push(RowError::file(
            1,
            "manca la colonna name (o istat_code / tax_code per aggiornare enti esistenti)",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let named = Arc::new(named);
    let mut rows = Vec::new();
    let mut lines = Lines::new(&text);
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError::file(i + 2, format!("riga illeggibile: {e}")));
                continue;
            }
        };
        let line = lines.of(&rec, i + 2);
        if rec.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        if rec.len() != columns.len() {
            errors.push(RowError::file(
                line,
                format!(
                    "{} valori ma l'intestazione ha {} colonne",
                    rec.len(),
                    columns.len()
                ),
            ));
            continue;
        }
        let set: Vec<(String, String)> = columns
            .iter()
            .zip(rec.iter())
            .map(|(c, v)| ((*c).to_owned(), v.trim().to_owned()))
            .collect();
        if let Some(e) = duplicate(&mut seen, &set, line) {
            errors.push(e.named(&named));
            continue;
        }
        rows.push(ImportRow {
            line,
            set,
            set_on_create: vec![],
            columns: named.clone(),
        });
        if rows.len() > MAX_ROWS {
            return Err(vec![RowError::file(
                line,
                format!("troppe righe: al massimo {MAX_ROWS}"),
            )]);
        }
    }
    finish(rows, errors)
}

/// Checks the form of every value before anything is stored, so that a wrong value is
/// reported with its line at once. What depends on stored data (a code already used by another
/// entity, a missing name for a new entity) is checked again while writing.
fn check_values(rows: &[ImportRow]) -> Vec<RowError> {
    let mut errors = Vec::new();
    for row in rows {
        let mut draft = EntityDraft {
            name: "-".into(),
            ..Default::default()
        };
        let mut present: Vec<&str> = Vec::new();
        for (k, v) in row.set.iter().chain(&row.set_on_create) {
            if let Some(f) = draft.field_mut(k) {
                f.clone_from(v);
                present.push(k);
            }
        }
        if let Err(errs) = draft.parse() {
            let errs: Vec<FieldError> = errs
                .into_iter()
                .filter(|e| present.contains(&e.field.as_str()) || e.field == "population_date")
                .filter(|e| e.field != "population_date" || present.contains(&"population"))
                .collect();
            if !errs.is_empty() {
                errors.push(RowError::fields(row.line, errs).named(&row.columns));
            }
        }
    }
    errors
}

fn finish(
    rows: Vec<ImportRow>,
    mut errors: Vec<RowError>,
) -> Result<Vec<ImportRow>, Vec<RowError>> {
    errors.extend(check_values(&rows));
    errors.sort_by_key(|e| e.line);
    if !errors.is_empty() {
        Err(errors)
    } else if rows.is_empty() {
        Err(vec![RowError::file(
            2,
            "il file non contiene righe da importare",
        )])
    } else {
        Ok(rows)
    }
}

fn duplicate(
    seen: &mut HashMap<(String, String), usize>,
    set: &[(String, String)],
    line: usize,
) -> Option<RowError> {
    for key in ["istat_code", "tax_code"] {
        if let Some((_, v)) = set.iter().find(|(k, v)| k == key && !v.trim().is_empty()) {
            if let Some(first) = seen.insert((key.to_owned(), v.trim().to_owned()), line) {
                return Some(RowError::fields(
                    line,
                    vec![FieldError::new(
                        key,
                        format!("valore «{v}» già presente alla riga {first} del file"),
                    )],
                ));
            }
        }
    }
    None
}

/// ISTAT's list of comuni, optionally restricted to one province (its two-letter sigla)
/// and joined with a population file.
pub fn parse_istat(
    comuni: &[u8],
    population: Option<&[u8]>,
    province: Option<&str>,
) -> Result<Vec<ImportRow>, Vec<RowError>> {
    let pop = match population {
        Some(p) => Some(parse_population(p)?),
        None => None,
    };
    let text = decode_text(comuni);
    let mut rdr = reader(&text);
    let header = rdr
        .headers()
        .map_err(|e| vec![RowError::file(1, format!("intestazione illeggibile: {e}"))])?
        .clone();
    let find = |needle: &str| {
        header.iter().position(|h| {
            h.to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .starts_with(needle)
        })
    };
    let wanted = [
        (
            "codice comune formato alfanumerico",
            "Codice Comune formato alfanumerico",
        ),
        ("denominazione in italiano", "Denominazione in italiano"),
        ("sigla automobilistica", "Sigla automobilistica"),
        ("codice catastale", "Codice Catastale del comune"),
    ];
    let mut idx = Vec::new();
    let mut missing = Vec::new();
    for (needle, label) in wanted {
        match find(needle) {
            Some(i) => idx.push(i),
            None => missing.push(label),
        }
    }
    if !missing.is_empty() {
        return Err(vec![RowError::file(
            1,
            format!(
                "non sembra l'elenco comuni ISTAT: mancano le colonne {}",
                missing.join(", ")
            ),
        )]);
    }
    let column = |k: usize| header.get(idx[k]).unwrap_or("").trim().to_owned();
    let mut named = vec![
        ("istat_code".to_owned(), column(0)),
        ("name".to_owned(), column(1)),
        ("city".to_owned(), column(1)),
        ("province".to_owned(), column(2)),
        ("cadastral_code".to_owned(), column(3)),
    ];
    if pop.is_some() {
        named.push((
            "population".to_owned(),
            "popolazione (file della popolazione)".to_owned(),
        ));
        named.push((
            "population_date".to_owned(),
            "data_riferimento (file della popolazione)".to_owned(),
        ));
    }
    let named = Arc::new(named);
    let province = province
        .map(|p| p.trim().to_ascii_uppercase())
        .filter(|p| !p.is_empty());
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut lines = Lines::new(&text);
    let mut seen = HashMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError::file(i + 2, format!("riga illeggibile: {e}")));
                continue;
            }
        };
        let line = lines.of(&rec, i + 2);
        if rec.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let get = |k: usize| rec.get(idx[k]).unwrap_or("").trim().to_owned();
        let (code, name, sigla, cadastral) = (get(0), get(1), get(2), get(3));
        if province.as_deref().is_some_and(|p| p != sigla) {
            continue;
        }
        let mut set = vec![
            ("kind".to_owned(), "comune".to_owned()),
            ("istat_code".to_owned(), code.clone()),
            ("cadastral_code".to_owned(), cadastral),
            ("city".to_owned(), name.clone()),
            ("province".to_owned(), sigla),
        ];
        if let Some((n, date)) = pop.as_ref().and_then(|p| p.get(&code)) {
            set.push(("population".into(), n.to_string()));
            set.push(("population_date".into(), date.clone()));
        }
        if let Some(e) = duplicate(&mut seen, &set, line) {
            errors.push(e.named(&named));
            continue;
        }
        rows.push(ImportRow {
            line,
            set,
            set_on_create: vec![("name".into(), format!("Comune di {name}"))],
            columns: named.clone(),
        });
    }
    if province.is_some() && rows.is_empty() && errors.is_empty() {
        return Err(vec![RowError::file(
            2,
            format!(
                "nessun comune della provincia {} nel file",
                province.unwrap_or_default()
            ),
        )]);
    }
    finish(rows, errors)
}

/// `codice_istat;popolazione;data_riferimento`, one comune a line.
pub fn parse_population(bytes: &[u8]) -> Result<HashMap<String, (u32, String)>, Vec<RowError>> {
    let text = decode_text(bytes);
    let mut rdr = reader(&text);
    let mut out = HashMap::new();
    let mut errors = Vec::new();
    let header: Vec<String> = rdr
        .headers()
        .map(|h| h.iter().map(|s| s.trim().to_lowercase()).collect())
        .unwrap_or_default();
    if header.first().map(String::as_str) != Some("codice_istat") || header.len() < 3 {
        return Err(vec![RowError::file(
            1,
            "file della popolazione: l'intestazione deve essere codice_istat;popolazione;data_riferimento",
        )]);
    }
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let Ok(rec) = rec else {
            errors.push(RowError::file(
                line,
                "file della popolazione: riga illeggibile",
            ));
            continue;
        };
        let code = rec.get(0).unwrap_or("").trim();
        let n = rec.get(1).unwrap_or("").trim().parse::<u32>();
        let date = rec.get(2).unwrap_or("").trim();
        match (
            kernel::IstatCode::parse(code),
            n,
            chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d"),
        ) {
            (Ok(c), Ok(n), Ok(_)) => {
                out.insert(c.as_str().to_owned(), (n, date.to_owned()));
            }
            _ => errors.push(RowError::file(
                line,
                format!(
                    "file della popolazione: riga «{}» non valida",
                    rec.iter().collect::<Vec<_>>().join(";")
                ),
            )),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
#[path = "import/tests.rs"]
mod tests;
