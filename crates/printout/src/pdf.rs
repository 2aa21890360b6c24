//! The printed documents, A4 PDFs: the work report (*rapporto di intervento*, here) and the
//! yearly statement (*rendiconto*, module `statement`).
//!
//! printpdf places text where it is told and no more, so the layout is done here: every
//! piece of text is wrapped to its column with Helvetica's widths (module `text`) and flowed
//! down the page (module `layout`), a new page starting whenever the next line would not fit.
//! Headings keep a few lines of their section with them, a table row stays whole when it can,
//! and a table's column headings are repeated on every page it runs on. In the work report
//! the closing (acknowledgement or signature lines) is never split. Every page ends with
//! "Pagina N di M".
//!
//! Only the built-in Helvetica faces are used, so nothing is embedded: text is limited to
//! WinAnsi (Windows-1252), which has every Italian letter, `€` and `« »`; the `text` module
//! says what happens to characters outside it.

mod layout;
mod statement;
mod text;
mod training;

pub use statement::{statement, StatementRow, StatementSheet};
pub use training::{attendance_register, certificate, CertificateSheet, RegisterSheet};

use layout::{
    field_lines, heading, line, paginate, push_kept, rule, span, Ink, Item, BODY_LEAD, BODY_SIZE,
    BOTTOM, DASH, LEFT, MM, RIGHT, TABLE_LEAD, TABLE_SIZE, TOP_CONTINUED, WIDTH,
};
use printpdf::{PdfDocument, PdfPage, PdfSaveOptions};
use text::Face;

/// What a printed work report shows. Every field is text already formatted for a person
/// (dates, durations); the report lays it out and adds nothing of its own but labels.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkReportSheet {
    /// The issuing centre, e.g. "Centro Servizi Territoriale della Provincia".
    pub centre: String,
    /// The report's number as shown, e.g. "Rapporto n. 123".
    pub number: String,
    /// The member entity (municipality) the work was for.
    pub entity: String,
    /// The day of the work, e.g. "25/11/2026".
    pub date: String,
    /// "Presso l'ente" or "Da remoto".
    pub mode: String,
    /// e.g. "3 h 00 min".
    pub duration: String,
    /// What the work was charged to, e.g. "Pacchetto PD14 · 2026" or "Ticket n. 12".
    pub reference: Option<String>,
    /// Who did the work.
    pub technician: String,
    /// What was done: free text, paragraphs separated by line breaks, any length.
    pub description: String,
    /// Flags in words, e.g. "Diritto di chiamata"; one bullet each.
    pub notes: Vec<String>,
    /// The entity's acknowledgement, e.g. "Presa visione di Mario Rossi il 26/11/2026 alle
    /// 10:12"; when absent, the report ends with two signature lines instead.
    pub acknowledged: Option<String>,
    /// When the report was printed, shown in the footer.
    pub printed_at: String,
}

/// The report as the bytes of a PDF file. Any input gives a valid document: text is wrapped
/// (long words cut), paginated, and brought into the fonts' repertoire.
pub fn work_report(sheet: &WorkReportSheet) -> Vec<u8> {
    render(sheet, &PdfSaveOptions::default())
}

fn render(sheet: &WorkReportSheet, options: &PdfSaveOptions) -> Vec<u8> {
    let pages = layout(sheet);
    let number = text::sanitize(&sheet.number, false);
    let title = if number.trim().is_empty() {
        "Rapporto di intervento".to_owned()
    } else {
        format!("Rapporto di intervento · {}", number.trim())
    };
    let mut warnings = Vec::new();
    PdfDocument::new(&title)
        .with_pages(pages)
        .save(options, &mut warnings)
}

const LABEL_W: f32 = 34.0 * MM;

/// Everything in the report, top to bottom, before it is cut into pages.
fn items(sheet: &WorkReportSheet) -> Vec<Item> {
    let mut items = Vec::new();

    // Head: centre, title, number.
    for l in text::wrap(
        &text::sanitize(&sheet.centre, false),
        Face::Regular,
        10.0,
        WIDTH,
    ) {
        items.push(line(
            13.0,
            vec![span(LEFT, Face::Regular, 10.0, Ink::Grey, l)],
        ));
    }
    items.push(Item::Gap(4.0));
    items.push(line(
        24.0,
        vec![span(
            LEFT,
            Face::Bold,
            18.0,
            Ink::Blue,
            "Rapporto di intervento",
        )],
    ));
    for l in text::wrap(
        &text::sanitize(&sheet.number, false),
        Face::Bold,
        12.0,
        WIDTH,
    ) {
        items.push(line(
            16.0,
            vec![span(LEFT, Face::Bold, 12.0, Ink::Black, l)],
        ));
    }
    items.push(Item::Gap(6.0));
    items.push(rule(false));
    items.push(Item::Gap(6.0));

    // The fields, as a two-column table with a hairline under each row.
    let reference = sheet.reference.as_deref().unwrap_or("");
    let fields: [(&str, &str); 6] = [
        ("Ente", &sheet.entity),
        ("Data", &sheet.date),
        ("Modalità", &sheet.mode),
        ("Durata", &sheet.duration),
        ("Riferimento", reference),
        ("Tecnico", &sheet.technician),
    ];
    let value_x = LEFT + LABEL_W;
    for (label, value) in fields {
        let mut row = vec![Item::Gap(3.0)];
        let lines = field_lines(value, Face::Regular, TABLE_SIZE, RIGHT - value_x);
        for (i, l) in lines.into_iter().enumerate() {
            let mut spans = Vec::with_capacity(2);
            if i == 0 {
                spans.push(span(LEFT, Face::Bold, TABLE_SIZE, Ink::Black, label));
            }
            spans.push(span(value_x, Face::Regular, TABLE_SIZE, Ink::Black, l));
            row.push(line(TABLE_LEAD, spans));
        }
        row.push(Item::Gap(3.0));
        row.push(rule(true));
        push_kept(&mut items, row, TOP_CONTINUED - BOTTOM);
    }

    // What was done, paragraph by paragraph; blank lines become one half-line gap.
    heading(&mut items, "Attività svolta", 2.0 * BODY_LEAD);
    let description = text::sanitize(&sheet.description, true);
    let mut wrote = false;
    let mut pending_gap = false;
    for paragraph in description.split('\n') {
        let lines = text::wrap(paragraph, Face::Regular, BODY_SIZE, WIDTH);
        if lines.is_empty() {
            pending_gap = wrote;
            continue;
        }
        if pending_gap {
            items.push(Item::Gap(BODY_LEAD / 2.0));
            pending_gap = false;
        }
        for l in lines {
            items.push(line(
                BODY_LEAD,
                vec![span(LEFT, Face::Regular, BODY_SIZE, Ink::Black, l)],
            ));
        }
        wrote = true;
    }
    if !wrote {
        items.push(line(
            BODY_LEAD,
            vec![span(LEFT, Face::Regular, BODY_SIZE, Ink::Grey, DASH)],
        ));
    }

    // Notes, one bullet each.
    let notes: Vec<String> = sheet
        .notes
        .iter()
        .map(|n| text::sanitize(n, false))
        .filter(|n| !n.trim().is_empty())
        .collect();
    if !notes.is_empty() {
        heading(&mut items, "Note", BODY_LEAD);
        let indent = 12.0;
        for note in notes {
            for (i, l) in text::wrap(&note, Face::Regular, BODY_SIZE, WIDTH - indent)
                .into_iter()
                .enumerate()
            {
                let mut spans = Vec::with_capacity(2);
                if i == 0 {
                    spans.push(span(LEFT + 2.0, Face::Regular, BODY_SIZE, Ink::Black, "•"));
                }
                spans.push(span(LEFT + indent, Face::Regular, BODY_SIZE, Ink::Black, l));
                items.push(line(BODY_LEAD, spans));
            }
        }
    }

    // The closing: the entity's acknowledgement, or lines to sign on.
    let acknowledged = sheet
        .acknowledged
        .as_deref()
        .map(|a| text::sanitize(a, false))
        .filter(|a| !a.trim().is_empty());
    let mut closing = vec![Item::Gap(22.0)];
    match acknowledged {
        Some(ack) => {
            closing.push(rule(true));
            closing.push(Item::Gap(4.0));
            for l in text::wrap(&ack, Face::Bold, BODY_SIZE, WIDTH) {
                closing.push(line(
                    BODY_LEAD,
                    vec![span(LEFT, Face::Bold, BODY_SIZE, Ink::Black, l)],
                ));
            }
        }
        None => {
            let sign_w = 70.0 * MM;
            closing.push(Item::Gap(34.0));
            closing.push(Item::Rule {
                segments: vec![(LEFT, LEFT + sign_w), (RIGHT - sign_w, RIGHT)],
                thickness: 0.6,
                grey: false,
                height: 4.0,
            });
            closing.push(line(
                12.0,
                vec![
                    span(LEFT, Face::Regular, 9.0, Ink::Grey, "Il tecnico"),
                    span(RIGHT - sign_w, Face::Regular, 9.0, Ink::Grey, "Per l'ente"),
                ],
            ));
        }
    }
    push_kept(&mut items, closing, TOP_CONTINUED - BOTTOM);
    items
}

/// Cuts the items into pages and draws them, with a running head on every page after the
/// first and a footer on all.
fn layout(sheet: &WorkReportSheet) -> Vec<PdfPage> {
    let running = {
        let number = text::sanitize(&sheet.number, false);
        if number.trim().is_empty() {
            "Rapporto di intervento (segue)".to_owned()
        } else {
            format!("Rapporto di intervento · {} (segue)", number.trim())
        }
    };
    let printed = text::sanitize(&sheet.printed_at, false);
    let printed = if printed.trim().is_empty() {
        String::new()
    } else {
        format!("Stampato il {}", printed.trim())
    };
    paginate(items(sheet), &running, &printed, None)
}

#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;
