//! Italian registry codes of a member entity, each parsed once into a type that proves it
//! is well formed. Error messages are Italian: they reach the UI and the API unchanged.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a code was refused, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CodeError(pub String);

fn err(msg: impl Into<String>) -> CodeError {
    CodeError(msg.into())
}

macro_rules! string_code {
    ($name:ident) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_code!(IstatCode);
string_code!(CadastralCode);
string_code!(TaxCode);
string_code!(IpaCode);
string_code!(OfficeCode);
string_code!(Pec);

impl IstatCode {
    /// Six digits: three for the province, three for the comune (e.g. `028060` Padova).
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let s = s.trim();
        if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(err(format!(
                "codice ISTAT «{s}» non valido: servono 6 cifre (es. 028060)"
            )))
        }
    }
}

impl CadastralCode {
    /// The *codice catastale* (Belfiore): a letter and three digits, e.g. `G224`.
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let s = s.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        if b.len() == 4 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit) {
            Ok(Self(s))
        } else {
            Err(err(format!(
                "codice catastale «{s}» non valido: una lettera e tre cifre (es. G224)"
            )))
        }
    }
}

impl TaxCode {
    /// The entity's *codice fiscale*: 11 digits whose last is the check digit (the same
    /// algorithm as the *partita IVA*), e.g. `00644060287`.
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let s = s.trim();
        let digits: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
        if s.len() != 11 || digits.len() != 11 {
            return Err(err(format!(
                "codice fiscale «{s}» non valido: servono 11 cifre"
            )));
        }
        let sum: u32 = digits[..10]
            .iter()
            .enumerate()
            .map(|(i, &d)| {
                if i % 2 == 0 {
                    d
                } else {
                    let x = d * 2;
                    if x > 9 {
                        x - 9
                    } else {
                        x
                    }
                }
            })
            .sum();
        if (10 - sum % 10) % 10 != digits[10] {
            return Err(err(format!(
                "codice fiscale «{s}» non valido: la cifra di controllo non corrisponde"
            )));
        }
        Ok(Self(s.to_owned()))
    }
}

impl IpaCode {
    /// The code of the entity in the *Indice PA*: 2–20 letters, digits or `_`, kept lowercase.
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let s = s.trim().to_ascii_lowercase();
        if (2..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            Ok(Self(s))
        } else {
            Err(err(format!(
                "codice IPA «{s}» non valido: da 2 a 20 lettere, cifre o trattini bassi"
            )))
        }
    }
}

impl OfficeCode {
    /// The *codice univoco ufficio* for e-invoicing: six letters or digits, kept uppercase.
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let s = s.trim().to_ascii_uppercase();
        if s.len() == 6 && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(Self(s))
        } else {
            Err(err(format!(
                "codice univoco ufficio «{s}» non valido: 6 lettere o cifre (es. UFXYZ1)"
            )))
        }
    }
}

impl Pec {
    /// A certified e-mail address: `local@domain.tld`, no spaces, kept lowercase.
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let s = s.trim().to_ascii_lowercase();
        let ok = match s.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
                    && !domain.contains('@')
                    && s.len() <= 254
            }
            None => false,
        };
        if ok {
            Ok(Self(s))
        } else {
            Err(err(format!(
                "indirizzo PEC «{s}» non valido (es. protocollo@pec.comune.padova.it)"
            )))
        }
    }
}

/// Resident population of an entity. Italy's largest comune has under 3 million people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Population(u32);

impl Population {
    pub const MAX: u32 = 10_000_000;
    pub fn new(n: i64) -> Result<Self, CodeError> {
        if (0..=i64::from(Self::MAX)).contains(&n) {
            Ok(Self(n as u32))
        } else {
            Err(err(format!(
                "popolazione {n} non valida: deve essere tra 0 e {}",
                Self::MAX
            )))
        }
    }
    pub fn get(self) -> u32 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Population {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Population::new(i64::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// The kind of member entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Comune,
    UnioneComuni,
    UnioneMontana,
    Biblioteca,
    EnteParco,
    Altro,
}

impl EntityKind {
    pub const ALL: [EntityKind; 6] = [
        Self::Comune,
        Self::UnioneComuni,
        Self::UnioneMontana,
        Self::Biblioteca,
        Self::EnteParco,
        Self::Altro,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::Comune => "comune",
            Self::UnioneComuni => "unione_comuni",
            Self::UnioneMontana => "unione_montana",
            Self::Biblioteca => "biblioteca",
            Self::EnteParco => "ente_parco",
            Self::Altro => "altro",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Comune => "Comune",
            Self::UnioneComuni => "Unione di Comuni",
            Self::UnioneMontana => "Unione Montana",
            Self::Biblioteca => "Biblioteca",
            Self::EnteParco => "Ente Parco",
            Self::Altro => "Altro",
        }
    }
    /// Accepts the code (`unione_comuni`) or the Italian label (`Unione di Comuni`).
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let t = s.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.code() == t || k.label().eq_ignore_ascii_case(t))
            .ok_or_else(|| {
                err(format!(
                    "tipo di ente «{t}» non valido: uno tra {}",
                    Self::ALL.map(|k| k.code()).join(", ")
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn istat_codes() {
        assert!(IstatCode::parse("028060").is_ok());
        assert!(IstatCode::parse(" 028060 ").is_ok());
        for bad in ["28060", "0280600", "02806a", ""] {
            assert!(IstatCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cadastral_codes() {
        assert_eq!(CadastralCode::parse("g224").map(|c| c.0), Ok("G224".into()));
        for bad in ["G22", "2224", "GG24", "G2245"] {
            assert!(CadastralCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tax_code_check_digit() {
        // Comune di Padova, Provincia di Padova, Comune di Abano Terme.
        for good in ["00644060287", "80006510285", "00556040285"] {
            assert!(TaxCode::parse(good).is_ok(), "{good}");
        }
        let e = TaxCode::parse("00644060288").unwrap_err();
        assert!(e.0.contains("cifra di controllo"));
        assert!(TaxCode::parse("0064406028").is_err());
        assert!(TaxCode::parse("0064406028X").is_err());
    }

    #[test]
    fn ipa_office_pec() {
        assert_eq!(IpaCode::parse("C_G224").map(|c| c.0), Ok("c_g224".into()));
        assert!(IpaCode::parse("c-g224").is_err());
        assert_eq!(
            OfficeCode::parse("ufxyz1").map(|c| c.0),
            Ok("UFXYZ1".into())
        );
        assert!(OfficeCode::parse("UFXYZ").is_err());
        assert!(Pec::parse("protocollo.comune.padova@pecveneto.it").is_ok());
        for bad in ["nope", "a@b", "@b.it", "a b@c.it", "a@.it"] {
            assert!(Pec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn population_range_and_kinds() {
        assert!(Population::new(-1).is_err());
        assert!(Population::new(10_000_001).is_err());
        assert_eq!(Population::new(7500).map(Population::get), Ok(7500));
        for k in EntityKind::ALL {
            assert_eq!(EntityKind::parse(k.code()), Ok(k));
            assert_eq!(EntityKind::parse(k.label()), Ok(k));
        }
        assert!(EntityKind::parse("Regione").is_err());
    }

    proptest::proptest! {
        #[test]
        fn every_valid_tax_code_body_has_exactly_one_check_digit(body in "[0-9]{10}") {
            let ok = (0..10).filter(|d| TaxCode::parse(&format!("{body}{d}")).is_ok()).count();
            proptest::prop_assert_eq!(ok, 1);
        }
    }
}
