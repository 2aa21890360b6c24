//! Every line of `samples/<family>.log` against the same line of `samples/<family>.expect`:
//! `-` for no access event, else a JSON object with the event's non-null fields (any field it
//! leaves out must be null).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;
use syslog::{extract, parse, Format, SourceTime};

const FAMILIES: [&str; 11] = [
    "sshd",
    "sudo",
    "su",
    "login",
    "windows",
    "esxi",
    "vcenter",
    "cisco-ios",
    "fortigate",
    "pfsense",
    "noise",
];

fn received() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-04T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Problems found in one family's sample, one line each.
fn check(family: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/samples");
    let raw = lines(&dir.join(format!("{family}.log")));
    let exp = lines(&dir.join(format!("{family}.expect")));
    assert_eq!(
        raw.len(),
        exp.len(),
        "{family}: .log and .expect differ in length"
    );
    assert!(!raw.is_empty(), "{family}: no samples");
    let mut bad = Vec::new();
    for (i, (line, want)) in raw.iter().zip(&exp).enumerate() {
        let at = format!("{family}.log:{}", i + 1);
        let m = parse(line.as_bytes(), received(), &SourceTime::default());
        assert_eq!(m.text, *line, "{at}: text must round-trip");
        // Every sample with PRI has a header that must be read, timestamp included.
        if line.starts_with('<') && (m.format == Format::Unknown || m.timestamp.is_none()) {
            bad.push(format!("{at}: header not read: {m:?}"));
        }
        let got = extract(&m).map(|e| serde_json::to_value(e).unwrap());
        match (want.as_str(), got) {
            ("-", None) => {}
            ("-", Some(g)) => bad.push(format!("{at}: expected no event, got {g}")),
            (w, None) => bad.push(format!("{at}: expected {w}, got none")),
            (w, Some(g)) => {
                let w: Value = serde_json::from_str(w).unwrap_or_else(|e| panic!("{at}: {e}"));
                let (Value::Object(w), Value::Object(g)) = (&w, &g) else {
                    panic!("{at}: not objects");
                };
                let same = g.iter().all(|(k, v)| w.get(k).unwrap_or(&Value::Null) == v)
                    && w.keys().all(|k| g.contains_key(k));
                if !same {
                    bad.push(format!(
                        "{at}:\n  expected {}\n  got      {}",
                        Value::Object(w.clone()),
                        Value::Object(g.clone())
                    ));
                }
            }
        }
    }
    bad
}

#[test]
fn every_sample_line_gives_its_expected_event() {
    let bad: Vec<String> = FAMILIES.iter().flat_map(|f| check(f)).collect();
    assert!(
        bad.is_empty(),
        "{} sample lines wrong:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn every_sample_file_is_listed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/samples");
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        let stem = name.trim_end_matches(".log").trim_end_matches(".expect");
        assert!(FAMILIES.contains(&stem), "{name} is not read by the test");
    }
}
