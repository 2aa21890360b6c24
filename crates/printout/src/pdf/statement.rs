//! The printable yearly statement (*rendiconto*), an A4 PDF of any length: the centre's
//! letterhead, the entity addressed on the right, the title and facts, the lines as a table
//! (Voce · Descrizione · IVA · Importo, descriptions wrapped, the headings repeated on every
//! page), the totals, the payment terms and the notes. A draft carries "BOZZA" on every page.

use super::text::{self, Face};
use super::{
    field_lines, height_of, line, paginate, rule, span, Ink, Item, BODY_LEAD, BODY_SIZE, LEFT, MM,
    RIGHT, SMALL, TABLE_LEAD, TABLE_SIZE, WIDTH,
};
use printpdf::{PdfDocument, PdfSaveOptions};

/// What a printed statement shows; every field is text already formatted for a person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementSheet {
    pub centre_name: String,
    /// Address, "P.IVA … – C.F. …", e-mail, PEC, phone.
    pub centre_lines: Vec<String>,
    /// "Rendiconto n. 2026/0007" or "Bozza di rendiconto 2026".
    pub title: String,
    pub draft: bool,
    /// The entity: its name first, then its address lines and codes.
    pub entity_lines: Vec<String>,
    /// Label and value under the title: Anno, Emesso il, Scadenza, CIG…
    pub facts: Vec<(String, String)>,
    pub lines: Vec<StatementRow>,
    /// Label and value, right-aligned; the last in bold.
    pub totals: Vec<(String, String)>,
    pub payment: Vec<String>,
    pub notes: Vec<String>,
}

/// One line of a statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementRow {
    pub kind: String,
    pub text: String,
    pub vat: String,
    /// Formatted the Italian way: "€ 1.250,00".
    pub amount: String,
}

// Column geometry of the lines table.
const KIND_W: f32 = 30.0 * MM;
const VAT_W: f32 = 30.0 * MM;
const AMOUNT_W: f32 = 28.0 * MM;
const TEXT_X: f32 = LEFT + KIND_W;
const VAT_X: f32 = RIGHT - AMOUNT_W - VAT_W;
const TEXT_W: f32 = VAT_X - TEXT_X - 3.0 * MM;

fn right(x_end: f32, face: Face, size: f32, ink: Ink, s: &str) -> super::Span {
    let w = text::width(face, size, s);
    span(x_end - w, face, size, ink, s)
}

fn headings() -> Vec<super::Span> {
    vec![
        span(LEFT, Face::Bold, TABLE_SIZE, Ink::Black, "Voce"),
        span(TEXT_X, Face::Bold, TABLE_SIZE, Ink::Black, "Descrizione"),
        span(VAT_X, Face::Bold, TABLE_SIZE, Ink::Black, "IVA"),
        right(RIGHT, Face::Bold, TABLE_SIZE, Ink::Black, "Importo"),
    ]
}

fn items(sheet: &StatementSheet) -> Vec<Item> {
    let mut items = Vec::new();
    // The letterhead on the left, the entity on the right, side by side.
    let half = WIDTH / 2.0 - 6.0 * MM;
    let entity_x = LEFT + WIDTH / 2.0 + 6.0 * MM;
    let mut left: Vec<(Face, String)> = text::wrap(
        &text::sanitize(&sheet.centre_name, false),
        Face::Bold,
        11.0,
        half,
    )
    .into_iter()
    .map(|l| (Face::Bold, l))
    .collect();
    for l in &sheet.centre_lines {
        for w in text::wrap(&text::sanitize(l, false), Face::Regular, 9.0, half) {
            left.push((Face::Regular, w));
        }
    }
    let mut right_col: Vec<(Face, String)> = vec![(Face::Regular, "Spett.le".to_owned())];
    for (i, l) in sheet.entity_lines.iter().enumerate() {
        let face = if i == 0 { Face::Bold } else { Face::Regular };
        for w in text::wrap(&text::sanitize(l, false), face, 10.0, half) {
            right_col.push((face, w));
        }
    }
    for i in 0..left.len().max(right_col.len()) {
        let mut spans = Vec::new();
        if let Some((face, t)) = left.get(i) {
            let size = if *face == Face::Bold { 11.0 } else { 9.0 };
            let ink = if *face == Face::Bold {
                Ink::Blue
            } else {
                Ink::Grey
            };
            spans.push(span(LEFT, *face, size, ink, t.clone()));
        }
        if let Some((face, t)) = right_col.get(i) {
            spans.push(span(entity_x, *face, 10.0, Ink::Black, t.clone()));
        }
        items.push(line(13.0, spans));
    }
    items.push(Item::Gap(14.0));
    for l in text::wrap(
        &text::sanitize(&sheet.title, false),
        Face::Bold,
        17.0,
        WIDTH,
    ) {
        items.push(line(22.0, vec![span(LEFT, Face::Bold, 17.0, Ink::Blue, l)]));
    }
    items.push(Item::Gap(4.0));
    let label_w = 40.0 * MM;
    for (label, value) in &sheet.facts {
        for (i, l) in field_lines(value, Face::Regular, TABLE_SIZE, WIDTH - label_w)
            .into_iter()
            .enumerate()
        {
            let mut spans = Vec::with_capacity(2);
            if i == 0 {
                spans.push(span(
                    LEFT,
                    Face::Bold,
                    TABLE_SIZE,
                    Ink::Black,
                    text::sanitize(label, false),
                ));
            }
            spans.push(span(
                LEFT + label_w,
                Face::Regular,
                TABLE_SIZE,
                Ink::Black,
                l,
            ));
            items.push(line(TABLE_LEAD, spans));
        }
    }
    items.push(Item::Gap(10.0));

    // The lines table, its headings repeated on every page it runs on.
    items.push(Item::Keep(3.0 * TABLE_LEAD));
    items.push(line(TABLE_LEAD, headings()));
    items.push(rule(false));
    items.push(Item::Repeat(Some(headings())));
    if sheet.lines.is_empty() {
        items.push(line(
            TABLE_LEAD,
            vec![span(
                TEXT_X,
                Face::Regular,
                TABLE_SIZE,
                Ink::Grey,
                "Nessuna riga",
            )],
        ));
    }
    for row in &sheet.lines {
        let kind = text::wrap(
            &text::sanitize(&row.kind, false),
            Face::Regular,
            9.0,
            KIND_W - 2.0 * MM,
        );
        let desc = field_lines(&row.text, Face::Regular, TABLE_SIZE, TEXT_W);
        let vat = text::wrap(
            &text::sanitize(&row.vat, false),
            Face::Regular,
            9.0,
            VAT_W - 2.0 * MM,
        );
        let amount = text::fit(
            &text::sanitize(&row.amount, false),
            Face::Regular,
            TABLE_SIZE,
            AMOUNT_W,
        );
        let n = desc.len().max(kind.len()).max(vat.len()).max(1);
        let mut block = vec![Item::Gap(2.0)];
        for i in 0..n {
            let mut spans = Vec::new();
            if let Some(k) = kind.get(i) {
                spans.push(span(LEFT, Face::Regular, 9.0, Ink::Grey, k.clone()));
            }
            if let Some(d) = desc.get(i) {
                spans.push(span(
                    TEXT_X,
                    Face::Regular,
                    TABLE_SIZE,
                    Ink::Black,
                    d.clone(),
                ));
            }
            if let Some(v) = vat.get(i) {
                spans.push(span(VAT_X, Face::Regular, 9.0, Ink::Black, v.clone()));
            }
            if i == 0 {
                spans.push(right(RIGHT, Face::Regular, TABLE_SIZE, Ink::Black, &amount));
            }
            block.push(line(TABLE_LEAD, spans));
        }
        block.push(Item::Gap(2.0));
        block.push(rule(true));
        let h = height_of(&block);
        if h < 600.0 {
            items.push(Item::Keep(h));
        }
        items.extend(block);
    }
    items.push(Item::Repeat(None));

    // Totals, right-aligned; the last in bold.
    items.push(Item::Gap(8.0));
    let totals_x = LEFT + WIDTH * 0.35;
    let n = sheet.totals.len();
    let mut block = Vec::new();
    for (i, (label, value)) in sheet.totals.iter().enumerate() {
        let face = if i + 1 == n {
            Face::Bold
        } else {
            Face::Regular
        };
        let labels = text::wrap(
            &text::sanitize(label, false),
            face,
            TABLE_SIZE,
            RIGHT - AMOUNT_W - totals_x - 4.0 * MM,
        );
        for (j, l) in labels.into_iter().enumerate() {
            let mut spans = vec![span(totals_x, face, TABLE_SIZE, Ink::Black, l)];
            if j == 0 {
                spans.push(right(
                    RIGHT,
                    face,
                    TABLE_SIZE,
                    Ink::Black,
                    &text::sanitize(value, false),
                ));
            }
            block.push(line(TABLE_LEAD, spans));
        }
    }
    items.push(Item::Keep(height_of(&block)));
    items.extend(block);

    for (title, paragraphs) in [("Pagamento", &sheet.payment), ("Note", &sheet.notes)] {
        let paragraphs: Vec<String> = paragraphs
            .iter()
            .map(|p| text::sanitize(p, false))
            .filter(|p| !p.trim().is_empty())
            .collect();
        if paragraphs.is_empty() {
            continue;
        }
        items.push(Item::Gap(12.0));
        items.push(Item::Keep(18.0 + 2.0 * BODY_LEAD));
        items.push(line(
            16.0,
            vec![span(LEFT, Face::Bold, 12.0, Ink::Blue, title)],
        ));
        items.push(rule(true));
        items.push(Item::Gap(4.0));
        let size = if title == "Note" { SMALL } else { BODY_SIZE };
        for p in paragraphs {
            for l in text::wrap(&p, Face::Regular, size, WIDTH) {
                items.push(line(
                    if title == "Note" { 11.0 } else { BODY_LEAD },
                    vec![span(LEFT, Face::Regular, size, Ink::Black, l)],
                ));
            }
        }
    }
    items
}

/// The statement as the bytes of a PDF file. Any input gives a valid document.
pub fn statement(sheet: &StatementSheet) -> Vec<u8> {
    let title = text::sanitize(&sheet.title, false);
    let running = format!("{} (segue)", title.trim());
    let pages = paginate(
        items(sheet),
        &running,
        &sheet.centre_name,
        sheet.draft.then_some("BOZZA"),
    );
    let mut warnings = Vec::new();
    PdfDocument::new(title.trim())
        .with_pages(pages)
        .save(&PdfSaveOptions::default(), &mut warnings)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn sheet(lines: usize, draft: bool) -> StatementSheet {
        StatementSheet {
            centre_name: "Provincia di Padova - Centro Servizi Territoriale".into(),
            centre_lines: vec![
                "Piazza Antenore 3, 35121 Padova (PD)".into(),
                "P.IVA 00700440282 - C.F. 80006510285".into(),
            ],
            title: if draft {
                "Bozza di rendiconto 2026".into()
            } else {
                "Rendiconto n. 2026/0001".into()
            },
            draft,
            entity_lines: vec!["Comune di Abano Terme".into(), "C.F. 00644060287".into()],
            facts: vec![("Anno".into(), "2026".into()), ("Scadenza".into(), "31/01/2027".into())],
            lines: (0..lines)
                .map(|i| StatementRow {
                    kind: "Canone annuo".into(),
                    text: format!("Riga {i}: attività – perché «così» è più lunga di quanto una colonna possa contenere, e va a capo più volte senza mai uscire dalla sua colonna"),
                    vat: "22%".into(),
                    amount: format!("€ {i}.250,00"),
                })
                .collect(),
            totals: vec![("Imponibile".into(), "€ 1.250,00".into()), ("Totale".into(), "€ 1.525,00".into())],
            payment: vec!["IBAN IT60X0542811101000000123456".into()],
            notes: vec!["Documento senza valore fiscale: la fattura elettronica segue.".into()],
        }
    }

    fn text_of(pdf: &[u8]) -> (usize, String) {
        let doc = lopdf::Document::load_mem(pdf).unwrap();
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        let text = doc.extract_text(&pages).unwrap_or_default();
        (pages.len(), text)
    }

    #[test]
    fn a_short_statement_is_one_page_with_everything_on_it() {
        let (pages, text) = text_of(&statement(&sheet(3, false)));
        assert_eq!(pages, 1);
        for needle in [
            "Rendiconto n. 2026/0001",
            "Comune di Abano Terme",
            "Totale",
            "IBAN",
            "Pagina 1 di 1",
            "€ 2.250,00",
        ] {
            assert!(text.contains(needle), "{needle} missing: {text}");
        }
        assert!(!text.contains("BOZZA"));
    }

    #[test]
    fn a_long_statement_runs_on_pages_that_repeat_the_headings() {
        let (pages, text) = text_of(&statement(&sheet(300, true)));
        assert!(pages > 5, "{pages}");
        assert!(text.contains(&format!("Pagina {pages} di {pages}")));
        assert_eq!(
            text.matches("Descrizione").count(),
            pages,
            "headings on every page"
        );
        assert_eq!(text.matches("BOZZA").count(), pages);
        for i in [0, 150, 299] {
            assert_eq!(text.matches(&format!("Riga {i}:")).count(), 1, "line {i}");
        }
    }
}
