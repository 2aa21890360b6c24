use proptest::prelude::*;

use super::*;

const A: i64 = 1;
const B: i64 = 2;
const C: i64 = 3;

fn limits(seats: u32) -> Limits {
    Limits {
        seats,
        per_entity: 2,
        min_participants: 5,
    }
}

/// Signs up `who` one after the other while open, as the store does.
fn sign_up(l: Limits, who: &[i64]) -> Vec<Seat> {
    let mut seats = Vec::new();
    for &e in who {
        let standing = place(l, &seats, e);
        seats.push(Seat {
            entity_id: e,
            standing,
        });
    }
    seats
}

fn standings(seats: &[Seat]) -> String {
    seats
        .iter()
        .map(|s| match s.standing {
            Standing::Admitted => 'A',
            Standing::Waiting => 'w',
            Standing::Withdrawn => '-',
        })
        .collect()
}

#[test]
fn sign_up_order_and_the_limit_per_entity() {
    // (seats, entities in sign-up order, expected standings)
    let cases: &[(u32, &[i64], &str)] = &[
        (10, &[A, A, A, B], "AAwA"),
        (3, &[A, B, C, C], "AAAw"),
        (2, &[A, A, B], "AAw"),
        (5, &[A, B, A, B, A, B, C], "AAAAwwA"),
        (1, &[A, B], "Aw"),
        (0, &[A], "w"),
    ];
    for (seats, who, want) in cases {
        let got = sign_up(limits(*seats), who);
        assert_eq!(standings(&got), *want, "seats {seats}, {who:?}");
    }
}

#[test]
fn closing_admits_the_waiting_in_order_whatever_their_entity() {
    let l = limits(6);
    let seats = sign_up(l, &[A, A, A, A, B, A, B]);
    assert_eq!(standings(&seats), "AAwwAwA");
    let c = close(l, &seats);
    // Four admitted, two seats left: the first two waiting, in order (both of A).
    assert_eq!(c.admitted, vec![2, 3]);
    assert!(c.runs);
}

#[test]
fn a_course_with_fewer_than_the_minimum_is_cancelled() {
    let l = limits(20);
    let four = sign_up(l, &[A, A, B, B]);
    assert!(!close(l, &four).runs);
    let five = sign_up(l, &[A, A, B, B, C]);
    assert!(close(l, &five).runs);
    // The waiting ones count once admitted at closing.
    let waiting = sign_up(l, &[A, A, A, A, A]);
    assert_eq!(standings(&waiting), "AAwww");
    assert!(close(l, &waiting).runs);
}

#[test]
fn a_withdrawal_gives_the_seat_to_the_first_eligible_waiting() {
    let l = limits(3);
    let mut seats = sign_up(l, &[A, A, A, B, C]);
    assert_eq!(standings(&seats), "AAwAw");
    // One of A's withdraws: while open, A's third person (waiting for the limit) is first.
    seats[0].standing = Standing::Withdrawn;
    assert_eq!(promote(l, &seats, false), vec![2]);
    // B withdraws instead: C (waiting for a seat) comes before nobody else eligible.
    let mut seats = sign_up(l, &[A, A, A, B, C]);
    seats[3].standing = Standing::Withdrawn;
    assert_eq!(promote(l, &seats, false), vec![4]);
    // After closing, order alone decides.
    assert_eq!(promote(l, &seats, true), vec![2]);
}

#[test]
fn entries_then_extra_entries_and_excused_absences() {
    use Attendance::*;
    let p = |a| Participation { attendance: a };
    let cases: &[(u32, &[Attendance], &[Use])] = &[
        (
            2,
            &[Present, Absent, Present],
            &[Use::Entry, Use::Entry, Use::Extra],
        ),
        (
            2,
            &[Excused, Present, Unknown],
            &[Use::Nothing, Use::Entry, Use::Entry],
        ),
        (0, &[Present, Excused], &[Use::Extra, Use::Nothing]),
        (5, &[], &[]),
    ];
    for (entries, att, want) in cases {
        let ps: Vec<Participation> = att.iter().map(|a| p(*a)).collect();
        assert_eq!(uses(*entries, &ps), *want, "{entries} entries, {att:?}");
    }
}

#[test]
fn extra_price_is_twenty_percent_off_to_the_cent() {
    let cases = [
        (10_000, 8_000),
        (12_345, 9_876),
        (1, 1),
        (2, 2),
        (3, 2),
        (0, 0),
    ];
    for (full, want) in cases {
        assert_eq!(extra_price(Euro::from_cents(full)).cents(), want, "{full}");
    }
}

#[test]
fn an_ltt_session_split_among_the_participants() {
    let total = Euro::from_cents(150_000);
    // 15 people: 7, 5, 3 → 700, 500, 300 €.
    let s = split(total, &[(A, 7), (B, 5), (C, 3)]);
    assert_eq!(
        s,
        vec![
            (A, Euro::from_cents(70_000)),
            (B, Euro::from_cents(50_000)),
            (C, Euro::from_cents(30_000))
        ]
    );
    // 7 people: 1500/7 = 214.2857… each; the cents left go to the largest remainders.
    let s = split(total, &[(A, 3), (B, 2), (C, 2)]);
    assert_eq!(
        s,
        vec![
            (A, Euro::from_cents(64_286)),
            (B, Euro::from_cents(42_857)),
            (C, Euro::from_cents(42_857))
        ]
    );
    assert_eq!(split(total, &[(A, 0)]), vec![]);
}

fn arb_who() -> impl Strategy<Value = Vec<i64>> {
    prop::collection::vec(1i64..5, 0..40)
}

proptest! {
    #[test]
    fn seats_limits_and_order_always_hold(
        who in arb_who(),
        seats in 0u32..20,
        per_entity in 1u32..4,
        withdraw in prop::collection::vec(0usize..40, 0..10),
    ) {
        let l = Limits { seats, per_entity, min_participants: 5 };
        let mut s = sign_up(l, &who);
        for w in withdraw {
            if w < s.len() {
                let was = s[w].standing;
                s[w].standing = Standing::Withdrawn;
                if was == Standing::Admitted {
                    for i in promote(l, &s, false) {
                        s[i].standing = Standing::Admitted;
                    }
                }
            }
        }
        // Never more admitted than seats; while open, never more than the limit per entity.
        prop_assert!(admitted(&s) <= seats);
        for e in 1..5 {
            prop_assert!(admitted_of(&s, e) <= per_entity);
        }
        // Nobody eligible waits while a seat is free.
        prop_assert!(promote(l, &s, false).is_empty());
        // At closing: the seats fill up in order, and nobody who was admitted loses the seat.
        let c = close(l, &s);
        let before = admitted(&s);
        for &i in &c.admitted {
            prop_assert_eq!(s[i].standing, Standing::Waiting);
        }
        let waiting = s.iter().filter(|x| x.standing == Standing::Waiting).count();
        let expect = waiting.min((seats - before) as usize);
        prop_assert_eq!(c.admitted.len(), expect);
        // The ones admitted at closing are the first waiting ones.
        let first: Vec<usize> = s.iter().enumerate()
            .filter(|(_, x)| x.standing == Standing::Waiting)
            .map(|(i, _)| i).take(expect).collect();
        prop_assert_eq!(&c.admitted, &first);
        prop_assert_eq!(c.runs, before as usize + expect >= 5);
    }

    #[test]
    fn a_later_sign_up_never_passes_an_earlier_one_of_the_same_standing_reason(
        who in arb_who(), seats in 1u32..15,
    ) {
        let l = Limits { seats, per_entity: 2, min_participants: 5 };
        let s = sign_up(l, &who);
        // If someone waits and their entity has fewer than 2 admitted, no later sign-up was
        // admitted: they wait only because the seats were gone.
        for (i, x) in s.iter().enumerate() {
            if x.standing == Standing::Waiting && admitted_of(&s[..i], x.entity_id) < 2 {
                prop_assert!(s[i..].iter().all(|y| y.standing != Standing::Admitted));
            }
        }
    }

    #[test]
    fn shares_add_up_to_the_total(
        cents in 0i64..10_000_000,
        people in prop::collection::vec((1i64..100, 0u32..16), 0..10),
    ) {
        let s = split(Euro::from_cents(cents), &people);
        let all: u32 = people.iter().map(|p| p.1).sum();
        let sum: i64 = s.iter().map(|x| x.1.cents()).sum();
        if all > 0 {
            prop_assert_eq!(sum, cents);
            for ((_, share), (_, n)) in s.iter().zip(people.iter().filter(|p| p.1 > 0)) {
                // Each share is within a cent of the exact one.
                let exact = cents as f64 * f64::from(*n) / f64::from(all);
                prop_assert!((share.cents() as f64 - exact).abs() < 1.0);
            }
        } else {
            prop_assert!(s.is_empty());
        }
    }

    #[test]
    fn entries_used_never_exceed_entries(
        entries in 0u32..10,
        att in prop::collection::vec(0u8..4, 0..30),
    ) {
        let ps: Vec<Participation> = att.iter().map(|a| Participation { attendance: match a {
            0 => Attendance::Unknown, 1 => Attendance::Present, 2 => Attendance::Absent,
            _ => Attendance::Excused } }).collect();
        let u = uses(entries, &ps);
        let used = u.iter().filter(|x| **x == Use::Entry).count();
        let extra = u.iter().filter(|x| **x == Use::Extra).count();
        let counting = ps.iter().filter(|p| p.attendance.counts()).count();
        prop_assert_eq!(used, counting.min(entries as usize));
        prop_assert_eq!(used + extra, counting);
        // Extras come only after every entry is used.
        if let Some(first_extra) = u.iter().position(|x| *x == Use::Extra) {
            prop_assert!(u[first_extra..].iter().all(|x| *x != Use::Entry));
        }
    }
}
