//! What a price-list item as typed would cost: the item checked as a whole (every message where
//! it belongs), the three sample entities, and their amounts in the first two years.

use catalog::fees::{self, Price, PriceItem, PriceList, QuoteInput, Unit};
use chrono::Datelike;
use members::store::FeeBasis;

use super::price_item_form::{FieldErrors, ItemDraft};

/// What one sample entity would pay, year by year.
pub struct PreviewRow {
    pub name: String,
    pub facts: String,
    pub years: Vec<PreviewYear>,
}

pub struct PreviewYear {
    pub label: String,
    pub amount: String,
    pub lines: Vec<String>,
    pub error: String,
}

#[derive(Default)]
pub struct Preview {
    pub rows: Vec<PreviewRow>,
    /// Why there is no preview (the item cannot be read or is not valid).
    pub error: String,
    pub activation: String,
}

/// The three entities a preview is computed for: the smallest, the middle and the largest by
/// population (entities without a population are left out when others have one).
pub fn samples(mut all: Vec<FeeBasis>) -> Vec<FeeBasis> {
    if all.iter().any(|e| e.population.is_some()) {
        all.retain(|e| e.population.is_some());
    }
    all.sort_by_key(|e| (e.population, e.id));
    match all.len() {
        0..=3 => all,
        n => vec![all[0].clone(), all[n / 2].clone(), all[n - 1].clone()],
    }
}

fn uses_workstations(item: &PriceItem) -> bool {
    item.components.iter().any(|c| {
        matches!(
            &c.price,
            Some(
                Price::PerUnit {
                    unit: Unit::Workstation,
                    ..
                } | Price::PerBlock {
                    unit: Unit::Workstation,
                    ..
                } | Price::Bands {
                    unit: Unit::Workstation,
                    ..
                } | Price::Tiers {
                    unit: Unit::Workstation,
                    ..
                }
            )
        )
    })
}

/// What the sample entities would pay for `item` placed at `at` in `list` (or added), in the
/// first two years of service from the list's first day.
pub fn preview(
    list: &PriceList,
    at: Option<usize>,
    item: &PriceItem,
    samples: &[FeeBasis],
    quantity: u32,
    activation: chrono::NaiveDate,
) -> Preview {
    let mut list = list.clone();
    match at {
        Some(i) if i < list.items.len() => list.items[i] = item.clone(),
        _ => list.items.push(item.clone()),
    }
    let mut p = Preview {
        activation: kernel::time::display_date(activation),
        ..Default::default()
    };
    if let Err(e) = list.validate() {
        p.error = crate::pages::sentence(&e.to_string());
        return p;
    }
    let by_workstation = uses_workstations(item);
    for e in samples {
        let q = if by_workstation {
            e.workstations
        } else {
            quantity
        };
        let mut facts = vec![];
        if let Some(pop) = e.population {
            facts.push(format!("{} ab.", kernel::money::thousands(pop.into())));
        }
        facts.push(Unit::Workstation.count(e.workstations.into()));
        if !by_workstation {
            facts.push(format!("quantità {}", kernel::money::thousands(q.into())));
        }
        let years = [activation.year(), activation.year() + 1]
            .into_iter()
            .enumerate()
            .map(|(k, year)| {
                let label = format!("{}° anno ({year})", k + 1);
                let input = QuoteInput {
                    service: &item.service,
                    item: Some(&item.code),
                    quantity: q,
                    population: e.population,
                    activation,
                    year,
                };
                match fees::quote(&list, &input) {
                    Ok(quote) => PreviewYear {
                        label,
                        amount: format!(
                            "{}{}",
                            quote.amount,
                            if quote.on_quotation {
                                " + preventivo"
                            } else {
                                ""
                            }
                        ),
                        lines: quote.lines.into_iter().map(|l| l.text).collect(),
                        error: String::new(),
                    },
                    Err(err) => PreviewYear {
                        label,
                        amount: String::new(),
                        lines: vec![],
                        error: crate::pages::sentence(&err.to_string()),
                    },
                }
            })
            .collect();
        p.rows.push(PreviewRow {
            name: e.name.clone(),
            facts: facts.join(" · "),
            years,
        });
    }
    p
}

/// The item as typed, checked as a whole: every field that cannot be read, and what is wrong
/// with each readable component (against the rest of the list) or with the item's code, each
/// message where it belongs (`c{i}` for a component as a whole).
pub fn check(
    list: &PriceList,
    at: Option<usize>,
    draft: &ItemDraft,
) -> Result<PriceItem, FieldErrors> {
    let read = draft.read_all();
    let mut errors = read.errors;
    let item = read.item;
    let mut placed = list.clone();
    match at {
        Some(i) if i < placed.items.len() => placed.items[i] = item.clone(),
        _ => placed.items.push(item.clone()),
    }
    let twin = placed.items.iter().enumerate().any(|(k, o)| {
        Some(k) != at.or(Some(placed.items.len() - 1))
            && o.service == item.service
            && o.code == item.code
    });
    if twin && !item.code.is_empty() {
        errors.push((
            "code".into(),
            format!(
                "Codice della voce: il servizio {} ha già una voce «{}»",
                item.service, item.code
            ),
        ));
    }
    for (i, c) in item.components.iter().enumerate() {
        if read.bad.get(i).copied().unwrap_or(true) {
            continue;
        }
        if let Err(why) = placed.check_component(c) {
            let field = if c.label.trim().is_empty() {
                format!("c{i}_label")
            } else {
                format!("c{i}")
            };
            errors.push((field, format!("Componente {}: {why}", i + 1)));
        }
    }
    if errors.is_empty() {
        Ok(item)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basis(id: i64, population: Option<u32>) -> FeeBasis {
        FeeBasis {
            id,
            name: format!("Ente {id}"),
            population,
            workstations: 10,
        }
    }

    #[test]
    fn samples_are_the_smallest_the_middle_and_the_largest() {
        let all = vec![
            basis(1, Some(500)),
            basis(2, None),
            basis(3, Some(90_000)),
            basis(4, Some(3_000)),
            basis(5, Some(7_000)),
        ];
        let ids: Vec<i64> = samples(all).iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![1, 5, 3]);
        assert_eq!(samples(vec![basis(2, None)]).len(), 1);
    }

    #[test]
    fn the_preview_prices_the_item_as_typed() {
        let list = catalog::service::padova::price_list().unwrap();
        let at = 0;
        let mut item = list.items[at].clone();
        item.components.truncate(1);
        item.components[0].when = fees::When::Yearly;
        item.components[0].pro_rata = false;
        item.components[0].from_year = 1;
        item.components[0].until_year = None;
        item.components[0].price = Some(Price::PerUnit {
            amount: kernel::Euro::from_cents(1_000),
            unit: Unit::Workstation,
        });
        let p = preview(
            &list,
            Some(at),
            &item,
            &[basis(1, Some(500))],
            1,
            chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        );
        assert_eq!(p.error, "");
        assert_eq!(p.rows[0].years[0].amount, "€ 100,00");
        assert_eq!(p.rows[0].years[1].amount, "€ 100,00");
        assert!(
            p.rows[0].facts.contains("10 postazioni"),
            "{}",
            p.rows[0].facts
        );
    }
}
