#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn padova() -> PriceLists {
    PriceLists(vec![catalog::service::padova::price_list().unwrap()])
}

fn service(id: i64, code: &str, item: &str, activation: NaiveDate, quantity: u32) -> ServiceFacts {
    ServiceFacts {
        id,
        service: code.into(),
        item: item.into(),
        activation,
        periods: vec![Period {
            from: activation,
            to: None,
            quantity,
        }],
    }
}

const RATES: Rates = Rates {
    day_rate: Some(Euro::from_cents(28_800)),
    call_out_fee: Some(Euro::from_cents(3_000)),
};

#[test]
fn a_web_site_bills_its_one_off_in_the_activation_year_and_its_fee_from_the_second() {
    let lists = padova();
    let mut f = Facts {
        year: 2026,
        population: Some(7_500),
        membership: Some(("7.500 ab.".into(), Euro::from_cents(125_000))),
        services: vec![service(7, "PD06", "sito", d(2026, 3, 1), 1)],
        ..Facts::default()
    };
    let c = charges(&f, &lists, &RATES).unwrap();
    let keys: Vec<&str> = c.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, ["quota:2026", "servizio:7:una-tantum"]);
    assert_eq!(c[1].amount, Euro::from_cents(200_000));
    assert_eq!(net(&c).unwrap(), Euro::from_cents(325_000));
    f.year = 2027;
    f.membership = None;
    let c = charges(&f, &lists, &RATES).unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].key, "servizio:7:2027");
    assert_eq!(c[0].amount, Euro::from_cents(15_000));
    assert_eq!(c[0].source, "/api/v1/active-services/7");
}

#[test]
fn an_increase_is_due_for_the_year_a_decrease_from_the_next() {
    let mut s = service(3, "PD11", "pec-standard", d(2025, 1, 10), 10);
    s.periods[0].to = Some(d(2026, 6, 30));
    s.periods.push(Period {
        from: d(2026, 7, 1),
        to: Some(d(2026, 9, 30)),
        quantity: 20,
    });
    s.periods.push(Period {
        from: d(2026, 10, 1),
        to: None,
        quantity: 4,
    });
    assert_eq!(quantity_in_year(&s.periods, 2026), Some(20));
    assert_eq!(quantity_in_year(&s.periods, 2027), Some(4));
    assert_eq!(quantity_in_year(&s.periods, 2024), None);
    let f = Facts {
        year: 2026,
        services: vec![s],
        ..Facts::default()
    };
    let c = charges(&f, &padova(), &RATES).unwrap();
    assert_eq!(c[0].amount, Euro::from_cents(20 * 750));
}

#[test]
fn work_is_billed_by_the_day_and_only_when_not_covered() {
    let w = |id, minutes, mode, call_out, remote_over_30, covered, warranty| WorkFacts {
        id,
        date: d(2026, 5, 4),
        minutes,
        mode,
        covered,
        warranty,
        call_out,
        remote_over_30,
    };
    let f = Facts {
        year: 2026,
        work: vec![
            // 3 hours on site with a call-out: half a day and the fee.
            w(1, 180, Mode::Onsite, true, false, false, false),
            // 2 hours remote: a quarter of a day.
            w(2, 120, Mode::Remote, false, true, false, false),
            // Short remote assistance, on-site work with visits included, warranty, package.
            w(3, 25, Mode::Remote, false, false, false, false),
            w(4, 60, Mode::Onsite, false, false, false, false),
            w(5, 120, Mode::Remote, false, true, false, true),
            w(6, 120, Mode::Onsite, true, false, true, false),
        ],
        ..Facts::default()
    };
    let c = charges(&f, &padova(), &RATES).unwrap();
    let got: Vec<(&str, i64)> = c
        .iter()
        .map(|c| (c.key.as_str(), c.amount.cents()))
        .collect();
    assert_eq!(
        got,
        [
            ("intervento:1", 14_400),
            ("intervento:1:uscita", 3_000),
            ("intervento:2", 7_200)
        ]
    );
    assert!(c[0].text.contains("0,50 giornate"), "{}", c[0].text);
}

#[test]
fn a_package_bills_its_days_and_its_overage() {
    let f = Facts {
        year: 2026,
        packages: vec![PackageFacts {
            id: 4,
            service: "PD15".into(),
            item: "avanzato".into(),
            year: 2026,
            quantity: 10,
            hours: false,
            overage: Euro::from_cents(58_950),
            beyond: 150,
        }],
        ..Facts::default()
    };
    let c = charges(&f, &padova(), &RATES).unwrap();
    assert_eq!(c[0].key, "pacchetto:4");
    assert_eq!(c[0].amount, Euro::from_cents(393_000));
    assert!(!c[0].text.contains("stima"), "{}", c[0].text);
    assert_eq!(c[1].key, "pacchetto:4:oltre");
    assert!(c[1].text.contains("1,50 giornate"), "{}", c[1].text);
}

#[test]
fn reconcile_bills_what_is_new_adjusts_what_changed_and_reverses_what_went() {
    let charge = |key: &str, cents| Charge {
        key: key.into(),
        kind: LineKind::Work,
        text: key.into(),
        amount: Euro::from_cents(cents),
        source: String::new(),
        service: String::new(),
        item: String::new(),
        adjusts: false,
    };
    let billed = |c: &Charge| Billed {
        amount: c.amount,
        text: c.text.clone(),
        kind: c.kind,
        source: c.source.clone(),
        service: String::new(),
        item: String::new(),
    };
    let before = [charge("a", 100), charge("b", 200), charge("c", 300)];
    let done: BTreeMap<String, Billed> =
        before.iter().map(|c| (c.key.clone(), billed(c))).collect();
    assert!(reconcile(&before, &done).is_empty());
    let now = [charge("a", 100), charge("b", 250), charge("d", 40)];
    let left = reconcile(&now, &done);
    let got: Vec<(&str, i64, bool)> = left
        .iter()
        .map(|c| (c.key.as_str(), c.amount.cents(), c.adjusts))
        .collect();
    assert_eq!(got, [("b", 50, true), ("d", 40, false), ("c", -300, true)]);
    assert!(left[2].text.starts_with("Storno"));
}

/// A random service of the Padova list without metered parts (those bill from readings).
fn any_service() -> impl Strategy<Value = ServiceFacts> {
    let items = [
        ("PD05", "pacchetto"),
        ("PD05", "posta-pro"),
        ("PD06", "sito"),
        ("PD07", "base"),
        ("PD08", "base"),
        ("PD09", "postazione"),
        ("PD11", "pec-standard"),
        ("PD11", "pec-dominio"),
        ("PD11", "firma-businesskey"),
        ("PD12", "base"),
        ("PD13", "avanzato"),
        ("PD14", "base"),
        ("PD16", "base"),
        ("PD17", "base"),
        ("PD18", "base"),
        ("PD19", "base"),
    ];
    (
        0..items.len(),
        1u32..40,
        2021i32..2029,
        1u32..13,
        1u32..28,
        1i64..1000,
    )
        .prop_map(move |(i, q, y, m, day, id)| {
            let (s, it) = items[i];
            service(id, s, it, d(y, m, day), q)
        })
}

fn facts(year: i32, services: Vec<ServiceFacts>) -> Facts {
    Facts {
        year,
        population: Some(4_321),
        membership: Some(("fascia".into(), Euro::from_cents(96_000))),
        services,
        ..Facts::default()
    }
}

proptest! {
    /// The net of a year is the membership fee plus the quote of each service for the year.
    #[test]
    fn the_net_is_the_fee_plus_each_services_quote(
        services in proptest::collection::vec(any_service(), 0..8),
        year in 2021i32..2031,
    ) {
        let lists = padova();
        let mut services = services;
        for (i, s) in services.iter_mut().enumerate() {
            s.id = i as i64 + 1;
        }
        let f = facts(year, services.clone());
        let c = charges(&f, &lists, &RATES).unwrap();
        let mut expected = Euro::from_cents(96_000);
        for s in services.iter().filter(|s| s.activation.year() <= year) {
            let list = lists.on(fees::pricing_date(s.activation, year)).unwrap();
            let q = fees::quote(list, &QuoteInput {
                service: &s.service,
                item: Some(&s.item),
                quantity: s.periods[0].quantity,
                population: f.population,
                activation: s.activation,
                year,
            }).unwrap();
            expected = expected + q.amount;
        }
        prop_assert_eq!(net(&c).unwrap(), expected);
        // Keys are unique within the year.
        let mut keys: Vec<&String> = c.iter().map(|c| &c.key).collect();
        keys.sort();
        keys.dedup();
        prop_assert_eq!(keys.len(), c.len());
    }

    /// A one-off is billed in exactly one year of the service's life.
    #[test]
    fn a_one_off_is_billed_in_exactly_one_year(s in any_service()) {
        let lists = padova();
        let has_one_off = lists.0[0]
            .item(&s.service, Some(&s.item))
            .unwrap()
            .components
            .iter()
            .any(|c| c.when == When::OneOff);
        let years: Vec<i32> = (2020..2035)
            .filter(|y| {
                charges(&facts(*y, vec![s.clone()]), &lists, &RATES)
                    .unwrap()
                    .iter()
                    .any(|c| c.kind == LineKind::OneOff)
            })
            .collect();
        if has_one_off {
            prop_assert_eq!(years, vec![s.activation.year()]);
        } else {
            prop_assert!(years.is_empty());
        }
    }

    /// Billing what is left, then running again, leaves nothing; and whatever was billed
    /// before, billed plus what is left equals the charges key by key.
    #[test]
    fn running_twice_changes_nothing(
        services in proptest::collection::vec(any_service(), 0..6),
        old in proptest::collection::vec((0usize..6, -50_000i64..50_000), 0..6),
        year in 2024i32..2029,
    ) {
        let lists = padova();
        let mut services = services;
        for (i, s) in services.iter_mut().enumerate() {
            s.id = i as i64 + 1;
        }
        let c = charges(&facts(year, services), &lists, &RATES).unwrap();
        // What an earlier run billed: some keys at other amounts, some keys gone since.
        let mut billed: BTreeMap<String, Billed> = BTreeMap::new();
        for (i, cents) in old {
            let key = c.get(i).map_or_else(|| format!("vecchio:{i}"), |c| c.key.clone());
            billed.insert(key.clone(), Billed {
                amount: Euro::from_cents(cents),
                text: key,
                kind: LineKind::Yearly,
                source: String::new(),
                service: String::new(),
                item: String::new(),
            });
        }
        let left = reconcile(&c, &billed);
        for l in &left {
            let b = billed.entry(l.key.clone()).or_insert(Billed {
                amount: Euro::ZERO,
                text: l.text.clone(),
                kind: l.kind,
                source: String::new(),
                service: String::new(),
                item: String::new(),
            });
            b.amount = b.amount + l.amount;
        }
        prop_assert!(reconcile(&c, &billed).is_empty());
        for ch in &c {
            prop_assert_eq!(billed[&ch.key].amount, ch.amount);
        }
    }
}
