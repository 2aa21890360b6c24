//! The statement read back with lopdf (every text run with its place, face and size) and,
//! when the machine has it, with poppler's `pdftotext`.

use super::super::testing::{all_text, check_envelope, pdftotext, read, runs, Run};
use super::*;
use proptest::prelude::*;

const KINDS: [&str; 4] = [
    "Canone annuo",
    "Intervento",
    "Pacchetto di giornate (conguaglio)",
    "Servizio a consumo",
];
const VATS: [&str; 3] = ["22%", "non imponibile (N2.2)", "esente (N4)"];

/// A description of about 400 characters, with accents, guillemets and its number at both
/// ends ("Riga 007: …fine-007.").
fn description(i: usize) -> String {
    let mut d = format!(
        "Riga {i:03}: servizio di assistenza «sistemistica» per l'ufficio anagrafe e lo stato \
         civile, perché la città possa contare su un'attività continuativa: più controlli, \
         verifiche di sicurezza, aggiornamenti e supporto all'utenza"
    );
    while d.chars().count() < 390 {
        d.push_str(" con reperibilità");
    }
    d.push_str(&format!(" fine-{i:03}."));
    d
}

/// A different amount for every line, some negative.
fn amount(i: usize) -> String {
    if i % 7 == 2 {
        format!("-€ {},{:02}", 10 + i, i % 100)
    } else {
        format!("€ {}.{:03},{:02}", 1 + i / 3, (i * 37) % 1000, i % 100)
    }
}

/// A description of a usual length (about 150 characters).
fn short_description(i: usize) -> String {
    format!(
        "Riga {i:03}: assistenza «sistemistica» all'ufficio anagrafe, perché la città possa \
         contare su più controlli e un'attività continuativa fine-{i:03}."
    )
}

/// A statement of three lines of a usual length.
fn short_sheet() -> StatementSheet {
    let mut s = sheet(3, false);
    for (i, row) in s.lines.iter_mut().enumerate() {
        row.text = short_description(i);
    }
    s
}

fn row(i: usize) -> StatementRow {
    StatementRow {
        kind: KINDS[i % KINDS.len()].into(),
        text: description(i),
        vat: VATS[i % VATS.len()].into(),
        amount: amount(i),
    }
}

fn sheet(lines: usize, draft: bool) -> StatementSheet {
    StatementSheet {
        centre_name: "Provincia di Padova – Centro Servizi Territoriale".into(),
        centre_lines: vec![
            "Piazza Antenore 3, 35121 Padova (PD)".into(),
            "P.IVA 00700440282 – C.F. 80006510285".into(),
            "cst@provincia.padova.example · PEC cst@pec.provincia.padova.example".into(),
            "Tel. 049 820 1111".into(),
        ],
        title: if draft {
            "Bozza di rendiconto 2026".into()
        } else {
            "Rendiconto n. 2026/0007".into()
        },
        draft,
        entity_lines: vec![
            "Comune di Forlì".into(),
            "Piazza Aurelio Saffi 8, 47121 Forlì (FC)".into(),
            "C.F. 00606620409".into(),
            "Codice univoco ufficio UF1234".into(),
        ],
        facts: vec![
            ("Anno".into(), "2026".into()),
            ("Numero".into(), "2026/0007".into()),
            ("Data di emissione".into(), "15/01/2027".into()),
            ("Scadenza".into(), "31/01/2027".into()),
            ("CIG".into(), "Z1A2B3C4D5".into()),
            ("CUP".into(), "J91B21000010004".into()),
        ],
        lines: (0..lines).map(row).collect(),
        totals: vec![
            ("Imponibile".into(), "€ 3.583,85".into()),
            ("IVA 22%".into(), "€ 788,45".into()),
            ("Totale".into(), "€ 4.372,30".into()),
            (
                "Da versare al centro (scissione dei pagamenti)".into(),
                "€ 3.583,85".into(),
            ),
        ],
        payment: vec![
            "Pagamento entro il 31/01/2027 con bonifico".into(),
            "IBAN IT60 X054 2811 1010 0000 0123 456".into(),
            "Codice avviso pagoPA: 3012 3456 7890 1234 56".into(),
        ],
        notes: vec![
            "Il rendiconto riepiloga i servizi dell'anno; la fattura elettronica ne riporta gli \
             stessi importi. Documento senza valore fiscale."
                .into(),
        ],
    }
}

fn near(a: f32, b: f32) -> bool {
    (a - b).abs() < 0.05
}

/// The runs of a page's table rows' descriptions (regular, at the description column).
fn is_description(r: &Run) -> bool {
    r.face == Face::Regular && near(r.x, TEXT_X) && near(r.size, TABLE_SIZE)
}

/// Where the headings are on this page (the baseline of "Descrizione"), if they are.
fn headings_at(page: &[Run]) -> Vec<f32> {
    page.iter()
        .filter(|r| r.face == Face::Bold && r.text == "Descrizione" && near(r.x, TEXT_X))
        .map(|r| r.y)
        .collect()
}

#[test]
fn a_short_statement_is_one_page_with_everything_on_it() {
    let bytes = statement(&short_sheet());
    check_envelope(&bytes);
    let pages = runs(&bytes);
    assert_eq!(pages.len(), 1);
    let text = all_text(&read(&bytes));
    let mut expected = vec![
        "Provincia di Padova – Centro Servizi Territoriale",
        "P.IVA 00700440282 – C.F. 80006510285",
        "Spett.le",
        "Comune di Forlì",
        "Codice univoco ufficio UF1234",
        "Rendiconto n. 2026/0007",
        "Data di emissione",
        "15/01/2027",
        "Z1A2B3C4D5",
        "Voce",
        "Descrizione",
        "IVA",
        "Importo",
        "Canone annuo",
        "non imponibile",
        "(N2.2)",
        "«sistemistica»",
        "perché",
        "città",
        "un'attività",
        "più",
        "Imponibile",
        "Totale",
        "€ 4.372,30",
        "Da versare al centro (scissione dei pagamenti)",
        "Pagamento",
        "IBAN IT60 X054 2811 1010 0000 0123 456",
        "Codice avviso pagoPA: 3012 3456 7890 1234 56",
        "Note",
        "Documento senza valore fiscale.",
        "Pagina 1 di 1",
    ];
    let amounts: Vec<String> = (0..3).map(amount).collect();
    expected.extend(amounts.iter().map(String::as_str));
    for needle in expected {
        assert!(text.contains(needle), "{needle:?} missing in\n{text}");
    }
    assert!(!text.contains("BOZZA"));
    assert!(
        !text.contains('?'),
        "a character fell out of the font: {text}"
    );

    let page = &pages[0];
    let find = |t: &str| page.iter().find(|r| r.text == t);
    // The entity on the right, the letterhead on the left.
    assert!(find("Comune di Forlì").is_some_and(|r| near(r.x, ENTITY_X) && r.face == Face::Bold));
    assert!(
        find("Provincia di Padova – Centro Servizi Territoriale").is_some_and(|r| near(r.x, LEFT))
    );
    // Amounts and totals end at the right margin; the last total is bold.
    for a in &amounts {
        assert!(
            find(a).is_some_and(|r| near(r.end(), RIGHT)),
            "{a} not right-aligned"
        );
    }
    let last = find("Da versare al centro (scissione dei pagamenti)");
    assert!(last.is_some_and(|r| r.face == Face::Bold));
    assert!(page
        .iter()
        .any(|r| r.text == "€ 3.583,85" && r.face == Face::Bold && near(r.end(), RIGHT)));
    assert!(find("Totale").is_some_and(|r| r.face == Face::Regular));
    // The footer: the centre's name and the page number.
    let footers = page.iter().filter(|r| near(r.size, SMALL) && r.y < BOTTOM);
    let footers: Vec<&str> = footers.map(|r| r.text.as_str()).collect();
    assert_eq!(
        footers,
        [
            "Provincia di Padova – Centro Servizi Territoriale",
            "Pagina 1 di 1"
        ]
    );
}

#[test]
fn a_long_statement_runs_on_numbered_pages_with_the_headings_on_each() {
    let s = sheet(300, false);
    let pages = runs(&statement(&s));
    let n = pages.len();
    assert!(n > 10, "300 lines of ~400 characters on {n} pages");
    let running = "Rendiconto n. 2026/0007 (segue)";
    for (i, page) in pages.iter().enumerate() {
        let footer = format!("Pagina {} di {n}", i + 1);
        let count = page.iter().filter(|r| r.text == footer).count();
        assert_eq!(count, 1, "page {} lacks {footer:?}", i + 1);
        let centre = "Provincia di Padova – Centro Servizi Territoriale";
        assert!(page.iter().any(|r| r.text == centre && r.y < BOTTOM));
        assert_eq!(
            page.iter().any(|r| r.text == running),
            i > 0,
            "page {}",
            i + 1
        );
        // Every page with rows on it has the headings once, above them; no page has
        // headings with no row under them.
        let rows: Vec<&Run> = page.iter().filter(|r| is_description(r)).collect();
        let headings = headings_at(page);
        if rows.is_empty() {
            assert!(headings.is_empty(), "page {}: headings alone", i + 1);
            continue;
        }
        assert_eq!(headings.len(), 1, "page {}: headings", i + 1);
        for h in ["Voce", "IVA", "Importo"] {
            let count = page
                .iter()
                .filter(|r| r.text == h && r.face == Face::Bold)
                .count();
            assert_eq!(count, 1, "page {}: {h}", i + 1);
        }
        assert!(rows.iter().all(|r| r.y < headings[0]));
    }
    assert!(pages[..n - 1].iter().all(|p| !headings_at(p).is_empty()));
    let last = all_text(&read(&statement(&s)));
    assert!(last.contains("Totale") && last.contains("IBAN"));
}

#[test]
fn every_line_is_printed_once_whole_and_in_its_column() {
    let s = sheet(300, false);
    let pages = runs(&statement(&s));
    // The description column, read top to bottom across the pages.
    let column: Vec<&str> = pages
        .iter()
        .flatten()
        .filter(|r| is_description(r))
        .map(|r| r.text.as_str())
        .collect();
    let column = column.join(" ");
    let mut at = 0;
    for (i, row) in s.lines.iter().enumerate() {
        assert_eq!(column.matches(&row.text).count(), 1, "line {i}");
        let found = column.find(&row.text).unwrap_or(0);
        assert!(found >= at, "line {i} out of order");
        at = found;
        let amounts = pages.iter().flatten().filter(|r| r.text == row.amount);
        assert_eq!(amounts.count(), 1, "amount of line {i}");
    }
    for (p, page) in pages.iter().enumerate() {
        let top = headings_at(page).first().copied().unwrap_or(f32::MAX);
        for r in page.iter() {
            let inside = r.x >= LEFT - 0.5 && r.end() <= RIGHT + 0.5;
            assert!(
                inside,
                "page {}: {:?} at {}..{}",
                p + 1,
                r.text,
                r.x,
                r.end()
            );
            if r.y >= top || !near(r.size, NARROW_SIZE) && !is_description(r) {
                continue;
            }
            let limit = if near(r.x, LEFT) {
                TEXT_X - GAP // Voce
            } else if near(r.x, TEXT_X) {
                VAT_X - GAP // Descrizione
            } else {
                RIGHT - AMOUNT_W - GAP // IVA
            };
            assert!(r.end() <= limit + 0.01, "{:?} overflows its column", r.text);
        }
        for r in page.iter().filter(|r| r.y < top && near(r.end(), RIGHT)) {
            let x = RIGHT - AMOUNT_W + GAP;
            assert!(r.x >= x - 0.01, "{:?} overflows the amount column", r.text);
        }
    }
}

#[test]
fn a_draft_carries_bozza_on_every_page() {
    for (lines, draft) in [(3, true), (120, true), (120, false)] {
        let bytes = statement(&sheet(lines, draft));
        let pages = runs(&bytes);
        assert!(lines < 100 || pages.len() > 3);
        for (i, page) in pages.iter().enumerate() {
            let marks: Vec<&Run> = page.iter().filter(|r| r.text.contains("BOZZA")).collect();
            if !draft {
                assert!(marks.is_empty());
                continue;
            }
            assert_eq!(marks.len(), 1, "{lines} lines, page {}", i + 1);
            // Large, across the page, drawn first (under everything else).
            assert!(marks[0].size >= 96.0 && marks[0].x > LEFT && marks[0].end() < RIGHT);
            assert!(page.first().is_some_and(|r| r.text == "BOZZA"));
        }
        let text = all_text(&read(&bytes));
        assert_eq!(text.contains("Bozza di rendiconto 2026"), draft);
    }
}

#[test]
fn an_empty_or_hostile_statement_still_renders() {
    let long_word = "x".repeat(5_000);
    let cases = [
        StatementSheet::default(),
        StatementSheet {
            lines: vec![],
            ..sheet(0, true)
        },
        StatementSheet {
            // One line longer than a page, words longer than any column.
            lines: vec![
                StatementRow {
                    kind: "K".repeat(300),
                    text: format!("{long_word} {}", "parola ".repeat(3_000)),
                    vat: "V".repeat(300),
                    amount: "€ 1".repeat(100),
                },
                row(1),
            ],
            centre_name: "C".repeat(2_000),
            entity_lines: vec!["E".repeat(2_000)],
            facts: vec![("L".repeat(500), "V".repeat(500))],
            totals: vec![("T".repeat(500), "€ 9".repeat(100))],
            ..sheet(0, false)
        },
        StatementSheet {
            title: "\u{0}\u{1b}[31m\u{202E}😀 日本 \u{301}".into(),
            lines: vec![StatementRow {
                text: "\r\n\t".repeat(1_000),
                ..row(0)
            }],
            ..sheet(0, true)
        },
    ];
    for s in &cases {
        let bytes = statement(s);
        check_envelope(&bytes);
        let pages = runs(&bytes);
        assert!(!pages.is_empty());
        for r in pages.iter().flatten() {
            assert!(r.x >= LEFT - 0.5 && r.end() <= RIGHT + 0.5, "{:?}", r.text);
        }
    }
    let empty = all_text(&read(&statement(&cases[1])));
    assert!(empty.contains("Nessuna riga") && empty.contains("Pagina 1 di 1"));
    let long = runs(&statement(&cases[2]));
    assert!(long.len() > 2, "the long line runs over pages");
    let words = long.iter().flatten().filter(|r| is_description(r));
    let words: usize = words.map(|r| r.text.matches("parola").count()).sum();
    assert_eq!(words, 3_000);
}

#[test]
fn pdftotext_reads_the_same_text() {
    let long = sheet(300, true);
    let Some(text) = pdftotext(&statement(&long)) else {
        return;
    };
    // pdftotext ends every page with a form feed.
    let pages: Vec<&str> = text.split_terminator('\u{c}').collect();
    let n = pages.len();
    assert_eq!(n, runs(&statement(&long)).len());
    for (i, page) in pages.iter().enumerate() {
        let footer = format!("Pagina {} di {n}", i + 1);
        assert!(
            page.contains(&footer),
            "page {}: {footer:?} missing in\n{page}",
            i + 1
        );
        assert!(page.contains("BOZZA"), "page {}", i + 1);
    }
    for i in 0..300 {
        assert_eq!(
            text.matches(&format!("Riga {i:03}:")).count(),
            1,
            "line {i}"
        );
        assert_eq!(
            text.matches(&format!("fine-{i:03}.")).count(),
            1,
            "line {i}"
        );
    }
    let Some(short) = pdftotext(&statement(&short_sheet())) else {
        return;
    };
    for needle in [
        "Rendiconto n. 2026/0007",
        "Comune di Forlì",
        "«sistemistica»",
        "perché",
        "città",
        "più",
        "€ 4.372,30",
        "-€ 12,02",
        "Totale",
        "IBAN IT60 X054 2811 1010 0000 0123 456",
        "Pagina 1 di 1",
    ] {
        assert!(short.contains(needle), "{needle:?} missing in\n{short}");
    }
}

fn latin(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!(
        "[A-Za-z0-9àèéìòùÀÈÉÌÒÙ€«»,.;:'()/%\\- ]{{0,{max}}}"
    ))
    .unwrap_or_else(|e| panic!("{e}"))
}

fn random_row() -> impl Strategy<Value = StatementRow> {
    (latin(40), latin(400), latin(25), latin(20)).prop_map(|(kind, text, vat, amount)| {
        StatementRow {
            kind,
            text,
            vat,
            amount,
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn random_statements_parse_and_number_their_pages(
        rows in proptest::collection::vec(random_row(), 0..=80),
        title in latin(80),
        draft in any::<bool>(),
        entity in proptest::collection::vec(latin(60), 0..5),
        facts in proptest::collection::vec((latin(30), latin(60)), 0..7),
        totals in proptest::collection::vec((latin(50), latin(20)), 0..5),
        payment in proptest::collection::vec(latin(200), 0..4),
    ) {
        let s = StatementSheet {
            title,
            draft,
            entity_lines: entity,
            facts,
            lines: rows,
            totals,
            payment,
            ..sheet(0, false)
        };
        let bytes = statement(&s);
        prop_assert!(bytes.starts_with(b"%PDF-"));
        let doc = lopdf::Document::load_mem(&bytes);
        prop_assert!(doc.is_ok());
        let pages = runs(&bytes);
        let n = pages.len();
        prop_assert!(n >= 1);
        for (i, page) in pages.iter().enumerate() {
            let footers: Vec<&str> = page
                .iter()
                .filter(|r| r.text.starts_with("Pagina "))
                .map(|r| r.text.as_str())
                .collect();
            prop_assert_eq!(footers, vec![format!("Pagina {} di {n}", i + 1)]);
            prop_assert_eq!(page.iter().filter(|r| r.text == "BOZZA").count(), usize::from(draft));
            for r in page.iter() {
                prop_assert!(r.x >= LEFT - 0.5 && r.end() <= RIGHT + 0.5, "{:?}", r.text);
            }
        }
    }
}
