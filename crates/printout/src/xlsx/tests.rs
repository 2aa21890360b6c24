//! Workbooks unzipped and their XML read back.

use super::*;
use std::io::Read;

/// The named part of the xlsx package, as text.
fn part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut file = archive.by_name(name).unwrap();
    let mut xml = String::new();
    file.read_to_string(&mut xml).unwrap();
    xml
}

fn sheet_xml(bytes: &[u8], n: usize) -> String {
    part(bytes, &format!("xl/worksheets/sheet{n}.xml"))
}

/// rust_xlsxwriter stores text in the shared string table; cells point into it.
fn shared_strings(bytes: &[u8]) -> String {
    part(bytes, "xl/sharedStrings.xml")
}

fn sample() -> Sheet {
    Sheet {
        name: "Interventi".into(),
        headers: vec![
            "Ente".into(),
            "Ore".into(),
            "Importo".into(),
            "Quota".into(),
        ],
        rows: vec![
            vec![
                Cell::Text("Comune di Forlì".into()),
                Cell::Int(3),
                Cell::Cents(125_000),
                Cell::Decimal(0.25),
            ],
            vec![
                Cell::Text("=SOMMA(A1)".into()),
                Cell::Empty,
                Cell::Cents(-99),
                Cell::Decimal(1.5),
            ],
        ],
    }
}

#[test]
fn writes_a_zip_with_headers_and_values() {
    let bytes = workbook(&[sample()]).unwrap();
    assert!(bytes.starts_with(b"PK"));
    let xml = sheet_xml(&bytes, 1);
    let strings = shared_strings(&bytes);
    for text in [
        "Ente",
        "Ore",
        "Importo",
        "Quota",
        "Comune di Forlì",
        "=SOMMA(A1)",
    ] {
        assert!(strings.contains(text), "{text:?} missing in {strings}");
    }
    // Numbers are numbers: cents as euro, ints and decimals as written.
    for value in [
        "<v>1250</v>",
        "<v>-0.99</v>",
        "<v>3</v>",
        "<v>0.25</v>",
        "<v>1.5</v>",
    ] {
        assert!(xml.contains(value), "{value} missing in {xml}");
    }
    // The formula-looking text is a string cell, not a formula.
    assert!(!xml.contains("<f>"));
    // Frozen header, autofilter over header and rows, column widths.
    assert!(
        xml.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ),
        "{xml}"
    );
    assert!(xml.contains(r#"<autoFilter ref="A1:D3"/>"#), "{xml}");
    assert!(xml.contains("<cols>"));
    // The header is bold and the euro format is registered.
    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains("<b/>"));
    assert!(styles.contains("#,##0.00 &quot;€&quot;"), "{styles}");
}

#[test]
fn column_widths_follow_content_within_bounds() {
    let s = Sheet {
        name: "Larghezze".into(),
        headers: vec!["A".into(), "Descrizione".into(), "Importo".into()],
        rows: vec![vec![
            Cell::Text("x".into()),
            Cell::Text("lungo ".repeat(100)),
            Cell::Cents(123_456_789),
        ]],
    };
    let xml = sheet_xml(&workbook(&[s]).unwrap(), 1);
    let widths: Vec<f64> = xml
        .split("<col ")
        .skip(1)
        .filter_map(|c| c.split("width=\"").nth(1))
        .filter_map(|w| w.split('"').next())
        .filter_map(|w| w.parse().ok())
        .collect();
    assert_eq!(widths.len(), 3, "{xml}");
    // Minimum, capped, and "1.234.567,89 €" (14 characters) plus a margin.
    assert!(
        widths[0] >= MIN_WIDTH as f64 && widths[0] < 8.0,
        "{widths:?}"
    );
    assert!(
        widths[1] <= MAX_WIDTH as f64 + 1.0 && widths[1] > 50.0,
        "{widths:?}"
    );
    assert!(widths[2] >= 15.0 && widths[2] < 18.0, "{widths:?}");
}

#[test]
fn sheet_names_are_fixed_not_refused() {
    let cases: &[(&[&str], &[&str])] = &[
        (&["Interventi"], &["Interventi"]),
        (&["Interventi 2026/11"], &["Interventi 2026-11"]),
        (&["a[b]c:d*e?f/g\\h"], &["a-b-c-d-e-f-g-h"]),
        (&["", "  ", "'''"], &["Foglio1", "Foglio2", "Foglio3"]),
        (&["'Citato'"], &["Citato"]),
        (
            &["Riepilogo", "riepilogo", "RIEPILOGO"],
            &["Riepilogo", "riepilogo (2)", "RIEPILOGO (3)"],
        ),
        (&["History"], &["History (2)"]),
        (
            &[
                "Un nome davvero troppo lungo per Excel",
                "Un nome davvero troppo lungo per Excel",
            ],
            &[
                "Un nome davvero troppo lungo pe",
                "Un nome davvero troppo lung (2)",
            ],
        ),
        (&["Foglio2", ""], &["Foglio2", "Foglio2 (2)"]),
        (&["tab\u{0}\u{7}\n"], &["tab"]),
        (&["àèìòù€ «»"], &["àèìòù€ «»"]),
    ];
    for (input, expected) in cases {
        let got = sheet_names(input.iter().copied());
        assert_eq!(&got, expected, "{input:?}");
        for name in &got {
            assert!(name.encode_utf16().count() <= MAX_NAME);
        }
        // And the workbook accepts them.
        let sheets: Vec<Sheet> = input
            .iter()
            .map(|n| Sheet {
                name: (*n).to_owned(),
                ..Sheet::default()
            })
            .collect();
        let bytes = workbook(&sheets).unwrap();
        let book = part(&bytes, "xl/workbook.xml");
        for name in *expected {
            let escaped = name.replace('&', "&amp;").replace('\'', "&apos;");
            assert!(
                book.contains(&format!("name=\"{escaped}\"")),
                "{name:?} not in {book}"
            );
        }
    }
}

#[test]
fn empty_sheets_and_empty_workbooks_work() {
    let cases: Vec<Vec<Sheet>> = vec![
        vec![],
        vec![Sheet::default()],
        vec![Sheet {
            name: "Solo intestazione".into(),
            headers: vec!["Ente".into()],
            rows: vec![],
        }],
        vec![Sheet {
            name: "Righe senza intestazione".into(),
            headers: vec![],
            rows: vec![vec![], vec![Cell::Empty, Cell::Int(1)]],
        }],
    ];
    for sheets in &cases {
        let bytes = workbook(sheets).unwrap();
        assert!(bytes.starts_with(b"PK"));
        let count = sheets.len().max(1);
        for n in 1..=count {
            assert!(sheet_xml(&bytes, n).contains("<worksheet"));
        }
    }
    let xml = sheet_xml(&workbook(&cases[2]).unwrap(), 1);
    assert!(
        xml.contains(r#"<autoFilter ref="A1"/>"#) || xml.contains(r#"<autoFilter ref="A1:A1"/>"#),
        "{xml}"
    );
    let xml = sheet_xml(&workbook(&cases[3]).unwrap(), 1);
    assert!(
        !xml.contains("autoFilter") && !xml.contains("<pane"),
        "{xml}"
    );
}

#[test]
fn awkward_values_are_written_not_refused() {
    let s = Sheet {
        name: "Valori".into(),
        headers: vec!["Testo".into(), "Numero".into()],
        rows: vec![
            vec![Cell::Text("a".repeat(40_000)), Cell::Decimal(f64::NAN)],
            vec![
                Cell::Text("riga 1\nriga 2".into()),
                Cell::Decimal(f64::INFINITY),
            ],
            vec![
                Cell::Text("ctrl \u{0}\u{1b} end".into()),
                Cell::Int(i64::MIN),
            ],
            vec![Cell::Text("😀".repeat(20_000)), Cell::Cents(i64::MAX)],
        ],
    };
    let bytes = workbook(&[s]).unwrap();
    let strings = shared_strings(&bytes);
    assert!(strings.contains("NAN") && strings.contains("INF"));
    assert!(strings.contains(&format!("{}…", "a".repeat(32_766))));
    assert!(!strings.contains(&"a".repeat(32_767)));
    assert!(
        strings.contains("_x0000_"),
        "control characters are escaped"
    );
}

#[test]
fn oversized_sheets_are_errors() {
    let wide = Sheet {
        name: "Larga".into(),
        headers: vec![String::new(); MAX_COLUMNS + 1],
        rows: vec![],
    };
    assert!(matches!(
        workbook(&[wide]),
        Err(PrintoutError::TooManyColumns { columns, .. }) if columns == MAX_COLUMNS + 1
    ));
    let long = Sheet {
        name: "Lunga".into(),
        headers: vec![],
        rows: vec![Vec::new(); MAX_ROWS],
    };
    assert!(matches!(
        workbook(&[long]),
        Err(PrintoutError::TooManyRows { .. })
    ));
}

#[test]
fn euro_text_matches_italian_format() {
    let cases: &[(i64, &str)] = &[
        (0, "0,00 €"),
        (5, "0,05 €"),
        (125_000, "1.250,00 €"),
        (-123_456_789, "-1.234.567,89 €"),
        (i64::MIN, "-92.233.720.368.547.758,08 €"),
    ];
    for (cents, expected) in cases {
        assert_eq!(euro_text(*cents), *expected);
    }
}
