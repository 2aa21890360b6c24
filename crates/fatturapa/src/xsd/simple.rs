//! Simple types: a built-in base, the whiteSpace rule in force, and the facets of each
//! restriction step from the base down (facets of every step apply; patterns of one step are
//! alternatives, as XSD says).

use std::cmp::Ordering;

use std::collections::HashSet;

use regex::Regex;

use super::load::{check_attrs, children, describe, required};
use super::pattern;
use super::value::{Builtin, Value, WhiteSpace};
use crate::xml::Element;

#[derive(Debug, Clone)]
pub(crate) struct SimpleType {
    /// The name used in messages: the schema's name, `xs:…`, or the element's for an
    /// anonymous type.
    pub name: String,
    pub builtin: Builtin,
    pub whitespace: WhiteSpace,
    pub steps: Vec<Facets>,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Facets {
    pub patterns: Vec<(String, Regex)>,
    pub enumeration: Option<Vec<(String, Value)>>,
    pub length: Option<usize>,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub min_inclusive: Option<(String, Value)>,
    pub max_inclusive: Option<(String, Value)>,
    pub min_exclusive: Option<(String, Value)>,
    pub max_exclusive: Option<(String, Value)>,
    pub total_digits: Option<usize>,
    pub fraction_digits: Option<usize>,
}

/// How many enumeration values an error message lists.
const LISTED: usize = 12;

impl SimpleType {
    pub fn builtin(builtin: Builtin) -> Self {
        SimpleType {
            name: builtin.name().to_owned(),
            builtin,
            whitespace: builtin.whitespace(),
            steps: Vec::new(),
        }
    }

    /// Checks a literal as it appears in the document; the error says why it is refused.
    pub fn check(&self, raw: &str) -> Result<(), String> {
        let s = self.whitespace.apply(raw);
        let value = Value::parse(self.builtin, &s)?;
        for step in &self.steps {
            step.check(&s, &value)?;
        }
        Ok(())
    }
}

impl Facets {
    fn check(&self, s: &str, value: &Value) -> Result<(), String> {
        if !self.patterns.is_empty() && !self.patterns.iter().any(|(_, re)| re.is_match(s)) {
            let sources: Vec<&str> = self.patterns.iter().map(|(p, _)| p.as_str()).collect();
            return Err(format!(
                "non corrisponde al modello «{}»",
                sources.join("» o «")
            ));
        }
        if let Some(values) = &self.enumeration {
            if !values.iter().any(|(_, v)| v.same(value)) {
                let mut listed: Vec<&str> = values
                    .iter()
                    .take(LISTED)
                    .map(|(l, _)| l.as_str())
                    .collect();
                if values.len() > LISTED {
                    listed.push("…");
                }
                return Err(format!(
                    "valore non ammesso; ammessi: {}",
                    listed.join(", ")
                ));
            }
        }
        if let Some(len) = value.length() {
            if let Some(n) = self.length.filter(|n| len != *n) {
                return Err(format!("lunghezza {len}, richiesta {n}"));
            }
            if let Some(n) = self.min_length.filter(|n| len < *n) {
                return Err(format!("lunghezza {len}, minima {n}"));
            }
            if let Some(n) = self.max_length.filter(|n| len > *n) {
                return Err(format!("lunghezza {len}, massima {n}"));
            }
        }
        let bounds = [
            (&self.min_inclusive, Ordering::Less, "minore del minimo"),
            (
                &self.max_inclusive,
                Ordering::Greater,
                "maggiore del massimo",
            ),
        ];
        for (bound, refused, what) in bounds {
            if let Some((lexical, b)) = bound {
                if value.compare(b) == Some(refused) {
                    return Err(format!("{what} {lexical}"));
                }
            }
        }
        let exclusive = [
            (
                &self.min_exclusive,
                Ordering::Greater,
                "deve essere maggiore di",
            ),
            (&self.max_exclusive, Ordering::Less, "deve essere minore di"),
        ];
        for (bound, required, what) in exclusive {
            if let Some((lexical, b)) = bound {
                if value.compare(b) != Some(required) {
                    return Err(format!("{what} {lexical}"));
                }
            }
        }
        if let Some(d) = value.as_dec() {
            if let Some(n) = self.total_digits.filter(|n| d.total_digits() > *n) {
                return Err(format!("più di {n} cifre"));
            }
            if let Some(n) = self.fraction_digits.filter(|n| d.fraction_digits() > *n) {
                return Err(format!("più di {n} cifre decimali"));
            }
        }
        Ok(())
    }
}

/// The facets of one restriction step. whiteSpace is applied first, because enumeration
/// values are compared after the type's own whitespace normalisation.
pub(super) fn facet_step(t: &mut SimpleType, facets: &[&Element]) -> Result<Facets, String> {
    let b = t.builtin;
    let mut f = Facets::default();
    let mut seen: HashSet<&str> = HashSet::new();
    for facet in facets {
        check_attrs(facet, &["value", "fixed", "id"])?;
        if !children(facet)?.is_empty() {
            return Err(format!("{}: contenuto inatteso", describe(facet)));
        }
        if !matches!(
            facet.attr("fixed"),
            None | Some("true" | "false" | "1" | "0")
        ) {
            return Err(format!("{}: «fixed» non valido", describe(facet)));
        }
        let kind = facet.local.as_str();
        if !matches!(kind, "pattern" | "enumeration") && !seen.insert(kind) {
            return Err(format!("facet «{kind}» ripetuto"));
        }
        if kind == "whiteSpace" {
            let ws = match required(facet, "value")? {
                "preserve" => WhiteSpace::Preserve,
                "replace" => WhiteSpace::Replace,
                "collapse" => WhiteSpace::Collapse,
                other => return Err(format!("whiteSpace «{other}» non valido")),
            };
            if ws < t.whitespace {
                return Err("whiteSpace meno restrittivo della base".into());
            }
            t.whitespace = ws;
        }
    }
    let applicable = |ok: bool, kind: &str| {
        if ok {
            Ok(())
        } else {
            Err(format!("facet «{kind}» non applicabile a {}", b.name()))
        }
    };
    let size = |v: &str| {
        v.trim()
            .parse::<usize>()
            .map_err(|_| format!("valore «{v}» non valido"))
    };
    for facet in facets {
        let kind = facet.local.as_str();
        let v = required(facet, "value")?;
        match kind {
            "whiteSpace" => {}
            "pattern" => f.patterns.push((v.to_owned(), pattern::compile(v)?)),
            "enumeration" => {
                let value = Value::parse(b, &t.whitespace.apply(v))
                    .map_err(|e| format!("enumerazione «{v}» non valida: {e}"))?;
                f.enumeration
                    .get_or_insert_with(Vec::new)
                    .push((v.to_owned(), value));
            }
            "length" | "minLength" | "maxLength" => {
                applicable(b.has_length(), kind)?;
                let n = Some(size(v)?);
                match kind {
                    "length" => f.length = n,
                    "minLength" => f.min_length = n,
                    _ => f.max_length = n,
                }
            }
            "minInclusive" | "maxInclusive" | "minExclusive" | "maxExclusive" => {
                applicable(b.is_ordered(), kind)?;
                let value = Value::parse(b, &WhiteSpace::Collapse.apply(v))
                    .map_err(|e| format!("limite «{v}» non valido: {e}"))?;
                let bound = Some((v.trim().to_owned(), value));
                match kind {
                    "minInclusive" => f.min_inclusive = bound,
                    "maxInclusive" => f.max_inclusive = bound,
                    "minExclusive" => f.min_exclusive = bound,
                    _ => f.max_exclusive = bound,
                }
            }
            "totalDigits" | "fractionDigits" => {
                applicable(b.is_decimal(), kind)?;
                let n = size(v)?;
                if kind == "totalDigits" {
                    if n == 0 {
                        return Err("totalDigits deve essere positivo".into());
                    }
                    f.total_digits = Some(n);
                } else {
                    f.fraction_digits = Some(n);
                }
            }
            other => return Err(format!("facet «{other}» non supportato dal validatore")),
        }
    }
    if !b.is_string() && t.whitespace != WhiteSpace::Collapse {
        return Err(format!("whiteSpace non applicabile a {}", b.name()));
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn facets_of_a_rate() {
        let t = SimpleType {
            name: "RateType".into(),
            builtin: Builtin::Decimal,
            whitespace: WhiteSpace::Collapse,
            steps: vec![Facets {
                patterns: vec![(
                    "[0-9]{1,3}\\.[0-9]{2}".into(),
                    pattern::compile("[0-9]{1,3}\\.[0-9]{2}").unwrap(),
                )],
                max_inclusive: Some((
                    "100.00".into(),
                    Value::parse(Builtin::Decimal, "100.00").unwrap(),
                )),
                ..Facets::default()
            }],
        };
        assert!(t.check("22.00").is_ok());
        assert!(t.check(" 22.00\n").is_ok());
        assert!(t.check("22").unwrap_err().contains("modello"));
        assert!(t.check("100.01").unwrap_err().contains("massimo"));
        assert!(t.check("abc").unwrap_err().contains("decimale"));
    }

    #[test]
    fn lengths_and_enumerations() {
        let t = SimpleType {
            name: "T".into(),
            builtin: Builtin::String,
            whitespace: WhiteSpace::Preserve,
            steps: vec![Facets {
                length: Some(2),
                enumeration: Some(vec![
                    ("SI".into(), Value::Str("SI".into())),
                    ("NO".into(), Value::Str("NO".into())),
                ]),
                ..Facets::default()
            }],
        };
        assert!(t.check("SI").is_ok());
        assert_eq!(
            t.check("XX").unwrap_err(),
            "valore non ammesso; ammessi: SI, NO"
        );
        assert!(t.check(" SI").is_err());
    }
}
