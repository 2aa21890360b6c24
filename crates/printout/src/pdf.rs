//! The printable work report (*rapporto di intervento*), an A4 PDF.
//!
//! printpdf places text where it is told and no more, so the layout is done here: every
//! piece of text is wrapped to its column with Helvetica's widths (module `text`) and flowed
//! down the page, a new page starting whenever the next line would not fit. Headings keep a
//! few lines of their section with them, a table row stays whole when it can, and the closing
//! (acknowledgement or signature lines) is never split. Every page ends with "Pagina N di M".
//!
//! Only the built-in Helvetica faces are used, so nothing is embedded: text is limited to
//! WinAnsi (Windows-1252), which has every Italian letter, `€` and `« »`; the `text` module
//! says what happens to characters outside it.

mod statement;
mod text;

pub use statement::{statement, StatementRow, StatementSheet};

use printpdf::{
    BuiltinFont, Color, Greyscale, Line, LinePoint, Op, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rgb, TextItem,
};
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

// Page geometry, in points (1 mm = 72 / 25.4 pt).
const MM: f32 = 72.0 / 25.4;
const PAGE_W: f32 = 210.0 * MM;
const PAGE_H: f32 = 297.0 * MM;
const LEFT: f32 = 20.0 * MM;
const RIGHT: f32 = PAGE_W - 20.0 * MM;
const WIDTH: f32 = RIGHT - LEFT;
/// Where the body starts on the first page, and on later pages (below their running head).
const TOP: f32 = PAGE_H - 18.0 * MM;
const TOP_CONTINUED: f32 = PAGE_H - 28.0 * MM;
/// The body ends here; the footer sits below.
const BOTTOM: f32 = 24.0 * MM;
const FOOTER_Y: f32 = 13.0 * MM;

const LABEL_W: f32 = 34.0 * MM;
const BODY_SIZE: f32 = 10.5;
const BODY_LEAD: f32 = 14.5;
const TABLE_SIZE: f32 = 10.0;
const TABLE_LEAD: f32 = 13.5;
const SMALL: f32 = 8.5;
/// Bootstrap Italia's primary blue, for the title and headings.
const BLUE: (f32, f32, f32) = (0.0, 0.4, 0.8);
const DASH: &str = "—";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Ink {
    Black,
    Grey,
    Blue,
    /// A light grey for a mark behind the text.
    Faint,
}

#[derive(Debug, Clone)]
struct Span {
    x: f32,
    face: Face,
    size: f32,
    ink: Ink,
    text: String,
}

#[derive(Debug, Clone)]
enum Item {
    /// One line of text, `lead` points tall, its spans side by side.
    Text { lead: f32, spans: Vec<Span> },
    /// Horizontal rules across the given x ranges, `height` points tall (rule in the middle).
    Rule {
        segments: Vec<(f32, f32)>,
        thickness: f32,
        grey: bool,
        height: f32,
    },
    /// Vertical space, dropped at the top of a page.
    Gap(f32),
    /// Start a new page unless this much room is left.
    Keep(f32),
    /// From here, a page that starts repeats this line under its running head (a table's
    /// column headings); `None` stops repeating.
    Repeat(Option<Vec<Span>>),
}

fn span(x: f32, face: Face, size: f32, ink: Ink, text: impl Into<String>) -> Span {
    Span {
        x,
        face,
        size,
        ink,
        text: text.into(),
    }
}

fn line(lead: f32, spans: Vec<Span>) -> Item {
    Item::Text { lead, spans }
}

fn rule(grey: bool) -> Item {
    Item::Rule {
        segments: vec![(LEFT, RIGHT)],
        thickness: if grey { 0.4 } else { 0.8 },
        grey,
        height: 1.0,
    }
}

/// Lines of a single-line field wrapped to `max`, at least one (a dash when empty).
fn field_lines(value: &str, face: Face, size: f32, max: f32) -> Vec<String> {
    let lines = text::wrap(&text::sanitize(value, false), face, size, max);
    if lines.is_empty() {
        vec![DASH.to_owned()]
    } else {
        lines
    }
}

fn height_of(items: &[Item]) -> f32 {
    items
        .iter()
        .map(|item| match item {
            Item::Text { lead, .. } => *lead,
            Item::Rule { height, .. } => *height,
            Item::Gap(h) => *h,
            Item::Keep(_) | Item::Repeat(_) => 0.0,
        })
        .sum()
}

/// A section heading, kept with the first `keep` points of what follows.
fn heading(items: &mut Vec<Item>, title: &str, keep: f32) {
    items.push(Item::Gap(12.0));
    items.push(Item::Keep(18.0 + keep));
    items.push(line(
        16.0,
        vec![span(LEFT, Face::Bold, 12.0, Ink::Blue, title)],
    ));
    items.push(rule(true));
    items.push(Item::Gap(4.0));
}

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
        let h = height_of(&row);
        if h < TOP_CONTINUED - BOTTOM {
            items.push(Item::Keep(h));
        }
        items.extend(row);
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
    let h = height_of(&closing);
    if h < TOP_CONTINUED - BOTTOM {
        items.push(Item::Keep(h));
    }
    items.extend(closing);
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

/// Cuts `items` into A4 pages: a running head (and the repeated table headings) on every page
/// after the first, a footer with `footer` and "Pagina N di M" on all, and `stamp` (a word in
/// large grey letters, "BOZZA") across every page when given.
fn paginate(items: Vec<Item>, running: &str, footer: &str, stamp: Option<&str>) -> Vec<PdfPage> {
    let running = text::fit(&text::sanitize(running, false), Face::Regular, SMALL, WIDTH);
    let mut pages: Vec<Vec<Op>> = vec![Vec::new()];
    let mut y = TOP;
    let mut page_has_content = false;
    let mut repeat: Option<Vec<Span>> = None;
    for item in items {
        let needed = match &item {
            Item::Text { lead, .. } => *lead,
            Item::Rule { height, .. } => *height,
            Item::Gap(h) => {
                if !page_has_content {
                    continue;
                }
                // A gap never forces a page of its own: it just stops at the bottom.
                y = (y - h).max(BOTTOM);
                continue;
            }
            Item::Keep(h) => *h,
            Item::Repeat(r) => {
                repeat = r.clone();
                continue;
            }
        };
        if page_has_content && y - needed < BOTTOM {
            let mut ops = Vec::new();
            draw_text(
                &mut ops,
                &span(LEFT, Face::Regular, SMALL, Ink::Grey, running.clone()),
                PAGE_H - 16.0 * MM,
            );
            draw_rules(&mut ops, &[(LEFT, RIGHT)], 0.4, true, PAGE_H - 18.5 * MM);
            y = TOP_CONTINUED;
            if let Some(spans) = &repeat {
                let baseline = y - (TABLE_LEAD + TABLE_SIZE * 0.7) / 2.0;
                for s in spans {
                    draw_text(&mut ops, s, baseline);
                }
                y -= TABLE_LEAD;
                draw_rules(&mut ops, &[(LEFT, RIGHT)], 0.8, false, y - 0.5);
                y -= 1.0;
            }
            pages.push(ops);
            page_has_content = false;
        }
        let Some(ops) = pages.last_mut() else {
            break;
        };
        match item {
            Item::Text { lead, spans } => {
                // Baseline: the text's cap height centred in its lead, roughly.
                let size = spans.iter().map(|s| s.size).fold(0.0_f32, f32::max);
                let baseline = y - (lead + size * 0.7) / 2.0;
                for s in &spans {
                    draw_text(ops, s, baseline);
                }
                y -= lead;
                page_has_content = true;
            }
            Item::Rule {
                segments,
                thickness,
                grey,
                height,
            } => {
                draw_rules(ops, &segments, thickness, grey, y - height / 2.0);
                y -= height;
                page_has_content = true;
            }
            Item::Gap(_) | Item::Keep(_) | Item::Repeat(_) => {}
        }
    }

    let total = pages.len();
    let footer = text::sanitize(footer, false);
    pages
        .into_iter()
        .enumerate()
        .map(|(i, mut ops)| {
            if let Some(word) = stamp {
                let mut stamped = Vec::with_capacity(ops.len() + 8);
                draw_text(
                    &mut stamped,
                    &span(LEFT + 30.0 * MM, Face::Bold, 96.0, Ink::Faint, word),
                    PAGE_H / 2.0,
                );
                stamped.append(&mut ops);
                ops = stamped;
            }
            let page_no = format!("Pagina {} di {}", i + 1, total);
            let page_no_w = text::width(Face::Regular, SMALL, &page_no);
            draw_rules(&mut ops, &[(LEFT, RIGHT)], 0.4, true, FOOTER_Y + 10.0);
            if !footer.trim().is_empty() {
                let left = text::fit(
                    footer.trim(),
                    Face::Regular,
                    SMALL,
                    WIDTH - page_no_w - 12.0,
                );
                draw_text(
                    &mut ops,
                    &span(LEFT, Face::Regular, SMALL, Ink::Grey, left),
                    FOOTER_Y,
                );
            }
            draw_text(
                &mut ops,
                &span(RIGHT - page_no_w, Face::Regular, SMALL, Ink::Grey, page_no),
                FOOTER_Y,
            );
            PdfPage::new(printpdf::Mm(210.0), printpdf::Mm(297.0), ops)
        })
        .collect()
}

fn colour(ink: Ink) -> Color {
    match ink {
        Ink::Black => Color::Greyscale(Greyscale {
            percent: 0.0,
            icc_profile: None,
        }),
        Ink::Grey => Color::Greyscale(Greyscale {
            percent: 0.4,
            icc_profile: None,
        }),
        Ink::Faint => Color::Greyscale(Greyscale {
            percent: 0.88,
            icc_profile: None,
        }),
        Ink::Blue => Color::Rgb(Rgb {
            r: BLUE.0,
            g: BLUE.1,
            b: BLUE.2,
            icc_profile: None,
        }),
    }
}

fn draw_text(ops: &mut Vec<Op>, s: &Span, baseline: f32) {
    if s.text.is_empty() {
        return;
    }
    let font = match s.face {
        Face::Regular => BuiltinFont::Helvetica,
        Face::Bold => BuiltinFont::HelveticaBold,
    };
    ops.extend([
        Op::StartTextSection,
        Op::SetFillColor { col: colour(s.ink) },
        Op::SetFont {
            font: PdfFontHandle::Builtin(font),
            size: Pt(s.size),
        },
        Op::SetTextCursor {
            pos: Point {
                x: Pt(s.x),
                y: Pt(baseline),
            },
        },
        Op::ShowText {
            items: vec![TextItem::Text(s.text.clone())],
        },
        Op::EndTextSection,
    ]);
}

fn draw_rules(ops: &mut Vec<Op>, segments: &[(f32, f32)], thickness: f32, grey: bool, y: f32) {
    ops.push(Op::SetOutlineColor {
        col: colour(if grey { Ink::Grey } else { Ink::Black }),
    });
    ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
    for &(x1, x2) in segments {
        let point = |x: f32| LinePoint {
            p: Point { x: Pt(x), y: Pt(y) },
            bezier: false,
        };
        ops.push(Op::DrawLine {
            line: Line {
                points: vec![point(x1), point(x2)],
                is_closed: false,
            },
        });
    }
}

#[cfg(test)]
mod tests;
