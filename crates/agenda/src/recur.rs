//! Recurring events, pure: a rule (every day, week, month or year; every `n`; on some weekdays;
//! until a day or a number of times) expanded in the wall-clock time of Europe/Rome, so the
//! Tuesday 9:00 meeting stays at 9:00 when daylight saving starts or ends.
//!
//! The rule is the part of iCalendar's `RRULE` (RFC 5545 §3.3.10) people set on a form, written
//! and read back in that syntax so other calendars understand it. What RFC 5545 says for the edge
//! cases is what happens here:
//! - a local time that does not exist (2:30 on the last Sunday of March) is read with the offset
//!   before the gap, so it becomes 3:30 summer time; one that happens twice (2:30 on the last
//!   Sunday of October) is the first of the two;
//! - a monthly event on the 31st skips the months without one, a yearly one on 29 February the
//!   years that are not leap years (never moved to another day);
//! - `COUNT` counts the occurrences before the excluded days are taken out;
//! - every occurrence lasts exactly as long as the first (a 90-minute meeting is 90 minutes on
//!   the night the clocks change); an all-day event covers the same number of calendar days.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday,
};
use kernel::time::ROME;

/// How often.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freq {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

impl Freq {
    pub fn code(self) -> &'static str {
        match self {
            Freq::Daily => "DAILY",
            Freq::Weekly => "WEEKLY",
            Freq::Monthly => "MONTHLY",
            Freq::Yearly => "YEARLY",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Freq::Daily, Freq::Weekly, Freq::Monthly, Freq::Yearly]
            .into_iter()
            .find(|f| f.code().eq_ignore_ascii_case(s))
    }

    /// Italian, for pages: "ogni settimana", "ogni 2 mesi".
    pub fn every(self, n: u32) -> String {
        let (one, many) = match self {
            Freq::Daily => ("ogni giorno", "giorni"),
            Freq::Weekly => ("ogni settimana", "settimane"),
            Freq::Monthly => ("ogni mese", "mesi"),
            Freq::Yearly => ("ogni anno", "anni"),
        };
        if n <= 1 {
            one.to_owned()
        } else {
            format!("ogni {n} {many}")
        }
    }
}

/// When a series stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Never,
    /// After this many occurrences.
    Count(u32),
    /// On this day (inclusive, in Rome).
    Until(NaiveDate),
}

/// A recurrence rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub freq: Freq,
    /// Every `interval` days, weeks, months or years (1 to 99).
    pub interval: u32,
    /// Weekly only: the weekdays, Monday first, no repeats; empty means the first one's day.
    pub by_day: Vec<Weekday>,
    pub end: End,
}

pub const MAX_INTERVAL: u32 = 99;
pub const MAX_COUNT: u32 = 999;

const DAYS: [(Weekday, &str); 7] = [
    (Weekday::Mon, "MO"),
    (Weekday::Tue, "TU"),
    (Weekday::Wed, "WE"),
    (Weekday::Thu, "TH"),
    (Weekday::Fri, "FR"),
    (Weekday::Sat, "SA"),
    (Weekday::Sun, "SU"),
];

fn day_code(d: Weekday) -> &'static str {
    DAYS[d.num_days_from_monday() as usize].1
}

/// Sorts weekdays Monday first and drops repeats.
pub fn normalise_days(days: &mut Vec<Weekday>) {
    days.sort_by_key(|d| d.num_days_from_monday());
    days.dedup();
}

impl Rule {
    /// Checks the rule against its limits; the message says what is wrong, in Italian.
    pub fn check(&self) -> Result<(), String> {
        if self.interval == 0 || self.interval > MAX_INTERVAL {
            return Err(format!(
                "l'intervallo va da 1 a {MAX_INTERVAL} (era {})",
                self.interval
            ));
        }
        if !self.by_day.is_empty() && self.freq != Freq::Weekly {
            return Err(
                "i giorni della settimana valgono solo per la ripetizione settimanale".into(),
            );
        }
        if let End::Count(n) = self.end {
            if n == 0 || n > MAX_COUNT {
                return Err(format!(
                    "le ripetizioni vanno da 1 a {MAX_COUNT} (erano {n})"
                ));
            }
        }
        Ok(())
    }

    /// Reads an `RRULE` value (`FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=10`). `UNTIL` may be a
    /// day or a UTC time (then its day in Rome). Anything this engine does not do is refused
    /// by name rather than half-understood.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut freq = None;
        let mut interval = 1u32;
        let mut by_day = Vec::new();
        let mut end = End::Never;
        for part in s
            .trim()
            .trim_start_matches("RRULE:")
            .split(';')
            .filter(|p| !p.is_empty())
        {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("«{part}» non è nella forma NOME=VALORE"))?;
            match k.trim().to_ascii_uppercase().as_str() {
                "FREQ" => {
                    freq = Some(Freq::parse(v.trim()).ok_or_else(|| {
                        format!("frequenza «{v}» non gestita (DAILY, WEEKLY, MONTHLY o YEARLY)")
                    })?)
                }
                "INTERVAL" => {
                    interval = v
                        .trim()
                        .parse()
                        .map_err(|_| format!("intervallo «{v}» non è un numero"))?
                }
                "BYDAY" => {
                    for d in v.split(',') {
                        let d = d.trim().to_ascii_uppercase();
                        let day = DAYS
                            .iter()
                            .find(|(_, c)| *c == d)
                            .ok_or_else(|| format!("giorno «{d}» non gestito (MO, TU, … SU)"))?;
                        by_day.push(day.0);
                    }
                }
                "COUNT" => {
                    if end != End::Never {
                        return Err("COUNT e UNTIL insieme non sono ammessi".into());
                    }
                    end = End::Count(
                        v.trim()
                            .parse()
                            .map_err(|_| format!("ripetizioni «{v}» non è un numero"))?,
                    )
                }
                "UNTIL" => {
                    if end != End::Never {
                        return Err("COUNT e UNTIL insieme non sono ammessi".into());
                    }
                    end = End::Until(parse_until(v.trim())?)
                }
                "WKST" if v.trim().eq_ignore_ascii_case("MO") => {}
                other => return Err(format!("la regola «{other}» non è gestita")),
            }
        }
        let mut rule = Rule {
            freq: freq.ok_or("manca FREQ")?,
            interval,
            by_day,
            end,
        };
        normalise_days(&mut rule.by_day);
        rule.check()?;
        Ok(rule)
    }

    /// The `RRULE` value. A timed event's `UNTIL` is the last second of the day in Rome,
    /// written in UTC as RFC 5545 requires when the start has a time zone.
    pub fn to_rrule(&self, all_day: bool) -> String {
        let mut s = format!("FREQ={}", self.freq.code());
        if self.interval > 1 {
            s.push_str(&format!(";INTERVAL={}", self.interval));
        }
        if !self.by_day.is_empty() {
            let days: Vec<&str> = self.by_day.iter().map(|d| day_code(*d)).collect();
            s.push_str(&format!(";BYDAY={}", days.join(",")));
        }
        match self.end {
            End::Never => {}
            End::Count(n) => s.push_str(&format!(";COUNT={n}")),
            End::Until(d) if all_day => s.push_str(&format!(";UNTIL={}", d.format("%Y%m%d"))),
            End::Until(d) => {
                let last = d.and_hms_opt(23, 59, 59).map(resolve).unwrap_or_default();
                s.push_str(&format!(";UNTIL={}", last.format("%Y%m%dT%H%M%SZ")));
            }
        }
        s
    }

    /// In Italian: "ogni 2 settimane il lunedì e il giovedì, 10 volte".
    pub fn describe(&self) -> String {
        let mut s = self.freq.every(self.interval);
        if !self.by_day.is_empty() {
            let names: Vec<String> = self
                .by_day
                .iter()
                .map(|d| kernel::time::weekday_name(*d).to_lowercase())
                .collect();
            s.push_str(&format!(" ({})", names.join(", ")));
        }
        match self.end {
            End::Never => {}
            End::Count(n) => s.push_str(&format!(", {n} volte")),
            End::Until(d) => s.push_str(&format!(", fino al {}", kernel::time::display_date(d))),
        }
        s
    }
}

fn parse_until(v: &str) -> Result<NaiveDate, String> {
    let bad = || format!("fine «{v}» non è una data (AAAAMMGG)");
    if v.len() == 8 {
        return NaiveDate::parse_from_str(v, "%Y%m%d").map_err(|_| bad());
    }
    let t = NaiveDateTime::parse_from_str(v.trim_end_matches('Z'), "%Y%m%dT%H%M%S")
        .map_err(|_| bad())?;
    if v.ends_with('Z') {
        Ok(Utc.from_utc_datetime(&t).with_timezone(&ROME).date_naive())
    } else {
        Ok(t.date())
    }
}

/// The instant of a wall-clock time in Rome (RFC 5545's reading of gaps and repeats).
pub fn resolve(local: NaiveDateTime) -> DateTime<Utc> {
    match ROME.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // In the gap: read with the offset in force before it.
            let before = ROME
                .from_local_datetime(&(local - Duration::hours(6)))
                .earliest()
                .map(|t| chrono::Offset::fix(t.offset()).local_minus_utc())
                .unwrap_or(3600);
            Utc.from_utc_datetime(&(local - Duration::seconds(i64::from(before))))
        }
    }
}

/// An event's times: the first start (wall clock in Rome; midnight for an all-day event) and
/// its length (exact; whole days for an all-day event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub start: NaiveDateTime,
    pub length: Duration,
    pub all_day: bool,
    pub rule: Option<Rule>,
    /// Days (in Rome) whose occurrence is left out.
    pub except: Vec<NaiveDate>,
}

/// One occurrence of a series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// The wall-clock start the rule gives (before a gap moves it).
    pub local: NaiveDateTime,
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
}

/// No series is walked further than this many periods (a daily event for 270 years).
const MAX_PERIODS: u32 = 100_000;

impl Series {
    fn occurrence(&self, local: NaiveDateTime) -> Occurrence {
        let starts = resolve(local);
        let ends = if self.all_day {
            local
                .checked_add_signed(Duration::days(self.length.num_days().max(1)))
                .map(resolve)
                .unwrap_or(starts)
        } else {
            starts + self.length
        };
        Occurrence {
            local,
            starts,
            ends,
        }
    }

    /// The wall-clock starts of period `k` (ascending), before the end rule is applied;
    /// `None` past the last day the calendar knows.
    fn period(&self, rule: &Rule, k: u32) -> Option<Vec<NaiveDateTime>> {
        let step = i64::from(rule.interval) * i64::from(k);
        let time = self.start.time();
        let d0 = self.start.date();
        let days = |d: NaiveDate, n: i64| d.checked_add_signed(Duration::try_days(n)?);
        Some(match rule.freq {
            Freq::Daily => vec![days(d0, step)?.and_time(time)],
            Freq::Weekly => {
                let monday = days(d0, -i64::from(d0.weekday().num_days_from_monday()))?;
                let week = days(monday, step.checked_mul(7)?)?;
                let wanted: Vec<Weekday> = if rule.by_day.is_empty() {
                    vec![d0.weekday()]
                } else {
                    rule.by_day.clone()
                };
                let mut v = Vec::with_capacity(wanted.len());
                for d in wanted {
                    let t = days(week, i64::from(d.num_days_from_monday()))?.and_time(time);
                    if t >= self.start {
                        v.push(t);
                    }
                }
                v
            }
            Freq::Monthly => {
                let months = i64::from(d0.month0()) + step;
                let year = i32::try_from(i64::from(d0.year()) + months.div_euclid(12)).ok()?;
                NaiveDate::from_ymd_opt(year, 1, 1)?;
                let month = u32::try_from(months.rem_euclid(12)).ok()? + 1;
                NaiveDate::from_ymd_opt(year, month, d0.day())
                    .map(|d| vec![d.and_time(time)])
                    .unwrap_or_default()
            }
            Freq::Yearly => {
                let year = i32::try_from(i64::from(d0.year()) + step).ok()?;
                NaiveDate::from_ymd_opt(year, 1, 1)?;
                NaiveDate::from_ymd_opt(year, d0.month(), d0.day())
                    .map(|d| vec![d.and_time(time)])
                    .unwrap_or_default()
            }
        })
    }

    /// The occurrences that overlap `[from, to)`, in order.
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Occurrence> {
        let mut out = Vec::new();
        let mut keep = |o: Occurrence| {
            if o.ends > from && o.starts < to && !self.except.contains(&o.local.date()) {
                out.push(o);
            }
        };
        let Some(rule) = &self.rule else {
            keep(self.occurrence(self.start));
            return out;
        };
        let mut made = 0u32;
        for k in 0..MAX_PERIODS {
            let Some(period) = self.period(rule, k) else {
                return out;
            };
            for local in period {
                match rule.end {
                    End::Count(n) if made >= n => return out,
                    End::Until(d) if local.date() > d => return out,
                    _ => {}
                }
                made += 1;
                let o = self.occurrence(local);
                if o.starts >= to {
                    return out;
                }
                keep(o);
            }
        }
        out
    }

    /// The last day the series reaches, if it ends.
    pub fn last_day(&self) -> Option<NaiveDate> {
        match self.rule.as_ref().map(|r| r.end) {
            None => Some(
                self.occurrence(self.start)
                    .ends
                    .with_timezone(&ROME)
                    .date_naive(),
            ),
            Some(End::Never) => None,
            Some(End::Until(d)) => Some(d),
            Some(End::Count(_)) => self
                .between(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC)
                .last()
                .map(|o| o.ends.with_timezone(&ROME).date_naive()),
        }
    }
}

#[cfg(test)]
#[path = "recur/tests.rs"]
mod tests;
