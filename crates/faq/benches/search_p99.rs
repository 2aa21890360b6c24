//! Benchmark (not a test) of issue 15's FAQ target: a search's p99 under 10 ms over 10,000
//! articles. The articles are made from the demo's Italian answers, shuffled and numbered, in a
//! real SQLite database (`target/bench-faq.db`, made again each run); the queries go through
//! `Library::search`, the function the API and the pages use (the revision check included):
//! exact words, plurals, missing accents, typos, and words still being typed.
//!
//!   cargo bench -p faq --bench search_p99

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use faq::store::{Draft, Library, Reader};

const WORDS: &str = "firma digitale certificato rinnovo dispositivo business key pin puk sblocco \
    posta elettronica certificata casella password webmail dominio sito hosting server database \
    antivirus licenze sicurezza conservazione norma atti documento identità codice fiscale modulo \
    richiesta assistenza ente comune provincia ufficio anagrafe tributi protocollo biblioteca \
    catalogo prefettura questura ospitalità cessione fabbricato ditta ritardo raccomandata \
    configurazione outlook thunderbird risposta automatica ferie preferenze ricezione messaggi \
    indirizzo ip spostamento dns applicazione drupal referente formazione stemma orari uffici";

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run());
}

async fn run() {
    let path = std::env::current_dir()
        .expect("cwd")
        .join("../../target/bench-faq.db");
    let _ = std::fs::remove_file(&path);
    let db = db::Db::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("database");
    db.migrate().await.expect("migrate");
    let words: Vec<&str> = WORDS.split_whitespace().collect();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let actor = kernel::Actor::system("bench");
    let started = Instant::now();
    const N: usize = 10_000;
    for i in 0..N {
        let title: Vec<&str> = (0..6).map(|_| words[next(words.len())]).collect();
        let body: Vec<&str> = (0..120).map(|_| words[next(words.len())]).collect();
        faq::store::create(
            &db,
            &actor,
            &Draft {
                title: format!("{} n. {i}?", title.join(" ")),
                body: body.join(" "),
                category: ["firma", "pec", "posta", "domini", "hosting", "sicurezza"][i % 6].into(),
                public: i % 5 != 0,
            },
        )
        .await
        .expect("article");
    }
    println!(
        "{N} articles written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let library = Library::default();
    let t = Instant::now();
    library
        .search(&db, Reader::Public, "firma", None, false, 20)
        .await
        .expect("first search");
    println!(
        "index built (first search) in {:.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let queries = [
        ("firme digitali", false),
        ("rinnovo certificato firma", false),
        ("perche la pec non riceve messaggi", false),
        ("posta elettronica certificata password", false),
        ("fimra digitlae", false),
        ("antivirs licenze", false),
        ("conservazione a norma degli atti", false),
        ("ospitalita prefettura", false),
        ("configurazione outl", true),
        ("business k", true),
    ];
    let mut times = Vec::with_capacity(2_000);
    let mut found = 0usize;
    for i in 0..2_000 {
        let (q, typing) = queries[i % queries.len()];
        let reader = if i % 2 == 0 {
            Reader::Public
        } else {
            Reader::Contact
        };
        let t = Instant::now();
        let hits = library
            .search(&db, reader, q, None, typing, 20)
            .await
            .expect("search");
        times.push(t.elapsed().as_secs_f64() * 1e3);
        found += hits.len();
    }
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "2000 searches over {N} articles (answers per search: {:.1}): p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        found as f64 / 2_000.0,
        at(0.50),
        at(0.90),
        at(0.99),
        times[times.len() - 1]
    );
}
