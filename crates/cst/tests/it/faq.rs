//! The FAQ and knowledge base (issue 15): answers written by the staff, found by an Italian
//! search (accents, plurals, small typos), public or for the entities' contacts; the search of
//! each process follows the changes made by any other; votes and the suggestions while a
//! ticket's subject is typed, without login where the answer is public.

use reqwest::Method;
use serde_json::{json, Value};
use testkit::{backends, spawn_app, Backend};

backends!(
    answers_are_found_in_italian_and_seen_by_who_may,
    the_public_page_votes_and_suggestions,
);

fn titles(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

const ARTICLES: &[(&str, &str, &str, bool)] = &[
    (
        "Come si rinnova la firma digitale?",
        "Il rinnovo dei certificati vale tre anni: si prende appuntamento.",
        "firma",
        true,
    ),
    (
        "Perché il PIN della Business Key è bloccato?",
        "Dopo dieci tentativi sbagliati il PIN si blocca: serve il PUK.",
        "firma",
        true,
    ),
    (
        "La casella PEC non riceve messaggi",
        "Controllare lo spazio della posta elettronica certificata.",
        "pec",
        true,
    ),
    (
        "Come si aderisce alla conservazione a norma?",
        "Con il portale LegalDoc: 145 euro l'anno fino a 1 GB.",
        "applicativi",
        false,
    ),
    (
        "Come si attiva l'antivirus centralizzato?",
        "Indicare l'antivirus usato oggi e il numero di licenze.",
        "sicurezza",
        true,
    ),
];

async fn answers_are_found_in_italian_and_seen_by_who_may(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.user("capo", "admin", &[]).await;
    let staff = app.api(&admin).await;
    let (s, e) = staff
        .send_json(
            Method::POST,
            "/api/v1/entities",
            json!({"name": "Comune di Teolo", "population": 9000, "population_date": "2023-01-01"}),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    let contact = app
        .api(
            &app.user("referente", "contact", &[e["id"].as_i64().unwrap()])
                .await,
        )
        .await;
    let supplier = app.api(&app.user("ditta", "supplier", &[]).await).await;
    for (title, body, category, public) in ARTICLES {
        let (s, a) = staff
            .send_json(
                Method::POST,
                "/api/v1/faq",
                json!({"title": title, "body": body, "category": category, "public": public}),
            )
            .await;
        assert_eq!(s, 201, "{a}");
    }
    // Plurals, missing accents, typos: the right answer first.
    for (q, want) in [
        ("firme digitali", "Come si rinnova la firma digitale?"),
        (
            "perche pin bloccato",
            "Perché il PIN della Business Key è bloccato?",
        ),
        ("posta certificata", "La casella PEC non riceve messaggi"),
        ("fimra", "Come si rinnova la firma digitale?"),
        ("antivirs", "Come si attiva l'antivirus centralizzato?"),
        (
            "conservazione",
            "Come si aderisce alla conservazione a norma?",
        ),
    ] {
        let (s, list) = contact
            .get(&format!("/api/v1/faq?q={}", q.replace(' ', "+")))
            .await;
        assert_eq!(s, 200, "{list}");
        assert_eq!(
            titles(&list).first().map(String::as_str),
            Some(want),
            "{q}: {list}"
        );
    }
    // The answer for contacts: not for a supplier; every answer for the staff.
    let (_, list) = supplier.get("/api/v1/faq?q=conservazione").await;
    assert!(titles(&list).is_empty(), "{list}");
    let (_, all) = supplier.get("/api/v1/faq").await;
    assert_eq!(titles(&all).len(), 4);
    let (_, all) = staff.get("/api/v1/faq").await;
    assert_eq!(titles(&all).len(), 5);
    let (_, firma) = contact.get("/api/v1/faq?category=firma").await;
    assert_eq!(titles(&firma).len(), 2);
    // Only the staff write; wrong answers say what is wrong and store nothing.
    let (s, r) = contact
        .send_json(
            Method::POST,
            "/api/v1/faq",
            json!({"title": "X", "body": "Y", "category": "firma", "public": true}),
        )
        .await;
    assert_eq!((s, r["code"].as_str()), (403, Some("staff_only")), "{r}");
    let (s, r) = staff
        .send_json(
            Method::POST,
            "/api/v1/faq",
            json!({"title": " ", "body": "", "category": "meteo", "public": true}),
        )
        .await;
    assert_eq!(s, 422, "{r}");
    let fields: Vec<&str> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["title", "body", "category"]);
    let (_, all) = staff.get("/api/v1/faq").await;
    assert_eq!(titles(&all).len(), 5);

    // Another process changes an answer: this one's search follows at its next question.
    let id = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["category"] == "sicurezza")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    faq::store::update(
        &app.db,
        &kernel::Actor::system("altro processo"),
        id,
        &faq::store::Draft {
            title: "Come si attiva la protezione dai malware?".into(),
            body: "Indicare il prodotto usato oggi e il numero di licenze.".into(),
            category: "sicurezza".into(),
            public: true,
        },
    )
    .await
    .unwrap();
    let (_, list) = contact.get("/api/v1/faq?q=malware").await;
    assert_eq!(titles(&list), ["Come si attiva la protezione dai malware?"]);
    let (_, list) = contact.get("/api/v1/faq?q=antivirus").await;
    assert!(titles(&list).is_empty(), "{list}");
    let (s, _) = staff
        .request(Method::DELETE, &format!("/api/v1/faq/{id}"))
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!(s, 204);
    let (_, list) = contact.get("/api/v1/faq?q=malware").await;
    assert!(titles(&list).is_empty(), "{list}");
    let (s, r) = contact.get(&format!("/api/v1/faq/{id}")).await;
    assert_eq!((s, r["code"].as_str()), (404, Some("faq_not_found")));
}

async fn the_public_page_votes_and_suggestions(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.user("capo", "admin", &[]).await;
    let staff = app.api(&admin).await;
    let mut ids = vec![];
    for (title, body, category, public) in ARTICLES {
        let (_, a) = staff
            .send_json(
                Method::POST,
                "/api/v1/faq",
                json!({"title": title, "body": body, "category": category, "public": public}),
            )
            .await;
        ids.push(a["id"].as_i64().unwrap());
    }
    let anon = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = |path: String| {
        let anon = anon.clone();
        let url = app.url(&path);
        async move {
            let r = anon.get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    // Without login: the public answers only.
    let (s, list) = page("/faq".into()).await;
    assert_eq!(s, 200);
    assert!(
        list.contains("Come si rinnova la firma digitale?"),
        "{list}"
    );
    assert!(!list.contains("conservazione a norma"), "{list}");
    let (_, found) = page("/faq?q=firme+digitali".into()).await;
    assert!(
        found.contains("1 risposta trovata per «firme digitali»"),
        "{found}"
    );
    assert_eq!(page(format!("/faq/{}", ids[3])).await.0, 404);
    let (s, one) = page(format!("/faq/{}", ids[0])).await;
    assert_eq!(s, 200);
    assert!(one.contains("Questa risposta le è stata utile?"), "{one}");
    // A vote, counted; on a hidden answer, not found.
    let r = anon
        .post(app.url(&format!("/faq/{}/voto", ids[0])))
        .form(&[("utile", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, one) = page(format!("/faq/{}?votato=1", ids[0])).await;
    assert!(one.contains("1 persona l'ha trovata utile"), "{one}");
    let r = anon
        .post(app.url(&format!("/faq/{}/voto", ids[3])))
        .form(&[("utile", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // Suggestions while a subject is typed: the word being typed counts by its beginning.
    let (_, s1) = page("/faq/suggerimenti?subject=pin+bloc".into()).await;
    assert!(
        s1.contains("Perché il PIN della Business Key è bloccato?"),
        "{s1}"
    );
    let (_, s2) = page("/faq/suggerimenti?subject=pe".into()).await;
    assert!(!s2.contains("<li>"), "{s2}");
    // The staff write from the page; a contact cannot.
    let br = app.browser("capo").await;
    let (_, made) = br
        .post_follow(
            "/faq",
            &[
                ("titolo", "Come si chiede un dominio?"),
                ("risposta", "Con il modulo «riservato»."),
                ("categoria", "domini"),
                ("pubblica", "1"),
            ],
        )
        .await;
    assert!(made.contains("Risposta pubblicata."), "{made}");
    let (_, refused) = br
        .post_follow(
            "/faq",
            &[("titolo", "Senza risposta"), ("categoria", "domini")],
        )
        .await;
    assert!(
        refused.contains("faq-error") && refused.contains("Senza risposta"),
        "{refused}"
    );
    let (s, ask) = br.post(&format!("/faq/{}/elimina", ids[0]), &[]).await;
    assert_eq!(s, 200);
    assert!(
        ask.contains("Eliminare la risposta «Come si rinnova la firma digitale?»?"),
        "{ask}"
    );
}
