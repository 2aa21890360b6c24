//! One list component for every list page: filters and search in the URL (shareable, the back
//! button works), sortable columns, pagination with totals, htmx partial updates and the CSV
//! of what is filtered. A page parses its own filters, asks its store for one page, and gives
//! this component what it needs to draw the header links, the pager and the summary.

use serde::Deserialize;

/// The paging and order part of a list's query string (`?pagina=2&ordine=due&inverso=1`).
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct Paging {
    pub pagina: String,
    pub ordine: String,
    pub inverso: String,
}

/// Rows per page.
pub const PER_PAGE: i64 = 50;

/// The pages a list lets one walk (past these, narrow the filters): totals are exact up to
/// the store's count cap, and the last page reachable is the one that holds it.
pub const MAX_PAGE: i64 = 200;

impl Paging {
    /// The page asked for, from 1; anything that is not a page number is the first page.
    pub fn page(&self) -> i64 {
        self.pagina
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|p| *p >= 1)
            .map_or(1, |p| p.min(MAX_PAGE))
    }

    pub fn offset(&self) -> i64 {
        (self.page() - 1) * PER_PAGE
    }

    pub fn reverse(&self) -> bool {
        !self.inverso.is_empty() && self.inverso != "0"
    }
}

/// A list page's filters and its paging, from the query string: anything that does not fit is
/// ignored (the defaults), never an error.
pub fn params<F: serde::de::DeserializeOwned + Default>(raw: Option<&str>) -> (F, Paging) {
    let raw = raw.unwrap_or("");
    (
        serde_urlencoded::from_str(raw).unwrap_or_default(),
        serde_urlencoded::from_str(raw).unwrap_or_default(),
    )
}

/// A CSV file to download, named `filename` (ASCII, no quotes: ours, never the request's).
pub fn csv_download(filename: &str, body: String) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A count the Italian way: `1.000`.
pub fn count(n: i64) -> String {
    kernel::money::thousands(u64::try_from(n).unwrap_or(0))
}

/// The filters given as (name, value), trimmed, the empty ones left out: what a list keeps in
/// its URL.
pub fn filled(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| ((*k).to_owned(), v.trim().to_owned()))
        .collect()
}

/// A choice of a filter's select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The options of a filter's select, `current` marked.
pub fn choices(current: &str, options: impl IntoIterator<Item = (String, String)>) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == current,
            value,
            label,
        })
        .collect()
}

/// A column header: sortable when `key` is not empty.
pub struct Column {
    pub key: &'static str,
    pub label: &'static str,
    /// Hidden on a phone (the row shows it in another cell).
    pub wide_only: bool,
}

impl Column {
    pub const fn sort(key: &'static str, label: &'static str) -> Self {
        Self {
            key,
            label,
            wide_only: false,
        }
    }
    pub const fn plain(label: &'static str) -> Self {
        Self {
            key: "",
            label,
            wide_only: false,
        }
    }
    pub const fn wide(mut self) -> Self {
        self.wide_only = true;
        self
    }
}

/// A link of the pager.
pub struct PageLink {
    /// 0 for the gap ("…").
    pub number: i64,
    pub href: String,
    pub current: bool,
}

/// What the list's templates draw around the rows.
pub struct ListView {
    /// The page's path (`/tickets`); the CSV is at `{path}.csv`.
    pub path: String,
    /// The id of the element that htmx replaces (`ticket-list`).
    pub target: &'static str,
    /// The filters in force, as they stand in the URL, without paging and order.
    pub filters: Vec<(String, String)>,
    pub sort: String,
    /// The sort that applies when none is asked.
    pub default_sort: &'static str,
    pub reverse: bool,
    pub page: i64,
    pub total: i64,
    /// More than `total` match (the count is capped).
    pub more: bool,
    pub shown: i64,
    /// The noun counted: singular and plural (`ticket`, `ticket`; `ente`, `enti`).
    pub noun: (&'static str, &'static str),
    pub columns: Vec<Column>,
    pub csv: bool,
}

impl ListView {
    /// A list in one fixed order (no sortable column), at the page `paging` asks for.
    #[allow(clippy::too_many_arguments)]
    pub fn unsorted(
        path: String,
        target: &'static str,
        filters: Vec<(String, String)>,
        paging: &Paging,
        total: i64,
        shown: usize,
        noun: (&'static str, &'static str),
        columns: Vec<Column>,
    ) -> Self {
        Self {
            path,
            target,
            filters,
            sort: String::new(),
            default_sort: "",
            reverse: false,
            page: paging.page(),
            total,
            more: false,
            shown: i64::try_from(shown).unwrap_or(0),
            noun,
            columns,
            csv: false,
        }
    }

    fn href(&self, sort: &str, reverse: bool, page: i64) -> String {
        let mut q: Vec<(&str, String)> = self
            .filters
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        if sort != self.default_sort && !sort.is_empty() {
            q.push(("ordine", sort.to_owned()));
        }
        if reverse {
            q.push(("inverso", "1".into()));
        }
        if page > 1 {
            q.push(("pagina", page.to_string()));
        }
        let qs = serde_urlencoded::to_string(&q).unwrap_or_default();
        if qs.is_empty() {
            self.path.to_owned()
        } else {
            format!("{}?{qs}", self.path)
        }
    }

    /// This page again (for forms that come back to it).
    pub fn here(&self) -> String {
        self.href(&self.sort, self.reverse, self.page)
    }

    /// Sorting by `key`: its natural direction first, turned round on the second click.
    pub fn sort_href(&self, key: &str) -> String {
        let reverse = self.sort == key && !self.reverse;
        self.href(key, reverse, 1)
    }

    /// `aria-sort` of a column.
    pub fn aria_sort(&self, key: &str) -> &'static str {
        if self.sort != key {
            "none"
        } else if self.reverse {
            "descending"
        } else {
            "ascending"
        }
    }

    pub fn is_sorted(&self, key: &str) -> bool {
        self.sort == key
    }

    pub fn csv_href(&self) -> String {
        let h = self.href(&self.sort, self.reverse, 1);
        match h.split_once('?') {
            Some((p, q)) => format!("{p}.csv?{q}"),
            None => format!("{h}.csv"),
        }
    }

    fn last_page(&self) -> i64 {
        let pages = (self.total + PER_PAGE - 1) / PER_PAGE;
        let pages = if self.more { pages + 1 } else { pages };
        pages.clamp(1, MAX_PAGE)
    }

    /// "1–50 di 211 ticket", "oltre 1.000 enti", "1 ente", "Nessun ticket".
    pub fn summary(&self) -> String {
        let noun = |n: i64| if n == 1 { self.noun.0 } else { self.noun.1 };
        if self.total == 0 && self.shown == 0 {
            // Our nouns are feminine when they end in -a or -à (modifica, attività).
            let none = if self.noun.0.ends_with(['a', 'à']) {
                "Nessuna"
            } else {
                "Nessun"
            };
            return format!("{none} {}", self.noun.0);
        }
        let first = (self.page - 1) * PER_PAGE + 1;
        let last = first + self.shown - 1;
        let total = if self.more {
            format!("oltre {}", count(self.total))
        } else {
            count(self.total)
        };
        if self.page == 1 && !self.more && self.shown == self.total {
            format!("{total} {}", noun(self.total))
        } else {
            format!("{}–{} di {total} {}", count(first), count(last), noun(2))
        }
    }

    /// The pager: the first and last page, two around the current one, gaps between.
    pub fn pages(&self) -> Vec<PageLink> {
        let last = self.last_page();
        if last <= 1 {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut prev = 0;
        for n in 1..=last {
            if n == 1 || n == last || (n - self.page).abs() <= 2 {
                if n - prev > 1 {
                    out.push(PageLink {
                        number: 0,
                        href: String::new(),
                        current: false,
                    });
                }
                out.push(PageLink {
                    number: n,
                    href: self.href(&self.sort, self.reverse, n),
                    current: n == self.page,
                });
                prev = n;
            }
        }
        out
    }

    pub fn prev_href(&self) -> Option<String> {
        (self.page > 1).then(|| self.href(&self.sort, self.reverse, self.page - 1))
    }

    pub fn next_href(&self) -> Option<String> {
        (self.page < self.last_page()).then(|| self.href(&self.sort, self.reverse, self.page + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(total: i64, page: i64, shown: i64, more: bool) -> ListView {
        ListView {
            path: "/tickets".into(),
            target: "ticket-list",
            filters: vec![
                ("stato".into(), "aperti".into()),
                ("q".into(), "rete lenta".into()),
            ],
            sort: "queue".into(),
            default_sort: "queue",
            reverse: false,
            page,
            total,
            more,
            shown,
            noun: ("ticket", "ticket"),
            columns: vec![],
            csv: true,
        }
    }

    #[test]
    fn links_keep_the_filters_and_reset_the_page_when_sorting() {
        let v = view(211, 3, 50, false);
        assert_eq!(v.here(), "/tickets?stato=aperti&q=rete+lenta&pagina=3");
        assert_eq!(
            v.sort_href("due"),
            "/tickets?stato=aperti&q=rete+lenta&ordine=due"
        );
        assert_eq!(v.csv_href(), "/tickets.csv?stato=aperti&q=rete+lenta");
        let mut v = view(211, 1, 50, false);
        v.sort = "due".into();
        assert_eq!(
            v.sort_href("due"),
            "/tickets?stato=aperti&q=rete+lenta&ordine=due&inverso=1",
            "the second click turns the order round"
        );
        assert_eq!(v.aria_sort("due"), "ascending");
        assert_eq!(v.aria_sort("number"), "none");
    }

    #[test]
    fn summaries_say_the_count_in_italian() {
        assert_eq!(view(211, 1, 50, false).summary(), "1–50 di 211 ticket");
        assert_eq!(view(211, 5, 11, false).summary(), "201–211 di 211 ticket");
        assert_eq!(view(7, 1, 7, false).summary(), "7 ticket");
        assert_eq!(view(0, 1, 0, false).summary(), "Nessun ticket");
        let mut jobs = view(0, 1, 0, false);
        jobs.noun = ("attività", "attività");
        assert_eq!(jobs.summary(), "Nessuna attività");
        assert_eq!(
            view(1000, 1, 50, true).summary(),
            "1–50 di oltre 1.000 ticket"
        );
        let mut one = view(1, 1, 1, false);
        one.noun = ("ente", "enti");
        assert_eq!(one.summary(), "1 ente");
    }

    #[test]
    fn the_pager_shows_the_ends_and_the_pages_around() {
        let v = view(1000, 10, 50, false);
        let numbers: Vec<i64> = v.pages().iter().map(|p| p.number).collect();
        assert_eq!(numbers, [1, 0, 8, 9, 10, 11, 12, 0, 20]);
        assert!(v.pages().iter().any(|p| p.current && p.number == 10));
        assert!(view(30, 1, 30, false).pages().is_empty());
        // Past the count cap there is always one more page to walk.
        assert!(view(1000, 20, 50, true).next_href().is_some());
    }

    #[test]
    fn a_page_that_is_not_a_number_is_the_first() {
        for (raw, page) in [
            ("", 1),
            ("abc", 1),
            ("-3", 1),
            ("0", 1),
            ("4", 4),
            ("99999", MAX_PAGE),
        ] {
            let p = Paging {
                pagina: raw.into(),
                ..Default::default()
            };
            assert_eq!(p.page(), page, "{raw}");
        }
    }
}
