//! An address-book entry as data: who (name, organisation, role), how to reach them (mobile,
//! phone, fax, two e-mails) and notes; its checks; and the key that finds the same person
//! twice (the same mobile, phone or e-mail).

use kernel::FieldError;
use serde::{Deserialize, Serialize};

/// The fields of an entry, as typed or read from a file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Card {
    /// Name and surname, or the office's name.
    pub name: String,
    pub organisation: String,
    pub role: String,
    /// The number SMS go to.
    pub mobile: String,
    pub phone: String,
    pub fax: String,
    pub email: String,
    pub email2: String,
    pub notes: String,
}

/// The longest a phone number may be, as written.
const MAX_PHONE: usize = 30;

/// A phone number as written: digits, spaces, `+` only at the start, `-`, `/`, `.`, `(`, `)`.
/// Returns the number tidied (single spaces) or why it is wrong.
pub fn phone(v: &str) -> Result<String, &'static str> {
    let t = v.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() {
        return Ok(t);
    }
    let ok_chars = t.chars().enumerate().all(|(i, c)| {
        c.is_ascii_digit() || matches!(c, ' ' | '-' | '/' | '.' | '(' | ')') || (c == '+' && i == 0)
    });
    let digits = t.chars().filter(char::is_ascii_digit).count();
    if !ok_chars || t.chars().count() > MAX_PHONE {
        return Err("un numero ha solo cifre, spazi e il + iniziale (al massimo 30 caratteri)");
    }
    if !(3..=15).contains(&digits) {
        return Err("un numero ha da 3 a 15 cifre");
    }
    Ok(t)
}

/// The digits of a number as the networks see it: `+39 347 123 4567`, `0039 347…` and
/// `347 123 4567` are all `393471234567` (Italian numbers without the country code get it).
pub fn msisdn(v: &str) -> String {
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    if v.trim_start().starts_with('+') {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_owned()
    } else if digits.is_empty() {
        digits
    } else {
        format!("39{digits}")
    }
}

fn text(wrong: &mut Vec<FieldError>, field: &str, v: &str, max: usize) -> String {
    let t = kernel::text::strip_forbidden(v.trim(), kernel::text::Lines::Single);
    if t.chars().count() > max {
        wrong.push(FieldError::new(
            field,
            format!("al massimo {max} caratteri"),
        ));
    }
    t
}

impl Card {
    /// The card tidied (spaces trimmed, numbers spaced once, addresses in lower case), or every
    /// field that is wrong.
    pub fn checked(&self) -> Result<Card, Vec<FieldError>> {
        let mut wrong = vec![];
        let name = text(&mut wrong, "name", &self.name, 200);
        let organisation = text(&mut wrong, "organisation", &self.organisation, 200);
        if name.is_empty() && organisation.is_empty() {
            wrong.push(FieldError::new(
                "name",
                "scrivere il nome (o almeno l'organizzazione)",
            ));
        }
        let role = text(&mut wrong, "role", &self.role, 200);
        let mut num = |field: &str, v: &str| match phone(v) {
            Ok(p) => p,
            Err(m) => {
                wrong.push(FieldError::new(field, format!("«{}»: {m}", v.trim())));
                String::new()
            }
        };
        let mobile = num("mobile", &self.mobile);
        let phone_ = num("phone", &self.phone);
        let fax = num("fax", &self.fax);
        let mut addr = |field: &str, v: &str| {
            let a = v.trim().to_lowercase();
            if !a.is_empty() && !mail::is_address(&a) {
                wrong.push(FieldError::new(
                    field,
                    format!("«{}» non è un indirizzo e-mail valido", v.trim()),
                ));
            }
            a
        };
        let email = addr("email", &self.email);
        let email2 = addr("email2", &self.email2);
        let notes = kernel::text::strip_forbidden(self.notes.trim(), kernel::text::Lines::Multi);
        if notes.chars().count() > 2000 {
            wrong.push(FieldError::new("notes", "al massimo 2000 caratteri"));
        }
        if !wrong.is_empty() {
            return Err(wrong);
        }
        Ok(Card {
            name,
            organisation,
            role,
            mobile,
            phone: phone_,
            fax,
            email,
            email2,
            notes,
        })
    }

    /// What makes two entries the same person: their numbers (as the networks see them) and
    /// addresses. Two cards sharing any key are duplicates.
    pub fn keys(&self) -> Vec<String> {
        let mut k = vec![];
        for p in [&self.mobile, &self.phone] {
            if !p.is_empty() {
                k.push(format!("tel:{}", msisdn(p)));
            }
        }
        for e in [&self.email, &self.email2] {
            if !e.is_empty() {
                k.push(format!("mail:{}", e.to_lowercase()));
            }
        }
        k
    }

    /// The name shown: the person's, else the organisation's.
    pub fn label(&self) -> &str {
        if self.name.is_empty() {
            &self.organisation
        } else {
            &self.name
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_checked_and_seen_as_the_networks_do() {
        for (v, ok) in [
            ("+39 347 123 4567", true),
            ("049 820 1111", true),
            ("(049) 820-1111", true),
            ("347/1234567", true),
            ("12", false),
            ("347 12a 4567", false),
            ("39+347", false),
            ("1234567890123456", false),
        ] {
            assert_eq!(phone(v).is_ok(), ok, "{v}");
        }
        assert_eq!(msisdn("+39 347 123 4567"), "393471234567");
        assert_eq!(msisdn("0039 347 1234567"), "393471234567");
        assert_eq!(msisdn("347-123.4567"), "393471234567");
        assert_eq!(msisdn("+41 79 123 45 67"), "41791234567");
    }

    #[test]
    fn a_card_needs_a_name_and_right_numbers_and_addresses() {
        let bad = Card {
            mobile: "abc".into(),
            email: "non-una-mail".into(),
            ..Default::default()
        };
        let errs = bad.checked().unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "mobile", "email"]);
        let good = Card {
            name: "  Maria   Rossi ".into(),
            mobile: " +39  347 1234567 ".into(),
            email: "Maria.Rossi@Comune.Example.IT".into(),
            ..Default::default()
        }
        .checked()
        .unwrap();
        assert_eq!(good.name, "Maria   Rossi");
        assert_eq!(good.mobile, "+39 347 1234567");
        assert_eq!(good.email, "maria.rossi@comune.example.it");
        assert_eq!(
            good.keys(),
            ["tel:393471234567", "mail:maria.rossi@comune.example.it"]
        );
    }
}
