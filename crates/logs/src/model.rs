//! Pure types of the log capability: where a source's messages come from (an address, a
//! network, or a TLS client certificate), and the checked input to register one.

use std::net::IpAddr;
use std::str::FromStr;

use chrono::TimeZone;
use kernel::FieldError;
use serde::Serialize;

/// An address or a network (`10.1.2.3`, `10.1.0.0/16`, `2001:db8::/32`), kept canonical: the
/// host bits of a network are zero, so two spellings of one network compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl Cidr {
    fn max_prefix(addr: &IpAddr) -> u8 {
        if addr.is_ipv4() {
            32
        } else {
            128
        }
    }

    /// Whether `ip` lies in this network. An IPv4 address seen as IPv6 (`::ffff:10.0.0.1`, as a
    /// dual-stack socket reports it) is matched as IPv4.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = mask32(self.prefix);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = mask128(self.prefix);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

fn mask32(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix))
    }
}

fn mask128(prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(prefix))
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

impl FromStr for Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr =
            canonical(IpAddr::from_str(a).map_err(|_| format!("«{a}» non è un indirizzo IP"))?);
        let max = Self::max_prefix(&addr);
        let prefix = match p {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("prefisso «/{p}» non valido: da 0 a {max}"))?,
        };
        let addr = match addr {
            IpAddr::V4(v) => IpAddr::V4((u32::from(v) & mask32(prefix)).into()),
            IpAddr::V6(v) => IpAddr::V6((u128::from(v) & mask128(prefix)).into()),
        };
        Ok(Cidr { addr, prefix })
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.prefix == Self::max_prefix(&self.addr) {
            write!(f, "{}", self.addr)
        } else {
            write!(f, "{}/{}", self.addr, self.prefix)
        }
    }
}

/// A registered source of messages.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Source {
    pub id: i64,
    pub entity_id: i64,
    pub name: String,
    /// The address or network the messages come from (`10.1.2.3`, `10.1.0.0/16`).
    pub address: Option<String>,
    /// SHA-256 (hex) of the TLS client certificate the source presents.
    pub fingerprint: Option<String>,
    /// Time zone of the source's RFC 3164 timestamps (which carry none).
    pub time_zone: String,
    /// Minutes of silence after which an alert is raised; none: no alert.
    pub expected_minutes: Option<i64>,
    /// Also open a help-desk ticket when the source falls silent.
    pub ticket_on_silence: bool,
    pub created_at: String,
    pub version: i64,
    /// Since when it has been silent for longer than expected (the alert); none: it speaks.
    pub silent_since: Option<String>,
    /// The ticket its silence opened, if any.
    pub silence_ticket_id: Option<i64>,
    /// An instance of cst at the entity relays its store here.
    pub relay: bool,
}

/// What a person typed to register a source.
#[derive(Debug, Clone, Default)]
pub struct SourceDraft {
    pub name: String,
    pub address: Option<String>,
    pub fingerprint: Option<String>,
    pub time_zone: Option<String>,
    pub expected_minutes: Option<i64>,
    pub ticket_on_silence: bool,
    /// An instance of cst at the entity that forwards its store here (identified by a token
    /// made at registration, not by an address).
    pub relay: bool,
}

/// A checked draft.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceInput {
    pub name: String,
    pub address: Option<Cidr>,
    pub fingerprint: Option<String>,
    pub zone: chrono_tz::Tz,
    pub expected_minutes: Option<i64>,
    pub ticket_on_silence: bool,
    pub relay: bool,
}

impl SourceDraft {
    /// Every wrong field at once.
    pub fn parse(&self) -> Result<SourceInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            errors.push(FieldError::new("name", "obbligatorio"));
        } else if name.chars().count() > 120 {
            errors.push(FieldError::new("name", "al più 120 caratteri"));
        } else if let Some(e) = kernel::text::check(&name, kernel::text::Lines::Single) {
            errors.push(FieldError::new("name", e));
        }
        let address = match self
            .address
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(a) => match a.parse::<Cidr>() {
                Ok(c) => Some(c),
                Err(e) => {
                    errors.push(FieldError::new("address", e));
                    None
                }
            },
        };
        let fingerprint = match self
            .fingerprint
            .as_deref()
            .map(|f| f.trim().replace(':', "").to_ascii_lowercase())
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(f) if f.len() == 64 && f.bytes().all(|b| b.is_ascii_hexdigit()) => Some(f),
            Some(_) => {
                errors.push(FieldError::new(
                    "fingerprint",
                    "impronta non valida: lo SHA-256 del certificato, 64 cifre esadecimali",
                ));
                None
            }
        };
        let named = errors
            .iter()
            .any(|e| e.field == "address" || e.field == "fingerprint");
        if address.is_none() && fingerprint.is_none() && !named && !self.relay {
            errors.push(FieldError::new(
                "address",
                "indicare l'indirizzo (o la rete) da cui arrivano i messaggi, o l'impronta del certificato TLS",
            ));
        }
        let zone = match self
            .time_zone
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => chrono_tz::Europe::Rome,
            Some(z) => match z.parse::<chrono_tz::Tz>() {
                Ok(z) => z,
                Err(_) => {
                    errors.push(FieldError::new(
                        "time_zone",
                        format!("fuso orario «{z}» sconosciuto (per esempio Europe/Rome)"),
                    ));
                    chrono_tz::Europe::Rome
                }
            },
        };
        if let Some(m) = self.expected_minutes {
            if !(5..=60 * 24 * 31).contains(&m) {
                errors.push(FieldError::new(
                    "expected_minutes",
                    "intervallo non valido: da 5 minuti a 31 giorni (44.640 minuti)",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SourceInput {
            name,
            address,
            fingerprint,
            zone,
            expected_minutes: self.expected_minutes,
            ticket_on_silence: self.ticket_on_silence,
            relay: self.relay,
        })
    }
}

/// A period asked for, as µs bounds `[from, to)`: a date (`2026-12-04`) is that whole day in
/// Rome, `to` included; an RFC 3339 instant is exact.
pub fn window(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Option<i64>, Option<i64>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut read = |name: &str, v: Option<&str>, end: bool| -> Option<i64> {
        let v = v.map(str::trim).filter(|s| !s.is_empty())?;
        if let Ok(d) = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            let day = if end { d.succ_opt()? } else { d };
            let local = day.and_hms_opt(0, 0, 0)?;
            return chrono_tz::Europe::Rome
                .from_local_datetime(&local)
                .earliest()
                .map(|t| t.with_timezone(&chrono::Utc).timestamp_micros());
        }
        match chrono::DateTime::parse_from_rfc3339(v) {
            Ok(t) => Some(t.timestamp_micros()),
            Err(_) => {
                errors.push(FieldError::new(
                    name,
                    format!("«{v}» non è una data (AAAA-MM-GG) né un istante RFC 3339"),
                ));
                None
            }
        }
    };
    let f = read("from", from, false);
    let t = read("to", to, true);
    if let (Some(a), Some(b)) = (f, t) {
        if a >= b {
            errors.push(FieldError::new(
                "to",
                "la fine del periodo precede l'inizio",
            ));
        }
    }
    if errors.is_empty() {
        Ok((f, t))
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn networks_are_canonical_and_match_their_addresses() {
        let c: Cidr = "10.1.2.3/16".parse().unwrap();
        assert_eq!(c.to_string(), "10.1.0.0/16");
        assert!(c.contains("10.1.200.7".parse().unwrap()));
        assert!(c.contains("::ffff:10.1.0.9".parse().unwrap()));
        assert!(!c.contains("10.2.0.1".parse().unwrap()));
        let one: Cidr = "192.0.2.5".parse().unwrap();
        assert_eq!(one.to_string(), "192.0.2.5");
        assert!(one.contains("192.0.2.5".parse().unwrap()));
        let v6: Cidr = "2001:db8::1/32".parse().unwrap();
        assert_eq!(v6.to_string(), "2001:db8::/32");
        assert!(v6.contains("2001:db8:ffff::1".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
        assert!("host.example".parse::<Cidr>().is_err());
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("203.0.113.1".parse().unwrap()));
    }

    #[test]
    fn a_window_takes_rome_days_or_instants() {
        let (f, t) = window(Some("2026-12-04"), Some("2026-12-04")).unwrap();
        assert_eq!(f, Some(1_796_338_800_000_000)); // 2026-12-03T23:00:00Z
        assert_eq!(t.unwrap() - f.unwrap(), 86_400_000_000);
        let (f, _) = window(Some("2026-12-04T10:00:00Z"), None).unwrap();
        assert_eq!(f, Some(1_796_378_400_000_000));
        let e = window(Some("04/12/2026"), Some("2026-12-01")).unwrap_err();
        assert_eq!(e[0].field, "from");
        let e = window(Some("2026-12-05"), Some("2026-12-01")).unwrap_err();
        assert_eq!(e[0].field, "to");
    }

    #[test]
    fn a_draft_names_every_wrong_field() {
        let d = SourceDraft {
            name: " ".into(),
            address: Some("10.0.0.300".into()),
            time_zone: Some("Europe/Roma".into()),
            expected_minutes: Some(1),
            ..Default::default()
        };
        let fields: Vec<_> = d
            .parse()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "address", "time_zone", "expected_minutes"]);
        let none = SourceDraft {
            name: "Firewall".into(),
            ..Default::default()
        };
        assert_eq!(none.parse().unwrap_err()[0].field, "address");
        let ok = SourceDraft {
            name: "Firewall".into(),
            fingerprint: Some(format!("{}AB", "AB:".repeat(31))),
            ..Default::default()
        };
        assert_eq!(ok.parse().unwrap().fingerprint, Some("ab".repeat(32)));
    }
}
