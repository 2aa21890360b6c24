//! A price-list item as a form: every field kept as typed, so that a refused form comes back as
//! it was, and read into a [`PriceItem`] with an Italian message for each field it cannot read.
//!
//! Field names: `service`, `code`, `label`, then per component `c{i}_label`, `c{i}_when`,
//! `c{i}_from_year`, `c{i}_until_year`, `c{i}_pro_rata`, `c{i}_kind`, `c{i}_amount`, `c{i}_unit`,
//! `c{i}_block`, `c{i}_b{j}_{from,to,amount}` (bands), `c{i}_t{j}_{up_to,rate}` (tiers),
//! `c{i}_flat_above`, `c{i}_flat_amount`, `c{i}_cap`, `c{i}_ref` (`SERVICE/item`), `c{i}_days`,
//! `c{i}_per_quantity`.

pub use crate::pages::form_reader::{italian_amount, BandDraft, FieldErrors, Reader, TierDraft};
use catalog::fees::{Component, Price, PriceItem, Unit, When};
use catalog::membership::{Band, Tier};
use kernel::Euro;

/// An amount as a person types it: `1.250,00`.
pub fn money(e: Euro) -> String {
    e.to_string().trim_start_matches('€').trim().to_owned()
}

pub const WHENS: [(&str, &str); 6] = [
    ("one_off", "Una tantum (anno di attivazione)"),
    ("yearly", "Canone annuo"),
    ("metered", "A consumo"),
    ("included", "Compreso nella quota associativa"),
    ("free", "Gratuito"),
    ("on_quotation", "Su preventivo"),
];

pub const KINDS: [(&str, &str); 6] = [
    ("flat", "Importo fisso"),
    ("per_unit", "Per unità"),
    ("per_block", "Per blocco di unità"),
    ("bands", "A fasce"),
    ("tiers", "A scaglioni"),
    ("days_of", "Giornate di un'altra voce"),
];

pub fn unit_code(u: Unit) -> &'static str {
    match u {
        Unit::Inhabitant => "inhabitant",
        Unit::Workstation => "workstation",
        Unit::User => "user",
        Unit::Mailbox => "mailbox",
        Unit::Gb => "gb",
        Unit::TbMonth => "tb_month",
        Unit::Day => "day",
        Unit::Hour => "hour",
        Unit::Sms => "sms",
        Unit::Person => "person",
        Unit::Device => "device",
        Unit::Certificate => "certificate",
    }
}

/// The units for a select: code and Italian name.
pub fn units() -> Vec<(&'static str, String)> {
    Unit::ALL
        .iter()
        .map(|u| {
            let name = match u {
                Unit::Inhabitant => "abitante (dalla popolazione dell'ente)".to_owned(),
                other => other.names().0.to_owned(),
            };
            (unit_code(*u), name)
        })
        .collect()
}

fn when_code(w: When) -> &'static str {
    match w {
        When::OneOff => "one_off",
        When::Yearly => "yearly",
        When::Metered => "metered",
        When::Included => "included",
        When::Free => "free",
        When::OnQuotation => "on_quotation",
    }
}

#[derive(Debug, Clone, Default)]
pub struct CompDraft {
    pub label: String,
    pub when: String,
    pub from_year: String,
    pub until_year: String,
    pub pro_rata: bool,
    pub kind: String,
    pub amount: String,
    pub unit: String,
    pub block: String,
    pub bands: Vec<BandDraft>,
    pub tiers: Vec<TierDraft>,
    pub flat_above: String,
    pub flat_amount: String,
    pub cap: String,
    pub reference: String,
    pub days: String,
    pub per_quantity: bool,
}

impl CompDraft {
    pub fn empty() -> Self {
        Self {
            when: "yearly".into(),
            from_year: "1".into(),
            kind: "flat".into(),
            unit: "workstation".into(),
            ..Default::default()
        }
    }

    fn of(c: &Component) -> Self {
        let mut d = Self {
            label: c.label.clone(),
            when: when_code(c.when).into(),
            from_year: c.from_year.to_string(),
            until_year: c.until_year.map(|u| u.to_string()).unwrap_or_default(),
            pro_rata: c.pro_rata,
            unit: "workstation".into(),
            ..Default::default()
        };
        let Some(p) = &c.price else {
            return d;
        };
        match p {
            Price::Flat { amount } => {
                d.kind = "flat".into();
                d.amount = money(*amount);
            }
            Price::PerUnit { amount, unit } => {
                d.kind = "per_unit".into();
                d.amount = money(*amount);
                d.unit = unit_code(*unit).into();
            }
            Price::PerBlock {
                amount,
                unit,
                block,
            } => {
                d.kind = "per_block".into();
                d.amount = money(*amount);
                d.unit = unit_code(*unit).into();
                d.block = block.to_string();
            }
            Price::Bands { unit, bands } => {
                d.kind = "bands".into();
                d.unit = unit_code(*unit).into();
                d.bands = bands.iter().map(band_draft).collect();
            }
            Price::Tiers {
                unit,
                tiers,
                flat_above,
                flat_amount,
                cap,
            } => {
                d.kind = "tiers".into();
                d.unit = unit_code(*unit).into();
                d.tiers = tiers.iter().map(tier_draft).collect();
                d.flat_above = flat_above.map(|n| n.to_string()).unwrap_or_default();
                d.flat_amount = flat_amount.map(money).unwrap_or_default();
                d.cap = cap.map(money).unwrap_or_default();
            }
            Price::DaysOf {
                service,
                item,
                days,
                per_quantity,
            } => {
                d.kind = "days_of".into();
                d.reference = format!("{service}/{item}");
                d.days = days.to_string();
                d.per_quantity = *per_quantity;
            }
        }
        d
    }

    /// Whether the component is charged (and so has a price).
    pub fn priced(&self) -> bool {
        matches!(self.when.as_str(), "one_off" | "yearly" | "metered")
    }
}

pub fn band_draft(b: &Band) -> BandDraft {
    BandDraft {
        from: b.from.to_string(),
        to: b.to.map(|t| t.to_string()).unwrap_or_default(),
        amount: money(b.amount),
    }
}

pub fn tier_draft(t: &Tier) -> TierDraft {
    TierDraft {
        up_to: t.up_to.to_string(),
        rate: money(t.rate),
    }
}

/// What [`ItemDraft::read_all`] could read.
pub struct ReadItem {
    pub item: PriceItem,
    pub errors: FieldErrors,
    /// By component: whether one of its fields could not be read.
    pub bad: Vec<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct ItemDraft {
    pub service: String,
    pub code: String,
    pub label: String,
    pub components: Vec<CompDraft>,
}

fn unit_of(code: &str) -> Option<Unit> {
    Unit::ALL.into_iter().find(|u| unit_code(*u) == code)
}

/// The value of `name` among the posted pairs ("" when absent).
pub fn value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The largest `N` in names `{prefix}N_…`, plus one.
pub fn rows_named(pairs: &[(String, String)], prefix: &str) -> usize {
    pairs
        .iter()
        .filter_map(|(k, _)| {
            let rest = k.strip_prefix(prefix)?;
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let n: usize = digits.parse().ok()?;
            rest[digits.len()..].starts_with('_').then_some(n + 1)
        })
        .max()
        .unwrap_or(0)
        .min(200)
}

impl ItemDraft {
    pub fn of(item: &PriceItem) -> Self {
        Self {
            service: item.service.clone(),
            code: item.code.clone(),
            label: item.label.clone(),
            components: item.components.iter().map(CompDraft::of).collect(),
        }
    }

    pub fn from_form(pairs: &[(String, String)]) -> Self {
        let v = |name: &str| value(pairs, name).to_owned();
        let on = |name: &str| matches!(value(pairs, name), "1" | "on" | "true");
        let components = (0..rows_named(pairs, "c"))
            .map(|i| {
                let p = format!("c{i}_");
                let f = |name: &str| v(&format!("{p}{name}"));
                CompDraft {
                    label: f("label"),
                    when: f("when"),
                    from_year: f("from_year"),
                    until_year: f("until_year"),
                    pro_rata: on(&format!("{p}pro_rata")),
                    kind: f("kind"),
                    amount: f("amount"),
                    unit: f("unit"),
                    block: f("block"),
                    bands: (0..rows_named(pairs, &format!("{p}b")))
                        .map(|j| BandDraft {
                            from: f(&format!("b{j}_from")),
                            to: f(&format!("b{j}_to")),
                            amount: f(&format!("b{j}_amount")),
                        })
                        .collect(),
                    tiers: (0..rows_named(pairs, &format!("{p}t")))
                        .map(|j| TierDraft {
                            up_to: f(&format!("t{j}_up_to")),
                            rate: f(&format!("t{j}_rate")),
                        })
                        .collect(),
                    flat_above: f("flat_above"),
                    flat_amount: f("flat_amount"),
                    cap: f("cap"),
                    reference: f("ref"),
                    days: f("days"),
                    per_quantity: on(&format!("{p}per_quantity")),
                }
            })
            .collect();
        Self {
            service: v("service").trim().to_owned(),
            code: v("code").trim().to_owned(),
            label: v("label").trim().to_owned(),
            components,
        }
    }

    /// The item, or a message for each field that cannot be read. What is read but wrong
    /// (bands with a gap, an until-year before the from-year) is left to
    /// [`catalog::fees::PriceList::validate`], which names the component.
    pub fn read(&self) -> Result<PriceItem, FieldErrors> {
        let all = self.read_all();
        if all.errors.is_empty() {
            Ok(all.item)
        } else {
            Err(all.errors)
        }
    }

    /// The item as far as it can be read (fields that cannot be read left at their default),
    /// the message of each such field, and which components had one.
    pub fn read_all(&self) -> ReadItem {
        let mut r = Reader::new();
        let mut bad = vec![];
        if self.service.is_empty() {
            r.fail("service", "Servizio: obbligatorio".into());
        }
        if self.code.is_empty() {
            r.fail("code", "Codice della voce: obbligatorio".into());
        }
        if self.label.is_empty() {
            r.fail("label", "Nome della voce: obbligatorio".into());
        }
        if self.components.is_empty() {
            r.fail("components", "Serve almeno una componente di prezzo".into());
        }
        let mut components = vec![];
        for (i, c) in self.components.iter().enumerate() {
            let p = format!("c{i}_");
            let n = i + 1;
            let name = |f: &str| format!("{p}{f}");
            let Some(when) = WHENS.iter().position(|(code, _)| *code == c.when).map(|k| {
                [
                    When::OneOff,
                    When::Yearly,
                    When::Metered,
                    When::Included,
                    When::Free,
                    When::OnQuotation,
                ][k]
            }) else {
                r.fail(
                    &name("when"),
                    format!("Componente {n}: scegli quando si paga"),
                );
                bad.push(true);
                components.push(Component {
                    label: c.label.trim().to_owned(),
                    when: When::Free,
                    from_year: 1,
                    until_year: None,
                    pro_rata: false,
                    price: None,
                });
                continue;
            };
            let errors_before = r.errors.len();
            let yearly = when == When::Yearly;
            let from_year = if yearly {
                r.count(
                    &name("from_year"),
                    &format!("Componente {n}, primo anno dovuto"),
                    &c.from_year,
                )
                .unwrap_or(1)
            } else {
                1
            };
            let until_year = if yearly {
                r.count(
                    &name("until_year"),
                    &format!("Componente {n}, ultimo anno dovuto"),
                    &c.until_year,
                )
            } else {
                None
            };
            let price = if c.priced() {
                self.read_price(&mut r, i, c)
            } else {
                None
            };
            components.push(Component {
                label: c.label.trim().to_owned(),
                when,
                from_year,
                until_year,
                pro_rata: yearly && c.pro_rata,
                price,
            });
            bad.push(r.errors.len() > errors_before);
        }
        ReadItem {
            item: PriceItem {
                service: self.service.clone(),
                code: self.code.clone(),
                label: self.label.clone(),
                components,
            },
            errors: r.errors,
            bad,
        }
    }

    fn read_price(&self, r: &mut Reader, i: usize, c: &CompDraft) -> Option<Price> {
        let p = format!("c{i}_");
        let n = i + 1;
        let name = |f: &str| format!("{p}{f}");
        let what = |f: &str| format!("Componente {n}, {f}");
        let unit = || unit_of(&c.unit);
        let price = match c.kind.as_str() {
            "flat" => Price::Flat {
                amount: r.required_euro(&name("amount"), &what("importo"), &c.amount),
            },
            "per_unit" => Price::PerUnit {
                amount: r.required_euro(&name("amount"), &what("importo"), &c.amount),
                unit: unit()?,
            },
            "per_block" => Price::PerBlock {
                amount: r.required_euro(&name("amount"), &what("importo"), &c.amount),
                unit: unit()?,
                block: r.required_count(&name("block"), &what("unità per blocco"), &c.block),
            },
            "bands" => Price::Bands {
                unit: unit()?,
                bands: r.bands(&p, &c.bands),
            },
            "tiers" => Price::Tiers {
                unit: unit()?,
                tiers: r.tiers(&p, &c.tiers),
                flat_above: r.count(
                    &name("flat_above"),
                    &what("importo fisso oltre"),
                    &c.flat_above,
                ),
                flat_amount: r.euro(&name("flat_amount"), &what("importo fisso"), &c.flat_amount),
                cap: r.euro(&name("cap"), &what("tetto"), &c.cap),
            },
            "days_of" => {
                let Some((service, item)) = c.reference.split_once('/') else {
                    r.fail(
                        &name("ref"),
                        what("scegli la voce di cui contare le giornate"),
                    );
                    return None;
                };
                Price::DaysOf {
                    service: service.to_owned(),
                    item: item.to_owned(),
                    days: r.required_count(&name("days"), &what("giornate"), &c.days),
                    per_quantity: c.per_quantity,
                }
            }
            _ => {
                r.fail(&name("kind"), what("scegli come si calcola il prezzo"));
                return None;
            }
        };
        Some(price)
    }

    /// One empty band and tier row where there is none, so that choosing bands or tiers
    /// shows a row to fill (rows left empty are not read).
    pub fn pad(&mut self) {
        for c in &mut self.components {
            if c.bands.is_empty() {
                c.bands.push(BandDraft::default());
            }
            if c.tiers.is_empty() {
                c.tiers.push(TierDraft::default());
            }
        }
    }

    /// Applies a button that changes the form's shape rather than saving it: `aggiungi`,
    /// `togli-{i}`, `fascia-{i}`, `scaglione-{i}`. Returns false for any other action.
    pub fn reshape(&mut self, action: &str) -> bool {
        let index = |prefix: &str| {
            action
                .strip_prefix(prefix)
                .and_then(|n| n.parse::<usize>().ok())
        };
        if action == "aggiungi" {
            self.components.push(CompDraft::empty());
        } else if let Some(i) = index("togli-") {
            if i < self.components.len() {
                self.components.remove(i);
            }
        } else if let Some(i) = index("fascia-") {
            if let Some(c) = self.components.get_mut(i) {
                c.bands.push(BandDraft::default());
            }
        } else if let Some(i) = index("scaglione-") {
            if let Some(c) = self.components.get_mut(i) {
                c.tiers.push(TierDraft::default());
            }
        } else {
            return false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn every_item_of_the_padova_list_survives_the_form() {
        let list = catalog::service::padova::price_list().unwrap();
        for item in &list.items {
            let d = ItemDraft::of(item);
            let mut posted = vec![
                ("service".to_owned(), d.service.clone()),
                ("code".to_owned(), d.code.clone()),
                ("label".to_owned(), d.label.clone()),
            ];
            for (i, c) in d.components.iter().enumerate() {
                let p = |f: &str| format!("c{i}_{f}");
                for (k, v) in [
                    ("label", &c.label),
                    ("when", &c.when),
                    ("from_year", &c.from_year),
                    ("until_year", &c.until_year),
                    ("kind", &c.kind),
                    ("amount", &c.amount),
                    ("unit", &c.unit),
                    ("block", &c.block),
                    ("flat_above", &c.flat_above),
                    ("flat_amount", &c.flat_amount),
                    ("cap", &c.cap),
                    ("ref", &c.reference),
                    ("days", &c.days),
                ] {
                    posted.push((p(k), v.clone()));
                }
                if c.pro_rata {
                    posted.push((p("pro_rata"), "1".into()));
                }
                if c.per_quantity {
                    posted.push((p("per_quantity"), "1".into()));
                }
                for (j, b) in c.bands.iter().enumerate() {
                    posted.push((p(&format!("b{j}_from")), b.from.clone()));
                    posted.push((p(&format!("b{j}_to")), b.to.clone()));
                    posted.push((p(&format!("b{j}_amount")), b.amount.clone()));
                }
                for (j, t) in c.tiers.iter().enumerate() {
                    posted.push((p(&format!("t{j}_up_to")), t.up_to.clone()));
                    posted.push((p(&format!("t{j}_rate")), t.rate.clone()));
                }
            }
            let back = ItemDraft::from_form(&posted).read().unwrap();
            assert_eq!(&back, item, "{} «{}»", item.service, item.code);
        }
    }

    #[test]
    fn a_field_that_cannot_be_read_is_named() {
        let d = ItemDraft::from_form(&pairs(&[
            ("service", "PD11"),
            ("code", "standard"),
            ("label", "Standard"),
            ("c0_label", "Canone"),
            ("c0_when", "yearly"),
            ("c0_kind", "per_unit"),
            ("c0_unit", "workstation"),
            ("c0_amount", "dodici"),
            ("c1_label", "Fasce"),
            ("c1_when", "yearly"),
            ("c1_kind", "bands"),
            ("c1_unit", "inhabitant"),
            ("c1_b0_from", "0"),
            ("c1_b0_amount", ""),
        ]));
        let errors = d.read().unwrap_err();
        assert_eq!(
            errors,
            vec![
                (
                    "c0_amount".to_owned(),
                    "Componente 1, importo: «dodici» non è un importo (per esempio 1.250,00)"
                        .to_owned()
                ),
                (
                    "c1_b0_amount".to_owned(),
                    "fascia 1, importo: obbligatorio".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn buttons_reshape_the_form() {
        let mut d = ItemDraft::default();
        assert!(d.reshape("aggiungi"));
        assert!(d.reshape("aggiungi"));
        assert!(d.reshape("fascia-1"));
        assert!(d.reshape("scaglione-0"));
        assert!(d.reshape("togli-0"));
        assert_eq!(d.components.len(), 1);
        assert_eq!(d.components[0].bands.len(), 1);
        assert!(d.components[0].tiers.is_empty());
        assert!(!d.reshape("salva"));
        assert!(d.reshape("togli-9"));
    }
}
