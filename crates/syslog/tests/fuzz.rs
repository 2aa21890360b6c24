//! Bounded fuzzing: random bytes and mutated sample lines through `Framer`, `parse` and
//! `extract`. Nothing may panic and the framer never holds more than `MAX_FRAME` plus one push.
//! Cases: `PROPTEST_CASES` (default 2,000); CI can raise it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::LazyLock;

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use syslog::frame::MAX_FRAME;
use syslog::{extract, parse, Framer, SourceTime};

static SAMPLES: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/samples");
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "log") {
            let text = std::fs::read(&p).unwrap();
            out.extend(
                text.split(|&b| b == b'\n')
                    .filter(|l| !l.is_empty())
                    .map(<[u8]>::to_vec),
            );
        }
    }
    out
});

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}

#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, u8),
    Delete(usize),
    Replace(usize, u8),
    Truncate(usize),
    /// Copy a piece of the line to another place.
    Splice(usize, usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let byte = prop_oneof![
        any::<u8>(),
        prop::sample::select(b" :[]<>\"'=\\-%0123456789\t\r\n\0".to_vec()),
    ];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), byte).prop_map(|(i, b)| Edit::Replace(i, b)),
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), any::<usize>(), any::<usize>())
            .prop_map(|(a, b, c)| Edit::Splice(a, b, c)),
    ]
}

fn apply(mut line: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let n = line.len();
        match *e {
            Edit::Insert(i, b) => line.insert(i % (n + 1), b),
            Edit::Delete(i) if n > 0 => {
                line.remove(i % n);
            }
            Edit::Replace(i, b) if n > 0 => line[i % n] = b,
            Edit::Truncate(i) => line.truncate(i % (n + 1)),
            Edit::Splice(a, len, to) if n > 0 => {
                let a = a % n;
                let piece = line[a..(a + len % 40).min(n)].to_vec();
                let to = to % (n + 1);
                line.splice(to..to, piece);
            }
            _ => {}
        }
    }
    line
}

fn input() -> impl Strategy<Value = Vec<u8>> {
    let mutated = (0..SAMPLES.len(), prop::collection::vec(edit(), 0..8))
        .prop_map(|(i, edits)| apply(SAMPLES[i].clone(), &edits));
    prop_oneof![
        4 => mutated,
        2 => prop::collection::vec(any::<u8>(), 0..512),
        1 => "\\PC{0,300}".prop_map(String::into_bytes),
        1 => (0usize..64, any::<u8>()).prop_map(|(extra, b)| {
            // A LF frame longer than MAX_FRAME.
            let fill = if b == b'\n' || b == 0 || b.is_ascii_digit() { b'x' } else { b };
            let mut v = vec![fill; MAX_FRAME + extra];
            v.push(b'\n');
            v
        }),
    ]
}

fn received() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 0).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn nothing_panics(
        inputs in prop::collection::vec(input(), 1..6),
        cuts in prop::collection::vec(1usize..2000, 1..10),
        rome in any::<bool>(),
        year in prop::option::of(1990i32..2100),
    ) {
        let zone = if rome { chrono_tz::Europe::Rome } else { chrono_tz::America::New_York };
        let src = SourceTime { zone, year };
        for raw in &inputs {
            let m = parse(raw, received(), &src);
            let _ = extract(&m);
        }
        // The same bytes as one stream, pushed in pieces of the sizes in `cuts`.
        let stream: Vec<u8> = inputs.iter().flat_map(|i| i.iter().copied().chain([b'\n'])).collect();
        let mut f = Framer::new();
        let mut at = 0;
        let mut k = 0;
        'feed: while at < stream.len() {
            let n = cuts[k % cuts.len()].min(stream.len() - at);
            k += 1;
            let held = f.buffered();
            f.push(&stream[at..at + n]);
            at += n;
            prop_assert!(f.buffered() <= held + n);
            loop {
                match f.next_frame() {
                    Ok(Some(frame)) => {
                        prop_assert!(!frame.is_empty() && frame.len() <= MAX_FRAME);
                        let m = parse(frame, received(), &src);
                        let _ = extract(&m);
                    }
                    Ok(None) => break,
                    Err(_) => break 'feed,
                }
            }
            prop_assert!(f.buffered() < MAX_FRAME + 8);
        }
        if let Some(rest) = f.finish() {
            prop_assert!(rest.len() <= MAX_FRAME + 8);
        }
    }
}
