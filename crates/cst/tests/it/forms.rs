//! Forms instead of JSON (issue 10, point 5): a price-list item edited field by field with a
//! preview of what three entities would pay, items added and removed, a list closed (after a
//! confirmation) and reopened; the membership-fee model chosen by form with every member's fee.

use reqwest::Method;
use serde_json::{json, Value};
use testkit::{backends, spawn_app, Api, Backend, Browser, TestApp};

backends!(
    a_price_list_item_is_edited_by_form_with_a_preview,
    closing_a_price_list_asks_first_and_can_be_undone,
    the_membership_fee_is_chosen_by_form_with_every_members_fee,
);

/// The Padova catalogue, an admin (API and browser) and three entities of different sizes.
async fn setup(app: &TestApp) -> (Api, Browser, Vec<i64>) {
    catalog::store::load_padova_catalogue(&app.db, &kernel::Actor::system("t"))
        .await
        .unwrap();
    let admin = app.user("admin", "admin", &[]).await;
    let api = app.api(&admin).await;
    let mut ids = vec![];
    for (name, population, workstations) in [
        ("Comune Piccolo", 500, 4),
        ("Comune di Mezzo", 7_500, 30),
        ("Comune Grande", 90_000, 400),
    ] {
        let (s, e) = api
            .send_json(
                Method::POST,
                "/api/v1/entities",
                json!({"name": name, "population": population, "population_date": "2023-01-01",
                       "workstations": workstations}),
            )
            .await;
        assert_eq!(s, 201, "{e}");
        ids.push(e["id"].as_i64().unwrap());
    }
    (api, app.browser("admin").await, ids)
}

/// Item 13 of the Padova list (PD09 «postazione») as its form posts it: activation per user
/// one-off, management per user yearly from the 2nd year.
fn pd09(one_off: &str, yearly: &str) -> Vec<(&'static str, String)> {
    [
        ("service", "PD09"),
        ("code", "postazione"),
        ("label", "Postazione"),
        (
            "c0_label",
            "Attivazione con formazione di base in aula (8 ore)",
        ),
        ("c0_when", "one_off"),
        ("c0_kind", "per_unit"),
        ("c0_unit", "user"),
        ("c0_amount", one_off),
        (
            "c1_label",
            "Gestione: manutenzione, assistenza e aggiornamento",
        ),
        ("c1_when", "yearly"),
        ("c1_from_year", "2"),
        ("c1_until_year", ""),
        ("c1_kind", "per_unit"),
        ("c1_unit", "user"),
        ("c1_amount", yearly),
        ("anteprima_quantita", "3"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

fn form(
    fields: &[(&'static str, String)],
    extra: &[(&'static str, &str)],
) -> Vec<(&'static str, String)> {
    let mut f = fields.to_vec();
    f.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    f
}

async fn post(b: &Browser, path: &str, fields: &[(&'static str, String)]) -> (u16, String) {
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post(path, &f).await
}

async fn item(api: &Api, n: usize) -> Value {
    let (s, l) = api.get("/api/v1/price-lists/1").await;
    assert_eq!(s, 200, "{l}");
    l["items"][n - 1].clone()
}

async fn a_price_list_item_is_edited_by_form_with_a_preview(b: Backend) {
    let app = spawn_app(b).await;
    let (api, admin, entities) = setup(&app).await;
    let before = item(&api, 13).await;
    assert_eq!(before["service"], "PD09");

    // The form shows the item as fields, amounts the Italian way.
    let (s, page) = admin.get("/price-lists/1/items/13").await;
    assert_eq!(s, 200);
    assert!(
        page.contains(r#"id="c0_amount" name="c0_amount" value="265,00""#),
        "{page}"
    );
    assert!(page.contains(r#"id="c1_from_year" name="c1_from_year" value="2""#));
    // The preview names the smallest, a middle and the largest entity.
    for name in ["Comune Piccolo", "Comune di Mezzo", "Comune Grande"] {
        assert!(page.contains(name), "{name} not in the preview");
    }

    // The live preview prices the item as typed: 3 users × € 300,00 in the 1st year, 3 × €
    // 250,00 from the 2nd.
    let (s, preview) = post(
        &admin,
        "/price-lists/1/items/13/anteprima",
        &pd09("300,00", "250,00"),
    )
    .await;
    assert_eq!(s, 200, "{preview}");
    assert_eq!(
        preview.matches(">€ 900,00</strong>").count(),
        3,
        "{preview}"
    );
    assert_eq!(
        preview.matches(">€ 750,00</strong>").count(),
        3,
        "{preview}"
    );
    assert!(
        preview.contains("1° anno (2026)") && preview.contains("attivato il 25/11/2026"),
        "{preview}"
    );
    assert!(!preview.contains("<html"), "a fragment, not a page");
    // What cannot be read is said, field by field, in the preview and on saving.
    let (_, preview) = post(
        &admin,
        "/price-lists/1/items/13/anteprima",
        &pd09("dodici", "250,00"),
    )
    .await;
    assert!(
        preview.contains("Componente 1, importo: «dodici» non è un importo"),
        "{preview}"
    );
    let (s, page) = post(
        &admin,
        "/price-lists/1/items/13",
        &form(&pd09("dodici", "250,00"), &[("azione", "salva")]),
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        page.contains(r#"id="c0_amount-error">Componente 1, importo: «dodici» non è un importo"#),
        "{page}"
    );
    assert!(page.contains(r#"value="dodici""#), "what was typed stays");
    // Every wrong field at once: a negative amount at its field, a component that cannot be
    // charged as typed (until before from) on the component, both in one answer.
    let mut both = pd09("-5", "250,00");
    both.retain(|(k, _)| !matches!(*k, "c1_from_year" | "c1_until_year"));
    both.extend([
        ("c1_from_year", "3".to_owned()),
        ("c1_until_year", "2".to_owned()),
    ]);
    let (s, page) = post(
        &admin,
        "/price-lists/1/items/13",
        &form(&both, &[("azione", "salva")]),
    )
    .await;
    assert_eq!(s, 422);
    let page = page.replace("&#39;", "'");
    assert!(
        page.contains(r#"id="c0_amount-error">Componente 1, importo: non può essere negativo"#),
        "{page}"
    );
    assert!(
        page.contains(r#"id="c1-error">Componente 2: l'ultimo anno (2) precede il primo (3)"#),
        "{page}"
    );
    // An amount with Italian thousands reads as thousands; the preview activates on the day
    // asked, pro rata shown.
    let mut pro_rata = pd09("1.250", "250,00");
    pro_rata.retain(|(k, _)| !matches!(*k, "c1_from_year"));
    pro_rata.extend([
        ("c1_from_year", "1".to_owned()),
        ("c1_pro_rata", "1".to_owned()),
        ("anteprima_attivazione", "2026-07-01".to_owned()),
    ]);
    let (_, preview) = post(&admin, "/price-lists/1/items/13/anteprima", &pro_rata).await;
    assert!(
        preview.contains("3 utenti × € 1.250,00 = € 3.750,00"),
        "{preview}"
    );
    assert!(preview.contains("× 184/365 giorni = € 378,08"), "{preview}");
    let (_, preview) = post(&admin, "/price-lists/1/items/13/anteprima", &{
        let mut f = pd09("1,00", "1,00");
        f.retain(|(k, _)| *k != "anteprima_quantita");
        form(&f, &[("anteprima_quantita", "molti")])
    })
    .await;
    assert!(
        preview.contains("Quantità per l&#39;anteprima: «molti»")
            || preview.contains("Quantità per l'anteprima: «molti»"),
        "{preview}"
    );
    // What is read but wrong is refused by the list's own check; nothing changes.
    let mut wrong = pd09("300,00", "250,00");
    wrong.retain(|(k, _)| !matches!(*k, "c1_from_year" | "c1_until_year"));
    wrong.extend([
        ("c1_from_year", "3".to_owned()),
        ("c1_until_year", "2".to_owned()),
    ]);
    let (s, page) = post(
        &admin,
        "/price-lists/1/items/13",
        &form(&wrong, &[("azione", "salva")]),
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        page.contains("l&#39;ultimo anno (2) precede il primo (3)")
            || page.contains("l'ultimo anno (2) precede il primo (3)"),
        "{page}"
    );
    assert_eq!(
        item(&api, 13).await,
        before,
        "a refused form changes nothing"
    );

    // A button reshapes the form without saving.
    let (s, page) = post(
        &admin,
        "/price-lists/1/items/13",
        &form(&pd09("300,00", "250,00"), &[("azione", "aggiungi")]),
    )
    .await;
    assert_eq!(s, 200);
    assert!(page.contains("Componente 3"));
    assert_eq!(item(&api, 13).await, before);

    // Saved: the list reads the new amounts, the page says so.
    let (s, page) = admin
        .post_follow(
            "/price-lists/1/items/13",
            &form(&pd09("300,00", "250,00"), &[("azione", "salva")])
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(s, 200);
    assert!(page.contains("Voce PD09 «Postazione» salvata."), "{page}");
    let after = item(&api, 13).await;
    assert_eq!(after["label"], "Postazione");
    assert_eq!(after["components"][0]["price"]["amount"], "300.00");
    assert_eq!(after["components"][1]["price"]["amount"], "250.00");

    // A new item, priced by population bands.
    let bands: Vec<(&'static str, String)> = [
        ("service", "PD02"),
        ("code", "fasce"),
        ("label", "Canone a fasce"),
        ("c0_label", "Canone"),
        ("c0_when", "yearly"),
        ("c0_from_year", "1"),
        ("c0_kind", "bands"),
        ("c0_unit", "inhabitant"),
        ("c0_b0_from", "0"),
        ("c0_b0_to", "5.000"),
        ("c0_b0_amount", "100"),
        ("c0_b1_from", "5001"),
        ("c0_b1_to", ""),
        ("c0_b1_amount", "1.000,00"),
        ("azione", "salva"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect();
    let (s, _) = post(&admin, "/price-lists/1/items/nuova", &bands).await;
    assert_eq!(s, 303);
    let added = item(&api, 41).await;
    assert_eq!(added["code"], "fasce");
    assert_eq!(
        added["components"][0]["price"]["bands"][1]["amount"],
        "1000.00"
    );
    assert_eq!(added["components"][0]["price"]["bands"][0]["to"], 5000);

    // Taking an item out asks first, naming the consequence; then it is gone.
    let (s, page) = admin.post("/price-lists/1/items/41/elimina", &[]).await;
    assert_eq!(s, 200);
    assert!(
        page.contains("Togliere la voce PD02 «Canone a fasce»?"),
        "{page}"
    );
    assert!(
        item(&api, 41).await.is_object(),
        "still there before the confirmation"
    );
    let (s, page) = admin
        .post_follow("/price-lists/1/items/41/elimina", &[("confermato", "1")])
        .await;
    assert_eq!(s, 200);
    assert!(page.contains("tolta dal listino"), "{page}");
    assert!(item(&api, 41).await.is_null());

    // Only admins edit; an operator is refused.
    app.user("operatore", "operator", &[]).await;
    let op = app.browser("operatore").await;
    let (s, _) = op.get("/price-lists/1/items/13").await;
    assert_eq!(s, 403);
    let (s, _) = post(
        &op,
        "/price-lists/1/items/13",
        &form(&pd09("1,00", "1,00"), &[("azione", "salva")]),
    )
    .await;
    assert_eq!(s, 403);

    // Once a quote is priced on it, the list is frozen: the form is refused, nothing changes.
    let (s, a) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{}/agreements", entities[1]),
            json!({"start_date": "2024-01-01", "term_years": 5, "number": "1/2024", "signed": true}),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    let (s, q) = api
        .send_json(
            Method::POST,
            "/api/v1/price-quotes",
            json!({"service": "PD09", "entity_id": entities[1], "quantity": 3,
                   "activation_date": "2026-03-01", "year": 2026}),
        )
        .await;
    assert_eq!(s, 201, "{q}");
    assert_eq!(q["amount"], "900.00", "the quote reads the edited price");
    let (s, page) = admin
        .post_follow(
            "/price-lists/1/items/13",
            &[("service", "PD09"), ("azione", "salva")],
        )
        .await;
    assert_eq!(s, 200);
    assert!(page.contains("è già stato usato"), "{page}");
    assert_eq!(item(&api, 13).await, after);
}

async fn closing_a_price_list_asks_first_and_can_be_undone(b: Backend) {
    let app = spawn_app(b).await;
    let (api, admin, entities) = setup(&app).await;
    let valid_to = || async {
        let (_, l) = api.get("/api/v1/price-lists/1").await;
        l["valid_to"].clone()
    };
    // No date: the reason, nothing else.
    let (_, page) = admin
        .post_follow("/price-lists/1/fine", &[("valid_to", "")])
        .await;
    assert!(
        page.contains("Indica l&#39;ultimo giorno") || page.contains("Indica l'ultimo giorno"),
        "{page}"
    );
    // A date: first the question with its consequences.
    let (s, page) = admin
        .post("/price-lists/1/fine", &[("valid_to", "2027-12-31")])
        .await;
    assert_eq!(s, 200);
    assert!(page.contains("il 31/12/2027?"), "{page}");
    assert!(
        page.contains("Dal 01/01/2028 questo listino non darà più prezzi"),
        "{page}"
    );
    assert_eq!(
        valid_to().await,
        Value::Null,
        "not closed before the confirmation"
    );
    let (_, page) = admin
        .post_follow(
            "/price-lists/1/fine",
            &[("valid_to", "2027-12-31"), ("confermato", "1")],
        )
        .await;
    assert!(
        page.contains("Listino chiuso: vale fino al 31/12/2027."),
        "{page}"
    );
    assert_eq!(valid_to().await, "2027-12-31");
    // Undo: reopened while no later list starts.
    assert!(page.contains("Riapri il listino"));
    let (_, page) = admin
        .post_follow("/price-lists/1/fine", &[("valid_to", "")])
        .await;
    assert!(page.contains("Listino riaperto"), "{page}");
    assert_eq!(valid_to().await, Value::Null);
    // Before it starts: refused.
    let (_, page) = admin
        .post_follow(
            "/price-lists/1/fine",
            &[("valid_to", "2019-01-01"), ("confermato", "1")],
        )
        .await;
    assert!(page.contains("non può finire prima"), "{page}");
    // Not before a day it already priced.
    api.send_json(
        Method::POST,
        &format!("/api/v1/entities/{}/agreements", entities[0]),
        json!({"start_date": "2024-01-01", "term_years": 5, "number": "2/2024", "signed": true}),
    )
    .await;
    let (s, q) = api
        .send_json(
            Method::POST,
            "/api/v1/price-quotes",
            json!({"service": "PD09", "entity_id": entities[0], "quantity": 1,
                   "activation_date": "2026-03-01", "year": 2027}),
        )
        .await;
    assert_eq!(s, 201, "{q}");
    let (_, page) = admin
        .post_follow(
            "/price-lists/1/fine",
            &[("valid_to", "2026-12-31"), ("confermato", "1")],
        )
        .await;
    assert!(
        page.contains("ha già dato prezzi per il 01/01/2027"),
        "{page}"
    );
    assert_eq!(valid_to().await, Value::Null);
    // The register says it in Italian.
    let (_, page) = admin
        .post_follow(
            "/price-lists/1/fine",
            &[("valid_to", "2027-06-30"), ("confermato", "1")],
        )
        .await;
    assert!(page.contains("vale fino al 30/06/2027"), "{page}");
    let (_, audit) = admin.get("/audit").await;
    assert!(
        audit.contains("Listino chiuso") && audit.contains("Listino riaperto"),
        "{audit}"
    );
    // A used list can be closed (its items never change), and not by an operator.
    app.user("operatore", "operator", &[]).await;
    let op = app.browser("operatore").await;
    let (s, _) = op.post("/price-lists/1/fine", &[("valid_to", "")]).await;
    assert_eq!(s, 403);
}

async fn the_membership_fee_is_chosen_by_form_with_every_members_fee(b: Backend) {
    let app = spawn_app(b).await;
    let (api, admin, entities) = setup(&app).await;
    let rules = || async { catalog::store::rules(&app.db).await.unwrap() };
    let (s, page) = admin.get("/membership-fee").await;
    assert_eq!(s, 200);
    assert!(page.contains(r#"id="model""#));

    // The preview: every member's fee for the year and the total (500 + 7.500 + 90.000 ab.
    // at € 0,50 = € 49.000,00).
    let per_head: Vec<(&str, &str)> = vec![
        ("year", "2027"),
        ("model", "per_inhabitant"),
        ("rate", "0,50"),
    ];
    let (s, preview) = admin.post("/membership-fee/anteprima", &per_head).await;
    assert_eq!(s, 200);
    assert!(
        preview.contains("Nel 2027: <strong>€ 49.000,00</strong> da 3 enti."),
        "{preview}"
    );
    assert!(
        preview.contains("€ 45.000,00") && preview.contains("€ 250,00"),
        "{preview}"
    );

    // A preset fills the form: Macerata's eleven bands.
    let (s, page) = admin
        .post(
            "/membership-fee",
            &[("year", "2027"), ("azione", "modello-macerata")],
        )
        .await;
    assert_eq!(s, 200);
    assert!(
        page.contains(r#"id="b10_amount" name="b10_amount" value="10.500,00""#),
        "{page}"
    );
    assert!(page.contains(r#"<option value="bands" selected>"#));

    // Wrong input is refused, named, and changes nothing.
    assert!(rules().await.is_empty());
    let (s, page) = admin
        .post(
            "/membership-fee",
            &[
                ("year", "2027"),
                ("model", "bands"),
                ("b0_from", "0"),
                ("b0_to", "1000"),
                ("b0_amount", "100"),
                ("b1_from", "2000"),
                ("b1_to", ""),
                ("b1_amount", "200"),
                ("azione", "salva"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        page.contains("Manca la fascia da 1001 a 1999 abitanti")
            || page.contains("manca la fascia da 1001 a 1999 abitanti"),
        "{page}"
    );
    let (s, page) = admin
        .post(
            "/membership-fee",
            &[
                ("year", "2027"),
                ("model", "per_inhabitant"),
                ("rate", "mezzo euro"),
                ("azione", "salva"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        page.contains(r#"id="rate-error">Importo per abitante: «mezzo euro» non è un importo"#),
        "{page}"
    );
    let (s, page) = admin
        .post(
            "/membership-fee",
            &[
                ("year", "1999"),
                ("model", "per_inhabitant"),
                ("rate", "1"),
                ("azione", "salva"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        page.contains("anno deve essere tra il 2000 e il 2100"),
        "{page}"
    );
    let (s, page) = admin
        .post(
            "/membership-fee",
            &[
                ("year", "2027"),
                ("rule_json", "{\"model\": \"nessuno\"}"),
                ("azione", "json"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        page.contains("La regola in JSON: un campo o un valore non va bene, riga 1"),
        "{page}"
    );
    // A rule some member's fee cannot be computed with (too large) is refused.
    let (s, page) = admin
        .post(
            "/membership-fee",
            &[
                ("year", "2027"),
                ("model", "per_inhabitant"),
                ("rate", "99999999999999"),
                ("azione", "salva"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(page.contains("Con questa regola la quota di 2 enti non si può calcolare (Comune Grande: importo troppo grande)"), "{page}");
    // Tiers above the flat amount's threshold would never apply.
    let (s, page) = admin
        .post(
            "/membership-fee",
            &[
                ("year", "2027"),
                ("model", "marginal_tiers"),
                ("t0_up_to", "5000"),
                ("t0_rate", "0,20"),
                ("t1_up_to", "10000"),
                ("t1_rate", "0,10"),
                ("flat_above", "8000"),
                ("flat_amount", "1500"),
                ("azione", "salva"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(page.contains("non si applicherebbero mai"), "{page}");
    assert!(rules().await.is_empty(), "a refused form changes nothing");

    // Saved by form: the fees follow; a rule equal to a preset is named after it.
    let mut save = per_head.clone();
    save.push(("azione", "salva"));
    let (s, page) = admin.post_follow("/membership-fee", &save).await;
    assert_eq!(s, 200);
    assert!(
        page.contains("Quota associativa salvata: dal 2027"),
        "{page}"
    );
    let (_, f) = api
        .get(&format!(
            "/api/v1/entities/{}/membership-fee?year=2027",
            entities[2]
        ))
        .await;
    assert_eq!(f["amount"], "45000.00", "{f}");
    assert_eq!(f["rule"]["preset"], "");
    let (_, page) = admin
        .post_follow(
            "/membership-fee",
            &[
                ("year", "2027"),
                ("model", "per_inhabitant"),
                ("rate", "0,44"),
                ("azione", "salva"),
            ],
        )
        .await;
    assert!(
        page.contains("Pesaro Urbino: € 0,44 per abitante"),
        "{page}"
    );
    // This year (the test's clock: 2026): the fees already due change, so it asks first,
    // naming the rule it replaces or follows; then a rule can be taken away, asking first too.
    let this_year: Vec<(&str, &str)> = vec![
        ("year", "2026"),
        ("model", "per_inhabitant"),
        ("rate", "0,10"),
        ("azione", "salva"),
    ];
    let (s, page) = admin.post("/membership-fee", &this_year).await;
    assert_eq!(s, 200);
    assert!(
        page.contains("Cambiare la quota associativa dal 2026?"),
        "{page}"
    );
    assert!(
        page.contains("Le quote del 2026 si calcoleranno con la nuova regola"),
        "{page}"
    );
    assert_eq!(
        rules().await.len(),
        1,
        "nothing saved before the confirmation"
    );
    let mut confirmed = this_year.clone();
    confirmed.push(("confermato", "1"));
    let (_, page) = admin.post_follow("/membership-fee", &confirmed).await;
    assert!(page.contains("dal 2026 vale"), "{page}");
    assert_eq!(rules().await.len(), 2);
    let (_, page) = admin.post("/membership-fee/2026/elimina", &[]).await;
    assert!(
        page.contains("Togliere la regola della quota associativa del 2026?"),
        "{page}"
    );
    let (_, page) = admin
        .post_follow("/membership-fee/2026/elimina", &[("confermato", "1")])
        .await;
    assert!(page.contains("Regola del 2026 tolta."), "{page}");
    assert_eq!(rules().await.len(), 1);
    // From JSON, for power users.
    let (s, _) = admin
        .post_follow(
            "/membership-fee",
            &[
                ("year", "2028"),
                (
                    "rule_json",
                    r#"{"model": "workstation_share", "fixed_costs": "4340.00"}"#,
                ),
                ("azione", "json"),
            ],
        )
        .await;
    assert_eq!(s, 200);
    let (_, f) = api
        .get(&format!(
            "/api/v1/entities/{}/membership-fee?year=2028",
            entities[0]
        ))
        .await;
    // 4 of 434 workstations of € 4.340,00.
    assert_eq!(f["amount"], "40.00", "{f}");
    // Admins only.
    app.user("operatore", "operator", &[]).await;
    let op = app.browser("operatore").await;
    let (s, _) = op.post("/membership-fee/anteprima", &per_head).await;
    assert_eq!(s, 403);
}
