//! The quote engine: the amount of one item for one calendar year, line by line, each line
//! with when its component is charged.

use super::*;

/// What a quote is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteInput<'a> {
    pub service: &'a str,
    /// `None`: the service's main item.
    pub item: Option<&'a str>,
    /// Units bought (workstations, users, GB, …); per-inhabitant prices use `population`.
    pub quantity: u32,
    pub population: Option<u32>,
    pub activation: NaiveDate,
    /// The calendar year whose amount is wanted.
    pub year: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    pub service: String,
    pub item: String,
    pub item_label: String,
    /// 1 = the activation year.
    pub service_year: u32,
    pub amount: Euro,
    pub lines: Vec<FeeLine>,
    /// Some part is priced only after an assessment.
    pub on_quotation: bool,
}

/// The date whose price list applies to `year` for a service activated on `activation`: the
/// activation date in the activation year, 1 January afterwards.
pub fn pricing_date(activation: NaiveDate, year: i32) -> NaiveDate {
    if year <= activation.year() {
        activation
    } else {
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(activation)
    }
}

fn days_in_year(year: i32) -> i64 {
    if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
        366
    } else {
        365
    }
}

/// `amount × num / den`, rounded half up to the cent.
fn share(amount: Euro, num: i64, den: i64) -> Result<Euro, FeeError> {
    let v = (i128::from(amount.cents()) * i128::from(num) * 2 + i128::from(den))
        / (2 * i128::from(den));
    i64::try_from(v)
        .map(Euro::from_cents)
        .map_err(|_| FeeError::Overflow)
}

fn mul(amount: Euro, n: u64) -> Result<Euro, FeeError> {
    i64::try_from(n)
        .ok()
        .and_then(|n| amount.checked_mul(n))
        .ok_or(FeeError::Overflow)
}

pub(super) fn ordinal(n: u32) -> String {
    format!("{n}°")
}

/// The amount of one component for one service year, with the line that explains it.
fn price_amount(
    list: &PriceList,
    price: &Price,
    input: &QuoteInput<'_>,
) -> Result<(Euro, String), FeeError> {
    let units = |unit: Unit| -> Result<u64, FeeError> {
        match unit {
            Unit::Inhabitant => input
                .population
                .map(u64::from)
                .ok_or(FeeError::NoPopulation),
            _ => Ok(u64::from(input.quantity)),
        }
    };
    match price {
        Price::Flat { amount } => Ok((*amount, format!("{amount}"))),
        Price::PerUnit { amount, unit } => {
            let n = units(*unit)?;
            let total = mul(*amount, n)?;
            Ok((total, format!("{} × {amount} = {total}", unit.count(n))))
        }
        Price::PerBlock {
            amount,
            unit,
            block,
        } => {
            let n = units(*unit)?;
            let blocks = n.div_ceil(u64::from(*block));
            let total = mul(*amount, blocks)?;
            Ok((
                total,
                format!(
                    "{} = {blocks} {} da {} × {amount} = {total}",
                    unit.count(n),
                    if blocks == 1 { "blocco" } else { "blocchi" },
                    unit.count(u64::from(*block)),
                ),
            ))
        }
        Price::Bands { unit, bands } => {
            let n = units(*unit)?;
            let band = bands
                .iter()
                .find(|b| u64::from(b.from) <= n && b.to.is_none_or(|t| n <= u64::from(t)))
                .ok_or_else(|| invalid(format!("nessuna fascia per {}", unit.count(n))))?;
            let range = match band.to {
                Some(to) => format!("{}–{}", thousands(band.from.into()), thousands(to.into())),
                None => format!(
                    "oltre {}",
                    thousands(u64::from(band.from).saturating_sub(1))
                ),
            };
            Ok((
                band.amount,
                format!(
                    "{}: fascia {range} {} = {}",
                    unit.count(n),
                    unit.names().1,
                    band.amount
                ),
            ))
        }
        Price::Tiers {
            unit,
            tiers,
            flat_above,
            flat_amount,
            cap,
        } => {
            let n = units(*unit)?;
            if let (Some(above), Some(flat)) = (flat_above, flat_amount) {
                if n > u64::from(*above) {
                    return Ok((
                        *flat,
                        format!(
                            "{}: oltre {} importo fisso {flat}",
                            unit.count(n),
                            unit.count(u64::from(*above))
                        ),
                    ));
                }
            }
            let mut parts = Vec::new();
            let mut total = Euro::ZERO;
            let mut below = 0u64;
            for t in tiers {
                if n <= below {
                    break;
                }
                let k = n.min(u64::from(t.up_to)) - below;
                let a = mul(t.rate, k)?;
                parts.push(format!("{} × {} = {a}", unit.count(k), t.rate));
                total = total.checked_add(a).ok_or(FeeError::Overflow)?;
                below = u64::from(t.up_to);
            }
            if n > below {
                // Above the last tier with no flat amount: the last rate goes on.
                let last = tiers.last().map_or(Euro::ZERO, |t| t.rate);
                let a = mul(last, n - below)?;
                parts.push(format!("{} × {last} = {a}", unit.count(n - below)));
                total = total.checked_add(a).ok_or(FeeError::Overflow)?;
            }
            let mut text = parts.join("; ");
            if let Some(c) = cap {
                if total > *c {
                    text.push_str(&format!("; totale {total} oltre il tetto: {c}"));
                    total = *c;
                }
            }
            Ok((total, text))
        }
        Price::DaysOf {
            service,
            item,
            days,
            per_quantity,
        } => {
            let rate = list.day_rate(service, item).map_err(invalid)?;
            let n = u64::from(*days)
                * if *per_quantity {
                    u64::from(input.quantity)
                } else {
                    1
                };
            let total = mul(rate, n)?;
            Ok((
                total,
                format!(
                    "{} × {rate} ({service} «{item}») = {total}",
                    Unit::Day.count(n)
                ),
            ))
        }
    }
}

/// One line of a quote with when its component is charged: what a statement bills (yearly
/// and one-off parts; metered parts from readings, never from the quote's estimate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    pub when: When,
    pub line: FeeLine,
}

/// The amount of one item of `list` for `input.year`, line by line.
pub fn quote(list: &PriceList, input: &QuoteInput<'_>) -> Result<Quote, FeeError> {
    let (item, service_year, parts, on_quotation) = quote_parts(list, input)?;
    let lines: Vec<FeeLine> = parts.into_iter().map(|p| p.line).collect();
    let amount = lines
        .iter()
        .try_fold(Euro::ZERO, |acc, l| acc.checked_add(l.amount))
        .ok_or(FeeError::Overflow)?;
    Ok(Quote {
        service: item.service.clone(),
        item: item.code.clone(),
        item_label: item.label.clone(),
        service_year,
        amount,
        lines,
        on_quotation,
    })
}

/// The lines of [`quote`], each with when its component is charged.
pub fn parts(list: &PriceList, input: &QuoteInput<'_>) -> Result<Vec<Part>, FeeError> {
    quote_parts(list, input).map(|(_, _, parts, _)| parts)
}

type QuoteParts<'l> = (&'l PriceItem, u32, Vec<Part>, bool);

fn quote_parts<'l>(
    list: &'l PriceList,
    input: &QuoteInput<'_>,
) -> Result<QuoteParts<'l>, FeeError> {
    let item = list.item(input.service, input.item)?;
    let first = input.activation.year();
    if input.year < first {
        return Err(FeeError::BeforeActivation {
            activation: kernel::time::display_date(input.activation),
            year: input.year,
        });
    }
    let service_year = u32::try_from(input.year - first + 1).map_err(|_| FeeError::Overflow)?;
    let mut lines = Vec::with_capacity(item.components.len());
    let mut on_quotation = false;
    for c in &item.components {
        let label = &c.label;
        let when = c.when;
        let line = |text: String, amount: Euro| Part {
            when,
            line: FeeLine { text, amount },
        };
        match c.when {
            When::Included => lines.push(line(
                format!("{label}: compreso nella quota associativa annua"),
                Euro::ZERO,
            )),
            When::Free => lines.push(line(
                format!("{label}: nessun onere per l'ente"),
                Euro::ZERO,
            )),
            When::OnQuotation => {
                on_quotation = true;
                lines.push(line(
                    format!("{label}: su preventivo, dopo la verifica dei requisiti"),
                    Euro::ZERO,
                ));
            }
            When::OneOff => {
                let price = c.price.as_ref().ok_or_else(|| invalid("manca il prezzo"))?;
                if service_year == 1 {
                    let (a, text) = price_amount(list, price, input)?;
                    lines.push(line(format!("{label} (una tantum): {text}"), a));
                } else {
                    lines.push(line(
                        format!("{label} (una tantum): già addebitato nel {first}"),
                        Euro::ZERO,
                    ));
                }
            }
            When::Metered => {
                let price = c.price.as_ref().ok_or_else(|| invalid("manca il prezzo"))?;
                let (a, text) = price_amount(list, price, input)?;
                lines.push(line(format!("{label} (a consumo, stima): {text}"), a));
            }
            When::Yearly => {
                let price = c.price.as_ref().ok_or_else(|| invalid("manca il prezzo"))?;
                let span = match (c.from_year, c.until_year) {
                    (1, None) => "annuo".to_owned(),
                    (1, Some(1)) => "1° anno".to_owned(),
                    (f, None) => format!("annuo dal {} anno", ordinal(f)),
                    (f, Some(u)) if f == u => format!("{} anno", ordinal(f)),
                    (f, Some(u)) => format!("annuo dal {} al {} anno", ordinal(f), ordinal(u)),
                };
                let due =
                    service_year >= c.from_year && c.until_year.is_none_or(|u| service_year <= u);
                if !due {
                    lines.push(line(
                        format!(
                            "{label} ({span}): non dovuto nel {} anno di servizio",
                            ordinal(service_year)
                        ),
                        Euro::ZERO,
                    ));
                    continue;
                }
                let (a, text) = price_amount(list, price, input)?;
                if c.pro_rata && service_year == 1 {
                    let end = NaiveDate::from_ymd_opt(first, 12, 31).ok_or(FeeError::Overflow)?;
                    let days = (end - input.activation).num_days() + 1;
                    let year_days = days_in_year(first);
                    let part = share(a, days, year_days)?;
                    lines.push(line(
                        format!(
                            "{label} ({span}, in proporzione dal {}): {text}; × {days}/{year_days} giorni = {part}",
                            kernel::time::display_date(input.activation)
                        ),
                        part,
                    ));
                } else {
                    lines.push(line(format!("{label} ({span}): {text}"), a));
                }
            }
        }
    }
    Ok((item, service_year, lines, on_quotation))
}
