//! The report read back with lopdf: structure, page count, the words on each page.

use super::testing::{all_text, check_envelope, read, runs};
use super::*;
use proptest::prelude::*;

fn sheet() -> WorkReportSheet {
    WorkReportSheet {
        centre: "Centro Servizi Territoriale della Provincia".into(),
        number: "Rapporto n. 123".into(),
        entity: "Comune di Forlì".into(),
        date: "25/11/2026".into(),
        mode: "Presso l'ente".into(),
        duration: "3 h 00 min".into(),
        reference: Some("Pacchetto PD14 · 2026".into()),
        technician: "Niccolò Rossi".into(),
        description: "Aggiornamento del gestionale dell'anagrafe: verificata la compatibilità \
                      con il server, eseguito il backup e installata la versione più recente.\n\n\
                      Costo concordato € 120,00 «a corpo»; perché sì, è così."
            .into(),
        notes: vec![
            "Diritto di chiamata".into(),
            "Intervento in reperibilità".into(),
        ],
        acknowledged: None,
        printed_at: "26/11/2026 10:15".into(),
    }
}

fn uncompressed(sheet: &WorkReportSheet) -> Vec<u8> {
    render(
        sheet,
        &PdfSaveOptions {
            optimize: false,
            ..PdfSaveOptions::default()
        },
    )
}

#[test]
fn is_a_pdf_with_the_words_in_it() {
    let sheets = [
        ("compressed", work_report(&sheet())),
        ("plain", uncompressed(&sheet())),
    ];
    for (name, bytes) in sheets {
        check_envelope(&bytes);
        let pages = read(&bytes);
        assert_eq!(pages.len(), 1, "{name}");
        let text = all_text(&pages);
        for expected in [
            "Centro Servizi Territoriale della Provincia",
            "Rapporto di intervento",
            "Rapporto n. 123",
            "Ente",
            "Comune di Forlì",
            "Modalità",
            "Presso l'ente",
            "Riferimento",
            "Pacchetto PD14 · 2026",
            "Tecnico",
            "Niccolò Rossi",
            "Attività svolta",
            "compatibilità",
            "più",
            "€ 120,00 «a corpo»; perché sì, è così.",
            "Note",
            "Diritto di chiamata",
            "Il tecnico",
            "Per l'ente",
            "Stampato il 26/11/2026 10:15",
            "Pagina 1 di 1",
        ] {
            assert!(
                text.contains(expected),
                "{name}: {expected:?} missing in\n{text}"
            );
        }
    }
}

#[test]
fn closing_is_acknowledgement_or_signatures() {
    let cases: &[(Option<&str>, &[&str], &[&str])] = &[
        (None, &["Il tecnico", "Per l'ente"], &["Presa visione"]),
        (Some("   "), &["Il tecnico", "Per l'ente"], &[]),
        (
            Some("Presa visione di Mario Rossi il 26/11/2026 alle 10:12"),
            &["Presa visione di Mario Rossi il 26/11/2026 alle 10:12"],
            &["Il tecnico", "Per l'ente"],
        ),
    ];
    for (ack, present, absent) in cases {
        let s = WorkReportSheet {
            acknowledged: ack.map(str::to_owned),
            ..sheet()
        };
        let text = all_text(&read(&work_report(&s)));
        for p in *present {
            assert!(text.contains(p), "{ack:?}: {p:?} missing");
        }
        for a in *absent {
            assert!(!text.contains(a), "{ack:?}: {a:?} present");
        }
    }
}

#[test]
fn optional_parts_are_left_out_or_dashed() {
    let s = WorkReportSheet {
        reference: None,
        notes: vec![String::new(), "  ".into()],
        ..sheet()
    };
    let pages = read(&work_report(&s));
    let text = all_text(&pages);
    assert!(!text.contains("Note"), "empty notes give no Note section");
    let runs: Vec<&String> = pages.iter().flatten().collect();
    let at = runs.iter().position(|r| r.as_str() == "Riferimento");
    assert_eq!(
        at.and_then(|i| runs.get(i + 1)).map(|s| s.as_str()),
        Some("—")
    );
}

#[test]
fn pages_grow_with_the_description() {
    let paragraph = "Verifica della rete dell'ufficio anagrafe e sostituzione dello switch \
                     al piano terra; configurazione delle postazioni e prova di stampa. ";
    let cases: &[(usize, usize)] = &[(1, 1), (40, 2), (150, 4), (400, 9)];
    let mut last = 0;
    for &(repeats, at_least) in cases {
        let s = WorkReportSheet {
            description: vec![paragraph; repeats].join("\n"),
            ..sheet()
        };
        let bytes = work_report(&s);
        check_envelope(&bytes);
        let pages = read(&bytes);
        let n = pages.len();
        assert!(
            n >= at_least && n >= last,
            "{repeats} paragraphs: {n} pages"
        );
        last = n;
        for (i, page) in pages.iter().enumerate() {
            let footer = format!("Pagina {} di {}", i + 1, n);
            assert!(page.contains(&footer), "page {} lacks {footer:?}", i + 1);
            if i > 0 {
                assert!(
                    page.iter().any(|r| r.contains("(segue)")),
                    "page {} lacks its running head",
                    i + 1
                );
            }
        }
        // Every paragraph is there, whole words, in order.
        let words = all_text(&pages).matches("sostituzione").count();
        assert_eq!(words, repeats);
    }
}

#[test]
fn long_lines_stay_inside_the_margins() {
    let s = WorkReportSheet {
        entity: "Comune di ".repeat(40),
        description: "x".repeat(5_000) + " " + &"parola ".repeat(2_000),
        ..sheet()
    };
    for run in runs(&work_report(&s)).iter().flatten() {
        assert!(
            run.x >= LEFT - 0.5 && run.end() <= RIGHT + 0.5,
            "{:?} spans {}..{}",
            run.text,
            run.x,
            run.end()
        );
    }
}

#[test]
fn hostile_input_gives_a_valid_pdf() {
    let huge = "àèìòù € «» ".repeat(10_000); // ~110 KB of text, no line breaks
    let cases: Vec<WorkReportSheet> = vec![
        WorkReportSheet::default(),
        WorkReportSheet {
            description: huge.clone(),
            ..sheet()
        },
        WorkReportSheet {
            description: "\n".repeat(100_000),
            ..sheet()
        },
        WorkReportSheet {
            centre: "C".repeat(20_000),
            number: "(n. 1) \\ %".into(),
            entity: "\u{0}\u{1b}[31m\u{7}\u{202E}evil\u{200B}".into(),
            technician: "😀 日本語 \u{301}".into(),
            notes: vec!["N".repeat(30_000); 5],
            acknowledged: Some("a".repeat(20_000)),
            printed_at: "p".repeat(5_000),
            ..sheet()
        },
        WorkReportSheet {
            description: "\u{FFFF}\u{10FFFF}\r\r\r\t\t".repeat(5_000),
            ..sheet()
        },
    ];
    for s in &cases {
        let bytes = work_report(s);
        check_envelope(&bytes);
        assert!(!read(&bytes).is_empty());
    }
    let text = all_text(&read(&work_report(&cases[1])));
    assert!(text.contains("àèìòù € «»"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn never_panics(
        centre in ".{0,60}",
        description in "(.|\n){0,2000}",
        entity in "\\PC{0,80}",
        notes in proptest::collection::vec(".{0,40}", 0..4),
        ack in proptest::option::of(".{0,80}"),
    ) {
        let s = WorkReportSheet {
            centre,
            description,
            entity,
            notes,
            acknowledged: ack,
            ..sheet()
        };
        let bytes = work_report(&s);
        prop_assert!(bytes.starts_with(b"%PDF-"));
        prop_assert!(!read(&bytes).is_empty());
    }
}
