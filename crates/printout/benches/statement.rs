//! Benchmark (not a test): one statement PDF (issue 12: under 300 ms), a typical one (15 lines)
//! and a long one (300 lines, several pages), 50 times each.
//!
//! Run it with `cargo bench -p printout --bench statement`; it prints the median and the worst.

#![allow(clippy::unwrap_used)]

use std::time::Instant;

use printout::{statement, StatementRow, StatementSheet};

fn sheet(lines: usize) -> StatementSheet {
    StatementSheet {
        centre_name: "Provincia di Padova - Centro Servizi Territoriale".into(),
        centre_lines: vec![
            "Piazza Antenore 3, 35121 Padova (PD)".into(),
            "P.IVA 00700440282 - C.F. 80006510285".into(),
            "PEC cst@pec.provincia.padova.example".into(),
        ],
        title: "Rendiconto n. 2026/0001".into(),
        draft: false,
        entity_lines: vec!["Comune di Abano Terme".into(), "Piazza Caduti 1".into(), "C.F. 00644060287".into()],
        facts: vec![
            ("Anno".into(), "2026".into()),
            ("Emesso il".into(), "04/12/2026".into()),
            ("Da pagare entro il".into(), "03/01/2027".into()),
        ],
        lines: (0..lines)
            .map(|i| StatementRow {
                kind: "Canone annuo".into(),
                text: format!("PD13 «Antivirus, modulo avanzato» 2026: Licenza con protezione perimetrale, posta e URL filtering, per client o server (annuo): {i} client/server × € 25,00"),
                vat: "22%".into(),
                amount: format!("€ {i}.000,00"),
            })
            .collect(),
        totals: vec![
            ("Imponibile IVA 22%".into(), "€ 3.583,85".into()),
            ("IVA 22%".into(), "€ 788,45".into()),
            ("Totale documento".into(), "€ 4.372,30".into()),
        ],
        payment: vec!["Pagamento con bonifico sul conto IBAN IT60X0542811101000000123456.".into()],
        notes: vec!["Il rendiconto riepiloga i servizi dell'anno.".into()],
    }
}

fn main() {
    for lines in [15, 300] {
        let s = sheet(lines);
        let mut times: Vec<f64> = (0..50)
            .map(|_| {
                let t = Instant::now();
                let pdf = statement(&s);
                assert!(pdf.starts_with(b"%PDF"));
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!(
            "statement PDF, {lines} lines: median {:.1} ms, worst {:.1} ms ({} bytes)",
            times[times.len() / 2],
            times[times.len() - 1],
            statement(&s).len()
        );
    }
}
