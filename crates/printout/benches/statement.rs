//! Benchmark (not a test): one statement PDF (issue 12: a typical one well under 300 ms) — a
//! typical statement (15 lines of about 150 characters, one page or two) and a long one (300
//! lines of about 400 characters, some fifty pages), 50 times each.
//!
//!     cargo bench -p printout --bench statement
//!
//! Prints the median and the worst milliseconds per PDF, with its size.

#![allow(clippy::unwrap_used)]

use std::time::Instant;

use printout::{statement, StatementRow, StatementSheet};

const RUNS: usize = 50;

fn row(i: usize, long: bool) -> StatementRow {
    let mut text = format!(
        "PD13 «Antivirus, modulo avanzato» 2026: licenza con protezione perimetrale, posta e \
         URL filtering, per client o server (annuo): {} client/server × € 25,00",
        i + 1
    );
    while long && text.chars().count() < 400 {
        text.push_str(", reperibilità e verifiche di sicurezza");
    }
    StatementRow {
        kind: [
            "Canone annuo",
            "Intervento",
            "Pacchetto di giornate (conguaglio)",
        ][i % 3]
            .into(),
        text,
        vat: ["22%", "non imponibile (N2.2)"][i % 2].into(),
        amount: if i % 9 == 4 {
            format!("-€ {},00", 10 + i)
        } else {
            format!("€ {}.{:03},{:02}", 1 + i / 10, (i * 37) % 1000, i % 100)
        },
    }
}

fn sheet(lines: usize, long: bool) -> StatementSheet {
    StatementSheet {
        centre_name: "Provincia di Padova – Centro Servizi Territoriale".into(),
        centre_lines: vec![
            "Piazza Antenore 3, 35121 Padova (PD)".into(),
            "P.IVA 00700440282 – C.F. 80006510285".into(),
            "cst@provincia.padova.example · PEC cst@pec.provincia.padova.example".into(),
            "Tel. 049 820 1111".into(),
        ],
        title: "Rendiconto n. 2026/0007".into(),
        draft: false,
        entity_lines: vec![
            "Comune di Abano Terme".into(),
            "Piazza Caduti 1, 35031 Abano Terme (PD)".into(),
            "C.F. 00644060287".into(),
            "Codice univoco ufficio UF1234".into(),
        ],
        facts: vec![
            ("Anno".into(), "2026".into()),
            ("Numero".into(), "2026/0007".into()),
            ("Data di emissione".into(), "15/01/2027".into()),
            ("Scadenza".into(), "31/01/2027".into()),
            ("CIG".into(), "Z1A2B3C4D5".into()),
        ],
        lines: (0..lines).map(|i| row(i, long)).collect(),
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
        notes: vec!["Il rendiconto riepiloga i servizi dell'anno.".into()],
    }
}

fn main() {
    for (name, s) in [
        ("typical, 15 lines", sheet(15, false)),
        ("long, 300 lines", sheet(300, true)),
    ] {
        let pdf = statement(&s);
        let pages = lopdf::Document::load_mem(&pdf).unwrap().get_pages().len();
        let mut times: Vec<f64> = (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                let pdf = statement(&s);
                assert!(pdf.starts_with(b"%PDF"));
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!(
            "statement PDF, {name}: median {:.2} ms, worst {:.2} ms ({RUNS} runs; {pages} pages, {} bytes)",
            times[RUNS / 2],
            times[RUNS - 1],
            pdf.len(),
        );
    }
}
