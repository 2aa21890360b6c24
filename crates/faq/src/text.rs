//! Italian text as the search sees it: lower case, accents folded (`perché` is `perche`), split
//! at anything that is not a letter or a digit (so `dell'ente` is `dell` and `ente`), the words
//! that carry no meaning dropped, and each word reduced to its stem with the Snowball Italian
//! stemmer (`firme` and `firma` are both `firm`).

use rust_stemmers::{Algorithm, Stemmer};

/// Words too common to mean anything in a question (already folded).
const STOP: &[&str] = &[
    "a", "ad", "al", "allo", "ai", "agli", "all", "agl", "alla", "alle", "con", "col", "coi", "da",
    "dal", "dallo", "dai", "dagli", "dall", "dagl", "dalla", "dalle", "di", "d", "del", "dello",
    "dei", "degli", "dell", "degl", "della", "delle", "in", "nel", "nello", "nei", "negli", "nell",
    "negl", "nella", "nelle", "su", "sul", "sullo", "sui", "sugli", "sull", "sugl", "sulla",
    "sulle", "per", "tra", "fra", "il", "lo", "la", "i", "gli", "le", "l", "un", "uno", "una", "e",
    "ed", "o", "od", "ma", "che", "chi", "cui", "non", "si", "ci", "vi", "ne", "mi", "ti", "se",
    "sono", "sia", "ha", "hanno", "ho", "c", "questo", "questa", "questi", "queste", "quello",
    "quella", "quelli", "quelle", "anche", "piu", "molto", "gia", "come", "cosa", "posso", "puo",
    "devo", "deve", "fare", "essere", "viene", "va", "mio", "mia", "suo", "sua", "loro", "nostro",
    "nostra", "the", "of", "and",
];

/// A character folded: lower case, without its accent.
fn fold(c: char) -> impl Iterator<Item = char> {
    let base = match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'À' | 'Á' | 'Â' | 'Ä' | 'Ã' => 'a',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'Ò' | 'Ó' | 'Ô' | 'Ö' | 'Õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ç' | 'Ç' => 'c',
        'ñ' | 'Ñ' => 'n',
        other => other,
    };
    base.to_lowercase()
}

/// The folded words of a text, in order, stop words included.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            cur.extend(fold(c));
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether a folded word is a stop word.
pub fn is_stop(w: &str) -> bool {
    STOP.contains(&w)
}

/// Stems folded words.
pub struct Analyzer {
    stemmer: Stemmer,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self {
            stemmer: Stemmer::create(Algorithm::Italian),
        }
    }
}

impl Analyzer {
    /// The stem of one folded word.
    pub fn stem(&self, w: &str) -> String {
        self.stemmer.stem(w).into_owned()
    }

    /// The stems of a text's meaningful words, in order.
    pub fn terms(&self, text: &str) -> Vec<String> {
        words(text)
            .into_iter()
            .filter(|w| !is_stop(w))
            .map(|w| self.stem(&w))
            .collect()
    }
}

/// The Damerau–Levenshtein distance (adjacent transpositions count one) of two words, or
/// `None` when it is more than `max`.
pub fn distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        let mut row_min = d[i * w];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
    }
    let v = d[a.len() * w + b.len()];
    (v <= max).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn words_are_folded_and_split() {
        assert_eq!(
            words("Perché la PEC dell'Ente non arriva? È già attiva!"),
            ["perche", "la", "pec", "dell", "ente", "non", "arriva", "e", "gia", "attiva"]
        );
    }

    #[test]
    fn singular_and_plural_meet_in_one_stem() {
        let a = Analyzer::default();
        assert_eq!(a.terms("firme digitali"), a.terms("firma digitale"));
        assert_eq!(a.terms("caselle di posta"), a.terms("casella posta"));
        assert_eq!(a.terms("perche"), a.terms("perché"));
        assert!(a.terms("il la di con per").is_empty());
    }

    #[test]
    fn typos_are_measured() {
        let cases = [
            ("firma", "firma", Some(0)),
            ("fimra", "firma", Some(1)),
            ("frima", "firma", Some(1)),
            ("firm", "firma", Some(1)),
            ("certifict", "certific", Some(1)),
            ("antivirs", "antivirus", Some(1)),
            ("dominio", "firma", None),
            ("ab", "abcd", Some(2)),
        ];
        for (a, b, want) in cases {
            assert_eq!(distance(a, b, 2), want, "{a} {b}");
        }
    }

    proptest! {
        #[test]
        fn distance_is_symmetric_and_zero_only_for_equals(a in "[a-e]{0,8}", b in "[a-e]{0,8}") {
            prop_assert_eq!(distance(&a, &b, 8), distance(&b, &a, 8));
            prop_assert_eq!(distance(&a, &b, 8) == Some(0), a == b);
        }
    }
}
