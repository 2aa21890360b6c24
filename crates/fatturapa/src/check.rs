//! The checks an invoice passes before it is written: everything the schema and the SdI's
//! first controls would refuse, said field by field in Italian. Text lengths are measured
//! after transliteration (see [`crate::text`]), as written.

use chrono::NaiveDate;
use kernel::{Euro, FieldError};

use crate::model::{Address, DocumentKind, Invoice, Line, Payment, TaxId, Vat};
use crate::text::{to_ascii, to_latin1};
use crate::totals::{line_total, stamp_duty_due, totals};

/// RegimeFiscale codes of the schema (RF03 was withdrawn).
const TAX_REGIMES: [&str; 19] = [
    "RF01", "RF02", "RF04", "RF05", "RF06", "RF07", "RF08", "RF09", "RF10", "RF11", "RF12", "RF13",
    "RF14", "RF15", "RF16", "RF17", "RF18", "RF19", "RF20",
];

/// Amounts the schema can write: at most 11 integer digits.
const MAX_AMOUNT_CENTS: i64 = 9_999_999_999_999;
/// Quantities: at most 12 integer digits.
const MAX_QTY_HUNDREDTHS: i64 = 99_999_999_999_999;

struct Errors(Vec<FieldError>);

impl Errors {
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Latin-1 text of `1..=max` characters.
    fn latin(&mut self, field: &str, value: &str, max: usize, what: &str) {
        let n = to_latin1(value).trim().chars().count();
        if n == 0 {
            self.add(field, format!("{what}: obbligatorio"));
        } else if n > max {
            self.add(
                field,
                format!("{what}: al massimo {max} caratteri (sono {n})"),
            );
        }
    }

    /// ASCII text of `min..=max` characters.
    fn ascii(&mut self, field: &str, value: &str, (min, max): (usize, usize), what: &str) {
        let n = to_ascii(value).trim().chars().count();
        if n == 0 && min > 0 {
            self.add(field, format!("{what}: obbligatorio"));
        } else if n < min || n > max {
            self.add(
                field,
                format!("{what}: da {min} a {max} caratteri (sono {n})"),
            );
        }
    }
}

fn is_upper_alnum(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

fn is_country(s: &str) -> bool {
    s.len() == 2 && s.chars().all(|c| c.is_ascii_uppercase())
}

fn euro(cents: i64) -> String {
    Euro::from_cents(cents).to_italian()
}

/// The IBAN check digits (ISO 13616, mod 97), on the compact upper-case form.
fn iban_ok(iban: &str) -> bool {
    let valid_shape = iban.len() >= 15
        && iban.len() <= 34
        && iban.chars().all(|c| c.is_ascii_alphanumeric())
        && iban
            .get(..2)
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_uppercase()))
        && iban
            .get(2..4)
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()));
    if !valid_shape {
        return false;
    }
    let (head, tail) = iban.split_at(4);
    let mut rem: u32 = 0;
    for c in tail.chars().chain(head.chars()) {
        let v = c.to_digit(36).unwrap_or(0);
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// The compact form of an IBAN as written (spaces removed, upper case).
pub(crate) fn compact_iban(iban: &str) -> String {
    iban.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

fn tax_id(e: &mut Errors, field: &str, id: &TaxId, vat: bool, who: &str) {
    if !is_country(&id.country) {
        e.add(
            &format!("{field}.country"),
            format!("{who}: il paese deve essere un codice di due lettere maiuscole"),
        );
    }
    let code = id.code.trim();
    let ok = match (id.country.as_str(), vat) {
        ("IT", true) => code.len() == 11 && code.chars().all(|c| c.is_ascii_digit()),
        ("IT", false) => (11..=16).contains(&code.len()) && is_upper_alnum(code),
        _ => (1..=28).contains(&code.len()) && code.is_ascii(),
    };
    if !ok {
        let msg = match (id.country.as_str(), vat) {
            ("IT", true) => format!("{who}: la partita IVA deve avere 11 cifre"),
            ("IT", false) => format!("{who}: il codice fiscale deve avere da 11 a 16 caratteri"),
            _ => format!("{who}: il codice deve avere da 1 a 28 caratteri"),
        };
        e.add(&format!("{field}.code"), msg);
    }
}

fn fiscal_code(e: &mut Errors, field: &str, code: &str, who: &str) {
    if !(11..=16).contains(&code.len()) || !is_upper_alnum(code) {
        e.add(
            field,
            format!("{who}: il codice fiscale deve avere da 11 a 16 lettere maiuscole o cifre"),
        );
    }
}

fn address(e: &mut Errors, field: &str, a: &Address, who: &str) {
    e.latin(
        &format!("{field}.street"),
        &a.street,
        60,
        &format!("{who}, indirizzo"),
    );
    if let Some(n) = &a.number {
        e.ascii(
            &format!("{field}.number"),
            n,
            (1, 8),
            &format!("{who}, numero civico"),
        );
    }
    if a.cap.len() != 5 || !a.cap.chars().all(|c| c.is_ascii_digit()) {
        e.add(
            &format!("{field}.cap"),
            format!("{who}: il CAP deve avere 5 cifre"),
        );
    }
    e.latin(
        &format!("{field}.town"),
        &a.town,
        60,
        &format!("{who}, comune"),
    );
    if a.province.as_deref().is_some_and(|p| !is_country(p)) {
        e.add(
            &format!("{field}.province"),
            format!("{who}: la provincia deve essere una sigla di due lettere maiuscole"),
        );
    }
    if !is_country(&a.country) {
        e.add(
            &format!("{field}.country"),
            format!("{who}: la nazione deve essere un codice di due lettere maiuscole"),
        );
    }
}

fn header(e: &mut Errors, inv: &Invoice) {
    tax_id(e, "transmitter", &inv.transmitter, false, "trasmittente");
    let p = &inv.progressive;
    if p.is_empty() || p.len() > 5 || !p.chars().all(|c| c.is_ascii_alphanumeric()) {
        e.add(
            "progressive",
            "il progressivo di invio deve avere da 1 a 5 lettere o cifre",
        );
    }
    let r = &inv.recipient_code;
    if r.chars().count() != 6 {
        e.add(
            "recipient_code",
            "il codice destinatario deve avere 6 caratteri",
        );
    } else if !is_upper_alnum(r) {
        e.add(
            "recipient_code",
            "il codice destinatario può contenere solo lettere maiuscole e cifre",
        );
    }
    let s = &inv.supplier;
    tax_id(e, "supplier.vat", &s.vat, true, "cedente");
    if let Some(cf) = &s.fiscal_code {
        fiscal_code(e, "supplier.fiscal_code", cf, "cedente");
    }
    e.latin("supplier.name", &s.name, 80, "cedente, denominazione");
    if !TAX_REGIMES.contains(&s.tax_regime.as_str()) {
        e.add(
            "supplier.tax_regime",
            format!("regime fiscale «{}» sconosciuto", s.tax_regime),
        );
    }
    address(e, "supplier.address", &s.address, "cedente");
    if let Some(rea) = &s.rea {
        if !is_country(&rea.office) {
            e.add(
                "supplier.rea.office",
                "REA: l'ufficio deve essere una sigla di provincia",
            );
        }
        e.ascii("supplier.rea.number", &rea.number, (1, 20), "REA, numero");
        if rea
            .share_capital
            .is_some_and(|c| !(0..=MAX_AMOUNT_CENTS).contains(&c))
        {
            e.add(
                "supplier.rea.share_capital",
                "REA: capitale sociale non valido",
            );
        }
    }
    if let Some(m) = &s.email {
        let m = m.trim();
        let shape = m
            .split_once('@')
            .is_some_and(|(a, d)| !a.is_empty() && d.contains('.') && !d.ends_with('.'));
        if !(7..=256).contains(&m.chars().count()) || !shape || m.contains(char::is_whitespace) {
            e.add("supplier.email", "cedente: indirizzo e-mail non valido");
        }
    }
    if let Some(t) = &s.phone {
        e.ascii("supplier.phone", t, (5, 12), "cedente, telefono");
    }
    let c = &inv.customer;
    if c.vat.is_none() && c.fiscal_code.is_none() {
        e.add(
            "customer",
            "indicare la partita IVA o il codice fiscale del committente",
        );
    }
    if let Some(v) = &c.vat {
        tax_id(e, "customer.vat", v, true, "committente");
    }
    if let Some(cf) = &c.fiscal_code {
        fiscal_code(e, "customer.fiscal_code", cf, "committente");
    }
    e.latin("customer.name", &c.name, 80, "committente, denominazione");
    address(e, "customer.address", &c.address, "committente");
}

fn general(e: &mut Errors, inv: &Invoice) {
    if inv.date < NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default() {
        e.add("date", "data della fattura non valida");
    }
    e.ascii("number", &inv.number, (1, 20), "numero della fattura");
    if !inv.number.chars().any(|c| c.is_ascii_digit()) {
        e.add(
            "number",
            "il numero della fattura deve contenere almeno una cifra",
        );
    }
    for (i, c) in inv.causale.iter().enumerate() {
        e.latin(&format!("causale[{i}]"), c, 200, "causale");
    }
    if let Some(k) = &inv.contract {
        e.ascii(
            "contract.id_documento",
            &k.id_documento,
            (1, 20),
            "contratto, identificativo",
        );
        if k.cig
            .as_deref()
            .is_some_and(|g| g.len() != 10 || !is_upper_alnum(g))
        {
            e.add(
                "contract.cig",
                "il CIG deve avere 10 lettere maiuscole o cifre",
            );
        }
        if k.cup
            .as_deref()
            .is_some_and(|g| g.len() != 15 || !is_upper_alnum(g))
        {
            e.add(
                "contract.cup",
                "il CUP deve avere 15 lettere maiuscole o cifre",
            );
        }
    }
    match (&inv.related, inv.kind) {
        (None, DocumentKind::CreditNote) => e.add(
            "related",
            "per una nota di credito indicare numero e data della fattura stornata",
        ),
        (Some(r), _) => {
            e.ascii(
                "related.number",
                &r.number,
                (1, 20),
                "fattura collegata, numero",
            );
            if r.date > inv.date {
                e.add(
                    "related.date",
                    "la fattura collegata non può essere successiva al documento",
                );
            }
        }
        (None, DocumentKind::Invoice) => {}
    }
}

fn line(e: &mut Errors, i: usize, l: &Line) {
    let f = |name: &str| format!("lines[{i}].{name}");
    let n = i + 1;
    e.latin(
        &f("description"),
        &l.description,
        1000,
        &format!("riga {n}, descrizione"),
    );
    if let Some(q) = l.quantity {
        if !(0..=MAX_QTY_HUNDREDTHS).contains(&q.0) {
            e.add(&f("quantity"), format!("riga {n}: quantità non valida"));
        }
    }
    if let Some(u) = &l.unit {
        e.ascii(
            &f("unit"),
            u,
            (1, 10),
            &format!("riga {n}, unità di misura"),
        );
    }
    for (name, v) in [
        ("unit_price_cents", l.unit_price_cents),
        ("total_cents", l.total_cents),
    ] {
        if !(-MAX_AMOUNT_CENTS..=MAX_AMOUNT_CENTS).contains(&v) {
            e.add(&f(name), format!("riga {n}: importo fuori dai limiti"));
        }
    }
    let expected = line_total(l.quantity, l.unit_price_cents);
    if (expected - l.total_cents).abs() > 1 {
        e.add(
            &f("total_cents"),
            format!(
                "riga {n}: il totale {} non corrisponde a quantità per prezzo unitario ({})",
                euro(l.total_cents),
                euro(expected)
            ),
        );
    }
    match &l.vat {
        Vat::Rate { hundredths } if *hundredths == 0 || *hundredths > 10_000 => e.add(
            &f("vat"),
            format!(
                "riga {n}: l'aliquota IVA deve essere maggiore di zero e al massimo 100; \
                 per le operazioni senza IVA indicare la natura"
            ),
        ),
        Vat::Rate { .. } => {}
        Vat::Exempt { reference, .. } => e.latin(
            &f("vat.reference"),
            reference,
            100,
            &format!("riga {n}, riferimento normativo"),
        ),
    }
}

fn payment(e: &mut Errors, inv: &Invoice, p: &Payment) {
    let valid_method = p.method.len() == 4
        && p.method.starts_with("MP")
        && p.method[2..]
            .parse::<u8>()
            .is_ok_and(|n| (1..=23).contains(&n));
    if !valid_method {
        e.add(
            "payment.method",
            format!("modalità di pagamento «{}» sconosciuta", p.method),
        );
    }
    let payable = totals(inv).payable_cents;
    if p.amount_cents != payable {
        e.add(
            "payment.amount_cents",
            format!(
                "l'importo del pagamento {} deve essere uguale al netto a pagare {}",
                euro(p.amount_cents),
                euro(payable)
            ),
        );
    }
    if p.due < inv.date {
        e.add(
            "payment.due",
            "la scadenza del pagamento precede la data della fattura",
        );
    }
    match &p.iban {
        Some(iban) if !iban_ok(&compact_iban(iban)) => {
            e.add("payment.iban", "IBAN non valido");
        }
        None if p.method == "MP05" => {
            e.add(
                "payment.iban",
                "per il pagamento con bonifico indicare l'IBAN",
            );
        }
        _ => {}
    }
    if let Some(b) = &p.beneficiary {
        e.latin("payment.beneficiary", b, 200, "pagamento, beneficiario");
    }
    if let Some(c) = &p.notice_code {
        e.ascii("payment.notice_code", c, (1, 60), "pagamento, codice");
    }
}

/// Every problem of the invoice, or none.
pub fn check(inv: &Invoice) -> Vec<FieldError> {
    let mut e = Errors(Vec::new());
    header(&mut e, inv);
    general(&mut e, inv);
    if inv.lines.is_empty() {
        e.add("lines", "la fattura deve avere almeno una riga");
    } else if inv.lines.len() > 9999 {
        e.add("lines", "al massimo 9999 righe per fattura");
    }
    for (i, l) in inv.lines.iter().enumerate() {
        line(&mut e, i, l);
    }
    if e.0.is_empty() {
        // Totals are meaningful only on valid lines.
        let t = totals(inv);
        if t.total_cents.abs() > MAX_AMOUNT_CENTS {
            e.add(
                "lines",
                "il totale del documento supera i limiti del formato",
            );
        }
        if stamp_duty_due(&inv.lines) && !inv.stamp_duty {
            e.add(
                "stamp_duty",
                "l'imposta di bollo è dovuta: gli importi senza IVA superano 77,47 €",
            );
        }
        if let Some(p) = &inv.payment {
            payment(&mut e, inv, p);
        }
    }
    e.0
}
