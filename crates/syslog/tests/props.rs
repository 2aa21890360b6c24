//! Properties of framing and parsing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, LocalResult, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use syslog::frame::MAX_FRAME;
use syslog::{parse, Format, Framer, SourceTime};

/// One message and how it is framed.
#[derive(Debug, Clone)]
enum Framed {
    Counted(Vec<u8>),
    /// Message and terminator (`\n`, `\r\n` or NUL).
    Lf(Vec<u8>, &'static [u8]),
}

fn counted() -> impl Strategy<Value = Framed> {
    prop::collection::vec(any::<u8>(), 1..300).prop_map(|mut m| {
        // A closing LF or CR would be dropped by the framer.
        if let Some(l) = m.last_mut().filter(|l| matches!(**l, b'\n' | b'\r')) {
            *l = b'.';
        }
        Framed::Counted(m)
    })
}

fn lf() -> impl Strategy<Value = Framed> {
    let body = prop::collection::vec(any::<u8>(), 1..300).prop_map(|mut m| {
        for b in &mut m {
            if *b == b'\n' || *b == 0 {
                *b = b' ';
            }
        }
        // A digit first would mean octet counting; a CR last is dropped.
        if let Some(f) = m.first_mut().filter(|f| f.is_ascii_digit()) {
            *f = b'<';
        }
        if let Some(l) = m.last_mut().filter(|l| **l == b'\r') {
            *l = b'.';
        }
        m
    });
    let end = prop_oneof![Just(&b"\n"[..]), Just(&b"\r\n"[..]), Just(&b"\0"[..])];
    (body, end).prop_map(|(m, e)| Framed::Lf(m, e))
}

fn encode(msgs: &[Framed]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in msgs {
        match m {
            Framed::Counted(b) => {
                out.extend_from_slice(format!("{} ", b.len()).as_bytes());
                out.extend_from_slice(b);
            }
            Framed::Lf(b, e) => {
                out.extend_from_slice(b);
                out.extend_from_slice(e);
            }
        }
    }
    out
}

fn payload(m: &Framed) -> &[u8] {
    match m {
        Framed::Counted(b) | Framed::Lf(b, _) => b,
    }
}

/// Feeds `stream` cut at `cuts` and collects every frame, then `finish`.
fn run(stream: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut f = Framer::new();
    let mut out = Vec::new();
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (stream.len() + 1)).collect();
    points.push(0);
    points.push(stream.len());
    points.sort_unstable();
    for w in points.windows(2) {
        f.push(&stream[w[0]..w[1]]);
        while let Some(x) = f.next_frame().unwrap() {
            out.push(x.to_vec());
        }
        assert!(f.buffered() < MAX_FRAME + 8);
    }
    if let Some(x) = f.finish() {
        out.push(x.to_vec());
    }
    out
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

proptest! {
    #[test]
    fn framing_round_trips(
        msgs in prop::collection::vec(prop_oneof![counted(), lf()], 1..20),
        cuts in prop::collection::vec(any::<usize>(), 0..30),
        open_end in any::<bool>(),
    ) {
        let mut stream = encode(&msgs);
        // The last LF frame may come without terminator: `finish` returns it.
        if open_end {
            if let Some(Framed::Lf(_, e)) = msgs.last() {
                stream.truncate(stream.len() - e.len());
            }
        }
        let got = run(&stream, &cuts);
        let want: Vec<Vec<u8>> = msgs.iter().map(|m| payload(m).to_vec()).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn parse_keeps_text(raw in prop::collection::vec(any::<u8>(), 0..400)) {
        let m = parse(&raw, utc("2026-12-04T12:00:00Z"), &SourceTime::default());
        match std::str::from_utf8(&raw) {
            Ok(s) => {
                prop_assert_eq!(&m.text, s);
                prop_assert!(!m.latin1);
            }
            Err(_) => {
                let l: String = raw.iter().map(|&b| char::from(b)).collect();
                prop_assert_eq!(&m.text, &l);
                prop_assert!(m.latin1);
            }
        }
        prop_assert!(m.facility.is_none_or(|f| f <= 23));
    }

    #[test]
    fn parse_keeps_utf8_text(s in "\\PC{0,200}") {
        let m = parse(s.as_bytes(), utc("2026-12-04T12:00:00Z"), &SourceTime::default());
        prop_assert_eq!(m.text, s);
    }

    #[test]
    fn rfc5424_fields_round_trip(
        pri in 0u8..=191,
        ts in prop::option::of((946_684_800i64..4_102_444_800, 0u32..1_000_000, -840i32..=840, any::<bool>())),
        hostname in prop::option::of(field()),
        app in prop::option::of(field()),
        procid in prop::option::of(field()),
        msgid in prop::option::of(field()),
        sd in prop::option::of(prop::collection::vec(element(), 1..4)),
        msg in prop::option::of("\\PC{0,80}"),
        bom in any::<bool>(),
    ) {
        let nil = |f: &Option<String>| f.clone().unwrap_or_else(|| "-".to_owned());
        let (ts_text, ts_value) = match ts {
            None => ("-".to_owned(), None),
            Some((secs, micro, off_min, frac)) => {
                let micro = if frac { micro } else { 0 };
                let t = Utc.timestamp_opt(secs, micro * 1000).unwrap();
                let off = chrono::FixedOffset::east_opt(off_min * 60).unwrap();
                let local = t.with_timezone(&off);
                let text = match (frac, off_min) {
                    (true, 0) => local.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
                    (true, _) => local.format("%Y-%m-%dT%H:%M:%S%.6f%:z").to_string(),
                    (false, _) => local.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
                };
                (text, Some(t))
            }
        };
        let sd_text = sd.as_ref().map(|els| {
            els.iter().map(|(id, ps)| {
                let ps: String = ps.iter().map(|(k, v)| format!(" {k}=\"{}\"", escape(v))).collect();
                format!("[{id}{ps}]")
            }).collect::<String>()
        });
        let mut line = format!(
            "<{pri}>1 {ts_text} {} {} {} {} {}",
            nil(&hostname), nil(&app), nil(&procid), nil(&msgid),
            sd_text.clone().unwrap_or_else(|| "-".to_owned()),
        );
        if let Some(msg) = &msg {
            line.push(' ');
            if bom {
                line.push('\u{feff}');
            }
            line.push_str(msg);
        }
        let m = parse(line.as_bytes(), utc("2026-12-04T12:00:00Z"), &SourceTime::default());
        prop_assert_eq!(m.format, Format::Rfc5424);
        prop_assert_eq!(m.facility, Some(pri >> 3));
        prop_assert_eq!(m.severity, Some(pri & 7));
        prop_assert_eq!(m.timestamp, ts_value);
        prop_assert_eq!(m.hostname, hostname);
        prop_assert_eq!(m.app, app);
        prop_assert_eq!(m.procid, procid);
        prop_assert_eq!(m.msgid, msgid);
        prop_assert_eq!(m.structured_data, sd_text);
        let want = msg.unwrap_or_default();
        prop_assert_eq!(m.body, want);
        prop_assert_eq!(m.text, line);
    }

    /// A BSD timestamp (no year) within (received − 334 days, received + 31 days] reads back
    /// as the same instant, across New Year in particular.
    #[test]
    fn rfc3164_year_rule(
        received in 946_684_800i64..4_000_000_000,
        delta in (-334 * 86_400 + 1)..=(31 * 86_400i64),
        near_new_year in any::<bool>(),
        rome in any::<bool>(),
    ) {
        let mut received = Utc.timestamp_opt(received, 0).unwrap();
        if near_new_year {
            // Move the receive time to the last or first days of a year.
            let y = chrono::Datelike::year(&received);
            let ny = Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).unwrap();
            received = ny + Duration::seconds(delta.rem_euclid(10 * 86_400) - 5 * 86_400);
        }
        let t = received + Duration::seconds(delta);
        let zone: Tz = if rome { chrono_tz::Europe::Rome } else { chrono_tz::UTC };
        let local = t.with_timezone(&zone);
        let line = format!("<13>{} host app: x", local.format("%b %e %H:%M:%S"));
        let src = SourceTime { zone, year: None };
        let m = parse(line.as_bytes(), received, &src);
        prop_assert_eq!(m.format, Format::Rfc3164);
        let got = m.timestamp.unwrap();
        let ambiguous = matches!(
            zone.from_local_datetime(&local.naive_local()),
            LocalResult::Ambiguous(_, _)
        );
        if ambiguous {
            prop_assert!(got == t || got == t - Duration::hours(1));
        } else {
            prop_assert_eq!(got, t);
        }
        prop_assert_eq!(m.hostname.as_deref(), Some("host"));
    }
}

/// A RFC 5424 header field (PRINTUSASCII, not the nil value).
fn field() -> impl Strategy<Value = String> {
    "[!-~]{1,24}".prop_filter("nil", |s| s != "-")
}

/// An SD element: SD-ID and params with any value.
fn element() -> impl Strategy<Value = (String, Vec<(String, String)>)> {
    (
        "[a-zA-Z0-9._@-]{1,16}",
        prop::collection::vec(("[a-zA-Z0-9._-]{1,12}", "\\PC{0,20}"), 0..4),
    )
}

fn escape(v: &str) -> String {
    let mut out = String::new();
    for c in v.chars() {
        if matches!(c, '"' | '\\' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[test]
fn sequence_id_is_read() {
    let m = parse(
        br#"<14>1 - h a - - [meta sequenceId="7" sysUpTime="1"] x"#,
        utc("2026-12-04T12:00:00Z"),
        &SourceTime::default(),
    );
    assert_eq!(m.sequence, Some(7));
}

#[test]
fn format_serializes_lowercase() {
    assert_eq!(
        serde_json::to_string(&Format::Rfc5424).unwrap(),
        "\"rfc5424\""
    );
    assert_eq!(
        serde_json::to_string(&Format::Rfc3164).unwrap(),
        "\"rfc3164\""
    );
    assert_eq!(
        serde_json::to_string(&Format::Unknown).unwrap(),
        "\"unknown\""
    );
}
