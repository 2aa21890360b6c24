//! The invoice as data: what the service centre bills a public body. Amounts are integer
//! cents, quantities hundredths, VAT rates hundredths of a percent.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A tax identifier: country code (ISO 3166-1 alpha-2) and the code itself (partita IVA,
/// codice fiscale, foreign VAT number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxId {
    pub country: String,
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub street: String,
    pub number: Option<String>,
    pub cap: String,
    pub town: String,
    /// Province abbreviation (two capital letters), for Italian addresses.
    pub province: Option<String>,
    pub country: String,
}

/// CedentePrestatore: the service centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supplier {
    pub vat: TaxId,
    pub fiscal_code: Option<String>,
    pub name: String,
    /// RegimeFiscale, e.g. `RF01` (ordinary).
    pub tax_regime: String,
    pub address: Address,
    pub rea: Option<Rea>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// IscrizioneREA: the companies register entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rea {
    /// Province of the register office.
    pub office: String,
    pub number: String,
    pub share_capital: Option<i64>,
    /// `Some(true)`: sole member (SU), `Some(false)`: several members (SM).
    pub sole_member: Option<bool>,
    pub liquidation: bool,
}

/// CessionarioCommittente: the public body billed. At least one of `vat` and `fiscal_code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub vat: Option<TaxId>,
    pub fiscal_code: Option<String>,
    pub name: String,
    pub address: Address,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DocumentKind {
    /// TD01, fattura.
    Invoice,
    /// TD04, nota di credito.
    CreditNote,
}

impl DocumentKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Invoice => "TD01",
            Self::CreditNote => "TD04",
        }
    }
}

/// DatiContratto: the contract (or order, determina) the invoice refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractRef {
    pub id_documento: String,
    /// Codice Identificativo Gara (10 characters).
    pub cig: Option<String>,
    /// Codice Unico di Progetto (15 characters).
    pub cup: Option<String>,
}

/// DatiFattureCollegate: the invoice a credit note credits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedInvoice {
    pub number: String,
    pub date: NaiveDate,
}

/// A quantity in hundredths: `Qty(250)` is 2.50.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Qty(pub i64);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// Up to 1000 characters.
    pub description: String,
    pub quantity: Option<Qty>,
    pub unit: Option<String>,
    pub unit_price_cents: i64,
    /// Quantity × unit price (or the unit price without a quantity), rounded to the cent.
    pub total_cents: i64,
    pub vat: Vat,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Vat {
    /// Taxable at `hundredths` / 100 percent (2200 is 22.00 %), more than zero.
    Rate { hundredths: u32 },
    /// Not taxed: the Natura code and the law it rests on (RiferimentoNormativo, ≤ 100
    /// characters).
    Exempt { natura: Natura, reference: String },
}

/// Why a line carries no VAT. The generic N2, N3 and N6 are not here: the SdI has refused
/// them since 1 January 2021.
#[allow(non_camel_case_types)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Natura {
    N1,
    #[serde(rename = "N2.1")]
    N2_1,
    #[serde(rename = "N2.2")]
    N2_2,
    #[serde(rename = "N3.1")]
    N3_1,
    #[serde(rename = "N3.2")]
    N3_2,
    #[serde(rename = "N3.3")]
    N3_3,
    #[serde(rename = "N3.4")]
    N3_4,
    #[serde(rename = "N3.5")]
    N3_5,
    #[serde(rename = "N3.6")]
    N3_6,
    N4,
    N5,
    #[serde(rename = "N6.1")]
    N6_1,
    #[serde(rename = "N6.2")]
    N6_2,
    #[serde(rename = "N6.3")]
    N6_3,
    #[serde(rename = "N6.4")]
    N6_4,
    #[serde(rename = "N6.5")]
    N6_5,
    #[serde(rename = "N6.6")]
    N6_6,
    #[serde(rename = "N6.7")]
    N6_7,
    #[serde(rename = "N6.8")]
    N6_8,
    #[serde(rename = "N6.9")]
    N6_9,
    N7,
}

/// A Natura code refused by [`Natura::parse`]; `Display` is the Italian reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NaturaError(pub String);

impl Natura {
    pub const ALL: [Natura; 21] = [
        Self::N1,
        Self::N2_1,
        Self::N2_2,
        Self::N3_1,
        Self::N3_2,
        Self::N3_3,
        Self::N3_4,
        Self::N3_5,
        Self::N3_6,
        Self::N4,
        Self::N5,
        Self::N6_1,
        Self::N6_2,
        Self::N6_3,
        Self::N6_4,
        Self::N6_5,
        Self::N6_6,
        Self::N6_7,
        Self::N6_8,
        Self::N6_9,
        Self::N7,
    ];

    /// The code as written in the XML: `N2.1`.
    pub fn code(self) -> &'static str {
        match self {
            Self::N1 => "N1",
            Self::N2_1 => "N2.1",
            Self::N2_2 => "N2.2",
            Self::N3_1 => "N3.1",
            Self::N3_2 => "N3.2",
            Self::N3_3 => "N3.3",
            Self::N3_4 => "N3.4",
            Self::N3_5 => "N3.5",
            Self::N3_6 => "N3.6",
            Self::N4 => "N4",
            Self::N5 => "N5",
            Self::N6_1 => "N6.1",
            Self::N6_2 => "N6.2",
            Self::N6_3 => "N6.3",
            Self::N6_4 => "N6.4",
            Self::N6_5 => "N6.5",
            Self::N6_6 => "N6.6",
            Self::N6_7 => "N6.7",
            Self::N6_8 => "N6.8",
            Self::N6_9 => "N6.9",
            Self::N7 => "N7",
        }
    }

    /// What the code means, in Italian (as the SdI specifications word it, shortened).
    pub fn label(self) -> &'static str {
        match self {
            Self::N1 => "escluse ex art. 15 del DPR 633/72",
            Self::N2_1 => {
                "non soggette ad IVA ai sensi degli artt. da 7 a 7-septies del DPR 633/72"
            }
            Self::N2_2 => "non soggette - altri casi",
            Self::N3_1 => "non imponibili - esportazioni",
            Self::N3_2 => "non imponibili - cessioni intracomunitarie",
            Self::N3_3 => "non imponibili - cessioni verso San Marino",
            Self::N3_4 => "non imponibili - operazioni assimilate alle cessioni all'esportazione",
            Self::N3_5 => "non imponibili - a seguito di dichiarazioni d'intento",
            Self::N3_6 => {
                "non imponibili - altre operazioni che non concorrono alla formazione del plafond"
            }
            Self::N4 => "esenti",
            Self::N5 => "regime del margine / IVA non esposta in fattura",
            Self::N6_1 => {
                "inversione contabile - cessione di rottami e altri materiali di recupero"
            }
            Self::N6_2 => "inversione contabile - cessione di oro e argento",
            Self::N6_3 => "inversione contabile - subappalto nel settore edile",
            Self::N6_4 => "inversione contabile - cessione di fabbricati",
            Self::N6_5 => "inversione contabile - cessione di telefoni cellulari",
            Self::N6_6 => "inversione contabile - cessione di prodotti elettronici",
            Self::N6_7 => "inversione contabile - prestazioni comparto edile e settori connessi",
            Self::N6_8 => "inversione contabile - operazioni settore energetico",
            Self::N6_9 => "inversione contabile - altri casi",
            Self::N7 => "IVA assolta in altro stato UE",
        }
    }

    /// Reads a code such as `N2.2`. The generic `N2`, `N3` and `N6` are refused with the
    /// reason and the codes to use instead.
    pub fn parse(code: &str) -> Result<Natura, NaturaError> {
        let code = code.trim();
        if let Some(n) = Self::ALL.iter().find(|n| n.code() == code) {
            return Ok(*n);
        }
        let replaced = |first: &str, last: &str| {
            NaturaError(format!(
                "il codice natura generico «{code}» non è più accettato dal Sistema di \
                 Interscambio dal 1° gennaio 2021: usare un codice da {first} a {last}"
            ))
        };
        Err(match code {
            "N2" => replaced("N2.1", "N2.2"),
            "N3" => replaced("N3.1", "N3.6"),
            "N6" => replaced("N6.1", "N6.9"),
            _ => NaturaError(format!("codice natura «{code}» sconosciuto")),
        })
    }

    /// Whether an amount of this nature counts toward the €77.47 threshold of the stamp
    /// duty (DPR 642/1972, tariff art. 13; exempt from it, Table B art. 6: exports and
    /// assimilated operations, intra-EU supplies, San Marino, and reverse-charge and margin
    /// operations, on which VAT is still due).
    pub fn stamp_duty_applies(self) -> bool {
        matches!(
            self,
            Self::N1 | Self::N2_1 | Self::N2_2 | Self::N3_5 | Self::N3_6 | Self::N4
        )
    }
}

impl std::fmt::Display for Natura {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Natura {
    type Err = NaturaError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Natura::parse(s)
    }
}

/// DatiPagamento: one payment of the whole amount due (TP02).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// ModalitaPagamento, e.g. `MP05` (bank transfer), `MP23` (pagoPA).
    pub method: String,
    pub due: NaiveDate,
    pub amount_cents: i64,
    pub iban: Option<String>,
    pub beneficiary: Option<String>,
    /// CodicePagamento, e.g. the pagoPA notice code.
    pub notice_code: Option<String>,
}

/// The invoice: one FatturaElettronicaBody in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    /// IdTrasmittente: the centre's codice fiscale with country `IT`.
    pub transmitter: TaxId,
    /// ProgressivoInvio, `[A-Za-z0-9]{1,5}` (see [`crate::progressive`]).
    pub progressive: String,
    /// CodiceDestinatario: the 6-character office code of the public body (IPA).
    pub recipient_code: String,
    pub supplier: Supplier,
    pub customer: Customer,
    pub kind: DocumentKind,
    pub date: NaiveDate,
    /// Numero, e.g. `2026/0001` (≤ 20 characters, with at least one digit).
    pub number: String,
    /// Causale lines, each ≤ 200 characters (see [`crate::split_causale`]).
    pub causale: Vec<String>,
    pub contract: Option<ContractRef>,
    /// Required for a credit note: the invoice it credits.
    pub related: Option<RelatedInvoice>,
    pub lines: Vec<Line>,
    /// Scissione dei pagamenti (art. 17-ter DPR 633/72): VAT paid by the public body to
    /// the State; EsigibilitaIVA `S` instead of `I`.
    pub split_payment: bool,
    /// Stamp duty paid virtually (BolloVirtuale `SI`, €2.00).
    pub stamp_duty: bool,
    pub payment: Option<Payment>,
}
