//! The agenda in iCalendar (RFC 5545) and its e-mail form (iMIP, RFC 6047): a person's feed
//! (`PUBLISH`), an invitation or its change (`REQUEST`), a cancellation (`CANCEL`), and an
//! invitee's answer read back (`REPLY`). Times carry Rome's time zone, described in the file,
//! so a calendar program repeats a 9:00 meeting at 9:00 on both sides of a clock change.

use chrono::{Duration, NaiveDate};
use kernel::ical::{fold, lines, text, unescape};

use crate::store::events::Event;

/// Europe/Rome since 1996 (the EU rule: last Sunday of March and of October).
const VTIMEZONE: [&str; 18] = [
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Rome",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
    "",
];

fn head(out: &mut String, method: &str, name: Option<&str>) {
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//cst//Agenda//IT",
        "CALSCALE:GREGORIAN",
        &format!("METHOD:{method}"),
    ] {
        out.push_str(&fold(l));
    }
    if let Some(n) = name {
        out.push_str(&fold(&format!("X-WR-CALNAME:{}", text(n))));
        out.push_str(&fold("X-WR-TIMEZONE:Europe/Rome"));
    }
    for l in VTIMEZONE.iter().filter(|l| !l.is_empty()) {
        out.push_str(&fold(l));
    }
}

fn compact(local: &str) -> String {
    local.replace(['-', ':'], "") + if local.len() == 16 { "00" } else { "" }
}

fn partstat(answer: &str) -> &'static str {
    match answer {
        "accepted" => "ACCEPTED",
        "tentative" => "TENTATIVE",
        "declined" => "DECLINED",
        _ => "NEEDS-ACTION",
    }
}

fn param(v: &str) -> String {
    // A parameter value may not hold '"'; quoted when it has ':', ';' or ','.
    let v: String = v.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    format!("\"{v}\"")
}

fn vevent(out: &mut String, e: &Event, stamp: &str, cancelled: bool) {
    let mut l = |s: String| out.push_str(&fold(&s));
    l("BEGIN:VEVENT".into());
    l(format!("UID:{}", e.uid));
    l(format!("DTSTAMP:{stamp}"));
    l(format!("SEQUENCE:{}", e.sequence));
    let series = e.series();
    if e.all_day {
        let first = series.start.date();
        let after = first + Duration::days(series.length.num_days().max(1));
        l(format!("DTSTART;VALUE=DATE:{}", first.format("%Y%m%d")));
        l(format!("DTEND;VALUE=DATE:{}", after.format("%Y%m%d")));
    } else {
        l(format!("DTSTART;TZID=Europe/Rome:{}", compact(&e.starts)));
        // The first occurrence's end: its exact length is what every occurrence keeps.
        l(format!("DTEND;TZID=Europe/Rome:{}", compact(&e.ends)));
    }
    if !e.repeat.is_empty() {
        l(format!("RRULE:{}", e.repeat));
        for d in e.except.iter().filter_map(|d| d.parse::<NaiveDate>().ok()) {
            if e.all_day {
                l(format!("EXDATE;VALUE=DATE:{}", d.format("%Y%m%d")));
            } else {
                l(format!(
                    "EXDATE;TZID=Europe/Rome:{}",
                    d.and_time(series.start.time()).format("%Y%m%dT%H%M%S")
                ));
            }
        }
    }
    l(format!("SUMMARY:{}", text(&e.title)));
    if !e.place.is_empty() {
        l(format!("LOCATION:{}", text(&e.place)));
    }
    if !e.notes.is_empty() {
        l(format!("DESCRIPTION:{}", text(&e.notes)));
    }
    if !e.organiser_email.is_empty() {
        l(format!(
            "ORGANIZER;CN={}:mailto:{}",
            param(&e.organiser_name),
            e.organiser_email
        ));
    }
    for i in &e.invitations {
        l(format!(
            "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT={};RSVP=TRUE:mailto:{}",
            param(if i.name.is_empty() { &i.email } else { &i.name }),
            partstat(&i.answer),
            i.email
        ));
    }
    l(format!(
        "STATUS:{}",
        if cancelled || e.cancelled {
            "CANCELLED"
        } else {
            "CONFIRMED"
        }
    ));
    l("END:VEVENT".into());
}

/// A person's feed: every event given, in one calendar named `name`.
pub fn feed(name: &str, events: &[Event], stamp: &str) -> String {
    let mut out = String::new();
    head(&mut out, "PUBLISH", Some(name));
    for e in events {
        vevent(&mut out, e, stamp, false);
    }
    out.push_str(&fold("END:VCALENDAR"));
    out
}

/// The request an invitee's calendar program reads (a new event or its change).
pub fn request(e: &Event, stamp: &str) -> String {
    let mut out = String::new();
    head(&mut out, "REQUEST", None);
    vevent(&mut out, e, stamp, false);
    out.push_str(&fold("END:VCALENDAR"));
    out
}

/// The cancellation of an event.
pub fn cancel(e: &Event, stamp: &str) -> String {
    let mut out = String::new();
    head(&mut out, "CANCEL", None);
    vevent(&mut out, e, stamp, true);
    out.push_str(&fold("END:VCALENDAR"));
    out
}

/// An invitee's answer read from a `METHOD:REPLY` object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub uid: String,
    /// The attendee's address, lower case.
    pub email: String,
    /// `accepted`, `tentative` or `declined`.
    pub answer: &'static str,
    pub comment: String,
}

/// Reads a reply; `None` when the text is not a `REPLY` with one attendee and a known answer.
pub fn read_reply(ics: &str) -> Option<Reply> {
    let all = lines(ics);
    if !all
        .iter()
        .any(|l| l.name == "METHOD" && l.value.trim().eq_ignore_ascii_case("REPLY"))
    {
        return None;
    }
    let uid = all
        .iter()
        .find(|l| l.name == "UID")?
        .value
        .trim()
        .to_owned();
    let attendees: Vec<_> = all.iter().filter(|l| l.name == "ATTENDEE").collect();
    let [a] = attendees.as_slice() else {
        return None;
    };
    let email = a
        .value
        .trim()
        .strip_prefix("mailto:")
        .or_else(|| a.value.trim().strip_prefix("MAILTO:"))?
        .trim()
        .to_lowercase();
    let answer = match a.param("PARTSTAT")?.to_ascii_uppercase().as_str() {
        "ACCEPTED" => "accepted",
        "TENTATIVE" => "tentative",
        "DECLINED" => "declined",
        _ => return None,
    };
    let comment = all
        .iter()
        .find(|l| l.name == "COMMENT")
        .map(|l| unescape(&l.value))
        .unwrap_or_default();
    Some(Reply {
        uid,
        email,
        answer,
        comment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_is_read_whatever_the_program_writes() {
        let outlook =
            "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nPRODID:Microsoft Exchange Server 2010\r\n\
BEGIN:VEVENT\r\nATTENDEE;PARTSTAT=ACCEPTED;CN=\"Rossi, Mario\":MAILTO:M.Rossi@Comune.Agna.PD.it\r\n\
COMMENT:Ci sarò\\, grazie\r\nUID:agenda-abc@cst\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let r = read_reply(outlook).unwrap_or_else(|| panic!("not read"));
        assert_eq!(r.uid, "agenda-abc@cst");
        assert_eq!(r.email, "m.rossi@comune.agna.pd.it");
        assert_eq!(r.answer, "accepted");
        assert_eq!(r.comment, "Ci sarò, grazie");
        assert!(read_reply(&outlook.replace("METHOD:REPLY", "METHOD:REQUEST")).is_none());
        assert!(read_reply(&outlook.replace("ACCEPTED", "DELEGATED")).is_none());
    }
}
