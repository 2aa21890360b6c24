#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use super::*;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn p(s: &str) -> Message {
    parse(
        s.as_bytes(),
        at("2026-12-04T12:00:00Z"),
        &SourceTime::default(),
    )
}

fn o(s: &str) -> Option<String> {
    Some(s.to_owned())
}

#[test]
fn rfc5424_full() {
    let m = p(concat!(
        r#"<165>1 2026-12-04T10:00:00.123456789+01:00 web01 sshd 1234 ID47 "#,
        r#"[exampleSDID@32473 iut="3" eventID="1011"][meta sequenceId="42"] "#,
        "\u{feff}Accepted password"
    ));
    assert_eq!(m.format, Format::Rfc5424);
    assert_eq!((m.facility, m.severity), (Some(20), Some(5)));
    assert_eq!(m.timestamp, Some(at("2026-12-04T09:00:00.123456Z")));
    assert_eq!(m.hostname, o("web01"));
    assert_eq!(m.app, o("sshd"));
    assert_eq!(m.procid, o("1234"));
    assert_eq!(m.msgid, o("ID47"));
    assert_eq!(
        m.structured_data,
        o(r#"[exampleSDID@32473 iut="3" eventID="1011"][meta sequenceId="42"]"#)
    );
    assert_eq!(m.sequence, Some(42));
    assert_eq!(m.body, "Accepted password");
    assert!(m.text.contains('\u{feff}'));
}

#[test]
fn rfc5424_nils_and_short() {
    let m = p("<34>1 - - - - - -");
    assert_eq!(m.format, Format::Rfc5424);
    assert_eq!(
        (m.timestamp, m.hostname.clone(), m.app.clone()),
        (None, None, None)
    );
    assert_eq!((m.structured_data.clone(), m.body.as_str()), (None, ""));
    let m = p("<34>1 - - - - - - msg here");
    assert_eq!(m.body, "msg here");
    let m = p("<34>1 2026-12-04T10:00:00Z host");
    assert_eq!(m.hostname, o("host"));
    assert_eq!((m.app, m.body.as_str()), (None, ""));
    let m = p("<34>1 yesterday host app - - - x");
    assert_eq!((m.timestamp, m.app), (None, o("app")));
    assert_eq!(m.body, "x");
}

#[test]
fn rfc5424_bad_sd_goes_to_body() {
    let m = p(r#"<34>1 - h a - - [x y="1" unterminated"#);
    assert_eq!(m.structured_data, None);
    assert_eq!(m.body, r#"[x y="1" unterminated"#);
    let m = p(r#"<34>1 - h a - - [x y="1"]junk rest"#);
    assert_eq!(m.structured_data, None);
    assert_eq!(m.body, r#"[x y="1"]junk rest"#);
    let m = p(r#"<34>1 - h a - - [x y="a\"]b"] rest"#);
    assert_eq!(m.structured_data, o(r#"[x y="a\"]b"]"#));
    assert_eq!(m.body, "rest");
}

#[test]
fn bsd_classic() {
    let m = p("<38>Dec  4 10:00:00 web01 sshd[1234]: Accepted password for alice");
    assert_eq!(m.format, Format::Rfc3164);
    assert_eq!((m.facility, m.severity), (Some(4), Some(6)));
    assert_eq!(m.timestamp, Some(at("2026-12-04T09:00:00Z")));
    assert_eq!(m.hostname, o("web01"));
    assert_eq!((m.app, m.procid), (o("sshd"), o("1234")));
    assert_eq!(m.body, "Accepted password for alice");
}

#[test]
fn bsd_without_host() {
    let m = p("<13>Dec 4 10:00:00 su: (to root) alice on pts/0");
    assert_eq!((m.hostname, m.app), (None, o("su")));
    assert_eq!(m.body, "(to root) alice on pts/0");
    let m = p("<13>Dec  4 10:00:00 php-fpm[99]: /index.php: Successful login");
    assert_eq!((m.hostname, m.app, m.procid), (None, o("php-fpm"), o("99")));
    assert_eq!(m.body, "/index.php: Successful login");
}

#[test]
fn bsd_variants() {
    let m = p("<189>Dec 4 2026 10:00:00 rtr1 hello");
    assert_eq!(m.timestamp, Some(at("2026-12-04T09:00:00Z")));
    assert_eq!((m.hostname, m.app), (o("rtr1"), None));
    assert_eq!(m.body, "hello");
    let m = p("<14>2026-12-04T10:00:00.123+01:00 host tag: msg");
    assert_eq!(m.timestamp, Some(at("2026-12-04T09:00:00.123Z")));
    assert_eq!((m.hostname, m.app), (o("host"), o("tag")));
    assert_eq!(m.body, "msg");
    let m = p("<189>000123: *Dec  4 10:00:00.123 CET: %SEC_LOGIN-5-LOGIN_SUCCESS: Login Success");
    assert_eq!(m.format, Format::Rfc3164);
    assert_eq!(m.timestamp, Some(at("2026-12-04T09:00:00.123Z")));
    assert_eq!((m.hostname, m.app), (None, None));
    assert_eq!(m.body, "%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success");
    let m = p("<189>57: 000123: *Mar  1 00:00:00.123: %SYS-5-CONFIG_I: x");
    assert_eq!(m.timestamp, Some(at("2026-02-28T23:00:00.123Z")));
    assert_eq!(m.body, "%SYS-5-CONFIG_I: x");
    let m = p("<189>31: rtr1: *Dec  4 10:00:00 UTC: %SYS-6-LOGOUT: User a");
    assert_eq!(m.hostname, o("rtr1"));
    assert_eq!(m.timestamp, Some(at("2026-12-04T10:00:00Z")));
    assert_eq!(m.body, "%SYS-6-LOGOUT: User a");
    let m = p("<13>Feb 30 10:00:00 host app: kept");
    assert_eq!((m.timestamp, m.format), (None, Format::Rfc3164));
    assert_eq!((m.hostname, m.app), (o("host"), o("app")));
    assert_eq!(m.body, "kept");
}

#[test]
fn fortigate_without_header() {
    let m =
        p(r#"<189>date=2026-12-04 time=10:00:00 devname="FGT60F" tz="+0100" logid="0100032001""#);
    assert_eq!(m.format, Format::Rfc3164);
    assert_eq!(m.timestamp, Some(at("2026-12-04T09:00:00Z")));
    assert_eq!(m.hostname, None);
    assert!(m.body.starts_with("date=2026-12-04"));
    let m = p(r#"<189>date=2026-12-04 time=10:00:00 devname="FGT60F""#);
    assert_eq!(m.timestamp, Some(at("2026-12-04T09:00:00Z")));
}

#[test]
fn unknown_and_odd_pri() {
    let m = p("just some text: here");
    assert_eq!(
        (m.format, m.facility, m.body.as_str()),
        (Format::Unknown, None, "just some text: here")
    );
    let m = p("Dec  4 10:00:00 host sshd[1]: no pri");
    assert_eq!((m.format, m.app), (Format::Rfc3164, o("sshd")));
    let m = p("<999>Dec  4 10:00:00 host app: big pri");
    assert_eq!(
        (m.format, m.facility, m.severity),
        (Format::Rfc3164, None, None)
    );
    let m = p("<999>whatever");
    assert_eq!(
        (m.format, m.body.as_str()),
        (Format::Unknown, "<999>whatever")
    );
    let m = p("<192>1 - h a - - - x");
    assert_eq!((m.format, m.facility), (Format::Rfc5424, None));
    let m = p("<13");
    assert_eq!(m.format, Format::Unknown);
    let m = p("<13>sshd[5]: tag only");
    assert_eq!(
        (m.format, m.app, m.body.as_str()),
        (Format::Rfc3164, o("sshd"), "tag only")
    );
}

#[test]
fn latin1_fallback() {
    let m = parse(
        b"<13>Dec  4 10:00:00 h app: citt\xe0",
        at("2026-12-04T12:00:00Z"),
        &SourceTime::default(),
    );
    assert!(m.latin1);
    assert_eq!(m.body, "città");
    assert_eq!(m.text, "<13>Dec  4 10:00:00 h app: città");
}

#[test]
fn serializes_format_lowercase() {
    let m = p("<13>1 - - - - - -");
    let s = format!("{:?}", m.format);
    assert_eq!(s, "Rfc5424");
}
