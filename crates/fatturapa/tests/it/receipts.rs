//! SdI notices.

use fatturapa::{parse_receipt, ReceiptError, ReceiptKind};

fn sample(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/receipts/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn delivery_receipt() {
    let r = parse_receipt(&sample("IT02345678901_0000A_RC_001.xml")).unwrap();
    assert_eq!(r.kind, ReceiptKind::Delivered);
    assert_eq!(r.kind.code(), "RC");
    assert_eq!(r.identificativo_sdi.as_deref(), Some("3245987612"));
    assert_eq!(r.file_name, "IT02345678901_0000A.xml");
    assert_eq!(
        r.date_time.as_deref(),
        Some("2026-01-15T10:12:45.000+01:00")
    );
    assert_eq!(
        r.delivered_at.as_deref(),
        Some("2026-01-15T10:15:02.000+01:00")
    );
    assert_eq!(r.message_id.as_deref(), Some("1234567890"));
    assert_eq!(r.note.as_deref(), Some("Ricevuta di consegna"));
    // The recipient's Descrizione inside Destinatario is not the notice's.
    assert_eq!(r.description, None);
    assert!(r.errors.is_empty());
    assert!(!r.accepted() && !r.refused());
}

#[test]
fn rejection_lists_its_errors() {
    let r = parse_receipt(&sample("IT02345678901_0000B_NS_001.xml")).unwrap();
    assert_eq!(r.kind, ReceiptKind::Rejected);
    assert!(r.refused());
    assert_eq!(r.errors.len(), 2);
    assert_eq!(r.errors[0].code, "00404");
    assert_eq!(r.errors[0].description, "Fattura duplicata");
    assert!(r.errors[0]
        .suggestion
        .as_deref()
        .unwrap()
        .starts_with("Verificare"));
    assert_eq!(r.errors[1].code, "00423");
    assert_eq!(
        r.errors[1].description,
        "2.2.1.11 <PrezzoTotale> non calcolato secondo le specifiche tecniche (linea 2)"
    );
    assert_eq!(r.errors[1].suggestion, None);
}

#[test]
fn failed_delivery() {
    let r = parse_receipt(&sample("IT02345678901_0000C_MC_001.xml")).unwrap();
    assert_eq!(r.kind, ReceiptKind::NotDelivered);
    assert_eq!(r.file_name, "IT02345678901_0000C.xml");
    assert_eq!(
        r.description.as_deref(),
        Some("Canale di trasmissione del destinatario non raggiungibile")
    );
}

#[test]
fn outcomes_accepted_and_refused() {
    let ok = parse_receipt(&sample("IT02345678901_0000A_NE_001.xml")).unwrap();
    assert_eq!(ok.kind, ReceiptKind::Outcome);
    assert_eq!(ok.outcome.as_deref(), Some("EC01"));
    assert!(ok.accepted() && !ok.refused());
    let no = parse_receipt(&sample("IT02345678901_0000D_NE_001.xml")).unwrap();
    assert_eq!(no.outcome.as_deref(), Some("EC02"));
    assert!(no.refused() && !no.accepted());
    assert_eq!(
        no.description.as_deref(),
        Some("Manca il codice CIG: riemettere la fattura indicando il CIG Z1A2B3C4D5")
    );
}

#[test]
fn terms_elapsed_and_certificate() {
    let dt = parse_receipt(&sample("IT02345678901_0000E_DT_001.xml")).unwrap();
    assert_eq!(dt.kind, ReceiptKind::TermsElapsed);
    assert_eq!(dt.file_name, "IT02345678901_0000E.xml");
    assert_eq!(dt.date_time, None);
    let at = parse_receipt(&sample("IT02345678901_0000F_AT_001.xml")).unwrap();
    assert_eq!(at.kind, ReceiptKind::TransmissionCertificate);
    assert_eq!(at.identificativo_sdi.as_deref(), Some("3245988000"));
}

#[test]
fn refuses_what_is_not_a_notice() {
    let mt = parse_receipt(&sample("not_a_receipt_MT.xml")).unwrap_err();
    assert_eq!(mt, ReceiptError::Unknown("MetadatiInvioFile".into()));
    assert!(mt
        .to_string()
        .contains("non è una notifica SdI riconosciuta"));

    let invoice = fatturapa::to_xml(&crate::common::credit_note()).unwrap();
    let e = parse_receipt(invoice.as_bytes()).unwrap_err();
    assert_eq!(e, ReceiptError::Unknown("FatturaElettronica".into()));

    let foreign = String::from_utf8(sample("IT02345678901_0000A_RC_001.xml"))
        .unwrap()
        .replace("http://www.fatturapa.gov.it/sdi/messaggi/v1.0", "urn:altro");
    assert!(matches!(
        parse_receipt(foreign.as_bytes()),
        Err(ReceiptError::Namespace(ns)) if ns == "urn:altro"
    ));

    assert!(matches!(
        parse_receipt(b"<a><b></a>"),
        Err(ReceiptError::Malformed(_))
    ));
    assert!(matches!(
        parse_receipt(b"\xff\xfe<"),
        Err(ReceiptError::Malformed(_))
    ));
    assert!(matches!(
        parse_receipt(b""),
        Err(ReceiptError::Malformed(_))
    ));

    let no_errors = String::from_utf8(sample("IT02345678901_0000B_NS_001.xml")).unwrap();
    let start = no_errors.find("<ListaErrori>").unwrap();
    let end = no_errors.find("</ListaErrori>").unwrap() + "</ListaErrori>".len();
    let cut = format!("{}{}", &no_errors[..start], &no_errors[end..]);
    let e = parse_receipt(cut.as_bytes()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "la notifica SdI «NotificaScarto» è incompleta: manca ListaErrori"
    );

    let no_name = String::from_utf8(sample("IT02345678901_0000C_MC_001.xml"))
        .unwrap()
        .replace("<NomeFile>IT02345678901_0000C.xml</NomeFile>", "");
    assert!(matches!(
        parse_receipt(no_name.as_bytes()),
        Err(ReceiptError::Incomplete { missing, .. }) if missing == "NomeFile"
    ));
}
