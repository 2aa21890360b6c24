//! Mutations of valid documents: each one must be refused by xmllint and by our validator
//! alike, and what xmllint accepts ours accepts.

use crate::common::*;
use fatturapa::{to_xml, validate};

/// `xml` with the first `from` replaced by `to` (which must occur).
fn mutate(xml: &str, from: &str, to: &str) -> String {
    assert!(xml.contains(from), "«{from}» is not in the document");
    xml.replacen(from, to, 1)
}

fn assert_both_refuse(name: &str, xml: &str) -> Vec<fatturapa::SchemaError> {
    assert!(
        xmllint(xml).is_err(),
        "{name}: xmllint accepts the mutated document"
    );
    match validate(xml) {
        Ok(()) => panic!("{name}: our validator accepts what xmllint refuses"),
        Err(errors) => {
            assert!(!errors.is_empty());
            errors
        }
    }
}

fn base() -> String {
    to_xml(&split_payment_invoice()).unwrap()
}

#[test]
fn recipient_code_of_five_characters() {
    let xml = mutate(
        &base(),
        "<CodiceDestinatario>UF7R3K<",
        "<CodiceDestinatario>UF7R3<",
    );
    let errors = assert_both_refuse("CodiceDestinatario", &xml);
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].path,
        "/FatturaElettronica/FatturaElettronicaHeader/DatiTrasmissione/CodiceDestinatario"
    );
    assert_eq!(
        errors[0].message,
        "«UF7R3» non rispetta lo schema (CodiceDestinatarioType: non corrisponde al modello «[A-Z0-9]{6,7}»)"
    );
}

#[test]
fn cap_of_four_digits() {
    let xml = mutate(&base(), "<CAP>47121</CAP>", "<CAP>1234</CAP>");
    let errors = assert_both_refuse("CAP", &xml);
    assert!(
        errors[0].path.ends_with("/CessionarioCommittente/Sede/CAP"),
        "{:?}",
        errors
    );
}

#[test]
fn importo_totale_documento_is_optional_for_both() {
    // The schema makes ImportoTotaleDocumento optional: both validators agree.
    let xml = base();
    let line = xml
        .lines()
        .find(|l| l.contains("<ImportoTotaleDocumento>"))
        .unwrap();
    let xml = mutate(&xml, &format!("{line}\n"), "");
    assert_valid(&xml);
}

#[test]
fn missing_required_elements() {
    let xml = base();
    for tag in [
        "Numero",
        "ImponibileImporto",
        "Imposta",
        "CodiceDestinatario",
        "Nazione",
    ] {
        let line = xml
            .lines()
            .find(|l| l.contains(&format!("<{tag}>")))
            .unwrap();
        let mutated = mutate(&xml, &format!("{line}\n"), "");
        let errors = assert_both_refuse(tag, &mutated);
        assert!(
            errors
                .iter()
                .any(|e| e.message.contains(&format!("«{tag}»"))),
            "{tag}: {errors:?}"
        );
    }
    let body_start = xml.find("<DatiBeniServizi>").unwrap();
    let body_end = xml.find("</DatiBeniServizi>").unwrap() + "</DatiBeniServizi>\n".len();
    let without_lines = format!("{}{}", &xml[..body_start], &xml[body_end..]);
    let errors = assert_both_refuse("DatiBeniServizi", &without_lines);
    assert!(errors[0].message.contains("DatiBeniServizi"), "{errors:?}");
}

#[test]
fn elements_out_of_order() {
    let xml = base();
    let swapped = mutate(
        &xml,
        "<Divisa>EUR</Divisa>\n        <Data>2026-01-15</Data>",
        "<Data>2026-01-15</Data>\n        <Divisa>EUR</Divisa>",
    );
    let errors = assert_both_refuse("Divisa/Data", &swapped);
    assert!(
        errors[0].path.ends_with("/DatiGeneraliDocumento/Data"),
        "{errors:?}"
    );
    assert!(errors[0].message.contains("atteso: «Divisa»"), "{errors:?}");
    let swapped = mutate(
        &xml,
        "<ImponibileImporto>1762.50</ImponibileImporto>\n        <Imposta>387.75</Imposta>",
        "<Imposta>387.75</Imposta>\n        <ImponibileImporto>1762.50</ImponibileImporto>",
    );
    assert_both_refuse("Imposta/ImponibileImporto", &swapped);
}

#[test]
fn unknown_element_and_attribute() {
    let xml = base();
    let errors = assert_both_refuse(
        "unknown element",
        &mutate(
            &xml,
            "<Divisa>EUR</Divisa>",
            "<Divisa>EUR</Divisa><Sconto>1</Sconto>",
        ),
    );
    assert!(
        errors[0].message.contains("«Sconto» inatteso"),
        "{errors:?}"
    );
    assert_both_refuse(
        "unknown attribute",
        &mutate(&xml, "<Numero>", "<Numero lingua=\"it\">"),
    );
    assert_both_refuse(
        "qualified child",
        &mutate(&xml, "<Divisa>EUR</Divisa>", "<p:Divisa>EUR</p:Divisa>"),
    );
    assert_both_refuse(
        "text in element-only content",
        &mutate(&xml, "<Divisa>EUR</Divisa>", "<Divisa>EUR</Divisa>testo"),
    );
}

#[test]
fn wrong_values() {
    let xml = base();
    let cases = [
        (
            "AliquotaIVA 22",
            "<AliquotaIVA>22.00</AliquotaIVA>",
            "<AliquotaIVA>22</AliquotaIVA>",
        ),
        (
            "AliquotaIVA over 100",
            "<AliquotaIVA>22.00</AliquotaIVA>",
            "<AliquotaIVA>100.01</AliquotaIVA>",
        ),
        (
            "Natura unknown",
            "<AliquotaIVA>22.00</AliquotaIVA>",
            "<AliquotaIVA>0.00</AliquotaIVA><Natura>N8</Natura>",
        ),
        (
            "impossible date",
            "<Data>2026-01-15</Data>",
            "<Data>2026-02-30</Data>",
        ),
        (
            "Italian date",
            "<Data>2026-01-15</Data>",
            "<Data>15/01/2026</Data>",
        ),
        (
            "date before 1970",
            "<Data>2026-01-15</Data>",
            "<Data>1969-12-31</Data>",
        ),
        (
            "amount with one decimal",
            "<ImportoPagamento>1762.50<",
            "<ImportoPagamento>1762.5<",
        ),
        (
            "negative quantity",
            "<Quantita>1.00</Quantita>",
            "<Quantita>-1.00</Quantita>",
        ),
        ("versione", "versione=\"FPA12\"", "versione=\"FPA13\""),
        ("versione missing", "versione=\"FPA12\" ", ""),
        (
            "progressivo too long",
            "<ProgressivoInvio>0000A<",
            "<ProgressivoInvio>0000A0000A0<",
        ),
        (
            "TipoDocumento",
            "<TipoDocumento>TD01<",
            "<TipoDocumento>TD30<",
        ),
        ("EsigibilitaIVA", "<EsigibilitaIVA>S<", "<EsigibilitaIVA>X<"),
        (
            "IBAN",
            "<IBAN>IT60X0542811101000000123456<",
            "<IBAN>IT60 X054<",
        ),
        ("NumeroLinea zero", "<NumeroLinea>1<", "<NumeroLinea>0<"),
        ("empty Numero", "<Numero>2026/0001<", "<Numero><"),
        ("Numero not ASCII", "<Numero>2026/0001<", "<Numero>2026/ñ1<"),
        ("Provincia", "<Provincia>FC<", "<Provincia>Forli<"),
    ];
    for (name, from, to) in cases {
        assert_both_refuse(name, &mutate(&xml, from, to));
    }
}

#[test]
fn denominazione_of_81_characters() {
    let xml = base();
    let name = "A".repeat(81);
    let errors = assert_both_refuse(
        "Denominazione",
        &mutate(
            &xml,
            "<Denominazione>Comune di Forlì<",
            &format!("<Denominazione>{name}<"),
        ),
    );
    assert!(
        errors[0].message.contains("String80LatinType"),
        "{errors:?}"
    );
    // 80 is fine.
    assert_valid(&mutate(
        &xml,
        "<Denominazione>Comune di Forlì<",
        &format!("<Denominazione>{}<", "A".repeat(80)),
    ));
    // A character beyond Latin-1 is refused by the pattern.
    assert_both_refuse(
        "Denominazione non Latin-1",
        &mutate(
            &xml,
            "<Denominazione>Comune di Forlì<",
            "<Denominazione>Comune di Forlì €<",
        ),
    );
}

#[test]
fn generic_natura_codes_pass_the_schema_but_not_the_model() {
    // The v1.2.3 schema still lists N2, N3 and N6 (the SdI refuses them by a later check,
    // not by the schema): both validators accept them, the model refuses to write them.
    let xml = to_xml(&mixed_invoice()).unwrap();
    assert_valid(&mutate(
        &xml,
        "<Natura>N2.2</Natura>",
        "<Natura>N2</Natura>",
    ));
    assert!(fatturapa::Natura::parse("N2").is_err());
}

#[test]
fn structure_errors() {
    let xml = base();
    assert_both_refuse(
        "two headers",
        &mutate(
            &xml,
            "<FatturaElettronicaBody>",
            "<FatturaElettronicaHeader/><FatturaElettronicaBody>",
        ),
    );
    assert_both_refuse(
        "root namespace",
        &xml.replace(
            "xmlns:p=\"http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2\"",
            "xmlns:p=\"http://example.org/fatture\"",
        ),
    );
    // A signature the validator cannot verify is refused, never ignored.
    let signed = mutate(
        &xml,
        "</p:FatturaElettronica>",
        "<ds:Signature/></p:FatturaElettronica>",
    );
    let errors = assert_both_refuse("ds:Signature", &signed);
    assert!(errors[0].path.ends_with("/Signature"), "{errors:?}");
    let not_xml = mutate(&xml, "</Divisa>", "</Valuta>");
    assert!(xmllint(&not_xml).is_err());
    assert_eq!(validate(&not_xml).unwrap_err()[0].path, "/");
}

#[test]
fn whitespace_is_normalised_as_the_types_say() {
    let xml = base();
    // Decimals collapse whitespace; normalizedString keeps spaces but counts them.
    assert_valid(&mutate(
        &xml,
        "<Imposta>387.75</Imposta>",
        "<Imposta>\n 387.75 \n</Imposta>",
    ));
    assert_both_refuse(
        "CAP with spaces",
        &mutate(&xml, "<CAP>47121</CAP>", "<CAP> 47121</CAP>"),
    );
    // An empty Nazione takes the schema default, IT.
    assert_valid(&mutate(&xml, "<Nazione>IT</Nazione>", "<Nazione/>"));
}

/// Both validators give the same verdict.
fn assert_agree(name: &str, xml: &str) -> bool {
    let reference = xmllint(xml);
    let ours = validate(xml);
    assert_eq!(
        reference.is_ok(),
        ours.is_ok(),
        "{name}: xmllint {reference:?}, ours {ours:?}"
    );
    ours.is_ok()
}

#[test]
fn lexical_corners_agree() {
    let xml = base();
    let root = "<p:FatturaElettronica versione=\"FPA12\"";
    let cases: [(&str, &str, &str, bool); 12] = [
        (
            "euro by reference",
            "<Denominazione>Comune di Forlì<",
            "<Denominazione>Comune &#x20AC;<",
            false,
        ),
        (
            "Latin-1 by reference",
            "<Denominazione>Comune di Forlì<",
            "<Denominazione>Comune di Forl&#236;<",
            true,
        ),
        (
            "CDATA",
            "<Denominazione>Comune di Forlì<",
            "<Denominazione><![CDATA[Comune & C.]]><",
            true,
        ),
        (
            "comment and PI inside",
            "<Divisa>EUR</Divisa>",
            "<Divisa>E<!-- x -->UR<?pi x?></Divisa>",
            true,
        ),
        (
            "SistemaEmittente",
            root,
            "<p:FatturaElettronica SistemaEmittente=\"CST 1.0\" versione=\"FPA12\"",
            true,
        ),
        (
            "SistemaEmittente too long",
            root,
            "<p:FatturaElettronica SistemaEmittente=\"CST 1.0.0.0\" versione=\"FPA12\"",
            false,
        ),
        (
            "FPR12 is a valid versione",
            "versione=\"FPA12\"",
            "versione=\"FPR12\"",
            true,
        ),
        (
            "attribute with spaces",
            "versione=\"FPA12\"",
            "versione=\" FPA12\"",
            false,
        ),
        (
            "decimal with plus",
            "<Imposta>387.75</Imposta>",
            "<Imposta>+387.75</Imposta>",
            false,
        ),
        (
            "date with time zone",
            "<Data>2026-01-15</Data>",
            "<Data>2026-01-15Z</Data>",
            true,
        ),
        (
            "NumeroLinea with leading zeros",
            "<NumeroLinea>1<",
            "<NumeroLinea>0001<",
            true,
        ),
        (
            "NumeroLinea 10000",
            "<NumeroLinea>1<",
            "<NumeroLinea>10000<",
            false,
        ),
    ];
    for (name, from, to, valid) in cases {
        assert_eq!(assert_agree(name, &mutate(&xml, from, to)), valid, "{name}");
    }
    // Unprefixed root in the default namespace: the children would be qualified too.
    let default_ns = xml
        .replace("<p:FatturaElettronica", "<FatturaElettronica")
        .replace("</p:FatturaElettronica", "</FatturaElettronica")
        .replace("xmlns:p=", "xmlns=");
    assert!(!assert_agree("default namespace", &default_ns));
}
