//! The search over the articles, in memory: each stem's postings (article, times in the title,
//! times in the body), ranked with BM25 where a word of the title counts three times one of the
//! body. A query's stem that no article has is looked for among the stems one typo away (two for
//! long words), with a lower weight; the last word of a query still being typed also matches the
//! words it begins.

use std::collections::{BTreeMap, HashMap};

use crate::text::{distance, is_stop, words, Analyzer};

/// What the index keeps of an article.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub public: bool,
    pub category: String,
    len: f32,
}

/// An article to index.
pub struct Source<'a> {
    pub id: i64,
    pub public: bool,
    pub category: &'a str,
    pub title: &'a str,
    pub body: &'a str,
}

const TITLE_WEIGHT: f32 = 3.0;
const K1: f32 = 1.2;
const B: f32 = 0.75;
/// The share of the best score an answer needs to be shown.
const RELEVANT: f32 = 0.3;

#[derive(Default)]
pub struct Index {
    entries: Vec<Entry>,
    /// stem → (entry, weighted frequency).
    postings: HashMap<String, Vec<(u32, f32)>>,
    /// Every folded word seen → its stem, for the word being typed.
    words: BTreeMap<String, String>,
    avg_len: f32,
    analyzer: Analyzer,
}

/// How a query asks.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ask {
    /// The last word may be unfinished (suggestions while typing).
    pub typing: bool,
}

impl Index {
    pub fn build<'a>(sources: impl IntoIterator<Item = Source<'a>>) -> Self {
        let mut ix = Index::default();
        let mut total = 0f32;
        for s in sources {
            let n = u32::try_from(ix.entries.len()).unwrap_or(u32::MAX);
            let mut tf: HashMap<String, f32> = HashMap::new();
            let mut len = 0f32;
            for (text, weight) in [(s.title, TITLE_WEIGHT), (s.body, 1.0)] {
                for w in words(text) {
                    if is_stop(&w) {
                        continue;
                    }
                    let stem = ix.analyzer.stem(&w);
                    ix.words.entry(w).or_insert_with(|| stem.clone());
                    *tf.entry(stem).or_default() += weight;
                    len += weight;
                }
            }
            for (stem, f) in tf {
                ix.postings.entry(stem).or_default().push((n, f));
            }
            total += len;
            ix.entries.push(Entry {
                id: s.id,
                public: s.public,
                category: s.category.to_owned(),
                len,
            });
        }
        ix.avg_len = if ix.entries.is_empty() {
            1.0
        } else {
            (total / ix.entries.len() as f32).max(1.0)
        };
        ix
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The stems a query's word stands for, with their weight: itself; else those one or two
    /// typos away; and, for the word being typed, those of the words it begins.
    fn expand(&self, word: &str, last_typing: bool) -> Vec<(String, f32)> {
        let stem = self.analyzer.stem(word);
        let mut out = vec![];
        if self.postings.contains_key(&stem) {
            out.push((stem.clone(), 1.0));
        } else if stem.chars().count() >= 4 {
            let max = if stem.chars().count() >= 8 { 2 } else { 1 };
            for other in self.postings.keys() {
                if let Some(d) = distance(&stem, other, max) {
                    out.push((other.clone(), if d == 1 { 0.6 } else { 0.35 }));
                }
            }
        }
        if last_typing && word.chars().count() >= 2 {
            for (w, s) in self.words.range(word.to_owned()..) {
                if !w.starts_with(word) {
                    break;
                }
                if !out.iter().any(|(x, _)| x == s) {
                    out.push((s.clone(), 0.8));
                }
                if out.len() > 50 {
                    break;
                }
            }
        }
        out
    }

    /// The articles that `keep` lets through, best first, at most `limit`: (id, score).
    pub fn search(
        &self,
        query: &str,
        ask: Ask,
        keep: impl Fn(&Entry) -> bool,
        limit: usize,
    ) -> Vec<(i64, f32)> {
        let all: Vec<String> = words(query);
        let n = self.entries.len() as f32;
        let mut scores: HashMap<u32, f32> = HashMap::new();
        let last = all.len().saturating_sub(1);
        for (i, w) in all.iter().enumerate() {
            let typing = ask.typing && i == last;
            if is_stop(w) && !typing {
                continue;
            }
            // One query word adds at most its best stem to an article.
            let mut best: HashMap<u32, f32> = HashMap::new();
            for (stem, weight) in self.expand(w, typing) {
                let Some(list) = self.postings.get(&stem) else {
                    continue;
                };
                let df = list.len() as f32;
                let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
                for &(doc, tf) in list {
                    let len = self.entries[doc as usize].len;
                    let s = weight * idf * tf * (K1 + 1.0)
                        / (tf + K1 * (1.0 - B + B * len / self.avg_len));
                    let e = best.entry(doc).or_default();
                    *e = e.max(s);
                }
            }
            for (doc, s) in best {
                *scores.entry(doc).or_default() += s;
            }
        }
        let mut out: Vec<(i64, f32)> = scores
            .into_iter()
            .filter(|(doc, _)| keep(&self.entries[*doc as usize]))
            .map(|(doc, s)| (self.entries[doc as usize].id, s))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        // Answers far below the best (one common word in a long text) are noise.
        if let Some(&(_, best)) = out.first() {
            out.retain(|(_, s)| *s >= best * RELEVANT);
        }
        out.truncate(limit);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Index {
        let docs = [
            (
                1,
                "Come si rinnova la firma digitale?",
                "Il rinnovo dei certificati di firma vale tre anni.",
                true,
            ),
            (
                2,
                "La casella PEC non riceve messaggi",
                "Controllare lo spazio della posta elettronica certificata.",
                true,
            ),
            (
                3,
                "Perché il PIN della business key è bloccato?",
                "Dopo dieci tentativi errati il PIN si blocca: serve il PUK.",
                false,
            ),
            (
                4,
                "Registrare un dominio",
                "Il centro registra i domini .it per gli enti.",
                true,
            ),
            (
                5,
                "Antivirus sui posti di lavoro",
                "L'antivirus centralizzato si aggiorna da solo.",
                true,
            ),
        ];
        Index::build(docs.iter().map(|(id, t, b, p)| Source {
            id: *id,
            public: *p,
            category: "x",
            title: t,
            body: b,
        }))
    }

    fn ids(ix: &Index, q: &str, typing: bool) -> Vec<i64> {
        ix.search(q, Ask { typing }, |_| true, 10)
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    }

    #[test]
    fn italian_questions_find_their_answers() {
        let ix = sample();
        let cases: &[(&str, i64)] = &[
            ("firme digitali", 1),
            ("rinnovo firma", 1),
            ("perche pin bloccato", 3),
            ("PEC", 2),
            ("posta certificata", 2),
            ("domini", 4),
            ("antivirus", 5),
            // Typos.
            ("fimra digitale", 1),
            ("antivirs", 5),
            ("elettronca", 2),
        ];
        for (q, want) in cases {
            assert_eq!(ids(&ix, q, false).first(), Some(want), "{q}");
        }
        assert!(ids(&ix, "calcio", false).is_empty());
        assert!(ids(&ix, "il la di", false).is_empty());
    }

    #[test]
    fn the_word_being_typed_matches_its_beginnings() {
        let ix = sample();
        assert_eq!(ids(&ix, "antiv", true).first(), Some(&5));
        assert_eq!(ids(&ix, "business k", true).first(), Some(&3));
        assert!(ids(&ix, "antiv", false).is_empty());
    }

    #[test]
    fn what_a_reader_may_not_see_is_left_out() {
        let ix = sample();
        let public: Vec<i64> = ix
            .search("pin", Ask::default(), |e| e.public, 10)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert!(public.is_empty());
    }
}
