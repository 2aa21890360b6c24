//! Spreadsheet exports: a workbook of plain tables, one per sheet.
//!
//! Each sheet has a bold header row, frozen, with an autofilter over it; columns are sized
//! to their content (capped); money is a number in euro with the format `#,##0.00 "€"`,
//! which an Italian Excel or LibreOffice shows as `1.250,00 €`. What Excel would refuse is
//! fixed, not refused: sheet names are made legal and unique, text longer than a cell holds
//! is cut (ending in `…`), and a non-finite [`Cell::Decimal`], which Excel cannot store, is
//! written as the text `NAN`, `INF` or `-INF` (rust_xlsxwriter's choice). Only a sheet larger
//! than Excel's grid is an error.

use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::PrintoutError;

/// One cell of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text, shown as typed (a leading `=` is text, never a formula).
    Text(String),
    /// A whole number.
    Int(i64),
    /// An amount in euro cents, written as a number of euro with two decimals and `€`.
    /// The integer cents stay the caller's source of truth; the sheet holds `cents / 100`.
    Cents(i64),
    /// Any other number (hours, percentages…), in Excel's general format.
    Decimal(f64),
    /// Nothing.
    Empty,
}

/// One sheet: a header row, then rows of cells. Rows may be shorter or longer than the
/// header.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sheet {
    /// The tab's name; made legal and unique if it is not (see [`workbook`]).
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Excel's grid and cell limits.
const MAX_ROWS: usize = 1_048_576;
const MAX_COLUMNS: usize = 16_384;
/// Longest text a cell holds, in UTF-16 units.
const MAX_TEXT: usize = 32_767;
/// Longest sheet name, in UTF-16 units.
const MAX_NAME: usize = 31;
/// Column widths, in Excel's character units.
const MIN_WIDTH: usize = 6;
const MAX_WIDTH: usize = 60;
/// Excel's format code for euro: thousands separator and two decimals, in the reader's locale.
pub const EURO_FORMAT: &str = "#,##0.00 \"€\"";

/// The workbook as the bytes of an `.xlsx` file. No sheets gives one empty sheet
/// ("Foglio1"), as a workbook cannot have none.
///
/// Sheet names are fixed to Excel's rules rather than refused: control characters dropped,
/// each of `[ ] : * ? / \` replaced by `-`, surrounding spaces and apostrophes trimmed, cut to
/// 31 characters, a blank name becomes "FoglioN" (N its position), and a name already taken
/// (ignoring case, "History" reserved by Excel) gets " (2)", " (3)"… .
///
/// # Errors
///
/// [`PrintoutError::TooManyRows`] or [`PrintoutError::TooManyColumns`] when a sheet does not
/// fit Excel's grid, [`PrintoutError::Workbook`] if the file cannot be assembled.
pub fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>, PrintoutError> {
    let mut book = Workbook::new();
    let header = Format::new().set_bold();
    let euro = Format::new().set_num_format(EURO_FORMAT);
    let wrapped = Format::new().set_text_wrap();

    let empty = [Sheet::default()];
    let sheets = if sheets.is_empty() {
        &empty[..]
    } else {
        sheets
    };
    let names = sheet_names(sheets.iter().map(|s| s.name.as_str()));
    for (sheet, name) in sheets.iter().zip(names) {
        check_size(sheet, &name)?;
        let ws = book.add_worksheet();
        ws.set_name(name.as_str())
            .map_err(PrintoutError::Workbook)?;
        write_sheet(ws, sheet, &header, &euro, &wrapped).map_err(PrintoutError::Workbook)?;
    }
    book.save_to_buffer().map_err(PrintoutError::Workbook)
}

fn check_size(sheet: &Sheet, name: &str) -> Result<(), PrintoutError> {
    if sheet.rows.len() >= MAX_ROWS {
        return Err(PrintoutError::TooManyRows {
            sheet: name.to_owned(),
            rows: sheet.rows.len(),
        });
    }
    let columns = sheet
        .rows
        .iter()
        .map(Vec::len)
        .chain([sheet.headers.len()])
        .max()
        .unwrap_or(0);
    if columns > MAX_COLUMNS {
        return Err(PrintoutError::TooManyColumns {
            sheet: name.to_owned(),
            columns,
        });
    }
    Ok(())
}

fn write_sheet(
    ws: &mut Worksheet,
    sheet: &Sheet,
    header: &Format,
    euro: &Format,
    wrapped: &Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    // Widths in characters, column by column, from the header and every cell.
    let mut widths: Vec<usize> = Vec::new();
    let mut widen = |col: usize, chars: usize| {
        if widths.len() <= col {
            widths.resize(col + 1, 0);
        }
        if let Some(w) = widths.get_mut(col) {
            *w = (*w).max(chars);
        }
    };

    for (c, title) in sheet.headers.iter().enumerate() {
        let col = col_num(c)?;
        let title = cell_text(title);
        // Bold text and the filter button take about three characters more.
        widen(c, display_len(&title) + 3);
        ws.write_string_with_format(0, col, title, header)?;
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let row_num =
            u32::try_from(r + 1).map_err(|_| rust_xlsxwriter::XlsxError::RowColumnLimitError)?;
        for (c, cell) in row.iter().enumerate() {
            let col = col_num(c)?;
            match cell {
                Cell::Text(text) => {
                    let text = cell_text(text);
                    widen(c, display_len(&text));
                    if text.contains('\n') {
                        ws.write_string_with_format(row_num, col, text, wrapped)?;
                    } else {
                        ws.write_string(row_num, col, text)?;
                    }
                }
                Cell::Int(n) => {
                    widen(c, n.to_string().len());
                    // Excel numbers are doubles: beyond 2^53 the last digits round.
                    ws.write_number(row_num, col, *n as f64)?;
                }
                Cell::Cents(cents) => {
                    widen(c, euro_text(*cents).chars().count());
                    ws.write_number_with_format(row_num, col, *cents as f64 / 100.0, euro)?;
                }
                Cell::Decimal(x) => {
                    // The general format shows at most about eleven characters.
                    widen(c, x.to_string().len().min(11));
                    ws.write_number(row_num, col, *x)?;
                }
                Cell::Empty => {}
            }
        }
    }

    for (c, chars) in widths.iter().enumerate() {
        let width = (chars + 1).clamp(MIN_WIDTH, MAX_WIDTH);
        ws.set_column_width(col_num(c)?, width as f64)?;
    }
    if !sheet.headers.is_empty() {
        ws.set_freeze_panes(1, 0)?;
        let last_row = u32::try_from(sheet.rows.len())
            .map_err(|_| rust_xlsxwriter::XlsxError::RowColumnLimitError)?;
        ws.autofilter(0, 0, last_row, col_num(sheet.headers.len() - 1)?)?;
    }
    Ok(())
}

fn col_num(c: usize) -> Result<u16, rust_xlsxwriter::XlsxError> {
    u16::try_from(c).map_err(|_| rust_xlsxwriter::XlsxError::RowColumnLimitError)
}

/// Text cut to what a cell holds, `…` marking the cut.
fn cell_text(text: &str) -> String {
    cut_utf16(text, MAX_TEXT, "…")
}

/// `text` cut to at most `max` UTF-16 units, `mark` appended when cut.
fn cut_utf16(text: &str, max: usize, mark: &str) -> String {
    if text.encode_utf16().count() <= max {
        return text.to_owned();
    }
    let room = max.saturating_sub(mark.encode_utf16().count());
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        if used + c.len_utf16() > room {
            break;
        }
        out.push(c);
        used += c.len_utf16();
    }
    out.push_str(mark);
    out
}

/// Characters on the longest line of `text`.
fn display_len(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// An amount as the euro format shows it in Italian, for sizing: `-1.234,56 €`.
fn euro_text(cents: i64) -> String {
    let abs = cents.unsigned_abs();
    let units = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{grouped},{:02} €", abs % 100)
}

/// Legal, unique sheet names, in order (rules in [`workbook`]).
fn sheet_names<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut taken: Vec<String> = vec!["history".to_owned()];
    let mut out = Vec::new();
    for (i, name) in names.enumerate() {
        let cleaned: String = name
            .chars()
            .filter(|c| !c.is_control())
            .map(|c| match c {
                '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '-',
                c => c,
            })
            .collect();
        let trim = |s: &str| -> String {
            s.trim_matches(|c: char| c.is_whitespace() || c == '\'')
                .to_owned()
        };
        let mut base = trim(&cut_utf16(&trim(&cleaned), MAX_NAME, ""));
        if base.is_empty() {
            base = format!("Foglio{}", i + 1);
        }
        let mut candidate = base.clone();
        let mut n = 2;
        while taken.contains(&candidate.to_lowercase()) {
            let suffix = format!(" ({n})");
            let room = MAX_NAME - suffix.len();
            candidate = format!("{}{suffix}", trim(&cut_utf16(&base, room, "")));
            n += 1;
        }
        taken.push(candidate.to_lowercase());
        out.push(candidate);
    }
    out
}

#[cfg(test)]
mod tests;
