//! The one CSV writer of every export (SLA report today; statements, logs and lists next).
//! Cells are quoted when they hold the separator, a quote or a line break, and a text cell
//! that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
//! carriage return, as OWASP's "CSV Injection" lists) is prefixed with `'`, so an entity
//! named `=HYPERLINK(…)` is shown as text. Numbers such as `-12.5` stay numbers. Pure: it
//! builds text, the caller sends it.

/// A CSV document being written: a header row, then rows of the same width.
pub struct CsvWriter {
    out: String,
    separator: char,
}

impl CsvWriter {
    /// A comma-separated document starting with `header`.
    pub fn new(header: &[&str]) -> Self {
        let mut w = Self {
            out: String::new(),
            separator: ',',
        };
        w.row(header.iter().copied());
        w
    }

    /// Appends a row; every cell goes through [`cell`].
    pub fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        let mut first = true;
        for c in cells {
            if !first {
                self.out.push(self.separator);
            }
            first = false;
            self.out.push_str(&cell(c.as_ref(), self.separator));
        }
        self.out.push_str("\r\n");
    }

    pub fn finish(self) -> String {
        self.out
    }
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// One cell, neutralised and quoted as needed.
pub fn cell(s: &str, separator: char) -> String {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_number(s);
    let text = if risky { format!("'{s}") } else { s.to_owned() };
    if risky || text.contains([separator, '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        assert_eq!(
            cell("=HYPERLINK(\"http://x\",\"clic\")", ','),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"clic\"\")\""
        );
        for f in ["+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert!(cell(f, ',').starts_with("\"'"), "{f}");
        }
        assert_eq!(cell("-12.5", ','), "-12.5");
        assert_eq!(cell("+3", ','), "+3");
        assert_eq!(cell("Comune di Agna, PD", ','), "\"Comune di Agna, PD\"");
        assert_eq!(cell("Comune di Agna", ','), "Comune di Agna");
    }

    #[test]
    fn a_document_has_a_header_and_crlf_rows() {
        let mut w = CsvWriter::new(&["a", "b"]);
        w.row(["1", "=x"]);
        assert_eq!(w.finish(), "a,b\r\n1,\"'=x\"\r\n");
    }
}
