//! The fee engine's tests: every price shape, table-driven and by property.

use super::*;
use crate::service::padova;
use proptest::prelude::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn e(s: &str) -> Euro {
    Euro::parse(s).unwrap()
}

fn q(
    list: &PriceList,
    service: &str,
    item: Option<&str>,
    quantity: u32,
    activation: &str,
    year: i32,
) -> Quote {
    quote(
        list,
        &QuoteInput {
            service,
            item,
            quantity,
            population: Some(7_500),
            activation: d(activation),
            year,
        },
    )
    .unwrap()
}

fn amount(service: &str, item: Option<&str>, quantity: u32, activation: &str, year: i32) -> Euro {
    q(
        &padova::price_list().unwrap(),
        service,
        item,
        quantity,
        activation,
        year,
    )
    .amount
}

#[test]
fn the_padova_list_is_valid_and_covers_the_20_services() {
    let list = padova::price_list().unwrap();
    list.validate().unwrap();
    for n in 1..=20 {
        let code = format!("PD{n:02}");
        assert!(list.items_of(&code).next().is_some(), "{code}");
    }
    let cards = padova::services().unwrap();
    assert_eq!(cards.len(), 20);
    for c in &cards {
        assert!(c.check().is_empty(), "{}: {:?}", c.code, c.check());
    }
}

#[test]
fn included_free_and_on_quotation_cost_nothing_now() {
    assert_eq!(amount("PD01", None, 1, "2026-03-01", 2026), Euro::ZERO);
    assert_eq!(amount("PD03", None, 1, "2026-03-01", 2026), Euro::ZERO);
    assert_eq!(amount("PD04", None, 1, "2026-03-01", 2026), Euro::ZERO);
    let hosting = q(
        &padova::price_list().unwrap(),
        "PD10",
        None,
        1,
        "2026-03-01",
        2026,
    );
    assert!(hosting.on_quotation);
    assert_eq!(hosting.amount, Euro::ZERO);
    assert!(
        hosting.lines[1].text.contains("su preventivo"),
        "{:?}",
        hosting.lines
    );
    assert!(q(
        &padova::price_list().unwrap(),
        "PD01",
        None,
        1,
        "2026-03-01",
        2026
    )
    .lines[0]
        .text
        .contains("compreso nella quota associativa"));
}

#[test]
fn one_off_fees_are_charged_in_the_activation_year_only() {
    assert_eq!(
        amount("PD02", Some("prenotazioni"), 1, "2026-05-10", 2026),
        e("786")
    );
    assert_eq!(
        amount("PD02", Some("prenotazioni"), 1, "2026-05-10", 2027),
        Euro::ZERO
    );
    assert_eq!(amount("PD07", None, 1, "2026-05-10", 2026), e("200"));
    assert_eq!(amount("PD19", None, 1, "2026-05-10", 2026), e("1047"));
    assert_eq!(
        amount("PD11", Some("firma-businesskey"), 4, "2026-05-10", 2026),
        e("152")
    );
    assert_eq!(
        amount("PD11", Some("firma-remota"), 1, "2026-05-10", 2026),
        e("50")
    );
    assert_eq!(
        amount("PD11", Some("firma-rinnovo"), 2, "2026-05-10", 2026),
        e("26")
    );
}

#[test]
fn yearly_from_the_second_year() {
    // PD06: € 2.000 una tantum, then € 150 a year from the second year.
    let first = q(
        &padova::price_list().unwrap(),
        "PD06",
        None,
        1,
        "2026-03-01",
        2026,
    );
    assert_eq!(first.amount, e("2000"));
    assert_eq!(first.service_year, 1);
    assert!(
        first.lines[1].text.contains("non dovuto nel 1° anno"),
        "{:?}",
        first.lines
    );
    assert_eq!(amount("PD06", None, 1, "2026-03-01", 2027), e("150"));
    assert_eq!(amount("PD06", None, 1, "2026-03-01", 2031), e("150"));
    // PD09, the example: 3 users activated 1 March 2026, year 2027.
    assert_eq!(amount("PD09", None, 3, "2026-03-01", 2026), e("795"));
    let y2 = q(
        &padova::price_list().unwrap(),
        "PD09",
        None,
        3,
        "2026-03-01",
        2027,
    );
    assert_eq!(y2.amount, e("600"));
    assert!(
        y2.lines[1].text.contains("3 utenti × € 200,00 = € 600,00"),
        "{:?}",
        y2.lines
    );
}

#[test]
fn first_year_and_later_years_amounts() {
    assert_eq!(amount("PD16", None, 1, "2026-09-01", 2026), e("900"));
    assert_eq!(amount("PD16", None, 1, "2026-09-01", 2027), e("500"));
    assert_eq!(amount("PD16", None, 1, "2026-09-01", 2030), e("500"));
}

#[test]
fn per_unit_per_block_and_metered() {
    assert_eq!(amount("PD13", None, 12, "2026-01-10", 2026), e("180"));
    assert_eq!(
        amount("PD13", Some("avanzato"), 12, "2026-01-10", 2026),
        e("300")
    );
    assert_eq!(amount("PD11", None, 4, "2026-01-10", 2026), e("30"));
    assert_eq!(
        amount("PD11", Some("pec-silver"), 1, "2026-01-10", 2026),
        e("15")
    );
    assert_eq!(
        amount("PD11", Some("pec-gold"), 1, "2026-01-10", 2026),
        e("22")
    );
    assert_eq!(
        amount("PD11", Some("pec-massiva"), 1, "2026-01-10", 2026),
        e("185")
    );
    assert_eq!(
        amount("PD11", Some("pec-spazio"), 3, "2026-01-10", 2026),
        e("12")
    );
    assert_eq!(
        amount("PD11", Some("pec-conservazione"), 2, "2026-01-10", 2026),
        e("196")
    );
    // 10 custom-domain PECs: € 60/yr per 10 + € 60 once; 11 mailboxes are two packs.
    assert_eq!(
        amount("PD11", Some("pec-dominio"), 10, "2026-01-10", 2026),
        e("120")
    );
    assert_eq!(
        amount("PD11", Some("pec-dominio"), 11, "2026-01-10", 2026),
        e("180")
    );
    assert_eq!(
        amount("PD11", Some("pec-dominio"), 11, "2026-01-10", 2027),
        e("120")
    );
    // PRO mailbox: € 30 per started block of 5 GB.
    let pro = q(
        &padova::price_list().unwrap(),
        "PD05",
        Some("posta-pro"),
        12,
        "2026-01-10",
        2026,
    );
    assert_eq!(pro.amount, e("90"));
    assert!(
        pro.lines[0]
            .text
            .contains("12 GB = 3 blocchi da 5 GB × € 30,00 = € 90,00"),
        "{:?}",
        pro.lines
    );
    // Lizard/GPE: € 300 to start, € 100 per 100 GB from the second year.
    assert_eq!(amount("PD08", None, 150, "2026-01-10", 2026), e("300"));
    assert_eq!(amount("PD08", None, 150, "2026-01-10", 2027), e("200"));
    assert_eq!(amount("PD12", None, 5, "2026-01-10", 2026), e("998"));
    assert_eq!(amount("PD12", None, 5, "2026-01-10", 2027), e("490"));
    assert_eq!(
        amount("PD12", Some("connettore"), 1, "2026-01-10", 2026),
        e("508")
    );
    let sms = q(
        &padova::price_list().unwrap(),
        "PD02",
        Some("sms"),
        1_000,
        "2026-01-10",
        2026,
    );
    assert_eq!(sms.amount, e("50"));
    assert!(sms.lines[0].text.contains("a consumo"), "{:?}", sms.lines);
    assert_eq!(
        amount("PD18", Some("hosting-remoto"), 24, "2026-01-10", 2026),
        e("480")
    );
    assert_eq!(amount("PD15", None, 5, "2026-01-10", 2026), e("1440"));
    assert_eq!(
        amount("PD15", Some("avanzato"), 5, "2026-01-10", 2026),
        e("1965")
    );
    assert_eq!(
        amount("PD09", Some("formazione"), 2, "2026-01-10", 2026),
        e("300")
    );
}

#[test]
fn days_at_another_services_day_rate() {
    assert_eq!(amount("PD14", None, 1, "2026-01-10", 2026), e("1867"));
    assert_eq!(
        amount("PD14", Some("giornata-extra"), 2, "2026-01-10", 2026),
        e("786")
    );
    assert_eq!(amount("PD17", None, 1, "2026-01-10", 2026), e("981"));
    let upkeep = q(
        &padova::price_list().unwrap(),
        "PD17",
        None,
        1,
        "2026-01-10",
        2027,
    );
    assert_eq!(upkeep.amount, e("288"));
    assert!(
        upkeep.lines[1]
            .text
            .contains("1 giornata × € 288,00 (PD15 «base»)"),
        "{:?}",
        upkeep.lines
    );
    assert_eq!(amount("PD18", None, 1, "2026-01-10", 2026), e("1439"));
    assert_eq!(amount("PD18", None, 1, "2026-01-10", 2027), e("1152"));
    assert_eq!(amount("PD19", None, 1, "2026-01-10", 2027), e("576"));
    // The day rate is read from the list: a new rate moves every fee defined on it.
    let mut list = padova::price_list().unwrap();
    for i in &mut list.items {
        if i.service == "PD15" && i.code == "base" {
            i.components[0].price = Some(Price::PerUnit {
                amount: e("300"),
                unit: Unit::Day,
            });
        }
    }
    assert_eq!(
        q(&list, "PD19", None, 1, "2026-01-10", 2027).amount,
        e("600")
    );
}

#[test]
fn the_provider_package_is_due_whole_whatever_the_activation_date() {
    assert_eq!(amount("PD05", None, 1, "2026-12-15", 2026), e("100"));
    assert_eq!(amount("PD05", None, 1, "2026-12-15", 2027), e("100"));
}

#[test]
fn a_pro_rata_fee_counts_the_days_from_activation() {
    let mut list = padova::price_list().unwrap();
    for i in &mut list.items {
        if i.service == "PD05" && i.code == "pacchetto" {
            i.components[0].pro_rata = true;
        }
    }
    list.validate().unwrap();
    // 1 March to 31 December 2026: 306 days of 365; 100 × 306 / 365 = 83.835… → 83,84.
    let part = q(&list, "PD05", None, 1, "2026-03-01", 2026);
    assert_eq!(part.amount, e("83.84"));
    assert!(part.lines[0].text.contains("306/365"), "{:?}", part.lines);
    assert_eq!(
        q(&list, "PD05", None, 1, "2026-01-01", 2026).amount,
        e("100")
    );
    assert_eq!(
        q(&list, "PD05", None, 1, "2026-12-31", 2026).amount,
        e("0.27")
    );
    // Leap year: 1 March to 31 December 2028 is 306 of 366 days.
    assert_eq!(
        q(&list, "PD05", None, 1, "2028-03-01", 2028).amount,
        e("83.61")
    );
    // The following years are whole.
    assert_eq!(
        q(&list, "PD05", None, 1, "2026-03-01", 2027).amount,
        e("100")
    );
}

fn one_item(components: Vec<Component>) -> PriceList {
    PriceList {
        name: "prova".into(),
        valid_from: d("2026-01-01"),
        valid_to: None,
        items: vec![PriceItem {
            service: "X1".into(),
            code: "base".into(),
            label: "prova".into(),
            components,
        }],
    }
}

fn yearly(price: Price) -> Component {
    Component {
        label: "canone".into(),
        when: When::Yearly,
        from_year: 1,
        until_year: None,
        pro_rata: false,
        price: Some(price),
    }
}

fn quote_pop(list: &PriceList, quantity: u32, population: u32) -> Quote {
    quote(
        list,
        &QuoteInput {
            service: "X1",
            item: None,
            quantity,
            population: Some(population),
            activation: d("2026-01-01"),
            year: 2026,
        },
    )
    .unwrap()
}

fn lecco_web_bands() -> Price {
    // Lecco's web site by entity size: € 900 to € 2.000 a year.
    Price::Bands {
        unit: Unit::Inhabitant,
        bands: vec![
            crate::membership::Band {
                from: 0,
                to: Some(3_000),
                amount: e("900"),
            },
            crate::membership::Band {
                from: 3_001,
                to: Some(10_000),
                amount: e("1400"),
            },
            crate::membership::Band {
                from: 10_001,
                to: None,
                amount: e("2000"),
            },
        ],
    }
}

#[test]
fn population_bands() {
    let list = one_item(vec![yearly(lecco_web_bands())]);
    list.validate().unwrap();
    assert_eq!(quote_pop(&list, 1, 2_999).amount, e("900"));
    assert_eq!(quote_pop(&list, 1, 3_000).amount, e("900"));
    assert_eq!(quote_pop(&list, 1, 3_001).amount, e("1400"));
    let big = quote_pop(&list, 1, 50_000);
    assert_eq!(big.amount, e("2000"));
    assert!(
        big.lines[0]
            .text
            .contains("50.000 ab.: fascia oltre 10.000"),
        "{:?}",
        big.lines
    );
}

#[test]
fn a_band_table_with_a_gap_or_an_overlap_is_refused() {
    let band = |from, to: Option<u32>, a| crate::membership::Band {
        from,
        to,
        amount: e(a),
    };
    let gap = one_item(vec![yearly(Price::Bands {
        unit: Unit::Inhabitant,
        bands: vec![band(0, Some(1000), "1"), band(1002, None, "2")],
    })]);
    let err = gap.validate().unwrap_err().to_string();
    assert!(err.contains("manca la fascia per 1001 abitanti"), "{err}");
    let overlap = one_item(vec![yearly(Price::Bands {
        unit: Unit::Inhabitant,
        bands: vec![band(0, Some(1000), "1"), band(900, None, "2")],
    })]);
    let err = overlap.validate().unwrap_err().to_string();
    assert!(err.contains("si sovrappongono"), "{err}");
}

fn tiers(cap: Option<&str>) -> Price {
    Price::Tiers {
        unit: Unit::Inhabitant,
        tiers: vec![
            Tier {
                up_to: 5_000,
                rate: e("0.20"),
            },
            Tier {
                up_to: 10_000,
                rate: e("0.10"),
            },
        ],
        flat_above: None,
        flat_amount: None,
        cap: cap.map(e),
    }
}

#[test]
fn marginal_tiers_with_a_cap() {
    let list = one_item(vec![yearly(tiers(Some("1200")))]);
    list.validate().unwrap();
    let t = quote_pop(&list, 1, 7_500);
    assert_eq!(t.amount, e("1200"));
    assert!(
        t.lines[0]
            .text
            .contains("5.000 ab. × € 0,20 = € 1.000,00; 2.500 ab. × € 0,10 = € 250,00"),
        "{:?}",
        t.lines
    );
    assert!(t.lines[0].text.contains("tetto"), "{:?}", t.lines);
    assert_eq!(quote_pop(&list, 1, 4_000).amount, e("800"));
    // Without a cap, above the last tier the last rate goes on.
    let open = one_item(vec![yearly(tiers(None))]);
    assert_eq!(quote_pop(&open, 1, 12_000).amount, e("1700"));
}

#[test]
fn bad_components_are_refused_with_the_reason() {
    let mut no_price = yearly(Price::Flat { amount: e("1") });
    no_price.price = None;
    assert!(one_item(vec![no_price])
        .validate()
        .unwrap_err()
        .to_string()
        .contains("manca il prezzo"));
    let mut priced_free = yearly(Price::Flat { amount: e("1") });
    priced_free.when = When::Free;
    assert!(one_item(vec![priced_free]).validate().is_err());
    let mut backwards = yearly(Price::Flat { amount: e("1") });
    backwards.from_year = 3;
    backwards.until_year = Some(2);
    assert!(one_item(vec![backwards])
        .validate()
        .unwrap_err()
        .to_string()
        .contains("precede"));
    let dangling = yearly(Price::DaysOf {
        service: "PD15".into(),
        item: "base".into(),
        days: 2,
        per_quantity: false,
    });
    let err = one_item(vec![dangling]).validate().unwrap_err().to_string();
    assert!(err.contains("PD15 «base» non è nel listino"), "{err}");
    let zero_block = yearly(Price::PerBlock {
        amount: e("1"),
        unit: Unit::Gb,
        block: 0,
    });
    assert!(one_item(vec![zero_block]).validate().is_err());
}

#[test]
fn a_quote_before_activation_or_for_an_unknown_item_is_refused() {
    let list = padova::price_list().unwrap();
    let input = QuoteInput {
        service: "PD06",
        item: None,
        quantity: 1,
        population: None,
        activation: d("2027-02-01"),
        year: 2026,
    };
    assert!(matches!(
        quote(&list, &input),
        Err(FeeError::BeforeActivation { .. })
    ));
    let unknown = QuoteInput {
        service: "PD99",
        year: 2027,
        ..input
    };
    assert_eq!(
        quote(&list, &unknown).unwrap_err(),
        FeeError::NoService("PD99".into())
    );
    let no_item = QuoteInput {
        item: Some("oro"),
        year: 2027,
        ..input
    };
    assert_eq!(
        quote(&list, &no_item).unwrap_err(),
        FeeError::NoItem("PD06".into(), "oro".into())
    );
}

#[test]
fn the_list_round_trips_as_json() {
    let list = padova::price_list().unwrap();
    let json = serde_json::to_string(&list).unwrap();
    assert_eq!(serde_json::from_str::<PriceList>(&json).unwrap(), list);
}

#[test]
fn the_pricing_date_is_the_activation_then_new_year() {
    assert_eq!(pricing_date(d("2026-03-01"), 2026), d("2026-03-01"));
    assert_eq!(pricing_date(d("2026-03-01"), 2027), d("2027-01-01"));
}

proptest! {
    #[test]
    fn marginal_tier_fees_never_decrease(p in 0u32..2_000_000) {
        let list = one_item(vec![yearly(tiers(Some("1200")))]);
        prop_assert!(quote_pop(&list, 1, p).amount <= quote_pop(&list, 1, p + 1).amount);
    }

    #[test]
    fn every_population_falls_in_exactly_one_band(p in 0u32..5_000_000) {
        let list = one_item(vec![yearly(lecco_web_bands())]);
        let Price::Bands { bands, .. } = lecco_web_bands() else { unreachable!() };
        let n = bands.iter().filter(|b| b.from <= p && b.to.is_none_or(|t| p <= t)).count();
        prop_assert_eq!(n, 1);
        prop_assert!(quote_pop(&list, 1, p).amount >= e("900"));
    }

    #[test]
    fn quotes_add_up_their_lines(n in 0u32..100_000, year in 2020i32..2040) {
        let list = padova::price_list().unwrap();
        for item in &list.items {
            let r = quote(&list, &QuoteInput {
                service: &item.service,
                item: Some(&item.code),
                quantity: n,
                population: Some(n),
                activation: d("2020-06-15"),
                year,
            }).unwrap();
            let sum = r.lines.iter().fold(Euro::ZERO, |a, l| a + l.amount);
            prop_assert_eq!(sum, r.amount);
            prop_assert!(r.amount >= Euro::ZERO);
        }
    }

    #[test]
    fn pro_rata_never_exceeds_the_whole_year(day in 0u64..366) {
        let mut c = yearly(Price::Flat { amount: e("1867") });
        c.pro_rata = true;
        let list = one_item(vec![c]);
        let start = d("2028-01-01").checked_add_days(chrono::Days::new(day)).unwrap();
        let r = quote(&list, &QuoteInput {
            service: "X1", item: None, quantity: 1, population: None,
            activation: start, year: 2028,
        }).unwrap();
        prop_assert!(r.amount <= e("1867"));
        prop_assert!(r.amount > Euro::ZERO);
    }
}
