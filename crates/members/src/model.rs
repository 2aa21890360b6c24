//! Domain types of the member registry. Input arrives as a [`EntityDraft`] of plain text
//! (a form, a JSON body, a CSV row) and becomes an [`EntityInput`] once, by [`EntityDraft::parse`],
//! which reports every wrong field at once.

use chrono::NaiveDate;
use kernel::{
    CadastralCode, CodeError, EntityKind, IpaCode, IstatCode, OfficeCode, Pec, Population, TaxCode,
};
use serde::Serialize;

use crate::error::FieldError;

/// A member entity as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entity {
    pub id: i64,
    #[serde(flatten)]
    pub data: EntityInput,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// The fields of an entity, valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityInput {
    pub name: String,
    pub kind: EntityKind,
    pub istat_code: Option<IstatCode>,
    pub cadastral_code: Option<CadastralCode>,
    pub tax_code: Option<TaxCode>,
    pub ipa_code: Option<IpaCode>,
    pub office_code: Option<OfficeCode>,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub province: String,
    pub pec: Option<Pec>,
    pub population: Option<Population>,
    pub population_date: Option<NaiveDate>,
    pub workstations: u32,
    pub servers: u32,
    pub notes: String,
}

/// The fields of an entity as typed by a person or read from a file: all text.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(default)]
pub struct EntityDraft {
    pub name: String,
    pub kind: String,
    pub istat_code: String,
    pub cadastral_code: String,
    pub tax_code: String,
    pub ipa_code: String,
    pub office_code: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub province: String,
    pub pec: String,
    pub population: String,
    pub population_date: String,
    pub workstations: String,
    pub servers: String,
    pub notes: String,
}

/// Every field name of an entity in the API, forms and our CSV format, in display order.
pub const ENTITY_FIELDS: [&str; 17] = [
    "name",
    "kind",
    "istat_code",
    "cadastral_code",
    "tax_code",
    "ipa_code",
    "office_code",
    "address",
    "postal_code",
    "city",
    "province",
    "pec",
    "population",
    "population_date",
    "workstations",
    "servers",
    "notes",
];

impl EntityDraft {
    pub fn field_mut(&mut self, name: &str) -> Option<&mut String> {
        Some(match name {
            "name" => &mut self.name,
            "kind" => &mut self.kind,
            "istat_code" => &mut self.istat_code,
            "cadastral_code" => &mut self.cadastral_code,
            "tax_code" => &mut self.tax_code,
            "ipa_code" => &mut self.ipa_code,
            "office_code" => &mut self.office_code,
            "address" => &mut self.address,
            "postal_code" => &mut self.postal_code,
            "city" => &mut self.city,
            "province" => &mut self.province,
            "pec" => &mut self.pec,
            "population" => &mut self.population,
            "population_date" => &mut self.population_date,
            "workstations" => &mut self.workstations,
            "servers" => &mut self.servers,
            "notes" => &mut self.notes,
            _ => return None,
        })
    }

    /// The text of every field with its name.
    fn texts(&self) -> [(&'static str, &str); 17] {
        [
            ("name", &self.name),
            ("kind", &self.kind),
            ("istat_code", &self.istat_code),
            ("cadastral_code", &self.cadastral_code),
            ("tax_code", &self.tax_code),
            ("ipa_code", &self.ipa_code),
            ("office_code", &self.office_code),
            ("address", &self.address),
            ("postal_code", &self.postal_code),
            ("city", &self.city),
            ("province", &self.province),
            ("pec", &self.pec),
            ("population", &self.population),
            ("population_date", &self.population_date),
            ("workstations", &self.workstations),
            ("servers", &self.servers),
            ("notes", &self.notes),
        ]
    }

    /// Validates every field, reporting all the wrong ones.
    pub fn parse(&self) -> Result<EntityInput, Vec<FieldError>> {
        let mut errs = text_errors(&self.texts(), &["notes"]);
        if !errs.is_empty() {
            return Err(errs);
        }
        fn opt(s: &str) -> Option<String> {
            Some(s.trim()).filter(|t| !t.is_empty()).map(str::to_owned)
        }
        fn code<T>(
            field: &str,
            v: Option<String>,
            p: fn(&str) -> Result<T, CodeError>,
            errs: &mut Vec<FieldError>,
        ) -> Option<T> {
            match v.map(|s| p(&s)) {
                Some(Ok(c)) => Some(c),
                Some(Err(e)) => {
                    errs.push(FieldError::new(field, e.0));
                    None
                }
                None => None,
            }
        }
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            errs.push(FieldError::new("name", "il nome dell'ente è obbligatorio"));
        } else if name.chars().count() > 200 {
            errs.push(FieldError::new(
                "name",
                "nome troppo lungo (massimo 200 caratteri)",
            ));
        }
        let kind = match EntityKind::parse(if self.kind.trim().is_empty() {
            "comune"
        } else {
            &self.kind
        }) {
            Ok(k) => Some(k),
            Err(e) => {
                errs.push(FieldError::new("kind", e.0));
                None
            }
        };
        let istat_code = code(
            "istat_code",
            opt(&self.istat_code),
            IstatCode::parse,
            &mut errs,
        );
        let cadastral_code = code(
            "cadastral_code",
            opt(&self.cadastral_code),
            CadastralCode::parse,
            &mut errs,
        );
        let tax_code = code("tax_code", opt(&self.tax_code), TaxCode::parse, &mut errs);
        let ipa_code = code("ipa_code", opt(&self.ipa_code), IpaCode::parse, &mut errs);
        let office_code = code(
            "office_code",
            opt(&self.office_code),
            OfficeCode::parse,
            &mut errs,
        );
        let pec = code("pec", opt(&self.pec), Pec::parse, &mut errs);
        let population = match self.population.trim().replace('.', "") {
            s if s.is_empty() => None,
            s => match s.parse::<i64>() {
                Ok(n) => match Population::new(n) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        errs.push(FieldError::new("population", e.0));
                        None
                    }
                },
                Err(_) => {
                    errs.push(FieldError::new(
                        "population",
                        format!("popolazione «{s}» non valida: un numero intero di abitanti"),
                    ));
                    None
                }
            },
        };
        let population_date = match self.population_date.trim() {
            "" => None,
            s => match s
                .parse::<NaiveDate>()
                .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
            {
                Ok(d) => Some(d),
                Err(_) => {
                    errs.push(FieldError::new(
                        "population_date",
                        format!("data «{s}» non valida: usare AAAA-MM-GG o GG/MM/AAAA"),
                    ));
                    None
                }
            },
        };
        if population.is_some()
            && population_date.is_none()
            && errs.iter().all(|e| e.field != "population_date")
        {
            errs.push(FieldError::new(
                "population_date",
                "indicare la data a cui si riferisce la popolazione",
            ));
        }
        let count = |field: &str, s: &str, what: &str, errs: &mut Vec<FieldError>| -> u32 {
            match s.trim() {
                "" => 0,
                t => match t.parse::<u32>() {
                    Ok(n) if n <= 100_000 => n,
                    _ => {
                        errs.push(FieldError::new(
                            field,
                            format!("numero di {what} «{t}» non valido: un intero tra 0 e 100000"),
                        ));
                        0
                    }
                },
            }
        };
        let workstations = count("workstations", &self.workstations, "postazioni", &mut errs);
        let servers = count("servers", &self.servers, "server", &mut errs);
        let province = self.province.trim().to_ascii_uppercase();
        if !province.is_empty()
            && (province.len() != 2 || !province.bytes().all(|b| b.is_ascii_uppercase()))
        {
            errs.push(FieldError::new(
                "province",
                format!("sigla della provincia «{province}» non valida: due lettere (es. PD)"),
            ));
        }
        let postal_code = self.postal_code.trim().to_owned();
        if !postal_code.is_empty()
            && (postal_code.len() != 5 || !postal_code.bytes().all(|b| b.is_ascii_digit()))
        {
            errs.push(FieldError::new(
                "postal_code",
                format!("CAP «{postal_code}» non valido: cinque cifre"),
            ));
        }
        for (field, v, max) in [
            ("address", &self.address, 300),
            ("city", &self.city, 100),
            ("notes", &self.notes, 5000),
        ] {
            if v.chars().count() > max {
                errs.push(FieldError::new(
                    field,
                    format!("testo troppo lungo (massimo {max} caratteri)"),
                ));
            }
        }
        let Some(kind) = kind else { return Err(errs) };
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(EntityInput {
            name,
            kind,
            istat_code,
            cadastral_code,
            tax_code,
            ipa_code,
            office_code,
            address: self.address.trim().to_owned(),
            postal_code,
            city: self.city.trim().to_owned(),
            province,
            pec,
            population,
            population_date,
            workstations,
            servers,
            notes: self.notes.trim().to_owned(),
        })
    }
}

impl EntityInput {
    /// Back to text, e.g. to pre-fill a form or to apply a partial update.
    pub fn to_draft(&self) -> EntityDraft {
        fn s<T: ToString>(v: &Option<T>) -> String {
            v.as_ref().map(ToString::to_string).unwrap_or_default()
        }
        EntityDraft {
            name: self.name.clone(),
            kind: self.kind.code().to_owned(),
            istat_code: s(&self.istat_code),
            cadastral_code: s(&self.cadastral_code),
            tax_code: s(&self.tax_code),
            ipa_code: s(&self.ipa_code),
            office_code: s(&self.office_code),
            address: self.address.clone(),
            postal_code: self.postal_code.clone(),
            city: self.city.clone(),
            province: self.province.clone(),
            pec: s(&self.pec),
            population: self
                .population
                .map(|p| p.get().to_string())
                .unwrap_or_default(),
            population_date: s(&self.population_date),
            workstations: self.workstations.to_string(),
            servers: self.servers.to_string(),
            notes: self.notes.clone(),
        }
    }
}

/// A contact person (*referente*) of an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub id: i64,
    pub entity_id: i64,
    #[serde(flatten)]
    pub data: ContactInput,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactInput {
    pub full_name: String,
    pub role: String,
    pub email: String,
    pub phone: String,
    pub is_primary: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(default)]
pub struct ContactDraft {
    pub full_name: String,
    pub role: String,
    pub email: String,
    pub phone: String,
    pub is_primary: String,
}

/// The fields holding characters no field may hold ([`kernel::text`]): only those in
/// `multi_line` keep tabs and line breaks.
pub fn text_errors(fields: &[(&'static str, &str)], multi_line: &[&str]) -> Vec<FieldError> {
    fields
        .iter()
        .filter_map(|(f, v)| {
            let lines = if multi_line.contains(f) {
                kernel::text::Lines::Multi
            } else {
                kernel::text::Lines::Single
            };
            kernel::text::check(v, lines).map(|m| FieldError::new(f, m))
        })
        .collect()
}

impl ContactDraft {
    pub fn parse(&self) -> Result<ContactInput, Vec<FieldError>> {
        let mut errs = text_errors(
            &[
                ("full_name", &self.full_name),
                ("role", &self.role),
                ("email", &self.email),
                ("phone", &self.phone),
                ("is_primary", &self.is_primary),
            ],
            &[],
        );
        if !errs.is_empty() {
            return Err(errs);
        }
        let full_name = self.full_name.trim().to_owned();
        if full_name.is_empty() {
            errs.push(FieldError::new(
                "full_name",
                "il nome del referente è obbligatorio",
            ));
        } else if full_name.chars().count() > 200 {
            errs.push(FieldError::new(
                "full_name",
                "nome troppo lungo (massimo 200 caratteri)",
            ));
        }
        let email = self.email.trim().to_ascii_lowercase();
        if !email.is_empty() {
            if let Err(e) = Pec::parse(&email) {
                errs.push(FieldError::new(
                    "email",
                    e.0.replace("indirizzo PEC", "indirizzo e-mail"),
                ));
            }
        }
        let phone = self.phone.trim().to_owned();
        if !phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-/().".contains(c))
            || phone.len() > 40
        {
            errs.push(FieldError::new(
                "phone",
                format!("telefono «{phone}» non valido: solo cifre, spazi e + - / ( )"),
            ));
        }
        let role = self.role.trim().to_owned();
        if role.chars().count() > 200 {
            errs.push(FieldError::new(
                "role",
                "testo troppo lungo (massimo 200 caratteri)",
            ));
        }
        let is_primary = matches!(self.is_primary.trim(), "1" | "true" | "on" | "sì" | "si");
        if errs.is_empty() {
            Ok(ContactInput {
                full_name,
                role,
                email,
                phone,
                is_primary,
            })
        } else {
            Err(errs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_and_only_notes_span_lines() {
        let mut d = padova();
        d.name = "Comune\u{0} di Padova".into();
        d.address = "Via\tRoma".into();
        d.notes = "prima riga\nseconda riga".into();
        let errs = d.parse().unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "address"]);
        d.name = "Comune di Padova".into();
        d.address = "Via Roma".into();
        assert_eq!(d.parse().unwrap().notes, "prima riga\nseconda riga");
        let c = ContactDraft {
            full_name: "Mario\nRossi".into(),
            ..Default::default()
        };
        assert_eq!(c.parse().unwrap_err()[0].field, "full_name");
    }

    fn padova() -> EntityDraft {
        EntityDraft {
            name: "Comune di Padova".into(),
            kind: "comune".into(),
            istat_code: "028060".into(),
            cadastral_code: "g224".into(),
            tax_code: "00644060287".into(),
            population: "206496".into(),
            population_date: "2023-01-01".into(),
            province: "pd".into(),
            ..Default::default()
        }
    }

    #[test]
    fn valid_draft_parses_and_round_trips() {
        let e = padova().parse().unwrap();
        assert_eq!(e.cadastral_code.as_ref().map(|c| c.as_str()), Some("G224"));
        assert_eq!(e.province, "PD");
        assert_eq!(e.to_draft().parse().unwrap(), e);
    }

    #[test]
    fn every_wrong_field_is_reported() {
        let d = EntityDraft {
            name: " ".into(),
            istat_code: "28060".into(),
            tax_code: "00644060288".into(),
            population: "tanti".into(),
            workstations: "-3".into(),
            postal_code: "351".into(),
            ..Default::default()
        };
        let fields: Vec<String> = d
            .parse()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "name",
                "istat_code",
                "tax_code",
                "population",
                "workstations",
                "postal_code"
            ]
        );
    }

    #[test]
    fn population_needs_its_date() {
        let mut d = padova();
        d.population_date.clear();
        let errs = d.parse().unwrap_err();
        assert_eq!(errs[0].field, "population_date");
    }

    #[test]
    fn contact_validation() {
        let ok = ContactDraft {
            full_name: "Maria Rossi".into(),
            email: "M.Rossi@comune.padova.it".into(),
            phone: "+39 049 820 1111".into(),
            is_primary: "on".into(),
            ..Default::default()
        };
        let c = ok.parse().unwrap();
        assert_eq!(c.email, "m.rossi@comune.padova.it");
        assert!(c.is_primary);
        let bad = ContactDraft {
            email: "nope".into(),
            phone: "call me".into(),
            ..Default::default()
        };
        assert_eq!(bad.parse().unwrap_err().len(), 3);
    }
}
