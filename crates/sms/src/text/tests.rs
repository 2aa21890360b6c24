use proptest::prelude::*;

use super::*;

fn count(t: &str) -> (Coding, usize, usize) {
    let s = split(t);
    (s.coding, s.length, s.parts.len())
}

#[test]
fn parts_as_the_networks_count_them() {
    let a = |n: usize| "a".repeat(n);
    let cases: Vec<(String, Coding, usize, usize)> = vec![
        (String::new(), Coding::Gsm7, 0, 1),
        (a(160), Coding::Gsm7, 160, 1),
        (a(161), Coding::Gsm7, 161, 2),
        (a(306), Coding::Gsm7, 306, 2),
        (a(307), Coding::Gsm7, 307, 3),
        // à è é ì ò ù are in the GSM alphabet: still 160.
        ("àèéìòù".repeat(26) + "àèéì", Coding::Gsm7, 160, 1),
        // € and [ ] count two.
        ("€".repeat(80), Coding::Gsm7, 160, 1),
        ("€".repeat(81), Coding::Gsm7, 162, 2),
        // An escape pair is never cut: 152 letters then € goes whole to the next part.
        (a(152) + "€" + &a(10), Coding::Gsm7, 164, 2),
        // È is not in the GSM alphabet: UCS-2, 70 per message, 67 per part.
        ("È".to_owned() + &a(69), Coding::Ucs2, 70, 1),
        ("È".to_owned() + &a(70), Coding::Ucs2, 71, 2),
        ("È".to_owned() + &a(133), Coding::Ucs2, 134, 2),
        ("È".to_owned() + &a(134), Coding::Ucs2, 135, 3),
        // An emoji is two UTF-16 units and is never cut.
        ("😀".repeat(35), Coding::Ucs2, 70, 1),
        (a(66) + "😀" + "x", Coding::Ucs2, 69, 1),
        (a(66) + "😀" + &a(10), Coding::Ucs2, 78, 2),
    ];
    for (t, coding, length, parts) in cases {
        assert_eq!(count(&t), (coding, length, parts), "{t:?}");
    }
}

#[test]
fn split_parts_hold_their_limits_and_join_back() {
    let s = split(&("b".repeat(152) + "€" + &"c".repeat(10)));
    assert_eq!(s.parts[0].len(), 152);
    assert_eq!(&s.parts[1][..3], &[0x1B, 0x65, 0x63]);
    let s = split(&("x".repeat(66) + "😀"));
    assert_eq!(s.parts.len(), 1);
    let s = split(&("x".repeat(68) + "😀" + "È"));
    assert_eq!(s.parts[0].len(), 134);
    assert_eq!(s.unicode, vec!['😀', 'È']);
}

#[test]
fn italian_text_stays_gsm() {
    let t = "Il Comune informa: domani, 12/01, l'ufficio anagrafe è chiuso. Più info: 049 820 1111 @ www.comune.it";
    let s = split(t);
    assert_eq!(s.coding, Coding::Gsm7);
    assert!(s.unicode.is_empty());
    assert_eq!(gsm_decode(&s.parts[0]), t);
}

proptest! {
    #[test]
    fn every_part_fits_and_nothing_is_lost(t in "[a-zA-Z0-9 àèéìòù€\\[\\]È😀]{0,400}") {
        let s = split(&t);
        let (alone, each) = s.coding.limits();
        let width = |p: &Vec<u8>| if s.coding == Coding::Gsm7 { p.len() } else { p.len() / 2 };
        if s.parts.len() == 1 {
            prop_assert!(width(&s.parts[0]) <= alone);
        } else {
            for p in &s.parts {
                prop_assert!(width(p) <= each);
            }
            // No part could have been avoided: the minimum for the units.
            prop_assert!(s.parts.len() >= s.length.div_ceil(each));
        }
        let joined: Vec<u8> = s.parts.concat();
        let back = match s.coding {
            Coding::Gsm7 => gsm_decode(&joined),
            Coding::Ucs2 => {
                let u: Vec<u16> = joined.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
                String::from_utf16(&u).unwrap()
            }
        };
        prop_assert_eq!(back, t);
    }
}
