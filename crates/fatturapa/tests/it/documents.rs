//! Whole documents: written, accepted by both validators, with the content expected.

use crate::common::*;
use fatturapa::{to_xml, totals};

fn written(inv: &fatturapa::Invoice) -> String {
    let xml = to_xml(inv).unwrap_or_else(|e| panic!("to_xml refused the invoice: {e}"));
    assert_valid(&xml);
    xml
}

fn between<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    xml.match_indices(&open)
        .filter_map(|(i, _)| {
            let start = i + open.len();
            xml[start..]
                .find(&close)
                .map(|end| &xml[start..start + end])
        })
        .collect()
}

#[test]
fn split_payment_invoice_with_cig_cup_and_iban() {
    let inv = split_payment_invoice();
    let xml = written(&inv);
    assert!(xml.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<p:FatturaElettronica versione=\"FPA12\""
    ));
    assert!(
        xml.contains("xmlns:p=\"http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2\"")
    );
    assert!(xml.contains("xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\""));
    assert_eq!(between(&xml, "TipoDocumento"), ["TD01"]);
    assert_eq!(between(&xml, "CodiceDestinatario"), ["UF7R3K"]);
    assert_eq!(between(&xml, "CodiceCIG"), ["Z1A2B3C4D5"]);
    assert_eq!(between(&xml, "CodiceCUP"), ["J41B21000120005"]);
    assert_eq!(between(&xml, "Quantita"), ["1.00", "12.50"]);
    assert_eq!(between(&xml, "PrezzoTotale"), ["1200.00", "562.50"]);
    assert_eq!(between(&xml, "ImponibileImporto"), ["1762.50"]);
    assert_eq!(between(&xml, "Imposta"), ["387.75"]);
    assert_eq!(between(&xml, "EsigibilitaIVA"), ["S"]);
    assert_eq!(between(&xml, "ImportoTotaleDocumento"), ["2150.25"]);
    // Under split payment the public body pays the supplier the taxable amount only.
    assert_eq!(between(&xml, "ImportoPagamento"), ["1762.50"]);
    assert_eq!(between(&xml, "IBAN"), ["IT60X0542811101000000123456"]);
    assert_eq!(between(&xml, "ModalitaPagamento"), ["MP05"]);
    assert_eq!(between(&xml, "CapitaleSociale"), ["50000.00"]);
    let t = totals(&inv);
    assert_eq!(
        (t.taxable_cents, t.vat_cents, t.total_cents, t.payable_cents),
        (176_250, 38_775, 215_025, 176_250)
    );
    assert!(xml.find("<DatiContratto>").unwrap() < xml.find("<DatiBeniServizi>").unwrap());
}

#[test]
fn mixed_rates_and_exempt_natures_with_stamp_duty() {
    let inv = mixed_invoice();
    assert!(fatturapa::stamp_duty_due(&inv.lines));
    let xml = written(&inv);
    assert_eq!(
        between(&xml, "AliquotaIVA"),
        ["22.00", "0.00", "0.00", "22.00", "0.00", "0.00"]
    );
    assert_eq!(between(&xml, "Natura"), ["N2.2", "N4", "N2.2", "N4"]);
    assert_eq!(
        between(&xml, "ImponibileImporto"),
        ["300.00", "500.00", "150.00"]
    );
    assert_eq!(between(&xml, "Imposta"), ["66.00", "0.00", "0.00"]);
    // EsigibilitaIVA only on the taxable summary; RiferimentoNormativo on the exempt ones.
    assert_eq!(between(&xml, "EsigibilitaIVA"), ["I"]);
    assert_eq!(
        between(&xml, "RiferimentoNormativo"),
        ["Art. 4 DPR 633/72", "Art. 10 c.1 n.20 DPR 633/72"]
    );
    assert_eq!(between(&xml, "BolloVirtuale"), ["SI"]);
    assert_eq!(between(&xml, "ImportoBollo"), ["2.00"]);
    assert_eq!(between(&xml, "ImportoTotaleDocumento"), ["1016.00"]);
    assert_eq!(between(&xml, "ImportoPagamento"), ["1016.00"]);
    assert_eq!(between(&xml, "CodicePagamento"), ["301000000000012345"]);
    let t = totals(&inv);
    assert_eq!(
        (t.taxable_cents, t.exempt_cents, t.vat_cents),
        (30_000, 65_000, 6_600)
    );
}

#[test]
fn credit_note_refers_to_the_invoice_credited() {
    let inv = credit_note();
    let xml = written(&inv);
    assert_eq!(between(&xml, "TipoDocumento"), ["TD04"]);
    let related = between(&xml, "DatiFattureCollegate");
    assert_eq!(related.len(), 1);
    assert!(related[0].contains("<IdDocumento>2026/0001</IdDocumento>"));
    assert!(related[0].contains("<Data>2026-01-15</Data>"));
    assert_eq!(between(&xml, "ImportoTotaleDocumento"), ["122.00"]);
    assert!(!xml.contains("DatiPagamento"));
}

#[test]
fn non_latin_text_is_transliterated() {
    let inv = non_latin_invoice();
    let xml = written(&inv);
    let descriptions = between(&xml, "Descrizione");
    assert_eq!(descriptions[0], "Attività - manutenzione EUR");
    assert_eq!(
        descriptions[1],
        "Servizio \"premium\" per l'ufficio Lódz - ??? ?"
    );
    assert_eq!(
        between(&xml, "Denominazione"),
        [
            "Società Servizi Digitali - Sud",
            "Unione dei Comuni \"Valle del Savio\" &amp; C."
        ]
    );
    assert_eq!(between(&xml, "Numero"), ["2026/n04"]);
    let causale = between(&xml, "Causale");
    assert!(causale.len() >= 3);
    assert!(causale
        .iter()
        .all(|c| c.chars().count() <= 200 && !c.contains('’') && !c.contains('€')));
    assert!(xml.chars().all(|c| u32::from(c) <= 0xFF));
}

#[test]
fn the_same_invoice_gives_the_same_bytes() {
    let inv = mixed_invoice();
    assert_eq!(to_xml(&inv).unwrap(), to_xml(&inv).unwrap());
}

#[test]
fn invoice_round_trips_through_serde() {
    let inv = mixed_invoice();
    let json = serde_json::to_string(&inv).unwrap();
    assert!(json.contains("\"N2.2\""));
    let back: fatturapa::Invoice = serde_json::from_str(&json).unwrap();
    assert_eq!(back, inv);
}
