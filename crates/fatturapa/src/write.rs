//! Writes the FPA12 document. Element order is the schema's; every text goes through the
//! transliteration of [`crate::text`] and is escaped. The caller has checked the invoice.

use kernel::Euro;

use crate::check::compact_iban;
use crate::model::{Address, Invoice, Line, TaxId, Vat};
use crate::text::{escape, to_ascii, to_latin1};
use crate::totals::{summaries, totals, SummaryKey, STAMP_DUTY_CENTS};

/// The FatturaPA v1.2 namespace.
pub const NAMESPACE: &str = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2";
const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
const SCHEMA_LOCATION: &str = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2 \
     http://www.fatturapa.gov.it/export/fatturazione/sdi/fatturapa/v1.2/Schema_del_file_xml_FatturaPA_versione_1.2.xsd";

struct W {
    out: String,
    depth: usize,
}

impl W {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn open(&mut self, tag: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    fn close(&mut self, tag: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push_str(">\n");
    }

    /// An element with text, written as given (escaped).
    fn leaf(&mut self, tag: &str, text: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push('>');
        self.out.push_str(&escape(text));
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push_str(">\n");
    }

    /// Latin-1 text (names, descriptions).
    fn latin(&mut self, tag: &str, text: &str) {
        self.leaf(tag, to_latin1(text).trim());
    }

    /// ASCII text (codes, numbers).
    fn ascii(&mut self, tag: &str, text: &str) {
        self.leaf(tag, to_ascii(text).trim());
    }
}

/// Cents as the schema's amounts: `1234.50`, `-0.10`.
pub(crate) fn amount(cents: i64) -> String {
    Euro::from_cents(cents).to_decimal_string()
}

/// Hundredths as `22.00` (rates, quantities).
pub(crate) fn hundredths(h: i64) -> String {
    amount(h)
}

fn id_fiscale(w: &mut W, tag: &str, id: &TaxId) {
    w.open(tag);
    w.leaf("IdPaese", id.country.trim());
    w.ascii("IdCodice", &id.code);
    w.close(tag);
}

fn address(w: &mut W, tag: &str, a: &Address) {
    w.open(tag);
    w.latin("Indirizzo", &a.street);
    if let Some(n) = &a.number {
        w.ascii("NumeroCivico", n);
    }
    w.leaf("CAP", &a.cap);
    w.latin("Comune", &a.town);
    if let Some(p) = &a.province {
        w.leaf("Provincia", p);
    }
    w.leaf("Nazione", &a.country);
    w.close(tag);
}

fn header(w: &mut W, inv: &Invoice) {
    w.open("FatturaElettronicaHeader");
    w.open("DatiTrasmissione");
    id_fiscale(w, "IdTrasmittente", &inv.transmitter);
    w.leaf("ProgressivoInvio", &inv.progressive);
    w.leaf("FormatoTrasmissione", "FPA12");
    w.leaf("CodiceDestinatario", &inv.recipient_code);
    w.close("DatiTrasmissione");

    let s = &inv.supplier;
    w.open("CedentePrestatore");
    w.open("DatiAnagrafici");
    id_fiscale(w, "IdFiscaleIVA", &s.vat);
    if let Some(cf) = &s.fiscal_code {
        w.leaf("CodiceFiscale", cf);
    }
    w.open("Anagrafica");
    w.latin("Denominazione", &s.name);
    w.close("Anagrafica");
    w.leaf("RegimeFiscale", &s.tax_regime);
    w.close("DatiAnagrafici");
    address(w, "Sede", &s.address);
    if let Some(rea) = &s.rea {
        w.open("IscrizioneREA");
        w.leaf("Ufficio", &rea.office);
        w.ascii("NumeroREA", &rea.number);
        if let Some(c) = rea.share_capital {
            w.leaf("CapitaleSociale", &amount(c));
        }
        if let Some(sole) = rea.sole_member {
            w.leaf("SocioUnico", if sole { "SU" } else { "SM" });
        }
        w.leaf(
            "StatoLiquidazione",
            if rea.liquidation { "LS" } else { "LN" },
        );
        w.close("IscrizioneREA");
    }
    if s.phone.is_some() || s.email.is_some() {
        w.open("Contatti");
        if let Some(t) = &s.phone {
            w.ascii("Telefono", t);
        }
        if let Some(m) = &s.email {
            w.ascii("Email", m);
        }
        w.close("Contatti");
    }
    w.close("CedentePrestatore");

    let c = &inv.customer;
    w.open("CessionarioCommittente");
    w.open("DatiAnagrafici");
    if let Some(v) = &c.vat {
        id_fiscale(w, "IdFiscaleIVA", v);
    }
    if let Some(cf) = &c.fiscal_code {
        w.leaf("CodiceFiscale", cf);
    }
    w.open("Anagrafica");
    w.latin("Denominazione", &c.name);
    w.close("Anagrafica");
    w.close("DatiAnagrafici");
    address(w, "Sede", &c.address);
    w.close("CessionarioCommittente");
    w.close("FatturaElettronicaHeader");
}

fn general(w: &mut W, inv: &Invoice) {
    w.open("DatiGenerali");
    w.open("DatiGeneraliDocumento");
    w.leaf("TipoDocumento", inv.kind.code());
    w.leaf("Divisa", "EUR");
    w.leaf("Data", &inv.date.format("%Y-%m-%d").to_string());
    w.ascii("Numero", &inv.number);
    if inv.stamp_duty {
        w.open("DatiBollo");
        w.leaf("BolloVirtuale", "SI");
        w.leaf("ImportoBollo", &amount(STAMP_DUTY_CENTS));
        w.close("DatiBollo");
    }
    w.leaf("ImportoTotaleDocumento", &amount(totals(inv).total_cents));
    for c in &inv.causale {
        w.latin("Causale", c);
    }
    w.close("DatiGeneraliDocumento");
    if let Some(k) = &inv.contract {
        w.open("DatiContratto");
        w.ascii("IdDocumento", &k.id_documento);
        if let Some(cup) = &k.cup {
            w.leaf("CodiceCUP", cup);
        }
        if let Some(cig) = &k.cig {
            w.leaf("CodiceCIG", cig);
        }
        w.close("DatiContratto");
    }
    if let Some(r) = &inv.related {
        w.open("DatiFattureCollegate");
        w.ascii("IdDocumento", &r.number);
        w.leaf("Data", &r.date.format("%Y-%m-%d").to_string());
        w.close("DatiFattureCollegate");
    }
    w.close("DatiGenerali");
}

fn rate_and_nature(w: &mut W, vat: &Vat) {
    match vat {
        Vat::Rate { hundredths: h } => w.leaf("AliquotaIVA", &hundredths(i64::from(*h))),
        Vat::Exempt { natura, .. } => {
            w.leaf("AliquotaIVA", "0.00");
            w.leaf("Natura", natura.code());
        }
    }
}

fn line(w: &mut W, n: usize, l: &Line) {
    w.open("DettaglioLinee");
    w.leaf("NumeroLinea", &n.to_string());
    w.latin("Descrizione", &l.description);
    if let Some(q) = l.quantity {
        w.leaf("Quantita", &hundredths(q.0));
    }
    if let Some(u) = &l.unit {
        w.ascii("UnitaMisura", u);
    }
    w.leaf("PrezzoUnitario", &amount(l.unit_price_cents));
    w.leaf("PrezzoTotale", &amount(l.total_cents));
    rate_and_nature(w, &l.vat);
    w.close("DettaglioLinee");
}

fn goods_and_services(w: &mut W, inv: &Invoice) {
    w.open("DatiBeniServizi");
    for (i, l) in inv.lines.iter().enumerate() {
        line(w, i + 1, l);
    }
    for s in summaries(&inv.lines) {
        w.open("DatiRiepilogo");
        match &s.key {
            SummaryKey::Rate { hundredths: h } => {
                w.leaf("AliquotaIVA", &hundredths(i64::from(*h)));
            }
            SummaryKey::Exempt { natura, .. } => {
                w.leaf("AliquotaIVA", "0.00");
                w.leaf("Natura", natura.code());
            }
        }
        w.leaf("ImponibileImporto", &amount(s.taxable_cents));
        w.leaf("Imposta", &amount(s.vat_cents));
        match &s.key {
            SummaryKey::Rate { .. } => {
                w.leaf("EsigibilitaIVA", if inv.split_payment { "S" } else { "I" });
            }
            SummaryKey::Exempt { reference, .. } => w.latin("RiferimentoNormativo", reference),
        }
        w.close("DatiRiepilogo");
    }
    w.close("DatiBeniServizi");
}

fn payment(w: &mut W, inv: &Invoice) {
    let Some(p) = &inv.payment else {
        return;
    };
    w.open("DatiPagamento");
    w.leaf("CondizioniPagamento", "TP02");
    w.open("DettaglioPagamento");
    if let Some(b) = &p.beneficiary {
        w.latin("Beneficiario", b);
    }
    w.leaf("ModalitaPagamento", &p.method);
    w.leaf(
        "DataScadenzaPagamento",
        &p.due.format("%Y-%m-%d").to_string(),
    );
    w.leaf("ImportoPagamento", &amount(p.amount_cents));
    if let Some(iban) = &p.iban {
        w.leaf("IBAN", &compact_iban(iban));
    }
    if let Some(c) = &p.notice_code {
        w.ascii("CodicePagamento", c);
    }
    w.close("DettaglioPagamento");
    w.close("DatiPagamento");
}

/// The document for a checked invoice.
pub(crate) fn write(inv: &Invoice) -> String {
    let mut w = W {
        out: String::with_capacity(4096),
        depth: 0,
    };
    w.out
        .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    w.out.push_str(&format!(
        "<p:FatturaElettronica versione=\"FPA12\" xmlns:ds=\"{DS}\" xmlns:p=\"{NAMESPACE}\" \
         xmlns:xsi=\"{XSI}\" xsi:schemaLocation=\"{SCHEMA_LOCATION}\">\n"
    ));
    w.depth = 1;
    header(&mut w, inv);
    w.open("FatturaElettronicaBody");
    general(&mut w, inv);
    goods_and_services(&mut w, inv);
    payment(&mut w, inv);
    w.close("FatturaElettronicaBody");
    w.out.push_str("</p:FatturaElettronica>\n");
    w.out
}
