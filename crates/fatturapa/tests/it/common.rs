//! Sample invoices and the xmllint cross-check.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use fatturapa::{
    Address, ContractRef, Customer, DocumentKind, Invoice, Line, Natura, Payment, Qty, Rea,
    RelatedInvoice, Supplier, TaxId, Vat,
};

pub const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/schema/Schema_del_file_xml_FatturaPA_v1.2.3.xsd"
);

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Validates `xml` with `xmllint --noout --nonet --schema`: Ok, or its messages.
pub fn xmllint(xml: &str) -> Result<(), String> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let path: PathBuf = std::env::temp_dir().join(format!(
        "fatturapa-{}-{}.xml",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, xml).unwrap();
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema", SCHEMA])
        .arg(&path)
        .output();
    let _ = std::fs::remove_file(&path);
    let out = match out {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "xmllint is missing: these tests cross-check every document with it; install \
             libxml2-utils (scripts/install-test-deps.sh does)"
        ),
        Err(e) => panic!("xmllint could not run: {e}"),
    };
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Both validators accept `xml`.
pub fn assert_valid(xml: &str) {
    if let Err(e) = xmllint(xml) {
        panic!("xmllint refuses the document:\n{e}\n{xml}");
    }
    if let Err(e) = fatturapa::validate(xml) {
        panic!("our validator refuses what xmllint accepts: {e:?}\n{xml}");
    }
}

pub fn supplier() -> Supplier {
    Supplier {
        vat: TaxId {
            country: "IT".into(),
            code: "02345678901".into(),
        },
        fiscal_code: Some("02345678901".into()),
        name: "Centro Servizi Territoriale Soc. Cons. a r.l.".into(),
        tax_regime: "RF01".into(),
        address: Address {
            street: "Via dell'Industria".into(),
            number: Some("12/B".into()),
            cap: "61122".into(),
            town: "Pesaro".into(),
            province: Some("PU".into()),
            country: "IT".into(),
        },
        rea: Some(Rea {
            office: "PU".into(),
            number: "123456".into(),
            share_capital: Some(5_000_000),
            sole_member: Some(false),
            liquidation: false,
        }),
        email: Some("amministrazione@cst.example.it".into()),
        phone: Some("0721123456".into()),
    }
}

pub fn customer() -> Customer {
    Customer {
        vat: Some(TaxId {
            country: "IT".into(),
            code: "00606620409".into(),
        }),
        fiscal_code: Some("00606620409".into()),
        name: "Comune di Forlì".into(),
        address: Address {
            street: "Piazza Aurelio Saffi".into(),
            number: Some("8".into()),
            cap: "47121".into(),
            town: "Forlì".into(),
            province: Some("FC".into()),
            country: "IT".into(),
        },
    }
}

pub fn line(description: &str, qty: Option<i64>, unit_price: i64, vat: Vat) -> Line {
    let total = match qty {
        Some(q) => (q * unit_price + 50).div_euclid(100),
        None => unit_price,
    };
    Line {
        description: description.into(),
        quantity: qty.map(Qty),
        unit: qty.map(|_| "ore".into()),
        unit_price_cents: unit_price,
        total_cents: total,
        vat,
    }
}

pub fn rate(h: u32) -> Vat {
    Vat::Rate { hundredths: h }
}

pub fn exempt(natura: Natura, reference: &str) -> Vat {
    Vat::Exempt {
        natura,
        reference: reference.into(),
    }
}

fn base(kind: DocumentKind, number: &str, lines: Vec<Line>) -> Invoice {
    Invoice {
        transmitter: TaxId {
            country: "IT".into(),
            code: "02345678901".into(),
        },
        progressive: "0000A".into(),
        recipient_code: "UF7R3K".into(),
        supplier: supplier(),
        customer: customer(),
        kind,
        date: date(2026, 1, 15),
        number: number.into(),
        causale: Vec::new(),
        contract: None,
        related: None,
        lines,
        split_payment: false,
        stamp_duty: false,
        payment: None,
    }
}

/// TD01 at 22% with split payment, CIG and CUP, paid by bank transfer.
pub fn split_payment_invoice() -> Invoice {
    let mut inv = base(
        DocumentKind::Invoice,
        "2026/0001",
        vec![
            line(
                "Canone annuale servizio di conservazione documentale",
                Some(100),
                120_000,
                rate(2200),
            ),
            line(
                "Assistenza tecnica sistemistica",
                Some(1250),
                4_500,
                rate(2200),
            ),
        ],
    );
    inv.split_payment = true;
    inv.causale = vec!["Servizi anno 2026 come da convenzione".into()];
    inv.contract = Some(ContractRef {
        id_documento: "Det. 123/2026".into(),
        cig: Some("Z1A2B3C4D5".into()),
        cup: Some("J41B21000120005".into()),
    });
    let payable = fatturapa::totals(&inv).payable_cents;
    inv.payment = Some(Payment {
        method: "MP05".into(),
        due: date(2026, 2, 14),
        amount_cents: payable,
        iban: Some("IT60 X054 2811 1010 0000 0123 456".into()),
        beneficiary: Some("Centro Servizi Territoriale".into()),
        notice_code: None,
    });
    inv
}

/// TD01 mixing 22% and the exempt natures N2.2 and N4, with stamp duty, paid via pagoPA.
pub fn mixed_invoice() -> Invoice {
    let mut inv = base(
        DocumentKind::Invoice,
        "2026/0002",
        vec![
            line("Servizio di help desk", None, 30_000, rate(2200)),
            line(
                "Quota associativa annuale",
                None,
                50_000,
                exempt(Natura::N2_2, "Art. 4 DPR 633/72"),
            ),
            line(
                "Formazione del personale",
                Some(300),
                5_000,
                exempt(Natura::N4, "Art. 10 c.1 n.20 DPR 633/72"),
            ),
        ],
    );
    inv.stamp_duty = true;
    let payable = fatturapa::totals(&inv).payable_cents;
    inv.payment = Some(Payment {
        method: "MP23".into(),
        due: date(2026, 2, 14),
        amount_cents: payable,
        iban: None,
        beneficiary: None,
        notice_code: Some("301000000000012345".into()),
    });
    inv
}

/// TD04 crediting part of the first invoice.
pub fn credit_note() -> Invoice {
    let mut inv = base(
        DocumentKind::CreditNote,
        "2026/NC01",
        vec![line("Storno parziale canone", None, 10_000, rate(2200))],
    );
    inv.related = Some(RelatedInvoice {
        number: "2026/0001".into(),
        date: date(2026, 1, 15),
    });
    inv.split_payment = true;
    inv.causale = vec!["Nota di credito a storno parziale".into()];
    inv
}

/// Text well beyond Latin-1: typographic punctuation, the euro sign, other scripts.
pub fn non_latin_invoice() -> Invoice {
    let mut inv = base(
        DocumentKind::Invoice,
        "2026/0003",
        vec![
            line("Attività – manutenzione €", Some(250), 4_000, rate(2200)),
            line(
                "Servizio “premium” per l’ufficio Łódź – 日本語 🙂",
                None,
                1_000,
                rate(1000),
            ),
        ],
    );
    inv.supplier.name = "Società Servizi Digitali – Sud".into();
    inv.customer.name = "Unione dei Comuni “Valle del Savio” & C.".into();
    inv.causale =
        fatturapa::split_causale(&"Causale lunga con l’apostrofo tipografico € ".repeat(12));
    inv.number = "2026/ñ04".into();
    inv
}
