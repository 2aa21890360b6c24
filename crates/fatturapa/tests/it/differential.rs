//! Differential test: random edits of valid documents (a value replaced, an element
//! removed, repeated or moved) must get the same verdict from xmllint and from our
//! validator: ours accepts exactly what the reference accepts.

use proptest::prelude::*;

use crate::common::*;

/// Values that sit on or near the edges of the schema's types.
const VALUES: &[&str] = &[
    "",
    " ",
    "0",
    "1",
    "-1",
    "22",
    "22.00",
    "22.0",
    "100.00",
    "100.01",
    "-0.01",
    "1.5",
    "12345678901.00",
    "123456789012.00",
    "0.00000001",
    "9999",
    "10000",
    "1970-01-01",
    "1969-12-31",
    "2024-02-29",
    "2025-02-29",
    "2026-01-15T10:00:00",
    "IT",
    "it",
    "ITA",
    "EUR",
    "eur",
    "TD01",
    "TD04",
    "TD30",
    "N1",
    "N2",
    "N2.1",
    "N2.3",
    "N6.9",
    "N7",
    "S",
    "I",
    "D",
    "X",
    "SI",
    "NO",
    "SU",
    "LN",
    "MP05",
    "MP24",
    "TP02",
    "RF01",
    "RF03",
    "UF7R3K",
    "UF7R3",
    "UF7R3K1",
    "uf7r3k",
    "47121",
    "4712",
    "AB",
    "ABC",
    "Città",
    "€",
    "a\tb",
    "  spazi  ",
    "x@y.it",
    "IT60X0542811101000000123456",
    "Z1A2B3C4D5",
    "&amp;",
    "&lt;x&gt;",
];

#[derive(Debug, Clone)]
enum Edit {
    Value(usize, usize),
    Remove(usize),
    Repeat(usize),
    Swap(usize),
    Long(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), 0..VALUES.len()).prop_map(|(i, v)| Edit::Value(i, v)),
        2 => any::<usize>().prop_map(Edit::Remove),
        2 => any::<usize>().prop_map(Edit::Repeat),
        1 => any::<usize>().prop_map(Edit::Swap),
        1 => (any::<usize>(), 1usize..1100).prop_map(|(i, n)| Edit::Long(i, n)),
    ]
}

/// Applies an edit to the pretty-printed document (one element or tag per line).
fn apply(xml: &str, e: &Edit) -> String {
    let mut lines: Vec<String> = xml.lines().map(str::to_owned).collect();
    let leaves: Vec<usize> = (0..lines.len())
        .filter(|i| lines[*i].trim_start().starts_with('<') && lines[*i].contains("</"))
        .collect();
    let leaf = |i: usize| leaves[i % leaves.len()];
    let set_text = |line: &str, text: &str| {
        let open_end = line.find('>').unwrap() + 1;
        let close = line.rfind("</").unwrap();
        format!("{}{}{}", &line[..open_end], text, &line[close..])
    };
    match e {
        Edit::Value(i, v) => {
            let k = leaf(*i);
            lines[k] = set_text(&lines[k], VALUES[*v]);
        }
        Edit::Long(i, n) => {
            let k = leaf(*i);
            lines[k] = set_text(&lines[k], &"A".repeat(*n));
        }
        Edit::Remove(i) => {
            lines.remove(leaf(*i));
        }
        Edit::Repeat(i) => {
            let k = leaf(*i);
            let copy = lines[k].clone();
            lines.insert(k, copy);
        }
        Edit::Swap(i) => {
            // Two neighbouring lines inside the root (the declaration and root stay put).
            let k = 2 + i % (lines.len() - 4);
            lines.swap(k, k + 1);
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn same_verdict_as_xmllint(which in 0usize..4, edits in prop::collection::vec(edit(), 1..3)) {
        let inv = match which {
            0 => split_payment_invoice(),
            1 => mixed_invoice(),
            2 => credit_note(),
            _ => non_latin_invoice(),
        };
        let mut xml = fatturapa::to_xml(&inv).unwrap();
        for e in &edits {
            xml = apply(&xml, e);
        }
        let reference = xmllint(&xml);
        let ours = fatturapa::validate(&xml);
        prop_assert_eq!(
            reference.is_ok(),
            ours.is_ok(),
            "edits {:?}\nxmllint: {:?}\nours: {:?}\n{}",
            edits,
            reference,
            ours,
            xml
        );
    }
}
