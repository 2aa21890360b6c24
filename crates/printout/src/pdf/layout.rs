//! The layout machinery shared by the printed documents: page geometry, type sizes, the
//! flow of items (text lines, rules, gaps, keep-together marks, repeated table headings)
//! and how it is cut into A4 pages with a running head, a footer with "Pagina N di M" and,
//! for drafts, a mark across every page.

use printpdf::{
    BuiltinFont, Color, Greyscale, Line, LinePoint, Op, PdfFontHandle, PdfPage, Point, Pt, Rgb,
    TextItem,
};

use super::text::{self, Face};

// Page geometry, in points (1 mm = 72 / 25.4 pt).
pub(super) const MM: f32 = 72.0 / 25.4;
pub(super) const PAGE_W: f32 = 210.0 * MM;
pub(super) const PAGE_H: f32 = 297.0 * MM;
pub(super) const LEFT: f32 = 20.0 * MM;
pub(super) const RIGHT: f32 = PAGE_W - 20.0 * MM;
pub(super) const WIDTH: f32 = RIGHT - LEFT;
/// Where the body starts on the first page, and on later pages (below their running head).
pub(super) const TOP: f32 = PAGE_H - 18.0 * MM;
pub(super) const TOP_CONTINUED: f32 = PAGE_H - 28.0 * MM;
/// The body ends here; the footer sits below.
pub(super) const BOTTOM: f32 = 24.0 * MM;
pub(super) const FOOTER_Y: f32 = 13.0 * MM;

pub(super) const BODY_SIZE: f32 = 10.5;
pub(super) const BODY_LEAD: f32 = 14.5;
pub(super) const TABLE_SIZE: f32 = 10.0;
pub(super) const TABLE_LEAD: f32 = 13.5;
pub(super) const SMALL: f32 = 8.5;
/// What a table's headings repeated on a continued page take: their line, the rule under
/// it, and a little room before the first row (whose own gap is dropped at a page's top).
pub(super) const REPEATED_H: f32 = TABLE_LEAD + 3.0;
/// Bootstrap Italia's primary blue, for the title and headings.
pub(super) const BLUE: (f32, f32, f32) = (0.0, 0.4, 0.8);
pub(super) const DASH: &str = "—";

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Ink {
    Black,
    Grey,
    Blue,
    /// A light grey for a mark behind the text.
    Faint,
}

#[derive(Debug, Clone)]
pub(super) struct Span {
    pub(super) x: f32,
    pub(super) face: Face,
    pub(super) size: f32,
    pub(super) ink: Ink,
    pub(super) text: String,
}

#[derive(Debug, Clone)]
pub(super) enum Item {
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

pub(super) fn span(x: f32, face: Face, size: f32, ink: Ink, text: impl Into<String>) -> Span {
    Span {
        x,
        face,
        size,
        ink,
        text: text.into(),
    }
}

pub(super) fn line(lead: f32, spans: Vec<Span>) -> Item {
    Item::Text { lead, spans }
}

pub(super) fn rule(grey: bool) -> Item {
    Item::Rule {
        segments: vec![(LEFT, RIGHT)],
        thickness: if grey { 0.4 } else { 0.8 },
        grey,
        height: 1.0,
    }
}

/// Lines of a single-line field wrapped to `max`, at least one (a dash when empty).
pub(super) fn field_lines(value: &str, face: Face, size: f32, max: f32) -> Vec<String> {
    let lines = text::wrap(&text::sanitize(value, false), face, size, max);
    if lines.is_empty() {
        vec![DASH.to_owned()]
    } else {
        lines
    }
}

pub(super) fn height_of(items: &[Item]) -> f32 {
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

/// Appends `block`, asking first for a new page unless all of it fits on this one — when it
/// can fit on a page at all: `room` is the height a fresh page offers it.
pub(super) fn push_kept(items: &mut Vec<Item>, block: Vec<Item>, room: f32) {
    let h = height_of(&block);
    if h < room {
        items.push(Item::Keep(h));
    }
    items.extend(block);
}

/// A span of text that ends at `x_end` (right-aligned).
pub(super) fn right(x_end: f32, face: Face, size: f32, ink: Ink, text: impl Into<String>) -> Span {
    let text = text.into();
    let x = x_end - text::width(face, size, &text);
    span(x, face, size, ink, text)
}

/// A section heading, kept with the first `keep` points of what follows.
pub(super) fn heading(items: &mut Vec<Item>, title: &str, keep: f32) {
    items.push(Item::Gap(12.0));
    items.push(Item::Keep(18.0 + keep));
    items.push(line(
        16.0,
        vec![span(LEFT, Face::Bold, 12.0, Ink::Blue, title)],
    ));
    items.push(rule(true));
    items.push(Item::Gap(4.0));
}

/// Cuts `items` into A4 pages: a running head (and the repeated table headings) on every page
/// after the first, a footer with `footer` and "Pagina N di M" on all, and `stamp` (a word in
/// large grey letters, "BOZZA") across every page when given.
pub(super) fn paginate(
    items: Vec<Item>,
    running: &str,
    footer: &str,
    stamp: Option<&str>,
) -> Vec<PdfPage> {
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
                y -= REPEATED_H - TABLE_LEAD;
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
                draw_stamp(&mut stamped, word);
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

/// `word` in large light-grey capitals across the middle of the page, drawn first so that
/// everything else is printed over it. It stays level: text extractors (pdftotext, a viewer's
/// search) read a rotated word as scattered letters.
fn draw_stamp(ops: &mut Vec<Op>, word: &str) {
    const SIZE: f32 = 110.0;
    let word = text::fit(&text::sanitize(word, false), Face::Bold, SIZE, WIDTH);
    let x = (PAGE_W - text::width(Face::Bold, SIZE, &word)) / 2.0;
    // Helvetica's capitals are 0.718 em tall: centre them on the page.
    let baseline = (PAGE_H - SIZE * 0.718) / 2.0;
    draw_text(ops, &span(x, Face::Bold, SIZE, Ink::Faint, word), baseline);
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
