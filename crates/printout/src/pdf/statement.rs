//! The printable yearly statement (*rendiconto*), an A4 PDF of any length: the centre's
//! letterhead top left, the entity addressed on the right ("Spett.le"), the title and its
//! facts, the lines as a table (Voce · Descrizione · IVA · Importo, descriptions wrapped in
//! their column, amounts right-aligned, the headings repeated on every page the table runs
//! on), the totals as a right-aligned block, the payment terms and the notes. Every page ends
//! with the centre's name and "Pagina N di M"; a draft carries "BOZZA" across every page.

use printpdf::{PdfDocument, PdfSaveOptions};

use super::layout::{
    field_lines, heading, height_of, line, paginate, push_kept, right, rule, span, Ink, Item, Span,
    BODY_LEAD, BODY_SIZE, BOTTOM, LEFT, MM, REPEATED_H, RIGHT, SMALL, TABLE_LEAD, TABLE_SIZE,
    TOP_CONTINUED, WIDTH,
};
use super::text::{self, Face};

/// What a printed statement shows. Every field is text already formatted for a person
/// (dates, amounts the Italian way); the statement lays it out and adds only its column
/// headings and section titles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementSheet {
    /// The centre's name, the letterhead's first line (bold); also in every page's footer.
    pub centre_name: String,
    /// The rest of the letterhead: address, "P.IVA … – C.F. …", e-mail, PEC, phone.
    pub centre_lines: Vec<String>,
    /// "Rendiconto n. 2026/0007" or "Bozza di rendiconto 2026".
    pub title: String,
    /// A draft carries "BOZZA" across every page.
    pub draft: bool,
    /// The entity billed: its name first (bold), then its address lines, "C.F. …",
    /// "Codice univoco ufficio …".
    pub entity_lines: Vec<String>,
    /// Label and value under the title: Anno, Numero, Data di emissione, Scadenza, CIG, CUP…
    pub facts: Vec<(String, String)>,
    /// The table's rows, in order; any number of them.
    pub lines: Vec<StatementRow>,
    /// Label and value at the bottom right: Imponibile, IVA 22%, Totale, "Da versare al
    /// centro (scissione dei pagamenti)"…; the last one in bold.
    pub totals: Vec<(String, String)>,
    /// The payment terms, one paragraph each: "Pagamento entro il 31/01/2027 con bonifico",
    /// "IBAN IT60 X054 …", "Codice avviso pagoPA: …".
    pub payment: Vec<String>,
    /// Small print at the end, one paragraph each.
    pub notes: Vec<String>,
}

/// One line of a statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementRow {
    /// What it is: "Canone annuo", "Intervento", "Conguaglio"…
    pub kind: String,
    /// The description, any length: it is wrapped in its column.
    pub text: String,
    /// The VAT: "22%", "non imponibile (N2.2)".
    pub vat: String,
    /// Formatted the Italian way: "€ 1.250,00", "-€ 50,00".
    pub amount: String,
}

// The lines table's columns: Voce | Descrizione | IVA | Importo, a gap before each border.
const GAP: f32 = 3.0 * MM;
const KIND_W: f32 = 30.0 * MM;
const AMOUNT_W: f32 = 30.0 * MM;
const VAT_W: f32 = 28.0 * MM;
const TEXT_X: f32 = LEFT + KIND_W;
const VAT_X: f32 = RIGHT - AMOUNT_W - VAT_W;
const TEXT_W: f32 = VAT_X - GAP - TEXT_X;
/// The smaller size of the Voce and IVA columns.
const NARROW_SIZE: f32 = 9.0;
/// The height a continued page offers the table's rows.
const ROW_ROOM: f32 = TOP_CONTINUED - BOTTOM - REPEATED_H;
/// The letterhead's and the entity's columns, side by side.
const HALF_W: f32 = WIDTH / 2.0 - 6.0 * MM;
const ENTITY_X: f32 = LEFT + WIDTH / 2.0 + 6.0 * MM;
const FACT_LABEL_W: f32 = 45.0 * MM;

/// The statement as the bytes of a PDF file. Any input gives a valid document: text is
/// wrapped (long words cut), paginated, and brought into the fonts' repertoire.
pub fn statement(sheet: &StatementSheet) -> Vec<u8> {
    let title = text::sanitize(&sheet.title, false);
    let title = match title.trim() {
        "" => "Rendiconto",
        t => t,
    };
    let pages = paginate(
        items(sheet),
        &format!("{title} (segue)"),
        &sheet.centre_name,
        sheet.draft.then_some("BOZZA"),
    );
    let mut warnings = Vec::new();
    PdfDocument::new(title)
        .with_pages(pages)
        .save(&PdfSaveOptions::default(), &mut warnings)
}

/// `value`'s lines in the WinAnsi repertoire, wrapped to `max`; none when it is blank.
fn wrapped(value: &str, face: Face, size: f32, max: f32) -> Vec<String> {
    text::wrap(&text::sanitize(value, false), face, size, max)
}

/// Everything in the statement, top to bottom, before it is cut into pages.
fn items(sheet: &StatementSheet) -> Vec<Item> {
    let mut items = Vec::new();
    letterhead(&mut items, sheet);
    items.push(Item::Gap(14.0));
    for l in wrapped(&sheet.title, Face::Bold, 17.0, WIDTH) {
        items.push(line(22.0, vec![span(LEFT, Face::Bold, 17.0, Ink::Blue, l)]));
    }
    items.push(Item::Gap(4.0));
    for (label, value) in &sheet.facts {
        let labels = wrapped(label, Face::Bold, TABLE_SIZE, FACT_LABEL_W - GAP);
        let values = field_lines(value, Face::Regular, TABLE_SIZE, WIDTH - FACT_LABEL_W);
        let value_x = LEFT + FACT_LABEL_W;
        side_by_side(
            &mut items,
            TABLE_LEAD,
            &[(LEFT, Face::Bold, labels), (value_x, Face::Regular, values)],
        );
    }
    items.push(Item::Gap(12.0));
    table(&mut items, &sheet.lines);
    totals(&mut items, &sheet.totals);
    paragraphs(
        &mut items,
        "Pagamento",
        &sheet.payment,
        BODY_SIZE,
        BODY_LEAD,
    );
    paragraphs(&mut items, "Note", &sheet.notes, SMALL, 11.0);
    items
}

/// Columns of wrapped lines, `(x, face, lines)` each in black at the table's size, set line
/// by line side by side.
fn side_by_side(items: &mut Vec<Item>, lead: f32, columns: &[(f32, Face, Vec<String>)]) {
    let n = columns.iter().map(|(_, _, l)| l.len()).max().unwrap_or(0);
    for i in 0..n {
        let spans = columns
            .iter()
            .filter_map(|(x, face, lines)| {
                let l = lines.get(i)?;
                Some(span(*x, *face, TABLE_SIZE, Ink::Black, l.clone()))
            })
            .collect();
        items.push(line(lead, spans));
    }
}

/// The centre's letterhead on the left (its name in bold blue, the rest small and grey) and
/// the entity on the right under "Spett.le" (its name in bold), side by side.
fn letterhead(items: &mut Vec<Item>, sheet: &StatementSheet) {
    let mut left: Vec<Span> = wrapped(&sheet.centre_name, Face::Bold, 11.0, HALF_W)
        .into_iter()
        .map(|l| span(LEFT, Face::Bold, 11.0, Ink::Blue, l))
        .collect();
    for l in &sheet.centre_lines {
        for w in wrapped(l, Face::Regular, 9.0, HALF_W) {
            left.push(span(LEFT, Face::Regular, 9.0, Ink::Grey, w));
        }
    }
    let mut right_col = vec![span(ENTITY_X, Face::Regular, 9.0, Ink::Grey, "Spett.le")];
    for (i, l) in sheet.entity_lines.iter().enumerate() {
        let face = if i == 0 { Face::Bold } else { Face::Regular };
        for w in wrapped(l, face, 10.0, HALF_W) {
            right_col.push(span(ENTITY_X, face, 10.0, Ink::Black, w));
        }
    }
    let mut left = left.into_iter();
    let mut right_col = right_col.into_iter();
    loop {
        let spans: Vec<Span> = left.next().into_iter().chain(right_col.next()).collect();
        if spans.is_empty() {
            break;
        }
        items.push(line(13.0, spans));
    }
}

fn headings() -> Vec<Span> {
    vec![
        span(LEFT, Face::Bold, TABLE_SIZE, Ink::Black, "Voce"),
        span(TEXT_X, Face::Bold, TABLE_SIZE, Ink::Black, "Descrizione"),
        span(VAT_X, Face::Bold, TABLE_SIZE, Ink::Black, "IVA"),
        right(RIGHT, Face::Bold, TABLE_SIZE, Ink::Black, "Importo"),
    ]
}

/// One row of the table, its cells wrapped in their columns, a hairline under it.
fn row_block(row: &StatementRow) -> Vec<Item> {
    let kind = wrapped(&row.kind, Face::Regular, NARROW_SIZE, KIND_W - GAP);
    let desc = field_lines(&row.text, Face::Regular, TABLE_SIZE, TEXT_W);
    let vat = wrapped(&row.vat, Face::Regular, NARROW_SIZE, VAT_W - GAP);
    let amount = wrapped(&row.amount, Face::Regular, TABLE_SIZE, AMOUNT_W - GAP);
    let n = desc.len().max(kind.len()).max(vat.len()).max(amount.len());
    let mut block = vec![Item::Gap(2.0)];
    for i in 0..n {
        let mut spans = Vec::with_capacity(4);
        if let Some(k) = kind.get(i) {
            spans.push(span(LEFT, Face::Regular, NARROW_SIZE, Ink::Grey, k.clone()));
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
            spans.push(span(
                VAT_X,
                Face::Regular,
                NARROW_SIZE,
                Ink::Black,
                v.clone(),
            ));
        }
        if let Some(a) = amount.get(i) {
            spans.push(right(
                RIGHT,
                Face::Regular,
                TABLE_SIZE,
                Ink::Black,
                a.clone(),
            ));
        }
        block.push(line(TABLE_LEAD, spans));
    }
    block.push(Item::Gap(2.0));
    block.push(rule(true));
    block
}

/// The lines table: headings kept with the first row and repeated on every page after it,
/// each row whole on a page when it can be.
fn table(items: &mut Vec<Item>, rows: &[StatementRow]) {
    let mut blocks: Vec<Vec<Item>> = rows.iter().map(row_block).collect();
    if blocks.is_empty() {
        blocks.push(vec![
            line(
                TABLE_LEAD,
                vec![span(
                    TEXT_X,
                    Face::Regular,
                    TABLE_SIZE,
                    Ink::Grey,
                    "Nessuna riga",
                )],
            ),
            rule(true),
        ]);
    }
    let first = blocks.first().map_or(0.0, |b| height_of(b));
    let with_first = REPEATED_H + first;
    items.push(Item::Keep(if with_first < TOP_CONTINUED - BOTTOM {
        with_first
    } else {
        REPEATED_H + 3.0 * TABLE_LEAD
    }));
    items.push(line(TABLE_LEAD, headings()));
    items.push(rule(false));
    items.push(Item::Repeat(Some(headings())));
    for block in blocks {
        push_kept(items, block, ROW_ROOM);
    }
    items.push(Item::Repeat(None));
}

/// The totals, a block on the right kept together: labels left-aligned in it (as wide as the
/// widest, within bounds), values right-aligned under the amounts; the last one in bold under
/// a rule.
fn totals(items: &mut Vec<Item>, totals: &[(String, String)]) {
    let face = |i: usize| {
        if i + 1 == totals.len() {
            Face::Bold
        } else {
            Face::Regular
        }
    };
    let widest = totals
        .iter()
        .enumerate()
        .map(|(i, (label, _))| {
            text::width(face(i), TABLE_SIZE, text::sanitize(label, false).trim())
        })
        .fold(0.0_f32, f32::max);
    let x = (RIGHT - AMOUNT_W - GAP - widest).clamp(LEFT + WIDTH * 0.2, LEFT + WIDTH * 0.5);
    let label_w = RIGHT - AMOUNT_W - x - GAP;
    let mut block = vec![Item::Gap(8.0)];
    for (i, (label, value)) in totals.iter().enumerate() {
        let last = i + 1 == totals.len();
        let face = face(i);
        if last && i > 0 {
            block.push(Item::Gap(2.0));
            block.push(Item::Rule {
                segments: vec![(x, RIGHT)],
                thickness: 0.8,
                grey: false,
                height: 3.0,
            });
        }
        let labels = wrapped(label, face, TABLE_SIZE, label_w);
        let values = wrapped(value, face, TABLE_SIZE, AMOUNT_W + GAP);
        for j in 0..labels.len().max(values.len()).max(1) {
            let mut spans = Vec::with_capacity(2);
            if let Some(l) = labels.get(j) {
                spans.push(span(x, face, TABLE_SIZE, Ink::Black, l.clone()));
            }
            if let Some(v) = values.get(j) {
                spans.push(right(RIGHT, face, TABLE_SIZE, Ink::Black, v.clone()));
            }
            block.push(line(TABLE_LEAD + 1.0, spans));
        }
    }
    push_kept(items, block, TOP_CONTINUED - BOTTOM);
}

/// A section of paragraphs under its heading; nothing when they are all blank.
fn paragraphs(items: &mut Vec<Item>, title: &str, paragraphs: &[String], size: f32, lead: f32) {
    let lines: Vec<Vec<String>> = paragraphs
        .iter()
        .map(|p| wrapped(p, Face::Regular, size, WIDTH))
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return;
    }
    heading(items, title, 2.0 * lead);
    for l in lines.into_iter().flatten() {
        items.push(line(
            lead,
            vec![span(LEFT, Face::Regular, size, Ink::Black, l)],
        ));
    }
}

#[cfg(test)]
mod tests;
