//! Totals, rounding, names, natures and the checks of the model.

use crate::common::*;
use fatturapa::{
    file_name, progressive, stamp_duty_due, summaries, to_xml, totals, vat_of, InvoiceError,
    Natura, SummaryKey, TaxId,
};
use kernel::Refusal;

#[test]
fn vat_rounds_half_up_per_summary() {
    assert_eq!(vat_of(1_000, 2200), 220);
    assert_eq!(vat_of(1, 2200), 0); // 0.22 cent
    assert_eq!(vat_of(3, 5000), 2); // 1.5 cents → 2
    assert_eq!(vat_of(25, 1000), 3); // 2.5 cents → 3
    assert_eq!(vat_of(24, 1000), 2); // 2.4 cents → 2
    assert_eq!(vat_of(-25, 1000), -3); // half away from zero
    assert_eq!(vat_of(11_363, 2200), 2_500); // 24.9986 → 25.00
                                             // Three lines of 0.05 at 10%: per line 0.005 → 0.01 each (0.03), per summary 0.015 →
                                             // 0.02. The summary is what counts.
    let lines = vec![
        line("a", None, 5, rate(1000)),
        line("b", None, 5, rate(1000)),
        line("c", None, 5, rate(1000)),
    ];
    let s = summaries(&lines);
    assert_eq!(s.len(), 1);
    assert_eq!((s[0].taxable_cents, s[0].vat_cents), (15, 2));
}

#[test]
fn summaries_group_by_rate_and_by_nature_with_reference() {
    let lines = vec![
        line("a", None, 10_000, rate(2200)),
        line("b", None, 5_000, rate(1000)),
        line("c", None, 2_000, exempt(Natura::N4, "Art. 10")),
        line("d", None, 1_000, rate(2200)),
        line("e", None, 3_000, exempt(Natura::N4, "Art. 10")),
        line("f", None, 4_000, exempt(Natura::N4, "Art. 10 n. 20")),
        line("g", None, 500, exempt(Natura::N2_2, "Art. 4")),
    ];
    let s = summaries(&lines);
    let keys: Vec<_> = s
        .iter()
        .map(|s| (s.key.clone(), s.taxable_cents, s.vat_cents))
        .collect();
    assert_eq!(
        keys,
        vec![
            (SummaryKey::Rate { hundredths: 2200 }, 11_000, 2_420),
            (SummaryKey::Rate { hundredths: 1000 }, 5_000, 500),
            (
                SummaryKey::Exempt {
                    natura: Natura::N4,
                    reference: "Art. 10".into()
                },
                5_000,
                0
            ),
            (
                SummaryKey::Exempt {
                    natura: Natura::N4,
                    reference: "Art. 10 n. 20".into()
                },
                4_000,
                0
            ),
            (
                SummaryKey::Exempt {
                    natura: Natura::N2_2,
                    reference: "Art. 4".into()
                },
                500,
                0
            ),
        ]
    );
}

#[test]
fn totals_with_and_without_split_payment() {
    let mut inv = mixed_invoice();
    let t = totals(&inv);
    assert_eq!(t.total_cents, 30_000 + 6_600 + 65_000);
    assert_eq!(t.payable_cents, t.total_cents);
    inv.split_payment = true;
    let t = totals(&inv);
    assert_eq!(t.total_cents, 101_600);
    assert_eq!(t.payable_cents, 95_000);
}

#[test]
fn stamp_duty_threshold() {
    let at = |cents, natura| vec![line("x", None, cents, exempt(natura, "rif"))];
    assert!(!stamp_duty_due(&at(7_747, Natura::N4)));
    assert!(stamp_duty_due(&at(7_748, Natura::N4)));
    assert!(stamp_duty_due(&at(7_748, Natura::N2_2)));
    assert!(stamp_duty_due(&at(7_748, Natura::N1)));
    // Exports, intra-EU supplies and reverse charge carry no stamp duty.
    assert!(!stamp_duty_due(&at(100_000, Natura::N3_1)));
    assert!(!stamp_duty_due(&at(100_000, Natura::N3_2)));
    assert!(!stamp_duty_due(&at(100_000, Natura::N6_9)));
    assert!(!stamp_duty_due(&[line("x", None, 100_000, rate(2200))]));
    // Amounts add up across natures.
    let mut lines = at(5_000, Natura::N4);
    lines.extend(at(3_000, Natura::N2_1));
    assert!(stamp_duty_due(&lines));
}

#[test]
fn file_names_and_progressive() {
    let t = TaxId {
        country: "IT".into(),
        code: "01234567890".into(),
    };
    assert_eq!(file_name(&t, "0000A"), "IT01234567890_0000A.xml");
    assert_eq!(progressive(0), None);
    assert_eq!(progressive(1).as_deref(), Some("00001"));
    assert_eq!(progressive(10).as_deref(), Some("0000A"));
    assert_eq!(progressive(35).as_deref(), Some("0000Z"));
    assert_eq!(progressive(36).as_deref(), Some("00010"));
    assert_eq!(progressive(36 * 36).as_deref(), Some("00100"));
    assert_eq!(progressive(60_466_175).as_deref(), Some("ZZZZZ"));
    assert_eq!(progressive(60_466_176), None);
    // Never reused: distinct counters, distinct names, all five characters.
    let mut seen = std::collections::HashSet::new();
    for n in (1..200_000u64).chain(60_000_000..60_466_176) {
        let p = progressive(n).unwrap();
        assert_eq!(p.len(), 5);
        assert!(seen.insert(p));
    }
}

#[test]
fn natura_codes() {
    for n in Natura::ALL {
        assert_eq!(Natura::parse(n.code()).unwrap(), n);
        assert_eq!(n.to_string(), n.code());
        assert!(!n.label().is_empty());
    }
    assert_eq!("N6.9".parse::<Natura>().unwrap(), Natura::N6_9);
    for generic in ["N2", "N3", "N6"] {
        let e = Natura::parse(generic).unwrap_err().to_string();
        assert!(e.contains("non è più accettato"), "{e}");
        assert!(e.contains(&format!("{generic}.1")), "{e}");
    }
    assert_eq!(
        Natura::parse("N8").unwrap_err().to_string(),
        "codice natura «N8» sconosciuto"
    );
    assert!(serde_json::from_str::<Natura>("\"N2\"").is_err());
    assert_eq!(
        serde_json::from_str::<Natura>("\"N3.5\"").unwrap(),
        Natura::N3_5
    );
}

fn refusal(inv: &fatturapa::Invoice) -> Vec<(String, String)> {
    match to_xml(inv) {
        Err(e @ InvoiceError::Invalid(_)) => {
            assert_eq!(e.code(), "invoice_invalid");
            e.fields()
                .into_iter()
                .map(|f| (f.field, f.message))
                .collect()
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn the_model_is_checked_with_italian_messages() {
    let mut inv = split_payment_invoice();
    inv.recipient_code = "UF7R3".into();
    assert_eq!(
        refusal(&inv),
        vec![(
            "recipient_code".into(),
            "il codice destinatario deve avere 6 caratteri".into()
        )]
    );

    let mut inv = credit_note();
    inv.related = None;
    assert_eq!(refusal(&inv)[0].0, "related");

    let mut inv = split_payment_invoice();
    inv.lines.clear();
    inv.payment = None;
    assert_eq!(
        refusal(&inv),
        vec![(
            "lines".into(),
            "la fattura deve avere almeno una riga".into()
        )]
    );

    let mut inv = mixed_invoice();
    inv.stamp_duty = false;
    assert_eq!(refusal(&inv)[0].0, "stamp_duty");

    let mut inv = split_payment_invoice();
    inv.lines[1].total_cents += 5;
    let r = refusal(&inv);
    assert_eq!(r[0].0, "lines[1].total_cents");
    assert!(r[0].1.contains("riga 2"), "{r:?}");

    let mut inv = split_payment_invoice();
    if let Some(p) = inv.payment.as_mut() {
        p.amount_cents += 1;
    }
    assert_eq!(refusal(&inv)[0].0, "payment.amount_cents");

    let mut inv = split_payment_invoice();
    if let Some(p) = inv.payment.as_mut() {
        p.iban = Some("IT61X0542811101000000123456".into());
    }
    assert_eq!(
        refusal(&inv),
        vec![("payment.iban".into(), "IBAN non valido".into())]
    );

    let mut inv = split_payment_invoice();
    inv.lines[0].vat = rate(0);
    assert_eq!(refusal(&inv)[0].0, "lines[0].vat");

    let mut inv = split_payment_invoice();
    inv.customer.vat = None;
    inv.customer.fiscal_code = None;
    inv.customer.address.cap = "1234".into();
    inv.supplier.name = "A".repeat(81);
    inv.number = "ABC".into();
    inv.lines[0].description = "x".repeat(1001);
    if let Some(k) = inv.contract.as_mut() {
        k.cig = Some("123".into());
    }
    let fields: Vec<String> = refusal(&inv).into_iter().map(|(f, _)| f).collect();
    for f in [
        "customer",
        "customer.address.cap",
        "supplier.name",
        "number",
        "lines[0].description",
        "contract.cig",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} not in {fields:?}");
    }
}

#[test]
fn a_euro_sign_does_not_overflow_a_field() {
    // '€' becomes "EUR": lengths are measured as written.
    let mut inv = split_payment_invoice();
    inv.supplier.name = format!("{}€", "A".repeat(78));
    assert_eq!(refusal(&inv)[0].0, "supplier.name");
    inv.supplier.name = format!("{}€", "A".repeat(77));
    to_xml(&inv).unwrap();
}
