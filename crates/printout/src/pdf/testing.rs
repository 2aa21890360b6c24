//! The documents read back in tests: with lopdf (structure, and every text run with its
//! place, face and size, decoded from WinAnsi), and with poppler's `pdftotext` when the
//! machine has it.

use super::text::{self, Face};

/// One piece of text as drawn: where its baseline starts, in which face and size.
#[derive(Debug, Clone)]
pub(super) struct Run {
    pub(super) x: f32,
    pub(super) y: f32,
    pub(super) face: Face,
    pub(super) size: f32,
    pub(super) text: String,
}

impl Run {
    /// Where the run ends on the page, by Helvetica's widths.
    pub(super) fn end(&self) -> f32 {
        self.x + text::width(self.face, self.size, &self.text)
    }
}

/// The document's pages, each as its text runs in the order drawn.
pub(super) fn runs(bytes: &[u8]) -> Vec<Vec<Run>> {
    let doc = match lopdf::Document::load_mem(bytes) {
        Ok(doc) => doc,
        Err(e) => panic!("not a readable PDF: {e}"),
    };
    let bold_id = printpdf::BuiltinFont::HelveticaBold.get_pdf_id();
    doc.get_pages()
        .values()
        .map(|&id| {
            let content = match doc.get_and_decode_page_content(id) {
                Ok(c) => c,
                Err(e) => panic!("page content unreadable: {e}"),
            };
            let (mut x, mut y, mut size) = (0.0_f32, 0.0_f32, 0.0_f32);
            let mut face = Face::Regular;
            let number = |op: &lopdf::content::Operation, i: usize| {
                op.operands
                    .get(i)
                    .and_then(|o| o.as_float().ok())
                    .unwrap_or(0.0)
            };
            let mut out = Vec::new();
            for op in &content.operations {
                match op.operator.as_str() {
                    "Tf" => {
                        let name = op.operands.first().and_then(|o| o.as_name().ok());
                        face = if name == Some(bold_id.as_bytes()) {
                            Face::Bold
                        } else {
                            Face::Regular
                        };
                        size = number(op, 1);
                    }
                    "Td" => {
                        x = number(op, 0);
                        y = number(op, 1);
                    }
                    "Tm" => {
                        x = number(op, 4);
                        y = number(op, 5);
                    }
                    "Tj" | "TJ" => {
                        let mut text = String::new();
                        collect_strings(&op.operands, &mut text);
                        out.push(Run {
                            x,
                            y,
                            face,
                            size,
                            text,
                        });
                    }
                    _ => {}
                }
            }
            out
        })
        .collect()
}

/// The document's pages, each as the text shown on it (one string per text run), in order.
pub(super) fn read(bytes: &[u8]) -> Vec<Vec<String>> {
    runs(bytes)
        .into_iter()
        .map(|page| page.into_iter().map(|r| r.text).collect())
        .collect()
}

fn collect_strings(objects: &[lopdf::Object], out: &mut String) {
    for object in objects {
        match object {
            lopdf::Object::String(bytes, _) => out.extend(bytes.iter().map(|&b| from_winansi(b))),
            lopdf::Object::Array(items) => collect_strings(items, out),
            _ => {}
        }
    }
}

fn from_winansi(byte: u8) -> char {
    static TABLE: std::sync::OnceLock<Vec<char>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = vec!['\u{FFFD}'; 256];
        for c in (0u32..0x2200).filter_map(char::from_u32) {
            if let Some(b) = text::winansi(c) {
                table[usize::from(b)] = c;
            }
        }
        table
    });
    table[usize::from(byte)]
}

pub(super) fn all_text(pages: &[Vec<String>]) -> String {
    pages
        .iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join("\n")
}

pub(super) fn check_envelope(bytes: &[u8]) {
    assert!(bytes.starts_with(b"%PDF-"), "no PDF header");
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    assert!(bytes[..end].ends_with(b"%%EOF"), "no %%EOF trailer");
}

/// The document's text by poppler's `pdftotext` (UTF-8, pages ended by form feeds), or
/// `None` when the tool is not installed.
pub(super) fn pdftotext(bytes: &[u8]) -> Option<String> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let probe = std::process::Command::new("pdftotext").arg("-v").output();
    if probe.is_err() {
        eprintln!("pdftotext is not installed: the check with it is skipped");
        return None;
    }
    let path = std::env::temp_dir().join(format!(
        "printout-test-{}-{}.pdf",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}
