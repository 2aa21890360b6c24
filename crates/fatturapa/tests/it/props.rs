//! Generated invoices: random lines, rates and natures, Latin and non-Latin text. Every
//! one is written, accepted by our validator (inside `to_xml`) and by xmllint, and its
//! summaries add up to its totals.

use proptest::prelude::*;

use crate::common::*;
use fatturapa::{
    line_total, stamp_duty_due, summaries, to_xml, totals, ContractRef, DocumentKind, Line, Natura,
    Payment, Qty, RelatedInvoice, SummaryKey, Vat,
};

fn text(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::string::string_regex(&format!("[A-Za-z0-9 .,;:'/()-]{{1,{max}}}")).unwrap(),
        proptest::string::string_regex(&format!("[a-zàèéìòùÀÈÉÌÒÙçñß°& <>\"]{{1,{max}}}")).unwrap(),
        proptest::string::string_regex(&format!(
            "[a-z€’‘“”–—…ŁłŞşŽž日本語Ωπ🙂\u{200B}]{{1,{max}}}"
        ))
        .unwrap(),
        proptest::string::string_regex(&format!("\\PC{{1,{max}}}")).unwrap(),
    ]
    .prop_filter("some visible text", move |s| {
        !fatturapa::to_latin1(s).trim().is_empty() && fatturapa::to_latin1(s).chars().count() <= max
    })
}

fn vat() -> impl Strategy<Value = Vat> {
    prop_oneof![
        prop::sample::select(vec![400u32, 500, 1000, 2200])
            .prop_map(|h| Vat::Rate { hundredths: h }),
        (prop::sample::select(Natura::ALL.to_vec()), text(100))
            .prop_map(|(natura, reference)| Vat::Exempt { natura, reference }),
    ]
}

fn line_strategy() -> impl Strategy<Value = Line> {
    (
        text(300),
        prop::option::of(0i64..1_000_000),
        prop::option::of("[a-z]{1,10}"),
        prop_oneof![4 => 0i64..5_000_000, 1 => -50_000i64..0],
        vat(),
    )
        .prop_map(|(description, qty, unit, price, vat)| Line {
            description,
            quantity: qty.map(Qty),
            unit,
            unit_price_cents: price,
            total_cents: line_total(qty.map(Qty), price),
            vat,
        })
}

fn invoice_strategy() -> impl Strategy<Value = fatturapa::Invoice> {
    (
        prop::collection::vec(line_strategy(), 1..12),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop::option::of(text(60)),
        prop::collection::vec(text(200), 0..3),
        1u64..60_466_176,
    )
        .prop_map(|(lines, credit, split, bollo, beneficiary, causale, n)| {
            let mut inv = split_payment_invoice();
            inv.kind = if credit {
                DocumentKind::CreditNote
            } else {
                DocumentKind::Invoice
            };
            inv.related = credit.then(|| RelatedInvoice {
                number: "2025/0100".into(),
                date: date(2025, 12, 1),
            });
            inv.contract = (!credit).then(|| ContractRef {
                id_documento: "Ordine 7".into(),
                cig: None,
                cup: Some("J41B21000120005".into()),
            });
            inv.progressive = fatturapa::progressive(n).unwrap();
            inv.stamp_duty = bollo || stamp_duty_due(&lines);
            inv.lines = lines;
            inv.split_payment = split;
            inv.causale = causale;
            inv.payment = None;
            let payable = totals(&inv).payable_cents;
            inv.payment = Some(Payment {
                method: "MP05".into(),
                due: date(2026, 3, 31),
                amount_cents: payable,
                iban: Some("IT60X0542811101000000123456".into()),
                beneficiary,
                notice_code: None,
            });
            inv
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn generated_invoices_are_valid_and_add_up(inv in invoice_strategy()) {
        let xml = match to_xml(&inv) {
            Ok(xml) => xml,
            Err(e) => panic!("refused: {e}"),
        };
        if let Err(e) = xmllint(&xml) {
            panic!("xmllint refuses what our validator accepted:\n{e}\n{xml}");
        }
        let t = totals(&inv);
        let s = summaries(&inv.lines);
        let taxable: i64 = s.iter().filter(|s| matches!(s.key, SummaryKey::Rate { .. })).map(|s| s.taxable_cents).sum();
        let exempt: i64 = s.iter().filter(|s| matches!(s.key, SummaryKey::Exempt { .. })).map(|s| s.taxable_cents).sum();
        let vat: i64 = s.iter().map(|s| s.vat_cents).sum();
        prop_assert_eq!(taxable, t.taxable_cents);
        prop_assert_eq!(exempt, t.exempt_cents);
        prop_assert_eq!(vat, t.vat_cents);
        prop_assert_eq!(t.total_cents, taxable + exempt + vat);
        prop_assert_eq!(t.payable_cents, if inv.split_payment { taxable + exempt } else { t.total_cents });
        let line_sum: i64 = inv.lines.iter().map(|l| l.total_cents).sum();
        prop_assert_eq!(line_sum, taxable + exempt);
        let exempt_vat_is_zero = s.iter().all(|s| s.vat_cents == 0 || matches!(s.key, SummaryKey::Rate { .. }));
        prop_assert!(exempt_vat_is_zero, "VAT on an exempt summary");
        prop_assert_eq!(
            xml.matches("<DatiRiepilogo>").count(), s.len()
        );
        let total_tag = format!("<ImportoTotaleDocumento>{}</ImportoTotaleDocumento>", kernel::Euro::from_cents(t.total_cents).to_decimal_string());
        prop_assert!(xml.contains(&total_tag), "{}", total_tag);
    }
}
